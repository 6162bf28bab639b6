/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The words of the technician's reports, per language, from gettext message catalogues
 * (po/LANG.po, compiled by msgfmt into .mo images that are built into the library).
 *
 * Why not glibc's gettext(): it takes the language from the process locale (setlocale, LANGUAGE),
 * which a library must not change, which is one per process (the daemon writes German reports
 * while a station asks for English), and which needs the locale generated on the machine
 * (de_DE.UTF-8 is not on a minimal Debian).  Here every call names its language, and the
 * catalogue is in the library, so a German report never depends on an installed file.  The
 * catalogues are still ordinary gettext: msgids in English in the sources, marked for xgettext,
 * German in po/de.po, checked by msgfmt (format strings) and by `make check` (every msgid of the
 * sources translated).
 *
 * English is the msgids themselves.  German is the default.
 */
#ifndef RECALL_I18N_H
#define RECALL_I18N_H

#include <stddef.h>

struct i18n;

/* The default language: German. */
const struct i18n *i18n_default(void);
/* "de", "en", also "de_DE.UTF-8", "en-GB", "English", "deutsch" (case-insensitive); NULL or ""
 * is the default.  -EINVAL for a language without a catalogue. */
int i18n_get(const char *name, const struct i18n **ret);
/* "de", "en" */
const char *i18n_code(const struct i18n *l);
/* The known languages, space-separated ("de en"), for messages. */
const char *i18n_known(void);

/* The translation of msgid (itself when the catalogue has none). */
const char *tr(const struct i18n *l, const char *msgid) __attribute__((format_arg(2)));
/* With a context (pgettext): the same English word that must be translated differently. */
const char *trp(const struct i18n *l, const char *ctx, const char *msgid)
	__attribute__((format_arg(3)));
/* Singular or plural form for n (ngettext). */
const char *trn(const struct i18n *l, const char *msgid, const char *plural, unsigned long n)
	__attribute__((format_arg(2))) __attribute__((format_arg(3)));

/* Marks a string for xgettext where it is defined (tables); translated where it is used. */
#define N_(s) s
#define NP_(ctx, s) s

/* ---- the .mo reader (also for tests and the fuzz target) ---------------------------------- */

struct i18n_mo {
	const unsigned char *data;
	size_t len;
	int swap;		/* big-endian file */
	unsigned int n;		/* strings */
	unsigned int orig, trans;	/* table offsets */
	unsigned int nplurals;
	int plural;		/* which plural rule (i18n.c) */
};

/* Checks a whole .mo image (every offset, length and terminating NUL, originals in order, a
 * Plural-Forms rule this reader knows) and fills mo; the image stays the caller's.  -EBADMSG
 * for anything wrong, never a crash. */
int i18n_mo_init(struct i18n_mo *mo, const void *data, size_t len);
/* key is msgid, or ctx "\x04" msgid; n selects the plural form (n_set false: singular).
 * NULL when absent or untranslated. */
const char *i18n_mo_lookup(const struct i18n_mo *mo, const char *key, int n_set,
			   unsigned long n);

#endif
