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
#include <net/if_arp.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
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
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
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

static int scheme_ids(enum ident_scheme scheme, uint32_t ecu, uint32_t *tx, uint32_t *rx)
{
	switch (scheme) {
	case IDENT_SCHEME_OBD11:
		if (ecu < 0x7E0 || ecu > 0x7E7)
			return -EINVAL;
		*tx = ecu;
		*rx = ecu + 8;
		return 0;
	case IDENT_SCHEME_OBD29:
		if (ecu > 0xFF)
			return -EINVAL;
		*tx = 0x18DA00F1u | ecu << 8 | CAN_EFF_FLAG;
		*rx = 0x18DAF100u | ecu | CAN_EFF_FLAG;
		return 0;
	case IDENT_SCHEME_BMW:
		if (ecu > 0xFF || ecu == 0xF1)
			return -EINVAL;
		*tx = 0x6F1;
		*rx = 0x600 + ecu;
		return 0;
	default:
		return -EINVAL;
	}
}

bool canbus_addr_ok(enum ident_scheme scheme, uint32_t ecu)
{
	uint32_t tx, rx;

	return scheme_ids(scheme, ecu, &tx, &rx) == 0;
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
	if (n < 0)
		return k_errno(errno);
	return n;
}

bool canbus_stmin_ok(uint8_t stmin)
{
	return stmin <= 0x7F || (stmin >= 0xF1 && stmin <= 0xF9);
}

int canbus_isotp_open(const char *iface, enum ident_scheme scheme, uint32_t ecu, uint8_t stmin,
		      struct canbus_isotp *s, struct isotp_transport *t)
{
	struct can_isotp_options opts = { 0 };
	struct can_isotp_fc_options fc = { 0 };
	struct sockaddr_can addr = { 0 };
	uint32_t tx, rx;
	int fd = -1, r;
	unsigned int idx;

	r = scheme_ids(scheme, ecu, &tx, &rx);
	if (r < 0)
		return r;
	if (!canbus_stmin_ok(stmin))
		return -EINVAL;
	idx = if_nametoindex(iface);
	if (!idx)
		return -ENODEV;
	fd = socket(PF_CAN, SOCK_DGRAM | SOCK_CLOEXEC, CAN_ISOTP);
	if (fd < 0)
		return -errno;
	/* ISO 15765-4: transmit frames padded to 8 bytes; accept unpadded frames on receive. */
	opts.flags = CAN_ISOTP_TX_PADDING;
	opts.txpad_content = ISOTP_PAD;
	if (scheme == IDENT_SCHEME_BMW) {
		opts.flags |= CAN_ISOTP_EXTEND_ADDR | CAN_ISOTP_RX_EXT_ADDR;
		opts.ext_address = (uint8_t)ecu;
		opts.rx_ext_address = 0xF1;
	}
	if (setsockopt(fd, SOL_CAN_ISOTP, CAN_ISOTP_OPTS, &opts, sizeof(opts)) < 0)
		goto err;
	/* Our FC: no block limit; STmin 0 unless the caller must slow a slow ECU down. */
	fc.bs = 0;
	fc.stmin = stmin;
	fc.wftmax = 0;
	if (setsockopt(fd, SOL_CAN_ISOTP, CAN_ISOTP_RECV_FC, &fc, sizeof(fc)) < 0)
		goto err;
	addr.can_family = AF_CAN;
	addr.can_ifindex = (int)idx;
	addr.can_addr.tp.tx_id = tx;
	addr.can_addr.tp.rx_id = rx;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		goto err;
	s->fd = fd;
	t->ctx = s;
	t->send = k_send;
	t->recv = k_recv;
	t->now_ms = canbus_now_ms;
	return 0;
err:
	r = -errno;
	close(fd);
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
	bool eff = can_id & CAN_EFF_FLAG;
	uint32_t id = can_id & (eff ? CAN_EFF_MASK : CAN_SFF_MASK);

	if (can_id & (CAN_RTR_FLAG | CAN_ERR_FLAG))
		return -ENOENT;
	switch (scheme) {
	case IDENT_SCHEME_OBD11:
		if (eff || id < 0x7E8 || id > 0x7EF)
			return -ENOENT;
		*ret_ecu = id - 8;
		return 0;
	case IDENT_SCHEME_OBD29:
		if (!eff || (id & 0x1FFFFF00u) != 0x18DAF100u)
			return -ENOENT;
		*ret_ecu = id & 0xFF;
		return 0;
	case IDENT_SCHEME_BMW:
		if (eff || id < 0x600 || id > 0x6FF || id == 0x6F1 || !data || len < 1 ||
		    data[0] != 0xF1)
			return -ENOENT;
		*ret_ecu = id - 0x600;
		return 0;
	default:
		return -ENOENT;
	}
}

int canbus_discover(const char *iface, enum ident_scheme scheme, unsigned int window_ms,
		    uint32_t *ecus, size_t cap)
{
	struct sockaddr_can addr = { 0 };
	struct can_frame f = { 0 };
	unsigned int idx;
	size_t n = 0;
	int fd, r;

	idx = if_nametoindex(iface);
	if (!idx)
		return -ENODEV;
	fd = socket(PF_CAN, SOCK_RAW | SOCK_CLOEXEC, CAN_RAW);
	if (fd < 0)
		return -errno;
	addr.can_family = AF_CAN;
	addr.can_ifindex = (int)idx;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = -errno;
		goto out;
	}
	memset(f.data, ISOTP_PAD, sizeof(f.data));
	f.len = 8;
	switch (scheme) {
	case IDENT_SCHEME_OBD11:
		f.can_id = 0x7DF;
		memcpy(f.data, "\x02\x01\x00", 3);
		break;
	case IDENT_SCHEME_OBD29:
		f.can_id = 0x18DB33F1u | CAN_EFF_FLAG;
		memcpy(f.data, "\x02\x01\x00", 3);
		break;
	case IDENT_SCHEME_BMW:
		f.can_id = 0x6F1;
		memcpy(f.data, "\xDF\x02\x3E\x00", 4);
		break;
	default:
		r = -EINVAL;
		goto out;
	}
	if (write(fd, &f, sizeof(f)) != sizeof(f)) {
		r = -errno;
		goto out;
	}
	uint64_t deadline = canbus_now_ms(NULL) + window_ms;

	for (;;) {
		uint64_t now = canbus_now_ms(NULL);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct can_frame in;
		uint32_t ecu;
		ssize_t got;
		size_t i;

		if (now >= deadline)
			break;
		r = poll(&p, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			goto out;
		}
		if (r == 0)
			break;
		got = read(fd, &in, sizeof(in));
		if (got < 0) {
			r = -errno;
			goto out;
		}
		if ((size_t)got < sizeof(in) || in.len > 8)
			continue;
		if (canbus_response_ecu(scheme, in.can_id, in.data, in.len, &ecu) < 0)
			continue;
		for (i = 0; i < n && ecus[i] != ecu; i++)
			;
		if (i == n && n < cap) {
			ecus[n++] = ecu;
			/* a late responder may follow: keep listening one more window */
			deadline = canbus_now_ms(NULL) + window_ms;
		}
	}
	r = (int)n;
out:
	close(fd);
	return r;
}
