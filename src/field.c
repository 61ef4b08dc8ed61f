// SPDX-License-Identifier: MIT
/*
 * SnapshotField (spec §6.8, §6.9): fields over rendered values, their
 * path walk and conversions, and the conversion core (typed arrays,
 * element coercion) that the JSON fields of stats_field.c share.
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

struct ktsnap_field ktsnap_field__get(struct ktsnap_field f, const char *path)
{
	switch (f.kind) {
	case KTSNAP_FIELD_VALUE:
		return ktsnap_field_walk(f.value, path);
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

const struct ktsnap_error *ktsnap_field__error(const struct ktsnap_field *f)
{
	return f && f->kind == KTSNAP_FIELD_MISSING ? &f->err : NULL;
}

size_t ktsnap_field__member_count(struct ktsnap_field f)
{
	const struct ktsnap_value *v;

	if (f.kind != KTSNAP_FIELD_VALUE)
		return 0;
	v = ktsnap_peel_all(f.value);
	return v && v->kind == KTSNAP_VALUE_ARRAY ? v->a.nr : 0;
}

struct ktsnap_field ktsnap_field__member(struct ktsnap_field f, size_t i)
{
	struct ktsnap_field m = { .kind = KTSNAP_FIELD_MISSING };
	const struct ktsnap_value *v;
	size_t n = ktsnap_field__member_count(f);

	if (i < n) {
		v = ktsnap_peel_all(f.value);
		return ktsnap_field_value(&v->a.elems[i]);
	}
	if (f.kind == KTSNAP_FIELD_MISSING)
		return f;
	ktsnap_err_init(&m.err, KTSNAP_ERR_INDEX_OUT_OF_RANGE);
	m.err.u.index_out_of_range.map = "<array>";
	m.err.u.index_out_of_range.index = i;
	m.err.u.index_out_of_range.len = n;
	return m;
}

/* Missing → its error; otherwise 0. */
static int missing(const struct ktsnap_field *f, struct ktsnap_error *err)
{
	if (f->kind != KTSNAP_FIELD_MISSING)
		return 0;
	if (err)
		*err = f->err;
	return -ENOENT;
}

static int mismatch(struct ktsnap_error *err, const char *expected, const char *actual)
{
	if (err)
		ktsnap_err_type_mismatch(err, expected, actual, "");
	return -EINVAL;
}

static const char *kind_of(const struct ktsnap_value *v)
{
	return ktsnap_value_kind__name(v->kind);
}

/*
 * The raw layer (ktsnap_value__as_*, report.c) decides what coerces, as
 * spec §4.2 says the two share one table; a field adds the per-CPU key and
 * names what it found when the coercion fails.
 */
int ktsnap_field__as_u64(struct ktsnap_field f, uint64_t *out, struct ktsnap_error *err)
{
	const struct ktsnap_value *v = f.value;
	uint64_t x;

	if (missing(&f, err))
		return -ENOENT;
	if (f.kind == KTSNAP_FIELD_PERCPU_KEY)
		x = f.key;
	else if (ktsnap_value__as_u64(v, &x))
		return mismatch(err, "u64",
				v->kind == KTSNAP_VALUE_INT    ? "Int(negative)"
				: v->kind == KTSNAP_VALUE_ENUM ? "Enum(signed-negative)"
							       : kind_of(v));
	if (out)
		*out = x;
	return 0;
}

int ktsnap_field__as_i64(struct ktsnap_field f, int64_t *out, struct ktsnap_error *err)
{
	const struct ktsnap_value *v = f.value;
	int64_t x;

	if (missing(&f, err))
		return -ENOENT;
	if (f.kind == KTSNAP_FIELD_PERCPU_KEY)
		x = f.key;
	else if (ktsnap_value__as_i64(v, &x))
		return mismatch(err, "i64",
				v->kind == KTSNAP_VALUE_UINT ? "Uint(>i64::MAX)" : kind_of(v));
	if (out)
		*out = x;
	return 0;
}

int ktsnap_field__as_f64(struct ktsnap_field f, double *out, struct ktsnap_error *err)
{
	const struct ktsnap_value *v = f.value;
	double x;

	if (missing(&f, err))
		return -ENOENT;
	if (f.kind == KTSNAP_FIELD_PERCPU_KEY)
		x = f.key;
	else if (ktsnap_value__as_f64(v, &x))
		return mismatch(err, "f64", kind_of(v));
	if (out)
		*out = x;
	return 0;
}

int ktsnap_field__as_bool(struct ktsnap_field f, bool *out, struct ktsnap_error *err)
{
	const struct ktsnap_value *v = f.value;
	bool x;

	if (missing(&f, err))
		return -ENOENT;
	if (f.kind == KTSNAP_FIELD_PERCPU_KEY)
		x = f.key != 0;
	else if (ktsnap_value__as_bool(v, &x))
		return mismatch(err, "bool", kind_of(v));
	if (out)
		*out = x;
	return 0;
}

int ktsnap_field__as_str(struct ktsnap_field f, const char **out, struct ktsnap_error *err)
{
	const struct ktsnap_value *v = f.value;

	if (missing(&f, err))
		return -ENOENT;
	if (f.kind == KTSNAP_FIELD_PERCPU_KEY)
		return mismatch(err, "str", PK_ACTUAL);
	if (v->kind != KTSNAP_VALUE_ENUM || !v->e.variant)
		return mismatch(err, "str (enum variant name)", kind_of(v));
	if (out)
		*out = v->e.variant;
	return 0;
}

enum elem_type { E_U64, E_U32, E_I64, E_F64, E_BOOL };

static const char *const elem_tname[] = { "[u64]", "[u32]", "[i64]", "[f64]", "[bool]" };

static bool elem_convert(const struct ktsnap_value *v, enum elem_type t, void *out, size_t i)
{
	uint64_t u;
	int64_t s;
	double d;
	bool b;

	switch (t) {
	case E_U64:
	case E_U32:
		if (ktsnap_value__as_u64(v, &u) || (t == E_U32 && u > UINT32_MAX))
			return false;
		if (out && t == E_U64)
			((uint64_t *)out)[i] = u;
		else if (out)
			((uint32_t *)out)[i] = (uint32_t)u;
		return true;
	case E_I64:
		if (ktsnap_value__as_i64(v, &s))
			return false;
		if (out)
			((int64_t *)out)[i] = s;
		return true;
	case E_F64:
		if (ktsnap_value__as_f64(v, &d))
			return false;
		if (out)
			((double *)out)[i] = d;
		return true;
	default:
		if (ktsnap_value__as_bool(v, &b))
			return false;
		if (out)
			((bool *)out)[i] = b;
		return true;
	}
}

static int as_array(struct ktsnap_field f, enum elem_type t, void *out, size_t cap, size_t *n,
		    struct ktsnap_error *err)
{
	const struct ktsnap_value *v;
	uint32_t i;

	if (n)
		*n = 0;
	if (missing(&f, err))
		return -ENOENT;
	if (f.kind == KTSNAP_FIELD_PERCPU_KEY)
		return mismatch(err, elem_tname[t], PK_ACTUAL);
	v = ktsnap_peel_all(f.value);
	if (v->kind != KTSNAP_VALUE_ARRAY) {
		mismatch(err, elem_tname[t], kind_of(v));
		if (err && f.value->kind == KTSNAP_VALUE_TRUNCATED)
			err->u.type_mismatch.form = KTSNAP_ERR_ACTUAL_TRUNCATED;
		return -EINVAL;
	}
	for (i = 0; i < v->a.nr; i++) {
		if (!elem_convert(&v->a.elems[i], t, i < cap ? out : NULL, i)) {
			if (err) {
				ktsnap_err_type_mismatch(err, elem_tname[t], kind_of(&v->a.elems[i]), "");
				err->u.type_mismatch.form = KTSNAP_ERR_ACTUAL_ARRAY_ELEM;
				err->u.type_mismatch.index = i;
			}
			return -EINVAL;
		}
	}
	if (n)
		*n = v->a.nr;
	return 0;
}

int ktsnap_field__as_u64_array(struct ktsnap_field f, uint64_t *out, size_t cap, size_t *n,
			       struct ktsnap_error *err)
{
	return as_array(f, E_U64, out, cap, n, err);
}

int ktsnap_field__as_u32_array(struct ktsnap_field f, uint32_t *out, size_t cap, size_t *n,
			       struct ktsnap_error *err)
{
	return as_array(f, E_U32, out, cap, n, err);
}

int ktsnap_field__as_i64_array(struct ktsnap_field f, int64_t *out, size_t cap, size_t *n,
			       struct ktsnap_error *err)
{
	return as_array(f, E_I64, out, cap, n, err);
}

int ktsnap_field__as_f64_array(struct ktsnap_field f, double *out, size_t cap, size_t *n,
			       struct ktsnap_error *err)
{
	return as_array(f, E_F64, out, cap, n, err);
}

int ktsnap_field__as_bool_array(struct ktsnap_field f, bool *out, size_t cap, size_t *n,
				struct ktsnap_error *err)
{
	return as_array(f, E_BOOL, out, cap, n, err);
}

