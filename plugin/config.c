/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recalld.conf: an INI file read with Debian's libinih (small, stable, in every release; INI is what
 * workshop admins already edit).  inih does not pass line numbers to the handler in Debian's build,
 * so the reader callback below counts lines and pre-checks each line's shape: every problem is
 * reported as `file:line: error: ...`, not just the first, and the old configuration is kept by the
 * caller when there is any.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <net/if.h>

#include <ini.h>

#include "can/ident.h"
#include "plugin/config.h"
#include "plugin/i18n.h"

#define CONFIG_LINE_MAX 199	/* inih's INI_MAX_LINE minus the NUL */

void config_init_defaults(struct recalld_config *c)
{
	*c = (struct recalld_config){
		.request_timeout_ms = 0,
		.check_timeout_ms = 60000,
		.on_appear = true,
		.on_traffic = true,
		.silence_ms = 5000,
		.parallel = IDENT_PARALLEL_DEFAULT,
		.discovery_quiet_ms = IDENT_QUIET_MS_DEFAULT,
		.probe_interval_ms = 0,
		.max_clients = 32,
		.max_request = 4096,
		.max_output = 1u << 20,
		.idle_timeout_ms = 60000,
		.report_retention_h = 90 * 24,
		.spool_max = 64,
		/* ISO 15765-4's first rate; restart-ms as the kernel's CAN docs suggest */
		.link = { .bitrate = 500000, .restart_ms = 100, .bringup = true },
	};
	/* Defaults are constant strings duplicated so config_done can free uniformly; an allocation
	 * failure leaves NULL, which config_parse_* reports. */
	c->database = strdup(RECALLD_DATABASE_PATH);
	c->report_dir = strdup(RECALLD_REPORT_DIR);
	c->user = strdup("recalld");
	c->bays[0] = strdup("can*");
	c->bays[1] = strdup("vcan*");
	c->n_bays = 2;
	c->addressing = NULL;	/* every scheme can/ knows, in its order */
	c->socket_path = strdup(RECALLD_SOCKET_PATH);
	c->socket_group = NULL;
	c->language = NULL;	/* German */
	c->workshop = NULL;
	c->html = true;
	c->history = strdup(RECALLD_HISTORY_PATH);
}

void config_done(struct recalld_config *c)
{
	unsigned int i;

	free(c->database);
	free(c->report_dir);
	free(c->trusted_keys);
	free(c->user);
	for (i = 0; i < c->n_bays; i++)
		free(c->bays[i]);
	free(c->addressing);
	free(c->socket_path);
	free(c->socket_group);
	for (i = 0; i < c->n_bay_sections; i++) {
		free(c->bay_sections[i].glob);
		free(c->bay_sections[i].name);
	}
	free(c->language);
	free(c->workshop);
	free(c->history);
	memset(c, 0, sizeof(*c));
}

struct parse_ctx {
	struct recalld_config *c;
	const char *name;
	const char *text;	/* remaining input */
	unsigned int line;
	unsigned int errors;
	bool broken_section;	/* the last section header was malformed: its keys are not news */
	config_error_fn err;
	void *userdata;
};

static __attribute__((format(printf, 2, 3))) void perr(struct parse_ctx *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->errors++;
	if (p->err)
		p->err(p->userdata, p->name, p->line, msg);
}

/* Duration: a number with an optional unit ms, s or min; a bare number is milliseconds. */
static int parse_duration(const char *v, unsigned int *ret_ms)
{
	static const struct {
		const char *unit;
		unsigned long mult;
	} units[] = { { "", 1 }, { "ms", 1 }, { "s", 1000 }, { "min", 60000 } };
	unsigned long n;
	char *end;
	size_t i;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno)
		return -ERANGE;
	while (*end == ' ')
		end++;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		/* One day is the largest sensible timeout; it also keeps ms in an unsigned int. */
		if (n > 86400000UL / units[i].mult)
			return -ERANGE;
		*ret_ms = (unsigned int)(n * units[i].mult);
		return 0;
	}
	return -EINVAL;
}

/* An age: a number with the unit d or h, in hours; a bare 0 means none. */
static int parse_age(const char *v, unsigned int *ret_h)
{
	unsigned long n;
	char *end;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || n > 1000000UL)
		return -ERANGE;
	while (*end == ' ')
		end++;
	if (strcmp(end, "d") == 0)
		n *= 24;
	else if (strcmp(end, "h") != 0 && !(n == 0 && !*end))
		return -EINVAL;
	*ret_h = (unsigned int)n;
	return 0;
}

static int parse_uint(const char *v, unsigned int min, unsigned int max, unsigned int *ret)
{
	unsigned long n;
	char *end;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -ERANGE;
	*ret = (unsigned int)n;
	return 0;
}

static int parse_bool(const char *v, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int set_path(struct parse_ctx *p, char **field, const char *v, bool may_be_empty)
{
	char *s;

	if (!*v && may_be_empty) {
		free(*field);
		*field = NULL;
		return 0;
	}
	if (*v != '/') {
		perr(p, "'%s' is not an absolute path", v);
		return 0;
	}
	s = strdup(v);
	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

static int set_globs(struct parse_ctx *p, const char *v)
{
	char *copy, *tok, *save = NULL;
	char *globs[CONFIG_MAX_GLOBS];
	unsigned int n = 0, i;
	int ret = 0;

	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		if (n == CONFIG_MAX_GLOBS) {
			perr(p, "more than %d interface globs", CONFIG_MAX_GLOBS);
			goto out;
		}
		if (strlen(tok) >= IFNAMSIZ * 2) {
			perr(p, "interface glob '%s' is too long", tok);
			goto out;
		}
		globs[n] = strdup(tok);
		if (!globs[n]) {
			ret = -ENOMEM;
			goto out;
		}
		n++;
	}
	if (n == 0) {
		perr(p, "'interfaces' needs at least one glob (e.g. can* vcan*)");
		goto out;
	}
	for (i = 0; i < p->c->n_bays; i++)
		free(p->c->bays[i]);
	memcpy(p->c->bays, globs, n * sizeof(globs[0]));
	p->c->n_bays = n;
	n = 0;
out:
	for (i = 0; i < n; i++)
		free(globs[i]);
	free(copy);
	return ret;
}

static int set_addressing(struct parse_ctx *p, const char *v)
{
	char buf[128], *save = NULL, *copy = NULL;
	unsigned int n = 0;

	if (strlen(v) >= sizeof(buf)) {
		perr(p, "addressing '%s': too long", v);
		return 0;
	}
	strcpy(buf, v);
	/* the bus layer's own words, so a typo stops the daemon at start, not every check */
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (ident_scheme_parse(w) < 0) {
			perr(p, "addressing: unknown scheme '%s' (known: obd11 obd29 bmw uds11 auto)", w);
			return 0;
		}
		if (++n > CONFIG_MAX_ADDRESSING) {
			perr(p, "addressing: more than %d schemes", CONFIG_MAX_ADDRESSING);
			return 0;
		}
	}
	if (*v && !(copy = strdup(v)))
		return -ENOMEM;
	free(p->c->addressing);
	p->c->addressing = copy;
	return 0;
}

/* The bring-up keys, in [bays] (defaults) and in [bay GLOB] sections alike.  Returns 1 when NAME
 * is one of them (handled, errors reported), 0 when it is not. */
static int link_key(struct parse_ctx *p, struct config_link *l, unsigned int *set, const char *name,
		    const char *v)
{
	unsigned int u = 0;
	bool b;

	if (strcmp(name, "bitrate") == 0) {
		if (strcasecmp(v, "auto") == 0) {
			l->bitrate = 0;
		} else if (parse_uint(v, 1000, 1000000, &u) < 0) {
			/* classic CAN ends at 1 Mbit/s; ISO 15765-4 uses 500000 and 250000 */
			perr(p, "bitrate: '%s' is not a bit rate between 1000 and 1000000 bit/s or "
				"'auto' (ISO 15765-4: 500000, 250000)", v);
			return 1;
		} else {
			l->bitrate = u;
		}
		*set |= CONFIG_BAY_HAS_BITRATE;
		return 1;
	}
	if (strcmp(name, "restart_ms") == 0) {
		if (parse_duration(v, &u) < 0 || u > 60000) {
			perr(p, "restart_ms: '%s' is not a duration between 0 ms (no automatic "
				"recovery) and 1min", v);
			return 1;
		}
		l->restart_ms = u;
		*set |= CONFIG_BAY_HAS_RESTART_MS;
		return 1;
	}
	if (strcmp(name, "bringup") == 0) {
		if (parse_bool(v, &b) < 0) {
			perr(p, "bringup: '%s' is not yes or no", v);
			return 1;
		}
		l->bringup = b;
		*set |= CONFIG_BAY_HAS_BRINGUP;
		return 1;
	}
	return 0;
}

/* A name people read on a report or the printed page: one line without control characters,
 * bounded. */
static bool good_text(const char *v)
{
	const unsigned char *s = (const unsigned char *)v;

	if (strlen(v) > CONFIG_NAME_MAX)
		return false;
	for (; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int set_text(struct parse_ctx *p, char **field, const char *name, const char *v)
{
	char *s;

	if (!good_text(v)) {
		perr(p, "%s: '%.40s' is not a name of at most %d bytes without control characters",
		     name, v, CONFIG_NAME_MAX);
		return 0;
	}
	s = *v ? strdup(v) : NULL;
	if (*v && !s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

/* A `[bay GLOB]` section's key: find or make the section's entry, then the link key. */
static int bay_section_key(struct parse_ctx *p, const char *section, const char *name,
			   const char *v)
{
	struct recalld_config *c = p->c;
	const char *glob = section + 4;
	struct config_bay *b = NULL;
	unsigned int i;

	while (*glob == ' ' || *glob == '\t')
		glob++;
	if (!*glob || strlen(glob) >= IFNAMSIZ * 2 || strpbrk(glob, " \t")) {
		perr(p, "[%s]: write one interface name or glob, e.g. [bay can0] or [bay can*]",
		     section);
		return 1;
	}
	for (i = 0; i < c->n_bay_sections; i++)
		if (strcmp(c->bay_sections[i].glob, glob) == 0)
			b = &c->bay_sections[i];
	if (!b) {
		if (c->n_bay_sections == CONFIG_MAX_BAY_SECTIONS) {
			perr(p, "more than %d [bay ...] sections", CONFIG_MAX_BAY_SECTIONS);
			return 1;
		}
		b = &c->bay_sections[c->n_bay_sections];
		memset(b, 0, sizeof(*b));
		b->glob = strdup(glob);
		if (!b->glob) {
			perr(p, "out of memory");
			return 0;
		}
		c->n_bay_sections++;
	}
	if (strcmp(name, "name") == 0) {
		if (set_text(p, &b->name, name, v) < 0) {
			perr(p, "out of memory");
			return 0;
		}
		return 1;
	}
	if (!link_key(p, &b->link, &b->set, name, v))
		perr(p, "unknown key '%s' in section [%s] (bitrate, restart_ms, bringup, name)",
		     name, section);
	return 1;
}

enum ktype {
	K_PATH, K_PATH_OR_EMPTY, K_GLOBS, K_ADDRESSING, K_DURATION, K_BOOL, K_UINT, K_NAME,
	K_LANGUAGE, K_TEXT, K_AGE,
};

/* Every key in one table: the parser, the dump and the README list come from the same rows. */
static const struct key {
	const char *section, *name;
	enum ktype type;
	size_t off;
	unsigned int min, max;
} keys[] = {
#define OFF(f) offsetof(struct recalld_config, f)
	{ "recalld", "database", K_PATH, OFF(database), 0, 0 },
	{ "recalld", "report_dir", K_PATH, OFF(report_dir), 0, 0 },
	{ "recalld", "trusted_keys", K_PATH_OR_EMPTY, OFF(trusted_keys), 0, 0 },
	{ "recalld", "require_signature", K_BOOL, OFF(require_signature), 0, 0 },
	{ "recalld", "user", K_NAME, OFF(user), 0, 0 },
	{ "recalld", "report_retention", K_AGE, OFF(report_retention_h), 0, 100 * 365 * 24 },
	{ "recalld", "spool_max", K_UINT, OFF(spool_max), 1, 4096 },
	{ "bays", "interfaces", K_GLOBS, 0, 0, 0 },
	{ "check", "addressing", K_ADDRESSING, 0, 0, 0 },
	{ "check", "request_timeout", K_DURATION, OFF(request_timeout_ms), 0, 60000 },
	{ "check", "check_timeout", K_DURATION, OFF(check_timeout_ms), 1000, 86400000 },
	{ "check", "answer_window", K_DURATION, OFF(answer_window_ms), 0, 60000 },
	{ "check", "can_fd", K_BOOL, OFF(can_fd), 0, 0 },
	{ "check", "parallel", K_UINT, OFF(parallel), 1, IDENT_MAX_ECUS },
	{ "check", "discovery_quiet", K_DURATION, OFF(discovery_quiet_ms), 0, 60000 },
	{ "triggers", "on_appear", K_BOOL, OFF(on_appear), 0, 0 },
	{ "triggers", "on_traffic", K_BOOL, OFF(on_traffic), 0, 0 },
	{ "triggers", "silence", K_DURATION, OFF(silence_ms), 100, 86400000 },
	{ "triggers", "probe_interval", K_DURATION, OFF(probe_interval_ms), 0, 86400000 },
	{ "control", "socket", K_PATH, OFF(socket_path), 0, 0 },
	{ "control", "group", K_NAME, OFF(socket_group), 0, 0 },
	{ "control", "max_clients", K_UINT, OFF(max_clients), 1, 4096 },
	{ "control", "max_request", K_UINT, OFF(max_request), 64, 1u << 20 },
	{ "control", "max_output", K_UINT, OFF(max_output), 4096, 64u << 20 },
	{ "control", "idle_timeout", K_DURATION, OFF(idle_timeout_ms), 0, 86400000 },
	{ "report", "language", K_LANGUAGE, OFF(language), 0, 0 },
	{ "report", "workshop", K_TEXT, OFF(workshop), 0, 0 },
	{ "report", "html", K_BOOL, OFF(html), 0, 0 },
	{ "history", "database", K_PATH_OR_EMPTY, OFF(history), 0, 0 },
#undef OFF
};

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *p = user;
	const struct key *k = NULL;
	char *base = (char *)p->c;
	unsigned int u = 0;
	bool known_section = false;
	size_t i;
	int r;

	if (strncmp(section, "bay ", 4) == 0 || strncmp(section, "bay\t", 4) == 0)
		return bay_section_key(p, section, name, value);
	if (strcmp(section, "bays") == 0) {
		unsigned int set = 0;

		if (link_key(p, &p->c->link, &set, name, value))
			return 1;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		known_section = true;
		if (strcmp(keys[i].name, name) == 0) {
			k = &keys[i];
			break;
		}
	}
	if (!k) {
		if (p->broken_section)
			return 1;
		if (!*section)
			perr(p, "'%s' is outside any [section]", name);
		else if (known_section)
			perr(p, "unknown key '%s' in section [%s]", name, section);
		else
			perr(p, "unknown section [%s]", section);
		return 1;
	}
	switch (k->type) {
	case K_PATH:
	case K_PATH_OR_EMPTY:
		r = set_path(p, (char **)(base + k->off), value, k->type == K_PATH_OR_EMPTY);
		break;
	case K_GLOBS:
		r = set_globs(p, value);
		break;
	case K_ADDRESSING:
		r = set_addressing(p, value);
		break;
	case K_NAME:
		if (*value && strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "0123456789_-.") != strlen(value)) {
			perr(p, "'%s' is not a %s name", value,
			     strcmp(name, "user") == 0 ? "user" : "group");
			return 1;
		}
		r = 0;
		{
			char *n = *value ? strdup(value) : NULL;

			if (*value && !n) {
				r = -ENOMEM;
				break;
			}
			free(*(char **)(base + k->off));
			*(char **)(base + k->off) = n;
		}
		break;
	case K_LANGUAGE: {
		const struct i18n *l = NULL;

		if (*value && i18n_get(value, &l) < 0) {
			perr(p, "language: '%s' has no catalogue (known: %s)", value, i18n_known());
			return 1;
		}
		r = set_text(p, (char **)(base + k->off), name, l ? i18n_code(l) : "");
		break;
	}
	case K_TEXT:
		r = set_text(p, (char **)(base + k->off), name, value);
		break;
	case K_DURATION:
		r = parse_duration(value, &u);
		if (r < 0 || u < k->min || u > k->max) {
			perr(p, "%s: '%s' is not a duration between %u ms and %u ms (write e.g. 500ms, "
			     "5s, 2min)", name, value, k->min, k->max);
			return 1;
		}
		*(unsigned int *)(base + k->off) = u;
		r = 0;
		break;
	case K_AGE:
		r = parse_age(value, &u);
		if (r < 0 || u < k->min || u > k->max) {
			perr(p, "%s: '%s' is not an age in days or hours (write e.g. 90d, 36h; 0 = "
			     "keep for ever)", name, value);
			return 1;
		}
		*(unsigned int *)(base + k->off) = u;
		r = 0;
		break;
	case K_BOOL:
		if (parse_bool(value, (bool *)(base + k->off)) < 0)
			perr(p, "%s: '%s' is not yes or no", name, value);
		r = 0;
		break;
	case K_UINT:
		if (parse_uint(value, k->min, k->max, &u) < 0) {
			perr(p, "%s: '%s' is not a number between %u and %u", name, value, k->min,
			     k->max);
			return 1;
		}
		*(unsigned int *)(base + k->off) = u;
		r = 0;
		break;
	default:
		r = -EINVAL;
	}
	if (r == -ENOMEM) {
		perr(p, "out of memory");
		return 0;
	}
	return 1;
}

/* inih's reader, fed from a string; counts lines and checks each line's shape first. */
static char *reader(char *str, int num, void *stream)
{
	struct parse_ctx *p = stream;
	const char *nl, *s;
	size_t len, copy;

	if (!*p->text)
		return NULL;
	p->line++;
	nl = strchr(p->text, '\n');
	len = nl ? (size_t)(nl - p->text) : strlen(p->text);
	copy = len < (size_t)num - 1 ? len : (size_t)num - 1;
	if (len > CONFIG_LINE_MAX) {
		perr(p, "line is longer than %d characters", CONFIG_LINE_MAX);
		copy = 0;	/* hand inih an empty line rather than a truncated setting */
	}
	memcpy(str, p->text, copy);
	str[copy] = 0;
	p->text += len + (nl ? 1 : 0);

	s = str + strspn(str, " \t\r");
	if (*s && *s != '#' && *s != ';') {
		if (*s == '[') {
			p->broken_section = !strchr(s, ']');
			if (p->broken_section)
				perr(p, "section header without ']'");
		} else if (!strchr(s, '=') && !strchr(s, ':')) {
			perr(p, "expected 'key = value' or '[section]', found '%.40s'", s);
			str[0] = 0;
		} else if (*s == '=' || *s == ':') {
			perr(p, "missing key before '%c'", *s);
			str[0] = 0;
		}
	}
	return str;
}

int config_parse_string(struct recalld_config *c, const char *text, const char *name,
			config_error_fn err, void *userdata)
{
	struct parse_ctx p = {
		.c = c, .name = name, .text = text, .err = err, .userdata = userdata,
	};
	int r;

	r = ini_parse_stream(reader, &p, handler, &p);
	if (r == -2) {
		p.line = 0;
		perr(&p, "out of memory");
	}
	p.line = 0;
	if (!c->database || !c->report_dir || !c->socket_path)
		perr(&p, "out of memory");
	if (c->request_timeout_ms && c->request_timeout_ms >= c->check_timeout_ms)
		perr(&p, "request_timeout must be shorter than check_timeout");
	return p.errors ? -EINVAL : 0;
}

int config_parse_file(struct recalld_config *c, const char *path, config_error_fn err,
		      void *userdata)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	struct stat st = { 0 };
	FILE *f = NULL;
	int fd, ret;

	/* Without blocking (a FIFO at the path would hang recalld -n and the start), and only a
	 * regular file: a device or a directory is a mistake, said as such. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))) {
		ret = fd < 0 || !S_ISREG(st.st_mode) ? (fd < 0 ? -errno : -EMEDIUMTYPE) : -errno;
		if (fd >= 0)
			close(fd);
		if (err) {
			char msg[128];

			snprintf(msg, sizeof(msg), "cannot open: %s", ret == -EMEDIUMTYPE ?
				 "not a regular file" : strerror(-ret));
			err(userdata, path, 0, msg);
		}
		return ret;
	}
	/* A config file is small; 1 MiB bounds a mistaken path such as /dev/zero. */
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *t;

			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 20)) {
				ret = -EFBIG;
				if (err)
					err(userdata, path, 0, "larger than 1 MiB, not a config file");
				goto out;
			}
			t = realloc(text, cap);
			if (!t) {
				ret = -ENOMEM;
				goto out;
			}
			text = t;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		ret = -EIO;
		goto out;
	}
	text[len] = 0;
	if (strlen(text) != len) {
		if (err)
			err(userdata, path, 0, "contains a NUL byte, not a config file");
		ret = -EINVAL;
		goto out;
	}
	ret = config_parse_string(c, text, path, err, userdata);
out:
	free(text);
	fclose(f);
	return ret;
}

bool config_is_bay(const struct recalld_config *c, const char *ifname)
{
	unsigned int i;

	for (i = 0; i < c->n_bays; i++)
		if (fnmatch(c->bays[i], ifname, 0) == 0)
			return true;
	return false;
}

const char *config_bay_name(const struct recalld_config *c, const char *ifname)
{
	for (unsigned int i = 0; i < c->n_bay_sections; i++)
		if (c->bay_sections[i].name && fnmatch(c->bay_sections[i].glob, ifname, 0) == 0)
			return c->bay_sections[i].name;
	return NULL;
}

void config_bay_link(const struct recalld_config *c, const char *ifname, struct config_link *ret)
{
	unsigned int i;

	*ret = c->link;
	for (i = 0; i < c->n_bay_sections; i++) {
		const struct config_bay *b = &c->bay_sections[i];

		if (fnmatch(b->glob, ifname, 0) != 0)
			continue;
		if (b->set & CONFIG_BAY_HAS_BITRATE)
			ret->bitrate = b->link.bitrate;
		if (b->set & CONFIG_BAY_HAS_RESTART_MS)
			ret->restart_ms = b->link.restart_ms;
		if (b->set & CONFIG_BAY_HAS_BRINGUP)
			ret->bringup = b->link.bringup;
		return;
	}
}

static const char *duration(char *buf, size_t size, unsigned int ms)
{
	if (ms && ms % 60000 == 0)
		snprintf(buf, size, "%umin", ms / 60000);
	else if (ms && ms % 1000 == 0)
		snprintf(buf, size, "%us", ms / 1000);
	else
		snprintf(buf, size, "%ums", ms);
	return buf;
}

static const char *bitrate_word(char *buf, size_t size, uint32_t bitrate)
{
	if (!bitrate)
		return "auto";
	snprintf(buf, size, "%u", bitrate);
	return buf;
}

static const char *age(char *buf, size_t size, unsigned int hours)
{
	if (hours && hours % 24 == 0)
		snprintf(buf, size, "%ud", hours / 24);
	else if (hours)
		snprintf(buf, size, "%uh", hours);
	else
		snprintf(buf, size, "0");
	return buf;
}

int config_dump(const struct recalld_config *c, char **ret_text)
{
	char globs[CONFIG_MAX_GLOBS * IFNAMSIZ * 2 + CONFIG_MAX_GLOBS] = "";
	char d1[32], d2[32], d3[32], d4[32], d5[32], d6[32], d7[32], d8[32], d9[32], rate[16];
	unsigned int i;
	char *s, *t;

	for (i = 0; i < c->n_bays; i++) {
		if (i)
			strcat(globs, " ");
		strcat(globs, c->bays[i]);
	}
	if (asprintf(&s,
		     "[recalld]\ndatabase = %s\nreport_dir = %s\ntrusted_keys = %s\n"
		     "require_signature = %s\nuser = %s\nreport_retention = %s\nspool_max = %u\n\n"
		     "[bays]\ninterfaces = %s\nbitrate = %s\nrestart_ms = %s\nbringup = %s\n\n"
		     "[check]\naddressing = %s\nrequest_timeout = %s\ncheck_timeout = %s\n"
		     "answer_window = %s\ncan_fd = %s\nparallel = %u\ndiscovery_quiet = %s\n\n"
		     "[triggers]\non_appear = %s\non_traffic = %s\nsilence = %s\n"
		     "probe_interval = %s\n\n"
		     "[control]\nsocket = %s\ngroup = %s\nmax_clients = %u\nmax_request = %u\n"
		     "max_output = %u\nidle_timeout = %s\n",
		     c->database, c->report_dir, c->trusted_keys ? c->trusted_keys : "",
		     c->require_signature ? "yes" : "no", c->user ? c->user : "",
		     age(d7, sizeof(d7), c->report_retention_h), c->spool_max, globs,
		     bitrate_word(rate, sizeof(rate), c->link.bitrate),
		     duration(d5, sizeof(d5), c->link.restart_ms), c->link.bringup ? "yes" : "no",
		     c->addressing ? c->addressing : "",
		     duration(d1, sizeof(d1), c->request_timeout_ms),
		     duration(d2, sizeof(d2), c->check_timeout_ms),
		     duration(d6, sizeof(d6), c->answer_window_ms), c->can_fd ? "yes" : "no",
		     c->parallel, duration(d9, sizeof(d9), c->discovery_quiet_ms),
		     c->on_appear ? "yes" : "no",
		     c->on_traffic ? "yes" : "no", duration(d3, sizeof(d3), c->silence_ms),
		     duration(d4, sizeof(d4), c->probe_interval_ms), c->socket_path,
		     c->socket_group ? c->socket_group : "", c->max_clients, c->max_request,
		     c->max_output, duration(d8, sizeof(d8), c->idle_timeout_ms)) < 0)
		return -ENOMEM;
	if (asprintf(&t, "%s\n[report]\nlanguage = %s\nworkshop = %s\nhtml = %s\n\n"
		     "[history]\ndatabase = %s\n", s, c->language ? c->language : "",
		     c->workshop ? c->workshop : "", c->html ? "yes" : "no",
		     c->history ? c->history : "") < 0) {
		free(s);
		return -ENOMEM;
	}
	free(s);
	s = t;
	for (i = 0; i < c->n_bay_sections; i++) {
		const struct config_bay *b = &c->bay_sections[i];

		if (asprintf(&t, "%s\n[bay %s]\n%s%s%s%s%s%s%s%s%s%s%s%s", s, b->glob,
			     b->name ? "name = " : "", b->name ? b->name : "", b->name ? "\n" : "",
			     b->set & CONFIG_BAY_HAS_BITRATE ? "bitrate = " : "",
			     b->set & CONFIG_BAY_HAS_BITRATE ?
				     bitrate_word(rate, sizeof(rate), b->link.bitrate) : "",
			     b->set & CONFIG_BAY_HAS_BITRATE ? "\n" : "",
			     b->set & CONFIG_BAY_HAS_RESTART_MS ? "restart_ms = " : "",
			     b->set & CONFIG_BAY_HAS_RESTART_MS ?
				     duration(d5, sizeof(d5), b->link.restart_ms) : "",
			     b->set & CONFIG_BAY_HAS_RESTART_MS ? "\n" : "",
			     b->set & CONFIG_BAY_HAS_BRINGUP ? "bringup = " : "",
			     b->set & CONFIG_BAY_HAS_BRINGUP ? (b->link.bringup ? "yes" : "no") : "",
			     b->set & CONFIG_BAY_HAS_BRINGUP ? "\n" : "") < 0) {
			free(s);
			return -ENOMEM;
		}
		free(s);
		s = t;
	}
	*ret_text = s;
	return 0;
}

void config_station_settings(struct recalld_config *c, const char **language,
			     const char **workshop)
{
	if ((*language && *workshop) || access(RECALLD_CONFIG_PATH, R_OK) != 0)
		return;
	config_init_defaults(c);
	(void)config_parse_file(c, RECALLD_CONFIG_PATH, NULL, NULL);
	if (!*language)
		*language = c->language;
	if (!*workshop)
		*workshop = c->workshop;
}
