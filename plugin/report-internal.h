/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the report's parts share and nothing else includes: the model (report.c), its JSON
 * (report-json.c), its text (report-text.c) and its files (report-files.c).
 */
#ifndef RECALL_REPORT_INTERNAL_H
#define RECALL_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin/recall-internal.h"

#define REPORT_JSON_MAX (4u << 20)	/* far above any real car; bounds the parser */
#define REPORT_MAX_ECUS 256
#define REPORT_MAX_DIDS 256
#define REPORT_MAX_CAMPAIGNS (1u << 20)	/* a whole database; JSON size bounds parsing */
#define REPORT_MAX_DID_LEN 4096
#define REPORT_MAX_ERRORS 256
#define REPORT_MAX_FACTS 32		/* per verdict */
#define REPORT_MAX_PARAMS 16		/* per fact */

/* The JSON words, indexed by enum. */
extern const char *const report_verdict_names[_RECALL_VERDICT_MAX];
extern const char *const report_status_names[_RECALL_STATUS_MAX];

/* Index of s in names[0..n), -EINVAL when absent. */
int report_lookup(const char *const *names, unsigned int n, const char *s);
void report_campaign_done(struct recall_campaign *c);
/* A DID value shown as text only when every byte is printable ASCII. */
bool report_printable(const uint8_t *d, size_t len);
/* out gets 2 * len + 1 bytes: upper-case hex and a NUL. */
void report_hex(char *out, const uint8_t *d, size_t len);
void report_iso_time(char *out, size_t size, int64_t ms);

/* A growable string; the first failure sticks, so callers check once at the end. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Indent every line of a multi-line text so it stays under its heading. */
void sb_indented(struct sbuf *b, const char *indent, const char *text);
/* Make a rendering safe to show: what is not UTF-8, and every control character but the line
 * break (C0, DEL, C1 — a terminal's escape sequences, a printer's commands), becomes U+FFFD; a
 * tab a blank.  A report's strings come from files and station programs as well as from can/
 * and rules/ (which escape what a car sends).  *s is replaced only when something changed. */
int report_clean_display(char **s);

/* ---- the words of the report for people (report-words.c) --------------------------------- */

struct i18n;
const char *word_verdict_tag(const struct i18n *L, enum recall_verdict v);	/* "OFFEN" */
const char *word_verdict(const struct i18n *L, enum recall_verdict v);		/* "offen" */
const char *word_status(const struct i18n *L, enum recall_status s);
const char *word_remedy_kind(const struct i18n *L, const char *kind);
const char *word_recognition(const struct i18n *L, const char *rec);
const char *word_did_label(const struct i18n *L, uint16_t did);
void word_did(struct sbuf *b, const struct i18n *L, uint16_t did);
/* Local time / a "YYYY-MM-DD" date in the language's notation, into buf. */
const char *word_when(const struct i18n *L, int64_t ms, char *buf, size_t size);
const char *word_date(const struct i18n *L, const char *iso, char *buf, size_t size);
void word_duration(struct sbuf *b, const struct i18n *L, int64_t ms);
/* When the check ran and how long it took ("01.12.2026, 19:28 Uhr (0,3 s)"), or that the report
 * does not say. */
void word_checked(struct sbuf *b, const struct i18n *L, const struct recall_report *r);
/* Why a check is missing from the history, in words (r->history_error_code), or its message. */
const char *word_history_missing(const struct i18n *L, const struct recall_report *r);
/* open, inspect, undetermined: the verdicts that keep a car from being done. */
bool report_needs_action(enum recall_verdict v);
/* The warnings at the very top of the text and the page, in the order shown; the titles are
 * catalogue keys (tr() them).  One table, so both forms say the same words. */
struct report_safety {
	unsigned int flag;		/* RECALL_CAMPAIGN_* */
	const char *title;
};
#define REPORT_N_SAFETY 2
extern const struct report_safety report_safety_kinds[REPORT_N_SAFETY];
/* Campaign i of r is listed under the warning for flag: it carries the flag and still needs
 * action (a remedied fire risk is no warning). */
bool report_safety_lists(const struct recall_report *r, size_t i, unsigned int flag);
void word_action(struct sbuf *b, const struct i18n *L, const struct recall_report *r);
void word_vehicle(struct sbuf *b, const struct i18n *L, const struct recall_report *r);
/* A reason's fact, an error (its data; message when there is none), in words. */
void word_fact(struct sbuf *b, const struct i18n *L, const struct recall_report *r,
	       const struct recall_fact *f);
void word_error(struct sbuf *b, const struct i18n *L, const struct recall_report *r,
		const struct recall_fact *f, const char *message);
/* The bus's cause (r->bus) in words: the catalogue's, or the code of a cause this version does
 * not know; NULL when the report has no bus cause. */
const char *word_bus(const struct i18n *L, const struct recall_report *r);
/* errors[i] is the bus cause the report shows on its own line (not again under "Not read"). */
bool word_error_is_bus_line(const struct recall_report *r, size_t i);
const char *word_reason_lead(const struct i18n *L, const char *code);
const char *word_part(const struct i18n *L, const char *part);
/* The language from opts (NULL: German); -EINVAL for an unknown one. */
int report_opts_lang(const struct recall_render_opts *opts, const struct i18n **ret);

int report_render_text(const struct recall_report *r, const struct recall_render_opts *o,
		       char **ret);
int report_render_html(const struct recall_report *r, const struct recall_render_opts *o,
		       char **ret);

#endif
