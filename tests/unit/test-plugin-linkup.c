/* The link helper (plugin/daemon/linkup.c): what it refuses without ever touching a link, and a
 * real helper process answering over its socketpair through the loop.  No CAN needed: "lo" is a
 * netdev that exists everywhere and is not CAN, so every request about it must be refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <unistd.h>

#include "can/canlink.h"
#include "plugin/config.h"
#include "plugin/daemon/linkup.h"
#include "plugin/daemon/loop.h"

static void cfg_with(struct recalld_config *c, const char *globs)
{
	config_init_defaults(c);
	assert_int_equal(config_parse_string(c, globs, "t.conf", NULL, NULL), 0);
}

static void serve(const struct recalld_config *c, uint32_t op, const char *ifname,
		  struct linkup_rep *rep)
{
	struct linkup_req req = { LINKUP_MAGIC, sizeof(req), 7, op, "", 500000, 100, 0, 0 };

	snprintf(req.ifname, sizeof(req.ifname), "%s", ifname);
	linkup_serve(c, &req, rep);
	assert_int_equal(rep->id, 7);
	assert_int_equal(rep->magic, LINKUP_MAGIC);
}

static void test_refusals(void **state)
{
	struct recalld_config c;
	struct linkup_rep rep;

	(void)state;
	cfg_with(&c, "[bays]\ninterfaces = can* lo nosuch*\n");
	/* not a bay of the configuration: refused before any netlink */
	serve(&c, LINKUP_BRINGUP, "eth0", &rep);
	assert_int_equal(rep.outcome, CANLINK_OUT_REFUSED);
	assert_int_equal(rep.error, -EACCES);
	assert_string_equal(rep.step, "plan");
	/* a bay glob, but not a CAN netdev: never touched */
	serve(&c, LINKUP_BRINGUP, "lo", &rep);
	assert_int_equal(rep.outcome, CANLINK_OUT_REFUSED);
	assert_int_equal(rep.verdict, CANLINK_LEAVE_NOT_CAN);
	serve(&c, LINKUP_SET, "lo", &rep);
	assert_int_equal(rep.outcome, CANLINK_OUT_REFUSED);
	assert_string_equal(rep.msg, "not a CAN controller");
	/* gone */
	serve(&c, LINKUP_BRINGUP, "nosuch0", &rep);
	assert_int_equal(rep.outcome, CANLINK_OUT_GONE);
	serve(&c, LINKUP_SET, "nosuch0", &rep);
	assert_int_equal(rep.outcome, CANLINK_OUT_GONE);
	/* unknown request */
	serve(&c, 99, "lo", &rep);
	assert_int_equal(rep.outcome, CANLINK_OUT_REFUSED);
	assert_int_equal(rep.error, -EINVAL);
	config_done(&c);
}

struct got {
	int calls, err;
	struct linkup_rep rep;
	struct loop *l;
};

static void on_rep(void *ctx, const struct linkup_rep *rep, int err)
{
	struct got *g = ctx;

	g->calls++;
	g->err = err;
	if (rep)
		g->rep = *rep;
	loop_quit(g->l);
}

static void test_process(void **state)
{
	struct recalld_config c;
	struct linkup *lu;
	struct loop *l;
	struct got g = { 0 };
	struct linkup_req req = { .op = LINKUP_BRINGUP, .ifname = "lo", .bitrate = 500000 };
	struct linkup_rep rep;
	int fd, pid;
	char junk[5] = "junk";

	(void)state;
	cfg_with(&c, "[bays]\ninterfaces = lo\n");
	assert_int_equal(linkup_spawn(&c, (uid_t)-1, (gid_t)-1, &fd, &pid), 0);
	/* a malformed message is answered with a refusal; the helper stays up */
	assert_int_equal(send(fd, junk, sizeof(junk), 0), (ssize_t)sizeof(junk));
	assert_int_equal(recv(fd, &rep, sizeof(rep), 0), (ssize_t)sizeof(rep));
	assert_int_equal(rep.error, -EBADMSG);
	assert_int_equal(loop_new(&l), 0);
	g.l = l;
	assert_int_equal(linkup_new(l, fd, pid, &lu), 0);
	assert_int_equal(linkup_request(lu, &req, on_rep, &g), 0);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.rep.outcome, CANLINK_OUT_REFUSED);
	assert_int_equal(g.rep.verdict, CANLINK_LEAVE_NOT_CAN);
	/* a cancelled request is answered but nobody is called */
	assert_int_equal(linkup_request(lu, &req, on_rep, &g), 0);
	linkup_cancel(lu, &g);
	linkup_free(lu);
	assert_int_equal(g.calls, 1);
	loop_free(l);
	config_done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
