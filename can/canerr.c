/* SPDX-License-Identifier: MIT */
/*
 * CAN error frames (linux/can/error.h) counted, and the one cause a technician needs.
 *
 * How the drivers say it (checked against the kernel's sja1000 and slcan drivers):
 *  - no ACK: CAN_ERR_ACK (slcan 'e..a'), or a protocol error located in the ACK slot
 *    (CAN_ERR_PROT, data[3] = CAN_ERR_PROT_LOC_ACK: the SJA1000's error code capture), and the
 *    transmit error counter climbs to 128 (error-passive) while the receive counter stays put —
 *    a lone transmitter never goes bus-off for want of an ACK (ISO 11898-1 fault confinement,
 *    the ACK exception for error-passive transmitters);
 *  - wrong bit rate: bit, stuff, form and CRC errors while receiving, and no valid frame;
 *  - bus-off: CAN_ERR_BUSOFF; recovery: CAN_ERR_RESTARTED;
 *  - state changes: CAN_ERR_CRTL with data[1] warning/passive/active; counters in data[6..7].
 * Many controllers report bus errors only with CAN_CTRLMODE_BERR_REPORTING; without it only the
 * state changes arrive, so "no ACK" is also inferred from the state: error-passive or warning
 * with the transmit counter ahead, nothing transmitted, nothing received.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>

#include "can/canlink.h"

#ifndef IFF_ECHO
#define IFF_ECHO (1 << 18)	/* linux/if.h; glibc's net/if.h stops before it */
#endif

static const char *const cause_names[_CANLINK_CAUSE_MAX] = {
	[CANLINK_CAUSE_NONE] = "none",
	[CANLINK_CAUSE_NO_ACK] = "no_ack",
	[CANLINK_CAUSE_BUS_OFF] = "bus_off",
	[CANLINK_CAUSE_BITRATE] = "bitrate_mismatch",
	[CANLINK_CAUSE_ERROR_PASSIVE] = "error_passive",
	[CANLINK_CAUSE_NO_ANSWER] = "no_answer",
	[CANLINK_CAUSE_ADAPTER_REMOVED] = "adapter_removed",
	[CANLINK_CAUSE_CONTROLLER] = "controller",
};

const char *canlink_cause_name(enum canlink_cause c)
{
	return (unsigned int)c < _CANLINK_CAUSE_MAX ? cause_names[c] : "unknown";
}

void canlink_err_init(struct canlink_errstats *s)
{
	memset(s, 0, sizeof(*s));
	s->state = s->worst = CANLINK_STATE_ERROR_ACTIVE;
}

static void set_state(struct canlink_errstats *s, enum canlink_state st)
{
	s->state = st;
	/* ordered error-active < warning < passive < bus-off; stopped/sleeping are not errors */
	if (st <= CANLINK_STATE_BUS_OFF && st > s->worst)
		s->worst = st;
}

void canlink_err_feed(struct canlink_errstats *s, const struct can_frame *f, bool local)
{
	static const uint8_t zeros[CAN_ERR_DLC];
	canid_t id = f->can_id;
	const uint8_t *d = f->data;

	if (!(id & CAN_ERR_FLAG)) {
		if (local)
			s->tx_done++;
		else
			s->rx_frames++;
		return;
	}
	s->error_frames++;
	/* error frames are always CAN_ERR_DLC (8) long; a shorter one reads as zeros */
	if (f->len < CAN_ERR_DLC)
		d = zeros;
	if (id & CAN_ERR_TX_TIMEOUT)
		s->tx_timeout++;
	if (id & CAN_ERR_LOSTARB)
		s->lostarb++;
	if (id & CAN_ERR_ACK)
		s->ack++;
	if (id & CAN_ERR_PROT) {
		if (d[3] == CAN_ERR_PROT_LOC_ACK || d[3] == CAN_ERR_PROT_LOC_ACK_DEL) {
			if (!(id & CAN_ERR_ACK))
				s->ack++;
		} else {
			if (d[2] & (CAN_ERR_PROT_BIT | CAN_ERR_PROT_BIT0 | CAN_ERR_PROT_BIT1))
				s->bit++;
			if (d[2] & CAN_ERR_PROT_STUFF)
				s->stuff++;
			if (d[2] & CAN_ERR_PROT_FORM)
				s->form++;
			if (d[3] == CAN_ERR_PROT_LOC_CRC_SEQ || d[3] == CAN_ERR_PROT_LOC_CRC_DEL)
				s->crc++;
			if (d[2] & CAN_ERR_PROT_TX)
				s->prot_tx++;
		}
	}
	if (id & CAN_ERR_CRTL) {
		if (d[1] & (CAN_ERR_CRTL_RX_OVERFLOW | CAN_ERR_CRTL_TX_OVERFLOW))
			s->ctrl_overflow++;
		if (d[1] & (CAN_ERR_CRTL_RX_PASSIVE | CAN_ERR_CRTL_TX_PASSIVE)) {
			s->passive++;
			set_state(s, CANLINK_STATE_ERROR_PASSIVE);
		} else if (d[1] & (CAN_ERR_CRTL_RX_WARNING | CAN_ERR_CRTL_TX_WARNING)) {
			s->warning++;
			set_state(s, CANLINK_STATE_ERROR_WARNING);
		} else if (d[1] & CAN_ERR_CRTL_ACTIVE) {
			set_state(s, CANLINK_STATE_ERROR_ACTIVE);
		}
	}
	/* Drivers put the counters into data[6..7] with state changes (CAN_ERR_CNT says so
	 * explicitly on newer kernels); a bus error frame alone may leave them zero. */
	if (id & (CAN_ERR_CRTL | CAN_ERR_CNT)) {
		s->have_counters = true;
		s->tx_errors = d[6];
		s->rx_errors = d[7];
	}
	if (id & CAN_ERR_BUSOFF) {
		s->bus_off++;
		set_state(s, CANLINK_STATE_BUS_OFF);
	}
	if (id & CAN_ERR_RESTARTED) {
		s->restarted++;
		set_state(s, CANLINK_STATE_ERROR_ACTIVE);
	}
}

enum canlink_cause canlink_err_cause(const struct canlink_errstats *s, bool acked_means_present,
				     bool answered)
{
	unsigned int rx_prot = s->bit + s->stuff + s->form + s->crc;
	bool heard_nobody = s->rx_frames == 0;
	/* Without IFF_ECHO (slcan, vcan) the kernel loops a frame back when it is queued, not when
	 * it was acknowledged: such an echo proves nothing. */
	unsigned int acked = acked_means_present ? s->tx_done : 0;

	if (s->bus_off)
		return CANLINK_CAUSE_BUS_OFF;
	/* Our frames went unacknowledged and nobody else spoke: no node on the bus. */
	if (heard_nobody && acked == 0 &&
	    (s->ack > 0 || ((s->worst == CANLINK_STATE_ERROR_PASSIVE ||
			     s->worst == CANLINK_STATE_ERROR_WARNING) &&
			    s->have_counters && s->tx_errors > s->rx_errors && rx_prot == 0)))
		return CANLINK_CAUSE_NO_ACK;
	/* Frames on the wire that never decode: a bus at another rate. */
	if (heard_nobody && rx_prot >= 2)
		return CANLINK_CAUSE_BITRATE;
	if (s->worst == CANLINK_STATE_ERROR_PASSIVE)
		return CANLINK_CAUSE_ERROR_PASSIVE;
	if (s->ctrl_overflow || s->tx_timeout)
		return CANLINK_CAUSE_CONTROLLER;
	if (!answered && acked > 0)
		return CANLINK_CAUSE_NO_ANSWER;
	return CANLINK_CAUSE_NONE;
}

/* ---- watching a live interface ------------------------------------------------------------ */

int canlink_errwatch_open(struct canlink_errwatch *w, const char *ifname)
{
	struct sockaddr_can addr = { .can_family = AF_CAN };
	can_err_mask_t mask = CAN_ERR_MASK;
	int r;

	canlink_err_init(&w->st);
	w->echo = false;
	addr.can_ifindex = (int)if_nametoindex(ifname);
	if (!addr.can_ifindex)
		return -ENODEV;
	w->fd = socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW);
	if (w->fd < 0)
		return -errno;
	{
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
		w->echo = ioctl(w->fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_ECHO);
	}
	if (setsockopt(w->fd, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &mask, sizeof(mask)) < 0 ||
	    bind(w->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = -errno;
		close(w->fd);
		w->fd = -1;
		return r;
	}
	return 0;
}

int canlink_errwatch_poll(struct canlink_errwatch *w)
{
	if (w->fd < 0)
		return -EBADF;
	for (;;) {
		struct can_frame f;
		struct iovec iov = { .iov_base = &f, .iov_len = sizeof(f) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(w->fd, &m, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -errno;
		}
		if ((size_t)n < sizeof(f))
			continue;	/* CAN FD frames are not for us */
		/* MSG_DONTROUTE: sent from this host, echoed back after transmission */
		canlink_err_feed(&w->st, &f, m.msg_flags & MSG_DONTROUTE);
	}
}

void canlink_errwatch_close(struct canlink_errwatch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
