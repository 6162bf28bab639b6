/* Discovery's frame classifier (which CAN ids are answers, and from which ECU address) and the
 * JSON rendering of an identity.  A row is a case. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <linux/can.h>

#include "can/canbus-internal.h"
#include "plugin/recall-internal.h"

static const struct frame_case {
	enum ident_scheme scheme;
	uint32_t can_id;
	uint8_t first;
	size_t len;
	int ret;
	uint32_t ecu;
} frame_cases[] = {
	{ IDENT_SCHEME_OBD11, 0x7E8, 0x06, 8, 0, 0x7E0 },
	{ IDENT_SCHEME_OBD11, 0x7EF, 0x06, 8, 0, 0x7E7 },
	{ IDENT_SCHEME_OBD11, 0x7E7, 0x06, 8, -ENOENT, 0 },	/* a request, not an answer */
	{ IDENT_SCHEME_OBD11, 0x7DF, 0x02, 8, -ENOENT, 0 },
	{ IDENT_SCHEME_OBD11, 0x7E8 | CAN_EFF_FLAG, 0x06, 8, -ENOENT, 0 },
	{ IDENT_SCHEME_OBD11, 0x7E8 | CAN_RTR_FLAG, 0x06, 8, -ENOENT, 0 },
	{ IDENT_SCHEME_OBD29, 0x18DAF110 | CAN_EFF_FLAG, 0x06, 8, 0, 0x10 },
	{ IDENT_SCHEME_OBD29, 0x18DA10F1 | CAN_EFF_FLAG, 0x02, 8, -ENOENT, 0 },
	{ IDENT_SCHEME_OBD29, 0x18DB33F1 | CAN_EFF_FLAG, 0x02, 8, -ENOENT, 0 },
	{ IDENT_SCHEME_OBD29, 0x18DAF110, 0x06, 8, -ENOENT, 0 },	/* 11-bit id */
	{ IDENT_SCHEME_BMW, 0x661, 0xF1, 8, 0, 0x61 },
	{ IDENT_SCHEME_BMW, 0x612, 0xF1, 1, 0, 0x12 },
	{ IDENT_SCHEME_BMW, 0x612, 0x12, 8, -ENOENT, 0 },	/* not addressed to the tester */
	{ IDENT_SCHEME_BMW, 0x6F1, 0xF1, 8, -ENOENT, 0 },	/* our own request id */
	{ IDENT_SCHEME_BMW, 0x612, 0xF1, 0, -ENOENT, 0 },	/* empty frame */
	{ IDENT_SCHEME_BMW, 0x700, 0xF1, 8, -ENOENT, 0 },
	{ IDENT_SCHEME_AUTO, 0x7E8, 0x06, 8, -ENOENT, 0 },
};

static void test_frames(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(frame_cases) / sizeof(frame_cases[0]); i++) {
		const struct frame_case *c = &frame_cases[i];
		uint8_t data[8] = { c->first };
		uint32_t ecu = 0xDEAD;
		int r = canbus_response_ecu(c->scheme, c->can_id, data, c->len, &ecu);

		print_message("row %zu\n", i);
		assert_int_equal(r, c->ret);
		assert_int_equal(ecu, r == 0 ? c->ecu : 0xDEAD);
	}
}

static const char *get_str(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static void test_json(void **state)
{
	static struct ident id;
	json_object *o, *ecus, *e, *dids, *d, *errs;

	(void)state;
	memset(&id, 0, sizeof(id));
	strcpy(id.iface, "vcan0");
	id.scheme = IDENT_SCHEME_BMW;
	strcpy(id.vin, "WBY1Z41060V512345");
	id.vin_agree = true;
	id.n_sources = 1;
	id.sources[0].ecu = 0x40;
	id.sources[0].via = IDENT_VIA_UDS_F190;
	id.sources[0].scheme = IDENT_SCHEME_BMW;
	id.n_ecus = 1;
	id.ecus[0].address = 0x61;
	id.ecus[0].scheme = IDENT_SCHEME_BMW;
	id.ecus[0].n_dids = 2;
	id.ecus[0].dids[0].did = 0xF189;
	memcpy(id.ecus[0].dids[0].value, "11.0.2", 6);
	id.ecus[0].dids[0].len = 6;
	id.ecus[0].dids[1].did = 0xF18C;
	id.ecus[0].dids[1].status = -EREMOTEIO;
	id.ecus[0].dids[1].nrc = 0x31;
	id.n_errors = 1;
	id.errors[0].kind = IDENT_ERR_NRC;
	id.errors[0].nrc = 0x31;
	id.errors[0].ecu = 0x61;

	o = ident_to_json(&id);
	assert_non_null(o);
	assert_string_equal(get_str(o, "iface"), "vcan0");
	assert_string_equal(get_str(o, "vin"), "WBY1Z41060V512345");
	assert_string_equal(get_str(o, "addressing"), "bmw");
	assert_true(json_object_object_get_ex(o, "vin_sources", &e));
	assert_int_equal(json_object_array_length(e), 1);
	assert_string_equal(get_str(json_object_array_get_idx(e, 0), "via"), "F190");
	assert_true(json_object_object_get_ex(o, "ecus", &ecus));
	e = json_object_array_get_idx(ecus, 0);
	assert_string_equal(get_str(e, "address"), "0x61");
	assert_string_equal(get_str(e, "addressing"), "bmw");
	assert_true(json_object_object_get_ex(e, "dids", &dids));
	assert_true(json_object_object_get_ex(dids, "F189", &d));
	assert_string_equal(get_str(d, "ascii"), "11.0.2");
	assert_string_equal(get_str(d, "hex"), "31312E302E32");
	assert_true(json_object_object_get_ex(dids, "F18C", &d));
	assert_string_equal(get_str(d, "nrc_name"), "requestOutOfRange");
	assert_true(json_object_object_get_ex(o, "errors", &errs));
	assert_string_equal(get_str(json_object_array_get_idx(errs, 0), "kind"), "nrc");
	json_object_put(o);
	assert_null(ident_to_json(NULL));
	assert_null(ident_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
