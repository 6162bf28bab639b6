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

#endif
