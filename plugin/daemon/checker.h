/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Check supervision: one forked child per check.  The child gets a typed request (struct
 * check_request, nothing else of the daemon's state), reads the car and sends back framed,
 * typed messages on a pipe: any number of progress reports, then exactly one final report, each
 * of any size up to a bound the daemon sets.  The parent reads them without blocking, parses
 * each report once into the struct, and learns the child's end from a pidfd (no SIGCHLD
 * handling, no waitpid(-1) elsewhere).  A check ends when both the pipe's EOF and the exit
 * status are in; the owner gets one done callback with everything that is known.
 *
 * Wire format of a message (host byte order: both ends are the same binary):
 *   struct check_msg_hdr { magic "RCK1", type, length } + length bytes of report JSON
 * The parent refuses a wrong magic, an unknown type, a length beyond the bound, a second final
 * report and bytes after it: the check is then ended (the child killed) with the reason.
 */
#ifndef RECALLD_CHECKER_H
#define RECALLD_CHECKER_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "plugin/recall.h"

#define CHECK_ADDRESSING_MAX 128

/*
 * What a check child is asked to do: self-contained (no pointers into the daemon), so it is all
 * the child needs and could as well travel over a pipe.  Issue 10's read plan (schemes, ECUs,
 * DIDs) joins here as further fields; size tells which fields a producer filled.
 */
struct check_request {
	uint32_t size;				/* sizeof(struct check_request) */
	char iface[IFNAMSIZ];
	char addressing[CHECK_ADDRESSING_MAX];	/* schemes in order; "" = can/'s default */
	uint32_t request_timeout_ms;		/* per request; 0 = can/'s default */
	uint32_t deadline_ms;			/* the car's read ends by then (from start) */
	uint32_t flags;				/* RECALL_CHECK_* (CAN_FD from can_fd) */
	/* The read plan's part from the config (issue 10); the database's part (the (ECU, DID)
	 * needs) is computed at db open and inherited with the db.  0 = can/'s default. */
	uint32_t answer_ms;			/* discovery's first-answer window */
	uint32_t parallel;			/* ECUs read at the same time */
	uint32_t quiet_ms;			/* discovery's quiet gap (flags: FULL_WINDOW) */
};

enum check_msg_type {
	CHECK_MSG_PROGRESS = 1,		/* partial report (e.g. after the identity was read) */
	CHECK_MSG_REPORT = 2,		/* the final report; exactly one, the last message */
};

#define CHECK_MSG_MAGIC 0x314b4352u	/* "RCK1" */

struct check_msg_hdr {
	uint32_t magic;
	uint32_t type;
	uint64_t len;
};

/* ---- child side ---------------------------------------------------------------------------- */

/* The child's end of the reply pipe. */
struct check_reply {
	int fd;
	bool sent_report;
};

/* Send a report as a message of the given type (blocking writes; the pipe is the child's). */
int check_reply_send(struct check_reply *out, enum check_msg_type type,
		     const struct recall_report *r);

/* Runs in the child: check req->iface with db and send the report(s) to out.  Returns the
 * child's exit status. */
typedef int (*check_run_fn)(void *userdata, void *db, const struct check_request *req,
			    struct check_reply *out);

/* ---- the reply decoder (pure: bytes in, messages out; fuzzed) ----------------------------- */

struct check_decoder {
	size_t max;			/* largest message body accepted */
	struct check_msg_hdr hdr;
	size_t hdr_got;
	char *body;
	size_t body_got;
	bool done;			/* the final report was decoded: nothing may follow */
};

/* A complete message: body is malloc'd, NUL-terminated, and now the callee's. */
typedef int (*check_msg_fn)(void *ctx, enum check_msg_type type, char *body, size_t len);

void check_decoder_init(struct check_decoder *d, size_t max);
void check_decoder_done(struct check_decoder *d);
/* Feed bytes; calls fn per complete message.  -EBADMSG (bad magic or type), -EMSGSIZE (beyond
 * max), -EPROTO (anything after the final report), -ENOMEM, or fn's own negative return. */
int check_decoder_feed(struct check_decoder *d, const void *data, size_t len, check_msg_fn fn,
		       void *ctx);
/* At EOF: -EPIPE when a message was cut off. */
int check_decoder_eof(const struct check_decoder *d);

/* ---- parent side --------------------------------------------------------------------------- */

struct loop;
struct checker;

struct checker_result {
	struct recall_report *report;	/* the child's final report; NULL if none */
	struct recall_report *progress;	/* its latest partial report; NULL if none */
	int wstatus;			/* as waitpid gives it */
	bool killed;			/* checker_kill was called */
	char error[160];		/* the child broke the reply protocol: how; "" if not */
};

struct checker_ops {
	/* A partial report arrived (the checker keeps it; copy what you need). */
	void (*progress)(void *ctx, const struct recall_report *partial);
	/* The check is over; the callee owns res->report and res->progress.  The checker must not
	 * be used after this except with checker_free (which the callee may call in here). */
	void (*done)(void *ctx, struct checker_result *res);
};

struct checker_params {
	check_run_fn run;
	void *run_userdata;
	void *db;			/* handed to run in the child (shared copy-on-write) */
	size_t max_reply;		/* bound per message body */
};

int checker_start(struct loop *l, const struct check_request *req,
		  const struct checker_params *p, const struct checker_ops *ops, void *ctx,
		  struct checker **ret);
/* SIGKILL the child (deadline passed); done follows when it is reaped. */
void checker_kill(struct checker *c);
pid_t checker_pid(const struct checker *c);
/* Kills and reaps a child still running (daemon stop), without a done callback. */
struct checker *checker_free(struct checker *c);

#endif
