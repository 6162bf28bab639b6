/* SPDX-License-Identifier: MIT */
/*
 * The grammar of the rule language (rules/README.md): a recursive descent over rule-lex.c's
 * tokens.  Every error is reported as file:line:col and parsing resumes at the next ';' or '}',
 * so one run shows all errors of all files.  Expressions are emitted as database nodes while
 * parsing (children first), strings are interned once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rule-parse.h"
#include "rules/vin-key.h"
#include "rules/vin.h"

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
			rule_perr(p, p->tok.line, p->tok.col, "string table full (4 GiB)");
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
			rule_next(p);
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
		rule_next(p);
		if (!rule_expect(p, T_DOTDOT))
			return RDB_NONE;
		if (p->tok.t != kind)
			return rule_expected(p, what), RDB_NONE;
		n.b = (uint32_t)p->tok.num;
		if (n.b < n.a) {
			rule_perr(p, p->tok.line, p->tok.col,
				"empty range: upper bound before lower bound");
			return RDB_NONE;
		}
		rule_next(p);
		return add_node(p, &n, 1);
	}
	if (!parse_cmp(p, &cmp)) {
		char w[64];

		snprintf(w, sizeof(w), "a comparison or a range of %ss", what);
		return rule_expected(p, w), RDB_NONE;
	}
	if (p->tok.t != kind)
		return rule_expected(p, what), RDB_NONE;
	n.a = lo_min;
	n.b = hi_max;
	switch (cmp) {
	case RDB_CMP_EQ:
	case RDB_CMP_NE:
		n.a = n.b = (uint32_t)p->tok.num;
		break;
	case RDB_CMP_LT:
		if (p->tok.num == 0) {
			rule_perr(p, p->tok.line, p->tok.col, "nothing is below 0");
			return RDB_NONE;
		}
		n.b = kind == T_DATE ? date_step((uint32_t)p->tok.num, -1)
				     : (uint32_t)p->tok.num - 1;
		break;
	case RDB_CMP_LE:
		n.b = (uint32_t)p->tok.num;
		break;
	case RDB_CMP_GT:
		n.a = kind == T_DATE ? date_step((uint32_t)p->tok.num, 1)
				     : (uint32_t)p->tok.num + 1;
		break;
	case RDB_CMP_GE:
		n.a = (uint32_t)p->tok.num;
		break;
	}
	rule_next(p);
	id = add_node(p, &n, 1);
	if (cmp == RDB_CMP_NE && id != RDB_NONE) {
		struct rdb_node nn = { .op = RDB_OP_NOT, .a = id };

		id = add_node(p, &nn, 2);
	}
	return id;
}

static uint32_t parse_expr(struct parser *p);

/*
 * An ECU as rules name it (can/README.md "ECU keys", /work/notes/can-ecu-keys.md): a number —
 * 0x7E0..0x7E7 for 11-bit OBD, the address byte for 29-bit OBD and BMW — or REQ:RESP, an 11-bit
 * UDS request:response pair (0x710:0x77A), packed 0x80000000 | REQ << 16 | RESP.  An OBD pair
 * (0x7E0:0x7E8 .. 0x7E7:0x7EF) is the 11-bit OBD ECU itself: key 0x7E0, as the bus layer has it.
 * Leaves the token after the ECU current.
 */
static bool parse_ecu(struct parser *p, uint32_t *ecu)
{
	uint64_t req, resp;
	unsigned int line, col;

	if (p->tok.t != T_NUMBER)
		return rule_expected(p, "ECU address (e.g. 0x61 or 0x710:0x77A)");
	req = p->tok.num;
	line = p->tok.line;
	col = p->tok.col;
	rule_next(p);
	if (p->tok.t != T_COLON) {
		*ecu = (uint32_t)req;
		return true;
	}
	rule_next(p);
	if (p->tok.t != T_NUMBER)
		return rule_expected(p, "response id after ':' (e.g. 0x710:0x77A)");
	resp = p->tok.num;
	rule_next(p);
	if (req > 0x7FF || resp > 0x7FF || req == resp) {
		rule_perr(p, line, col, "ECU 0x%llX:0x%llX: request and response must be different "
			  "11-bit ids", (unsigned long long)req, (unsigned long long)resp);
		return false;
	}
	if (req >= 0x7E0 && req <= 0x7E7 && resp == req + 8)
		*ecu = (uint32_t)req;
	else
		*ecu = 0x80000000u | (uint32_t)req << 16 | (uint32_t)resp;
	return true;
}

static bool parse_ecu_did(struct parser *p, uint32_t *ecu, uint16_t *did)
{
	if (!parse_ecu(p, ecu))
		return false;
	if (!rule_is_kw(p, "did") && did)
		return rule_expected(p, "'did'");
	if (!did)
		return true;
	rule_next(p);
	if (p->tok.t != T_NUMBER)
		return rule_expected(p, "DID (e.g. 0xF189)");
	if (p->tok.num > 0xFFFF) {
		rule_perr(p, p->tok.line, p->tok.col, "DID 0x%llX out of range (16 bits)",
		     (unsigned long long)p->tok.num);
		return false;
	}
	*did = (uint16_t)p->tok.num;
	rule_next(p);
	return true;
}

static uint32_t parse_primary(struct parser *p)
{
	unsigned int line = p->tok.line, col = p->tok.col;
	struct rdb_node n = { 0 };

	if (rule_accept(p, T_LPAREN)) {
		uint32_t e = parse_expr(p);

		if (e == RDB_NONE)
			return RDB_NONE;
		if (!rule_expect(p, T_RPAREN))
			return RDB_NONE;
		return e;
	}
	if (p->tok.t != T_IDENT)
		return rule_expected(p, "a condition"), RDB_NONE;
	if (rule_is_kw(p, "true") || rule_is_kw(p, "false") || rule_is_kw(p, "unknown")) {
		n.op = rule_is_kw(p, "true") ? RDB_OP_TRUE : rule_is_kw(p, "false") ? RDB_OP_FALSE
									 : RDB_OP_UNKNOWN;
		rule_next(p);
		return add_node(p, &n, 1);
	}
	if (rule_is_kw(p, "wmi")) {
		rule_next(p);
		if (!rule_expect_kw(p, "in") || !rule_expect(p, T_LBRACE))
			return RDB_NONE;
		n.op = RDB_OP_WMI_IN;
		n.a = (uint32_t)p->c->args.n;
		do {
			if (p->tok.t != T_STRING)
				return rule_expected(p, "a WMI string like \"WBA\""),
				       rule_skip_set(p);
			if (p->tok.str_len != 3 || vin_char_value(p->tok.str[0]) < 0 ||
				vin_char_value(p->tok.str[1]) < 0 ||
				vin_char_value(p->tok.str[2]) < 0) {
				rule_perr(p, p->tok.line, p->tok.col,
				     "WMI must be 3 characters of 0-9 A-Z without I, O, Q");
				return rule_skip_set(p);
			}
			add_arg(p, rdb_pack_wmi(p->tok.str));
			n.b++;
			rule_next(p);
		} while (rule_accept(p, T_COMMA) && p->tok.t != T_RBRACE);
		if (!rule_expect(p, T_RBRACE))
			return RDB_NONE;
		return add_node(p, &n, 1);
	}
	if (rule_is_kw(p, "vin")) {
		uint32_t from, to;

		rule_next(p);
		if (!rule_expect(p, T_LBRACK))
			return RDB_NONE;
		if (p->tok.t != T_NUMBER || p->tok.num < 1 || p->tok.num > 17) {
			if (p->tok.t == T_NUMBER)
				rule_perr(p, p->tok.line, p->tok.col, "VIN position must be 1..17");
			else
				rule_expected(p, "a VIN position 1..17");
			return RDB_NONE;
		}
		from = to = (uint32_t)p->tok.num;
		rule_next(p);
		if (rule_accept(p, T_DOTDOT)) {
			if (p->tok.t != T_NUMBER || p->tok.num < from || p->tok.num > 17) {
				if (p->tok.t == T_NUMBER)
					rule_perr(p, p->tok.line, p->tok.col,
					     "VIN position range must be ascending within 1..17");
				else
					rule_expected(p, "a VIN position 1..17");
				return RDB_NONE;
			}
			to = (uint32_t)p->tok.num;
			rule_next(p);
		}
		if (!rule_expect(p, T_RBRACK) || !rule_expect(p, T_EQ))
			return RDB_NONE;
		if (p->tok.t != T_STRING)
			return rule_expected(p, "a pattern string (VIN characters, '?' for any)"),
			       RDB_NONE;
		if (p->tok.str_len != to - from + 1) {
			rule_perr(p, p->tok.line, p->tok.col,
				"pattern has %zu characters but positions %u..%u are %u",
				p->tok.str_len, from, to, to - from + 1);
			return RDB_NONE;
		}
		for (size_t i = 0; i < p->tok.str_len; i++)
			if (p->tok.str[i] != '?' && vin_char_value(p->tok.str[i]) < 0) {
				rule_perr(p, p->tok.line, p->tok.col + 1 + (unsigned int)i,
					"'%c' cannot occur in a VIN (0-9 A-Z without I, O, Q; '?' "
					"= any)",
					p->tok.str[i] >= 0x20 && p->tok.str[i] < 0x7f
						? p->tok.str[i]
						: '?');
				return RDB_NONE;
			}
		n.op = RDB_OP_VIN_PAT;
		n.a = from - 1;
		n.b = to - from + 1;
		n.c = intern_tok(p);
		rule_next(p);
		return add_node(p, &n, 1);
	}
	if (rule_is_kw(p, "serial")) {
		rule_next(p);
		return parse_range(p, RDB_OP_SERIAL, T_NUMBER, 0, 999999, "serial number");
	}
	if (rule_is_kw(p, "model_year")) {
		rule_next(p);
		return parse_range(p, RDB_OP_MODEL_YEAR, T_NUMBER, 0, 9999, "year");
	}
	if (rule_is_kw(p, "build_date")) {
		if (!p->uses_build_date) {
			p->uses_build_date = true;
			p->bd_line = line;
			p->bd_col = col;
		}
		rule_next(p);
		return parse_range(p, RDB_OP_BUILD_DATE, T_DATE, 0, 99991231, "date");
	}
	if (rule_is_kw(p, "ecu")) {
		uint32_t ecu;
		uint16_t did = 0;
		enum rdb_cmp cmp;

		rule_next(p);
		if (!parse_ecu(p, &ecu))
			return RDB_NONE;
		if (rule_is_kw(p, "present")) {
			rule_next(p);
			n.op = RDB_OP_ECU_PRESENT;
			n.ecu = ecu;
			return add_node(p, &n, 1);
		}
		if (!rule_is_kw(p, "did"))
			return rule_expected(p, "'present' or 'did'"), RDB_NONE;
		rule_next(p);
		if (p->tok.t != T_NUMBER)
			return rule_expected(p, "DID (e.g. 0xF189)"), RDB_NONE;
		if (p->tok.num > 0xFFFF) {
			rule_perr(p, p->tok.line, p->tok.col, "DID 0x%llX out of range (16 bits)",
			     (unsigned long long)p->tok.num);
			return RDB_NONE;
		}
		did = (uint16_t)p->tok.num;
		rule_next(p);
		n.ecu = ecu;
		n.did = did;
		if (rule_is_kw(p, "in")) {
			rule_next(p);
			if (!rule_expect(p, T_LBRACE))
				return RDB_NONE;
			n.op = RDB_OP_DID_IN;
			n.b = (uint32_t)p->c->args.n;
			do {
				if (p->tok.t != T_STRING)
					return rule_expected(p, "a value string"), rule_skip_set(p);
				add_arg(p, intern_tok(p));
				n.c++;
				rule_next(p);
			} while (rule_accept(p, T_COMMA) && p->tok.t != T_RBRACE);
			if (!rule_expect(p, T_RBRACE))
				return RDB_NONE;
			return add_node(p, &n, 1);
		}
		if (!parse_cmp(p, &cmp))
			return rule_expected(p, "'=', '!=', '<', '<=', '>', '>=' or 'in'"),
			       RDB_NONE;
		if (p->tok.t != T_STRING)
			return rule_expected(p, "a value string"), RDB_NONE;
		n.op = RDB_OP_DID_CMP;
		n.cmp = (uint8_t)cmp;
		n.c = intern_tok(p);
		rule_next(p);
		return add_node(p, &n, 1);
	}
	{
		char buf[32];

		rule_perr(p, line, col,
			"unknown condition '%s' (wmi, vin, serial, model_year, "
			"build_date, ecu, true, false, unknown)",
			rule_tok_text(&p->tok, buf, sizeof(buf)));
	}
	return RDB_NONE;
}

static uint32_t parse_unary(struct parser *p)
{
	if (rule_is_kw(p, "not")) {
		unsigned int line = p->tok.line, col = p->tok.col;
		struct rdb_node n = { .op = RDB_OP_NOT };
		uint32_t a;

		rule_next(p);
		if (++p->depth > RDB_MAX_DEPTH - 1) {
			rule_perr(p, line, col, "expression nested deeper than %d",
				RDB_MAX_DEPTH - 1);
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
			rule_perr(p, line, col, "expression nested deeper than %d",
				RDB_MAX_DEPTH - 1);
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

	if (first == RDB_NONE || !rule_is_kw(p, kw))
		return first;
	kids[nk++] = first;
	depth = node_depth(p, first);
	while (rule_is_kw(p, kw)) {
		uint32_t k;

		if (nk == sizeof(kids) / sizeof(kids[0])) {
			rule_perr(p, p->tok.line, p->tok.col,
				"more than %zu operands of '%s' (use parentheses)",
				sizeof(kids) / sizeof(kids[0]), kw);
			return RDB_NONE;
		}
		rule_next(p);
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
		rule_perr(p, p->tok.line, p->tok.col, "expression nested deeper than %d",
			RDB_MAX_DEPTH - 1);
		return RDB_NONE;
	}
	return e;
}


/* ------------------------------------------------------------------------------------------ */
/* Statements */

enum stmt_bit {
	S_TITLE, S_MAKE, S_KBA, S_NHTSA, S_DEFECT, S_REMEDY, S_COST, S_LABOUR, S_EXTENDS,
	S_SUPERSEDES, S_KIND, S_START, S_RECOG, S_BD, S_AFFECTED, S_REMEDIED, S_INSPECT,
	S_DO_NOT_DRIVE, S_PARK_OUTSIDE,
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
		if (words[i] && rule_is_kw(p, words[i]))
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

	rule_tok_text(&p->tok, kw, sizeof(kw));
	if (p->tok.t != T_IDENT)
		return rule_expected(p, "a statement (title, affected, remedied, ...)");

	for (size_t i = 0; i < sizeof(text_stmts) / sizeof(text_stmts[0]); i++)
		if (rule_is_kw(p, text_stmts[i].kw))
			bit = (int)text_stmts[i].bit;
	if (rule_is_kw(p, "remedy_kind"))
		bit = S_KIND;
	else if (rule_is_kw(p, "start"))
		bit = S_START;
	else if (rule_is_kw(p, "recognition"))
		bit = S_RECOG;
	else if (rule_is_kw(p, "build_date"))
		bit = S_BD;
	else if (rule_is_kw(p, "affected"))
		bit = S_AFFECTED;
	else if (rule_is_kw(p, "remedied"))
		bit = S_REMEDIED;
	else if (rule_is_kw(p, "inspect"))
		bit = S_INSPECT;
	else if (rule_is_kw(p, "do_not_drive"))
		bit = S_DO_NOT_DRIVE;
	else if (rule_is_kw(p, "park_outside"))
		bit = S_PARK_OUTSIDE;
	else if (!rule_is_kw(p, "include") && !rule_is_kw(p, "exclude") && bit < 0) {
		rule_perr(p, line, col, "unknown statement '%s'", kw);
		return false;
	}
	if (bit >= 0) {
		if (*seen & (1u << bit)) {
			rule_perr(p, line, col, "'%s' given twice in this campaign", kw);
			return false;
		}
		*seen |= 1u << bit;
	}
	rule_next(p);

	for (size_t i = 0; i < sizeof(text_stmts) / sizeof(text_stmts[0]); i++) {
		if ((int)text_stmts[i].bit != bit)
			continue;
		if (p->tok.t != T_STRING)
			return rule_expected(p, "a string");
		if (p->tok.str_len == 0)
			rule_pwarn(p, p->tok.line, p->tok.col, "empty %s", kw);
		r->str[text_stmts[i].field] = intern_tok(p);
		rule_next(p);
		return rule_expect(p, T_SEMI);
	}
	switch (bit) {
	case S_DO_NOT_DRIVE:
		/* NHTSA's "do not drive" and "park outside" advisories: flags, no argument */
		r->flags |= RDB_CF_DO_NOT_DRIVE;
		return rule_expect(p, T_SEMI);
	case S_PARK_OUTSIDE:
		r->flags |= RDB_CF_PARK_OUTSIDE;
		return rule_expect(p, T_SEMI);
	case S_KIND: {
		int k = word_index(p, remedy_kinds, sizeof(remedy_kinds) / sizeof(remedy_kinds[0]));

		if (k < 0)
			return rule_expected(p, "workshop, ota or inspection");
		r->remedy_kind = (uint8_t)k;
		rule_next(p);
		return rule_expect(p, T_SEMI);
	}
	case S_START:
		if (p->tok.t != T_DATE)
			return rule_expected(p, "a date YYYY-MM-DD");
		r->start_date = (uint32_t)p->tok.num;
		rule_next(p);
		return rule_expect(p, T_SEMI);
	case S_RECOG: {
		int k = word_index(p, recog_kinds, sizeof(recog_kinds) / sizeof(recog_kinds[0]));

		if (k < 0)
			return rule_expected(p,
				"manufacturer_diagnosis, vehicle_diagnosis, hotline or "
				"workshop_system");
		r->recognition = (uint8_t)k;
		rule_next(p);
		if (p->tok.t == T_STRING) {
			r->str[RDB_S_RECOG] = intern_tok(p);
			rule_next(p);
		}
		if (rule_is_kw(p, "number")) {
			rule_next(p);
			if (p->tok.t != T_STRING)
				return rule_expected(p, "the hotline number as a string");
			r->str[RDB_S_HOTLINE] = intern_tok(p);
			rule_next(p);
		}
		if (k == RDB_RECOG_HOTLINE && !r->str[RDB_S_HOTLINE]) {
			rule_perr(p, line, col,
				"recognition hotline needs its number: number \"...\"");
			return false;
		}
		return rule_expect(p, T_SEMI);
	}
	case S_BD: {
		uint32_t ecu = 0;
		uint16_t did = 0;

		if (!rule_expect_kw(p, "from") || !rule_expect_kw(p, "ecu") ||
			!parse_ecu_did(p, &ecu, &did))
			return false;
		if (rule_is_kw(p, "bcd"))
			r->bd_format = RDB_BD_BCD;
		else if (rule_is_kw(p, "ascii"))
			r->bd_format = RDB_BD_ASCII;
		else
			return rule_expected(p, "bcd or ascii");
		rule_next(p);
		r->bd_ecu = ecu;
		r->bd_did = did;
		return rule_expect(p, T_SEMI);
	}
	case S_AFFECTED:
	case S_REMEDIED:
	case S_INSPECT: {
		uint32_t e;

		if (bit != S_AFFECTED && !rule_expect_kw(p, "when"))
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
		return rule_expect(p, T_SEMI);
	}
	}
	/* include / exclude */
	{
		bool exclude = kw[0] == 'e';

		r->flags |= exclude ? RDB_CF_EXCLUDE : RDB_CF_INCLUDE;
		if (rule_is_kw(p, "vins")) {
			rule_next(p);
			rule_vin_list_inline(p, exclude);
		} else if (rule_is_kw(p, "file")) {
			unsigned int fl, fc;

			rule_next(p);
			if (p->tok.t != T_STRING)
				return rule_expected(p, "a file name string");
			fl = p->tok.line;
			fc = p->tok.col;
			{
				char *name = strdup(p->tok.str);

				if (!name) {
					p->oom = true;
					return false;
				}
				rule_next(p);
				rule_vin_list_file(p, name, exclude, fl, fc);
				free(name);
			}
		} else {
			return rule_expected(p, "'vins' or 'file'");
		}
		return rule_expect(p, T_SEMI);
	}
}

static void parse_campaign(struct parser *p)
{
	unsigned int line = p->tok.line, col = p->tok.col;
	struct rcampaign *rc;
	uint32_t seen = 0;
	size_t errs = p->c->n_errors;

	rule_next(p);
	if (p->tok.t != T_STRING) {
		rule_expected(p, "the campaign id as a string");
		rule_recover(p);
		return;
	}
	if (p->tok.str_len == 0 || p->tok.str_len > 64) {
		rule_perr(p, p->tok.line, p->tok.col, "campaign id must be 1 to 64 characters");
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
	/* the campaign's nodes are the ones parsed from here to its '}' */
	rc->rec.node_lo = rc->rec.node_hi = (uint32_t)p->c->nodes.n;
	rc->id_off = intern_tok(p);
	rc->rec.str[RDB_S_ID] = rc->id_off;
	p->uses_build_date = false;
	rule_next(p);
	if (!rule_expect(p, T_LBRACE)) {
		rule_recover(p);
		rule_accept(p, T_RBRACE);
		return;
	}
	while (p->tok.t != T_RBRACE && p->tok.t != T_EOF && !p->oom) {
		if (rule_is_kw(p, "campaign")) {
			/* a missing '}' should not swallow the next campaign */
			rule_perr(p, p->tok.line, p->tok.col, "expected '}' before 'campaign'");
			return;
		}
		/* the campaign vector may move while VIN lists grow other vectors: re-derive */
		p->cur = (struct rcampaign *)p->c->campaigns.p + p->cur_idx;
		if (!parse_stmt(p, &seen))
			rule_recover(p);
	}
	rc = p->cur = (struct rcampaign *)p->c->campaigns.p + p->cur_idx;
	rc->rec.node_hi = (uint32_t)p->c->nodes.n;
	if (p->tok.t == T_EOF) {
		rule_perr(p, line, col, "campaign not closed with '}'");
		return;
	}
	rule_next(p);
	if (p->c->n_errors != errs)
		return;			/* follow-on errors would only repeat the first ones */
	if (!(seen & (1u << S_TITLE)))
		rule_perr(p, line, col, "campaign has no title");
	if (rc->rec.affected == RDB_NONE && !(rc->rec.flags & RDB_CF_INCLUDE))
		rule_perr(p, line, col,
			  "campaign selects no vehicle: give 'affected' or 'include'");
	if (p->uses_build_date && rc->rec.bd_format == RDB_BD_NONE)
		rule_perr(p, p->bd_line, p->bd_col,
		     "build_date used but the campaign does not say where it is read "
		     "(build_date from ecu ADDR did DID bcd|ascii;)");
	if (!(seen & (1u << S_RECOG)))
		rule_pwarn(p, line, col,
			"campaign does not say how an affected vehicle is recognised "
			"(recognition ...)");
	if ((seen & (1u << S_INSPECT)) && rc->rec.affected == RDB_NONE &&
	    !(rc->rec.flags & RDB_CF_INCLUDE))
		rule_pwarn(p, line, col, "inspect when without a selection");
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
		rule_perr(&p, 1, 1, "file contains NUL bytes: not a rule file");
		return -EINVAL;
	}
	/* room for as many inline VINs as the text could hold ("VIN", is 20 bytes), so a list of
	 * millions is not copied at every doubling; untouched room costs no memory */
	if (len > (1u << 20) && vec_reserve(&c->vins, sizeof(struct vin_ent), len / 20) < 0)
		return -ENOMEM;
	rule_next(&p);
	while (p.tok.t != T_EOF && !p.oom) {
		if (rule_is_kw(&p, "campaign")) {
			parse_campaign(&p);
			continue;
		}
		rule_expected(&p, "'campaign'");
		/* skip to the next campaign keyword */
		do
			rule_next(&p);
		while (p.tok.t != T_EOF && !rule_is_kw(&p, "campaign"));
	}
	free(p.sbuf);
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
	rule_advise_huge(buf, (size_t)st.st_size + 1);
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

