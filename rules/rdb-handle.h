/* SPDX-License-Identifier: MIT */
/*
 * The open database handle, shared by the reader (rdb.c), the matcher (match.c) and needs.c.
 *
 * The file's bytes live in `mem`: for a file, a private anonymous mapping of the file's size into
 * which each block is read (pread) and checked against its hash on first use; for a buffer, the
 * caller's bytes, checked the same way.  Either way nothing changes under a reader once checked:
 * a file overwritten in place cannot move bytes already read, and a block read after the change
 * fails its hash.  Anonymous memory cannot SIGBUS, whatever happens to the file.
 *
 * Accessors return NULL after recording the error (rdb_error()); callers propagate it.
 */
#ifndef RECALL_RULES_RDB_HANDLE_H
#define RECALL_RULES_RDB_HANDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "rules/rdb-format.h"

struct rdb_sec {
	uint64_t off;			/* file offset */
	uint64_t count;
	uint32_t stride;
	const char *name;
};

struct rdb {
	uint8_t *mem;
	size_t size;
	bool own;			/* mem is our mapping */
	bool all;			/* every block checked: accessors skip the bitmap */
	int fd;				/* -1 for buffers and once everything is read */
	unsigned int shift;
	uint64_t n_blocks;
	uint64_t *present;		/* bit per block: read and checked */
	unsigned int n_levels;
	uint64_t level_start[RDB_MAX_LEVELS], level_blocks[RDB_MAX_LEVELS];
	/* Block 0 and the tree's top, checked at open.  For a file they are kept apart from mem:
	 * open then touches no page of the big mapping (a page fault there costs more than the
	 * rest of the open in a VM). */
	uint8_t *b0, *top;
	uint64_t top_block;
	bool own_b0_top;
	struct stat st;			/* at open: tells a file replaced in place */
	struct rdb_header h;		/* copy of the checked header */
	struct rdb_sec sec[_RDB_SEC_MAX];
	char *path;
	enum rdb_signer_state signer;
	char key_id[RDB_KEY_ID_LEN + 1];
	char *signer_name;
	int err;
	char errmsg[RDB_ERR_MAX];
};

/* A block of the hash tree, checked (or its parent checked) before use. */
static inline const uint8_t *rdb_tree_block(const struct rdb *db, uint64_t b)
{
	return b == db->top_block ? db->top : db->mem + (b << db->shift);
}

/* Reads and checks the blocks under [off, off + len) (rdb.c); 0 or a negative errno, recorded. */
int rdb_fault(const struct rdb *db, uint64_t off, uint64_t len);
/* Records an error of a damaged file; returns -EBADMSG. */
int rdb_bad(const struct rdb *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline bool rdb_present(const struct rdb *db, uint64_t b)
{
	return db->present[b >> 6] >> (b & 63) & 1;
}

/* [off, off + len) of the file, checked; the range must lie within the file (callers check). */
static inline const void *rdb_bytes(const struct rdb *db, uint64_t off, uint64_t len)
{
	if (!db->all && len) {
		uint64_t b0 = off >> db->shift, b1 = (off + len - 1) >> db->shift;

		if ((b1 > b0 + 1 || !rdb_present(db, b0) || !rdb_present(db, b1)) &&
		    rdb_fault(db, off, len) < 0)
			return NULL;
	}
	return db->mem + off;
}

/* Records [i, i + n) of section S; NULL (error recorded) when out of the section or unreadable. */
static inline const void *rdb_recs(const struct rdb *db, enum rdb_section_id s, uint64_t i,
				   uint64_t n)
{
	const struct rdb_sec *x = &db->sec[s];

	if (i > x->count || n > x->count - i) {
		rdb_bad(db, "%s: records %llu..+%llu beyond its %llu", x->name,
			(unsigned long long)i, (unsigned long long)n, (unsigned long long)x->count);
		return NULL;
	}
	return rdb_bytes(db, x->off + i * x->stride, n * x->stride);
}

static inline const struct rdb_campaign_rec *rdb_camp_at(const struct rdb *db, uint32_t i)
{
	return rdb_recs(db, RDB_SEC_CAMPAIGNS, i, 1);
}

static inline const struct rdb_node *rdb_node_at(const struct rdb *db, uint32_t i)
{
	return rdb_recs(db, RDB_SEC_NODES, i, 1);
}

static inline const uint32_t *rdb_u32s(const struct rdb *db, enum rdb_section_id s, uint64_t i,
				       uint64_t n)
{
	return rdb_recs(db, s, i, n);
}

/* The string at OFF of the string table: bounds, NUL, length and text rules checked (rdb.c). */
const char *rdb_str(const struct rdb *db, uint32_t off);

/* Version ordering used by <, <=, >, >= on DID values (rules/README.md). */
int rdb_version_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
