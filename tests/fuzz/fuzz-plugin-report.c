/* Report JSON as the daemon reads it from a check child and recallctl from the daemon: parse, and
 * whatever parses must render as JSON, as text and as the page in German and English, and
 * round-trip to the same JSON (reports of schema 1 as well as 2). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/recall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct recall_report *r = NULL, *r2 = NULL;
	char *json = NULL, *json2 = NULL, *text = NULL;
	struct recall_render_opts en = { .size = sizeof(en), .language = "en", .workshop = "W" };

	if (recall_report_from_json((const char *)data, size, &r) < 0)
		return 0;
	if (recall_report_to_json(r, &json) < 0 || recall_report_to_text(r, &text) < 0)
		goto out;
	free(text);
	text = NULL;
	if (recall_report_render(r, RECALL_FORMAT_TEXT, &en, &text) < 0)
		goto out;
	free(text);
	text = NULL;
	if (recall_report_render(r, RECALL_FORMAT_HTML, NULL, &text) < 0)
		goto out;
	if (recall_report_from_json(json, strlen(json), &r2) < 0)
		__builtin_trap();
	if (recall_report_to_json(r2, &json2) < 0 || strcmp(json, json2) != 0)
		__builtin_trap();
out:
	free(json);
	free(json2);
	free(text);
	recall_report_free(r);
	recall_report_free(r2);
	return 0;
}
