/* recalld.conf parser: any bytes parse or give errors, never crash, never leak; a file that
 * parses dumps to a text that parses to the same dump. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/config.h"
#include "plugin/recall-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct recalld_config c, c2;
	char *text, *dump = NULL, *dump2 = NULL;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	config_init_defaults(&c);
	if (config_parse_string(&c, text, "fuzz.conf", NULL, NULL) == 0 &&
	    config_dump(&c, &dump) == 0) {
		config_init_defaults(&c2);
		/* Values the dump cannot express on one INI line (very long) may be refused. */
		if (config_parse_string(&c2, dump, "dump", NULL, NULL) == 0 &&
		    config_dump(&c2, &dump2) == 0 && strcmp(dump, dump2) != 0)
			__builtin_trap();
		config_done(&c2);
	}
	free(dump);
	free(dump2);
	config_done(&c);
	free(text);
	return 0;
}
