// SPDX-License-Identifier: MIT
/*
 * The report model: its lifecycle (arena, raw buffers, BTF), the builders
 * the capture and the JSON reader use, and the read-only map and entry
 * accessors of include/ktsnap/report.h.  Values live in value.c, the
 * allocator in arena.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "report_internal.h"
#include "log_internal.h"

/* ---- lifecycle --------------------------------------------------------------- */
struct ktsnap_report *ktsnap_report__new(void)
{
	struct ktsnap_report *r = calloc(1, sizeof(*r));

	if (!r)
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	ktsnap_arena_init(&r->arena);
	pthread_mutex_init(&r->render_lock, NULL);
	pthread_mutex_init(&r->index_lock, NULL);
	r->schema = "single";
	return r;
}

struct ktsnap_report *ktsnap_report__placeholder(const char *reason)
{
	struct ktsnap_report *r = ktsnap_report__new();
	const char *s;
	size_t i;

	if (!r)
		return NULL;
	s = ktsnap_arena_strdup(&r->arena, reason ? reason : "");
	if (!s) {
		ktsnap_report__free(r);
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	}
	r->is_placeholder = true;
	{
		/* every walker-backed record is unavailable for the same reason */
		const char **why[] = {
			&r->prog_runtime_stats_unavailable, &r->per_node_numa_unavailable,
			&r->task_enrichments_unavailable,   &r->scx_walker_unavailable,
			&r->sdt_alloc_unavailable,
		};

		for (i = 0; i < sizeof(why) / sizeof(why[0]); i++)
			*why[i] = s;
	}
	return r;
}

void ktsnap_report__free(struct ktsnap_report *r)
{
	void *ix;
	size_t i;

	if (!r)
		return;
	ix = atomic_load_explicit(&r->view_index, memory_order_acquire);
	if (ix && r->view_index_free)
		r->view_index_free(ix);
	ktsnap_report__free(r->early);
	for (i = 0; i < r->nr_maps; i++) {
		free(r->maps[i].raw);
		ktsnap_arena_release(&r->maps[i].render_arena);
	}
	free(r->maps);
	for (i = 0; i < r->nr_btfs; i++)
		btf__free(r->btfs[i]);
	free(r->btfs);
	pthread_mutex_destroy(&r->render_lock);
	pthread_mutex_destroy(&r->index_lock);
	ktsnap_arena_release(&r->arena);
	free(r);
}

/* ---- builders ------------------------------------------------------------------ */
struct ktsnap_map *ktsnap_report_add_map(struct ktsnap_report *r, const char *name)
{
	struct ktsnap_map *m;

	if (r->nr_maps == r->maps_cap) {
		uint32_t cap = r->maps_cap ? r->maps_cap * 2 : 16;
		struct ktsnap_map *n = realloc(r->maps, cap * sizeof(*n));

		if (!n)
			return NULL;
		r->maps = n;
		r->maps_cap = cap;
	}
	m = &r->maps[r->nr_maps];
	memset(m, 0, sizeof(*m));
	m->name = ktsnap_arena_strdup(&r->arena, name ? name : "");
	if (!m->name)
		return NULL;
	m->owner = r;
	m->render_arena.min_chunk = KTSNAP_MAP_ARENA_MIN_CHUNK;
	atomic_init(&m->rendered, true);
	r->nr_maps++;
	return m;
}

int ktsnap_map_set_error(struct ktsnap_report *r, struct ktsnap_map *m, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	char *s;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (m->error)
		s = ktsnap_arena_printf(&r->arena, "%s; %s", m->error, buf);
	else
		s = ktsnap_arena_strdup(&r->arena, buf);
	if (!s)
		return -ENOMEM;
	m->error = s;
	return 0;
}

int ktsnap_report_own_btf(struct ktsnap_report *r, struct btf *btf)
{
	struct btf **n = realloc(r->btfs, (r->nr_btfs + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	r->btfs = n;
	r->btfs[r->nr_btfs++] = btf;
	return 0;
}

/* An unset node; the new_*() constructors below give it its body. */
static struct ktsnap_value *new_node(struct ktsnap_report *r)
{
	return ktsnap_arena_alloc(&r->arena, sizeof(struct ktsnap_value));
}

struct ktsnap_value *ktsnap_value_new(struct ktsnap_report *r, enum ktsnap_value_kind kind)
{
	struct ktsnap_value *v = new_node(r);
	int err = 0;

	if (!v)
		return NULL;
	/* aggregates and pointers always have a body to read */
	switch (kind) {
	case KTSNAP_VALUE_STRUCT:
		err = ktsnap_value_init_struct(&r->arena, v, NULL, NULL, 0);
		break;
	case KTSNAP_VALUE_ARRAY:
		err = ktsnap_value_init_array(&r->arena, v, 0, 0);
		break;
	case KTSNAP_VALUE_PTR:
		err = ktsnap_value_set_ptr(&r->arena, v, 0, NULL, NULL, NULL);
		break;
	case KTSNAP_VALUE_TRUNCATED:
		err = ktsnap_value_set_truncated(&r->arena, v, 0, 0, NULL);
		break;
	default:
		v->kind = kind;
		break;
	}
	return err ? NULL : v;
}

struct ktsnap_value *ktsnap_value_new_uint(struct ktsnap_report *r, uint32_t bits, uint64_t x)
{
	struct ktsnap_value *v = new_node(r);

	if (v)
		ktsnap_value_set_uint(v, bits, x);
	return v;
}

int ktsnap_value_set_enum(struct ktsnap_arena *a, struct ktsnap_value *v, uint32_t bits,
			  bool is_signed, int64_t x, const char *variant)
{
	*v = (struct ktsnap_value){ .kind = KTSNAP_VALUE_ENUM, .bits = (uint16_t)bits };
	if (is_signed)
		v->flags |= KTSNAP_VF_ENUM_SIGNED;
	if (x >= 0 && x <= UINT32_MAX) {
		v->n = (uint32_t)x;
		v->str = variant;
	} else if (x < 0 && x >= INT32_MIN) {
		v->n = (uint32_t)x;
		v->flags |= KTSNAP_VF_SEXT;
		v->str = variant;
	} else {
		v->e = ktsnap_arena_alloc(a, sizeof(*v->e));
		if (!v->e)
			return -ENOMEM;
		v->flags |= KTSNAP_VF_ENUM_BODY;
		v->e->v = x;
		v->e->variant = variant;
	}
	return 0;
}

int ktsnap_value_set_ptr(struct ktsnap_arena *a, struct ktsnap_value *v, uint64_t x,
			 struct ktsnap_value *deref, const char *skip_reason, const char *cast)
{
	*v = (struct ktsnap_value){ .kind = KTSNAP_VALUE_PTR };
	v->p = ktsnap_arena_alloc(a, sizeof(*v->p));
	if (!v->p)
		return -ENOMEM;
	*v->p = (struct ktsnap_ptr_body){ x, deref, skip_reason, cast };
	return 0;
}

int ktsnap_value_set_truncated(struct ktsnap_arena *a, struct ktsnap_value *v, uint64_t needed,
			       uint64_t had, struct ktsnap_value *partial)
{
	*v = (struct ktsnap_value){ .kind = KTSNAP_VALUE_TRUNCATED };
	v->t = ktsnap_arena_alloc(a, sizeof(*v->t));
	if (!v->t)
		return -ENOMEM;
	*v->t = (struct ktsnap_trunc_body){ needed, had, partial };
	return 0;
}

int ktsnap_value_init_struct(struct ktsnap_arena *a, struct ktsnap_value *v,
			     const struct ktsnap_struct_info *info, const char *type_name,
			     uint32_t nr)
{
	struct ktsnap_struct_body *b;
	uint32_t i;

	*v = (struct ktsnap_value){ .kind = KTSNAP_VALUE_STRUCT };
	if (!info) {
		struct ktsnap_struct_info *own;

		own = ktsnap_arena_alloc(a, sizeof(*own) + (size_t)nr * sizeof(own->names[0]));
		if (!own)
			return -ENOMEM;
		own->type_name = type_name;
		for (i = 0; i < nr; i++)
			own->names[i] = "";
		info = own;
	}
	b = ktsnap_arena_alloc(a, sizeof(*b) + (size_t)nr * sizeof(b->m[0]));
	if (!b)
		return -ENOMEM;
	b->info = info;
	v->s = b;
	v->n = nr;
	return 0;
}

int ktsnap_value_init_array(struct ktsnap_arena *a, struct ktsnap_value *v, uint64_t len,
			    uint32_t nr)
{
	*v = (struct ktsnap_value){ .kind = KTSNAP_VALUE_ARRAY };
	v->a = ktsnap_arena_alloc(a, sizeof(*v->a) + (size_t)nr * sizeof(v->a->elems[0]));
	if (!v->a)
		return -ENOMEM;
	v->a->len = len;
	v->n = nr;
	return 0;
}

/* One lock for making flat arrays' nodes: rare, short, and a leaf. */
static pthread_mutex_t flat_lock = PTHREAD_MUTEX_INITIALIZER;

const struct ktsnap_value *ktsnap_flat_nodes(const struct ktsnap_value *v, uint32_t i)
{
	static _Thread_local struct ktsnap_value oom;
	struct ktsnap_flat_body *b = v->fa;
	struct ktsnap_value *n = atomic_load_explicit(&b->nodes, memory_order_acquire);
	uint32_t k;

	if (n)
		return &n[i];
	pthread_mutex_lock(&flat_lock);
	n = atomic_load_explicit(&b->nodes, memory_order_relaxed);
	if (!n) {
		n = ktsnap_arena_alloc(b->arena, (size_t)v->n * sizeof(*n));
		for (k = 0; n && k < v->n; k++)
			n[k] = ktsnap_flat_elem(v, k);
		if (n)
			atomic_store_explicit(&b->nodes, n, memory_order_release);
	}
	pthread_mutex_unlock(&flat_lock);
	if (n)
		return &n[i];
	/* out of memory: a copy that lives until this thread's next miss */
	oom = ktsnap_flat_elem(v, i);
	return &oom;
}

struct ktsnap_value *ktsnap_value_new_struct(struct ktsnap_report *r, const char *type_name,
					     uint32_t nr)
{
	struct ktsnap_value *v = new_node(r);
	const char *tn = NULL;

	if (!v)
		return NULL;
	if (type_name && !(tn = ktsnap_arena_strdup(&r->arena, type_name)))
		return NULL;
	return ktsnap_value_init_struct(&r->arena, v, NULL, tn, nr) ? NULL : v;
}

struct ktsnap_value *ktsnap_value_new_array(struct ktsnap_report *r, uint64_t len, uint32_t nr)
{
	struct ktsnap_value *v = new_node(r);

	return v && !ktsnap_value_init_array(&r->arena, v, len, nr) ? v : NULL;
}

struct ktsnap_value *ktsnap_value_new_enum(struct ktsnap_report *r, uint32_t bits, bool is_signed,
					   int64_t x, const char *variant)
{
	struct ktsnap_value *v = new_node(r);

	return v && !ktsnap_value_set_enum(&r->arena, v, bits, is_signed, x, variant) ? v : NULL;
}

struct ktsnap_value *ktsnap_value_new_ptr(struct ktsnap_report *r, uint64_t x,
					  struct ktsnap_value *deref, const char *skip_reason,
					  const char *cast)
{
	struct ktsnap_value *v = new_node(r);

	return v && !ktsnap_value_set_ptr(&r->arena, v, x, deref, skip_reason, cast) ? v : NULL;
}

struct ktsnap_value *ktsnap_value_new_truncated(struct ktsnap_report *r, uint64_t needed,
						uint64_t had, struct ktsnap_value *partial)
{
	struct ktsnap_value *v = new_node(r);

	return v && !ktsnap_value_set_truncated(&r->arena, v, needed, had, partial) ? v : NULL;
}

/* ---- map and entry accessors ------------------------------------------------------ */
size_t ktsnap_report__map_count(const struct ktsnap_report *r)
{
	return r ? r->nr_maps : 0;
}

const struct ktsnap_map *ktsnap_report__map_by_index(const struct ktsnap_report *r, size_t i)
{
	if (!r)
		return ktsnap_fail_ptr(-EINVAL, "map_by_index: no report");
	return ktsnap_index_ok(i, r->nr_maps, "map index") ? &r->maps[i] : NULL;
}

const struct ktsnap_map *ktsnap_report__map_by_name(const struct ktsnap_report *r, const char *name)
{
	uint32_t i;

	for (i = 0; r && name && i < r->nr_maps; i++)
		if (!strcmp(r->maps[i].name, name))
			return &r->maps[i];
	if (!r || !name)
		return ktsnap_fail_ptr(-EINVAL, "map_by_name: no report or no name");
	return ktsnap_fail_ptr(-ENOENT, "the report has no map '%s'", name);
}

/*
 * Plain getters: a NULL object reads as 0 / NULL (common.h), so chains such
 * as ktsnap_map__value(ktsnap_report__map_by_name(r, "x")) never crash.
 * Each returns its member as the type its header declaration states.
 */
#define GETTER(fn, type, member)                                \
	__typeof__(fn(NULL)) fn(const struct type *o)           \
	{                                                       \
		return o ? o->member : (__typeof__(fn(NULL)))0; \
	}

GETTER(ktsnap_map__name, ktsnap_map, name)
GETTER(ktsnap_map__kva, ktsnap_map, map_kva)
GETTER(ktsnap_map__type, ktsnap_map, map_type)
GETTER(ktsnap_map__key_size, ktsnap_map, key_size)
GETTER(ktsnap_map__value_size, ktsnap_map, value_size)
GETTER(ktsnap_map__max_entries, ktsnap_map, max_entries)
GETTER(ktsnap_map__error, ktsnap_map, error)
GETTER(ktsnap_map__layout, ktsnap_map, layout)
GETTER(ktsnap_map__entry_count, ktsnap_map, nr_entries)
GETTER(ktsnap_map__cpu_count, ktsnap_map, nr_cpus)
GETTER(ktsnap_map__ringbuf, ktsnap_map, ringbuf)
GETTER(ktsnap_map__stack_trace, ktsnap_map, stack_trace)
GETTER(ktsnap_map__fd_array, ktsnap_map, fd_array)
GETTER(ktsnap_map_entry__key, ktsnap_map_entry, key_rv)
GETTER(ktsnap_map_entry__value, ktsnap_map_entry, val_rv)
GETTER(ktsnap_map_entry__payload, ktsnap_map_entry, payload)
GETTER(ktsnap_map_entry__index, ktsnap_map_entry, index)
GETTER(ktsnap_report__schema, ktsnap_report, schema)
GETTER(ktsnap_report__is_placeholder, ktsnap_report, is_placeholder)
GETTER(ktsnap_report__capture_ns, ktsnap_report, capture_ns)
GETTER(ktsnap_report__timestamp_ns, ktsnap_report, timestamp_ns)
GETTER(ktsnap_report__capture_skew_ns, ktsnap_report, capture_skew_ns)
GETTER(ktsnap_report__freeze_ns, ktsnap_report, freeze_ns)
GETTER(ktsnap_report__active_obj_name, ktsnap_report, active_obj_name)
GETTER(ktsnap_report__scx_sched_state, ktsnap_report, scx_sched_state)
GETTER(ktsnap_report__probe_counters, ktsnap_report, probe_counters)
GETTER(ktsnap_report__prog_runtime_stats_unavailable, ktsnap_report, prog_runtime_stats_unavailable)
GETTER(ktsnap_report__per_node_numa_unavailable, ktsnap_report, per_node_numa_unavailable)
GETTER(ktsnap_report__task_enrichments_unavailable, ktsnap_report, task_enrichments_unavailable)
GETTER(ktsnap_report__scx_walker_unavailable, ktsnap_report, scx_walker_unavailable)
GETTER(ktsnap_report__sdt_alloc_unavailable, ktsnap_report, sdt_alloc_unavailable)

const struct ktsnap_carried_json *ktsnap_report__carried_json(const struct ktsnap_report *r)
{
	if (!r)
		return ktsnap_fail_ptr(-EINVAL, "carried_json: no report");
	return &r->carried;
}

const struct ktsnap_value *ktsnap_map__value(const struct ktsnap_map *m)
{
	if (!m)
		return NULL;
	ktsnap_map_ensure_rendered(m);
	return m->value;
}

const struct ktsnap_map_entry *ktsnap_map__entry(const struct ktsnap_map *m, size_t i)
{
	if (!m)
		return ktsnap_fail_ptr(-EINVAL, "map entry: no map");
	if (!ktsnap_index_ok(i, m->nr_entries, "map '%s': index", m->name))
		return NULL;
	ktsnap_map_ensure_rendered(m);
	return &m->entries[i];
}

/* Bytes and their length (*len 0, NULL for a NULL entry; @len may be NULL). */
static const uint8_t *bytes(const uint8_t *p, uint32_t n, size_t *len)
{
	if (len)
		*len = p ? n : 0;
	return p;
}

const uint8_t *ktsnap_map_entry__key_bytes(const struct ktsnap_map_entry *e, size_t *len)
{
	return e ? bytes(e->key, e->key_len, len) : bytes(NULL, 0, len);
}

const uint8_t *ktsnap_map_entry__value_bytes(const struct ktsnap_map_entry *e, size_t *len)
{
	return e ? bytes(e->val, e->val_len, len) : bytes(NULL, 0, len);
}

const struct ktsnap_value *ktsnap_map_entry__cpu_value(const struct ktsnap_map_entry *e,
						       uint32_t cpu)
{
	if (!e || !e->per_cpu || cpu >= e->nr_cpus)
		return NULL;
	return e->per_cpu[cpu];
}

/* ---- report accessors ---------------------------------------------------------------- */
const uint64_t *ktsnap_report__active_map_kvas(const struct ktsnap_report *r, size_t *n)
{
	if (n)
		*n = r ? r->nr_active_map_kvas : 0;
	return r ? r->active_map_kvas : NULL;
}

#define LIST_ACCESSOR(type, field)                                                          \
	const struct type *ktsnap_report__##field(const struct ktsnap_report *r, size_t *n) \
	{                                                                                   \
		if (n)                                                                      \
			*n = r ? r->nr_##field : 0;                                         \
		return r ? r->field : NULL;                                                 \
	}

LIST_ACCESSOR(ktsnap_prog_runtime_stat, prog_runtime_stats)
LIST_ACCESSOR(ktsnap_per_cpu_time, per_cpu_time)
LIST_ACCESSOR(ktsnap_per_node_numa, per_node_numa)
LIST_ACCESSOR(ktsnap_cgroup_psi, cgroup_psi)
LIST_ACCESSOR(ktsnap_task_enrichment, task_enrichments)
LIST_ACCESSOR(ktsnap_event_counter_sample, event_counter_timeline)
LIST_ACCESSOR(ktsnap_rq_scx_state, rq_scx_states)
LIST_ACCESSOR(ktsnap_dsq_state, dsq_states)
