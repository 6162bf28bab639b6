/* SPDX-License-Identifier: MIT */
/*
 * For tests and fuzz targets only: recompute a database image's hash tree and root after damaging
 * it on purpose, so the damage gets past the hashes to the checks behind them (the way an attacker
 * who can write the file would).  The header's size fields are made to fit LEN; the seal's key and
 * signature are left as they were, so a signed image resealed this way no longer verifies.
 * Returns 0, or -1 when LEN cannot hold a database of the header's block size.
 */
#ifndef RECALL_TESTS_RDB_RESEAL_H
#define RECALL_TESTS_RDB_RESEAL_H

#include <stdint.h>
#include <string.h>

#include "rules/rdb-format.h"

static inline int rdb_test_reseal(uint8_t *b, size_t len)
{
	struct rdb_header *h = (struct rdb_header *)(void *)b;
	uint64_t levels[RDB_MAX_LEVELS], n, d, total = 0, first, prev, off, per;
	unsigned int nl = 0, shift;
	size_t bs;

	if (len < sizeof(*h))
		return -1;
	shift = h->block_shift;
	if (shift < 9 || shift > 16)
		return -1;
	bs = (size_t)1 << shift;
	per = bs / RDB_HASH_LEN;
	if (len % bs || len < 3 * bs)
		return -1;
	n = len / bs;
	/* the number of data blocks D with 1 + D + tree(D) == n, if there is one */
	for (d = n - 2; d >= 1; d--) {
		nl = rdb_tree_levels(d, shift, levels);
		total = 1 + d;
		for (unsigned int k = 0; k < nl; k++)
			total += levels[k];
		if (total <= n)
			break;
	}
	if (d < 1 || total != n || !nl)
		return -1;
	h->file_size = len;
	h->data_blocks = d;
	h->tree_levels = nl;
	first = 1;
	prev = d;
	off = 1 + d;
	for (unsigned int k = 0; k < nl; k++) {
		memset(b + off * bs, 0, levels[k] * bs);
		for (uint64_t i = 0; i < prev; i++)
			rdb_hash(b + (first + i) * bs, bs,
				 b + (off + i / per) * bs + (i % per) * RDB_HASH_LEN);
		first = off;
		prev = levels[k];
		off += levels[k];
	}
	rdb_root_hash(b, b + first * bs, shift, h->root);
	return 0;
}

#endif
