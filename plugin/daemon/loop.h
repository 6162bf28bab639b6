/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The daemon's event loop: one epoll set, callbacks per file descriptor, timers, and work
 * deferred to the end of the current batch.  Every other part of recalld registers its fds here
 * and is called back; none of them knows the others.
 */
#ifndef RECALLD_LOOP_H
#define RECALLD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct loop_timer;

/* Called with the epoll events that fired (EPOLLIN, EPOLLOUT, EPOLLHUP, ...). */
typedef void (*loop_fn)(void *ctx, int fd, uint32_t events);
typedef void (*loop_timer_fn)(void *ctx);
typedef void (*loop_defer_fn)(void *ctx);

int loop_new(struct loop **ret);
/* Free timers and remove watches first (their owners do); fds are never closed by the loop. */
struct loop *loop_free(struct loop *l);

/* Watch fd for events; one registration per fd.  Safe to call from a callback. */
int loop_add(struct loop *l, int fd, uint32_t events, loop_fn fn, void *ctx);
int loop_mod(struct loop *l, int fd, uint32_t events);
/* Stop watching fd.  Events of the current batch for it are not delivered any more, so a callback
 * may remove (and its owner free) any watch, its own included. */
void loop_del(struct loop *l, int fd);

/* A one-shot timer on CLOCK_MONOTONIC, in milliseconds of loop_now_ms(). */
int loop_timer_new(struct loop *l, loop_timer_fn fn, void *ctx, struct loop_timer **ret);
/* Fire at when_ms (absolute; one in the past fires at once); 0 disarms. */
void loop_timer_set(struct loop_timer *t, uint64_t when_ms);
struct loop_timer *loop_timer_free(struct loop_timer *t);

/* Run fn(ctx) once after the current batch of events (e.g. to free an object that events of
 * this batch may still name).  -ENOMEM when it cannot be queued. */
int loop_defer(struct loop *l, loop_defer_fn fn, void *ctx);

/* Dispatch until loop_quit; returns 0 or a negative errno from epoll. */
int loop_run(struct loop *l);
void loop_quit(struct loop *l);
bool loop_quitting(const struct loop *l);

/* Monotonic and wall clocks in milliseconds. */
uint64_t loop_now_ms(void);
int64_t loop_wall_ms(void);

#endif
