// SPDX-License-Identifier: MIT
/*
 * jw: the streaming JSON writer every JSON output of the library goes
 * through (report files, diffs, the CLI's -j): a private buffer in front of
 * a FILE, sticky errors, containers tracked by one flag per level, strings
 * repaired to valid UTF-8, doubles as the shortest round-trip decimal.  The
 * hot inline half (keys and integers) lives in jw.h.
 */
#include <errno.h>
#include <unistd.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jw.h"
#include "util_internal.h"

void jw_init(struct json_writer *w, FILE *f, bool pretty)
{
	w->f = f;
	w->fd = -2; /* decided at the first flush */
	w->pretty = pretty;
	w->after_key = false;
	w->err = 0;
	w->depth = 0;
	w->len = 0;
	w->written = 0;
	w->has_elems[0] = false;
}

/*
 * Our buffer is already big: going through stdio's own (4 KiB) buffer
 * would split every flush in two syscalls and copy it once more.  Streams
 * with a file descriptor get the bytes straight after an fflush() (which
 * keeps whatever the caller wrote before us in order); memory and cookie
 * streams go through fwrite().
 */
static void emit(struct json_writer *w, const char *s, size_t n)
{
	int fd;

	if (w->err || !n)
		return;
	w->written += n;
	if (w->fd == -2)
		w->fd = fflush(w->f) ? -1 : fileno(w->f);
	fd = w->fd;
	if (fd < 0) {
		errno = 0;
		if (fwrite(s, 1, n, w->f) != n)
			w->err = errno && errno != EINVAL ? -errno : -EIO; /* keep ENOSPC */
		return;
	}
	while (n) {
		ssize_t k = write(fd, s, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			w->err = k < 0 && errno != EINVAL ? -errno : -EIO;
			return;
		}
		s += k;
		n -= (size_t)k;
	}
}

void jw_flush(struct json_writer *w)
{
	emit(w, w->buf, w->len);
	w->len = 0;
}

void jw__put_slow(struct json_writer *w, const char *s, size_t n)
{
	jw_flush(w);
	if (n > sizeof(w->buf)) {
		emit(w, s, n);
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

#define put jw__put
#define putch jw__putch
#define pre_item jw__pre_item

void jw__newline_indent(struct json_writer *w, int depth)
{
	static const char spaces[] = "                                ";
	size_t n = (size_t)depth * 2;

	putch(w, '\n');
	while (n) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		put(w, spaces, k);
		n -= k;
	}
}

void jw__second_top_level(struct json_writer *w)
{
	if (w->has_elems[0] && !w->err)
		w->err = -EINVAL; /* two top-level values */
	w->has_elems[0] = true;
}

static void open_container(struct json_writer *w, char c)
{
	pre_item(w);
	if (w->depth >= JW_MAX_DEPTH) {
		if (!w->err)
			w->err = -EINVAL;
		w->depth++; /* keep begin/end balanced; output is void */
		return;
	}
	putch(w, c);
	w->depth++;
	w->has_elems[w->depth] = false;
}

static void close_container(struct json_writer *w, char c)
{
	if (w->depth == 0) {
		if (!w->err)
			w->err = -EINVAL;
		return;
	}
	if (w->depth > JW_MAX_DEPTH) {
		w->depth--;
		return;
	}
	if (w->pretty && w->has_elems[w->depth])
		jw__newline_indent(w, w->depth - 1);
	putch(w, c);
	w->depth--;
}

void jw_obj_begin(struct json_writer *w)
{
	open_container(w, '{');
}

void jw_obj_end(struct json_writer *w)
{
	close_container(w, '}');
}

void jw_arr_begin(struct json_writer *w)
{
	open_container(w, '[');
}

void jw_arr_end(struct json_writer *w)
{
	close_container(w, ']');
}

int jw_finish(struct json_writer *w)
{
	if (w->depth && !w->err)
		w->err = -EINVAL;
	putch(w, '\n');
	jw_flush(w);
	if (!w->err && fflush(w->f))
		w->err = errno && errno != EINVAL ? -errno : -EIO;
	if (w->fd >= 0) {
		/* we wrote behind stdio's back: let it re-read the file
		 * position (fails harmlessly on pipes) */
		int saved = errno;

		if (fseek(w->f, 0, SEEK_CUR))
			clearerr(w->f);
		errno = saved;
	}
	return w->err;
}

/* ---- strings ---------------------------------------------------------- */

/* 1: the byte needs a look (control, quote, backslash, non-ASCII) */
static const unsigned char special[256] = {
	[0 ... 0x1f] = 1,
	['"'] = 1,
	['\\'] = 1,
	[0x80 ... 0xff] = 1,
};

static void put_escaped(struct json_writer *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	putch(w, '"');
	while (i < n) {
		unsigned char c = p[i];
		size_t len;

		if (!special[c]) {
			run++;
			i++;
			continue;
		}
		if (c >= 0x80 && (len = ktsnap_utf8_seq(p + i, n - i))) {
			run += len;
			i += len;
			continue;
		}
		put(w, (const char *)p + i - run, run);
		run = 0;
		switch (c) {
		case '"':
			put(w, "\\\"", 2);
			break;
		case '\\':
			put(w, "\\\\", 2);
			break;
		case '\n':
			put(w, "\\n", 2);
			break;
		case '\t':
			put(w, "\\t", 2);
			break;
		case '\r':
			put(w, "\\r", 2);
			break;
		case '\b':
			put(w, "\\b", 2);
			break;
		case '\f':
			put(w, "\\f", 2);
			break;
		default:
			if (c < 0x20) {
				char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

				put(w, e, 6);
			} else {
				put(w, "\xef\xbf\xbd", 3); /* U+FFFD */
			}
		}
		i++;
	}
	put(w, (const char *)p + i - run, run);
	putch(w, '"');
}

void jw_strn(struct json_writer *w, const char *s, size_t n)
{
	pre_item(w);
	put_escaped(w, s, n);
}

void jw_str(struct json_writer *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_hex(struct json_writer *w, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[3 * 256];
	size_t i, k = 0;

	pre_item(w);
	putch(w, '"');
	for (i = 0; i < n; i++) {
		/* "xx " per byte; the last space is dropped below */
		tmp[k] = digits[p[i] >> 4];
		tmp[k + 1] = digits[p[i] & 15];
		tmp[k + 2] = ' ';
		k += 3;
		if (k == sizeof(tmp)) {
			put(w, tmp, i + 1 == n ? k - 1 : k);
			k = 0;
		}
	}
	if (k)
		put(w, tmp, k - 1);
	putch(w, '"');
}

/* ---- scalars ---------------------------------------------------------- */
void jw_null(struct json_writer *w)
{
	pre_item(w);
	put(w, "null", 4);
}

void jw_bool(struct json_writer *w, bool v)
{
	pre_item(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw_signmag(struct json_writer *w, bool neg, uint64_t mag)
{
	pre_item(w);
	jw__put_u64(w, neg && mag, mag);
}

int jw_format_double(char *buf, size_t size, double v)
{
	int n;

	if (isnan(v))
		return snprintf(buf, size, "NaN");
	if (isinf(v))
		return snprintf(buf, size, v < 0 ? "-inf" : "inf");
	n = snprintf(buf, size, "%.*g", ktsnap_shortest_digits(v), v);
	if (!strpbrk(buf, ".e") && (size_t)n + 2 < size) {
		buf[n++] = '.';
		buf[n++] = '0';
		buf[n] = '\0';
	}
	return n;
}

void jw_f64(struct json_writer *w, double v)
{
	char tmp[40];
	int n;

	if (!isfinite(v)) {
		jw_str(w, isnan(v) ? "NaN" : v < 0 ? "-inf" : "inf");
		return;
	}
	n = jw_format_double(tmp, sizeof(tmp), v);
	pre_item(w);
	put(w, tmp, (size_t)n);
}

void jw_raw(struct json_writer *w, const char *json)
{
	pre_item(w);
	put(w, json, strlen(json));
}
