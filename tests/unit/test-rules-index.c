/* The candidate index (WMI and VIN positions 1-5 buckets) is only a shortcut: for random rule sets
 * and VINs, indexed matching must report every campaign that matching all campaigns reports as
 * anything but not_affected, with the same verdict and reason. */
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

#define N_CAMPS 40
#define N_VINS 300
#define ROUNDS 60

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static unsigned int below(unsigned int n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned int)((rng * 0x2545F4914F6CDD1Dull) >> 33) % n;
}

/* A small alphabet so that random patterns and random VINs meet often. */
static const char alpha[] = "WBAY1";

static void put(char **p, char *end, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*p, (size_t)(end - *p), fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && n < end - *p);
	*p += n;
}

static void cond(char **p, char *end, int depth)
{
	unsigned int k = below(depth > 0 ? 10 : 7);

	switch (k) {
	case 6:
		/* the shape makers use most: a WMI and the model code in positions 4-5 */
		put(p, end, "(wmi in {\"%c%c%c\"} and vin[4..5] = \"%c%c\")", alpha[below(5)],
		    alpha[below(5)], alpha[below(5)], alpha[below(5)], alpha[below(5)]);
		break;
	case 0: {
		unsigned int n = 1 + below(3);

		put(p, end, "wmi in {");
		for (unsigned int i = 0; i < n; i++)
			put(p, end, "%s\"%c%c%c\"", i ? ", " : "", alpha[below(5)], alpha[below(5)],
			    alpha[below(5)]);
		put(p, end, "}");
		break;
	}
	case 1:
	case 2: {
		unsigned int from = 1 + below(6), len = 1 + below(5);

		put(p, end, "vin[%u..%u] = \"", from, from + len - 1);
		for (unsigned int i = 0; i < len; i++)
			put(p, end, "%c", below(4) ? alpha[below(5)] : '?');
		put(p, end, "\"");
		break;
	}
	case 3:
		put(p, end, "ecu 0x61 did 0xF189 = \"1\"");
		break;
	case 4:
		put(p, end, "serial %u .. %u", below(400000), 400000 + below(600000));
		break;
	case 5:
		put(p, end, below(2) ? "true" : "false");
		break;
	case 7:
		put(p, end, "not (");
		cond(p, end, depth - 1);
		put(p, end, ")");
		break;
	default: {
		unsigned int n = 2 + below(3);

		put(p, end, "(");
		for (unsigned int i = 0; i < n; i++) {
			if (i)
				put(p, end, k == 8 ? " and " : " or ");
			cond(p, end, depth - 1);
		}
		put(p, end, ")");
		break;
	}
	}
}

static void random_vin(char vin[18])
{
	static const char rest[] = "51060K734560";

	for (int i = 0; i < 5; i++)
		vin[i] = alpha[below(5)];
	memcpy(vin + 5, rest, sizeof(rest));
}

static unsigned int round_no;

static void one_round(void)
{
	static char src[N_CAMPS * 1024];
	char *p = src, *end = src + sizeof(src), err[RDB_ERR_MAX];
	struct rdb_result *all, *idx;
	struct rule_compiler *c;
	struct rdb *db;
	void *img;
	size_t len;

	for (int i = 0; i < N_CAMPS; i++) {
		put(&p, end, "campaign \"C%02d\" { title \"t\"; affected ", i);
		cond(&p, end, 3);
		put(&p, end, ";");
		if (below(4) == 0)
			put(&p, end, " include vins { \"WBAWB51060K734560\" };");
		put(&p, end, " }\n");
	}
	assert_int_equal(rule_compiler_new(RULE_NO_FILES, &c), 0);
	if (rule_compiler_add_source(c, "random", src, (size_t)(p - src)) < 0) {
		char m[512];

		rule_diag_format(rule_compiler_diag(c, 0), m, sizeof(m));
		fail_msg("%s\n%s", m, src);
	}
	assert_int_equal(rule_compiler_build(c, &img, &len), 0);
	rule_compiler_free(c);
	assert_int_equal(rdb_open_buffer(img, len, &db, err, sizeof(err)), 0);
	/* every other round on a verified handle, as recalld holds it: the matcher takes its own
	 * paths there (both searches of the candidate index in one loop, early ends of a bucket) */
	if (round_no++ % 2)
		assert_int_equal(rdb_verify_all(db, err, sizeof(err)), 0);

	all = calloc(N_CAMPS, sizeof(*all));
	idx = calloc(N_CAMPS, sizeof(*idx));
	assert_non_null(all);
	assert_non_null(idx);
	for (int v = 0; v < N_VINS; v++) {
		char vin[18];
		struct rdb_vehicle veh = { .vin = vin };
		int na, ni, j = 0;

		if (v == 0)
			memcpy(vin, "WBAWB51060K734560", 18);
		else
			random_vin(vin);
		na = rdb_match(db, &veh, RDB_MATCH_ALL, all, N_CAMPS);
		ni = rdb_match(db, &veh, 0, idx, N_CAMPS);
		assert_int_equal(na, N_CAMPS);
		assert_in_range(ni, 0, N_CAMPS);
		/* both ascending by campaign: walk them together */
		for (int i = 0; i < na; i++) {
			if (all[i].verdict == RDB_VERDICT_NOT_AFFECTED) {
				if (j < ni && idx[j].campaign == all[i].campaign)
					j++;
				continue;
			}
			if (j >= ni || idx[j].campaign != all[i].campaign)
				fail_msg("VIN %s: campaign C%02u (%s: %s) missed by the index\n%s", vin,
					 all[i].campaign, rdb_verdict_name(all[i].verdict),
					 all[i].reason, src);
			assert_int_equal(idx[j].verdict, all[i].verdict);
			assert_string_equal(idx[j].reason, all[i].reason);
			j++;
		}
		assert_int_equal(j, ni);
	}
	free(all);
	free(idx);
	rdb_close(db);
	free(img);
}

static void test_index_equals_full_scan(void **state)
{
	(void)state;
	for (int r = 0; r < ROUNDS; r++)
		one_round();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_equals_full_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
