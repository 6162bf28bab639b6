/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control protocol of recalld, for the daemon and its clients (recallctl, station software)
 * alike: one JSON object per line over a Unix stream socket.  This module names the requests and
 * the events once; the daemon answers with these builders and recallctl asks with them.
 *
 * Request:  {"cmd": "status"|"check"|"last"|"subscribe"|"reload"|"history", "iface": "vcan0",
 *            "id": 7}; check also takes "order" and "plate", history takes "vin" and "limit"
 * Reply:    {"ok": true|false, "cmd": …, "id": …, …, "error": "…"}
 * Event:    {"event": "check-started"|"progress"|"check-finished"|"bay"|"reload", "iface": …, …}
 */
#ifndef RECALL_CONTROL_H
#define RECALL_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum control_cmd {
	CONTROL_STATUS,
	CONTROL_CHECK,
	CONTROL_LAST,
	CONTROL_SUBSCRIBE,
	CONTROL_RELOAD,
	CONTROL_HISTORY,
	_CONTROL_CMD_MAX
};

#define CONTROL_IFNAME_MAX 16	/* IFNAMSIZ; "iface" is 1..15 bytes */
#define CONTROL_ORDER_MAX 64	/* bytes of a workshop order number */
#define CONTROL_PLATE_MAX 32	/* bytes of a licence plate */
#define CONTROL_HISTORY_MAX 1000	/* checks per history reply */

struct control_request {
	enum control_cmd cmd;
	char iface[CONTROL_IFNAME_MAX];		/* for check and last */
	int64_t id;				/* echoed back when the client sent "id" */
	bool has_id;
	/* check: given by the station, carried into the report ("" = not given); one line of
	 * printable UTF-8 */
	char order[CONTROL_ORDER_MAX + 1];
	char plate[CONTROL_PLATE_MAX + 1];
	/* history: the car (upper case) and how many checks at most (default 50) */
	char vin[18];
	unsigned int limit;
};

/* Parse one request line (without its newline).  On error returns a negative errno and, when
 * ret_error is non-NULL, a static English message saying what is wrong. */
int control_parse_request(const char *line, size_t len, struct control_request *ret_req,
			  const char **ret_error);
const char *control_cmd_name(enum control_cmd cmd);
/* The command word ("status", …) -> its enum; -EOPNOTSUPP for an unknown word. */
int control_cmd_parse(const char *word);
/* Whether a command takes "iface" (check, last). */
bool control_cmd_needs_iface(enum control_cmd cmd);
/* Whether a command takes "vin" (history). */
bool control_cmd_needs_vin(enum control_cmd cmd);
/* One line of printable UTF-8 of at most max bytes (an order number, a plate, a name). */
bool control_text_ok(const char *s, size_t len, size_t max);

/* Events sent to subscribers: {"event": NAME, "iface": …, …}. */
enum control_event {
	CONTROL_EV_CHECK_STARTED,	/* "check-started": iface, trigger */
	CONTROL_EV_PROGRESS,		/* "progress": iface, report (partial) */
	CONTROL_EV_CHECK_FINISHED,	/* "check-finished": iface, file, report */
	CONTROL_EV_BAY,			/* "bay": iface, state */
	CONTROL_EV_RELOAD,		/* "reload": ok, database | error */
	_CONTROL_EV_MAX
};

const char *control_event_name(enum control_event ev);

/* An interface name as printed: the kernel allows any byte but '/', ':', whitespace and NUL, so
 * bytes outside printable ASCII, and the backslash itself, become \xHH ("can\x1b[2J").  This is
 * the name in logs, JSON and reports, and the one requests use.  Always NUL-terminated. */
#define CONTROL_LABEL_MAX (CONTROL_IFNAME_MAX * 4)
void control_ifname_escape(const char *name, char *out, size_t size);
/* -ENOENT for a word that is no event (a newer daemon's: clients show those as they are). */
int control_event_parse(const char *word);

/* Messages as json-c objects (caller owns the reference; NULL on OOM).  The member order is part
 * of the protocol's look: "event"/"ok" first, then "cmd"/"id", then "iface". */
struct json_object;
/* {"cmd": …, "iface": …} for a client; iface NULL when the command takes none. */
struct json_object *control_request_new(enum control_cmd cmd, const char *iface);
/* {"ok": ok, "cmd": …, "id": …}; req may be NULL (a request that could not be parsed). */
struct json_object *control_reply_new(const struct control_request *req, bool ok);
/* {"ok": false, …, "error": msg} */
struct json_object *control_reply_error(const struct control_request *req, const char *msg);
/* {"event": …, "iface": …}; iface NULL for events not about one bay. */
struct json_object *control_event_new(enum control_event ev, const char *iface);
/* The object as one line's text, without the newline (valid until o is freed). */
const char *control_to_line(struct json_object *o, size_t *ret_len);

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
	size_t big;		/* the largest message waiting (the bound comes on top of it) */
};

void outbuf_init(struct outbuf *ob, size_t max);
void outbuf_done(struct outbuf *ob);
int outbuf_append(struct outbuf *ob, const char *data, size_t len);
/* data and a newline, both or neither. */
int outbuf_append_line(struct outbuf *ob, const char *data, size_t len);
/* Write as much as the fd takes; returns bytes left, or a negative errno from write. */
ssize_t outbuf_flush(struct outbuf *ob, int fd);

#endif
