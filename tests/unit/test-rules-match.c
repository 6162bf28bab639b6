/* Matcher semantics, one rule per row: a small rule source, a vehicle, the verdict and a piece of
 * the reason that must be there. */
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

struct fact {
	uint32_t ecu;
	uint16_t did;
	enum rdb_did_status st;
	const char *v;
	size_t len;
};

#define OK(e, d, s) { e, d, RDB_DID_OK, s, sizeof(s) - 1 }
#define FAILED(e, d) { e, d, RDB_DID_FAILED, NULL, 0 }
#define ABSENT(e, d) { e, d, RDB_DID_NOT_PRESENT, NULL, 0 }

static const struct match_case {
	const char *name;
	const char *rules;		/* body of campaign "C1" */
	const char *vin;
	bool complete;
	struct fact f[4];
	enum rdb_verdict verdict;
	const char *reason_has;
	const char *evidence_has;
} cases[] = {
	/* never not_affected because data was missing */
	{ "vin-absent", "affected wmi in {\"WBA\"};", NULL, false, { { 0 } },
	  RDB_VERDICT_UNDETERMINED, "VIN not read", NULL },
	{ "vin-invalid", "affected wmi in {\"WBA\"};", "WBA8E51O60K734560", false, { { 0 } },
	  RDB_VERDICT_UNDETERMINED, "invalid", NULL },
	{ "vin-na-check-digit", "affected wmi in {\"1HG\"};", "1HGCM82633A004353", false, { { 0 } },
	  RDB_VERDICT_UNDETERMINED, "check digit", NULL },
	{ "wmi-hit", "affected wmi in {\"WBA\"};", "WBA8E51060K734560", false, { { 0 } },
	  RDB_VERDICT_OPEN, "WMI WBA", NULL },
	{ "wmi-miss", "affected wmi in {\"WBA\"};", "1HGCM82633A004352", false, { { 0 } },
	  RDB_VERDICT_NOT_AFFECTED, "WMI 1HG", NULL },
	{ "did-not-read", "affected ecu 0x61 did 0xF189 < \"15.2.0\";", "WBA8E51060K734560", false,
	  { { 0 } }, RDB_VERDICT_UNDETERMINED, "0x61:F189 not read", NULL },
	{ "did-failed", "affected ecu 0x61 did 0xF189 < \"15.2.0\";", "WBA8E51060K734560", false,
	  { FAILED(0x61, 0xF189) }, RDB_VERDICT_UNDETERMINED, "timeout", NULL },
	{ "did-ecu-absent", "affected ecu 0x61 did 0xF189 < \"15.2.0\";", "WBA8E51060K734560", true,
	  { { 0 } }, RDB_VERDICT_NOT_AFFECTED, "not in the vehicle", NULL },
	{ "did-not-present", "affected ecu 0x61 did 0xF189 = \"1\";", "WBA8E51060K734560", false,
	  { ABSENT(0x61, 0xF189) }, RDB_VERDICT_NOT_AFFECTED, "not present", NULL },
	{ "and-false-beats-unknown", "affected wmi in {\"WBY\"} and ecu 0x61 did 0xF189 = \"1\";",
	  "WBA8E51060K734560", false, { { 0 } }, RDB_VERDICT_NOT_AFFECTED, "WMI WBA", NULL },
	/* a request:response pair key (can/ident.h IDENT_ECU_PAIR) is shown as the rules write it */
	{ "ecu-pair", "affected ecu 0x8710077A did 0xF189 >= \"0950\";", "WBA8E51060K734560", false,
	  { OK(0x8710077Au, 0xF189, "0951") }, RDB_VERDICT_OPEN,
	  "0x710:0x77A:F189 \"0951\" >= \"0950\"", NULL },
	/* a failed or: no alternative held, and why each failed */
	{ "or-both-fail", "affected wmi in {\"WBY\"} or vin[4..5] = \"XX\";", "WBA8E51060K734560",
	  false, { { 0 } }, RDB_VERDICT_NOT_AFFECTED, "no alternative holds: (1) WMI WBA not "
	  "concerned; (2) VIN positions 4-5 \"8E\" do not match \"XX\"", NULL },
	{ "or-true-beats-unknown", "affected wmi in {\"WBA\"} or ecu 0x61 did 0xF189 = \"1\";",
	  "WBA8E51060K734560", false, { { 0 } }, RDB_VERDICT_OPEN, "WMI WBA", NULL },
	{ "not-unknown", "affected not ecu 0x61 present;", "WBA8E51060K734560", false, { { 0 } },
	  RDB_VERDICT_UNDETERMINED, "ECUs not read", NULL },
	/* version ordering: numeric runs compare as numbers */
	{ "version-9.10>9.9", "affected ecu 0x61 did 0xF189 > \"9.9\";", "WBA8E51060K734560", false,
	  { OK(0x61, 0xF189, "9.10") }, RDB_VERDICT_OPEN, "\"9.10\" > \"9.9\"", NULL },
	{ "version-padded", "affected ecu 0x61 did 0xF189 = \"15.2.0\";", "WBA8E51060K734560", false,
	  { OK(0x61, 0xF189, "15.2.0  \0") }, RDB_VERDICT_OPEN, "15.2.0", NULL },
	/* include/exclude lists override the criteria */
	{ "include-overrides", "affected false; include vins { \"WBA8E51060K734560\" };",
	  "WBA8E51060K734560", false, { { 0 } }, RDB_VERDICT_OPEN, "manufacturer's list", NULL },
	{ "exclude-overrides", "affected true; exclude vins { \"WBA8E51060K734560\" };",
	  "WBA8E51060K734560", false, { { 0 } }, RDB_VERDICT_NOT_AFFECTED, "exclusion list", NULL },
	{ "list-only-miss", "include vins { \"WBA8E51060K734560\" };", "WBA8E51060K734561", false,
	  { { 0 } }, RDB_VERDICT_NOT_AFFECTED, "not on the manufacturer's list", NULL },
	{ "list-only-no-vin", "include vins { \"WBA8E51060K734560\" };", NULL, false, { { 0 } },
	  RDB_VERDICT_UNDETERMINED, "VIN not read", NULL },
	{ "include-no-vin-criteria-false", "affected false; include vins { \"WBA8E51060K734560\" };",
	  NULL, false, { { 0 } }, RDB_VERDICT_UNDETERMINED, "may be on the manufacturer's list", NULL },
	/* build date */
	{ "build-date-in", "build_date from ecu 0x12 did 0xF18B bcd; "
	  "affected build_date 2012-09-01 .. 2012-09-30;", "WBA8E51060K734560", false,
	  { OK(0x12, 0xF18B, "\x12\x09\x17") }, RDB_VERDICT_OPEN, "2012-09-17 (0x12:F18B) in 2012-09-01..2012-09-30", NULL },
	{ "build-date-out", "build_date from ecu 0x12 did 0xF18B bcd; "
	  "affected build_date >= 2014-03-01;", "WBA8E51060K734560", false,
	  { OK(0x12, 0xF18B, "\x12\x09\x17") }, RDB_VERDICT_NOT_AFFECTED, "outside", NULL },
	{ "build-date-unreadable", "build_date from ecu 0x12 did 0xF18B bcd; "
	  "affected build_date >= 2014-03-01;", "WBA8E51060K734560", true,
	  { FAILED(0x12, 0xF18B) }, RDB_VERDICT_UNDETERMINED, "build date unreadable", NULL },
	{ "build-date-ecu-absent", "build_date from ecu 0x12 did 0xF18B bcd; "
	  "affected build_date >= 2014-03-01;", "WBA8E51060K734560", true, { { 0 } },
	  RDB_VERDICT_UNDETERMINED, "build date unreadable", NULL },
	{ "build-date-garbage", "build_date from ecu 0x12 did 0xF18B bcd; "
	  "affected build_date >= 2014-03-01;", "WBA8E51060K734560", false,
	  { OK(0x12, 0xF18B, "\x12\x1A\x17") }, RDB_VERDICT_UNDETERMINED, "is no calendar date",
	  NULL },
	/* a date an ECU reports that no calendar has is unreadable, never a fact */
	{ "build-date-feb29-bcd", "build_date from ecu 0x12 did 0xF18B bcd; "
	  "affected build_date >= 2014-03-01;", "WBA8E51060K734560", false,
	  { OK(0x12, 0xF18B, "\x15\x02\x29") }, RDB_VERDICT_UNDETERMINED,
	  "build date unreadable: 0x12:F18B \"\\x15\\x02)\" is no calendar date", NULL },
	{ "build-date-apr31-ascii", "build_date from ecu 0x12 did 0xF18B ascii; "
	  "affected build_date < 2016-01-01;", "WBA8E51060K734560", false,
	  { OK(0x12, 0xF18B, "20150431") }, RDB_VERDICT_UNDETERMINED,
	  "\"20150431\" is no calendar date", NULL },
	{ "build-date-feb29-leap", "build_date from ecu 0x12 did 0xF18B bcd; "
	  "affected build_date >= 2014-03-01;", "WBA8E51060K734560", false,
	  { OK(0x12, 0xF18B, "\x20\x16\x02\x29") }, RDB_VERDICT_OPEN, "2016-02-29", NULL },
	/* YYMMDD: 00-79 are 20YY, 80-99 are 19YY */
	{ "build-date-yymmdd-19", "build_date from ecu 0x12 did 0xF18B ascii; "
	  "affected build_date < 2000-01-01;", "WBA8E51060K734560", false,
	  { OK(0x12, 0xF18B, "991231") }, RDB_VERDICT_OPEN, "1999-12-31", NULL },
	{ "build-date-yymmdd-20", "build_date from ecu 0x12 did 0xF18B bcd; "
	  "affected build_date < 2080-01-01;", "WBA8E51060K734560", false,
	  { OK(0x12, 0xF18B, "\x79\x12\x31") }, RDB_VERDICT_OPEN, "2079-12-31", NULL },
	{ "build-date-ascii", "build_date from ecu 0x12 did 0xF18B ascii; "
	  "affected build_date < 2013-01-01;", "WBA8E51060K734560", false,
	  { OK(0x12, 0xF18B, "2012-09-17") }, RDB_VERDICT_OPEN, "2012-09-17", NULL },
	/* hotline only */
	{ "hotline-only", "affected wmi in {\"WBA\"} and unknown; "
	  "recognition hotline \"Nicht erkennbar\" number \"0 89/ 1 25 01 60 10\";",
	  "WBA8E51060K734560", false, { { 0 } }, RDB_VERDICT_UNDETERMINED, "0 89/ 1 25 01 60 10",
	  NULL },
	{ "hotline-other-make", "affected wmi in {\"WBA\"} and unknown; "
	  "recognition hotline \"Nicht erkennbar\" number \"0 89/ 1 25 01 60 10\";",
	  "1HGCM82633A004352", false, { { 0 } }, RDB_VERDICT_NOT_AFFECTED, "WMI 1HG", NULL },
	/* remedied when / inspect when */
	{ "remedied", "affected true; remedied when ecu 0x61 did 0xF189 >= \"15.2.0\";",
	  "WBY1Z41060V512345", false, { OK(0x61, 0xF189, "15.10.1") }, RDB_VERDICT_REMEDIED,
	  "remedy applied", "\"15.10.1\" >= \"15.2.0\"" },
	{ "not-remedied", "affected true; remedied when ecu 0x61 did 0xF189 >= \"15.2.0\";",
	  "WBY1Z41060V512345", false, { OK(0x61, 0xF189, "11.0.2") }, RDB_VERDICT_OPEN,
	  "remedy not applied", NULL },
	{ "remedied-unknown", "affected true; remedied when ecu 0x61 did 0xF189 >= \"15.2.0\";",
	  "WBY1Z41060V512345", false, { { 0 } }, RDB_VERDICT_UNDETERMINED,
	  "whether the remedy is applied is unknown", NULL },
	{ "inspect", "affected true; inspect when ecu 0x12 did 0xF187 in {\"A\", \"B\"};",
	  "WBA5W31090G345678", false, { OK(0x12, 0xF187, "B") }, RDB_VERDICT_INSPECT,
	  "inspection decides", NULL },
	{ "inspect-no", "affected true; inspect when ecu 0x12 did 0xF187 in {\"A\", \"B\"};",
	  "WBA5W31090G345678", false, { OK(0x12, 0xF187, "C") }, RDB_VERDICT_OPEN, "affected", NULL },
	{ "inspect-unknown", "affected true; inspect when ecu 0x12 did 0xF187 in {\"A\", \"B\"};",
	  "WBA5W31090G345678", false, { { 0 } }, RDB_VERDICT_UNDETERMINED, "whether to inspect",
	  NULL },
	/* VIN structure */
	{ "pattern", "affected vin[4..7] = \"8E?1\";", "WBA8E51060K734560", false, { { 0 } },
	  RDB_VERDICT_OPEN, "match", NULL },
	{ "serial-out", "affected serial 100 .. 200;", "WBA8E51060K734560", false, { { 0 } },
	  RDB_VERDICT_NOT_AFFECTED, "outside", NULL },
	/* outside the NA rules a year code has two candidates: both are named */
	{ "model-year-both-outside", "affected model_year 2000 .. 2004;", "WBA8E5106FK734560", false,
	  { { 0 } }, RDB_VERDICT_NOT_AFFECTED,
	  "model year 1985 or 2015 (30-year cycle) outside 2000..2004", NULL },
	{ "model-year-one-in", "affected model_year 2010 .. 2020;", "WBA8E5106FK734560", false,
	  { { 0 } }, RDB_VERDICT_UNDETERMINED,
	  "model year 1985 or 2015 (30-year cycle): only 2015 in 2010..2020", NULL },
	{ "model-year-unknown", "affected model_year >= 2010;", "WBA8E51060K734560", false,
	  { { 0 } }, RDB_VERDICT_UNDETERMINED, "model year not in the VIN", NULL },
	{ "model-year-na", "affected model_year 2003 .. 2004;", "1HGCM82633A004352", false,
	  { { 0 } }, RDB_VERDICT_OPEN, "model year 2003", NULL },
	{ "model-year-ambiguous", "affected model_year <= 2010;", "JHMCM56557C404453", false,
	  { { 0 } }, RDB_VERDICT_UNDETERMINED, "30-year cycle", NULL },
};

static void run_case(const struct match_case *mc, unsigned int flags)
{
	struct rule_compiler *c;
	struct rdb_did_fact facts[4];
	struct rdb_vehicle v = { .vin = mc->vin, .dids = facts, .ecus_complete = mc->complete };
	struct rdb_result res[2];
	char *src, err[RDB_ERR_MAX];
	struct rdb *db;
	void *img;
	size_t len;
	int n;

	assert_true(asprintf(&src, "campaign \"C1\" { title \"t\"; "
			     "%s }\n", mc->rules) > 0);
	assert_int_equal(rule_compiler_new(RULE_NO_FILES, &c), 0);
	if (rule_compiler_add_source(c, mc->name, src, strlen(src)) < 0) {
		char m[512];

		rule_diag_format(rule_compiler_diag(c, 0), m, sizeof(m));
		fail_msg("%s: %s", mc->name, m);
	}
	assert_int_equal(rule_compiler_build(c, &img, &len), 0);
	rule_compiler_free(c);
	free(src);
	assert_int_equal(rdb_open_buffer(img, len, &db, err, sizeof(err)), 0);
	for (size_t k = 0; k < 4 && mc->f[k].ecu; k++) {
		facts[k] = (struct rdb_did_fact){ mc->f[k].ecu, mc->f[k].did, mc->f[k].st,
						  (const uint8_t *)mc->f[k].v, mc->f[k].len,
						  mc->f[k].st == RDB_DID_FAILED ? "timeout" : NULL };
		v.n_dids++;
	}
	n = rdb_match(db, &v, flags, res, 2);
	print_message("%s: %s: %s | %s\n", mc->name, n > 0 ? rdb_verdict_name(res[0].verdict) : "-",
		      n > 0 ? res[0].reason : "", n > 0 ? res[0].evidence : "");
	if (n == 0) {
		/* indexed mode leaves out campaigns the WMI cannot concern: only for not_affected */
		assert_true(flags == 0);
		assert_int_equal(mc->verdict, RDB_VERDICT_NOT_AFFECTED);
	} else {
		assert_int_equal(n, 1);
		assert_int_equal(res[0].verdict, mc->verdict);
		assert_non_null(strstr(res[0].reason, mc->reason_has));
		if (mc->evidence_has)
			assert_non_null(strstr(res[0].evidence, mc->evidence_has));
		else
			assert_string_equal(res[0].evidence, "");
	}
	rdb_close(db);
	free(img);
}

static void test_all_mode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], RDB_MATCH_ALL);
}

/* The indexes (WMI buckets, VIN lists) select exactly the campaigns that are not trivially out. */
static void test_indexed_mode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(rdb_verdict_name(RDB_VERDICT_OPEN), "open");
	assert_string_equal(rdb_verdict_name(RDB_VERDICT_INSPECT), "inspect");
	assert_string_equal(rdb_verdict_name(RDB_VERDICT_REMEDIED), "remedied");
	assert_string_equal(rdb_verdict_name(RDB_VERDICT_NOT_AFFECTED), "not_affected");
	assert_string_equal(rdb_verdict_name(RDB_VERDICT_UNDETERMINED), "undetermined");
	assert_null(rdb_verdict_name(_RDB_VERDICT_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_mode),
		cmocka_unit_test(test_indexed_mode),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
