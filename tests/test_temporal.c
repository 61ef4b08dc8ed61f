// SPDX-License-Identifier: MIT
/*
 * Temporal patterns over hand-built SeriesFields (spec §8.4, §8.5;
 * FEATURES F119–F125): every message is compared byte for byte.  The
 * single-pattern cases of F120–F125 are data, in
 * tests/data/temporal_patterns.txt.
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
 * The single-pattern cases of tests/data/temporal_patterns.txt (its head
 * says how a case is written), read line by line: "field", "ms" and
 * "other" describe the fields, "apply" builds them and applies the
 * pattern to a fresh verdict, every later line of the case checks that
 * verdict.  A failed check names the file line it comes from.  Cases
 * that apply several patterns to one verdict stay written out below.
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
	RATIO_WITHIN,
};

static const char *const pat_names[] = {
	[NONDECREASING] = "nondecreasing", [STRICTLY_INCREASING] = "strictly_increasing",
	[RATE_WITHIN] = "rate_within",	   [STEADY_WITHIN] = "steady_within",
	[CONVERGES_TO] = "converges_to",   [ALWAYS_TRUE] = "always_true",
	[EACH_AT_LEAST] = "each.at_least", [EACH_AT_MOST] = "each.at_most",
	[RATIO_WITHIN] = "ratio_within",
};

static const char *const type_names[] = {
	[KTSNAP_SERIES_U64] = "u64",
	[KTSNAP_SERIES_I64] = "i64",
	[KTSNAP_SERIES_F64] = "f64",
	[KTSNAP_SERIES_BOOL] = "bool",
};

static const char *const outcome_names[] = {
	[KTSNAP_VERDICT_FAIL] = "fail",
	[KTSNAP_VERDICT_INCONCLUSIVE] = "inconclusive",
	[KTSNAP_VERDICT_NOTE] = "note",
	[KTSNAP_VERDICT_PASSED] = "passed",
};

#define NAMES(a) (a), sizeof(a) / sizeof((a)[0])

/* "LABEL TYPE VALUE..." of a "field" or "other" line. */
struct field_line {
	char label[32], type[8], values[512];
};

struct pcase {
	unsigned line; /* of the file, the one being read */
	struct field_line field, other;
	bool has_field, has_other;
	uint64_t ms[64];
	size_t n_ms;
	struct ktsnap_series_field *f, *rhs;
	struct ktsnap_verdict *v;
};

/* True when @ok; otherwise fails the test naming the case's file line. */
static bool __attribute__((format(printf, 3, 4)))
expect(const struct pcase *c, bool ok, const char *fmt, ...)
{
	char why[2048];
	va_list ap;

	if (ok)
		return true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	print_error("%s:%u: %s\n", KTSNAP_TEMPORAL_CASES, c->line, why);
	fail();
	return false;
}

/* The index of @word in @names, -1 (and a failed test) when absent. */
static int lookup(const struct pcase *c, const char *what, const char *const *names, size_t n,
		  const char *word)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], word))
			return (int)i;
	expect(c, false, "unknown %s \"%s\"", what, word);
	return -1;
}

static void read_field(const struct pcase *c, struct field_line *fl, const char *text)
{
	int off = 0;

	if (sscanf(text, "%31s %7s %n", fl->label, fl->type, &off) == 2 && off)
		snprintf(fl->values, sizeof(fl->values), "%s", text + off);
	else
		expect(c, false, "want LABEL TYPE VALUE..., have \"%s\"", text);
}

static struct ktsnap_series_field *make_field(const struct pcase *c, const struct field_line *fl,
					      const uint64_t *ms)
{
	int type = lookup(c, "type", NAMES(type_names), fl->type);

	return type < 0 ? NULL : mkt(fl->label, (enum ktsnap_series_type)type, fl->values, ms);
}

static void apply(enum pat pat, const struct ktsnap_series_field *f,
		  const struct ktsnap_series_field *rhs, struct ktsnap_verdict *v,
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
	case RATIO_WITHIN:
		ktsnap_series_field__ratio_within(f, rhs, v, x[0], x[1]);
		break;
	}
}

/* "apply PATTERN NUMBER...": build the fields, apply to a fresh verdict. */
static void case_apply(struct pcase *c, char *text)
{
	char *save, *name = strtok_r(text, " ", &save), *tok;
	double x[3] = { 0 };
	size_t n = 0;
	int pat;

	if (!expect(c, c->has_field && !c->v, "apply wants one field line before it") ||
	    (pat = lookup(c, "pattern", NAMES(pat_names), name ? name : "")) < 0)
		return;
	while ((tok = strtok_r(NULL, " ", &save)) && expect(c, n < 3, "more than 3 numbers"))
		x[n++] = strtod(tok, NULL);
	c->f = make_field(c, &c->field, c->n_ms ? c->ms : NULL);
	if (c->has_other)
		c->rhs = make_field(c, &c->other, NULL);
	c->v = ktsnap_verdict__new();
	if (!expect(c, c->f && c->v && (c->rhs || !c->has_other), "cannot build the case") ||
	    !expect(c, !c->n_ms || c->n_ms == ktsnap_series_field__len(c->f),
		    "%zu ms for %zu samples", c->n_ms, ktsnap_series_field__len(c->f)))
		return;
	apply((enum pat)pat, c->f, c->rhs, c->v, x);
}

/* "item AT OUTCOME MESSAGE" */
static void case_item(const struct pcase *c, const char *text)
{
	const struct ktsnap_verdict_item *it;
	char outcome[16];
	size_t at;
	int o, off = 0;

	if (!expect(c, sscanf(text, "%zu %15s %n", &at, outcome, &off) == 2 && off,
		    "want AT OUTCOME MESSAGE, have \"%s\"", text) ||
	    (o = lookup(c, "outcome", NAMES(outcome_names), outcome)) < 0)
		return;
	it = ktsnap_verdict__at(c->v, at);
	if (!expect(c, it, "no item %zu: the verdict holds %zu", at, ktsnap_verdict__count(c->v)))
		return;
	expect(c, !strcmp(it->message, text + off), "item %zu is\n  \"%s\"\nwant\n  \"%s\"", at,
	       it->message, text + off);
	expect(c, it->outcome == (enum ktsnap_verdict_outcome)o, "item %zu is %s, want %s", at,
	       outcome_names[it->outcome], outcome);
	expect(c, it->kind == KTSNAP_DETAIL_TEMPORAL, "item %zu is not Temporal", at);
}

static void case_count(const struct pcase *c, const char *what, size_t have, const char *text)
{
	char *end;
	unsigned long want = strtoul(text, &end, 10);

	if (expect(c, end != text && !*end, "want a count, have \"%s\"", text))
		expect(c, have == want, "%s: %zu, want %lu", what, have, want);
}

/* "passed yes|no" */
static void case_passed(const struct pcase *c, const char *text)
{
	static const char *const no_yes[] = { "no", "yes" };
	int want = lookup(c, "passed", NAMES(no_yes), text);

	if (want >= 0)
		expect(c, ktsnap_verdict__passed(c->v) == want, "passed: %s, want %s",
		       no_yes[ktsnap_verdict__passed(c->v)], text);
}

/* One line of a case after its "apply". */
static void case_check(const struct pcase *c, const char *key, const char *text)
{
	if (!strcmp(key, "passed"))
		case_passed(c, text);
	else if (!strcmp(key, "items"))
		case_count(c, "items", ktsnap_verdict__count(c->v), text);
	else if (!strcmp(key, "fails"))
		case_count(c, "fails", ktsnap_verdict__count_of(c->v, KTSNAP_VERDICT_FAIL), text);
	else if (!strcmp(key, "item"))
		case_item(c, text);
	else
		expect(c, false, "unknown line \"%s\"", key);
}

static void case_line(struct pcase *c, const char *key, char *text)
{
	char *save, *tok;

	if (!strcmp(key, "field")) {
		read_field(c, &c->field, text);
		c->has_field = true;
	} else if (!strcmp(key, "other")) {
		read_field(c, &c->other, text);
		c->has_other = true;
	} else if (!strcmp(key, "ms")) {
		for (tok = strtok_r(text, " ", &save); tok && c->n_ms < 64;
		     tok = strtok_r(NULL, " ", &save))
			c->ms[c->n_ms++] = strtoull(tok, NULL, 10);
	} else if (!strcmp(key, "apply")) {
		case_apply(c, text);
	} else if (expect(c, c->v, "\"%s\" before apply", key)) {
		case_check(c, key, text);
	}
}

/* A blank line or the end of the file: the case is over. */
static void case_end(struct pcase *c, size_t *cases)
{
	expect(c, c->v || !c->has_field, "case without apply");
	*cases += c->v != NULL;
	ktsnap_verdict__free(c->v);
	ktsnap_series_field__free(c->f);
	ktsnap_series_field__free(c->rhs);
	*c = (struct pcase){ .line = c->line };
}

static void test_pattern_cases(void **state)
{
	FILE *in = fopen(KTSNAP_TEMPORAL_CASES, "r");
	struct pcase c = { 0 };
	char *line = NULL, *text;
	size_t cap = 0, cases = 0;
	ssize_t len;

	(void)state;
	assert_non_null(in);
	while ((len = getline(&line, &cap, in)) >= 0) {
		c.line++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len) {
			case_end(&c, &cases);
			continue;
		}
		if (*line == '#')
			continue;
		text = strchr(line, ' ');
		if (text)
			*text++ = '\0';
		else
			text = line + len;
		case_line(&c, line, text);
	}
	case_end(&c, &cases);
	free(line);
	fclose(in);
	assert_true(cases > 0);
}

/* ---- F120: nondecreasing / strictly_increasing ------------------------------------ */
static void test_equal_neighbours(void **state)
{
	(void)state;
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

/* ---- F124: each() ------------------------------------------------------------------- */
static void test_each_between(void **state)
{
	(void)state;
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
		cmocka_unit_test(test_pattern_cases),
		cmocka_unit_test(test_equal_neighbours),
		cmocka_unit_test(test_placeholder_is_skipped),
		cmocka_unit_test(test_each_between),
		cmocka_unit_test(test_verdict_pass_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
