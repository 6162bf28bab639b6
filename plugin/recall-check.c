/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recall-check: which recall campaigns concern a vehicle, as the technician's report.
 *   recall-check IFACE          read the car on a CAN interface (the check recalld runs)
 *   recall-check --vin VIN ...  without a car: the facts come from the command line
 * Both build the same report through plugin/check.c, so they print what the daemon writes.
 */
#include <errno.h>
#include <getopt.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "can/ident.h"
#include "plugin/config.h"
#include "plugin/control.h"
#include "plugin/i18n.h"
#include "plugin/cli.h"
#include "plugin/paths.h"
#include "plugin/recall-internal.h"
#include "rules/rdb.h"

#define DEFAULT_DB RECALLD_DATADIR "/recalls.rdb"
#define MAX_FACTS 256

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: recall-check IFACE [--db DB] [--json | --html] [--lang LANG]\n"
		"                    [--addressing LIST] [--timeout MS] [--window MS] [--quiet MS]\n"
		"                    [--fd]\n"
		"                    [--order N] [--plate P]\n"
		"       recall-check --vin VIN [--did ADDR:DID=VALUE]... [--ecu ADDR]... [--all-ecus]\n"
		"                    [--db DB] [--json | --html] [--lang LANG] [--order N] [--plate P]\n"
		"Decide the recall campaigns of the database for a car: read on the CAN interface\n"
		"IFACE (VIN and ECU data over OBD-II/UDS, the same check as recalld), or given on the\n"
		"command line, e.g. when a customer calls with a VIN.\n"
		"\n"
		"The report lists the campaigns that concern the car — every verdict but not_affected —\n"
		"and counts the others (\"Nicht betroffen: N weitere\"; JSON not_affected_omitted).\n"
		"--all lists every campaign of the database, not_affected ones too.\n"
		"\n"
		"  --vin VIN            the vehicle's VIN (17 characters; an invalid one is checked\n"
		"                       too and gives undetermined verdicts, with the reason)\n"
		"  --did FACT           a value read from an ECU; ADDR and DID in hex:\n"
		"                         0x61:F189=15.2.0    ASCII value (software version, part no.)\n"
		"                         0x12:F18B#120917    raw bytes in hex (e.g. a BCD build date)\n"
		"                         0x61:F189!          the ECU answered: no such DID\n"
		"                         0x61:F189?timeout   reading failed, with the reason\n"
		"                         0x710:0x77A:F189=0950  a uds11 ECU (REQ:RESP pair)\n"
		"  --ecu ADDR           an ECU that answered (a --did with a value also says so);\n"
		"                       0x61, 0x7E0, or a uds11 pair 0x710:0x77A\n"
		"  --all-ecus           the ECUs given are all the vehicle has (otherwise an ECU not\n"
		"                       given counts as not read, never as absent)\n"
		"  --addressing LIST    IFACE: schemes to ask, from obd11 obd29 bmw uds11, all in\n"
		"                       one discovery window (default: obd11 bmw obd29 uds11; the\n"
		"                       order breaks ties; see can/README.md)\n"
		"  --timeout MS         IFACE: answer timeout per request (P2, default 50)\n"
		"  --window MS          IFACE: first-answer window of discovery (default 200)\n"
		"  --quiet MS           IFACE: once the car has answered, discovery ends MS after\n"
		"                       the last answer (default 100; 0: the whole window)\n"
		"  --fd                 IFACE: send as CAN FD (the interface needs MTU 72)\n"
		"  --all                list every campaign of the database, also not_affected ones\n"
		"  --relevant           list the campaigns the database's indexes select for this\n"
		"                       car, not_affected candidates included\n"
		"  --db DB              compiled database (default %s;\n"
		"                       environment RECALL_DB overrides the default)\n"
		"  --trust FILE         a trusted signing key (NAME.pub from recallc --keygen), or a\n"
		"                       directory of them (every *.pub); repeatable.  The report names\n"
		"                       the key that signed the database and whether it is trusted\n"
		"  --require-signature  refuse a database that is not signed by a trusted key\n"
		"  --json               the report as one JSON object (plugin/README.md \"Report\n"
		"                       JSON\"): schema_version, vin, vehicle, status, error,\n"
		"                       database, ecus, errors, summary and campaigns [{id, title,\n"
		"                       text, verdict, reason, reason_code, reason_facts, remedy, …}]\n"
		"  --html               the report as one printable HTML page (A4, self-contained)\n"
		"  --lang LANG          language of the text and the page: de (default) or en;\n"
		"                       default from [report] language in %s\n"
		"  --workshop NAME      the workshop's name on the page (default from [report]\n"
		"                       workshop)\n"
		"  --order NUMBER       the workshop order number, printed on the report\n"
		"  --plate PLATE        the licence plate, printed on the report\n"
		"  -h, --help           this text\n"
		"  -V, --version        print the version\n"
		"\n"
		"Verdicts: open (affected, remedy not applied), inspect (candidate, an inspection\n"
		"decides), remedied (with the evidence), not_affected, undetermined (with the reason:\n"
		"missing VIN or ECU data, or only the manufacturer's hotline can tell).  A campaign is\n"
		"never not_affected because data was missing.\n"
		"\n"
		"The database is opened in constant time and checked block by block as the lookup\n"
		"reads it (rules/README.md); damage or a file replaced under the check ends it with\n"
		"exit status 3 and the reason, never with a verdict.\n"
		"\n"
		"Exit status: 0 nothing to do (check complete, every campaign not_affected or\n"
		"remedied); 1 something to do (at least one campaign open, inspect or undetermined);\n"
		"2 usage error; 3 no complete check: the database could not be used, IFACE is\n"
		"missing, not CAN or down, no car answered, or the read was cut off.\n", DEFAULT_DB,
		RECALLD_CONFIG_PATH);
}

struct facts {
	const char *vin;
	struct rdb_did_fact dids[MAX_FACTS];
	uint8_t values[MAX_FACTS][128];
	size_t n_dids;
	uint32_t ecus[MAX_FACTS];
	size_t n_ecus;
	bool all_ecus;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_hex_u32(const char *s, const char *end, uint32_t max, uint32_t *ret)
{
	uint64_t v = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (s >= end)
		return -EINVAL;
	for (; s < end; s++) {
		int d = hexval(*s);

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
		if (v > max)
			return -ERANGE;
	}
	*ret = (uint32_t)v;
	return 0;
}

/* ADDR:DID=VALUE | ADDR:DID#HEX | ADDR:DID! | ADDR:DID?REASON */
static int parse_did(struct facts *f, const char *arg)
{
	const char *colon = NULL, *op = arg + strcspn(arg, "=#!?");
	struct rdb_did_fact *d;
	uint32_t ecu, did;
	char addr[32];

	if (f->n_dids >= MAX_FACTS)
		return -E2BIG;
	/* ADDR:DID, where ADDR may itself be a uds11 pair REQ:RESP: the DID follows the last ':' */
	for (const char *c = arg; c < op; c++)
		if (*c == ':')
			colon = c;
	if (!colon || !*op || (size_t)(colon - arg) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, arg, (size_t)(colon - arg));
	addr[colon - arg] = '\0';
	if (ident_ecu_parse(addr, &ecu) < 0 && parse_hex_u32(arg, colon, UINT32_MAX, &ecu) < 0)
		return -EINVAL;
	if (parse_hex_u32(colon + 1, op, 0xFFFF, &did) < 0)
		return -EINVAL;
	d = &f->dids[f->n_dids];
	*d = (struct rdb_did_fact){ .ecu = ecu, .did = (uint16_t)did };
	switch (*op) {
	case '=':
		if (strlen(op + 1) > sizeof(f->values[0]))
			return -E2BIG;
		memcpy(f->values[f->n_dids], op + 1, strlen(op + 1));
		d->value = f->values[f->n_dids];
		d->len = strlen(op + 1);
		break;
	case '#': {
		size_t n = strlen(op + 1);

		if (n % 2 || n / 2 > sizeof(f->values[0]))
			return -EINVAL;
		for (size_t i = 0; i < n / 2; i++) {
			int hi = hexval(op[1 + 2 * i]), lo = hexval(op[2 + 2 * i]);

			if (hi < 0 || lo < 0)
				return -EINVAL;
			f->values[f->n_dids][i] = (uint8_t)(hi << 4 | lo);
		}
		d->value = f->values[f->n_dids];
		d->len = n / 2;
		break;
	}
	case '!':
		if (op[1])
			return -EINVAL;
		d->status = RDB_DID_NOT_PRESENT;
		break;
	case '?':
		d->status = RDB_DID_FAILED;
		d->reason = op[1] ? op + 1 : "read failed";
		break;
	}
	f->n_dids++;
	return 0;
}

/* Facts from the command line, as rules/ takes them. */
static void vehicle_from_args(struct facts *f, struct rdb_vehicle *v)
{
	*v = (struct rdb_vehicle){
		.vin = f->vin,
		.dids = f->dids,
		.n_dids = f->n_dids,
		.ecus = f->ecus,
		.n_ecus = f->n_ecus,
		.ecus_complete = f->all_ecus,
	};
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vin", required_argument, NULL, 'v' },
		{ "did", required_argument, NULL, 'd' },
		{ "ecu", required_argument, NULL, 'e' },
		{ "all-ecus", no_argument, NULL, 'A' },
		{ "addressing", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "window", required_argument, NULL, 'w' },
		{ "quiet", required_argument, NULL, 'q' },
		{ "fd", no_argument, NULL, 'F' },
		{ "relevant", no_argument, NULL, 'R' },
		{ "all", no_argument, NULL, 'L' },
		{ "trust", required_argument, NULL, 'T' },
		{ "require-signature", no_argument, NULL, 'S' },
		{ "db", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", no_argument, NULL, 'H' },
		{ "lang", required_argument, NULL, 'l' },
		{ "workshop", required_argument, NULL, 'W' },
		{ "order", required_argument, NULL, 'O' },
		{ "plate", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct recall_render_opts ro = { .size = sizeof(ro) };
	struct recalld_config cfg = { 0 };
	const char *order = NULL, *plate = NULL;
	const struct i18n *lang;
	bool html = false;
	static struct facts f;
	struct recall_check_opts co = { .size = sizeof(co), .flags = RECALL_CHECK_CONCERNING };
	struct rdb_open_opts oo = { 0 };
	struct rdb_trust *trust = NULL;
	const char *dbpath = getenv("RECALL_DB"), *iface = NULL;
	struct recall_report *report = NULL;
	struct recall_db *db = NULL;
	char *err = NULL, *out = NULL;
	bool json = false, offline_opts = false;
	int c, r, rc = CLI_EXIT_INCOMPLETE;

	if (!dbpath || !dbpath[0])
		dbpath = DEFAULT_DB;
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			f.vin = optarg;
			break;
		case 'd':
			r = parse_did(&f, optarg);
			if (r < 0)
				return cli_usage_error("recall-check", "--did '%s': %s", optarg,
						       r == -E2BIG ? "too many or too long"
						       : "expected ADDR:DID=VALUE, ADDR:DID#HEX, "
							 "ADDR:DID! or ADDR:DID?REASON (ADDR, DID hex)");
			offline_opts = true;
			break;
		case 'e': {
			uint32_t a;

			if (f.n_ecus >= MAX_FACTS ||
			    (ident_ecu_parse(optarg, &a) < 0 &&
			     parse_hex_u32(optarg, optarg + strlen(optarg), UINT32_MAX, &a) < 0))
				return cli_usage_error("recall-check", "--ecu '%s': expected a hex "
						       "address or a REQ:RESP pair (0x710:0x77A)",
						       optarg);
			f.ecus[f.n_ecus++] = a;
			offline_opts = true;
			break;
		}
		case 'A':
			f.all_ecus = true;
			offline_opts = true;
			break;
		case 'a':
			co.addressing = optarg;
			break;
		case 'F':
			co.flags |= RECALL_CHECK_CAN_FD;
			break;
		case 't':
		case 'w': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || end == optarg || v == 0 || v > 60000)
				return cli_usage_error("recall-check", "--%s '%s': milliseconds, "
						       "1-60000", c == 't' ? "timeout" : "window",
						       optarg);
			if (c == 't')
				co.timeout_ms = (unsigned int)v;
			else
				co.answer_ms = (unsigned int)v;
			break;
		}
		case 'q': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || end == optarg || v > 60000)
				return cli_usage_error("recall-check", "--quiet '%s': milliseconds, "
						       "0-60000 (0: the whole window)", optarg);
			co.quiet_ms = (unsigned int)v;
			if (!v)
				co.flags |= RECALL_CHECK_FULL_WINDOW;
			break;
		}
		case 'R':
		case 'L':
			/* the list's choice only: --fd and --quiet 0 given before stay */
			co.flags &= ~(unsigned int)(RECALL_CHECK_CONCERNING | RECALL_CHECK_ALL_CAMPAIGNS);
			if (c == 'L')
				co.flags |= RECALL_CHECK_ALL_CAMPAIGNS;
			break;
		case 'T': {
			char terr[RDB_ERR_MAX] = "";
			struct stat st;

			if (!trust && rdb_trust_new(&trust) < 0) {
				fprintf(stderr, "recall-check: out of memory\n");
				return CLI_EXIT_INCOMPLETE;
			}
			r = stat(optarg, &st) == 0 && S_ISDIR(st.st_mode)
				? rdb_trust_add_dir(trust, optarg, terr, sizeof(terr))
				: rdb_trust_add_file(trust, optarg, terr, sizeof(terr));
			if (r < 0) {
				fprintf(stderr, "recall-check: --trust: %s\n",
					terr[0] ? terr : strerror(-r));
				rdb_trust_free(trust);
				return CLI_EXIT_INCOMPLETE;
			}
			break;
		}
		case 'S':
			oo.flags |= RDB_OPEN_REQUIRE_SIGNATURE;
			break;
		case 'b':
			dbpath = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'H':
			html = true;
			break;
		case 'l':
			if (i18n_get(optarg, &lang) < 0) {
				return cli_usage_error("recall-check", "--lang: no catalogue for '%s' "
						       "(known: %s)", optarg, i18n_known());
			}
			ro.language = i18n_code(lang);
			break;
		case 'W':
			if (!control_text_ok(optarg, strlen(optarg), CONFIG_NAME_MAX)) {
				return cli_usage_error("recall-check", "--workshop: at most %d bytes, "
						       "one line", CONFIG_NAME_MAX);
			}
			ro.workshop = optarg;
			break;
		case 'O':
		case 'P': {
			size_t max = c == 'O' ? CONTROL_ORDER_MAX : CONTROL_PLATE_MAX;

			if (!control_text_ok(optarg, strlen(optarg), max)) {
				return cli_usage_error("recall-check", "--%s: at most %zu bytes, one line",
					c == 'O' ? "order" : "plate", max);
			}
			if (c == 'O')
				order = optarg;
			else
				plate = optarg;
			break;
		}
		case 'h':
			usage(stdout);
			return CLI_EXIT_NOTHING;
		case 'V':
			return cli_version("recall-check");
		default:
			return cli_usage_hint("recall-check");
		}
	}
	if (optind < argc)
		iface = argv[optind++];
	if (optind < argc || (!iface && !f.vin) || (iface && (f.vin || offline_opts)))
		return cli_usage_error("recall-check", "%s",
				       optind < argc ? "unexpected argument"
				       : iface ? "IFACE reads the car: --vin, --did and --ecu are for "
						 "checks without one"
					       : "IFACE or --vin VIN is required");
	if (json && html)
		return cli_usage_error("recall-check", "--json or --html, not both");
	if (iface) {
		r = canbus_check(iface);
		if (r < 0) {
			fprintf(stderr, "recall-check: %s: %s\n", iface,
				r == -ENODEV ? "no such interface"
				: r == -EPROTOTYPE ? "not a CAN interface"
				: r == -ENETDOWN ? "interface is down" : strerror(-r));
			return CLI_EXIT_INCOMPLETE;
		}
	}
	/* one check: open in constant time, blocks checked as the lookup reads them */
	oo.trust = trust;
	r = check_db_open_with(dbpath, &oo, &db, &err);
	if (r < 0) {
		fprintf(stderr, "recall-check: %s\n", err ? err : strerror(-r));
		free(err);
		rdb_trust_free(trust);
		return CLI_EXIT_INCOMPLETE;
	}
	if (iface) {
		r = check_run(db, iface, &co, NULL, NULL, &report);
	} else {
		struct rdb_vehicle v;

		vehicle_from_args(&f, &v);
		r = check_facts(db, &v, co.flags, &report);
	}
	if (r == -EINVAL && iface) {
		rc = cli_usage_error("recall-check", "--addressing '%s': expected words from obd11 "
				     "obd29 bmw", co.addressing);
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "recall-check: %s\n",
			r == -EBADMSG || r == -ESTALE ? rdb_error(check_db_rdb(db)) : strerror(-r));
		goto out;
	}
	if ((order && (r = report_set_str(&report->order, order)) < 0) ||
	    (plate && (r = report_set_str(&report->plate, plate)) < 0)) {
		fprintf(stderr, "recall-check: %s\n", strerror(-r));
		goto out;
	}
	config_station_settings(&cfg, &ro.language, &ro.workshop);
	r = json ? recall_report_to_json(report, &out)
		 : recall_report_render(report, html ? RECALL_FORMAT_HTML : RECALL_FORMAT_TEXT, &ro,
					&out);
	if (r < 0) {
		fprintf(stderr, "recall-check: %s\n", strerror(-r));
		goto out;
	}
	fputs(out, stdout);
	if (json)
		putchar('\n');
	if (report->error)
		fprintf(stderr, "recall-check: %s\n", report->error);
	rc = report_exit_status(report);
out:
	free(out);
	recall_report_free(report);
	recall_db_free(db);
	rdb_trust_free(trust);
	config_done(&cfg);
	return rc;
}
