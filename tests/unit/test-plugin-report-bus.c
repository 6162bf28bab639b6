/* The bus in the report (plugin/report-bus.c): what can/'s counts become — cause, counts, words
 * in errors[], the reason of a failed check, the German line of the text report — and the JSON
 * round trip the check child's report takes to the daemon. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/can.h>
#include <linux/can/error.h>

#include "can/canlink.h"
#include "plugin/i18n.h"
#include "plugin/recall-internal.h"

static struct recall_report *failed_report(void)
{
	struct recall_report *r = report_new();
	struct recall_fact no_vin;

	assert_non_null(r);
	assert_int_equal(report_set_str(&r->iface, "slcbay1"), 0);
	r->status = RECALL_STATUS_FAILED;
	/* as check.c fails a read: English words and the same as data */
	assert_int_equal(report_fact_init(&no_vin, "no_vin"), 0);
	assert_int_equal(report_fact_add(&no_vin, "ecus", RECALL_PARAM_NUMBER, "0"), 0);
	assert_int_equal(report_set_error_fact(r, "no ECU answered", &no_vin), 0);
	report_fact_done(&no_vin);
	return r;
}

static void feed_ack_errors(struct canlink_errstats *st)
{
	struct can_frame ack = { .can_id = CAN_ERR_FLAG | CAN_ERR_PROT | CAN_ERR_ACK, .len = 8 };
	struct can_frame passive = { .can_id = CAN_ERR_FLAG | CAN_ERR_CRTL, .len = 8 };
	struct can_frame ours = { .can_id = 0x7DF, .len = 8 };

	ack.data[3] = CAN_ERR_PROT_LOC_ACK;
	passive.data[1] = CAN_ERR_CRTL_TX_PASSIVE;
	passive.data[6] = 128;
	canlink_err_init(st);
	for (int i = 0; i < 16; i++) {
		canlink_err_feed(st, &ours, true);
		canlink_err_feed(st, &ack, false);
	}
	canlink_err_feed(st, &passive, false);
}

static void test_no_ack(void **state)
{
	struct recall_report *r = failed_report(), *back = NULL;
	struct recall_render_opts en = { .size = sizeof(en), .language = "en" };
	struct canlink_errstats st;
	char *json, *text;

	(void)state;
	feed_ack_errors(&st);
	/* slcan: no IFF_ECHO, the loopback of our frames proves nothing */
	assert_int_equal(report_note_bus(r, &st, false, false, false), 0);
	assert_non_null(r->bus);
	assert_string_equal(r->bus->cause, "no_ack");
	assert_string_equal(r->bus->state, "error-passive");
	assert_int_equal(r->bus->tx_errors, 128);
	assert_int_equal(r->bus->ack_errors, 16);
	assert_int_equal(r->n_errors, 1);
	assert_string_equal(r->errors[0], "slcbay1: bus: no ECU acknowledged (ACK missing): is a "
					  "car connected, ignition on?");
	/* the English words are the log's; the cause is data beside them */
	assert_non_null(r->error_facts);
	assert_string_equal(r->error_facts[0].code, "bus");
	assert_string_equal(report_fact_get(&r->error_facts[0], "cause"), "no_ack");
	assert_string_equal(report_fact_get(&r->error_facts[0], "iface"), "slcbay1");
	assert_non_null(strstr(r->error, "no ECU acknowledged"));
	assert_non_null(strstr(r->error, "(no ECU answered)"));

	assert_int_equal(recall_report_to_json(r, &json), 0);
	assert_non_null(strstr(json, "\"bus\":{\"cause\":\"no_ack\",\"state\":\"error-passive\""));
	assert_int_equal(recall_report_from_json(json, strlen(json), &back), 0);
	assert_non_null(back->bus);
	assert_string_equal(back->bus->cause, "no_ack");
	assert_int_equal(back->bus->tx_errors, 128);
	assert_int_equal(back->bus->rx_errors, 0);
	assert_int_equal(back->bus->ack_errors, 16);

	assert_non_null(back->error_facts);
	assert_string_equal(report_fact_get(&back->error_facts[0], "cause"), "no_ack");

	/* German (the default), from the catalogue: the cause on its own line, not again under
	 * "Nicht gelesen", and no English word of it anywhere */
	assert_int_equal(recall_report_to_text(back, &text), 0);
	assert_non_null(strstr(text, "\nCAN-Bus:          kein Steuergerät bestätigt (ACK fehlt) — "
				     "Fahrzeug angeschlossen, Zündung an?\n"));
	assert_null(strstr(text, "acknowledged"));
	assert_null(strstr(text, "Nicht gelesen"));
	free(text);
	/* English when asked for */
	assert_int_equal(recall_report_render(back, RECALL_FORMAT_TEXT, &en, &text), 0);
	assert_non_null(strstr(text, "\nCAN bus:          no ECU acknowledged (ACK missing): is a "
				     "car connected, ignition on?\n"));
	assert_null(strstr(text, "Steuergerät"));
	free(text);
	/* the printable page: a row of its facts table, in German */
	assert_int_equal(recall_report_render(back, RECALL_FORMAT_HTML, NULL, &text), 0);
	assert_non_null(strstr(text, "<tr><th>CAN-Bus</th><td>kein Steuergerät bestätigt (ACK "
				     "fehlt) — Fahrzeug angeschlossen, Zündung an?</td></tr>"));
	assert_null(strstr(text, "acknowledged"));
	assert_null(strstr(text, "Nicht gelesen"));
	free(text);
	free(json);
	recall_report_free(back);
	recall_report_free(r);
}

static void test_healthy_and_present(void **state)
{
	struct recall_report *r = failed_report();
	struct canlink_errstats st;
	struct can_frame ours = { .can_id = 0x7DF, .len = 8 };
	char *json;

	(void)state;
	canlink_err_init(&st);
	/* a healthy bus with an answer: nothing is said, "bus" is null */
	assert_int_equal(report_note_bus(r, &st, true, true, false), 0);
	assert_null(r->bus);
	assert_int_equal(recall_report_to_json(r, &json), 0);
	assert_non_null(strstr(json, "\"bus\":null"));
	free(json);
	/* acknowledged (a controller echoes after ACK) but nobody answered: a car, silent */
	canlink_err_feed(&st, &ours, true);
	assert_int_equal(report_note_bus(r, &st, true, false, false), 0);
	assert_string_equal(r->bus->cause, "no_answer");
	assert_null(r->bus->state);		/* no error frame, no state */
	assert_int_equal(r->bus->tx_errors, -1);	/* not reported */
	recall_report_free(r);
	/* removed mid-read */
	r = failed_report();
	assert_int_equal(report_note_bus(r, &st, true, true, true), 0);
	assert_string_equal(r->bus->cause, "adapter_removed");
	/* the same cause set again by the daemon is said once */
	assert_int_equal(report_set_bus_cause(r, "adapter_removed"), 0);
	assert_int_equal(r->n_errors, 1);
	recall_report_free(r);
}

static void test_bad_json(void **state)
{
	static const char *const bad[] = {
		"{\"status\":\"failed\",\"bus\":5}",
		"{\"status\":\"failed\",\"bus\":{\"cause\":7}}",
		"{\"status\":\"failed\",\"bus\":{\"cause\":\"no_ack\",\"tx_errors\":-3}}",
		"{\"status\":\"failed\",\"bus\":{\"cause\":\"no_ack\",\"tx_errors\":70000}}",
		"{\"status\":\"failed\",\"bus\":{\"error_frames\":\"many\"}}",
	};
	struct recall_report *r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = NULL;
		assert_int_equal(recall_report_from_json(bad[i], strlen(bad[i]), &r), -EBADMSG);
		assert_null(r);
	}
	assert_null(report_bus_words(i18n_default(), "nonsense"));
	assert_null(report_bus_words_en(NULL));
}

/* Every cause can/ names has words, and German ones: the catalogue is complete for the bus. */
static void test_every_cause_in_german(void **state)
{
	const struct i18n *de, *en;

	(void)state;
	assert_int_equal(i18n_get("de", &de), 0);
	assert_int_equal(i18n_get("en", &en), 0);
	for (int c = CANLINK_CAUSE_NONE + 1; c < _CANLINK_CAUSE_MAX; c++) {
		const char *code = canlink_cause_name((enum canlink_cause)c);
		const char *w_en = report_bus_words_en(code);

		assert_non_null(w_en);
		assert_string_equal(report_bus_words(en, code), w_en);
		assert_non_null(report_bus_words(de, code));
		assert_string_not_equal(report_bus_words(de, code), w_en);
	}
	assert_string_equal(report_bus_words(de, "bus_off"),
			    "Bus-off: der CAN-Controller hat sich nach zu vielen Fehlern "
			    "abgeschaltet — falsche Bitrate, Kurzschluss oder Verkabelung?");
}

/* A cause from a newer writer: shown as its code (the data), not dropped; the other errors
 * stay under "Not read"; an errors[] entry with a bus cause other than the report's is kept. */
static void test_unknown_cause_and_other_errors(void **state)
{
	static const char json[] =
		"{\"schema_version\":2,\"iface\":\"can0\",\"status\":\"failed\","
		"\"error\":\"x\",\"errors\":[\"can0: bus: something new\",\"late ECU\","
		"\"can0: bus: bus-off\"],\"error_facts\":[{\"code\":\"bus\",\"cause\":"
		"\"ground_loop\"},null,{\"code\":\"bus\",\"cause\":\"bus_off\"}],"
		"\"bus\":{\"cause\":\"ground_loop\"}}";
	struct recall_report *r = NULL;
	char *text;

	(void)state;
	assert_int_equal(recall_report_from_json(json, strlen(json), &r), 0);
	assert_int_equal(recall_report_to_text(r, &text), 0);
	assert_non_null(strstr(text, "\nCAN-Bus:          ground_loop\n"));
	assert_non_null(strstr(text, "Nicht gelesen"));
	assert_non_null(strstr(text, "\n  late ECU\n"));
	assert_non_null(strstr(text, "\n  CAN-Bus: Bus-off: der CAN-Controller"));
	assert_null(strstr(text, "something new"));
	free(text);
	recall_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_ack),
		cmocka_unit_test(test_healthy_and_present),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_every_cause_in_german),
		cmocka_unit_test(test_unknown_cause_and_other_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
