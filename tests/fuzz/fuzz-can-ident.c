/*
 * The identity reader against a car that says anything: the input scripts a simulated bus (which
 * (scheme, ECU) answers discovery and when, then every reply of every ECU: its length, delay and
 * bytes).  Whatever comes, ident_read_bus must end (simulated time, bounded), keep its tables in
 * bounds and give a consistent identity; the refine hook and an asked-for DID are exercised too.
 * Also ident_ecu_parse on the input as text.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "can/ident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	const uint8_t *d;
	size_t n, pos;
	uint64_t now;
	unsigned int answers_left;
	unsigned int slack;		/* how far the last wait ran: replies due within it came */
};

static int byte(struct fz *f)
{
	return f->pos < f->n ? f->d[f->pos++] : -1;
}

static int f_probe(void *ctx, const struct ident_probe *p, size_t n, bool fd)
{
	(void)ctx;
	(void)p;
	(void)n;
	(void)fd;
	return 0;
}

/* An answer: scheme byte, address byte(s), delay byte; the input decides how many (at most 80). */
static int f_next(void *ctx, unsigned int wait, struct ident_answer *a)
{
	struct fz *f = ctx;
	int s, e, d, pair;

	if (!f->answers_left || (s = byte(f)) < 0 || (e = byte(f)) < 0 || (d = byte(f)) < 0) {
		f->now += wait;
		return 0;
	}
	f->answers_left--;
	if ((unsigned int)d > wait) {
		f->now += wait;
		return 0;
	}
	f->now += (unsigned int)d;
	a->scheme = (enum ident_scheme)(1 + s % (IDENT_SCHEME_COUNT - 1));
	a->after_ms = (unsigned int)d;
	a->fd = s & 0x80;
	switch (a->scheme) {
	case IDENT_SCHEME_OBD11:
		a->ecu = 0x7E0 + (unsigned int)(e & 7);
		break;
	case IDENT_SCHEME_UDS11:
		pair = byte(f);
		a->ecu = IDENT_ECU_PAIR(0x700 + (unsigned int)(e & 0xFF), 0x780 + (unsigned int)(pair & 0x7F));
		break;
	default:
		a->ecu = (unsigned int)e == 0xF1 ? 0x10 : (unsigned int)e;
	}
	return 1;
}

static int t_send(void *ctx, const uint8_t *b, size_t n)
{
	(void)ctx;
	(void)b;
	(void)n;
	return 0;
}

/* A reply: length byte (0xFF: an error instead), delay byte, then the bytes. */
static ssize_t t_recv(void *ctx, uint8_t *buf, size_t cap, unsigned int timeout)
{
	struct fz *f = ctx;
	int len = byte(f), d = byte(f);
	unsigned int limit = timeout ? timeout : f->slack;

	if (len < 0 || d < 0 || (unsigned int)d > limit) {
		f->now += timeout;
		return -ETIMEDOUT;
	}
	if (timeout)
		f->now += (unsigned int)d;
	if (len == 0xFF)
		return d & 1 ? -EILSEQ : -ECOMM;
	if ((size_t)len > cap)
		len = (int)cap;
	for (int i = 0; i < len; i++) {
		int c = byte(f);

		buf[i] = (uint8_t)(c < 0 ? 0 : c);
	}
	return len;
}

static uint64_t f_now(void *ctx)
{
	return ((struct fz *)ctx)->now;
}

static int f_open(void *ctx, enum ident_scheme s, uint32_t ecu, bool fd, uint8_t stmin,
		  struct isotp_transport *t)
{
	(void)s;
	(void)ecu;
	(void)fd;
	(void)stmin;
	*t = (struct isotp_transport){ ctx, t_send, t_recv, f_now };
	return 0;
}

static void f_close(void *ctx, struct isotp_transport *t)
{
	(void)ctx;
	t->ctx = NULL;
}

/* A wait: the input says how long until something came (at most wait_ms). */
static int f_wait(void *ctx, const struct isotp_transport *const *t, size_t n, unsigned int wait,
		  bool answers)
{
	struct fz *f = ctx;
	int w = byte(f);
	unsigned int adv = w < 0 || (unsigned int)w > wait ? wait : (unsigned int)w;

	(void)t;
	(void)n;
	(void)answers;
	f->now += adv;
	f->slack = adv;
	return 0;
}

static int refine(void *ud, const char *vin, struct ident_plan_add *add)
{
	static const struct ident_target t[] = {
		{ IDENT_SCHEME_UDS11, IDENT_ECU_PAIR(0x710, 0x77A), false, true } };
	static const struct ident_need nd[] = { { IDENT_ECU_ANY, 0xF187 } };

	(void)ud;
	(void)vin;
	add->targets = t;
	add->n_targets = 1;
	add->needs = nd;
	add->n_needs = 1;
	add->name = "fuzz";
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ident_bus_ops ops = {
		.probe = f_probe, .next_answer = f_next, .open = f_open, .close = f_close,
		.wait = f_wait, .now_ms = f_now,
	};
	static const uint16_t dids[] = { 0xF189 };
	struct fz f = { .d = data, .n = size, .answers_left = 80 };
	struct ident_bus bus = { &ops, &f };
	struct ident_config cfg;
	struct ident *id = NULL;
	char text[40];
	uint32_t k;

	snprintf(text, sizeof(text), "%.*s", (int)(size < 39 ? size : 39), (const char *)data);
	if (ident_ecu_parse(text, &k) == 0) {
		char back[24];

		ident_ecu_format(k, back, sizeof(back));
		if (ident_ecu_parse(back, &k) != 0)
			__builtin_trap();	/* what it prints, it reads */
	}
	ident_config_init(&cfg);
	cfg.dids = dids;
	cfg.n_dids = 1;
	cfg.refine = refine;
	cfg.deadline_ms = 20000;
	if (ident_read_bus(&bus, "fuzz0", &cfg, &id) < 0)
		return 0;
	if (id->n_ecus > IDENT_MAX_ECUS || id->n_sources > IDENT_MAX_SOURCES ||
	    id->n_errors > IDENT_MAX_ERRORS || (id->vin[0] && !id->n_sources))
		__builtin_trap();
	for (size_t i = 0; i < id->n_ecus; i++)
		if (id->ecus[i].n_dids > IDENT_MAX_DIDS)
			__builtin_trap();
	ident_free(id);
	return 0;
}
