/* The per-bay state machine with a simulated clock: each row is a scenario, each step an event at
 * a time and the action and state that must follow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "plugin/daemon/bay.h"

/* Scenarios leave the removed/killed columns out when false. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct step {
	enum bay_event_type ev;
	bool up;
	uint64_t now;
	enum bay_action act;
	enum bay_state state;
};

#define MAX_STEPS 12
#define P_DEFAULT { .on_appear = true, .on_traffic = true, .silence_ms = 5000, \
		    .probe_interval_ms = 0, .check_timeout_ms = 60000 }

static const struct scenario {
	const char *name;
	struct bay_params p;
	struct step steps[MAX_STEPS];
	enum bay_trigger last_trigger;
	bool removed, killed;
} scenarios[] = {
	{ "appears up: one check, the racing link-up report does not start a second",
	  P_DEFAULT,
	  { { BAY_EV_PRESENT, true, 100, BAY_ACT_START, BAY_CHECKING },
	    { BAY_EV_LINK, true, 110, BAY_ACT_NONE, BAY_CHECKING },
	    { BAY_EV_CHECK_DONE, true, 900, BAY_ACT_NONE, BAY_IDLE },
	    { BAY_EV_LINK, true, 950, BAY_ACT_NONE, BAY_IDLE } },
	  BAY_TRIGGER_APPEAR },
	{ "appears down, then comes up",
	  P_DEFAULT,
	  { { BAY_EV_PRESENT, false, 100, BAY_ACT_NONE, BAY_DOWN },
	    { BAY_EV_LINK, true, 200, BAY_ACT_START, BAY_CHECKING } },
	  BAY_TRIGGER_UP },
	{ "on_appear off: no check on up, explicit request works",
	  { .on_appear = false, .on_traffic = false, .silence_ms = 5000,
	    .check_timeout_ms = 60000 },
	  { { BAY_EV_PRESENT, true, 100, BAY_ACT_NONE, BAY_IDLE },
	    { BAY_EV_TRAFFIC, true, 200, BAY_ACT_NONE, BAY_IDLE },
	    { BAY_EV_REQUEST, true, 300, BAY_ACT_START, BAY_CHECKING },
	    { BAY_EV_REQUEST, true, 301, BAY_ACT_REFUSE_BUSY, BAY_CHECKING } },
	  BAY_TRIGGER_REQUEST },
	{ "requests on absent and down bays are refused",
	  P_DEFAULT,
	  { { BAY_EV_REQUEST, true, 100, BAY_ACT_REFUSE_DOWN, BAY_ABSENT },
	    { BAY_EV_PRESENT, false, 200, BAY_ACT_NONE, BAY_DOWN },
	    { BAY_EV_REQUEST, true, 300, BAY_ACT_REFUSE_DOWN, BAY_DOWN } },
	  BAY_TRIGGER_NONE },
	{ "traffic after silence starts a check; the check's own frames do not",
	  { .on_appear = false, .on_traffic = true, .silence_ms = 5000,
	    .check_timeout_ms = 60000 },
	  { { BAY_EV_PRESENT, true, 0, BAY_ACT_NONE, BAY_IDLE },
	    { BAY_EV_TRAFFIC, true, 1000, BAY_ACT_START, BAY_CHECKING },
	    { BAY_EV_TRAFFIC, true, 1100, BAY_ACT_NONE, BAY_CHECKING },
	    { BAY_EV_CHECK_DONE, true, 2000, BAY_ACT_NONE, BAY_IDLE },
	    { BAY_EV_TRAFFIC, true, 2100, BAY_ACT_NONE, BAY_IDLE },
	    { BAY_EV_TRAFFIC, true, 6000, BAY_ACT_NONE, BAY_IDLE },
	    /* 5000 ms of silence after the frame at 6000 */
	    { BAY_EV_TRAFFIC, true, 11000, BAY_ACT_START, BAY_CHECKING } },
	  BAY_TRIGGER_TRAFFIC },
	{ "traffic just short of the silence does not trigger",
	  { .on_appear = false, .on_traffic = true, .silence_ms = 5000,
	    .check_timeout_ms = 60000 },
	  { { BAY_EV_PRESENT, true, 0, BAY_ACT_NONE, BAY_IDLE },
	    { BAY_EV_TRAFFIC, true, 1000, BAY_ACT_START, BAY_CHECKING },
	    { BAY_EV_CHECK_DONE, true, 2000, BAY_ACT_NONE, BAY_IDLE },
	    { BAY_EV_TRAFFIC, true, 6999, BAY_ACT_NONE, BAY_IDLE } },
	  BAY_TRIGGER_TRAFFIC },
	{ "removed mid-check: grace deadline, then kill; report is interrupted",
	  P_DEFAULT,
	  { { BAY_EV_PRESENT, true, 1000, BAY_ACT_START, BAY_CHECKING },
	    { BAY_EV_REMOVED, false, 1500, BAY_ACT_NONE, BAY_CHECKING },
	    { BAY_EV_TIMER, false, 1500 + BAY_REMOVE_GRACE_MS - 1, BAY_ACT_NONE, BAY_CHECKING },
	    { BAY_EV_TIMER, false, 1500 + BAY_REMOVE_GRACE_MS, BAY_ACT_KILL, BAY_CHECKING },
	    { BAY_EV_CHECK_DONE, false, 3600, BAY_ACT_NONE, BAY_ABSENT },
	    { BAY_EV_REQUEST, true, 3700, BAY_ACT_REFUSE_DOWN, BAY_ABSENT } },
	  BAY_TRIGGER_APPEAR, true, true },
	{ "check overstays check_timeout: killed",
	  { .on_appear = true, .check_timeout_ms = 3000, .silence_ms = 5000 },
	  { { BAY_EV_PRESENT, true, 0, BAY_ACT_START, BAY_CHECKING },
	    { BAY_EV_TIMER, true, 2999, BAY_ACT_NONE, BAY_CHECKING },
	    { BAY_EV_TIMER, true, 3000, BAY_ACT_KILL, BAY_CHECKING },
	    { BAY_EV_TIMER, true, 3001, BAY_ACT_NONE, BAY_CHECKING },
	    { BAY_EV_CHECK_DONE, true, 3002, BAY_ACT_NONE, BAY_IDLE } },
	  BAY_TRIGGER_APPEAR, false, true },
	{ "periodic probe on an idle bay, not while down",
	  { .on_appear = false, .probe_interval_ms = 10000, .check_timeout_ms = 60000,
	    .silence_ms = 5000 },
	  { { BAY_EV_PRESENT, true, 0, BAY_ACT_NONE, BAY_IDLE },
	    { BAY_EV_TIMER, true, 9999, BAY_ACT_NONE, BAY_IDLE },
	    { BAY_EV_TIMER, true, 10000, BAY_ACT_START, BAY_CHECKING },
	    { BAY_EV_CHECK_DONE, true, 11000, BAY_ACT_NONE, BAY_IDLE },
	    { BAY_EV_LINK, false, 12000, BAY_ACT_NONE, BAY_DOWN },
	    { BAY_EV_TIMER, false, 21000, BAY_ACT_NONE, BAY_DOWN } },
	  BAY_TRIGGER_PROBE },
	{ "link down mid-check, back up after: a new check for the (maybe new) car",
	  P_DEFAULT,
	  { { BAY_EV_PRESENT, true, 0, BAY_ACT_START, BAY_CHECKING },
	    { BAY_EV_LINK, false, 100, BAY_ACT_NONE, BAY_CHECKING },
	    { BAY_EV_CHECK_DONE, false, 200, BAY_ACT_NONE, BAY_DOWN },
	    { BAY_EV_LINK, true, 300, BAY_ACT_START, BAY_CHECKING } },
	  BAY_TRIGGER_UP },
	{ "removed and re-added: counts as appearing",
	  P_DEFAULT,
	  { { BAY_EV_PRESENT, true, 0, BAY_ACT_START, BAY_CHECKING },
	    { BAY_EV_CHECK_DONE, true, 100, BAY_ACT_NONE, BAY_IDLE },
	    { BAY_EV_REMOVED, false, 200, BAY_ACT_NONE, BAY_ABSENT },
	    { BAY_EV_LINK, true, 300, BAY_ACT_START, BAY_CHECKING } },
	  BAY_TRIGGER_APPEAR },
};

static void test_scenarios(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *s = &scenarios[i];
		struct bay b;

		bay_init(&b, "vcan0");
		for (j = 0; j < MAX_STEPS && s->steps[j].ev; j++) {
			const struct step *st = &s->steps[j];
			enum bay_action a = bay_handle(&b, &s->p, st->ev, st->up, st->now);

			if (a != st->act || bay_state(&b) != st->state)
				fail_msg("%s: step %zu: action %d state %s, want action %d state %s",
					 s->name, j, a, bay_state_name(bay_state(&b)), st->act,
					 bay_state_name(st->state));
			if (b.checking)
				assert_int_equal(bay_next_timer(&b), b.deadline_ms);
		}
		if (b.trigger != s->last_trigger)
			fail_msg("%s: trigger %s want %s", s->name, bay_trigger_name(b.trigger),
				 bay_trigger_name(s->last_trigger));
		assert_int_equal(b.removed_during_check, s->removed);
		assert_int_equal(b.killed, s->killed);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
