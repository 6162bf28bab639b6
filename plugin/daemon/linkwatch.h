/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Link watching: which CAN interfaces exist and whether they are up, from udev (add/remove, at
 * start an enumeration) and rtnetlink (IFF_UP changes, which udev does not report, and a second,
 * racing report of new and removed links).  Reports every CAN interface; which ones are bays is
 * the caller's business.  Reports may repeat (udev and rtnetlink race): the caller is idempotent.
 */
#ifndef RECALLD_LINKWATCH_H
#define RECALLD_LINKWATCH_H

#include <stdbool.h>

struct loop;
struct linkwatch;

struct linkwatch_ops {
	/* A CAN interface exists; up is its IFF_UP. */
	void (*seen)(void *ctx, const char *ifname, bool up);
	/* A CAN interface was removed. */
	void (*gone)(void *ctx, const char *ifname);
};

/* Subscribes to udev and rtnetlink, then enumerates (an interface created in between is reported
 * twice rather than not at all). */
int linkwatch_new(struct loop *l, const struct linkwatch_ops *ops, void *ctx,
		  struct linkwatch **ret);
/* Report every CAN interface present now (after events were lost). */
int linkwatch_enumerate(struct linkwatch *lw);
struct linkwatch *linkwatch_free(struct linkwatch *lw);

#endif
