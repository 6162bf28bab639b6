/* SPDX-License-Identifier: MIT */
/*
 * Signing keys and database signatures: Ed25519 from libsodium.
 *
 * Key files are text, one key each, in the manner of signify/minisign:
 *   NAME.pub   "# recalld public key NAME, key id 0123456789abcdef" and "RCLLPUB1 <base64 of 32>"
 *   NAME.key   "# recalld secret key ..." and "RCLLSEC1 <base64 of 64>", mode 0600
 * A key id is the first 8 bytes of BLAKE2b-256 of the public key, in hex: computed, never taken
 * from the file, so a file cannot claim another key's id.
 *
 * A signature is over RDB_SIGN_CONTEXT || root hash (rdb-format.h); the root covers every byte of
 * the database except the seal, so signing changes nothing but the seal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "rules/rdb-format.h"
#include "rules/rdb-trust.h"

#define PUB_TAG "RCLLPUB1 "
#define SEC_TAG "RCLLSEC1 "
#define KEYFILE_MAX 4096

struct trusted {
	uint8_t pk[32];
	char *name;
};

struct rdb_trust {
	struct trusted *keys;
	size_t n;
};

static int fail(char *errbuf, size_t errlen, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *errbuf, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	if (errbuf && errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

static void key_id(const uint8_t pk[32], char out[RDB_KEY_ID_LEN + 1])
{
	uint8_t h[RDB_HASH_LEN];

	rdb_hash(pk, 32, h);
	sodium_bin2hex(out, RDB_KEY_ID_LEN + 1, h, RDB_KEY_ID_LEN / 2);
}

/* The one key line of a key file: TAG then base64 of exactly LEN bytes. */
static int read_key(const char *path, const char *tag, uint8_t *key, size_t len, char *errbuf,
		    size_t errlen)
{
	char buf[KEYFILE_MAX + 1], *line, *save = NULL;
	size_t got = 0, n_keys = 0;
	ssize_t k;
	int fd, r = 0;

	/* a key file: a FIFO or device there must not hang the daemon's (re)load */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fail(errbuf, errlen, -errno, "%s: %s", path, strerror(errno));
	{
		struct stat st;

		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return fail(errbuf, errlen, -EMEDIUMTYPE, "%s: not a regular file", path);
		}
	}
	while (got < sizeof(buf) - 1 && (k = read(fd, buf + got, sizeof(buf) - 1 - got)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			close(fd);
			return fail(errbuf, errlen, r, "%s: %s", path, strerror(-r));
		}
		got += (size_t)k;
	}
	close(fd);
	if (got == sizeof(buf) - 1 || memchr(buf, 0, got))
		return fail(errbuf, errlen, -EBADMSG, "%s: not a recalld key file", path);
	buf[got] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t bin_len = 0, l = strlen(line);

		if (l && line[l - 1] == '\r')
			line[--l] = 0;
		if (!l || line[0] == '#')
			continue;
		if (strncmp(line, tag, strlen(tag)) != 0 || n_keys++ ||
			sodium_base642bin(key, len, line + strlen(tag), l - strlen(tag), NULL,
				&bin_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
			bin_len != len) {
			sodium_memzero(buf, sizeof(buf));
			return fail(errbuf, errlen, -EBADMSG, "%s: not a recalld %s key file", path,
				    tag[4] == 'P' ? "public" : "secret");
		}
	}
	sodium_memzero(buf, sizeof(buf));
	if (!n_keys)
		return fail(errbuf, errlen, -EBADMSG, "%s: no key in the file", path);
	return 0;
}

int rdb_trust_new(struct rdb_trust **ret)
{
	if (!ret)
		return -EINVAL;
	if (sodium_init() < 0)
		return -ENOSYS;
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

struct rdb_trust *rdb_trust_free(struct rdb_trust *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		free(t->keys[i].name);
	free(t->keys);
	free(t);
	return NULL;
}

size_t rdb_trust_count(const struct rdb_trust *t)
{
	return t ? t->n : 0;
}

const char *rdb_trust_find(const struct rdb_trust *t, const uint8_t pk[32])
{
	for (size_t i = 0; t && i < t->n; i++)
		if (sodium_memcmp(t->keys[i].pk, pk, 32) == 0)
			return t->keys[i].name;
	return NULL;
}

int rdb_trust_add_file(struct rdb_trust *t, const char *path, char *errbuf, size_t errlen)
{
	const char *base;
	uint8_t pk[32];
	size_t bl;
	void *p;
	int r;

	if (!t || !path)
		return -EINVAL;
	r = read_key(path, PUB_TAG, pk, sizeof(pk), errbuf, errlen);
	if (r < 0)
		return r;
	if (rdb_trust_find(t, pk))
		return 0;
	p = realloc(t->keys, (t->n + 1) * sizeof(*t->keys));
	if (!p)
		return -ENOMEM;
	t->keys = p;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	bl = strlen(base);
	if (bl > 4 && strcmp(base + bl - 4, ".pub") == 0)
		bl -= 4;
	t->keys[t->n].name = strndup(base, bl);
	if (!t->keys[t->n].name)
		return -ENOMEM;
	memcpy(t->keys[t->n].pk, pk, sizeof(pk));
	t->n++;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rdb_trust_add_dir(struct rdb_trust *t, const char *dir, char *errbuf, size_t errlen)
{
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	DIR *d;
	int r = 0;

	if (!t || !dir)
		return -EINVAL;
	d = opendir(dir);
	if (!d)
		return fail(errbuf, errlen, -errno, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char **p;

		if (l <= 4 || strcmp(e->d_name + l - 4, ".pub") != 0 || e->d_name[0] == '.')
			continue;
		p = realloc(names, (n + 1) * sizeof(*names));
		if (!p) {
			r = -ENOMEM;
			break;
		}
		names = p;
		if (asprintf(&names[n], "%s/%s", dir, e->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	/* in name order, so the names shown for a key do not depend on the directory's order */
	if (!r && n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n && !r; i++)
		r = rdb_trust_add_file(t, names[i], errbuf, errlen);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int write_new(const char *path, mode_t mode, const char *text)
{
	size_t len = strlen(text), off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode), r = 0;

	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t k = write(fd, text + off, len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			break;
		}
		off += (size_t)k;
	}
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (r)
		unlink(path);
	return r;
}

int rdb_keygen(const char *name, char id[RDB_KEY_ID_LEN + 1], char *errbuf, size_t errlen)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	char kid[RDB_KEY_ID_LEN + 1], *keyp = NULL, *pubp = NULL, *text = NULL;
	int r;

	if (!name || !*name)
		return -EINVAL;
	if (sodium_init() < 0)
		return fail(errbuf, errlen, -ENOSYS, "libsodium cannot start");
	if (asprintf(&keyp, "%s.key", name) < 0 || asprintf(&pubp, "%s.pub", name) < 0) {
		r = -ENOMEM;
		goto out;
	}
	crypto_sign_keypair(pk, sk);
	key_id(pk, kid);
	sodium_bin2base64(b64, sizeof(b64), sk, sizeof(sk), sodium_base64_VARIANT_ORIGINAL);
	if (asprintf(&text, "# recalld secret key %s, key id %s: keep it secret\n%s%s\n", name, kid,
		     SEC_TAG, b64) < 0) {
		r = -ENOMEM;
		goto out;
	}
	r = write_new(keyp, 0600, text);
	sodium_memzero(text, strlen(text));
	free(text);
	text = NULL;
	if (r < 0) {
		r = fail(errbuf, errlen, r, "%s: %s", keyp, r == -EEXIST ? "exists, not overwritten"
			 : strerror(-r));
		goto out;
	}
	sodium_bin2base64(b64, sizeof(b64), pk, sizeof(pk), sodium_base64_VARIANT_ORIGINAL);
	if (asprintf(&text, "# recalld public key %s, key id %s\n%s%s\n", name, kid, PUB_TAG,
		     b64) < 0) {
		unlink(keyp);
		r = -ENOMEM;
		goto out;
	}
	r = write_new(pubp, 0666, text);
	if (r < 0) {
		unlink(keyp);
		r = fail(errbuf, errlen, r, "%s: %s", pubp, r == -EEXIST ? "exists, not overwritten"
			 : strerror(-r));
		goto out;
	}
	if (id)
		memcpy(id, kid, sizeof(kid));
out:
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(b64, sizeof(b64));
	free(text);
	free(keyp);
	free(pubp);
	return r;
}

int rdb_sign_image(void *image, size_t len, const char *keyfile, char id[RDB_KEY_ID_LEN + 1],
		   char *errbuf, size_t errlen)
{
	uint8_t sk[crypto_sign_SECRETKEYBYTES], msg[sizeof(RDB_SIGN_CONTEXT) - 1 + RDB_HASH_LEN];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
	struct rdb_header *h = image;
	struct rdb *db = NULL;
	char err[RDB_ERR_MAX];
	int r;

	if (!image || !keyfile || len < sizeof(*h) || (uintptr_t)image % RDB_ALIGN)
		return -EINVAL;
	/* sign only what verifies: a root that does not match would be signed garbage */
	memset(h->signer_key, 0, sizeof(h->signer_key));
	memset(h->signature, 0, sizeof(h->signature));
	r = rdb_open_buffer(image, len, &db, err, sizeof(err));
	if (r < 0)
		return fail(errbuf, errlen, r, "%s", err);
	rdb_close(db);
	r = read_key(keyfile, SEC_TAG, sk, sizeof(sk), errbuf, errlen);
	if (r < 0)
		return r;
	/* the file holds seed and public key: they must belong together, or the signature would
	 * name a key that did not make it */
	crypto_sign_seed_keypair(pk, sk2, sk);
	sodium_memzero(sk2, sizeof(sk2));
	if (sodium_memcmp(pk, sk + crypto_sign_SEEDBYTES, sizeof(pk)) != 0) {
		sodium_memzero(sk, sizeof(sk));
		return fail(errbuf, errlen, -EBADMSG, "%s: damaged secret key (its two halves "
			    "disagree)", keyfile);
	}
	memcpy(msg, RDB_SIGN_CONTEXT, sizeof(RDB_SIGN_CONTEXT) - 1);
	memcpy(msg + sizeof(RDB_SIGN_CONTEXT) - 1, h->root, RDB_HASH_LEN);
	crypto_sign_detached(h->signature, NULL, msg, sizeof(msg), sk);
	memcpy(h->signer_key, sk + crypto_sign_SEEDBYTES, 32);
	sodium_memzero(sk, sizeof(sk));
	if (id)
		key_id(h->signer_key, id);
	return 0;
}
