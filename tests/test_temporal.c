// SPDX-License-Identifier: MIT
/*
 * Temporal patterns over hand-built SeriesFields (spec §8.4, §8.5;
 * FEATURES F119–F125): every message is compared byte for byte.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <ktsnap/series.h>
#include <ktsnap/temporal.h>

#define BOOM "projection failed: boom"

/*
 * A field from a spec string of space-separated values: numbers, "E" (a
 * ProjectionFailed("boom") error), "N" (NaN), "T"/"F" (bools).  Tags are
 * periodic_000…, elapsed ms from @t (NULL: 100, 200, …).
 */
static struct ktsnap_series_field *mkt(const char *label, enum ktsnap_series_type type,
				       const char *spec, const uint64_t *t)
{
	struct ktsnap_series_value vals[64];
	char tagbuf[64][16], copy[512], *tok, *save;
	const char *tags[64];
	uint64_t ms[64];
	size_t n = 0;

	snprintf(copy, sizeof(copy), "%s", spec);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save), n++) {
		snprintf(tagbuf[n], sizeof(tagbuf[n]), "periodic_%03zu", n);
		tags[n] = tagbuf[n];
		ms[n] = t ? t[n] : 100 * (n + 1);
		if (!strcmp(tok, "E"))
			vals[n] = ktsnap_series_err(ktsnap_error__projection_failed("boom"));
		else if (!strcmp(tok, "N"))
			vals[n] = ktsnap_series_f64(NAN);
		else if (!strcmp(tok, "T") || !strcmp(tok, "F"))
			vals[n] = ktsnap_series_bool(*tok == 'T');
		else if (type == KTSNAP_SERIES_U64)
			vals[n] = ktsnap_series_u64(strtoull(tok, NULL, 10));
		else if (type == KTSNAP_SERIES_I64)
			vals[n] = ktsnap_series_i64(strtoll(tok, NULL, 10));
		else
			vals[n] = ktsnap_series_f64(strtod(tok, NULL));
	}
	return ktsnap_series_field__new(label, type, tags, n, ms, n, vals, n, NULL, 0);
}

static struct ktsnap_series_field *mk(const char *label, enum ktsnap_series_type type,
				      const char *spec)
{
	return mkt(label, type, spec, NULL);
}

static void check(const struct ktsnap_verdict *v, size_t i, enum ktsnap_verdict_outcome o,
		  const char *text)
{
	const struct ktsnap_verdict_item *it = ktsnap_verdict__at(v, i);

	assert_non_null(it);
	assert_string_equal(it->message, text);
	assert_int_equal(it->outcome, o);
	assert_int_equal(it->kind, KTSNAP_DETAIL_TEMPORAL);
}

/* Run @pattern-style body with a fresh verdict and field, then free. */
#define WITH(fld, v, mkexpr)                                              \
	for (struct ktsnap_series_field *fld = (mkexpr); fld;             \
	     ktsnap_series_field__free(fld), fld = NULL)                  \
		for (struct ktsnap_verdict *v = ktsnap_verdict__new(); v; \
		     ktsnap_verdict__free(v), v = NULL)

/* ---- F119: field invariants and phase reducers ----------------------------------- */
static void test_unequal_columns_abort(void **state)
{
	const char *tags[2] = { "a", "b" };
	struct ktsnap_series_value vals[1] = { ktsnap_series_u64(1) };
	uint64_t ms[1] = { 1 };
	int status, which;

	(void)state;
	for (which = 0; which < 2; which++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (!pid) {
			/* quiet child: ASan / abort messages are not the test's business */
			if (!freopen("/dev/null", "w", stderr))
				_exit(3);
			if (which == 0)
				ktsnap_series_field__new("L", KTSNAP_SERIES_U64, tags, 2, NULL, 0,
							 vals, 1, NULL, 0);
			else
				ktsnap_series_field__new("L", KTSNAP_SERIES_U64, tags, 1, ms, 1,
							 vals, 1, (int32_t[]){ 0, 0 }, 2);
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGABRT);
	}
}

static void test_phase_reducers(void **state)
{
	const char *tags[6] = { "s0", "s1", "s2", "s3", "s4", "s5" };
	struct ktsnap_series_value vals[6] = {
		ktsnap_series_u64(10),
		ktsnap_series_u64(15),
		ktsnap_series_err(ktsnap_error__projection_failed("boom")),
		ktsnap_series_u64(40),
		ktsnap_series_u64(70),
		ktsnap_series_err(ktsnap_error__projection_failed("boom")),
	};
	int32_t phases[6] = { 0, 0, 1, 1, 1, 2 };
	union ktsnap_series_num x;
	uint16_t ph[4];
	size_t rows[4];
	struct ktsnap_series_field *f;

	(void)state;
	f = ktsnap_series_field__new("c", KTSNAP_SERIES_U64, tags, 6, NULL, 0, vals, 6, phases, 6);
	assert_non_null(f);
	assert_int_equal(ktsnap_series_field__len(f), 6);
	assert_int_equal(ktsnap_series_field__elapsed_ms(f, 3), 0); /* absent → 0 */
	assert_int_equal(ktsnap_series_field__phases(f, ph, 4), 3);
	assert_int_equal(ph[0], 0);
	assert_int_equal(ph[2], 2);
	assert_int_equal(ktsnap_series_field__phase_rows(f, 1, rows, 4), 3);
	assert_int_equal(rows[0], 2);

	assert_int_equal(ktsnap_series_field__value_at_phase(f, 1, &x), 0);
	assert_int_equal(x.u64, 70); /* last Ok */
	assert_int_equal(ktsnap_series_field__first_at_phase(f, 1, &x), 0);
	assert_int_equal(x.u64, 40); /* the error before it is skipped */
	assert_int_equal(ktsnap_series_field__counter_delta_at_phase(f, 1, &x), 0);
	assert_int_equal(x.u64, 30);
	assert_int_equal(ktsnap_series_field__counter_delta_at_phase(f, 0, &x), 0);
	assert_int_equal(x.u64, 5);
	/* phase 2 has only an error; phase 3 does not exist */
	assert_int_equal(ktsnap_series_field__value_at_phase(f, 2, &x), -ENOENT);
	assert_int_equal(ktsnap_series_field__counter_delta_at_phase(f, 3, &x), -ENOENT);
	ktsnap_series_field__free(f);
}

static void test_counter_regression_reads_zero(void **state)
{
	const char *tags[2] = { "a", "b" };
	struct ktsnap_series_value vals[2] = { ktsnap_series_u64(9), ktsnap_series_u64(4) };
	int32_t phases[2] = { 1, 1 };
	union ktsnap_series_num x;
	struct ktsnap_series_field *f;

	(void)state;
	f = ktsnap_series_field__new("c", KTSNAP_SERIES_U64, tags, 2, NULL, 0, vals, 2, phases, 2);
	assert_int_equal(ktsnap_series_field__counter_delta_at_phase(f, 1, &x), 0);
	assert_int_equal(x.u64, 0);
	ktsnap_series_field__free(f);
}

static void test_ratio_across_phases(void **state)
{
	const char *tags[4] = { "a", "b", "c", "d" };
	struct ktsnap_series_value vals[4] = { ktsnap_series_u64(100), ktsnap_series_u64(200),
					       ktsnap_series_u64(0), ktsnap_series_u64(150) };
	int32_t phases[4] = { 1, 1, 3, 2 };
	struct ktsnap_series_field *f;
	struct ktsnap_verdict *v = ktsnap_verdict__new();

	(void)state;
	f = ktsnap_series_field__new("disp", KTSNAP_SERIES_U64, tags, 4, NULL, 0, vals, 4, phases,
				     4);
	ktsnap_series_field__ratio_across_phases_at_most(f, v, 1, 2, 0.85);
	check(v, 0, KTSNAP_VERDICT_NOTE,
	      "[disp] ratio_across_phases(Phase(1)→Phase(2)) = 150/200 = 0.7500 (ceiling 0.8500)");
	ktsnap_series_field__ratio_across_phases_at_most(f, v, 1, 2, 0.5);
	check(v, 1, KTSNAP_VERDICT_FAIL,
	      "disp: ratio_across_phases(Phase(1)→Phase(2)) = 150/200 = 0.7500 exceeds ceiling "
	      "0.5000");
	ktsnap_series_field__ratio_across_phases_at_most(f, v, 0, 2, 1);
	check(v, 2, KTSNAP_VERDICT_INCONCLUSIVE,
	      "disp: ratio_across_phases(Phase(0)→Phase(2)) inconclusive: needs both phases — "
	      "earlier=<no-samples>, later=150");
	ktsnap_series_field__ratio_across_phases_at_most(f, v, 3, 2, 1);
	check(v, 3, KTSNAP_VERDICT_INCONCLUSIVE,
	      "disp: ratio_across_phases(Phase(3)→Phase(2)) inconclusive: earlier value is 0 (no "
	      "baseline to ratio against)");
	assert_int_equal(ktsnap_verdict__count(v), 4);
	ktsnap_verdict__free(v);
	ktsnap_series_field__free(f);
}

/*
 * Table-driven pattern cases: one field, one pattern applied once, then
 * what the verdict must hold.  Cases that apply several patterns to one
 * verdict stay written out below.
 */
enum pat {
	NONDECREASING,
	STRICTLY_INCREASING,
	RATE_WITHIN,
	STEADY_WITHIN,
	CONVERGES_TO,
	ALWAYS_TRUE,
	EACH_AT_LEAST,
	EACH_AT_MOST,
};

enum tri { ANY, YES, NO };

/* N(n): "exactly n"; a count left out is not checked. */
#define N(n) ((n) + 1)

struct pcase {
	const char *label;
	enum ktsnap_series_type type;
	const char *spec;
	const uint64_t *t; /* elapsed ms (NULL: 100, 200, ...) */
	enum pat pat;
	double x[3]; /* the pattern's numbers, in its parameter order */
	enum tri passed;
	int count; /* N(items in the verdict) */
	int fails; /* N(Fail items) */
	struct {
		size_t at;
		enum ktsnap_verdict_outcome o;
		const char *text; /* NULL ends the list */
	} want[3];
};

static void apply(enum pat pat, const struct ktsnap_series_field *f, struct ktsnap_verdict *v,
		  const double x[3])
{
	switch (pat) {
	case NONDECREASING:
		ktsnap_series_field__nondecreasing(f, v);
		break;
	case STRICTLY_INCREASING:
		ktsnap_series_field__strictly_increasing(f, v);
		break;
	case RATE_WITHIN:
		ktsnap_series_field__rate_within(f, v, x[0], x[1]);
		break;
	case STEADY_WITHIN:
		ktsnap_series_field__steady_within(f, v, (uint64_t)x[0], x[1]);
		break;
	case CONVERGES_TO:
		ktsnap_series_field__converges_to(f, v, x[0], x[1], (uint64_t)x[2]);
		break;
	case ALWAYS_TRUE:
		ktsnap_series_field__always_true(f, v);
		break;
	case EACH_AT_LEAST:
		ktsnap_series_field__each_at_least(f, v, x[0]);
		break;
	case EACH_AT_MOST:
		ktsnap_series_field__each_at_most(f, v, x[0]);
		break;
	}
}

static void run_cases(const struct pcase *cases, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		const struct pcase *c = &cases[i];

		WITH(f, v, mkt(c->label, c->type, c->spec, c->t))
		{
			apply(c->pat, f, v, c->x);
			if (c->passed != ANY)
				assert_int_equal(ktsnap_verdict__passed(v), c->passed == YES);
			if (c->count)
				assert_int_equal(ktsnap_verdict__count(v), c->count - 1);
			if (c->fails)
				assert_int_equal(ktsnap_verdict__count_of(v, KTSNAP_VERDICT_FAIL),
						 c->fails - 1);
			for (k = 0; k < 3 && c->want[k].text; k++)
				check(v, c->want[k].at, c->want[k].o, c->want[k].text);
		}
	}
}

#define RUN_CASES(cases) run_cases((cases), sizeof(cases) / sizeof((cases)[0]))

/* ---- F120: nondecreasing / strictly_increasing ------------------------------------ */
static void test_nondecreasing(void **state)
{
	static const struct pcase cases[] = {
		{ "L",
		  KTSNAP_SERIES_U64,
		  "5 3",
		  NULL,
		  NONDECREASING,
		  { 0 },
		  NO,
		  N(1),
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL,
		      "L (nondecreasing): regression at sample periodic_001 (+200ms): value 3 "
		      "after prior value 5 at sample periodic_000 (+100ms)" } } },
		{ "L",
		  KTSNAP_SERIES_U64,
		  "1 E 2",
		  NULL,
		  NONDECREASING,
		  { 0 },
		  YES,
		  N(1),
		  0,
		  { { 0, KTSNAP_VERDICT_NOTE,
		      "L (nondecreasing): skipped 1 sample(s) with projection errors: "
		      "periodic_001(+200ms): " BOOM } } },
		/* no bridging across a gap: 5, err, 3 is not a regression */
		{ "L",
		  KTSNAP_SERIES_I64,
		  "5 E 3 E",
		  NULL,
		  NONDECREASING,
		  { 0 },
		  YES,
		  0,
		  0,
		  { { 0, KTSNAP_VERDICT_NOTE,
		      "L (nondecreasing): skipped 2 sample(s) with projection errors: "
		      "periodic_001(+200ms): " BOOM ", periodic_003(+400ms): " BOOM } } },
		{ "L",
		  KTSNAP_SERIES_U64,
		  "7",
		  NULL,
		  NONDECREASING,
		  { 0 },
		  YES,
		  0,
		  0,
		  { { 0, KTSNAP_VERDICT_NOTE,
		      "L (nondecreasing): only 1 samples — pattern vacuously holds; ensure "
		      "num_snapshots >= 2 for meaningful coverage" } } },
		{ "neg",
		  KTSNAP_SERIES_I64,
		  "-1 -3",
		  NULL,
		  STRICTLY_INCREASING,
		  { 0 },
		  ANY,
		  0,
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL,
		      "neg (strictly_increasing): regression at sample periodic_001 (+200ms): "
		      "value -3 after prior value -1 at sample periodic_000 (+100ms)" } } },
	};

	(void)state;
	RUN_CASES(cases);
	WITH(f, v, mk("L", KTSNAP_SERIES_U64, "5 5"))
	{
		ktsnap_series_field__nondecreasing(f, v);
		assert_int_equal(ktsnap_verdict__count(v), 0);
		ktsnap_series_field__strictly_increasing(f, v);
		check(v, 0, KTSNAP_VERDICT_FAIL,
		      "L (strictly_increasing): regression at sample periodic_001 (+200ms): "
		      "value 5 after prior value 5 at sample periodic_000 (+100ms)");
	}
}

/* A placeholder never counts as zero progress: it is skipped, not compared. */
static void test_placeholder_is_skipped(void **state)
{
	const char *tags[3] = { "periodic_000", "periodic_001", "periodic_002" };
	struct ktsnap_series_value vals[3] = {
		ktsnap_series_u64(10),
		ktsnap_series_err(
			ktsnap_error__placeholder_sample("periodic_001", "rendezvous timeout")),
		ktsnap_series_u64(12),
	};
	uint64_t ms[3] = { 100, 200, 300 };
	struct ktsnap_series_field *f;
	struct ktsnap_verdict *v = ktsnap_verdict__new();

	(void)state;
	f = ktsnap_series_field__new("L", KTSNAP_SERIES_U64, tags, 3, ms, 3, vals, 3, NULL, 0);
	ktsnap_series_field__nondecreasing(f, v);
	assert_true(ktsnap_verdict__passed(v));
	check(v, 0, KTSNAP_VERDICT_NOTE,
	      "L (nondecreasing): skipped 1 sample(s) with projection errors: "
	      "periodic_001(+200ms): sample 'periodic_001' is a placeholder report (capture "
	      "pipeline did not land): rendezvous timeout");
	ktsnap_verdict__free(v);
	ktsnap_series_field__free(f);
}

/* ---- F121: rate_within ------------------------------------------------------------ */
static void test_rate_within(void **state)
{
	static const uint64_t same[2] = { 100, 100 };
	static const struct pcase cases[] = {
		{ "L",
		  KTSNAP_SERIES_F64,
		  "1 2 3",
		  NULL,
		  RATE_WITHIN,
		  { 0.005, 0.02 },
		  YES,
		  N(0),
		  0,
		  { { 0 } } },
		/* neither pass nor fail */
		{ "L",
		  KTSNAP_SERIES_F64,
		  "1 2",
		  same,
		  RATE_WITHIN,
		  { 0.005, 0.02 },
		  NO,
		  0,
		  N(0),
		  { { 0, KTSNAP_VERDICT_INCONCLUSIVE,
		      "L (rate_within): zero-time delta between sample periodic_000 (+100ms) and "
		      "periodic_001 (+100ms) — denominator is INSTRUMENT-derived; rate is "
		      "neither pass nor fail" } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "1 2 3",
		  NULL,
		  RATE_WITHIN,
		  { 2, 1 },
		  ANY,
		  N(1),
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL, "L (rate_within): caller error: lo=2 > hi=1" } } },
		{ "L",
		  KTSNAP_SERIES_U64,
		  "1 11",
		  NULL,
		  RATE_WITHIN,
		  { 0.005, 0.02 },
		  ANY,
		  0,
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL,
		      "L (rate_within [0.005, 0.02]): rate 0.1000/ms between samples "
		      "periodic_000 (+100ms, value 1) and periodic_001 (+200ms, value 11)" } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "N 1",
		  NULL,
		  RATE_WITHIN,
		  { 0.005, 0.02 },
		  ANY,
		  0,
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL,
		      "L (rate_within [0.005, 0.02]): non-finite rate between samples "
		      "periodic_000 (+100ms, value NaN) and periodic_001 (+200ms, value 1) — "
		      "endpoint is NaN or produced inf in the delta" } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "1 E 3 4 E E",
		  NULL,
		  RATE_WITHIN,
		  { 0, 1 },
		  YES,
		  N(1),
		  0,
		  { { 0, KTSNAP_VERDICT_NOTE,
		      "L (rate_within): 4 consecutive-pair gap(s) skipped due to projection "
		      "errors on at least one endpoint: periodic_001(+200ms): " BOOM ", "
		      "periodic_001(+200ms): " BOOM ", periodic_004(+500ms): " BOOM ", "
		      "periodic_004(+500ms): " BOOM " | periodic_005(+600ms): " BOOM } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "1",
		  NULL,
		  RATE_WITHIN,
		  { 0, 1 },
		  ANY,
		  0,
		  0,
		  { { 0, KTSNAP_VERDICT_NOTE,
		      "L (rate_within): only 1 samples — pattern vacuously holds" } } },
	};

	(void)state;
	RUN_CASES(cases);
}

/* ---- F122: steady_within ------------------------------------------------------------ */
static void test_steady_within(void **state)
{
	static const struct pcase cases[] = {
		{ "L",
		  KTSNAP_SERIES_F64,
		  "100 50 10 10 10",
		  NULL,
		  STEADY_WITHIN,
		  { 250, 0.01 },
		  YES,
		  N(0),
		  0,
		  { { 0 } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "10 10 50",
		  NULL,
		  STEADY_WITHIN,
		  { 0, 0.1 },
		  NO,
		  N(3),
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL,
		      "L (steady_within mean 23.3333 ±10.0%): sample periodic_000 (+100ms): "
		      "value 10 outside [21.0000, 25.6667]" },
		    { 2, KTSNAP_VERDICT_FAIL,
		      "L (steady_within mean 23.3333 ±10.0%): sample periodic_002 (+300ms): "
		      "value 50 outside [21.0000, 25.6667]" } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "N 10 10 E",
		  NULL,
		  STEADY_WITHIN,
		  { 0, 0.1 },
		  YES,
		  N(1),
		  0,
		  { { 0, KTSNAP_VERDICT_NOTE,
		      "L (steady_within): skipped 2 post-warmup sample(s) with projection "
		      "errors: periodic_000(+100ms): non-finite value NaN, "
		      "periodic_003(+400ms): " BOOM } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "1 2",
		  NULL,
		  STEADY_WITHIN,
		  { 1000, 0.1 },
		  ANY,
		  0,
		  0,
		  { { 0, KTSNAP_VERDICT_NOTE,
		      "L (steady_within): no samples beyond warmup_ms=1000 — pattern vacuously "
		      "holds" } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "1 2",
		  NULL,
		  STEADY_WITHIN,
		  { 0, -0.5 },
		  ANY,
		  0,
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL,
		      "L (steady_within): caller error: tolerance -0.5 negative" } } },
	};

	(void)state;
	RUN_CASES(cases);
}

/* ---- F123: converges_to ---------------------------------------------------------------- */
static void test_converges_to(void **state)
{
	static const struct pcase cases[] = {
		{ "L",
		  KTSNAP_SERIES_F64,
		  "10 5 1 1 1",
		  NULL,
		  CONVERGES_TO,
		  { 1, 0.5, 1000 },
		  YES,
		  N(0),
		  0,
		  { { 0 } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "10 10 10",
		  NULL,
		  CONVERGES_TO,
		  { 1, 0.5, 1000 },
		  ANY,
		  0,
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL,
		      "L (converges_to 1 ±0.5, deadline_ms=1000): no 3-consecutive-in-band "
		      "witness before deadline (3 samples evaluated)" } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "1 E 1",
		  NULL,
		  CONVERGES_TO,
		  { 1, 0.5, 1000 },
		  YES,
		  0,
		  0,
		  { { 0, KTSNAP_VERDICT_NOTE,
		      "L (converges_to 1 ±0.5, deadline_ms=1000): insufficient samples for "
		      "converges_to (need ≥3, have 2); errored sample(s): periodic_001(+200ms): " BOOM } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "1 1 E 1 1 5",
		  NULL,
		  CONVERGES_TO,
		  { 1, 0.5, 1000 },
		  ANY,
		  0,
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL,
		      "L (converges_to 1 ±0.5, deadline_ms=1000): no 3-consecutive-in-band "
		      "witness before deadline (6 samples evaluated); in-progress runs "
		      "interrupted by errored sample(s): periodic_002(+300ms): " BOOM } } },
		/* the witness must land at or before the deadline */
		{ "L",
		  KTSNAP_SERIES_F64,
		  "1 1 9 1 1 1",
		  NULL,
		  CONVERGES_TO,
		  { 1, 0.5, 500 },
		  NO,
		  0,
		  0,
		  { { 0 } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "1 1 1",
		  NULL,
		  CONVERGES_TO,
		  { 1, -1, 500 },
		  ANY,
		  0,
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL,
		      "L (converges_to): caller error: tolerance -1 negative" } } },
	};

	(void)state;
	RUN_CASES(cases);
}

/* ---- F124: always_true and each() ------------------------------------------------------ */
static void test_always_true(void **state)
{
	static const struct pcase cases[] = {
		{ "ok",
		  KTSNAP_SERIES_BOOL,
		  "T F E",
		  NULL,
		  ALWAYS_TRUE,
		  { 0 },
		  ANY,
		  N(2),
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL,
		      "ok (always_true): sample periodic_001 (+200ms): value false" },
		    { 1, KTSNAP_VERDICT_FAIL,
		      "ok (always_true): sample periodic_002 (+300ms): projection error: " BOOM } } },
		{ "ok",
		  KTSNAP_SERIES_BOOL,
		  "T T",
		  NULL,
		  ALWAYS_TRUE,
		  { 0 },
		  YES,
		  N(0),
		  0,
		  { { 0 } } },
	};

	(void)state;
	RUN_CASES(cases);
}

static void test_each(void **state)
{
	static const struct pcase cases[] = {
		{ "L",
		  KTSNAP_SERIES_U64,
		  "5 4 E 3",
		  NULL,
		  EACH_AT_LEAST,
		  { 5 },
		  ANY,
		  N(3),
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL,
		      "L (each.at_least 5): sample periodic_001 (+200ms): value 4" },
		    { 1, KTSNAP_VERDICT_FAIL,
		      "L (each.at_least 5): sample periodic_002 (+300ms): projection error: " BOOM },
		    { 2, KTSNAP_VERDICT_FAIL,
		      "L (each.at_least 5): sample periodic_003 (+400ms): value 3" } } },
		{ "L",
		  KTSNAP_SERIES_F64,
		  "N 2.5 3.5",
		  NULL,
		  EACH_AT_MOST,
		  { 3 },
		  ANY,
		  N(2),
		  0,
		  { { 0, KTSNAP_VERDICT_FAIL,
		      "L (each.at_most 3): sample periodic_000 (+100ms): value NaN is "
		      "incomparable (NaN)" },
		    { 1, KTSNAP_VERDICT_FAIL,
		      "L (each.at_most 3): sample periodic_002 (+300ms): value 3.5" } } },
	};

	(void)state;
	RUN_CASES(cases);
	WITH(f, v, mk("L", KTSNAP_SERIES_I64, "1 4 -2"))
	{
		ktsnap_series_field__each_between(f, v, 5, 1);
		assert_int_equal(ktsnap_verdict__count(v), 1);
		check(v, 0, KTSNAP_VERDICT_FAIL, "L (each.between): caller error: lo=5 > hi=1");
		ktsnap_series_field__each_between(f, v, 1, 3);
		assert_int_equal(ktsnap_verdict__count(v), 3);
		check(v, 1, KTSNAP_VERDICT_FAIL,
		      "L (each.between [1, 3]): sample periodic_001 (+200ms): value 4");
		check(v, 2, KTSNAP_VERDICT_FAIL,
		      "L (each.between [1, 3]): sample periodic_002 (+300ms): value -2");
	}
}

/* ---- F125: ratio_within ----------------------------------------------------------------- */
static void test_ratio_within(void **state)
{
	struct ktsnap_series_field *rhs;

	(void)state;
	rhs = mk("R", KTSNAP_SERIES_F64, "1 2");
	WITH(f, v, mk("L", KTSNAP_SERIES_F64, "2 4"))
	{
		ktsnap_series_field__ratio_within(f, rhs, v, 1.5, 2.5);
		assert_true(ktsnap_verdict__passed(v));
		assert_int_equal(ktsnap_verdict__count(v), 0);
		ktsnap_series_field__ratio_within(f, rhs, v, 2.5, 1.5);
		check(v, 0, KTSNAP_VERDICT_FAIL, "L (ratio_within): caller error: lo=2.5 > hi=1.5");
	}
	WITH(f, v, mk("L", KTSNAP_SERIES_F64, "2 4 6"))
	{
		ktsnap_series_field__ratio_within(f, rhs, v, 1, 3);
		assert_int_equal(ktsnap_verdict__count(v), 1);
		check(v, 0, KTSNAP_VERDICT_FAIL,
		      "L (ratio_within R): caller error: length mismatch (this 3, other 2)");
	}
	ktsnap_series_field__free(rhs);

	rhs = mk("R", KTSNAP_SERIES_U64, "0 2 E 5");
	WITH(f, v, mk("L", KTSNAP_SERIES_U64, "1 E E 50"))
	{
		ktsnap_series_field__ratio_within(f, rhs, v, 1, 2);
		assert_false(ktsnap_verdict__passed(v));
		assert_int_equal(ktsnap_verdict__count(v), 3);
		check(v, 0, KTSNAP_VERDICT_INCONCLUSIVE,
		      "L (ratio_within): rhs == 0 at sample periodic_000 (+100ms) — denominator "
		      "is INSTRUMENT-derived; ratio is neither pass nor fail");
		check(v, 1, KTSNAP_VERDICT_FAIL,
		      "L (ratio_within R [1, 2]): ratio 10.0000 at sample periodic_003 (+400ms) "
		      "— lhs=50 rhs=5");
		check(v, 2, KTSNAP_VERDICT_NOTE,
		      "L (ratio_within): 2 pair(s) skipped due to projection errors on lhs or "
		      "rhs: lhs periodic_001(+200ms): " BOOM ", lhs periodic_002(+300ms): " BOOM
		      " | rhs periodic_002(+300ms): " BOOM);
	}
	ktsnap_series_field__free(rhs);

	rhs = mk("R", KTSNAP_SERIES_F64, "N");
	WITH(f, v, mk("L", KTSNAP_SERIES_F64, "1"))
	{
		ktsnap_series_field__ratio_within(f, rhs, v, 1, 2);
		check(v, 0, KTSNAP_VERDICT_FAIL,
		      "L (ratio_within R [1, 2]): non-finite ratio at sample periodic_000 (+100ms) "
		      "— lhs=1 rhs=NaN");
	}
	ktsnap_series_field__free(rhs);
}

/* ---- verdict (§8.4) ------------------------------------------------------------------------ */
static void test_verdict_pass_lines(void **state)
{
	const uint64_t t[6] = { 100, 200, 300, 400, 500, 600 };
	struct ktsnap_series_field *rhs = mk("R", KTSNAP_SERIES_U64, "1 1 1");

	(void)state;
	WITH(f, v, mk("L", KTSNAP_SERIES_U64, "1 2 1"))
	{
		/* off by default */
		ktsnap_series_field__each_at_least(f, v, 0);
		assert_int_equal(ktsnap_verdict__count(v), 0);
		ktsnap_verdict__set_log_passes(v, true);
		ktsnap_series_field__each_at_least(f, v, 0);
		check(v, 0, KTSNAP_VERDICT_PASSED, "L (each.at_least 0): all 3 samples passed");
		/* a pattern that fails logs no pass line */
		ktsnap_series_field__nondecreasing(f, v);
		assert_int_equal(ktsnap_verdict__count(v), 2);
		assert_int_equal(ktsnap_verdict__at(v, 1)->outcome, KTSNAP_VERDICT_FAIL);
		ktsnap_series_field__rate_within(f, v, -10, 10);
		check(v, 2, KTSNAP_VERDICT_PASSED,
		      "L (rate_within [-10, 10]): all 2 consecutive-pair rates within band");
		ktsnap_series_field__each_at_most(f, v, 2);
		check(v, 3, KTSNAP_VERDICT_PASSED, "L (each.at_most 2): all 3 samples passed");
		ktsnap_series_field__each_between(f, v, 1, 2);
		check(v, 4, KTSNAP_VERDICT_PASSED, "L (each.between [1, 2]): all 3 samples passed");
		ktsnap_series_field__ratio_within(f, rhs, v, 1, 2);
		check(v, 5, KTSNAP_VERDICT_PASSED,
		      "L (ratio_within R [1, 2]): all 3 pair ratios in band");
		ktsnap_series_field__steady_within(f, v, 0, 0.6);
		check(v, 6, KTSNAP_VERDICT_PASSED,
		      "L (steady_within mean 1.3333 ±60.0%): all 3 post-warmup samples in band");
		assert_int_equal(ktsnap_verdict__count_of(v, KTSNAP_VERDICT_FAIL), 1);
		assert_false(ktsnap_verdict__passed(v));
		assert_null(ktsnap_verdict__at(v, 7));
	}
	WITH(f, v, mk("L", KTSNAP_SERIES_U64, "1 2 3"))
	{
		ktsnap_verdict__set_log_passes(v, true);
		ktsnap_series_field__strictly_increasing(f, v);
		check(v, 0, KTSNAP_VERDICT_PASSED, "L (strictly_increasing): all 3 samples passed");
		/* vacuous and caller-error exits log no pass line */
		ktsnap_series_field__steady_within(f, v, 1000, 0.1);
		check(v, 1, KTSNAP_VERDICT_NOTE,
		      "L (steady_within): no samples beyond warmup_ms=1000 — pattern vacuously "
		      "holds");
		ktsnap_series_field__converges_to(f, v, 1, 0.5, 150);
		assert_int_equal(ktsnap_verdict__at(v, 2)->outcome, KTSNAP_VERDICT_NOTE);
		assert_int_equal(ktsnap_verdict__count(v), 3);
		assert_true(ktsnap_verdict__passed(v));
	}
	WITH(f, v, mkt("L", KTSNAP_SERIES_F64, "9 1 1.2 0.9 1 1", t))
	{
		ktsnap_verdict__set_log_passes(v, true);
		ktsnap_series_field__converges_to(f, v, 1, 0.25, 1000);
		check(v, 0, KTSNAP_VERDICT_PASSED,
		      "L (converges_to 1 ±0.25, deadline_ms=1000): 3-consecutive-in-band witness "
		      "reached at periodic_003 (+400ms)");
	}
	WITH(f, v, mk("ok", KTSNAP_SERIES_BOOL, "T T"))
	{
		ktsnap_verdict__set_log_passes(v, true);
		ktsnap_series_field__always_true(f, v);
		check(v, 0, KTSNAP_VERDICT_PASSED, "ok (always_true): all 2 samples true");
	}
	WITH(f, v, mk("L", KTSNAP_SERIES_U64, "1"))
	{
		assert_int_equal(
			ktsnap_verdict__add(v, KTSNAP_VERDICT_NOTE, KTSNAP_DETAIL_OTHER, "x"), 0);
		assert_true(ktsnap_verdict__passed(v));
		assert_int_equal(ktsnap_verdict__add(v, KTSNAP_VERDICT_INCONCLUSIVE,
						     KTSNAP_DETAIL_OTHER, "y"),
				 0);
		assert_false(ktsnap_verdict__passed(v));
		assert_int_equal(ktsnap_verdict__error(v), 0);
		assert_int_equal(
			ktsnap_verdict__add(v, KTSNAP_VERDICT_NOTE, KTSNAP_DETAIL_OTHER, NULL),
			-EINVAL);
	}
	ktsnap_series_field__free(rhs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unequal_columns_abort),
		cmocka_unit_test(test_phase_reducers),
		cmocka_unit_test(test_counter_regression_reads_zero),
		cmocka_unit_test(test_ratio_across_phases),
		cmocka_unit_test(test_nondecreasing),
		cmocka_unit_test(test_placeholder_is_skipped),
		cmocka_unit_test(test_rate_within),
		cmocka_unit_test(test_steady_within),
		cmocka_unit_test(test_converges_to),
		cmocka_unit_test(test_always_true),
		cmocka_unit_test(test_each),
		cmocka_unit_test(test_ratio_within),
		cmocka_unit_test(test_verdict_pass_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
