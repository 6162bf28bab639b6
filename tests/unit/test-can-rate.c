/* can/canrate.c: ISO 15765-4 bit-rate detection on a simulated clock.  Each scenario is a list of
 * events at times and the action (and rate) that must follow; the last row says how it ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "can/canlink.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct step {
	enum canrate_event ev;
	uint64_t now;
	enum canrate_action act;
	uint32_t rate;		/* for LISTEN / PROBE / DONE */
};

#define MAX_STEPS 16

static const struct scenario {
	const char *name;
	struct step steps[MAX_STEPS];
	enum canrate_phase end;
	enum canrate_fail fail;
	unsigned int listens, probes;	/* how many of each action: never a probe on a busy bus */
} scenarios[] = {
	{ "a car talking at 500k: heard in the first window, nothing sent",
	  { { CANRATE_EV_START, 0, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_FRAME, 120, CANRATE_ACT_DONE, 500000 } },
	  CANRATE_DONE, 0, 1, 0 },
	{ "a car talking at 250k: errors at 500k, then a valid frame at 250k",
	  { { CANRATE_EV_START, 0, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_ERROR, 10, CANRATE_ACT_NONE },
	    { CANRATE_EV_ERROR, 20, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_FRAME, 60, CANRATE_ACT_DONE, 250000 } },
	  CANRATE_DONE, 0, 2, 0 },
	{ "one stray error is not proof; the window decides",
	  { { CANRATE_EV_START, 0, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_ERROR, 10, CANRATE_ACT_NONE },
	    { CANRATE_EV_TIMER, 500, CANRATE_ACT_NONE },	/* early wake-up: not yet */
	    { CANRATE_EV_FRAME, 700, CANRATE_ACT_DONE, 500000 } },
	  CANRATE_DONE, 0, 1, 0 },
	{ "a bus at 125k: errors at both rates, twice — never transmitted",
	  { { CANRATE_EV_START, 0, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_ERROR, 5, CANRATE_ACT_NONE },
	    { CANRATE_EV_ERROR, 6, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_ERROR, 8, CANRATE_ACT_NONE },
	    { CANRATE_EV_ERROR, 9, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_ERROR, 12, CANRATE_ACT_NONE },
	    { CANRATE_EV_ERROR, 13, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_ERROR, 15, CANRATE_ACT_NONE },
	    { CANRATE_EV_ERROR, 16, CANRATE_ACT_FAIL } },
	  CANRATE_FAILED, CANRATE_FAIL_UNKNOWN_RATE, 4, 0 },
	{ "errors once, then silence: the bus is not silent, still no transmission",
	  { { CANRATE_EV_START, 0, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_ERROR, 5, CANRATE_ACT_NONE },
	    { CANRATE_EV_ERROR, 6, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_TIMER, 1006, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_TIMER, 2006, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_TIMER, 3006, CANRATE_ACT_FAIL } },
	  CANRATE_FAILED, CANRATE_FAIL_UNKNOWN_RATE, 4, 0 },
	{ "silent everywhere: then the OBD request, answered at 500k",
	  { { CANRATE_EV_START, 0, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_TIMER, 1000, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_TIMER, 2000, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_TIMER, 3000, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_TIMER, 4000, CANRATE_ACT_PROBE, 500000 },
	    { CANRATE_EV_FRAME, 4030, CANRATE_ACT_DONE, 500000 } },
	  CANRATE_DONE, 0, 4, 1 },
	{ "silent, probe at 500k not acknowledged, at 250k acknowledged (ECU quiet, but there)",
	  { { CANRATE_EV_START, 0, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_TIMER, 1000, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_TIMER, 2000, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_TIMER, 3000, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_TIMER, 4000, CANRATE_ACT_PROBE, 500000 },
	    { CANRATE_EV_TX_ERROR, 4002, CANRATE_ACT_PROBE, 250000 },
	    { CANRATE_EV_TX_DONE, 4003, CANRATE_ACT_DONE, 250000 } },
	  CANRATE_DONE, 0, 4, 2 },
	{ "nobody at all: both probes fail, silent",
	  { { CANRATE_EV_START, 0, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_TIMER, 1000, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_TIMER, 2000, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_TIMER, 3000, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_TIMER, 4000, CANRATE_ACT_PROBE, 500000 },
	    { CANRATE_EV_ERROR, 4001, CANRATE_ACT_PROBE, 250000 },
	    { CANRATE_EV_TIMER, 4050, CANRATE_ACT_NONE },
	    { CANRATE_EV_TIMER, 4101, CANRATE_ACT_FAIL } },
	  CANRATE_FAILED, CANRATE_FAIL_SILENT, 4, 2 },
	{ "a car waking up during the last listen window is heard, not probed",
	  { { CANRATE_EV_START, 0, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_TIMER, 1000, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_TIMER, 2000, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_TIMER, 3000, CANRATE_ACT_LISTEN, 250000 },
	    { CANRATE_EV_FRAME, 3999, CANRATE_ACT_DONE, 250000 } },
	  CANRATE_DONE, 0, 4, 0 },
	{ "the controller refuses a setting: over, with the reason",
	  { { CANRATE_EV_START, 0, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_LINK_FAILED, 1, CANRATE_ACT_FAIL } },
	  CANRATE_FAILED, CANRATE_FAIL_LINK, 1, 0 },
	{ "events after the end change nothing; a second start neither",
	  { { CANRATE_EV_START, 0, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_FRAME, 10, CANRATE_ACT_DONE, 500000 },
	    { CANRATE_EV_ERROR, 11, CANRATE_ACT_NONE },
	    { CANRATE_EV_TIMER, 5000, CANRATE_ACT_NONE },
	    { CANRATE_EV_START, 5001, CANRATE_ACT_NONE } },
	  CANRATE_DONE, 0, 1, 0 },
	{ "transmit events while listening are impossible and ignored",
	  { { CANRATE_EV_START, 0, CANRATE_ACT_LISTEN, 500000 },
	    { CANRATE_EV_TX_DONE, 10, CANRATE_ACT_NONE },
	    { CANRATE_EV_TX_ERROR, 11, CANRATE_ACT_NONE },
	    { CANRATE_EV_FRAME, 12, CANRATE_ACT_DONE, 500000 } },
	  CANRATE_DONE, 0, 1, 0 },
};

static void test_scenarios(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *s = &scenarios[i];
		unsigned int listens = 0, probes = 0;
		struct canrate r;

		print_message("scenario: %s\n", s->name);
		canrate_init(&r, NULL);
		for (k = 0; k < MAX_STEPS && s->steps[k].ev; k++) {
			const struct step *st = &s->steps[k];
			enum canrate_action a = canrate_handle(&r, st->ev, st->now);

			assert_int_equal(a, st->act);
			if (a == CANRATE_ACT_LISTEN || a == CANRATE_ACT_PROBE ||
			    a == CANRATE_ACT_DONE)
				assert_int_equal(r.rate, st->rate);
			listens += a == CANRATE_ACT_LISTEN;
			probes += a == CANRATE_ACT_PROBE;
			/* while waiting, the machine always names its next deadline */
			if (r.phase == CANRATE_LISTEN || r.phase == CANRATE_PROBE)
				assert_true(canrate_next_timer(&r) > st->now);
			else
				assert_int_equal(canrate_next_timer(&r), 0);
		}
		assert_int_equal(r.phase, s->end);
		assert_int_equal(r.fail, s->fail);
		assert_int_equal(listens, s->listens);
		assert_int_equal(probes, s->probes);
	}
}

static void test_params(void **state)
{
	struct canrate_params p = { { 250000 }, 1, 200, 50, 1, 1 };
	struct canrate r;

	(void)state;
	canrate_init(&r, &p);
	assert_int_equal(canrate_handle(&r, CANRATE_EV_START, 0), CANRATE_ACT_LISTEN);
	assert_int_equal(r.rate, 250000);
	assert_int_equal(canrate_next_timer(&r), 200);
	assert_int_equal(canrate_handle(&r, CANRATE_EV_TIMER, 200), CANRATE_ACT_PROBE);
	assert_int_equal(canrate_next_timer(&r), 250);
	assert_int_equal(canrate_handle(&r, CANRATE_EV_TIMER, 250), CANRATE_ACT_FAIL);
	assert_string_equal(canrate_fail_name(r.fail), "silent");
	/* nonsense parameters fall back to the ISO defaults */
	p.n_rates = 0;
	canrate_init(&r, &p);
	assert_int_equal(r.p.n_rates, 2);
	assert_int_equal(r.p.rates[0], 500000);
	assert_int_equal(r.p.rates[1], 250000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
