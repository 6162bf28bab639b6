// SPDX-License-Identifier: MIT
/*
 * The identity entry point: discovery per addressing scheme, then per ECU the VIN (service 09
 * PID 02 on OBD schemes, DID F190 everywhere), the ECU name (09 0A) and the identification DIDs.
 * Every failure becomes an ident_error; -ENODEV/-ENETDOWN stop reading and keep what was read.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "can/canbus-internal.h"

static const uint16_t std_dids[] = { 0xF190, 0xF187, 0xF189, 0xF18C, 0xF191, 0xF195, 0xF18B };

static const char *const scheme_names[IDENT_SCHEME_COUNT] = {
	[IDENT_SCHEME_AUTO] = "auto",
	[IDENT_SCHEME_OBD11] = "obd11",
	[IDENT_SCHEME_OBD29] = "obd29",
	[IDENT_SCHEME_BMW] = "bmw",
};

const char *ident_scheme_name(enum ident_scheme s)
{
	return (unsigned int)s < IDENT_SCHEME_COUNT ? scheme_names[s] : "unknown";
}

int ident_scheme_parse(const char *word)
{
	for (int i = 0; word && i < IDENT_SCHEME_COUNT; i++)
		if (strcmp(word, scheme_names[i]) == 0)
			return i;
	return -EINVAL;
}

void ident_config_init(struct ident_config *cfg)
{
	static const struct uds_timing def = UDS_TIMING_DEFAULT;

	memset(cfg, 0, sizeof(*cfg));
	cfg->scheme = IDENT_SCHEME_AUTO;
	cfg->order[0] = IDENT_SCHEME_OBD11;
	cfg->order[1] = IDENT_SCHEME_BMW;
	cfg->order[2] = IDENT_SCHEME_OBD29;
	cfg->n_order = 3;
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

static enum ident_err_kind err_kind(int r)
{
	if (r == -ETIMEDOUT)
		return IDENT_ERR_TIMEOUT;
	if (r == -EBADMSG || r == -EPROTO)
		return IDENT_ERR_MALFORMED;
	return IDENT_ERR_IO;
}

static const char *kind_name(enum ident_err_kind k)
{
	switch (k) {
	case IDENT_ERR_TIMEOUT: return "timeout";
	case IDENT_ERR_NRC: return "nrc";
	case IDENT_ERR_MALFORMED: return "malformed";
	default: return "io";
	}
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
	char msg[160];

	if (r == 0 && rep->negative) {
		snprintf(msg, sizeof(msg), "%s: ECU 0x%X: %s: negative response 0x%02X %s",
			 id->iface, ecu, step, rep->nrc, uds_nrc_name(rep->nrc));
		add_error(id, step, ecu, IDENT_ERR_NRC, -EREMOTEIO, rep->nrc, msg);
		return false;
	}
	if (r == -ETIMEDOUT && rep->limit == UDS_LIMIT_PENDING)
		snprintf(msg, sizeof(msg), "%s: ECU 0x%X: %s: response pending %u times (limit %u), "
			 "giving up", id->iface, ecu, step, rep->pending, tm->max_pending);
	else if (r == -ETIMEDOUT && rep->limit == UDS_LIMIT_REQUEST)
		snprintf(msg, sizeof(msg), "%s: ECU 0x%X: %s: no final answer within %u ms (response "
			 "pending %u times), giving up", id->iface, ecu, step,
			 tm->request_ms ? tm->request_ms : UDS_REQUEST_MS_DEFAULT, rep->pending);
	else if (r == -ETIMEDOUT && rep->pending)
		snprintf(msg, sizeof(msg), "%s: ECU 0x%X: %s: response pending %u times, no answer "
			 "within %u ms", id->iface, ecu, step, rep->pending, tm->p2star_ms);
	else if (r == -ETIMEDOUT)
		snprintf(msg, sizeof(msg), "%s: ECU 0x%X: %s: no answer within %u ms", id->iface,
			 ecu, step, tm->p2_ms);
	else if (ecu)
		snprintf(msg, sizeof(msg), "%s: ECU 0x%X: %s: %s", id->iface, ecu, step,
			 strerror(-r));
	else
		snprintf(msg, sizeof(msg), "%s: %s: %s", id->iface, step, strerror(-r));
	add_error(id, step, ecu, err_kind(r), r, 0, msg);
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

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * May ECU E be asked once more?  Not after it gave up, not past the read's deadline.  *NOW is
 * TM with request_ms and P2* (which also bounds uds_settle) cut to what is left of the deadline.
 */
static bool may_ask(struct ident *id, const struct ident_ecu *e, const struct uds_timing *tm,
		    struct uds_timing *now)
{
	uint64_t t = mono_ms(), left, req;

	if (id->fatal || e->gave_up || id->deadline_hit)
		return false;
	if (t >= id->deadline_at) {
		char msg[160];

		id->deadline_hit = true;
		snprintf(msg, sizeof(msg), "%s: reading stopped at the deadline: what was not read by "
			 "then is not read (ident deadline_ms)", id->iface);
		add_error(id, "deadline", 0, IDENT_ERR_TIMEOUT, -ETIMEDOUT, 0, msg);
		return false;
	}
	*now = *tm;
	left = id->deadline_at - t;
	req = tm->request_ms ? tm->request_ms : UDS_REQUEST_MS_DEFAULT;
	if (left < req)
		now->request_ms = (unsigned int)left;
	if (left < tm->p2star_ms)
		now->p2star_ms = (unsigned int)left;
	return true;
}

/*
 * After an exchange with E: an answer clears its count of unanswered requests; a timeout (a 0x78
 * limit included) waits for a late answer to pass (uds_settle), and after IDENT_ECU_MAX_TIMEOUTS
 * in a row E is asked nothing more — a stalled ECU costs two requests, not one per DID.
 */
static void after_ask(struct ident *id, struct ident_ecu *e, const struct isotp_transport *t,
		      const struct uds_timing *tm, int r, const struct uds_reply *rep)
{
	char msg[160];
	int s;

	if (r != -ETIMEDOUT) {
		if (r == 0)
			e->timeouts_in_row = 0;
		return;
	}
	if (++e->timeouts_in_row < IDENT_ECU_MAX_TIMEOUTS) {
		s = uds_settle(t, tm);
		if (fatal_err(s))
			id->fatal = s;
		return;
	}
	e->gave_up = true;
	snprintf(msg, sizeof(msg), "%s: ECU 0x%X: asked nothing more after %s: its other data is "
		 "not read", id->iface, e->address,
		 rep->limit == UDS_LIMIT_NONE ? "2 requests in a row went unanswered"
					      : "2 requests in a row, the last one answered only "
						"'response pending'");
	add_error(id, "gave-up", e->address, IDENT_ERR_TIMEOUT, -ETIMEDOUT, 0, msg);
}

static void read_did(struct ident *id, struct ident_ecu *e, const struct isotp_transport *t,
		     const struct uds_timing *tm0, uint16_t did, struct uds_reply *rep)
{
	struct uds_timing tmb, *tm = &tmb;
	struct ident_did *d;
	const uint8_t *val;
	size_t len;
	char step[24];
	int r;

	for (size_t i = 0; i < e->n_dids; i++)
		if (e->dids[i].did == did)
			return;
	if (!may_ask(id, e, tm0, &tmb))
		return;
	snprintf(step, sizeof(step), "read-did %04X", did);
	if (e->n_dids >= IDENT_MAX_DIDS) {
		char msg[120];

		/* said once per ECU, not dropped silently: a rule naming such a DID reads "not
		 * read", and this says why */
		if (e->dids_full)
			return;
		e->dids_full = true;
		snprintf(msg, sizeof(msg), "not read: table full (%d DIDs per ECU, IDENT_MAX_DIDS), "
			 "nor any further DID of this ECU", IDENT_MAX_DIDS);
		add_error(id, step, e->address, IDENT_ERR_IO, -ENOSPC, 0, msg);
		return;
	}
	d = &e->dids[e->n_dids++];
	memset(d, 0, sizeof(*d));
	d->did = did;
	r = uds_read_did(t, tm, did, rep, &val, &len);
	if (r < 0 || rep->negative) {
		d->status = r < 0 ? r : -EREMOTEIO;
		d->nrc = r < 0 ? 0 : rep->nrc;
		if (!note_failure(id, step, e->address, r, rep, tm))
			after_ask(id, e, t, tm, r, rep);
		return;
	}
	after_ask(id, e, t, tm, r, rep);
	d->len = len < sizeof(d->value) ? len : sizeof(d->value);
	memcpy(d->value, val, d->len);
	if (did == 0xF190)
		add_source(id, e->address, e->scheme, IDENT_VIA_UDS_F190, val, len);
}

/* OBD service 09 PID of E: 0 and its payload, -ECANCELED when E may not be asked any more. */
static int ask09(struct ident *id, struct ident_ecu *e, const struct isotp_transport *t,
		 const struct uds_timing *tm, uint8_t pid, struct uds_reply *rep,
		 const uint8_t **data, size_t *len)
{
	const uint8_t req[2] = { 0x09, pid };
	struct uds_timing now;
	int r, x;

	if (!may_ask(id, e, tm, &now))
		return -ECANCELED;
	x = r = uds_exchange(t, &now, req, sizeof(req), rep);
	if (r == 0 && !rep->negative)
		r = obd_parse_09(rep->data, rep->len, pid, data, len);
	after_ask(id, e, t, &now, x, rep);
	return r;
}

static void read_ecu(struct ident *id, const char *iface, enum ident_scheme scheme, uint32_t ecu,
		     const struct ident_config *cfg, struct uds_reply *rep)
{
	struct canbus_isotp s = { .fd = -1 };
	struct isotp_transport t;
	const struct uds_timing *tm = &cfg->timing;
	struct ident_ecu *e;
	const uint8_t *data;
	size_t len;
	int r;

	if (id->n_ecus >= IDENT_MAX_ECUS)
		return;
	r = canbus_isotp_open(iface, scheme, ecu, cfg->fc_stmin, &s, &t);
	if (r < 0) {
		note_failure(id, "open", ecu, r, rep, tm);
		return;
	}
	e = &id->ecus[id->n_ecus++];
	memset(e, 0, sizeof(*e));
	e->address = ecu;
	e->scheme = scheme;
	if (scheme != IDENT_SCHEME_BMW) {
		r = ask09(id, e, &t, tm, 0x02, rep, &data, &len);
		if (r == 0 && !rep->negative)
			add_source(id, ecu, scheme, IDENT_VIA_OBD_0902, data, len);
		else if (r != -ECANCELED && note_failure(id, "service09 VIN", ecu, r, rep, tm))
			goto out;
		r = ask09(id, e, &t, tm, 0x0A, rep, &data, &len);
		if (r == 0 && !rep->negative) {
			char vin[IDENT_VIN_MAX + 1];

			(void)ident_vin_extract(data, len, vin);
			vin[sizeof(e->name) - 1] = '\0';
			memcpy(e->name, vin, strlen(vin) + 1);
		} else if (r != -ECANCELED && note_failure(id, "service09 name", ecu, r, rep, tm)) {
			goto out;
		}
		/* optional in J1979 for non-emission ECUs: absence is not worth an error entry */
		r = ask09(id, e, &t, tm, 0x04, rep, &data, &len);
		if (r == 0 && !rep->negative) {
			e->calid_len = len < sizeof(e->calid) ? len : sizeof(e->calid);
			memcpy(e->calid, data, e->calid_len);
		} else if (fatal_err(r)) {
			note_failure(id, "service09 CALID", ecu, r, rep, tm);
			goto out;
		}
		r = ask09(id, e, &t, tm, 0x06, rep, &data, &len);
		if (r == 0 && !rep->negative) {
			e->cvn_len = len < sizeof(e->cvn) ? len : sizeof(e->cvn);
			memcpy(e->cvn, data, e->cvn_len);
		} else if (fatal_err(r)) {
			note_failure(id, "service09 CVN", ecu, r, rep, tm);
			goto out;
		}
	} else {
		for (size_t i = 0; i < sizeof(std_dids) / sizeof(std_dids[0]); i++)
			read_did(id, e, &t, tm, std_dids[i], rep);
	}
	for (size_t i = 0; i < cfg->n_dids && cfg->dids; i++)
		read_did(id, e, &t, tm, cfg->dids[i], rep);
out:
	canbus_isotp_close(&s);
}

static int try_scheme(struct ident *id, const char *iface, enum ident_scheme scheme,
		      const struct ident_config *cfg, struct uds_reply *rep)
{
	uint32_t ecus[CANBUS_MAX_RESPONDERS];
	char msg[160];
	int n, not_read = 0;

	/* Every responder the scheme can address is noted, so none is lost unseen: what does not
	 * fit the identity's table is reported below. */
	n = canbus_discover(iface, scheme, cfg->timing.p2_ms, ecus, CANBUS_MAX_RESPONDERS);
	if (n < 0) {
		memset(rep, 0, offsetof(struct uds_reply, data));
		rep->pending = 0;
		note_failure(id, "discovery", 0, n, rep, &cfg->timing);
		return n;
	}
	/* ECUs that answer only physical requests are probed when the caller names them.  Under
	 * auto, a named address that this scheme cannot carry is meant for another scheme. */
	for (size_t i = 0; i < cfg->n_ecus && cfg->ecus; i++) {
		int j;

		if (cfg->scheme == IDENT_SCHEME_AUTO && !canbus_addr_ok(scheme, cfg->ecus[i]))
			continue;
		for (j = 0; j < n && ecus[j] != cfg->ecus[i]; j++)
			;
		if (j == n && n < CANBUS_MAX_RESPONDERS)
			ecus[n++] = cfg->ecus[i];
	}
	if (n == 0) {
		snprintf(msg, sizeof(msg), "%s: %s: no ECU answered the functional request within "
			 "%u ms", iface, ident_scheme_name(scheme), cfg->timing.p2_ms);
		add_error(id, "discovery", 0, IDENT_ERR_TIMEOUT, -ETIMEDOUT, 0, msg);
		return 0;
	}
	if (!id->n_ecus)
		id->scheme = scheme;	/* the first scheme that answered, also when one is added */
	/* Said before reading, while errors[] has room (the reads may fill it). */
	if ((size_t)n > IDENT_MAX_ECUS - id->n_ecus) {
		not_read = n - (int)(IDENT_MAX_ECUS - id->n_ecus);
		snprintf(msg, sizeof(msg), "%s: %s: %d ECUs not read: table full (%d ECUs per "
			 "identity, IDENT_MAX_ECUS)", iface, ident_scheme_name(scheme), not_read,
			 IDENT_MAX_ECUS);
		add_error(id, "discovery", 0, IDENT_ERR_IO, -ENOSPC, 0, msg);
		id->ecus_not_read += (size_t)not_read;
	}
	for (int i = 0; i < n - not_read && !id->fatal; i++)
		read_ecu(id, iface, scheme, ecus[i], cfg, rep);
	return n;
}

/*
 * World manufacturer identifiers (ISO 3780, VIN positions 1-3) of the BMW group, whose cars answer
 * OBD-II on 0x7DF but keep the ECUs with the software versions on D-CAN (0x6F1): BMW WBA, BMW M
 * WBS, BMW i WBY, BMW SAV WBX, MINI WMW, BMW US (Spartanburg) 4US 5UX 5YM, BMW Brilliance LBV.
 */
static const char bmw_wmis[][4] = { "WBA", "WBS", "WBY", "WBX", "WMW", "4US", "5UX", "5YM", "LBV" };

static bool vin_is_bmw_group(const char *vin)
{
	for (size_t i = 0; i < sizeof(bmw_wmis) / sizeof(bmw_wmis[0]); i++)
		if (strncmp(vin, bmw_wmis[i], 3) == 0)
			return true;
	return false;
}

/*
 * After auto found an OBD scheme: must bmw addressing be read as well?  Yes when a VIN read so far
 * has a BMW-group WMI, or when the caller named an ECU that SCHEME cannot address but bmw can.
 */
static bool want_bmw(const struct ident *id, const struct ident_config *cfg,
		     enum ident_scheme scheme)
{
	bool allowed = false;

	if (scheme == IDENT_SCHEME_BMW)
		return false;
	/* the caller's list of schemes is a limit: "obd11 obd29" never sends on 0x6F1 */
	for (size_t i = 0; i < cfg->n_order && i < 3; i++)
		allowed |= cfg->order[i] == IDENT_SCHEME_BMW;
	if (!allowed)
		return false;
	for (size_t i = 0; i < id->n_sources; i++)
		if (vin_is_bmw_group(id->sources[i].vin))
			return true;
	for (size_t i = 0; i < cfg->n_ecus && cfg->ecus; i++)
		if (!canbus_addr_ok(scheme, cfg->ecus[i]) &&
		    canbus_addr_ok(IDENT_SCHEME_BMW, cfg->ecus[i]))
			return true;
	return false;
}

static void note_schemes(struct ident *id)
{
	for (size_t i = 0; i < id->n_ecus; i++)
		id->schemes |= 1u << id->ecus[i].scheme;
}

/*
 * The scheme that worked last per interface, tried first next time — within this process only
 * (recall-check runs once; recalld reads each car in a fresh child).  librecall may be called
 * from several threads, one interface each: the table is shared, so it is locked.
 */
static struct {
	char iface[16];
	enum ident_scheme scheme;
} remembered[8];
static pthread_mutex_t remembered_lock = PTHREAD_MUTEX_INITIALIZER;

static void choose_vin(struct ident *id)
{
	const struct ident_vin_source *best = NULL;

	id->vin_agree = id->n_sources > 0;
	for (size_t i = 0; i < id->n_sources; i++) {
		const struct ident_vin_source *s = &id->sources[i];

		if (!best || (!(s->flags & IDENT_VIN_INVALID) && (best->flags & IDENT_VIN_INVALID)))
			best = s;
	}
	/*
	 * Agreement among the VINs that are VINs: an unprogrammed module answering F190 with fill
	 * bytes (0xFF/0x00, extracted as "" or garbage) is flagged invalid in its source and does
	 * not make the car's VIN uncertain.  Two valid VINs that differ do (a swapped module).
	 */
	for (size_t i = 0; i < id->n_sources; i++)
		if (!(id->sources[i].flags & IDENT_VIN_INVALID) && !(best->flags & IDENT_VIN_INVALID) &&
		    strcmp(id->sources[i].vin, best->vin) != 0)
			id->vin_agree = false;
	if (best) {
		memcpy(id->vin, best->vin, sizeof(id->vin));
		id->vin_flags = best->flags;
	}
}

int ident_read(const char *iface, const struct ident_config *cfg, struct ident **ret)
{
	struct ident_config def, tcfg;
	enum ident_scheme order[4];
	size_t n_order = 0, slot = 0;
	struct uds_reply *rep = NULL;
	struct ident *id = NULL;
	int r;

	if (!iface || !ret)
		return -EINVAL;
	if (!cfg) {
		ident_config_init(&def);
		cfg = &def;
	}
	if (!canbus_stmin_ok(cfg->fc_stmin))
		return -EINVAL;
	r = canbus_check(iface);
	if (r < 0)
		return r;
	id = calloc(1, sizeof(*id));
	rep = malloc(sizeof(*rep));
	if (!id || !rep) {
		r = -ENOMEM;
		goto out;
	}
	snprintf(id->iface, sizeof(id->iface), "%s", iface);
	id->deadline_at = mono_ms() + (cfg->deadline_ms ? cfg->deadline_ms : IDENT_DEADLINE_MS_DEFAULT);
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
	if (cfg->scheme != IDENT_SCHEME_AUTO) {
		order[n_order++] = cfg->scheme;
	} else {
		pthread_mutex_lock(&remembered_lock);
		for (slot = 0; slot < 8; slot++)
			if (strcmp(remembered[slot].iface, iface) == 0)
				break;
		if (slot < 8)
			order[n_order++] = remembered[slot].scheme;
		pthread_mutex_unlock(&remembered_lock);
		for (size_t i = 0; i < cfg->n_order && i < 3; i++)
			if (n_order == 0 || cfg->order[i] != order[0])
				order[n_order++] = cfg->order[i];
	}
	for (size_t i = 0; i < n_order && !id->fatal; i++) {
		r = try_scheme(id, iface, order[i], cfg, rep);
		if (fatal_err(r))
			id->fatal = r;
		if (r > 0 && id->n_ecus > 0) {
			/* a BMW answers OBD-II too: merge its D-CAN ECUs into the same identity */
			if (cfg->scheme == IDENT_SCHEME_AUTO && !id->fatal &&
			    want_bmw(id, cfg, order[i])) {
				r = try_scheme(id, iface, IDENT_SCHEME_BMW, cfg, rep);
				if (fatal_err(r))
					id->fatal = r;
			}
			break;
		}
	}
	note_schemes(id);
	choose_vin(id);
	if (id->n_ecus > 0 && cfg->scheme == IDENT_SCHEME_AUTO) {
		pthread_mutex_lock(&remembered_lock);
		for (slot = 0; slot < 8; slot++)
			if (!remembered[slot].iface[0] || strcmp(remembered[slot].iface, iface) == 0)
				break;
		if (slot < 8) {
			snprintf(remembered[slot].iface, sizeof(remembered[slot].iface), "%s", iface);
			remembered[slot].scheme = id->scheme;
		}
		pthread_mutex_unlock(&remembered_lock);
	}
	*ret = id;
	id = NULL;
	r = 0;
out:
	free(rep);
	free(id);
	return r;
}

static json_object *hex_str(const uint8_t *b, size_t n)
{
	char buf[IDENT_MAX_VALUE * 2 + 1];
	size_t i;

	for (i = 0; i < n && i < IDENT_MAX_VALUE; i++)
		snprintf(buf + 2 * i, 3, "%02X", b[i]);
	buf[2 * i] = '\0';
	return json_object_new_string(buf);
}

static json_object *ascii_str(const uint8_t *b, size_t n)
{
	char buf[IDENT_MAX_VALUE + 1];
	size_t i;

	for (i = 0; i < n && i < IDENT_MAX_VALUE; i++)
		buf[i] = (b[i] >= 0x20 && b[i] < 0x7F) ? (char)b[i] : '.';
	buf[i] = '\0';
	return json_object_new_string(buf);
}

static json_object *flags_json(unsigned int f)
{
	json_object *a = json_object_new_array();

	if (f & IDENT_VIN_PADDED)
		json_object_array_add(a, json_object_new_string("padded"));
	if (f & IDENT_VIN_INVALID)
		json_object_array_add(a, json_object_new_string("invalid"));
	if (f & IDENT_VIN_LONG)
		json_object_array_add(a, json_object_new_string("long"));
	if (f & IDENT_VIN_SHORT)
		json_object_array_add(a, json_object_new_string("short"));
	return a;
}

static json_object *addr_json(uint32_t a)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%02X", a);
	return json_object_new_string(buf);
}

struct json_object *ident_to_json(const struct ident *id)
{
	json_object *o, *a;

	if (!id)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "iface", json_object_new_string(id->iface));
	json_object_object_add(o, "addressing", json_object_new_string(
		id->n_ecus ? ident_scheme_name(id->scheme) : "none"));
	a = json_object_new_array();
	for (int s = IDENT_SCHEME_OBD11; s < IDENT_SCHEME_COUNT; s++)
		if (id->schemes & (1u << s))
			json_object_array_add(a, json_object_new_string(ident_scheme_name(s)));
	json_object_object_add(o, "addressings", a);
	json_object_object_add(o, "vin", id->vin[0] ? json_object_new_string(id->vin) : NULL);
	json_object_object_add(o, "vin_flags", flags_json(id->vin_flags));
	json_object_object_add(o, "vin_agree", json_object_new_boolean(id->vin_agree));
	a = json_object_new_array();
	for (size_t i = 0; i < id->n_sources; i++) {
		const struct ident_vin_source *s = &id->sources[i];
		json_object *so = json_object_new_object();

		json_object_object_add(so, "ecu", addr_json(s->ecu));
		json_object_object_add(so, "addressing",
				       json_object_new_string(ident_scheme_name(s->scheme)));
		json_object_object_add(so, "via", json_object_new_string(
			s->via == IDENT_VIA_OBD_0902 ? "service09" : "F190"));
		json_object_object_add(so, "vin", json_object_new_string(s->vin));
		json_object_object_add(so, "raw", hex_str(s->raw, s->raw_len));
		json_object_object_add(so, "flags", flags_json(s->flags));
		json_object_array_add(a, so);
	}
	json_object_object_add(o, "vin_sources", a);
	a = json_object_new_array();
	for (size_t i = 0; i < id->n_ecus; i++) {
		const struct ident_ecu *e = &id->ecus[i];
		json_object *eo = json_object_new_object(), *dids = json_object_new_object();

		json_object_object_add(eo, "address", addr_json(e->address));
		json_object_object_add(eo, "addressing",
				       json_object_new_string(ident_scheme_name(e->scheme)));
		json_object_object_add(eo, "name", json_object_new_string(e->name));
		if (e->calid_len) {
			json_object *c = json_object_new_array();

			for (size_t k = 0; k < e->calid_len; k += 16) {
				char cal[IDENT_VIN_MAX + 1];

				(void)ident_vin_extract(e->calid + k, e->calid_len - k < 16 ?
							e->calid_len - k : 16, cal);
				json_object_array_add(c, json_object_new_string(cal));
			}
			json_object_object_add(eo, "calibration_ids", c);
		}
		if (e->cvn_len) {
			json_object *c = json_object_new_array();

			for (size_t k = 0; k < e->cvn_len; k += 4)
				json_object_array_add(c, hex_str(e->cvn + k, e->cvn_len - k < 4 ?
								 e->cvn_len - k : 4));
			json_object_object_add(eo, "cvns", c);
		}
		for (size_t j = 0; j < e->n_dids; j++) {
			const struct ident_did *d = &e->dids[j];
			json_object *dobj = json_object_new_object();
			char key[8];

			snprintf(key, sizeof(key), "%04X", d->did);
			if (d->status == 0) {
				json_object_object_add(dobj, "hex", hex_str(d->value, d->len));
				json_object_object_add(dobj, "ascii", ascii_str(d->value, d->len));
			} else if (d->status == -EREMOTEIO) {
				json_object_object_add(dobj, "error", json_object_new_string("nrc"));
				json_object_object_add(dobj, "nrc", json_object_new_int(d->nrc));
				json_object_object_add(dobj, "nrc_name",
						       json_object_new_string(uds_nrc_name(d->nrc)));
			} else {
				json_object_object_add(dobj, "error", json_object_new_string(
					kind_name(err_kind(d->status))));
				json_object_object_add(dobj, "message",
						       json_object_new_string(strerror(-d->status)));
			}
			json_object_object_add(dids, key, dobj);
		}
		json_object_object_add(eo, "dids", dids);
		json_object_array_add(a, eo);
	}
	json_object_object_add(o, "ecus", a);
	a = json_object_new_array();
	for (size_t i = 0; i < id->n_errors; i++) {
		const struct ident_error *e = &id->errors[i];
		json_object *eo = json_object_new_object();

		json_object_object_add(eo, "step", json_object_new_string(e->step));
		json_object_object_add(eo, "ecu", e->ecu ? addr_json(e->ecu) : NULL);
		json_object_object_add(eo, "kind", json_object_new_string(kind_name(e->kind)));
		if (e->kind == IDENT_ERR_NRC) {
			json_object_object_add(eo, "nrc", json_object_new_int(e->nrc));
			json_object_object_add(eo, "nrc_name",
					       json_object_new_string(uds_nrc_name(e->nrc)));
		}
		json_object_object_add(eo, "message", json_object_new_string(e->message));
		json_object_array_add(a, eo);
	}
	json_object_object_add(o, "errors", a);
	if (id->errors_dropped)
		json_object_object_add(o, "errors_not_recorded",
				       json_object_new_int64((int64_t)id->errors_dropped));
	if (id->ecus_not_read)
		json_object_object_add(o, "ecus_not_read",
				       json_object_new_int64((int64_t)id->ecus_not_read));
	if (id->fatal)
		json_object_object_add(o, "fatal", json_object_new_string(strerror(-id->fatal)));
	return o;
}
