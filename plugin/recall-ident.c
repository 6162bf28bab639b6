// SPDX-License-Identifier: MIT
/* recall-ident: read a vehicle's identity (VIN, ECUs, identification DIDs) on a CAN interface. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "can/ident.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: recall-ident IFACE [--addressing auto|obd11|obd29|bmw] [--json] [--timeout MS]\n"
		"                    [--p2star MS] [--stmin HEX] [--did HEX]... [--ecu HEX]...\n"
		"\n"
		"Reads the identity of the car on the SocketCAN interface IFACE: the VIN (OBD-II service\n"
		"09 PID 02 and/or UDS DID F190, every ECU that reports it, and whether they agree), the\n"
		"ECUs that answer (address, addressing scheme, name) and their identification DIDs\n"
		"(F190 F187 F189 F18C F191 F195 F18B on BMW D-CAN, plus every --did), and every step\n"
		"that failed with the reason (timeout, negative response code, malformed reply, I/O).\n"
		"\n"
		"  --addressing S  obd11: ISO 15765-4 11-bit (0x7DF, 0x7E0-7 / 0x7E8-F)\n"
		"                  obd29: ISO 15765-4 29-bit (0x18DB33F1, 0x18DAxxF1 / 0x18DAF1xx)\n"
		"                  bmw:   BMW D-CAN extended addressing (0x6F1 + ECU byte, 0x600+ECU)\n"
		"                  auto:  obd11, then bmw, then obd29 (default); when OBD-II\n"
		"                         answers with a BMW-group VIN, or an --ecu is a D-CAN\n"
		"                         address, bmw is read too and merged\n"
		"  --timeout MS    P2: wait for each answer (default 50)\n"
		"  --p2star MS     P2*: wait after each responsePending (0x78) (default 5000)\n"
		"  --stmin HEX     STmin the tester asks for in its Flow Control, ISO 15765-2 byte:\n"
		"                  00-7F milliseconds, F1-F9 100-900 microseconds (default 00);\n"
		"                  for an ECU that drops frames sent back to back\n"
		"  --did HEX       read this DID too (e.g. --did F1A0), repeatable\n"
		"  --ecu HEX       also ask this ECU address physically (ECUs that ignore functional\n"
		"                  requests), repeatable; address as in the scheme (0x7E0, 0x10, 0x61)\n"
		"  --json          print JSON (keys iface, addressing, vin, vin_flags, vin_agree,\n"
		"                  vin_sources[], ecus[] {address, addressing, name, dids}, errors[],\n"
		"                  addressings[], ecus_not_read, errors_not_recorded)\n"
		"  --help          this text\n"
		"\n"
		"Exit: 0 a VIN was read; 1 no VIN (see the errors); 2 usage or the interface is not\n"
		"usable (missing, not CAN, down).\n");
}

static int parse_hex(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static void print_text(const struct ident *id)
{
	printf("%s: addressing %s\n", id->iface,
	       id->n_ecus ? ident_scheme_name(id->scheme) : "none");
	printf("VIN: %s%s%s\n", id->vin[0] ? id->vin : "(not read)",
	       (id->vin_flags & IDENT_VIN_INVALID) ? " [invalid]" : "",
	       id->n_sources > 1 ? (id->vin_agree ? " [all sources agree]" : " [SOURCES DISAGREE]")
				 : "");
	for (size_t i = 0; i < id->n_sources; i++)
		printf("  from ECU 0x%02X (%s): %s%s\n", id->sources[i].ecu,
		       id->sources[i].via == IDENT_VIA_OBD_0902 ? "service 09" : "DID F190",
		       id->sources[i].vin, id->sources[i].flags & IDENT_VIN_PADDED ? " (padded)" : "");
	for (size_t i = 0; i < id->n_ecus; i++) {
		const struct ident_ecu *e = &id->ecus[i];

		printf("ECU 0x%02X %s%s%s\n", e->address, ident_scheme_name(e->scheme),
		       e->name[0] ? " " : "", e->name);
		for (size_t j = 0; j < e->n_dids; j++) {
			const struct ident_did *d = &e->dids[j];

			if (d->status)
				continue;
			printf("  %04X = \"", d->did);
			for (size_t k = 0; k < d->len; k++)
				putchar(d->value[k] >= 0x20 && d->value[k] < 0x7F ? d->value[k] : '.');
			printf("\" (");
			for (size_t k = 0; k < d->len; k++)
				printf("%02X", d->value[k]);
			printf(")\n");
		}
	}
	for (size_t i = 0; i < id->n_errors; i++)
		fprintf(stderr, "%s\n", id->errors[i].message);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "addressing", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "p2star", required_argument, NULL, 'p' },
		{ "stmin", required_argument, NULL, 's' },
		{ "did", required_argument, NULL, 'd' },
		{ "ecu", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint16_t dids[IDENT_MAX_DIDS];
	uint32_t ecus[IDENT_MAX_ECUS];
	struct ident_config cfg;
	struct ident *id = NULL;
	unsigned long v;
	bool json = false;
	int c, r;

	ident_config_init(&cfg);
	while ((c = getopt_long(argc, argv, "a:jt:p:s:d:e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			r = ident_scheme_parse(optarg);
			if (r < 0) {
				fprintf(stderr, "recall-ident: error: unknown addressing '%s'\n", optarg);
				return 2;
			}
			cfg.scheme = (enum ident_scheme)r;
			break;
		case 'j':
			json = true;
			break;
		case 't':
		case 'p': {
			char *end;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || v == 0 || v > 600000) {
				fprintf(stderr, "recall-ident: error: bad milliseconds '%s'\n", optarg);
				return 2;
			}
			if (c == 't')
				cfg.timing.p2_ms = (unsigned int)v;
			else
				cfg.timing.p2star_ms = (unsigned int)v;
			break;
		}
		case 's':
			/* the reserved values (80-F0, FA-FF) would be refused by ident_read anyway;
			 * refused here with a clearer word */
			if (parse_hex(optarg, 0xFF, &v) < 0 || (v > 0x7F && (v < 0xF1 || v > 0xF9))) {
				fprintf(stderr, "recall-ident: error: bad STmin '%s' (00-7F ms, F1-F9 "
					"100-900 us)\n", optarg);
				return 2;
			}
			cfg.fc_stmin = (uint8_t)v;
			break;
		case 'd':
			if (parse_hex(optarg, 0xFFFF, &v) < 0 || cfg.n_dids >= IDENT_MAX_DIDS) {
				fprintf(stderr, "recall-ident: error: bad DID '%s'\n", optarg);
				return 2;
			}
			dids[cfg.n_dids++] = (uint16_t)v;
			cfg.dids = dids;
			break;
		case 'e':
			if (parse_hex(optarg, 0x7FF, &v) < 0 || cfg.n_ecus >= IDENT_MAX_ECUS) {
				fprintf(stderr, "recall-ident: error: bad ECU address '%s'\n", optarg);
				return 2;
			}
			ecus[cfg.n_ecus++] = (uint32_t)v;
			cfg.ecus = ecus;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	r = ident_read(argv[optind], &cfg, &id);
	if (r < 0) {
		fprintf(stderr, "recall-ident: %s: error: %s\n", argv[optind],
			r == -EPROTOTYPE ? "not a CAN interface" : strerror(-r));
		return 2;
	}
	if (json) {
		json_object *o = ident_to_json(id);

		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		for (size_t i = 0; i < id->n_errors; i++)
			fprintf(stderr, "%s\n", id->errors[i].message);
	} else {
		print_text(id);
	}
	r = id->vin[0] ? 0 : 1;
	ident_free(id);
	return r;
}
