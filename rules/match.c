/* SPDX-License-Identifier: MIT */
/*
 * Matching a vehicle against a validated database.  Conditions are three-valued (true, false,
 * unknown): a fact that could not be read is unknown, `and` is false if any operand is false,
 * `or` is true if any operand is true, otherwise unknown wins.  So a campaign is not_affected only
 * when a fact that was actually read rules it out — never because data was missing.
 *
 * Order of decision per campaign (rules/README.md "Verdicts"):
 *   VIN on the exclusion list -> not_affected; on the inclusion list -> selected;
 *   else `affected` decides (false -> not_affected, unknown -> undetermined);
 *   selected: `remedied when` true -> remedied (with evidence), unknown -> undetermined;
 *   `inspect when` true -> inspect, unknown -> undetermined; else open.
 * Nothing here allocates; candidate campaigns come from the WMI index, the generic list and the
 * VIN index, merged in campaign order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules/rdb-handle.h"
#include "rules/vin.h"

enum tri { F = 0, T = 1, U = 2 };

enum vin_state { VS_OK, VS_ABSENT, VS_INVALID };

struct mctx {
	const struct rdb *db;
	const struct rdb_vehicle *v;
	const struct rdb_campaign_rec *camp;
	enum vin_state vs;
	struct vin_info vi;
	char vin_why[160];
	uint32_t run_lo, run_hi;	/* listed entries equal to the VIN */
};

#define WHY_MAX RDB_TEXT_MAX

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

/* Printable, trimmed rendering of a DID value for reasons. */
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
	while (*len && ((*val)[*len - 1] == 0 || (*val)[*len - 1] == ' ' || (*val)[*len - 1] == 0xFF))
		(*len)--;
	while (*len && (*val)[0] == ' ') {
		(*val)++;
		(*len)--;
	}
}

static bool ecu_present(const struct mctx *m, uint32_t ecu)
{
	for (size_t i = 0; i < m->v->n_ecus; i++)
		if (m->v->ecus[i] == ecu)
			return true;
	for (size_t i = 0; i < m->v->n_dids; i++)
		if (m->v->dids[i].ecu == ecu && m->v->dids[i].status == RDB_DID_OK)
			return true;
	return false;
}

/* T: val and len hold the value; F: the DID (or its ECU) is not there; U: not read (why set). */
static enum tri did_fact(const struct mctx *m, uint32_t ecu, uint16_t did, const uint8_t **val,
			 size_t *len, char *why)
{
	for (size_t i = 0; i < m->v->n_dids; i++) {
		const struct rdb_did_fact *f = &m->v->dids[i];

		if (f->ecu != ecu || f->did != did)
			continue;
		switch (f->status) {
		case RDB_DID_OK:
			*val = f->value ? f->value : (const uint8_t *)"";
			*len = f->value ? f->len : 0;
			trim(val, len);
			return T;
		case RDB_DID_NOT_PRESENT:
			why_set(why, "0x%X:%04X not present", ecu, did);
			return F;
		case RDB_DID_FAILED:
			why_set(why, "0x%X:%04X could not be read: %s", ecu, did,
				f->reason && f->reason[0] ? f->reason : "read failed");
			return U;
		}
	}
	if (m->v->ecus_complete && !ecu_present(m, ecu)) {
		why_set(why, "ECU 0x%X not in the vehicle", ecu);
		return F;
	}
	why_set(why, "0x%X:%04X not read", ecu, did);
	return U;
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

/* YYYYMMDD from a build-date DID, 0 when the bytes are no date. */
static uint32_t decode_date(uint8_t fmt, const uint8_t *v, size_t len)
{
	unsigned int y = 0, mo = 0, d = 0;
	bool ok = true;

	if (fmt == RDB_BD_BCD && len == 3) {
		y = 2000 + bcd(v[0], &ok);
		mo = bcd(v[1], &ok);
		d = bcd(v[2], &ok);
	} else if (fmt == RDB_BD_BCD && len == 4) {
		y = bcd(v[0], &ok) * 100 + bcd(v[1], &ok);
		mo = bcd(v[2], &ok);
		d = bcd(v[3], &ok);
	} else if (fmt == RDB_BD_ASCII && (len == 8 || len == 10 || len == 6)) {
		char s[11] = { 0 };
		size_t o = 0;

		for (size_t i = 0; i < len; i++) {
			if (v[i] >= '0' && v[i] <= '9')
				s[o++] = (char)v[i];
			else if (!(len == 10 && (i == 4 || i == 7) && (v[i] == '-' || v[i] == '.')))
				return 0;
		}
		if (o == 6)
			ok = sscanf(s, "%2u%2u%2u", &y, &mo, &d) == 3, y += 2000;
		else if (o == 8)
			ok = sscanf(s, "%4u%2u%2u", &y, &mo, &d) == 3;
		else
			return 0;
	} else
		return 0;
	if (!ok || mo < 1 || mo > 12 || d < 1 || d > 31)
		return 0;
	return y * 10000 + mo * 100 + d;
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

static enum tri vin_needed(const struct mctx *m, char *why)
{
	why_set(why, "%s", m->vin_why);
	return U;
}

static enum tri eval(const struct mctx *m, uint32_t idx, char *why)
{
	const struct rdb *db = m->db;
	const struct rdb_node *n = rdb_node_at(db, idx);
	char sub[WHY_MAX];

	switch ((enum rdb_op)n->op) {
	case RDB_OP_TRUE:
		why_set(why, "always");
		return T;
	case RDB_OP_FALSE:
		why_set(why, "never");
		return F;
	case RDB_OP_UNKNOWN:
		why_set(why, "not recognisable from vehicle data");
		return U;
	case RDB_OP_AND:
	case RDB_OP_OR: {
		bool and = n->op == RDB_OP_AND;
		enum tri res = and ? T : F;
		char first_u[WHY_MAX] = "";

		why[0] = 0;
		for (uint32_t k = 0; k < n->b; k++) {
			enum tri t = eval(m, db->args[n->a + k], sub);

			if (t == (and ? F : T)) {
				why_set(why, "%s", sub);
				return t;
			}
			if (t == U) {
				if (res != U)
					why_set(first_u, "%s", sub);
				res = U;
			} else if (res != U) {
				/* the operands that hold (and) or fail (or) together explain it */
				why_add(why, "%s%s", why[0] ? "; " : "", sub);
			}
		}
		if (res == U)
			why_set(why, "%s", first_u);
		return res;
	}
	case RDB_OP_NOT: {
		enum tri t = eval(m, n->a, sub);

		if (t == U) {
			why_set(why, "%s", sub);
			return U;
		}
		why_set(why, "not (%s)", sub);
		return t == T ? F : T;
	}
	case RDB_OP_WMI_IN: {
		uint32_t w;

		if (m->vs != VS_OK)
			return vin_needed(m, why);
		w = rdb_pack_wmi(m->vi.wmi);
		for (uint32_t k = 0; k < n->b; k++)
			if (db->args[n->a + k] == w) {
				why_set(why, "WMI %s", m->vi.wmi);
				return T;
			}
		why_set(why, "WMI %s not concerned", m->vi.wmi);
		return F;
	}
	case RDB_OP_VIN_PAT: {
		const char *pat = db->strings + n->c;
		bool hit = true;

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
				return F;
			}
			s = s * 10 + (uint32_t)(ch - '0');
		}
		if (s >= n->a && s <= n->b) {
			why_set(why, "serial %s in %06u..%06u", m->vi.serial, n->a, n->b);
			return T;
		}
		why_set(why, "serial %s outside %06u..%06u", m->vi.serial, n->a, n->b);
		return F;
	}
	case RDB_OP_MODEL_YEAR: {
		size_t in = 0;

		if (m->vs != VS_OK)
			return vin_needed(m, why);
		if (m->vi.n_model_years == 0) {
			why_set(why, "model year not in the VIN (position 10 '%c')", m->vi.vin[9]);
			return U;
		}
		for (size_t k = 0; k < m->vi.n_model_years; k++)
			if ((uint32_t)m->vi.model_years[k] >= n->a &&
			    (uint32_t)m->vi.model_years[k] <= n->b)
				in++;
		if (in == m->vi.n_model_years) {
			why_set(why, "model year %d in %u..%u", m->vi.model_years[0], n->a, n->b);
			return T;
		}
		if (in == 0) {
			why_set(why, "model year %d%s outside %u..%u", m->vi.model_years[0],
				m->vi.n_model_years > 1 ? " (or 30 years later)" : "", n->a, n->b);
			return F;
		}
		why_set(why, "model year %d or %d (30-year cycle), only one in %u..%u",
			m->vi.model_years[0], m->vi.model_years[1], n->a, n->b);
		return U;
	}
	case RDB_OP_BUILD_DATE: {
		const struct rdb_campaign_rec *c = m->camp;
		const uint8_t *val = NULL;
		size_t len = 0;
		uint32_t d;
		enum tri t;

		if (c->bd_format == RDB_BD_NONE) {
			why_set(why, "build date source not given");
			return U;
		}
		t = did_fact(m, c->bd_ecu, c->bd_did, &val, &len, sub);
		if (t != T) {
			/* the build date is needed: whatever the reason, it is unknown */
			why_set(why, "build date unreadable: %s", sub);
			return U;
		}
		d = decode_date(c->bd_format, val, len);
		if (!d) {
			char shown[64];

			show_value(val, len, shown, sizeof(shown));
			why_set(why, "build date unreadable: 0x%X:%04X \"%s\" is no date", c->bd_ecu,
				c->bd_did, shown);
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
			why_set(why, "build date %04u-%02u-%02u (0x%X:%04X) %s %s", d / 10000,
				d / 100 % 100, d % 100, c->bd_ecu, c->bd_did, in ? "in" : "outside",
				range);
		}
		return d >= n->a && d <= n->b ? T : F;
	}
	case RDB_OP_ECU_PRESENT:
		if (ecu_present(m, n->a)) {
			why_set(why, "ECU 0x%X present", n->a);
			return T;
		}
		if (m->v->ecus_complete) {
			why_set(why, "ECU 0x%X not in the vehicle", n->a);
			return F;
		}
		why_set(why, "ECUs not read (is 0x%X present?)", n->a);
		return U;
	case RDB_OP_DID_CMP:
	case RDB_OP_DID_IN: {
		const uint8_t *val = NULL;
		size_t len = 0;
		char shown[64];
		enum tri t = did_fact(m, n->a, n->did, &val, &len, sub);

		if (t == U) {
			why_set(why, "%s", sub);
			return U;
		}
		if (n->op == RDB_OP_DID_CMP) {
			const char *ref = db->strings + n->c;
			bool h;

			if (t == F) {
				/* no value: equal to nothing, so only != holds */
				h = n->cmp == RDB_CMP_NE;
				why_set(why, "%s", sub);
				return h ? T : F;
			}
			h = n->cmp == RDB_CMP_EQ || n->cmp == RDB_CMP_NE
				? cmp_holds(n->cmp, len == strlen(ref) && !memcmp(val, ref, len) ? 0 : 1)
				: cmp_holds(n->cmp, rdb_version_cmp(val, len, (const uint8_t *)ref,
								    strlen(ref)));
			show_value(val, len, shown, sizeof(shown));
			why_set(why, "0x%X:%04X \"%s\" %s%s \"%s\"", n->a, n->did, shown,
				h ? "" : "not ", cmp_words[n->cmp], ref);
			return h ? T : F;
		}
		if (t == F) {
			why_set(why, "%s", sub);
			return F;
		}
		show_value(val, len, shown, sizeof(shown));
		for (uint32_t k = 0; k < n->c; k++) {
			const char *ref = db->strings + db->args[n->b + k];

			if (len == strlen(ref) && !memcmp(val, ref, len)) {
				why_set(why, "0x%X:%04X \"%s\" listed", n->a, n->did, shown);
				return T;
			}
		}
		why_set(why, "0x%X:%04X \"%s\" not listed", n->a, n->did, shown);
		return F;
	}
	case _RDB_OP_MAX:
		break;
	}
	why_set(why, "unknown condition");
	return U;
}

/* Listed entries for the VIN: hash slot of positions 1-11, then the group's suffixes. */
static void vin_lookup(struct mctx *m)
{
	const struct rdb *db = m->db;
	uint64_t key = rdb_pack_prefix(m->vi.vin);
	uint32_t suf = rdb_pack_suffix(m->vi.vin), lo, hi, k = rdb_slot_home(key, db->n_slots);

	m->run_lo = m->run_hi = 0;
	/* ends at an empty slot (one exists, checked at open) — and after n_slots steps in any
	 * case, should the file have been overwritten in place since */
	for (uint32_t steps = 0; db->slots[k].key != key; steps++) {
		if (db->slots[k].key == RDB_SLOT_EMPTY || steps >= db->n_slots)
			return;
		k = k + 1 == db->n_slots ? 0 : k + 1;
	}
	lo = db->slots[k].start;
	hi = lo + db->slots[k].count;
	while (hi - lo > 8) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (db->suffixes[mid] < suf)
			lo = mid + 1;
		else
			hi = mid;
	}
	hi = db->slots[k].start + db->slots[k].count;
	while (lo < hi && db->suffixes[lo] < suf)
		lo++;
	m->run_lo = lo;
	while (lo < hi && db->suffixes[lo] == suf)
		lo++;
	m->run_hi = lo;
}

static int listed(const struct mctx *m, uint32_t camp)
{
	int r = 0;

	for (uint32_t i = m->run_lo; i < m->run_hi; i++)
		if (m->db->refs[i] >> 1 == camp)
			r |= (m->db->refs[i] & 1) ? 2 : 1;
	return r;
}

static void decide(struct mctx *m, uint32_t idx, struct rdb_result *res)
{
	const struct rdb_campaign_rec *c = rdb_camp_at(m->db, idx);
	char sel_why[WHY_MAX] = "", sub[WHY_MAX];
	enum tri sel;

	m->camp = c;
	res->campaign = idx;
	res->evidence[0] = 0;
	if (m->vs == VS_OK) {
		int l = listed(m, idx);

		if (l & 2) {
			res->verdict = RDB_VERDICT_NOT_AFFECTED;
			why_set(res->reason, "VIN on the campaign's exclusion list");
			return;
		}
		if (l & 1) {
			sel = T;
			why_set(sel_why, "VIN on the manufacturer's list");
		} else if (c->affected != RDB_NONE) {
			sel = eval(m, c->affected, sel_why);
		} else {
			sel = F;
			why_set(sel_why, "VIN not on the manufacturer's list");
		}
	} else {
		sel = c->affected != RDB_NONE ? eval(m, c->affected, sel_why) : U;
		if (c->affected == RDB_NONE)
			why_set(sel_why, "%s; the campaign selects by VIN list", m->vin_why);
		else if (sel == F && (c->flags & RDB_CF_INCLUDE))
			why_set(sel_why, "%s; the VIN may be on the manufacturer's list", m->vin_why);
		else if (sel == T && (c->flags & RDB_CF_EXCLUDE))
			why_set(sel_why, "%s; the VIN may be on the exclusion list", m->vin_why);
		if (sel != U && (((c->flags & RDB_CF_INCLUDE) && sel == F) ||
				 ((c->flags & RDB_CF_EXCLUDE) && sel == T)))
			sel = U;
	}
	if (sel == F) {
		res->verdict = RDB_VERDICT_NOT_AFFECTED;
		why_set(res->reason, "%s", sel_why);
		return;
	}
	if (sel == U) {
		res->verdict = RDB_VERDICT_UNDETERMINED;
		why_set(res->reason, "%s", sel_why);
		goto hotline;
	}
	if (c->remedied != RDB_NONE) {
		enum tri t = eval(m, c->remedied, sub);

		if (t == T) {
			res->verdict = RDB_VERDICT_REMEDIED;
			why_set(res->reason, "affected (%s); remedy applied", sel_why);
			why_set(res->evidence, "%s", sub);
			return;
		}
		if (t == U) {
			res->verdict = RDB_VERDICT_UNDETERMINED;
			why_set(res->reason, "affected (%s); whether the remedy is applied is unknown: %s",
				sel_why, sub);
			goto hotline;
		}
		why_add(sel_why, "; remedy not applied: %s", sub);
	}
	if (c->inspect != RDB_NONE) {
		enum tri t = eval(m, c->inspect, sub);

		if (t == T) {
			res->verdict = RDB_VERDICT_INSPECT;
			why_set(res->reason, "candidate (%s); an inspection decides", sel_why);
			return;
		}
		if (t == U) {
			res->verdict = RDB_VERDICT_UNDETERMINED;
			why_set(res->reason, "affected (%s); whether to inspect is unknown: %s", sel_why,
				sub);
			goto hotline;
		}
	}
	res->verdict = RDB_VERDICT_OPEN;
	why_set(res->reason, "affected: %s", sel_why);
	return;
hotline:
	if (c->recognition == RDB_RECOG_HOTLINE)
		why_add(res->reason, "; call the hotline %s", m->db->strings + c->str[RDB_S_HOTLINE]);
}

static const struct rdb_wmi_ent *wmi_bucket(const struct rdb *db, uint32_t w)
{
	uint32_t lo = 0, hi = db->n_wmi;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (db->wmi[mid].wmi < w)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < db->n_wmi && db->wmi[lo].wmi == w ? &db->wmi[lo] : NULL;
}

int rdb_match(const struct rdb *db, const struct rdb_vehicle *v, unsigned int flags,
	      struct rdb_result *results, size_t cap)
{
	struct mctx m = { .db = db, .v = v };
	size_t out = 0;

	if (!db || !v || (!results && cap) || (v->n_dids && !v->dids) || (v->n_ecus && !v->ecus))
		return -EINVAL;
	if (!v->vin) {
		m.vs = VS_ABSENT;
		why_set(m.vin_why, "VIN not read");
	} else {
		size_t len = strnlen(v->vin, 64);

		vin_decode(v->vin, len, &m.vi);
		if (!m.vi.valid) {
			char shown[64];

			m.vs = VS_INVALID;
			show_value((const uint8_t *)v->vin, len > 20 ? 20 : len, shown, sizeof(shown));
			snprintf(m.vin_why, sizeof(m.vin_why), "VIN \"%s\" invalid (%s)", shown,
				 m.vi.errors & VIN_ERR_LENGTH ? "not 17 characters"
				 : m.vi.errors & VIN_ERR_CHARSET ? "character not allowed"
								 : "check digit wrong");
		} else {
			m.vs = VS_OK;
			vin_lookup(&m);
		}
	}

	if ((flags & RDB_MATCH_ALL) || m.vs != VS_OK) {
		for (uint32_t i = 0; i < db->n_camps; i++, out++)
			if (out < cap)
				decide(&m, i, &results[out]);
	} else {
		const struct rdb_wmi_ent *w, *w5;
		const uint32_t *a, *a5;
		uint32_t na, na5, ia = 0, ia5 = 0, ib = 0, ic = m.run_lo;

		w = wmi_bucket(db, rdb_pack_wmi(m.vi.wmi));
		w5 = wmi_bucket(db, rdb_pack_key5(m.vi.vin));
		a = w ? db->cand + w->start : NULL;
		na = w ? w->count : 0;
		a5 = w5 ? db->cand + w5->start : NULL;
		na5 = w5 ? w5->count : 0;
		/* four ascending lists (WMI, WMI + model code, generic, VIN list), merged */
		for (;;) {
			uint32_t best = UINT32_MAX;

			if (ia < na && a[ia] < best)
				best = a[ia];
			if (ia5 < na5 && a5[ia5] < best)
				best = a5[ia5];
			if (ib < db->n_generic && db->generic[ib] < best)
				best = db->generic[ib];
			if (ic < m.run_hi && (db->refs[ic] >> 1) < best)
				best = db->refs[ic] >> 1;
			if (best == UINT32_MAX)
				break;
			while (ia < na && a[ia] == best)
				ia++;
			while (ia5 < na5 && a5[ia5] == best)
				ia5++;
			while (ib < db->n_generic && db->generic[ib] == best)
				ib++;
			while (ic < m.run_hi && (db->refs[ic] >> 1) == best)
				ic++;
			if (out < cap)
				decide(&m, best, &results[out]);
			out++;
		}
	}
	return out > INT32_MAX ? -E2BIG : (int)out;
}
