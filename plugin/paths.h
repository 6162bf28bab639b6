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
#ifndef RECALLD_LOCALSTATEDIR
#define RECALLD_LOCALSTATEDIR "/var"
#endif
#ifndef RECALLD_RUNSTATEDIR
#define RECALLD_RUNSTATEDIR "/run"
#endif

#define RECALLD_CONFIG_PATH RECALLD_SYSCONFDIR "/recalld.conf"
#define RECALLD_DATABASE_PATH RECALLD_DATADIR "/recalls.rdb"
#define RECALLD_REPORT_DIR RECALLD_LOCALSTATEDIR "/lib/recalld/reports"
#define RECALLD_SOCKET_PATH RECALLD_RUNSTATEDIR "/recalld/control.sock"
#define RECALLD_HISTORY_PATH RECALLD_LOCALSTATEDIR "/lib/recalld/history.db"

#endif
