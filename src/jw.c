// SPDX-License-Identifier: MIT
/*
 * jw: the streaming JSON writer every JSON output of the library goes
 * through (report files, diffs, the CLI's -j): a private buffer in front of
 * a FILE, sticky errors, containers tracked by one flag per level, strings
 * repaired to valid UTF-8, doubles as the shortest round-trip decimal.  The
 * hot inline half (keys and integers) lives in jw.h.  Long documents bound
 * for a file descriptor are written by a helper thread (below), so making
 * the text and the kernel's copy of it into the page cache overlap.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	w->buf = w->own;
	w->cap = sizeof(w->own);
	w->len = 0;
	w->written = 0;
	w->spills = 0;
	w->async = NULL;
	w->has_elems[0] = false;
}

/* 0, or the negative errno of the failed write(2) (EINVAL: -EIO). */
static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = write(fd, s, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 && errno != EINVAL ? -errno : -EIO;
		s += k;
		n -= (size_t)k;
	}
	return 0;
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
	if (w->err || !n)
		return;
	w->written += n;
	if (w->fd == -2)
		w->fd = fflush(w->f) ? -1 : fileno(w->f);
	if (w->fd < 0) {
		errno = 0;
		if (fwrite(s, 1, n, w->f) != n)
			w->err = errno && errno != EINVAL ? -errno : -EIO; /* keep ENOSPC */
		return;
	}
	w->err = write_all(w->fd, s, n);
}

/* ---- the helper thread ------------------------------------------------------------ */

/*
 * A document that has filled the writer's own buffer JW_ASYNC_AFTER times
 * is a long one: from then on the caller fills JW_ASYNC_BUFS buffers of
 * JW_ASYNC_CHUNK bytes in turn and a helper thread writes them, in order,
 * while the next one fills.  The caller waits only when every buffer is
 * queued.  A write error stops the writing (the rest is dropped) and
 * reaches the caller at its next spill, flush or jw_finish().
 */
#define JW_ASYNC_AFTER 2
#define JW_ASYNC_BUFS 4
#define JW_ASYNC_CHUNK (1024 * 1024)

struct jw_async {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* queued changed, or stop */
	int fd;
	char *bufs[JW_ASYNC_BUFS];
	size_t lens[JW_ASYNC_BUFS];
	unsigned int head; /* next buffer the thread writes */
	unsigned int queued; /* handed over, not written yet */
	unsigned int cur; /* the one the caller fills */
	bool stop;
	int err; /* first write error */
};

static void *async_main(void *arg)
{
	struct jw_async *a = arg;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		unsigned int i;
		int err;

		while (!a->queued && !a->stop)
			pthread_cond_wait(&a->cond, &a->lock);
		if (!a->queued)
			break;
		i = a->head;
		err = a->err;
		pthread_mutex_unlock(&a->lock);
		if (!err)
			err = write_all(a->fd, a->bufs[i], a->lens[i]);
		pthread_mutex_lock(&a->lock);
		if (err && !a->err)
			a->err = err;
		a->head = (i + 1) % JW_ASYNC_BUFS;
		a->queued--;
		pthread_cond_broadcast(&a->cond);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static void async_free(struct jw_async *a)
{
	unsigned int i;

	for (i = 0; i < JW_ASYNC_BUFS; i++)
		free(a->bufs[i]);
	free(a);
}

/* Start the thread; on any failure the caller simply keeps writing. */
static void async_start(struct json_writer *w)
{
	struct jw_async *a = calloc(1, sizeof(*a));
	sigset_t all, old;
	unsigned int i;
	int err;

	if (!a)
		return;
	for (i = 0; i < JW_ASYNC_BUFS; i++)
		if (!(a->bufs[i] = malloc(JW_ASYNC_CHUNK)))
			goto fail;
	a->fd = w->fd;
	if (pthread_mutex_init(&a->lock, NULL))
		goto fail;
	if (pthread_cond_init(&a->cond, NULL)) {
		pthread_mutex_destroy(&a->lock);
		goto fail;
	}
	/* signals stay with the caller's threads (the CLI's cleanup handlers) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&a->thread, NULL, async_main, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pthread_cond_destroy(&a->cond);
		pthread_mutex_destroy(&a->lock);
		goto fail;
	}
	w->async = a;
	w->buf = a->bufs[0];
	w->cap = JW_ASYNC_CHUNK;
	w->len = 0;
	return;
fail:
	async_free(a);
}

/* Queue the buffer being filled and take the next one when it is free. */
static void async_spill(struct json_writer *w)
{
	struct jw_async *a = w->async;

	pthread_mutex_lock(&a->lock);
	if (w->len && !w->err) {
		a->lens[a->cur] = w->len;
		w->written += w->len;
		a->queued++;
		a->cur = (a->cur + 1) % JW_ASYNC_BUFS;
		pthread_cond_broadcast(&a->cond);
	}
	/* the next buffer is still queued only when all of them are */
	while (a->queued == JW_ASYNC_BUFS)
		pthread_cond_wait(&a->cond, &a->lock);
	if (a->err && !w->err)
		w->err = a->err;
	pthread_mutex_unlock(&a->lock);
	w->buf = a->bufs[a->cur];
	w->len = 0;
}

/* Everything handed over is written. */
static void async_drain(struct json_writer *w)
{
	struct jw_async *a = w->async;

	async_spill(w);
	pthread_mutex_lock(&a->lock);
	while (a->queued)
		pthread_cond_wait(&a->cond, &a->lock);
	if (a->err && !w->err)
		w->err = a->err;
	pthread_mutex_unlock(&a->lock);
}

static void async_stop(struct json_writer *w)
{
	struct jw_async *a = w->async;

	async_drain(w);
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	async_free(a);
	w->async = NULL;
	w->buf = w->own;
	w->cap = sizeof(w->own);
	w->len = 0;
}

void jw__spill(struct json_writer *w)
{
	if (w->async) {
		async_spill(w);
		return;
	}
	emit(w, w->buf, w->len);
	w->len = 0;
	if (++w->spills == JW_ASYNC_AFTER && w->fd >= 0 && !w->err)
		async_start(w);
}

void jw_flush(struct json_writer *w)
{
	if (w->async) {
		async_drain(w);
		return;
	}
	emit(w, w->buf, w->len);
	w->len = 0;
}

void jw__put_slow(struct json_writer *w, const char *s, size_t n)
{
	while (n > w->cap - w->len) {
		size_t k = w->cap - w->len;

		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		jw__spill(w);
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
	if (w->async)
		async_stop(w);
	else
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
