/* Database reader: every kind of damage is refused with its message, never read out of bounds
 * (the sanitizer build runs this), and never turned into a verdict.  Damage behind recomputed
 * hashes (tests/lib/rdb-reseal.h) reaches the checks behind them: once through rdb_verify_all
 * (what the daemon does at load) and once through the lazy path a one-shot lookup takes. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "rules/rdb-format.h"
#include "rules/rdb.h"
#include "rules/rule.h"
#include "tests/lib/rdb-reseal.h"

static const char src[] = "campaign \"A\" { title \"a\"; recognition vehicle_diagnosis;\n"
			  "  affected wmi in {\"WBA\"} and (ecu 0x61 did 0xF189 < \"15.2.0\" or "
			  "not ecu 0x12 present);\n"
			  "  include vins { \"WBA8E51060K734560\", \"WBY1Z41060V512345\" };\n"
			  "  exclude vins { \"WBA8E51060K734561\" }; }\n"
			  "campaign \"B\" { title \"b\"; recognition hotline \"x\" number \"1\";\n"
			  "  affected ecu 0x12 did 0xF187 in {\"1\", \"2\"}; }\n";

static uint8_t *img;
static size_t img_len;

static const char *const vins[] = { "WBA8E51060K734560", "WBY1Z41060V512345",
				    "WBA8E51060K734561", "WBA8E51060K734562", NULL };

static int compile(const char *text, uint8_t **ret, size_t *ret_len)
{
	struct rule_compiler *c;
	void *p;
	int r;

	if (rule_compiler_new(RULE_NO_FILES, &c) < 0)
		return -1;
	r = rule_compiler_add_source(c, "t.rules", text, strlen(text));
	if (r == 0)
		r = rule_compiler_build(c, &p, ret_len);
	rule_compiler_free(c);
	if (r < 0)
		return r;
	*ret = p;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return compile(src, &img, &img_len);
}

static int teardown(void **state)
{
	(void)state;
	free(img);
	return 0;
}

static uint8_t *copy(void)
{
	uint8_t *b = aligned_alloc(8, img_len);

	assert_non_null(b);
	memcpy(b, img, img_len);
	return b;
}

/* Everything a lookup can ask of a handle, as a string; NULL when an access failed. */
static char *answers(struct rdb *db, char *out, size_t len)
{
	static const uint8_t ver[] = "11.0";
	const struct rdb_did_fact f[] = {
		{ 0x61, 0xF189, RDB_DID_OK, ver, 4, NULL },
		{ 0x12, 0xF187, RDB_DID_OK, (const uint8_t *)"2", 1, NULL },
	};
	size_t o = 0;

	out[0] = 0;
	for (size_t i = 0; i < sizeof(vins) / sizeof(vins[0]); i++) {
		for (unsigned int fl = 0; fl <= RDB_MATCH_ALL; fl += RDB_MATCH_ALL) {
			struct rdb_vehicle v = { .vin = vins[i], .dids = f, .n_dids = 2 };
			struct rdb_result res[4];
			int n = rdb_match(db, &v, fl, res, 4);

			if (n < 0)
				return NULL;
			for (int k = 0; k < n && k < 4; k++)
				o += (size_t)snprintf(out + o, len - o, "%u %s %s|",
					res[k].campaign, rdb_verdict_name(res[k].verdict),
					res[k].reason);
		}
	}
	for (uint32_t k = 0; k < rdb_campaign_count(db); k++) {
		struct rdb_campaign c;

		if (rdb_campaign_get(db, k, &c) < 0)
			return NULL;
		o += (size_t)snprintf(out + o, len - o, "%s %s %s|", c.id, c.title, c.hotline);
	}
	{
		struct rdb_did_ref *refs;
		size_t n;

		if (rdb_needed_dids(db, &refs, &n) < 0)
			return NULL;
		for (size_t k = 0; k < n; k++)
			o += (size_t)snprintf(out + o, len - o, "%x:%x|", refs[k].ecu, refs[k].did);
		free(refs);
	}
	return out;
}

static char good[8192];

static void test_good(void **state)
{
	char err[RDB_ERR_MAX], buf[8192];
	struct rdb_info info;
	struct rdb *db;

	(void)state;
	assert_int_equal(rdb_open_buffer(img, img_len, &db, err, sizeof(err)), 0);
	assert_non_null(answers(db, good, sizeof(good)));
	assert_int_equal(rdb_get_info(db, &info), 0);
	assert_false(info.verified_all);
	assert_int_equal(info.signer, RDB_SIGNER_NONE);
	assert_string_equal(info.key_id, "");
	assert_int_equal(strlen(info.checksum), 64);
	assert_int_equal(rdb_verify_all(db, err, sizeof(err)), 0);
	assert_int_equal(rdb_get_info(db, &info), 0);
	assert_true(info.verified_all);
	/* the lazy path and the verified one give the same answers */
	assert_string_equal(answers(db, buf, sizeof(buf)), good);
	rdb_close(db);
}

static void test_truncated(void **state)
{
	char err[RDB_ERR_MAX];

	(void)state;
	for (size_t len = 0; len < img_len; len++) {
		uint8_t *b = aligned_alloc(8, (len + 8) & ~(size_t)7);
		struct rdb *db = NULL;

		memcpy(b, img, len);
		assert_true(rdb_open_buffer(b, len, &db, err, sizeof(err)) < 0);
		if (len >= 8)
			assert_non_null(strstr(err, "truncated"));
		free(b);
	}
}

/*
 * Any byte changed: open refuses it (block 0, the tree's top), or the first access to its block
 * does — whatever a lookup gets is either an error or exactly the undamaged answer.
 */
static void test_every_byte_flipped(void **state)
{
	char err[RDB_ERR_MAX], buf[8192];
	size_t opened = 0;

	(void)state;
	for (size_t i = 0; i < img_len; i++) {
		uint8_t *b = copy();
		struct rdb *db = NULL;
		const char *a;
		int r;

		b[i] ^= 0x40;
		r = rdb_open_buffer(b, img_len, &db, err, sizeof(err));
		if (r < 0) {
			assert_true(r == -EBADMSG || r == -EMEDIUMTYPE || r == -EPROTONOSUPPORT);
			assert_true(i < 4096 || i >= img_len - 4096);
			free(b);
			continue;
		}
		opened++;
		a = answers(db, buf, sizeof(buf));
		if (a)
			assert_string_equal(a, good);
		else
			assert_non_null(strstr(rdb_error(db), "does not match its hash"));
		assert_int_equal(rdb_verify_all(db, err, sizeof(err)), -EBADMSG);
		assert_non_null(strstr(err, "does not match its hash"));
		rdb_close(db);
		free(b);
	}
	/* the data blocks are not read at open: a change there is found where it is read */
	assert_true(opened > 0);
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

/* The first group word of VIN_GROUPS that is a short group of at least MIN_COUNT entries. */
static uint64_t *short_group(uint8_t *b, unsigned int min_count)
{
	struct rdb_section *s = section(b, RDB_SEC_VIN_GROUPS);
	uint64_t *w = (uint64_t *)(b + s->offset);

	for (uint64_t p = 0; p < s->count; p += w[p] >> 56 ? 1 + (w[p] >> 56) : 3)
		if (w[p] >> 56 >= min_count)
			return &w[p];
	fail();
	return NULL;
}

/* Calls F on every listed VIN's entry, short and long groups alike. */
static void each_entry(uint8_t *b, void (*f)(uint64_t *e))
{
	struct rdb_section *s = section(b, RDB_SEC_VIN_GROUPS);
	struct rdb_section *l = section(b, RDB_SEC_VIN_ENTRIES);
	uint64_t *w = (uint64_t *)(b + s->offset), *e = (uint64_t *)(b + l->offset);

	for (uint64_t p = 0; p < s->count; p += w[p] >> 56 ? 1 + (w[p] >> 56) : 3)
		for (uint64_t k = 0; k < (w[p] >> 56); k++)
			f(&w[p + 1 + k]);
	for (uint64_t k = 0; k < l->count; k++)
		f(&e[k]);
}

static void ref77(uint64_t *e)
{
	*e = (*e & ~(uint64_t)UINT32_MAX) | 77u << 1;
}

static const struct damage_case {
	const char *name;
	int err;
	const char *msg;		/* at open, or from rdb_verify_all */
	const char *lazy; /* from a lookup on a lazily opened handle; NULL: bounded, no
			   * error promised (the damage is not local to a lookup) */
} damages[] = {
	{ "magic", -EMEDIUMTYPE, "(buffer): not a recall database (wrong magic)", NULL },
	{ "newer", -EPROTONOSUPPORT, "(buffer): format version 5 is newer than this reader (4): "
				      "update recalld", NULL },
	/* format 3 had the VIN hash table of slots: no format 4 reader takes it */
	{ "older", -EPROTONOSUPPORT, "(buffer): format version 3 is older than this reader (4): "
				      "compile the rules again with recallc", NULL },
	{ "extended", -EBADMSG, "(buffer): truncated or extended: header says", NULL },
	{ "block-size", -EBADMSG, "(buffer): block size 2^20 out of range", NULL },
	{ "root", -EBADMSG, "(buffer): root hash does not match", NULL },
	{ "signature-alone", -EBADMSG, "(buffer): a signature without a signer key", NULL },
	{ "section-offset", -EBADMSG, "(buffer): section nodes out of bounds", NULL },
	{ "section-misaligned", -EBADMSG, "(buffer): section arguments out of bounds", NULL },
	{ "section-missing", -EBADMSG, "(buffer): section VIN entries missing", NULL },
	{ "record-size", -EBADMSG, "(buffer): section arguments: record size 8, expected 4", NULL },
	{ "section-table", -EBADMSG, "(buffer): section table out of bounds", NULL },
	{ "section-table-misaligned", -EBADMSG, "(buffer): section table out of bounds", NULL },
	{ "counts", -EBADMSG, "(buffer): header counts disagree with the sections", NULL },
	{ "counts-listed", -EBADMSG, "header counts disagree with the VIN groups", NULL },
	{ "node-forward", -EBADMSG, "is not an earlier node", "is not an earlier node" },
	{ "node-range", -EBADMSG, "condition outside its nodes", "outside the campaign's nodes" },
	{ "string-offset", -EBADMSG, "(buffer): campaign 0: text out of bounds",
	  "beyond the string table" },
	/* a reference into the middle of a string: the full check took it, a lookup did not */
	{ "string-inside", -EBADMSG, "(buffer): campaign 0: text out of bounds or inside a string",
	  NULL },
	{ "string-control", -EBADMSG, "is not UTF-8 text or holds a control character",
	  "is not UTF-8 text or holds a control character" },
	{ "string-utf8", -EBADMSG, "is not UTF-8 text or holds a control character",
	  "is not UTF-8 text or holds a control character" },
	{ "strings-unterminated", -EBADMSG, "string table does not start and end with NUL",
	  "not terminated" },
	{ "vin-ref", -EBADMSG, "listed VIN 0: campaign out of bounds",
	  "listed VIN names campaign 77 of 2" },
	{ "campaign-bits", -EBADMSG, "campaign 0: its bits disagree with its record", NULL },
	{ "group", -EBADMSG, "VIN group at word 0: out of bounds", "out of bounds" },
	{ "group-order", -EBADMSG, "group not in order", "not in order" },
	/* two parents for one node: the matcher's budget keeps it bounded */
	{ "node-shared", -EBADMSG, "has another parent", NULL },
	{ "wmi-index", -EBADMSG, "(buffer): WMI index entry 0 out of bounds or unsorted",
	  "candidates: records" },
	/* the campaign number the merge of candidate lists used to mean "none left": a lookup
	 * skipped it, and the rest of its list, without a word */
	{ "candidate-max", -EBADMSG, "(buffer): candidate 0: campaign out of bounds",
	  "campaigns: records 4294967295..+1 beyond its 2" },
	{ "enum", -EBADMSG, "campaign 0: unknown enumeration value",
	  "campaign 0: unknown enumeration value" },
};

static void damage(const char *name, uint8_t **pb, size_t *plen)
{
	uint8_t *b = *pb;
	struct rdb_header *h = (struct rdb_header *)b;
	size_t len = *plen;

	if (!strcmp(name, "magic")) {
		b[0] = 'X';
	} else if (!strcmp(name, "newer")) {
		h->format_version = RDB_FORMAT_VERSION + 1;
	} else if (!strcmp(name, "older")) {
		h->format_version = 3;
	} else if (!strcmp(name, "extended")) {
		b = realloc(b, len + 4096);
		assert_non_null(b);
		memset(b + len, 0, 4096);
		len += 4096;
	} else if (!strcmp(name, "block-size")) {
		h->block_shift = 20;
	} else if (!strcmp(name, "root")) {
		h->root[3] ^= 1;
	} else if (!strcmp(name, "signature-alone")) {
		h->signature[0] = 1;
	} else if (!strcmp(name, "section-offset")) {
		section(b, RDB_SEC_NODES)->offset = len - 8;
	} else if (!strcmp(name, "section-misaligned")) {
		section(b, RDB_SEC_ARGS)->offset += 4;
	} else if (!strcmp(name, "section-missing")) {
		section(b, RDB_SEC_VIN_ENTRIES)->id = 999;
	} else if (!strcmp(name, "record-size")) {
		section(b, RDB_SEC_ARGS)->entry_size = 8;
	} else if (!strcmp(name, "section-table")) {
		h->section_table = 8192;
	} else if (!strcmp(name, "section-table-misaligned")) {
		/* a table at an odd offset would be read misaligned */
		h->section_table += 4;
	} else if (!strcmp(name, "counts")) {
		h->n_campaigns++;
	} else if (!strcmp(name, "counts-listed")) {
		h->n_listed_vins++;
	} else if (!strcmp(name, "node-forward")) {
		struct rdb_section *s = section(b, RDB_SEC_NODES);
		struct rdb_campaign_rec *c =
			(struct rdb_campaign_rec *)(b + section(b, RDB_SEC_CAMPAIGNS)->offset);
		struct rdb_node *n = (struct rdb_node *)(b + s->offset) + c->affected;

		assert_int_equal(n->op, RDB_OP_AND);
		n->op = RDB_OP_NOT;
		n->a = c->affected;	/* itself: a loop */
	} else if (!strcmp(name, "node-range")) {
		struct rdb_campaign_rec *c =
			(struct rdb_campaign_rec *)(b + section(b, RDB_SEC_CAMPAIGNS)->offset);

		c->node_hi = c->affected;	/* the root outside its campaign's nodes */
	} else if (!strcmp(name, "string-offset")) {
		struct rdb_section *s = section(b, RDB_SEC_CAMPAIGNS);

		((struct rdb_campaign_rec *)(b + s->offset))->str[RDB_S_TITLE] = 0x7fffffff;
	} else if (!strcmp(name, "string-inside")) {
		struct rdb_section *s = section(b, RDB_SEC_CAMPAIGNS);
		struct rdb_section *t = section(b, RDB_SEC_STRINGS);
		const uint8_t *v = memmem(b + t->offset, t->count, "15.2.0", 7);

		assert_non_null(v);
		((struct rdb_campaign_rec *)(b + s->offset))->str[RDB_S_TITLE] =
			(uint32_t)(v - (b + t->offset)) + 1;
	} else if (!strcmp(name, "string-control") || !strcmp(name, "string-utf8")) {
		struct rdb_section *s = section(b, RDB_SEC_CAMPAIGNS);
		uint32_t t = ((struct rdb_campaign_rec *)(b + s->offset))->str[RDB_S_TITLE];
		uint8_t *str = b + section(b, RDB_SEC_STRINGS)->offset + t;

		/* title "a": an escape sequence start, or a lone continuation byte */
		str[0] = !strcmp(name, "string-control") ? 0x1b : 0x80;
	} else if (!strcmp(name, "strings-unterminated")) {
		struct rdb_section *s = section(b, RDB_SEC_STRINGS);

		memset(b + s->offset + 1, 'x', s->count - 1);
	} else if (!strcmp(name, "vin-ref")) {
		each_entry(b, ref77);
	} else if (!strcmp(name, "group")) {
		/* every group says it has more entries than its bucket holds */
		struct rdb_section *s = section(b, RDB_SEC_VIN_GROUPS);
		uint64_t *w = (uint64_t *)(b + s->offset);

		w[0] = (w[0] & RDB_GROUP_PREFIX_MASK) | (uint64_t)RDB_GROUP_SHORT_MAX << 56;
	} else if (!strcmp(name, "group-order")) {
		uint64_t *w = short_group(b, 2), t;

		t = w[1];
		w[1] = w[2];
		w[2] = t;
	} else if (!strcmp(name, "node-shared")) {
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
	} else if (!strcmp(name, "wmi-index")) {
		struct rdb_section *s = section(b, RDB_SEC_WMI_INDEX);

		((struct rdb_wmi_ent *)(b + s->offset))[0].count = 1000;
	} else if (!strcmp(name, "candidate-max")) {
		((uint32_t *)(b + section(b, RDB_SEC_CANDIDATES)->offset))[0] = UINT32_MAX;
	} else if (!strcmp(name, "campaign-bits")) {
		b[section(b, RDB_SEC_CAMPAIGN_BITS)->offset] ^= RDB_CB_REMEDIED;
	} else if (!strcmp(name, "enum")) {
		struct rdb_section *s = section(b, RDB_SEC_CAMPAIGNS);

		((struct rdb_campaign_rec *)(b + s->offset))->recognition = 99;
	} else {
		fail_msg("unknown damage %s", name);
	}
	*pb = b;
	*plen = len;
}

static void test_damage(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		const struct damage_case *d = &damages[i];
		uint8_t *b = copy();
		size_t len = img_len;
		char err[RDB_ERR_MAX], buf[8192];
		struct rdb *db = NULL;
		int r;

		damage(d->name, &b, &len);
		/* behind recomputed hashes, unless the hash check is what the case is about */
		if (strcmp(d->name, "magic") && strcmp(d->name, "newer") &&
			strcmp(d->name, "older") && strcmp(d->name, "extended") &&
			strcmp(d->name, "block-size") && strcmp(d->name, "root"))
			assert_int_equal(rdb_test_reseal(b, len), 0);
		r = rdb_open_buffer(b, len, &db, err, sizeof(err));
		if (r == 0) {
			/* the lazy path: the damage meets a lookup, or stays bounded */
			const char *a = answers(db, buf, sizeof(buf));

			print_message("%s: lazy: %s\n", d->name, a ? "answered" : rdb_error(db));
			if (d->lazy) {
				assert_null(a);
				assert_non_null(strstr(rdb_error(db), d->lazy));
			}
			r = rdb_verify_all(db, err, sizeof(err));
			rdb_close(db);
		}
		print_message("%s: %d %s\n", d->name, r, err);
		assert_int_equal(r, d->err);
		assert_non_null(strstr(err, d->msg));
		free(b);
	}
}

/*
 * The VIN index with several buckets and a long group (rdb-format.h): 40 VINs sharing positions
 * 1-11 (a long group, its entries in VIN_ENTRIES) and 48 with a prefix each, in four buckets.  Every listed VIN and a few unlisted ones, through lazy and verified handles; then
 * damage behind recomputed hashes, each refused by rdb_verify_all with what is wrong, and on the
 * lazy path an error where the damage is local to a lookup.
 */
#define IDX_LISTED 88

static const char *idx_vin(unsigned int i, char out[18])
{
	/* i < 40: WBA8E51060K7345nn; else one VIN per prefix WBA8E5106<p9><p10>... */
	if (i < 40)
		snprintf(out, 18, "WBA8E51060K7345%02u", i);
	else
		snprintf(out, 18, "WBA8E5106%c%c734500", "ABCDEFGHJKLMNPRSTU"[(i - 40) % 18],
			 "KLMN"[(i - 40) / 18]);
	return out;
}

static char *idx_answers(struct rdb *db, char *out, size_t len)
{
	size_t o = 0;

	out[0] = 0;
	for (unsigned int i = 0; i < IDX_LISTED + 6; i++) {
		char vin[18], alt[18];
		struct rdb_vehicle v = { .vin = idx_vin(i, vin) };
		struct rdb_result res[2];
		int n;

		/* not listed: beyond the long group, before it, prefixes of no group */
		if (i >= IDX_LISTED) {
			snprintf(alt, sizeof(alt), i == IDX_LISTED ? "WBA8E51060K734599" :
				 i == IDX_LISTED + 1 ? "WBA8E51060K734400" : "WBA8E5106%cZ734501",
				 "ABCDEFGHJKLMNPRSTU"[i - IDX_LISTED]);
			v.vin = alt;
		}
		n = rdb_match(db, &v, 0, res, 2);
		if (n < 0)
			return NULL;
		o += (size_t)snprintf(out + o, len - o, "%d%s|", n,
				      n > 0 ? rdb_verdict_name(res[0].verdict) : "");
	}
	return out;
}

static uint32_t *idx_buckets(uint8_t *b, uint32_t *n_b)
{
	struct rdb_section *s = section(b, RDB_SEC_VIN_BUCKETS);

	*n_b = (uint32_t)s->count - 1;
	return (uint32_t *)(b + s->offset);
}

/* The word of the long group. */
static uint64_t *long_group(uint8_t *b)
{
	struct rdb_section *s = section(b, RDB_SEC_VIN_GROUPS);
	uint64_t *w = (uint64_t *)(b + s->offset);

	for (uint64_t p = 0; p < s->count; p += w[p] >> 56 ? 1 + (w[p] >> 56) : 3)
		if (!(w[p] >> 56))
			return &w[p];
	fail();
	return NULL;
}

static void test_vin_index(void **state)
{
	static const struct {
		const char *name, *msg, *lazy;
	} cases[] = {
		{ "cover", "VIN buckets do not cover the groups", NULL },
		{ "bucket-reversed", "ends before it starts", NULL },
		/* a group in a bucket a lookup of its VINs never reads: they would read unlisted;
		 * a lookup of the bucket it sits in sees it is not its place */
		{ "misplaced", "not in its bucket", "not in its bucket" },
		/* the damage below is in the VIN's own bucket or group, which a lazy lookup holds:
		 * unchecked, listed VINs read as unlisted (not_affected for a list-only campaign) */
		{ "twice", "groups not in order", "groups not in order" },
		{ "long-count", "long group out of bounds", "VIN entries: records" },
		{ "long-start", "long group out of bounds", NULL },
		{ "long-short", "long group out of bounds", "long group of 16 entries" },
		/* the first and last serial only aim a lookup; a lazy one checks them as well, so
		 * a count cut short (its last serial then differs) cannot hide VINs */
		{ "long-hint", "first or last serial differs", "first or last serial differs" },
		{ "long-cut", "first or last serial differs", "first or last serial differs" },
		{ "long-order", "group not in order", "not in order" },
		{ "short-too-long", "out of bounds", NULL },
	};
	char text[8192], vin[18], good_idx[2048], buf[2048], err[RDB_ERR_MAX];
	size_t o, len;
	uint8_t *img2, *b;
	struct rdb *db;
	uint32_t n_b, *bk;

	(void)state;
	o = (size_t)snprintf(text, sizeof(text), "campaign \"L\" { title \"l\"; include vins {");
	for (unsigned int i = 0; i < IDX_LISTED; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s\"%s\"", i ? ", " : "",
				      idx_vin(i, vin));
	snprintf(text + o, sizeof(text) - o, " }; }\n");
	assert_int_equal(compile(text, &img2, &len), 0);
	bk = idx_buckets(img2, &n_b);
	assert_int_equal(n_b, 49 / 16 + 1);
	assert_int_equal(section(img2, RDB_SEC_VIN_ENTRIES)->count, 40);
	/* the answers, lazily and verified */
	assert_int_equal(rdb_open_buffer(img2, len, &db, err, sizeof(err)), 0);
	assert_non_null(idx_answers(db, good_idx, sizeof(good_idx)));
	for (unsigned int i = 0, k = 0; i < IDX_LISTED + 6; i++)
		k += (unsigned int)snprintf(buf + k, sizeof(buf) - k, "%s",
					    i < IDX_LISTED ? "1open|" : "0|");
	assert_string_equal(good_idx, buf);
	assert_int_equal(rdb_verify_all(db, err, sizeof(err)), 0);
	assert_string_equal(idx_answers(db, buf, sizeof(buf)), good_idx);
	rdb_close(db);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *name = cases[i].name, *a;
		uint64_t *w;
		int r;

		b = aligned_alloc(8, len);
		assert_non_null(b);
		memcpy(b, img2, len);
		bk = idx_buckets(b, &n_b);
		w = long_group(b);
		if (!strcmp(name, "cover")) {
			bk[n_b]--;
		} else if (!strcmp(name, "bucket-reversed")) {
			bk[1] = bk[2] + 1;	/* bucket 1 ends before it starts */
		} else if (!strcmp(name, "misplaced") || !strcmp(name, "twice")) {
			/* the second group of a bucket holding two: moved to another bucket's
			 * prefix, or given the first one's */
			uint64_t *g = (uint64_t *)(b + section(b, RDB_SEC_VIN_GROUPS)->offset);
			uint32_t k = 0, second = 0;

			for (; k < n_b && !second; k++) {
				uint32_t p = bk[k], n1 = (uint32_t)(g[p] >> 56);

				p += n1 ? 1 + n1 : 3;
				if (p < bk[k + 1])
					second = p;
			}
			assert_true(second > 0);
			if (!strcmp(name, "twice")) {
				g[second] = (g[second] & ~RDB_GROUP_PREFIX_MASK) |
					    (g[bk[k - 1]] & RDB_GROUP_PREFIX_MASK);
			} else {
				uint64_t x = (g[second] & RDB_GROUP_PREFIX_MASK) + 1;

				while (rdb_vin_bucket(x, n_b) == k - 1)
					x++;
				g[second] = (g[second] & ~RDB_GROUP_PREFIX_MASK) | x;
			}
		} else if (!strcmp(name, "long-count")) {
			w[1] = (w[1] & ~(uint64_t)UINT32_MAX) | 1000;
		} else if (!strcmp(name, "long-start")) {
			w[2] += 1;
		} else if (!strcmp(name, "long-cut")) {
			w[1] -= 10;	/* thirty of the forty entries */
		} else if (!strcmp(name, "long-short")) {
			w[1] = (w[1] & ~(uint64_t)UINT32_MAX) | RDB_GROUP_SHORT_MAX;
		} else if (!strcmp(name, "long-hint")) {
			w[1] += (uint64_t)7 << 32;	/* the last serial said later */
			w[2] -= (uint64_t)5 << 32;	/* the first earlier */
		} else if (!strcmp(name, "long-order")) {
			uint64_t *e = (uint64_t *)(b + section(b, RDB_SEC_VIN_ENTRIES)->offset), t;

			t = e[20];
			e[20] = e[21];
			e[21] = t;
		} else if (!strcmp(name, "short-too-long")) {
			uint64_t *g = (uint64_t *)(b + section(b, RDB_SEC_VIN_GROUPS)->offset);
			uint32_t p = bk[n_b - 1];

			while (!(g[p] >> 56))
				p += 3;
			g[p] = (g[p] & RDB_GROUP_PREFIX_MASK) | (uint64_t)RDB_GROUP_SHORT_MAX << 56;
		}
		assert_int_equal(rdb_test_reseal(b, len), 0);
		assert_int_equal(rdb_open_buffer(b, len, &db, err, sizeof(err)), 0);
		a = idx_answers(db, buf, sizeof(buf));
		print_message("%s: lazy: %s\n", name, a ? a : rdb_error(db));
		if (cases[i].lazy && !cases[i].lazy[0]) {
			assert_non_null(a);
			assert_string_equal(a, good_idx);
		} else if (cases[i].lazy) {
			assert_null(a);
			assert_non_null(strstr(rdb_error(db), cases[i].lazy));
			/* found before any campaign is decided: the message blames none */
			assert_null(strstr(rdb_error(db), "campaign"));
		}
		r = rdb_verify_all(db, err, sizeof(err));
		print_message("%s: %d %s\n", name, r, err);
		assert_int_equal(r, -EBADMSG);
		assert_non_null(strstr(err, cases[i].msg));
		rdb_close(db);
		free(b);
	}
	free(img2);
}

/*
 * Sixty nested ands whose two operands are one node: a matcher without a budget would evaluate
 * 2^60 nodes.  Behind valid hashes, on the lazy path, the match ends at once with an error.
 */
static void test_shared_nodes_bounded(void **state)
{
	char text[8192], err[RDB_ERR_MAX];
	size_t o, len;
	uint8_t *b;
	struct rdb *db;
	struct rdb_section *s;
	uint32_t *args;
	struct rdb_vehicle v = { .vin = "WBA8E51060K734560" };
	struct rdb_result res[2];
	time_t t0 = time(NULL);

	(void)state;
	o = (size_t)snprintf(text, sizeof(text), "campaign \"X\" { title \"x\"; affected ");
	for (int i = 0; i < 60; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "(");
	o += (size_t)snprintf(text + o, sizeof(text) - o, "wmi in {\"WBA\"}");
	for (int i = 0; i < 60; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, " and true)");
	snprintf(text + o, sizeof(text) - o, "; }\n");
	assert_int_equal(compile(text, &b, &len), 0);
	s = section(b, RDB_SEC_NODES);
	args = (uint32_t *)(b + section(b, RDB_SEC_ARGS)->offset);
	for (uint64_t j = 0; j < s->count; j++) {
		struct rdb_node *n = (struct rdb_node *)(b + s->offset + j * s->entry_size);

		if (n->op == RDB_OP_AND)
			args[n->a + 1] = args[n->a];	/* both operands: the inner and */
	}
	assert_int_equal(rdb_test_reseal(b, len), 0);
	assert_int_equal(rdb_open_buffer(b, len, &db, err, sizeof(err)), 0);
	assert_int_equal(rdb_match(db, &v, RDB_MATCH_ALL, res, 2), -EBADMSG);
	assert_non_null(strstr(rdb_error(db), "expression nodes are shared"));
	assert_true(time(NULL) - t0 < 30);
	assert_int_equal(rdb_verify_all(db, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "has another parent"));
	rdb_close(db);
	free(b);
}

/*
 * A campaign's include and exclude flags are what a lookup without a valid VIN has of its lists:
 * a campaign whose `affected` is false may still select the car by its include list, one whose
 * `affected` is true may still exclude it, so both are undetermined.  A database whose flags
 * deny lists it has would turn them into not_affected and open — verdicts presented as facts —
 * so the full check must refuse it, as it refuses campaign bits that disagree with the records.
 */
static void test_list_flags(void **state)
{
	static const char text[] =
		"campaign \"F\" { title \"f\"; recognition vehicle_diagnosis;\n"
		"  affected ecu 0x12 did 0xF187 = \"1\";\n"
		"  include vins { \"WBA8E51060K734560\" };\n"
		"  exclude vins { \"WBA8E51060K734561\" }; }\n";
	static const struct {
		uint8_t flag;
		const char *value, *msg;
	} cases[] = {
		/* affected false: the include list is what could still select the car */
		{ RDB_CF_INCLUDE, "2", "campaign 0: VINs on its include list, its flags say none" },
		/* affected true: the exclude list is what could still rule it out */
		{ RDB_CF_EXCLUDE, "1", "campaign 0: VINs on its exclude list, its flags say none" },
	};
	char err[RDB_ERR_MAX];
	uint8_t *img3, *b;
	size_t len;

	(void)state;
	assert_int_equal(compile(text, &img3, &len), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rdb_did_fact f = { 0x12, 0xF187, RDB_DID_OK,
						(const uint8_t *)cases[i].value, 1, NULL };
		struct rdb_vehicle v = { .vin = NULL, .dids = &f, .n_dids = 1 };
		struct rdb_campaign_rec *c;
		struct rdb_result res[2];
		struct rdb *db;
		int r;

		assert_int_equal(rdb_open_buffer(img3, len, &db, err, sizeof(err)), 0);
		assert_int_equal(rdb_match(db, &v, RDB_MATCH_ALL, res, 2), 1);
		assert_int_equal(res[0].verdict, RDB_VERDICT_UNDETERMINED);
		assert_int_equal(rdb_verify_all(db, err, sizeof(err)), 0);
		rdb_close(db);

		b = aligned_alloc(8, len);
		assert_non_null(b);
		memcpy(b, img3, len);
		c = (struct rdb_campaign_rec *)(b + section(b, RDB_SEC_CAMPAIGNS)->offset);
		assert_true(c->flags & cases[i].flag);
		c->flags &= (uint8_t)~cases[i].flag;
		assert_int_equal(rdb_test_reseal(b, len), 0);
		assert_int_equal(rdb_open_buffer(b, len, &db, err, sizeof(err)), 0);
		/* lazily not knowable (the lists are elsewhere): what it answers is only printed */
		r = rdb_match(db, &v, RDB_MATCH_ALL, res, 2);
		print_message("flag %u: lazy: %d %s\n", cases[i].flag, r,
			      r > 0 ? rdb_verdict_name(res[0].verdict) : rdb_error(db));
		r = rdb_verify_all(db, err, sizeof(err));
		print_message("flag %u: %d %s\n", cases[i].flag, r, err);
		assert_int_equal(r, -EBADMSG);
		assert_non_null(strstr(err, cases[i].msg));
		rdb_close(db);
		free(b);
	}
	free(img3);
}

/* The first format 3 files had no campaign bits: a reader then reads the records, same answers. */
static void test_without_campaign_bits(void **state)
{
	char err[RDB_ERR_MAX], buf[8192];
	uint8_t *b = copy();
	struct rdb *db;

	(void)state;
	section(b, RDB_SEC_CAMPAIGN_BITS)->id = 999;	/* an unknown section: skipped */
	assert_int_equal(rdb_test_reseal(b, img_len), 0);
	assert_int_equal(rdb_open_buffer(b, img_len, &db, err, sizeof(err)), 0);
	assert_string_equal(answers(db, buf, sizeof(buf)), good);
	assert_int_equal(rdb_verify_all(db, err, sizeof(err)), 0);
	rdb_close(db);
	free(b);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/test-rules-rdb.XXXXXX", path[128], err[RDB_ERR_MAX];
	struct rdb *db = NULL;
	struct stat st;
	mode_t old;
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
	/* atomic write replaces it as a whole and the result opens; its mode follows the umask */
	old = umask(027);
	assert_int_equal(rdb_write_file(path, img, img_len), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	umask(077);
	assert_int_equal(rdb_write_file(path, img, img_len), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	umask(old);
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

static void write_over(const char *path, const void *data, size_t len)
{
	/* as `cp` does: same inode, truncated, rewritten */
	int fd = open(path, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_true(write(fd, data, len) == (ssize_t)len);
	close(fd);
}

static void on_sigbus(int sig)
{
	(void)sig;
	fail_msg("SIGBUS");
}

/*
 * A database overwritten in place (cp over it) while open: what was read keeps answering as the
 * database that was opened; what is read after ends in -ESTALE — never SIGBUS (the bytes live in
 * anonymous memory) and never an answer from a mix of two files.
 */
static void test_replaced_in_place(void **state)
{
	static const char other_src[] =
		"campaign \"A\" { title \"other\"; affected wmi in {\"WBA\"}; }\n";
	char dir[] = "/tmp/test-rules-rdb.XXXXXX", path[128], err[RDB_ERR_MAX], buf[8192];
	struct sigaction sa = { .sa_handler = on_sigbus }, old_sa;
	uint8_t *other;
	size_t other_len;
	struct rdb *db;

	(void)state;
	assert_int_equal(sigaction(SIGBUS, &sa, &old_sa), 0);
	assert_int_equal(compile(other_src, &other, &other_len), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/recalls.rdb", dir);

	/* opened, nothing read yet; overwritten by another database of the same size */
	assert_int_equal(rdb_write_file(path, img, img_len), 0);
	assert_int_equal(rdb_open(path, &db, err, sizeof(err)), 0);
	assert_int_equal(other_len, img_len);
	write_over(path, other, other_len);
	assert_null(answers(db, buf, sizeof(buf)));
	assert_non_null(strstr(rdb_error(db), "changed on disk since it was opened"));
	rdb_close(db);

	/* truncated to nothing while open: a read meets the end, not a SIGBUS */
	assert_int_equal(rdb_write_file(path, img, img_len), 0);
	assert_int_equal(rdb_open(path, &db, err, sizeof(err)), 0);
	assert_int_equal(truncate(path, 0), 0);
	assert_null(answers(db, buf, sizeof(buf)));
	assert_non_null(strstr(rdb_error(db), "changed on disk since it was opened"));
	rdb_close(db);

	/* everything read first (as recalld loads): the change cannot reach the handle */
	assert_int_equal(rdb_write_file(path, img, img_len), 0);
	assert_int_equal(rdb_open(path, &db, err, sizeof(err)), 0);
	assert_int_equal(rdb_verify_all(db, err, sizeof(err)), 0);
	write_over(path, other, other_len);
	assert_string_equal(answers(db, buf, sizeof(buf)), good);
	assert_int_equal(truncate(path, 0), 0);
	assert_string_equal(answers(db, buf, sizeof(buf)), good);
	rdb_close(db);

	/* replaced by rename, as recallc does: the open handle still reads the old file */
	assert_int_equal(rdb_write_file(path, img, img_len), 0);
	assert_int_equal(rdb_open(path, &db, err, sizeof(err)), 0);
	assert_int_equal(rdb_write_file(path, other, other_len), 0);
	assert_string_equal(answers(db, buf, sizeof(buf)), good);
	rdb_close(db);

	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	free(other);
	sigaction(SIGBUS, &old_sa, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_every_byte_flipped),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_vin_index),
		cmocka_unit_test(test_shared_nodes_bounded),
		cmocka_unit_test(test_list_flags),
		cmocka_unit_test(test_without_campaign_bits),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_replaced_in_place),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
