/* SPDX-License-Identifier: MIT */
/*
 * VIN decoding (ISO 3779 structure, ISO 3780 WMI, 49 CFR 565 check digit and model year).
 * The WMI table lists assignments as published in SAE's WMI register extracts used by NHTSA's
 * vPIC and by the makers' own VIN guides (rules/README.md "WMI table"); it is deliberately a
 * table of known-good entries, not a guess from the first two characters.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/vin.h"

/* 49 CFR 565.15(c): transliteration of letters; 0 marks letters not allowed (I, O, Q). */
static const unsigned char translit[26] = {
	1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 0, 7, 0, 9, 2, 3, 4, 5, 6, 7, 8, 9,
};
static const unsigned char weight[VIN_LEN] = {
	8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2,
};
/* Position 10 codes for 1980..2009; the cycle repeats for 2010..2039 (565.15(a)). */
static const char year_codes[] = "ABCDEFGHJKLMNPRSTVWXY123456789";

struct wmi_entry {
	char wmi[4];
	const char *name;
	/* the maker group whose diagnostic addressing the car shares (rules/makes.c reads it) */
	const char *group;
};

/* Sorted by WMI (strcmp) for bsearch; a unit test keeps it sorted. */
static const struct wmi_entry wmi_table[] = {
	{ "1C3", "Chrysler", NULL },
	{ "1C4", "Chrysler (MPV)", NULL },
	{ "1C6", "Chrysler (truck)", NULL },
	{ "1FA", "Ford", NULL },
	{ "1FM", "Ford (MPV)", NULL },
	{ "1FT", "Ford (truck)", NULL },
	{ "1G1", "Chevrolet", NULL },
	{ "1GC", "Chevrolet (truck)", NULL },
	{ "1GM", "Pontiac", NULL },
	{ "1HG", "Honda (USA)", NULL },
	{ "1J4", "Jeep", NULL },
	{ "1N4", "Nissan (USA)", NULL },
	{ "1VW", "Volkswagen (USA)", "vw-group" },
	{ "2FA", "Ford (Canada)", NULL },
	{ "2HG", "Honda (Canada)", NULL },
	{ "2T1", "Toyota (Canada)", NULL },
	{ "3FA", "Ford (Mexico)", NULL },
	{ "3VW", "Volkswagen (Mexico)", "vw-group" },
	{ "4JG", "Mercedes-Benz (USA, SUV)", NULL },
	{ "4T1", "Toyota (USA)", NULL },
	{ "4US", "BMW (USA)", "bmw-group" },
	{ "5NP", "Hyundai (USA)", NULL },
	{ "5UX", "BMW (USA, SAV)", "bmw-group" },
	{ "5YJ", "Tesla", NULL },
	{ "5YM", "BMW M (USA, SAV)", "bmw-group" },
	{ "JF1", "Subaru", NULL },
	{ "JHM", "Honda", NULL },
	{ "JM1", "Mazda", NULL },
	{ "JN1", "Nissan", NULL },
	{ "JT2", "Toyota", NULL },
	{ "JTD", "Toyota", NULL },
	{ "KMH", "Hyundai", NULL },
	{ "KNA", "Kia", NULL },
	{ "LBV", "BMW Brilliance (China)", "bmw-group" },
	{ "LSV", "SAIC Volkswagen (China)", "vw-group" },
	{ "SAJ", "Jaguar", NULL },
	{ "SAL", "Land Rover", NULL },
	{ "SB1", "Toyota (UK)", NULL },
	{ "SCA", "Rolls-Royce", NULL },
	{ "SCC", "Lotus", NULL },
	{ "TMB", "Skoda", "vw-group" },
	{ "TRU", "Audi (Hungary)", "vw-group" },
	{ "VF1", "Renault", NULL },
	{ "VF3", "Peugeot", NULL },
	{ "VF7", "Citroen", NULL },
	{ "VNK", "Toyota (France)", NULL },
	{ "VSS", "SEAT", "vw-group" },
	{ "W0L", "Opel", NULL },
	{ "W0V", "Opel", NULL },
	{ "W1K", "Mercedes-Benz", NULL },
	{ "W1N", "Mercedes-Benz (SUV)", NULL },
	{ "WAU", "Audi", "vw-group" },
	{ "WB1", "BMW Motorrad", NULL },
	{ "WBA", "BMW", "bmw-group" },
	{ "WBS", "BMW M", "bmw-group" },
	{ "WBX", "BMW (SAV)", "bmw-group" },
	{ "WBY", "BMW i", "bmw-group" },
	{ "WDB", "Mercedes-Benz", NULL },
	{ "WDC", "Mercedes-Benz (SUV)", NULL },
	{ "WDD", "Mercedes-Benz", NULL },
	{ "WF0", "Ford (Germany)", NULL },
	{ "WME", "smart", NULL },
	{ "WMW", "MINI", "bmw-group" },
	{ "WP0", "Porsche", NULL },
	{ "WP1", "Porsche (SUV)", NULL },
	{ "WUA", "Audi Sport", "vw-group" },
	{ "WV1", "Volkswagen Commercial Vehicles", "vw-group" },
	{ "WV2", "Volkswagen (bus/van)", "vw-group" },
	{ "WVG", "Volkswagen (SUV)", "vw-group" },
	{ "WVW", "Volkswagen", "vw-group" },
	{ "X4X", "BMW (Avtotor, Russia)", "bmw-group" },
	{ "YS3", "Saab", NULL },
	{ "YV1", "Volvo", NULL },
	{ "ZAR", "Alfa Romeo", NULL },
	{ "ZFA", "Fiat", NULL },
	{ "ZFF", "Ferrari", NULL },
};

/* Value + 1 of each byte in the VIN alphabet, 0 outside it: every match decodes a VIN and packs
 * its index keys, one table load per character instead of five compares. */
#define D(c, v) [c] = (v) + 1
static const uint8_t char_value[256] = {
	D('0', 0), D('1', 1), D('2', 2), D('3', 3), D('4', 4), D('5', 5), D('6', 6), D('7', 7),
	D('8', 8), D('9', 9), D('A', 10), D('B', 11), D('C', 12), D('D', 13), D('E', 14),
	D('F', 15), D('G', 16), D('H', 17), D('J', 18), D('K', 19), D('L', 20), D('M', 21),
	D('N', 22), D('P', 23), D('R', 24), D('S', 25), D('T', 26), D('U', 27), D('V', 28),
	D('W', 29), D('X', 30), D('Y', 31), D('Z', 32),
};
#undef D

int vin_char_value(char c)
{
	return (int)char_value[(unsigned char)c] - 1;
}

/* The check digit of 17 characters already known to be in the VIN alphabet. */
static char check_digit_of(const char *vin)
{
	unsigned int sum = 0;

	for (size_t i = 0; i < VIN_LEN; i++) {
		char c = vin[i];
		unsigned int v = c <= '9' ? (unsigned int)(c - '0') : translit[c - 'A'];

		sum += v * weight[i];
	}
	sum %= 11;
	return sum == 10 ? 'X' : (char)('0' + sum);
}

bool vin_syntax_ok(const char *s, size_t len)
{
	if (!s || len != VIN_LEN)
		return false;
	for (size_t i = 0; i < VIN_LEN; i++)
		if (vin_char_value(s[i]) < 0)
			return false;
	return true;
}

char vin_check_digit(const char *vin)
{
	if (!vin_syntax_ok(vin, vin ? strnlen(vin, VIN_LEN + 1) : 0))
		return 0;
	return check_digit_of(vin);
}

static int wmi_cmp(const void *key, const void *elem)
{
	return strncmp(key, ((const struct wmi_entry *)elem)->wmi, 3);
}

const char *vin_manufacturer(const char *wmi)
{
	const struct wmi_entry *e;

	if (!wmi || strnlen(wmi, 3) < 3)
		return NULL;
	e = bsearch(wmi, wmi_table, sizeof(wmi_table) / sizeof(wmi_table[0]), sizeof(wmi_table[0]),
		    wmi_cmp);
	return e ? e->name : NULL;
}

const char *vin_make_group(const char *wmi)
{
	const struct wmi_entry *e;

	if (!wmi || strnlen(wmi, 3) < 3)
		return NULL;
	e = bsearch(wmi, wmi_table, sizeof(wmi_table) / sizeof(wmi_table[0]), sizeof(wmi_table[0]),
		    wmi_cmp);
	return e ? e->group : NULL;
}

/* ISO 3780 regions by the first character. */
static const char *region_of(char c)
{
	if (c >= 'A' && c <= 'C')
		return "Africa";
	if (c >= 'H' && c <= 'R')
		return "Asia";
	if (c >= 'S' && c <= 'Z')
		return "Europe";
	if (c >= '1' && c <= '5')
		return "North America";
	if (c == '6' || c == '7')
		return "Oceania";
	if (c == '8' || c == '9')
		return "South America";
	return NULL;
}

static bool north_america(char c)
{
	return c >= '1' && c <= '5';
}

size_t vin_model_years(const char *vin, int years[2])
{
	const char *y = vin[9] ? strchr(year_codes, vin[9]) : NULL;
	int base;

	if (!y)
		return 0;
	base = 1980 + (int)(y - year_codes);
	if (north_america(vin[0])) {
		/* 565.15(a)(2): position 7 numeric for 1980-2009, alphabetic from 2010. */
		years[0] = vin[6] >= 'A' ? base + 30 : base;
		return 1;
	}
	years[0] = base;
	years[1] = base + 30;
	return 2;
}

int vin_decode(const char *s, size_t len, struct vin_info *ret)
{
	struct vin_info vi = { 0 };

	if (!s || !ret)
		return -EINVAL;
	if (len != VIN_LEN)
		vi.errors |= VIN_ERR_LENGTH;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (vin_char_value(c) < 0) {
			vi.errors |= VIN_ERR_CHARSET;
			if (!vi.bad_pos)
				vi.bad_pos = (int)i + 1;
		}
		if (i < VIN_LEN)
			vi.vin[i] = c;
	}
	if (vi.errors) {
		/* Structure fields of a malformed VIN would be guesses; report none. */
		memset(vi.vin, 0, sizeof(vi.vin));
		vi.check_digit = VIN_CHECK_NOT_APPLICABLE;
		*ret = vi;
		return 0;
	}
	memcpy(vi.wmi, vi.vin, 3);
	vi.manufacturer = vin_manufacturer(vi.wmi);
	vi.region = region_of(vi.vin[0]);
	vi.check_expected = check_digit_of(vi.vin);
	if (vi.vin[8] == vi.check_expected)
		vi.check_digit = VIN_CHECK_OK;
	else if (north_america(vi.vin[0])) {
		vi.check_digit = VIN_CHECK_WRONG;
		vi.errors |= VIN_ERR_CHECK_DIGIT;
	} else
		vi.check_digit = VIN_CHECK_NOT_APPLICABLE;

	vi.n_model_years = vin_model_years(vi.vin, vi.model_years);
	vi.plant = vi.vin[10];
	memcpy(vi.serial, vi.vin + 11, 6);
	vi.valid = vi.errors == 0;
	*ret = vi;
	return 0;
}

const char *vin_check_name(enum vin_check c)
{
	switch (c) {
	case VIN_CHECK_OK:
		return "ok";
	case VIN_CHECK_WRONG:
		return "wrong";
	case VIN_CHECK_NOT_APPLICABLE:
		return "not_applicable";
	}
	return NULL;
}

const char *vin_error_name(unsigned int bit)
{
	switch (bit) {
	case VIN_ERR_LENGTH:
		return "length";
	case VIN_ERR_CHARSET:
		return "charset";
	case VIN_ERR_CHECK_DIGIT:
		return "check_digit";
	}
	return NULL;
}

size_t vin_wmi_table_size(void)
{
	return sizeof(wmi_table) / sizeof(wmi_table[0]);
}

const char *vin_wmi_table_key(size_t i)
{
	return i < vin_wmi_table_size() ? wmi_table[i].wmi : NULL;
}
