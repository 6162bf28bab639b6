/* Signed databases: keys, signatures, the trusted set and RDB_OPEN_REQUIRE_SIGNATURE.  The case
 * that matters most: someone who can write the file changes a verdict and recomputes every hash
 * (what defeated the old XXH3 checksum) — refused when signatures are required, whether the old
 * signature is left in place or stripped. */
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

#include "rules/rdb-format.h"
#include "rules/rdb.h"
#include "rules/rule.h"
#include "tests/lib/rdb-reseal.h"

static const char src[] =
	"campaign \"6112150100\" { title \"ConnectedDrive\"; recognition vehicle_diagnosis;\n"
	"  affected wmi in {\"WBY\"}; remedied when ecu 0x61 did 0xF189 >= \"15.2.0\"; }\n";

static char dir[] = "/tmp/test-rules-sign.XXXXXX";
static char key_a[128], pub_a[128], key_b[128], pub_b[128];
static char id_a[RDB_KEY_ID_LEN + 1], id_b[RDB_KEY_ID_LEN + 1];

static uint8_t *compile(size_t *len)
{
	struct rule_compiler *c;
	void *p = NULL;

	assert_int_equal(rule_compiler_new(RULE_NO_FILES, &c), 0);
	assert_int_equal(rule_compiler_add_source(c, "t.rules", src, strlen(src)), 0);
	assert_int_equal(rule_compiler_build(c, &p, len), 0);
	rule_compiler_free(c);
	return p;
}

static int setup(void **state)
{
	char name[128], err[RDB_ERR_MAX];

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(name, sizeof(name), "%s/a", dir);
	if (rdb_keygen(name, id_a, err, sizeof(err)) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s/b", dir);
	if (rdb_keygen(name, id_b, err, sizeof(err)) < 0)
		return -1;
	snprintf(key_a, sizeof(key_a), "%s/a.key", dir);
	snprintf(pub_a, sizeof(pub_a), "%s/a.pub", dir);
	snprintf(key_b, sizeof(key_b), "%s/b.key", dir);
	snprintf(pub_b, sizeof(pub_b), "%s/b.pub", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int open_with(const uint8_t *b, size_t len, unsigned int flags,
		     const struct rdb_trust *t, struct rdb_info *info, char *err, size_t errlen)
{
	struct rdb_open_opts o = { .flags = flags, .trust = t };
	struct rdb *db;
	int r;

	err[0] = 0;
	r = rdb_open_buffer_with(b, len, &o, &db, err, errlen);
	if (r == 0) {
		static char name[64];

		if (info) {
			/* the facts point into the handle: keep the name past rdb_close */
			assert_int_equal(rdb_get_info(db, info), 0);
			snprintf(name, sizeof(name), "%s", info->signer_name);
			info->signer_name = name;
			info->path = NULL;
			info->tool_version = NULL;
		}
		rdb_close(db);
	}
	return r;
}

static void test_keygen(void **state)
{
	char name[128], err[RDB_ERR_MAX], id[RDB_KEY_ID_LEN + 1];
	struct stat st;

	(void)state;
	assert_int_equal(stat(key_a, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);	/* the secret key is nobody else's */
	assert_int_equal(stat(pub_a, &st), 0);
	assert_int_equal(strlen(id_a), RDB_KEY_ID_LEN);
	assert_string_not_equal(id_a, id_b);
	/* never overwrites a key */
	snprintf(name, sizeof(name), "%s/a", dir);
	assert_int_equal(rdb_keygen(name, id, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "exists, not overwritten"));
}

static void test_sign_and_trust(void **state)
{
	char err[RDB_ERR_MAX], id[RDB_KEY_ID_LEN + 1];
	struct rdb_trust *t, *tb;
	struct rdb_info info;
	size_t len;
	uint8_t *img = compile(&len);

	(void)state;
	assert_int_equal(rdb_trust_new(&t), 0);
	assert_int_equal(rdb_trust_add_file(t, pub_a, err, sizeof(err)), 0);
	assert_int_equal(rdb_trust_count(t), 1);
	assert_int_equal(rdb_trust_new(&tb), 0);
	assert_int_equal(rdb_trust_add_file(tb, pub_b, err, sizeof(err)), 0);

	/* unsigned: fine unless a signature is required */
	assert_int_equal(open_with(img, len, 0, t, &info, err, sizeof(err)), 0);
	assert_int_equal(info.signer, RDB_SIGNER_NONE);
	assert_int_equal(open_with(img, len, RDB_OPEN_REQUIRE_SIGNATURE, t, NULL, err,
				   sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, "not signed"));

	/* signed by a: trusted where a.pub is, named with its id; refused where only b is */
	assert_int_equal(rdb_sign_image(img, len, key_a, id, err, sizeof(err)), 0);
	assert_string_equal(id, id_a);
	assert_int_equal(open_with(img, len, RDB_OPEN_REQUIRE_SIGNATURE, t, &info, err,
				   sizeof(err)), 0);
	assert_int_equal(info.signer, RDB_SIGNER_TRUSTED);
	assert_string_equal(info.key_id, id_a);
	assert_string_equal(info.signer_name, "a");
	assert_int_equal(open_with(img, len, 0, NULL, &info, err, sizeof(err)), 0);
	assert_int_equal(info.signer, RDB_SIGNER_UNTRUSTED);
	assert_string_equal(info.key_id, id_a);
	assert_int_equal(open_with(img, len, RDB_OPEN_REQUIRE_SIGNATURE, tb, NULL, err,
				   sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, id_a));
	assert_non_null(strstr(err, "not a trusted key"));

	/* a damaged signature is damage, signature required or not */
	img[offsetof(struct rdb_header, signature) + 5] ^= 1;
	assert_int_equal(open_with(img, len, 0, t, NULL, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "does not verify"));
	img[offsetof(struct rdb_header, signature) + 5] ^= 1;
	assert_int_equal(open_with(img, len, 0, t, NULL, err, sizeof(err)), 0);

	/* signing again with another key replaces the seal, nothing else */
	assert_int_equal(rdb_sign_image(img, len, key_b, id, err, sizeof(err)), 0);
	assert_string_equal(id, id_b);
	assert_int_equal(open_with(img, len, RDB_OPEN_REQUIRE_SIGNATURE, tb, &info, err,
				   sizeof(err)), 0);
	assert_string_equal(info.signer_name, "b");

	rdb_trust_free(t);
	rdb_trust_free(tb);
	free(img);
}

/* The WBY campaign's `affected` turned into `false`: a ConnectedDrive car would read
 * not_affected.  Every hash recomputed, as an attacker with write access would. */
static void tamper(uint8_t *b, size_t len)
{
	struct rdb_header *h = (struct rdb_header *)b;

	for (uint32_t i = 0; i < h->n_sections; i++) {
		struct rdb_section *s = (struct rdb_section *)(b + h->section_table) + i;

		if (s->id != RDB_SEC_NODES)
			continue;
		for (uint64_t k = 0; k < s->count; k++) {
			struct rdb_node *n = (struct rdb_node *)(b + s->offset + k * s->entry_size);

			if (n->op == RDB_OP_WMI_IN)
				n->op = RDB_OP_FALSE;
		}
	}
	assert_int_equal(rdb_test_reseal(b, len), 0);
}

static int verdict(const uint8_t *b, size_t len)
{
	struct rdb_vehicle v = { .vin = "WBY1Z41060V512345" };
	struct rdb_result res[2];
	char err[RDB_ERR_MAX];
	struct rdb *db;
	int n;

	assert_int_equal(rdb_open_buffer(b, len, &db, err, sizeof(err)), 0);
	n = rdb_match(db, &v, RDB_MATCH_ALL, res, 2);
	rdb_close(db);
	assert_int_equal(n, 1);
	return (int)res[0].verdict;
}

static void test_resealed_refused(void **state)
{
	char err[RDB_ERR_MAX];
	struct rdb_trust *t;
	size_t len;
	uint8_t *img = compile(&len), *stripped;

	(void)state;
	assert_int_equal(rdb_trust_new(&t), 0);
	assert_int_equal(rdb_trust_add_file(t, pub_a, err, sizeof(err)), 0);
	assert_int_equal(verdict(img, len), RDB_VERDICT_UNDETERMINED);	/* remedy not read */
	assert_int_equal(rdb_sign_image(img, len, key_a, NULL, err, sizeof(err)), 0);

	/* resealed with the old signature left in place: the signature no longer verifies */
	tamper(img, len);
	assert_int_equal(open_with(img, len, RDB_OPEN_REQUIRE_SIGNATURE, t, NULL, err,
				   sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "does not verify"));
	assert_int_equal(open_with(img, len, 0, t, NULL, err, sizeof(err)), -EBADMSG);

	/* resealed and the signature stripped: an unsigned file, which the hashes alone accept —
	 * and the verdict it gives is the forged one — refused when signatures are required */
	stripped = aligned_alloc(8, len);
	assert_non_null(stripped);
	memcpy(stripped, img, len);
	memset(((struct rdb_header *)stripped)->signer_key, 0, 32);
	memset(((struct rdb_header *)stripped)->signature, 0, 64);
	assert_int_equal(verdict(stripped, len), RDB_VERDICT_NOT_AFFECTED);
	assert_int_equal(open_with(stripped, len, RDB_OPEN_REQUIRE_SIGNATURE, t, NULL, err,
				   sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, "not signed"));

	/* resealed and signed again by a key not trusted: refused too */
	assert_int_equal(rdb_sign_image(stripped, len, key_b, NULL, err, sizeof(err)), 0);
	assert_int_equal(open_with(stripped, len, RDB_OPEN_REQUIRE_SIGNATURE, t, NULL, err,
				   sizeof(err)), -EKEYREJECTED);
	free(stripped);
	rdb_trust_free(t);
	free(img);
}

static void test_trust_files(void **state)
{
	char path[512], err[RDB_ERR_MAX], sub[160];
	struct rdb_trust *t;
	FILE *f;

	(void)state;
	assert_int_equal(rdb_trust_new(&t), 0);
	/* a secret key is not a public one */
	assert_int_equal(rdb_trust_add_file(t, key_a, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "not a recalld public key file"));
	snprintf(path, sizeof(path), "%s/missing.pub", dir);
	assert_int_equal(rdb_trust_add_file(t, path, err, sizeof(err)), -ENOENT);
	/* a directory: every *.pub; a broken one is an error, not silently skipped */
	snprintf(sub, sizeof(sub), "%s/trusted", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(path, sizeof(path), "cp '%s' '%s' '%s/'", pub_a, pub_b, sub);
	assert_int_equal(system(path), 0);
	assert_int_equal(rdb_trust_add_dir(t, sub, err, sizeof(err)), 0);
	assert_int_equal(rdb_trust_count(t), 2);
	snprintf(path, sizeof(path), "%s/broken.pub", sub);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("RCLLPUB1 not-base64!\n", f);
	fclose(f);
	assert_int_equal(rdb_trust_add_dir(t, sub, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "broken.pub"));
	rdb_trust_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keygen),
		cmocka_unit_test(test_sign_and_trust),
		cmocka_unit_test(test_resealed_refused),
		cmocka_unit_test(test_trust_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
