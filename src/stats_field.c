// SPDX-License-Identifier: MIT
/*
 * JsonField (spec §6.10): the JSON side of the field functions, which
 * field.c dispatches here for KTSNAP_FIELD_JSON fields (scheduler stats,
 * read with json-c): the path walk (value.c's rules) and the JSON
 * coercions; typed arrays go through field.c's conversion core.  Errors
 * borrow the JSON tree (FieldNotFound lists the object's keys).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include "view_internal.h"

static const char *json_kind(const struct json_object *o)
{
	switch (json_object_get_type((struct json_object *)o)) {
	case json_type_null:
		return "Null";
	case json_type_boolean:
		return "Bool";
	case json_type_int:
	case json_type_double:
		return "Number";
	case json_type_string:
		return "String";
	case json_type_array:
		return "Array";
	default:
		return "Object";
	}
}

/* Member of object @o named exactly @name (@len bytes) into *out (NULL
 * for a JSON null); false when there is none.  No length cap. */
static bool key_n(const struct json_object *o, const char *name, size_t len,
		  const struct json_object **out)
{
	json_object_object_foreach((struct json_object *)o, key, val) {
		if (!strncmp(key, name, len) && key[len] == '\0') {
			*out = val;
			return true;
		}
	}
	return false;
}

static bool json_is(const struct json_object *o, enum json_type t)
{
	return json_object_is_type((struct json_object *)o, t);
}

/* "[i]" suffixes in [p, end): elements of JSON arrays. */
static bool walk_indexes(struct ktsnap_field *f, const struct json_object **cur, const char *p,
			 const char *end, const char *path)
{
	uint64_t i;
	size_t n;

	while (ktsnap_path_next_index(&p, end, &i)) {
		if (!json_is(*cur, json_type_array)) {
			ktsnap_err_type_mismatch(&f->err, "Array", json_kind(*cur), path);
			return false;
		}
		n = json_object_array_length(*cur);
		if (i >= n) {
			ktsnap_err_index_out_of_range(&f->err, "<array>", i, n);
			return false;
		}
		*cur = json_object_array_get_idx(*cur, (size_t)i);
	}
	return true;
}

/* The path rules of ktsnap_walk() (value.c) over a JSON tree. */
struct ktsnap_field ktsnap_json_walk(const struct json_object *root, const char *path)
{
	struct ktsnap_field f = { .kind = KTSNAP_FIELD_MISSING };
	const struct json_object *cur = root, *next;
	const char *p = path, *dot;
	size_t walked = 0, len, name_len;

	if (!*path)
		return ktsnap_field_json(root);
	for (;;) {
		dot = strchr(p, '.');
		len = dot ? (size_t)(dot - p) : strlen(p);
		if (!len) {
			ktsnap_err_init(&f.err, KTSNAP_ERR_EMPTY_PATH_COMPONENT);
			ktsnap_err_set_text(&f.err, path);
			return f;
		}
		name_len = ktsnap_path_name_len(p, len);
		if (name_len) {
			if (!json_is(cur, json_type_object)) {
				ktsnap_err_init(&f.err, KTSNAP_ERR_NOT_A_STRUCT);
				f.err.u.path.got = json_kind(cur);
				ktsnap_err_set_path(&f.err, path, walked, p, len);
				return f;
			}
			/* the exact name wins over a "[i]" reading */
			if (key_n(cur, p, len, &next))
				name_len = len;
			else if (name_len == len || !key_n(cur, p, name_len, &next)) {
				ktsnap_err_init(&f.err, KTSNAP_ERR_FIELD_NOT_FOUND);
				f.err.u.path.members_of = KTSNAP_ERR_MEMBERS_OF_JSON;
				f.err.u.path.members = cur;
				ktsnap_err_set_path(&f.err, path, walked, p, len);
				return f;
			}
			cur = next;
		}
		if (!walk_indexes(&f, &cur, p + name_len, p + len, path))
			return f;
		walked = (size_t)(p - path) + len;
		if (!dot)
			break;
		p = dot + 1;
	}
	return ktsnap_field_json(cur);
}

size_t ktsnap_json_len(const struct json_object *o)
{
	return json_is(o, json_type_array) ? json_object_array_length(o) : 0;
}

/* ---- conversions ------------------------------------------------------------------ */
static int mismatch(struct ktsnap_error *err, const char *expected, const char *actual)
{
	return ktsnap_err_type_mismatch(err, expected, actual, "");
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s == '+')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

static bool parse_i64(const char *s, int64_t *out)
{
	const char *d = *s == '-' || *s == '+' ? s + 1 : s;
	char *end;

	if (*d < '0' || *d > '9')
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end;
}

static bool parse_f64(const char *s, double *out)
{
	char *end;

	if (!*s || *s == ' ' || (*s >= '\t' && *s <= '\r'))
		return false;
	*out = strtod(s, &end);
	return !*end;
}

/* Integer JSON numbers: *neg for negatives, else the full u64 in *u. */
static void json_int(const struct json_object *o, bool *neg, int64_t *i, uint64_t *u)
{
	*i = json_object_get_int64(o);
	*neg = *i < 0;
	*u = *neg ? 0 : json_object_get_uint64(o);
}

/* A JSON value as an integer: *u for unsigned, *i for signed targets. */
static int to_int(const struct json_object *o, bool sign, uint64_t *u, int64_t *i,
		  struct ktsnap_error *err)
{
	const char *tn = sign ? "i64" : "u64";
	bool neg;
	double d;

	switch (json_object_get_type((struct json_object *)o)) {
	case json_type_int:
		json_int(o, &neg, i, u);
		if (!sign && neg)
			return mismatch(err, tn, "Int(negative)");
		if (sign && !neg && *u > INT64_MAX)
			return mismatch(err, tn, "Uint(>i64::MAX)");
		return 0;
	case json_type_double:
		d = json_object_get_double(o);
		if (!isfinite(d) || (!sign && d < 0))
			return mismatch(err, tn,
					sign ? "Float(non-finite)" : "Float(non-coercible)");
		if (d != floor(d))
			return mismatch(err, "integer", "non-integer float");
		if (sign ? d >= 9223372036854775808.0 || d < -9223372036854775808.0 :
			   d >= 18446744073709551616.0)
			return mismatch(err, tn, "Float(non-coercible)");
		if (sign)
			*i = (int64_t)d;
		else
			*u = (uint64_t)d;
		return 0;
	case json_type_boolean:
		*u = json_object_get_boolean(o) ? 1 : 0;
		*i = (int64_t)*u;
		return 0;
	case json_type_string:
		if (sign ? !parse_i64(json_object_get_string((struct json_object *)o), i) :
			   !parse_u64(json_object_get_string((struct json_object *)o), u))
			return mismatch(err, tn, "String(non-numeric)");
		return 0;
	default:
		return mismatch(err, tn, json_kind(o));
	}
}

static int to_u64(const struct json_object *o, uint64_t *out, struct ktsnap_error *err)
{
	int64_t i;

	return to_int(o, false, out, &i, err);
}

static int to_i64(const struct json_object *o, int64_t *out, struct ktsnap_error *err)
{
	uint64_t u;

	return to_int(o, true, &u, out, err);
}

static int to_f64(const struct json_object *o, double *out, struct ktsnap_error *err)
{
	uint64_t u;
	int64_t i;
	bool neg;

	switch (json_object_get_type((struct json_object *)o)) {
	case json_type_int:
		json_int(o, &neg, &i, &u);
		*out = neg ? (double)i : (double)u;
		return 0;
	case json_type_double:
		*out = json_object_get_double(o);
		return 0;
	case json_type_string:
		if (!parse_f64(json_object_get_string((struct json_object *)o), out))
			return mismatch(err, "f64", "String(non-numeric)");
		return 0;
	default:
		return mismatch(err, "f64", json_kind(o));
	}
}

static int to_bool(const struct json_object *o, bool *out, struct ktsnap_error *err)
{
	if (!json_object_is_type((struct json_object *)o, json_type_boolean))
		return mismatch(err, "bool", json_kind(o));
	*out = json_object_get_boolean(o);
	return 0;
}

int ktsnap_json_as_str(const struct json_object *o, const char **out, struct ktsnap_error *err)
{
	if (!json_is(o, json_type_string))
		return mismatch(err, "str", json_kind(o));
	if (out)
		*out = json_object_get_string((struct json_object *)o);
	return 0;
}

static const void *j_elem(const void *arr, size_t i)
{
	return json_object_array_get_idx((const struct json_object *)arr, i);
}

/* The conversion core's view of to_*(): untyped JSON nodes. */
#define J_TO(name, type)                                                           \
	static int j_to_##name(const void *n, type *out, struct ktsnap_error *err) \
	{                                                                          \
		return to_##name(n, out, err);                                     \
	}

J_TO(u64, uint64_t)
J_TO(i64, int64_t)
J_TO(f64, double)
J_TO(bool, bool)

/* a bad element keeps its own scalar error */
const struct ktsnap_field_conv ktsnap_json_conv = KTSNAP_FIELD_CONV_OPS(j, j_elem, NULL);

int ktsnap_json_as_array(const struct json_object *o, enum ktsnap_elem_type t, void *out,
			 size_t cap, size_t *n, struct ktsnap_error *err)
{
	if (!json_is(o, json_type_array))
		return mismatch(err, ktsnap_elem_type_names[t], json_kind(o));
	return ktsnap_field_conv_array(&ktsnap_json_conv, o, json_object_array_length(o), t, out,
				       cap, n, err);
}
