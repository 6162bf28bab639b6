/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * udev monitor: the "udev" source where udevd runs (/run/udev/control exists), the kernel's own
 * uevents otherwise (the test VM has no udevd).  rtnetlink (RTMGRP_LINK): link up/down, and new
 * and removed links racing with udev.  rtnetlink overflow (ENOBUFS) means events were lost: the
 * truth is asked of udev again.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <linux/if_arp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <libudev.h>

#include "plugin/daemon/linkwatch.h"
#include "plugin/daemon/loop.h"

struct linkwatch {
	struct loop *l;
	const struct linkwatch_ops *ops;
	void *ctx;
	struct udev *udev;
	struct udev_monitor *mon;
	int mon_fd;
	int rtnl_fd;
};

static bool udev_is_can(struct udev_device *dev, bool *ret_up)
{
	const char *type = udev_device_get_sysattr_value(dev, "type");
	const char *flags = udev_device_get_sysattr_value(dev, "flags");

	if (!type || strtoul(type, NULL, 10) != ARPHRD_CAN)
		return false;
	*ret_up = flags && (strtoul(flags, NULL, 16) & IFF_UP);
	return true;
}

int linkwatch_enumerate(struct linkwatch *lw)
{
	struct udev_enumerate *e = udev_enumerate_new(lw->udev);
	struct udev_list_entry *le;

	if (!e)
		return -ENOMEM;
	udev_enumerate_add_match_subsystem(e, "net");
	udev_enumerate_scan_devices(e);
	udev_list_entry_foreach(le, udev_enumerate_get_list_entry(e))
	{
		struct udev_device *dev =
			udev_device_new_from_syspath(lw->udev, udev_list_entry_get_name(le));
		bool up;

		if (!dev)
			continue;
		if (udev_is_can(dev, &up))
			lw->ops->seen(lw->ctx, udev_device_get_sysname(dev), up);
		udev_device_unref(dev);
	}
	udev_enumerate_unref(e);
	return 0;
}

static void udev_readable(void *ctx, int fd, uint32_t events)
{
	struct linkwatch *lw = ctx;
	struct udev_device *dev;

	(void)fd;
	(void)events;
	while ((dev = udev_monitor_receive_device(lw->mon))) {
		const char *action = udev_device_get_action(dev);
		const char *name = udev_device_get_sysname(dev);
		bool up;

		if (action && name && strlen(name) < IFNAMSIZ) {
			if (strcmp(action, "remove") == 0)
				lw->ops->gone(lw->ctx, name);
			else if ((strcmp(action, "add") == 0 || strcmp(action, "change") == 0 ||
				  strcmp(action, "move") == 0) && udev_is_can(dev, &up))
				lw->ops->seen(lw->ctx, name, up);
		}
		udev_device_unref(dev);
	}
}

static void rtnl_readable(void *ctx, int fd, uint32_t events)
{
	struct linkwatch *lw = ctx;
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));

	(void)events;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			syslog(LOG_WARNING, "rtnetlink: events lost, re-enumerating interfaces");
			(void)linkwatch_enumerate(lw);
			continue;
		}
		if (n <= 0)
			return;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct ifinfomsg *ifi;
			struct rtattr *a;
			int alen;
			const char *name = NULL;
			char nbuf[IFNAMSIZ];

			if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
				continue;
			ifi = NLMSG_DATA(h);
			if (ifi->ifi_type != ARPHRD_CAN)
				continue;
			alen = (int)IFLA_PAYLOAD(h);
			for (a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
				size_t len = RTA_PAYLOAD(a);

				if (a->rta_type != IFLA_IFNAME || len == 0 || len > IFNAMSIZ)
					continue;
				memcpy(nbuf, RTA_DATA(a), len);
				nbuf[len - 1] = 0;
				name = nbuf;
			}
			if (!name || !*name)
				continue;
			if (h->nlmsg_type == RTM_DELLINK)
				lw->ops->gone(lw->ctx, name);
			else
				lw->ops->seen(lw->ctx, name, ifi->ifi_flags & IFF_UP);
		}
	}
}

int linkwatch_new(struct loop *l, const struct linkwatch_ops *ops, void *ctx,
		  struct linkwatch **ret)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	struct linkwatch *lw;
	const char *source;
	int r;

	lw = calloc(1, sizeof(*lw));
	if (!lw)
		return -ENOMEM;
	*lw = (struct linkwatch){ .l = l, .ops = ops, .ctx = ctx, .mon_fd = -1, .rtnl_fd = -1 };
	lw->udev = udev_new();
	if (!lw->udev) {
		r = -ENOMEM;
		goto fail;
	}
	/* Without udevd nobody rebroadcasts "udev" events: listen to the kernel's own. */
	source = access("/run/udev/control", F_OK) == 0 ? "udev" : "kernel";
	lw->mon = udev_monitor_new_from_netlink(lw->udev, source);
	if (!lw->mon) {
		r = errno ? -errno : -ENOMEM;
		goto fail;
	}
	udev_monitor_filter_add_match_subsystem_devtype(lw->mon, "net", NULL);
	if (udev_monitor_enable_receiving(lw->mon) < 0) {
		r = -EIO;
		goto fail;
	}
	lw->mon_fd = udev_monitor_get_fd(lw->mon);
	r = loop_add(l, lw->mon_fd, EPOLLIN, udev_readable, lw);
	if (r < 0) {
		lw->mon_fd = -1;
		goto fail;
	}
	syslog(LOG_INFO, "watching %s events for CAN interfaces", source);

	lw->rtnl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (lw->rtnl_fd < 0 || bind(lw->rtnl_fd, (struct sockaddr *)&snl, sizeof(snl)) < 0) {
		r = -errno;
		goto fail;
	}
	r = loop_add(l, lw->rtnl_fd, EPOLLIN, rtnl_readable, lw);
	if (r < 0)
		goto fail;
	r = linkwatch_enumerate(lw);
	if (r < 0)
		goto fail;
	*ret = lw;
	return 0;
fail:
	linkwatch_free(lw);
	return r;
}

struct linkwatch *linkwatch_free(struct linkwatch *lw)
{
	if (!lw)
		return NULL;
	if (lw->mon_fd >= 0)
		loop_del(lw->l, lw->mon_fd);
	if (lw->rtnl_fd >= 0) {
		loop_del(lw->l, lw->rtnl_fd);
		close(lw->rtnl_fd);
	}
	if (lw->mon)
		udev_monitor_unref(lw->mon);
	if (lw->udev)
		udev_unref(lw->udev);
	free(lw);
	return NULL;
}
