/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every recalld program does the same way on the command line (header only, so the
 * simulator, which links none of the modules, uses it too):
 *
 *   exit status   0 nothing to do, 1 something to do (a finding: open, inspect or undetermined
 *                 campaigns, an invalid VIN, errors in rule files), 2 usage, 3 the work could not
 *                 be done or is incomplete (database unusable, no car, interface missing or down,
 *                 check interrupted, daemon unreachable, report not saved) — a script must never
 *                 mistake a failure for a finding, nor a finding for success
 *   usage error   one line saying what is wrong, then "Try 'PROG --help' for more information."
 *   --version     "PROG VERSION"
 */
#ifndef RECALL_CLI_H
#define RECALL_CLI_H

#include <stdarg.h>
#include <stdio.h>

enum {
	CLI_EXIT_NOTHING = 0,		/* nothing to do */
	CLI_EXIT_FINDING = 1,		/* something to do */
	CLI_EXIT_USAGE = 2,		/* the command line is wrong */
	CLI_EXIT_INCOMPLETE = 3,	/* could not do it, or not all of it */
};

#ifndef RECALL_VERSION
#define RECALL_VERSION "unknown"
#endif

/* One line (printf-style, without prog and newline), the hint, and CLI_EXIT_USAGE. */
static inline int __attribute__((format(printf, 2, 3))) cli_usage_error(const char *prog,
									  const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	return CLI_EXIT_USAGE;
}

/* After getopt printed its own line for an unknown option or a missing argument. */
static inline int cli_usage_hint(const char *prog)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	return CLI_EXIT_USAGE;
}

static inline int cli_version(const char *prog)
{
	printf("%s %s\n", prog, RECALL_VERSION);
	return CLI_EXIT_NOTHING;
}

#endif
