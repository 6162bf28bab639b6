/* SPDX-License-Identifier: MIT */
/* Internal to can/: kernel sockets behind struct isotp_transport and struct ident_bus. */
#ifndef RECALL_CAN_CANBUS_INTERNAL_H
#define RECALL_CAN_CANBUS_INTERNAL_H

#include "can/ident.h"

struct canbus_isotp {
	int fd;
};

/* Kernel ISO-TP socket to ECU (address per scheme) whose Flow Control asks for STMIN (raw
 * ISO 15765-2 byte), over CAN FD (link layer MTU 72, TX_DL 64) when FD; fills *t.  -errno. */
int canbus_isotp_open(const char *iface, enum ident_scheme scheme, uint32_t ecu, bool fd,
		      uint8_t stmin, struct canbus_isotp *s, struct isotp_transport *t);

/* Is STMIN a valid STmin byte (0x00-0x7F, 0xF1-0xF9)? */
bool canbus_stmin_ok(uint8_t stmin);
void canbus_isotp_close(struct canbus_isotp *s);

/* Responders one functional request can have: a byte of address (obd29, bmw); obd11 has 8. */
#define CANBUS_MAX_RESPONDERS 256

/* Maps a received CAN id (+ first byte) to the responder's address on a scheme with a
 * functional request; -ENOENT if not an answer of that scheme. */
int canbus_response_ecu(enum ident_scheme scheme, uint32_t can_id, const uint8_t *data,
			size_t len, uint32_t *ret_ecu);

/* Is ECU an address of SCHEME (ident_scheme_addr_ok)? */
bool canbus_addr_ok(enum ident_scheme scheme, uint32_t ecu);

/* The discovery frame of PROBE: id and payload (padded to 8 bytes with 0xCC); -EINVAL. */
int canbus_probe_frame(const struct ident_probe *p, uint32_t *can_id, uint8_t data[8]);

/* The payload of a Single Frame (classic, or CAN FD with the length escape) of scheme D's
 * answers (after its extended-address byte): 0, or -ENOENT when DATA is no such frame. */
int canbus_sf_payload(const struct ident_scheme_desc *d, const uint8_t *data, size_t len,
		      const uint8_t **ret, size_t *ret_len);

/* 0 when IFACE carries CAN FD (MTU 72), -EMEDIUMTYPE when not, -ENODEV. */
int canbus_fd_ok(const char *iface);

uint64_t canbus_now_ms(void *ctx);

#endif
