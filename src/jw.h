/* SPDX-License-Identifier: MIT */
/*
 * A small streaming JSON writer: values go straight to a FILE through a
 * private buffer, nothing is kept but one "has elements" flag per open
 * container.  Errors are sticky (the first one is returned by jw_finish()),
 * so callers write a whole document without checking each call.  A long
 * document bound for a file descriptor is written by a helper thread
 * while the caller goes on producing the next megabyte (jw.c).
 */
#ifndef KTSNAP_JW_H
#define KTSNAP_JW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JW_INLINE static inline __attribute__((always_inline))
#define JW_MAX_DEPTH 512
#define JW_BUF_SIZE (64 * 1024)

struct jw_async;

struct json_writer {
	FILE *f;
	int fd; /* f's descriptor, -1 for memory streams */
	bool pretty;
	bool after_key; /* next value completes a "key": pair */
	int err; /* first error (negative errno), sticky */
	int depth;
	char *buf; /* own, or one of the helper thread's buffers */
	size_t cap; /* size of buf */
	size_t len;
	uint64_t written; /* bytes handed to the FILE so far */
	unsigned int spills; /* full buffers written in the caller's thread */
	struct jw_async *async; /* NULL: every write is the caller's */
	bool has_elems[JW_MAX_DEPTH + 1];
	char own[JW_BUF_SIZE];
};

/* @w may live on the heap (it holds the buffer). */
void jw_init(struct json_writer *w, FILE *f, bool pretty);
/* Close the document: '\n' after a complete top-level value, flush, stop
 * the helper thread if one was started.  Returns the first error, or
 * -EINVAL if containers are left open.  Every jw_init() needs it. */
int jw_finish(struct json_writer *w);
/* Write out everything so far (also what the helper thread holds), so the
 * caller may write to the FILE itself, without ending the document. */
void jw_flush(struct json_writer *w);

void jw_obj_begin(struct json_writer *w);
void jw_obj_end(struct json_writer *w);
void jw_arr_begin(struct json_writer *w);
void jw_arr_end(struct json_writer *w);

/* ---- the hot path, inline (a report is millions of keys and numbers) -- */
void jw__newline_indent(struct json_writer *w, int depth);
void jw__put_slow(struct json_writer *w, const char *s, size_t n);
/* The buffer is full: hand it on (to the helper thread, if any). */
void jw__spill(struct json_writer *w);
void jw__second_top_level(struct json_writer *w);

JW_INLINE void jw__put(struct json_writer *w, const char *s, size_t n)
{
	if (n > w->cap - w->len) {
		jw__put_slow(w, s, n);
		return;
	}
	if (n <= 16) {
		char *d = w->buf + w->len;

		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		memcpy(w->buf + w->len, s, n);
	}
	w->len += n;
}

JW_INLINE void jw__putch(struct json_writer *w, char c)
{
	if (w->len == w->cap)
		jw__spill(w);
	w->buf[w->len++] = c;
}

/* Separator before a value or a key at the current level. */
JW_INLINE void jw__pre_item(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0) {
		jw__second_top_level(w);
		return;
	}
	if (w->has_elems[w->depth])
		jw__putch(w, ',');
	w->has_elems[w->depth] = true;
	if (w->pretty)
		jw__newline_indent(w, w->depth);
}

/* A key that needs no escaping (all of ours are identifiers). */
JW_INLINE void jw_key_n(struct json_writer *w, const char *key, size_t n)
{
	jw__pre_item(w);
	jw__putch(w, '"');
	jw__put(w, key, n);
	if (w->pretty)
		jw__put(w, "\": ", 3);
	else
		jw__put(w, "\":", 2);
	w->after_key = true;
}

/* Inline so that strlen() of a literal key folds to a constant. */
JW_INLINE void jw_key(struct json_writer *w, const char *key)
{
	jw_key_n(w, key, strlen(key));
}

/* A string that needs no escaping (our own constants). */
JW_INLINE void jw_str_safe(struct json_writer *w, const char *s)
{
	jw__pre_item(w);
	jw__putch(w, '"');
	jw__put(w, s, strlen(s));
	jw__putch(w, '"');
}

/* The decimal of @v, with '-' when @neg, written backwards so that it
 * ends at @end (at most 21 bytes); returns where it starts. */
JW_INLINE char *jw__dec_back(char *end, bool neg, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (neg)
		*--end = '-';
	return end;
}

JW_INLINE void jw__put_u64(struct json_writer *w, bool neg, uint64_t v)
{
	char tmp[24];
	char *p = jw__dec_back(tmp + sizeof(tmp), neg, v);

	jw__put(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

JW_INLINE void jw_u64(struct json_writer *w, uint64_t v)
{
	jw__pre_item(w);
	jw__put_u64(w, false, v);
}

JW_INLINE void jw_i64(struct json_writer *w, int64_t v)
{
	jw__pre_item(w);
	if (v < 0)
		jw__put_u64(w, true, (uint64_t)0 - (uint64_t)v);
	else
		jw__put_u64(w, false, (uint64_t)v);
}

void jw_null(struct json_writer *w);
void jw_bool(struct json_writer *w, bool v);
/* A signed magnitude: -mag when @neg (covers every difference of two u64). */
void jw_signmag(struct json_writer *w, bool neg, uint64_t mag);
/* Shortest round-trip decimal; NaN / ±inf as the strings "NaN", "inf", "-inf". */
void jw_f64(struct json_writer *w, double v);
void jw_str(struct json_writer *w, const char *s);
void jw_strn(struct json_writer *w, const char *s, size_t n);
/* A string of @n bytes as lowercase hex pairs separated by spaces. */
void jw_hex(struct json_writer *w, const uint8_t *p, size_t n);
/* Verbatim JSON text (trusted to be one valid JSON value). */
void jw_raw(struct json_writer *w, const char *json);

/* key + value shorthands: jw_kv_u64(w, k, v) is jw_key(w, k) then
 * jw_u64(w, v); likewise jw_kv_i64, jw_kv_bool, jw_kv_f64 and jw_kv_str */
#define JW_KV(kind, type)                                                         \
	JW_INLINE void jw_kv_##kind(struct json_writer *w, const char *k, type v) \
	{                                                                         \
		jw_key(w, k);                                                     \
		jw_##kind(w, v);                                                  \
	}
JW_KV(u64, uint64_t)
JW_KV(i64, int64_t)
JW_KV(bool, bool)
JW_KV(f64, double)
JW_KV(str, const char *)
#undef JW_KV

/* Shortest "%.*g" text of @v that strtod() reads back exactly (finite v);
 * always contains '.', 'e' or "inf"/"nan".  Returns the length. */
int jw_format_double(char *buf, size_t size, double v);

#endif
