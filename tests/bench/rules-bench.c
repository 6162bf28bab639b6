/* SPDX-License-Identifier: MIT */
/*
 * rules-bench: open time and match latency of a compiled database, and the same data and queries
 * in SQLite (libsqlite3, WITHOUT ROWID table clustered on the VIN — SQLite's best layout for this
 * lookup) in the same run.
 *
 *   rules-bench DB QUERIES [SQLITE_FILE]
 *
 * The SQLite side only answers "which campaigns list this VIN, and which campaigns concern its
 * WMI or its WMI + model code" — it does not evaluate any rule — so the ratio flatters SQLite.  Prints key: value lines.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
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

static int slot_cmp(const void *a, const void *b)
{
	uint64_t x = (*(const struct rdb_slot *const *)a)->key;
	uint64_t y = (*(const struct rdb_slot *const *)b)->key;

	return x < y ? -1 : x > y;
}

/* The VINs sorted, the order a clustered B-tree loads fastest. */
static int export_groups(const struct rdb *db, sqlite3_stmt *ins)
{
	const struct rdb_slot **g = malloc(db->n_slots * sizeof(*g));
	size_t n = 0;
	int r = -1;

	if (!g)
		return -1;
	for (uint32_t i = 0; i < db->n_slots; i++)
		if (db->slots[i].key != RDB_SLOT_EMPTY)
			g[n++] = &db->slots[i];
	qsort(g, n, sizeof(*g), slot_cmp);
	for (size_t k = 0; k < n; k++) {
		uint64_t p = g[k]->key;
		char vin[18];

		for (int i = 10; i >= 0; i--) {
			vin[i] = alphabet[p % 33];
			p /= 33;
		}
		vin[17] = 0;
		for (uint32_t e = g[k]->start; e < g[k]->start + g[k]->count; e++) {
			uint32_t s = db->suffixes[e];

			for (int i = 16; i >= 11; i--) {
				vin[i] = alphabet[s % 33];
				s /= 33;
			}
			sqlite3_bind_text(ins, 1, vin, 17, SQLITE_STATIC);
			sqlite3_bind_int(ins, 2, (int)(db->refs[e] >> 1));
			sqlite3_bind_int(ins, 3, (int)(db->refs[e] & 1));
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

static int bench_sqlite(const struct rdb *db, const char *path, char (*q)[18], size_t nq,
			uint64_t *t, struct stats *ret, double *build_s, double *bytes_per_vin)
{
	sqlite3 *s = NULL;
	sqlite3_stmt *ins = NULL, *lv = NULL, *lw = NULL;
	uint64_t t0, rows = 0;
	struct stat st;
	int r = -1;

	unlink(path);
	if (sqlite3_open(path, &s) != SQLITE_OK)
		goto out;
	t0 = now_ns();
	if (sql(s, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;"
		   "CREATE TABLE listed(vin TEXT NOT NULL, campaign INTEGER NOT NULL, "
		   "exclude INTEGER NOT NULL, PRIMARY KEY(vin, campaign)) WITHOUT ROWID;"
		   "CREATE TABLE wmi_campaign(wmi TEXT NOT NULL, campaign INTEGER NOT NULL, "
		   "PRIMARY KEY(wmi, campaign)) WITHOUT ROWID; BEGIN") < 0)
		goto out;
	if (sqlite3_prepare_v2(s, "INSERT INTO listed VALUES(?1, ?2, ?3)", -1, &ins, NULL) !=
	    SQLITE_OK || export_groups(db, ins) < 0)
		goto out;
	sqlite3_finalize(ins);
	ins = NULL;
	if (sqlite3_prepare_v2(s, "INSERT INTO wmi_campaign VALUES(?1, ?2)", -1, &ins, NULL) !=
	    SQLITE_OK)
		goto out;
	for (uint32_t i = 0; i < db->n_wmi; i++) {
		char w[4];

		char w5[6];
		int wl = 3;

		if (db->wmi[i].wmi < RDB_KEY5_BASE) {
			rdb_unpack_wmi(db->wmi[i].wmi, w);
		} else {
			/* the candidate index also keys on VIN positions 1-5 (WMI + model code) */
			uint32_t v = db->wmi[i].wmi - RDB_KEY5_BASE;

			for (int k = 4; k >= 0; k--) {
				w5[k] = alphabet[v % 33];
				v /= 33;
			}
			w5[5] = 0;
			wl = 5;
		}
		for (uint32_t k = 0; k < db->wmi[i].count; k++) {
			sqlite3_bind_text(ins, 1, wl == 3 ? w : w5, wl, SQLITE_TRANSIENT);
			sqlite3_bind_int(ins, 2, (int)db->cand[db->wmi[i].start + k]);
			if (sqlite3_step(ins) != SQLITE_DONE)
				goto out;
			sqlite3_reset(ins);
		}
	}
	if (sql(s, "COMMIT; ANALYZE;") < 0)
		goto out;
	*build_s = (double)(now_ns() - t0) / 1e9;
	if (sqlite3_prepare_v2(s, "SELECT campaign, exclude FROM listed WHERE vin = ?1", -1, &lv,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s, "SELECT campaign FROM wmi_campaign WHERE wmi IN (?1, ?2)", -1, &lw,
			       NULL) != SQLITE_OK)
		goto out;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nq; i++) {
			uint64_t a = now_ns();

			sqlite3_bind_text(lv, 1, q[i], 17, SQLITE_STATIC);
			while (sqlite3_step(lv) == SQLITE_ROW)
				rows += (uint64_t)sqlite3_column_int(lv, 0) + 1;
			sqlite3_reset(lv);
			sqlite3_bind_text(lw, 1, q[i], 3, SQLITE_STATIC);
			sqlite3_bind_text(lw, 2, q[i], 5, SQLITE_STATIC);
			while (sqlite3_step(lw) == SQLITE_ROW)
				rows += (uint64_t)sqlite3_column_int(lw, 0) + 1;
			sqlite3_reset(lw);
			t[i] = now_ns() - a;
		}
	}
	*ret = summarize(t, nq);
	if (stat(path, &st) == 0)
		*bytes_per_vin = (double)st.st_size / (double)(db->n_vins ? db->n_vins : 1);
	r = rows ? 0 : -1;	/* rows keeps the loop from being optimised away */
	if (!rows)
		fprintf(stderr, "rules-bench: sqlite returned nothing\n");
out:
	if (r < 0 && s)
		fprintf(stderr, "rules-bench: sqlite: %s\n", sqlite3_errmsg(s));
	sqlite3_finalize(ins);
	sqlite3_finalize(lv);
	sqlite3_finalize(lw);
	sqlite3_close(s);
	return r;
}
#endif


/* Two passes over the queries: the first warms caches and branch predictors, the second is
 * measured.  Queries alternate: even = listed VIN, odd = unlisted. */
static int measure(const struct rdb *db, char (*q)[18], size_t nq, uint64_t *t, uint64_t *th,
		   uint64_t *tm, size_t *ret_nh, size_t *ret_nm, size_t *results, size_t *hits_found)
{
	static struct rdb_result res[64];
	size_t nh = 0, nm = 0;

	for (int pass = 0; pass < 2; pass++) {
		nh = nm = 0;
		*hits_found = 0;
		for (size_t i = 0; i < nq; i++) {
			struct rdb_vehicle v = { .vin = q[i] };
			uint64_t a = now_ns();
			int n = rdb_match(db, &v, 0, res, 64);

			t[i] = now_ns() - a;
			if (n < 0) {
				fprintf(stderr, "rules-bench: match: %s\n", strerror(-n));
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

/* The database the way recalld holds it (plugin/check.c): read into private anonymous memory,
 * with transparent huge pages advised. */
static void *load_private(const char *path, size_t *ret_len)
{
	struct stat st;
	size_t got = 0;
	void *m;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (m == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	(void)madvise(m, (size_t)st.st_size, MADV_HUGEPAGE);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)m + got, (size_t)st.st_size - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		munmap(m, (size_t)st.st_size);
		return NULL;
	}
	*ret_len = got;
	return m;
}

int main(int argc, char **argv)
{
	char err[RDB_ERR_MAX], (*q)[18];
	uint64_t open_t[11], *t, *th, *tm;
	size_t nq = 0, nh = 0, nm = 0, results = 0, hits_found = 0;
	struct stats all, hit, miss, pall = { 0 };
	void *priv = NULL;
	size_t priv_len = 0;
	struct rdb *db;
	struct stat st;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: rules-bench DB QUERIES [SQLITE_FILE]\n");
		return 2;
	}
	for (int i = 0; i < 11; i++) {
		uint64_t a = now_ns();

		if (rdb_open(argv[1], &db, err, sizeof(err)) < 0) {
			fprintf(stderr, "rules-bench: %s\n", err);
			return 1;
		}
		open_t[i] = now_ns() - a;
		if (i < 10)
			rdb_close(db);
	}
	qsort(open_t, 11, sizeof(open_t[0]), u64cmp);
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
	if (measure(db, q, nq, t, th, tm, &nh, &nm, &results, &hits_found) < 0)
		return 1;
	all = summarize(t, nq);
	hit = summarize(th, nh);
	miss = summarize(tm, nm);
	stat(argv[1], &st);
	printf("campaigns: %zu\n", rdb_campaign_count(db));
	printf("listed VINs: %llu\n", (unsigned long long)rdb_listed_vin_count(db));
	printf("database bytes: %lld\n", (long long)st.st_size);
	printf("bytes per listed VIN: %.2f\n",
	       (double)st.st_size / (double)(rdb_listed_vin_count(db) ? rdb_listed_vin_count(db) : 1));
	printf("open (mmap + checksum + full validation), median of 11: %.2f ms\n",
	       (double)open_t[5] / 1e6);
	printf("lookups: %zu (%zu listed, %zu not listed); listed VINs found: %zu of %zu\n", nq, nh,
	       nm, hits_found, nh);
	printf("match latency all: median %.0f ns, p99 %.0f ns, mean %.0f ns\n", all.median_ns,
	       all.p99_ns, all.mean_ns);
	printf("match latency listed: median %.0f ns, p99 %.0f ns\n", hit.median_ns, hit.p99_ns);
	printf("match latency not listed: median %.0f ns, p99 %.0f ns\n", miss.median_ns,
	       miss.p99_ns);
	priv = load_private(argv[1], &priv_len);
	if (priv) {
		struct rdb *pdb;
		struct stats ph, pm;

		if (rdb_open_buffer(priv, priv_len, &pdb, err, sizeof(err)) < 0) {
			fprintf(stderr, "rules-bench: %s\n", err);
			return 1;
		}
		if (measure(pdb, q, nq, t, th, tm, &nh, &nm, &results, &hits_found) < 0)
			return 1;
		pall = summarize(t, nq);
		ph = summarize(th, nh);
		pm = summarize(tm, nm);
		printf("match latency, database in private memory with huge pages advised (as recalld "
		       "holds it): median %.0f ns, p99 %.0f ns, mean %.0f ns; listed median %.0f ns, "
		       "not listed median %.0f ns\n",
		       pall.median_ns, pall.p99_ns, pall.mean_ns, ph.median_ns, pm.median_ns);
		rdb_close(pdb);
	}
#ifdef HAVE_SQLITE
	if (argc == 4) {
		struct stats sq;
		double build_s = 0, bpv = 0;

		if (bench_sqlite(db, argv[3], q, nq, t, &sq, &build_s, &bpv) < 0)
			return 1;
		printf("sqlite build (insert sorted + ANALYZE): %.1f s\n", build_s);
		printf("sqlite bytes per listed VIN: %.2f\n", bpv);
		printf("sqlite lookup latency: median %.0f ns, p99 %.0f ns, mean %.0f ns\n",
		       sq.median_ns, sq.p99_ns, sq.mean_ns);
		printf("ratio sqlite/rdb (file mapped): median %.1fx, p99 %.1fx, size %.1fx\n",
		       sq.median_ns / all.median_ns, sq.p99_ns / all.p99_ns,
		       bpv / ((double)st.st_size / (double)rdb_listed_vin_count(db)));
		if (priv)
			printf("ratio sqlite/rdb as recalld holds it: median %.1fx, p99 %.1fx\n",
			       sq.median_ns / pall.median_ns, sq.p99_ns / pall.p99_ns);
	}
#else
	if (argc == 4)
		printf("sqlite: not built (libsqlite3-dev missing: scripts/deps.sh bench)\n");
#endif
	rdb_close(db);
	if (priv)
		munmap(priv, priv_len);
	free(q);
	free(t);
	free(th);
	free(tm);
	return results ? 0 : 1;
}
