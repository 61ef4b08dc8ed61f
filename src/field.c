// SPDX-License-Identifier: MIT
/*
 * SnapshotField and JsonField (spec §6.8-§6.10): the one set of field
 * functions; fields over rendered values (their path walk and
 * conversions) are handled here, JSON fields are dispatched to
 * stats_field.c.  Also the conversion core (typed arrays, element
 * coercion) both kinds share.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "view_internal.h"

#define PK_ACTUAL "Uint(percpu key) — call as_u64/as_i64/as_f64/as_bool for the key value"

/* ---- SnapshotField ------------------------------------------------------------------------------------ */
struct ktsnap_field ktsnap_field_walk(const struct ktsnap_value *root, const char *path)
{
	struct ktsnap_field f = { .kind = KTSNAP_FIELD_VALUE };

	if (ktsnap_walk(root, path ? path : "", KTSNAP_PEEL_PTRS, &f.value, &f.err)) {
		f.kind = KTSNAP_FIELD_MISSING;
		f.value = NULL;
	}
	return f;
}

struct ktsnap_field ktsnap_field_no_rendered(const char *side)
{
	struct ktsnap_field f = { .kind = KTSNAP_FIELD_MISSING };

	ktsnap_err_init(&f.err, KTSNAP_ERR_NO_RENDERED);
	f.err.u.no_rendered.map = "<entry>";
	f.err.u.no_rendered.side = side;
	return f;
}

struct ktsnap_field ktsnap_field__of(const struct ktsnap_value *v)
{
	if (!v)
		return ktsnap_field_no_rendered("value");
	return ktsnap_field_value(v);
}

struct ktsnap_field ktsnap_field__from_json(const struct json_object *root, const char *path)
{
	return ktsnap_json_walk(root, path ? path : "");
}

struct ktsnap_field ktsnap_field__get(struct ktsnap_field f, const char *path)
{
	switch (f.kind) {
	case KTSNAP_FIELD_VALUE:
		return ktsnap_field_walk(f.value, path);
	case KTSNAP_FIELD_JSON:
		return ktsnap_json_walk(f.json, path ? path : "");
	case KTSNAP_FIELD_PERCPU_KEY: {
		struct ktsnap_field m = { .kind = KTSNAP_FIELD_MISSING };

		ktsnap_err_type_mismatch(&m.err, "Struct", PK_ACTUAL, path ? path : "");
		return m;
	}
	default:
		return f;
	}
}

bool ktsnap_field__is_present(struct ktsnap_field f)
{
	return f.kind != KTSNAP_FIELD_MISSING;
}

const struct ktsnap_value *ktsnap_field__raw(struct ktsnap_field f)
{
	return f.kind == KTSNAP_FIELD_VALUE ? f.value : NULL;
}

const struct json_object *ktsnap_field__json(struct ktsnap_field f)
{
	return f.kind == KTSNAP_FIELD_JSON ? f.json : NULL;
}

const struct ktsnap_error *ktsnap_field__error(const struct ktsnap_field *f)
{
	return f && f->kind == KTSNAP_FIELD_MISSING ? &f->err : NULL;
}

size_t ktsnap_field__member_count(struct ktsnap_field f)
{
	const struct ktsnap_value *v;

	if (f.kind == KTSNAP_FIELD_JSON)
		return ktsnap_json_len(f.json);
	if (f.kind != KTSNAP_FIELD_VALUE)
		return 0;
	v = ktsnap_peel_all(f.value);
	return v && v->kind == KTSNAP_VALUE_ARRAY ? v->n : 0;
}

struct ktsnap_field ktsnap_field__member(struct ktsnap_field f, size_t i)
{
	struct ktsnap_field m = { .kind = KTSNAP_FIELD_MISSING };
	size_t n = ktsnap_field__member_count(f);

	if (i < n && f.kind == KTSNAP_FIELD_JSON)
		return ktsnap_field_json(ktsnap_json_conv.elem(f.json, i));
	if (i < n)
		return ktsnap_field_value(ktsnap_elem(ktsnap_peel_all(f.value), i));
	if (f.kind == KTSNAP_FIELD_MISSING)
		return f;
	ktsnap_err_index_out_of_range(&m.err, "<array>", i, n);
	return m;
}

/* ---- the conversion core (shared with stats_field.c) ------------------------------------ */
const char *const ktsnap_elem_type_names[] = {
	[KTSNAP_ELEM_U64] = "[u64]", [KTSNAP_ELEM_U32] = "[u32]",   [KTSNAP_ELEM_I64] = "[i64]",
	[KTSNAP_ELEM_F64] = "[f64]", [KTSNAP_ELEM_BOOL] = "[bool]",
};

/* Convert one element and store it at out[i] (when @out is set). */
static int convert_elem(const struct ktsnap_field_conv *c, const void *node,
			enum ktsnap_elem_type t, void *out, size_t i, struct ktsnap_error *err)
{
	uint64_t u;
	int64_t s;
	double d;
	bool b;
	int ret;

	switch (t) {
	case KTSNAP_ELEM_U64:
	case KTSNAP_ELEM_U32:
		ret = c->to_u64(node, &u, err);
		if (!ret && t == KTSNAP_ELEM_U32 && u > UINT32_MAX)
			ret = ktsnap_err_type_mismatch(err, "u32", "Uint(>u32::MAX)", "");
		if (!ret && out && t == KTSNAP_ELEM_U64)
			((uint64_t *)out)[i] = u;
		else if (!ret && out)
			((uint32_t *)out)[i] = (uint32_t)u;
		return ret;
	case KTSNAP_ELEM_I64:
		ret = c->to_i64(node, &s, err);
		if (!ret && out)
			((int64_t *)out)[i] = s;
		return ret;
	case KTSNAP_ELEM_F64:
		ret = c->to_f64(node, &d, err);
		if (!ret && out)
			((double *)out)[i] = d;
		return ret;
	default:
		ret = c->to_bool(node, &b, err);
		if (!ret && out)
			((bool *)out)[i] = b;
		return ret;
	}
}

int ktsnap_field_conv_array(const struct ktsnap_field_conv *c, const void *arr, size_t len,
			    enum ktsnap_elem_type t, void *out, size_t cap, size_t *n,
			    struct ktsnap_error *err)
{
	size_t i;
	int ret;

	for (i = 0; i < len; i++) {
		const void *node = c->elem(arr, i);

		ret = convert_elem(c, node, t, i < cap ? out : NULL, i, err);
		if (ret) {
			if (err && c->elem_failed)
				c->elem_failed(err, t, i, node);
			return ret;
		}
	}
	if (n)
		*n = len;
	return 0;
}

/* ---- rendered-value coercions ------------------------------------------------------------ */
static const char *kind_of(const struct ktsnap_value *v)
{
	return ktsnap_value_kind__name(v->kind);
}

/*
 * The raw layer (ktsnap_value__as_*, value.c) decides what coerces, as
 * spec §4.2 says the two share one table; a field names what it found when
 * the coercion fails.
 */
static int v_to_u64(const void *node, uint64_t *out, struct ktsnap_error *err)
{
	const struct ktsnap_value *v = node;

	if (!ktsnap_value__as_u64(v, out))
		return 0;
	return ktsnap_err_type_mismatch(err, "u64",
					v->kind == KTSNAP_VALUE_INT  ? "Int(negative)" :
					v->kind == KTSNAP_VALUE_ENUM ? "Enum(signed-negative)" :
								       kind_of(v),
					"");
}

static int v_to_i64(const void *node, int64_t *out, struct ktsnap_error *err)
{
	const struct ktsnap_value *v = node;

	if (!ktsnap_value__as_i64(v, out))
		return 0;
	return ktsnap_err_type_mismatch(
		err, "i64", v->kind == KTSNAP_VALUE_UINT ? "Uint(>i64::MAX)" : kind_of(v), "");
}

static int v_to_f64(const void *node, double *out, struct ktsnap_error *err)
{
	const struct ktsnap_value *v = node;

	return ktsnap_value__as_f64(v, out) ? ktsnap_err_type_mismatch(err, "f64", kind_of(v), "") :
					      0;
}

static int v_to_bool(const void *node, bool *out, struct ktsnap_error *err)
{
	const struct ktsnap_value *v = node;

	return ktsnap_value__as_bool(v, out) ?
		       ktsnap_err_type_mismatch(err, "bool", kind_of(v), "") :
		       0;
}

static const void *v_elem(const void *arr, size_t i)
{
	return ktsnap_elem(arr, i);
}

/* A bad element reads as "Array[i]=<variant>" against the array type. */
static void v_elem_failed(struct ktsnap_error *err, enum ktsnap_elem_type t, size_t i,
			  const void *node)
{
	ktsnap_err_type_mismatch(err, ktsnap_elem_type_names[t], kind_of(node), "");
	err->u.type_mismatch.form = KTSNAP_ERR_ACTUAL_ARRAY_ELEM;
	err->u.type_mismatch.index = i;
}

static const struct ktsnap_field_conv value_conv = KTSNAP_FIELD_CONV_OPS(v, v_elem, v_elem_failed);

/* Missing → its error; otherwise 0. */
static int missing(const struct ktsnap_field *f, struct ktsnap_error *err)
{
	if (f->kind != KTSNAP_FIELD_MISSING)
		return 0;
	if (err)
		*err = f->err;
	return -ENOENT;
}

/*
 * ktsnap_field__as_<name>: a per-CPU key reads as its index.  A value is
 * converted by a direct call (the hot path of find and max_by), a JSON
 * value through the JSON coercions.
 */
#define FIELD_SCALAR(name, type)                                                                \
	int ktsnap_field__as_##name(struct ktsnap_field f, type *out, struct ktsnap_error *err) \
	{                                                                                       \
		type x = 0;                                                                     \
                                                                                                \
		if (missing(&f, err))                                                           \
			return -ENOENT;                                                         \
		if (f.kind == KTSNAP_FIELD_PERCPU_KEY)                                          \
			x = (type)f.key;                                                        \
		else if (f.kind == KTSNAP_FIELD_JSON ?                                          \
				 ktsnap_json_conv.to_##name(f.json, &x, err) :                  \
				 v_to_##name(f.value, &x, err))                                 \
			return -EINVAL;                                                         \
		if (out)                                                                        \
			*out = x;                                                               \
		return 0;                                                                       \
	}

FIELD_SCALAR(u64, uint64_t)
FIELD_SCALAR(i64, int64_t)
FIELD_SCALAR(f64, double)
FIELD_SCALAR(bool, bool)

int ktsnap_field__as_str(struct ktsnap_field f, const char **out, struct ktsnap_error *err)
{
	const struct ktsnap_value *v = f.value;

	if (missing(&f, err))
		return -ENOENT;
	if (f.kind == KTSNAP_FIELD_PERCPU_KEY)
		return ktsnap_err_type_mismatch(err, "str", PK_ACTUAL, "");
	if (f.kind == KTSNAP_FIELD_JSON)
		return ktsnap_json_as_str(f.json, out, err);
	if (v->kind != KTSNAP_VALUE_ENUM || !ktsnap_enum_variant(v))
		return ktsnap_err_type_mismatch(err, "str (enum variant name)", kind_of(v), "");
	if (out)
		*out = ktsnap_enum_variant(v);
	return 0;
}

static int as_array(struct ktsnap_field f, enum ktsnap_elem_type t, void *out, size_t cap,
		    size_t *n, struct ktsnap_error *err)
{
	const char *tname = ktsnap_elem_type_names[t];
	const struct ktsnap_value *v;

	if (n)
		*n = 0;
	if (missing(&f, err))
		return -ENOENT;
	if (f.kind == KTSNAP_FIELD_PERCPU_KEY)
		return ktsnap_err_type_mismatch(err, tname, PK_ACTUAL, "");
	if (f.kind == KTSNAP_FIELD_JSON)
		return ktsnap_json_as_array(f.json, t, out, cap, n, err);
	v = ktsnap_peel_all(f.value);
	if (v->kind != KTSNAP_VALUE_ARRAY) {
		ktsnap_err_type_mismatch(err, tname, kind_of(v), "");
		if (err && f.value->kind == KTSNAP_VALUE_TRUNCATED)
			err->u.type_mismatch.form = KTSNAP_ERR_ACTUAL_TRUNCATED;
		return -EINVAL;
	}
	return ktsnap_field_conv_array(&value_conv, v, v->n, t, out, cap, n, err);
}

/* ktsnap_field__as_<name>_array over as_array() */
#define FIELD_ARRAY(name, type, elem)                                                     \
	int ktsnap_field__as_##name##_array(struct ktsnap_field f, type *out, size_t cap, \
					    size_t *n, struct ktsnap_error *err)          \
	{                                                                                 \
		return as_array(f, elem, out, cap, n, err);                               \
	}

FIELD_ARRAY(u64, uint64_t, KTSNAP_ELEM_U64)
FIELD_ARRAY(u32, uint32_t, KTSNAP_ELEM_U32)
FIELD_ARRAY(i64, int64_t, KTSNAP_ELEM_I64)
FIELD_ARRAY(f64, double, KTSNAP_ELEM_F64)
FIELD_ARRAY(bool, bool, KTSNAP_ELEM_BOOL)
