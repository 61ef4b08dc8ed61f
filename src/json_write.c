// SPDX-License-Identifier: MIT
/*
 * json_write: report → report file (see include/ktsnap/json.h).  The
 * records (the report, its maps, walker records, the "dual" and "degraded"
 * shapes) are written by write_record() from the schema tables of
 * json_schema.c, which json_read.c reads by; RenderedValues and map entries
 * are written here by hand (they are the hot path), and unrendered maps of
 * a fresh capture are streamed entry by entry.  Field order is fixed so
 * that write → read → write is byte-identical.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/json.h>

#include "json_internal.h"
#include "jw.h"
#include "log_internal.h"
#include "report_internal.h"
#include "render_internal.h"
#include "util_internal.h"
#include "json_plan.h"

static void write_value(struct json_writer *w, const struct ktsnap_value *v);

static __attribute__((noinline)) void write_opt_value(struct json_writer *w, const char *key,
						      const struct ktsnap_value *v)
{
	if (!v)
		return;
	jw_key(w, key);
	write_value(w, v);
}

static __attribute__((noinline)) void write_opt_str(struct json_writer *w, const char *key,
						    const char *s)
{
	if (s)
		jw_kv_str(w, key, s);
}

/* The fields of the non-recursive variants.  Kept out of write_value()
 * so that the recursive frame stays small (deep trees, sanitizer builds). */
static __attribute__((noinline)) void write_scalar(struct json_writer *w,
						   const struct ktsnap_value *v)
{
	switch (v->kind) {
	case KTSNAP_VALUE_INT:
		jw_kv_u64(w, "bits", v->bits);
		jw_kv_i64(w, "value", v->i);
		break;
	case KTSNAP_VALUE_UINT:
		jw_kv_u64(w, "bits", v->bits);
		jw_kv_u64(w, "value", v->u);
		break;
	case KTSNAP_VALUE_BOOL:
		jw_kv_bool(w, "value", v->b);
		break;
	case KTSNAP_VALUE_CHAR:
		jw_kv_u64(w, "value", v->c);
		break;
	case KTSNAP_VALUE_FLOAT:
		jw_kv_u64(w, "bits", v->bits);
		jw_kv_f64(w, "value", v->f);
		break;
	case KTSNAP_VALUE_ENUM:
		jw_kv_u64(w, "bits", v->bits);
		/* unsigned enums keep the bit pattern in v; show it unsigned */
		if (ktsnap_enum_signed(v))
			jw_kv_i64(w, "value", ktsnap_enum_v(v));
		else
			jw_kv_u64(w, "value", (uint64_t)ktsnap_enum_v(v));
		write_opt_str(w, "variant", ktsnap_enum_variant(v));
		if (ktsnap_enum_signed(v))
			jw_kv_bool(w, "is_signed", true);
		break;
	case KTSNAP_VALUE_CPU_LIST:
		jw_kv_str(w, "cpus", v->str ? v->str : "");
		break;
	case KTSNAP_VALUE_PTR:
		jw_kv_u64(w, "value", v->p->v);
		break;
	case KTSNAP_VALUE_BYTES:
		jw_kv_str(w, "hex", v->str ? v->str : "");
		break;
	case KTSNAP_VALUE_TRUNCATED:
		jw_kv_u64(w, "needed", v->t->needed);
		jw_kv_u64(w, "had", v->t->had);
		break;
	case KTSNAP_VALUE_UNSUPPORTED:
		jw_kv_str(w, "reason", v->str ? v->str : "");
		break;
	default:
		break;
	}
}

static __attribute__((noinline)) void write_member_name(struct json_writer *w, const char *name)
{
	jw_obj_begin(w);
	jw_kv_str(w, "name", name ? name : "");
	jw_key(w, "value");
}

/* "{", the kind and the fields before any nested value. */
static __attribute__((noinline)) void write_head(struct json_writer *w,
						 const struct ktsnap_value *v)
{
	jw_obj_begin(w);
	jw_key(w, "kind");
	jw_str_safe(w, ktsnap_value_kind__tag(v->kind));
	switch (v->kind) {
	case KTSNAP_VALUE_STRUCT:
		write_opt_str(w, "type_name", ktsnap_struct_type(v));
		jw_key(w, "members");
		jw_arr_begin(w);
		break;
	case KTSNAP_VALUE_ARRAY:
		jw_kv_u64(w, "len", ktsnap_array_len(v));
		jw_key(w, "elements");
		jw_arr_begin(w);
		break;
	default:
		write_scalar(w, v);
	}
}

static __attribute__((noinline)) void write_ptr_tail(struct json_writer *w,
						     const struct ktsnap_value *v)
{
	write_opt_str(w, "deref_skipped_reason", v->p->skip_reason);
	write_opt_str(w, "cast_annotation", v->p->cast);
}

/* Recursive: nothing but calls, so that its frame stays small. */
/* {"kind":"uint","bits":N,"value":V} as the general path writes it. */
static void write_int_compact(struct json_writer *w, const struct ktsnap_value *v)
{
	static const char uint_head[] = "{\"kind\":\"uint\",\"bits\":";
	static const char int_head[] = "{\"kind\":\"int\",\"bits\":";
	bool is_uint = v->kind == KTSNAP_VALUE_UINT;

	jw__pre_item(w);
	if (is_uint)
		jw__put(w, uint_head, sizeof(uint_head) - 1);
	else
		jw__put(w, int_head, sizeof(int_head) - 1);
	jw__put_u64(w, false, v->bits);
	jw__put(w, ",\"value\":", 9);
	if (is_uint)
		jw__put_u64(w, false, v->u);
	else
		jw__put_u64(w, v->i < 0, v->i < 0 ? -(uint64_t)v->i : (uint64_t)v->i);
	jw__putch(w, '}');
}

static void write_value(struct json_writer *w, const struct ktsnap_value *v)
{
	struct ktsnap_value tmp;
	uint32_t i;

	if (!v) {
		jw_null(w);
		return;
	}
	/* Hand-made trees can be arbitrarily deep: stop recursing where the
	 * writer stops writing (it reports -EINVAL). */
	if (w->depth >= JW_MAX_DEPTH) {
		if (!w->err)
			w->err = -EINVAL;
		return;
	}
	/* Integers are most of a big report: in compact mode write the
	 * object in one go (the same bytes the general path writes). */
	if (!w->pretty && (v->kind == KTSNAP_VALUE_UINT || v->kind == KTSNAP_VALUE_INT)) {
		write_int_compact(w, v);
		return;
	}
	write_head(w, v);
	switch (v->kind) {
	case KTSNAP_VALUE_STRUCT:
		for (i = 0; i < v->n; i++) {
			write_member_name(w, ktsnap_mname(v, i));
			write_value(w, ktsnap_mval(v, i));
			jw_obj_end(w);
		}
		jw_arr_end(w);
		break;
	case KTSNAP_VALUE_ARRAY:
		for (i = 0; i < v->n; i++)
			write_value(w, ktsnap_elem_read(v, i, &tmp));
		jw_arr_end(w);
		break;
	case KTSNAP_VALUE_PTR:
		write_opt_value(w, "deref", v->p->deref);
		write_ptr_tail(w, v);
		break;
	case KTSNAP_VALUE_TRUNCATED:
		write_opt_value(w, "partial", v->t->partial);
		break;
	default:
		break;
	}
	jw_obj_end(w);
}

/* ---- records, described by the schema tables (json_schema.c) -------------------- */

/* A JF_HOOK field: the caller writes it (key and value) or nothing. */
typedef void (*whook_fn)(struct json_writer *w, const char *name, const void *ctx);

static void write_record(struct json_writer *w, const struct json_record *rec, const void *base,
			 whook_fn hook, const void *ctx);

static void write_uints(struct json_writer *w, const char *key, const void *v, size_t width,
			size_t n)
{
	size_t i;

	jw_key(w, key);
	jw_arr_begin(w);
	for (i = 0; v && i < n; i++)
		jw_u64(w, width == 4 ? ((const uint32_t *)v)[i] : ((const uint64_t *)v)[i]);
	jw_arr_end(w);
}

static const char *const raw_default[] = { "{}", "[]", "null" };

static void write_field(struct json_writer *w, const struct json_field *f, const char *b)
{
	const void *p = b + f->off;
	const char *s;
	size_t n, i;

	if ((f->flags & JF_HAS) && !*(const bool *)(b + f->aux))
		return;
	switch (f->type) {
	case JF_U64:
		if ((f->flags & JF_OMIT_EMPTY) && !*(const uint64_t *)p)
			return;
		jw_kv_u64(w, f->name, *(const uint64_t *)p);
		break;
	case JF_U32:
		jw_kv_u64(w, f->name, *(const uint32_t *)p);
		break;
	case JF_I64:
		jw_kv_i64(w, f->name, *(const int64_t *)p);
		break;
	case JF_I32:
		jw_kv_i64(w, f->name, *(const int32_t *)p);
		break;
	case JF_BOOL:
		if ((f->flags & JF_OMIT_EMPTY) && !*(const bool *)p)
			return;
		jw_kv_bool(w, f->name, *(const bool *)p);
		break;
	case JF_STR:
		s = *(const char *const *)p;
		if (!s && (f->flags & JF_OMIT_NULL))
			return;
		jw_kv_str(w, f->name, s ? s : "");
		break;
	case JF_F64:
		jw_kv_f64(w, f->name, *(const double *)p);
		break;
	case JF_U64_LIST:
	case JF_U32_LIST:
		n = f->flags & JF_COUNT_FIELD ? *(const uint32_t *)(b + f->aux) :
						*(const size_t *)(b + f->aux);
		if ((f->flags & JF_OMIT_EMPTY) && !n)
			return;
		write_uints(w, f->name, *(const void *const *)p, f->type == JF_U32_LIST ? 4 : 8, n);
		break;
	case JF_U64_FIXED:
		write_uints(w, f->name, p, 8, f->n);
		break;
	case JF_RECORDS:
		n = *(const size_t *)(b + f->aux);
		if ((f->flags & JF_OMIT_EMPTY) && !n)
			return;
		jw_key(w, f->name);
		jw_arr_begin(w);
		for (i = 0; *(const char *const *)p && i < n; i++) {
			jw_obj_begin(w);
			write_record(w, f->sub, *(const char *const *)p + i * f->sub->size, NULL,
				     NULL);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		break;
	case JF_OBJECT:
		if (!*(const void *const *)p)
			return;
		jw_key(w, f->name);
		jw_obj_begin(w);
		write_record(w, f->sub, *(const void *const *)p, NULL, NULL);
		jw_obj_end(w);
		break;
	case JF_RAW:
		s = *(const char *const *)p;
		if (!s && (f->flags & JF_OMIT_NULL))
			return;
		if (!s)
			s = raw_default[f->flags & JF_NULL_OK ? 2 : f->flags & JF_ARRAY ? 1 : 0];
		jw_key(w, f->name);
		jw_raw(w, s);
		break;
	default:
		break;
	}
}

/* The fields of @rec from @base, in the table's order (no braces). */
static void write_record(struct json_writer *w, const struct json_record *rec, const void *base,
			 whook_fn hook, const void *ctx)
{
	size_t i;

	for (i = 0; i < rec->nr; i++) {
		if (rec->f[i].type == JF_HOOK)
			hook(w, rec->f[i].name, ctx);
		else
			write_field(w, &rec->f[i], base);
	}
}

static void write_hex_field(struct json_writer *w, const char *key, const uint8_t *p, uint32_t n)
{
	jw_key(w, key);
	jw_hex(w, p, p ? n : 0);
}

static void write_per_cpu(struct json_writer *w, const struct ktsnap_map_entry *e)
{
	uint32_t c;

	jw_key(w, "per_cpu");
	jw_arr_begin(w);
	for (c = 0; e->per_cpu && c < e->nr_cpus; c++)
		write_value(w, e->per_cpu[c]);
	jw_arr_end(w);
}

static void write_entry(struct json_writer *w, const struct ktsnap_map *m,
			const struct ktsnap_map_entry *e)
{
	jw_obj_begin(w);
	switch (m->layout) {
	case KTSNAP_LAYOUT_HASH:
		write_opt_value(w, "key", e->key_rv);
		write_hex_field(w, "key_hex", e->key, e->key_len);
		write_opt_value(w, "value", e->val_rv);
		write_hex_field(w, "value_hex", e->val, e->val_len);
		write_opt_value(w, "payload", e->payload);
		break;
	case KTSNAP_LAYOUT_ARRAY:
		jw_kv_u64(w, "key", e->index);
		write_opt_value(w, "value", e->val_rv);
		break;
	case KTSNAP_LAYOUT_PERCPU_ARRAY:
		jw_kv_u64(w, "key", e->index);
		write_per_cpu(w, e);
		break;
	case KTSNAP_LAYOUT_PERCPU_HASH:
		write_opt_value(w, "key", e->key_rv);
		write_hex_field(w, "key_hex", e->key, e->key_len);
		write_per_cpu(w, e);
		break;
	default:
		break;
	}
	jw_obj_end(w);
}

/*
 * A captured map nobody has looked at yet still holds raw bytes.  Rather
 * than build its whole value tree only to print it:
 *  - maps whose key and value types compile to JSON plans (the integers,
 *    enums, bitfields, arrays, structs and unions of nearly every big map;
 *    per-CPU slots included) are written straight from the bytes (see
 *    json_plan.c);
 *  - every other map renders each entry into a small scratch arena, writes
 *    it and forgets it: the same renderer and writer, so the same bytes.
 * Either way the working set stays in cache and no memory grows with the
 * map.  Plans write compact text only: a pretty writer renders.
 */
struct entry_plans {
	struct json_plan *key, *val;
	bool ok;
};

static void plans_init(struct entry_plans *pl, const struct ktsnap_map *m,
		       const struct json_writer *w)
{
	bool keyed = m->layout == KTSNAP_LAYOUT_HASH || m->layout == KTSNAP_LAYOUT_PERCPU_HASH;

	memset(pl, 0, sizeof(*pl));
	if (w->pretty || !m->btf)
		return;
	/* a hash value without BTF is only value_hex; the others render Bytes */
	if (!m->btf_value_type_id && m->layout != KTSNAP_LAYOUT_HASH)
		return;
	if (keyed && m->btf_key_type_id &&
	    !(pl->key = json_plan_compile(m->btf, m->btf_key_type_id, m->key_size)))
		return;
	if (m->btf_value_type_id &&
	    !(pl->val = json_plan_compile(m->btf, m->btf_value_type_id, m->value_size)))
		return;
	pl->ok = true;
}

static void plans_release(struct entry_plans *pl)
{
	json_plan_free(pl->key);
	json_plan_free(pl->val);
}

/* write_entry() for a fresh capture (no payload, nothing rendered) */
static void write_planned_entry(struct json_writer *w, const struct ktsnap_map *m,
				const struct entry_plans *pl, const struct ktsnap_map_entry *e)
{
	uint32_t c;

	jw_obj_begin(w);
	switch (m->layout) {
	case KTSNAP_LAYOUT_HASH:
	case KTSNAP_LAYOUT_PERCPU_HASH:
		if (pl->key && e->key) {
			jw_key(w, "key");
			json_plan_write(pl->key, w, e->key);
		}
		write_hex_field(w, "key_hex", e->key, e->key_len);
		break;
	default:
		jw_kv_u64(w, "key", e->index);
		break;
	}
	switch (m->layout) {
	case KTSNAP_LAYOUT_HASH:
		if (pl->val && e->val) {
			jw_key(w, "value");
			json_plan_write(pl->val, w, e->val);
		}
		write_hex_field(w, "value_hex", e->val, e->val_len);
		break;
	case KTSNAP_LAYOUT_ARRAY:
		if (e->val) {
			jw_key(w, "value");
			json_plan_write(pl->val, w, e->val);
		}
		break;
	default:
		jw_key(w, "per_cpu");
		jw_arr_begin(w);
		for (c = 0; e->percpu && c < e->nr_cpus; c++)
			json_plan_write(pl->val, w, e->percpu + (size_t)c * m->percpu_stride);
		jw_arr_end(w);
		break;
	}
	jw_obj_end(w);
}

static void stream_entries(struct json_writer *w, const struct ktsnap_map *m,
			   const struct entry_plans *pl)
{
	struct ktsnap_arena scratch;
	uint32_t i;

	if (pl->ok) {
		for (i = 0; i < m->nr_entries && !w->err; i++)
			write_planned_entry(w, m, pl, &m->entries[i]);
		return;
	}
	ktsnap_arena_init(&scratch);
	for (i = 0; i < m->nr_entries && !w->err; i++) {
		/* Only the captured bytes: another thread may be rendering this
		 * map (ktsnap_map_ensure_rendered() under the render lock),
		 * writing the rendering pointers of m->entries[i] meanwhile. */
		struct ktsnap_map_entry e = ktsnap_entry_bytes(&m->entries[i]);

		if (ktsnap_render_entry(m, &e, &scratch)) {
			w->err = -ENOMEM;
			break;
		}
		write_entry(w, m, &e);
		ktsnap_arena_reset(&scratch);
	}
	ktsnap_arena_release(&scratch);
}

static void write_entries(struct json_writer *w, const struct ktsnap_map *m)
{
	static const char *const list_name[] = {
		[KTSNAP_LAYOUT_HASH] = "entries",
		[KTSNAP_LAYOUT_ARRAY] = "array_entries",
		[KTSNAP_LAYOUT_PERCPU_ARRAY] = "percpu_entries",
		[KTSNAP_LAYOUT_PERCPU_HASH] = "percpu_hash_entries",
	};
	uint32_t i;

	/* The layout's list is written even when empty: an empty hash map
	 * is not the same as a map whose contents were not captured. */
	jw_key(w, list_name[m->layout]);
	jw_arr_begin(w);
	if (!ktsnap_map_is_rendered(m)) {
		struct entry_plans pl;

		plans_init(&pl, m, w);
		stream_entries(w, m, &pl);
		plans_release(&pl);
	} else
		for (i = 0; i < m->nr_entries; i++)
			write_entry(w, m, &m->entries[i]);
	jw_arr_end(w);
}

static void write_layout(struct json_writer *w, const char *name, const void *ctx)
{
	const struct ktsnap_map *m = ctx;

	(void)name;
	switch (m->layout) {
	case KTSNAP_LAYOUT_VALUE:
		if (m->value) {
			jw_key(w, "value");
			write_value(w, m->value);
		}
		break;
	case KTSNAP_LAYOUT_HASH:
	case KTSNAP_LAYOUT_ARRAY:
	case KTSNAP_LAYOUT_PERCPU_ARRAY:
	case KTSNAP_LAYOUT_PERCPU_HASH:
		write_entries(w, m);
		break;
	case KTSNAP_LAYOUT_NONE:
		break;
	}
}

static void write_map(struct json_writer *w, const struct ktsnap_map *m)
{
	if (m->layout == KTSNAP_LAYOUT_VALUE)
		ktsnap_map_ensure_rendered(m);
	jw_obj_begin(w);
	write_record(w, &json_rec_map, m, write_layout, m);
	jw_obj_end(w);
}

static void write_report_hook(struct json_writer *w, const char *name, const void *ctx)
{
	const struct ktsnap_report *r = ctx;
	uint32_t i;

	if (!strcmp(name, "schema")) {
		jw_kv_str(w, "schema", "single");
		return;
	}
	jw_key(w, "maps");
	jw_arr_begin(w);
	for (i = 0; i < r->nr_maps; i++)
		write_map(w, &r->maps[i]);
	jw_arr_end(w);
}

static void write_report(struct json_writer *w, const struct ktsnap_report *r)
{
	jw_obj_begin(w);
	write_record(w, &json_rec_report, r, write_report_hook, r);
	jw_obj_end(w);
}

/* "schema", "early" and "late" of a dual report; "schema" of a degraded one. */
static void write_sidecar_hook(struct json_writer *w, const char *name, const void *ctx)
{
	const struct ktsnap_report *r = ctx;

	if (!strcmp(name, "schema")) {
		jw_kv_str(w, "schema", r->schema);
	} else if (!strcmp(name, "late")) {
		jw_key(w, "late");
		write_report(w, r);
	} else if (r->early) {
		jw_key(w, "early");
		write_report(w, r->early);
	}
}

/* Any report: "single", or the "dual" / "degraded" shape it was read as. */
static void write_any_report(struct json_writer *w, const struct ktsnap_report *r)
{
	const struct json_record *rec = NULL;

	if (r->sidecar && ktsnap_str_eq(r->schema, "dual"))
		rec = &json_rec_dual;
	else if (r->sidecar && ktsnap_str_eq(r->schema, "degraded"))
		rec = &json_rec_degraded;
	if (!rec) {
		write_report(w, r);
		return;
	}
	jw_obj_begin(w);
	write_record(w, rec, r->sidecar, write_sidecar_hook, r);
	jw_obj_end(w);
}

static int finish(struct json_writer *w)
{
	int err = jw_finish(w);

	free(w);
	if (err == -EINVAL)
		return ktsnap_fail(err, "JSON writer: value tree nested deeper than %d levels",
				   JW_MAX_DEPTH);
	if (err)
		return ktsnap_fail(err, "JSON writer: write failed");
	return 0;
}

static struct json_writer *start(FILE *f, unsigned int flags)
{
	struct json_writer *w;

	ktsnap_errmsg_clear();
	if (!f)
		return ktsnap_fail_ptr(-EINVAL, "JSON writer: no output stream");
	w = malloc(sizeof(*w));
	if (!w)
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	jw_init(w, f, flags & KTSNAP_JSON_PRETTY);
	return w;
}

uint64_t json_write_warn_bytes = KTSNAP_JSON_MAX_INPUT;

int ktsnap_report__write_json(const struct ktsnap_report *r, FILE *f, unsigned int flags)
{
	struct json_writer *w;
	int err;
	uint64_t written;

	if (!r)
		return ktsnap_fail(-EINVAL, "JSON writer: no report");
	w = start(f, flags);
	if (!w)
		return -errno;
	write_any_report(w, r);
	jw_flush(w);
	written = w->written;
	err = finish(w);
	/* a pipe or a device is read back only up to KTSNAP_JSON_MAX_INPUT */
	if (!err && written > json_write_warn_bytes)
		pr_warn("report file is %llu bytes: ktsnap reads reports larger than %llu bytes "
			"only from regular files, not from pipes\n",
			(unsigned long long)written, (unsigned long long)json_write_warn_bytes);
	return err;
}

int ktsnap_map__write_json(const struct ktsnap_map *m, FILE *f, unsigned int flags)
{
	struct json_writer *w;

	if (!m)
		return ktsnap_fail(-EINVAL, "JSON writer: no map");
	w = start(f, flags);
	if (!w)
		return -errno;
	write_map(w, m);
	return finish(w);
}

int ktsnap_value__write_json(const struct ktsnap_value *v, FILE *f, unsigned int flags)
{
	struct json_writer *w = start(f, flags);

	if (!w)
		return -errno;
	write_value(w, v);
	return finish(w);
}

void ktsnap_json_write_value(struct json_writer *w, const struct ktsnap_value *v)
{
	write_value(w, v);
}
