// SPDX-License-Identifier: MIT
/*
 * JSON sidecar → report (the inverse of json_write.c).
 *
 * json-c parses (depth-limited, strict, UTF-8 validated) into a DOM that
 * is bounded by the input, itself capped at KTSNAP_JSON_MAX_INPUT; map
 * entry lists are parsed one element at a time so the DOM of a big map
 * never exists whole (see "entry lists, one at a time").  A
 * lexical pre-scan first rejects what json-c would accept but the writer
 * never emits and json-c would silently alter: integers beyond 64 bits
 * (json-c clamps them), NaN/Infinity literals, single-quoted strings.
 * The DOM is then walked with a path kept for error messages; every field
 * is type- and range-checked, unknown fields are rejected, and nothing is
 * allocated in proportion to a number read from the file (only to the
 * number of JSON elements present).
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <ktsnap/json.h>

#include "log_internal.h"
#include "report_internal.h"

struct split;

struct rd {
	struct ktsnap_report *r;
	int err;
	size_t plen;
	char path[256];
	/* entry lists cut out of the text (see "entry lists, one at a time") */
	const char *src;
	struct split *splits;
	size_t nr_splits;
	size_t map_ordinal;
	struct json_tokener *etok;
};

/* ---- errors and the field path -------------------------------------- */

static bool failed(struct rd *rd)
{
	return rd->err != 0;
}

__attribute__((format(printf, 2, 3)))
static bool fail(struct rd *rd, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (rd->err)
		return false;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	rd->err = -EINVAL;
	if (rd->plen)
		ktsnap_fail(-EINVAL, "invalid report: %s: %s", rd->path, why);
	else
		ktsnap_fail(-EINVAL, "invalid report: %s", why);
	return false;
}

static bool fail_nomem(struct rd *rd)
{
	if (!rd->err) {
		rd->err = -ENOMEM;
		ktsnap_fail(-ENOMEM, "out of memory reading report");
	}
	return false;
}

/* Append ".key" (or "key" at the root) / "[i]" to the path; returns the
 * length to restore with path_pop(). */
static size_t path_key(struct rd *rd, const char *key)
{
	size_t old = rd->plen;
	int n = snprintf(rd->path + old, sizeof(rd->path) - old, old ? ".%s" : "%s", key);

	if (n > 0)
		rd->plen = old + (size_t)n < sizeof(rd->path) ? old + (size_t)n : sizeof(rd->path) - 1;
	return old;
}

static size_t path_idx(struct rd *rd, size_t i)
{
	size_t old = rd->plen;
	int n = snprintf(rd->path + old, sizeof(rd->path) - old, "[%zu]", i);

	if (n > 0)
		rd->plen = old + (size_t)n < sizeof(rd->path) ? old + (size_t)n : sizeof(rd->path) - 1;
	return old;
}

static void path_pop(struct rd *rd, size_t old)
{
	rd->plen = old;
	rd->path[old] = '\0';
}

static const char *jtype(struct json_object *v)
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
static bool check_keys(struct rd *rd, struct json_object *o, const char *const *known)
{
	json_object_object_foreach(o, key, val)
	{
		const char *const *k;

		(void)val;
		for (k = known; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k)
			return fail(rd, "unknown field \"%s\"", key);
	}
	return true;
}

static bool expect(struct rd *rd, struct json_object *v, enum json_type t, const char *what)
{
	if (v && json_object_is_type(v, t))
		return true;
	return fail(rd, "expected %s, got %s", what, jtype(v));
}

static bool conv_u64(struct rd *rd, struct json_object *v, uint64_t max, uint64_t *out)
{
	uint64_t u;

	if (!expect(rd, v, json_type_int, "an unsigned integer"))
		return false;
	if (json_object_get_int64(v) < 0)
		return fail(rd, "expected an unsigned integer, got %lld",
			    (long long)json_object_get_int64(v));
	u = json_object_get_uint64(v);
	if (u > max)
		return fail(rd, "%llu is out of range (at most %llu)", (unsigned long long)u,
			    (unsigned long long)max);
	*out = u;
	return true;
}

static bool conv_i64(struct rd *rd, struct json_object *v, int64_t min, int64_t max,
		     int64_t *out)
{
	int64_t i;

	if (!expect(rd, v, json_type_int, "an integer"))
		return false;
	i = json_object_get_int64(v);
	/* json-c keeps values above INT64_MAX as u64 and clamps get_int64 */
	if (i == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX)
		return fail(rd, "%llu is out of range (at most %lld)",
			    (unsigned long long)json_object_get_uint64(v), (long long)max);
	if (i < min || i > max)
		return fail(rd, "%lld is out of range [%lld, %lld]", (long long)i, (long long)min,
			    (long long)max);
	*out = i;
	return true;
}

static bool conv_f64(struct rd *rd, struct json_object *v, double *out)
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
			return fail(rd, "expected a number or \"NaN\"/\"inf\"/\"-inf\", got \"%.40s\"",
				    s);
		return true;
	}
	if (!v || !(json_object_is_type(v, json_type_double) ||
		    json_object_is_type(v, json_type_int)))
		return fail(rd, "expected a number, got %s", jtype(v));
	*out = json_object_get_double(v);
	if (!isfinite(*out))
		return fail(rd, "number out of range");
	return true;
}

static bool conv_bool(struct rd *rd, struct json_object *v, bool *out)
{
	if (!expect(rd, v, json_type_boolean, "a boolean"))
		return false;
	*out = json_object_get_boolean(v);
	return true;
}

static bool conv_str(struct rd *rd, struct json_object *v, const char **out)
{
	const char *s;
	size_t n;

	if (!expect(rd, v, json_type_string, "a string"))
		return false;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (memchr(s, '\0', n))
		return fail(rd, "string contains a NUL character");
	*out = ktsnap_arena_strndup(&rd->r->arena, s, n);
	return *out ? true : fail_nomem(rd);
}

/* Present and not null: 1 with *v set; absent: 0; null: error (-1).
 * The path is extended by the key while a field is converted. */
static int field(struct rd *rd, struct json_object *o, const char *key, struct json_object **v)
{
	if (!json_object_object_get_ex(o, key, v))
		return 0;
	if (!*v) {
		size_t p = path_key(rd, key);

		fail(rd, "expected a value, got null");
		path_pop(rd, p);
		return -1;
	}
	return 1;
}

#define DEFINE_GETTER(name, type, conv, ...)                                        \
	static bool name(struct rd *rd, struct json_object *o, const char *key, type *out) \
	{                                                                           \
		struct json_object *v;                                              \
		size_t p;                                                           \
		bool ok;                                                            \
		int f = field(rd, o, key, &v);                                      \
                                                                                    \
		if (f <= 0)                                                         \
			return f == 0;                                              \
		p = path_key(rd, key);                                              \
		ok = conv(rd, v, ##__VA_ARGS__, out);                               \
		path_pop(rd, p);                                                    \
		return ok;                                                          \
	}

DEFINE_GETTER(get_f64, double, conv_f64)
DEFINE_GETTER(get_bool, bool, conv_bool)
DEFINE_GETTER(get_str, const char *, conv_str)

/* Narrowing conversions: the range check is conv_*'s, the store ours. */
static bool conv_u32(struct rd *rd, struct json_object *v, uint32_t *out)
{
	uint64_t u = 0;	/* set when conv_u64() succeeds; gcc -O2 cannot see that */

	if (!conv_u64(rd, v, UINT32_MAX, &u))
		return false;
	*out = (uint32_t)u;
	return true;
}

static bool conv_i32(struct rd *rd, struct json_object *v, int32_t *out)
{
	int64_t i = 0;	/* as in conv_u32() */

	if (!conv_i64(rd, v, INT32_MIN, INT32_MAX, &i))
		return false;
	*out = (int32_t)i;
	return true;
}

DEFINE_GETTER(get_u64, uint64_t, conv_u64, UINT64_MAX)
DEFINE_GETTER(get_i64, int64_t, conv_i64, INT64_MIN, INT64_MAX)
DEFINE_GETTER(get_u32, uint32_t, conv_u32)
DEFINE_GETTER(get_i32, int32_t, conv_i32)

/* A present array field: its length in *n (bounded by the input). */
static int get_array(struct rd *rd, struct json_object *o, const char *key,
		     struct json_object **arr, size_t *n)
{
	int f = field(rd, o, key, arr);
	size_t p;

	if (f <= 0)
		return f;
	p = path_key(rd, key);
	if (!expect(rd, *arr, json_type_array, "an array")) {
		path_pop(rd, p);
		return -1;
	}
	path_pop(rd, p);
	*n = json_object_array_length(*arr);
	return 1;
}

static void *arena_array(struct rd *rd, size_t n, size_t size)
{
	void *p;

	if (!n)
		return NULL;
	if (n > SIZE_MAX / 2 / size) {
		fail_nomem(rd);
		return NULL;
	}
	p = ktsnap_arena_alloc(&rd->r->arena, n * size);
	if (!p)
		fail_nomem(rd);
	return p;
}

/* A list of u64 (each ≤ max) into a new arena array. */
static bool get_u64_list(struct rd *rd, struct json_object *o, const char *key, uint64_t max,
			 uint64_t **out, size_t *nr)
{
	struct json_object *arr;
	size_t n = 0, i, p;
	uint64_t *v;
	int f = get_array(rd, o, key, &arr, &n);

	if (f <= 0)
		return f == 0;
	v = arena_array(rd, n, sizeof(*v));
	if (n && !v)
		return false;
	p = path_key(rd, key);
	for (i = 0; i < n; i++) {
		size_t q = path_idx(rd, i);

		if (!conv_u64(rd, json_object_array_get_idx(arr, i), max, &v[i]))
			return false;
		path_pop(rd, q);
	}
	path_pop(rd, p);
	*out = v;
	*nr = n;
	return true;
}

/* ---- flat records, described by tables -------------------------------- */
enum fty { F_U64, F_U32, F_I64, F_I32, F_BOOL, F_STR, F_F64 };

struct fdesc {
	const char *name;
	enum fty type;
	size_t off;
	ssize_t has_off;	/* bool set when present; -1: none */
};

#define FD(S, f, t) { #f, t, offsetof(struct S, f), -1 }
#define FDH(S, f, t, h) { #f, t, offsetof(struct S, f), (ssize_t)offsetof(struct S, h) }

/* Read the fields of @desc into @base; @extra names fields the caller
 * reads itself (lists).  Unknown fields are an error. */
static bool read_record(struct rd *rd, struct json_object *o, const struct fdesc *desc,
			size_t nd, const char *const *extra, void *base)
{
	char *b = base;
	size_t i;

	if (!expect(rd, o, json_type_object, "an object"))
		return false;
	json_object_object_foreach(o, key, val)
	{
		bool known = false;

		(void)val;
		for (i = 0; i < nd && !known; i++)
			known = !strcmp(desc[i].name, key);
		for (i = 0; extra && extra[i] && !known; i++)
			known = !strcmp(extra[i], key);
		if (!known)
			return fail(rd, "unknown field \"%s\"", key);
	}
	for (i = 0; i < nd; i++) {
		const struct fdesc *d = &desc[i];
		void *p = b + d->off;
		bool ok;

		if (!json_object_object_get_ex(o, d->name, NULL))
			continue;
		switch (d->type) {
		case F_U64:
			ok = get_u64(rd, o, d->name, p);
			break;
		case F_U32:
			ok = get_u32(rd, o, d->name, p);
			break;
		case F_I64:
			ok = get_i64(rd, o, d->name, p);
			break;
		case F_I32:
			ok = get_i32(rd, o, d->name, p);
			break;
		case F_BOOL:
			ok = get_bool(rd, o, d->name, p);
			break;
		case F_STR:
			ok = get_str(rd, o, d->name, p);
			break;
		case F_F64:
			ok = get_f64(rd, o, d->name, p);
			break;
		default:
			ok = false;
		}
		if (!ok)
			return false;
		if (d->has_off >= 0)
			*(bool *)(b + d->has_off) = true;
	}
	return true;
}

/* A list of records: one arena array of n elements of @size. */
typedef bool (*rec_fn)(struct rd *rd, struct json_object *o, void *elem);

static bool get_records(struct rd *rd, struct json_object *o, const char *key, size_t size,
			rec_fn fn, void **out, size_t *nr)
{
	struct json_object *arr;
	size_t n = 0, i, p;
	char *v;
	int f = get_array(rd, o, key, &arr, &n);

	if (f <= 0)
		return f == 0;
	v = arena_array(rd, n, size);
	if (n && !v)
		return false;
	p = path_key(rd, key);
	for (i = 0; i < n; i++) {
		size_t q = path_idx(rd, i);

		if (!fn(rd, json_object_array_get_idx(arr, i), v + i * size))
			return false;
		path_pop(rd, q);
	}
	path_pop(rd, p);
	*out = v;
	*nr = n;
	return true;
}

/* ---- RenderedValue ------------------------------------------------------ */
static bool read_value(struct rd *rd, struct json_object *o, struct ktsnap_value *v);

static struct ktsnap_value *new_value(struct rd *rd)
{
	struct ktsnap_value *v = ktsnap_arena_alloc(&rd->r->arena, sizeof(*v));

	if (!v)
		fail_nomem(rd);
	return v;
}

/* An optional RenderedValue field into a new arena value (NULL: absent). */
static bool get_value(struct rd *rd, struct json_object *o, const char *key,
		      const struct ktsnap_value **out)
{
	struct json_object *v;
	struct ktsnap_value *nv;
	size_t p;
	int f = field(rd, o, key, &v);

	if (f <= 0)
		return f == 0;
	nv = new_value(rd);
	if (!nv)
		return false;
	p = path_key(rd, key);
	if (!read_value(rd, v, nv))
		return false;
	path_pop(rd, p);
	*out = nv;
	return true;
}

static const char *const value_keys[][6] = {
	[KTSNAP_VALUE_INT] = { "kind", "bits", "value" },
	[KTSNAP_VALUE_UINT] = { "kind", "bits", "value" },
	[KTSNAP_VALUE_BOOL] = { "kind", "value" },
	[KTSNAP_VALUE_CHAR] = { "kind", "value" },
	[KTSNAP_VALUE_FLOAT] = { "kind", "bits", "value" },
	[KTSNAP_VALUE_ENUM] = { "kind", "bits", "value", "variant", "is_signed" },
	[KTSNAP_VALUE_STRUCT] = { "kind", "type_name", "members" },
	[KTSNAP_VALUE_ARRAY] = { "kind", "len", "elements" },
	[KTSNAP_VALUE_CPU_LIST] = { "kind", "cpus" },
	[KTSNAP_VALUE_PTR] = { "kind", "value", "deref", "deref_skipped_reason",
			       "cast_annotation" },
	[KTSNAP_VALUE_BYTES] = { "kind", "hex" },
	[KTSNAP_VALUE_TRUNCATED] = { "kind", "needed", "had", "partial" },
	[KTSNAP_VALUE_UNSUPPORTED] = { "kind", "reason" },
};

#define NR_KINDS ((int)(sizeof(value_keys) / sizeof(value_keys[0])))

static bool read_enum_value(struct rd *rd, struct json_object *o, struct ktsnap_value *v)
{
	struct json_object *j;
	uint64_t u;
	size_t p;
	bool ok;
	int f = field(rd, o, "value", &j);

	if (f <= 0)
		return f == 0;
	p = path_key(rd, "value");
	/* unsigned enums are written unsigned; the i64 bit pattern (what
	 * the reference writes) is accepted too */
	if (!v->e.is_signed && json_object_is_type(j, json_type_int) &&
	    json_object_get_int64(j) >= 0) {
		ok = conv_u64(rd, j, UINT64_MAX, &u);
		v->e.v = (int64_t)u;
	} else {
		ok = conv_i64(rd, j, INT64_MIN, INT64_MAX, &v->e.v);
	}
	path_pop(rd, p);
	return ok;
}

static bool read_members(struct rd *rd, struct json_object *o, struct ktsnap_value *v)
{
	static const char *const member_keys[] = { "name", "value", NULL };
	struct json_object *arr;
	size_t n = 0, i, p;
	int f = get_array(rd, o, "members", &arr, &n);

	if (f <= 0)
		return f == 0;
	if (n > UINT32_MAX)
		return fail(rd, "too many members");
	v->s.m = arena_array(rd, n, sizeof(*v->s.m));
	if (n && !v->s.m)
		return false;
	v->s.nr = (uint32_t)n;
	p = path_key(rd, "members");
	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(arr, i), *mv;
		size_t q = path_idx(rd, i);

		if (!expect(rd, m, json_type_object, "an object") ||
		    !check_keys(rd, m, member_keys))
			return false;
		v->s.m[i].name = "";
		if (!get_str(rd, m, "name", &v->s.m[i].name))
			return false;
		f = field(rd, m, "value", &mv);
		if (f < 0)
			return false;
		if (!f)
			return fail(rd, "missing field \"value\"");
		path_key(rd, "value");
		if (!read_value(rd, mv, &v->s.m[i].v))
			return false;
		path_pop(rd, q);
	}
	path_pop(rd, p);
	return true;
}

static bool read_elements(struct rd *rd, struct json_object *o, struct ktsnap_value *v)
{
	struct json_object *arr;
	size_t n = 0, i, p;
	int f = get_array(rd, o, "elements", &arr, &n);

	if (f <= 0)
		return f == 0;
	if (n > UINT32_MAX)
		return fail(rd, "too many elements");
	v->a.elems = arena_array(rd, n, sizeof(*v->a.elems));
	if (n && !v->a.elems)
		return false;
	v->a.nr = (uint32_t)n;
	p = path_key(rd, "elements");
	for (i = 0; i < n; i++) {
		size_t q = path_idx(rd, i);

		if (!read_value(rd, json_object_array_get_idx(arr, i), &v->a.elems[i]))
			return false;
		path_pop(rd, q);
	}
	path_pop(rd, p);
	return true;
}

static bool read_value(struct rd *rd, struct json_object *o, struct ktsnap_value *v)
{
	const char *kind;
	struct json_object *k;
	int i;

	if (!expect(rd, o, json_type_object, "a RenderedValue object"))
		return false;
	if (!json_object_object_get_ex(o, "kind", &k))
		return fail(rd, "missing field \"kind\"");
	if (!k || !json_object_is_type(k, json_type_string)) {
		path_key(rd, "kind");
		return fail(rd, "expected a string, got %s", jtype(k));
	}
	kind = json_object_get_string(k);
	for (i = 0; i < NR_KINDS; i++)
		if (!strcmp(kind, ktsnap_value_kind__tag(i)))
			break;
	if (i == NR_KINDS) {
		path_key(rd, "kind");
		return fail(rd, "unknown kind \"%.40s\"", kind);
	}
	{
		const char *known[7];

		memcpy(known, value_keys[i], sizeof(value_keys[i]));
		known[6] = NULL;
		if (!check_keys(rd, o, known))
			return false;
	}
	memset(v, 0, sizeof(*v));
	v->kind = i;
	switch (v->kind) {
	case KTSNAP_VALUE_INT:
		return get_u32(rd, o, "bits", &v->i.bits) && get_i64(rd, o, "value", &v->i.v);
	case KTSNAP_VALUE_UINT:
		return get_u32(rd, o, "bits", &v->u.bits) && get_u64(rd, o, "value", &v->u.v);
	case KTSNAP_VALUE_BOOL:
		return get_bool(rd, o, "value", &v->b);
	case KTSNAP_VALUE_CHAR: {
		struct json_object *j;
		int f = field(rd, o, "value", &j);
		size_t p;
		uint64_t u;

		if (f <= 0)
			return f == 0;
		p = path_key(rd, "value");
		if (!conv_u64(rd, j, 255, &u))
			return false;
		path_pop(rd, p);
		v->c = (uint8_t)u;
		return true;
	}
	case KTSNAP_VALUE_FLOAT:
		return get_u32(rd, o, "bits", &v->f.bits) && get_f64(rd, o, "value", &v->f.v);
	case KTSNAP_VALUE_ENUM:
		return get_u32(rd, o, "bits", &v->e.bits) &&
		       get_bool(rd, o, "is_signed", &v->e.is_signed) &&
		       read_enum_value(rd, o, v) && get_str(rd, o, "variant", &v->e.variant);
	case KTSNAP_VALUE_STRUCT:
		return get_str(rd, o, "type_name", &v->s.type_name) && read_members(rd, o, v);
	case KTSNAP_VALUE_ARRAY:
		return get_u64(rd, o, "len", &v->a.len) && read_elements(rd, o, v);
	case KTSNAP_VALUE_CPU_LIST:
		v->cpus = "";
		return get_str(rd, o, "cpus", &v->cpus);
	case KTSNAP_VALUE_PTR:
		return get_u64(rd, o, "value", &v->p.v) &&
		       get_value(rd, o, "deref", (const struct ktsnap_value **)&v->p.deref) &&
		       get_str(rd, o, "deref_skipped_reason", &v->p.skip_reason) &&
		       get_str(rd, o, "cast_annotation", &v->p.cast);
	case KTSNAP_VALUE_BYTES:
		v->hex = "";
		return get_str(rd, o, "hex", &v->hex);
	case KTSNAP_VALUE_TRUNCATED:
		return get_u64(rd, o, "needed", &v->t.needed) && get_u64(rd, o, "had", &v->t.had) &&
		       get_value(rd, o, "partial", (const struct ktsnap_value **)&v->t.partial);
	case KTSNAP_VALUE_UNSUPPORTED:
		v->reason = "";
		return get_str(rd, o, "reason", &v->reason);
	}
	return false;
}

/* ---- maps ------------------------------------------------------------------ */

/* "01 ab ff" (the writer's format exactly) → arena bytes; "" → NULL. */
static bool get_hex(struct rd *rd, struct json_object *o, const char *key, const uint8_t **out,
		    uint32_t *len)
{
	struct json_object *v;
	const char *s;
	size_t n, i, p, nb;
	uint8_t *b;
	int f = field(rd, o, key, &v);

	if (f <= 0)
		return f == 0;
	p = path_key(rd, key);
	if (!expect(rd, v, json_type_string, "a string"))
		return false;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (!n) {
		path_pop(rd, p);
		return true;
	}
	if ((n + 1) % 3)
		return fail(rd, "malformed hex bytes (expected \"xx xx …\")");
	nb = (n + 1) / 3;
	if (nb > UINT32_MAX)
		return fail(rd, "too many bytes");
	b = ktsnap_arena_alloc(&rd->r->arena, nb);
	if (!b)
		return fail_nomem(rd);
	for (i = 0; i < nb; i++) {
		const char *h = s + i * 3;
		int hi = h[0] >= '0' && h[0] <= '9' ? h[0] - '0' :
			 h[0] >= 'a' && h[0] <= 'f' ? h[0] - 'a' + 10 : -1;
		int lo = h[1] >= '0' && h[1] <= '9' ? h[1] - '0' :
			 h[1] >= 'a' && h[1] <= 'f' ? h[1] - 'a' + 10 : -1;

		if (hi < 0 || lo < 0 || (i + 1 < nb && h[2] != ' '))
			return fail(rd, "malformed hex bytes at character %zu", i * 3);
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	path_pop(rd, p);
	*out = b;
	*len = (uint32_t)nb;
	return true;
}

static bool read_per_cpu(struct rd *rd, struct json_object *o, struct ktsnap_map_entry *e)
{
	struct json_object *arr;
	const struct ktsnap_value **slots;
	size_t n = 0, i, p;
	int f = get_array(rd, o, "per_cpu", &arr, &n);

	if (f <= 0)
		return f == 0;
	if (n > UINT32_MAX)
		return fail(rd, "too many per-CPU slots");
	slots = arena_array(rd, n, sizeof(*slots));
	if (n && !slots)
		return false;
	p = path_key(rd, "per_cpu");
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);
		struct ktsnap_value *v;
		size_t q;

		if (!s)
			continue;	/* unmapped slot */
		v = new_value(rd);
		if (!v)
			return false;
		q = path_idx(rd, i);
		if (!read_value(rd, s, v))
			return false;
		path_pop(rd, q);
		slots[i] = v;
	}
	path_pop(rd, p);
	e->per_cpu = slots;
	e->nr_cpus = (uint32_t)n;
	return true;
}

static const char *const entry_keys[][6] = {
	[KTSNAP_LAYOUT_HASH] = { "key", "key_hex", "value", "value_hex", "payload" },
	[KTSNAP_LAYOUT_ARRAY] = { "key", "value" },
	[KTSNAP_LAYOUT_PERCPU_ARRAY] = { "key", "per_cpu" },
	[KTSNAP_LAYOUT_PERCPU_HASH] = { "key", "key_hex", "per_cpu" },
};

static bool read_entry(struct rd *rd, struct json_object *o, enum ktsnap_map_layout layout,
		       struct ktsnap_map_entry *e)
{
	if (!expect(rd, o, json_type_object, "an object") ||
	    !check_keys(rd, o, entry_keys[layout]))
		return false;
	switch (layout) {
	case KTSNAP_LAYOUT_HASH:
		return get_value(rd, o, "key", &e->key_rv) &&
		       get_hex(rd, o, "key_hex", &e->key, &e->key_len) &&
		       get_value(rd, o, "value", &e->val_rv) &&
		       get_hex(rd, o, "value_hex", &e->val, &e->val_len) &&
		       get_value(rd, o, "payload", &e->payload);
	case KTSNAP_LAYOUT_ARRAY:
		return get_u32(rd, o, "key", &e->index) && get_value(rd, o, "value", &e->val_rv);
	case KTSNAP_LAYOUT_PERCPU_ARRAY:
		return get_u32(rd, o, "key", &e->index) && read_per_cpu(rd, o, e);
	case KTSNAP_LAYOUT_PERCPU_HASH:
		return get_value(rd, o, "key", &e->key_rv) &&
		       get_hex(rd, o, "key_hex", &e->key, &e->key_len) && read_per_cpu(rd, o, e);
	default:
		return false;
	}
}

/* ---- entry lists, one at a time --------------------------------------------------
 *
 * json-c builds a DOM with a hash table per object: a 75 MB report of a
 * 100k-entry map took 1.9 GB and 5 s to read.  So before parsing, a
 * structural scan finds each map's entry list (root."maps"[i].entries and
 * its siblings) and the byte range of every element.  json-c then parses a
 * copy of the text with those lists blanked to "[   ]" (byte offsets are
 * unchanged) and read_entries() parses the elements one by one from the
 * original text, dropping each DOM as soon as it is converted.  Anything
 * the scan does not understand (odd nesting, escaped key names, duplicate
 * keys) turns splitting off and the whole text is parsed as before.
 */
static const char *const split_lists[] = { "entries", "array_entries", "percpu_entries",
					   "percpu_hash_entries" };

struct split {
	size_t map;		/* ordinal in "maps" */
	int list;		/* index into split_lists */
	size_t open, close;	/* offsets of '[' and ']' */
	size_t (*elems)[2];	/* [start, end) of each element */
	size_t nr, cap;
};

enum role { R_OTHER, R_ROOT, R_MAPS, R_MAP, R_LIST };

struct frame {
	char type;		/* '{' or '[' */
	enum role role;
	size_t index;		/* arrays: elements so far */
	unsigned seen;		/* R_ROOT: "maps" seen; R_MAP: lists seen (bits) */
	struct split *split;	/* R_LIST */
};

struct scan {
	const char *b;
	size_t len, pos;
	struct split *splits;
	size_t nr, cap;
	bool ok;
};

static void ws(struct scan *sc)
{
	while (sc->pos < sc->len && strchr(" \t\r\n", sc->b[sc->pos]) && sc->b[sc->pos])
		sc->pos++;
}

/* Skip a string at pos; *escaped tells whether it had a backslash. */
static bool skip_string(struct scan *sc, bool *escaped)
{
	*escaped = false;
	for (sc->pos++; sc->pos < sc->len; sc->pos++) {
		if (sc->b[sc->pos] == '\\') {
			*escaped = true;
			sc->pos++;
		} else if (sc->b[sc->pos] == '"') {
			sc->pos++;
			return true;
		}
	}
	return false;
}

static bool elem_add(struct split *sp, size_t start, size_t end)
{
	if (sp->nr == sp->cap) {
		size_t cap = sp->cap ? sp->cap * 2 : 64;
		void *n = realloc(sp->elems, cap * sizeof(*sp->elems));

		if (!n)
			return false;
		sp->elems = n;
		sp->cap = cap;
	}
	sp->elems[sp->nr][0] = start;
	sp->elems[sp->nr][1] = end;
	sp->nr++;
	return true;
}

static void splits_free(struct split *sp, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(sp[i].elems);
	free(sp);
}

/*
 * One pass over the text.  Returns false (no splitting) on anything
 * unexpected; json-c then reports the real error, if any, on the full text.
 */
static bool scan_splits(struct scan *sc)
{
	struct frame st[KTSNAP_JSON_MAX_DEPTH + 1];
	int depth = -1;
	const char *key = NULL;
	size_t keylen = 0, elem_start = 0;
	bool escaped, need_value = false;

	ws(sc);
	if (sc->pos >= sc->len || sc->b[sc->pos] != '{')
		return false;
	for (;;) {
		struct frame *f = depth >= 0 ? &st[depth] : NULL;
		char c;

		ws(sc);
		if (sc->pos >= sc->len)
			return false;
		c = sc->b[sc->pos];
		/* in an object, a key (or the end) comes first */
		if (f && f->type == '{' && c != '}') {
			size_t k = sc->pos + 1;

			if (c != '"' || !skip_string(sc, &escaped))
				return false;
			if (escaped && (f->role == R_ROOT || f->role == R_MAP))
				return false;
			key = sc->b + k;
			keylen = sc->pos - 1 - k;
			ws(sc);
			if (sc->pos >= sc->len || sc->b[sc->pos] != ':')
				return false;
			sc->pos++;
			ws(sc);
			if (sc->pos >= sc->len)
				return false;
			c = sc->b[sc->pos];
			need_value = true;
		}
		if (f && ((f->type == '{' && c == '}') || (f->type == '[' && c == ']'))) {
			if (need_value)
				return false;	/* "[1,]", "{"a":}" */
			if (f->role == R_LIST)
				f->split->close = sc->pos;
			sc->pos++;
			depth--;
			goto after_value;
		}
		if (f && f->type == '[' && f->role == R_LIST)
			elem_start = sc->pos;
		need_value = false;
		if (c == '{' || c == '[') {
			struct frame nf = { .type = c };
			int i;

			if (depth + 1 >= KTSNAP_JSON_MAX_DEPTH)
				return false;
			if (f && f->role == R_ROOT && c == '[' && keylen == 4 &&
			    !memcmp(key, "maps", 4)) {
				if (f->seen++)
					return false;	/* json-c would keep the last */
				nf.role = R_MAPS;
			} else if (f && f->role == R_MAPS && c == '{') {
				nf.role = R_MAP;
				nf.index = f->index;	/* the map's ordinal */
			} else if (!f) {
				nf.role = R_ROOT;
			}
			for (i = 0; f && f->role == R_MAP && c == '[' && i < 4; i++) {
				struct split *sp;

				if (strlen(split_lists[i]) != keylen ||
				    memcmp(key, split_lists[i], keylen))
					continue;
				if (f->seen & (1u << i))
					return false;
				f->seen |= 1u << i;
				if (sc->nr == sc->cap) {
					size_t cap = sc->cap ? sc->cap * 2 : 8;
					void *n = realloc(sc->splits, cap * sizeof(*sc->splits));

					if (!n)
						return false;
					sc->splits = n;
					sc->cap = cap;
				}
				sp = &sc->splits[sc->nr++];
				*sp = (struct split){ .map = f->index, .list = i, .open = sc->pos };
				nf.role = R_LIST;
				nf.split = sp;
			}
			/* a list's split pointer must stay valid: no realloc while
			 * one is open (lists do not nest, so at most one is) */
			st[++depth] = nf;
			sc->pos++;
			continue;
		}
		if (c == '"') {
			if (!skip_string(sc, &escaped))
				return false;
		} else {
			size_t start = sc->pos;

			while (sc->pos < sc->len && !strchr(",]} \t\r\n", sc->b[sc->pos]))
				sc->pos++;
			if (sc->pos == start)
				return false;
		}
after_value:
		if (depth < 0) {
			ws(sc);
			return sc->pos == sc->len;
		}
		f = &st[depth];
		if (f->role == R_LIST && !elem_add(f->split, elem_start, sc->pos))
			return false;
		if (f->type == '[')
			f->index++;
		ws(sc);
		if (sc->pos >= sc->len)
			return false;
		c = sc->b[sc->pos];
		if (c == ',') {
			sc->pos++;
			need_value = true;
			continue;
		}
		if (c != (f->type == '{' ? '}' : ']'))
			return false;
		/* the closing bracket is handled at the top of the loop */
	}
}

static const struct split *find_split(const struct rd *rd, const char *key)
{
	size_t i;

	for (i = 0; i < rd->nr_splits; i++)
		if (rd->splits[i].map == rd->map_ordinal &&
		    !strcmp(split_lists[rd->splits[i].list], key))
			return &rd->splits[i];
	return NULL;
}

/* Element @i of a split list, parsed on its own. NULL after fail(). */
static struct json_object *split_elem(struct rd *rd, const struct split *sp, size_t i)
{
	size_t start = sp->elems[i][0], len = sp->elems[i][1] - start;
	struct json_object *o;
	enum json_tokener_error jerr;

	json_tokener_reset(rd->etok);
	o = json_tokener_parse_ex(rd->etok, rd->src + start, (int)len);
	jerr = json_tokener_get_error(rd->etok);
	if (jerr == json_tokener_success && json_tokener_get_parse_end(rd->etok) == len)
		return o;
	json_object_put(o);
	if (jerr == json_tokener_success || jerr == json_tokener_continue)
		fail(rd, "invalid JSON at byte %zu", start + json_tokener_get_parse_end(rd->etok));
	else
		fail(rd, "invalid JSON at byte %zu: %s",
		     start + json_tokener_get_parse_end(rd->etok), json_tokener_error_desc(jerr));
	return NULL;
}

static bool read_entries(struct rd *rd, struct json_object *o, const char *key,
			 enum ktsnap_map_layout layout, struct ktsnap_map *m)
{
	const struct split *sp;
	struct json_object *arr;
	size_t n = 0, i, p;
	int f = get_array(rd, o, key, &arr, &n);

	if (f <= 0)
		return f == 0;
	sp = find_split(rd, key);
	if (sp)
		n = sp->nr;	/* the DOM holds a blanked "[ ]" */
	if (n > UINT32_MAX)
		return fail(rd, "too many entries");
	m->layout = layout;
	m->entries = arena_array(rd, n, sizeof(*m->entries));
	if (n && !m->entries)
		return false;
	m->nr_entries = (uint32_t)n;
	p = path_key(rd, key);
	for (i = 0; i < n; i++) {
		size_t q = path_idx(rd, i);
		struct json_object *e = sp ? split_elem(rd, sp, i) : json_object_array_get_idx(arr, i);
		bool ok = e && read_entry(rd, e, layout, &m->entries[i]);

		if (sp)
			json_object_put(e);
		if (!ok)
			return false;
		if (m->entries[i].nr_cpus > m->nr_cpus)
			m->nr_cpus = m->entries[i].nr_cpus;
		path_pop(rd, q);
	}
	path_pop(rd, p);
	if (layout == KTSNAP_LAYOUT_PERCPU_ARRAY || layout == KTSNAP_LAYOUT_PERCPU_HASH)
		m->percpu_stride = (m->value_size + 7) & ~7u;
	return true;
}

static const struct fdesc ringbuf_desc[] = {
	FD(ktsnap_ringbuf_info, capacity, F_U64),
	FD(ktsnap_ringbuf_info, consumer_pos, F_U64),
	FD(ktsnap_ringbuf_info, producer_pos, F_U64),
	FD(ktsnap_ringbuf_info, pending_pos, F_U64),
	FD(ktsnap_ringbuf_info, pending_bytes, F_U64),
};

static bool read_stack_entry(struct rd *rd, struct json_object *o, void *elem)
{
	static const struct fdesc desc[] = {
		FD(ktsnap_stack_trace_entry, bucket_id, F_U32),
		FD(ktsnap_stack_trace_entry, nr, F_U32),
		FD(ktsnap_stack_trace_entry, data_hex, F_STR),
	};
	static const char *const extra[] = { "pcs", NULL };
	struct ktsnap_stack_trace_entry *se = elem;
	size_t n = 0;

	if (!read_record(rd, o, desc, 3, extra, se) ||
	    !get_u64_list(rd, o, "pcs", UINT64_MAX, &se->pcs, &n))
		return false;
	/* the writer emits nr pcs; a mismatch would make it read past them */
	if (n != se->nr)
		return fail(rd, "nr is %u but pcs has %zu elements", se->nr, n);
	if (!se->data_hex)
		se->data_hex = "";
	return true;
}

static bool read_stack_trace(struct rd *rd, struct json_object *o, struct ktsnap_map *m)
{
	static const struct fdesc desc[] = {
		FD(ktsnap_stack_trace_info, n_buckets, F_U32),
		FD(ktsnap_stack_trace_info, truncated, F_BOOL),
	};
	static const char *const extra[] = { "entries", NULL };
	struct ktsnap_stack_trace_info *st;
	struct json_object *v;
	size_t p;
	int f = field(rd, o, "stack_trace", &v);

	if (f <= 0)
		return f == 0;
	st = ktsnap_arena_alloc(&rd->r->arena, sizeof(*st));
	if (!st)
		return fail_nomem(rd);
	p = path_key(rd, "stack_trace");
	if (!read_record(rd, v, desc, 2, extra, st) ||
	    !get_records(rd, v, "entries", sizeof(*st->entries), read_stack_entry,
			 (void **)&st->entries, &st->nr_entries))
		return false;
	path_pop(rd, p);
	m->stack_trace = st;
	return true;
}

static bool read_fd_array(struct rd *rd, struct json_object *o, struct ktsnap_map *m)
{
	static const struct fdesc desc[] = {
		FD(ktsnap_fd_array_info, populated, F_U32),
		FD(ktsnap_fd_array_info, scanned, F_U32),
		FD(ktsnap_fd_array_info, truncated, F_BOOL),
		FD(ktsnap_fd_array_info, indices_truncated, F_BOOL),
	};
	static const char *const extra[] = { "indices", NULL };
	struct ktsnap_fd_array_info *fa;
	struct json_object *v;
	uint64_t *idx = NULL;
	size_t p, n = 0, i;
	int f = field(rd, o, "fd_array", &v);

	if (f <= 0)
		return f == 0;
	fa = ktsnap_arena_alloc(&rd->r->arena, sizeof(*fa));
	if (!fa)
		return fail_nomem(rd);
	p = path_key(rd, "fd_array");
	if (!read_record(rd, v, desc, 4, extra, fa) ||
	    !get_u64_list(rd, v, "indices", UINT32_MAX, &idx, &n))
		return false;
	if (n) {
		fa->indices = arena_array(rd, n, sizeof(*fa->indices));
		if (!fa->indices)
			return false;
		for (i = 0; i < n; i++)
			fa->indices[i] = (uint32_t)idx[i];
		fa->nr_indices = n;
	}
	path_pop(rd, p);
	m->fd_array = fa;
	return true;
}

static bool read_map(struct rd *rd, struct json_object *o, void *unused)
{
	static const char *const keys[] = {
		"name", "map_kva", "map_type", "key_size", "value_size", "max_entries",
		"value", "entries", "array_entries", "percpu_entries", "percpu_hash_entries",
		"ringbuf", "stack_trace", "fd_array", "error", NULL
	};
	static const char *const lists[] = { "value", "entries", "array_entries",
					     "percpu_entries", "percpu_hash_entries" };
	const char *name = "";
	struct ktsnap_map *m;
	struct json_object *v;
	int i, nlists = 0;

	if (!expect(rd, o, json_type_object, "an object") || !check_keys(rd, o, keys) ||
	    !get_str(rd, o, "name", &name))
		return false;
	for (i = 0; i < 5; i++)
		nlists += json_object_object_get_ex(o, lists[i], NULL);
	if (nlists > 1)
		return fail(rd, "more than one of \"value\", \"entries\", \"array_entries\", "
				"\"percpu_entries\", \"percpu_hash_entries\"");
	m = ktsnap_report_add_map(rd->r, name);
	if (!m)
		return fail_nomem(rd);
	if (!get_u64(rd, o, "map_kva", &m->map_kva) || !get_u32(rd, o, "map_type", &m->map_type) ||
	    !get_u32(rd, o, "key_size", &m->key_size) ||
	    !get_u32(rd, o, "value_size", &m->value_size) ||
	    !get_u32(rd, o, "max_entries", &m->max_entries))
		return false;
	if (json_object_object_get_ex(o, "value", NULL)) {
		m->layout = KTSNAP_LAYOUT_VALUE;
		if (!get_value(rd, o, "value", &m->value))
			return false;
	}
	if (!read_entries(rd, o, "entries", KTSNAP_LAYOUT_HASH, m) ||
	    !read_entries(rd, o, "array_entries", KTSNAP_LAYOUT_ARRAY, m) ||
	    !read_entries(rd, o, "percpu_entries", KTSNAP_LAYOUT_PERCPU_ARRAY, m) ||
	    !read_entries(rd, o, "percpu_hash_entries", KTSNAP_LAYOUT_PERCPU_HASH, m))
		return false;
	if (field(rd, o, "ringbuf", &v) > 0) {
		size_t p = path_key(rd, "ringbuf");

		m->ringbuf = ktsnap_arena_alloc(&rd->r->arena, sizeof(*m->ringbuf));
		if (!m->ringbuf)
			return fail_nomem(rd);
		if (!read_record(rd, v, ringbuf_desc, 5, NULL, m->ringbuf))
			return false;
		path_pop(rd, p);
	}
	if (failed(rd) || !read_stack_trace(rd, o, m) || !read_fd_array(rd, o, m))
		return false;
	if (!get_str(rd, o, "error", (const char **)&m->error))
		return false;
	atomic_store(&m->rendered, true);
	return true;
}

/* ---- walker records ------------------------------------------------------------ */
static bool read_prog_stat(struct rd *rd, struct json_object *o, void *elem)
{
	static const struct fdesc d[] = {
		FD(ktsnap_prog_runtime_stat, name, F_STR),
		FD(ktsnap_prog_runtime_stat, cnt, F_U64),
		FD(ktsnap_prog_runtime_stat, nsecs, F_U64),
		FD(ktsnap_prog_runtime_stat, misses, F_U64),
		FD(ktsnap_prog_runtime_stat, verified_insns, F_U64),
	};
	struct ktsnap_prog_runtime_stat *s = elem;

	s->name = "";
	return read_record(rd, o, d, sizeof(d) / sizeof(d[0]), NULL, elem);
}

static bool read_cpu_time(struct rd *rd, struct json_object *o, void *elem)
{
#define T(f) FD(ktsnap_per_cpu_time, f, F_U64)
	static const struct fdesc d[] = {
		FD(ktsnap_per_cpu_time, cpu, F_U32),
		T(cpustat_user_ns), T(cpustat_nice_ns), T(cpustat_system_ns),
		T(cpustat_softirq_ns), T(cpustat_irq_ns), T(cpustat_idle_ns),
		T(cpustat_iowait_ns), T(cpustat_steal_ns), T(irqs_sum),
		FDH(ktsnap_per_cpu_time, iowait_sleeptime_ns, F_U64, has_iowait_sleeptime_ns),
	};
#undef T
	static const char *const extra[] = { "softirqs", NULL };
	struct ktsnap_per_cpu_time *t = elem;
	uint64_t *sirq = NULL;
	size_t n = 0;

	if (!read_record(rd, o, d, sizeof(d) / sizeof(d[0]), extra, t) ||
	    !get_u64_list(rd, o, "softirqs", UINT64_MAX, &sirq, &n))
		return false;
	if (n > KTSNAP_NR_SOFTIRQS) {
		path_key(rd, "softirqs");
		return fail(rd, "at most %d elements, got %zu", KTSNAP_NR_SOFTIRQS, n);
	}
	if (n)
		memcpy(t->softirqs, sirq, n * sizeof(*sirq));
	return true;
}

static bool read_numa(struct rd *rd, struct json_object *o, void *elem)
{
#define N(f) FD(ktsnap_per_node_numa, f, F_U64)
	static const struct fdesc d[] = {
		FD(ktsnap_per_node_numa, node, F_U32),
		N(numa_hit), N(numa_miss), N(numa_foreign), N(numa_interleave_hit),
		N(numa_local), N(numa_other),
	};
#undef N
	return read_record(rd, o, d, sizeof(d) / sizeof(d[0]), NULL, elem);
}

static bool read_psi(struct rd *rd, struct json_object *o, void *elem)
{
	static const struct fdesc d[] = {
		FD(ktsnap_cgroup_psi, cgroup, F_STR),
		FD(ktsnap_cgroup_psi, resource, F_STR),
		FD(ktsnap_cgroup_psi, some_avg10, F_F64),
		FD(ktsnap_cgroup_psi, some_avg60, F_F64),
		FD(ktsnap_cgroup_psi, some_avg300, F_F64),
		FD(ktsnap_cgroup_psi, some_total_us, F_U64),
		FDH(ktsnap_cgroup_psi, full_avg10, F_F64, has_full),
		FDH(ktsnap_cgroup_psi, full_avg60, F_F64, has_full),
		FDH(ktsnap_cgroup_psi, full_avg300, F_F64, has_full),
		FDH(ktsnap_cgroup_psi, full_total_us, F_U64, has_full),
	};
	struct ktsnap_cgroup_psi *p = elem;

	p->cgroup = "";
	p->resource = "";
	return read_record(rd, o, d, sizeof(d) / sizeof(d[0]), NULL, elem);
}

static bool read_task(struct rd *rd, struct json_object *o, void *elem)
{
	static const struct fdesc d[] = {
		FD(ktsnap_task_enrichment, pid, F_I32),
		FD(ktsnap_task_enrichment, tgid, F_I32),
		FD(ktsnap_task_enrichment, comm, F_STR),
		FD(ktsnap_task_enrichment, cgroup, F_STR),
		FD(ktsnap_task_enrichment, prio, F_I32),
		FD(ktsnap_task_enrichment, nice, F_I32),
		FD(ktsnap_task_enrichment, policy, F_U32),
		FD(ktsnap_task_enrichment, state, F_STR),
		FD(ktsnap_task_enrichment, cpu, F_I32),
		FD(ktsnap_task_enrichment, sum_exec_runtime_ns, F_U64),
		FD(ktsnap_task_enrichment, nr_voluntary_switches, F_U64),
		FD(ktsnap_task_enrichment, nr_involuntary_switches, F_U64),
	};
	return read_record(rd, o, d, sizeof(d) / sizeof(d[0]), NULL, elem);
}

static bool read_event_sample(struct rd *rd, struct json_object *o, void *elem)
{
#define E(f) FD(ktsnap_event_counter_sample, f, F_I64)
	static const struct fdesc d[] = {
		FD(ktsnap_event_counter_sample, elapsed_ms, F_U64),
		E(select_cpu_fallback), E(dispatch_local_dsq_offline), E(dispatch_keep_last),
		E(enq_skip_exiting), E(enq_skip_migration_disabled), E(reenq_immed),
		E(reenq_local_repeat), E(refill_slice_dfl), E(bypass_duration),
		E(bypass_dispatch), E(bypass_activate), E(insert_not_owned),
		E(sub_bypass_dispatch),
	};
#undef E
	return read_record(rd, o, d, sizeof(d) / sizeof(d[0]), NULL, elem);
}

static bool read_rq(struct rd *rd, struct json_object *o, void *elem)
{
	static const struct fdesc d[] = {
		FD(ktsnap_rq_scx_state, cpu, F_U32),
		FD(ktsnap_rq_scx_state, nr_running, F_U64),
		FD(ktsnap_rq_scx_state, flags, F_U64),
		FD(ktsnap_rq_scx_state, cpu_released, F_BOOL),
		FD(ktsnap_rq_scx_state, ops_qseq, F_U64),
		FDH(ktsnap_rq_scx_state, kick_sync, F_U64, has_kick_sync),
		FD(ktsnap_rq_scx_state, nr_immed, F_U64),
		FD(ktsnap_rq_scx_state, rq_clock, F_U64),
		FDH(ktsnap_rq_scx_state, curr_pid, F_I32, has_curr_pid),
	};
	static const char *const extra[] = { "runnable_task_kvas", NULL };
	struct ktsnap_rq_scx_state *q = elem;

	return read_record(rd, o, d, sizeof(d) / sizeof(d[0]), extra, q) &&
	       get_u64_list(rd, o, "runnable_task_kvas", UINT64_MAX, &q->runnable_task_kvas,
			    &q->nr_runnable_task_kvas);
}

static bool read_dsq(struct rd *rd, struct json_object *o, void *elem)
{
	static const struct fdesc d[] = {
		FD(ktsnap_dsq_state, origin, F_STR),
		FD(ktsnap_dsq_state, nr, F_U64),
		FD(ktsnap_dsq_state, seq, F_U64),
		FD(ktsnap_dsq_state, truncated, F_BOOL),
	};
	static const char *const extra[] = { "task_kvas", NULL };
	struct ktsnap_dsq_state *q = elem;

	q->origin = "";
	return read_record(rd, o, d, sizeof(d) / sizeof(d[0]), extra, q) &&
	       get_u64_list(rd, o, "task_kvas", UINT64_MAX, &q->task_kvas, &q->nr_task_kvas);
}

static const struct fdesc sched_desc[] = {
	FD(ktsnap_scx_sched_state, aborting, F_BOOL),
	FD(ktsnap_scx_sched_state, bypass_depth, F_I64),
	FD(ktsnap_scx_sched_state, exit_kind, F_I64),
	FDH(ktsnap_scx_sched_state, watchdog_timeout, F_U64, has_watchdog_timeout),
	FD(ktsnap_scx_sched_state, source, F_STR),
	FDH(ktsnap_scx_sched_state, sched_kva, F_U64, has_sched_kva),
};

#define P(f) FD(ktsnap_probe_counters, f, F_U64)
static const struct fdesc probe_desc[] = {
	P(probe_count), P(kprobe_returns), P(meta_miss), P(ringbuf_drops),
	P(timeline_count), P(timeline_drops), P(pi_count), P(pi_orphan_fexits),
	P(pi_class_change_count), P(pi_drops), P(lock_contend_count),
	P(lock_contend_drops), P(preempt_disable_count), P(preempt_enable_count),
	P(trigger_count),
};
#undef P

/* An optional object field read by a table into a new arena record. */
static bool get_object(struct rd *rd, struct json_object *o, const char *key,
		       const struct fdesc *d, size_t nd, size_t size, void **out)
{
	struct json_object *v;
	void *rec;
	size_t p;
	int f = field(rd, o, key, &v);

	if (f <= 0)
		return f == 0;
	rec = ktsnap_arena_alloc(&rd->r->arena, size);
	if (!rec)
		return fail_nomem(rd);
	p = path_key(rd, key);
	if (!read_record(rd, v, d, nd, NULL, rec))
		return false;
	path_pop(rd, p);
	*out = rec;
	return true;
}

/* A field kept verbatim: re-serialised compactly by json-c. */
static bool get_raw(struct rd *rd, struct json_object *o, const char *key, enum json_type t,
		    const char **out)
{
	struct json_object *v;
	const char *s;
	size_t p;
	int f = field(rd, o, key, &v);

	if (f <= 0)
		return f == 0;
	p = path_key(rd, key);
	if (!expect(rd, v, t, t == json_type_array ? "an array" : "an object"))
		return false;
	path_pop(rd, p);
	s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || !(*out = ktsnap_arena_strdup(&rd->r->arena, s)))
		return fail_nomem(rd);
	return true;
}

static bool read_report(struct rd *rd, struct json_object *o)
{
	static const char *const keys[] = {
		"schema", "maps", "vcpu_regs", "active_obj_name", "active_map_kvas",
		"sdt_allocations", "scx_static_ranges", "sdt_alloc_unavailable",
		"prog_runtime_stats", "prog_runtime_stats_unavailable", "per_cpu_time",
		"per_node_numa", "per_node_numa_unavailable", "task_enrichments",
		"task_enrichments_unavailable", "event_counter_timeline", "rq_scx_states",
		"dsq_states", "scx_sched_state", "scx_walker_unavailable",
		"vcpu_perf_at_freeze", "dump_truncated_at_us", "probe_counters", "cgroup_psi",
		"is_placeholder", "capture_ns", "timestamp_ns", NULL
	};
	struct ktsnap_report *r = rd->r;
	struct json_object *schema, *maps;
	size_t n = 0, i, p;
	const char *s;

	if (!json_object_is_type(o, json_type_object))
		return fail(rd, "top level is %s, not an object", jtype(o));
	if (!json_object_object_get_ex(o, "schema", &schema))
		return fail(rd, "missing \"schema\"");
	p = path_key(rd, "schema");
	if (!expect(rd, schema, json_type_string, "a string"))
		return false;
	s = json_object_get_string(schema);
	if (!strcmp(s, "dual") || !strcmp(s, "degraded"))
		return fail(rd, "schema \"%s\" is not supported (ktsnap reads \"single\" reports)",
			    s);
	if (strcmp(s, "single"))
		return fail(rd, "unknown schema \"%.40s\" (expected \"single\")", s);
	path_pop(rd, p);
	if (!check_keys(rd, o, keys))
		return false;
	r->has_dump_truncated_at_us = json_object_object_get_ex(o, "dump_truncated_at_us", NULL);

	if (get_array(rd, o, "maps", &maps, &n) < 0)
		return false;
	p = path_key(rd, "maps");
	for (i = 0; i < n; i++) {
		size_t q = path_idx(rd, i);

		rd->map_ordinal = i;
		if (!read_map(rd, json_object_array_get_idx(maps, i), NULL))
			return false;
		path_pop(rd, q);
	}
	path_pop(rd, p);

	return get_raw(rd, o, "vcpu_regs", json_type_array, &r->vcpu_regs_json) &&
	       get_str(rd, o, "active_obj_name", &r->active_obj_name) &&
	       get_u64_list(rd, o, "active_map_kvas", UINT64_MAX, &r->active_map_kvas,
			    &r->nr_active_map_kvas) &&
	       get_raw(rd, o, "sdt_allocations", json_type_array, &r->sdt_allocations_json) &&
	       get_raw(rd, o, "scx_static_ranges", json_type_object,
		       &r->scx_static_ranges_json) &&
	       get_str(rd, o, "sdt_alloc_unavailable", &r->sdt_alloc_unavailable) &&
	       get_records(rd, o, "prog_runtime_stats", sizeof(*r->prog_runtime_stats),
			   read_prog_stat, (void **)&r->prog_runtime_stats,
			   &r->nr_prog_runtime_stats) &&
	       get_str(rd, o, "prog_runtime_stats_unavailable",
		       &r->prog_runtime_stats_unavailable) &&
	       get_records(rd, o, "per_cpu_time", sizeof(*r->per_cpu_time), read_cpu_time,
			   (void **)&r->per_cpu_time, &r->nr_per_cpu_time) &&
	       get_records(rd, o, "per_node_numa", sizeof(*r->per_node_numa), read_numa,
			   (void **)&r->per_node_numa, &r->nr_per_node_numa) &&
	       get_str(rd, o, "per_node_numa_unavailable", &r->per_node_numa_unavailable) &&
	       get_records(rd, o, "task_enrichments", sizeof(*r->task_enrichments), read_task,
			   (void **)&r->task_enrichments, &r->nr_task_enrichments) &&
	       get_str(rd, o, "task_enrichments_unavailable",
		       &r->task_enrichments_unavailable) &&
	       get_records(rd, o, "event_counter_timeline", sizeof(*r->event_counter_timeline),
			   read_event_sample, (void **)&r->event_counter_timeline,
			   &r->nr_event_counter_timeline) &&
	       get_records(rd, o, "rq_scx_states", sizeof(*r->rq_scx_states), read_rq,
			   (void **)&r->rq_scx_states, &r->nr_rq_scx_states) &&
	       get_records(rd, o, "dsq_states", sizeof(*r->dsq_states), read_dsq,
			   (void **)&r->dsq_states, &r->nr_dsq_states) &&
	       get_object(rd, o, "scx_sched_state", sched_desc,
			  sizeof(sched_desc) / sizeof(sched_desc[0]), sizeof(*r->scx_sched_state),
			  (void **)&r->scx_sched_state) &&
	       get_str(rd, o, "scx_walker_unavailable", &r->scx_walker_unavailable) &&
	       get_raw(rd, o, "vcpu_perf_at_freeze", json_type_array,
		       &r->vcpu_perf_at_freeze_json) &&
	       get_u64(rd, o, "dump_truncated_at_us", &r->dump_truncated_at_us) &&
	       get_object(rd, o, "probe_counters", probe_desc,
			  sizeof(probe_desc) / sizeof(probe_desc[0]), sizeof(*r->probe_counters),
			  (void **)&r->probe_counters) &&
	       get_records(rd, o, "cgroup_psi", sizeof(*r->cgroup_psi), read_psi,
			   (void **)&r->cgroup_psi, &r->nr_cgroup_psi) &&
	       get_bool(rd, o, "is_placeholder", &r->is_placeholder) &&
	       get_u64(rd, o, "capture_ns", &r->capture_ns) &&
	       get_u64(rd, o, "timestamp_ns", &r->timestamp_ns);
}

/* ---- lexical pre-scan --------------------------------------------------------- */

/* Is the integer token [s, s+n) (optional '-', digits) within i64/u64? */
static bool int_in_range(const char *s, size_t n)
{
	static const char u64max[] = "18446744073709551615";
	static const char i64min[] = "9223372036854775808";
	bool neg = *s == '-';
	const char *lim = neg ? i64min : u64max;
	size_t limlen = strlen(lim);

	if (neg) {
		s++;
		n--;
	}
	if (n != limlen)
		return n < limlen;
	return memcmp(s, lim, n) <= 0;
}

static int prescan(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		char c = buf[i];

		if (c == '"') {
			for (i++; i < len && buf[i] != '"'; i++)
				if (buf[i] == '\\')
					i++;
			i++;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t start = i;
			bool integer = true;

			for (i++; i < len; i++) {
				c = buf[i];
				if (c == '.' || c == 'e' || c == 'E' || c == '+')
					integer = false;
				else if (!(c >= '0' && c <= '9') && c != '-')
					break;
			}
			if (integer && !int_in_range(buf + start, i - start))
				return ktsnap_fail(-EINVAL,
						   "invalid report JSON at byte %zu: integer %.*s "
						   "does not fit in 64 bits",
						   start, (int)(i - start > 40 ? 40 : i - start),
						   buf + start);
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			size_t start = i;

			while (i < len && ((buf[i] >= 'a' && buf[i] <= 'z') ||
					   (buf[i] >= 'A' && buf[i] <= 'Z')))
				i++;
			if (!(i - start == 4 && !memcmp(buf + start, "true", 4)) &&
			    !(i - start == 5 && !memcmp(buf + start, "false", 5)) &&
			    !(i - start == 4 && !memcmp(buf + start, "null", 4)))
				return ktsnap_fail(-EINVAL,
						   "invalid report JSON at byte %zu: unexpected "
						   "token '%.*s'",
						   start, (int)(i - start > 20 ? 20 : i - start),
						   buf + start);
		} else if (c == '\'') {
			return ktsnap_fail(-EINVAL,
					   "invalid report JSON at byte %zu: unexpected character '''",
					   i);
		} else {
			i++;
		}
	}
	return 0;
}

/* ---- entry points ---------------------------------------------------------------- */
int ktsnap_report__read_json_buf(const char *buf, size_t len, struct ktsnap_report **report)
{
	struct rd rd = { 0 };
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL;
	enum json_tokener_error jerr;
	char *blanked = NULL;
	int err;

	ktsnap_errmsg_clear();
	if (!buf || !report)
		return ktsnap_fail(-EINVAL, "read_json: no input or no output pointer");
	if (len > KTSNAP_JSON_MAX_INPUT)
		return ktsnap_fail(-EFBIG, "report file larger than %u bytes",
				   KTSNAP_JSON_MAX_INPUT);
	tok = json_tokener_new_ex(KTSNAP_JSON_MAX_DEPTH);
	if (!tok)
		return ktsnap_fail(-ENOMEM, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);

	/* cut the entry lists out (see "entry lists, one at a time") */
	{
		struct scan sc = { .b = buf, .len = len };
		size_t i;

		if (scan_splits(&sc) && sc.nr && (blanked = malloc(len ? len : 1))) {
			memcpy(blanked, buf, len);
			for (i = 0; i < sc.nr; i++)
				memset(blanked + sc.splits[i].open + 1, ' ',
				       sc.splits[i].close - sc.splits[i].open - 1);
			rd.splits = sc.splits;
			rd.nr_splits = sc.nr;
			rd.src = buf;
			/* elements sit 4 levels deep: the same overall depth cap */
			rd.etok = json_tokener_new_ex(KTSNAP_JSON_MAX_DEPTH - 4);
			if (!rd.etok) {
				err = ktsnap_fail(-ENOMEM, "out of memory");
				goto out;
			}
			json_tokener_set_flags(rd.etok,
					       JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
		} else {
			splits_free(sc.splits, sc.nr);
		}
	}
	root = json_tokener_parse_ex(tok, blanked ? blanked : buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		size_t k;

		for (k = 0; k < len && strchr(" \t\r\n", buf[k]); k++)
			;
		err = k == len ? ktsnap_fail(-EINVAL, "invalid report JSON: empty input")
			       : ktsnap_fail(-EINVAL,
					     "invalid report JSON: truncated (input ends at byte "
					     "%zu inside a value)",
					     len);
		goto out;
	}
	if (jerr != json_tokener_success) {
		err = ktsnap_fail(-EINVAL, "invalid report JSON at byte %zu: %s",
				  json_tokener_get_parse_end(tok), json_tokener_error_desc(jerr));
		goto out;
	}
	if (json_tokener_get_parse_end(tok) < len) {
		err = ktsnap_fail(-EINVAL, "invalid report JSON at byte %zu: trailing data",
				  json_tokener_get_parse_end(tok));
		goto out;
	}
	err = prescan(buf, len);
	if (err)
		goto out;

	rd.r = ktsnap_report__new();
	if (!rd.r) {
		err = -ENOMEM;
		goto out;
	}
	if (!read_report(&rd, root)) {
		err = rd.err ? rd.err : ktsnap_fail(-EINVAL, "invalid report");
		ktsnap_report__free(rd.r);
		goto out;
	}
	*report = rd.r;
	err = 0;
out:
	json_object_put(root);
	json_tokener_free(tok);
	if (rd.etok)
		json_tokener_free(rd.etok);
	splits_free(rd.splits, rd.nr_splits);
	free(blanked);
	return err;
}

int ktsnap_report__read_json(FILE *f, struct ktsnap_report **report)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *nb;
	int err;

	ktsnap_errmsg_clear();
	if (!f || !report)
		return ktsnap_fail(-EINVAL, "read_json: no input stream or no output pointer");
	for (;;) {
		if (len == cap) {
			/* one byte past the cap tells "too large" from "exactly" */
			if (cap > KTSNAP_JSON_MAX_INPUT)
				break;
			cap = cap ? cap * 2 : 64 * 1024;
			if (cap > (size_t)KTSNAP_JSON_MAX_INPUT + 1)
				cap = (size_t)KTSNAP_JSON_MAX_INPUT + 1;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return ktsnap_fail(-ENOMEM, "out of memory");
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (len > KTSNAP_JSON_MAX_INPUT) {
		free(buf);
		return ktsnap_fail(-EFBIG, "report file larger than %u bytes",
				   KTSNAP_JSON_MAX_INPUT);
	}
	if (ferror(f)) {
		free(buf);
		return ktsnap_fail(-EIO, "reading the report file failed");
	}
	err = ktsnap_report__read_json_buf(buf, len, report);
	free(buf);
	return err;
}
