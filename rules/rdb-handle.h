/* SPDX-License-Identifier: MIT */
/* The open database handle, shared by the loader (rdb.c) and the matcher (match.c). */
#ifndef RECALL_RULES_RDB_HANDLE_H
#define RECALL_RULES_RDB_HANDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/rdb-format.h"

struct rdb {
	const void *base;
	size_t size;
	bool mapped;
	const struct rdb_header *hdr;
	const char *strings;
	uint64_t n_strings;
	const uint8_t *camps;
	uint32_t n_camps, camp_stride;
	const uint8_t *nodes;
	uint32_t n_nodes, node_stride;
	const uint32_t *args;
	uint32_t n_args;
	const struct rdb_wmi_ent *wmi;
	uint32_t n_wmi;
	const uint32_t *cand;
	uint32_t n_cand;
	const uint32_t *generic;
	uint32_t n_generic;
	const struct rdb_slot *slots;	/* VIN hash table, see rdb-format.h */
	uint32_t n_slots;
	const uint32_t *suffixes;
	const uint32_t *refs;
	uint32_t n_vins;
};

static inline const struct rdb_campaign_rec *rdb_camp_at(const struct rdb *db, uint32_t i)
{
	return (const struct rdb_campaign_rec *)(const void *)(db->camps + (size_t)i * db->camp_stride);
}

static inline const struct rdb_node *rdb_node_at(const struct rdb *db, uint32_t i)
{
	return (const struct rdb_node *)(const void *)(db->nodes + (size_t)i * db->node_stride);
}

/* Version ordering used by <, <=, >, >= on DID values (rules/README.md). */
int rdb_version_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
