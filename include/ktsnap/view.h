/* SPDX-License-Identifier: MIT */
/*
 * Typed traversal of a report (spec §6): borrowed views.
 *
 *   struct ktsnap_snapshot   the report (+ the active-scheduler filter)
 *     ├─ __map(name)      → struct ktsnap_map_view  (+ CPU narrowing)
 *     │     └─ __at / __find / __max_by / __filter → struct ktsnap_entry
 *     │           └─ __get(path) / __key(path)   → struct ktsnap_field
 *     └─ __var(name)      → struct ktsnap_field
 *                               └─ __get(path) … → __as_u64() & co.
 *
 * Views are small structs passed by value.  They hold pointers into the
 * report and copy nothing; building one allocates nothing.  Their sizes
 * are ABI: the embedded struct ktsnap_error keeps a fixed-size private
 * union so new error kinds do not change them (error.h).  A view is
 * valid while its report lives (and the report must not be modified once
 * views are taken: the first lookup indexes it).
 *
 * Failures travel inside the views: a map view, entry or field either
 * holds its target or a struct ktsnap_error (error.h), and every further
 * step on a failed view passes that error along, so lookups chain:
 *
 *	uint64_t w;
 *	struct ktsnap_error err;
 *	struct ktsnap_map_view m = ktsnap_snapshot__map(snap, "task_ctx");
 *
 *	if (ktsnap_field__as_u64(ktsnap_entry__get(ktsnap_map_view__at(m, 0),
 *						   "ctx.weight"), &w, &err))
 *		… ktsnap_error__format(&err, buf, sizeof(buf)) …
 *
 * Terminal reads return 0, -ENOENT when a lookup on the way failed, or
 * -EINVAL when the value does not convert (TypeMismatch); @err, when not
 * NULL, receives the error.
 *
 * Extension (spec §13.6): multi-entry ARRAY maps ("array_entries") are
 * exposed through at/find/filter/max_by as KTSNAP_ENTRY_ARRAY entries
 * keyed by their index.
 */
#ifndef KTSNAP_VIEW_H
#define KTSNAP_VIEW_H

#include <ktsnap/common.h>
#include <ktsnap/report.h>
#include <ktsnap/error.h>
#include <ktsnap/stats.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Snapshot (§6.1) --------------------------------------------------------- */

/* An unfiltered view of @r (borrowed). */
KTSNAP_API struct ktsnap_snapshot ktsnap_snapshot__new(const struct ktsnap_report *r);
/* Same, carrying @name (borrowed) for assertion messages. */
KTSNAP_API struct ktsnap_snapshot ktsnap_snapshot__named(const struct ktsnap_report *r,
							 const char *name);
/* The underlying report (escape hatch: no error routing). */
KTSNAP_API const struct ktsnap_report *ktsnap_snapshot__report(struct ktsnap_snapshot s);
KTSNAP_API bool ktsnap_snapshot__is_placeholder(struct ktsnap_snapshot s);
/* Number of maps the view admits. */
KTSNAP_API size_t ktsnap_snapshot__map_count(struct ktsnap_snapshot s);

/* ---- map views (§6.5) ------------------------------------------------------------ */
struct ktsnap_map_view {
	const struct ktsnap_map *map; /* NULL: lookup failed, see err */
	bool narrowed;
	uint32_t cpu;
	struct ktsnap_error err;
};

/*
 * First admitted map named exactly @name.  Errors: PlaceholderSnapshot,
 * ActiveFilterExcludedMaps, MapNotFound (lists the admitted maps).
 */
KTSNAP_API struct ktsnap_map_view ktsnap_snapshot__map(struct ktsnap_snapshot s, const char *name);
KTSNAP_API bool ktsnap_map_view__is_ok(struct ktsnap_map_view m);
/* NULL when @m holds a map.  Borrowed from *m. */
KTSNAP_API const struct ktsnap_error *ktsnap_map_view__error(const struct ktsnap_map_view *m);
/* Borrowed from the report; NULL (or "" for the name) on a failed view. */
KTSNAP_API const char *ktsnap_map_view__name(struct ktsnap_map_view m);
KTSNAP_API const struct ktsnap_map *ktsnap_map_view__raw(struct ktsnap_map_view m);
KTSNAP_API const char *ktsnap_map_view__map_error(struct ktsnap_map_view m);
KTSNAP_API const struct ktsnap_ringbuf_info *ktsnap_map_view__ringbuf(struct ktsnap_map_view m);
KTSNAP_API const struct ktsnap_fd_array_info *ktsnap_map_view__fd_array(struct ktsnap_map_view m);
KTSNAP_API const struct ktsnap_stack_trace_info *
ktsnap_map_view__stack_trace(struct ktsnap_map_view m);
/* Number of entries at/find/filter/max_by see (1 for a single value). */
KTSNAP_API size_t ktsnap_map_view__len(struct ktsnap_map_view m);
/* The same map narrowed to @cpu's slot (ignored by non-per-CPU maps). */
KTSNAP_API struct ktsnap_map_view ktsnap_map_view__cpu(struct ktsnap_map_view m, uint32_t cpu);

/* ---- entries (§6.7) ---------------------------------------------------------------- */
enum ktsnap_entry_kind {
	KTSNAP_ENTRY_MISSING,
	KTSNAP_ENTRY_HASH, /* hash / LRU hash entry */
	KTSNAP_ENTRY_PERCPU, /* un-narrowed per-CPU array entry */
	KTSNAP_ENTRY_PERCPU_HASH, /* un-narrowed per-CPU hash entry */
	KTSNAP_ENTRY_VALUE, /* single value or narrowed per-CPU slot */
	KTSNAP_ENTRY_ARRAY, /* multi-entry ARRAY element (extension) */
};

struct ktsnap_entry {
	enum ktsnap_entry_kind kind;
	uint32_t index; /* position in the map's list */
	const struct ktsnap_map *map; /* NULL when no map was reached */
	const struct ktsnap_map_entry *raw; /* HASH, PERCPU*, ARRAY; narrowed slots */
	const struct ktsnap_value *value; /* VALUE */
	struct ktsnap_error err; /* MISSING */
};

/*
 * Callbacks of find / filter / max_by.  A big map not rendered yet (8192
 * entries or more, none of at/find/… or the raw layer rendered it whole)
 * is walked without building the whole map's value trees: each entry is
 * rendered for the call into scratch memory reused for the next one.  So
 * whatever a callback obtains from @e — @e itself, ktsnap_entry__value(),
 * fields from ktsnap_entry__get() / __key() and their values, strings and
 * errors — is valid only until the callback returns; copy out what must
 * outlive it (numbers, strdup'd text).  The entries find / filter /
 * max_by / at return are always valid, as long as the report (they are
 * rendered on their own, the map itself may stay unrendered).
 */
typedef bool (*ktsnap_entry_pred_fn)(const struct ktsnap_entry *e, void *ctx);
typedef uint64_t (*ktsnap_entry_key_fn)(const struct ktsnap_entry *e, void *ctx);

/*
 * n-th entry (resolved through the CPU narrowing).  Errors:
 * IndexOutOfRange, PerCpuSlot, MapRenderIncomplete (empty map whose
 * capture failed), or the map view's own error.
 */
KTSNAP_API struct ktsnap_entry ktsnap_map_view__at(struct ktsnap_map_view m, size_t n);
/*
 * First entry @pred accepts; predicates also see Missing entries (an
 * unmapped per-CPU slot).  Errors: NoMatch (with up to three sampled
 * keys), MapRenderIncomplete.
 */
KTSNAP_API struct ktsnap_entry ktsnap_map_view__find(struct ktsnap_map_view m,
						     ktsnap_entry_pred_fn pred, void *ctx);
/*
 * Every entry @pred accepts, in order: the first @cap are stored in @out
 * (may be NULL when @cap is 0); returns how many matched.
 */
KTSNAP_API size_t ktsnap_map_view__filter(struct ktsnap_map_view m, ktsnap_entry_pred_fn pred,
					  void *ctx, struct ktsnap_entry *out, size_t cap);
/* Entry with the greatest @key (ties: the first).  Errors: NoMatch on an
 * empty map, MapRenderIncomplete. */
KTSNAP_API struct ktsnap_entry ktsnap_map_view__max_by(struct ktsnap_map_view m,
						       ktsnap_entry_key_fn key, void *ctx);

KTSNAP_API bool ktsnap_entry__is_present(struct ktsnap_entry e);
/* NULL unless Missing.  Borrowed from *e. */
KTSNAP_API const struct ktsnap_error *ktsnap_entry__error(const struct ktsnap_entry *e);
/* Rendered value of a HASH / ARRAY / VALUE entry (NULL otherwise). */
KTSNAP_API const struct ktsnap_value *ktsnap_entry__value(struct ktsnap_entry e);

struct ktsnap_field;
/*
 * Walk the value side along a dotted path ("" = the value itself; see
 * ktsnap_field__get() for the syntax).  On an un-narrowed per-CPU entry a
 * leading "per_cpu[n]" component selects CPU n's slot (the path form
 * diff.h prints).  Errors: NoRendered (no BTF for the value),
 * PerCpuNotNarrowed, PerCpuSlot, path errors, or the entry's own error.
 */
KTSNAP_API struct ktsnap_field ktsnap_entry__get(struct ktsnap_entry e, const char *path);
/*
 * Walk the key side.  Per-CPU array (and ARRAY) entries: "" gives the
 * index as a key field that reads with __as_u64 & co.
 */
KTSNAP_API struct ktsnap_field ktsnap_entry__key(struct ktsnap_entry e, const char *path);

/*
 * Per-CPU aggregators over the slots of an un-narrowed PERCPU /
 * PERCPU_HASH entry (absent slots skipped; the first slot whose walk or
 * conversion fails stops with that error).  0, -ENOENT or -EINVAL; @err
 * may be NULL.  max/min with no contributing slot fail with NoMatch.
 */
KTSNAP_API int ktsnap_entry__cpu_sum_u64(struct ktsnap_entry e, const char *path, uint64_t *out,
					 struct ktsnap_error *err);
KTSNAP_API int ktsnap_entry__cpu_max_u64(struct ktsnap_entry e, const char *path, uint64_t *out,
					 struct ktsnap_error *err);
KTSNAP_API int ktsnap_entry__cpu_min_u64(struct ktsnap_entry e, const char *path, uint64_t *out,
					 struct ktsnap_error *err);
KTSNAP_API int ktsnap_entry__cpu_sum_f64(struct ktsnap_entry e, const char *path, double *out,
					 struct ktsnap_error *err);
KTSNAP_API int ktsnap_entry__cpu_max_f64(struct ktsnap_entry e, const char *path, double *out,
					 struct ktsnap_error *err);
KTSNAP_API int ktsnap_entry__cpu_min_f64(struct ktsnap_entry e, const char *path, double *out,
					 struct ktsnap_error *err);
/*
 * Call @fn(cpu, field, ctx) for each present slot in CPU order; a
 * non-zero return from @fn stops and is returned (its error, if any, is
 * the callback's business).  Path failures stop with -ENOENT and @err.
 */
typedef int (*ktsnap_cpu_each_fn)(uint32_t cpu, const struct ktsnap_field *f, void *ctx);
KTSNAP_API int ktsnap_entry__cpu_each(struct ktsnap_entry e, const char *path,
				      ktsnap_cpu_each_fn fn, void *ctx, struct ktsnap_error *err);

/* ---- fields (§6.8, §6.9, §6.10) ---------------------------------------------------------- */
enum ktsnap_field_kind {
	KTSNAP_FIELD_MISSING,
	KTSNAP_FIELD_VALUE,
	KTSNAP_FIELD_PERCPU_KEY, /* the index key of a per-CPU array entry */
	KTSNAP_FIELD_JSON, /* a JSON value (json == NULL: JSON null) */
};

struct json_object;

/*
 * One field type over both kinds of data: rendered BTF values of a report
 * (VALUE, PERCPU_KEY; borrowed from the report) and JSON values, the
 * scheduler stats (JSON; borrowed from the json-c tree, errors included:
 * valid while that tree lives).  Every ktsnap_field__* function takes
 * either; JSON fields follow the rules of §6.10.
 */
struct ktsnap_field {
	enum ktsnap_field_kind kind;
	uint32_t key; /* PERCPU_KEY */
	union {
		const struct ktsnap_value *value; /* VALUE */
		const struct json_object *json; /* JSON */
	};
	struct ktsnap_error err; /* MISSING */
};

/* A field over any value (e.g. one obtained from the raw layer). */
KTSNAP_API struct ktsnap_field ktsnap_field__of(const struct ktsnap_value *v);
/*
 * The JSON field at @path under @root (§6.10; the entry point of the
 * scheduler stats, stats.h): "" = @root itself, then the path syntax of
 * ktsnap_field__get().  A NULL @root is JSON null (so any non-empty path
 * fails with NotAStruct).
 */
KTSNAP_API struct ktsnap_field ktsnap_field__from_json(const struct json_object *root,
						       const char *path);
/*
 * Dotted-path walk (§6.8): members by exact name, pointers followed
 * transparently (at most 17 in a row), the final value returned as is.
 * get("a.b") equals get("a") then get("b").  A component may end in
 * "[i]" suffixes selecting array elements ("tag[2]", "m[1][0]", or just
 * "[3]"), the form diff.h prints; a member whose name is literally
 * "x[1]" still wins.  Errors: EmptyPathComponent, NotAStruct,
 * FieldNotFound, TypeMismatch (on a key field, or "[i]" on a non-array:
 * expected "Array"), IndexOutOfRange (map "<array>"), or the field's own
 * error.  On a JSON field the same syntax walks object members and array
 * elements (§6.10).
 */
KTSNAP_API struct ktsnap_field ktsnap_field__get(struct ktsnap_field f, const char *path);
KTSNAP_API bool ktsnap_field__is_present(struct ktsnap_field f);
/* The rendered value (VALUE only, else NULL).  Borrowed from the report. */
KTSNAP_API const struct ktsnap_value *ktsnap_field__raw(struct ktsnap_field f);
/*
 * The JSON value (JSON only, else NULL; also NULL for a JSON null, which
 * ktsnap_field__is_present() tells apart).  Borrowed from the json-c tree.
 */
KTSNAP_API const struct json_object *ktsnap_field__json(struct ktsnap_field f);
/* NULL unless Missing.  Borrowed from *f. */
KTSNAP_API const struct ktsnap_error *ktsnap_field__error(const struct ktsnap_field *f);
/*
 * Array elements as fields (Ptr / Truncated looked through; JSON arrays);
 * 0 members for anything else.
 */
KTSNAP_API size_t ktsnap_field__member_count(struct ktsnap_field f);
KTSNAP_API struct ktsnap_field ktsnap_field__member(struct ktsnap_field f, size_t i);

/* Terminal reads (tables of §6.9 and §6.10). */
KTSNAP_API int ktsnap_field__as_u64(struct ktsnap_field f, uint64_t *out, struct ktsnap_error *err);
KTSNAP_API int ktsnap_field__as_i64(struct ktsnap_field f, int64_t *out, struct ktsnap_error *err);
KTSNAP_API int ktsnap_field__as_f64(struct ktsnap_field f, double *out, struct ktsnap_error *err);
KTSNAP_API int ktsnap_field__as_bool(struct ktsnap_field f, bool *out, struct ktsnap_error *err);
/* Enum variant name, or a JSON string; *out borrowed from the report / the
 * JSON tree. */
KTSNAP_API int ktsnap_field__as_str(struct ktsnap_field f, const char **out,
				    struct ktsnap_error *err);
/*
 * Array extractors: every element must convert.  The first @cap elements
 * are stored in @out (NULL when @cap is 0) and *n receives the element
 * count, so a second call with a big enough buffer gets them all.
 */
KTSNAP_API int ktsnap_field__as_u64_array(struct ktsnap_field f, uint64_t *out, size_t cap,
					  size_t *n, struct ktsnap_error *err);
KTSNAP_API int ktsnap_field__as_u32_array(struct ktsnap_field f, uint32_t *out, size_t cap,
					  size_t *n, struct ktsnap_error *err);
KTSNAP_API int ktsnap_field__as_i64_array(struct ktsnap_field f, int64_t *out, size_t cap,
					  size_t *n, struct ktsnap_error *err);
KTSNAP_API int ktsnap_field__as_f64_array(struct ktsnap_field f, double *out, size_t cap, size_t *n,
					  struct ktsnap_error *err);
KTSNAP_API int ktsnap_field__as_bool_array(struct ktsnap_field f, bool *out, size_t cap, size_t *n,
					   struct ktsnap_error *err);

/* ---- globals (§6.2–§6.4) -------------------------------------------------------------- */

/*
 * Top-level global @name (never split on dots) of the admitted
 * .bss/.data/.rodata maps.  Two or more copies on an unfiltered view
 * defer to ktsnap_snapshot__active().  Errors: PlaceholderSnapshot,
 * VarNotFound, AmbiguousVar, MapRenderIncomplete, ActiveFilterExcludedMaps.
 */
KTSNAP_API struct ktsnap_field ktsnap_snapshot__var(struct ktsnap_snapshot s, const char *name);

/* Every copy of a global: iterate with ktsnap_vars_iter__next(). */
struct ktsnap_vars_iter {
	struct ktsnap_snapshot snap;
	const char *name;
	uint32_t pos;
};
KTSNAP_API struct ktsnap_vars_iter ktsnap_snapshot__vars(struct ktsnap_snapshot s,
							 const char *name);
/* Next (map name, field) in map order; false at the end.  *map_name is
 * borrowed from the report. */
KTSNAP_API bool ktsnap_vars_iter__next(struct ktsnap_vars_iter *it, const char **map_name,
				       struct ktsnap_field *field);

/*
 * The view filtered to the live scheduler's maps (§6.3).  0 and *out, or
 * -ENOENT with *err (PlaceholderSnapshot, NoActiveScheduler); @err may be
 * NULL.
 */
KTSNAP_API int ktsnap_snapshot__active(struct ktsnap_snapshot s, struct ktsnap_snapshot *out,
				       struct ktsnap_error *err);
/* active() then var(); an active() failure becomes a Missing field. */
KTSNAP_API struct ktsnap_field ktsnap_snapshot__live_var(struct ktsnap_snapshot s,
							 const char *name);

/* One candidate copy of a global, as pickers see it. */
struct ktsnap_var_candidate {
	const char *map_name;
	struct ktsnap_field field;
};

/* One candidate row of live_vars_via: a map holding every name. */
struct ktsnap_var_row {
	const char *map_name;
	const struct ktsnap_field *fields; /* in names order */
	size_t nr_fields;
};

/* Pickers: store the chosen index in *idx and return true, or false. */
typedef bool (*ktsnap_var_picker_fn)(const struct ktsnap_var_candidate *c, size_t n, size_t *idx,
				     void *ctx);
typedef bool (*ktsnap_row_picker_fn)(const struct ktsnap_var_row *rows, size_t n, size_t *idx,
				     void *ctx);

/*
 * Every copy of @name in this view (no active() step), handed to @pick.
 * Errors: PlaceholderSnapshot, VarNotFound (lists the global-section
 * *map* names), ProjectionFailed (index out of range / no pick).
 */
KTSNAP_API struct ktsnap_field ktsnap_snapshot__live_var_via(struct ktsnap_snapshot s,
							     const char *name,
							     ktsnap_var_picker_fn pick, void *ctx);
/*
 * Co-pick @nr_names globals from one map: rows are the admitted global
 * sections holding all of them.  On success out[i] is names[i]'s field
 * (@out has room for @nr_names).  0, -ENOENT with *err, or -ENOMEM.
 */
KTSNAP_API int ktsnap_snapshot__live_vars_via(struct ktsnap_snapshot s, const char *const *names,
					      size_t nr_names, ktsnap_row_picker_fn pick, void *ctx,
					      struct ktsnap_field *out, struct ktsnap_error *err);

/* ---- pickers (§6.4) ---------------------------------------------------------------------- */

/* Greatest as_u64 value (failures dropped; ties: the last). */
KTSNAP_API bool ktsnap_pick_max_by_counter_value(const struct ktsnap_var_candidate *c, size_t n,
						 size_t *idx, void *ctx);
/* Greatest saturating sum over rows whose every field reads as u64
 * (ties: the last). */
KTSNAP_API bool ktsnap_pick_max_by_sum_u64(const struct ktsnap_var_row *rows, size_t n, size_t *idx,
					   void *ctx);

/* ---- walker-backed fields (§6.1) ------------------------------------------------------------- */
/* Borrowed arrays of *n records (NULL and 0 when empty). */
KTSNAP_API const struct ktsnap_event_counter_sample *
ktsnap_snapshot__event_counter_timeline(struct ktsnap_snapshot s, size_t *n);
KTSNAP_API const struct ktsnap_rq_scx_state *
ktsnap_snapshot__rq_scx_states(struct ktsnap_snapshot s, size_t *n);
KTSNAP_API const struct ktsnap_dsq_state *ktsnap_snapshot__dsq_states(struct ktsnap_snapshot s,
								      size_t *n);
KTSNAP_API const struct ktsnap_per_cpu_time *ktsnap_snapshot__per_cpu_time(struct ktsnap_snapshot s,
									   size_t *n);
KTSNAP_API const struct ktsnap_cgroup_psi *ktsnap_snapshot__cgroup_psi(struct ktsnap_snapshot s,
								       size_t *n);
KTSNAP_API const struct ktsnap_per_node_numa *
ktsnap_snapshot__per_node_numa(struct ktsnap_snapshot s, size_t *n);
KTSNAP_API const struct ktsnap_task_enrichment *
ktsnap_snapshot__task_enrichments(struct ktsnap_snapshot s, size_t *n);
KTSNAP_API const struct ktsnap_prog_runtime_stat *
ktsnap_snapshot__prog_runtime_stats(struct ktsnap_snapshot s, size_t *n);
/* NULL when absent. */
KTSNAP_API const struct ktsnap_scx_sched_state *
ktsnap_snapshot__scx_sched_state(struct ktsnap_snapshot s);
KTSNAP_API const struct ktsnap_probe_counters *
ktsnap_snapshot__probe_counters(struct ktsnap_snapshot s);

/* First record whose cpu / node / pid / name equals (not by position);
 * NULL when none. */
KTSNAP_API const struct ktsnap_per_cpu_time *
ktsnap_snapshot__per_cpu_time_at(struct ktsnap_snapshot s, uint32_t cpu);
KTSNAP_API const struct ktsnap_per_node_numa *
ktsnap_snapshot__per_node_numa_at(struct ktsnap_snapshot s, uint32_t node);
KTSNAP_API const struct ktsnap_task_enrichment *
ktsnap_snapshot__task_enrichment_by_pid(struct ktsnap_snapshot s, int32_t pid);
KTSNAP_API const struct ktsnap_prog_runtime_stat *
ktsnap_snapshot__prog_runtime_stats_by_name(struct ktsnap_snapshot s, const char *name);

/* Why a walker-backed field is empty (NULL when not recorded). */
KTSNAP_API const char *ktsnap_snapshot__scx_walker_unavailable(struct ktsnap_snapshot s);
KTSNAP_API const char *ktsnap_snapshot__task_enrichments_unavailable(struct ktsnap_snapshot s);
KTSNAP_API const char *ktsnap_snapshot__prog_runtime_stats_unavailable(struct ktsnap_snapshot s);
KTSNAP_API const char *ktsnap_snapshot__per_node_numa_unavailable(struct ktsnap_snapshot s);
KTSNAP_API const char *ktsnap_snapshot__sdt_alloc_unavailable(struct ktsnap_snapshot s);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_VIEW_H */
