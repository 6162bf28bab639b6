/* Reports: JSON round trip, the technician text, the files, and rows of malformed report JSON that
 * must be refused (the daemon parses what a check child sends). */
#include <errno.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "plugin/recall-internal.h"

static struct recall_report *sample(void)
{
	struct recall_report *r = report_new();
	struct recall_ecu *e;
	static const uint8_t bin[] = { 0x12, 0x09, 0x17 };

	assert_non_null(r);
	assert_int_equal(report_set_str(&r->iface, "vcan3"), 0);
	assert_int_equal(report_set_str(&r->vin, "WBY1Z41060V512345"), 0);
	assert_int_equal(report_set_str(&r->addressing, "bmw"), 0);
	r->started_ms = 1764034200123;
	r->finished_ms = 1764034200456;
	assert_int_equal(report_add_ecu(r, 0x61, "TCB", &e), 0);
	assert_int_equal(report_add_did(e, 0xF189, "11.0.2", 6), 0);
	assert_int_equal(report_add_did(e, 0xF18B, bin, sizeof(bin)), 0);
	assert_int_equal(report_add_ecu(r, 0x40, NULL, NULL), 0);
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){
		.id = "0061950600", .title = "ConnectedDrive – Telematik",
		.text = "Software der Telematikeinheit aktualisieren.\nZeile 2",
		.verdict = RECALL_VERDICT_OPEN, .reason = "0x61:F189 \"11.0.2\" < \"15.2.0\"",
		.remedy = "Online-Aktualisierung.", .remedy_kind = "ota",
		.recognition = "hotline", .recognition_text = "Nicht erkennbar.",
		.hotline = "0 89/ 1 25 01 60 10" }), 0);
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){
		.id = "0032580900", .title = "Generator", .verdict = RECALL_VERDICT_REMEDIED,
		.evidence = "0x12:F189 \"2.0\" >= \"2.0\"" }), 0);
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){
		.id = "X1", .title = "Lenkgetriebe", .text = "Prüfen.",
		.verdict = RECALL_VERDICT_UNDETERMINED, .reason = "0x12 did not answer" }), 0);
	/* an empty field is "not given", the same as NULL; a campaign needs its id */
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){ .id = "",
		.verdict = RECALL_VERDICT_OPEN }), -EINVAL);
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){ .id = "X2",
		.verdict = _RECALL_VERDICT_MAX }), -EINVAL);
	assert_int_equal(report_add_error(r, "vcan0: ECU 0x12: read-did F187: no answer within "
					  "50 ms"), 0);
	return r;
}

static void test_roundtrip(void **state)
{
	struct recall_report *r = sample(), *back = NULL;
	char *json, *json2;

	(void)state;
	assert_int_equal(recall_report_to_json(r, &json), 0);
	assert_non_null(strstr(json, "\"verdict\":\"open\""));
	assert_non_null(strstr(json, "\"text\":\"11.0.2\""));
	assert_non_null(strstr(json, "\"hex\":\"120917\""));
	assert_non_null(strstr(json, "\"summary\":{\"open\":1,\"inspect\":0,\"remedied\":1,"
				     "\"not_affected\":0,\"undetermined\":1}"));
	assert_non_null(strstr(json, "\"remedy_kind\":\"ota\",\"recognition\":\"hotline\""));
	assert_non_null(strstr(json, "\"evidence\":\"0x12:F189"));
	assert_non_null(strstr(json, "\"errors\":[\"vcan0: ECU 0x12: read-did F187"));
	assert_null(strstr(json, "\"title\":\"\""));
	assert_int_equal(recall_report_from_json(json, strlen(json), &back), 0);
	assert_int_equal(recall_report_to_json(back, &json2), 0);
	assert_string_equal(json, json2);
	assert_int_equal(back->ecus[0].dids[1].len, 3);
	assert_int_equal(back->ecus[0].dids[1].data[2], 0x17);
	assert_int_equal(back->n_errors, 1);
	assert_string_equal(back->campaigns[0].hotline, "0 89/ 1 25 01 60 10");
	assert_int_equal(back->campaigns[2].verdict, RECALL_VERDICT_UNDETERMINED);
	free(json);
	free(json2);
	recall_report_free(back);
	recall_report_free(r);
	assert_null(recall_report_free(NULL));
}

static void test_text(void **state)
{
	struct recall_report *r = sample();
	char *t, *line;

	(void)state;
	r->status = RECALL_STATUS_INTERRUPTED;
	assert_int_equal(report_set_str(&r->error, "vcan3: interface removed"), 0);
	assert_int_equal(recall_report_to_text(r, &t), 0);
	assert_non_null(strstr(t, "Fahrzeug (FIN):  WBY1Z41060V512345"));
	assert_non_null(strstr(t, "ABGEBROCHEN (interrupted)"));
	assert_non_null(strstr(t, "[OFFEN] (open) 0061950600 – ConnectedDrive – Telematik"));
	assert_non_null(strstr(t, "    Mangel:\n      Software der Telematikeinheit aktualisieren.\n"
				  "      Zeile 2\n"));
	assert_non_null(strstr(t, "    Abhilfe (ota):\n      Online-Aktualisierung.\n"));
	assert_non_null(strstr(t, "    Hotline: 0 89/ 1 25 01 60 10\n"));
	assert_non_null(strstr(t, "Nachweis: 0x12:F189"));
	assert_non_null(strstr(t, "Nicht gelesen\n-------------\n  vcan0: ECU 0x12: read-did F187"));
	assert_non_null(strstr(t, "F18B = 120917 (hex)"));
	/* open before undetermined before remedied, whatever the order in the report */
	assert_true(strstr(t, "[OFFEN]") < strstr(t, "[UNKLAR]"));
	assert_true(strstr(t, "[UNKLAR]") < strstr(t, "[ERLEDIGT]"));
	assert_int_equal(report_summary_line(r, &line), 0);
	assert_string_equal(line, "vcan3: VIN WBY1Z41060V512345: interrupted (vcan3: interface "
				  "removed): 1 open, 0 inspect, 1 undetermined, 1 remedied");
	free(line);
	free(t);
	recall_report_free(r);
}

static void test_save(void **state)
{
	struct recall_report *r = sample();
	char dir[] = "/tmp/test-plugin-report-XXXXXX", path[512], *base;
	struct dirent *de;
	unsigned int files = 0;
	DIR *d;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(report_save(r, dir, 7, &base), 0);
	assert_string_equal(base, "vcan3-20251125T013000Z-7");
	snprintf(path, sizeof(path), "%s/%s.json", dir, base);
	f = fopen(path, "r");
	assert_non_null(f);
	fclose(f);
	d = opendir(dir);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		/* no temporary file may stay behind */
		assert_null(strstr(de->d_name, ".tmp"));
		files++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	assert_int_equal(files, 2);
	assert_int_equal(rmdir(dir), 0);
	/* a missing directory is an error, not a crash */
	assert_int_equal(report_save(r, "/nonexistent/dir", 1, NULL), -ENOENT);
	assert_int_equal(report_write_file("/tmp", "../x", "a", 1), -EINVAL);
	free(base);
	recall_report_free(r);
}

static const struct bad_case {
	const char *json;
	int ret;
} bad[] = {
	{ "", -EBADMSG },
	{ "{}", -EBADMSG },
	{ "{\"status\":\"done\"}", -EBADMSG },
	{ "{\"status\":\"complete\"} trailing", -EBADMSG },
	{ "{\"status\":\"complete\",\"vin\":5}", -EBADMSG },
	{ "{\"status\":\"complete\",\"started_ms\":\"x\"}", -EBADMSG },
	{ "{\"status\":\"complete\",\"ecus\":{}}", -EBADMSG },
	{ "{\"status\":\"complete\",\"ecus\":[{\"addr\":\"zz\"}]}", -EBADMSG },
	{ "{\"status\":\"complete\",\"ecus\":[{\"addr\":\"-1\"}]}", -EBADMSG },
	{ "{\"status\":\"complete\",\"ecus\":[{\"addr\":\"0x61\",\"dids\":[{\"did\":\"F189\","
	  "\"hex\":\"3\"}]}]}", -EBADMSG },
	{ "{\"status\":\"complete\",\"ecus\":[{\"addr\":\"0x61\",\"dids\":[{\"did\":\"1F189\","
	  "\"hex\":\"33\"}]}]}", -EBADMSG },
	{ "{\"status\":\"complete\",\"campaigns\":[{\"id\":\"a\",\"verdict\":\"maybe\"}]}",
	  -EBADMSG },
	{ "{\"status\":\"complete\",\"campaigns\":[{\"verdict\":\"open\"}]}", -EBADMSG },
	{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", -EBADMSG },
	/* good minimal rows */
	{ "{\"status\":\"failed\",\"error\":\"no answer\"}", 0 },
	{ "{\"status\":\"complete\",\"ecus\":[{\"addr\":\"0x7E0\",\"dids\":[]}],\"new\":1}", 0 },
};

static void test_bad_json(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct recall_report *r = (struct recall_report *)(uintptr_t)1;
		int ret = recall_report_from_json(bad[i].json, strlen(bad[i].json), &r);

		if (ret != bad[i].ret)
			fail_msg("row %zu: got %d want %d", i, ret, bad[i].ret);
		if (ret < 0)
			assert_ptr_equal(r, (struct recall_report *)(uintptr_t)1);
		else
			recall_report_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_save),
		cmocka_unit_test(test_bad_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
