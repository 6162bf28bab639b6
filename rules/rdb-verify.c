/* SPDX-License-Identifier: MIT */
/*
 * rdb_verify_all: the whole database at once — every block read and checked against the hash
 * tree, then the structure behind the hashes (what a lookup checks piecemeal where it reads).
 * The daemon does this at load and reload, off its check path; afterwards no access to the
 * handle makes a system call, and the handle is read-only (shareable with forked children).
 *
 * The structural checks are those a reader needs to give every lookup a bounded, meaningful
 * answer: one parent per expression node (a node shared by both operands of nested ands would
 * make one match evaluate 2^depth nodes), every VIN group in its bucket (else a listed VIN
 * reads as unlisted), ordered groups and candidate lists, strings that are text.  The matcher
 * checks each of these locally too, so a lazily opened database gets an error rather than a
 * wrong answer where a check is local, and a bounded one where it is not (rules/README.md).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rules/rdb-handle.h"
#include "rules/vin.h"

#define CHUNK (1u << 20)

static int out(const struct rdb *db, char *errbuf, size_t errlen, int r)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s", db->errmsg);
	return r;
}

static int read_run(struct rdb *db, uint64_t b, uint64_t n)
{
	size_t len = (size_t)(n << db->shift), got = 0;
	uint64_t off = b << db->shift;

	while (got < len) {
		ssize_t k = pread(db->fd, db->mem + off + got, len - got, (off_t)(off + got));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rdb_bad(db, "cannot read: %s", strerror(errno));
			db->err = -errno;
			return db->err;
		}
		if (k == 0) {
			rdb_bad(db, "changed on disk since it was opened (now shorter): replace "
				"databases with a rename, as recallc does, and reopen");
			db->err = -ESTALE;
			return -ESTALE;
		}
		got += (size_t)k;
	}
	return 0;
}

static int check_block(struct rdb *db, uint64_t b, const uint8_t *want)
{
	uint8_t got[RDB_HASH_LEN];

	rdb_hash(db->mem + (b << db->shift), (size_t)1 << db->shift, got);
	if (memcmp(got, want, RDB_HASH_LEN) != 0)
		return rdb_bad(db, "block %llu does not match its hash (file damaged, altered or "
			       "overwritten in place)", (unsigned long long)b);
	return 0;
}

static int verify_blocks(struct rdb *db)
{
	uint64_t per = ((uint64_t)1 << db->shift) / RDB_HASH_LEN;
	int r;

	if (db->fd >= 0) {
		/* runs of unread blocks, read in large pieces */
		for (uint64_t b = 0; b < db->n_blocks;) {
			uint64_t e = b;

			while (e < db->n_blocks && !rdb_present(db, e) &&
			       ((e - b + 1) << db->shift) <= CHUNK)
				e++;
			if (e == b) {
				b++;
				continue;
			}
			r = read_run(db, b, e - b);
			if (r < 0)
				return r;
			b = e;
		}
	}
	/* top down: each level against the one above (checked), then the data against level 0 */
	for (int lvl = (int)db->n_levels - 2; lvl >= -1; lvl--) {
		uint64_t first = lvl < 0 ? 1 : db->level_start[lvl];
		uint64_t n = lvl < 0 ? db->h.data_blocks : db->level_blocks[lvl];
		unsigned int up = (unsigned int)(lvl + 1);

		for (uint64_t i = 0; i < n; i++) {
			const uint8_t *want = rdb_tree_block(db, db->level_start[up] + i / per) +
					      (i % per) * RDB_HASH_LEN;

			if (rdb_present(db, first + i))
				continue;
			r = check_block(db, first + i, want);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

#define BAD(...) rdb_bad(db, __VA_ARGS__)

static int check_strings(struct rdb *db)
{
	const struct rdb_sec *x = &db->sec[RDB_SEC_STRINGS];
	const uint8_t *s = db->mem + x->off;
	uint64_t i = 0;

	if (s[0] != 0 || s[x->count - 1] != 0)
		return BAD("string table does not start and end with NUL");
	while (i < x->count) {
		size_t len = strlen((const char *)s + i);

		if (len > RDB_MAX_STRING)
			return BAD("string %llu longer than %d bytes", (unsigned long long)i,
				   RDB_MAX_STRING);
		if (rdb_text_check(s + i, len) != len)
			return BAD("string %llu is not UTF-8 text or holds a control character",
				   (unsigned long long)i);
		i += len + 1;
	}
	return 0;
}

/*
 * A reference to a string: check_strings checked the text of every string from its start, so a
 * reference must be a start too (recallc's are: strings are interned whole).  One into the middle
 * of a string could begin inside a UTF-8 sequence — text the lazy reader refuses — and the full
 * check would have passed what a lookup then fails on (found by fuzz-rdb-load).
 */
static bool str_ok(const struct rdb *db, uint32_t off)
{
	const uint8_t *s = db->mem + db->sec[RDB_SEC_STRINGS].off;

	return off < db->sec[RDB_SEC_STRINGS].count && (off == 0 || s[off - 1] == 0);
}

static bool ascending(const uint32_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i - 1] >= v[i])
			return false;
	return true;
}

static int check_node(struct rdb *db, uint32_t i, uint32_t lo, uint8_t *depth, uint8_t *used)
{
	const struct rdb_node *n = rdb_node_at(db, i);
	uint32_t n_args = (uint32_t)db->sec[RDB_SEC_ARGS].count;
	const uint32_t *args = (const uint32_t *)(db->mem + db->sec[RDB_SEC_ARGS].off);
	unsigned int d = 1;

	switch (n->op) {
	case RDB_OP_TRUE:
	case RDB_OP_FALSE:
	case RDB_OP_UNKNOWN:
	case RDB_OP_ECU_PRESENT:
		break;
	case RDB_OP_AND:
	case RDB_OP_OR:
		if (n->b == 0 || n->a > n_args || n->b > n_args - n->a)
			return BAD("node %u: operands out of bounds", i);
		for (uint32_t k = 0; k < n->b; k++) {
			uint32_t ch = args[n->a + k];

			if (ch >= i || ch < lo)
				return BAD("node %u: operand %u is not an earlier node of its "
					   "campaign",
					i, ch);
			if (used[ch - lo]++)
				return BAD("node %u: operand %u has another parent", i, ch);
			if (depth[ch - lo] + 1u > d)
				d = depth[ch - lo] + 1u;
		}
		break;
	case RDB_OP_NOT:
		if (n->a >= i || n->a < lo)
			return BAD("node %u: operand is not an earlier node of its campaign", i);
		if (used[n->a - lo]++)
			return BAD("node %u: operand %u has another parent", i, n->a);
		d = depth[n->a - lo] + 1u;
		break;
	case RDB_OP_WMI_IN:
		if (n->a > n_args || n->b > n_args - n->a)
			return BAD("node %u: WMI set out of bounds", i);
		for (uint32_t k = 0; k < n->b; k++)
			if (args[n->a + k] >= 33 * 33 * 33)
				return BAD("node %u: invalid packed WMI", i);
		break;
	case RDB_OP_VIN_PAT:
		if (n->a >= VIN_LEN || n->b == 0 || n->b > VIN_LEN - n->a || !str_ok(db, n->c) ||
		    strlen((const char *)db->mem + db->sec[RDB_SEC_STRINGS].off + n->c) != n->b)
			return BAD("node %u: VIN pattern out of bounds", i);
		break;
	case RDB_OP_SERIAL:
	case RDB_OP_MODEL_YEAR:
	case RDB_OP_BUILD_DATE:
		if (n->a > n->b)
			return BAD("node %u: empty range", i);
		break;
	case RDB_OP_DID_CMP:
		if (n->cmp > RDB_CMP_GE || !str_ok(db, n->c))
			return BAD("node %u: comparison out of bounds", i);
		break;
	case RDB_OP_DID_IN:
		if (n->b > n_args || n->c > n_args - n->b)
			return BAD("node %u: value set out of bounds", i);
		for (uint32_t k = 0; k < n->c; k++)
			if (!str_ok(db, args[n->b + k]))
				return BAD("node %u: value string out of bounds", i);
		break;
	default:
		return BAD("node %u: unknown operation %u", i, n->op);
	}
	if (d >= RDB_MAX_DEPTH)
		return BAD("node %u: nested deeper than %d", i, RDB_MAX_DEPTH);
	depth[i - lo] = (uint8_t)d;
	return 0;
}

static int check_campaigns(struct rdb *db)
{
	uint32_t n_camps = (uint32_t)db->sec[RDB_SEC_CAMPAIGNS].count;
	uint32_t n_nodes = (uint32_t)db->sec[RDB_SEC_NODES].count;
	uint8_t *owned = calloc((size_t)n_nodes / 8 + 1, 1), *depth = NULL, *used = NULL;
	size_t cap = 0;
	int r = 0;

	if (!owned)
		return -ENOMEM;
	for (uint32_t i = 0; i < n_camps && !r; i++) {
		const struct rdb_campaign_rec *c = rdb_camp_at(db, i);
		const uint32_t roots[] = { c->affected, c->remedied, c->inspect };

		const struct rdb_sec *cb = &db->sec[RDB_SEC_CAMPAIGN_BITS];

		for (int k = 0; k < RDB_S_COUNT && !r; k++)
			if (!str_ok(db, c->str[k]))
				r = BAD("campaign %u: text out of bounds or inside a string", i);
		if (!r && cb->count &&
		    db->mem[cb->off + i] != ((c->remedied != RDB_NONE ? RDB_CB_REMEDIED : 0) |
					     (c->inspect != RDB_NONE ? RDB_CB_INSPECT : 0)))
			r = BAD("campaign %u: its bits disagree with its record", i);
		if (r)
			break;
		if (c->bd_format > RDB_BD_ASCII || c->remedy_kind > RDB_REMEDY_INSPECTION ||
		    c->recognition > RDB_RECOG_WORKSHOP_SYSTEM) {
			r = BAD("campaign %u: unknown enumeration value", i);
			break;
		}
		if (i > 0 && strcmp((const char *)db->mem + db->sec[RDB_SEC_STRINGS].off +
				    rdb_camp_at(db, i - 1)->str[RDB_S_ID],
				    (const char *)db->mem + db->sec[RDB_SEC_STRINGS].off +
				    c->str[RDB_S_ID]) >= 0) {
			r = BAD("campaigns not sorted by id");
			break;
		}
		if (c->node_lo > c->node_hi || c->node_hi > n_nodes) {
			r = BAD("campaign %u: node range out of bounds", i);
			break;
		}
		for (int k = 0; k < 3; k++)
			if (roots[k] != RDB_NONE &&
				(roots[k] < c->node_lo || roots[k] >= c->node_hi))
				r = BAD("campaign %u: condition outside its nodes", i);
		if (r)
			break;
		if (c->node_hi - c->node_lo > cap) {
			cap = c->node_hi - c->node_lo;
			free(depth);
			free(used);
			depth = malloc(cap);
			used = malloc(cap);
			if (!depth || !used) {
				r = -ENOMEM;
				break;
			}
		}
		if (cap)
			memset(used, 0, cap);
		for (uint32_t n = c->node_lo; n < c->node_hi && !r; n++) {
			if (owned[n / 8] & (1u << (n % 8))) {
				r = BAD("node %u belongs to two campaigns", n);
				break;
			}
			owned[n / 8] |= (uint8_t)(1u << (n % 8));
			r = check_node(db, n, c->node_lo, depth, used);
		}
		/* the conditions are roots: no node of the campaign is their operand */
		for (int k = 0; k < 3 && !r; k++)
			if (roots[k] != RDB_NONE && used[roots[k] - c->node_lo])
				r = BAD("campaign %u: a condition is also an operand", i);
		for (int k = 0; k < 3 && !r; k++)
			for (int j = k + 1; j < 3; j++)
				if (roots[k] != RDB_NONE && roots[k] == roots[j])
					r = BAD("campaign %u: two conditions share a node", i);
	}
	free(owned);
	free(depth);
	free(used);
	return r;
}

static int check_indexes(struct rdb *db)
{
	uint32_t n_camps = (uint32_t)db->sec[RDB_SEC_CAMPAIGNS].count;
	uint32_t n_cand = (uint32_t)db->sec[RDB_SEC_CANDIDATES].count;
	const uint32_t *cand = (const uint32_t *)(db->mem + db->sec[RDB_SEC_CANDIDATES].off);
	const uint32_t *gen = (const uint32_t *)(db->mem + db->sec[RDB_SEC_GENERIC].off);
	const struct rdb_wmi_ent *w = (const void *)(db->mem + db->sec[RDB_SEC_WMI_INDEX].off);
	const struct rdb_did_rec *nd = (const void *)(db->mem + db->sec[RDB_SEC_NEEDED_DIDS].off);
	uint32_t n_wmi = (uint32_t)db->sec[RDB_SEC_WMI_INDEX].count;
	uint32_t n_gen = (uint32_t)db->sec[RDB_SEC_GENERIC].count;
	uint32_t n_nd = (uint32_t)db->sec[RDB_SEC_NEEDED_DIDS].count;
	uint32_t nd_stride = db->sec[RDB_SEC_NEEDED_DIDS].stride;

	for (uint32_t i = 0; i < n_wmi; i++) {
		if (w[i].start > n_cand || w[i].count > n_cand - w[i].start ||
		    w[i].wmi >= RDB_KEY_MAX || (i > 0 && w[i - 1].wmi >= w[i].wmi))
			return BAD("WMI index entry %u out of bounds or unsorted", i);
		if (!ascending(cand + w[i].start, w[i].count))
			return BAD("WMI index entry %u: campaigns unsorted", i);
	}
	for (uint32_t i = 0; i < n_cand; i++)
		if (cand[i] >= n_camps)
			return BAD("candidate %u: campaign out of bounds", i);
	if (!ascending(gen, n_gen))
		return BAD("generic campaigns unsorted");
	for (uint32_t i = 0; i < n_gen; i++)
		if (gen[i] >= n_camps)
			return BAD("generic campaign out of bounds");
	for (uint32_t i = 1; i < n_nd; i++) {
		const struct rdb_did_rec *a = (const void *)((const uint8_t *)nd + (size_t)(i - 1) *
							       nd_stride);
		const struct rdb_did_rec *b = (const void *)((const uint8_t *)nd + (size_t)i *
							       nd_stride);

		if (a->ecu > b->ecu || (a->ecu == b->ecu && a->did >= b->did))
			return BAD("needed DIDs unsorted");
	}
	return 0;
}

/* Entries E[0..n) of a group: strictly ascending (a reader's search relies on it) and naming
 * campaigns that exist.  *listed counts them, for the messages and the header's total; LISTS
 * gets, per campaign, 1 for a VIN on its include list and 2 for one on its exclude list. */
static int check_entries(struct rdb *db, const uint64_t *e, uint32_t n, uint64_t *listed,
			 uint8_t *lists)
{
	uint32_t n_camps = (uint32_t)db->sec[RDB_SEC_CAMPAIGNS].count;

	for (uint32_t i = 0; i < n; i++, (*listed)++) {
		if ((uint32_t)e[i] >> 1 >= n_camps || e[i] >> 32 >= 1u << 31)
			return BAD("listed VIN %llu: campaign out of bounds",
				   (unsigned long long)*listed);
		if (i > 0 && e[i - 1] >= e[i])
			return BAD("listed VIN %llu: group not in order",
				   (unsigned long long)*listed);
		lists[(uint32_t)e[i] >> 1] |= (uint8_t)(e[i] & 1 ? 2 : 1);
	}
	return 0;
}

/*
 * The include and exclude flags of every campaign with listed VINs: a lookup without a valid VIN
 * has nothing else of the lists, and reads a campaign whose `affected` is false as not_affected
 * unless the include flag says a list could still select the car (and one whose `affected` is
 * true as open unless the exclude flag says a list could rule it out).  A flag without entries
 * is fine (an empty list file): it only makes such a verdict undetermined.
 */
static int check_list_flags(struct rdb *db, const uint8_t *lists)
{
	uint32_t n_camps = (uint32_t)db->sec[RDB_SEC_CAMPAIGNS].count;

	for (uint32_t i = 0; i < n_camps; i++) {
		uint8_t flags;

		if (!lists[i])
			continue;
		flags = rdb_camp_at(db, i)->flags;
		if ((lists[i] & 1) && !(flags & RDB_CF_INCLUDE))
			return BAD("campaign %u: VINs on its include list, its flags say none", i);
		if ((lists[i] & 2) && !(flags & RDB_CF_EXCLUDE))
			return BAD("campaign %u: VINs on its exclude list, its flags say none", i);
	}
	return 0;
}

/*
 * The VIN buckets and groups (rdb-format.h), in one sequential pass over both: every group in
 * the bucket its prefix hashes to (else a listed VIN would silently read as unlisted), the
 * groups of a bucket by ascending prefix (so no prefix twice), every count within its bucket,
 * the long groups' entries one after the other in VIN_ENTRIES with the first and last serial
 * as their group word says, and the total as the header says.  LISTS: as check_entries.
 */
static int check_groups(struct rdb *db, uint8_t *lists)
{
	const uint32_t *bk = (const uint32_t *)(db->mem + db->sec[RDB_SEC_VIN_BUCKETS].off);
	const uint64_t *w = (const uint64_t *)(db->mem + db->sec[RDB_SEC_VIN_GROUPS].off);
	const uint64_t *ent = (const uint64_t *)(db->mem + db->sec[RDB_SEC_VIN_ENTRIES].off);
	uint32_t n_b = (uint32_t)(db->sec[RDB_SEC_VIN_BUCKETS].count - 1);
	uint64_t n_w = db->sec[RDB_SEC_VIN_GROUPS].count;
	uint64_t n_ent = db->sec[RDB_SEC_VIN_ENTRIES].count, next_long = 0, listed = 0;
	int r;

	if (bk[0] != 0 || bk[n_b] != n_w)
		return BAD("VIN buckets do not cover the groups");
	for (uint32_t b = 0; b < n_b; b++)
		if (bk[b + 1] < bk[b])
			return BAD("VIN bucket %u: ends before it starts", b);
	for (uint32_t b = 0; b < n_b; b++) {
		uint64_t p = bk[b], end = bk[b + 1], prev = 0;

		while (p < end) {
			uint64_t prefix = w[p] & RDB_GROUP_PREFIX_MASK;
			uint32_t n = (uint32_t)(w[p] >> 56);

			if (prefix >= RDB_PREFIX_LIMIT || rdb_vin_bucket(prefix, n_b) != b)
				return BAD("VIN group at word %llu: not in its bucket %u",
					   (unsigned long long)p, b);
			if (p > bk[b] && prefix <= prev)
				return BAD("VIN bucket %u: groups not in order", b);
			prev = prefix;
			if (n > RDB_GROUP_SHORT_MAX || n >= end - p)
				return BAD("VIN group at word %llu: out of bounds",
					   (unsigned long long)p);
			if (n) {
				r = check_entries(db, w + p + 1, n, &listed, lists);
				if (r)
					return r;
				p += 1 + n;
				continue;
			}
			if (end - p < 3)
				return BAD("VIN group at word %llu: out of bounds",
					   (unsigned long long)p);
			n = (uint32_t)w[p + 1];
			if (n <= RDB_GROUP_SHORT_MAX || (uint32_t)w[p + 2] != next_long ||
			    n > n_ent - next_long)
				return BAD("VIN group at word %llu: long group out of bounds",
					   (unsigned long long)p);
			if (ent[next_long] >> 32 != w[p + 2] >> 32 ||
			    ent[next_long + n - 1] >> 32 != w[p + 1] >> 32)
				return BAD("VIN group at word %llu: first or last serial differs",
					   (unsigned long long)p);
			r = check_entries(db, ent + next_long, n, &listed, lists);
			if (r)
				return r;
			next_long += n;
			p += 3;
		}
	}
	if (next_long != n_ent)
		return BAD("VIN entries not all in groups");
	if (listed != db->h.n_listed_vins)
		return BAD("header counts disagree with the VIN groups");
	return 0;
}

/* The VIN index, and the campaigns' list flags against it. */
static int check_vins(struct rdb *db)
{
	uint8_t *lists = calloc(db->sec[RDB_SEC_CAMPAIGNS].count + 1, 1);
	int r;

	if (!lists)
		return -ENOMEM;
	r = check_groups(db, lists);
	if (!r)
		r = check_list_flags(db, lists);
	free(lists);
	return r;
}

int rdb_verify_all(struct rdb *db, char *errbuf, size_t errlen)
{
	int r;

	if (!db)
		return -EINVAL;
	if (db->all)
		return 0;
	/* A lookup walks the VIN index at random over tens of MB: with 4 KiB pages nearly every
	 * step is a TLB miss as well as a cache miss.  Advice only; without THP nothing changes. */
	if (db->own)
		(void)madvise(db->mem, db->size, MADV_HUGEPAGE);
	r = verify_blocks(db);
	if (r < 0)
		return out(db, errbuf, errlen, r);
	memset(db->present, 0xff, (db->n_blocks + 63) / 64 * sizeof(uint64_t));
	db->all = true;
	r = check_strings(db);
	if (!r)
		r = check_campaigns(db);
	if (!r)
		r = check_indexes(db);
	if (!r)
		r = check_vins(db);
	if (r < 0) {
		db->all = false;	/* the checks are what "all" promises */
		return out(db, errbuf, errlen, r);
	}
	if (db->fd >= 0) {
		close(db->fd);
		db->fd = -1;
	}
	if (db->own)
		(void)mprotect(db->mem, db->size, PROT_READ);
	db->err = 0;
	return 0;
}
