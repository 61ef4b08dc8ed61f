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

#define KTSNAP_PHASE_BASELINE	0
/* Phase of step k (0-based). */
#define KTSNAP_PHASE_STEP(k)	((uint16_t)((k) + 1))
/* "no phase" in a field's phases column. */
#define KTSNAP_PHASE_NONE	(-1)

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
	struct ktsnap_error err;	/* !ok */
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
ktsnap_series_field__new(const char *label, enum ktsnap_series_type type,
			 const char *const *tags, size_t nr_tags,
			 const uint64_t *elapsed_ms, size_t nr_elapsed,
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
 * Debug rendering of a phase, used in messages ("BASELINE", "Step[k]" —
 * the reference's exact Debug form is not known, spec §13.9).  snprintf
 * semantics.
 */
KTSNAP_API int ktsnap_phase__format(uint16_t phase, char *buf, size_t size);

/* ---- SampleSeries (§8.2) --------------------------------------------------------------- */

struct ktsnap_sample_series;

/* One row as a sample; every pointer is borrowed from the series. */
struct ktsnap_sample {
	const char *tag;
	struct ktsnap_snapshot snapshot;	/* named @tag */
	const struct ktsnap_stats *stats;	/* never NULL */
	bool has_elapsed_ms;
	uint64_t elapsed_ms;
	bool has_boundary_offset_ms;
	uint64_t boundary_offset_ms;
	bool has_step_index;
	uint16_t step_index;
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
/* Row @i as a sample.  0, -ERANGE. */
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
	bool is_step_end;	/* step-end markers start nothing */
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
typedef int (*ktsnap_series_bpf_fn)(struct ktsnap_snapshot snap,
				    struct ktsnap_series_value *out, void *ctx);
typedef int (*ktsnap_series_stats_fn)(struct ktsnap_json_field stats,
				      struct ktsnap_series_value *out, void *ctx);

/*
 * bpf(label, f): placeholder rows become PlaceholderSample{tag, reason =
 * the report's scx_walker_unavailable or "placeholder report"} without
 * calling @fn.  Caller frees the field (before @s).  NULL + errno.
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

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_SERIES_H */
