/* Database loader: any bytes are refused with a message or open, and what opens matches without
 * reading out of bounds.  The checksum would stop almost every mutation at the door, so the
 * input's checksum is recomputed first: the fuzzer then reaches the structural checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "rules/rdb-format.h"
#include "rules/rdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t bcd[] = { 0x12, 0x09, 0x17 };
	const struct rdb_did_fact facts[] = {
		{ 0x12, 0xF18B, RDB_DID_OK, bcd, 3, NULL },
		{ 0x61, 0xF189, RDB_DID_OK, (const uint8_t *)"15.2.0", 6, NULL },
	};
	const char *vins[] = { "WBA8E51060K734560", "WBY1Z41060V512345", NULL };
	struct rdb_result res[4];
	char err[RDB_ERR_MAX];
	struct rdb *db;
	uint8_t *b;

	/* the loader wants an aligned buffer, as mmap gives */
	b = aligned_alloc(8, (size + 8) & ~(size_t)7);
	if (!b)
		return 0;
	memcpy(b, data, size);
	if (size >= sizeof(struct rdb_header) && (data[0] & 1) == 0) {
		struct rdb_header *h = (struct rdb_header *)b;

		h->file_size = size;
		h->checksum = 0;
		h->checksum = XXH3_64bits(b, size);
	}
	if (rdb_open_buffer(b, size, &db, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < sizeof(vins) / sizeof(vins[0]); i++) {
			struct rdb_vehicle v = { .vin = vins[i], .dids = facts, .n_dids = 2 };
			struct rdb_campaign c;

			(void)rdb_match(db, &v, 0, res, 4);
			if (rdb_match(db, &v, RDB_MATCH_ALL, res, 4) < 0)
				__builtin_trap();
			for (uint32_t k = 0; k < rdb_campaign_count(db) && k < 4; k++)
				if (rdb_campaign_get(db, k, &c) == 0 && strlen(c.id) + strlen(c.title) +
				    strlen(c.defect) > (size_t)-2)
					__builtin_trap();
		}
		rdb_close(db);
	} else if (!err[0]) {
		__builtin_trap();
	}
	free(b);
	return 0;
}
