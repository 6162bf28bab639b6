/* The check child's reply as the daemon reads it: a compromised or buggy child may send anything.
 * Bytes go through the frame decoder in random-sized pieces, and every complete message body
 * through the report parser, as checker.c does. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/daemon/checker.h"
#include "plugin/recall-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_msg(void *ctx, enum check_msg_type type, char *body, size_t len)
{
	struct recall_report *r = NULL;

	(void)ctx;
	if (type != CHECK_MSG_PROGRESS && type != CHECK_MSG_REPORT)
		__builtin_trap();
	if (body[len] != 0)
		__builtin_trap();
	if (report_parse_json(body, len, &r) == 0)
		recall_report_free(r);
	free(body);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check_decoder d;
	size_t off = 0, step;

	if (size < 1)
		return 0;
	/* The first byte chooses how the stream is cut into reads. */
	step = (size_t)(data[0] % 31) + 1;
	data++;
	size--;
	check_decoder_init(&d, 4096);
	while (off < size) {
		size_t n = size - off < step ? size - off : step;

		if (check_decoder_feed(&d, data + off, n, on_msg, NULL) < 0)
			break;
		off += n;
	}
	(void)check_decoder_eof(&d);
	check_decoder_done(&d);
	return 0;
}
