/* SPDX-License-Identifier: MIT */
/* Compiler state shared by the parser (rule-parse.c, rule-lex.c, rule-vinlist.c), the state
 * functions (rule-compiler.c) and the database writer (rule-build.c). */
#ifndef RECALL_RULES_RULE_COMPILER_H
#define RECALL_RULES_RULE_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/rdb-format.h"
#include "rules/rule.h"

struct vec {
	void *p;
	size_t n, cap;
};

/* Grows v to hold n + more elements of size sz; -ENOMEM. */
int vec_reserve(struct vec *v, size_t sz, size_t more);
/* Transparent huge pages for a large buffer not touched yet (fewer page faults). */
void rule_advise_huge(void *p, size_t len);

struct rcampaign {
	struct rdb_campaign_rec rec;
	const char *file;
	unsigned int line, col;
	const char *id;			/* into the string table (stable after parsing) */
	uint32_t id_off;
};

struct vin_ent {
	uint64_t prefix;
	uint32_t suffix;
	uint32_t ref;			/* campaign (parse order, then final) << 1 | exclude */
};

struct rule_compiler {
	unsigned int flags;
	struct vec diags;		/* struct rule_diag, msg malloc'd */
	size_t n_errors;
	struct vec files;		/* char *, names the diagnostics point to */
	/* string table: NUL-terminated, offset 0 = "" */
	char *str;
	size_t str_len, str_cap;
	uint32_t *str_hash;		/* open addressing: offset + 1, 0 = empty */
	size_t str_hash_cap, str_count;
	struct vec nodes;		/* struct rdb_node */
	struct vec depth;		/* uint8_t per node */
	struct vec args;		/* uint32_t */
	struct vec campaigns;		/* struct rcampaign */
	struct vec vins;		/* struct vin_ent */
};

/* Adds a diagnostic; -ENOMEM only. */
int rule_diag_add(struct rule_compiler *c, const char *file, unsigned int line, unsigned int col,
		  enum rule_severity sev, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Interns S (len bytes, no NUL inside); returns the offset or -ENOMEM / -E2BIG. */
int64_t rule_str_intern(struct rule_compiler *c, const char *s, size_t len);

#endif
