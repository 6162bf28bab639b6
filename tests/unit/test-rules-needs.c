/* rdb_needed_dids: every (ECU, DID) a database compares or takes a build date from, sorted and
 * unique — what the check asks the car for. */
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

static const struct needs_case {
	const char *name;
	const char *src;
	const char *want;	/* "ECU:DID ..." in order */
} cases[] = {
	{ "no ECU conditions",
	  "campaign \"A\" { title \"t\"; recognition vehicle_diagnosis \"x\"; affected wmi in {\"WBA\"}; }",
	  "" },
	{ "comparison, set and build date, duplicates folded",
	  "campaign \"A\" { title \"t\"; recognition vehicle_diagnosis \"x\";\n"
	  "  build_date from ecu 0x12 did 0xF18B bcd;\n"
	  "  affected wmi in {\"WBA\"} and build_date 2012-01-01 .. 2012-12-31\n"
	  "    and ecu 0x12 did 0xF187 in {\"1\", \"2\"};\n"
	  "  remedied when ecu 0x61 did 0xF1A0 >= \"7\"; }\n"
	  "campaign \"B\" { title \"t\"; recognition vehicle_diagnosis \"x\";\n"
	  "  affected not (ecu 0x61 did 0xF1A0 = \"3\") or ecu 0x12 did 0xF187 = \"1\"; }",
	  "0x12:F187 0x12:F18B 0x61:F1A0" },
	{ "inspect condition counts too",
	  "campaign \"A\" { title \"t\"; recognition workshop_system \"x\";\n"
	  "  affected wmi in {\"WBA\"}; inspect when ecu 0x7E0 did 0xF189 < \"2.0\"; }",
	  "0x7E0:F189" },
};

static void test_needs(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct needs_case *nc = &cases[k];
		struct rule_compiler *c;
		struct rdb_did_ref *refs = NULL;
		struct rdb *db;
		char got[256] = "", err[RDB_ERR_MAX];
		void *img;
		size_t len, n;

		print_message("case: %s\n", nc->name);
		assert_int_equal(rule_compiler_new(RULE_NO_FILES, &c), 0);
		if (rule_compiler_add_source(c, nc->name, nc->src, strlen(nc->src)) < 0) {
			char m[256];

			rule_diag_format(rule_compiler_diag(c, 0), m, sizeof(m));
			fail_msg("%s", m);
		}
		assert_int_equal(rule_compiler_build(c, &img, &len), 0);
		assert_int_equal(rdb_open_buffer(img, len, &db, err, sizeof(err)), 0);
		assert_int_equal(rdb_needed_dids(db, &refs, &n), 0);
		for (size_t i = 0; i < n; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s0x%X:%04X",
				 i ? " " : "", refs[i].ecu, refs[i].did);
		assert_string_equal(got, nc->want);
		free(refs);
		rdb_close(db);
		free(img);
		rule_compiler_free(c);
	}
	assert_int_equal(rdb_needed_dids(NULL, NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
