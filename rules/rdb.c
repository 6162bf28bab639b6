/* SPDX-License-Identifier: MIT */
/*
 * Opening a recall database in constant time, and reading it block by block.
 *
 * Open reads block 0 (header and section table) and the top block of the hash tree, checks the
 * root hash over both and the signature over the root, and checks the section table's bounds.
 * Nothing else is read: a lookup reads the blocks it touches (rdb_fault), each checked against its
 * hash in the tree — whose blocks are in turn checked up to the top — the first time, and
 * remembered in a bitmap (the manner of dm-verity).  Bytes are read with pread into anonymous
 * memory rather than mapped from the file, so a file truncated or overwritten in place after open
 * cannot raise SIGBUS or change bytes already checked; a block read after such a change fails its
 * hash and the access ends in -ESTALE with a message that says so.
 *
 * Well-hashed is not well-formed (an unsigned file hashes as well as any): every offset, count and
 * string is still checked where it is used (rdb-handle.h, match.c).  rdb_verify_all() does the
 * whole file at once, hashes and structure, for the daemon.
 *
 * Error messages carry the path; codes are in rdb.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "rules/rdb-handle.h"
#include "rules/rdb-trust.h"
#include "rules/vin.h"

static int fail(char *errbuf, size_t errlen, const char *name, int r, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(char *errbuf, size_t errlen, const char *name, int r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (errbuf && errlen) {
		n = snprintf(errbuf, errlen, "%s: ", name);
		if (n >= 0 && (size_t)n < errlen) {
			va_start(ap, fmt);
			vsnprintf(errbuf + n, errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return r;
}

/* The handle's error state is not part of what it means: recording an error through a const
 * handle is fine. */
static struct rdb *mut(const struct rdb *db)
{
	return (struct rdb *)(uintptr_t)db;
}

static int record(const struct rdb *cdb, int r, const char *fmt, va_list ap)
{
	struct rdb *db = mut(cdb);
	int n = snprintf(db->errmsg, sizeof(db->errmsg), "%s: ", db->path ? db->path : "(buffer)");

	if (n >= 0 && (size_t)n < sizeof(db->errmsg))
		vsnprintf(db->errmsg + n, sizeof(db->errmsg) - (size_t)n, fmt, ap);
	db->err = r;
	return r;
}

static int rdb_fail(const struct rdb *db, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int rdb_fail(const struct rdb *db, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(db, r, fmt, ap);
	va_end(ap);
	return r;
}

int rdb_bad(const struct rdb *db, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(db, -EBADMSG, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/* An error recorded in the handle, handed to an errbuf-style caller. */
static int copy_error(const struct rdb *db, char *errbuf, size_t errlen, int r)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s", db->errmsg);
	return r;
}

const char *rdb_error(const struct rdb *db)
{
	return db && db->err ? db->errmsg : "";
}

static const struct {
	uint32_t size;			/* record size, or the least for records that may grow */
	bool exact;
	const char *name;
} sec_spec[_RDB_SEC_MAX] = {
	[RDB_SEC_STRINGS] = { 1, true, "strings" },
	[RDB_SEC_CAMPAIGNS] = { sizeof(struct rdb_campaign_rec), false, "campaigns" },
	[RDB_SEC_NODES] = { sizeof(struct rdb_node), false, "nodes" },
	[RDB_SEC_ARGS] = { 4, true, "arguments" },
	[RDB_SEC_WMI_INDEX] = { sizeof(struct rdb_wmi_ent), true, "WMI index" },
	[RDB_SEC_CANDIDATES] = { 4, true, "candidates" },
	[RDB_SEC_GENERIC] = { 4, true, "generic campaigns" },
	[RDB_SEC_VIN_BUCKETS] = { 4, true, "VIN buckets" },
	[RDB_SEC_VIN_ENTRIES] = { 8, true, "VIN entries" },
	[RDB_SEC_NEEDED_DIDS] = { sizeof(struct rdb_did_rec), false, "needed DIDs" },
	/* optional (the first format 3 files lacked it): without it a reader reads the records */
	[RDB_SEC_CAMPAIGN_BITS] = { 1, true, "campaign bits" },
	[RDB_SEC_VIN_GROUPS] = { 8, true, "VIN groups" },
};

/* ---- reading blocks ------------------------------------------------------------------------ */

static int read_at(struct rdb *db, void *dst, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(db->fd, (uint8_t *)dst + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rdb_fail(db, -errno, "cannot read: %s", strerror(errno));
		if (n == 0)
			return rdb_fail(db, -ESTALE,
				"changed on disk since it was opened (now shorter): "
				"replace databases with a rename, as recallc does, and reopen");
		got += (size_t)n;
	}
	return 0;
}

/* After a hash mismatch: was the file replaced in place, or is it damaged? */
static bool changed_on_disk(const struct rdb *db)
{
	struct stat st;

	if (db->fd < 0 || fstat(db->fd, &st) < 0)
		return false;
	return st.st_size != db->st.st_size || st.st_mtim.tv_sec != db->st.st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != db->st.st_mtim.tv_nsec ||
	       st.st_ctim.tv_sec != db->st.st_ctim.tv_sec ||
	       st.st_ctim.tv_nsec != db->st.st_ctim.tv_nsec;
}

static void set_present(struct rdb *db, uint64_t b)
{
	db->present[b >> 6] |= (uint64_t)1 << (b & 63);
}

static int load_block(struct rdb *db, uint64_t b, unsigned int depth);

/* Where block B's hash is kept: level 0 for data blocks, the next level for tree blocks. */
static int expected_hash(struct rdb *db, uint64_t b, unsigned int depth, const uint8_t **ret)
{
	uint64_t per = ((uint64_t)1 << db->shift) / RDB_HASH_LEN, idx, parent;
	unsigned int lvl;
	int r;

	if (b >= 1 && b <= db->h.data_blocks) {
		lvl = 0;
		idx = b - 1;
	} else {
		for (lvl = 0; lvl + 1 < db->n_levels; lvl++)
			if (b >= db->level_start[lvl] &&
				b < db->level_start[lvl] + db->level_blocks[lvl])
				break;
		if (lvl + 1 >= db->n_levels)
			return rdb_bad(db, "block %llu is in no part of the file",
				       (unsigned long long)b);
		idx = b - db->level_start[lvl];
		lvl++;
	}
	parent = db->level_start[lvl] + idx / per;
	if (!rdb_present(db, parent)) {
		r = load_block(db, parent, depth + 1);
		if (r < 0)
			return r;
	}
	*ret = rdb_tree_block(db, parent) + (idx % per) * RDB_HASH_LEN;
	return 0;
}

static int load_block(struct rdb *db, uint64_t b, unsigned int depth)
{
	size_t bs = (size_t)1 << db->shift;
	uint8_t got[RDB_HASH_LEN];
	const uint8_t *want = NULL;
	int r;

	if (depth > RDB_MAX_LEVELS || b >= db->n_blocks)
		return rdb_bad(db, "block %llu out of the file", (unsigned long long)b);
	r = expected_hash(db, b, depth, &want);
	if (r < 0)
		return r;
	if (db->fd >= 0) {
		r = read_at(db, db->mem + (b << db->shift), bs, b << db->shift);
		if (r < 0)
			return r;
	}
	rdb_hash(db->mem + (b << db->shift), bs, got);
	if (memcmp(got, want, RDB_HASH_LEN) != 0) {
		if (changed_on_disk(db))
			return rdb_fail(db, -ESTALE, "changed on disk since it was opened "
					"(overwritten in place?): replace databases with a rename, "
					"as recallc does, and reopen");
		return rdb_bad(db, "block %llu does not match its hash (file damaged or altered)",
			       (unsigned long long)b);
	}
	set_present(db, b);
	return 0;
}

int rdb_fault(const struct rdb *cdb, uint64_t off, uint64_t len)
{
	struct rdb *db = mut(cdb);

	if (!len)
		return 0;
	if (off > db->size || len > db->size - off)
		return rdb_bad(db, "read beyond the end of the file");
	for (uint64_t b = off >> db->shift; b <= (off + len - 1) >> db->shift; b++) {
		if (!rdb_present(db, b)) {
			int r = load_block(db, b, 0);

			if (r < 0)
				return r;
		}
	}
	return 0;
}

const char *rdb_str(const struct rdb *db, uint32_t off)
{
	const struct rdb_sec *x = &db->sec[RDB_SEC_STRINGS];
	uint64_t start = x->off + off, end = x->off + x->count, pos = start, len;
	const uint8_t *s;

	if (off >= x->count) {
		rdb_bad(db, "string %u beyond the string table (%llu bytes)", off,
			(unsigned long long)x->count);
		return NULL;
	}
	if (end - start > RDB_MAX_STRING + 1)
		end = start + RDB_MAX_STRING + 1;
	if (db->all) {
		len = strnlen((const char *)db->mem + start, end - start);
	} else {
		for (;;) {
			uint64_t stop = ((pos >> db->shift) + 1) << db->shift;
			const uint8_t *p, *z;

			if (stop > end)
				stop = end;
			p = rdb_bytes(db, pos, stop - pos);
			if (!p)
				return NULL;
			z = memchr(p, 0, stop - pos);
			if (z) {
				pos += (uint64_t)(z - p);
				break;
			}
			pos = stop;
			if (pos == end)
				break;
		}
		len = pos - start;
	}
	if (len == end - start) {
		rdb_bad(db, "string %u not terminated within %d bytes or the table", off,
			RDB_MAX_STRING);
		return NULL;
	}
	s = db->mem + start;
	if (rdb_text_check(s, len) != len) {
		rdb_bad(db, "string %u is not UTF-8 text or holds a control character", off);
		return NULL;
	}
	return (const char *)s;
}

/* ---- open ---------------------------------------------------------------------------------- */

static int check_header(const struct rdb_header *h, uint64_t size, const char *name,
			char *errbuf, size_t errlen)
{
	if (size < 8 || memcmp(h->magic, RDB_MAGIC, 8) != 0)
		return fail(
			errbuf, errlen, name, -EMEDIUMTYPE, "not a recall database (wrong magic)");
	if (size < sizeof(*h))
		return fail(errbuf, errlen, name, -EBADMSG,
			    "truncated: %llu bytes, the header alone is %zu",
			    (unsigned long long)size, sizeof(*h));
	if (h->format_version > RDB_FORMAT_VERSION)
		return fail(errbuf, errlen, name, -EPROTONOSUPPORT,
			    "format version %u is newer than this reader (%u): update recalld",
			    h->format_version, RDB_FORMAT_VERSION);
	if (h->format_version < RDB_FORMAT_VERSION)
		return fail(errbuf, errlen, name, -EPROTONOSUPPORT,
			    "format version %u is older than this reader (%u): compile the rules "
			    "again with recallc", h->format_version, RDB_FORMAT_VERSION);
	if (h->block_shift < 9 || h->block_shift > 16)
		return fail(errbuf, errlen, name, -EBADMSG, "block size 2^%u out of range",
			    h->block_shift);
	if (h->file_size != size)
		return fail(errbuf, errlen, name, -EBADMSG,
			    "truncated or extended: header says %llu bytes, file has %llu",
			    (unsigned long long)h->file_size, (unsigned long long)size);
	if (size % ((uint64_t)1 << h->block_shift))
		return fail(errbuf, errlen, name, -EBADMSG, "size %llu is not a number of blocks",
			    (unsigned long long)size);
	if (h->header_size < sizeof(*h) || h->header_size > (1u << h->block_shift))
		return fail(errbuf, errlen, name, -EBADMSG, "header size %u out of range",
			    h->header_size);
	if (memchr(h->tool_version, 0, sizeof(h->tool_version)) == NULL)
		return fail(errbuf, errlen, name, -EBADMSG, "tool version not terminated");
	return 0;
}

#define BAD(...) fail(errbuf, errlen, name, -EBADMSG, __VA_ARGS__)

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void key_id_of(const uint8_t pk[32], char out[RDB_KEY_ID_LEN + 1])
{
	uint8_t h[RDB_HASH_LEN];

	rdb_hash(pk, 32, h);
	sodium_bin2hex(out, RDB_KEY_ID_LEN + 1, h, RDB_KEY_ID_LEN / 2);
}

/* With block 0 in mem: geometry, root, signature, sections.  All constant time. */
static int open_common(struct rdb *db, const struct rdb_open_opts *o, const char *name,
		       char *errbuf, size_t errlen)
{
	const struct rdb_header *h = &db->h;
	uint64_t total, top, data_end;
	size_t bs;
	uint8_t root[RDB_HASH_LEN];
	bool seen[_RDB_SEC_MAX] = { false };
	int r;

	memcpy(&db->h, db->b0, sizeof(db->h));
	bs = (size_t)1 << h->block_shift;
	db->shift = h->block_shift;
	db->n_blocks = db->size >> db->shift;
	if (h->data_blocks == 0 || h->data_blocks >= db->n_blocks)
		return BAD("data blocks %llu out of range", (unsigned long long)h->data_blocks);
	db->n_levels = rdb_tree_levels(h->data_blocks, db->shift, db->level_blocks);
	if (db->n_levels == 0 || db->n_levels != h->tree_levels)
		return BAD("hash tree of %u levels, %u expected for %llu blocks", h->tree_levels,
			   db->n_levels, (unsigned long long)h->data_blocks);
	total = 1 + h->data_blocks;
	for (unsigned int k = 0; k < db->n_levels; k++) {
		db->level_start[k] = total;
		total += db->level_blocks[k];
	}
	if (total != db->n_blocks)
		return BAD("%llu blocks, the layout needs %llu", (unsigned long long)db->n_blocks,
			   (unsigned long long)total);
	db->present = calloc((db->n_blocks + 63) / 64, sizeof(uint64_t));
	if (!db->present)
		return -ENOMEM;
	top = db->level_start[db->n_levels - 1];
	db->top_block = top;
	if (db->own_b0_top) {
		db->top = malloc(bs);
		if (!db->top)
			return -ENOMEM;
		r = read_at(db, db->top, bs, top << db->shift);
		if (r < 0)
			return copy_error(db, errbuf, errlen, r);
	} else {
		db->top = db->mem + (top << db->shift);
	}
	rdb_root_hash(db->b0, db->top, db->shift, root);
	if (memcmp(root, h->root, RDB_HASH_LEN) != 0)
		return BAD("root hash does not match (file damaged or altered)");
	set_present(db, 0);
	set_present(db, top);

	if (!all_zero(h->signer_key, sizeof(h->signer_key))) {
		uint8_t msg[sizeof(RDB_SIGN_CONTEXT) - 1 + RDB_HASH_LEN];

		memcpy(msg, RDB_SIGN_CONTEXT, sizeof(RDB_SIGN_CONTEXT) - 1);
		memcpy(msg + sizeof(RDB_SIGN_CONTEXT) - 1, h->root, RDB_HASH_LEN);
		key_id_of(h->signer_key, db->key_id);
		if (crypto_sign_verify_detached(h->signature, msg, sizeof(msg), h->signer_key) != 0)
			return BAD(
				"signature of key %s does not verify (file altered after signing)",
				db->key_id);
		db->signer = RDB_SIGNER_UNTRUSTED;
		if (o && o->trust) {
			const char *who = rdb_trust_find(o->trust, h->signer_key);

			if (who) {
				db->signer = RDB_SIGNER_TRUSTED;
				db->signer_name = strdup(who);
				if (!db->signer_name)
					return -ENOMEM;
			}
		}
	} else if (!all_zero(h->signature, sizeof(h->signature))) {
		return BAD("a signature without a signer key");
	}
	if (o && (o->flags & RDB_OPEN_REQUIRE_SIGNATURE)) {
		if (db->signer == RDB_SIGNER_NONE)
			return fail(errbuf, errlen, name, -EKEYREJECTED,
				    "not signed, and a signature is required (require_signature)");
		if (db->signer != RDB_SIGNER_TRUSTED)
			return fail(errbuf, errlen, name, -EKEYREJECTED,
				    "signed by key %s, which is not a trusted key", db->key_id);
	}

	if (h->section_size < sizeof(struct rdb_section) || h->n_sections > RDB_MAX_SECTIONS ||
		h->section_table % RDB_ALIGN || h->section_table < h->header_size ||
		h->section_table > bs ||
		(uint64_t)h->n_sections * h->section_size > bs - h->section_table)
		return BAD("section table out of bounds");
	data_end = (1 + h->data_blocks) << db->shift;
	for (uint32_t i = 0; i < h->n_sections; i++) {
		struct rdb_section st;
		struct rdb_sec *x;

		/* section_size may exceed the struct (later additions): read what we know */
		memcpy(&st, db->b0 + h->section_table + (size_t)i * h->section_size, sizeof(st));
		if (st.id == 0 || st.id >= _RDB_SEC_MAX)
			continue;	/* sections of later minor additions are skipped */
		if (seen[st.id])
			return BAD("section %s given twice", sec_spec[st.id].name);
		seen[st.id] = true;
		if (st.entry_size < sec_spec[st.id].size ||
		    (sec_spec[st.id].exact ? st.entry_size != sec_spec[st.id].size
					   : st.entry_size % RDB_ALIGN != 0))
			return BAD("section %s: record size %u, expected %u", sec_spec[st.id].name,
				   st.entry_size, sec_spec[st.id].size);
		/* aligned, so every record is read at its natural alignment (no unaligned loads) */
		if (st.offset % RDB_ALIGN || st.offset < bs || st.offset > data_end ||
		    st.count > (data_end - st.offset) / st.entry_size)
			return BAD(
				"section %s out of bounds (offset %llu, %llu records of %u bytes)",
				sec_spec[st.id].name, (unsigned long long)st.offset,
				(unsigned long long)st.count, st.entry_size);
		if (st.count >= UINT32_MAX)
			return BAD("section %s: too many records", sec_spec[st.id].name);
		x = &db->sec[st.id];
		x->off = st.offset;
		x->count = st.count;
		x->stride = st.entry_size;
		x->name = sec_spec[st.id].name;
	}
	for (int i = 1; i < _RDB_SEC_MAX; i++)
		if (!seen[i] && i != RDB_SEC_CAMPAIGN_BITS)
			return BAD("section %s missing", sec_spec[i].name);
	if (db->sec[RDB_SEC_STRINGS].count == 0)
		return BAD("string table empty");
	if (h->n_campaigns != db->sec[RDB_SEC_CAMPAIGNS].count ||
	    (seen[RDB_SEC_CAMPAIGN_BITS] &&
	     db->sec[RDB_SEC_CAMPAIGN_BITS].count != db->sec[RDB_SEC_CAMPAIGNS].count) ||
	    h->n_listed_vins < db->sec[RDB_SEC_VIN_ENTRIES].count)
		return BAD("header counts disagree with the sections");
	/* bucket offsets are 32-bit word numbers (rdb-format.h) */
	if (db->sec[RDB_SEC_VIN_BUCKETS].count < 2 ||
	    db->sec[RDB_SEC_VIN_BUCKETS].count - 1 > UINT32_MAX ||
	    db->sec[RDB_SEC_VIN_GROUPS].count > UINT32_MAX)
		return BAD("VIN bucket index of %llu entries for %llu words",
			   (unsigned long long)db->sec[RDB_SEC_VIN_BUCKETS].count,
			   (unsigned long long)db->sec[RDB_SEC_VIN_GROUPS].count);
	if (o && (o->flags & RDB_OPEN_VERIFY_ALL))
		return rdb_verify_all(db, errbuf, errlen);
	return 0;
}

#define HUGE_PAGE ((size_t)2 << 20)

/*
 * Anonymous memory for the file's bytes: costs nothing until a block is read into it, and cannot
 * SIGBUS.  When everything will be read (RDB_OPEN_VERIFY_ALL) it is aligned to 2 MiB, so all of it
 * can be held in transparent huge pages: a lookup's random steps over 100 MB then miss the cache
 * but not the TLB as well.  (A lazy handle skips that: two munmaps would be most of its open.)
 */
static int map_anon(struct rdb *db, bool huge)
{
	size_t len = db->size + (huge && db->size >= HUGE_PAGE ? HUGE_PAGE : 0);
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0), *a;

	if (m == MAP_FAILED)
		return -errno;
	a = m;
	if (len > db->size) {
		a = (uint8_t *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
		uint8_t *end = a + ((db->size + 4095) & ~(size_t)4095);

		if (a > m)
			munmap(m, (size_t)(a - m));
		if (end < m + len)
			munmap(end, (size_t)(m + len - end));
	}
	db->mem = a;
	db->own = true;
	return 0;
}

static struct rdb *db_new(const char *path)
{
	struct rdb *db = calloc(1, sizeof(*db));

	if (!db)
		return NULL;
	db->fd = -1;
	if (path && !(db->path = strdup(path))) {
		free(db);
		return NULL;
	}
	return db;
}

struct rdb *rdb_close(struct rdb *db)
{
	if (!db)
		return NULL;
	if (db->own && db->mem)
		munmap(db->mem, db->size);
	if (db->fd >= 0)
		close(db->fd);
	free(db->present);
	if (db->own_b0_top) {
		free(db->b0);
		free(db->top);
	}
	free(db->path);
	free(db->signer_name);
	free(db);
	return NULL;
}

int rdb_open_buffer_with(const void *buf, size_t len, const struct rdb_open_opts *o,
			 struct rdb **ret_db, char *errbuf, size_t errlen)
{
	struct rdb_header h = { 0 };
	struct rdb *db;
	int r;

	if (!ret_db || (!buf && len))
		return -EINVAL;
	if (((uintptr_t)buf % RDB_ALIGN) != 0)
		return fail(errbuf, errlen, "(buffer)", -EINVAL, "buffer not 8-byte aligned");
	if (sodium_init() < 0)
		return fail(errbuf, errlen, "(buffer)", -ENOSYS, "libsodium cannot start");
	memcpy(&h, buf, len < sizeof(h) ? len : sizeof(h));
	r = check_header(&h, len, "(buffer)", errbuf, errlen);
	if (r < 0)
		return r;
	db = db_new(NULL);
	if (!db)
		return -ENOMEM;
	/* never written through: blocks of a buffer are only checked, not read */
	db->mem = (uint8_t *)(uintptr_t)buf;
	db->b0 = db->mem;
	db->size = len;
	r = open_common(db, o, "(buffer)", errbuf, errlen);
	if (r < 0) {
		rdb_close(db);
		return r;
	}
	*ret_db = db;
	return 0;
}

int rdb_open_buffer(const void *buf, size_t len, struct rdb **ret_db, char *errbuf,
		    size_t errlen)
{
	return rdb_open_buffer_with(buf, len, NULL, ret_db, errbuf, errlen);
}

int rdb_open_with(const char *path, const struct rdb_open_opts *o, struct rdb **ret_db,
		  char *errbuf, size_t errlen)
{
	struct rdb_header h = { 0 };
	struct rdb *db;
	ssize_t n;
	int r;

	if (!path || !ret_db)
		return -EINVAL;
	if (sodium_init() < 0)
		return fail(errbuf, errlen, path, -ENOSYS, "libsodium cannot start");
	db = db_new(path);
	if (!db)
		return -ENOMEM;
	/* never blocks on a FIFO or device at the path: refused as not a regular file below */
	db->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (db->fd < 0 || fstat(db->fd, &db->st) < 0) {
		r = fail(errbuf, errlen, path, -errno, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(db->st.st_mode)) {
		r = fail(errbuf, errlen, path, -EMEDIUMTYPE, "not a regular file");
		goto fail;
	}
	do
		n = pread(db->fd, &h, sizeof(h), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r = fail(errbuf, errlen, path, -errno, "%s", strerror(errno));
		goto fail;
	}
	r = check_header(&h, n < (ssize_t)sizeof(h) ? (uint64_t)n : (uint64_t)db->st.st_size, path,
			 errbuf, errlen);
	if (r < 0)
		goto fail;
	db->size = (size_t)db->st.st_size;
	r = map_anon(db, o && (o->flags & RDB_OPEN_VERIFY_ALL));
	if (r < 0) {
		r = fail(errbuf, errlen, path, r, "cannot map: %s", strerror(-r));
		goto fail;
	}
	db->own_b0_top = true;
	db->b0 = malloc((size_t)1 << h.block_shift);
	if (!db->b0) {
		r = -ENOMEM;
		goto fail;
	}
	r = read_at(db, db->b0, (size_t)1 << h.block_shift, 0);
	if (r < 0) {
		r = copy_error(db, errbuf, errlen, r);
		goto fail;
	}
	r = open_common(db, o, path, errbuf, errlen);
	if (r < 0)
		goto fail;
	db->err = 0;
	*ret_db = db;
	return 0;
fail:
	rdb_close(db);
	return r;
}

int rdb_open(const char *path, struct rdb **ret_db, char *errbuf, size_t errlen)
{
	return rdb_open_with(path, NULL, ret_db, errbuf, errlen);
}

/* ---- facts ---------------------------------------------------------------------------------- */

size_t rdb_campaign_count(const struct rdb *db)
{
	return db ? db->sec[RDB_SEC_CAMPAIGNS].count : 0;
}

uint64_t rdb_listed_vin_count(const struct rdb *db)
{
	return db ? db->h.n_listed_vins : 0;
}

const char *rdb_tool_version(const struct rdb *db)
{
	return db ? db->h.tool_version : NULL;
}

uint64_t rdb_checksum(const struct rdb *db)
{
	uint64_t v;

	if (!db)
		return 0;
	memcpy(&v, db->h.root, sizeof(v));
	return v;
}

const char *rdb_signer_state_name(enum rdb_signer_state s)
{
	switch (s) {
	case RDB_SIGNER_NONE:
		return "none";
	case RDB_SIGNER_TRUSTED:
		return "trusted";
	case RDB_SIGNER_UNTRUSTED:
		return "untrusted";
	}
	return NULL;
}

int rdb_get_info(const struct rdb *db, struct rdb_info *ret)
{
	if (!db || !ret)
		return -EINVAL;
	*ret = (struct rdb_info){
		.path = db->path ? db->path : "(buffer)",
		.file_size = db->size,
		.n_campaigns = db->sec[RDB_SEC_CAMPAIGNS].count,
		.n_listed_vins = db->h.n_listed_vins,
		.tool_version = db->h.tool_version,
		.signer = db->signer,
		.signer_name = db->signer_name ? db->signer_name : "",
		.verified_all = db->all,
	};
	sodium_bin2hex(ret->checksum, sizeof(ret->checksum), db->h.root, RDB_HASH_LEN);
	memcpy(ret->key_id, db->key_id, sizeof(ret->key_id));
	return 0;
}

int rdb_campaign_get(const struct rdb *db, uint32_t index, struct rdb_campaign *ret)
{
	const struct rdb_campaign_rec *c;
	const char *s[RDB_S_COUNT];

	if (!db || !ret)
		return -EINVAL;
	if (index >= db->sec[RDB_SEC_CAMPAIGNS].count)
		return -ERANGE;
	c = rdb_camp_at(db, index);
	if (!c)
		return db->err;
	for (int k = 0; k < RDB_S_COUNT; k++) {
		s[k] = rdb_str(db, c->str[k]);
		if (!s[k])
			return db->err;
	}
	if (c->remedy_kind > RDB_REMEDY_INSPECTION || c->recognition > RDB_RECOG_WORKSHOP_SYSTEM)
		return rdb_bad(db, "campaign %u: unknown enumeration value", index);
	*ret = (struct rdb_campaign){
		.id = s[RDB_S_ID],
		.title = s[RDB_S_TITLE],
		.make = s[RDB_S_MAKE],
		.kba = s[RDB_S_KBA],
		.nhtsa = s[RDB_S_NHTSA],
		.defect = s[RDB_S_DEFECT],
		.remedy = s[RDB_S_REMEDY],
		.cost = s[RDB_S_COST],
		.labour = s[RDB_S_LABOUR],
		.recognition_text = s[RDB_S_RECOG],
		.hotline = s[RDB_S_HOTLINE],
		.extends = s[RDB_S_EXTENDS],
		.supersedes = s[RDB_S_SUPERSEDES],
		.remedy_kind = (enum rdb_remedy_kind)c->remedy_kind,
		.recognition = (enum rdb_recognition)c->recognition,
		.start_date = c->start_date,
		.do_not_drive = c->flags & RDB_CF_DO_NOT_DRIVE,
		.park_outside = c->flags & RDB_CF_PARK_OUTSIDE,
	};
	return 0;
}

const char *rdb_verdict_name(enum rdb_verdict v)
{
	static const char *const names[] = {
		[RDB_VERDICT_OPEN] = "open", [RDB_VERDICT_INSPECT] = "inspect",
		[RDB_VERDICT_REMEDIED] = "remedied", [RDB_VERDICT_NOT_AFFECTED] = "not_affected",
		[RDB_VERDICT_UNDETERMINED] = "undetermined",
	};

	return (unsigned int)v < _RDB_VERDICT_MAX ? names[v] : NULL;
}

const char *rdb_remedy_kind_name(enum rdb_remedy_kind k)
{
	static const char *const names[] = {
		[RDB_REMEDY_NONE] = "", [RDB_REMEDY_WORKSHOP] = "workshop",
		[RDB_REMEDY_OTA] = "ota", [RDB_REMEDY_INSPECTION] = "inspection",
	};

	return (unsigned int)k <= RDB_REMEDY_INSPECTION ? names[k] : NULL;
}

const char *rdb_recognition_name(enum rdb_recognition r)
{
	static const char *const names[] = {
		[RDB_RECOG_NONE] = "",
		[RDB_RECOG_MANUFACTURER_DIAG] = "manufacturer_diagnosis",
		[RDB_RECOG_VEHICLE_DIAG] = "vehicle_diagnosis",
		[RDB_RECOG_HOTLINE] = "hotline",
		[RDB_RECOG_WORKSHOP_SYSTEM] = "workshop_system",
	};

	return (unsigned int)r <= RDB_RECOG_WORKSHOP_SYSTEM ? names[r] : NULL;
}

/* ---- writing -------------------------------------------------------------------------------- */

int rdb_write_file(const char *path, const void *buf, size_t len)
{
	char *tmp = NULL;
	size_t off = 0;
	int fd = -1, r;

	if (!path || (!buf && len))
		return -EINVAL;
	if (sodium_init() < 0)
		return -ENOSYS;
	/* open(O_CREAT, 0666) lets the kernel apply the umask (and a default ACL), as for any file
	 * a tool creates; mkstemp's 0600 and a fixed chmod would both ignore it */
	for (int tries = 0; fd < 0; tries++) {
		uint8_t rnd[6];
		char hex[13];

		free(tmp);
		tmp = NULL;
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
		if (asprintf(&tmp, "%s.tmp%s", path, hex) < 0) {
			tmp = NULL;
			return -ENOMEM;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && (errno != EEXIST || tries > 100)) {
			r = -errno;
			free(tmp);
			return r;
		}
	}
	while (off < len) {
		ssize_t n = write(fd, (const uint8_t *)buf + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		off += (size_t)n;
	}
	/* readers see either the old database or the whole new one, also after a power cut */
	if (fsync(fd) < 0) {
		r = -errno;
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		r = -errno;
		goto out;
	}
	free(tmp);
	return 0;
out:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return r;
}
