/* SPDX-License-Identifier: MIT */
/* recall-vin: decode VINs (rules/vin.h) for a technician or a script. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "plugin/cli.h"
#include "rules/vin.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: recall-vin [--json] VIN...\n"
		"Decode Vehicle Identification Numbers (ISO 3779/3780, 49 CFR 565).\n"
		"\n"
		"  --json      one JSON array with an object per VIN:\n"
		"              vin, valid, errors[] (length, charset, check_digit), wmi,\n"
		"              manufacturer (null if not in the table), check_digit\n"
		"              (ok | wrong | not_applicable), model_year (list of candidates:\n"
		"              empty = unknown, two = the 30-year cycle cannot be resolved),\n"
		"              plant, serial\n"
		"  -h, --help     this text\n"
		"  -V, --version  print the version\n"
		"\n"
		"The check digit (position 9) is mandatory for North American VINs (WMI 1-5): a wrong\n"
		"one makes the VIN invalid.  Elsewhere it is informative: not_applicable when it does\n"
		"not match, and the VIN stays valid.  Lower case is accepted and upper-cased.\n"
		"\n"
		"Exit status: 0 all VINs valid, 1 at least one invalid, 2 usage error.\n");
}

static json_object *vin_json(const char *arg, const struct vin_info *vi)
{
	json_object *o = json_object_new_object(), *errs = json_object_new_array(),
		    *years = json_object_new_array();

	json_object_object_add(o, "vin", json_object_new_string(vi->vin[0] ? vi->vin : arg));
	json_object_object_add(o, "valid", json_object_new_boolean(vi->valid));
	for (unsigned int b = 1; b <= VIN_ERR_CHECK_DIGIT; b <<= 1)
		if (vi->errors & b)
			json_object_array_add(errs, json_object_new_string(vin_error_name(b)));
	json_object_object_add(o, "errors", errs);
	json_object_object_add(o, "wmi", vi->wmi[0] ? json_object_new_string(vi->wmi) : NULL);
	json_object_object_add(o, "manufacturer",
			       vi->manufacturer ? json_object_new_string(vi->manufacturer) : NULL);
	json_object_object_add(o, "check_digit",
			       json_object_new_string(vin_check_name(vi->check_digit)));
	for (size_t i = 0; i < vi->n_model_years; i++)
		json_object_array_add(years, json_object_new_int(vi->model_years[i]));
	json_object_object_add(o, "model_year", years);
	if (vi->plant) {
		char p[2] = { vi->plant, 0 };

		json_object_object_add(o, "plant", json_object_new_string(p));
		json_object_object_add(o, "serial", json_object_new_string(vi->serial));
	} else {
		json_object_object_add(o, "plant", NULL);
		json_object_object_add(o, "serial", NULL);
	}
	return o;
}

static void vin_text(const char *arg, const struct vin_info *vi)
{
	if (!vi->valid) {
		printf("%s: invalid:", arg);
		if (vi->errors & VIN_ERR_LENGTH)
			printf(" %zu characters, not 17;", strlen(arg));
		if (vi->errors & VIN_ERR_CHARSET)
			printf(" character %d '%c' not allowed (0-9, A-Z without I, O, Q);",
			       vi->bad_pos, arg[vi->bad_pos - 1]);
		if (vi->errors & VIN_ERR_CHECK_DIGIT)
			printf(" check digit '%c' wrong, expected '%c';", vi->vin[8],
			       vi->check_expected);
		printf("\n");
		if (!vi->wmi[0])
			return;
	}
	printf("%s\n  WMI %s: %s (%s)\n", vi->vin, vi->wmi,
	       vi->manufacturer ? vi->manufacturer : "unknown manufacturer",
	       vi->region ? vi->region : "unassigned region");
	printf("  check digit: %s (position 9 '%c', computed '%c')\n",
	       vin_check_name(vi->check_digit), vi->vin[8], vi->check_expected);
	if (vi->n_model_years == 0)
		printf("  model year: unknown (position 10 '%c' is no year code)\n", vi->vin[9]);
	else if (vi->n_model_years == 1)
		printf("  model year: %d\n", vi->model_years[0]);
	else
		printf("  model year: %d or %d\n", vi->model_years[0], vi->model_years[1]);
	printf("  plant: %c\n  serial: %s\n", vi->plant, vi->serial);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	bool json = false, bad = false;
	json_object *arr;
	int c;

	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_NOTHING;
		case 'V':
			return cli_version("recall-vin");
		default:
			return cli_usage_hint("recall-vin");
		}
	}
	if (optind >= argc)
		return cli_usage_error("recall-vin", "no VIN given");
	arr = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		struct vin_info vi;

		vin_decode(argv[i], strlen(argv[i]), &vi);
		bad |= !vi.valid;
		if (json)
			json_object_array_add(arr, vin_json(argv[i], &vi));
		else
			vin_text(argv[i], &vi);
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return bad ? CLI_EXIT_FINDING : CLI_EXIT_NOTHING;
}
