/* SPDX-License-Identifier: MIT */
/*
 * The rule parser's state and the lexer it reads tokens from, shared by the lexer (rule-lex.c),
 * the grammar (rule-parse.c) and the VIN lists (rule-vinlist.c).  One token of lookahead in
 * parser.tok; every error goes through rule_perr() as file:line:col and parsing goes on.
 */
#ifndef RECALL_RULES_RULE_PARSE_H
#define RECALL_RULES_RULE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/rule-compiler.h"

enum tok {
	T_EOF, T_IDENT, T_STRING, T_NUMBER, T_DATE, T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN,
	T_LBRACK, T_RBRACK, T_SEMI, T_COMMA, T_DOTDOT, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_BAD,
	T_COLON,
};

struct token {
	enum tok t;
	unsigned int line, col;
	const char *s;			/* source text of the token */
	size_t n;
	uint64_t num;			/* T_NUMBER; T_DATE as YYYYMMDD */
	char *str;			/* T_STRING, decoded, in parser.sbuf: valid until the next */
	size_t str_len;
};

struct parser {
	struct rule_compiler *c;
	const char *file;
	const char *dir;		/* directory of the file, for `include file` */
	const char *src;
	size_t len, pos;
	unsigned int line, col;
	struct token tok;
	bool oom;
	struct rcampaign *cur;		/* campaign being parsed (index below is stable) */
	size_t cur_idx;
	bool uses_build_date;
	unsigned int bd_line, bd_col;
	unsigned int depth;
	char *sbuf;			/* string tokens are decoded here */
	size_t sbuf_cap;
};

/* Errors and warnings at line:col of the file being parsed (an allocation failure sets oom). */
void rule_perr(struct parser *p, unsigned int line, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void rule_pwarn(struct parser *p, unsigned int line, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The token as the user wrote it, for "found 'x'" (printable, at most 24 bytes). */
const char *rule_tok_text(const struct token *t, char *buf, size_t len);

/* Reads the next token into p->tok (the lexer reports its own errors, then gives T_BAD). */
void rule_next(struct parser *p);
bool rule_is_kw(const struct parser *p, const char *kw);
/* An error at the current token: "expected X, found 'y'".  Returns false for `if (!...)`. */
bool rule_expected(struct parser *p, const char *what);
bool rule_accept(struct parser *p, enum tok t);
bool rule_expect(struct parser *p, enum tok t);
bool rule_expect_kw(struct parser *p, const char *kw);
/* After an error: skip to the end of the statement (';' eaten) or campaign ('}' kept). */
void rule_recover(struct parser *p);
/* After an error inside a {...} set: skip to its '}'; returns RDB_NONE. */
uint32_t rule_skip_set(struct parser *p);

/* `include vins { ... }` (at its '{') and `include file "NAME"` of the current campaign. */
void rule_vin_list_inline(struct parser *p, bool exclude);
void rule_vin_list_file(struct parser *p, const char *name, bool exclude, unsigned int sline,
			unsigned int scol);

#endif
