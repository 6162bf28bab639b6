/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The check report's model: the struct of recall.h, its builders, counts and the one-line
 * summary.  Its forms live beside it: JSON (report-json.c), the technician's text
 * (report-text.c), the files written per check (report-files.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "can/ident.h"
#include "plugin/cli.h"
#include "plugin/report-internal.h"

const char *const report_verdict_names[_RECALL_VERDICT_MAX] = {
	[RECALL_VERDICT_OPEN] = "open",
	[RECALL_VERDICT_INSPECT] = "inspect",
	[RECALL_VERDICT_REMEDIED] = "remedied",
	[RECALL_VERDICT_NOT_AFFECTED] = "not_affected",
	[RECALL_VERDICT_UNDETERMINED] = "undetermined",
};

const char *const report_status_names[_RECALL_STATUS_MAX] = {
	[RECALL_STATUS_COMPLETE] = "complete",
	[RECALL_STATUS_INTERRUPTED] = "interrupted",
	[RECALL_STATUS_FAILED] = "failed",
};

RECALL_API const char *recall_verdict_name(enum recall_verdict v)
{
	return (unsigned int)v < _RECALL_VERDICT_MAX ? report_verdict_names[v] : NULL;
}

RECALL_API const char *recall_status_name(enum recall_status s)
{
	return (unsigned int)s < _RECALL_STATUS_MAX ? report_status_names[s] : NULL;
}

int report_lookup(const char *const *names, unsigned int n, const char *s)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return (int)i;
	return -EINVAL;
}

struct recall_report *report_new(void)
{
	return calloc(1, sizeof(struct recall_report));
}

int report_set_str(char **field, const char *value)
{
	char *s = NULL;

	if (value) {
		s = strdup(value);
		if (!s)
			return -ENOMEM;
	}
	free(*field);
	*field = s;
	return 0;
}

/* Grow an array by one zeroed element; the array is unchanged on failure. */
static int grow(void **arr, size_t *n, size_t elem, size_t max)
{
	void *p;

	if (*n >= max)
		return -E2BIG;
	p = realloc(*arr, (*n + 1) * elem);
	if (!p)
		return -ENOMEM;
	memset((char *)p + *n * elem, 0, elem);
	*arr = p;
	(*n)++;
	return 0;
}

int report_add_ecu(struct recall_report *r, uint32_t addr, const char *name,
		   struct recall_ecu **ret_ecu)
{
	struct recall_ecu *e;
	char *n = NULL;
	int ret;

	if (name && !(n = strdup(name)))
		return -ENOMEM;
	ret = grow((void **)&r->ecus, &r->n_ecus, sizeof(*r->ecus), REPORT_MAX_ECUS);
	if (ret < 0) {
		free(n);
		return ret;
	}
	e = &r->ecus[r->n_ecus - 1];
	e->addr = addr;
	e->name = n;
	if (ret_ecu)
		*ret_ecu = e;
	return 0;
}

struct recall_ecu *report_find_ecu(struct recall_report *r, uint32_t addr)
{
	size_t i;

	for (i = 0; i < r->n_ecus; i++)
		if (r->ecus[i].addr == addr)
			return &r->ecus[i];
	return NULL;
}

int report_add_did(struct recall_ecu *e, uint16_t did, const void *data, size_t len)
{
	uint8_t *copy;
	int ret;

	if (len > REPORT_MAX_DID_LEN)
		return -E2BIG;
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, data, len);
	copy[len] = 0;
	ret = grow((void **)&e->dids, &e->n_dids, sizeof(*e->dids), REPORT_MAX_DIDS);
	if (ret < 0) {
		free(copy);
		return ret;
	}
	e->dids[e->n_dids - 1] = (struct recall_did){ .did = did, .len = len, .data = copy };
	return 0;
}

void report_campaign_done(struct recall_campaign *c)
{
	free(c->id);
	free(c->title);
	free(c->text);
	free(c->reason);
	free(c->remedy);
	free(c->remedy_kind);
	free(c->recognition);
	free(c->recognition_text);
	free(c->hotline);
	free(c->evidence);
}

/* ---- ECU addresses ------------------------------------------------------------------------- */

/* One spelling of an ECU everywhere: can/'s (notes/can-ecu-keys.md), with the report's bound. */
const char *report_ecu_format(uint32_t addr, char buf[REPORT_ECU_MAX])
{
	return ident_ecu_format(addr, buf, REPORT_ECU_MAX);
}

int report_ecu_parse(const char *s, uint32_t *ret)
{
	uint64_t v = 0;
	const char *p = s;

	if (ident_ecu_parse(s, ret) == 0)
		return 0;
	/* a key as plain hex, as older reports wrote a pair ("0x8710077A") */
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (!*p || strlen(p) > 8)
		return -EINVAL;
	for (; *p; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0'
			: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
			: *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	*ret = (uint32_t)v;
	return 0;
}

/* ---- facts: a code and its parameters ---------------------------------------------------- */

void report_fact_done(struct recall_fact *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_params; i++) {
		free(f->params[i].key);
		free(f->params[i].value);
	}
	free(f->params);
	free(f->code);
	memset(f, 0, sizeof(*f));
}

int report_fact_init(struct recall_fact *f, const char *code)
{
	memset(f, 0, sizeof(*f));
	return report_set_str(&f->code, code);
}

int report_fact_add(struct recall_fact *f, const char *key, enum recall_param_type type,
		    const char *value)
{
	char *k, *v;
	int ret;

	if (!key || !*key || !value || (unsigned int)type > RECALL_PARAM_BOOL)
		return -EINVAL;
	k = strdup(key);
	v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	ret = grow((void **)&f->params, &f->n_params, sizeof(*f->params), REPORT_MAX_PARAMS);
	if (ret < 0) {
		free(k);
		free(v);
		return ret;
	}
	f->params[f->n_params - 1] = (struct recall_param){ .key = k, .value = v, .type = type };
	return 0;
}

int report_fact_addf(struct recall_fact *f, const char *key, enum recall_param_type type,
		     const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return report_fact_add(f, key, type, buf);
}

const char *report_fact_get(const struct recall_fact *f, const char *key)
{
	if (!f)
		return NULL;
	for (size_t i = 0; i < f->n_params; i++)
		if (strcmp(f->params[i].key, key) == 0)
			return f->params[i].value;
	return NULL;
}

int report_fact_copy(struct recall_fact *dst, const struct recall_fact *src)
{
	struct recall_fact f = { 0 };
	int ret = 0;

	if (src->code && (ret = report_set_str(&f.code, src->code)) < 0)
		goto fail;
	for (size_t i = 0; i < src->n_params; i++)
		if ((ret = report_fact_add(&f, src->params[i].key, src->params[i].type,
					   src->params[i].value)) < 0)
			goto fail;
	*dst = f;
	return 0;
fail:
	report_fact_done(&f);
	return ret;
}

static void info_done(struct recall_campaign_info *ci)
{
	free(ci->make);
	free(ci->kba);
	free(ci->nhtsa);
	free(ci->cost);
	free(ci->labour);
	free(ci->start);
	free(ci->extends);
	free(ci->supersedes);
	free(ci->reason_code);
	for (size_t i = 0; i < ci->n_facts; i++)
		report_fact_done(&ci->facts[i]);
	free(ci->facts);
}

/* Empty strings are stored as NULL: "not given" has one spelling in the struct and the JSON. */
static int set_opt(char **field, const char *value)
{
	return report_set_str(field, value && *value ? value : NULL);
}

int report_add_campaign(struct recall_report *r, const struct campaign_in *from)
{
	struct recall_campaign c = { .verdict = from->verdict };
	struct recall_campaign_info ci = { .flags = from->flags };
	struct recall_campaign_info *infos;
	int ret = -ENOMEM;

	if ((unsigned int)from->verdict >= _RECALL_VERDICT_MAX || !from->id || !*from->id ||
	    (from->n_facts && !from->facts) || from->n_facts > REPORT_MAX_FACTS)
		return -EINVAL;
	if (report_set_str(&c.id, from->id) < 0 || set_opt(&c.title, from->title) < 0 ||
	    set_opt(&c.text, from->text) < 0 || set_opt(&c.reason, from->reason) < 0 ||
	    set_opt(&c.remedy, from->remedy) < 0 || set_opt(&c.remedy_kind, from->remedy_kind) < 0 ||
	    set_opt(&c.recognition, from->recognition) < 0 ||
	    set_opt(&c.recognition_text, from->recognition_text) < 0 ||
	    set_opt(&c.hotline, from->hotline) < 0 || set_opt(&c.evidence, from->evidence) < 0 ||
	    set_opt(&ci.make, from->make) < 0 || set_opt(&ci.kba, from->kba) < 0 ||
	    set_opt(&ci.nhtsa, from->nhtsa) < 0 || set_opt(&ci.cost, from->cost) < 0 ||
	    set_opt(&ci.labour, from->labour) < 0 || set_opt(&ci.start, from->start) < 0 ||
	    set_opt(&ci.extends, from->extends) < 0 ||
	    set_opt(&ci.supersedes, from->supersedes) < 0 ||
	    set_opt(&ci.reason_code, from->reason_code) < 0)
		goto out;
	if (from->n_facts) {
		ci.facts = calloc(from->n_facts, sizeof(*ci.facts));
		if (!ci.facts)
			goto out;
		for (size_t i = 0; i < from->n_facts; i++, ci.n_facts++)
			if ((ret = report_fact_copy(&ci.facts[i], &from->facts[i])) < 0)
				goto out;
	}
	if (r->n_campaigns >= REPORT_MAX_CAMPAIGNS) {
		ret = -E2BIG;
		goto out;
	}
	/* the parallel array first: growing it changes nothing the report counts */
	ret = -ENOMEM;
	infos = realloc(r->campaign_info, (r->n_campaigns + 1) * sizeof(*infos));
	if (!infos)
		goto out;
	r->campaign_info = infos;
	ret = grow((void **)&r->campaigns, &r->n_campaigns, sizeof(*r->campaigns),
		   REPORT_MAX_CAMPAIGNS);
	if (ret < 0)
		goto out;
	r->campaigns[r->n_campaigns - 1] = c;
	r->campaign_info[r->n_campaigns - 1] = ci;
	return 0;
out:
	report_campaign_done(&c);
	info_done(&ci);
	return ret;
}

int report_add_error_fact(struct recall_report *r, const char *message,
			  const struct recall_fact *fact)
{
	struct recall_fact f = { 0 }, *facts;
	char *copy = strdup(message);
	int ret = -ENOMEM;

	if (!copy)
		return -ENOMEM;
	if (fact && (ret = report_fact_copy(&f, fact)) < 0)
		goto fail;
	if (r->n_errors >= REPORT_MAX_ERRORS) {
		ret = -E2BIG;
		goto fail;
	}
	ret = -ENOMEM;
	facts = realloc(r->error_facts, (r->n_errors + 1) * sizeof(*facts));
	if (!facts)
		goto fail;
	r->error_facts = facts;
	ret = grow((void **)&r->errors, &r->n_errors, sizeof(*r->errors), REPORT_MAX_ERRORS);
	if (ret < 0)
		goto fail;
	r->errors[r->n_errors - 1] = copy;
	r->error_facts[r->n_errors - 1] = f;
	return 0;
fail:
	free(copy);
	report_fact_done(&f);
	return ret;
}

int report_add_error(struct recall_report *r, const char *message)
{
	return report_add_error_fact(r, message, NULL);
}

int report_set_error_fact(struct recall_report *r, const char *message,
			  const struct recall_fact *fact)
{
	struct recall_fact *f = NULL;
	int ret;

	if (fact) {
		f = calloc(1, sizeof(*f));
		if (!f)
			return -ENOMEM;
		if ((ret = report_fact_copy(f, fact)) < 0) {
			free(f);
			return ret;
		}
	}
	if ((ret = report_set_str(&r->error, message)) < 0) {
		report_fact_done(f);
		free(f);
		return ret;
	}
	report_fact_done(r->error_fact);
	free(r->error_fact);
	r->error_fact = f;
	return 0;
}

static void db_info_free(struct recall_database_info *d)
{
	if (!d)
		return;
	free(d->path);
	free(d->written_by);
	free(d->checksum);
	free(d->signer_key_id);
	free(d->signer_name);
	free(d->signer_state);
	free(d);
}

int report_set_db(struct recall_report *r, const struct recall_database_info *from)
{
	struct recall_database_info *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->campaigns = from->campaigns;
	d->listed_vins = from->listed_vins;
	if (set_opt(&d->path, from->path) < 0 || set_opt(&d->written_by, from->written_by) < 0 ||
	    set_opt(&d->checksum, from->checksum) < 0 ||
	    set_opt(&d->signer_key_id, from->signer_key_id) < 0 ||
	    set_opt(&d->signer_name, from->signer_name) < 0 ||
	    set_opt(&d->signer_state, from->signer_state) < 0) {
		db_info_free(d);
		return -ENOMEM;
	}
	db_info_free(r->db);
	r->db = d;
	return 0;
}

static void visit_free(struct recall_visit *v)
{
	if (!v)
		return;
	free(v->iface);
	free(v->bay_name);
	free(v->order);
	free(v);
}

int report_set_previous(struct recall_report *r, const struct recall_visit *from)
{
	struct recall_visit *v = NULL;

	if (from) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		*v = (struct recall_visit){ .finished_ms = from->finished_ms, .status = from->status,
					    .id = from->id };
		memcpy(v->counts, from->counts, sizeof(v->counts));
		if (set_opt(&v->iface, from->iface) < 0 || set_opt(&v->bay_name, from->bay_name) < 0 ||
		    set_opt(&v->order, from->order) < 0) {
			visit_free(v);
			return -ENOMEM;
		}
	}
	visit_free(r->previous);
	r->previous = v;
	return 0;
}

RECALL_API struct recall_report *recall_report_free(struct recall_report *r)
{
	size_t i, j;

	if (!r)
		return NULL;
	for (i = 0; i < r->n_ecus; i++) {
		for (j = 0; j < r->ecus[i].n_dids; j++)
			free(r->ecus[i].dids[j].data);
		free(r->ecus[i].dids);
		free(r->ecus[i].name);
	}
	free(r->ecus);
	for (i = 0; i < r->n_campaigns; i++) {
		report_campaign_done(&r->campaigns[i]);
		if (r->campaign_info)
			info_done(&r->campaign_info[i]);
	}
	free(r->campaigns);
	free(r->campaign_info);
	for (i = 0; i < r->n_errors; i++) {
		free(r->errors[i]);
		if (r->error_facts)
			report_fact_done(&r->error_facts[i]);
	}
	free(r->errors);
	free(r->error_facts);
	report_fact_done(r->error_fact);
	free(r->error_fact);
	free(r->iface);
	free(r->vin);
	free(r->addressing);
	free(r->error);
	free(r->database);
	free(r->bay_name);
	free(r->order);
	free(r->plate);
	free(r->build_date);
	db_info_free(r->db);
	visit_free(r->previous);
	free(r->history_error);
	free(r->history_error_code);
	report_bus_free(r->bus);
	free(r);
	return NULL;
}

void report_count(const struct recall_report *r, unsigned int counts[_RECALL_VERDICT_MAX])
{
	size_t i;

	memset(counts, 0, sizeof(unsigned int) * _RECALL_VERDICT_MAX);
	for (i = 0; i < r->n_campaigns; i++)
		if ((unsigned int)r->campaigns[i].verdict < _RECALL_VERDICT_MAX)
			counts[r->campaigns[i].verdict]++;
	counts[RECALL_VERDICT_NOT_AFFECTED] += (unsigned int)r->n_omitted;
}

int report_exit_status(const struct recall_report *r)
{
	if (r->status != RECALL_STATUS_COMPLETE)
		return CLI_EXIT_INCOMPLETE;
	for (size_t i = 0; i < r->n_campaigns; i++)
		if (report_needs_action(r->campaigns[i].verdict))
			return CLI_EXIT_FINDING;
	return CLI_EXIT_NOTHING;
}

bool report_printable(const uint8_t *d, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (d[i] < 0x20 || d[i] > 0x7e)
			return false;
	return true;
}

void report_hex(char *out, const uint8_t *d, size_t len)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * len] = 0;
}

void report_iso_time(char *out, size_t size, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "?");
}


int report_summary_line(const struct recall_report *r, char **ret_line)
{
	unsigned int c[_RECALL_VERDICT_MAX];
	char *s;

	if ((unsigned int)r->status >= _RECALL_STATUS_MAX)
		return -EINVAL;
	report_count(r, c);
	if (asprintf(&s, "%s: VIN %s: %s%s%s%s: %u open, %u inspect, %u undetermined, %u remedied",
		     r->iface ? r->iface : "-", r->vin ? r->vin : "unknown",
		     report_status_names[r->status], r->error ? " (" : "", r->error ? r->error : "",
		     r->error ? ")" : "", c[RECALL_VERDICT_OPEN], c[RECALL_VERDICT_INSPECT],
		     c[RECALL_VERDICT_UNDETERMINED], c[RECALL_VERDICT_REMEDIED]) < 0)
		return -ENOMEM;
	*ret_line = s;
	return 0;
}

/* ---- a growable string, for the text and HTML forms --------------------------------------- */

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 512;
		while (cap <= b->len + (size_t)n)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
}

void sb_indented(struct sbuf *b, const char *indent, const char *text)
{
	const char *p = text, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl) {
			sb_printf(b, "%s%s\n", indent, p);
			break;
		}
		sb_printf(b, "%s%.*s\n", indent, (int)(nl - p), p);
		p = nl + 1;
	}
}

/* One code point of UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF): its
 * length, 0 when s does not start with one. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 :
		   (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	uint32_t c = n == 1 ? s[0] : n == 2 ? s[0] & 0x1Fu : n == 3 ? s[0] & 0x0Fu : s[0] & 0x07u;

	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3Fu);
	}
	if (!n || (n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

int report_clean_display(char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	struct sbuf b = { 0 };

	/* the common case: nothing to replace, nothing copied */
	for (;;) {
		uint32_t cp = 0;
		size_t n = *p ? utf8_next(p, &cp) : 0;

		if (!*p)
			return 0;
		if (!n || (cp < 0x20 && cp != '\n') || (cp >= 0x7F && cp <= 0x9F))
			break;
		p += n;
	}
	p = (const unsigned char *)*s;
	while (*p) {
		uint32_t cp = 0;
		size_t n = utf8_next(p, &cp);

		if (n && cp == '\t')
			sb_printf(&b, " ");
		else if (!n || (cp < 0x20 && cp != '\n') || (cp >= 0x7F && cp <= 0x9F))
			sb_printf(&b, "\xEF\xBF\xBD");	/* U+FFFD REPLACEMENT CHARACTER */
		else
			sb_printf(&b, "%.*s", (int)n, (const char *)p);
		p += n ? n : 1;
	}
	if (b.oom) {
		free(b.s);
		return -ENOMEM;
	}
	free(*s);
	*s = b.s ? b.s : strdup("");
	return *s ? 0 : -ENOMEM;
}
