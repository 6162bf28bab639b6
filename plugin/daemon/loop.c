/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One epoll set, no threads.  A watch is its own small allocation named by epoll's data pointer;
 * removing one marks it dead and parks it until the batch is over, so an event already returned
 * by epoll_wait for a removed (or closed and reused) fd is dropped, never delivered to the wrong
 * owner.  Timers are timerfds (one per timer: a daemon has a handful per bay, not thousands).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include "plugin/daemon/loop.h"

#define LOOP_BATCH 32

struct watch {
	int fd;
	bool dead;
	loop_fn fn;
	void *ctx;
	struct watch *next_dead;
};

struct deferred {
	loop_defer_fn fn;
	void *ctx;
	struct deferred *next;
};

struct loop {
	int epfd;
	bool quit;
	/* indexed by fd; fds are small and dense in a daemon */
	struct watch **by_fd;
	size_t n_by_fd;
	struct watch *dead;
	struct deferred *deferred, **deferred_tail;
};

struct loop_timer {
	struct loop *l;
	int fd;
	loop_timer_fn fn;
	void *ctx;
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int64_t loop_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int loop_new(struct loop **ret)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int r = -errno;

		free(l);
		return r;
	}
	l->deferred_tail = &l->deferred;
	*ret = l;
	return 0;
}

static void reap_dead(struct loop *l)
{
	while (l->dead) {
		struct watch *w = l->dead;

		l->dead = w->next_dead;
		free(w);
	}
}

static void run_deferred(struct loop *l)
{
	/* a deferred function may defer more; those run in this same pass */
	while (l->deferred) {
		struct deferred *d = l->deferred;

		l->deferred = d->next;
		if (!l->deferred)
			l->deferred_tail = &l->deferred;
		d->fn(d->ctx);
		free(d);
	}
}

struct loop *loop_free(struct loop *l)
{
	size_t i;

	if (!l)
		return NULL;
	run_deferred(l);
	for (i = 0; i < l->n_by_fd; i++)
		free(l->by_fd[i]);
	free(l->by_fd);
	reap_dead(l);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l);
	return NULL;
}

int loop_add(struct loop *l, int fd, uint32_t events, loop_fn fn, void *ctx)
{
	struct epoll_event ev = { .events = events };
	struct watch *w;

	if (fd < 0 || !fn)
		return -EINVAL;
	if ((size_t)fd >= l->n_by_fd) {
		size_t n = l->n_by_fd ? l->n_by_fd : 64;
		struct watch **p;

		while (n <= (size_t)fd)
			n *= 2;
		p = realloc(l->by_fd, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		memset(p + l->n_by_fd, 0, (n - l->n_by_fd) * sizeof(*p));
		l->by_fd = p;
		l->n_by_fd = n;
	}
	if (l->by_fd[fd])
		return -EEXIST;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct watch){ .fd = fd, .fn = fn, .ctx = ctx };
	ev.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;

		free(w);
		return r;
	}
	l->by_fd[fd] = w;
	return 0;
}

int loop_mod(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };

	if (fd < 0 || (size_t)fd >= l->n_by_fd || !l->by_fd[fd])
		return -ENOENT;
	ev.data.ptr = l->by_fd[fd];
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void loop_del(struct loop *l, int fd)
{
	struct watch *w;

	if (fd < 0 || (size_t)fd >= l->n_by_fd || !(w = l->by_fd[fd]))
		return;
	(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->by_fd[fd] = NULL;
	w->dead = true;
	w->next_dead = l->dead;
	l->dead = w;
}

int loop_defer(struct loop *l, loop_defer_fn fn, void *ctx)
{
	struct deferred *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->fn = fn;
	d->ctx = ctx;
	*l->deferred_tail = d;
	l->deferred_tail = &d->next;
	return 0;
}

void loop_quit(struct loop *l)
{
	l->quit = true;
}

bool loop_quitting(const struct loop *l)
{
	return l->quit;
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_BATCH];

	while (!l->quit) {
		int n = epoll_wait(l->epfd, evs, LOOP_BATCH, -1), i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n && !l->quit; i++) {
			struct watch *w = evs[i].data.ptr;

			if (!w->dead)
				w->fn(w->ctx, w->fd, evs[i].events);
		}
		run_deferred(l);
		reap_dead(l);
	}
	return 0;
}

/* ---- timers ------------------------------------------------------------------------------- */

static void timer_readable(void *ctx, int fd, uint32_t events)
{
	struct loop_timer *t = ctx;
	uint64_t exp;

	(void)events;
	if (read(fd, &exp, sizeof(exp)) != (ssize_t)sizeof(exp))
		return;		/* re-armed or disarmed since it fired */
	t->fn(t->ctx);
}

int loop_timer_new(struct loop *l, loop_timer_fn fn, void *ctx, struct loop_timer **ret)
{
	struct loop_timer *t = calloc(1, sizeof(*t));
	int r;

	if (!t)
		return -ENOMEM;
	*t = (struct loop_timer){ .l = l, .fn = fn, .ctx = ctx };
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd < 0) {
		r = -errno;
		free(t);
		return r;
	}
	r = loop_add(l, t->fd, EPOLLIN, timer_readable, t);
	if (r < 0) {
		close(t->fd);
		free(t);
		return r;
	}
	*ret = t;
	return 0;
}

void loop_timer_set(struct loop_timer *t, uint64_t when_ms)
{
	struct itimerspec its = { 0 };

	if (when_ms) {
		its.it_value.tv_sec = (time_t)(when_ms / 1000);
		its.it_value.tv_nsec = (long)(when_ms % 1000) * 1000000;
		/* all zero would disarm: a time already due fires at once as 1 ns */
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	(void)timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL);
}

struct loop_timer *loop_timer_free(struct loop_timer *t)
{
	if (!t)
		return NULL;
	loop_del(t->l, t->fd);
	close(t->fd);
	free(t);
	return NULL;
}
