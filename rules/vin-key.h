/* SPDX-License-Identifier: MIT */
/*
 * VIN key packing: VIN characters as base-33 digits over the VIN alphabet (vin_char_value), so
 * packed keys sort like the strings.  The compiler and the matcher must pack alike, or the
 * indexes silently miss: hence one file, used by both.
 */
#ifndef RECALL_RULES_VIN_KEY_H
#define RECALL_RULES_VIN_KEY_H

#include <stdint.h>

/* Index keys: a packed WMI (< 33^3), or RDB_KEY5_BASE + VIN positions 1-5 packed. */
#define RDB_KEY5_BASE (33u * 33 * 33)
#define RDB_KEY_MAX (RDB_KEY5_BASE + 33u * 33 * 33 * 33 * 33)

#define RDB_PREFIX_LIMIT 50542106513726817ull	/* 33^11: packed prefixes are below */

/* Packing: base 33 over the VIN alphabet (vin_char_value), so keys sort like the strings. */
uint32_t rdb_pack_wmi(const char *wmi);
uint32_t rdb_pack_key5(const char *vin); /* positions 1-5, as an index key (RDB_KEY5_BASE + ...) */
uint64_t rdb_pack_prefix(const char *vin);	/* positions 1-11: 33^11 < 2^56 */
uint32_t rdb_pack_suffix(const char *vin);	/* positions 12-17: 33^6 < 2^31 */
void rdb_unpack_wmi(uint32_t v, char out[4]);

/* VIN alphabet values plus one, 1..33 ('0'-'9', 'A'-'Z' without I, O, Q; lower case read as
 * upper); 0 for every other byte. */
extern const uint8_t rdb_vin_value1[256];

/*
 * One pass over 17 characters for the list readers: upper-cased copy into UP (17 bytes, no NUL),
 * positions 1-11 and 12-17 packed.  Returns 0, or the 1-based position of the first character
 * outside the alphabet (then the keys are not set).
 */
static inline unsigned int rdb_vin_pack(const char *s, char *up, uint64_t *prefix,
					uint32_t *suffix)
{
	uint64_t p = 0;
	uint32_t x = 0;

	for (unsigned int i = 0; i < 17; i++) {
		int v = (int)rdb_vin_value1[(unsigned char)s[i]] - 1;

		if (v < 0)
			return i + 1;
		up[i] = s[i] >= 'a' ? (char)(s[i] - 'a' + 'A') : s[i];
		if (i < 11)
			p = p * 33 + (uint64_t)v;
		else
			x = x * 33 + (uint32_t)v;
	}
	*prefix = p;
	*suffix = x;
	return 0;
}

#endif
