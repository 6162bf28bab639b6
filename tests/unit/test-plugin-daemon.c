/* The real recalld event loop, driven over its control socket without a CAN bus: bays are named
 * statically and the check child is a test function that answers, crashes or hangs, so the loop's
 * behaviour (replies, events, reports, reload, misbehaving clients) is asserted row by row.  Waits
 * are bounded by a generous limit that only stops a hung test; nothing asserts on time. */
#include <errno.h>
#include <dirent.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <syslog.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "plugin/daemon/daemon.h"
#include "plugin/history.h"
#include "plugin/recall-internal.h"

#define HANG_LIMIT_MS 60000

static char dir[64], sock_path[128], db_path[128], report_dir[128], history_path[128];
static char log_path[128];
static pid_t daemon_pid;
/* for the systemd rows: the notify socket's path and the watchdog period given to the daemon */
static const char *notify_env;
static const char *watchdog_env;
/* for the idle-client row: few slots, a short idle timeout */
static unsigned int max_clients_cfg, idle_ms_cfg;
/* for the retention row: report files of another age in the directory before the start */
static bool old_reports;
static void make_old_reports(void);
static unsigned int log_lines(const char *part);

/* ---- the fake database and check ---------------------------------------------------------- */

static int fake_db_open(void *u, const char *path, void **ret_db, char **ret_error)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	(void)u;
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f) || strncmp(buf, "GOOD", 4) != 0) {
		fclose(f);
		(void)!asprintf(ret_error, "%s: not a database", path);
		return -EBADMSG;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	*ret_db = strdup(buf);
	return 0;
}

static void fake_db_free(void *u, void *db)
{
	(void)u;
	free(db);
}

static char *fake_db_describe(void *u, void *db)
{
	(void)u;
	return strdup(db);
}

static int fake_check(void *u, void *db, const struct check_request *req, struct check_reply *out)
{
	const char *iface = req->iface;
	struct recall_report *r = report_new();
	struct recall_ecu *e;

	(void)u;
	report_set_str(&r->vin, "WBY1Z41060V512345");
	report_set_str(&r->database, db);
	report_add_ecu(r, 0x61, "TCB", &e);
	report_add_did(e, 0xF189, "11.0.2", 6);
	r->status = RECALL_STATUS_INTERRUPTED;
	check_reply_send(out, CHECK_MSG_PROGRESS, r);
	if (strcmp(iface, "crash0") == 0) {
		signal(SIGABRT, SIG_DFL);
		raise(SIGABRT);
	}
	if (strcmp(iface, "slow0") == 0)
		for (;;)
			pause();
	r->status = RECALL_STATUS_COMPLETE;
	if (strstr(db, "fixed")) {
		/* the database says the fix is in: the history sees open -> remedied */
		struct recall_fact f;

		report_fact_init(&f, "did_cmp");
		report_fact_add(&f, "part", RECALL_PARAM_STRING, "remedied");
		report_fact_add(&f, "result", RECALL_PARAM_STRING, "true");
		report_fact_add(&f, "ecu", RECALL_PARAM_STRING, "0x61");
		report_fact_add(&f, "did", RECALL_PARAM_STRING, "F189");
		report_fact_add(&f, "value", RECALL_PARAM_STRING, "15.2.0");
		report_fact_add(&f, "op", RECALL_PARAM_STRING, ">=");
		report_fact_add(&f, "wanted", RECALL_PARAM_STRING, "15.2.0");
		report_add_campaign(r, &(struct campaign_in){
			.id = "0061950600", .title = "ConnectedDrive", .text = "Text",
			.verdict = RECALL_VERDICT_REMEDIED, .reason_code = "remedied",
			.evidence = "0x61:F189 \"15.2.0\" >= \"15.2.0\"", .facts = &f,
			.n_facts = 1 });
		report_fact_done(&f);
	} else {
		report_add_campaign(r, &(struct campaign_in){
			.id = "0061950600", .title = "ConnectedDrive", .text = "Text",
			.verdict = RECALL_VERDICT_OPEN });
	}
	check_reply_send(out, CHECK_MSG_REPORT, r);
	recall_report_free(r);
	return 0;
}

static const struct recalld_ops ops = {
	.db_open = fake_db_open,
	.db_free = fake_db_free,
	.db_describe = fake_db_describe,
	.check = fake_check,
};

static void write_db(const char *content)
{
	FILE *f = fopen(db_path, "w");

	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

/* ---- a client ----------------------------------------------------------------------------- */

struct cl {
	int fd;
	char buf[1 << 16];
	size_t len;
};

static void cl_open(struct cl *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	c->len = 0;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c->fd >= 0);
	strcpy(sa.sun_path, sock_path);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

static void cl_send(struct cl *c, const char *s)
{
	assert_int_equal(write(c->fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Next line as JSON (NULL on EOF). */
static struct json_object *cl_recv(struct cl *c)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t n;

		if (nl) {
			struct json_object *o;

			*nl = 0;
			o = json_tokener_parse(c->buf);
			assert_non_null(o);
			c->len -= (size_t)(nl - c->buf) + 1;
			memmove(c->buf, nl + 1, c->len);
			return o;
		}
		if (poll(&p, 1, HANG_LIMIT_MS) != 1)
			fail_msg("no answer from the daemon");
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len - 1);
		if (n <= 0)
			return NULL;
		c->len += (size_t)n;
	}
}

static const char *jget(struct json_object *o, const char *path)
{
	char key[64], *dot;
	struct json_object *v = o;
	const char *p = path;

	while (*p) {
		size_t n = strcspn(p, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		dot = key;
		if (json_object_is_type(v, json_type_array)) {
			size_t idx = strtoul(key, NULL, 10);

			if (idx >= json_object_array_length(v))
				return NULL;
			v = json_object_array_get_idx(v, idx);
		} else if (!json_object_object_get_ex(v, dot, &v)) {
			return NULL;
		}
		p += n + (p[n] == '.');
	}
	return json_object_get_string(v);
}

/* Skip events until one whose "event" is ev (and iface, if given). */
static struct json_object *cl_wait_event(struct cl *c, const char *ev, const char *iface)
{
	for (;;) {
		struct json_object *o = cl_recv(c);
		const char *e, *i;

		assert_non_null(o);
		e = jget(o, "event");
		i = jget(o, "iface");
		if (e && strcmp(e, ev) == 0 && (!iface || (i && strcmp(i, iface) == 0)))
			return o;
		json_object_put(o);
	}
}

/* ---- fixture ------------------------------------------------------------------------------ */

static int setup(void **state)
{
	struct recalld_config cfg;
	struct recalld *d;
	int pfd[2];
	char ok;

	(void)state;
	strcpy(dir, "/tmp/test-plugin-daemon-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock_path, sizeof(sock_path), "%s/control.sock", dir);
	snprintf(db_path, sizeof(db_path), "%s/recalls.rdb", dir);
	snprintf(report_dir, sizeof(report_dir), "%s/reports", dir);
	snprintf(history_path, sizeof(history_path), "%s/history.db", dir);
	snprintf(log_path, sizeof(log_path), "%s/daemon.log", dir);
	assert_int_equal(mkdir(report_dir, 0755), 0);
	if (old_reports)
		make_old_reports();
	write_db("GOOD one\n");
	assert_int_equal(pipe(pfd), 0);
	daemon_pid = fork();
	assert_true(daemon_pid >= 0);
	if (daemon_pid == 0) {
		/* the daemon's log lines, for the rows that count them */
		if (!freopen(log_path, "w", stderr))
			_exit(1);
		setvbuf(stderr, NULL, _IONBF, 0);
		openlog("test-recalld", LOG_PERROR, LOG_DAEMON);
		if (notify_env)
			setenv("NOTIFY_SOCKET", notify_env, 1);
		if (watchdog_env)
			setenv("WATCHDOG_USEC", watchdog_env, 1);
		config_init_defaults(&cfg);
		report_set_str(&cfg.database, db_path);
		report_set_str(&cfg.report_dir, report_dir);
		report_set_str(&cfg.socket_path, sock_path);
		report_set_str(&cfg.history, history_path);
		cfg.bay_sections[0].glob = strdup("ok0");
		cfg.bay_sections[0].name = strdup("Bühne 1");
		cfg.n_bay_sections = 1;
		cfg.on_appear = cfg.on_traffic = false;
		cfg.check_timeout_ms = 1000;
		cfg.max_request = 256;
		cfg.max_output = 8192;
		if (max_clients_cfg)
			cfg.max_clients = max_clients_cfg;
		if (idle_ms_cfg)
			cfg.idle_timeout_ms = idle_ms_cfg;
		if (recalld_new(&cfg, NULL, &ops, NULL, RECALLD_STATIC_BAYS | RECALLD_LOG_STDERR,
				&d) < 0)
			_exit(1);
		recalld_add_static_bay(d, "ok0");
		recalld_add_static_bay(d, "crash0");
		recalld_add_static_bay(d, "slow0");
		/* the kernel allows control bytes in names: ESC [ 2 J clears a terminal */
		recalld_add_static_bay(d, "esc\x1b[2J0");
		ok = 1;
		(void)!write(pfd[1], &ok, 1);
		recalld_run(d);
		recalld_free(d);
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &ok, 1), 1);
	close(pfd[0]);
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];
	int st;

	(void)state;
	if (daemon_pid > 0) {	/* a row may have stopped it itself */
		kill(daemon_pid, SIGTERM);
		assert_int_equal(waitpid(daemon_pid, &st, 0), daemon_pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	/* the socket is removed on a clean stop */
	assert_int_equal(access(sock_path, F_OK), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_check_report_and_events(void **state)
{
	struct cl a, b;
	struct json_object *o;
	unsigned int files = 0;
	struct dirent *de;
	DIR *dd;

	(void)state;
	cl_open(&a);
	cl_open(&b);
	cl_send(&b, "{\"cmd\":\"subscribe\"}\n");
	o = cl_recv(&b);
	assert_string_equal(jget(o, "ok"), "true");
	json_object_put(o);

	/* two requests in one write: the second surely meets the running check */
	cl_send(&a, "{\"cmd\":\"check\",\"iface\":\"ok0\",\"id\":1}\n"
		    "{\"cmd\":\"check\",\"iface\":\"ok0\",\"id\":2}\n");
	o = cl_recv(&a);
	assert_string_equal(jget(o, "ok"), "true");
	assert_string_equal(jget(o, "id"), "1");
	json_object_put(o);
	o = cl_recv(&a);
	assert_string_equal(jget(o, "ok"), "false");
	assert_string_equal(jget(o, "id"), "2");
	assert_non_null(strstr(jget(o, "error"), "already running"));
	json_object_put(o);

	o = cl_wait_event(&b, "check-started", "ok0");
	assert_string_equal(jget(o, "trigger"), "request");
	json_object_put(o);
	o = cl_wait_event(&b, "check-finished", "ok0");
	assert_string_equal(jget(o, "report.status"), "complete");
	assert_string_equal(jget(o, "report.vin"), "WBY1Z41060V512345");
	assert_string_equal(jget(o, "report.summary.open"), "1");
	assert_string_equal(jget(o, "report.database.description"), "GOOD one");
	json_object_put(o);

	cl_send(&a, "{\"cmd\":\"last\",\"iface\":\"ok0\"}\n");
	o = cl_recv(&a);
	assert_string_equal(jget(o, "report.campaigns"),
			    "[ { \"id\": \"0061950600\", \"title\": \"ConnectedDrive\", \"text\": "
			    "\"Text\", \"verdict\": \"open\", \"reason\": null, \"remedy\": null, "
			    "\"remedy_kind\": null, \"recognition\": null, \"recognition_text\": null, "
			    "\"hotline\": null, \"evidence\": null, \"make\": null, \"kba\": null, "
			    "\"nhtsa\": null, \"cost\": null, \"labour\": null, \"start\": null, "
			    "\"extends\": null, \"supersedes\": null, \"do_not_drive\": false, "
			    "\"park_outside\": false, \"reason_code\": null, \"reason_facts\": [ ] } ]");
	assert_string_equal(jget(o, "report.bay_name"), "Bühne 1");
	assert_string_equal(jget(o, "report.history.state"), "recorded");
	json_object_put(o);
	cl_send(&a, "{\"cmd\":\"last\",\"iface\":\"slow0\"}\n");
	o = cl_recv(&a);
	assert_string_equal(jget(o, "ok"), "false");
	json_object_put(o);

	dd = opendir(report_dir);
	while ((de = readdir(dd)))
		if (strncmp(de->d_name, "ok0-", 4) == 0)
			files++;
	closedir(dd);
	assert_int_equal(files, 3);	/* .json, .txt and .html */
	close(a.fd);
	close(b.fd);
}

static const struct end_case {
	const char *iface;
	const char *status;
	const char *error_part;
} end_cases[] = {
	{ "crash0", "interrupted", "died (signal 6)" },
	{ "slow0", "interrupted", "did not finish within 1000 ms" },
};

static void test_crash_and_hang(void **state)
{
	struct cl b;
	size_t i;

	(void)state;
	cl_open(&b);
	cl_send(&b, "{\"cmd\":\"subscribe\"}\n");
	json_object_put(cl_recv(&b));
	for (i = 0; i < sizeof(end_cases) / sizeof(end_cases[0]); i++) {
		char req[128];
		struct json_object *o;

		snprintf(req, sizeof(req), "{\"cmd\":\"check\",\"iface\":\"%s\"}\n",
			 end_cases[i].iface);
		cl_send(&b, req);
		o = cl_wait_event(&b, "check-finished", end_cases[i].iface);
		assert_string_equal(jget(o, "report.status"), end_cases[i].status);
		assert_non_null(strstr(jget(o, "report.error"), end_cases[i].error_part));
		/* what the child had read before it died is kept */
		assert_string_equal(jget(o, "report.vin"), "WBY1Z41060V512345");
		json_object_put(o);
	}
	close(b.fd);
}

static const struct bad_req {
	const char *line;
	const char *error_part;
} bad_reqs[] = {
	{ "hello\n", "malformed JSON" },
	{ "{\"cmd\":\"fly\"}\n", "unknown command" },
	{ "{\"cmd\":\"check\",\"iface\":\"nosuch0\"}\n", "not a bay" },
	{ "{\"cmd\":\"status\",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n", "longer than 256 bytes" },
};

static void test_bad_requests_do_not_disturb(void **state)
{
	struct cl a, other;
	size_t i;

	(void)state;
	cl_open(&a);
	cl_open(&other);
	for (i = 0; i < sizeof(bad_reqs) / sizeof(bad_reqs[0]); i++) {
		struct json_object *o;

		cl_send(&a, bad_reqs[i].line);
		o = cl_recv(&a);
		assert_string_equal(jget(o, "ok"), "false");
		if (!strstr(jget(o, "error"), bad_reqs[i].error_part))
			fail_msg("row %zu: error '%s'", i, jget(o, "error"));
		json_object_put(o);
		/* the same connection and another one still work */
		cl_send(&a, "{\"cmd\":\"status\"}\n");
		o = cl_recv(&a);
		assert_string_equal(jget(o, "ok"), "true");
		json_object_put(o);
		cl_send(&other, "{\"cmd\":\"status\"}\n");
		o = cl_recv(&other);
		assert_non_null(strstr(jget(o, "bays"), "\"iface\": \"slow0\""));
		assert_string_equal(jget(o, "ok"), "true");
		json_object_put(o);
	}
	close(a.fd);
	close(other.fd);
}

/* A client that sends requests but never reads replies is dropped; others are served. */
static void test_slow_reader_dropped(void **state)
{
	struct cl slow, a;
	struct json_object *o;
	static char burst[64 * 1024];
	size_t off = 0;
	ssize_t n;

	(void)state;
	cl_open(&slow);
	cl_open(&a);
	while (off + 20 < sizeof(burst)) {
		memcpy(burst + off, "{\"cmd\":\"status\"}\n", 17);
		off += 17;
	}
	/* Replies (~300 bytes each) exceed the socket buffer plus max_output long before the
	 * requests run out. */
	for (int round = 0; round < 16; round++) {
		n = send(slow.fd, burst, off, MSG_NOSIGNAL);
		if (n < 0)
			break;
	}
	cl_send(&a, "{\"cmd\":\"status\"}\n");
	o = cl_recv(&a);
	assert_string_equal(jget(o, "ok"), "true");
	json_object_put(o);
	/* the slow client's stream ends: read until EOF or reset */
	for (;;) {
		struct pollfd p = { .fd = slow.fd, .events = POLLIN };
		char buf[65536];

		assert_int_equal(poll(&p, 1, HANG_LIMIT_MS), 1);
		n = read(slow.fd, buf, sizeof(buf));
		if (n <= 0)
			break;
	}
	close(slow.fd);
	close(a.fd);
}

static void test_reload(void **state)
{
	struct cl a;
	struct json_object *o;

	(void)state;
	cl_open(&a);
	write_db("garbage\n");
	cl_send(&a, "{\"cmd\":\"reload\"}\n");
	o = cl_recv(&a);
	assert_string_equal(jget(o, "ok"), "false");
	assert_non_null(strstr(jget(o, "error"), "not a database"));
	json_object_put(o);
	cl_send(&a, "{\"cmd\":\"status\"}\n");
	o = cl_recv(&a);
	assert_string_equal(jget(o, "database"), "GOOD one");
	json_object_put(o);

	write_db("GOOD two\n");
	cl_send(&a, "{\"cmd\":\"reload\"}\n");
	o = cl_recv(&a);
	assert_string_equal(jget(o, "ok"), "true");
	assert_string_equal(jget(o, "database"), "GOOD two");
	json_object_put(o);
	/* SIGHUP does the same */
	write_db("GOOD three\n");
	cl_send(&a, "{\"cmd\":\"subscribe\"}\n");
	json_object_put(cl_recv(&a));
	kill(daemon_pid, SIGHUP);
	o = cl_wait_event(&a, "reload", NULL);
	assert_string_equal(jget(o, "ok"), "true");
	assert_string_equal(jget(o, "database"), "GOOD three");
	json_object_put(o);
	close(a.fd);
}

/* A check request's order and plate reach the report; every check is in the history, the
 * second one knows the first, and the history says what changed and by what evidence. */
static void test_history(void **state)
{
	struct cl a, b;
	struct json_object *o, *h;
	char *text;
	const char *first;

	(void)state;
	cl_open(&a);
	cl_open(&b);
	cl_send(&b, "{\"cmd\":\"subscribe\"}\n");
	json_object_put(cl_recv(&b));
	/* bounded like any request: an order that is no line is refused */
	cl_send(&a, "{\"cmd\":\"check\",\"iface\":\"ok0\",\"order\":\"a\\nb\"}\n");
	o = cl_recv(&a);
	assert_string_equal(jget(o, "ok"), "false");
	json_object_put(o);
	cl_send(&a, "{\"cmd\":\"check\",\"iface\":\"ok0\",\"order\":\"4711\","
		    "\"plate\":\"M-AB 123\"}\n");
	json_object_put(cl_recv(&a));
	o = cl_wait_event(&b, "check-finished", "ok0");
	assert_string_equal(jget(o, "report.order"), "4711");
	assert_string_equal(jget(o, "report.plate"), "M-AB 123");
	assert_string_equal(jget(o, "report.history.state"), "recorded");
	assert_null(jget(o, "report.history.previous"));
	first = jget(o, "report.history.id");
	assert_string_equal(first, "1");
	json_object_put(o);

	write_db("GOOD fixed\n");
	cl_send(&a, "{\"cmd\":\"reload\"}\n");
	json_object_put(cl_recv(&a));
	cl_send(&a, "{\"cmd\":\"check\",\"iface\":\"ok0\"}\n");
	json_object_put(cl_recv(&a));
	o = cl_wait_event(&b, "check-finished", "ok0");
	assert_string_equal(jget(o, "report.history.id"), "2");
	assert_string_equal(jget(o, "report.history.previous.id"), "1");
	assert_string_equal(jget(o, "report.history.previous.order"), "4711");
	assert_string_equal(jget(o, "report.history.previous.summary.open"), "1");
	/* the second check had no order: the first one's does not stick to the bay */
	assert_null(jget(o, "report.order"));
	json_object_put(o);

	cl_send(&a, "{\"cmd\":\"history\",\"vin\":\"wby1z41060v512345\",\"id\":9}\n");
	h = cl_recv(&a);
	assert_string_equal(jget(h, "ok"), "true");
	assert_string_equal(jget(h, "id"), "9");
	assert_string_equal(jget(h, "total"), "2");
	assert_string_equal(jget(h, "checks.0.id"), "2");
	assert_string_equal(jget(h, "checks.1.id"), "1");
	assert_string_equal(jget(h, "checks.1.order"), "4711");
	assert_string_equal(jget(h, "checks.1.plate"), "M-AB 123");
	assert_string_equal(jget(h, "checks.1.bay_name"), "Bühne 1");
	assert_string_equal(jget(h, "checks.1.changes"), "[ ]");
	assert_string_equal(jget(h, "checks.0.changes.0.campaign"), "0061950600");
	assert_string_equal(jget(h, "checks.0.changes.0.from"), "open");
	assert_string_equal(jget(h, "checks.0.changes.0.to"), "remedied");
	assert_string_equal(jget(h, "checks.0.changes.0.reason_facts.0.value"), "15.2.0");
	assert_string_equal(jget(h, "checks.0.campaigns.0.evidence"),
			    "0x61:F189 \"15.2.0\" >= \"15.2.0\"");
	assert_int_equal(history_render_text(h, NULL, &text), 0);
	assert_non_null(strstr(text, "Verlauf der FIN WBY1Z41060V512345 (2 Prüfungen erfasst)\n"));
	assert_non_null(strstr(text, "· Bühne 1 (ok0) · Auftrag 4711 · Kennzeichen M-AB 123 · "
				     "vollständig\n    1 offen · 0 zu prüfen"));
	assert_non_null(strstr(text, "    geändert seit der vorigen Prüfung:\n      0061950600 – "
				     "ConnectedDrive: offen → erledigt\n        Nachweis: Steuergerät "
				     "0x61, F189 Softwareversion: gelesen „15.2.0“, verlangt ≥ "
				     "„15.2.0“ — trifft zu\n"));
	assert_non_null(strstr(text, "    erste Prüfung dieses Fahrzeugs\n"));
	free(text);
	assert_int_equal(history_render_text(h, "en", &text), 0);
	assert_non_null(strstr(text, "ConnectedDrive: open → remedied\n"));
	free(text);
	json_object_put(h);

	/* the newest only: its changes still come from the check before it */
	cl_send(&a, "{\"cmd\":\"history\",\"vin\":\"WBY1Z41060V512345\",\"limit\":1}\n");
	h = cl_recv(&a);
	assert_string_equal(jget(h, "checks.0.changes.0.to"), "remedied");
	assert_null(jget(h, "checks.1"));
	json_object_put(h);
	cl_send(&a, "{\"cmd\":\"history\",\"vin\":\"WBA8E51060K734560\"}\n");
	h = cl_recv(&a);
	assert_string_equal(jget(h, "ok"), "true");
	assert_string_equal(jget(h, "checks"), "[ ]");
	assert_string_equal(jget(h, "total"), "0");
	json_object_put(h);
	close(a.fd);
	close(b.fd);
}

/* ---- hostile surroundings ---------------------------------------------------------------- */

/* An interface name with control bytes is printed escaped everywhere: events, reports, log lines
 * and the report files' names (which it used to enter raw). */
static void test_ifname_escaped(void **state)
{
	struct cl a;
	struct json_object *o;
	struct dirent *de;
	unsigned int files = 0;
	char line[1024];
	FILE *f;
	DIR *dd;

	(void)state;
	cl_open(&a);
	cl_send(&a, "{\"cmd\":\"subscribe\"}\n");
	json_object_put(cl_recv(&a));
	/* the status lists it by its printed name, and a request uses that name */
	cl_send(&a, "{\"cmd\":\"status\"}\n");
	o = cl_recv(&a);
	assert_non_null(strstr(jget(o, "bays"), "esc\\\\x1b[2J0"));
	json_object_put(o);
	cl_send(&a, "{\"cmd\":\"check\",\"iface\":\"esc\\\\x1b[2J0\"}\n");
	o = cl_wait_event(&a, "check-finished", "esc\\x1b[2J0");
	assert_string_equal(jget(o, "report.iface"), "esc\\x1b[2J0");
	assert_non_null(strstr(jget(o, "file"), "esc%5Cx1b%5B2J0-"));
	json_object_put(o);
	dd = opendir(report_dir);
	while ((de = readdir(dd))) {
		for (const char *c = de->d_name; *c; c++)
			if ((unsigned char)*c < ' ' || *c == '\\')
				fail_msg("report file name with a raw byte: %s", de->d_name);
		files += strncmp(de->d_name, "esc%5Cx1b%5B2J0-", 16) == 0;
	}
	closedir(dd);
	/* .txt, .html (html = yes, the default) and .json */
	assert_int_equal(files, 3);
	/* and the log: no raw ESC anywhere */
	f = fopen(log_path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		assert_null(strchr(line, '\x1b'));
	fclose(f);
	close(a.fd);
}

/* Something that is not a socket at the socket path is someone's file: never deleted. */
static void test_socket_path_not_a_socket(void **state)
{
	char tmp[64], path[128], buf[32] = "";
	struct recalld_config cfg;
	struct recalld *d;
	FILE *f;
	pid_t pid;
	int st;

	(void)state;
	strcpy(tmp, "/tmp/test-plugin-sockpath-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/control.sock", tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("precious\n", f);
	fclose(f);
	snprintf(db_path, sizeof(db_path), "%s/recalls.rdb", tmp);
	write_db("GOOD x\n");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		config_init_defaults(&cfg);
		report_set_str(&cfg.database, db_path);
		report_set_str(&cfg.report_dir, tmp);
		report_set_str(&cfg.socket_path, path);
		_exit(recalld_new(&cfg, NULL, &ops, NULL, RECALLD_STATIC_BAYS, &d) == -EEXIST ? 0
											      : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "precious\n");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(unlink(db_path), 0);
	assert_int_equal(rmdir(tmp), 0);
}

/* Idle connections cannot hold every slot for ever: a client that neither subscribes nor sends a
 * request is dropped after idle_timeout; subscribers stay.  (32 idle clients used to lock
 * everyone out.) */
static int setup_idle(void **state)
{
	max_clients_cfg = 3;
	idle_ms_cfg = 300;
	return setup(state);
}

static int teardown_idle(void **state)
{
	max_clients_cfg = idle_ms_cfg = 0;
	return teardown(state);
}

static void wait_eof(struct cl *c)
{
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		char buf[256];

		if (poll(&p, 1, HANG_LIMIT_MS) != 1)
			fail_msg("an idle client was never dropped");
		if (read(c->fd, buf, sizeof(buf)) <= 0)
			return;
	}
}

static void test_idle_clients_dropped(void **state)
{
	struct cl sub, idle1, idle2, late;
	struct json_object *o;

	(void)state;
	cl_open(&sub);
	cl_send(&sub, "{\"cmd\":\"subscribe\"}\n");
	json_object_put(cl_recv(&sub));
	cl_open(&idle1);
	cl_open(&idle2);
	/* every slot taken: the next one is turned away ... */
	cl_open(&late);
	o = cl_recv(&late);
	assert_string_equal(jget(o, "error"), "too many clients");
	json_object_put(o);
	close(late.fd);
	/* ... until the idle ones are dropped */
	wait_eof(&idle1);
	wait_eof(&idle2);
	cl_open(&late);
	cl_send(&late, "{\"cmd\":\"status\"}\n");
	o = cl_recv(&late);
	assert_string_equal(jget(o, "ok"), "true");
	json_object_put(o);
	/* the subscriber was not idle: it still gets events */
	cl_send(&late, "{\"cmd\":\"check\",\"iface\":\"ok0\"}\n");
	json_object_put(cl_wait_event(&sub, "check-finished", "ok0"));
	close(idle1.fd);
	close(idle2.fd);
	close(late.fd);
	close(sub.fd);
}

/* ---- nothing lost -------------------------------------------------------------------------- */

static unsigned int status_spool(struct cl *c)
{
	struct json_object *o;
	unsigned int n;

	cl_send(c, "{\"cmd\":\"status\",\"id\":99}\n");
	for (;;) {
		o = cl_recv(c);
		if (jget(o, "id"))
			break;
		json_object_put(o);
	}
	n = (unsigned int)atoi(jget(o, "spool.reports"));
	json_object_put(o);
	return n;
}

/* The report directory is gone (a file in its place): the report is kept in memory, the event
 * and status say so, the failure is logged at error level; once the directory is back, the
 * retry writes it, in full.  Before, the files were simply not written and the check was
 * "complete" with "file": null. */
static void test_unwritable_report_spooled(void **state)
{
	struct cl a;
	struct json_object *o;
	char path[512];
	FILE *f;

	(void)state;
	cl_open(&a);
	cl_send(&a, "{\"cmd\":\"subscribe\"}\n");
	json_object_put(cl_recv(&a));
	assert_int_equal(rmdir(report_dir), 0);
	f = fopen(report_dir, "w");
	assert_non_null(f);
	fclose(f);
	cl_send(&a, "{\"cmd\":\"check\",\"iface\":\"ok0\"}\n");
	o = cl_wait_event(&a, "check-finished", "ok0");
	assert_string_equal(jget(o, "saved"), "false");
	assert_string_equal(jget(o, "spooled"), "true");
	assert_string_equal(jget(o, "save_error"), "Not a directory");
	assert_null(jget(o, "file"));
	assert_string_equal(jget(o, "report.summary.open"), "1");
	json_object_put(o);
	assert_int_equal(status_spool(&a), 1);
	assert_int_equal(log_lines("cannot write report ok0-"), 1);
	assert_int_equal(log_lines("kept in memory (1 waiting), retried"), 1);
	/* the directory is back: the retry writes the report */
	assert_int_equal(unlink(report_dir), 0);
	assert_int_equal(mkdir(report_dir, 0755), 0);
	for (int i = 0; status_spool(&a) != 0; i++) {
		if (i > HANG_LIMIT_MS / 100)
			fail_msg("the spooled report was never written");
		usleep(100000);
	}
	assert_int_equal(log_lines("written after all (0 more in memory)"), 1);
	{
		DIR *dd = opendir(report_dir);
		struct dirent *de;
		unsigned int n = 0;

		assert_non_null(dd);
		while ((de = readdir(dd))) {
			struct stat st;

			if (strncmp(de->d_name, "ok0-", 4) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", report_dir, de->d_name);
			assert_int_equal(stat(path, &st), 0);
			/* VINs are personal data: owner and group only */
			assert_int_equal(st.st_mode & 0777, 0640);
			n++;
		}
		closedir(dd);
		/* .txt, .html and .json */
		assert_int_equal(n, 3);
	}
	close(a.fd);
}

/* A stop while reports wait in memory says so, one error line per report with its verdicts. */
static void test_stop_with_spool_logged(void **state)
{
	struct cl a;
	FILE *f;
	int st;

	(void)state;
	cl_open(&a);
	cl_send(&a, "{\"cmd\":\"subscribe\"}\n");
	json_object_put(cl_recv(&a));
	assert_int_equal(rmdir(report_dir), 0);
	f = fopen(report_dir, "w");
	assert_non_null(f);
	fclose(f);
	cl_send(&a, "{\"cmd\":\"check\",\"iface\":\"ok0\"}\n");
	json_object_put(cl_wait_event(&a, "check-finished", "ok0"));
	close(a.fd);
	kill(daemon_pid, SIGTERM);
	assert_int_equal(waitpid(daemon_pid, &st, 0), daemon_pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	daemon_pid = 0;
	assert_int_equal(log_lines("stopping with report ok0-"), 1);
	assert_int_equal(log_lines("not written (Not a directory): lost: ok0: VIN "
				   "WBY1Z41060V512345: complete: 1 open"), 1);
}

/* report_retention: report files older than 90 days go at start; newer ones, files that are not
 * reports, and other people's files stay.  The history follows the same setting: a check
 * finished 200 days ago goes, one of 10 days ago stays. */
static const struct old_file {
	const char *name;
	int age_days;
	bool kept;
} old_files[] = {
	{ "ok0-20250101T000000Z-1.json", 200, false },
	{ "ok0-20250101T000000Z-1.txt", 200, false },
	{ "ok0-20260101T000000Z-2.json", 10, true },
	{ ".ok0-20250101T000000Z-3.json.tmp", 200, false },
	{ "notes.txt", 200, true },
	{ "station-export.json", 200, true },
};

#define OLD_VIN "WBA8E51060K734560"
#define NEW_VIN "WBY1Z41060V512345"

static void make_old_history(void)
{
	static const struct {
		const char *vin;
		int age_days;
	} rows[] = { { OLD_VIN, 200 }, { NEW_VIN, 10 } };
	struct history *h;
	int64_t id;

	assert_int_equal(history_open(history_path, NULL, &h, NULL), 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct recall_report *r = report_new();

		assert_non_null(r);
		assert_int_equal(report_set_str(&r->vin, rows[i].vin), 0);
		assert_int_equal(report_set_str(&r->iface, "ok0"), 0);
		r->status = RECALL_STATUS_COMPLETE;
		r->finished_ms = ((int64_t)time(NULL) - rows[i].age_days * 86400LL) * 1000;
		r->started_ms = r->finished_ms - 1000;
		assert_int_equal(history_add(h, r, NULL, &id), 0);
		recall_report_free(r);
	}
	history_close(h);
}

static void make_old_reports(void)
{
	char path[256];

	make_old_history();

	for (size_t i = 0; i < sizeof(old_files) / sizeof(old_files[0]); i++) {
		struct timespec ts[2] = { { .tv_sec = time(NULL) - old_files[i].age_days * 86400 } };
		FILE *f;

		ts[1] = ts[0];
		snprintf(path, sizeof(path), "%s/%s", report_dir, old_files[i].name);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs("{}", f);
		fclose(f);
		assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	}
}

static int setup_old(void **state)
{
	old_reports = true;
	return setup(state);
}

static int teardown_old(void **state)
{
	old_reports = false;
	return teardown(state);
}

static void test_report_retention(void **state)
{
	char path[256];

	(void)state;
	/* setup returned once the daemon was constructed: the start's pass is done */
	for (size_t i = 0; i < sizeof(old_files) / sizeof(old_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", report_dir, old_files[i].name);
		if ((access(path, F_OK) == 0) != old_files[i].kept)
			fail_msg("%s: %s", old_files[i].name, old_files[i].kept ? "removed" : "kept");
	}
	assert_int_equal(log_lines("report_retention: removed 3 report file(s) older than 2160 h"),
			 1);
	/* the history: the old check gone, the newer one kept (the daemon has it open in WAL
	 * mode; a second reader sees what it committed) */
	assert_int_equal(log_lines("1 check(s) older than the retention removed"), 1);
	{
		struct history *h;
		struct recall_visit v;

		assert_int_equal(history_open(history_path, NULL, &h, NULL), 0);
		assert_int_equal(history_count(h), 1);
		assert_int_equal(history_last(h, OLD_VIN, &v), -ENOENT);
		assert_int_equal(history_last(h, NEW_VIN, &v), 0);
		history_visit_done(&v);
		history_close(h);
	}
}

/* ---- systemd ----------------------------------------------------------------------------- */

static int notify_fd = -1;
static char notify_path[128];

/* A notify socket as systemd gives it (NOTIFY_SOCKET), and a watchdog of 200 ms. */
static int setup_notify(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(notify_path, sizeof(notify_path), "/tmp/test-plugin-notify-%d", (int)getpid());
	unlink(notify_path);
	strcpy(sa.sun_path, notify_path);
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(notify_fd >= 0);
	assert_int_equal(bind(notify_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	notify_env = notify_path;
	watchdog_env = "200000";
	return setup(state);
}

static int teardown_notify(void **state)
{
	int r = teardown(state);

	close(notify_fd);
	unlink(notify_path);
	notify_env = watchdog_env = NULL;
	return r;
}

/* Datagrams until one starting with want; returns how many WATCHDOG=1 came on the way. */
static unsigned int notify_wait(const char *want)
{
	unsigned int pings = 0;

	for (;;) {
		struct pollfd p = { .fd = notify_fd, .events = POLLIN };
		char buf[512];
		ssize_t n;

		if (poll(&p, 1, HANG_LIMIT_MS) != 1)
			fail_msg("no '%s' from the daemon", want);
		n = recv(notify_fd, buf, sizeof(buf) - 1, 0);
		assert_true(n > 0);
		buf[n] = 0;
		if (strncmp(buf, want, strlen(want)) == 0)
			return pings;
		if (strcmp(buf, "WATCHDOG=1") == 0)
			pings++;
	}
}

static void test_sd_notify(void **state)
{
	(void)state;
	/* setup waits until the daemon is constructed; READY comes when its loop runs */
	notify_wait("READY=1");
	/* the watchdog is fed from the loop while it idles */
	assert_true(notify_wait("WATCHDOG=1") == 0);
	assert_true(notify_wait("WATCHDOG=1") == 0);
	kill(daemon_pid, SIGHUP);
	notify_wait("RELOADING=1");
	notify_wait("READY=1");
	kill(daemon_pid, SIGTERM);
	notify_wait("STOPPING=1");
}

/* count lines of the daemon's log that contain part */
static unsigned int log_lines(const char *part)
{
	char line[1024];
	unsigned int n = 0;
	FILE *f = fopen(log_path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, part))
			n++;
	fclose(f);
	return n;
}

/* Whoever asks, a reload is one log line, saying who and what came of it. */
static void test_reload_one_log_line(void **state)
{
	struct cl a;
	struct json_object *o;

	(void)state;
	cl_open(&a);
	cl_send(&a, "{\"cmd\":\"subscribe\"}\n");
	json_object_put(cl_recv(&a));
	cl_send(&a, "{\"cmd\":\"reload\"}\n");
	json_object_put(cl_wait_event(&a, "reload", NULL));
	write_db("broken\n");
	kill(daemon_pid, SIGHUP);
	json_object_put(cl_wait_event(&a, "reload", NULL));
	/* the status reply comes after the daemon wrote its lines */
	cl_send(&a, "{\"cmd\":\"status\"}\n");
	o = cl_recv(&a);
	while (jget(o, "event")) {
		json_object_put(o);
		o = cl_recv(&a);
	}
	json_object_put(o);
	assert_int_equal(log_lines("reload"), 2);
	assert_int_equal(log_lines("database reloaded (request from pid"), 1);
	assert_int_equal(log_lines("reload (SIGHUP) refused, keeping the old database"), 1);
	close(a.fd);
}

/*
 * Where journald runs, each check's log line carries RECALL_* fields.  A journal of our own: this
 * test process moves into a private mount namespace (root only) with an empty tmpfs on
 * /run/systemd/journal and listens on its socket, as journald does; the daemon, forked by the
 * fixture after this, sends its lines there.
 */
static int journal_fd = -1;

static int setup_journal(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX,
				  .sun_path = "/run/systemd/journal/socket" };

	if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		journal_fd = -1;
		return setup(state);
	}
	(void)mkdir("/run/systemd", 0755);
	(void)mkdir("/run/systemd/journal", 0755);
	assert_int_equal(mount("tmpfs", "/run/systemd/journal", "tmpfs", 0, "mode=0755"), 0);
	journal_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(journal_fd >= 0);
	assert_int_equal(bind(journal_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return setup(state);
}

static int teardown_journal(void **state)
{
	int r = teardown(state);

	if (journal_fd >= 0) {
		close(journal_fd);
		(void)umount("/run/systemd/journal");
	}
	return r;
}

static void test_journal_fields(void **state)
{
	static const char *const want[] = {
		"PRIORITY=5", "SYSLOG_IDENTIFIER=recalld", "RECALL_BAY=ok0",
		"RECALL_VIN=WBY1Z41060V512345", "RECALL_STATUS=complete", "RECALL_TRIGGER=request",
		"RECALL_OPEN=1", "RECALL_INSPECT=0", "RECALL_UNDETERMINED=0", "RECALL_REMEDIED=0",
		"RECALL_NOT_AFFECTED=0", "RECALL_REPORT=ok0-",
	};
	struct cl a;
	char buf[8192];
	ssize_t n;

	(void)state;
	if (journal_fd < 0)
		skip();		/* not root, or no mount namespaces here */
	cl_open(&a);
	cl_send(&a, "{\"cmd\":\"subscribe\"}\n");
	json_object_put(cl_recv(&a));
	cl_send(&a, "{\"cmd\":\"check\",\"iface\":\"ok0\"}\n");
	json_object_put(cl_wait_event(&a, "check-finished", "ok0"));
	/* the entry whose MESSAGE is the check's line (other daemon lines go to syslog) */
	for (;;) {
		struct pollfd p = { .fd = journal_fd, .events = POLLIN };

		if (poll(&p, 1, HANG_LIMIT_MS) != 1)
			fail_msg("no journal entry for the check");
		n = recv(journal_fd, buf, sizeof(buf) - 1, 0);
		assert_true(n > 0);
		buf[n] = 0;
		if (strstr(buf, "MESSAGE=ok0: VIN WBY1Z41060V512345: complete: 1 open"))
			break;
	}
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char line[64];

		snprintf(line, sizeof(line), "\n%s", want[i]);
		if (!strstr(buf, line))
			fail_msg("journal entry lacks %s:\n%s", want[i], buf);
	}
	close(a.fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check_report_and_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_and_hang, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests_do_not_disturb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ifname_escaped, setup, teardown),
		cmocka_unit_test(test_socket_path_not_a_socket),
		cmocka_unit_test_setup_teardown(test_idle_clients_dropped, setup_idle, teardown_idle),
		cmocka_unit_test_setup_teardown(test_unwritable_report_spooled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_with_spool_logged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_retention, setup_old, teardown_old),
		cmocka_unit_test_setup_teardown(test_sd_notify, setup_notify, teardown_notify),
		cmocka_unit_test_setup_teardown(test_reload_one_log_line, setup, teardown),
		/* last: it leaves this process in its own mount namespace */
		cmocka_unit_test_setup_teardown(test_journal_fields, setup_journal,
						teardown_journal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
