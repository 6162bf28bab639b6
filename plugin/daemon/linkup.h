/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The link helper: the one part of recalld that holds CAP_NET_ADMIN, because setting a CAN
 * controller's bit timing and bringing it up needs it and nothing else in recalld does.
 *
 * recalld_new forks it first, before anything else is opened; it keeps only CAP_NET_ADMIN
 * (linkup_child_restrict) and does nothing but answer typed requests on a SOCK_SEQPACKET
 * socketpair: one fixed-size struct linkup_req in, one fixed-size struct linkup_rep out, both
 * size- and magic-checked (ntpd imsg style).  It checks every request itself — the interface must
 * match a bay glob of the configuration it was started with and be a CAN controller (rtnl kind
 * "can": never vcan, never another netdev) — so a daemon that went wrong can at worst set the bit
 * rate of a bay's adapter.  It works with can/canlink.h over its own rtnetlink socket.
 *
 * The daemon side is a part like the others: requests go out without blocking and each answer
 * comes back through the loop to the callback given with it.
 */
#ifndef RECALLD_LINKUP_H
#define RECALLD_LINKUP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct loop;
struct linkup;
struct recalld_config;

#define LINKUP_MAGIC 0x314b4e4cu	/* "LNK1" */

enum linkup_op {
	LINKUP_BRINGUP = 1,	/* canlink_bringup(): leave, or configure and bring up */
	LINKUP_SET = 2,		/* a link recalld brought up: down, set exactly this, up again
				 * (bit-rate detection, bus-off recovery where the driver cannot) */
};

struct linkup_req {
	uint32_t magic, size;	/* LINKUP_MAGIC, sizeof(struct linkup_req) */
	uint32_t id;		/* echoed in the reply */
	uint32_t op;		/* enum linkup_op */
	char ifname[IFNAMSIZ];
	uint32_t bitrate;	/* 0: leave the rate (LINKUP_SET) */
	uint32_t restart_ms;
	uint32_t ctrlmode_mask, ctrlmode_flags;	/* CAN_CTRLMODE_* (listen-only, one-shot) */
};

struct linkup_rep {
	uint32_t magic, size;
	uint32_t id;
	int32_t error;		/* 0, or the negative errno of the failed step / transport */
	uint32_t outcome;	/* enum canlink_outcome */
	uint32_t verdict;	/* enum canlink_verdict */
	uint32_t restart_unsupported;
	char step[16];		/* failed step: "plan", "query", "configure", "restart-ms", "up" */
	char msg[160];		/* the kernel's extended-ack text, "" if none */
	/* the link afterwards (outcome up) */
	uint32_t bitrate, restart_ms, ctrlmode;
	char kind[16];
	uint32_t n_rates;	/* the controller's fixed rates, for a refused one */
	uint32_t rates[16];
};

/* ---- the helper process ------------------------------------------------------------------- */

/* Fork the helper for the bays of cfg; *ret_fd is the daemon's end.  The helper exits when that
 * end closes (or the daemon dies).  It becomes uid/gid ((uid_t)-1: stays) keeping CAP_NET_ADMIN,
 * and runs under its own seccomp filter (sandbox_link_helper).  In the parent: 0, or a negative
 * errno. */
int linkup_spawn(const struct recalld_config *cfg, uid_t uid, gid_t gid, int *ret_fd,
		 int *ret_pid);

/* The helper's part of least privilege: keep CAP_NET_ADMIN only (a helper started without it
 * keeps nothing and answers EPERM, which the daemon turns into a message).  The seccomp filter
 * follows it (sandbox.c). */
void linkup_child_restrict(void);

/* Answer one request (the helper's body; exposed for the tests, which run it without a fork). */
void linkup_serve(const struct recalld_config *cfg, const struct linkup_req *req,
		  struct linkup_rep *rep);

/* ---- the daemon side ---------------------------------------------------------------------- */

/* rep is NULL when the helper is gone (or never started): err says why. */
typedef void (*linkup_fn)(void *ctx, const struct linkup_rep *rep, int err);

/* Takes over fd (the daemon's end from linkup_spawn). */
int linkup_new(struct loop *l, int fd, int pid, struct linkup **ret);
struct linkup *linkup_free(struct linkup *lu);
/* Send req (id filled in here); fn(ctx, ...) follows once, from the loop or at once on error. */
int linkup_request(struct linkup *lu, struct linkup_req *req, linkup_fn fn, void *ctx);
/* Forget every pending callback for ctx (its owner is going away). */
void linkup_cancel(struct linkup *lu, void *ctx);

#endif
