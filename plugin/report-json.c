/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report as JSON: the daemon's files, the control socket, librecall.
 *
 * The JSON form is parsed back too (a check child hands its report to the daemon as JSON, and
 * recallctl renders the text from the daemon's JSON), so recall_report_from_json treats its input
 * as untrusted: size-bounded, every type checked, unknown keys ignored so newer writers work.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "can/ident.h"
#include "plugin/report-internal.h"

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
	jadd(o, "status", jstr(report_status_names[r->status], &oom), &oom);
	jadd(o, "error", jstr(r->error, &oom), &oom);
	report_iso_time(buf, sizeof(buf), r->started_ms);
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
		/* "0x61", "0x7E0", a uds11 pair "0x710:0x77A" (can/README.md "ECU keys") */
		jadd(eo, "addr", jstr(ident_ecu_format(e->addr, buf, sizeof(buf)), &oom), &oom);
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
			report_hex(h, d->data, d->len);
			jadd(dobj, "hex", jstr(h, &oom), &oom);
			free(h);
			if (report_printable(d->data, d->len))
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
		jadd(sum, report_verdict_names[i], json_object_new_int((int)counts[i]), &oom);
	jadd(o, "summary", sum, &oom);
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
	uint32_t pair;
	size_t i, n;
	int ret;

	if (!json_object_is_type(eo, json_type_object) ||
	    !json_object_object_get_ex(eo, "addr", &v) || !json_object_is_type(v, json_type_string))
		return -EBADMSG;
	if (ident_ecu_parse(json_object_get_string(v), &pair) == 0) {
		addr = pair;
	} else {
		ret = parse_hex_number(json_object_get_string(v), UINT32_MAX, &addr);
		if (ret < 0)
			return ret;
	}
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
	verdict = report_lookup(report_verdict_names, _RECALL_VERDICT_MAX, json_object_get_string(v));
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
	report_campaign_done(&c);
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
	st = report_lookup(report_status_names, _RECALL_STATUS_MAX, json_object_get_string(v));
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
