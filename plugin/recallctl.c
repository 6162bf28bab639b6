/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recallctl: the command-line client of recalld's control socket (one JSON object per line).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <json-c/json.h>

#include "plugin/config.h"
#include "plugin/cli.h"
#include "plugin/control.h"
#include "plugin/history.h"
#include "plugin/i18n.h"
#include "plugin/paths.h"
#include "plugin/recall-internal.h"

/* a line is a report at most: recalld sends reports up to its own bound (256 MiB) */
#define LINE_MAX_BYTES ((256u << 20) + (64u << 10))

static const char *prog = "recallctl";
static const char *sock_path;
static bool opt_json;
static int timeout_s = 120;
static unsigned long opt_count;
static bool opt_wait;
static const char *opt_order, *opt_plate, *opt_lang;
static unsigned int opt_limit;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] COMMAND [ARGS]\n"
		"Talk to recalld, the recall-check daemon, over its control socket.\n"
		"\n"
		"Commands:\n"
		"  status               every bay: state (absent/down/idle/checking), checks run,\n"
		"                       last result\n"
		"  check IFACE          start a check on IFACE now; with --wait, wait for it and\n"
		"                       print its report; --order and --plate go into the report\n"
		"  last IFACE           the last report of IFACE (technician text; JSON with --json)\n"
		"  history VIN          every recorded check of the car, newest first, and what\n"
		"                       changed between them (a campaign open before and remedied\n"
		"                       now, with the evidence)\n"
		"  subscribe            print events as they happen: check-started, progress,\n"
		"                       check-finished (with the report), bay, reload\n"
		"  reload               load and validate the rules database again; a bad one is\n"
		"                       refused and the old one stays\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH    control socket (default: $RECALLD_SOCKET or %s)\n"
		"  -j, --json           print the daemon's JSON (one object per line)\n"
		"  -w, --wait           with check: wait for the report\n"
		"  -n, --count N        with subscribe: exit after N events\n"
		"  -t, --timeout SEC    give up waiting after SEC seconds (default 120; 0 = never)\n"
		"      --order NUMBER   with check: the workshop order number (printed on the\n"
		"                       report, recorded in the history)\n"
		"      --plate PLATE    with check: the licence plate, e.g. \"M-AB 123\"\n"
		"      --limit N        with history: at most N checks (default 50, at most 1000)\n"
		"  -l, --lang LANG      language of the text: de (default) or en; default from\n"
		"                       [report] language in %s\n"
		"  -h, --help           this text\n"
		"  -V, --version        print the version\n"
		"\n"
		"Exit status: 0 done, nothing to do; 1 (check --wait, last) the car has open,\n"
		"inspect or undetermined campaigns; 2 usage error; 3 not done or not complete: the\n"
		"daemon is unreachable, refused or did not answer in time, the check was not\n"
		"complete (no car, cut off), or its report could not be saved.\n",
		prog, RECALLD_SOCKET_PATH, RECALLD_CONFIG_PATH);
}

struct conn {
	int fd;
	char *buf;
	size_t len, cap;
};

static int conn_open(struct conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(sock_path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: %s: socket path too long\n", prog, sock_path);
		return -1;
	}
	strcpy(sa.sun_path, sock_path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "%s: %s: cannot connect: %s (is recalld running?)\n", prog,
			sock_path, strerror(errno));
		return -1;
	}
	c->len = 0;
	c->cap = 65536;
	c->buf = malloc(c->cap);
	return c->buf ? 0 : -1;
}

static int conn_send(struct conn *c, struct json_object *req)
{
	const char *s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s);

	if (write(c->fd, s, len) != (ssize_t)len || write(c->fd, "\n", 1) != 1) {
		fprintf(stderr, "%s: %s: write: %s\n", prog, sock_path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Next line; NULL on EOF, timeout or error (reported). *ret_raw points into the buffer. */
static struct json_object *conn_recv(struct conn *c, const char **ret_raw, time_t deadline)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int wait_ms = -1;
		ssize_t n;

		if (nl) {
			static char *line;
			struct json_object *o;
			size_t l = (size_t)(nl - c->buf);

			free(line);
			line = strndup(c->buf, l);
			c->len -= l + 1;
			memmove(c->buf, nl + 1, c->len);
			if (!line)
				return NULL;
			o = json_tokener_parse(line);
			if (!o) {
				fprintf(stderr, "%s: daemon sent a malformed line\n", prog);
				return NULL;
			}
			if (ret_raw)
				*ret_raw = line;
			return o;
		}
		if (deadline) {
			time_t now = time(NULL);

			if (now >= deadline) {
				fprintf(stderr, "%s: no answer within %d s\n", prog, timeout_s);
				return NULL;
			}
			wait_ms = (int)(deadline - now) * 1000;
		}
		if (poll(&p, 1, wait_ms) == 0)
			continue;
		if (c->len + 4096 > c->cap) {
			char *nb;

			if (c->cap >= LINE_MAX_BYTES) {
				fprintf(stderr, "%s: daemon line too long\n", prog);
				return NULL;
			}
			nb = realloc(c->buf, c->cap * 2);
			if (!nb)
				return NULL;
			c->buf = nb;
			c->cap *= 2;
		}
		n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "%s: %s: daemon closed the connection\n", prog, sock_path);
			return NULL;
		}
		c->len += (size_t)n;
	}
}

static const char *sget(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

static bool is_ok(struct json_object *o)
{
	struct json_object *v;

	return json_object_object_get_ex(o, "ok", &v) && json_object_get_boolean(v);
}

/* Prints a report (text or JSON) and returns the exit status it means. */
static int print_report(struct json_object *rep)
{
	const char *s = json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE);
	struct recall_report *r;
	char *text;
	int ret;

	ret = report_parse_json(s, strlen(s), &r);
	if (ret < 0) {
		fprintf(stderr, "%s: daemon sent a report this recallctl cannot read: %s\n", prog,
			strerror(-ret));
		return CLI_EXIT_INCOMPLETE;
	}
	if (opt_json) {
		printf("%s\n", s);
	} else {
		struct recall_render_opts ro = { .size = sizeof(ro), .language = opt_lang };

		if (recall_report_render(r, RECALL_FORMAT_TEXT, &ro, &text) >= 0) {
			fputs(text, stdout);
			free(text);
		}
	}
	ret = report_exit_status(r);
	recall_report_free(r);
	return ret;
}

/* Reports the daemon could not write and keeps in memory: said first, and the exit status. */
static int print_spool(struct json_object *o)
{
	struct json_object *sp, *v;
	int n;

	if (!json_object_object_get_ex(o, "spool", &sp) ||
	    !json_object_object_get_ex(sp, "reports", &v) || (n = json_object_get_int(v)) <= 0)
		return CLI_EXIT_NOTHING;
	printf("NOT SAVED: %d report(s) could not be written (%s); recalld keeps them in memory "
	       "(at most %s) and retries\n", n, sget(sp, "error") ? sget(sp, "error") : "?",
	       sget(sp, "max") ? sget(sp, "max") : "?");
	return CLI_EXIT_INCOMPLETE;
}

static void print_status(struct json_object *o)
{
	struct json_object *bays, *b, *last, *link;
	size_t i, n;

	printf("database: %s\n", sget(o, "database") ? sget(o, "database") : "?");
	(void)print_spool(o);
	if (!json_object_object_get_ex(o, "bays", &bays))
		return;
	n = json_object_array_length(bays);
	if (!n)
		printf("no bays (no CAN interface matches [bays] interfaces)\n");
	for (i = 0; i < n; i++) {
		b = json_object_array_get_idx(bays, i);
		printf("%-15s %-9s checks %-4s", sget(b, "iface"), sget(b, "state"),
		       sget(b, "checks"));
		if (json_object_object_get_ex(b, "last", &last))
			printf(" last: %s VIN %s, %s open, %s inspect, %s undetermined, "
			       "%s remedied", sget(last, "status"),
			       sget(last, "vin") ? sget(last, "vin") : "unknown",
			       sget(last, "open"), sget(last, "inspect"), sget(last, "undetermined"),
			       sget(last, "remedied"));
		if (json_object_object_get_ex(b, "last", &last) && sget(last, "saved") &&
		    strcmp(sget(last, "saved"), "false") == 0)
			printf(" (report not saved yet)");
		printf("\n");
		/* the link of a real adapter: its rate and state, and what recalld did and why */
		if (json_object_object_get_ex(b, "link", &link)) {
			const char *kind = sget(link, "kind"), *msg = sget(link, "message");

			if (kind && strcmp(kind, "can") == 0)
				printf("%-15s link: %s bit/s, %s, brought up: %s\n", "",
				       sget(link, "bitrate") ? sget(link, "bitrate") : "no bit timing",
				       sget(link, "controller_state") ?
					       sget(link, "controller_state") : "?",
				       sget(link, "bringup"));
			if (msg)
				printf("%-15s %s\n", "", msg);
		}
	}
}

static void print_event(struct json_object *o, const char *raw)
{
	const char *ev = sget(o, "event");
	struct json_object *rep;
	int e = ev ? control_event_parse(ev) : -ENOENT;

	if (opt_json || !ev) {
		printf("%s\n", raw);
	} else if (e == CONTROL_EV_CHECK_FINISHED && json_object_object_get_ex(o, "report", &rep)) {
		char *line = NULL;
		const char *s = json_object_to_json_string(rep);
		struct recall_report *r;

		if (report_parse_json(s, strlen(s), &r) >= 0 && report_summary_line(r, &line) >= 0)
			printf("%s %s\n", ev, line);
		free(line);
		recall_report_free(r);
	} else if (e == CONTROL_EV_CHECK_STARTED) {
		printf("%s %s (%s)\n", ev, sget(o, "iface"), sget(o, "trigger"));
	} else if (e == CONTROL_EV_BAY) {
		printf("%s %s %s\n", ev, sget(o, "iface"), sget(o, "state"));
	} else if (e == CONTROL_EV_RELOAD) {
		printf("%s %s %s\n", ev, is_ok(o) ? "ok" : "refused",
		       sget(o, "error") ? sget(o, "error") : sget(o, "database"));
	} else {
		printf("%s %s\n", ev, sget(o, "iface") ? sget(o, "iface") : "");
	}
	fflush(stdout);
}

/* Sends req, reads the reply (skipping events); returns it or NULL. */
static struct json_object *call(struct conn *c, struct json_object *req, time_t deadline)
{
	struct json_object *o;

	if (conn_send(c, req) < 0)
		return NULL;
	for (;;) {
		o = conn_recv(c, NULL, deadline);
		if (!o || !sget(o, "event"))
			return o;
		json_object_put(o);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "wait", no_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "order", required_argument, NULL, 'O' },
		{ "plate", required_argument, NULL, 'P' },
		{ "limit", required_argument, NULL, 'L' },
		{ "lang", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	struct recalld_config cfg = { 0 };
	const struct i18n *lang;
	const char *vin = NULL;
	struct json_object *req = NULL, *rep = NULL, *o;
	const char *word, *iface = NULL, *raw;
	int cmd;
	struct conn c = { .fd = -1 };
	time_t deadline = 0;
	unsigned long seen = 0;
	int opt, ret = CLI_EXIT_INCOMPLETE;
	char *end;

	sock_path = getenv("RECALLD_SOCKET") ? getenv("RECALLD_SOCKET") : RECALLD_SOCKET_PATH;
	while ((opt = getopt_long(argc, argv, "s:jwn:t:l:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'O':
			if (!control_text_ok(optarg, strlen(optarg), CONTROL_ORDER_MAX)) {
				return cli_usage_error(prog, "--order: at most %d bytes, one line",
					CONTROL_ORDER_MAX);
			}
			opt_order = optarg;
			break;
		case 'P':
			if (!control_text_ok(optarg, strlen(optarg), CONTROL_PLATE_MAX)) {
				return cli_usage_error(prog, "--plate: at most %d bytes, one line",
					CONTROL_PLATE_MAX);
			}
			opt_plate = optarg;
			break;
		case 'L':
			opt_limit = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || opt_limit < 1 || opt_limit > CONTROL_HISTORY_MAX) {
				return cli_usage_error(prog, "--limit: '%s' is not 1..%d", optarg,
					CONTROL_HISTORY_MAX);
			}
			break;
		case 'l':
			if (i18n_get(optarg, &lang) < 0) {
				return cli_usage_error(prog, "--lang: no catalogue for '%s' (known: %s)", optarg, i18n_known());
			}
			opt_lang = i18n_code(lang);
			break;
		case 's':
			sock_path = optarg;
			break;
		case 'j':
			opt_json = true;
			break;
		case 'w':
			opt_wait = true;
			break;
		case 'n':
			opt_count = strtoul(optarg, &end, 10);
			if (*end || !opt_count)
				return cli_usage_error(prog, "--count: '%s' is not a positive number",
						       optarg);
			break;
		case 't':
			timeout_s = (int)strtol(optarg, &end, 10);
			if (*end || timeout_s < 0 || timeout_s > 86400)
				return cli_usage_error(prog, "--timeout: '%s' is not 0..86400 seconds",
						       optarg);
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
	if (optind >= argc)
		return cli_usage_error(prog, "no command (status, check, last, subscribe, reload, "
				       "history)");
	word = argv[optind++];
	cmd = control_cmd_parse(word);
	if (cmd < 0)
		return cli_usage_error(prog, "unknown command '%s' (status, check, last, subscribe, "
				       "reload, history)", word);
	if (control_cmd_needs_iface(cmd)) {
		if (optind >= argc)
			return cli_usage_error(prog, "%s needs an interface name", word);
		iface = argv[optind++];
	}
	if (control_cmd_needs_vin(cmd)) {
		if (optind >= argc) {
			return cli_usage_error(prog, "%s needs a VIN", word);
		}
		vin = argv[optind++];
	}
	if ((opt_order || opt_plate) && cmd != CONTROL_CHECK) {
		return cli_usage_error(prog, "--order and --plate go with check");
	}
	if (opt_limit && cmd != CONTROL_HISTORY) {
		return cli_usage_error(prog, "--limit goes with history");
	}
	if (optind < argc) {
		return cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);
	}
	/* the station's language, as recalld writes its reports; a config with errors (those are
	 * recalld -n's to report) still gives its language */
	if (!opt_lang && !opt_json && access(RECALLD_CONFIG_PATH, R_OK) == 0) {
		config_init_defaults(&cfg);
		(void)config_parse_file(&cfg, RECALLD_CONFIG_PATH, NULL, NULL);
		opt_lang = cfg.language;
	}
	if (timeout_s)
		deadline = time(NULL) + timeout_s;
	if (conn_open(&c) < 0)
		goto out;

	/* check --wait subscribes first, so the finish event cannot slip past. */
	if (cmd == CONTROL_SUBSCRIBE || (cmd == CONTROL_CHECK && opt_wait)) {
		req = control_request_new(CONTROL_SUBSCRIBE, NULL);
		rep = call(&c, req, deadline);
		json_object_put(req);
		req = NULL;
		if (!rep)
			goto out;
		if (!is_ok(rep)) {
			fprintf(stderr, "%s: %s\n", prog, sget(rep, "error"));
			goto out;
		}
		json_object_put(rep);
		rep = NULL;
	}
	if (cmd == CONTROL_SUBSCRIBE) {
		for (;;) {
			o = conn_recv(&c, &raw, opt_count ? deadline : 0);
			if (!o)
				goto out;
			print_event(o, raw);
			json_object_put(o);
			if (opt_count && ++seen >= opt_count) {
				ret = CLI_EXIT_NOTHING;
				goto out;
			}
		}
	}

	req = control_request_new(cmd, iface);
	if (req && opt_order)
		json_object_object_add(req, "order", json_object_new_string(opt_order));
	if (req && opt_plate)
		json_object_object_add(req, "plate", json_object_new_string(opt_plate));
	if (req && vin)
		json_object_object_add(req, "vin", json_object_new_string(vin));
	if (req && opt_limit)
		json_object_object_add(req, "limit", json_object_new_int((int)opt_limit));
	rep = call(&c, req, deadline);
	if (!rep)
		goto out;
	if (!is_ok(rep)) {
		/* refused (busy, not a bay, interface down, database refused): not done */
		fprintf(stderr, "%s: %s\n", prog, sget(rep, "error") ? sget(rep, "error") : "failed");
		goto out;
	}
	ret = CLI_EXIT_NOTHING;
	if (cmd == CONTROL_STATUS) {
		if (opt_json)
			printf("%s\n", json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN));
		else
			print_status(rep);
		/* unsaved reports are something the station must act on: not "all well" */
		{
			struct json_object *sp, *v;

			if (json_object_object_get_ex(rep, "spool", &sp) &&
			    json_object_object_get_ex(sp, "reports", &v) && json_object_get_int(v) > 0)
				ret = CLI_EXIT_INCOMPLETE;
		}
	} else if (cmd == CONTROL_LAST) {
		struct json_object *r;

		if (json_object_object_get_ex(rep, "report", &r))
			ret = print_report(r);
	} else if (cmd == CONTROL_HISTORY) {
		char *text = NULL;

		if (opt_json) {
			printf("%s\n", json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN |
								      JSON_C_TO_STRING_NOSLASHESCAPE));
		} else if (history_render_text(rep, opt_lang, &text) < 0) {
			fprintf(stderr, "%s: the daemon's history reply cannot be read\n", prog);
			ret = CLI_EXIT_INCOMPLETE;
		} else {
			fputs(text, stdout);
			free(text);
		}
	} else if (cmd == CONTROL_RELOAD) {
		if (opt_json)
			printf("%s\n", json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN));
		else
			printf("database reloaded: %s\n", sget(rep, "database"));
	} else if (cmd == CONTROL_CHECK) {
		if (!opt_wait) {
			if (opt_json)
				printf("%s\n",
				       json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN));
			else
				printf("%s: check started\n", iface);
			goto out;
		}
		for (;;) {
			const char *ev, *i;
			struct json_object *r;

			o = conn_recv(&c, NULL, deadline);
			if (!o) {
				ret = CLI_EXIT_INCOMPLETE;
				goto out;
			}
			ev = sget(o, "event");
			i = sget(o, "iface");
			if (ev && i && control_event_parse(ev) == CONTROL_EV_CHECK_FINISHED &&
			    strcmp(i, iface) == 0 &&
			    json_object_object_get_ex(o, "report", &r)) {
				ret = print_report(r);
				/* the check was made but its report is not on disk yet: say so,
				 * and do not let a script take it for done */
				if (sget(o, "saved") && strcmp(sget(o, "saved"), "false") == 0) {
					fprintf(stderr, "%s: %s: report not saved: %s; recalld %s\n",
						prog, iface, sget(o, "save_error") ?
						sget(o, "save_error") : "?",
						sget(o, "spooled") && strcmp(sget(o, "spooled"),
									     "true") == 0 ?
						"keeps it in memory and retries" : "could not keep it");
					ret = CLI_EXIT_INCOMPLETE;
				}
				json_object_put(o);
				break;
			}
			json_object_put(o);
		}
	}
out:
	json_object_put(req);
	json_object_put(rep);
	if (c.fd >= 0)
		close(c.fd);
	free(c.buf);
	config_done(&cfg);
	return ret;
}
