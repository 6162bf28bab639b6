/* ident_read_bus on a simulated car and simulated time (struct ident_bus): one discovery window
 * for every scheme, slow and quiet ECUs, the plan (targets, needs, refine hook), the VIN order,
 * CAN FD, limits and the deadline.  Milliseconds of CPU, no bus. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "can/ident.h"

#define MAX_SIM 80

struct sim_ecu {
	enum ident_scheme scheme;
	uint32_t ecu;
	unsigned int latency;		/* ms before each answer */
	unsigned int probe_latency;	/* ms before its discovery answer (0: latency), e.g. a
					 * gateway that delays the first request */
	const char *vin09;		/* service 09 PID 02, NULL: not supported (NRC 0x12) */
	const char *f190;		/* DID F190, NULL: NRC 0x31 */
	const char *f189;
	bool quiet_pids;		/* silent on 09 04 / 09 06 / 09 0A */
	bool dead_after_vin;		/* answers the probe and the VIN, then nothing */
	bool functional_silent;		/* answers only physical requests */
	bool fd;
	bool announce;			/* answers its physical 10 01 probe with: */
	unsigned int a_p2, a_p2star;	/* P2server_max, P2*server_max (ms) */
	unsigned int pending_ms;	/* 0x78 at latency, the answer this much later */
	bool stall_after_pending;	/* 0x78, then nothing */
	uint32_t same_rx_as;		/* (a uds11 pair) shares this bmw ECU's response id */
};

struct sim {
	uint64_t now;
	unsigned int tick;		/* ms each clock read costs: a loaded machine */
	unsigned int max_wait;		/* the longest wait asked of next_answer */
	size_t n;
	struct sim_ecu e[MAX_SIM];
	/* answers of the discovery window: due time, delivered */
	size_t n_due;
	struct { size_t ecu; uint64_t at; bool done, phys; } due[MAX_SIM * 4];
	unsigned int probe_calls;
	unsigned int func_sent[IDENT_SCHEME_COUNT];
	unsigned int phys_probes;
	unsigned int opens, opens_fd;
	unsigned int requests;
	uint8_t last_req[8][4];
	unsigned int open_now, max_open;
	uint32_t open_rx[512];		/* per transport, 0 when closed */
};

struct sim_t {
	struct sim *s;
	struct sim_ecu *e;
	size_t slot;
	bool has_reply, has_final;	/* a 0x78 first, then the final answer */
	uint64_t reply_at, final_at;
	uint8_t reply[64], final[64];
	size_t reply_len, final_len;
};

static struct sim_t transports[512];

static int s_probe(void *ctx, const struct ident_probe *p, size_t n, bool fd)
{
	struct sim *s = ctx;

	(void)fd;
	s->probe_calls++;
	for (size_t i = 0; i < n; i++) {
		if (p[i].ecu == IDENT_ECU_ANY)
			s->func_sent[p[i].scheme]++;
		else
			s->phys_probes++;
		for (size_t k = 0; k < s->n; k++) {
			struct sim_ecu *e = &s->e[k];

			if (e->scheme != p[i].scheme)
				continue;
			if (p[i].ecu == IDENT_ECU_ANY ? e->functional_silent : p[i].ecu != e->ecu)
				continue;
			s->due[s->n_due].ecu = k;
			s->due[s->n_due].at = s->now + (e->probe_latency ? e->probe_latency
									 : e->latency);
			s->due[s->n_due].done = false;
			s->due[s->n_due].phys = p[i].ecu != IDENT_ECU_ANY;
			s->n_due++;
		}
	}
	return 0;
}

static int s_next(void *ctx, unsigned int wait, struct ident_answer *a)
{
	struct sim *s = ctx;
	size_t best = SIZE_MAX;

	if (wait > s->max_wait)
		s->max_wait = wait;
	for (size_t i = 0; i < s->n_due; i++)
		if (!s->due[i].done && (best == SIZE_MAX || s->due[i].at < s->due[best].at))
			best = i;
	if (best == SIZE_MAX || s->due[best].at > s->now + wait) {
		s->now += wait;
		return 0;
	}
	if (s->due[best].at > s->now)
		s->now = s->due[best].at;
	s->due[best].done = true;
	/* the real bus reports each (scheme, ECU) once */
	for (size_t i = 0; i < s->n_due; i++)
		if (i != best && s->due[i].ecu == s->due[best].ecu && s->due[i].done)
			return s_next(ctx, 0, a);
	memset(a, 0, sizeof(*a));
	a->scheme = s->e[s->due[best].ecu].scheme;
	a->ecu = s->e[s->due[best].ecu].ecu;
	a->fd = s->e[s->due[best].ecu].fd;
	a->after_ms = s->e[s->due[best].ecu].latency;
	a->at_ms = s->due[best].at;
	if (s->due[best].phys && s->e[s->due[best].ecu].announce) {
		a->timing = true;
		a->p2_ms = s->e[s->due[best].ecu].a_p2;
		a->p2star_ms = s->e[s->due[best].ecu].a_p2star;
	}
	return 1;
}

static int t_send(void *ctx, const uint8_t *req, size_t len)
{
	struct sim_t *t = ctx;
	struct sim_ecu *e = t->e;
	struct sim *s = t->s;
	uint8_t *r = t->reply;
	size_t n = 0;

	memcpy(s->last_req[s->requests % 8], req, len < 4 ? len : 4);
	s->requests++;
	t->has_reply = false;
	if (e->dead_after_vin && !(req[0] == 0x09 && req[1] == 0x02) &&
	    !(req[0] == 0x22 && req[1] == 0xF1 && req[2] == 0x90))
		return 0;
	if (req[0] == 0x09 && req[1] != 0x02 && e->quiet_pids)
		return 0;
	if (req[0] == 0x09 && req[1] == 0x02 && e->vin09) {
		memcpy(r, "\x49\x02\x01", 3);
		memcpy(r + 3, e->vin09, strlen(e->vin09));
		n = 3 + strlen(e->vin09);
	} else if (req[0] == 0x09 && req[1] == 0x0A) {
		memcpy(r, "\x49\x0A\x01" "ECM", 6);
		n = 6;
	} else if (req[0] == 0x22 && req[1] == 0xF1 && req[2] == 0x90 && e->f190) {
		memcpy(r, "\x62\xF1\x90", 3);
		memcpy(r + 3, e->f190, strlen(e->f190));
		n = 3 + strlen(e->f190);
	} else if (req[0] == 0x22 && req[1] == 0xF1 && req[2] == 0x89 && e->f189) {
		memcpy(r, "\x62\xF1\x89", 3);
		memcpy(r + 3, e->f189, strlen(e->f189));
		n = 3 + strlen(e->f189);
	} else {
		r[0] = 0x7F;
		r[1] = req[0];
		r[2] = req[0] == 0x22 ? 0x31 : 0x12;
		n = 3;
	}
	t->has_reply = true;
	t->has_final = false;
	t->reply_len = n;
	t->reply_at = s->now + e->latency;
	if (e->pending_ms || e->stall_after_pending) {
		memcpy(t->final, r, n);
		t->final_len = n;
		t->final_at = t->reply_at + e->pending_ms;
		t->has_final = !e->stall_after_pending;
		t->reply[0] = 0x7F;
		t->reply[1] = req[0];
		t->reply[2] = 0x78;
		t->reply_len = 3;
	}
	return 0;
}

static ssize_t t_recv(void *ctx, uint8_t *buf, size_t cap, unsigned int timeout)
{
	struct sim_t *t = ctx;

	if (!t->has_reply || t->reply_at > t->s->now + timeout) {
		t->s->now += timeout;
		return -ETIMEDOUT;
	}
	if (t->reply_at > t->s->now)
		t->s->now = t->reply_at;
	t->has_reply = false;
	assert_true(t->reply_len <= cap);
	memcpy(buf, t->reply, t->reply_len);
	if (t->has_final) {
		/* the final answer after the 0x78 */
		size_t n = t->reply_len;

		t->has_final = false;
		t->has_reply = true;
		t->reply_at = t->final_at;
		memcpy(t->reply, t->final, t->final_len);
		t->reply_len = t->final_len;
		return (ssize_t)n;
	}
	return (ssize_t)t->reply_len;
}

/* Simulated time runs to the first reply of the given transports, the first discovery answer
 * (when asked for), or the end of the wait. */
static int s_wait(void *ctx, const struct isotp_transport *const *tp, size_t n,
		  unsigned int wait, bool answers)
{
	struct sim *s = ctx;
	uint64_t until = s->now + wait;

	for (size_t i = 0; i < n; i++) {
		const struct sim_t *t = tp[i]->ctx;

		if (t->has_reply && t->reply_at < until)
			until = t->reply_at;
	}
	for (size_t i = 0; answers && i < s->n_due; i++)
		if (!s->due[i].done && s->due[i].at < until)
			until = s->due[i].at;
	if (until > s->now)
		s->now = until;
	return 0;
}

static uint64_t s_now(void *ctx)
{
	struct sim *s = ctx;

	s->now += s->tick;
	return s->now;
}

static uint64_t t_now(void *ctx)
{
	return ((struct sim_t *)ctx)->s->now;
}

static int s_open(void *ctx, enum ident_scheme scheme, uint32_t ecu, bool fd, uint8_t stmin,
		  struct isotp_transport *t)
{
	static struct sim_ecu nobody[64];
	struct sim *s = ctx;
	struct sim_t *st = &transports[s->opens % 512];
	uint32_t tx, rx;

	(void)stmin;
	assert_int_equal(ident_scheme_ids(scheme, ecu, &tx, &rx), 0);
	/* never two transports on one response id at once */
	for (size_t i = 0; i < 512; i++)
		assert_true(s->open_rx[i] != rx);
	*st = (struct sim_t){ .s = s, .slot = s->opens % 512 };
	s->open_rx[st->slot] = rx;
	s->opens++;
	s->opens_fd += fd;
	if (++s->open_now > s->max_open)
		s->max_open = s->open_now;
	for (size_t k = 0; k < s->n; k++)
		if (s->e[k].scheme == scheme && s->e[k].ecu == ecu)
			st->e = &s->e[k];
	if (!st->e) {
		/* nobody there: a transport into silence */
		st->e = &nobody[s->opens % 64];
		*st->e = (struct sim_ecu){ .scheme = scheme, .ecu = ecu, .dead_after_vin = true,
					   .quiet_pids = true };
	}
	*t = (struct isotp_transport){ st, t_send, t_recv, t_now };
	return 0;
}

static void s_close(void *ctx, struct isotp_transport *t)
{
	struct sim *s = ctx;
	struct sim_t *st = t->ctx;

	s->open_rx[st->slot] = 0;
	s->open_now--;
	t->ctx = NULL;
}

static const struct ident_bus_ops sim_ops = {
	.probe = s_probe, .next_answer = s_next, .open = s_open, .close = s_close,
	.wait = s_wait, .now_ms = s_now,
};

static struct sim sim;

static struct ident *read_car(const struct ident_config *cfg)
{
	struct ident_bus bus = { &sim_ops, &sim };
	struct ident *id = NULL;

	assert_int_equal(ident_read_bus(&bus, "sim0", cfg, &id), 0);
	assert_non_null(id);
	return id;
}

static struct sim_ecu *add(enum ident_scheme s, uint32_t ecu, unsigned int latency)
{
	struct sim_ecu *e = &sim.e[sim.n++];

	*e = (struct sim_ecu){ .scheme = s, .ecu = ecu, .latency = latency };
	return e;
}

static int setup(void **state)
{
	(void)state;
	memset(&sim, 0, sizeof(sim));
	sim.now = 1000;
	return 0;
}

static const struct ident_ecu *find(const struct ident *id, uint32_t ecu)
{
	for (size_t i = 0; i < id->n_ecus; i++)
		if (id->ecus[i].address == ecu)
			return &id->ecus[i];
	return NULL;
}

static const struct ident_did *did_of(const struct ident_ecu *e, uint16_t did)
{
	for (size_t i = 0; e && i < e->n_dids; i++)
		if (e->dids[i].did == did)
			return &e->dids[i];
	return NULL;
}

static bool has_error(const struct ident *id, const char *step)
{
	for (size_t i = 0; i < id->n_errors; i++)
		if (strcmp(id->errors[i].step, step) == 0)
			return true;
	return false;
}

/* An ECU that answers every request after 120 ms is read with the default settings. */
static void test_slow_ecu_default(void **state)
{
	struct ident_config cfg;
	struct ident *id;

	(void)state;
	add(IDENT_SCHEME_OBD11, 0x7E0, 120)->vin09 = "WVWZZZ1KZAW000001";
	ident_config_init(&cfg);
	id = read_car(&cfg);
	assert_string_equal(id->vin, "WVWZZZ1KZAW000001");
	assert_int_equal(id->n_ecus, 1);
	/* it was seen to take 120 ms: its P2 has margin */
	assert_true(id->ecus[0].p2_ms > 120);
	assert_false(id->ecus[0].gave_up);
	assert_false(has_error(id, "service09 VIN"));
	ident_free(id);
}

/* Silence on 09 04 / 09 06 / 09 0A is no reason to give up: the DID asked for is read. */
static void test_quiet_pids(void **state)
{
	static const uint16_t dids[] = { 0xF189 };
	struct ident_config cfg;
	struct sim_ecu *e;
	struct ident *id;

	(void)state;
	e = add(IDENT_SCHEME_OBD11, 0x7E0, 5);
	e->vin09 = "WVWZZZ1KZAW000001";
	e->f189 = "0815";
	e->quiet_pids = true;
	ident_config_init(&cfg);
	cfg.dids = dids;
	cfg.n_dids = 1;
	id = read_car(&cfg);
	assert_false(id->ecus[0].gave_up);
	assert_non_null(did_of(&id->ecus[0], 0xF189));
	assert_int_equal(did_of(&id->ecus[0], 0xF189)->status, 0);
	assert_memory_equal(did_of(&id->ecus[0], 0xF189)->value, "0815", 4);
	assert_false(has_error(id, "gave-up"));
	ident_free(id);
}

/* Every asked-for DID of an ECU that stalls is listed with why it was not asked. */
static void test_not_asked_listed(void **state)
{
	static const uint16_t dids[] = { 0xF187, 0xF189, 0xF1A0 };
	struct ident_config cfg;
	const struct ident_did *d;
	struct sim_ecu *e;
	struct ident *id;

	(void)state;
	e = add(IDENT_SCHEME_BMW, 0x12, 5);
	e->f190 = "WBA8E51060K734560";
	e->dead_after_vin = true;
	ident_config_init(&cfg);
	cfg.scheme = IDENT_SCHEME_BMW;
	cfg.dids = dids;
	cfg.n_dids = 3;
	id = read_car(&cfg);
	assert_string_equal(id->vin, "WBA8E51060K734560");
	assert_true(id->ecus[0].gave_up);
	assert_true(has_error(id, "gave-up"));
	/* two timed out (asked), the third never sent: listed, with why */
	assert_int_equal(did_of(&id->ecus[0], 0xF187)->status, -ETIMEDOUT);
	assert_int_equal(did_of(&id->ecus[0], 0xF189)->status, -ETIMEDOUT);
	d = did_of(&id->ecus[0], 0xF1A0);
	assert_non_null(d);
	assert_int_equal(d->status, -ECANCELED);
	assert_int_equal(d->not_asked, IDENT_NOT_ASKED_GAVE_UP);
	ident_free(id);
}

/* A car that answers only on the last scheme: every functional request went out once, together
 * with the others, in one window. */
static void test_one_window(void **state)
{
	struct ident_config cfg;
	struct ident *id;

	(void)state;
	add(IDENT_SCHEME_OBD29, 0x10, 5)->vin09 = "WF0XXXGCDX8A12345";
	ident_config_init(&cfg);
	id = read_car(&cfg);
	assert_string_equal(id->vin, "WF0XXXGCDX8A12345");
	assert_int_equal(id->scheme, IDENT_SCHEME_OBD29);
	assert_int_equal(sim.probe_calls, 1);
	assert_int_equal(sim.func_sent[IDENT_SCHEME_OBD11], 1);
	assert_int_equal(sim.func_sent[IDENT_SCHEME_BMW], 1);
	assert_int_equal(sim.func_sent[IDENT_SCHEME_OBD29], 1);
	/* uds11 has no functional request: its ECUs come from the plan */
	assert_int_equal(sim.func_sent[IDENT_SCHEME_UDS11], 0);
	/* the silent schemes say so; they cost no extra window */
	assert_true(has_error(id, "discovery"));
	ident_free(id);
}

/* A BMW answers OBD-II and D-CAN: both read, each scheme asked once, merged into one identity. */
static void test_bmw_merge(void **state)
{
	struct ident_config cfg;
	struct ident *id;

	(void)state;
	add(IDENT_SCHEME_OBD11, 0x7E0, 5)->vin09 = "WBA8E51060K734560";
	add(IDENT_SCHEME_BMW, 0x61, 90)->f189 = "12.4.1";
	ident_config_init(&cfg);
	id = read_car(&cfg);
	assert_int_equal(id->n_ecus, 2);
	assert_int_equal(id->scheme, IDENT_SCHEME_OBD11);
	assert_int_equal(id->schemes, 1u << IDENT_SCHEME_OBD11 | 1u << IDENT_SCHEME_BMW);
	assert_int_equal(did_of(find(id, 0x61), 0xF189)->status, 0);
	assert_int_equal(sim.func_sent[IDENT_SCHEME_BMW], 1);
	ident_free(id);
}

/* The refine hook (a make profile from above) adds a uds11 ECU and its DIDs once the VIN is in. */
static int vw_profile(void *ud, const char *vin, struct ident_plan_add *add_)
{
	static const struct ident_target gw[] = {
		{ IDENT_SCHEME_UDS11, IDENT_ECU_PAIR(0x710, 0x77A), false, true },
		{ IDENT_SCHEME_UDS11, IDENT_ECU_PAIR(0x714, 0x77E), false, true },
	};
	static const struct ident_need needs[] = { { IDENT_ECU_ANY, 0xF187 },
						   { IDENT_ECU_ANY, 0xF189 } };
	int *calls = ud;

	(*calls)++;
	if (strncmp(vin, "WVW", 3) != 0)
		return 0;
	add_->targets = gw;
	add_->n_targets = 2;
	add_->needs = needs;
	add_->n_needs = 2;
	add_->name = "vw-group";
	return 0;
}

static void test_refine_uds11(void **state)
{
	struct ident_config cfg;
	struct sim_ecu *e;
	struct ident *id;
	int calls = 0;
	const uint32_t gw = IDENT_ECU_PAIR(0x710, 0x77A);

	(void)state;
	add(IDENT_SCHEME_OBD11, 0x7E0, 5)->vin09 = "WVWZZZ1KZAW000001";
	e = add(IDENT_SCHEME_UDS11, gw, 95);
	e->f190 = "WVWZZZ1KZAW000001";
	e->f189 = "0950";
	ident_config_init(&cfg);
	cfg.refine = vw_profile;
	cfg.refine_userdata = &calls;
	id = read_car(&cfg);
	assert_int_equal(calls, 1);
	assert_string_equal(id->profile, "vw-group");
	assert_non_null(find(id, gw));
	assert_int_equal(find(id, gw)->scheme, IDENT_SCHEME_UDS11);
	assert_int_equal(did_of(find(id, gw), 0xF189)->status, 0);
	/* the absent cluster (0x714:0x77E) was only probed: not read, no error */
	assert_null(find(id, IDENT_ECU_PAIR(0x714, 0x77E)));
	assert_false(has_error(id, "probe"));
	assert_true(id->vin_agree);
	assert_int_equal(id->n_sources, 2);
	/* the engine ECU's VIN first, whatever answered first */
	assert_int_equal(id->sources[0].ecu, 0x7E0);
	ident_free(id);
}

/* Disagreeing VINs: the engine ECU's is shown, then by scheme and address, in any answer order. */
static void test_vin_order(void **state)
{
	struct ident_config cfg;
	struct ident *id;

	(void)state;
	for (int round = 0; round < 2; round++) {
		setup(NULL);
		add(IDENT_SCHEME_BMW, 0x40, round ? 1 : 30)->f190 = "WBA00000000000040";
		add(IDENT_SCHEME_OBD11, 0x7E0, round ? 30 : 1)->vin09 = "WBA000000000007E0";
		add(IDENT_SCHEME_BMW, 0x12, 10)->f190 = "WBA00000000000012";
		ident_config_init(&cfg);
		id = read_car(&cfg);
		assert_false(id->vin_agree);
		assert_string_equal(id->vin, "WBA000000000007E0");
		assert_int_equal(id->n_sources, 3);
		assert_int_equal(id->sources[1].ecu, 0x12);
		assert_int_equal(id->sources[2].ecu, 0x40);
		/* ECUs by scheme, then address */
		assert_int_equal(id->ecus[0].address, 0x7E0);
		assert_int_equal(id->ecus[1].address, 0x12);
		assert_int_equal(id->ecus[2].address, 0x40);
		ident_free(id);
	}
}

/* An ECU that answers in CAN FD frames is read over CAN FD. */
static void test_fd(void **state)
{
	struct ident_config cfg;
	struct sim_ecu *e;
	struct ident *id;

	(void)state;
	e = add(IDENT_SCHEME_UDS11, IDENT_ECU_PAIR(0x710, 0x77A), 5);
	e->fd = true;
	e->f190 = "WVWZZZ1KZAW000001";
	ident_config_init(&cfg);
	cfg.scheme = IDENT_SCHEME_UDS11;
	{
		static const uint32_t ecus[] = { IDENT_ECU_PAIR(0x710, 0x77A) };

		cfg.ecus = ecus;
		cfg.n_ecus = 1;
	}
	id = read_car(&cfg);
	assert_string_equal(id->vin, "WVWZZZ1KZAW000001");
	assert_true(id->ecus[0].fd);
	assert_int_equal(sim.opens_fd, 1);
	ident_free(id);
}

/* A named ECU that ignores the probe is still read (--ecu); a needed one only probed is
 * reported; 70 responders: 64 read, 6 counted with one error. */
static void test_named_and_full(void **state)
{
	static const uint32_t named[] = { 0x12 };
	static const struct ident_need needs[] = { { 0x33, 0xF189 } };
	struct ident_config cfg;
	struct sim_ecu *e;
	struct ident *id;

	(void)state;
	e = add(IDENT_SCHEME_BMW, 0x12, 5);
	e->functional_silent = true;
	e->f190 = "WBA8E51060K734560";
	ident_config_init(&cfg);
	cfg.scheme = IDENT_SCHEME_BMW;
	cfg.ecus = named;
	cfg.n_ecus = 1;
	cfg.needs = needs;
	cfg.n_needs = 1;
	id = read_car(&cfg);
	assert_string_equal(id->vin, "WBA8E51060K734560");
	assert_int_equal(sim.phys_probes, 2);
	assert_true(has_error(id, "probe"));	/* 0x33 needed, never answered */
	assert_null(find(id, 0x33));
	ident_free(id);

	setup(NULL);
	for (uint32_t a = 1; a <= 70; a++)
		add(IDENT_SCHEME_BMW, a, 2)->f190 = a == 1 ? "WBA8E51060K734560" : NULL;
	ident_config_init(&cfg);
	cfg.scheme = IDENT_SCHEME_BMW;
	id = read_car(&cfg);
	assert_int_equal(id->n_ecus, IDENT_MAX_ECUS);
	assert_int_equal(id->ecus_not_read, 6);
	assert_non_null(strstr(id->errors[0].message, "6 ECUs not read: table full"));
	ident_free(id);
}

/* The whole read stops at its deadline, on simulated time; the VIN read before is kept. */
static void test_deadline(void **state)
{
	static const uint16_t dids[] = { 0xF187, 0xF18B };
	struct ident_config cfg;
	struct ident *id;
	uint64_t t0 = sim.now;

	(void)state;
	for (uint32_t a = 0x10; a < 0x30; a++)
		add(IDENT_SCHEME_BMW, a, 150)->f190 = "WBA8E51060K734560";
	ident_config_init(&cfg);
	cfg.scheme = IDENT_SCHEME_BMW;
	cfg.deadline_ms = 3000;
	cfg.dids = dids;
	cfg.n_dids = 2;
	id = read_car(&cfg);
	assert_true(id->deadline_hit);
	assert_true(has_error(id, "deadline"));
	assert_string_equal(id->vin, "WBA8E51060K734560");
	/* bounded: the deadline plus at most one request's wait */
	assert_true(sim.now - t0 <= 3000 + 2 * 200 + 500);
	ident_free(id);
}


/* A loaded machine: time passes between two clock reads of one round.  When the window closed
 * between them, the wait for answers was due - now wrapped round (weeks; poll took it as for
 * ever and a read hung).  Whatever the clock does, no wait is longer than the window and the
 * read ends by its deadline. */
static void test_slow_clock(void **state)
{
	struct ident_config cfg;

	(void)state;
	for (unsigned int tick = 1; tick <= 260; tick += 7) {
		struct ident *id;
		uint64_t t0;

		memset(&sim, 0, sizeof(sim));
		sim.now = 1000;
		sim.tick = tick;
		t0 = sim.now;
		add(IDENT_SCHEME_OBD11, 0x7E0, 150)->vin09 = "1HGCM82633A004352";
		ident_config_init(&cfg);
		cfg.deadline_ms = 5000;
		id = read_car(&cfg);
		if (sim.max_wait > IDENT_ANSWER_MS_DEFAULT)
			fail_msg("tick %u ms: a wait of %u ms for answers (window %u ms)", tick,
				 sim.max_wait, IDENT_ANSWER_MS_DEFAULT);
		assert_true(sim.now - t0 < 5000 + 100 * (uint64_t)tick);
		ident_free(id);
	}
}

/* Eight D-CAN ECUs are read at the same time, each on its own transport: the read costs about
 * one ECU's time, not eight; the identity is the same as read one after another. */
static void test_parallel(void **state)
{
	struct ident_config cfg;
	struct ident *par, *seq;
	uint64_t t0, t_par, t_seq;

	(void)state;
	for (uint32_t a = 0x10; a < 0x18; a++) {
		struct sim_ecu *e = add(IDENT_SCHEME_BMW, a, 20);

		e->f190 = "WBA8E51060K734560";
		e->f189 = "12.4.1";
	}
	ident_config_init(&cfg);
	cfg.scheme = IDENT_SCHEME_BMW;
	t0 = sim.now;
	par = read_car(&cfg);
	t_par = sim.now - t0;
	assert_int_equal(sim.max_open, 8);
	assert_int_equal(sim.open_now, 0);

	cfg.parallel = 1;
	sim.max_open = 0;
	sim.n_due = 0;
	t0 = sim.now;
	seq = read_car(&cfg);
	t_seq = sim.now - t0;
	assert_int_equal(sim.max_open, 1);
	/* simulated time: the schedule, not the machine.  Each ECU: 7 requests x 20 ms. */
	print_message("parallel %llu ms, one at a time %llu ms\n", (unsigned long long)t_par,
		      (unsigned long long)t_seq);
	assert_true(t_par * 4 < t_seq);
	assert_int_equal(par->n_ecus, 8);
	assert_int_equal(seq->n_ecus, 8);
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(par->ecus[i].address, seq->ecus[i].address);
		assert_int_equal(par->ecus[i].n_dids, seq->ecus[i].n_dids);
		assert_int_equal(did_of(&par->ecus[i], 0xF189)->status, 0);
	}
	assert_int_equal(par->n_sources, 8);
	assert_int_equal(par->n_errors, seq->n_errors);
	ident_free(par);
	ident_free(seq);
}

/* Two ECUs that answer on the same CAN id (a uds11 pair onto a D-CAN ECU's response id) are
 * never read at once (s_open asserts it); both are read. */
static void test_same_rx_serial(void **state)
{
	static const uint32_t named[] = { IDENT_ECU_PAIR(0x700, 0x661) };
	struct ident_config cfg;
	struct ident *id;

	(void)state;
	add(IDENT_SCHEME_BMW, 0x61, 5)->f190 = "WBA8E51060K734560";
	add(IDENT_SCHEME_UDS11, IDENT_ECU_PAIR(0x700, 0x661), 5)->f189 = "0950";
	add(IDENT_SCHEME_BMW, 0x12, 5)->f189 = "1.0";
	ident_config_init(&cfg);
	cfg.ecus = named;
	cfg.n_ecus = 1;
	id = read_car(&cfg);
	assert_non_null(find(id, 0x61));
	assert_non_null(find(id, IDENT_ECU_PAIR(0x700, 0x661)));
	assert_int_equal(did_of(find(id, IDENT_ECU_PAIR(0x700, 0x661)), 0xF189)->status, 0);
	assert_true(sim.max_open >= 2);	/* 0x12 beside one of them */
	ident_free(id);
}

/* Read at the same time, a D-CAN ECU may finish before the engine ECU gives the VIN: it is read
 * again for what the make's profile then asks of every ECU. */
static int need_profile(void *ud, const char *vin, struct ident_plan_add *add_)
{
	static const struct ident_need needs[] = { { IDENT_ECU_ANY, 0xF1A5 } };

	(void)ud;
	(void)vin;
	add_->needs = needs;
	add_->n_needs = 1;
	add_->name = "test";
	return 0;
}

static void test_refine_after_finish(void **state)
{
	struct ident_config cfg;
	struct ident *id;
	const struct ident_did *d;

	(void)state;
	add(IDENT_SCHEME_OBD11, 0x7E0, 90)->vin09 = "WBA8E51060K734560";
	add(IDENT_SCHEME_BMW, 0x12, 1)->f189 = "1.0";
	ident_config_init(&cfg);
	cfg.refine = need_profile;
	id = read_car(&cfg);
	assert_string_equal(id->profile, "test");
	d = did_of(find(id, 0x12), 0xF1A5);
	assert_non_null(d);
	assert_int_equal(d->status, -EREMOTEIO);	/* asked: the sim knows no F1A5 */
	assert_non_null(did_of(find(id, 0x7E0), 0xF1A5));
	ident_free(id);
}

/* What an ECU announces in its answer to the 10 01 probe (ISO 14229-2) is its P2/P2*: a long P2*
 * reads an ECU the configured 5000 ms would lose; a short one gives up on a stalled ECU sooner;
 * an announced P2 longer than the measured one is kept. */
static void test_announced_timing(void **state)
{
	static const uint32_t named[] = { IDENT_ECU_PAIR(0x710, 0x77A) };
	struct ident_config cfg;
	struct sim_ecu *e;
	struct ident *id;
	uint64_t t0;

	(void)state;
	/* 0x78, then the answer 6 s later: read thanks to the announced 8 s */
	e = add(IDENT_SCHEME_UDS11, named[0], 5);
	e->f190 = "WVWZZZ1KZAW000001";
	e->announce = true;
	e->a_p2 = 50;
	e->a_p2star = 8000;
	e->pending_ms = 6000;
	ident_config_init(&cfg);
	cfg.scheme = IDENT_SCHEME_UDS11;
	cfg.ecus = named;
	cfg.n_ecus = 1;
	id = read_car(&cfg);
	assert_string_equal(id->vin, "WVWZZZ1KZAW000001");
	assert_int_equal(id->ecus[0].announced_p2star_ms, 8000);
	assert_int_equal(id->ecus[0].p2star_ms, 8000 + 20);
	ident_free(id);
	/* the same ECU without the announcement: the configured P2* (5000 ms) loses it */
	e->announce = false;
	id = read_car(&cfg);
	assert_string_equal(id->vin, "");
	assert_int_equal(id->ecus[0].p2star_ms, 0);
	ident_free(id);
	/* announced, but the caller fixed P2* (--p2star 5000): the caller's wins, the announcement
	 * is still shown */
	setup(NULL);
	e = add(IDENT_SCHEME_UDS11, named[0], 5);
	e->f190 = "WVWZZZ1KZAW000001";
	e->announce = true;
	e->a_p2 = 50;
	e->a_p2star = 8000;
	e->pending_ms = 6000;
	cfg.p2star_fixed = true;
	id = read_car(&cfg);
	assert_string_equal(id->vin, "");
	assert_int_equal(id->ecus[0].announced_p2star_ms, 8000);
	assert_int_equal(id->ecus[0].p2star_ms, 0);
	ident_free(id);
	cfg.p2star_fixed = false;

	/* 0x78 and then silence: with 1000 ms announced, two such requests cost ~2 s, not 10 s */
	setup(NULL);
	e = add(IDENT_SCHEME_UDS11, named[0], 30);
	e->announce = true;
	e->a_p2 = 50;
	e->a_p2star = 1000;
	e->stall_after_pending = true;
	t0 = sim.now;
	id = read_car(&cfg);
	assert_int_equal(id->ecus[0].p2star_ms, 1000 + 30);
	assert_true(id->ecus[0].gave_up);
	assert_true(sim.now - t0 < 2 * 5000);
	ident_free(id);

	/* a P2server_max of 150 ms announced by an ECU that answered its probe in 5 ms */
	setup(NULL);
	e = add(IDENT_SCHEME_UDS11, named[0], 5);
	e->announce = true;
	e->a_p2 = 150;
	e->a_p2star = 5000;
	e->f190 = "WVWZZZ1KZAW000001";
	id = read_car(&cfg);
	assert_int_equal(id->ecus[0].p2_ms, 150 + 20);
	ident_free(id);
	/* a lying announcement (P2* 0) is floored */
	setup(NULL);
	e = add(IDENT_SCHEME_UDS11, named[0], 5);
	e->announce = true;
	e->f190 = "WVWZZZ1KZAW000001";
	id = read_car(&cfg);
	assert_int_equal(id->ecus[0].p2star_ms, IDENT_P2STAR_MIN_MS);
	assert_int_equal(id->ecus[0].p2_ms, 50);
	ident_free(id);
}

/* A campaign's ECU 0x61 is probed on every scheme that can carry the key (bmw and obd29): it
 * answered on bmw, so the silent obd29 probe is no "not there" error; an ECU named with --ecu
 * that no allowed scheme can address is said, not skipped. */
static void test_plan_keys(void **state)
{
	static const struct ident_need needs[] = { { 0x61, 0xF189 } };
	static const uint32_t named[] = { 0x61 };
	struct ident_config cfg;
	struct ident *id;

	(void)state;
	add(IDENT_SCHEME_BMW, 0x61, 5)->f189 = "15.2.0";
	ident_config_init(&cfg);
	cfg.needs = needs;
	cfg.n_needs = 1;
	id = read_car(&cfg);
	assert_int_equal(did_of(find(id, 0x61), 0xF189)->status, 0);
	assert_false(has_error(id, "probe"));
	assert_false(has_error(id, "plan"));
	ident_free(id);

	/* --addressing obd11 --ecu 0x61: nothing on obd11 is 0x61 */
	setup(NULL);
	ident_config_init(&cfg);
	cfg.scheme = IDENT_SCHEME_OBD11;
	cfg.ecus = named;
	cfg.n_ecus = 1;
	id = read_car(&cfg);
	assert_true(has_error(id, "plan"));
	for (size_t i = 0; i < id->n_errors; i++)
		if (strcmp(id->errors[i].step, "plan") == 0)
			assert_non_null(strstr(id->errors[i].message,
					       "ECU 0x61: not asked: no allowed scheme"));
	assert_int_equal(sim.phys_probes, 0);
	ident_free(id);
}

/* The window of physical probes ends when every probed ECU answered (nothing more can come of
 * them); a functional request's ends a quiet gap after the last answer: an ECU at 150 ms after
 * one at 5 ms whose reads are done is the car missed by default, read with the whole window. */
static void test_window_end(void **state)
{
	static const uint32_t gw[] = { IDENT_ECU_PAIR(0x710, 0x77A) };
	struct ident_config cfg;
	struct ident *id;
	uint64_t t0 = sim.now;

	(void)state;
	add(IDENT_SCHEME_UDS11, gw[0], 5)->f190 = "WVWZZZ1KZAW000001";
	ident_config_init(&cfg);
	cfg.scheme = IDENT_SCHEME_UDS11;
	cfg.ecus = gw;
	cfg.n_ecus = 1;
	id = read_car(&cfg);
	assert_string_equal(id->vin, "WVWZZZ1KZAW000001");
	/* probe + 7 DIDs at 5 ms each, not the 200 ms window */
	assert_int_equal(sim.now - t0, 8 * 5);
	ident_free(id);

	setup(NULL);
	add(IDENT_SCHEME_UDS11, gw[0], 5)->f190 = "WVWZZZ1KZAW000001";
	add(IDENT_SCHEME_OBD11, 0x7E1, 150)->vin09 = "WVWZZZ1KZAW000001";
	cfg.scheme = IDENT_SCHEME_AUTO;
	id = read_car(&cfg);
	assert_null(find(id, 0x7E1));
	assert_non_null(find(id, gw[0]));
	ident_free(id);

	setup(NULL);
	add(IDENT_SCHEME_UDS11, gw[0], 5)->f190 = "WVWZZZ1KZAW000001";
	add(IDENT_SCHEME_OBD11, 0x7E1, 150)->vin09 = "WVWZZZ1KZAW000001";
	cfg.quiet_ms = IDENT_QUIET_OFF;
	id = read_car(&cfg);
	assert_non_null(find(id, 0x7E1));
	assert_non_null(find(id, gw[0]));
	assert_int_equal(id->quiet_ms, 0);
	ident_free(id);

	/* the same car with the late ECU named (recall-ident --ecu 0x7E1), the gap left on: a named
	 * ECU is asked physically when its probe went unanswered, so it is read all the same */
	setup(NULL);
	add(IDENT_SCHEME_UDS11, gw[0], 5)->f190 = "WVWZZZ1KZAW000001";
	add(IDENT_SCHEME_OBD11, 0x7E1, 150)->vin09 = "WVWZZZ1KZAW000001";
	{
		static const uint32_t named[] = { IDENT_ECU_PAIR(0x710, 0x77A), 0x7E1 };

		cfg.quiet_ms = 0;	/* the default gap */
		cfg.ecus = named;
		cfg.n_ecus = 2;
		id = read_car(&cfg);
	}
	assert_int_equal(id->quiet_ms, IDENT_QUIET_MS_DEFAULT);
	assert_non_null(find(id, 0x7E1));
	assert_non_null(find(id, gw[0]));
	assert_true(id->vin_agree);
	ident_free(id);
}

/*
 * The discovery window ends a quiet gap after the last answer once the car has answered, not at
 * the end of the first-answer window: a fast car pays the gap, not 200 ms.  Simulated time: the
 * read ends at the first answer + the gap (its reads end before).
 */
static void test_quiet_gap(void **state)
{
	struct ident_config cfg;
	struct ident *id;
	uint64_t t0 = sim.now;

	(void)state;
	add(IDENT_SCHEME_OBD11, 0x7E0, 5)->vin09 = "WVWZZZ1KZAW000001";
	ident_config_init(&cfg);
	id = read_car(&cfg);
	assert_string_equal(id->vin, "WVWZZZ1KZAW000001");
	assert_int_equal(sim.now - t0, 5 + IDENT_QUIET_MS_DEFAULT);
	assert_int_equal(id->listened_ms, 5 + IDENT_QUIET_MS_DEFAULT);
	assert_int_equal(id->window_ms, IDENT_ANSWER_MS_DEFAULT);
	assert_int_equal(id->quiet_ms, IDENT_QUIET_MS_DEFAULT);
	/* the silent schemes say how long they were listened to */
	{
		bool said = false;

		for (size_t i = 0; i < id->n_errors; i++)
			said |= strstr(id->errors[i].message,
				       "obd29: no ECU answered the functional request within 105 ms")
				!= NULL;
		assert_true(said);
	}
	ident_free(id);

	/* a gap of its own; and quiet OFF (recall-ident --quiet 0): the whole window */
	setup(NULL);
	t0 = sim.now;
	add(IDENT_SCHEME_OBD11, 0x7E0, 5)->vin09 = "WVWZZZ1KZAW000001";
	cfg.quiet_ms = 30;
	id = read_car(&cfg);
	assert_int_equal(sim.now - t0, 5 + 30);
	ident_free(id);
	setup(NULL);
	t0 = sim.now;
	add(IDENT_SCHEME_OBD11, 0x7E0, 5)->vin09 = "WVWZZZ1KZAW000001";
	cfg.quiet_ms = IDENT_QUIET_OFF;
	id = read_car(&cfg);
	assert_int_equal(sim.now - t0, IDENT_ANSWER_MS_DEFAULT);
	assert_int_equal(id->listened_ms, IDENT_ANSWER_MS_DEFAULT);
	ident_free(id);
}

/* A car that has not answered at all gets the whole window: the gap counts from an answer, never
 * from the requests — a lone ECU at 150 ms (behind a gateway) is read, and a silent car is
 * listened to for 200 ms. */
static void test_quiet_gap_nobody(void **state)
{
	struct ident_config cfg;
	struct ident *id;
	uint64_t t0 = sim.now;

	(void)state;
	ident_config_init(&cfg);
	id = read_car(&cfg);
	assert_int_equal(id->n_ecus, 0);
	assert_int_equal(sim.now - t0, IDENT_ANSWER_MS_DEFAULT);
	assert_int_equal(id->listened_ms, IDENT_ANSWER_MS_DEFAULT);
	ident_free(id);

	setup(NULL);
	add(IDENT_SCHEME_BMW, 0x12, 1)->probe_latency = 150;
	sim.e[0].f190 = "WBA8E51060K734560";
	id = read_car(&cfg);
	assert_string_equal(id->vin, "WBA8E51060K734560");
	ident_free(id);
}

/*
 * The measured case: a fast ECU and one behind a gateway whose first answer comes 95 ms later.
 * The late one is within the gap and read; the window then ends a gap after it, not at the end
 * of the (here 300 ms) window.  Answers are timed when they came, not when they were read.
 */
static void test_quiet_gap_late_ecu(void **state)
{
	struct ident_config cfg;
	struct ident *id;
	uint64_t t0 = sim.now;

	(void)state;
	add(IDENT_SCHEME_OBD11, 0x7E0, 5)->vin09 = "WBA8E51060K734560";
	add(IDENT_SCHEME_BMW, 0x61, 1)->probe_latency = 100;
	sim.e[1].f189 = "15.2.0";
	ident_config_init(&cfg);
	cfg.answer_ms = 300;
	id = read_car(&cfg);
	assert_non_null(find(id, 0x7E0));
	assert_non_null(did_of(find(id, 0x61), 0xF189));
	assert_int_equal(sim.now - t0, 100 + IDENT_QUIET_MS_DEFAULT);
	assert_int_equal(id->listened_ms, 100 + IDENT_QUIET_MS_DEFAULT);
	ident_free(id);
}

static void test_ecu_keys(void **state)
{
	char buf[24];
	uint32_t k;

	(void)state;
	assert_int_equal(ident_ecu_parse("0x710:0x77A", &k), 0);
	assert_int_equal(k, IDENT_ECU_PAIR(0x710, 0x77A));
	assert_int_equal(k, 0x8710077Au);
	assert_string_equal(ident_ecu_format(k, buf, sizeof(buf)), "0x710:0x77A");
	assert_int_equal(ident_ecu_parse("710:77a", &k), 0);
	assert_int_equal(k, 0x8710077Au);
	/* an OBD pair is the obd11 ECU */
	assert_int_equal(ident_ecu_parse("0x7E0:0x7E8", &k), 0);
	assert_int_equal(k, 0x7E0);
	assert_int_equal(ident_ecu_parse("61", &k), 0);
	assert_int_equal(k, 0x61);
	assert_string_equal(ident_ecu_format(0x61, buf, sizeof(buf)), "0x61");
	assert_int_equal(ident_ecu_parse("0x800:0x77A", &k), -EINVAL);
	assert_int_equal(ident_ecu_parse("0x710:", &k), -EINVAL);
	assert_int_equal(ident_ecu_parse(":0x77A", &k), -EINVAL);
	assert_int_equal(ident_ecu_parse("0x710:0x710", &k), -EINVAL);
	assert_int_equal(ident_ecu_parse("0x710:0x77A:1", &k), -EINVAL);
	assert_int_equal(ident_ecu_parse("0x", &k), -EINVAL);
	assert_int_equal(ident_ecu_parse("-1", &k), -EINVAL);
	assert_int_equal(ident_ecu_parse("", &k), -EINVAL);
	assert_true(ident_scheme_addr_ok(IDENT_SCHEME_UDS11, IDENT_ECU_PAIR(0x710, 0x77A)));
	assert_false(ident_scheme_addr_ok(IDENT_SCHEME_UDS11, 0x61));
	assert_false(ident_scheme_addr_ok(IDENT_SCHEME_BMW, IDENT_ECU_PAIR(0x710, 0x77A)));
	assert_int_equal(ident_scheme_parse("uds11"), IDENT_SCHEME_UDS11);
	assert_string_equal(ident_scheme_name(IDENT_SCHEME_UDS11), "uds11");
}

/* The scheme table gives the ids the old switch statements did. */
static void test_scheme_ids(void **state)
{
	static const struct {
		enum ident_scheme s;
		uint32_t ecu, tx, rx;
		int r;
	} rows[] = {
		{ IDENT_SCHEME_OBD11, 0x7E0, 0x7E0, 0x7E8, 0 },
		{ IDENT_SCHEME_OBD11, 0x7E7, 0x7E7, 0x7EF, 0 },
		{ IDENT_SCHEME_OBD11, 0x7E8, 0, 0, -EINVAL },
		{ IDENT_SCHEME_OBD29, 0x10, 0x98DA10F1u, 0x98DAF110u, 0 },
		{ IDENT_SCHEME_OBD29, 0x100, 0, 0, -EINVAL },
		{ IDENT_SCHEME_BMW, 0x61, 0x6F1, 0x661, 0 },
		{ IDENT_SCHEME_BMW, 0xF1, 0, 0, -EINVAL },
		{ IDENT_SCHEME_UDS11, 0x8710077Au, 0x710, 0x77A, 0 },
		{ IDENT_SCHEME_AUTO, 0x7E0, 0, 0, -EINVAL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t tx = 0, rx = 0;

		print_message("row %zu\n", i);
		assert_int_equal(ident_scheme_ids(rows[i].s, rows[i].ecu, &tx, &rx), rows[i].r);
		if (!rows[i].r) {
			assert_int_equal(tx, rows[i].tx);
			assert_int_equal(rx, rows[i].rx);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_slow_ecu_default, setup),
		cmocka_unit_test_setup(test_quiet_pids, setup),
		cmocka_unit_test_setup(test_not_asked_listed, setup),
		cmocka_unit_test_setup(test_one_window, setup),
		cmocka_unit_test_setup(test_bmw_merge, setup),
		cmocka_unit_test_setup(test_refine_uds11, setup),
		cmocka_unit_test_setup(test_vin_order, setup),
		cmocka_unit_test_setup(test_fd, setup),
		cmocka_unit_test_setup(test_named_and_full, setup),
		cmocka_unit_test_setup(test_deadline, setup),
		cmocka_unit_test_setup(test_parallel, setup),
		cmocka_unit_test_setup(test_same_rx_serial, setup),
		cmocka_unit_test_setup(test_refine_after_finish, setup),
		cmocka_unit_test_setup(test_announced_timing, setup),
		cmocka_unit_test_setup(test_plan_keys, setup),
		cmocka_unit_test_setup(test_window_end, setup),
		cmocka_unit_test_setup(test_quiet_gap, setup),
		cmocka_unit_test_setup(test_quiet_gap_nobody, setup),
		cmocka_unit_test_setup(test_quiet_gap_late_ecu, setup),
		cmocka_unit_test(test_slow_clock),
		cmocka_unit_test(test_ecu_keys),
		cmocka_unit_test(test_scheme_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
