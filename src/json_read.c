// SPDX-License-Identifier: MIT
/*
 * json_read: report file → report (the inverse of json_write.c), DOM to
 * model.  json-c parses (depth-limited, strict, UTF-8 validated); before
 * it, json_scan.c cuts every array of 1 KB or more out of the text, and
 * such arrays are parsed one element at a time while they are read, so the
 * DOM of a big array never exists whole and memory stays a small multiple
 * of the input, whatever the file's shape.  json_scan.c also rejects what
 * json-c would accept but the writer never emits (integers beyond 64 bits,
 * NaN literals, bad UTF-8, NUL in field names).  The DOM is walked with a
 * path kept for error messages (json_rd.c); every field is type- and
 * range-checked against the schema tables (json_schema.c), unknown fields
 * are rejected, shapes the writer never produces (sizes that disagree,
 * ragged per-CPU lists…) are rejected, and nothing is allocated in
 * proportion to a number read from the file (only to the number of JSON
 * elements present).  "dual" and "degraded" files are read here too.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include <ktsnap/json.h>

#include "json_fast.h"
#include "json_internal.h"
#include "json_rd.h"
#include "json_scan.h"
#include "log_internal.h"
#include "report_internal.h"
#include "util_internal.h"

/* rd_fail() with @key appended to the path (a failure ends the read) */
#define FAIL_AT(rd, key, ...) (rd_path_key(rd, key), rd_fail(rd, __VA_ARGS__))

/* ---- records, described by the schema tables (json_schema.c) -------------------- */

/* A JF_HOOK field: the caller reads it (@name is the table's name). */
typedef bool (*hook_fn)(struct rd *rd, struct json_object *o, const char *name, void *ctx);

static bool read_record(struct rd *rd, struct json_object *o, const struct json_record *rec,
			void *base, hook_fn hook, void *ctx);

static bool known_field(const struct json_record *rec, const char *key)
{
	size_t i, k;

	for (i = 0; i < rec->nr; i++) {
		const struct json_field *f = &rec->f[i];

		if (!strcmp(f->name, key))
			return true;
		if (f->type == JF_HOOK && !strcmp(f->name, "layout"))
			for (k = 0; k < 5; k++)
				if (!strcmp(json_layout_keys[k], key))
					return true;
	}
	return false;
}

static bool read_rec_elem(struct rd *rd, struct rd_arr *a, void *elem, void *ctx)
{
	struct json_object *e;

	return rd_arr_next(rd, a, &e) && read_record(rd, e, ctx, elem, NULL, NULL);
}

/* A list of records: one arena array of n elements of @sub->size. */
static bool get_records(struct rd *rd, struct json_object *o, const char *key,
			const struct json_record *sub, void **out, size_t *nr)
{
	return rd_get_list(rd, o, key, sub->size, read_rec_elem, (void *)sub, out, nr);
}

/* An optional object field into a new arena record. */
static bool get_object(struct rd *rd, struct json_object *o, const char *key,
		       const struct json_record *sub, void **out)
{
	struct json_object *v;
	void *rec;
	size_t p;
	int f = rd_field(rd, o, key, &v);

	if (f <= 0)
		return f == 0;
	rec = ktsnap_arena_alloc(&rd->r->arena, sub->size);
	if (!rec)
		return rd_nomem(rd);
	p = rd_path_key(rd, key);
	if (!read_record(rd, v, sub, rec, NULL, NULL))
		return false;
	rd_path_pop(rd, p);
	*out = rec;
	return true;
}

static const char *field_at(const struct json_record *rec, ssize_t off)
{
	size_t i;

	for (i = 0; i < rec->nr; i++)
		if ((ssize_t)rec->f[i].off == off && rec->f[i].type != JF_HOOK)
			return rec->f[i].name;
	return "?";
}

static bool read_field(struct rd *rd, struct json_object *o, const struct json_record *rec,
		       const struct json_field *f, char *b)
{
	void *p = b + f->off;
	void *list;
	size_t n = 0, q;
	bool ok;

	switch (f->type) {
	case JF_U64:
		ok = rd_get_u64(rd, o, f->name, p);
		break;
	case JF_U32:
		ok = rd_get_u32(rd, o, f->name, p);
		break;
	case JF_I64:
		ok = rd_get_i64(rd, o, f->name, p);
		break;
	case JF_I32:
		ok = rd_get_i32(rd, o, f->name, p);
		break;
	case JF_BOOL:
		ok = rd_get_bool(rd, o, f->name, p);
		break;
	case JF_STR:
		ok = rd_get_str(rd, o, f->name, p);
		break;
	case JF_F64:
		ok = rd_get_f64(rd, o, f->name, p);
		break;
	case JF_U64_LIST:
		ok = rd_get_uint_list(rd, o, f->name, UINT64_MAX, p, &n);
		if (ok && (f->flags & JF_COUNT_FIELD)) {
			uint32_t want = *(uint32_t *)(b + f->aux);

			/* the writer emits exactly that many */
			if (n != want)
				return rd_fail(rd, "%s is %u but %s has %zu elements",
					       field_at(rec, f->aux), want, f->name, n);
		} else if (ok) {
			*(size_t *)(b + f->aux) = n;
		}
		break;
	case JF_U32_LIST:
		ok = rd_get_uint_list(rd, o, f->name, UINT32_MAX, p, &n);
		if (ok)
			*(size_t *)(b + f->aux) = n;
		break;
	case JF_U64_FIXED:
		ok = rd_get_uint_list(rd, o, f->name, UINT64_MAX, &list, &n);
		if (ok && n > f->n) {
			q = rd_path_key(rd, f->name);
			rd_fail(rd, "at most %u elements, got %zu", f->n, n);
			rd_path_pop(rd, q);
			return false;
		}
		if (ok && n)
			memcpy(p, list, n * sizeof(uint64_t));
		break;
	case JF_RECORDS:
		ok = get_records(rd, o, f->name, f->sub, p, (size_t *)(b + f->aux));
		break;
	case JF_OBJECT:
		ok = get_object(rd, o, f->name, f->sub, p);
		break;
	case JF_RAW:
		ok = rd_get_raw(rd, o, f->name, f->flags, p);
		break;
	default:
		ok = false;
	}
	if (ok && (f->flags & JF_HAS))
		*(bool *)(b + f->aux) = true;
	return ok;
}

/* Read the fields of @rec into @base; JF_HOOK fields go to @hook (NULL:
 * the caller has read them).  Unknown fields are an error; absent ones
 * keep their defaults ("" for strings the writer always emits). */
static bool read_record(struct rd *rd, struct json_object *o, const struct json_record *rec,
			void *base, hook_fn hook, void *ctx)
{
	char *b = base;
	size_t i;

	if (!rd_expect(rd, o, json_type_object, "an object"))
		return false;
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (!known_field(rec, key))
			return rd_fail(rd, "unknown field \"%s\"", key);
	}
	for (i = 0; i < rec->nr; i++) {
		const struct json_field *f = &rec->f[i];

		if (f->type == JF_HOOK) {
			if (hook && !hook(rd, o, f->name, ctx))
				return false;
			continue;
		}
		if (!json_object_object_get_ex(o, f->name, NULL)) {
			if (f->type == JF_STR && !(f->flags & JF_OMIT_NULL) &&
			    !*(const char **)(b + f->off))
				*(const char **)(b + f->off) = "";
			continue;
		}
		if (!read_field(rd, o, rec, f, b))
			return false;
	}
	return true;
}

/* ---- RenderedValue ------------------------------------------------------ */
static bool read_value(struct rd *rd, struct json_object *o, struct ktsnap_value *v);

static struct ktsnap_value *new_value(struct rd *rd)
{
	struct ktsnap_value *v = ktsnap_arena_alloc(&rd->r->arena, sizeof(*v));

	if (!v)
		rd_nomem(rd);
	return v;
}

/* An optional RenderedValue field into a new arena value (NULL: absent). */
static bool get_value(struct rd *rd, struct json_object *o, const char *key,
		      const struct ktsnap_value **out)
{
	struct json_object *v;
	struct ktsnap_value *nv;
	size_t p;
	int f = rd_field(rd, o, key, &v);

	if (f <= 0)
		return f == 0;
	nv = new_value(rd);
	if (!nv)
		return false;
	p = rd_path_key(rd, key);
	if (!read_value(rd, v, nv))
		return false;
	rd_path_pop(rd, p);
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

/*
 * A value's fields as the file has them, checked before they are packed
 * into a node (which keeps widths in 16 bits and small enums inline).
 */
struct wide {
	uint32_t bits; /* 64 when the file has none (read_value) */
	bool is_signed; /* ENUM */
	int64_t ev; /* ENUM */
	const char *str; /* ENUM variant, STRUCT type_name */
	uint64_t u; /* ARRAY len, PTR value, TRUNCATED needed */
	uint64_t had; /* TRUNCATED */
	const struct ktsnap_value *child; /* PTR deref, TRUNCATED partial */
	const char *skip, *cast; /* PTR */
};

static bool read_enum_value(struct rd *rd, struct json_object *o, struct wide *w)
{
	struct json_object *j;
	uint64_t u;
	size_t p;
	bool ok;
	int f = rd_field(rd, o, "value", &j);

	if (f <= 0)
		return f == 0;
	p = rd_path_key(rd, "value");
	/* unsigned enums are written unsigned; the i64 bit pattern (what
	 * the reference writes) is accepted too */
	if (!w->is_signed && json_object_is_type(j, json_type_int) &&
	    json_object_get_int64(j) >= 0) {
		ok = rd_conv_u64(rd, j, UINT64_MAX, &u);
		w->ev = (int64_t)u;
	} else {
		ok = rd_conv_i64(rd, j, INT64_MIN, INT64_MAX, &w->ev);
	}
	rd_path_pop(rd, p);
	return ok;
}

static bool read_member(struct rd *rd, struct rd_arr *a, struct ktsnap_value *s, uint32_t i)
{
	static const char *const member_keys[] = { "name", "value", NULL };
	struct json_object *o, *v;
	struct json_fast_member fm = { 0 };
	const char *name = "";
	int f;

	if (json_fast_member(rd, a, &fm)) {
		*ktsnap_member_slot(s, i, fm.name) = fm.v;
		return true;
	}
	if (!rd_arr_next(rd, a, &o) || !rd_expect(rd, o, json_type_object, "an object") ||
	    !rd_check_keys(rd, o, member_keys))
		return false;
	if (!rd_get_str(rd, o, "name", &name))
		return false;
	ktsnap_member_slot(s, i, name);
	f = rd_field(rd, o, "value", &v);
	if (f < 0)
		return false;
	if (!f)
		return rd_fail(rd, "missing field \"value\"");
	rd_path_key(rd, "value");
	return read_value(rd, v, ktsnap_member_slot(s, i, name));
}

static bool read_element(struct rd *rd, struct rd_arr *a, struct ktsnap_value *arr, uint32_t i)
{
	struct json_object *o;

	return json_fast_value(rd, a, ktsnap_elem_slot(arr, i)) ||
	       (rd_arr_next(rd, a, &o) && read_value(rd, o, ktsnap_elem_slot(arr, i)));
}

/* "members" or "elements" of @v: built as a struct (type name @type_name)
 * or an array (declared length @len) with one slot per element. */
static bool read_children(struct rd *rd, struct json_object *o, struct ktsnap_value *v,
			  const char *type_name, uint64_t len)
{
	bool is_struct = v->kind == KTSNAP_VALUE_STRUCT;
	const char *key = is_struct ? "members" : "elements";
	struct rd_arr a = { 0 };
	size_t i, p;
	int f = rd_get_array(rd, o, key, &a);
	int err;

	if (f < 0)
		return false;
	if (a.n > UINT32_MAX)
		return FAIL_AT(rd, key, is_struct ? "too many members" : "too many elements");
	err = is_struct ?
		      ktsnap_value_init_struct(&rd->r->arena, v, NULL, type_name, (uint32_t)a.n) :
		      ktsnap_value_init_array(&rd->r->arena, v, len, (uint32_t)a.n);
	if (err)
		return rd_nomem(rd);
	if (!f)
		return true;
	p = rd_path_key(rd, key);
	for (i = 0; i < a.n; i++) {
		size_t q = rd_path_idx(rd, i);

		if (!(is_struct ? read_member(rd, &a, v, (uint32_t)i) :
				  read_element(rd, &a, v, (uint32_t)i)))
			return false;
		rd_path_pop(rd, q);
	}
	rd_arr_done(rd, &a);
	rd_path_pop(rd, p);
	return true;
}

static bool read_value_fields(struct rd *rd, struct json_object *o, struct ktsnap_value *v,
			      struct wide *w)
{
	const char *kind;
	struct json_object *k;
	int i;

	if (!rd_expect(rd, o, json_type_object, "a RenderedValue object"))
		return false;
	if (!json_object_object_get_ex(o, "kind", &k))
		return rd_fail(rd, "missing field \"kind\"");
	if (!k || !json_object_is_type(k, json_type_string)) {
		rd_path_key(rd, "kind");
		return rd_fail(rd, "expected a string, got %s", rd_jtype(k));
	}
	kind = json_object_get_string(k);
	for (i = 0; i < NR_KINDS; i++)
		if (!strcmp(kind, ktsnap_value_kind__tag(i)))
			break;
	if (i == NR_KINDS) {
		rd_path_key(rd, "kind");
		return rd_fail(rd, "unknown kind \"%.40s\"", kind);
	}
	{
		const char *known[7];

		memcpy(known, value_keys[i], sizeof(value_keys[i]));
		known[6] = NULL;
		if (!rd_check_keys(rd, o, known))
			return false;
	}
	memset(v, 0, sizeof(*v));
	v->kind = i;
	switch (v->kind) {
	case KTSNAP_VALUE_INT:
		return rd_get_u32(rd, o, "bits", &w->bits) && rd_get_i64(rd, o, "value", &v->i);
	case KTSNAP_VALUE_UINT:
		return rd_get_u32(rd, o, "bits", &w->bits) && rd_get_u64(rd, o, "value", &v->u);
	case KTSNAP_VALUE_BOOL:
		return rd_get_bool(rd, o, "value", &v->b);
	case KTSNAP_VALUE_CHAR: {
		struct json_object *j;
		int f = rd_field(rd, o, "value", &j);
		size_t p;
		uint64_t u;

		if (f <= 0)
			return f == 0;
		p = rd_path_key(rd, "value");
		if (!rd_conv_u64(rd, j, 255, &u))
			return false;
		rd_path_pop(rd, p);
		v->c = (uint8_t)u;
		return true;
	}
	case KTSNAP_VALUE_FLOAT:
		return rd_get_u32(rd, o, "bits", &w->bits) && rd_get_f64(rd, o, "value", &v->f);
	case KTSNAP_VALUE_ENUM:
		return rd_get_u32(rd, o, "bits", &w->bits) &&
		       rd_get_bool(rd, o, "is_signed", &w->is_signed) &&
		       read_enum_value(rd, o, w) && rd_get_str(rd, o, "variant", &w->str);
	case KTSNAP_VALUE_STRUCT:
		return rd_get_str(rd, o, "type_name", &w->str) &&
		       read_children(rd, o, v, w->str, 0);
	case KTSNAP_VALUE_ARRAY:
		return rd_get_u64(rd, o, "len", &w->u) && read_children(rd, o, v, NULL, w->u);
	case KTSNAP_VALUE_CPU_LIST:
	case KTSNAP_VALUE_BYTES:
	case KTSNAP_VALUE_UNSUPPORTED:
		v->str = "";
		return rd_get_str(rd, o, value_keys[i][1], &v->str);
	case KTSNAP_VALUE_PTR:
		return rd_get_u64(rd, o, "value", &w->u) && get_value(rd, o, "deref", &w->child) &&
		       rd_get_str(rd, o, "deref_skipped_reason", &w->skip) &&
		       rd_get_str(rd, o, "cast_annotation", &w->cast);
	case KTSNAP_VALUE_TRUNCATED:
		return rd_get_u64(rd, o, "needed", &w->u) && rd_get_u64(rd, o, "had", &w->had) &&
		       get_value(rd, o, "partial", &w->child);
	}
	return false;
}

/* What the renderer never produces: widths it does not use, values that do
 * not fit their width, arrays with more elements than their length. */
static bool check_value(struct rd *rd, const struct ktsnap_value *v, const struct wide *w)
{
	uint32_t bits = w->bits;
	uint64_t u = 0;
	int64_t i = 0;
	bool is_signed = false;

	switch (v->kind) {
	case KTSNAP_VALUE_INT:
		i = v->i, is_signed = true;
		break;
	case KTSNAP_VALUE_UINT:
		u = v->u;
		break;
	case KTSNAP_VALUE_ENUM:
		is_signed = w->is_signed;
		i = w->ev, u = (uint64_t)w->ev;
		break;
	case KTSNAP_VALUE_FLOAT:
		if (bits < 16 || bits > 128 || bits % 8)
			return FAIL_AT(rd, "bits", "a float of %u bits is not a BTF float", bits);
		return true;
	case KTSNAP_VALUE_ARRAY:
		if (w->u > UINT32_MAX || w->u < v->n)
			return FAIL_AT(rd, "len",
				       "%llu does not fit %u elements (BTF arrays hold at most %u)",
				       (unsigned long long)w->u, v->n, UINT32_MAX);
		return true;
	case KTSNAP_VALUE_TRUNCATED:
		if (w->u > UINT32_MAX)
			return FAIL_AT(rd, "needed", "%llu is more than a BTF type's size can be",
				       (unsigned long long)w->u);
		if (w->had > w->u)
			return FAIL_AT(rd, "had", "%llu is more than needed (%llu)",
				       (unsigned long long)w->had, (unsigned long long)w->u);
		return true;
	default:
		return true;
	}
	if (bits < 1 || bits > 64)
		return FAIL_AT(rd, "bits", "%u is not an integer width (1 to 64)", bits);
	if (!rd_int_fits(bits, is_signed, i, u)) {
		if (is_signed)
			return FAIL_AT(rd, "value", "%lld does not fit in %u bits", (long long)i,
				       bits);
		return FAIL_AT(rd, "value", "%llu does not fit in %u bits", (unsigned long long)u,
			       bits);
	}
	return true;
}

static bool read_value(struct rd *rd, struct json_object *o, struct ktsnap_value *v)
{
	/* a width the file leaves out is the widest (the writer always
	 * writes one, and 0 is no width) */
	struct wide w = { .bits = 64 };
	int err = 0;

	if (!read_value_fields(rd, o, v, &w) || !check_value(rd, v, &w))
		return false;
	switch (v->kind) {
	case KTSNAP_VALUE_INT:
	case KTSNAP_VALUE_UINT:
	case KTSNAP_VALUE_FLOAT:
		v->bits = (uint16_t)w.bits; /* checked: at most 128 */
		break;
	case KTSNAP_VALUE_ENUM:
		err = ktsnap_value_set_enum(&rd->r->arena, v, w.bits, w.is_signed, w.ev, w.str);
		break;
	case KTSNAP_VALUE_PTR:
		err = ktsnap_value_set_ptr(&rd->r->arena, v, w.u, (struct ktsnap_value *)w.child,
					   w.skip, w.cast);
		break;
	case KTSNAP_VALUE_TRUNCATED:
		err = ktsnap_value_set_truncated(&rd->r->arena, v, w.u, w.had,
						 (struct ktsnap_value *)w.child);
		break;
	default:
		break;
	}
	return err ? rd_nomem(rd) : true;
}

/* ---- maps ------------------------------------------------------------------ */

/* "01 ab ff" (the writer's format exactly) → arena bytes; "" → NULL. */
static bool get_hex(struct rd *rd, struct json_object *o, const char *key, const uint8_t **out,
		    uint32_t *len)
{
	struct json_object *v;
	const char *s;
	size_t n, p, nb;
	uint8_t *b;
	ssize_t bad;
	int f = rd_field(rd, o, key, &v);

	if (f <= 0)
		return f == 0;
	p = rd_path_key(rd, key);
	if (!rd_expect(rd, v, json_type_string, "a string"))
		return false;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (!n) {
		rd_path_pop(rd, p);
		return true;
	}
	if ((n + 1) % 3)
		return rd_fail(rd, "malformed hex bytes (expected \"xx xx …\")");
	nb = (n + 1) / 3;
	if (nb > UINT32_MAX)
		return rd_fail(rd, "too many bytes");
	b = ktsnap_arena_alloc(&rd->r->arena, nb);
	if (!b)
		return rd_nomem(rd);
	bad = rd_hex_decode(s, nb, b);
	if (bad >= 0)
		return rd_fail(rd, "malformed hex bytes at character %zd", bad);
	rd_path_pop(rd, p);
	*out = b;
	*len = (uint32_t)nb;
	return true;
}

/* A per-CPU slot: a value, or null for an unmapped CPU. */
static bool read_slot(struct rd *rd, struct rd_arr *a, void *elem, void *ctx)
{
	struct ktsnap_value *v;
	struct json_object *o;

	(void)ctx;
	if (json_fast_slot(rd, a, elem))
		return true;
	if (!rd_arr_next(rd, a, &o))
		return false;
	if (!o)
		return true;
	v = new_value(rd);
	if (!v || !read_value(rd, o, v))
		return false;
	*(const struct ktsnap_value **)elem = v;
	return true;
}

static bool read_per_cpu(struct rd *rd, struct json_object *o, struct ktsnap_map_entry *e)
{
	size_t n = 0;

	if (!rd_get_list(rd, o, "per_cpu", sizeof(*e->per_cpu), read_slot, NULL,
			 (void **)&e->per_cpu, &n))
		return false;
	if (n > UINT32_MAX)
		return FAIL_AT(rd, "per_cpu", "too many per-CPU slots");
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
	if (!rd_expect(rd, o, json_type_object, "an object") ||
	    !rd_check_keys(rd, o, entry_keys[layout]))
		return false;
	switch (layout) {
	case KTSNAP_LAYOUT_HASH:
		return get_value(rd, o, "key", &e->key_rv) &&
		       get_hex(rd, o, "key_hex", &e->key, &e->key_len) &&
		       get_value(rd, o, "value", &e->val_rv) &&
		       get_hex(rd, o, "value_hex", &e->val, &e->val_len) &&
		       get_value(rd, o, "payload", &e->payload);
	case KTSNAP_LAYOUT_ARRAY:
		return rd_get_u32(rd, o, "key", &e->index) && get_value(rd, o, "value", &e->val_rv);
	case KTSNAP_LAYOUT_PERCPU_ARRAY:
		return rd_get_u32(rd, o, "key", &e->index) && read_per_cpu(rd, o, e);
	case KTSNAP_LAYOUT_PERCPU_HASH:
		return get_value(rd, o, "key", &e->key_rv) &&
		       get_hex(rd, o, "key_hex", &e->key, &e->key_len) && read_per_cpu(rd, o, e);
	default:
		return false;
	}
}

/* The key's bytes as a scalar key renders them (little-endian hosts). */
static bool key_matches_hex(const struct ktsnap_value *k, const uint8_t *hex, uint32_t len)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t u;
	uint32_t bits;

	switch (k->kind) {
	case KTSNAP_VALUE_UINT:
		u = k->u, bits = k->bits;
		break;
	case KTSNAP_VALUE_INT:
		u = (uint64_t)k->i, bits = k->bits;
		break;
	case KTSNAP_VALUE_ENUM:
		u = (uint64_t)ktsnap_enum_v(k), bits = k->bits;
		break;
	default:
		return true; /* compound keys: nothing cheap to compare */
	}
	if (bits != len * 8 || len > 8)
		return true;
	return !memcmp(&u, hex, len);
#else
	(void)k, (void)hex, (void)len;
	return true;
#endif
}

/* What the writer never emits: raw bytes that disagree with the declared
 * sizes or with a scalar rendered key.  A file without "key_size" (the
 * original tool does not write it) takes it from its first key. */
static bool check_entry(struct rd *rd, struct ktsnap_map *m, const struct ktsnap_map_entry *e,
			bool *key_size_known)
{
	if (e->key && !*key_size_known) {
		m->key_size = e->key_len;
		*key_size_known = true;
	}
	if (e->key && e->key_len != m->key_size)
		return FAIL_AT(rd, "key_hex", "%u bytes, but the map's key_size is %u", e->key_len,
			       m->key_size);
	if (e->val && e->val_len != m->value_size)
		return FAIL_AT(rd, "value_hex", "%u bytes, but the map's value_size is %u",
			       e->val_len, m->value_size);
	if (e->key && e->key_rv && !key_matches_hex(e->key_rv, e->key, e->key_len))
		return FAIL_AT(rd, "key_hex", "the bytes disagree with the rendered \"key\"");
	return true;
}

struct entries_ctx {
	struct ktsnap_map *m;
	enum ktsnap_map_layout layout;
	bool key_size_known;
	size_t done;
};

static bool read_entry_elem(struct rd *rd, struct rd_arr *a, void *elem, void *ctx)
{
	struct entries_ctx *c = ctx;
	struct ktsnap_map_entry *e = elem;
	struct json_object *o;

	if ((!json_fast_entry(rd, a, c->layout, e) &&
	     (!rd_arr_next(rd, a, &o) || !read_entry(rd, o, c->layout, e))) ||
	    !check_entry(rd, c->m, e, &c->key_size_known))
		return false;
	/* every entry has one slot per possible CPU */
	if (c->done++ && e->nr_cpus != c->m->nr_cpus)
		return rd_fail(rd, "%u per-CPU slots, but the first entry has %u", e->nr_cpus,
			       c->m->nr_cpus);
	c->m->nr_cpus = e->nr_cpus;
	return true;
}

static bool read_entries(struct rd *rd, struct json_object *o, const char *key,
			 enum ktsnap_map_layout layout, struct ktsnap_map *m)
{
	struct entries_ctx c = { m, layout, json_object_object_get_ex(o, "key_size", NULL), 0 };
	size_t n = 0;

	if (!json_object_object_get_ex(o, key, NULL))
		return true;
	m->layout = layout;
	if (!rd_get_list(rd, o, key, sizeof(*m->entries), read_entry_elem, &c, (void **)&m->entries,
			 &n))
		return false;
	if (n > UINT32_MAX)
		return FAIL_AT(rd, key, "too many entries");
	m->nr_entries = (uint32_t)n;
	if (n > m->max_entries)
		return rd_fail(rd, "%zu entries, but max_entries is %u", n, m->max_entries);
	if (layout == KTSNAP_LAYOUT_PERCPU_ARRAY || layout == KTSNAP_LAYOUT_PERCPU_HASH)
		m->percpu_stride = (m->value_size + 7) & ~7u;
	return true;
}

/* The map's one layout field (json_layout_keys): a value or an entry list. */
static bool read_layout(struct rd *rd, struct json_object *o, const char *name, void *ctx)
{
	struct ktsnap_map *m = ctx;
	int i, nlists = 0;

	(void)name;
	for (i = 0; i < 5; i++)
		nlists += json_object_object_get_ex(o, json_layout_keys[i], NULL);
	if (nlists > 1)
		return rd_fail(rd, "more than one of \"value\", \"entries\", \"array_entries\", "
				   "\"percpu_entries\", \"percpu_hash_entries\"");
	if (json_object_object_get_ex(o, "value", NULL)) {
		m->layout = KTSNAP_LAYOUT_VALUE;
		if (!get_value(rd, o, "value", &m->value))
			return false;
	}
	return read_entries(rd, o, "entries", KTSNAP_LAYOUT_HASH, m) &&
	       read_entries(rd, o, "array_entries", KTSNAP_LAYOUT_ARRAY, m) &&
	       read_entries(rd, o, "percpu_entries", KTSNAP_LAYOUT_PERCPU_ARRAY, m) &&
	       read_entries(rd, o, "percpu_hash_entries", KTSNAP_LAYOUT_PERCPU_HASH, m);
}

static bool read_map(struct rd *rd, struct json_object *o)
{
	struct ktsnap_map *m;

	if (!rd_expect(rd, o, json_type_object, "an object"))
		return false;
	m = ktsnap_report_add_map(rd->r, "");
	if (!m)
		return rd_nomem(rd);
	if (!read_record(rd, o, &json_rec_map, m, read_layout, m))
		return false;
	if (m->fd_array && (m->fd_array->populated > m->fd_array->scanned ||
			    m->fd_array->nr_indices > m->fd_array->populated)) {
		rd_path_key(rd, "fd_array");
		return rd_fail(rd, "populated %u, scanned %u and %zu indices do not add up",
			       m->fd_array->populated, m->fd_array->scanned,
			       m->fd_array->nr_indices);
	}
	atomic_store(&m->rendered, true);
	return true;
}

static bool read_report(struct rd *rd, struct json_object *o, const char *only);

/* ---- the report ------------------------------------------------------------------ */

/* "schema" (checked by the caller) and "maps". */
static bool read_report_hook(struct rd *rd, struct json_object *o, const char *name, void *ctx)
{
	struct json_object *m;
	struct rd_arr a;
	size_t i, p;
	int f;

	(void)ctx;
	if (strcmp(name, "maps"))
		return true;
	f = rd_get_array(rd, o, "maps", &a);
	if (f <= 0)
		return f == 0;
	p = rd_path_key(rd, "maps");
	for (i = 0; i < a.n; i++) {
		size_t q = rd_path_idx(rd, i);

		if (!rd_arr_next(rd, &a, &m) || !read_map(rd, m))
			return false;
		rd_path_pop(rd, q);
	}
	rd_arr_done(rd, &a);
	rd_path_pop(rd, p);
	return true;
}

/* ---- dispatch on "schema" --------------------------------------------------------- */

/* The "early" / "late" halves of a dual report: "single" reports. */
static bool read_half(struct rd *rd, struct json_object *o, const char *name, void *ctx)
{
	struct ktsnap_report *outer = rd->r, *early;
	struct json_object *v;
	size_t p;
	bool ok;
	int f;

	(void)ctx;
	if (!strcmp(name, "schema"))
		return true;
	f = rd_field(rd, o, name, &v);
	if (f <= 0) {
		if (!f && !strcmp(name, "late"))
			return rd_fail(rd, "missing \"late\"");
		return f == 0;
	}
	p = rd_path_key(rd, name);
	if (!strcmp(name, "late"))
		return read_report(rd, v, "single") && (rd_path_pop(rd, p), true);
	early = ktsnap_report__new();
	if (!early)
		return rd_nomem(rd);
	outer->early = early;
	outer->sidecar->dual.early = early; /* what ktsnap_report__dual() lends */
	rd->r = early;
	ok = read_report(rd, v, "single");
	rd->r = outer;
	if (ok)
		rd_path_pop(rd, p);
	return ok;
}

static bool read_report(struct rd *rd, struct json_object *o, const char *only)
{
	struct ktsnap_report *r = rd->r;
	struct json_object *schema;
	const char *s;
	size_t p;

	if (!json_object_is_type(o, json_type_object))
		return rd_fail(rd, "%s is %s, not an object",
			       rd->pb.len ? "the report" : "top level", rd_jtype(o));
	if (!json_object_object_get_ex(o, "schema", &schema))
		return rd_fail(rd, "missing \"schema\"");
	p = rd_path_key(rd, "schema");
	if (!rd_conv_str(rd, schema, &s))
		return false;
	if (only && strcmp(s, only))
		return rd_fail(rd, "expected \"%s\", got \"%.40s\"", only, s);
	if (strcmp(s, "single") && strcmp(s, "dual") && strcmp(s, "degraded"))
		return rd_fail(rd,
			       "unknown schema \"%.40s\" (expected \"single\", \"dual\" or "
			       "\"degraded\")",
			       s);
	rd_path_pop(rd, p);
	if (!strcmp(s, "single"))
		return read_record(rd, o, &json_rec_report, r, read_report_hook, NULL);
	r->sidecar = ktsnap_arena_alloc(&r->arena, sizeof(*r->sidecar));
	if (!r->sidecar)
		return rd_nomem(rd);
	if (!strcmp(s, "dual")) {
		r->schema = "dual";
		return read_record(rd, o, &json_rec_dual, r->sidecar, read_half, NULL);
	}
	r->schema = "degraded";
	return read_record(rd, o, &json_rec_degraded, r->sidecar, NULL, NULL);
}

/* ---- entry points ---------------------------------------------------------------- */

static bool all_ws(const char *buf, size_t len)
{
	size_t k;

	for (k = 0; k < len && strchr(" \t\r\n", buf[k]); k++)
		;
	return k == len;
}

int ktsnap_report__read_json_buf(const char *buf, size_t len, struct ktsnap_report **report)
{
	struct rd rd = { 0 };
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL;
	enum json_tokener_error jerr;
	bool wellformed, ok;
	size_t used, nskip;
	const size_t *skip = NULL;
	int err, i;

	ktsnap_errmsg_clear();
	if (!buf || !report)
		return ktsnap_fail(-EINVAL, "read_json: no input or no output pointer");
	/* trailing whitespace is json-c's slowest input: drop it first */
	while (len && strchr(" \t\r\n", buf[len - 1]) && buf[len - 1])
		len--;
	rd.src = buf;
	rd.splits = json_splits_find(buf, len, &wellformed);
	tok = json_tokener_new_ex(KTSNAP_JSON_MAX_DEPTH);
	rd.etok = json_tokener_new_ex(KTSNAP_JSON_MAX_DEPTH);
	if (!rd.splits || !tok || !rd.etok) {
		err = ktsnap_fail(-ENOMEM, "out of memory");
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	json_tokener_set_flags(rd.etok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	if (rd_parse_range(&rd, tok, -1, 0, len, &root, &jerr, &used)) {
		err = ktsnap_fail(-ENOMEM, "out of memory");
		goto out;
	}
	if (jerr == json_tokener_continue) {
		err = all_ws(buf, len) ?
			      ktsnap_fail(-EINVAL, "invalid report JSON: empty input") :
			      ktsnap_fail(-EINVAL,
					  "invalid report JSON: truncated (input ends at "
					  "byte %zu inside a value)",
					  len);
		goto out;
	}
	if (jerr != json_tokener_success) {
		err = ktsnap_fail(-EINVAL, "invalid report JSON at byte %zu: %s", used,
				  json_tokener_error_desc(jerr));
		goto out;
	}
	if (used < len) {
		/* json-c stops early, as if the value had ended, when it runs
		 * out of memory: the text is one value if the scan says so */
		err = wellformed ?
			      ktsnap_fail(-ENOMEM, "out of memory parsing the report") :
			      ktsnap_fail(-EINVAL, "invalid report JSON at byte %zu: trailing data",
					  used);
		goto out;
	}
	rd.r = ktsnap_report__new();
	ok = rd.r && read_report(&rd, root, NULL);
	/* the lexical check's error comes first; what the fast path read
	 * needs none, so it runs after the read, over the rest */
	nskip = ok ? json_fast_ranges(rd.fast, &skip) : 0;
	err = json_scan_check_skip(buf, len, skip, nskip);
	if (!err && !ok)
		err = !rd.r ? -ENOMEM : rd.err ? rd.err : ktsnap_fail(-EINVAL, "invalid report");
	if (err) {
		ktsnap_report__free(rd.r);
		goto out;
	}
	*report = rd.r;
	err = 0;
out:
	for (i = 0; i <= KTSNAP_JSON_MAX_DEPTH; i++)
		json_object_put(rd.pieces[i]);
	json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	if (rd.etok)
		json_tokener_free(rd.etok);
	json_splits_free(rd.splits);
	json_fast_free(rd.fast);
	return err;
}

/* Whether the first non-blank byte of @buf, if any, can start a long JSON
 * value (the parser names anything else from its first bytes). */
static bool may_be_report(const char *buf, size_t len)
{
	size_t k;

	for (k = 0; k < len && strchr(" \t\r\n", buf[k]) && buf[k]; k++)
		;
	return k == len || buf[k] == '{' || buf[k] == '[' || buf[k] == '"';
}

/* A pipe, a device, /proc: read to EOF, at most KTSNAP_JSON_MAX_INPUT. */
static int read_stream(FILE *f, char **out, size_t *out_len)
{
	const size_t limit = (size_t)KTSNAP_JSON_MAX_INPUT + 1; /* +1: "too large" */
	size_t len = 0, cap = 0, n;
	char *buf = NULL;

	while (len < limit) {
		if (len == cap && KTSNAP_ENSURE(buf, cap, len + 64 * 1024)) {
			free(buf);
			return ktsnap_fail(-ENOMEM, "out of memory");
		}
		n = fread(buf + len, 1, (cap < limit ? cap : limit) - len, f);
		len += n;
		if (n == 0)
			break;
		/* do not read a whole device of garbage (/dev/zero) only for
		 * the parser to refuse its first byte */
		if (!may_be_report(buf, len < 64 ? len : 64))
			break;
	}
	if (len > KTSNAP_JSON_MAX_INPUT) {
		free(buf);
		return ktsnap_fail(-EFBIG,
				   "report stream larger than %llu bytes (read such reports "
				   "from a regular file)",
				   (unsigned long long)KTSNAP_JSON_MAX_INPUT);
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		free(buf);
		return ktsnap_fail(-e, "reading the report file failed: %s", strerror(e));
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int ktsnap_report__read_json(FILE *f, struct ktsnap_report **report)
{
	struct stat st;
	size_t len = 0;
	char *buf = NULL;
	off_t pos;
	int err;

	ktsnap_errmsg_clear();
	if (!f || !report)
		return ktsnap_fail(-EINVAL, "read_json: no input stream or no output pointer");
	if (fstat(fileno(f), &st))
		return ktsnap_fail(-errno, "reading the report file failed: %s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return ktsnap_fail(-EISDIR, "reading the report file failed: %s", strerror(EISDIR));
	pos = ftello(f);
	/* a regular file is mapped whole, whatever its size (files in /proc
	 * say 0 bytes: those are read like a stream) */
	if (S_ISREG(st.st_mode) && st.st_size > 0 && pos >= 0 && pos <= st.st_size) {
		void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fileno(f), 0);

		if (map == MAP_FAILED)
			return ktsnap_fail(-errno, "reading the report file failed: %s",
					   strerror(errno));
		err = ktsnap_report__read_json_buf((const char *)map + pos,
						   (size_t)(st.st_size - pos), report);
		munmap(map, (size_t)st.st_size);
		fseeko(f, 0, SEEK_END);
		return err;
	}
	errno = 0;
	err = read_stream(f, &buf, &len);
	if (err)
		return err;
	err = ktsnap_report__read_json_buf(buf ? buf : "", len, report);
	free(buf);
	return err;
}
