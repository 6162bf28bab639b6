/* slcan-emu — a serial CAN adapter (Lawicel / SLCAN ASCII protocol, as CANable, USBtin and
 * Lawicel CANUSB speak it) on a pseudo-terminal, whose CAN side is a vcan interface.
 *
 *   slcan-emu [options] VCAN
 *     --ready FILE    write the pty's slave path to FILE once it can be opened
 *     --log FILE      one line per command and event (what the host asked, what the bus did)
 *     --rate BPS      the bit rate of the bus behind the adapter (default 500000): opened at
 *                     another rate, the adapter sees the bus's frames only as errors and its own
 *                     transmissions fail with bit errors — as a real controller does
 *     --no-ack        no other node on the bus: every transmission gets ACK errors; the
 *                     controller retransmits on its own, the transmit error counter climbs by 8
 *                     per attempt to 128 (error-passive) and stays there (ISO 11898-1: an
 *                     error-passive transmitter's ACK errors do not count)
 *   SIGUSR1           a bus fault (e.g. CAN_H shorted): the controller goes bus-off at once and
 *                     stays off until the host closes and reopens the channel
 *
 * The host end is the kernel's slcan driver, attached with slcand (can-utils) or the line
 * discipline.  It sends C (close), Sn (bit rate), O (open) or L (listen-only open), and frames
 * t/T/r/R; the adapter answers CR (ok) or BEL (error), 'z'/'Z' for a sent frame, and reports
 * received frames (tIIILDD..), bus errors (eLcc..: 'a' ACK, 'b' bit0, 'B' bit1, 'c' CRC, 'f' form,
 * 's' stuff) and state changes (sSRRRTTT: a/w/p/b, receive and transmit error counters), which
 * the kernel's slcan turns into CAN error frames and controller states.
 *
 * Deliberately small and strict: a malformed command gets BEL and is logged, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/socket.h>

#include <linux/can.h>
#include <linux/can/raw.h>

static const unsigned int rates[] = { 10000,  20000,  50000,  100000, 125000,
				      250000, 500000, 800000, 1000000 };	/* S0..S8 */

static FILE *logfp;
static volatile sig_atomic_t fault;

struct emu {
	int pty, can;
	unsigned int bus_rate;
	bool no_ack;
	int code;		/* S code set by the host, -1 none */
	bool open, listen_only, bus_off;
	unsigned int tec, rec;
	char state;		/* 'a', 'w', 'p', 'b' last reported */
	char line[64];
	size_t len;
	bool overlong;
};

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logmsg(const char *fmt, ...)
{
	va_list ap;

	if (!logfp)
		return;
	va_start(ap, fmt);
	vfprintf(logfp, fmt, ap);
	va_end(ap);
	fputc('\n', logfp);
	fflush(logfp);
}

static void out(struct emu *e, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(e->pty, s, n);

		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				struct pollfd p = { .fd = e->pty, .events = POLLOUT };

				(void)poll(&p, 1, 100);
				continue;
			}
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

static bool rate_ok(const struct emu *e)
{
	return e->code >= 0 && rates[e->code] == e->bus_rate;
}

/* Report the controller state when it changes, as the slcan 's' message. */
static void report_state(struct emu *e)
{
	char st, buf[16];

	if (e->bus_off)
		st = 'b';
	else if (e->tec >= 128 || e->rec >= 128)
		st = 'p';
	else if (e->tec >= 96 || e->rec >= 96)
		st = 'w';
	else
		st = 'a';
	if (st == e->state)
		return;
	e->state = st;
	snprintf(buf, sizeof(buf), "s%c%03u%03u\r", st, e->rec > 255 ? 255 : e->rec,
		 e->tec > 255 ? 255 : e->tec);
	out(e, buf);
	logmsg("state %c rec %u tec %u", st, e->rec, e->tec);
}

static void go_bus_off(struct emu *e, const char *why)
{
	e->bus_off = true;
	e->tec = 256;
	logmsg("bus-off (%s)", why);
	report_state(e);
}

/* A frame the host wants sent. */
static void host_tx(struct emu *e, const struct can_frame *f)
{
	if (!e->open || e->listen_only || e->bus_off) {
		logmsg("tx refused (%s)", !e->open ? "closed" : e->listen_only ? "listen-only" :
			"bus-off");
		out(e, "\a");
		return;
	}
	if (!rate_ok(e)) {
		/* at the wrong rate the other nodes' error flags destroy our frame: bit errors,
		 * +8 each; a real controller retries until bus-off */
		logmsg("tx %03X at %u on a %u bus: bit error", f->can_id & CAN_EFF_MASK,
		       rates[e->code], e->bus_rate);
		out(e, (f->can_id & CAN_EFF_FLAG) ? "Z\r" : "z\r");
		out(e, "e1b\r");
		e->tec += 8;
		if (e->tec > 255)
			go_bus_off(e, "bit errors at the wrong rate");
		else
			report_state(e);
		return;
	}
	if (e->no_ack) {
		/* the controller retransmits at once, on its own, until error-passive: +8 per
		 * unacknowledged attempt up to 128; past that an ACK error costs nothing */
		logmsg("tx %03X: no ACK", f->can_id & CAN_EFF_MASK);
		out(e, (f->can_id & CAN_EFF_FLAG) ? "Z\r" : "z\r");
		do {
			out(e, "e1a\r");
			if (e->tec < 128)
				e->tec += 8;
			report_state(e);
		} while (e->tec < 128);
		return;
	}
	if (write(e->can, f, sizeof(*f)) != (ssize_t)sizeof(*f))
		logmsg("tx to the bus failed: %s", strerror(errno));
	else
		logmsg("tx %03X [%u]", f->can_id & CAN_EFF_MASK, f->len);
	out(e, (f->can_id & CAN_EFF_FLAG) ? "Z\r" : "z\r");
	if (e->tec)
		e->tec--;
	report_state(e);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* t/T/r/R command to a frame; false if malformed. */
static bool parse_frame(const char *s, size_t n, struct can_frame *f)
{
	bool ext = s[0] == 'T' || s[0] == 'R', rtr = s[0] == 'r' || s[0] == 'R';
	size_t idlen = ext ? 8 : 3, i;
	uint32_t id = 0;
	int dlc;

	memset(f, 0, sizeof(*f));
	if (n < 1 + idlen + 1)
		return false;
	for (i = 0; i < idlen; i++) {
		int v = hexval(s[1 + i]);

		if (v < 0)
			return false;
		id = id << 4 | (uint32_t)v;
	}
	if (id > (ext ? CAN_EFF_MASK : CAN_SFF_MASK))
		return false;
	dlc = s[1 + idlen] - '0';
	if (dlc < 0 || dlc > 8)
		return false;
	if (!rtr && n != 1 + idlen + 1 + 2 * (size_t)dlc)
		return false;
	if (rtr && n != 1 + idlen + 1)
		return false;
	for (i = 0; !rtr && i < (size_t)dlc; i++) {
		int hi = hexval(s[2 + idlen + 2 * i]), lo = hexval(s[3 + idlen + 2 * i]);

		if (hi < 0 || lo < 0)
			return false;
		f->data[i] = (uint8_t)(hi << 4 | lo);
	}
	f->can_id = id | (ext ? CAN_EFF_FLAG : 0) | (rtr ? CAN_RTR_FLAG : 0);
	f->len = (uint8_t)dlc;
	return true;
}

static void command(struct emu *e, const char *s, size_t n)
{
	struct can_frame f;

	if (n == 0)
		return;	/* a bare CR: fine */
	switch (s[0]) {
	case 'S':
		if (n == 2 && s[1] >= '0' && s[1] <= '8' && !e->open) {
			e->code = s[1] - '0';
			logmsg("bitrate %u", rates[e->code]);
			out(e, "\r");
			return;
		}
		break;
	case 'O':
	case 'L':
		if (n == 1 && !e->open && e->code >= 0) {
			e->open = true;
			e->listen_only = s[0] == 'L';
			e->bus_off = false;
			e->tec = e->rec = 0;
			e->state = 'a';
			logmsg("open%s at %u", e->listen_only ? " listen-only" : "",
			       rates[e->code]);
			out(e, "\r");
			return;
		}
		break;
	case 'C':
		if (n == 1) {
			if (e->open)
				logmsg("close");
			e->open = false;
			out(e, "\r");
			return;
		}
		break;
	case 'V':
		out(e, "V1013\r");
		return;
	case 'N':
		out(e, "NEMU1\r");
		return;
	case 'F':
		out(e, "F00\r");
		return;
	case 'Z':
	case 'X':
	case 'W':
	case 'M':
	case 'm':
		out(e, "\r");
		return;
	case 't':
	case 'T':
	case 'r':
	case 'R':
		if (parse_frame(s, n, &f)) {
			host_tx(e, &f);
			return;
		}
		break;
	default:
		break;
	}
	logmsg("refused '%.*s'", (int)(n < 40 ? n : 40), s);
	out(e, "\a");
}

static void pty_input(struct emu *e, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\r' || c == '\n') {
			if (!e->overlong)
				command(e, e->line, e->len);
			else
				out(e, "\a");
			e->len = 0;
			e->overlong = false;
		} else if (e->len < sizeof(e->line)) {
			e->line[e->len++] = c;
		} else {
			e->overlong = true;
		}
	}
}

/* A frame from the bus (the car). */
static void bus_rx(struct emu *e, const struct can_frame *f)
{
	char buf[40];
	size_t n;

	if (!e->open || e->bus_off)
		return;
	if (!rate_ok(e)) {
		/* what a controller at the wrong rate makes of a frame: stuff and form errors */
		out(e, "e2sf\r");
		e->rec += 1;
		report_state(e);
		logmsg("rx %03X at %u on a %u bus: stuff/form error", f->can_id & CAN_EFF_MASK,
		       rates[e->code], e->bus_rate);
		return;
	}
	if (f->can_id & CAN_EFF_FLAG)
		n = (size_t)snprintf(buf, sizeof(buf), "%c%08X%u",
				     (f->can_id & CAN_RTR_FLAG) ? 'R' : 'T',
				     f->can_id & CAN_EFF_MASK, f->len);
	else
		n = (size_t)snprintf(buf, sizeof(buf), "%c%03X%u",
				     (f->can_id & CAN_RTR_FLAG) ? 'r' : 't',
				     f->can_id & CAN_SFF_MASK, f->len);
	for (unsigned int i = 0; !(f->can_id & CAN_RTR_FLAG) && i < f->len && i < 8u; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%02X", f->data[i]);
	snprintf(buf + n, sizeof(buf) - n, "\r");
	out(e, buf);
	if (e->rec)
		e->rec--;
	report_state(e);
}

static void on_usr1(int sig)
{
	(void)sig;
	fault = 1;
}

int main(int argc, char **argv)
{
	struct emu e = { .pty = -1, .can = -1, .bus_rate = 500000, .code = -1, .state = 'a' };
	struct sockaddr_can addr = { .can_family = AF_CAN };
	const char *ready = NULL, *vcan = NULL;
	struct termios tio;
	struct sigaction sa;
	char *slave;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--ready") == 0 && i + 1 < argc)
			ready = argv[++i];
		else if (strcmp(argv[i], "--log") == 0 && i + 1 < argc)
			logfp = fopen(argv[++i], "a");
		else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc)
			e.bus_rate = (unsigned int)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--no-ack") == 0)
			e.no_ack = true;
		else if (argv[i][0] != '-' && !vcan)
			vcan = argv[i];
		else {
			fprintf(stderr, "usage: slcan-emu [--ready FILE] [--log FILE] [--rate BPS] "
					"[--no-ack] VCAN\n");
			return 2;
		}
	}
	if (!vcan)
		return 2;
	e.can = socket(PF_CAN, SOCK_RAW | SOCK_CLOEXEC, CAN_RAW);
	addr.can_ifindex = (int)if_nametoindex(vcan);
	if (e.can < 0 || !addr.can_ifindex ||
	    bind(e.can, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("slcan-emu: CAN side");
		return 1;
	}
	e.pty = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (e.pty < 0 || grantpt(e.pty) < 0 || unlockpt(e.pty) < 0 || !(slave = ptsname(e.pty))) {
		perror("slcan-emu: pty");
		return 1;
	}
	/* raw bytes both ways: no echo, no line editing, no CR/NL translation */
	if (tcgetattr(e.pty, &tio) == 0) {
		cfmakeraw(&tio);
		(void)tcsetattr(e.pty, TCSANOW, &tio);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	logmsg("pty %s, bus %s at %u%s", slave, vcan, e.bus_rate, e.no_ack ? ", no ACK" : "");
	if (ready) {
		char tmp[4096];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp", ready);
		f = fopen(tmp, "w");
		if (!f || fprintf(f, "%s\n", slave) < 0 || fclose(f) != 0 || rename(tmp, ready) < 0) {
			perror("slcan-emu: ready file");
			return 1;
		}
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = e.pty, .events = POLLIN },
				       { .fd = e.can, .events = POLLIN } };
		int r = poll(p, 2, 200);

		if (fault) {
			fault = 0;
			if (e.open && !e.bus_off)
				go_bus_off(&e, "bus fault injected");
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[0].revents & POLLIN) {
			char buf[256];
			ssize_t n = read(e.pty, buf, sizeof(buf));

			if (n > 0)
				pty_input(&e, buf, (size_t)n);
		} else if (p[0].revents & POLLHUP) {
			/* nobody on the other end yet (or any more): wait, do not spin */
			usleep(50000);
		}
		if (p[1].revents & POLLIN) {
			struct can_frame f;

			if (read(e.can, &f, sizeof(f)) == (ssize_t)sizeof(f))
				bus_rx(&e, &f);
		}
	}
}
