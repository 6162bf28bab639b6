/* VIN decoding (rules/vin.c) on any bytes, and the matcher's VIN handling behind it: a VIN comes
 * from the car (F190, service 09), from the technician (--vin) and from list files, so every byte
 * sequence must decode without reading past its length, and what decodes must be consistent:
 *   - valid => exactly 17 characters of the VIN alphabet, the upper-cased input, errors 0;
 *   - invalid => an error bit that the bytes justify, no structure fields;
 *   - vin_syntax_ok, vin_check_digit, vin_manufacturer agree with vin_decode;
 *   - rdb_match on the same VIN (as a C string, as the daemon passes it) gives, for a fixed
 *     database of one campaign per VIN criterion, exactly the verdict the decoded fields imply;
 *     an invalid VIN never gives not_affected (a campaign is never ruled out for missing data);
 *   - the indexed match reports every campaign the full evaluation does not rule out, with the
 *     same verdict.
 * Any violation traps, so libFuzzer and the corpus replay (make check) both report it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rdb.h"
#include "rules/rule.h"
#include "rules/vin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                         \
	do {                             \
		if (!(x))                \
			__builtin_trap(); \
	} while (0)

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

/* One campaign per criterion that reads only the VIN; ids sort in this order. */
static const char rules_src[] =
	"campaign \"A-list\" { title \"a\"; recognition vehicle_diagnosis;\n"
	"  include vins { \"WBA8E51060K734560\", \"1HGCM82633A004352\" }; }\n"
	"campaign \"B-pattern\" { title \"b\"; recognition vehicle_diagnosis;\n"
	"  affected vin[4..5] = \"8E\"; }\n"
	"campaign \"C-year\" { title \"c\"; recognition vehicle_diagnosis;\n"
	"  affected model_year >= 2020; }\n"
	"campaign \"D-wmi\" { title \"d\"; recognition vehicle_diagnosis;\n"
	"  affected wmi in { \"WBA\", \"1HG\" }; }\n"
	"campaign \"E-serial\" { title \"e\"; recognition vehicle_diagnosis;\n"
	"  affected serial 500000..999999; }\n";
enum { C_LIST, C_PATTERN, C_YEAR, C_WMI, C_SERIAL, N_CAMPS };

static void *db_img;
static struct rdb *db;

static void setup(void)
{
	struct rule_compiler *c = NULL;
	size_t len = 0;

	/* the alphabet: 33 values, one character each, nothing else */
	for (int ch = 0; ch < 256; ch++) {
		int v = vin_char_value((char)ch);

		CHECK(v >= -1 && v < 33);
		CHECK(v < 0 || alphabet[v] == (char)ch);
	}
	CHECK(rule_compiler_new(RULE_NO_FILES, &c) == 0);
	CHECK(rule_compiler_add_source(c, "vin.rules", rules_src, sizeof(rules_src) - 1) == 0);
	CHECK(rule_compiler_build(c, &db_img, &len) == 0);
	rule_compiler_free(c);
	CHECK(rdb_open_buffer(db_img, len, &db, NULL, 0) == 0);
	CHECK(rdb_campaign_count(db) == N_CAMPS);
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool north_america(char c)
{
	return c >= '1' && c <= '5';
}

/* vin_decode on exactly SIZE bytes (the replay driver and libFuzzer give exact-size buffers, so
 * ASan sees any read past the end). */
static void check_decode(const uint8_t *data, size_t size, struct vin_info *vi)
{
	const char *s = (const char *)data;
	static const char year_codes[] = "ABCDEFGHJKLMNPRSTVWXY123456789";
	const char *year;
	size_t first_bad = 0;
	bool syntax = size == VIN_LEN;

	CHECK(vin_decode(s, size, vi) == 0);
	for (size_t i = 0; i < size && !first_bad; i++)
		if (vin_char_value(upper(s[i])) < 0)
			first_bad = i + 1;
	for (size_t i = 0; i < size && syntax; i++)
		syntax = vin_char_value(s[i]) >= 0;
	CHECK(vin_syntax_ok(s, size) == syntax);

	CHECK(!(vi->errors & ~(unsigned int)(VIN_ERR_LENGTH | VIN_ERR_CHARSET |
					     VIN_ERR_CHECK_DIGIT)));
	CHECK(!!(vi->errors & VIN_ERR_LENGTH) == (size != VIN_LEN));
	CHECK(!!(vi->errors & VIN_ERR_CHARSET) == (first_bad != 0));
	CHECK(vi->bad_pos >= 0 && (size_t)vi->bad_pos == first_bad);
	CHECK(vi->valid == (vi->errors == 0));
	CHECK(vi->check_digit == VIN_CHECK_OK || vi->check_digit == VIN_CHECK_WRONG ||
	      vi->check_digit == VIN_CHECK_NOT_APPLICABLE);
	CHECK(vin_check_name(vi->check_digit) != NULL);
	for (unsigned int bit = 1; bit <= VIN_ERR_CHECK_DIGIT; bit <<= 1)
		CHECK(!(vi->errors & bit) || vin_error_name(bit));

	if (vi->errors & (VIN_ERR_LENGTH | VIN_ERR_CHARSET)) {
		/* malformed: no structure reported */
		CHECK(vi->vin[0] == 0 && vi->wmi[0] == 0 && !vi->manufacturer && !vi->region);
		CHECK(vi->n_model_years == 0 && vi->plant == 0 && vi->serial[0] == 0);
		CHECK(vi->check_digit == VIN_CHECK_NOT_APPLICABLE);
		CHECK(!(vi->errors & VIN_ERR_CHECK_DIGIT));
		return;
	}
	/* 17 characters of the alphabet, possibly lower case */
	CHECK(size == VIN_LEN && strnlen(vi->vin, sizeof(vi->vin)) == VIN_LEN);
	for (size_t i = 0; i < VIN_LEN; i++) {
		CHECK(vi->vin[i] == upper(s[i]));
		CHECK(vin_char_value(vi->vin[i]) >= 0);
	}
	CHECK(vin_syntax_ok(vi->vin, VIN_LEN));
	CHECK(vi->check_expected == vin_check_digit(vi->vin));
	CHECK((vi->check_expected >= '0' && vi->check_expected <= '9') ||
	      vi->check_expected == 'X');
	if (vi->vin[8] == vi->check_expected)
		CHECK(vi->check_digit == VIN_CHECK_OK && vi->valid);
	else if (north_america(vi->vin[0]))
		CHECK(vi->check_digit == VIN_CHECK_WRONG && vi->errors == VIN_ERR_CHECK_DIGIT &&
		      !vi->valid);
	else
		CHECK(vi->check_digit == VIN_CHECK_NOT_APPLICABLE && vi->valid);
	CHECK(memcmp(vi->wmi, vi->vin, 3) == 0 && vi->wmi[3] == 0);
	CHECK(vi->manufacturer == vin_manufacturer(vi->wmi));
	CHECK(vi->plant == vi->vin[10]);
	CHECK(memcmp(vi->serial, vi->vin + 11, 6) == 0 && vi->serial[6] == 0);
	/* model year, 49 CFR 565.15(a): position 10 cycles every 30 years; in North America a
	 * letter in position 7 means the later cycle, elsewhere both candidates stand */
	year = memchr(year_codes, vi->vin[9], sizeof(year_codes) - 1);
	if (!year)
		CHECK(vi->n_model_years == 0);
	else if (north_america(vi->vin[0]))
		CHECK(vi->n_model_years == 1 && vi->model_years[0] ==
		      1980 + (year - year_codes) + (vi->vin[6] >= 'A' ? 30 : 0));
	else
		CHECK(vi->n_model_years == 2 && vi->model_years[0] == 1980 + (year - year_codes) &&
		      vi->model_years[1] == vi->model_years[0] + 30);
}

static enum rdb_verdict yes_no(bool b)
{
	return b ? RDB_VERDICT_OPEN : RDB_VERDICT_NOT_AFFECTED;
}

/* What each campaign of rules_src must say for a VIN that decoded to VI. */
static enum rdb_verdict expected(int camp, const struct vin_info *vi)
{
	size_t in = 0;

	if (!vi->valid)
		return RDB_VERDICT_UNDETERMINED;
	switch (camp) {
	case C_LIST:
		return yes_no(!strcmp(vi->vin, "WBA8E51060K734560") ||
			      !strcmp(vi->vin, "1HGCM82633A004352"));
	case C_PATTERN:
		return yes_no(vi->vin[3] == '8' && vi->vin[4] == 'E');
	case C_YEAR:
		for (size_t k = 0; k < vi->n_model_years; k++)
			in += vi->model_years[k] >= 2020;
		if (vi->n_model_years == 0 || (in && in < vi->n_model_years))
			return RDB_VERDICT_UNDETERMINED;
		return yes_no(in > 0);
	case C_WMI:
		return yes_no(!strcmp(vi->wmi, "WBA") || !strcmp(vi->wmi, "1HG"));
	case C_SERIAL:
		for (size_t k = 0; k < 6; k++)
			if (vi->serial[k] < '0' || vi->serial[k] > '9')
				return RDB_VERDICT_NOT_AFFECTED;
		return yes_no(vi->serial[0] >= '5');
	}
	__builtin_trap();
}

static void check_match(const uint8_t *data, size_t size)
{
	struct rdb_result all[N_CAMPS + 1], idx[N_CAMPS + 1];
	struct rdb_vehicle v = { 0 };
	struct vin_info vi;
	char *str = malloc(size + 1);
	int n_all, n_idx;

	if (!str)
		return;
	/* the matcher takes a C string: the input up to its first NUL, at most 64 bytes */
	memcpy(str, data, size);
	str[size] = 0;
	CHECK(vin_decode(str, strnlen(str, 64), &vi) == 0);
	v.vin = str;
	n_all = rdb_match(db, &v, RDB_MATCH_ALL, all, N_CAMPS + 1);
	n_idx = rdb_match(db, &v, 0, idx, N_CAMPS + 1);
	CHECK(n_all == N_CAMPS && n_idx >= 0 && n_idx <= N_CAMPS);
	for (int i = 0; i < n_all; i++) {
		int j;

		CHECK(all[i].campaign == (uint32_t)i);
		CHECK(all[i].verdict == expected(i, &vi));
		CHECK(memchr(all[i].reason, 0, sizeof(all[i].reason)) && all[i].reason[0]);
		for (j = 0; j < n_idx && idx[j].campaign != all[i].campaign; j++)
			;
		if (all[i].verdict != RDB_VERDICT_NOT_AFFECTED)
			CHECK(j < n_idx);
		if (j < n_idx)
			CHECK(idx[j].verdict == all[i].verdict);
	}
	free(str);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vin_info vi;

	if (!db)
		setup();
	check_decode(data, size, &vi);
	/* the WMI lookup reads at most 3 bytes: hand it the last 3 of the input, unterminated, and
	 * compare its binary search with a scan of the table */
	if (size >= 3) {
		const char *w = (const char *)data + size - 3, *m = vin_manufacturer(w);
		bool listed = false;

		for (size_t i = 0; i < vin_wmi_table_size(); i++) {
			const char *k = vin_wmi_table_key(i);

			CHECK(k && strlen(k) == 3);
			CHECK(i == 0 || strcmp(vin_wmi_table_key(i - 1), k) < 0);
			listed |= memcmp(k, w, 3) == 0;
		}
		CHECK(listed == (m != NULL));
	}
	check_match(data, size);
	return 0;
}
