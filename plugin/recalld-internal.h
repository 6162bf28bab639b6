/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of plugin/: shared by recalld, recallctl, librecall and the unit tests, never
 * installed.  The public contract is recall.h.
 */
#ifndef RECALLD_INTERNAL_H
#define RECALLD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "plugin/recall.h"

#ifndef RECALLD_DATADIR
#define RECALLD_DATADIR "/usr/local/share/recalld"
#endif
#ifndef RECALLD_SYSCONFDIR
#define RECALLD_SYSCONFDIR "/etc"
#endif

#define RECALLD_CONFIG_PATH RECALLD_SYSCONFDIR "/recalld.conf"
#define RECALLD_SOCKET_PATH "/run/recalld/control.sock"

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
};
int report_add_campaign(struct recall_report *r, const struct campaign_in *c);
int report_add_error(struct recall_report *r, const char *message);
/* Counts campaigns by verdict; counts has _RECALL_VERDICT_MAX slots. */
void report_count(const struct recall_report *r, unsigned int counts[_RECALL_VERDICT_MAX]);
/* The syslog line: "vcan0: VIN WBY...: complete: 1 open, 0 remedied, ..." */
int report_summary_line(const struct recall_report *r, char **ret_line);
/* Write data to dir/name atomically (temporary file, fsync, rename). */
int report_write_file(const char *dir, const char *name, const char *data, size_t len);
/* Write <iface>-<time>-<seq>.json and .txt into dir; ret_base gets the common name part. */
int report_save(const struct recall_report *r, const char *dir, unsigned int seq,
		char **ret_base);
/* The report as a json-c object (caller owns the reference). */
struct json_object;
int report_to_json_object(const struct recall_report *r, struct json_object **ret_obj);
int report_from_json_object(struct json_object *obj, struct recall_report **ret_report);

/* ---- config.c ---------------------------------------------------------------------------- */

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

/* ---- control.c --------------------------------------------------------------------------- */

enum control_cmd {
	CONTROL_STATUS,
	CONTROL_CHECK,
	CONTROL_LAST,
	CONTROL_SUBSCRIBE,
	CONTROL_RELOAD,
	_CONTROL_CMD_MAX
};

#define CONTROL_IFNAME_MAX 16	/* IFNAMSIZ */

struct control_request {
	enum control_cmd cmd;
	char iface[CONTROL_IFNAME_MAX];		/* for check and last */
	int64_t id;				/* echoed back when the client sent "id" */
	bool has_id;
};

/* Parse one request line (without its newline).  On error returns a negative errno and, when
 * ret_error is non-NULL, a static English message saying what is wrong. */
int control_parse_request(const char *line, size_t len, struct control_request *ret_req,
			  const char **ret_error);
const char *control_cmd_name(enum control_cmd cmd);

/* Line framing with a hard bound: bytes come in, complete lines go out.  A line longer than max is
 * reported once as oversized and skipped up to its newline, so one bad request never eats the next
 * good one. */
struct linebuf {
	char *buf;
	size_t len, max;
	size_t taken;		/* bytes of the line last handed out, removed on the next call */
	bool skipping;		/* inside an oversized line, waiting for its newline */
};

enum linebuf_result {
	LINEBUF_NONE = 0,	/* need more bytes */
	LINEBUF_LINE,		/* *ret_line / *ret_len is a complete line (valid until the next call) */
	LINEBUF_OVERSIZED,	/* a line exceeded max; it is being skipped */
};

int linebuf_init(struct linebuf *lb, size_t max);
void linebuf_done(struct linebuf *lb);
/* Append bytes; returns how many were consumed (stops early when a line is ready). */
size_t linebuf_feed(struct linebuf *lb, const char *data, size_t len);
enum linebuf_result linebuf_next(struct linebuf *lb, const char **ret_line, size_t *ret_len);

/* Bounded output queue of a client: -ENOBUFS when adding would exceed max (drop the client). */
struct outbuf {
	char *buf;
	size_t start, len, cap, max;
};

void outbuf_init(struct outbuf *ob, size_t max);
void outbuf_done(struct outbuf *ob);
int outbuf_append(struct outbuf *ob, const char *data, size_t len);
/* Write as much as the fd takes; returns bytes left, or a negative errno from write. */
ssize_t outbuf_flush(struct outbuf *ob, int fd);

/* ---- bay.c: the per-interface state machine, free of I/O so it can be tested with a clock --- */

enum bay_state {
	BAY_ABSENT = 0,		/* configured glob, interface not present (or gone) */
	BAY_DOWN,		/* present, link down */
	BAY_IDLE,		/* up, no check running */
	BAY_CHECKING,		/* a check child runs */
	_BAY_STATE_MAX
};

enum bay_event_type {
	BAY_EV_PRESENT = 1,	/* appeared or seen again; up = link state (0: no event) */
	BAY_EV_LINK,		/* link state changed; up */
	BAY_EV_REMOVED,
	BAY_EV_TRAFFIC,		/* a frame was seen on the bus */
	BAY_EV_REQUEST,		/* explicit check request */
	BAY_EV_TIMER,		/* the bay's timer fired */
	BAY_EV_CHECK_DONE,	/* the check child finished (whatever the result) */
};

enum bay_action {
	BAY_ACT_NONE = 0,
	BAY_ACT_START,		/* start a check now */
	BAY_ACT_KILL,		/* the running check overstayed its deadline: kill it */
	BAY_ACT_REFUSE_BUSY,	/* explicit request while checking */
	BAY_ACT_REFUSE_DOWN,	/* explicit request while absent or down */
};

enum bay_trigger {
	BAY_TRIGGER_NONE = 0,
	BAY_TRIGGER_APPEAR,
	BAY_TRIGGER_UP,
	BAY_TRIGGER_TRAFFIC,
	BAY_TRIGGER_REQUEST,
	BAY_TRIGGER_PROBE,
	_BAY_TRIGGER_MAX
};

/* How long a check may run on after its interface vanished before it is killed. */
#define BAY_REMOVE_GRACE_MS 2000

struct bay_params {
	bool on_appear;
	bool on_traffic;
	uint64_t silence_ms;
	uint64_t probe_interval_ms;
	uint64_t check_timeout_ms;
};

struct bay {
	char name[CONTROL_IFNAME_MAX];
	bool present, up, checking;	/* bay_state() derives the state word from these */
	enum bay_trigger trigger;	/* why the running (or last) check started */
	bool removed_during_check;	/* the check's report must say interrupted */
	bool link_lost_during_check;	/* the link went down while checking */
	bool killed;			/* the check was killed after its deadline */
	bool have_traffic;		/* last_traffic_ms is meaningful */
	uint64_t last_traffic_ms;
	uint64_t check_started_ms;
	uint64_t deadline_ms;		/* while checking: when to kill; 0 = none */
	uint64_t next_probe_ms;		/* while idle with probing on; 0 = none */
	unsigned int checks;		/* checks started on this bay */
};

void bay_init(struct bay *b, const char *name);
enum bay_action bay_handle(struct bay *b, const struct bay_params *p, enum bay_event_type ev,
			   bool up, uint64_t now_ms);
/* Earliest time the bay wants BAY_EV_TIMER, 0 = none. */
uint64_t bay_next_timer(const struct bay *b);
enum bay_state bay_state(const struct bay *b);
const char *bay_state_name(enum bay_state s);
const char *bay_trigger_name(enum bay_trigger t);

/* ---- daemon.c: the event loop of recalld, with the database and the check behind ops so the
 * unit tests can drive the real loop without a CAN bus ------------------------------------ */

struct recalld_ops {
	/* Open and validate a database; on failure *ret_error (malloc'd) says why. */
	int (*db_open)(void *userdata, const char *path, void **ret_db, char **ret_error);
	void (*db_free)(void *userdata, void *db);
	/* Short identification for reports and status (malloc'd), may return NULL. */
	char *(*db_describe)(void *userdata, void *db);
	/* Runs in the forked check child: check iface and write JSON lines to out_fd (progress
	 * lines {"event":"progress","report":{...}}, then {"event":"report","report":{...}}).
	 * Returns the child's exit status. */
	int (*check)(void *userdata, void *db, const char *iface, const struct recalld_config *cfg,
		     int out_fd);
};

/* Bays named explicitly (tests): no udev, rtnetlink or CAN sockets; the names are present+up. */
#define RECALLD_STATIC_BAYS 0x1

struct recalld;

/* Takes ownership of *cfg (zeroed on success).  Opens the database, the control socket and the
 * bay discovery. */
int recalld_new(struct recalld_config *cfg, const char *config_path, const struct recalld_ops *ops,
		void *userdata, unsigned int flags, struct recalld **ret);
int recalld_add_static_bay(struct recalld *d, const char *name);
/* Runs until SIGTERM or SIGINT; returns 0 or a negative errno. */
int recalld_run(struct recalld *d);
struct recalld *recalld_free(struct recalld *d);

/* Child side helpers for ops->check: write one event line with a report. */
int check_write_event(int fd, const char *event, const struct recall_report *r);

/* ---- check.c: the one check shared by recalld's children, librecall and recall-check ------ */

/* Called with the report as read so far (VIN, ECUs), e.g. after the identity is read. */
typedef void (*check_progress_fn)(void *userdata, const struct recall_report *partial);

/* Open and validate a database; on failure *ret_error (malloc'd, may stay NULL) says why. */
int check_db_open(const char *path, struct recall_db **ret_db, char **ret_error);
/* "recalls.rdb (N campaigns, built ...)"; malloc'd, NULL on OOM. */
char *check_db_describe(const struct recall_db *db);
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
