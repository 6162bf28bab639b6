/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Built-in paths.  The build passes the install layout (make PREFIX=… SYSCONFDIR=…), so an
 * installed program finds its files without a configuration; these fallbacks are for builds by
 * hand.
 */
#ifndef RECALL_PATHS_H
#define RECALL_PATHS_H

#ifndef RECALLD_DATADIR
#define RECALLD_DATADIR "/usr/local/share/recalld"
#endif
#ifndef RECALLD_SYSCONFDIR
#define RECALLD_SYSCONFDIR "/etc"
#endif

#define RECALLD_CONFIG_PATH RECALLD_SYSCONFDIR "/recalld.conf"
#define RECALLD_SOCKET_PATH "/run/recalld/control.sock"

#endif
