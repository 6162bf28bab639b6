/* Rules name a uds11 ECU as REQ:RESP (`ecu 0x710:0x77A`), the same key can/ reads it under
 * (0x80000000 | REQ << 16 | RESP); an OBD pair is the obd11 ECU; bad pairs are errors; reasons
 * print the pair as written.  Also the needs handed to the bus carry the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "can/ident.h"
#include "rules/rdb.h"
#include "rules/rule.h"

static struct rdb *compile(const char *body, void **img)
{
	struct rule_compiler *c;
	char *src, err[RDB_ERR_MAX];
	struct rdb *db;
	size_t len;

	assert_true(asprintf(&src, "campaign \"C1\" { title \"t\"; %s }\n", body) > 0);
	assert_int_equal(rule_compiler_new(RULE_NO_FILES, &c), 0);
	if (rule_compiler_add_source(c, "t", src, strlen(src)) < 0) {
		char m[512];

		rule_diag_format(rule_compiler_diag(c, 0), m, sizeof(m));
		fail_msg("%s", m);
	}
	assert_int_equal(rule_compiler_build(c, img, &len), 0);
	rule_compiler_free(c);
	free(src);
	assert_int_equal(rdb_open_buffer(*img, len, &db, err, sizeof(err)), 0);
	return db;
}

static enum rdb_verdict verdict(struct rdb *db, uint32_t ecu, const char *val, char *reason)
{
	struct rdb_did_fact f = { ecu, 0xF189, RDB_DID_OK, (const uint8_t *)val, strlen(val), NULL };
	struct rdb_vehicle v = { .vin = "WVWZZZ1KZAW000001", .dids = &f, .n_dids = val[0] ? 1 : 0 };
	struct rdb_result res[2];

	assert_int_equal(rdb_match(db, &v, RDB_MATCH_ALL, res, 2), 1);
	strcpy(reason, res[0].reason);
	return res[0].verdict;
}

static void test_pair_key(void **state)
{
	char why[RDB_TEXT_MAX];
	struct rdb_did_ref *refs;
	struct rdb *db;
	size_t n;
	void *img;

	(void)state;
	db = compile("affected ecu 0x710:0x77A did 0xF189 < \"0950\";", &img);
	assert_int_equal(verdict(db, IDENT_ECU_PAIR(0x710, 0x77A), "0812", why), RDB_VERDICT_OPEN);
	assert_non_null(strstr(why, "0x710:0x77A:F189"));
	/* another ECU's F189 is not this one's */
	assert_int_equal(verdict(db, 0x10, "0812", why), RDB_VERDICT_UNDETERMINED);
	assert_non_null(strstr(why, "0x710:0x77A:F189 not read"));
	/* the bus is asked for exactly that (ECU, DID) */
	assert_int_equal(rdb_needed_dids(db, &refs, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(refs[0].ecu, 0x8710077Au);
	assert_int_equal(refs[0].did, 0xF189);
	free(refs);
	rdb_close(db);
	free(img);
}

static void test_obd_pair_is_obd11(void **state)
{
	char why[RDB_TEXT_MAX];
	struct rdb *db;
	void *img;

	(void)state;
	db = compile("affected ecu 0x7E0:0x7E8 did 0xF189 = \"A1\";", &img);
	assert_int_equal(verdict(db, 0x7E0, "A1", why), RDB_VERDICT_OPEN);
	assert_non_null(strstr(why, "0x7E0:F189"));
	rdb_close(db);
	free(img);
	db = compile("affected ecu 0x714:0x77E present;", &img);
	rdb_close(db);
	free(img);
}

static void test_bad_pairs(void **state)
{
	static const char *const bad[] = {
		"affected ecu 0x710:0x710 present;",
		"affected ecu 0x800:0x77A present;",
		"affected ecu 0x710:0x1000 did 0xF189 = \"1\";",
		"affected ecu 0x710: did 0xF189 = \"1\";",
		"affected ecu 0x710:\"x\" present;",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rule_compiler *c;
		char *src;

		print_message("%s\n", bad[i]);
		assert_true(asprintf(&src, "campaign \"C1\" { title \"t\"; %s }\n", bad[i]) > 0);
		assert_int_equal(rule_compiler_new(RULE_NO_FILES, &c), 0);
		assert_true(rule_compiler_add_source(c, "t", src, strlen(src)) < 0);
		assert_true(rule_compiler_n_errors(c) > 0);
		rule_compiler_free(c);
		free(src);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_key),
		cmocka_unit_test(test_obd_pair_is_obd11),
		cmocka_unit_test(test_bad_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
