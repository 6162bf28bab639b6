/* SPDX-License-Identifier: MIT */
/*
 * Loading a recall database: map it, then check everything once — header, checksum, every
 * section's bounds and alignment, every string offset, node reference, index range and campaign
 * number — so that matching (match.c) can trust the file without a single bounds check more.
 * hwdb.bin checked only its header at open; a damaged file then read out of bounds later.
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

#include <xxhash.h>

#include "rules/rdb-handle.h"
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

static const struct {
	uint32_t id;
	uint32_t min_size;		/* fixed-size arrays must match exactly */
	bool exact;
	const char *name;
} sec_spec[_RDB_SEC_MAX] = {
	[RDB_SEC_STRINGS] = { RDB_SEC_STRINGS, 1, true, "strings" },
	[RDB_SEC_CAMPAIGNS] = { RDB_SEC_CAMPAIGNS, sizeof(struct rdb_campaign_rec), false,
				"campaigns" },
	[RDB_SEC_NODES] = { RDB_SEC_NODES, sizeof(struct rdb_node), false, "nodes" },
	[RDB_SEC_ARGS] = { RDB_SEC_ARGS, 4, true, "arguments" },
	[RDB_SEC_WMI_INDEX] = { RDB_SEC_WMI_INDEX, sizeof(struct rdb_wmi_ent), true, "WMI index" },
	[RDB_SEC_CANDIDATES] = { RDB_SEC_CANDIDATES, 4, true, "candidates" },
	[RDB_SEC_GENERIC] = { RDB_SEC_GENERIC, 4, true, "generic campaigns" },
	[RDB_SEC_VIN_SLOTS] = { RDB_SEC_VIN_SLOTS, sizeof(struct rdb_slot), true, "VIN hash table" },
	[RDB_SEC_SUFFIXES] = { RDB_SEC_SUFFIXES, 4, true, "VIN suffixes" },
	[RDB_SEC_REFS] = { RDB_SEC_REFS, 4, true, "VIN references" },
};

#define BAD(...) fail(errbuf, errlen, name, -EBADMSG, __VA_ARGS__)

static bool ascending(const uint32_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i - 1] >= v[i])
			return false;
	return true;
}

static int validate(struct rdb *db, const char *name, char *errbuf, size_t errlen)
{
	const uint8_t *base = db->base;
	const struct rdb_header *h = db->base;
	const struct rdb_section *st;
	const void *sec[_RDB_SEC_MAX] = { 0 };
	uint64_t cnt[_RDB_SEC_MAX] = { 0 }, stride[_RDB_SEC_MAX] = { 0 };
	uint64_t sum;
	uint8_t *depth = NULL, *used = NULL;
	int r;

	if (db->size < 8 || memcmp(h->magic, RDB_MAGIC, 8) != 0)
		return fail(errbuf, errlen, name, -EMEDIUMTYPE, "not a recall database (wrong magic)");
	if (db->size < sizeof(*h))
		return BAD("truncated: %zu bytes, the header alone is %zu", db->size, sizeof(*h));
	if (h->format_version > RDB_FORMAT_VERSION)
		return fail(errbuf, errlen, name, -EPROTONOSUPPORT,
			    "format version %u is newer than this reader (%u): update recalld",
			    h->format_version, RDB_FORMAT_VERSION);
	if (h->format_version < RDB_FORMAT_VERSION)
		return fail(errbuf, errlen, name, -EPROTONOSUPPORT,
			    "format version %u is older than this reader (%u): compile the rules "
			    "again with recallc", h->format_version, RDB_FORMAT_VERSION);
	if (h->header_size < sizeof(*h) || h->header_size > db->size)
		return BAD("header size %u out of range", h->header_size);
	if (h->file_size != db->size)
		return BAD("truncated or extended: header says %llu bytes, file has %zu",
			   (unsigned long long)h->file_size, db->size);
	if (memchr(h->tool_version, 0, sizeof(h->tool_version)) == NULL)
		return BAD("tool version not terminated");
	{
		/* checksum over the file with the checksum field read as zero */
		XXH3_state_t *s = XXH3_createState();
		static const uint8_t zero[8];
		size_t off = offsetof(struct rdb_header, checksum);

		if (!s)
			return -ENOMEM;
		XXH3_64bits_reset(s);
		XXH3_64bits_update(s, base, off);
		XXH3_64bits_update(s, zero, 8);
		XXH3_64bits_update(s, base + off + 8, db->size - off - 8);
		sum = XXH3_64bits_digest(s);
		XXH3_freeState(s);
		if (sum != h->checksum)
			return BAD("checksum mismatch (file damaged): stored %016llx, computed %016llx",
				   (unsigned long long)h->checksum, (unsigned long long)sum);
	}
	if (h->section_size < sizeof(struct rdb_section) || h->n_sections > 1024 ||
	    h->section_table % RDB_ALIGN || h->section_table > db->size ||
	    (uint64_t)h->n_sections * h->section_size > db->size - h->section_table)
		return BAD("section table out of bounds");
	for (uint32_t i = 0; i < h->n_sections; i++) {
		st = (const struct rdb_section *)(base + h->section_table + (size_t)i * h->section_size);
		if (st->id == 0 || st->id >= _RDB_SEC_MAX)
			continue;	/* sections of later minor additions are skipped */
		if (sec[st->id])
			return BAD("section %s given twice", sec_spec[st->id].name);
		if (st->entry_size < sec_spec[st->id].min_size ||
		    (!sec_spec[st->id].exact && st->entry_size % 4) ||
		    (sec_spec[st->id].exact && st->entry_size != sec_spec[st->id].min_size))
			return BAD("section %s: record size %u, expected %u", sec_spec[st->id].name,
				   st->entry_size, sec_spec[st->id].min_size);
		if (st->offset % RDB_ALIGN || st->offset < h->header_size || st->offset > db->size ||
		    st->count > (db->size - st->offset) / st->entry_size)
			return BAD("section %s out of bounds (offset %llu, %llu records of %u bytes)",
				   sec_spec[st->id].name, (unsigned long long)st->offset,
				   (unsigned long long)st->count, st->entry_size);
		if (st->count >= UINT32_MAX)
			return BAD("section %s: too many records", sec_spec[st->id].name);
		sec[st->id] = base + st->offset;
		cnt[st->id] = st->count;
		stride[st->id] = st->entry_size;
	}
	for (int i = 1; i < _RDB_SEC_MAX; i++)
		if (!sec[i])
			return BAD("section %s missing", sec_spec[i].name);

	db->strings = sec[RDB_SEC_STRINGS];
	db->n_strings = cnt[RDB_SEC_STRINGS];
	db->camps = sec[RDB_SEC_CAMPAIGNS];
	db->n_camps = (uint32_t)cnt[RDB_SEC_CAMPAIGNS];
	db->camp_stride = (uint32_t)stride[RDB_SEC_CAMPAIGNS];
	db->nodes = sec[RDB_SEC_NODES];
	db->n_nodes = (uint32_t)cnt[RDB_SEC_NODES];
	db->node_stride = (uint32_t)stride[RDB_SEC_NODES];
	db->args = sec[RDB_SEC_ARGS];
	db->n_args = (uint32_t)cnt[RDB_SEC_ARGS];
	db->wmi = sec[RDB_SEC_WMI_INDEX];
	db->n_wmi = (uint32_t)cnt[RDB_SEC_WMI_INDEX];
	db->cand = sec[RDB_SEC_CANDIDATES];
	db->n_cand = (uint32_t)cnt[RDB_SEC_CANDIDATES];
	db->generic = sec[RDB_SEC_GENERIC];
	db->n_generic = (uint32_t)cnt[RDB_SEC_GENERIC];
	db->slots = sec[RDB_SEC_VIN_SLOTS];
	db->n_slots = (uint32_t)cnt[RDB_SEC_VIN_SLOTS];
	db->suffixes = sec[RDB_SEC_SUFFIXES];
	db->refs = sec[RDB_SEC_REFS];
	db->n_vins = (uint32_t)cnt[RDB_SEC_SUFFIXES];

	if (db->n_strings == 0 || db->strings[0] != 0 || db->strings[db->n_strings - 1] != 0)
		return BAD("string table not NUL-terminated");
	if (h->n_campaigns != db->n_camps || h->n_listed_vins != db->n_vins)
		return BAD("header counts disagree with the sections");
	if (cnt[RDB_SEC_REFS] != db->n_vins || db->n_slots == 0)
		return BAD("VIN sections disagree in size");

	/*
	 * nodes: children come first, so one forward pass computes every depth.  And every node has
	 * one parent, as the compiler builds them: a node shared by both operands of each of 60
	 * nested ands would make one match evaluate 2^60 nodes.
	 */
	depth = malloc(db->n_nodes + 1);
	used = calloc(db->n_nodes + 1, 1);
	if (!depth || !used) {
		free(depth);
		free(used);
		return -ENOMEM;
	}
	r = 0;
	for (uint32_t i = 0; i < db->n_nodes && !r; i++) {
		const struct rdb_node *n = rdb_node_at(db, i);
		unsigned int d = 1;

		switch (n->op) {
		case RDB_OP_TRUE:
		case RDB_OP_FALSE:
		case RDB_OP_UNKNOWN:
		case RDB_OP_ECU_PRESENT:
			break;
		case RDB_OP_AND:
		case RDB_OP_OR:
			if (n->b == 0 || n->a > db->n_args || n->b > db->n_args - n->a) {
				r = BAD("node %u: operands out of bounds", i);
				break;
			}
			for (uint32_t k = 0; k < n->b; k++) {
				uint32_t ch = db->args[n->a + k];

				if (ch >= i) {
					r = BAD("node %u: operand %u is not an earlier node", i, ch);
					break;
				}
				if (used[ch]++) {
					r = BAD("node %u: operand %u has another parent", i, ch);
					break;
				}
				if (depth[ch] + 1u > d)
					d = depth[ch] + 1u;
			}
			break;
		case RDB_OP_NOT:
			if (n->a >= i) {
				r = BAD("node %u: operand is not an earlier node", i);
				break;
			}
			if (used[n->a]++) {
				r = BAD("node %u: operand %u has another parent", i, n->a);
				break;
			}
			d = depth[n->a] + 1u;
			break;
		case RDB_OP_WMI_IN:
			if (n->a > db->n_args || n->b > db->n_args - n->a) {
				r = BAD("node %u: WMI set out of bounds", i);
				break;
			}
			for (uint32_t k = 0; k < n->b; k++)
				if (db->args[n->a + k] >= 33 * 33 * 33)
					r = BAD("node %u: invalid packed WMI", i);
			break;
		case RDB_OP_VIN_PAT:
			if (n->a >= VIN_LEN || n->b == 0 || n->b > VIN_LEN - n->a ||
			    n->c >= db->n_strings || strlen(db->strings + n->c) != n->b)
				r = BAD("node %u: VIN pattern out of bounds", i);
			break;
		case RDB_OP_SERIAL:
		case RDB_OP_MODEL_YEAR:
		case RDB_OP_BUILD_DATE:
			if (n->a > n->b)
				r = BAD("node %u: empty range", i);
			break;
		case RDB_OP_DID_CMP:
			if (n->cmp > RDB_CMP_GE || n->c >= db->n_strings)
				r = BAD("node %u: comparison out of bounds", i);
			break;
		case RDB_OP_DID_IN:
			if (n->b > db->n_args || n->c > db->n_args - n->b) {
				r = BAD("node %u: value set out of bounds", i);
				break;
			}
			for (uint32_t k = 0; k < n->c; k++)
				if (db->args[n->b + k] >= db->n_strings)
					r = BAD("node %u: value string out of bounds", i);
			break;
		default:
			r = BAD("node %u: unknown operation %u", i, n->op);
			break;
		}
		if (!r && d >= RDB_MAX_DEPTH)
			r = BAD("node %u: nested deeper than %d", i, RDB_MAX_DEPTH);
		depth[i] = (uint8_t)d;
	}
	free(depth);
	free(used);
	if (r)
		return r;

	for (uint32_t i = 0; i < db->n_camps; i++) {
		const struct rdb_campaign_rec *c = rdb_camp_at(db, i);

		for (int k = 0; k < RDB_S_COUNT; k++)
			if (c->str[k] >= db->n_strings)
				return BAD("campaign %u: text out of bounds", i);
		if ((c->affected != RDB_NONE && c->affected >= db->n_nodes) ||
		    (c->remedied != RDB_NONE && c->remedied >= db->n_nodes) ||
		    (c->inspect != RDB_NONE && c->inspect >= db->n_nodes))
			return BAD("campaign %u: condition out of bounds", i);
		if (c->bd_format > RDB_BD_ASCII || c->remedy_kind > RDB_REMEDY_INSPECTION ||
		    c->recognition > RDB_RECOG_WORKSHOP_SYSTEM)
			return BAD("campaign %u: unknown enumeration value", i);
		if (i > 0 && strcmp(db->strings + rdb_camp_at(db, i - 1)->str[RDB_S_ID],
				    db->strings + c->str[RDB_S_ID]) >= 0)
			return BAD("campaigns not sorted by id");
	}
	for (uint32_t i = 0; i < db->n_wmi; i++) {
		const struct rdb_wmi_ent *w = &db->wmi[i];

		if (w->start > db->n_cand || w->count > db->n_cand - w->start ||
		    w->wmi >= RDB_KEY_MAX || (i > 0 && db->wmi[i - 1].wmi >= w->wmi))
			return BAD("WMI index entry %u out of bounds or unsorted", i);
		if (!ascending(db->cand + w->start, w->count))
			return BAD("WMI index entry %u: campaigns unsorted", i);
	}
	for (uint32_t i = 0; i < db->n_cand; i++)
		if (db->cand[i] >= db->n_camps)
			return BAD("candidate %u: campaign out of bounds", i);
	if (!ascending(db->generic, db->n_generic))
		return BAD("generic campaigns unsorted");
	for (uint32_t i = 0; i < db->n_generic; i++)
		if (db->generic[i] >= db->n_camps)
			return BAD("generic campaign out of bounds");
	{
		uint64_t empty = 0;

		for (uint32_t i = 0; i < db->n_slots; i++) {
			const struct rdb_slot *g = &db->slots[i];

			if (g->key == RDB_SLOT_EMPTY) {
				empty++;
				if (g->start || g->count)
					return BAD("VIN hash slot %u: empty but not zero", i);
			} else if (g->key >= RDB_PREFIX_LIMIT || g->start > db->n_vins ||
				   g->count > db->n_vins - g->start || g->count == 0) {
				return BAD("VIN hash slot %u out of bounds", i);
			}
		}
		/* a probe stops at an empty slot: without one, a miss would never end */
		if (empty == 0)
			return BAD("VIN hash table has no empty slot");
	}
	{
		/*
		 * Every key must be found where a probe looks: its home slot, then on without an
		 * empty slot in between; otherwise a listed VIN would silently read as unlisted.  In
		 * one pass from an empty slot: a key's home lies in its run of full slots, before it.
		 */
		uint32_t z = 0, run = 0, n = db->n_slots;
		uint8_t *starts = calloc((size_t)db->n_vins / 8 + 1, 1);

		if (!starts)
			return -ENOMEM;
		while (db->slots[z].key != RDB_SLOT_EMPTY)
			z++;
		for (uint32_t step = 1; step <= n; step++) {
			uint32_t i = (uint32_t)(((uint64_t)z + step) % n), home;
			const struct rdb_slot *g = &db->slots[i];

			if (g->key == RDB_SLOT_EMPTY) {
				run = step;	/* the next run starts after this slot */
				continue;
			}
			home = rdb_slot_home(g->key, n);
			/* cyclic distances from the run's start (the slot z + run + 1) */
			if ((uint32_t)(((uint64_t)home + n - (z + run + 1) % n) % n) >
			    (uint32_t)(((uint64_t)i + n - (z + run + 1) % n) % n)) {
				free(starts);
				return BAD("VIN hash slot %u: not reachable from its home slot %u", i,
					   home);
			}
			starts[g->start / 8] |= (uint8_t)(1u << (g->start % 8));
		}
		/*
		 * Groups in order, in one sequential pass over the entries (visiting them group by
		 * group, in slot order, costs a cache miss per group): the compiler lays the groups
		 * out one after the other, so an entry that starts no group continues the one before.
		 */
		for (uint32_t e = 1; e < db->n_vins && !r; e++)
			if (!(starts[e / 8] & (1u << (e % 8))) &&
			    (db->suffixes[e - 1] > db->suffixes[e] ||
			     (db->suffixes[e - 1] == db->suffixes[e] && db->refs[e - 1] >= db->refs[e])))
				r = BAD("VIN entry %u: group not in order", e);
		free(starts);
		if (r)
			return r;
	}
	for (uint32_t i = 0; i < db->n_vins; i++)
		if ((db->refs[i] >> 1) >= db->n_camps)
			return BAD("listed VIN %u: campaign out of bounds", i);
	db->hdr = h;
	return 0;
}

int rdb_open_buffer(const void *buf, size_t len, struct rdb **ret_db, char *errbuf,
		    size_t errlen)
{
	struct rdb *db;
	int r;

	if (!ret_db || (!buf && len))
		return -EINVAL;
	if (((uintptr_t)buf % RDB_ALIGN) != 0)
		return fail(errbuf, errlen, "(buffer)", -EINVAL, "buffer not 8-byte aligned");
	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->base = buf;
	db->size = len;
	r = validate(db, "(buffer)", errbuf, errlen);
	if (r < 0) {
		free(db);
		return r;
	}
	*ret_db = db;
	return 0;
}

int rdb_open(const char *path, struct rdb **ret_db, char *errbuf, size_t errlen)
{
	struct rdb *db = NULL;
	struct stat st;
	void *m;
	int fd, r;

	if (!path || !ret_db)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(errbuf, errlen, path, -errno, "%s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return fail(errbuf, errlen, path, r, "%s", strerror(-r));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(errbuf, errlen, path, -EMEDIUMTYPE, "not a regular file");
	}
	if (st.st_size < (off_t)sizeof(struct rdb_header)) {
		char magic[8] = { 0 };
		ssize_t n = read(fd, magic, sizeof(magic));

		close(fd);
		if (n < 8 || memcmp(magic, RDB_MAGIC, 8) != 0)
			return fail(errbuf, errlen, path, -EMEDIUMTYPE,
				    "not a recall database (wrong magic)");
		return fail(errbuf, errlen, path, -EBADMSG,
			    "truncated: %lld bytes, the header alone is %zu", (long long)st.st_size,
			    sizeof(struct rdb_header));
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	r = -errno;
	close(fd);
	if (m == MAP_FAILED)
		return fail(errbuf, errlen, path, r, "cannot map: %s", strerror(-r));
	db = calloc(1, sizeof(*db));
	if (!db) {
		munmap(m, (size_t)st.st_size);
		return -ENOMEM;
	}
	db->base = m;
	db->size = (size_t)st.st_size;
	db->mapped = true;
	r = validate(db, path, errbuf, errlen);
	if (r < 0) {
		munmap(m, db->size);
		free(db);
		return r;
	}
	*ret_db = db;
	return 0;
}

struct rdb *rdb_close(struct rdb *db)
{
	if (!db)
		return NULL;
	if (db->mapped)
		munmap((void *)(uintptr_t)db->base, db->size);
	free(db);
	return NULL;
}

size_t rdb_campaign_count(const struct rdb *db)
{
	return db ? db->n_camps : 0;
}

uint64_t rdb_listed_vin_count(const struct rdb *db)
{
	return db ? db->n_vins : 0;
}

const char *rdb_tool_version(const struct rdb *db)
{
	return db ? db->hdr->tool_version : NULL;
}

uint64_t rdb_checksum(const struct rdb *db)
{
	return db ? db->hdr->checksum : 0;
}

int rdb_campaign_get(const struct rdb *db, uint32_t index, struct rdb_campaign *ret)
{
	const struct rdb_campaign_rec *c;

	if (!db || !ret)
		return -EINVAL;
	if (index >= db->n_camps)
		return -ERANGE;
	c = rdb_camp_at(db, index);
	*ret = (struct rdb_campaign){
		.id = db->strings + c->str[RDB_S_ID],
		.title = db->strings + c->str[RDB_S_TITLE],
		.make = db->strings + c->str[RDB_S_MAKE],
		.kba = db->strings + c->str[RDB_S_KBA],
		.nhtsa = db->strings + c->str[RDB_S_NHTSA],
		.defect = db->strings + c->str[RDB_S_DEFECT],
		.remedy = db->strings + c->str[RDB_S_REMEDY],
		.cost = db->strings + c->str[RDB_S_COST],
		.labour = db->strings + c->str[RDB_S_LABOUR],
		.recognition_text = db->strings + c->str[RDB_S_RECOG],
		.hotline = db->strings + c->str[RDB_S_HOTLINE],
		.extends = db->strings + c->str[RDB_S_EXTENDS],
		.supersedes = db->strings + c->str[RDB_S_SUPERSEDES],
		.remedy_kind = (enum rdb_remedy_kind)c->remedy_kind,
		.recognition = (enum rdb_recognition)c->recognition,
		.start_date = c->start_date,
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

int rdb_write_file(const char *path, const void *buf, size_t len)
{
	char *tmp = NULL;
	size_t off = 0;
	int fd = -1, r;

	if (!path || (!buf && len))
		return -EINVAL;
	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
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
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
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
