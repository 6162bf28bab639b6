/* Control-socket requests and line framing: each row is one request line and what must come of
 * it.  Bugs found become rows. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "plugin/control.h"

/* Rows leave the columns of other commands out on purpose. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static const struct req_case {
	const char *line;
	int ret;			/* 0 or the negative errno */
	enum control_cmd cmd;
	const char *iface;
	bool has_id;
	int64_t id;
	const char *order, *plate, *vin;
	unsigned int limit;
} req_cases[] = {
	{ "{\"cmd\":\"status\"}", 0, CONTROL_STATUS, "", false, 0 },
	{ " {\"cmd\": \"status\"} \r", 0, CONTROL_STATUS, "", false, 0 },
	{ "{\"cmd\":\"check\",\"iface\":\"vcan0\"}", 0, CONTROL_CHECK, "vcan0", false, 0 },
	{ "{\"iface\":\"can1\",\"cmd\":\"last\",\"id\":42}", 0, CONTROL_LAST, "can1", true, 42 },
	{ "{\"cmd\":\"subscribe\",\"id\":-1}", 0, CONTROL_SUBSCRIBE, "", true, -1 },
	{ "{\"cmd\":\"reload\"}", 0, CONTROL_RELOAD, "", false, 0 },
	{ "{\"cmd\":\"check\",\"iface\":\"abcdefghijklmno\"}", 0, CONTROL_CHECK, "abcdefghijklmno",
	  false, 0 },
	{ "{\"cmd\":\"check\",\"iface\":\"vcan0\",\"order\":\"4711\",\"plate\":\"M-AB 123\"}", 0,
	  CONTROL_CHECK, "vcan0", false, 0, "4711", "M-AB 123" },
	{ "{\"cmd\":\"check\",\"iface\":\"vcan0\",\"plate\":\"M-ÄÖ 12\"}", 0, CONTROL_CHECK,
	  "vcan0", false, 0, "", "M-ÄÖ 12" },
	{ "{\"cmd\":\"history\",\"vin\":\"wby1z41060v512345\"}", 0, CONTROL_HISTORY, "", false, 0,
	  "", "", "WBY1Z41060V512345", 50 },
	{ "{\"cmd\":\"history\",\"vin\":\"WBY1Z41060V512345\",\"limit\":1000}", 0, CONTROL_HISTORY,
	  "", false, 0, "", "", "WBY1Z41060V512345", 1000 },
	/* refused */
	{ .line = "{\"cmd\":\"check\",\"iface\":\"vcan0\",\"order\":\"a\\nb\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"check\",\"iface\":\"vcan0\",\"order\":\"\\u0000\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"check\",\"iface\":\"vcan0\",\"order\":\"\xff\xfe\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"check\",\"iface\":\"vcan0\",\"order\":\"\xc2\x85\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"check\",\"iface\":\"vcan0\",\"order\":4711}", .ret = -EBADMSG },
	{ .line = "{\"cmd\":\"check\",\"iface\":\"vcan0\",\"plate\":"
		  "\"123456789012345678901234567890123\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"status\",\"order\":\"1\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"history\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"history\",\"vin\":\"WBY1Z41060V51234\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"history\",\"vin\":\"WBY1Z41060V51234O\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"history\",\"vin\":\"WBY1Z41060V512345\",\"limit\":0}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"history\",\"vin\":\"WBY1Z41060V512345\",\"limit\":1001}",
	  .ret = -EINVAL },
	{ .line = "{\"cmd\":\"history\",\"vin\":\"WBY1Z41060V512345\",\"iface\":\"vcan0\"}",
	  .ret = -EINVAL },
	{ .line = "{\"cmd\":\"last\",\"iface\":\"vcan0\",\"vin\":\"WBY1Z41060V512345\"}",
	  .ret = -EINVAL },
	{ .line = "", .ret = -EBADMSG },
	{ .line = "status", .ret = -EBADMSG },
	{ .line = "check vcan0", .ret = -EBADMSG },
	{ .line = "[\"status\"]", .ret = -EBADMSG },
	{ .line = "\"status\"", .ret = -EBADMSG },
	{ .line = "{\"cmd\":\"status\"", .ret = -EBADMSG },
	{ .line = "{\"cmd\":\"status\"}{\"cmd\":\"status\"}", .ret = -EBADMSG },
	{ .line = "{\"cmd\":\"status\"} x", .ret = -EBADMSG },
	{ .line = "{}", .ret = -EBADMSG },
	{ .line = "{\"cmd\":7}", .ret = -EBADMSG },
	{ .line = "{\"cmd\":\"reboot\"}", .ret = -EOPNOTSUPP },
	{ .line = "{\"cmd\":\"STATUS\"}", .ret = -EOPNOTSUPP },
	{ .line = "{\"cmd\":\"check\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"last\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"status\",\"iface\":\"vcan0\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"check\",\"iface\":\"\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"check\",\"iface\":\"abcdefghijklmnop\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"check\",\"iface\":\"../etc\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"check\",\"iface\":\"..\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"check\",\"iface\":\"vc an\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"check\",\"iface\":\"vcan\\u00000\"}", .ret = -EINVAL },
	{ .line = "{\"cmd\":\"check\",\"iface\":5}", .ret = -EBADMSG },
	{ .line = "{\"cmd\":\"status\",\"id\":\"7\"}", .ret = -EBADMSG },
	{ .line = "{\"cmd\":\"status\",\"verbose\":true}", .ret = -EBADMSG },
	{ .line = "{\"cmd\":{\"x\":{\"y\":1}}}", .ret = -EBADMSG },
	/* a key twice: json-c keeps the last, so this was a silent reload */
	{ .line = "{\"cmd\":\"status\",\"cmd\":\"reload\"}", .ret = -EBADMSG },
	{ .line = "{\"cmd\":\"check\",\"iface\":\"vcan0\",\"iface\":\"vcan1\"}", .ret = -EBADMSG },
	{ .line = "{\"id\":1,\"cmd\":\"status\",\"id\":2}", .ret = -EBADMSG },
	{ .line = "{\"cmd\" : \"status\", \"c\\u006dd\":\"reload\"}", .ret = -EBADMSG },
	/* ids: what a double holds exactly, both ways; json-c's clamping is no id */
	{ "{\"cmd\":\"status\",\"id\":9007199254740991}", 0, CONTROL_STATUS, "", true,
	  9007199254740991LL },
	{ "{\"cmd\":\"status\",\"id\":-9007199254740991}", 0, CONTROL_STATUS, "", true,
	  -9007199254740991LL },
	{ .line = "{\"cmd\":\"status\",\"id\":9007199254740992}", .ret = -ERANGE },
	{ .line = "{\"cmd\":\"status\",\"id\":9223372036854775807}", .ret = -ERANGE },
	{ .line = "{\"cmd\":\"status\",\"id\":18446744073709551615}", .ret = -ERANGE },
	{ .line = "{\"cmd\":\"status\",\"id\":-9223372036854775809}", .ret = -ERANGE },
	{ .line = "{\"cmd\":\"status\",\"id\":1e3}", .ret = -EBADMSG },
	/* a string value that looks like a key is no key */
	{ .line = "{\"cmd\":\"check\",\"iface\":\"a:b\"}", .ret = -EINVAL },
};

static void test_requests(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++) {
		const struct req_case *c = &req_cases[i];
		struct control_request req, untouched;
		const char *err = NULL;
		int r;

		memset(&req, 0xa5, sizeof(req));
		untouched = req;
		r = control_parse_request(c->line, strlen(c->line), &req, &err);
		if (r != c->ret)
			fail_msg("row %zu '%s': got %d want %d (%s)", i, c->line, r, c->ret,
				 err ? err : "");
		if (r < 0) {
			assert_non_null(err);
			assert_memory_equal(&req, &untouched, sizeof(req));
			continue;
		}
		assert_int_equal(req.cmd, c->cmd);
		assert_string_equal(req.iface, c->iface);
		assert_int_equal(req.has_id, c->has_id);
		if (c->has_id)
			assert_int_equal(req.id, c->id);
		if (req.cmd == CONTROL_CHECK) {
			assert_string_equal(req.order, c->order ? c->order : "");
			assert_string_equal(req.plate, c->plate ? c->plate : "");
		}
		if (req.cmd == CONTROL_HISTORY) {
			assert_string_equal(req.vin, c->vin);
			assert_int_equal(req.limit, c->limit);
		}
	}
}

/* A request with an embedded NUL must not parse as its prefix. */
static void test_embedded_nul(void **state)
{
	static const char line[] = "{\"cmd\":\"status\"}\0junk";
	struct control_request req;

	(void)state;
	assert_int_not_equal(control_parse_request(line, sizeof(line) - 1, &req, NULL), 0);
}

/* Line framing: a stream split at awkward places yields the lines, an oversized line is reported
 * once and the following line still arrives intact. */
static const struct frame_case {
	const char *stream;
	size_t max;
	size_t chunk;		/* feed in pieces of this size */
	const char *expect;	/* lines joined by '|', "!" for an oversized report */
} frame_cases[] = {
	{ "a\nb\n", 16, 1, "a|b" },
	{ "a\nb\n", 16, 100, "a|b" },
	{ "\n\nx\n", 16, 3, "||x" },
	{ "0123456789\nok\n", 10, 4, "0123456789|ok" },
	{ "0123456789A\nok\n", 10, 4, "!|ok" },
	{ "0123456789A\nok\n", 10, 100, "!|ok" },
	{ "01234567890123456789012345\nok\n", 10, 7, "!|ok" },
	{ "partial", 16, 2, "" },
	{ "a\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 8, 5, "a|!" },
};

static void test_framing(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(frame_cases) / sizeof(frame_cases[0]); i++) {
		const struct frame_case *c = &frame_cases[i];
		size_t len = strlen(c->stream), off = 0;
		char got[256] = "";
		bool first = true;
		struct linebuf lb;

		assert_int_equal(linebuf_init(&lb, c->max), 0);
		while (off < len) {
			size_t n = len - off < c->chunk ? len - off : c->chunk;
			size_t used = 0;

			while (used < n) {
				const char *line;
				size_t llen;
				enum linebuf_result r;

				used += linebuf_feed(&lb, c->stream + off + used, n - used);
				while ((r = linebuf_next(&lb, &line, &llen)) != LINEBUF_NONE) {
					if (!first)
						strcat(got, "|");
					first = false;
					if (r == LINEBUF_OVERSIZED)
						strcat(got, "!");
					else
						strncat(got, line, llen);
				}
			}
			off += n;
		}
		linebuf_done(&lb);
		if (strcmp(got, c->expect) != 0)
			fail_msg("row %zu: got '%s' want '%s'", i, got, c->expect);
	}
}

static void test_outbuf_bound(void **state)
{
	struct outbuf ob;
	char big[3000];

	(void)state;
	memset(big, 'x', sizeof(big));
	outbuf_init(&ob, 8192);
	/* the bound (8192) comes on top of the largest message waiting (3000) */
	assert_int_equal(outbuf_append(&ob, big, sizeof(big)), 0);
	assert_int_equal(outbuf_append(&ob, big, sizeof(big)), 0);
	assert_int_equal(outbuf_append(&ob, big, sizeof(big)), 0);
	/* The fourth would pass it: refused, the queue keeps what it had. */
	assert_int_equal(outbuf_append(&ob, big, sizeof(big)), -ENOBUFS);
	assert_int_equal(ob.len, 3 * sizeof(big));
	outbuf_done(&ob);
}

/* A message larger than the bound still reaches a client that keeps up (an empty queue takes
 * it: a report of 1,000 campaigns is a few MiB); one that does not read is still dropped. */
static void test_outbuf_large_message(void **state)
{
	static char huge[3 * 8192];
	struct outbuf ob;

	(void)state;
	memset(huge, 'r', sizeof(huge));
	outbuf_init(&ob, 8192);
	assert_int_equal(outbuf_append_line(&ob, huge, sizeof(huge)), 0);
	assert_int_equal(ob.len, sizeof(huge) + 1);
	assert_int_equal(ob.buf[ob.start + sizeof(huge)], '\n');
	assert_memory_equal(ob.buf + ob.start, huge, sizeof(huge));
	/* the small events right after it still fit (the bound comes on top of the big one) ... */
	assert_int_equal(outbuf_append_line(&ob, "bay", 3), 0);
	/* ... but a client that stops reading runs into the bound all the same */
	for (int i = 0; i < 8; i++)
		(void)outbuf_append_line(&ob, huge, 1000);
	assert_int_equal(outbuf_append_line(&ob, huge, 1000), -ENOBUFS);
	assert_true(ob.len <= sizeof(huge) + 1 + 8192);
	outbuf_done(&ob);
}

/* Interface names as printed: the kernel's bytes, control bytes and the backslash escaped. */
static const struct esc_case {
	const char *name, *label;
} esc_cases[] = {
	{ "vcan0", "vcan0" },
	{ "can\x1b[2J", "can\\x1b[2J" },
	{ "a\\b", "a\\x5cb" },
	{ "\x7f\x80\xff", "\\x7f\\x80\\xff" },
	{ "can\nfake: VIN", "can\\x0afake:\\x20VIN" },
};

static void test_ifname_escape(void **state)
{
	char out[CONTROL_LABEL_MAX], small[6];

	(void)state;
	for (size_t i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		control_ifname_escape(esc_cases[i].name, out, sizeof(out));
		assert_string_equal(out, esc_cases[i].label);
	}
	/* cut at a whole escape, never in the middle of one */
	control_ifname_escape("ab\x01" "cd", small, sizeof(small));
	assert_string_equal(small, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_outbuf_bound),
		cmocka_unit_test(test_outbuf_large_message),
		cmocka_unit_test(test_ifname_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
