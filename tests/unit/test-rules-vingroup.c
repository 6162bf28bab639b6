/* The search of a VIN within its group (the listed VINs sharing positions 1-11) interpolates on
 * the serial number and falls back to a binary search; whatever the serials — a production run,
 * two runs far apart, letters, one VIN on several lists, groups around the size where the
 * interpolation starts — every listed VIN must be found on exactly its lists and every other VIN
 * of the group on none, through a lazy handle and through one verified at open. */
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

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static unsigned int below(unsigned int n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned int)((rng * 0x2545F4914F6CDD1Dull) >> 33) % n;
}

#define MAX_GROUP 700
#define PREFIX "WBA8E510X0K"	/* positions 1-11; European, so no check digit rule */

struct listed {
	char serial[7];
	bool inc, exc;			/* on campaign INC's include list, EXC's exclude list */
};

static struct listed g[MAX_GROUP];
static size_t n_g;

static int by_serial(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->serial, ((const struct listed *)b)->serial);
}

static const struct listed *find(const char *serial)
{
	struct listed key;

	memcpy(key.serial, serial, 7);
	return bsearch(&key, g, n_g, sizeof(g[0]), by_serial);
}

static void add_serial(const char *s)
{
	if (n_g >= MAX_GROUP || find(s) || !strcmp(s, "000000"))
		return;
	memcpy(g[n_g].serial, s, 7);
	/* most on one list, some on both: one VIN, two entries in its group */
	g[n_g].inc = below(4) != 0;
	g[n_g].exc = !g[n_g].inc || below(5) == 0;
	n_g++;
	qsort(g, n_g, sizeof(g[0]), by_serial);
}

static void add_number(unsigned int v)
{
	char s[12];

	snprintf(s, sizeof(s), "%06u", v % 1000000);
	add_serial(s);
}

enum shape { RUN, TWO_RUNS, LETTERS, SPARSE };

static void make_group(enum shape shape, size_t n)
{
	unsigned int v = below(900000);

	n_g = 0;
	while (n_g < n) {
		switch (shape) {
		case RUN:	/* a production run: mostly consecutive, some gaps */
			add_number(v);
			v += 1 + (below(8) == 0);
			break;
		case TWO_RUNS:	/* the interpolation's guess lands far from either run */
			add_number(n_g < n / 4 ? 10 + n_g : 950000 + n_g);
			break;
		case LETTERS: {
			char s[7];

			for (int i = 0; i < 6; i++)
				s[i] = alphabet[below(33)];
			s[6] = 0;
			add_serial(s);
			break;
		}
		case SPARSE:
			add_number(below(1000000));
			break;
		}
	}
}

static void put(char **p, char *end, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(*p, (size_t)(end - *p), fmt, ap);
	va_end(ap);
	assert_true(k >= 0 && k < end - *p);
	*p += k;
}

static struct rdb *compile(void **img, unsigned int flags)
{
	static char text[128 * 1024];
	char *p = text, *end = text + sizeof(text), err[RDB_ERR_MAX];
	struct rdb_open_opts o = { .flags = flags };
	struct rule_compiler *c;
	struct rdb *db;
	size_t len;
	bool any;

	put(&p, end, "campaign \"INC\" { title \"t\"; recognition vehicle_diagnosis;\n"
		     "\tinclude vins { \"" PREFIX "000000\"");
	for (size_t i = 0; i < n_g; i++)
		if (g[i].inc)
			put(&p, end, ", \"" PREFIX "%s\"", g[i].serial);
	put(&p, end, " };\n}\ncampaign \"EXC\" { title \"t\"; recognition vehicle_diagnosis;\n"
		     "\taffected wmi in {\"WBA\"};\n");
	any = false;
	for (size_t i = 0; i < n_g; i++)
		if (g[i].exc) {
			put(&p, end, "%s\"" PREFIX "%s\"", any ? ", " : "\texclude vins { ",
			    g[i].serial);
			any = true;
		}
	put(&p, end, "%s}\n", any ? " };\n" : "");
	assert_int_equal(rule_compiler_new(0, &c), 0);
	assert_int_equal(rule_compiler_add_source(c, "group.rules", text, strlen(text)), 0);
	assert_int_equal(rule_compiler_n_errors(c), 0);
	assert_int_equal(rule_compiler_build(c, img, &len), 0);
	rule_compiler_free(c);
	assert_int_equal(rdb_open_buffer_with(*img, len, &o, &db, err, sizeof(err)), 0);
	return db;
}

/* The verdicts of the two campaigns for PREFIX + SERIAL against what the lists say. */
static void check_vin(struct rdb *db, const char *serial)
{
	const struct listed *l = find(serial);
	bool inc = l ? l->inc : !strcmp(serial, "000000"), exc = l && l->exc;
	struct rdb_result res[4];
	char vin[18];
	struct rdb_vehicle v = { .vin = vin };
	bool seen_inc = false, seen_exc = false;
	int n;

	snprintf(vin, sizeof(vin), PREFIX "%s", serial);

	n = rdb_match(db, &v, 0, res, 4);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		struct rdb_campaign c;

		assert_int_equal(rdb_campaign_get(db, res[i].campaign, &c), 0);
		if (!strcmp(c.id, "INC")) {
			seen_inc = true;
			if (res[i].verdict != (inc ? RDB_VERDICT_OPEN : RDB_VERDICT_NOT_AFFECTED))
				fail_msg("%s: INC %s, listed %d", vin,
					 rdb_verdict_name(res[i].verdict), inc);
		} else {
			seen_exc = true;
			if (res[i].verdict != (exc ? RDB_VERDICT_NOT_AFFECTED : RDB_VERDICT_OPEN))
				fail_msg("%s: EXC %s, excluded %d", vin,
					 rdb_verdict_name(res[i].verdict), exc);
		}
	}
	/* indexed: an include-only campaign is a candidate only for the VINs it lists */
	if (seen_inc != inc)
		fail_msg("%s: INC %s, listed %d", vin, seen_inc ? "reported" : "missing", inc);
	assert_true(seen_exc);
}

static void check_group(unsigned int flags)
{
	void *img;
	struct rdb *db = compile(&img, flags);
	char s[12];

	for (size_t i = 0; i < n_g; i++) {
		unsigned int v;

		check_vin(db, g[i].serial);
		/* its neighbours, listed or not */
		if (sscanf(g[i].serial, "%6u", &v) == 1 && strspn(g[i].serial, "0123456789") == 6) {
			snprintf(s, sizeof(s), "%06u", (v + 1) % 1000000);
			check_vin(db, s);
			snprintf(s, sizeof(s), "%06u", (v + 999999) % 1000000);
			check_vin(db, s);
		}
	}
	/* before the first, after the last, anywhere */
	check_vin(db, "000000");
	check_vin(db, "ZZZZZZ");
	for (int k = 0; k < 200; k++) {
		for (int i = 0; i < 6; i++)
			s[i] = alphabet[below(k & 1 ? 10 : 33)];
		s[6] = 0;
		check_vin(db, s);
	}
	rdb_close(db);
	free(img);
}

static void test_groups(void **state)
{
	/* around 16, where the interpolation starts, and groups of hundreds */
	static const size_t sizes[] = { 1, 2, 15, 16, 17, 18, 33, 100, 450, 690 };

	(void)state;
	for (int shape = RUN; shape <= SPARSE; shape++)
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			make_group((enum shape)shape, sizes[k]);
			check_group(0);
			check_group(RDB_OPEN_VERIFY_ALL);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
