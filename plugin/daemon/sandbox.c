/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The check child reads bytes from a car: a lying ECU or a decoder bug must not turn into a
 * process that can open files, connect anywhere, exec or gain anything.  Its filter allows what
 * a read over SocketCAN needs and kills the process on anything else (SCMP_ACT_KILL_PROCESS, so
 * the daemon sees SIGSYS and reports it).  Lists, not code paths: what the read may do is here,
 * in one place.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/sockios.h>

#include <cap-ng.h>
#include <seccomp.h>

#include "plugin/daemon/sandbox.h"

int sandbox_lookup_user(const char *user, uid_t *ret_uid, gid_t *ret_gid)
{
	struct passwd pw, *pwp = NULL;
	char buf[4096];
	int r;

	r = getpwnam_r(user, &pw, buf, sizeof(buf), &pwp);
	if (r != 0)
		return -r;
	if (!pwp)
		return -ENOENT;
	*ret_uid = pw.pw_uid;
	*ret_gid = pw.pw_gid;
	return 0;
}

int sandbox_become(uid_t uid, gid_t gid, const int *keep, unsigned int n)
{
	bool change = uid != (uid_t)-1 && (uid != geteuid() || gid != getegid()), setpcap;
	int r;

	/* whether the bounding set may be cleared: asked of the process, before the clear below */
	if (capng_get_caps_process() < 0)
		return -EPERM;
	setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	capng_clear(CAPNG_SELECT_BOTH);
	for (unsigned int i = 0; i < n; i++)
		if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, keep[i]) < 0)
			return -EINVAL;
	if (change) {
		/* setgid, the user's own supplementary groups (an admin may add it to the socket
		 * group), setuid, keeping only what was listed; the bounding set cleared too */
		r = capng_change_id((int)uid, (int)gid, CAPNG_INIT_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
		if (r < 0)
			return r == -4 || r == -5 || r == -6 ? -EPERM : -EINVAL;
	} else {
		/* the bounding set only where we may (CAP_SETPCAP); without it, no_new_privs and
		 * empty permitted sets leave nothing to gain from it */
		if (setpcap)
			r = capng_apply(CAPNG_SELECT_BOTH | CAPNG_SELECT_BOUNDS);
		else
			r = capng_apply(CAPNG_SELECT_BOTH);
		if (r < 0)
			return -EPERM;
	}
	/* ambient capabilities (systemd's AmbientCapabilities=) would survive an exec */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

/* ---- seccomp ------------------------------------------------------------------------------- */

/* Allowed as such: I/O on fds the child has, time, memory, signals to itself, its own end. */
static const int check_plain[] = {
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(close),
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(select), SCMP_SYS(pselect6),
	SCMP_SYS(recvfrom), SCMP_SYS(recvmsg), SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
	SCMP_SYS(bind), SCMP_SYS(getsockname), SCMP_SYS(fcntl),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	/* a database read on demand (mapped file, pread) */
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(lseek), SCMP_SYS(pread64),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction),
	SCMP_SYS(sigaltstack), SCMP_SYS(restart_syscall), SCMP_SYS(pause),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getppid), SCMP_SYS(futex),
	SCMP_SYS(getrandom), SCMP_SYS(sched_yield), SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* glibc's qsort asks sysconf(_SC_PHYS_PAGES) before sorting a larger array */
	SCMP_SYS(sysinfo),
};

/* Interface look-ups by name (if_nametoindex, can/'s link check) and nothing else by ioctl. */
static const unsigned long check_ioctls[] = {
	SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFFLAGS, SIOCGIFHWADDR, SIOCGIFMTU, FIONREAD,
};

static int add_plain(scmp_filter_ctx ctx, const int *calls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r;

		if (calls[i] < 0)	/* not a system call on this architecture */
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load(scmp_filter_ctx ctx)
{
	int r;

	/* no_new_privs: no setuid binary, no file capability can undo this */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	r = seccomp_load(ctx);
	return r < 0 ? r : 0;
}

int sandbox_check_child(void)
{
	scmp_filter_ctx ctx;
	pid_t self = getpid();
	int r;

	r = sandbox_become((uid_t)-1, (gid_t)-1, NULL, 0);
	if (r < 0)
		return r;
	/* Time formatting (strftime, localtime) loads the zone file on first use; afterwards glibc
	 * only stats it.  Load it now, while the child may still open files. */
	tzset();
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	r = add_plain(ctx, check_plain, sizeof(check_plain) / sizeof(check_plain[0]));
	/* CAN sockets for the bus; a Unix datagram socket only as a handle for interface ioctls
	 * (glibc's if_nametoindex): it cannot connect, nor send to an address */
	if (r >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				     SCMP_A0(SCMP_CMP_EQ, AF_CAN, 0));
	if (r >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				     SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0));
	if (r >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendto), 1,
				     SCMP_A4(SCMP_CMP_EQ, 0, 0));
	for (size_t i = 0; r >= 0 && i < sizeof(check_ioctls) / sizeof(check_ioctls[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, check_ioctls[i], 0));
	/* memory, never executable */
	if (r >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* abort() and raise() signal the child itself, nobody else */
	if (r >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
				     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self, 0));
	if (r >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self, 0));
	if (r >= 0)
		r = load(ctx);
	seccomp_release(ctx);
	return r;
}

static const int helper_plain[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(close), SCMP_SYS(recvfrom), SCMP_SYS(recvmsg),
	SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(bind), SCMP_SYS(getsockname),
	SCMP_SYS(setsockopt), SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(clock_gettime),
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(madvise), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(futex),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
};

int sandbox_link_helper(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = add_plain(ctx, helper_plain, sizeof(helper_plain) / sizeof(helper_plain[0]));
	if (r >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
				     SCMP_A0(SCMP_CMP_EQ, AF_NETLINK, 0),
				     SCMP_A2(SCMP_CMP_EQ, NETLINK_ROUTE, 0));
	if (r >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r >= 0)
		r = load(ctx);
	seccomp_release(ctx);
	return r;
}
