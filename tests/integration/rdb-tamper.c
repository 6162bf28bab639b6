/* SPDX-License-Identifier: MIT */
/*
 * What someone who can write a station's database could do to it: every `wmi in {...}` condition
 * made false, then the hash tree and root recomputed so that the file is well-hashed again — the
 * signature is left as it was and no longer verifies.  With the seed rules this turns the
 * ConnectedDrive campaign (`affected wmi in {"WBY"} or ...`) from open into not_affected for an
 * i3, the attack issue 11 reported.  The test 45 checks that recalld refuses such a file.
 *
 *   rdb-tamper IN OUT      (exit 0 written, 1 nothing to change, 2 error)
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/lib/rdb-reseal.h"

static int tamper(uint8_t *b, size_t len)
{
	const struct rdb_header *h = (const void *)b;
	int changed = 0;

	if (len < 4096 || h->section_table > 4096 ||
	    (uint64_t)h->n_sections * h->section_size > 4096 - h->section_table ||
	    h->section_size < sizeof(struct rdb_section))
		return -1;
	for (uint32_t i = 0; i < h->n_sections; i++) {
		const struct rdb_section *s =
			(const void *)(b + h->section_table + (size_t)i * h->section_size);

		if (s->id != RDB_SEC_NODES || s->entry_size < sizeof(struct rdb_node) ||
		    s->offset > len || s->count > (len - s->offset) / s->entry_size)
			continue;
		for (uint64_t k = 0; k < s->count; k++) {
			struct rdb_node *n = (void *)(b + s->offset + k * s->entry_size);

			if (n->op == RDB_OP_WMI_IN) {
				n->op = RDB_OP_FALSE;
				changed = 1;
			}
		}
	}
	return changed;
}

int main(int argc, char **argv)
{
	uint8_t *b = NULL;
	long len;
	FILE *f;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: rdb-tamper IN OUT\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) < 0 ||
	    !(b = aligned_alloc(8, ((size_t)len + 7) & ~(size_t)7)) ||
	    fread(b, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "rdb-tamper: cannot read %s\n", argv[1]);
		return 2;
	}
	fclose(f);
	r = tamper(b, (size_t)len);
	if (r <= 0) {
		fprintf(stderr, "rdb-tamper: %s: %s\n", argv[1],
			r < 0 ? "not a database" : "no wmi condition to change");
		return r < 0 ? 2 : 1;
	}
	if (rdb_test_reseal(b, (size_t)len) < 0) {
		fprintf(stderr, "rdb-tamper: %s: cannot recompute the hashes\n", argv[1]);
		return 2;
	}
	f = fopen(argv[2], "wb");
	if (!f || fwrite(b, 1, (size_t)len, f) != (size_t)len || fclose(f) != 0) {
		fprintf(stderr, "rdb-tamper: cannot write %s\n", argv[2]);
		return 2;
	}
	free(b);
	return 0;
}
