/* SPDX-License-Identifier: MIT */
/*
 * What a database needs to be read from a car: every (ECU, DID) its conditions compare and its
 * build dates come from.  The check hands these to the bus layer, so a rule that names a DID
 * outside the usual identification set is read, not left undetermined for ever.
 */
#include <errno.h>
#include <stdlib.h>

#include "rules/rdb-handle.h"
#include "rules/rdb.h"

static int ref_cmp(const void *x, const void *y)
{
	const struct rdb_did_ref *a = x, *b = y;

	if (a->ecu != b->ecu)
		return a->ecu < b->ecu ? -1 : 1;
	return a->did < b->did ? -1 : a->did > b->did;
}

int rdb_needed_dids(const struct rdb *db, struct rdb_did_ref **ret, size_t *ret_n)
{
	struct rdb_did_ref *v;
	size_t n = 0, cap = 0, u = 0;

	if (!db || !ret || !ret_n)
		return -EINVAL;
	/* upper bound: one per DID node and one per campaign; validated counts, no overflow */
	for (uint32_t i = 0; i < db->n_nodes; i++) {
		uint8_t op = rdb_node_at(db, i)->op;

		cap += op == RDB_OP_DID_CMP || op == RDB_OP_DID_IN;
	}
	cap += db->n_camps;
	v = malloc((cap ? cap : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < db->n_nodes; i++) {
		const struct rdb_node *nd = rdb_node_at(db, i);

		if (nd->op == RDB_OP_DID_CMP || nd->op == RDB_OP_DID_IN)
			v[n++] = (struct rdb_did_ref){ .ecu = nd->a, .did = nd->did };
	}
	for (uint32_t i = 0; i < db->n_camps; i++) {
		const struct rdb_campaign_rec *c = rdb_camp_at(db, i);

		if (c->bd_format != RDB_BD_NONE)
			v[n++] = (struct rdb_did_ref){ .ecu = c->bd_ecu, .did = c->bd_did };
	}
	qsort(v, n, sizeof(*v), ref_cmp);
	for (size_t i = 0; i < n; i++)
		if (u == 0 || ref_cmp(&v[u - 1], &v[i]) != 0)
			v[u++] = v[i];
	*ret = v;
	*ret_n = u;
	return 0;
}
