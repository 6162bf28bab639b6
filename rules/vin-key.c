/* SPDX-License-Identifier: MIT */
/* VIN key packing (vin-key.h): one implementation for the compiler and the matcher. */
#include "rules/vin-key.h"
#include "rules/vin.h"

uint32_t rdb_pack_wmi(const char *wmi)
{
	return (uint32_t)(vin_char_value(wmi[0]) * 33 * 33 + vin_char_value(wmi[1]) * 33 +
			  vin_char_value(wmi[2]));
}

uint32_t rdb_pack_key5(const char *vin)
{
	uint32_t v = 0;

	for (int i = 0; i < 5; i++)
		v = v * 33 + (uint32_t)vin_char_value(vin[i]);
	return RDB_KEY5_BASE + v;
}

uint64_t rdb_pack_prefix(const char *vin)
{
	uint64_t v = 0;

	for (int i = 0; i < 11; i++)
		v = v * 33 + (uint64_t)vin_char_value(vin[i]);
	return v;
}

uint32_t rdb_pack_suffix(const char *vin)
{
	uint32_t v = 0;

	for (int i = 11; i < 17; i++)
		v = v * 33 + (uint32_t)vin_char_value(vin[i]);
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
