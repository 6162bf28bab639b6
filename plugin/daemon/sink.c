/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sink list and recalld's own sinks: files, log line, subscribers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include <json-c/json.h>

#include "plugin/control.h"
#include "plugin/daemon/ctlserver.h"
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

struct sink_files {
	struct sink s;
	char *dir;
	char *language, *workshop;
	bool html;
};

static int files_deliver(struct sink *s, struct finished_check *fc)
{
	struct sink_files *f = (struct sink_files *)s;
	int ret;

	struct report_save_opts o = { .language = f->language, .workshop = f->workshop,
				      .html = f->html };

	ret = report_save(fc->report, f->dir, fc->seq, &o, &fc->file);
	if (ret < 0) {
		fc->file_error = ret;
		syslog(LOG_ERR, "%s: cannot write report to %s: %s", fc->iface, f->dir,
		       strerror(-ret));
	}
	return ret;
}

static void files_free(struct sink *s)
{
	struct sink_files *f = (struct sink_files *)s;

	free(f->dir);
	free(f->language);
	free(f->workshop);
	free(f);
}

int sink_files_new(const char *dir, const struct report_save_opts *opts, struct sink **ret)
{
	struct sink_files *f = calloc(1, sizeof(*f));

	if (!f || !(f->dir = strdup(dir)) ||
	    (opts && opts->language && !(f->language = strdup(opts->language))) ||
	    (opts && opts->workshop && !(f->workshop = strdup(opts->workshop)))) {
		if (f)
			files_free(&f->s);
		return -ENOMEM;
	}
	f->html = opts && opts->html;
	f->s = (struct sink){ .name = "files", .deliver = files_deliver, .free = files_free };
	*ret = &f->s;
	return 0;
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
