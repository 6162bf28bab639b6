/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * librecall's internal header: the report builders and the check that the library, the tools and
 * the daemon share (linked statically into them, exported from librecall.so only through
 * recall.h).  Never installed.  Nothing about the daemon is here: its parts have their own
 * headers under plugin/daemon/.
 */
#ifndef RECALL_INTERNAL_H
#define RECALL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "plugin/recall.h"

/* ---- report.c ---------------------------------------------------------------------------- */

/* Builders used by the check and the daemon; on -ENOMEM the report is unchanged. */
struct recall_report *report_new(void);
int report_set_str(char **field, const char *value);
int report_add_ecu(struct recall_report *r, uint32_t addr, const char *name,
		   struct recall_ecu **ret_ecu);
struct recall_ecu *report_find_ecu(struct recall_report *r, uint32_t addr);
int report_add_did(struct recall_ecu *e, uint16_t did, const void *data, size_t len);
/* A campaign's verdict as the builders take it (strings are copied; "" and NULL both mean
 * not given; id is required). */
struct campaign_in {
	const char *id, *title, *text;
	enum recall_verdict verdict;
	const char *reason, *remedy, *remedy_kind, *recognition, *recognition_text, *hotline,
		*evidence;
	/* struct recall_campaign_info */
	const char *make, *kba, *nhtsa, *cost, *labour, *start, *extends, *supersedes;
	unsigned int flags;
	const char *reason_code;
	const struct recall_fact *facts;	/* copied */
	size_t n_facts;
};
int report_add_campaign(struct recall_report *r, const struct campaign_in *c);
int report_add_error(struct recall_report *r, const char *message);
/* An error with its data (fact may be NULL). */
int report_add_error_fact(struct recall_report *r, const char *message,
			  const struct recall_fact *fact);
/* The report's error (why interrupted / failed) and its data (fact may be NULL). */
int report_set_error_fact(struct recall_report *r, const char *message,
			  const struct recall_fact *fact);
int report_set_db(struct recall_report *r, const struct recall_database_info *db);
/* from NULL removes the previous visit. */
int report_set_previous(struct recall_report *r, const struct recall_visit *from);

/* Facts: a code and parameters (struct recall_fact).  On failure the fact is unchanged. */
int report_fact_init(struct recall_fact *f, const char *code);
int report_fact_add(struct recall_fact *f, const char *key, enum recall_param_type type,
		    const char *value);
int report_fact_addf(struct recall_fact *f, const char *key, enum recall_param_type type,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The value of key, NULL when the fact has none. */
const char *report_fact_get(const struct recall_fact *f, const char *key);
int report_fact_copy(struct recall_fact *dst, const struct recall_fact *src);
void report_fact_done(struct recall_fact *f);
/* "0x61", or "0x710:0x77A" for a request:response pair (bit 31 set; can/ident.h) into buf
 * (at least REPORT_ECU_MAX bytes). */
#define REPORT_ECU_MAX 16
const char *report_ecu_format(uint32_t addr, char buf[REPORT_ECU_MAX]);
/* The reverse; -EINVAL for anything else. */
int report_ecu_parse(const char *s, uint32_t *ret);
/* Counts campaigns by verdict; counts has _RECALL_VERDICT_MAX slots. */
void report_count(const struct recall_report *r, unsigned int counts[_RECALL_VERDICT_MAX]);
/* The exit status a report means for every program that shows one (plugin/cli.h): INCOMPLETE
 * for a check that did not finish, FINDING for an open, inspect or undetermined campaign, else
 * NOTHING.  One function, so recall-check, recall-report and recallctl cannot drift apart. */
int report_exit_status(const struct recall_report *r);
/* The syslog line: "vcan0: VIN WBY...: complete: 1 open, 0 remedied, ..." */
int report_summary_line(const struct recall_report *r, char **ret_line);
/* Write data to dir/name atomically (temporary file, fsync, rename). */
int report_write_file(const char *dir, const char *name, const char *data, size_t len);
/* How the files for people are written; zero-filled: German text, no page. */
struct report_save_opts {
	const char *language;		/* of .txt and .html; NULL = German */
	const char *workshop;		/* on the page */
	bool html;			/* also .html */
};
/* A check's files, made now and written later (the daemon's spool): the common name part
 * IFACE-YYYYMMDDTHHMMSSZ-SEQ and the contents; html NULL when no page is wanted. */
struct report_files {
	char *base, *json, *text, *html;
};
int report_render_files(const struct recall_report *r, unsigned int seq,
			const struct report_save_opts *opts, struct report_files *ret);
/* BASE.txt, BASE.html, then BASE.json into dir, each atomically, mode 0640; a .json present
 * means the set is whole. */
int report_write_files(const char *dir, const struct report_files *f);
size_t report_files_size(const struct report_files *f);
void report_files_done(struct report_files *f);
/* Render and write <iface>-<time>-<seq>.txt (.html) and .json into dir; ret_base gets the
 * common name part. */
int report_save(const struct recall_report *r, const char *dir, unsigned int seq,
		const struct report_save_opts *opts, char **ret_base);
/* That common name part: IFACE-YYYYMMDDTHHMMSSZ-SEQ (malloc'd). */
int report_file_base(const struct recall_report *r, unsigned int seq, char **ret);
/* The report as a json-c object (caller owns the reference). */
struct json_object;
int report_to_json_object(const struct recall_report *r, struct json_object **ret_obj);
int report_from_json_object(struct json_object *obj, struct recall_report **ret_report);
/* recall_report_from_json without its size bound: the caller bounds len (the daemon reads
 * reports of any size up to its own max_report). */
int report_parse_json(const char *json, size_t len, struct recall_report **ret_report);

/* ---- ident-json.c: an identity (can/ident.h) as JSON, recall-ident --json's keys ---------- */
struct ident;
struct json_object *ident_to_json(const struct ident *id);

/* ---- report-bus.c: the bus as the cause (issue 12) ----------------------------------------- */

struct canlink_errstats;
struct json_object;
/* Judge what the bus showed during a read (can/'s error frames) and, when it was the problem,
 * set r->bus and add the cause in words to r->errors (and to r->error when the check failed).
 * echo_means_ack: the driver echoes a frame only after it was acknowledged (IFF_ECHO);
 * answered: an ECU answered; removed: the interface vanished during the read. */
int report_note_bus(struct recall_report *r, const struct canlink_errstats *st,
		    bool echo_means_ack, bool answered, bool removed);
/* Set the bus cause alone (the daemon: adapter removed mid-check), keeping counts if any. */
int report_set_bus_cause(struct recall_report *r, const char *cause);
void report_bus_free(struct recall_bus *b);
int report_bus_to_json(const struct recall_bus *b, struct json_object **ret_obj);
int report_bus_from_json(struct json_object *o, struct recall_bus **ret_bus);
/* The cause in the report's language (the catalogue) / in English for logs and JSON errors;
 * NULL for a cause this version does not know. */
struct i18n;
const char *report_bus_words(const struct i18n *L, const char *cause);
const char *report_bus_words_en(const char *cause);

/* ---- check.c: the one check shared by recalld's children, librecall and recall-check ------ */

/* Called with the report as read so far (VIN, ECUs), e.g. after the identity is read. */
typedef void (*check_progress_fn)(void *userdata, const struct recall_report *partial);

/* Open and validate a database, every block read and checked (RDB_OPEN_VERIFY_ALL); on failure
 * *ret_error (malloc'd, may stay NULL) says why. */
int check_db_open(const char *path, struct recall_db **ret_db, char **ret_error);
/* The same with rules/' options: lazy for a one-shot check, trusted keys, signature required. */
struct rdb_open_opts;
int check_db_open_with(const char *path, const struct rdb_open_opts *opts,
		       struct recall_db **ret_db, char **ret_error);
/* "recalls.rdb (N campaigns, ..., signed by key ID (trusted: NAME))"; malloc'd, NULL on OOM. */
char *check_db_describe(const struct recall_db *db);
/* The rules/ handle, for its facts (rdb_get_info: path, counts, checksum, signer). */
struct rdb;
const struct rdb *check_db_rdb(const struct recall_db *db);
/* identity (can/) -> verdicts (rules/) -> report.  A car that does not answer or an interface
 * that vanishes still gives a report (failed / interrupted); < 0 only for bad arguments or OOM. */
int check_run(struct recall_db *db, const char *iface, const struct recall_check_opts *opts,
	      check_progress_fn progress, void *userdata, struct recall_report **ret_report);
/* The part of check_run after the bus: what can/ read (id) -> status, facts, verdicts into R
 * (made by the caller with iface/started/database set).  Pure, so unit tests feed it identities. */
struct ident;
int check_identity(struct recall_db *db, const struct ident *id, unsigned int flags,
		   check_progress_fn progress, void *userdata, struct recall_report *r);
/* Verdicts for facts given by the caller (recall-check --vin/--did): a complete report. */
struct rdb_vehicle;
int check_facts(struct recall_db *db, const struct rdb_vehicle *v, unsigned int flags,
		struct recall_report **ret_report);
/* Adds the verdicts for V to R (RECALL_CHECK_ALL_CAMPAIGNS: every campaign). */
int check_decide(struct recall_db *db, const struct rdb_vehicle *v, unsigned int flags,
		 struct recall_report *r);

#endif
