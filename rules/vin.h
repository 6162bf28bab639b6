/* SPDX-License-Identifier: MIT */
/*
 * rules/vin.h — Vehicle Identification Numbers (ISO 3779/3780, 49 CFR 565): structure, allowed
 * characters, check digit, model year, plant, serial and WMI -> manufacturer.  No I/O.
 *
 * Check digit (position 9): mandatory for vehicles for North America (WMI starting 1-5), so a wrong
 * one makes such a VIN invalid; elsewhere it is informative: a matching digit reads "ok", anything
 * else "not_applicable" (European makers may leave it unused) and the VIN stays valid.
 *
 * Model year (position 10): the 30-year cycle of 49 CFR 565.15 repeats the codes (A = 1980 and
 * 2010).  For North America position 7 disambiguates (digit: 1980-2009, letter: 2010-2039).
 * Elsewhere both candidates are returned; '0', 'Z' or another non-year code gives no candidate
 * (model year unknown — valid VIN, as European makers often do).
 */
#ifndef RECALL_RULES_VIN_H
#define RECALL_RULES_VIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIN_LEN 17

/* Error bits in vin_info.errors; vin_error_name() gives the JSON word. */
enum {
	VIN_ERR_LENGTH      = 1u << 0,	/* not 17 characters */
	VIN_ERR_CHARSET     = 1u << 1,	/* a character outside 0-9 A-Z, or I, O, Q */
	VIN_ERR_CHECK_DIGIT = 1u << 2,	/* North America: position 9 does not match */
};

enum vin_check {
	VIN_CHECK_OK = 0,		/* "ok" */
	VIN_CHECK_WRONG,		/* "wrong" (North America only) */
	VIN_CHECK_NOT_APPLICABLE,	/* "not_applicable" */
};

struct vin_info {
	char vin[VIN_LEN + 1];		/* upper-cased copy when 17 chars long, else "" */
	bool valid;
	unsigned int errors;		/* VIN_ERR_* */
	int bad_pos;			/* 1-based position of the first bad character, 0 if none */
	char wmi[4];
	const char *manufacturer;	/* static string, NULL when the WMI is not in the table */
	const char *region;		/* "Europe", "North America", ... from the first character */
	enum vin_check check_digit;
	char check_expected;		/* the digit position 9 should hold ('0'-'9', 'X') */
	size_t n_model_years;		/* 0 = unknown, 1, or 2 (ambiguous) */
	int model_years[2];		/* ascending */
	char plant;			/* position 11 */
	char serial[7];			/* positions 12-17 */
};

/* Decodes S (any length; not NUL-terminated needs len).  Returns 0 and fills *ret (also for an
 * invalid VIN, with errors set); -EINVAL only for NULL arguments. */
int vin_decode(const char *s, size_t len, struct vin_info *ret);

/* Model year candidates of 17 valid upper-case characters (position 10, and position 7 for North
 * America): 0, 1 or 2 of them into years, ascending. */
size_t vin_model_years(const char *vin, int years[2]);

/* True when S is 17 characters of the VIN alphabet (no check-digit test). */
bool vin_syntax_ok(const char *s, size_t len);

/* 49 CFR 565.15 transliteration/weights: '0'-'9' or 'X'; 0 when VIN is not 17 valid chars. */
char vin_check_digit(const char *vin);

/* Manufacturer for a 3-character WMI, NULL when unknown.  Table: see rules/README.md. */
const char *vin_manufacturer(const char *wmi);

/* The maker group of a WMI whose cars share diagnostic addressing ("bmw-group", "vw-group"),
 * NULL when none is known.  Same table as vin_manufacturer. */
const char *vin_make_group(const char *wmi);

/*
 * Make profiles (rules/makes.c): what to read from a car of a maker group besides discovery —
 * data, not code paths; plugin/ turns one into can/'s read plan.  ECU keys as can/ident.h and
 * rules/README.md define them (uds11 pair: 0x80000000 | REQ << 16 | RESP).
 */
struct vin_profile_ecu {
	const char *scheme;		/* "obd11", "bmw", "uds11", ... (can/'s words) */
	uint32_t ecu;
	const char *what;		/* e.g. "gateway (J533)" */
};

struct vin_read_profile {
	const char *name;		/* "bmw-group", "vw-group", "generic-uds" */
	const char *source;		/* where the entries come from */
	const struct vin_profile_ecu *ecus;	/* probed physically, read when they answer */
	size_t n_ecus;
	const uint16_t *dids;		/* read from every ECU of the car */
	size_t n_dids;
};

/* The profile for VIN (by its WMI's maker group), or the generic UDS profile; NULL for NULL. */
const struct vin_read_profile *vin_read_profile(const char *vin);
/* All profiles, for listings and tests. */
size_t vin_read_profile_count(void);
const struct vin_read_profile *vin_read_profile_at(size_t i);

const char *vin_check_name(enum vin_check c);
/* "length", "charset", "check_digit" for one bit; NULL otherwise. */
const char *vin_error_name(unsigned int bit);

/* The WMI table, for tests and listings: its size and the i-th WMI (sorted). */
size_t vin_wmi_table_size(void);
const char *vin_wmi_table_key(size_t i);

/* VIN alphabet value 0..32 (0-9, then A-Z without I, O, Q), or -1. */
int vin_char_value(char c);

#endif
