/* SPDX-License-Identifier: MIT */
/*
 * Matching a vehicle against a database.  Conditions are three-valued (true, false, unknown): a
 * fact that could not be read is unknown, `and` is false if any operand is false, `or` is true if
 * any operand is true, otherwise unknown wins.  So a campaign is not_affected only when a fact
 * that was actually read rules it out — never because data was missing.
 *
 * Order of decision per campaign (rules/README.md "Verdicts"):
 *   VIN on the exclusion list -> not_affected; on the inclusion list -> selected;
 *   else `affected` decides (false -> not_affected, unknown -> undetermined);
 *   selected: `remedied when` true -> remedied (with evidence), unknown -> undetermined;
 *   `inspect when` true -> inspect, unknown -> undetermined; else open.
 *
 * Nothing here allocates.  Every record is fetched through rdb-handle.h, which checks its bounds
 * and (on first use) its block's hash; a failure stops the match with that error instead of a
 * verdict.  What the structure promises is checked where it is relied on: a node's operands are
 * earlier nodes of the same campaign, nesting stays within RDB_MAX_DEPTH, and a campaign's
 * decision evaluates at most as many nodes as the campaign has (a file whose expressions share
 * nodes cannot make a match run for 2^depth steps).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "rules/rdb-handle.h"
#include "rules/vin.h"

#define WHY_MAX RDB_TEXT_MAX

enum tri { F = 0, T = 1, U = 2 };

enum vin_state { VS_OK, VS_ABSENT, VS_INVALID };

struct mctx {
	const struct rdb *db;
	const struct rdb_vehicle *v;
	const struct rdb_campaign_rec *camp;
	uint32_t camp_idx;
	uint32_t lo, hi;		/* the campaign's nodes */
	uint32_t budget;		/* evaluations left for this campaign */
	unsigned int depth;
	int err;			/* first error; the match ends with it */
	enum vin_state vs;
	struct vin_info vi;		/* VS_OK: vin, wmi, serial; model years on demand */
	bool years_known;
	uint64_t prefix;		/* VS_OK: positions 1-11 and 12-17 packed */
	uint32_t suffix;
	uint32_t bucket;		/* the VIN's bucket: words [b_lo, b_hi) of VIN_GROUPS */
	uint32_t b_lo, b_hi;
	const uint64_t *run;		/* listed entries equal to the VIN */
	uint32_t n_run;
	/* reasons as data, collected where the strings are written (rdb.h, struct rdb_why) */
	struct rdb_result *res;
	uint8_t part;			/* enum rdb_why_part being decided */
	/* Texts of a VIN that is absent or invalid, last: rdb_match() zeroes what comes before
	 * them (clearing these too costs as much as a lookup of a listed VIN's entries) */
	char vin_why[WHY_MAX];
	char vin_shown[RDB_WHY_VALUE_MAX];	/* VS_INVALID: the VIN as read, printable */
};

/* A new fact of the current part, or NULL when the result is full (counted, not kept). */
static struct rdb_why *push(struct mctx *m, enum rdb_why_code code, enum tri result)
{
	struct rdb_result *res = m->res;
	struct rdb_why *w;

	if (res->n_why >= RDB_WHY_MAX) {
		res->why_dropped++;
		return NULL;
	}
	w = &res->why[res->n_why++];
	w->code = (uint8_t)code;
	w->part = m->part;
	w->result = result == T ? RDB_TRUE : result == F ? RDB_FALSE : RDB_UNKNOWN;
	w->negated = 0;
	w->cmp = 0;
	w->did = 0;
	w->ecu = 0;
	w->a = w->b = w->date = 0;
	w->value[0] = w->wanted[0] = 0;
	return w;
}

/* Keeps only the facts [from, to) of those pushed since mark, as the strings keep one operand. */
static void keep_only(struct mctx *m, unsigned int mark, unsigned int from, unsigned int to)
{
	struct rdb_result *res = m->res;

	if (from > res->n_why)
		from = res->n_why;
	if (to > res->n_why)
		to = res->n_why;
	if (from != mark)
		memmove(&res->why[mark], &res->why[from], (to - from) * sizeof(res->why[0]));
	res->n_why = mark + (to - from);
}

/* s is NUL-terminated (a field of ours or a checked database string); longer is cut */
static void set_value(char dst[RDB_WHY_VALUE_MAX], const char *s)
{
	size_t n = strlen(s);

	if (n > RDB_WHY_VALUE_MAX - 1)
		n = RDB_WHY_VALUE_MAX - 1;

	memcpy(dst, s, n);
	dst[n] = 0;
}

static void why_set(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void why_set(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, WHY_MAX, fmt, ap);
	va_end(ap);
}

static void why_add(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void why_add(char *why, const char *fmt, ...)
{
	size_t n = strnlen(why, WHY_MAX);
	va_list ap;

	if (n + 1 >= WHY_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(why + n, WHY_MAX - n, fmt, ap);
	va_end(ap);
}

/* Plain copies: most reasons are fixed words, and vsnprintf on every campaign of a match costs
 * more than the lookup itself. */
static void why_cpy(char *why, const char *s)
{
	size_t n = strnlen(s, WHY_MAX - 1);

	memcpy(why, s, n);
	why[n] = 0;
}

static void why_cat(char *why, const char *s)
{
	size_t n = strnlen(why, WHY_MAX), k;

	if (n + 1 >= WHY_MAX)
		return;
	k = strnlen(s, WHY_MAX - 1 - n);
	memcpy(why + n, s, k);
	why[n + k] = 0;
}

static int fail(struct mctx *m)
{
	if (!m->err)
		m->err = m->db->err ? m->db->err : -EBADMSG;
	return m->err;
}

static enum tri bad(struct mctx *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static enum tri bad(struct mctx *m, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rdb_bad(m->db, "campaign %u: %s", m->camp_idx, msg);
	m->err = -EBADMSG;
	return U;
}

static void vin_bad(struct mctx *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Damage of the VIN index, found before any campaign is decided: not blamed on one. */
static void vin_bad(struct mctx *m, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rdb_bad(m->db, "%s", msg);
	m->err = -EBADMSG;
}

/* Printable, trimmed rendering of a DID value or a VIN for reasons: the bytes come from a car. */
static void show_value(const uint8_t *val, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < outlen; i++) {
		uint8_t ch = val[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
			out[o++] = (char)ch;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02X", ch);
	}
	out[o] = 0;
}

static void trim(const uint8_t **val, size_t *len)
{
	while (*len &&
		((*val)[*len - 1] == 0 || (*val)[*len - 1] == ' ' || (*val)[*len - 1] == 0xFF))
		(*len)--;
	while (*len && (*val)[0] == ' ') {
		(*val)++;
		(*len)--;
	}
}

static const char *ecu_str(uint64_t ecu, char buf[RDB_ECU_STR_MAX])
{
	rdb_ecu_format(ecu, buf, RDB_ECU_STR_MAX);
	return buf;
}

static bool ecu_present(const struct mctx *m, uint64_t ecu)
{
	for (size_t i = 0; i < m->v->n_ecus; i++)
		if (m->v->ecus[i] == ecu)
			return true;
	for (size_t i = 0; i < m->v->n_dids; i++)
		if (m->v->dids[i].ecu == ecu && m->v->dids[i].status == RDB_DID_OK)
			return true;
	return false;
}

/* What a DID fact came to, beyond its value: the data behind the why string. */
enum dstate { DS_OK, DS_ABSENT, DS_FAILED, DS_ECU_ABSENT, DS_NOT_READ };

/* T: val and len hold the value; F: the DID (or its ECU) is not there; U: not read (why set).
 * *ret_state says which, *ret_detail (DS_FAILED) why it could not be read. */
static enum tri did_fact(const struct mctx *m, uint64_t ecu, uint16_t did, const uint8_t **val,
			 size_t *len, char *why, enum dstate *ret_state, const char **ret_detail)
{
	char ebuf[RDB_ECU_STR_MAX];

	*ret_detail = "";
	for (size_t i = 0; i < m->v->n_dids; i++) {
		const struct rdb_did_fact *f = &m->v->dids[i];

		if (f->ecu != ecu || f->did != did)
			continue;
		switch (f->status) {
		case RDB_DID_OK:
			*val = f->value ? f->value : (const uint8_t *)"";
			*len = f->value ? f->len : 0;
			trim(val, len);
			*ret_state = DS_OK;
			return T;
		case RDB_DID_NOT_PRESENT:
			why_set(why, "%s:%04X not present", ecu_str(ecu, ebuf), did);
			*ret_state = DS_ABSENT;
			return F;
		case RDB_DID_FAILED:
			*ret_detail = f->reason && f->reason[0] ? f->reason : "read failed";
			why_set(why, "%s:%04X could not be read: %s", ecu_str(ecu, ebuf), did,
				*ret_detail);
			*ret_state = DS_FAILED;
			return U;
		}
	}
	if (m->v->ecus_complete && !ecu_present(m, ecu)) {
		why_set(why, "ECU %s not in the vehicle", ecu_str(ecu, ebuf));
		*ret_state = DS_ECU_ABSENT;
		return F;
	}
	why_set(why, "%s:%04X not read", ecu_str(ecu, ebuf), did);
	*ret_state = DS_NOT_READ;
	return U;
}

/* The fact of a DID that gave no value (did_fact's state). */
static void push_missing_did(struct mctx *m, uint64_t ecu, uint16_t did, enum dstate st,
			     const char *detail, enum tri result)
{
	static const uint8_t codes[] = {
		[DS_ABSENT] = RDB_WHY_DID_ABSENT, [DS_FAILED] = RDB_WHY_DID_FAILED,
		[DS_ECU_ABSENT] = RDB_WHY_ECU_ABSENT, [DS_NOT_READ] = RDB_WHY_DID_NOT_READ,
	};
	struct rdb_why *w;

	if (st == DS_OK)
		return;
	w = push(m, (enum rdb_why_code)codes[st], result);
	if (!w)
		return;
	w->ecu = ecu;
	w->did = st == DS_ECU_ABSENT ? 0 : did;
	if (st == DS_FAILED)
		set_value(w->value, detail);
}

static const char *const cmp_words[] = { "=", "!=", "<", "<=", ">", ">=" };

static bool cmp_holds(enum rdb_cmp cmp, int c)
{
	switch (cmp) {
	case RDB_CMP_EQ: return c == 0;
	case RDB_CMP_NE: return c != 0;
	case RDB_CMP_LT: return c < 0;
	case RDB_CMP_LE: return c <= 0;
	case RDB_CMP_GT: return c > 0;
	case RDB_CMP_GE: return c >= 0;
	}
	return false;
}

static unsigned int bcd(uint8_t b, bool *ok)
{
	if ((b >> 4) > 9 || (b & 0xF) > 9)
		*ok = false;
	return (b >> 4) * 10u + (b & 0xFu);
}

/* Two-digit years (BCD YY MM DD, ASCII YYMMDD): 00-79 are 2000-2079, 80-99 are 1980-1999 —
 * diagnostic build dates begin in the 1980s, and a fixed pivot keeps a verdict from changing
 * with the calendar year it is made in. */
static unsigned int century(unsigned int yy)
{
	return yy < 80 ? 2000 + yy : 1900 + yy;
}

/* YYYYMMDD from a build-date DID, 0 when the bytes are no real calendar date. */
static uint32_t decode_date(uint8_t fmt, const uint8_t *v, size_t len)
{
	unsigned int y = 0, mo = 0, d = 0;
	bool ok = true;

	if (fmt == RDB_BD_BCD && len == 3) {
		y = century(bcd(v[0], &ok));
		mo = bcd(v[1], &ok);
		d = bcd(v[2], &ok);
	} else if (fmt == RDB_BD_BCD && len == 4) {
		y = bcd(v[0], &ok) * 100 + bcd(v[1], &ok);
		mo = bcd(v[2], &ok);
		d = bcd(v[3], &ok);
	} else if (fmt == RDB_BD_ASCII && (len == 8 || len == 10 || len == 6)) {
		unsigned int dg[8];
		size_t o = 0;

		for (size_t i = 0; i < len; i++) {
			if (v[i] >= '0' && v[i] <= '9')
				dg[o++] = v[i] - '0';
			else if (!(len == 10 && (i == 4 || i == 7) && (v[i] == '-' || v[i] == '.')))
				return 0;
			if (o > 8)
				return 0;
		}
		if (o == 6) {
			y = century(dg[0] * 10 + dg[1]);
			mo = dg[2] * 10 + dg[3];
			d = dg[4] * 10 + dg[5];
		} else if (o == 8) {
			y = dg[0] * 1000 + dg[1] * 100 + dg[2] * 10 + dg[3];
			mo = dg[4] * 10 + dg[5];
			d = dg[6] * 10 + dg[7];
		} else {
			return 0;
		}
	} else {
		return 0;
	}
	/* 2015-02-29 or 2015-04-31 from an ECU is a damaged value, not a fact */
	if (!ok || !rdb_date_valid(y, mo, d))
		return 0;
	return y * 10000 + mo * 100 + d;
}

static enum tri vin_needed(struct mctx *m, char *why)
{
	struct rdb_why *w = push(m, m->vs == VS_ABSENT ? RDB_WHY_VIN_MISSING : RDB_WHY_VIN_INVALID,
				 U);

	if (w && m->vs == VS_INVALID) {
		set_value(w->value, m->vin_shown);
		w->a = m->vi.errors;
	}
	why_cpy(why, m->vin_why);
	return U;
}

static void show_years(const struct vin_info *vi, char *out, size_t len)
{
	if (vi->n_model_years > 1)
		snprintf(out, len, "%d or %d (30-year cycle)", vi->model_years[0],
			 vi->model_years[1]);
	else
		snprintf(out, len, "%d", vi->model_years[0]);
}

static enum tri eval(struct mctx *m, uint32_t idx, char *why);

static enum tri eval_chain(struct mctx *m, uint32_t idx, const struct rdb_node *n, char *why)
{
	bool and = n->op == RDB_OP_AND;
	enum tri res = and ? T : F;
	char sub[WHY_MAX], first_u[WHY_MAX];
	const uint32_t *kids = n->b ? rdb_u32s(m->db, RDB_SEC_ARGS, n->a, n->b) : NULL;
	uint32_t n_fail = 0;

	/* the facts follow the string: the deciding operand, or the first unknown, or all */
	unsigned int mark = m->res->n_why, u_from = mark, u_to = mark;

	first_u[0] = 0;
	if (!n->b)
		return bad(m, "node %u: '%s' without operands", idx, and ? "and" : "or");
	if (!kids)
		return fail(m), U;
	why[0] = 0;
	for (uint32_t k = 0; k < n->b; k++) {
		unsigned int before = m->res->n_why;
		enum tri t;

		if (kids[k] >= idx)
			return bad(m, "node %u: operand %u is not an earlier node", idx, kids[k]);
		t = eval(m, kids[k], sub);
		if (m->err)
			return U;
		if (t == (and ? F : T)) {
			why_cpy(why, sub);
			keep_only(m, mark, before, m->res->n_why);
			return t;
		}
		if (t == U) {
			if (res != U) {
				why_cpy(first_u, sub);
				u_from = before;
				u_to = m->res->n_why;
			}
			res = U;
		} else if (res != U) {
			/* and: the operands that hold together explain it; or: each failure */
			if (and) {
				if (why[0])
					why_cat(why, "; ");
			} else {
				char num[16];

				n_fail++;
				snprintf(num, sizeof(num), "%s(%u) ", n_fail > 1 ? "; " : "",
					 n_fail);
				if (!why[0])
					why_set(why, "no alternative holds: ");
				why_cat(why, num);
			}
			why_cat(why, sub);
		}
	}
	if (res == U) {
		why_cpy(why, first_u);
		keep_only(m, mark, u_from, u_to);
	}
	return res;
}

/* The set of a DID_IN condition as the technician reads it: "a, b, c" (as much as fits). */
static void push_did_in(struct mctx *m, const struct rdb_node *n, const uint32_t *set,
			const char *shown, enum tri t)
{
	struct rdb_why *f = push(m, RDB_WHY_DID_IN, t);
	size_t o = 0;

	if (!f)
		return;
	f->ecu = n->ecu;
	f->did = n->did;
	set_value(f->value, shown);
	for (uint32_t k = 0; k < n->c; k++) {
		const char *ref = rdb_str(m->db, set[k]);
		size_t l = ref ? strlen(ref) : 0;

		if (!ref || o + l + 3 >= sizeof(f->wanted)) {
			if (o + 4 < sizeof(f->wanted))
				memcpy(f->wanted + o, ", …", 4), o += 4;
			break;
		}
		if (k) {
			memcpy(f->wanted + o, ", ", 2);
			o += 2;
		}
		memcpy(f->wanted + o, ref, l);
		o += l;
	}
	f->wanted[o < sizeof(f->wanted) ? o : sizeof(f->wanted) - 1] = 0;
}

static enum tri eval(struct mctx *m, uint32_t idx, char *why)
{
	const struct rdb *db = m->db;
	const struct rdb_node *n;
	char sub[WHY_MAX], ebuf[RDB_ECU_STR_MAX];
	struct rdb_why *f;
	enum dstate st;
	const char *detail;
	enum tri t;

	if (m->err)
		return U;
	if (idx < m->lo || idx >= m->hi)
		return bad(m, "node %u outside the campaign's nodes %u..%u", idx, m->lo, m->hi);
	if (m->budget == 0)
		return bad(m, "expression nodes are shared (more evaluations than nodes)");
	m->budget--;
	if (m->depth >= RDB_MAX_DEPTH)
		return bad(m, "expression nested deeper than %d", RDB_MAX_DEPTH);
	n = rdb_node_at(db, idx);
	if (!n)
		return fail(m), U;

	switch ((enum rdb_op)n->op) {
	case RDB_OP_TRUE:
		why_cpy(why, "always");
		push(m, RDB_WHY_ALWAYS, T);
		return T;
	case RDB_OP_FALSE:
		why_cpy(why, "never");
		push(m, RDB_WHY_NEVER, F);
		return F;
	case RDB_OP_UNKNOWN:
		why_cpy(why, "not recognisable from vehicle data");
		push(m, RDB_WHY_NOT_RECOGNISABLE, U);
		return U;
	case RDB_OP_AND:
	case RDB_OP_OR:
		m->depth++;
		t = eval_chain(m, idx, n, why);
		m->depth--;
		return t;
	case RDB_OP_NOT: {
		unsigned int before = m->res->n_why;

		if (n->a >= idx)
			return bad(m, "node %u: operand %u is not an earlier node", idx, n->a);
		m->depth++;
		t = eval(m, n->a, sub);
		m->depth--;
		for (unsigned int k = before; k < m->res->n_why; k++)
			m->res->why[k].negated ^= 1;
		if (t == U) {
			why_cpy(why, sub);
			return U;
		}
		why_set(why, "not (%s)", sub);
		return t == T ? F : T;
	}
	case RDB_OP_WMI_IN: {
		const uint32_t *set = n->b ? rdb_u32s(db, RDB_SEC_ARGS, n->a, n->b) : NULL;
		uint32_t w;

		if (n->b && !set)
			return fail(m), U;
		if (m->vs != VS_OK)
			return vin_needed(m, why);
		w = rdb_pack_wmi(m->vi.wmi);
		for (uint32_t k = 0; k < n->b; k++)
			if (set[k] == w) {
				why_set(why, "WMI %s", m->vi.wmi);
				if ((f = push(m, RDB_WHY_WMI, T)))
					set_value(f->value, m->vi.wmi);
				return T;
			}
		why_set(why, "WMI %s not concerned", m->vi.wmi);
		if ((f = push(m, RDB_WHY_WMI, F)))
			set_value(f->value, m->vi.wmi);
		return F;
	}
	case RDB_OP_VIN_PAT: {
		const char *pat = rdb_str(db, n->c);
		bool hit = true;

		if (!pat)
			return fail(m), U;
		if (n->a >= VIN_LEN || n->b == 0 || n->b > VIN_LEN - n->a || strlen(pat) != n->b)
			return bad(m, "node %u: VIN pattern out of bounds", idx);
		if (m->vs != VS_OK)
			return vin_needed(m, why);
		for (uint32_t k = 0; k < n->b; k++)
			if (pat[k] != '?' && pat[k] != m->vi.vin[n->a + k])
				hit = false;
		if (n->b == 1)
			why_set(why, "VIN position %u '%c'%s \"%s\"", n->a + 1, m->vi.vin[n->a],
				hit ? " matches" : " does not match", pat);
		else
			why_set(why, "VIN positions %u-%u \"%.*s\"%s \"%s\"", n->a + 1, n->a + n->b,
				(int)n->b, m->vi.vin + n->a, hit ? " match" : " do not match", pat);
		if ((f = push(m, RDB_WHY_VIN_POSITIONS, hit ? T : F))) {
			f->a = n->a + 1;
			f->b = n->a + n->b;
			memcpy(f->value, m->vi.vin + n->a, n->b);
			f->value[n->b] = 0;
			set_value(f->wanted, pat);
		}
		return hit ? T : F;
	}
	case RDB_OP_SERIAL: {
		uint32_t s = 0;

		if (m->vs != VS_OK)
			return vin_needed(m, why);
		for (int k = 0; k < 6; k++) {
			char ch = m->vi.serial[k];

			if (ch < '0' || ch > '9') {
				why_set(why, "serial %s is not numeric", m->vi.serial);
				if ((f = push(m, RDB_WHY_SERIAL_NOT_NUMERIC, F)))
					set_value(f->value, m->vi.serial);
				return F;
			}
			s = s * 10 + (uint32_t)(ch - '0');
		}
		t = s >= n->a && s <= n->b ? T : F;
		if (t == T)
			why_set(why, "serial %s in %06u..%06u", m->vi.serial, n->a, n->b);
		else
			why_set(why, "serial %s outside %06u..%06u", m->vi.serial, n->a, n->b);
		if ((f = push(m, RDB_WHY_SERIAL, t))) {
			set_value(f->value, m->vi.serial);
			f->a = n->a;
			f->b = n->b;
		}
		return t;
	}
	case RDB_OP_MODEL_YEAR: {
		size_t in = 0, which = 0;
		char years[48];

		if (m->vs != VS_OK)
			return vin_needed(m, why);
		if (!m->years_known) {
			m->vi.n_model_years = vin_model_years(m->vi.vin, m->vi.model_years);
			m->years_known = true;
		}
		if (m->vi.n_model_years == 0) {
			why_set(why, "model year not in the VIN (position 10 '%c')", m->vi.vin[9]);
			if ((f = push(m, RDB_WHY_MODEL_YEAR_UNKNOWN, U))) {
				f->value[0] = m->vi.vin[9];
				f->value[1] = 0;
			}
			return U;
		}
		for (size_t k = 0; k < m->vi.n_model_years; k++)
			if ((uint32_t)m->vi.model_years[k] >= n->a &&
			    (uint32_t)m->vi.model_years[k] <= n->b) {
				in++;
				which = k;
			}
		show_years(&m->vi, years, sizeof(years));
		t = in == m->vi.n_model_years ? T : in == 0 ? F : U;
		if (t == T)
			why_set(why, "model year %s in %u..%u", years, n->a, n->b);
		else if (t == F)
			why_set(why, "model year %s outside %u..%u", years, n->a, n->b);
		else
			why_set(why, "model year %s: only %d in %u..%u", years,
				m->vi.model_years[which], n->a, n->b);
		if ((f = push(m, RDB_WHY_MODEL_YEAR, t))) {
			if (m->vi.n_model_years > 1)
				snprintf(f->value, sizeof(f->value), "%d %d", m->vi.model_years[0],
					 m->vi.model_years[1]);
			else
				snprintf(f->value, sizeof(f->value), "%d", m->vi.model_years[0]);
			f->a = n->a;
			f->b = n->b;
		}
		return t;
	}
	case RDB_OP_BUILD_DATE: {
		const struct rdb_campaign_rec *c = m->camp;
		const uint8_t *val = NULL;
		size_t len = 0;
		uint32_t d;

		if (c->bd_format == RDB_BD_NONE) {
			why_cpy(why, "build date source not given");
			push(m, RDB_WHY_BUILD_DATE_NO_SOURCE, U);
			return U;
		}
		t = did_fact(m, c->bd_ecu, c->bd_did, &val, &len, sub, &st, &detail);
		if (t != T) {
			/* the build date is needed: whatever the reason, it is unknown */
			why_set(why, "build date unreadable: %s", sub);
			if ((f = push(m, RDB_WHY_BUILD_DATE_UNREADABLE, U))) {
				f->ecu = c->bd_ecu;
				f->did = c->bd_did;
				f->b = st;
				set_value(f->value, detail);
			}
			return U;
		}
		d = decode_date(c->bd_format, val, len);
		if (!d) {
			char shown[64];

			show_value(val, len, shown, sizeof(shown));
			why_set(why, "build date unreadable: %s:%04X \"%s\" is no calendar date",
				ecu_str(c->bd_ecu, ebuf), c->bd_did, shown);
			if ((f = push(m, RDB_WHY_BUILD_DATE_UNREADABLE, U))) {
				f->ecu = c->bd_ecu;
				f->did = c->bd_did;
				f->a = 1;	/* read, but no date */
				set_value(f->value, shown);
			}
			return U;
		}
		{
			bool in = d >= n->a && d <= n->b;
			char range[64];

			if (n->a == 0)
				snprintf(range, sizeof(range), "until %04u-%02u-%02u", n->b / 10000,
					 n->b / 100 % 100, n->b % 100);
			else if (n->b >= 99991231)
				snprintf(range, sizeof(range), "from %04u-%02u-%02u", n->a / 10000,
					 n->a / 100 % 100, n->a % 100);
			else
				snprintf(range, sizeof(range), "%04u-%02u-%02u..%04u-%02u-%02u",
					 n->a / 10000, n->a / 100 % 100, n->a % 100, n->b / 10000,
					 n->b / 100 % 100, n->b % 100);
			why_set(why, "build date %04u-%02u-%02u (%s:%04X) %s %s", d / 10000,
				d / 100 % 100, d % 100, ecu_str(c->bd_ecu, ebuf), c->bd_did,
				in ? "in" : "outside", range);
			if ((f = push(m, RDB_WHY_BUILD_DATE, in ? T : F))) {
				f->date = d;
				f->a = n->a;
				f->b = n->b;
				f->ecu = c->bd_ecu;
				f->did = c->bd_did;
			}
			return in ? T : F;
		}
	}
	case RDB_OP_ECU_PRESENT:
		if (ecu_present(m, n->ecu)) {
			why_set(why, "ECU %s present", ecu_str(n->ecu, ebuf));
			if ((f = push(m, RDB_WHY_ECU_PRESENT, T)))
				f->ecu = n->ecu;
			return T;
		}
		if (m->v->ecus_complete) {
			why_set(why, "ECU %s not in the vehicle", ecu_str(n->ecu, ebuf));
			if ((f = push(m, RDB_WHY_ECU_ABSENT, F)))
				f->ecu = n->ecu;
			return F;
		}
		why_set(why, "ECUs not read (is %s present?)", ecu_str(n->ecu, ebuf));
		if ((f = push(m, RDB_WHY_ECUS_NOT_READ, U)))
			f->ecu = n->ecu;
		return U;
	case RDB_OP_DID_CMP:
	case RDB_OP_DID_IN: {
		const uint8_t *val = NULL;
		size_t len = 0;
		char shown[64];

		if (n->op == RDB_OP_DID_CMP && n->cmp > RDB_CMP_GE)
			return bad(m, "node %u: unknown comparison %u", idx, n->cmp);
		t = did_fact(m, n->ecu, n->did, &val, &len, sub, &st, &detail);
		if (t == U) {
			why_cpy(why, sub);
			push_missing_did(m, n->ecu, n->did, st, detail, U);
			return U;
		}
		if (n->op == RDB_OP_DID_CMP) {
			const char *ref = rdb_str(db, n->c);
			bool h;

			if (!ref)
				return fail(m), U;
			if (t == F) {
				/* no value: equal to nothing, so only != holds */
				why_cpy(why, sub);
				push_missing_did(m, n->ecu, n->did, st, detail,
						 n->cmp == RDB_CMP_NE ? T : F);
				return n->cmp == RDB_CMP_NE ? T : F;
			}
			h = n->cmp == RDB_CMP_EQ || n->cmp == RDB_CMP_NE
				    ? cmp_holds(n->cmp,
					      len == strlen(ref) && !memcmp(val, ref, len) ? 0 : 1)
				    : cmp_holds(n->cmp, rdb_version_cmp(val, len,
								(const uint8_t *)ref, strlen(ref)));
			show_value(val, len, shown, sizeof(shown));
			why_set(why, "%s:%04X \"%s\" %s%s \"%s\"", ecu_str(n->ecu, ebuf),
				n->did, shown, h ? "" : "not ", cmp_words[n->cmp], ref);
			if ((f = push(m, RDB_WHY_DID_CMP, h ? T : F))) {
				f->ecu = n->ecu;
				f->did = n->did;
				f->cmp = n->cmp;
				set_value(f->value, shown);
				set_value(f->wanted, ref);
			}
			return h ? T : F;
		}
		{
			const uint32_t *set = n->c ? rdb_u32s(db, RDB_SEC_ARGS, n->b, n->c) : NULL;

			if (n->c && !set)
				return fail(m), U;
			if (t == F) {
				why_cpy(why, sub);
				push_missing_did(m, n->ecu, n->did, st, detail, F);
				return F;
			}
			show_value(val, len, shown, sizeof(shown));
			for (uint32_t k = 0; k < n->c; k++) {
				const char *ref = rdb_str(db, set[k]);

				if (!ref)
					return fail(m), U;
				if (len == strlen(ref) && !memcmp(val, ref, len)) {
					why_set(why, "%s:%04X \"%s\" listed",
						ecu_str(n->ecu, ebuf), n->did, shown);
					push_did_in(m, n, set, shown, T);
					return T;
				}
			}
			why_set(why, "%s:%04X \"%s\" not listed", ecu_str(n->ecu, ebuf),
				n->did, shown);
			push_did_in(m, n, set, shown, F);
			return F;
		}
	}
	case _RDB_OP_MAX:
		break;
	}
	return bad(m, "node %u: unknown operation %u", idx, n->op);
}

/*
 * Listed entries for the VIN, in two steps so that the lookup's one cache miss overlaps other
 * work: vin_bucket() reads where the VIN's bucket lies (the index stays in the caches) and asks
 * the memory system for the bucket's first lines, all at once; vin_group() walks the bucket.
 */
#define BUCKET_PREFETCH_LINES 12

static void vin_bucket(struct mctx *m)
{
	const struct rdb *db = m->db;
	uint32_t n_b = (uint32_t)(db->sec[RDB_SEC_VIN_BUCKETS].count - 1);
	const uint32_t *bk;

	m->run = NULL;
	m->n_run = 0;
	m->bucket = rdb_vin_bucket(m->prefix, n_b);
	bk = rdb_u32s(db, RDB_SEC_VIN_BUCKETS, m->bucket, 2);
	if (!bk) {
		fail(m);
		return;
	}
	m->b_lo = bk[0];
	m->b_hi = bk[1];
	/* only a hint: the reads themselves are checked in vin_group() */
	if (db->all && m->b_lo < m->b_hi && m->b_hi <= db->sec[RDB_SEC_VIN_GROUPS].count) {
		const uint8_t *p = db->mem + db->sec[RDB_SEC_VIN_GROUPS].off +
				   (uint64_t)m->b_lo * 8;
		uint64_t len = (uint64_t)(m->b_hi - m->b_lo) * 8;

		const uint8_t *line = (const uint8_t *)((uintptr_t)p & ~(uintptr_t)63);

		for (unsigned int i = 0; i < BUCKET_PREFETCH_LINES && line < p + len; i++) {
			__builtin_prefetch(line);
			line += 64;
		}
	}
}

/*
 * Where a packed VIN suffix (positions 12-17, base 33) lies on a scale of serial numbers: its
 * digits read as decimal, a letter counting as 9.  Packed values of decimal serials leave gaps (a
 * carry from ...9 to ...0 jumps 24, 1 056, ... codes), which would throw an interpolation off by
 * dozens of entries; this scale does not, and it keeps their order (never decreasing).
 */
static uint32_t serial_scale(uint64_t entry)
{
	uint32_t v = (uint32_t)(entry >> 32), r = 0, p = 1;

	for (int i = 0; i < 6; i++, v /= 33, p *= 10)
		r += (v % 33 < 9 ? v % 33 : 9) * p;
	return r;
}

/* The first of the N ordered entries E[] that is >= WANT (N when none), without branches on the
 * entries: a lookup's VINs would mispredict about every other step. */
static uint32_t lower_bound(const uint64_t *e, uint32_t n, uint64_t want)
{
	const uint64_t *base = e;

	if (!n)
		return 0;
	while (n > 1) {
		uint32_t half = n / 2;

		base = base[half - 1] < want ? base + half : base;
		n -= half;
	}
	return (uint32_t)(base - e) + (*base < want);
}

/*
 * The first entry >= WANT in the ordered group E[0..n), whose first and last serials are said
 * to be FIRST and LAST (the long group's word, rdb-format.h).  Serial numbers within positions
 * 1-11 are close to evenly spread (a production line's runs), so the position is interpolated
 * between them before any entry is read, and a window of two cache lines around it decides in
 * most cases: a group of 400 VINs costs one round of cache misses instead of up to six
 * dependent ones of a binary search.  FIRST and LAST only aim: whatever they and the entries
 * are, a window that misses only narrows the range of the binary search that follows, so the
 * answer is the entries' and the worst case stays logarithmic.
 */
#define GROUP_WINDOW 8

static uint32_t group_search(const uint64_t *e, uint32_t n, uint64_t want, uint32_t first,
			     uint32_t last)
{
	uint32_t lo = 0, hi = n;

	if (n > 2 * GROUP_WINDOW) {
		uint32_t f = serial_scale((uint64_t)first << 32);
		uint32_t l = serial_scale((uint64_t)last << 32);
		uint32_t w = serial_scale(want), a, b;
		uint64_t g;

		if (w <= f || l <= f)
			g = 0;
		else if (w >= l)
			g = n - 1;
		else	/* w - f < 10^6 and n < 2^32: no overflow */
			g = (uint64_t)(w - f) * (n - 1) / (l - f);
		a = g > GROUP_WINDOW ? (uint32_t)g - GROUP_WINDOW : 0;
		b = g + GROUP_WINDOW < n - 1 ? (uint32_t)g + GROUP_WINDOW : n - 1;
		/* e[a] < want <= e[b]: the answer is in (a, b] */
		if (e[a] >= want)
			hi = a;
		else if (e[b] >= want)
			lo = a + 1, hi = b;
		else
			lo = b + 1;
	}
	return lo + lower_bound(e + lo, hi - lo, want);
}

/* The entries equal to the VIN in the group E[0..n): m->run, m->n_run. */
static void group_run(struct mctx *m, const uint64_t *e, uint32_t n, uint32_t first,
		      uint32_t last)
{
	uint64_t want = rdb_vin_entry(m->suffix, 0);
	uint32_t lo = group_search(e, n, want, first, last);

	/* the group is ordered (rdb_verify_all checks all of it): here at least where we look */
	if (lo > 0 && lo < n && e[lo - 1] >= e[lo]) {
		vin_bad(m, "VIN group in bucket %u not in order", m->bucket);
		return;
	}
	m->run = e + lo;
	while (lo < n && e[lo] >> 32 == want >> 32)
		lo++;
	m->n_run = (uint32_t)(e + lo - m->run);
}

/* E[0..n) strictly ascending, as the full check has it; else recorded as damage. */
static bool entries_ordered(struct mctx *m, const uint64_t *e, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		if (e[i - 1] >= e[i]) {
			vin_bad(m, "VIN group in bucket %u not in order", m->bucket);
			return false;
		}
	return true;
}

/*
 * On a lazy handle, what the full check proves of the VIN's bucket, checked where a lookup has it
 * in hand (the whole bucket was read and hashed to walk it): every group hashes to this bucket,
 * the groups ascend, every count fits, and short groups are ordered.  Unchecked, a group given
 * twice or out of order could hide the VIN's own, and its VIN would read as unlisted — for a
 * campaign that selects by list alone, not_affected as a fact.  The verified walk skips this.
 */
static bool bucket_sound(struct mctx *m, const uint64_t *w, uint32_t n)
{
	uint32_t n_b = (uint32_t)(m->db->sec[RDB_SEC_VIN_BUCKETS].count - 1);
	uint64_t prev = 0;

	for (uint32_t p = 0; p < n;) {
		uint64_t prefix = w[p] & RDB_GROUP_PREFIX_MASK;
		uint32_t k = (uint32_t)(w[p] >> 56);

		if (prefix >= RDB_PREFIX_LIMIT || rdb_vin_bucket(prefix, n_b) != m->bucket) {
			vin_bad(m, "VIN bucket %u: group at word %llu not in its bucket", m->bucket,
			    (unsigned long long)m->b_lo + p);
			return false;
		}
		if (p > 0 && prefix <= prev) {
			vin_bad(m, "VIN bucket %u: groups not in order", m->bucket);
			return false;
		}
		prev = prefix;
		if (k > RDB_GROUP_SHORT_MAX || (k ? k >= n - p : n - p < 3)) {
			vin_bad(m, "VIN bucket %u: group at word %llu out of bounds", m->bucket,
			    (unsigned long long)m->b_lo + p);
			return false;
		}
		if (k && !entries_ordered(m, w + p + 1, k))
			return false;
		p += k ? 1 + k : 3;
	}
	return true;
}

/*
 * On a lazy handle, a long group's entries E[0..cnt) against its words: more than a short group
 * holds, ordered, and the first and last serial as the words say.  The lookup has the entries in
 * hand; a count cut short would otherwise read the VINs past it as unlisted.
 */
static bool long_group_sound(struct mctx *m, const uint64_t *g, const uint64_t *e, uint32_t cnt)
{
	if (cnt <= RDB_GROUP_SHORT_MAX) {
		vin_bad(m, "VIN bucket %u: long group of %u entries", m->bucket, cnt);
		return false;
	}
	if (!entries_ordered(m, e, cnt))
		return false;
	if (e[0] >> 32 != g[2] >> 32 || e[cnt - 1] >> 32 != g[1] >> 32) {
		vin_bad(m, "VIN bucket %u: long group: first or last serial differs", m->bucket);
		return false;
	}
	return true;
}

/*
 * The VIN's group in its bucket: a walk over the group words (a short group's entries follow its
 * word, a long one's are elsewhere), every count checked against the bucket's end.
 */
static void vin_group(struct mctx *m)
{
	const struct rdb *db = m->db;
	const uint64_t *w;
	uint32_t n, p = 0;

	if (m->b_hi < m->b_lo) {
		vin_bad(m, "VIN bucket %u ends before it starts", m->bucket);
		return;
	}
	if (m->b_hi == m->b_lo)
		return;
	w = rdb_recs(db, RDB_SEC_VIN_GROUPS, m->b_lo, m->b_hi - m->b_lo);
	if (!w) {
		fail(m);
		return;
	}
	n = m->b_hi - m->b_lo;
	if (!db->all && !bucket_sound(m, w, n))
		return;
	while (p < n) {
		uint32_t k = (uint32_t)(w[p] >> 56);
		bool mine = (w[p] & RDB_GROUP_PREFIX_MASK) == m->prefix;

		/* the groups ascend (verified): past the VIN's prefix it is not listed */
		if (db->all && (w[p] & RDB_GROUP_PREFIX_MASK) > m->prefix)
			return;
		if (k) {
			if (k >= n - p)
				break;
			if (mine) {
				group_run(m, w + p + 1, k, 0, 0);
				return;
			}
			p += 1 + k;
		} else {
			const uint64_t *e;
			uint32_t cnt;

			if (n - p < 3)
				break;
			if (!mine) {
				p += 3;
				continue;
			}
			cnt = (uint32_t)w[p + 1];
			/* a serial outside the group's first and last is not in it: verified, the
			 * word says so truly (a lazy handle reads the entries to know) */
			if (db->all && (m->suffix < (uint32_t)(w[p + 2] >> 32) ||
					m->suffix > (uint32_t)(w[p + 1] >> 32)))
				return;
			e = rdb_recs(db, RDB_SEC_VIN_ENTRIES, (uint32_t)w[p + 2], cnt);
			if (!e) {
				fail(m);
				return;
			}
			if (!db->all && !long_group_sound(m, w + p, e, cnt))
				return;
			group_run(m, e, cnt, (uint32_t)(w[p + 2] >> 32),
				  (uint32_t)(w[p + 1] >> 32));
			return;
		}
	}
	if (p != n)
		vin_bad(m, "VIN bucket %u: group at word %llu out of bounds", m->bucket,
			(unsigned long long)m->b_lo + p);
}

static void vin_lookup(struct mctx *m)
{
	vin_bucket(m);
	if (!m->err)
		vin_group(m);
}

static int listed(const struct mctx *m, uint32_t camp)
{
	int r = 0;

	for (uint32_t i = 0; i < m->n_run; i++)
		if ((uint32_t)m->run[i] >> 1 == camp)
			r |= (m->run[i] & 1) ? 2 : 1;
	return r;
}

static void hotline(struct mctx *m, const struct rdb_campaign_rec *c, struct rdb_result *res)
{
	const char *num;

	if (c->recognition != RDB_RECOG_HOTLINE)
		return;
	num = rdb_str(m->db, c->str[RDB_S_HOTLINE]);
	if (!num) {
		fail(m);
		return;
	}
	why_add(res->reason, "; call the hotline %s", num);
}

static void decide(struct mctx *m, uint32_t idx, struct rdb_result *res)
{
	const struct rdb_campaign_rec *c;
	char sel_why[WHY_MAX], sub[WHY_MAX];
	int l = m->vs == VS_OK ? listed(m, idx) : 0;
	struct rdb_why *f;
	enum tri sel;

	sel_why[0] = 0;
	res->campaign = idx;
	res->evidence[0] = 0;
	res->n_why = res->why_dropped = 0;
	m->res = res;
	m->part = RDB_PART_LIST;
	/* a VIN on a list: its verdict needs the campaign's record only when a remedy or an
	 * inspection is to be evaluated (RDB_CB_*, rdb-format.h) */
	if (l) {
		const uint8_t *bits = NULL;

		if (idx >= m->db->sec[RDB_SEC_CAMPAIGNS].count) {
			bad(m, "listed VIN names campaign %u of %llu", idx,
			    (unsigned long long)m->db->sec[RDB_SEC_CAMPAIGNS].count);
			return;
		}
		if (l & 2) {
			res->verdict = RDB_VERDICT_NOT_AFFECTED;
			res->reason_code = RDB_REASON_EXCLUDED;
			why_cpy(res->reason, "VIN on the campaign's exclusion list");
			if ((f = push(m, RDB_WHY_LISTED, T)))
				f->a = 1;
			return;
		}
		if (m->db->sec[RDB_SEC_CAMPAIGN_BITS].count) {
			bits = rdb_recs(m->db, RDB_SEC_CAMPAIGN_BITS, idx, 1);
			if (!bits) {
				fail(m);
				return;
			}
		}
		if (bits && !(*bits & (RDB_CB_REMEDIED | RDB_CB_INSPECT))) {
			res->verdict = RDB_VERDICT_OPEN;
			res->reason_code = RDB_REASON_OPEN;
			why_cpy(res->reason, "affected: VIN on the manufacturer's list");
			push(m, RDB_WHY_LISTED, T);
			return;
		}
	}
	c = rdb_camp_at(m->db, idx);
	if (!c) {
		fail(m);
		return;
	}
	m->camp = c;
	m->camp_idx = idx;
	m->lo = c->node_lo;
	m->hi = c->node_hi;
	/* each node of a campaign is evaluated at most once when its expressions are trees */
	m->budget = c->node_hi > c->node_lo ? c->node_hi - c->node_lo : 0;
	m->depth = 0;
	if (m->vs == VS_OK) {
		if (l & 1) {
			sel = T;
			why_cpy(sel_why, "VIN on the manufacturer's list");
			push(m, RDB_WHY_LISTED, T);
		} else if (c->affected != RDB_NONE) {
			m->part = RDB_PART_AFFECTED;
			sel = eval(m, c->affected, sel_why);
		} else {
			sel = F;
			why_cpy(sel_why, "VIN not on the manufacturer's list");
			push(m, RDB_WHY_NOT_LISTED, F);
		}
	} else {
		m->part = RDB_PART_AFFECTED;
		sel = c->affected != RDB_NONE ? eval(m, c->affected, sel_why) : U;
		m->part = RDB_PART_LIST;
		if (c->affected == RDB_NONE) {
			why_set(sel_why, "%s; the campaign selects by VIN list", m->vin_why);
			vin_needed(m, sub);
			push(m, RDB_WHY_LISTS_NEED_VIN, U);
		} else if (sel == F && (c->flags & RDB_CF_INCLUDE)) {
			why_set(sel_why, "%s; the VIN may be on the manufacturer's list",
				m->vin_why);
			push(m, RDB_WHY_LISTS_NEED_VIN, U);
		} else if (sel == T && (c->flags & RDB_CF_EXCLUDE)) {
			why_set(sel_why, "%s; the VIN may be on the exclusion list", m->vin_why);
			if ((f = push(m, RDB_WHY_LISTS_NEED_VIN, U)))
				f->a = 1;
		}
		if (sel != U && (((c->flags & RDB_CF_INCLUDE) && sel == F) ||
				 ((c->flags & RDB_CF_EXCLUDE) && sel == T)))
			sel = U;
	}
	if (m->err)
		return;
	if (sel == F) {
		res->verdict = RDB_VERDICT_NOT_AFFECTED;
		res->reason_code = RDB_REASON_NOT_SELECTED;
		why_cpy(res->reason, sel_why);
		return;
	}
	if (sel == U) {
		res->verdict = RDB_VERDICT_UNDETERMINED;
		res->reason_code = RDB_REASON_SELECTION_UNKNOWN;
		why_cpy(res->reason, sel_why);
		hotline(m, c, res);
		return;
	}
	if (c->remedied != RDB_NONE) {
		enum tri t;

		m->part = RDB_PART_REMEDIED;
		t = eval(m, c->remedied, sub);
		if (m->err)
			return;
		if (t == T) {
			res->verdict = RDB_VERDICT_REMEDIED;
			res->reason_code = RDB_REASON_REMEDIED;
			why_set(res->reason, "affected (%s); remedy applied", sel_why);
			why_cpy(res->evidence, sub);
			return;
		}
		if (t == U) {
			res->verdict = RDB_VERDICT_UNDETERMINED;
			res->reason_code = RDB_REASON_REMEDY_UNKNOWN;
			why_set(res->reason,
				"affected (%s); whether the remedy is applied is unknown: %s",
				sel_why, sub);
			hotline(m, c, res);
			return;
		}
		why_add(sel_why, "; remedy not applied: %s", sub);
	}
	if (c->inspect != RDB_NONE) {
		unsigned int before = res->n_why;
		enum tri t;

		m->part = RDB_PART_INSPECT;
		t = eval(m, c->inspect, sub);
		if (m->err)
			return;
		if (t == T) {
			res->verdict = RDB_VERDICT_INSPECT;
			res->reason_code = RDB_REASON_INSPECT;
			why_set(res->reason, "candidate (%s); an inspection decides", sel_why);
			return;
		}
		if (t == U) {
			res->verdict = RDB_VERDICT_UNDETERMINED;
			res->reason_code = RDB_REASON_INSPECT_UNKNOWN;
			why_set(res->reason, "affected (%s); whether to inspect is unknown: %s",
				sel_why, sub);
			hotline(m, c, res);
			return;
		}
		/* the string leaves out why no inspection is needed; so do the facts */
		keep_only(m, before, before, before);
	}
	res->verdict = RDB_VERDICT_OPEN;
	res->reason_code = RDB_REASON_OPEN;
	why_cpy(res->reason, "affected: ");
	why_cat(res->reason, sel_why);
}

/*
 * The candidate list of index key W (a WMI or VIN positions 1-5), or none.  The search has no
 * branch on the keys (a lookup's keys would mispredict about every other step) and reads only
 * the entries it probes: a lazily opened database reads and checks the blocks under them, not
 * the whole index.
 */
static const uint32_t *bucket(struct mctx *m, uint32_t w, uint32_t *ret_n)
{
	const struct rdb *db = m->db;
	uint32_t base = 0, len = (uint32_t)db->sec[RDB_SEC_WMI_INDEX].count;
	const struct rdb_wmi_ent *e;
	const uint32_t *c;

	*ret_n = 0;
	if (!len)
		return NULL;
	while (len > 1) {
		uint32_t half = len / 2;

		e = rdb_recs(db, RDB_SEC_WMI_INDEX, base + half - 1, 1);
		if (!e) {
			fail(m);
			return NULL;
		}
		base = e->wmi < w ? base + half : base;
		len -= half;
	}
	e = rdb_recs(db, RDB_SEC_WMI_INDEX, base, 1);
	if (!e) {
		fail(m);
		return NULL;
	}
	if (e->wmi != w || !e->count)
		return NULL;
	c = rdb_u32s(db, RDB_SEC_CANDIDATES, e->start, e->count);
	if (!c) {
		fail(m);
		return NULL;
	}
	*ret_n = e->count;
	return c;
}

/*
 * Both candidate lists of a VIN — its WMI's (W) and its positions 1-5's (W5) — on a verified
 * handle: the two searches of the same index take the same number of steps, so they run in one
 * loop as two independent chains (the processor overlaps them), straight on the checked array.
 * The index was the largest part of a lookup's work besides its cache miss (perf, hot cache).
 */
static void buckets_verified(struct mctx *m, uint32_t w, uint32_t w5, const uint32_t **a,
			     uint32_t *na, const uint32_t **a5, uint32_t *na5)
{
	const struct rdb *db = m->db;
	const struct rdb_sec *x = &db->sec[RDB_SEC_WMI_INDEX];
	const uint8_t *idx = db->mem + x->off;
	uint32_t len = (uint32_t)x->count, b = 0, b5 = 0;
	const struct rdb_wmi_ent *e, *e5;

	*na = *na5 = 0;
	if (!len)
		return;
	while (len > 1) {
		uint32_t half = len / 2;
		const struct rdb_wmi_ent *p =
			(const void *)(idx + (uint64_t)(b + half - 1) * x->stride);
		const struct rdb_wmi_ent *p5 =
			(const void *)(idx + (uint64_t)(b5 + half - 1) * x->stride);

		b = p->wmi < w ? b + half : b;
		b5 = p5->wmi < w5 ? b5 + half : b5;
		len -= half;
	}
	e = (const void *)(idx + (uint64_t)b * x->stride);
	e5 = (const void *)(idx + (uint64_t)b5 * x->stride);
	/* the entries' ranges are checked where the lists are fetched, as in bucket() */
	if (e->wmi == w && e->count) {
		*a = rdb_u32s(db, RDB_SEC_CANDIDATES, e->start, e->count);
		if (!*a) {
			fail(m);
			return;
		}
		*na = e->count;
	}
	if (e5->wmi == w5 && e5->count) {
		*a5 = rdb_u32s(db, RDB_SEC_CANDIDATES, e5->start, e5->count);
		if (!*a5) {
			fail(m);
			return;
		}
		*na5 = e5->count;
	}
}

/*
 * The VIN as the matcher needs it, in one pass over its characters: valid or why not, upper case,
 * WMI, serial and the index keys.  (vin_decode does more — the maker's name, the check digit of a
 * VIN that need not carry one — and costs more than the rest of a lookup.)
 */
static void read_vin(struct mctx *m, const char *vin)
{
	size_t len = strnlen(vin, 64);

	if (len == VIN_LEN && !rdb_vin_pack(vin, m->vi.vin, &m->prefix, &m->suffix)) {
		m->vi.vin[VIN_LEN] = 0;
		/* North America (1-5): the check digit is mandatory, a wrong one: invalid */
		if (m->vi.vin[0] < '1' || m->vi.vin[0] > '5' ||
		    vin_check_digit(m->vi.vin) == m->vi.vin[8]) {
			memcpy(m->vi.wmi, m->vi.vin, 3);
			m->vi.wmi[3] = 0;
			memcpy(m->vi.serial, m->vi.vin + 11, 6);
			m->vi.serial[6] = 0;
			m->vi.valid = true;
			m->vs = VS_OK;
			return;
		}
	}
	{
		char shown[64];

		vin_decode(vin, len, &m->vi);
		m->vs = VS_INVALID;
		show_value((const uint8_t *)vin, len > 20 ? 20 : len, shown, sizeof(shown));
		set_value(m->vin_shown, shown);
		snprintf(m->vin_why, sizeof(m->vin_why), "VIN \"%s\" invalid (%s)", shown,
			 m->vi.errors & VIN_ERR_LENGTH ? "not 17 characters"
			 : m->vi.errors & VIN_ERR_CHARSET ? "character not allowed"
							 : "check digit wrong");
	}
}

/* The campaign records a lookup will decide, asked for before the first is needed. */
static void prefetch_camps(const struct rdb *db, const uint32_t *c, uint32_t n)
{
	const struct rdb_sec *x = &db->sec[RDB_SEC_CAMPAIGNS];

	for (uint32_t i = 0; i < n && i < 4; i++)
		if (c[i] < x->count)
			__builtin_prefetch(db->mem + x->off + (uint64_t)c[i] * x->stride);
}

int rdb_match(const struct rdb *db, const struct rdb_vehicle *v, unsigned int flags,
	      struct rdb_result *results, size_t cap)
{
	struct mctx m;
	uint32_t n_camps;
	size_t out = 0;

	memset(&m, 0, offsetof(struct mctx, vin_why));
	m.db = db;
	m.v = v;
	m.vin_why[0] = m.vin_shown[0] = 0;

	if (!db || !v || (!results && cap) || (v->n_dids && !v->dids) || (v->n_ecus && !v->ecus))
		return -EINVAL;
	n_camps = (uint32_t)db->sec[RDB_SEC_CAMPAIGNS].count;
	if (!v->vin) {
		m.vs = VS_ABSENT;
		why_cpy(m.vin_why, "VIN not read");
	} else {
		read_vin(&m, v->vin);
	}

	if ((flags & RDB_MATCH_ALL) || m.vs != VS_OK) {
		if (m.vs == VS_OK) {
			vin_lookup(&m);
			if (m.err)
				return m.err;
		}
		for (uint32_t i = 0; i < n_camps; i++, out++) {
			struct rdb_result scratch;

			decide(&m, i, out < cap ? &results[out] : &scratch);
			if (m.err)
				return m.err;
		}
	} else {
		const uint32_t *a = NULL, *a5 = NULL, *g = NULL;
		uint32_t na = 0, na5 = 0, ng = (uint32_t)db->sec[RDB_SEC_GENERIC].count;
		uint32_t ia = 0, ia5 = 0, ib = 0, ic = 0;

		/* the lookup's cache miss (the VIN's bucket) is asked for first and overlaps the
		 * searches of the candidate index */
		vin_bucket(&m);
		if (!m.err && db->all) {
			buckets_verified(&m, rdb_pack_wmi(m.vi.wmi), rdb_pack_key5(m.vi.vin),
					 &a, &na, &a5, &na5);
		} else {
			if (!m.err)
				a = bucket(&m, rdb_pack_wmi(m.vi.wmi), &na);
			if (!m.err)
				a5 = bucket(&m, rdb_pack_key5(m.vi.vin), &na5);
		}
		if (ng && !m.err)
			g = rdb_u32s(db, RDB_SEC_GENERIC, 0, ng);
		if (m.err || (ng && !g))
			return fail(&m);
		prefetch_camps(db, a, na);
		prefetch_camps(db, a5, na5);
		vin_group(&m);
		if (m.err)
			return m.err;
		/*
		 * Four lists (WMI, WMI + model code, generic, VIN list), ascending, merged.  Each
		 * round takes the smallest head and moves past it in every list, so it ends after
		 * at most their total length even if a damaged list is not in order.  "None left"
		 * is above every campaign number: a damaged list naming campaign UINT32_MAX gets
		 * the error of a campaign out of bounds, not a silent end of the merge.
		 */
		for (;;) {
			uint64_t best = UINT64_MAX;
			struct rdb_result scratch;

			if (ia < na && a[ia] < best)
				best = a[ia];
			if (ia5 < na5 && a5[ia5] < best)
				best = a5[ia5];
			if (ib < ng && g[ib] < best)
				best = g[ib];
			if (ic < m.n_run && ((uint32_t)m.run[ic] >> 1) < best)
				best = (uint32_t)m.run[ic] >> 1;
			if (best == UINT64_MAX)
				break;
			while (ia < na && a[ia] == best)
				ia++;
			while (ia5 < na5 && a5[ia5] == best)
				ia5++;
			while (ib < ng && g[ib] == best)
				ib++;
			while (ic < m.n_run && ((uint32_t)m.run[ic] >> 1) == best)
				ic++;
			decide(&m, (uint32_t)best, out < cap ? &results[out] : &scratch);
			if (m.err)
				return m.err;
			out++;
		}
	}
	return out > INT32_MAX ? -E2BIG : (int)out;
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

int rdb_version_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i = 0, j = 0;

	while (i < alen && j < blen) {
		if (is_digit(a[i]) && is_digit(b[j])) {
			size_t si, sj, li, lj;

			while (i < alen && a[i] == '0')
				i++;
			while (j < blen && b[j] == '0')
				j++;
			for (si = i; i < alen && is_digit(a[i]); i++)
				;
			for (sj = j; j < blen && is_digit(b[j]); j++)
				;
			li = i - si;
			lj = j - sj;
			if (li != lj)
				return li < lj ? -1 : 1;
			for (size_t k = 0; k < li; k++)
				if (a[si + k] != b[sj + k])
					return a[si + k] < b[sj + k] ? -1 : 1;
			continue;
		}
		if (a[i] != b[j])
			return a[i] < b[j] ? -1 : 1;
		i++;
		j++;
	}
	if (i < alen)
		return 1;
	if (j < blen)
		return -1;
	return 0;
}

const char *rdb_reason_name(enum rdb_reason r)
{
	static const char *const names[_RDB_REASON_MAX] = {
		[RDB_REASON_OPEN] = "open",
		[RDB_REASON_REMEDIED] = "remedied",
		[RDB_REASON_INSPECT] = "inspect",
		[RDB_REASON_NOT_SELECTED] = "not_selected",
		[RDB_REASON_EXCLUDED] = "excluded",
		[RDB_REASON_SELECTION_UNKNOWN] = "selection_unknown",
		[RDB_REASON_REMEDY_UNKNOWN] = "remedy_unknown",
		[RDB_REASON_INSPECT_UNKNOWN] = "inspect_unknown",
	};

	return (unsigned int)r < _RDB_REASON_MAX ? names[r] : NULL;
}

const char *rdb_why_name(enum rdb_why_code c)
{
	static const char *const names[_RDB_WHY_MAX] = {
		[RDB_WHY_ALWAYS] = "always",
		[RDB_WHY_NEVER] = "never",
		[RDB_WHY_NOT_RECOGNISABLE] = "not_recognisable",
		[RDB_WHY_VIN_MISSING] = "vin_missing",
		[RDB_WHY_VIN_INVALID] = "vin_invalid",
		[RDB_WHY_LISTED] = "listed",
		[RDB_WHY_NOT_LISTED] = "not_listed",
		[RDB_WHY_LISTS_NEED_VIN] = "lists_need_vin",
		[RDB_WHY_WMI] = "wmi",
		[RDB_WHY_VIN_POSITIONS] = "vin_positions",
		[RDB_WHY_SERIAL] = "serial",
		[RDB_WHY_SERIAL_NOT_NUMERIC] = "serial_not_numeric",
		[RDB_WHY_MODEL_YEAR] = "model_year",
		[RDB_WHY_MODEL_YEAR_UNKNOWN] = "model_year_unknown",
		[RDB_WHY_BUILD_DATE] = "build_date",
		[RDB_WHY_BUILD_DATE_NO_SOURCE] = "build_date_no_source",
		[RDB_WHY_BUILD_DATE_UNREADABLE] = "build_date_unreadable",
		[RDB_WHY_ECU_PRESENT] = "ecu_present",
		[RDB_WHY_ECU_ABSENT] = "ecu_absent",
		[RDB_WHY_ECUS_NOT_READ] = "ecus_not_read",
		[RDB_WHY_DID_CMP] = "did_cmp",
		[RDB_WHY_DID_IN] = "did_in",
		[RDB_WHY_DID_ABSENT] = "did_absent",
		[RDB_WHY_DID_FAILED] = "did_failed",
		[RDB_WHY_DID_NOT_READ] = "did_not_read",
	};

	return (unsigned int)c < _RDB_WHY_MAX ? names[c] : NULL;
}

const char *rdb_part_name(enum rdb_why_part p)
{
	static const char *const names[] = {
		[RDB_PART_LIST] = "list", [RDB_PART_AFFECTED] = "affected",
		[RDB_PART_REMEDIED] = "remedied", [RDB_PART_INSPECT] = "inspect",
	};

	return (unsigned int)p <= RDB_PART_INSPECT ? names[p] : NULL;
}

const char *rdb_cmp_name(unsigned int cmp)
{
	return cmp <= RDB_CMP_GE ? cmp_words[cmp] : NULL;
}
