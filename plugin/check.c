/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one check: identity (can/) -> vehicle facts -> verdicts (rules/) -> report.  recalld's check
 * children, librecall and recall-check all run this code, so the daemon, an embedding station
 * program and the command line cannot disagree about a car.
 *
 * The translation from what can/ read to what rules/ decides on is where "missing" must stay
 * "missing": a DID the ECU refused as out of range is absent, any other failure is unknown with
 * its reason, and the ECU list is never claimed complete (an ECU that answers only physical
 * requests may be silent to discovery), so a campaign is never not_affected for lack of data.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "can/canlink.h"
#include "can/ident.h"
#include "plugin/plan.h"
#include "plugin/recall-internal.h"
#include "rules/rdb.h"
#include "rules/vin.h"

/*
 * The database as rules/ holds it: read into anonymous memory of its own and every block checked
 * against its hash (RDB_OPEN_VERIFY_ALL, or block by block on first use for a one-shot check), so
 * a file overwritten in place (cp, not recallc's rename) cannot change or SIGBUS under a check —
 * in the daemon or in a check child, which shares the pages copy-on-write and never writes them.
 */
struct recall_db {
	struct rdb *rdb;
	char *path;
	/* the (ECU, DID) pairs the rules compare or take build dates from: each read from its ECU
	 * (probed, so found also when it ignores functional requests) */
	struct ident_need *needs;
	size_t n_needs;
};

static int collect_needs(struct recall_db *db)
{
	struct rdb_did_ref *refs;
	size_t n;
	int r;

	r = rdb_needed_dids(db->rdb, &refs, &n);
	if (r < 0)
		return r;
	db->needs = calloc(n ? n : 1, sizeof(*db->needs));
	if (!db->needs) {
		free(refs);
		return -ENOMEM;
	}
	/* the ECU keys are the same on both sides (can/README.md "ECU keys") */
	for (size_t i = 0; i < n; i++)
		db->needs[i] = (struct ident_need){ refs[i].ecu, refs[i].did };
	db->n_needs = n;
	free(refs);
	return 0;
}

#define NRC_REQUEST_OUT_OF_RANGE 0x31

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int check_db_open_with(const char *path, const struct rdb_open_opts *opts,
		       struct recall_db **ret_db, char **ret_error)
{
	char err[RDB_ERR_MAX] = "";
	struct recall_db *db;
	int r;

	if (!path || !ret_db)
		return -EINVAL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->path = strdup(path);
	if (!db->path) {
		r = -ENOMEM;
		goto fail;
	}
	r = rdb_open_with(path, opts, &db->rdb, err, sizeof(err));
	if (r < 0) {
		if (ret_error && asprintf(ret_error, "%s", err[0] ? err : strerror(-r)) < 0)
			*ret_error = NULL;
		goto fail;
	}
	r = collect_needs(db);
	if (r < 0) {
		if (ret_error && asprintf(ret_error, "%s", rdb_error(db->rdb)) < 0)
			*ret_error = NULL;
		rdb_close(db->rdb);
		goto fail;
	}
	*ret_db = db;
	return 0;
fail:
	free(db->path);
	free(db);
	return r;
}

int check_db_open(const char *path, struct recall_db **ret_db, char **ret_error)
{
	const struct rdb_open_opts opts = { .flags = RDB_OPEN_VERIFY_ALL };

	return check_db_open_with(path, &opts, ret_db, ret_error);
}

RECALL_API int recall_db_open(const char *path, struct recall_db **ret_db)
{
	return check_db_open(path, ret_db, NULL);
}

RECALL_API struct recall_db *recall_db_free(struct recall_db *db)
{
	if (!db)
		return NULL;
	rdb_close(db->rdb);
	free(db->needs);
	free(db->path);
	free(db);
	return NULL;
}

char *check_db_describe(const struct recall_db *db)
{
	struct rdb_info info;
	char signer[128];
	char *s;

	if (rdb_get_info(db->rdb, &info) < 0)
		return NULL;
	switch (info.signer) {
	case RDB_SIGNER_TRUSTED:
		snprintf(signer, sizeof(signer), "signed by key %s (trusted: %s)", info.key_id,
			 info.signer_name);
		break;
	case RDB_SIGNER_UNTRUSTED:
		snprintf(signer, sizeof(signer), "signed by key %s (not a trusted key)", info.key_id);
		break;
	default:
		snprintf(signer, sizeof(signer), "not signed");
		break;
	}
	/* the checksum as before: 16 hex digits, now of the root hash that covers every byte */
	if (asprintf(&s, "%s (%" PRIu64 " campaigns, %" PRIu64 " listed VINs, written by %s, "
		     "checksum %.16s, %s)", db->path, info.n_campaigns, info.n_listed_vins,
		     info.tool_version, info.checksum, signer) < 0)
		return NULL;
	return s;
}

const struct rdb *check_db_rdb(const struct recall_db *db)
{
	return db ? db->rdb : NULL;
}

/* ---- identity -> report and vehicle facts ---------------------------------------------------- */

struct facts {
	struct rdb_vehicle v;
	struct rdb_did_fact *dids;
	uint32_t *ecus;
	char (*reasons)[96];
};

static void facts_done(struct facts *f)
{
	free(f->dids);
	free(f->ecus);
	free(f->reasons);
}

static int facts_from_ident(const struct ident *id, const char *vin, struct facts *f)
{
	size_t n = 0;

	for (size_t i = 0; i < id->n_ecus; i++)
		n += id->ecus[i].n_dids;
	f->dids = calloc(n ? n : 1, sizeof(*f->dids));
	f->reasons = calloc(n ? n : 1, sizeof(*f->reasons));
	f->ecus = calloc(id->n_ecus ? id->n_ecus : 1, sizeof(*f->ecus));
	if (!f->dids || !f->reasons || !f->ecus)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < id->n_ecus; i++) {
		const struct ident_ecu *e = &id->ecus[i];

		f->ecus[i] = e->address;
		for (size_t j = 0; j < e->n_dids; j++) {
			const struct ident_did *d = &e->dids[j];
			struct rdb_did_fact *x = &f->dids[n];

			*x = (struct rdb_did_fact){ .ecu = e->address, .did = d->did };
			if (d->status == 0) {
				x->value = d->value;
				x->len = d->len;
			} else if (d->nrc == NRC_REQUEST_OUT_OF_RANGE) {
				/* ISO 14229-1: the ECU does not support this DID */
				x->status = RDB_DID_NOT_PRESENT;
			} else {
				x->status = RDB_DID_FAILED;
				if (d->nrc)
					snprintf(f->reasons[n], sizeof(f->reasons[n]),
						 "negative response 0x%02X %s", d->nrc,
						 uds_nrc_name(d->nrc));
				else
					snprintf(f->reasons[n], sizeof(f->reasons[n]), "%s",
						 d->status == -ETIMEDOUT ? "no answer"
									 : strerror(-d->status));
				x->reason = f->reasons[n];
			}
			n++;
		}
	}
	f->v = (struct rdb_vehicle){
		.vin = vin,
		.dids = f->dids,
		.n_dids = n,
		.ecus = f->ecus,
		.n_ecus = id->n_ecus,
		.ecus_complete = false,
	};
	return 0;
}

/* What can/ said went wrong, as data: the technician's words are chosen when the report is
 * rendered.  The step names of can/ ("read-did F189", "gave-up") become a step and a DID. */
static int error_fact(const struct ident_error *ie, struct recall_fact *f)
{
	char ecu[REPORT_ECU_MAX];
	const char *code;
	int ret;

	switch (ie->kind) {
	case IDENT_ERR_TIMEOUT:
		code = strcmp(ie->step, "deadline") == 0 ? "deadline" : "no_answer";
		break;
	case IDENT_ERR_NRC:
		code = "negative_response";
		break;
	case IDENT_ERR_MALFORMED:
		code = "malformed";
		break;
	default:
		code = ie->err == -ENOSPC ? "too_many" : "io";
		break;
	}
	if ((ret = report_fact_init(f, code)) < 0)
		goto fail;
	if (strncmp(ie->step, "read-did ", 9) == 0) {
		if ((ret = report_fact_add(f, "step", RECALL_PARAM_STRING, "read_did")) < 0 ||
		    (ret = report_fact_add(f, "did", RECALL_PARAM_STRING, ie->step + 9)) < 0)
			goto fail;
	} else {
		char step[sizeof(ie->step)];

		snprintf(step, sizeof(step), "%s", ie->step);
		/* can/'s "gave-up", "service09 VIN" become JSON words: gave_up, service09_vin */
		for (char *c = step; *c; c++)
			if (*c == '-' || *c == ' ')
				*c = '_';
			else if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if ((ret = report_fact_add(f, "step", RECALL_PARAM_STRING, step)) < 0)
			goto fail;
	}
	if (ie->ecu && (ret = report_fact_add(f, "ecu", RECALL_PARAM_STRING,
					      report_ecu_format(ie->ecu, ecu))) < 0)
		goto fail;
	if (ie->kind == IDENT_ERR_NRC &&
	    ((ret = report_fact_addf(f, "nrc", RECALL_PARAM_STRING, "0x%02X", ie->nrc)) < 0 ||
	     (ret = report_fact_add(f, "nrc_name", RECALL_PARAM_STRING,
				    uds_nrc_name(ie->nrc))) < 0))
		goto fail;
	if (!strcmp(code, "io") && (ret = report_fact_add(f, "errno", RECALL_PARAM_STRING,
							  strerror(-ie->err))) < 0)
		goto fail;
	return 0;
fail:
	report_fact_done(f);
	return ret;
}

static int add_identity(struct recall_report *r, const struct ident *id)
{
	struct recall_fact f = { 0 };
	struct recall_ecu *e;
	char msg[200];
	int ret;

	if (id->scheme != IDENT_SCHEME_AUTO &&
	    (ret = report_set_str(&r->addressing, ident_scheme_name(id->scheme))) < 0)
		return ret;
	for (size_t i = 0; i < id->n_ecus; i++) {
		const struct ident_ecu *ie = &id->ecus[i];

		ret = report_add_ecu(r, ie->address, ie->name[0] ? ie->name : NULL, &e);
		if (ret < 0)
			return ret;
		if (ie->calid_len && (ret = report_add_did(e, 0x0904, ie->calid, ie->calid_len)) < 0)
			return ret;
		if (ie->cvn_len && (ret = report_add_did(e, 0x0906, ie->cvn, ie->cvn_len)) < 0)
			return ret;
		for (size_t j = 0; j < ie->n_dids; j++)
			if (ie->dids[j].status == 0 &&
			    (ret = report_add_did(e, ie->dids[j].did, ie->dids[j].value,
						  ie->dids[j].len)) < 0)
				return ret;
	}
	/* where the VIN came from: service 09 answers as DID 0x0902 of the ECU that sent them */
	for (size_t i = 0; i < id->n_sources; i++) {
		const struct ident_vin_source *s = &id->sources[i];

		if (s->via != IDENT_VIA_OBD_0902)
			continue;
		e = report_find_ecu(r, s->ecu);
		if (!e && (ret = report_add_ecu(r, s->ecu, NULL, &e)) < 0)
			return ret;
		if ((ret = report_add_did(e, 0x0902, s->raw, s->raw_len)) < 0)
			return ret;
	}
	for (size_t i = 0; i < id->n_errors; i++) {
		const struct ident_error *ie = &id->errors[i];

		/* Not failures: a DID the ECU does not have (requestOutOfRange) is a fact, absent,
		 * and the silence of the schemes tried before the one that answered is expected. */
		if (ie->kind == IDENT_ERR_NRC && ie->nrc == NRC_REQUEST_OUT_OF_RANGE)
			continue;
		if (id->n_ecus && strcmp(ie->step, "discovery") == 0 && ie->err == -ETIMEDOUT)
			continue;
		if ((ret = error_fact(ie, &f)) < 0)
			return ret;
		ret = report_add_error_fact(r, ie->message, &f);
		report_fact_done(&f);
		if (ret < 0)
			return ret;
	}
	if (id->vin[0] && (id->vin_flags & (IDENT_VIN_INVALID | IDENT_VIN_LONG | IDENT_VIN_SHORT))) {
		snprintf(msg, sizeof(msg), "VIN \"%s\" as read is not 17 valid characters%s%s%s",
			 id->vin, id->vin_flags & IDENT_VIN_LONG ? " (too long)" : "",
			 id->vin_flags & IDENT_VIN_SHORT ? " (too short)" : "",
			 id->vin_flags & IDENT_VIN_INVALID ? " (invalid characters)" : "");
		if ((ret = report_fact_init(&f, "vin_malformed")) < 0 ||
		    (ret = report_fact_add(&f, "vin", RECALL_PARAM_STRING, id->vin)) < 0 ||
		    (ret = report_add_error_fact(r, msg, &f)) < 0) {
			report_fact_done(&f);
			return ret;
		}
		report_fact_done(&f);
	}
	return 0;
}

/* "WBA... (ECU 0x12), WBY... (ECU 0x61)" into buf, in can/'s documented order of the sources
 * (the engine ECU's first), so the message is the same whichever ECU answered first */
static void list_vins(const struct ident *id, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < id->n_sources && used < size; i++) {
		char a[24];
		int n = snprintf(buf + used, size - used, "%s%s (ECU %s)", i ? ", " : "",
				 id->sources[i].vin, ident_ecu_format(id->sources[i].ecu, a, sizeof(a)));

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* ---- verdicts ---------------------------------------------------------------------------------- */

static enum recall_verdict verdict_from_rdb(enum rdb_verdict v)
{
	switch (v) {
	case RDB_VERDICT_OPEN:
		return RECALL_VERDICT_OPEN;
	case RDB_VERDICT_INSPECT:
		return RECALL_VERDICT_INSPECT;
	case RDB_VERDICT_REMEDIED:
		return RECALL_VERDICT_REMEDIED;
	case RDB_VERDICT_NOT_AFFECTED:
		return RECALL_VERDICT_NOT_AFFECTED;
	default:
		return RECALL_VERDICT_UNDETERMINED;
	}
}

/* A database that fails a lookup (damaged, or replaced in place under a lazy reader): the
 * report says so; the check has no verdicts to give. */
static void report_database_error(struct recall_report *r, const struct recall_db *db, int err)
{
	const char *msg = rdb_error(db->rdb);

	struct recall_fact f = { 0 };
	char *text;

	if (r->error)
		return;
	if (asprintf(&text, "database unusable: %s", msg[0] ? msg : strerror(-err)) < 0)
		return;
	if (report_fact_init(&f, "database_unusable") < 0 ||
	    report_fact_add(&f, "detail", RECALL_PARAM_STRING, msg[0] ? msg : strerror(-err)) < 0)
		report_fact_done(&f);
	(void)report_set_error_fact(r, text, f.code ? &f : NULL);
	report_fact_done(&f);
	free(text);
}

static int add_date(struct recall_fact *f, const char *key, uint32_t d)
{
	return report_fact_addf(f, key, RECALL_PARAM_STRING, "%04u-%02u-%02u", d / 10000,
				d / 100 % 100, d % 100);
}

/* rules/' reason data (struct rdb_why) as a report fact: the JSON words of plugin/README.md
 * "Reasons and errors as data".  Every value is a string, as the JSON writes it. */
static int why_to_fact(const struct rdb_why *w, struct recall_fact *f)
{
	static const char *const results[] = { "false", "true", "unknown" };
	static const char *const bd_states[] = { "not_read", "absent", "failed", "ecu_absent",
						 "not_read" };
	const char *code = rdb_why_name((enum rdb_why_code)w->code);
	char ecu[RDB_ECU_STR_MAX];
	int r;

	if (!code)
		return -EINVAL;
	if ((r = report_fact_init(f, code)) < 0 ||
	    (r = report_fact_add(f, "part", RECALL_PARAM_STRING,
				 rdb_part_name((enum rdb_why_part)w->part) ?: "affected")) < 0 ||
	    (r = report_fact_add(f, "result", RECALL_PARAM_STRING,
				 results[w->result <= RDB_UNKNOWN ? w->result : RDB_UNKNOWN])) < 0 ||
	    (w->negated && (r = report_fact_add(f, "negated", RECALL_PARAM_BOOL, "true")) < 0))
		goto fail;
	rdb_ecu_format(w->ecu, ecu, sizeof(ecu));
	switch (w->code) {
	case RDB_WHY_VIN_INVALID:
		if ((r = report_fact_add(f, "vin", RECALL_PARAM_STRING, w->value)) < 0 ||
		    (r = report_fact_add(f, "problem", RECALL_PARAM_STRING,
					 w->a & VIN_ERR_LENGTH	  ? "length"
					 : w->a & VIN_ERR_CHARSET ? "charset"
								  : "check_digit")) < 0)
			goto fail;
		break;
	case RDB_WHY_LISTED:
	case RDB_WHY_LISTS_NEED_VIN:
		if ((r = report_fact_add(f, "list", RECALL_PARAM_STRING,
					 w->a ? "exclude" : "include")) < 0)
			goto fail;
		break;
	case RDB_WHY_WMI:
		if ((r = report_fact_add(f, "wmi", RECALL_PARAM_STRING, w->value)) < 0)
			goto fail;
		break;
	case RDB_WHY_VIN_POSITIONS:
		if ((r = report_fact_addf(f, "from", RECALL_PARAM_NUMBER, "%u", w->a)) < 0 ||
		    (r = report_fact_addf(f, "to", RECALL_PARAM_NUMBER, "%u", w->b)) < 0 ||
		    (r = report_fact_add(f, "read", RECALL_PARAM_STRING, w->value)) < 0 ||
		    (r = report_fact_add(f, "pattern", RECALL_PARAM_STRING, w->wanted)) < 0)
			goto fail;
		break;
	case RDB_WHY_SERIAL:
		if ((r = report_fact_addf(f, "min", RECALL_PARAM_STRING, "%06u", w->a)) < 0 ||
		    (r = report_fact_addf(f, "max", RECALL_PARAM_STRING, "%06u", w->b)) < 0)
			goto fail;
		/* fall through */
	case RDB_WHY_SERIAL_NOT_NUMERIC:
		if ((r = report_fact_add(f, "serial", RECALL_PARAM_STRING, w->value)) < 0)
			goto fail;
		break;
	case RDB_WHY_MODEL_YEAR:
		if ((r = report_fact_add(f, "years", RECALL_PARAM_STRING, w->value)) < 0 ||
		    (r = report_fact_addf(f, "min", RECALL_PARAM_NUMBER, "%u", w->a)) < 0 ||
		    (r = report_fact_addf(f, "max", RECALL_PARAM_NUMBER, "%u", w->b)) < 0)
			goto fail;
		break;
	case RDB_WHY_MODEL_YEAR_UNKNOWN:
		if ((r = report_fact_add(f, "code", RECALL_PARAM_STRING, w->value)) < 0)
			goto fail;
		break;
	case RDB_WHY_BUILD_DATE:
		if ((r = add_date(f, "date", w->date)) < 0 ||
		    (w->a && (r = add_date(f, "min", w->a)) < 0) ||
		    (w->b < 99991231 && (r = add_date(f, "max", w->b)) < 0) ||
		    (r = report_fact_add(f, "ecu", RECALL_PARAM_STRING, ecu)) < 0 ||
		    (r = report_fact_addf(f, "did", RECALL_PARAM_STRING, "%04X", w->did)) < 0)
			goto fail;
		break;
	case RDB_WHY_BUILD_DATE_UNREADABLE:
		if ((r = report_fact_add(f, "ecu", RECALL_PARAM_STRING, ecu)) < 0 ||
		    (r = report_fact_addf(f, "did", RECALL_PARAM_STRING, "%04X", w->did)) < 0 ||
		    (r = report_fact_add(f, "state", RECALL_PARAM_STRING,
					 w->a ? "no_date" : bd_states[w->b < 5 ? w->b : 0])) < 0 ||
		    (w->value[0] && (r = report_fact_add(f, w->a ? "value" : "detail",
							 RECALL_PARAM_STRING, w->value)) < 0))
			goto fail;
		break;
	case RDB_WHY_ECU_PRESENT:
	case RDB_WHY_ECU_ABSENT:
	case RDB_WHY_ECUS_NOT_READ:
		if ((r = report_fact_add(f, "ecu", RECALL_PARAM_STRING, ecu)) < 0)
			goto fail;
		break;
	case RDB_WHY_DID_CMP:
	case RDB_WHY_DID_IN:
	case RDB_WHY_DID_ABSENT:
	case RDB_WHY_DID_FAILED:
	case RDB_WHY_DID_NOT_READ:
		if ((r = report_fact_add(f, "ecu", RECALL_PARAM_STRING, ecu)) < 0 ||
		    (r = report_fact_addf(f, "did", RECALL_PARAM_STRING, "%04X", w->did)) < 0)
			goto fail;
		if (w->code == RDB_WHY_DID_FAILED &&
		    (r = report_fact_add(f, "detail", RECALL_PARAM_STRING, w->value)) < 0)
			goto fail;
		if ((w->code == RDB_WHY_DID_CMP || w->code == RDB_WHY_DID_IN) &&
		    (r = report_fact_add(f, "value", RECALL_PARAM_STRING, w->value)) < 0)
			goto fail;
		if (w->code == RDB_WHY_DID_CMP &&
		    ((r = report_fact_add(f, "op", RECALL_PARAM_STRING,
					  rdb_cmp_name(w->cmp) ?: "?")) < 0 ||
		     (r = report_fact_add(f, "wanted", RECALL_PARAM_STRING, w->wanted)) < 0))
			goto fail;
		if (w->code == RDB_WHY_DID_IN &&
		    (r = report_fact_add(f, "set", RECALL_PARAM_STRING, w->wanted)) < 0)
			goto fail;
		break;
	default:
		break;
	}
	return 0;
fail:
	report_fact_done(f);
	return r;
}

int check_decide(struct recall_db *db, const struct rdb_vehicle *v, unsigned int flags,
		 struct recall_report *r)
{
	bool concerning = flags & RECALL_CHECK_CONCERNING;
	/* the indexes leave out only campaigns that are not_affected: enough for a count */
	unsigned int mflags = (flags & RECALL_CHECK_ALL_CAMPAIGNS) && !concerning ? RDB_MATCH_ALL : 0;
	size_t listed = 0;
	struct rdb_result *res = NULL;
	size_t cap = 16;
	int n, ret;

	/* the count is known only after a first pass; a second pass with room is rare */
	for (;;) {
		struct rdb_result *p = realloc(res, cap * sizeof(*res));

		if (!p) {
			ret = -ENOMEM;
			goto out;
		}
		res = p;
		n = rdb_match(db->rdb, v, mflags, res, cap);
		if (n < 0) {
			report_database_error(r, db, n);
			ret = n;
			goto out;
		}
		if ((size_t)n <= cap)
			break;
		cap = (size_t)n;
	}
	for (int i = 0; i < n; i++) {
		struct recall_fact facts[RDB_WHY_MAX];
		struct rdb_campaign c;
		struct campaign_in rc;
		char start[16];

		if (concerning && res[i].verdict == RDB_VERDICT_NOT_AFFECTED)
			continue;
		ret = rdb_campaign_get(db->rdb, res[i].campaign, &c);
		if (ret < 0) {
			report_database_error(r, db, ret);
			goto out;
		}
		if (c.start_date)
			snprintf(start, sizeof(start), "%04u-%02u-%02u", c.start_date / 10000,
				 c.start_date / 100 % 100, c.start_date % 100);
		else
			start[0] = 0;
		rc = (struct campaign_in){
			.make = c.make,
			.kba = c.kba,
			.nhtsa = c.nhtsa,
			.cost = c.cost,
			.labour = c.labour,
			.start = start,
			.extends = c.extends,
			.supersedes = c.supersedes,
			.id = c.id,
			.title = c.title,
			.text = c.defect,
			.verdict = verdict_from_rdb(res[i].verdict),
			.reason = res[i].reason,
			.remedy = c.remedy,
			.remedy_kind = rdb_remedy_kind_name(c.remedy_kind),
			.recognition = rdb_recognition_name(c.recognition),
			.recognition_text = c.recognition_text,
			.hotline = c.hotline,
			.evidence = res[i].evidence,
			.flags = (c.do_not_drive ? RECALL_CAMPAIGN_DO_NOT_DRIVE : 0u) |
				 (c.park_outside ? RECALL_CAMPAIGN_PARK_OUTSIDE : 0u),
			.reason_code = rdb_reason_name(res[i].reason_code),
		};
		for (unsigned int k = 0; k < res[i].n_why && k < RDB_WHY_MAX; k++) {
			if (why_to_fact(&res[i].why[k], &facts[rc.n_facts]) < 0)
				continue;
			/* the car's build date, for the vehicle line: the first one decoded */
			if (res[i].why[k].code == RDB_WHY_BUILD_DATE && !r->build_date &&
			    (ret = report_set_str(&r->build_date,
						  report_fact_get(&facts[rc.n_facts], "date"))) < 0)
				goto out_facts;
			rc.n_facts++;
		}
		rc.facts = facts;
		ret = report_add_campaign(r, &rc);
out_facts:
		for (size_t k = 0; k < rc.n_facts; k++)
			report_fact_done(&facts[k]);
		if (ret < 0)
			goto out;
		listed++;
	}
	if (concerning)
		r->n_omitted = rdb_campaign_count(db->rdb) - listed;
	ret = 0;
out:
	free(res);
	return ret;
}

static int new_report(struct recall_db *db, const char *iface, struct recall_report **ret)
{
	struct recall_report *r = report_new();
	struct recall_database_info info;
	struct rdb_info ri;
	char tool[64], sname[128], state[16];

	if (!r)
		return -ENOMEM;
	r->started_ms = now_ms();
	r->schema_version = RECALL_REPORT_SCHEMA;
	r->database = check_db_describe(db);
	if (rdb_get_info(db->rdb, &ri) < 0) {
		recall_report_free(r);
		return -EIO;
	}
	/* the report owns copies: the database's strings live only as long as the handle */
	snprintf(tool, sizeof(tool), "%s", ri.tool_version);
	snprintf(sname, sizeof(sname), "%s", ri.signer_name ? ri.signer_name : "");
	snprintf(state, sizeof(state), "%s", rdb_signer_state_name(ri.signer));
	info = (struct recall_database_info){
		.path = db->path,
		.campaigns = ri.n_campaigns,
		.listed_vins = ri.n_listed_vins,
		.written_by = tool,
		.checksum = ri.checksum,
		.signer_key_id = ri.signer != RDB_SIGNER_NONE ? ri.key_id : NULL,
		.signer_name = ri.signer != RDB_SIGNER_NONE ? sname : NULL,
		.signer_state = ri.signer != RDB_SIGNER_NONE ? state : NULL,
	};
	if (!r->database || report_set_db(r, &info) < 0 ||
	    (iface && report_set_str(&r->iface, iface) < 0)) {
		recall_report_free(r);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

int check_facts(struct recall_db *db, const struct rdb_vehicle *v, unsigned int flags,
		struct recall_report **ret_report)
{
	struct recall_report *r;
	int ret;

	if (!db || !v || !ret_report)
		return -EINVAL;
	ret = new_report(db, NULL, &r);
	if (ret < 0)
		return ret;
	if (v->vin) {
		/* typed VINs come in lower case too; rules/ reads them either way, the report shows
		 * the VIN as it is stamped */
		ret = report_set_str(&r->vin, v->vin);
		if (ret < 0)
			goto fail;
		for (char *c = r->vin; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
	}
	ret = check_decide(db, v, flags, r);
	if (ret < 0)
		goto fail;
	r->status = RECALL_STATUS_COMPLETE;
	r->finished_ms = now_ms();
	*ret_report = r;
	return 0;
fail:
	recall_report_free(r);
	return ret;
}

RECALL_API int recall_check_vin(struct recall_db *db, const char *vin,
				struct recall_report **ret_report)
{
	struct rdb_vehicle v = { .vin = vin };
	struct vin_info vi;

	if (!db || !vin || !ret_report)
		return -EINVAL;
	/* lower case is the same VIN (vin_decode reads it so, check_facts shows it upper case);
	 * a wrong check digit is the matcher's to explain, not a refusal */
	if (vin_decode(vin, strnlen(vin, VIN_LEN + 1), &vi) < 0 ||
	    (vi.errors & (VIN_ERR_LENGTH | VIN_ERR_CHARSET)))
		return -EINVAL;
	return check_facts(db, &v, RECALL_CHECK_ALL_CAMPAIGNS, ret_report);
}

/* ---- the interface check ----------------------------------------------------------------------- */

/* "bmw obd11" -> fixed scheme or AUTO with these schemes (one discovery window, the order breaks
 * ties); NULL/"" -> can/'s default set. */
static int parse_addressing(const char *words, struct ident_config *cfg)
{
	enum ident_scheme order[IDENT_SCHEME_COUNT];
	size_t n = 0;
	char buf[128], *save = NULL;

	if (!words || !*words)
		return 0;
	if (strlen(words) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, words);
	for (char *w = strtok_r(buf, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		int s = ident_scheme_parse(w);

		if (s < 0)
			return -EINVAL;
		if (s == IDENT_SCHEME_AUTO)
			continue;
		if (n < IDENT_SCHEME_COUNT - 1)
			order[n++] = (enum ident_scheme)s;
	}
	if (n == 1) {
		cfg->scheme = order[0];
	} else if (n > 1) {
		cfg->scheme = IDENT_SCHEME_AUTO;
		memcpy(cfg->order, order, n * sizeof(order[0]));
		cfg->n_order = n;
	}
	return 0;
}

static const char *iface_problem(int err)
{
	switch (err) {
	case -ENODEV:
		return "no such interface";
	case -EPROTOTYPE:
		return "not a CAN interface";
	case -ENETDOWN:
		return "interface is down";
	default:
		return strerror(-err);
	}
}

/* An interface problem as data; during_read: it stopped a read that had begun. */
static int iface_fact(struct recall_fact *f, const char *iface, int err, bool during_read)
{
	const char *code = err == -ENODEV ? (during_read ? "iface_removed" : "iface_missing")
			 : err == -ENETDOWN ? (during_read ? "link_down" : "iface_down")
			 : err == -EPROTOTYPE ? "iface_not_can" : "iface_error";
	int ret;

	if ((ret = report_fact_init(f, code)) < 0 ||
	    (ret = report_fact_add(f, "iface", RECALL_PARAM_STRING, iface)) < 0 ||
	    (!strcmp(code, "iface_error") &&
	     (ret = report_fact_add(f, "errno", RECALL_PARAM_STRING, strerror(-err))) < 0))
		report_fact_done(f);
	return ret;
}

int check_identity(struct recall_db *db, const struct ident *id, unsigned int flags,
		   check_progress_fn progress, void *userdata, struct recall_report *r)
{
	struct recall_fact ef = { 0 };
	struct facts f = { 0 };
	char msg[512];
	int ret;

	ret = add_identity(r, id);
	if (ret < 0)
		return ret;
	if (id->vin[0] && id->vin_agree && (ret = report_set_str(&r->vin, id->vin)) < 0)
		return ret;

	if (id->fatal) {
		r->status = RECALL_STATUS_INTERRUPTED;
		snprintf(msg, sizeof(msg), "%s: %s while reading the car", id->iface,
			 id->fatal == -ENODEV ? "interface removed" : iface_problem(id->fatal));
		ret = iface_fact(&ef, id->iface, id->fatal, true);
	} else if (!id->vin[0]) {
		r->status = RECALL_STATUS_FAILED;
		snprintf(msg, sizeof(msg), "no VIN read (%s)",
			 id->n_ecus ? "the ECUs that answered gave none"
				    : "no ECU answered on any addressing scheme tried");
		if ((ret = report_fact_init(&ef, "no_vin")) >= 0)
			ret = report_fact_addf(&ef, "ecus", RECALL_PARAM_NUMBER, "%zu", id->n_ecus);
	} else if (!id->vin_agree) {
		r->status = RECALL_STATUS_FAILED;
		snprintf(msg, sizeof(msg), "ECUs report different VINs: ");
		list_vins(id, msg + strlen(msg), sizeof(msg) - strlen(msg));
		if ((ret = report_fact_init(&ef, "vins_disagree")) >= 0)
			ret = report_fact_add(&ef, "vins", RECALL_PARAM_STRING,
					      msg + strlen("ECUs report different VINs: "));
	} else {
		r->status = RECALL_STATUS_COMPLETE;
		msg[0] = '\0';
		ret = 0;
	}
	if (ret >= 0 && msg[0])
		ret = report_set_error_fact(r, msg, &ef);
	report_fact_done(&ef);
	if (ret < 0)
		return ret;
	if (progress) {
		r->finished_ms = now_ms();	/* so far: a partial report's duration is real */
		progress(userdata, r);
	}

	/* Campaigns are decided whenever one VIN was read, also when the read was cut off: what
	 * was not read makes a campaign undetermined, never not_affected. */
	if (r->vin) {
		ret = facts_from_ident(id, r->vin, &f);
		if (ret >= 0)
			ret = check_decide(db, &f.v, flags, r);
		facts_done(&f);
		if (ret < 0)
			return ret;
	}
	r->finished_ms = now_ms();
	return 0;
}

int check_run(struct recall_db *db, const char *iface, const struct recall_check_opts *opts,
	      check_progress_fn progress, void *userdata, struct recall_report **ret_report)
{
	struct recall_check_opts o = { 0 };
	struct plan_profile profile;
	struct ident_config cfg;
	struct recall_report *r = NULL;
	struct ident *id = NULL;
	struct canlink_errwatch ew = { .fd = -1 };
	bool watching = false;
	char msg[512];
	int ret;

	if (!db || !iface || !*iface || !ret_report)
		return -EINVAL;
	if (opts)
		memcpy(&o, opts, opts->size && opts->size < sizeof(o) ? opts->size : sizeof(o));
	ident_config_init(&cfg);
	if (parse_addressing(o.addressing, &cfg) < 0)
		return -EINVAL;
	/* bounded so that poll()'s int milliseconds never wrap to "forever" */
	if (o.timeout_ms > 600000 || o.deadline_ms > 86400000 || o.answer_ms > 600000 ||
	    o.parallel > IDENT_MAX_ECUS || o.quiet_ms > 600000)
		return -EINVAL;
	if (o.timeout_ms)
		cfg.timing.p2_ms = o.timeout_ms;
	cfg.deadline_ms = o.deadline_ms;
	if (o.size >= offsetof(struct recall_check_opts, answer_ms) + sizeof(o.answer_ms))
		cfg.answer_ms = o.answer_ms;
	if (o.size >= offsetof(struct recall_check_opts, parallel) + sizeof(o.parallel))
		cfg.parallel = o.parallel;
	if (o.size >= offsetof(struct recall_check_opts, quiet_ms) + sizeof(o.quiet_ms))
		cfg.quiet_ms = o.quiet_ms;
	if (o.flags & RECALL_CHECK_FULL_WINDOW)
		cfg.quiet_ms = IDENT_QUIET_OFF;
	cfg.fd = o.flags & RECALL_CHECK_CAN_FD;
	cfg.needs = db->needs;
	cfg.n_needs = db->n_needs;
	plan_use_profiles(&cfg, &profile);
	ret = new_report(db, iface, &r);
	if (ret < 0)
		return ret;

	/* The controller's error frames during the read: when the car cannot be read, the bus
	 * says why (no ACK, bus-off, wrong rate).  Without the socket the check runs as before. */
	watching = canlink_errwatch_open(&ew, iface) == 0;
	ret = ident_read(iface, &cfg, &id);
	if (ret == -ENOMEM)
		goto fail;
	if (ret < 0) {
		struct recall_fact ef = { 0 };

		r->status = RECALL_STATUS_FAILED;
		snprintf(msg, sizeof(msg), "%s: %s", iface, iface_problem(ret));
		if ((ret = iface_fact(&ef, iface, ret, false)) >= 0)
			ret = report_set_error_fact(r, msg, &ef);
		report_fact_done(&ef);
		if (ret < 0)
			goto fail;
		r->finished_ms = now_ms();
	} else {
		ret = check_identity(db, id, o.flags, progress, userdata, r);
		if (ret < 0)
			goto fail;
		if (watching) {
			int gone = canlink_errwatch_poll(&ew);

			ret = report_note_bus(r, &ew.st, ew.echo, id->n_ecus > 0 || id->vin[0],
					      id->fatal == -ENODEV || gone == -ENODEV);
			if (ret < 0)
				goto fail;
		}
	}
	if (watching)
		canlink_errwatch_close(&ew);
	ident_free(id);
	*ret_report = r;
	return 0;
fail:
	if (watching)
		canlink_errwatch_close(&ew);
	ident_free(id);
	recall_report_free(r);
	return ret;
}

RECALL_API int recall_check_iface(struct recall_db *db, const char *iface,
				  const struct recall_check_opts *opts,
				  struct recall_report **ret_report)
{
	return check_run(db, iface, opts, NULL, NULL, ret_report);
}

RECALL_API const char *recall_version(void)
{
	return RECALL_VERSION;
}
