/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sink list and recalld's own sinks: files, log line, subscribers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <systemd/sd-journal.h>

#include <json-c/json.h>

#include "plugin/control.h"
#include "plugin/daemon/ctlserver.h"
#include "plugin/daemon/loop.h"
#include "plugin/daemon/sink.h"
#include "plugin/recall-internal.h"

void sinks_init(struct sinks *l)
{
	l->first = NULL;
	l->tail = &l->first;
}

void sinks_add(struct sinks *l, struct sink *s)
{
	s->next = NULL;
	*l->tail = s;
	l->tail = &s->next;
}

void sinks_deliver(struct sinks *l, struct finished_check *fc)
{
	for (struct sink *s = l->first; s; s = s->next)
		(void)s->deliver(s, fc);
}

void sinks_free(struct sinks *l)
{
	while (l->first) {
		struct sink *s = l->first;

		l->first = s->next;
		if (s->free)
			s->free(s);
		else
			free(s);
	}
	l->tail = &l->first;
}

/* ---- files --------------------------------------------------------------------------------- */

/*
 * A report that cannot be written (disk full, directory gone, permission) is not lost: its files
 * are rendered at once and kept in memory, in order, up to spool_max; a timer retries them (5 s,
 * doubling to 5 min) and the first success writes the backlog.  `recallctl status` shows the
 * spool, every failure is logged at error level, and a stop that leaves reports unsaved logs one
 * line per report with its summary, so the verdicts survive in the journal.
 */
#define SPOOL_RETRY_FIRST_MS 5000
#define SPOOL_RETRY_MAX_MS 300000

struct spooled {
	struct report_files files;
	char *summary;		/* the check's log line */
	int64_t finished_ms;
	struct spooled *next;
};

struct sink_files {
	struct sink s;
	struct loop *l;
	char *dir;
	char *language, *workshop;
	bool html;
	unsigned int spool_max;
	struct spooled *spool, **tail;
	unsigned int n_spool;
	size_t spool_bytes;
	int error;		/* the last write's, while the spool is not empty */
	struct loop_timer *retry;
	uint64_t retry_ms;
};

static void spooled_free(struct spooled *sp)
{
	report_files_done(&sp->files);
	free(sp->summary);
	free(sp);
}

/* Write the spool in order; stops at the first failure.  Returns how many were written. */
static unsigned int spool_flush(struct sink_files *f)
{
	unsigned int n = 0;
	int r;

	while (f->spool) {
		struct spooled *sp = f->spool;

		r = report_write_files(f->dir, &sp->files);
		if (r < 0) {
			f->error = r;
			break;
		}
		syslog(LOG_NOTICE, "report %s written after all (%u more in memory)", sp->files.base,
		       f->n_spool - 1);
		f->spool = sp->next;
		if (!f->spool)
			f->tail = &f->spool;
		f->n_spool--;
		f->spool_bytes -= report_files_size(&sp->files);
		spooled_free(sp);
		n++;
	}
	if (!f->spool)
		f->error = 0;
	return n;
}

static void spool_retry(void *ctx)
{
	struct sink_files *f = ctx;

	spool_flush(f);
	if (!f->spool) {
		f->retry_ms = 0;
		return;
	}
	f->retry_ms = f->retry_ms * 2 > SPOOL_RETRY_MAX_MS ? SPOOL_RETRY_MAX_MS : f->retry_ms * 2;
	loop_timer_set(f->retry, loop_now_ms() + f->retry_ms);
}

static int files_deliver(struct sink *s, struct finished_check *fc)
{
	struct sink_files *f = (struct sink_files *)s;
	struct spooled *sp;
	char *line = NULL;
	int ret;

	struct report_save_opts o = { .language = f->language, .workshop = f->workshop,
				      .html = f->html };

	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	ret = report_render_files(fc->report, fc->seq, &o, &sp->files);
	if (ret < 0) {
		free(sp);
		fc->file_error = ret;
		syslog(LOG_ERR, "%s: cannot make the report files: %s", fc->iface, strerror(-ret));
		return ret;
	}
	/* in order: while older reports wait, a newer one waits behind them */
	if (!f->spool) {
		ret = report_write_files(f->dir, &sp->files);
		if (ret >= 0) {
			fc->file = sp->files.base;
			sp->files.base = NULL;
			spooled_free(sp);
			return 0;
		}
		f->error = ret;
	}
	fc->file_error = f->error ? f->error : -EAGAIN;
	if (f->n_spool >= f->spool_max) {
		syslog(LOG_ERR, "%s: cannot write report %s to %s: %s; the memory spool is full "
		       "(%u reports): this report is lost", fc->iface, sp->files.base, f->dir,
		       strerror(-fc->file_error), f->n_spool);
		spooled_free(sp);
		return fc->file_error;
	}
	if (report_summary_line(fc->report, &line) >= 0)
		sp->summary = line;
	sp->finished_ms = fc->report->finished_ms;
	*f->tail = sp;
	f->tail = &sp->next;
	f->n_spool++;
	f->spool_bytes += report_files_size(&sp->files);
	fc->spooled = true;
	syslog(LOG_ERR, "%s: cannot write report %s to %s: %s; kept in memory (%u waiting), "
	       "retried", fc->iface, sp->files.base, f->dir, strerror(-fc->file_error), f->n_spool);
	if (!f->retry_ms) {
		f->retry_ms = SPOOL_RETRY_FIRST_MS;
		loop_timer_set(f->retry, loop_now_ms() + f->retry_ms);
	}
	return fc->file_error;
}

static void files_free(struct sink *s)
{
	struct sink_files *f = (struct sink_files *)s;

	/* a last try; what still cannot be written is said, report by report */
	if (f->spool)
		spool_flush(f);
	while (f->spool) {
		struct spooled *sp = f->spool;

		syslog(LOG_ERR, "stopping with report %s not written (%s): lost: %s", sp->files.base,
		       strerror(-f->error), sp->summary ? sp->summary : "");
		f->spool = sp->next;
		spooled_free(sp);
	}
	loop_timer_free(f->retry);
	free(f->dir);
	free(f->language);
	free(f->workshop);
	free(f);
}

int sink_files_new(struct loop *l, const char *dir, const struct report_save_opts *opts,
		   unsigned int spool_max, struct sink **ret)
{
	struct sink_files *f = calloc(1, sizeof(*f));
	int r;

	if (!f || !(f->dir = strdup(dir)) ||
	    (opts && opts->language && !(f->language = strdup(opts->language))) ||
	    (opts && opts->workshop && !(f->workshop = strdup(opts->workshop)))) {
		if (f)
			files_free(&f->s);
		return -ENOMEM;
	}
	f->html = opts && opts->html;
	f->s = (struct sink){ .name = "files", .deliver = files_deliver, .free = files_free };
	f->l = l;
	f->spool_max = spool_max ? spool_max : 1;
	f->tail = &f->spool;
	r = loop_timer_new(l, spool_retry, f, &f->retry);
	if (r < 0) {
		files_free(&f->s);
		return r;
	}
	*ret = &f->s;
	return 0;
}

void sink_files_spool(struct sink *s, struct sink_spool *ret)
{
	struct sink_files *f = (struct sink_files *)s;

	*ret = (struct sink_spool){
		.reports = f->n_spool,
		.bytes = f->spool_bytes,
		.error = f->error,
		.oldest_ms = f->spool ? f->spool->finished_ms : 0,
		.max = f->spool_max,
	};
}

/* Our own files only: IFACE-YYYYMMDDTHHMMSSZ-SEQ.json/.txt/.html, and our temporary .NAME.tmp. */
static bool ours(const char *name)
{
	size_t n = strlen(name);

	if (n > 5 && (strcmp(name + n - 5, ".json") == 0 || strcmp(name + n - 4, ".txt") == 0 ||
		      strcmp(name + n - 5, ".html") == 0))
		return strstr(name, "Z-") != NULL;
	return name[0] == '.' && n > 5 && strcmp(name + n - 4, ".tmp") == 0;
}

int sink_files_expire(struct sink *s, unsigned int hours)
{
	struct sink_files *f = (struct sink_files *)s;
	time_t limit = time(NULL) - (time_t)hours * 3600;
	unsigned int removed = 0;
	struct dirent *de;
	DIR *dir;
	int dfd;

	if (!hours)
		return 0;
	dir = opendir(f->dir);
	if (!dir)
		return -errno;
	dfd = dirfd(dir);
	while ((de = readdir(dir))) {
		struct stat st;

		if (!ours(de->d_name) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (st.st_mtime < limit && unlinkat(dfd, de->d_name, 0) == 0)
			removed++;
	}
	closedir(dir);
	if (removed)
		syslog(LOG_NOTICE, "report_retention: removed %u report file(s) older than %u h "
		       "from %s", removed, hours, f->dir);
	return (int)removed;
}

/* ---- log line ------------------------------------------------------------------------------ */

/*
 * One line per check.  Where journald runs, the line carries structured fields, so station
 * tooling can ask `journalctl RECALL_VIN=WBY…` or `RECALL_STATUS=failed` instead of parsing
 * text; elsewhere (the test VM, a station without systemd) it is a plain syslog line.
 */
struct sink_log {
	struct sink s;
	bool journal;
	bool to_stderr;
};

static int log_deliver(struct sink *s, struct finished_check *fc)
{
	struct sink_log *lg = (struct sink_log *)s;
	const struct recall_report *r = fc->report;
	unsigned int c[_RECALL_VERDICT_MAX];
	int prio = r->status == RECALL_STATUS_COMPLETE ? LOG_NOTICE : LOG_WARNING;
	char *line = NULL, *msg = NULL;
	int ret;

	ret = report_summary_line(r, &line);
	if (ret < 0)
		return ret;
	if (asprintf(&msg, "%s%s%s", line, fc->file ? " report " : "", fc->file ? fc->file : "") < 0)
		msg = NULL;
	free(line);
	if (!msg)
		return -ENOMEM;
	report_count(r, c);
	ret = -ENOENT;
	if (lg->journal)
		ret = sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", prio,
				      "SYSLOG_IDENTIFIER=recalld", "RECALL_BAY=%s", fc->iface,
				      "RECALL_VIN=%s", r->vin ? r->vin : "",
				      "RECALL_STATUS=%s", recall_status_name(r->status),
				      "RECALL_TRIGGER=%s", fc->trigger ? fc->trigger : "",
				      "RECALL_OPEN=%u", c[RECALL_VERDICT_OPEN],
				      "RECALL_INSPECT=%u", c[RECALL_VERDICT_INSPECT],
				      "RECALL_UNDETERMINED=%u", c[RECALL_VERDICT_UNDETERMINED],
				      "RECALL_REMEDIED=%u", c[RECALL_VERDICT_REMEDIED],
				      "RECALL_NOT_AFFECTED=%u", c[RECALL_VERDICT_NOT_AFFECTED],
				      "RECALL_REPORT=%s", fc->file ? fc->file : "", NULL);
	if (ret < 0) {
		syslog(prio, "%s", msg);	/* with LOG_PERROR, stderr too */
	} else if (lg->to_stderr) {
		fprintf(stderr, "recalld: %s\n", msg);
	}
	free(msg);
	return 0;
}

int sink_log_new(bool to_stderr, struct sink **ret)
{
	struct sink_log *lg = calloc(1, sizeof(*lg));

	if (!lg)
		return -ENOMEM;
	lg->s = (struct sink){ .name = "log", .deliver = log_deliver };
	lg->journal = access("/run/systemd/journal/socket", F_OK) == 0;
	lg->to_stderr = to_stderr;
	*ret = &lg->s;
	return 0;
}

/* ---- subscribers --------------------------------------------------------------------------- */

struct sink_events {
	struct sink s;
	struct ctlserver *srv;
};

static int events_deliver(struct sink *s, struct finished_check *fc)
{
	struct sink_events *e = (struct sink_events *)s;
	struct json_object *o, *rep = NULL;
	int ret;

	o = control_event_new(CONTROL_EV_CHECK_FINISHED, fc->iface);
	if (!o)
		return -ENOMEM;
	ret = report_to_json_object(fc->report, &rep);
	if (ret >= 0) {
		if (fc->file)
			json_object_object_add(o, "file", json_object_new_string(fc->file));
		/* a report that could not be written says so, and that it waits in memory */
		json_object_object_add(o, "saved", json_object_new_boolean(fc->file != NULL));
		if (!fc->file) {
			json_object_object_add(o, "save_error", json_object_new_string(
							   strerror(-fc->file_error)));
			json_object_object_add(o, "spooled", json_object_new_boolean(fc->spooled));
		}
		json_object_object_add(o, "report", rep);
		ctlserver_broadcast(e->srv, o);
	}
	json_object_put(o);
	return ret;
}

int sink_events_new(struct ctlserver *srv, struct sink **ret)
{
	struct sink_events *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->s = (struct sink){ .name = "events", .deliver = events_deliver };
	e->srv = srv;
	*ret = &e->s;
	return 0;
}
