/* can/canerr.c: CAN error frames as the kernel's drivers send them (sja1000, slcan), and the one
 * cause each sequence must give.  A row is a sequence of frames and the cause. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <linux/can.h>
#include <linux/can/error.h>

#include "can/canlink.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* One frame: id (CAN_ERR_FLAG for error frames), data[1..3], counters, local (echo of ours). */
struct fr {
	canid_t id;
	uint8_t d1, d2, d3;
	uint8_t tx, rx;
	bool local;
	unsigned int repeat;	/* 0 = once */
};

#define ERR(x) (CAN_ERR_FLAG | (x))
/* slcan 'e1a': ACK error */
#define SLCAN_ACK { ERR(CAN_ERR_PROT | CAN_ERR_BUSERROR | CAN_ERR_ACK), 0, 0, CAN_ERR_PROT_LOC_ACK }
#define SJA_STUFF { ERR(CAN_ERR_PROT | CAN_ERR_BUSERROR), 0, CAN_ERR_PROT_STUFF, \
		    CAN_ERR_PROT_LOC_DATA }
#define SLCAN_CRC { ERR(CAN_ERR_PROT | CAN_ERR_BUSERROR), 0, CAN_ERR_PROT_BIT, \
		    CAN_ERR_PROT_LOC_CRC_SEQ }
#define FORM { ERR(CAN_ERR_PROT | CAN_ERR_BUSERROR), 0, CAN_ERR_PROT_FORM }
#define WARN_TX(t, r) { ERR(CAN_ERR_CRTL), CAN_ERR_CRTL_TX_WARNING, 0, 0, t, r }
#define PASSIVE_TX(t, r) { ERR(CAN_ERR_CRTL), CAN_ERR_CRTL_TX_PASSIVE, 0, 0, t, r }
#define PASSIVE_RX(t, r) { ERR(CAN_ERR_CRTL), CAN_ERR_CRTL_RX_PASSIVE, 0, 0, t, r }
#define BUSOFF { ERR(CAN_ERR_BUSOFF) }
#define RESTARTED { ERR(CAN_ERR_RESTARTED) }
#define OVERFLOW { ERR(CAN_ERR_CRTL), CAN_ERR_CRTL_RX_OVERFLOW }
#define OURS { 0x7DF, 0, 0, 0, 0, 0, true }
#define THEIRS { 0x7E8 }

#define MAX_FR 12

static const struct row {
	const char *name;
	struct fr frames[MAX_FR];
	bool acked_means_present, answered;
	enum canlink_cause cause;
	enum canlink_state worst;
} rows[] = {
	{ "healthy: our request acknowledged and answered", { OURS, THEIRS }, true, true,
	  CANLINK_CAUSE_NONE, CANLINK_STATE_ERROR_ACTIVE },
	{ "no car (slcan): ACK errors, warning, passive at 128, nothing echoed",
	  { SLCAN_ACK, SLCAN_ACK, WARN_TX(96, 0), SLCAN_ACK, PASSIVE_TX(128, 0) }, true, false,
	  CANLINK_CAUSE_NO_ACK, CANLINK_STATE_ERROR_PASSIVE },
	{ "no car (sja1000 with bus-error reporting): errors in the ACK slot",
	  { { ERR(CAN_ERR_PROT | CAN_ERR_BUSERROR), 0, CAN_ERR_PROT_TX, CAN_ERR_PROT_LOC_ACK,
	      0, 0, false, 5 } }, true,
	  false, CANLINK_CAUSE_NO_ACK, CANLINK_STATE_ERROR_ACTIVE },
	{ "no car (sja1000 without bus-error reporting): only the states, tx counter ahead",
	  { WARN_TX(96, 0), PASSIVE_TX(128, 0) }, true, false, CANLINK_CAUSE_NO_ACK,
	  CANLINK_STATE_ERROR_PASSIVE },
	{ "car present, silent: acknowledged, no answer, no errors", { OURS, OURS }, true, false,
	  CANLINK_CAUSE_NO_ANSWER, CANLINK_STATE_ERROR_ACTIVE },
	{ "vcan: an echo proves nothing — no claim of a car", { OURS }, false, false,
	  CANLINK_CAUSE_NONE, CANLINK_STATE_ERROR_ACTIVE },
	{ "no car on slcan: frames looped back when queued (no IFF_ECHO), ACK errors",
	  { OURS, SLCAN_ACK, OURS, SLCAN_ACK, PASSIVE_TX(128, 0) }, false, false,
	  CANLINK_CAUSE_NO_ACK, CANLINK_STATE_ERROR_PASSIVE },
	{ "the same on a controller that echoes after ACK: acknowledged, so not 'no car'",
	  { OURS, SLCAN_ACK, OURS }, true, false, CANLINK_CAUSE_NO_ANSWER,
	  CANLINK_STATE_ERROR_ACTIVE },
	{ "wrong bit rate: stuff, CRC and form errors while receiving, no valid frame",
	  { SJA_STUFF, SLCAN_CRC, FORM, PASSIVE_RX(0, 128) }, true, false,
	  CANLINK_CAUSE_BITRATE, CANLINK_STATE_ERROR_PASSIVE },
	{ "a single receive error among valid frames is not a rate problem",
	  { THEIRS, SJA_STUFF, THEIRS }, true, true, CANLINK_CAUSE_NONE,
	  CANLINK_STATE_ERROR_ACTIVE },
	{ "bus-off, then recovered by restart-ms: still reported as bus-off",
	  { PASSIVE_TX(128, 0), BUSOFF, RESTARTED, OURS, THEIRS }, true, true,
	  CANLINK_CAUSE_BUS_OFF, CANLINK_STATE_BUS_OFF },
	{ "error-passive with frames flowing: wiring or termination",
	  { THEIRS, PASSIVE_RX(10, 130), THEIRS, OURS }, true, true,
	  CANLINK_CAUSE_ERROR_PASSIVE, CANLINK_STATE_ERROR_PASSIVE },
	{ "controller overflow", { THEIRS, OVERFLOW }, true, true, CANLINK_CAUSE_CONTROLLER,
	  CANLINK_STATE_ERROR_ACTIVE },
	{ "ACK errors but something answered: not 'no car'", { SLCAN_ACK, THEIRS }, true, true,
	  CANLINK_CAUSE_NONE, CANLINK_STATE_ERROR_ACTIVE },
};

static void feed(struct canlink_errstats *s, const struct fr *f)
{
	struct can_frame cf = { .can_id = f->id, .len = (f->id & CAN_ERR_FLAG) ? CAN_ERR_DLC : 8 };
	unsigned int n;

	cf.data[1] = f->d1;
	cf.data[2] = f->d2;
	cf.data[3] = f->d3;
	cf.data[6] = f->tx;
	cf.data[7] = f->rx;
	for (n = 0; n <= f->repeat; n++)
		canlink_err_feed(s, &cf, f->local);
}

static void test_rows(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct canlink_errstats s;
		enum canlink_cause c;

		print_message("row: %s\n", r->name);
		canlink_err_init(&s);
		for (k = 0; k < MAX_FR && (r->frames[k].id || r->frames[k].local); k++)
			feed(&s, &r->frames[k]);
		c = canlink_err_cause(&s, r->acked_means_present, r->answered);
		assert_string_equal(canlink_cause_name(c), canlink_cause_name(r->cause));
		assert_string_equal(canlink_state_name(s.worst), canlink_state_name(r->worst));
	}
}

static void test_counts(void **state)
{
	struct canlink_errstats s;
	struct fr busoff = BUSOFF, passive = PASSIVE_TX(128, 0), ack = SLCAN_ACK;
	struct can_frame shortf = { .can_id = CAN_ERR_FLAG | CAN_ERR_CRTL, .len = 2 };

	(void)state;
	canlink_err_init(&s);
	feed(&s, &ack);
	feed(&s, &passive);
	assert_int_equal(s.ack, 1);
	assert_int_equal(s.error_frames, 2);
	assert_true(s.have_counters);
	assert_int_equal(s.tx_errors, 128);
	assert_int_equal(s.rx_errors, 0);
	assert_int_equal(s.state, CANLINK_STATE_ERROR_PASSIVE);
	feed(&s, &busoff);
	assert_int_equal(s.state, CANLINK_STATE_BUS_OFF);
	assert_int_equal(s.bus_off, 1);
	/* an error frame shorter than CAN_ERR_DLC reads as zeros, nothing past its end */
	shortf.data[1] = CAN_ERR_CRTL_TX_PASSIVE;
	canlink_err_feed(&s, &shortf, false);
	assert_int_equal(s.error_frames, 4);
	assert_int_equal(s.passive, 1);
	assert_string_equal(canlink_cause_name(CANLINK_CAUSE_ADAPTER_REMOVED), "adapter_removed");
	assert_string_equal(canlink_cause_name(_CANLINK_CAUSE_MAX), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
