/* SPDX-License-Identifier: MIT */
/*
 * Links the parsed campaigns into one database image (format: rdb-format.h): sections in data
 * blocks, the hash tree over them, the root over header and tree.  Signing is a separate step
 * (rdb_sign_image) that touches only the seal.
 * Determinism: campaigns are ordered by id, VIN entries by key, strings and nodes in parse order,
 * and nothing time- or host-dependent is written, so equal input gives an equal file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rule-compiler.h"
#include "rules/vin.h"

/*
 * Index keys: VIN positions 1-5 (WMI and the first two VDS characters, where makers put the model
 * code), '*' where a campaign does not fix a position.  The analysis returns the keys for which a
 * campaign's `affected` can be true or unknown with a valid VIN; `any` when it cannot say.
 * A key that fixes the WMI but not positions 4-5 indexes by WMI alone.
 */
#define KEYS_MAX 4096

struct kset {
	bool any;
	char (*k)[5];
	size_t n;
};

static void kset_free(struct kset *s)
{
	free(s->k);
	*s = (struct kset){ 0 };
}

static int kset_add(struct kset *s, const char key[5])
{
	void *p;

	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(s->k[i], key, 5))
			return 0;
	if (s->n >= KEYS_MAX) {
		/* too many combinations: give up indexing this campaign (correct, only slower) */
		kset_free(s);
		s->any = true;
		return 0;
	}
	p = realloc(s->k, (s->n + 1) * sizeof(*s->k));
	if (!p)
		return -ENOMEM;
	s->k = p;
	memcpy(s->k[s->n++], key, 5);
	return 0;
}

/* Both keys match a VIN -> the merged key matches it; a conflict matches none. */
static bool key_merge(const char a[5], const char b[5], char out[5])
{
	for (int i = 0; i < 5; i++) {
		if (a[i] == '*')
			out[i] = b[i];
		else if (b[i] == '*' || b[i] == a[i])
			out[i] = a[i];
		else
			return false;
	}
	return true;
}

static int key_set(const struct rule_compiler *c, uint32_t i, struct kset *ret)
{
	const struct rdb_node *n = (const struct rdb_node *)c->nodes.p + i;
	const uint32_t *args = c->args.p;
	struct kset s = { 0 };
	int r = 0;

	switch (n->op) {
	case RDB_OP_FALSE:
		break;
	case RDB_OP_WMI_IN:
		for (uint32_t k = 0; k < n->b && !s.any; k++) {
			char key[5] = { '*', '*', '*', '*', '*' };

			rdb_unpack_wmi(args[n->a + k], key);	/* writes a NUL at [3] */
			key[3] = '*';
			r = kset_add(&s, key);
			if (r < 0)
				goto fail;
		}
		break;
	case RDB_OP_VIN_PAT: {
		const char *pat = c->str + n->c;
		char key[5] = { '*', '*', '*', '*', '*' };

		for (uint32_t k = 0; k < n->b; k++)
			if (n->a + k < 5 && pat[k] != '?')
				key[n->a + k] = pat[k];
		if (!memcmp(key, "*****", 5))
			s.any = true;
		else if ((r = kset_add(&s, key)) < 0)
			goto fail;
		break;
	}
	case RDB_OP_AND:
	case RDB_OP_OR: {
		bool and = n->op == RDB_OP_AND;

		s.any = and;
		for (uint32_t k = 0; k < n->b; k++) {
			struct kset t, m = { 0 };

			r = key_set(c, args[n->a + k], &t);
			if (r < 0)
				goto fail;
			if (and ? t.any : s.any) {
				kset_free(&t);
				continue;
			}
			if (and ? s.any : t.any) {
				kset_free(&s);
				s = t;
				continue;
			}
			if (and) {
				for (size_t x = 0; x < s.n && !m.any && r >= 0; x++)
					for (size_t y = 0; y < t.n && !m.any && r >= 0; y++) {
						char key[5];

						if (key_merge(s.k[x], t.k[y], key) &&
						    (r = kset_add(&m, key)) < 0)
							break;
					}
			} else {
				m = s;
				s = (struct kset){ 0 };
				for (size_t y = 0; y < t.n && !m.any && r >= 0; y++)
					r = kset_add(&m, t.k[y]);
			}
			kset_free(&s);
			kset_free(&t);
			s = m;
			if (r < 0)
				goto fail;
		}
		break;
	}
	default:
		/* NOT, TRUE, UNKNOWN, ECU and date conditions hold for any VIN */
		s.any = true;
		break;
	}
	*ret = s;
	return 0;
fail:
	kset_free(&s);
	return r;
}

static const struct rule_compiler *sort_ctx;

static int campaign_cmp(const void *a, const void *b)
{
	const struct rcampaign *x =
		(const struct rcampaign *)sort_ctx->campaigns.p + *(const uint32_t *)a;
	const struct rcampaign *y =
		(const struct rcampaign *)sort_ctx->campaigns.p + *(const uint32_t *)b;
	int r = strcmp(sort_ctx->str + x->id_off, sort_ctx->str + y->id_off);

	if (r)
		return r;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static int vin_cmp(const void *a, const void *b)
{
	const struct vin_ent *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	if (x->suffix != y->suffix)
		return x->suffix < y->suffix ? -1 : 1;
	return x->ref < y->ref ? -1 : x->ref > y->ref;
}

#define RADIX_BITS 16
#define RADIX (1u << RADIX_BITS)
/* suffix (31 bits), prefix (56 bits), least significant first */
#define N_DIGITS 6

static inline uint32_t digit(const struct vin_ent *e, int d)
{
	switch (d) {
	case 0: return e->suffix & 0xFFFF;
	case 1: return e->suffix >> 16;
	default: return (uint32_t)(e->prefix >> (16 * (d - 2))) & 0xFFFF;
	}
}

/*
 * LSD radix sort on (prefix, suffix) with 16-bit digits: one pass counts all six digits, then one
 * scatter per digit that is not the same for every entry (buffers swapped, not copied).  A VIN
 * listed by several campaigns is rare, so equal VINs are put in campaign order afterwards, in
 * place.  qsort on ten million entries costs seconds; 8-bit digits cost fifteen passes.
 */
static int vin_sort(struct vin_ent *v, size_t n)
{
	struct vin_ent *tmp, *src = v, *dst;
	size_t *count;

	if (n < 2)
		return 0;
	if (n < 65536) {
		qsort(v, n, sizeof(*v), vin_cmp);
		return 0;
	}
	tmp = malloc(n * sizeof(*v));
	count = calloc((size_t)N_DIGITS * RADIX, sizeof(*count));
	if (!tmp || !count) {
		free(tmp);
		free(count);
		return -ENOMEM;
	}
	rule_advise_huge(tmp, n * sizeof(*v));
	dst = tmp;
	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < N_DIGITS; d++)
			count[(size_t)d * RADIX + digit(&v[i], d)]++;
	for (int d = 0; d < N_DIGITS; d++) {
		size_t *c = count + (size_t)d * RADIX, sum = 0;
		bool trivial = false;

		for (uint32_t k = 0; k < RADIX; k++) {
			size_t x = c[k];

			if (x == n)
				trivial = true;
			c[k] = sum;
			sum += x;
		}
		if (trivial)
			continue;	/* every entry has the same digit: the order stands */
		for (size_t i = 0; i < n; i++)
			dst[c[digit(&src[i], d)]++] = src[i];
		{
			struct vin_ent *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
	free(count);
	/* equal VINs (a VIN on several lists): by campaign reference, insertion within the run */
	for (size_t i = 1; i < n; i++) {
		struct vin_ent x = v[i];
		size_t j = i;

		while (j > 0 && v[j - 1].prefix == x.prefix && v[j - 1].suffix == x.suffix &&
		       v[j - 1].ref > x.ref) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
	return 0;
}

struct piece {
	uint32_t id;
	uint32_t entry_size;
	const void *data;
	uint64_t count;
};

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int did_rec_cmp(const void *a, const void *b)
{
	const struct rdb_did_rec *x = a, *y = b;

	if (x->ecu != y->ecu)
		return x->ecu < y->ecu ? -1 : 1;
	return x->did < y->did ? -1 : x->did > y->did;
}

/* The (ECU, DID) pairs conditions compare and build dates come from, sorted and unique. */
static int needed_dids(const struct rule_compiler *c, const struct rdb_campaign_rec *recs,
		       size_t nc, struct rdb_did_rec **ret, size_t *ret_n)
{
	const struct rdb_node *nodes = c->nodes.p;
	struct rdb_did_rec *v = calloc(c->nodes.n + nc + 1, sizeof(*v));
	size_t n = 0, u = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < c->nodes.n; i++)
		if (nodes[i].op == RDB_OP_DID_CMP || nodes[i].op == RDB_OP_DID_IN)
			v[n++] = (struct rdb_did_rec){ .ecu = nodes[i].ecu, .did = nodes[i].did };
	for (size_t i = 0; i < nc; i++)
		if (recs[i].bd_format != RDB_BD_NONE)
			v[n++] = (struct rdb_did_rec){.ecu = recs[i].bd_ecu, .did = recs[i].bd_did};
	if (n)
		qsort(v, n, sizeof(*v), did_rec_cmp);
	for (size_t i = 0; i < n; i++)
		if (u == 0 || did_rec_cmp(&v[u - 1], &v[i]) != 0)
			v[u++] = v[i];
	*ret = v;
	*ret_n = u;
	return 0;
}

/*
 * The file: block 0 (header, section table), the sections in data blocks, the hash tree.  One
 * allocation of the final size, zeroed, so padding is defined and nothing is copied twice.
 */
static int write_image(const struct rule_compiler *c, const struct piece *pc, size_t n_pc,
		       uint64_t n_campaigns, uint64_t n_vins, void **ret_buf, size_t *ret_len)
{
	size_t bs = (size_t)1 << RDB_BLOCK_SHIFT, per = bs / RDB_HASH_LEN;
	uint64_t off = bs, levels[RDB_MAX_LEVELS], data_blocks, total, prev, first;
	struct rdb_section sec[_RDB_SEC_MAX];
	struct rdb_header *h;
	unsigned int n_levels;
	uint8_t *img;

	(void)c;
	for (size_t i = 0; i < n_pc; i++) {
		off = (off + RDB_ALIGN - 1) & ~(uint64_t)(RDB_ALIGN - 1);
		sec[i] = (struct rdb_section){ pc[i].id, pc[i].entry_size, off, pc[i].count };
		off += pc[i].count * pc[i].entry_size;
	}
	data_blocks = (off - bs + bs - 1) / bs;
	if (!data_blocks)
		data_blocks = 1;
	n_levels = rdb_tree_levels(data_blocks, RDB_BLOCK_SHIFT, levels);
	if (!n_levels)
		return -E2BIG;
	total = 1 + data_blocks;
	for (unsigned int k = 0; k < n_levels; k++)
		total += levels[k];
	if (total > SIZE_MAX / bs)
		return -E2BIG;
	img = calloc(total, bs);
	if (!img)
		return -ENOMEM;
	rule_advise_huge(img, total * bs);
	for (size_t i = 0; i < n_pc; i++)
		if (pc[i].count)
			memcpy(img + sec[i].offset, pc[i].data, pc[i].count * pc[i].entry_size);
	h = (struct rdb_header *)img;
	memcpy(h->magic, RDB_MAGIC, 8);
	h->format_version = RDB_FORMAT_VERSION;
	h->header_size = sizeof(*h);
	strncpy(h->tool_version, RDB_TOOL_VERSION, sizeof(h->tool_version) - 1);
	h->file_size = total * bs;
	h->block_shift = RDB_BLOCK_SHIFT;
	h->n_sections = (uint32_t)n_pc;
	h->section_table = (sizeof(*h) + RDB_ALIGN - 1) & ~(size_t)(RDB_ALIGN - 1);
	h->section_size = sizeof(struct rdb_section);
	h->tree_levels = n_levels;
	h->data_blocks = data_blocks;
	h->n_campaigns = n_campaigns;
	h->n_listed_vins = n_vins;
	memcpy(img + h->section_table, sec, n_pc * sizeof(*sec));
	/* the tree, level by level: level 0 hashes the data blocks, each next level the last */
	first = 1;
	prev = data_blocks;
	off = 1 + data_blocks;
	for (unsigned int k = 0; k < n_levels; k++) {
		for (uint64_t i = 0; i < prev; i++)
			rdb_hash(img + (first + i) * bs, bs,
				 img + (off + i / per) * bs + (i % per) * RDB_HASH_LEN);
		first = off;
		prev = levels[k];
		off += levels[k];
	}
	rdb_root_hash(img, img + first * bs, RDB_BLOCK_SHIFT, h->root);
	*ret_buf = img;
	*ret_len = total * bs;
	return 0;
}

int rule_compiler_build(struct rule_compiler *c, void **ret_buf, size_t *ret_len)
{
	size_t nc, nv = 0, n_groups = 0, n_keys = 0, n_generic = 0, n_wents = 0, keys_cap = 0;
	size_t n_needed = 0;
	uint32_t *order = NULL, *rank = NULL, *generic = NULL, *cand = NULL;
	uint64_t *keys = NULL;
	struct rdb_campaign_rec *recs = NULL;
	struct rdb_wmi_ent *wents = NULL;
	uint32_t *buckets = NULL, *fill = NULL;
	uint64_t *words = NULL, *longs = NULL;
	struct rdb_did_rec *needed = NULL;
	uint8_t *bits = NULL;
	size_t n_buckets, n_words = 0, n_long = 0;
	struct vin_ent *v = c ? c->vins.p : NULL;
	int r = -ENOMEM;

	if (!c || !ret_buf || !ret_len)
		return -EINVAL;
	if (c->n_errors)
		return -EINVAL;
	nc = c->campaigns.n;

	/* campaigns by id; a duplicate id is an error at the later definition */
	order = malloc((nc + 1) * sizeof(*order));
	rank = malloc((nc + 1) * sizeof(*rank));
	recs = calloc(nc + 1, sizeof(*recs));
	if (!order || !rank || !recs)
		goto out;
	for (size_t i = 0; i < nc; i++)
		order[i] = (uint32_t)i;
	sort_ctx = c;
	if (nc)
		qsort(order, nc, sizeof(*order), campaign_cmp);
	for (size_t i = 0; i < nc; i++) {
		const struct rcampaign *rc = (const struct rcampaign *)c->campaigns.p + order[i];

		if (i > 0) {
			const struct rcampaign *pc =
				(const struct rcampaign *)c->campaigns.p + order[i - 1];

			if (strcmp(c->str + rc->id_off, c->str + pc->id_off) == 0) {
				/* order[] is stable on parse order: pc came first */
				rule_diag_add(c, rc->file, rc->line, rc->col, RULE_ERROR,
					      "duplicate campaign id '%s' (first at %s:%u:%u)",
					      c->str + rc->id_off, pc->file, pc->line, pc->col);
			}
		}
		rank[order[i]] = (uint32_t)i;
		recs[i] = rc->rec;
	}
	if (c->n_errors) {
		r = -EINVAL;
		goto out;
	}

	/* WMI index: (wmi << 32 | campaign) keys sort by WMI, then campaign */
	generic = malloc((nc + 1) * sizeof(*generic));
	if (!generic)
		goto out;
	for (size_t i = 0; i < nc; i++) {
		struct kset s = { 0 };
		bool generic_wmi = false;

		if (recs[i].affected == RDB_NONE)
			continue;	/* list-only campaigns are found through the VIN index */
		r = key_set(c, recs[i].affected, &s);
		if (r < 0)
			goto out;
		r = -ENOMEM;
		for (size_t k = 0; k < s.n; k++)
			if (s.k[k][0] == '*' || s.k[k][1] == '*' || s.k[k][2] == '*')
				generic_wmi = true;
		if (s.any || generic_wmi) {
			kset_free(&s);
			generic[n_generic++] = (uint32_t)i;
			continue;
		}
		if (n_keys + s.n > keys_cap) {
			size_t cap = (n_keys + s.n) * 2 + 16;
			void *p = realloc(keys, cap * sizeof(*keys));

			if (!p) {
				kset_free(&s);
				goto out;
			}
			keys = p;
			keys_cap = cap;
		}
		for (size_t k = 0; k < s.n; k++) {
			uint32_t key = s.k[k][3] == '*' || s.k[k][4] == '*'
				? rdb_pack_wmi(s.k[k]) : rdb_pack_key5(s.k[k]);

			keys[n_keys++] = (uint64_t)key << 32 | i;
		}
		kset_free(&s);
	}
	if (n_keys)
		qsort(keys, n_keys, sizeof(*keys), u64_cmp);
	wents = malloc((n_keys + 1) * sizeof(*wents));
	cand = malloc((n_keys + 1) * sizeof(*cand));
	if (!wents || !cand)
		goto out;
	{
		size_t u = 0;

		for (size_t i = 0; i < n_keys; i++)
			if (u == 0 || keys[u - 1] != keys[i])
				keys[u++] = keys[i];
		n_keys = u;
	}
	for (size_t i = 0; i < n_keys; i++) {
		uint32_t w = (uint32_t)(keys[i] >> 32);

		if (n_wents == 0 || wents[n_wents - 1].wmi != w)
			wents[n_wents++] = (struct rdb_wmi_ent){ w, (uint32_t)i, 0 };
		wents[n_wents - 1].count++;
		cand[i] = (uint32_t)keys[i];
	}
	r = needed_dids(c, recs, nc, &needed, &n_needed);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	bits = calloc(nc + 1, 1);
	if (!bits)
		goto out;
	for (size_t i = 0; i < nc; i++)
		bits[i] = (uint8_t)((recs[i].remedied != RDB_NONE ? RDB_CB_REMEDIED : 0) |
				    (recs[i].inspect != RDB_NONE ? RDB_CB_INSPECT : 0));

	/* VIN lists: final campaign numbers, sort, drop repeats, group by positions 1-11 */
	for (size_t i = 0; i < c->vins.n; i++)
		v[i].ref = rank[v[i].ref >> 1] << 1 | (v[i].ref & 1);
	r = vin_sort(v, c->vins.n);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	for (size_t i = 0; i < c->vins.n; i++)
		if (nv == 0 || vin_cmp(&v[nv - 1], &v[i]) != 0)
			v[nv++] = v[i];
	c->vins.n = nv;
	if (nv > UINT32_MAX - 1) {
		rule_diag_add(
			c, "(all files)", 1, 1, RULE_ERROR, "more than 4294967294 listed VINs");
		r = -EINVAL;
		goto out;
	}
	/*
	 * Groups (positions 1-11) into buckets (rdb-format.h): two passes over the sorted VINs, the
	 * first sizing each bucket, the second writing each group at its bucket's fill mark.  The
	 * VINs come in prefix order, so within a bucket the groups are in prefix order too, and the
	 * long groups' entries are numbered in the order a reader walking the buckets meets them.
	 */
	for (size_t i = 0, g = 0; i <= nv; i++) {
		if (i > g && (i == nv || v[i].prefix != v[g].prefix)) {
			n_groups++;
			g = i;
		}
	}
	/*
	 * About sixteen groups per bucket (rdb-format.h): the dozen cache lines of a bucket,
	 * asked for at once, cost one round of misses as one line does, and the index stays small
	 * (280 KB for 10M VINs).  Measured on the build VM: with four groups per bucket (a 1.1 MB
	 * index) the index read itself costs most of a miss — there a random read's cost is mostly
	 * the TLB's, and fewer, larger pieces of the index take fewer of its entries.
	 */
	n_buckets = n_groups / 16 + 1;
	if (n_buckets >= UINT32_MAX) {
		r = -E2BIG;
		goto out;
	}
	buckets = calloc(n_buckets + 1, sizeof(*buckets));
	fill = calloc(n_buckets + 1, sizeof(*fill));
	if (!buckets || !fill)
		goto out;
	/* words and long entries per bucket, counted one slot up: the sums become the starts */
	for (size_t i = 0, g = 0; i < nv; i = g) {
		uint32_t b = rdb_vin_bucket(v[i].prefix, (uint32_t)n_buckets);
		size_t n;

		while (g < nv && v[g].prefix == v[i].prefix)
			g++;
		n = g - i;
		if (n <= RDB_GROUP_SHORT_MAX) {
			n_words += 1 + n;
			buckets[b + 1] += (uint32_t)(1 + n);
		} else {
			if (n > UINT32_MAX) {
				r = -E2BIG;
				goto out;
			}
			n_words += 3;
			n_long += n;
			buckets[b + 1] += 3;
			fill[b + 1] += (uint32_t)n;
		}
	}
	if (n_words > UINT32_MAX) {
		rule_diag_add(c, "(all files)", 1, 1, RULE_ERROR,
			      "listed VINs too many for one database (%zu index words)", n_words);
		r = -EINVAL;
		goto out;
	}
	for (size_t b = 0; b < n_buckets; b++) {
		buckets[b + 1] += buckets[b];
		fill[b + 1] += fill[b];
	}
	words = malloc((n_words + 1) * sizeof(*words));
	longs = malloc((n_long + 1) * sizeof(*longs));
	if (!words || !longs)
		goto out;
	{
		/* word fill marks: fill[] holds the long entries' marks, so one more array */
		uint32_t *wfill = malloc((n_buckets + 1) * sizeof(*wfill));

		if (!wfill)
			goto out;
		memcpy(wfill, buckets, (n_buckets + 1) * sizeof(*wfill));
		for (size_t i = 0, g = 0; i < nv; i = g) {
			uint64_t prefix = v[i].prefix;
			uint32_t b = rdb_vin_bucket(prefix, (uint32_t)n_buckets);
			uint64_t *w = words + wfill[b], *e;

			while (g < nv && v[g].prefix == prefix)
				g++;
			if (g - i <= RDB_GROUP_SHORT_MAX) {
				*w++ = rdb_group_word(prefix, (uint32_t)(g - i));
				e = w;
				wfill[b] += (uint32_t)(1 + g - i);
			} else {
				w[0] = rdb_group_word(prefix, 0);
				w[1] = (uint64_t)v[g - 1].suffix << 32 | (uint32_t)(g - i);
				w[2] = (uint64_t)v[i].suffix << 32 | fill[b];
				e = longs + fill[b];
				fill[b] += (uint32_t)(g - i);
				wfill[b] += 3;
			}
			for (size_t k = i; k < g; k++) {
				if (v[k].ref & 1)
					recs[v[k].ref >> 1].flags |= RDB_CF_EXCLUDE;
				*e++ = rdb_vin_entry(v[k].suffix, v[k].ref);
			}
		}
		free(wfill);
	}
	{
		const struct piece pc[] = {
			{ RDB_SEC_STRINGS, 1, c->str, c->str_len },
			{ RDB_SEC_CAMPAIGNS, sizeof(*recs), recs, nc },
			{ RDB_SEC_NODES, sizeof(struct rdb_node), c->nodes.p, c->nodes.n },
			{ RDB_SEC_ARGS, sizeof(uint32_t), c->args.p, c->args.n },
			{ RDB_SEC_WMI_INDEX, sizeof(*wents), wents, n_wents },
			{ RDB_SEC_CANDIDATES, sizeof(uint32_t), cand, n_keys },
			{ RDB_SEC_GENERIC, sizeof(uint32_t), generic, n_generic },
			{ RDB_SEC_VIN_BUCKETS, sizeof(*buckets), buckets, n_buckets + 1 },
			{ RDB_SEC_VIN_ENTRIES, sizeof(uint64_t), longs, n_long },
			{ RDB_SEC_NEEDED_DIDS, sizeof(*needed), needed, n_needed },
			{ RDB_SEC_CAMPAIGN_BITS, 1, bits, nc },
			{ RDB_SEC_VIN_GROUPS, sizeof(uint64_t), words, n_words },
		};

		r = write_image(c, pc, sizeof(pc) / sizeof(pc[0]), nc, nv, ret_buf, ret_len);
	}
	/* the VINs now name campaigns by final number: a second build must not map them again */
	c->vins.n = 0;
out:
	free(order);
	free(rank);
	free(recs);
	free(generic);
	free(keys);
	free(wents);
	free(cand);
	free(buckets);
	free(fill);
	free(words);
	free(longs);
	free(needed);
	free(bits);
	return r;
}
