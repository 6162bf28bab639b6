/* SPDX-License-Identifier: MIT */
/*
 * rules-bench: open time and match latency of a compiled database, and the same data and queries
 * in SQLite set up as well as a user would (see below), in the same run.
 *
 *   rules-bench DB QUERIES [SQLITE_FILE]    everything; SQLITE_FILE is (re)built from DB
 *   rules-bench --open DB                   only the open time (median of 101)
 *
 * SQLite, the fair baseline: one table of listed VINs (vin, campaign, exclude) and one of index
 * keys (WMI, WMI + model code, or '' for campaigns every VIN must see), both WITHOUT ROWID so
 * the primary key is the B-tree, loaded in key order, ANALYZE run; at query time mmap_size and
 * cache_size larger than the file, one prepared statement (a UNION ALL of both look-ups, so one
 * query per VIN), stepped and reset per lookup.  It only finds the candidate campaigns — it
 * evaluates no rule — so the ratio flatters SQLite.  Prints key: value lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rules/rdb-handle.h"
#include "rules/rdb.h"
#include "rules/vin.h"

#ifdef HAVE_SQLITE
#include <sqlite3.h>
#endif

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	double median_ns, p99_ns, mean_ns;
};

static struct stats summarize(uint64_t *t, size_t n)
{
	struct stats s = { 0 };
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += t[i];
	qsort(t, n, sizeof(*t), u64cmp);
	s.median_ns = (double)t[n / 2];
	s.p99_ns = (double)t[(size_t)((double)n * 0.99)];
	s.mean_ns = (double)sum / (double)n;
	return s;
}

static char (*load_queries(const char *path, size_t *ret_n))[18]
{
	FILE *f = fopen(path, "r");
	char line[64], (*q)[18] = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (strlen(line) < 17)
			continue;
		if (n == cap) {
			void *p;

			cap = cap ? cap * 2 : 1 << 16;
			p = realloc(q, cap * sizeof(*q));
			if (!p) {
				free(q);
				fclose(f);
				return NULL;
			}
			q = p;
		}
		memcpy(q[n], line, 17);
		q[n++][17] = 0;
	}
	fclose(f);
	*ret_n = n;
	return q;
}

/* How much of this process's anonymous memory is in transparent huge pages (kB), -1 unknown. */
static long anon_huge_kb(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static double open_median_ms(const char *path, int runs)
{
	uint64_t *t = calloc((size_t)runs, sizeof(*t));
	char err[RDB_ERR_MAX];
	double ms;

	if (!t)
		return -1;
	for (int i = 0; i < runs; i++) {
		struct rdb *db;
		uint64_t a = now_ns();

		if (rdb_open(path, &db, err, sizeof(err)) < 0) {
			fprintf(stderr, "rules-bench: %s\n", err);
			free(t);
			return -1;
		}
		t[i] = now_ns() - a;
		rdb_close(db);
	}
	qsort(t, (size_t)runs, sizeof(*t), u64cmp);
	ms = (double)t[runs / 2] / 1e6;
	free(t);
	return ms;
}

#ifdef HAVE_SQLITE
static const char alphabet[] = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

static int sql(sqlite3 *s, const char *stmt)
{
	char *err = NULL;

	if (sqlite3_exec(s, stmt, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "rules-bench: sqlite: %s: %s\n", stmt, err);
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

struct group {
	uint64_t prefix;
	const uint64_t *e;
	uint32_t n;
};

static int group_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct group *)a)->prefix, y = ((const struct group *)b)->prefix;

	return x < y ? -1 : x > y;
}

/* The VINs sorted, the order a clustered B-tree loads fastest (db fully verified: in memory, and
 * the groups well-formed, rdb-format.h). */
static int export_vins(const struct rdb *db, sqlite3_stmt *ins)
{
	const uint64_t *w = (const void *)(db->mem + db->sec[RDB_SEC_VIN_GROUPS].off);
	const uint64_t *ent = (const void *)(db->mem + db->sec[RDB_SEC_VIN_ENTRIES].off);
	size_t n_w = db->sec[RDB_SEC_VIN_GROUPS].count, n = 0;
	struct group *g = malloc((n_w / 2 + 1) * sizeof(*g));
	int r = -1;

	if (!g)
		return -1;
	for (size_t p = 0; p < n_w; n++) {
		uint32_t k = (uint32_t)(w[p] >> 56);

		g[n].prefix = w[p] & RDB_GROUP_PREFIX_MASK;
		if (k) {
			g[n].e = w + p + 1;
			g[n].n = k;
			p += 1 + k;
		} else {
			g[n].e = ent + (uint32_t)w[p + 2];
			g[n].n = (uint32_t)w[p + 1];
			p += 3;
		}
	}
	qsort(g, n, sizeof(*g), group_cmp);
	for (size_t k = 0; k < n; k++) {
		uint64_t p = g[k].prefix;
		char vin[18];

		for (int i = 10; i >= 0; i--) {
			vin[i] = alphabet[p % 33];
			p /= 33;
		}
		vin[17] = 0;
		for (uint32_t e = 0; e < g[k].n; e++) {
			uint32_t s = (uint32_t)(g[k].e[e] >> 32), ref = (uint32_t)g[k].e[e];

			for (int i = 16; i >= 11; i--) {
				vin[i] = alphabet[s % 33];
				s /= 33;
			}
			sqlite3_bind_text(ins, 1, vin, 17, SQLITE_STATIC);
			sqlite3_bind_int(ins, 2, (int)(ref >> 1));
			sqlite3_bind_int(ins, 3, (int)(ref & 1));
			if (sqlite3_step(ins) != SQLITE_DONE)
				goto out;
			sqlite3_reset(ins);
		}
	}
	r = 0;
out:
	free(g);
	return r;
}

static int export_keys(const struct rdb *db, sqlite3_stmt *ins)
{
	const struct rdb_wmi_ent *w = (const void *)(db->mem + db->sec[RDB_SEC_WMI_INDEX].off);
	const uint32_t *cand = (const void *)(db->mem + db->sec[RDB_SEC_CANDIDATES].off);
	const uint32_t *gen = (const void *)(db->mem + db->sec[RDB_SEC_GENERIC].off);

	for (uint64_t i = 0; i < db->sec[RDB_SEC_WMI_INDEX].count; i++) {
		char key[6];
		int kl = 3;

		if (w[i].wmi < RDB_KEY5_BASE) {
			rdb_unpack_wmi(w[i].wmi, key);
		} else {
			/* the candidate index also keys on VIN positions 1-5 (WMI + model code) */
			uint32_t v = w[i].wmi - RDB_KEY5_BASE;

			for (int k = 4; k >= 0; k--) {
				key[k] = alphabet[v % 33];
				v /= 33;
			}
			key[5] = 0;
			kl = 5;
		}
		for (uint32_t k = 0; k < w[i].count; k++) {
			sqlite3_bind_text(ins, 1, key, kl, SQLITE_TRANSIENT);
			sqlite3_bind_int(ins, 2, (int)cand[w[i].start + k]);
			if (sqlite3_step(ins) != SQLITE_DONE)
				return -1;
			sqlite3_reset(ins);
		}
	}
	for (uint64_t i = 0; i < db->sec[RDB_SEC_GENERIC].count; i++) {
		sqlite3_bind_text(ins, 1, "", 0, SQLITE_STATIC);
		sqlite3_bind_int(ins, 2, (int)gen[i]);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return -1;
		sqlite3_reset(ins);
	}
	return 0;
}

static int bench_sqlite(const struct rdb *db, const char *path, char (*q)[18], size_t nq,
			uint64_t *t, struct stats *ret, double *build_s, double *bytes_per_vin)
{
	sqlite3 *s = NULL;
	sqlite3_stmt *ins = NULL, *look = NULL;
	uint64_t t0, rows = 0;
	struct stat st;
	char pragma[128];
	int r = -1;

	unlink(path);
	if (sqlite3_open(path, &s) != SQLITE_OK)
		goto out;
	t0 = now_ns();
	if (sql(s, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;"
		   "CREATE TABLE listed(vin TEXT NOT NULL, campaign INTEGER NOT NULL, "
		   "exclude INTEGER NOT NULL, PRIMARY KEY(vin, campaign)) WITHOUT ROWID;"
		   "CREATE TABLE candidates(key TEXT NOT NULL, campaign INTEGER NOT NULL, "
		   "PRIMARY KEY(key, campaign)) WITHOUT ROWID; BEGIN") < 0)
		goto out;
	if (sqlite3_prepare_v2(s, "INSERT INTO listed VALUES(?1, ?2, ?3)", -1, &ins, NULL) !=
	    SQLITE_OK || export_vins(db, ins) < 0)
		goto out;
	sqlite3_finalize(ins);
	ins = NULL;
	if (sqlite3_prepare_v2(s, "INSERT OR IGNORE INTO candidates VALUES(?1, ?2)", -1, &ins,
			       NULL) != SQLITE_OK || export_keys(db, ins) < 0)
		goto out;
	if (sql(s, "COMMIT; ANALYZE;") < 0)
		goto out;
	*build_s = (double)(now_ns() - t0) / 1e9;
	sqlite3_finalize(ins);
	ins = NULL;
	sqlite3_close(s);
	s = NULL;
	if (stat(path, &st) < 0)
		goto out;
	*bytes_per_vin = (double)st.st_size /
			 (double)(rdb_listed_vin_count(db) ? rdb_listed_vin_count(db) : 1);

	/* a fresh connection, as an application would open it to answer questions */
	if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	snprintf(pragma, sizeof(pragma), "PRAGMA mmap_size=%lld; PRAGMA cache_size=-%lld;",
		 (long long)st.st_size * 2, (long long)st.st_size / 1024 * 2);
	if (sql(s, pragma) < 0)
		goto out;
	if (sqlite3_prepare_v3(s,
		    "SELECT campaign, exclude FROM listed WHERE vin = ?1 "
		    "UNION ALL SELECT campaign, 0 FROM candidates WHERE key IN (?2, ?3, '')",
		    -1, SQLITE_PREPARE_PERSISTENT, &look, NULL) != SQLITE_OK)
		goto out;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nq; i++) {
			uint64_t a = now_ns();

			sqlite3_bind_text(look, 1, q[i], 17, SQLITE_STATIC);
			sqlite3_bind_text(look, 2, q[i], 3, SQLITE_STATIC);
			sqlite3_bind_text(look, 3, q[i], 5, SQLITE_STATIC);
			while (sqlite3_step(look) == SQLITE_ROW)
				rows += (uint64_t)sqlite3_column_int(look, 0) + 1;
			sqlite3_reset(look);
			t[i] = now_ns() - a;
		}
	}
	*ret = summarize(t, nq);
	r = rows ? 0 : -1;	/* rows keeps the loop from being optimised away */
	if (!rows)
		fprintf(stderr, "rules-bench: sqlite returned nothing\n");
out:
	if (r < 0 && s)
		fprintf(stderr, "rules-bench: sqlite: %s\n", sqlite3_errmsg(s));
	sqlite3_finalize(ins);
	sqlite3_finalize(look);
	sqlite3_close(s);
	return r;
}
#endif

/*
 * What one cache miss costs on this machine: a chain of dependent reads at random over memory
 * the size of the database, in CPU time per read (a loaded machine's waits for the CPU are not
 * counted; its cache and memory contention are).  For scale: a lookup makes one read of this
 * kind (its bucket, format 4; a VIN in a group of more than 16 one more), which prefetching
 * overlaps with the rest of the match but does not make free.
 */
static double miss_ns(size_t bytes)
{
	size_t n = bytes / 64, steps = 1000000, p = 0;
	struct timespec a, b;
	uint64_t *m, x = 88172645463325252ull;
	uint32_t *perm;

	if (n < 2)
		return 0;
	m = malloc(n * 64);
	perm = malloc(n * sizeof(*perm));
	if (!m || !perm) {
		free(m);
		free(perm);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j;
		uint32_t t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (size_t)(x % (i + 1));
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	/* one cycle through every cache line, in random order */
	for (size_t i = 0; i < n; i++)
		m[(size_t)perm[i] * 8] = (uint64_t)perm[(i + 1) % n] * 8;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	for (size_t i = 0; i < steps; i++)
		p = m[p];
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	/* p is used, so the chain is not optimised away */
	if (p == SIZE_MAX)
		printf("\n");
	free(m);
	free(perm);
	return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) /
	       (double)steps;
}

/*
 * What the timer around each match costs by itself: the same two clock_gettime calls with
 * nothing between them, as many times as there are lookups.  Every match sample includes it
 * (30-40 ns on a VM's kvm-clock); the figures "less the timer" subtract its median, labelled as
 * such, next to the raw ones.
 */
static struct stats timer_cost(uint64_t *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t a = now_ns();

		t[i] = now_ns() - a;
	}
	return summarize(t, n);
}

/* Queries alternate: even = listed VIN, odd = unlisted.  PASSES passes; the last is kept. */
static int measure(const struct rdb *db, char (*q)[18], size_t nq, int passes, uint64_t *t,
		   uint64_t *th, uint64_t *tm, size_t *ret_nh, size_t *ret_nm, size_t *results,
		   size_t *hits_found)
{
	static struct rdb_result res[64];
	size_t nh = 0, nm = 0;

	for (int pass = 0; pass < passes; pass++) {
		nh = nm = 0;
		*hits_found = 0;
		for (size_t i = 0; i < nq; i++) {
			struct rdb_vehicle v = { .vin = q[i] };
			uint64_t a = now_ns();
			int n = rdb_match(db, &v, 0, res, 64);

			t[i] = now_ns() - a;
			if (n < 0) {
				fprintf(stderr, "rules-bench: match: %s\n", rdb_error(db));
				return -1;
			}
			*results += (size_t)n;
			if (i % 2 == 0) {
				th[nh++] = t[i];
				*hits_found += n > 0;
			} else {
				tm[nm++] = t[i];
			}
		}
	}
	*ret_nh = nh;
	*ret_nm = nm;
	return 0;
}

int main(int argc, char **argv)
{
	char err[RDB_ERR_MAX], (*q)[18];
	uint64_t *t, *th, *tm, a;
	size_t nq = 0, nh = 0, nm = 0, results = 0, hits_found = 0;
	struct stats all, hit, miss, cold, timer;
	struct rdb_open_opts full = { .flags = RDB_OPEN_VERIFY_ALL };
	struct rdb *db, *lazy;
	double open_ms, verify_ms;
	struct stat st;

	if (argc == 3 && strcmp(argv[1], "--open") == 0) {
		open_ms = open_median_ms(argv[2], 101);
		if (open_ms < 0)
			return 1;
		printf("open: %.3f ms\n", open_ms);
		return 0;
	}
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: rules-bench DB QUERIES [SQLITE_FILE] | --open DB\n");
		return 2;
	}
	open_ms = open_median_ms(argv[1], 101);
	if (open_ms < 0)
		return 1;
	q = load_queries(argv[2], &nq);
	if (!q || nq == 0) {
		fprintf(stderr, "rules-bench: %s: no queries\n", argv[2]);
		return 1;
	}
	t = malloc(nq * sizeof(*t));
	th = malloc(nq * sizeof(*th));
	tm = malloc(nq * sizeof(*tm));
	if (!t || !th || !tm)
		return 1;

	/* lazy, as a one-shot tool opens it: the first pass reads and checks blocks as it goes */
	if (rdb_open(argv[1], &lazy, err, sizeof(err)) < 0) {
		fprintf(stderr, "rules-bench: %s\n", err);
		return 1;
	}
	if (measure(lazy, q, nq < 10000 ? nq : 10000, 1, t, th, tm, &nh, &nm, &results,
		    &hits_found) < 0)
		return 1;
	cold = summarize(t, nq < 10000 ? nq : 10000);
	rdb_close(lazy);

	/* as recalld holds it: everything read and checked at load */
	a = now_ns();
	if (rdb_open_with(argv[1], &full, &db, err, sizeof(err)) < 0) {
		fprintf(stderr, "rules-bench: %s\n", err);
		return 1;
	}
	verify_ms = (double)(now_ns() - a) / 1e6;
	if (measure(db, q, nq, 2, t, th, tm, &nh, &nm, &results, &hits_found) < 0)
		return 1;
	all = summarize(t, nq);
	hit = summarize(th, nh);
	miss = summarize(tm, nm);
	timer = timer_cost(t, nq);
	stat(argv[1], &st);
	printf("campaigns: %zu\n", rdb_campaign_count(db));
	printf("listed VINs: %llu\n", (unsigned long long)rdb_listed_vin_count(db));
	printf("database bytes: %lld\n", (long long)st.st_size);
	printf("bytes per listed VIN: %.2f\n",
		(double)st.st_size /
			(double)(rdb_listed_vin_count(db) ? rdb_listed_vin_count(db) : 1));
	printf("open (header, section table, tree top, root hash), median of 101: %.3f ms\n",
	       open_ms);
	printf("load as recalld does (read + verify every block + structure): %.0f ms; "
	       "in huge pages: %ld MB\n", verify_ms, anon_huge_kb() / 1024);
	printf("first lookups after a lazy open (blocks read and checked on first touch), "
	       "%zu: median %.0f ns, p99 %.0f ns\n", nq < 10000 ? nq : 10000, cold.median_ns,
	       cold.p99_ns);
	printf("lookups: %zu (%zu listed, %zu not listed); listed VINs found: %zu of %zu\n", nq, nh,
	       nm, hits_found, nh);
	printf("match latency all: median %.0f ns, p99 %.0f ns, mean %.0f ns\n", all.median_ns,
	       all.p99_ns, all.mean_ns);
	printf("match latency listed: median %.0f ns, p99 %.0f ns\n", hit.median_ns, hit.p99_ns);
	printf("match latency not listed: median %.0f ns, p99 %.0f ns\n", miss.median_ns,
	       miss.p99_ns);
	printf("timer alone (two clock_gettime, nothing between), %zu samples: median %.0f ns, "
	       "p99 %.0f ns\n", nq, timer.median_ns, timer.p99_ns);
	printf("match latency less the timer's median (all / listed / not listed): median %.0f / "
	       "%.0f / %.0f ns, p99 %.0f / %.0f / %.0f ns\n", all.median_ns - timer.median_ns,
	       hit.median_ns - timer.median_ns, miss.median_ns - timer.median_ns,
	       all.p99_ns - timer.median_ns, hit.p99_ns - timer.median_ns,
	       miss.p99_ns - timer.median_ns);
	printf("memory: a dependent random read over %lld MB costs %.0f ns of CPU time "
	       "(for scale: a lookup makes one, its bucket)\n", (long long)st.st_size >> 20,
	       miss_ns((size_t)st.st_size));
#ifdef HAVE_SQLITE
	if (argc == 4) {
		struct stats sq;
		double build_s = 0, bpv = 0;

		if (bench_sqlite(db, argv[3], q, nq, t, &sq, &build_s, &bpv) < 0)
			return 1;
		printf("sqlite build (insert sorted + ANALYZE): %.1f s\n", build_s);
		printf("sqlite bytes per listed VIN: %.2f\n", bpv);
		printf("sqlite lookup latency (WITHOUT ROWID, ANALYZE, mmap_size and cache_size "
		       "above the file, one prepared query): median %.0f ns, p99 %.0f ns, "
		       "mean %.0f ns\n", sq.median_ns, sq.p99_ns, sq.mean_ns);
		printf("ratio sqlite/rdb: median %.1fx, p99 %.1fx, size %.1fx\n",
		       sq.median_ns / all.median_ns, sq.p99_ns / all.p99_ns,
		       bpv / ((double)st.st_size / (double)rdb_listed_vin_count(db)));
	}
#else
	if (argc == 4)
		printf("sqlite: not built (libsqlite3-dev missing: scripts/deps.sh bench)\n");
#endif
	rdb_close(db);
	free(q);
	free(t);
	free(th);
	free(tm);
	return results ? 0 : 1;
}
