/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Traffic on a bay: a CAN_RAW socket that only tells that frames flow (a car waking up after
 * silence).  On a busy bus the socket leaves the epoll set and is drained a few times per silence
 * period, so a chatty car costs four wake-ups per `silence`, not one per frame.
 */
#ifndef RECALLD_TRAFFIC_H
#define RECALLD_TRAFFIC_H

#include <stdint.h>

struct loop;
struct traffic;

/* err 0: frames were seen.  err < 0 (-ENODEV, -ENETDOWN): the socket is dead; the callee frees
 * the watcher (it may, from inside the callback) and opens a new one when the link is back. */
typedef void (*traffic_fn)(void *ctx, int err);

int traffic_open(struct loop *l, const char *ifname, uint64_t silence_ms, traffic_fn fn,
		 void *ctx, struct traffic **ret);
struct traffic *traffic_free(struct traffic *t);

#endif
