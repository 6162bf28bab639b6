/* UDS request state machine over a mock transport with a simulated clock: P2, P2* after 0x78,
 * bounded 0x21 retries, stale replies, malformed replies, transport errors.  A row is a case. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "can/ident.h"

struct step {
	unsigned int after_ms;	/* after the previous reply or the request */
	int err;		/* recv returns this instead of bytes */
	size_t len;
	uint8_t b[8];
};

struct mock {
	const struct step *steps;
	size_t n, idx;
	unsigned int rem;	/* remaining delay of steps[idx] */
	bool started;
	uint64_t now;
	unsigned int sends;
	int send_err;
};

static int m_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct mock *m = ctx;

	(void)buf;
	(void)len;
	m->sends++;
	return m->send_err;
}

static ssize_t m_recv(void *ctx, uint8_t *buf, size_t cap, unsigned int timeout_ms)
{
	struct mock *m = ctx;
	const struct step *s;

	if (m->idx >= m->n) {
		m->now += timeout_ms;
		return -ETIMEDOUT;
	}
	s = &m->steps[m->idx];
	if (!m->started) {
		m->rem = s->after_ms;
		m->started = true;
	}
	if (m->rem > timeout_ms) {
		m->now += timeout_ms;
		m->rem -= timeout_ms;
		return -ETIMEDOUT;
	}
	m->now += m->rem;
	m->idx++;
	m->started = false;
	if (s->err)
		return s->err;
	assert_true(s->len <= cap);
	memcpy(buf, s->b, s->len);
	return (ssize_t)s->len;
}

static uint64_t m_now(void *ctx)
{
	return ((struct mock *)ctx)->now;
}

#define NEG(nrc) 3, { 0x7F, 0x22, nrc }
#define POS 5, { 0x62, 0xF1, 0x89, 'O', 'K' }
#define PENDING(ms) { ms, 0, NEG(0x78) }
#define STALE { 1, 0, 5, { 0x62, 0xF1, 0x87, 'N', 'O' } }	/* late answer for F187 */
#define DEF NULL, UDS_LIMIT_NONE, 0	/* default timing, no limit hit, 0x78 not counted */

/* Timings for rows that need other bounds than UDS_TIMING_DEFAULT. */
static const struct uds_timing no_count_limit = { 50, 5000, 3, 0, 0 };	/* request_ms 0: default */
static const struct uds_timing short_request = { 50, 5000, 3, 0, 12000 };
static const struct uds_timing ten_pendings = { 50, 5000, 3, 10, 0 };

static const struct uds_case {
	const char *name;
	struct step steps[16];
	size_t n;
	int ret;
	bool negative;
	uint8_t nrc;
	unsigned int sends;
	uint64_t elapsed;	/* simulated ms until the result */
	const struct uds_timing *tm;	/* NULL: UDS_TIMING_DEFAULT */
	enum uds_limit limit;
	unsigned int pending;	/* 0x78 counted */
} cases[] = {
	{ "answer in time", { { 10, 0, POS } }, 1, 0, false, 0, 1, 10, DEF },
	{ "answer after P2", { { 60, 0, POS } }, 1, -ETIMEDOUT, false, 0, 1, 50, DEF },
	{ "silent", { { 0 } }, 0, -ETIMEDOUT, false, 0, 1, 50, DEF },
	{ "negative", { { 5, 0, NEG(0x31) } }, 1, 0, true, 0x31, 1, 5, DEF },
	{ "pending then answer", { { 5, 0, NEG(0x78) }, { 3000, 0, POS } }, 2, 0, false, 0, 1,
	  3005, DEF },
	{ "pending x3 then answer", { { 5, 0, NEG(0x78) }, { 4000, 0, NEG(0x78) },
	  { 4000, 0, NEG(0x78) }, { 4999, 0, POS } }, 4, 0, false, 0, 1, 13004, DEF },
	{ "pending then silence", { { 5, 0, NEG(0x78) } }, 1, -ETIMEDOUT, false, 0, 1, 5005, DEF },
	{ "busy then answer", { { 5, 0, NEG(0x21) }, { 5, 0, POS } }, 2, 0, false, 0, 2, 10, DEF },
	{ "busy forever", { { 1, 0, NEG(0x21) }, { 1, 0, NEG(0x21) }, { 1, 0, NEG(0x21) },
	  { 1, 0, NEG(0x21) }, { 1, 0, NEG(0x21) } }, 5, 0, true, 0x21, 4, 4, DEF },
	{ "stale negative for another SID", { { 5, 0, 3, { 0x7F, 0x09, 0x31 } }, { 5, 0, POS } },
	  2, 0, false, 0, 1, 10, DEF },
	/* late answers to earlier requests are skipped; the real answer still counts */
	{ "reply to another service, then silence", { { 5, 0, 3, { 0x49, 0x02, 0x01 } } }, 1,
	  -ETIMEDOUT, false, 0, 1, 50, DEF },
	{ "late positive for another service, then answer", { { 5, 0, 3, { 0x49, 0x02, 0x01 } },
	  { 5, 0, POS } }, 2, 0, false, 0, 1, 10, DEF },
	{ "late positive for another DID, then answer", { { 5, 0, 5, { 0x62, 0xF1, 0x87, 'N', 'O' } },
	  { 5, 0, POS } }, 2, 0, false, 0, 1, 10, DEF },
	{ "late positive then pending then answer", { { 5, 0, 4, { 0x62, 0xF1, 0x90, 'W' } },
	  PENDING(5), { 3000, 0, POS } }, 3, 0, false, 0, 1, 3010, NULL, UDS_LIMIT_NONE, 1 },
	{ "stale replies without end", { STALE, STALE, STALE, STALE, STALE, STALE, STALE, STALE,
	  STALE, { 1, 0, POS } }, 10, -EPROTO, false, 0, 1, 9, DEF },
	{ "eight stale replies, then answer", { STALE, STALE, STALE, STALE, STALE, STALE, STALE,
	  STALE, { 1, 0, POS } }, 9, 0, false, 0, 1, 9, DEF },
	{ "truncated negative", { { 5, 0, 2, { 0x7F, 0x22 } } }, 1, -EBADMSG, false, 0, 1, 5, DEF },
	{ "SN error from kernel", { { 5, -EILSEQ, 0, { 0 } } }, 1, -EILSEQ, false, 0, 1, 5, DEF },
	{ "interface gone", { { 5, -ENODEV, 0, { 0 } } }, 1, -ENODEV, false, 0, 1, 5, DEF },
	/* a lying ECU: 0x78 forever.  The 11th 0x78 is one more than max_pending 10 allows (the
	 * default, 50, in test_pending_default_limit). */
	{ "pending forever, max_pending 10", { PENDING(20), PENDING(20), PENDING(20),
	  PENDING(20), PENDING(20), PENDING(20), PENDING(20), PENDING(20), PENDING(20),
	  PENDING(20), PENDING(20), PENDING(20), PENDING(20), { 20, 0, POS } }, 14, -ETIMEDOUT,
	  false, 0, 1, 220, &ten_pendings, UDS_LIMIT_PENDING, 11 },
	{ "ten pendings then answer", { PENDING(20), PENDING(20), PENDING(20), PENDING(20),
	  PENDING(20), PENDING(20), PENDING(20), PENDING(20), PENDING(20), PENDING(20),
	  { 20, 0, POS } }, 11, 0, false, 0, 1, 220, &ten_pendings, UDS_LIMIT_NONE, 10 },
	/* no count limit: the request deadline (default 30000 ms) still ends it */
	{ "pending forever, no count limit", { PENDING(5), PENDING(4000), PENDING(4000),
	  PENDING(4000), PENDING(4000), PENDING(4000), PENDING(4000), PENDING(4000),
	  PENDING(4000), PENDING(4000) }, 10, -ETIMEDOUT, false, 0, 1, 30000, &no_count_limit,
	  UDS_LIMIT_REQUEST, 8 },
	/* 0x21 repeats do not restart the request's clock */
	{ "request deadline counts busy repeats", { { 5, 0, NEG(0x21) }, PENDING(5),
	  PENDING(4000), { 4000, 0, NEG(0x21) }, PENDING(5), PENDING(4000) }, 6, -ETIMEDOUT,
	  false, 0, 3, 12000, &short_request, UDS_LIMIT_REQUEST, 3 },
};

static void test_exchange(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct uds_case *c = &cases[i];
		struct mock m = { .steps = c->steps, .n = c->n };
		struct isotp_transport t = { &m, m_send, m_recv, m_now };
		struct uds_timing tm = UDS_TIMING_DEFAULT;
		static struct uds_reply rep;
		const uint8_t req[] = { 0x22, 0xF1, 0x89 };
		int r;

		if (c->tm)
			tm = *c->tm;
		print_message("row %zu: %s\n", i, c->name);
		rep.pending = 99;	/* a previous exchange's count must not leak into this one */
		r = uds_exchange(&t, &tm, req, sizeof(req), &rep);
		assert_int_equal(r, c->ret);
		assert_int_equal(m.sends, c->sends);
		assert_int_equal(m.now, c->elapsed);
		assert_int_equal(rep.limit, c->limit);
		if (c->pending || c->limit)
			assert_int_equal(rep.pending, c->pending);
		if (r == 0) {
			assert_int_equal(rep.negative, c->negative);
			if (c->negative)
				assert_int_equal(rep.nrc, c->nrc);
			else	/* the answer to this request, not a skipped one */
				assert_memory_equal(rep.data, "\x62\xF1\x89OK", 5);
		}
	}
}

/* UDS_TIMING_DEFAULT: 0x78 every 20 ms without end fails after the 51st, about a second; 50 are
 * waited out (the slow TCB of 41-daemon-e2e-interrupted sends 40). */
static void test_pending_default_limit(void **state)
{
	static struct step steps[60];
	static struct uds_reply rep;
	struct uds_timing tm = UDS_TIMING_DEFAULT;
	const uint8_t req[] = { 0x22, 0xF1, 0x89 };
	const struct step pend = PENDING(20), pos = { 20, 0, POS };

	(void)state;
	for (size_t n = 50; n <= 59; n += 9) {
		struct mock m = { .steps = steps, .n = n + 1 };
		struct isotp_transport t = { &m, m_send, m_recv, m_now };
		int r;

		for (size_t i = 0; i < n; i++)
			steps[i] = pend;
		steps[n] = pos;
		r = uds_exchange(&t, &tm, req, sizeof(req), &rep);
		if (n == 50) {
			assert_int_equal(r, 0);
			assert_int_equal(rep.pending, 50);
			assert_int_equal(m.now, 51 * 20);
		} else {
			assert_int_equal(r, -ETIMEDOUT);
			assert_int_equal(rep.limit, UDS_LIMIT_PENDING);
			assert_int_equal(rep.pending, 51);
			assert_int_equal(m.now, 51 * 20);
		}
	}
}

static void test_read_did(void **state)
{
	static const struct step ok[] = { { 1, 0, POS } };
	static const struct step other[] = { { 1, 0, 5, { 0x62, 0xF1, 0x87, 'O', 'K' } } };
	struct mock m = { .steps = ok, .n = 1 };
	struct isotp_transport t = { &m, m_send, m_recv, m_now };
	struct uds_timing tm = UDS_TIMING_DEFAULT;
	static struct uds_reply rep;
	const uint8_t *v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(uds_read_did(&t, &tm, 0xF189, &rep, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(v, "OK", 2);
	/* a late answer for another DID is not this DID's value */
	m = (struct mock){ .steps = other, .n = 1 };
	assert_int_equal(uds_read_did(&t, &tm, 0xF189, &rep, &v, &n), -ETIMEDOUT);
	m = (struct mock){ .send_err = -ENETDOWN };
	assert_int_equal(uds_read_did(&t, &tm, 0xF189, &rep, &v, &n), -ENETDOWN);
}

/*
 * A request times out (P2 50 ms); its negative answer comes at 60 ms.  Negative answers do not
 * echo the DID, so the next request would take it for its own: uds_settle discards it first,
 * and the next DID gets its real answer.
 */
static void test_settle(void **state)
{
	static const struct step late[] = { { 60, 0, NEG(0x31) }, { 130, 0, POS } };
	struct mock m = { .steps = late, .n = 2 };
	struct isotp_transport t = { &m, m_send, m_recv, m_now };
	struct uds_timing tm = UDS_TIMING_DEFAULT;
	static struct uds_reply rep;
	const uint8_t *v = NULL;
	size_t n = 0;

	(void)state;
	/* without settling: the late "not present" lands on the next DID */
	assert_int_equal(uds_read_did(&t, &tm, 0xF187, &rep, &v, &n), -ETIMEDOUT);
	assert_int_equal(uds_read_did(&t, &tm, 0xF189, &rep, &v, &n), 0);
	assert_true(rep.negative);
	assert_int_equal(rep.nrc, 0x31);

	m = (struct mock){ .steps = late, .n = 2 };
	assert_int_equal(uds_read_did(&t, &tm, 0xF187, &rep, &v, &n), -ETIMEDOUT);
	assert_int_equal(uds_settle(&t, &tm), 1);
	/* quiet for 100 ms (2 x P2, at least 100) after the late answer */
	assert_int_equal(m.now, 60 + 100);
	assert_int_equal(uds_read_did(&t, &tm, 0xF189, &rep, &v, &n), 0);
	assert_false(rep.negative);
	assert_memory_equal(v, "OK", 2);

	/* a line that never goes quiet is left after P2* */
	{
		static struct step chatter[200];

		for (size_t i = 0; i < 200; i++)
			chatter[i] = (struct step){ 40, 0, NEG(0x78) };
		m = (struct mock){ .steps = chatter, .n = 200 };
		assert_true(uds_settle(&t, &tm) > 0);
		assert_true(m.now <= tm.p2star_ms);
		/* and a dead interface is said */
		m = (struct mock){ .steps = (const struct step[]){ { 1, -ENODEV, 0, { 0 } } }, .n = 1 };
		assert_int_equal(uds_settle(&t, &tm), -ENODEV);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exchange),
		cmocka_unit_test(test_pending_default_limit),
		cmocka_unit_test(test_read_did),
		cmocka_unit_test(test_settle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
