/* The check history (plugin/history.c): records, a car's last visit, its checks newest first
 * with what changed, retention — and what the history promises when things go wrong: a process
 * killed at ANY write of a check leaves the history as it was before that check (or with the
 * whole check), never damaged; a full disk fails the one check's entry and nothing else.
 *
 * Writes are cut through a SQLite VFS that wraps the real one (unix): it counts every write to
 * the database, its WAL and its shared memory, and at the Nth either kills the process (SIGKILL,
 * as a crash or `kill -9` would) or answers "disk full" from then on. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "plugin/history.h"
#include "plugin/recall-internal.h"

/* ---- the VFS that cuts writes -------------------------------------------------------------- */

enum cut { CUT_NONE, CUT_KILL, CUT_FULL };

static sqlite3_vfs *real;
static enum cut cut_mode;
static long cut_at;		/* the write that is cut (1-based); 0 = never */
static long writes;

struct cfile {
	sqlite3_file base;
	sqlite3_file *real;	/* follows this struct */
};

static int cut_now(void)
{
	if (cut_mode == CUT_NONE || !cut_at || ++writes < cut_at)
		return 0;
	if (cut_mode == CUT_KILL)
		raise(SIGKILL);
	return 1;
}

#define F(f) (((struct cfile *)(f))->real)

static int c_close(sqlite3_file *f) { return F(f)->pMethods->xClose(F(f)); }
static int c_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
	return F(f)->pMethods->xRead(F(f), b, n, o);
}
static int c_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	if (cut_now())
		return SQLITE_FULL;
	return F(f)->pMethods->xWrite(F(f), b, n, o);
}
static int c_truncate(sqlite3_file *f, sqlite3_int64 s)
{
	return F(f)->pMethods->xTruncate(F(f), s);
}
static int c_sync(sqlite3_file *f, int fl) { return F(f)->pMethods->xSync(F(f), fl); }
static int c_size(sqlite3_file *f, sqlite3_int64 *s) { return F(f)->pMethods->xFileSize(F(f), s); }
static int c_lock(sqlite3_file *f, int l) { return F(f)->pMethods->xLock(F(f), l); }
static int c_unlock(sqlite3_file *f, int l) { return F(f)->pMethods->xUnlock(F(f), l); }
static int c_check(sqlite3_file *f, int *r) { return F(f)->pMethods->xCheckReservedLock(F(f), r); }
static int c_fctl(sqlite3_file *f, int op, void *a)
{
	return F(f)->pMethods->xFileControl(F(f), op, a);
}
static int c_sector(sqlite3_file *f) { return F(f)->pMethods->xSectorSize(F(f)); }
static int c_dev(sqlite3_file *f) { return F(f)->pMethods->xDeviceCharacteristics(F(f)); }
static int c_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	return F(f)->pMethods->xShmMap(F(f), pg, sz, ext, pp);
}
static int c_shmlock(sqlite3_file *f, int off, int n, int fl)
{
	return F(f)->pMethods->xShmLock(F(f), off, n, fl);
}
static void c_shmbarrier(sqlite3_file *f) { F(f)->pMethods->xShmBarrier(F(f)); }
static int c_shmunmap(sqlite3_file *f, int del) { return F(f)->pMethods->xShmUnmap(F(f), del); }
static int c_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **pp)
{
	return F(f)->pMethods->xFetch(F(f), o, n, pp);
}
static int c_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p)
{
	return F(f)->pMethods->xUnfetch(F(f), o, p);
}

static const sqlite3_io_methods cut_io = {
	3, c_close, c_read, c_write, c_truncate, c_sync, c_size, c_lock, c_unlock, c_check,
	c_fctl, c_sector, c_dev, c_shmmap, c_shmlock, c_shmbarrier, c_shmunmap, c_fetch,
	c_unfetch,
};

static int c_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
	struct cfile *cf = (struct cfile *)f;
	int rc;

	(void)v;
	cf->real = (sqlite3_file *)(cf + 1);
	rc = real->xOpen(real, name, cf->real, flags, out);
	f->pMethods = rc == SQLITE_OK && cf->real->pMethods ? &cut_io : NULL;
	return rc;
}

static int c_delete(sqlite3_vfs *v, const char *n, int s)
{
	(void)v;
	return real->xDelete(real, n, s);
}
static int c_access(sqlite3_vfs *v, const char *n, int fl, int *r)
{
	(void)v;
	return real->xAccess(real, n, fl, r);
}
static int c_full(sqlite3_vfs *v, const char *n, int o, char *out)
{
	(void)v;
	return real->xFullPathname(real, n, o, out);
}
static int c_rand(sqlite3_vfs *v, int n, char *o)
{
	(void)v;
	return real->xRandomness(real, n, o);
}
static int c_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return real->xSleep(real, us);
}
static int c_time(sqlite3_vfs *v, double *t)
{
	(void)v;
	return real->xCurrentTime(real, t);
}
static int c_err(sqlite3_vfs *v, int n, char *o)
{
	(void)v;
	return real->xGetLastError(real, n, o);
}
static int c_time64(sqlite3_vfs *v, sqlite3_int64 *t)
{
	(void)v;
	return real->xCurrentTimeInt64(real, t);
}

static sqlite3_vfs cut_vfs;

static int setup(void **state)
{
	(void)state;
	real = sqlite3_vfs_find(NULL);
	cut_vfs = (sqlite3_vfs){
		.iVersion = 2, .mxPathname = real->mxPathname, .zName = "cut",
		.szOsFile = (int)sizeof(struct cfile) + real->szOsFile,
		.xOpen = c_open, .xDelete = c_delete, .xAccess = c_access,
		.xFullPathname = c_full, .xRandomness = c_rand, .xSleep = c_sleep,
		.xCurrentTime = c_time, .xGetLastError = c_err, .xCurrentTimeInt64 = c_time64,
	};
	return sqlite3_vfs_register(&cut_vfs, 0) == SQLITE_OK ? 0 : -1;
}

/* ---- reports to record ---------------------------------------------------------------------- */

#define VIN "WBY1Z41060V512345"
#define T0 1796149680000LL

static struct recall_report *check(int64_t when, enum recall_verdict v, const char *order)
{
	struct recall_report *r = report_new();
	struct recall_fact f;

	assert_non_null(r);
	r->status = RECALL_STATUS_COMPLETE;
	r->started_ms = when - 300;
	r->finished_ms = when;
	assert_int_equal(report_set_str(&r->iface, "vcan0"), 0);
	assert_int_equal(report_set_str(&r->bay_name, "Bühne 1"), 0);
	assert_int_equal(report_set_str(&r->vin, VIN), 0);
	if (order)
		assert_int_equal(report_set_str(&r->order, order), 0);
	assert_int_equal(report_fact_init(&f, "did_cmp"), 0);
	assert_int_equal(report_fact_add(&f, "part", RECALL_PARAM_STRING, "remedied"), 0);
	assert_int_equal(report_fact_add(&f, "value", RECALL_PARAM_STRING,
					 v == RECALL_VERDICT_REMEDIED ? "15.2.0" : "11.0.2"), 0);
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){
		.id = "6112150100", .title = "ConnectedDrive", .verdict = v,
		.reason_code = v == RECALL_VERDICT_REMEDIED ? "remedied" : "open",
		.evidence = v == RECALL_VERDICT_REMEDIED ? "0x61:F189 \"15.2.0\" >= \"15.2.0\"" : NULL,
		.facts = &f, .n_facts = 1 }), 0);
	report_fact_done(&f);
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){
		.id = "0011120800", .title = "Generator", .verdict = RECALL_VERDICT_NOT_AFFECTED }),
			 0);
	return r;
}

static void tmpname(char *buf, size_t n, const char *tag)
{
	snprintf(buf, n, "/tmp/test-plugin-history-%s-%d.db", tag, (int)getpid());
}

static void rm_db(const char *path)
{
	char p[300];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static void add(struct history *h, int64_t when, enum recall_verdict v, const char *order)
{
	struct recall_report *r = check(when, v, order);
	int64_t id;

	assert_int_equal(history_add(h, r, "vcan0-x-1", &id), 0);
	assert_true(id > 0);
	recall_report_free(r);
}

static void test_record_and_query(void **state)
{
	char path[256], *text = NULL;
	struct history *h;
	struct recall_visit v;
	struct json_object *q, *c, *ch;

	(void)state;
	tmpname(path, sizeof(path), "query");
	rm_db(path);
	assert_int_equal(history_open(path, NULL, &h, NULL), 0);
	assert_int_equal(history_last(h, VIN, &v), -ENOENT);
	add(h, T0, RECALL_VERDICT_OPEN, "4700");
	add(h, T0 + 86400000, RECALL_VERDICT_OPEN, NULL);
	add(h, T0 + 2 * 86400000, RECALL_VERDICT_REMEDIED, "4711");
	assert_int_equal(history_last(h, VIN, &v), 0);
	assert_int_equal(v.finished_ms, T0 + 2 * 86400000);
	assert_string_equal(v.bay_name, "Bühne 1");
	assert_string_equal(v.order, "4711");
	assert_int_equal(v.counts[RECALL_VERDICT_REMEDIED], 1);
	assert_int_equal(v.counts[RECALL_VERDICT_NOT_AFFECTED], 1);
	history_visit_done(&v);
	assert_int_equal(history_count(h), 3);

	assert_int_equal(history_query(h, VIN, 10, &q), 0);
	c = json_object_array_get_idx(json_object_object_get(q, "checks"), 0);
	assert_int_equal(json_object_array_length(json_object_object_get(q, "checks")), 3);
	assert_string_equal(json_object_get_string(json_object_object_get(c, "order")), "4711");
	ch = json_object_array_get_idx(json_object_object_get(c, "changes"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(ch, "from")), "open");
	assert_string_equal(json_object_get_string(json_object_object_get(ch, "to")), "remedied");
	assert_string_equal(json_object_get_string(json_object_object_get(ch, "evidence")),
			    "0x61:F189 \"15.2.0\" >= \"15.2.0\"");
	/* the middle check changed nothing; the first has nothing before it */
	c = json_object_array_get_idx(json_object_object_get(q, "checks"), 1);
	assert_int_equal(json_object_array_length(json_object_object_get(c, "changes")), 0);
	assert_int_equal(history_render_text(q, "de", &text), 0);
	assert_non_null(strstr(text, "keine Änderung seit der vorigen Prüfung"));
	assert_non_null(strstr(text, "erste Prüfung dieses Fahrzeugs"));
	assert_non_null(strstr(text, "ConnectedDrive: offen → erledigt"));
	free(text);
	json_object_put(q);

	/* what recallctl prints comes from the daemon's JSON: its strings (a bay name, a title)
	 * reach the terminal without an escape sequence */
	q = json_tokener_parse("{\"vin\":\"W\\u001b[2J\",\"total\":1,\"checks\":[{\"id\":1,"
			       "\"iface\":\"can0\",\"bay_name\":\"B\\u001b]0;x\\u0007\","
			       "\"status\":\"complete\",\"changes\":[{\"campaign\":\"C\","
			       "\"title\":\"t\\u009b2J\",\"from\":\"open\",\"to\":\"remedied\","
			       "\"evidence\":\"e\\u001b[1m\"}]}]}");
	assert_non_null(q);
	assert_int_equal(history_render_text(q, "en", &text), 0);
	assert_null(strchr(text, 0x1b));
	assert_null(strchr(text, 0x07));
	assert_null(strstr(text, "\xc2\x9b"));
	assert_non_null(strstr(text, "C – t\xEF\xBF\xBD" "2J: open → remedied"));
	free(text);
	json_object_put(q);

	/* retention: the first two go */
	{
		uint64_t n = 0;

		assert_int_equal(history_prune(h, T0 + 86400000 + 1, &n), 0);
		assert_int_equal(n, 2);
		assert_int_equal(history_count(h), 1);
		assert_int_equal(history_query(h, VIN, 10, &q), 0);
		assert_int_equal(json_object_get_int(json_object_object_get(q, "total")), 1);
		json_object_put(q);
	}
	history_close(h);

	/* a history from a newer recalld is refused, not misread */
	{
		sqlite3 *db;
		char *err = NULL;

		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(db);
		assert_int_equal(history_open(path, NULL, &h, &err), -EPROTONOSUPPORT);
		assert_non_null(strstr(err, "newer"));
		free(err);
	}
	/* not a database at all */
	{
		FILE *f;
		char *err = NULL;

		rm_db(path);
		f = fopen(path, "w");
		fputs("this is a text file, long enough to have a header's worth of bytes........"
		      "............................................................", f);
		fclose(f);
		assert_true(history_open(path, NULL, &h, &err) < 0);
		assert_non_null(err);
		free(err);
	}
	rm_db(path);
}

static long count_rows(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long n = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void integrity_ok(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Kill the writer at its 1st, 2nd, ... write of one check, until a check gets through whole.
 * Each time, the next open (as the restarted daemon does) finds the earlier checks intact and
 * the cut one either absent or complete with all its verdicts — and records on. */
static void test_killed_at_every_write(void **state)
{
	char path[256];
	long n;
	int cuts = 0;

	(void)state;
	tmpname(path, sizeof(path), "kill");
	for (long at = 1;; at++) {
		struct history *h;
		pid_t pid;
		int status;
		long before, after, verdicts;

		rm_db(path);
		assert_int_equal(history_open(path, NULL, &h, NULL), 0);
		add(h, T0, RECALL_VERDICT_OPEN, "1");
		add(h, T0 + 1, RECALL_VERDICT_OPEN, "2");
		history_close(h);
		before = count_rows(path, "SELECT count(*) FROM checks");
		assert_int_equal(before, 2);

		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct recall_report *r = check(T0 + 2, RECALL_VERDICT_REMEDIED, "3");
			int64_t id;

			if (history_open(path, "cut", &h, NULL) < 0)
				_exit(2);
			cut_mode = CUT_KILL;
			cut_at = at;
			writes = 0;
			(void)history_add(h, r, NULL, &id);
			_exit(0);	/* this many writes did not reach the cut: it is whole */
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		integrity_ok(path);
		after = count_rows(path, "SELECT count(*) FROM checks");
		verdicts = count_rows(path, "SELECT count(*) FROM verdicts WHERE check_id IN "
					    "(SELECT id FROM checks WHERE order_no = '3')");
		if (WIFSIGNALED(status)) {
			assert_int_equal(WTERMSIG(status), SIGKILL);
			cuts++;
			/* all or nothing */
			assert_true(after == before || after == before + 1);
			assert_int_equal(verdicts, after == before ? 0 : 2);
		} else {
			assert_int_equal(WEXITSTATUS(status), 0);
			assert_int_equal(after, before + 1);
			assert_int_equal(verdicts, 2);
		}
		/* and the history takes the next check */
		assert_int_equal(history_open(path, NULL, &h, NULL), 0);
		add(h, T0 + 3, RECALL_VERDICT_OPEN, "4");
		history_close(h);
		assert_int_equal(count_rows(path, "SELECT count(*) FROM checks"), after + 1);
		if (!WIFSIGNALED(status))
			break;
		assert_true(at < 200);	/* a check is a handful of writes */
	}
	/* the cut fell on every write a check makes: there were some */
	printf("history: killed at each of the %d writes of one check, history intact each time\n",
	       cuts);
	assert_true(cuts >= 2);
	n = count_rows(path, "SELECT count(*) FROM checks");
	assert_true(n >= 3);
	rm_db(path);
}

/* Full disk at each write of one check: that check's entry fails with -ENOSPC and a message,
 * the history keeps what it had, and once there is room again the next check is recorded. */
static void test_full_disk(void **state)
{
	char path[256];
	struct history *h;
	int fulls = 0;

	(void)state;
	tmpname(path, sizeof(path), "full");
	rm_db(path);
	assert_int_equal(history_open(path, "cut", &h, NULL), 0);
	add(h, T0, RECALL_VERDICT_OPEN, "1");
	for (long at = 1; at < 200; at++) {
		struct recall_report *r = check(T0 + at, RECALL_VERDICT_REMEDIED, "full");
		uint64_t before = history_count(h);
		int64_t id = -1;
		int ret;

		cut_mode = CUT_FULL;
		cut_at = at;
		writes = 0;
		ret = history_add(h, r, NULL, &id);
		cut_mode = CUT_NONE;
		recall_report_free(r);
		if (ret == 0) {
			assert_int_equal(history_count(h), before + 1);
			break;
		}
		fulls++;
		assert_int_equal(ret, -ENOSPC);
		assert_non_null(strstr(history_error(h), "full"));
		assert_int_equal(history_count(h), before);
		/* room again: the next check is recorded whole */
		add(h, T0 + 1000 + at, RECALL_VERDICT_OPEN, "after");
		assert_int_equal(history_count(h), before + 1);
	}
	printf("history: disk full at each of the %d writes of one check, check refused whole\n",
	       fulls);
	assert_true(fulls >= 1);
	history_close(h);
	integrity_ok(path);
	assert_int_equal(count_rows(path, "SELECT count(*) FROM checks WHERE order_no = 'full'"),
			 1);
	rm_db(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_and_query),
		cmocka_unit_test(test_killed_at_every_write),
		cmocka_unit_test(test_full_disk),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
