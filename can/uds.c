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

static uint64_t elapsed(const struct isotp_transport *t, uint64_t since)
{
	uint64_t now = t->now_ms(t->ctx);

	return now > since ? now - since : 0;
}

/*
 * Waits for one reply to SID within budget_ms, skipping replies that belong to another service
 * (a late answer to an earlier request).  0x78 restarts the wait with P2*, at most max_pending
 * times; the whole request, 0x21 repeats included, ends after request_ms (see ident.h).
 */
int uds_exchange(const struct isotp_transport *t, const struct uds_timing *tm,
		 const uint8_t *req, size_t req_len, struct uds_reply *reply)
{
	unsigned int busy = 0, pending = 0, stale = 0, request_ms;
	uint64_t first;
	int r;

	if (!t || !tm || !req || req_len == 0 || !reply)
		return -EINVAL;
	memset(reply, 0, offsetof(struct uds_reply, data));
	reply->pending = 0;
	reply->busy = 0;
	request_ms = tm->request_ms ? tm->request_ms : UDS_REQUEST_MS_DEFAULT;
	first = t->now_ms(t->ctx);

send:
	r = t->send(t->ctx, req, req_len);
	if (r < 0)
		return r;
	unsigned int budget = tm->p2_ms;
	uint64_t start = t->now_ms(t->ctx);

	for (;;) {
		uint64_t used = elapsed(t, start), total = elapsed(t, first), wait;
		ssize_t n;

		if (used >= budget)
			return -ETIMEDOUT;
		if (total >= request_ms) {
			reply->limit = UDS_LIMIT_REQUEST;
			return -ETIMEDOUT;
		}
		wait = budget - used;
		if (wait > request_ms - total)
			wait = request_ms - total;
		n = t->recv(t->ctx, reply->data, sizeof(reply->data), (unsigned int)wait);
		if (n == -ETIMEDOUT)
			continue;	/* the checks above say which bound ran out */
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EBADMSG;
		if (stale_reply(req, req_len, reply->data, (size_t)n)) {
			/* a late answer to an earlier request: skip it, but not without end */
			if (++stale > UDS_MAX_STALE)
				return -EPROTO;
			continue;
		}
		if (reply->data[0] == UDS_SID_NEGATIVE) {
			if (n < 3)
				return -EBADMSG;
			if (reply->data[2] == UDS_NRC_PENDING) {
				reply->pending = ++pending;
				if (tm->max_pending && pending > tm->max_pending) {
					reply->limit = UDS_LIMIT_PENDING;
					return -ETIMEDOUT;
				}
				budget = tm->p2star_ms;
				start = t->now_ms(t->ctx);
				continue;
			}
			if (reply->data[2] == UDS_NRC_BUSY && busy < tm->busy_retries) {
				reply->busy = ++busy;
				goto send;
			}
			reply->negative = true;
			reply->nrc = reply->data[2];
			reply->len = (size_t)n;
			return 0;
		}
		reply->len = (size_t)n;
		return 0;
	}
}

int uds_settle(const struct isotp_transport *t, const struct uds_timing *tm)
{
	unsigned int quiet = 2 * tm->p2_ms > 100 ? 2 * tm->p2_ms : 100;
	uint64_t first, start;
	uint8_t buf[UDS_MAX_REPLY];
	int discarded = 0;

	if (!t || !tm)
		return -EINVAL;
	first = start = t->now_ms(t->ctx);
	for (;;) {
		uint64_t used = elapsed(t, start), total = elapsed(t, first), wait;
		ssize_t n;

		if (used >= quiet || total >= tm->p2star_ms)
			return discarded;
		wait = quiet - used;
		if (wait > tm->p2star_ms - total)
			wait = tm->p2star_ms - total;
		n = t->recv(t->ctx, buf, sizeof(buf), (unsigned int)wait);
		if (n == -ETIMEDOUT)
			continue;
		if (n < 0)
			return (int)n;
		/* something came: the line is not quiet yet */
		discarded++;
		start = t->now_ms(t->ctx);
	}
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
