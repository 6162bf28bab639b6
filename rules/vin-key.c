/* SPDX-License-Identifier: MIT */
/* VIN key packing (vin-key.h): one implementation for the compiler and the matcher. */
#include "rules/vin-key.h"
#include "rules/vin.h"

#define V(c, v) [c] = v, [c - 'A' + 'a'] = v
const uint8_t rdb_vin_value1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10,
	V('A', 11), V('B', 12), V('C', 13), V('D', 14), V('E', 15), V('F', 16), V('G', 17),
	V('H', 18), V('J', 19), V('K', 20), V('L', 21), V('M', 22), V('N', 23), V('P', 24),
	V('R', 25), V('S', 26), V('T', 27), V('U', 28), V('V', 29), V('W', 30), V('X', 31),
	V('Y', 32), V('Z', 33),
};
#undef V

/* Callers pass characters of the alphabet (checked before); upper or lower case. */
static inline int val(char c)
{
	return (int)rdb_vin_value1[(unsigned char)c] - 1;
}

uint32_t rdb_pack_wmi(const char *wmi)
{
	return (uint32_t)(val(wmi[0]) * 33 * 33 + val(wmi[1]) * 33 +
			  val(wmi[2]));
}

uint32_t rdb_pack_key5(const char *vin)
{
	uint32_t v = 0;

	for (int i = 0; i < 5; i++)
		v = v * 33 + (uint32_t)val(vin[i]);
	return RDB_KEY5_BASE + v;
}

uint64_t rdb_pack_prefix(const char *vin)
{
	uint64_t v = 0;

	for (int i = 0; i < 11; i++)
		v = v * 33 + (uint64_t)val(vin[i]);
	return v;
}

uint32_t rdb_pack_suffix(const char *vin)
{
	uint32_t v = 0;

	for (int i = 11; i < 17; i++)
		v = v * 33 + (uint32_t)val(vin[i]);
	return v;
}

void rdb_unpack_wmi(uint32_t v, char out[4])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

	out[2] = alphabet[v % 33];
	v /= 33;
	out[1] = alphabet[v % 33];
	v /= 33;
	out[0] = alphabet[v % 33];
	out[3] = 0;
}
