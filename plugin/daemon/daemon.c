/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recalld's wiring: the bays.  One process, one event loop (loop.c), no threads:
 *
 *   signalfd    SIGTERM/SIGINT stop, SIGHUP reloads; handlers never run
 *   linkwatch   CAN interfaces appearing, vanishing, going up and down (udev + rtnetlink)
 *   linkup      the link helper's answers: a bay that appeared down was configured and brought
 *               up (or refused, with the kernel's reason) — the one part with CAP_NET_ADMIN
 *   traffic     per bay, frames after silence (a car waking up)
 *   timer       per bay, the state machine's deadline and probe times
 *   checker     per running check, the child's reports and its end
 *   ctlserver   the control socket's requests
 *
 * Each of those calls back into this file, and this file alone decides: it feeds the bay state
 * machine (bay.c), carries out what it returns, and hands every finished report to the sinks.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <json-c/json.h>
#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/netlink.h>
#include <systemd/sd-daemon.h>

#include "can/canlink.h"
#include "plugin/control.h"
#include "plugin/daemon/bay.h"
#include "plugin/daemon/buswatch.h"
#include "plugin/daemon/ctlserver.h"
#include "plugin/daemon/daemon.h"
#include "plugin/daemon/linkup.h"
#include "plugin/daemon/linkwatch.h"
#include "plugin/daemon/loop.h"
#include "plugin/daemon/ratedetect.h"
#include "plugin/daemon/sandbox.h"
#include "plugin/daemon/sink.h"
#include "plugin/daemon/traffic.h"
#include "plugin/recall-internal.h"

/* Largest report a check child may send: far above any real car (1,000 open campaigns with their
 * German texts are a few MiB), and a bound on what a runaway child can make us allocate. */
#define CHECK_REPLY_MAX (256u << 20)

/* What recalld did with a bay's link (issue 12); the words go into `status` and the log. */
enum bay_link {
	BL_UNKNOWN = 0,		/* not seen down yet, nothing done */
	BL_PENDING,		/* a request to the link helper is out */
	BL_OURS,		/* brought up by recalld */
	BL_FOREIGN,		/* up, brought up outside recalld: never touched */
	BL_VIRTUAL,		/* vcan/vxcan: nothing to bring up */
	BL_DISABLED,		/* down and bringup = no */
	BL_FAILED,		/* bring-up refused; link_msg says why */
	BL_TAKEN_DOWN,		/* was up, taken down outside recalld: left down */
	_BL_MAX
};

static const char *const bay_link_words[_BL_MAX] = {
	[BL_UNKNOWN] = "none",
	[BL_PENDING] = "in-progress",
	[BL_OURS] = "recalld",
	[BL_FOREIGN] = "outside",
	[BL_VIRTUAL] = "virtual",
	[BL_DISABLED] = "disabled",
	[BL_FAILED] = "failed",
	[BL_TAKEN_DOWN] = "taken-down",
};

struct bayrt {
	struct recalld *d;
	struct bay sm;			/* sm.name: the kernel's name, for sockets and rtnetlink */
	/* the name as printed everywhere (logs, JSON, reports, file names): bytes outside
	 * printable ASCII and the backslash as \xHH, so a name with control bytes cannot forge a
	 * log line or break a client */
	char label[CONTROL_LABEL_MAX];
	struct config_link want;	/* bitrate, restart_ms, bringup for this bay */
	enum bay_link link;
	char link_msg[256];		/* why the link is as it is, for status and the log */
	bool restart_unsupported;	/* the driver cannot restart after bus-off */
	struct buswatch *bus;		/* the controller's state changes, while up */
	struct loop_timer *restart;	/* our own bus-off recovery, where the driver has none */
	unsigned int bus_offs;		/* bus-offs seen on this bay */
	struct ratedetect *detect;	/* bitrate = auto: detection running */
	struct ratedetect *detect_old;	/* ended, freed after this loop batch */
	struct loop_timer *redetect;	/* a silent bus: try again later */
	uint32_t detected;		/* the rate detection found (auto), 0 = none yet */
	struct traffic *traffic;	/* NULL when not watching */
	struct loop_timer *timer;
	struct checker *check;		/* the running check, NULL when none */
	int64_t started_wall_ms;
	struct recall_report *last;	/* last finished report */
	bool last_saved;		/* its files were written (else it waits in the spool) */
	bool static_bay;
	/* given with the check request that started the running check ("" = none) */
	char order[CONTROL_ORDER_MAX + 1];
	char plate[CONTROL_PLATE_MAX + 1];
};

struct recalld {
	struct recalld_config cfg;
	char *config_path;
	const struct recalld_ops *ops;
	void *userdata;
	unsigned int flags;
	struct loop *loop;
	int sigfd;
	struct linkwatch *links;
	struct linkup *linkup;		/* the link helper; NULL without one (static bays) */
	int linkup_err;			/* why there is none, when there should be */
	struct ctlserver *ctl;
	struct sinks sinks;
	struct sink *history;		/* in sinks; NULL when no history is kept */
	void *db;
	char *db_desc;
	struct bayrt **bays;
	size_t n_bays;
	unsigned int report_seq;
	struct loop_timer *watchdog;
	uint64_t watchdog_ms;
	struct sink *files;		/* the report files' sink: its spool, its retention */
	struct loop_timer *retention;
};

static struct bay_params params(const struct recalld *d)
{
	return (struct bay_params){
		.on_appear = d->cfg.on_appear,
		.on_traffic = d->cfg.on_traffic,
		.silence_ms = d->cfg.silence_ms,
		.probe_interval_ms = d->cfg.probe_interval_ms,
		.check_timeout_ms = d->cfg.check_timeout_ms,
	};
}

void recalld_make_request(const struct recalld_config *cfg, const char *iface,
			  struct check_request *ret)
{
	unsigned int margin = cfg->check_timeout_ms / 4 < 5000 ? cfg->check_timeout_ms / 4 : 5000;

	*ret = (struct check_request){
		.size = sizeof(*ret),
		.request_timeout_ms = cfg->request_timeout_ms,
		/* the bus read ends in time for a report: the daemon kills a check at
		 * check_timeout and then has nothing to show */
		.deadline_ms = cfg->check_timeout_ms - margin,
		/* the report lists what concerns the car and counts the rest (not_affected_omitted),
		 * as recall-check does: its length follows the car, not the database */
		.flags = RECALL_CHECK_CONCERNING | (cfg->can_fd ? RECALL_CHECK_CAN_FD : 0) |
			 (cfg->discovery_quiet_ms ? 0 : RECALL_CHECK_FULL_WINDOW),
		.answer_ms = cfg->answer_window_ms,
		.parallel = cfg->parallel,
		.quiet_ms = cfg->discovery_quiet_ms,
	};
	snprintf(ret->iface, sizeof(ret->iface), "%s", iface);
	snprintf(ret->addressing, sizeof(ret->addressing), "%s",
		 cfg->addressing ? cfg->addressing : "");
}

/* ---- bays ---------------------------------------------------------------------------------- */

static struct bayrt *bay_find(struct recalld *d, const char *name)
{
	for (size_t i = 0; i < d->n_bays; i++)
		if (strcmp(d->bays[i]->sm.name, name) == 0)
			return d->bays[i];
	return NULL;
}

/* A bay as a client names it: by its printed name (the only one a request can carry). */
static struct bayrt *bay_find_label(struct recalld *d, const char *label)
{
	for (size_t i = 0; i < d->n_bays; i++)
		if (strcmp(d->bays[i]->label, label) == 0)
			return d->bays[i];
	return NULL;
}

static enum bay_action bay_feed(struct bayrt *b, enum bay_event_type ev, bool up);
static void bay_bus_open(struct bayrt *b);

static void bay_timer(void *ctx)
{
	struct bayrt *b = ctx;

	(void)bay_feed(b, BAY_EV_TIMER, b->sm.up);
}

static void bay_traffic(void *ctx, int err)
{
	struct bayrt *b = ctx;

	if (err < 0) {
		/* link down or gone: a new watcher when it is back */
		b->traffic = traffic_free(b->traffic);
		return;
	}
	(void)bay_feed(b, BAY_EV_TRAFFIC, true);
}

static void bay_traffic_open(struct bayrt *b)
{
	int r;

	if (b->traffic || b->static_bay || !b->d->cfg.on_traffic)
		return;
	r = traffic_open(b->d->loop, b->sm.name, b->d->cfg.silence_ms, bay_traffic, b, &b->traffic);
	if (r < 0 && r != -ENODEV)
		syslog(LOG_WARNING, "%s: CAN_RAW socket: %s (no traffic trigger)", b->label,
		       strerror(-r));
}

static struct bayrt *bay_get(struct recalld *d, const char *name)
{
	struct bayrt *b = bay_find(d, name), **arr;
	int r;

	if (b)
		return b;
	if (strlen(name) >= sizeof(b->sm.name))
		return NULL;
	b = calloc(1, sizeof(*b));
	arr = realloc(d->bays, (d->n_bays + 1) * sizeof(*arr));
	if (arr)
		d->bays = arr;
	if (!b || !arr) {
		free(b);
		syslog(LOG_ERR, "%s: out of memory, bay ignored", name);
		return NULL;
	}
	b->d = d;
	bay_init(&b->sm, name);
	control_ifname_escape(name, b->label, sizeof(b->label));
	config_bay_link(&d->cfg, name, &b->want);
	r = loop_timer_new(d->loop, bay_timer, b, &b->timer);
	if (r < 0) {
		syslog(LOG_ERR, "%s: timer: %s, bay ignored", name, strerror(-r));
		free(b);
		return NULL;
	}
	d->bays[d->n_bays++] = b;
	return b;
}

static void bay_free(struct bayrt *b)
{
	linkup_cancel(b->d->linkup, b);
	buswatch_free(b->bus);
	loop_timer_free(b->restart);
	ratedetect_free(b->detect);
	ratedetect_free(b->detect_old);
	loop_timer_free(b->redetect);
	checker_free(b->check);
	traffic_free(b->traffic);
	loop_timer_free(b->timer);
	recall_report_free(b->last);
	free(b);
}

static void bay_event(struct bayrt *b)
{
	struct json_object *o = control_event_new(CONTROL_EV_BAY, b->label);

	if (!o)
		return;
	json_object_object_add(o, "state",
			       json_object_new_string(bay_state_name(bay_state(&b->sm))));
	ctlserver_broadcast(b->d->ctl, o);
	json_object_put(o);
}

static void check_start(struct bayrt *b);

/* Feed one event to a bay's state machine and carry out what it decides. */
static enum bay_action bay_feed(struct bayrt *b, enum bay_event_type ev, bool up)
{
	struct bay_params p = params(b->d);
	enum bay_state before = bay_state(&b->sm);
	enum bay_action a = bay_handle(&b->sm, &p, ev, up, loop_now_ms());

	switch (a) {
	case BAY_ACT_START:
		check_start(b);
		break;
	case BAY_ACT_KILL:
		if (b->check) {
			syslog(LOG_WARNING, "%s: check overstayed its deadline, killing it",
			       b->label);
			checker_kill(b->check);
		}
		break;
	default:
		break;
	}
	if (b->sm.present && b->sm.up) {
		bay_traffic_open(b);
		bay_bus_open(b);
	} else {
		if (!b->sm.present)
			b->traffic = traffic_free(b->traffic);
		b->bus = buswatch_free(b->bus);
	}
	loop_timer_set(b->timer, bay_next_timer(&b->sm));
	if (bay_state(&b->sm) != before && a != BAY_ACT_START)
		bay_event(b);
	return a;
}

/* ---- checks -------------------------------------------------------------------------------- */

/* The report's error in English (logs, old readers) and as data (code, one parameter) for the
 * words of the technician's report. */
static void set_error(struct recall_report *r, const char *code, const char *key,
		      const char *value, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void set_error(struct recall_report *r, const char *code, const char *key,
		      const char *value, const char *fmt, ...)
{
	struct recall_fact f = { 0 };
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (report_fact_init(&f, code) < 0 ||
	    (key && report_fact_add(&f, key, RECALL_PARAM_STRING, value) < 0))
		report_fact_done(&f);
	(void)report_set_error_fact(r, msg, f.code ? &f : NULL);
	report_fact_done(&f);
}

/* Control bytes in a text from the check child (an error naming the interface, a value read from
 * the car) become \xHH: the text goes into log lines and the technician's report. */
static void escape_controls(char **text)
{
	size_t n = 0, o = 0;
	char *in = *text, *out;

	if (!in)
		return;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++)
		n += *p < ' ' || *p == 0x7f;
	if (!n)
		return;
	out = malloc(strlen(in) + 3 * n + 1);
	if (!out)
		return;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if (*p < ' ' || *p == 0x7f)
			o += (size_t)sprintf(out + o, "\\x%02x", *p);
		else
			out[o++] = (char)*p;
	}
	out[o] = 0;
	free(in);
	*text = out;
}

/* The check is over: the final report (the child's, or one made here from its last progress and
 * the reason it did not finish), to the sinks. */
static void check_finish(struct bayrt *b, struct checker_result *res)
{
	struct recalld *d = b->d;
	struct recall_report *r = res->report ? res->report : res->progress;
	bool had_report = res->report != NULL;
	struct finished_check fc;

	if (res->report)
		recall_report_free(res->progress);
	if (!r) {
		r = report_new();
		if (!r) {
			syslog(LOG_ERR, "%s: out of memory, check result lost", b->label);
			goto done;
		}
		r->status = RECALL_STATUS_FAILED;
	}
	(void)report_set_str(&r->iface, b->label);
	(void)report_set_str(&r->bay_name, config_bay_name(&d->cfg, b->sm.name));
	if (b->order[0])
		(void)report_set_str(&r->order, b->order);
	if (b->plate[0])
		(void)report_set_str(&r->plate, b->plate);
	b->order[0] = b->plate[0] = 0;
	escape_controls(&r->error);
	for (size_t i = 0; i < r->n_errors; i++)
		escape_controls(&r->errors[i]);
	if (!r->database && d->db_desc)
		(void)report_set_str(&r->database, d->db_desc);
	if (!r->started_ms)
		r->started_ms = b->started_wall_ms;
	if (!r->finished_ms || !had_report)
		r->finished_ms = loop_wall_ms();

	/* The child's own word counts when it finished; otherwise say why it did not. */
	if (!had_report || r->status != RECALL_STATUS_COMPLETE) {
		char num[16];

		if (b->sm.removed_during_check) {
			r->status = RECALL_STATUS_INTERRUPTED;
			set_error(r, "iface_removed", "iface", b->label,
				  "%s: interface removed during the check", b->label);
			(void)report_set_bus_cause(r, "adapter_removed");
		} else if (b->sm.link_lost_during_check) {
			r->status = RECALL_STATUS_INTERRUPTED;
			set_error(r, "link_down", "iface", b->label,
				  "%s: link went down during the check", b->label);
		} else if (b->sm.killed) {
			r->status = RECALL_STATUS_INTERRUPTED;
			snprintf(num, sizeof(num), "%u", d->cfg.check_timeout_ms);
			set_error(r, "check_timeout", "ms", num,
				  "check did not finish within %u ms", d->cfg.check_timeout_ms);
		} else if (!had_report) {
			if (res->error[0] && res->wstatus == 0x7f00) {
				/* check_start's "cannot start the check process: <why>" */
				const char *why = strstr(res->error, ": ");

				set_error(r, "check_not_started", "errno", why ? why + 2 : res->error,
					  "%s", res->error);
			} else if (res->error[0]) {
				set_error(r, "check_reply_bad", "detail", res->error, "%s",
					  res->error);
			} else if (WIFSIGNALED(res->wstatus)) {
				snprintf(num, sizeof(num), "%d", WTERMSIG(res->wstatus));
				set_error(r, "check_crashed", "signal", num,
					  "check process died (signal %d)", WTERMSIG(res->wstatus));
			} else {
				snprintf(num, sizeof(num), "%d",
					 WIFEXITED(res->wstatus) ? WEXITSTATUS(res->wstatus) : -1);
				set_error(r, "check_exited", "status", num,
					  "check process exited with status %s without a report",
					  num);
			}
			r->status = res->progress ? RECALL_STATUS_INTERRUPTED :
						    RECALL_STATUS_FAILED;
		}
	}

	fc = (struct finished_check){
		.report = r,
		.iface = b->label,
		.trigger = bay_trigger_name(b->sm.trigger),
		.seq = ++d->report_seq,
	};
	sinks_deliver(&d->sinks, &fc);
	b->last_saved = fc.file != NULL;
	free(fc.file);
	recall_report_free(b->last);
	b->last = r;
done:
	b->check = checker_free(b->check);
	(void)bay_feed(b, BAY_EV_CHECK_DONE, b->sm.up);
}

static void on_check_progress(void *ctx, const struct recall_report *partial)
{
	struct bayrt *b = ctx;
	struct json_object *o = control_event_new(CONTROL_EV_PROGRESS, b->label), *rep;

	if (o && report_to_json_object(partial, &rep) >= 0) {
		/* the child names the interface as the kernel does; clients see the printed name */
		json_object_object_add(rep, "iface", json_object_new_string(b->label));
		json_object_object_add(o, "report", rep);
		ctlserver_broadcast(b->d->ctl, o);
	}
	json_object_put(o);
}

static void on_check_done(void *ctx, struct checker_result *res)
{
	check_finish(ctx, res);
}

static const struct checker_ops check_ops = {
	.progress = on_check_progress,
	.done = on_check_done,
};

static void check_start(struct bayrt *b)
{
	struct recalld *d = b->d;
	struct checker_params p = {
		.run = d->ops->check,
		.run_userdata = d->userdata,
		.db = d->db,
		.max_reply = CHECK_REPLY_MAX,
	};
	struct check_request req;
	struct json_object *o;
	int r;

	b->started_wall_ms = loop_wall_ms();
	syslog(LOG_INFO, "%s: check started (%s)", b->label, bay_trigger_name(b->sm.trigger));
	recalld_make_request(&d->cfg, b->sm.name, &req);
	r = checker_start(d->loop, &req, &p, &check_ops, b, &b->check);
	if (r < 0) {
		struct checker_result res = { .wstatus = 0x7f00 };

		syslog(LOG_ERR, "%s: cannot start check: %s", b->label, strerror(-r));
		snprintf(res.error, sizeof(res.error), "cannot start the check process: %s",
			 strerror(-r));
		b->check = NULL;
		check_finish(b, &res);
		return;
	}
	o = control_event_new(CONTROL_EV_CHECK_STARTED, b->label);
	if (o) {
		json_object_object_add(o, "trigger",
				       json_object_new_string(bay_trigger_name(b->sm.trigger)));
		ctlserver_broadcast(d->ctl, o);
		json_object_put(o);
	}
}

/* ---- links --------------------------------------------------------------------------------- */

static void link_set(struct bayrt *b, enum bay_link state, int prio, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* New link state and its reason, logged once when it changes; subscribers get a bay event. */
static void link_set(struct bayrt *b, enum bay_link state, int prio, const char *fmt, ...)
{
	char msg[sizeof(b->link_msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (b->link == state && strcmp(msg, b->link_msg) == 0)
		return;
	b->link = state;
	snprintf(b->link_msg, sizeof(b->link_msg), "%s", msg);
	if (*msg)
		syslog(prio, "%s: %s", b->label, msg);
	bay_event(b);
}

/* The kernel's or the driver's refusal in words a technician can act on. */
static void refusal_words(const struct bayrt *b, const struct linkup_rep *rep, char *buf,
			  size_t size)
{
	const char *k = rep->msg[0] ? rep->msg : strerror(-rep->error);

	if (rep->error == -EPERM) {
		snprintf(buf, size, "cannot bring up: recalld lacks CAP_NET_ADMIN (its link "
				    "helper runs without it); bring the link up outside recalld "
				    "or run recalld with that capability");
	} else if (strcmp(rep->step, "plan") == 0 && rep->verdict == CANLINK_REFUSE_RATE) {
		char rates[120] = "";
		size_t n = 0;

		for (uint32_t i = 0; i < rep->n_rates && n < sizeof(rates) - 12; i++)
			n += (size_t)snprintf(rates + n, sizeof(rates) - n, "%s%u", i ? " " : "",
					      rep->rates[i]);
		snprintf(buf, size, "cannot bring up: bit rate %u is not one this adapter can do%s%s%s",
			 b->want.bitrate, n ? " (it offers " : "", rates, n ? ")" : "");
	} else if (strcmp(rep->step, "plan") == 0) {
		snprintf(buf, size, "cannot bring up: %s", rep->msg[0] ? rep->msg :
			 "not a CAN controller");
	} else if (strcmp(rep->step, "configure") == 0) {
		snprintf(buf, size, "cannot bring up: the driver refused bit rate %u: %s%s",
			 b->want.bitrate, k, rep->error == -EDOM ?
			 " (the controller's clock cannot make this rate)" : "");
	} else if (strcmp(rep->step, "restart-ms") == 0) {
		snprintf(buf, size, "cannot bring up: the driver refused restart-ms %u: %s",
			 b->want.restart_ms, k);
	} else if (strcmp(rep->step, "up") == 0) {
		snprintf(buf, size, "cannot bring up: the driver refused to start the controller: "
				    "%s%s", k, rep->error == -ETIMEDOUT ?
			 " (the adapter did not answer)" : "");
	} else {
		snprintf(buf, size, "cannot bring up (%s): %s", rep->step, k);
	}
}

static void on_linkup(void *ctx, const struct linkup_rep *rep, int err);

/* Our own bus-off recovery for a link recalld brought up on a driver that cannot restart by
 * itself (slcan): after restart_ms, the same settings again — down and up. */
static void bay_restart(void *ctx)
{
	struct bayrt *b = ctx;
	struct linkup_req req = {
		.op = LINKUP_SET,
		.bitrate = b->want.bitrate,
		.restart_ms = b->want.restart_ms,
		.ctrlmode_mask = CAN_CTRLMODE_LISTENONLY,
	};
	int r;

	if (b->link != BL_OURS || !b->sm.present)
		return;
	snprintf(req.ifname, sizeof(req.ifname), "%s", b->sm.name);
	r = linkup_request(b->d->linkup, &req, on_linkup, b);
	if (r < 0) {
		link_set(b, BL_FAILED, LOG_ERR, "bus-off; restart failed: link helper: %s",
			 strerror(-r));
		return;
	}
	b->link = BL_PENDING;
	syslog(LOG_NOTICE, "%s: bus-off: restarting the controller (down, up) after %u ms",
	       b->sm.name, b->want.restart_ms);
}

static void on_bus(void *ctx, const struct can_frame *f, int err)
{
	struct bayrt *b = ctx;

	if (!f) {
		(void)err;
		b->bus = buswatch_free(b->bus);
		return;
	}
	if (f->can_id & CAN_ERR_BUSOFF) {
		b->bus_offs++;
		if (b->link == BL_OURS && b->restart_unsupported && b->want.restart_ms) {
			syslog(LOG_WARNING, "%s: bus-off (the controller switched itself off after "
			       "too many errors); recalld restarts it in %u ms", b->sm.name,
			       b->want.restart_ms);
			if (!b->restart && loop_timer_new(b->d->loop, bay_restart, b,
							  &b->restart) < 0)
				return;
			loop_timer_set(b->restart, loop_now_ms() + b->want.restart_ms);
		} else {
			syslog(LOG_WARNING, "%s: bus-off (the controller switched itself off after "
			       "too many errors)%s", b->sm.name,
			       b->link == BL_OURS && b->want.restart_ms ?
				       "; the driver restarts it after restart-ms" :
				       "; left to whoever brought the link up");
		}
		bay_event(b);
	} else if (f->can_id & CAN_ERR_RESTARTED) {
		syslog(LOG_NOTICE, "%s: the controller restarted after bus-off", b->sm.name);
		bay_event(b);
	}
}

static void bay_bus_open(struct bayrt *b)
{
	if (b->bus || b->static_bay || b->link == BL_VIRTUAL)
		return;
	if (buswatch_open(b->d->loop, b->sm.name, on_bus, b, &b->bus) < 0)
		b->bus = NULL;	/* no state reports then; checks still say what the bus did */
}

static void on_linkup(void *ctx, const struct linkup_rep *rep, int err)
{
	struct bayrt *b = ctx;
	char words[sizeof(b->link_msg)];

	if (!rep) {
		link_set(b, BL_FAILED, LOG_ERR, "cannot bring up: the link helper is gone (%s)",
			 strerror(-err));
		return;
	}
	switch (rep->outcome) {
	case CANLINK_OUT_UP:
		b->restart_unsupported = rep->restart_unsupported;
		if (!b->want.bitrate && b->detected == rep->bitrate)
			link_set(b, BL_OURS, LOG_NOTICE,
				 "bit rate detected: %u bit/s (ISO 15765-4); brought up by recalld, "
				 "restart-ms %u%s", rep->bitrate, rep->restart_ms,
				 rep->restart_unsupported ? " (the driver cannot restart after bus-off "
				 "by itself: recalld restarts it)" : "");
		else if (b->bus_offs && b->restart_unsupported)
			link_set(b, BL_OURS, LOG_NOTICE,
				 "brought up by recalld at %u bit/s; restarted by recalld after "
				 "%u bus-off(s) (the driver cannot restart by itself)", rep->bitrate,
				 b->bus_offs);
		else
			link_set(b, BL_OURS, LOG_NOTICE,
				 "brought up by recalld at %u bit/s, restart-ms %u%s", rep->bitrate,
				 rep->restart_ms, rep->restart_unsupported ?
				 " (the driver cannot restart after bus-off by itself: recalld "
				 "restarts it)" : "");
		break;
	case CANLINK_OUT_LEFT:
		if (rep->verdict == CANLINK_LEAVE_VIRTUAL)
			link_set(b, BL_VIRTUAL, LOG_INFO, "%s", "");
		else
			link_set(b, BL_FOREIGN, LOG_INFO, "up outside recalld (%u bit/s): left as it is",
				 rep->bitrate);
		break;
	case CANLINK_OUT_RACED:
		link_set(b, BL_FOREIGN, LOG_NOTICE,
			 "brought up by somebody else during bring-up: left as it is");
		break;
	case CANLINK_OUT_GONE:
		link_set(b, BL_FAILED, LOG_WARNING, "removed during bring-up");
		break;
	default:
		refusal_words(b, rep, words, sizeof(words));
		link_set(b, BL_FAILED, LOG_ERR, "%s", words);
		break;
	}
}

/* ---- bitrate = auto -------------------------------------------------------------------------- */

#define REDETECT_MS 10000	/* a silent bus (no car yet): listen again this often */

static void detect_start(struct bayrt *b);

static void on_detect_set(void *ctx, const struct linkup_rep *rep, int err)
{
	struct bayrt *b = ctx;

	if (!b->detect)
		return;
	/* pulled out under the detection: the kernel's removal follows and ends it (link_gone);
	 * "the controller refused a setting" would be the wrong words */
	if (rep && rep->outcome == CANLINK_OUT_GONE)
		return;
	if (!rep)
		ratedetect_configured(b->detect, err);
	else
		ratedetect_configured(b->detect, rep->outcome == CANLINK_OUT_UP ? 0 :
					  rep->error ? rep->error : -EIO);
}

static void detect_configure(void *ctx, uint32_t rate, bool listen_only)
{
	struct bayrt *b = ctx;
	struct linkup_req req = {
		.op = LINKUP_SET,
		.bitrate = rate,
		.restart_ms = 0,
		/* one-shot where the controller has it: the probe is tried once, never repeated */
		.ctrlmode_mask = CAN_CTRLMODE_LISTENONLY | CAN_CTRLMODE_ONE_SHOT,
		.ctrlmode_flags = listen_only ? CAN_CTRLMODE_LISTENONLY : CAN_CTRLMODE_ONE_SHOT,
	};
	int r;

	snprintf(req.ifname, sizeof(req.ifname), "%s", b->sm.name);
	r = linkup_request(b->d->linkup, &req, on_detect_set, b);
	if (r < 0)
		ratedetect_configured(b->detect, r);
	else
		syslog(LOG_DEBUG, "%s: bit-rate detection: %s at %u", b->sm.name,
		       listen_only ? "listening" : "OBD request", rate);
}

static void detect_reap(void *ctx)
{
	struct bayrt *b = ctx;

	b->detect_old = ratedetect_free(b->detect_old);
}

static void redetect(void *ctx)
{
	struct bayrt *b = ctx;

	if (b->sm.present && !b->detect && b->link == BL_PENDING)
		detect_start(b);
}

static void detect_done(void *ctx, uint32_t rate, enum canrate_fail fail)
{
	struct bayrt *b = ctx;
	struct linkup_req req = {
		.op = LINKUP_SET,
		.ctrlmode_mask = CAN_CTRLMODE_LISTENONLY | CAN_CTRLMODE_ONE_SHOT,
	};
	int r;

	b->detect_old = b->detect;
	b->detect = NULL;
	(void)loop_defer(b->d->loop, detect_reap, b);
	snprintf(req.ifname, sizeof(req.ifname), "%s", b->sm.name);
	if (!rate) {
		/* never left transmitting at a rate that may be wrong: parked listen-only */
		req.bitrate = 500000;
		req.ctrlmode_flags = CAN_CTRLMODE_LISTENONLY;
		(void)linkup_request(b->d->linkup, &req, NULL, NULL);
		if (fail == CANRATE_FAIL_SILENT) {
			link_set(b, BL_PENDING, LOG_NOTICE, "bit-rate detection: the bus is silent "
				 "at 500000 and 250000 bit/s and the OBD request was not answered — "
				 "no car, or ignition off; listening again in %u s", REDETECT_MS / 1000);
			if (!b->redetect && loop_timer_new(b->d->loop, redetect, b, &b->redetect) < 0)
				return;
			loop_timer_set(b->redetect, loop_now_ms() + REDETECT_MS);
		} else if (fail == CANRATE_FAIL_UNKNOWN_RATE) {
			link_set(b, BL_FAILED, LOG_ERR, "bit-rate detection: traffic on the bus at "
				 "neither 500000 nor 250000 bit/s — nothing was sent; set the bay's "
				 "bitrate in the configuration");
		} else {
			link_set(b, BL_FAILED, LOG_ERR, "bit-rate detection: the controller refused "
				 "a setting (listen-only or one-shot at 500000/250000)");
		}
		return;
	}
	b->detected = rate;
	req.bitrate = rate;
	req.restart_ms = b->want.restart_ms;
	req.ctrlmode_flags = 0;
	r = linkup_request(b->d->linkup, &req, on_linkup, b);
	if (r < 0)
		link_set(b, BL_FAILED, LOG_ERR, "cannot bring up: link helper: %s", strerror(-r));
	else
		syslog(LOG_NOTICE, "%s: bit rate detected: %u bit/s (ISO 15765-4)", b->sm.name,
		       rate);
}

static const struct ratedetect_ops detect_ops = {
	.configure = detect_configure,
	.done = detect_done,
};

static void detect_start(struct bayrt *b)
{
	int r = ratedetect_start(b->d->loop, b->sm.name, &detect_ops, b, &b->detect);

	if (r < 0) {
		b->detect = NULL;
		link_set(b, BL_FAILED, LOG_ERR, "bit-rate detection: %s", strerror(-r));
		return;
	}
	link_set(b, BL_PENDING, LOG_INFO, "detecting the bit rate (ISO 15765-4: listen-only at "
		 "500000, then 250000 bit/s; the OBD request only on a silent bus)");
}

/* A bay was seen: decide what its link needs.  Bring-up happens for an interface seen down when
 * it appears (or at start); one that was up and goes down was taken down by somebody (our own
 * settings go through BL_PENDING) and is left down. */
static void link_update(struct bayrt *b, bool was_present, bool was_up, bool up)
{
	struct recalld *d = b->d;
	struct linkup_req req;
	int r;

	if (b->static_bay)
		return;
	if (up) {
		if (b->link == BL_PENDING || b->link == BL_OURS)
			return;	/* ours; the helper's answer sets the words */
		if (!was_up && b->link != BL_VIRTUAL)
			link_set(b, BL_FOREIGN, LOG_INFO, "%s", "");
		return;
	}
	if (b->link == BL_PENDING)
		return;	/* our own request takes it down on the way */
	if (was_present && was_up) {
		if (b->link == BL_VIRTUAL || b->link == BL_UNKNOWN)
			return;
		link_set(b, BL_TAKEN_DOWN, LOG_NOTICE, "taken down outside recalld: left down "
			 "(unplug and plug the adapter, or bring it up by hand)");
		return;
	}
	if (was_present && b->link != BL_UNKNOWN && b->link != BL_TAKEN_DOWN &&
	    b->link != BL_FOREIGN)
		return;	/* already decided (failed, disabled, virtual) */
	/* vcan needs nothing and is never touched: no request, no words (an unprivileged query) */
	{
		struct canlink_nl nl;
		struct canlink_info in;

		if (canlink_nl_open(&nl) == 0) {
			r = canlink_get(&nl, b->sm.name, &in, NULL);
			canlink_nl_close(&nl);
			if (r == 0 && (in.kind == CANLINK_KIND_VCAN || in.kind == CANLINK_KIND_VXCAN)) {
				link_set(b, BL_VIRTUAL, LOG_DEBUG, "%s", "");
				return;
			}
		}
	}
	if (!b->want.bringup) {
		link_set(b, BL_DISABLED, LOG_NOTICE, "down; bringup = no in the configuration: "
			 "recalld leaves it down (bring it up outside recalld, or set bringup = yes)");
		return;
	}
	if (!d->linkup) {
		link_set(b, BL_FAILED, LOG_ERR, "down; cannot bring up: no link helper (%s)",
			 strerror(d->linkup_err ? -d->linkup_err : ENOSYS));
		return;
	}
	if (!b->want.bitrate) {
		if (!b->detect)
			detect_start(b);
		return;
	}
	req = (struct linkup_req){
		.op = LINKUP_BRINGUP,
		.bitrate = b->want.bitrate,
		.restart_ms = b->want.restart_ms,
	};
	snprintf(req.ifname, sizeof(req.ifname), "%s", b->sm.name);
	r = linkup_request(d->linkup, &req, on_linkup, b);
	if (r < 0) {
		link_set(b, BL_FAILED, LOG_ERR, "cannot bring up: link helper: %s", strerror(-r));
		return;
	}
	link_set(b, BL_PENDING, LOG_DEBUG, "bringing up at %u bit/s, restart-ms %u",
		 b->want.bitrate, b->want.restart_ms);
}

static void link_seen(void *ctx, const char *name, bool up)
{
	struct recalld *d = ctx;
	struct bayrt *b;
	bool was_present, was_up;

	if (!config_is_bay(&d->cfg, name))
		return;
	b = bay_get(d, name);
	if (!b)
		return;
	was_present = b->sm.present;
	was_up = b->sm.present && b->sm.up;
	/* while the rate is being detected the link goes up and down in listen-only or probe
	 * mode: the bay stays "down" for its state machine, so no check starts before the rate is
	 * known */
	(void)bay_feed(b, BAY_EV_PRESENT, (b->detect || b->detect_old ||
					   (b->link == BL_PENDING && !b->want.bitrate &&
					    !b->detected)) ? false : up);
	link_update(b, was_present, was_up, up);
}

static void link_gone(void *ctx, const char *name)
{
	struct recalld *d = ctx;
	struct bayrt *b = bay_find(d, name);

	if (b && b->sm.present) {
		syslog(LOG_INFO, "%s: interface removed", name);
		(void)bay_feed(b, BAY_EV_REMOVED, false);
		/* An adapter plugged in again is a new link, decided afresh, so whatever recalld
		 * was doing to the old one ends here: a detection, the wait to listen again, a
		 * request in the helper (its answer is about the old adapter and is dropped).
		 * Left "in progress", a bay plugged in again before that answer — or during the
		 * wait after a silent bus — was never brought up. */
		if (b->link == BL_PENDING)
			syslog(LOG_WARNING, "%s: removed during bring-up", name);
		linkup_cancel(d->linkup, b);
		b->detect = ratedetect_free(b->detect);
		b->detected = 0;
		if (b->redetect)
			loop_timer_set(b->redetect, 0);
		if (b->restart)
			loop_timer_set(b->restart, 0);
		b->link = BL_UNKNOWN;
		b->link_msg[0] = 0;
	}
}

static const struct linkwatch_ops link_ops = {
	.seen = link_seen,
	.gone = link_gone,
};

/* ---- database ------------------------------------------------------------------------------ */

static int db_load(struct recalld *d, char **ret_error)
{
	void *db = NULL;
	char *err = NULL;
	int ret;

	ret = d->ops->db_open(d->userdata, d->cfg.database, &db, &err);
	if (ret < 0) {
		if (!err && asprintf(&err, "%s: %s", d->cfg.database, strerror(-ret)) < 0)
			err = NULL;
		*ret_error = err;
		return ret;
	}
	/* Running children keep their own copy of the old one (fork), so freeing is safe. */
	if (d->db)
		d->ops->db_free(d->userdata, d->db);
	d->db = db;
	free(d->db_desc);
	d->db_desc = d->ops->db_describe ? d->ops->db_describe(d->userdata, db) : NULL;
	return 0;
}

/* One log line per reload, whoever asked (why: "SIGHUP", "request from pid 42"). */
static int do_reload(struct recalld *d, const char *why, char **ret_error)
{
	char *err = NULL;
	struct json_object *o;
	int ret;

	(void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
			 (unsigned long long)loop_now_ms() * 1000ULL);
	ret = db_load(d, &err);
	if (ret < 0)
		syslog(LOG_ERR, "reload (%s) refused, keeping the old database: %s", why,
		       err ? err : strerror(-ret));
	else
		syslog(LOG_NOTICE, "database reloaded (%s): %s", why, d->db_desc ? d->db_desc : "");
	(void)sd_notify(0, "READY=1");
	o = control_event_new(CONTROL_EV_RELOAD, NULL);
	if (o) {
		json_object_object_add(o, "ok", json_object_new_boolean(ret >= 0));
		if (ret < 0 && err)
			json_object_object_add(o, "error", json_object_new_string(err));
		if (d->db_desc)
			json_object_object_add(o, "database", json_object_new_string(d->db_desc));
		ctlserver_broadcast(d->ctl, o);
		json_object_put(o);
	}
	if (ret_error)
		*ret_error = err;
	else
		free(err);
	return ret;
}

/* ---- control requests ---------------------------------------------------------------------- */

static void reply_error(struct ctl_client *c, const struct control_request *req, const char *fmt,
			...) __attribute__((format(printf, 3, 4)));

static void reply_error(struct ctl_client *c, const struct control_request *req, const char *fmt,
			...)
{
	struct json_object *o;
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = control_reply_error(req, msg);
	(void)ctlserver_send(c, o);
	json_object_put(o);
}

/* The link as the kernel has it now (an unprivileged rtnetlink query) and what recalld did. */
static struct json_object *link_status(const struct bayrt *b)
{
	struct json_object *o = json_object_new_object();
	struct canlink_info in;
	struct canlink_nl nl;

	if (!o)
		return NULL;
	json_object_object_add(o, "bringup", json_object_new_string(bay_link_words[b->link]));
	json_object_object_add(o, "message", b->link_msg[0] ?
				       json_object_new_string(b->link_msg) : NULL);
	json_object_object_add(o, "bus_offs", json_object_new_int((int)b->bus_offs));
	if (!b->want.bitrate)
		json_object_object_add(o, "bitrate_detected", b->detected ?
				       json_object_new_int64(b->detected) : NULL);
	json_object_object_add(o, "bitrate_wanted", b->want.bitrate ?
				       json_object_new_int64(b->want.bitrate) :
				       json_object_new_string("auto"));
	if (!b->sm.present || canlink_nl_open(&nl) < 0)
		return o;
	if (canlink_get(&nl, b->sm.name, &in, NULL) == 0) {
		json_object_object_add(o, "kind",
				       json_object_new_string(canlink_kind_name(in.kind)));
		if (in.kind == CANLINK_KIND_CAN) {
			json_object_object_add(o, "bitrate", in.has_bittiming ?
					       json_object_new_int64(in.bitrate) : NULL);
			json_object_object_add(o, "restart_ms",
					       json_object_new_int64(in.restart_ms));
			json_object_object_add(o, "controller_state", in.has_state ?
					       json_object_new_string(canlink_state_name(in.state)) :
					       NULL);
			if (in.has_berr) {
				json_object_object_add(o, "tx_errors",
						       json_object_new_int(in.tx_errors));
				json_object_object_add(o, "rx_errors",
						       json_object_new_int(in.rx_errors));
			}
		}
	}
	canlink_nl_close(&nl);
	return o;
}

static struct json_object *bay_status(const struct bayrt *b)
{
	struct json_object *o = json_object_new_object();
	unsigned int counts[_RECALL_VERDICT_MAX];

	if (!o)
		return NULL;
	json_object_object_add(o, "iface", json_object_new_string(b->label));
	json_object_object_add(o, "state", json_object_new_string(bay_state_name(bay_state(&b->sm))));
	json_object_object_add(o, "checks", json_object_new_int((int)b->sm.checks));
	if (b->sm.checking)
		json_object_object_add(o, "trigger",
				       json_object_new_string(bay_trigger_name(b->sm.trigger)));
	if (!b->static_bay)
		json_object_object_add(o, "link", link_status(b));
	if (b->last) {
		struct json_object *l = json_object_new_object();

		report_count(b->last, counts);
		json_object_object_add(l, "status", json_object_new_string(
						      recall_status_name(b->last->status)));
		if (b->last->vin)
			json_object_object_add(l, "vin", json_object_new_string(b->last->vin));
		for (size_t i = 0; i < _RECALL_VERDICT_MAX; i++)
			json_object_object_add(l, recall_verdict_name((enum recall_verdict)i),
					       json_object_new_int((int)counts[i]));
		json_object_object_add(l, "finished_ms",
				       json_object_new_int64(b->last->finished_ms));
		json_object_object_add(l, "saved", json_object_new_boolean(b->last_saved));
		json_object_object_add(o, "last", l);
	}
	return o;
}

/* {"reports": n, "max": m, "bytes": b, "error": "...", "oldest_ms": t}: reports that could not be
 * written and wait in memory; reports 0 when all is well. */
static struct json_object *spool_status(struct recalld *d)
{
	struct json_object *o = json_object_new_object();
	struct sink_spool sp;

	if (!o)
		return NULL;
	sink_files_spool(d->files, &sp);
	json_object_object_add(o, "reports", json_object_new_int((int)sp.reports));
	json_object_object_add(o, "max", json_object_new_int((int)sp.max));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)sp.bytes));
	json_object_object_add(o, "error", sp.error ? json_object_new_string(strerror(-sp.error))
						    : NULL);
	json_object_object_add(o, "oldest_ms", sp.oldest_ms ? json_object_new_int64(sp.oldest_ms)
							    : NULL);
	return o;
}

static void on_request(void *ctx, struct ctl_client *c, const struct control_request *req)
{
	struct recalld *d = ctx;
	struct json_object *o;
	struct bayrt *b;

	switch (req->cmd) {
	case CONTROL_STATUS: {
		struct json_object *arr = json_object_new_array();

		o = control_reply_new(req, true);
		if (!o || !arr) {
			json_object_put(o);
			json_object_put(arr);
			return;
		}
		if (d->db_desc)
			json_object_object_add(o, "database", json_object_new_string(d->db_desc));
		for (size_t i = 0; i < d->n_bays; i++)
			json_object_array_add(arr, bay_status(d->bays[i]));
		json_object_object_add(o, "bays", arr);
		json_object_object_add(o, "clients",
				       json_object_new_int((int)ctlserver_n_clients(d->ctl)));
		json_object_object_add(o, "spool", spool_status(d));
		(void)ctlserver_send(c, o);
		json_object_put(o);
		return;
	}
	case CONTROL_CHECK:
		b = bay_find_label(d, req->iface);
		if (!b) {
			reply_error(c, req, "%s: not a bay (no such CAN interface, or not in "
					    "[bays] interfaces)", req->iface);
			return;
		}
		if (b->sm.checking) {
			reply_error(c, req, "%s: a check is already running", req->iface);
			return;
		}
		/* noted before the check starts: the report of this check carries them */
		snprintf(b->order, sizeof(b->order), "%s", req->order);
		snprintf(b->plate, sizeof(b->plate), "%s", req->plate);
		switch (bay_feed(b, BAY_EV_REQUEST, b->sm.up)) {
		case BAY_ACT_REFUSE_BUSY:
			reply_error(c, req, "%s: a check is already running", req->iface);
			return;
		case BAY_ACT_REFUSE_DOWN:
			b->order[0] = b->plate[0] = 0;
			reply_error(c, req, "%s: interface is %s%s%s", req->iface,
				    b->sm.present ? "down" : "gone", b->link_msg[0] ? ": " : "",
				    b->link_msg);
			return;
		default:
			break;
		}
		o = control_reply_new(req, true);
		if (o) {
			json_object_object_add(o, "iface", json_object_new_string(req->iface));
			json_object_object_add(o, "state", json_object_new_string("checking"));
			(void)ctlserver_send(c, o);
			json_object_put(o);
		}
		return;
	case CONTROL_LAST:
		b = bay_find_label(d, req->iface);
		if (!b || !b->last) {
			reply_error(c, req, "%s: no check has finished on this bay yet", req->iface);
			return;
		}
		o = control_reply_new(req, true);
		if (o) {
			struct json_object *rep;

			json_object_object_add(o, "iface", json_object_new_string(req->iface));
			if (report_to_json_object(b->last, &rep) >= 0)
				json_object_object_add(o, "report", rep);
			(void)ctlserver_send(c, o);
			json_object_put(o);
		}
		return;
	case CONTROL_HISTORY: {
		struct json_object *h = NULL, *v;
		int r;

		if (!d->history) {
			reply_error(c, req, "no history is kept (set [history] database in the "
					    "configuration)");
			return;
		}
		r = sink_history_query(d->history, req->vin, req->limit, &h);
		if (r < 0) {
			reply_error(c, req, "history: %s", strerror(-r));
			return;
		}
		o = control_reply_new(req, true);
		if (o) {
			json_object_object_foreach(h, key, val)
			{
				v = json_object_get(val);
				json_object_object_add(o, key, v);
			}
			(void)ctlserver_send(c, o);
			json_object_put(o);
		}
		json_object_put(h);
		return;
	}
	case CONTROL_SUBSCRIBE:
		ctlserver_subscribe(c);
		o = control_reply_new(req, true);
		(void)ctlserver_send(c, o);
		json_object_put(o);
		return;
	case CONTROL_RELOAD: {
		char *rerr = NULL, why[48];

		snprintf(why, sizeof(why), "request from pid %d", (int)ctl_client_pid(c));
		if (do_reload(d, why, &rerr) < 0) {
			reply_error(c, req, "database refused, old one kept: %s",
				    rerr ? rerr : "invalid");
		} else {
			o = control_reply_new(req, true);
			if (o && d->db_desc)
				json_object_object_add(o, "database",
						       json_object_new_string(d->db_desc));
			(void)ctlserver_send(c, o);
			json_object_put(o);
		}
		free(rerr);
		return;
	}
	default:
		return;
	}
}

static const struct ctlserver_ops ctl_ops = {
	.request = on_request,
};

/* ---- life cycle ---------------------------------------------------------------------------- */

static void on_signal(void *ctx, int fd, uint32_t events)
{
	struct recalld *d = ctx;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			syslog(LOG_NOTICE, "signal %u: stopping", si.ssi_signo);
			(void)sd_notify(0, "STOPPING=1");
			loop_quit(d->loop);
			return;
		case SIGHUP:
			(void)do_reload(d, "SIGHUP", NULL);
			break;
		}
	}
}

/* Make dir and its missing parents, 0750 (reports hold VINs: the daemon and its group only),
 * for uid/gid when uid is not -1 (started as root, for a user that could not: /run/recalld and
 * the report directory where systemd's directories do not exist).  Only what is made here
 * changes owner: an existing directory is the admin's. */
static int prepare_dir(const char *dir, uid_t uid, gid_t gid)
{
	char *p = strdup(dir), *s;
	int ret = 0;

	if (!p)
		return -ENOMEM;
	for (s = p + 1;; s++) {
		char c;

		if (*s != '/' && *s)
			continue;
		c = *s;
		*s = 0;
		if (mkdir(p, 0750) == 0) {
			if (uid != (uid_t)-1 && chown(p, uid, gid) < 0) {
				ret = -errno;
				break;
			}
		} else if (errno != EEXIST) {
			ret = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return ret;
}

/* Started as root: whom to become ([recalld] user), and its directories made for it.  Started
 * as another user (systemd's User=): stay.  user = root (or empty) stays root, with a warning. */
static int privileges_prepare(const struct recalld_config *cfg, uid_t *ret_uid, gid_t *ret_gid)
{
	char *sockdir, *slash;
	int r;

	if (geteuid() != 0)
		return 0;
	if (!cfg->user || strcmp(cfg->user, "root") == 0) {
		syslog(LOG_WARNING, "running as root (user = %s): every capability is dropped, but "
		       "root's files stay writable; set [recalld] user = recalld",
		       cfg->user ? cfg->user : "");
		return 0;
	}
	r = sandbox_lookup_user(cfg->user, ret_uid, ret_gid);
	if (r < 0) {
		syslog(LOG_ERR, "user '%s' does not exist: create it (systemd-sysusers, see "
		       "recalld(8)) or set [recalld] user = root", cfg->user);
		return r;
	}
	sockdir = strdup(cfg->socket_path);
	if (!sockdir)
		return -ENOMEM;
	slash = strrchr(sockdir, '/');
	if (slash && slash != sockdir)
		*slash = 0;
	r = prepare_dir(sockdir, *ret_uid, *ret_gid);
	free(sockdir);
	if (r >= 0)
		r = prepare_dir(cfg->report_dir, *ret_uid, *ret_gid);
	/* the history's directory too: SQLite writes its journal files beside the database */
	if (r >= 0 && cfg->history) {
		char *hdir = strdup(cfg->history);

		if (!hdir)
			return -ENOMEM;
		slash = strrchr(hdir, '/');
		if (slash && slash != hdir) {
			*slash = 0;
			r = prepare_dir(hdir, *ret_uid, *ret_gid);
		}
		free(hdir);
	}
	if (r < 0)
		syslog(LOG_ERR, "cannot make the directories of user %s: %s", cfg->user,
		       strerror(-r));
	return r;
}

#define RETENTION_PERIOD_MS (24ULL * 3600 * 1000)

static void retention_fired(void *ctx)
{
	struct recalld *d = ctx;
	int r = sink_files_expire(d->files, d->cfg.report_retention_h);

	if (r < 0)
		syslog(LOG_WARNING, "report_retention: %s: %s", d->cfg.report_dir, strerror(-r));
	/* the history holds the same VINs: it keeps them exactly as long */
	if (d->history)
		sink_history_expire(d->history);
	loop_timer_set(d->retention, loop_now_ms() + RETENTION_PERIOD_MS);
}

static int add_sinks(struct recalld *d)
{
	struct report_save_opts so = {
		.language = d->cfg.language,
		.workshop = d->cfg.workshop,
		.html = d->cfg.html,
	};
	struct sink *s;
	int r;

	/* order matters: the history notes the car's last visit in the report, the files sink
	 * names the files the log line and the event quote */
	if (d->cfg.history) {
		char *err = NULL;

		r = sink_history_new(d->cfg.history,
				     (int64_t)d->cfg.report_retention_h * 3600 * 1000, &s, &err);
		if (!s)
			return r;
		if (r < 0)
			syslog(LOG_ERR, "history %s: %s (checks go on; each report says its "
					"history entry is missing)", d->cfg.history,
			       err ? err : strerror(-r));
		free(err);
		sinks_add(&d->sinks, s);
		d->history = s;
	}
	if ((r = sink_files_new(d->loop, d->cfg.report_dir, &so, d->cfg.spool_max, &s)) < 0)
		return r;
	sinks_add(&d->sinks, s);
	d->files = s;
	if ((r = sink_log_new(d->flags & RECALLD_LOG_STDERR, &s)) < 0)
		return r;
	sinks_add(&d->sinks, s);
	if ((r = sink_events_new(d->ctl, &s)) < 0)
		return r;
	sinks_add(&d->sinks, s);
	return 0;
}

int recalld_new(struct recalld_config *cfg, const char *config_path, const struct recalld_ops *ops,
		void *userdata, unsigned int flags, struct recalld **ret)
{
	struct ctlserver_params cp;
	struct recalld *d;
	int helper_fd = -1, helper_pid = -1;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	sigset_t mask;
	char *err = NULL;
	int r;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->cfg = *cfg;
	d->ops = ops;
	d->userdata = userdata;
	d->flags = flags;
	d->sigfd = -1;
	d->config_path = config_path ? strdup(config_path) : NULL;
	sinks_init(&d->sinks);
	if (flags & RECALLD_DROP_PRIVILEGES) {
		r = privileges_prepare(&d->cfg, &uid, &gid);
		if (r < 0)
			goto fail;
	}
	/* The link helper first: it should inherit nothing of what follows (database, sockets). */
	if (!(flags & RECALLD_STATIC_BAYS)) {
		d->linkup_err = linkup_spawn(&d->cfg, uid, gid, &helper_fd, &helper_pid);
		if (d->linkup_err < 0)
			syslog(LOG_ERR, "link helper: %s; bays that appear down stay down",
			       strerror(-d->linkup_err));
	}
	/* then the daemon keeps nothing: no capability, the configured user */
	if (flags & RECALLD_DROP_PRIVILEGES) {
		r = sandbox_become(uid, gid, NULL, 0);
		if (r < 0) {
			syslog(LOG_ERR, "cannot drop privileges: %s", strerror(-r));
			goto fail;
		}
		syslog(LOG_INFO, "running as uid %u gid %u without capabilities%s",
		       (unsigned int)getuid(), (unsigned int)getgid(),
		       helper_fd >= 0 ? "; the link helper alone holds CAP_NET_ADMIN" : "");
	}

	r = prepare_dir(d->cfg.report_dir, (uid_t)-1, (gid_t)-1);
	if (r < 0) {
		syslog(LOG_ERR, "report directory %s: %s", d->cfg.report_dir, strerror(-r));
		goto fail;
	}
	r = db_load(d, &err);
	if (r < 0) {
		syslog(LOG_ERR, "cannot use database: %s", err ? err : strerror(-r));
		free(err);
		goto fail;
	}
	r = loop_new(&d->loop);
	if (r < 0)
		goto fail;
	if (helper_fd >= 0) {
		r = linkup_new(d->loop, helper_fd, helper_pid, &d->linkup);
		if (r < 0)
			goto fail;
		helper_fd = -1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0) {
		r = -errno;
		goto fail;
	}
	r = loop_add(d->loop, d->sigfd, EPOLLIN, on_signal, d);
	if (r < 0)
		goto fail;
	cp = (struct ctlserver_params){
		.path = d->cfg.socket_path,
		.group = d->cfg.socket_group,
		.max_clients = d->cfg.max_clients,
		.max_request = d->cfg.max_request,
		.max_output = d->cfg.max_output,
		.idle_timeout_ms = d->cfg.idle_timeout_ms,
	};
	r = ctlserver_new(d->loop, &cp, &ctl_ops, d, &d->ctl);
	if (r < 0) {
		syslog(LOG_ERR, "control socket %s: %s", d->cfg.socket_path, strerror(-r));
		goto fail;
	}
	r = add_sinks(d);
	if (r < 0)
		goto fail;
	/* personal data is kept as long as configured: old reports go at start and then daily */
	if (d->cfg.report_retention_h) {
		r = loop_timer_new(d->loop, retention_fired, d, &d->retention);
		if (r < 0)
			goto fail;
		retention_fired(d);
	}
	if (!(flags & RECALLD_STATIC_BAYS)) {
		r = linkwatch_new(d->loop, &link_ops, d, &d->links);
		if (r < 0) {
			syslog(LOG_ERR, "bay discovery (udev/rtnetlink): %s", strerror(-r));
			goto fail;
		}
	}
	memset(cfg, 0, sizeof(*cfg));
	*ret = d;
	return 0;
fail:
	if (helper_fd >= 0) {
		close(helper_fd);
		(void)waitpid(helper_pid, NULL, 0);
	}
	/* The caller keeps its config on failure. */
	memset(&d->cfg, 0, sizeof(d->cfg));
	recalld_free(d);
	return r;
}

int recalld_add_static_bay(struct recalld *d, const char *name)
{
	struct bayrt *b = bay_get(d, name);

	if (!b)
		return -ENOMEM;
	b->static_bay = true;
	(void)bay_feed(b, BAY_EV_PRESENT, true);
	return 0;
}

/* systemd's watchdog: alive every half period, from the loop itself, so a stuck loop is noticed */
static void watchdog_ping(void *ctx)
{
	struct recalld *d = ctx;

	(void)sd_notify(0, "WATCHDOG=1");
	loop_timer_set(d->watchdog, loop_now_ms() + d->watchdog_ms);
}

int recalld_run(struct recalld *d)
{
	uint64_t usec = 0;
	int r;

	syslog(LOG_NOTICE, "ready: %zu bay(s), database %s, control %s", d->n_bays,
	       d->db_desc ? d->db_desc : d->cfg.database, d->cfg.socket_path);
	if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000) {
		d->watchdog_ms = usec / 2000;
		r = loop_timer_new(d->loop, watchdog_ping, d, &d->watchdog);
		if (r < 0)
			return r;
		watchdog_ping(d);
	}
	(void)sd_notifyf(0, "READY=1\nSTATUS=%zu bay(s), database %s", d->n_bays,
			 d->db_desc ? d->db_desc : d->cfg.database);
	return loop_run(d->loop);
}

struct recalld *recalld_free(struct recalld *d)
{
	if (!d)
		return NULL;
	for (size_t i = 0; i < d->n_bays; i++)
		bay_free(d->bays[i]);
	free(d->bays);
	linkwatch_free(d->links);
	linkup_free(d->linkup);
	loop_timer_free(d->watchdog);
	loop_timer_free(d->retention);
	sinks_free(&d->sinks);
	ctlserver_free(d->ctl);
	if (d->sigfd >= 0) {
		if (d->loop)
			loop_del(d->loop, d->sigfd);
		close(d->sigfd);
	}
	loop_free(d->loop);
	if (d->db)
		d->ops->db_free(d->userdata, d->db);
	free(d->db_desc);
	free(d->config_path);
	config_done(&d->cfg);
	free(d);
	return NULL;
}
