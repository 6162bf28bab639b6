/*
 * ident_read() with options recall-ident has no flag for, for the bus tests:
 *
 *   ident-read IFACE SCHEME FC_STMIN [DEADLINE_MS]
 *
 * SCHEME is auto|obd11|obd29|bmw, FC_STMIN the raw ISO 15765-2 STmin byte (hex) the tester asks
 * for in its Flow Control, DEADLINE_MS the bound on the whole read (ident_config.deadline_ms).  Prints the identity as JSON; exit 0 VIN read, 1 none, 2 usage or
 * ident_read() refused (message on stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "can/ident.h"
#include "plugin/recall-internal.h"

int main(int argc, char **argv)
{
	struct ident_config cfg;
	struct ident *id = NULL;
	json_object *o;
	unsigned long v;
	char *end;
	int r, s;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: ident-read IFACE SCHEME FC_STMIN [DEADLINE_MS]\n");
		return 2;
	}
	ident_config_init(&cfg);
	s = ident_scheme_parse(argv[2]);
	errno = 0;
	v = strtoul(argv[3], &end, 16);
	if (s < 0 || errno || end == argv[3] || *end || v > 0xFF) {
		fprintf(stderr, "ident-read: bad scheme or STmin\n");
		return 2;
	}
	if (argc == 5) {
		errno = 0;
		cfg.deadline_ms = (unsigned int)strtoul(argv[4], &end, 10);
		if (errno || end == argv[4] || *end) {
			fprintf(stderr, "ident-read: bad deadline\n");
			return 2;
		}
	}
	cfg.scheme = (enum ident_scheme)s;
	cfg.fc_stmin = (uint8_t)v;
	cfg.timing.p2_ms = 300;	/* TCG VMs are slow */
	r = ident_read(argv[1], &cfg, &id);
	if (r < 0) {
		fprintf(stderr, "ident-read: %s: %s\n", argv[1], strerror(-r));
		return 2;
	}
	o = ident_to_json(id);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	r = id->vin[0] ? 0 : 1;
	ident_free(id);
	return r;
}
