/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control socket, in the manner of OpenBSD ntpd's control.c: stale socket removed, umask,
 * bind, chmod 0660, non-blocking, one struct per connection, exact bounds per request.  Peers are
 * checked by SO_PEERCRED against the socket's group (the socket's mode lets them in, so must we).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <json-c/json.h>

#include "plugin/control.h"
#include "plugin/daemon/ctlserver.h"
#include "plugin/daemon/loop.h"

struct ctl_client {
	struct ctlserver *s;
	struct ctl_client *next;
	int fd;
	pid_t pid;
	uid_t uid;
	struct linebuf in;
	struct outbuf out;
	bool subscribed;
	uint64_t active_ms;	/* connected, or its last request */
	bool want_out;		/* EPOLLOUT is armed */
	bool dead;		/* dropped; freed after the current batch */
};

struct ctlserver {
	struct loop *l;
	const struct ctlserver_ops *ops;
	void *ctx;
	struct ctlserver_params p;
	char *path;
	int fd;
	gid_t gid;
	struct ctl_client *clients;
	unsigned int n_clients;
	struct loop_timer *idle;
};

/* The earliest moment a client becomes idle; the timer sleeps while nobody can. */
static void idle_arm(struct ctlserver *s)
{
	uint64_t next = 0;

	if (!s->idle)
		return;
	for (struct ctl_client *c = s->clients; c; c = c->next) {
		uint64_t due = c->active_ms + s->p.idle_timeout_ms;

		if (!c->subscribed && (!next || due < next))
			next = due;
	}
	loop_timer_set(s->idle, next);
}

static void client_drop(struct ctl_client *c, const char *why);

static void idle_fired(void *ctx)
{
	struct ctlserver *s = ctx;
	uint64_t now = loop_now_ms();
	struct ctl_client *c, *next;

	for (c = s->clients; c; c = next) {
		next = c->next;
		if (!c->subscribed && now >= c->active_ms + s->p.idle_timeout_ms)
			client_drop(c, "idle (no request)");
	}
	idle_arm(s);
}

static void client_free(void *ctx)
{
	struct ctl_client *c = ctx;

	linebuf_done(&c->in);
	outbuf_done(&c->out);
	free(c);
}

static void client_drop(struct ctl_client *c, const char *why)
{
	struct ctlserver *s = c->s;
	struct ctl_client **pp;

	if (c->dead)
		return;
	for (pp = &s->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (why)
		syslog(LOG_INFO, "control: client pid %d dropped: %s", (int)c->pid, why);
	loop_del(s->l, c->fd);
	close(c->fd);
	c->fd = -1;
	c->dead = true;
	s->n_clients--;
	/* events of this batch, and the caller's stack, may still name c */
	if (loop_defer(s->l, client_free, c) < 0)
		syslog(LOG_ERR, "control: out of memory, a client's buffers leak");
}

static int send_line(struct ctl_client *c, const char *s, size_t len)
{
	ssize_t left;
	int ret;

	if (c->dead)
		return -EPIPE;
	ret = outbuf_append_line(&c->out, s, len);
	if (ret < 0) {
		client_drop(c, ret == -ENOBUFS ? "output queue full (client not reading)" :
						 "out of memory");
		return ret;
	}
	left = outbuf_flush(&c->out, c->fd);
	if (left < 0) {
		client_drop(c, NULL);
		return (int)left;
	}
	if (left > 0 && !c->want_out) {
		c->want_out = true;
		(void)loop_mod(c->s->l, c->fd, EPOLLIN | EPOLLOUT);
	}
	return 0;
}

int ctlserver_send(struct ctl_client *c, struct json_object *o)
{
	const char *line;
	size_t len;

	if (!o)
		return -ENOMEM;
	line = control_to_line(o, &len);
	if (!line)
		return -ENOMEM;
	return send_line(c, line, len);
}

void ctlserver_broadcast(struct ctlserver *s, struct json_object *o)
{
	struct ctl_client *c, *next;
	const char *line;
	size_t len;

	if (!o || !(line = control_to_line(o, &len)))
		return;
	for (c = s->clients; c; c = next) {
		next = c->next;
		if (c->subscribed)
			(void)send_line(c, line, len);
	}
}

void ctlserver_subscribe(struct ctl_client *c)
{
	c->subscribed = true;
	idle_arm(c->s);
}

unsigned int ctlserver_n_clients(const struct ctlserver *s)
{
	return s->n_clients;
}

pid_t ctl_client_pid(const struct ctl_client *c)
{
	return c->pid;
}

static void reply_error(struct ctl_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reply_error(struct ctl_client *c, const char *fmt, ...)
{
	struct json_object *o;
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = control_reply_error(NULL, msg);
	(void)ctlserver_send(c, o);
	json_object_put(o);
}

static void client_event(void *ctx, int fd, uint32_t events)
{
	struct ctl_client *c = ctx;
	struct ctlserver *s = c->s;
	char buf[4096];

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		for (;;) {
			ssize_t n = read(fd, buf, sizeof(buf));
			size_t used = 0;

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN)
				break;
			if (n <= 0) {
				client_drop(c, NULL);
				return;
			}
			while (used < (size_t)n) {
				const char *line, *err = NULL;
				size_t len;
				enum linebuf_result r;

				used += linebuf_feed(&c->in, buf + used, (size_t)n - used);
				while ((r = linebuf_next(&c->in, &line, &len)) != LINEBUF_NONE) {
					struct control_request req;

					if (r == LINEBUF_OVERSIZED)
						reply_error(c, "bad request: longer than %u bytes",
							    s->p.max_request);
					else if (len && control_parse_request(line, len, &req,
									      &err) < 0)
						reply_error(c, "bad request: %s", err);
					else if (len) {
						c->active_ms = loop_now_ms();
						s->ops->request(s->ctx, c, &req);
					}
					/* a reply may have dropped the client */
					if (c->dead)
						return;
				}
			}
		}
	}
	if (events & EPOLLOUT) {
		ssize_t left = outbuf_flush(&c->out, fd);

		if (left < 0) {
			client_drop(c, NULL);
		} else if (left == 0) {
			c->want_out = false;
			(void)loop_mod(s->l, fd, EPOLLIN);
		}
	}
}

static bool peer_allowed(struct ctlserver *s, const struct ucred *cr)
{
	struct passwd pw, *pwp = NULL;
	gid_t groups[256];
	int ngroups = 256, i;
	char buf[4096];

	if (cr->uid == 0 || cr->uid == geteuid() || cr->gid == s->gid)
		return true;
	/* Supplementary groups: the socket's mode lets them in, so must we. */
	if (getpwuid_r(cr->uid, &pw, buf, sizeof(buf), &pwp) != 0 || !pwp)
		return false;
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &ngroups) < 0)
		return false;
	for (i = 0; i < ngroups; i++)
		if (groups[i] == s->gid)
			return true;
	return false;
}

static void refuse(int fd, const char *msg)
{
	(void)!send(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void listen_event(void *ctx, int lfd, uint32_t events)
{
	struct ctlserver *s = ctx;

	(void)events;
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ucred cr;
		socklen_t crlen = sizeof(cr);
		struct ctl_client *c;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0 ||
		    !peer_allowed(s, &cr)) {
			syslog(LOG_WARNING, "control: refused client uid %u", (unsigned int)cr.uid);
			refuse(fd, "{\"ok\":false,\"error\":\"permission denied\"}\n");
			continue;
		}
		if (s->n_clients >= s->p.max_clients) {
			refuse(fd, "{\"ok\":false,\"error\":\"too many clients\"}\n");
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c || linebuf_init(&c->in, s->p.max_request) < 0) {
			free(c);
			close(fd);
			continue;
		}
		outbuf_init(&c->out, s->p.max_output);
		c->s = s;
		c->fd = fd;
		c->pid = cr.pid;
		c->uid = cr.uid;
		if (loop_add(s->l, fd, EPOLLIN, client_event, c) < 0) {
			linebuf_done(&c->in);
			free(c);
			close(fd);
			continue;
		}
		c->active_ms = loop_now_ms();
		c->next = s->clients;
		s->clients = c;
		s->n_clients++;
		idle_arm(s);
	}
}

static int make_parent_dir(const char *path)
{
	char *dir = strdup(path), *slash;
	int ret = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			ret = -errno;
	}
	free(dir);
	return ret;
}

int ctlserver_new(struct loop *l, const struct ctlserver_params *p,
		  const struct ctlserver_ops *ops, void *ctx, struct ctlserver **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctlserver *s;
	struct stat st;
	mode_t old;
	int fd, r;

	if (strlen(p->path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, p->path, strlen(p->path) + 1);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	*s = (struct ctlserver){ .l = l, .ops = ops, .ctx = ctx, .p = *p, .fd = -1 };
	s->path = strdup(p->path);
	if (!s->path) {
		r = -ENOMEM;
		goto fail;
	}
	s->p.path = s->path;
	s->p.group = NULL;
	s->gid = getegid();
	if (p->group) {
		struct group *g = getgrnam(p->group);

		if (!g) {
			syslog(LOG_ERR, "control: group '%s' does not exist", p->group);
			r = -ENOENT;
			goto fail;
		}
		s->gid = g->gr_gid;
	}
	/* The socket's directory (e.g. /run/recalld) may not exist yet after boot. */
	r = make_parent_dir(s->path);
	if (r < 0)
		goto fail;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	/* A stale socket from a crashed daemon is removed; a live one means we are second. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		r = -EADDRINUSE;
		goto fail;
	}
	close(fd);
	/* Only a stale socket is removed: a regular file (or anything else) at the path is someone
	 * else's, and a configuration mistake must not delete it. */
	if (lstat(s->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			syslog(LOG_ERR, "control: %s exists and is not a socket; not removing it",
			       s->path);
			r = -EEXIST;
			goto fail;
		}
		(void)unlink(s->path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	old = umask(0117);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || chown(s->path, (uid_t)-1, s->gid) < 0 || chmod(s->path, 0660) < 0 ||
	    listen(fd, 16) < 0) {
		r = -errno;
		close(fd);
		goto fail;
	}
	s->fd = fd;
	r = loop_add(l, fd, EPOLLIN, listen_event, s);
	if (r < 0)
		goto fail;
	if (p->idle_timeout_ms) {
		r = loop_timer_new(l, idle_fired, s, &s->idle);
		if (r < 0)
			goto fail;
	}
	*ret = s;
	return 0;
fail:
	ctlserver_free(s);
	return r;
}

struct ctlserver *ctlserver_free(struct ctlserver *s)
{
	if (!s)
		return NULL;
	while (s->clients) {
		struct ctl_client *c = s->clients;

		client_drop(c, NULL);
	}
	if (s->fd >= 0) {
		loop_del(s->l, s->fd);
		close(s->fd);
		(void)unlink(s->path);
	}
	loop_timer_free(s->idle);
	free(s->path);
	free(s);
	return NULL;
}
