/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bit-rate detection on a bay (see ratedetect.h).  Events for the state machine:
 *   a valid frame from another node        CANRATE_EV_FRAME
 *   an error frame                         CANRATE_EV_ERROR (in the probe phase it means our
 *                                          one frame failed: no ACK, bit error)
 *   our probe echoed, where the driver     CANRATE_EV_TX_DONE (IFF_ECHO: echoed after the ACK;
 *   echoes only after transmission         without it an echo proves nothing and is ignored)
 *   the state machine's deadline           CANRATE_EV_TIMER
 * Frames queued before the link was set to the current rate are drained unseen.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/can.h>
#include <linux/can/raw.h>

#include "plugin/daemon/loop.h"
#include "plugin/daemon/ratedetect.h"

#ifndef IFF_ECHO
#define IFF_ECHO (1 << 18)
#endif

struct ratedetect {
	struct loop *l;
	char ifname[IFNAMSIZ];
	const struct ratedetect_ops *ops;
	void *ctx;
	struct canrate sm;
	struct loop_timer *timer;
	int fd;
	bool waiting;		/* for the link to be configured */
	bool echo;		/* IFF_ECHO */
	bool probe_sent;
};

static void act(struct ratedetect *rd, enum canrate_action a);

static void feed(struct ratedetect *rd, enum canrate_event ev)
{
	act(rd, canrate_handle(&rd->sm, ev, loop_now_ms()));
}

static void drain(struct ratedetect *rd)
{
	struct can_frame f;

	while (recv(rd->fd, &f, sizeof(f), MSG_DONTWAIT) > 0)
		;
}

static void readable(void *ctx, int fd, uint32_t events)
{
	struct ratedetect *rd = ctx;

	(void)events;
	for (int i = 0; i < 64 && rd->fd >= 0; i++) {
		struct can_frame f;
		struct iovec iov = { .iov_base = &f, .iov_len = sizeof(f) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT);

		if (n < 0)
			return;
		if ((size_t)n != sizeof(f) || rd->waiting)
			continue;	/* CAN FD, or from before the current setting */
		if (f.can_id & CAN_ERR_FLAG)
			feed(rd, CANRATE_EV_ERROR);
		else if (m.msg_flags & MSG_CONFIRM) {
			/* our probe: proof of an ACK only where the echo waits for it */
			if (rd->echo && rd->probe_sent)
				feed(rd, CANRATE_EV_TX_DONE);
		} else if (!(m.msg_flags & MSG_DONTROUTE)) {
			feed(rd, CANRATE_EV_FRAME);
		}
	}
}

static void timer_fired(void *ctx)
{
	struct ratedetect *rd = ctx;

	if (!rd->waiting)
		feed(rd, CANRATE_EV_TIMER);
	else if (canrate_next_timer(&rd->sm))
		loop_timer_set(rd->timer, loop_now_ms() + 100);
}

static void act(struct ratedetect *rd, enum canrate_action a)
{
	switch (a) {
	case CANRATE_ACT_LISTEN:
	case CANRATE_ACT_PROBE:
		rd->waiting = true;
		rd->probe_sent = false;
		loop_timer_set(rd->timer, 0);
		rd->ops->configure(rd->ctx, rd->sm.rate, a == CANRATE_ACT_LISTEN);
		return;
	case CANRATE_ACT_DONE:
		loop_timer_set(rd->timer, 0);
		rd->ops->done(rd->ctx, rd->sm.rate, CANRATE_FAIL_NONE);
		return;
	case CANRATE_ACT_FAIL:
		loop_timer_set(rd->timer, 0);
		rd->ops->done(rd->ctx, 0, rd->sm.fail);
		return;
	default:
		loop_timer_set(rd->timer, canrate_next_timer(&rd->sm));
		return;
	}
}

void ratedetect_configured(struct ratedetect *rd, int err)
{
	if (!rd->waiting)
		return;
	if (err < 0) {
		rd->waiting = false;
		feed(rd, CANRATE_EV_LINK_FAILED);
		return;
	}
	drain(rd);
	rd->waiting = false;
	/* the window starts now that the controller is at the rate, not when it was asked */
	rd->sm.deadline_ms = loop_now_ms() + (rd->sm.phase == CANRATE_LISTEN ? rd->sm.p.listen_ms :
									     rd->sm.p.probe_ms);
	if (rd->sm.phase == CANRATE_PROBE) {
		/* ISO 15765-4: the OBD request 01 00, functional, 11-bit */
		struct can_frame f = { .can_id = 0x7DF, .len = 8,
				       .data = { 0x02, 0x01, 0x00, 0x55, 0x55, 0x55, 0x55, 0x55 } };

		rd->probe_sent = write(rd->fd, &f, sizeof(f)) == (ssize_t)sizeof(f);
		if (!rd->probe_sent) {
			feed(rd, CANRATE_EV_TX_ERROR);
			return;
		}
	}
	loop_timer_set(rd->timer, canrate_next_timer(&rd->sm));
}

int ratedetect_start(struct loop *l, const char *ifname, const struct ratedetect_ops *ops,
		     void *ctx, struct ratedetect **ret)
{
	struct sockaddr_can addr = { .can_family = AF_CAN };
	can_err_mask_t mask = CAN_ERR_MASK;
	struct ratedetect *rd;
	struct ifreq ifr;
	int one = 1, r;

	addr.can_ifindex = (int)if_nametoindex(ifname);
	if (!addr.can_ifindex)
		return -ENODEV;
	rd = calloc(1, sizeof(*rd));
	if (!rd)
		return -ENOMEM;
	rd->l = l;
	rd->ops = ops;
	rd->ctx = ctx;
	snprintf(rd->ifname, sizeof(rd->ifname), "%s", ifname);
	canrate_init(&rd->sm, NULL);
	rd->fd = socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW);
	if (rd->fd < 0) {
		r = -errno;
		goto fail;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rd->echo = ioctl(rd->fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_ECHO);
	if (setsockopt(rd->fd, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &mask, sizeof(mask)) < 0 ||
	    setsockopt(rd->fd, SOL_CAN_RAW, CAN_RAW_RECV_OWN_MSGS, &one, sizeof(one)) < 0 ||
	    bind(rd->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = -errno;
		goto fail;
	}
	r = loop_timer_new(l, timer_fired, rd, &rd->timer);
	if (r < 0)
		goto fail;
	r = loop_add(l, rd->fd, EPOLLIN, readable, rd);
	if (r < 0)
		goto fail;
	*ret = rd;
	act(rd, canrate_handle(&rd->sm, CANRATE_EV_START, loop_now_ms()));
	return 0;
fail:
	loop_timer_free(rd->timer);
	if (rd->fd >= 0)
		close(rd->fd);
	free(rd);
	return r;
}

struct ratedetect *ratedetect_free(struct ratedetect *rd)
{
	if (!rd)
		return NULL;
	loop_timer_free(rd->timer);
	loop_del(rd->l, rd->fd);
	close(rd->fd);
	free(rd);
	return NULL;
}
