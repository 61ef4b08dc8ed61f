/* SPDX-License-Identifier: MIT */
/*
 * Verdicts and temporal patterns (spec §8.4, §8.5).
 *
 * A verdict is an append-only list of outcomes: Fail, Inconclusive,
 * informational notes and (only when the caller opted in) "passed" lines.
 * Every pattern walks one struct ktsnap_series_field (series.h), appends
 * what it found with the spec's exact message texts and returns the
 * verdict so calls chain:
 *
 *	struct ktsnap_verdict *v = ktsnap_verdict__new();
 *
 *	ktsnap_series_field__nondecreasing(dispatched, v);
 *	ktsnap_series_field__rate_within(dispatched, v, 1.0, 3.0);
 *	if (!ktsnap_verdict__passed(v))
 *		… print ktsnap_verdict__at(v, i)->message for each i …
 *
 * Placeholder samples, missing stats and every other projection error
 * travel in the field as struct ktsnap_error values and follow each
 * pattern's skip policy (they never count as zero progress).
 *
 * Memory: a verdict that failed to grow keeps what it had and remembers
 * -ENOMEM (ktsnap_verdict__error()); ktsnap_verdict__passed() is then
 * false so a lost failure can never read as a pass.
 */
#ifndef KTSNAP_TEMPORAL_H
#define KTSNAP_TEMPORAL_H

#include <ktsnap/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ktsnap_series_field;

enum ktsnap_verdict_outcome {
	KTSNAP_VERDICT_FAIL,
	KTSNAP_VERDICT_INCONCLUSIVE,
	KTSNAP_VERDICT_NOTE, /* informational */
	KTSNAP_VERDICT_PASSED, /* positive log line (opt-in) */
};

/* Detail kinds; temporal patterns always use KTSNAP_DETAIL_TEMPORAL. */
enum ktsnap_detail_kind {
	KTSNAP_DETAIL_TEMPORAL,
	KTSNAP_DETAIL_OTHER,
};

struct ktsnap_verdict_item {
	enum ktsnap_verdict_outcome outcome;
	enum ktsnap_detail_kind kind;
	const char *message; /* borrowed from the verdict */
};

struct ktsnap_verdict;

/* An empty verdict.  Caller frees with ktsnap_verdict__free().  NULL + ENOMEM. */
KTSNAP_API struct ktsnap_verdict *ktsnap_verdict__new(void);
/* Accepts NULL. */
KTSNAP_API void ktsnap_verdict__free(struct ktsnap_verdict *v);
/*
 * Opt in to "passed" lines: after each pattern that ran to its end and
 * added no Temporal Fail/Inconclusive, a KTSNAP_VERDICT_PASSED item is
 * appended, e.g. `{L} (nondecreasing): all {n} samples passed` (the
 * reference's wording; vacuous and caller-error exits log none).
 */
KTSNAP_API void ktsnap_verdict__set_log_passes(struct ktsnap_verdict *v, bool on);

/* Append an outcome (message copied).  0, -EINVAL, -ENOMEM. */
KTSNAP_API int ktsnap_verdict__add(struct ktsnap_verdict *v, enum ktsnap_verdict_outcome outcome,
				   enum ktsnap_detail_kind kind, const char *message);

KTSNAP_API size_t ktsnap_verdict__count(const struct ktsnap_verdict *v);
/* Borrowed from @v (valid until the next append or free); NULL + ERANGE. */
KTSNAP_API const struct ktsnap_verdict_item *ktsnap_verdict__at(const struct ktsnap_verdict *v,
								size_t i);
/* How many items have @outcome. */
KTSNAP_API size_t ktsnap_verdict__count_of(const struct ktsnap_verdict *v,
					   enum ktsnap_verdict_outcome outcome);
/*
 * Neither a Fail nor an Inconclusive ("neither pass nor fail") recorded,
 * and no append lost to ENOMEM.  Notes never affect it.
 */
KTSNAP_API bool ktsnap_verdict__passed(const struct ktsnap_verdict *v);
/* 0, or -ENOMEM when an append was lost. */
KTSNAP_API int ktsnap_verdict__error(const struct ktsnap_verdict *v);

/* ---- patterns (§8.5) ---------------------------------------------------------
 * Each returns @v.  Numeric patterns accept u64, i64 and f64 fields (values
 * are compared as doubles; messages print them in the field's own type);
 * always_true needs a bool field (any other type records one caller-error
 * Fail).  Ordered patterns accept every type (bool: false < true).
 */
KTSNAP_API struct ktsnap_verdict *
ktsnap_series_field__nondecreasing(const struct ktsnap_series_field *f, struct ktsnap_verdict *v);
KTSNAP_API struct ktsnap_verdict *
ktsnap_series_field__strictly_increasing(const struct ktsnap_series_field *f,
					 struct ktsnap_verdict *v);
/* Per-ms rate between adjacent samples within [lo, hi]. */
KTSNAP_API struct ktsnap_verdict *
ktsnap_series_field__rate_within(const struct ktsnap_series_field *f, struct ktsnap_verdict *v,
				 double lo, double hi);
/* After @warmup_ms every value within mean·(1 ± tolerance). */
KTSNAP_API struct ktsnap_verdict *
ktsnap_series_field__steady_within(const struct ktsnap_series_field *f, struct ktsnap_verdict *v,
				   uint64_t warmup_ms, double tolerance);
/* Three consecutive in-band samples at or before @deadline_ms. */
KTSNAP_API struct ktsnap_verdict *
ktsnap_series_field__converges_to(const struct ktsnap_series_field *f, struct ktsnap_verdict *v,
				  double target, double tolerance, uint64_t deadline_ms);
KTSNAP_API struct ktsnap_verdict *
ktsnap_series_field__always_true(const struct ktsnap_series_field *f, struct ktsnap_verdict *v);
/* this[i] / other[i] within [lo, hi] for every index. */
KTSNAP_API struct ktsnap_verdict *
ktsnap_series_field__ratio_within(const struct ktsnap_series_field *f,
				  const struct ktsnap_series_field *other, struct ktsnap_verdict *v,
				  double lo, double hi);
/* each(verdict).at_least / at_most / between: strict, every violation fails. */
KTSNAP_API struct ktsnap_verdict *
ktsnap_series_field__each_at_least(const struct ktsnap_series_field *f, struct ktsnap_verdict *v,
				   double x);
KTSNAP_API struct ktsnap_verdict *
ktsnap_series_field__each_at_most(const struct ktsnap_series_field *f, struct ktsnap_verdict *v,
				  double x);
KTSNAP_API struct ktsnap_verdict *
ktsnap_series_field__each_between(const struct ktsnap_series_field *f, struct ktsnap_verdict *v,
				  double lo, double hi);
/*
 * ratio_across_phases(earlier, later).at_most(ceiling): value_at_phase(later)
 * / value_at_phase(earlier) against @ceiling.  A phase without Ok samples or
 * a zero baseline is Inconclusive, a non-finite ratio or one above the
 * ceiling a Fail; a pass records a note with the ratio and both values.
 */
KTSNAP_API struct ktsnap_verdict *
ktsnap_series_field__ratio_across_phases_at_most(const struct ktsnap_series_field *f,
						 struct ktsnap_verdict *v, uint16_t earlier,
						 uint16_t later, double ceiling);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_TEMPORAL_H */
