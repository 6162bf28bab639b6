/* SPDX-License-Identifier: MIT */
/* recallc: compile recall rule files (rules/README.md) into one database for recalld. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/cli.h"
#include "rules/rdb.h"
#include "rules/rule.h"

#define DEFAULT_MAX_DIAGS 100

static int keygen(const char *name)
{
	char id[RDB_KEY_ID_LEN + 1], err[RDB_ERR_MAX] = "";
	int r = rdb_keygen(name, id, err, sizeof(err));

	if (r < 0) {
		fprintf(stderr, "recallc: --keygen: %s\n", err[0] ? err : strerror(-r));
		return CLI_EXIT_INCOMPLETE;
	}
	printf("key %s: %s.key (secret: keep it, sign with recallc --sign) and %s.pub (public: "
	       "put it in the stations' trusted_keys directory)\n", id, name, name);
	return CLI_EXIT_NOTHING;
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
		"  -V, --version     print the version\n"
		"\n"
		"Every error and warning of every file (the first 100, then a count) is printed on\n"
		"stderr as\n"
		"  FILE:LINE:COL: error: MESSAGE\n"
		"The same files in the same order give a byte-identical database.  VIN list files named\n"
		"by `include file` are read relative to the rule file's directory.  DB is created with\n"
		"mode 0666 less the umask.\n"
		"\n"
		"Exit status: 0 compiled (or checked) cleanly, or the key pair written; 1 errors in the\n"
		"rules, or a rule file that cannot be read (nothing written); 2 usage error; 3 the\n"
		"database or the keys could not be written, or the signing key could not be used.\n");
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
		{ "version", no_argument, NULL, 'V' },
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
	int opt, r, ret = CLI_EXIT_INCOMPLETE;

	while ((opt = getopt_long(argc, argv, "o:cqWs:hV", opts, NULL)) != -1) {
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
			if (errno || *end || end == optarg || optarg[0] == '-')
				return cli_usage_error("recallc", "--max-errors '%s': a number (0: all)",
						       optarg);
			break;
		}
		case 'h':
			usage(stdout);
			return CLI_EXIT_NOTHING;
		case 'V':
			return cli_version("recallc");
		default:
			return cli_usage_hint("recallc");
		}
	}
	if (keygen_name) {
		if (optind < argc || output || check || sign_key)
			return cli_usage_error("recallc", "--keygen NAME takes nothing else");
		return keygen(keygen_name);
	}
	if (check && sign_key)
		return cli_usage_error("recallc", "--check writes nothing to sign, drop --sign");
	if (optind >= argc || (!check && !output) || (check && output))
		return cli_usage_error("recallc", "%s",
				       optind >= argc ? "no rule files given"
				       : check ? "--check writes nothing, drop -o"
					       : "no output: give -o DB or --check");
	r = rule_compiler_new(0, &c);
	if (r < 0) {
		fprintf(stderr, "recallc: %s\n", strerror(-r));
		return CLI_EXIT_INCOMPLETE;
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
		/* errors in the rules are a finding (fix them); a file that cannot be read is
		 * reported as an error of the rules too, with its name */
		ret = rule_compiler_n_errors(c) ? CLI_EXIT_FINDING : CLI_EXIT_INCOMPLETE;
		fprintf(stderr, "recallc: %zu error(s), %zu warning(s); %s\n",
			rule_compiler_n_errors(c), n_warn,
			check ? "rules not OK" : "no database written");
		goto out;
	}
	if (werror && n_warn) {
		ret = CLI_EXIT_FINDING;
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
	ret = CLI_EXIT_NOTHING;
out:
	free(buf);
	rule_compiler_free(c);
	return ret;
}
