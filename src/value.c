// SPDX-License-Identifier: MIT
/*
 * What a rendered value is and what it coerces to: the kind names, the one
 * peeling rule (Ptr{deref}, optionally Truncated{partial}, at most
 * KTSNAP_PEEL_CAP hops), members and elements, the one dotted-path walker
 * ("a.b", "tag[2]") that both the raw layer and the views use, the scalar
 * coercions and the per-variant getters of include/ktsnap/report.h.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "log_internal.h"
#include "view_internal.h"

/* ---- kinds ------------------------------------------------------------------------ */
static const char *const kind_names[] = {
	[KTSNAP_VALUE_INT] = "Int",
	[KTSNAP_VALUE_UINT] = "Uint",
	[KTSNAP_VALUE_BOOL] = "Bool",
	[KTSNAP_VALUE_CHAR] = "Char",
	[KTSNAP_VALUE_FLOAT] = "Float",
	[KTSNAP_VALUE_ENUM] = "Enum",
	[KTSNAP_VALUE_STRUCT] = "Struct",
	[KTSNAP_VALUE_ARRAY] = "Array",
	[KTSNAP_VALUE_CPU_LIST] = "CpuList",
	[KTSNAP_VALUE_PTR] = "Ptr",
	[KTSNAP_VALUE_BYTES] = "Bytes",
	[KTSNAP_VALUE_TRUNCATED] = "Truncated",
	[KTSNAP_VALUE_UNSUPPORTED] = "Unsupported",
};

static const char *const kind_tags[] = {
	[KTSNAP_VALUE_INT] = "int",
	[KTSNAP_VALUE_UINT] = "uint",
	[KTSNAP_VALUE_BOOL] = "bool",
	[KTSNAP_VALUE_CHAR] = "char",
	[KTSNAP_VALUE_FLOAT] = "float",
	[KTSNAP_VALUE_ENUM] = "enum",
	[KTSNAP_VALUE_STRUCT] = "struct",
	[KTSNAP_VALUE_ARRAY] = "array",
	[KTSNAP_VALUE_CPU_LIST] = "cpu_list",
	[KTSNAP_VALUE_PTR] = "ptr",
	[KTSNAP_VALUE_BYTES] = "bytes",
	[KTSNAP_VALUE_TRUNCATED] = "truncated",
	[KTSNAP_VALUE_UNSUPPORTED] = "unsupported",
};

const char *ktsnap_value_kind__name(enum ktsnap_value_kind kind)
{
	if ((unsigned)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "Unknown";
	return kind_names[kind];
}

const char *ktsnap_value_kind__tag(enum ktsnap_value_kind kind)
{
	if ((unsigned)kind >= sizeof(kind_tags) / sizeof(kind_tags[0]))
		return "unknown";
	return kind_tags[kind];
}

enum ktsnap_value_kind ktsnap_value__kind(const struct ktsnap_value *v)
{
	return v ? v->kind : KTSNAP_VALUE_UNSUPPORTED;
}

/* ---- peeling ---------------------------------------------------------------------- */
const struct ktsnap_value *ktsnap_value_peel(const struct ktsnap_value *v, enum ktsnap_peel how)
{
	unsigned int hops = 0;

	/*
	 * The reference bumps its counter after each hop and stops once it
	 * exceeds 16, so 17 hops are followed; the cap also bounds hostile
	 * files that nest deeply (value trees are acyclic).
	 */
	while (v && hops < KTSNAP_PEEL_CAP) {
		if (v->kind == KTSNAP_VALUE_PTR && v->p->deref)
			v = v->p->deref;
		else if (how == KTSNAP_PEEL_ALL && v->kind == KTSNAP_VALUE_TRUNCATED &&
			 v->t->partial)
			v = v->t->partial;
		else
			break;
		hops++;
	}
	return v;
}

/* ---- members and elements ---------------------------------------------------------- */
/* Member of Struct @v named exactly @name (@len bytes); @v is not peeled. */
static const struct ktsnap_value *member_n(const struct ktsnap_value *v, const char *name,
					   size_t len)
{
	uint32_t i;

	if (!v || v->kind != KTSNAP_VALUE_STRUCT)
		return NULL;
	for (i = 0; i < v->n; i++) {
		const char *n = ktsnap_mname(v, i);

		if (!strncmp(n, name, len) && n[len] == '\0')
			return ktsnap_mval(v, i);
	}
	return NULL;
}

const struct ktsnap_value *ktsnap_top_member(const struct ktsnap_value *v, const char *name)
{
	return name ? member_n(ktsnap_value_peel(v, KTSNAP_PEEL_PTRS), name, strlen(name)) : NULL;
}

const struct ktsnap_value *ktsnap_value__member(const struct ktsnap_value *v, const char *name)
{
	return name ? member_n(ktsnap_value_peel(v, KTSNAP_PEEL_ALL), name, strlen(name)) : NULL;
}

const struct ktsnap_value *ktsnap_value__index(const struct ktsnap_value *v, size_t i)
{
	v = ktsnap_value_peel(v, KTSNAP_PEEL_ALL);
	if (!v || v->kind != KTSNAP_VALUE_ARRAY || i >= v->n)
		return NULL;
	return ktsnap_elem(v, i);
}

/* ---- dotted paths ------------------------------------------------------------------- */
size_t ktsnap_path_name_len(const char *comp, size_t len)
{
	size_t end = len, i;

	/* strip well-formed "[digits]" suffixes from the right */
	while (end && comp[end - 1] == ']') {
		for (i = end - 1; i && comp[i - 1] >= '0' && comp[i - 1] <= '9'; i--)
			;
		if (i == end - 1 || !i || comp[i - 1] != '[' || end - 1 - i > 19)
			break;
		end = i - 1;
	}
	return end;
}

bool ktsnap_path_next_index(const char **p, const char *end, uint64_t *index)
{
	const char *q = *p;
	uint64_t x = 0;

	if (q >= end || *q != '[')
		return false;
	for (q++; *q != ']'; q++) {
		if (x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*q - '0');
	}
	*index = x;
	*p = q + 1;
	return true;
}

/* TypeMismatch for an index on something that is not an array. */
static void err_not_array(struct ktsnap_error *err, const char *path, const char *actual)
{
	ktsnap_err_init(err, KTSNAP_ERR_TYPE_MISMATCH);
	err->u.type_mismatch.expected = "Array";
	err->u.type_mismatch.actual = actual;
	ktsnap_err_set_text(err, path);
}

/* Apply the "[i]" suffixes in [p, end) to *cur. */
static int walk_indexes(const struct ktsnap_value **cur, const char *p, const char *end,
			const char *path, struct ktsnap_error *err)
{
	const struct ktsnap_value *v;
	uint64_t i;

	while (ktsnap_path_next_index(&p, end, &i)) {
		v = ktsnap_value_peel(*cur, KTSNAP_PEEL_ALL);
		if (v->kind != KTSNAP_VALUE_ARRAY) {
			err_not_array(err, path, ktsnap_value_kind__name(v->kind));
			return -ENOENT;
		}
		if (i >= v->n) {
			ktsnap_err_index_out_of_range(err, "<array>", i, v->n);
			return -ENOENT;
		}
		*cur = ktsnap_elem(v, i);
	}
	return 0;
}

int ktsnap_walk(const struct ktsnap_value *root, const char *path, enum ktsnap_peel how,
		const struct ktsnap_value **out, struct ktsnap_error *err)
{
	const struct ktsnap_value *cur = root, *next;
	const char *p = path, *dot;
	size_t walked = 0, len, name_len;
	struct ktsnap_error tmp;

	err = err ? err : &tmp;
	if (!root || !path)
		return -EINVAL;
	if (!*path) {
		*out = root;
		return 0;
	}
	for (;;) {
		dot = strchr(p, '.');
		len = dot ? (size_t)(dot - p) : strlen(p);
		if (!len) {
			ktsnap_err_init(err, KTSNAP_ERR_EMPTY_PATH_COMPONENT);
			ktsnap_err_set_text(err, path);
			return -ENOENT;
		}
		name_len = ktsnap_path_name_len(p, len);
		if (name_len) {
			cur = ktsnap_value_peel(cur, how);
			if (cur->kind != KTSNAP_VALUE_STRUCT) {
				ktsnap_err_init(err, KTSNAP_ERR_NOT_A_STRUCT);
				err->u.path.got = ktsnap_value_kind__name(cur->kind);
				ktsnap_err_set_path(err, path, walked, p, len);
				return -ENOENT;
			}
			/* a member may itself be named "x[1]": the exact name wins */
			next = member_n(cur, p, len);
			if (next)
				name_len = len;
			else
				next = member_n(cur, p, name_len);
			if (!next) {
				ktsnap_err_init(err, KTSNAP_ERR_FIELD_NOT_FOUND);
				err->u.path.members = cur;
				ktsnap_err_set_path(err, path, walked, p, len);
				return -ENOENT;
			}
			cur = next;
		}
		if (walk_indexes(&cur, p + name_len, p + len, path, err))
			return -ENOENT;
		walked = (size_t)(p - path) + len;
		if (!dot)
			break;
		p = dot + 1;
	}
	*out = cur;
	return 0;
}

const struct ktsnap_value *ktsnap_value__get(const struct ktsnap_value *v, const char *path)
{
	const struct ktsnap_value *out;

	return ktsnap_walk(v, path, KTSNAP_PEEL_ALL, &out, NULL) ? NULL : out;
}

/* ---- coercions ------------------------------------------------------------------------ */
/* What a scalar holds, for the coercions of spec §4.2. */
enum { TO_U64 = 1, TO_I64 = 2, TO_F64 = 4, TO_BOOL = 8, TO_ALL = 15 };

struct scalar {
	unsigned int to; /* targets it coerces to (range checks apart) */
	bool is_signed; /* the number is i, else u */
	bool i64_raw; /* Enum: as_i64 gives the stored bit pattern */
	bool is_float; /* the number is f */
	int64_t i;
	uint64_t u;
	double f;
};

static int scalar_of(const struct ktsnap_value *v, unsigned int target, struct scalar *s)
{
	*s = (struct scalar){ 0 };
	if (!v)
		return -EINVAL;
	switch (v->kind) {
	case KTSNAP_VALUE_INT:
		*s = (struct scalar){ .to = TO_ALL, .is_signed = true, .i = v->i };
		break;
	case KTSNAP_VALUE_UINT:
		*s = (struct scalar){ .to = TO_ALL, .u = v->u };
		break;
	case KTSNAP_VALUE_BOOL:
	case KTSNAP_VALUE_CHAR:
		s->to = TO_U64 | TO_I64 | TO_BOOL;
		s->u = v->kind == KTSNAP_VALUE_BOOL ? v->b : v->c;
		break;
	case KTSNAP_VALUE_ENUM:
		*s = (struct scalar){ .to = TO_ALL,
				      .is_signed = ktsnap_enum_signed(v),
				      .i64_raw = true,
				      .i = ktsnap_enum_v(v),
				      .u = (uint64_t)ktsnap_enum_v(v) };
		break;
	case KTSNAP_VALUE_PTR:
		*s = (struct scalar){ .to = TO_U64 | TO_BOOL, .u = v->p->v };
		break;
	case KTSNAP_VALUE_FLOAT:
		*s = (struct scalar){ .to = TO_F64, .is_float = true, .f = v->f };
		break;
	default:
		break;
	}
	return s->to & target ? 0 : -EINVAL;
}

/* The coercion of @v to @target (one TO_* bit) into @out. */
static int coerce(const struct ktsnap_value *v, unsigned int target, void *out)
{
	struct scalar s;

	if (!out || scalar_of(v, target, &s))
		return -EINVAL;
	switch (target) {
	case TO_U64:
		if (s.is_signed && s.i < 0)
			return -EINVAL;
		*(uint64_t *)out = s.is_signed ? (uint64_t)s.i : s.u;
		return 0;
	case TO_I64:
		if (!s.is_signed && !s.i64_raw && s.u > INT64_MAX)
			return -EINVAL;
		*(int64_t *)out = s.is_signed || s.i64_raw ? s.i : (int64_t)s.u;
		return 0;
	case TO_F64:
		*(double *)out = s.is_float ? s.f : s.is_signed ? (double)s.i : (double)s.u;
		return 0;
	default:
		*(bool *)out = s.is_signed ? s.i != 0 : s.u != 0;
		return 0;
	}
}

int ktsnap_value__as_u64(const struct ktsnap_value *v, uint64_t *out)
{
	return coerce(v, TO_U64, out) ?
		       ktsnap_fail_static(
			       -EINVAL,
			       "value does not convert to u64 (absent, negative, a float or an aggregate)") :
		       0;
}

int ktsnap_value__as_i64(const struct ktsnap_value *v, int64_t *out)
{
	return coerce(v, TO_I64, out) ?
		       ktsnap_fail_static(
			       -EINVAL,
			       "value does not convert to i64 (absent, above INT64_MAX, a float or an aggregate)") :
		       0;
}

int ktsnap_value__as_f64(const struct ktsnap_value *v, double *out)
{
	return coerce(v, TO_F64, out) ?
		       ktsnap_fail_static(
			       -EINVAL,
			       "value does not convert to f64 (absent, a char, bool, pointer or aggregate)") :
		       0;
}

int ktsnap_value__as_bool(const struct ktsnap_value *v, bool *out)
{
	return coerce(v, TO_BOOL, out) ?
		       ktsnap_fail_static(
			       -EINVAL,
			       "value does not convert to bool (absent, a float or an aggregate)") :
		       0;
}

#define IS(v, k) ((v) && (v)->kind == KTSNAP_VALUE_##k)

uint32_t ktsnap_value__bits(const struct ktsnap_value *v)
{
	if (IS(v, INT) || IS(v, UINT) || IS(v, FLOAT) || IS(v, ENUM))
		return v->bits;
	return 0;
}

int64_t ktsnap_value__int(const struct ktsnap_value *v)
{
	return IS(v, INT) ? v->i : IS(v, ENUM) ? ktsnap_enum_v(v) : 0;
}

uint64_t ktsnap_value__uint(const struct ktsnap_value *v)
{
	return IS(v, UINT) ? v->u : IS(v, PTR) ? v->p->v : 0;
}

bool ktsnap_value__bool(const struct ktsnap_value *v)
{
	return IS(v, BOOL) ? v->b : false;
}

uint8_t ktsnap_value__char(const struct ktsnap_value *v)
{
	return IS(v, CHAR) ? v->c : 0;
}

double ktsnap_value__float(const struct ktsnap_value *v)
{
	return IS(v, FLOAT) ? v->f : 0.0;
}

const char *ktsnap_value__enum_variant(const struct ktsnap_value *v)
{
	return IS(v, ENUM) ? ktsnap_enum_variant(v) : NULL;
}

bool ktsnap_value__enum_is_signed(const struct ktsnap_value *v)
{
	return IS(v, ENUM) ? ktsnap_enum_signed(v) : false;
}

const char *ktsnap_value__type_name(const struct ktsnap_value *v)
{
	return IS(v, STRUCT) ? ktsnap_struct_type(v) : NULL;
}

size_t ktsnap_value__member_count(const struct ktsnap_value *v)
{
	return IS(v, STRUCT) ? v->n : 0;
}

const struct ktsnap_value *ktsnap_value__member_at(const struct ktsnap_value *v, size_t i,
						   const char **name)
{
	if (!IS(v, STRUCT) || i >= v->n)
		return NULL;
	if (name)
		*name = ktsnap_mname(v, i);
	return ktsnap_mval(v, i);
}

uint64_t ktsnap_value__array_len(const struct ktsnap_value *v)
{
	return IS(v, ARRAY) ? ktsnap_array_len(v) : 0;
}

size_t ktsnap_value__element_count(const struct ktsnap_value *v)
{
	return IS(v, ARRAY) ? v->n : 0;
}

const char *ktsnap_value__cpus(const struct ktsnap_value *v)
{
	return IS(v, CPU_LIST) ? v->str : NULL;
}

const struct ktsnap_value *ktsnap_value__ptr_deref(const struct ktsnap_value *v)
{
	return IS(v, PTR) ? v->p->deref : NULL;
}

const char *ktsnap_value__ptr_skip_reason(const struct ktsnap_value *v)
{
	return IS(v, PTR) ? v->p->skip_reason : NULL;
}

const char *ktsnap_value__ptr_cast_annotation(const struct ktsnap_value *v)
{
	return IS(v, PTR) ? v->p->cast : NULL;
}

const char *ktsnap_value__hex(const struct ktsnap_value *v)
{
	return IS(v, BYTES) ? v->str : NULL;
}

uint64_t ktsnap_value__truncated_needed(const struct ktsnap_value *v)
{
	return IS(v, TRUNCATED) ? v->t->needed : 0;
}

uint64_t ktsnap_value__truncated_had(const struct ktsnap_value *v)
{
	return IS(v, TRUNCATED) ? v->t->had : 0;
}

const struct ktsnap_value *ktsnap_value__truncated_partial(const struct ktsnap_value *v)
{
	return IS(v, TRUNCATED) ? v->t->partial : NULL;
}

const char *ktsnap_value__unsupported_reason(const struct ktsnap_value *v)
{
	return IS(v, UNSUPPORTED) ? v->str : NULL;
}
