/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Message catalogues: a bounded reader of GNU .mo files and the languages built into the library
 * (plugin/i18n.h says why not glibc's gettext).
 *
 * .mo layout (GNU gettext manual, "The Format of GNU MO Files"): magic 0x950412de in the file's
 * byte order, revision, N, offset of the originals' table, offset of the translations' table
 * (each N entries of {length, offset}; every string NUL-terminated at offset + length), and an
 * optional hash table this reader does not use: the originals are sorted, so a binary search
 * finds a key.  Every offset and length is checked once at init, the order of the originals too,
 * so a lookup trusts nothing it has not seen checked.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "plugin/i18n.h"

#define MO_MAGIC 0x950412deu
#define MO_HEADER 28

/* The plural rules this reader knows, by their Plural-Forms text without blanks.  A catalogue
 * with another rule is refused at init (add the rule here with the language). */
enum { PLURAL_NOT_ONE, PLURAL_GT_ONE, PLURAL_NONE };
static const struct {
	const char *text;
	unsigned int nplurals;
} plural_rules[] = {
	[PLURAL_NOT_ONE] = { "nplurals=2;plural=(n!=1);", 2 },	/* de, en, and most others */
	[PLURAL_GT_ONE] = { "nplurals=2;plural=(n>1);", 2 },	/* fr, pt_BR */
	[PLURAL_NONE] = { "nplurals=1;plural=0;", 1 },		/* ja, zh, ... */
};

static uint32_t get32(const struct i18n_mo *mo, size_t off)
{
	const unsigned char *p = mo->data + off;

	if (mo->swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The i-th string of a table; its length and offset were checked at init. */
static const char *entry(const struct i18n_mo *mo, unsigned int table, unsigned int i,
			 uint32_t *ret_len)
{
	if (ret_len)
		*ret_len = get32(mo, (size_t)table + 8u * i);
	return (const char *)mo->data + get32(mo, (size_t)table + 8u * i + 4);
}

static int check_table(const struct i18n_mo *mo, uint32_t table)
{
	if (table % 4 || table > mo->len || (mo->len - table) / 8 < mo->n)
		return -EBADMSG;
	for (unsigned int i = 0; i < mo->n; i++) {
		uint32_t len = get32(mo, (size_t)table + 8u * i);
		uint32_t off = get32(mo, (size_t)table + 8u * i + 4);

		if (off > mo->len || mo->len - off <= len || mo->data[off + len] != 0)
			return -EBADMSG;
	}
	return 0;
}

/* "Plural-Forms: nplurals=2; plural=(n != 1);\n" in the header entry. */
static int find_plural(struct i18n_mo *mo, const char *header, uint32_t len)
{
	static const char key[] = "Plural-Forms:";
	const char *p = header, *end = header + len;
	char text[64];
	size_t o = 0;

	mo->plural = PLURAL_NOT_ONE;
	mo->nplurals = 2;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if ((size_t)(le - p) >= sizeof(key) - 1 && strncasecmp(p, key, sizeof(key) - 1) == 0) {
			for (const char *q = p + sizeof(key) - 1; q < le; q++) {
				if (*q == ' ' || *q == '\t')
					continue;
				if (o + 1 >= sizeof(text))
					return -EBADMSG;
				text[o++] = *q;
			}
			text[o] = 0;
			for (size_t i = 0; i < sizeof(plural_rules) / sizeof(plural_rules[0]); i++) {
				if (strcmp(text, plural_rules[i].text) == 0) {
					mo->plural = (int)i;
					mo->nplurals = plural_rules[i].nplurals;
					return 0;
				}
			}
			return -EBADMSG;
		}
		p = le + 1;
	}
	return 0;	/* no Plural-Forms: gettext's default is n != 1 */
}

int i18n_mo_init(struct i18n_mo *mo, const void *data, size_t len)
{
	struct i18n_mo m = { .data = data, .len = len };
	uint32_t magic, rev;
	int r;

	if (!data || len < MO_HEADER || len > UINT32_MAX)
		return -EBADMSG;
	magic = get32(&m, 0);
	if (magic != MO_MAGIC) {
		m.swap = 1;
		if (get32(&m, 0) != MO_MAGIC)
			return -EBADMSG;
	}
	rev = get32(&m, 4);
	/* major revision 0, or 1 (system-dependent strings, kept in extra tables we ignore) */
	if (rev >> 16 > 1)
		return -EBADMSG;
	m.n = get32(&m, 8);
	m.orig = get32(&m, 12);
	m.trans = get32(&m, 16);
	if ((r = check_table(&m, m.orig)) < 0 || (r = check_table(&m, m.trans)) < 0)
		return r;
	/* sorted, unique originals: what the binary search relies on */
	for (unsigned int i = 1; i < m.n; i++)
		if (strcmp(entry(&m, m.orig, i - 1, NULL), entry(&m, m.orig, i, NULL)) >= 0)
			return -EBADMSG;
	if (m.n && entry(&m, m.orig, 0, NULL)[0] == 0) {
		uint32_t hlen;
		const char *h = entry(&m, m.trans, 0, &hlen);

		if ((r = find_plural(&m, h, hlen)) < 0)
			return r;
	} else {
		m.plural = PLURAL_NOT_ONE;
		m.nplurals = 2;
	}
	*mo = m;
	return 0;
}

static unsigned int plural_index(const struct i18n_mo *mo, unsigned long n)
{
	switch (mo->plural) {
	case PLURAL_GT_ONE:
		return n > 1;
	case PLURAL_NONE:
		return 0;
	default:
		return n != 1;
	}
}

const char *i18n_mo_lookup(const struct i18n_mo *mo, const char *key, int n_set, unsigned long n)
{
	unsigned int lo = 0, hi = mo->n, idx;
	const char *s, *end;
	uint32_t len;

	if (!*key)
		return NULL;	/* "" is the header, never a message */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		int c = strcmp(key, entry(mo, mo->orig, mid, NULL));

		if (c == 0) {
			s = entry(mo, mo->trans, mid, &len);
			end = s + len;
			idx = n_set ? plural_index(mo, n) : 0;
			/* forms are NUL-separated within len */
			while (idx--) {
				const char *z = memchr(s, 0, (size_t)(end - s));

				if (!z || z == end)
					return NULL;
				s = z + 1;
			}
			return *s ? s : NULL;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* ---- the languages ------------------------------------------------------------------------- */

/* msgfmt's output for po/LANG.po, made into C by plugin/i18n.mk */
extern const unsigned char i18n_mo_de[];
extern const size_t i18n_mo_de_len;

struct i18n {
	const char *code;
	const char *const *names;	/* other spellings, lower case */
	const unsigned char *mo_data;
	const size_t *mo_len;
	struct i18n_mo mo;
	int ok;				/* the catalogue passed i18n_mo_init */
};

static const char *const de_names[] = { "german", "deutsch", NULL };
static const char *const en_names[] = { "english", NULL };

static struct i18n langs[] = {
	{ .code = "de", .names = de_names, .mo_data = i18n_mo_de, .mo_len = &i18n_mo_de_len },
	{ .code = "en", .names = en_names },	/* the msgids */
};

static pthread_once_t langs_once = PTHREAD_ONCE_INIT;

static void langs_init(void)
{
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		if (langs[i].mo_data)
			langs[i].ok = i18n_mo_init(&langs[i].mo, langs[i].mo_data,
						   *langs[i].mo_len) == 0;
}

const struct i18n *i18n_default(void)
{
	pthread_once(&langs_once, langs_init);
	return &langs[0];
}

int i18n_get(const char *name, const struct i18n **ret)
{
	char low[32];
	size_t n;

	pthread_once(&langs_once, langs_init);
	if (!name || !*name) {
		*ret = &langs[0];
		return 0;
	}
	n = strlen(name);
	if (n >= sizeof(low))
		return -EINVAL;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		size_t cl = strlen(langs[i].code);

		/* "de", "de_DE", "de-AT", "de_DE.UTF-8", "de.UTF-8", "de@euro" */
		if (strncmp(low, langs[i].code, cl) == 0 && strchr("_-.@", low[cl] ? low[cl] : '_')) {
			*ret = &langs[i];
			return 0;
		}
		for (const char *const *a = langs[i].names; a && *a; a++)
			if (strcmp(low, *a) == 0) {
				*ret = &langs[i];
				return 0;
			}
	}
	return -EINVAL;
}

const char *i18n_code(const struct i18n *l)
{
	return l->code;
}

const char *i18n_known(void)
{
	return "de en";
}

const char *tr(const struct i18n *l, const char *msgid)
{
	const char *s = l && l->ok ? i18n_mo_lookup(&l->mo, msgid, 0, 0) : NULL;

	return s ? s : msgid;
}

const char *trp(const struct i18n *l, const char *ctx, const char *msgid)
{
	char key[256];
	const char *s = NULL;
	size_t cl = strlen(ctx), ml = strlen(msgid);

	if (l && l->ok && cl + 1 + ml < sizeof(key)) {
		memcpy(key, ctx, cl);
		key[cl] = '\x04';
		memcpy(key + cl + 1, msgid, ml + 1);
		s = i18n_mo_lookup(&l->mo, key, 0, 0);
	}
	return s ? s : msgid;
}

const char *trn(const struct i18n *l, const char *msgid, const char *plural, unsigned long n)
{
	const char *s = l && l->ok ? i18n_mo_lookup(&l->mo, msgid, 1, n) : NULL;

	return s ? s : (n == 1 ? msgid : plural);
}
