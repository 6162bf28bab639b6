// SPDX-License-Identifier: MIT
/* recall-ident: read a vehicle's identity (VIN, ECUs, identification DIDs) on a CAN interface. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "can/ident.h"
#include "plugin/cli.h"
#include "plugin/plan.h"
#include "plugin/recall-internal.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: recall-ident IFACE [--addressing auto|obd11|obd29|bmw|uds11] [--json]\n"
		"                    [--timeout MS] [--window MS] [--quiet MS] [--p2star MS]\n"
		"                    [--parallel N] [--stmin HEX] [--fd] [--no-profile]\n"
		"                    [--did HEX]... [--ecu ADDR]...\n"
		"\n"
		"Reads the identity of the car on the SocketCAN interface IFACE: the VIN (OBD-II service\n"
		"09 PID 02 and/or UDS DID F190, every ECU that reports it, and whether they agree), the\n"
		"ECUs that answer (address, addressing scheme, name) and their identification DIDs\n"
		"(F190 F187 F189 F18C F191 F195 F18B on UDS schemes, plus every --did), and every step\n"
		"that failed with the reason (timeout, negative response code, malformed reply, I/O).\n"
		"\n"
		"  --addressing S  one scheme, or auto (default): the functional requests of obd11, bmw\n"
		"                  and obd29 and the probes of every named ECU go out together, and\n"
		"                  every ECU that answers within the window is read.  Schemes:\n");
	for (int s = IDENT_SCHEME_OBD11; s < IDENT_SCHEME_COUNT; s++)
		fprintf(f, "                  %-6s %s\n", ident_scheme_name(s),
			ident_scheme_desc(s)->summary);
	fprintf(f,
		"  --window MS     first-answer window: how long discovery waits for answers (default\n"
		"                  %d: an ECU behind a gateway answers its first request at 60-150 ms)\n"
		"  --quiet MS      once the car has answered, the window ends MS after the last answer\n"
		"                  (default %d: ECUs answer within 50 ms of each other, 95 ms measured\n"
		"                  behind a gateway); answers that come while ECUs are still being\n"
		"                  read are read too.  0: always wait the whole window, for a car\n"
		"                  with an ECU that answers later than that after the others\n"
		"  --timeout MS    P2: wait for each answer of an ECU that has answered (default 50;\n"
		"                  an ECU seen to be slower gets 2 x its time + 20 ms, one that\n"
		"                  announced a longer P2server_max gets that + its answer time)\n"
		"  --p2star MS     P2*: wait after each responsePending (0x78), for every ECU (without\n"
		"                  it: 5000, and a UDS ECU that announced its P2*server_max in its\n"
		"                  answer to the 10 01 probe gets that + its answer time, at least %d)\n"
		"  --parallel N    read at most N ECUs at the same time, each on its own ISO-TP\n"
		"                  socket (default %d; 1: one after another)\n"
		"  --stmin HEX     STmin the tester asks for in its Flow Control, ISO 15765-2 byte:\n"
		"                  00-7F milliseconds, F1-F9 100-900 microseconds (default 00);\n"
		"                  for an ECU that drops frames sent back to back\n"
		"  --fd            send as CAN FD (ISO-TP over CAN FD, 64-byte frames; the interface\n"
		"                  needs MTU 72); an ECU that answers in CAN FD frames is read so anyway\n"
		"  --did HEX       read this DID too (e.g. --did F1A0), repeatable\n"
		"  --ecu ADDR      also ask this ECU physically (ECUs that ignore functional requests),\n"
		"                  repeatable; address as in its scheme (0x7E0, 0x10, 0x61) or a uds11\n"
		"                  request:response pair (0x710:0x77A)\n"
		"  --no-profile    do not add the make's usual ECUs and DIDs once the VIN is read\n"
		"                  (make profiles: bmw-group, vw-group, generic-uds; can/README.md)\n"
		"  --json          print JSON (keys iface, addressing, vin, vin_flags, vin_agree,\n"
		"                  vin_sources[], ecus[] {address, addressing, name, fd, answered_ms,\n"
		"                  p2_ms, p2star_ms, announced {p2_ms, p2star_ms}, dids}, errors[],\n"
		"                  addressings[], profile, window_ms, quiet_ms, listened_ms,\n"
		"                  ecus_not_read, errors_not_recorded)\n"
		"  -h, --help      this text\n"
		"  -V, --version   print the version\n"
		"\n"
		"Exit status: 0 a VIN was read; 2 usage error; 3 no VIN (see the errors) or the\n"
		"interface is not usable (missing, not CAN, down, not CAN FD with --fd).\n",
		IDENT_ANSWER_MS_DEFAULT, IDENT_QUIET_MS_DEFAULT, IDENT_P2STAR_MIN_MS,
		IDENT_PARALLEL_DEFAULT);
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
	char a[24];

	printf("%s: addressing %s\n", id->iface,
	       id->n_ecus ? ident_scheme_name(id->scheme) : "none");
	printf("VIN: %s%s%s\n", id->vin[0] ? id->vin : "(not read)",
	       (id->vin_flags & IDENT_VIN_INVALID) ? " [invalid]" : "",
	       id->n_sources > 1 ? (id->vin_agree ? " [all sources agree]" : " [SOURCES DISAGREE]")
				 : "");
	for (size_t i = 0; i < id->n_sources; i++)
		printf("  from ECU %s (%s): %s%s\n",
		       ident_ecu_format(id->sources[i].ecu, a, sizeof(a)),
		       id->sources[i].via == IDENT_VIA_OBD_0902 ? "service 09" : "DID F190",
		       id->sources[i].vin, id->sources[i].flags & IDENT_VIN_PADDED ? " (padded)" : "");
	for (size_t i = 0; i < id->n_ecus; i++) {
		const struct ident_ecu *e = &id->ecus[i];

		printf("ECU %s %s%s%s%s\n", ident_ecu_format(e->address, a, sizeof(a)),
		       ident_scheme_name(e->scheme), e->fd ? " (CAN FD)" : "",
		       e->name[0] ? " " : "", e->name);
		for (size_t j = 0; j < e->n_dids; j++) {
			const struct ident_did *d = &e->dids[j];

			if (d->status == -ECANCELED) {
				printf("  %04X %s\n", d->did, ident_not_asked_name(d->not_asked));
				continue;
			}
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
		{ "window", required_argument, NULL, 'w' },
		{ "fd", no_argument, NULL, 'f' },
		{ "no-profile", no_argument, NULL, 'n' },
		{ "parallel", required_argument, NULL, 'P' },
		{ "quiet", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	uint16_t dids[IDENT_MAX_DIDS];
	uint32_t ecus[IDENT_MAX_ECUS];
	struct plan_profile profile;
	struct ident_config cfg;
	struct ident *id = NULL;
	unsigned long v;
	bool json = false;
	int c, r;

	ident_config_init(&cfg);
	plan_use_profiles(&cfg, &profile);
	while ((c = getopt_long(argc, argv, "a:jt:p:s:d:e:w:fnP:q:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			r = ident_scheme_parse(optarg);
			if (r < 0)
				return cli_usage_error("recall-ident", "unknown addressing '%s'",
						       optarg);
			cfg.scheme = (enum ident_scheme)r;
			break;
		case 'j':
			json = true;
			break;
		case 'f':
			cfg.fd = true;
			break;
		case 'n':
			cfg.refine = NULL;
			break;
		case 't':
		case 'w':
		case 'p': {
			char *end;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || v == 0 || v > 600000)
				return cli_usage_error("recall-ident", "bad milliseconds '%s'",
						       optarg);
			if (c == 'p')
				cfg.p2star_fixed = true;	/* the user's, over what ECUs announce */
			if (c == 't')
				cfg.timing.p2_ms = (unsigned int)v;
			else if (c == 'w')
				cfg.answer_ms = (unsigned int)v;
			else
				cfg.timing.p2star_ms = (unsigned int)v;
			break;
		}
		case 's':
			/* the reserved values (80-F0, FA-FF) would be refused by ident_read anyway;
			 * refused here with a clearer word */
			if (parse_hex(optarg, 0xFF, &v) < 0 || (v > 0x7F && (v < 0xF1 || v > 0xF9)))
				return cli_usage_error("recall-ident", "bad STmin '%s' (00-7F ms, "
						       "F1-F9 100-900 us)", optarg);
			cfg.fc_stmin = (uint8_t)v;
			break;
		case 'd':
			if (parse_hex(optarg, 0xFFFF, &v) < 0 || cfg.n_dids >= IDENT_MAX_DIDS)
				return cli_usage_error("recall-ident", "bad DID '%s'", optarg);
			dids[cfg.n_dids++] = (uint16_t)v;
			cfg.dids = dids;
			break;
		case 'e':
			if (cfg.n_ecus >= IDENT_MAX_ECUS ||
			    ident_ecu_parse(optarg, &ecus[cfg.n_ecus]) < 0)
				return cli_usage_error("recall-ident", "bad ECU address '%s' (hex, or "
						       "REQ:RESP for uds11, e.g. 0x710:0x77A)", optarg);
			cfg.n_ecus++;
			cfg.ecus = ecus;
			break;
		case 'q': {
			char *end;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || v > 600000)
				return cli_usage_error("recall-ident", "bad --quiet '%s' (milliseconds, "
						       "0 = the whole window)", optarg);
			cfg.quiet_ms = v ? (unsigned int)v : IDENT_QUIET_OFF;
			break;
		}
		case 'P': {
			char *end;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || v == 0 || v > IDENT_MAX_ECUS)
				return cli_usage_error("recall-ident", "bad --parallel '%s' (1-%d)",
						       optarg, IDENT_MAX_ECUS);
			cfg.parallel = (unsigned int)v;
			break;
		}
		case 'h':
			usage(stdout);
			return CLI_EXIT_NOTHING;
		case 'V':
			return cli_version("recall-ident");
		default:
			return cli_usage_hint("recall-ident");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("recall-ident", "%s", optind >= argc ? "no interface given"
							      : "one interface only");
	r = ident_read(argv[optind], &cfg, &id);
	if (r < 0) {
		fprintf(stderr, "recall-ident: %s: error: %s\n", argv[optind],
			r == -EPROTOTYPE ? "not a CAN interface" :
			r == -EMEDIUMTYPE ? "not a CAN FD interface (MTU 16; --fd needs MTU 72)" :
			strerror(-r));
		return CLI_EXIT_INCOMPLETE;
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
	r = id->vin[0] ? CLI_EXIT_NOTHING : CLI_EXIT_INCOMPLETE;
	ident_free(id);
	return r;
}
