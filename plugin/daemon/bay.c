/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One state machine per bay (CAN interface).  It does no I/O and reads no clock: the daemon feeds
 * it events with the current monotonic time and carries out the action it returns, so the unit
 * tests drive it with a simulated clock, row by row.
 *
 * Decisions that matter in a workshop:
 *  - a check starts on the transition to "up" only, so the udev and rtnetlink reports of the same
 *    interface coming up (they race) start one check, not two;
 *  - bus traffic starts a check only after `silence` without frames; frames seen while a check
 *    runs are ours or the car's answers and only move the silence window, so a check never
 *    triggers itself;
 *  - an interface that vanishes mid-check gets BAY_REMOVE_GRACE_MS for the child to notice
 *    ENODEV and report what it read; after that, and after check_timeout in any case, the child
 *    is killed.
 */
#include <string.h>

#include "plugin/daemon/bay.h"

static const char *const state_names[_BAY_STATE_MAX] = {
	[BAY_ABSENT] = "absent",
	[BAY_DOWN] = "down",
	[BAY_IDLE] = "idle",
	[BAY_CHECKING] = "checking",
};

static const char *const trigger_names[_BAY_TRIGGER_MAX] = {
	[BAY_TRIGGER_NONE] = "none",
	[BAY_TRIGGER_APPEAR] = "appear",
	[BAY_TRIGGER_UP] = "up",
	[BAY_TRIGGER_TRAFFIC] = "traffic",
	[BAY_TRIGGER_REQUEST] = "request",
	[BAY_TRIGGER_PROBE] = "probe",
};

const char *bay_state_name(enum bay_state s)
{
	return (unsigned int)s < _BAY_STATE_MAX ? state_names[s] : NULL;
}

const char *bay_trigger_name(enum bay_trigger t)
{
	return (unsigned int)t < _BAY_TRIGGER_MAX ? trigger_names[t] : NULL;
}

void bay_init(struct bay *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	strncpy(b->name, name, sizeof(b->name) - 1);
}

enum bay_state bay_state(const struct bay *b)
{
	if (b->checking)
		return BAY_CHECKING;
	if (!b->present)
		return BAY_ABSENT;
	return b->up ? BAY_IDLE : BAY_DOWN;
}

static enum bay_action start(struct bay *b, const struct bay_params *p, enum bay_trigger t,
			     uint64_t now)
{
	b->checking = true;
	b->trigger = t;
	b->check_started_ms = now;
	b->deadline_ms = now + p->check_timeout_ms;
	b->removed_during_check = false;
	b->link_lost_during_check = false;
	b->killed = false;
	b->next_probe_ms = 0;
	b->checks++;
	return BAY_ACT_START;
}

static void arm_probe(struct bay *b, const struct bay_params *p, uint64_t now)
{
	b->next_probe_ms = p->probe_interval_ms && b->present && b->up && !b->checking ?
				   now + p->probe_interval_ms : 0;
}

static enum bay_action bay_link(struct bay *b, const struct bay_params *p, bool up, uint64_t now,
			    enum bay_trigger why)
{
	bool was_up = b->present && b->up;

	b->present = true;
	b->up = up;
	if (b->checking) {
		if (!up)
			b->link_lost_during_check = true;
		return BAY_ACT_NONE;
	}
	if (!up) {
		b->next_probe_ms = 0;
		return BAY_ACT_NONE;
	}
	if (was_up)
		return BAY_ACT_NONE;
	if (p->on_appear)
		return start(b, p, why, now);
	arm_probe(b, p, now);
	return BAY_ACT_NONE;
}

enum bay_action bay_handle(struct bay *b, const struct bay_params *p, enum bay_event_type ev,
			   bool up, uint64_t now)
{
	switch (ev) {
	case BAY_EV_PRESENT:
		return bay_link(b, p, up, now, b->present ? BAY_TRIGGER_UP : BAY_TRIGGER_APPEAR);
	case BAY_EV_LINK:
		return bay_link(b, p, up, now, b->present ? BAY_TRIGGER_UP : BAY_TRIGGER_APPEAR);
	case BAY_EV_REMOVED:
		b->present = false;
		b->up = false;
		b->have_traffic = false;
		b->next_probe_ms = 0;
		if (b->checking) {
			b->removed_during_check = true;
			if (b->deadline_ms > now + BAY_REMOVE_GRACE_MS)
				b->deadline_ms = now + BAY_REMOVE_GRACE_MS;
		}
		return BAY_ACT_NONE;
	case BAY_EV_TRAFFIC: {
		bool silent = !b->have_traffic || now - b->last_traffic_ms >= p->silence_ms;

		b->have_traffic = true;
		b->last_traffic_ms = now;
		if (b->checking || !b->present || !b->up || !p->on_traffic || !silent)
			return BAY_ACT_NONE;
		return start(b, p, BAY_TRIGGER_TRAFFIC, now);
	}
	case BAY_EV_REQUEST:
		if (b->checking)
			return BAY_ACT_REFUSE_BUSY;
		if (!b->present || !b->up)
			return BAY_ACT_REFUSE_DOWN;
		return start(b, p, BAY_TRIGGER_REQUEST, now);
	case BAY_EV_TIMER:
		if (b->checking) {
			if (b->deadline_ms && now >= b->deadline_ms) {
				b->deadline_ms = 0;
				b->killed = true;
				return BAY_ACT_KILL;
			}
			return BAY_ACT_NONE;
		}
		if (b->next_probe_ms && now >= b->next_probe_ms && b->present && b->up)
			return start(b, p, BAY_TRIGGER_PROBE, now);
		return BAY_ACT_NONE;
	case BAY_EV_CHECK_DONE:
		if (!b->checking)
			return BAY_ACT_NONE;
		b->checking = false;
		b->deadline_ms = 0;
		/* The check's own frames end now: count them as traffic so they do not look like
		 * a car waking up after silence. */
		b->have_traffic = b->present;
		b->last_traffic_ms = now;
		arm_probe(b, p, now);
		return BAY_ACT_NONE;
	}
	return BAY_ACT_NONE;
}

uint64_t bay_next_timer(const struct bay *b)
{
	if (b->checking)
		return b->deadline_ms;
	return b->next_probe_ms;
}
