// SPDX-License-Identifier: MIT
/*
 * The addressing schemes as one table.  Discovery, socket opening, the frame classifier, the
 * --help text and can/README.md all read these rows; adding a scheme is one row here (plus a
 * simulator profile).  No OEM policy: which schemes and ECUs a make needs is the plan's (plugin/).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/can.h>

#include "can/canbus-internal.h"

static const struct ident_scheme_desc schemes[IDENT_SCHEME_COUNT] = {
	[IDENT_SCHEME_OBD11] = {
		.name = "obd11",
		.summary = "ISO 15765-4 11-bit (0x7DF, 0x7E0-7 / 0x7E8-F)",
		.func_id = 0x7DF, .func_ext = -1,
		.tx_base = 0, .tx_mul = 1, .rx_base = 8, .rx_mul = 1,
		.addr_min = 0x7E0, .addr_max = 0x7E7, .addr_skip = -1, .rx_ext = -1,
		.probe = { 0x01, 0x00 }, .phys_probe = { 0x01, 0x00 },
		.obd09 = true, .fd_ok = true,
		.source = "ISO 15765-4:2021 6.3.2, SAE J1979",
	},
	[IDENT_SCHEME_OBD29] = {
		.name = "obd29",
		.summary = "ISO 15765-4 29-bit (0x18DB33F1, 0x18DAxxF1 / 0x18DAF1xx)",
		.eff = true,
		.func_id = 0x18DB33F1u, .func_ext = -1,
		.tx_base = 0x18DA00F1u, .tx_mul = 0x100, .rx_base = 0x18DAF100u, .rx_mul = 1,
		.addr_min = 0x00, .addr_max = 0xFF, .addr_skip = 0xF1, .rx_ext = -1,
		.probe = { 0x01, 0x00 }, .phys_probe = { 0x01, 0x00 },
		.obd09 = true, .fd_ok = true,
		.source = "ISO 15765-4:2021 6.3.3 (normal fixed addressing, tester 0xF1)",
	},
	[IDENT_SCHEME_BMW] = {
		.name = "bmw",
		.summary = "BMW D-CAN extended addressing (0x6F1 + ECU byte, 0x600+ECU)",
		.func_id = 0x6F1, .func_ext = 0xDF,
		.tx_base = 0x6F1, .tx_mul = 0, .rx_base = 0x600, .rx_mul = 1,
		.addr_min = 0x00, .addr_max = 0xFF, .addr_skip = 0xF1, .rx_ext = 0xF1,
		.ext_addr = true, .probe = { 0x3E, 0x00 }, .phys_probe = { 0x10, 0x01 },
		.uds_ident = true,
		.source = "BMW D-CAN (ISO 15765-2 extended addressing, tester 0xF1, all ECUs 0xDF)",
	},
	[IDENT_SCHEME_UDS11] = {
		.name = "uds11",
		.summary = "ISO 15765-2 normal addressing, ECU = 11-bit REQ:RESP pair (0x710:0x77A)",
		.pairs = true, .func_id = 0, .func_ext = -1,
		.addr_skip = -1, .rx_ext = -1,
		.probe = { 0x3E, 0x00 }, .phys_probe = { 0x10, 0x01 }, .uds_ident = true,
		.fd_ok = true,
		.source = "ISO 15765-2 normal addressing; the pairs are the make's (the plan's)",
	},
};

const struct ident_scheme_desc *ident_scheme_desc(enum ident_scheme s)
{
	return (unsigned int)s < IDENT_SCHEME_COUNT && s != IDENT_SCHEME_AUTO ? &schemes[s] : NULL;
}

const char *ident_scheme_name(enum ident_scheme s)
{
	if (s == IDENT_SCHEME_AUTO)
		return "auto";
	return ident_scheme_desc(s) ? schemes[s].name : "unknown";
}

int ident_scheme_parse(const char *word)
{
	if (!word)
		return -EINVAL;
	if (strcmp(word, "auto") == 0)
		return IDENT_SCHEME_AUTO;
	for (int i = 1; i < IDENT_SCHEME_COUNT; i++)
		if (strcmp(word, schemes[i].name) == 0)
			return i;
	return -EINVAL;
}

static bool pair_ok(uint32_t ecu)
{
	return ident_ecu_is_pair(ecu) && !(ecu & 0x7800F800u) &&
	       ident_ecu_pair_req(ecu) != ident_ecu_pair_resp(ecu);
}

bool ident_scheme_addr_ok(enum ident_scheme scheme, uint32_t ecu)
{
	const struct ident_scheme_desc *d = ident_scheme_desc(scheme);

	if (!d)
		return false;
	if (d->pairs)
		return pair_ok(ecu);
	return ecu >= d->addr_min && ecu <= d->addr_max && (d->addr_skip < 0 ||
							      ecu != (uint32_t)d->addr_skip);
}

int ident_scheme_ids(enum ident_scheme scheme, uint32_t ecu, uint32_t *tx, uint32_t *rx)
{
	const struct ident_scheme_desc *d = ident_scheme_desc(scheme);
	uint32_t flag;

	if (!d || !ident_scheme_addr_ok(scheme, ecu))
		return -EINVAL;
	flag = d->eff ? CAN_EFF_FLAG : 0;
	if (d->pairs) {
		*tx = ident_ecu_pair_req(ecu);
		*rx = ident_ecu_pair_resp(ecu);
		return 0;
	}
	*tx = (d->tx_base + ecu * d->tx_mul) | flag;
	*rx = (d->rx_base + ecu * d->rx_mul) | flag;
	return 0;
}

bool canbus_addr_ok(enum ident_scheme scheme, uint32_t ecu)
{
	return ident_scheme_addr_ok(scheme, ecu);
}

char *ident_ecu_format(uint32_t ecu, char *buf, size_t len)
{
	if (ident_ecu_is_pair(ecu))
		snprintf(buf, len, "0x%X:0x%X", ident_ecu_pair_req(ecu), ident_ecu_pair_resp(ecu));
	else
		snprintf(buf, len, "0x%02X", ecu);
	return buf;
}

static int hex_word(const char *s, size_t n, unsigned long max, unsigned long *ret)
{
	char buf[16], *end;
	unsigned long v;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == '-' || buf[0] == '+' || buf[0] == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno || end == buf || *end || v > max)
		return -EINVAL;
	/* "0x" alone is not a number */
	if ((buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) && n == 2)
		return -EINVAL;
	*ret = v;
	return 0;
}

int ident_ecu_parse(const char *s, uint32_t *ret)
{
	const char *colon;
	unsigned long a, b;

	if (!s || !ret)
		return -EINVAL;
	colon = strchr(s, ':');
	if (!colon) {
		/* 0x7FF: the largest single address any scheme has (obd11 request ids) */
		if (hex_word(s, strlen(s), 0x7FF, &a) < 0)
			return -EINVAL;
		*ret = (uint32_t)a;
		return 0;
	}
	if (hex_word(s, (size_t)(colon - s), 0x7FF, &a) < 0 ||
	    hex_word(colon + 1, strlen(colon + 1), 0x7FF, &b) < 0 || a == b)
		return -EINVAL;
	/* the OBD pairs are the obd11 ECUs themselves: one key for one ECU */
	if (a >= 0x7E0 && a <= 0x7E7 && b == a + 8)
		*ret = (uint32_t)a;
	else
		*ret = IDENT_ECU_PAIR(a, b);
	return 0;
}
