/* SPDX-License-Identifier: MIT */
/*
 * On-disk format of a recall database (format 4), shared by the compiler (rule-build.c), the
 * signer (rdb-sign.c) and the reader (rdb.c, match.c, needs.c).  rules/README.md "Database format"
 * says the same in prose.
 *
 * Everything is little-endian and fixed-width; references are offsets or indexes, never pointers.
 * The file is a sequence of blocks of 2^block_shift bytes (4096):
 *
 *   block 0            header, then the section table; the rest zero
 *   blocks 1..D        the sections (data), each section 8-aligned, zero padding between
 *   tree, level 0      BLAKE2b-256 of every data block, 128 per block, in block order
 *   tree, level k      BLAKE2b-256 of every block of level k-1; the last level is one block
 *
 * The root hash covers block 0 (with the seal — root, signer key, signature — read as zero) and
 * the top block of the tree, so it covers every byte of the file; an Ed25519 signature over it
 * seals the whole database.  A reader checks block 0 and the top block at open and every other
 * block against its hash the first time it is read (rdb.c); nothing is trusted that was not
 * verified, and every offset and count is still checked where it is used, because a well-hashed
 * file is not necessarily a well-formed one (any unsigned file is "well-hashed").
 *
 * Sizes of records are stored per section so records can grow at their end without a format
 * version bump (readers use the stored stride).
 */
#ifndef RECALL_RULES_RDB_FORMAT_H
#define RECALL_RULES_RDB_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/rdb.h"
#include "rules/vin-key.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* The file is little-endian and read in place; a big-endian port needs byte-swapping readers. */
#error "rules/: little-endian hosts only"
#endif

#define RDB_MAGIC "RCLLRDB\x1a"		/* 8 bytes; \x1a stops `type` on DOS-ish tools */
/*
 * 2: index keys may be VIN positions 1-5; VIN prefixes in a hash table.
 * 3: blocks under a hash tree and a signature; VIN entries of 8 bytes; 64-bit ECU keys; the DIDs
 *    the rules read as a section.
 * 4: the listed VINs in buckets behind a small index instead of a hash table of slots (one
 *    dependent cache miss per lookup instead of two).  Readers take only 4.
 */
#define RDB_FORMAT_VERSION 4
#define RDB_TOOL_VERSION "recallc 0.1.0"
#define RDB_NONE UINT32_MAX
#define RDB_MAX_DEPTH 64		/* expression nesting, enforced by compiler and reader */
#define RDB_ALIGN 8
#define RDB_BLOCK_SHIFT 12		/* what the compiler writes; readers take 9..16 */
#define RDB_HASH_LEN 32			/* BLAKE2b-256 */
#define RDB_MAX_SECTIONS 64
#define RDB_MAX_STRING (64 * 1024)	/* longest string, NUL excluded (compiler and reader) */

struct rdb_header {
	char magic[8];
	uint32_t format_version;
	uint32_t header_size;		/* sizeof(struct rdb_header) when written */
	char tool_version[32];		/* NUL-terminated */
	uint64_t file_size;		/* (1 + data_blocks + tree blocks) << block_shift */
	uint32_t block_shift;
	uint32_t n_sections;
	uint64_t section_table;		/* offset in block 0 of n_sections struct rdb_section */
	uint32_t section_size;		/* sizeof(struct rdb_section) */
	uint32_t tree_levels;		/* follows from data_blocks; stored as a cross-check */
	uint64_t data_blocks;		/* D: blocks 1..D hold the sections */
	uint64_t n_campaigns;
	uint64_t n_listed_vins;
	uint64_t reserved0;
	/* The seal: read as zero while the root is computed. */
	uint8_t root[RDB_HASH_LEN];	/* rdb_root_hash() */
	uint8_t signer_key[32];		/* Ed25519 public key; all zero = unsigned */
	uint8_t signature[64];		/* Ed25519 over RDB_SIGN_CONTEXT || root */
	uint8_t reserved[32];
};
_Static_assert(sizeof(struct rdb_header) == 272, "header layout");

#define RDB_SEAL_OFFSET offsetof(struct rdb_header, root)
#define RDB_SEAL_SIZE (RDB_HASH_LEN + 32 + 64)
#define RDB_SIGN_CONTEXT "recalld database root v3"	/* 24 bytes, NUL not signed */
#define RDB_ROOT_CONTEXT "recalld-rdb-v3-root"		/* hashed before block 0 */

enum rdb_section_id {
	RDB_SEC_STRINGS = 1,		/* NUL-terminated UTF-8 strings, entry 1 byte, ends with NUL */
	RDB_SEC_CAMPAIGNS,		/* struct rdb_campaign_rec, sorted by id */
	RDB_SEC_NODES,			/* struct rdb_node, children before parents */
	RDB_SEC_ARGS,			/* uint32_t: packed WMIs, node indexes or string offsets */
	RDB_SEC_WMI_INDEX,		/* struct rdb_wmi_ent sorted by key (WMI or VIN 1-5) */
	RDB_SEC_CANDIDATES,		/* uint32_t campaign indexes, ascending per WMI bucket */
	RDB_SEC_GENERIC,		/* uint32_t campaigns whose criteria do not fix the WMI */
	RDB_SEC_VIN_BUCKETS,		/* uint32_t: where each bucket of VIN_GROUPS starts */
	RDB_SEC_VIN_ENTRIES,		/* uint64_t rdb_vin_entry() of the long groups */
	RDB_SEC_NEEDED_DIDS,		/* struct rdb_did_rec, sorted, unique */
	RDB_SEC_CAMPAIGN_BITS,		/* uint8_t RDB_CB_* per campaign, parallel to CAMPAIGNS */
	RDB_SEC_VIN_GROUPS,		/* uint64_t words: groups of listed VINs, by bucket */
	_RDB_SEC_MAX
};

struct rdb_section {
	uint32_t id;
	uint32_t entry_size;
	uint64_t offset;		/* from file start, in the data blocks, RDB_ALIGN-aligned */
	uint64_t count;
};

enum rdb_cstr {
	RDB_S_ID, RDB_S_TITLE, RDB_S_MAKE, RDB_S_KBA, RDB_S_NHTSA, RDB_S_DEFECT, RDB_S_REMEDY,
	RDB_S_COST, RDB_S_LABOUR, RDB_S_RECOG, RDB_S_HOTLINE, RDB_S_EXTENDS, RDB_S_SUPERSEDES,
	RDB_S_COUNT
};

enum { RDB_BD_NONE = 0, RDB_BD_BCD, RDB_BD_ASCII };
/*
 * What deciding a VIN on a campaign's list needs beyond the list: a campaign with neither is
 * open for every VIN on its include list.  One byte per campaign stays in the cache where the
 * 96-byte records of 100 000 campaigns do not, so a listed VIN's lookup reads no record.
 */
enum { RDB_CB_REMEDIED = 1, RDB_CB_INSPECT = 2 };
/* Campaign flags.  DO_NOT_DRIVE and PARK_OUTSIDE came after format 3 was first written: a reader
 * that does not know them ignores them (they change no verdict). */
enum {
	RDB_CF_INCLUDE = 1,
	RDB_CF_EXCLUDE = 2,
	RDB_CF_DO_NOT_DRIVE = 4,
	RDB_CF_PARK_OUTSIDE = 8,
};

/*
 * ECU keys are 64 bits on disk: today the technician's address zero-extended (0x7E0, 0x12); the
 * can/ layer may define a packing of request:response pairs into them without a format change.
 */
struct rdb_campaign_rec {
	uint32_t str[RDB_S_COUNT];	/* offsets into STRINGS; 0 is the empty string */
	uint32_t start_date;		/* YYYYMMDD or 0 */
	uint32_t affected;		/* node index or RDB_NONE (then only the VIN list selects) */
	uint32_t remedied;
	uint32_t inspect;
	/* The campaign's nodes are [node_lo, node_hi): an expression reaches no other node, and
	 * deciding the campaign evaluates each at most once (a reader's budget). */
	uint32_t node_lo, node_hi;
	uint16_t bd_did;		/* build date source */
	uint8_t bd_format;		/* RDB_BD_* */
	uint8_t remedy_kind;
	uint8_t recognition;
	uint8_t flags;			/* RDB_CF_* */
	uint16_t pad;			/* explicit, so every byte written is defined */
	uint32_t pad2;
	uint64_t bd_ecu;
};
_Static_assert(sizeof(struct rdb_campaign_rec) % 8 == 0, "campaign record layout");

enum rdb_op {
	RDB_OP_TRUE = 1, RDB_OP_FALSE, RDB_OP_UNKNOWN,
	RDB_OP_AND,			/* ARGS[a .. a+b): children, earlier nodes */
	RDB_OP_OR,
	RDB_OP_NOT,			/* a: child, an earlier node */
	RDB_OP_WMI_IN,			/* ARGS[a .. a+b): packed WMIs */
	RDB_OP_VIN_PAT,			/* a: first position (0-based), b: length, c: pattern string */
	RDB_OP_SERIAL,			/* positions 12-17 as a number in a .. b */
	RDB_OP_MODEL_YEAR,		/* a .. b */
	RDB_OP_BUILD_DATE,		/* YYYYMMDD a .. b, from the campaign's build date source */
	RDB_OP_ECU_PRESENT,		/* ecu */
	RDB_OP_DID_CMP,			/* ecu, did, cmp, c: value string */
	RDB_OP_DID_IN,			/* ecu, did, ARGS[b .. b+c): value strings */
	_RDB_OP_MAX
};

enum rdb_cmp { RDB_CMP_EQ = 0, RDB_CMP_NE, RDB_CMP_LT, RDB_CMP_LE, RDB_CMP_GT, RDB_CMP_GE };

struct rdb_node {
	uint8_t op;
	uint8_t cmp;
	uint16_t did;
	uint32_t a, b, c;
	uint64_t ecu;
};
_Static_assert(sizeof(struct rdb_node) == 24, "node layout");

struct rdb_wmi_ent {
	uint32_t wmi;			/* index key, see RDB_KEY5_BASE */
	uint32_t start;			/* into CANDIDATES */
	uint32_t count;
};

/*
 * The listed VINs, grouped by VIN positions 1-11 (a group), the groups hashed into buckets.
 *
 *   VIN_BUCKETS  uint32_t[n_buckets + 1]: bucket b is the words [B[b], B[b + 1]) of VIN_GROUPS;
 *                B[0] = 0, never decreasing, B[n_buckets] = the number of words.  A group's
 *                bucket is rdb_vin_bucket(prefix, n_buckets).  About sixteen groups per bucket
 *                (rule-build.c says why): the index is 280 KB for 10M VINs and stays in the
 *                caches, so the lookup's one cache miss is its bucket, whose lines (a dozen)
 *                are asked for together.
 *   VIN_GROUPS   uint64_t words, bucket after bucket, each bucket's groups by ascending prefix:
 *                short group (1..RDB_GROUP_SHORT_MAX VINs): rdb_group_word(prefix, n), then its
 *                    n entries (rdb_vin_entry(), strictly ascending) in place;
 *                long group (more): rdb_group_word(prefix, 0), then
 *                    (uint64_t)last_suffix << 32 | count, and (uint64_t)first_suffix << 32 |
 *                    start — its entries are VIN_ENTRIES[start .. start + count), strictly
 *                    ascending; the long groups' entries follow one another there in the order
 *                    of the groups, and the suffixes of the first and last entry let a reader
 *                    aim its search before it reads any entry (rdb_verify_all checks them).
 *
 * So a bucket is about a dozen cache lines (the groups of a production run's VINs sharing
 * positions 1-11 are small), and a group of hundreds costs one more round: the lines around the place
 * its serial number is interpolated to.  The compiler writes the long form exactly for groups of
 * more than RDB_GROUP_SHORT_MAX VINs; the count of listed VINs is the header's n_listed_vins.
 */
#define RDB_GROUP_SHORT_MAX 16
#define RDB_GROUP_PREFIX_MASK ((1ull << 56) - 1)

static inline uint64_t rdb_group_word(uint64_t prefix, uint32_t n_short)
{
	return prefix | (uint64_t)n_short << 56;
}

static inline uint32_t rdb_vin_bucket(uint64_t prefix, uint32_t n_buckets)
{
	/* Fibonacci hashing spreads the base-33 keys (whose high digits are few WMIs); the
	 * multiply-shift maps onto any number of buckets without a division */
	return (uint32_t)(((unsigned __int128)(prefix * 0x9E3779B97F4A7C15ull) * n_buckets) >> 64);
}

/*
 * A listed VIN within its group: positions 12-17 packed (31 bits) above the campaign reference
 * (campaign << 1 | exclude), so one 8-byte load answers both, and the entries of a group sort by
 * VIN, then campaign.
 */
static inline uint64_t rdb_vin_entry(uint32_t suffix, uint32_t ref)
{
	return (uint64_t)suffix << 32 | ref;
}

/* The (ECU, DID) pairs the rules read (RDB_SEC_NEEDED_DIDS). */
struct rdb_did_rec {
	uint64_t ecu;
	uint16_t did;
	uint16_t pad[3];
};
_Static_assert(sizeof(struct rdb_did_rec) == 16, "needed DID layout");

/* ---- helpers shared by writer and reader (rdb-hash.c, text.c) ---- */

/* Blocks of each tree level for D data blocks with 2^shift-byte blocks: fills levels[0..] (at
 * most RDB_MAX_LEVELS) and returns their number. */
#define RDB_MAX_LEVELS 8
unsigned int rdb_tree_levels(uint64_t data_blocks, unsigned int shift,
			     uint64_t levels[RDB_MAX_LEVELS]);
void rdb_hash(const void *data, size_t len, uint8_t out[RDB_HASH_LEN]);
/* The root over BLOCK0 (2^shift bytes, the seal read as zero) and the tree's top block. */
void rdb_root_hash(const uint8_t *block0, const uint8_t *top, unsigned int shift,
		   uint8_t out[RDB_HASH_LEN]);

/* Length of the valid UTF-8 sequence at s (1-4), 0 if invalid (overlong, surrogate, > U+10FFFF). */
size_t rdb_utf8_len(const unsigned char *s, size_t avail);
/* Text as the database stores it: valid UTF-8 without control characters (C0 other than tab and
 * newline, DEL, C1).  Returns the offset of the first offending byte, or len when all is well. */
size_t rdb_text_check(const unsigned char *s, size_t len);
/* A real calendar date within 1900-2199 (the compiler's and the reader's rule alike). */
bool rdb_date_valid(unsigned int y, unsigned int m, unsigned int d);

#endif
