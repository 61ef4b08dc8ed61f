// SPDX-License-Identifier: MIT
/*
 * JsonField and stats_path (spec §6.10): the SnapshotField surface over a
 * JSON document (scheduler stats), read with json-c.  Errors borrow the
 * JSON tree (FieldNotFound lists the object's keys when formatted).
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

static struct ktsnap_json_field jvalue(const struct json_object *o)
{
	return (struct ktsnap_json_field){ .present = true, .value = o };
}

static struct ktsnap_json_field walk(const struct json_object *root, const char *path)
{
	struct ktsnap_json_field f = { .present = false };
	const struct json_object *cur = root;
	struct json_object *next = NULL;
	const char *p = path, *dot;
	bool found;
	size_t walked = 0, len;
	char key[256];

	if (!*path)
		return jvalue(root);
	for (;;) {
		dot = strchr(p, '.');
		len = dot ? (size_t)(dot - p) : strlen(p);
		if (!len) {
			ktsnap_err_init(&f.err, KTSNAP_ERR_EMPTY_PATH_COMPONENT);
			ktsnap_err_set_text(&f.err, path);
			return f;
		}
		if (!json_object_is_type((struct json_object *)cur, json_type_object)) {
			ktsnap_err_init(&f.err, KTSNAP_ERR_NOT_A_STRUCT);
			f.err.u.path.got = json_kind(cur);
			ktsnap_err_set_path(&f.err, path, walked, p, len);
			return f;
		}
		found = false;
		if (len < sizeof(key)) {
			memcpy(key, p, len);
			key[len] = '\0';
			found = json_object_object_get_ex((struct json_object *)cur, key, &next);
		}
		if (!found) {
			ktsnap_err_init(&f.err, KTSNAP_ERR_FIELD_NOT_FOUND);
			f.err.u.path.members_of = KTSNAP_ERR_MEMBERS_OF_JSON;
			f.err.u.path.members = cur;
			ktsnap_err_set_path(&f.err, path, walked, p, len);
			return f;
		}
		cur = next;
		walked = (size_t)(p - path) + len;
		if (!dot)
			break;
		p = dot + 1;
	}
	return jvalue(cur);
}

struct ktsnap_json_field ktsnap_stats_path(const struct json_object *root, const char *path)
{
	return walk(root, path ? path : "");
}

struct ktsnap_json_field ktsnap_json_field__get(struct ktsnap_json_field f, const char *path)
{
	if (!f.present)
		return f;
	return walk(f.value, path ? path : "");
}

bool ktsnap_json_field__is_present(struct ktsnap_json_field f)
{
	return f.present;
}

const struct json_object *ktsnap_json_field__raw(struct ktsnap_json_field f)
{
	return f.present ? f.value : NULL;
}

const struct ktsnap_error *ktsnap_json_field__error(const struct ktsnap_json_field *f)
{
	return f && !f->present ? &f->err : NULL;
}

size_t ktsnap_json_field__member_count(struct ktsnap_json_field f)
{
	if (!f.present || !json_object_is_type((struct json_object *)f.value, json_type_array))
		return 0;
	return json_object_array_length(f.value);
}

struct ktsnap_json_field ktsnap_json_field__member(struct ktsnap_json_field f, size_t i)
{
	struct ktsnap_json_field m = { .present = false };
	size_t n = ktsnap_json_field__member_count(f);

	if (i < n)
		return jvalue(json_object_array_get_idx(f.value, i));
	if (!f.present)
		return f;
	ktsnap_err_init(&m.err, KTSNAP_ERR_INDEX_OUT_OF_RANGE);
	m.err.u.index_out_of_range.map = "<array>";
	m.err.u.index_out_of_range.index = i;
	m.err.u.index_out_of_range.len = n;
	return m;
}

/* ---- conversions ------------------------------------------------------------------ */
static int missing(const struct ktsnap_json_field *f, struct ktsnap_error *err)
{
	if (f->present)
		return 0;
	if (err)
		*err = f->err;
	return -ENOENT;
}

static int mismatch(struct ktsnap_error *err, const char *expected, const char *actual)
{
	if (err) {
		ktsnap_err_init(err, KTSNAP_ERR_TYPE_MISMATCH);
		err->u.type_mismatch.expected = expected;
		err->u.type_mismatch.actual = actual;
	}
	return -EINVAL;
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

static int to_u64(const struct json_object *o, uint64_t *out, struct ktsnap_error *err)
{
	const char *s;
	uint64_t u;
	int64_t i;
	double d;
	bool neg;

	switch (json_object_get_type((struct json_object *)o)) {
	case json_type_int:
		json_int(o, &neg, &i, &u);
		if (neg)
			return mismatch(err, "u64", "Int(negative)");
		*out = u;
		return 0;
	case json_type_double:
		d = json_object_get_double(o);
		if (!isfinite(d) || d < 0)
			return mismatch(err, "u64", "Float(non-coercible)");
		if (d != floor(d))
			return mismatch(err, "integer", "non-integer float");
		if (d >= 18446744073709551616.0)
			return mismatch(err, "u64", "Float(non-coercible)");
		*out = (uint64_t)d;
		return 0;
	case json_type_boolean:
		*out = json_object_get_boolean(o) ? 1 : 0;
		return 0;
	case json_type_string:
		s = json_object_get_string((struct json_object *)o);
		if (!parse_u64(s, out))
			return mismatch(err, "u64", "String(non-numeric)");
		return 0;
	default:
		return mismatch(err, "u64", json_kind(o));
	}
}

static int to_i64(const struct json_object *o, int64_t *out, struct ktsnap_error *err)
{
	const char *s;
	uint64_t u;
	int64_t i;
	double d;
	bool neg;

	switch (json_object_get_type((struct json_object *)o)) {
	case json_type_int:
		json_int(o, &neg, &i, &u);
		if (!neg && u > INT64_MAX)
			return mismatch(err, "i64", "Uint(>i64::MAX)");
		*out = i;
		return 0;
	case json_type_double:
		d = json_object_get_double(o);
		if (!isfinite(d))
			return mismatch(err, "i64", "Float(non-finite)");
		if (d != floor(d))
			return mismatch(err, "integer", "non-integer float");
		if (d >= 9223372036854775808.0 || d < -9223372036854775808.0)
			return mismatch(err, "i64", "Float(non-coercible)");
		*out = (int64_t)d;
		return 0;
	case json_type_boolean:
		*out = json_object_get_boolean(o) ? 1 : 0;
		return 0;
	case json_type_string:
		s = json_object_get_string((struct json_object *)o);
		if (!parse_i64(s, out))
			return mismatch(err, "i64", "String(non-numeric)");
		return 0;
	default:
		return mismatch(err, "i64", json_kind(o));
	}
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

int ktsnap_json_field__as_u64(struct ktsnap_json_field f, uint64_t *out, struct ktsnap_error *err)
{
	uint64_t v;
	int ret;

	if (missing(&f, err))
		return -ENOENT;
	ret = to_u64(f.value, &v, err);
	if (!ret && out)
		*out = v;
	return ret;
}

int ktsnap_json_field__as_i64(struct ktsnap_json_field f, int64_t *out, struct ktsnap_error *err)
{
	int64_t v;
	int ret;

	if (missing(&f, err))
		return -ENOENT;
	ret = to_i64(f.value, &v, err);
	if (!ret && out)
		*out = v;
	return ret;
}

int ktsnap_json_field__as_f64(struct ktsnap_json_field f, double *out, struct ktsnap_error *err)
{
	double v;
	int ret;

	if (missing(&f, err))
		return -ENOENT;
	ret = to_f64(f.value, &v, err);
	if (!ret && out)
		*out = v;
	return ret;
}

int ktsnap_json_field__as_bool(struct ktsnap_json_field f, bool *out, struct ktsnap_error *err)
{
	bool v;
	int ret;

	if (missing(&f, err))
		return -ENOENT;
	ret = to_bool(f.value, &v, err);
	if (!ret && out)
		*out = v;
	return ret;
}

int ktsnap_json_field__as_str(struct ktsnap_json_field f, const char **out,
			      struct ktsnap_error *err)
{
	if (missing(&f, err))
		return -ENOENT;
	if (!json_object_is_type((struct json_object *)f.value, json_type_string))
		return mismatch(err, "str", json_kind(f.value));
	if (out)
		*out = json_object_get_string((struct json_object *)f.value);
	return 0;
}

enum elem_type { E_U64, E_U32, E_I64, E_F64, E_BOOL };

static const char *const elem_tname[] = { "[u64]", "[u32]", "[i64]", "[f64]", "[bool]" };

static int elem(const struct json_object *o, enum elem_type t, void *out, size_t i,
		struct ktsnap_error *err)
{
	uint64_t u;
	int64_t s;
	double d;
	bool b;
	int ret;

	switch (t) {
	case E_U64:
	case E_U32:
		ret = to_u64(o, &u, err);
		if (ret)
			return ret;
		if (t == E_U32 && u > UINT32_MAX)
			return mismatch(err, "u32", "Uint(>u32::MAX)");
		if (out && t == E_U64)
			((uint64_t *)out)[i] = u;
		else if (out)
			((uint32_t *)out)[i] = (uint32_t)u;
		return 0;
	case E_I64:
		ret = to_i64(o, &s, err);
		if (!ret && out)
			((int64_t *)out)[i] = s;
		return ret;
	case E_F64:
		ret = to_f64(o, &d, err);
		if (!ret && out)
			((double *)out)[i] = d;
		return ret;
	default:
		ret = to_bool(o, &b, err);
		if (!ret && out)
			((bool *)out)[i] = b;
		return ret;
	}
}

static int as_array(struct ktsnap_json_field f, enum elem_type t, void *out, size_t cap,
		    size_t *n, struct ktsnap_error *err)
{
	size_t i, len;
	int ret;

	if (n)
		*n = 0;
	if (missing(&f, err))
		return -ENOENT;
	if (!json_object_is_type((struct json_object *)f.value, json_type_array))
		return mismatch(err, elem_tname[t], json_kind(f.value));
	len = json_object_array_length(f.value);
	for (i = 0; i < len; i++) {
		ret = elem(json_object_array_get_idx(f.value, i), t, i < cap ? out : NULL, i, err);
		if (ret)
			return ret;
	}
	if (n)
		*n = len;
	return 0;
}

int ktsnap_json_field__as_u64_array(struct ktsnap_json_field f, uint64_t *out, size_t cap,
				    size_t *n, struct ktsnap_error *err)
{
	return as_array(f, E_U64, out, cap, n, err);
}

int ktsnap_json_field__as_u32_array(struct ktsnap_json_field f, uint32_t *out, size_t cap,
				    size_t *n, struct ktsnap_error *err)
{
	return as_array(f, E_U32, out, cap, n, err);
}

int ktsnap_json_field__as_i64_array(struct ktsnap_json_field f, int64_t *out, size_t cap,
				    size_t *n, struct ktsnap_error *err)
{
	return as_array(f, E_I64, out, cap, n, err);
}

int ktsnap_json_field__as_f64_array(struct ktsnap_json_field f, double *out, size_t cap,
				    size_t *n, struct ktsnap_error *err)
{
	return as_array(f, E_F64, out, cap, n, err);
}

int ktsnap_json_field__as_bool_array(struct ktsnap_json_field f, bool *out, size_t cap,
				     size_t *n, struct ktsnap_error *err)
{
	return as_array(f, E_BOOL, out, cap, n, err);
}
