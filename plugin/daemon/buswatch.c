/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The controller's state changes on a bay (see buswatch.h). */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>

#include "plugin/daemon/buswatch.h"
#include "plugin/daemon/loop.h"

struct buswatch {
	struct loop *l;
	int fd;
	buswatch_fn fn;
	void *ctx;
};

static void readable(void *ctx, int fd, uint32_t events)
{
	struct buswatch *w = ctx;

	(void)events;
	/* a few per event at most: state changes are rare by nature */
	for (int i = 0; i < 16; i++) {
		struct can_frame f;
		ssize_t n = recv(fd, &f, sizeof(f), MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENODEV || errno == ENETDOWN)
				w->fn(w->ctx, NULL, -errno);	/* may free w */
			return;
		}
		if ((size_t)n == sizeof(f) && (f.can_id & CAN_ERR_FLAG))
			w->fn(w->ctx, &f, 0);
	}
}

int buswatch_open(struct loop *l, const char *ifname, buswatch_fn fn, void *ctx,
		  struct buswatch **ret)
{
	struct sockaddr_can addr = { .can_family = AF_CAN };
	can_err_mask_t mask = CAN_ERR_CRTL | CAN_ERR_BUSOFF | CAN_ERR_RESTARTED;
	struct buswatch *w;
	int r;

	addr.can_ifindex = (int)if_nametoindex(ifname);
	if (!addr.can_ifindex)
		return -ENODEV;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct buswatch){ .l = l, .fn = fn, .ctx = ctx };
	w->fd = socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW);
	if (w->fd < 0) {
		r = -errno;
		goto fail;
	}
	/* no data frames (an empty filter list), only the state changes */
	if (setsockopt(w->fd, SOL_CAN_RAW, CAN_RAW_FILTER, NULL, 0) < 0 ||
	    setsockopt(w->fd, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &mask, sizeof(mask)) < 0 ||
	    bind(w->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = -errno;
		goto fail;
	}
	r = loop_add(l, w->fd, EPOLLIN, readable, w);
	if (r < 0)
		goto fail;
	*ret = w;
	return 0;
fail:
	if (w->fd >= 0)
		close(w->fd);
	free(w);
	return r;
}

struct buswatch *buswatch_free(struct buswatch *w)
{
	if (!w)
		return NULL;
	loop_del(w->l, w->fd);
	close(w->fd);
	free(w);
	return NULL;
}
