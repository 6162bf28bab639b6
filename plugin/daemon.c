/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recalld's event loop: one process, one epoll set, no threads.
 *
 *   signalfd      SIGTERM/SIGINT stop, SIGHUP reloads, SIGCHLD reaps check children; handlers
 *                 never run, so no work happens in signal context
 *   udev monitor  bays appearing and vanishing ("udev" source where udevd runs, else the kernel's
 *                 own uevents, as in the test VM)
 *   rtnetlink     link up/down (udev sends no event for IFF_UP changes) and a second, racing
 *                 report of new and removed links; the bay state machine makes both idempotent
 *   CAN_RAW       one socket per bay, only to notice a car waking up after silence; on a busy
 *                 bus it is paused and drained a few times per silence period, never polled
 *   timerfd       one per bay: check deadline, periodic probe, traffic pause
 *   control       Unix stream socket, JSON lines; each client has a bounded input line and a
 *                 bounded output queue, a client that does not read is dropped, never waited for
 *   check pipes   each check runs in a forked child (a decoder bug or a lying ECU can only kill
 *                 that child; the child keeps the database mapping it started with, so a reload
 *                 never disturbs a running check) and streams JSON lines back
 *
 * A check's end needs both the pipe's EOF and the child's exit status; whichever comes second
 * finishes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <linux/can.h>
#include <linux/can/raw.h>
#include <linux/if_arp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <json-c/json.h>
#include <libudev.h>

#include "plugin/recalld-internal.h"

#define CHILD_OUTPUT_MAX (1u << 20)	/* a report is a few KiB; this bounds a runaway child */
#define TRAFFIC_PAUSE_MIN_MS 50

enum watch_type { W_SIGNAL, W_LISTEN, W_CLIENT, W_UDEV, W_RTNL, W_RAW, W_TIMER, W_PIPE };

struct watch {
	enum watch_type type;
	void *obj;
};

struct client {
	struct client *next;
	struct watch w;
	int fd;
	pid_t pid;
	uid_t uid;
	struct linebuf in;
	struct outbuf out;
	bool subscribed;
	bool want_out;		/* EPOLLOUT is armed */
	bool dead;		/* dropped; freed after the current epoll batch */
};

struct bayrt {
	struct bay sm;
	struct watch w_raw, w_timer, w_pipe;
	int raw_fd;		/* -1 when not watching traffic */
	bool raw_paused;
	uint64_t raw_resume_ms;
	int timer_fd;
	/* the running check */
	pid_t pid;
	int pipe_fd;
	struct linebuf child_out;
	bool pipe_eof, exited;
	int wstatus;
	char *report_line;	/* the child's final report object (JSON text) */
	char *progress_line;	/* its latest partial report */
	int64_t started_wall_ms;
	/* results */
	char *last_json;	/* last finished report, JSON */
	char *last_summary;	/* status/verdict counts for `status` */
	struct recall_report *last;
	bool static_bay;
};

struct recalld {
	struct recalld_config cfg;
	char *config_path;
	const struct recalld_ops *ops;
	void *userdata;
	unsigned int flags;
	int epfd;
	int sigfd;
	int listen_fd;
	struct watch w_sig, w_listen, w_udev, w_rtnl;
	struct udev *udev;
	struct udev_monitor *mon;
	int rtnl_fd;
	void *db;
	char *db_desc;
	struct bayrt **bays;
	size_t n_bays;
	struct client *clients;
	struct client *dead_clients;	/* events of this batch may still name them */
	unsigned int n_clients;
	unsigned int report_seq;
	bool stop;
	gid_t sock_gid;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ep_add(struct recalld *d, int fd, uint32_t events, struct watch *w)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int ep_mod(struct recalld *d, int fd, uint32_t events, struct watch *w)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(d->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

static void ep_del(struct recalld *d, int fd)
{
	(void)epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
}

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

/* ---- clients ------------------------------------------------------------------------------ */

static void client_drop(struct recalld *d, struct client *c, const char *why)
{
	struct client **pp;

	if (c->dead)
		return;
	for (pp = &d->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (why)
		syslog(LOG_INFO, "control: client pid %d dropped: %s", (int)c->pid, why);
	ep_del(d, c->fd);
	close(c->fd);
	c->fd = -1;
	c->dead = true;
	c->next = d->dead_clients;
	d->dead_clients = c;
	d->n_clients--;
}

static void clients_reap(struct recalld *d)
{
	while (d->dead_clients) {
		struct client *c = d->dead_clients;

		d->dead_clients = c->next;
		linebuf_done(&c->in);
		outbuf_done(&c->out);
		free(c);
	}
}

/* Queue one line; a client whose queue would overflow is dropped (returns -ENOBUFS). */
static int client_send(struct recalld *d, struct client *c, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(s);
	ssize_t left;
	int ret;

	if (c->dead)
		return -EPIPE;
	ret = outbuf_append(&c->out, s, len);
	if (ret >= 0)
		ret = outbuf_append(&c->out, "\n", 1);
	if (ret < 0) {
		client_drop(d, c, ret == -ENOBUFS ? "output queue full (client not reading)" :
						    "out of memory");
		return ret;
	}
	left = outbuf_flush(&c->out, c->fd);
	if (left < 0) {
		client_drop(d, c, NULL);
		return (int)left;
	}
	if (left > 0 && !c->want_out) {
		c->want_out = true;
		(void)ep_mod(d, c->fd, EPOLLIN | EPOLLOUT, &c->w);
	}
	return 0;
}

static void broadcast(struct recalld *d, struct json_object *o)
{
	struct client *c, *next;

	for (c = d->clients; c; c = next) {
		next = c->next;
		if (c->subscribed)
			(void)client_send(d, c, o);
	}
}

static struct json_object *reply_new(const struct control_request *req, bool ok)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	if (req) {
		json_object_object_add(o, "cmd",
				       json_object_new_string(control_cmd_name(req->cmd)));
		if (req->has_id)
			json_object_object_add(o, "id", json_object_new_int64(req->id));
	}
	return o;
}

static void reply_error(struct recalld *d, struct client *c, const struct control_request *req,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void reply_error(struct recalld *d, struct client *c, const struct control_request *req,
			const char *fmt, ...)
{
	struct json_object *o = reply_new(req, false);
	char msg[256];
	va_list ap;

	if (!o)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "error", json_object_new_string(msg));
	(void)client_send(d, c, o);
	json_object_put(o);
}

/* ---- bays --------------------------------------------------------------------------------- */

static struct bayrt *bay_find(struct recalld *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n_bays; i++)
		if (strcmp(d->bays[i]->sm.name, name) == 0)
			return d->bays[i];
	return NULL;
}

static void bay_arm_timer(struct recalld *d, struct bayrt *b)
{
	uint64_t t = bay_next_timer(&b->sm);
	struct itimerspec its = { 0 };

	(void)d;
	if (b->raw_paused && (!t || b->raw_resume_ms < t))
		t = b->raw_resume_ms;
	if (t) {
		/* 0 would disarm: an already-due time fires at once as 1 ns. */
		its.it_value.tv_sec = (time_t)(t / 1000);
		its.it_value.tv_nsec = (long)(t % 1000) * 1000000;
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	(void)timerfd_settime(b->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void bay_raw_close(struct recalld *d, struct bayrt *b)
{
	if (b->raw_fd < 0)
		return;
	ep_del(d, b->raw_fd);
	close(b->raw_fd);
	b->raw_fd = -1;
	b->raw_paused = false;
}

/* A CAN_RAW socket that only tells us that frames flow; the frames themselves are dropped. */
static void bay_raw_open(struct recalld *d, struct bayrt *b)
{
	struct sockaddr_can addr = { .can_family = AF_CAN };
	int fd, ifindex;

	if (b->raw_fd >= 0 || b->static_bay || !d->cfg.on_traffic)
		return;
	ifindex = (int)if_nametoindex(b->sm.name);
	if (!ifindex)
		return;
	fd = socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW);
	if (fd < 0) {
		syslog(LOG_WARNING, "%s: CAN_RAW socket: %m (no traffic trigger)", b->sm.name);
		return;
	}
	addr.can_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    ep_add(d, fd, EPOLLIN, &b->w_raw) < 0) {
		syslog(LOG_WARNING, "%s: CAN_RAW bind: %m (no traffic trigger)", b->sm.name);
		close(fd);
		return;
	}
	b->raw_fd = fd;
	b->raw_paused = false;
}

static struct bayrt *bay_get(struct recalld *d, const char *name)
{
	struct bayrt *b = bay_find(d, name), **arr;

	if (b)
		return b;
	if (strlen(name) >= CONTROL_IFNAME_MAX)
		return NULL;
	b = calloc(1, sizeof(*b));
	arr = realloc(d->bays, (d->n_bays + 1) * sizeof(*arr));
	if (!b || !arr) {
		free(b);
		if (arr)
			d->bays = arr;
		syslog(LOG_ERR, "%s: out of memory, bay ignored", name);
		return NULL;
	}
	d->bays = arr;
	bay_init(&b->sm, name);
	b->raw_fd = -1;
	b->pipe_fd = -1;
	b->pid = -1;
	b->w_raw = (struct watch){ W_RAW, b };
	b->w_timer = (struct watch){ W_TIMER, b };
	b->w_pipe = (struct watch){ W_PIPE, b };
	b->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (b->timer_fd < 0 || ep_add(d, b->timer_fd, EPOLLIN, &b->w_timer) < 0) {
		syslog(LOG_ERR, "%s: timerfd: %m, bay ignored", name);
		if (b->timer_fd >= 0)
			close(b->timer_fd);
		free(b);
		return NULL;
	}
	d->bays[d->n_bays++] = b;
	return b;
}

static void bay_start_check(struct recalld *d, struct bayrt *b);
static void bay_kill_check(struct recalld *d, struct bayrt *b);

static void bay_event_obj(struct recalld *d, struct bayrt *b)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return;
	json_object_object_add(o, "event", json_object_new_string("bay"));
	json_object_object_add(o, "iface", json_object_new_string(b->sm.name));
	json_object_object_add(o, "state",
			       json_object_new_string(bay_state_name(bay_state(&b->sm))));
	broadcast(d, o);
	json_object_put(o);
}

/* Feed one event to a bay's state machine and carry out what it decides. */
static enum bay_action bay_feed(struct recalld *d, struct bayrt *b, enum bay_event_type ev, bool up)
{
	struct bay_params p = params(d);
	enum bay_state before = bay_state(&b->sm);
	enum bay_action a = bay_handle(&b->sm, &p, ev, up, now_ms());

	switch (a) {
	case BAY_ACT_START:
		bay_start_check(d, b);
		break;
	case BAY_ACT_KILL:
		bay_kill_check(d, b);
		break;
	default:
		break;
	}
	if (b->sm.present && b->sm.up)
		bay_raw_open(d, b);
	else if (!b->sm.present)
		bay_raw_close(d, b);
	bay_arm_timer(d, b);
	if (bay_state(&b->sm) != before && a != BAY_ACT_START)
		bay_event_obj(d, b);
	return a;
}

/* ---- checks ------------------------------------------------------------------------------- */

int check_write_event(int fd, const char *event, const struct recall_report *r)
{
	struct json_object *o = json_object_new_object(), *rep = NULL;
	const char *s;
	size_t len, off = 0;
	int ret;

	if (!o)
		return -ENOMEM;
	ret = report_to_json_object(r, &rep);
	if (ret < 0)
		goto out;
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "report", rep);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(s);
	while (off <= len) {
		/* the line and its newline, in as few writes as the pipe allows */
		ssize_t n = off < len ? write(fd, s + off, len - off) : write(fd, "\n", 1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		off += off < len ? (size_t)n : 1;
	}
	ret = 0;
out:
	json_object_put(o);
	return ret;
}

static void send_started(struct recalld *d, struct bayrt *b)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return;
	json_object_object_add(o, "event", json_object_new_string("check-started"));
	json_object_object_add(o, "iface", json_object_new_string(b->sm.name));
	json_object_object_add(o, "trigger",
			       json_object_new_string(bay_trigger_name(b->sm.trigger)));
	broadcast(d, o);
	json_object_put(o);
}

static void finish_check(struct recalld *d, struct bayrt *b);

static void bay_start_check(struct recalld *d, struct bayrt *b)
{
	int pfd[2];
	pid_t pid;

	b->pipe_eof = b->exited = false;
	b->wstatus = 0;
	free(b->report_line);
	free(b->progress_line);
	b->report_line = b->progress_line = NULL;
	b->started_wall_ms = wall_ms();
	syslog(LOG_INFO, "%s: check started (%s)", b->sm.name, bay_trigger_name(b->sm.trigger));
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		syslog(LOG_ERR, "%s: pipe: %m", b->sm.name);
		b->pipe_eof = b->exited = true;
		b->wstatus = 0x7f00;
		finish_check(d, b);
		return;
	}
	if (linebuf_init(&b->child_out, CHILD_OUTPUT_MAX) < 0)
		goto fail;
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		sigset_t all;
		int code;

		/* The check child: default signals, dies with the daemon, no daemon fds
		 * except its pipe (the database stays mapped: mappings do not need fds). */
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (pfd[1] != 3) {
			if (dup2(pfd[1], 3) < 0)
				_exit(70);
		} else {
			(void)fcntl(3, F_SETFD, 0);
		}
		(void)close_range(4, ~0U, 0);
		code = d->ops->check(d->userdata, d->db, b->sm.name, &d->cfg, 3);
		_exit(code);
	}
	close(pfd[1]);
	(void)fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	b->pid = pid;
	b->pipe_fd = pfd[0];
	if (ep_add(d, b->pipe_fd, EPOLLIN, &b->w_pipe) < 0) {
		/* Without the pipe we cannot hear it; let the deadline handle the child. */
		syslog(LOG_ERR, "%s: epoll: %m", b->sm.name);
		close(b->pipe_fd);
		b->pipe_fd = -1;
		b->pipe_eof = true;
	}
	send_started(d, b);
	return;
fail:
	syslog(LOG_ERR, "%s: cannot start check: %m", b->sm.name);
	close(pfd[0]);
	close(pfd[1]);
	b->pipe_eof = b->exited = true;
	b->wstatus = 0x7f00;
	finish_check(d, b);
}

static void bay_kill_check(struct recalld *d, struct bayrt *b)
{
	(void)d;
	if (b->pid > 0 && !b->exited) {
		syslog(LOG_WARNING, "%s: check overstayed its deadline, killing it", b->sm.name);
		(void)kill(b->pid, SIGKILL);
	}
}

static void child_line(struct recalld *d, struct bayrt *b, const char *line, size_t len)
{
	struct json_object *o, *ev, *rep, *fwd;
	const char *event;
	char *copy;

	o = json_tokener_parse(line);
	(void)len;
	if (!o || !json_object_object_get_ex(o, "event", &ev) ||
	    !json_object_is_type(ev, json_type_string) ||
	    !json_object_object_get_ex(o, "report", &rep)) {
		syslog(LOG_WARNING, "%s: check child sent a malformed line", b->sm.name);
		json_object_put(o);
		return;
	}
	event = json_object_get_string(ev);
	copy = strdup(json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN));
	if (strcmp(event, "report") == 0) {
		free(b->report_line);
		b->report_line = copy;
	} else {
		free(b->progress_line);
		b->progress_line = copy;
		fwd = json_object_new_object();
		if (fwd) {
			json_object_object_add(fwd, "event", json_object_new_string("progress"));
			json_object_object_add(fwd, "iface", json_object_new_string(b->sm.name));
			json_object_object_add(fwd, "report", json_object_get(rep));
			broadcast(d, fwd);
			json_object_put(fwd);
		}
	}
	json_object_put(o);
}

static void pipe_readable(struct recalld *d, struct bayrt *b)
{
	char buf[8192];

	for (;;) {
		ssize_t n = read(b->pipe_fd, buf, sizeof(buf));
		size_t used = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			ep_del(d, b->pipe_fd);
			close(b->pipe_fd);
			b->pipe_fd = -1;
			b->pipe_eof = true;
			if (b->exited)
				finish_check(d, b);
			return;
		}
		while (used < (size_t)n) {
			const char *line;
			size_t llen;
			enum linebuf_result r;

			used += linebuf_feed(&b->child_out, buf + used, (size_t)n - used);
			while ((r = linebuf_next(&b->child_out, &line, &llen)) != LINEBUF_NONE) {
				if (r == LINEBUF_OVERSIZED)
					syslog(LOG_WARNING, "%s: check child line too long",
					       b->sm.name);
				else if (llen)
					child_line(d, b, line, llen);
			}
		}
	}
}

static void set_error(struct recall_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct recall_report *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)report_set_str(&r->error, msg);
}

/* Both EOF and exit status are in: make the final report, save, log, tell subscribers. */
static void finish_check(struct recalld *d, struct bayrt *b)
{
	struct recall_report *r = NULL;
	struct json_object *o, *rep = NULL;
	char *line = NULL, *base = NULL;
	int ret;

	if (b->report_line)
		(void)recall_report_from_json(b->report_line, strlen(b->report_line), &r);
	if (!r && b->progress_line)
		(void)recall_report_from_json(b->progress_line, strlen(b->progress_line), &r);
	if (!r) {
		r = report_new();
		if (!r) {
			syslog(LOG_ERR, "%s: out of memory, check result lost", b->sm.name);
			goto done;
		}
		r->status = RECALL_STATUS_FAILED;
	}
	(void)report_set_str(&r->iface, b->sm.name);
	if (!r->database && d->db_desc)
		(void)report_set_str(&r->database, d->db_desc);
	if (!r->started_ms)
		r->started_ms = b->started_wall_ms;
	if (!r->finished_ms || !b->report_line)
		r->finished_ms = wall_ms();

	/* The child's own word counts when it finished; otherwise say why it did not. */
	if (!b->report_line || r->status != RECALL_STATUS_COMPLETE) {
		if (b->sm.removed_during_check) {
			r->status = RECALL_STATUS_INTERRUPTED;
			set_error(r, "%s: interface removed during the check", b->sm.name);
		} else if (b->sm.link_lost_during_check) {
			r->status = RECALL_STATUS_INTERRUPTED;
			set_error(r, "%s: link went down during the check", b->sm.name);
		} else if (b->sm.killed) {
			r->status = RECALL_STATUS_INTERRUPTED;
			set_error(r, "check did not finish within %u ms", d->cfg.check_timeout_ms);
		} else if (!b->report_line) {
			if (WIFSIGNALED(b->wstatus))
				set_error(r, "check process died (signal %d)", WTERMSIG(b->wstatus));
			else
				set_error(r, "check process exited with status %d without a report",
					  WIFEXITED(b->wstatus) ? WEXITSTATUS(b->wstatus) : -1);
			r->status = b->progress_line ? RECALL_STATUS_INTERRUPTED :
						       RECALL_STATUS_FAILED;
		}
	}

	ret = report_save(r, d->cfg.report_dir, ++d->report_seq, &base);
	if (ret < 0)
		syslog(LOG_ERR, "%s: cannot write report to %s: %s", b->sm.name, d->cfg.report_dir,
		       strerror(-ret));
	if (report_summary_line(r, &line) >= 0) {
		syslog(r->status == RECALL_STATUS_COMPLETE ? LOG_NOTICE : LOG_WARNING, "%s%s%s",
		       line, base ? " report " : "", base ? base : "");
		free(line);
	}
	recall_report_free(b->last);
	b->last = r;
	free(b->last_json);
	b->last_json = NULL;
	(void)recall_report_to_json(r, &b->last_json);

	o = json_object_new_object();
	if (o && report_to_json_object(r, &rep) >= 0) {
		json_object_object_add(o, "event", json_object_new_string("check-finished"));
		json_object_object_add(o, "iface", json_object_new_string(b->sm.name));
		if (base)
			json_object_object_add(o, "file", json_object_new_string(base));
		json_object_object_add(o, "report", rep);
		broadcast(d, o);
	}
	json_object_put(o);
done:
	free(base);
	free(b->report_line);
	free(b->progress_line);
	b->report_line = b->progress_line = NULL;
	linebuf_done(&b->child_out);
	b->pid = -1;
	(void)bay_feed(d, b, BAY_EV_CHECK_DONE, b->sm.up);
}

static void reap_children(struct recalld *d)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);
		size_t i;

		if (pid <= 0)
			return;
		for (i = 0; i < d->n_bays; i++) {
			struct bayrt *b = d->bays[i];

			if (b->pid != pid)
				continue;
			b->exited = true;
			b->wstatus = st;
			if (b->pipe_eof)
				finish_check(d, b);
			break;
		}
	}
}

/* ---- traffic ------------------------------------------------------------------------------ */

static unsigned int raw_drain(struct bayrt *b, int *ret_err)
{
	struct can_frame f;
	unsigned int n = 0;

	*ret_err = 0;
	for (;;) {
		ssize_t r = recv(b->raw_fd, &f, sizeof(f), MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				*ret_err = errno;
			return n;
		}
		n++;
	}
}

static void raw_readable(struct recalld *d, struct bayrt *b)
{
	uint64_t pause = d->cfg.silence_ms / 4;
	int err;

	if (raw_drain(b, &err) == 0) {
		if (err == ENODEV || err == ENETDOWN)
			bay_raw_close(d, b);
		return;
	}
	/* Pause the socket: a busy bus must not wake us per frame; the silence clock only needs
	 * a few looks per period. */
	b->raw_paused = true;
	b->raw_resume_ms = now_ms() + (pause < TRAFFIC_PAUSE_MIN_MS ? TRAFFIC_PAUSE_MIN_MS : pause);
	(void)ep_mod(d, b->raw_fd, 0, &b->w_raw);
	(void)bay_feed(d, b, BAY_EV_TRAFFIC, true);
}

static void timer_fired(struct recalld *d, struct bayrt *b)
{
	uint64_t exp, now = now_ms();
	int err;

	(void)!read(b->timer_fd, &exp, sizeof(exp));
	if (b->raw_paused && b->raw_fd >= 0 && now >= b->raw_resume_ms) {
		if (raw_drain(b, &err) > 0) {
			b->raw_resume_ms = now + (d->cfg.silence_ms / 4 < TRAFFIC_PAUSE_MIN_MS ?
							  TRAFFIC_PAUSE_MIN_MS : d->cfg.silence_ms / 4);
			(void)bay_feed(d, b, BAY_EV_TRAFFIC, true);
		} else {
			b->raw_paused = false;
			(void)ep_mod(d, b->raw_fd, EPOLLIN, &b->w_raw);
		}
	}
	(void)bay_feed(d, b, BAY_EV_TIMER, b->sm.up);
}

/* ---- discovery ---------------------------------------------------------------------------- */

static void iface_seen(struct recalld *d, const char *name, bool up)
{
	struct bayrt *b;

	if (!config_is_bay(&d->cfg, name))
		return;
	b = bay_get(d, name);
	if (b)
		(void)bay_feed(d, b, BAY_EV_PRESENT, up);
}

static void iface_gone(struct recalld *d, const char *name)
{
	struct bayrt *b = bay_find(d, name);

	if (b && b->sm.present) {
		syslog(LOG_INFO, "%s: interface removed", name);
		(void)bay_feed(d, b, BAY_EV_REMOVED, false);
	}
}

static bool udev_is_can(struct udev_device *dev, bool *ret_up)
{
	const char *type = udev_device_get_sysattr_value(dev, "type");
	const char *flags = udev_device_get_sysattr_value(dev, "flags");

	if (!type || strtoul(type, NULL, 10) != ARPHRD_CAN)
		return false;
	*ret_up = flags && (strtoul(flags, NULL, 16) & IFF_UP);
	return true;
}

static int udev_enumerate(struct recalld *d)
{
	struct udev_enumerate *e = udev_enumerate_new(d->udev);
	struct udev_list_entry *l;

	if (!e)
		return -ENOMEM;
	udev_enumerate_add_match_subsystem(e, "net");
	udev_enumerate_scan_devices(e);
	udev_list_entry_foreach(l, udev_enumerate_get_list_entry(e))
	{
		struct udev_device *dev =
			udev_device_new_from_syspath(d->udev, udev_list_entry_get_name(l));
		bool up;

		if (!dev)
			continue;
		if (udev_is_can(dev, &up))
			iface_seen(d, udev_device_get_sysname(dev), up);
		udev_device_unref(dev);
	}
	udev_enumerate_unref(e);
	return 0;
}

static void udev_readable(struct recalld *d)
{
	struct udev_device *dev;

	while ((dev = udev_monitor_receive_device(d->mon))) {
		const char *action = udev_device_get_action(dev);
		const char *name = udev_device_get_sysname(dev);
		bool up;

		if (action && name) {
			if (strcmp(action, "remove") == 0)
				iface_gone(d, name);
			else if ((strcmp(action, "add") == 0 || strcmp(action, "change") == 0 ||
				  strcmp(action, "move") == 0) && udev_is_can(dev, &up))
				iface_seen(d, name, up);
		}
		udev_device_unref(dev);
	}
}

static void rtnl_readable(struct recalld *d)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));

	for (;;) {
		ssize_t n = recv(d->rtnl_fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			/* Events were lost: ask udev for the truth again. */
			syslog(LOG_WARNING, "rtnetlink: events lost, re-enumerating interfaces");
			(void)udev_enumerate(d);
			continue;
		}
		if (n <= 0)
			return;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct ifinfomsg *ifi;
			struct rtattr *a;
			int alen;
			const char *name = NULL;
			char nbuf[IFNAMSIZ];

			if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
				continue;
			ifi = NLMSG_DATA(h);
			if (ifi->ifi_type != ARPHRD_CAN)
				continue;
			alen = (int)IFLA_PAYLOAD(h);
			for (a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
				size_t l = RTA_PAYLOAD(a);

				if (a->rta_type != IFLA_IFNAME || l == 0 || l > IFNAMSIZ)
					continue;
				memcpy(nbuf, RTA_DATA(a), l);
				nbuf[l - 1] = 0;
				name = nbuf;
			}
			if (!name)
				continue;
			if (h->nlmsg_type == RTM_DELLINK)
				iface_gone(d, name);
			else
				iface_seen(d, name, ifi->ifi_flags & IFF_UP);
		}
	}
}

static int discovery_open(struct recalld *d)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	const char *source;

	d->udev = udev_new();
	if (!d->udev)
		return -ENOMEM;
	/* Without udevd nobody rebroadcasts "udev" events: listen to the kernel's own. */
	source = access("/run/udev/control", F_OK) == 0 ? "udev" : "kernel";
	d->mon = udev_monitor_new_from_netlink(d->udev, source);
	if (!d->mon)
		return -errno ? -errno : -ENOMEM;
	udev_monitor_filter_add_match_subsystem_devtype(d->mon, "net", NULL);
	if (udev_monitor_enable_receiving(d->mon) < 0)
		return -EIO;
	d->w_udev = (struct watch){ W_UDEV, NULL };
	if (ep_add(d, udev_monitor_get_fd(d->mon), EPOLLIN, &d->w_udev) < 0)
		return -errno;
	syslog(LOG_INFO, "watching %s events for CAN interfaces", source);

	d->rtnl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (d->rtnl_fd < 0)
		return -errno;
	if (bind(d->rtnl_fd, (struct sockaddr *)&snl, sizeof(snl)) < 0)
		return -errno;
	d->w_rtnl = (struct watch){ W_RTNL, NULL };
	if (ep_add(d, d->rtnl_fd, EPOLLIN, &d->w_rtnl) < 0)
		return -errno;
	/* Subscribe first, then enumerate: an interface created in between is seen twice, which
	 * the state machine ignores, rather than not at all. */
	return udev_enumerate(d);
}

/* ---- database ----------------------------------------------------------------------------- */

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
	/* Running children keep their own copy of the old mapping (fork), so freeing is safe. */
	if (d->db)
		d->ops->db_free(d->userdata, d->db);
	d->db = db;
	free(d->db_desc);
	d->db_desc = d->ops->db_describe ? d->ops->db_describe(d->userdata, db) : NULL;
	return 0;
}

static int do_reload(struct recalld *d, char **ret_error)
{
	char *err = NULL;
	int ret = db_load(d, &err);
	struct json_object *o = json_object_new_object();

	if (ret < 0)
		syslog(LOG_ERR, "reload refused, keeping the old database: %s",
		       err ? err : strerror(-ret));
	else
		syslog(LOG_NOTICE, "database reloaded: %s", d->db_desc ? d->db_desc : "");
	if (o) {
		json_object_object_add(o, "event", json_object_new_string("reload"));
		json_object_object_add(o, "ok", json_object_new_boolean(ret >= 0));
		if (ret < 0 && err)
			json_object_object_add(o, "error", json_object_new_string(err));
		if (d->db_desc)
			json_object_object_add(o, "database", json_object_new_string(d->db_desc));
		broadcast(d, o);
		json_object_put(o);
	}
	if (ret_error)
		*ret_error = err;
	else
		free(err);
	return ret;
}

/* ---- control socket ----------------------------------------------------------------------- */

static bool peer_allowed(struct recalld *d, const struct ucred *cr)
{
	struct passwd pw, *pwp = NULL;
	gid_t groups[256];
	int ngroups = 256, i;
	char buf[4096];

	if (cr->uid == 0 || cr->uid == geteuid() || cr->gid == d->sock_gid)
		return true;
	/* Supplementary groups: the socket's mode lets them in, so must we. */
	if (getpwuid_r(cr->uid, &pw, buf, sizeof(buf), &pwp) != 0 || !pwp)
		return false;
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &ngroups) < 0)
		return false;
	for (i = 0; i < ngroups; i++)
		if (groups[i] == d->sock_gid)
			return true;
	return false;
}

static void accept_clients(struct recalld *d)
{
	for (;;) {
		int fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ucred cr;
		socklen_t crlen = sizeof(cr);
		struct client *c;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0 ||
		    !peer_allowed(d, &cr)) {
			static const char msg[] = "{\"ok\":false,\"error\":\"permission denied\"}\n";

			syslog(LOG_WARNING, "control: refused client uid %u", (unsigned int)cr.uid);
			(void)!send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		if (d->n_clients >= d->cfg.max_clients) {
			static const char msg[] = "{\"ok\":false,\"error\":\"too many clients\"}\n";

			(void)!send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c || linebuf_init(&c->in, d->cfg.max_request) < 0) {
			free(c);
			close(fd);
			continue;
		}
		outbuf_init(&c->out, d->cfg.max_output);
		c->fd = fd;
		c->pid = cr.pid;
		c->uid = cr.uid;
		c->w = (struct watch){ W_CLIENT, c };
		if (ep_add(d, fd, EPOLLIN, &c->w) < 0) {
			linebuf_done(&c->in);
			free(c);
			close(fd);
			continue;
		}
		c->next = d->clients;
		d->clients = c;
		d->n_clients++;
	}
}

static struct json_object *bay_status(const struct bayrt *b)
{
	struct json_object *o = json_object_new_object();
	unsigned int counts[_RECALL_VERDICT_MAX];

	if (!o)
		return NULL;
	json_object_object_add(o, "iface", json_object_new_string(b->sm.name));
	json_object_object_add(o, "state", json_object_new_string(bay_state_name(bay_state(&b->sm))));
	json_object_object_add(o, "checks", json_object_new_int((int)b->sm.checks));
	if (b->sm.checking)
		json_object_object_add(o, "trigger",
				       json_object_new_string(bay_trigger_name(b->sm.trigger)));
	if (b->last) {
		struct json_object *l = json_object_new_object();
		size_t i;

		report_count(b->last, counts);
		json_object_object_add(l, "status", json_object_new_string(
						      recall_status_name(b->last->status)));
		if (b->last->vin)
			json_object_object_add(l, "vin", json_object_new_string(b->last->vin));
		for (i = 0; i < _RECALL_VERDICT_MAX; i++)
			json_object_object_add(l, recall_verdict_name((enum recall_verdict)i),
					       json_object_new_int((int)counts[i]));
		json_object_object_add(l, "finished_ms",
				       json_object_new_int64(b->last->finished_ms));
		json_object_object_add(o, "last", l);
	}
	return o;
}

static void handle_request(struct recalld *d, struct client *c, const char *line, size_t len)
{
	struct control_request req;
	const char *err = NULL;
	struct json_object *o;
	struct bayrt *b;
	size_t i;

	if (control_parse_request(line, len, &req, &err) < 0) {
		reply_error(d, c, NULL, "bad request: %s", err);
		return;
	}
	switch (req.cmd) {
	case CONTROL_STATUS: {
		struct json_object *arr = json_object_new_array();

		o = reply_new(&req, true);
		if (!o || !arr) {
			json_object_put(o);
			json_object_put(arr);
			return;
		}
		if (d->db_desc)
			json_object_object_add(o, "database", json_object_new_string(d->db_desc));
		for (i = 0; i < d->n_bays; i++)
			json_object_array_add(arr, bay_status(d->bays[i]));
		json_object_object_add(o, "bays", arr);
		json_object_object_add(o, "clients", json_object_new_int((int)d->n_clients));
		(void)client_send(d, c, o);
		json_object_put(o);
		return;
	}
	case CONTROL_CHECK:
		b = bay_find(d, req.iface);
		if (!b) {
			reply_error(d, c, &req, "%s: not a bay (no such CAN interface, or not in "
					       "[bays] interfaces)", req.iface);
			return;
		}
		switch (bay_feed(d, b, BAY_EV_REQUEST, b->sm.up)) {
		case BAY_ACT_REFUSE_BUSY:
			reply_error(d, c, &req, "%s: a check is already running", req.iface);
			return;
		case BAY_ACT_REFUSE_DOWN:
			reply_error(d, c, &req, "%s: interface is %s", req.iface,
				    b->sm.present ? "down" : "gone");
			return;
		default:
			break;
		}
		o = reply_new(&req, true);
		if (o) {
			json_object_object_add(o, "iface", json_object_new_string(req.iface));
			json_object_object_add(o, "state", json_object_new_string("checking"));
			(void)client_send(d, c, o);
			json_object_put(o);
		}
		return;
	case CONTROL_LAST:
		b = bay_find(d, req.iface);
		if (!b || !b->last) {
			reply_error(d, c, &req, "%s: no check has finished on this bay yet",
				    req.iface);
			return;
		}
		o = reply_new(&req, true);
		if (o) {
			struct json_object *rep;

			json_object_object_add(o, "iface", json_object_new_string(req.iface));
			if (report_to_json_object(b->last, &rep) >= 0)
				json_object_object_add(o, "report", rep);
			(void)client_send(d, c, o);
			json_object_put(o);
		}
		return;
	case CONTROL_SUBSCRIBE:
		c->subscribed = true;
		o = reply_new(&req, true);
		if (o) {
			(void)client_send(d, c, o);
			json_object_put(o);
		}
		return;
	case CONTROL_RELOAD: {
		char *rerr = NULL;

		syslog(LOG_INFO, "reload requested by pid %d", (int)c->pid);
		if (do_reload(d, &rerr) < 0) {
			reply_error(d, c, &req, "database refused, old one kept: %s",
				    rerr ? rerr : "invalid");
		} else {
			o = reply_new(&req, true);
			if (o) {
				if (d->db_desc)
					json_object_object_add(o, "database",
							       json_object_new_string(d->db_desc));
				(void)client_send(d, c, o);
				json_object_put(o);
			}
		}
		free(rerr);
		return;
	}
	default:
		return;
	}
}

/* Returns false when the client was dropped. */
static bool client_readable(struct recalld *d, struct client *c)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(c->fd, buf, sizeof(buf));
		size_t used = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0) {
			client_drop(d, c, NULL);
			return false;
		}
		while (used < (size_t)n) {
			const char *line;
			size_t len;
			enum linebuf_result r;

			used += linebuf_feed(&c->in, buf + used, (size_t)n - used);
			while ((r = linebuf_next(&c->in, &line, &len)) != LINEBUF_NONE) {
				if (r == LINEBUF_OVERSIZED)
					reply_error(d, c, NULL, "bad request: longer than %u bytes",
						    d->cfg.max_request);
				else if (len)
					handle_request(d, c, line, len);
				/* a reply may have dropped the client */
				if (c->dead)
					return false;
			}
		}
	}
}

static int socket_open(struct recalld *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = d->cfg.socket_path;
	char *dir, *slash;
	mode_t old;
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	d->sock_gid = getegid();
	if (d->cfg.socket_group) {
		struct group *g = getgrnam(d->cfg.socket_group);

		if (!g) {
			syslog(LOG_ERR, "control: group '%s' does not exist", d->cfg.socket_group);
			return -ENOENT;
		}
		d->sock_gid = g->gr_gid;
	}
	/* The socket's directory (e.g. /run/recalld) may not exist yet after boot. */
	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			ret = -errno;
			free(dir);
			return ret;
		}
	}
	free(dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A stale socket from a crashed daemon is removed; a live one means we are second. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return -EADDRINUSE;
	}
	close(fd);
	(void)unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old = umask(0117);
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret < 0 || chown(path, (uid_t)-1, d->sock_gid) < 0 || chmod(path, 0660) < 0 ||
	    listen(fd, 16) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	d->listen_fd = fd;
	d->w_listen = (struct watch){ W_LISTEN, NULL };
	return ep_add(d, fd, EPOLLIN, &d->w_listen);
}

/* ---- life cycle --------------------------------------------------------------------------- */

/* The report directory is created on first start (e.g. /var/lib/recalld/reports). */
static int mkdir_p(const char *path)
{
	char *p = strdup(path), *s;
	int ret = 0;

	if (!p)
		return -ENOMEM;
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
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

int recalld_new(struct recalld_config *cfg, const char *config_path, const struct recalld_ops *ops,
		void *userdata, unsigned int flags, struct recalld **ret)
{
	struct recalld *d;
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
	d->epfd = d->sigfd = d->listen_fd = d->rtnl_fd = -1;
	d->config_path = config_path ? strdup(config_path) : NULL;

	r = mkdir_p(d->cfg.report_dir);
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
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0) {
		r = -errno;
		goto fail;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d->w_sig = (struct watch){ W_SIGNAL, NULL };
	if (d->sigfd < 0 || ep_add(d, d->sigfd, EPOLLIN, &d->w_sig) < 0) {
		r = -errno;
		goto fail;
	}
	r = socket_open(d);
	if (r < 0) {
		syslog(LOG_ERR, "control socket %s: %s", d->cfg.socket_path, strerror(-r));
		goto fail;
	}
	if (!(flags & RECALLD_STATIC_BAYS)) {
		r = discovery_open(d);
		if (r < 0) {
			syslog(LOG_ERR, "bay discovery (udev/rtnetlink): %s", strerror(-r));
			goto fail;
		}
	}
	memset(cfg, 0, sizeof(*cfg));
	*ret = d;
	return 0;
fail:
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
	(void)bay_feed(d, b, BAY_EV_PRESENT, true);
	return 0;
}

static void handle_signals(struct recalld *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			syslog(LOG_NOTICE, "signal %u: stopping", si.ssi_signo);
			d->stop = true;
			break;
		case SIGHUP:
			syslog(LOG_INFO, "SIGHUP: reloading the database");
			(void)do_reload(d, NULL);
			break;
		case SIGCHLD:
			reap_children(d);
			break;
		}
	}
}

int recalld_run(struct recalld *d)
{
	struct epoll_event evs[32];

	syslog(LOG_NOTICE, "ready: %zu bay(s), database %s, control %s", d->n_bays,
	       d->db_desc ? d->db_desc : d->cfg.database, d->cfg.socket_path);
	while (!d->stop) {
		int n = epoll_wait(d->epfd, evs, 32, -1), i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n && !d->stop; i++) {
			struct watch *w = evs[i].data.ptr;

			switch (w->type) {
			case W_SIGNAL:
				handle_signals(d);
				break;
			case W_LISTEN:
				accept_clients(d);
				break;
			case W_CLIENT: {
				struct client *c = w->obj;

				if (c->dead)
					break;
				if ((evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
				    !client_readable(d, c))
					break;
				if (evs[i].events & EPOLLOUT) {
					ssize_t left = outbuf_flush(&c->out, c->fd);

					if (left < 0) {
						client_drop(d, c, NULL);
					} else if (left == 0) {
						c->want_out = false;
						(void)ep_mod(d, c->fd, EPOLLIN, &c->w);
					}
				}
				break;
			}
			case W_UDEV:
				udev_readable(d);
				break;
			case W_RTNL:
				rtnl_readable(d);
				break;
			case W_RAW:
				raw_readable(d, w->obj);
				break;
			case W_TIMER:
				timer_fired(d, w->obj);
				break;
			case W_PIPE:
				pipe_readable(d, w->obj);
				break;
			}
		}
		clients_reap(d);
	}
	return 0;
}

struct recalld *recalld_free(struct recalld *d)
{
	size_t i;

	if (!d)
		return NULL;
	while (d->clients)
		client_drop(d, d->clients, NULL);
	clients_reap(d);
	for (i = 0; i < d->n_bays; i++) {
		struct bayrt *b = d->bays[i];

		if (b->pid > 0) {
			(void)kill(b->pid, SIGKILL);
			(void)waitpid(b->pid, NULL, 0);
		}
		if (b->pipe_fd >= 0)
			close(b->pipe_fd);
		if (b->raw_fd >= 0)
			close(b->raw_fd);
		if (b->timer_fd >= 0)
			close(b->timer_fd);
		linebuf_done(&b->child_out);
		free(b->report_line);
		free(b->progress_line);
		free(b->last_json);
		free(b->last_summary);
		recall_report_free(b->last);
		free(b);
	}
	free(d->bays);
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		if (d->cfg.socket_path)
			(void)unlink(d->cfg.socket_path);
	}
	if (d->mon)
		udev_monitor_unref(d->mon);
	if (d->udev)
		udev_unref(d->udev);
	if (d->rtnl_fd >= 0)
		close(d->rtnl_fd);
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->db)
		d->ops->db_free(d->userdata, d->db);
	free(d->db_desc);
	free(d->config_path);
	config_done(&d->cfg);
	free(d);
	return NULL;
}
