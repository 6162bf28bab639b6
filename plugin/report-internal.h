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

#endif
