/* SPDX-License-Identifier: MIT */
/*
 * On-disk format of a recall database, shared by the compiler (rule-build.c) and the loader
 * (rdb.c, match.c).  Everything is little-endian and fixed-width; references are offsets or
 * indexes, never pointers.  Sizes of records are stored per section so records can grow at their
 * end without a format version bump (readers use the stored stride).
 */
#ifndef RECALL_RULES_RDB_FORMAT_H
#define RECALL_RULES_RDB_FORMAT_H

#include <stdint.h>

#include "rules/rdb.h"
#include "rules/vin-key.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* The file is little-endian and read in place; a big-endian port needs byte-swapping readers. */
#error "rules/: little-endian hosts only"
#endif

#define RDB_MAGIC "RCLLRDB\x1a"		/* 8 bytes; \x1a stops `type` on DOS-ish tools */
/* 2: index keys may be VIN positions 1-5; VIN prefixes in a hash table.  Readers take only 2. */
#define RDB_FORMAT_VERSION 2
#define RDB_TOOL_VERSION "recallc 0.1.0"
#define RDB_NONE UINT32_MAX
#define RDB_MAX_DEPTH 64		/* expression nesting, enforced by compiler and loader */
#define RDB_ALIGN 8

struct rdb_header {
	char magic[8];
	uint32_t format_version;
	uint32_t header_size;		/* sizeof(struct rdb_header) when written */
	char tool_version[32];		/* NUL-terminated */
	uint64_t file_size;
	uint64_t checksum;		/* XXH3_64bits of the whole file with this field zero */
	uint32_t n_sections;
	uint32_t section_size;		/* sizeof(struct rdb_section) */
	uint64_t n_campaigns;
	uint64_t n_listed_vins;
	uint64_t section_table;		/* offset of n_sections struct rdb_section */
	uint8_t reserved[32];
};
_Static_assert(sizeof(struct rdb_header) == 128, "header layout");

enum rdb_section_id {
	RDB_SEC_STRINGS = 1,		/* NUL-terminated UTF-8 strings, entry 1 byte, ends with NUL */
	RDB_SEC_CAMPAIGNS,		/* struct rdb_campaign_rec, sorted by id */
	RDB_SEC_NODES,			/* struct rdb_node, children before parents */
	RDB_SEC_ARGS,			/* uint32_t: packed WMIs or string offsets of sets */
	RDB_SEC_WMI_INDEX,		/* struct rdb_wmi_ent sorted by key (WMI or VIN 1-5) */
	RDB_SEC_CANDIDATES,		/* uint32_t campaign indexes, ascending per WMI bucket */
	RDB_SEC_GENERIC,		/* uint32_t campaigns whose criteria do not fix the WMI */
	RDB_SEC_VIN_SLOTS,		/* struct rdb_slot: hash table on VIN positions 1-11 */
	RDB_SEC_SUFFIXES,		/* uint32_t packed positions 12-17, ascending within a group */
	RDB_SEC_REFS,			/* uint32_t campaign << 1 | exclude, parallel to SUFFIXES */
	_RDB_SEC_MAX
};

struct rdb_section {
	uint32_t id;
	uint32_t entry_size;
	uint64_t offset;		/* from file start, RDB_ALIGN-aligned */
	uint64_t count;
};

enum rdb_cstr {
	RDB_S_ID, RDB_S_TITLE, RDB_S_MAKE, RDB_S_KBA, RDB_S_NHTSA, RDB_S_DEFECT, RDB_S_REMEDY,
	RDB_S_COST, RDB_S_LABOUR, RDB_S_RECOG, RDB_S_HOTLINE, RDB_S_EXTENDS, RDB_S_SUPERSEDES,
	RDB_S_COUNT
};

enum { RDB_BD_NONE = 0, RDB_BD_BCD, RDB_BD_ASCII };
enum { RDB_CF_INCLUDE = 1, RDB_CF_EXCLUDE = 2 };

struct rdb_campaign_rec {
	uint32_t str[RDB_S_COUNT];	/* offsets into STRINGS; 0 is the empty string */
	uint32_t start_date;		/* YYYYMMDD or 0 */
	uint32_t affected;		/* node index or RDB_NONE (then only the VIN list selects) */
	uint32_t remedied;
	uint32_t inspect;
	uint32_t bd_ecu;		/* build date source */
	uint16_t bd_did;
	uint8_t bd_format;		/* RDB_BD_* */
	uint8_t remedy_kind;
	uint8_t recognition;
	uint8_t flags;			/* RDB_CF_* */
	uint16_t pad;
	uint32_t n_include, n_exclude;
};

enum rdb_op {
	RDB_OP_TRUE = 1, RDB_OP_FALSE, RDB_OP_UNKNOWN,
	RDB_OP_AND,			/* a, b: children */
	RDB_OP_OR,
	RDB_OP_NOT,			/* a */
	RDB_OP_WMI_IN,			/* ARGS[a .. a+b): packed WMIs */
	RDB_OP_VIN_PAT,			/* a: first position (0-based), b: length, c: pattern string */
	RDB_OP_SERIAL,			/* positions 12-17 as a number in a .. b */
	RDB_OP_MODEL_YEAR,		/* a .. b */
	RDB_OP_BUILD_DATE,		/* YYYYMMDD a .. b, from the campaign's build date source */
	RDB_OP_ECU_PRESENT,		/* a: ECU */
	RDB_OP_DID_CMP,			/* a: ECU, did, cmp, c: value string */
	RDB_OP_DID_IN,			/* a: ECU, did, ARGS[b .. b+c): value strings */
	_RDB_OP_MAX
};

enum rdb_cmp { RDB_CMP_EQ = 0, RDB_CMP_NE, RDB_CMP_LT, RDB_CMP_LE, RDB_CMP_GT, RDB_CMP_GE };

struct rdb_node {
	uint8_t op;
	uint8_t cmp;
	uint16_t did;
	uint32_t a, b, c;
};

struct rdb_wmi_ent {
	uint32_t wmi;			/* index key, see RDB_KEY5_BASE */
	uint32_t start;			/* into CANDIDATES */
	uint32_t count;
};

/*
 * One slot of the VIN hash table: the listed VINs sharing positions 1-11 (a group), found with
 * one cache-line fetch in the common case.  Open addressing, linear probing from
 * rdb_slot_home(); an empty slot (key RDB_SLOT_EMPTY) ends a probe, and the table always has one.
 */
struct rdb_slot {
	uint64_t key;			/* rdb_pack_prefix(), or RDB_SLOT_EMPTY */
	uint32_t start;			/* into SUFFIXES/REFS */
	uint32_t count;
};
_Static_assert(sizeof(struct rdb_slot) == 16, "slot layout");

#define RDB_SLOT_EMPTY UINT64_MAX

static inline uint32_t rdb_slot_home(uint64_t key, uint32_t n_slots)
{
	/* Fibonacci hashing spreads the base-33 keys (whose high digits are few WMIs); the
	 * multiply-shift maps onto any table size without a division */
	return (uint32_t)(((unsigned __int128)(key * 0x9E3779B97F4A7C15ull) * n_slots) >> 64);
}

#endif
