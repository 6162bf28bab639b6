/* The shipped rules (rules/recalls/) give the simulated vehicles of common.md the verdicts
 * documented in rules/recalls/bmw-seed.rules.  Runs from the source tree (scripts/check.sh). */
#include <dirent.h>
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

static const struct seed_case {
	const char *name;
	const char *vin;
	bool complete;
	struct fact f[6];
	const char *verdicts[4];	/* by campaign id order: bolt, EGR, steering, ConnectedDrive */
} cases[] = {
	{ "bmw-f30", "WBA8E51060K734560", true,
	  { { 0x12, 0xF18B, RDB_DID_OK, "\x12\x09\x17", 3 },
	    { 0x12, 0xF187, RDB_DID_OK, "8591234-02", 10 },
	    { 0x12, 0xF190, RDB_DID_OK, "WBA8E51060K734560", 17 },
	    { 0x61, 0xF189, RDB_DID_OK, "12.4.1", 6 } },
	  { "open", "not_affected", "open", "not_affected" } },
	{ "bmw-i3", "WBY1Z41060V512345", true,
	  { { 0x40, 0xF190, RDB_DID_OK, "WBY1Z41060V512345", 17 },
	    { 0x61, 0xF189, RDB_DID_OK, "11.0.2", 6 },
	    { 0x61, 0xF187, RDB_DID_OK, "9384712-03", 10 } },
	  { "not_affected", "not_affected", "not_affected", "open" } },
	{ "bmw-i3-ota-fixed", "WBY1Z41060V512345", true,
	  { { 0x40, 0xF190, RDB_DID_OK, "WBY1Z41060V512345", 17 },
	    { 0x61, 0xF189, RDB_DID_OK, "15.2.0", 6 } },
	  { "not_affected", "not_affected", "not_affected", "remedied" } },
	{ "bmw-diesel-egr", "WBA5W31090G345678", true,
	  { { 0x12, 0xF187, RDB_DID_OK, "8578466-05", 10 } },
	  { "not_affected", "inspect", "not_affected", "not_affected" } },
	{ "obd11-generic", "1HGCM82633A004352", true, { { 0 } },
	  { "not_affected", "not_affected", "not_affected", "not_affected" } },
	{ "obd29-generic", "WF0XXXGCDX8A12345", true, { { 0 } },
	  { "not_affected", "not_affected", "not_affected", "not_affected" } },
	/* the f30 by VIN only (a phone call): what the VIN cannot tell stays undetermined */
	{ "f30-vin-only", "WBA8E51060K734560", false, { { 0 } },
	  { "undetermined", "undetermined", "open", "undetermined" } },
	/* the i3 fixed over the air, but the TCB did not answer */
	{ "i3-tcb-timeout", "WBY1Z41060V512345", false,
	  { { 0x61, 0xF189, RDB_DID_FAILED, NULL, 0 } },
	  { "not_affected", "not_affected", "not_affected", "undetermined" } },
	/* no VIN at all: nothing is not_affected */
	{ "no-vin", NULL, false, { { 0 } },
	  { "undetermined", "undetermined", "undetermined", "undetermined" } },
};

static struct rdb *db;
static void *image;

static int setup(void **state)
{
	struct rule_compiler *c;
	char err[RDB_ERR_MAX];
	size_t len;
	DIR *d;
	struct dirent *e;

	(void)state;
	if (rule_compiler_new(0, &c) < 0)
		return -1;
	d = opendir("rules/recalls");
	if (!d)
		return -1;
	/* one file today; sorted order would matter once there are more */
	while ((e = readdir(d))) {
		char path[512];
		size_t n = strlen(e->d_name);

		if (n < 7 || strcmp(e->d_name + n - 6, ".rules"))
			continue;
		snprintf(path, sizeof(path), "rules/recalls/%s", e->d_name);
		if (rule_compiler_add_file(c, path) < 0) {
			for (size_t i = 0; i < rule_compiler_n_diags(c); i++) {
				char m[512];

				rule_diag_format(rule_compiler_diag(c, i), m, sizeof(m));
				print_error("%s\n", m);
			}
			return -1;
		}
	}
	closedir(d);
	if (rule_compiler_n_diags(c) != 0 || rule_compiler_build(c, &image, &len) < 0)
		return -1;
	rule_compiler_free(c);
	if (rdb_open_buffer(image, len, &db, err, sizeof(err)) < 0) {
		print_error("%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rdb_close(db);
	free(image);
	return 0;
}

static void test_seed(void **state)
{
	(void)state;
	assert_int_equal(rdb_campaign_count(db), 4);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct seed_case *sc = &cases[i];
		struct rdb_did_fact facts[6];
		struct rdb_result res[8];
		struct rdb_vehicle v = { .vin = sc->vin, .dids = facts, .ecus_complete = sc->complete };
		int n;

		for (size_t k = 0; k < 6 && sc->f[k].ecu; k++) {
			facts[k] = (struct rdb_did_fact){ sc->f[k].ecu, sc->f[k].did, sc->f[k].st,
							  (const uint8_t *)sc->f[k].v, sc->f[k].len,
							  sc->f[k].st == RDB_DID_FAILED ? "timeout" : NULL };
			v.n_dids++;
		}
		n = rdb_match(db, &v, RDB_MATCH_ALL, res, 8);
		assert_int_equal(n, 4);
		for (int k = 0; k < n; k++) {
			print_message("%s: campaign %d: %s (%s)\n", sc->name, k,
				      rdb_verdict_name(res[k].verdict), res[k].reason);
			assert_string_equal(rdb_verdict_name(res[k].verdict), sc->verdicts[k]);
			assert_true(res[k].reason[0] != 0);
		}
	}
}

/* The hotline campaign names the number whenever it cannot decide. */
static void test_hotline_number(void **state)
{
	struct rdb_vehicle v = { .vin = "WBY1Z41060V512345" };
	struct rdb_result res[4];

	(void)state;
	assert_int_equal(rdb_match(db, &v, RDB_MATCH_ALL, res, 4), 4);
	assert_int_equal(res[3].verdict, RDB_VERDICT_UNDETERMINED);
	assert_non_null(strstr(res[3].reason, "0 89/ 1 25 01 60 10"));
}

/* What the seed texts support and nothing more: the EGR module's fire risk is "park outside";
 * no seed text tells the owner to stop driving.  Labour, cost and start where the text says. */
static void test_advisories(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < rdb_campaign_count(db); i++) {
		struct rdb_campaign c;

		assert_int_equal(rdb_campaign_get(db, i, &c), 0);
		assert_false(c.do_not_drive);
		assert_int_equal(c.park_outside, strcmp(c.id, "0011700300") == 0);
		if (strcmp(c.id, "0032110800") == 0) {
			assert_string_equal(c.labour, "etwa zwei Stunden");
			assert_string_equal(c.cost, "kostenlos");
			assert_int_equal(c.start_date, 20120801);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed),
		cmocka_unit_test(test_hotline_number),
		cmocka_unit_test(test_advisories),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
