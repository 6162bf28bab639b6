/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The technician's text report, in the language asked for (German by default).
 *
 * Top to bottom in the order a technician acts: a box when the car must not be driven or must be
 * parked outside, the action line, the car (VIN, make, model year, build date), order and plate,
 * when and where it was checked, the counts, then the campaigns that need something first, what
 * could not be read, and the ECU values with their names.  Every word comes from the catalogue;
 * the manufacturer's own texts (defect, remedy, recognition) are shown as the database has
 * them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/i18n.h"
#include "plugin/report-internal.h"

#define RULE "=============================================================="
#define LABEL_WIDTH 18

/* Display width of UTF-8 text: code points, not bytes (the labels are short, no wide forms). */
static size_t width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* "Label:" padded to the column where values start; "" pads a continuation line. */
static void label(struct sbuf *b, const char *text)
{
	size_t w = *text ? width(text) + 1 : 0;

	if (*text)
		sb_printf(b, "%s:", text);
	do
		sb_printf(b, " ");
	while (++w < LABEL_WIDTH);
}

/* The manufacturer's text, its words unchanged, wrapped at blanks to fit a terminal of
 * TEXT_WIDTH columns (the JSON keeps the lines as they are). */
#define TEXT_WIDTH 100
static void wrapped_from(struct sbuf *b, const char *first, const char *indent, const char *text);

static void wrapped(struct sbuf *b, const char *indent, const char *text)
{
	wrapped_from(b, indent, indent, text);
}

/* The same with its own start for the first line ("      – " before a list item). */
static void wrapped_from(struct sbuf *b, const char *first, const char *indent, const char *text)
{
	size_t room = TEXT_WIDTH - strlen(indent);
	bool first_line = true;

	while (*text) {
		const char *nl = strchr(text, '\n'), *end = nl ? nl : text + strlen(text);

		if (text < end)
			sb_printf(b, "%s", first_line ? first : indent);
		first_line = false;
		while (text < end) {
			const char *cut = NULL, *q = text;
			size_t w = 0;

			/* the longest run of whole words that fits; one word at least */
			while (q < end && (w < room || !cut)) {
				if (*q == ' ' && w <= room)
					cut = q;
				if (((unsigned char)*q & 0xC0) != 0x80)
					w++;
				q++;
			}
			if (q == end && w <= room)
				cut = end;
			if (!cut)
				cut = q;
			sb_printf(b, "%.*s", (int)(cut - text), text);
			text = cut;
			while (text < end && *text == ' ')
				text++;
			if (text < end)
				sb_printf(b, "\n%s", indent);
		}
		sb_printf(b, "\n");
		text = nl ? nl + 1 : end;
	}
}

static void underline(struct sbuf *b, const char *heading)
{
	size_t w = width(heading);

	sb_printf(b, "\n%s\n", heading);
	while (w--)
		sb_printf(b, "-");
	sb_printf(b, "\n");
}

static const struct recall_campaign_info *info(const struct recall_report *r, size_t i)
{
	return r->campaign_info ? &r->campaign_info[i] : NULL;
}

/* The box at the very top: what the car may not do until an open campaign is dealt with. */
static void safety_box(struct sbuf *b, const struct i18n *L, const struct recall_report *r)
{
	bool any = false;

	for (size_t k = 0; k < REPORT_N_SAFETY; k++) {
		bool head = false;

		for (size_t i = 0; i < r->n_campaigns; i++) {
			const struct recall_campaign *c = &r->campaigns[i];

			if (!report_safety_lists(r, i, report_safety_kinds[k].flag))
				continue;
			if (!any)
				sb_printf(b, "%.62s\n", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
							"!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
			if (!head)
				sb_printf(b, "!! %s\n", tr(L, report_safety_kinds[k].title));
			any = head = true;
			sb_printf(b, "!!    %s%s%s (%s)\n", c->id, c->title ? " – " : "",
				  c->title ? c->title : "", word_verdict(L, c->verdict));
		}
	}
	if (any)
		sb_printf(b, "%.62s\n", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
					"!!!!!!!!!!!!!!!!");
}

static void counts_line(struct sbuf *b, const struct i18n *L, const unsigned int c[])
{
	sb_printf(b, tr(L, "%u open · %u to inspect · %u unclear · %u remedied · %u not affected"),
		  c[RECALL_VERDICT_OPEN], c[RECALL_VERDICT_INSPECT], c[RECALL_VERDICT_UNDETERMINED],
		  c[RECALL_VERDICT_REMEDIED], c[RECALL_VERDICT_NOT_AFFECTED]);
}

static void database_line(struct sbuf *b, const struct i18n *L, const struct recall_report *r)
{
	const struct recall_database_info *d = r->db;

	if (!d || (!d->path && !d->checksum)) {
		if (r->database) {
			label(b, tr(L, "Database"));
			sb_printf(b, "%s\n", r->database);
		}
		return;
	}
	label(b, tr(L, "Database"));
	sb_printf(b, "%s", d->path ? d->path : "?");
	sb_printf(b, trn(L, " · %llu campaign", " · %llu campaigns", (unsigned long)d->campaigns),
		  (unsigned long long)d->campaigns);
	sb_printf(b, trn(L, " · %llu listed VIN", " · %llu listed VINs",
			 (unsigned long)d->listed_vins),
		  (unsigned long long)d->listed_vins);
	if (d->written_by)
		sb_printf(b, tr(L, " · written by %s"), d->written_by);
	sb_printf(b, "\n");
	if (d->checksum) {
		label(b, "");
		sb_printf(b, tr(L, "checksum %.16s"), d->checksum);
		if (d->signer_key_id) {
			sb_printf(b, tr(L, " · signed with key %s"), d->signer_key_id);
			if (d->signer_name)
				sb_printf(b, " (%s)", d->signer_name);
			if (d->signer_state && strcmp(d->signer_state, "trusted") == 0)
				sb_printf(b, ", %s", tr(L, "trusted"));
			else if (d->signer_state)
				sb_printf(b, ", %s", tr(L, "NOT a trusted key"));
		} else {
			sb_printf(b, " · %s", tr(L, "unsigned"));
		}
		sb_printf(b, "\n");
	}
}

static void previous_line(struct sbuf *b, const struct i18n *L, const struct recall_report *r)
{
	const struct recall_visit *v = r->previous;
	char when[64];

	if (r->history == RECALL_HISTORY_MISSING) {
		label(b, tr(L, "History"));
		sb_printf(b, tr(L, "this check is MISSING from the history (%s)"),
			  word_history_missing(L, r));
		sb_printf(b, "\n");
	}
	if (!v)
		return;
	label(b, tr(L, "Last checked"));
	sb_printf(b, tr(L, "on %s"), word_when(L, v->finished_ms, when, sizeof(when)));
	if (v->bay_name)
		sb_printf(b, tr(L, " at %s (%s)"), v->bay_name, v->iface ? v->iface : "?");
	else if (v->iface)
		sb_printf(b, tr(L, " at %s"), v->iface);
	if (v->order)
		sb_printf(b, tr(L, ", order %s"), v->order);
	sb_printf(b, ": ");
	counts_line(b, L, v->counts);
	if (v->status != RECALL_STATUS_COMPLETE)
		sb_printf(b, " (%s)", word_status(L, v->status));
	sb_printf(b, "\n");
}

static void reason(struct sbuf *b, const struct i18n *L, const struct recall_report *r,
		   const struct recall_campaign *c, const struct recall_campaign_info *ci)
{
	const char *lead = ci ? word_reason_lead(L, ci->reason_code) : NULL;

	if (!lead) {
		/* a report from a writer without reason data: its own words */
		if (c->reason)
			sb_printf(b, "    %s %s\n", tr(L, "Reason (as written by the database):"),
				  c->reason);
		return;
	}
	sb_printf(b, "    %s %s\n", tr(L, "Reason:"), lead);
	for (size_t k = 0; k < ci->n_facts; k++) {
		const struct recall_fact *f = &ci->facts[k];
		const char *part = word_part(L, report_fact_get(f, "part"));
		struct sbuf item = { 0 };

		if (part)
			sb_printf(&item, "%s: ", part);
		word_fact(&item, L, r, f);
		if (item.oom)
			b->oom = true;
		else
			wrapped_from(b, "      – ", "        ", item.s);
		free(item.s);
	}
	if (c->hotline && c->verdict == RECALL_VERDICT_UNDETERMINED)
		sb_printf(b, "      – %s %s\n", tr(L, "call the hotline"), c->hotline);
}

static void campaign(struct sbuf *b, const struct i18n *L, const struct recall_report *r,
		     size_t i)
{
	const struct recall_campaign *c = &r->campaigns[i];
	const struct recall_campaign_info *ci = info(r, i);
	char d[32];
	const char *sep = "";

	sb_printf(b, "[%s] %s%s%s\n", word_verdict_tag(L, c->verdict), c->id,
		  c->title ? " – " : "", c->title ? c->title : "");
	if (ci && (ci->make || ci->kba || ci->nhtsa || ci->start)) {
		sb_printf(b, "    ");
		if (ci->make) {
			sb_printf(b, tr(L, "make %s"), ci->make);
			sep = " · ";
		}
		if (ci->kba) {
			sb_printf(b, "%s", sep);
			sb_printf(b, tr(L, "KBA reference %s"), ci->kba);
			sep = " · ";
		}
		if (ci->nhtsa) {
			sb_printf(b, "%s", sep);
			sb_printf(b, tr(L, "NHTSA campaign %s"), ci->nhtsa);
			sep = " · ";
		}
		if (ci->start) {
			sb_printf(b, "%s", sep);
			sb_printf(b, tr(L, "campaign started %s"), word_date(L, ci->start, d, sizeof(d)));
		}
		sb_printf(b, "\n");
	}
	if (ci && (ci->flags & RECALL_CAMPAIGN_DO_NOT_DRIVE))
		sb_printf(b, "    !! %s\n", tr(L, "do not drive"));
	if (ci && (ci->flags & RECALL_CAMPAIGN_PARK_OUTSIDE))
		sb_printf(b, "    !! %s\n", tr(L, "park outside (fire risk)"));
	reason(b, L, r, c, ci);
	if (c->evidence && !(ci && ci->reason_code))
		sb_printf(b, "    %s %s\n", tr(L, "Evidence (as written by the database):"),
			  c->evidence);
	if (c->verdict == RECALL_VERDICT_NOT_AFFECTED)
		return;
	if (c->text) {
		sb_printf(b, "    %s\n", tr(L, "Defect:"));
		wrapped(b, "      ", c->text);
	}
	if (c->remedy) {
		if (c->remedy_kind)
			sb_printf(b, "    %s (%s):\n", tr(L, "Remedy"),
				  word_remedy_kind(L, c->remedy_kind));
		else
			sb_printf(b, "    %s:\n", tr(L, "Remedy"));
		wrapped(b, "      ", c->remedy);
	} else if (c->remedy_kind) {
		sb_printf(b, "    %s: %s\n", tr(L, "Remedy"), word_remedy_kind(L, c->remedy_kind));
	}
	if (ci && (ci->labour || ci->cost)) {
		sb_printf(b, "    ");
		if (ci->labour)
			sb_printf(b, tr(L, "Labour: %s"), ci->labour);
		if (ci->labour && ci->cost)
			sb_printf(b, " · ");
		if (ci->cost)
			sb_printf(b, tr(L, "Cost: %s"), ci->cost);
		sb_printf(b, "\n");
	}
	if (c->recognition || c->recognition_text) {
		struct sbuf item = { 0 };

		sb_printf(&item, "%s ", tr(L, "Recognised by:"));
		if (c->recognition)
			sb_printf(&item, "%s", word_recognition(L, c->recognition));
		if (c->recognition && c->recognition_text)
			sb_printf(&item, " – ");
		if (c->recognition_text)
			sb_printf(&item, "%s", c->recognition_text);
		if (item.oom)
			b->oom = true;
		else
			wrapped_from(b, "    ", "      ", item.s);
		free(item.s);
	}
	if (c->hotline)
		sb_printf(b, "    %s %s\n", tr(L, "Hotline:"), c->hotline);
	if (ci && (ci->extends || ci->supersedes)) {
		sb_printf(b, "    ");
		if (ci->extends)
			sb_printf(b, tr(L, "extends campaign %s"), ci->extends);
		if (ci->extends && ci->supersedes)
			sb_printf(b, " · ");
		if (ci->supersedes)
			sb_printf(b, tr(L, "supersedes campaign %s"), ci->supersedes);
		sb_printf(b, "\n");
	}
}

static void ecu_values(struct sbuf *b, const struct i18n *L, const struct recall_report *r)
{
	char addr[REPORT_ECU_MAX];

	if (!r->n_ecus)
		return;
	underline(b, tr(L, "ECUs"));
	for (size_t i = 0; i < r->n_ecus; i++) {
		const struct recall_ecu *e = &r->ecus[i];

		sb_printf(b, "%s%s%s\n", report_ecu_format(e->addr, addr), e->name ? " " : "",
			  e->name ? e->name : "");
		for (size_t j = 0; j < e->n_dids; j++) {
			const struct recall_did *d = &e->dids[j];
			const char *l = word_did_label(L, d->did);
			size_t w = l ? width(l) : 0;

			sb_printf(b, "    %04X %s", d->did, l ? l : "");
			while (w++ < 34)
				sb_printf(b, " ");
			if (report_printable(d->data, d->len)) {
				sb_printf(b, " \"%s\"\n", (const char *)d->data);
			} else {
				char *h = malloc(2 * d->len + 1);

				if (!h) {
					b->oom = true;
					return;
				}
				report_hex(h, d->data, d->len);
				sb_printf(b, " %s (hex)\n", h);
				free(h);
			}
		}
	}
}

int report_render_text(const struct recall_report *r, const struct recall_render_opts *o,
		       char **ret_text)
{
	static const enum recall_verdict order[] = {
		RECALL_VERDICT_OPEN, RECALL_VERDICT_INSPECT, RECALL_VERDICT_UNDETERMINED,
		RECALL_VERDICT_REMEDIED, RECALL_VERDICT_NOT_AFFECTED,
	};
	unsigned int counts[_RECALL_VERDICT_MAX];
	const struct i18n *L;
	struct sbuf b = { 0 };
	int ret;

	if (!r || !ret_text || (unsigned int)r->status >= _RECALL_STATUS_MAX)
		return -EINVAL;
	if ((ret = report_opts_lang(o, &L)) < 0)
		return ret;
	report_count(r, counts);

	if (r->bay_name)
		sb_printf(&b, tr(L, "Recall check · %s (%s)"), r->bay_name, r->iface ? r->iface : "");
	else if (r->iface)
		sb_printf(&b, tr(L, "Recall check · %s"), r->iface);
	else
		sb_printf(&b, "%s", tr(L, "Recall check"));
	sb_printf(&b, "\n%s\n", RULE);
	safety_box(&b, L, r);
	sb_printf(&b, ">>> ");
	word_action(&b, L, r);
	sb_printf(&b, "\n\n");

	label(&b, tr(L, "Vehicle"));
	word_vehicle(&b, L, r);
	sb_printf(&b, "\n");
	if (r->order || r->plate) {
		label(&b, tr(L, "Order"));
		if (r->order)
			sb_printf(&b, "%s", r->order);
		if (r->order && r->plate)
			sb_printf(&b, " · ");
		if (r->plate)
			sb_printf(&b, tr(L, "plate %s"), r->plate);
		sb_printf(&b, "\n");
	}
	label(&b, tr(L, "Checked"));
	word_checked(&b, L, r);
	sb_printf(&b, " · %s\n", word_status(L, r->status));
	if (!r->iface) {
		label(&b, tr(L, "Data"));
		sb_printf(&b, "%s\n", tr(L, "typed in, not read from the car"));
	}
	if (r->error) {
		label(&b, tr(L, "Why"));
		word_error(&b, L, r, r->error_fact, r->error);
		sb_printf(&b, "\n");
	}
	if (word_bus(L, r)) {
		label(&b, tr(L, "CAN bus"));
		sb_printf(&b, "%s\n", word_bus(L, r));
	}
	previous_line(&b, L, r);
	label(&b, tr(L, "Result"));
	counts_line(&b, L, counts);
	sb_printf(&b, "\n");
	if (r->addressing) {
		label(&b, tr(L, "Addressing"));
		sb_printf(&b, "%s\n", r->addressing);
	}
	database_line(&b, L, r);

	if (r->n_omitted) {
		label(&b, tr(L, "Not affected"));
		sb_printf(&b, trn(L, "%zu more campaign, not listed", "%zu more campaigns, not listed",
				  (unsigned long)r->n_omitted), r->n_omitted);
		sb_printf(&b, "\n");
	}
	if (r->n_campaigns)
		underline(&b, tr(L, "Recall campaigns"));
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (size_t i = 0; i < r->n_campaigns; i++) {
			if (r->campaigns[i].verdict != order[k])
				continue;
			campaign(&b, L, r, i);
			if (order[k] != RECALL_VERDICT_NOT_AFFECTED)
				sb_printf(&b, "\n");
		}
	}

	for (size_t i = 0, any = 0; i < r->n_errors; i++) {
		if (word_error_is_bus_line(r, i))
			continue;	/* said above, on its own line */
		if (!any++)
			underline(&b, tr(L, "Not read"));
		sb_printf(&b, "  ");
		word_error(&b, L, r, r->error_facts ? &r->error_facts[i] : NULL, r->errors[i]);
		sb_printf(&b, "\n");
	}
	ecu_values(&b, L, r);
	if (b.oom || report_clean_display(&b.s) < 0) {
		free(b.s);
		return -ENOMEM;
	}
	*ret_text = b.s;
	return 0;
}

RECALL_API int recall_report_to_text(const struct recall_report *r, char **ret_text)
{
	return report_render_text(r, NULL, ret_text);
}

int report_opts_lang(const struct recall_render_opts *opts, const struct i18n **ret)
{
	struct recall_render_opts o = { 0 };

	if (opts)
		memcpy(&o, opts, opts->size && opts->size < sizeof(o) ? opts->size : sizeof(o));
	return i18n_get(o.language, ret);
}

RECALL_API int recall_report_render(const struct recall_report *r, enum recall_format format,
				    const struct recall_render_opts *opts, char **ret)
{
	switch (format) {
	case RECALL_FORMAT_TEXT:
		return report_render_text(r, opts, ret);
	case RECALL_FORMAT_HTML:
		return report_render_html(r, opts, ret);
	default:
		return -EINVAL;
	}
}
