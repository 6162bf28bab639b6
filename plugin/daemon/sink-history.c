/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The history sink: every finished check goes into the SQLite history (plugin/history.h).  It
 * runs first, so the report the other sinks write already says when the car was last checked
 * here, and — when the history could not take it (a full disk) — that this check is missing
 * from the history.  A failure here never stops a report: the check is complete, the files, the
 * log line and the event still go out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "plugin/daemon/sink.h"
#include "plugin/history.h"
#include "plugin/recall-internal.h"

struct sink_history {
	struct sink s;
	struct history *h;
	char *path;
	int64_t retention_ms;
};

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void prune(struct sink_history *sh)
{
	uint64_t n = 0;
	int r;

	if (!sh->h || sh->retention_ms <= 0)
		return;
	r = history_prune(sh->h, wall_ms() - sh->retention_ms, &n);
	if (r < 0)
		syslog(LOG_WARNING, "history %s: pruning old checks: %s", sh->path,
		       history_error(sh->h));
	else if (n)
		syslog(LOG_INFO, "history %s: %llu check(s) older than the retention removed",
		       sh->path, (unsigned long long)n);
}

/* Opens the history when it is not open: at start, and again at the next check when it could
 * not be opened then (a full disk, a missing directory that was created since). */
static int ensure_open(struct sink_history *sh, char **ret_error)
{
	int r;

	if (sh->h)
		return 0;
	r = history_open(sh->path, NULL, &sh->h, ret_error);
	if (r >= 0)
		prune(sh);
	return r;
}

static int history_deliver(struct sink *s, struct finished_check *fc)
{
	struct sink_history *sh = (struct sink_history *)s;
	struct recall_report *r = fc->report;
	struct recall_visit prev;
	char *err = NULL, *file = NULL;
	int64_t id = 0;
	int ret;

	ret = ensure_open(sh, &err);
	if (ret < 0) {
		r->history = RECALL_HISTORY_MISSING;
		(void)report_set_str(&r->history_error, err ? err : strerror(-ret));
		(void)report_set_str(&r->history_error_code,
				     ret == -ENOSPC ? "disk_full" : "unavailable");
		syslog(LOG_ERR, "%s: history not open, check not recorded: %s", fc->iface,
		       err ? err : strerror(-ret));
		free(err);
		return ret;
	}
	if (r->vin) {
		ret = history_last(sh->h, r->vin, &prev);
		if (ret >= 0) {
			(void)report_set_previous(r, &prev);
			history_visit_done(&prev);
		} else if (ret != -ENOENT) {
			syslog(LOG_WARNING, "%s: history %s: looking up VIN %s: %s", fc->iface,
			       sh->path, r->vin, history_error(sh->h));
		}
	}
	/* the name the files sink will give the report (it runs after this one) */
	(void)report_file_base(r, fc->seq, &file);
	ret = history_add(sh->h, r, file, &id);
	free(file);
	if (ret < 0) {
		r->history = RECALL_HISTORY_MISSING;
		(void)report_set_str(&r->history_error, history_error(sh->h));
		(void)report_set_str(&r->history_error_code,
				     ret == -ENOSPC ? "disk_full" : "failed");
		syslog(LOG_ERR, "%s: history %s: check not recorded: %s", fc->iface, sh->path,
		       history_error(sh->h));
		return ret;
	}
	r->history = RECALL_HISTORY_RECORDED;
	r->history_id = id;
	return 0;
}

static void history_free(struct sink *s)
{
	struct sink_history *sh = (struct sink_history *)s;

	history_close(sh->h);
	free(sh->path);
	free(sh);
}

int sink_history_new(const char *path, int64_t retention_ms, struct sink **ret,
		     char **ret_error)
{
	struct sink_history *sh = calloc(1, sizeof(*sh));
	int r;

	*ret = NULL;
	if (!sh || !(sh->path = strdup(path))) {
		free(sh);
		return -ENOMEM;
	}
	sh->retention_ms = retention_ms;
	sh->s = (struct sink){ .name = "history", .deliver = history_deliver,
			       .free = history_free };
	/* a history that cannot be opened now is reported, and tried again at every check:
	 * the checks themselves go on */
	r = ensure_open(sh, ret_error);
	*ret = &sh->s;
	return r;
}

void sink_history_expire(struct sink *s)
{
	prune((struct sink_history *)s);
}

int sink_history_query(struct sink *s, const char *vin, unsigned int limit,
		       struct json_object **ret)
{
	struct sink_history *sh = (struct sink_history *)s;
	int r = ensure_open(sh, NULL);

	return r < 0 ? r : history_query(sh->h, vin, limit, ret);
}
