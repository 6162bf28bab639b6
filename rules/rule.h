/* SPDX-License-Identifier: MIT */
/*
 * rules/rule.h — the recall rule language (rules/README.md) and its compiler to an rdb database.
 *
 * Usage: rule_compiler_new(), rule_compiler_add_file() for each file (every error of every file is
 * collected as a diagnostic, parsing goes on), rule_compiler_build() for the database image, then
 * rdb_write_file().  The same input gives a byte-identical image.
 */
#ifndef RECALL_RULES_RULE_H
#define RECALL_RULES_RULE_H

#include <stddef.h>

enum rule_severity { RULE_WARNING = 0, RULE_ERROR };

struct rule_diag {
	const char *file;
	unsigned int line, col;		/* 1-based */
	enum rule_severity severity;
	const char *msg;
};

struct rule_compiler;

enum {
	/* Refuse `include file`/`exclude file` (fuzzing, untrusted sources). */
	RULE_NO_FILES = 1u << 0,
};

int rule_compiler_new(unsigned int flags, struct rule_compiler **ret);
struct rule_compiler *rule_compiler_free(struct rule_compiler *c);

/* Parses one file; 0 when it parsed without errors, -EINVAL with diagnostics, -errno if unreadable
 * (also recorded as a diagnostic). */
int rule_compiler_add_file(struct rule_compiler *c, const char *path);
int rule_compiler_add_source(struct rule_compiler *c, const char *name, const char *text,
			     size_t len);

/* Links everything added; -EINVAL if any error was reported (then no image).  *ret_buf is
 * malloc'd. */
int rule_compiler_build(struct rule_compiler *c, void **ret_buf, size_t *ret_len);

size_t rule_compiler_n_diags(const struct rule_compiler *c);
const struct rule_diag *rule_compiler_diag(const struct rule_compiler *c, size_t i);
size_t rule_compiler_n_errors(const struct rule_compiler *c);
size_t rule_compiler_n_campaigns(const struct rule_compiler *c);

/* "file:line:col: error: msg" into buf (always NUL-terminated). */
void rule_diag_format(const struct rule_diag *d, char *buf, size_t len);

#endif
