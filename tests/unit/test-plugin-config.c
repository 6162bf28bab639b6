/* recalld.conf parsing: each row is a file text, the errors it must produce (as "line:message
 * fragment", joined by '|') and, for good files, the values that must come out. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "can/ident.h"
#include "plugin/config.h"
#include "plugin/recall-internal.h"

/* Error rows leave the value columns out on purpose. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct errs {
	char text[1024];
	unsigned int n;
};

static void collect(void *userdata, const char *file, unsigned int line, const char *msg)
{
	struct errs *e = userdata;
	char one[300];

	assert_string_equal(file, "t.conf");
	snprintf(one, sizeof(one), "%s%u:%s", e->n ? "|" : "", line, msg);
	strncat(e->text, one, sizeof(e->text) - strlen(e->text) - 1);
	e->n++;
}

static void collect_any(void *userdata, const char *file, unsigned int line, const char *msg)
{
	struct errs *e = userdata;
	char one[300];

	snprintf(one, sizeof(one), "%s:%u: %s; ", file, line, msg);
	strncat(e->text, one, sizeof(e->text) - strlen(e->text) - 1);
	e->n++;
}

static const struct cfg_case {
	const char *text;
	const char *errors;	/* "" = must parse; else each "LINE:fragment" must appear in order */
	unsigned int n_errors;
	/* checked for good files */
	const char *database, *globs0, *addressing, *group;
	unsigned int check_timeout_ms, silence_ms, probe_ms;
	bool on_traffic;
} cases[] = {
	{ "", "", 0, NULL, "can*", NULL, NULL, 60000, 5000, 0,
	  true },
	{ "# comment\n; other\n\n[recalld]\ndatabase = /tmp/x.rdb\n", "", 0, "/tmp/x.rdb", "can*",
	  NULL, NULL, 60000, 5000, 0, true },
	{ "[bays]\ninterfaces = vcan* slcan0\n[check]\naddressing = bmw obd11\n"
	  "check_timeout = 2min\n[triggers]\nsilence = 750ms\nprobe_interval = 30s\n"
	  "on_traffic = no\n[control]\ngroup = recalld\n",
	  "", 0, NULL, "vcan*", "bmw obd11", "recalld", 120000,
	  750, 30000, false },
	{ "[triggers]\nsilence = 700\n", "", 0, NULL, "can*", NULL,
	  NULL, 60000, 700, 0, true },
	/* errors: every one with its line, not just the first */
	{ "[recalld]\ndatabase = relative.rdb\nbogus = 1\n", "2:not an absolute path|3:unknown key",
	  2 },
	{ "[nosuch]\nx = 1\n", "2:unknown section [nosuch]", 1 },
	{ "[triggers]\nsilence = fast\non_traffic = maybe\nprobe_interval = -5s\n",
	  "2:silence|3:not yes or no|4:probe_interval", 3 },
	{ "[triggers]\nsilence = 5 hours\n", "2:not a duration", 1 },
	{ "[triggers]\nsilence = 99999999999999999999999\n", "2:not a duration", 1 },
	{ "[check]\ncheck_timeout = 10ms\n", "2:check_timeout", 1 },
	{ "[check]\naddressing = BMW;rm\n", "2:unknown scheme 'BMW;rm'", 1 },
	{ "[check]\naddressing = bmw obd12\n", "2:unknown scheme 'obd12'", 1 },
	{ "[check]\nrequest_timeout = 5s\ncheck_timeout = 5s\n", "0:shorter than check_timeout",
	  1 },
	{ "[check]\nanswer_window = 2min\ncan_fd = maybe\n", "2:answer_window|3:can_fd", 2 },
	{ "[control]\nmax_clients = 0\nmax_request = 1x\ngroup = a b\n",
	  "2:max_clients|3:max_request|4:not a group name", 3 },
	{ "[bays]\ninterfaces =\n", "2:at least one glob", 1 },
	{ "[recalld\ndatabase = /x\n", "1:without ']'", 1 },
	{ "just words\n[recalld]\n= /x\n", "1:expected 'key = value'|3:missing key", 2 },
	{ "[recalld]\ndatabase = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  "2:longer than", 1 },
};

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cfg_case *c = &cases[i];
		struct recalld_config cfg;
		struct errs e = { .n = 0 };
		int r;

		config_init_defaults(&cfg);
		r = config_parse_string(&cfg, c->text, "t.conf", collect, &e);
		if (!*c->errors) {
			if (r != 0)
				fail_msg("row %zu: unexpected errors: %s", i, e.text);
			if (c->database)
				assert_string_equal(cfg.database, c->database);
			assert_string_equal(cfg.bays[0], c->globs0);
			if (c->addressing)
				assert_string_equal(cfg.addressing, c->addressing);
			else
				assert_null(cfg.addressing);
			if (c->group)
				assert_string_equal(cfg.socket_group, c->group);
			assert_int_equal(cfg.check_timeout_ms, c->check_timeout_ms);
			assert_int_equal(cfg.silence_ms, c->silence_ms);
			assert_int_equal(cfg.probe_interval_ms, c->probe_ms);
			assert_int_equal(cfg.on_traffic, c->on_traffic);
		} else {
			char want[512], *tok, *save = NULL;
			const char *at = e.text;

			if (r != -EINVAL)
				fail_msg("row %zu: parsed but should fail with %s", i, c->errors);
			if (e.n != c->n_errors)
				fail_msg("row %zu: %u errors, want %u: %s", i, e.n, c->n_errors,
					 e.text);
			snprintf(want, sizeof(want), "%s", c->errors);
			for (tok = strtok_r(want, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
				char line[16], *colon = strchr(tok, ':');
				const char *hit;

				snprintf(line, sizeof(line), "%.*s:", (int)(colon - tok), tok);
				hit = strstr(at, colon + 1);
				if (!hit || !strstr(at, line))
					fail_msg("row %zu: want '%s' in '%s'", i, tok, e.text);
				at = hit;
			}
		}
		config_done(&cfg);
	}
}

/* The dumped configuration parses back to the same values (recalld --dump-config). */
static void test_dump_roundtrip(void **state)
{
	struct recalld_config a, b;
	char *text, *text2;

	(void)state;
	config_init_defaults(&a);
	assert_int_equal(config_parse_string(&a, "[triggers]\nsilence = 1500ms\n[check]\n"
					     "addressing = obd29\n", "t.conf", NULL, NULL), 0);
	assert_int_equal(config_dump(&a, &text), 0);
	config_init_defaults(&b);
	assert_int_equal(config_parse_string(&b, text, "t.conf", NULL, NULL), 0);
	assert_int_equal(config_dump(&b, &text2), 0);
	assert_string_equal(text, text2);
	assert_int_equal(b.silence_ms, 1500);
	free(text);
	free(text2);
	config_done(&a);
	config_done(&b);
}

static void test_bay_globs(void **state)
{
	struct recalld_config c;

	(void)state;
	config_init_defaults(&c);
	assert_int_equal(config_parse_string(&c, "[bays]\ninterfaces = vcan[0-3] slcan*\n", "t.conf",
					     NULL, NULL), 0);
	assert_true(config_is_bay(&c, "vcan2"));
	assert_false(config_is_bay(&c, "vcan4"));
	assert_true(config_is_bay(&c, "slcan0"));
	assert_false(config_is_bay(&c, "eth0"));
	config_done(&c);
}

/* Bring-up settings (issue 12): [bays] defaults, [bay GLOB] overrides, first match wins, each
 * key it does not set falls back; every bad value is one error with its line. */
static void test_bay_link(void **state)
{
	static const char text[] =
		"[bays]\ninterfaces = can* slcan* vcan*\nrestart_ms = 1s\n"
		"[bay can1]\nbitrate = 250000\n"
		"[bay can*]\nbringup = no\n"
		"[bay slcan*]\nbitrate = auto\nrestart_ms = 0\n";
	struct recalld_config c, d;
	struct config_link l;
	struct errs e = { .n = 0 };
	char *dump, *dump2;

	(void)state;
	config_init_defaults(&c);
	config_bay_link(&c, "can0", &l);
	assert_int_equal(l.bitrate, 500000);
	assert_int_equal(l.restart_ms, 100);
	assert_true(l.bringup);
	assert_int_equal(config_parse_string(&c, text, "t.conf", NULL, NULL), 0);
	config_bay_link(&c, "can1", &l);	/* [bay can1] first: only its bitrate */
	assert_int_equal(l.bitrate, 250000);
	assert_int_equal(l.restart_ms, 1000);
	assert_true(l.bringup);
	config_bay_link(&c, "can0", &l);	/* [bay can*] */
	assert_int_equal(l.bitrate, 500000);
	assert_false(l.bringup);
	config_bay_link(&c, "slcan0", &l);
	assert_int_equal(l.bitrate, 0);		/* auto */
	assert_int_equal(l.restart_ms, 0);
	assert_true(l.bringup);
	config_bay_link(&c, "vcan0", &l);	/* no section: the defaults */
	assert_int_equal(l.bitrate, 500000);
	assert_int_equal(l.restart_ms, 1000);

	/* the dump keeps the sections and parses back to the same */
	assert_int_equal(config_dump(&c, &dump), 0);
	assert_non_null(strstr(dump, "[bay can1]\nbitrate = 250000\n"));
	assert_non_null(strstr(dump, "[bay slcan*]\nbitrate = auto\nrestart_ms = 0ms\n"));
	config_init_defaults(&d);
	assert_int_equal(config_parse_string(&d, dump, "t.conf", NULL, NULL), 0);
	assert_int_equal(config_dump(&d, &dump2), 0);
	assert_string_equal(dump, dump2);
	free(dump);
	free(dump2);
	config_done(&c);
	config_done(&d);

	config_init_defaults(&c);
	assert_int_equal(config_parse_string(&c,
					     "[bays]\nbitrate = fast\nrestart_ms = 2min\n"
					     "bringup = maybe\n[bay can0]\nbitrate = 2000000\n"
					     "name2 = x\n[bay a b]\nbitrate = 500000\n",
					     "t.conf", collect, &e),
			 -EINVAL);
	assert_int_equal(e.n, 6);
	assert_non_null(strstr(e.text, "2:bitrate: 'fast' is not a bit rate"));
	assert_non_null(strstr(e.text, "3:restart_ms: '2min' is not a duration"));
	assert_non_null(strstr(e.text, "4:bringup: 'maybe' is not yes or no"));
	assert_non_null(strstr(e.text, "6:bitrate: '2000000' is not a bit rate"));
	assert_non_null(strstr(e.text, "7:unknown key 'name2' in section [bay can0]"));
	assert_non_null(strstr(e.text, "9:[bay a b]: write one interface name or glob"));
	config_done(&c);
}

/* [report], [history] and the bays' names (issue 13). */
static void test_report_keys(void **state)
{
	static const char text[] =
		"[report]\nlanguage = English\nworkshop = Autohaus Muster & Söhne\nhtml = no\n"
		"[history]\ndatabase = /srv/recalld/history.db\n"
		"[bay can0]\nname = Bühne 1\n"
		"[bay can*]\nbitrate = 250000\n"
		"[bay can1]\nname = Bühne 2\n";
	struct recalld_config c, d;
	struct errs e = { .n = 0 };
	char *dump, *dump2;

	(void)state;
	config_init_defaults(&c);
	assert_null(c.language);		/* German */
	assert_true(c.html);
	assert_string_equal(c.history, "/var/lib/recalld/history.db");
	assert_int_equal(config_parse_string(&c, text, "t.conf", NULL, NULL), 0);
	assert_string_equal(c.language, "en");	/* the language's code, whatever spelling */
	assert_string_equal(c.workshop, "Autohaus Muster & Söhne");
	assert_false(c.html);
	assert_string_equal(c.history, "/srv/recalld/history.db");
	assert_string_equal(config_bay_name(&c, "can0"), "Bühne 1");
	/* the first matching section that has a name: [bay can*] has none */
	assert_string_equal(config_bay_name(&c, "can1"), "Bühne 2");
	assert_null(config_bay_name(&c, "can2"));
	assert_int_equal(config_dump(&c, &dump), 0);
	assert_non_null(strstr(dump, "[report]\nlanguage = en\nworkshop = Autohaus Muster & Söhne\n"
				     "html = no\n\n[history]\ndatabase = /srv/recalld/history.db\n"));
	assert_non_null(strstr(dump, "[bay can0]\nname = Bühne 1\n"));
	config_init_defaults(&d);
	assert_int_equal(config_parse_string(&d, dump, "t.conf", NULL, NULL), 0);
	assert_int_equal(config_dump(&d, &dump2), 0);
	assert_string_equal(dump, dump2);
	free(dump);
	free(dump2);
	config_done(&c);
	config_done(&d);

	/* empty history: none kept */
	config_init_defaults(&c);
	assert_int_equal(config_parse_string(&c, "[history]\ndatabase =\n", "t.conf", NULL, NULL),
			 0);
	assert_null(c.history);
	config_done(&c);

	config_init_defaults(&c);
	assert_int_equal(config_parse_string(&c,
					     "[report]\nlanguage = french\nworkshop = a\tb\n"
					     "html = maybe\n[history]\ndatabase = history.db\n"
					     "[bay can0]\nname = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
					     "aaaaaaaaaaaaaaaaaaaa\n",
					     "t.conf", collect, &e),
			 -EINVAL);
	assert_int_equal(e.n, 5);
	assert_non_null(strstr(e.text, "2:language: 'french' has no catalogue (known: de en)"));
	assert_non_null(strstr(e.text, "3:workshop: "));
	assert_non_null(strstr(e.text, "4:html: 'maybe' is not yes or no"));
	assert_non_null(strstr(e.text, "6:'history.db' is not an absolute path"));
	assert_non_null(strstr(e.text, "8:name: "));
	config_done(&c);
}

/* [check] parallel: how many ECUs are read at once (recall-ident --parallel), to the check. */
static void test_parallel(void **state)
{
	struct recalld_config c;
	struct errs e = { .n = 0 };
	char *dump;

	(void)state;
	config_init_defaults(&c);
	assert_int_equal(c.parallel, IDENT_PARALLEL_DEFAULT);
	assert_int_equal(config_parse_string(&c, "[check]\nparallel = 1\n", "t.conf", NULL, NULL),
			 0);
	assert_int_equal(c.parallel, 1);
	assert_int_equal(config_dump(&c, &dump), 0);
	assert_non_null(strstr(dump, "\nparallel = 1\n"));
	free(dump);
	assert_int_equal(config_parse_string(&c, "[check]\nparallel = 64\n", "t.conf", NULL, NULL),
			 0);
	assert_int_equal(c.parallel, IDENT_MAX_ECUS);
	config_done(&c);

	/* 0 and more ECUs than an identity holds are refused, with the range */
	config_init_defaults(&c);
	assert_int_equal(config_parse_string(&c, "[check]\nparallel = 0\nparallel = 65\n"
					     "parallel = all\n", "t.conf", collect, &e), -EINVAL);
	assert_int_equal(e.n, 3);
	assert_non_null(strstr(e.text, "2:parallel: '0' is not a number between 1 and 64"));
	assert_non_null(strstr(e.text, "3:parallel: '65'"));
	assert_non_null(strstr(e.text, "4:parallel: 'all'"));
	config_done(&c);
}

/* [check] discovery_quiet: the gap after the last answer that ends discovery; 0 = the whole
 * answer_window (recall-ident --quiet 0). */
static void test_discovery_quiet(void **state)
{
	struct recalld_config c;
	struct errs e = { .n = 0 };
	char *dump;

	(void)state;
	config_init_defaults(&c);
	assert_int_equal(c.discovery_quiet_ms, IDENT_QUIET_MS_DEFAULT);
	assert_int_equal(config_parse_string(&c, "[check]\ndiscovery_quiet = 0\n", "t.conf", NULL,
					     NULL), 0);
	assert_int_equal(c.discovery_quiet_ms, 0);
	assert_int_equal(config_dump(&c, &dump), 0);
	assert_non_null(strstr(dump, "\ndiscovery_quiet = 0ms\n"));
	free(dump);
	assert_int_equal(config_parse_string(&c, "[check]\ndiscovery_quiet = 250ms\n", "t.conf",
					     NULL, NULL), 0);
	assert_int_equal(c.discovery_quiet_ms, 250);
	config_done(&c);

	config_init_defaults(&c);
	assert_int_equal(config_parse_string(&c, "[check]\ndiscovery_quiet = 2min\n"
					     "discovery_quiet = soon\n", "t.conf", collect, &e),
			 -EINVAL);
	assert_int_equal(e.n, 2);
	assert_non_null(strstr(e.text, "2:discovery_quiet: '2min' is not a duration"));
	assert_non_null(strstr(e.text, "3:discovery_quiet: 'soon'"));
	config_done(&c);
}

/* The shipped example says "the values shown are the defaults": hold it to that. */
static void test_example_is_defaults(void **state)
{
	struct recalld_config def, ex;
	struct errs e = { .n = 0 };
	char *a, *b;

	(void)state;
	config_init_defaults(&def);
	config_init_defaults(&ex);
	/* the example as the build made it for its install layout, against the defaults compiled
	 * for the same layout */
	if (config_parse_file(&ex, RECALLD_EXAMPLE_CONF, collect_any, &e) < 0)
		fail_msg("%s: %s", RECALLD_EXAMPLE_CONF, e.text);
	assert_int_equal(config_dump(&def, &a), 0);
	assert_int_equal(config_dump(&ex, &b), 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
	config_done(&def);
	config_done(&ex);
}

/* A FIFO (or a device) at the configuration's path is refused at once, not waited on: a config
 * file that blocks recalld -n and the start forever is a hostile surrounding. */
static void test_fifo_refused(void **state)
{
	char dir[64], path[128];
	pid_t pid;
	int st;

	(void)state;
	strcpy(dir, "/tmp/test-plugin-config-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/recalld.conf", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct recalld_config c;
		struct errs e = { .n = 0 };

		alarm(20);	/* a blocking open must not hang the test run */
		config_init_defaults(&c);
		_exit(config_parse_file(&c, path, collect_any, &e) == -EMEDIUMTYPE &&
		      strstr(e.text, "not a regular file") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("a FIFO as configuration: status 0x%x (blocked or accepted)", st);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_dump_roundtrip),
		cmocka_unit_test(test_bay_globs),
		cmocka_unit_test(test_bay_link),
		cmocka_unit_test(test_report_keys),
		cmocka_unit_test(test_example_is_defaults),
		cmocka_unit_test(test_parallel),
		cmocka_unit_test(test_discovery_quiet),
		cmocka_unit_test(test_fifo_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
