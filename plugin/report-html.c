/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The printable page: one self-contained HTML file per check (no script, no external style
 * sheet, font or image: it opens and prints the same on a workshop PC without a network, and
 * years later), laid out for A4 by a print style sheet.  The same content and order as the text
 * report (report-text.c), with the same words from the catalogue, plus the workshop's name and
 * lines to sign — a printed check is a workshop record.
 *
 * Everything that comes from a car, a database or a request (VIN, values, texts, names) is
 * escaped: a DID value is bytes an ECU chose.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/i18n.h"
#include "plugin/report-internal.h"

static void esc(struct sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			sb_printf(b, "&amp;");
			break;
		case '<':
			sb_printf(b, "&lt;");
			break;
		case '>':
			sb_printf(b, "&gt;");
			break;
		case '"':
			sb_printf(b, "&quot;");
			break;
		case '\'':
			sb_printf(b, "&#39;");
			break;
		default:
			sb_printf(b, "%c", *s);
		}
	}
}

/* Text with its line breaks kept (the manufacturer's paragraphs). */
static void esc_lines(struct sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n')
			sb_printf(b, "<br>\n");
		else {
			char one[2] = { *s, 0 };

			esc(b, one);
		}
	}
}

/* The words helpers write plain text into a scratch buffer; the page gets it escaped. */
#define WORDS(b, call)                                                                  \
	do {                                                                            \
		struct sbuf _t = { 0 };                                                 \
		struct sbuf *const w = &_t;                                             \
		call;                                                                   \
		if (_t.oom)                                                             \
			(b)->oom = true;                                                \
		esc((b), _t.s);                                                         \
		free(_t.s);                                                             \
	} while (0)

static const char *verdict_class(enum recall_verdict v)
{
	return (unsigned int)v < _RECALL_VERDICT_MAX ? report_verdict_names[v] : "unknown";
}

static const char style[] =
	"@page{size:A4;margin:14mm 14mm 16mm 14mm}\n"
	"html{font-family:\"DejaVu Sans\",\"Liberation Sans\",Arial,Helvetica,sans-serif;"
	"font-size:10pt;color:#000;background:#fff}\n"
	"body{margin:0 auto;max-width:182mm;line-height:1.35}\n"
	"header{display:flex;justify-content:space-between;align-items:baseline;"
	"border-bottom:2px solid #000;padding-bottom:2mm;margin-bottom:3mm}\n"
	"header .workshop{font-size:13pt;font-weight:bold}\n"
	"h1{font-size:15pt;margin:0}\n"
	"h2{font-size:12pt;margin:5mm 0 2mm;border-bottom:1px solid #555}\n"
	"h3{font-size:10.5pt;margin:0 0 1mm}\n"
	".safety{border:3pt solid #b00000;padding:2mm 3mm;margin:0 0 3mm}\n"
	".safety p{margin:0 0 1mm;font-weight:bold;font-size:12pt;color:#b00000}\n"
	".safety ul{margin:0 0 1mm 5mm;padding:0}\n"
	".action{font-size:13pt;font-weight:bold;border:1.5pt solid #000;padding:2mm 3mm;"
	"margin:0 0 3mm}\n"
	".action.none{border-color:#555}\n"
	"table{border-collapse:collapse;width:100%}\n"
	"table.facts th{text-align:left;vertical-align:top;width:34mm;padding:0.6mm 2mm 0.6mm 0;"
	"font-weight:bold}\n"
	"table.facts td{padding:0.6mm 0}\n"
	".campaign{border-left:4pt solid #888;padding:1mm 0 1mm 3mm;margin:0 0 3mm;"
	"break-inside:avoid;page-break-inside:avoid}\n"
	".campaign.open{border-left-color:#b00000}\n"
	".campaign.inspect,.campaign.undetermined{border-left-color:#d08000}\n"
	".campaign.remedied{border-left-color:#1a7f37}\n"
	".tag{display:inline-block;border:1pt solid #000;padding:0 1.5mm;margin-right:2mm;"
	"font-weight:bold;font-size:9pt}\n"
	".campaign.open .tag{background:#b00000;color:#fff;border-color:#b00000}\n"
	".meta,.small{font-size:9pt;color:#333}\n"
	".flags{font-weight:bold;color:#b00000}\n"
	".label{font-weight:bold}\n"
	".text{margin:0.5mm 0 1mm 4mm}\n"
	"ul.facts{margin:0.5mm 0 1mm 4mm;padding-left:4mm}\n"
	".notaffected td{padding:0.3mm 2mm 0.3mm 0;font-size:9pt;vertical-align:top}\n"
	"table.ecus td{padding:0.3mm 2mm 0.3mm 0;font-size:9pt;vertical-align:top}\n"
	"table.ecus td.value{font-family:\"DejaVu Sans Mono\",\"Liberation Mono\",monospace}\n"
	"footer{margin-top:8mm;break-inside:avoid;page-break-inside:avoid}\n"
	"footer table td{width:50%;padding-top:10mm;border-bottom:1px solid #000}\n"
	"footer table td+td{padding-left:6mm}\n"
	"footer .sig td{border:0;padding-top:1mm;font-size:8.5pt}\n"
	"@media print{.campaign .tag{-webkit-print-color-adjust:exact;"
	"print-color-adjust:exact}}\n";

static void safety(struct sbuf *b, const struct i18n *L, const struct recall_report *r)
{
	bool any = false;

	for (size_t k = 0; k < REPORT_N_SAFETY; k++) {
		bool head = false;

		for (size_t i = 0; i < r->n_campaigns; i++) {
			const struct recall_campaign *c = &r->campaigns[i];

			if (!report_safety_lists(r, i, report_safety_kinds[k].flag))
				continue;
			if (!any)
				sb_printf(b, "<div class=\"safety\" role=\"alert\">\n");
			if (!head) {
				if (any)
					sb_printf(b, "</ul>\n");
				sb_printf(b, "<p>");
				esc(b, tr(L, report_safety_kinds[k].title));
				sb_printf(b, "</p>\n<ul>\n");
			}
			any = head = true;
			sb_printf(b, "<li>");
			esc(b, c->id);
			if (c->title) {
				sb_printf(b, " – ");
				esc(b, c->title);
			}
			sb_printf(b, " (");
			esc(b, word_verdict(L, c->verdict));
			sb_printf(b, ")</li>\n");
		}
	}
	if (any)
		sb_printf(b, "</ul>\n</div>\n");
}

static void row_start(struct sbuf *b, const char *th)
{
	sb_printf(b, "<tr><th>");
	esc(b, th);
	sb_printf(b, "</th><td>");
}

static void counts(struct sbuf *b, const struct i18n *L, const unsigned int c[])
{
	WORDS(b, sb_printf(w, tr(L, "%u open · %u to inspect · %u unclear · %u remedied · "
				    "%u not affected"),
			   c[RECALL_VERDICT_OPEN], c[RECALL_VERDICT_INSPECT],
			   c[RECALL_VERDICT_UNDETERMINED], c[RECALL_VERDICT_REMEDIED],
			   c[RECALL_VERDICT_NOT_AFFECTED]));
}

static void facts_table(struct sbuf *b, const struct i18n *L, const struct recall_report *r)
{
	unsigned int c[_RECALL_VERDICT_MAX];
	const struct recall_database_info *d = r->db;
	char when[64];

	report_count(r, c);
	sb_printf(b, "<table class=\"facts\">\n");
	row_start(b, tr(L, "Vehicle"));
	WORDS(b, word_vehicle(w, L, r));
	sb_printf(b, "</td></tr>\n");
	if (r->order || r->plate) {
		row_start(b, tr(L, "Order"));
		esc(b, r->order);
		if (r->order && r->plate)
			sb_printf(b, " · ");
		if (r->plate)
			WORDS(b, sb_printf(w, tr(L, "plate %s"), r->plate));
		sb_printf(b, "</td></tr>\n");
	}
	row_start(b, tr(L, "Checked"));
	WORDS(b, word_checked(w, L, r));
	sb_printf(b, " · ");
	esc(b, word_status(L, r->status));
	if (r->bay_name || r->iface) {
		sb_printf(b, " · ");
		esc(b, r->bay_name ? r->bay_name : r->iface);
		if (r->bay_name && r->iface) {
			sb_printf(b, " (");
			esc(b, r->iface);
			sb_printf(b, ")");
		}
	}
	sb_printf(b, "</td></tr>\n");
	if (!r->iface) {
		row_start(b, tr(L, "Data"));
		esc(b, tr(L, "typed in, not read from the car"));
		sb_printf(b, "</td></tr>\n");
	}
	if (r->error) {
		row_start(b, tr(L, "Why"));
		WORDS(b, word_error(w, L, r, r->error_fact, r->error));
		sb_printf(b, "</td></tr>\n");
	}
	if (word_bus(L, r)) {
		row_start(b, tr(L, "CAN bus"));
		esc(b, word_bus(L, r));
		sb_printf(b, "</td></tr>\n");
	}
	if (r->history == RECALL_HISTORY_MISSING) {
		row_start(b, tr(L, "History"));
		WORDS(b, sb_printf(w, tr(L, "this check is MISSING from the history (%s)"),
				   word_history_missing(L, r)));
		sb_printf(b, "</td></tr>\n");
	}
	if (r->previous) {
		const struct recall_visit *v = r->previous;

		row_start(b, tr(L, "Last checked"));
		WORDS(b, sb_printf(w, tr(L, "on %s"),
				   word_when(L, v->finished_ms, when, sizeof(when))));
		if (v->bay_name)
			WORDS(b, sb_printf(w, tr(L, " at %s (%s)"), v->bay_name,
					   v->iface ? v->iface : "?"));
		else if (v->iface)
			WORDS(b, sb_printf(w, tr(L, " at %s"), v->iface));
		if (v->order)
			WORDS(b, sb_printf(w, tr(L, ", order %s"), v->order));
		sb_printf(b, ": ");
		counts(b, L, v->counts);
		sb_printf(b, "</td></tr>\n");
	}
	row_start(b, tr(L, "Result"));
	counts(b, L, c);
	sb_printf(b, "</td></tr>\n");
	if (r->addressing) {
		row_start(b, tr(L, "Addressing"));
		esc(b, r->addressing);
		sb_printf(b, "</td></tr>\n");
	}
	if (d && (d->path || d->checksum)) {
		row_start(b, tr(L, "Database"));
		sb_printf(b, "<span class=\"small\">");
		esc(b, d->path ? d->path : "?");
		WORDS(b, sb_printf(w, trn(L, " · %llu campaign", " · %llu campaigns",
					  (unsigned long)d->campaigns),
				   (unsigned long long)d->campaigns));
		WORDS(b, sb_printf(w, trn(L, " · %llu listed VIN", " · %llu listed VINs",
					  (unsigned long)d->listed_vins),
				   (unsigned long long)d->listed_vins));
		if (d->written_by)
			WORDS(b, sb_printf(w, tr(L, " · written by %s"), d->written_by));
		if (d->checksum) {
			sb_printf(b, "<br>");
			WORDS(b, sb_printf(w, tr(L, "checksum %.16s"), d->checksum));
		}
		if (d->signer_key_id) {
			WORDS(b, sb_printf(w, tr(L, " · signed with key %s"), d->signer_key_id));
			if (d->signer_name) {
				sb_printf(b, " (");
				esc(b, d->signer_name);
				sb_printf(b, ")");
			}
		} else if (d->checksum) {
			sb_printf(b, " · ");
			esc(b, tr(L, "unsigned"));
		}
		sb_printf(b, "</span></td></tr>\n");
	} else if (r->database) {
		row_start(b, tr(L, "Database"));
		sb_printf(b, "<span class=\"small\">");
		esc(b, r->database);
		sb_printf(b, "</span></td></tr>\n");
	}
	sb_printf(b, "</table>\n");
}

static void campaign(struct sbuf *b, const struct i18n *L, const struct recall_report *r,
		     size_t i)
{
	const struct recall_campaign *c = &r->campaigns[i];
	const struct recall_campaign_info *ci = r->campaign_info ? &r->campaign_info[i] : NULL;
	const char *lead = ci ? word_reason_lead(L, ci->reason_code) : NULL;
	const char *sep = "";
	char d[32];

	sb_printf(b, "<section class=\"campaign %s\">\n<h3><span class=\"tag\">",
		  verdict_class(c->verdict));
	esc(b, word_verdict_tag(L, c->verdict));
	sb_printf(b, "</span>");
	esc(b, c->id);
	if (c->title) {
		sb_printf(b, " – ");
		esc(b, c->title);
	}
	sb_printf(b, "</h3>\n");
	if (ci && (ci->make || ci->kba || ci->nhtsa || ci->start)) {
		sb_printf(b, "<div class=\"meta\">");
		if (ci->make) {
			WORDS(b, sb_printf(w, tr(L, "make %s"), ci->make));
			sep = " · ";
		}
		if (ci->kba) {
			sb_printf(b, "%s", sep);
			WORDS(b, sb_printf(w, tr(L, "KBA reference %s"), ci->kba));
			sep = " · ";
		}
		if (ci->nhtsa) {
			sb_printf(b, "%s", sep);
			WORDS(b, sb_printf(w, tr(L, "NHTSA campaign %s"), ci->nhtsa));
			sep = " · ";
		}
		if (ci->start) {
			sb_printf(b, "%s", sep);
			WORDS(b, sb_printf(w, tr(L, "campaign started %s"),
					   word_date(L, ci->start, d, sizeof(d))));
		}
		sb_printf(b, "</div>\n");
	}
	if (ci && (ci->flags & (RECALL_CAMPAIGN_DO_NOT_DRIVE | RECALL_CAMPAIGN_PARK_OUTSIDE))) {
		sb_printf(b, "<div class=\"flags\">");
		if (ci->flags & RECALL_CAMPAIGN_DO_NOT_DRIVE)
			esc(b, tr(L, "do not drive"));
		if ((ci->flags & RECALL_CAMPAIGN_DO_NOT_DRIVE) &&
		    (ci->flags & RECALL_CAMPAIGN_PARK_OUTSIDE))
			sb_printf(b, " · ");
		if (ci->flags & RECALL_CAMPAIGN_PARK_OUTSIDE)
			esc(b, tr(L, "park outside (fire risk)"));
		sb_printf(b, "</div>\n");
	}
	sb_printf(b, "<div><span class=\"label\">");
	if (lead) {
		esc(b, tr(L, "Reason:"));
		sb_printf(b, "</span> ");
		esc(b, lead);
		sb_printf(b, "</div>\n<ul class=\"facts\">\n");
		for (size_t k = 0; k < ci->n_facts; k++) {
			const char *part = word_part(L, report_fact_get(&ci->facts[k], "part"));

			sb_printf(b, "<li>");
			if (part) {
				esc(b, part);
				sb_printf(b, ": ");
			}
			WORDS(b, word_fact(w, L, r, &ci->facts[k]));
			sb_printf(b, "</li>\n");
		}
		if (c->hotline && c->verdict == RECALL_VERDICT_UNDETERMINED) {
			sb_printf(b, "<li>");
			esc(b, tr(L, "call the hotline"));
			sb_printf(b, " ");
			esc(b, c->hotline);
			sb_printf(b, "</li>\n");
		}
		sb_printf(b, "</ul>\n");
	} else if (c->reason) {
		esc(b, tr(L, "Reason (as written by the database):"));
		sb_printf(b, "</span> ");
		esc(b, c->reason);
		sb_printf(b, "</div>\n");
	} else {
		sb_printf(b, "</span></div>\n");
	}
	if (c->evidence && !lead) {
		sb_printf(b, "<div><span class=\"label\">");
		esc(b, tr(L, "Evidence (as written by the database):"));
		sb_printf(b, "</span> ");
		esc(b, c->evidence);
		sb_printf(b, "</div>\n");
	}
	if (c->text) {
		sb_printf(b, "<div class=\"label\">");
		esc(b, tr(L, "Defect:"));
		sb_printf(b, "</div>\n<div class=\"text\">");
		esc_lines(b, c->text);
		sb_printf(b, "</div>\n");
	}
	if (c->remedy || c->remedy_kind) {
		sb_printf(b, "<div class=\"label\">");
		esc(b, tr(L, "Remedy"));
		if (c->remedy_kind) {
			sb_printf(b, " (");
			esc(b, word_remedy_kind(L, c->remedy_kind));
			sb_printf(b, ")");
		}
		sb_printf(b, "</div>\n");
		if (c->remedy) {
			sb_printf(b, "<div class=\"text\">");
			esc_lines(b, c->remedy);
			sb_printf(b, "</div>\n");
		}
	}
	if (ci && (ci->labour || ci->cost)) {
		sb_printf(b, "<div>");
		if (ci->labour)
			WORDS(b, sb_printf(w, tr(L, "Labour: %s"), ci->labour));
		if (ci->labour && ci->cost)
			sb_printf(b, " · ");
		if (ci->cost)
			WORDS(b, sb_printf(w, tr(L, "Cost: %s"), ci->cost));
		sb_printf(b, "</div>\n");
	}
	if (c->recognition || c->recognition_text) {
		sb_printf(b, "<div><span class=\"label\">");
		esc(b, tr(L, "Recognised by:"));
		sb_printf(b, "</span> ");
		esc(b, word_recognition(L, c->recognition));
		if (c->recognition && c->recognition_text)
			sb_printf(b, " – ");
		esc(b, c->recognition_text);
		sb_printf(b, "</div>\n");
	}
	if (c->hotline) {
		sb_printf(b, "<div><span class=\"label\">");
		esc(b, tr(L, "Hotline:"));
		sb_printf(b, "</span> ");
		esc(b, c->hotline);
		sb_printf(b, "</div>\n");
	}
	if (ci && (ci->extends || ci->supersedes)) {
		sb_printf(b, "<div class=\"meta\">");
		if (ci->extends)
			WORDS(b, sb_printf(w, tr(L, "extends campaign %s"), ci->extends));
		if (ci->extends && ci->supersedes)
			sb_printf(b, " · ");
		if (ci->supersedes)
			WORDS(b, sb_printf(w, tr(L, "supersedes campaign %s"), ci->supersedes));
		sb_printf(b, "</div>\n");
	}
	sb_printf(b, "</section>\n");
}

/* Not affected: one line each with its reason, a table rather than a page of sections. */
static void not_affected(struct sbuf *b, const struct i18n *L, const struct recall_report *r)
{
	bool any = false;

	for (size_t i = 0; i < r->n_campaigns; i++) {
		const struct recall_campaign *c = &r->campaigns[i];
		const struct recall_campaign_info *ci =
			r->campaign_info ? &r->campaign_info[i] : NULL;

		if (c->verdict != RECALL_VERDICT_NOT_AFFECTED)
			continue;
		if (!any) {
			sb_printf(b, "<h2>");
			esc(b, tr(L, "Not affected"));
			sb_printf(b, "</h2>\n<table class=\"notaffected\">\n");
		}
		any = true;
		sb_printf(b, "<tr><td>");
		esc(b, c->id);
		sb_printf(b, "</td><td>");
		esc(b, c->title);
		sb_printf(b, "</td><td>");
		if (ci && ci->n_facts) {
			for (size_t k = 0; k < ci->n_facts; k++) {
				if (k)
					sb_printf(b, "; ");
				WORDS(b, word_fact(w, L, r, &ci->facts[k]));
			}
		} else if (ci && word_reason_lead(L, ci->reason_code)) {
			esc(b, word_reason_lead(L, ci->reason_code));
		} else {
			esc(b, c->reason);
		}
		sb_printf(b, "</td></tr>\n");
	}
	if (any)
		sb_printf(b, "</table>\n");
}

static void ecus(struct sbuf *b, const struct i18n *L, const struct recall_report *r)
{
	char addr[REPORT_ECU_MAX];

	if (!r->n_ecus)
		return;
	sb_printf(b, "<h2>");
	esc(b, tr(L, "ECUs"));
	sb_printf(b, "</h2>\n<table class=\"ecus\">\n");
	for (size_t i = 0; i < r->n_ecus; i++) {
		const struct recall_ecu *e = &r->ecus[i];

		for (size_t j = 0; j < e->n_dids || j == 0; j++) {
			const struct recall_did *d = j < e->n_dids ? &e->dids[j] : NULL;

			sb_printf(b, "<tr><td>");
			if (j == 0) {
				esc(b, report_ecu_format(e->addr, addr));
				if (e->name) {
					sb_printf(b, " ");
					esc(b, e->name);
				}
			}
			sb_printf(b, "</td><td>");
			if (d) {
				sb_printf(b, "%04X ", d->did);
				esc(b, word_did_label(L, d->did));
				sb_printf(b, "</td><td class=\"value\">");
				if (report_printable(d->data, d->len)) {
					esc(b, (const char *)d->data);
				} else {
					char *h = malloc(2 * d->len + 1);

					if (!h) {
						b->oom = true;
						return;
					}
					report_hex(h, d->data, d->len);
					sb_printf(b, "%s (hex)", h);
					free(h);
				}
			} else {
				sb_printf(b, "</td><td>");
			}
			sb_printf(b, "</td></tr>\n");
		}
	}
	sb_printf(b, "</table>\n");
}

int report_render_html(const struct recall_report *r, const struct recall_render_opts *opts,
		       char **ret)
{
	static const enum recall_verdict order[] = {
		RECALL_VERDICT_OPEN, RECALL_VERDICT_INSPECT, RECALL_VERDICT_UNDETERMINED,
		RECALL_VERDICT_REMEDIED,
	};
	struct recall_render_opts o = { 0 };
	unsigned int c[_RECALL_VERDICT_MAX];
	const struct i18n *L;
	struct sbuf b = { 0 };
	size_t n_errors = 0;
	bool nothing;
	int rc;

	if (!r || !ret || (unsigned int)r->status >= _RECALL_STATUS_MAX)
		return -EINVAL;
	if (opts)
		memcpy(&o, opts, opts->size && opts->size < sizeof(o) ? opts->size : sizeof(o));
	if ((rc = report_opts_lang(opts, &L)) < 0)
		return rc;
	report_count(r, c);
	nothing = r->status == RECALL_STATUS_COMPLETE && !c[RECALL_VERDICT_OPEN] &&
		  !c[RECALL_VERDICT_INSPECT] && !c[RECALL_VERDICT_UNDETERMINED];

	sb_printf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
		  i18n_code(L));
	sb_printf(&b, "<meta name=\"generator\" content=\"recalld\">\n<title>");
	esc(&b, tr(L, "Recall check"));
	if (r->vin) {
		sb_printf(&b, " – ");
		esc(&b, r->vin);
	}
	sb_printf(&b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<div>", style);
	if (o.workshop) {
		sb_printf(&b, "<div class=\"workshop\">");
		esc(&b, o.workshop);
		sb_printf(&b, "</div>");
	}
	sb_printf(&b, "<h1>");
	esc(&b, tr(L, "Recall check"));
	sb_printf(&b, "</h1></div>\n<div class=\"small\">");
	if (r->bay_name)
		esc(&b, r->bay_name);
	if (r->bay_name && r->started_ms > 0)
		sb_printf(&b, " · ");
	if (r->started_ms > 0) {
		char when[64];

		esc(&b, word_when(L, r->started_ms, when, sizeof(when)));
	}
	sb_printf(&b, "</div>\n</header>\n");
	safety(&b, L, r);
	sb_printf(&b, "<p class=\"action%s\">", nothing ? " none" : "");
	WORDS(&b, word_action(w, L, r));
	sb_printf(&b, "</p>\n");
	facts_table(&b, L, r);

	if (c[RECALL_VERDICT_OPEN] + c[RECALL_VERDICT_INSPECT] + c[RECALL_VERDICT_UNDETERMINED] +
	    c[RECALL_VERDICT_REMEDIED]) {
		sb_printf(&b, "<h2>");
		esc(&b, tr(L, "Recall campaigns"));
		sb_printf(&b, "</h2>\n");
	}
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (size_t i = 0; i < r->n_campaigns; i++)
			if (r->campaigns[i].verdict == order[k])
				campaign(&b, L, r, i);
	not_affected(&b, L, r);
	if (r->n_omitted) {
		sb_printf(&b, "<p class=\"small\">");
		esc(&b, tr(L, "Not affected"));
		sb_printf(&b, ": ");
		WORDS(&b, sb_printf(w, trn(L, "%zu more campaign, not listed",
					   "%zu more campaigns, not listed",
					   (unsigned long)r->n_omitted), r->n_omitted));
		sb_printf(&b, "</p>\n");
	}
	/* the bus cause is in the facts table, on its own row; not again here */
	for (size_t i = 0; i < r->n_errors; i++)
		n_errors += !word_error_is_bus_line(r, i);
	if (n_errors) {
		sb_printf(&b, "<h2>");
		esc(&b, tr(L, "Not read"));
		sb_printf(&b, "</h2>\n<ul class=\"small\">\n");
		for (size_t i = 0; i < r->n_errors; i++) {
			if (word_error_is_bus_line(r, i))
				continue;
			sb_printf(&b, "<li>");
			WORDS(&b, word_error(w, L, r, r->error_facts ? &r->error_facts[i] : NULL,
					     r->errors[i]));
			sb_printf(&b, "</li>\n");
		}
		sb_printf(&b, "</ul>\n");
	}
	ecus(&b, L, r);
	sb_printf(&b, "<footer>\n<table>\n<tr><td></td><td></td></tr>\n<tr class=\"sig\"><td>");
	esc(&b, tr(L, "Date, technician"));
	sb_printf(&b, "</td><td>");
	esc(&b, tr(L, "Signature"));
	sb_printf(&b, "</td></tr>\n</table>\n</footer>\n</body>\n</html>\n");
	if (b.oom || report_clean_display(&b.s) < 0) {
		free(b.s);
		return -ENOMEM;
	}
	*ret = b.s;
	return 0;
}
