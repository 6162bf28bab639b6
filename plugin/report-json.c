/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report as JSON: the daemon's files, the control socket, librecall.
 *
 * The JSON form is parsed back too (a check child hands its report to the daemon as JSON, and
 * recallctl renders the text from the daemon's JSON), so recall_report_from_json treats its input
 * as untrusted: size-bounded, every type checked, unknown keys ignored so newer writers work.
 * Reports of every schema are read: schema 1 (no "schema_version", "database" a string) as well
 * as schema 2 ("database" an object, reasons and errors as data).  What is written is always
 * the current schema.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "plugin/report-internal.h"
#include "rules/vin.h"

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

static void jpush(struct json_object *arr, struct json_object *val, bool *oom)
{
	if (!val || json_object_array_add(arr, val) < 0) {
		json_object_put(val);
		*oom = true;
	}
}

static struct json_object *jobj(bool *oom)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		*oom = true;
	return o;
}

static struct json_object *jarr(bool *oom)
{
	struct json_object *o = json_object_new_array();

	if (!o)
		*oom = true;
	return o;
}

/* {"code": …, key: value, …}; numbers and booleans as what they are. */
static struct json_object *fact_json(const struct recall_fact *f, bool *oom)
{
	struct json_object *o;

	if (!f || !f->code)
		return NULL;
	o = jobj(oom);
	if (!o)
		return NULL;
	jadd(o, "code", jstr(f->code, oom), oom);
	for (size_t i = 0; i < f->n_params; i++) {
		const struct recall_param *p = &f->params[i];
		struct json_object *v;

		if (strcmp(p->key, "code") == 0)
			continue;
		switch (p->type) {
		case RECALL_PARAM_NUMBER:
			v = json_object_new_int64(strtoll(p->value, NULL, 10));
			break;
		case RECALL_PARAM_BOOL:
			v = json_object_new_boolean(strcmp(p->value, "true") == 0);
			break;
		default:
			v = json_object_new_string(p->value);
			break;
		}
		if (!v)
			*oom = true;
		jadd(o, p->key, v, oom);
	}
	return o;
}

static struct json_object *summary_json(const unsigned int counts[_RECALL_VERDICT_MAX], bool *oom)
{
	struct json_object *sum = jobj(oom);

	for (size_t i = 0; sum && i < _RECALL_VERDICT_MAX; i++)
		jadd(sum, report_verdict_names[i], json_object_new_int((int)counts[i]), oom);
	return sum;
}

/* Derived from the VIN (rules/vin.h) and what was read: what a station shows next to the VIN. */
static struct json_object *vehicle_json(const struct recall_report *r, bool *oom)
{
	struct json_object *o, *years;
	struct vin_info vi;

	if (!r->vin && !r->build_date)
		return NULL;
	o = jobj(oom);
	if (!o)
		return NULL;
	if (r->vin && vin_decode(r->vin, strlen(r->vin), &vi) == 0 && vi.valid) {
		jadd(o, "make", jstr(vi.manufacturer, oom), oom);
		years = jarr(oom);
		for (size_t i = 0; years && i < vi.n_model_years; i++)
			jpush(years, json_object_new_int(vi.model_years[i]), oom);
		jadd(o, "model_years", years, oom);
	} else {
		jadd(o, "make", NULL, oom);
		jadd(o, "model_years", jarr(oom), oom);
	}
	jadd(o, "build_date", jstr(r->build_date, oom), oom);
	return o;
}

static struct json_object *database_json(const struct recall_report *r, bool *oom)
{
	const struct recall_database_info *d = r->db;
	struct json_object *o, *s;

	if (!d && !r->database)
		return NULL;
	o = jobj(oom);
	if (!o)
		return NULL;
	jadd(o, "path", jstr(d ? d->path : NULL, oom), oom);
	jadd(o, "campaigns", d ? json_object_new_int64((int64_t)d->campaigns) : NULL, oom);
	jadd(o, "listed_vins", d ? json_object_new_int64((int64_t)d->listed_vins) : NULL, oom);
	jadd(o, "written_by", jstr(d ? d->written_by : NULL, oom), oom);
	jadd(o, "checksum", jstr(d ? d->checksum : NULL, oom), oom);
	if (d && d->signer_key_id) {
		s = jobj(oom);
		if (s) {
			jadd(s, "key_id", jstr(d->signer_key_id, oom), oom);
			jadd(s, "name", jstr(d->signer_name, oom), oom);
			jadd(s, "state", jstr(d->signer_state, oom), oom);
		}
		jadd(o, "signer", s, oom);
	} else {
		jadd(o, "signer", NULL, oom);
	}
	/* the one-line form older readers and logs show */
	jadd(o, "description", jstr(r->database, oom), oom);
	return o;
}

static struct json_object *history_json(const struct recall_report *r, bool *oom)
{
	static const char *const states[] = {
		[RECALL_HISTORY_NONE] = "none",
		[RECALL_HISTORY_RECORDED] = "recorded",
		[RECALL_HISTORY_MISSING] = "missing",
	};
	const struct recall_visit *v = r->previous;
	struct json_object *o, *p = NULL;
	char when[64];

	if (r->history == RECALL_HISTORY_NONE && !v)
		return NULL;
	o = jobj(oom);
	if (!o)
		return NULL;
	jadd(o, "state", jstr((unsigned int)r->history <= RECALL_HISTORY_MISSING ?
				      states[r->history] : "none", oom), oom);
	jadd(o, "id", r->history == RECALL_HISTORY_RECORDED ? json_object_new_int64(r->history_id)
							      : NULL, oom);
	jadd(o, "error", jstr(r->history_error, oom), oom);
	jadd(o, "error_code", jstr(r->history_error_code, oom), oom);
	if (v) {
		p = jobj(oom);
		if (p) {
			jadd(p, "id", json_object_new_int64(v->id), oom);
			report_iso_time(when, sizeof(when), v->finished_ms);
			jadd(p, "finished", jstr(when, oom), oom);
			jadd(p, "finished_ms", json_object_new_int64(v->finished_ms), oom);
			jadd(p, "iface", jstr(v->iface, oom), oom);
			jadd(p, "bay_name", jstr(v->bay_name, oom), oom);
			jadd(p, "status", jstr((unsigned int)v->status < _RECALL_STATUS_MAX ?
						       report_status_names[v->status] : NULL, oom),
			     oom);
			jadd(p, "order", jstr(v->order, oom), oom);
			jadd(p, "summary", summary_json(v->counts, oom), oom);
		}
	}
	jadd(o, "previous", p, oom);
	return o;
}

static void campaign_json(struct json_object *co, const struct recall_campaign *c,
			  const struct recall_campaign_info *ci, bool *oom)
{
	struct json_object *facts;

	jadd(co, "id", jstr(c->id, oom), oom);
	jadd(co, "title", jstr(c->title, oom), oom);
	jadd(co, "text", jstr(c->text, oom), oom);
	jadd(co, "verdict", jstr(report_verdict_names[c->verdict], oom), oom);
	jadd(co, "reason", jstr(c->reason, oom), oom);
	jadd(co, "remedy", jstr(c->remedy, oom), oom);
	jadd(co, "remedy_kind", jstr(c->remedy_kind, oom), oom);
	jadd(co, "recognition", jstr(c->recognition, oom), oom);
	jadd(co, "recognition_text", jstr(c->recognition_text, oom), oom);
	jadd(co, "hotline", jstr(c->hotline, oom), oom);
	jadd(co, "evidence", jstr(c->evidence, oom), oom);
	jadd(co, "make", jstr(ci ? ci->make : NULL, oom), oom);
	jadd(co, "kba", jstr(ci ? ci->kba : NULL, oom), oom);
	jadd(co, "nhtsa", jstr(ci ? ci->nhtsa : NULL, oom), oom);
	jadd(co, "cost", jstr(ci ? ci->cost : NULL, oom), oom);
	jadd(co, "labour", jstr(ci ? ci->labour : NULL, oom), oom);
	jadd(co, "start", jstr(ci ? ci->start : NULL, oom), oom);
	jadd(co, "extends", jstr(ci ? ci->extends : NULL, oom), oom);
	jadd(co, "supersedes", jstr(ci ? ci->supersedes : NULL, oom), oom);
	jadd(co, "do_not_drive",
	     json_object_new_boolean(ci && (ci->flags & RECALL_CAMPAIGN_DO_NOT_DRIVE)), oom);
	jadd(co, "park_outside",
	     json_object_new_boolean(ci && (ci->flags & RECALL_CAMPAIGN_PARK_OUTSIDE)), oom);
	jadd(co, "reason_code", jstr(ci ? ci->reason_code : NULL, oom), oom);
	facts = jarr(oom);
	for (size_t k = 0; facts && ci && k < ci->n_facts; k++)
		jpush(facts, fact_json(&ci->facts[k], oom), oom);
	jadd(co, "reason_facts", facts, oom);
}

static struct json_object *ecus_json(const struct recall_report *r, bool *oom)
{
	struct json_object *ecus = jarr(oom);
	char buf[REPORT_ECU_MAX];

	for (size_t i = 0; ecus && i < r->n_ecus; i++) {
		const struct recall_ecu *e = &r->ecus[i];
		struct json_object *eo = jobj(oom), *dids = jarr(oom);

		if (!eo || !dids) {
			json_object_put(eo);
			json_object_put(dids);
			break;
		}
		jadd(eo, "addr", jstr(report_ecu_format(e->addr, buf), oom), oom);
		jadd(eo, "name", jstr(e->name, oom), oom);
		for (size_t j = 0; j < e->n_dids; j++) {
			const struct recall_did *d = &e->dids[j];
			struct json_object *dobj = jobj(oom);
			char *h = malloc(2 * d->len + 1), num[8];

			if (!dobj || !h) {
				json_object_put(dobj);
				free(h);
				*oom = true;
				break;
			}
			snprintf(num, sizeof(num), "%04X", d->did);
			jadd(dobj, "did", jstr(num, oom), oom);
			report_hex(h, d->data, d->len);
			jadd(dobj, "hex", jstr(h, oom), oom);
			free(h);
			if (report_printable(d->data, d->len))
				jadd(dobj, "text", jstr((const char *)d->data, oom), oom);
			jpush(dids, dobj, oom);
		}
		jadd(eo, "dids", dids, oom);
		jpush(ecus, eo, oom);
	}
	return ecus;
}

int report_to_json_object(const struct recall_report *r, struct json_object **ret_obj)
{
	struct json_object *o, *camps, *errs, *efacts;
	unsigned int counts[_RECALL_VERDICT_MAX];
	char buf[64];
	bool oom = false;

	if (!r || (unsigned int)r->status >= _RECALL_STATUS_MAX)
		return -EINVAL;
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	jadd(o, "schema_version", json_object_new_int(RECALL_REPORT_SCHEMA), &oom);
	jadd(o, "iface", jstr(r->iface, &oom), &oom);
	jadd(o, "bay_name", jstr(r->bay_name, &oom), &oom);
	jadd(o, "order", jstr(r->order, &oom), &oom);
	jadd(o, "plate", jstr(r->plate, &oom), &oom);
	jadd(o, "vin", jstr(r->vin, &oom), &oom);
	jadd(o, "vehicle", vehicle_json(r, &oom), &oom);
	jadd(o, "addressing", jstr(r->addressing, &oom), &oom);
	jadd(o, "status", jstr(report_status_names[r->status], &oom), &oom);
	jadd(o, "error", jstr(r->error, &oom), &oom);
	jadd(o, "error_code", jstr(r->error_fact ? r->error_fact->code : NULL, &oom), &oom);
	jadd(o, "error_fact", fact_json(r->error_fact, &oom), &oom);
	report_iso_time(buf, sizeof(buf), r->started_ms);
	jadd(o, "started", jstr(buf, &oom), &oom);
	jadd(o, "started_ms", json_object_new_int64(r->started_ms), &oom);
	jadd(o, "finished_ms", json_object_new_int64(r->finished_ms), &oom);
	jadd(o, "duration_ms", json_object_new_int64(r->finished_ms - r->started_ms), &oom);
	jadd(o, "database", database_json(r, &oom), &oom);
	jadd(o, "history", history_json(r, &oom), &oom);
	jadd(o, "ecus", ecus_json(r, &oom), &oom);

	camps = jarr(&oom);
	for (size_t i = 0; camps && i < r->n_campaigns; i++) {
		const struct recall_campaign *c = &r->campaigns[i];
		struct json_object *co;

		if ((unsigned int)c->verdict >= _RECALL_VERDICT_MAX)
			continue;
		co = jobj(&oom);
		if (!co)
			break;
		campaign_json(co, c, r->campaign_info ? &r->campaign_info[i] : NULL, &oom);
		jpush(camps, co, &oom);
	}
	jadd(o, "campaigns", camps, &oom);

	errs = jarr(&oom);
	efacts = jarr(&oom);
	for (size_t i = 0; errs && efacts && i < r->n_errors; i++) {
		struct json_object *f = r->error_facts ? fact_json(&r->error_facts[i], &oom) : NULL;

		jpush(errs, jstr(r->errors[i], &oom), &oom);
		if (json_object_array_add(efacts, f) < 0) {
			json_object_put(f);
			oom = true;
		}
	}
	jadd(o, "errors", errs, &oom);
	jadd(o, "error_facts", efacts, &oom);
	{
		struct json_object *bus = NULL;

		if (report_bus_to_json(r->bus, &bus) < 0)
			oom = true;
		else
			json_object_object_add(o, "bus", bus);	/* null: the bus looked fine */
	}

	report_count(r, counts);
	jadd(o, "summary", summary_json(counts, &oom), &oom);
	jadd(o, "not_affected_omitted", json_object_new_int64((int64_t)r->n_omitted), &oom);

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

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -EBADMSG;
	*ret = json_object_get_int64(v);
	return 0;
}

static int get_uint64(struct json_object *o, const char *key, uint64_t *ret)
{
	int64_t v = 0;
	int r = get_int64(o, key, &v);

	if (r < 0 || v < 0)
		return -EBADMSG;
	*ret = (uint64_t)v;
	return 0;
}

static int get_bool(struct json_object *o, const char *key, bool *ret)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return -EBADMSG;
	*ret = json_object_get_boolean(v);
	return 0;
}

/* Present and an array, or absent/null (*ret NULL); anything else is malformed. */
static int get_array(struct json_object *o, const char *key, struct json_object **ret)
{
	struct json_object *v;

	*ret = NULL;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return -EBADMSG;
	*ret = v;
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

/* A fact object: "code" and scalar parameters.  A member that is an object or an array belongs
 * to a newer writer and is skipped; more parameters than a fact holds are malformed. */
static int parse_fact(struct json_object *o, struct recall_fact *ret)
{
	struct recall_fact f = { 0 };
	struct json_object *v;
	int r = -EBADMSG;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "code", &v) || !json_object_is_type(v, json_type_string) ||
	    !*json_object_get_string(v))
		return -EBADMSG;
	if ((r = report_fact_init(&f, json_object_get_string(v))) < 0)
		return r;
	json_object_object_foreach(o, key, val)
	{
		char num[24];

		if (strcmp(key, "code") == 0 || !val)
			continue;
		switch (json_object_get_type(val)) {
		case json_type_string:
			r = report_fact_add(&f, key, RECALL_PARAM_STRING, json_object_get_string(val));
			break;
		case json_type_int:
			snprintf(num, sizeof(num), "%lld", (long long)json_object_get_int64(val));
			r = report_fact_add(&f, key, RECALL_PARAM_NUMBER, num);
			break;
		case json_type_boolean:
			r = report_fact_add(&f, key, RECALL_PARAM_BOOL,
					    json_object_get_boolean(val) ? "true" : "false");
			break;
		default:
			r = 0;
			break;
		}
		if (r < 0) {
			report_fact_done(&f);
			return r == -E2BIG ? -EBADMSG : r;
		}
	}
	*ret = f;
	return 0;
}

static int parse_ecu(struct recall_report *r, struct json_object *eo)
{
	struct json_object *v, *dids;
	struct recall_ecu *e;
	char *name = NULL;
	uint32_t addr;
	size_t i, n;
	int ret;

	if (!json_object_is_type(eo, json_type_object) ||
	    !json_object_object_get_ex(eo, "addr", &v) || !json_object_is_type(v, json_type_string))
		return -EBADMSG;
	if (report_ecu_parse(json_object_get_string(v), &addr) < 0)
		return -EBADMSG;
	ret = get_str(eo, "name", &name);
	if (ret < 0)
		return ret;
	ret = report_add_ecu(r, addr, name, &e);
	free(name);
	if (ret < 0)
		return ret;
	if ((ret = get_array(eo, "dids", &dids)) < 0 || !dids)
		return ret;
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
					    "hotline", "evidence", "make", "kba", "nhtsa", "cost",
					    "labour", "start", "extends", "supersedes",
					    "reason_code" };
	struct recall_campaign c = { 0 };
	struct recall_campaign_info ci = { 0 };
	char **fields[] = { &c.id, &c.title, &c.text, &c.reason, &c.remedy, &c.remedy_kind,
			    &c.recognition, &c.recognition_text, &c.hotline, &c.evidence,
			    &ci.make, &ci.kba, &ci.nhtsa, &ci.cost, &ci.labour, &ci.start,
			    &ci.extends, &ci.supersedes, &ci.reason_code };
	struct recall_fact facts[REPORT_MAX_FACTS];
	struct json_object *v, *fa;
	bool dnd = false, park = false;
	size_t i, n_facts = 0;
	int ret = 0, verdict;

	if (!json_object_is_type(co, json_type_object) ||
	    !json_object_object_get_ex(co, "verdict", &v) || !json_object_is_type(v, json_type_string))
		return -EBADMSG;
	verdict = report_lookup(report_verdict_names, _RECALL_VERDICT_MAX,
				json_object_get_string(v));
	if (verdict < 0)
		return -EBADMSG;
	c.verdict = (enum recall_verdict)verdict;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && ret >= 0; i++)
		ret = get_str(co, keys[i], fields[i]);
	if (ret >= 0 && !c.id)
		ret = -EBADMSG;
	if (ret >= 0 && (ret = get_bool(co, "do_not_drive", &dnd)) >= 0)
		ret = get_bool(co, "park_outside", &park);
	if (ret >= 0 && (ret = get_array(co, "reason_facts", &fa)) >= 0 && fa) {
		size_t n = json_object_array_length(fa);

		if (n > REPORT_MAX_FACTS)
			ret = -EBADMSG;
		for (i = 0; ret >= 0 && i < n; i++)
			if ((ret = parse_fact(json_object_array_get_idx(fa, i), &facts[i])) >= 0)
				n_facts++;
	}
	if (ret >= 0) {
		struct campaign_in in = {
			.id = c.id, .title = c.title, .text = c.text, .verdict = c.verdict,
			.reason = c.reason, .remedy = c.remedy, .remedy_kind = c.remedy_kind,
			.recognition = c.recognition, .recognition_text = c.recognition_text,
			.hotline = c.hotline, .evidence = c.evidence,
			.make = ci.make, .kba = ci.kba, .nhtsa = ci.nhtsa, .cost = ci.cost,
			.labour = ci.labour, .start = ci.start, .extends = ci.extends,
			.supersedes = ci.supersedes, .reason_code = ci.reason_code,
			.flags = (dnd ? RECALL_CAMPAIGN_DO_NOT_DRIVE : 0u) |
				 (park ? RECALL_CAMPAIGN_PARK_OUTSIDE : 0u),
			.facts = facts, .n_facts = n_facts,
		};

		ret = report_add_campaign(r, &in);
	}
	for (i = 0; i < n_facts; i++)
		report_fact_done(&facts[i]);
	report_campaign_done(&c);
	free(ci.make);
	free(ci.kba);
	free(ci.nhtsa);
	free(ci.cost);
	free(ci.labour);
	free(ci.start);
	free(ci.extends);
	free(ci.supersedes);
	free(ci.reason_code);
	return ret;
}

/* schema 1: a string; schema 2: an object whose "description" is that string. */
static int parse_database(struct recall_report *r, struct json_object *o)
{
	struct recall_database_info d = { 0 };
	struct json_object *v, *s;
	int ret;

	if (!json_object_object_get_ex(o, "database", &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (json_object_is_type(v, json_type_string))
		return report_set_str(&r->database, json_object_get_string(v));
	if (!json_object_is_type(v, json_type_object))
		return -EBADMSG;
	if ((ret = get_str(v, "description", &r->database)) < 0 ||
	    (ret = get_str(v, "path", &d.path)) < 0 ||
	    (ret = get_uint64(v, "campaigns", &d.campaigns)) < 0 ||
	    (ret = get_uint64(v, "listed_vins", &d.listed_vins)) < 0 ||
	    (ret = get_str(v, "written_by", &d.written_by)) < 0 ||
	    (ret = get_str(v, "checksum", &d.checksum)) < 0)
		goto out;
	if (json_object_object_get_ex(v, "signer", &s) && !json_object_is_type(s, json_type_null)) {
		ret = -EBADMSG;
		if (!json_object_is_type(s, json_type_object) ||
		    (ret = get_str(s, "key_id", &d.signer_key_id)) < 0 ||
		    (ret = get_str(s, "name", &d.signer_name)) < 0 ||
		    (ret = get_str(s, "state", &d.signer_state)) < 0)
			goto out;
	}
	ret = report_set_db(r, &d);
out:
	free(d.path);
	free(d.written_by);
	free(d.checksum);
	free(d.signer_key_id);
	free(d.signer_name);
	free(d.signer_state);
	return ret;
}

static int parse_summary(struct json_object *o, unsigned int counts[_RECALL_VERDICT_MAX])
{
	struct json_object *v;

	memset(counts, 0, sizeof(unsigned int) * _RECALL_VERDICT_MAX);
	if (!o)
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return -EBADMSG;
	for (size_t i = 0; i < _RECALL_VERDICT_MAX; i++) {
		int64_t n;

		if (!json_object_object_get_ex(o, report_verdict_names[i], &v))
			continue;
		if (!json_object_is_type(v, json_type_int))
			return -EBADMSG;
		n = json_object_get_int64(v);
		if (n < 0 || n > (int64_t)REPORT_MAX_CAMPAIGNS)
			return -EBADMSG;
		counts[i] = (unsigned int)n;
	}
	return 0;
}

static int parse_history(struct recall_report *r, struct json_object *o)
{
	static const char *const states[] = { "none", "recorded", "missing" };
	struct json_object *h, *p, *v;
	struct recall_visit vis = { 0 };
	char *state = NULL, *status = NULL;
	int ret, st;

	if (!json_object_object_get_ex(o, "history", &h) || json_object_is_type(h, json_type_null))
		return 0;
	if (!json_object_is_type(h, json_type_object))
		return -EBADMSG;
	if ((ret = get_str(h, "state", &state)) < 0)
		return ret;
	st = state ? report_lookup(states, 3, state) : 0;
	free(state);
	if (st < 0)
		return -EBADMSG;
	r->history = (enum recall_history_state)st;
	if ((ret = get_int64(h, "id", &r->history_id)) < 0 ||
	    (ret = get_str(h, "error", &r->history_error)) < 0 ||
	    (ret = get_str(h, "error_code", &r->history_error_code)) < 0)
		return ret;
	if (!json_object_object_get_ex(h, "previous", &p) || json_object_is_type(p, json_type_null))
		return 0;
	if (!json_object_is_type(p, json_type_object))
		return -EBADMSG;
	if ((ret = get_int64(p, "id", &vis.id)) < 0 ||
	    (ret = get_int64(p, "finished_ms", &vis.finished_ms)) < 0 ||
	    (ret = get_str(p, "iface", &vis.iface)) < 0 ||
	    (ret = get_str(p, "bay_name", &vis.bay_name)) < 0 ||
	    (ret = get_str(p, "order", &vis.order)) < 0 ||
	    (ret = get_str(p, "status", &status)) < 0)
		goto out;
	ret = -EBADMSG;
	if (status) {
		st = report_lookup(report_status_names, _RECALL_STATUS_MAX, status);
		if (st < 0)
			goto out;
		vis.status = (enum recall_status)st;
	}
	if (!json_object_object_get_ex(p, "summary", &v))
		v = NULL;
	if ((ret = parse_summary(v, vis.counts)) < 0)
		goto out;
	ret = report_set_previous(r, &vis);
out:
	free(status);
	free(vis.iface);
	free(vis.bay_name);
	free(vis.order);
	return ret;
}

static int parse_errors(struct recall_report *r, struct json_object *o)
{
	struct json_object *errs, *facts;
	size_t n;
	int ret;

	if ((ret = get_array(o, "errors", &errs)) < 0 || !errs)
		return ret;
	if ((ret = get_array(o, "error_facts", &facts)) < 0)
		return ret;
	n = json_object_array_length(errs);
	if (facts && json_object_array_length(facts) != n)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(errs, i);
		struct json_object *fo = facts ? json_object_array_get_idx(facts, i) : NULL;
		struct recall_fact f = { 0 };
		bool have = fo && !json_object_is_type(fo, json_type_null);

		if (!json_object_is_type(e, json_type_string))
			return -EBADMSG;
		if (have && (ret = parse_fact(fo, &f)) < 0)
			return ret;
		ret = report_add_error_fact(r, json_object_get_string(e), have ? &f : NULL);
		report_fact_done(&f);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int report_from_json_object(struct json_object *o, struct recall_report **ret_report)
{
	struct recall_report *r;
	struct json_object *v, *arr;
	int64_t schema = 1;
	size_t i, n;
	int ret, st;

	if (!json_object_is_type(o, json_type_object))
		return -EBADMSG;
	if (!json_object_object_get_ex(o, "status", &v) || !json_object_is_type(v, json_type_string))
		return -EBADMSG;
	st = report_lookup(report_status_names, _RECALL_STATUS_MAX, json_object_get_string(v));
	if (st < 0)
		return -EBADMSG;
	if (get_int64(o, "schema_version", &schema) < 0 || schema < 1 || schema > INT_MAX)
		return -EBADMSG;
	r = report_new();
	if (!r)
		return -ENOMEM;
	r->status = (enum recall_status)st;
	r->schema_version = (unsigned int)schema;
	if ((ret = get_str(o, "iface", &r->iface)) < 0 || (ret = get_str(o, "vin", &r->vin)) < 0 ||
	    (ret = get_str(o, "addressing", &r->addressing)) < 0 ||
	    (ret = get_str(o, "bay_name", &r->bay_name)) < 0 ||
	    (ret = get_str(o, "order", &r->order)) < 0 ||
	    (ret = get_str(o, "plate", &r->plate)) < 0 ||
	    (ret = get_int64(o, "started_ms", &r->started_ms)) < 0 ||
	    (ret = get_int64(o, "finished_ms", &r->finished_ms)) < 0 ||
	    (ret = parse_database(r, o)) < 0 || (ret = parse_history(r, o)) < 0)
		goto out;
	if (json_object_object_get_ex(o, "vehicle", &v) && !json_object_is_type(v, json_type_null)) {
		ret = -EBADMSG;
		if (!json_object_is_type(v, json_type_object) ||
		    (ret = get_str(v, "build_date", &r->build_date)) < 0)
			goto out;
	}
	{
		char *msg = NULL;
		struct recall_fact f = { 0 };
		bool have = json_object_object_get_ex(o, "error_fact", &v) &&
			    !json_object_is_type(v, json_type_null);

		if ((ret = get_str(o, "error", &msg)) >= 0 && have)
			ret = parse_fact(v, &f);
		if (ret >= 0 && (msg || have))
			ret = report_set_error_fact(r, msg, have ? &f : NULL);
		report_fact_done(&f);
		free(msg);
		if (ret < 0)
			goto out;
	}
	if ((ret = get_array(o, "ecus", &arr)) < 0)
		goto out;
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++)
		if ((ret = parse_ecu(r, json_object_array_get_idx(arr, i))) < 0)
			goto out;
	if ((ret = get_array(o, "campaigns", &arr)) < 0)
		goto out;
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++)
		if ((ret = parse_campaign(r, json_object_array_get_idx(arr, i))) < 0)
			goto out;
	if ((ret = parse_errors(r, o)) < 0)
		goto out;
	{
		uint64_t omitted = 0;

		if ((ret = get_uint64(o, "not_affected_omitted", &omitted)) < 0)
			goto out;
		ret = -EBADMSG;
		if (omitted > REPORT_MAX_CAMPAIGNS * 64ull)
			goto out;
		r->n_omitted = (size_t)omitted;
	}
	if (json_object_object_get_ex(o, "bus", &v) && (ret = report_bus_from_json(v, &r->bus)) < 0)
		goto out;
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
