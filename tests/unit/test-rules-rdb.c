/* Database loader: every kind of damage is refused with its message, never read out of bounds
 * (the sanitizer build runs this).  Damage with a fixed-up checksum reaches the structural
 * checks behind it. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <xxhash.h>

#include "rules/rdb-format.h"
#include "rules/rdb.h"
#include "rules/rule.h"

static const char src[] =
	"campaign \"A\" { title \"a\"; recognition vehicle_diagnosis;\n"
	"  affected wmi in {\"WBA\"} and (ecu 0x61 did 0xF189 < \"15.2.0\" or not ecu 0x12 present);\n"
	"  include vins { \"WBA8E51060K734560\", \"WBY1Z41060V512345\" };\n"
	"  exclude vins { \"WBA8E51060K734561\" }; }\n"
	"campaign \"B\" { title \"b\"; recognition hotline \"x\" number \"1\";\n"
	"  affected ecu 0x12 did 0xF187 in {\"1\", \"2\"}; }\n";

static uint8_t *img;
static size_t img_len;

static int setup(void **state)
{
	struct rule_compiler *c;
	void *p;

	(void)state;
	if (rule_compiler_new(RULE_NO_FILES, &c) < 0 ||
	    rule_compiler_add_source(c, "t.rules", src, strlen(src)) < 0 ||
	    rule_compiler_build(c, &p, &img_len) < 0)
		return -1;
	rule_compiler_free(c);
	img = p;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(img);
	return 0;
}

static uint8_t *copy(void)
{
	uint8_t *b = malloc(img_len);

	assert_non_null(b);
	memcpy(b, img, img_len);
	return b;
}

static void reseal(uint8_t *b, size_t len)
{
	struct rdb_header *h = (struct rdb_header *)b;

	h->checksum = 0;
	h->checksum = XXH3_64bits(b, len);
}

static int try_open(const uint8_t *b, size_t len, char *err, size_t errlen)
{
	struct rdb *db = NULL;
	int r;

	err[0] = 0;
	r = rdb_open_buffer(b, len, &db, err, errlen);
	if (r == 0) {
		struct rdb_vehicle v = { .vin = "WBA8E51060K734560" };
		struct rdb_result res[4];

		/* whatever opens must also match without trouble */
		assert_true(rdb_match(db, &v, RDB_MATCH_ALL, res, 4) >= 0);
		rdb_close(db);
	}
	return r;
}

static struct rdb_section *section(uint8_t *b, uint32_t id)
{
	struct rdb_header *h = (struct rdb_header *)b;

	for (uint32_t i = 0; i < h->n_sections; i++) {
		struct rdb_section *s = (struct rdb_section *)(b + h->section_table) + i;

		if (s->id == id)
			return s;
	}
	fail();
	return NULL;
}

static void test_good(void **state)
{
	char err[RDB_ERR_MAX];

	(void)state;
	assert_int_equal(try_open(img, img_len, err, sizeof(err)), 0);
}

static void test_truncated(void **state)
{
	char err[RDB_ERR_MAX];

	(void)state;
	for (size_t len = 0; len < img_len; len++) {
		uint8_t *b = malloc(len ? len : 1);

		memcpy(b, img, len);
		assert_true(try_open(b, len, err, sizeof(err)) < 0);
		if (len >= 8)
			assert_non_null(strstr(err, "truncated"));
		free(b);
	}
}

static void test_every_byte_flipped(void **state)
{
	char err[RDB_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < img_len; i++) {
		uint8_t *b = copy();
		int r;

		b[i] ^= 0x40;
		r = try_open(b, img_len, err, sizeof(err));
		assert_true(r < 0);
		if (i >= 8 && (i < offsetof(struct rdb_header, format_version) ||
			       i >= offsetof(struct rdb_header, format_version) + 4))
			assert_true(r == -EBADMSG);
		free(b);
	}
}

static const struct damage_case {
	const char *name;
	int err;
	const char *msg;
} damages[] = {
	{ "magic", -EMEDIUMTYPE, "(buffer): not a recall database (wrong magic)" },
	{ "newer", -EPROTONOSUPPORT, "(buffer): format version 3 is newer than this reader (2): "
				      "update recalld" },
	{ "extended", -EBADMSG, "(buffer): truncated or extended: header says" },
	{ "section-offset", -EBADMSG, "(buffer): section nodes out of bounds" },
	{ "section-missing", -EBADMSG, "(buffer): section VIN references missing" },
	{ "record-size", -EBADMSG, "(buffer): section arguments: record size 8, expected 4" },
	{ "node-forward", -EBADMSG, "is not an earlier node" },
	{ "string-offset", -EBADMSG, "(buffer): campaign 0: text out of bounds" },
	{ "vin-ref", -EBADMSG, "(buffer): listed VIN 0: campaign out of bounds" },
	{ "group", -EBADMSG, "VIN hash slot" },
	{ "slot-not-empty", -EBADMSG, "VIN hash table has no empty slot" },
	/* a key a probe from its home would never reach: a listed VIN would read unlisted */
	{ "slot-unreachable", -EBADMSG, "not reachable from its home slot" },
	{ "group-order", -EBADMSG, "group not in order" },
	/* one node under both operands: nested 60 deep, a match would evaluate 2^60 nodes */
	{ "node-shared", -EBADMSG, "has another parent" },
	{ "older", -EPROTONOSUPPORT, "(buffer): format version 1 is older than this reader (2): "
				      "compile the rules again with recallc" },
	{ "wmi-index", -EBADMSG, "(buffer): WMI index entry 0 out of bounds or unsorted" },
	{ "strings-unterminated", -EBADMSG, "(buffer): string table not NUL-terminated" },
	{ "section-table", -EBADMSG, "(buffer): section table out of bounds" },
};

static void test_damage(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		const struct damage_case *d = &damages[i];
		uint8_t *b = copy();
		struct rdb_header *h = (struct rdb_header *)b;
		size_t len = img_len;
		char err[RDB_ERR_MAX];
		int r;

		if (!strcmp(d->name, "magic")) {
			b[0] = 'X';
		} else if (!strcmp(d->name, "newer")) {
			h->format_version = RDB_FORMAT_VERSION + 1;
		} else if (!strcmp(d->name, "extended")) {
			b = realloc(b, len + 8);
			memset(b + len, 0, 8);
			len += 8;
		} else if (!strcmp(d->name, "section-offset")) {
			section(b, RDB_SEC_NODES)->offset = len - 8;
		} else if (!strcmp(d->name, "section-missing")) {
			section(b, RDB_SEC_REFS)->id = 999;
		} else if (!strcmp(d->name, "record-size")) {
			section(b, RDB_SEC_ARGS)->entry_size = 8;
		} else if (!strcmp(d->name, "node-forward")) {
			struct rdb_section *s = section(b, RDB_SEC_NODES);
			struct rdb_node *n = (struct rdb_node *)(b + s->offset);

			n[0].op = RDB_OP_NOT;
			n[0].a = 0;
		} else if (!strcmp(d->name, "string-offset")) {
			struct rdb_section *s = section(b, RDB_SEC_CAMPAIGNS);

			((struct rdb_campaign_rec *)(b + s->offset))->str[RDB_S_TITLE] = 0x7fffffff;
		} else if (!strcmp(d->name, "vin-ref")) {
			struct rdb_section *s = section(b, RDB_SEC_REFS);

			((uint32_t *)(b + s->offset))[0] = 77u << 1;
		} else if (!strcmp(d->name, "group") || !strcmp(d->name, "slot-not-empty")) {
			struct rdb_section *s = section(b, RDB_SEC_VIN_SLOTS);
			struct rdb_slot *sl = (struct rdb_slot *)(b + s->offset), *full = NULL;

			for (uint64_t k = 0; k < s->count && !full; k++)
				if (sl[k].key != RDB_SLOT_EMPTY)
					full = &sl[k];
			assert_non_null(full);
			if (!strcmp(d->name, "group")) {
				full->count = 1000;
			} else {
				/* a table without an empty slot: a probe for a missing VIN never ends */
				for (uint64_t k = 0; k < s->count; k++)
					if (sl[k].key == RDB_SLOT_EMPTY)
						sl[k] = *full;
			}
		} else if (!strcmp(d->name, "slot-unreachable")) {
			struct rdb_section *s = section(b, RDB_SEC_VIN_SLOTS);
			struct rdb_slot *sl = (struct rdb_slot *)(b + s->offset);
			uint32_t n = (uint32_t)s->count, j = 0;
			uint64_t k;

			while (sl[j].key == RDB_SLOT_EMPTY)
				j++;
			/* another valid key whose home is the slot after this one */
			for (k = 1; rdb_slot_home(k, n) != (j + 1) % n; k++)
				assert_true(k < 1000000);
			sl[j].key = k;
		} else if (!strcmp(d->name, "group-order")) {
			struct rdb_section *s = section(b, RDB_SEC_VIN_SLOTS);
			struct rdb_slot *sl = (struct rdb_slot *)(b + s->offset);
			uint32_t *suf = (uint32_t *)(b + section(b, RDB_SEC_SUFFIXES)->offset), t;
			uint64_t j = 0;

			while (sl[j].key == RDB_SLOT_EMPTY || sl[j].count < 2)
				assert_true(++j < s->count);
			t = suf[sl[j].start];
			suf[sl[j].start] = suf[sl[j].start + 1];
			suf[sl[j].start + 1] = t;
		} else if (!strcmp(d->name, "node-shared")) {
			struct rdb_section *s = section(b, RDB_SEC_NODES);
			uint32_t *args = (uint32_t *)(b + section(b, RDB_SEC_ARGS)->offset);
			uint64_t j = 0;
			struct rdb_node *n;

			for (;; j++) {
				assert_true(j < s->count);
				n = (struct rdb_node *)(b + s->offset + j * s->entry_size);
				if (n->op == RDB_OP_AND && n->b >= 2)
					break;
			}
			args[n->a + 1] = args[n->a];
		} else if (!strcmp(d->name, "older")) {
			h->format_version = 1;
		} else if (!strcmp(d->name, "wmi-index")) {
			struct rdb_section *s = section(b, RDB_SEC_WMI_INDEX);

			((struct rdb_wmi_ent *)(b + s->offset))[0].count = 1000;
		} else if (!strcmp(d->name, "strings-unterminated")) {
			struct rdb_section *s = section(b, RDB_SEC_STRINGS);

			b[s->offset + s->count - 1] = 'x';
		} else if (!strcmp(d->name, "section-table")) {
			h->section_table = len;
		}
		if (strcmp(d->name, "magic") && strcmp(d->name, "newer")) {
			h = (struct rdb_header *)b;
			if (strcmp(d->name, "extended"))
				h->file_size = len;
			reseal(b, len);
		}
		r = try_open(b, len, err, sizeof(err));
		print_message("%s: %d %s\n", d->name, r, err);
		assert_int_equal(r, d->err);
		assert_non_null(strstr(err, d->msg));
		free(b);
	}
}

static void test_files(void **state)
{
	char dir[] = "/tmp/test-rules-rdb.XXXXXX", path[128], err[RDB_ERR_MAX];
	struct rdb *db = NULL;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/missing.rdb", dir);
	assert_int_equal(rdb_open(path, &db, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "missing.rdb: No such file or directory"));
	assert_int_equal(rdb_open(dir, &db, err, sizeof(err)), -EMEDIUMTYPE);
	assert_non_null(strstr(err, "not a regular file"));
	snprintf(path, sizeof(path), "%s/foreign", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(write(fd, "#!/bin/sh\n", 10) == 10);
	close(fd);
	assert_int_equal(rdb_open(path, &db, err, sizeof(err)), -EMEDIUMTYPE);
	assert_non_null(strstr(err, "not a recall database"));
	/* atomic write replaces it as a whole and the result opens */
	assert_int_equal(rdb_write_file(path, img, img_len), 0);
	assert_int_equal(rdb_open(path, &db, err, sizeof(err)), 0);
	assert_int_equal(rdb_campaign_count(db), 2);
	assert_int_equal(rdb_listed_vin_count(db), 3);
	rdb_close(db);
	assert_null(rdb_close(NULL));
	unlink(path);
	/* writing into a directory that does not exist fails and leaves nothing behind */
	snprintf(path, sizeof(path), "%s/no/such.rdb", dir);
	assert_int_equal(rdb_write_file(path, img, img_len), -ENOENT);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_every_byte_flipped),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
