/* SPDX-License-Identifier: MIT */
/*
 * can/ — the CAN *link*: what a real adapter needs before any frame can be read, and what its
 * controller says about the bus.  The second contract header of can/ (ident.h is the identity
 * read); like it, no recall knowledge, no JSON, no words for technicians — causes are codes with
 * parameters, the words are chosen above can/.
 *
 *   link       query a CAN netdev over rtnetlink (kind, bit timing, controller state, error
 *              counters, restart-ms, what bit rates the controller can do) and configure it
 *              (bit timing, restart-ms, control mode, up/down), keeping the kernel's own
 *              extended-ack text ("bit-timing not yet defined") for the message
 *   plan       the pure bring-up decision: leave a link alone, configure it, or refuse
 *   errors     CAN error frames (CAN_RAW_ERR_FILTER) counted and turned into one cause:
 *              no ACK, bus-off, wrong bit rate suspected, error-passive, car present but silent
 *   rate       bit-rate detection as ISO 15765-4 describes it for external test equipment, as a
 *              pure state machine on a caller-supplied clock
 *
 * Errors: negative errno; the netlink calls also fill a canlink_err with the kernel's message.
 * Mapping: interface gone -ENODEV; link up while a setting needs it down -EBUSY; setting refused
 * by the driver -EINVAL / -EOPNOTSUPP (message from the kernel); no CAP_NET_ADMIN -EPERM; a reply
 * that does not parse -EBADMSG.
 */
#ifndef RECALL_CAN_CANLINK_H
#define RECALL_CAN_CANLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct can_frame;

/* ---- link: rtnetlink ---------------------------------------------------------------------- */

#define CANLINK_IFNAME_MAX 16		/* IFNAMSIZ */
#define CANLINK_MAX_BITRATE_CONST 32

enum canlink_kind {
	CANLINK_KIND_OTHER = 0,		/* not a CAN netdev at all (or no link info) */
	CANLINK_KIND_CAN,		/* a controller driver (rtnl kind "can"): bit timing, state */
	CANLINK_KIND_VCAN,		/* virtual: always "up"-able, no timing, no errors */
	CANLINK_KIND_VXCAN,
};

/* The kernel's enum can_state, in its order. */
enum canlink_state {
	CANLINK_STATE_ERROR_ACTIVE = 0,
	CANLINK_STATE_ERROR_WARNING,
	CANLINK_STATE_ERROR_PASSIVE,
	CANLINK_STATE_BUS_OFF,
	CANLINK_STATE_STOPPED,
	CANLINK_STATE_SLEEPING,
	_CANLINK_STATE_MAX
};

struct canlink_info {
	char ifname[CANLINK_IFNAME_MAX];
	int ifindex;
	bool is_can;			/* ARPHRD_CAN */
	bool up;			/* IFF_UP: administratively up */
	bool carrier;			/* IFF_LOWER_UP (a bus-off controller loses its carrier) */
	enum canlink_kind kind;
	char kind_name[16];		/* rtnl link kind as the kernel says it ("can", "vcan") */
	bool has_bittiming;		/* bit timing defined (absent: "bit-timing not yet defined") */
	uint32_t bitrate;		/* when has_bittiming; slcan without a rate reports none */
	uint32_t sample_point;		/* tenths of a percent */
	bool has_state;
	enum canlink_state state;
	bool has_restart_ms;
	uint32_t restart_ms;
	uint32_t ctrlmode;		/* CAN_CTRLMODE_* flags set */
	bool has_berr;
	uint16_t tx_errors, rx_errors;	/* the controller's error counters */
	char controller[16];		/* bit-timing constants' name ("sja1000"), "" if none */
	uint32_t clock_hz;
	uint32_t bitrate_const[CANLINK_MAX_BITRATE_CONST];	/* fixed rates (slcan), if any */
	unsigned int n_bitrate_const;
	uint32_t bitrate_max;		/* transceiver limit, 0 = not given */
};

/* Parse one RTM_NEWLINK message (netlink header included) into *ret.  Bounds-checked; any
 * attribute it does not know is skipped.  -EBADMSG when the message is not a link message. */
int canlink_parse_link(const void *msg, size_t len, struct canlink_info *ret);

const char *canlink_state_name(enum canlink_state s);	/* "error-active", ..., "bus-off" */
const char *canlink_kind_name(enum canlink_kind k);	/* "can", "vcan", "vxcan", "other" */

/* The kernel's extended-ack message of the last failed request, if it sent one. */
struct canlink_err {
	char msg[160];
};

/* A NETLINK_ROUTE socket for queries and settings (one request at a time, blocking, bounded by
 * a receive timeout so a wedged kernel cannot hang the caller). */
struct canlink_nl {
	int fd;
	uint32_t seq;
};

int canlink_nl_open(struct canlink_nl *nl);
void canlink_nl_close(struct canlink_nl *nl);

/* Query by name.  -ENODEV when there is no such interface. */
int canlink_get(struct canlink_nl *nl, const char *ifname, struct canlink_info *ret,
		struct canlink_err *err);

/* What canlink_configure sets; fields whose flag is not in `what` are ignored. */
enum {
	CANLINK_SET_BITRATE = 1 << 0,
	CANLINK_SET_RESTART_MS = 1 << 1,
	CANLINK_SET_CTRLMODE = 1 << 2,
};

struct canlink_settings {
	uint32_t bitrate;
	uint32_t restart_ms;
	uint32_t ctrlmode_mask;		/* CAN_CTRLMODE_* bits to change ... */
	uint32_t ctrlmode_flags;	/* ... and their new values */
};

/* One RTM_NEWLINK with the chosen settings (the link must be down).  The kernel's answer is
 * returned as is: -EBUSY (up), -EINVAL (e.g. a bit rate the controller cannot do), -EOPNOTSUPP
 * (e.g. restart-ms on a driver without restart), -ENODEV (gone), -EPERM. */
int canlink_configure(struct canlink_nl *nl, int ifindex, const struct canlink_settings *s,
		      unsigned int what, struct canlink_err *err);
/* IFF_UP on or off. */
int canlink_set_up(struct canlink_nl *nl, int ifindex, bool up, struct canlink_err *err);

/* Message builders (exposed for the unit tests): write the request into buf (cap bytes) and
 * return its length, or -ENOBUFS. */
int canlink_build_get(void *buf, size_t cap, uint32_t seq, const char *ifname);
int canlink_build_configure(void *buf, size_t cap, uint32_t seq, int ifindex,
			    const struct canlink_settings *s, unsigned int what);
int canlink_build_updown(void *buf, size_t cap, uint32_t seq, int ifindex, bool up);
/* Parse a reply to request SEQ: an NLMSG_ERROR gives its errno (0 for an ACK) and the extack
 * text into err; with info non-NULL an RTM_NEWLINK is parsed into *info and gives 1.  -EBADMSG if
 * it is neither or malformed. */
int canlink_parse_reply(const void *buf, size_t len, uint32_t seq, struct canlink_info *info,
			struct canlink_err *err);

/* ---- plan: the bring-up decision (pure) ---------------------------------------------------- */

struct canlink_want {
	uint32_t bitrate;		/* bit/s; 0 = auto (detection decides, see below) */
	uint32_t restart_ms;		/* 0 = no automatic bus-off recovery */
	bool listen_only;
};

enum canlink_verdict {
	CANLINK_LEAVE_VIRTUAL = 0,	/* vcan/vxcan: nothing to set, never touched */
	CANLINK_LEAVE_UP,		/* already up: somebody brought it up; left exactly as it is */
	CANLINK_LEAVE_NOT_CAN,		/* not a CAN controller netdev */
	CANLINK_REFUSE_RATE,		/* the controller lists its rates and this is not one */
	CANLINK_BRING_UP,		/* down: set what `set` says (maybe nothing), then up */
};

struct canlink_plan {
	enum canlink_verdict verdict;
	unsigned int set;		/* CANLINK_SET_* to send before up */
	struct canlink_settings s;
};

/* Decide what bring-up does to a link in state `info` for `want`.  Down without bit timing or with
 * another rate: set the rate; restart-ms and listen-only are set when they differ. */
void canlink_plan(const struct canlink_info *info, const struct canlink_want *want,
		  struct canlink_plan *ret);
const char *canlink_verdict_name(enum canlink_verdict v);

/* ---- bring-up: the plan carried out -------------------------------------------------------- */

enum canlink_outcome {
	CANLINK_OUT_LEFT = 0,		/* nothing done: virtual, or up by somebody else (see plan) */
	CANLINK_OUT_UP,			/* configured as planned and brought up by us */
	CANLINK_OUT_REFUSED,		/* not done: the plan refused (rate) or the kernel did */
	CANLINK_OUT_GONE,		/* the interface vanished on the way */
	CANLINK_OUT_RACED,		/* somebody else brought it up meanwhile: left alone */
};

struct canlink_result {
	enum canlink_outcome outcome;
	struct canlink_plan plan;
	struct canlink_info before, after;	/* after: valid when outcome is UP */
	bool restart_unsupported;	/* the driver refused restart-ms (slcan): recovery is ours */
	const char *step;		/* the step that failed: "query", "configure", "restart-ms",
					 * "up" (static string) */
	int error;			/* negative errno of that step, 0 */
	struct canlink_err err;		/* the kernel's words for it, if any */
};

/*
 * Query IFNAME, decide (canlink_plan) and carry it out: rate and control mode in one request,
 * restart-ms in its own (a driver without restart refuses it with EOPNOTSUPP: noted in
 * restart_unsupported, the link still comes up), then up, then query again.  Returns 0 with the
 * outcome in *ret (REFUSED/GONE/RACED included) or a negative errno when netlink itself failed.
 */
int canlink_bringup(struct canlink_nl *nl, const char *ifname, const struct canlink_want *want,
		    struct canlink_result *ret);
const char *canlink_outcome_name(enum canlink_outcome o);

/* ---- errors: CAN error frames and their cause (pure) ------------------------------------- */

/* The cause a check's failure is attributed to, as data (words are chosen above can/). */
enum canlink_cause {
	CANLINK_CAUSE_NONE = 0,		/* the bus looked healthy */
	CANLINK_CAUSE_NO_ACK,		/* our frames were not acknowledged: nobody on the bus */
	CANLINK_CAUSE_BUS_OFF,		/* the controller went bus-off */
	CANLINK_CAUSE_BITRATE,		/* receive errors without a valid frame: wrong bit rate? */
	CANLINK_CAUSE_ERROR_PASSIVE,	/* many errors of other kinds (wiring, termination) */
	CANLINK_CAUSE_NO_ANSWER,	/* frames acknowledged (a node is there), nobody answered */
	CANLINK_CAUSE_ADAPTER_REMOVED,	/* the interface vanished (set by the caller on ENODEV) */
	CANLINK_CAUSE_CONTROLLER,	/* controller problem: overflow, tx timeout */
	_CANLINK_CAUSE_MAX
};

/* Counts over a watch period; fed frame by frame. */
struct canlink_errstats {
	unsigned int error_frames;
	unsigned int ack;		/* CAN_ERR_ACK: transmitted, nobody acknowledged */
	unsigned int bit, stuff, form, crc;	/* protocol errors (CAN_ERR_PROT) */
	unsigned int prot_tx;		/* protocol errors the controller flagged as on transmit */
	unsigned int lostarb;
	unsigned int ctrl_overflow;
	unsigned int tx_timeout;
	unsigned int bus_off;		/* CAN_ERR_BUSOFF frames */
	unsigned int restarted;		/* CAN_ERR_RESTARTED: recovered after bus-off */
	unsigned int warning, passive;	/* controller state reports (CAN_ERR_CRTL) */
	enum canlink_state state;	/* the latest state the frames show */
	enum canlink_state worst;	/* the worst state seen */
	bool have_counters;
	uint8_t tx_errors, rx_errors;	/* counters from the latest error frame that carried them */
	/* data frames, told apart by the caller (MSG_DONTROUTE = sent from this host) */
	unsigned int tx_done;		/* our own frames, echoed after transmission */
	unsigned int rx_frames;		/* frames from other nodes */
};

void canlink_err_init(struct canlink_errstats *s);
/* Feed one frame read from a CAN_RAW socket; local = it was sent from this host. */
void canlink_err_feed(struct canlink_errstats *s, const struct can_frame *f, bool local);
/*
 * The cause, most specific first: bus-off; no ACK (ACK errors, nothing acknowledged, nothing
 * received); receive errors with no valid frame (wrong bit rate suspected); error-passive;
 * controller faults.  `acked_means_present` says whether a transmitted frame coming back means
 * another node acknowledged it (true for a controller, false for vcan, where every frame "comes
 * back"); `answered` whether the caller got the answer it wanted.  With nothing wrong on the bus,
 * frames acknowledged but no answer: CANLINK_CAUSE_NO_ANSWER.
 */
enum canlink_cause canlink_err_cause(const struct canlink_errstats *s, bool acked_means_present,
				     bool answered);
const char *canlink_cause_name(enum canlink_cause c);	/* "no_ack", "bus_off", ... */

/* Watch a CAN interface's error frames (and whether data frames flow) while something else uses
 * it: a CAN_RAW socket with CAN_RAW_ERR_FILTER = all errors. */
struct canlink_errwatch {
	int fd;
	bool echo;		/* IFF_ECHO: the driver echoes a frame after it was acknowledged,
				 * so an echo proves another node is on the bus */
	struct canlink_errstats st;
};

int canlink_errwatch_open(struct canlink_errwatch *w, const char *ifname);
/* Read everything queued (non-blocking) into w->st; -ENODEV / -ENETDOWN when the interface went
 * away or down (the counts so far stay). */
int canlink_errwatch_poll(struct canlink_errwatch *w);
void canlink_errwatch_close(struct canlink_errwatch *w);

/* ---- rate: bit-rate detection, ISO 15765-4 (pure state machine) ------------------------- */

/*
 * ISO 15765-4 (external test equipment initialisation): the rates are 500 kbit/s, then
 * 250 kbit/s.  At each rate the tester first only listens (controller in listen-only mode: it
 * never drives the bus, not even an ACK): a valid frame proves the rate; error frames prove
 * traffic at another rate.  Only when the bus is silent at every rate does the tester send the
 * OBD request (functional 0x7DF 01 00) — one-shot, at 500 kbit/s then 250 kbit/s — and an answer,
 * or only the frame's acknowledgement (a node received it correctly at this rate), proves the
 * rate; an error on that one frame (no ACK, bit error) stops it at once.  Traffic that decodes at
 * no rate means a rate we do not know: the tester never transmits then, nor after errors were
 * seen at any rate in any listen round (the bus is not silent).
 *
 * The caller owns the controller and the clock: it carries out each action (configure the link,
 * send the probe) and feeds back events with the current time.
 */
enum canrate_action {
	CANRATE_ACT_NONE = 0,
	CANRATE_ACT_LISTEN,		/* configure bitrate `rate`, listen-only, and bring up */
	CANRATE_ACT_PROBE,		/* configure bitrate `rate`, normal + one-shot, send probe */
	CANRATE_ACT_DONE,		/* `rate` is the bus's rate: configure it for normal use */
	CANRATE_ACT_FAIL,		/* give up; `fail` says why */
};

enum canrate_fail {
	CANRATE_FAIL_NONE = 0,
	CANRATE_FAIL_UNKNOWN_RATE,	/* traffic at neither rate: never transmitted */
	CANRATE_FAIL_SILENT,		/* silent bus, probes unanswered / not acknowledged */
	CANRATE_FAIL_LINK,		/* the controller refused a setting or vanished */
};

enum canrate_event {
	CANRATE_EV_START = 1,
	CANRATE_EV_FRAME,		/* a valid frame from another node */
	CANRATE_EV_ERROR,		/* an error frame (bus error / state change) */
	CANRATE_EV_TX_DONE,		/* our probe went out and was acknowledged */
	CANRATE_EV_TX_ERROR,		/* our probe failed (no ACK, bit error, bus-off) */
	CANRATE_EV_TIMER,		/* the time asked for by canrate_next_timer() came */
	CANRATE_EV_LINK_FAILED,		/* the caller could not carry out the action */
};

struct canrate_params {
	uint32_t rates[4];		/* candidate rates in order; default 500000, 250000 */
	unsigned int n_rates;
	unsigned int listen_ms;		/* listen window per rate (default 1000 ms) */
	unsigned int probe_ms;		/* wait for the probe's answer (default 100 ms: P2 + margin) */
	unsigned int errors_needed;	/* error frames that prove "not this rate" (default 2) */
	unsigned int rounds;		/* listen rounds over all rates before probing (default 2) */
};

#define CANRATE_PARAMS_DEFAULT \
	{ { 500000, 250000 }, 2, 1000, 100, 2, 2 }

enum canrate_phase { CANRATE_IDLE = 0, CANRATE_LISTEN, CANRATE_PROBE, CANRATE_DONE, CANRATE_FAILED };

struct canrate {
	struct canrate_params p;
	enum canrate_phase phase;
	unsigned int idx;		/* index into p.rates of the current attempt */
	unsigned int round;
	unsigned int errors;		/* error frames at the current rate */
	bool traffic_seen;		/* errors at some rate: someone talks at a rate we cannot read */
	uint64_t deadline_ms;
	uint32_t rate;			/* the rate of the current action / the result */
	enum canrate_fail fail;
};

void canrate_init(struct canrate *r, const struct canrate_params *p);
/* Feed an event at now_ms; returns what the caller must do now (NONE: keep waiting). */
enum canrate_action canrate_handle(struct canrate *r, enum canrate_event ev, uint64_t now_ms);
uint64_t canrate_next_timer(const struct canrate *r);	/* 0 = none */
const char *canrate_fail_name(enum canrate_fail f);

#endif
