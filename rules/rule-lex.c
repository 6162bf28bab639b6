/* SPDX-License-Identifier: MIT */
/*
 * The lexer of the rule language: hand-written, one token of lookahead (in the manner of Lua's
 * llex.c), strings checked for UTF-8 and control characters as they are read, dates checked
 * against the calendar.  Also the small token helpers of the recursive descent (expect, recover).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rule-parse.h"

#define MAX_STRING (64 * 1024)

static const char *const tok_names[] = {
	[T_EOF] = "end of file", [T_IDENT] = "word", [T_STRING] = "string",
	[T_NUMBER] = "number", [T_DATE] = "date", [T_LBRACE] = "'{'", [T_RBRACE] = "'}'",
	[T_LPAREN] = "'('", [T_RPAREN] = "')'", [T_LBRACK] = "'['", [T_RBRACK] = "']'",
	[T_SEMI] = "';'", [T_COMMA] = "','", [T_DOTDOT] = "'..'", [T_EQ] = "'='",
	[T_COLON] = "':'", [T_NE] = "'!='", [T_LT] = "'<'", [T_LE] = "'<='", [T_GT] = "'>'", [T_GE] = "'>='",
	[T_BAD] = "invalid token",
};

void rule_perr(struct parser *p, unsigned int line, unsigned int col, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rule_diag_add(p->c, p->file, line, col, RULE_ERROR, "%s", buf) < 0)
		p->oom = true;
}

void rule_pwarn(struct parser *p, unsigned int line, unsigned int col, const char *fmt, ...)
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
const char *rule_tok_text(const struct token *t, char *buf, size_t len)
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

static bool is_ident_start(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool is_ident(int ch)
{
	return is_ident_start(ch) || (ch >= '0' && ch <= '9');
}

/* Into the parser's string buffer, reused from token to token: lists of millions of VINs are
 * millions of strings, and a malloc for each was a tenth of the compile. */
static void lex_string(struct parser *p, struct token *t)
{
	char *buf = p->sbuf;
	size_t n = 0, cap = p->sbuf_cap;
	bool bad = false;

	if (!buf) {
		buf = malloc(256);
		if (!buf) {
			p->oom = true;
			t->t = T_BAD;
			return;
		}
		cap = 256;
	}
	advance(p);			/* opening quote */
	for (;;) {
		int ch = peekc(p, 0);
		size_t ul;

		if (ch < 0) {
			rule_perr(p, t->line, t->col, "unterminated string");
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
				rule_perr(p, t->line, t->col, "string longer than %d bytes",
					MAX_STRING);
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
				cap /= 2;
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
				rule_perr(p, l, col,
					"unknown escape '\\%c' in string (use \\\" \\\\ \\n \\t)",
					e >= 0x20 && e < 0x7f ? e : '?');
				bad = true;
				break;
			}
			if (e >= 0)
				advance(p);
			continue;
		}
		/* texts end up on a technician's terminal: no control characters but tab and
		 * newline (CRLF is read as LF); the reader refuses the same (rdb_text_check) */
		if ((ch < 0x20 && ch != '\n' && ch != '\t' &&
			    !(ch == '\r' && peekc(p, 1) == '\n')) ||
			ch == 0x7f || (ch == 0xC2 && peekc(p, 1) >= 0x80 && peekc(p, 1) < 0xA0)) {
			rule_perr(p, p->line, p->col, "control character %s%02X in string",
				  ch == 0xC2 ? "U+00" : "0x",
				  ch == 0xC2 ? (unsigned int)peekc(p, 1) : (unsigned int)ch);
			if (ch == 0xC2)
				advance(p);
			bad = true;
			advance(p);
			continue;
		}
		ul = rdb_utf8_len((const unsigned char *)p->src + p->pos, p->len - p->pos);
		if (!ul) {
			rule_perr(p, p->line, p->col, "invalid UTF-8 in string");
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
	p->sbuf = buf;
	p->sbuf_cap = cap;
	if (bad) {
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
				m = (unsigned int)(peekc(p, 1) - '0') * 10 +
				    (unsigned int)(peekc(p, 2) - '0');
				d = (unsigned int)(peekc(p, 4) - '0') * 10 +
				    (unsigned int)(peekc(p, 5) - '0');
				for (int i = 0; i < 6; i++)
					advance(p);
			}
			t->s = p->src + start;
			t->n = p->pos - start;
			if (!ok || is_ident(peekc(p, 0))) {
				while (is_ident(peekc(p, 0)) || peekc(p, 0) == '-')
					advance(p);
				t->n = p->pos - start;
				rule_perr(p, t->line, t->col, "malformed date (write YYYY-MM-DD)");
				t->t = T_BAD;
				return;
			}
			if (!rdb_date_valid((unsigned int)v, m, d)) {
				rule_perr(p, t->line, t->col, "invalid date %.10s", t->s);
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
		rule_perr(p, t->line, t->col, "malformed number '%.*s'",
			(int)(t->n > 24 ? 24 : t->n), t->s);
		t->t = T_BAD;
		return;
	}
	t->n = p->pos - start;
	if (overflow) {
		rule_perr(p, t->line, t->col, "number '%.*s' too large (at most 0xFFFFFFFF)",
		     (int)(t->n > 24 ? 24 : t->n), t->s);
		t->t = T_BAD;
		return;
	}
	t->t = T_NUMBER;
	t->num = v;
}

void rule_next(struct parser *p)
{
	struct token *t = &p->tok;

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
	case ':': t->t = T_COLON; return;
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
		size_t ul = rdb_utf8_len(
			(const unsigned char *)p->src + p->pos - 1, p->len - p->pos + 1);

		for (size_t i = 1; i < ul; i++)
			advance(p);
		rule_perr(p, t->line, t->col, "unexpected character outside a string");
	} else {
		rule_perr(p, t->line, t->col, "unexpected character '%c'",
			ch >= 0x20 && ch < 0x7f ? ch : '?');
	}
	goto again;
}

bool rule_is_kw(const struct parser *p, const char *kw)
{
	return p->tok.t == T_IDENT && strlen(kw) == p->tok.n && memcmp(p->tok.s, kw, p->tok.n) == 0;
}

/* An error at the current token: "expected X, found 'y'".  Returns false for `if (!...)`. */
bool rule_expected(struct parser *p, const char *what)
{
	char buf[32];

	if (p->tok.t == T_BAD)
		return false;		/* the lexer already said what is wrong */
	rule_perr(p, p->tok.line, p->tok.col, "expected %s, found %s%s%s", what,
	     p->tok.t == T_IDENT || p->tok.t == T_NUMBER || p->tok.t == T_DATE ? "'" : "",
	     p->tok.t == T_IDENT || p->tok.t == T_NUMBER || p->tok.t == T_DATE
		     ? rule_tok_text(&p->tok, buf, sizeof(buf)) : tok_names[p->tok.t],
	     p->tok.t == T_IDENT || p->tok.t == T_NUMBER || p->tok.t == T_DATE ? "'" : "");
	return false;
}

bool rule_accept(struct parser *p, enum tok t)
{
	if (p->tok.t != t)
		return false;
	rule_next(p);
	return true;
}

bool rule_expect(struct parser *p, enum tok t)
{
	if (rule_accept(p, t))
		return true;
	return rule_expected(p, tok_names[t]);
}

bool rule_expect_kw(struct parser *p, const char *kw)
{
	char what[40];

	if (rule_is_kw(p, kw)) {
		rule_next(p);
		return true;
	}
	snprintf(what, sizeof(what), "'%s'", kw);
	return rule_expected(p, what);
}

/* After an error: skip to the end of the statement (';' eaten) or campaign ('}' kept). */
void rule_recover(struct parser *p)
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
			rule_next(p);
			return;
		}
		rule_next(p);
	}
}

/* After an error inside a {...} set: skip to its '}' so recovery does not take it for the end
 * of the campaign. */
uint32_t rule_skip_set(struct parser *p)
{
	while (p->tok.t != T_RBRACE && p->tok.t != T_SEMI && p->tok.t != T_EOF)
		rule_next(p);
	rule_accept(p, T_RBRACE);
	return RDB_NONE;
}
