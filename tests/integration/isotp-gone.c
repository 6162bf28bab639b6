/*
 * After its interface is removed, can/'s kernel ISO-TP transport must say -ENODEV on send (the
 * kernel unbinds the socket and answers EADDRNOTAVAIL), so ident_read() stops reading instead of
 * failing each remaining DID.  Deterministic: the socket is opened, then the interface removed,
 * then used — no race with a reader.
 *
 *   isotp-gone IFACE     (IFACE is deleted; exit 0 ok, 1 wrong error, 2 setup failed)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "can/canbus-internal.h"

int main(int argc, char **argv)
{
	struct canbus_isotp s = { .fd = -1 };
	struct isotp_transport t;
	char cmd[64];
	int r;

	if (argc != 2 || strlen(argv[1]) > 15) {
		fprintf(stderr, "usage: isotp-gone IFACE\n");
		return 2;
	}
	r = canbus_isotp_open(argv[1], IDENT_SCHEME_BMW, 0x12, false, 0, &s, &t);
	if (r < 0) {
		fprintf(stderr, "isotp-gone: open %s: %s\n", argv[1], strerror(-r));
		return 2;
	}
	snprintf(cmd, sizeof(cmd), "ip link del dev %s", argv[1]);
	if (system(cmd) != 0) {
		fprintf(stderr, "isotp-gone: %s failed\n", cmd);
		canbus_isotp_close(&s);
		return 2;
	}
	/* the pending ENODEV is reported once, to a reader; a sender sees the unbound socket */
	r = t.send(t.ctx, (const uint8_t *)"\x22\xF1\x90", 3);
	canbus_isotp_close(&s);
	if (r != -ENODEV) {
		fprintf(stderr, "isotp-gone: send after removal: %s, want %s\n",
			r < 0 ? strerror(-r) : "success", strerror(ENODEV));
		return 1;
	}
	printf("ok send after removal: %s\n", strerror(-r));
	return 0;
}
