/* can/canlink.c: rtnetlink messages built and parsed byte for byte, and the bring-up decision as
 * a table (link as the kernel reports it, what the bay wants -> verdict and settings). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <net/if.h>

#include <linux/can/netlink.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "can/canlink.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ---- a small writer of kernel-style link messages --------------------------------------- */

struct w {
	char buf[2048] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *h;
};

static void w_start(struct w *w, uint16_t type, int ifindex, unsigned int flags)
{
	struct ifinfomsg *ifi;

	memset(w->buf, 0, sizeof(w->buf));
	w->h = (struct nlmsghdr *)w->buf;
	w->h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	w->h->nlmsg_type = type;
	w->h->nlmsg_seq = 7;
	ifi = NLMSG_DATA(w->h);
	ifi->ifi_type = ARPHRD_CAN;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
}

static struct rtattr *w_attr(struct w *w, unsigned short type, const void *d, size_t len)
{
	struct rtattr *a = (struct rtattr *)(w->buf + NLMSG_ALIGN(w->h->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), d, len);
	w->h->nlmsg_len = NLMSG_ALIGN(w->h->nlmsg_len) + RTA_SPACE(len);
	return a;
}

static void w_end(struct w *w, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)(w->buf + w->h->nlmsg_len - (char *)nest);
}

/* A link as the kernel describes it: name, kind, and for "can" the CAN attributes. */
struct linkdesc {
	const char *name, *kind;
	unsigned int flags;
	uint32_t bitrate;		/* 0: no IFLA_CAN_BITTIMING */
	uint32_t state, restart_ms, ctrlmode;
	const char *controller;		/* IFLA_CAN_BITTIMING_CONST name, NULL: none */
	const uint32_t *rates;		/* IFLA_CAN_BITRATE_CONST */
	unsigned int n_rates;
	uint32_t bitrate_max;
};

static void w_link(struct w *w, const struct linkdesc *l)
{
	struct rtattr *li, *data;

	w_start(w, RTM_NEWLINK, 3, l->flags);
	w_attr(w, IFLA_IFNAME, l->name, strlen(l->name) + 1);
	if (!l->kind)
		return;
	li = w_attr(w, IFLA_LINKINFO, NULL, 0);
	w_attr(w, IFLA_INFO_KIND, l->kind, strlen(l->kind));	/* kernel: without NUL */
	if (strcmp(l->kind, "can") == 0) {
		struct can_berr_counter bc = { .txerr = 128, .rxerr = 3 };
		struct can_ctrlmode cm = { .mask = 0xffff, .flags = l->ctrlmode };

		data = w_attr(w, IFLA_INFO_DATA, NULL, 0);
		if (l->bitrate) {
			struct can_bittiming bt = { .bitrate = l->bitrate, .sample_point = 875 };

			w_attr(w, IFLA_CAN_BITTIMING, &bt, sizeof(bt));
		}
		if (l->controller) {
			struct can_bittiming_const bc2 = { .tseg1_max = 16 };

			strncpy(bc2.name, l->controller, sizeof(bc2.name) - 1);
			w_attr(w, IFLA_CAN_BITTIMING_CONST, &bc2, sizeof(bc2));
		}
		w_attr(w, IFLA_CAN_STATE, &l->state, sizeof(l->state));
		w_attr(w, IFLA_CAN_CTRLMODE, &cm, sizeof(cm));
		w_attr(w, IFLA_CAN_RESTART_MS, &l->restart_ms, sizeof(l->restart_ms));
		w_attr(w, IFLA_CAN_BERR_COUNTER, &bc, sizeof(bc));
		if (l->n_rates)
			w_attr(w, IFLA_CAN_BITRATE_CONST, l->rates, l->n_rates * sizeof(uint32_t));
		if (l->bitrate_max)
			w_attr(w, IFLA_CAN_BITRATE_MAX, &l->bitrate_max, sizeof(uint32_t));
		w_end(w, data);
	}
	w_end(w, li);
}

static const uint32_t slcan_rates[] = { 10000,	20000,	50000,	100000, 125000,
					250000, 500000, 800000, 1000000 };

/* ---- parsing ---------------------------------------------------------------------------- */

static void test_parse_sja1000_down_no_timing(void **state)
{
	struct linkdesc l = { "can0", "can", 0, 0, CANLINK_STATE_STOPPED, 0, 0, "sja1000" };
	struct canlink_info in;
	struct w w;

	(void)state;
	w_link(&w, &l);
	assert_int_equal(canlink_parse_link(w.buf, w.h->nlmsg_len, &in), 0);
	assert_string_equal(in.ifname, "can0");
	assert_int_equal(in.ifindex, 3);
	assert_true(in.is_can);
	assert_false(in.up);
	assert_int_equal(in.kind, CANLINK_KIND_CAN);
	assert_false(in.has_bittiming);
	assert_true(in.has_state);
	assert_int_equal(in.state, CANLINK_STATE_STOPPED);
	assert_string_equal(in.controller, "sja1000");
	assert_true(in.has_berr);
	assert_int_equal(in.tx_errors, 128);
	assert_int_equal(in.rx_errors, 3);
	assert_true(in.has_restart_ms);
	assert_int_equal(in.restart_ms, 0);
	assert_string_equal(canlink_state_name(in.state), "stopped");
}

static void test_parse_up_with_timing_and_rates(void **state)
{
	struct linkdesc l = { "slcan0", "can", IFF_UP | IFF_LOWER_UP, 250000,
			      CANLINK_STATE_ERROR_PASSIVE, 100, CAN_CTRLMODE_LISTENONLY, NULL,
			      slcan_rates, 9, 1000000 };
	struct canlink_info in;
	struct w w;

	(void)state;
	w_link(&w, &l);
	assert_int_equal(canlink_parse_link(w.buf, w.h->nlmsg_len, &in), 0);
	assert_true(in.up);
	assert_true(in.carrier);
	assert_true(in.has_bittiming);
	assert_int_equal(in.bitrate, 250000);
	assert_int_equal(in.sample_point, 875);
	assert_int_equal(in.state, CANLINK_STATE_ERROR_PASSIVE);
	assert_int_equal(in.restart_ms, 100);
	assert_int_equal(in.ctrlmode, CAN_CTRLMODE_LISTENONLY);
	assert_int_equal(in.n_bitrate_const, 9);
	assert_int_equal(in.bitrate_const[8], 1000000);
	assert_int_equal(in.bitrate_max, 1000000);
	assert_string_equal(in.controller, "");
}

static void test_parse_vcan_and_plain(void **state)
{
	struct linkdesc v = { "vcan0", "vcan", IFF_UP };
	struct linkdesc none = { "can9", NULL, 0 };
	struct canlink_info in;
	struct w w;

	(void)state;
	w_link(&w, &v);
	assert_int_equal(canlink_parse_link(w.buf, w.h->nlmsg_len, &in), 0);
	assert_int_equal(in.kind, CANLINK_KIND_VCAN);
	assert_string_equal(canlink_kind_name(in.kind), "vcan");
	assert_false(in.has_state);
	w_link(&w, &none);
	assert_int_equal(canlink_parse_link(w.buf, w.h->nlmsg_len, &in), 0);
	assert_int_equal(in.kind, CANLINK_KIND_OTHER);
}

static void test_parse_bad(void **state)
{
	struct linkdesc l = { "can0", "can", 0, 500000 };
	struct canlink_info in;
	struct w w;
	uint32_t len;

	(void)state;
	w_link(&w, &l);
	len = w.h->nlmsg_len;
	/* shorter buffer than the header claims */
	assert_int_equal(canlink_parse_link(w.buf, len - 1, &in), -EBADMSG);
	/* not a link message */
	w.h->nlmsg_type = RTM_NEWADDR;
	assert_int_equal(canlink_parse_link(w.buf, len, &in), -EBADMSG);
	/* a name without room for its NUL in IFNAMSIZ */
	w_start(&w, RTM_NEWLINK, 1, 0);
	w_attr(&w, IFLA_IFNAME, "abcdefghijklmnopqrstuvwxyz", 27);
	assert_int_equal(canlink_parse_link(w.buf, w.h->nlmsg_len, &in), -EBADMSG);
	/* a struct attribute cut short is ignored, never read past its end */
	w_start(&w, RTM_NEWLINK, 1, 0);
	{
		struct rtattr *li = w_attr(&w, IFLA_LINKINFO, NULL, 0), *d;
		uint32_t two = 2;

		w_attr(&w, IFLA_INFO_KIND, "can", 3);
		d = w_attr(&w, IFLA_INFO_DATA, NULL, 0);
		w_attr(&w, IFLA_CAN_BITTIMING, &two, sizeof(two));
		w_end(&w, d);
		w_end(&w, li);
	}
	assert_int_equal(canlink_parse_link(w.buf, w.h->nlmsg_len, &in), 0);
	assert_int_equal(in.kind, CANLINK_KIND_CAN);
	assert_false(in.has_bittiming);
}

/* ---- building ----------------------------------------------------------------------------- */

static struct rtattr *find(struct rtattr *first, int len, unsigned short type)
{
	struct rtattr *a;

	for (a = first; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == type)
			return a;
	return NULL;
}

static void test_build_get(void **state)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *h = (void *)buf;
	struct ifinfomsg *ifi;
	struct rtattr *a;
	int n;

	(void)state;
	n = canlink_build_get(buf, sizeof(buf), 42, "can1");
	assert_true(n > 0);
	assert_int_equal(h->nlmsg_len, (uint32_t)n);
	assert_int_equal(h->nlmsg_type, RTM_GETLINK);
	assert_int_equal(h->nlmsg_seq, 42);
	ifi = NLMSG_DATA(h);
	a = find(IFLA_RTA(ifi), (int)IFLA_PAYLOAD(h), IFLA_IFNAME);
	assert_non_null(a);
	assert_string_equal((const char *)RTA_DATA(a), "can1");
	assert_int_equal(canlink_build_get(buf, sizeof(buf), 1, "0123456789abcdef"), -EINVAL);
	assert_int_equal(canlink_build_get(buf, sizeof(buf), 1, ""), -EINVAL);
	assert_int_equal(canlink_build_get(buf, 20, 1, "can0"), -ENOBUFS);
}

static void test_build_configure(void **state)
{
	char buf[512] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *h = (void *)buf;
	struct canlink_settings s = { .bitrate = 500000, .restart_ms = 100,
				      .ctrlmode_mask = CAN_CTRLMODE_LISTENONLY,
				      .ctrlmode_flags = CAN_CTRLMODE_LISTENONLY };
	struct rtattr *li, *kind, *data, *a;
	struct can_bittiming bt;
	struct can_ctrlmode cm;
	uint32_t ms;
	int n;

	(void)state;
	n = canlink_build_configure(buf, sizeof(buf), 9, 5, &s,
				    CANLINK_SET_BITRATE | CANLINK_SET_RESTART_MS |
					    CANLINK_SET_CTRLMODE);
	assert_true(n > 0);
	assert_int_equal(h->nlmsg_type, RTM_NEWLINK);
	assert_true(h->nlmsg_flags & NLM_F_ACK);
	assert_int_equal(((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index, 5);
	li = find(IFLA_RTA(NLMSG_DATA(h)), (int)IFLA_PAYLOAD(h), IFLA_LINKINFO);
	assert_non_null(li);
	kind = find(RTA_DATA(li), (int)RTA_PAYLOAD(li), IFLA_INFO_KIND);
	assert_non_null(kind);
	assert_string_equal((const char *)RTA_DATA(kind), "can");
	data = find(RTA_DATA(li), (int)RTA_PAYLOAD(li), IFLA_INFO_DATA);
	assert_non_null(data);
	a = find(RTA_DATA(data), (int)RTA_PAYLOAD(data), IFLA_CAN_BITTIMING);
	assert_non_null(a);
	assert_int_equal(RTA_PAYLOAD(a), sizeof(bt));
	memcpy(&bt, RTA_DATA(a), sizeof(bt));
	assert_int_equal(bt.bitrate, 500000);
	assert_int_equal(bt.brp, 0);	/* the kernel computes the timing */
	a = find(RTA_DATA(data), (int)RTA_PAYLOAD(data), IFLA_CAN_RESTART_MS);
	assert_non_null(a);
	memcpy(&ms, RTA_DATA(a), sizeof(ms));
	assert_int_equal(ms, 100);
	a = find(RTA_DATA(data), (int)RTA_PAYLOAD(data), IFLA_CAN_CTRLMODE);
	assert_non_null(a);
	memcpy(&cm, RTA_DATA(a), sizeof(cm));
	assert_int_equal(cm.mask, CAN_CTRLMODE_LISTENONLY);
	assert_int_equal(cm.flags, CAN_CTRLMODE_LISTENONLY);

	/* only what is asked for */
	n = canlink_build_configure(buf, sizeof(buf), 10, 5, &s, CANLINK_SET_RESTART_MS);
	assert_true(n > 0);
	li = find(IFLA_RTA(NLMSG_DATA(h)), (int)IFLA_PAYLOAD(h), IFLA_LINKINFO);
	data = find(RTA_DATA(li), (int)RTA_PAYLOAD(li), IFLA_INFO_DATA);
	assert_null(find(RTA_DATA(data), (int)RTA_PAYLOAD(data), IFLA_CAN_BITTIMING));
	assert_non_null(find(RTA_DATA(data), (int)RTA_PAYLOAD(data), IFLA_CAN_RESTART_MS));

	assert_int_equal(canlink_build_configure(buf, sizeof(buf), 1, 0, &s, 0), -EINVAL);
	assert_int_equal(canlink_build_configure(buf, 40, 1, 5, &s, CANLINK_SET_BITRATE),
			 -ENOBUFS);
}

static void test_build_updown(void **state)
{
	char buf[128] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *h = (void *)buf;
	struct ifinfomsg *ifi = NLMSG_DATA(h);

	(void)state;
	assert_true(canlink_build_updown(buf, sizeof(buf), 3, 7, true) > 0);
	assert_int_equal(ifi->ifi_change, IFF_UP);
	assert_int_equal(ifi->ifi_flags, IFF_UP);
	assert_true(canlink_build_updown(buf, sizeof(buf), 3, 7, false) > 0);
	assert_int_equal(ifi->ifi_change, IFF_UP);
	assert_int_equal(ifi->ifi_flags, 0);
}

/* ---- replies ------------------------------------------------------------------------------ */

/* An NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK + NETLINK_EXT_ACK. */
static size_t w_error(char *buf, uint32_t seq, int error, const char *msg)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlmsgerr *e;
	size_t off;

	memset(buf, 0, 512);
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_seq = seq;
	h->nlmsg_flags = NLM_F_CAPPED;
	e = NLMSG_DATA(h);
	e->error = error;
	e->msg.nlmsg_len = 64;	/* the request's length; capped, so not copied */
	e->msg.nlmsg_seq = seq;
	off = NLMSG_LENGTH(sizeof(*e));
	if (msg) {
		struct nlattr *a = (struct nlattr *)(buf + off);

		h->nlmsg_flags |= NLM_F_ACK_TLVS;
		a->nla_type = NLMSGERR_ATTR_MSG;
		a->nla_len = (uint16_t)(NLA_HDRLEN + strlen(msg) + 1);
		memcpy((char *)a + NLA_HDRLEN, msg, strlen(msg) + 1);
		off += NLA_ALIGN(a->nla_len);
	}
	h->nlmsg_len = (uint32_t)off;
	return off;
}

static void test_reply_error_with_extack(void **state)
{
	char buf[512] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct canlink_err err;
	size_t n;

	(void)state;
	n = w_error(buf, 5, -EINVAL, "bit-timing not yet defined\n");
	assert_int_equal(canlink_parse_reply(buf, n, 5, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "bit-timing not yet defined");
	n = w_error(buf, 6, -EOPNOTSUPP, "Device doesn't support restart from Bus Off");
	assert_int_equal(canlink_parse_reply(buf, n, 6, NULL, &err), -EOPNOTSUPP);
	assert_string_equal(err.msg, "Device doesn't support restart from Bus Off");
	/* a plain ACK */
	n = w_error(buf, 7, 0, NULL);
	assert_int_equal(canlink_parse_reply(buf, n, 7, NULL, &err), 0);
	assert_string_equal(err.msg, "");
	/* another request's answer is not ours */
	assert_int_equal(canlink_parse_reply(buf, n, 8, NULL, &err), -EBADMSG);
	/* a positive "errno" is not one */
	n = w_error(buf, 9, 5, NULL);
	assert_int_equal(canlink_parse_reply(buf, n, 9, NULL, &err), -EBADMSG);
	/* the last message's length is not a multiple of 4 and it is not ours: the walk ends
	 * there (NLMSG_NEXT would wrap the remaining length around and read on) */
	{
		char *exact;

		n = w_error(buf, 11, -EINVAL, NULL) + 1;
		((struct nlmsghdr *)buf)->nlmsg_len = (uint32_t)n;
		exact = malloc(n);
		assert_non_null(exact);
		memcpy(exact, buf, n);
		assert_int_equal(canlink_parse_reply(exact, n, 12, NULL, &err), -EBADMSG);
		assert_int_equal(canlink_parse_reply(exact, n, 11, NULL, &err), -EINVAL);
		free(exact);
	}
	/* an extack attribute claiming more than there is stops the walk, nothing is read past */
	n = w_error(buf, 10, -EBUSY, "x");
	((struct nlattr *)(buf + NLMSG_LENGTH(sizeof(struct nlmsgerr))))->nla_len = 400;
	assert_int_equal(canlink_parse_reply(buf, n, 10, NULL, &err), -EBUSY);
	assert_string_equal(err.msg, "");
}

static void test_reply_link(void **state)
{
	struct linkdesc l = { "can1", "can", 0, 500000 };
	struct canlink_info in;
	struct w w;

	(void)state;
	w_link(&w, &l);
	assert_int_equal(canlink_parse_reply(w.buf, w.h->nlmsg_len, 7, &in, NULL), 1);
	assert_int_equal(in.bitrate, 500000);
	assert_int_equal(canlink_parse_reply(w.buf, w.h->nlmsg_len, 8, &in, NULL), -EBADMSG);
}

/* ---- the decision ------------------------------------------------------------------------- */

static const struct plan_row {
	const char *name;
	struct linkdesc link;
	struct canlink_want want;
	enum canlink_verdict verdict;
	unsigned int set;
	uint32_t bitrate, restart_ms, ctrl_flags;
} plan_rows[] = {
	{ "vcan is never touched", { "vcan0", "vcan", 0 }, { 500000, 100 },
	  CANLINK_LEAVE_VIRTUAL },
	{ "vxcan likewise", { "vx0", "vxcan", 0 }, { 500000, 100 }, CANLINK_LEAVE_VIRTUAL },
	{ "up: somebody's settings, even at another rate",
	  { "can0", "can", IFF_UP, 250000 }, { 500000, 100 }, CANLINK_LEAVE_UP },
	{ "not a CAN controller", { "can0", NULL, 0 }, { 500000, 100 }, CANLINK_LEAVE_NOT_CAN },
	{ "down without timing: rate and restart-ms",
	  { "can0", "can", 0, 0, CANLINK_STATE_STOPPED, 0, 0, "sja1000" }, { 500000, 100 },
	  CANLINK_BRING_UP, CANLINK_SET_BITRATE | CANLINK_SET_RESTART_MS, 500000, 100 },
	{ "down at the wrong rate: the rate",
	  { "can0", "can", 0, 250000, CANLINK_STATE_STOPPED, 100 }, { 500000, 100 },
	  CANLINK_BRING_UP, CANLINK_SET_BITRATE, 500000 },
	{ "down, everything right: only up",
	  { "can0", "can", 0, 500000, CANLINK_STATE_STOPPED, 100 }, { 500000, 100 },
	  CANLINK_BRING_UP, 0 },
	{ "restart-ms 0 wanted where 100 is set",
	  { "can0", "can", 0, 500000, CANLINK_STATE_STOPPED, 100 }, { 500000, 0 },
	  CANLINK_BRING_UP, CANLINK_SET_RESTART_MS, 0, 0 },
	{ "listen-only on, for bit-rate detection",
	  { "can0", "can", 0, 500000 }, { 500000, 0, true }, CANLINK_BRING_UP,
	  CANLINK_SET_CTRLMODE, 0, 0, CAN_CTRLMODE_LISTENONLY },
	{ "listen-only left over from detection is switched off",
	  { "can0", "can", 0, 250000, 0, 0, CAN_CTRLMODE_LISTENONLY }, { 250000, 0 },
	  CANLINK_BRING_UP, CANLINK_SET_CTRLMODE, 0, 0, 0 },
	{ "slcan: a rate from its list",
	  { "slcan0", "can", 0, 0, 0, 0, 0, NULL, slcan_rates, 9 }, { 250000, 0 },
	  CANLINK_BRING_UP, CANLINK_SET_BITRATE, 250000 },
	{ "slcan: a rate not in its list is refused before the kernel is asked",
	  { "slcan0", "can", 0, 0, 0, 0, 0, NULL, slcan_rates, 9 }, { 33333, 0 },
	  CANLINK_REFUSE_RATE },
	{ "above the transceiver's maximum",
	  { "can0", "can", 0, 0, 0, 0, 0, "mcp251x", NULL, 0, 500000 }, { 1000000, 0 },
	  CANLINK_REFUSE_RATE },
	{ "bitrate auto (0): no rate set here, restart-ms still",
	  { "can0", "can", 0, 0, 0, 0 }, { 0, 100 }, CANLINK_BRING_UP,
	  CANLINK_SET_RESTART_MS, 0, 100 },
};

static void test_plan_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(plan_rows) / sizeof(plan_rows[0]); i++) {
		const struct plan_row *r = &plan_rows[i];
		struct canlink_info in;
		struct canlink_plan p;
		struct w w;

		print_message("plan: %s\n", r->name);
		w_link(&w, &r->link);
		assert_int_equal(canlink_parse_link(w.buf, w.h->nlmsg_len, &in), 0);
		canlink_plan(&in, &r->want, &p);
		assert_string_equal(canlink_verdict_name(p.verdict),
				    canlink_verdict_name(r->verdict));
		if (r->verdict != CANLINK_BRING_UP)
			continue;
		assert_int_equal(p.set, r->set);
		if (r->set & CANLINK_SET_BITRATE)
			assert_int_equal(p.s.bitrate, r->bitrate);
		if (r->set & CANLINK_SET_RESTART_MS)
			assert_int_equal(p.s.restart_ms, r->restart_ms);
		if (r->set & CANLINK_SET_CTRLMODE) {
			assert_int_equal(p.s.ctrlmode_mask, CAN_CTRLMODE_LISTENONLY);
			assert_int_equal(p.s.ctrlmode_flags, r->ctrl_flags);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_sja1000_down_no_timing),
		cmocka_unit_test(test_parse_up_with_timing_and_rates),
		cmocka_unit_test(test_parse_vcan_and_plain),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_build_get),
		cmocka_unit_test(test_build_configure),
		cmocka_unit_test(test_build_updown),
		cmocka_unit_test(test_reply_error_with_extack),
		cmocka_unit_test(test_reply_link),
		cmocka_unit_test(test_plan_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
