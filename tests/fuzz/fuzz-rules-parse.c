/* Rule parser and compiler: any bytes give diagnostics or a database, never a crash or a leak;
 * a database the compiler wrote always opens and matches, and compiling twice gives the same
 * bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rdb.h"
#include "rules/rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *compile(const uint8_t *data, size_t size, size_t *len)
{
	struct rule_compiler *c;
	void *img = NULL;

	if (rule_compiler_new(RULE_NO_FILES, &c) < 0)
		return NULL;
	if (rule_compiler_add_source(c, "fuzz.rules", (const char *)data, size) == 0)
		(void)rule_compiler_build(c, &img, len);
	for (size_t i = 0; i < rule_compiler_n_diags(c); i++) {
		char m[256];

		rule_diag_format(rule_compiler_diag(c, i), m, sizeof(m));
	}
	rule_compiler_free(c);
	return img;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = 0, len2 = 0;
	void *img = compile(data, size, &len), *img2;
	static const uint8_t bcd[] = { 0x12, 0x09, 0x17 };
	const struct rdb_did_fact facts[] = {
		{ 0x12, 0xF18B, RDB_DID_OK, bcd, 3, NULL },
		{ 0x61, 0xF189, RDB_DID_OK, (const uint8_t *)"11.0.2", 6, NULL },
		{ 0x12, 0xF187, RDB_DID_FAILED, NULL, 0, "timeout" },
	};
	const char *vins[] = { "WBA8E51060K734560", "WBY1Z41060V512345", NULL, "bad" };
	struct rdb_result res[8];
	struct rdb *db;

	if (!img)
		return 0;
	if (rdb_open_buffer(img, len, &db, NULL, 0) < 0)
		__builtin_trap();
	for (size_t i = 0; i < sizeof(vins) / sizeof(vins[0]); i++) {
		struct rdb_vehicle v = { .vin = vins[i], .dids = facts, .n_dids = 3 };

		if (rdb_match(db, &v, 0, res, 8) < 0 || rdb_match(db, &v, RDB_MATCH_ALL, res, 8) < 0)
			__builtin_trap();
	}
	rdb_close(db);
	img2 = compile(data, size, &len2);
	if (!img2 || len2 != len || memcmp(img, img2, len))
		__builtin_trap();
	free(img2);
	free(img);
	return 0;
}
