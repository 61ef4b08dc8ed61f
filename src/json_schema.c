// SPDX-License-Identifier: MIT
/*
 * json_schema: every field of a report file, listed once.  Each table below
 * is one JSON object shape (a walker record, a map, the report itself, the
 * "dual" and "degraded" sidecars) in the order the writer emits its fields;
 * json_read.c's read_record() and json_write.c's write_record() both walk
 * these tables, so a field the writer emits is always one the reader
 * accepts.  A field's JSON type comes from its member's C type, so a table
 * cannot disagree with the public struct it describes.  The types and flags
 * are described in json_internal.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_internal.h"

/*
 * Each table is written between "#define REC_OF <struct tag>" and its
 * #undef; the shorthands below name members of that struct.
 */
#define MEMBER(f) (((struct REC_OF *)0)->f)
/*
 * The JSON type of member @f, from its C type.  A member whose type has no
 * JSON form here fails the build; so does a u32 member listed as a u64.
 * The member's address is what is matched: the member itself would decay
 * from an array to a pointer, so a char[N] would pass for a string and a
 * u64[N] for a list.
 */
#define JTYPE(f) \
	_Generic(&MEMBER(f), uint64_t *: JF_U64, uint32_t *: JF_U32, int64_t *: JF_I64,       \
		 int32_t *: JF_I32, bool *: JF_BOOL, double *: JF_F64, char **: JF_STR,        \
		 const char **: JF_STR, uint64_t **: JF_U64_LIST, uint32_t **: JF_U32_LIST)
/* the offset of member @f as a json_field aux */
#define AUX(f) ((ssize_t)offsetof(struct REC_OF, f))
#define FIELD(name, t, fl, n, f, aux, sub)                           \
	{                                                            \
		name, t, fl, n, offsetof(struct REC_OF, f), aux, sub \
	}
/* a field whose JSON name is not its C name */
#define FX(name, f, fl) FIELD(name, JTYPE(f), fl, 0, f, -1, NULL)
#define FL(f, fl) FX(#f, f, fl)
#define F(f) FL(f, 0)
/* compact JSON text kept verbatim */
#define FRAW(name, f, fl) FIELD(name, JF_RAW, fl, 0, f, -1, NULL)
/* present only when the bool @h is set */
#define FH(f, h) FIELD(#f, JTYPE(f), JF_HAS, 0, f, AUX(h), NULL)
/* a list with its count in @n */
#define FN(f, fl, n) FIELD(#f, JTYPE(f), fl, 0, f, AUX(n), NULL)
/* records: @sub describes each element */
#define FR(f, fl, n, sub) FIELD(#f, JF_RECORDS, fl, 0, f, AUX(n), &sub)
/* one record, absent when NULL */
#define FO(f, sub) FIELD(#f, JF_OBJECT, JF_OMIT_NULL, 0, f, -1, &sub)
#define HOOK(name)                               \
	{                                        \
		name, JF_HOOK, 0, 0, 0, -1, NULL \
	}
#define STR_(x) #x
#define STR(x) STR_(x)
#define REC(tab)                                                                      \
	{                                                                             \
		STR(REC_OF), sizeof(struct REC_OF), tab, sizeof(tab) / sizeof(tab[0]) \
	}
/*
 * The record @name of struct REC_OF: the fields given, in the order the
 * writer emits them (the table itself is @name##_f).  @link is static, or
 * empty for the records json_internal.h names.
 */
#define RECORD_AS(link, name, ...)                                   \
	static const struct json_field name##_f[] = { __VA_ARGS__ }; \
	link const struct json_record name = REC(name##_f)
#define RECORD(name, ...) RECORD_AS(static, name, __VA_ARGS__)
#define SHARED_RECORD(name, ...) RECORD_AS(, name, __VA_ARGS__)
/*
 * For a record of 64-bit counters only: a member added to the public
 * struct without its row here fails the build instead of never reaching
 * the file.
 */
#define ALL_U64_ROWS(tab)                                                                        \
	_Static_assert(sizeof(struct REC_OF) == sizeof(tab) / sizeof(tab[0]) * sizeof(uint64_t), \
		       "struct " STR(REC_OF) " has a member that " #tab " lacks")

/* ---- walker records ------------------------------------------------------------- */
#define REC_OF ktsnap_prog_runtime_stat
RECORD(prog_stat, F(name), F(cnt), F(nsecs), F(misses), FL(verified_insns, JF_OMIT_EMPTY));
#undef REC_OF

#define REC_OF ktsnap_per_cpu_time
RECORD(cpu_time, F(cpu), F(cpustat_user_ns), F(cpustat_nice_ns), F(cpustat_system_ns),
       F(cpustat_softirq_ns), F(cpustat_irq_ns), F(cpustat_idle_ns), F(cpustat_iowait_ns),
       F(cpustat_steal_ns),
       FIELD("softirqs", JF_U64_FIXED, 0, KTSNAP_NR_SOFTIRQS, softirqs, -1, NULL), F(irqs_sum),
       FH(iowait_sleeptime_ns, has_iowait_sleeptime_ns));
#undef REC_OF

#define REC_OF ktsnap_per_node_numa
RECORD(numa, F(node), F(numa_hit), F(numa_miss), F(numa_foreign), F(numa_interleave_hit),
       F(numa_local), F(numa_other));
#undef REC_OF

#define REC_OF ktsnap_task_enrichment
RECORD(task, F(pid), F(tgid), FL(comm, JF_OMIT_NULL), FL(cgroup, JF_OMIT_NULL), F(prio), F(nice),
       F(policy), FL(state, JF_OMIT_NULL), F(cpu), F(sum_exec_runtime_ns), F(nr_voluntary_switches),
       F(nr_involuntary_switches));
#undef REC_OF

#define REC_OF ktsnap_event_counter_sample
RECORD(event, F(elapsed_ms), F(select_cpu_fallback), F(dispatch_local_dsq_offline),
       F(dispatch_keep_last), F(enq_skip_exiting), F(enq_skip_migration_disabled), F(reenq_immed),
       F(reenq_local_repeat), F(refill_slice_dfl), F(bypass_duration), F(bypass_dispatch),
       F(bypass_activate), F(insert_not_owned), F(sub_bypass_dispatch));
ALL_U64_ROWS(event_f);
#undef REC_OF

#define REC_OF ktsnap_rq_scx_state
RECORD(rq, F(cpu), F(nr_running), F(flags), F(cpu_released), F(ops_qseq),
       FH(kick_sync, has_kick_sync), F(nr_immed), F(rq_clock), FH(curr_pid, has_curr_pid),
       FN(runnable_task_kvas, 0, nr_runnable_task_kvas));
#undef REC_OF

#define REC_OF ktsnap_dsq_state
RECORD(dsq, F(origin), F(nr), F(seq), FN(task_kvas, 0, nr_task_kvas), F(truncated));
#undef REC_OF

#define REC_OF ktsnap_scx_sched_state
RECORD(sched, F(aborting), F(bypass_depth), F(exit_kind),
       FH(watchdog_timeout, has_watchdog_timeout), FL(source, JF_OMIT_NULL),
       FH(sched_kva, has_sched_kva));
#undef REC_OF

#define REC_OF ktsnap_probe_counters
RECORD(probe, F(probe_count), F(kprobe_returns), F(meta_miss), F(ringbuf_drops), F(timeline_count),
       F(timeline_drops), F(pi_count), F(pi_orphan_fexits), F(pi_class_change_count), F(pi_drops),
       F(lock_contend_count), F(lock_contend_drops), F(preempt_disable_count),
       F(preempt_enable_count), F(trigger_count));
ALL_U64_ROWS(probe_f);
#undef REC_OF

#define REC_OF ktsnap_cgroup_psi
RECORD(psi, F(cgroup), F(resource), F(some_avg10), F(some_avg60), F(some_avg300), F(some_total_us),
       FH(full_avg10, has_full), FH(full_avg60, has_full), FH(full_avg300, has_full),
       FH(full_total_us, has_full));
#undef REC_OF

/* ---- map side records ------------------------------------------------------------ */
#define REC_OF ktsnap_ringbuf_info
SHARED_RECORD(json_rec_ringbuf, F(capacity), F(consumer_pos), F(producer_pos), F(pending_pos),
	      F(pending_bytes));
#undef REC_OF

#define REC_OF ktsnap_stack_trace_entry
RECORD(stack_entry, F(bucket_id), F(nr),
       /* the writer emits nr pcs; the reader checks that it got nr */
       FN(pcs, JF_COUNT_FIELD, nr), F(data_hex));
#undef REC_OF

#define REC_OF ktsnap_stack_trace_info
SHARED_RECORD(json_rec_stack_trace, F(n_buckets), FR(entries, 0, nr_entries, stack_entry),
	      F(truncated));
#undef REC_OF

#define REC_OF ktsnap_fd_array_info
SHARED_RECORD(json_rec_fd_array, F(populated), F(scanned), FN(indices, 0, nr_indices), F(truncated),
	      F(indices_truncated));
#undef REC_OF

const char *const json_layout_keys[5] = { "value", "entries", "array_entries", "percpu_entries",
					  "percpu_hash_entries" };

#define REC_OF ktsnap_map
SHARED_RECORD(json_rec_map, F(name), F(map_kva), F(map_type), F(key_size), F(value_size),
	      F(max_entries), HOOK("layout"), /* one of json_layout_keys */
	      FRAW("arena", arena_json, JF_OMIT_NULL | JF_ANY), FO(ringbuf, json_rec_ringbuf),
	      FO(stack_trace, json_rec_stack_trace), FO(fd_array, json_rec_fd_array),
	      FL(error, JF_OMIT_NULL));
#undef REC_OF

/* ---- the report ------------------------------------------------------------------- */
#define REC_OF ktsnap_report
#define S(f) FL(f, JF_OMIT_NULL)
#define RAW(f, fl) FRAW(#f, carried.f, JF_OMIT_NULL | (fl))
#define LIST(f, sub) FR(f, JF_OMIT_EMPTY, nr_##f, sub)
SHARED_RECORD(json_rec_report, HOOK("schema"), HOOK("maps"), RAW(vcpu_regs, JF_ARRAY),
	      S(active_obj_name), FN(active_map_kvas, JF_OMIT_EMPTY, nr_active_map_kvas),
	      RAW(sdt_allocations, JF_ARRAY), RAW(scx_static_ranges, 0), S(sdt_alloc_unavailable),
	      LIST(prog_runtime_stats, prog_stat), S(prog_runtime_stats_unavailable),
	      LIST(per_cpu_time, cpu_time), LIST(per_node_numa, numa), S(per_node_numa_unavailable),
	      LIST(task_enrichments, task), S(task_enrichments_unavailable),
	      LIST(event_counter_timeline, event), LIST(rq_scx_states, rq), LIST(dsq_states, dsq),
	      FO(scx_sched_state, sched), S(scx_walker_unavailable),
	      RAW(vcpu_perf_at_freeze, JF_ARRAY),
	      FH(dump_truncated_at_us, has_dump_truncated_at_us), FO(probe_counters, probe),
	      LIST(cgroup_psi, psi), FL(is_placeholder, JF_OMIT_EMPTY),
	      FL(capture_ns, JF_OMIT_EMPTY), FL(timestamp_ns, JF_OMIT_EMPTY),
	      FL(capture_skew_ns, JF_OMIT_EMPTY), FL(freeze_ns, JF_OMIT_EMPTY));
#undef S
#undef RAW
#undef LIST
#undef REC_OF

/* ---- the other schemas ------------------------------------------------------------ */
#define REC_OF ktsnap_sidecar
#define D(f, fl) FX(#f, dual.f, fl)
#define G(f, name, fl) FRAW(name, degraded.f, fl)
SHARED_RECORD(json_rec_dual, HOOK("schema"),
	      HOOK("early"), /* a "single" report, absent when the early capture was skipped */
	      HOOK("late"), /* a "single" report: the report itself */
	      D(early_max_age_jiffies, 0), D(early_threshold_jiffies, 0),
	      D(early_skipped_reason, JF_OMIT_NULL));

SHARED_RECORD(json_rec_degraded, HOOK("schema"), FX("reason", degraded.reason, 0),
	      G(vcpu_regs_json, "vcpu_regs", JF_ARRAY),
	      G(watchpoint_hit_json, "watchpoint_hit", JF_ANY | JF_NULL_OK),
	      G(bss_latch_state_json, "bss_latch_state", JF_ANY | JF_NULL_OK),
	      G(exit_kind_json, "exit_kind", JF_OMIT_NULL | JF_ANY | JF_NULL_OK),
	      FX("elapsed_ms", degraded.elapsed_ms, 0));
#undef D
#undef G
#undef REC_OF
