/* SPDX-License-Identifier: MIT */
/*
 * For tests that run the project's programs as a user does: the build tree's bin/ found next to
 * the test (BUILD/tests/unit/test-x -> BUILD/bin), a program run to its end with its output
 * captured, or started in the background and stopped by its pid.
 */
#ifndef RECALL_TESTS_TOOL_RUN_H
#define RECALL_TESTS_TOOL_RUN_H

#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct tool_env {
	char bin[PATH_MAX];		/* BUILD/bin */
	const char *cwd;		/* programs run here */
	char out[1 << 16], err[1 << 16];
};

static inline int tool_env_init(struct tool_env *e, const char *cwd)
{
	ssize_t n = readlink("/proc/self/exe", e->bin, sizeof(e->bin) - 16);
	char *slash;

	if (n <= 0)
		return -1;
	e->bin[n] = 0;
	for (int i = 0; i < 3 && (slash = strrchr(e->bin, '/')); i++)
		*slash = 0;
	strcat(e->bin, "/bin");
	e->cwd = cwd;
	return 0;
}

static inline void tool_slurp(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t k;

	while (n + 1 < cap && (k = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)k;
	buf[n] = 0;
}

/* Forks TOOL with ARGV (argv[0] ignored, NULL-terminated); stdout/stderr to the given fds. */
static inline pid_t tool_spawn(const struct tool_env *e, const char *tool, const char **argv,
			       int out_fd, int err_fd)
{
	char path[PATH_MAX + 32];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", e->bin, tool);
	argv[0] = path;
	pid = fork();
	if (pid == 0) {
		dup2(out_fd, 1);
		dup2(err_fd, 2);
		if (chdir(e->cwd) < 0)
			_exit(126);
		execv(path, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

/* Runs TOOL with the NULL-terminated arguments to its end; returns its exit status (-1 if it
 * did not exit), output in e->out and e->err. */
static inline int tool_run(struct tool_env *e, const char *tool, ...)
{
	const char *argv[32];
	int po[2], pe[2], st, n = 1;
	va_list ap;
	pid_t pid;

	va_start(ap, tool);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	if (pipe(po) < 0 || pipe(pe) < 0)
		return -1;
	pid = tool_spawn(e, tool, argv, po[1], pe[1]);
	close(po[1]);
	close(pe[1]);
	/* outputs are small; a tool writing more than fits would block, and the test's bound
	 * would catch that */
	tool_slurp(po[0], e->out, sizeof(e->out));
	tool_slurp(pe[0], e->err, sizeof(e->err));
	close(po[0]);
	close(pe[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#endif
