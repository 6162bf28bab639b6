/* SPDX-License-Identifier: MIT */
/* recallc: compile recall rule files (rules/README.md) into one database for recalld. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rdb.h"
#include "rules/rule.h"

#define DEFAULT_MAX_DIAGS 100

static int keygen(const char *name)
{
	char id[RDB_KEY_ID_LEN + 1], err[RDB_ERR_MAX] = "";
	int r = rdb_keygen(name, id, err, sizeof(err));

	if (r < 0) {
		fprintf(stderr, "recallc: --keygen: %s\n", err[0] ? err : strerror(-r));
		return 1;
	}
	printf("key %s: %s.key (secret: keep it, sign with recallc --sign) and %s.pub (public: "
	       "put it in the stations' trusted_keys directory)\n", id, name, name);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: recallc FILE... -o DB [--sign NAME.key]   compile rule files into the database DB\n"
		"       recallc --check FILE...                    only check the rule files\n"
		"       recallc --keygen NAME                      make a signing key pair\n"
		"\n"
		"  -o, --output DB   database to write; written to a temporary file in the same\n"
		"                    directory and renamed, so DB is never half-written and is left\n"
		"                    alone when any file has an error\n"
		"  -c, --check       parse and link, write nothing; prints \"rules OK\" on success\n"
		"  -s, --sign KEY    sign the database with the secret key KEY (NAME.key): stations\n"
		"                    that trust NAME.pub (trusted_keys, --trust) then know who made it\n"
		"                    and that nobody changed it since (Ed25519 over the root hash)\n"
		"  --keygen NAME     write a new Ed25519 key pair: NAME.key (secret, mode 0600) and\n"
		"                    NAME.pub (public, for the stations); never overwrites a file\n"
		"  --max-errors N    print at most N diagnostics, then how many more (default 100;\n"
		"                    0 prints all)\n"
		"  -q, --quiet       no summary line\n"
		"  -W, --Werror      treat warnings as errors\n"
		"  -h, --help        this text\n"
		"\n"
		"Every error and warning of every file (the first 100, then a count) is printed on\n"
		"stderr as\n"
		"  FILE:LINE:COL: error: MESSAGE\n"
		"The same files in the same order give a byte-identical database.  VIN list files named\n"
		"by `include file` are read relative to the rule file's directory.  DB is created with\n"
		"mode 0666 less the umask.\n"
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
		{ "sign", required_argument, NULL, 's' },
		{ "keygen", required_argument, NULL, 'K' },
		{ "max-errors", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *output = NULL, *sign_key = NULL, *keygen_name = NULL;
	unsigned long max_diags = DEFAULT_MAX_DIAGS;
	size_t shown = 0;
	bool check = false, quiet = false, werror = false;
	struct rule_compiler *c = NULL;
	size_t n_warn = 0;
	void *buf = NULL;
	size_t len = 0;
	int opt, r, ret = 1;

	while ((opt = getopt_long(argc, argv, "o:cqWs:h", opts, NULL)) != -1) {
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
		case 's':
			sign_key = optarg;
			break;
		case 'K':
			keygen_name = optarg;
			break;
		case 'M': {
			char *end;

			errno = 0;
			max_diags = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-') {
				fprintf(stderr, "recallc: --max-errors '%s': a number (0: all)\n",
					optarg);
				return 2;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (keygen_name) {
		if (optind < argc || output || check || sign_key) {
			fprintf(stderr, "recallc: --keygen NAME takes nothing else (see --help)\n");
			return 2;
		}
		return keygen(keygen_name);
	}
	if (check && sign_key) {
		fprintf(stderr, "recallc: --check writes nothing to sign, drop --sign (see --help)\n");
		return 2;
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

		n_warn += d->severity == RULE_WARNING;
		/* a broken generator can make 100 000 errors: the first ones say what is wrong */
		if (max_diags && shown >= max_diags)
			continue;
		rule_diag_format(d, line, sizeof(line));
		fprintf(stderr, "%s\n", line);
		shown++;
	}
	if (shown < rule_compiler_n_diags(c))
		fprintf(stderr, "recallc: %zu more error(s) and warning(s) not shown "
			"(--max-errors 0 shows all)\n", rule_compiler_n_diags(c) - shown);
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
	if (!check && sign_key) {
		char id[RDB_KEY_ID_LEN + 1], err[RDB_ERR_MAX] = "";

		r = rdb_sign_image(buf, len, sign_key, id, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "recallc: --sign: %s; no database written\n",
				err[0] ? err : strerror(-r));
			goto out;
		}
		if (!quiet)
			printf("signed with key %s (%s)\n", id, sign_key);
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
