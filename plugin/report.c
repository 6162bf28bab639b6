/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Check reports: the struct of recall.h, its JSON form (the daemon's files, the control socket,
 * librecall), the German technician text, and the atomic report files.
 *
 * The JSON form is parsed back too (a check child hands its report to the daemon as JSON, and
 * recallctl renders the text from the daemon's JSON), so recall_report_from_json treats its input
 * as untrusted: size-bounded, every type checked, unknown keys ignored so newer writers work.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "plugin/recall-internal.h"

#define REPORT_JSON_MAX (4u << 20)	/* far above any real car; bounds the parser */
#define REPORT_MAX_ECUS 256
#define REPORT_MAX_DIDS 256
#define REPORT_MAX_CAMPAIGNS (1u << 20)	/* a whole database; JSON size bounds parsing */
#define REPORT_MAX_DID_LEN 4096
#define REPORT_MAX_ERRORS 256

static const char *const verdict_names[_RECALL_VERDICT_MAX] = {
	[RECALL_VERDICT_OPEN] = "open",
	[RECALL_VERDICT_INSPECT] = "inspect",
	[RECALL_VERDICT_REMEDIED] = "remedied",
	[RECALL_VERDICT_NOT_AFFECTED] = "not_affected",
	[RECALL_VERDICT_UNDETERMINED] = "undetermined",
};

/* The technician reads German; the English word stays beside it so it matches the JSON. */
static const char *const verdict_de[_RECALL_VERDICT_MAX] = {
	[RECALL_VERDICT_OPEN] = "OFFEN",
	[RECALL_VERDICT_REMEDIED] = "ERLEDIGT",
	[RECALL_VERDICT_INSPECT] = "PRÜFEN",
	[RECALL_VERDICT_UNDETERMINED] = "UNKLAR",
	[RECALL_VERDICT_NOT_AFFECTED] = "NICHT BETROFFEN",
};

static const char *const status_names[_RECALL_STATUS_MAX] = {
	[RECALL_STATUS_COMPLETE] = "complete",
	[RECALL_STATUS_INTERRUPTED] = "interrupted",
	[RECALL_STATUS_FAILED] = "failed",
};

static const char *const status_de[_RECALL_STATUS_MAX] = {
	[RECALL_STATUS_COMPLETE] = "vollständig",
	[RECALL_STATUS_INTERRUPTED] = "ABGEBROCHEN",
	[RECALL_STATUS_FAILED] = "FEHLGESCHLAGEN",
};

RECALL_API const char *recall_verdict_name(enum recall_verdict v)
{
	return (unsigned int)v < _RECALL_VERDICT_MAX ? verdict_names[v] : NULL;
}

RECALL_API const char *recall_status_name(enum recall_status s)
{
	return (unsigned int)s < _RECALL_STATUS_MAX ? status_names[s] : NULL;
}

static int lookup(const char *const *names, unsigned int n, const char *s)
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

static void campaign_done(struct recall_campaign *c)
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
	campaign_done(&c);
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
		campaign_done(&r->campaigns[i]);
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
}

static bool printable(const uint8_t *d, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (d[i] < 0x20 || d[i] > 0x7e)
			return false;
	return true;
}

static void hex(char *out, const uint8_t *d, size_t len)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * len] = 0;
}

static void iso_time(char *out, size_t size, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "?");
}

/* json-c reports allocation failure as NULL; collect it in one flag instead of 40 branches. */
static struct json_object *jstr(const char *s, bool *oom)
{
	struct json_object *o;

	if (!s)
		return NULL;
	o = json_object_new_string(s);
	if (!o)
		*oom = true;
	return o;
}

static void jadd(struct json_object *obj, const char *key, struct json_object *val, bool *oom)
{
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		*oom = true;
	}
}

int report_to_json_object(const struct recall_report *r, struct json_object **ret_obj)
{
	struct json_object *o, *ecus, *camps, *sum, *errs;
	unsigned int counts[_RECALL_VERDICT_MAX];
	char buf[64];
	bool oom = false;
	size_t i, j;

	if (!r || (unsigned int)r->status >= _RECALL_STATUS_MAX)
		return -EINVAL;
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	jadd(o, "iface", jstr(r->iface, &oom), &oom);
	jadd(o, "vin", jstr(r->vin, &oom), &oom);
	jadd(o, "addressing", jstr(r->addressing, &oom), &oom);
	jadd(o, "status", jstr(status_names[r->status], &oom), &oom);
	jadd(o, "error", jstr(r->error, &oom), &oom);
	iso_time(buf, sizeof(buf), r->started_ms);
	jadd(o, "started", jstr(buf, &oom), &oom);
	jadd(o, "started_ms", json_object_new_int64(r->started_ms), &oom);
	jadd(o, "finished_ms", json_object_new_int64(r->finished_ms), &oom);
	jadd(o, "duration_ms", json_object_new_int64(r->finished_ms - r->started_ms), &oom);
	jadd(o, "database", jstr(r->database, &oom), &oom);

	ecus = json_object_new_array();
	if (!ecus)
		oom = true;
	for (i = 0; ecus && i < r->n_ecus; i++) {
		const struct recall_ecu *e = &r->ecus[i];
		struct json_object *eo = json_object_new_object(), *dids = json_object_new_array();

		if (!eo || !dids) {
			json_object_put(eo);
			json_object_put(dids);
			oom = true;
			break;
		}
		snprintf(buf, sizeof(buf), "0x%02X", e->addr);
		jadd(eo, "addr", jstr(buf, &oom), &oom);
		jadd(eo, "name", jstr(e->name, &oom), &oom);
		for (j = 0; j < e->n_dids; j++) {
			const struct recall_did *d = &e->dids[j];
			struct json_object *dobj = json_object_new_object();
			char *h = malloc(2 * d->len + 1);

			if (!dobj || !h) {
				json_object_put(dobj);
				free(h);
				oom = true;
				break;
			}
			snprintf(buf, sizeof(buf), "%04X", d->did);
			jadd(dobj, "did", jstr(buf, &oom), &oom);
			hex(h, d->data, d->len);
			jadd(dobj, "hex", jstr(h, &oom), &oom);
			free(h);
			if (printable(d->data, d->len))
				jadd(dobj, "text", jstr((const char *)d->data, &oom), &oom);
			if (json_object_array_add(dids, dobj) < 0) {
				json_object_put(dobj);
				oom = true;
			}
		}
		jadd(eo, "dids", dids, &oom);
		if (json_object_array_add(ecus, eo) < 0) {
			json_object_put(eo);
			oom = true;
		}
	}
	jadd(o, "ecus", ecus, &oom);

	camps = json_object_new_array();
	if (!camps)
		oom = true;
	for (i = 0; camps && i < r->n_campaigns; i++) {
		const struct recall_campaign *c = &r->campaigns[i];
		struct json_object *co = json_object_new_object();
		const char *v = recall_verdict_name(c->verdict);

		if (!co || !v) {
			json_object_put(co);
			oom = oom || !co;
			continue;
		}
		jadd(co, "id", jstr(c->id, &oom), &oom);
		jadd(co, "title", jstr(c->title, &oom), &oom);
		jadd(co, "text", jstr(c->text, &oom), &oom);
		jadd(co, "verdict", jstr(v, &oom), &oom);
		jadd(co, "reason", jstr(c->reason, &oom), &oom);
		jadd(co, "remedy", jstr(c->remedy, &oom), &oom);
		jadd(co, "remedy_kind", jstr(c->remedy_kind, &oom), &oom);
		jadd(co, "recognition", jstr(c->recognition, &oom), &oom);
		jadd(co, "recognition_text", jstr(c->recognition_text, &oom), &oom);
		jadd(co, "hotline", jstr(c->hotline, &oom), &oom);
		jadd(co, "evidence", jstr(c->evidence, &oom), &oom);
		if (json_object_array_add(camps, co) < 0) {
			json_object_put(co);
			oom = true;
		}
	}
	jadd(o, "campaigns", camps, &oom);

	errs = json_object_new_array();
	if (!errs)
		oom = true;
	for (i = 0; errs && i < r->n_errors; i++) {
		struct json_object *e = jstr(r->errors[i], &oom);

		if (e && json_object_array_add(errs, e) < 0) {
			json_object_put(e);
			oom = true;
		}
	}
	jadd(o, "errors", errs, &oom);

	report_count(r, counts);
	sum = json_object_new_object();
	if (!sum)
		oom = true;
	for (i = 0; sum && i < _RECALL_VERDICT_MAX; i++)
		jadd(sum, verdict_names[i], json_object_new_int((int)counts[i]), &oom);
	jadd(o, "summary", sum, &oom);

	if (oom) {
		json_object_put(o);
		return -ENOMEM;
	}
	*ret_obj = o;
	return 0;
}

RECALL_API int recall_report_to_json(const struct recall_report *r, char **ret_json)
{
	struct json_object *o;
	char *s;
	int ret;

	if (!ret_json)
		return -EINVAL;
	ret = report_to_json_object(r, &o);
	if (ret < 0)
		return ret;
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (!s)
		return -ENOMEM;
	*ret_json = s;
	return 0;
}

/* ---- parsing the JSON form ---------------------------------------------------------------- */

/* Optional string member: absent or null leaves the field NULL, anything else must be a string. */
static int get_str(struct json_object *o, const char *key, char **field)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -EBADMSG;
	return report_set_str(field, json_object_get_string(v));
}

static int get_int64(struct json_object *o, const char *key, int64_t *ret)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -EBADMSG;
	*ret = json_object_get_int64(v);
	return 0;
}

static int unhex(const char *s, uint8_t *out, size_t *ret_len)
{
	size_t n = strlen(s), i;

	if (n % 2 || n / 2 > REPORT_MAX_DID_LEN)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		int c = s[i], v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			return -EBADMSG;
		if (i % 2)
			out[i / 2] |= (uint8_t)v;
		else
			out[i / 2] = (uint8_t)(v << 4);
	}
	*ret_len = n / 2;
	return 0;
}

static int parse_hex_number(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || end == s || *end || v > max || *s == '-' || *s == '+' || *s == ' ')
		return -EBADMSG;
	*ret = v;
	return 0;
}

static int parse_ecu(struct recall_report *r, struct json_object *eo)
{
	struct json_object *v, *dids;
	struct recall_ecu *e;
	char *name = NULL;
	unsigned long addr;
	size_t i, n;
	int ret;

	if (!json_object_is_type(eo, json_type_object) ||
	    !json_object_object_get_ex(eo, "addr", &v) || !json_object_is_type(v, json_type_string))
		return -EBADMSG;
	ret = parse_hex_number(json_object_get_string(v), UINT32_MAX, &addr);
	if (ret < 0)
		return ret;
	ret = get_str(eo, "name", &name);
	if (ret < 0)
		return ret;
	ret = report_add_ecu(r, (uint32_t)addr, name, &e);
	free(name);
	if (ret < 0)
		return ret;
	if (!json_object_object_get_ex(eo, "dids", &dids))
		return 0;
	if (!json_object_is_type(dids, json_type_array))
		return -EBADMSG;
	n = json_object_array_length(dids);
	for (i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(dids, i), *dv, *hv;
		uint8_t buf[REPORT_MAX_DID_LEN];
		unsigned long did;
		size_t len;

		if (!json_object_is_type(d, json_type_object) ||
		    !json_object_object_get_ex(d, "did", &dv) ||
		    !json_object_is_type(dv, json_type_string) ||
		    !json_object_object_get_ex(d, "hex", &hv) ||
		    !json_object_is_type(hv, json_type_string))
			return -EBADMSG;
		ret = parse_hex_number(json_object_get_string(dv), UINT16_MAX, &did);
		if (ret < 0)
			return ret;
		ret = unhex(json_object_get_string(hv), buf, &len);
		if (ret < 0)
			return ret;
		ret = report_add_did(e, (uint16_t)did, buf, len);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int parse_campaign(struct recall_report *r, struct json_object *co)
{
	static const char *const keys[] = { "id", "title", "text", "reason", "remedy",
					    "remedy_kind", "recognition", "recognition_text",
					    "hotline", "evidence" };
	struct recall_campaign c = { 0 };
	char **fields[] = { &c.id, &c.title, &c.text, &c.reason, &c.remedy, &c.remedy_kind,
			    &c.recognition, &c.recognition_text, &c.hotline, &c.evidence };
	struct json_object *v;
	int ret = 0, verdict;
	size_t i;

	if (!json_object_is_type(co, json_type_object) ||
	    !json_object_object_get_ex(co, "verdict", &v) || !json_object_is_type(v, json_type_string))
		return -EBADMSG;
	verdict = lookup(verdict_names, _RECALL_VERDICT_MAX, json_object_get_string(v));
	if (verdict < 0)
		return -EBADMSG;
	c.verdict = (enum recall_verdict)verdict;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && ret >= 0; i++)
		ret = get_str(co, keys[i], fields[i]);
	if (ret >= 0 && !c.id)
		ret = -EBADMSG;
	if (ret >= 0) {
		struct campaign_in in = {
			.id = c.id, .title = c.title, .text = c.text, .verdict = c.verdict,
			.reason = c.reason, .remedy = c.remedy, .remedy_kind = c.remedy_kind,
			.recognition = c.recognition, .recognition_text = c.recognition_text,
			.hotline = c.hotline, .evidence = c.evidence,
		};

		ret = report_add_campaign(r, &in);
	}
	campaign_done(&c);
	return ret;
}

int report_from_json_object(struct json_object *o, struct recall_report **ret_report)
{
	struct recall_report *r;
	struct json_object *v;
	size_t i, n;
	int ret, st;

	if (!json_object_is_type(o, json_type_object))
		return -EBADMSG;
	if (!json_object_object_get_ex(o, "status", &v) || !json_object_is_type(v, json_type_string))
		return -EBADMSG;
	st = lookup(status_names, _RECALL_STATUS_MAX, json_object_get_string(v));
	if (st < 0)
		return -EBADMSG;
	r = report_new();
	if (!r)
		return -ENOMEM;
	r->status = (enum recall_status)st;
	if ((ret = get_str(o, "iface", &r->iface)) < 0 || (ret = get_str(o, "vin", &r->vin)) < 0 ||
	    (ret = get_str(o, "addressing", &r->addressing)) < 0 ||
	    (ret = get_str(o, "error", &r->error)) < 0 ||
	    (ret = get_str(o, "database", &r->database)) < 0 ||
	    (ret = get_int64(o, "started_ms", &r->started_ms)) < 0 ||
	    (ret = get_int64(o, "finished_ms", &r->finished_ms)) < 0)
		goto out;
	if (json_object_object_get_ex(o, "ecus", &v)) {
		ret = -EBADMSG;
		if (!json_object_is_type(v, json_type_array))
			goto out;
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if ((ret = parse_ecu(r, json_object_array_get_idx(v, i))) < 0)
				goto out;
	}
	if (json_object_object_get_ex(o, "campaigns", &v)) {
		ret = -EBADMSG;
		if (!json_object_is_type(v, json_type_array))
			goto out;
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if ((ret = parse_campaign(r, json_object_array_get_idx(v, i))) < 0)
				goto out;
	}
	if (json_object_object_get_ex(o, "errors", &v)) {
		ret = -EBADMSG;
		if (!json_object_is_type(v, json_type_array))
			goto out;
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(v, i);

			ret = -EBADMSG;
			if (!json_object_is_type(e, json_type_string) ||
			    (ret = report_add_error(r, json_object_get_string(e))) < 0)
				goto out;
		}
	}
	*ret_report = r;
	return 0;
out:
	recall_report_free(r);
	return ret;
}

int report_parse_json(const char *json, size_t len, struct recall_report **ret_report)
{
	struct json_tokener *tok;
	struct json_object *o;
	int ret;

	if (!json || !ret_report)
		return -EINVAL;
	if (len > INT_MAX)
		return -E2BIG;
	/* Depth 16 is plenty for a report and stops a nesting bomb early. */
	tok = json_tokener_new_ex(16);
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, json, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset < (int)len) {
		json_object_put(o);
		json_tokener_free(tok);
		return -EBADMSG;
	}
	json_tokener_free(tok);
	ret = report_from_json_object(o, ret_report);
	json_object_put(o);
	return ret;
}

RECALL_API int recall_report_from_json(const char *json, size_t len,
				       struct recall_report **ret_report)
{
	if (!json || !ret_report)
		return -EINVAL;
	if (len > REPORT_JSON_MAX)
		return -E2BIG;
	return report_parse_json(json, len, ret_report);
}

/* ---- text ----------------------------------------------------------------------------------- */

/* A growable string; the first failure sticks, so callers check once at the end. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static __attribute__((format(printf, 2, 3))) void sb_printf(struct sbuf *b, const char *fmt, ...)
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

/* Indent every line of a multi-line text so it stays under its campaign. */
static void sb_indented(struct sbuf *b, const char *indent, const char *text)
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

RECALL_API int recall_report_to_text(const struct recall_report *r, char **ret_text)
{
	static const enum recall_verdict order[] = {
		RECALL_VERDICT_OPEN, RECALL_VERDICT_INSPECT, RECALL_VERDICT_UNDETERMINED,
		RECALL_VERDICT_REMEDIED, RECALL_VERDICT_NOT_AFFECTED,
	};
	unsigned int counts[_RECALL_VERDICT_MAX];
	struct sbuf b = { 0 };
	char when[64];
	size_t i, j, k;

	if (!r || !ret_text || (unsigned int)r->status >= _RECALL_STATUS_MAX)
		return -EINVAL;
	iso_time(when, sizeof(when), r->started_ms);
	sb_printf(&b, "Rückrufprüfung%s%s\n", r->iface ? " an " : "", r->iface ? r->iface : "");
	sb_printf(&b, "==============================================================\n");
	sb_printf(&b, "Fahrzeug (FIN):  %s\n", r->vin ? r->vin : "nicht gelesen");
	sb_printf(&b, "Prüfung:         %s (%s)\n", status_de[r->status], status_names[r->status]);
	if (!r->iface)
		sb_printf(&b, "Daten:           eingegeben, nicht vom Fahrzeug gelesen\n");
	if (r->error)
		sb_printf(&b, "Grund:           %s\n", r->error);
	sb_printf(&b, "Zeitpunkt:       %s, Dauer %lld ms\n", when,
		  (long long)(r->finished_ms - r->started_ms));
	if (r->addressing)
		sb_printf(&b, "Adressierung:    %s\n", r->addressing);
	if (r->database)
		sb_printf(&b, "Datenbank:       %s\n", r->database);

	report_count(r, counts);
	sb_printf(&b, "\nErgebnis: %u offen, %u prüfen, %u unklar, %u erledigt\n",
		  counts[RECALL_VERDICT_OPEN], counts[RECALL_VERDICT_INSPECT],
		  counts[RECALL_VERDICT_UNDETERMINED], counts[RECALL_VERDICT_REMEDIED]);

	if (r->n_campaigns)
		sb_printf(&b, "\nRückrufaktionen\n---------------\n");
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (i = 0; i < r->n_campaigns; i++) {
			const struct recall_campaign *c = &r->campaigns[i];

			if (c->verdict != order[k])
				continue;
			sb_printf(&b, "[%s] (%s) %s%s%s\n", verdict_de[c->verdict],
				  verdict_names[c->verdict], c->id, c->title ? " – " : "",
				  c->title ? c->title : "");
			if (c->reason)
				sb_printf(&b, "    Begründung: %s\n", c->reason);
			if (c->evidence)
				sb_printf(&b, "    Nachweis: %s\n", c->evidence);
			if (c->verdict == RECALL_VERDICT_NOT_AFFECTED)
				continue;
			if (c->text) {
				sb_printf(&b, "    Mangel:\n");
				sb_indented(&b, "      ", c->text);
			}
			if (c->remedy) {
				sb_printf(&b, "    Abhilfe%s%s%s:\n", c->remedy_kind ? " (" : "",
					  c->remedy_kind ? c->remedy_kind : "",
					  c->remedy_kind ? ")" : "");
				sb_indented(&b, "      ", c->remedy);
			}
			if (c->recognition_text)
				sb_printf(&b, "    Erkennung: %s\n", c->recognition_text);
			if (c->hotline)
				sb_printf(&b, "    Hotline: %s\n", c->hotline);
			sb_printf(&b, "\n");
		}
	}

	if (r->n_errors)
		sb_printf(&b, "\nNicht gelesen\n-------------\n");
	for (i = 0; i < r->n_errors; i++)
		sb_printf(&b, "  %s\n", r->errors[i]);

	if (r->n_ecus)
		sb_printf(&b, "\nSteuergeräte\n------------\n");
	for (i = 0; i < r->n_ecus; i++) {
		const struct recall_ecu *e = &r->ecus[i];

		sb_printf(&b, "0x%02X%s%s\n", e->addr, e->name ? " " : "", e->name ? e->name : "");
		for (j = 0; j < e->n_dids; j++) {
			const struct recall_did *d = &e->dids[j];

			if (printable(d->data, d->len)) {
				sb_printf(&b, "    %04X = \"%s\"\n", d->did, (const char *)d->data);
			} else {
				char *h = malloc(2 * d->len + 1);

				if (!h) {
					b.oom = true;
					break;
				}
				hex(h, d->data, d->len);
				sb_printf(&b, "    %04X = %s (hex)\n", d->did, h);
				free(h);
			}
		}
	}
	if (!b.s)
		sb_printf(&b, "%s", "");
	if (b.oom) {
		free(b.s);
		return -ENOMEM;
	}
	*ret_text = b.s;
	return 0;
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
		     status_names[r->status], r->error ? " (" : "", r->error ? r->error : "",
		     r->error ? ")" : "", c[RECALL_VERDICT_OPEN], c[RECALL_VERDICT_INSPECT],
		     c[RECALL_VERDICT_UNDETERMINED], c[RECALL_VERDICT_REMEDIED]) < 0)
		return -ENOMEM;
	*ret_line = s;
	return 0;
}

/* ---- files ---------------------------------------------------------------------------------- */

int report_write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char *tmp = NULL, *dst = NULL;
	int fd = -1, dfd = -1, ret;
	size_t off = 0;

	if (strchr(name, '/') || name[0] == '.' || name[0] == 0)
		return -EINVAL;
	if (asprintf(&tmp, "%s/.%s.tmp", dir, name) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	if (asprintf(&dst, "%s/%s", dir, name) < 0) {
		dst = NULL;
		ret = -ENOMEM;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out_unlink;
		}
		off += (size_t)n;
	}
	/* A report is a workshop record: it must survive a power cut right after the check. */
	if (fsync(fd) < 0 || close(fd) < 0) {
		ret = -errno;
		fd = -1;
		goto out_unlink;
	}
	fd = -1;
	if (rename(tmp, dst) < 0) {
		ret = -errno;
		goto out_unlink;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	ret = 0;
	goto out;
out_unlink:
	(void)unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(dst);
	return ret;
}

int report_save(const struct recall_report *r, const char *dir, unsigned int seq,
		char **ret_base)
{
	char when[32], *base = NULL, *name = NULL, *json = NULL, *text = NULL;
	time_t t = (time_t)(r->started_ms / 1000);
	struct tm tm;
	int ret;

	if (!gmtime_r(&t, &tm) || strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return -EINVAL;
	if (asprintf(&base, "%s-%s-%u", r->iface ? r->iface : "vin", when, seq) < 0)
		return -ENOMEM;
	ret = recall_report_to_json(r, &json);
	if (ret < 0)
		goto out;
	ret = recall_report_to_text(r, &text);
	if (ret < 0)
		goto out;
	ret = -ENOMEM;
	if (asprintf(&name, "%s.txt", base) < 0) {
		name = NULL;
		goto out;
	}
	/* Text first: a JSON file present means the pair is complete. */
	ret = report_write_file(dir, name, text, strlen(text));
	if (ret < 0)
		goto out;
	free(name);
	ret = -ENOMEM;
	if (asprintf(&name, "%s.json", base) < 0) {
		name = NULL;
		goto out;
	}
	ret = report_write_file(dir, name, json, strlen(json));
	if (ret < 0)
		goto out;
	if (ret_base) {
		*ret_base = base;
		base = NULL;
	}
out:
	free(base);
	free(name);
	free(json);
	free(text);
	return ret;
}
