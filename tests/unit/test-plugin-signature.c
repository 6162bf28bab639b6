/* recalld with `trusted_keys` and `require_signature = yes`, as an administrator runs it (needs no
 * CAN: no interface matches the bays): the signer in `recallctl status`, a database that is not
 * signed by a trusted key refused at start (`recalld -n`, and the daemon does not start) and on
 * reload — the old database kept, also against a resealed copy of the trusted one. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "rules/rdb-format.h"
#include "tests/lib/rdb-reseal.h"
#include "tests/lib/tool-run.h"

static char dir[] = "/tmp/test-plugin-signature.XXXXXX";
static struct tool_env env;
static char key_id[RDB_KEY_ID_LEN + 1];

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

static int setup(void **state)
{
	char conf[2048];

	(void)state;
	if (!mkdtemp(dir) || tool_env_init(&env, dir) < 0)
		return -1;
	write_file("seed.rules", "campaign \"C1\" { title \"ConnectedDrive\"; "
		   "recognition vehicle_diagnosis; affected wmi in {\"WBY\"}; }\n");
	if (tool_run(&env, "recallc", "--keygen", "werk", NULL) != 0 ||
	    sscanf(env.out, "key %16s", key_id) != 1 ||
	    tool_run(&env, "recallc", "--keygen", "other", NULL) != 0 ||
	    tool_run(&env, "recallc", "-q", "--sign", "werk.key", "seed.rules", "-o", "signed.rdb",
		     NULL) != 0 ||
	    tool_run(&env, "recallc", "-q", "--sign", "other.key", "seed.rules", "-o",
		     "other.rdb", NULL) != 0 ||
	    tool_run(&env, "recallc", "-q", "seed.rules", "-o", "unsigned.rdb", NULL) != 0)
		return -1;
	snprintf(conf, sizeof(conf), "%s/keys", dir);
	if (mkdir(conf, 0755) < 0)
		return -1;
	snprintf(conf, sizeof(conf), "cp '%s/werk.pub' '%s/keys/'", dir, dir);
	if (system(conf) != 0)
		return -1;
	snprintf(conf, sizeof(conf),
		 "[recalld]\ndatabase = %s/recalls.rdb\nreport_dir = %s/reports\nuser = root\n"
		 "trusted_keys = %s/keys\nrequire_signature = yes\n"
		 "[bays]\ninterfaces = nosuchbay*\n[triggers]\non_appear = no\non_traffic = no\n"
		 "[control]\nsocket = %s/control.sock\n", dir, dir, dir, dir);
	write_file("recalld.conf", conf);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* recallc's way of replacing a database: a rename, so a reader never sees half a file */
static void install_db(const char *from)
{
	char a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s/%s", dir, from);
	snprintf(b, sizeof(b), "%s/recalls.rdb.new", dir);
	{
		char cmd[3 * PATH_MAX];

		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", a, b);
		assert_int_equal(system(cmd), 0);
	}
	snprintf(a, sizeof(a), "%s/recalls.rdb", dir);
	assert_int_equal(rename(b, a), 0);
}

static void test_check_config(void **state)
{
	(void)state;
	install_db("unsigned.rdb");
	assert_int_equal(tool_run(&env, "recalld", "-n", "-c", "recalld.conf", NULL), 3);
	assert_non_null(strstr(env.err, "not signed, and a signature is required"));
	install_db("other.rdb");
	assert_int_equal(tool_run(&env, "recalld", "-n", "-c", "recalld.conf", NULL), 3);
	assert_non_null(strstr(env.err, "which is not a trusted key"));
	install_db("signed.rdb");
	assert_int_equal(tool_run(&env, "recalld", "-n", "-c", "recalld.conf", NULL), 0);
	assert_non_null(strstr(env.out, "configuration OK"));
	/* the daemon itself does not start on an unsigned database */
	install_db("unsigned.rdb");
	assert_int_equal(tool_run(&env, "recalld", "-c", "recalld.conf", NULL), 3);
}

/* The trusted database with C1's WMI condition replaced, every hash recomputed, the old
 * signature left: what someone with write access to the file could do. */
static void make_resealed(void)
{
	char path[PATH_MAX];
	uint8_t *b;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/signed.rdb", dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	b = aligned_alloc(8, len);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, len, f), len);
	fclose(f);
	{
		const struct rdb_header *h = (const void *)b;

		for (uint32_t i = 0; i < h->n_sections; i++) {
			const struct rdb_section *s = (const void *)(b + h->section_table +
								     i * h->section_size);

			for (uint64_t k = 0; s->id == RDB_SEC_NODES && k < s->count; k++) {
				struct rdb_node *n = (void *)(b + s->offset + k * s->entry_size);

				if (n->op == RDB_OP_WMI_IN)
					n->op = RDB_OP_FALSE;
			}
		}
	}
	assert_int_equal(rdb_test_reseal(b, len), 0);
	snprintf(path, sizeof(path), "%s/resealed.rdb", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	free(b);
}

static void wait_socket(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/control.sock", dir);
	for (int i = 0; i < 200 && access(path, F_OK) != 0; i++)
		usleep(50 * 1000);
	assert_int_equal(access(path, F_OK), 0);
}

static void test_reload_keeps_old(void **state)
{
	const char *argv[] = { NULL, "-c", "recalld.conf", NULL };
	char log[PATH_MAX];
	int fd, st;
	pid_t pid;

	(void)state;
	make_resealed();
	install_db("signed.rdb");
	snprintf(log, sizeof(log), "%s/recalld.log", dir);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	pid = tool_spawn(&env, "recalld", argv, fd, fd);
	close(fd);
	assert_true(pid > 0);
	wait_socket();

	assert_int_equal(tool_run(&env, "recallctl", "-s", "control.sock", "status", NULL), 0);
	assert_non_null(strstr(env.out, "signed by key"));
	assert_non_null(strstr(env.out, key_id));
	assert_non_null(strstr(env.out, "(trusted: werk)"));

	/* unsigned, signed by a key not trusted, resealed: each refused, the old one kept */
	install_db("unsigned.rdb");
	assert_int_not_equal(tool_run(&env, "recallctl", "-s", "control.sock", "reload", NULL), 0);
	assert_non_null(strstr(env.err, "not signed, and a signature is required"));
	install_db("other.rdb");
	assert_int_not_equal(tool_run(&env, "recallctl", "-s", "control.sock", "reload", NULL), 0);
	assert_non_null(strstr(env.err, "not a trusted key"));
	install_db("resealed.rdb");
	assert_int_not_equal(tool_run(&env, "recallctl", "-s", "control.sock", "reload", NULL), 0);
	assert_non_null(strstr(env.err, "does not verify"));
	assert_int_equal(tool_run(&env, "recallctl", "-s", "control.sock", "status", NULL), 0);
	assert_non_null(strstr(env.out, "(trusted: werk)"));

	/* the trusted one again: accepted */
	install_db("signed.rdb");
	assert_int_equal(tool_run(&env, "recallctl", "-s", "control.sock", "reload", NULL), 0);

	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_config),
		cmocka_unit_test(test_reload_keeps_old),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
