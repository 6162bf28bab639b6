/* Message catalogues (.mo, plugin/i18n.c): any bytes are checked whole at init or refused; what
 * is accepted is looked up without reading outside the image (ASan), for plain, context and
 * plural keys, present and absent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {
		"Vehicle", "verdict tag\x04OPEN", "%u open action", "", "zzzz", "A", "\x04",
		"%Y-%m-%d %H:%M",
	};
	struct i18n_mo mo;
	/* an exact-size copy: a read past the end is caught, not hidden by the fuzzer's buffer */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (i18n_mo_init(&mo, copy, size) == 0) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			const char *s = i18n_mo_lookup(&mo, keys[i], 0, 0);

			if (s && (const uint8_t *)s < copy)
				__builtin_trap();
			for (unsigned long n = 0; n < 4; n++)
				(void)i18n_mo_lookup(&mo, keys[i], 1, n);
		}
	}
	free(copy);
	return 0;
}
