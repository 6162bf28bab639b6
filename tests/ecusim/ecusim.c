// SPDX-License-Identifier: MIT
/*
 * recall-ecusim: simulates a vehicle's ECUs on a CAN interface from a profile file (see README.md).
 *
 * It speaks ISO 15765-2 with its own encoder on CAN_RAW — deliberately not can/'s code nor the
 * kernel's ISO-TP — so a bug shared with the client cannot hide, and so it can break the protocol
 * on purpose (faults).  One request is served at a time; a multi-frame answer waits for the
 * tester's Flow Control on the ECU's physical request id and honours BS/STmin unless told not to.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/can.h>
#include <linux/can/raw.h>

#include "plugin/cli.h"

enum scheme { OBD11, OBD29, BMW, UDS11 };

enum fault {
	F_NONE, F_SILENT, F_WRONG_SN, F_TRUNCATED, F_FF_SHORT, F_IGNORE_STMIN, F_GARBAGE,
	F_FC_OVERFLOW, F_PHYSICAL_ONLY,
};

static const char *const fault_names[] = {
	"none", "silent", "wrong-sn", "truncated", "ff-short", "ignore-stmin", "garbage",
	"fc-overflow", "physical-only",
};

#define MAX_ECUS 128	/* more than can/ reads (IDENT_MAX_ECUS), to test its limit */
#define MAX_DIDS 32
#define MAX_VAL 200
#define MAX_IGNORE 8

struct did {
	uint16_t id;
	size_t len;
	uint8_t val[MAX_VAL];
};

struct ecu {
	uint32_t addr;
	enum scheme scheme;		/* [vehicle] addressing unless the section names its own */
	char name[21];
	char vin[MAX_VAL];		/* service 09 PID 02; "" = not supported */
	size_t calid_len, cvn_len;	/* service 09 PID 04 / 06; 0 = not supported */
	uint8_t calid[MAX_VAL], cvn[MAX_VAL];
	unsigned int delay_ms, pending, busy;
	bool lie;			/* pending-forever: 0x78 without end for 22 lie_did */
	uint16_t lie_did;
	enum fault fault;
	bool fd;			/* ISO-TP over CAN FD: answers in CAN FD frames, TX_DL 64 */
	size_t n_ignore;		/* requests (SID << 8 | PID/DID high byte ...) never answered */
	uint16_t ignore[MAX_IGNORE];
	size_t n_dids;
	struct did dids[MAX_DIDS];
	unsigned int busy_left;		/* per request */
	unsigned int a_p2, a_p2star;	/* announced in the 10 01 answer (ISO 14229-2) */
};

/* The vehicle's default; a real BMW answers OBD-II on 0x7DF/0x7E8 and D-CAN on 0x6F1 at once,
 * so an [ecu] section may name its own addressing. */
static enum scheme scheme = OBD11;
static struct ecu ecus[MAX_ECUS];
static size_t n_ecus;
static volatile sig_atomic_t stop;
static int sock = -1;
/*
 * Frames that arrived while one ECU was busy (waiting for the tester's Flow Control, lying with
 * 0x78): served next, in order, by the main loop.  The tester reads ECUs at the same time; a
 * request to another ECU dropped there would be an ECU that never answered, which no car does.
 */
#define MAX_HELD 256
static struct canfd_frame held[MAX_HELD];
static size_t held_first, n_held;

static void hold(const struct canfd_frame *f)
{
	if (n_held < MAX_HELD)
		held[(held_first + n_held++) % MAX_HELD] = *f;
}

static bool unhold(struct canfd_frame *f)
{
	if (!n_held)
		return false;
	*f = held[held_first];
	held_first = (held_first + 1) % MAX_HELD;
	n_held--;
	return true;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !stop)
		;
}

/* ---- profile ---- */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* "text" or hex:0A0B... into buf; returns length or -1. */
static int parse_value(const char *v, uint8_t *buf, size_t cap)
{
	size_t n = 0;

	if (strncmp(v, "hex:", 4) == 0) {
		v += 4;
		while (*v) {
			unsigned int b;

			if (n >= cap || sscanf(v, "%2x", &b) != 1 || !v[1])
				return -1;
			buf[n++] = (uint8_t)b;
			v += 2;
		}
		return (int)n;
	}
	if (*v != '"' || strlen(v) < 2 || v[strlen(v) - 1] != '"')
		return -1;
	n = strlen(v) - 2;
	if (n > cap)
		return -1;
	memcpy(buf, v + 1, n);
	return (int)n;
}

static int parse_uint(const char *v, unsigned int *ret)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n > 60000)
		return -1;
	*ret = (unsigned int)n;
	return 0;
}

static int load_profile(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	unsigned int lineno = 0;
	struct ecu *cur = NULL;
	int r = 0;

	if (!f) {
		fprintf(stderr, "recall-ecusim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq, *key, *val, orig[512];
		unsigned long a;

		lineno++;
		snprintf(orig, sizeof(orig), "%s", s);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (strncmp(s, "[ecu ", 5) == 0 && s[strlen(s) - 1] == ']') {
			unsigned long b;
			int k = 0;

			/* [ecu 0x710:0x77A]: a uds11 ECU, request id : response id */
			if (n_ecus >= MAX_ECUS)
				goto bad;
			if (sscanf(s + 5, "%lx:%lx]%n", &a, &b, &k) == 2 && k) {
				if (a > 0x7FF || b > 0x7FF || a == b)
					goto bad;
				cur = &ecus[n_ecus++];
				memset(cur, 0, sizeof(*cur));
				cur->addr = (uint32_t)(a << 16 | b);
				cur->scheme = UDS11;
				cur->a_p2 = 50;
				cur->a_p2star = 5000;
				continue;
			}
			if (sscanf(s + 5, "%lx", &a) != 1 || a > 0x7FF)
				goto bad;
			cur = &ecus[n_ecus++];
			memset(cur, 0, sizeof(*cur));
			cur->a_p2 = 50;
			cur->a_p2star = 5000;
			cur->addr = (uint32_t)a;
			cur->scheme = scheme;
			continue;
		}
		if (strcmp(s, "[vehicle]") == 0) {
			cur = NULL;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq)
			goto bad;
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (strcmp(key, "addressing") == 0) {
			enum scheme *sp = cur ? &cur->scheme : &scheme;

			if (strcmp(val, "obd11") == 0)
				*sp = OBD11;
			else if (strcmp(val, "obd29") == 0)
				*sp = OBD29;
			else if (strcmp(val, "bmw") == 0)
				*sp = BMW;
			else if (strcmp(val, "uds11") == 0 && cur && cur->addr > 0xFFFF)
				*sp = UDS11;
			else
				goto bad;
			continue;
		}
		if (!cur)
			goto bad;
		if (strncmp(key, "did ", 4) == 0) {
			struct did *d;
			int n;

			if (cur->n_dids >= MAX_DIDS || sscanf(key + 4, "%lx", &a) != 1 || a > 0xFFFF)
				goto bad;
			d = &cur->dids[cur->n_dids++];
			d->id = (uint16_t)a;
			n = parse_value(val, d->val, sizeof(d->val));
			if (n < 0)
				goto bad;
			d->len = (size_t)n;
		} else if (strcmp(key, "vin09") == 0) {
			int n = parse_value(val, (uint8_t *)cur->vin, sizeof(cur->vin) - 1);

			if (n < 0)
				goto bad;
			cur->vin[n] = '\0';
		} else if (strcmp(key, "calid") == 0 || strcmp(key, "cvn") == 0) {
			bool cal = key[1] == 'a';
			int n = parse_value(val, cal ? cur->calid : cur->cvn, MAX_VAL);

			if (n < 0)
				goto bad;
			*(cal ? &cur->calid_len : &cur->cvn_len) = (size_t)n;
		} else if (strcmp(key, "fd") == 0) {
			if (strcmp(val, "yes") && strcmp(val, "no"))
				goto bad;
			cur->fd = strcmp(val, "yes") == 0;
		} else if (strcmp(key, "ignore") == 0) {
			/* "09 04, 09 0A": requests (SID, first parameter byte) never answered */
			char *w, *save = NULL, vbuf[256];

			snprintf(vbuf, sizeof(vbuf), "%s", val);
			for (w = strtok_r(vbuf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
				unsigned int sid, par;
				int k = 0;

				if (cur->n_ignore >= MAX_IGNORE ||
				    sscanf(w, " %2x %2x %n", &sid, &par, &k) != 2 || w[k])
					goto bad;
				cur->ignore[cur->n_ignore++] = (uint16_t)(sid << 8 | par);
			}
		} else if (strcmp(key, "name") == 0) {
			snprintf(cur->name, sizeof(cur->name), "%s", val);
		} else if (strcmp(key, "delay") == 0) {
			if (parse_uint(val, &cur->delay_ms) < 0)
				goto bad;
		} else if (strcmp(key, "p2") == 0) {
			if (parse_uint(val, &cur->a_p2) < 0 || cur->a_p2 > 0xFFFF)
				goto bad;
		} else if (strcmp(key, "p2star") == 0) {
			if (parse_uint(val, &cur->a_p2star) < 0 || cur->a_p2star > 655350)
				goto bad;
		} else if (strcmp(key, "pending") == 0) {
			if (parse_uint(val, &cur->pending) < 0)
				goto bad;
		} else if (strcmp(key, "pending-forever") == 0) {
			if (sscanf(val, "%lx", &a) != 1 || a > 0xFFFF)
				goto bad;
			cur->lie = true;
			cur->lie_did = (uint16_t)a;
		} else if (strcmp(key, "busy") == 0) {
			if (parse_uint(val, &cur->busy) < 0)
				goto bad;
		} else if (strcmp(key, "fault") == 0) {
			size_t i;

			for (i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++)
				if (strcmp(val, fault_names[i]) == 0)
					break;
			if (i == sizeof(fault_names) / sizeof(fault_names[0]))
				goto bad;
			cur->fault = (enum fault)i;
		} else {
			goto bad;
		}
		continue;
bad:
		fprintf(stderr, "%s:%u:1: error: cannot read '%s'\n", path, lineno, orig);
		r = -1;
	}
	fclose(f);
	if (!r && !n_ecus) {
		fprintf(stderr, "%s: error: no [ecu ADDR] section\n", path);
		r = -1;
	}
	/* the first `busy` physical requests of each ECU get 0x21 */
	for (size_t i = 0; i < n_ecus; i++)
		ecus[i].busy_left = ecus[i].busy;
	return r;
}

/* ---- frames ---- */
static uint32_t tx_id(const struct ecu *e)
{
	switch (e->scheme) {
	case OBD11: return e->addr + 8;
	case OBD29: return (0x18DAF100u | e->addr) | CAN_EFF_FLAG;
	case UDS11: return e->addr & 0x7FF;
	default: return 0x600 + e->addr;
	}
}

/* Payload offset in a frame: BMW carries the address byte first. */
static size_t pci_off(const struct ecu *e)
{
	return e->scheme == BMW ? 1 : 0;
}

/* CAN FD data lengths (ISO 11898-1): a frame is padded up to the next one. */
static size_t fd_len(size_t n)
{
	static const size_t dl[] = { 8, 12, 16, 20, 24, 32, 48, 64 };

	for (size_t i = 0; i < sizeof(dl) / sizeof(dl[0]); i++)
		if (n <= dl[i])
			return dl[i];
	return 64;
}

static int send_frame(const struct ecu *e, const uint8_t *data, size_t len)
{
	struct canfd_frame f = { 0 };
	size_t o = pci_off(e);

	f.can_id = tx_id(e);
	f.len = e->fd ? (uint8_t)fd_len(len + o) : 8;
	memset(f.data, 0xAA, sizeof(f.data));
	if (e->scheme == BMW)
		f.data[0] = 0xF1;
	memcpy(f.data + o, data, len);
	if (e->fd)
		return write(sock, &f, CANFD_MTU) == CANFD_MTU ? 0 : -1;
	return write(sock, &f, CAN_MTU) == CAN_MTU ? 0 : -1;
}

/* One frame, classic or FD: its length, or -1. */
static ssize_t read_frame(struct canfd_frame *f)
{
	ssize_t n = read(sock, f, sizeof(*f));

	if (n != CAN_MTU && n != CANFD_MTU)
		return -1;
	if (f->len > (n == CANFD_MTU ? CANFD_MAX_DLEN : CAN_MAX_DLEN))
		return -1;
	return n;
}

/* Is this frame addressed to ECU e (phys) or all (func)?  Returns 1 phys, 2 func, 0 no. */
static int addressed(const struct canfd_frame *f, const struct ecu *e)
{
	uint32_t id = f->can_id & (f->can_id & CAN_EFF_FLAG ? CAN_EFF_MASK : CAN_SFF_MASK);
	bool eff = f->can_id & CAN_EFF_FLAG;

	switch (e->scheme) {
	case OBD11:
		if (eff)
			return 0;
		return id == e->addr ? 1 : id == 0x7DF ? 2 : 0;
	case OBD29:
		if (!eff)
			return 0;
		return id == (0x18DA00F1u | e->addr << 8) ? 1 : id == 0x18DB33F1u ? 2 : 0;
	case UDS11:
		/* physical only: no make-wide functional id for these pairs */
		return !eff && id == e->addr >> 16 ? 1 : 0;
	default:
		if (eff || id != 0x6F1 || f->len < 1)
			return 0;
		return f->data[0] == e->addr ? 1 : f->data[0] == 0xDF ? 2 : 0;
	}
}

/* Waits for the tester's FC to this ECU; returns FS (0 CTS, 1 WAIT, 2 OVFLW) or -1. */
static int wait_fc(const struct ecu *e, uint8_t *bs, uint8_t *stmin)
{
	uint64_t end = now_ms() + 1000;	/* N_Bs */

	while (!stop) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		struct canfd_frame f;
		uint64_t now = now_ms();
		size_t o = pci_off(e);

		if (now >= end || poll(&p, 1, (int)(end - now)) <= 0)
			return -1;
		if (read_frame(&f) < 0)
			continue;
		if (addressed(&f, e) != 1 || f.len < o + 3 || (f.data[o] & 0xF0) != 0x30) {
			hold(&f);	/* not our FC: someone else's request, served after */
			continue;
		}
		*bs = f.data[o + 1];
		*stmin = f.data[o + 2];
		return f.data[o] & 0x0F;
	}
	return -1;
}

static void stmin_sleep(uint8_t st)
{
	if (st <= 0x7F) {
		sleep_ms(st);
	} else if (st >= 0xF1 && st <= 0xF9) {
		struct timespec ts = { 0, (long)(st - 0xF0) * 100000L };

		nanosleep(&ts, NULL);
	} else {
		sleep_ms(0x7F);	/* reserved values: ISO 15765-2 says use the maximum */
	}
}

static void send_pdu(const struct ecu *e, const uint8_t *msg, size_t len)
{
	size_t room = (e->fd ? 63 : 7) - pci_off(e), sent, announce = len;
	uint8_t fr[64], sn = 1, bs, st;
	unsigned int in_block = 0;

	if (e->fault == F_GARBAGE) {
		uint8_t g[7] = { 0xE5, 0x13, 0x37, 0x00, 0xFF, 0x42, 0x99 };

		send_frame(e, g, room);
		return;
	}
	if (len <= 7 - pci_off(e)) {
		fr[0] = (uint8_t)len;
		memcpy(fr + 1, msg, len);
		send_frame(e, fr, len + 1);
		return;
	}
	if (e->fd && len <= room - 1) {
		/* ISO 15765-2:2016 SF with escape: PCI 0x00, then the length byte */
		fr[0] = 0;
		fr[1] = (uint8_t)len;
		memcpy(fr + 2, msg, len);
		send_frame(e, fr, len + 2);
		return;
	}
	if (e->fault == F_FF_SHORT)
		announce = len - 3;
	fr[0] = (uint8_t)(0x10 | (announce >> 8 & 0x0F));
	fr[1] = (uint8_t)announce;
	memcpy(fr + 2, msg, room - 1);
	sent = room - 1;
	send_frame(e, fr, room + 1);
	for (;;) {
		int fs = wait_fc(e, &bs, &st);

		if (fs == 1)
			continue;
		if (fs != 0)
			return;	/* overflow, invalid or no FC: abort like N_Bs timeout */
		break;
	}
	while (sent < len && !stop) {
		size_t n = len - sent < room ? len - sent : room;

		if (e->fault == F_TRUNCATED && sent + n >= len)
			return;
		if (e->fault != F_IGNORE_STMIN)
			stmin_sleep(st);
		fr[0] = (uint8_t)(0x20 | (sn & 0x0F));
		if (e->fault == F_WRONG_SN && sn == 2)
			fr[0] = 0x25;
		memcpy(fr + 1, msg + sent, n);
		send_frame(e, fr, n + 1);
		sent += n;
		sn++;
		if (bs && ++in_block == bs && sent < len) {
			in_block = 0;
			do {
				if (wait_fc(e, &bs, &st) != 0)
					return;
			} while (0);
		}
	}
}

static void neg(const struct ecu *e, uint8_t sid, uint8_t nrc)
{
	uint8_t m[3] = { 0x7F, sid, nrc };

	send_pdu(e, m, 3);
}

static void serve(struct ecu *e, const uint8_t *req, size_t len, bool functional)
{
	uint8_t out[MAX_VAL + 32];	/* + header + CALID padding to 16 */
	size_t n = 0;

	if (e->fault == F_SILENT || (functional && e->fault == F_PHYSICAL_ONLY))
		return;
	/* a request it does not support and answers with silence (J1979 for optional PIDs) */
	for (size_t i = 0; i < e->n_ignore; i++)
		if (len >= 2 && e->ignore[i] == (uint16_t)(req[0] << 8 | req[1]))
			return;
	if (e->delay_ms)
		sleep_ms(e->delay_ms);
	if (!functional && e->busy_left) {
		e->busy_left--;
		neg(e, req[0], 0x21);
		return;
	}
	/* A lying ECU: 0x78 every 20 ms until the tester gives up and sends it anything else (kept
	 * in `held` for the main loop); bounded so a forgotten simulator ends by itself.  Only a
	 * frame to this ECU ends it: a tester reads ECUs at the same time, and a request to another
	 * ECU (served by its own process with --process-per-ecu, lost here without) is no sign
	 * that the tester gave this one up. */
	if (!functional && e->lie && req[0] == 0x22 && len == 3 &&
	    (uint16_t)(req[1] << 8 | req[2]) == e->lie_did) {
		uint64_t next = now_ms();
		struct canfd_frame f;

		for (unsigned int i = 0; i < 100000 && !stop;) {
			struct pollfd p = { .fd = sock, .events = POLLIN };
			uint64_t now = now_ms();

			if (now >= next) {
				neg(e, 0x22, 0x78);
				next = now + 20;
				i++;
				continue;
			}
			if (poll(&p, 1, (int)(next - now)) > 0 && read_frame(&f) > 0) {
				hold(&f);
				if (addressed(&f, e))
					return;
			}
		}
		return;
	}
	for (unsigned int i = 0; !functional && i < e->pending && !stop; i++) {
		neg(e, req[0], 0x78);
		sleep_ms(20);
	}
	if (req[0] == 0x01 && len >= 2 && req[1] == 0x00 && e->scheme != BMW) {
		memcpy(out, "\x41\x00\xBE\x1F\xA8\x13", 6);
		n = 6;
	} else if (req[0] == 0x3E && len >= 2) {
		out[0] = 0x7E;
		out[1] = req[1];
		n = 2;
	} else if (req[0] == 0x10 && len >= 2 && e->scheme != OBD11 && e->scheme != OBD29) {
		/* DiagnosticSessionControl: P2server_max (ms), P2*server_max (10 ms) */
		out[0] = 0x50;
		out[1] = req[1];
		out[2] = (uint8_t)(e->a_p2 >> 8);
		out[3] = (uint8_t)e->a_p2;
		out[4] = (uint8_t)(e->a_p2star / 10 >> 8);
		out[5] = (uint8_t)(e->a_p2star / 10);
		n = 6;
	} else if (req[0] == 0x09 && len >= 2 && req[1] == 0x02 && e->vin[0]) {
		size_t l = strlen(e->vin);

		memcpy(out, "\x49\x02\x01", 3);
		memcpy(out + 3, e->vin, l);
		n = 3 + l;
	} else if (req[0] == 0x09 && len >= 2 && req[1] == 0x04 && e->calid_len) {
		/* J1979: count = number of 16-byte CALIDs */
		out[0] = 0x49;
		out[1] = 0x04;
		out[2] = (uint8_t)((e->calid_len + 15) / 16);
		memset(out + 3, 0, out[2] * 16u);
		memcpy(out + 3, e->calid, e->calid_len);
		n = 3 + out[2] * 16u;
	} else if (req[0] == 0x09 && len >= 2 && req[1] == 0x06 && e->cvn_len) {
		out[0] = 0x49;
		out[1] = 0x06;
		out[2] = (uint8_t)((e->cvn_len + 3) / 4);
		memcpy(out + 3, e->cvn, e->cvn_len);
		n = 3 + e->cvn_len;
	} else if (req[0] == 0x09 && len >= 2 && req[1] == 0x0A && e->name[0]) {
		memcpy(out, "\x49\x0A\x01", 3);
		memset(out + 3, 0, 20);
		memcpy(out + 3, e->name, strlen(e->name));
		n = 23;
	} else if (req[0] == 0x22 && len == 3) {
		uint16_t id = (uint16_t)(req[1] << 8 | req[2]);

		for (size_t i = 0; i < e->n_dids; i++) {
			if (e->dids[i].id != id)
				continue;
			out[0] = 0x62;
			out[1] = req[1];
			out[2] = req[2];
			memcpy(out + 3, e->dids[i].val, e->dids[i].len);
			n = 3 + e->dids[i].len;
		}
		if (!n) {
			neg(e, 0x22, 0x31);
			return;
		}
	} else if (!functional) {
		neg(e, req[0], req[0] == 0x09 ? 0x12 : 0x11);
		return;
	} else {
		return;
	}
	if (e->fault == F_FC_OVERFLOW) {
		/* FC with FlowStatus OVFLW (ISO 15765-2 9.6.5.1) where the answer belongs */
		send_frame(e, (const uint8_t *)"\x32\x00\x00", 3);
		return;
	}
	send_pdu(e, out, n);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: recall-ecusim [--ready-file FILE] [--process-per-ecu] PROFILE IFACE\n"
		"\n"
		"Simulates the ECUs described in PROFILE (format: tests/ecusim/README.md) on the CAN\n"
		"interface IFACE until SIGTERM/SIGINT (clean exit 0).  Answers OBD-II 01 00, 09 02,\n"
		"09 0A, UDS 3E, 10 (announcing the profile's p2/p2star) and 22 on the profile's\n"
		"addressing scheme (obd11, obd29, bmw, uds11; per ECU when its section names one) with\n"
		"its own\n"
		"ISO 15765-2 code on CAN_RAW, and injects the profile's faults.  Prints \"ready\" on\n"
		"stdout (and creates --ready-file) once it listens.\n"
		"\n"
		"  --ready-file FILE  create FILE once listening\n"
		"  --process-per-ecu  one process per ECU, each with its own socket: a slow ECU does\n"
		"                     not hold the others up (as in a car)\n"
		"  -h, --help         this text\n"
		"  -V, --version      print the version\n"
		"\n"
		"Exit status: 0 stopped by SIGTERM/SIGINT; 2 usage error; 3 the profile has errors\n"
		"(each printed as FILE:LINE:COL) or the interface cannot be used.\n");
}

static int open_sock(const char *ifname)
{
	struct sockaddr_can addr = { 0 };
	int s = socket(PF_CAN, SOCK_RAW | SOCK_CLOEXEC, CAN_RAW), one = 1;

	addr.can_family = AF_CAN;
	addr.can_ifindex = (int)if_nametoindex(ifname);
	/* CAN FD requests and Flow Controls of an FD tester (an FD profile needs MTU 72) */
	if (s >= 0)
		(void)setsockopt(s, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &one, sizeof(one));
	if (s < 0 || !addr.can_ifindex || bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "recall-ecusim: %s: %s\n", ifname, strerror(errno));
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

static void say_ready(const char *ready)
{
	printf("ready\n");
	fflush(stdout);
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f)
			fclose(f);
	}
}

/* Serves ecus[first..last) on sock until SIGTERM. */
static void serve_loop(size_t first, size_t last)
{
	while (!stop) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		struct canfd_frame f;

		if (!unhold(&f) && (poll(&p, 1, 200) <= 0 || read_frame(&f) < 0))
			continue;
		if (f.len > 8)
			continue;
		for (size_t i = first; i < last; i++) {
			struct ecu *e = &ecus[i];
			int a = addressed(&f, e);
			size_t o = pci_off(e), l;

			/* requests are Single Frames: PCI 0x0L, 1 <= L <= room */
			if (!a || f.len < o + 1 || (f.data[o] & 0xF0) != 0)
				continue;
			l = f.data[o];
			if (l < 1 || l > f.len - o - 1)
				continue;
			serve(e, f.data + o + 1, l, a == 2);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ready-file", required_argument, NULL, 'r' },
		{ "process-per-ecu", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *ready = NULL;
	struct sigaction sa = { 0 };
	bool split = false;
	int c;

	while ((c = getopt_long(argc, argv, "r:phV", opts, NULL)) != -1) {
		if (c == 'r') {
			ready = optarg;
		} else if (c == 'p') {
			split = true;
		} else if (c == 'h') {
			usage(stdout);
			return CLI_EXIT_NOTHING;
		} else if (c == 'V') {
			return cli_version("recall-ecusim");
		} else {
			return cli_usage_hint("recall-ecusim");
		}
	}
	if (optind != argc - 2)
		return cli_usage_error("recall-ecusim", "expected PROFILE IFACE");
	if (load_profile(argv[optind]) < 0)
		return CLI_EXIT_INCOMPLETE;
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!split) {
		sock = open_sock(argv[optind + 1]);
		if (sock < 0)
			return CLI_EXIT_INCOMPLETE;
		say_ready(ready);
		serve_loop(0, n_ecus);
		close(sock);
		return 0;
	}
	/* One process per ECU, each with its own socket (bound before the ready file): the ECUs
	 * of a real car answer independently — one slow ECU does not hold the others up. */
	{
		pid_t pids[MAX_ECUS];
		size_t n = 0;
		int rc = 0;

		for (size_t i = 0; i < n_ecus; i++) {
			int s = open_sock(argv[optind + 1]);

			if (s < 0) {
				rc = CLI_EXIT_INCOMPLETE;
				break;
			}
			pids[n] = fork();
			if (pids[n] == 0) {
				/* never outlive the simulator the tests kill */
				(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
				if (getppid() == 1)
					_exit(0);
				sock = s;
				serve_loop(i, i + 1);
				_exit(0);
			}
			close(s);
			if (pids[n] < 0) {
				rc = CLI_EXIT_INCOMPLETE;
				break;
			}
			n++;
		}
		sigset_t term, old;

		/* the signal blocked between the test of stop and the wait: one that came in
		 * between would otherwise be slept through */
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigaddset(&term, SIGINT);
		sigprocmask(SIG_BLOCK, &term, &old);
		if (!rc)
			say_ready(ready);
		while (!stop && !rc)
			sigsuspend(&old);
		sigprocmask(SIG_SETMASK, &old, NULL);
		for (size_t i = 0; i < n; i++)
			kill(pids[i], SIGTERM);
		for (size_t i = 0; i < n; i++)
			waitpid(pids[i], NULL, 0);
		return rc;
	}
}
