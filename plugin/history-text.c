/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A car's history for people (recallctl history VIN): its checks newest first, and under each
 * what changed against the check before it — in the language asked for, from the JSON the
 * daemon answers with (history.h), so a station renders what it received.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "plugin/history.h"
#include "plugin/i18n.h"
#include "plugin/report-internal.h"

static const char *sget(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int64_t iget(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int64(v);
}

static int verdict_of(const char *word)
{
	return word ? report_lookup(report_verdict_names, _RECALL_VERDICT_MAX, word) : -1;
}

/* The facts of a history row as a struct, for word_fact; params as strings. */
static void fact_from_json(struct json_object *o, struct recall_fact *f)
{
	const char *code = sget(o, "code");

	if (!code || report_fact_init(f, code) < 0)
		return;
	json_object_object_foreach(o, key, val)
	{
		if (!strcmp(key, "code") || !val)
			continue;
		if (json_object_is_type(val, json_type_string))
			(void)report_fact_add(f, key, RECALL_PARAM_STRING, json_object_get_string(val));
		else if (json_object_is_type(val, json_type_int))
			(void)report_fact_add(f, key, RECALL_PARAM_NUMBER, json_object_get_string(val));
		else if (json_object_is_type(val, json_type_boolean))
			(void)report_fact_add(f, key, RECALL_PARAM_BOOL,
					      json_object_get_boolean(val) ? "true" : "false");
	}
}

static void counts_line(struct sbuf *b, const struct i18n *L, struct json_object *sum)
{
	sb_printf(b, tr(L, "%u open · %u to inspect · %u unclear · %u remedied · %u not affected"),
		  (unsigned int)iget(sum, "open"), (unsigned int)iget(sum, "inspect"),
		  (unsigned int)iget(sum, "undetermined"), (unsigned int)iget(sum, "remedied"),
		  (unsigned int)iget(sum, "not_affected"));
}

static void change_line(struct sbuf *b, const struct i18n *L, struct json_object *ch)
{
	int from = verdict_of(sget(ch, "from")), to = verdict_of(sget(ch, "to"));
	struct json_object *facts;

	sb_printf(b, "      %s", sget(ch, "campaign") ? sget(ch, "campaign") : "?");
	if (sget(ch, "title"))
		sb_printf(b, " – %s", sget(ch, "title"));
	sb_printf(b, ": %s → %s\n",
		  from >= 0 ? word_verdict(L, (enum recall_verdict)from) : tr(L, "not listed"),
		  to >= 0 ? word_verdict(L, (enum recall_verdict)to) : "?");
	if (to != RECALL_VERDICT_REMEDIED)
		return;
	/* by what evidence: the remedied part of the reason's facts */
	if (json_object_object_get_ex(ch, "reason_facts", &facts) &&
	    json_object_is_type(facts, json_type_array) && json_object_array_length(facts)) {
		for (size_t i = 0; i < json_object_array_length(facts); i++) {
			struct json_object *fo = json_object_array_get_idx(facts, i);
			struct recall_fact f = { 0 };
			const char *part = sget(fo, "part");

			if (!part || strcmp(part, "remedied") != 0)
				continue;
			fact_from_json(fo, &f);
			if (f.code) {
				sb_printf(b, "        %s ", tr(L, "evidence:"));
				word_fact(b, L, NULL, &f);
				sb_printf(b, "\n");
			}
			report_fact_done(&f);
		}
	} else if (sget(ch, "evidence")) {
		sb_printf(b, "        %s %s\n", tr(L, "Evidence (as written by the database):"),
			  sget(ch, "evidence"));
	}
}

int history_render_text(struct json_object *hist, const char *language, char **ret)
{
	struct json_object *checks;
	const struct i18n *L;
	struct sbuf b = { 0 };
	size_t n;
	int r;

	if ((r = i18n_get(language, &L)) < 0)
		return r;
	if (!json_object_object_get_ex(hist, "checks", &checks) ||
	    !json_object_is_type(checks, json_type_array))
		return -EBADMSG;
	n = json_object_array_length(checks);
	sb_printf(&b, tr(L, "History of VIN %s"), sget(hist, "vin") ? sget(hist, "vin") : "?");
	sb_printf(&b, trn(L, " (%lld check recorded)", " (%lld checks recorded)",
			  (unsigned long)iget(hist, "total")),
		  (long long)iget(hist, "total"));
	sb_printf(&b, "\n==============================================================\n");
	if (!n)
		sb_printf(&b, "%s\n", tr(L, "This car has not been checked here."));
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(checks, i), *sum, *chs;
		int st = report_lookup(report_status_names, _RECALL_STATUS_MAX,
				       sget(c, "status") ? sget(c, "status") : "");
		char when[64];

		sb_printf(&b, "%s", word_when(L, iget(c, "finished_ms"), when, sizeof(when)));
		if (sget(c, "bay_name"))
			sb_printf(&b, " · %s (%s)", sget(c, "bay_name"),
				  sget(c, "iface") ? sget(c, "iface") : "?");
		else if (sget(c, "iface"))
			sb_printf(&b, " · %s", sget(c, "iface"));
		if (sget(c, "order")) {
			sb_printf(&b, " · ");
			sb_printf(&b, tr(L, "order %s"), sget(c, "order"));
		}
		if (sget(c, "plate")) {
			sb_printf(&b, " · ");
			sb_printf(&b, tr(L, "plate %s"), sget(c, "plate"));
		}
		sb_printf(&b, " · %s\n    ",
			  st >= 0 ? word_status(L, (enum recall_status)st) : "?");
		if (json_object_object_get_ex(c, "summary", &sum))
			counts_line(&b, L, sum);
		sb_printf(&b, "\n");
		if (!json_object_object_get_ex(c, "changes", &chs) ||
		    !json_object_is_type(chs, json_type_array))
			continue;
		if (!json_object_array_length(chs)) {
			sb_printf(&b, "    %s\n", i + 1 == n && (int64_t)n == iget(hist, "total")
						   ? tr(L, "first check of this car")
						   : tr(L, "no change since the check before"));
			continue;
		}
		sb_printf(&b, "    %s\n", tr(L, "changed since the check before:"));
		for (size_t k = 0; k < json_object_array_length(chs); k++)
			change_line(&b, L, json_object_array_get_idx(chs, k));
	}
	if (b.oom || report_clean_display(&b.s) < 0) {
		free(b.s);
		return -ENOMEM;
	}
	*ret = b.s;
	return 0;
}
