/*
 * Proves the bench is a real CAN stack: two kernel ISO-TP sockets on a vcan interface exchange a
 * UDS ReadDataByIdentifier F190 (VIN) request and its 20-byte answer, and a CAN_RAW socket on the
 * same interface must see exactly the frames ISO 15765-2 prescribes:
 *
 *   7E0  03 22 F1 90 55 55 55 55   SF, tester -> ECU (tester pads with 0x55)
 *   7E8  10 14 62 F1 90 'W' 'B' 'Y' FF, 20 bytes announced (ECU pads with 0xAA)
 *   7E0  30 00 00 55 55 55 55 55   FC from the tester: CTS, BS 0, STmin 0 — to the ECU's request id
 *   7E8  21 <7 VIN bytes>          CF 1
 *   7E8  22 <7 VIN bytes>          CF 2
 *
 * Fails (never skips) when the kernel has no CAN_ISOTP: the bench exists to catch exactly that.
 *
 *   isotp-smoke IFACE
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/can.h>
#include <linux/can/isotp.h>
#include <linux/can/raw.h>

#define TESTER_TX 0x7E0
#define ECU_TX    0x7E8
#define WAIT_MS   2000

static const char vin[] = "WBY1Z21080V123456"; /* 17 characters, no NUL sent */

static int fail(const char *what)
{
	fprintf(stderr, "isotp-smoke: FAIL: %s\n", what);
	return -1;
}

static int open_isotp(int ifindex, canid_t tx, canid_t rx, uint8_t pad)
{
	struct sockaddr_can addr = { .can_family = AF_CAN, .can_ifindex = ifindex };
	struct can_isotp_options opts = {
		.flags = CAN_ISOTP_TX_PADDING,
		.txpad_content = pad,
	};
	int s = socket(PF_CAN, SOCK_DGRAM, CAN_ISOTP);

	if (s < 0) {
		fprintf(stderr, "isotp-smoke: FAIL: socket(PF_CAN, SOCK_DGRAM, CAN_ISOTP): %s%s\n",
			strerror(errno),
			errno == EPROTONOSUPPORT ? " (kernel module can-isotp not loaded)" : "");
		return -1;
	}
	if (setsockopt(s, SOL_CAN_ISOTP, CAN_ISOTP_OPTS, &opts, sizeof(opts)) < 0) {
		perror("isotp-smoke: CAN_ISOTP_OPTS");
		close(s);
		return -1;
	}
	addr.can_addr.tp.tx_id = tx;
	addr.can_addr.tp.rx_id = rx;
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("isotp-smoke: bind isotp");
		close(s);
		return -1;
	}
	return s;
}

static int open_raw(int ifindex)
{
	struct sockaddr_can addr = { .can_family = AF_CAN, .can_ifindex = ifindex };
	int s = socket(PF_CAN, SOCK_RAW, CAN_RAW);

	if (s < 0) {
		fprintf(stderr, "isotp-smoke: FAIL: socket(CAN_RAW): %s\n", strerror(errno));
		return -1;
	}
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("isotp-smoke: bind raw");
		close(s);
		return -1;
	}
	return s;
}

static ssize_t read_wait(int s, void *buf, size_t len)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	int r = poll(&p, 1, WAIT_MS);

	if (r <= 0)
		return r == 0 ? -ETIMEDOUT : -errno;
	r = (int)read(s, buf, len);
	return r < 0 ? -errno : r;
}

struct want_frame {
	canid_t id;
	uint8_t data[8];
};

static void print_frame(const char *tag, canid_t id, const uint8_t *d, int dlc)
{
	int i;

	fprintf(stderr, "  %s %03X#", tag, id);
	for (i = 0; i < dlc; i++)
		fprintf(stderr, "%02X", d[i]);
	fprintf(stderr, "\n");
}

int main(int argc, char **argv)
{
	uint8_t req[3] = { 0x22, 0xF1, 0x90 };
	uint8_t resp[20], buf[64];
	struct want_frame want[5] = {
		{ TESTER_TX, { 0x03, 0x22, 0xF1, 0x90, 0x55, 0x55, 0x55, 0x55 } },
		{ ECU_TX, { 0x10, 0x14, 0x62, 0xF1, 0x90 } },
		{ TESTER_TX, { 0x30, 0x00, 0x00, 0x55, 0x55, 0x55, 0x55, 0x55 } },
		{ ECU_TX, { 0x21 } },
		{ ECU_TX, { 0x22 } },
	};
	int tester = -1, ecu = -1, raw = -1, ifindex, i, rc = 1;
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: isotp-smoke IFACE\n");
		return 2;
	}
	ifindex = (int)if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "isotp-smoke: FAIL: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}

	memcpy(resp, "\x62\xF1\x90", 3);
	memcpy(resp + 3, vin, 17);
	memcpy(want[1].data + 5, vin, 3);
	memcpy(want[3].data + 1, vin + 3, 7);
	memcpy(want[4].data + 1, vin + 10, 7);

	/* The observer first, so it cannot miss the opening frame. */
	if ((raw = open_raw(ifindex)) < 0)
		goto out;
	if ((tester = open_isotp(ifindex, TESTER_TX, ECU_TX, 0x55)) < 0)
		goto out;
	if ((ecu = open_isotp(ifindex, ECU_TX, TESTER_TX, 0xAA)) < 0)
		goto out;

	if (write(tester, req, sizeof(req)) != (ssize_t)sizeof(req)) {
		fail("tester write");
		goto out;
	}
	n = read_wait(ecu, buf, sizeof(buf));
	if (n != (ssize_t)sizeof(req) || memcmp(buf, req, sizeof(req))) {
		fprintf(stderr, "isotp-smoke: FAIL: ECU got %zd bytes, want 22 F1 90\n", n);
		goto out;
	}
	if (write(ecu, resp, sizeof(resp)) != (ssize_t)sizeof(resp)) {
		fail("ECU write (multi-frame)");
		goto out;
	}
	n = read_wait(tester, buf, sizeof(buf));
	if (n != (ssize_t)sizeof(resp) || memcmp(buf, resp, sizeof(resp))) {
		fprintf(stderr, "isotp-smoke: FAIL: tester got %zd bytes, want the 20-byte answer\n", n);
		goto out;
	}

	for (i = 0; i < 5; i++) {
		struct can_frame f;

		n = read_wait(raw, &f, sizeof(f));
		if (n != (ssize_t)sizeof(f)) {
			fprintf(stderr, "isotp-smoke: FAIL: frame %d not seen on the bus (%s)\n", i + 1,
				n < 0 ? strerror((int)-n) : "short read");
			goto out;
		}
		if (f.can_id != want[i].id || f.len != 8 || memcmp(f.data, want[i].data, 8)) {
			fprintf(stderr, "isotp-smoke: FAIL: frame %d differs\n", i + 1);
			print_frame("want", want[i].id, want[i].data, 8);
			print_frame("got ", f.can_id, f.data, f.len);
			goto out;
		}
		print_frame("ok  ", f.can_id, f.data, f.len);
	}
	/* Nothing more may follow: a second FC or a stray frame is a stack bug too. */
	{
		struct can_frame f;

		n = read_wait(raw, &f, sizeof(f));
		if (n != -ETIMEDOUT) {
			if (n == (ssize_t)sizeof(f))
				print_frame("extra", f.can_id, f.data, f.len);
			fail("unexpected frame after the last consecutive frame");
			goto out;
		}
	}
	printf("isotp-smoke: %s: SF, FF, FC, 2 CF as ISO 15765-2 prescribes\n", argv[1]);
	rc = 0;
out:
	if (tester >= 0)
		close(tester);
	if (ecu >= 0)
		close(ecu);
	if (raw >= 0)
		close(raw);
	return rc;
}
