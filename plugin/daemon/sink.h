/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where a finished check goes.  The daemon builds the report once, as a struct, and hands it to
 * each sink of a list in order: the report files, the log line, the subscribers' event — and
 * whatever comes later (a history database, an HTML page, a broker) plugs in the same way.  No
 * sink parses another sink's output; a sink may read what earlier sinks noted in the struct (the
 * files sink names the files, the log line and the event quote the name).
 *
 * Adding a sink: a struct sink with a deliver function (and free if it holds anything), made by
 * a constructor in its own file, added with sinks_add where the daemon builds its list
 * (daemon.c, recalld_new).
 */
#ifndef RECALLD_SINK_H
#define RECALLD_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct recall_report;

/* One finished check, held once.  The report is the wiring's; a sink may add to it what it
 * knows about this very check (the history: the car's previous visit, whether this check was
 * recorded), so the sinks after it — files, log, events — carry that too.  Nothing else
 * changes it. */
struct finished_check {
	struct recall_report *report;		/* status, VIN, campaigns, errors, … */
	const char *iface;
	const char *trigger;			/* "appear", "up", "traffic", "request", "probe" */
	unsigned int seq;			/* the daemon's check counter since start */
	/* noted by sinks on the way */
	char *file;				/* base name of the report files; NULL if not written */
	int file_error;				/* negative errno when they could not be written */
	bool spooled;				/* not written, but kept in memory and retried */
};

struct sink {
	const char *name;
	/* Deliver fc; < 0 when the sink could not take it (logged by the sink). */
	int (*deliver)(struct sink *s, struct finished_check *fc);
	void (*free)(struct sink *s);
	struct sink *next;
};

struct sinks {
	struct sink *first, **tail;
};

void sinks_init(struct sinks *l);
void sinks_add(struct sinks *l, struct sink *s);
void sinks_deliver(struct sinks *l, struct finished_check *fc);
void sinks_free(struct sinks *l);

/* ---- the sinks of recalld ------------------------------------------------------------------ */

/* IFACE-YYYYMMDDTHHMMSSZ-SEQ.json, .txt (and .html) in dir, written atomically, mode 0640; the
 * text and the page in opts' language.  What cannot be written waits in memory (at most
 * spool_max reports) and is retried. */
struct loop;
struct report_save_opts;
int sink_files_new(struct loop *l, const char *dir, const struct report_save_opts *opts,
		   unsigned int spool_max, struct sink **ret);
struct sink_spool {
	unsigned int reports, max;
	size_t bytes;
	int error;		/* why they are not written (negative errno), 0 when none wait */
	int64_t oldest_ms;	/* when the oldest waiting check finished */
};
void sink_files_spool(struct sink *files, struct sink_spool *ret);
/* Remove this sink's report files older than hours (0: keep all); how many, or -errno. */
int sink_files_expire(struct sink *files, unsigned int hours);
/* The history (plugin/history.h) at path: first in the list, it notes the car's previous visit
 * in the report and records the check.  retention_ms > 0 prunes checks older than that.  When
 * the history cannot be opened, *ret is still a sink (it tries again at every check and marks
 * each report "history missing") and the return value says why. */
int sink_history_new(const char *path, int64_t retention_ms, struct sink **ret,
		     char **ret_error);
/* Removes the checks older than the sink's retention (report_retention: the history keeps a
 * car's checks as long as its report files are kept); also done when the history is opened. */
void sink_history_expire(struct sink *s);
/* A car's checks for the control request `history` (history_query). */
struct json_object;
int sink_history_query(struct sink *s, const char *vin, unsigned int limit,
		       struct json_object **ret);
/* One line per check: to journald with RECALL_* fields where it runs, else to syslog; a copy on
 * stderr with to_stderr (recalld -e). */
int sink_log_new(bool to_stderr, struct sink **ret);
/* The check-finished event to every subscriber of the control server. */
struct ctlserver;
int sink_events_new(struct ctlserver *srv, struct sink **ret);

#endif
