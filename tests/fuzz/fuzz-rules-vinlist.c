/* VIN list files (`include file "list.txt";`, rules/rule-vinlist.c rule_vin_list_file): a list
 * of millions of lines is read without a tokenizer, so its line splitting, trimming and error
 * positions get their own target.  The parser is only reachable through the compiler with a real
 * file (it maps the file), so each input is written to list.txt in a private temporary directory
 * and compiled from an in-memory rule source that includes it in one campaign and excludes it in
 * another.  Checked against a plain re-implementation of the documented format (one VIN per line,
 * blank lines, '#' comments on their own lines or after a VIN, spaces/tabs around, CRLF):
 *   - every diagnostic is an error in the list file at the line and column of the bad line, at
 *     most 20 per file then "too many errors";
 *   - the build succeeds exactly when no line is bad, and then the database lists each distinct
 *     VIN once per campaign, a listed VIN is open on the include list and not_affected on the
 *     exclude list, and an unlisted VIN the other way round. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rdb.h"
#include "rules/rule.h"
#include "rules/vin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                         \
	do {                             \
		if (!(x))                \
			__builtin_trap(); \
	} while (0)

/* rules/rule-vinlist.c MAX_FILE_ERRORS */
#define LIST_MAX_ERRORS 20
/* at most this many listed VINs are matched per input, to keep the fuzzer fast */
#define MATCH_MAX 16

static const char rules_src[] =
	"campaign \"I\" { title \"i\"; recognition vehicle_diagnosis; include file \"list.txt\"; }\n"
	"campaign \"X\" { title \"x\"; recognition vehicle_diagnosis; affected true;\n"
	"  exclude file \"list.txt\"; }\n";

static char dir[64], rules_path[96], list_path[96];

static void cleanup(void)
{
	(void)unlink(list_path);
	(void)rmdir(dir);
}

static void setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/fuzz-vinlist.XXXXXX", t && strlen(t) < 32 ? t : "/tmp");
	CHECK(mkdtemp(dir));
	snprintf(rules_path, sizeof(rules_path), "%s/fuzz.rules", dir);
	snprintf(list_path, sizeof(list_path), "%s/list.txt", dir);
	atexit(cleanup);
}

static void write_list(const uint8_t *data, size_t size)
{
	int fd = open(list_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t off = 0;

	CHECK(fd >= 0);
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		CHECK(n > 0);
		off += (size_t)n;
	}
	close(fd);
}

struct bad_line {
	unsigned int line, col;
	bool check_digit;		/* "check digit wrong", else "not a VIN" */
};

/* The format as rules/README.md states it: lower case is the same VIN; a North American VIN
 * (first character 1-5) with a wrong check digit is an error at position 9. */
static size_t reference(const uint8_t *data, size_t size, struct bad_line *bad, size_t bad_cap,
			char (*good)[VIN_LEN + 1], size_t good_cap, size_t *n_good)
{
	const char *s0 = (const char *)data;
	size_t pos = 0, nb = 0;
	unsigned int line = 0;

	*n_good = 0;
	while (pos < size) {
		const char *s = s0 + pos, *nl = memchr(s, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - s) : size - pos, b = 0, e = len, k;

		pos += len + 1;
		line++;
		while (b < e && (s[b] == ' ' || s[b] == '\t'))
			b++;
		/* '#' starts a comment anywhere on the line */
		for (k = b; k < e; k++)
			if (s[k] == '#') {
				e = k;
				break;
			}
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
			e--;
		if (b == e)
			continue;
		char up[VIN_LEN + 1] = "";
		bool cd = false;

		if (e - b == VIN_LEN)
			for (k = 0; k < VIN_LEN; k++)
				up[k] = s[b + k] >= 'a' && s[b + k] <= 'z' ? (char)(s[b + k] - 32)
									  : s[b + k];
		/* the first character that cannot be in a VIN, lower case being upper case */
		for (k = b; k < e && vin_char_value(s[k] >= 'a' && s[k] <= 'z' ? (char)(s[k] - 32)
									 : s[k]) >= 0; k++)
			;
		if (e - b == VIN_LEN && k == e) {
			/* ISO 3779 check digit, computed here independently of rules/vin.c */
			static const char tr[] = "0123456789.ABCDEFGH.JKLMN.P.R.STUVWXYZ";
			static const unsigned int w[VIN_LEN] = { 8, 7, 6, 5, 4, 3, 2, 10, 0,
								 9, 8, 7, 6, 5, 4, 3, 2 };
			unsigned int sum = 0;
			char want;

			for (size_t i = 0; i < VIN_LEN; i++) {
				char ch = up[i];
				unsigned int v = ch <= '9' ? (unsigned int)(ch - '0')
					: (unsigned int)((strchr(tr, ch) - tr - 11) % 9 + 1);

				sum += v * w[i];
			}
			want = sum % 11 == 10 ? 'X' : (char)('0' + sum % 11);
			if (up[0] >= '1' && up[0] <= '5' && up[8] != want) {
				cd = true;
				k = b + 8;
			} else {
				if (*n_good < good_cap)
					memcpy(good[*n_good], up, VIN_LEN + 1);
				++*n_good;
				continue;
			}
		}
		if (nb < bad_cap)
			bad[nb] = (struct bad_line){ line, (unsigned int)(k < e ? k : b) + 1, cd };
		nb++;
	}
	return nb;
}

static int vin17_cmp(const void *a, const void *b)
{
	return memcmp(a, b, VIN_LEN);
}

static enum rdb_verdict verdict_of(const struct rdb_result *res, int n, uint32_t camp)
{
	for (int i = 0; i < n; i++)
		if (res[i].campaign == camp)
			return res[i].verdict;
	return _RDB_VERDICT_MAX;
}

static void check_vin(struct rdb *db, const char *vin17, bool listed)
{
	char vin[VIN_LEN + 1];
	struct rdb_vehicle v = { .vin = vin };
	struct rdb_result all[3], idx[3];
	struct vin_info vi;
	int n_all, n_idx;

	memcpy(vin, vin17, VIN_LEN);
	vin[VIN_LEN] = 0;
	CHECK(vin_decode(vin, VIN_LEN, &vi) == 0);
	n_all = rdb_match(db, &v, RDB_MATCH_ALL, all, 3);
	n_idx = rdb_match(db, &v, 0, idx, 3);
	CHECK(n_all == 2 && n_idx >= 0 && n_idx <= 2);
	/* campaigns sort by id: 0 = "I" (include), 1 = "X" (exclude).  The list parser takes any
	 * 17 characters of the alphabet, but a North American VIN with a wrong check digit is
	 * invalid to the matcher: a car reporting it is undetermined on both lists (and such a list
	 * entry can never select a car — see corpus na-wrong-check-digit). */
	if (!vi.valid) {
		CHECK(verdict_of(all, n_all, 0) == RDB_VERDICT_UNDETERMINED);
		CHECK(verdict_of(all, n_all, 1) == RDB_VERDICT_UNDETERMINED);
	} else {
		CHECK(verdict_of(all, n_all, 0) ==
		      (listed ? RDB_VERDICT_OPEN : RDB_VERDICT_NOT_AFFECTED));
		CHECK(verdict_of(all, n_all, 1) ==
		      (listed ? RDB_VERDICT_NOT_AFFECTED : RDB_VERDICT_OPEN));
	}
	/* the VIN index must find what the full evaluation selects */
	for (uint32_t c = 0; c < 2; c++)
		if (verdict_of(all, n_all, c) != RDB_VERDICT_NOT_AFFECTED)
			CHECK(verdict_of(idx, n_idx, c) == verdict_of(all, n_all, c));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char probe[] = "WBA8E51060K734560";
	struct bad_line bad[LIST_MAX_ERRORS];
	char (*good)[VIN_LEN + 1];
	size_t nb, ng, n_list_diags, distinct = 0;
	struct rule_compiler *c = NULL;
	void *img = NULL;
	size_t len = 0;
	bool probe_listed = false;
	int r;

	if (!dir[0])
		setup();
	/* a VIN line takes at least 18 bytes; every good line is kept for the distinct count */
	good = malloc((size / 18 + 1) * sizeof(*good));
	if (!good)
		return 0;
	nb = reference(data, size, bad, LIST_MAX_ERRORS, good, size / 18 + 1, &ng);
	write_list(data, size);

	CHECK(rule_compiler_new(0, &c) == 0);
	r = rule_compiler_add_source(c, rules_path, rules_src, sizeof(rules_src) - 1);
	CHECK(r == (nb ? -EINVAL : 0));
	/* the same diagnostics for each of the two campaigns that read the list */
	n_list_diags = (nb < LIST_MAX_ERRORS ? nb : LIST_MAX_ERRORS) + (nb >= LIST_MAX_ERRORS);
	CHECK(rule_compiler_n_errors(c) == 2 * n_list_diags);
	CHECK(rule_compiler_n_diags(c) == 2 * n_list_diags);
	for (size_t i = 0; i < rule_compiler_n_diags(c); i++) {
		const struct rule_diag *d = rule_compiler_diag(c, i);
		size_t k = i % n_list_diags;
		char m[512];

		CHECK(d && d->severity == RULE_ERROR && !strcmp(d->file, list_path));
		rule_diag_format(d, m, sizeof(m));
		CHECK(m[0]);
		if (k < LIST_MAX_ERRORS && k < nb) {
			CHECK(d->line == bad[k].line && d->col == bad[k].col);
			CHECK(bad[k].check_digit ? !strncmp(d->msg, "check digit wrong", 17)
						 : !strncmp(d->msg, "not a VIN", 9));
		} else {
			/* "too many errors" on the 20th bad line */
			CHECK(d->line == bad[LIST_MAX_ERRORS - 1].line && d->col == 1);
		}
	}
	r = rule_compiler_build(c, &img, &len);
	rule_compiler_free(c);
	if (nb) {
		CHECK(r == -EINVAL && !img);
		free(good);
		return 0;
	}
	CHECK(r == 0 && img);
	{
		struct rdb *db;

		CHECK(rdb_open_buffer(img, len, &db, NULL, 0) == 0);
		CHECK(rdb_campaign_count(db) == 2);
		qsort(good, ng, sizeof(*good), vin17_cmp);
		for (size_t i = 0; i < ng; i++) {
			if (i && !memcmp(good[i - 1], good[i], VIN_LEN))
				continue;
			distinct++;
			probe_listed |= !memcmp(good[i], probe, VIN_LEN);
			if (distinct <= MATCH_MAX || i == ng - 1)
				check_vin(db, good[i], true);
		}
		CHECK(rdb_listed_vin_count(db) == 2 * distinct);
		check_vin(db, probe, probe_listed);
		rdb_close(db);
	}
	free(img);
	free(good);
	return 0;
}
