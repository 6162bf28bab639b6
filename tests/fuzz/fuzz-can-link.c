/* can/canlink.h parsers of kernel bytes: rtnetlink link messages and replies (with extack), and
 * CAN error frames.  The first byte picks the sequence number the reply is matched against. */
#include <stdlib.h>
#include <string.h>

#include <linux/can.h>

#include "can/canlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* netlink messages are 4-byte aligned in the kernel's buffers; malloc's are, and an exact
	 * size lets the sanitizer see any read past the end */
	void *buf;
	struct canlink_info in;
	struct canlink_err err;
	struct canlink_errstats st;
	struct canlink_plan plan;
	const struct canlink_want want = { 500000, 100, false };
	size_t i;

	if (size < 1 || size > 65536)
		return 0;
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	if (canlink_parse_reply(buf, size - 1, data[0], &in, &err) == 1)
		canlink_plan(&in, &want, &plan);
	if (canlink_parse_link(buf, size - 1, &in) == 0)
		canlink_plan(&in, &want, &plan);
	(void)canlink_parse_reply(buf, size - 1, data[0], NULL, &err);
	free(buf);

	/* the same bytes as a stream of CAN frames (id, len, data) */
	canlink_err_init(&st);
	for (i = 1; i + 16 <= size; i += 16) {
		struct can_frame f;

		memcpy(&f, data + i, sizeof(f));
		canlink_err_feed(&st, &f, data[i] & 1);
	}
	(void)canlink_err_cause(&st, data[0] & 1, data[0] & 2);
	return 0;
}
