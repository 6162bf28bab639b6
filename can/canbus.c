// SPDX-License-Identifier: MIT
/*
 * SocketCAN access: interface checks, kernel ISO-TP sockets (ISO 15765-2 in the kernel, so the
 * segmentation, FC, STmin and SN checks are the kernel's, see net/can/isotp.c) and the functional
 * discovery on CAN_RAW.
 *
 * Why discovery on CAN_RAW and reading on ISO-TP: a functional request may be answered by any
 * responder (256 possible on 29-bit and BMW), so ISO-TP sockets cannot be opened in advance for
 * all of them.  Discovery uses a request whose answer fits a Single Frame (01 00, 3E 00), only
 * notes who answered, and never sends a Flow Control; every multi-frame read is then physical,
 * on an ISO-TP socket whose FC goes to that ECU's physical request id — never the functional id.
 */
#include <errno.h>
#include <net/if.h>
#include <limits.h>
#include <net/if_arp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <linux/can.h>
#include <linux/can/isotp.h>
#include <linux/can/raw.h>

#include "can/canbus-internal.h"

#define ISOTP_PAD 0xCC	/* ISO 15765-4 leaves the fill byte open; 0xCC is common in OBD */

uint64_t canbus_now_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int canbus_check(const char *iface)
{
	struct ifreq ifr;
	int fd, r = 0;

	if (!iface || !*iface || strlen(iface) >= IFNAMSIZ)
		return -ENODEV;
	/* Any socket carries interface ioctls; a Unix one is there under every sandbox (recalld's
	 * unit and its check children allow no AF_INET), as glibc's if_nametoindex also uses. */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, iface);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		r = errno == ENODEV || errno == ENXIO ? -ENODEV : -errno;
		goto out;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_CAN) {
		r = -EPROTOTYPE;
		goto out;
	}
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		r = -errno;
		goto out;
	}
	if (!(ifr.ifr_flags & IFF_UP))
		r = -ENETDOWN;
out:
	close(fd);
	return r;
}

/*
 * net/can/isotp.c unbinds a socket when its interface is unregistered (sk_err ENODEV is reported
 * once, to whoever reads first); a later sendmsg on it fails with EADDRNOTAVAIL.  For us that
 * can only mean the interface was removed: say so, so reading stops (-ENODEV) instead of
 * failing every remaining DID with "cannot assign requested address".
 */
static int k_errno(int e)
{
	return e == EADDRNOTAVAIL ? -ENODEV : -e;
}

static int k_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct canbus_isotp *s = ctx;
	ssize_t n = write(s->fd, buf, len);

	if (n < 0)
		return k_errno(errno);
	return (size_t)n == len ? 0 : -EIO;
}

static ssize_t k_recv(void *ctx, uint8_t *buf, size_t cap, unsigned int timeout_ms)
{
	struct canbus_isotp *s = ctx;
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	ssize_t n;
	int r;

	do
		r = poll(&p, 1, (int)timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	n = read(s->fd, buf, cap);
	/* the kernel's receiver gave up a reassembly (N_Cr: no Consecutive Frame within 1 s after
	 * a First Frame or the last CF, net/can/isotp.c): an answer that stopped half-way, not
	 * silence — said as such (-ETIME) */
	if (n < 0 && errno == ETIMEDOUT)
		return -ETIME;
	if (n < 0)
		return k_errno(errno);
	return n;
}

bool canbus_stmin_ok(uint8_t stmin)
{
	return stmin <= 0x7F || (stmin >= 0xF1 && stmin <= 0xF9);
}

int canbus_isotp_open(const char *iface, enum ident_scheme scheme, uint32_t ecu, bool fd,
		      uint8_t stmin, struct canbus_isotp *s, struct isotp_transport *t)
{
	const struct ident_scheme_desc *d = ident_scheme_desc(scheme);
	struct can_isotp_options opts = { 0 };
	struct can_isotp_fc_options fc = { 0 };
	struct can_isotp_ll_options ll = { 0 };
	struct sockaddr_can addr = { 0 };
	uint32_t tx, rx;
	int fd_ = -1, r;
	unsigned int idx;

	r = ident_scheme_ids(scheme, ecu, &tx, &rx);
	if (r < 0)
		return r;
	if (!canbus_stmin_ok(stmin))
		return -EINVAL;
	idx = if_nametoindex(iface);
	if (!idx)
		return -ENODEV;
	fd_ = socket(PF_CAN, SOCK_DGRAM | SOCK_CLOEXEC, CAN_ISOTP);
	if (fd_ < 0)
		return -errno;
	/* ISO 15765-4: transmit frames padded to 8 bytes; accept unpadded frames on receive. */
	opts.flags = CAN_ISOTP_TX_PADDING;
	opts.txpad_content = ISOTP_PAD;
	if (d->ext_addr) {
		opts.flags |= CAN_ISOTP_EXTEND_ADDR;
		opts.ext_address = (uint8_t)ecu;
	}
	if (d->rx_ext >= 0) {
		opts.flags |= CAN_ISOTP_RX_EXT_ADDR;
		opts.rx_ext_address = (uint8_t)d->rx_ext;
	}
	if (setsockopt(fd_, SOL_CAN_ISOTP, CAN_ISOTP_OPTS, &opts, sizeof(opts)) < 0)
		goto err;
	/* Our FC: no block limit; STmin 0 unless the caller must slow a slow ECU down. */
	fc.bs = 0;
	fc.stmin = stmin;
	fc.wftmax = 0;
	if (setsockopt(fd_, SOL_CAN_ISOTP, CAN_ISOTP_RECV_FC, &fc, sizeof(fc)) < 0)
		goto err;
	/*
	 * CAN FD (ISO 15765-2:2016): the kernel's link layer takes only frames of its own MTU, so
	 * an FD ECU needs an FD socket (and a classic one a classic socket).  TX_DL 64; no bit rate
	 * switch asked, which a bus without a data bit rate could not carry.
	 */
	if (fd) {
		ll.mtu = CANFD_MTU;
		ll.tx_dl = CANFD_MAX_DLEN;
		ll.tx_flags = 0;
		if (setsockopt(fd_, SOL_CAN_ISOTP, CAN_ISOTP_LL_OPTS, &ll, sizeof(ll)) < 0)
			goto err;
	}
	addr.can_family = AF_CAN;
	addr.can_ifindex = (int)idx;
	addr.can_addr.tp.tx_id = tx;
	addr.can_addr.tp.rx_id = rx;
	if (bind(fd_, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		goto err;
	s->fd = fd_;
	t->ctx = s;
	t->send = k_send;
	t->recv = k_recv;
	t->now_ms = canbus_now_ms;
	return 0;
err:
	r = -errno;
	close(fd_);
	/* the kernel refuses an FD link layer on a classic interface only at bind/send time; an
	 * old kernel without LL options says ENOPROTOOPT */
	return r;
}

void canbus_isotp_close(struct canbus_isotp *s)
{
	if (s && s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
}

int canbus_response_ecu(enum ident_scheme scheme, uint32_t can_id, const uint8_t *data,
			size_t len, uint32_t *ret_ecu)
{
	const struct ident_scheme_desc *d = ident_scheme_desc(scheme);
	bool eff = can_id & CAN_EFF_FLAG;
	uint32_t id = can_id & (eff ? CAN_EFF_MASK : CAN_SFF_MASK), ecu;

	if (!d || !d->func_id || (can_id & (CAN_RTR_FLAG | CAN_ERR_FLAG)) || eff != d->eff)
		return -ENOENT;
	if (id < d->rx_base || (id - d->rx_base) % d->rx_mul)
		return -ENOENT;
	ecu = (id - d->rx_base) / d->rx_mul;
	if (!ident_scheme_addr_ok(scheme, ecu))
		return -ENOENT;
	/* an answer of an extended-address scheme is addressed to the tester in its first byte */
	if (d->rx_ext >= 0 && (!data || len < 1 || data[0] != (uint8_t)d->rx_ext))
		return -ENOENT;
	*ret_ecu = ecu;
	return 0;
}

int canbus_probe_frame(const struct ident_probe *p, uint32_t *can_id, uint8_t data[8])
{
	const struct ident_scheme_desc *d = ident_scheme_desc(p->scheme);
	size_t o = 0;
	uint32_t tx, rx;

	if (!d)
		return -EINVAL;
	memset(data, ISOTP_PAD, 8);
	if (p->ecu == IDENT_ECU_ANY) {
		if (!d->func_id)
			return -EINVAL;
		*can_id = d->func_id | (d->eff ? CAN_EFF_FLAG : 0);
		if (d->func_ext >= 0)
			data[o++] = (uint8_t)d->func_ext;
	} else {
		if (ident_scheme_ids(p->scheme, p->ecu, &tx, &rx) < 0)
			return -EINVAL;
		*can_id = tx;
		if (d->ext_addr)
			data[o++] = (uint8_t)p->ecu;
	}
	data[o++] = 0x02;	/* Single Frame, 2 bytes */
	data[o++] = p->ecu == IDENT_ECU_ANY ? d->probe[0] : d->phys_probe[0];
	data[o] = p->ecu == IDENT_ECU_ANY ? d->probe[1] : d->phys_probe[1];
	return 0;
}

int canbus_sf_payload(const struct ident_scheme_desc *d, const uint8_t *data, size_t len,
		      const uint8_t **ret, size_t *ret_len)
{
	size_t o = d->rx_ext >= 0 ? 1 : 0, n;

	if (len < o + 1 || data[o] >> 4 != 0)
		return -ENOENT;
	n = data[o++] & 0x0F;
	if (n == 0) {	/* CAN FD: escape sequence, the length in the next byte */
		if (len < o + 1)
			return -ENOENT;
		n = data[o++];
	}
	if (n == 0 || n > len - o)
		return -ENOENT;
	*ret = data + o;
	*ret_len = n;
	return 0;
}

/* ---- the SocketCAN bus ---- */

#define SC_MAX_PROBES 320
#define SC_MAX_SEEN 512

struct sc_probe {
	struct ident_probe p;
	uint32_t rx;			/* physical probes: the response id */
	uint64_t sent_ns;		/* CLOCK_REALTIME, as the kernel stamps frames */
};

struct sc_bus {
	char iface[IFNAMSIZ];
	int raw;
	size_t n_probes;
	struct sc_probe probes[SC_MAX_PROBES];
	size_t n_seen;
	struct { enum ident_scheme scheme; uint32_t ecu; } seen[SC_MAX_SEEN];
};

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int sc_raw_open(struct sc_bus *b)
{
	struct sockaddr_can addr = { 0 };
	int one = 1, fd;
	unsigned int idx = if_nametoindex(b->iface);

	if (!idx)
		return -ENODEV;
	fd = socket(PF_CAN, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, CAN_RAW);
	if (fd < 0)
		return -errno;
	/* CAN FD answers are dropped by a raw socket that does not ask for them */
	(void)setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &one, sizeof(one));
	/* kernel receive time stamps: how long an ECU took, also when the frame is read late */
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	addr.can_family = AF_CAN;
	addr.can_ifindex = (int)idx;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	b->raw = fd;
	return 0;
}

static int sc_mtu(const char *iface)
{
	struct ifreq ifr;
	/* a Unix socket, as in canbus_check: AF_INET is refused in recalld's check children
	 * (seccomp) and by its unit (RestrictAddressFamilies) */
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	r = ioctl(fd, SIOCGIFMTU, &ifr) < 0 ? -errno : ifr.ifr_mtu;
	close(fd);
	return r;
}

int canbus_fd_ok(const char *iface)
{
	int r = sc_mtu(iface);

	if (r < 0)
		return r == -ENXIO ? -ENODEV : r;
	return r == CANFD_MTU ? 0 : -EMEDIUMTYPE;
}

static int sc_probe(void *ctx, const struct ident_probe *p, size_t n, bool fd)
{
	struct sc_bus *b = ctx;
	int r;

	if (b->raw < 0 && (r = sc_raw_open(b)) < 0)
		return r;
	if (fd && (r = canbus_fd_ok(b->iface)) < 0)
		return r;	/* -EMEDIUMTYPE: not a CAN FD interface (MTU 16) */
	for (size_t i = 0; i < n; i++) {
		struct canfd_frame f = { 0 };
		struct sc_probe *sp;
		uint32_t tx;
		ssize_t w;
		bool pfd;

		if (b->n_probes >= SC_MAX_PROBES)
			return -ENOSPC;
		if (canbus_probe_frame(&p[i], &f.can_id, f.data) < 0)
			return -EINVAL;
		f.len = 8;
		sp = &b->probes[b->n_probes];
		sp->p = p[i];
		if (p[i].ecu != IDENT_ECU_ANY)
			(void)ident_scheme_ids(p[i].scheme, p[i].ecu, &tx, &sp->rx);
		sp->sent_ns = realtime_ns();
		/* as CAN FD only on schemes that have it: D-CAN is classic CAN */
		pfd = fd && ident_scheme_desc(p[i].scheme)->fd_ok;
		do
			w = write(b->raw, &f, pfd ? CANFD_MTU : CAN_MTU);
		while (w < 0 && errno == EINTR);
		if (w < 0 && errno == ENOBUFS) {
			/* the interface queue is full: give the driver a moment, once */
			struct pollfd pw = { .fd = b->raw, .events = POLLOUT };

			(void)poll(&pw, 1, 10);
			w = write(b->raw, &f, pfd ? CANFD_MTU : CAN_MTU);
		}
		if (w < 0)
			return k_errno(errno);
		b->n_probes++;
	}
	return 0;
}

/* Which probe does this frame answer, and from which ECU?  0 and *ret_i, *ret_ecu, or -ENOENT. */
static int sc_classify(const struct sc_bus *b, const struct canfd_frame *f, size_t len,
		       size_t *ret_i, uint32_t *ret_ecu)
{
	for (size_t i = 0; i < b->n_probes; i++) {
		const struct sc_probe *sp = &b->probes[i];
		const struct ident_scheme_desc *d = ident_scheme_desc(sp->p.scheme);
		uint32_t ecu;

		if (sp->p.ecu == IDENT_ECU_ANY) {
			if (canbus_response_ecu(sp->p.scheme, f->can_id, f->data, len, &ecu) < 0)
				continue;
		} else {
			if (f->can_id != sp->rx || (f->can_id & (CAN_RTR_FLAG | CAN_ERR_FLAG)))
				continue;
			if (d->rx_ext >= 0 && (len < 1 || f->data[0] != (uint8_t)d->rx_ext))
				continue;
			ecu = sp->p.ecu;
		}
		*ret_i = i;
		*ret_ecu = ecu;
		return 0;
	}
	return -ENOENT;
}

static int sc_next_answer(void *ctx, unsigned int wait_ms, struct ident_answer *a)
{
	struct sc_bus *b = ctx;
	uint64_t end = canbus_now_ms(NULL) + wait_ms;

	if (b->raw < 0)
		return 0;
	for (;;) {
		struct canfd_frame f;
		struct iovec iov = { .iov_base = &f, .iov_len = sizeof(f) };
		char cbuf[CMSG_SPACE(sizeof(struct timespec))];
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		struct pollfd p = { .fd = b->raw, .events = POLLIN };
		uint64_t now, at_ns = 0;
		size_t i, k;
		uint32_t ecu;
		ssize_t got;
		int r;

		got = recvmsg(b->raw, &mh, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno != EAGAIN) {
			if (errno == ENETDOWN || errno == ENODEV || errno == ENXIO)
				return -ENODEV;
			return -errno;
		}
		if (got < 0) {
			now = canbus_now_ms(NULL);
			if (now >= end)
				return 0;
			/* a wait beyond INT_MAX ms would turn into poll's "for ever" */
			r = poll(&p, 1, end - now > INT_MAX ? INT_MAX : (int)(end - now));
			if (r < 0 && errno != EINTR)
				return -errno;
			if (r == 0)
				return 0;
			if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
				int err = 0;
				socklen_t el = sizeof(err);

				(void)getsockopt(b->raw, SOL_SOCKET, SO_ERROR, &err, &el);
				if (err)
					return err == ENETDOWN || err == ENODEV ? -ENODEV : -err;
			}
			continue;
		}
		if (got != CAN_MTU && got != CANFD_MTU)
			continue;
		if (f.len > (got == CANFD_MTU ? CANFD_MAX_DLEN : CAN_MAX_DLEN))
			continue;
		if (sc_classify(b, &f, f.len, &i, &ecu) < 0)
			continue;
		for (k = 0; k < b->n_seen; k++)
			if (b->seen[k].scheme == b->probes[i].p.scheme && b->seen[k].ecu == ecu)
				break;
		if (k < b->n_seen)
			continue;	/* known already (its further frames, its physical reads) */
		if (b->n_seen < SC_MAX_SEEN) {
			b->seen[b->n_seen].scheme = b->probes[i].p.scheme;
			b->seen[b->n_seen].ecu = ecu;
			b->n_seen++;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				at_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
			}
		if (!at_ns)
			at_ns = realtime_ns();
		memset(a, 0, sizeof(*a));
		a->scheme = b->probes[i].p.scheme;
		a->ecu = ecu;
		a->fd = got == CANFD_MTU;
		/* a UDS ECU's answer to its physical 10 01 probe announces its P2 and P2* */
		{
			const uint8_t *pl;
			size_t pn;

			if (b->probes[i].p.ecu != IDENT_ECU_ANY &&
			    canbus_sf_payload(ident_scheme_desc(a->scheme), f.data, f.len, &pl,
					      &pn) == 0 &&
			    uds_parse_dsc_timing(pl, pn, &a->p2_ms, &a->p2star_ms) == 0)
				a->timing = true;
		}
		a->after_ms = at_ns > b->probes[i].sent_ns ?
			(unsigned int)((at_ns - b->probes[i].sent_ns) / 1000000u) : 0;
		/* its kernel time stamp on the reader's (monotonic) clock: the quiet gap after
		 * the last answer counts from when it came, not from when it was read */
		{
			uint64_t rt = realtime_ns(), mono = canbus_now_ms(NULL), age;

			age = rt > at_ns ? (rt - at_ns) / 1000000u : 0;
			a->at_ms = mono > age ? mono - age : mono;
		}
		return 1;
	}
}

static int sc_open(void *ctx, enum ident_scheme scheme, uint32_t ecu, bool fd, uint8_t stmin,
		   struct isotp_transport *t)
{
	struct sc_bus *b = ctx;
	struct canbus_isotp *s = malloc(sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->fd = -1;
	r = canbus_isotp_open(b->iface, scheme, ecu, fd, stmin, s, t);
	if (r < 0)
		free(s);
	return r;
}

static void sc_close(void *ctx, struct isotp_transport *t)
{
	(void)ctx;
	if (t && t->ctx) {
		canbus_isotp_close(t->ctx);
		free(t->ctx);
		t->ctx = NULL;
	}
}

/* One poll over the transports' ISO-TP sockets (and the raw discovery socket). */
static int sc_wait(void *ctx, const struct isotp_transport *const *t, size_t n,
		   unsigned int wait_ms, bool answers)
{
	struct sc_bus *b = ctx;
	struct pollfd p[IDENT_MAX_ECUS + 1];
	size_t k = 0;
	int r;

	for (size_t i = 0; i < n && k < IDENT_MAX_ECUS; i++)
		p[k++] = (struct pollfd){ .fd = ((struct canbus_isotp *)t[i]->ctx)->fd,
					  .events = POLLIN };
	if (answers && b->raw >= 0)
		p[k++] = (struct pollfd){ .fd = b->raw, .events = POLLIN };
	r = poll(p, k, wait_ms > INT_MAX ? INT_MAX : (int)wait_ms);
	if (r < 0 && errno != EINTR)
		return -errno;
	return 0;
}

static const struct ident_bus_ops sc_ops = {
	.probe = sc_probe,
	.next_answer = sc_next_answer,
	.open = sc_open,
	.close = sc_close,
	.wait = sc_wait,
	.now_ms = canbus_now_ms,
};

int ident_bus_socketcan(const char *iface, struct ident_bus *bus)
{
	struct sc_bus *b;
	int r;

	if (!bus)
		return -EINVAL;
	r = canbus_check(iface);
	if (r < 0)
		return r;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	snprintf(b->iface, sizeof(b->iface), "%s", iface);
	b->raw = -1;
	bus->ops = &sc_ops;
	bus->ctx = b;
	return 0;
}

void ident_bus_socketcan_free(struct ident_bus *bus)
{
	struct sc_bus *b;

	if (!bus || !bus->ctx)
		return;
	b = bus->ctx;
	if (b->raw >= 0)
		close(b->raw);
	free(b);
	bus->ctx = NULL;
}
