// SPDX-License-Identifier: MIT
/*
 * temporal: the verdict (spec §8.4) and the temporal patterns over a
 * SeriesField (spec §8.5).  This file owns every pattern message text; the
 * texts are the spec's byte for byte (floats in Rust's Display form via
 * ktsnap_f64__format, "{:.4}" as fixed point with NaN / inf spelled the
 * Rust way).  Messages are built with open_memstream so no text is ever
 * cut; a message that cannot be built marks the verdict -ENOMEM, which
 * makes it fail rather than pass silently.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/display.h>
#include <ktsnap/temporal.h>

#include "log_internal.h"
#include "series_internal.h"
#include "util_internal.h"
#include "view_internal.h"

/* ---- verdict ------------------------------------------------------------------ */
struct ktsnap_verdict {
	struct ktsnap_verdict_item *items;
	size_t n, cap;
	bool log_passes;
	int err;
};

struct ktsnap_verdict *ktsnap_verdict__new(void)
{
	struct ktsnap_verdict *v = calloc(1, sizeof(*v));

	return v ? v : ktsnap_fail_ptr(-ENOMEM, "verdict: out of memory");
}

void ktsnap_verdict__free(struct ktsnap_verdict *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++)
		free((char *)v->items[i].message);
	free(v->items);
	free(v);
}

void ktsnap_verdict__set_log_passes(struct ktsnap_verdict *v, bool on)
{
	if (v)
		v->log_passes = on;
}

/* Append, taking ownership of @msg (freed on failure). */
static int verdict_add_owned(struct ktsnap_verdict *v, enum ktsnap_verdict_outcome outcome,
			     enum ktsnap_detail_kind kind, char *msg)
{
	if (!msg || KTSNAP_ENSURE(v->items, v->cap, v->n + 1)) {
		free(msg);
		v->err = -ENOMEM;
		return ktsnap_fail(-ENOMEM, "verdict: out of memory");
	}
	v->items[v->n++] = (struct ktsnap_verdict_item){ outcome, kind, msg };
	return 0;
}

int ktsnap_verdict__add(struct ktsnap_verdict *v, enum ktsnap_verdict_outcome outcome,
			enum ktsnap_detail_kind kind, const char *message)
{
	if (!v || !message)
		return ktsnap_fail(-EINVAL, "verdict add: no verdict or no message");
	return verdict_add_owned(v, outcome, kind, strdup(message));
}

size_t ktsnap_verdict__count(const struct ktsnap_verdict *v)
{
	return v ? v->n : 0;
}

const struct ktsnap_verdict_item *ktsnap_verdict__at(const struct ktsnap_verdict *v, size_t i)
{
	return ktsnap_index_ok(i, ktsnap_verdict__count(v), "verdict item") ? &v->items[i] : NULL;
}

size_t ktsnap_verdict__count_of(const struct ktsnap_verdict *v, enum ktsnap_verdict_outcome outcome)
{
	size_t i, c = 0;

	for (i = 0; v && i < v->n; i++)
		c += v->items[i].outcome == outcome;
	return c;
}

bool ktsnap_verdict__passed(const struct ktsnap_verdict *v)
{
	return v && !v->err && !ktsnap_verdict__count_of(v, KTSNAP_VERDICT_FAIL) &&
	       !ktsnap_verdict__count_of(v, KTSNAP_VERDICT_INCONCLUSIVE);
}

int ktsnap_verdict__error(const struct ktsnap_verdict *v)
{
	return v ? v->err : -EINVAL;
}

/* Temporal Fail + Inconclusive outcomes so far (for the pass line). */
static size_t bad_count(const struct ktsnap_verdict *v)
{
	size_t i, c = 0;

	for (i = 0; i < v->n; i++)
		c += v->items[i].kind == KTSNAP_DETAIL_TEMPORAL &&
		     (v->items[i].outcome == KTSNAP_VERDICT_FAIL ||
		      v->items[i].outcome == KTSNAP_VERDICT_INCONCLUSIVE);
	return c;
}

/* ---- message building ------------------------------------------------------------ */
struct msg {
	FILE *f;
	char *s;
	size_t len;
};

static FILE *msg_open(struct msg *m)
{
	m->s = NULL;
	m->len = 0;
	m->f = open_memstream(&m->s, &m->len);
	return m->f;
}

/* Close @m and return its text (caller frees), NULL on failure. */
static char *msg_take(struct msg *m)
{
	if (!m->f)
		return NULL;
	if (fclose(m->f)) {
		free(m->s);
		return NULL;
	}
	return m->s;
}

static void msg_push(struct ktsnap_verdict *v, enum ktsnap_verdict_outcome outcome, struct msg *m)
{
	verdict_add_owned(v, outcome, KTSNAP_DETAIL_TEMPORAL, msg_take(m));
}

/* A list of entries joined by ", " (the skip / gap lists). */
struct list {
	struct msg m;
	size_t n;
};

static FILE *list_next(struct list *l)
{
	if (!l->m.f && !l->n && !msg_open(&l->m))
		return NULL;
	if (l->m.f && l->n)
		fputs(", ", l->m.f);
	l->n++;
	return l->m.f;
}

static void list_drop(struct list *l)
{
	free(msg_take(&l->m));
	l->m.f = NULL;
}

/* Write the list's text into @f (and release it). */
static void list_put(FILE *f, struct list *l)
{
	char *s = msg_take(&l->m);

	l->m.f = NULL;
	if (f && s)
		fputs(s, f);
	free(s);
}

static void put_f64(FILE *f, double x)
{
	char buf[512];

	ktsnap_f64__format(x, buf, sizeof(buf));
	fputs(buf, f);
}

/* "{:.N}": fixed point, NaN / inf / -inf as Rust spells them. */
static void put_fixed(FILE *f, double x, int prec)
{
	if (isnan(x))
		fputs("NaN", f);
	else if (isinf(x))
		fputs(x < 0 ? "-inf" : "inf", f);
	else
		fprintf(f, "%.*f", prec, x);
}

static void put_num(FILE *f, enum ktsnap_series_type type, union ktsnap_series_num v)
{
	switch (type) {
	case KTSNAP_SERIES_U64:
		fprintf(f, "%" PRIu64, v.u64);
		break;
	case KTSNAP_SERIES_I64:
		fprintf(f, "%" PRId64, v.i64);
		break;
	case KTSNAP_SERIES_F64:
		put_f64(f, v.f64);
		break;
	case KTSNAP_SERIES_BOOL:
		fputs(v.b ? "true" : "false", f);
		break;
	}
}

static void put_err(FILE *f, const struct ktsnap_error *e)
{
	if (ktsnap_error_fprint(e, f) == -EINVAL)
		fputs("<unformattable error>", f);
}

/* "{tag}(+{t}ms)" */
static void put_ref(FILE *f, const struct ktsnap_series_field *sf, size_t i)
{
	fprintf(f, "%s(+%" PRIu64 "ms)", sf->tags[i], sf->elapsed_ms[i]);
}

/* "{tag}(+{t}ms): {error}" — a skipped sample. */
static void put_skip(FILE *f, const struct ktsnap_series_field *sf, size_t i)
{
	put_ref(f, sf, i);
	fputs(": ", f);
	put_err(f, &sf->values[i].err);
}

/* "sample {tag} (+{t}ms)" */
static void put_sample(FILE *f, const struct ktsnap_series_field *sf, size_t i)
{
	fprintf(f, "sample %s (+%" PRIu64 "ms)", sf->tags[i], sf->elapsed_ms[i]);
}

/* Start a message with "{L} (": the caller writes the rest. */
static FILE *msg_start(struct msg *m, const struct ktsnap_series_field *sf)
{
	if (!msg_open(m))
		return NULL;
	fprintf(m->f, "%s (", sf->label);
	return m->f;
}

/* A whole message "{L} (" + the printf text, added as @outcome. */
static void __attribute__((format(printf, 4, 5)))
push_line(struct ktsnap_verdict *v, const struct ktsnap_series_field *sf,
	  enum ktsnap_verdict_outcome outcome, const char *fmt, ...)
{
	struct msg m;
	va_list ap;
	FILE *f;

	if ((f = msg_start(&m, sf))) {
		va_start(ap, fmt);
		vfprintf(f, fmt, ap);
		va_end(ap);
	}
	msg_push(v, outcome, &m);
}

/*
 * When @l holds entries, a Note "{L} (" + the printf text + the entries;
 * nothing otherwise.  Releases @l either way.
 */
static void __attribute__((format(printf, 4, 5)))
push_list_note(struct ktsnap_verdict *v, const struct ktsnap_series_field *sf, struct list *l,
	       const char *fmt, ...)
{
	struct msg m;
	va_list ap;
	FILE *f;

	if (l->n) {
		if ((f = msg_start(&m, sf))) {
			va_start(ap, fmt);
			vfprintf(f, fmt, ap);
			va_end(ap);
			list_put(f, l);
		}
		msg_push(v, KTSNAP_VERDICT_NOTE, &m);
	}
	list_drop(l);
}

/* "[{lo}, {hi}]" */
static void put_band(FILE *f, double lo, double hi)
{
	fputc('[', f);
	put_f64(f, lo);
	fputs(", ", f);
	put_f64(f, hi);
	fputc(']', f);
}

/*
 * One gap entry of a pair whose sides are sample @li of @ls and sample @ri
 * of @rs: each errored side as "{prefix}{skip}", two joined by " | ".
 */
static void put_gap(FILE *f, const char *lp, const struct ktsnap_series_field *ls, size_t li,
		    const char *rp, const struct ktsnap_series_field *rs, size_t ri)
{
	bool lbad = !ls->values[li].ok, rbad = !rs->values[ri].ok;

	if (lbad) {
		fputs(lp, f);
		put_skip(f, ls, li);
	}
	if (lbad && rbad)
		fputs(" | ", f);
	if (rbad) {
		fputs(rp, f);
		put_skip(f, rs, ri);
	}
}

static double num(const struct ktsnap_series_field *sf, size_t i)
{
	return ktsnap_series_num_f64(sf->type, sf->values[i].v);
}

/*
 * The opt-in positive line: a message started with "{L} (" when the caller
 * asked for pass lines and the pattern added no Temporal Fail /
 * Inconclusive since @bad_before; NULL otherwise.  Finish with pass_push().
 */
static FILE *pass_start(struct ktsnap_verdict *v, const struct ktsnap_series_field *sf,
			size_t bad_before, struct msg *m)
{
	FILE *f;

	if (!v->log_passes || bad_count(v) != bad_before)
		return NULL;
	f = msg_start(m, sf);
	if (!f)
		v->err = -ENOMEM;
	return f;
}

static struct ktsnap_verdict *pass_push(struct ktsnap_verdict *v, struct msg *m)
{
	verdict_add_owned(v, KTSNAP_VERDICT_PASSED, KTSNAP_DETAIL_TEMPORAL, msg_take(m));
	return v;
}

/*
 * Every pattern starts here: false (nothing to do, @v returned as is) for
 * a NULL field or verdict; otherwise the bad count before the pattern runs.
 */
static bool pattern_start(const struct ktsnap_series_field *sf, const struct ktsnap_verdict *v,
			  size_t *before)
{
	if (!sf || !v)
		return false;
	*before = bad_count(v);
	return true;
}

/* ---- nondecreasing / strictly_increasing ------------------------------------------ */
static bool violates(const struct ktsnap_series_field *sf, size_t l, size_t r, bool strict)
{
	union ktsnap_series_num a = sf->values[l].v, b = sf->values[r].v;

	switch (sf->type) {
	case KTSNAP_SERIES_U64:
		return strict ? b.u64 <= a.u64 : b.u64 < a.u64;
	case KTSNAP_SERIES_I64:
		return strict ? b.i64 <= a.i64 : b.i64 < a.i64;
	case KTSNAP_SERIES_F64: /* NaN compares false both ways: no violation */
		return strict ? b.f64 <= a.f64 : b.f64 < a.f64;
	case KTSNAP_SERIES_BOOL:
		return strict ? b.b <= a.b : b.b < a.b;
	}
	return false;
}

static struct ktsnap_verdict *ordered(const struct ktsnap_series_field *sf,
				      struct ktsnap_verdict *v, bool strict)
{
	const char *pat = strict ? "strictly_increasing" : "nondecreasing";
	struct list skipped = { 0 };
	size_t before, i;
	struct msg m;
	FILE *f;

	if (!pattern_start(sf, v, &before))
		return v;
	if (sf->n < 2) {
		push_line(v, sf, KTSNAP_VERDICT_NOTE,
			  "%s): only %zu samples — pattern vacuously "
			  "holds; ensure num_snapshots >= 2 for meaningful coverage",
			  pat, sf->n);
		return v;
	}
	for (i = 0; i + 1 < sf->n; i++) {
		if (!sf->values[i].ok || !sf->values[i + 1].ok || !violates(sf, i, i + 1, strict))
			continue;
		if ((f = msg_start(&m, sf))) {
			fprintf(f, "%s): regression at ", pat);
			put_sample(f, sf, i + 1);
			fputs(": value ", f);
			put_num(f, sf->type, sf->values[i + 1].v);
			fputs(" after prior value ", f);
			put_num(f, sf->type, sf->values[i].v);
			fputs(" at ", f);
			put_sample(f, sf, i);
		}
		msg_push(v, KTSNAP_VERDICT_FAIL, &m);
	}
	for (i = 0; i < sf->n; i++)
		if (!sf->values[i].ok && (f = list_next(&skipped)))
			put_skip(f, sf, i);
	push_list_note(v, sf, &skipped, "%s): skipped %zu sample(s) with projection errors: ", pat,
		       skipped.n);
	if ((f = pass_start(v, sf, before, &m))) {
		fprintf(f, "%s): all %zu samples passed", pat, sf->n);
		pass_push(v, &m);
	}
	return v;
}

struct ktsnap_verdict *ktsnap_series_field__nondecreasing(const struct ktsnap_series_field *f,
							  struct ktsnap_verdict *v)
{
	return ordered(f, v, false);
}

struct ktsnap_verdict *ktsnap_series_field__strictly_increasing(const struct ktsnap_series_field *f,
								struct ktsnap_verdict *v)
{
	return ordered(f, v, true);
}

/* ---- caller errors ----------------------------------------------------------------- */
/*
 * "{L} ({pat}): caller error: {a}{x}{b}" and, when @y is given, "{y}"
 * after it: a Fail.
 */
static void caller_error(struct ktsnap_verdict *v, const struct ktsnap_series_field *sf,
			 const char *pat, const char *a, double x, const char *b, const double *y)
{
	struct msg m;
	FILE *f;

	if ((f = msg_start(&m, sf))) {
		fprintf(f, "%s): caller error: %s", pat, a);
		put_f64(f, x);
		fputs(b, f);
		if (y)
			put_f64(f, *y);
	}
	msg_push(v, KTSNAP_VERDICT_FAIL, &m);
}

/* "{L} ({pat}): caller error: lo={lo} > hi={hi}" when lo > hi; true then. */
static bool bad_band(struct ktsnap_verdict *v, const struct ktsnap_series_field *sf,
		     const char *pat, double lo, double hi)
{
	if (lo > hi)
		caller_error(v, sf, pat, "lo=", lo, " > hi=", &hi);
	return lo > hi;
}

/* "{L} ({pat}): caller error: tolerance {tolerance} negative" when tol < 0; true then. */
static bool bad_tol(struct ktsnap_verdict *v, const struct ktsnap_series_field *sf, const char *pat,
		    double tol)
{
	if (tol < 0)
		caller_error(v, sf, pat, "tolerance ", tol, " negative", NULL);
	return tol < 0;
}

/* ---- rate_within / ratio_within: a band over per-pair quotients ---------------------- */
/*
 * Both patterns walk pairs of samples, the left one always sample i of the
 * field: its right one is sample i + 1 of the same field (rate_within) or
 * sample i of the other field (ratio_within).  A pair with an errored side
 * is a gap (listed in one Note), a zero denominator is Inconclusive, and a
 * quotient that is non-finite or outside [lo, hi] is a Fail.  What differs
 * between the two is a struct quotient_kind.
 */
struct quotient_walk {
	const struct quotient_kind *k;
	const struct ktsnap_series_field *sf, *rs; /* left / right field */
	double lo, hi;
};

struct quotient_kind {
	const char *pat; /* "rate_within": in every message */
	const char *what; /* "rate": what a zero denominator leaves undecided */
	bool two_fields; /* pairs sample i with the other field's sample i */
	const char *lp, *rp; /* gap-entry prefixes of the left / right side */
	const char *gap_noun, *gap_sides; /* "{n} {noun} skipped ... on {sides}: " */
	const char *all_in_band; /* pass line: "all {pairs} {all_in_band}" */
	/* True when the fields cannot be paired (its own message pushed). */
	bool (*refused)(struct ktsnap_verdict *v, const struct quotient_walk *w);
	/* The quotient of pair @i into *@q; false when its denominator is 0. */
	bool (*at)(const struct quotient_walk *w, size_t i, double *q);
	/* Where pair @i's denominator is 0, before " — denominator is ...". */
	void (*put_zero)(FILE *f, const struct quotient_walk *w, size_t i);
	/* After the head: what is wrong with pair @i's quotient @q. */
	void (*put_fail)(FILE *f, const struct quotient_walk *w, size_t i, double q);
};

/* "{pat} [{other} ]{band}): " */
static void put_quotient_head(FILE *f, const struct quotient_walk *w)
{
	fprintf(f, "%s ", w->k->pat);
	if (w->k->two_fields)
		fprintf(f, "%s ", w->rs->label);
	put_band(f, w->lo, w->hi);
	fputs("): ", f);
}

static struct ktsnap_verdict *quotients_within(const struct quotient_kind *k,
					       const struct ktsnap_series_field *sf,
					       const struct ktsnap_series_field *rs,
					       struct ktsnap_verdict *v, double lo, double hi)
{
	const struct quotient_walk w = { k, sf, rs, lo, hi };
	struct list gaps = { 0 };
	size_t before, i, pairs, step = k->two_fields ? 0 : 1;
	double q;
	struct msg m;
	FILE *f;

	if (!pattern_start(sf, v, &before) || bad_band(v, sf, k->pat, lo, hi) || k->refused(v, &w))
		return v;
	pairs = sf->n - step;
	for (i = 0; i < pairs; i++) {
		if (!sf->values[i].ok || !rs->values[i + step].ok) {
			if ((f = list_next(&gaps)))
				put_gap(f, k->lp, sf, i, k->rp, rs, i + step);
			continue;
		}
		if (!k->at(&w, i, &q)) {
			if ((f = msg_start(&m, sf))) {
				fprintf(f, "%s): ", k->pat);
				k->put_zero(f, &w, i);
				fprintf(f,
					" — denominator is INSTRUMENT-derived; %s is neither pass "
					"nor fail",
					k->what);
			}
			msg_push(v, KTSNAP_VERDICT_INCONCLUSIVE, &m);
			continue;
		}
		if (isfinite(q) && q >= lo && q <= hi)
			continue;
		if ((f = msg_start(&m, sf))) {
			put_quotient_head(f, &w);
			k->put_fail(f, &w, i, q);
		}
		msg_push(v, KTSNAP_VERDICT_FAIL, &m);
	}
	push_list_note(v, sf, &gaps, "%s): %zu %s skipped due to projection errors on %s: ", k->pat,
		       gaps.n, k->gap_noun, k->gap_sides);
	if ((f = pass_start(v, sf, before, &m))) {
		put_quotient_head(f, &w);
		fprintf(f, "all %zu %s", pairs, k->all_in_band);
		pass_push(v, &m);
	}
	return v;
}

/* -- rate_within: (value[i+1] - value[i]) / (elapsed[i+1] - elapsed[i]) per ms -- */
static bool rate_refused(struct ktsnap_verdict *v, const struct quotient_walk *w)
{
	if (w->sf->n < 2)
		push_line(v, w->sf, KTSNAP_VERDICT_NOTE,
			  "rate_within): only %zu samples — pattern vacuously holds", w->sf->n);
	return w->sf->n < 2;
}

static bool rate_at(const struct quotient_walk *w, size_t i, double *q)
{
	uint64_t t0 = w->sf->elapsed_ms[i], t1 = w->sf->elapsed_ms[i + 1];
	uint64_t dt = t1 > t0 ? t1 - t0 : 0;

	if (dt)
		*q = (num(w->sf, i + 1) - num(w->sf, i)) / (double)dt;
	return dt != 0;
}

static void rate_put_zero(FILE *f, const struct quotient_walk *w, size_t i)
{
	const struct ktsnap_series_field *sf = w->sf;

	fprintf(f, "zero-time delta between sample %s (+%" PRIu64 "ms) and %s (+%" PRIu64 "ms)",
		sf->tags[i], sf->elapsed_ms[i], sf->tags[i + 1], sf->elapsed_ms[i + 1]);
}

/* "samples {prev} (+{tp}ms, value {left}) and {tag} (+{t}ms, value {right})" */
static void put_pair(FILE *f, const struct ktsnap_series_field *sf, size_t i)
{
	fprintf(f, "samples %s (+%" PRIu64 "ms, value ", sf->tags[i], sf->elapsed_ms[i]);
	put_num(f, sf->type, sf->values[i].v);
	fprintf(f, ") and %s (+%" PRIu64 "ms, value ", sf->tags[i + 1], sf->elapsed_ms[i + 1]);
	put_num(f, sf->type, sf->values[i + 1].v);
	fputc(')', f);
}

static void rate_put_fail(FILE *f, const struct quotient_walk *w, size_t i, double rate)
{
	if (!isfinite(rate)) {
		fputs("non-finite rate between ", f);
		put_pair(f, w->sf, i);
		fputs(" — endpoint is NaN or produced inf in the delta", f);
		return;
	}
	fputs("rate ", f);
	put_fixed(f, rate, 4);
	fputs("/ms between ", f);
	put_pair(f, w->sf, i);
}

static const struct quotient_kind rate_within = {
	.pat = "rate_within",
	.what = "rate",
	.two_fields = false,
	.lp = "",
	.rp = "",
	.gap_noun = "consecutive-pair gap(s)",
	.gap_sides = "at least one endpoint",
	.all_in_band = "consecutive-pair rates within band",
	.refused = rate_refused,
	.at = rate_at,
	.put_zero = rate_put_zero,
	.put_fail = rate_put_fail,
};

struct ktsnap_verdict *ktsnap_series_field__rate_within(const struct ktsnap_series_field *sf,
							struct ktsnap_verdict *v, double lo,
							double hi)
{
	return quotients_within(&rate_within, sf, sf, v, lo, hi);
}

/* -- ratio_within: value[i] / other.value[i] -- */
static bool ratio_refused(struct ktsnap_verdict *v, const struct quotient_walk *w)
{
	if (w->sf->n != w->rs->n)
		push_line(v, w->sf, KTSNAP_VERDICT_FAIL,
			  "ratio_within %s): caller error: length "
			  "mismatch (this %zu, other %zu)",
			  w->rs->label, w->sf->n, w->rs->n);
	return w->sf->n != w->rs->n;
}

static bool ratio_at(const struct quotient_walk *w, size_t i, double *q)
{
	double r = num(w->rs, i);

	if (r != 0)
		*q = num(w->sf, i) / r;
	return r != 0;
}

static void ratio_put_zero(FILE *f, const struct quotient_walk *w, size_t i)
{
	fputs("rhs == 0 at ", f);
	put_sample(f, w->sf, i);
}

static void ratio_put_fail(FILE *f, const struct quotient_walk *w, size_t i, double ratio)
{
	if (!isfinite(ratio)) {
		fputs("non-finite ratio at ", f);
	} else {
		fputs("ratio ", f);
		put_fixed(f, ratio, 4);
		fputs(" at ", f);
	}
	put_sample(f, w->sf, i);
	fputs(" — lhs=", f);
	put_num(f, w->sf->type, w->sf->values[i].v);
	fputs(" rhs=", f);
	put_num(f, w->rs->type, w->rs->values[i].v);
}

static const struct quotient_kind ratio_within = {
	.pat = "ratio_within",
	.what = "ratio",
	.two_fields = true,
	.lp = "lhs ",
	.rp = "rhs ",
	.gap_noun = "pair(s)",
	.gap_sides = "lhs or rhs",
	.all_in_band = "pair ratios in band",
	.refused = ratio_refused,
	.at = ratio_at,
	.put_zero = ratio_put_zero,
	.put_fail = ratio_put_fail,
};

struct ktsnap_verdict *ktsnap_series_field__ratio_within(const struct ktsnap_series_field *sf,
							 const struct ktsnap_series_field *other,
							 struct ktsnap_verdict *v, double lo,
							 double hi)
{
	return other ? quotients_within(&ratio_within, sf, other, v, lo, hi) : v;
}

/* ---- steady_within ---------------------------------------------------------------- */
/* "steady_within mean {mean:.4} ±{tol*100:.1}%" */
static void put_steady_head(FILE *f, double mean, double tol)
{
	fputs("steady_within mean ", f);
	put_fixed(f, mean, 4);
	fputs(" ±", f);
	put_fixed(f, tol * 100, 1);
	fputc('%', f);
}

struct ktsnap_verdict *ktsnap_series_field__steady_within(const struct ktsnap_series_field *sf,
							  struct ktsnap_verdict *v,
							  uint64_t warmup_ms, double tol)
{
	struct list skipped = { 0 };
	size_t before, i, reached = 0, active = 0;
	double sum = 0, mean, lo, hi;
	struct msg m;
	FILE *f;

	if (!pattern_start(sf, v, &before) || bad_tol(v, sf, "steady_within", tol))
		return v;
	for (i = 0; i < sf->n; i++) {
		if (sf->elapsed_ms[i] < warmup_ms)
			continue;
		reached++;
		if (!sf->values[i].ok) {
			if ((f = list_next(&skipped)))
				put_skip(f, sf, i);
		} else if (!isfinite(num(sf, i))) {
			if ((f = list_next(&skipped))) {
				put_ref(f, sf, i);
				fputs(": non-finite value ", f);
				put_num(f, sf->type, sf->values[i].v);
			}
		} else {
			sum += num(sf, i);
			active++;
		}
	}
	push_list_note(v, sf, &skipped,
		       "steady_within): skipped %zu post-warmup sample(s) with "
		       "projection errors: ",
		       skipped.n);
	if (!active) {
		if (!reached)
			push_line(v, sf, KTSNAP_VERDICT_NOTE,
				  "steady_within): no samples beyond "
				  "warmup_ms=%" PRIu64 " — pattern vacuously holds",
				  warmup_ms);
		return v;
	}
	mean = sum / (double)active;
	lo = mean * (1 - tol);
	hi = mean * (1 + tol);
	if (lo > hi) {
		double t = lo;

		lo = hi;
		hi = t;
	}
	for (i = 0; i < sf->n; i++) {
		double x;

		if (sf->elapsed_ms[i] < warmup_ms || !sf->values[i].ok)
			continue;
		x = num(sf, i);
		if (!isfinite(x) || (x >= lo && x <= hi))
			continue;
		if ((f = msg_start(&m, sf))) {
			put_steady_head(f, mean, tol);
			fputs("): ", f);
			put_sample(f, sf, i);
			fputs(": value ", f);
			put_num(f, sf->type, sf->values[i].v);
			fputs(" outside [", f);
			put_fixed(f, lo, 4);
			fputs(", ", f);
			put_fixed(f, hi, 4);
			fputc(']', f);
		}
		msg_push(v, KTSNAP_VERDICT_FAIL, &m);
	}
	if ((f = pass_start(v, sf, before, &m))) {
		put_steady_head(f, mean, tol);
		fprintf(f, "): all %zu post-warmup samples in band", active);
		pass_push(v, &m);
	}
	return v;
}

/* ---- converges_to ------------------------------------------------------------------ */
static void put_converges_head(FILE *f, double target, double tol, uint64_t deadline_ms)
{
	fputs("converges_to ", f);
	put_f64(f, target);
	fputs(" ±", f);
	put_f64(f, tol);
	fprintf(f, ", deadline_ms=%" PRIu64 "): ", deadline_ms);
}

struct ktsnap_verdict *ktsnap_series_field__converges_to(const struct ktsnap_series_field *sf,
							 struct ktsnap_verdict *v, double target,
							 double tol, uint64_t deadline_ms)
{
	struct list errored = { 0 }, interrupted = { 0 };
	size_t before, i, k = 0, run = 0, wi = 0;
	bool witness = false;
	struct msg m;
	FILE *f;

	if (!pattern_start(sf, v, &before) || bad_tol(v, sf, "converges_to", tol))
		return v;
	for (i = 0; i < sf->n; i++) {
		if (sf->elapsed_ms[i] > deadline_ms)
			continue;
		if (sf->values[i].ok)
			k++;
		else if ((f = list_next(&errored)))
			put_skip(f, sf, i);
	}
	if (k < 3) {
		if ((f = msg_start(&m, sf))) {
			put_converges_head(f, target, tol, deadline_ms);
			fprintf(f, "insufficient samples for converges_to (need ≥3, have %zu)", k);
			if (errored.n) {
				fputs("; errored sample(s): ", f);
				list_put(f, &errored);
			}
		}
		msg_push(v, KTSNAP_VERDICT_NOTE, &m);
		list_drop(&errored);
		return v;
	}
	list_drop(&errored);
	for (i = 0; i < sf->n && !witness; i++) {
		wi = i;
		double x;

		if (sf->elapsed_ms[i] > deadline_ms) {
			run = 0;
			continue;
		}
		if (!sf->values[i].ok) {
			if (run && (f = list_next(&interrupted)))
				put_skip(f, sf, i);
			run = 0;
			continue;
		}
		x = num(sf, i);
		if (x >= target - tol && x <= target + tol)
			witness = ++run >= 3;
		else
			run = 0;
	}
	if (!witness) {
		if ((f = msg_start(&m, sf))) {
			put_converges_head(f, target, tol, deadline_ms);
			fprintf(f,
				"no 3-consecutive-in-band witness before deadline "
				"(%zu samples evaluated)",
				sf->n);
			if (interrupted.n) {
				fputs("; in-progress runs interrupted by errored sample(s): ", f);
				list_put(f, &interrupted);
			}
		}
		msg_push(v, KTSNAP_VERDICT_FAIL, &m);
	}
	list_drop(&interrupted);
	if (witness && (f = pass_start(v, sf, before, &m))) {
		put_converges_head(f, target, tol, deadline_ms);
		fputs("3-consecutive-in-band witness reached at ", f);
		fprintf(f, "%s (+%" PRIu64 "ms)", sf->tags[wi], sf->elapsed_ms[wi]);
		pass_push(v, &m);
	}
	return v;
}

/* ---- always_true ------------------------------------------------------------------- */
struct ktsnap_verdict *ktsnap_series_field__always_true(const struct ktsnap_series_field *sf,
							struct ktsnap_verdict *v)
{
	size_t before, i;
	struct msg m;
	FILE *f;

	if (!pattern_start(sf, v, &before))
		return v;
	if (sf->type != KTSNAP_SERIES_BOOL) {
		push_line(v, sf, KTSNAP_VERDICT_FAIL,
			  "always_true): caller error: field is not "
			  "boolean");
		return v;
	}
	for (i = 0; i < sf->n; i++) {
		if (sf->values[i].ok && sf->values[i].v.b)
			continue;
		if ((f = msg_start(&m, sf))) {
			fputs("always_true): ", f);
			put_sample(f, sf, i);
			if (sf->values[i].ok) {
				fputs(": value false", f);
			} else {
				fputs(": projection error: ", f);
				put_err(f, &sf->values[i].err);
			}
		}
		msg_push(v, KTSNAP_VERDICT_FAIL, &m);
	}
	if ((f = pass_start(v, sf, before, &m))) {
		fprintf(f, "always_true): all %zu samples true", sf->n);
		pass_push(v, &m);
	}
	return v;
}

/* ---- each() ------------------------------------------------------------------------ */
enum each_op { EACH_AT_LEAST, EACH_AT_MOST, EACH_BETWEEN };

static void put_each_head(FILE *f, enum each_op op, double lo, double hi)
{
	switch (op) {
	case EACH_AT_LEAST:
		fputs("each.at_least ", f);
		put_f64(f, lo);
		break;
	case EACH_AT_MOST:
		fputs("each.at_most ", f);
		put_f64(f, hi);
		break;
	case EACH_BETWEEN:
		fputs("each.between ", f);
		put_band(f, lo, hi);
		break;
	}
	fputs("): ", f);
}

static struct ktsnap_verdict *each(const struct ktsnap_series_field *sf, struct ktsnap_verdict *v,
				   enum each_op op, double lo, double hi)
{
	size_t before, i;
	struct msg m;
	FILE *f;

	if (!pattern_start(sf, v, &before))
		return v;
	if (op == EACH_BETWEEN && bad_band(v, sf, "each.between", lo, hi))
		return v;
	for (i = 0; i < sf->n; i++) {
		const struct ktsnap_series_value *x = &sf->values[i];
		double d = x->ok ? num(sf, i) : 0;
		bool nan = x->ok && isnan(d);
		bool bad = !x->ok || nan || (op != EACH_AT_MOST && d < lo) ||
			   (op != EACH_AT_LEAST && d > hi);

		if (!bad)
			continue;
		if ((f = msg_start(&m, sf))) {
			put_each_head(f, op, lo, hi);
			put_sample(f, sf, i);
			if (!x->ok) {
				fputs(": projection error: ", f);
				put_err(f, &x->err);
			} else {
				fputs(": value ", f);
				put_num(f, sf->type, x->v);
				if (nan)
					fputs(" is incomparable (NaN)", f);
			}
		}
		msg_push(v, KTSNAP_VERDICT_FAIL, &m);
	}
	if ((f = pass_start(v, sf, before, &m))) {
		put_each_head(f, op, lo, hi);
		fprintf(f, "all %zu samples passed", sf->n);
		pass_push(v, &m);
	}
	return v;
}

struct ktsnap_verdict *ktsnap_series_field__each_at_least(const struct ktsnap_series_field *f,
							  struct ktsnap_verdict *v, double x)
{
	return each(f, v, EACH_AT_LEAST, x, 0);
}

struct ktsnap_verdict *ktsnap_series_field__each_at_most(const struct ktsnap_series_field *f,
							 struct ktsnap_verdict *v, double x)
{
	return each(f, v, EACH_AT_MOST, 0, x);
}

struct ktsnap_verdict *ktsnap_series_field__each_between(const struct ktsnap_series_field *f,
							 struct ktsnap_verdict *v, double lo,
							 double hi)
{
	return each(f, v, EACH_BETWEEN, lo, hi);
}

/* ---- ratio_across_phases ------------------------------------------------------------ */
struct ktsnap_verdict *
ktsnap_series_field__ratio_across_phases_at_most(const struct ktsnap_series_field *sf,
						 struct ktsnap_verdict *v, uint16_t earlier,
						 uint16_t later, double ceiling)
{
	union ktsnap_series_num e, l;
	bool has_e, has_l;
	char pe[32], pl[32];
	double ef, lf, ratio;
	struct msg m;
	FILE *f;

	if (!sf || !v)
		return v;
	has_e = !ktsnap_series_field__value_at_phase(sf, earlier, &e);
	has_l = !ktsnap_series_field__value_at_phase(sf, later, &l);
	ktsnap_phase__format(earlier, pe, sizeof(pe));
	ktsnap_phase__format(later, pl, sizeof(pl));
	if (!msg_open(&m)) {
		v->err = -ENOMEM;
		return v;
	}
	f = m.f;
	if (!has_e || !has_l || ktsnap_series_num_f64(sf->type, e) != 0) {
		/* Fail / Inconclusive texts carry "{label}: ", the note "[{label}] ". */
		ef = has_e ? ktsnap_series_num_f64(sf->type, e) : 0;
		lf = has_l ? ktsnap_series_num_f64(sf->type, l) : 0;
		ratio = lf / ef;
		if (has_e && has_l && isfinite(ratio) && ratio <= ceiling)
			fprintf(f, *sf->label ? "[%s] " : "%s", sf->label);
		else
			fprintf(f, *sf->label ? "%s: " : "%s", sf->label);
		fprintf(f, "ratio_across_phases(%s→%s)", pe, pl);
		if (!has_e || !has_l) {
			fputs(" inconclusive: needs both phases — earlier=", f);
			if (has_e)
				put_num(f, sf->type, e);
			else
				fputs("<no-samples>", f);
			fputs(", later=", f);
			if (has_l)
				put_num(f, sf->type, l);
			else
				fputs("<no-samples>", f);
			msg_push(v, KTSNAP_VERDICT_INCONCLUSIVE, &m);
			return v;
		}
		fputs(" = ", f);
		put_num(f, sf->type, l);
		fputc('/', f);
		put_num(f, sf->type, e);
		fputs(" = ", f);
		if (!isfinite(ratio)) {
			put_f64(f, ratio);
			fputs(" is non-finite (corrupt endpoint) — cannot evaluate ceiling ", f);
			put_fixed(f, ceiling, 4);
			msg_push(v, KTSNAP_VERDICT_FAIL, &m);
		} else if (ratio > ceiling) {
			put_fixed(f, ratio, 4);
			fputs(" exceeds ceiling ", f);
			put_fixed(f, ceiling, 4);
			msg_push(v, KTSNAP_VERDICT_FAIL, &m);
		} else {
			put_fixed(f, ratio, 4);
			fputs(" (ceiling ", f);
			put_fixed(f, ceiling, 4);
			fputc(')', f);
			msg_push(v, KTSNAP_VERDICT_NOTE, &m);
		}
		return v;
	}
	fprintf(f, *sf->label ? "%s: " : "%s", sf->label);
	fprintf(f,
		"ratio_across_phases(%s→%s) inconclusive: earlier value is 0 (no baseline to "
		"ratio against)",
		pe, pl);
	msg_push(v, KTSNAP_VERDICT_INCONCLUSIVE, &m);
	return v;
}
