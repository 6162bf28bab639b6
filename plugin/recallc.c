/* SPDX-License-Identifier: MIT */
/* recallc: compile recall rule files (rules/README.md) into one database for recalld. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rdb.h"
#include "rules/rule.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: recallc FILE... -o DB     compile rule files into the database DB\n"
		"       recallc --check FILE...   only check the rule files\n"
		"\n"
		"  -o, --output DB   database to write; written to a temporary file in the same\n"
		"                    directory and renamed, so DB is never half-written and is left\n"
		"                    alone when any file has an error\n"
		"  -c, --check       parse and link, write nothing; prints \"rules OK\" on success\n"
		"  -q, --quiet       no summary line\n"
		"  -W, --Werror      treat warnings as errors\n"
		"  -h, --help        this text\n"
		"\n"
		"Every error and warning of every file is printed on stderr as\n"
		"  FILE:LINE:COL: error: MESSAGE\n"
		"The same files in the same order give a byte-identical database.  VIN list files named\n"
		"by `include file` are read relative to the rule file's directory.\n"
		"\n"
		"Exit status: 0 compiled (or checked) cleanly, 1 errors in the rules or the output\n"
		"could not be written, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "Werror", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *output = NULL;
	bool check = false, quiet = false, werror = false;
	struct rule_compiler *c = NULL;
	size_t n_warn = 0;
	void *buf = NULL;
	size_t len = 0;
	int opt, r, ret = 1;

	while ((opt = getopt_long(argc, argv, "o:cqWh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			output = optarg;
			break;
		case 'c':
			check = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'W':
			werror = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc || (!check && !output) || (check && output)) {
		fprintf(stderr, "recallc: %s (see --help)\n",
			optind >= argc ? "no rule files given"
			: check ? "--check writes nothing, drop -o" : "no output: give -o DB or --check");
		return 2;
	}
	r = rule_compiler_new(0, &c);
	if (r < 0) {
		fprintf(stderr, "recallc: %s\n", strerror(-r));
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		r = rule_compiler_add_file(c, argv[i]);
		if (r == -ENOMEM)
			break;
	}
	if (r != -ENOMEM && rule_compiler_n_errors(c) == 0)
		r = rule_compiler_build(c, &buf, &len);
	for (size_t i = 0; i < rule_compiler_n_diags(c); i++) {
		const struct rule_diag *d = rule_compiler_diag(c, i);
		char line[1024];

		rule_diag_format(d, line, sizeof(line));
		fprintf(stderr, "%s\n", line);
		n_warn += d->severity == RULE_WARNING;
	}
	if (r == -ENOMEM) {
		fprintf(stderr, "recallc: out of memory\n");
		goto out;
	}
	if (rule_compiler_n_errors(c) || r < 0) {
		fprintf(stderr, "recallc: %zu error(s), %zu warning(s); %s\n",
			rule_compiler_n_errors(c), n_warn,
			check ? "rules not OK" : "no database written");
		goto out;
	}
	if (werror && n_warn) {
		fprintf(stderr, "recallc: %zu warning(s) treated as errors; %s\n", n_warn,
			check ? "rules not OK" : "no database written");
		goto out;
	}
	if (!check) {
		r = rdb_write_file(output, buf, len);
		if (r < 0) {
			fprintf(stderr, "recallc: %s: cannot write: %s\n", output, strerror(-r));
			goto out;
		}
	}
	if (!quiet) {
		if (check)
			printf("rules OK: %zu campaign(s), %zu warning(s)\n",
			       rule_compiler_n_campaigns(c), n_warn);
		else
			printf("%s: %zu campaign(s), %zu bytes, %zu warning(s)\n", output,
			       rule_compiler_n_campaigns(c), len, n_warn);
	}
	ret = 0;
out:
	free(buf);
	rule_compiler_free(c);
	return ret;
}
