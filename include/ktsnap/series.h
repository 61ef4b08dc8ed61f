/* SPDX-License-Identifier: MIT */
/*
 * Time series of captures (spec §8.1–§8.3).
 *
 *   bridge ──drain_ordered_with_stats──► struct ktsnap_sample_series
 *     rows: { tag, report (raw, renders lazily), stats | MissingStatsReason,
 *             elapsed_ms?, boundary_offset_ms?, step_index?, parsed stats? }
 *        │  projections: a callback over each row's snapshot view / stats
 *        ▼
 *   struct ktsnap_series_field (typed column)
 *     label, tags[], elapsed_ms[], values[] (value | ktsnap_error), phases[]
 *        │
 *        ▼  temporal patterns (temporal.h) → struct ktsnap_verdict
 *
 * Phases are u16: 0 = baseline, k + 1 = step k (the bridge's step_index).
 *
 * Lifetimes: a field's error values may borrow from the reports of the
 * series it was projected from (see error.h), so a field projected from a
 * series must be freed before that series.  A series is not thread-safe:
 * project from one thread at a time (the stats JSON of a row is parsed on
 * first use and cached in the row).
 */
#ifndef KTSNAP_SERIES_H
#define KTSNAP_SERIES_H

#include <ktsnap/common.h>
#include <ktsnap/bridge.h>
#include <ktsnap/error.h>
#include <ktsnap/view.h>
#include <ktsnap/stats.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ktsnap_report;
struct ktsnap_drain;
struct ktsnap_bridge;

/* ---- SeriesField (§8.3) ------------------------------------------------------------ */

#define KTSNAP_PHASE_BASELINE 0
/* Phase of step k (0-based). */
#define KTSNAP_PHASE_STEP(k) ((uint16_t)((k) + 1))
/* "no phase" in a field's phases column. */
#define KTSNAP_PHASE_NONE (-1)

enum ktsnap_series_type {
	KTSNAP_SERIES_U64,
	KTSNAP_SERIES_I64,
	KTSNAP_SERIES_F64,
	KTSNAP_SERIES_BOOL,
};

union ktsnap_series_num {
	uint64_t u64;
	int64_t i64;
	double f64;
	bool b;
};

/* One slot: a value of the field's type, or the error that replaced it. */
struct ktsnap_series_value {
	bool ok;
	union ktsnap_series_num v;
	struct ktsnap_error err; /* !ok */
};

static inline struct ktsnap_series_value ktsnap_series_u64(uint64_t x)
{
	return (struct ktsnap_series_value){ .ok = true, .v = { .u64 = x } };
}

static inline struct ktsnap_series_value ktsnap_series_i64(int64_t x)
{
	return (struct ktsnap_series_value){ .ok = true, .v = { .i64 = x } };
}

static inline struct ktsnap_series_value ktsnap_series_f64(double x)
{
	return (struct ktsnap_series_value){ .ok = true, .v = { .f64 = x } };
}

static inline struct ktsnap_series_value ktsnap_series_bool(bool x)
{
	return (struct ktsnap_series_value){ .ok = true, .v = { .b = x } };
}

static inline struct ktsnap_series_value ktsnap_series_err(struct ktsnap_error e)
{
	return (struct ktsnap_series_value){ .ok = false, .err = e };
}

struct ktsnap_series_field;

/*
 * A field from parallel columns (all copied; errors are copied as values
 * and keep borrowing what they borrowed).  @elapsed_ms may be NULL (every
 * timestamp 0) and @phases may be NULL (no phases); otherwise each column's
 * length must equal @nr_tags: unequal lengths are a programming error and
 * abort().  Caller frees with ktsnap_series_field__free().  NULL + ENOMEM.
 */
KTSNAP_API struct ktsnap_series_field *
ktsnap_series_field__new(const char *label, enum ktsnap_series_type type, const char *const *tags,
			 size_t nr_tags, const uint64_t *elapsed_ms, size_t nr_elapsed,
			 const struct ktsnap_series_value *values, size_t nr_values,
			 const int32_t *phases, size_t nr_phases);
/* Accepts NULL. */
KTSNAP_API void ktsnap_series_field__free(struct ktsnap_series_field *f);

/* Borrowed from @f. */
KTSNAP_API const char *ktsnap_series_field__label(const struct ktsnap_series_field *f);
KTSNAP_API enum ktsnap_series_type ktsnap_series_field__type(const struct ktsnap_series_field *f);
KTSNAP_API size_t ktsnap_series_field__len(const struct ktsnap_series_field *f);
KTSNAP_API bool ktsnap_series_field__is_empty(const struct ktsnap_series_field *f);
/* Row @i (< len; NULL / 0 / KTSNAP_PHASE_NONE past the end).  Borrowed. */
KTSNAP_API const char *ktsnap_series_field__tag(const struct ktsnap_series_field *f, size_t i);
KTSNAP_API uint64_t ktsnap_series_field__elapsed_ms(const struct ktsnap_series_field *f, size_t i);
KTSNAP_API const struct ktsnap_series_value *
ktsnap_series_field__value(const struct ktsnap_series_field *f, size_t i);
KTSNAP_API int32_t ktsnap_series_field__phase(const struct ktsnap_series_field *f, size_t i);

/*
 * The distinct phases present, ascending: the first @cap go to @out (NULL
 * when @cap is 0); returns how many there are.
 */
KTSNAP_API size_t ktsnap_series_field__phases(const struct ktsnap_series_field *f, uint16_t *out,
					      size_t cap);
/* Rows of @phase in order (by_phase / phase(p)); same buffer contract. */
KTSNAP_API size_t ktsnap_series_field__phase_rows(const struct ktsnap_series_field *f,
						  uint16_t phase, size_t *out, size_t cap);
/*
 * Per-phase reducers over Ok values (errors skipped): last Ok value
 * (value_at_phase / last_per_phase), first Ok value (first_per_phase),
 * last − first (counter_delta_per_phase; a counter that went down within
 * the phase reads as 0 progress, as the reference does; not for bool).
 * 0 and *out, -ENOENT when the phase has no Ok value, -EINVAL.
 */
KTSNAP_API int ktsnap_series_field__value_at_phase(const struct ktsnap_series_field *f,
						   uint16_t phase, union ktsnap_series_num *out);
KTSNAP_API int ktsnap_series_field__first_at_phase(const struct ktsnap_series_field *f,
						   uint16_t phase, union ktsnap_series_num *out);
KTSNAP_API int ktsnap_series_field__counter_delta_at_phase(const struct ktsnap_series_field *f,
							   uint16_t phase,
							   union ktsnap_series_num *out);

/*
 * Debug rendering of a phase as messages show it: "Phase(0)" for the
 * baseline, "Phase(k+1)" for step k (the reference's Phase is a u16
 * newtype with a derived Debug).  snprintf semantics.
 */
KTSNAP_API int ktsnap_phase__format(uint16_t phase, char *buf, size_t size);

/* ---- SampleSeries (§8.2) --------------------------------------------------------------- */

struct ktsnap_sample_series;

/* One row as a sample; every pointer is borrowed from the series. */
struct ktsnap_sample {
	const char *tag;
	struct ktsnap_snapshot snapshot; /* named @tag */
	const struct ktsnap_stats *stats; /* never NULL */
	struct ktsnap_capture_meta meta;
};

/* An empty series.  Caller frees with ktsnap_sample_series__free().  NULL + ENOMEM. */
KTSNAP_API struct ktsnap_sample_series *ktsnap_sample_series__new(void);
/* Frees every row and report.  Accepts NULL. */
KTSNAP_API void ktsnap_sample_series__free(struct ktsnap_sample_series *s);

/*
 * Append a row (the fixture form, from_drained): takes ownership of
 * @report (freed on failure too); @stats is deep-copied, NULL meaning
 * NoSchedulerBinary; NULL metadata pointers mean absent.  0, -EINVAL,
 * -ENOMEM.
 */
KTSNAP_API int ktsnap_sample_series__push(struct ktsnap_sample_series *s, const char *tag,
					  struct ktsnap_report *report,
					  const struct ktsnap_stats *stats,
					  const uint64_t *elapsed_ms,
					  const uint64_t *boundary_offset_ms,
					  const uint16_t *step_index);
/*
 * The production form (from_drained_typed): one row per entry of @d in
 * order, moving each report out of @d (entries already taken are
 * skipped); @d still needs ktsnap_drain__free().  Caller frees the series.
 * NULL + ENOMEM.
 */
KTSNAP_API struct ktsnap_sample_series *ktsnap_sample_series__from_drain(struct ktsnap_drain *d);

KTSNAP_API size_t ktsnap_sample_series__len(const struct ktsnap_sample_series *s);
KTSNAP_API bool ktsnap_sample_series__is_empty(const struct ktsnap_sample_series *s);
/* Row @i as a sample.  0, -EINVAL (NULL @out), -ERANGE (@i past the end). */
KTSNAP_API int ktsnap_sample_series__sample(const struct ktsnap_sample_series *s, size_t i,
					    struct ktsnap_sample *out);
/* periodic_only(): keep the rows whose tag starts with "periodic_" (prefix
 * test), freeing the others.  Returns how many rows remain. */
KTSNAP_API size_t ktsnap_sample_series__retain_periodic(struct ktsnap_sample_series *s);

/* by_stamped_phase: a sample's step_index, 0 when absent. */
KTSNAP_API uint16_t ktsnap_sample__stamped_phase(const struct ktsnap_sample *smp);
/* Rows whose stamped phase is @phase, in order; buffer contract as above. */
KTSNAP_API size_t ktsnap_sample_series__stamped_phase_rows(const struct ktsnap_sample_series *s,
							   uint16_t phase, size_t *out, size_t cap);

/* A stimulus event as by_stimulus_phase reads it. */
struct ktsnap_stimulus_event {
	uint64_t elapsed_ms;
	bool is_step_end; /* step-end markers start nothing */
	bool has_step_index;
	uint16_t step_index;
};

/*
 * by_stimulus_phase: out[i] (room for len() entries) = the bucket of row
 * i.  Step starts are the events that are not step-end markers and carry
 * a step index, ordered by elapsed_ms; a row with a boundary offset goes
 * to the step index of the latest start <= the offset (0 when none), any
 * other row to its step_index (0 when absent).  0, -EINVAL, -ENOMEM.
 */
KTSNAP_API int ktsnap_sample_series__stimulus_phases(const struct ktsnap_sample_series *s,
						     const struct ktsnap_stimulus_event *events,
						     size_t nr_events, uint16_t *out);

/* ---- projections ------------------------------------------------------------------------- */
/*
 * Fill *out (pre-set to an Ok zero) with this row's value or error and
 * return 0; a negative errno aborts the projection (returned as errno).
 */
typedef int (*ktsnap_series_bpf_fn)(struct ktsnap_snapshot snap, struct ktsnap_series_value *out,
				    void *ctx);
typedef int (*ktsnap_series_stats_fn)(struct ktsnap_field stats, struct ktsnap_series_value *out,
				      void *ctx);
/*
 * For projections: @f read as @type (ktsnap_field__as_u64() … as_bool())
 * into *out, the value or the error that replaced it; returns what the
 * as_*() call did (0, -ENOENT, -EINVAL), or -EINVAL for a NULL @out or an
 * unknown @type (*out: a ProjectionFailed error).  This is how the
 * library's own projections read their fields.  A projection callback
 * returns 0 after it whatever the read did: *out already holds the row's
 * error, and a negative return would abort the whole column.
 */
KTSNAP_API int ktsnap_series_value__read(struct ktsnap_field f, enum ktsnap_series_type type,
					 struct ktsnap_series_value *out);

/*
 * bpf(label, f): placeholder rows become PlaceholderSample{tag, reason =
 * the report's scx_walker_unavailable or "placeholder report"} without
 * calling @fn.  Caller frees the field (before @s).  NULL + errno.
 *
 * Memory: the maps @fn renders are dropped again when it returns (they
 * render anew on the next access), so views taken inside @fn must not be
 * kept past the call; errors it stores in *out stay valid.  Maps rendered
 * before the projection started are left alone.  All projections below
 * behave the same way.
 */
KTSNAP_API struct ktsnap_series_field *
ktsnap_sample_series__bpf(struct ktsnap_sample_series *s, const char *label,
			  enum ktsnap_series_type type, ktsnap_series_bpf_fn fn, void *ctx);
/*
 * stats(label, f): a row whose stats slot is a MissingStatsReason becomes
 * MissingStats{tag, reason} without calling @fn; otherwise @fn gets the
 * root of the stats JSON (unparsable JSON: ProjectionFailed).  Caller frees
 * the field (before @s).  NULL + errno.
 */
KTSNAP_API struct ktsnap_series_field *
ktsnap_sample_series__stats(struct ktsnap_sample_series *s, const char *label,
			    enum ktsnap_series_type type, ktsnap_series_stats_fn fn, void *ctx);
/*
 * bpf_live_u64 / i64 / f64 (@type picks the coercion): live_var(@name) per
 * row, label @name, behind the phase-stable gate — within a phase (the
 * row's step_index, 0 when absent) the first non-placeholder row with a
 * non-empty active_map_kvas set pins it; a later Ok row with another
 * non-empty set, or with an empty one, becomes WalkerDriftedWithinPhase.
 * Caller frees the field (before @s).  NULL + errno.
 */
KTSNAP_API struct ktsnap_series_field *
ktsnap_sample_series__bpf_live(struct ktsnap_sample_series *s, const char *name,
			       enum ktsnap_series_type type);
/*
 * live_bpf_vars_via: one ktsnap_snapshot__live_vars_via() per row, read as
 * u64; out[i] is the field of names[i] (labelled with it).  A failure of
 * the shared lookup lands in every field; an as_u64 failure only in its
 * own.  0 and @nr_names fields the caller frees (before @s); -errno and
 * nothing on failure.
 */
KTSNAP_API int ktsnap_sample_series__live_bpf_vars_via(struct ktsnap_sample_series *s,
						       const char *const *names, size_t nr_names,
						       ktsnap_row_picker_fn pick, void *ctx,
						       struct ktsnap_series_field **out);

/*
 * bpf_map(map).at(index)[.cpu(cpu)].field_*(member): the top-level member
 * (exact name; a dotted path also walks) of entry @index of @map, read as
 * @type; @cpu < 0 means no CPU narrowing.  Label "map[index].member" (or
 * "map[index].cpu(N).member").  Placeholder rows are PlaceholderSample.
 * Caller frees the field (before @s).  NULL + errno.
 */
KTSNAP_API struct ktsnap_series_field *
ktsnap_sample_series__map_field(struct ktsnap_sample_series *s, const char *map, size_t index,
				int64_t cpu, const char *member, enum ktsnap_series_type type);

enum ktsnap_cpu_agg {
	KTSNAP_CPU_SUM,
	KTSNAP_CPU_MAX,
	KTSNAP_CPU_MIN,
};

/*
 * field_cpu_sum_* / field_cpu_max_* / field_cpu_min_*: @member aggregated
 * over the CPU slots of un-narrowed per-CPU entry @index (@type U64 or
 * F64).  Label "map[index].member (cpu sum|max|min)".  NULL + errno.
 */
KTSNAP_API struct ktsnap_series_field *
ktsnap_sample_series__map_field_cpu(struct ktsnap_sample_series *s, const char *map, size_t index,
				    const char *member, enum ktsnap_cpu_agg agg,
				    enum ktsnap_series_type type);

enum ktsnap_member_filter {
	KTSNAP_MEMBERS_ALL, /* member_names() */
	KTSNAP_MEMBERS_U64, /* u64_fields(): members that read as u64 */
	KTSNAP_MEMBERS_F64, /* f64_fields(): Float members */
};

/*
 * member_names() / u64_fields() / f64_fields() of entry @index of @map
 * (per-CPU entries: CPU 0's slot, or the first mapped one): the union over
 * every row in first-seen order, so a placeholder or empty first row does
 * not hide the schema.  A NULL-terminated vector the caller frees with
 * ktsnap_strv__free().  NULL + ENOMEM.
 */
KTSNAP_API char **ktsnap_sample_series__map_member_names(struct ktsnap_sample_series *s,
							 const char *map, size_t index,
							 enum ktsnap_member_filter filter);
/* Frees a NULL-terminated string vector from this header.  Accepts NULL. */
KTSNAP_API void ktsnap_strv__free(char **v);

/*
 * stats_path(path).key(key).field_*(name): member @name of object member
 * @key of the stats object at dotted @path.  Label "path.key.name".
 * Missing stats are MissingStats; in-JSON misses the JsonField errors.
 * NULL + errno.
 */
KTSNAP_API struct ktsnap_series_field *
ktsnap_sample_series__stats_key_field(struct ktsnap_sample_series *s, const char *path,
				      const char *key, const char *name,
				      enum ktsnap_series_type type);
/* key_names(): the union over rows of the member names of the object at
 * @path, first-seen order.  NULL-terminated; ktsnap_strv__free().  NULL + ENOMEM. */
KTSNAP_API char **ktsnap_sample_series__stats_key_names(struct ktsnap_sample_series *s,
							const char *path);

/*
 * host(): a per_cpu_time reading of @cpu per row through @fn, which picks
 * the value (e.g. cpustat_idle_ns).  A row with no record for @cpu
 * (placeholders included) becomes HostFieldUnavailable{tag, cpu}.  NULL + errno.
 */
typedef void (*ktsnap_series_cpu_time_fn)(const struct ktsnap_per_cpu_time *t,
					  struct ktsnap_series_value *out, void *ctx);
KTSNAP_API struct ktsnap_series_field *
ktsnap_sample_series__host_cpu_time(struct ktsnap_sample_series *s, const char *label, uint32_t cpu,
				    enum ktsnap_series_type type, ktsnap_series_cpu_time_fn fn,
				    void *ctx);

/* ---- scheduler stats over the scx stats socket -------------------------------------------- */
/*
 * The scx stats protocol: one JSON request line {"req":"stats","args":{…}}
 * on a Unix stream socket, one JSON response line {"errno":N,"args":{"resp":…}}.
 * Caps on the two lines (bytes, newline excluded).
 */
#define KTSNAP_STATS_MAX_REQUEST 4096
#define KTSNAP_STATS_MAX_RESPONSE (16u << 20)

struct ktsnap_stats_socket;

/*
 * A stats client for the socket at @path (e.g. /var/run/scx/root/stats),
 * requesting "stats" with args {"target": @target} (NULL: no args); each
 * request connects afresh and gives up after @timeout_ms (0: 1000) per
 * read / write; @max_response 0 means KTSNAP_STATS_MAX_RESPONSE.  Caller
 * frees with ktsnap_stats_socket__free().  NULL + errno.
 */
KTSNAP_API struct ktsnap_stats_socket *ktsnap_stats_socket__new(const char *path,
								const char *target,
								uint32_t timeout_ms,
								size_t max_response);
KTSNAP_API void ktsnap_stats_socket__free(struct ktsnap_stats_socket *s);
/*
 * One request (a ktsnap_periodic_stats_fn: pass the client as the ctx).
 * Always fills *out and returns 0: the response's "resp" as compact JSON,
 * or the MissingStatsReason — SchedulerError{errno, args} for a non-zero
 * errno, MissingResp{args} without "resp", Request/ResponseTooLarge past
 * the caps, NoScheduler{reason} for any other failure (connect, I/O,
 * timeout, malformed JSON).  Strings in *out are owned by the client and
 * valid until its next request.
 */
KTSNAP_API int ktsnap_stats_socket__request(struct ktsnap_stats *out, void *client);

/* ---- on disk ---------------------------------------------------------------------------- */
/*
 * A series directory: <tag>.json per row (report JSON, see json.h) and
 * series.json = {"samples":[{"tag","file","elapsed_ms"?,"boundary_offset_ms"?,
 * "step_index"?, "stats": <JSON> | "missing_stats": {"kind","reason"?,
 * "errno"?,"args"?,"size"?,"max"?}}, …]} in row order.
 *
 * write_dir: writes into the existing directory @dir (rendering every
 * captured map).  0, -EINVAL (a tag that is not a file name), -errno.
 */
KTSNAP_API int ktsnap_sample_series__write_dir(const struct ktsnap_sample_series *s,
					       const char *dir);
/*
 * read_dir: the rows of series.json; without one, every periodic_*.json
 * in name order with elapsed_ms from the capture timestamps (relative to
 * the first; absent when a report has none).  Caller frees the series.
 * NULL + errno: ENOENT (no series.json and no periodic_*.json), EINVAL
 * (malformed series.json or report: ktsnap_errmsg() has the reader's
 * detail for a report), or the I/O errno.
 */
KTSNAP_API struct ktsnap_sample_series *ktsnap_sample_series__read_dir(const char *dir);

/* ---- periodic capture (§8.1) ------------------------------------------------------------ */

/* Validation limits: at most the bridge cap, boundaries >= 100 ms apart. */
#define KTSNAP_PERIODIC_MAX_SNAPSHOTS KTSNAP_MAX_STORED_SNAPSHOTS
#define KTSNAP_PERIODIC_MIN_SPACING_NS 100000000ULL
/* Consecutive failed captures after which the remaining boundaries are abandoned. */
#define KTSNAP_PERIODIC_MAX_CONSECUTIVE_FAILURES 2

/*
 * Periodic capture reports failures like the rest of the library: a
 * negative errno (NULL + errno for ktsnap_periodic__new) and a text for
 * ktsnap_errmsg() saying what was wrong.
 */

/*
 * Check @num_snapshots over a workload of @duration_ns: 0 (also for
 * num_snapshots 0, which means "off"), or -EINVAL with a ktsnap_errmsg()
 * text saying which rule failed and how to fix it: num_snapshots <= 64,
 * and 0.8 * duration / (num_snapshots + 1) >= 100 ms.
 */
KTSNAP_API int ktsnap_periodic__validate(uint32_t num_snapshots, uint64_t duration_ns);
/*
 * The default post-run check of a periodic run with no check of its own:
 * at least one stored boundary with real BPF state
 * (ktsnap_bridge__periodic_real_count(b) >= 1).  0, -ENODATA when there is
 * none, -EINVAL for a NULL bridge; ktsnap_errmsg() says which.
 */
KTSNAP_API int ktsnap_periodic__default_check(struct ktsnap_bridge *b);

/*
 * The boundary schedule on any ns clock (integer math): with avail = end -
 * start, pre = avail / 10 and w = avail - 2 * pre, boundary i (< n) is
 * start + pre + (i + 1) * w / (n + 1).  None when n == 0, end <= start or
 * w < n + 1.  Writes up to @n boundaries to @out and returns how many.
 */
KTSNAP_API size_t ktsnap_periodic__boundaries(uint64_t start_ns, uint64_t end_ns, uint32_t n,
					      uint64_t *out);

/*
 * The clock periodic capture runs on.  now_ns() is a monotonic ns clock;
 * sleep_until() returns once now_ns() >= @deadline_ns (it may return
 * early).  Tests inject a fake one; NULL in the options means
 * CLOCK_MONOTONIC with an interruptible sleep.
 */
struct ktsnap_periodic_clock {
	uint64_t (*now_ns)(void *ctx);
	void (*sleep_until)(uint64_t deadline_ns, void *ctx);
	void *ctx;
};

/*
 * Scheduler stats for one boundary: fill *out (its strings must stay valid
 * until the next call or the end of the run; the bridge copies them) and
 * return 0.  Any negative return stores NoScheduler{"stats callback
 * failed: <errno text>"}.
 */
typedef int (*ktsnap_periodic_stats_fn)(struct ktsnap_stats *out, void *ctx);

struct ktsnap_periodic_opts {
	size_t sz;
	uint32_t num_snapshots; /* N; 0 = off */
	uint64_t duration_ns; /* workload duration */
	/* scenario start on the clock (0: the moment run/start is called) */
	uint64_t anchor_ns;
	/* when capture prerequisites became ready (0: the anchor) */
	uint64_t ready_ns;
	/* the capture callback: the same one the bridge was built with, e.g.
	 * ktsnap_capture_callback_live; NULL or a placeholder is a failure */
	ktsnap_capture_fn capture;
	void *capture_ctx;
	/* optional; NULL stores NoSchedulerBinary */
	ktsnap_periodic_stats_fn stats;
	void *stats_ctx;
	const struct ktsnap_periodic_clock *clock; /* NULL: CLOCK_MONOTONIC */
	size_t : 0;
};
#define ktsnap_periodic_opts__last_field clock

struct ktsnap_periodic;

/*
 * A periodic capture run storing into @b (a handle is taken; the caller
 * keeps its own).  @opts is required (it carries the capture callback)
 * and is copied.  A caller built against an older ktsnap passes a smaller
 * opts->sz: the fields it does not know read as zero (no clock: the
 * monotonic one).  Caller frees with ktsnap_periodic__free().  NULL +
 * errno: EINVAL (no bridge, no options, no capture callback, a clock
 * without now_ns, opts->sz smaller than sz itself, or the rules of
 * ktsnap_periodic__validate, with its text), E2BIG (a non-zero byte in
 * @opts past the fields this ktsnap knows), ENOMEM; ktsnap_errmsg() says
 * which.
 */
KTSNAP_API struct ktsnap_periodic *ktsnap_periodic__new(struct ktsnap_bridge *b,
							const struct ktsnap_periodic_opts *opts);
/* Stops and joins a running thread, drops the bridge handle.  Accepts NULL. */
KTSNAP_API void ktsnap_periodic__free(struct ktsnap_periodic *p);
/*
 * Service every boundary in the calling thread, then return: each one
 * requests stats, stamps elapsed_ms (workload ms since the anchor, pauses
 * excluded, taken after the stats request and before the capture),
 * captures and stores "periodic_%03u" with the stats, elapsed_ms,
 * boundary_offset_ms (boundary - anchor) and the current step.  A failed
 * capture stores a placeholder; after 2 consecutive failures the
 * remaining boundaries are abandoned.  0, -EINVAL (@p NULL),
 * -EALREADY (run or start was already called), -ECANCELED when stopped
 * early; each failure with a ktsnap_errmsg() text.
 */
KTSNAP_API int ktsnap_periodic__run(struct ktsnap_periodic *p);
/*
 * The same on a new thread beside the caller's workload.  0, -EINVAL,
 * -EALREADY as for run, or the errno of the thread creation; with a text.
 */
KTSNAP_API int ktsnap_periodic__start(struct ktsnap_periodic *p);
/*
 * Wait for the thread started by __start to finish; returns what run
 * returned (-ECANCELED with its text on this thread), -EINVAL (@p NULL)
 * or -ESRCH (no thread to wait for: start not called, failed, or already
 * joined), with a text.
 */
KTSNAP_API int ktsnap_periodic__join(struct ktsnap_periodic *p);
/* Ask the run to stop before the next boundary and wake it (thread-safe). */
KTSNAP_API void ktsnap_periodic__stop(struct ktsnap_periodic *p);
/* Scenario pause / resume: paused time shifts every unfired boundary and
 * is excluded from elapsed_ms (thread-safe). */
KTSNAP_API void ktsnap_periodic__pause(struct ktsnap_periodic *p);
KTSNAP_API void ktsnap_periodic__resume(struct ktsnap_periodic *p);
/* Host mirror of the scenario's current step, stamped on later captures. */
KTSNAP_API void ktsnap_periodic__set_step(struct ktsnap_periodic *p, uint16_t step_index);
/* periodic_target (= N), periodic_fired (boundaries serviced, placeholders
 * included) and whether the tail was abandoned. */
KTSNAP_API uint32_t ktsnap_periodic__target(const struct ktsnap_periodic *p);
KTSNAP_API uint32_t ktsnap_periodic__fired(struct ktsnap_periodic *p);
KTSNAP_API bool ktsnap_periodic__abandoned(struct ktsnap_periodic *p);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_SERIES_H */
