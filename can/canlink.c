/* SPDX-License-Identifier: MIT */
/*
 * CAN links over rtnetlink: query, configure, up/down — and the pure bring-up decision.
 *
 * Why our own NETLINK_ROUTE socket and not libsocketcan or libnl-route-3 (both in Debian):
 *  - the kernel explains a refused setting in its extended ack ("bit-timing not yet defined",
 *    "Device doesn't support restart from Bus Off", "bitrate error 1.2% too high"); neither
 *    library hands that text to the caller, and it is exactly what a technician's status needs;
 *  - libsocketcan sets bit rate and restart-ms in separate requests and prints to stderr;
 *    libnl-route-3 would be a large dependency for three messages;
 *  - the daemon already parses RTM_NEWLINK for link watching, and the messages are small: two
 *    builders and one bounds-checked parser, which has a fuzz target (fuzz-can-link).
 *
 * Every attribute length is checked before it is read (RTA_OK / explicit sizes); a struct
 * attribute shorter than the struct is ignored, never read past its end.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/can/netlink.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "can/canlink.h"

#define NL_BUF 16384
#define NL_TIMEOUT_MS 5000	/* a driver may sleep in its open (slcan waits up to 1 s per
				 * command on its tty); the kernel never takes this long */

static const char *const state_names[_CANLINK_STATE_MAX] = {
	[CANLINK_STATE_ERROR_ACTIVE] = "error-active",
	[CANLINK_STATE_ERROR_WARNING] = "error-warning",
	[CANLINK_STATE_ERROR_PASSIVE] = "error-passive",
	[CANLINK_STATE_BUS_OFF] = "bus-off",
	[CANLINK_STATE_STOPPED] = "stopped",
	[CANLINK_STATE_SLEEPING] = "sleeping",
};

const char *canlink_state_name(enum canlink_state s)
{
	return (unsigned int)s < _CANLINK_STATE_MAX ? state_names[s] : "unknown";
}

const char *canlink_kind_name(enum canlink_kind k)
{
	switch (k) {
	case CANLINK_KIND_CAN:
		return "can";
	case CANLINK_KIND_VCAN:
		return "vcan";
	case CANLINK_KIND_VXCAN:
		return "vxcan";
	default:
		return "other";
	}
}

/* The uapi macros cast to plain char *: these keep const on the bytes we only read. */
#define CRTA_DATA(a) ((const void *)((const char *)(a) + RTA_LENGTH(0)))
#define CRTA_NEXT(a, len) \
	((len) -= (int)RTA_ALIGN((a)->rta_len), \
	 (const struct rtattr *)((const char *)(a) + RTA_ALIGN((a)->rta_len)))
#define CNLMSG_DATA(h) ((const void *)((const char *)(h) + NLMSG_LENGTH(0)))
#define CIFLA_RTA(ifi) \
	((const struct rtattr *)((const char *)(ifi) + NLMSG_ALIGN(sizeof(struct ifinfomsg))))

/* ---- parsing ------------------------------------------------------------------------------ */

static void parse_can_data(const struct rtattr *nest, struct canlink_info *in)
{
	int len = (int)RTA_PAYLOAD(nest);
	const struct rtattr *a;

	for (a = CRTA_DATA(nest); RTA_OK(a, len); a = CRTA_NEXT(a, len)) {
		size_t l = RTA_PAYLOAD(a);
		const void *d = CRTA_DATA(a);

		switch (a->rta_type) {
		case IFLA_CAN_BITTIMING: {
			struct can_bittiming bt;

			if (l < sizeof(bt))
				break;
			memcpy(&bt, d, sizeof(bt));
			/* slcan reports none until a rate is set; 0 means the same */
			if (bt.bitrate) {
				in->has_bittiming = true;
				in->bitrate = bt.bitrate;
				in->sample_point = bt.sample_point;
			}
			break;
		}
		case IFLA_CAN_BITTIMING_CONST: {
			struct can_bittiming_const bc;

			if (l < sizeof(bc))
				break;
			memcpy(&bc, d, sizeof(bc));
			memcpy(in->controller, bc.name, sizeof(in->controller) - 1);
			in->controller[sizeof(in->controller) - 1] = 0;
			break;
		}
		case IFLA_CAN_CLOCK: {
			struct can_clock c;

			if (l < sizeof(c))
				break;
			memcpy(&c, d, sizeof(c));
			in->clock_hz = c.freq;
			break;
		}
		case IFLA_CAN_STATE: {
			uint32_t s;

			if (l < sizeof(s))
				break;
			memcpy(&s, d, sizeof(s));
			if (s < _CANLINK_STATE_MAX) {
				in->has_state = true;
				in->state = (enum canlink_state)s;
			}
			break;
		}
		case IFLA_CAN_CTRLMODE: {
			struct can_ctrlmode cm;

			if (l < sizeof(cm))
				break;
			memcpy(&cm, d, sizeof(cm));
			in->ctrlmode = cm.flags;
			break;
		}
		case IFLA_CAN_RESTART_MS:
			if (l < sizeof(uint32_t))
				break;
			memcpy(&in->restart_ms, d, sizeof(uint32_t));
			in->has_restart_ms = true;
			break;
		case IFLA_CAN_BERR_COUNTER: {
			struct can_berr_counter bc;

			if (l < sizeof(bc))
				break;
			memcpy(&bc, d, sizeof(bc));
			in->has_berr = true;
			in->tx_errors = bc.txerr;
			in->rx_errors = bc.rxerr;
			break;
		}
		case IFLA_CAN_BITRATE_CONST: {
			size_t n = l / sizeof(uint32_t), i;

			if (n > CANLINK_MAX_BITRATE_CONST)
				n = CANLINK_MAX_BITRATE_CONST;
			for (i = 0; i < n; i++)
				memcpy(&in->bitrate_const[i], (const char *)d + i * sizeof(uint32_t),
				       sizeof(uint32_t));
			in->n_bitrate_const = (unsigned int)n;
			break;
		}
		case IFLA_CAN_BITRATE_MAX:
			if (l >= sizeof(uint32_t))
				memcpy(&in->bitrate_max, d, sizeof(uint32_t));
			break;
		default:
			break;
		}
	}
}

static void parse_linkinfo(const struct rtattr *nest, struct canlink_info *in)
{
	int len = (int)RTA_PAYLOAD(nest);
	const struct rtattr *a, *data = NULL;

	for (a = CRTA_DATA(nest); RTA_OK(a, len); a = CRTA_NEXT(a, len)) {
		size_t l = RTA_PAYLOAD(a);

		if (a->rta_type == IFLA_INFO_KIND && l > 0) {
			size_t n = strnlen(CRTA_DATA(a), l);

			if (n >= sizeof(in->kind_name))
				n = sizeof(in->kind_name) - 1;
			memcpy(in->kind_name, CRTA_DATA(a), n);
			in->kind_name[n] = 0;
		} else if (a->rta_type == IFLA_INFO_DATA) {
			data = a;
		}
	}
	if (strcmp(in->kind_name, "can") == 0)
		in->kind = CANLINK_KIND_CAN;
	else if (strcmp(in->kind_name, "vcan") == 0)
		in->kind = CANLINK_KIND_VCAN;
	else if (strcmp(in->kind_name, "vxcan") == 0)
		in->kind = CANLINK_KIND_VXCAN;
	/* IFLA_INFO_DATA's layout depends on the kind: only "can" has the CAN attributes. */
	if (data && in->kind == CANLINK_KIND_CAN)
		parse_can_data(data, in);
}

int canlink_parse_link(const void *msg, size_t len, struct canlink_info *ret)
{
	const struct nlmsghdr *h = msg;
	const struct ifinfomsg *ifi;
	const struct rtattr *a;
	struct canlink_info in;
	int alen;

	if (len < NLMSG_LENGTH(sizeof(*ifi)) || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) ||
	    h->nlmsg_len > len || (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK))
		return -EBADMSG;
	memset(&in, 0, sizeof(in));
	ifi = CNLMSG_DATA(h);
	in.ifindex = ifi->ifi_index;
	in.is_can = ifi->ifi_type == ARPHRD_CAN;
	in.up = ifi->ifi_flags & IFF_UP;
	in.carrier = ifi->ifi_flags & IFF_LOWER_UP;
	alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
	for (a = CIFLA_RTA(ifi); RTA_OK(a, alen); a = CRTA_NEXT(a, alen)) {
		size_t l = RTA_PAYLOAD(a);

		if (a->rta_type == IFLA_IFNAME && l > 0) {
			size_t n = strnlen(CRTA_DATA(a), l);

			if (n >= sizeof(in.ifname))
				return -EBADMSG;
			memcpy(in.ifname, CRTA_DATA(a), n);
			in.ifname[n] = 0;
		} else if (a->rta_type == IFLA_LINKINFO) {
			parse_linkinfo(a, &in);
		}
	}
	*ret = in;
	return 0;
}

int canlink_parse_reply(const void *buf, size_t len, uint32_t seq, struct canlink_info *info,
			struct canlink_err *err)
{
	const struct nlmsghdr *h = buf;
	size_t left = len;

	if (err)
		err->msg[0] = 0;
	/* Not NLMSG_NEXT: with an unaligned last length it underflows `left` and walks on. */
	for (; NLMSG_OK(h, left);
	     left -= NLMSG_ALIGN(h->nlmsg_len), h = (const void *)((const char *)h +
								 NLMSG_ALIGN(h->nlmsg_len))) {
		if (NLMSG_ALIGN(h->nlmsg_len) > left)
			left = NLMSG_ALIGN(h->nlmsg_len);	/* the last one: end after it */
		if (h->nlmsg_seq != seq)
			continue;	/* an answer to an earlier, abandoned request */
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = CNLMSG_DATA(h);
			size_t off, end = h->nlmsg_len;

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			/* extack TLVs follow the error and the (capped) request header */
			off = NLMSG_LENGTH(sizeof(*e));
			if (!(h->nlmsg_flags & NLM_F_CAPPED))
				off += e->msg.nlmsg_len > sizeof(e->msg) ?
					       NLMSG_ALIGN(e->msg.nlmsg_len - sizeof(e->msg)) : 0;
			if (err && (h->nlmsg_flags & NLM_F_ACK_TLVS) && off < end) {
				const struct nlattr *a = (const void *)((const char *)h + off);
				size_t al = end - off;

				while (al >= sizeof(*a) && a->nla_len >= sizeof(*a) &&
				       a->nla_len <= al) {
					size_t pl = a->nla_len - NLA_HDRLEN;

					if (a->nla_type == NLMSGERR_ATTR_MSG && pl > 0) {
						size_t n = strnlen((const char *)a + NLA_HDRLEN, pl);

						if (n >= sizeof(err->msg))
							n = sizeof(err->msg) - 1;
						memcpy(err->msg, (const char *)a + NLA_HDRLEN, n);
						err->msg[n] = 0;
						/* the kernel's sentence, without its newline */
						while (n && (err->msg[n - 1] == '\n'))
							err->msg[--n] = 0;
					}
					if ((size_t)NLA_ALIGN(a->nla_len) >= al)
						break;
					al -= (size_t)NLA_ALIGN(a->nla_len);
					a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
				}
			}
			if (e->error > 0 || e->error < -4095)
				return -EBADMSG;
			return e->error;
		}
		if (h->nlmsg_type == RTM_NEWLINK && info) {
			int r = canlink_parse_link(h, h->nlmsg_len, info);

			return r < 0 ? r : 1;
		}
	}
	return -EBADMSG;
}

/* ---- building ----------------------------------------------------------------------------- */

struct msgbuf {
	char *buf;
	size_t cap;
	struct nlmsghdr *h;
	bool overflow;
};

static struct rtattr *add_attr(struct msgbuf *m, unsigned short type, const void *data,
			       size_t len)
{
	size_t at = NLMSG_ALIGN(m->h->nlmsg_len);
	struct rtattr *a;

	if (at + RTA_SPACE(len) > m->cap) {
		m->overflow = true;
		return NULL;
	}
	a = (struct rtattr *)(m->buf + at);
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	memset((char *)RTA_DATA(a) + len, 0, RTA_SPACE(len) - RTA_LENGTH(len));
	m->h->nlmsg_len = (uint32_t)(at + RTA_SPACE(len));
	return a;
}

static void end_nest(struct msgbuf *m, struct rtattr *nest)
{
	if (nest)
		nest->rta_len = (unsigned short)((char *)m->buf + m->h->nlmsg_len - (char *)nest);
}

static int start(struct msgbuf *m, void *buf, size_t cap, uint16_t type, uint16_t flags,
		 uint32_t seq, int ifindex)
{
	struct ifinfomsg *ifi;

	if (cap < NLMSG_SPACE(sizeof(*ifi)))
		return -ENOBUFS;
	memset(buf, 0, NLMSG_SPACE(sizeof(*ifi)));
	m->buf = buf;
	m->cap = cap;
	m->overflow = false;
	m->h = buf;
	m->h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	m->h->nlmsg_type = type;
	m->h->nlmsg_flags = flags;
	m->h->nlmsg_seq = seq;
	ifi = NLMSG_DATA(m->h);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return 0;
}

int canlink_build_get(void *buf, size_t cap, uint32_t seq, const char *ifname)
{
	struct msgbuf m;
	size_t n = strlen(ifname);

	if (n == 0 || n >= CANLINK_IFNAME_MAX)
		return -EINVAL;
	if (start(&m, buf, cap, RTM_GETLINK, NLM_F_REQUEST, seq, 0) < 0)
		return -ENOBUFS;
	add_attr(&m, IFLA_IFNAME, ifname, n + 1);
	return m.overflow ? -ENOBUFS : (int)m.h->nlmsg_len;
}

int canlink_build_configure(void *buf, size_t cap, uint32_t seq, int ifindex,
			    const struct canlink_settings *s, unsigned int what)
{
	struct msgbuf m;
	struct rtattr *li, *data;

	if (ifindex <= 0)
		return -EINVAL;
	if (start(&m, buf, cap, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, ifindex) < 0)
		return -ENOBUFS;
	li = add_attr(&m, IFLA_LINKINFO, NULL, 0);
	add_attr(&m, IFLA_INFO_KIND, "can", 4);
	data = add_attr(&m, IFLA_INFO_DATA, NULL, 0);
	if (what & CANLINK_SET_BITRATE) {
		/* Only the rate: the kernel computes the timing from the controller's clock and
		 * constants (CONFIG_CAN_CALC_BITTIMING), or picks it from its fixed list. */
		struct can_bittiming bt = { .bitrate = s->bitrate };

		add_attr(&m, IFLA_CAN_BITTIMING, &bt, sizeof(bt));
	}
	if (what & CANLINK_SET_CTRLMODE) {
		struct can_ctrlmode cm = { .mask = s->ctrlmode_mask, .flags = s->ctrlmode_flags };

		add_attr(&m, IFLA_CAN_CTRLMODE, &cm, sizeof(cm));
	}
	if (what & CANLINK_SET_RESTART_MS)
		add_attr(&m, IFLA_CAN_RESTART_MS, &s->restart_ms, sizeof(s->restart_ms));
	if (m.overflow)
		return -ENOBUFS;
	end_nest(&m, data);
	end_nest(&m, li);
	return (int)m.h->nlmsg_len;
}

int canlink_build_updown(void *buf, size_t cap, uint32_t seq, int ifindex, bool up)
{
	struct msgbuf m;
	struct ifinfomsg *ifi;

	if (ifindex <= 0)
		return -EINVAL;
	if (start(&m, buf, cap, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, ifindex) < 0)
		return -ENOBUFS;
	ifi = NLMSG_DATA(m.h);
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return (int)m.h->nlmsg_len;
}

/* ---- the socket ----------------------------------------------------------------------------- */

int canlink_nl_open(struct canlink_nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	nl->seq = 1;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	/* The kernel's explanation with every refusal; no copy of our request in the answer. */
	(void)setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(nl->fd);
		nl->fd = -1;
		return r;
	}
	return 0;
}

void canlink_nl_close(struct canlink_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/* Send one request and wait (bounded) for its answer. */
static int transact(struct canlink_nl *nl, const void *req, size_t len, uint32_t seq,
		    struct canlink_info *info, struct canlink_err *err)
{
	char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	int waited = 0;

	if (err)
		err->msg[0] = 0;
	if (sendto(nl->fd, req, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	for (;;) {
		struct pollfd p = { .fd = nl->fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (waited >= NL_TIMEOUT_MS)
			return -ETIMEDOUT;
		r = poll(&p, 1, 100);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0) {
			waited += 100;
			continue;
		}
		n = recv(nl->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		r = canlink_parse_reply(buf, (size_t)n, seq, info, err);
		if (r == -EBADMSG) {
			/* not ours (an older sequence number): keep waiting */
			const struct nlmsghdr *h = (const void *)buf;

			if ((size_t)n >= sizeof(*h) && h->nlmsg_seq != seq)
				continue;
		}
		return r;
	}
}

int canlink_get(struct canlink_nl *nl, const char *ifname, struct canlink_info *ret,
		struct canlink_err *err)
{
	char req[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	uint32_t seq = ++nl->seq;
	int len = canlink_build_get(req, sizeof(req), seq, ifname), r;

	if (len < 0)
		return len;
	r = transact(nl, req, (size_t)len, seq, ret, err);
	if (r == 0)
		return -EBADMSG;	/* an ACK where the link was asked for */
	return r < 0 ? r : 0;
}

int canlink_configure(struct canlink_nl *nl, int ifindex, const struct canlink_settings *s,
		      unsigned int what, struct canlink_err *err)
{
	char req[512] __attribute__((aligned(NLMSG_ALIGNTO)));
	uint32_t seq = ++nl->seq;
	int len = canlink_build_configure(req, sizeof(req), seq, ifindex, s, what);

	if (len < 0)
		return len;
	len = transact(nl, req, (size_t)len, seq, NULL, err);
	return len > 0 ? 0 : len;
}

int canlink_set_up(struct canlink_nl *nl, int ifindex, bool up, struct canlink_err *err)
{
	char req[128] __attribute__((aligned(NLMSG_ALIGNTO)));
	uint32_t seq = ++nl->seq;
	int len = canlink_build_updown(req, sizeof(req), seq, ifindex, up);

	if (len < 0)
		return len;
	len = transact(nl, req, (size_t)len, seq, NULL, err);
	return len > 0 ? 0 : len;
}

/* ---- the bring-up decision ------------------------------------------------------------------ */

static const char *const verdict_names[] = {
	[CANLINK_LEAVE_VIRTUAL] = "virtual",
	[CANLINK_LEAVE_UP] = "already-up",
	[CANLINK_LEAVE_NOT_CAN] = "not-can",
	[CANLINK_REFUSE_RATE] = "unsupported-bitrate",
	[CANLINK_BRING_UP] = "bring-up",
};

const char *canlink_verdict_name(enum canlink_verdict v)
{
	return (unsigned int)v < sizeof(verdict_names) / sizeof(verdict_names[0]) ?
		       verdict_names[v] : "unknown";
}

void canlink_plan(const struct canlink_info *in, const struct canlink_want *w,
		  struct canlink_plan *ret)
{
	struct canlink_plan p = { .verdict = CANLINK_BRING_UP };
	uint32_t want_mode = w->listen_only ? CAN_CTRLMODE_LISTENONLY : 0;

	if (in->kind == CANLINK_KIND_VCAN || in->kind == CANLINK_KIND_VXCAN) {
		p.verdict = CANLINK_LEAVE_VIRTUAL;
		goto out;
	}
	if (!in->is_can || in->kind != CANLINK_KIND_CAN) {
		p.verdict = CANLINK_LEAVE_NOT_CAN;
		goto out;
	}
	/* Up means someone (a person, networkd, an earlier run) chose its settings: never touch. */
	if (in->up) {
		p.verdict = CANLINK_LEAVE_UP;
		goto out;
	}
	if (w->bitrate) {
		if (in->n_bitrate_const) {
			unsigned int i;
			bool ok = false;

			for (i = 0; i < in->n_bitrate_const; i++)
				ok |= in->bitrate_const[i] == w->bitrate;
			if (!ok) {
				p.verdict = CANLINK_REFUSE_RATE;
				goto out;
			}
		}
		if (in->bitrate_max && w->bitrate > in->bitrate_max) {
			p.verdict = CANLINK_REFUSE_RATE;
			goto out;
		}
		if (!in->has_bittiming || in->bitrate != w->bitrate) {
			p.set |= CANLINK_SET_BITRATE;
			p.s.bitrate = w->bitrate;
		}
	}
	if (!in->has_restart_ms || in->restart_ms != w->restart_ms) {
		p.set |= CANLINK_SET_RESTART_MS;
		p.s.restart_ms = w->restart_ms;
	}
	if ((in->ctrlmode & CAN_CTRLMODE_LISTENONLY) != want_mode) {
		p.set |= CANLINK_SET_CTRLMODE;
		p.s.ctrlmode_mask = CAN_CTRLMODE_LISTENONLY;
		p.s.ctrlmode_flags = want_mode;
	}
out:
	*ret = p;
}

/* ---- bring-up ----------------------------------------------------------------------------- */

static const char *const outcome_names[] = {
	[CANLINK_OUT_LEFT] = "left",
	[CANLINK_OUT_UP] = "up",
	[CANLINK_OUT_REFUSED] = "refused",
	[CANLINK_OUT_GONE] = "gone",
	[CANLINK_OUT_RACED] = "raced",
};

const char *canlink_outcome_name(enum canlink_outcome o)
{
	return (unsigned int)o < sizeof(outcome_names) / sizeof(outcome_names[0]) ?
		       outcome_names[o] : "unknown";
}

/* A failed step: ENODEV is the interface gone; EBUSY after we saw it down is somebody else
 * bringing it up meanwhile (the kernel refuses CAN settings on a running link). */
static int step_failed(struct canlink_result *r, const char *step, int error)
{
	r->step = step;
	r->error = error;
	if (error == -ENODEV)
		r->outcome = CANLINK_OUT_GONE;
	else if (error == -EBUSY)
		r->outcome = CANLINK_OUT_RACED;
	else
		r->outcome = CANLINK_OUT_REFUSED;
	return 0;
}

int canlink_bringup(struct canlink_nl *nl, const char *ifname, const struct canlink_want *want,
		    struct canlink_result *r)
{
	unsigned int first;
	int e;

	memset(r, 0, sizeof(*r));
	e = canlink_get(nl, ifname, &r->before, &r->err);
	if (e == -ENODEV)
		return step_failed(r, "query", e);
	if (e < 0)
		return e;
	canlink_plan(&r->before, want, &r->plan);
	switch (r->plan.verdict) {
	case CANLINK_LEAVE_VIRTUAL:
	case CANLINK_LEAVE_UP:
		r->outcome = CANLINK_OUT_LEFT;
		return 0;
	case CANLINK_LEAVE_NOT_CAN:
	case CANLINK_REFUSE_RATE:
		r->outcome = CANLINK_OUT_REFUSED;
		r->step = "plan";
		r->error = r->plan.verdict == CANLINK_REFUSE_RATE ? -EINVAL : -EOPNOTSUPP;
		return 0;
	case CANLINK_BRING_UP:
		break;
	}
	first = r->plan.set & (CANLINK_SET_BITRATE | CANLINK_SET_CTRLMODE);
	if (first) {
		e = canlink_configure(nl, r->before.ifindex, &r->plan.s, first, &r->err);
		if (e < 0)
			return step_failed(r, "configure", e);
	}
	if (r->plan.set & CANLINK_SET_RESTART_MS) {
		struct canlink_err rerr;

		e = canlink_configure(nl, r->before.ifindex, &r->plan.s, CANLINK_SET_RESTART_MS,
				      &rerr);
		if (e == -EOPNOTSUPP)
			r->restart_unsupported = r->plan.s.restart_ms != 0;
		else if (e < 0) {
			r->err = rerr;
			return step_failed(r, "restart-ms", e);
		}
	}
	e = canlink_set_up(nl, r->before.ifindex, true, &r->err);
	if (e < 0)
		return step_failed(r, "up", e);
	e = canlink_get(nl, ifname, &r->after, NULL);
	if (e == -ENODEV)
		return step_failed(r, "query", e);
	r->outcome = CANLINK_OUT_UP;
	return 0;
}
