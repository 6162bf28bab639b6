// SPDX-License-Identifier: MIT
/*
 * The identity reader.  One discovery window for every scheme: the functional requests of all
 * allowed schemes and the physical probes of the plan's ECUs go out together, and every answer
 * that comes within the first-answer window is read — the ECUs that answered first are read
 * while the window is still open, and once the car has answered the window ends a quiet gap
 * after the last answer.  Per ECU: the VIN (service 09 PID 02 on OBD schemes, DID F190
 * on UDS schemes), the optional OBD PIDs, the DIDs the plan asks for, the identification DIDs.
 * Every failure becomes an ident_error; -ENODEV/-ENETDOWN stop reading and keep what was read.
 *
 * The bus is an interface (struct ident_bus): the kernel's SocketCAN/ISO-TP in ident_read(), a
 * simulated car on simulated time in tests/unit/test-can-ident.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "can/canbus-internal.h"

/* ISO 14229-1 C.1 identification DIDs: VIN first, it decides the make's plan */
static const uint16_t std_dids[] = { 0xF190, 0xF187, 0xF189, 0xF18C, 0xF191, 0xF195, 0xF18B };

#define MAX_TARGETS 256
#define MAX_NEEDS 256
#define MAX_QUEUE 1024	/* every responder of every scheme, and the plan's ECUs */

void ident_config_init(struct ident_config *cfg)
{
	static const struct uds_timing def = UDS_TIMING_DEFAULT;

	memset(cfg, 0, sizeof(*cfg));
	cfg->scheme = IDENT_SCHEME_AUTO;
	cfg->order[0] = IDENT_SCHEME_OBD11;
	cfg->order[1] = IDENT_SCHEME_BMW;
	cfg->order[2] = IDENT_SCHEME_OBD29;
	cfg->order[3] = IDENT_SCHEME_UDS11;
	cfg->n_order = 4;
	cfg->timing = def;
}

struct ident *ident_free(struct ident *id)
{
	free(id);
	return NULL;
}

static bool fatal_err(int r)
{
	return r == -ENODEV || r == -ENETDOWN || r == -ENXIO;
}

enum ident_err_kind ident_err_kind_of(int r)
{
	if (r == -ETIMEDOUT || r == -ETIME)
		return IDENT_ERR_TIMEOUT;
	if (r == -EBADMSG || r == -EPROTO)
		return IDENT_ERR_MALFORMED;
	if (r == -EREMOTEIO)
		return IDENT_ERR_NRC;
	return IDENT_ERR_IO;
}

const char *ident_err_kind_name(enum ident_err_kind k)
{
	switch (k) {
	case IDENT_ERR_TIMEOUT: return "timeout";
	case IDENT_ERR_NRC: return "nrc";
	case IDENT_ERR_MALFORMED: return "malformed";
	default: return "io";
	}
}

const char *ident_not_asked_name(enum ident_not_asked n)
{
	switch (n) {
	case IDENT_NOT_ASKED_GAVE_UP:
		return "not asked: the ECU left requests unanswered and was asked nothing more";
	case IDENT_NOT_ASKED_DEADLINE:
		return "not asked: the read's deadline had passed";
	case IDENT_NOT_ASKED_STOPPED:
		return "not asked: reading stopped (interface gone)";
	default:
		return "asked";
	}
}

/* ---- the reader's state ---- */

struct target {
	enum ident_scheme scheme;	/* a concrete scheme (AUTO targets are split per scheme) */
	uint32_t ecu;
	bool fd;
	bool if_present;		/* read only when it answers its probe */
	bool probed, known;
	bool handled;			/* silent after its probe: read, reported or skipped */
};

/*
 * An ECU being read: its own transport (kernel ISO-TP socket), the request in flight as a
 * uds_xfer machine, what it has been asked.  runs[i] belongs to id->ecus[i].
 */
enum run_kind { RUN_NONE = 0, RUN_OBD, RUN_DID };

struct run {
	struct isotp_transport t;
	bool open, finished, resume;
	bool answered;			/* E answered a physical request */
	uint32_t rx;			/* its response id: two ECUs on one id are not read at once */
	uint8_t obd_done;		/* OBD steps sent: bit 0 VIN 02, 1 name 0A, 2 CALID 04, 3 CVN 06 */
	enum run_kind kind;		/* the request in flight (RUN_NONE: none, or settling) */
	uint8_t pid;
	uint16_t did;
	bool counts;			/* its silence counts toward giving up */
	uint64_t t0;
	struct uds_timing tm;
	struct uds_xfer x;		/* state 0: idle */
	struct uds_reply rep;
};

struct reader {
	const struct ident_bus *bus;
	const struct ident_config *cfg;
	struct ident *id;
	struct uds_reply *rep;
	enum ident_scheme allowed[IDENT_SCHEME_COUNT];
	size_t n_allowed;
	unsigned int answer_ms;
	unsigned int quiet_ms;		/* the window ends this long after the last answer; 0: never */
	uint64_t started;		/* the first probes went out */
	uint64_t func_sent, func_end;	/* the functional requests went out, their window ends */
	uint64_t probe_sent, probe_end;	/* the last physical probes went out, their window ends */
	uint64_t last_answer;		/* the last discovery answer came (0: none yet) */
	size_t n_targets;
	struct target targets[MAX_TARGETS];
	size_t targets_dropped, needs_dropped;
	size_t n_needs;
	struct ident_need needs[MAX_NEEDS];
	size_t n_queue;
	struct ident_answer queue[MAX_QUEUE];
	size_t n_known;
	struct ident_answer known[MAX_QUEUE];	/* every (scheme, ECU) queued or read */
	bool refined;
	unsigned int parallel;		/* ECUs read at once */
	unsigned int running;		/* runs open */
	struct run runs[IDENT_MAX_ECUS];
	int full_error;			/* index in errors[] of the "table full" error, or -1 */
	enum ident_scheme full_scheme;
};

static uint64_t now_ms(const struct reader *rd)
{
	return rd->bus->ops->now_ms(rd->bus->ctx);
}

static char *ecu_str(uint32_t ecu, char *buf, size_t len)
{
	return ident_ecu_format(ecu, buf, len);
}

static void add_error(struct ident *id, const char *step, uint32_t ecu, enum ident_err_kind kind,
		      int err, uint8_t nrc, const char *msg)
{
	struct ident_error *e;

	if (id->n_errors >= IDENT_MAX_ERRORS) {
		id->errors_dropped++;	/* counted, so a full table is visible */
		return;
	}
	e = &id->errors[id->n_errors++];
	snprintf(e->step, sizeof(e->step), "%s", step);
	e->ecu = ecu;
	e->kind = kind;
	e->err = err;
	e->nrc = nrc;
	snprintf(e->message, sizeof(e->message), "%s", msg);
}

/* Records the failed exchange; returns true when reading must stop (interface gone). */
static bool note_failure(struct ident *id, const char *step, uint32_t ecu, int r,
			 const struct uds_reply *rep, const struct uds_timing *tm)
{
	char msg[160], a[24];

	ecu_str(ecu, a, sizeof(a));
	if (r == 0 && rep->negative) {
		snprintf(msg, sizeof(msg), "%s: ECU %s: %s: negative response 0x%02X %s",
			 id->iface, a, step, rep->nrc, uds_nrc_name(rep->nrc));
		add_error(id, step, ecu, IDENT_ERR_NRC, -EREMOTEIO, rep->nrc, msg);
		return false;
	}
	if (r == -ETIMEDOUT && rep->limit == UDS_LIMIT_PENDING)
		snprintf(msg, sizeof(msg), "%s: ECU %s: %s: response pending %u times (limit %u), "
			 "giving up", id->iface, a, step, rep->pending, tm->max_pending);
	else if (r == -ETIMEDOUT && rep->limit == UDS_LIMIT_REQUEST)
		snprintf(msg, sizeof(msg), "%s: ECU %s: %s: no final answer within %u ms (response "
			 "pending %u times), giving up", id->iface, a, step,
			 tm->request_ms ? tm->request_ms : UDS_REQUEST_MS_DEFAULT, rep->pending);
	else if (r == -ETIMEDOUT && rep->pending)
		snprintf(msg, sizeof(msg), "%s: ECU %s: %s: response pending %u times, no answer "
			 "within %u ms", id->iface, a, step, rep->pending, tm->p2star_ms);
	else if (r == -ETIMEDOUT)
		snprintf(msg, sizeof(msg), "%s: ECU %s: %s: no answer within %u ms", id->iface,
			 a, step, tm->p2_ms);
	else if (r == -ETIME)
		snprintf(msg, sizeof(msg), "%s: ECU %s: %s: the answer stopped half-way (ISO-TP "
			 "N_Cr: no Consecutive Frame within 1000 ms, the kernel gave it up)",
			 id->iface, a, step);
	else if (ecu)
		snprintf(msg, sizeof(msg), "%s: ECU %s: %s: %s", id->iface, a, step, strerror(-r));
	else
		snprintf(msg, sizeof(msg), "%s: %s: %s", id->iface, step, strerror(-r));
	add_error(id, step, ecu, ident_err_kind_of(r), r, 0, msg);
	if (fatal_err(r)) {
		id->fatal = r;
		return true;
	}
	return false;
}

static void add_source(struct ident *id, uint32_t ecu, enum ident_scheme scheme,
		       enum ident_vin_via via, const uint8_t *raw, size_t len)
{
	struct ident_vin_source *s;

	if (id->n_sources >= IDENT_MAX_SOURCES) {
		/* its VIN is not compared with the others: say so once, count the rest */
		if (id->sources_dropped++ == 0) {
			char msg[120];

			snprintf(msg, sizeof(msg), "VIN reported by more ECUs than compared "
				 "(IDENT_MAX_SOURCES %d): the rest not compared", IDENT_MAX_SOURCES);
			add_error(id, "vin", ecu, IDENT_ERR_IO, -ENOSPC, 0, msg);
		}
		return;
	}
	s = &id->sources[id->n_sources++];
	s->ecu = ecu;
	s->scheme = scheme;
	s->via = via;
	s->raw_len = len < sizeof(s->raw) ? len : sizeof(s->raw);
	memcpy(s->raw, raw, s->raw_len);
	s->flags = ident_vin_extract(raw, len, s->vin);
}

/* Stops at the deadline: said once. */
static bool past_deadline(struct reader *rd)
{
	struct ident *id = rd->id;
	char msg[160];

	if (id->deadline_hit)
		return true;
	if (now_ms(rd) < id->deadline_at)
		return false;
	id->deadline_hit = true;
	snprintf(msg, sizeof(msg), "%s: reading stopped at the deadline: what was not read by "
		 "then is not read (ident deadline_ms)", id->iface);
	/* it explains every "not read" after it: it takes the last entry of a full table (that
	 * one is counted as dropped) */
	if (id->n_errors >= IDENT_MAX_ERRORS) {
		id->n_errors--;
		id->errors_dropped++;
		if (rd->full_error == (int)id->n_errors)
			rd->full_error = INT_MAX;	/* its entry is gone: counted only */
	}
	add_error(id, "deadline", 0, IDENT_ERR_TIMEOUT, -ETIMEDOUT, 0, msg);
	return true;
}

/*
 * The timing of E's next request.  P2 is E's own once it has answered a physical request (the
 * configured P2, or more for an ECU seen to be slow or that announced more); before that at least
 * the first-answer window, as a gateway delays the first answer.  P2* is E's own when it
 * announced one (ISO 14229-2 DiagnosticSessionControl), else the configured one.  request_ms and
 * P2* (which also bounds the settling wait) are cut to what is left of the deadline.  False when
 * E may not be asked.
 */
static bool may_ask(struct reader *rd, const struct ident_ecu *e, bool answered_before,
		    struct uds_timing *now)
{
	struct ident *id = rd->id;
	uint64_t t, left, req;

	if (id->fatal || e->gave_up || past_deadline(rd))
		return false;
	t = now_ms(rd);
	*now = rd->cfg->timing;
	now->p2_ms = e->p2_ms;
	if (e->p2star_ms)
		now->p2star_ms = e->p2star_ms;
	if (!answered_before && now->p2_ms < rd->answer_ms)
		now->p2_ms = rd->answer_ms;
	left = id->deadline_at - t;
	req = now->request_ms ? now->request_ms : UDS_REQUEST_MS_DEFAULT;
	if (left < req)
		now->request_ms = (unsigned int)left;
	if (left < now->p2star_ms)
		now->p2star_ms = (unsigned int)left;
	if (left < now->p2_ms)
		now->p2_ms = (unsigned int)left;
	return true;
}

/* An ECU that took T ms to answer gets P2 = 2T + 20 (never less than the configured P2, never
 * more than twice the first-answer window): slow, but read with margin. */
static unsigned int p2_for(const struct reader *rd, unsigned int took)
{
	unsigned int p2 = rd->cfg->timing.p2_ms, cap = 2 * rd->answer_ms, want;

	if (took == UINT_MAX)
		return p2;
	want = took > cap ? cap : 2 * took + 20;
	if (want > cap)
		want = cap;
	return want > p2 ? want : p2;
}

/*
 * What an ECU announced in its DiagnosticSessionControl answer (ISO 14229-2 7.2: P2server_max,
 * P2*server_max) becomes its P2/P2* here as the client's: the server's value plus the network's
 * share, ΔP2 — taken as the time its probe's answer took (an upper bound: request, gateway,
 * processing and answer), at least 20 ms.  P2 is only ever raised by it (never below the configured
 * or measured one), at most twice the window as a measured one; P2* is the ECU's own (shorter or
 * longer than the configured one) but never below 500 ms nor above request_ms: a
 * lying announcement can neither hang a read nor cut an honest slow answer to nothing.
 */
static void learn_timing(const struct reader *rd, struct ident_ecu *e, const struct ident_answer *a)
{
	unsigned int delta = a->after_ms == UINT_MAX || a->after_ms < 20 ? 20 : a->after_ms;
	unsigned int req = rd->cfg->timing.request_ms ? rd->cfg->timing.request_ms
						      : UDS_REQUEST_MS_DEFAULT;
	unsigned int v;

	e->p2_ms = p2_for(rd, a->after_ms);
	if (!a->timing)
		return;
	e->announced_p2_ms = a->p2_ms;
	e->announced_p2star_ms = a->p2star_ms;
	v = a->p2_ms + delta;
	if (v > 2 * rd->answer_ms)
		v = 2 * rd->answer_ms;
	if (v > e->p2_ms)
		e->p2_ms = v;
	if (rd->cfg->p2star_fixed)
		return;
	v = a->p2star_ms + delta;
	if (v < IDENT_P2STAR_MIN_MS)
		v = IDENT_P2STAR_MIN_MS;
	if (v > req)
		v = req;
	e->p2star_ms = v;
}

/*
 * After an exchange with E: an answer clears its count of unanswered requests and may raise its
 * P2; a timeout (a 0x78 limit included) waits for a late answer to pass (a settling wait on its
 * transport, uds_settle's machine), and after IDENT_ECU_MAX_TIMEOUTS in a row E is asked nothing
 * more — a stalled ECU costs two requests, not one per DID.
 */
static void after_ask(struct reader *rd, struct run *u, struct ident_ecu *e, int r,
		      unsigned int took)
{
	struct ident *id = rd->id;
	const struct uds_reply *rep = &u->rep;
	char msg[160], a[24];

	if (r != -ETIMEDOUT) {
		if (r == 0 || r == -EBADMSG || r == -EPROTO) {
			e->timeouts_in_row = 0;
			if (!rep->pending && !rep->busy) {
				unsigned int p2 = p2_for(rd, took);

				u->answered = true;
				if (p2 > e->p2_ms)
					e->p2_ms = p2;
			}
		}
		return;
	}
	if (++e->timeouts_in_row < IDENT_ECU_MAX_TIMEOUTS) {
		uds_xfer_settle(&u->x, &u->tm, now_ms(rd));
		return;
	}
	e->gave_up = true;
	snprintf(msg, sizeof(msg), "%s: ECU %s: asked nothing more after %s: its other data is "
		 "not read", id->iface, ecu_str(e->address, a, sizeof(a)),
		 rep->limit == UDS_LIMIT_NONE ? "2 requests in a row went unanswered"
					      : "2 requests in a row, the last one answered only "
						"'response pending'");
	add_error(id, "gave-up", e->address, IDENT_ERR_TIMEOUT, -ETIMEDOUT, 0, msg);
}

static bool has_did(const struct ident_ecu *e, uint16_t did)
{
	for (size_t i = 0; i < e->n_dids; i++)
		if (e->dids[i].did == did)
			return true;
	return false;
}

static struct ident_did *did_slot(struct reader *rd, struct ident_ecu *e, uint16_t did,
				  bool *exists)
{
	char msg[120], step[24];

	*exists = false;
	for (size_t i = 0; i < e->n_dids; i++)
		if (e->dids[i].did == did) {
			*exists = true;
			return &e->dids[i];
		}
	if (e->n_dids < IDENT_MAX_DIDS) {
		struct ident_did *d = &e->dids[e->n_dids++];

		memset(d, 0, sizeof(*d));
		d->did = did;
		return d;
	}
	/* said once per ECU, not dropped silently: a rule naming such a DID reads "not read",
	 * and this says why */
	if (!e->dids_full) {
		e->dids_full = true;
		snprintf(step, sizeof(step), "read-did %04X", did);
		snprintf(msg, sizeof(msg), "not read: table full (%d DIDs per ECU, IDENT_MAX_DIDS), "
			 "nor any further DID of this ECU", IDENT_MAX_DIDS);
		add_error(rd->id, step, e->address, IDENT_ERR_IO, -ENOSPC, 0, msg);
	}
	return NULL;
}

static bool target_known(const struct reader *rd, enum ident_scheme s, uint32_t ecu)
{
	for (size_t i = 0; i < rd->n_known; i++)
		if (rd->known[i].scheme == s && rd->known[i].ecu == ecu)
			return true;
	return false;
}

static bool scheme_allowed(const struct reader *rd, enum ident_scheme s)
{
	for (size_t i = 0; i < rd->n_allowed; i++)
		if (rd->allowed[i] == s)
			return true;
	return false;
}

static void add_target(struct reader *rd, enum ident_scheme s, uint32_t ecu, bool fd,
		       bool if_present)
{
	for (size_t i = 0; i < rd->n_targets; i++) {
		struct target *t = &rd->targets[i];

		if (t->scheme == s && t->ecu == ecu) {
			t->fd |= fd;
			t->if_present &= if_present;	/* asked for without condition wins */
			return;
		}
	}
	if (rd->n_targets >= MAX_TARGETS) {
		rd->targets_dropped++;
		return;
	}
	rd->targets[rd->n_targets++] = (struct target){ .scheme = s, .ecu = ecu, .fd = fd,
							.if_present = if_present };
}

/* A target whose scheme is AUTO is asked on every allowed scheme that can address it. */
static void plan_target(struct reader *rd, const struct ident_target *t)
{
	size_t n = 0;

	for (size_t i = 0; i < rd->n_allowed; i++) {
		enum ident_scheme s = rd->allowed[i];

		if ((t->scheme == IDENT_SCHEME_AUTO || t->scheme == s) &&
		    ident_scheme_addr_ok(s, t->ecu)) {
			add_target(rd, s, t->ecu, t->fd, t->if_present);
			n++;
		}
	}
	/* named (--ecu, a campaign's ECU): never skipped unsaid — a make profile's "if present"
	 * ECUs on schemes the caller did not allow are not the caller's wish */
	if (!n && !t->if_present) {
		char msg[160], a[24], list[48] = "";
		size_t o = 0;

		for (size_t i = 0; i < rd->n_allowed && o < sizeof(list); i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? " " : "",
					      ident_scheme_name(rd->allowed[i]));
		snprintf(msg, sizeof(msg), "%s: ECU %s: not asked: no %s scheme can address it "
			 "(schemes: %s)", rd->id->iface, ecu_str(t->ecu, a, sizeof(a)),
			 t->scheme == IDENT_SCHEME_AUTO ? "allowed" : ident_scheme_name(t->scheme),
			 list);
		add_error(rd->id, "plan", t->ecu, IDENT_ERR_IO, -EINVAL, 0, msg);
	}
}

static void add_need(struct reader *rd, const struct ident_need *n)
{
	for (size_t i = 0; i < rd->n_needs; i++)
		if (rd->needs[i].ecu == n->ecu && rd->needs[i].did == n->did)
			return;
	if (rd->n_needs < MAX_NEEDS)
		rd->needs[rd->n_needs++] = *n;
	else
		rd->needs_dropped++;
}

/* Sends the probes of the targets not probed yet; the window then lasts answer_ms from now. */
static void send_probes(struct reader *rd, bool functional)
{
	struct ident_probe p[MAX_TARGETS + IDENT_SCHEME_COUNT];
	size_t n = 0;
	uint64_t now;
	int r;

	size_t nf;

	if (functional)
		for (size_t i = 0; i < rd->n_allowed; i++)
			if (ident_scheme_desc(rd->allowed[i])->func_id)
				p[n++] = (struct ident_probe){ rd->allowed[i], IDENT_ECU_ANY };
	nf = n;
	for (size_t i = 0; i < rd->n_targets; i++) {
		struct target *t = &rd->targets[i];

		if (t->probed || target_known(rd, t->scheme, t->ecu))
			continue;
		t->probed = true;
		p[n++] = (struct ident_probe){ t->scheme, t->ecu };
	}
	if (!n)
		return;
	r = rd->bus->ops->probe(rd->bus->ctx, p, n, rd->cfg->fd);
	if (r < 0) {
		memset(rd->rep, 0, offsetof(struct uds_reply, data));
		note_failure(rd->id, "discovery", 0, r, rd->rep, &rd->cfg->timing);
		return;
	}
	now = now_ms(rd);
	if (!rd->started)
		rd->started = now;
	if (nf) {
		rd->func_sent = now;
		rd->func_end = now + rd->answer_ms;
	}
	if (n > nf) {
		rd->probe_sent = now;
		rd->probe_end = now + rd->answer_ms;
	}
}

static bool address_known(const struct reader *rd, uint32_t ecu);

/*
 * Where a part of the window (the requests sent at SENT, waited for until END) ends: at END
 * while nothing has answered since they went out — a slow lone ECU (150 ms) is read — else a
 * quiet gap after the last answer.  Once the car has answered, its ECUs answer together: J1979's
 * OBD ECUs within P2 of each other, those behind one gateway with its delay.  Waiting out the
 * rest of the window would cost a fast car up to the whole window for nothing.
 */
static uint64_t part_end(const struct reader *rd, uint64_t sent, uint64_t end)
{
	uint64_t q;

	if (!rd->quiet_ms || !rd->last_answer || rd->last_answer < sent)
		return end;
	q = rd->last_answer + rd->quiet_ms;
	return q < end ? q : end;
}

/*
 * When the window closes.  A functional request may be answered by anyone: its part ends a
 * quiet gap after the last answer (or when the window ends).  A physical probe has one possible
 * answerer: once every probed ECU has answered (or its key has, on another scheme), nothing more
 * can come of the probes, and waiting out their window would only cost time — e.g.
 * `--addressing uds11 --ecu 0x710:0x77A`, or a make profile's ECUs that all answered.
 */
static uint64_t window_end(const struct reader *rd)
{
	uint64_t f = part_end(rd, rd->func_sent, rd->func_end), p;

	for (size_t i = 0; i < rd->n_targets; i++) {
		const struct target *t = &rd->targets[i];

		if (t->probed && !t->handled && !address_known(rd, t->ecu)) {
			p = part_end(rd, rd->probe_sent, rd->probe_end);
			return p > f ? p : f;
		}
	}
	return f;
}

static void table_full(struct reader *rd, enum ident_scheme s);

/* How long the requests sent at SENT were listened to, by now (the messages say it). */
static unsigned int listened(const struct reader *rd, uint64_t sent, uint64_t end)
{
	uint64_t e = part_end(rd, sent, end), now = now_ms(rd);

	if (e > now)
		e = now;
	return e > sent ? (unsigned int)(e - sent) : 0;
}

/* Said as the answer comes, before the reads, while errors[] has room (the reads may fill it). */
static void enqueue(struct reader *rd, const struct ident_answer *a)
{
	if (target_known(rd, a->scheme, a->ecu))
		return;
	if (rd->n_known >= MAX_QUEUE) {
		table_full(rd, a->scheme);	/* counted and said, never dropped unseen */
		return;
	}
	rd->known[rd->n_known++] = *a;
	if (rd->id->n_ecus + rd->n_queue >= IDENT_MAX_ECUS) {
		table_full(rd, a->scheme);
		return;
	}
	rd->queue[rd->n_queue++] = *a;
}

/* The order ECUs are started in: OBD schemes first (their engine ECU carries the VIN that decides
 * the make's plan), then by scheme as the caller ordered them, then the lowest address. */
static bool before(const struct reader *rd, const struct ident_answer *a,
		   const struct ident_answer *b)
{
	bool oa = ident_scheme_desc(a->scheme)->obd09, ob = ident_scheme_desc(b->scheme)->obd09;
	size_t ia = 0, ib = 0;

	for (size_t k = 0; k < rd->n_allowed; k++) {
		if (rd->allowed[k] == a->scheme)
			ia = k;
		if (rd->allowed[k] == b->scheme)
			ib = k;
	}
	return oa != ob ? oa : ia != ib ? ia < ib : a->ecu < b->ecu;
}

/* Every DID asked for that was not sent is listed with why (a rule then says "not read"). */
static void list_not_asked(struct reader *rd, struct ident_ecu *e)
{
	enum ident_not_asked why = rd->id->fatal ? IDENT_NOT_ASKED_STOPPED :
				   e->gave_up ? IDENT_NOT_ASKED_GAVE_UP :
				   rd->id->deadline_hit ? IDENT_NOT_ASKED_DEADLINE : IDENT_ASKED;
	bool exists;

	if (why == IDENT_ASKED)
		return;
	for (size_t pass = 0; pass < 2; pass++) {
		size_t n = pass ? rd->cfg->n_dids : rd->n_needs;

		for (size_t i = 0; i < n; i++) {
			uint16_t did;
			struct ident_did *d;

			if (pass) {
				did = rd->cfg->dids[i];
			} else {
				if (rd->needs[i].ecu != e->address && rd->needs[i].ecu != IDENT_ECU_ANY)
					continue;
				did = rd->needs[i].did;
			}
			d = did_slot(rd, e, did, &exists);
			if (!d || exists)
				continue;
			d->status = -ECANCELED;
			d->not_asked = why;
		}
	}
}

/* Does a need of the plan that E has not been asked yet apply to E? */
static bool need_open(const struct reader *rd, const struct ident_ecu *e)
{
	for (size_t i = 0; i < rd->n_needs; i++)
		if ((rd->needs[i].ecu == e->address || rd->needs[i].ecu == IDENT_ECU_ANY) &&
		    !has_did(e, rd->needs[i].did))
			return true;
	return false;
}

/*
 * Calls the plan's refine hook once, with the first valid VIN.  ECUs already read to the end
 * (they are read at the same time: one may finish before another gives the VIN) are read again
 * for what the plan now asks of them.
 */
static void maybe_refine(struct reader *rd, const char *vin, unsigned int flags)
{
	struct ident_plan_add add = { 0 };
	struct ident *id = rd->id;

	if (rd->refined || !rd->cfg->refine || (flags & IDENT_VIN_INVALID))
		return;
	rd->refined = true;
	if (rd->cfg->refine(rd->cfg->refine_userdata, vin, &add) < 0)
		return;
	if (add.name)
		snprintf(id->profile, sizeof(id->profile), "%s", add.name);
	for (size_t i = 0; i < add.n_targets && add.targets; i++)
		plan_target(rd, &add.targets[i]);
	for (size_t i = 0; i < add.n_needs && add.needs; i++)
		add_need(rd, &add.needs[i]);
	send_probes(rd, false);
	for (size_t i = 0; i < id->n_ecus; i++)
		if (rd->runs[i].finished && !id->ecus[i].gave_up && !id->ecus[i].dids_full &&
		    need_open(rd, &id->ecus[i]))
			rd->runs[i].resume = true;
}

/* E's next request, in this order: the VIN, the optional OBD PIDs, what the plan asks of E (a
 * campaign's needs, the caller's DIDs), then the rest of the identification set — an ECU that
 * stalls half-way has given what matters.  False: nothing more to ask. */
static bool next_request(const struct reader *rd, struct run *u, const struct ident_ecu *e)
{
	static const uint8_t pids[] = { 0x02, 0x0A, 0x04, 0x06 };
	const struct ident_scheme_desc *sd = ident_scheme_desc(e->scheme);

	if (sd->obd09) {
		for (size_t i = 0; i < sizeof(pids); i++)
			if (!(u->obd_done & (1u << i))) {
				u->obd_done |= (uint8_t)(1u << i);
				u->kind = RUN_OBD;
				u->pid = pids[i];
				/* optional in J1979, and silence is how an ECU says it lacks one */
				u->counts = pids[i] == 0x02;
				return true;
			}
	}
	if (e->dids_full)
		return false;
	u->kind = RUN_DID;
	u->counts = true;
	if (sd->uds_ident && !has_did(e, std_dids[0])) {
		u->did = std_dids[0];
		return true;
	}
	for (size_t i = 0; i < rd->n_needs; i++)
		if ((rd->needs[i].ecu == e->address || rd->needs[i].ecu == IDENT_ECU_ANY) &&
		    !has_did(e, rd->needs[i].did)) {
			u->did = rd->needs[i].did;
			return true;
		}
	for (size_t i = 0; i < rd->cfg->n_dids && rd->cfg->dids; i++)
		if (!has_did(e, rd->cfg->dids[i])) {
			u->did = rd->cfg->dids[i];
			return true;
		}
	for (size_t i = 1; sd->uds_ident && i < sizeof(std_dids) / sizeof(std_dids[0]); i++)
		if (!has_did(e, std_dids[i])) {
			u->did = std_dids[i];
			return true;
		}
	u->kind = RUN_NONE;
	return false;
}

static void finish_run(struct reader *rd, struct run *u, struct ident_ecu *e)
{
	if (u->finished)
		return;
	/* a request cut off by a stop: the DID was sent, it says why it has no answer */
	if (u->kind == RUN_DID && u->x.state != UDS_XFER_DONE && rd->id->fatal) {
		for (size_t i = 0; i < e->n_dids; i++)
			if (e->dids[i].did == u->did && !e->dids[i].status && !e->dids[i].len)
				e->dids[i].status = rd->id->fatal;
	}
	u->kind = RUN_NONE;
	memset(&u->x, 0, sizeof(u->x));
	u->finished = true;
	list_not_asked(rd, e);
	if (u->open) {
		rd->bus->ops->close(rd->bus->ctx, &u->t);
		u->open = false;
		rd->running--;
	}
}

/* The exchange of U's request ended with R: note what it gave. */
static void request_done(struct reader *rd, struct run *u, struct ident_ecu *e, int r)
{
	struct ident *id = rd->id;
	struct uds_reply *rep = &u->rep;
	enum run_kind kind = u->kind;
	struct uds_timing tm = u->tm;
	unsigned int took = (unsigned int)(now_ms(rd) - u->t0);
	const uint8_t *val;
	size_t len, before;
	struct ident_did *d = NULL;
	char step[24];

	u->kind = RUN_NONE;
	memset(&u->x, 0, sizeof(u->x));
	if (fatal_err(r))
		id->fatal = r;
	/* Silence on an optional OBD PID is no sign of a dead ECU (J1979 forbids a negative
	 * answer to an unsupported PID, and many ECUs are silent on physical requests for one):
	 * it neither counts toward giving up nor costs a settling wait — a late positive answer
	 * echoes its PID and is skipped as stale by the next exchange. */
	else if (u->counts || r != -ETIMEDOUT)
		after_ask(rd, u, e, r, took);
	if (kind == RUN_OBD) {
		if (r == 0 && !rep->negative)
			r = obd_parse_09(rep->data, rep->len, u->pid, &val, &len);
		if (r < 0 || rep->negative) {
			if (u->pid == 0x02)
				note_failure(id, "service09 VIN", e->address, r, rep, &tm);
			return;
		}
		if (u->pid == 0x02) {
			before = id->n_sources;
			add_source(id, e->address, e->scheme, IDENT_VIA_OBD_0902, val, len);
			if (id->n_sources > before)
				maybe_refine(rd, id->sources[before].vin, id->sources[before].flags);
		} else if (u->pid == 0x0A) {
			char name[IDENT_VIN_MAX + 1];

			(void)ident_vin_extract(val, len, name);
			name[sizeof(e->name) - 1] = '\0';
			memcpy(e->name, name, strlen(name) + 1);
		} else if (u->pid == 0x04) {
			e->calid_len = len < sizeof(e->calid) ? len : sizeof(e->calid);
			memcpy(e->calid, val, e->calid_len);
		} else {
			e->cvn_len = len < sizeof(e->cvn) ? len : sizeof(e->cvn);
			memcpy(e->cvn, val, e->cvn_len);
		}
		return;
	}
	for (size_t i = 0; i < e->n_dids; i++)
		if (e->dids[i].did == u->did)
			d = &e->dids[i];
	if (!d)
		return;
	snprintf(step, sizeof(step), "read-did %04X", u->did);
	if (r == 0 && !rep->negative)
		r = uds_parse_did_reply(rep->data, rep->len, u->did, &val, &len);
	if (r < 0 || rep->negative) {
		d->status = r < 0 ? r : -EREMOTEIO;
		d->nrc = r < 0 ? 0 : rep->nrc;
		note_failure(id, step, e->address, r, rep, &tm);
		return;
	}
	d->len = len < sizeof(d->value) ? len : sizeof(d->value);
	memcpy(d->value, val, d->len);
	if (u->did == 0xF190) {
		before = id->n_sources;
		add_source(id, e->address, e->scheme, IDENT_VIA_UDS_F190, val, len);
		if (id->n_sources > before)
			maybe_refine(rd, id->sources[before].vin, id->sources[before].flags);
	}
}

/* Sends what U has to send: its request's first send or a 0x21 repeat. */
static void send_now(struct reader *rd, struct run *u, struct ident_ecu *e)
{
	int r = u->t.send(u->t.ctx, u->x.req, u->x.req_len);

	if (r < 0) {
		u->x.state = UDS_XFER_DONE;
		request_done(rd, u, e, r);
		return;
	}
	uds_xfer_sent(&u->x, now_ms(rd));
}

/* Gives an idle U its next request, or ends it.  Loops over DIDs that fit no slot. */
static void step_run(struct reader *rd, struct run *u, struct ident_ecu *e)
{
	uint8_t req[3];
	size_t len;
	bool exists;

	while (!u->finished) {
		if (u->x.state == UDS_XFER_WAIT || u->x.state == UDS_XFER_SETTLE)
			return;
		if (u->x.state == UDS_XFER_SEND) {
			send_now(rd, u, e);
			continue;
		}
		if (!next_request(rd, u, e) || !may_ask(rd, e, u->answered, &u->tm)) {
			finish_run(rd, u, e);
			return;
		}
		if (u->kind == RUN_OBD) {
			req[0] = 0x09;
			req[1] = u->pid;
			len = 2;
		} else {
			if (!did_slot(rd, e, u->did, &exists))
				continue;	/* table full: said once, next_request stops DIDs */
			req[0] = 0x22;
			req[1] = (uint8_t)(u->did >> 8);
			req[2] = (uint8_t)u->did;
			len = 3;
		}
		u->t0 = now_ms(rd);
		uds_xfer_start(&u->x, &u->tm, req, len, &u->rep, u->t0);
	}
}

/* What U's transport has received: each whole reply into its machine. */
static void drain_run(struct reader *rd, struct run *u, struct ident_ecu *e)
{
	while (!u->finished &&
	       (u->x.state == UDS_XFER_WAIT || u->x.state == UDS_XFER_SETTLE)) {
		bool settling = u->x.state == UDS_XFER_SETTLE;
		ssize_t n = u->t.recv(u->t.ctx, u->rep.data, sizeof(u->rep.data), 0);

		if (n == -ETIMEDOUT)
			return;
		if (n < 0) {
			u->x.state = UDS_XFER_DONE;
			if (settling) {
				if (fatal_err((int)n))
					rd->id->fatal = (int)n;
				memset(&u->x, 0, sizeof(u->x));
			} else {
				request_done(rd, u, e, (int)n);
			}
			return;
		}
		if (uds_xfer_reply(&u->x, (size_t)n, now_ms(rd))) {
			if (settling)
				memset(&u->x, 0, sizeof(u->x));
			else
				request_done(rd, u, e, u->x.result);
		}
	}
}

static void expire_run(struct reader *rd, struct run *u, struct ident_ecu *e, uint64_t now)
{
	bool settling = u->x.state == UDS_XFER_SETTLE;

	if (u->finished || !uds_xfer_expired(&u->x, now))
		return;
	if (settling)
		memset(&u->x, 0, sizeof(u->x));
	else
		request_done(rd, u, e, u->x.result);
}

/* Would reading (SCHEME, ECU) now share a response id with an ECU being read? */
static bool rx_busy(const struct reader *rd, uint32_t rx)
{
	for (size_t i = 0; i < rd->id->n_ecus; i++)
		if (rd->runs[i].open && rd->runs[i].rx == rx)
			return true;
	return false;
}

static uint32_t rx_of(enum ident_scheme s, uint32_t ecu)
{
	uint32_t tx = 0, rx = 0;

	(void)ident_scheme_ids(s, ecu, &tx, &rx);
	return rx;
}

/* Opens E's transport; false when it could not be (said). */
static bool open_run(struct reader *rd, struct run *u, struct ident_ecu *e)
{
	int r = rd->bus->ops->open(rd->bus->ctx, e->scheme, e->address, e->fd, rd->cfg->fc_stmin,
				   &u->t);

	if (r < 0) {
		memset(&u->rep, 0, offsetof(struct uds_reply, data));
		note_failure(rd->id, "open", e->address, r, &u->rep, &rd->cfg->timing);
		return false;
	}
	u->open = true;
	u->finished = false;
	u->resume = false;
	u->rx = rx_of(e->scheme, e->address);
	rd->running++;
	return true;
}

/* A queued ECU becomes an entry of the identity and is started. */
static void start_ecu(struct reader *rd, const struct ident_answer *a)
{
	const struct ident_scheme_desc *sd = ident_scheme_desc(a->scheme);
	struct ident *id = rd->id;
	struct ident_ecu *e = &id->ecus[id->n_ecus];
	struct run *u = &rd->runs[id->n_ecus];
	/* CAN FD where the ECU answered in FD frames, the plan says so, or the caller asks for it
	 * on a scheme that has it (D-CAN has not) */
	bool fd = a->fd || (rd->cfg->fd && sd->fd_ok);

	for (size_t i = 0; i < rd->n_targets; i++)
		if (rd->targets[i].scheme == a->scheme && rd->targets[i].ecu == a->ecu)
			fd |= rd->targets[i].fd;
	memset(e, 0, sizeof(*e));
	memset(u, 0, sizeof(*u));
	e->address = a->ecu;
	e->scheme = a->scheme;
	e->fd = fd;
	e->first_ms = a->after_ms;
	learn_timing(rd, e, a);
	/* it answered its probe: that was its first request */
	u->answered = a->after_ms != UINT_MAX;
	if (!open_run(rd, u, e))
		return;	/* not an entry: the open error says why */
	id->n_ecus++;
}

/*
 * Starts what may start: ECUs read again for the plan's new needs, then queued ECUs in the
 * documented order, while fewer than cfg->parallel are being read and no ECU being read has the
 * same response id.
 */
static void start_runs(struct reader *rd)
{
	struct ident *id = rd->id;

	for (size_t i = 0; i < id->n_ecus && rd->running < rd->parallel; i++) {
		struct run *u = &rd->runs[i];

		if (u->resume && !rx_busy(rd, rx_of(id->ecus[i].scheme, id->ecus[i].address)) &&
		    !open_run(rd, u, &id->ecus[i]))
			u->resume = false;	/* the open error says why */
	}
	while (rd->n_queue && rd->running < rd->parallel && !id->fatal) {
		size_t best = SIZE_MAX;
		struct ident_answer a;

		for (size_t i = 0; i < rd->n_queue; i++) {
			if (rx_busy(rd, rx_of(rd->queue[i].scheme, rd->queue[i].ecu)))
				continue;
			if (best == SIZE_MAX || before(rd, &rd->queue[i], &rd->queue[best]))
				best = i;
		}
		if (best == SIZE_MAX)
			return;
		a = rd->queue[best];
		memmove(&rd->queue[best], &rd->queue[best + 1],
			(rd->n_queue - best - 1) * sizeof(rd->queue[0]));
		rd->n_queue--;
		start_ecu(rd, &a);
	}
}

/* One more ECU than ecus[] holds: counted, and one error (kept up to date) says how many. */
static void table_full(struct reader *rd, enum ident_scheme s)
{
	struct ident *id = rd->id;
	char msg[160];

	id->ecus_not_read++;
	if (rd->full_error < 0) {
		if (id->n_errors >= IDENT_MAX_ERRORS) {
			id->errors_dropped++;
			rd->full_error = INT_MAX;
			return;
		}
		rd->full_error = (int)id->n_errors;
		rd->full_scheme = s;
		add_error(id, "discovery", 0, IDENT_ERR_IO, -ENOSPC, 0, "");
	}
	if (rd->full_error == INT_MAX)
		return;
	snprintf(msg, sizeof(msg), "%s: %s: %zu ECUs not read: table full (%d ECUs per "
		 "identity, IDENT_MAX_ECUS)", id->iface, ident_scheme_name(rd->full_scheme),
		 id->ecus_not_read, IDENT_MAX_ECUS);
	snprintf(id->errors[rd->full_error].message, sizeof(id->errors[0].message), "%s", msg);
}

static bool address_known(const struct reader *rd, uint32_t ecu)
{
	for (size_t i = 0; i < rd->n_known; i++)
		if (rd->known[i].ecu == ecu)
			return true;
	return false;
}

/* Once the window is closed: named ECUs that did not answer their probe are read anyway, unless
 * only wanted if present (then a campaign that needs one is told it was not there). */
static void silent_targets(struct reader *rd)
{
	struct ident *id = rd->id;
	char msg[160], a[24];

	for (size_t i = 0; i < rd->n_targets && !id->fatal; i++) {
		struct target *t = &rd->targets[i];
		struct ident_answer ans = { .scheme = t->scheme, .ecu = t->ecu,
					    .after_ms = UINT_MAX, .fd = t->fd };

		if (t->handled || !t->probed || target_known(rd, t->scheme, t->ecu))
			continue;
		t->handled = true;
		if (t->if_present) {
			bool wanted = false;

			for (size_t k = 0; k < rd->n_needs; k++)
				wanted |= rd->needs[k].ecu == t->ecu;
			/* the key answered on another scheme that can carry it (obd29 and bmw
			 * share 0x00-0xFF): that ECU is the one read, this probe was the spare */
			if (!wanted || address_known(rd, t->ecu))
				continue;
			/* a campaign needs it: say that it was not there */
			snprintf(msg, sizeof(msg), "%s: ECU %s (%s): no answer to a physical request "
				 "within %u ms: its DIDs are not read", id->iface,
				 ecu_str(t->ecu, a, sizeof(a)), ident_scheme_name(t->scheme),
				 listened(rd, rd->probe_sent, rd->probe_end));
			add_error(id, "probe", t->ecu, IDENT_ERR_TIMEOUT, -ETIMEDOUT, 0, msg);
			continue;
		}
		/* an address several schemes can carry is the ECU that answered on one of them,
		 * or, silent everywhere, is read once: on the first scheme of the caller's order */
		if (address_known(rd, t->ecu))
			continue;
		enqueue(rd, &ans);
	}
}

/* Answers waiting on the bus, into the queue; false when reading must stop. */
static bool take_answers(struct reader *rd, unsigned int wait)
{
	struct ident_answer a;
	int r;

	for (;;) {
		/* a bus that fills only what it knows leaves the rest "not announced" */
		memset(&a, 0, sizeof(a));
		r = rd->bus->ops->next_answer(rd->bus->ctx, wait, &a);
		if (r <= 0)
			break;
		if (scheme_allowed(rd, a.scheme)) {
			/* when it came, not when it was read: a reader busy with reads must not
			 * stretch the quiet gap (a bus that does not know says 0: now) */
			uint64_t now = now_ms(rd), at = a.at_ms && a.at_ms <= now ? a.at_ms : now;

			if (at > rd->last_answer)
				rd->last_answer = at;
			enqueue(rd, &a);
		}
		wait = 0;
	}
	if (r < 0) {
		struct uds_reply rep;

		memset(&rep, 0, offsetof(struct uds_reply, data));
		if (note_failure(rd->id, "discovery", 0, r, &rep, &rd->cfg->timing))
			return false;
		/* no more answers to come: read what is queued */
		rd->func_end = rd->probe_end = now_ms(rd);
	}
	return true;
}

/*
 * The reads.  Answers are taken as they come, for as long as the window is open (and after it,
 * what is waiting); each ECU that answered gets its own transport and is read at the same time
 * as the others (at most cfg->parallel at once, never two on one response id): the loop sends
 * each ECU its next request as soon as its last one ended, and waits on all their transports at
 * once until the first reply or the first timer.  A car that answers only on its last scheme
 * costs one window, not one per scheme; a car with many ECUs costs about its slowest ECU, not
 * their sum.
 */
static void run_reads(struct reader *rd)
{
	struct ident *id = rd->id;
	const struct isotp_transport *tps[IDENT_MAX_ECUS];

	for (;;) {
		uint64_t now, due, wend;
		size_t n;
		bool window;
		int r;

		if (!id->fatal && !take_answers(rd, 0))
			continue;
		now = now_ms(rd);
		wend = window_end(rd);
		window = now < wend;
		if (!window && !id->fatal)
			silent_targets(rd);
		if (!id->fatal)
			start_runs(rd);
		for (size_t i = 0; i < id->n_ecus; i++)
			if (rd->runs[i].open)
				step_run(rd, &rd->runs[i], &id->ecus[i]);
		if (id->fatal) {
			for (size_t i = 0; i < id->n_ecus; i++)
				finish_run(rd, &rd->runs[i], &id->ecus[i]);
			return;
		}
		now = now_ms(rd);
		due = UINT64_MAX;
		n = 0;
		for (size_t i = 0; i < id->n_ecus; i++) {
			struct run *u = &rd->runs[i];

			if (!u->open || u->finished)
				continue;
			if (u->x.state == UDS_XFER_WAIT || u->x.state == UDS_XFER_SETTLE) {
				uint64_t d = uds_xfer_due(&u->x);

				tps[n++] = &u->t;
				if (d < due)
					due = d;
			}
		}
		if (!n) {
			bool more = rd->n_queue > 0;

			for (size_t i = 0; i < id->n_ecus; i++)
				more |= rd->runs[i].resume;
			if (more)
				continue;	/* started next round (no run holds a response id) */
			if (!window || past_deadline(rd))
				return;
			/* nothing to read yet: wait for answers until the window closes.  `now` was
			 * read after `window`: on a loaded machine the window may have closed since,
			 * and due - now must not wrap into a wait of weeks (it did: a read hung in
			 * poll on the discovery socket). */
			due = wend < id->deadline_at ? wend : id->deadline_at;
			(void)take_answers(rd, due > now ? (unsigned int)(due - now) : 0);
			continue;
		}
		if (window && wend < due)
			due = wend;
		r = rd->bus->ops->wait(rd->bus->ctx, tps, n, due > now ? (unsigned int)(due - now) : 0,
				       window);
		if (r < 0 && fatal_err(r))
			id->fatal = r;
		now = now_ms(rd);
		for (size_t i = 0; i < id->n_ecus; i++) {
			struct run *u = &rd->runs[i];

			if (!u->open)
				continue;
			drain_run(rd, u, &id->ecus[i]);
			expire_run(rd, u, &id->ecus[i], now);
		}
	}
}

/*
 * ECUs are read at the same time, so their errors come in the order the bus decided: sorted
 * (stable) by ECU key — the read's own errors (key 0) first, each ECU's in its request order —
 * two reads of the same car print the same identity.
 */
static void sort_errors(struct ident *id)
{
	for (size_t i = 1; i < id->n_errors; i++) {
		struct ident_error e = id->errors[i];
		size_t k = i;

		while (k > 0 && id->errors[k - 1].ecu > e.ecu) {
			id->errors[k] = id->errors[k - 1];
			k--;
		}
		id->errors[k] = e;
	}
}

static int ecu_cmp(const void *x, const void *y)
{
	const struct ident_ecu *a = x, *b = y;

	if (a->scheme != b->scheme)
		return a->scheme < b->scheme ? -1 : 1;
	return a->address < b->address ? -1 : a->address > b->address;
}

/* The engine ECU: J1979's ECM, at 0x7E0 (11 bit) and 0x10 (29 bit). */
static bool is_engine(const struct ident_vin_source *s)
{
	return (s->scheme == IDENT_SCHEME_OBD11 && s->ecu == 0x7E0) ||
	       (s->scheme == IDENT_SCHEME_OBD29 && s->ecu == 0x10);
}

/*
 * The documented order of VIN sources, whatever answered first: valid VINs first; the engine
 * ECU's; then by scheme (obd11, obd29, bmw, uds11), the lowest address, service 09 before F190.
 * The identity's VIN is the first source's.
 */
static int source_cmp(const void *x, const void *y)
{
	const struct ident_vin_source *a = x, *b = y;
	bool ia = a->flags & IDENT_VIN_INVALID, ib = b->flags & IDENT_VIN_INVALID;

	if (ia != ib)
		return ia ? 1 : -1;
	if (is_engine(a) != is_engine(b))
		return is_engine(a) ? -1 : 1;
	if (a->scheme != b->scheme)
		return a->scheme < b->scheme ? -1 : 1;
	if (a->ecu != b->ecu)
		return a->ecu < b->ecu ? -1 : 1;
	return a->via < b->via ? -1 : a->via > b->via;
}

static void choose_vin(struct ident *id)
{
	const struct ident_vin_source *best;

	id->vin_agree = id->n_sources > 0;
	if (!id->n_sources)
		return;
	qsort(id->sources, id->n_sources, sizeof(id->sources[0]), source_cmp);
	best = &id->sources[0];
	/*
	 * Agreement among the VINs that are VINs: an unprogrammed module answering F190 with fill
	 * bytes (0xFF/0x00, extracted as "" or garbage) is flagged invalid in its source and does
	 * not make the car's VIN uncertain.  Two valid VINs that differ do (a swapped module).
	 */
	for (size_t i = 0; i < id->n_sources; i++)
		if (!(id->sources[i].flags & IDENT_VIN_INVALID) && !(best->flags & IDENT_VIN_INVALID) &&
		    strcmp(id->sources[i].vin, best->vin) != 0)
			id->vin_agree = false;
	memcpy(id->vin, best->vin, sizeof(id->vin));
	id->vin_flags = best->flags;
}

static void say_silent_schemes(struct reader *rd)
{
	struct ident *id = rd->id;
	char msg[160];

	for (size_t i = 0; i < rd->n_allowed; i++) {
		enum ident_scheme s = rd->allowed[i];
		bool any = false;

		if (!ident_scheme_desc(s)->func_id)
			continue;
		for (size_t k = 0; k < rd->n_known; k++)
			any |= rd->known[k].scheme == s;
		if (any)
			continue;
		snprintf(msg, sizeof(msg), "%s: %s: no ECU answered the functional request within "
			 "%u ms", id->iface, ident_scheme_name(s), id->listened_ms);
		add_error(id, "discovery", 0, IDENT_ERR_TIMEOUT, -ETIMEDOUT, 0, msg);
	}
}

int ident_read_bus(const struct ident_bus *bus, const char *name, const struct ident_config *cfg,
		   struct ident **ret)
{
	struct ident_config def, tcfg;
	struct reader *rd = NULL;
	struct ident *id = NULL;
	int r;

	if (!bus || !bus->ops || !bus->ops->wait || !name || !ret)
		return -EINVAL;
	if (!cfg) {
		ident_config_init(&def);
		cfg = &def;
	}
	if (!canbus_stmin_ok(cfg->fc_stmin) || (cfg->scheme != IDENT_SCHEME_AUTO &&
						!ident_scheme_desc(cfg->scheme)))
		return -EINVAL;
	id = calloc(1, sizeof(*id));
	rd = calloc(1, sizeof(*rd));
	if (!id || !rd || !(rd->rep = malloc(sizeof(*rd->rep)))) {
		r = -ENOMEM;
		goto out;
	}
	if (cfg->fc_stmin) {
		/*
		 * The tester's own STmin delays every Consecutive Frame the ECU sends; the P2 wait
		 * covers the whole reassembled reply, so it grows by STmin per frame of a typical
		 * identification reply (up to 8 CFs, ~60 bytes).  Longer replies need --timeout.
		 */
		unsigned int st = cfg->fc_stmin <= 0x7F ? cfg->fc_stmin : 1;

		tcfg = *cfg;
		tcfg.timing.p2_ms += 8 * st;
		cfg = &tcfg;
	}
	rd->bus = bus;
	rd->cfg = cfg;
	rd->id = id;
	rd->full_error = -1;
	rd->parallel = cfg->parallel ? cfg->parallel : IDENT_PARALLEL_DEFAULT;
	if (rd->parallel > IDENT_MAX_ECUS)
		rd->parallel = IDENT_MAX_ECUS;
	rd->answer_ms = cfg->answer_ms ? cfg->answer_ms : IDENT_ANSWER_MS_DEFAULT;
	if (rd->answer_ms < cfg->timing.p2_ms)
		rd->answer_ms = cfg->timing.p2_ms;
	id->window_ms = rd->answer_ms;
	rd->quiet_ms = cfg->quiet_ms == IDENT_QUIET_OFF ? 0 : cfg->quiet_ms ? cfg->quiet_ms
										: IDENT_QUIET_MS_DEFAULT;
	/* a gap as long as the window is the whole window */
	if (rd->quiet_ms >= rd->answer_ms)
		rd->quiet_ms = 0;
	id->quiet_ms = rd->quiet_ms;
	snprintf(id->iface, sizeof(id->iface), "%s", name);
	id->deadline_at = now_ms(rd) + (cfg->deadline_ms ? cfg->deadline_ms
							 : IDENT_DEADLINE_MS_DEFAULT);
	if (cfg->scheme != IDENT_SCHEME_AUTO) {
		rd->allowed[rd->n_allowed++] = cfg->scheme;
	} else {
		for (size_t i = 0; i < cfg->n_order && i < IDENT_SCHEME_COUNT - 1; i++)
			if (ident_scheme_desc(cfg->order[i]) && !scheme_allowed(rd, cfg->order[i]))
				rd->allowed[rd->n_allowed++] = cfg->order[i];
	}
	for (size_t i = 0; i < cfg->n_ecus && cfg->ecus; i++)
		plan_target(rd, &(struct ident_target){ IDENT_SCHEME_AUTO, cfg->ecus[i], false,
							false });
	for (size_t i = 0; i < cfg->n_targets && cfg->targets; i++)
		plan_target(rd, &cfg->targets[i]);
	for (size_t i = 0; i < cfg->n_needs && cfg->needs; i++) {
		add_need(rd, &cfg->needs[i]);
		/* an ECU a campaign needs is probed: found also when it ignores functional
		 * requests, at the cost of one frame */
		if (cfg->needs[i].ecu != IDENT_ECU_ANY) {
			size_t before = rd->n_targets;
			bool known = false;

			/* an ECU no allowed scheme can address is said once */
			for (size_t k = 0; k < i; k++)
				known |= cfg->needs[k].ecu == cfg->needs[i].ecu;
			plan_target(rd, &(struct ident_target){ IDENT_SCHEME_AUTO, cfg->needs[i].ecu,
								false, true });
			if (!known && rd->n_targets == before)
				plan_target(rd, &(struct ident_target){ IDENT_SCHEME_AUTO,
									cfg->needs[i].ecu, false,
									false });
		}
	}
	send_probes(rd, true);
	run_reads(rd);
	{
		uint64_t end = window_end(rd), now = now_ms(rd);

		if (end > now)
			end = now;	/* reading stopped first (deadline, interface gone) */
		id->listened_ms = end > rd->started ? (unsigned int)(end - rd->started) : 0;
	}
	if (rd->targets_dropped) {
		char msg[160];

		snprintf(msg, sizeof(msg), "%s: %zu planned ECUs not asked: more than %d in the plan",
			 id->iface, rd->targets_dropped, MAX_TARGETS);
		add_error(id, "plan", 0, IDENT_ERR_IO, -ENOSPC, 0, msg);
	}
	if (rd->needs_dropped) {
		char msg[160];

		snprintf(msg, sizeof(msg), "%s: %zu planned (ECU, DID) reads not asked: more than %d "
			 "in the plan", id->iface, rd->needs_dropped, MAX_NEEDS);
		add_error(id, "plan", 0, IDENT_ERR_IO, -ENOSPC, 0, msg);
	}
	if (!id->fatal)
		say_silent_schemes(rd);
	qsort(id->ecus, id->n_ecus, sizeof(id->ecus[0]), ecu_cmp);
	sort_errors(id);
	for (size_t i = 0; i < id->n_ecus; i++)
		id->schemes |= 1u << id->ecus[i].scheme;
	for (size_t i = rd->n_allowed; i-- > 0;)
		if (id->schemes & (1u << rd->allowed[i]))
			id->scheme = rd->allowed[i];
	choose_vin(id);
	*ret = id;
	id = NULL;
	r = 0;
out:
	if (rd)
		free(rd->rep);
	free(rd);
	free(id);
	return r;
}

int ident_read(const char *iface, const struct ident_config *cfg, struct ident **ret)
{
	struct ident_bus bus;
	int r;

	if (!iface || !ret)
		return -EINVAL;
	if (cfg && !canbus_stmin_ok(cfg->fc_stmin))
		return -EINVAL;
	r = ident_bus_socketcan(iface, &bus);
	if (r < 0)
		return r;
	if (cfg && cfg->fd) {
		r = canbus_fd_ok(iface);
		if (r < 0)
			goto out;
	}
	r = ident_read_bus(&bus, iface, cfg, ret);
out:
	ident_bus_socketcan_free(&bus);
	return r;
}
