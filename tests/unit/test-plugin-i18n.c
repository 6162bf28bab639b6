/* The message catalogues (plugin/i18n.c): languages by their spellings, the German catalogue
 * built into the library, contexts and plural forms, and the .mo reader against damaged and
 * foreign images (every truncation, every byte flipped). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plugin/i18n.h"

extern const unsigned char i18n_mo_de[];
extern const size_t i18n_mo_de_len;

static void test_languages(void **state)
{
	static const struct {
		const char *name;
		const char *code;
	} rows[] = {
		{ NULL, "de" }, { "", "de" }, { "de", "de" }, { "DE", "de" }, { "de_DE", "de" },
		{ "de_DE.UTF-8", "de" }, { "de-AT", "de" }, { "de@euro", "de" }, { "Deutsch", "de" },
		{ "german", "de" }, { "en", "en" }, { "en_GB.UTF-8", "en" }, { "English", "en" },
		{ "fr", NULL }, { "d", NULL }, { "dex", NULL }, { "e", NULL }, { "english2", NULL },
		{ "de_DE.UTF-8.................................", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct i18n *l = NULL;
		int r = i18n_get(rows[i].name, &l);

		if (!rows[i].code) {
			if (r != -EINVAL)
				fail_msg("row %zu '%s': accepted", i, rows[i].name);
			continue;
		}
		if (r < 0)
			fail_msg("row %zu '%s': refused", i, rows[i].name);
		assert_string_equal(i18n_code(l), rows[i].code);
	}
	assert_string_equal(i18n_code(i18n_default()), "de");
}

static void test_catalogue(void **state)
{
	const struct i18n *de = i18n_default(), *en;

	(void)state;
	assert_int_equal(i18n_get("en", &en), 0);
	assert_string_equal(tr(de, "Vehicle"), "Fahrzeug");
	assert_string_equal(tr(en, "Vehicle"), "Vehicle");
	/* the same English word, different German in another context */
	assert_string_equal(trp(de, "verdict tag", "OPEN"), "OFFEN");
	assert_string_equal(trp(de, "verdict", "open"), "offen");
	assert_string_equal(trp(de, "DID", "software version"), "Softwareversion");
	assert_string_equal(trn(de, "%u open action", "%u open actions", 1), "%u offene Aktion");
	assert_string_equal(trn(de, "%u open action", "%u open actions", 2), "%u offene Aktionen");
	assert_string_equal(trn(de, "%u open action", "%u open actions", 0), "%u offene Aktionen");
	assert_string_equal(trn(en, "%u open action", "%u open actions", 1), "%u open action");
	assert_string_equal(trn(en, "%u open action", "%u open actions", 5), "%u open actions");
	/* the date notation is the catalogue's */
	assert_string_equal(tr(de, "%Y-%m-%d %H:%M"), "%d.%m.%Y, %H:%M Uhr");
	/* a message without a translation is its msgid: never NULL, never another message */
	assert_string_equal(tr(de, "no such message"), "no such message");
	assert_string_equal(trp(de, "no such context", "Vehicle"), "Vehicle");
	assert_string_equal(tr(de, ""), "");
}

static void test_mo_image(void **state)
{
	struct i18n_mo mo;
	size_t len = i18n_mo_de_len;
	uint8_t *img = malloc(len);

	(void)state;
	assert_non_null(img);
	memcpy(img, i18n_mo_de, len);
	assert_int_equal(i18n_mo_init(&mo, img, len), 0);
	assert_int_equal(mo.nplurals, 2);
	assert_string_equal(i18n_mo_lookup(&mo, "Vehicle", 0, 0), "Fahrzeug");
	assert_null(i18n_mo_lookup(&mo, "", 0, 0));
	/* every truncation is refused or read within what is left */
	for (size_t n = 0; n < len; n++) {
		uint8_t *t = malloc(n ? n : 1);

		memcpy(t, img, n);
		if (i18n_mo_init(&mo, t, n) == 0)
			(void)i18n_mo_lookup(&mo, "Vehicle", 1, 2);
		free(t);
	}
	/* every byte flipped: refused, or every lookup stays inside */
	for (size_t i = 0; i < len; i++) {
		img[i] ^= 0xFF;
		if (i18n_mo_init(&mo, img, len) == 0) {
			(void)i18n_mo_lookup(&mo, "Vehicle", 0, 0);
			(void)i18n_mo_lookup(&mo, "%u open action", 1, 2);
			(void)i18n_mo_lookup(&mo, "verdict tag\x04OPEN", 0, 0);
		}
		img[i] ^= 0xFF;
	}
	assert_int_equal(i18n_mo_init(&mo, NULL, 0), -EBADMSG);
	assert_int_equal(i18n_mo_init(&mo, img, 27), -EBADMSG);
	free(img);
}

/* A little image by hand: big-endian, a header with Plural-Forms, two messages. */
static size_t put32(uint8_t *p, size_t off, uint32_t v, int be)
{
	for (int i = 0; i < 4; i++)
		p[off + i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
	return off + 4;
}

/* tlen: the translations' lengths (a plural translation holds NULs); 0 = strlen */
static size_t build(uint8_t *img, const char *const *orig, const char *const *trans,
		    const size_t *tlen, unsigned int n, int be)
{
	size_t o = 0, str = 28 + 16u * n;

	o = put32(img, o, 0x950412de, be);
	o = put32(img, o, 0, be);
	o = put32(img, o, n, be);
	o = put32(img, o, 28, be);
	o = put32(img, o, 28 + 8 * n, be);
	o = put32(img, o, 0, be);
	o = put32(img, o, 0, be);
	for (unsigned int k = 0; k < 2; k++) {
		const char *const *tab = k ? trans : orig;

		for (unsigned int i = 0; i < n; i++) {
			size_t l = k && tlen && tlen[i] ? tlen[i] : strlen(tab[i]);

			o = put32(img, 28 + 8u * n * k + 8 * i, (uint32_t)l, be);
			(void)put32(img, o, (uint32_t)str, be);
			memcpy(img + str, tab[i], l + 1);
			str += l + 1;
		}
	}
	return str;
}

static void test_mo_handmade(void **state)
{
	static const char *const orig[] = { "", "apple", "cat" };
	static const char *const trans[] = {
		"Plural-Forms: nplurals=2; plural=(n > 1);\n", "pomme\0pommes", "chat" };
	static const size_t tlen[] = { 0, 12, 0 };
	static const char *const bad_plural[] = {
		"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : 2);\n", "x", "y" };
	static const char *const unsorted[] = { "", "cat", "apple" };
	uint8_t img[1024];
	struct i18n_mo mo;
	size_t len;

	(void)state;
	for (int be = 0; be < 2; be++) {
		memset(img, 0, sizeof(img));
		len = build(img, orig, trans, tlen, 3, be);
		assert_int_equal(i18n_mo_init(&mo, img, len), 0);
		assert_int_equal(mo.swap, be);
		assert_string_equal(i18n_mo_lookup(&mo, "cat", 0, 0), "chat");
		/* French: 0 and 1 are singular */
		assert_string_equal(i18n_mo_lookup(&mo, "apple", 1, 0), "pomme");
		assert_string_equal(i18n_mo_lookup(&mo, "apple", 1, 1), "pomme");
		assert_string_equal(i18n_mo_lookup(&mo, "apple", 1, 2), "pommes");
		assert_null(i18n_mo_lookup(&mo, "dog", 0, 0));
	}
	/* a plural rule this reader does not know is refused, not guessed */
	memset(img, 0, sizeof(img));
	len = build(img, orig, bad_plural, NULL, 3, 0);
	assert_int_equal(i18n_mo_init(&mo, img, len), -EBADMSG);
	/* the binary search needs sorted originals */
	memset(img, 0, sizeof(img));
	len = build(img, unsorted, trans, tlen, 3, 0);
	assert_int_equal(i18n_mo_init(&mo, img, len), -EBADMSG);
	/* a string not ended by its NUL */
	memset(img, 0, sizeof(img));
	len = build(img, orig, trans, tlen, 3, 0);
	img[len - 1] = 'x';
	assert_int_equal(i18n_mo_init(&mo, img, len), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_mo_image),
		cmocka_unit_test(test_mo_handmade),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
