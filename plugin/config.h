/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recalld.conf: the daemon's configuration (config.c).  Every key is in one table there; the
 * parser reports every error as FILE:LINE.
 */
#ifndef RECALL_CONFIG_H
#define RECALL_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "plugin/paths.h"

#define CONFIG_MAX_GLOBS 16
#define CONFIG_MAX_ADDRESSING 8
#define CONFIG_MAX_BAY_SECTIONS 16

/* How a bay's CAN link is brought up (issue 12): `[bays]` holds the defaults, a `[bay GLOB]`
 * section overrides them for the interfaces it matches. */
struct config_link {
	uint32_t bitrate;			/* bit/s; 0 = auto (ISO 15765-4 detection) */
	unsigned int restart_ms;		/* bus-off recovery; 0 = none */
	bool bringup;				/* bring a down controller up ourselves */
};

enum {
	CONFIG_BAY_HAS_BITRATE = 1 << 0,
	CONFIG_BAY_HAS_RESTART_MS = 1 << 1,
	CONFIG_BAY_HAS_BRINGUP = 1 << 2,
};

/* One `[bay GLOB]` section: the keys it sets (`set`), the rest falls back to `[bays]`. */
struct config_bay {
	char *glob;
	unsigned int set;			/* CONFIG_BAY_HAS_* */
	struct config_link link;
	char *name;				/* what the technicians call the bay ("Bühne 2") */
};

#define CONFIG_NAME_MAX 64		/* bytes of a bay's or the workshop's name */

struct recalld_config {
	char *database;
	char *report_dir;
	char *trusted_keys;			/* directory of *.pub signing keys; NULL = none */
	bool require_signature;			/* refuse a database not signed by one of them */
	char *user;				/* whom to run as when started as root */
	unsigned int report_retention_h;	/* reports older than this are removed; 0 = never */
	unsigned int spool_max;			/* unsaved reports kept in memory, at most */
	char *bays[CONFIG_MAX_GLOBS];		/* fnmatch globs of interface names */
	unsigned int n_bays;
	char *addressing;			/* space-separated, in order */
	unsigned int request_timeout_ms;	/* per request, 0 = can/ default */
	unsigned int check_timeout_ms;		/* whole check; the child is killed after it */
	unsigned int answer_window_ms;		/* discovery's first-answer window, 0 = can/ default */
	bool can_fd;				/* send as CAN FD (ISO-TP over CAN FD) */
	unsigned int parallel;			/* ECUs read at the same time (1 = one after another) */
	unsigned int discovery_quiet_ms;	/* discovery ends this long after the last answer;
						 * 0 = always the whole answer_window */
	bool on_appear;				/* check when a bay appears or comes up */
	bool on_traffic;			/* check when traffic starts after silence */
	unsigned int silence_ms;
	unsigned int probe_interval_ms;		/* 0 = no periodic probe */
	char *socket_path;
	char *socket_group;			/* NULL = the daemon's own group */
	unsigned int max_clients;
	unsigned int max_request;		/* bytes per request line */
	unsigned int max_output;		/* bytes queued per client before it is dropped */
	unsigned int idle_timeout_ms;		/* drop a client without requests; 0 = never */
	/* [report] */
	char *language;				/* of the text and HTML reports; NULL = German */
	char *workshop;				/* name on the printed page; NULL = none */
	bool html;				/* write an HTML page beside JSON and text */
	/* [history] */
	char *history;				/* SQLite history of every check; NULL = none */
	struct config_link link;		/* [bays] defaults for bring-up */
	struct config_bay bay_sections[CONFIG_MAX_BAY_SECTIONS];	/* in file order */
	unsigned int n_bay_sections;
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
/* The link settings for IFNAME: the first `[bay GLOB]` section matching it (file order), each
 * key it does not set taken from `[bays]`. */
void config_bay_link(const struct recalld_config *c, const char *ifname, struct config_link *ret);
/* The bay's name: from the first `[bay GLOB]` section matching IFNAME that has a `name`; NULL
 * when none has. */
const char *config_bay_name(const struct recalld_config *c, const char *ifname);
/* Print the effective configuration in the file's own syntax (recalld --dump-config). */
int config_dump(const struct recalld_config *c, char **ret_text);
/* For a tool that shows a report as the station does (recall-check, recall-report): the language
 * and workshop name from the station's recalld.conf where the command line gave none; *language
 * and *workshop then point into c, which the caller frees with config_done().  A configuration
 * with errors is recalld -n's to report; what parsed still counts. */
void config_station_settings(struct recalld_config *c, const char **language,
			     const char **workshop);

#endif
