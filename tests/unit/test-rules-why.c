/* Reasons as data (rdb_result.reason_code, why[]), one row per rule: a small campaign, a vehicle,
 * the reason code and the facts that must come out — in the same selection as the English
 * string (the failing operand of an `and`, the holding one of an `or`, the first unknown, or all
 * of them).  And the campaign flags do_not_drive / park_outside through compiler and reader. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rules/rdb.h"
#include "rules/rule.h"

#define VIN "WBA8E51060K734560"

/* Rows leave "dropped" out when no fact is dropped. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct fact {
	uint32_t ecu;
	uint16_t did;
	enum rdb_did_status st;
	const char *v;
};

/* expected facts: "code:part:result[:value[:wanted]]", result t/f/u, '!' before code = negated */
static const struct why_case {
	const char *name;
	const char *rules;
	const char *vin;
	struct fact f[3];
	enum rdb_reason reason;
	const char *facts[RDB_WHY_MAX + 1];
	unsigned int dropped;
} cases[] = {
	{ "open", "affected wmi in {\"WBA\"}; remedied when ecu 0x61 did 0xF189 >= \"15.2.0\";", VIN,
	  { { 0x61, 0xF189, RDB_DID_OK, "11.0.2" } }, RDB_REASON_OPEN,
	  { "wmi:affected:t:WBA", "did_cmp:remedied:f:11.0.2:15.2.0" } },
	{ "remedied", "affected wmi in {\"WBA\"}; remedied when ecu 0x61 did 0xF189 >= \"15.2.0\";",
	  VIN, { { 0x61, 0xF189, RDB_DID_OK, "15.2.0" } }, RDB_REASON_REMEDIED,
	  { "wmi:affected:t:WBA", "did_cmp:remedied:t:15.2.0:15.2.0" } },
	{ "remedy-unknown", "affected wmi in {\"WBA\"}; remedied when ecu 0x61 did 0xF189 >= \"1\";",
	  VIN, { { 0x61, 0xF189, RDB_DID_FAILED, "timeout" } }, RDB_REASON_REMEDY_UNKNOWN,
	  { "wmi:affected:t:WBA", "did_failed:remedied:u:timeout" } },
	{ "inspect", "affected wmi in {\"WBA\"}; inspect when true;", VIN, { { 0 } },
	  RDB_REASON_INSPECT, { "wmi:affected:t:WBA", "always:inspect:t" } },
	{ "inspect-unknown", "affected wmi in {\"WBA\"}; inspect when unknown;", VIN, { { 0 } },
	  RDB_REASON_INSPECT_UNKNOWN, { "wmi:affected:t:WBA", "not_recognisable:inspect:u" } },
	/* an inspection that is not needed leaves no trace in an open verdict, as in the string */
	{ "inspect-not-needed", "affected wmi in {\"WBA\"}; inspect when false;", VIN, { { 0 } },
	  RDB_REASON_OPEN, { "wmi:affected:t:WBA" } },
	{ "not-selected", "affected wmi in {\"WBY\"};", VIN, { { 0 } }, RDB_REASON_NOT_SELECTED,
	  { "wmi:affected:f:WBA" } },
	{ "excluded", "affected true; exclude vins { \"" VIN "\" };", VIN, { { 0 } },
	  RDB_REASON_EXCLUDED, { "listed:list:t" } },
	{ "included", "affected false; include vins { \"" VIN "\" };", VIN, { { 0 } },
	  RDB_REASON_OPEN, { "listed:list:t" } },
	{ "list-only-miss", "include vins { \"" VIN "\" };", "WBA8E51060K734561", { { 0 } },
	  RDB_REASON_NOT_SELECTED, { "not_listed:list:f" } },
	{ "vin-missing", "affected wmi in {\"WBA\"};", NULL, { { 0 } },
	  RDB_REASON_SELECTION_UNKNOWN, { "vin_missing:affected:u" } },
	{ "vin-invalid", "affected wmi in {\"WBA\"};", "WBA8E51O60K734560", { { 0 } },
	  RDB_REASON_SELECTION_UNKNOWN, { "vin_invalid:affected:u:WBA8E51O60K734560" } },
	{ "lists-need-vin", "include vins { \"" VIN "\" };", NULL, { { 0 } },
	  RDB_REASON_SELECTION_UNKNOWN, { "vin_missing:list:u", "lists_need_vin:list:u" } },
	/* and: the operand that fails, alone */
	{ "and-fails", "affected wmi in {\"WBA\"} and vin[4..5] = \"XX\" and serial 0 .. 9;", VIN,
	  { { 0 } }, RDB_REASON_NOT_SELECTED, { "vin_positions:affected:f:8E:XX" } },
	/* and: all that hold */
	{ "and-holds", "affected wmi in {\"WBA\"} and vin[11] = \"K\" and serial 700000 .. 749999;",
	  VIN, { { 0 } }, RDB_REASON_OPEN,
	  { "wmi:affected:t:WBA", "vin_positions:affected:t:K:K", "serial:affected:t:734560" } },
	/* or: the one that holds, alone */
	{ "or-holds", "affected wmi in {\"WBY\"} or vin[4..5] = \"8E\";", VIN, { { 0 } },
	  RDB_REASON_OPEN, { "vin_positions:affected:t:8E:8E" } },
	/* or: every failing alternative */
	{ "or-fails", "affected wmi in {\"WBY\"} or vin[4..5] = \"XX\";", VIN, { { 0 } },
	  RDB_REASON_NOT_SELECTED, { "wmi:affected:f:WBA", "vin_positions:affected:f:8E:XX" } },
	/* unknown: the first unknown operand only */
	{ "and-unknown", "affected wmi in {\"WBA\"} and ecu 0x61 did 0xF189 = \"1\" and "
	  "ecu 0x12 present;", VIN, { { 0 } }, RDB_REASON_SELECTION_UNKNOWN,
	  { "did_not_read:affected:u" } },
	/* not: the fact, marked negated, its own result */
	{ "not", "affected not wmi in {\"WBY\"};", VIN, { { 0 } }, RDB_REASON_OPEN,
	  { "!wmi:affected:f:WBA" } },
	{ "did-in", "affected ecu 0x12 did 0xF187 in {\"8578466-05\", \"8578466-06\"};", VIN,
	  { { 0x12, 0xF187, RDB_DID_OK, "8578466-05" } }, RDB_REASON_OPEN,
	  { "did_in:affected:t:8578466-05:8578466-05, 8578466-06" } },
	{ "did-absent", "affected ecu 0x12 did 0xF187 = \"x\";", VIN,
	  { { 0x12, 0xF187, RDB_DID_NOT_PRESENT, NULL } }, RDB_REASON_NOT_SELECTED,
	  { "did_absent:affected:f" } },
	{ "build-date", "build_date from ecu 0x12 did 0xF18B bcd; "
	  "affected build_date 2012-03-01 .. 2012-10-31;", VIN,
	  { { 0x12, 0xF18B, RDB_DID_OK, "\x12\x09\x17" } }, RDB_REASON_OPEN,
	  { "build_date:affected:t" } },
	{ "build-date-unreadable", "build_date from ecu 0x12 did 0xF18B bcd; "
	  "affected build_date 2012-03-01 .. 2012-10-31;", VIN,
	  { { 0x12, 0xF18B, RDB_DID_OK, "\x99\x99\x99" } }, RDB_REASON_SELECTION_UNKNOWN,
	  { "build_date_unreadable:affected:u" } },
	{ "model-year-unknown", "affected model_year 2010 .. 2020;", VIN, { { 0 } },
	  RDB_REASON_SELECTION_UNKNOWN, { "model_year_unknown:affected:u:0" } },
	/* more facts than a result keeps: counted */
	{ "overflow", "affected true and true and true and true and true and true and true and true "
	  "and true and true;", VIN, { { 0 } }, RDB_REASON_OPEN,
	  { "always:affected:t", "always:affected:t", "always:affected:t", "always:affected:t",
	    "always:affected:t", "always:affected:t", "always:affected:t", "always:affected:t" },
	  2 },
};

static struct rdb *compile(const char *body, void **buf)
{
	struct rule_compiler *c;
	struct rdb *db;
	char src[1024];
	size_t len;

	snprintf(src, sizeof(src), "campaign \"C1\" { title \"t\"; recognition vehicle_diagnosis; "
				   "%s }\n", body);
	assert_int_equal(rule_compiler_new(RULE_NO_FILES, &c), 0);
	if (rule_compiler_add_source(c, "t.rules", src, strlen(src)) < 0 ||
	    rule_compiler_build(c, buf, &len) < 0) {
		char msg[256];

		rule_diag_format(rule_compiler_diag(c, 0), msg, sizeof(msg));
		fail_msg("%s: %s", body, msg);
	}
	rule_compiler_free(c);
	assert_int_equal(rdb_open_buffer(*buf, len, &db, NULL, 0), 0);
	return db;
}

static void check_fact(const char *name, const struct rdb_why *w, const char *want)
{
	char code[32] = "", part[16] = "", res = 0, value[64] = "", wanted[64] = "";
	const char *p = want;
	bool negated = *p == '!';

	if (negated)
		p++;
	if (sscanf(p, "%31[^:]:%15[^:]:%c:%63[^:]:%63[^\n]", code, part, &res, value, wanted) < 3)
		fail_msg("%s: bad row '%s'", name, want);
	if (strcmp(rdb_why_name((enum rdb_why_code)w->code), code) != 0 ||
	    strcmp(rdb_part_name((enum rdb_why_part)w->part), part) != 0 ||
	    w->result != (res == 't' ? RDB_TRUE : res == 'f' ? RDB_FALSE : RDB_UNKNOWN) ||
	    w->negated != negated || (value[0] && strcmp(w->value, value) != 0) ||
	    (wanted[0] && strcmp(w->wanted, wanted) != 0))
		fail_msg("%s: got %s%s:%s:%u:%s:%s want %s", name, w->negated ? "!" : "",
			 rdb_why_name((enum rdb_why_code)w->code),
			 rdb_part_name((enum rdb_why_part)w->part), w->result, w->value, w->wanted,
			 want);
}

static void test_why(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct why_case *c = &cases[i];
		struct rdb_did_fact facts[3];
		struct rdb_vehicle v = { .vin = c->vin, .dids = facts };
		struct rdb_result res;
		void *buf = NULL;
		struct rdb *db = compile(c->rules, &buf);
		size_t n = 0;

		for (size_t k = 0; k < 3 && c->f[k].ecu; k++, n++)
			facts[k] = (struct rdb_did_fact){
				.ecu = c->f[k].ecu, .did = c->f[k].did, .status = c->f[k].st,
				.value = (const uint8_t *)c->f[k].v,
				.len = c->f[k].st == RDB_DID_OK ? strlen(c->f[k].v) : 0,
				.reason = c->f[k].st == RDB_DID_FAILED ? c->f[k].v : NULL,
			};
		v.n_dids = n;
		assert_int_equal(rdb_match(db, &v, RDB_MATCH_ALL, &res, 1), 1);
		if (res.reason_code != c->reason)
			fail_msg("%s: reason %s want %s (%s)", c->name,
				 rdb_reason_name(res.reason_code), rdb_reason_name(c->reason),
				 res.reason);
		for (n = 0; c->facts[n]; n++)
			;
		if (res.n_why != n)
			fail_msg("%s: %u facts, want %zu (%s)", c->name, res.n_why, n, res.reason);
		for (size_t k = 0; k < n; k++)
			check_fact(c->name, &res.why[k], c->facts[k]);
		assert_int_equal(res.why_dropped, c->dropped);
		rdb_close(db);
		free(buf);
	}
}

/* A fact's ECU, DID, comparison, date and range where its code has them. */
static void test_fields(void **state)
{
	struct rdb_did_fact f[] = {
		{ .ecu = 0x8710077Au, .did = 0xF189, .value = (const uint8_t *)"0951", .len = 4 },
		{ .ecu = 0x12, .did = 0xF18B, .value = (const uint8_t *)"\x13\x05\x02", .len = 3 },
	};
	struct rdb_vehicle v = { .vin = VIN, .dids = f, .n_dids = 2 };
	struct rdb_result res;
	void *buf = NULL;
	struct rdb *db;

	(void)state;
	db = compile("build_date from ecu 0x12 did 0xF18B bcd; affected ecu 0x8710077A did 0xF189 "
		     ">= \"0950\" and build_date 2013-01-01 .. 2013-12-31;", &buf);
	assert_int_equal(rdb_match(db, &v, RDB_MATCH_ALL, &res, 1), 1);
	assert_int_equal(res.n_why, 2);
	assert_int_equal(res.why[0].ecu, 0x8710077Au);
	assert_int_equal(res.why[0].did, 0xF189);
	assert_string_equal(rdb_cmp_name(res.why[0].cmp), ">=");
	assert_int_equal(res.why[1].date, 20130502);
	assert_int_equal(res.why[1].a, 20130101);
	assert_int_equal(res.why[1].b, 20131231);
	assert_int_equal(res.why[1].ecu, 0x12);
	rdb_close(db);
	free(buf);
	for (int i = 0; i < _RDB_REASON_MAX; i++)
		assert_non_null(rdb_reason_name((enum rdb_reason)i));
	for (int i = 1; i < _RDB_WHY_MAX; i++)
		assert_non_null(rdb_why_name((enum rdb_why_code)i));
	assert_null(rdb_why_name(_RDB_WHY_MAX));
	assert_null(rdb_cmp_name(6));
}

/* do_not_drive and park_outside: compiled, read back, each at most once, no argument. */
static void test_flags(void **state)
{
	static const struct {
		const char *stmt;
		bool dnd, park;
		const char *error;
	} rows[] = {
		{ "", false, false, NULL },
		{ "do_not_drive;", true, false, NULL },
		{ "park_outside;", false, true, NULL },
		{ "do_not_drive; park_outside;", true, true, NULL },
		{ "do_not_drive; do_not_drive;", false, false, "'do_not_drive' given twice" },
		{ "park_outside yes;", false, false, "expected ';'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct rule_compiler *c;
		struct rdb_campaign camp;
		struct rdb *db;
		char src[512];
		void *buf = NULL;
		size_t len;

		snprintf(src, sizeof(src), "campaign \"C1\" { title \"t\"; affected true; "
					   "recognition vehicle_diagnosis; %s }\n", rows[i].stmt);
		assert_int_equal(rule_compiler_new(RULE_NO_FILES, &c), 0);
		(void)rule_compiler_add_source(c, "t.rules", src, strlen(src));
		if (rows[i].error) {
			char msg[256];

			assert_true(rule_compiler_n_errors(c) > 0);
			rule_diag_format(rule_compiler_diag(c, 0), msg, sizeof(msg));
			if (!strstr(msg, rows[i].error))
				fail_msg("row %zu: '%s' lacks '%s'", i, msg, rows[i].error);
			rule_compiler_free(c);
			continue;
		}
		assert_int_equal(rule_compiler_build(c, &buf, &len), 0);
		rule_compiler_free(c);
		assert_int_equal(rdb_open_buffer(buf, len, &db, NULL, 0), 0);
		assert_int_equal(rdb_campaign_get(db, 0, &camp), 0);
		assert_int_equal(camp.do_not_drive, rows[i].dnd);
		assert_int_equal(camp.park_outside, rows[i].park);
		rdb_close(db);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_why),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
