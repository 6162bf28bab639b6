/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The link helper (see linkup.h): a forked process with CAP_NET_ADMIN only, answering typed
 * requests; and the daemon's asynchronous client of it.
 */
#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/can/netlink.h>
#include <linux/capability.h>

#include "can/canlink.h"
#include "plugin/config.h"
#include "plugin/daemon/linkup.h"
#include "plugin/daemon/sandbox.h"
#include "plugin/daemon/loop.h"

/* ---- the helper ---------------------------------------------------------------------------- */

void linkup_child_restrict(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	const uint32_t keep = 1u << CAP_NET_ADMIN;	/* CAP_NET_ADMIN is 12: word 0 */
	int c;

	/* The bounding set first (needs CAP_SETPCAP, which we drop last): nothing but
	 * CAP_NET_ADMIN can ever come back, not even through exec. */
	for (c = 0; c <= 63; c++)
		if (c != CAP_NET_ADMIN && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno == EINVAL)
			break;
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &h, data) < 0)
		return;
	data[0].effective &= keep;
	data[0].permitted &= keep;
	data[0].inheritable = 0;
	data[1].effective = data[1].permitted = data[1].inheritable = 0;
	(void)syscall(SYS_capset, &h, data);
}

static bool name_ok(const struct recalld_config *cfg, const char *ifname)
{
	size_t n = strnlen(ifname, IFNAMSIZ);

	if (n == 0 || n == IFNAMSIZ)
		return false;
	return config_is_bay(cfg, ifname);
}

static void fill_after(struct linkup_rep *rep, const struct canlink_info *in)
{
	unsigned int i;

	rep->bitrate = in->has_bittiming ? in->bitrate : 0;
	rep->restart_ms = in->restart_ms;
	rep->ctrlmode = in->ctrlmode;
	snprintf(rep->kind, sizeof(rep->kind), "%s", canlink_kind_name(in->kind));
	rep->n_rates = in->n_bitrate_const < 16 ? in->n_bitrate_const : 16;
	for (i = 0; i < rep->n_rates; i++)
		rep->rates[i] = in->bitrate_const[i];
}

static void set_step(struct linkup_rep *rep, const char *step, int error, const char *msg)
{
	snprintf(rep->step, sizeof(rep->step), "%s", step);
	rep->error = error;
	if (msg)
		snprintf(rep->msg, sizeof(rep->msg), "%s", msg);
}

/* LINKUP_SET: only on a controller; down, configure exactly what is asked, up. */
static void do_set(struct canlink_nl *nl, const struct linkup_req *req, struct linkup_rep *rep)
{
	struct canlink_settings s = {
		.bitrate = req->bitrate,
		.restart_ms = req->restart_ms,
		.ctrlmode_mask = req->ctrlmode_mask,
		.ctrlmode_flags = req->ctrlmode_flags,
	};
	struct canlink_info in;
	struct canlink_err err = { "" };
	unsigned int what = CANLINK_SET_CTRLMODE;
	int r;

	r = canlink_get(nl, req->ifname, &in, &err);
	if (r < 0) {
		rep->outcome = r == -ENODEV ? CANLINK_OUT_GONE : CANLINK_OUT_REFUSED;
		return set_step(rep, "query", r, err.msg);
	}
	fill_after(rep, &in);
	if (in.kind != CANLINK_KIND_CAN) {
		rep->outcome = CANLINK_OUT_REFUSED;
		return set_step(rep, "plan", -EOPNOTSUPP, "not a CAN controller");
	}
	if (req->bitrate)
		what |= CANLINK_SET_BITRATE;
	if (in.up && (r = canlink_set_up(nl, in.ifindex, false, &err)) < 0)
		goto fail_down;
	r = canlink_configure(nl, in.ifindex, &s, what, &err);
	if (r == -EOPNOTSUPP && (s.ctrlmode_mask & CAN_CTRLMODE_ONE_SHOT)) {
		/* a controller without one-shot (slcan): the probe is still sent only once by
		 * us, the adapter may retry it on its own */
		s.ctrlmode_mask &= ~(uint32_t)CAN_CTRLMODE_ONE_SHOT;
		s.ctrlmode_flags &= ~(uint32_t)CAN_CTRLMODE_ONE_SHOT;
		r = canlink_configure(nl, in.ifindex, &s, what, &err);
	}
	if (r < 0) {
		rep->outcome = r == -ENODEV ? CANLINK_OUT_GONE : CANLINK_OUT_REFUSED;
		return set_step(rep, "configure", r, err.msg);
	}
	if (in.restart_ms != req->restart_ms) {
		r = canlink_configure(nl, in.ifindex, &s, CANLINK_SET_RESTART_MS, &err);
		if (r == -EOPNOTSUPP)
			rep->restart_unsupported = req->restart_ms != 0;
		else if (r < 0) {
			rep->outcome = r == -ENODEV ? CANLINK_OUT_GONE : CANLINK_OUT_REFUSED;
			return set_step(rep, "restart-ms", r, err.msg);
		}
	}
	r = canlink_set_up(nl, in.ifindex, true, &err);
	if (r < 0) {
		rep->outcome = r == -ENODEV ? CANLINK_OUT_GONE : CANLINK_OUT_REFUSED;
		return set_step(rep, "up", r, err.msg);
	}
	if (canlink_get(nl, req->ifname, &in, NULL) == 0)
		fill_after(rep, &in);
	rep->outcome = CANLINK_OUT_UP;
	rep->verdict = CANLINK_BRING_UP;
	return;
fail_down:
	rep->outcome = r == -ENODEV ? CANLINK_OUT_GONE : CANLINK_OUT_REFUSED;
	set_step(rep, "down", r, err.msg);
}

void linkup_serve(const struct recalld_config *cfg, const struct linkup_req *req,
		  struct linkup_rep *rep)
{
	struct canlink_nl nl;
	int r;

	memset(rep, 0, sizeof(*rep));
	rep->magic = LINKUP_MAGIC;
	rep->size = sizeof(*rep);
	rep->id = req->id;
	if (!name_ok(cfg, req->ifname)) {
		rep->outcome = CANLINK_OUT_REFUSED;
		set_step(rep, "plan", -EACCES, "not a bay interface");
		return;
	}
	r = canlink_nl_open(&nl);
	if (r < 0) {
		rep->outcome = CANLINK_OUT_REFUSED;
		set_step(rep, "query", r, NULL);
		return;
	}
	if (req->op == LINKUP_BRINGUP) {
		struct canlink_want w = {
			.bitrate = req->bitrate,
			.restart_ms = req->restart_ms,
			.listen_only = req->ctrlmode_flags & CAN_CTRLMODE_LISTENONLY,
		};
		struct canlink_result res;

		r = canlink_bringup(&nl, req->ifname, &w, &res);
		if (r < 0) {
			rep->outcome = CANLINK_OUT_REFUSED;
			set_step(rep, "query", r, NULL);
		} else {
			rep->outcome = res.outcome;
			rep->verdict = res.plan.verdict;
			rep->restart_unsupported = res.restart_unsupported;
			if (res.step)
				set_step(rep, res.step, res.error, res.err.msg);
			fill_after(rep, res.outcome == CANLINK_OUT_UP ? &res.after : &res.before);
		}
	} else if (req->op == LINKUP_SET) {
		do_set(&nl, req, rep);
	} else {
		rep->outcome = CANLINK_OUT_REFUSED;
		set_step(rep, "plan", -EINVAL, "unknown request");
	}
	canlink_nl_close(&nl);
}

static void helper_main(const struct recalld_config *cfg, int fd)
{
	for (;;) {
		struct linkup_req req;
		struct linkup_rep rep;
		ssize_t n = recv(fd, &req, sizeof(req), MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* the daemon closed its end, or is gone */
		/* A message of any other size or kind is not ours: refuse it, stay up. */
		if ((size_t)n != sizeof(req) || req.magic != LINKUP_MAGIC || req.size != sizeof(req)) {
			memset(&rep, 0, sizeof(rep));
			rep.magic = LINKUP_MAGIC;
			rep.size = sizeof(rep);
			rep.outcome = CANLINK_OUT_REFUSED;
			set_step(&rep, "plan", -EBADMSG, "malformed request");
		} else {
			linkup_serve(cfg, &req, &rep);
		}
		if (send(fd, &rep, sizeof(rep), MSG_NOSIGNAL) < 0 && errno != EINTR)
			return;
	}
}

int linkup_spawn(const struct recalld_config *cfg, uid_t uid, gid_t gid, int *ret_fd,
		 int *ret_pid)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		/* The helper: its socket only; it dies with the daemon. */
		close(sv[0]);
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
		(void)prctl(PR_SET_NAME, "recalld-linkup", 0, 0, 0);
		signal(SIGPIPE, SIG_IGN);
		/* the daemon's user (issue 9), keeping CAP_NET_ADMIN through the switch */
		if (uid != (uid_t)-1 && sandbox_become(uid, gid, (const int[]){ CAP_NET_ADMIN },
						       1) < 0)
			_exit(71);
		linkup_child_restrict();
		/* its own seccomp filter: the socketpair and NETLINK_ROUTE sockets, nothing else */
		if (sandbox_link_helper() < 0)
			_exit(71);
		helper_main(cfg, sv[1]);
		_exit(0);
	}
	close(sv[1]);
	*ret_fd = sv[0];
	*ret_pid = pid;
	return 0;
}

/* ---- the daemon side ------------------------------------------------------------------------ */

#define LINKUP_MAX_PENDING 64

struct pending {
	uint32_t id;
	linkup_fn fn;
	void *ctx;
};

struct linkup {
	struct loop *l;
	int fd, pid;
	uint32_t next_id;
	struct pending p[LINKUP_MAX_PENDING];
	unsigned int n;
};

static void fail_all(struct linkup *lu, int err)
{
	while (lu->n) {
		struct pending p = lu->p[--lu->n];

		if (p.fn)
			p.fn(p.ctx, NULL, err);
	}
}

static void readable(void *ctx, int fd, uint32_t events)
{
	struct linkup *lu = ctx;

	(void)events;
	for (;;) {
		struct linkup_rep rep;
		ssize_t n = recv(fd, &rep, sizeof(rep), MSG_DONTWAIT | MSG_TRUNC);
		unsigned int i;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			syslog(LOG_ERR, "link helper: gone; bays will not be brought up");
			loop_del(lu->l, lu->fd);
			close(lu->fd);
			lu->fd = -1;
			fail_all(lu, -EPIPE);
			return;
		}
		if ((size_t)n != sizeof(rep) || rep.magic != LINKUP_MAGIC ||
		    rep.size != sizeof(rep)) {
			syslog(LOG_ERR, "link helper: malformed reply (%zd bytes), ignored", n);
			continue;
		}
		rep.step[sizeof(rep.step) - 1] = 0;
		rep.msg[sizeof(rep.msg) - 1] = 0;
		rep.kind[sizeof(rep.kind) - 1] = 0;
		if (rep.n_rates > 16)
			rep.n_rates = 16;
		for (i = 0; i < lu->n; i++) {
			if (lu->p[i].id != rep.id)
				continue;
			{
				struct pending p = lu->p[i];

				lu->p[i] = lu->p[--lu->n];
				if (p.fn)
					p.fn(p.ctx, &rep, 0);
			}
			break;
		}
	}
}

int linkup_new(struct loop *l, int fd, int pid, struct linkup **ret)
{
	struct linkup *lu = calloc(1, sizeof(*lu));
	int r;

	if (!lu)
		return -ENOMEM;
	lu->l = l;
	lu->fd = fd;
	lu->pid = pid;
	r = loop_add(l, fd, EPOLLIN, readable, lu);
	if (r < 0) {
		free(lu);
		return r;
	}
	*ret = lu;
	return 0;
}

struct linkup *linkup_free(struct linkup *lu)
{
	if (!lu)
		return NULL;
	lu->n = 0;	/* nobody is called back while everything is torn down */
	if (lu->fd >= 0) {
		loop_del(lu->l, lu->fd);
		close(lu->fd);	/* the helper sees EOF and exits */
	}
	if (lu->pid > 0)
		(void)waitpid(lu->pid, NULL, 0);
	free(lu);
	return NULL;
}

int linkup_request(struct linkup *lu, struct linkup_req *req, linkup_fn fn, void *ctx)
{
	if (!lu || lu->fd < 0)
		return -EPIPE;
	if (lu->n == LINKUP_MAX_PENDING)
		return -EBUSY;
	req->magic = LINKUP_MAGIC;
	req->size = sizeof(*req);
	req->id = ++lu->next_id;
	if (send(lu->fd, req, sizeof(*req), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -errno;
	lu->p[lu->n++] = (struct pending){ req->id, fn, ctx };
	return 0;
}

void linkup_cancel(struct linkup *lu, void *ctx)
{
	unsigned int i;

	if (!lu)
		return;
	for (i = 0; i < lu->n; i++)
		if (lu->p[i].ctx == ctx)
			lu->p[i].fn = NULL;
}
