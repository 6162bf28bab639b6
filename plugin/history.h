/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The history of every finished check: an embedded SQLite database (libsqlite3), one row per
 * check and one per campaign verdict, so a workshop can ask "what did we find on this VIN last
 * week, and was the campaign done since?".
 *
 * Why SQLite: it is the embedded database Debian ships and every workshop tool can read
 * (sqlite3 CLI, any language), it is transactional, and in WAL mode a process killed in the
 * middle of a write leaves the last committed state intact — the next open rolls the torn
 * transaction back.  A full disk fails the one insert (SQLITE_FULL), never the database.
 *
 * Not for threads: one handle per process (the daemon's loop), WAL lets readers (the sqlite3
 * CLI, a backup) run beside it.
 */
#ifndef RECALL_HISTORY_H
#define RECALL_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "plugin/recall.h"

struct history;

/* Opens (creates) the history at path: WAL, synchronous=FULL (a check is a workshop record,
 * like the report files, which are fsynced), foreign keys, the schema.  vfs: NULL for the
 * default (tests pass their own to cut writes short).  On failure *ret_error (malloc'd, may stay
 * NULL) says why. */
int history_open(const char *path, const char *vfs, struct history **ret, char **ret_error);
struct history *history_close(struct history *h);
/* The last error message of the database ("database or disk is full"). */
const char *history_error(const struct history *h);

/* Records a finished check in one transaction; *ret_id gets its number.  -ENOSPC for a full
 * disk, -EIO for anything else the database refused (history_error says what). */
int history_add(struct history *h, const struct recall_report *r, const char *report_file,
		int64_t *ret_id);
/* The car's last recorded check before now, or -ENOENT. */
int history_last(struct history *h, const char *vin, struct recall_visit *ret);
void history_visit_done(struct recall_visit *v);
/* Deletes the checks finished before cutoff_ms (retention); *ret_n gets how many. */
int history_prune(struct history *h, int64_t cutoff_ms, uint64_t *ret_n);
uint64_t history_count(struct history *h);

/* A car's checks newest first, at most limit, each with its verdicts and what changed against
 * the check before it ("changes": a campaign that was open and is now remedied, and by what
 * evidence), as the JSON the control request `history` answers with:
 *   {"vin": …, "checks": [{"id", "finished", "finished_ms", "iface", "bay_name", "status",
 *    "order", "plate", "error", "database": {"path", "checksum"}, "summary": {…},
 *    "campaigns": [{"id", "title", "verdict", "reason", "reason_code", "evidence",
 *                   "reason_facts"}],
 *    "changes": [{"campaign", "title", "from", "to", "evidence", "reason_code",
 *                 "reason_facts"}]}], "total": N}
 * "from" is null for a campaign the previous check did not list.  The caller owns *ret. */
struct json_object;
int history_query(struct history *h, const char *vin, unsigned int limit,
		  struct json_object **ret);

/* That JSON for people, in a language (NULL: German). */
int history_render_text(struct json_object *hist, const char *language, char **ret);

#endif
