/* SPDX-License-Identifier: MIT */
/*
 * ktsnap report model: one capture of BPF state (spec §3) and the
 * BTF-rendered value tree (spec §4).
 *
 *   struct ktsnap_report            (opaque, owns everything below)
 *     ├─ maps[]   struct ktsnap_map (opaque; kernel map-id order)
 *     │    ├─ value                 single-value ARRAY / global section
 *     │    ├─ entries[]             hash / array / per-CPU entries
 *     │    │     key bytes, value bytes, rendered key, rendered value,
 *     │    │     per-CPU slots (rendered, NULL = unmapped)
 *     │    └─ ringbuf / stack_trace / fd_array / error
 *     └─ walker records (prog runtime stats, per-CPU time, NUMA, PSI…)
 *
 * A captured report keeps the raw bytes and the BTF; value trees are
 * rendered on first access (thread-safe) and live as long as the report.
 * Every pointer returned by an accessor in this header is borrowed from
 * the report: valid until ktsnap_report__free().
 */
#ifndef KTSNAP_REPORT_H
#define KTSNAP_REPORT_H

#include <stdio.h>
#include <ktsnap/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ktsnap_report;
struct ktsnap_map;
struct ktsnap_map_entry;
struct ktsnap_value;

/* ---- caps (spec §1) ------------------------------------------------------ */
#define KTSNAP_MAX_PERCPU_KEYS 256
#define KTSNAP_MAX_HASH_ENTRIES 4096
#define KTSNAP_MAX_ARRAY_KEYS 4096
#define KTSNAP_MAX_STACK_TRACE_BUCKETS 16384
#define KTSNAP_MAX_STACK_TRACE_PCS 128
#define KTSNAP_MAX_FD_ARRAY_SLOTS 4096
#define KTSNAP_MAX_FD_ARRAY_INDICES 1024
#define KTSNAP_MAX_ARRAY_ELEMS 4096
#define KTSNAP_MAX_RENDER_DEPTH 32
#define KTSNAP_MAX_MODIFIER_DEPTH 32

/* ---- rendered values (spec §4.1) ----------------------------------------- */
enum ktsnap_value_kind {
	KTSNAP_VALUE_INT,
	KTSNAP_VALUE_UINT,
	KTSNAP_VALUE_BOOL,
	KTSNAP_VALUE_CHAR,
	KTSNAP_VALUE_FLOAT,
	KTSNAP_VALUE_ENUM,
	KTSNAP_VALUE_STRUCT,
	KTSNAP_VALUE_ARRAY,
	KTSNAP_VALUE_CPU_LIST,
	KTSNAP_VALUE_PTR,
	KTSNAP_VALUE_BYTES,
	KTSNAP_VALUE_TRUNCATED,
	KTSNAP_VALUE_UNSUPPORTED,
};

/* "Int", "Uint", … (the variant names used in error texts). Static. */
KTSNAP_API const char *ktsnap_value_kind__name(enum ktsnap_value_kind kind);
/* "int", "uint", … (the JSON "kind" tags). Static. */
KTSNAP_API const char *ktsnap_value_kind__tag(enum ktsnap_value_kind kind);

KTSNAP_API enum ktsnap_value_kind ktsnap_value__kind(const struct ktsnap_value *v);

/*
 * Raw-layer navigation (spec §4.2): absent results are NULL, never an
 * error object.  member(): Struct member by exact name, looking through
 * Ptr{deref} and Truncated{partial}.  index(): Array element (same
 * peeling).  get(): dotted path of members and "[i]" elements, as
 * ktsnap_field__get() reads it ("" = v itself; any miss or an empty
 * component gives NULL).  All results are borrowed from the report.
 */
KTSNAP_API const struct ktsnap_value *ktsnap_value__member(const struct ktsnap_value *v,
							   const char *name);
KTSNAP_API const struct ktsnap_value *ktsnap_value__index(const struct ktsnap_value *v, size_t i);
KTSNAP_API const struct ktsnap_value *ktsnap_value__get(const struct ktsnap_value *v,
							const char *path);

/*
 * Scalar coercions (spec §4.2 / §6.9 acceptance): 0 and *out set, or
 * -EINVAL when v (or NULL) does not coerce.  Ptr gives its own address.
 */
KTSNAP_API int ktsnap_value__as_u64(const struct ktsnap_value *v, uint64_t *out);
KTSNAP_API int ktsnap_value__as_i64(const struct ktsnap_value *v, int64_t *out);
KTSNAP_API int ktsnap_value__as_f64(const struct ktsnap_value *v, double *out);
KTSNAP_API int ktsnap_value__as_bool(const struct ktsnap_value *v, bool *out);

/* Field access for every variant; the wrong variant gives 0 / NULL. */
KTSNAP_API uint32_t ktsnap_value__bits(const struct ktsnap_value *v);
KTSNAP_API int64_t ktsnap_value__int(const struct ktsnap_value *v); /* Int, Enum */
KTSNAP_API uint64_t ktsnap_value__uint(const struct ktsnap_value *v); /* Uint, Ptr */
KTSNAP_API bool ktsnap_value__bool(const struct ktsnap_value *v);
KTSNAP_API uint8_t ktsnap_value__char(const struct ktsnap_value *v);
KTSNAP_API double ktsnap_value__float(const struct ktsnap_value *v);
KTSNAP_API const char *ktsnap_value__enum_variant(const struct ktsnap_value *v);
KTSNAP_API bool ktsnap_value__enum_is_signed(const struct ktsnap_value *v);
KTSNAP_API const char *ktsnap_value__type_name(const struct ktsnap_value *v);
KTSNAP_API size_t ktsnap_value__member_count(const struct ktsnap_value *v);
/* i-th member of a Struct; *name receives its name ("" if anonymous). */
KTSNAP_API const struct ktsnap_value *ktsnap_value__member_at(const struct ktsnap_value *v,
							      size_t i, const char **name);
KTSNAP_API uint64_t ktsnap_value__array_len(const struct ktsnap_value *v); /* declared */
KTSNAP_API size_t ktsnap_value__element_count(const struct ktsnap_value *v); /* stored */
KTSNAP_API const char *ktsnap_value__cpus(const struct ktsnap_value *v);
KTSNAP_API const struct ktsnap_value *ktsnap_value__ptr_deref(const struct ktsnap_value *v);
KTSNAP_API const char *ktsnap_value__ptr_skip_reason(const struct ktsnap_value *v);
KTSNAP_API const char *ktsnap_value__ptr_cast_annotation(const struct ktsnap_value *v);
KTSNAP_API const char *ktsnap_value__hex(const struct ktsnap_value *v);
KTSNAP_API uint64_t ktsnap_value__truncated_needed(const struct ktsnap_value *v);
KTSNAP_API uint64_t ktsnap_value__truncated_had(const struct ktsnap_value *v);
KTSNAP_API const struct ktsnap_value *ktsnap_value__truncated_partial(const struct ktsnap_value *v);
KTSNAP_API const char *ktsnap_value__unsupported_reason(const struct ktsnap_value *v);

/* ---- maps (spec §3.2) ---------------------------------------------------- */

/* Which entry list a map carries (at most one). */
enum ktsnap_map_layout {
	KTSNAP_LAYOUT_NONE, /* no contents (see error / ringbuf …) */
	KTSNAP_LAYOUT_VALUE, /* single value: ktsnap_map__value() */
	KTSNAP_LAYOUT_HASH, /* "entries": key/value bytes + renderings */
	KTSNAP_LAYOUT_ARRAY, /* "array_entries": index + value */
	KTSNAP_LAYOUT_PERCPU_ARRAY, /* "percpu_entries": index + per-CPU */
	KTSNAP_LAYOUT_PERCPU_HASH, /* "percpu_hash_entries": key + per-CPU */
};

struct ktsnap_ringbuf_info {
	uint64_t capacity;
	uint64_t consumer_pos;
	uint64_t producer_pos;
	uint64_t pending_pos;
	uint64_t pending_bytes; /* producer_pos - consumer_pos (wrapping) */
};

struct ktsnap_stack_trace_entry {
	uint32_t bucket_id;
	uint32_t nr; /* number of pcs */
	uint64_t *pcs;
	const char *data_hex;
};

struct ktsnap_stack_trace_info {
	uint32_t n_buckets;
	size_t nr_entries;
	struct ktsnap_stack_trace_entry *entries;
	bool truncated;
};

struct ktsnap_fd_array_info {
	uint32_t populated; /* slots holding an object */
	uint32_t scanned; /* slots looked at */
	size_t nr_indices;
	uint32_t *indices; /* populated slot indices (capped) */
	bool truncated; /* scan stopped at the slot cap */
	bool indices_truncated; /* index list stopped at its cap */
};

KTSNAP_API size_t ktsnap_report__map_count(const struct ktsnap_report *r);
/* Borrowed from r; NULL + ERANGE past the end. */
KTSNAP_API const struct ktsnap_map *ktsnap_report__map_by_index(const struct ktsnap_report *r,
								size_t i);
/* First map named exactly @name; borrowed; NULL + ENOENT if none. */
KTSNAP_API const struct ktsnap_map *ktsnap_report__map_by_name(const struct ktsnap_report *r,
							       const char *name);

/*
 * Map getters: a NULL @m reads as 0 / NULL (ktsnap_map__entry: NULL +
 * EINVAL), so a missed map_by_name() can be chained (common.h).
 */
KTSNAP_API const char *ktsnap_map__name(const struct ktsnap_map *m);
/* Kernel map id (the live-host surrogate of map_kva; 0 = unknown). */
KTSNAP_API uint64_t ktsnap_map__kva(const struct ktsnap_map *m);
KTSNAP_API uint32_t ktsnap_map__type(const struct ktsnap_map *m);
KTSNAP_API uint32_t ktsnap_map__key_size(const struct ktsnap_map *m);
KTSNAP_API uint32_t ktsnap_map__value_size(const struct ktsnap_map *m);
KTSNAP_API uint32_t ktsnap_map__max_entries(const struct ktsnap_map *m);
/* Why contents are missing or partial; NULL when complete.  Borrowed. */
KTSNAP_API const char *ktsnap_map__error(const struct ktsnap_map *m);
KTSNAP_API enum ktsnap_map_layout ktsnap_map__layout(const struct ktsnap_map *m);
/* Single value (LAYOUT_VALUE), rendered on first call; NULL if none. */
KTSNAP_API const struct ktsnap_value *ktsnap_map__value(const struct ktsnap_map *m);
KTSNAP_API size_t ktsnap_map__entry_count(const struct ktsnap_map *m);
/* Borrowed; NULL + ERANGE past the end. */
KTSNAP_API const struct ktsnap_map_entry *ktsnap_map__entry(const struct ktsnap_map *m, size_t i);
/* Number of per-CPU slots of the map's entries (0 if not per-CPU). */
KTSNAP_API uint32_t ktsnap_map__cpu_count(const struct ktsnap_map *m);
KTSNAP_API const struct ktsnap_ringbuf_info *ktsnap_map__ringbuf(const struct ktsnap_map *m);
KTSNAP_API const struct ktsnap_stack_trace_info *
ktsnap_map__stack_trace(const struct ktsnap_map *m);
KTSNAP_API const struct ktsnap_fd_array_info *ktsnap_map__fd_array(const struct ktsnap_map *m);

/* Entries.  Renderings are NULL when no BTF type was known for that side.
 * A NULL @e reads as 0 / NULL; @len may be NULL. */
KTSNAP_API const struct ktsnap_value *ktsnap_map_entry__key(const struct ktsnap_map_entry *e);
KTSNAP_API const struct ktsnap_value *ktsnap_map_entry__value(const struct ktsnap_map_entry *e);
KTSNAP_API const struct ktsnap_value *ktsnap_map_entry__payload(const struct ktsnap_map_entry *e);
/* Raw bytes (NULL + *len = 0 when not kept). */
KTSNAP_API const uint8_t *ktsnap_map_entry__key_bytes(const struct ktsnap_map_entry *e,
						      size_t *len);
KTSNAP_API const uint8_t *ktsnap_map_entry__value_bytes(const struct ktsnap_map_entry *e,
							size_t *len);
/* ARRAY / PERCPU_ARRAY key. */
KTSNAP_API uint32_t ktsnap_map_entry__index(const struct ktsnap_map_entry *e);
/* Per-CPU slot @cpu; NULL when unmapped or out of range. */
KTSNAP_API const struct ktsnap_value *ktsnap_map_entry__cpu_value(const struct ktsnap_map_entry *e,
								  uint32_t cpu);

/* ---- walker records (spec §3.1) ------------------------------------------- */
struct ktsnap_prog_runtime_stat {
	const char *name;
	uint64_t cnt;
	uint64_t nsecs;
	uint64_t misses;
	/* ktsnap: bpf_prog_info.verified_insns on a live host (0: unknown;
	 * the JSON field is written only when non-zero) */
	uint64_t verified_insns;
};

#define KTSNAP_NR_SOFTIRQS 10
struct ktsnap_per_cpu_time {
	uint32_t cpu;
	uint64_t cpustat_user_ns;
	uint64_t cpustat_nice_ns;
	uint64_t cpustat_system_ns;
	uint64_t cpustat_softirq_ns;
	uint64_t cpustat_irq_ns;
	uint64_t cpustat_idle_ns;
	uint64_t cpustat_iowait_ns;
	uint64_t cpustat_steal_ns;
	uint64_t softirqs[KTSNAP_NR_SOFTIRQS];
	uint64_t irqs_sum;
	bool has_iowait_sleeptime_ns;
	uint64_t iowait_sleeptime_ns;
};

struct ktsnap_per_node_numa {
	uint32_t node;
	uint64_t numa_hit;
	uint64_t numa_miss;
	uint64_t numa_foreign;
	uint64_t numa_interleave_hit;
	uint64_t numa_local;
	uint64_t numa_other;
};

/* One row of a cgroup's *.pressure file (live-host PSI). */
struct ktsnap_cgroup_psi {
	const char *cgroup; /* path below the cgroup2 mount */
	const char *resource; /* "cpu", "memory", "io", "irq" */
	double some_avg10, some_avg60, some_avg300;
	uint64_t some_total_us;
	bool has_full;
	double full_avg10, full_avg60, full_avg300;
	uint64_t full_total_us;
};

/* Per-task facts from /proc (live host) or the task walker (VM). */
struct ktsnap_task_enrichment {
	int32_t pid;
	int32_t tgid;
	const char *comm;
	const char *cgroup;
	int32_t prio;
	int32_t nice;
	uint32_t policy;
	const char *state; /* one-letter /proc state */
	int32_t cpu; /* last CPU it ran on */
	uint64_t sum_exec_runtime_ns;
	uint64_t nr_voluntary_switches;
	uint64_t nr_involuntary_switches;
};

struct ktsnap_event_counter_sample {
	uint64_t elapsed_ms;
	int64_t select_cpu_fallback;
	int64_t dispatch_local_dsq_offline;
	int64_t dispatch_keep_last;
	int64_t enq_skip_exiting;
	int64_t enq_skip_migration_disabled;
	int64_t reenq_immed;
	int64_t reenq_local_repeat;
	int64_t refill_slice_dfl;
	int64_t bypass_duration;
	int64_t bypass_dispatch;
	int64_t bypass_activate;
	int64_t insert_not_owned;
	int64_t sub_bypass_dispatch;
};

struct ktsnap_rq_scx_state {
	uint32_t cpu;
	uint64_t nr_running;
	uint64_t flags;
	bool cpu_released;
	uint64_t ops_qseq;
	bool has_kick_sync;
	uint64_t kick_sync;
	uint64_t nr_immed;
	uint64_t rq_clock;
	bool has_curr_pid;
	int32_t curr_pid;
	size_t nr_runnable_task_kvas;
	uint64_t *runnable_task_kvas;
};

struct ktsnap_dsq_state {
	const char *origin;
	uint64_t nr;
	uint64_t seq;
	size_t nr_task_kvas;
	uint64_t *task_kvas;
	bool truncated;
};

struct ktsnap_scx_sched_state {
	bool aborting;
	int64_t bypass_depth;
	int64_t exit_kind;
	bool has_watchdog_timeout;
	uint64_t watchdog_timeout;
	const char *source; /* NULL if absent */
	bool has_sched_kva;
	uint64_t sched_kva;
};

#define KTSNAP_NR_PROBE_COUNTERS 15
struct ktsnap_probe_counters {
	uint64_t probe_count, kprobe_returns, meta_miss, ringbuf_drops, timeline_count,
		timeline_drops, pi_count, pi_orphan_fexits, pi_class_change_count, pi_drops,
		lock_contend_count, lock_contend_drops, preempt_disable_count, preempt_enable_count,
		trigger_count;
};

/* ---- the report ----------------------------------------------------------- */

/*
 * A default report (spec §3.1): schema "single", everything empty.
 * Caller frees with ktsnap_report__free().  NULL + ENOMEM on failure.
 */
KTSNAP_API struct ktsnap_report *ktsnap_report__new(void);
/*
 * A placeholder: is_placeholder set and the five *_unavailable reasons
 * set to @reason.  Caller frees with ktsnap_report__free().
 */
KTSNAP_API struct ktsnap_report *ktsnap_report__placeholder(const char *reason);
/* Accepts NULL. */
KTSNAP_API void ktsnap_report__free(struct ktsnap_report *r);

/* Report getters: a NULL @r reads as 0 / NULL (and *n = 0); @n may be NULL. */
KTSNAP_API const char *ktsnap_report__schema(const struct ktsnap_report *r);
KTSNAP_API bool ktsnap_report__is_placeholder(const struct ktsnap_report *r);
/* Time the capture spent copying kernel state, ns (0 for non-captures). */
KTSNAP_API uint64_t ktsnap_report__capture_ns(const struct ktsnap_report *r);
/* Wall-clock time of the capture, ns since the epoch (0 if unknown). */
KTSNAP_API uint64_t ktsnap_report__timestamp_ns(const struct ktsnap_report *r);
/*
 * How far apart the map reads were, ns: from the start of the first map's
 * read to the end of the last one's.  On a live host the maps are read one
 * after the other while BPF programs keep running, so this bounds how
 * inconsistent two maps of one capture can be (0 for non-captures).
 */
KTSNAP_API uint64_t ktsnap_report__capture_skew_ns(const struct ktsnap_report *r);
/*
 * How long freezing the scenario's workers took before the capture
 * (cgroup.freeze until cgroup.events said "frozen 1"), ns; 0 when the
 * capture was not taken with the workers frozen (scenario.h).
 */
KTSNAP_API uint64_t ktsnap_report__freeze_ns(const struct ktsnap_report *r);
/* Borrowed; NULL when absent. */
KTSNAP_API const char *ktsnap_report__active_obj_name(const struct ktsnap_report *r);
KTSNAP_API const uint64_t *ktsnap_report__active_map_kvas(const struct ktsnap_report *r, size_t *n);

/* Walker-backed lists; borrowed arrays of *n records (NULL when empty). */
KTSNAP_API const struct ktsnap_prog_runtime_stat *
ktsnap_report__prog_runtime_stats(const struct ktsnap_report *r, size_t *n);
KTSNAP_API const struct ktsnap_per_cpu_time *
ktsnap_report__per_cpu_time(const struct ktsnap_report *r, size_t *n);
KTSNAP_API const struct ktsnap_per_node_numa *
ktsnap_report__per_node_numa(const struct ktsnap_report *r, size_t *n);
KTSNAP_API const struct ktsnap_cgroup_psi *ktsnap_report__cgroup_psi(const struct ktsnap_report *r,
								     size_t *n);
KTSNAP_API const struct ktsnap_task_enrichment *
ktsnap_report__task_enrichments(const struct ktsnap_report *r, size_t *n);
KTSNAP_API const struct ktsnap_event_counter_sample *
ktsnap_report__event_counter_timeline(const struct ktsnap_report *r, size_t *n);
KTSNAP_API const struct ktsnap_rq_scx_state *
ktsnap_report__rq_scx_states(const struct ktsnap_report *r, size_t *n);
KTSNAP_API const struct ktsnap_dsq_state *ktsnap_report__dsq_states(const struct ktsnap_report *r,
								    size_t *n);
/* NULL when absent. */
KTSNAP_API const struct ktsnap_scx_sched_state *
ktsnap_report__scx_sched_state(const struct ktsnap_report *r);
KTSNAP_API const struct ktsnap_probe_counters *
ktsnap_report__probe_counters(const struct ktsnap_report *r);

/*
 * The fields a "single" report carries through without interpreting them,
 * each as the compact JSON text the file held (NULL: absent).  A live
 * capture on a host leaves them all absent; a report written inside a VM
 * may hold them, and reading then writing it keeps them.
 */
struct ktsnap_carried_json {
	const char *vcpu_regs; /* per-vCPU register sets (VM-only) */
	const char *vcpu_perf_at_freeze; /* per-vCPU perf samples (VM-only) */
	const char *sdt_allocations; /* typed views of sdt_alloc allocations */
	const char *scx_static_ranges; /* scx_static allocator ranges */
};
/* Borrowed from @r (lives as long as it); NULL with errno EINVAL for a NULL @r. */
KTSNAP_API const struct ktsnap_carried_json *
ktsnap_report__carried_json(const struct ktsnap_report *r);

/* The reason strings (NULL when absent). */
KTSNAP_API const char *ktsnap_report__prog_runtime_stats_unavailable(const struct ktsnap_report *r);
KTSNAP_API const char *ktsnap_report__per_node_numa_unavailable(const struct ktsnap_report *r);
KTSNAP_API const char *ktsnap_report__task_enrichments_unavailable(const struct ktsnap_report *r);
KTSNAP_API const char *ktsnap_report__scx_walker_unavailable(const struct ktsnap_report *r);
KTSNAP_API const char *ktsnap_report__sdt_alloc_unavailable(const struct ktsnap_report *r);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_REPORT_H */
