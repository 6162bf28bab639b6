/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One bay's state machine (bay.c): free of I/O and clocks, so the unit tests drive it with a
 * simulated clock.  The daemon feeds it events with the monotonic time and carries out the action
 * it returns.
 */
#ifndef RECALLD_BAY_H
#define RECALLD_BAY_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

enum bay_state {
	BAY_ABSENT = 0,		/* configured glob, interface not present (or gone) */
	BAY_DOWN,		/* present, link down */
	BAY_IDLE,		/* up, no check running */
	BAY_CHECKING,		/* a check child runs */
	_BAY_STATE_MAX
};

enum bay_event_type {
	BAY_EV_PRESENT = 1,	/* appeared or seen again; up = link state (0: no event) */
	BAY_EV_LINK,		/* link state changed; up */
	BAY_EV_REMOVED,
	BAY_EV_TRAFFIC,		/* a frame was seen on the bus */
	BAY_EV_REQUEST,		/* explicit check request */
	BAY_EV_TIMER,		/* the bay's timer fired */
	BAY_EV_CHECK_DONE,	/* the check child finished (whatever the result) */
};

enum bay_action {
	BAY_ACT_NONE = 0,
	BAY_ACT_START,		/* start a check now */
	BAY_ACT_KILL,		/* the running check overstayed its deadline: kill it */
	BAY_ACT_REFUSE_BUSY,	/* explicit request while checking */
	BAY_ACT_REFUSE_DOWN,	/* explicit request while absent or down */
};

enum bay_trigger {
	BAY_TRIGGER_NONE = 0,
	BAY_TRIGGER_APPEAR,
	BAY_TRIGGER_UP,
	BAY_TRIGGER_TRAFFIC,
	BAY_TRIGGER_REQUEST,
	BAY_TRIGGER_PROBE,
	_BAY_TRIGGER_MAX
};

/* How long a check may run on after its interface vanished before it is killed. */
#define BAY_REMOVE_GRACE_MS 2000

struct bay_params {
	bool on_appear;
	bool on_traffic;
	uint64_t silence_ms;
	uint64_t probe_interval_ms;
	uint64_t check_timeout_ms;
};

struct bay {
	char name[IFNAMSIZ];
	bool present, up, checking;	/* bay_state() derives the state word from these */
	enum bay_trigger trigger;	/* why the running (or last) check started */
	bool removed_during_check;	/* the check's report must say interrupted */
	bool link_lost_during_check;	/* the link went down while checking */
	bool killed;			/* the check was killed after its deadline */
	bool have_traffic;		/* last_traffic_ms is meaningful */
	uint64_t last_traffic_ms;
	uint64_t check_started_ms;
	uint64_t deadline_ms;		/* while checking: when to kill; 0 = none */
	uint64_t next_probe_ms;		/* while idle with probing on; 0 = none */
	unsigned int checks;		/* checks started on this bay */
};

void bay_init(struct bay *b, const char *name);
enum bay_action bay_handle(struct bay *b, const struct bay_params *p, enum bay_event_type ev,
			   bool up, uint64_t now_ms);
/* Earliest time the bay wants BAY_EV_TIMER, 0 = none. */
uint64_t bay_next_timer(const struct bay *b);
enum bay_state bay_state(const struct bay *b);
const char *bay_state_name(enum bay_state s);
const char *bay_trigger_name(enum bay_trigger t);

#endif
