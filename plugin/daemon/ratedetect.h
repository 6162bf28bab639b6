/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bit-rate detection on a bay (`bitrate = auto`): can/'s ISO 15765-4 state machine (canrate_*)
 * driven by a real clock and the bay's bus.  This part listens and sends the probe on its own
 * CAN_RAW socket (error frames on); it cannot configure the controller — that needs the link
 * helper, so it asks the wiring (ops->configure) and is told when the link is ready.
 */
#ifndef RECALLD_RATEDETECT_H
#define RECALLD_RATEDETECT_H

#include <stdbool.h>
#include <stdint.h>

#include "can/canlink.h"

struct loop;
struct ratedetect;

struct ratedetect_ops {
	/* Set the link to `rate`: listen-only, or normal with one-shot transmission (the probe);
	 * answer with ratedetect_configured(). */
	void (*configure)(void *ctx, uint32_t rate, bool listen_only);
	/* Over: the rate (0 when it failed, fail says why).  Free the detector later (loop_defer),
	 * not from inside this callback. */
	void (*done)(void *ctx, uint32_t rate, enum canrate_fail fail);
};

int ratedetect_start(struct loop *l, const char *ifname, const struct ratedetect_ops *ops,
		     void *ctx, struct ratedetect **ret);
/* The link is as asked (err 0) or could not be set (err < 0). */
void ratedetect_configured(struct ratedetect *rd, int err);
struct ratedetect *ratedetect_free(struct ratedetect *rd);

#endif
