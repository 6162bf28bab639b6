/* Rule language: every error message with its file:line:col, recovery (all errors of a file),
 * warnings, and the compiler's output (deterministic, order-independent ids).  A row is a case. */
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

#define H "campaign \"X\" { title \"t\"; recognition vehicle_diagnosis;"

static const struct parse_case {
	const char *src;
	size_t n_errors;
	const char *first;		/* first diagnostic, formatted; NULL = none */
} cases[] = {
	{ H " affected true; }", 0, NULL },
	{ "campaign \"X\" { titel \"a\"; }", 1, "t.rules:1:16: error: unknown statement 'titel'" },
	{ H " affected wmi in {\"WBA\"}; defect \"abc", 2,
	  "t.rules:1:90: error: unterminated string" },
	{ H " affected wmi in {\"WBI\"}; }", 1,
	  "t.rules:1:75: error: WMI must be 3 characters of 0-9 A-Z without I, O, Q" },
	{ H " affected true }", 1, "t.rules:1:72: error: expected ';', found '}'" },
	{ H " start 2012-13-01; affected true; }", 1, "t.rules:1:64: error: invalid date 2012-13-01" },
	{ H " start 2013-02-29; affected true; }", 1, "t.rules:1:64: error: invalid date 2013-02-29" },
	{ H " start 2012-1-01; affected true; }", 1,
	  "t.rules:1:64: error: malformed date (write YYYY-MM-DD)" },
	{ H " affected true; } " H " affected true; }", 1,
	  "t.rules:1:75: error: duplicate campaign id 'X' (first at t.rules:1:1)" },
	{ H " affected build_date > 2012-01-01; }", 1,
	  "t.rules:1:67: error: build_date used but the campaign does not say where it is read "
	  "(build_date from ecu ADDR did DID bcd|ascii;)" },
	{ H " affected vin[4..7] = \"8E\"; }", 1,
	  "t.rules:1:79: error: pattern has 2 characters but positions 4..7 are 4" },
	{ H " affected vin[4..7] = \"8EO1\"; }", 1,
	  "t.rules:1:82: error: 'O' cannot occur in a VIN (0-9 A-Z without I, O, Q; '?' = any)" },
	{ H " affected vin[18] = \"1\"; }", 1, "t.rules:1:71: error: VIN position must be 1..17" },
	{ H " affected ecu 0x123456789 present; }", 1,
	  "t.rules:1:71: error: number '0x123456789' too large (at most 0xFFFFFFFF)" },
	{ H " affected ecu 0x61 did 0x1F189 = \"1\"; }", 1,
	  "t.rules:1:80: error: DID 0x1F189 out of range (16 bits)" },
	{ H " affected colour = \"red\"; }", 1,
	  "t.rules:1:67: error: unknown condition 'colour' (wmi, vin, serial, model_year, "
	  "build_date, ecu, true, false, unknown)" },
	{ "campaign \"X\" { recognition vehicle_diagnosis; affected true; }", 1,
	  "t.rules:1:1: error: campaign has no title" },
	{ "campaign \"X\" { title \"t\"; recognition vehicle_diagnosis; }", 1,
	  "t.rules:1:1: error: campaign selects no vehicle: give 'affected' or 'include'" },
	{ "campaign \"X\" { title \"t\"; recognition hotline \"x\"; affected true; }", 1,
	  "t.rules:1:27: error: recognition hotline needs its number: number \"...\"" },
	{ H " include vins { \"WBA8E51060K73456\" }; }", 1,
	  "t.rules:1:73: error: not a VIN: must be 17 characters of 0-9 A-Z without I, O, Q" },
	/* a US VIN whose check digit does not fit would never match: a typo in the list */
	{ H " include vins { \"1hgcm82632A004352\" }; }", 1,
	  "t.rules:1:82: error: check digit wrong: position 9 is '3', this VIN's is '5' (a North "
	  "American VIN must carry it; the matcher would never find this entry)" },
	{ H " title \"u\"; affected true; }", 1,
	  "t.rules:1:58: error: 'title' given twice in this campaign" },
	{ "campaign \"X\" { title \"t\"; affected true; }", 0,
	  "t.rules:1:1: warning: campaign does not say how an affected vehicle is recognised "
	  "(recognition ...)" },
	{ H " affected true; include file \"x.txt\"; }", 1,
	  "t.rules:1:86: error: VIN list files are not allowed here" },
	{ H " affected true; remedy_kind later; }", 1,
	  "t.rules:1:85: error: expected workshop, ota or inspection, found 'later'" },
	{ "title \"t\";", 1, "t.rules:1:1: error: expected 'campaign', found 'title'" },
	{ H " affected (true; }", 1, "t.rules:1:72: error: expected ')', found ';'" },
	{ H " affected model_year 2014 .. 2010; }", 1,
	  "t.rules:1:86: error: empty range: upper bound before lower bound" },
	{ H " affected true; defect \"a\\qb\"; }", 1,
	  "t.rules:1:82: error: unknown escape '\\q' in string (use \\\" \\\\ \\n \\t)" },
	{ H " affected true;", 1, "t.rules:1:1: error: campaign not closed with '}'" },
	{ "campaign \"X\" { title \"\xff\"; affected true; }", 1,
	  "t.rules:1:23: error: invalid UTF-8 in string" },
	{ H " affected true; @ }", 1, "t.rules:1:73: error: unexpected character '@'" },
	/* texts reach terminals and JSON: no control characters but tab and newline */
	{ "campaign \"X\" { title \"a\x1b[2Jb\"; affected true; }", 1,
	  "t.rules:1:24: error: control character 0x1B in string" },
	{ "campaign \"X\" { title \"a\x7f\"; affected true; }", 1,
	  "t.rules:1:24: error: control character 0x7F in string" },
	{ "campaign \"X\" { title \"a\xc2\x85\"; affected true; }", 1,
	  "t.rules:1:24: error: control character U+0085 in string" },
	{ "campaign \"X\" { title \"a\rb\"; affected true; }", 1,
	  "t.rules:1:24: error: control character 0x0D in string" },
	{ "campaign \"X\" { title \"a\tb\r\nc\"; affected true; }", 0,
	  "t.rules:1:1: warning: campaign does not say how an affected vehicle is recognised "
	  "(recognition ...)" },
	/* recovery: every error of the file, on its own line */
	{ H " affected true; titel \"a\";\n foo;\n start 2012-02-30; }", 3,
	  "t.rules:1:73: error: unknown statement 'titel'" },
	{ "campaign \"X\" {\n\ttitle \"t\";\n\taffected wmi in {\"WB\"};\n}\n"
	  "campaign \"Y\" {\n\ttitle \"t\";\n\taffected x;\n}\n", 2,
	  "t.rules:3:19: error: WMI must be 3 characters of 0-9 A-Z without I, O, Q" },
	/* a missing '}' does not swallow the next campaign */
	{ H " affected true;\ncampaign \"Y\" { title \"t\"; affected true; }", 1,
	  "t.rules:2:1: error: expected '}' before 'campaign'" },
	/* columns count characters, not bytes */
	{ "campaign \"Ä\" { tötel \"a\"; }", 2,
	  "t.rules:1:16: error: unknown statement 't'" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct parse_case *pc = &cases[i];
		struct rule_compiler *c;
		void *img = NULL;
		size_t len;
		char m[600];

		assert_int_equal(rule_compiler_new(RULE_NO_FILES, &c), 0);
		rule_compiler_add_source(c, "t.rules", pc->src, strlen(pc->src));
		if (!rule_compiler_n_errors(c))
			rule_compiler_build(c, &img, &len);
		for (size_t k = 0; k < rule_compiler_n_diags(c); k++) {
			rule_diag_format(rule_compiler_diag(c, k), m, sizeof(m));
			print_message("row %zu: %s\n", i, m);
		}
		assert_int_equal(rule_compiler_n_errors(c), pc->n_errors);
		if (pc->first) {
			assert_true(rule_compiler_n_diags(c) > 0);
			rule_diag_format(rule_compiler_diag(c, 0), m, sizeof(m));
			assert_string_equal(m, pc->first);
		} else {
			assert_int_equal(rule_compiler_n_diags(c), 0);
		}
		/* no image when there is an error */
		if (pc->n_errors)
			assert_null(img);
		free(img);
		rule_compiler_free(c);
	}
}

static void *compile(const char *src, size_t *len)
{
	struct rule_compiler *c;
	void *img = NULL;

	assert_int_equal(rule_compiler_new(RULE_NO_FILES, &c), 0);
	assert_int_equal(rule_compiler_add_source(c, "d.rules", src, strlen(src)), 0);
	assert_int_equal(rule_compiler_build(c, &img, len), 0);
	rule_compiler_free(c);
	return img;
}

/* The same input gives the same bytes; campaigns come out by id whatever the file order. */
static void test_deterministic(void **state)
{
	static const char a[] = "campaign \"B2\" { title \"b\"; recognition vehicle_diagnosis; "
				"affected wmi in {\"WBA\", \"WBS\"}; include vins { \"WBA8E51060K734560\", "
				"\"WBA8E51060K734561\" }; }\n"
				"campaign \"A1\" { title \"a\"; recognition vehicle_diagnosis; "
				"affected ecu 0x61 did 0xF189 < \"15.2.0\"; }\n";
	size_t l1, l2;
	void *i1 = compile(a, &l1), *i2 = compile(a, &l2);
	struct rdb *db;
	struct rdb_campaign cp;
	char err[RDB_ERR_MAX];

	(void)state;
	assert_int_equal(l1, l2);
	assert_memory_equal(i1, i2, l1);
	assert_int_equal(rdb_open_buffer(i1, l1, &db, err, sizeof(err)), 0);
	assert_int_equal(rdb_campaign_count(db), 2);
	assert_int_equal(rdb_listed_vin_count(db), 2);
	assert_int_equal(rdb_campaign_get(db, 0, &cp), 0);
	assert_string_equal(cp.id, "A1");
	assert_int_equal(rdb_campaign_get(db, 1, &cp), 0);
	assert_string_equal(cp.id, "B2");
	assert_string_equal(cp.title, "b");
	assert_int_equal(cp.recognition, RDB_RECOG_VEHICLE_DIAG);
	assert_int_equal(rdb_campaign_get(db, 2, &cp), -ERANGE);
	assert_string_equal(rdb_tool_version(db), "recallc 0.1.0");
	rdb_close(db);
	free(i1);
	free(i2);
}

/* Texts are kept byte for byte (German, multi-line, trailing spaces), CRLF read as LF. */
static void test_text_verbatim(void **state)
{
	static const char src[] = "campaign \"T\" { title \"Lenkkraftuntersützung\"; defect "
				  "\"Zeile 1 \r\nZeile 2 „Fahrertür öffnen“ 0 89/ 1 25 01 60 10\"; "
				  "recognition hotline \"Nicht erkennbar\" number \"0 89/ 1 25 01 60 10\"; "
				  "affected true; }";
	size_t len;
	void *img = compile(src, &len);
	struct rdb *db;
	struct rdb_campaign cp;
	char err[RDB_ERR_MAX];

	(void)state;
	assert_int_equal(rdb_open_buffer(img, len, &db, err, sizeof(err)), 0);
	assert_int_equal(rdb_campaign_get(db, 0, &cp), 0);
	assert_string_equal(cp.title, "Lenkkraftuntersützung");
	assert_string_equal(cp.defect, "Zeile 1 \nZeile 2 „Fahrertür öffnen“ 0 89/ 1 25 01 60 10");
	assert_string_equal(cp.hotline, "0 89/ 1 25 01 60 10");
	assert_string_equal(cp.recognition_text, "Nicht erkennbar");
	assert_string_equal(cp.kba, "");
	rdb_close(db);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_text_verbatim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
