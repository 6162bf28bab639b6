/* The control socket's request side: bytes from any local client go through the bounded line
 * framing in random-sized pieces, and every line through the request parser. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "plugin/control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linebuf lb;
	size_t off = 0, step;

	if (size < 1 || linebuf_init(&lb, 128) < 0)
		return 0;
	/* The first byte chooses how the stream is cut into reads. */
	step = (size_t)(data[0] % 17) + 1;
	data++;
	size--;
	while (off < size) {
		size_t n = size - off < step ? size - off : step, used = 0;

		while (used < n) {
			const char *line;
			size_t len;
			struct control_request req;
			const char *err;

			used += linebuf_feed(&lb, (const char *)data + off + used, n - used);
			while (linebuf_next(&lb, &line, &len) == LINEBUF_LINE) {
				if (len > 128)
					__builtin_trap();
				if (control_parse_request(line, len, &req, &err) == 0 &&
				    (req.cmd >= _CONTROL_CMD_MAX ||
				     strlen(req.iface) >= CONTROL_IFNAME_MAX))
					__builtin_trap();
			}
		}
		off += n;
	}
	linebuf_done(&lb);
	return 0;
}
