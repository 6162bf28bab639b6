/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The controller's state on a bay, as it happens: a CAN_RAW socket that receives no data frames
 * at all (an empty filter) and only the error frames that say the state changed — warning,
 * passive, bus-off, restarted (CAN_ERR_CRTL | CAN_ERR_BUSOFF | CAN_ERR_RESTARTED; not the
 * per-frame bus errors, which can flood).  Needs no capability.
 */
#ifndef RECALLD_BUSWATCH_H
#define RECALLD_BUSWATCH_H

struct loop;
struct buswatch;
struct can_frame;

/* f: one error frame; f NULL: the socket died (-ENODEV/-ENETDOWN in err) — free the watcher. */
typedef void (*buswatch_fn)(void *ctx, const struct can_frame *f, int err);

int buswatch_open(struct loop *l, const char *ifname, buswatch_fn fn, void *ctx,
		  struct buswatch **ret);
struct buswatch *buswatch_free(struct buswatch *w);

#endif
