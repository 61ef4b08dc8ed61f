// SPDX-License-Identifier: MIT
/*
 * json_schema: every field of a report file, listed once.  Each table below
 * is one JSON object shape (a walker record, a map, the report itself, the
 * "dual" and "degraded" sidecars) in the order the writer emits its fields;
 * json_read.c's read_record() and json_write.c's write_record() both walk
 * these tables, so a field the writer emits is always one the reader
 * accepts.  The types and flags are described in json_internal.h.
 */
#include <stddef.h>
#include <stdint.h>

#include "json_internal.h"

/*
 * One field of struct @S: its JSON name, where it is (@f), and the rest of
 * struct json_field.  The shorthands below all spell a field through it.
 */
#define FIELD(name, t, fl, n, S, f, aux, sub)                   \
	{                                                       \
		name, t, fl, n, offsetof(struct S, f), aux, sub \
	}
/* the offset of @S's field @f as a json_field aux */
#define AUX(S, f) ((ssize_t)offsetof(struct S, f))
/* a field whose JSON name is not its C name */
#define FX(S, name, f, t, fl) FIELD(name, t, fl, 0, S, f, -1, NULL)
#define FL(S, f, t, fl) FX(S, #f, f, t, fl)
#define F(S, f, t) FL(S, f, t, 0)
/* present only when the bool @h is set */
#define FH(S, f, t, h) FIELD(#f, t, JF_HAS, 0, S, f, AUX(S, h), NULL)
/* a list with its count in @n */
#define FN(S, f, t, fl, n) FIELD(#f, t, fl, 0, S, f, AUX(S, n), NULL)
/* records: @sub describes each element */
#define FR(S, f, fl, n, sub) FIELD(#f, JF_RECORDS, fl, 0, S, f, AUX(S, n), &sub)
/* one record, absent when NULL */
#define FO(S, f, sub) FIELD(#f, JF_OBJECT, JF_OMIT_NULL, 0, S, f, -1, &sub)
#define HOOK(name)                               \
	{                                        \
		name, JF_HOOK, 0, 0, 0, -1, NULL \
	}
#define REC(S, tab)                                                     \
	{                                                               \
#S, sizeof(struct S), tab, sizeof(tab) / sizeof(tab[0]) \
	}
/*
 * For a record of 64-bit counters only: a member added to the public
 * struct without its row here fails the build instead of never reaching
 * the file.
 */
#define ALL_U64_ROWS(S, tab)                                                                \
	_Static_assert(sizeof(struct S) == sizeof(tab) / sizeof(tab[0]) * sizeof(uint64_t), \
		       "struct " #S " has a member that " #tab " lacks")

/* ---- walker records ------------------------------------------------------------- */
static const struct json_field prog_stat_f[] = {
	F(ktsnap_prog_runtime_stat, name, JF_STR),
	F(ktsnap_prog_runtime_stat, cnt, JF_U64),
	F(ktsnap_prog_runtime_stat, nsecs, JF_U64),
	F(ktsnap_prog_runtime_stat, misses, JF_U64),
	FL(ktsnap_prog_runtime_stat, verified_insns, JF_U64, JF_OMIT_EMPTY),
};
static const struct json_record prog_stat = REC(ktsnap_prog_runtime_stat, prog_stat_f);

#define T(f) F(ktsnap_per_cpu_time, f, JF_U64)
static const struct json_field cpu_time_f[] = {
	F(ktsnap_per_cpu_time, cpu, JF_U32),
	T(cpustat_user_ns),
	T(cpustat_nice_ns),
	T(cpustat_system_ns),
	T(cpustat_softirq_ns),
	T(cpustat_irq_ns),
	T(cpustat_idle_ns),
	T(cpustat_iowait_ns),
	T(cpustat_steal_ns),
	FIELD("softirqs", JF_U64_FIXED, 0, KTSNAP_NR_SOFTIRQS, ktsnap_per_cpu_time, softirqs, -1,
	      NULL),
	T(irqs_sum),
	FH(ktsnap_per_cpu_time, iowait_sleeptime_ns, JF_U64, has_iowait_sleeptime_ns),
};
#undef T
static const struct json_record cpu_time = REC(ktsnap_per_cpu_time, cpu_time_f);

#define N(f) F(ktsnap_per_node_numa, f, JF_U64)
static const struct json_field numa_f[] = {
	F(ktsnap_per_node_numa, node, JF_U32),
	N(numa_hit),
	N(numa_miss),
	N(numa_foreign),
	N(numa_interleave_hit),
	N(numa_local),
	N(numa_other),
};
#undef N
static const struct json_record numa = REC(ktsnap_per_node_numa, numa_f);

static const struct json_field task_f[] = {
	F(ktsnap_task_enrichment, pid, JF_I32),
	F(ktsnap_task_enrichment, tgid, JF_I32),
	FL(ktsnap_task_enrichment, comm, JF_STR, JF_OMIT_NULL),
	FL(ktsnap_task_enrichment, cgroup, JF_STR, JF_OMIT_NULL),
	F(ktsnap_task_enrichment, prio, JF_I32),
	F(ktsnap_task_enrichment, nice, JF_I32),
	F(ktsnap_task_enrichment, policy, JF_U32),
	FL(ktsnap_task_enrichment, state, JF_STR, JF_OMIT_NULL),
	F(ktsnap_task_enrichment, cpu, JF_I32),
	F(ktsnap_task_enrichment, sum_exec_runtime_ns, JF_U64),
	F(ktsnap_task_enrichment, nr_voluntary_switches, JF_U64),
	F(ktsnap_task_enrichment, nr_involuntary_switches, JF_U64),
};
static const struct json_record task = REC(ktsnap_task_enrichment, task_f);

#define E(f) F(ktsnap_event_counter_sample, f, JF_I64)
static const struct json_field event_f[] = {
	F(ktsnap_event_counter_sample, elapsed_ms, JF_U64),
	E(select_cpu_fallback),
	E(dispatch_local_dsq_offline),
	E(dispatch_keep_last),
	E(enq_skip_exiting),
	E(enq_skip_migration_disabled),
	E(reenq_immed),
	E(reenq_local_repeat),
	E(refill_slice_dfl),
	E(bypass_duration),
	E(bypass_dispatch),
	E(bypass_activate),
	E(insert_not_owned),
	E(sub_bypass_dispatch),
};
#undef E
static const struct json_record event = REC(ktsnap_event_counter_sample, event_f);
ALL_U64_ROWS(ktsnap_event_counter_sample, event_f);

static const struct json_field rq_f[] = {
	F(ktsnap_rq_scx_state, cpu, JF_U32),
	F(ktsnap_rq_scx_state, nr_running, JF_U64),
	F(ktsnap_rq_scx_state, flags, JF_U64),
	F(ktsnap_rq_scx_state, cpu_released, JF_BOOL),
	F(ktsnap_rq_scx_state, ops_qseq, JF_U64),
	FH(ktsnap_rq_scx_state, kick_sync, JF_U64, has_kick_sync),
	F(ktsnap_rq_scx_state, nr_immed, JF_U64),
	F(ktsnap_rq_scx_state, rq_clock, JF_U64),
	FH(ktsnap_rq_scx_state, curr_pid, JF_I32, has_curr_pid),
	FN(ktsnap_rq_scx_state, runnable_task_kvas, JF_U64_LIST, 0, nr_runnable_task_kvas),
};
static const struct json_record rq = REC(ktsnap_rq_scx_state, rq_f);

static const struct json_field dsq_f[] = {
	F(ktsnap_dsq_state, origin, JF_STR),
	F(ktsnap_dsq_state, nr, JF_U64),
	F(ktsnap_dsq_state, seq, JF_U64),
	FN(ktsnap_dsq_state, task_kvas, JF_U64_LIST, 0, nr_task_kvas),
	F(ktsnap_dsq_state, truncated, JF_BOOL),
};
static const struct json_record dsq = REC(ktsnap_dsq_state, dsq_f);

static const struct json_field sched_f[] = {
	F(ktsnap_scx_sched_state, aborting, JF_BOOL),
	F(ktsnap_scx_sched_state, bypass_depth, JF_I64),
	F(ktsnap_scx_sched_state, exit_kind, JF_I64),
	FH(ktsnap_scx_sched_state, watchdog_timeout, JF_U64, has_watchdog_timeout),
	FL(ktsnap_scx_sched_state, source, JF_STR, JF_OMIT_NULL),
	FH(ktsnap_scx_sched_state, sched_kva, JF_U64, has_sched_kva),
};
static const struct json_record sched = REC(ktsnap_scx_sched_state, sched_f);

#define P(f) F(ktsnap_probe_counters, f, JF_U64)
static const struct json_field probe_f[] = {
	P(probe_count),
	P(kprobe_returns),
	P(meta_miss),
	P(ringbuf_drops),
	P(timeline_count),
	P(timeline_drops),
	P(pi_count),
	P(pi_orphan_fexits),
	P(pi_class_change_count),
	P(pi_drops),
	P(lock_contend_count),
	P(lock_contend_drops),
	P(preempt_disable_count),
	P(preempt_enable_count),
	P(trigger_count),
};
#undef P
static const struct json_record probe = REC(ktsnap_probe_counters, probe_f);
ALL_U64_ROWS(ktsnap_probe_counters, probe_f);

static const struct json_field psi_f[] = {
	F(ktsnap_cgroup_psi, cgroup, JF_STR),
	F(ktsnap_cgroup_psi, resource, JF_STR),
	F(ktsnap_cgroup_psi, some_avg10, JF_F64),
	F(ktsnap_cgroup_psi, some_avg60, JF_F64),
	F(ktsnap_cgroup_psi, some_avg300, JF_F64),
	F(ktsnap_cgroup_psi, some_total_us, JF_U64),
	FH(ktsnap_cgroup_psi, full_avg10, JF_F64, has_full),
	FH(ktsnap_cgroup_psi, full_avg60, JF_F64, has_full),
	FH(ktsnap_cgroup_psi, full_avg300, JF_F64, has_full),
	FH(ktsnap_cgroup_psi, full_total_us, JF_U64, has_full),
};
static const struct json_record psi = REC(ktsnap_cgroup_psi, psi_f);

/* ---- map side records ------------------------------------------------------------ */
static const struct json_field ringbuf_f[] = {
	F(ktsnap_ringbuf_info, capacity, JF_U64),      F(ktsnap_ringbuf_info, consumer_pos, JF_U64),
	F(ktsnap_ringbuf_info, producer_pos, JF_U64),  F(ktsnap_ringbuf_info, pending_pos, JF_U64),
	F(ktsnap_ringbuf_info, pending_bytes, JF_U64),
};
const struct json_record json_rec_ringbuf = REC(ktsnap_ringbuf_info, ringbuf_f);

static const struct json_field stack_entry_f[] = {
	F(ktsnap_stack_trace_entry, bucket_id, JF_U32),
	F(ktsnap_stack_trace_entry, nr, JF_U32),
	/* the writer emits nr pcs; the reader checks that it got nr */
	FN(ktsnap_stack_trace_entry, pcs, JF_U64_LIST, JF_COUNT_FIELD, nr),
	F(ktsnap_stack_trace_entry, data_hex, JF_STR),
};
static const struct json_record stack_entry = REC(ktsnap_stack_trace_entry, stack_entry_f);

static const struct json_field stack_trace_f[] = {
	F(ktsnap_stack_trace_info, n_buckets, JF_U32),
	FR(ktsnap_stack_trace_info, entries, 0, nr_entries, stack_entry),
	F(ktsnap_stack_trace_info, truncated, JF_BOOL),
};
const struct json_record json_rec_stack_trace = REC(ktsnap_stack_trace_info, stack_trace_f);

static const struct json_field fd_array_f[] = {
	F(ktsnap_fd_array_info, populated, JF_U32),
	F(ktsnap_fd_array_info, scanned, JF_U32),
	FN(ktsnap_fd_array_info, indices, JF_U32_LIST, 0, nr_indices),
	F(ktsnap_fd_array_info, truncated, JF_BOOL),
	F(ktsnap_fd_array_info, indices_truncated, JF_BOOL),
};
const struct json_record json_rec_fd_array = REC(ktsnap_fd_array_info, fd_array_f);

const char *const json_layout_keys[5] = { "value", "entries", "array_entries", "percpu_entries",
					  "percpu_hash_entries" };

static const struct json_field map_f[] = {
	F(ktsnap_map, name, JF_STR),
	F(ktsnap_map, map_kva, JF_U64),
	F(ktsnap_map, map_type, JF_U32),
	F(ktsnap_map, key_size, JF_U32),
	F(ktsnap_map, value_size, JF_U32),
	F(ktsnap_map, max_entries, JF_U32),
	HOOK("layout"), /* one of json_layout_keys */
	FX(ktsnap_map, "arena", arena_json, JF_RAW, JF_OMIT_NULL | JF_ANY),
	FO(ktsnap_map, ringbuf, json_rec_ringbuf),
	FO(ktsnap_map, stack_trace, json_rec_stack_trace),
	FO(ktsnap_map, fd_array, json_rec_fd_array),
	FL(ktsnap_map, error, JF_STR, JF_OMIT_NULL),
};
const struct json_record json_rec_map = REC(ktsnap_map, map_f);

/* ---- the report ------------------------------------------------------------------- */
#define S(f) FL(ktsnap_report, f, JF_STR, JF_OMIT_NULL)
#define RAW(f, fl) FX(ktsnap_report, #f, carried.f, JF_RAW, JF_OMIT_NULL | (fl))
#define LIST(f, sub) FR(ktsnap_report, f, JF_OMIT_EMPTY, nr_##f, sub)
static const struct json_field report_f[] = {
	HOOK("schema"),
	HOOK("maps"),
	RAW(vcpu_regs, JF_ARRAY),
	S(active_obj_name),
	FN(ktsnap_report, active_map_kvas, JF_U64_LIST, JF_OMIT_EMPTY, nr_active_map_kvas),
	RAW(sdt_allocations, JF_ARRAY),
	RAW(scx_static_ranges, 0),
	S(sdt_alloc_unavailable),
	LIST(prog_runtime_stats, prog_stat),
	S(prog_runtime_stats_unavailable),
	LIST(per_cpu_time, cpu_time),
	LIST(per_node_numa, numa),
	S(per_node_numa_unavailable),
	LIST(task_enrichments, task),
	S(task_enrichments_unavailable),
	LIST(event_counter_timeline, event),
	LIST(rq_scx_states, rq),
	LIST(dsq_states, dsq),
	FO(ktsnap_report, scx_sched_state, sched),
	S(scx_walker_unavailable),
	RAW(vcpu_perf_at_freeze, JF_ARRAY),
	FH(ktsnap_report, dump_truncated_at_us, JF_U64, has_dump_truncated_at_us),
	FO(ktsnap_report, probe_counters, probe),
	LIST(cgroup_psi, psi),
	FL(ktsnap_report, is_placeholder, JF_BOOL, JF_OMIT_EMPTY),
	FL(ktsnap_report, capture_ns, JF_U64, JF_OMIT_EMPTY),
	FL(ktsnap_report, timestamp_ns, JF_U64, JF_OMIT_EMPTY),
	FL(ktsnap_report, capture_skew_ns, JF_U64, JF_OMIT_EMPTY),
	FL(ktsnap_report, freeze_ns, JF_U64, JF_OMIT_EMPTY),
};
#undef S
#undef RAW
#undef LIST
const struct json_record json_rec_report = REC(ktsnap_report, report_f);

/* ---- the other schemas ------------------------------------------------------------ */
#define D(f, t, fl) FX(ktsnap_sidecar, #f, dual.f, t, fl)
#define G(f, name, t, fl) FX(ktsnap_sidecar, name, degraded.f, t, fl)
static const struct json_field dual_f[] = {
	HOOK("schema"),
	HOOK("early"), /* a "single" report, absent when the early capture was skipped */
	HOOK("late"), /* a "single" report: the report itself */
	D(early_max_age_jiffies, JF_U64, 0),
	D(early_threshold_jiffies, JF_U64, 0),
	D(early_skipped_reason, JF_STR, JF_OMIT_NULL),
};
const struct json_record json_rec_dual = REC(ktsnap_sidecar, dual_f);

static const struct json_field degraded_f[] = {
	HOOK("schema"),
	G(reason, "reason", JF_STR, 0),
	G(vcpu_regs_json, "vcpu_regs", JF_RAW, JF_ARRAY),
	G(watchpoint_hit_json, "watchpoint_hit", JF_RAW, JF_ANY | JF_NULL_OK),
	G(bss_latch_state_json, "bss_latch_state", JF_RAW, JF_ANY | JF_NULL_OK),
	G(exit_kind_json, "exit_kind", JF_RAW, JF_OMIT_NULL | JF_ANY | JF_NULL_OK),
	G(elapsed_ms, "elapsed_ms", JF_U64, 0),
};
#undef D
#undef G
const struct json_record json_rec_degraded = REC(ktsnap_sidecar, degraded_f);
