/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The check history in SQLite (plugin/history.h says why SQLite and what it promises).
 *
 * Schema (PRAGMA user_version 1):
 *   checks(id, finished_ms, started_ms, iface, bay_name, vin, status, open, inspect, remedied,
 *          not_affected, undetermined, db_path, db_checksum, order_no, plate, error, file)
 *     indexed by (vin, finished_ms) for a car's checks newest first, and by finished_ms for
 *     retention;
 *   verdicts(check_id, campaign, title, verdict, reason, reason_code, evidence, facts)
 *     one row per campaign of a check, facts = the reason's facts as JSON.
 * One transaction per check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "plugin/history.h"
#include "plugin/report-internal.h"

#define HISTORY_SCHEMA 1

struct history {
	sqlite3 *db;
	char err[256];		/* the last failure's message, kept across the rollback */
	sqlite3_stmt *ins_check, *ins_verdict, *last, *prune_v, *prune_c;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS checks ("
	" id INTEGER PRIMARY KEY,"
	" finished_ms INTEGER NOT NULL,"
	" started_ms INTEGER NOT NULL,"
	" iface TEXT, bay_name TEXT, vin TEXT,"
	" status TEXT NOT NULL,"
	" open INTEGER NOT NULL, inspect INTEGER NOT NULL, remedied INTEGER NOT NULL,"
	" not_affected INTEGER NOT NULL, undetermined INTEGER NOT NULL,"
	" db_path TEXT, db_checksum TEXT, order_no TEXT, plate TEXT, error TEXT, file TEXT);"
	"CREATE INDEX IF NOT EXISTS checks_by_vin ON checks(vin, finished_ms);"
	"CREATE INDEX IF NOT EXISTS checks_by_time ON checks(finished_ms);"
	"CREATE TABLE IF NOT EXISTS verdicts ("
	" check_id INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,"
	" campaign TEXT NOT NULL, title TEXT, verdict TEXT NOT NULL,"
	" reason TEXT, reason_code TEXT, evidence TEXT, facts TEXT,"
	" PRIMARY KEY (check_id, campaign)) WITHOUT ROWID;";

static int sql_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

const char *history_error(const struct history *h)
{
	if (!h || !h->db)
		return "no history";
	return h->err[0] ? h->err : sqlite3_errmsg(h->db);
}

/* Notes the failure's message and rolls back; the database stays as it was committed. */
static int failed(struct history *h, int rc)
{
	int err = sql_errno(rc);

	snprintf(h->err, sizeof(h->err), "%s", sqlite3_errmsg(h->db));
	(void)sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

static int prepare(struct history *h, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v3(h->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);

	return rc == SQLITE_OK ? 0 : sql_errno(rc);
}

struct history *history_close(struct history *h)
{
	if (!h)
		return NULL;
	sqlite3_finalize(h->ins_check);
	sqlite3_finalize(h->ins_verdict);
	sqlite3_finalize(h->last);
	sqlite3_finalize(h->prune_v);
	sqlite3_finalize(h->prune_c);
	sqlite3_close_v2(h->db);
	free(h);
	return NULL;
}

int history_open(const char *path, const char *vfs, struct history **ret, char **ret_error)
{
	struct history *h;
	sqlite3_stmt *st = NULL;
	int rc, ret_code, version = 0;
	const char *why = NULL;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	rc = sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				 SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, vfs);
	if (rc != SQLITE_OK)
		goto fail;
	/* another reader (the sqlite3 CLI, a backup) may hold a lock for a moment */
	sqlite3_busy_timeout(h->db, 2000);
	rc = sqlite3_exec(h->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			  "PRAGMA foreign_keys=ON;", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_prepare_v2(h->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		goto fail;
	if (version > HISTORY_SCHEMA) {
		why = "written by a newer recalld (schema version is newer than this reader)";
		ret_code = -EPROTONOSUPPORT;
		goto fail_why;
	}
	/* a history of this schema is opened without a write (a full disk does not stop it) */
	if (version < HISTORY_SCHEMA) {
		rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(h->db, schema, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(h->db, "PRAGMA user_version=1", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
		else
			(void)sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			goto fail;
	}
	if ((ret_code = prepare(h, "INSERT INTO checks (finished_ms, started_ms, iface, bay_name,"
				" vin, status, open, inspect, remedied, not_affected, undetermined,"
				" db_path, db_checksum, order_no, plate, error, file) VALUES"
				" (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &h->ins_check)) < 0 ||
	    (ret_code = prepare(h, "INSERT INTO verdicts (check_id, campaign, title, verdict,"
				" reason, reason_code, evidence, facts) VALUES (?,?,?,?,?,?,?,?)",
				&h->ins_verdict)) < 0 ||
	    (ret_code = prepare(h, "SELECT id, finished_ms, iface, bay_name, status, open,"
				" inspect, remedied, not_affected, undetermined, order_no FROM"
				" checks WHERE vin = ? ORDER BY finished_ms DESC, id DESC LIMIT 1",
				&h->last)) < 0 ||
	    (ret_code = prepare(h, "DELETE FROM verdicts WHERE check_id IN (SELECT id FROM"
				" checks WHERE finished_ms < ?)", &h->prune_v)) < 0 ||
	    (ret_code = prepare(h, "DELETE FROM checks WHERE finished_ms < ?", &h->prune_c)) < 0) {
		rc = sqlite3_errcode(h->db);
		goto fail;
	}
	*ret = h;
	return 0;
fail:
	ret_code = sql_errno(rc);
	why = h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc);
fail_why:
	if (ret_error && asprintf(ret_error, "%s: %s", path, why) < 0)
		*ret_error = NULL;
	history_close(h);
	return ret_code;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static char *facts_json(const struct recall_campaign_info *ci)
{
	struct json_object *arr;
	char *s = NULL;

	if (!ci || !ci->n_facts)
		return NULL;
	arr = json_object_new_array();
	for (size_t i = 0; arr && i < ci->n_facts; i++) {
		struct json_object *o = json_object_new_object();

		if (!o)
			break;
		json_object_object_add(o, "code", json_object_new_string(ci->facts[i].code));
		for (size_t k = 0; k < ci->facts[i].n_params; k++) {
			const struct recall_param *p = &ci->facts[i].params[k];

			json_object_object_add(o, p->key,
					       p->type == RECALL_PARAM_NUMBER
						       ? json_object_new_int64(strtoll(p->value, NULL, 10))
					       : p->type == RECALL_PARAM_BOOL
						       ? json_object_new_boolean(!strcmp(p->value, "true"))
						       : json_object_new_string(p->value));
		}
		json_object_array_add(arr, o);
	}
	if (arr)
		s = strdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return s;
}

int history_add(struct history *h, const struct recall_report *r, const char *file,
		int64_t *ret_id)
{
	unsigned int c[_RECALL_VERDICT_MAX];
	sqlite3_stmt *st = h->ins_check;
	int rc, i = 1;

	report_count(r, c);
	h->err[0] = 0;
	rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(h->err, sizeof(h->err), "%s", sqlite3_errmsg(h->db));
		return sql_errno(rc);
	}
	sqlite3_reset(st);
	sqlite3_bind_int64(st, i++, r->finished_ms);
	sqlite3_bind_int64(st, i++, r->started_ms);
	bind_text(st, i++, r->iface);
	bind_text(st, i++, r->bay_name);
	bind_text(st, i++, r->vin);
	bind_text(st, i++, recall_status_name(r->status));
	sqlite3_bind_int(st, i++, (int)c[RECALL_VERDICT_OPEN]);
	sqlite3_bind_int(st, i++, (int)c[RECALL_VERDICT_INSPECT]);
	sqlite3_bind_int(st, i++, (int)c[RECALL_VERDICT_REMEDIED]);
	sqlite3_bind_int(st, i++, (int)c[RECALL_VERDICT_NOT_AFFECTED]);
	sqlite3_bind_int(st, i++, (int)c[RECALL_VERDICT_UNDETERMINED]);
	bind_text(st, i++, r->db ? r->db->path : NULL);
	bind_text(st, i++, r->db ? r->db->checksum : NULL);
	bind_text(st, i++, r->order);
	bind_text(st, i++, r->plate);
	bind_text(st, i++, r->error);
	bind_text(st, i++, file);
	rc = sqlite3_step(st);
	sqlite3_clear_bindings(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	*ret_id = sqlite3_last_insert_rowid(h->db);
	st = h->ins_verdict;
	for (size_t k = 0; k < r->n_campaigns; k++) {
		const struct recall_campaign *cp = &r->campaigns[k];
		const struct recall_campaign_info *ci = r->campaign_info ? &r->campaign_info[k] : NULL;
		char *facts = facts_json(ci);

		i = 1;
		sqlite3_bind_int64(st, i++, *ret_id);
		bind_text(st, i++, cp->id);
		bind_text(st, i++, cp->title);
		bind_text(st, i++, recall_verdict_name(cp->verdict));
		bind_text(st, i++, cp->reason);
		bind_text(st, i++, ci ? ci->reason_code : NULL);
		bind_text(st, i++, cp->evidence);
		bind_text(st, i++, facts);
		rc = sqlite3_step(st);
		sqlite3_clear_bindings(st);
		sqlite3_reset(st);
		free(facts);
		/* the same campaign twice in one report is one verdict: keep the first */
		if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			continue;
		if (rc != SQLITE_DONE)
			goto fail;
	}
	rc = sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	return 0;
fail:
	return failed(h, sqlite3_extended_errcode(h->db));
}

static int col_str(sqlite3_stmt *st, int i, char **field)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	if (!s) {
		*field = NULL;
		return 0;
	}
	*field = strdup((const char *)s);
	return *field ? 0 : -ENOMEM;
}

void history_visit_done(struct recall_visit *v)
{
	free(v->iface);
	free(v->bay_name);
	free(v->order);
	memset(v, 0, sizeof(*v));
}

int history_last(struct history *h, const char *vin, struct recall_visit *ret)
{
	sqlite3_stmt *st = h->last;
	struct recall_visit v = { 0 };
	char *status = NULL;
	int rc, r = 0, s;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, vin, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = -ENOENT;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = sql_errno(rc);
		goto out;
	}
	v.id = sqlite3_column_int64(st, 0);
	v.finished_ms = sqlite3_column_int64(st, 1);
	if ((r = col_str(st, 2, &v.iface)) < 0 || (r = col_str(st, 3, &v.bay_name)) < 0 ||
	    (r = col_str(st, 4, &status)) < 0 || (r = col_str(st, 10, &v.order)) < 0)
		goto out;
	s = status ? report_lookup(report_status_names, _RECALL_STATUS_MAX, status) : -1;
	v.status = s >= 0 ? (enum recall_status)s : RECALL_STATUS_FAILED;
	v.counts[RECALL_VERDICT_OPEN] = (unsigned int)sqlite3_column_int(st, 5);
	v.counts[RECALL_VERDICT_INSPECT] = (unsigned int)sqlite3_column_int(st, 6);
	v.counts[RECALL_VERDICT_REMEDIED] = (unsigned int)sqlite3_column_int(st, 7);
	v.counts[RECALL_VERDICT_NOT_AFFECTED] = (unsigned int)sqlite3_column_int(st, 8);
	v.counts[RECALL_VERDICT_UNDETERMINED] = (unsigned int)sqlite3_column_int(st, 9);
	*ret = v;
	memset(&v, 0, sizeof(v));
out:
	free(status);
	history_visit_done(&v);
	sqlite3_clear_bindings(st);
	sqlite3_reset(st);
	return r;
}

int history_prune(struct history *h, int64_t cutoff_ms, uint64_t *ret_n)
{
	int rc;

	rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sql_errno(rc);
	sqlite3_bind_int64(h->prune_v, 1, cutoff_ms);
	rc = sqlite3_step(h->prune_v);
	sqlite3_reset(h->prune_v);
	if (rc == SQLITE_DONE) {
		sqlite3_bind_int64(h->prune_c, 1, cutoff_ms);
		rc = sqlite3_step(h->prune_c);
		sqlite3_reset(h->prune_c);
	}
	if (rc != SQLITE_DONE)
		return failed(h, sqlite3_extended_errcode(h->db));
	if (ret_n)
		*ret_n = (uint64_t)sqlite3_changes64(h->db);
	rc = sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sql_errno(rc);
}

uint64_t history_count(struct history *h)
{
	sqlite3_stmt *st;
	uint64_t n = 0;

	if (sqlite3_prepare_v2(h->db, "SELECT count(*) FROM checks", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* ---- a car's checks ------------------------------------------------------------------------ */

static struct json_object *jtext(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? json_object_new_string((const char *)s) : NULL;
}

static struct json_object *jfacts(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	struct json_object *o;

	/* written by history_add; a hand-edited row that does not parse is shown without facts */
	if (!s)
		return json_object_new_array();
	o = json_tokener_parse((const char *)s);
	if (!o || !json_object_is_type(o, json_type_array)) {
		json_object_put(o);
		return json_object_new_array();
	}
	return o;
}

static const char *sget(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* What changed from the older check's campaigns to the newer one's. */
static struct json_object *changes(struct json_object *newer, struct json_object *older)
{
	struct json_object *out = json_object_new_array(), *nc, *oc;

	if (!out || !json_object_object_get_ex(newer, "campaigns", &nc) ||
	    !json_object_object_get_ex(older, "campaigns", &oc))
		return out;
	for (size_t i = 0; i < json_object_array_length(nc); i++) {
		struct json_object *n = json_object_array_get_idx(nc, i), *o = NULL, *ch, *v;
		const char *id = sget(n, "id"), *to = sget(n, "verdict"), *from = NULL;

		for (size_t k = 0; k < json_object_array_length(oc); k++) {
			struct json_object *x = json_object_array_get_idx(oc, k);

			if (id && sget(x, "id") && strcmp(sget(x, "id"), id) == 0)
				o = x;
		}
		from = o ? sget(o, "verdict") : NULL;
		if (!to || (from && strcmp(from, to) == 0))
			continue;
		/* a campaign the older check did not list is news only when it needs something:
		 * the daemon lists the campaigns its indexes select, so absence meant not_affected */
		if (!o && strcmp(to, "not_affected") == 0)
			continue;
		ch = json_object_new_object();
		if (!ch)
			break;
		json_object_object_add(ch, "campaign", id ? json_object_new_string(id) : NULL);
		json_object_object_add(ch, "title", json_object_object_get_ex(n, "title", &v) ?
						    json_object_get(v) : NULL);
		json_object_object_add(ch, "from", from ? json_object_new_string(from) : NULL);
		json_object_object_add(ch, "to", json_object_new_string(to));
		json_object_object_add(ch, "evidence", json_object_object_get_ex(n, "evidence", &v) ?
						       json_object_get(v) : NULL);
		json_object_object_add(ch, "reason_code",
				       json_object_object_get_ex(n, "reason_code", &v) ?
					       json_object_get(v) : NULL);
		json_object_object_add(ch, "reason_facts",
				       json_object_object_get_ex(n, "reason_facts", &v) ?
					       json_object_get(v) : json_object_new_array());
		json_object_array_add(out, ch);
	}
	return out;
}

int history_query(struct history *h, const char *vin, unsigned int limit,
		  struct json_object **ret)
{
	static const char *const verdicts[] = { "open", "inspect", "remedied", "not_affected",
						"undetermined" };
	sqlite3_stmt *st = NULL, *vs = NULL;
	struct json_object *out, *checks;
	int rc, r = 0;
	char when[64];

	out = json_object_new_object();
	checks = json_object_new_array();
	if (!out || !checks) {
		json_object_put(out);
		json_object_put(checks);
		return -ENOMEM;
	}
	json_object_object_add(out, "vin", json_object_new_string(vin));
	json_object_object_add(out, "checks", checks);
	/* one more than asked: the oldest shown needs the check before it for its changes */
	rc = sqlite3_prepare_v2(h->db, "SELECT id, finished_ms, iface, bay_name, status, open,"
				" inspect, remedied, not_affected, undetermined, order_no, plate,"
				" error, db_path, db_checksum, file FROM checks WHERE vin = ?"
				" ORDER BY finished_ms DESC, id DESC LIMIT ?", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(h->db, "SELECT campaign, title, verdict, reason,"
					" reason_code, evidence, facts FROM verdicts WHERE"
					" check_id = ? ORDER BY campaign", -1, &vs, NULL);
	if (rc != SQLITE_OK) {
		r = sql_errno(rc);
		goto out;
	}
	sqlite3_bind_text(st, 1, vin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct json_object *c = json_object_new_object(), *sum, *db, *camps;

		if (!c) {
			r = -ENOMEM;
			goto out;
		}
		json_object_array_add(checks, c);
		json_object_object_add(c, "id", json_object_new_int64(sqlite3_column_int64(st, 0)));
		report_iso_time(when, sizeof(when), sqlite3_column_int64(st, 1));
		json_object_object_add(c, "finished", json_object_new_string(when));
		json_object_object_add(c, "finished_ms",
				       json_object_new_int64(sqlite3_column_int64(st, 1)));
		json_object_object_add(c, "iface", jtext(st, 2));
		json_object_object_add(c, "bay_name", jtext(st, 3));
		json_object_object_add(c, "status", jtext(st, 4));
		json_object_object_add(c, "order", jtext(st, 10));
		json_object_object_add(c, "plate", jtext(st, 11));
		json_object_object_add(c, "error", jtext(st, 12));
		db = json_object_new_object();
		if (db) {
			json_object_object_add(db, "path", jtext(st, 13));
			json_object_object_add(db, "checksum", jtext(st, 14));
		}
		json_object_object_add(c, "database", db);
		json_object_object_add(c, "file", jtext(st, 15));
		sum = json_object_new_object();
		for (int k = 0; sum && k < 5; k++)
			json_object_object_add(sum, verdicts[k],
					       json_object_new_int(sqlite3_column_int(st, 5 + k)));
		json_object_object_add(c, "summary", sum);
		camps = json_object_new_array();
		json_object_object_add(c, "campaigns", camps);
		sqlite3_bind_int64(vs, 1, sqlite3_column_int64(st, 0));
		while (camps && (rc = sqlite3_step(vs)) == SQLITE_ROW) {
			struct json_object *v = json_object_new_object();

			if (!v)
				break;
			json_object_object_add(v, "id", jtext(vs, 0));
			json_object_object_add(v, "title", jtext(vs, 1));
			json_object_object_add(v, "verdict", jtext(vs, 2));
			json_object_object_add(v, "reason", jtext(vs, 3));
			json_object_object_add(v, "reason_code", jtext(vs, 4));
			json_object_object_add(v, "evidence", jtext(vs, 5));
			json_object_object_add(v, "reason_facts", jfacts(vs, 6));
			json_object_array_add(camps, v);
		}
		sqlite3_reset(vs);
	}
	if (rc != SQLITE_DONE) {
		r = sql_errno(rc);
		goto out;
	}
	{
		size_t n = json_object_array_length(checks);

		for (size_t i = 0; i + 1 < n; i++) {
			struct json_object *c = json_object_array_get_idx(checks, i);

			json_object_object_add(c, "changes",
					       changes(c, json_object_array_get_idx(checks, i + 1)));
		}
		if (n > limit) {
			json_object_array_del_idx(checks, limit, 1);
		} else if (n) {
			/* the first check of the car: nothing before it to change from */
			json_object_object_add(json_object_array_get_idx(checks, n - 1), "changes",
					       json_object_new_array());
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	rc = sqlite3_prepare_v2(h->db, "SELECT count(*) FROM checks WHERE vin = ?", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, vin, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			json_object_object_add(out, "total",
					       json_object_new_int64(sqlite3_column_int64(st, 0)));
	}
out:
	sqlite3_finalize(st);
	sqlite3_finalize(vs);
	if (r < 0) {
		json_object_put(out);
		return r;
	}
	*ret = out;
	return 0;
}
