/* The check supervisor: the reply decoder row by row, and real children under the real loop —
 * a report of any size arrives whole, a child that breaks the protocol or dies is reported as
 * such, the request the child gets is the typed one and nothing else. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <net/if.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "can/ident.h"
#include "plugin/daemon/checker.h"
#include "plugin/daemon/daemon.h"
#include "plugin/daemon/loop.h"
#include "plugin/recall-internal.h"

/* ---- decoder ------------------------------------------------------------------------------ */

struct got {
	unsigned int n;
	enum check_msg_type types[4];
	size_t lens[4];
};

static int collect(void *ctx, enum check_msg_type type, char *body, size_t len)
{
	struct got *g = ctx;

	assert_int_equal(body[len], 0);
	if (g->n < 4) {
		g->types[g->n] = type;
		g->lens[g->n] = len;
	}
	g->n++;
	free(body);
	return 0;
}

static size_t frame(char *out, uint32_t magic, uint32_t type, const char *body, size_t len)
{
	struct check_msg_hdr h = { .magic = magic, .type = type, .len = len };

	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), body, len);
	return sizeof(h) + len;
}

static const struct dec_case {
	const char *name;
	uint32_t magic1, type1;
	size_t len1;
	uint32_t magic2, type2;	/* second frame; magic2 0 = none */
	size_t len2;
	size_t chunk;
	size_t cut;		/* drop this many bytes at the end */
	int ret;		/* feed result */
	int eof;		/* check_decoder_eof */
	unsigned int msgs;
} dec_cases[] = {
	{ "progress+report", CHECK_MSG_MAGIC, 1, 10, CHECK_MSG_MAGIC, 2, 20, 1000, 0, 0, 0, 2 },
	{ "byte by byte", CHECK_MSG_MAGIC, 1, 10, CHECK_MSG_MAGIC, 2, 20, 1, 0, 0, 0, 2 },
	{ "empty body", CHECK_MSG_MAGIC, 2, 0, 0, 0, 0, 3, 0, 0, 0, 1 },
	{ "at the bound", CHECK_MSG_MAGIC, 2, 64, 0, 0, 0, 7, 0, 0, 0, 1 },
	{ "beyond the bound", CHECK_MSG_MAGIC, 2, 65, 0, 0, 0, 7, 0, -EMSGSIZE, 0, 0 },
	{ "bad magic", 0x12345678, 2, 4, 0, 0, 0, 100, 0, -EBADMSG, 0, 0 },
	{ "bad type", CHECK_MSG_MAGIC, 3, 4, 0, 0, 0, 100, 0, -EBADMSG, 0, 0 },
	{ "after the report", CHECK_MSG_MAGIC, 2, 4, CHECK_MSG_MAGIC, 1, 4, 5, 0, -EPROTO, 0, 1 },
	{ "cut in the body", CHECK_MSG_MAGIC, 2, 30, 0, 0, 0, 4, 5, 0, -EPIPE, 0 },
	{ "cut in the header", CHECK_MSG_MAGIC, 2, 0, 0, 0, 0, 4, 3, 0, -EPIPE, 0 },
};

static void test_decoder(void **state)
{
	char body[128], stream[512];

	(void)state;
	memset(body, 'x', sizeof(body));
	for (size_t i = 0; i < sizeof(dec_cases) / sizeof(dec_cases[0]); i++) {
		const struct dec_case *c = &dec_cases[i];
		struct check_decoder d;
		struct got g = { 0 };
		size_t len = 0, off = 0;
		int ret = 0;

		len += frame(stream, c->magic1, c->type1, body, c->len1);
		if (c->magic2)
			len += frame(stream + len, c->magic2, c->type2, body, c->len2);
		len -= c->cut;
		check_decoder_init(&d, 64);
		while (off < len && ret >= 0) {
			size_t n = len - off < c->chunk ? len - off : c->chunk;

			ret = check_decoder_feed(&d, stream + off, n, collect, &g);
			off += n;
		}
		if (ret != c->ret)
			fail_msg("%s: feed %d, want %d", c->name, ret, c->ret);
		if (ret >= 0 && check_decoder_eof(&d) != c->eof)
			fail_msg("%s: eof %d, want %d", c->name, check_decoder_eof(&d), c->eof);
		if (g.n != c->msgs)
			fail_msg("%s: %u messages, want %u", c->name, g.n, c->msgs);
		if (c->msgs >= 1)
			assert_int_equal(g.lens[0], c->len1);
		check_decoder_done(&d);
	}
}

/* ---- real children ------------------------------------------------------------------------ */

struct outcome {
	struct loop *l;
	struct checker *c;
	unsigned int progress;
	struct checker_result res;
	bool done;
};

static void on_progress(void *ctx, const struct recall_report *partial)
{
	struct outcome *o = ctx;

	assert_non_null(partial);
	o->progress++;
}

static void on_done(void *ctx, struct checker_result *res)
{
	struct outcome *o = ctx;

	o->res = *res;
	o->done = true;
	o->c = checker_free(o->c);
	loop_quit(o->l);
}

static const struct checker_ops ops = { .progress = on_progress, .done = on_done };

static struct recall_report *big_report(unsigned int n_campaigns)
{
	struct recall_report *r = report_new();
	char id[32], text[1200];

	report_set_str(&r->vin, "WBY1Z41060V512345");
	/* German defect and remedy texts are long; this makes each campaign ~2.5 KiB of JSON */
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = 0;
	for (unsigned int i = 0; i < n_campaigns; i++) {
		snprintf(id, sizeof(id), "C%06u", i);
		assert_int_equal(report_add_campaign(r, &(struct campaign_in){
					 .id = id, .title = "Titel", .text = text, .remedy = text,
					 .verdict = RECALL_VERDICT_OPEN }), 0);
	}
	r->status = RECALL_STATUS_COMPLETE;
	return r;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The child: the request's iface says what to do. */
static int child_run(void *u, void *db, const struct check_request *req, struct check_reply *out)
{
	struct recall_report *r;
	unsigned int n = 0;

	(void)u;
	(void)db;
	if (req->size != sizeof(*req))
		return 3;
	if (strcmp(req->iface, "crash0") == 0)
		abort();
	if (sscanf(req->iface, "big%u", &n) == 1) {
		r = big_report(n);
		check_reply_send(out, CHECK_MSG_PROGRESS, r);
		check_reply_send(out, CHECK_MSG_REPORT, r);
		recall_report_free(r);
		return 0;
	}
	if (strcmp(req->iface, "garbage0") == 0) {
		(void)!write(out->fd, "this is not a frame at all, and long enough", 42);
		pause();
	}
	if (strcmp(req->iface, "twice0") == 0) {
		r = big_report(1);
		check_reply_send(out, CHECK_MSG_REPORT, r);
		out->sent_report = false;	/* a broken child sends a second one */
		check_reply_send(out, CHECK_MSG_REPORT, r);
		recall_report_free(r);
		return 0;
	}
	if (strcmp(req->iface, "hang0") == 0)
		for (;;)
			pause();
	/* the sandbox: each of these must be killed, the allowed ones exit 0 */
	if (strcmp(req->iface, "open0") == 0)
		(void)open("/etc/hostname", O_RDONLY);
	if (strcmp(req->iface, "exec0") == 0)
		(void)execl("/bin/true", "true", (char *)NULL);
	if (strcmp(req->iface, "inet0") == 0)
		(void)socket(AF_INET, SOCK_STREAM, 0);
	if (strcmp(req->iface, "connect0") == 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/run/systemd/notify" };
		int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

		(void)connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (strcmp(req->iface, "sendto0") == 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
		int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

		(void)sendto(fd, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (strcmp(req->iface, "killppid0") == 0)
		(void)kill(getppid(), SIGTERM);
	if (strcmp(req->iface, "ptrace0") == 0)
		(void)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	if (strcmp(req->iface, "wx0") == 0)
		(void)mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (strcmp(req->iface, "setuid0") == 0)
		(void)setuid(0);
	if (strcmp(req->iface, "can0") == 0) {
		/* what a read needs: a CAN socket (EAFNOSUPPORT on a kernel without CAN is fine)
		 * and an interface look-up */
		(void)socket(AF_CAN, SOCK_DGRAM, 6);
		(void)if_nametoindex("lo");
		return 0;
	}
	if (strcmp(req->iface, "ident-lo") == 0) {
		/* the real bus layer's first steps (interface checks, MTU, sockets) inside the
		 * sandbox: on a non-CAN interface they must refuse it, not be killed */
		struct ident_config cfg;
		struct ident *id = NULL;
		int rr;

		ident_config_init(&cfg);
		rr = ident_read("lo", &cfg, &id);
		ident_free(id);
		id = NULL;
		cfg.fd = true;
		rr = rr == -EPROTOTYPE ? ident_read("lo", &cfg, &id) : -1000;
		ident_free(id);
		return rr == -EPROTOTYPE ? 0 : 5;
	}
	if (strcmp(req->iface, "qsort0") == 0) {
		/* glibc's qsort of a larger array asks for the machine's memory (sysinfo) */
		static int v[100000];

		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			v[i] = (int)((i * 7919) % 100003);
		qsort(v, sizeof(v) / sizeof(v[0]), sizeof(v[0]), cmp_int);
		return v[0] <= v[1] ? 0 : 6;
	}
	if (strcmp(req->iface, "time0") == 0) {
		char buf[64];
		time_t t = time(NULL);
		struct tm tm;

		(void)strftime(buf, sizeof(buf), "%d.%m.%Y %H:%M %Z", localtime_r(&t, &tm));
		return 0;
	}
	return 4;
}

static void run_one(const char *iface, size_t max, struct outcome *o, bool kill_it)
{
	struct check_request req = { .size = sizeof(req) };
	struct checker_params p = { .run = child_run, .max_reply = max };

	memset(o, 0, sizeof(*o));
	assert_int_equal(loop_new(&o->l), 0);
	snprintf(req.iface, sizeof(req.iface), "%s", iface);
	assert_int_equal(checker_start(o->l, &req, &p, &ops, o, &o->c), 0);
	if (kill_it)
		checker_kill(o->c);
	assert_int_equal(loop_run(o->l), 0);
	assert_true(o->done);
	loop_free(o->l);
}

static void test_large_report_whole(void **state)
{
	struct outcome o;

	(void)state;
	/* 1,000 open campaigns: several MiB, far beyond one pipe buffer and the old 1 MiB line */
	run_one("big1000", 256u << 20, &o, false);
	assert_int_equal(o.res.error[0], 0);
	assert_true(WIFEXITED(o.res.wstatus) && WEXITSTATUS(o.res.wstatus) == 0);
	assert_non_null(o.res.report);
	assert_int_equal(o.res.report->n_campaigns, 1000);
	assert_string_equal(o.res.report->campaigns[999].id, "C000999");
	assert_int_equal(o.progress, 1);
	recall_report_free(o.res.report);
	recall_report_free(o.res.progress);
}

static const struct bad_case {
	const char *iface;
	size_t max;
	bool kill_it;
	const char *error_part;		/* NULL: no protocol error expected */
	int signal;			/* the child's end: 0 exited, -1 either (a race) */
	bool report;
} bad_cases[] = {
	/* more than a pipe buffer: the child is still writing when it is killed */
	{ "big100", 4096, false, "more than the 4096 allowed", SIGKILL, false },
	{ "garbage0", 1 << 20, false, "broke the reply protocol", SIGKILL, false },
	/* killed for the second report, unless it exited first */
	{ "twice0", 1 << 20, false, "broke the reply protocol", -1, true },
	{ "crash0", 1 << 20, false, NULL, SIGABRT, false },
	{ "hang0", 1 << 20, true, NULL, SIGKILL, false },
};

static void test_bad_children(void **state)
{
	(void)state;
	signal(SIGABRT, SIG_DFL);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct outcome o;

		run_one(c->iface, c->max, &o, c->kill_it);
		if (c->error_part ? !strstr(o.res.error, c->error_part) : o.res.error[0] != 0)
			fail_msg("%s: error '%s'", c->iface, o.res.error);
		if (c->signal > 0) {
			if (!WIFSIGNALED(o.res.wstatus) || WTERMSIG(o.res.wstatus) != c->signal)
				fail_msg("%s: status 0x%x", c->iface, o.res.wstatus);
		} else if (c->signal == 0) {
			assert_true(WIFEXITED(o.res.wstatus));
		}
		assert_int_equal(o.res.report != NULL, c->report);
		assert_int_equal(o.res.killed, c->kill_it);
		recall_report_free(o.res.report);
		recall_report_free(o.res.progress);
	}
}

/* Anything a read does not need kills the check child (seccomp); what it needs works. */
static const struct sandbox_case {
	const char *iface;
	int signal;		/* 0: exits 0 */
} sandbox_cases[] = {
	{ "open0", SIGSYS },	{ "exec0", SIGSYS },	{ "inet0", SIGSYS },
	{ "connect0", SIGSYS }, { "sendto0", SIGSYS },	{ "killppid0", SIGSYS },
	{ "ptrace0", SIGSYS },	{ "wx0", SIGSYS },	{ "setuid0", SIGSYS },
	{ "can0", 0 },		{ "time0", 0 },		{ "ident-lo", 0 },
	{ "qsort0", 0 },
};

static void test_sandbox_kills(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sandbox_cases) / sizeof(sandbox_cases[0]); i++) {
		const struct sandbox_case *c = &sandbox_cases[i];
		struct outcome o;

		run_one(c->iface, 1 << 20, &o, false);
		if (c->signal && !(WIFSIGNALED(o.res.wstatus) &&
				   WTERMSIG(o.res.wstatus) == c->signal))
			fail_msg("%s: status 0x%x, want signal %d", c->iface, o.res.wstatus,
				 c->signal);
		if (!c->signal && !(WIFEXITED(o.res.wstatus) && WEXITSTATUS(o.res.wstatus) == 0))
			fail_msg("%s: status 0x%x, want exit 0", c->iface, o.res.wstatus);
	}
}

/* The child's credentials as the kernel shows them: no capability in any set, no_new_privs,
 * seccomp filter mode — whatever the daemon had (the tests run as root). */
static void test_child_credentials(void **state)
{
	struct check_request req = { .size = sizeof(req), .iface = "hang0" };
	struct checker_params p = { .run = child_run, .max_reply = 1 << 20 };
	static const char *const want[] = {
		"CapInh:\t0000000000000000", "CapPrm:\t0000000000000000",
		"CapEff:\t0000000000000000", "CapAmb:\t0000000000000000",
		"NoNewPrivs:\t1", "Seccomp:\t2",
	};
	struct outcome o = { 0 };
	char path[64], buf[4096];
	bool ready = false;
	FILE *f;

	(void)state;
	assert_int_equal(loop_new(&o.l), 0);
	assert_int_equal(checker_start(o.l, &req, &p, &ops, &o, &o.c), 0);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)checker_pid(o.c));
	/* until the child has installed its filter (bounded: it is the first thing it does) */
	for (int tries = 0; tries < 6000 && !ready; tries++) {
		size_t n;

		f = fopen(path, "r");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		ready = strstr(buf, "Seccomp:\t2") != NULL;
		if (!ready)
			usleep(10000);
	}
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(buf, want[i]))
			fail_msg("child status lacks '%s':\n%s", want[i], buf);
	checker_kill(o.c);
	assert_int_equal(loop_run(o.l), 0);
	loop_free(o.l);
}

/* The typed request carries the configuration's check settings and nothing else. */
static void test_request_from_config(void **state)
{
	struct recalld_config cfg;
	struct check_request req;

	(void)state;
	config_init_defaults(&cfg);
	cfg.check_timeout_ms = 60000;
	cfg.request_timeout_ms = 300;
	report_set_str(&cfg.addressing, "bmw obd11");
	recalld_make_request(&cfg, "vcan3", &req);
	assert_int_equal(req.size, sizeof(req));
	assert_string_equal(req.iface, "vcan3");
	assert_string_equal(req.addressing, "bmw obd11");
	assert_int_equal(req.request_timeout_ms, 300);
	assert_int_equal(req.deadline_ms, 55000);	/* a quarter, at most 5 s, before the kill */
	assert_int_equal(req.flags & RECALL_CHECK_CAN_FD, 0);
	assert_int_equal(req.answer_ms, 0);
	assert_int_equal(req.parallel, IDENT_PARALLEL_DEFAULT);
	assert_int_equal(req.quiet_ms, IDENT_QUIET_MS_DEFAULT);
	assert_int_equal(req.flags & RECALL_CHECK_FULL_WINDOW, 0);
	cfg.check_timeout_ms = 8000;
	recalld_make_request(&cfg, "vcan3", &req);
	assert_int_equal(req.deadline_ms, 6000);
	/* the read plan's config part: the first-answer window and CAN FD */
	cfg.answer_window_ms = 350;
	cfg.can_fd = true;
	cfg.parallel = 1;
	recalld_make_request(&cfg, "vcan3", &req);
	assert_int_equal(req.answer_ms, 350);
	assert_int_equal(req.parallel, 1);
	/* discovery_quiet = 0: the whole window */
	cfg.discovery_quiet_ms = 0;
	recalld_make_request(&cfg, "vcan3", &req);
	assert_true(req.flags & RECALL_CHECK_FULL_WINDOW);
	assert_true(req.flags & RECALL_CHECK_CAN_FD);
	assert_true(req.flags & RECALL_CHECK_CAN_FD);
	config_done(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decoder),
		cmocka_unit_test(test_large_report_whole),
		cmocka_unit_test(test_bad_children),
		cmocka_unit_test(test_request_from_config),
		cmocka_unit_test(test_sandbox_kills),
		cmocka_unit_test(test_child_credentials),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
