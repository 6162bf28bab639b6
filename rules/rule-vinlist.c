/* SPDX-License-Identifier: MIT */
/*
 * VIN lists of a campaign: inline (`include vins { "...", ... }`, through the lexer) and files
 * (`include file "list.txt"`: one VIN per line, read with memchr over a mapping, since lists run
 * to millions of lines).  Every entry is checked as a VIN, with the error pointing into the list.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rule-parse.h"
#include "rules/vin-key.h"
#include "rules/vin.h"

#define MAX_FILE_ERRORS 20

static int add_vin(struct parser *p, uint64_t prefix, uint32_t suffix, bool exclude)
{
	struct vin_ent *e;

	if (vec_reserve(&p->c->vins, sizeof(*e), 1) < 0) {
		p->oom = true;
		return -ENOMEM;
	}
	e = (struct vin_ent *)p->c->vins.p + p->c->vins.n++;
	e->prefix = prefix;
	e->suffix = suffix;
	e->ref = (uint32_t)p->cur_idx << 1 | exclude;
	return 0;
}

/*
 * A North American VIN (first character 1-5) carries a check digit; with a wrong one the matcher
 * takes the VIN as invalid, so such a list entry could never select a car: a typo in the list.
 * UP is the upper-cased entry.  Returns the expected digit, or 0 when the entry is fine.
 */
static char list_check_digit_wrong(const char *up)
{
	char v[VIN_LEN + 1], d;

	if (up[0] < '1' || up[0] > '5')
		return 0;
	memcpy(v, up, VIN_LEN);
	v[VIN_LEN] = 0;
	d = vin_check_digit(v);
	return d && d != up[8] ? d : 0;
}

#define CHECK_DIGIT_MSG \
	"check digit wrong: position 9 is '%c', this VIN's is '%c' (a North American VIN must " \
	"carry it; the matcher would never find this entry)"

void rule_vin_list_inline(struct parser *p, bool exclude)
{
	if (!rule_expect(p, T_LBRACE))
		return;
	while (p->tok.t == T_STRING) {
		char up[VIN_LEN];
		uint64_t prefix;
		uint32_t suffix;
		char want;

		if (p->tok.str_len != VIN_LEN || rdb_vin_pack(p->tok.str, up, &prefix, &suffix))
			rule_perr(p, p->tok.line, p->tok.col,
				  "not a VIN: must be 17 characters of 0-9 A-Z without I, O, Q");
		else if ((want = list_check_digit_wrong(up)))
			rule_perr(p, p->tok.line, p->tok.col + 9, CHECK_DIGIT_MSG, up[8], want);
		else if (add_vin(p, prefix, suffix, exclude) < 0)
			return;
		rule_next(p);
		if (!rule_accept(p, T_COMMA))
			break;
	}
	if (!rule_expect(p, T_RBRACE))
		rule_skip_set(p);
}

/* One VIN per line, '#' comments (own lines or after a VIN), blank lines; millions of lines,
 * so no tokenizer here. */
void rule_vin_list_file(struct parser *p, const char *name, bool exclude, unsigned int sline,
			  unsigned int scol)
{
	char *path = NULL, *fname;
	struct stat st;
	char *m = NULL;
	unsigned int errors = 0, line = 0;
	size_t pos = 0;
	int fd = -1;

	if (p->c->flags & RULE_NO_FILES) {
		rule_perr(p, sline, scol, "VIN list files are not allowed here");
		return;
	}
	if (name[0] == '/' || !p->dir)
		path = strdup(name);
	else if (asprintf(&path, "%s/%s", p->dir, name) < 0)
		path = NULL;
	if (!path) {
		p->oom = true;
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rule_perr(p, sline, scol, "cannot read VIN list '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rule_perr(p, sline, scol, "VIN list '%s' is not a regular file", path);
		goto out;
	}
	/* The diagnostics of the list point into it, so its name lives as long as the compiler. */
	if (vec_reserve(&p->c->files, sizeof(char *), 1) < 0) {
		p->oom = true;
		goto out;
	}
	fname = path;
	((char **)p->c->files.p)[p->c->files.n++] = fname;
	path = NULL;
	if (st.st_size == 0)
		goto out;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		m = NULL;
		rule_perr(p, sline, scol, "cannot map VIN list '%s': %s", fname, strerror(errno));
		goto out;
	}
	(void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	if (vec_reserve(&p->c->vins, sizeof(struct vin_ent), (size_t)st.st_size / 18 + 1) < 0) {
		p->oom = true;
		goto out;
	}
	while (pos < (size_t)st.st_size) {
		const char *s = m + pos, *nl = memchr(s, '\n', (size_t)st.st_size - pos);
		size_t len = nl ? (size_t)(nl - s) : (size_t)st.st_size - pos, b = 0, e = len;
		char up[VIN_LEN], msg[200], want;
		unsigned int col = 1, bad;
		uint64_t prefix = 0;
		uint32_t suffix = 0;

		pos += len + 1;
		line++;
		while (b < e && (s[b] == ' ' || s[b] == '\t'))
			b++;
		/* a comment ends the line, also after a VIN ('#' is no VIN character) */
		{
			const char *hash = memchr(s + b, '#', e - b);

			if (hash)
				e = (size_t)(hash - s);
		}
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
			e--;
		if (b == e)
			continue;
		msg[0] = 0;
		if (e - b != VIN_LEN) {
			size_t k = b;

			/* the first character that cannot be in a VIN, where there is one */
			while (k < e && rdb_vin_value1[(unsigned char)s[k]])
				k++;
			col = (unsigned int)(k < e ? k : b) + 1;
			snprintf(msg, sizeof(msg), "not a VIN: %zu characters, need 17", e - b);
		} else if ((bad = rdb_vin_pack(s + b, up, &prefix, &suffix))) {
			/* lower case is the same VIN, as inline: only other bytes are bad */
			col = (unsigned int)(b + bad);
			snprintf(msg, sizeof(msg), "not a VIN: character %u not allowed "
				 "(0-9 A-Z without I, O, Q)", bad);
		} else if ((want = list_check_digit_wrong(up))) {
			col = (unsigned int)b + 9;
			snprintf(msg, sizeof(msg), CHECK_DIGIT_MSG, up[8], want);
		}
		if (msg[0]) {
			if (rule_diag_add(p->c, fname, line, col, RULE_ERROR, "%s", msg) < 0)
				p->oom = true;
			if (++errors >= MAX_FILE_ERRORS) {
				rule_diag_add(p->c, fname, line, 1, RULE_ERROR,
					      "too many errors, rest of the file not checked");
				break;
			}
			continue;
		}
		if (add_vin(p, prefix, suffix, exclude) < 0)
			break;
	}
out:
	if (m)
		munmap(m, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	free(path);
}

