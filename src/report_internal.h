/* SPDX-License-Identifier: MIT */
/*
 * Internal layout of the report model.  Shared by report.c (ownership,
 * accessors, builders), render.c (BTF bytes → values), capture.c (live
 * kernel → report), json_*.c and view.c.  Nothing here is public API.
 *
 * Memory: every rendered value, string and small record of a report
 * comes from the report's arena (freed in one go by ktsnap_report__free);
 * only the large raw key/value buffers of captured maps are separate
 * allocations (map->raw), so a capture is a handful of mallocs.  A
 * captured map renders into its own arena (map->render_arena) so its
 * value trees can be dropped and rendered again from the raw bytes
 * (ktsnap_map_release_rendered).
 *
 *   report ─┬─ arena: [chunk]→[chunk]→…   values, strings, entries
 *           ├─ maps[nr_maps]  (array, realloc'd while building)
 *           │     └─ raw ──► [key0|key1|…][val0|val1|…]   (capture only)
 *           └─ btfs[]: struct btf * loaded for this capture (freed last)
 */
#ifndef KTSNAP_REPORT_INTERNAL_H
#define KTSNAP_REPORT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <ktsnap/report.h>

struct btf;
struct ktsnap_sidecar;

/* ---- arena ------------------------------------------------------------- */
struct ktsnap_arena_chunk;

struct ktsnap_arena {
	struct ktsnap_arena_chunk *head;
	size_t used; /* bytes used in head */
	size_t cap; /* capacity of head */
	size_t total; /* bytes handed out (all chunks) */
	size_t min_chunk; /* smallest chunk; 0: 64 KiB */
};

void ktsnap_arena_init(struct ktsnap_arena *a);
void ktsnap_arena_release(struct ktsnap_arena *a);
/* Zeroed, 8-byte aligned; NULL on ENOMEM. */
void *ktsnap_arena_alloc(struct ktsnap_arena *a, size_t size);
char *ktsnap_arena_strdup(struct ktsnap_arena *a, const char *s);
char *ktsnap_arena_strndup(struct ktsnap_arena *a, const char *s, size_t n);
char *ktsnap_arena_printf(struct ktsnap_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void *ktsnap_arena_memdup(struct ktsnap_arena *a, const void *p, size_t n);
/* Move every chunk of @src into @dst (which keeps allocating from its
 * current chunk); @src is left empty. */
void ktsnap_arena_splice(struct ktsnap_arena *dst, struct ktsnap_arena *src);
/* Forget every allocation but keep the newest chunk for reuse. */
void ktsnap_arena_reset(struct ktsnap_arena *a);

/* ---- values ------------------------------------------------------------ */
struct ktsnap_member;

struct ktsnap_value {
	enum ktsnap_value_kind kind;
	union {
		struct {
			uint32_t bits;
			int64_t v;
		} i; /* INT */
		struct {
			uint32_t bits;
			uint64_t v;
		} u; /* UINT */
		bool b; /* BOOL */
		uint8_t c; /* CHAR */
		struct {
			uint32_t bits;
			double v;
		} f; /* FLOAT */
		struct { /* ENUM */
			uint32_t bits;
			bool is_signed;
			int64_t v; /* unsigned: bit pattern */
			const char *variant; /* NULL: unknown */
		} e;
		struct { /* STRUCT */
			const char *type_name; /* NULL: anonymous */
			uint32_t nr;
			struct ktsnap_member *m;
		} s;
		struct { /* ARRAY */
			uint64_t len; /* declared length */
			uint32_t nr; /* stored elements (≤ 4096) */
			struct ktsnap_value *elems;
		} a;
		const char *cpus; /* CPU_LIST */
		struct { /* PTR */
			uint64_t v;
			struct ktsnap_value *deref;
			const char *skip_reason;
			const char *cast;
		} p;
		const char *hex; /* BYTES */
		struct { /* TRUNCATED */
			uint64_t needed;
			uint64_t had;
			struct ktsnap_value *partial;
		} t;
		const char *reason; /* UNSUPPORTED */
	};
};

struct ktsnap_member {
	const char *name; /* "" for anonymous members */
	struct ktsnap_value v;
};

/* ---- maps ---------------------------------------------------------------- */
struct ktsnap_map_entry {
	const uint8_t *key; /* key bytes (hash kinds), else NULL */
	const uint8_t *val; /* value bytes (hash, array), else NULL */
	uint32_t key_len;
	uint32_t val_len;
	uint32_t index; /* ARRAY / PERCPU_ARRAY key */
	const uint8_t *percpu; /* per-CPU raw values: nr_cpus × stride */
	const struct ktsnap_value *key_rv; /* NULL: no BTF for the key */
	const struct ktsnap_value *val_rv; /* NULL: no BTF / unreadable */
	const struct ktsnap_value *payload; /* sdt_alloc payload (rare) */
	const struct ktsnap_value **per_cpu; /* nr_cpus slots; NULL = unmapped */
	uint32_t nr_cpus; /* length of per_cpu */
};

struct ktsnap_map {
	struct ktsnap_report *owner;
	char *name;
	uint64_t map_kva; /* live host: map id */
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	char *error; /* NULL: complete */
	enum ktsnap_map_layout layout;

	/* LAYOUT_VALUE */
	const struct ktsnap_value *value;
	const uint8_t *value_raw; /* capture: value_size bytes */

	/* entry layouts */
	struct ktsnap_map_entry *entries;
	uint32_t nr_entries;
	uint32_t nr_cpus; /* per-CPU layouts: slots per entry */
	uint32_t percpu_stride; /* round_up(value_size, 8) */

	struct ktsnap_ringbuf_info *ringbuf;
	struct ktsnap_stack_trace_info *stack_trace;
	struct ktsnap_fd_array_info *fd_array;
	const char *arena_json; /* ARENA: the file's "arena" object, verbatim */

	/* lazy rendering (capture only) */
	const struct btf *btf; /* owned by the report's btf list */
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	bool render_as_string_bytes; /* .rodata.str1.1 sections */
	atomic_bool rendered;
	bool render_failed; /* ran out of memory: never released */
	struct ktsnap_arena render_arena; /* the trees rendered from raw */
	/* entries rendered one by one into render_arena while the map is not
	 * rendered whole (ktsnap_map_entry_rendered, under the render lock):
	 * an open-addressing table of picks_cap slots, NULL when none */
	struct ktsnap_entry_pick *picks;
	uint32_t picks_cap;
	uint32_t nr_picks;
	void *raw; /* malloc'd key/value buffer, or NULL */
};

/* ---- the report ------------------------------------------------------------- */
struct ktsnap_report {
	struct ktsnap_arena arena;
	pthread_mutex_t render_lock;

	const char *schema; /* "single" */
	struct ktsnap_map *maps;
	uint32_t nr_maps;
	uint32_t maps_cap;

	const char *active_obj_name;
	uint64_t *active_map_kvas;
	size_t nr_active_map_kvas;

	struct ktsnap_prog_runtime_stat *prog_runtime_stats;
	size_t nr_prog_runtime_stats;
	struct ktsnap_per_cpu_time *per_cpu_time;
	size_t nr_per_cpu_time;
	struct ktsnap_per_node_numa *per_node_numa;
	size_t nr_per_node_numa;
	struct ktsnap_cgroup_psi *cgroup_psi;
	size_t nr_cgroup_psi;
	struct ktsnap_task_enrichment *task_enrichments;
	size_t nr_task_enrichments;
	struct ktsnap_event_counter_sample *event_counter_timeline;
	size_t nr_event_counter_timeline;
	struct ktsnap_rq_scx_state *rq_scx_states;
	size_t nr_rq_scx_states;
	struct ktsnap_dsq_state *dsq_states;
	size_t nr_dsq_states;
	struct ktsnap_scx_sched_state *scx_sched_state; /* NULL: absent */
	struct ktsnap_probe_counters *probe_counters; /* NULL: absent */

	const char *prog_runtime_stats_unavailable;
	const char *per_node_numa_unavailable;
	const char *task_enrichments_unavailable;
	const char *scx_walker_unavailable;
	const char *sdt_alloc_unavailable;

	/* VM-only / escape-only fields, kept verbatim as compact JSON text
	 * (NULL: absent) so a report read from a file round-trips. */
	const char *vcpu_regs_json;
	const char *vcpu_perf_at_freeze_json;
	const char *sdt_allocations_json;
	const char *scx_static_ranges_json;

	bool has_dump_truncated_at_us;
	uint64_t dump_truncated_at_us;
	bool is_placeholder;

	/* ktsnap extensions (JSON: "capture_ns", "timestamp_ns",
	 * "capture_skew_ns", "freeze_ns") */
	uint64_t capture_ns;
	uint64_t timestamp_ns;
	uint64_t capture_skew_ns; /* first map read's start to last one's end */
	uint64_t freeze_ns; /* cgroup.freeze until "frozen 1"; 0: not frozen */

	/* "dual" / "degraded" report files (json_internal.h); NULL for
	 * "single".  A dual report is its late half with the early half
	 * attached (owned, freed with the report). */
	struct ktsnap_sidecar *sidecar;
	struct ktsnap_report *early;

	/* BTF objects the maps render with; freed with the report. */
	struct btf **btfs;
	size_t nr_btfs;

	/* Name index built by view.c on first lookup (NULL until then);
	 * freed by ktsnap_report__free() through view_index_free. */
	_Atomic(void *) view_index;
	void (*view_index_free)(void *index);
	pthread_mutex_t index_lock;
};

/* ---- builders (report.c) --------------------------------------------------- */

/* Append a zeroed map to @r (name copied); NULL on ENOMEM.  The pointer
 * is valid until the next ktsnap_report_add_map(). */
struct ktsnap_map *ktsnap_report_add_map(struct ktsnap_report *r, const char *name);
/* Set map->error (formatted, arena-allocated). Appends "; " + text when an
 * error is already set. */
int ktsnap_map_set_error(struct ktsnap_report *r, struct ktsnap_map *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Keep @btf alive as long as @r (takes ownership). */
int ktsnap_report_own_btf(struct ktsnap_report *r, struct btf *btf);

/* Value constructors (arena-allocated; NULL on ENOMEM). */
struct ktsnap_value *ktsnap_value_new(struct ktsnap_report *r, enum ktsnap_value_kind kind);
struct ktsnap_value *ktsnap_value_new_uint(struct ktsnap_report *r, uint32_t bits, uint64_t v);
/* Struct with @nr members whose names are copied; fill m[i].v. */
struct ktsnap_value *ktsnap_value_new_struct(struct ktsnap_report *r, const char *type_name,
					     uint32_t nr);
struct ktsnap_value *ktsnap_value_new_array(struct ktsnap_report *r, uint64_t len, uint32_t nr);

/* Lowercase, space-separated hex of @n bytes ("01 00 00 00"), arena. */
char *ktsnap_hex_string(struct ktsnap_arena *a, const uint8_t *p, size_t n);

/* Render a captured map's raw bytes into value trees once (render.c does
 * the work; thread-safe).  No-op for maps that carry no raw bytes. */
void ktsnap_map_ensure_rendered(const struct ktsnap_map *m);
/*
 * Drop the value trees of a captured entry-layout map (hash, array,
 * per-CPU), whole or single entries (ktsnap_map_entry_rendered), so the
 * next access renders them again from the raw bytes; a no-op (false) for
 * other maps, maps that failed to render and maps with nothing rendered.  Every pointer into the dropped trees (views, entries,
 * values, errors listing members) dies: only the owner of the report may
 * call it, between uses, with no other thread looking at @m.
 */
bool ktsnap_map_release_rendered(struct ktsnap_map *m);

#endif /* KTSNAP_REPORT_INTERNAL_H */
