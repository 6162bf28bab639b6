/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recalld's wiring: the bays.  It owns the event loop, link watching, the traffic watchers, the
 * check supervisor, the control server and the sinks; each of those reports up to it through
 * callbacks and none calls another.  The database and the check are behind ops, so the unit
 * tests and plugin-testd drive the real daemon without a CAN bus or a rules database.
 */
#ifndef RECALLD_DAEMON_H
#define RECALLD_DAEMON_H

#include "plugin/config.h"
#include "plugin/daemon/checker.h"

struct recalld_ops {
	/* Open and validate a database; on failure *ret_error (malloc'd) says why. */
	int (*db_open)(void *userdata, const char *path, void **ret_db, char **ret_error);
	void (*db_free)(void *userdata, void *db);
	/* Short identification for reports and status (malloc'd), may return NULL. */
	char *(*db_describe)(void *userdata, void *db);
	/* Runs in the forked check child: check req->iface, send the report(s) with
	 * check_reply_send (progress, then exactly one CHECK_MSG_REPORT).  Returns the child's
	 * exit status. */
	check_run_fn check;
};

/* Bays named explicitly (tests): no udev, rtnetlink or CAN sockets; the names are present+up. */
#define RECALLD_STATIC_BAYS 0x1
/* Log lines on stderr too (recalld -e). */
#define RECALLD_LOG_STDERR 0x2
/* Least privilege (recalld itself; tests run as they are): started as root, become the
 * configured user after forking the link helper; keep no capability. */
#define RECALLD_DROP_PRIVILEGES 0x4

struct recalld;

/* Takes ownership of *cfg (zeroed on success).  Opens the database, the control socket and the
 * link watching. */
int recalld_new(struct recalld_config *cfg, const char *config_path, const struct recalld_ops *ops,
		void *userdata, unsigned int flags, struct recalld **ret);
int recalld_add_static_bay(struct recalld *d, const char *name);
/* Runs until SIGTERM or SIGINT; returns 0 or a negative errno. */
int recalld_run(struct recalld *d);
struct recalld *recalld_free(struct recalld *d);

/* The typed request the daemon makes for a check on iface from its configuration (exported for
 * the tests: what the child gets, and nothing else). */
void recalld_make_request(const struct recalld_config *cfg, const char *iface,
			  struct check_request *ret);

#endif
