/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sink list and recalld's own sinks: files, log line, subscribers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

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

static int log_deliver(struct sink *s, struct finished_check *fc)
{
	char *line = NULL;
	int ret;

	(void)s;
	ret = report_summary_line(fc->report, &line);
	if (ret < 0)
		return ret;
	syslog(fc->report->status == RECALL_STATUS_COMPLETE ? LOG_NOTICE : LOG_WARNING, "%s%s%s",
	       line, fc->file ? " report " : "", fc->file ? fc->file : "");
	free(line);
	return 0;
}

int sink_log_new(struct sink **ret)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	*s = (struct sink){ .name = "log", .deliver = log_deliver };
	*ret = s;
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
