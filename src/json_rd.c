// SPDX-License-Identifier: MIT
/*
 * json_rd: the report reader's access layer (json_rd.h).  Everything
 * json_read.c needs to turn a json-c DOM into a model, with the field path
 * kept for error messages: typed, range-checked field getters, arrays that
 * are either in the DOM or were cut out of the text by json_scan.c and are
 * parsed one element at a time, and verbatim JSON fields re-serialised
 * with their cut arrays put back.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json_internal.h"
#include "json_rd.h"
#include "json_scan.h"
#include "log_internal.h"
#include "util_internal.h"

/* ---- errors and the field path -------------------------------------- */

bool rd_fail(struct rd *rd, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (rd->err)
		return false;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	rd->err = -EINVAL;
	if (rd->pb.len)
		ktsnap_fail(-EINVAL, "invalid report: %s: %s", rd->pb.s, why);
	else
		ktsnap_fail(-EINVAL, "invalid report: %s", why);
	return false;
}

bool rd_nomem(struct rd *rd)
{
	if (!rd->err) {
		rd->err = -ENOMEM;
		ktsnap_fail(-ENOMEM, "out of memory reading report");
	}
	return false;
}

/* Append ".key" (or "key" at the root) / "[i]" to the path; returns the
 * length to restore with rd_path_pop(). */
size_t rd_path_key(struct rd *rd, const char *key)
{
	return ktsnap_pathbuf_push(&rd->pb, rd->pb.len ? ".%s" : "%s", key);
}

size_t rd_path_idx(struct rd *rd, size_t i)
{
	return ktsnap_pathbuf_push(&rd->pb, "[%zu]", i);
}

void rd_path_pop(struct rd *rd, size_t old)
{
	ktsnap_pathbuf_pop(&rd->pb, old);
}

const char *rd_jtype(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a non-integer number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "?";
}

/* ---- field access ----------------------------------------------------- */

/* Fields not in @known (NULL-terminated) are an error. */
bool rd_check_keys(struct rd *rd, struct json_object *o, const char *const *known)
{
	json_object_object_foreach(o, key, val) {
		const char *const *k;

		(void)val;
		for (k = known; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k)
			return rd_fail(rd, "unknown field \"%s\"", key);
	}
	return true;
}

bool rd_expect(struct rd *rd, struct json_object *v, enum json_type t, const char *what)
{
	if (v && json_object_is_type(v, t))
		return true;
	return rd_fail(rd, "expected %s, got %s", what, rd_jtype(v));
}

bool rd_conv_u64(struct rd *rd, struct json_object *v, uint64_t max, uint64_t *out)
{
	uint64_t u;

	if (!rd_expect(rd, v, json_type_int, "an unsigned integer"))
		return false;
	if (json_object_get_int64(v) < 0)
		return rd_fail(rd, "expected an unsigned integer, got %lld",
			       (long long)json_object_get_int64(v));
	u = json_object_get_uint64(v);
	if (u > max)
		return rd_fail(rd, "%llu is out of range (at most %llu)", (unsigned long long)u,
			       (unsigned long long)max);
	*out = u;
	return true;
}

bool rd_conv_i64(struct rd *rd, struct json_object *v, int64_t min, int64_t max, int64_t *out)
{
	int64_t i;

	if (!rd_expect(rd, v, json_type_int, "an integer"))
		return false;
	i = json_object_get_int64(v);
	/* json-c keeps values above INT64_MAX as u64 and clamps get_int64 */
	if (i == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX)
		return rd_fail(rd, "%llu is out of range (at most %lld)",
			       (unsigned long long)json_object_get_uint64(v), (long long)max);
	if (i < min || i > max)
		return rd_fail(rd, "%lld is out of range [%lld, %lld]", (long long)i,
			       (long long)min, (long long)max);
	*out = i;
	return true;
}

static bool rd_conv_f64(struct rd *rd, struct json_object *v, double *out)
{
	if (v && json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		if (!strcmp(s, "NaN"))
			*out = NAN;
		else if (!strcmp(s, "inf"))
			*out = INFINITY;
		else if (!strcmp(s, "-inf"))
			*out = -INFINITY;
		else
			return rd_fail(
				rd, "expected a number or \"NaN\"/\"inf\"/\"-inf\", got \"%.40s\"",
				s);
		return true;
	}
	if (!v ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return rd_fail(rd, "expected a number, got %s", rd_jtype(v));
	*out = json_object_get_double(v);
	if (!isfinite(*out))
		return rd_fail(rd, "number out of range");
	return true;
}

static bool rd_conv_bool(struct rd *rd, struct json_object *v, bool *out)
{
	if (!rd_expect(rd, v, json_type_boolean, "a boolean"))
		return false;
	*out = json_object_get_boolean(v);
	return true;
}

bool rd_conv_str(struct rd *rd, struct json_object *v, const char **out)
{
	const char *s;
	size_t n;

	if (!rd_expect(rd, v, json_type_string, "a string"))
		return false;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (memchr(s, '\0', n))
		return rd_fail(rd, "string contains a NUL character");
	*out = ktsnap_arena_strndup(&rd->r->arena, s, n);
	return *out ? true : rd_nomem(rd);
}

/* Present and not null: 1 with *v set; absent: 0; null: error (-1).
 * The path is extended by the key while a field is converted. */
int rd_field(struct rd *rd, struct json_object *o, const char *key, struct json_object **v)
{
	if (!json_object_object_get_ex(o, key, v))
		return 0;
	if (!*v) {
		size_t p = rd_path_key(rd, key);

		rd_fail(rd, "expected a value, got null");
		rd_path_pop(rd, p);
		return -1;
	}
	return 1;
}

#define DEFINE_GETTER(name, type, conv, ...)                                        \
	bool name(struct rd *rd, struct json_object *o, const char *key, type *out) \
	{                                                                           \
		struct json_object *v;                                              \
		size_t p;                                                           \
		bool ok;                                                            \
		int f = rd_field(rd, o, key, &v);                                   \
                                                                                    \
		if (f <= 0)                                                         \
			return f == 0;                                              \
		p = rd_path_key(rd, key);                                           \
		ok = conv(rd, v, ##__VA_ARGS__, out);                               \
		rd_path_pop(rd, p);                                                 \
		return ok;                                                          \
	}

DEFINE_GETTER(rd_get_f64, double, rd_conv_f64)
DEFINE_GETTER(rd_get_bool, bool, rd_conv_bool)
DEFINE_GETTER(rd_get_str, const char *, rd_conv_str)

/* Narrowing conversions: the range check is conv_*'s, the store ours. */
static bool rd_conv_u32(struct rd *rd, struct json_object *v, uint32_t *out)
{
	uint64_t u;

	if (!rd_conv_u64(rd, v, UINT32_MAX, &u))
		return false;
	*out = (uint32_t)u;
	return true;
}

static bool rd_conv_i32(struct rd *rd, struct json_object *v, int32_t *out)
{
	int64_t i;

	if (!rd_conv_i64(rd, v, INT32_MIN, INT32_MAX, &i))
		return false;
	*out = (int32_t)i;
	return true;
}

DEFINE_GETTER(rd_get_u64, uint64_t, rd_conv_u64, UINT64_MAX)
DEFINE_GETTER(rd_get_i64, int64_t, rd_conv_i64, INT64_MIN, INT64_MAX)
DEFINE_GETTER(rd_get_u32, uint32_t, rd_conv_u32)
DEFINE_GETTER(rd_get_i32, int32_t, rd_conv_i32)

/* ---- arrays: in the DOM, or cut out and parsed one element at a time ---------------- */

/* Feed @len bytes of @text to @tok; a value that needs a terminator to end
 * (a number, a literal) gets a space.  *used: bytes of @text consumed (the
 * error offset on failure). */
static struct json_object *rd_parse_all(struct json_tokener *tok, const char *text, size_t len,
					enum json_tokener_error *jerr, size_t *used)
{
	const size_t chunk = INT_MAX / 2;
	struct json_object *o = NULL;
	size_t off = 0;

	do {
		size_t n = len - off < chunk ? len - off : chunk;

		o = json_tokener_parse_ex(tok, text + off, (int)n);
		*jerr = json_tokener_get_error(tok);
		if (*jerr != json_tokener_continue) {
			*used = off + json_tokener_get_parse_end(tok);
			return o;
		}
		off += n;
	} while (off < len);
	*used = len;
	o = json_tokener_parse_ex(tok, " ", 1);
	*jerr = json_tokener_get_error(tok);
	return o;
}

int rd_parse_range(const struct rd *rd, struct json_tokener *tok, ssize_t cut, size_t start,
		   size_t end, struct json_object **out, enum json_tokener_error *jerr,
		   size_t *used)
{
	struct json_object *o;
	size_t clen;
	char *copy;

	/* the arrays cut out of it left out; with nothing cut, that is the
	 * input itself, parsed once */
	if (json_splits_compact(rd->splits, cut, start, end, &copy, &clen))
		return -ENOMEM;
	if (copy) {
		json_tokener_reset(tok);
		o = rd_parse_all(tok, copy, clen, jerr, used);
		free(copy);
		if (*jerr == json_tokener_success && *used == clen) {
			*out = o;
			*used = end - start;
			return 0;
		}
		json_object_put(o);
		/* only to name the byte of the error: the cut arrays blanked */
		if (json_splits_text(rd->splits, cut, start, end, &copy))
			return -ENOMEM;
	}
	json_tokener_reset(tok);
	*out = rd_parse_all(tok, copy ? copy : rd->src + start, end - start, jerr, used);
	free(copy);
	return 0;
}

/* Element [start, end) of cut array @cut, parsed on its own. */
static bool rd_parse_piece(struct rd *rd, ssize_t cut, size_t start, size_t end,
			   struct json_object **out)
{
	enum json_tokener_error jerr;
	struct json_object *o;
	size_t used;

	if (rd_parse_range(rd, rd->etok, cut, start, end, &o, &jerr, &used))
		return rd_nomem(rd);
	if (jerr == json_tokener_success && used == end - start) {
		*out = o;
		return true;
	}
	json_object_put(o);
	if (jerr == json_tokener_success || jerr == json_tokener_continue)
		return rd_fail(rd, "invalid JSON at byte %zu", start + used);
	return rd_fail(rd, "invalid JSON at byte %zu: %s", start + used,
		       json_tokener_error_desc(jerr));
}

void rd_arr_open(struct rd *rd, struct json_object *arr, struct rd_arr *a)
{
	struct json_object *m;

	*a = (struct rd_arr){ .arr = arr, .cut = -1, .n = json_object_array_length(arr) };
	if (a->n != 1 || !rd->splits)
		return;
	m = json_object_array_get_idx(arr, 0);
	if (!json_object_is_type(m, json_type_string))
		return;
	a->cut = json_splits_marker(rd->splits, json_object_get_string(m),
				    (size_t)json_object_get_string_len(m));
	if (a->cut < 0)
		return;
	a->n = json_splits_count(rd->splits, a->cut);
	a->slot = rd->nr_pieces++;
}

/* The next element (NULL for JSON null); false after rd_fail(). */
bool rd_arr_next(struct rd *rd, struct rd_arr *a, struct json_object **out)
{
	size_t start, end;

	if (a->cut < 0) {
		*out = json_object_array_get_idx(a->arr, a->i++);
		return true;
	}
	json_object_put(rd->pieces[a->slot]);
	rd->pieces[a->slot] = NULL;
	if (!json_splits_next(rd->splits, a->cut, &a->cursor, &start, &end))
		return rd_fail(rd, "array ended early");
	a->i++;
	if (!rd_parse_piece(rd, a->cut, start, end, &rd->pieces[a->slot]))
		return false;
	*out = rd->pieces[a->slot];
	return true;
}

/* The next element as an unsigned integer ≤ @max (a cut list of plain
 * numbers is read straight from the text). */
bool rd_arr_next_u64(struct rd *rd, struct rd_arr *a, uint64_t max, uint64_t *out)
{
	struct json_object *v = NULL;

	if (a->cut >= 0) {
		size_t cursor = a->cursor, start, end, k;
		uint64_t u = 0;

		if (json_splits_next(rd->splits, a->cut, &cursor, &start, &end) &&
		    end - start <= 20 && (end - start == 1 || rd->src[start] != '0')) {
			for (k = start; k < end && rd->src[k] >= '0' && rd->src[k] <= '9'; k++)
				u = u * 10 + (uint64_t)(rd->src[k] - '0'); /* ≤ u64: checked */
			if (k == end) {
				a->cursor = cursor;
				a->i++;
				if (u > max)
					return rd_fail(rd, "%llu is out of range (at most %llu)",
						       (unsigned long long)u,
						       (unsigned long long)max);
				*out = u;
				return true;
			}
		}
	}
	return rd_arr_next(rd, a, &v) && rd_conv_u64(rd, v, max, out);
}

void rd_arr_done(struct rd *rd, struct rd_arr *a)
{
	if (a->cut < 0)
		return;
	json_object_put(rd->pieces[a->slot]);
	rd->pieces[a->slot] = NULL;
	rd->nr_pieces = a->slot;
}

/* A present array field: 1 with @a open on it, 0 absent, -1 error. */
int rd_get_array(struct rd *rd, struct json_object *o, const char *key, struct rd_arr *a)
{
	struct json_object *arr;
	int f = rd_field(rd, o, key, &arr);
	size_t p;

	if (f <= 0)
		return f;
	p = rd_path_key(rd, key);
	if (!rd_expect(rd, arr, json_type_array, "an array")) {
		rd_path_pop(rd, p);
		return -1;
	}
	rd_path_pop(rd, p);
	rd_arr_open(rd, arr, a);
	return 1;
}

void *rd_arena_array(struct rd *rd, size_t n, size_t size)
{
	void *p;

	if (!n)
		return NULL;
	if (n > SIZE_MAX / 2 / size) {
		rd_nomem(rd);
		return NULL;
	}
	p = ktsnap_arena_alloc(&rd->r->arena, n * size);
	if (!p)
		rd_nomem(rd);
	return p;
}

bool rd_get_list(struct rd *rd, struct json_object *o, const char *key, size_t size, rd_elem_fn fn,
		 void *ctx, void **out, size_t *nr)
{
	struct rd_arr a;
	size_t i, p;
	char *v;
	int f = rd_get_array(rd, o, key, &a);

	if (f <= 0)
		return f == 0;
	v = rd_arena_array(rd, a.n, size);
	if (a.n && !v)
		return false;
	p = rd_path_key(rd, key);
	for (i = 0; i < a.n; i++) {
		size_t q = rd_path_idx(rd, i);

		if (!fn(rd, &a, v + i * size, ctx))
			return false;
		rd_path_pop(rd, q);
	}
	rd_arr_done(rd, &a);
	rd_path_pop(rd, p);
	*out = v;
	*nr = a.n;
	return true;
}

static bool read_uint(struct rd *rd, struct rd_arr *a, void *elem, void *ctx)
{
	const uint64_t *max = ctx;
	uint64_t u = 0;

	if (!rd_arr_next_u64(rd, a, *max, &u))
		return false;
	if (*max <= UINT32_MAX)
		*(uint32_t *)elem = (uint32_t)u;
	else
		*(uint64_t *)elem = u;
	return true;
}

bool rd_get_uint_list(struct rd *rd, struct json_object *o, const char *key, uint64_t max,
		      void **out, size_t *nr)
{
	return rd_get_list(rd, o, key, max <= UINT32_MAX ? sizeof(uint32_t) : sizeof(uint64_t),
			   read_uint, &max, out, nr);
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

ssize_t rd_hex_decode(const char *s, size_t nb, uint8_t *b)
{
	size_t i;

	for (i = 0; i < nb; i++) {
		const char *h = s + i * 3;
		int hi = hex_digit(h[0]), lo = hex_digit(h[1]);

		if (hi < 0 || lo < 0 || (i + 1 < nb && h[2] != ' '))
			return (ssize_t)(i * 3);
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return -1;
}

/* Compact JSON text of @v as json-c writes it, with cut arrays put back. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static bool sb_put(struct rd *rd, struct sbuf *b, const char *s, size_t n)
{
	if (KTSNAP_ENSURE(b->s, b->cap, b->len + n + 1))
		return rd_nomem(rd);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return true;
}

static bool sb_json(struct rd *rd, struct sbuf *b, struct json_object *v)
{
	const char *s = json_object_to_json_string_ext(v, KTSNAP_JSONC_COMPACT);

	return s ? sb_put(rd, b, s, strlen(s)) : rd_nomem(rd);
}

static bool raw_text(struct rd *rd, struct sbuf *b, struct json_object *v)
{
	struct json_object *e;
	struct rd_arr a;
	bool first = true;
	size_t i;

	switch (json_object_get_type(v)) {
	case json_type_object:
		if (!sb_put(rd, b, "{", 1))
			return false;
		json_object_object_foreach(v, key, val) {
			struct json_object *k = json_object_new_string(key);
			bool ok = k && (first || sb_put(rd, b, ",", 1)) && sb_json(rd, b, k) &&
				  sb_put(rd, b, ":", 1);

			json_object_put(k);
			if (!ok || !raw_text(rd, b, val))
				return ok ? false : rd_nomem(rd);
			first = false;
		}
		return sb_put(rd, b, "}", 1);
	case json_type_array:
		rd_arr_open(rd, v, &a);
		if (!sb_put(rd, b, "[", 1))
			return false;
		for (i = 0; i < a.n; i++) {
			size_t q = rd_path_idx(rd, i);

			if ((i && !sb_put(rd, b, ",", 1)) || !rd_arr_next(rd, &a, &e) ||
			    !raw_text(rd, b, e))
				return false;
			rd_path_pop(rd, q);
		}
		rd_arr_done(rd, &a);
		return sb_put(rd, b, "]", 1);
	case json_type_null:
		return sb_put(rd, b, "null", 4);
	default:
		return sb_json(rd, b, v);
	}
}

/* A field kept verbatim, as compact JSON text. */
bool rd_get_raw(struct rd *rd, struct json_object *o, const char *key, unsigned flags,
		const char **out)
{
	struct sbuf b = { 0 };
	struct json_object *v;
	size_t p;
	bool ok;

	if (!json_object_object_get_ex(o, key, &v))
		return true;
	p = rd_path_key(rd, key);
	if (!v && !(flags & JF_NULL_OK))
		return rd_fail(rd, "expected a value, got null");
	if (v && !(flags & JF_ANY) &&
	    !rd_expect(rd, v, flags & JF_ARRAY ? json_type_array : json_type_object,
		       flags & JF_ARRAY ? "an array" : "an object"))
		return false;
	ok = raw_text(rd, &b, v);
	rd_path_pop(rd, p);
	if (ok && !(*out = ktsnap_arena_strndup(&rd->r->arena, b.s, b.len)))
		ok = rd_nomem(rd);
	free(b.s);
	return ok;
}
