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

/* Empty strings are stored as NULL: "not given" has one spelling in the struct and the JSON. */
static int set_opt(char **field, const char *value)
{
	return report_set_str(field, value && *value ? value : NULL);
}

int report_add_campaign(struct recall_report *r, const struct campaign_in *from)
{
	struct recall_campaign c = { .verdict = from->verdict };
	int ret = -ENOMEM;

	if ((unsigned int)from->verdict >= _RECALL_VERDICT_MAX || !from->id || !*from->id)
		return -EINVAL;
	if (report_set_str(&c.id, from->id) < 0 || set_opt(&c.title, from->title) < 0 ||
	    set_opt(&c.text, from->text) < 0 || set_opt(&c.reason, from->reason) < 0 ||
	    set_opt(&c.remedy, from->remedy) < 0 || set_opt(&c.remedy_kind, from->remedy_kind) < 0 ||
	    set_opt(&c.recognition, from->recognition) < 0 ||
	    set_opt(&c.recognition_text, from->recognition_text) < 0 ||
	    set_opt(&c.hotline, from->hotline) < 0 || set_opt(&c.evidence, from->evidence) < 0)
		goto out;
	ret = grow((void **)&r->campaigns, &r->n_campaigns, sizeof(*r->campaigns),
		   REPORT_MAX_CAMPAIGNS);
	if (ret < 0)
		goto out;
	r->campaigns[r->n_campaigns - 1] = c;
	return 0;
out:
	report_campaign_done(&c);
	return ret;
}

int report_add_error(struct recall_report *r, const char *message)
{
	char *copy = strdup(message);
	int ret;

	if (!copy)
		return -ENOMEM;
	ret = grow((void **)&r->errors, &r->n_errors, sizeof(*r->errors), REPORT_MAX_ERRORS);
	if (ret < 0) {
		free(copy);
		return ret;
	}
	r->errors[r->n_errors - 1] = copy;
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
	for (i = 0; i < r->n_campaigns; i++)
		report_campaign_done(&r->campaigns[i]);
	free(r->campaigns);
	for (i = 0; i < r->n_errors; i++)
		free(r->errors[i]);
	free(r->errors);
	free(r->iface);
	free(r->vin);
	free(r->addressing);
	free(r->error);
	free(r->database);
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
