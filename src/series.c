// SPDX-License-Identifier: MIT
/*
 * series: SampleSeries and SeriesField (spec §8.2, §8.3).  A sample series
 * owns the drained rows — tag, the report exactly as captured (raw bytes +
 * BTF; nothing is rendered here), the stats slot and the timing stamps —
 * and turns them into typed SeriesField columns through projections.  A
 * projection only touches what its callback asks for, so maps no callback
 * looks at are never rendered, and the trees a projection rendered are
 * dropped again once it holds its values.  This file owns the placeholder / missing
 * stats routing and the bpf_live_* phase-stable gate (WalkerDriftedWithinPhase);
 * the patterns over the columns live in temporal.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <json-c/json.h>

#include <ktsnap/bridge.h>
#include <ktsnap/report.h>
#include <ktsnap/series.h>

#include "bridge_internal.h"
#include "log_internal.h"
#include "render_internal.h"
#include "series_internal.h"
#include "util_internal.h"
#include "view_internal.h"

/* ---- SeriesField ------------------------------------------------------------------ */

void ktsnap_series_field__free(struct ktsnap_series_field *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; f->tags && i < f->n; i++)
		free(f->tags[i]);
	free(f->tags);
	free(f->elapsed_ms);
	free(f->values);
	free(f->phases);
	free(f->label);
	free(f);
}

/* An empty field of @n rows (tags NULL, values Ok zero, phases none). */
static struct ktsnap_series_field *field_alloc(const char *label, enum ktsnap_series_type type,
					       size_t n)
{
	struct ktsnap_series_field *f = calloc(1, sizeof(*f));
	size_t m = n ? n : 1, i;

	if (!f)
		goto oom;
	f->type = type;
	f->n = n;
	f->label = strdup(label ? label : "");
	f->tags = calloc(m, sizeof(*f->tags));
	f->elapsed_ms = calloc(m, sizeof(*f->elapsed_ms));
	f->values = calloc(m, sizeof(*f->values));
	f->phases = calloc(m, sizeof(*f->phases));
	if (!f->label || !f->tags || !f->elapsed_ms || !f->values || !f->phases)
		goto oom;
	for (i = 0; i < n; i++) {
		f->values[i].ok = true;
		f->phases[i] = KTSNAP_PHASE_NONE;
	}
	return f;
oom:
	ktsnap_series_field__free(f);
	return ktsnap_fail_ptr(-ENOMEM, "series field: out of memory");
}

struct ktsnap_series_field *
ktsnap_series_field__new(const char *label, enum ktsnap_series_type type, const char *const *tags,
			 size_t nr_tags, const uint64_t *elapsed_ms, size_t nr_elapsed,
			 const struct ktsnap_series_value *values, size_t nr_values,
			 const int32_t *phases, size_t nr_phases)
{
	struct ktsnap_series_field *f;
	size_t i;

	/* Parallel columns of different lengths are a caller bug (spec §8.3). */
	if (nr_values != nr_tags || (elapsed_ms && nr_elapsed != nr_tags) ||
	    (!elapsed_ms && nr_elapsed) || (phases && nr_phases != nr_tags) ||
	    (!phases && nr_phases) || (nr_tags && (!tags || !values)))
		abort();
	f = field_alloc(label, type, nr_tags);
	if (!f)
		return NULL;
	for (i = 0; i < nr_tags; i++) {
		f->tags[i] = strdup(tags[i] ? tags[i] : "");
		if (!f->tags[i]) {
			ktsnap_series_field__free(f);
			return ktsnap_fail_ptr(-ENOMEM, "series field: out of memory");
		}
		f->elapsed_ms[i] = elapsed_ms ? elapsed_ms[i] : 0;
		f->values[i] = values[i];
		f->phases[i] = phases ? phases[i] : KTSNAP_PHASE_NONE;
	}
	return f;
}

const char *ktsnap_series_field__label(const struct ktsnap_series_field *f)
{
	return f ? f->label : NULL;
}

enum ktsnap_series_type ktsnap_series_field__type(const struct ktsnap_series_field *f)
{
	return f ? f->type : KTSNAP_SERIES_U64;
}

size_t ktsnap_series_field__len(const struct ktsnap_series_field *f)
{
	return f ? f->n : 0;
}

bool ktsnap_series_field__is_empty(const struct ktsnap_series_field *f)
{
	return !ktsnap_series_field__len(f);
}

const char *ktsnap_series_field__tag(const struct ktsnap_series_field *f, size_t i)
{
	return f && i < f->n ? f->tags[i] : NULL;
}

uint64_t ktsnap_series_field__elapsed_ms(const struct ktsnap_series_field *f, size_t i)
{
	return f && i < f->n ? f->elapsed_ms[i] : 0;
}

const struct ktsnap_series_value *ktsnap_series_field__value(const struct ktsnap_series_field *f,
							     size_t i)
{
	return f && i < f->n ? &f->values[i] : NULL;
}

int32_t ktsnap_series_field__phase(const struct ktsnap_series_field *f, size_t i)
{
	return f && i < f->n ? f->phases[i] : KTSNAP_PHASE_NONE;
}

size_t ktsnap_series_field__phases(const struct ktsnap_series_field *f, uint16_t *out, size_t cap)
{
	size_t count = 0;
	int32_t p, last = -1;

	/* Ascending distinct values: repeatedly take the smallest above @last. */
	for (;;) {
		int32_t next = -1;
		size_t i;

		for (i = 0; f && i < f->n; i++) {
			p = f->phases[i];
			if (p > last && (next < 0 || p < next))
				next = p;
		}
		if (next < 0)
			return count;
		if (count < cap)
			out[count] = (uint16_t)next;
		count++;
		last = next;
	}
}

/* Count row @i, storing it when @out has room (the "count, fill up to cap" lists). */
static void row_add(size_t *out, size_t cap, size_t *count, size_t i)
{
	if (*count < cap)
		out[*count] = i;
	(*count)++;
}

size_t ktsnap_series_field__phase_rows(const struct ktsnap_series_field *f, uint16_t phase,
				       size_t *out, size_t cap)
{
	size_t i, count = 0;

	for (i = 0; f && i < f->n; i++)
		if (f->phases[i] == phase)
			row_add(out, cap, &count, i);
	return count;
}

/* Row of the first (or last) Ok value of @phase; -1 when none. */
static ssize_t phase_ok_row(const struct ktsnap_series_field *f, uint16_t phase, bool last)
{
	ssize_t row = -1;
	size_t i;

	for (i = 0; f && i < f->n; i++) {
		if (f->phases[i] != phase || !f->values[i].ok)
			continue;
		row = (ssize_t)i;
		if (!last)
			break;
	}
	return row;
}

/* The first (or last) Ok value of @phase into *@out: 0, -EINVAL or -ENOENT. */
static int phase_ok_value(const struct ktsnap_series_field *f, uint16_t phase, bool last,
			  union ktsnap_series_num *out)
{
	ssize_t r = phase_ok_row(f, phase, last);

	if (!f || !out)
		return ktsnap_fail(-EINVAL, "%s_at_phase: no field or no output",
				   last ? "value" : "first");
	if (r < 0)
		return ktsnap_fail(-ENOENT, "'%s' has no Ok value in phase %u", f->label, phase);
	*out = f->values[r].v;
	return 0;
}

int ktsnap_series_field__value_at_phase(const struct ktsnap_series_field *f, uint16_t phase,
					union ktsnap_series_num *out)
{
	return phase_ok_value(f, phase, true, out);
}

int ktsnap_series_field__first_at_phase(const struct ktsnap_series_field *f, uint16_t phase,
					union ktsnap_series_num *out)
{
	return phase_ok_value(f, phase, false, out);
}

int ktsnap_series_field__counter_delta_at_phase(const struct ktsnap_series_field *f, uint16_t phase,
						union ktsnap_series_num *out)
{
	union ktsnap_series_num a, b, d = { 0 };
	int err;

	if (!f || !out)
		return ktsnap_fail(-EINVAL, "counter_delta_at_phase: no field or no output");
	if (f->type == KTSNAP_SERIES_BOOL)
		return ktsnap_fail(-EINVAL, "counter_delta_at_phase: '%s' is a bool column",
				   f->label);
	err = ktsnap_series_field__first_at_phase(f, phase, &a);
	if (!err)
		err = ktsnap_series_field__value_at_phase(f, phase, &b);
	if (err)
		return err;
	/* A regression within the phase reads as zero progress. */
	switch (f->type) {
	case KTSNAP_SERIES_U64:
		d.u64 = b.u64 >= a.u64 ? b.u64 - a.u64 : 0;
		break;
	case KTSNAP_SERIES_I64:
		d.i64 = b.i64 >= a.i64 ? (int64_t)((uint64_t)b.i64 - (uint64_t)a.i64) : 0;
		break;
	case KTSNAP_SERIES_F64:
		d.f64 = b.f64 >= a.f64 ? b.f64 - a.f64 : 0;
		break;
	case KTSNAP_SERIES_BOOL:
		break;
	}
	*out = d;
	return 0;
}

int ktsnap_phase__format(uint16_t phase, char *buf, size_t size)
{
	/* the reference's Phase is a u16 newtype with a derived Debug */
	return snprintf(buf, size, "Phase(%u)", (unsigned int)phase);
}

/* ---- SampleSeries ------------------------------------------------------------------- */

struct series_row {
	char *tag;
	struct ktsnap_report *report;
	struct ktsnap_stats *stats; /* deep copy, never NULL */
	struct json_object *stats_json; /* parsed on first use */
	bool stats_parsed;
	struct ktsnap_capture_meta meta;
};

struct ktsnap_sample_series {
	struct series_row *rows;
	size_t n, cap;
};

static void row_clear(struct series_row *r)
{
	free(r->tag);
	ktsnap_report__free(r->report);
	ktsnap_stats__free(r->stats);
	if (r->stats_json)
		json_object_put(r->stats_json);
	memset(r, 0, sizeof(*r));
}

struct ktsnap_sample_series *ktsnap_sample_series__new(void)
{
	struct ktsnap_sample_series *s = calloc(1, sizeof(*s));

	return s ? s : ktsnap_fail_ptr(-ENOMEM, "sample series: out of memory");
}

void ktsnap_sample_series__free(struct ktsnap_sample_series *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		row_clear(&s->rows[i]);
	free(s->rows);
	free(s);
}

/* Append a row with @meta (push's contract otherwise). */
static int push_row(struct ktsnap_sample_series *s, const char *tag, struct ktsnap_report *report,
		    const struct ktsnap_stats *stats, const struct ktsnap_capture_meta *meta)
{
	struct ktsnap_stats none = ktsnap_stats_missing(KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY);
	struct series_row r = { .meta = *meta };

	if (!s || !tag || !report) {
		ktsnap_report__free(report);
		return ktsnap_fail(-EINVAL, "push: no series, tag or report");
	}
	r.report = report;
	r.tag = strdup(tag);
	r.stats = ktsnap_stats__dup(stats ? stats : &none);
	if (!r.tag || !r.stats || KTSNAP_ENSURE(s->rows, s->cap, s->n + 1)) {
		row_clear(&r);
		return ktsnap_fail(-ENOMEM, "push: out of memory");
	}
	s->rows[s->n++] = r;
	return 0;
}

int ktsnap_sample_series__push(struct ktsnap_sample_series *s, const char *tag,
			       struct ktsnap_report *report, const struct ktsnap_stats *stats,
			       const uint64_t *elapsed_ms, const uint64_t *boundary_offset_ms,
			       const uint16_t *step_index)
{
	struct ktsnap_capture_meta meta =
		ktsnap_capture_meta_of(elapsed_ms, boundary_offset_ms, step_index);

	return push_row(s, tag, report, stats, &meta);
}

struct ktsnap_sample_series *ktsnap_sample_series__from_drain(struct ktsnap_drain *d)
{
	struct ktsnap_sample_series *s = ktsnap_sample_series__new();
	size_t i, n = ktsnap_drain__count(d);

	if (!s)
		return NULL;
	for (i = 0; i < n; i++) {
		const struct ktsnap_drained_entry *e = ktsnap_drain__entry(d, i);
		struct ktsnap_report *r;
		int err;

		if (!e || !e->report)
			continue;
		r = ktsnap_drain__take_report(d, i);
		err = push_row(s, e->tag, r, e->stats, &e->meta);
		if (err) {
			ktsnap_sample_series__free(s);
			errno = -err;
			return NULL;
		}
	}
	return s;
}

size_t ktsnap_sample_series__len(const struct ktsnap_sample_series *s)
{
	return s ? s->n : 0;
}

bool ktsnap_sample_series__is_empty(const struct ktsnap_sample_series *s)
{
	return !ktsnap_sample_series__len(s);
}

static void row_sample(const struct series_row *r, struct ktsnap_sample *out)
{
	*out = (struct ktsnap_sample){
		.tag = r->tag,
		.snapshot = ktsnap_snapshot__named(r->report, r->tag),
		.stats = r->stats,
		.meta = r->meta,
	};
}

int ktsnap_sample_series__sample(const struct ktsnap_sample_series *s, size_t i,
				 struct ktsnap_sample *out)
{
	if (!out)
		return ktsnap_fail(-EINVAL, "sample: no output");
	if (!ktsnap_index_ok(i, ktsnap_sample_series__len(s), "sample"))
		return -errno; /* ERANGE, with its text */
	row_sample(&s->rows[i], out);
	return 0;
}

size_t ktsnap_sample_series__retain_periodic(struct ktsnap_sample_series *s)
{
	size_t i, kept = 0;

	if (!s)
		return 0;
	for (i = 0; i < s->n; i++) {
		if (!strncmp(s->rows[i].tag, "periodic_", 9))
			s->rows[kept++] = s->rows[i];
		else
			row_clear(&s->rows[i]);
	}
	s->n = kept;
	return kept;
}

/* The stamped step, 0 (baseline) when none was stamped. */
static uint16_t meta_phase(const struct ktsnap_capture_meta *m)
{
	return m->has_step_index ? m->step_index : 0;
}

uint16_t ktsnap_sample__stamped_phase(const struct ktsnap_sample *smp)
{
	return smp ? meta_phase(&smp->meta) : 0;
}

size_t ktsnap_sample_series__stamped_phase_rows(const struct ktsnap_sample_series *s,
						uint16_t phase, size_t *out, size_t cap)
{
	size_t i, count = 0;

	for (i = 0; s && i < s->n; i++)
		if (meta_phase(&s->rows[i].meta) == phase)
			row_add(out, cap, &count, i);
	return count;
}

int ktsnap_sample_series__stimulus_phases(const struct ktsnap_sample_series *s,
					  const struct ktsnap_stimulus_event *events,
					  size_t nr_events, uint16_t *out)
{
	size_t i, j;

	if (!s || (nr_events && !events) || (s->n && !out))
		return ktsnap_fail(-EINVAL, "stimulus_phases: no series, events or output");
	for (i = 0; i < s->n; i++) {
		const struct series_row *r = &s->rows[i];
		const struct ktsnap_stimulus_event *best = NULL;

		if (!r->meta.has_boundary_offset_ms) {
			out[i] = meta_phase(&r->meta);
			continue;
		}
		/*
		 * The latest step start at or before the offset.  Equal
		 * start times: the later event in @events wins, which is
		 * what a stable sort followed by "last <= offset" gives.
		 */
		for (j = 0; j < nr_events; j++) {
			const struct ktsnap_stimulus_event *e = &events[j];

			if (e->is_step_end || !e->has_step_index ||
			    e->elapsed_ms > r->meta.boundary_offset_ms)
				continue;
			if (!best || e->elapsed_ms >= best->elapsed_ms)
				best = e;
		}
		out[i] = best ? best->step_index : 0;
	}
	return 0;
}

/* ---- projections ---------------------------------------------------------------------- */

/* A field with @s's tags, timestamps and phases; values Ok zero. */
static struct ktsnap_series_field *series_field(const struct ktsnap_sample_series *s,
						const char *label, enum ktsnap_series_type type)
{
	struct ktsnap_series_field *f = field_alloc(label, type, s->n);
	size_t i;

	if (!f)
		return NULL;
	for (i = 0; i < s->n; i++) {
		const struct series_row *r = &s->rows[i];

		f->tags[i] = strdup(r->tag);
		if (!f->tags[i]) {
			ktsnap_series_field__free(f);
			return ktsnap_fail_ptr(-ENOMEM, "series field: out of memory");
		}
		f->elapsed_ms[i] = r->meta.elapsed_ms;
		f->phases[i] = r->meta.has_step_index ? r->meta.step_index : KTSNAP_PHASE_NONE;
	}
	return f;
}

/* PlaceholderSample for a placeholder row. */
static struct ktsnap_error placeholder_error(const struct series_row *r)
{
	const char *why = ktsnap_report__scx_walker_unavailable(r->report);

	return ktsnap_error__placeholder_sample(r->tag, why ? why : "placeholder report");
}

/*
 * Memory (issue 11): a row keeps its report raw; a projection renders the
 * maps it touches and drops those trees again once it holds its scalars,
 * so a series never holds more than one sample's trees at a time.  Only
 * maps the projection itself found unrendered are dropped: a caller's own
 * views into a map it rendered earlier stay valid.
 *
 * fresh_maps(): the entry maps of @r with nothing rendered yet (not even
 * the single entries a lookup on a big map returned), as r->nr_maps
 * flags; NULL when there are none (or on ENOMEM: then nothing is dropped,
 * which costs memory, never correctness).
 */
static bool *fresh_maps(const struct ktsnap_report *r)
{
	bool *fresh = NULL;
	uint32_t i;

	for (i = 0; r && i < r->nr_maps; i++) {
		const struct ktsnap_map *m = &r->maps[i];

		if (!m->raw || m->layout == KTSNAP_LAYOUT_VALUE || ktsnap_map_has_trees(m))
			continue;
		if (!fresh && !(fresh = calloc(r->nr_maps, sizeof(*fresh))))
			return NULL;
		fresh[i] = true;
	}
	return fresh;
}

/* Drop the trees of @fresh maps of @r, after making the errors in
 * @out[0..n) independent of them; frees @fresh. */
static void drop_fresh(struct ktsnap_report *r, bool *fresh, struct ktsnap_series_value *out,
		       size_t n)
{
	uint32_t i;
	size_t k;

	if (!fresh)
		return;
	for (k = 0; k < n; k++)
		if (!out[k].ok)
			ktsnap_err_detach(&out[k].err, r);
	for (i = 0; i < r->nr_maps; i++)
		if (fresh[i])
			ktsnap_map_release_rendered(&r->maps[i]);
	free(fresh);
}

/*
 * One projection step: fill @out for row @i of @s, or return a negative
 * errno to abandon the whole field.
 */
typedef int (*row_step_fn)(struct ktsnap_sample_series *s, size_t i,
			   struct ktsnap_series_value *out, void *arg);

/*
 * The field @label over @s, each row filled by @step.  A step that
 * @renders (reads the row's maps) has the trees it rendered dropped after
 * it; steps over stats or host data skip that bookkeeping.  NULL with
 * errno EINVAL when @valid is false, ENOMEM, or the errno a step returned.
 */
static struct ktsnap_series_field *project(struct ktsnap_sample_series *s, bool valid,
					   const char *label, enum ktsnap_series_type type,
					   bool renders, row_step_fn step, void *arg)
{
	struct ktsnap_series_field *f;
	size_t i;
	int err;

	if (!s || !valid)
		return ktsnap_fail_ptr(-EINVAL,
				       "series '%s': no sample series or nothing to project",
				       label ? label : "");
	f = series_field(s, label, type);
	for (i = 0; f && i < s->n; i++) {
		struct ktsnap_report *r = s->rows[i].report;
		bool *fresh = renders ? fresh_maps(r) : NULL;

		err = step(s, i, &f->values[i], arg);
		drop_fresh(r, fresh, &f->values[i], 1);
		if (err < 0) {
			ktsnap_series_field__free(f);
			return ktsnap_fail_ptr(err, "series '%s': the projection failed on %s: %s",
					       label ? label : "", s->rows[i].tag, strerror(-err));
		}
	}
	return f;
}

/* A caller's projection function and its context. */
struct user_fn {
	union {
		ktsnap_series_bpf_fn bpf;
		ktsnap_series_stats_fn stats;
		ktsnap_series_cpu_time_fn cpu_time;
	};
	void *ctx;
	uint32_t cpu;
};

static int bpf_step(struct ktsnap_sample_series *s, size_t i, struct ktsnap_series_value *out,
		    void *arg)
{
	const struct series_row *r = &s->rows[i];
	const struct user_fn *u = arg;

	if (ktsnap_report__is_placeholder(r->report)) {
		*out = ktsnap_series_err(placeholder_error(r));
		return 0;
	}
	return u->bpf(ktsnap_snapshot__named(r->report, r->tag), out, u->ctx);
}

struct ktsnap_series_field *ktsnap_sample_series__bpf(struct ktsnap_sample_series *s,
						      const char *label,
						      enum ktsnap_series_type type,
						      ktsnap_series_bpf_fn fn, void *ctx)
{
	struct user_fn u = { .bpf = fn, .ctx = ctx };

	return project(s, fn != NULL, label, type, true, bpf_step, &u);
}

/* The row's parsed stats JSON, or NULL (stats missing or unparsable). */
static struct json_object *row_stats_json(struct series_row *r)
{
	if (!r->stats_parsed && r->stats->ok && r->stats->json) {
		r->stats_json = json_tokener_parse(r->stats->json);
		r->stats_parsed = true;
	}
	return r->stats_json;
}

static int stats_step(struct ktsnap_sample_series *s, size_t i, struct ktsnap_series_value *out,
		      void *arg)
{
	struct series_row *r = &s->rows[i];
	const struct user_fn *u = arg;
	struct json_object *root;

	if (!r->stats->ok) {
		*out = ktsnap_series_err(ktsnap_error__missing_stats(r->tag, &r->stats->missing));
		return 0;
	}
	root = row_stats_json(r);
	if (!root && (!r->stats->json || strcmp(r->stats->json, "null"))) {
		*out = ktsnap_series_err(ktsnap_error__projection_failed("stats JSON does not "
									 "parse"));
		return 0;
	}
	return u->stats(ktsnap_field__from_json(root, ""), out, u->ctx);
}

struct ktsnap_series_field *ktsnap_sample_series__stats(struct ktsnap_sample_series *s,
							const char *label,
							enum ktsnap_series_type type,
							ktsnap_series_stats_fn fn, void *ctx)
{
	struct user_fn u = { .stats = fn, .ctx = ctx };

	return project(s, fn != NULL, label, type, false, stats_step, &u);
}

/* Same KVA set (order and duplicates ignored). */
static bool kva_subset(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t i, j;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && b[j] != a[i]; j++)
			;
		if (j == nb)
			return false;
	}
	return true;
}

static bool kva_same(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	return kva_subset(a, na, b, nb) && kva_subset(b, nb, a, na);
}

/* The pinning row of @phase for the gate: first non-placeholder row with a
 * non-empty KVA set; -1 when the phase has none. */
static ssize_t gate_pin(const struct ktsnap_sample_series *s, uint16_t phase)
{
	size_t i, n;

	for (i = 0; i < s->n; i++) {
		const struct series_row *r = &s->rows[i];

		if (meta_phase(&r->meta) != phase || ktsnap_report__is_placeholder(r->report))
			continue;
		if (ktsnap_report__active_map_kvas(r->report, &n) && n)
			return (ssize_t)i;
	}
	return -1;
}

/*
 * The gate for an Ok row: 0 to pass, or 1 with *err set to
 * WalkerDriftedWithinPhase.  KVA arrays are borrowed from the reports of
 * @s, which outlive the field.
 */
static int gate_check(const struct ktsnap_sample_series *s, size_t row, const char *name,
		      struct ktsnap_error *err)
{
	const struct series_row *r = &s->rows[row];
	const uint64_t *pinned, *mine;
	size_t np = 0, nm = 0;
	char phase[32];
	ssize_t pin = gate_pin(s, meta_phase(&r->meta));

	if (pin < 0)
		return 0;
	pinned = ktsnap_report__active_map_kvas(s->rows[pin].report, &np);
	mine = ktsnap_report__active_map_kvas(r->report, &nm);
	if (nm && kva_same(pinned, np, mine, nm))
		return 0;
	ktsnap_phase__format(meta_phase(&r->meta), phase, sizeof(phase));
	*err = ktsnap_error__walker_drifted_within_phase(phase, name, pinned, np, nm ? mine : NULL,
							 nm);
	return 1;
}

int ktsnap_series_value__read(struct ktsnap_field fld, enum ktsnap_series_type type,
			      struct ktsnap_series_value *out)
{
	int err;

	if (!out)
		return ktsnap_fail(-EINVAL, "series_value__read: no output value");
	switch (type) {
	case KTSNAP_SERIES_U64:
		err = ktsnap_field__as_u64(fld, &out->v.u64, &out->err);
		break;
	case KTSNAP_SERIES_I64:
		err = ktsnap_field__as_i64(fld, &out->v.i64, &out->err);
		break;
	case KTSNAP_SERIES_F64:
		err = ktsnap_field__as_f64(fld, &out->v.f64, &out->err);
		break;
	case KTSNAP_SERIES_BOOL:
		err = ktsnap_field__as_bool(fld, &out->v.b, &out->err);
		break;
	default: {
		char why[64];

		/* *out is this error, not whatever it held */
		snprintf(why, sizeof(why), "unknown series type %d", (int)type);
		*out = ktsnap_series_err(ktsnap_error__projection_failed(why));
		return ktsnap_fail(-EINVAL, "series_value__read: %s", why);
	}
	}
	out->ok = !err;
	return err;
}

struct live_var_arg {
	const char *name;
	enum ktsnap_series_type type;
};

static int live_var_step(struct ktsnap_sample_series *s, size_t i, struct ktsnap_series_value *out,
			 void *arg)
{
	const struct series_row *r = &s->rows[i];
	const struct live_var_arg *a = arg;
	struct ktsnap_error drift;

	if (ktsnap_report__is_placeholder(r->report)) {
		*out = ktsnap_series_err(placeholder_error(r));
		return 0;
	}
	ktsnap_series_value__read(
		ktsnap_snapshot__live_var(ktsnap_snapshot__named(r->report, r->tag), a->name),
		a->type, out);
	if (out->ok && gate_check(s, i, a->name, &drift))
		*out = ktsnap_series_err(drift);
	return 0;
}

struct ktsnap_series_field *ktsnap_sample_series__bpf_live(struct ktsnap_sample_series *s,
							   const char *name,
							   enum ktsnap_series_type type)
{
	struct live_var_arg a = { .name = name, .type = type };

	return project(s, name != NULL, name, type, true, live_var_step, &a);
}

int ktsnap_sample_series__live_bpf_vars_via(struct ktsnap_sample_series *s,
					    const char *const *names, size_t nr_names,
					    ktsnap_row_picker_fn pick, void *ctx,
					    struct ktsnap_series_field **out)
{
	struct ktsnap_field *fields = NULL;
	size_t i, k;
	int err = 0;

	if (!s || !names || !nr_names || !pick || !out)
		return ktsnap_fail(-EINVAL, "live_bpf_vars: no series, names, picker or output");
	memset(out, 0, nr_names * sizeof(*out));
	fields = calloc(nr_names, sizeof(*fields));
	if (!fields)
		return ktsnap_fail(-ENOMEM, "live_bpf_vars: out of memory");
	for (k = 0; k < nr_names; k++) {
		out[k] = series_field(s, names[k], KTSNAP_SERIES_U64);
		if (!out[k]) {
			err = -ENOMEM;
			goto fail;
		}
	}
	for (i = 0; i < s->n; i++) {
		const struct series_row *r = &s->rows[i];
		struct ktsnap_error shared;
		int rc;

		if (ktsnap_report__is_placeholder(r->report)) {
			shared = placeholder_error(r);
			for (k = 0; k < nr_names; k++)
				out[k]->values[i] = ktsnap_series_err(shared);
			continue;
		}
		rc = ktsnap_snapshot__live_vars_via(ktsnap_snapshot__named(r->report, r->tag),
						    names, nr_names, pick, ctx, fields, &shared);
		if (rc == -ENOMEM) {
			err = rc;
			goto fail;
		}
		for (k = 0; k < nr_names; k++) {
			if (rc)
				out[k]->values[i] = ktsnap_series_err(shared);
			else
				ktsnap_series_value__read(fields[k], KTSNAP_SERIES_U64,
							  &out[k]->values[i]);
		}
	}
	free(fields);
	return 0;
fail:
	for (k = 0; k < nr_names; k++) {
		ktsnap_series_field__free(out[k]);
		out[k] = NULL;
	}
	free(fields);
	return err;
}

/* ---- bpf_map / stats_path / host projectors ------------------------------------------------ */

struct map_field_ctx {
	const char *map, *member;
	size_t index;
	int64_t cpu;
	enum ktsnap_cpu_agg agg;
	bool aggregate;
	enum ktsnap_series_type type;
};

/* The per-CPU reducers, indexed by enum ktsnap_cpu_agg (SUM, MAX, MIN). */
static int (*const agg_u64[])(struct ktsnap_entry, const char *, uint64_t *,
			      struct ktsnap_error *) = {
	[KTSNAP_CPU_SUM] = ktsnap_entry__cpu_sum_u64,
	[KTSNAP_CPU_MAX] = ktsnap_entry__cpu_max_u64,
	[KTSNAP_CPU_MIN] = ktsnap_entry__cpu_min_u64,
};
static int (*const agg_f64[])(struct ktsnap_entry, const char *, double *,
			      struct ktsnap_error *) = {
	[KTSNAP_CPU_SUM] = ktsnap_entry__cpu_sum_f64,
	[KTSNAP_CPU_MAX] = ktsnap_entry__cpu_max_f64,
	[KTSNAP_CPU_MIN] = ktsnap_entry__cpu_min_f64,
};

static int map_field_fn(struct ktsnap_snapshot snap, struct ktsnap_series_value *out, void *ctx)
{
	const struct map_field_ctx *c = ctx;
	struct ktsnap_map_view m = ktsnap_snapshot__map(snap, c->map);
	struct ktsnap_entry e;
	int err = 0;

	if (c->cpu >= 0)
		m = ktsnap_map_view__cpu(m, (uint32_t)c->cpu);
	e = ktsnap_map_view__at(m, c->index);
	if (!c->aggregate) {
		ktsnap_series_value__read(ktsnap_entry__get(e, c->member), c->type, out);
		return 0;
	}
	if (c->type == KTSNAP_SERIES_U64)
		err = agg_u64[c->agg](e, c->member, &out->v.u64, &out->err);
	else
		err = agg_f64[c->agg](e, c->member, &out->v.f64, &out->err);
	out->ok = !err;
	return 0;
}

struct ktsnap_series_field *ktsnap_sample_series__map_field(struct ktsnap_sample_series *s,
							    const char *map, size_t index,
							    int64_t cpu, const char *member,
							    enum ktsnap_series_type type)
{
	struct map_field_ctx c = {
		.map = map, .member = member, .index = index, .cpu = cpu, .type = type
	};
	char label[512];

	if (!map || !member)
		return ktsnap_fail_ptr(-EINVAL, "map_field: no map or member name");
	if (cpu >= 0)
		snprintf(label, sizeof(label), "%s[%zu].cpu(%lld).%s", map, index, (long long)cpu,
			 member);
	else
		snprintf(label, sizeof(label), "%s[%zu].%s", map, index, member);
	return ktsnap_sample_series__bpf(s, label, type, map_field_fn, &c);
}

struct ktsnap_series_field *ktsnap_sample_series__map_field_cpu(struct ktsnap_sample_series *s,
								const char *map, size_t index,
								const char *member,
								enum ktsnap_cpu_agg agg,
								enum ktsnap_series_type type)
{
	static const char *const aggs[] = { "sum", "max", "min" };
	struct map_field_ctx c = { .map = map,
				   .member = member,
				   .index = index,
				   .cpu = -1,
				   .agg = agg,
				   .aggregate = true,
				   .type = type };
	char label[512];

	if (!map || !member)
		return ktsnap_fail_ptr(-EINVAL, "map_field_cpu: no map or member name");
	if ((unsigned int)agg > KTSNAP_CPU_MIN)
		return ktsnap_fail_ptr(-EINVAL, "map_field_cpu: unknown aggregate %d", (int)agg);
	if (type != KTSNAP_SERIES_U64 && type != KTSNAP_SERIES_F64)
		return ktsnap_fail_ptr(-EINVAL,
				       "map_field_cpu: a per-CPU aggregate is a u64 or f64 column");
	snprintf(label, sizeof(label), "%s[%zu].%s (cpu %s)", map, index, member, aggs[agg]);
	return ktsnap_sample_series__bpf(s, label, type, map_field_fn, &c);
}

void ktsnap_strv__free(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* A growing NULL-terminated set of names (first-seen order, no duplicates). */
struct strv {
	char **v;
	size_t n, cap;
	bool oom;
};

static void strv_add(struct strv *sv, const char *name)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], name))
			return;
	if (sv->oom || KTSNAP_ENSURE(sv->v, sv->cap, sv->n + 2) || !(sv->v[sv->n] = strdup(name))) {
		sv->oom = true;
		return;
	}
	sv->v[++sv->n] = NULL;
}

static char **strv_finish(struct strv *sv)
{
	if (!sv->oom && !sv->v && KTSNAP_ENSURE(sv->v, sv->cap, 1))
		sv->oom = true;
	if (sv->oom) {
		ktsnap_strv__free(sv->v);
		return ktsnap_fail_ptr(-ENOMEM, "names: out of memory");
	}
	return sv->v;
}

/* Look through Ptr{deref} and Truncated{partial} to a Struct (or NULL). */
static const struct ktsnap_value *as_struct(const struct ktsnap_value *v)
{
	int hops;

	for (hops = 0; v && hops < 18; hops++) {
		switch (ktsnap_value__kind(v)) {
		case KTSNAP_VALUE_STRUCT:
			return v;
		case KTSNAP_VALUE_PTR:
			v = ktsnap_value__ptr_deref(v);
			break;
		case KTSNAP_VALUE_TRUNCATED:
			v = ktsnap_value__truncated_partial(v);
			break;
		default:
			return NULL;
		}
	}
	return NULL;
}

/* The value side of an entry: per-CPU entries give their first mapped slot. */
static const struct ktsnap_value *entry_value(struct ktsnap_entry e)
{
	uint32_t c, n;

	if (e.kind == KTSNAP_ENTRY_PERCPU || e.kind == KTSNAP_ENTRY_PERCPU_HASH) {
		n = ktsnap_map__cpu_count(e.map);
		for (c = 0; c < n; c++)
			if (ktsnap_map_entry__cpu_value(e.raw, c))
				return ktsnap_map_entry__cpu_value(e.raw, c);
		return NULL;
	}
	return ktsnap_entry__value(e);
}

char **ktsnap_sample_series__map_member_names(struct ktsnap_sample_series *s, const char *map,
					      size_t index, enum ktsnap_member_filter filter)
{
	struct strv sv = { 0 };
	size_t i, k;

	for (i = 0; s && map && i < s->n; i++) {
		const struct series_row *r = &s->rows[i];
		const struct ktsnap_value *v;

		bool *fresh;

		if (ktsnap_report__is_placeholder(r->report))
			continue;
		fresh = fresh_maps(r->report);
		v = as_struct(entry_value(ktsnap_map_view__at(
			ktsnap_snapshot__map(ktsnap_snapshot__new(r->report), map), index)));
		for (k = 0; v && k < ktsnap_value__member_count(v); k++) {
			const char *name = NULL;
			const struct ktsnap_value *m = ktsnap_value__member_at(v, k, &name);
			uint64_t u;

			if (!name || !*name)
				continue;
			if (filter == KTSNAP_MEMBERS_U64 && ktsnap_value__as_u64(m, &u))
				continue;
			if (filter == KTSNAP_MEMBERS_F64 &&
			    ktsnap_value__kind(m) != KTSNAP_VALUE_FLOAT)
				continue;
			strv_add(&sv, name);
		}
		/* the names are copies: the tree can go */
		drop_fresh(r->report, fresh, NULL, 0);
	}
	return strv_finish(&sv);
}

struct stats_key_ctx {
	const char *path, *key, *name;
	enum ktsnap_series_type type;
};

static struct ktsnap_field stats_key(struct ktsnap_field root, const char *path, const char *key)
{
	struct ktsnap_field f = *path ? ktsnap_field__get(root, path) : root;

	return ktsnap_field__get(f, key);
}

static int stats_key_fn(struct ktsnap_field root, struct ktsnap_series_value *out, void *ctx)
{
	const struct stats_key_ctx *c = ctx;

	ktsnap_series_value__read(ktsnap_field__get(stats_key(root, c->path, c->key), c->name),
				  c->type, out);
	return 0;
}

struct ktsnap_series_field *ktsnap_sample_series__stats_key_field(struct ktsnap_sample_series *s,
								  const char *path, const char *key,
								  const char *name,
								  enum ktsnap_series_type type)
{
	struct stats_key_ctx c = {
		.path = path ? path : "", .key = key, .name = name, .type = type
	};
	char label[512];

	if (!key || !name)
		return ktsnap_fail_ptr(-EINVAL, "stats_key_field: no key or name");
	snprintf(label, sizeof(label), "%s%s%s.%s", c.path, *c.path ? "." : "", key, name);
	return ktsnap_sample_series__stats(s, label, type, stats_key_fn, &c);
}

char **ktsnap_sample_series__stats_key_names(struct ktsnap_sample_series *s, const char *path)
{
	struct strv sv = { 0 };
	size_t i;

	for (i = 0; s && i < s->n; i++) {
		struct series_row *r = &s->rows[i];
		struct json_object *root = r->stats->ok ? row_stats_json(r) : NULL;
		struct ktsnap_field f;
		const struct json_object *obj;

		if (!root)
			continue;
		f = ktsnap_field__from_json(root, path ? path : "");
		obj = ktsnap_field__json(f);
		if (!obj || !json_object_is_type(obj, json_type_object))
			continue;
		json_object_object_foreach((struct json_object *)obj, k, v) {
			(void)v;
			strv_add(&sv, k);
		}
	}
	return strv_finish(&sv);
}

static int cpu_time_step(struct ktsnap_sample_series *s, size_t i, struct ktsnap_series_value *out,
			 void *arg)
{
	const struct series_row *r = &s->rows[i];
	const struct user_fn *u = arg;
	const struct ktsnap_per_cpu_time *t =
		ktsnap_snapshot__per_cpu_time_at(ktsnap_snapshot__new(r->report), u->cpu);

	if (!t)
		*out = ktsnap_series_err(ktsnap_error__host_field_unavailable(r->tag, u->cpu));
	else
		u->cpu_time(t, out, u->ctx);
	return 0;
}

struct ktsnap_series_field *ktsnap_sample_series__host_cpu_time(struct ktsnap_sample_series *s,
								const char *label, uint32_t cpu,
								enum ktsnap_series_type type,
								ktsnap_series_cpu_time_fn fn,
								void *ctx)
{
	struct user_fn u = { .cpu_time = fn, .ctx = ctx, .cpu = cpu };

	return project(s, fn != NULL, label, type, false, cpu_time_step, &u);
}
