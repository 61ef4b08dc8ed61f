/* SPDX-License-Identifier: MIT */
/*
 * json_rd: the state of one report read and typed access to the json-c
 * DOM (json_rd.c), shared by json_read.c.  Every rd_* that returns bool
 * returns false after rd_fail() / rd_nomem() has recorded the first error
 * (with the current path) in rd->err and ktsnap_errmsg(); the rd_get_*
 * getters return true for an absent field and leave *out alone.
 */
#ifndef KTSNAP_JSON_RD_H
#define KTSNAP_JSON_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include <ktsnap/json.h>

#include "report_internal.h"
#include "util_internal.h"

struct json_splits;
struct json_fast;

struct rd {
	struct ktsnap_report *r;
	int err;
	struct ktsnap_pathbuf pb;
	/* arrays cut out of the text (json_scan.h), parsed one element at a
	 * time: pieces[] holds the element each open cut array is on */
	const char *src;
	struct json_splits *splits;
	struct json_tokener *etok;
	struct json_object *pieces[KTSNAP_JSON_MAX_DEPTH + 1];
	int nr_pieces;
	struct json_fast *fast; /* json_fast.c's scratch space, or NULL */
};

bool rd_fail(struct rd *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool rd_nomem(struct rd *rd);
/* Append ".key" (or "key" at the root) / "[i]" to the path; returns the
 * length to restore with rd_path_pop(). */
size_t rd_path_key(struct rd *rd, const char *key);
size_t rd_path_idx(struct rd *rd, size_t i);
void rd_path_pop(struct rd *rd, size_t old);
/* "an integer", "null"… for messages */
const char *rd_jtype(struct json_object *v);

/* Fields not in @known (NULL-terminated) are an error. */
bool rd_check_keys(struct rd *rd, struct json_object *o, const char *const *known);
bool rd_expect(struct rd *rd, struct json_object *v, enum json_type t, const char *what);
bool rd_conv_u64(struct rd *rd, struct json_object *v, uint64_t max, uint64_t *out);
bool rd_conv_i64(struct rd *rd, struct json_object *v, int64_t min, int64_t max, int64_t *out);
bool rd_conv_str(struct rd *rd, struct json_object *v, const char **out);
/* Present and not null: 1 with *v set; absent: 0; null: error (-1). */
int rd_field(struct rd *rd, struct json_object *o, const char *key, struct json_object **v);
bool rd_get_f64(struct rd *rd, struct json_object *o, const char *key, double *out);
bool rd_get_bool(struct rd *rd, struct json_object *o, const char *key, bool *out);
bool rd_get_str(struct rd *rd, struct json_object *o, const char *key, const char **out);
bool rd_get_u64(struct rd *rd, struct json_object *o, const char *key, uint64_t *out);
bool rd_get_i64(struct rd *rd, struct json_object *o, const char *key, int64_t *out);
bool rd_get_u32(struct rd *rd, struct json_object *o, const char *key, uint32_t *out);
bool rd_get_i32(struct rd *rd, struct json_object *o, const char *key, int32_t *out);
/* @n elements of @size from the report's arena (NULL for none). */
void *rd_arena_array(struct rd *rd, size_t n, size_t size);

/*
 * Parse [@start, @end) of the input, which lies in cut array @cut (-1: the
 * whole text), with @tok: the text with the arrays cut below @cut left out
 * and, when that fails, once more with them blanked, so that *@used counts
 * bytes of the input from @start (the error offset on failure).  *@out:
 * the value (the caller puts it, also on failure), *@jerr: json-c's
 * verdict, json_tokener_continue for a value cut short.  0 or -ENOMEM.
 */
int rd_parse_range(const struct rd *rd, struct json_tokener *tok, ssize_t cut, size_t start,
		   size_t end, struct json_object **out, enum json_tokener_error *jerr,
		   size_t *used);

/* An array being read: its n elements come from the DOM or, for an array
 * json_scan.c cut out, are parsed one at a time. */
struct rd_arr {
	struct json_object *arr;
	ssize_t cut; /* -1: the elements are in the DOM */
	size_t n, i, cursor;
	int slot; /* rd->pieces[slot]: the current element */
};

void rd_arr_open(struct rd *rd, struct json_object *arr, struct rd_arr *a);
/* The next element (NULL for JSON null); borrowed until the next call. */
bool rd_arr_next(struct rd *rd, struct rd_arr *a, struct json_object **out);
/* The next element as an unsigned integer ≤ @max. */
bool rd_arr_next_u64(struct rd *rd, struct rd_arr *a, uint64_t max, uint64_t *out);
/* After the last element (not needed after a failure). */
void rd_arr_done(struct rd *rd, struct rd_arr *a);
/* A present array field: 1 with @a open on it, 0 absent, -1 error. */
int rd_get_array(struct rd *rd, struct json_object *o, const char *key, struct rd_arr *a);
/*
 * An array field read into a new arena array of @size-byte elements, one
 * @fn call per element (the path names the element meanwhile); the count
 * goes to *@nr.  Absent: true with *@out and *@nr untouched.
 */
typedef bool (*rd_elem_fn)(struct rd *rd, struct rd_arr *a, void *elem, void *ctx);
bool rd_get_list(struct rd *rd, struct json_object *o, const char *key, size_t size, rd_elem_fn fn,
		 void *ctx, void **out, size_t *nr);
/* A list of unsigned integers, each ≤ @max: u32 elements when @max fits
 * 32 bits, else u64. */
bool rd_get_uint_list(struct rd *rd, struct json_object *o, const char *key, uint64_t max,
		      void **out, size_t *nr);
/* A field kept verbatim as compact JSON text (JF_ARRAY / JF_ANY /
 * JF_NULL_OK of json_internal.h say what it may be). */
bool rd_get_raw(struct rd *rd, struct json_object *o, const char *key, unsigned flags,
		const char **out);

/* The writer's hex bytes ("01 ab ff", as jw_hex() writes them: lowercase
 * pairs, one space between), the @nb bytes of the 3 * @nb - 1 characters
 * at @s, into @b: -1, or the offset of the first pair that breaks the form. */
ssize_t rd_hex_decode(const char *s, size_t nb, uint8_t *b);

/* The renderer's integer rule: a value of a @bits-wide integer (1 to 64)
 * fits them; @i is read when @is_signed, else @u. */
static inline bool rd_int_fits(uint32_t bits, bool is_signed, int64_t i, uint64_t u)
{
	if (bits < 1 || bits > 64)
		return false;
	if (bits == 64)
		return true;
	if (is_signed)
		return i >= -(INT64_C(1) << (bits - 1)) && i < (INT64_C(1) << (bits - 1));
	return !(u >> bits);
}

#endif
