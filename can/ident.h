/* SPDX-License-Identifier: MIT */
/*
 * can/ — the bus layer's contract: SocketCAN access, kernel ISO-TP behind a transport table,
 * UDS (ISO 14229-1) and OBD-II (SAE J1979) decoders, and one entry point that reads a vehicle's
 * identity.  Knows nothing of recalls.
 *
 * Errors: negative errno.  A UDS negative response is a completed exchange carrying its NRC.
 * Mapping of protocol failures (as in the kernel's isotp.c):
 *   no reply within P2 / P2*             -ETIMEDOUT
 *   reply shorter than its service needs -EBADMSG   (kind IDENT_ERR_MALFORMED)
 *   late reply to an earlier request     skipped (other SID, DID or PID echoed) ...
 *   ... more than UDS_MAX_STALE of them  -EPROTO    (kind IDENT_ERR_MALFORMED)
 *   ISO-TP SN mismatch (kernel)          -EILSEQ    (kind IDENT_ERR_IO)
 *   ISO-TP FC overflow / N_Bs timeout    -EMSGSIZE / -ECOMM (kind IDENT_ERR_IO)
 *   interface removed / down mid-check   -ENODEV / -ENETDOWN (reading stops, identity so far kept;
 *                                        the kernel's EADDRNOTAVAIL on an unbound socket: -ENODEV)
 */
#ifndef RECALL_CAN_IDENT_H
#define RECALL_CAN_IDENT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- addressing schemes: one table (can/scheme.c) read by discovery, sockets and the docs ---- */
enum ident_scheme {
	IDENT_SCHEME_AUTO = 0,
	IDENT_SCHEME_OBD11,	/* 0x7DF functional, 0x7E0..7 physical, 0x7E8..F responses */
	IDENT_SCHEME_OBD29,	/* 0x18DB33F1 functional, 0x18DAxxF1 / 0x18DAF1xx */
	IDENT_SCHEME_BMW,	/* 0x6F1 + target byte (0xDF functional), 0x600+ecu with 0xF1 */
	IDENT_SCHEME_UDS11,	/* ISO 15765-2 normal addressing, any 11-bit request:response pair */
};
#define IDENT_SCHEME_COUNT 5

/*
 * An ECU is named by one uint32 (its "address"), the key the rules and reports use as well:
 *   obd11        the physical request id, 0x7E0..0x7E7
 *   obd29, bmw   the address byte, 0x00..0xFF
 *   uds11        IDENT_ECU_PAIR(request id, response id), written "0x710:0x77A": bit 31 set,
 *                the request id in bits 16..26, the response id in bits 0..10 (0x8710077A).
 * A pair that is an OBD pair (0x7E0..0x7E7 : +8) is that obd11 ECU, key 0x7E0 (same CAN ids, same
 * ECU), so "0x7E0:0x7E8" and "0x7E0" are one ECU everywhere.  can/README.md, rules/README.md.
 */
#define IDENT_ECU_PAIR_FLAG 0x80000000u
#define IDENT_ECU_PAIR(req, resp) \
	(IDENT_ECU_PAIR_FLAG | ((uint32_t)(req) & 0x7FFu) << 16 | ((uint32_t)(resp) & 0x7FFu))
#define IDENT_ECU_ANY 0xFFFFFFFFu	/* in ident_need: every ECU */

static inline bool ident_ecu_is_pair(uint32_t ecu)
{
	return ecu != IDENT_ECU_ANY && (ecu & IDENT_ECU_PAIR_FLAG);
}
static inline uint32_t ident_ecu_pair_req(uint32_t ecu) { return ecu >> 16 & 0x7FFu; }
static inline uint32_t ident_ecu_pair_resp(uint32_t ecu) { return ecu & 0x7FFu; }

/* "0x7E0", "0x61", "0x710:0x77A" into buf (at least 16 bytes); returns buf. */
char *ident_ecu_format(uint32_t ecu, char *buf, size_t len);
/*
 * Parses an ECU as written on the command line, in configs and rules: hex with or without 0x,
 * "REQ:RESP" for a uds11 pair (both 11-bit, different).  An OBD pair gives the obd11 key.
 * 0 or -EINVAL.
 */
int ident_ecu_parse(const char *s, uint32_t *ret);

/* "auto", "obd11", "obd29", "bmw", "uds11" (the CLI and JSON words). */
const char *ident_scheme_name(enum ident_scheme s);
/* Returns the scheme, or -EINVAL for an unknown word. */
int ident_scheme_parse(const char *word);

/*
 * One addressing scheme.  Physical ids are linear in the ECU address: request id =
 * tx_base + ecu * tx_mul, response id = rx_base + ecu * rx_mul (uds11: the pair itself).
 */
struct ident_scheme_desc {
	const char *name;
	const char *summary;		/* one line for --help and the README table */
	bool eff;			/* 29-bit identifiers */
	bool pairs;			/* ECUs are request:response pairs (uds11) */
	uint32_t func_id;		/* functional request id; 0: none (ECUs come from the plan) */
	int func_ext;			/* extended address byte of the functional request, -1 none */
	uint32_t tx_base, tx_mul;
	uint32_t rx_base, rx_mul;
	uint32_t addr_min, addr_max;	/* valid ECU addresses (not for pairs) */
	int addr_skip;			/* an address in range that is not an ECU (bmw: the tester), -1 */
	int rx_ext;			/* extended address byte the ECU's answers carry (bmw 0xF1), -1 */
	bool ext_addr;			/* requests carry the ECU address byte first (bmw) */
	uint8_t probe[2];		/* discovery request, answered in one Single Frame */
	uint8_t phys_probe[2];		/* the same to one ECU (UDS: 10 01, whose answer announces
					 * the ECU's P2/P2*, ISO 14229-2) */
	bool obd09;			/* OBD-II service 09 (VIN 09 02, name 09 0A, CALID, CVN) */
	bool uds_ident;			/* ISO 14229-1 identification DIDs F190 F187 F189 ... */
	bool fd_ok;			/* ISO-TP over CAN FD is defined for it */
	const char *source;		/* where the ids come from */
};

/* The table entry of S (NULL for AUTO or out of range). */
const struct ident_scheme_desc *ident_scheme_desc(enum ident_scheme s);
/* Is ECU an address of SCHEME? */
bool ident_scheme_addr_ok(enum ident_scheme scheme, uint32_t ecu);
/* Request and response CAN ids (CAN_EFF_FLAG set for 29 bit) of ECU on SCHEME; -EINVAL. */
int ident_scheme_ids(enum ident_scheme scheme, uint32_t ecu, uint32_t *tx, uint32_t *rx);

/* ---- transport table (iso14229 style): kernel ISO-TP on a socket, or a mock in unit tests ---- */
struct isotp_transport {
	void *ctx;
	/* Sends one whole request; 0 or negative errno. */
	int (*send)(void *ctx, const uint8_t *buf, size_t len);
	/* Receives one whole reply within timeout_ms: its length, -ETIMEDOUT, or negative errno. */
	ssize_t (*recv)(void *ctx, uint8_t *buf, size_t cap, unsigned int timeout_ms);
	/* Monotonic milliseconds (simulated in unit tests). */
	uint64_t (*now_ms)(void *ctx);
};

/*
 * An ECU may answer 0x78 (responsePending) and then owes the answer within P2* (ISO 14229-2:
 * P2*max 5000 ms) — but nothing in the standard bounds how often it may say so, and a lying ECU
 * that repeats 0x78 forever must not hang a check.  Two bounds therefore always apply:
 * max_pending (default 50 × 0x78 per request; 0 = no count limit) and request_ms (default
 * 30000 ms = 6 × P2*max from the request to its final answer, 0x21 repeats included; 0 means the
 * default, so a request is never unbounded).  The deadline is the bound for honest slow ECUs; the
 * count stops one that repeats 0x78 rapidly (every 20 ms: the DID fails after about a second)
 * while leaving room for slow ECUs that repeat it often (this suite's slow TCB sends 40).
 * Either one ends that request with -ETIMEDOUT and uds_reply.limit saying which; the identity
 * reader records it for that DID and goes on.
 */
struct uds_timing {
	unsigned int p2_ms;		/* default 50 */
	unsigned int p2star_ms;		/* default 5000, after each 0x78 */
	unsigned int busy_retries;	/* 0x21 busyRepeatRequest: repeat at most this often (3) */
	unsigned int max_pending;	/* 0x78 followed at most this often (50; 0 = no count limit) */
	unsigned int request_ms;	/* whole request incl. 0x78/0x21 (30000; 0 = the default) */
};
#define UDS_MAX_PENDING_DEFAULT 50
#define UDS_REQUEST_MS_DEFAULT 30000
#define UDS_TIMING_DEFAULT { 50, 5000, 3, UDS_MAX_PENDING_DEFAULT, UDS_REQUEST_MS_DEFAULT }

#define UDS_MAX_REPLY 512
/* Late replies to earlier requests (other SID, or other DID/PID echoed) skipped per exchange. */
#define UDS_MAX_STALE 8

enum uds_limit {
	UDS_LIMIT_NONE = 0,
	UDS_LIMIT_PENDING,	/* more than max_pending 0x78 */
	UDS_LIMIT_REQUEST,	/* request_ms passed without a final answer */
};

struct uds_reply {
	bool negative;		/* 0x7F SID NRC */
	uint8_t nrc;		/* when negative */
	size_t len;		/* positive: whole reply incl. SID+0x40 */
	enum uds_limit limit;	/* why -ETIMEDOUT came before P2/P2* ran out, else NONE */
	uint8_t data[UDS_MAX_REPLY];
	unsigned int pending;	/* 0x78 seen */
	unsigned int busy;	/* 0x21 seen */
};

/* "responsePending", "requestOutOfRange", ...; "unknown" for codes ISO 14229-1 does not name. */
const char *uds_nrc_name(uint8_t nrc);

/*
 * One request/response exchange: 0 with reply filled (positive or negative), or -ETIMEDOUT,
 * -EBADMSG (empty or truncated negative response), -EPROTO (more than UDS_MAX_STALE replies to
 * earlier requests — each one is skipped: negative for another SID, positive for another SID or
 * not echoing the request's DID/PID), or the transport's error.  Follows 0x78 (P2* each, at
 * most max_pending times, within request_ms) and
 * retries 0x21 busy_retries times.
 */
int uds_exchange(const struct isotp_transport *t, const struct uds_timing *tm,
		 const uint8_t *req, size_t req_len, struct uds_reply *reply);

/*
 * After a request timed out its answer may still come, and a negative answer does not echo the
 * DID: taken for the next request's answer it would be a wrong fact (NRC 0x31 = "not present").
 * So before the next request on the same connection, whatever arrives is discarded until the
 * line has been quiet for max(2 x P2, 100 ms), at most P2* in all.  Returns how many replies
 * were discarded, or a transport error (-ENODEV ...).
 */
int uds_settle(const struct isotp_transport *t, const struct uds_timing *tm);

/*
 * The same exchange as a machine, for a caller that runs several at once (one per ECU, each on
 * its own transport, in one poll loop): start it, send x->req when state is SEND and say so with
 * uds_xfer_sent(), feed every whole reply received into reply->data with uds_xfer_reply(), and
 * call uds_xfer_expired() when uds_xfer_due() has come.  Both return 1 when the exchange is over
 * (x->result as uds_exchange returns it; state DONE), else 0.  A settling wait (uds_settle) is
 * the same machine started with uds_xfer_settle(); its result is the count discarded.
 */
enum uds_xfer_state { UDS_XFER_SEND = 1, UDS_XFER_WAIT, UDS_XFER_SETTLE, UDS_XFER_DONE };

struct uds_xfer {
	enum uds_xfer_state state;
	struct uds_timing tm;
	uint8_t req[8];
	size_t req_len;
	struct uds_reply *reply;
	uint64_t first, start;		/* the request's first send; the current wait's start */
	unsigned int budget, request_ms;
	unsigned int busy, pending, stale, discarded;
	int result;
};

void uds_xfer_start(struct uds_xfer *x, const struct uds_timing *tm, const uint8_t *req,
		    size_t req_len, struct uds_reply *reply, uint64_t now);
void uds_xfer_sent(struct uds_xfer *x, uint64_t now);
void uds_xfer_settle(struct uds_xfer *x, const struct uds_timing *tm, uint64_t now);
/* When the current wait ends (monotonic ms). */
uint64_t uds_xfer_due(const struct uds_xfer *x);
int uds_xfer_expired(struct uds_xfer *x, uint64_t now);
/* N bytes are in x->reply->data (for a settling wait: anything). */
int uds_xfer_reply(struct uds_xfer *x, size_t n, uint64_t now);

/*
 * A positive DiagnosticSessionControl answer (50 SESSION P2hi P2lo P2*hi P2*lo, ISO 14229-2
 * 7.2: P2server_max in ms, P2*server_max in units of 10 ms): 0 and the two in ms, -EBADMSG
 * (too short), -EPROTO (not a 0x50 answer).
 */
int uds_parse_dsc_timing(const uint8_t *buf, size_t len, unsigned int *p2_ms,
			 unsigned int *p2star_ms);

/* 0x22 ReadDataByIdentifier: value bytes in *ret_value/ret_len (pointing into reply). */
int uds_read_did(const struct isotp_transport *t, const struct uds_timing *tm, uint16_t did,
		 struct uds_reply *reply, const uint8_t **ret_value, size_t *ret_len);

/* Positive 0x62 reply check: -EBADMSG too short, -EPROTO other service or DID. */
int uds_parse_did_reply(const uint8_t *buf, size_t len, uint16_t did,
			const uint8_t **ret_value, size_t *ret_len);

/*
 * OBD service 09 reply (0x49 PID [count] data): ret_data/ret_len is the payload after the
 * message-count byte (kept whether the ECU sends 0x01 or 0x00 there).  -EBADMSG, -EPROTO.
 */
int obd_parse_09(const uint8_t *buf, size_t len, uint8_t pid, const uint8_t **ret_data,
		 size_t *ret_len);
/* Service 01 PID 00 reply (0x41 0x00 + 4 bytes): the supported-PID bitmap. */
int obd_parse_0100(const uint8_t *buf, size_t len, uint32_t *ret_bitmap);

/* ---- VIN ---- */
enum {
	IDENT_VIN_PADDED  = 1u << 0,	/* fill bytes 0x00/0x20/0xFF before/after the characters */
	IDENT_VIN_INVALID = 1u << 1,	/* not 17 characters of A-Z 0-9 without I, O, Q */
	IDENT_VIN_LONG    = 1u << 2,	/* more than 17 characters left after removing fill */
	IDENT_VIN_SHORT   = 1u << 3,	/* fewer than 17 */
};
#define IDENT_VIN_MAX 32

/*
 * Extracts the VIN from raw bytes: strips only fill bytes (0x00, 0x20, 0xFF) at both ends — never
 * a character of the VIN — and flags what it saw.  Non-printable bytes inside become '?'.
 * vin must hold IDENT_VIN_MAX + 1.  Returns the flags.
 */
unsigned int ident_vin_extract(const uint8_t *raw, size_t len, char *vin);

/* ---- the identity ---- */
/* ECUs per identity; more responders are not read but counted (ident.ecus_not_read) and reported
 * as an error "N ECUs not read: table full" — never lost silently. */
#define IDENT_MAX_ECUS    64
#define IDENT_MAX_DIDS    24
#define IDENT_MAX_SOURCES 128	/* every ECU may report the VIN on two schemes */
#define IDENT_MAX_ERRORS  48
#define IDENT_MAX_VALUE   128

enum ident_vin_via { IDENT_VIA_OBD_0902 = 1, IDENT_VIA_UDS_F190 };

struct ident_vin_source {
	uint32_t ecu;			/* address per scheme (see above) */
	enum ident_scheme scheme;
	enum ident_vin_via via;		/* "service09" / "F190" in JSON */
	char vin[IDENT_VIN_MAX + 1];
	unsigned int flags;		/* IDENT_VIN_* */
	size_t raw_len;
	uint8_t raw[IDENT_MAX_VALUE];
};

enum ident_err_kind { IDENT_ERR_TIMEOUT = 1, IDENT_ERR_NRC, IDENT_ERR_MALFORMED, IDENT_ERR_IO };

/* Why a DID that was asked for was never sent (ident_did.status -ECANCELED). */
enum ident_not_asked {
	IDENT_ASKED = 0,
	IDENT_NOT_ASKED_GAVE_UP,	/* the ECU left requests unanswered, see its gave-up error */
	IDENT_NOT_ASKED_DEADLINE,	/* the read's deadline had passed */
	IDENT_NOT_ASKED_STOPPED,	/* reading stopped (interface gone) */
};

struct ident_did {
	uint16_t did;
	int status;			/* 0 read; negative errno; -EREMOTEIO: nrc set;
					 * -ECANCELED: not sent, not_asked says why */
	uint8_t nrc;
	enum ident_not_asked not_asked;
	size_t len;
	uint8_t value[IDENT_MAX_VALUE];
};

struct ident_ecu {
	uint32_t address;
	enum ident_scheme scheme;
	char name[24];			/* service 09 PID 0A when given, else "" */
	size_t calid_len;		/* service 09 PID 04: 16-byte calibration IDs */
	uint8_t calid[IDENT_MAX_VALUE];
	size_t cvn_len;			/* service 09 PID 06: 4-byte CVNs */
	uint8_t cvn[IDENT_MAX_VALUE];
	size_t n_dids;
	struct ident_did dids[IDENT_MAX_DIDS];
	bool fd;			/* read over ISO-TP on CAN FD */
	unsigned int first_ms;		/* its answer to the discovery request came after this;
					 * UINT_MAX when it was not seen there (named, probed) */
	unsigned int p2_ms;		/* the P2 it was read with (see ident_read) */
	unsigned int p2star_ms;		/* its own P2* (from what it announced), 0: configured */
	unsigned int announced_p2_ms;	/* P2server_max / P2*server_max of its 0x10 answer */
	unsigned int announced_p2star_ms;	/* (ISO 14229-2), 0 when it announced none */
	unsigned int timeouts_in_row;	/* requests left unanswered since the last answer */
	bool gave_up;			/* asked nothing more (see IDENT_ECU_MAX_TIMEOUTS) */
	bool dids_full;			/* a DID did not fit dids[] (said once) */
};

struct ident_error {
	char step[24];			/* "discovery", "service09", "read-did F189", ... */
	uint32_t ecu;			/* 0 when not per ECU */
	enum ident_err_kind kind;
	int err;			/* negative errno */
	uint8_t nrc;
	char message[160];
};

struct ident {
	char iface[16];
	enum ident_scheme scheme;	/* the first scheme of the caller's order that an ECU
					 * was read on */
	unsigned int schemes;		/* 1u << scheme for every scheme an ECU was read on */
	char vin[IDENT_VIN_MAX + 1];	/* "" when none read; the first valid source's */
	unsigned int vin_flags;
	bool vin_agree;			/* every source reported the same VIN */
	size_t n_sources;		/* in the documented order (ident_read) */
	struct ident_vin_source sources[IDENT_MAX_SOURCES];
	size_t n_ecus;			/* by scheme (table order), then address */
	struct ident_ecu ecus[IDENT_MAX_ECUS];
	size_t ecus_not_read;		/* answered but not read: ecus[] was full (see errors[]) */
	size_t n_errors;
	struct ident_error errors[IDENT_MAX_ERRORS];
	size_t errors_dropped;		/* errors beyond IDENT_MAX_ERRORS, counted only */
	size_t sources_dropped;		/* VIN reports beyond IDENT_MAX_SOURCES (an error says so) */
	bool deadline_hit;		/* reading stopped at cfg->deadline_ms (an error says so) */
	uint64_t deadline_at;		/* monotonic ms; internal to ident_read */
	unsigned int window_ms;		/* the discovery window that was used */
	unsigned int quiet_ms;		/* its quiet gap (0: the whole window was waited out) */
	unsigned int listened_ms;	/* how long discovery listened, from the first probes */
	char profile[24];		/* what the refine hook named (a make profile), or "" */
	int fatal;			/* negative errno that stopped reading (e.g. -ENODEV), or 0 */
};

/* ---- the read plan: what to ask, from above (plugin/ joins rules' needs and make profiles) ---- */

/* An ECU to ask physically besides discovery (it may ignore functional requests). */
struct ident_target {
	enum ident_scheme scheme;	/* AUTO: every allowed scheme that can address it */
	uint32_t ecu;
	bool fd;			/* it speaks ISO-TP on CAN FD */
	bool if_present;		/* read only when it answers its probe (a make profile's
					 * usual ECUs); else read also when silent (--ecu) */
};

/* A DID to read from one ECU (or IDENT_ECU_ANY: from every ECU read). */
struct ident_need {
	uint32_t ecu;
	uint16_t did;
};

/* What the refine hook adds once a VIN is known (arrays owned by the caller of the hook,
 * valid until ident_read returns). */
struct ident_plan_add {
	const struct ident_target *targets;
	size_t n_targets;
	const struct ident_need *needs;
	size_t n_needs;
	const char *name;		/* e.g. the make profile's name, shown in ident.profile */
};

struct ident_config {
	/*
	 * AUTO: every scheme of order[] in one discovery window (their functional requests and the
	 * physical probes of the named ECUs go out together); a fixed scheme: only that one.
	 */
	enum ident_scheme scheme;
	enum ident_scheme order[IDENT_SCHEME_COUNT - 1];	/* default obd11, bmw, obd29, uds11 */
	size_t n_order;
	const uint16_t *dids;		/* extra DIDs to read from every ECU */
	size_t n_dids;
	const uint32_t *ecus;		/* addresses to probe physically besides discovery */
	size_t n_ecus;
	const struct ident_target *targets;	/* the same with a scheme and CAN FD per ECU */
	size_t n_targets;
	const struct ident_need *needs;	/* DIDs per ECU (a campaign's needs) */
	size_t n_needs;
	/*
	 * Called once, when the first valid VIN was read, before the other DIDs are asked: may add
	 * ECUs and DIDs (a make profile).  Returns 0 or a negative errno (then ignored).
	 */
	int (*refine)(void *userdata, const char *vin, struct ident_plan_add *add);
	void *refine_userdata;
	struct uds_timing timing;
	/*
	 * The first-answer window: how long discovery waits for answers to the functional requests
	 * and physical probes (0 = IDENT_ANSWER_MS_DEFAULT; never less than timing.p2_ms).  An ECU
	 * behind a gateway or a busy stack answers its first request at 60-150 ms.
	 */
	unsigned int answer_ms;
	/*
	 * The window ends early once the car has answered: this long after the last answer
	 * (0 = IDENT_QUIET_MS_DEFAULT; IDENT_QUIET_OFF: always the whole window).  J1979's OBD ECUs
	 * answer a functional request within P2 (50 ms) of each other and ECUs behind one gateway
	 * share its delay; a car that has not answered at all gets the whole window.
	 */
	unsigned int quiet_ms;
	/* Send requests as CAN FD frames (ISO-TP over CAN FD for every ECU); an ECU that answers
	 * discovery in a CAN FD frame is read over CAN FD anyway.  The interface needs MTU 72. */
	bool fd;
	/*
	 * STmin the tester asks for in its Flow Control (ISO 15765-2:2016 9.6.5.4): 0x00-0x7F ms,
	 * 0xF1-0xF9 100-900 us.  Default 0: the tester is never the slow side; set it for an ECU
	 * that must be slowed down.  Reserved values make ident_read() return -EINVAL.
	 */
	uint8_t fc_stmin;
	/*
	 * Bound on the whole read, all schemes, ECUs and DIDs (0 = IDENT_DEADLINE_MS_DEFAULT).  Each
	 * request is bounded (request_ms), but a car whose ECUs each stall a few requests would add
	 * them up past any caller's patience; at the deadline reading stops, what was read is kept
	 * and an error says so.  recalld sets it below its check_timeout.
	 */
	unsigned int deadline_ms;
	/*
	 * ECUs read at the same time, each on its own ISO-TP socket (0 = IDENT_PARALLEL_DEFAULT;
	 * 1 = one after another).  Two ECUs that answer on the same CAN id are never read at once.
	 */
	unsigned int parallel;
	/*
	 * timing.p2star_ms is the caller's for every ECU (recall-ident --p2star): what a UDS ECU
	 * announces in its 10 01 answer is recorded but not used for P2* (its P2 still is).  false:
	 * an ECU's announced P2*server_max replaces the configured P2* (ISO 14229-2).
	 */
	bool p2star_fixed;
};
#define IDENT_PARALLEL_DEFAULT 8
/* The floor of an ECU's own P2* (what it announced + the network's share): see can/README.md. */
#define IDENT_P2STAR_MIN_MS 500
#define IDENT_DEADLINE_MS_DEFAULT 45000
/* 150 ms (the slowest first answer a gateway car must be read with) + 50 ms margin. */
#define IDENT_ANSWER_MS_DEFAULT 200
/* Twice J1979's P2 between two ECUs' answers, and above the 95 ms measured between a direct ECU
 * and one behind a gateway (can/README.md "Timing"). */
#define IDENT_QUIET_MS_DEFAULT 100
#define IDENT_QUIET_OFF UINT_MAX
/* An ECU that leaves this many requests in a row unanswered (a 0x78 limit counts; silence on an
 * optional OBD PID does not) is asked nothing more: its remaining DIDs are "not asked", one error
 * says why. */
#define IDENT_ECU_MAX_TIMEOUTS 2

/* Fills defaults (AUTO, default order, UDS_TIMING_DEFAULT). */
void ident_config_init(struct ident_config *cfg);

/* ---- the bus, as an interface: SocketCAN (ident_bus_socketcan) or a simulation in tests ---- */

/* One request of the discovery window. */
struct ident_probe {
	enum ident_scheme scheme;
	uint32_t ecu;			/* IDENT_ECU_ANY: the scheme's functional request */
};

/* One answer seen in the discovery window. */
struct ident_answer {
	enum ident_scheme scheme;
	uint32_t ecu;
	unsigned int after_ms;		/* since its probe was sent */
	uint64_t at_ms;			/* when it came, on now_ms's clock (0: when it was read) */
	bool fd;			/* it came in a CAN FD frame */
	bool timing;			/* a DiagnosticSessionControl answer (50 01) announced: */
	unsigned int p2_ms;		/* P2server_max, ms */
	unsigned int p2star_ms;		/* P2*server_max, ms (sent in units of 10 ms) */
};

struct ident_bus_ops {
	/* Sends the probes (as CAN FD frames when fd) and from now on reports answers to them,
	 * also while transports are open.  May be called again to add probes.  0 or -errno. */
	int (*probe)(void *ctx, const struct ident_probe *p, size_t n, bool fd);
	/* The next new answer, waiting at most wait_ms: 1 and *a, 0 none in time, or -errno. */
	int (*next_answer)(void *ctx, unsigned int wait_ms, struct ident_answer *a);
	/* A transport (kernel ISO-TP, or simulated) to ECU; *t valid until close. */
	int (*open)(void *ctx, enum ident_scheme scheme, uint32_t ecu, bool fd, uint8_t stmin,
		    struct isotp_transport *t);
	void (*close)(void *ctx, struct isotp_transport *t);
	/* Waits until one of the N transports has a reply to receive (their recv with timeout 0
	 * then takes it), or - when ANSWERS - a new answer is waiting for next_answer, or wait_ms
	 * passed.  0 or -errno. */
	int (*wait)(void *ctx, const struct isotp_transport *const *t, size_t n,
		    unsigned int wait_ms, bool answers);
	uint64_t (*now_ms)(void *ctx);
};

struct ident_bus {
	const struct ident_bus_ops *ops;
	void *ctx;
};

/* Checks IFACE exists, is CAN (ARPHRD_CAN) and up: 0, -ENODEV, -EPROTOTYPE (not CAN), -ENETDOWN. */
int canbus_check(const char *iface);

/* The SocketCAN bus on IFACE (checked as canbus_check); free with ident_bus_socketcan_free. */
int ident_bus_socketcan(const char *iface, struct ident_bus *bus);
void ident_bus_socketcan_free(struct ident_bus *bus);

/*
 * Reads the vehicle's identity.  Returns 0 and *ret (malloc'd, ident_free) also when no VIN was
 * read (see ident->errors); a negative errno only when IFACE cannot be used at all (then nothing).
 * Every wait is bounded by cfg->timing, answer_ms and deadline_ms.
 */
int ident_read(const char *iface, const struct ident_config *cfg, struct ident **ret);
/* The same on any bus; NAME is what ident.iface and the messages say. */
int ident_read_bus(const struct ident_bus *bus, const char *name, const struct ident_config *cfg,
		   struct ident **ret);
struct ident *ident_free(struct ident *id);

/* "timeout", "nrc", "malformed", "io" (JSON kind words). */
const char *ident_err_kind_name(enum ident_err_kind k);
/* The kind of a negative errno. */
enum ident_err_kind ident_err_kind_of(int err);
/* "gave_up", "deadline", "stopped" and why, for a DID not asked. */
const char *ident_not_asked_name(enum ident_not_asked n);

#endif
