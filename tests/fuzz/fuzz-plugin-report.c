/* Report JSON as the daemon reads it from a check child and recallctl from the daemon: parse, and
 * whatever parses must render as JSON, as text and as the page in German and English, and
 * round-trip to the same JSON (reports of schema 1 as well as 2).  What is rendered for people is
 * UTF-8 with no control character but the line break, whatever the report's strings hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/recall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void displayable(const char *t)
{
	const unsigned char *p = (const unsigned char *)t;

	while (*p) {
		size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 :
			   (*p & 0xF8) == 0xF0 ? 4 : 0;
		uint32_t cp = n == 1 ? *p : n == 2 ? *p & 0x1Fu : n == 3 ? *p & 0x0Fu : *p & 0x07u;

		if (!n)
			__builtin_trap();
		for (size_t i = 1; i < n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				__builtin_trap();
			cp = cp << 6 | (p[i] & 0x3Fu);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
		    (cp < 0x20 && cp != '\n') || (cp >= 0x7F && cp <= 0x9F))
			__builtin_trap();
		p += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct recall_report *r = NULL, *r2 = NULL;
	char *json = NULL, *json2 = NULL, *text = NULL;
	struct recall_render_opts en = { .size = sizeof(en), .language = "en", .workshop = "W" };

	if (recall_report_from_json((const char *)data, size, &r) < 0)
		return 0;
	if (recall_report_to_json(r, &json) < 0 || recall_report_to_text(r, &text) < 0)
		goto out;
	displayable(text);
	free(text);
	text = NULL;
	if (recall_report_render(r, RECALL_FORMAT_TEXT, &en, &text) < 0)
		goto out;
	displayable(text);
	free(text);
	text = NULL;
	if (recall_report_render(r, RECALL_FORMAT_HTML, NULL, &text) < 0)
		goto out;
	displayable(text);
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
