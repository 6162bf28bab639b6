/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recalld: checks every car connected to a workshop bay for open recalls, without anyone typing.
 * The daemon's parts are in plugin/daemon/ (daemon.c wires them), the check in plugin/check.c;
 * this file is options, logging, and the real database and check behind the daemon's ops.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sys/stat.h>

#include "plugin/cli.h"
#include "plugin/daemon/daemon.h"
#include "plugin/recall-internal.h"
#include "rules/rdb.h"

static const char *prog = "recalld";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS]\n"
		"Watch the CAN interfaces of a workshop's bays; when a car is connected (interface\n"
		"appears or comes up, bus traffic after silence, or `recallctl check IFACE`), read its\n"
		"identity (VIN, ECU software versions), decide every recall campaign of the rules\n"
		"database, and write a JSON and a technician text report per check.\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE     configuration file (default %s; a missing default file\n"
		"                        means built-in defaults)\n"
		"  -n, --check-config    parse the configuration and open the database, print\n"
		"                        \"configuration OK\" and exit (0 ok, 3 errors)\n"
		"  -D, --dump-config     print the effective configuration and exit\n"
		"  -d, --database FILE   rules database (overrides [recalld] database)\n"
		"  -r, --report-dir DIR  report directory (overrides [recalld] report_dir)\n"
		"  -s, --socket PATH     control socket (overrides [control] socket)\n"
		"  -e, --stderr          log to stderr as well as syslog\n"
		"  -h, --help            this text\n"
		"  -V, --version         print the version\n"
		"\n"
		"Runs in the foreground (for systemd or a supervisor).  Signals: SIGHUP reloads the\n"
		"database (a bad one is refused, the old stays), SIGTERM/SIGINT stop.\n"
		"Exit status: 0 stopped by a signal, or -n/-D succeeded; 2 usage error;\n"
		"3 the configuration, the database, the user or the socket cannot be used.\n",
		prog, RECALLD_CONFIG_PATH);
}

static void config_error(void *userdata, const char *file, unsigned int line, const char *msg)
{
	(void)userdata;
	if (line)
		fprintf(stderr, "%s:%u: error: %s\n", file, line, msg);
	else
		fprintf(stderr, "%s: error: %s\n", file, msg);
}

/* ---- the real database and check, for the loop's ops -------------------------------------- */

/* What the configuration says about signatures ([recalld] trusted_keys, require_signature):
 * kept apart from the config, which recalld_new takes over. */
struct db_policy {
	char *trusted_keys;
	bool require_signature;
};

/*
 * Every load and reload: the trusted keys read again (a key added to the directory counts from
 * the next reload), every block of the database read and checked (RDB_OPEN_VERIFY_ALL), the
 * signature policy applied.  A refusal leaves the daemon's current database in place.
 */
static int policy_open(const struct db_policy *pol, const char *path, struct recall_db **ret_db,
		       char **ret_error)
{
	struct rdb_open_opts o = { .flags = RDB_OPEN_VERIFY_ALL };
	struct rdb_trust *trust = NULL;
	char err[RDB_ERR_MAX] = "";
	int r;

	if (pol && pol->trusted_keys) {
		r = rdb_trust_new(&trust);
		if (r >= 0)
			r = rdb_trust_add_dir(trust, pol->trusted_keys, err, sizeof(err));
		if (r < 0) {
			if (ret_error && asprintf(ret_error, "trusted_keys: %s",
						  err[0] ? err : strerror(-r)) < 0)
				*ret_error = NULL;
			rdb_trust_free(trust);
			return r;
		}
		o.trust = trust;
	}
	if (pol && pol->require_signature)
		o.flags |= RDB_OPEN_REQUIRE_SIGNATURE;
	r = check_db_open_with(path, &o, ret_db, ret_error);
	rdb_trust_free(trust);
	return r;
}

static int ops_db_open(void *u, const char *path, void **ret_db, char **ret_error)
{
	struct recall_db *db;
	int r;

	r = policy_open(u, path, &db, ret_error);
	if (r < 0)
		return r;
	*ret_db = db;
	return 0;
}

static void ops_db_free(void *u, void *db)
{
	(void)u;
	recall_db_free(db);
}

static char *ops_db_describe(void *u, void *db)
{
	(void)u;
	return check_db_describe(db);
}

static void progress(void *userdata, const struct recall_report *partial)
{
	(void)check_reply_send(userdata, CHECK_MSG_PROGRESS, partial);
}

/* In the check child: the typed request is all it knows of the daemon. */
static int ops_check(void *u, void *db, const struct check_request *req, struct check_reply *out)
{
	struct recall_check_opts o = {
		.size = sizeof(o),
		.addressing = req->addressing[0] ? req->addressing : NULL,
		.timeout_ms = req->request_timeout_ms,
		.flags = req->flags,
		.deadline_ms = req->deadline_ms,
		.answer_ms = req->answer_ms,
		.parallel = req->parallel,
		.quiet_ms = req->quiet_ms,
	};
	struct recall_report *r = NULL;
	int ret;

	(void)u;
	ret = check_run(db, req->iface, &o, progress, out, &r);
	if (ret < 0)
		return 1;
	ret = check_reply_send(out, CHECK_MSG_REPORT, r);
	recall_report_free(r);
	return ret < 0 ? 1 : 0;
}

static const struct recalld_ops real_ops = {
	.db_open = ops_db_open,
	.db_free = ops_db_free,
	.db_describe = ops_db_describe,
	.check = ops_check,
};

static int override(char **field, const char *value)
{
	if (*value != '/') {
		(void)cli_usage_error(prog, "'%s' is not an absolute path", value);
		return -EINVAL;
	}
	return report_set_str(field, value);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "dump-config", no_argument, NULL, 'D' },
		{ "database", required_argument, NULL, 'd' },
		{ "report-dir", required_argument, NULL, 'r' },
		{ "socket", required_argument, NULL, 's' },
		{ "stderr", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	const char *config_path = NULL, *db = NULL, *rdir = NULL, *sock = NULL;
	bool check_only = false, dump = false, to_stderr = false;
	struct recalld_config cfg;
	/* static: the daemon's ops read it for every reload until exit */
	static struct db_policy policy;
	struct recalld *d;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "c:nDd:r:s:ehV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'n':
			check_only = true;
			break;
		case 'D':
			dump = true;
			break;
		case 'd':
			db = optarg;
			break;
		case 'r':
			rdir = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'e':
			to_stderr = true;
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_NOTHING;
		case 'V':
			return cli_version(prog);
		default:
			return cli_usage_hint(prog);
		}
	}
	if (optind < argc)
		return cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);

	config_init_defaults(&cfg);
	if (config_path || access(RECALLD_CONFIG_PATH, F_OK) == 0) {
		const char *p = config_path ? config_path : RECALLD_CONFIG_PATH;

		if (config_parse_file(&cfg, p, config_error, NULL) < 0) {
			fprintf(stderr, "%s: %s: configuration has errors, not starting\n", prog, p);
			config_done(&cfg);
			return CLI_EXIT_INCOMPLETE;
		}
		config_path = p;
	}
	if ((db && override(&cfg.database, db) < 0) ||
	    (rdir && override(&cfg.report_dir, rdir) < 0) ||
	    (sock && override(&cfg.socket_path, sock) < 0)) {
		config_done(&cfg);
		return CLI_EXIT_USAGE;
	}
	if (cfg.trusted_keys && !(policy.trusted_keys = strdup(cfg.trusted_keys))) {
		config_done(&cfg);
		return 1;
	}
	policy.require_signature = cfg.require_signature;
	if (dump) {
		char *text;

		r = config_dump(&cfg, &text);
		if (r >= 0) {
			fputs(text, stdout);
			free(text);
		}
		config_done(&cfg);
		return r < 0 ? CLI_EXIT_INCOMPLETE : CLI_EXIT_NOTHING;
	}
	if (check_only) {
		struct recall_db *rdb;
		char *err = NULL;

		r = policy_open(&policy, cfg.database, &rdb, &err);
		if (r < 0) {
			fprintf(stderr, "%s: database: %s\n", prog, err ? err : strerror(-r));
			free(err);
			config_done(&cfg);
			return CLI_EXIT_INCOMPLETE;
		}
		recall_db_free(rdb);
		if (access(cfg.report_dir, W_OK) < 0)
			fprintf(stderr, "%s: warning: report directory %s: %s\n", prog,
				cfg.report_dir, strerror(errno));
		printf("configuration OK\n");
		config_done(&cfg);
		return CLI_EXIT_NOTHING;
	}

	openlog("recalld", LOG_PID | (to_stderr ? LOG_PERROR : 0), LOG_DAEMON);
	r = recalld_new(&cfg, config_path, &real_ops, &policy,
			RECALLD_DROP_PRIVILEGES | (to_stderr ? RECALLD_LOG_STDERR : 0), &d);
	if (r < 0) {
		fprintf(stderr, "%s: cannot start: %s\n", prog, strerror(-r));
		config_done(&cfg);
		return CLI_EXIT_INCOMPLETE;
	}
	r = recalld_run(d);
	recalld_free(d);
	closelog();
	return r < 0 ? CLI_EXIT_INCOMPLETE : CLI_EXIT_NOTHING;
}
