/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recall-report: a saved report (the JSON recalld writes, or recall-check --json) for people
 * again — the technician's text or the printable page, in the language asked for.  For a report
 * to reprint, to hand over in English, or one written by an older recalld (schema 1 reports are
 * read too, and --json writes them in the current schema).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/cli.h"
#include "plugin/config.h"
#include "plugin/control.h"
#include "plugin/i18n.h"
#include "plugin/paths.h"
#include "plugin/recall-internal.h"

/* recall_report_from_json's own bound */
#define REPORT_FILE_MAX (4u << 20)

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: recall-report [--html | --json] [--lang LANG] [--workshop NAME] FILE\n"
		"Show a saved check report (recalld's IFACE-TIME-SEQ.json, recall-check --json;\n"
		"FILE - reads standard input) for people: the technician's text (default) or one\n"
		"printable HTML page (A4, self-contained).\n"
		"\n"
		"  --html               the printable page\n"
		"  --json               the report as JSON of the current schema (an older\n"
		"                       report's \"database\" string becomes an object)\n"
		"  --lang LANG          de (default) or en; default from [report] language in %s\n"
		"  --workshop NAME      the workshop's name on the page (default from [report]\n"
		"                       workshop)\n"
		"  -h, --help           this text\n"
		"  -V, --version        print the version\n"
		"\n"
		"Exit status: 0 the report says nothing is to do; 1 it has open, inspect or\n"
		"undetermined campaigns; 2 usage error; 3 its check was not complete, or FILE is\n"
		"unreadable or not a report.\n", RECALLD_CONFIG_PATH);
}

static int read_all(const char *path, char **ret, size_t *ret_len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	size_t len = 0, cap = 65536;
	char *buf;

	if (!f)
		return -errno;
	buf = malloc(cap);
	while (buf) {
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
		if (len == cap) {
			char *nb;

			if (cap > REPORT_FILE_MAX) {
				free(buf);
				buf = NULL;
				errno = EFBIG;
				break;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (f != stdin)
		fclose(f);
	if (!buf)
		return errno == EFBIG ? -EFBIG : -ENOMEM;
	*ret = buf;
	*ret_len = len;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "html", no_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "lang", required_argument, NULL, 'l' },
		{ "workshop", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct recall_render_opts ro = { .size = sizeof(ro) };
	struct recalld_config cfg = { 0 };
	struct recall_report *r = NULL;
	const struct i18n *lang;
	char *data = NULL, *out = NULL;
	bool html = false, json = false;
	size_t len = 0;
	int opt, ret, rc = CLI_EXIT_INCOMPLETE;

	while ((opt = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			html = true;
			break;
		case 'j':
			json = true;
			break;
		case 'l':
			if (i18n_get(optarg, &lang) < 0)
				return cli_usage_error("recall-report", "--lang: no catalogue for '%s' "
						       "(known: %s)", optarg, i18n_known());
			ro.language = i18n_code(lang);
			break;
		case 'W':
			if (!control_text_ok(optarg, strlen(optarg), CONFIG_NAME_MAX))
				return cli_usage_error("recall-report", "--workshop: at most %d bytes, "
						       "one line", CONFIG_NAME_MAX);
			ro.workshop = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_NOTHING;
		case 'V':
			return cli_version("recall-report");
		default:
			return cli_usage_hint("recall-report");
		}
	}
	if (optind + 1 != argc || (html && json))
		return cli_usage_error("recall-report", "%s",
				       html && json ? "--html or --json, not both" : "one FILE");
	ret = read_all(argv[optind], &data, &len);
	if (ret < 0) {
		fprintf(stderr, "recall-report: %s: %s\n", argv[optind],
			ret == -EFBIG ? "larger than a report can be" : strerror(-ret));
		return CLI_EXIT_INCOMPLETE;
	}
	/* a report file ends with a newline or not; JSON allows trailing blanks, the parser not */
	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
		len--;
	ret = recall_report_from_json(data, len, &r);
	if (ret < 0) {
		fprintf(stderr, "recall-report: %s: not a check report (%s)\n", argv[optind],
			strerror(-ret));
		goto out;
	}
	config_station_settings(&cfg, &ro.language, &ro.workshop);
	ret = json ? recall_report_to_json(r, &out)
		   : recall_report_render(r, html ? RECALL_FORMAT_HTML : RECALL_FORMAT_TEXT, &ro,
					  &out);
	if (ret < 0) {
		fprintf(stderr, "recall-report: %s\n", strerror(-ret));
		goto out;
	}
	fputs(out, stdout);
	if (json)
		putchar('\n');
	rc = report_exit_status(r);
out:
	free(out);
	free(data);
	recall_report_free(r);
	config_done(&cfg);
	return rc;
}
