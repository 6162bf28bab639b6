/* A uds11 ECU in the report: written "0x710:0x77A" in JSON and text, read back to the same key
 * (the daemon's child sends its report as JSON); the old hex form of a key still reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "can/ident.h"
#include "plugin/recall-internal.h"

static void test_report_pair(void **state)
{
	struct recall_report *r = report_new(), *back = NULL;
	struct recall_ecu *e;
	char *json = NULL, *text = NULL;

	(void)state;
	assert_non_null(r);
	assert_int_equal(report_add_ecu(r, IDENT_ECU_PAIR(0x710, 0x77A), "gateway", &e), 0);
	assert_int_equal(report_add_ecu(r, 0x61, NULL, &e), 0);
	assert_int_equal(recall_report_to_json(r, &json), 0);
	assert_non_null(strstr(json, "\"addr\":\"0x710:0x77A\""));
	assert_non_null(strstr(json, "\"addr\":\"0x61\""));
	assert_int_equal(recall_report_from_json(json, strlen(json), &back), 0);
	assert_non_null(report_find_ecu(back, IDENT_ECU_PAIR(0x710, 0x77A)));
	assert_non_null(report_find_ecu(back, 0x61));
	assert_int_equal(recall_report_to_text(r, &text), 0);
	assert_non_null(strstr(text, "0x710:0x77A gateway"));
	free(text);
	recall_report_free(back);
	back = NULL;
	/* a key written as plain hex (an older report) reads as the same ECU */
	{
		char *p = strstr(json, "0x710:0x77A\"");

		assert_non_null(p);
		memmove(p + 10, p + 11, strlen(p + 11) + 1);
		memcpy(p, "0x8710077A", 10);
	}
	assert_non_null(strstr(json, "\"addr\":\"0x8710077A\""));
	assert_int_equal(recall_report_from_json(json, strlen(json), &back), 0);
	assert_non_null(report_find_ecu(back, IDENT_ECU_PAIR(0x710, 0x77A)));
	recall_report_free(back);
	free(json);
	recall_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_pair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
