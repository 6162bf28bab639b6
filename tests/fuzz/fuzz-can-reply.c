/* Every can/ parser of reply bytes on one input: the first byte picks the DID/PID, the rest is the
 * reply as an ECU would send it; also replayed through uds_exchange on a one-shot transport. */
#include <errno.h>
#include <string.h>

#include "can/canbus-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct one {
	const uint8_t *d;
	size_t n;
	int done;
	uint64_t now;
};

static int f_send(void *ctx, const uint8_t *b, size_t n)
{
	(void)ctx;
	(void)b;
	(void)n;
	return 0;
}

static ssize_t f_recv(void *ctx, uint8_t *b, size_t cap, unsigned int to)
{
	struct one *o = ctx;
	size_t n = o->n < cap ? o->n : cap;

	if (o->done++) {
		o->now += to;
		return -ETIMEDOUT;
	}
	memcpy(b, o->d, n);
	return (ssize_t)n;
}

static uint64_t f_now(void *ctx)
{
	return ((struct one *)ctx)->now;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct uds_reply rep;
	struct uds_timing tm = UDS_TIMING_DEFAULT;
	char vin[IDENT_VIN_MAX + 1];
	const uint8_t *v;
	uint32_t bm;
	size_t n;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	(void)obd_parse_09(data, size, sel & 0x0F, &v, &n);
	if (obd_parse_09(data, size, 0x02, &v, &n) == 0)
		(void)ident_vin_extract(v, n, vin);
	(void)obd_parse_0100(data, size, &bm);
	if (uds_parse_did_reply(data, size, 0xF100 | sel, &v, &n) == 0)
		(void)ident_vin_extract(v, n, vin);
	(void)ident_vin_extract(data, size, vin);
	(void)uds_nrc_name(sel);
	/* a probe's answer frame: its Single Frame payload, a DiagnosticSessionControl timing */
	for (int s = IDENT_SCHEME_OBD11; s < IDENT_SCHEME_COUNT; s++) {
		const uint8_t *pl;
		size_t pn;
		unsigned int p2, p2s;

		if (canbus_sf_payload(ident_scheme_desc((enum ident_scheme)s), data,
				      size > 64 ? 64 : size, &pl, &pn) == 0 &&
		    (pl < data || pl + pn > data + size))
			__builtin_trap();
		(void)uds_parse_dsc_timing(data, size, &p2, &p2s);
	}
	/* the frame classifier of discovery: id from 4 bytes, then the frame's data */
	if (size >= 4) {
		uint32_t id = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
			      (uint32_t)data[2] << 8 | data[3];
		uint32_t ecu;

		for (int s = IDENT_SCHEME_AUTO; s < IDENT_SCHEME_COUNT; s++)
			(void)canbus_response_ecu((enum ident_scheme)s, id, data + 4,
						  size - 4 > 8 ? 8 : size - 4, &ecu);
	}

	struct one o = { data, size, 0, 0 };
	struct isotp_transport t = { &o, f_send, f_recv, f_now };
	const uint8_t req[] = { 0x22, 0xF1, sel };

	(void)uds_exchange(&t, &tm, req, sizeof(req), &rep);
	return 0;
}
