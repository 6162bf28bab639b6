/* SPDX-License-Identifier: MIT */
/*
 * Links the parsed campaigns into one database image (format: rdb-format.h).
 * Determinism: campaigns are ordered by id, VIN entries by key, strings and nodes in parse order,
 * and nothing time- or host-dependent is written, so equal input gives an equal file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

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
	const struct rcampaign *x = (const struct rcampaign *)sort_ctx->campaigns.p + *(const uint32_t *)a;
	const struct rcampaign *y = (const struct rcampaign *)sort_ctx->campaigns.p + *(const uint32_t *)b;
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

/* Radix sort on (prefix, suffix, ref): qsort on ten million entries costs seconds. */
static int vin_sort(struct vin_ent *v, size_t n)
{
	struct vin_ent *tmp;
	size_t count[256];

	if (n < 2)
		return 0;
	if (n < 4096) {
		qsort(v, n, sizeof(*v), vin_cmp);
		return 0;
	}
	tmp = malloc(n * sizeof(*v));
	if (!tmp)
		return -ENOMEM;
	/* 4 bytes ref, 4 bytes suffix, 7 bytes prefix (56 bits): least significant first */
	for (int pass = 0; pass < 15; pass++) {
		struct vin_ent *src = pass % 2 ? tmp : v, *dst = pass % 2 ? v : tmp;
		size_t sum = 0;
		bool trivial;

		memset(count, 0, sizeof(count));
#define DIGIT(e) (pass < 4 ? ((e).ref >> (8 * pass)) & 0xFF \
		  : pass < 8 ? ((e).suffix >> (8 * (pass - 4))) & 0xFF \
		  : ((e).prefix >> (8 * (pass - 8))) & 0xFF)
		for (size_t i = 0; i < n; i++)
			count[DIGIT(src[i])]++;
		trivial = false;
		for (int d = 0; d < 256; d++) {
			size_t cnt = count[d];

			if (cnt == n)
				trivial = true;
			count[d] = sum;
			sum += cnt;
		}
		if (trivial) {
			/* all equal in this byte: copy so the parity of passes stays right */
			memcpy(dst, src, n * sizeof(*v));
			continue;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[DIGIT(src[i])]++] = src[i];
#undef DIGIT
	}
	/* 15 passes: the result is in tmp */
	memcpy(v, tmp, n * sizeof(*v));
	free(tmp);
	return 0;
}

/* Inserted in key order, so the same VINs always give the same table. */
static void slot_insert(struct rdb_slot *t, uint32_t n, const struct rdb_slot *g)
{
	uint32_t i = rdb_slot_home(g->key, n);

	while (t[i].key != RDB_SLOT_EMPTY)
		i = i + 1 == n ? 0 : i + 1;
	t[i] = *g;
}

struct out {
	uint8_t *buf;
	size_t len, cap;
	struct rdb_section sec[_RDB_SEC_MAX - 1];
	size_t n_sec;
};

static int out_section(struct out *o, uint32_t id, uint32_t entry_size, const void *data,
		       uint64_t count)
{
	size_t bytes = (size_t)count * entry_size, start = (o->len + RDB_ALIGN - 1) & ~(size_t)(RDB_ALIGN - 1);

	while (start + bytes > o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 1 << 16;
		uint8_t *p = realloc(o->buf, cap);

		if (!p)
			return -ENOMEM;
		o->buf = p;
		o->cap = cap;
	}
	memset(o->buf + o->len, 0, start - o->len);
	if (bytes)
		memcpy(o->buf + start, data, bytes);
	o->sec[o->n_sec++] = (struct rdb_section){ id, entry_size, start, count };
	o->len = start + bytes;
	return 0;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int rule_compiler_build(struct rule_compiler *c, void **ret_buf, size_t *ret_len)
{
	size_t nc, nv = 0, n_groups = 0, n_keys = 0, n_generic = 0, n_wents = 0, keys_cap = 0;
	uint32_t *order = NULL, *rank = NULL, *generic = NULL, *cand = NULL, *suffixes = NULL,
		 *refs = NULL;
	uint64_t *keys = NULL;
	struct rdb_campaign_rec *recs = NULL;
	struct rdb_wmi_ent *wents = NULL;
	struct rdb_slot *sorted_grp = NULL, *slots = NULL;
	size_t n_slots;
	struct vin_ent *v = c ? c->vins.p : NULL;
	struct rdb_header *h;
	struct out o = { 0 };
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
		rule_diag_add(c, "(all files)", 1, 1, RULE_ERROR, "more than 4294967294 listed VINs");
		r = -EINVAL;
		goto out;
	}
	suffixes = malloc((nv + 1) * sizeof(*suffixes));
	refs = malloc((nv + 1) * sizeof(*refs));
	sorted_grp = malloc((nv + 1) * sizeof(*sorted_grp));
	if (!suffixes || !refs || !sorted_grp)
		goto out;
	for (size_t i = 0; i < nv; i++) {
		suffixes[i] = v[i].suffix;
		refs[i] = v[i].ref;
		if (n_groups == 0 || sorted_grp[n_groups - 1].key != v[i].prefix)
			sorted_grp[n_groups++] = (struct rdb_slot){ v[i].prefix, (uint32_t)i, 0 };
		sorted_grp[n_groups - 1].count++;
		if (v[i].ref & 1)
			recs[v[i].ref >> 1].flags |= RDB_CF_EXCLUDE;
	}
	/* load factor 2/3: a hit probes 2 slots on average, a miss 5 (80 bytes), and there is
	 * always an empty slot to end a probe */
	n_slots = n_groups + n_groups / 2 + 1;
	if (n_slots >= UINT32_MAX) {
		r = -E2BIG;
		goto out;
	}
	slots = malloc(n_slots * sizeof(*slots));
	if (!slots)
		goto out;
	for (size_t i = 0; i < n_slots; i++)
		slots[i] = (struct rdb_slot){ RDB_SLOT_EMPTY, 0, 0 };
	for (size_t i = 0; i < n_groups; i++)
		slot_insert(slots, (uint32_t)n_slots, &sorted_grp[i]);

	/* header first, sections after it, checksum last */
	o.len = sizeof(struct rdb_header);
	o.cap = 1 << 16;
	o.buf = calloc(1, o.cap);
	if (!o.buf)
		goto out;
	if (out_section(&o, RDB_SEC_STRINGS, 1, c->str, c->str_len) < 0 ||
	    out_section(&o, RDB_SEC_CAMPAIGNS, sizeof(*recs), recs, nc) < 0 ||
	    out_section(&o, RDB_SEC_NODES, sizeof(struct rdb_node), c->nodes.p, c->nodes.n) < 0 ||
	    out_section(&o, RDB_SEC_ARGS, sizeof(uint32_t), c->args.p, c->args.n) < 0 ||
	    out_section(&o, RDB_SEC_WMI_INDEX, sizeof(*wents), wents, n_wents) < 0 ||
	    out_section(&o, RDB_SEC_CANDIDATES, sizeof(uint32_t), cand, n_keys) < 0 ||
	    out_section(&o, RDB_SEC_GENERIC, sizeof(uint32_t), generic, n_generic) < 0 ||
	    out_section(&o, RDB_SEC_VIN_SLOTS, sizeof(*slots), slots, n_slots) < 0 ||
	    out_section(&o, RDB_SEC_SUFFIXES, sizeof(uint32_t), suffixes, nv) < 0 ||
	    out_section(&o, RDB_SEC_REFS, sizeof(uint32_t), refs, nv) < 0)
		goto out;
	{
		size_t at = (o.len + RDB_ALIGN - 1) & ~(size_t)(RDB_ALIGN - 1);
		size_t need = at + o.n_sec * sizeof(struct rdb_section);

		if (need > o.cap) {
			uint8_t *p = realloc(o.buf, need);

			if (!p)
				goto out;
			o.buf = p;
			o.cap = need;
		}
		memset(o.buf + o.len, 0, at - o.len);
		memcpy(o.buf + at, o.sec, o.n_sec * sizeof(struct rdb_section));
		o.len = need;
		h = (struct rdb_header *)o.buf;
		memset(h, 0, sizeof(*h));
		memcpy(h->magic, RDB_MAGIC, 8);
		h->format_version = RDB_FORMAT_VERSION;
		h->header_size = sizeof(*h);
		strncpy(h->tool_version, RDB_TOOL_VERSION, sizeof(h->tool_version) - 1);
		h->file_size = o.len;
		h->n_sections = (uint32_t)o.n_sec;
		h->section_size = sizeof(struct rdb_section);
		h->section_table = at;
		h->n_campaigns = nc;
		h->n_listed_vins = nv;
		h->checksum = XXH3_64bits(o.buf, o.len);
	}
	*ret_buf = o.buf;
	*ret_len = o.len;
	o.buf = NULL;
	r = 0;
out:
	free(o.buf);
	free(order);
	free(rank);
	free(recs);
	free(generic);
	free(keys);
	free(wents);
	free(cand);
	free(suffixes);
	free(refs);
	free(sorted_grp);
	free(slots);
	return r;
}
