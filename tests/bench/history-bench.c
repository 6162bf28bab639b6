/*
 * history-bench DIR N: recalld's check history (plugin/history.c) at N recorded checks.
 *
 * Fills DIR/history.db with N checks of N/5 cars (two verdicts each, the daemon lists the
 * campaigns that concern a car) and writes DIR/reports.jsonl, the same checks as one JSON line
 * each (what a workshop has without the history: reports to grep), and DIR/vins.txt.  Then, on
 * the daemon's own code path:
 *   insert   history_add of one more check (one transaction, WAL, synchronous=FULL), against
 *            writing that check's report file (report_write_file: temporary file, fsync,
 *            rename) — what recalld already pays per check;
 *   last     history_last(VIN), done before every insert (the "zuletzt geprüft" line);
 *   history  history_query(VIN, 50), the control request `history`.
 * Prints medians and p99 in microseconds; the shell driver adds whole-process comparisons.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "plugin/history.h"
#include "plugin/recall-internal.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void stats(const char *what, double *t, size_t n)
{
	qsort(t, n, sizeof(*t), cmp_d);
	printf("%-34s median %10.1f us   p99 %10.1f us   (%zu runs)\n", what, t[n / 2],
	       t[n * 99 / 100], n);
}

/* A VIN of the VIN alphabet for car k: "WBA" + 14 characters from k. */
static void vin_of(unsigned long k, char vin[18])
{
	static const char abc[] = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

	memcpy(vin, "WBA8E5106", 9);
	for (int i = 16; i >= 9; i--) {
		vin[i] = abc[k % 33];
		k /= 33;
	}
	vin[17] = 0;
}

static unsigned long rnd(void)
{
	static unsigned long long x = 88172645463325252ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (unsigned long)(x >> 1);
}

static const char *const camps[] = { "0011120800", "0032110800", "6112150100", "0011700300" };
static const char *const verdicts[] = { "open", "remedied", "not_affected", "inspect" };

static int fill(const char *dir, unsigned long n, unsigned long cars)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *c, *v;
	FILE *jl, *vf;
	int rc;

	snprintf(path, sizeof(path), "%s/history.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	/* the fill only: the measured inserts below go through history_add as the daemon's do */
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, "INSERT INTO checks (finished_ms, started_ms, iface, bay_name,"
			       " vin, status, open, inspect, remedied, not_affected, undetermined,"
			       " db_path, db_checksum, order_no, plate, error, file) VALUES"
			       " (?,?,'can0','Bühne 1',?,'complete',?,0,?,0,0,"
			       "'/usr/share/recalld/recalls.rdb','94550ab3348677347a74d756c8f750f5',"
			       "?,NULL,NULL,'can0-x-1')", -1, &c, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO verdicts (check_id, campaign, title, verdict,"
			       " reason, reason_code, evidence, facts) VALUES (?,?,'t',?,"
			       "'affected: WMI WBA',?,NULL,'[{\"code\":\"wmi\",\"part\":\"affected\","
			       "\"result\":\"true\",\"wmi\":\"WBA\"}]')", -1, &v, NULL) != SQLITE_OK)
		return -1;
	snprintf(path, sizeof(path), "%s/reports.jsonl", dir);
	jl = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/vins.txt", dir);
	vf = fopen(path, "w");
	if (!jl || !vf)
		return -1;
	for (unsigned long k = 0; k < cars; k++) {
		char vin[18];

		vin_of(k, vin);
		fprintf(vf, "%s\n", vin);
	}
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (unsigned long i = 0; i < n; i++) {
		unsigned long car = rnd() % cars;
		int64_t t = 1700000000000LL + (int64_t)i * 60000;
		int v0 = (int)(rnd() % 4), v1 = (int)(rnd() % 4);
		char vin[18], order[16];

		vin_of(car, vin);
		snprintf(order, sizeof(order), "%lu", 100000 + i);
		sqlite3_bind_int64(c, 1, t);
		sqlite3_bind_int64(c, 2, t - 1500);
		sqlite3_bind_text(c, 3, vin, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(c, 4, (v0 == 0) + (v1 == 0));
		sqlite3_bind_int(c, 5, (v0 == 1) + (v1 == 1));
		sqlite3_bind_text(c, 6, order, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(c);
		sqlite3_reset(c);
		if (rc != SQLITE_DONE)
			return -1;
		for (int k = 0; k < 2; k++) {
			sqlite3_bind_int64(v, 1, sqlite3_last_insert_rowid(db));
			sqlite3_bind_text(v, 2, camps[k * 2], -1, SQLITE_STATIC);
			sqlite3_bind_text(v, 3, verdicts[k ? v1 : v0], -1, SQLITE_STATIC);
			sqlite3_bind_text(v, 4, verdicts[k ? v1 : v0], -1, SQLITE_STATIC);
			if (sqlite3_step(v) != SQLITE_DONE)
				return -1;
			sqlite3_reset(v);
		}
		/* the same check as a line of the reports a workshop would otherwise search */
		fprintf(jl, "{\"schema_version\":2,\"iface\":\"can0\",\"bay_name\":\"Bühne 1\","
			"\"order\":\"%s\",\"vin\":\"%s\",\"status\":\"complete\",\"finished_ms\":%lld,"
			"\"campaigns\":[{\"id\":\"%s\",\"verdict\":\"%s\"},{\"id\":\"%s\","
			"\"verdict\":\"%s\"}],\"summary\":{\"open\":%d,\"remedied\":%d}}\n",
			order, vin, (long long)t, camps[0], verdicts[v0], camps[2], verdicts[v1],
			(v0 == 0) + (v1 == 0), (v0 == 1) + (v1 == 1));
		if (i % 50000 == 49999) {
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
			sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(c);
	sqlite3_finalize(v);
	sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sqlite3_close(db);
	fclose(jl);
	fclose(vf);
	return 0;
}

static struct recall_report *a_check(const char *vin)
{
	struct recall_report *r = report_new();

	r->status = RECALL_STATUS_COMPLETE;
	r->started_ms = 1800000000000LL;
	r->finished_ms = r->started_ms + 1500;
	report_set_str(&r->iface, "can0");
	report_set_str(&r->vin, vin);
	report_add_campaign(r, &(struct campaign_in){ .id = "6112150100", .title = "ConnectedDrive",
						      .verdict = RECALL_VERDICT_OPEN,
						      .reason_code = "open" });
	report_add_campaign(r, &(struct campaign_in){ .id = "0011120800", .title = "Generator",
						      .verdict = RECALL_VERDICT_NOT_AFFECTED });
	return r;
}

int main(int argc, char **argv)
{
	unsigned long n, cars;
	struct history *h;
	char path[512], *err = NULL;
	double t0, *t;
	size_t runs;
	int r;

	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) < 10) {
		fprintf(stderr, "usage: history-bench DIR N\n");
		return 2;
	}
	cars = n / 5;
	snprintf(path, sizeof(path), "%s/history.db", argv[1]);
	/* the schema as recalld makes it */
	if ((r = history_open(path, NULL, &h, &err)) < 0) {
		fprintf(stderr, "history-bench: %s\n", err ? err : strerror(-r));
		return 1;
	}
	history_close(h);
	t0 = now_us();
	if (fill(argv[1], n, cars) < 0) {
		fprintf(stderr, "history-bench: fill failed\n");
		return 1;
	}
	printf("filled: %lu checks of %lu cars in %.1f s\n", n, cars, (now_us() - t0) / 1e6);
	if ((r = history_open(path, NULL, &h, &err)) < 0) {
		fprintf(stderr, "history-bench: %s\n", err ? err : strerror(-r));
		return 1;
	}
	printf("history: %llu checks recorded\n", (unsigned long long)history_count(h));

	runs = 200;
	t = calloc(10000, sizeof(*t));
	{
		double *w = calloc(runs, sizeof(*w));
		char *json = NULL;

		for (size_t i = 0; i < runs; i++) {
			char vin[18];
			struct recall_report *rep;
			int64_t id;

			vin_of(rnd() % cars, vin);
			rep = a_check(vin);
			t0 = now_us();
			if (history_add(h, rep, "can0-x-1", &id) < 0) {
				fprintf(stderr, "history-bench: insert: %s\n", history_error(h));
				return 1;
			}
			t[i] = now_us() - t0;
			recall_report_to_json(rep, &json);
			t0 = now_us();
			if (report_write_file(argv[1], "report.json", json, strlen(json)) < 0)
				return 1;
			w[i] = now_us() - t0;
			free(json);
			recall_report_free(rep);
		}
		stats("insert (history_add, fsync)", t, runs);
		stats("report file (write, fsync, rename)", w, runs);
		printf("ratio insert / report file: %.2f\n", t[runs / 2] / w[runs / 2]);
		free(w);
	}
	runs = 10000;
	for (size_t i = 0; i < runs; i++) {
		struct recall_visit v;
		char vin[18];

		vin_of(rnd() % cars, vin);
		t0 = now_us();
		r = history_last(h, vin, &v);
		t[i] = now_us() - t0;
		if (r == 0)
			history_visit_done(&v);
	}
	stats("last visit (history_last)", t, runs);
	for (size_t i = 0; i < runs; i++) {
		struct json_object *q;
		char vin[18];

		vin_of(rnd() % cars, vin);
		t0 = now_us();
		r = history_query(h, vin, 50, &q);
		t[i] = now_us() - t0;
		if (r < 0)
			return 1;
		json_object_put(q);
	}
	stats("history VIN (history_query, 50)", t, runs);
	free(t);
	history_close(h);
	return 0;
}
