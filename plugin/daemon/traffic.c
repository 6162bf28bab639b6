/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <linux/can.h>
#include <linux/can/raw.h>

#include "plugin/daemon/loop.h"
#include "plugin/daemon/traffic.h"

#define TRAFFIC_PAUSE_MIN_MS 50

struct traffic {
	struct loop *l;
	int fd;
	bool paused;
	uint64_t pause_ms;
	struct loop_timer *resume;
	traffic_fn fn;
	void *ctx;
};

/* Frames waiting, dropped; *ret_err gets a socket error other than "empty". */
static unsigned int drain(int fd, int *ret_err)
{
	struct can_frame f;
	unsigned int n = 0;

	*ret_err = 0;
	for (;;) {
		ssize_t r = recv(fd, &f, sizeof(f), MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				*ret_err = -errno;
			return n;
		}
		n++;
	}
}

static void pause_socket(struct traffic *t)
{
	t->paused = true;
	(void)loop_mod(t->l, t->fd, 0);
	loop_timer_set(t->resume, loop_now_ms() + t->pause_ms);
}

static void readable(void *ctx, int fd, uint32_t events)
{
	struct traffic *t = ctx;
	int err;

	(void)events;
	if (drain(fd, &err) == 0) {
		if (err == -ENODEV || err == -ENETDOWN)
			t->fn(t->ctx, err);
		return;
	}
	/* A busy bus must not wake us per frame; the silence clock only needs a few looks. */
	pause_socket(t);
	t->fn(t->ctx, 0);
}

static void resume(void *ctx)
{
	struct traffic *t = ctx;
	int err;

	if (!t->paused)
		return;
	if (drain(t->fd, &err) > 0) {
		loop_timer_set(t->resume, loop_now_ms() + t->pause_ms);
		t->fn(t->ctx, 0);
		return;
	}
	t->paused = false;
	(void)loop_mod(t->l, t->fd, EPOLLIN);
}

int traffic_open(struct loop *l, const char *ifname, uint64_t silence_ms, traffic_fn fn,
		 void *ctx, struct traffic **ret)
{
	struct sockaddr_can addr = { .can_family = AF_CAN };
	struct traffic *t;
	int r;

	addr.can_ifindex = (int)if_nametoindex(ifname);
	if (!addr.can_ifindex)
		return -ENODEV;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	*t = (struct traffic){ .l = l, .fd = -1, .fn = fn, .ctx = ctx };
	t->pause_ms = silence_ms / 4 < TRAFFIC_PAUSE_MIN_MS ? TRAFFIC_PAUSE_MIN_MS : silence_ms / 4;
	t->fd = socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW);
	if (t->fd < 0) {
		r = -errno;
		goto fail;
	}
	if (bind(t->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = -errno;
		goto fail;
	}
	r = loop_timer_new(l, resume, t, &t->resume);
	if (r < 0)
		goto fail;
	r = loop_add(l, t->fd, EPOLLIN, readable, t);
	if (r < 0)
		goto fail;
	*ret = t;
	return 0;
fail:
	loop_timer_free(t->resume);
	if (t->fd >= 0)
		close(t->fd);
	free(t);
	return r;
}

struct traffic *traffic_free(struct traffic *t)
{
	if (!t)
		return NULL;
	loop_timer_free(t->resume);
	loop_del(t->l, t->fd);
	close(t->fd);
	free(t);
	return NULL;
}
