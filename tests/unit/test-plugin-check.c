/*
 * The check after the bus (check_identity): what can/ read -> status, facts, verdicts.  Rows are
 * identities as ident_read() would return them, against a small database compiled here: the
 * mapping of every DID outcome (value, requestOutOfRange, other NRC, timeout), the statuses
 * (complete, interrupted keeps what was read, failed without a VIN or with disagreeing VINs) and
 * the errors list.  Also: check_db_open's refusals and recall_check_vin.
 */
#include <errno.h>
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "can/ident.h"
#include "plugin/recall-internal.h"
#include "rules/rdb.h"
#include "rules/rule.h"

static const char rules_src[] =
	"campaign \"TCB0000001\" { title \"Telematik\"; recognition vehicle_diagnosis \"x\";\n"
	"  affected wmi in {\"WBY\"}; remedied when ecu 0x61 did 0xF189 >= \"15.2.0\"; }\n"
	"campaign \"DDE0000001\" { title \"AGR\"; recognition workshop_system \"x\";\n"
	"  affected wmi in {\"WBY\"} and ecu 0x12 did 0xF187 = \"8578466-05\"; inspect when true; }\n";

#define VIN_A "WBY1Z41060V512345"
#define VIN_B "WBA8E51060K734560"

enum did_kind { D_NONE = 0, D_VALUE, D_OUT_OF_RANGE, D_NRC_22, D_TIMEOUT };

static const struct check_case {
	const char *name;
	const char *vins[2];		/* VIN sources, NULL = none */
	int fatal;
	enum did_kind f189;		/* ECU 0x61 */
	const char *f189_value;
	enum did_kind f187;		/* ECU 0x12 */
	enum recall_status status;
	const char *tcb, *dde;		/* verdict words; NULL = campaign not in the report */
	const char *error;		/* substring of report->error, NULL = none */
	unsigned int n_errors;		/* entries in report->errors */
} cases[] = {
	{ "open: old software", { VIN_A }, 0, D_VALUE, "11.0.2", D_OUT_OF_RANGE,
	  RECALL_STATUS_COMPLETE, "open", "not_affected", NULL, 0 },
	{ "remedied: fixed software", { VIN_A }, 0, D_VALUE, "15.2.0", D_NONE,
	  RECALL_STATUS_COMPLETE, "remedied", "undetermined", NULL, 0 },
	{ "requestOutOfRange is a fact: absent, not unknown", { VIN_A }, 0, D_OUT_OF_RANGE, NULL,
	  D_VALUE, RECALL_STATUS_COMPLETE, "open", "inspect", NULL, 0 },
	{ "another NRC is unknown, listed as an error", { VIN_A }, 0, D_NRC_22, NULL, D_VALUE,
	  RECALL_STATUS_COMPLETE, "undetermined", "inspect", NULL, 1 },
	{ "timeout is unknown, listed", { VIN_A }, 0, D_TIMEOUT, NULL, D_TIMEOUT,
	  RECALL_STATUS_COMPLETE, "undetermined", "undetermined", NULL, 2 },
	{ "interrupted keeps the VIN and decides on it", { VIN_A }, -ENODEV, D_VALUE, "11.0.2",
	  D_NONE, RECALL_STATUS_INTERRUPTED, "open", "undetermined", "interface removed", 0 },
	{ "interrupted before any VIN", { NULL }, -ENETDOWN, D_NONE, NULL, D_NONE,
	  RECALL_STATUS_INTERRUPTED, NULL, NULL, "down", 0 },
	{ "no VIN: failed, no verdicts", { NULL }, 0, D_VALUE, "11.0.2", D_NONE,
	  RECALL_STATUS_FAILED, NULL, NULL, "no VIN read", 0 },
	{ "two VINs: failed, both named", { VIN_A, VIN_B }, 0, D_VALUE, "11.0.2", D_NONE,
	  RECALL_STATUS_FAILED, NULL, NULL, VIN_A " (ECU 0x40), " VIN_B " (ECU 0x61)", 0 },
};

static void add_did(struct ident_ecu *e, uint16_t did, enum did_kind k, const char *value)
{
	struct ident_did *d;

	if (k == D_NONE)
		return;
	d = &e->dids[e->n_dids++];
	d->did = did;
	switch (k) {
	case D_VALUE:
		d->len = strlen(value);
		memcpy(d->value, value, d->len);
		break;
	case D_OUT_OF_RANGE:
	case D_NRC_22:
		d->status = -EREMOTEIO;
		d->nrc = k == D_OUT_OF_RANGE ? 0x31 : 0x22;
		break;
	default:
		d->status = -ETIMEDOUT;
		break;
	}
}

/* The identity as ident_read builds it, errors included (the check filters them). */
static struct ident *make_ident(const struct check_case *cc)
{
	struct ident *id = calloc(1, sizeof(*id));
	uint32_t addrs[] = { 0x40, 0x61, 0x12 };

	assert_non_null(id);
	strcpy(id->iface, "vcan0");
	id->scheme = IDENT_SCHEME_BMW;
	id->fatal = cc->fatal;
	for (size_t i = 0; i < 3; i++) {
		struct ident_ecu *e = &id->ecus[id->n_ecus++];

		e->address = addrs[i];
		e->scheme = IDENT_SCHEME_BMW;
		if (addrs[i] == 0x61)
			add_did(e, 0xF189, cc->f189, cc->f189_value);
		if (addrs[i] == 0x12)
			add_did(e, 0xF187, cc->f187, "8578466-05");
		for (size_t j = 0; j < e->n_dids; j++) {
			struct ident_error *er;

			if (!e->dids[j].status)
				continue;
			er = &id->errors[id->n_errors++];
			strcpy(er->step, "read-did");
			er->ecu = e->address;
			er->kind = e->dids[j].nrc ? IDENT_ERR_NRC : IDENT_ERR_TIMEOUT;
			er->err = e->dids[j].status;
			er->nrc = e->dids[j].nrc;
			snprintf(er->message, sizeof(er->message), "vcan0: ECU 0x%X: read-did %04X",
				 e->address, e->dids[j].did);
		}
	}
	/* silence of a scheme tried first: expected, never reported */
	strcpy(id->errors[id->n_errors].step, "discovery");
	id->errors[id->n_errors].kind = IDENT_ERR_TIMEOUT;
	id->errors[id->n_errors++].err = -ETIMEDOUT;
	for (size_t i = 0; i < 2 && cc->vins[i]; i++) {
		struct ident_vin_source *s = &id->sources[id->n_sources++];

		s->ecu = i ? 0x61 : 0x40;
		s->via = IDENT_VIA_UDS_F190;
		strcpy(s->vin, cc->vins[i]);
	}
	if (cc->vins[0]) {
		strcpy(id->vin, cc->vins[0]);
		id->vin_agree = !cc->vins[1] || strcmp(cc->vins[0], cc->vins[1]) == 0;
	}
	return id;
}

static const char *verdict_of(const struct recall_report *r, const char *campaign)
{
	for (size_t i = 0; i < r->n_campaigns; i++)
		if (strcmp(r->campaigns[i].id, campaign) == 0)
			return recall_verdict_name(r->campaigns[i].verdict);
	return NULL;
}

static char dbpath[64];

static int setup(void **state)
{
	struct rule_compiler *c;
	void *img;
	size_t len;

	(void)state;
	strcpy(dbpath, "/tmp/test-plugin-check.XXXXXX");
	assert_true(mkstemp(dbpath) >= 0);
	assert_int_equal(rule_compiler_new(RULE_NO_FILES, &c), 0);
	assert_int_equal(rule_compiler_add_source(c, "t.rules", rules_src, strlen(rules_src)), 0);
	assert_int_equal(rule_compiler_build(c, &img, &len), 0);
	assert_int_equal(rdb_write_file(dbpath, img, len), 0);
	free(img);
	rule_compiler_free(c);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(dbpath);
	return 0;
}

static void test_identities(void **state)
{
	struct recall_db *db;
	char *err = NULL;

	(void)state;
	assert_int_equal(check_db_open(dbpath, &db, &err), 0);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct check_case *cc = &cases[k];
		struct ident *id = make_ident(cc);
		struct recall_report *r = report_new();
		const char *v;

		print_message("case: %s\n", cc->name);
		assert_non_null(r);
		/* every campaign, so a missing one means "not decided", not "not selected" */
		assert_int_equal(check_identity(db, id, RECALL_CHECK_ALL_CAMPAIGNS, NULL, NULL, r), 0);
		assert_int_equal(r->status, cc->status);
		v = verdict_of(r, "TCB0000001");
		if (cc->tcb)
			assert_string_equal(v, cc->tcb);
		else
			assert_null(v);
		v = verdict_of(r, "DDE0000001");
		if (cc->dde)
			assert_string_equal(v, cc->dde);
		else
			assert_null(v);
		if (cc->error) {
			assert_non_null(r->error);
			assert_non_null(strstr(r->error, cc->error));
		} else {
			assert_null(r->error);
		}
		assert_int_equal(r->n_errors, cc->n_errors);
		assert_int_equal(r->n_ecus, 3);
		if (cc->status == RECALL_STATUS_COMPLETE)
			assert_string_equal(r->vin, VIN_A);
		recall_report_free(r);
		ident_free(id);
	}
	recall_db_free(db);
}

static void test_db_refusals(void **state)
{
	struct recall_db *db = NULL;
	struct recall_report *r = NULL;
	char *err = NULL, bad[] = "/tmp/test-plugin-check-bad.XXXXXX";
	int fd;

	(void)state;
	assert_int_equal(check_db_open("/nonexistent/x.rdb", &db, &err), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x.rdb: No such file"));
	free(err);
	err = NULL;
	assert_int_equal(check_db_open("/tmp", &db, &err), -EMEDIUMTYPE);
	assert_non_null(strstr(err, "not a regular file"));
	free(err);
	err = NULL;
	fd = mkstemp(bad);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "RECALLDB garbage", 16), 16);
	close(fd);
	assert_true(check_db_open(bad, &db, &err) < 0);
	assert_non_null(err);
	/* the message names the file, not an internal buffer */
	assert_int_equal(strncmp(err, bad, strlen(bad)), 0);
	assert_null(strstr(err, "(buffer)"));
	free(err);
	unlink(bad);
	assert_null(db);

	assert_int_equal(recall_db_open(dbpath, &db), 0);
	assert_int_equal(recall_check_vin(db, "WBY1Z41060V51234", &r), -EINVAL);
	assert_int_equal(recall_check_vin(db, "WBY1Z41O60V512345", &r), -EINVAL);
	assert_null(r);
	assert_int_equal(recall_check_vin(db, VIN_A, &r), 0);
	assert_int_equal(r->status, RECALL_STATUS_COMPLETE);
	/* no ECU data: the software campaign cannot be decided, never not_affected */
	assert_string_equal(verdict_of(r, "TCB0000001"), "undetermined");
	recall_report_free(r);
	/* a typed VIN in lower case is the same car, and the report shows it as stamped */
	{
		char low[sizeof(VIN_A)];

		for (size_t i = 0; i < sizeof(VIN_A); i++)
			low[i] = (char)tolower((unsigned char)VIN_A[i]);
		assert_int_equal(recall_check_vin(db, low, &r), 0);
		assert_string_equal(r->vin, VIN_A);
		assert_string_equal(verdict_of(r, "TCB0000001"), "undetermined");
		recall_report_free(r);
	}
	assert_null(recall_db_free(db));
	assert_null(recall_db_free(NULL));
}

/* A FIFO at the database path (the daemon's reload, recall-check, the library) is refused at
 * once; open() used to block, and a reload with it froze the whole daemon. */
static void test_db_fifo_refused(void **state)
{
	char dir[64], path[128];
	pid_t pid;
	int st;

	(void)state;
	strcpy(dir, "/tmp/test-plugin-check-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/recalls.rdb", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct recall_db *db;
		char *err = NULL;

		alarm(20);	/* a blocking open must fail the row, not hang the run */
		_exit(check_db_open(path, &db, &err) == -EMEDIUMTYPE && err &&
		      strstr(err, "not a regular file") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("a FIFO as database: status 0x%x (blocked or accepted)", st);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identities),
		cmocka_unit_test(test_db_refusals),
		cmocka_unit_test(test_db_fifo_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
