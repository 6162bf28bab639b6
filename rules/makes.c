/* SPDX-License-Identifier: MIT */
/*
 * Make profiles: per maker group, which ECUs to ask physically besides discovery and which DIDs to
 * read.  Data next to the WMI -> group table (rules/vin.c), not code paths in can/: can/ reads any
 * plan it is given and holds no OEM policy.  ECU keys as can/ident.h defines them.
 *
 * Why a C table and not rules compiled into the database (../shared/ARCHITECTURE.md's other
 * option): the rule compiler and the database format are being reworked at the same time
 * (issue 11); a table here is complete now, tested, and can become database content later
 * without changing what plugin/ asks of it (vin_read_profile()).
 *
 * The entries are examples of publicly documented addressing, not manufacturer data: an ECU that
 * is not there costs one probe frame and is not read (profile ECUs are read only when they
 * answer); a DID an ECU lacks is answered requestOutOfRange.
 */
#include <stdint.h>
#include <string.h>

#include "rules/vin.h"

#define PAIR(req, resp) (0x80000000u | (uint32_t)(req) << 16 | (uint32_t)(resp))
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ISO 14229-1 C.1: spare part number, software version, serial, system supplier's software
 * version — the identification a recall's remedy is judged by. */
static const uint16_t uds_ident[] = { 0xF187, 0xF189, 0xF18C, 0xF195 };

/*
 * BMW group (BMW, BMW M, BMW i, MINI, BMW US and Brilliance): D-CAN, extended addressing on
 * 0x6F1, whose functional request (0xDF) every ECU answers through the central gateway — so, as
 * before, no ECU needs naming: the profile is the identification DIDs (F18B: BMW's production
 * date, used by build-date rules).  Naming the usual addresses would cost every BMW a second
 * window for ECUs that already answered (measured: +200 ms under TCG).
 */
static const uint16_t bmw_dids[] = { 0xF187, 0xF189, 0xF18C, 0xF191, 0xF195, 0xF18B };

/*
 * Volkswagen group (VW, VW SUV/commercial, Audi, SEAT, Skoda, SAIC VW): UDS on 11-bit
 * request:response pairs (MQB/MLB), engine and gearbox on the OBD ids.  Gateway J533 and
 * instrument cluster J285 as in the issue and in public UDS address lists of these platforms;
 * the others likewise.
 */
static const struct vin_profile_ecu vw_ecus[] = {
	{ "obd11", 0x7E0, "engine (J623)" },
	{ "obd11", 0x7E1, "gearbox (J217)" },
	{ "uds11", PAIR(0x710, 0x77A), "gateway (J533)" },
	{ "uds11", PAIR(0x714, 0x77E), "instrument cluster (J285)" },
	{ "uds11", PAIR(0x713, 0x77D), "brakes / ABS (J104)" },
	{ "uds11", PAIR(0x715, 0x77F), "airbag (J234)" },
	{ "uds11", PAIR(0x712, 0x77C), "power steering (J500)" },
	{ "uds11", PAIR(0x70E, 0x778), "central electrics (J519)" },
};
/* F187 part number, F189 software version, F191 hardware number, F197 system name */
static const uint16_t vw_dids[] = { 0xF187, 0xF189, 0xF191, 0xF197 };

static const struct vin_read_profile profiles[] = {
	{ "bmw-group", "BMW D-CAN: every ECU answers the functional 0xDF; ISO 14229-1 DIDs + F18B",
	  NULL, 0, bmw_dids, N(bmw_dids) },
	{ "vw-group", "VW group MQB/MLB UDS request:response pairs as publicly documented",
	  vw_ecus, N(vw_ecus), vw_dids, N(vw_dids) },
	/* any other make: OBD discovery finds the ECUs; many answer UDS on the same ids */
	{ "generic-uds", "ISO 14229-1 C.1 identification DIDs on the ECUs discovery finds",
	  NULL, 0, uds_ident, N(uds_ident) },
};

const struct vin_read_profile *vin_read_profile(const char *vin)
{
	const char *g;

	if (!vin)
		return NULL;
	g = strnlen(vin, 3) == 3 ? vin_make_group(vin) : NULL;
	for (size_t i = 0; g && i < N(profiles); i++)
		if (strcmp(profiles[i].name, g) == 0)
			return &profiles[i];
	return &profiles[N(profiles) - 1];
}

size_t vin_read_profile_count(void)
{
	return N(profiles);
}

const struct vin_read_profile *vin_read_profile_at(size_t i)
{
	return i < N(profiles) ? &profiles[i] : NULL;
}
