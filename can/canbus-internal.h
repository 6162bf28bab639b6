/* SPDX-License-Identifier: MIT */
/* Internal to can/: kernel sockets behind struct isotp_transport. */
#ifndef RECALL_CAN_CANBUS_INTERNAL_H
#define RECALL_CAN_CANBUS_INTERNAL_H

#include "can/ident.h"

struct canbus_isotp {
	int fd;
};

/* Kernel ISO-TP socket to ECU (address per scheme) whose Flow Control asks for STMIN (raw
 * ISO 15765-2 byte); fills *t.  Negative errno. */
int canbus_isotp_open(const char *iface, enum ident_scheme scheme, uint32_t ecu, uint8_t stmin,
		      struct canbus_isotp *s, struct isotp_transport *t);

/* Is STMIN a valid STmin byte (0x00-0x7F, 0xF1-0xF9)? */
bool canbus_stmin_ok(uint8_t stmin);
void canbus_isotp_close(struct canbus_isotp *s);

/* Responders one functional request can have: a byte of address (obd29, bmw); obd11 has 8. */
#define CANBUS_MAX_RESPONDERS 256

/*
 * Functional request on CAN_RAW, collecting responder addresses (deduplicated, in order of first
 * answer) for window_ms after the last new answer.  Returns the count or negative errno.
 */
int canbus_discover(const char *iface, enum ident_scheme scheme, unsigned int window_ms,
		    uint32_t *ecus, size_t cap);

/* Maps a received CAN id (+ first byte) to the responder's address; -ENOENT if not a response. */
int canbus_response_ecu(enum ident_scheme scheme, uint32_t can_id, const uint8_t *data,
			size_t len, uint32_t *ret_ecu);

/* Is ECU an address of SCHEME (obd11: 0x7E0-0x7E7; obd29: 0x00-0xFF; bmw: 0x00-0xFF but 0xF1)? */
bool canbus_addr_ok(enum ident_scheme scheme, uint32_t ecu);

uint64_t canbus_now_ms(void *ctx);

#endif
