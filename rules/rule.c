/* SPDX-License-Identifier: MIT */
/*
 * The recall rule language: a hand-written lexer with one token of lookahead and a recursive
 * descent parser (grammar in rules/README.md).  Every error is reported as file:line:col and
 * parsing resumes at the next ';' or '}', so one run shows all errors of all files.  Expressions
 * are emitted as database nodes while parsing (children first), strings are interned once.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rule-internal.h"
#include "rules/vin.h"

#define MAX_STRING (64 * 1024)
#define MAX_FILE_ERRORS 20

int vec_reserve(struct vec *v, size_t sz, size_t more)
{
	size_t cap;
	void *p;

	if (v->n + more <= v->cap)
		return 0;
	cap = v->cap ? v->cap : 16;
	while (cap < v->n + more) {
		if (cap > SIZE_MAX / 2 / sz)
			return -ENOMEM;
		cap *= 2;
	}
	p = realloc(v->p, cap * sz);
	if (!p)
		return -ENOMEM;
	v->p = p;
	v->cap = cap;
	return 0;
}

int rule_diag_add(struct rule_compiler *c, const char *file, unsigned int line, unsigned int col,
		  enum rule_severity sev, const char *fmt, ...)
{
	struct rule_diag *d;
	va_list ap;
	char *msg;
	int r;

	if (vec_reserve(&c->diags, sizeof(*d), 1) < 0)
		return -ENOMEM;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	d = (struct rule_diag *)c->diags.p + c->diags.n++;
	*d = (struct rule_diag){ file, line, col, sev, msg };
	if (sev == RULE_ERROR)
		c->n_errors++;
	return 0;
}

void rule_diag_format(const struct rule_diag *d, char *buf, size_t len)
{
	if (!buf || !len)
		return;
	snprintf(buf, len, "%s:%u:%u: %s: %s", d->file, d->line, d->col,
		 d->severity == RULE_ERROR ? "error" : "warning", d->msg);
}

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a: tiny, deterministic, good enough here */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static int str_rehash(struct rule_compiler *c)
{
	size_t cap = c->str_hash_cap ? c->str_hash_cap * 2 : 1024;
	uint32_t *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < c->str_hash_cap; i++) {
		uint32_t e = c->str_hash[i];
		const char *s;
		size_t j;

		if (!e)
			continue;
		s = c->str + e - 1;
		j = hash_bytes(s, strlen(s)) & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = e;
	}
	free(c->str_hash);
	c->str_hash = t;
	c->str_hash_cap = cap;
	return 0;
}

int64_t rule_str_intern(struct rule_compiler *c, const char *s, size_t len)
{
	size_t j;

	if (len == 0)
		return 0;
	if ((c->str_count + 1) * 2 > c->str_hash_cap && str_rehash(c) < 0)
		return -ENOMEM;
	j = hash_bytes(s, len) & (c->str_hash_cap - 1);
	while (c->str_hash[j]) {
		const char *o = c->str + c->str_hash[j] - 1;

		if (strncmp(o, s, len) == 0 && o[len] == 0)
			return c->str_hash[j] - 1;
		j = (j + 1) & (c->str_hash_cap - 1);
	}
	if (c->str_len + len + 1 > UINT32_MAX - 1)
		return -E2BIG;
	while (c->str_len + len + 1 > c->str_cap) {
		size_t cap = c->str_cap ? c->str_cap * 2 : 4096;
		char *p = realloc(c->str, cap);

		if (!p)
			return -ENOMEM;
		c->str = p;
		c->str_cap = cap;
	}
	memcpy(c->str + c->str_len, s, len);
	c->str[c->str_len + len] = 0;
	c->str_hash[j] = (uint32_t)c->str_len + 1;
	c->str_count++;
	c->str_len += len + 1;
	return (int64_t)(c->str_len - len - 1);
}

int rule_compiler_new(unsigned int flags, struct rule_compiler **ret)
{
	struct rule_compiler *c;

	if (!ret)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->flags = flags;
	/* Offset 0 is the empty string, so "not given" needs no special value. */
	c->str = calloc(1, 4096);
	if (!c->str) {
		free(c);
		return -ENOMEM;
	}
	c->str_cap = 4096;
	c->str_len = 1;
	*ret = c;
	return 0;
}

struct rule_compiler *rule_compiler_free(struct rule_compiler *c)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->diags.n; i++)
		free((void *)(uintptr_t)((struct rule_diag *)c->diags.p)[i].msg);
	for (size_t i = 0; i < c->files.n; i++)
		free(((char **)c->files.p)[i]);
	free(c->diags.p);
	free(c->files.p);
	free(c->str);
	free(c->str_hash);
	free(c->nodes.p);
	free(c->depth.p);
	free(c->args.p);
	free(c->campaigns.p);
	free(c->vins.p);
	free(c);
	return NULL;
}

size_t rule_compiler_n_diags(const struct rule_compiler *c)
{
	return c ? c->diags.n : 0;
}

const struct rule_diag *rule_compiler_diag(const struct rule_compiler *c, size_t i)
{
	return c && i < c->diags.n ? (const struct rule_diag *)c->diags.p + i : NULL;
}

size_t rule_compiler_n_errors(const struct rule_compiler *c)
{
	return c ? c->n_errors : 0;
}

size_t rule_compiler_n_campaigns(const struct rule_compiler *c)
{
	return c ? c->campaigns.n : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Lexer */

enum tok {
	T_EOF, T_IDENT, T_STRING, T_NUMBER, T_DATE, T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN,
	T_LBRACK, T_RBRACK, T_SEMI, T_COMMA, T_DOTDOT, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_BAD,
};

static const char *const tok_names[] = {
	[T_EOF] = "end of file", [T_IDENT] = "word", [T_STRING] = "string",
	[T_NUMBER] = "number", [T_DATE] = "date", [T_LBRACE] = "'{'", [T_RBRACE] = "'}'",
	[T_LPAREN] = "'('", [T_RPAREN] = "')'", [T_LBRACK] = "'['", [T_RBRACK] = "']'",
	[T_SEMI] = "';'", [T_COMMA] = "','", [T_DOTDOT] = "'..'", [T_EQ] = "'='",
	[T_NE] = "'!='", [T_LT] = "'<'", [T_LE] = "'<='", [T_GT] = "'>'", [T_GE] = "'>='",
	[T_BAD] = "invalid token",
};

struct token {
	enum tok t;
	unsigned int line, col;
	const char *s;			/* source text of the token */
	size_t n;
	uint64_t num;			/* T_NUMBER; T_DATE as YYYYMMDD */
	char *str;			/* T_STRING, decoded, malloc'd */
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
};

static void perr(struct parser *p, unsigned int line, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void perr(struct parser *p, unsigned int line, unsigned int col, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rule_diag_add(p->c, p->file, line, col, RULE_ERROR, "%s", buf) < 0)
		p->oom = true;
}

static void pwarn(struct parser *p, unsigned int line, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void pwarn(struct parser *p, unsigned int line, unsigned int col, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rule_diag_add(p->c, p->file, line, col, RULE_WARNING, "%s", buf) < 0)
		p->oom = true;
}

/* The token as the user wrote it, for "found 'x'" (printable, at most 24 bytes). */
static const char *tok_text(const struct token *t, char *buf, size_t len)
{
	size_t n = t->n < 24 ? t->n : 24, o = 0;

	if (t->t == T_EOF)
		return "end of file";
	if (t->t == T_STRING)
		n = 0;
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		unsigned char ch = (unsigned char)t->s[i];

		buf[o++] = ch >= 0x20 && ch != 0x7f ? (char)ch : '?';
	}
	buf[o] = 0;
	if (t->t == T_STRING)
		return "string";
	return buf;
}

static int peekc(const struct parser *p, size_t ahead)
{
	return p->pos + ahead < p->len ? (unsigned char)p->src[p->pos + ahead] : -1;
}

static void advance(struct parser *p)
{
	if (p->pos >= p->len)
		return;
	if (p->src[p->pos] == '\n') {
		p->line++;
		p->col = 1;
	} else if (((unsigned char)p->src[p->pos] & 0xC0) != 0x80) {
		/* columns count characters, not UTF-8 continuation bytes */
		p->col++;
	}
	p->pos++;
}

/* Length of a valid UTF-8 sequence at s (1-4), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static bool is_ident_start(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool is_ident(int ch)
{
	return is_ident_start(ch) || (ch >= '0' && ch <= '9');
}

static bool valid_date(unsigned int y, unsigned int m, unsigned int d)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

static void lex_string(struct parser *p, struct token *t)
{
	char *buf = malloc(256);
	size_t n = 0, cap = 256;
	bool bad = false;

	if (!buf) {
		p->oom = true;
		t->t = T_BAD;
		return;
	}
	advance(p);			/* opening quote */
	for (;;) {
		int ch = peekc(p, 0);
		size_t ul;

		if (ch < 0) {
			perr(p, t->line, t->col, "unterminated string");
			bad = true;
			break;
		}
		if (ch == '"') {
			advance(p);
			break;
		}
		if (n + 4 >= cap) {
			char *nb;

			if (cap >= MAX_STRING) {
				perr(p, t->line, t->col, "string longer than %d bytes", MAX_STRING);
				bad = true;
				/* skip to the closing quote so the rest of the file still parses */
				while (peekc(p, 0) >= 0 && peekc(p, 0) != '"')
					advance(p);
				advance(p);
				break;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				p->oom = true;
				bad = true;
				break;
			}
			buf = nb;
		}
		if (ch == '\\') {
			unsigned int l = p->line, col = p->col;
			int e = peekc(p, 1);

			advance(p);
			switch (e) {
			case '"': buf[n++] = '"'; break;
			case '\\': buf[n++] = '\\'; break;
			case 'n': buf[n++] = '\n'; break;
			case 't': buf[n++] = '\t'; break;
			default:
				perr(p, l, col, "unknown escape '\\%c' in string (use \\\" \\\\ \\n \\t)",
				     e >= 0x20 && e < 0x7f ? e : '?');
				bad = true;
				break;
			}
			if (e >= 0)
				advance(p);
			continue;
		}
		if (ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') {
			perr(p, p->line, p->col, "control character 0x%02x in string", (unsigned int)ch);
			bad = true;
			advance(p);
			continue;
		}
		ul = utf8_len((const unsigned char *)p->src + p->pos, p->len - p->pos);
		if (!ul) {
			perr(p, p->line, p->col, "invalid UTF-8 in string");
			bad = true;
			advance(p);
			continue;
		}
		if (ch == '\r' && peekc(p, 1) == '\n') {
			/* CRLF files keep LF texts, so a database does not depend on the editor */
			advance(p);
			continue;
		}
		for (size_t i = 0; i < ul; i++) {
			buf[n++] = p->src[p->pos];
			advance(p);
		}
	}
	buf[n] = 0;
	if (bad) {
		free(buf);
		t->t = T_BAD;
		return;
	}
	t->t = T_STRING;
	t->str = buf;
	t->str_len = n;
}

static void lex_number(struct parser *p, struct token *t)
{
	size_t start = p->pos, digits = 0;
	uint64_t v = 0;
	bool hex = peekc(p, 0) == '0' && (peekc(p, 1) == 'x' || peekc(p, 1) == 'X');
	bool overflow = false;

	if (hex) {
		advance(p);
		advance(p);
		for (int ch; (ch = peekc(p, 0)) >= 0; advance(p), digits++) {
			int d;

			if (ch >= '0' && ch <= '9')
				d = ch - '0';
			else if (ch >= 'a' && ch <= 'f')
				d = ch - 'a' + 10;
			else if (ch >= 'A' && ch <= 'F')
				d = ch - 'A' + 10;
			else
				break;
			if (v > (UINT32_MAX >> 4))
				overflow = true;
			v = v << 4 | (uint64_t)d;
		}
	} else {
		for (int ch; (ch = peekc(p, 0)) >= '0' && ch <= '9'; advance(p), digits++) {
			if (v > UINT32_MAX / 10)
				overflow = true;
			v = v * 10 + (uint64_t)(ch - '0');
		}
		/* YYYY-MM-DD */
		if (digits == 4 && peekc(p, 0) == '-') {
			unsigned int m = 0, d = 0;
			bool ok = true;

			for (int i = 1; i <= 5; i++) {
				int ch = peekc(p, (size_t)i);

				if (i == 3 ? ch != '-' : (ch < '0' || ch > '9'))
					ok = false;
			}
			if (ok) {
				m = (unsigned int)(peekc(p, 1) - '0') * 10 + (unsigned int)(peekc(p, 2) - '0');
				d = (unsigned int)(peekc(p, 4) - '0') * 10 + (unsigned int)(peekc(p, 5) - '0');
				for (int i = 0; i < 6; i++)
					advance(p);
			}
			t->s = p->src + start;
			t->n = p->pos - start;
			if (!ok || is_ident(peekc(p, 0))) {
				while (is_ident(peekc(p, 0)) || peekc(p, 0) == '-')
					advance(p);
				t->n = p->pos - start;
				perr(p, t->line, t->col, "malformed date (write YYYY-MM-DD)");
				t->t = T_BAD;
				return;
			}
			if (!valid_date((unsigned int)v, m, d)) {
				perr(p, t->line, t->col, "invalid date %.10s", t->s);
				t->t = T_BAD;
				return;
			}
			t->t = T_DATE;
			t->num = v * 10000 + m * 100 + d;
			return;
		}
	}
	t->s = p->src + start;
	if (is_ident(peekc(p, 0)) || (hex && digits == 0)) {
		while (is_ident(peekc(p, 0)))
			advance(p);
		t->n = p->pos - start;
		perr(p, t->line, t->col, "malformed number '%.*s'", (int)(t->n > 24 ? 24 : t->n), t->s);
		t->t = T_BAD;
		return;
	}
	t->n = p->pos - start;
	if (overflow) {
		perr(p, t->line, t->col, "number '%.*s' too large (at most 0xFFFFFFFF)",
		     (int)(t->n > 24 ? 24 : t->n), t->s);
		t->t = T_BAD;
		return;
	}
	t->t = T_NUMBER;
	t->num = v;
}

static void next(struct parser *p)
{
	struct token *t = &p->tok;

	free(t->str);
	*t = (struct token){ 0 };
again:
	for (;;) {
		int ch = peekc(p, 0);

		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			advance(p);
		} else if (ch == '#') {
			while (peekc(p, 0) >= 0 && peekc(p, 0) != '\n')
				advance(p);
		} else
			break;
	}
	t->line = p->line;
	t->col = p->col;
	t->s = p->src + p->pos;
	t->n = 1;
	int ch = peekc(p, 0);

	if (ch < 0) {
		t->t = T_EOF;
		t->n = 0;
		return;
	}
	if (is_ident_start(ch)) {
		size_t start = p->pos;

		while (is_ident(peekc(p, 0)))
			advance(p);
		t->t = T_IDENT;
		t->n = p->pos - start;
		return;
	}
	if (ch >= '0' && ch <= '9') {
		lex_number(p, t);
		return;
	}
	if (ch == '"') {
		lex_string(p, t);
		return;
	}
	advance(p);
	switch (ch) {
	case '{': t->t = T_LBRACE; return;
	case '}': t->t = T_RBRACE; return;
	case '(': t->t = T_LPAREN; return;
	case ')': t->t = T_RPAREN; return;
	case '[': t->t = T_LBRACK; return;
	case ']': t->t = T_RBRACK; return;
	case ';': t->t = T_SEMI; return;
	case ',': t->t = T_COMMA; return;
	case '=': t->t = T_EQ; return;
	case '.':
		if (peekc(p, 0) == '.') {
			advance(p);
			t->t = T_DOTDOT;
			t->n = 2;
			return;
		}
		break;
	case '!':
		if (peekc(p, 0) == '=') {
			advance(p);
			t->t = T_NE;
			t->n = 2;
			return;
		}
		break;
	case '<':
	case '>':
		if (peekc(p, 0) == '=') {
			advance(p);
			t->t = ch == '<' ? T_LE : T_GE;
			t->n = 2;
			return;
		}
		t->t = ch == '<' ? T_LT : T_GT;
		return;
	}
	if (ch >= 0x80) {
		size_t ul = utf8_len((const unsigned char *)p->src + p->pos - 1, p->len - p->pos + 1);

		for (size_t i = 1; i < ul; i++)
			advance(p);
		perr(p, t->line, t->col, "unexpected character outside a string");
	} else {
		perr(p, t->line, t->col, "unexpected character '%c'", ch >= 0x20 && ch < 0x7f ? ch : '?');
	}
	goto again;
}

static bool is_kw(const struct parser *p, const char *kw)
{
	return p->tok.t == T_IDENT && strlen(kw) == p->tok.n && memcmp(p->tok.s, kw, p->tok.n) == 0;
}

/* An error at the current token: "expected X, found 'y'".  Returns false for `if (!...)`. */
static bool expected(struct parser *p, const char *what)
{
	char buf[32];

	if (p->tok.t == T_BAD)
		return false;		/* the lexer already said what is wrong */
	perr(p, p->tok.line, p->tok.col, "expected %s, found %s%s%s", what,
	     p->tok.t == T_IDENT || p->tok.t == T_NUMBER || p->tok.t == T_DATE ? "'" : "",
	     p->tok.t == T_IDENT || p->tok.t == T_NUMBER || p->tok.t == T_DATE
		     ? tok_text(&p->tok, buf, sizeof(buf)) : tok_names[p->tok.t],
	     p->tok.t == T_IDENT || p->tok.t == T_NUMBER || p->tok.t == T_DATE ? "'" : "");
	return false;
}

static bool accept(struct parser *p, enum tok t)
{
	if (p->tok.t != t)
		return false;
	next(p);
	return true;
}

static bool expect(struct parser *p, enum tok t)
{
	if (accept(p, t))
		return true;
	return expected(p, tok_names[t]);
}

static bool expect_kw(struct parser *p, const char *kw)
{
	char what[40];

	if (is_kw(p, kw)) {
		next(p);
		return true;
	}
	snprintf(what, sizeof(what), "'%s'", kw);
	return expected(p, what);
}

/* After an error: skip to the end of the statement (';' eaten) or campaign ('}' kept). */
static void recover(struct parser *p)
{
	int braces = 0;

	while (p->tok.t != T_EOF) {
		if (p->tok.t == T_LBRACE)
			braces++;
		if (p->tok.t == T_RBRACE) {
			if (braces == 0)
				return;
			braces--;
		}
		if (p->tok.t == T_SEMI && braces == 0) {
			next(p);
			return;
		}
		next(p);
	}
}

/* After an error inside a {...} set: skip to its '}' so recovery does not take it for the end
 * of the campaign. */
static uint32_t skip_set(struct parser *p)
{
	while (p->tok.t != T_RBRACE && p->tok.t != T_SEMI && p->tok.t != T_EOF)
		next(p);
	accept(p, T_RBRACE);
	return RDB_NONE;
}

/* ------------------------------------------------------------------------------------------ */
/* Expressions */

static uint32_t add_node(struct parser *p, const struct rdb_node *n, unsigned int depth)
{
	struct rule_compiler *c = p->c;

	if (c->nodes.n >= UINT32_MAX - 1 || vec_reserve(&c->nodes, sizeof(*n), 1) < 0 ||
	    vec_reserve(&c->depth, 1, 1) < 0) {
		p->oom = true;
		return RDB_NONE;
	}
	((struct rdb_node *)c->nodes.p)[c->nodes.n] = *n;
	((uint8_t *)c->depth.p)[c->depth.n++] = (uint8_t)depth;
	return (uint32_t)c->nodes.n++;
}

static unsigned int node_depth(const struct parser *p, uint32_t i)
{
	return ((const uint8_t *)p->c->depth.p)[i];
}

static uint32_t add_arg(struct parser *p, uint32_t v)
{
	struct rule_compiler *c = p->c;

	if (c->args.n >= UINT32_MAX - 1 || vec_reserve(&c->args, sizeof(uint32_t), 1) < 0) {
		p->oom = true;
		return RDB_NONE;
	}
	((uint32_t *)c->args.p)[c->args.n] = v;
	return (uint32_t)c->args.n++;
}

static uint32_t intern_tok(struct parser *p)
{
	int64_t off = rule_str_intern(p->c, p->tok.str, p->tok.str_len);

	if (off < 0) {
		if (off == -E2BIG)
			perr(p, p->tok.line, p->tok.col, "string table full (4 GiB)");
		else
			p->oom = true;
		return 0;
	}
	return (uint32_t)off;
}

static bool parse_cmp(struct parser *p, enum rdb_cmp *ret)
{
	static const struct { enum tok t; enum rdb_cmp c; } map[] = {
		{ T_EQ, RDB_CMP_EQ }, { T_NE, RDB_CMP_NE }, { T_LT, RDB_CMP_LT },
		{ T_LE, RDB_CMP_LE }, { T_GT, RDB_CMP_GT }, { T_GE, RDB_CMP_GE },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (p->tok.t == map[i].t) {
			*ret = map[i].c;
			next(p);
			return true;
		}
	return false;
}

static bool leap(unsigned int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned int mdays(unsigned int y, unsigned int m)
{
	static const unsigned char d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* The day before / after a YYYYMMDD date, so "< 2013-01-01" is "..2012-12-31". */
static uint32_t date_step(uint32_t d, int dir)
{
	unsigned int y = d / 10000, m = d / 100 % 100, day = d % 100;

	if (dir < 0) {
		if (--day == 0) {
			if (--m == 0) {
				m = 12;
				y--;
			}
			day = mdays(y, m);
		}
	} else if (++day > mdays(y, m)) {
		day = 1;
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	return y * 10000 + m * 100 + day;
}

/* `model_year >= 2010`, `model_year 2010 .. 2014` (same for build_date with dates): a range
 * node, or NOT(range) for != */
static uint32_t parse_range(struct parser *p, uint8_t op, enum tok kind, uint32_t lo_min,
			    uint32_t hi_max, const char *what)
{
	struct rdb_node n = { .op = op };
	enum rdb_cmp cmp;
	uint32_t id;

	if (p->tok.t == kind) {
		n.a = (uint32_t)p->tok.num;
		next(p);
		if (!expect(p, T_DOTDOT))
			return RDB_NONE;
		if (p->tok.t != kind)
			return expected(p, what), RDB_NONE;
		n.b = (uint32_t)p->tok.num;
		if (n.b < n.a) {
			perr(p, p->tok.line, p->tok.col, "empty range: upper bound before lower bound");
			return RDB_NONE;
		}
		next(p);
		return add_node(p, &n, 1);
	}
	if (!parse_cmp(p, &cmp)) {
		char w[64];

		snprintf(w, sizeof(w), "a comparison or a range of %ss", what);
		return expected(p, w), RDB_NONE;
	}
	if (p->tok.t != kind)
		return expected(p, what), RDB_NONE;
	n.a = lo_min;
	n.b = hi_max;
	switch (cmp) {
	case RDB_CMP_EQ:
	case RDB_CMP_NE:
		n.a = n.b = (uint32_t)p->tok.num;
		break;
	case RDB_CMP_LT:
		if (p->tok.num == 0) {
			perr(p, p->tok.line, p->tok.col, "nothing is below 0");
			return RDB_NONE;
		}
		n.b = kind == T_DATE ? date_step((uint32_t)p->tok.num, -1) : (uint32_t)p->tok.num - 1;
		break;
	case RDB_CMP_LE:
		n.b = (uint32_t)p->tok.num;
		break;
	case RDB_CMP_GT:
		n.a = kind == T_DATE ? date_step((uint32_t)p->tok.num, 1) : (uint32_t)p->tok.num + 1;
		break;
	case RDB_CMP_GE:
		n.a = (uint32_t)p->tok.num;
		break;
	}
	next(p);
	id = add_node(p, &n, 1);
	if (cmp == RDB_CMP_NE && id != RDB_NONE) {
		struct rdb_node nn = { .op = RDB_OP_NOT, .a = id };

		id = add_node(p, &nn, 2);
	}
	return id;
}

static uint32_t parse_expr(struct parser *p);

static bool parse_ecu_did(struct parser *p, uint32_t *ecu, uint16_t *did)
{
	if (p->tok.t != T_NUMBER)
		return expected(p, "ECU address (e.g. 0x61)");
	*ecu = (uint32_t)p->tok.num;
	next(p);
	if (!is_kw(p, "did") && did)
		return expected(p, "'did'");
	if (!did)
		return true;
	next(p);
	if (p->tok.t != T_NUMBER)
		return expected(p, "DID (e.g. 0xF189)");
	if (p->tok.num > 0xFFFF) {
		perr(p, p->tok.line, p->tok.col, "DID 0x%llX out of range (16 bits)",
		     (unsigned long long)p->tok.num);
		return false;
	}
	*did = (uint16_t)p->tok.num;
	next(p);
	return true;
}

static uint32_t parse_primary(struct parser *p)
{
	unsigned int line = p->tok.line, col = p->tok.col;
	struct rdb_node n = { 0 };

	if (accept(p, T_LPAREN)) {
		uint32_t e = parse_expr(p);

		if (e == RDB_NONE)
			return RDB_NONE;
		if (!expect(p, T_RPAREN))
			return RDB_NONE;
		return e;
	}
	if (p->tok.t != T_IDENT)
		return expected(p, "a condition"), RDB_NONE;
	if (is_kw(p, "true") || is_kw(p, "false") || is_kw(p, "unknown")) {
		n.op = is_kw(p, "true") ? RDB_OP_TRUE : is_kw(p, "false") ? RDB_OP_FALSE
									 : RDB_OP_UNKNOWN;
		next(p);
		return add_node(p, &n, 1);
	}
	if (is_kw(p, "wmi")) {
		next(p);
		if (!expect_kw(p, "in") || !expect(p, T_LBRACE))
			return RDB_NONE;
		n.op = RDB_OP_WMI_IN;
		n.a = (uint32_t)p->c->args.n;
		do {
			if (p->tok.t != T_STRING)
				return expected(p, "a WMI string like \"WBA\""), skip_set(p);
			if (p->tok.str_len != 3 || vin_char_value(p->tok.str[0]) < 0 ||
			    vin_char_value(p->tok.str[1]) < 0 || vin_char_value(p->tok.str[2]) < 0) {
				perr(p, p->tok.line, p->tok.col,
				     "WMI must be 3 characters of 0-9 A-Z without I, O, Q");
				return skip_set(p);
			}
			add_arg(p, rdb_pack_wmi(p->tok.str));
			n.b++;
			next(p);
		} while (accept(p, T_COMMA) && p->tok.t != T_RBRACE);
		if (!expect(p, T_RBRACE))
			return RDB_NONE;
		return add_node(p, &n, 1);
	}
	if (is_kw(p, "vin")) {
		uint32_t from, to;

		next(p);
		if (!expect(p, T_LBRACK))
			return RDB_NONE;
		if (p->tok.t != T_NUMBER || p->tok.num < 1 || p->tok.num > 17) {
			if (p->tok.t == T_NUMBER)
				perr(p, p->tok.line, p->tok.col, "VIN position must be 1..17");
			else
				expected(p, "a VIN position 1..17");
			return RDB_NONE;
		}
		from = to = (uint32_t)p->tok.num;
		next(p);
		if (accept(p, T_DOTDOT)) {
			if (p->tok.t != T_NUMBER || p->tok.num < from || p->tok.num > 17) {
				if (p->tok.t == T_NUMBER)
					perr(p, p->tok.line, p->tok.col,
					     "VIN position range must be ascending within 1..17");
				else
					expected(p, "a VIN position 1..17");
				return RDB_NONE;
			}
			to = (uint32_t)p->tok.num;
			next(p);
		}
		if (!expect(p, T_RBRACK) || !expect(p, T_EQ))
			return RDB_NONE;
		if (p->tok.t != T_STRING)
			return expected(p, "a pattern string (VIN characters, '?' for any)"), RDB_NONE;
		if (p->tok.str_len != to - from + 1) {
			perr(p, p->tok.line, p->tok.col,
			     "pattern has %zu characters but positions %u..%u are %u", p->tok.str_len,
			     from, to, to - from + 1);
			return RDB_NONE;
		}
		for (size_t i = 0; i < p->tok.str_len; i++)
			if (p->tok.str[i] != '?' && vin_char_value(p->tok.str[i]) < 0) {
				perr(p, p->tok.line, p->tok.col + 1 + (unsigned int)i,
				     "'%c' cannot occur in a VIN (0-9 A-Z without I, O, Q; '?' = any)",
				     p->tok.str[i] >= 0x20 && p->tok.str[i] < 0x7f ? p->tok.str[i] : '?');
				return RDB_NONE;
			}
		n.op = RDB_OP_VIN_PAT;
		n.a = from - 1;
		n.b = to - from + 1;
		n.c = intern_tok(p);
		next(p);
		return add_node(p, &n, 1);
	}
	if (is_kw(p, "serial")) {
		next(p);
		return parse_range(p, RDB_OP_SERIAL, T_NUMBER, 0, 999999, "serial number");
	}
	if (is_kw(p, "model_year")) {
		next(p);
		return parse_range(p, RDB_OP_MODEL_YEAR, T_NUMBER, 0, 9999, "year");
	}
	if (is_kw(p, "build_date")) {
		if (!p->uses_build_date) {
			p->uses_build_date = true;
			p->bd_line = line;
			p->bd_col = col;
		}
		next(p);
		return parse_range(p, RDB_OP_BUILD_DATE, T_DATE, 0, 99991231, "date");
	}
	if (is_kw(p, "ecu")) {
		uint32_t ecu;
		uint16_t did = 0;
		enum rdb_cmp cmp;

		next(p);
		if (p->tok.t != T_NUMBER)
			return expected(p, "ECU address (e.g. 0x61)"), RDB_NONE;
		ecu = (uint32_t)p->tok.num;
		next(p);
		if (is_kw(p, "present")) {
			next(p);
			n.op = RDB_OP_ECU_PRESENT;
			n.a = ecu;
			return add_node(p, &n, 1);
		}
		if (!is_kw(p, "did"))
			return expected(p, "'present' or 'did'"), RDB_NONE;
		next(p);
		if (p->tok.t != T_NUMBER)
			return expected(p, "DID (e.g. 0xF189)"), RDB_NONE;
		if (p->tok.num > 0xFFFF) {
			perr(p, p->tok.line, p->tok.col, "DID 0x%llX out of range (16 bits)",
			     (unsigned long long)p->tok.num);
			return RDB_NONE;
		}
		did = (uint16_t)p->tok.num;
		next(p);
		n.a = ecu;
		n.did = did;
		if (is_kw(p, "in")) {
			next(p);
			if (!expect(p, T_LBRACE))
				return RDB_NONE;
			n.op = RDB_OP_DID_IN;
			n.b = (uint32_t)p->c->args.n;
			do {
				if (p->tok.t != T_STRING)
					return expected(p, "a value string"), skip_set(p);
				add_arg(p, intern_tok(p));
				n.c++;
				next(p);
			} while (accept(p, T_COMMA) && p->tok.t != T_RBRACE);
			if (!expect(p, T_RBRACE))
				return RDB_NONE;
			return add_node(p, &n, 1);
		}
		if (!parse_cmp(p, &cmp))
			return expected(p, "'=', '!=', '<', '<=', '>', '>=' or 'in'"), RDB_NONE;
		if (p->tok.t != T_STRING)
			return expected(p, "a value string"), RDB_NONE;
		n.op = RDB_OP_DID_CMP;
		n.cmp = (uint8_t)cmp;
		n.c = intern_tok(p);
		next(p);
		return add_node(p, &n, 1);
	}
	{
		char buf[32];

		perr(p, line, col, "unknown condition '%s' (wmi, vin, serial, model_year, "
		     "build_date, ecu, true, false, unknown)", tok_text(&p->tok, buf, sizeof(buf)));
	}
	return RDB_NONE;
}

static uint32_t parse_unary(struct parser *p)
{
	if (is_kw(p, "not")) {
		unsigned int line = p->tok.line, col = p->tok.col;
		struct rdb_node n = { .op = RDB_OP_NOT };
		uint32_t a;

		next(p);
		if (++p->depth > RDB_MAX_DEPTH - 1) {
			perr(p, line, col, "expression nested deeper than %d", RDB_MAX_DEPTH - 1);
			return RDB_NONE;
		}
		a = parse_unary(p);
		p->depth--;
		if (a == RDB_NONE)
			return RDB_NONE;
		n.a = a;
		return add_node(p, &n, node_depth(p, a) + 1);
	}
	if (p->tok.t == T_LPAREN) {
		unsigned int line = p->tok.line, col = p->tok.col;
		uint32_t e;

		if (++p->depth > RDB_MAX_DEPTH - 1) {
			perr(p, line, col, "expression nested deeper than %d", RDB_MAX_DEPTH - 1);
			return RDB_NONE;
		}
		e = parse_primary(p);
		p->depth--;
		return e;
	}
	return parse_primary(p);
}

/* and/or are n-ary nodes (children in ARGS), so a long chain does not nest deeply. */
static uint32_t parse_chain(struct parser *p, const char *kw, uint8_t op,
			    uint32_t (*sub)(struct parser *))
{
	uint32_t first = sub(p), kids[256], nk = 0;
	unsigned int depth;
	struct rdb_node n = { .op = op };

	if (first == RDB_NONE || !is_kw(p, kw))
		return first;
	kids[nk++] = first;
	depth = node_depth(p, first);
	while (is_kw(p, kw)) {
		uint32_t k;

		if (nk == sizeof(kids) / sizeof(kids[0])) {
			perr(p, p->tok.line, p->tok.col, "more than %zu operands of '%s' (use parentheses)",
			     sizeof(kids) / sizeof(kids[0]), kw);
			return RDB_NONE;
		}
		next(p);
		k = sub(p);
		if (k == RDB_NONE)
			return RDB_NONE;
		kids[nk++] = k;
		if (node_depth(p, k) > depth)
			depth = node_depth(p, k);
	}
	n.a = (uint32_t)p->c->args.n;
	n.b = nk;
	for (uint32_t i = 0; i < nk; i++)
		add_arg(p, kids[i]);
	return add_node(p, &n, depth + 1);
}

static uint32_t parse_and(struct parser *p)
{
	return parse_chain(p, "and", RDB_OP_AND, parse_unary);
}

static uint32_t parse_expr(struct parser *p)
{
	uint32_t e = parse_chain(p, "or", RDB_OP_OR, parse_and);

	if (e != RDB_NONE && node_depth(p, e) >= RDB_MAX_DEPTH) {
		perr(p, p->tok.line, p->tok.col, "expression nested deeper than %d", RDB_MAX_DEPTH - 1);
		return RDB_NONE;
	}
	return e;
}

/* ------------------------------------------------------------------------------------------ */
/* VIN lists */

static int add_vin(struct parser *p, const char *vin, bool exclude)
{
	struct vin_ent *e;

	if (vec_reserve(&p->c->vins, sizeof(*e), 1) < 0) {
		p->oom = true;
		return -ENOMEM;
	}
	e = (struct vin_ent *)p->c->vins.p + p->c->vins.n++;
	e->prefix = rdb_pack_prefix(vin);
	e->suffix = rdb_pack_suffix(vin);
	e->ref = (uint32_t)p->cur_idx << 1 | exclude;
	if (exclude)
		p->cur->rec.n_exclude++;
	else
		p->cur->rec.n_include++;
	return 0;
}

/* A list entry of 17 characters as the VIN it names: lower case is the same VIN. */
static void list_vin(const char *s, char out[VIN_LEN + 1])
{
	for (size_t i = 0; i < VIN_LEN; i++)
		out[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
	out[VIN_LEN] = 0;
}

/*
 * A North American VIN (first character 1-5) carries a check digit; with a wrong one the matcher
 * takes the VIN as invalid, so such a list entry could never select a car: a typo in the list.
 * Returns the expected digit, or 0 when the entry is fine.
 */
static char list_check_digit_wrong(const char *vin)
{
	struct vin_info vi;

	if (vin_decode(vin, VIN_LEN, &vi) < 0 || !(vi.errors & VIN_ERR_CHECK_DIGIT))
		return 0;
	return vi.check_expected;
}

#define CHECK_DIGIT_MSG \
	"check digit wrong: position 9 is '%c', this VIN's is '%c' (a North American VIN must " \
	"carry it; the matcher would never find this entry)"

static void vin_list_inline(struct parser *p, bool exclude)
{
	if (!expect(p, T_LBRACE))
		return;
	while (p->tok.t == T_STRING) {
		char v[VIN_LEN + 1] = "";

		if (p->tok.str_len == VIN_LEN)
			list_vin(p->tok.str, v);
		if (!vin_syntax_ok(v, strnlen(v, sizeof(v))))
			perr(p, p->tok.line, p->tok.col,
			     "not a VIN: must be 17 characters of 0-9 A-Z without I, O, Q");
		else if (list_check_digit_wrong(v))
			perr(p, p->tok.line, p->tok.col + 9, CHECK_DIGIT_MSG, v[8],
			     list_check_digit_wrong(v));
		else if (add_vin(p, v, exclude) < 0)
			return;
		next(p);
		if (!accept(p, T_COMMA))
			break;
	}
	if (!expect(p, T_RBRACE))
		skip_set(p);
}

/* One VIN per line, '#' comments, blank lines; millions of lines, so no tokenizer here. */
static void vin_list_file(struct parser *p, const char *name, bool exclude, unsigned int sline,
			  unsigned int scol)
{
	char *path = NULL, *fname;
	struct stat st;
	char *m = NULL;
	unsigned int errors = 0, line = 0;
	size_t pos = 0;
	int fd = -1;

	if (p->c->flags & RULE_NO_FILES) {
		perr(p, sline, scol, "VIN list files are not allowed here");
		return;
	}
	if (name[0] == '/' || !p->dir)
		path = strdup(name);
	else if (asprintf(&path, "%s/%s", p->dir, name) < 0)
		path = NULL;
	if (!path) {
		p->oom = true;
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		perr(p, sline, scol, "cannot read VIN list '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		perr(p, sline, scol, "VIN list '%s' is not a regular file", path);
		goto out;
	}
	/* The diagnostics of the list point into it, so its name lives as long as the compiler. */
	if (vec_reserve(&p->c->files, sizeof(char *), 1) < 0) {
		p->oom = true;
		goto out;
	}
	fname = path;
	((char **)p->c->files.p)[p->c->files.n++] = fname;
	path = NULL;
	if (st.st_size == 0)
		goto out;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		m = NULL;
		perr(p, sline, scol, "cannot map VIN list '%s': %s", fname, strerror(errno));
		goto out;
	}
	(void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	if (vec_reserve(&p->c->vins, sizeof(struct vin_ent), (size_t)st.st_size / 18 + 1) < 0) {
		p->oom = true;
		goto out;
	}
	while (pos < (size_t)st.st_size) {
		const char *s = m + pos, *nl = memchr(s, '\n', (size_t)st.st_size - pos);
		size_t len = nl ? (size_t)(nl - s) : (size_t)st.st_size - pos, b = 0, e = len;
		char up[VIN_LEN + 1] = "", msg[200];
		unsigned int col = 1;

		pos += len + 1;
		line++;
		while (b < e && (s[b] == ' ' || s[b] == '\t'))
			b++;
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
			e--;
		if (b == e || s[b] == '#')
			continue;
		/* lower case is the same VIN, as in inline lists */
		if (e - b == VIN_LEN)
			list_vin(s + b, up);
		msg[0] = 0;
		if (e - b != VIN_LEN || !vin_syntax_ok(up, VIN_LEN)) {
			size_t bad = b;

			while (bad < e && vin_char_value(e - b == VIN_LEN ? up[bad - b] : s[bad]) >= 0)
				bad++;
			col = (unsigned int)(bad < e ? bad : b) + 1;
			if (e - b != VIN_LEN)
				snprintf(msg, sizeof(msg), "not a VIN: %zu characters, need 17", e - b);
			else
				snprintf(msg, sizeof(msg), "not a VIN: character %zu not allowed "
					 "(0-9 A-Z without I, O, Q)", bad - b + 1);
		} else if (list_check_digit_wrong(up)) {
			col = (unsigned int)b + 9;
			snprintf(msg, sizeof(msg), CHECK_DIGIT_MSG, up[8], list_check_digit_wrong(up));
		}
		if (msg[0]) {
			if (rule_diag_add(p->c, fname, line, col, RULE_ERROR, "%s", msg) < 0)
				p->oom = true;
			if (++errors >= MAX_FILE_ERRORS) {
				rule_diag_add(p->c, fname, line, 1, RULE_ERROR,
					      "too many errors, rest of the file not checked");
				break;
			}
			continue;
		}
		if (add_vin(p, up, exclude) < 0)
			break;
	}
out:
	if (m)
		munmap(m, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	free(path);
}

/* ------------------------------------------------------------------------------------------ */
/* Statements */

enum stmt_bit {
	S_TITLE, S_MAKE, S_KBA, S_NHTSA, S_DEFECT, S_REMEDY, S_COST, S_LABOUR, S_EXTENDS,
	S_SUPERSEDES, S_KIND, S_START, S_RECOG, S_BD, S_AFFECTED, S_REMEDIED, S_INSPECT,
};

static const struct text_stmt {
	const char *kw;
	enum stmt_bit bit;
	enum rdb_cstr field;
} text_stmts[] = {
	{ "title", S_TITLE, RDB_S_TITLE },	{ "make", S_MAKE, RDB_S_MAKE },
	{ "kba", S_KBA, RDB_S_KBA },		{ "nhtsa", S_NHTSA, RDB_S_NHTSA },
	{ "defect", S_DEFECT, RDB_S_DEFECT },	{ "remedy", S_REMEDY, RDB_S_REMEDY },
	{ "cost", S_COST, RDB_S_COST },		{ "labour", S_LABOUR, RDB_S_LABOUR },
	{ "extends", S_EXTENDS, RDB_S_EXTENDS }, { "supersedes", S_SUPERSEDES, RDB_S_SUPERSEDES },
};

static const char *const remedy_kinds[] = {
	[RDB_REMEDY_WORKSHOP] = "workshop", [RDB_REMEDY_OTA] = "ota",
	[RDB_REMEDY_INSPECTION] = "inspection",
};

static const char *const recog_kinds[] = {
	[RDB_RECOG_MANUFACTURER_DIAG] = "manufacturer_diagnosis",
	[RDB_RECOG_VEHICLE_DIAG] = "vehicle_diagnosis",
	[RDB_RECOG_HOTLINE] = "hotline",
	[RDB_RECOG_WORKSHOP_SYSTEM] = "workshop_system",
};

static int word_index(const struct parser *p, const char *const *words, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (words[i] && is_kw(p, words[i]))
			return (int)i;
	return -1;
}

/* Parses one statement; false when it had an error (caller recovers). */
static bool parse_stmt(struct parser *p, uint32_t *seen)
{
	struct rdb_campaign_rec *r = &p->cur->rec;
	unsigned int line = p->tok.line, col = p->tok.col;
	char kw[32];
	int bit = -1;

	tok_text(&p->tok, kw, sizeof(kw));
	if (p->tok.t != T_IDENT)
		return expected(p, "a statement (title, affected, remedied, ...)");

	for (size_t i = 0; i < sizeof(text_stmts) / sizeof(text_stmts[0]); i++)
		if (is_kw(p, text_stmts[i].kw))
			bit = (int)text_stmts[i].bit;
	if (is_kw(p, "remedy_kind"))
		bit = S_KIND;
	else if (is_kw(p, "start"))
		bit = S_START;
	else if (is_kw(p, "recognition"))
		bit = S_RECOG;
	else if (is_kw(p, "build_date"))
		bit = S_BD;
	else if (is_kw(p, "affected"))
		bit = S_AFFECTED;
	else if (is_kw(p, "remedied"))
		bit = S_REMEDIED;
	else if (is_kw(p, "inspect"))
		bit = S_INSPECT;
	else if (!is_kw(p, "include") && !is_kw(p, "exclude") && bit < 0) {
		perr(p, line, col, "unknown statement '%s'", kw);
		return false;
	}
	if (bit >= 0) {
		if (*seen & (1u << bit)) {
			perr(p, line, col, "'%s' given twice in this campaign", kw);
			return false;
		}
		*seen |= 1u << bit;
	}
	next(p);

	for (size_t i = 0; i < sizeof(text_stmts) / sizeof(text_stmts[0]); i++) {
		if ((int)text_stmts[i].bit != bit)
			continue;
		if (p->tok.t != T_STRING)
			return expected(p, "a string");
		if (p->tok.str_len == 0)
			pwarn(p, p->tok.line, p->tok.col, "empty %s", kw);
		r->str[text_stmts[i].field] = intern_tok(p);
		next(p);
		return expect(p, T_SEMI);
	}
	switch (bit) {
	case S_KIND: {
		int k = word_index(p, remedy_kinds, sizeof(remedy_kinds) / sizeof(remedy_kinds[0]));

		if (k < 0)
			return expected(p, "workshop, ota or inspection");
		r->remedy_kind = (uint8_t)k;
		next(p);
		return expect(p, T_SEMI);
	}
	case S_START:
		if (p->tok.t != T_DATE)
			return expected(p, "a date YYYY-MM-DD");
		r->start_date = (uint32_t)p->tok.num;
		next(p);
		return expect(p, T_SEMI);
	case S_RECOG: {
		int k = word_index(p, recog_kinds, sizeof(recog_kinds) / sizeof(recog_kinds[0]));

		if (k < 0)
			return expected(p, "manufacturer_diagnosis, vehicle_diagnosis, hotline or "
					   "workshop_system");
		r->recognition = (uint8_t)k;
		next(p);
		if (p->tok.t == T_STRING) {
			r->str[RDB_S_RECOG] = intern_tok(p);
			next(p);
		}
		if (is_kw(p, "number")) {
			next(p);
			if (p->tok.t != T_STRING)
				return expected(p, "the hotline number as a string");
			r->str[RDB_S_HOTLINE] = intern_tok(p);
			next(p);
		}
		if (k == RDB_RECOG_HOTLINE && !r->str[RDB_S_HOTLINE]) {
			perr(p, line, col, "recognition hotline needs its number: number \"...\"");
			return false;
		}
		return expect(p, T_SEMI);
	}
	case S_BD: {
		uint32_t ecu = 0;
		uint16_t did = 0;

		if (!expect_kw(p, "from") || !expect_kw(p, "ecu") || !parse_ecu_did(p, &ecu, &did))
			return false;
		if (is_kw(p, "bcd"))
			r->bd_format = RDB_BD_BCD;
		else if (is_kw(p, "ascii"))
			r->bd_format = RDB_BD_ASCII;
		else
			return expected(p, "bcd or ascii");
		next(p);
		r->bd_ecu = ecu;
		r->bd_did = did;
		return expect(p, T_SEMI);
	}
	case S_AFFECTED:
	case S_REMEDIED:
	case S_INSPECT: {
		uint32_t e;

		if (bit != S_AFFECTED && !expect_kw(p, "when"))
			return false;
		p->depth = 0;
		e = parse_expr(p);
		if (e == RDB_NONE)
			return false;
		if (bit == S_AFFECTED)
			r->affected = e;
		else if (bit == S_REMEDIED)
			r->remedied = e;
		else
			r->inspect = e;
		return expect(p, T_SEMI);
	}
	}
	/* include / exclude */
	{
		bool exclude = kw[0] == 'e';

		r->flags |= exclude ? RDB_CF_EXCLUDE : RDB_CF_INCLUDE;
		if (is_kw(p, "vins")) {
			next(p);
			vin_list_inline(p, exclude);
		} else if (is_kw(p, "file")) {
			unsigned int fl, fc;

			next(p);
			if (p->tok.t != T_STRING)
				return expected(p, "a file name string");
			fl = p->tok.line;
			fc = p->tok.col;
			{
				char *name = strdup(p->tok.str);

				if (!name) {
					p->oom = true;
					return false;
				}
				next(p);
				vin_list_file(p, name, exclude, fl, fc);
				free(name);
			}
		} else {
			return expected(p, "'vins' or 'file'");
		}
		return expect(p, T_SEMI);
	}
}

static void parse_campaign(struct parser *p)
{
	unsigned int line = p->tok.line, col = p->tok.col;
	struct rcampaign *rc;
	uint32_t seen = 0;
	size_t errs = p->c->n_errors;

	next(p);
	if (p->tok.t != T_STRING) {
		expected(p, "the campaign id as a string");
		recover(p);
		return;
	}
	if (p->tok.str_len == 0 || p->tok.str_len > 64) {
		perr(p, p->tok.line, p->tok.col, "campaign id must be 1 to 64 characters");
	}
	if (vec_reserve(&p->c->campaigns, sizeof(*rc), 1) < 0 || p->c->campaigns.n >= (1u << 30)) {
		p->oom = true;
		return;
	}
	p->cur_idx = p->c->campaigns.n++;
	rc = p->cur = (struct rcampaign *)p->c->campaigns.p + p->cur_idx;
	memset(rc, 0, sizeof(*rc));
	rc->file = p->file;
	rc->line = line;
	rc->col = col;
	rc->rec.affected = rc->rec.remedied = rc->rec.inspect = RDB_NONE;
	rc->id_off = intern_tok(p);
	rc->rec.str[RDB_S_ID] = rc->id_off;
	p->uses_build_date = false;
	next(p);
	if (!expect(p, T_LBRACE)) {
		recover(p);
		accept(p, T_RBRACE);
		return;
	}
	while (p->tok.t != T_RBRACE && p->tok.t != T_EOF && !p->oom) {
		if (is_kw(p, "campaign")) {
			/* a missing '}' should not swallow the next campaign */
			perr(p, p->tok.line, p->tok.col, "expected '}' before 'campaign'");
			return;
		}
		/* the campaign vector may move while VIN lists grow other vectors: re-derive */
		p->cur = (struct rcampaign *)p->c->campaigns.p + p->cur_idx;
		if (!parse_stmt(p, &seen))
			recover(p);
	}
	rc = p->cur = (struct rcampaign *)p->c->campaigns.p + p->cur_idx;
	if (p->tok.t == T_EOF) {
		perr(p, line, col, "campaign not closed with '}'");
		return;
	}
	next(p);
	if (p->c->n_errors != errs)
		return;			/* follow-on errors would only repeat the first ones */
	if (!(seen & (1u << S_TITLE)))
		perr(p, line, col, "campaign has no title");
	if (rc->rec.affected == RDB_NONE && !(rc->rec.flags & RDB_CF_INCLUDE))
		perr(p, line, col, "campaign selects no vehicle: give 'affected' or 'include'");
	if (p->uses_build_date && rc->rec.bd_format == RDB_BD_NONE)
		perr(p, p->bd_line, p->bd_col,
		     "build_date used but the campaign does not say where it is read "
		     "(build_date from ecu ADDR did DID bcd|ascii;)");
	if (!(seen & (1u << S_RECOG)))
		pwarn(p, line, col, "campaign does not say how an affected vehicle is recognised "
		      "(recognition ...)");
	if ((seen & (1u << S_INSPECT)) && rc->rec.affected == RDB_NONE &&
	    !(rc->rec.flags & RDB_CF_INCLUDE))
		pwarn(p, line, col, "inspect when without a selection");
}

int rule_compiler_add_source(struct rule_compiler *c, const char *name, const char *text,
			     size_t len)
{
	struct parser p = { 0 };
	char *fname, *slash;
	size_t before;

	if (!c || !name || (!text && len))
		return -EINVAL;
	before = c->n_errors;
	if (vec_reserve(&c->files, sizeof(char *), 2) < 0 || !(fname = strdup(name)))
		return -ENOMEM;
	((char **)c->files.p)[c->files.n++] = fname;
	p.c = c;
	p.file = fname;
	p.src = text ? text : "";
	p.len = len;
	p.line = p.col = 1;
	slash = strrchr(fname, '/');
	if (slash) {
		char *dir = strndup(fname, (size_t)(slash - fname) + (slash == fname));

		if (!dir)
			return -ENOMEM;
		((char **)c->files.p)[c->files.n++] = dir;
		p.dir = dir;
	}
	if (memchr(p.src, 0, len)) {
		perr(&p, 1, 1, "file contains NUL bytes: not a rule file");
		return -EINVAL;
	}
	next(&p);
	while (p.tok.t != T_EOF && !p.oom) {
		if (is_kw(&p, "campaign")) {
			parse_campaign(&p);
			continue;
		}
		expected(&p, "'campaign'");
		/* skip to the next campaign keyword */
		do
			next(&p);
		while (p.tok.t != T_EOF && !is_kw(&p, "campaign"));
	}
	free(p.tok.str);
	if (p.oom)
		return -ENOMEM;
	return c->n_errors == before ? 0 : -EINVAL;
}

int rule_compiler_add_file(struct rule_compiler *c, const char *path)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, r;

	if (!c || !path)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 30)) {
		r = fd < 0 || errno ? -errno : -EINVAL;
		if (fd >= 0 && S_ISDIR(st.st_mode))
			r = -EISDIR;
		else if (fd >= 0 && st.st_size > (1 << 30))
			r = -EFBIG;
		if (fd >= 0)
			close(fd);
		{
			char *fname = strdup(path);

			if (!fname || vec_reserve(&c->files, sizeof(char *), 1) < 0) {
				free(fname);
				return -ENOMEM;
			}
			((char **)c->files.p)[c->files.n++] = fname;
			rule_diag_add(c, fname, 1, 1, RULE_ERROR, "cannot read: %s", strerror(-r));
		}
		return r;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	r = rule_compiler_add_source(c, path, buf, len);
	free(buf);
	return r;
}
