/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The technician's text report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "can/ident.h"
#include "plugin/report-internal.h"

/* The technician reads German; the English word stays beside it so it matches the JSON. */
static const char *const verdict_de[_RECALL_VERDICT_MAX] = {
	[RECALL_VERDICT_OPEN] = "OFFEN",
	[RECALL_VERDICT_REMEDIED] = "ERLEDIGT",
	[RECALL_VERDICT_INSPECT] = "PRÜFEN",
	[RECALL_VERDICT_UNDETERMINED] = "UNKLAR",
	[RECALL_VERDICT_NOT_AFFECTED] = "NICHT BETROFFEN",
};

static const char *const status_de[_RECALL_STATUS_MAX] = {
	[RECALL_STATUS_COMPLETE] = "vollständig",
	[RECALL_STATUS_INTERRUPTED] = "ABGEBROCHEN",
	[RECALL_STATUS_FAILED] = "FEHLGESCHLAGEN",
};

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
	report_iso_time(when, sizeof(when), r->started_ms);
	sb_printf(&b, "Rückrufprüfung%s%s\n", r->iface ? " an " : "", r->iface ? r->iface : "");
	sb_printf(&b, "==============================================================\n");
	sb_printf(&b, "Fahrzeug (FIN):  %s\n", r->vin ? r->vin : "nicht gelesen");
	sb_printf(&b, "Prüfung:         %s (%s)\n", status_de[r->status], report_status_names[r->status]);
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

	if (r->n_omitted)
		sb_printf(&b, "Nicht betroffen: %zu weitere Rückrufaktion%s (not_affected, nicht "
			  "aufgeführt)\n", r->n_omitted, r->n_omitted == 1 ? "" : "en");
	if (r->n_campaigns)
		sb_printf(&b, "\nRückrufaktionen\n---------------\n");
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (i = 0; i < r->n_campaigns; i++) {
			const struct recall_campaign *c = &r->campaigns[i];

			if (c->verdict != order[k])
				continue;
			sb_printf(&b, "[%s] (%s) %s%s%s\n", verdict_de[c->verdict],
				  report_verdict_names[c->verdict], c->id, c->title ? " – " : "",
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
		char a[24];

		sb_printf(&b, "%s%s%s\n", ident_ecu_format(e->addr, a, sizeof(a)), e->name ? " " : "",
			  e->name ? e->name : "");
		for (j = 0; j < e->n_dids; j++) {
			const struct recall_did *d = &e->dids[j];

			if (report_printable(d->data, d->len)) {
				sb_printf(&b, "    %04X = \"%s\"\n", d->did, (const char *)d->data);
			} else {
				char *h = malloc(2 * d->len + 1);

				if (!h) {
					b.oom = true;
					break;
				}
				report_hex(h, d->data, d->len);
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
