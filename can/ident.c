// SPDX-License-Identifier: MIT
/*
 * The identity reader.  One discovery window for every scheme: the functional requests of all
 * allowed schemes and the physical probes of the plan's ECUs go out together, and every answer
 * that comes within the first-answer window is read — the ECUs that answered first are read
 * while the window is still open.  Per ECU: the VIN (service 09 PID 02 on OBD schemes, DID F190
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
	if (r == -ETIMEDOUT)
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
};

struct reader {
	const struct ident_bus *bus;
	const struct ident_config *cfg;
	struct ident *id;
	struct uds_reply *rep;
	enum ident_scheme allowed[IDENT_SCHEME_COUNT];
	size_t n_allowed;
	unsigned int answer_ms;
	uint64_t window_end;
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
	add_error(id, "deadline", 0, IDENT_ERR_TIMEOUT, -ETIMEDOUT, 0, msg);
	return true;
}

/*
 * The timing of E's next request.  P2 is E's own once it has answered a physical request (the
 * configured P2, or more for an ECU seen to be slow); before that at least the first-answer
 * window, as a gateway delays the first answer.  request_ms and P2* (which also bounds
 * uds_settle) are cut to what is left of the deadline.  False when E may not be asked.
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

struct ecu_ctx {
	struct ident_ecu *e;
	const struct isotp_transport *t;
	bool answered;			/* E answered a physical request */
};

/*
 * After an exchange with E: an answer clears its count of unanswered requests and may raise its
 * P2; a timeout (a 0x78 limit included) that COUNTS waits for a late answer to pass (uds_settle),
 * and after IDENT_ECU_MAX_TIMEOUTS in a row E is asked nothing more — a stalled ECU costs two
 * requests, not one per DID.
 */
static void after_ask(struct reader *rd, struct ecu_ctx *c, const struct uds_timing *tm, int r,
		      const struct uds_reply *rep, unsigned int took)
{
	struct ident *id = rd->id;
	struct ident_ecu *e = c->e;
	char msg[160], a[24];
	int s;

	if (r != -ETIMEDOUT) {
		if (r == 0 || r == -EBADMSG || r == -EPROTO) {
			e->timeouts_in_row = 0;
			if (!rep->pending && !rep->busy) {
				unsigned int p2 = p2_for(rd, took);

				c->answered = true;
				if (p2 > e->p2_ms)
					e->p2_ms = p2;
			}
		}
		return;
	}
	if (++e->timeouts_in_row < IDENT_ECU_MAX_TIMEOUTS) {
		s = uds_settle(c->t, tm);
		if (fatal_err(s))
			id->fatal = s;
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

static int exchange(struct reader *rd, struct ecu_ctx *c, const uint8_t *req, size_t len,
		    bool counts, struct uds_timing *tm)
{
	uint64_t t0;
	int r;

	if (!may_ask(rd, c->e, c->answered, tm))
		return -ECANCELED;
	t0 = now_ms(rd);
	r = uds_exchange(c->t, tm, req, len, rd->rep);
	if (fatal_err(r)) {
		rd->id->fatal = r;
		return r;
	}
	/* Silence on an optional OBD PID is no sign of a dead ECU (J1979 forbids a negative
	 * answer to an unsupported PID, and many ECUs are silent on physical requests for one):
	 * it neither counts toward giving up nor costs a settling wait — a late positive answer
	 * echoes its PID and is skipped as stale by the next exchange. */
	if (counts || r != -ETIMEDOUT)
		after_ask(rd, c, tm, r, rd->rep, (unsigned int)(now_ms(rd) - t0));
	return r;
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

static void read_did(struct reader *rd, struct ecu_ctx *c, uint16_t did)
{
	struct ident_ecu *e = c->e;
	struct uds_reply *rep = rd->rep;
	uint8_t req[3] = { 0x22, (uint8_t)(did >> 8), (uint8_t)did };
	struct uds_timing tm;
	struct ident_did *d;
	const uint8_t *val;
	size_t len;
	char step[24];
	bool exists;
	int r;

	for (size_t i = 0; i < e->n_dids; i++)
		if (e->dids[i].did == did)
			return;
	if (rd->id->fatal || e->gave_up || rd->id->deadline_hit)
		return;
	if (!may_ask(rd, e, c->answered, &tm))
		return;
	d = did_slot(rd, e, did, &exists);
	if (!d)
		return;
	snprintf(step, sizeof(step), "read-did %04X", did);
	r = exchange(rd, c, req, sizeof(req), true, &tm);
	if (r == -ECANCELED) {
		e->n_dids--;	/* not asked after all: listed by list_not_asked when wanted */
		return;
	}
	if (r == 0 && !rep->negative)
		r = uds_parse_did_reply(rep->data, rep->len, did, &val, &len);
	if (r < 0 || rep->negative) {
		d->status = r < 0 ? r : -EREMOTEIO;
		d->nrc = r < 0 ? 0 : rep->nrc;
		note_failure(rd->id, step, e->address, r, rep, &tm);
		return;
	}
	d->len = len < sizeof(d->value) ? len : sizeof(d->value);
	memcpy(d->value, val, d->len);
	if (did == 0xF190)
		add_source(rd->id, e->address, e->scheme, IDENT_VIA_UDS_F190, val, len);
}

/* OBD service 09 PID of E: 0 and its payload, -ECANCELED when E may not be asked any more. */
static int ask09(struct reader *rd, struct ecu_ctx *c, uint8_t pid, bool counts,
		 struct uds_timing *tm, const uint8_t **data, size_t *len)
{
	const uint8_t req[2] = { 0x09, pid };
	int r = exchange(rd, c, req, sizeof(req), counts, tm);

	if (r == 0 && !rd->rep->negative)
		r = obd_parse_09(rd->rep->data, rd->rep->len, pid, data, len);
	return r;
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
	for (size_t i = 0; i < rd->n_allowed; i++) {
		enum ident_scheme s = rd->allowed[i];

		if ((t->scheme == IDENT_SCHEME_AUTO || t->scheme == s) &&
		    ident_scheme_addr_ok(s, t->ecu))
			add_target(rd, s, t->ecu, t->fd, t->if_present);
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
	int r;

	if (functional)
		for (size_t i = 0; i < rd->n_allowed; i++)
			if (ident_scheme_desc(rd->allowed[i])->func_id)
				p[n++] = (struct ident_probe){ rd->allowed[i], IDENT_ECU_ANY };
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
	rd->window_end = now_ms(rd) + rd->answer_ms;
}

static void table_full(struct reader *rd, enum ident_scheme s);

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

/*
 * Which queued ECU next: OBD schemes first (their engine ECU carries the VIN that decides the
 * make's plan), then by scheme as the caller ordered them, then the lowest address.
 */
static size_t pick(const struct reader *rd)
{
	size_t best = 0;

	for (size_t i = 1; i < rd->n_queue; i++) {
		const struct ident_answer *a = &rd->queue[i], *b = &rd->queue[best];
		bool oa = ident_scheme_desc(a->scheme)->obd09, ob = ident_scheme_desc(b->scheme)->obd09;
		size_t ia = 0, ib = 0;

		for (size_t k = 0; k < rd->n_allowed; k++) {
			if (rd->allowed[k] == a->scheme)
				ia = k;
			if (rd->allowed[k] == b->scheme)
				ib = k;
		}
		if (oa != ob ? oa : ia != ib ? ia < ib : a->ecu < b->ecu)
			best = i;
	}
	return best;
}

/* Calls the plan's refine hook once, with the first valid VIN. */
static void maybe_refine(struct reader *rd, const char *vin, unsigned int flags)
{
	struct ident_plan_add add = { 0 };

	if (rd->refined || !rd->cfg->refine || (flags & IDENT_VIN_INVALID))
		return;
	rd->refined = true;
	if (rd->cfg->refine(rd->cfg->refine_userdata, vin, &add) < 0)
		return;
	if (add.name)
		snprintf(rd->id->profile, sizeof(rd->id->profile), "%s", add.name);
	for (size_t i = 0; i < add.n_targets && add.targets; i++)
		plan_target(rd, &add.targets[i]);
	for (size_t i = 0; i < add.n_needs && add.needs; i++)
		add_need(rd, &add.needs[i]);
	send_probes(rd, false);
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

static void read_ecu(struct reader *rd, const struct ident_answer *a)
{
	const struct ident_scheme_desc *sd = ident_scheme_desc(a->scheme);
	struct ident *id = rd->id;
	struct isotp_transport t = { 0 };
	struct ecu_ctx c = { .t = &t };
	struct uds_timing tm;
	struct ident_ecu *e;
	const uint8_t *data;
	/* CAN FD where the ECU answered in FD frames, the plan says so, or the caller asks for it
	 * on a scheme that has it (D-CAN has not) */
	bool fd = a->fd || (rd->cfg->fd && sd->fd_ok);
	size_t len;
	int r;

	for (size_t i = 0; i < rd->n_targets; i++)
		if (rd->targets[i].scheme == a->scheme && rd->targets[i].ecu == a->ecu)
			fd |= rd->targets[i].fd;
	r = rd->bus->ops->open(rd->bus->ctx, a->scheme, a->ecu, fd, rd->cfg->fc_stmin, &t);
	if (r < 0) {
		memset(rd->rep, 0, offsetof(struct uds_reply, data));
		note_failure(id, "open", a->ecu, r, rd->rep, &rd->cfg->timing);
		return;
	}
	e = &id->ecus[id->n_ecus++];
	memset(e, 0, sizeof(*e));
	c.e = e;
	e->address = a->ecu;
	e->scheme = a->scheme;
	e->fd = fd;
	e->first_ms = a->after_ms;
	e->p2_ms = p2_for(rd, a->after_ms);
	/* it answered its probe: that was its first request */
	c.answered = a->after_ms != UINT_MAX;
	if (sd->obd09) {
		r = ask09(rd, &c, 0x02, true, &tm, &data, &len);
		if (r == 0 && !rd->rep->negative) {
			size_t before = id->n_sources;

			add_source(id, e->address, e->scheme, IDENT_VIA_OBD_0902, data, len);
			if (id->n_sources > before)
				maybe_refine(rd, id->sources[before].vin, id->sources[before].flags);
		} else if (r != -ECANCELED && note_failure(id, "service09 VIN", e->address, r,
							   rd->rep, &tm)) {
			goto out;
		}
		/* optional in J1979 (and silence is how an ECU says it lacks one): no error entry */
		r = ask09(rd, &c, 0x0A, false, &tm, &data, &len);
		if (r == 0 && !rd->rep->negative) {
			char name[IDENT_VIN_MAX + 1];

			(void)ident_vin_extract(data, len, name);
			name[sizeof(e->name) - 1] = '\0';
			memcpy(e->name, name, strlen(name) + 1);
		}
		r = ask09(rd, &c, 0x04, false, &tm, &data, &len);
		if (r == 0 && !rd->rep->negative) {
			e->calid_len = len < sizeof(e->calid) ? len : sizeof(e->calid);
			memcpy(e->calid, data, e->calid_len);
		}
		r = ask09(rd, &c, 0x06, false, &tm, &data, &len);
		if (r == 0 && !rd->rep->negative) {
			e->cvn_len = len < sizeof(e->cvn) ? len : sizeof(e->cvn);
			memcpy(e->cvn, data, e->cvn_len);
		}
	} else if (sd->uds_ident) {
		size_t before = id->n_sources;

		read_did(rd, &c, 0xF190);
		if (id->n_sources > before)
			maybe_refine(rd, id->sources[before].vin, id->sources[before].flags);
	}
	/* what was asked for first (a campaign's needs, the caller's DIDs), then the rest of the
	 * identification set: an ECU that stalls half-way has given what matters */
	for (size_t i = 0; i < rd->n_needs; i++)
		if (rd->needs[i].ecu == e->address || rd->needs[i].ecu == IDENT_ECU_ANY)
			read_did(rd, &c, rd->needs[i].did);
	for (size_t i = 0; i < rd->cfg->n_dids && rd->cfg->dids; i++)
		read_did(rd, &c, rd->cfg->dids[i]);
	if (sd->uds_ident)
		for (size_t i = 1; i < sizeof(std_dids) / sizeof(std_dids[0]); i++)
			read_did(rd, &c, std_dids[i]);
out:
	list_not_asked(rd, e);
	rd->bus->ops->close(rd->bus->ctx, &t);
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

/*
 * The window: answers are taken as they come; while some are queued they are read (the bus keeps
 * collecting answers meanwhile), and only when none is queued do we wait for more — until the
 * window closes.  A car that answers only on its last scheme costs one window, not one per scheme.
 */
static void run_window(struct reader *rd)
{
	struct ident *id = rd->id;
	struct ident_answer a;

	for (;;) {
		uint64_t now;
		unsigned int wait;
		int r;

		if (id->fatal || past_deadline(rd))
			return;
		now = now_ms(rd);
		if (!rd->n_queue && now >= rd->window_end)
			return;
		wait = rd->n_queue ? 0 : (unsigned int)(rd->window_end - now);
		if (now + wait > id->deadline_at)
			wait = (unsigned int)(id->deadline_at - now);
		while ((r = rd->bus->ops->next_answer(rd->bus->ctx, wait, &a)) > 0) {
			if (scheme_allowed(rd, a.scheme))
				enqueue(rd, &a);
			wait = 0;
		}
		if (r < 0) {
			memset(rd->rep, 0, offsetof(struct uds_reply, data));
			if (note_failure(id, "discovery", 0, r, rd->rep, &rd->cfg->timing))
				return;
			rd->window_end = now;	/* no more answers to come: read what is queued */
		}
		if (rd->n_queue) {
			size_t i = pick(rd);

			a = rd->queue[i];
			rd->queue[i] = rd->queue[--rd->n_queue];
			read_ecu(rd, &a);
		}
	}
}

static bool address_known(const struct reader *rd, uint32_t ecu)
{
	for (size_t i = 0; i < rd->n_known; i++)
		if (rd->known[i].ecu == ecu)
			return true;
	return false;
}

/* Named ECUs that did not answer their probe: read anyway unless only wanted if present. */
static void read_silent_targets(struct reader *rd)
{
	struct ident *id = rd->id;
	char msg[160], a[24];

	for (size_t i = 0; i < rd->n_targets && !id->fatal; i++) {
		struct target *t = &rd->targets[i];
		struct ident_answer ans = { .scheme = t->scheme, .ecu = t->ecu,
					    .after_ms = UINT_MAX, .fd = t->fd };

		if (target_known(rd, t->scheme, t->ecu) || !t->probed)
			continue;
		if (t->if_present) {
			bool wanted = false;

			for (size_t k = 0; k < rd->n_needs; k++)
				wanted |= rd->needs[k].ecu == t->ecu;
			if (!wanted)
				continue;
			/* a campaign needs it: say that it was not there */
			snprintf(msg, sizeof(msg), "%s: ECU %s (%s): no answer to a physical request "
				 "within %u ms: its DIDs are not read", id->iface,
				 ecu_str(t->ecu, a, sizeof(a)), ident_scheme_name(t->scheme),
				 rd->answer_ms);
			add_error(id, "probe", t->ecu, IDENT_ERR_TIMEOUT, -ETIMEDOUT, 0, msg);
			continue;
		}
		/* an address several schemes can carry is the ECU that answered on one of them,
		 * or, silent everywhere, is read once: on the first scheme of the caller's order */
		if (address_known(rd, t->ecu))
			continue;
		if (past_deadline(rd))
			return;
		rd->known[rd->n_known < MAX_QUEUE ? rd->n_known++ : rd->n_known - 1] = ans;
		if (id->n_ecus >= IDENT_MAX_ECUS)
			table_full(rd, t->scheme);
		else
			read_ecu(rd, &ans);
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
			 "%u ms", id->iface, ident_scheme_name(s), rd->answer_ms);
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

	if (!bus || !bus->ops || !name || !ret)
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
	rd->answer_ms = cfg->answer_ms ? cfg->answer_ms : IDENT_ANSWER_MS_DEFAULT;
	if (rd->answer_ms < cfg->timing.p2_ms)
		rd->answer_ms = cfg->timing.p2_ms;
	id->window_ms = rd->answer_ms;
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
		if (cfg->needs[i].ecu != IDENT_ECU_ANY)
			plan_target(rd, &(struct ident_target){ IDENT_SCHEME_AUTO, cfg->needs[i].ecu,
								false, true });
	}
	send_probes(rd, true);
	run_window(rd);
	read_silent_targets(rd);
	/* answers that came while the silent ones were read */
	if (!id->fatal)
		run_window(rd);
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
