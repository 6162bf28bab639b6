/* SPDX-License-Identifier: MIT */
/*
 * The hash tree of a database (rdb-format.h): BLAKE2b-256 from libsodium, a cryptographic hash,
 * because the root is what a signature covers — a checksum like XXH3 stops damage, not someone
 * who rewrites the file and recomputes it.
 */
#include <string.h>

#include <sodium.h>

#include "rules/rdb-format.h"

unsigned int rdb_tree_levels(uint64_t data_blocks, unsigned int shift,
			     uint64_t levels[RDB_MAX_LEVELS])
{
	uint64_t per = ((uint64_t)1 << shift) / RDB_HASH_LEN, n = data_blocks;
	unsigned int k = 0;

	/* one level at least, so the top is always a block of hashes */
	do {
		if (k == RDB_MAX_LEVELS)
			return 0;
		n = (n + per - 1) / per;
		levels[k++] = n ? n : 1;
	} while (n > 1);
	return k;
}

void rdb_hash(const void *data, size_t len, uint8_t out[RDB_HASH_LEN])
{
	crypto_generichash(out, RDB_HASH_LEN, data, len, NULL, 0);
}

void rdb_root_hash(const uint8_t *block0, const uint8_t *top, unsigned int shift,
		   uint8_t out[RDB_HASH_LEN])
{
	static const uint8_t zero[RDB_SEAL_SIZE];
	size_t bs = (size_t)1 << shift;
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, RDB_HASH_LEN);
	crypto_generichash_update(
		&st, (const uint8_t *)RDB_ROOT_CONTEXT, sizeof(RDB_ROOT_CONTEXT) - 1);
	crypto_generichash_update(&st, block0, RDB_SEAL_OFFSET);
	crypto_generichash_update(&st, zero, RDB_SEAL_SIZE);
	crypto_generichash_update(&st, block0 + RDB_SEAL_OFFSET + RDB_SEAL_SIZE,
				  bs - RDB_SEAL_OFFSET - RDB_SEAL_SIZE);
	crypto_generichash_update(&st, top, bs);
	crypto_generichash_final(&st, out, RDB_HASH_LEN);
}
