/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control protocol's untrusted side: one JSON object per line from any local client.
 *
 * A request is {"cmd": "status"|"check"|"last"|"subscribe"|"reload"|"history", "iface": "vcan0",
 * "id": 7}; "iface" is required by check and last and refused elsewhere, "id" is optional and
 * echoed in the reply.  check takes an optional "order" and "plate" (one line of printable UTF-8,
 * bounded); history needs "vin" and takes "limit".  Unknown keys are refused (a typo must not silently become a different request).  The
 * line framing is bounded: an oversized line is answered once and skipped to its newline, so it
 * cannot eat the next request nor grow a buffer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "plugin/control.h"

static const char *const cmd_names[_CONTROL_CMD_MAX] = {
	[CONTROL_STATUS] = "status",
	[CONTROL_CHECK] = "check",
	[CONTROL_LAST] = "last",
	[CONTROL_SUBSCRIBE] = "subscribe",
	[CONTROL_RELOAD] = "reload",
	[CONTROL_HISTORY] = "history",
};

static const char *const event_names[_CONTROL_EV_MAX] = {
	[CONTROL_EV_CHECK_STARTED] = "check-started",
	[CONTROL_EV_PROGRESS] = "progress",
	[CONTROL_EV_CHECK_FINISHED] = "check-finished",
	[CONTROL_EV_BAY] = "bay",
	[CONTROL_EV_RELOAD] = "reload",
};

const char *control_cmd_name(enum control_cmd cmd)
{
	return (unsigned int)cmd < _CONTROL_CMD_MAX ? cmd_names[cmd] : NULL;
}

void control_ifname_escape(const char *name, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (!size)
		return;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		bool plain = *p > ' ' && *p < 0x7f && *p != '\\';

		if (o + (plain ? 1 : 4) >= size)
			break;
		if (plain) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = 0;
}

int control_cmd_parse(const char *word)
{
	for (int c = 0; c < _CONTROL_CMD_MAX; c++)
		if (strcmp(word, cmd_names[c]) == 0)
			return c;
	return -EOPNOTSUPP;
}

bool control_cmd_needs_iface(enum control_cmd cmd)
{
	return cmd == CONTROL_CHECK || cmd == CONTROL_LAST;
}

bool control_cmd_needs_vin(enum control_cmd cmd)
{
	return cmd == CONTROL_HISTORY;
}

bool control_text_ok(const char *s, size_t len, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	if (len > max || strlen(s) != len)
		return false;
	while (i < len) {
		size_t n;

		if (u[i] < 0x20 || u[i] == 0x7f)
			return false;
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		/* well-formed UTF-8, no overlong forms, no surrogates, no C1 controls */
		n = (u[i] & 0xE0) == 0xC0 ? 2 : (u[i] & 0xF0) == 0xE0 ? 3 : (u[i] & 0xF8) == 0xF0 ? 4 : 0;
		if (!n || i + n > len)
			return false;
		for (size_t k = 1; k < n; k++)
			if ((u[i + k] & 0xC0) != 0x80)
				return false;
		if ((n == 2 && u[i] < 0xC2) || (n == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0) ||
		    (n == 3 && u[i] == 0xE0 && u[i + 1] < 0xA0) ||
		    (n == 3 && u[i] == 0xED && u[i + 1] >= 0xA0) ||
		    (n == 4 && u[i] == 0xF0 && u[i + 1] < 0x90) ||
		    (n == 4 && (u[i] > 0xF4 || (u[i] == 0xF4 && u[i + 1] >= 0x90))))
			return false;
		i += n;
	}
	return true;
}

/* 17 characters of the VIN alphabet; lower case is taken as upper case. */
static bool vin_ok(const char *s, size_t len, char out[18])
{
	if (len != 17)
		return false;
	for (size_t i = 0; i < 17; i++) {
		char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) || c == 'I' || c == 'O' ||
		    c == 'Q')
			return false;
		out[i] = c;
	}
	out[17] = 0;
	return true;
}

const char *control_event_name(enum control_event ev)
{
	return (unsigned int)ev < _CONTROL_EV_MAX ? event_names[ev] : NULL;
}

int control_event_parse(const char *word)
{
	for (int e = 0; e < _CONTROL_EV_MAX; e++)
		if (strcmp(word, event_names[e]) == 0)
			return e;
	return -ENOENT;
}

/* ---- messages ----------------------------------------------------------------------------- */

struct json_object *control_request_new(enum control_cmd cmd, const char *iface)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "cmd", json_object_new_string(control_cmd_name(cmd)));
	if (iface)
		json_object_object_add(o, "iface", json_object_new_string(iface));
	return o;
}

struct json_object *control_reply_new(const struct control_request *req, bool ok)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	if (req) {
		json_object_object_add(o, "cmd", json_object_new_string(control_cmd_name(req->cmd)));
		if (req->has_id)
			json_object_object_add(o, "id", json_object_new_int64(req->id));
	}
	return o;
}

struct json_object *control_reply_error(const struct control_request *req, const char *msg)
{
	struct json_object *o = control_reply_new(req, false);

	if (o)
		json_object_object_add(o, "error", json_object_new_string(msg));
	return o;
}

struct json_object *control_event_new(enum control_event ev, const char *iface)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "event", json_object_new_string(control_event_name(ev)));
	if (iface)
		json_object_object_add(o, "iface", json_object_new_string(iface));
	return o;
}

const char *control_to_line(struct json_object *o, size_t *ret_len)
{
	size_t len = 0;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	if (s && ret_len)
		*ret_len = len;
	return s;
}

/* Linux interface names: 1..15 bytes, no '/', ':' or whitespace, not "." or "..". */
static bool valid_ifname(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= CONTROL_IFNAME_MAX)
		return false;
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '/' || c == ':')
			return false;
	}
	return true;
}

/*
 * Keys of the top-level object as written in the text (json-c keeps only the last of repeated
 * keys, so {"cmd":"status","cmd":"reload"} would silently be a reload).  Runs on text json-c has
 * already accepted, so it only follows strings and nesting.
 */
static size_t count_top_keys(const char *s, size_t len)
{
	size_t i, n = 0;
	int depth = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '"') {
			bool top = depth == 1;

			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			if (top) {
				size_t j = i + 1;

				while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' ||
						   s[j] == '\n'))
					j++;
				if (j < len && s[j] == ':')
					n++;
			}
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return n;
}

/* "id" is echoed back; station software in JavaScript reads numbers as doubles, so it is kept to
 * what a double holds exactly (and json-c's clamping of larger numbers is never mistaken for a
 * real id). */
#define CONTROL_ID_MAX (((int64_t)1 << 53) - 1)

static int fail(const char **ret_error, const char *msg, int err)
{
	if (ret_error)
		*ret_error = msg;
	return err;
}

int control_parse_request(const char *line, size_t len, struct control_request *ret_req,
			  const char **ret_error)
{
	struct control_request req = { 0 };
	struct json_tokener *tok;
	struct json_object *o = NULL;
	bool have_cmd = false, have_iface = false, have_extra = false, have_vin = false;
	bool have_limit = false;
	const char *s;
	size_t i, slen;
	int ret;

	if (len > INT32_MAX)
		return fail(ret_error, "request too large", -E2BIG);
	/* Depth 2: a request is one flat object. */
	tok = json_tokener_new_ex(2);
	if (!tok)
		return fail(ret_error, "out of memory", -ENOMEM);
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		ret = fail(ret_error, "malformed JSON", -EBADMSG);
		goto out;
	}
	for (i = (size_t)tok->char_offset; i < len; i++) {
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
			ret = fail(ret_error, "trailing bytes after the JSON object", -EBADMSG);
			goto out;
		}
	}
	if (!json_object_is_type(o, json_type_object)) {
		ret = fail(ret_error, "a request is a JSON object", -EBADMSG);
		goto out;
	}
	if (count_top_keys(line, len) != (size_t)json_object_object_length(o)) {
		ret = fail(ret_error, "a key appears twice in the request", -EBADMSG);
		goto out;
	}
	{
		json_object_object_foreach(o, key, val)
		{
			if (strcmp(key, "cmd") == 0) {
				int c;

				if (!json_object_is_type(val, json_type_string)) {
					ret = fail(ret_error, "\"cmd\" must be a string", -EBADMSG);
					goto out;
				}
				c = control_cmd_parse(json_object_get_string(val));
				if (c < 0) {
					ret = fail(ret_error, "unknown command (status, check, last, "
							      "subscribe, reload, history)",
						   -EOPNOTSUPP);
					goto out;
				}
				req.cmd = (enum control_cmd)c;
				have_cmd = true;
			} else if (strcmp(key, "iface") == 0) {
				if (!json_object_is_type(val, json_type_string)) {
					ret = fail(ret_error, "\"iface\" must be a string", -EBADMSG);
					goto out;
				}
				s = json_object_get_string(val);
				slen = (size_t)json_object_get_string_len(val);
				if (strlen(s) != slen || !valid_ifname(s, slen)) {
					ret = fail(ret_error, "\"iface\" is not an interface name",
						   -EINVAL);
					goto out;
				}
				memcpy(req.iface, s, slen);
				req.iface[slen] = 0;
				have_iface = true;
			} else if (strcmp(key, "order") == 0 || strcmp(key, "plate") == 0) {
				bool order = key[0] == 'o';
				size_t max = order ? CONTROL_ORDER_MAX : CONTROL_PLATE_MAX;

				if (!json_object_is_type(val, json_type_string)) {
					ret = fail(ret_error, order ? "\"order\" must be a string"
								    : "\"plate\" must be a string",
						   -EBADMSG);
					goto out;
				}
				s = json_object_get_string(val);
				slen = (size_t)json_object_get_string_len(val);
				if (!control_text_ok(s, slen, max)) {
					ret = fail(ret_error,
						   order ? "\"order\" is not one line of at most 64 "
							   "bytes of printable UTF-8"
							 : "\"plate\" is not one line of at most 32 "
							   "bytes of printable UTF-8",
						   -EINVAL);
					goto out;
				}
				memcpy(order ? req.order : req.plate, s, slen);
				(order ? req.order : req.plate)[slen] = 0;
				have_extra = true;
			} else if (strcmp(key, "vin") == 0) {
				if (!json_object_is_type(val, json_type_string) ||
				    !vin_ok(json_object_get_string(val),
					    (size_t)json_object_get_string_len(val), req.vin)) {
					ret = fail(ret_error, "\"vin\" is not a VIN (17 characters "
							      "A-Z 0-9 without I, O, Q)", -EINVAL);
					goto out;
				}
				have_vin = true;
			} else if (strcmp(key, "limit") == 0) {
				int64_t l;

				if (!json_object_is_type(val, json_type_int) ||
				    (l = json_object_get_int64(val)) < 1 || l > CONTROL_HISTORY_MAX) {
					ret = fail(ret_error, "\"limit\" must be an integer 1..1000",
						   -EINVAL);
					goto out;
				}
				req.limit = (unsigned int)l;
				have_limit = true;
			} else if (strcmp(key, "id") == 0) {
				if (!json_object_is_type(val, json_type_int)) {
					ret = fail(ret_error, "\"id\" must be an integer", -EBADMSG);
					goto out;
				}
				errno = 0;
				req.id = json_object_get_int64(val);
				if (errno || req.id > CONTROL_ID_MAX || req.id < -CONTROL_ID_MAX) {
					ret = fail(ret_error, "\"id\" is out of range (at most 2^53-1 "
							      "either way)", -ERANGE);
					goto out;
				}
				req.has_id = true;
			} else {
				ret = fail(ret_error, "unknown key in request", -EBADMSG);
				goto out;
			}
		}
	}
	if (!have_cmd) {
		ret = fail(ret_error, "request has no \"cmd\"", -EBADMSG);
		goto out;
	}
	if (control_cmd_needs_iface(req.cmd) && !have_iface) {
		ret = fail(ret_error, "this command needs \"iface\"", -EINVAL);
		goto out;
	}
	if (!control_cmd_needs_iface(req.cmd) && have_iface) {
		ret = fail(ret_error, "this command takes no \"iface\"", -EINVAL);
		goto out;
	}
	if (have_extra && req.cmd != CONTROL_CHECK) {
		ret = fail(ret_error, "only check takes \"order\" and \"plate\"", -EINVAL);
		goto out;
	}
	if (control_cmd_needs_vin(req.cmd) && !have_vin) {
		ret = fail(ret_error, "this command needs \"vin\"", -EINVAL);
		goto out;
	}
	if (!control_cmd_needs_vin(req.cmd) && (have_vin || have_limit)) {
		ret = fail(ret_error, "only history takes \"vin\" and \"limit\"", -EINVAL);
		goto out;
	}
	if (req.cmd == CONTROL_HISTORY && !req.limit)
		req.limit = 50;
	*ret_req = req;
	ret = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return ret;
}

/* ---- line framing ------------------------------------------------------------------------- */

int linebuf_init(struct linebuf *lb, size_t max)
{
	*lb = (struct linebuf){ .max = max };
	/* One byte more than max so a line of exactly max bytes plus its newline fits. */
	lb->buf = malloc(max + 1);
	return lb->buf ? 0 : -ENOMEM;
}

void linebuf_done(struct linebuf *lb)
{
	free(lb->buf);
	lb->buf = NULL;
	lb->len = 0;
}

/* Drop the line handed out by the previous linebuf_next. */
static void linebuf_settle(struct linebuf *lb)
{
	if (!lb->taken)
		return;
	memmove(lb->buf, lb->buf + lb->taken, lb->len - lb->taken);
	lb->len -= lb->taken;
	lb->taken = 0;
}

size_t linebuf_feed(struct linebuf *lb, const char *data, size_t len)
{
	size_t used = 0;

	linebuf_settle(lb);
	while (used < len) {
		const char *nl;
		size_t chunk;

		if (lb->skipping) {
			nl = memchr(data + used, '\n', len - used);
			if (!nl)
				return len;
			used = (size_t)(nl - data) + 1;
			lb->skipping = false;
			continue;
		}
		/* A complete line is waiting: the caller takes it before more bytes come in. */
		if (lb->len && memchr(lb->buf, '\n', lb->len))
			return used;
		chunk = len - used;
		if (chunk > lb->max + 1 - lb->len)
			chunk = lb->max + 1 - lb->len;
		nl = memchr(data + used, '\n', chunk);
		if (nl)
			chunk = (size_t)(nl - (data + used)) + 1;
		memcpy(lb->buf + lb->len, data + used, chunk);
		lb->len += chunk;
		used += chunk;
		if (nl)
			return used;
		if (lb->len > lb->max)
			return used;	/* linebuf_next reports it oversized */
	}
	return used;
}

enum linebuf_result linebuf_next(struct linebuf *lb, const char **ret_line, size_t *ret_len)
{
	char *nl;

	linebuf_settle(lb);
	if (lb->len == 0)
		return LINEBUF_NONE;
	nl = memchr(lb->buf, '\n', lb->len);
	if (nl) {
		/* Handed out in place, valid until the next call, which removes it. */
		*nl = 0;
		*ret_line = lb->buf;
		*ret_len = (size_t)(nl - lb->buf);
		lb->taken = *ret_len + 1;
		return LINEBUF_LINE;
	}
	if (lb->len > lb->max) {
		lb->len = 0;
		lb->skipping = true;
		return LINEBUF_OVERSIZED;
	}
	return LINEBUF_NONE;
}

/* ---- output queue ------------------------------------------------------------------------- */

void outbuf_init(struct outbuf *ob, size_t max)
{
	*ob = (struct outbuf){ .max = max };
}

void outbuf_done(struct outbuf *ob)
{
	free(ob->buf);
	*ob = (struct outbuf){ .max = ob->max };
}

/* Room for len more bytes (the bound is the caller's). */
static int outbuf_reserve(struct outbuf *ob, size_t len)
{
	if (ob->start + ob->len + len > ob->cap) {
		/* Compact first; grow only if the live data really needs it. */
		if (ob->start) {
			memmove(ob->buf, ob->buf + ob->start, ob->len);
			ob->start = 0;
		}
		if (ob->len + len > ob->cap) {
			size_t cap = ob->cap ? ob->cap : 4096;
			char *p;

			while (cap < ob->len + len)
				cap *= 2;
			/* no more than the bound needs, but never less than this message */
			if (cap > ob->max && ob->max >= ob->len + len)
				cap = ob->max;
			p = realloc(ob->buf, cap);
			if (!p)
				return -ENOMEM;
			ob->buf = p;
			ob->cap = cap;
		}
	}
	return 0;
}

/* The bound is on what waits beyond the largest message waiting: a report of any size reaches a
 * client that keeps up, and the small events right after it too, while a client that stops
 * reading still runs into max_output and is dropped. */
static bool outbuf_fits(struct outbuf *ob, size_t len)
{
	size_t big = len > ob->big ? len : ob->big;

	if (ob->len && (big > SIZE_MAX - ob->max || ob->len > ob->max + big - len))
		return false;
	ob->big = big;
	return true;
}

int outbuf_append(struct outbuf *ob, const char *data, size_t len)
{
	int r;

	if (!outbuf_fits(ob, len))
		return -ENOBUFS;
	r = outbuf_reserve(ob, len);
	if (r < 0)
		return r;
	memcpy(ob->buf + ob->start + ob->len, data, len);
	ob->len += len;
	return 0;
}

int outbuf_append_line(struct outbuf *ob, const char *data, size_t len)
{
	int r;

	if (len == SIZE_MAX || !outbuf_fits(ob, len + 1))
		return -ENOBUFS;
	r = outbuf_reserve(ob, len + 1);
	if (r < 0)
		return r;
	memcpy(ob->buf + ob->start + ob->len, data, len);
	ob->buf[ob->start + ob->len + len] = '\n';
	ob->len += len + 1;
	return 0;
}

ssize_t outbuf_flush(struct outbuf *ob, int fd)
{
	while (ob->len) {
		ssize_t n = write(fd, ob->buf + ob->start, ob->len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		ob->start += (size_t)n;
		ob->len -= (size_t)n;
	}
	if (ob->len == 0) {
		ob->start = 0;
		ob->big = 0;
	}
	return (ssize_t)ob->len;
}
