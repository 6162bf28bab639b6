/* Database reader: any bytes are refused with a message or open, and what opens answers lookups —
 * on the lazy path, block by block — without reading out of bounds, looping or crashing.  The
 * hash tree would stop almost every mutation at the door, so for inputs whose last byte is even
 * (the top block's padding, in a database as written) the tree and root are recomputed first
 * (tests/lib/rdb-reseal.h): the fuzzer then reaches the checks every access makes; an odd last
 * byte keeps the hashes as they are, for the block checks themselves.  What rdb_verify_all
 * accepts, a lazy lookup must answer, and the verified handle must answer the same: its
 * shortcuts (the bucket walk's stop, a long group's serial range) are only as good as the full
 * check that justifies them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rdb-format.h"
#include "rules/rdb.h"
#include "tests/lib/rdb-reseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FNV-1a over what a lookup answered, so the lazy and the verified answers can be compared */
static void mix(uint64_t *h, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ ((const uint8_t *)p)[i]) * 0x100000001b3ull;
}

static void mix_results(uint64_t *h, const struct rdb_result *res, int n)
{
	mix(h, &n, sizeof(n));
	for (int k = 0; k < n && k < 4; k++) {
		mix(h, &res[k].campaign, sizeof(res[k].campaign));
		mix(h, &res[k].verdict, sizeof(res[k].verdict));
		mix(h, &res[k].reason_code, sizeof(res[k].reason_code));
		mix(h, res[k].reason, strlen(res[k].reason));
		mix(h, res[k].evidence, strlen(res[k].evidence));
	}
}

static int lookups(struct rdb *db, uint64_t *h)
{
	static const uint8_t bcd[] = { 0x12, 0x09, 0x17 };
	const struct rdb_did_fact facts[] = {
		{ 0x12, 0xF18B, RDB_DID_OK, bcd, 3, NULL },
		{ 0x61, 0xF189, RDB_DID_OK, (const uint8_t *)"15.2.0", 6, NULL },
		{ 0x12, 0xF187, RDB_DID_OK, (const uint8_t *)"1", 1, NULL },
	};
	/* listed in the corpus's databases, and (the last two) not, around a long group's VINs */
	const char *vins[] = { "WBA8E51060K734560", "WBY1Z41060V512345", "WBA8E51060K734561",
			       "WBA8E51060K734599", "WBA8E51060K734400", NULL };
	struct rdb_result res[4];
	struct rdb_did_ref *refs;
	size_t n;
	int bad = 0;

	for (size_t i = 0; i < sizeof(vins) / sizeof(vins[0]); i++) {
		struct rdb_vehicle v = { .vin = vins[i], .dids = facts, .n_dids = 3 };
		int got = rdb_match(db, &v, 0, res, 4);

		bad |= got < 0;
		mix_results(h, res, got);
		got = rdb_match(db, &v, RDB_MATCH_ALL, res, 4);
		bad |= got < 0;
		mix_results(h, res, got);
	}
	for (uint32_t k = 0; k < rdb_campaign_count(db) && k < 8; k++) {
		struct rdb_campaign c;

		if (rdb_campaign_get(db, k, &c) == 0) {
			if (strlen(c.id) + strlen(c.title) + strlen(c.defect) > (size_t)-2)
				__builtin_trap();
		} else {
			bad = 1;
		}
	}
	if (rdb_needed_dids(db, &refs, &n) == 0)
		free(refs);
	else
		bad = 1;
	return bad;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[RDB_ERR_MAX] = "";
	struct rdb *db;
	uint8_t *b;

	/* the reader wants an aligned buffer, as its own anonymous memory is */
	b = aligned_alloc(8, (size + 8) & ~(size_t)7);
	if (!b)
		return 0;
	memcpy(b, data, size);
	if (size >= sizeof(struct rdb_header) && (data[size - 1] & 1) == 0)
		(void)rdb_test_reseal(b, size);
	if (rdb_open_buffer(b, size, &db, err, sizeof(err)) == 0) {
		uint64_t lazy_h = 0xcbf29ce484222325ull, all_h = lazy_h;
		int lazy_bad = lookups(db, &lazy_h);

		/* a database the full check accepts must not fail a lookup, and the shortcuts of the
		 * verified handle must answer as the lazy one did */
		if (rdb_verify_all(db, err, sizeof(err)) == 0 &&
		    (lazy_bad || lookups(db, &all_h) || lazy_h != all_h))
			__builtin_trap();
		rdb_close(db);
	} else if (!err[0]) {
		__builtin_trap();
	}
	free(b);
	return 0;
}
