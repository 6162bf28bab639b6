/* SPDX-License-Identifier: MIT */
/*
 * Text and date rules shared by the compiler and the reader, so a string or a date the compiler
 * refuses is refused the same way when a database (perhaps not from recallc) holds it, and a
 * date read from an ECU is held to the same calendar as a date written in a rule.
 */
#include <stdio.h>

#include "rules/rdb-format.h"

void rdb_ecu_format(uint64_t ecu, char *buf, size_t len)
{
	if (!buf || !len)
		return;
	if (ecu <= UINT32_MAX && (ecu & 0x80000000u) && !(ecu & 0x7800F800u))
		snprintf(buf, len, "0x%X:0x%X", (unsigned int)(ecu >> 16 & 0x7FF),
			 (unsigned int)(ecu & 0x7FF));
	else
		snprintf(buf, len, "0x%llX", (unsigned long long)ecu);
}

size_t rdb_utf8_len(const unsigned char *s, size_t avail)
{
	size_t n;
	uint32_t cp;

	if (!avail)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

size_t rdb_text_check(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n;

		if (s[i] >= 0x20 && s[i] < 0x7f) {
			i++;
			continue;
		}
		if (s[i] == '\n' || s[i] == '\t') {
			i++;
			continue;
		}
		if (s[i] < 0x80)
			return i;	/* C0 control or DEL: a terminal would act on it */
		n = rdb_utf8_len(s + i, len - i);
		/* C1 controls (U+0080-U+009F) are C2 80 .. C2 9F */
		if (!n || (n == 2 && s[i] == 0xC2 && s[i + 1] < 0xA0))
			return i;
		i += n;
	}
	return len;
}

bool rdb_date_valid(unsigned int y, unsigned int m, unsigned int d)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}
