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

	if (!r)
		return NULL;
	s = ktsnap_arena_strdup(&r->arena, reason ? reason : "");
	if (!s) {
		ktsnap_report__free(r);
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	}
	r->is_placeholder = true;
	r->prog_runtime_stats_unavailable = s;
	r->per_node_numa_unavailable = s;
	r->task_enrichments_unavailable = s;
	r->scx_walker_unavailable = s;
	r->sdt_alloc_unavailable = s;
	return r;
}

void ktsnap_report__free(struct ktsnap_report *r)
{
	size_t i;

	if (!r)
		return;
	if (r->view_index && r->view_index_free)
		r->view_index_free(r->view_index);
	for (i = 0; i < r->nr_maps; i++)
		free(r->maps[i].raw);
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

struct ktsnap_value *ktsnap_value_new(struct ktsnap_report *r, enum ktsnap_value_kind kind)
{
	struct ktsnap_value *v = ktsnap_arena_alloc(&r->arena, sizeof(*v));

	if (v)
		v->kind = kind;
	return v;
}

struct ktsnap_value *ktsnap_value_new_uint(struct ktsnap_report *r, uint32_t bits, uint64_t x)
{
	struct ktsnap_value *v = ktsnap_value_new(r, KTSNAP_VALUE_UINT);

	if (v) {
		v->u.bits = bits;
		v->u.v = x;
	}
	return v;
}

struct ktsnap_value *ktsnap_value_new_struct(struct ktsnap_report *r, const char *type_name,
					     uint32_t nr)
{
	struct ktsnap_value *v = ktsnap_value_new(r, KTSNAP_VALUE_STRUCT);

	if (!v)
		return NULL;
	if (type_name && !(v->s.type_name = ktsnap_arena_strdup(&r->arena, type_name)))
		return NULL;
	if (nr && !(v->s.m = ktsnap_arena_alloc(&r->arena, nr * sizeof(*v->s.m))))
		return NULL;
	v->s.nr = nr;
	return v;
}

struct ktsnap_value *ktsnap_value_new_array(struct ktsnap_report *r, uint64_t len, uint32_t nr)
{
	struct ktsnap_value *v = ktsnap_value_new(r, KTSNAP_VALUE_ARRAY);

	if (!v)
		return NULL;
	if (nr && !(v->a.elems = ktsnap_arena_alloc(&r->arena, nr * sizeof(*v->a.elems))))
		return NULL;
	v->a.len = len;
	v->a.nr = nr;
	return v;
}

/* ---- map and entry accessors ------------------------------------------------------ */
size_t ktsnap_report__map_count(const struct ktsnap_report *r)
{
	return r ? r->nr_maps : 0;
}

const struct ktsnap_map *ktsnap_report__map_by_index(const struct ktsnap_report *r, size_t i)
{
	if (!r || i >= r->nr_maps) {
		errno = ERANGE;
		return NULL;
	}
	return &r->maps[i];
}

const struct ktsnap_map *ktsnap_report__map_by_name(const struct ktsnap_report *r,
						    const char *name)
{
	uint32_t i;

	for (i = 0; r && name && i < r->nr_maps; i++)
		if (!strcmp(r->maps[i].name, name))
			return &r->maps[i];
	errno = ENOENT;
	return NULL;
}

const char *ktsnap_map__name(const struct ktsnap_map *m)
{
	return m->name;
}

uint64_t ktsnap_map__kva(const struct ktsnap_map *m)
{
	return m->map_kva;
}

uint32_t ktsnap_map__type(const struct ktsnap_map *m)
{
	return m->map_type;
}

uint32_t ktsnap_map__key_size(const struct ktsnap_map *m)
{
	return m->key_size;
}

uint32_t ktsnap_map__value_size(const struct ktsnap_map *m)
{
	return m->value_size;
}

uint32_t ktsnap_map__max_entries(const struct ktsnap_map *m)
{
	return m->max_entries;
}

const char *ktsnap_map__error(const struct ktsnap_map *m)
{
	return m->error;
}

enum ktsnap_map_layout ktsnap_map__layout(const struct ktsnap_map *m)
{
	return m->layout;
}

const struct ktsnap_value *ktsnap_map__value(const struct ktsnap_map *m)
{
	ktsnap_map_ensure_rendered(m);
	return m->value;
}

size_t ktsnap_map__entry_count(const struct ktsnap_map *m)
{
	return m->nr_entries;
}

const struct ktsnap_map_entry *ktsnap_map__entry(const struct ktsnap_map *m, size_t i)
{
	if (i >= m->nr_entries) {
		errno = ERANGE;
		return NULL;
	}
	ktsnap_map_ensure_rendered(m);
	return &m->entries[i];
}

uint32_t ktsnap_map__cpu_count(const struct ktsnap_map *m)
{
	return m->nr_cpus;
}

const struct ktsnap_ringbuf_info *ktsnap_map__ringbuf(const struct ktsnap_map *m)
{
	return m->ringbuf;
}

const struct ktsnap_stack_trace_info *ktsnap_map__stack_trace(const struct ktsnap_map *m)
{
	return m->stack_trace;
}

const struct ktsnap_fd_array_info *ktsnap_map__fd_array(const struct ktsnap_map *m)
{
	return m->fd_array;
}

const struct ktsnap_value *ktsnap_map_entry__key(const struct ktsnap_map_entry *e)
{
	return e->key_rv;
}

const struct ktsnap_value *ktsnap_map_entry__value(const struct ktsnap_map_entry *e)
{
	return e->val_rv;
}

const struct ktsnap_value *ktsnap_map_entry__payload(const struct ktsnap_map_entry *e)
{
	return e->payload;
}

const uint8_t *ktsnap_map_entry__key_bytes(const struct ktsnap_map_entry *e, size_t *len)
{
	*len = e->key ? e->key_len : 0;
	return e->key;
}

const uint8_t *ktsnap_map_entry__value_bytes(const struct ktsnap_map_entry *e, size_t *len)
{
	*len = e->val ? e->val_len : 0;
	return e->val;
}

uint32_t ktsnap_map_entry__index(const struct ktsnap_map_entry *e)
{
	return e->index;
}

const struct ktsnap_value *ktsnap_map_entry__cpu_value(const struct ktsnap_map_entry *e,
						       uint32_t cpu)
{
	if (!e->per_cpu || cpu >= e->nr_cpus)
		return NULL;
	return e->per_cpu[cpu];
}

/* ---- report accessors ---------------------------------------------------------------- */
const char *ktsnap_report__schema(const struct ktsnap_report *r)
{
	return r->schema;
}

bool ktsnap_report__is_placeholder(const struct ktsnap_report *r)
{
	return r->is_placeholder;
}

uint64_t ktsnap_report__capture_ns(const struct ktsnap_report *r)
{
	return r->capture_ns;
}

uint64_t ktsnap_report__timestamp_ns(const struct ktsnap_report *r)
{
	return r->timestamp_ns;
}

const char *ktsnap_report__active_obj_name(const struct ktsnap_report *r)
{
	return r->active_obj_name;
}

const uint64_t *ktsnap_report__active_map_kvas(const struct ktsnap_report *r, size_t *n)
{
	*n = r->nr_active_map_kvas;
	return r->active_map_kvas;
}

#define LIST_ACCESSOR(type, field)                                                        \
	const struct type *ktsnap_report__##field(const struct ktsnap_report *r, size_t *n) \
	{                                                                                 \
		*n = r->nr_##field;                                                       \
		return r->field;                                                          \
	}

LIST_ACCESSOR(ktsnap_prog_runtime_stat, prog_runtime_stats)
LIST_ACCESSOR(ktsnap_per_cpu_time, per_cpu_time)
LIST_ACCESSOR(ktsnap_per_node_numa, per_node_numa)
LIST_ACCESSOR(ktsnap_cgroup_psi, cgroup_psi)
LIST_ACCESSOR(ktsnap_task_enrichment, task_enrichments)
LIST_ACCESSOR(ktsnap_event_counter_sample, event_counter_timeline)
LIST_ACCESSOR(ktsnap_rq_scx_state, rq_scx_states)
LIST_ACCESSOR(ktsnap_dsq_state, dsq_states)

const struct ktsnap_scx_sched_state *ktsnap_report__scx_sched_state(const struct ktsnap_report *r)
{
	return r->scx_sched_state;
}

const struct ktsnap_probe_counters *ktsnap_report__probe_counters(const struct ktsnap_report *r)
{
	return r->probe_counters;
}

const char *ktsnap_report__prog_runtime_stats_unavailable(const struct ktsnap_report *r)
{
	return r->prog_runtime_stats_unavailable;
}

const char *ktsnap_report__per_node_numa_unavailable(const struct ktsnap_report *r)
{
	return r->per_node_numa_unavailable;
}

const char *ktsnap_report__task_enrichments_unavailable(const struct ktsnap_report *r)
{
	return r->task_enrichments_unavailable;
}

const char *ktsnap_report__scx_walker_unavailable(const struct ktsnap_report *r)
{
	return r->scx_walker_unavailable;
}

const char *ktsnap_report__sdt_alloc_unavailable(const struct ktsnap_report *r)
{
	return r->sdt_alloc_unavailable;
}
