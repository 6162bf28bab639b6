/* can/ decoders: VIN extraction, service 09 and 0x62 replies, NRC names.  A row is a case; a bug
 * found becomes a row. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "can/ident.h"

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static const struct vin_case {
	const uint8_t *raw;
	size_t len;
	const char *vin;
	unsigned int flags;
} vin_cases[] = {
	{ (const uint8_t *)"1HGCM82633A004352", 17, "1HGCM82633A004352", 0 },
	/* a leading '1' and a trailing '2' belong to the VIN: never stripped */
	{ (const uint8_t *)"2HGCM82633A004350", 17, "2HGCM82633A004350", 0 },
	{ B(0, 0, 0, 'W', 'B', 'Y', '1', 'Z', '4', '1', '0', '6', '0', 'V', '5', '1', '2', '3', '4',
	    '5'), "WBY1Z41060V512345", IDENT_VIN_PADDED },
	{ B('W', 'B', 'Y', '1', 'Z', '4', '1', '0', '6', '0', 'V', '5', '1', '2', '3', '4', '5',
	    0xFF, 0xFF), "WBY1Z41060V512345", IDENT_VIN_PADDED },
	{ B(' ', 'W', 'B', 'Y', '1', 'Z', '4', '1', '0', '6', '0', 'V', '5', '1', '2', '3', '4', '5',
	    ' '), "WBY1Z41060V512345", IDENT_VIN_PADDED },
	/* F190 longer than 17: reported as read, flagged, not cut */
	{ (const uint8_t *)"WBY1Z41060V512345XX", 19, "WBY1Z41060V512345XX",
	  IDENT_VIN_LONG | IDENT_VIN_INVALID },
	{ (const uint8_t *)"WBY1Z41060V5123", 15, "WBY1Z41060V5123",
	  IDENT_VIN_SHORT | IDENT_VIN_INVALID },
	{ (const uint8_t *)"WBY1Z41O60V512345", 17, "WBY1Z41O60V512345", IDENT_VIN_INVALID },
	{ B('W', 'B', 'Y', '1', 'Z', '4', 0x01, '0', '6', '0', 'V', '5', '1', '2', '3', '4', '5'),
	  "WBY1Z4?060V512345", IDENT_VIN_INVALID },
	{ B(0, 0, 0), "", IDENT_VIN_PADDED | IDENT_VIN_SHORT | IDENT_VIN_INVALID },
	{ (const uint8_t *)"", 0, "", IDENT_VIN_SHORT | IDENT_VIN_INVALID },
};

static void test_vin(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vin_cases) / sizeof(vin_cases[0]); i++) {
		char vin[IDENT_VIN_MAX + 1];
		unsigned int f = ident_vin_extract(vin_cases[i].raw, vin_cases[i].len, vin);

		print_message("row %zu\n", i);
		assert_string_equal(vin, vin_cases[i].vin);
		assert_int_equal(f, vin_cases[i].flags);
	}
}

static const struct p09_case {
	const uint8_t *buf;
	size_t len;
	uint8_t pid;
	int ret;
	size_t off, n;
} p09_cases[] = {
	{ B(0x49, 0x02, 0x01, 'A', 'B'), 0x02, 0, 3, 2 },
	/* ECUs that send 0x00 as message count */
	{ B(0x49, 0x02, 0x00, 'A', 'B'), 0x02, 0, 3, 2 },
	{ B(0x49, 0x0A, 0x01, 'E', 'C', 'M'), 0x0A, 0, 3, 3 },
	{ B(0x49, 0x02), 0x02, -EBADMSG, 0, 0 },
	{ B(0x49), 0x02, -EBADMSG, 0, 0 },
	{ B(0x49, 0x04, 0x01), 0x02, -EPROTO, 0, 0 },
	{ B(0x62, 0x02, 0x01), 0x02, -EPROTO, 0, 0 },
	{ B(0x49, 0x00, 0x55, 0x40, 0, 0), 0x00, 0, 2, 4 },
};

static void test_09(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(p09_cases) / sizeof(p09_cases[0]); i++) {
		const struct p09_case *c = &p09_cases[i];
		const uint8_t *d = NULL;
		size_t n = 999;
		int r = obd_parse_09(c->buf, c->len, c->pid, &d, &n);

		print_message("row %zu\n", i);
		assert_int_equal(r, c->ret);
		if (r == 0) {
			assert_ptr_equal(d, c->buf + c->off);
			assert_int_equal(n, c->n);
		} else {
			assert_null(d);		/* outputs untouched on failure */
			assert_int_equal(n, 999);
		}
	}
}

static const struct did_case {
	const uint8_t *buf;
	size_t len;
	uint16_t did;
	int ret;
	size_t n;
} did_cases[] = {
	{ B(0x62, 0xF1, 0x89, '1', '1', '.', '0', '.', '2'), 0xF189, 0, 6 },
	{ B(0x62, 0xF1, 0x89), 0xF189, 0, 0 },
	{ B(0x62, 0xF1), 0xF189, -EBADMSG, 0 },
	{ B(0x62, 0xF1, 0x87, '1'), 0xF189, -EPROTO, 0 },
	{ B(0x63, 0xF1, 0x89, '1'), 0xF189, -EPROTO, 0 },
};

static void test_did(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(did_cases) / sizeof(did_cases[0]); i++) {
		const struct did_case *c = &did_cases[i];
		const uint8_t *v = NULL;
		size_t n = 999;
		int r = uds_parse_did_reply(c->buf, c->len, c->did, &v, &n);

		print_message("row %zu\n", i);
		assert_int_equal(r, c->ret);
		if (r == 0)
			assert_int_equal(n, c->n);
		else
			assert_int_equal(n, 999);
	}
}

static void test_0100_and_names(void **state)
{
	uint32_t bm = 0;

	(void)state;
	assert_int_equal(obd_parse_0100(B(0x41, 0x00, 0xBE, 0x1F, 0xA8, 0x13), &bm), 0);
	assert_int_equal(bm, 0xBE1FA813);
	assert_int_equal(obd_parse_0100(B(0x41, 0x00, 0xBE), &bm), -EBADMSG);
	assert_int_equal(obd_parse_0100(B(0x41, 0x01, 0, 0, 0, 0), &bm), -EPROTO);
	assert_string_equal(uds_nrc_name(0x31), "requestOutOfRange");
	assert_string_equal(uds_nrc_name(0x21), "busyRepeatRequest");
	assert_string_equal(uds_nrc_name(0x11), "serviceNotSupported");
	assert_string_equal(uds_nrc_name(0x01), "unknown");
	assert_int_equal(ident_scheme_parse("bmw"), IDENT_SCHEME_BMW);
	assert_int_equal(ident_scheme_parse("obd29"), IDENT_SCHEME_OBD29);
	assert_int_equal(ident_scheme_parse("OBD11"), -EINVAL);
	assert_string_equal(ident_scheme_name(IDENT_SCHEME_OBD11), "obd11");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vin),
		cmocka_unit_test(test_09),
		cmocka_unit_test(test_did),
		cmocka_unit_test(test_0100_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
