/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Check children: fork, typed request in, framed reports out, reaped through a pidfd.
 * A decoder bug or a lying ECU can only kill the child; the child keeps the database it started
 * with (copy-on-write), so a reload never disturbs a running check.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "plugin/daemon/checker.h"
#include "plugin/daemon/loop.h"
#include "plugin/daemon/sandbox.h"
#include "plugin/recall-internal.h"

/* ---- child side ---------------------------------------------------------------------------- */

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int check_reply_send(struct check_reply *out, enum check_msg_type type,
		     const struct recall_report *r)
{
	struct check_msg_hdr h = { .magic = CHECK_MSG_MAGIC, .type = (uint32_t)type };
	char *json = NULL;
	int ret;

	if (out->sent_report)
		return -EPROTO;
	ret = recall_report_to_json(r, &json);
	if (ret < 0)
		return ret;
	h.len = strlen(json);
	ret = write_all(out->fd, &h, sizeof(h));
	if (ret >= 0)
		ret = write_all(out->fd, json, (size_t)h.len);
	free(json);
	if (ret >= 0 && type == CHECK_MSG_REPORT)
		out->sent_report = true;
	return ret;
}

/* ---- decoder ------------------------------------------------------------------------------- */

void check_decoder_init(struct check_decoder *d, size_t max)
{
	*d = (struct check_decoder){ .max = max };
}

void check_decoder_done(struct check_decoder *d)
{
	free(d->body);
	d->body = NULL;
}

int check_decoder_feed(struct check_decoder *d, const void *data, size_t len, check_msg_fn fn,
		       void *ctx)
{
	const char *p = data;
	int ret;

	while (len) {
		size_t n;

		if (d->done)
			return -EPROTO;
		if (d->hdr_got < sizeof(d->hdr)) {
			n = sizeof(d->hdr) - d->hdr_got;
			if (n > len)
				n = len;
			memcpy((char *)&d->hdr + d->hdr_got, p, n);
			d->hdr_got += n;
			p += n;
			len -= n;
			if (d->hdr_got < sizeof(d->hdr))
				return 0;
			if (d->hdr.magic != CHECK_MSG_MAGIC ||
			    (d->hdr.type != CHECK_MSG_PROGRESS && d->hdr.type != CHECK_MSG_REPORT))
				return -EBADMSG;
			if (d->hdr.len > d->max)
				return -EMSGSIZE;
			/* the whole body at once: its size is known and bounded */
			d->body = malloc((size_t)d->hdr.len + 1);
			if (!d->body)
				return -ENOMEM;
			d->body_got = 0;
		}
		n = (size_t)d->hdr.len - d->body_got;
		if (n > len)
			n = len;
		memcpy(d->body + d->body_got, p, n);
		d->body_got += n;
		p += n;
		len -= n;
		if (d->body_got < d->hdr.len)
			return 0;
		d->body[d->body_got] = 0;
		if (d->hdr.type == CHECK_MSG_REPORT)
			d->done = true;
		{
			char *body = d->body;
			size_t blen = d->body_got;

			d->body = NULL;
			d->hdr_got = 0;
			ret = fn(ctx, (enum check_msg_type)d->hdr.type, body, blen);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

int check_decoder_eof(const struct check_decoder *d)
{
	return d->hdr_got ? -EPIPE : 0;
}

/* ---- parent side --------------------------------------------------------------------------- */

struct checker {
	struct loop *l;
	const struct checker_ops *ops;
	void *ctx;
	pid_t pid;
	int pipe_fd, pidfd;
	struct check_decoder dec;
	bool pipe_eof, exited, killed;
	int wstatus;
	struct recall_report *report, *progress;
	char error[160];
};

static void finish_if_over(struct checker *c)
{
	struct checker_result res;

	if (!c->pipe_eof || !c->exited)
		return;
	res = (struct checker_result){
		.report = c->report,
		.progress = c->progress,
		.wstatus = c->wstatus,
		.killed = c->killed,
	};
	memcpy(res.error, c->error, sizeof(res.error));
	c->report = c->progress = NULL;
	/* last: the callee may free c */
	c->ops->done(c->ctx, &res);
}

static void close_pipe(struct checker *c)
{
	if (c->pipe_fd >= 0) {
		loop_del(c->l, c->pipe_fd);
		close(c->pipe_fd);
		c->pipe_fd = -1;
	}
	c->pipe_eof = true;
	check_decoder_done(&c->dec);
}

static void protocol_error(struct checker *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void protocol_error(struct checker *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->error[0]) {
		va_start(ap, fmt);
		vsnprintf(c->error, sizeof(c->error), fmt, ap);
		va_end(ap);
	}
	/* killed before its pipe closes, so it ends by SIGKILL, not by a SIGPIPE in its write */
	if (!c->exited)
		(void)kill(c->pid, SIGKILL);
	close_pipe(c);
}

static int on_message(void *ctx, enum check_msg_type type, char *body, size_t len)
{
	struct checker *c = ctx;
	struct recall_report *r = NULL;
	int ret;

	ret = report_parse_json(body, len, &r);
	free(body);
	if (ret < 0)
		return ret == -ENOMEM ? ret : -EINVAL;
	if (type == CHECK_MSG_REPORT) {
		recall_report_free(c->report);
		c->report = r;
		return 0;
	}
	recall_report_free(c->progress);
	c->progress = r;
	if (c->ops->progress)
		c->ops->progress(c->ctx, r);
	return 0;
}

static void pipe_readable(void *ctx, int fd, uint32_t events)
{
	struct checker *c = ctx;
	char buf[65536];
	int ret;

	(void)events;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			if (check_decoder_eof(&c->dec) < 0 && !c->error[0])
				snprintf(c->error, sizeof(c->error),
					 "check process ended in the middle of its report");
			close_pipe(c);
			finish_if_over(c);
			return;
		}
		ret = check_decoder_feed(&c->dec, buf, (size_t)n, on_message, c);
		if (ret < 0) {
			switch (ret) {
			case -EMSGSIZE:
				protocol_error(c, "check process sent a report of %llu bytes, more "
					       "than the %zu allowed",
					       (unsigned long long)c->dec.hdr.len, c->dec.max);
				break;
			case -ENOMEM:
				protocol_error(c, "out of memory reading the check's report");
				break;
			case -EINVAL:
				protocol_error(c, "check process sent a malformed report");
				break;
			default:
				protocol_error(c, "check process broke the reply protocol (%s)",
					       strerror(-ret));
			}
			finish_if_over(c);
			return;
		}
	}
}

static void child_exited(void *ctx, int fd, uint32_t events)
{
	struct checker *c = ctx;
	int st;

	(void)events;
	if (waitpid(c->pid, &st, WNOHANG) != c->pid)
		return;
	loop_del(c->l, fd);
	close(fd);
	c->pidfd = -1;
	c->exited = true;
	c->wstatus = st;
	finish_if_over(c);
}

static void __attribute__((noreturn)) child_main(const struct check_request *req,
						 const struct checker_params *p, int out_fd,
						 pid_t parent)
{
	struct check_reply out = { .fd = 3 };
	sigset_t none;

	/* Default signals, dies with the daemon, no daemon fds but the reply pipe (the database
	 * is memory, not an fd). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(70);
	if (out_fd != 3) {
		if (dup2(out_fd, 3) < 0)
			_exit(70);
	} else {
		(void)fcntl(3, F_SETFD, 0);
	}
	(void)close_range(4, ~0U, 0);
	/* from here on, bytes from the car: no capabilities, and a filter that kills anything a
	 * read does not need (sandbox.c) */
	if (sandbox_check_child() < 0) {
		static const char msg[] = "recalld: check child: cannot install its sandbox\n";

		(void)!write(2, msg, sizeof(msg) - 1);
		_exit(71);
	}
	_exit(p->run(p->run_userdata, p->db, req, &out));
}

int checker_start(struct loop *l, const struct check_request *req,
		  const struct checker_params *p, const struct checker_ops *ops, void *ctx,
		  struct checker **ret)
{
	struct checker *c;
	pid_t parent = getpid();
	int pfd[2], r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = (struct checker){ .l = l, .ops = ops, .ctx = ctx, .pid = -1, .pipe_fd = -1,
			       .pidfd = -1 };
	check_decoder_init(&c->dec, p->max_reply);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		r = -errno;
		free(c);
		return r;
	}
	c->pid = fork();
	if (c->pid < 0) {
		r = -errno;
		close(pfd[0]);
		close(pfd[1]);
		free(c);
		return r;
	}
	if (c->pid == 0)
		child_main(req, p, pfd[1], parent);
	close(pfd[1]);
	c->pipe_fd = pfd[0];
	(void)fcntl(c->pipe_fd, F_SETFL, O_NONBLOCK);
	/* the pid cannot be reused before we reap it, so this pidfd is surely our child's */
	c->pidfd = pidfd_open(c->pid, 0);
	if (c->pidfd < 0) {
		r = -errno;
		goto fail;
	}
	r = loop_add(l, c->pipe_fd, EPOLLIN, pipe_readable, c);
	if (r < 0)
		goto fail;
	r = loop_add(l, c->pidfd, EPOLLIN, child_exited, c);
	if (r < 0)
		goto fail;
	*ret = c;
	return 0;
fail:
	checker_free(c);
	return r;
}

void checker_kill(struct checker *c)
{
	if (c->exited)
		return;
	c->killed = true;
	(void)kill(c->pid, SIGKILL);
}

pid_t checker_pid(const struct checker *c)
{
	return c->pid;
}

struct checker *checker_free(struct checker *c)
{
	if (!c)
		return NULL;
	if (c->pid > 0 && !c->exited) {
		(void)kill(c->pid, SIGKILL);
		(void)waitpid(c->pid, NULL, 0);
	}
	if (c->pidfd >= 0) {
		loop_del(c->l, c->pidfd);
		close(c->pidfd);
	}
	if (c->pipe_fd >= 0) {
		loop_del(c->l, c->pipe_fd);
		close(c->pipe_fd);
	}
	check_decoder_done(&c->dec);
	recall_report_free(c->report);
	recall_report_free(c->progress);
	free(c);
	return NULL;
}
