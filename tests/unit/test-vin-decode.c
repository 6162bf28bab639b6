/* rules/vin.h: published VINs with known check digits, European VINs without a model year or
 * check digit, malformed input.  A row is a case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rules/vin.h"

static const struct vin_case {
	const char *in;
	bool valid;
	unsigned int errors;
	const char *manufacturer;	/* NULL: not in the table */
	enum vin_check check;
	int years[2];			/* 0-terminated */
	char plant;
	const char *serial;
} cases[] = {
	/* Honda Accord, the VIN NHTSA and most decoders use as their example: check digit 3 */
	{ "1HGCM82633A004352", true, 0, "Honda (USA)", VIN_CHECK_OK, { 2003 }, 'A', "004352" },
	/* lower case is accepted */
	{ "1hgcm82633a004352", true, 0, "Honda (USA)", VIN_CHECK_OK, { 2003 }, 'A', "004352" },
	/* the 49 CFR 565 example with check digit X */
	{ "1M8GDM9AXKP042788", true, 0, NULL, VIN_CHECK_OK, { 1989 }, 'P', "042788" },
	{ "11111111111111111", true, 0, NULL, VIN_CHECK_OK, { 2001 }, '1', "111111" },
	/* Honda Japan: outside North America both cycle candidates stay */
	{ "JHMCM56557C404453", true, 0, "Honda", VIN_CHECK_OK, { 2007, 2037 }, 'C', "404453" },
	/* one character changed: North America makes the check digit mandatory */
	{ "1HGCM82633A004353", false, VIN_ERR_CHECK_DIGIT, "Honda (USA)", VIN_CHECK_WRONG, { 2003 },
	  'A', "004353" },
	/* BMW: position 10 '0' = no model year; check digit unused: valid, not_applicable */
	{ "WBY1Z41060V512345", true, 0, "BMW i", VIN_CHECK_NOT_APPLICABLE, { 0 }, 'V', "512345" },
	{ "WBA8E51060K734560", true, 0, "BMW", VIN_CHECK_NOT_APPLICABLE, { 0 }, 'K', "734560" },
	{ "WBA5W31090G345678", true, 0, "BMW", VIN_CHECK_NOT_APPLICABLE, { 0 }, 'G', "345678" },
	/* Porsche with Z fill in the VDS: model year T = 1996 (or 2026) */
	{ "WP0ZZZ99ZTS392124", true, 0, "Porsche", VIN_CHECK_NOT_APPLICABLE, { 1996, 2026 }, 'S',
	  "392124" },
	{ "WF0XXXGCDX8A12345", true, 0, "Ford (Germany)", VIN_CHECK_NOT_APPLICABLE, { 1999, 2029 },
	  '8', "A12345" },
	/* 2010+ cycle in North America: position 7 is a letter (synthetic, check digit computed) */
	{ "1FA6P8TH5J5100000", true, 0, "Ford", VIN_CHECK_OK, { 2018 }, '5', "100000" },
	/* malformed */
	{ "WBY1Z41O60V512345", false, VIN_ERR_CHARSET, NULL, VIN_CHECK_NOT_APPLICABLE, { 0 }, 0, "" },
	{ "WBY1Z41060V5123", false, VIN_ERR_LENGTH, NULL, VIN_CHECK_NOT_APPLICABLE, { 0 }, 0, "" },
	{ "WBY1Z41060V512345X", false, VIN_ERR_LENGTH, NULL, VIN_CHECK_NOT_APPLICABLE, { 0 }, 0, "" },
	{ "", false, VIN_ERR_LENGTH, NULL, VIN_CHECK_NOT_APPLICABLE, { 0 }, 0, "" },
	{ "WBY1Z41060V51234-", false, VIN_ERR_CHARSET, NULL, VIN_CHECK_NOT_APPLICABLE, { 0 }, 0,
	  "" },
};

static void test_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vin_case *c = &cases[i];
		struct vin_info vi;
		size_t ny = 0;

		print_message("row %zu %s\n", i, c->in);
		assert_int_equal(vin_decode(c->in, strlen(c->in), &vi), 0);
		assert_int_equal(vi.valid, c->valid);
		assert_int_equal(vi.errors, c->errors);
		assert_int_equal(vi.check_digit, c->check);
		if (c->manufacturer)
			assert_string_equal(vi.manufacturer, c->manufacturer);
		else
			assert_null(vi.manufacturer);
		while (ny < 2 && c->years[ny])
			ny++;
		assert_int_equal(vi.n_model_years, ny);
		for (size_t k = 0; k < ny; k++)
			assert_int_equal(vi.model_years[k], c->years[k]);
		assert_int_equal(vi.plant, c->plant);
		assert_string_equal(vi.serial, c->serial);
	}
}

static void test_alphabet(void **state)
{
	int prev = -1;

	(void)state;
	/* Values run 0..32 in ASCII order: packed VIN keys sort like the strings. */
	for (int c = 0; c < 256; c++) {
		int v = vin_char_value((char)c);

		if (v < 0)
			continue;
		assert_int_equal(v, prev + 1);
		prev = v;
	}
	assert_int_equal(prev, 32);
	assert_int_equal(vin_char_value('I'), -1);
	assert_int_equal(vin_char_value('O'), -1);
	assert_int_equal(vin_char_value('Q'), -1);
	assert_int_equal(vin_char_value('a'), -1);
}

static void test_wmi_table_sorted(void **state)
{
	(void)state;
	for (size_t i = 1; i < vin_wmi_table_size(); i++)
		assert_true(strcmp(vin_wmi_table_key(i - 1), vin_wmi_table_key(i)) < 0);
	for (size_t i = 0; i < vin_wmi_table_size(); i++)
		assert_non_null(vin_manufacturer(vin_wmi_table_key(i)));
	assert_null(vin_manufacturer("ZZZ"));
	assert_null(vin_manufacturer("WB"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_alphabet),
		cmocka_unit_test(test_wmi_table_sorted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
