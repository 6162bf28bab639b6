/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report files of a check: written atomically, the text first, so a JSON file present means
 * the pair is complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "plugin/report-internal.h"


int report_write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char *tmp = NULL, *dst = NULL;
	int fd = -1, dfd = -1, ret;
	size_t off = 0;

	if (strchr(name, '/') || name[0] == '.' || name[0] == 0)
		return -EINVAL;
	if (asprintf(&tmp, "%s/.%s.tmp", dir, name) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	if (asprintf(&dst, "%s/%s", dir, name) < 0) {
		dst = NULL;
		ret = -ENOMEM;
		goto out;
	}
	/* VINs are personal data: the owner and its group (station software), nobody else */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out_unlink;
		}
		off += (size_t)n;
	}
	/* A report is a workshop record: it must survive a power cut right after the check. */
	if (fsync(fd) < 0 || close(fd) < 0) {
		ret = -errno;
		fd = -1;
		goto out_unlink;
	}
	fd = -1;
	if (rename(tmp, dst) < 0) {
		ret = -errno;
		goto out_unlink;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	ret = 0;
	goto out;
out_unlink:
	(void)unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(dst);
	return ret;
}

/* The interface as part of a file name: an interface may be named with any byte but '/', ':' and
 * whitespace, which includes control bytes and what Windows shares refuse (\\ * ? " < > |).
 * Every byte outside [A-Za-z0-9._+=@,-] is written %HH, the percent sign too. */
static void file_part(const char *iface, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)iface; *p && o + 4 < size; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("._+=@,-", *p)) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = 0;
}

int report_file_base(const struct recall_report *r, unsigned int seq, char **ret)
{
	char part[256];
	time_t t = (time_t)(r->started_ms / 1000);
	char when[32];
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return -EINVAL;
	file_part(r->iface ? r->iface : "vin", part, sizeof(part));
	if (asprintf(ret, "%s-%s-%u", part, when, seq) < 0)
		return -ENOMEM;
	return 0;
}

void report_files_done(struct report_files *f)
{
	free(f->base);
	free(f->json);
	free(f->text);
	free(f->html);
	memset(f, 0, sizeof(*f));
}

int report_render_files(const struct recall_report *r, unsigned int seq,
			const struct report_save_opts *opts, struct report_files *ret)
{
	struct report_save_opts o = opts ? *opts : (struct report_save_opts){ 0 };
	struct recall_render_opts ro = { .size = sizeof(ro), .language = o.language,
					 .workshop = o.workshop };
	int r2;

	memset(ret, 0, sizeof(*ret));
	if ((r2 = report_file_base(r, seq, &ret->base)) < 0 ||
	    (r2 = recall_report_to_json(r, &ret->json)) < 0 ||
	    (r2 = report_render_text(r, &ro, &ret->text)) < 0 ||
	    (o.html && (r2 = report_render_html(r, &ro, &ret->html)) < 0)) {
		report_files_done(ret);
		return r2;
	}
	return 0;
}

/* dir/base.ext, atomically */
static int write_one(const char *dir, const char *base, const char *ext, const char *data)
{
	char *name;
	int ret;

	if (asprintf(&name, "%s.%s", base, ext) < 0)
		return -ENOMEM;
	ret = report_write_file(dir, name, data, strlen(data));
	free(name);
	return ret;
}

int report_write_files(const char *dir, const struct report_files *f)
{
	int ret;

	/* The forms for people first: a JSON file present means the set is complete. */
	if ((ret = write_one(dir, f->base, "txt", f->text)) < 0 ||
	    (f->html && (ret = write_one(dir, f->base, "html", f->html)) < 0))
		return ret;
	return write_one(dir, f->base, "json", f->json);
}

size_t report_files_size(const struct report_files *f)
{
	return strlen(f->json) + strlen(f->text) + (f->html ? strlen(f->html) : 0);
}

int report_save(const struct recall_report *r, const char *dir, unsigned int seq,
		const struct report_save_opts *opts, char **ret_base)
{
	struct report_files f;
	int ret;

	if ((ret = report_render_files(r, seq, opts, &f)) < 0)
		return ret;
	ret = report_write_files(dir, &f);
	if (ret >= 0 && ret_base) {
		*ret_base = f.base;
		f.base = NULL;
	}
	report_files_done(&f);
	return ret;
}
