/* SPDX-License-Identifier: MIT */
/*
 * recall-check: which recall campaigns concern a vehicle.  Three steps, each its own function, so
 * another source of facts (reading the car on a CAN interface) only adds a step 1:
 *   1. build the vehicle description (struct rdb_vehicle) — here from --vin/--did/--ecu,
 *   2. match it against the database (rdb_match),
 *   3. print the verdicts (text or --json).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "rules/rdb.h"

#ifndef RULES_DATADIR
#define RULES_DATADIR "/usr/local/share/recalld"
#endif
#define DEFAULT_DB RULES_DATADIR "/recalls.rdb"
#define MAX_FACTS 256

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: recall-check --vin VIN [--did ADDR:DID=VALUE]... [--db DB] [--json]\n"
		"Decide every recall campaign of the database for a vehicle without reading the car,\n"
		"e.g. when a customer calls with a VIN.\n"
		"\n"
		"  --vin VIN            the vehicle's VIN (17 characters)\n"
		"  --did FACT           a value read from an ECU; ADDR and DID in hex:\n"
		"                         0x61:F189=15.2.0    ASCII value (software version, part no.)\n"
		"                         0x12:F18B#120917    raw bytes in hex (e.g. a BCD build date)\n"
		"                         0x61:F189!          the ECU answered: no such DID\n"
		"                         0x61:F189?timeout   reading failed, with the reason\n"
		"  --ecu ADDR           an ECU that answered (a --did with a value also says so)\n"
		"  --all-ecus           the ECUs given are all the vehicle has (otherwise an ECU not\n"
		"                       given counts as not read, never as absent)\n"
		"  --db DB              compiled database (default %s;\n"
		"                       environment RECALL_DB overrides the default)\n"
		"  --json               JSON: {\"vin\", \"campaigns\": [{\"id\", \"title\", \"verdict\",\n"
		"                       \"reason\", \"remedy\", \"recognition\", \"evidence\",\n"
		"                       \"recognition_text\", \"hotline\"}]}\n"
		"  -h, --help           this text\n"
		"\n"
		"Verdicts: open (affected, remedy not applied), inspect (candidate, an inspection\n"
		"decides), remedied (with the evidence), not_affected, undetermined (with the reason:\n"
		"missing VIN or ECU data, or only the manufacturer's hotline can tell).  A campaign is\n"
		"never not_affected because data was missing.\n"
		"\n"
		"Exit status: 0 nothing to do (every campaign not_affected or remedied), 1 at least\n"
		"one campaign open, inspect or undetermined, or the database could not be used,\n"
		"2 usage error.\n", DEFAULT_DB);
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
	const char *colon = strchr(arg, ':'), *op;
	struct rdb_did_fact *d;
	uint32_t ecu, did;

	if (f->n_dids >= MAX_FACTS)
		return -E2BIG;
	if (!colon)
		return -EINVAL;
	op = colon + 1 + strcspn(colon + 1, "=#!?");
	if (!*op || parse_hex_u32(arg, colon, UINT32_MAX, &ecu) < 0 ||
	    parse_hex_u32(colon + 1, op, 0xFFFF, &did) < 0)
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

/* Step 1 for the offline mode: the description comes from the command line. */
static int vehicle_from_args(struct facts *f, struct rdb_vehicle *v)
{
	*v = (struct rdb_vehicle){
		.vin = f->vin,
		.dids = f->dids,
		.n_dids = f->n_dids,
		.ecus = f->ecus,
		.n_ecus = f->n_ecus,
		.ecus_complete = f->all_ecus,
	};
	return 0;
}

/* Step 2: all campaigns, in id order. */
static int match_all(const struct rdb *db, const struct rdb_vehicle *v,
		     struct rdb_result **ret, size_t *ret_n)
{
	size_t cap = rdb_campaign_count(db) ? rdb_campaign_count(db) : 1;
	struct rdb_result *res = calloc(cap, sizeof(*res));
	int n;

	if (!res)
		return -ENOMEM;
	n = rdb_match(db, v, RDB_MATCH_ALL, res, cap);
	if (n < 0) {
		free(res);
		return n;
	}
	*ret = res;
	*ret_n = (size_t)n < cap ? (size_t)n : cap;
	return 0;
}

/* Step 3. */
static void print_text(const struct rdb *db, const struct rdb_vehicle *v,
		       const struct rdb_result *res, size_t n)
{
	printf("VIN %s: %zu campaign(s)\n", v->vin ? v->vin : "(not read)", n);
	for (size_t i = 0; i < n; i++) {
		struct rdb_campaign c;

		if (rdb_campaign_get(db, res[i].campaign, &c) < 0)
			continue;
		printf("\n%-12s %s\n  %s\n  reason: %s\n", rdb_verdict_name(res[i].verdict), c.id,
		       c.title, res[i].reason);
		if (res[i].evidence[0])
			printf("  evidence: %s\n", res[i].evidence);
		if (res[i].verdict != RDB_VERDICT_NOT_AFFECTED) {
			if (c.remedy[0])
				printf("  remedy: %s\n", c.remedy);
			if (c.recognition_text[0])
				printf("  recognition: %s\n", c.recognition_text);
		}
	}
}

static json_object *str_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static void print_json(const struct rdb *db, const struct rdb_vehicle *v,
		       const struct rdb_result *res, size_t n)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();

	json_object_object_add(o, "vin", v->vin ? json_object_new_string(v->vin) : NULL);
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_new_object();
		struct rdb_campaign ci;

		if (rdb_campaign_get(db, res[i].campaign, &ci) < 0)
			continue;
		json_object_object_add(c, "id", json_object_new_string(ci.id));
		json_object_object_add(c, "title", json_object_new_string(ci.title));
		json_object_object_add(c, "verdict",
				       json_object_new_string(rdb_verdict_name(res[i].verdict)));
		json_object_object_add(c, "reason", json_object_new_string(res[i].reason));
		json_object_object_add(c, "remedy", str_or_null(ci.remedy));
		json_object_object_add(c, "recognition",
				       str_or_null(rdb_recognition_name(ci.recognition)));
		json_object_object_add(c, "evidence", str_or_null(res[i].evidence));
		json_object_object_add(c, "recognition_text", str_or_null(ci.recognition_text));
		json_object_object_add(c, "hotline", str_or_null(ci.hotline));
		json_object_array_add(arr, c);
	}
	json_object_object_add(o, "campaigns", arr);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vin", required_argument, NULL, 'v' },
		{ "did", required_argument, NULL, 'd' },
		{ "ecu", required_argument, NULL, 'e' },
		{ "all-ecus", no_argument, NULL, 'A' },
		{ "db", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct facts f;
	const char *dbpath = getenv("RECALL_DB");
	struct rdb_result *res = NULL;
	struct rdb_vehicle v;
	struct rdb *db = NULL;
	char err[RDB_ERR_MAX];
	bool json = false, attention = false;
	size_t n = 0;
	int c, r;

	if (!dbpath || !dbpath[0])
		dbpath = DEFAULT_DB;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			f.vin = optarg;
			break;
		case 'd':
			r = parse_did(&f, optarg);
			if (r < 0) {
				fprintf(stderr, "recall-check: --did '%s': %s\n", optarg,
					r == -E2BIG ? "too many or too long"
						    : "expected ADDR:DID=VALUE, ADDR:DID#HEX, ADDR:DID! or "
						      "ADDR:DID?REASON (ADDR, DID hex)");
				return 2;
			}
			break;
		case 'e': {
			uint32_t a;

			if (f.n_ecus >= MAX_FACTS ||
			    parse_hex_u32(optarg, optarg + strlen(optarg), UINT32_MAX, &a) < 0) {
				fprintf(stderr, "recall-check: --ecu '%s': expected a hex address\n",
					optarg);
				return 2;
			}
			f.ecus[f.n_ecus++] = a;
			break;
		}
		case 'A':
			f.all_ecus = true;
			break;
		case 'b':
			dbpath = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || !f.vin) {
		fprintf(stderr, "recall-check: %s (see --help)\n",
			optind < argc ? "unexpected argument" : "--vin VIN is required");
		return 2;
	}
	r = rdb_open(dbpath, &db, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "recall-check: %s\n", err);
		return 1;
	}
	vehicle_from_args(&f, &v);
	r = match_all(db, &v, &res, &n);
	if (r < 0) {
		fprintf(stderr, "recall-check: %s\n", strerror(-r));
		rdb_close(db);
		return 1;
	}
	if (json)
		print_json(db, &v, res, n);
	else
		print_text(db, &v, res, n);
	for (size_t i = 0; i < n; i++)
		attention |= res[i].verdict == RDB_VERDICT_OPEN ||
			     res[i].verdict == RDB_VERDICT_INSPECT ||
			     res[i].verdict == RDB_VERDICT_UNDETERMINED;
	free(res);
	rdb_close(db);
	return attention ? 1 : 0;
}
