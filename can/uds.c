// SPDX-License-Identifier: MIT
/*
 * UDS (ISO 14229-1) and OBD-II (SAE J1979) decoders and the request state machine.
 * Runs over any struct isotp_transport: the kernel's ISO-TP on vcan, or a mock with a simulated
 * clock in unit tests.  No allocation here; every length from the wire is checked before use.
 */
#include <errno.h>
#include <string.h>

#include "can/ident.h"

#define UDS_SID_NEGATIVE	0x7F
#define UDS_NRC_BUSY		0x21
#define UDS_NRC_PENDING		0x78

/* ISO 14229-1:2020 Annex A.1, the codes a reading client can meet. */
static const struct {
	uint8_t nrc;
	const char *name;
} nrc_names[] = {
	{ 0x10, "generalReject" },
	{ 0x11, "serviceNotSupported" },
	{ 0x12, "subFunctionNotSupported" },
	{ 0x13, "incorrectMessageLengthOrInvalidFormat" },
	{ 0x14, "responseTooLong" },
	{ 0x21, "busyRepeatRequest" },
	{ 0x22, "conditionsNotCorrect" },
	{ 0x24, "requestSequenceError" },
	{ 0x25, "noResponseFromSubnetComponent" },
	{ 0x26, "failurePreventsExecutionOfRequestedAction" },
	{ 0x31, "requestOutOfRange" },
	{ 0x33, "securityAccessDenied" },
	{ 0x35, "invalidKey" },
	{ 0x36, "exceedNumberOfAttempts" },
	{ 0x37, "requiredTimeDelayNotExpired" },
	{ 0x70, "uploadDownloadNotAccepted" },
	{ 0x71, "transferDataSuspended" },
	{ 0x72, "generalProgrammingFailure" },
	{ 0x73, "wrongBlockSequenceCounter" },
	{ 0x78, "requestCorrectlyReceived-ResponsePending" },
	{ 0x7E, "subFunctionNotSupportedInActiveSession" },
	{ 0x7F, "serviceNotSupportedInActiveSession" },
	{ 0x81, "rpmTooHigh" },
	{ 0x82, "rpmTooLow" },
	{ 0x83, "engineIsRunning" },
	{ 0x84, "engineIsNotRunning" },
	{ 0x85, "engineRunTimeTooLow" },
	{ 0x86, "temperatureTooHigh" },
	{ 0x87, "temperatureTooLow" },
	{ 0x88, "vehicleSpeedTooHigh" },
	{ 0x89, "vehicleSpeedTooLow" },
	{ 0x8A, "throttle/PedalTooHigh" },
	{ 0x8B, "throttle/PedalTooLow" },
	{ 0x8C, "transmissionRangeNotInNeutral" },
	{ 0x8D, "transmissionRangeNotInGear" },
	{ 0x8F, "brakeSwitch(es)NotClosed" },
	{ 0x90, "shifterLeverNotInPark" },
	{ 0x91, "torqueConverterClutchLocked" },
	{ 0x92, "voltageTooHigh" },
	{ 0x93, "voltageTooLow" },
};

const char *uds_nrc_name(uint8_t nrc)
{
	for (size_t i = 0; i < sizeof(nrc_names) / sizeof(nrc_names[0]); i++)
		if (nrc_names[i].nrc == nrc)
			return nrc_names[i].name;
	return "unknown";
}

/*
 * How many request bytes after the SID a positive response echoes (ISO 14229-1: 0x22 the DID,
 * 0x10/0x3E the sub-function; SAE J1979: 0x01/0x09 the PID).  A reply that does not echo them
 * answers an earlier request whose answer came late.
 */
static const struct {
	uint8_t sid;
	uint8_t echo;
} echo_table[] = {
	{ 0x01, 1 }, { 0x09, 1 }, { 0x10, 1 }, { 0x22, 2 }, { 0x3E, 1 },
};

static size_t echo_len(const uint8_t *req, size_t req_len)
{
	for (size_t i = 0; i < sizeof(echo_table) / sizeof(echo_table[0]); i++)
		if (echo_table[i].sid == req[0])
			return echo_table[i].echo < req_len ? echo_table[i].echo : req_len - 1;
	return 0;
}

/* A reply that belongs to another request: a negative one for another SID, or a positive one
 * for another SID or with another DID/PID echoed.  Too short to tell: not stale (the parser
 * reports it as malformed). */
static bool stale_reply(const uint8_t *req, size_t req_len, const uint8_t *rep, size_t len)
{
	size_t echo = echo_len(req, req_len);

	if (rep[0] == UDS_SID_NEGATIVE)
		return len >= 2 && rep[1] != req[0];
	if (rep[0] != (uint8_t)(req[0] + 0x40))
		return true;
	return len >= 1 + echo && memcmp(rep + 1, req + 1, echo) != 0;
}

/*
 * The exchange as a machine (struct uds_xfer, can/ident.h), so one caller can run several at once
 * (one per ECU, on its own ISO-TP socket) and the blocking uds_exchange() is a loop around it.
 * 0x78 restarts the wait with P2*, at most max_pending times; the whole request, 0x21 repeats
 * included, ends after request_ms (see ident.h).
 */
void uds_xfer_start(struct uds_xfer *x, const struct uds_timing *tm, const uint8_t *req,
		    size_t req_len, struct uds_reply *reply, uint64_t now)
{
	memset(x, 0, sizeof(*x));
	x->tm = *tm;
	x->request_ms = tm->request_ms ? tm->request_ms : UDS_REQUEST_MS_DEFAULT;
	x->req_len = req_len < sizeof(x->req) ? req_len : sizeof(x->req);
	memcpy(x->req, req, x->req_len);
	x->reply = reply;
	x->first = x->start = now;
	x->state = UDS_XFER_SEND;
	memset(reply, 0, offsetof(struct uds_reply, data));
}

void uds_xfer_sent(struct uds_xfer *x, uint64_t now)
{
	x->budget = x->tm.p2_ms;
	x->start = now;
	x->state = UDS_XFER_WAIT;
}

/* A quiet line after a timed-out request: see uds_settle. */
void uds_xfer_settle(struct uds_xfer *x, const struct uds_timing *tm, uint64_t now)
{
	memset(x, 0, sizeof(*x));
	x->tm = *tm;
	x->budget = 2 * tm->p2_ms > 100 ? 2 * tm->p2_ms : 100;
	x->request_ms = tm->p2star_ms;
	x->first = x->start = now;
	x->state = UDS_XFER_SETTLE;
}

uint64_t uds_xfer_due(const struct uds_xfer *x)
{
	uint64_t a = x->start + x->budget, b = x->first + x->request_ms;

	return a < b ? a : b;
}

static int xfer_done(struct uds_xfer *x, int r)
{
	x->result = r;
	x->state = UDS_XFER_DONE;
	return 1;
}

int uds_xfer_expired(struct uds_xfer *x, uint64_t now)
{
	uint64_t used = now > x->start ? now - x->start : 0;
	uint64_t total = now > x->first ? now - x->first : 0;

	if (x->state == UDS_XFER_SETTLE) {
		if (used >= x->budget || total >= x->request_ms)
			return xfer_done(x, x->discarded);
		return 0;
	}
	if (x->state != UDS_XFER_WAIT)
		return 0;
	if (used >= x->budget)
		return xfer_done(x, -ETIMEDOUT);
	if (total >= x->request_ms) {
		x->reply->limit = UDS_LIMIT_REQUEST;
		return xfer_done(x, -ETIMEDOUT);
	}
	return 0;
}

int uds_xfer_reply(struct uds_xfer *x, size_t n, uint64_t now)
{
	struct uds_reply *reply = x->reply;

	if (x->state == UDS_XFER_SETTLE) {
		/* something came: the line is not quiet yet */
		x->discarded++;
		x->start = now;
		return 0;
	}
	if (x->state != UDS_XFER_WAIT)
		return 0;
	if (n == 0)
		return xfer_done(x, -EBADMSG);
	if (stale_reply(x->req, x->req_len, reply->data, n)) {
		/* a late answer to an earlier request: skip it, but not without end */
		if (++x->stale > UDS_MAX_STALE)
			return xfer_done(x, -EPROTO);
		return 0;
	}
	if (reply->data[0] == UDS_SID_NEGATIVE) {
		if (n < 3)
			return xfer_done(x, -EBADMSG);
		if (reply->data[2] == UDS_NRC_PENDING) {
			reply->pending = ++x->pending;
			if (x->tm.max_pending && x->pending > x->tm.max_pending) {
				reply->limit = UDS_LIMIT_PENDING;
				return xfer_done(x, -ETIMEDOUT);
			}
			x->budget = x->tm.p2star_ms;
			x->start = now;
			return 0;
		}
		if (reply->data[2] == UDS_NRC_BUSY && x->busy < x->tm.busy_retries) {
			reply->busy = ++x->busy;
			x->state = UDS_XFER_SEND;
			return 0;
		}
		reply->negative = true;
		reply->nrc = reply->data[2];
	}
	reply->len = n;
	return xfer_done(x, 0);
}

/* The machine on one transport: send, wait for the due time, feed what arrives. */
static int xfer_run(const struct isotp_transport *t, struct uds_xfer *x, uint8_t *buf, size_t cap)
{
	for (;;) {
		uint64_t now;
		ssize_t n;
		int r;

		if (x->state == UDS_XFER_SEND) {
			r = t->send(t->ctx, x->req, x->req_len);
			if (r < 0)
				return r;
			uds_xfer_sent(x, t->now_ms(t->ctx));
		}
		now = t->now_ms(t->ctx);
		if (uds_xfer_expired(x, now))
			return x->result;
		n = t->recv(t->ctx, buf, cap, (unsigned int)(uds_xfer_due(x) - now));
		if (n == -ETIMEDOUT)
			continue;	/* uds_xfer_expired says which bound ran out */
		if (n < 0)
			return (int)n;
		if (uds_xfer_reply(x, (size_t)n, t->now_ms(t->ctx)))
			return x->result;
	}
}

int uds_exchange(const struct isotp_transport *t, const struct uds_timing *tm,
		 const uint8_t *req, size_t req_len, struct uds_reply *reply)
{
	struct uds_xfer x;

	if (!t || !tm || !req || req_len == 0 || !reply)
		return -EINVAL;
	uds_xfer_start(&x, tm, req, req_len, reply, t->now_ms(t->ctx));
	return xfer_run(t, &x, reply->data, sizeof(reply->data));
}

int uds_settle(const struct isotp_transport *t, const struct uds_timing *tm)
{
	uint8_t buf[UDS_MAX_REPLY];
	struct uds_xfer x;

	if (!t || !tm)
		return -EINVAL;
	uds_xfer_settle(&x, tm, t->now_ms(t->ctx));
	return xfer_run(t, &x, buf, sizeof(buf));
}

int uds_parse_did_reply(const uint8_t *buf, size_t len, uint16_t did,
			const uint8_t **ret_value, size_t *ret_len)
{
	if (!buf || len < 3)
		return -EBADMSG;
	if (buf[0] != 0x62 || ((uint16_t)(buf[1] << 8 | buf[2])) != did)
		return -EPROTO;
	if (ret_value)
		*ret_value = buf + 3;
	if (ret_len)
		*ret_len = len - 3;
	return 0;
}

int uds_parse_dsc_timing(const uint8_t *buf, size_t len, unsigned int *p2_ms,
			 unsigned int *p2star_ms)
{
	if (!buf || len < 2)
		return -EBADMSG;
	if (buf[0] != 0x50)
		return -EPROTO;
	if (len < 6)
		return -EBADMSG;
	if (p2_ms)
		*p2_ms = (unsigned int)buf[2] << 8 | buf[3];
	if (p2star_ms)
		*p2star_ms = ((unsigned int)buf[4] << 8 | buf[5]) * 10;
	return 0;
}

int uds_read_did(const struct isotp_transport *t, const struct uds_timing *tm, uint16_t did,
		 struct uds_reply *reply, const uint8_t **ret_value, size_t *ret_len)
{
	uint8_t req[3] = { 0x22, (uint8_t)(did >> 8), (uint8_t)did };
	int r = uds_exchange(t, tm, req, sizeof(req), reply);

	if (r < 0 || reply->negative)
		return r;
	return uds_parse_did_reply(reply->data, reply->len, did, ret_value, ret_len);
}

/* J1979 service 09: 0x49 PID, then for the "message count" PIDs (02, 04, 06, 0A) one count byte. */
int obd_parse_09(const uint8_t *buf, size_t len, uint8_t pid, const uint8_t **ret_data,
		 size_t *ret_len)
{
	size_t off = 2;

	if (!buf || len < 2)
		return -EBADMSG;
	if (buf[0] != 0x49 || buf[1] != pid)
		return -EPROTO;
	if (pid == 0x02 || pid == 0x04 || pid == 0x06 || pid == 0x0A) {
		if (len < 3)
			return -EBADMSG;
		off = 3;
	}
	if (ret_data)
		*ret_data = buf + off;
	if (ret_len)
		*ret_len = len - off;
	return 0;
}

int obd_parse_0100(const uint8_t *buf, size_t len, uint32_t *ret_bitmap)
{
	if (!buf || len < 6)
		return -EBADMSG;
	if (buf[0] != 0x41 || buf[1] != 0x00)
		return -EPROTO;
	if (ret_bitmap)
		*ret_bitmap = (uint32_t)buf[2] << 24 | (uint32_t)buf[3] << 16 |
			      (uint32_t)buf[4] << 8 | buf[5];
	return 0;
}

static bool is_fill(uint8_t b)
{
	return b == 0x00 || b == 0x20 || b == 0xFF;
}

static bool vin_char_ok(char c)
{
	return ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) && c != 'I' && c != 'O' &&
	       c != 'Q';
}

unsigned int ident_vin_extract(const uint8_t *raw, size_t len, char *vin)
{
	size_t b = 0, e = len, n, i;
	unsigned int flags = 0;

	vin[0] = '\0';
	if (!raw)
		return IDENT_VIN_INVALID | IDENT_VIN_SHORT;
	while (b < e && is_fill(raw[b]))
		b++;
	while (e > b && is_fill(raw[e - 1]))
		e--;
	if (b > 0 || e < len)
		flags |= IDENT_VIN_PADDED;
	n = e - b;
	if (n > IDENT_VIN_MAX)
		n = IDENT_VIN_MAX;
	for (i = 0; i < n; i++) {
		uint8_t c = raw[b + i];

		vin[i] = (c >= 0x21 && c < 0x7F) ? (char)c : '?';
		if (!vin_char_ok(vin[i]))
			flags |= IDENT_VIN_INVALID;
	}
	vin[n] = '\0';
	if (e - b > 17)
		flags |= IDENT_VIN_LONG | IDENT_VIN_INVALID;
	else if (e - b < 17)
		flags |= IDENT_VIN_SHORT | IDENT_VIN_INVALID;
	return flags;
}
