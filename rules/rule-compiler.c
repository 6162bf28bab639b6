/* SPDX-License-Identifier: MIT */
/*
 * The compiler's state between files: diagnostics, the interned string table, nodes, campaigns
 * and listed VINs (rule-compiler.h).  Parsing is rule-parse.c, linking into an image
 * rule-build.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "rules/rule-compiler.h"

void rule_advise_huge(void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t e = ((uintptr_t)p + len) & ~(uintptr_t)4095;

	/* ten million listed VINs fill hundreds of MB: with 4 KiB pages the kernel takes a fault
	 * every 4 KiB (a second of the compile); advice only, without THP nothing changes */
	if (len >= (2u << 20) && e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
}

int vec_reserve(struct vec *v, size_t sz, size_t more)
{
	size_t cap;
	void *p;

	if (v->n + more <= v->cap)
		return 0;
	cap = v->cap ? v->cap : 16;
	while (cap < v->n + more) {
		if (cap > SIZE_MAX / 2 / sz)
			return -ENOMEM;
		cap *= 2;
	}
	p = realloc(v->p, cap * sz);
	if (!p)
		return -ENOMEM;
	rule_advise_huge(p, cap * sz);
	v->p = p;
	v->cap = cap;
	return 0;
}

int rule_diag_add(struct rule_compiler *c, const char *file, unsigned int line, unsigned int col,
		  enum rule_severity sev, const char *fmt, ...)
{
	struct rule_diag *d;
	va_list ap;
	char *msg;
	int r;

	if (vec_reserve(&c->diags, sizeof(*d), 1) < 0)
		return -ENOMEM;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	d = (struct rule_diag *)c->diags.p + c->diags.n++;
	*d = (struct rule_diag){ file, line, col, sev, msg };
	if (sev == RULE_ERROR)
		c->n_errors++;
	return 0;
}

void rule_diag_format(const struct rule_diag *d, char *buf, size_t len)
{
	if (!buf || !len)
		return;
	snprintf(buf, len, "%s:%u:%u: %s: %s", d->file, d->line, d->col,
		 d->severity == RULE_ERROR ? "error" : "warning", d->msg);
}

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a: tiny, deterministic, good enough here */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static int str_rehash(struct rule_compiler *c)
{
	size_t cap = c->str_hash_cap ? c->str_hash_cap * 2 : 1024;
	uint32_t *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < c->str_hash_cap; i++) {
		uint32_t e = c->str_hash[i];
		const char *s;
		size_t j;

		if (!e)
			continue;
		s = c->str + e - 1;
		j = hash_bytes(s, strlen(s)) & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = e;
	}
	free(c->str_hash);
	c->str_hash = t;
	c->str_hash_cap = cap;
	return 0;
}

int64_t rule_str_intern(struct rule_compiler *c, const char *s, size_t len)
{
	size_t j;

	if (len == 0)
		return 0;
	if ((c->str_count + 1) * 2 > c->str_hash_cap && str_rehash(c) < 0)
		return -ENOMEM;
	j = hash_bytes(s, len) & (c->str_hash_cap - 1);
	while (c->str_hash[j]) {
		const char *o = c->str + c->str_hash[j] - 1;

		if (strncmp(o, s, len) == 0 && o[len] == 0)
			return c->str_hash[j] - 1;
		j = (j + 1) & (c->str_hash_cap - 1);
	}
	if (c->str_len + len + 1 > UINT32_MAX - 1)
		return -E2BIG;
	while (c->str_len + len + 1 > c->str_cap) {
		size_t cap = c->str_cap ? c->str_cap * 2 : 4096;
		char *p = realloc(c->str, cap);

		if (!p)
			return -ENOMEM;
		c->str = p;
		c->str_cap = cap;
	}
	memcpy(c->str + c->str_len, s, len);
	c->str[c->str_len + len] = 0;
	c->str_hash[j] = (uint32_t)c->str_len + 1;
	c->str_count++;
	c->str_len += len + 1;
	return (int64_t)(c->str_len - len - 1);
}

int rule_compiler_new(unsigned int flags, struct rule_compiler **ret)
{
	struct rule_compiler *c;

	if (!ret)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->flags = flags;
	/* Offset 0 is the empty string, so "not given" needs no special value. */
	c->str = calloc(1, 4096);
	if (!c->str) {
		free(c);
		return -ENOMEM;
	}
	c->str_cap = 4096;
	c->str_len = 1;
	*ret = c;
	return 0;
}

struct rule_compiler *rule_compiler_free(struct rule_compiler *c)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->diags.n; i++)
		free((void *)(uintptr_t)((struct rule_diag *)c->diags.p)[i].msg);
	for (size_t i = 0; i < c->files.n; i++)
		free(((char **)c->files.p)[i]);
	free(c->diags.p);
	free(c->files.p);
	free(c->str);
	free(c->str_hash);
	free(c->nodes.p);
	free(c->depth.p);
	free(c->args.p);
	free(c->campaigns.p);
	free(c->vins.p);
	free(c);
	return NULL;
}

size_t rule_compiler_n_diags(const struct rule_compiler *c)
{
	return c ? c->diags.n : 0;
}

const struct rule_diag *rule_compiler_diag(const struct rule_compiler *c, size_t i)
{
	return c && i < c->diags.n ? (const struct rule_diag *)c->diags.p + i : NULL;
}

size_t rule_compiler_n_errors(const struct rule_compiler *c)
{
	return c ? c->n_errors : 0;
}

size_t rule_compiler_n_campaigns(const struct rule_compiler *c)
{
	return c ? c->campaigns.n : 0;
}
