/* SPDX-License-Identifier: MIT */
/*
 * What a database needs to be read from a car: every (ECU, DID) its conditions compare and its
 * build dates come from.  The check hands these to the bus layer, so a rule that names a DID
 * outside the usual identification set is read, not left undetermined for ever.  The compiler
 * stores the list (RDB_SEC_NEEDED_DIDS), so this costs the same for 10 or 100 000 campaigns.
 */
#include <errno.h>
#include <stdlib.h>

#include "rules/rdb-handle.h"
#include "rules/rdb.h"

int rdb_needed_dids(const struct rdb *db, struct rdb_did_ref **ret, size_t *ret_n)
{
	const struct rdb_sec *x;
	const uint8_t *recs;
	struct rdb_did_ref *v;
	size_t n = 0;

	if (!db || !ret || !ret_n)
		return -EINVAL;
	x = &db->sec[RDB_SEC_NEEDED_DIDS];
	recs = x->count ? rdb_recs(db, RDB_SEC_NEEDED_DIDS, 0, x->count) : NULL;
	if (x->count && !recs)
		return db->err;
	v = malloc((x->count ? x->count : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint64_t i = 0; i < x->count; i++) {
		const struct rdb_did_rec *d = (const void *)(recs + i * x->stride);

		/* the public type holds today's 32-bit addresses; a wider key is not one of them */
		if (d->ecu > UINT32_MAX)
			continue;
		if (n && (v[n - 1].ecu > d->ecu ||
				 (v[n - 1].ecu == d->ecu && v[n - 1].did >= d->did))) {
			free(v);
			return rdb_bad(db, "needed DIDs unsorted");
		}
		v[n++] = (struct rdb_did_ref){ .ecu = (uint32_t)d->ecu, .did = d->did };
	}
	*ret = v;
	*ret_n = n;
	return 0;
}
