// SPDX-License-Identifier: MIT
/*
 * Report → JSON sidecar (spec §3–§4, see include/ktsnap/json.h).  Field
 * order is fixed (the spec tables' order) so that write → read → write is
 * byte-identical; json_read.c accepts exactly this shape.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/json.h>

#include "json_internal.h"
#include "json_writer.h"
#include "log_internal.h"
#include "report_internal.h"
#include "render_internal.h"
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
		jw_kv_u64(w, "bits", v->i.bits);
		jw_kv_i64(w, "value", v->i.v);
		break;
	case KTSNAP_VALUE_UINT:
		jw_kv_u64(w, "bits", v->u.bits);
		jw_kv_u64(w, "value", v->u.v);
		break;
	case KTSNAP_VALUE_BOOL:
		jw_kv_bool(w, "value", v->b);
		break;
	case KTSNAP_VALUE_CHAR:
		jw_kv_u64(w, "value", v->c);
		break;
	case KTSNAP_VALUE_FLOAT:
		jw_kv_u64(w, "bits", v->f.bits);
		jw_kv_f64(w, "value", v->f.v);
		break;
	case KTSNAP_VALUE_ENUM:
		jw_kv_u64(w, "bits", v->e.bits);
		/* unsigned enums keep the bit pattern in v; show it unsigned */
		if (v->e.is_signed)
			jw_kv_i64(w, "value", v->e.v);
		else
			jw_kv_u64(w, "value", (uint64_t)v->e.v);
		write_opt_str(w, "variant", v->e.variant);
		if (v->e.is_signed)
			jw_kv_bool(w, "is_signed", true);
		break;
	case KTSNAP_VALUE_CPU_LIST:
		jw_kv_str(w, "cpus", v->cpus ? v->cpus : "");
		break;
	case KTSNAP_VALUE_PTR:
		jw_kv_u64(w, "value", v->p.v);
		break;
	case KTSNAP_VALUE_BYTES:
		jw_kv_str(w, "hex", v->hex ? v->hex : "");
		break;
	case KTSNAP_VALUE_TRUNCATED:
		jw_kv_u64(w, "needed", v->t.needed);
		jw_kv_u64(w, "had", v->t.had);
		break;
	case KTSNAP_VALUE_UNSUPPORTED:
		jw_kv_str(w, "reason", v->reason ? v->reason : "");
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
		write_opt_str(w, "type_name", v->s.type_name);
		jw_key(w, "members");
		jw_arr_begin(w);
		break;
	case KTSNAP_VALUE_ARRAY:
		jw_kv_u64(w, "len", v->a.len);
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
	write_opt_str(w, "deref_skipped_reason", v->p.skip_reason);
	write_opt_str(w, "cast_annotation", v->p.cast);
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
	jw__put_u64(w, false, is_uint ? v->u.bits : v->i.bits);
	jw__put(w, ",\"value\":", 9);
	if (is_uint)
		jw__put_u64(w, false, v->u.v);
	else
		jw__put_u64(w, v->i.v < 0, v->i.v < 0 ? -(uint64_t)v->i.v : (uint64_t)v->i.v);
	jw__putch(w, '}');
}

static void write_value(struct json_writer *w, const struct ktsnap_value *v)
{
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
		for (i = 0; i < v->s.nr; i++) {
			write_member_name(w, v->s.m[i].name);
			write_value(w, &v->s.m[i].v);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		break;
	case KTSNAP_VALUE_ARRAY:
		for (i = 0; i < v->a.nr; i++)
			write_value(w, &v->a.elems[i]);
		jw_arr_end(w);
		break;
	case KTSNAP_VALUE_PTR:
		write_opt_value(w, "deref", v->p.deref);
		write_ptr_tail(w, v);
		break;
	case KTSNAP_VALUE_TRUNCATED:
		write_opt_value(w, "partial", v->t.partial);
		break;
	default:
		break;
	}
	jw_obj_end(w);
}

static void write_hex_field(struct json_writer *w, const char *key, const uint8_t *p,
			    uint32_t n)
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
 *  - hash maps whose key and value types compile to JSON plans (structs of
 *    integers: most big maps) are written straight from the bytes (see
 *    json_plan.c);
 *  - every other map renders each entry into a small scratch arena, writes
 *    it and forgets it: the same renderer and writer, so the same bytes.
 * Either way the working set stays in cache and no memory grows with the
 * map.
 */
struct entry_plans {
	struct json_plan *key, *val;
	bool ok;
};

static void plans_init(struct entry_plans *pl, const struct ktsnap_map *m)
{
	memset(pl, 0, sizeof(*pl));
	if (m->layout != KTSNAP_LAYOUT_HASH || !m->btf)
		return;
	if (m->btf_key_type_id &&
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

/* write_entry()'s HASH case, for a fresh capture (no payload) */
static void write_planned_entry(struct json_writer *w, const struct entry_plans *pl,
				const struct ktsnap_map_entry *e)
{
	jw_obj_begin(w);
	if (pl->key) {
		jw_key(w, "key");
		json_plan_write(pl->key, w, e->key);
	}
	write_hex_field(w, "key_hex", e->key, e->key_len);
	if (pl->val) {
		jw_key(w, "value");
		json_plan_write(pl->val, w, e->val);
	}
	write_hex_field(w, "value_hex", e->val, e->val_len);
	jw_obj_end(w);
}

static void stream_entries(struct json_writer *w, const struct ktsnap_map *m,
			   const struct entry_plans *pl)
{
	struct ktsnap_arena scratch;
	uint32_t i;

	if (pl->ok) {
		for (i = 0; i < m->nr_entries && !w->err; i++)
			write_planned_entry(w, pl, &m->entries[i]);
		return;
	}
	ktsnap_arena_init(&scratch);
	for (i = 0; i < m->nr_entries && !w->err; i++) {
		struct ktsnap_map_entry e = m->entries[i];

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

		plans_init(&pl, m);
		stream_entries(w, m, &pl);
		plans_release(&pl);
	} else
		for (i = 0; i < m->nr_entries; i++)
			write_entry(w, m, &m->entries[i]);
	jw_arr_end(w);
}

static void write_map(struct json_writer *w, const struct ktsnap_map *m)
{
	size_t i;

	if (m->layout == KTSNAP_LAYOUT_VALUE)
		ktsnap_map_ensure_rendered(m);
	jw_obj_begin(w);
	jw_kv_str(w, "name", m->name ? m->name : "");
	jw_kv_u64(w, "map_kva", m->map_kva);
	jw_kv_u64(w, "map_type", m->map_type);
	jw_kv_u64(w, "key_size", m->key_size);
	jw_kv_u64(w, "value_size", m->value_size);
	jw_kv_u64(w, "max_entries", m->max_entries);
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
	if (m->ringbuf) {
		jw_key(w, "ringbuf");
		jw_obj_begin(w);
		jw_kv_u64(w, "capacity", m->ringbuf->capacity);
		jw_kv_u64(w, "consumer_pos", m->ringbuf->consumer_pos);
		jw_kv_u64(w, "producer_pos", m->ringbuf->producer_pos);
		jw_kv_u64(w, "pending_pos", m->ringbuf->pending_pos);
		jw_kv_u64(w, "pending_bytes", m->ringbuf->pending_bytes);
		jw_obj_end(w);
	}
	if (m->stack_trace) {
		const struct ktsnap_stack_trace_info *st = m->stack_trace;

		jw_key(w, "stack_trace");
		jw_obj_begin(w);
		jw_kv_u64(w, "n_buckets", st->n_buckets);
		jw_key(w, "entries");
		jw_arr_begin(w);
		for (i = 0; i < st->nr_entries; i++) {
			const struct ktsnap_stack_trace_entry *se = &st->entries[i];
			uint32_t k;

			jw_obj_begin(w);
			jw_kv_u64(w, "bucket_id", se->bucket_id);
			jw_kv_u64(w, "nr", se->nr);
			jw_key(w, "pcs");
			jw_arr_begin(w);
			for (k = 0; se->pcs && k < se->nr; k++)
				jw_u64(w, se->pcs[k]);
			jw_arr_end(w);
			jw_kv_str(w, "data_hex", se->data_hex ? se->data_hex : "");
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_kv_bool(w, "truncated", st->truncated);
		jw_obj_end(w);
	}
	if (m->fd_array) {
		const struct ktsnap_fd_array_info *fa = m->fd_array;

		jw_key(w, "fd_array");
		jw_obj_begin(w);
		jw_kv_u64(w, "populated", fa->populated);
		jw_kv_u64(w, "scanned", fa->scanned);
		jw_key(w, "indices");
		jw_arr_begin(w);
		for (i = 0; fa->indices && i < fa->nr_indices; i++)
			jw_u64(w, fa->indices[i]);
		jw_arr_end(w);
		jw_kv_bool(w, "truncated", fa->truncated);
		jw_kv_bool(w, "indices_truncated", fa->indices_truncated);
		jw_obj_end(w);
	}
	write_opt_str(w, "error", m->error);
	jw_obj_end(w);
}

static void write_u64_list(struct json_writer *w, const char *key, const uint64_t *v,
			   size_t n)
{
	size_t i;

	jw_key(w, key);
	jw_arr_begin(w);
	for (i = 0; v && i < n; i++)
		jw_u64(w, v[i]);
	jw_arr_end(w);
}

static void write_raw_opt(struct json_writer *w, const char *key, const char *json)
{
	if (!json)
		return;
	jw_key(w, key);
	jw_raw(w, json);
}

static void write_per_cpu_time(struct json_writer *w, const struct ktsnap_per_cpu_time *t)
{
	int k;

	jw_obj_begin(w);
	jw_kv_u64(w, "cpu", t->cpu);
	jw_kv_u64(w, "cpustat_user_ns", t->cpustat_user_ns);
	jw_kv_u64(w, "cpustat_nice_ns", t->cpustat_nice_ns);
	jw_kv_u64(w, "cpustat_system_ns", t->cpustat_system_ns);
	jw_kv_u64(w, "cpustat_softirq_ns", t->cpustat_softirq_ns);
	jw_kv_u64(w, "cpustat_irq_ns", t->cpustat_irq_ns);
	jw_kv_u64(w, "cpustat_idle_ns", t->cpustat_idle_ns);
	jw_kv_u64(w, "cpustat_iowait_ns", t->cpustat_iowait_ns);
	jw_kv_u64(w, "cpustat_steal_ns", t->cpustat_steal_ns);
	jw_key(w, "softirqs");
	jw_arr_begin(w);
	for (k = 0; k < KTSNAP_NR_SOFTIRQS; k++)
		jw_u64(w, t->softirqs[k]);
	jw_arr_end(w);
	jw_kv_u64(w, "irqs_sum", t->irqs_sum);
	if (t->has_iowait_sleeptime_ns)
		jw_kv_u64(w, "iowait_sleeptime_ns", t->iowait_sleeptime_ns);
	jw_obj_end(w);
}

static void write_psi(struct json_writer *w, const struct ktsnap_cgroup_psi *p)
{
	jw_obj_begin(w);
	jw_kv_str(w, "cgroup", p->cgroup ? p->cgroup : "");
	jw_kv_str(w, "resource", p->resource ? p->resource : "");
	jw_kv_f64(w, "some_avg10", p->some_avg10);
	jw_kv_f64(w, "some_avg60", p->some_avg60);
	jw_kv_f64(w, "some_avg300", p->some_avg300);
	jw_kv_u64(w, "some_total_us", p->some_total_us);
	if (p->has_full) {
		jw_kv_f64(w, "full_avg10", p->full_avg10);
		jw_kv_f64(w, "full_avg60", p->full_avg60);
		jw_kv_f64(w, "full_avg300", p->full_avg300);
		jw_kv_u64(w, "full_total_us", p->full_total_us);
	}
	jw_obj_end(w);
}

static void write_task(struct json_writer *w, const struct ktsnap_task_enrichment *t)
{
	jw_obj_begin(w);
	jw_kv_i64(w, "pid", t->pid);
	jw_kv_i64(w, "tgid", t->tgid);
	write_opt_str(w, "comm", t->comm);
	write_opt_str(w, "cgroup", t->cgroup);
	jw_kv_i64(w, "prio", t->prio);
	jw_kv_i64(w, "nice", t->nice);
	jw_kv_u64(w, "policy", t->policy);
	write_opt_str(w, "state", t->state);
	jw_kv_i64(w, "cpu", t->cpu);
	jw_kv_u64(w, "sum_exec_runtime_ns", t->sum_exec_runtime_ns);
	jw_kv_u64(w, "nr_voluntary_switches", t->nr_voluntary_switches);
	jw_kv_u64(w, "nr_involuntary_switches", t->nr_involuntary_switches);
	jw_obj_end(w);
}

static void write_event_sample(struct json_writer *w, const struct ktsnap_event_counter_sample *s)
{
	jw_obj_begin(w);
	jw_kv_u64(w, "elapsed_ms", s->elapsed_ms);
#define EV(f) jw_kv_i64(w, #f, s->f)
	EV(select_cpu_fallback);
	EV(dispatch_local_dsq_offline);
	EV(dispatch_keep_last);
	EV(enq_skip_exiting);
	EV(enq_skip_migration_disabled);
	EV(reenq_immed);
	EV(reenq_local_repeat);
	EV(refill_slice_dfl);
	EV(bypass_duration);
	EV(bypass_dispatch);
	EV(bypass_activate);
	EV(insert_not_owned);
	EV(sub_bypass_dispatch);
#undef EV
	jw_obj_end(w);
}

static void write_rq(struct json_writer *w, const struct ktsnap_rq_scx_state *q)
{
	jw_obj_begin(w);
	jw_kv_u64(w, "cpu", q->cpu);
	jw_kv_u64(w, "nr_running", q->nr_running);
	jw_kv_u64(w, "flags", q->flags);
	jw_kv_bool(w, "cpu_released", q->cpu_released);
	jw_kv_u64(w, "ops_qseq", q->ops_qseq);
	if (q->has_kick_sync)
		jw_kv_u64(w, "kick_sync", q->kick_sync);
	jw_kv_u64(w, "nr_immed", q->nr_immed);
	jw_kv_u64(w, "rq_clock", q->rq_clock);
	if (q->has_curr_pid)
		jw_kv_i64(w, "curr_pid", q->curr_pid);
	write_u64_list(w, "runnable_task_kvas", q->runnable_task_kvas,
		       q->nr_runnable_task_kvas);
	jw_obj_end(w);
}

static void write_dsq(struct json_writer *w, const struct ktsnap_dsq_state *d)
{
	jw_obj_begin(w);
	jw_kv_str(w, "origin", d->origin ? d->origin : "");
	jw_kv_u64(w, "nr", d->nr);
	jw_kv_u64(w, "seq", d->seq);
	write_u64_list(w, "task_kvas", d->task_kvas, d->nr_task_kvas);
	jw_kv_bool(w, "truncated", d->truncated);
	jw_obj_end(w);
}

static void write_sched_state(struct json_writer *w, const struct ktsnap_scx_sched_state *s)
{
	jw_obj_begin(w);
	jw_kv_bool(w, "aborting", s->aborting);
	jw_kv_i64(w, "bypass_depth", s->bypass_depth);
	jw_kv_i64(w, "exit_kind", s->exit_kind);
	if (s->has_watchdog_timeout)
		jw_kv_u64(w, "watchdog_timeout", s->watchdog_timeout);
	write_opt_str(w, "source", s->source);
	if (s->has_sched_kva)
		jw_kv_u64(w, "sched_kva", s->sched_kva);
	jw_obj_end(w);
}

static void write_probe_counters(struct json_writer *w, const struct ktsnap_probe_counters *p)
{
	jw_obj_begin(w);
#define PC(f) jw_kv_u64(w, #f, p->f)
	PC(probe_count);
	PC(kprobe_returns);
	PC(meta_miss);
	PC(ringbuf_drops);
	PC(timeline_count);
	PC(timeline_drops);
	PC(pi_count);
	PC(pi_orphan_fexits);
	PC(pi_class_change_count);
	PC(pi_drops);
	PC(lock_contend_count);
	PC(lock_contend_drops);
	PC(preempt_disable_count);
	PC(preempt_enable_count);
	PC(trigger_count);
#undef PC
	jw_obj_end(w);
}

#define WRITE_LIST(w, key, arr, n, fn)               \
	do {                                         \
		if (n) {                             \
			size_t i_;                   \
			jw_key(w, key);              \
			jw_arr_begin(w);             \
			for (i_ = 0; i_ < (n); i_++) \
				fn(w, &(arr)[i_]);   \
			jw_arr_end(w);               \
		}                                    \
	} while (0)

static void write_prog_stat(struct json_writer *w, const struct ktsnap_prog_runtime_stat *s)
{
	jw_obj_begin(w);
	jw_kv_str(w, "name", s->name ? s->name : "");
	jw_kv_u64(w, "cnt", s->cnt);
	jw_kv_u64(w, "nsecs", s->nsecs);
	jw_kv_u64(w, "misses", s->misses);
	if (s->verified_insns)
		jw_kv_u64(w, "verified_insns", s->verified_insns);
	jw_obj_end(w);
}

static void write_numa(struct json_writer *w, const struct ktsnap_per_node_numa *n)
{
	jw_obj_begin(w);
	jw_kv_u64(w, "node", n->node);
	jw_kv_u64(w, "numa_hit", n->numa_hit);
	jw_kv_u64(w, "numa_miss", n->numa_miss);
	jw_kv_u64(w, "numa_foreign", n->numa_foreign);
	jw_kv_u64(w, "numa_interleave_hit", n->numa_interleave_hit);
	jw_kv_u64(w, "numa_local", n->numa_local);
	jw_kv_u64(w, "numa_other", n->numa_other);
	jw_obj_end(w);
}

static void write_report(struct json_writer *w, const struct ktsnap_report *r)
{
	uint32_t i;

	jw_obj_begin(w);
	jw_kv_str(w, "schema", r->schema ? r->schema : "single");
	jw_key(w, "maps");
	jw_arr_begin(w);
	for (i = 0; i < r->nr_maps; i++) {
		write_map(w, &r->maps[i]);
		/* keep the buffer from holding a whole 100k-entry map */
		if (w->len > JW_BUF_SIZE / 2)
			jw_flush(w);
	}
	jw_arr_end(w);
	write_raw_opt(w, "vcpu_regs", r->vcpu_regs_json);
	write_opt_str(w, "active_obj_name", r->active_obj_name);
	if (r->nr_active_map_kvas)
		write_u64_list(w, "active_map_kvas", r->active_map_kvas, r->nr_active_map_kvas);
	write_raw_opt(w, "sdt_allocations", r->sdt_allocations_json);
	write_raw_opt(w, "scx_static_ranges", r->scx_static_ranges_json);
	write_opt_str(w, "sdt_alloc_unavailable", r->sdt_alloc_unavailable);
	WRITE_LIST(w, "prog_runtime_stats", r->prog_runtime_stats, r->nr_prog_runtime_stats,
		   write_prog_stat);
	write_opt_str(w, "prog_runtime_stats_unavailable", r->prog_runtime_stats_unavailable);
	WRITE_LIST(w, "per_cpu_time", r->per_cpu_time, r->nr_per_cpu_time, write_per_cpu_time);
	WRITE_LIST(w, "per_node_numa", r->per_node_numa, r->nr_per_node_numa, write_numa);
	write_opt_str(w, "per_node_numa_unavailable", r->per_node_numa_unavailable);
	WRITE_LIST(w, "task_enrichments", r->task_enrichments, r->nr_task_enrichments,
		   write_task);
	write_opt_str(w, "task_enrichments_unavailable", r->task_enrichments_unavailable);
	WRITE_LIST(w, "event_counter_timeline", r->event_counter_timeline,
		   r->nr_event_counter_timeline, write_event_sample);
	WRITE_LIST(w, "rq_scx_states", r->rq_scx_states, r->nr_rq_scx_states, write_rq);
	WRITE_LIST(w, "dsq_states", r->dsq_states, r->nr_dsq_states, write_dsq);
	if (r->scx_sched_state) {
		jw_key(w, "scx_sched_state");
		write_sched_state(w, r->scx_sched_state);
	}
	write_opt_str(w, "scx_walker_unavailable", r->scx_walker_unavailable);
	write_raw_opt(w, "vcpu_perf_at_freeze", r->vcpu_perf_at_freeze_json);
	if (r->has_dump_truncated_at_us)
		jw_kv_u64(w, "dump_truncated_at_us", r->dump_truncated_at_us);
	if (r->probe_counters) {
		jw_key(w, "probe_counters");
		write_probe_counters(w, r->probe_counters);
	}
	WRITE_LIST(w, "cgroup_psi", r->cgroup_psi, r->nr_cgroup_psi, write_psi);
	if (r->is_placeholder)
		jw_kv_bool(w, "is_placeholder", true);
	if (r->capture_ns)
		jw_kv_u64(w, "capture_ns", r->capture_ns);
	if (r->timestamp_ns)
		jw_kv_u64(w, "timestamp_ns", r->timestamp_ns);
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

int ktsnap_report__write_json(const struct ktsnap_report *r, FILE *f, unsigned int flags)
{
	struct json_writer *w;

	if (!r)
		return ktsnap_fail(-EINVAL, "JSON writer: no report");
	w = start(f, flags);
	if (!w)
		return -errno;
	write_report(w, r);
	return finish(w);
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
