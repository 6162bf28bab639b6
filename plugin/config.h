/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recalld.conf: the daemon's configuration (config.c).  Every key is in one table there; the
 * parser reports every error as FILE:LINE.
 */
#ifndef RECALL_CONFIG_H
#define RECALL_CONFIG_H

#include <stdbool.h>

#include "plugin/paths.h"

#define CONFIG_MAX_GLOBS 16
#define CONFIG_MAX_ADDRESSING 8

struct recalld_config {
	char *database;
	char *report_dir;
	char *bays[CONFIG_MAX_GLOBS];		/* fnmatch globs of interface names */
	unsigned int n_bays;
	char *addressing;			/* space-separated, in order */
	unsigned int request_timeout_ms;	/* per request, 0 = can/ default */
	unsigned int check_timeout_ms;		/* whole check; the child is killed after it */
	bool on_appear;				/* check when a bay appears or comes up */
	bool on_traffic;			/* check when traffic starts after silence */
	unsigned int silence_ms;
	unsigned int probe_interval_ms;		/* 0 = no periodic probe */
	char *socket_path;
	char *socket_group;			/* NULL = the daemon's own group */
	unsigned int max_clients;
	unsigned int max_request;		/* bytes per request line */
	unsigned int max_output;		/* bytes queued per client before it is dropped */
};

/* Callback for every problem found; line is 0 for problems not tied to a line. */
typedef void (*config_error_fn)(void *userdata, const char *file, unsigned int line,
				const char *msg);

void config_init_defaults(struct recalld_config *c);
void config_done(struct recalld_config *c);
/* Parse text (name is used in messages); every error is reported, then -EINVAL if there was any. */
int config_parse_string(struct recalld_config *c, const char *text, const char *name,
			config_error_fn err, void *userdata);
int config_parse_file(struct recalld_config *c, const char *path, config_error_fn err,
		      void *userdata);
bool config_is_bay(const struct recalld_config *c, const char *ifname);
/* Print the effective configuration in the file's own syntax (recalld --dump-config). */
int config_dump(const struct recalld_config *c, char **ret_text);

#endif
