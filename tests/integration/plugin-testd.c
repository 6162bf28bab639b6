/*
 * plugin-testd: recalld's real event loop, bay discovery (udev + rtnetlink), traffic trigger,
 * control socket and report writing, with a test check instead of the car check, so the 3N tests
 * exercise the daemon's bay handling on real vcan interfaces independently of can/ and rules/.
 *
 *   plugin-testd CONFIG
 *
 * The test check opens a CAN_RAW socket on the bay, sends one frame (7DF#0209020000000000, an
 * OBD "read VIN" single frame) and waits for any answer frame:
 *   - an answer whose first data byte is 0x01 ends the check "complete" with VIN TESTVIN0000000001,
 *   - an interface that vanishes makes the socket fail (ENODEV/ENETDOWN) and the check reports
 *     what it had ("interrupted"), exactly as the real check does,
 *   - no answer: it waits until the daemon's deadline kills it.
 * The database is any file whose first line starts with "TESTDB" (reload tests rewrite it).
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/socket.h>

#include <linux/can.h>
#include <linux/can/raw.h>

#include "plugin/daemon/daemon.h"
#include "plugin/recall-internal.h"

static int db_open(void *u, const char *path, void **ret_db, char **ret_error)
{
	char buf[128] = "";
	FILE *f = fopen(path, "re");

	(void)u;
	if (!f) {
		if (asprintf(ret_error, "%s: %s", path, strerror(errno)) < 0)
			*ret_error = NULL;
		return -ENOENT;
	}
	if (!fgets(buf, sizeof(buf), f) || strncmp(buf, "TESTDB", 6) != 0) {
		fclose(f);
		if (asprintf(ret_error, "%s: not a test database", path) < 0)
			*ret_error = NULL;
		return -EBADMSG;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	*ret_db = strdup(buf);
	return *ret_db ? 0 : -ENOMEM;
}

static void db_free(void *u, void *db)
{
	(void)u;
	free(db);
}

static char *db_describe(void *u, void *db)
{
	(void)u;
	return strdup(db);
}

static int check(void *u, void *db, const struct check_request *creq, struct check_reply *out)
{
	const char *iface = creq->iface;
	struct sockaddr_can addr = { .can_family = AF_CAN };
	struct can_frame req = { .can_id = 0x7DF, .len = 8,
				 .data = { 0x02, 0x09, 0x02, 0, 0, 0, 0, 0 } };
	struct recall_report *r = report_new();
	int s, ret = 1;

	(void)u;
	if (!r)
		return 1;
	report_set_str(&r->database, db);
	r->status = RECALL_STATUS_INTERRUPTED;
	s = socket(PF_CAN, SOCK_RAW, CAN_RAW);
	addr.can_ifindex = (int)if_nametoindex(iface);
	if (s < 0 || !addr.can_ifindex || bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		report_set_str(&r->error, "cannot open the bus");
		r->status = RECALL_STATUS_FAILED;
		goto out;
	}
	if (write(s, &req, sizeof(req)) != (ssize_t)sizeof(req)) {
		report_set_str(&r->error, strerror(errno));
		goto out;
	}
	report_set_str(&r->addressing, "test");
	check_reply_send(out, CHECK_MSG_PROGRESS, r);
	for (;;) {
		struct can_frame f;
		ssize_t n = read(s, &f, sizeof(f));

		if (n < 0) {
			char msg[128];

			snprintf(msg, sizeof(msg), "%s: %s", iface, strerror(errno));
			report_set_str(&r->error, msg);
			goto out;
		}
		if (n == (ssize_t)sizeof(f) && f.can_id != 0x7DF && f.len && f.data[0] == 0x01) {
			report_set_str(&r->vin, "TESTVIN0000000001");
			r->status = RECALL_STATUS_COMPLETE;
			report_add_campaign(r, &(struct campaign_in){
				.id = "TEST-1", .title = "Testkampagne",
				.text = "Nur für Tests.", .verdict = RECALL_VERDICT_OPEN,
				.reason = "test check" });
			break;
		}
	}
	ret = 0;
out:
	check_reply_send(out, CHECK_MSG_REPORT, r);
	recall_report_free(r);
	if (s >= 0)
		close(s);
	return ret;
}

static void say(void *u, const char *file, unsigned int line, const char *msg)
{
	(void)u;
	fprintf(stderr, "%s:%u: error: %s\n", file, line, msg);
}

int main(int argc, char **argv)
{
	static const struct recalld_ops ops = {
		.db_open = db_open, .db_free = db_free, .db_describe = db_describe, .check = check,
	};
	struct recalld_config cfg;
	struct recalld *d;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: plugin-testd CONFIG\n");
		return 2;
	}
	openlog("plugin-testd", LOG_PERROR | LOG_PID, LOG_DAEMON);
	config_init_defaults(&cfg);
	if (config_parse_file(&cfg, argv[1], say, NULL) < 0)
		return 2;
	r = recalld_new(&cfg, argv[1], &ops, NULL, 0, &d);
	if (r < 0) {
		config_done(&cfg);
		return 1;
	}
	r = recalld_run(d);
	recalld_free(d);
	return r < 0 ? 1 : 0;
}
