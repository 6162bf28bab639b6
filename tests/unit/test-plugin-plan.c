/* The read plan from above can/: the WMI -> maker group table (rules/vin.c), the make profiles
 * (rules/makes.c) and their translation into can/'s plan (plugin/plan.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "can/ident.h"
#include "plugin/plan.h"
#include "rules/vin.h"

static void test_groups(void **state)
{
	static const char *const vw[] = { "WVW", "WVG", "WAU", "TRU", "TMB", "VSS", "WV2", "3VW" };
	static const char *const bmw[] = { "WBA", "WBS", "WBY", "WBX", "WMW", "4US", "5UX", "5YM",
					   "LBV" };

	(void)state;
	for (size_t i = 0; i < sizeof(vw) / sizeof(vw[0]); i++)
		assert_string_equal(vin_make_group(vw[i]), "vw-group");
	for (size_t i = 0; i < sizeof(bmw) / sizeof(bmw[0]); i++)
		assert_string_equal(vin_make_group(bmw[i]), "bmw-group");
	assert_null(vin_make_group("1HG"));
	assert_null(vin_make_group("ZZZ"));
	assert_null(vin_make_group("WV"));
	assert_null(vin_make_group(NULL));
}

/* Every profile entry names a scheme can/ knows and an ECU that scheme can address. */
static void test_profiles_valid(void **state)
{
	(void)state;
	assert_true(vin_read_profile_count() >= 3);
	for (size_t i = 0; i < vin_read_profile_count(); i++) {
		const struct vin_read_profile *p = vin_read_profile_at(i);

		assert_non_null(p->name);
		assert_non_null(p->source);
		for (size_t k = 0; k < p->n_ecus; k++) {
			int s = ident_scheme_parse(p->ecus[k].scheme);

			print_message("%s %zu\n", p->name, k);
			assert_true(s > 0);
			assert_true(ident_scheme_addr_ok((enum ident_scheme)s, p->ecus[k].ecu));
		}
		assert_true(p->n_ecus <= PLAN_MAX_TARGETS);
		assert_true(p->n_dids <= PLAN_MAX_NEEDS);
	}
	assert_null(vin_read_profile_at(vin_read_profile_count()));
}

static void test_refine(void **state)
{
	struct plan_profile room;
	struct ident_plan_add add = { 0 };
	bool gw = false, f189 = false;

	(void)state;
	assert_int_equal(plan_refine(&room, "WVWZZZ1KZAW000001", &add), 0);
	assert_string_equal(add.name, "vw-group");
	for (size_t i = 0; i < add.n_targets; i++) {
		gw |= add.targets[i].scheme == IDENT_SCHEME_UDS11 &&
		      add.targets[i].ecu == IDENT_ECU_PAIR(0x710, 0x77A);
		assert_true(add.targets[i].if_present);
	}
	for (size_t i = 0; i < add.n_needs; i++)
		f189 |= add.needs[i].did == 0xF189 && add.needs[i].ecu == IDENT_ECU_ANY;
	assert_true(gw);
	assert_true(f189);

	memset(&add, 0, sizeof(add));
	assert_int_equal(plan_refine(&room, "WBA8E51060K734560", &add), 0);
	assert_string_equal(add.name, "bmw-group");
	/* D-CAN's functional request reaches every ECU: no second window for a BMW */
	assert_int_equal(add.n_targets, 0);
	assert_true(add.n_needs > 0);

	memset(&add, 0, sizeof(add));
	assert_int_equal(plan_refine(&room, "1HGCM82633A004352", &add), 0);
	assert_string_equal(add.name, "generic-uds");
	assert_int_equal(add.n_targets, 0);
	assert_true(add.n_needs > 0);
	assert_int_equal(plan_refine(NULL, "1HGCM82633A004352", &add), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_profiles_valid),
		cmocka_unit_test(test_refine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
