/* SPDX-License-Identifier: MIT */
/*
 * Bit-rate detection (ISO 15765-4, initialisation of external test equipment), as a state
 * machine without I/O or clock: the caller configures the controller, sends the probe and feeds
 * back what the bus did, with the time.  Unit-tested on a simulated clock (test-can-rate.c).
 *
 *   LISTEN(rate)  listen-only: valid frame -> DONE(rate); errors_needed error frames -> next
 *                 rate at once (traffic at another rate); window over, silent -> next rate.
 *                 After the last rate: another round while rounds are left; then, if any
 *                 errors were seen, FAIL(unknown rate) — the bus is not silent, so we never
 *                 transmit; if every window was silent, PROBE the first rate.
 *   PROBE(rate)   one-shot OBD request: an answer or its acknowledgement -> DONE(rate); a
 *                 transmit error, an error frame or no reaction within probe_ms -> next rate;
 *                 after the last: FAIL(silent).
 * A link the caller could not configure ends it: FAIL(link).
 */
#include <string.h>

#include "can/canlink.h"

static const char *const fail_names[] = {
	[CANRATE_FAIL_NONE] = "none",
	[CANRATE_FAIL_UNKNOWN_RATE] = "unknown-rate",
	[CANRATE_FAIL_SILENT] = "silent",
	[CANRATE_FAIL_LINK] = "link",
};

const char *canrate_fail_name(enum canrate_fail f)
{
	return (unsigned int)f < sizeof(fail_names) / sizeof(fail_names[0]) ? fail_names[f] :
									       "unknown";
}

void canrate_init(struct canrate *r, const struct canrate_params *p)
{
	static const struct canrate_params def = CANRATE_PARAMS_DEFAULT;

	memset(r, 0, sizeof(*r));
	r->p = p ? *p : def;
	if (r->p.n_rates == 0 || r->p.n_rates > sizeof(r->p.rates) / sizeof(r->p.rates[0]))
		r->p = def;
	if (!r->p.errors_needed)
		r->p.errors_needed = 1;
	if (!r->p.rounds)
		r->p.rounds = 1;
	r->phase = CANRATE_IDLE;
}

static enum canrate_action listen_at(struct canrate *r, unsigned int idx, uint64_t now)
{
	r->phase = CANRATE_LISTEN;
	r->idx = idx;
	r->errors = 0;
	r->rate = r->p.rates[idx];
	r->deadline_ms = now + r->p.listen_ms;
	return CANRATE_ACT_LISTEN;
}

static enum canrate_action probe_at(struct canrate *r, unsigned int idx, uint64_t now)
{
	r->phase = CANRATE_PROBE;
	r->idx = idx;
	r->rate = r->p.rates[idx];
	r->deadline_ms = now + r->p.probe_ms;
	return CANRATE_ACT_PROBE;
}

static enum canrate_action done(struct canrate *r)
{
	r->phase = CANRATE_DONE;
	r->deadline_ms = 0;
	return CANRATE_ACT_DONE;
}

static enum canrate_action failed(struct canrate *r, enum canrate_fail why)
{
	r->phase = CANRATE_FAILED;
	r->deadline_ms = 0;
	r->fail = why;
	r->rate = 0;
	return CANRATE_ACT_FAIL;
}

/* The current listen window is over (silent or disproved): the next rate, round or phase. */
static enum canrate_action next_listen(struct canrate *r, uint64_t now)
{
	if (r->idx + 1 < r->p.n_rates)
		return listen_at(r, r->idx + 1, now);
	if (++r->round < r->p.rounds)
		return listen_at(r, 0, now);
	if (r->traffic_seen)
		return failed(r, CANRATE_FAIL_UNKNOWN_RATE);
	return probe_at(r, 0, now);
}

static enum canrate_action next_probe(struct canrate *r, uint64_t now)
{
	if (r->idx + 1 < r->p.n_rates)
		return probe_at(r, r->idx + 1, now);
	return failed(r, CANRATE_FAIL_SILENT);
}

enum canrate_action canrate_handle(struct canrate *r, enum canrate_event ev, uint64_t now)
{
	if (ev == CANRATE_EV_START) {
		if (r->phase != CANRATE_IDLE)
			return CANRATE_ACT_NONE;
		r->round = 0;
		r->traffic_seen = false;
		return listen_at(r, 0, now);
	}
	if (r->phase != CANRATE_LISTEN && r->phase != CANRATE_PROBE)
		return CANRATE_ACT_NONE;
	if (ev == CANRATE_EV_LINK_FAILED)
		return failed(r, CANRATE_FAIL_LINK);

	if (r->phase == CANRATE_LISTEN) {
		switch (ev) {
		case CANRATE_EV_FRAME:
			return done(r);
		case CANRATE_EV_ERROR:
			r->traffic_seen = true;
			if (++r->errors >= r->p.errors_needed)
				return next_listen(r, now);
			return CANRATE_ACT_NONE;
		case CANRATE_EV_TIMER:
			if (now < r->deadline_ms)
				return CANRATE_ACT_NONE;
			return next_listen(r, now);
		default:
			/* a listen-only controller cannot have transmitted */
			return CANRATE_ACT_NONE;
		}
	}
	switch (ev) {
	case CANRATE_EV_FRAME:
	case CANRATE_EV_TX_DONE:
		return done(r);
	case CANRATE_EV_TX_ERROR:
	case CANRATE_EV_ERROR:
		return next_probe(r, now);
	case CANRATE_EV_TIMER:
		if (now < r->deadline_ms)
			return CANRATE_ACT_NONE;
		return next_probe(r, now);
	default:
		return CANRATE_ACT_NONE;
	}
}

uint64_t canrate_next_timer(const struct canrate *r)
{
	return r->phase == CANRATE_LISTEN || r->phase == CANRATE_PROBE ? r->deadline_ms : 0;
}
