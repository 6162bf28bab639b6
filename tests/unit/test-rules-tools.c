/* The rules tools as a user runs them (recallc, recall-check from this build tree, found next to
 * this test as ../../bin/): keys and signatures end to end, the printed-error cap, the umask,
 * VIN list comments, and what recall-check lists by default and with --all. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "rules/rdb-format.h"
#include "tests/lib/rdb-reseal.h"
#include "tests/lib/tool-run.h"

static char dir[] = "/tmp/test-rules-tools.XXXXXX";
static struct tool_env env;

#define run(...) tool_run(&env, __VA_ARGS__)

static void write_file(const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char seed[] =
	"campaign \"C1\" { title \"ConnectedDrive\"; recognition vehicle_diagnosis;\n"
	"  affected wmi in {\"WBY\"}; }\n"
	"campaign \"C2\" { title \"Generator\"; recognition vehicle_diagnosis;\n"
	"  affected wmi in {\"WBA\"}; }\n"
	"campaign \"C3\" { title \"Lenkung\"; recognition vehicle_diagnosis;\n"
	"  include file \"list.txt\"; }\n";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	return tool_env_init(&env, dir);
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_list_comments_and_umask(void **state)
{
	char path[PATH_MAX];
	struct stat st;
	mode_t old;

	(void)state;
	write_file("seed.rules", seed);
	/* comments after a VIN, own-line comments, blank lines, CRLF */
	write_file("list.txt", "# campaign C3\nWBA8E51060K734560   # first car\r\n\n"
			       "WBA8E51060K734561#second\n  # end\n");
	old = umask(027);
	assert_int_equal(run("recallc", "seed.rules", "-o", "seed.rdb", NULL), 0);
	umask(old);
	assert_non_null(strstr(env.out, "seed.rdb: 3 campaign(s)"));
	snprintf(path, sizeof(path), "%s/seed.rdb", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(run("recall-check", "--vin", "WBA8E51060K734561", "--db", "seed.rdb",
			     "--json", NULL), 1);
	assert_non_null(strstr(env.out, "\"id\":\"C3\",\"title\":\"Lenkung\""));
}

static void test_error_cap(void **state)
{
	char *r = malloc(150 * 64 + 64), *q = r;
	int lines = 0;

	(void)state;
	assert_non_null(r);
	for (int i = 0; i < 150; i++)
		q += sprintf(q, "campaign \"E%03d\" { titel \"x\"; }\n", i);
	write_file("errors.rules", r);
	free(r);
	/* 150 errors: the first 100, then how many more */
	assert_int_equal(run("recallc", "--check", "errors.rules", NULL), 1);
	for (const char *s = env.err; (s = strstr(s, "errors.rules:")); s++)
		lines++;
	assert_int_equal(lines, 100);
	assert_non_null(strstr(env.err, "recallc: 50 more error(s) and warning(s) not shown "
				    "(--max-errors 0 shows all)"));
	assert_non_null(strstr(env.err, "recallc: 150 error(s), 0 warning(s); rules not OK"));
	assert_int_equal(run("recallc", "--check", "--max-errors", "0", "errors.rules", NULL), 1);
	assert_null(strstr(env.err, "not shown"));
	assert_int_equal(run("recallc", "--check", "--max-errors", "x", "errors.rules", NULL), 2);
}

static void test_listing(void **state)
{
	(void)state;
	/* default: what concerns the car, and a count of the rest */
	assert_int_equal(run("recall-check", "--vin", "WBY1Z41060V512345", "--db", "seed.rdb",
			     NULL), 1);
	assert_non_null(strstr(env.out, "[OFFEN] C1"));
	assert_null(strstr(env.out, "C2"));
	assert_non_null(strstr(env.out, "2 weitere Aktionen, nicht aufgeführt"));
	assert_int_equal(run("recall-check", "--vin", "WBY1Z41060V512345", "--db", "seed.rdb",
			     "--json", NULL), 1);
	assert_non_null(strstr(env.out, "\"not_affected_omitted\":2"));
	assert_non_null(strstr(env.out, "\"not_affected\":2"));
	/* --all: every campaign */
	assert_int_equal(run("recall-check", "--vin", "WBY1Z41060V512345", "--db", "seed.rdb",
			     "--all", NULL), 1);
	assert_non_null(strstr(env.out, "[NICHT BETROFFEN] C2"));
	assert_non_null(strstr(env.out, "[NICHT BETROFFEN] C3"));
	assert_null(strstr(env.out, "nicht aufgeführt"));
	assert_int_equal(run("recall-check", "--help", NULL), 0);
	assert_non_null(strstr(env.out, "--all                list every campaign"));
}

static void test_signed_end_to_end(void **state)
{
	char path[PATH_MAX], id[RDB_KEY_ID_LEN + 1];
	uint8_t *b;
	size_t len;
	FILE *f;

	(void)state;
	assert_int_equal(run("recallc", "--keygen", "werk", NULL), 0);
	assert_true(sscanf(env.out, "key %16s", id) == 1);
	/* could not write the key (exit 3, as every tool for "could not") */
	assert_int_equal(run("recallc", "--keygen", "werk", NULL), 3);
	assert_non_null(strstr(env.err, "exists, not overwritten"));
	assert_int_equal(
		run("recallc", "--sign", "werk.key", "seed.rules", "-o", "signed.rdb", NULL), 0);
	assert_non_null(strstr(env.out, id));

	/* not trusted, then trusted: the key id in the report either way */
	assert_int_equal(run("recall-check", "--vin", "WBY1Z41060V512345", "--db", "signed.rdb",
			     NULL), 1);
	assert_non_null(strstr(env.out, "signiert mit Schlüssel"));
	assert_non_null(strstr(env.out, id));
	assert_non_null(strstr(env.out, "Schlüssel NICHT vertrauenswürdig"));
	assert_int_equal(run("recall-check", "--vin", "WBY1Z41060V512345", "--db", "signed.rdb",
			     "--trust", "werk.pub", "--require-signature", NULL), 1);
	assert_non_null(strstr(env.out, "(werk), vertrauenswürdig"));
	assert_non_null(strstr(env.out, "[OFFEN] C1"));
	/* the report's JSON names the signer as data (issue 13: database as an object) */
	{
		char want[128];

		assert_int_equal(run("recall-check", "--vin", "WBY1Z41060V512345", "--db",
				     "signed.rdb", "--trust", "werk.pub", "--json", NULL), 1);
		snprintf(want, sizeof(want), "\"signer\":{\"key_id\":\"%s\",\"name\":\"werk\","
			 "\"state\":\"trusted\"}", id);
		assert_non_null(strstr(env.out, want));
		assert_non_null(strstr(env.out, "\"database\":{\"path\":\"signed.rdb\","));
	}
	/* a database refused: could not check, exit 3 (never 1, a finding) */
	assert_int_equal(run("recall-check", "--vin", "WBY1Z41060V512345", "--db", "seed.rdb",
			     "--trust", ".", "--require-signature", NULL), 3);
	assert_non_null(strstr(env.err, "not signed, and a signature is required"));

	/* C1's WMI changed and every hash recomputed: refused, the old signature does not fit */
	snprintf(path, sizeof(path), "%s/signed.rdb", dir);
	f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	b = aligned_alloc(8, len);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, len, f), len);
	{
		const struct rdb_header *h = (const void *)b;

		for (uint32_t i = 0; i < h->n_sections; i++) {
			const struct rdb_section *s = (const void *)(b + h->section_table +
								     i * h->section_size);

			if (s->id == RDB_SEC_NODES)
				for (uint64_t k = 0; k < s->count; k++) {
					struct rdb_node *n = (void *)(b + s->offset +
								      k * s->entry_size);

					if (n->op == RDB_OP_WMI_IN)
						n->op = RDB_OP_FALSE;
				}
		}
	}
	assert_int_equal(rdb_test_reseal(b, len), 0);
	rewind(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	free(b);
	assert_int_equal(run("recall-check", "--vin", "WBY1Z41060V512345", "--db", "signed.rdb",
			     "--trust", "werk.pub", "--require-signature", NULL), 3);
	assert_non_null(strstr(env.err, "does not verify"));
	assert_string_equal(env.out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_comments_and_umask),
		cmocka_unit_test(test_error_cap),
		cmocka_unit_test(test_listing),
		cmocka_unit_test(test_signed_end_to_end),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
