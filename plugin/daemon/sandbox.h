/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Least privilege for recalld's processes (libcap-ng, libseccomp):
 *
 *   daemon       runs as the configured user with no capabilities at all
 *   link helper  the one process that keeps CAP_NET_ADMIN (linkup.c), and nothing else
 *   check child  no capabilities, no_new_privs, a seccomp filter allowing what a read needs:
 *                CAN sockets, the reply pipe, the clock, memory — anything else kills it
 */
#ifndef RECALLD_SANDBOX_H
#define RECALLD_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

/* Look up a user: uid, primary gid; -ENOENT when there is none. */
int sandbox_lookup_user(const char *user, uid_t *ret_uid, gid_t *ret_gid);

/* Become uid/gid (with that user's supplementary groups cleared), keeping only the capabilities
 * listed in keep (e.g. { CAP_NET_ADMIN }, n 1), in the effective, permitted and ambient sets;
 * n 0 drops every capability.  uid (uid_t)-1 keeps the current user.  Bounding set cleared where
 * we are allowed to. */
int sandbox_become(uid_t uid, gid_t gid, const int *keep, unsigned int n);

/* In a check child, before it reads the car: every capability dropped, no_new_privs, the seccomp
 * filter.  Returns 0 or a negative errno (the child must not go on without it). */
int sandbox_check_child(void);

/* The link helper's filter: its socketpair and a NETLINK_ROUTE socket. */
int sandbox_link_helper(void);

#endif
