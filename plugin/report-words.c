/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The words of the report for people, shared by its text (report-text.c) and its page
 * (report-html.c): verdicts, statuses, remedy kinds, recognition methods, ECU value labels,
 * dates in local time, the action line, and the sentences that render reasons and errors from
 * their data (codes and parameters).  Every word goes through the catalogue (plugin/i18n.h):
 * English msgids here, German in po/de.po.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugin/i18n.h"
#include "plugin/report-internal.h"
#include "rules/vin.h"

const char *word_verdict_tag(const struct i18n *L, enum recall_verdict v)
{
	switch (v) {
	case RECALL_VERDICT_OPEN:
		return trp(L, "verdict tag", "OPEN");
	case RECALL_VERDICT_INSPECT:
		return trp(L, "verdict tag", "INSPECT");
	case RECALL_VERDICT_REMEDIED:
		return trp(L, "verdict tag", "REMEDIED");
	case RECALL_VERDICT_NOT_AFFECTED:
		return trp(L, "verdict tag", "NOT AFFECTED");
	case RECALL_VERDICT_UNDETERMINED:
		return trp(L, "verdict tag", "UNCLEAR");
	default:
		return "?";
	}
}

const char *word_verdict(const struct i18n *L, enum recall_verdict v)
{
	switch (v) {
	case RECALL_VERDICT_OPEN:
		return trp(L, "verdict", "open");
	case RECALL_VERDICT_INSPECT:
		return trp(L, "verdict", "to inspect");
	case RECALL_VERDICT_REMEDIED:
		return trp(L, "verdict", "remedied");
	case RECALL_VERDICT_NOT_AFFECTED:
		return trp(L, "verdict", "not affected");
	case RECALL_VERDICT_UNDETERMINED:
		return trp(L, "verdict", "unclear");
	default:
		return "?";
	}
}

const char *word_status(const struct i18n *L, enum recall_status s)
{
	switch (s) {
	case RECALL_STATUS_COMPLETE:
		return trp(L, "status", "complete");
	case RECALL_STATUS_INTERRUPTED:
		return trp(L, "status", "INTERRUPTED");
	case RECALL_STATUS_FAILED:
		return trp(L, "status", "FAILED");
	default:
		return "?";
	}
}

/* JSON word -> the technician's word; an unknown word (a newer database) is shown as it is. */
const char *word_remedy_kind(const struct i18n *L, const char *kind)
{
	if (!kind)
		return NULL;
	if (strcmp(kind, "workshop") == 0)
		return trp(L, "remedy kind", "in the workshop");
	if (strcmp(kind, "ota") == 0)
		return trp(L, "remedy kind", "over-the-air update");
	if (strcmp(kind, "inspection") == 0)
		return trp(L, "remedy kind", "inspection");
	return kind;
}

const char *word_recognition(const struct i18n *L, const char *rec)
{
	if (!rec)
		return NULL;
	if (strcmp(rec, "manufacturer_diagnosis") == 0)
		return tr(L, "manufacturer's diagnostic system");
	if (strcmp(rec, "vehicle_diagnosis") == 0)
		return tr(L, "the vehicle's diagnostic system");
	if (strcmp(rec, "hotline") == 0)
		return tr(L, "manufacturer's hotline");
	if (strcmp(rec, "workshop_system") == 0)
		return tr(L, "manufacturer's workshop system");
	return rec;
}

/* ISO 14229-1 Annex C.1 (identification DIDs) and SAE J1979 service 09, as a workshop names
 * them.  A DID not in the table is shown by its number alone. */
static const struct {
	uint16_t did;
	const char *label;
} did_labels[] = {
	{ 0x0902, NP_("DID", "VIN (OBD)") },
	{ 0x0904, NP_("DID", "calibration ID (CALID)") },
	{ 0x0906, NP_("DID", "calibration verification number (CVN)") },
	{ 0x090A, NP_("DID", "ECU name") },
	{ 0xF180, NP_("DID", "boot software") },
	{ 0xF181, NP_("DID", "application software") },
	{ 0xF182, NP_("DID", "application data") },
	{ 0xF187, NP_("DID", "spare part number") },
	{ 0xF188, NP_("DID", "software number") },
	{ 0xF189, NP_("DID", "software version") },
	{ 0xF18A, NP_("DID", "supplier") },
	{ 0xF18B, NP_("DID", "manufacturing date") },
	{ 0xF18C, NP_("DID", "serial number") },
	{ 0xF18E, NP_("DID", "kit assembly part number") },
	{ 0xF190, NP_("DID", "VIN") },
	{ 0xF191, NP_("DID", "hardware number") },
	{ 0xF192, NP_("DID", "supplier hardware number") },
	{ 0xF193, NP_("DID", "supplier hardware version") },
	{ 0xF194, NP_("DID", "supplier software number") },
	{ 0xF195, NP_("DID", "supplier software version") },
	{ 0xF196, NP_("DID", "type approval number") },
	{ 0xF197, NP_("DID", "system name / engine type") },
	{ 0xF198, NP_("DID", "repair shop code") },
	{ 0xF199, NP_("DID", "programming date") },
	{ 0xF19D, NP_("DID", "installation date") },
};

const char *word_did_label(const struct i18n *L, uint16_t did)
{
	for (size_t i = 0; i < sizeof(did_labels) / sizeof(did_labels[0]); i++)
		if (did_labels[i].did == did)
			return trp(L, "DID", did_labels[i].label);
	return NULL;
}

/* "F189 software version" or "F1A0" */
void word_did(struct sbuf *b, const struct i18n *L, uint16_t did)
{
	const char *l = word_did_label(L, did);

	sb_printf(b, "%04X%s%s", did, l ? " " : "", l ? l : "");
}

const char *word_when(const struct i18n *L, int64_t ms, char *buf, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0) {
		snprintf(buf, size, "%s", tr(L, "time not recorded"));
		return buf;
	}

	/* TRANSLATORS: strftime format of a date and time in local time; German
	 * "%d.%m.%Y, %H:%M Uhr" reads "01.12.2026, 19:28 Uhr". */
	/* xgettext:no-c-format */
	if (!localtime_r(&t, &tm) || strftime(buf, size, tr(L, "%Y-%m-%d %H:%M"), &tm) == 0)
		snprintf(buf, size, "?");
	return buf;
}

const char *word_date(const struct i18n *L, const char *iso, char *buf, size_t size)
{
	struct tm tm = { 0 };
	int y, m, d;

	if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 ||
	    d > 31) {
		snprintf(buf, size, "%s", iso ? iso : "?");
		return buf;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	/* TRANSLATORS: strftime format of a date; German "%d.%m.%Y". */
	/* xgettext:no-c-format */
	if (strftime(buf, size, tr(L, "%Y-%m-%d"), &tm) == 0)
		snprintf(buf, size, "%s", iso);
	return buf;
}

/* Seconds with one decimal in the language's notation: "0.3 s" / "0,3 s". */
void word_duration(struct sbuf *b, const struct i18n *L, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	/* TRANSLATORS: a duration in seconds with one decimal: whole seconds, tenths. */
	sb_printf(b, tr(L, "%lld.%lld s"), (long long)(ms / 1000), (long long)(ms % 1000 / 100));
}

void word_checked(struct sbuf *b, const struct i18n *L, const struct recall_report *r)
{
	char when[64];

	/* a report file need not say when it was made: no 01.01.1970 for it */
	if (r->started_ms <= 0) {
		sb_printf(b, "%s", tr(L, "time not recorded"));
		return;
	}
	sb_printf(b, "%s", word_when(L, r->started_ms, when, sizeof(when)));
	/* a finish before the start (a clock set back) is no duration */
	if (r->finished_ms < r->started_ms)
		return;
	sb_printf(b, " (");
	word_duration(b, L, r->finished_ms - r->started_ms);
	sb_printf(b, ")");
}

const char *word_history_missing(const struct i18n *L, const struct recall_report *r)
{
	static const struct {
		const char *code, *words;
	} causes[] = {
		{ "disk_full", N_("the disk is full") },
		{ "unavailable", N_("the history cannot be opened") },
		{ "failed", N_("the history refused it") },
	};

	for (size_t i = 0; r->history_error_code && i < sizeof(causes) / sizeof(causes[0]); i++)
		if (strcmp(r->history_error_code, causes[i].code) == 0)
			return tr(L, causes[i].words);
	/* a cause this reader does not know, or a report from before the codes: its message */
	return r->history_error ? r->history_error : "?";
}

bool report_needs_action(enum recall_verdict v)
{
	return v == RECALL_VERDICT_OPEN || v == RECALL_VERDICT_INSPECT ||
	       v == RECALL_VERDICT_UNDETERMINED;
}

const struct report_safety report_safety_kinds[REPORT_N_SAFETY] = {
	{ RECALL_CAMPAIGN_DO_NOT_DRIVE,
	  N_("DO NOT DRIVE — do not move the car or hand it back before the remedy") },
	{ RECALL_CAMPAIGN_PARK_OUTSIDE,
	  N_("PARK OUTSIDE — fire risk: not in the workshop, a garage or near buildings") },
};

bool report_safety_lists(const struct recall_report *r, size_t i, unsigned int flag)
{
	const struct recall_campaign_info *ci = r->campaign_info ? &r->campaign_info[i] : NULL;

	return ci && (ci->flags & flag) && report_needs_action(r->campaigns[i].verdict);
}

/* The first line a technician reads: what to do next. */
void word_action(struct sbuf *b, const struct i18n *L, const struct recall_report *r)
{
	unsigned int c[_RECALL_VERDICT_MAX];
	bool workshop = false;

	report_count(r, c);
	for (size_t i = 0; i < r->n_campaigns; i++) {
		const struct recall_campaign *k = &r->campaigns[i];

		if ((k->verdict == RECALL_VERDICT_OPEN || k->verdict == RECALL_VERDICT_INSPECT) &&
		    !(k->verdict == RECALL_VERDICT_OPEN && k->remedy_kind &&
		      strcmp(k->remedy_kind, "ota") == 0))
			workshop = true;
	}
	if (r->status == RECALL_STATUS_FAILED) {
		sb_printf(b, "%s", tr(L, "check failed — connect the car again and repeat the check"));
		return;
	}
	if (c[RECALL_VERDICT_OPEN]) {
		sb_printf(b, trn(L, "%u open action", "%u open actions", c[RECALL_VERDICT_OPEN]),
			  c[RECALL_VERDICT_OPEN]);
		if (c[RECALL_VERDICT_INSPECT])
			sb_printf(b, ", ");
	}
	if (c[RECALL_VERDICT_INSPECT])
		sb_printf(b, trn(L, "%u to inspect", "%u to inspect", c[RECALL_VERDICT_INSPECT]),
			  c[RECALL_VERDICT_INSPECT]);
	if (c[RECALL_VERDICT_OPEN] || c[RECALL_VERDICT_INSPECT]) {
		sb_printf(b, " — %s", workshop ? tr(L, "workshop appointment needed")
					       : tr(L, "over-the-air update outstanding"));
		if (c[RECALL_VERDICT_UNDETERMINED])
			sb_printf(b, trn(L, "; %u unclear", "; %u unclear",
					 c[RECALL_VERDICT_UNDETERMINED]),
				  c[RECALL_VERDICT_UNDETERMINED]);
		if (r->status != RECALL_STATUS_COMPLETE)
			sb_printf(b, "; %s", tr(L, "check incomplete"));
		return;
	}
	if (c[RECALL_VERDICT_UNDETERMINED]) {
		sb_printf(b, trn(L, "%u unclear — clarify (see reason; hotline if named)",
				 "%u unclear — clarify (see reasons; hotline if named)",
				 c[RECALL_VERDICT_UNDETERMINED]),
			  c[RECALL_VERDICT_UNDETERMINED]);
		if (r->status != RECALL_STATUS_COMPLETE)
			sb_printf(b, "; %s", tr(L, "check incomplete"));
		return;
	}
	if (r->status != RECALL_STATUS_COMPLETE) {
		sb_printf(b, "%s", tr(L, "check incomplete — repeat the check"));
		return;
	}
	sb_printf(b, "%s", tr(L, "nothing to do"));
}

/* ---- reasons and errors from their data ----------------------------------------------------- */

static const char *p(const struct recall_fact *f, const char *key)
{
	const char *v = report_fact_get(f, key);

	return v ? v : "?";
}

static void result_word(struct sbuf *b, const struct i18n *L, const struct recall_fact *f)
{
	const char *res = report_fact_get(f, "result");

	if (!res)
		return;
	if (strcmp(res, "true") == 0)
		sb_printf(b, " — %s", tr(L, "applies"));
	else if (strcmp(res, "false") == 0)
		sb_printf(b, " — %s", tr(L, "does not apply"));
	else
		sb_printf(b, " — %s", tr(L, "unknown"));
}

static const char *op_sign(const char *op)
{
	if (!op)
		return "?";
	if (strcmp(op, "!=") == 0)
		return "≠";
	if (strcmp(op, "<=") == 0)
		return "≤";
	if (strcmp(op, ">=") == 0)
		return "≥";
	return op;
}

/* "ECU 0x61 TCB: F189 software version" */
static void ecu_did(struct sbuf *b, const struct i18n *L, const struct recall_report *r,
		    const struct recall_fact *f)
{
	const char *ecu = report_fact_get(f, "ecu"), *did = report_fact_get(f, "did");
	uint32_t addr;
	const char *name = NULL;

	if (ecu && r && report_ecu_parse(ecu, &addr) == 0) {
		for (size_t i = 0; i < r->n_ecus; i++)
			if (r->ecus[i].addr == addr)
				name = r->ecus[i].name;
	}
	sb_printf(b, tr(L, "ECU %s"), ecu ? ecu : "?");
	if (name)
		sb_printf(b, " %s", name);
	if (did) {
		unsigned long d = strtoul(did, NULL, 16);

		sb_printf(b, ", ");
		word_did(b, L, (uint16_t)d);
	}
}

void word_fact(struct sbuf *b, const struct i18n *L, const struct recall_report *r,
	       const struct recall_fact *f)
{
	const char *code = f->code ? f->code : "";
	const char *neg = report_fact_get(f, "negated");
	char d1[32], d2[32], d3[32];

	if (neg && strcmp(neg, "true") == 0)
		sb_printf(b, "%s ", tr(L, "not:"));
	if (strcmp(code, "listed") == 0) {
		const char *list = report_fact_get(f, "list");

		sb_printf(b, "%s", list && strcmp(list, "exclude") == 0
				   ? tr(L, "VIN on the campaign's exclusion list")
				   : tr(L, "VIN on the manufacturer's list"));
		return;
	}
	if (strcmp(code, "not_listed") == 0) {
		sb_printf(b, "%s", tr(L, "VIN not on the manufacturer's list"));
		return;
	}
	if (strcmp(code, "lists_need_vin") == 0) {
		const char *list = report_fact_get(f, "list");

		sb_printf(b, "%s", list && strcmp(list, "exclude") == 0
				   ? tr(L, "the VIN may be on the campaign's exclusion list, which "
					   "needs the VIN")
				   : tr(L, "the campaign selects by VIN list, which needs the VIN"));
		return;
	}
	if (strcmp(code, "vin_missing") == 0) {
		sb_printf(b, "%s", tr(L, "VIN not read"));
		return;
	}
	if (strcmp(code, "vin_invalid") == 0) {
		const char *why = report_fact_get(f, "problem");

		sb_printf(b, tr(L, "VIN \"%s\" is invalid"), p(f, "vin"));
		if (why && strcmp(why, "length") == 0)
			sb_printf(b, " (%s)", tr(L, "not 17 characters"));
		else if (why && strcmp(why, "charset") == 0)
			sb_printf(b, " (%s)", tr(L, "a character that is not allowed"));
		else if (why && strcmp(why, "check_digit") == 0)
			sb_printf(b, " (%s)", tr(L, "check digit wrong"));
		return;
	}
	if (strcmp(code, "always") == 0) {
		sb_printf(b, "%s", tr(L, "always applies"));
		return;
	}
	if (strcmp(code, "never") == 0) {
		sb_printf(b, "%s", tr(L, "never applies"));
		return;
	}
	if (strcmp(code, "not_recognisable") == 0) {
		sb_printf(b, "%s", tr(L, "not recognisable from vehicle data"));
		return;
	}
	if (strcmp(code, "wmi") == 0) {
		sb_printf(b, tr(L, "manufacturer code (WMI) %s"), p(f, "wmi"));
		result_word(b, L, f);
		return;
	}
	if (strcmp(code, "vin_positions") == 0) {
		const char *from = p(f, "from"), *to = report_fact_get(f, "to");

		if (to && strcmp(to, from) != 0)
			sb_printf(b, tr(L, "VIN positions %s-%s \"%s\", wanted \"%s\""), from, to,
				  p(f, "read"), p(f, "pattern"));
		else
			sb_printf(b, tr(L, "VIN position %s \"%s\", wanted \"%s\""), from,
				  p(f, "read"), p(f, "pattern"));
		result_word(b, L, f);
		return;
	}
	if (strcmp(code, "serial") == 0) {
		sb_printf(b, tr(L, "serial number %s, range %s to %s"), p(f, "serial"), p(f, "min"),
			  p(f, "max"));
		result_word(b, L, f);
		return;
	}
	if (strcmp(code, "serial_not_numeric") == 0) {
		sb_printf(b, tr(L, "serial number %s is not numeric"), p(f, "serial"));
		return;
	}
	if (strcmp(code, "model_year") == 0) {
		const char *years = p(f, "years"), *sp = strchr(years, ' ');

		if (sp)
			sb_printf(b, tr(L, "model year %.*s or %s (30-year cycle), range %s to %s"),
				  (int)(sp - years), years, sp + 1, p(f, "min"), p(f, "max"));
		else
			sb_printf(b, tr(L, "model year %s, range %s to %s"), years, p(f, "min"),
				  p(f, "max"));
		result_word(b, L, f);
		return;
	}
	if (strcmp(code, "model_year_unknown") == 0) {
		sb_printf(b, tr(L, "model year not in the VIN (position 10 is '%s')"),
			  p(f, "code"));
		return;
	}
	if (strcmp(code, "build_date") == 0) {
		const char *min = report_fact_get(f, "min"), *max = report_fact_get(f, "max");

		sb_printf(b, tr(L, "build date %s"), word_date(L, p(f, "date"), d1, sizeof(d1)));
		if (min && max)
			sb_printf(b, tr(L, ", range %s to %s"), word_date(L, min, d2, sizeof(d2)),
				  word_date(L, max, d3, sizeof(d3)));
		else if (max)
			sb_printf(b, tr(L, ", until %s"), word_date(L, max, d2, sizeof(d2)));
		else if (min)
			sb_printf(b, tr(L, ", from %s"), word_date(L, min, d2, sizeof(d2)));
		if (report_fact_get(f, "ecu")) {
			sb_printf(b, " (");
			ecu_did(b, L, r, f);
			sb_printf(b, ")");
		}
		result_word(b, L, f);
		return;
	}
	if (strcmp(code, "build_date_no_source") == 0) {
		sb_printf(b, "%s", tr(L, "the campaign names no source of the build date"));
		return;
	}
	if (strcmp(code, "build_date_unreadable") == 0) {
		const char *state = report_fact_get(f, "state");

		sb_printf(b, "%s: ", tr(L, "build date unreadable"));
		ecu_did(b, L, r, f);
		if (state && strcmp(state, "no_date") == 0)
			sb_printf(b, tr(L, " \"%s\" is no date"), p(f, "value"));
		else if (state && strcmp(state, "absent") == 0)
			sb_printf(b, ": %s", tr(L, "the ECU does not have this value"));
		else if (state && strcmp(state, "ecu_absent") == 0)
			sb_printf(b, ": %s", tr(L, "the ECU is not in the vehicle"));
		else if (state && strcmp(state, "failed") == 0)
			sb_printf(b, ": %s (%s)", tr(L, "could not be read"), p(f, "detail"));
		else if (state)
			sb_printf(b, ": %s", tr(L, "not read"));
		else if (report_fact_get(f, "value"))
			sb_printf(b, tr(L, " \"%s\" is no date"), p(f, "value"));
		return;
	}
	if (strcmp(code, "ecu_present") == 0) {
		ecu_did(b, L, r, f);
		sb_printf(b, " %s", tr(L, "present"));
		result_word(b, L, f);
		return;
	}
	if (strcmp(code, "ecu_absent") == 0) {
		ecu_did(b, L, r, f);
		sb_printf(b, " %s", tr(L, "not in the vehicle"));
		return;
	}
	if (strcmp(code, "ecus_not_read") == 0) {
		sb_printf(b, tr(L, "which ECUs the car has was not read (is %s present?)"),
			  p(f, "ecu"));
		return;
	}
	if (strcmp(code, "did_cmp") == 0) {
		ecu_did(b, L, r, f);
		sb_printf(b, tr(L, ": read \"%s\", wanted %s \"%s\""), p(f, "value"),
			  op_sign(report_fact_get(f, "op")), p(f, "wanted"));
		result_word(b, L, f);
		return;
	}
	if (strcmp(code, "did_in") == 0) {
		ecu_did(b, L, r, f);
		sb_printf(b, tr(L, ": read \"%s\", listed: %s"), p(f, "value"), p(f, "set"));
		result_word(b, L, f);
		return;
	}
	if (strcmp(code, "did_absent") == 0) {
		ecu_did(b, L, r, f);
		sb_printf(b, ": %s", tr(L, "the ECU does not have this value"));
		return;
	}
	if (strcmp(code, "did_failed") == 0) {
		ecu_did(b, L, r, f);
		sb_printf(b, ": %s", tr(L, "could not be read"));
		if (report_fact_get(f, "detail"))
			sb_printf(b, " (%s)", p(f, "detail"));
		return;
	}
	if (strcmp(code, "did_not_read") == 0) {
		ecu_did(b, L, r, f);
		sb_printf(b, ": %s", tr(L, "not read"));
		return;
	}
	/* a newer writer's code: its words are not known here, its data is */
	sb_printf(b, "%s", code);
	for (size_t i = 0; i < f->n_params; i++)
		sb_printf(b, "%s%s=%s", i ? ", " : " (", f->params[i].key, f->params[i].value);
	if (f->n_params)
		sb_printf(b, ")");
}

/* What the verdict means, from its code: one sentence. */
const char *word_reason_lead(const struct i18n *L, const char *code)
{
	static const struct {
		const char *code, *text;
	} leads[] = {
		{ "open", N_("Affected, the remedy is not applied.") },
		{ "remedied", N_("Affected, the remedy is applied.") },
		{ "not_selected", N_("Not affected.") },
		{ "excluded", N_("Not affected: the VIN is on the campaign's exclusion list.") },
		{ "selection_unknown", N_("Whether the car is affected cannot be decided.") },
		{ "remedy_unknown", N_("Affected; whether the remedy is applied is unknown.") },
		{ "inspect", N_("Possibly affected; an inspection of the car decides.") },
		{ "inspect_unknown", N_("Affected; whether it must be inspected is unknown.") },
	};

	if (!code)
		return NULL;
	for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++)
		if (strcmp(code, leads[i].code) == 0)
			return tr(L, leads[i].text);
	return NULL;
}

/* The heading of a fact by the rule part it belongs to. */
const char *word_part(const struct i18n *L, const char *part)
{
	if (!part)
		return NULL;
	if (strcmp(part, "list") == 0)
		return trp(L, "rule part", "VIN list");
	if (strcmp(part, "affected") == 0)
		return trp(L, "rule part", "selection");
	if (strcmp(part, "remedied") == 0)
		return trp(L, "rule part", "remedy");
	if (strcmp(part, "inspect") == 0)
		return trp(L, "rule part", "inspection");
	return part;
}

/* ---- errors ------------------------------------------------------------------------------ */

static const char *step_word(const struct i18n *L, const char *step)
{
	if (!step)
		return NULL;
	if (strcmp(step, "discovery") == 0)
		return trp(L, "read step", "looking for ECUs");
	if (strcmp(step, "service09") == 0)
		return trp(L, "read step", "OBD service 09");
	if (strcmp(step, "service09_vin") == 0)
		return trp(L, "read step", "VIN over OBD service 09");
	if (strcmp(step, "open") == 0)
		return trp(L, "read step", "opening the connection");
	if (strcmp(step, "probe") == 0)
		return trp(L, "read step", "asked directly");
	if (strcmp(step, "plan") == 0)
		return trp(L, "read step", "read plan");
	if (strcmp(step, "read_did") == 0)
		return trp(L, "read step", "reading");
	if (strcmp(step, "vin") == 0)
		return trp(L, "read step", "reading the VIN");
	if (strcmp(step, "deadline") == 0)
		return trp(L, "read step", "time limit of the check");
	if (strcmp(step, "gave_up") == 0)
		return trp(L, "read step", "ECU given up");
	return step;
}

void word_error(struct sbuf *b, const struct i18n *L, const struct recall_report *r,
		const struct recall_fact *f, const char *message)
{
	const char *code = f && f->code ? f->code : NULL;
	const char *step = f ? report_fact_get(f, "step") : NULL;

	if (!code) {
		/* from a writer without error data: its own (English) words, marked as such */
		sb_printf(b, "%s", message ? message : "?");
		return;
	}
	if (report_fact_get(f, "ecu") || report_fact_get(f, "did")) {
		ecu_did(b, L, r, f);
		sb_printf(b, ": ");
	}
	if (step && strcmp(step, "read_did") != 0)
		sb_printf(b, "%s: ", step_word(L, step));
	if (strcmp(code, "no_answer") == 0) {
		if (step && strcmp(step, "probe") == 0)
			sb_printf(b, "%s", tr(L, "no answer, its values are not read"));
		else if (report_fact_get(f, "ms"))
			sb_printf(b, tr(L, "no answer within %s ms"), p(f, "ms"));
		else
			sb_printf(b, "%s", tr(L, "no answer"));
	} else if (strcmp(code, "negative_response") == 0) {
		sb_printf(b, tr(L, "negative response %s (%s)"), p(f, "nrc"), p(f, "nrc_name"));
	} else if (strcmp(code, "malformed") == 0) {
		sb_printf(b, "%s", tr(L, "malformed answer"));
	} else if (strcmp(code, "io") == 0) {
		sb_printf(b, tr(L, "bus error: %s"), p(f, "errno"));
	} else if (strcmp(code, "deadline") == 0) {
		sb_printf(b, "%s", tr(L, "time limit reached, the rest was not read"));
	} else if (strcmp(code, "too_many") == 0) {
		sb_printf(b, "%s", tr(L, "more than the report holds, the rest was not read"));
	} else if (strcmp(code, "vin_malformed") == 0) {
		sb_printf(b, tr(L, "VIN \"%s\" as read is not 17 valid characters"), p(f, "vin"));
	} else if (strcmp(code, "no_vin") == 0) {
		const char *n = report_fact_get(f, "ecus");

		sb_printf(b, "%s", n && strcmp(n, "0") != 0
				   ? tr(L, "no VIN read: the ECUs that answered gave none")
				   : tr(L, "no VIN read: no ECU answered on any addressing scheme"));
	} else if (strcmp(code, "vins_disagree") == 0) {
		sb_printf(b, tr(L, "ECUs report different VINs: %s"), p(f, "vins"));
	} else if (strcmp(code, "iface_missing") == 0) {
		sb_printf(b, tr(L, "%s: no such interface"), p(f, "iface"));
	} else if (strcmp(code, "iface_not_can") == 0) {
		sb_printf(b, tr(L, "%s: not a CAN interface"), p(f, "iface"));
	} else if (strcmp(code, "iface_down") == 0) {
		sb_printf(b, tr(L, "%s: interface is down"), p(f, "iface"));
	} else if (strcmp(code, "iface_removed") == 0) {
		sb_printf(b, tr(L, "%s: interface removed during the check"), p(f, "iface"));
	} else if (strcmp(code, "link_down") == 0) {
		sb_printf(b, tr(L, "%s: link went down during the check"), p(f, "iface"));
	} else if (strcmp(code, "check_timeout") == 0) {
		sb_printf(b, tr(L, "the check did not finish within %s ms"), p(f, "ms"));
	} else if (strcmp(code, "check_crashed") == 0) {
		sb_printf(b, tr(L, "the check process died (signal %s)"), p(f, "signal"));
	} else if (strcmp(code, "check_exited") == 0) {
		sb_printf(b, tr(L, "the check process ended with status %s without a report"),
			  p(f, "status"));
	} else if (strcmp(code, "check_not_started") == 0) {
		sb_printf(b, tr(L, "the check process could not be started: %s"), p(f, "errno"));
	} else if (strcmp(code, "check_reply_bad") == 0) {
		sb_printf(b, tr(L, "the check process sent a broken reply: %s"), p(f, "detail"));
	} else if (strcmp(code, "database_unusable") == 0) {
		sb_printf(b, tr(L, "the recall database is unusable: %s"), p(f, "detail"));
	} else if (strcmp(code, "iface_error") == 0) {
		sb_printf(b, tr(L, "%s: %s while reading the car"), p(f, "iface"), p(f, "errno"));
	} else if (strcmp(code, "bus") == 0) {
		const char *w = report_bus_words(L, report_fact_get(f, "cause"));

		sb_printf(b, tr(L, "CAN bus: %s"), w ? w : p(f, "cause"));
	} else {
		sb_printf(b, "%s", message ? message : code);
	}
}

const char *word_bus(const struct i18n *L, const struct recall_report *r)
{
	const char *w;

	if (!r->bus || !r->bus->cause)
		return NULL;
	w = report_bus_words(L, r->bus->cause);
	return w ? w : r->bus->cause;
}

bool word_error_is_bus_line(const struct recall_report *r, size_t i)
{
	const struct recall_fact *f = r->error_facts ? &r->error_facts[i] : NULL;
	const char *cause = f && f->code && strcmp(f->code, "bus") == 0 ?
				    report_fact_get(f, "cause") : NULL;

	return cause && r->bus && r->bus->cause && strcmp(cause, r->bus->cause) == 0;
}

/* ---- the vehicle line --------------------------------------------------------------------- */

void word_vehicle(struct sbuf *b, const struct i18n *L, const struct recall_report *r)
{
	struct vin_info vi;
	char d[32];

	if (!r->vin) {
		sb_printf(b, "%s", tr(L, "VIN not read"));
		return;
	}
	sb_printf(b, tr(L, "VIN %s"), r->vin);
	if (vin_decode(r->vin, strlen(r->vin), &vi) == 0 && vi.valid) {
		if (vi.manufacturer)
			sb_printf(b, " · %s", vi.manufacturer);
		if (vi.n_model_years == 1)
			sb_printf(b, tr(L, " · model year %d"), vi.model_years[0]);
		else if (vi.n_model_years == 2)
			sb_printf(b, tr(L, " · model year %d or %d"), vi.model_years[0],
				  vi.model_years[1]);
	}
	if (r->build_date)
		sb_printf(b, tr(L, " · built %s"), word_date(L, r->build_date, d, sizeof(d)));
}
