// SPDX-License-Identifier: MIT
/*
 * SampleSeries: construction, filters, phase bucketing, projections with
 * placeholder / missing-stats routing, the bpf_live_* phase-stable gate and
 * live_bpf_vars_via (spec §8.2; FEATURES F113–F118).  Reports are built
 * from JSON text through the public reader.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include <ktsnap/bridge.h>
#include <ktsnap/json.h>
#include <ktsnap/report.h>
#include <ktsnap/series.h>
#include <ktsnap/temporal.h>

#include "periodic_read.h"

static struct ktsnap_report *from_json(const char *json)
{
	struct ktsnap_report *r = NULL;

	assert_int_equal(ktsnap_report__read_json_buf(json, strlen(json), &r), 0);
	return r;
}

static const char *uint_json(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "{\"kind\":\"uint\",\"bits\":64,\"value\":%llu}",
		 (unsigned long long)v);
	return buf;
}

/*
 * One scheduler "sched" whose .bss (at @kva) holds nr_dispatched = @disp
 * and nr_enq = @enq (nr_enq is an empty struct when @enq is UINT64_MAX);
 * the walker's whitelist is @kvas (NULL: none published).
 */
static struct ktsnap_report *sched_report(uint64_t kva, uint64_t disp, uint64_t enq,
					  const char *kvas)
{
	char json[1024], a[96], b[96];

	snprintf(json, sizeof(json),
		 "{\"schema\":\"single\",\"maps\":[{\"name\":\"sched.bss\",\"map_kva\":%llu,"
		 "\"map_type\":2,\"max_entries\":1,\"value\":{\"kind\":\"struct\","
		 "\"type_name\":\".bss\",\"members\":[{\"name\":\"nr_dispatched\",\"value\":%s},"
		 "{\"name\":\"nr_enq\",\"value\":%s}]}}]%s%s%s}",
		 (unsigned long long)kva, uint_json(a, sizeof(a), disp),
		 enq == UINT64_MAX ? "{\"kind\":\"struct\",\"type_name\":\"x\",\"members\":[]}" :
				     uint_json(b, sizeof(b), enq),
		 kvas ? ",\"active_obj_name\":\"sched\",\"active_map_kvas\":" : "",
		 kvas ? kvas : "", "");
	return from_json(json);
}

static struct ktsnap_report *empty_report(void)
{
	return from_json("{\"schema\":\"single\"}");
}

static void err_text(const struct ktsnap_series_value *v, char *buf, size_t size)
{
	assert_false(v->ok);
	assert_true(ktsnap_error__format(&v->err, buf, size) > 0);
}

/* Row @i of @f is an error whose text is exactly @text. */
static void assert_err_text(const struct ktsnap_series_field *f, size_t i, const char *text)
{
	char buf[512];

	err_text(ktsnap_series_field__value(f, i), buf, sizeof(buf));
	assert_string_equal(buf, text);
}

/* ---- F113 -------------------------------------------------------------------------- */
static void test_construction_and_filters(void **state)
{
	struct ktsnap_sample_series *s = ktsnap_sample_series__new();
	uint16_t step1 = 1, step2 = 2;
	uint64_t t = 100;
	struct ktsnap_sample smp;
	size_t rows[8];
	char buf[256];

	(void)state;
	assert_true(ktsnap_sample_series__is_empty(s));
	assert_int_equal(
		ktsnap_sample_series__push(s, "periodic_000", empty_report(), NULL, &t, NULL, NULL),
		0);
	assert_int_equal(ktsnap_sample_series__push(s, "user_watch", empty_report(), NULL, NULL,
						    NULL, &step1),
			 0);
	assert_int_equal(ktsnap_sample_series__push(s, "periodic_kaslr", empty_report(), NULL, NULL,
						    NULL, &step2),
			 0);
	assert_int_equal(ktsnap_sample_series__push(s, "periodic_001", empty_report(), NULL, NULL,
						    NULL, &step1),
			 0);
	assert_int_equal(
		ktsnap_sample_series__push(s, NULL, empty_report(), NULL, NULL, NULL, NULL),
		-EINVAL);
	assert_int_equal(ktsnap_sample_series__len(s), 4);

	/* absent stats read as NoSchedulerBinary */
	assert_int_equal(ktsnap_sample_series__sample(s, 0, &smp), 0);
	assert_string_equal(smp.tag, "periodic_000");
	assert_false(smp.stats->ok);
	assert_int_equal(smp.stats->missing.kind, KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY);
	ktsnap_missing_stats__format(&smp.stats->missing, buf, sizeof(buf));
	assert_string_equal(buf, "no scheduler_binary configured for this run");
	assert_true(smp.meta.has_elapsed_ms);
	assert_int_equal(smp.meta.elapsed_ms, 100);
	assert_false(smp.meta.has_boundary_offset_ms);
	assert_false(smp.meta.has_step_index);
	assert_int_equal(ktsnap_sample__stamped_phase(&smp), 0);
	assert_ptr_equal(ktsnap_snapshot__report(smp.snapshot), smp.snapshot.report);
	assert_int_equal(ktsnap_sample_series__sample(s, 4, &smp), -ERANGE);
	assert_int_equal(ktsnap_sample_series__sample(s, 0, NULL), -EINVAL);

	/* by_stamped_phase: absent step → 0 */
	assert_int_equal(ktsnap_sample_series__stamped_phase_rows(s, 1, rows, 8), 2);
	assert_int_equal(rows[0], 1);
	assert_int_equal(rows[1], 3);
	assert_int_equal(ktsnap_sample_series__stamped_phase_rows(s, 0, rows, 8), 1);

	/* periodic_only is a prefix test: periodic_kaslr stays, user_watch goes */
	assert_int_equal(ktsnap_sample_series__retain_periodic(s), 3);
	ktsnap_sample_series__sample(s, 1, &smp);
	assert_string_equal(smp.tag, "periodic_kaslr");
	ktsnap_sample_series__sample(s, 2, &smp);
	assert_string_equal(smp.tag, "periodic_001");
	ktsnap_sample_series__free(s);
}

/* ---- F114 -------------------------------------------------------------------------- */
static void test_stimulus_phase(void **state)
{
	struct ktsnap_stimulus_event ev[4] = {
		{ .elapsed_ms = 2000, .has_step_index = true, .step_index = 2 },
		{ .elapsed_ms = 0, .has_step_index = true, .step_index = 1 },
		{ .elapsed_ms = 1500,
		  .is_step_end = true,
		  .has_step_index = true,
		  .step_index = 9 },
		{ .elapsed_ms = 1000 }, /* no step index: not a start */
	};
	struct ktsnap_stimulus_event late[1] = {
		{ .elapsed_ms = 500, .has_step_index = true, .step_index = 1 },
	};
	uint64_t b2500 = 2500, b1600 = 1600, b100 = 100;
	uint16_t step1 = 1, out[4];
	struct ktsnap_sample_series *s = ktsnap_sample_series__new();

	(void)state;
	ktsnap_sample_series__push(s, "a", empty_report(), NULL, NULL, &b2500, NULL);
	ktsnap_sample_series__push(s, "b", empty_report(), NULL, NULL, NULL, &step1);
	ktsnap_sample_series__push(s, "c", empty_report(), NULL, NULL, &b1600, NULL);
	ktsnap_sample_series__push(s, "d", empty_report(), NULL, NULL, NULL, NULL);
	assert_int_equal(ktsnap_sample_series__stimulus_phases(s, ev, 4, out), 0);
	assert_int_equal(out[0], 2); /* boundary 2500 ms → the 2000 ms start */
	assert_int_equal(out[1], 1); /* no boundary: its own step */
	assert_int_equal(out[2], 1); /* step-end markers start nothing */
	assert_int_equal(out[3], 0); /* no boundary, no step */
	ktsnap_sample_series__free(s);

	s = ktsnap_sample_series__new();
	ktsnap_sample_series__push(s, "e", empty_report(), NULL, NULL, &b100, NULL);
	assert_int_equal(ktsnap_sample_series__stimulus_phases(s, late, 1, out), 0);
	assert_int_equal(out[0], 0); /* before the first start */
	ktsnap_sample_series__free(s);
}

/* ---- F115 / F116 ------------------------------------------------------------------- */
/*
 * Samples periodic_000, periodic_001, ...: row i holds @reports[i] and
 * @stats[i] (a NULL array: an empty report / absent stats in every row).
 * The series owns the reports and copies the stats.
 */
static struct ktsnap_sample_series *periodic_series(unsigned int n,
						    struct ktsnap_report *const *reports,
						    const struct ktsnap_stats *const *stats)
{
	struct ktsnap_sample_series *s = ktsnap_sample_series__new();
	char tag[32];
	unsigned int i;

	assert_non_null(s);
	for (i = 0; i < n; i++) {
		snprintf(tag, sizeof(tag), KTSNAP_PERIODIC_TAG_FMT, i);
		assert_int_equal(
			ktsnap_sample_series__push(s, tag, reports ? reports[i] : empty_report(),
						   stats ? stats[i] : NULL, NULL, NULL, NULL),
			0);
	}
	return s;
}

/* F115: real state, two placeholders, then a real report without the global. */
static struct ktsnap_sample_series *placeholder_rows(void)
{
	struct ktsnap_report *reports[4] = {
		sched_report(0x1000, 5, 0, NULL),
		ktsnap_report__placeholder("rendezvous timeout after 5s"),
		from_json("{\"schema\":\"single\",\"is_placeholder\":true}"),
		empty_report(),
	};

	return periodic_series(4, reports, NULL);
}

/* F116: stats, stats absent (frozen; never configured), then stats without the key. */
static struct ktsnap_sample_series *stats_rows(void)
{
	struct ktsnap_stats ok = ktsnap_stats_json("{\"sched\":{\"nr\":7}}");
	struct ktsnap_stats other = ktsnap_stats_json("{\"sched\":{}}");
	struct ktsnap_stats frozen = ktsnap_stats_missing(KTSNAP_MISSING_STATS_DURING_FREEZE);
	const struct ktsnap_stats *stats[4] = { &ok, &frozen, NULL, &other };

	return periodic_series(4, NULL, stats);
}

/* The end of a counting projection: one more call in *@ctx, @err the read's result. */
static int counted(void *ctx, struct ktsnap_series_value *out, int err)
{
	(*(int *)ctx)++;
	out->ok = !err;
	return 0;
}

static int read_dispatched(struct ktsnap_snapshot snap, struct ktsnap_series_value *out, void *ctx)
{
	return counted(ctx, out,
		       ktsnap_series_value__read(ktsnap_snapshot__var(snap, "nr_dispatched"),
						 KTSNAP_SERIES_U64, out));
}

static int read_stat(struct ktsnap_field root, struct ktsnap_series_value *out, void *ctx)
{
	return counted(ctx, out,
		       ktsnap_series_value__read(ktsnap_field__get(root, "sched.nr"),
						 KTSNAP_SERIES_U64, out));
}

/* A projection's read: the value as the column's type, or its error. */
static void test_series_value_read(void **state)
{
	struct json_object *doc = json_tokener_parse("{\"n\": 5, \"on\": true}");
	struct ktsnap_field n = ktsnap_field__from_json(doc, "n");
	struct ktsnap_series_value v = { 0 };

	assert_non_null(doc);
	assert_int_equal(ktsnap_series_value__read(n, KTSNAP_SERIES_U64, &v), 0);
	assert_true(v.ok);
	assert_int_equal(v.v.u64, 5);
	assert_int_equal(ktsnap_series_value__read(n, KTSNAP_SERIES_F64, &v), 0);
	assert_true(v.ok && v.v.f64 == 5.0);
	assert_int_equal(ktsnap_series_value__read(ktsnap_field__from_json(doc, "on"),
						   KTSNAP_SERIES_BOOL, &v),
			 0);
	assert_true(v.ok && v.v.b);
	assert_int_equal(ktsnap_series_value__read(n, KTSNAP_SERIES_BOOL, &v), -EINVAL);
	assert_false(v.ok);
	assert_int_equal(v.err.kind, KTSNAP_ERR_TYPE_MISMATCH);
	assert_int_equal(ktsnap_series_value__read(ktsnap_field__from_json(doc, "gone"),
						   KTSNAP_SERIES_I64, &v),
			 -ENOENT);
	assert_false(v.ok);
	assert_int_equal(v.err.kind, KTSNAP_ERR_FIELD_NOT_FOUND);
	/* an unknown type fills *out with an error too, never leaves an Ok value */
	assert_int_equal(ktsnap_series_value__read(n, KTSNAP_SERIES_U64, &v), 0);
	assert_true(v.ok);
	assert_int_equal(ktsnap_series_value__read(n, (enum ktsnap_series_type)99, &v), -EINVAL);
	assert_false(v.ok);
	assert_int_equal(v.err.kind, KTSNAP_ERR_PROJECTION_FAILED);
	assert_string_equal(ktsnap_errmsg(), "series_value__read: unknown series type 99");
	assert_int_equal(ktsnap_series_value__read(n, KTSNAP_SERIES_U64, NULL), -EINVAL);
	json_object_put(doc);
}

/*
 * A counting projection (bpf() with @bpf, else stats() with @stats) over
 * the four @rows, of which rows 1 and 2 never reach the reader: row 0 reads
 * @value, rows 1 and 2 are @routed errors with exactly @texts, and row 3
 * reaches the reader and fails there with @read_err.
 */
static const struct routing_case {
	struct ktsnap_sample_series *(*rows)(void);
	ktsnap_series_bpf_fn bpf;
	ktsnap_series_stats_fn stats;
	const char *label;
	uint64_t value;
	enum ktsnap_error_kind routed;
	const char *texts[2];
	enum ktsnap_error_kind read_err;
} routing_cases[] = {
	/* F115: never for a placeholder; the global's absence is the view's own error */
	{ placeholder_rows,
	  read_dispatched,
	  NULL,
	  "disp",
	  5,
	  KTSNAP_ERR_PLACEHOLDER_SAMPLE,
	  { "sample 'periodic_001' is a placeholder report (capture pipeline did not land): "
	    "rendezvous timeout after 5s",
	    "sample 'periodic_002' is a placeholder report (capture pipeline did not land): "
	    "placeholder report" },
	  KTSNAP_ERR_VAR_NOT_FOUND },
	/* F116: never for absent stats; an in-JSON miss is the walker's error, not MissingStats */
	{ stats_rows,
	  NULL,
	  read_stat,
	  "nr",
	  7,
	  KTSNAP_ERR_MISSING_STATS,
	  { "sample 'periodic_001': stats absent (stats request cancelled — freeze "
	    "coordinator paused the scheduler)",
	    "sample 'periodic_002': stats absent (no scheduler_binary configured for this run)" },
	  KTSNAP_ERR_FIELD_NOT_FOUND },
};

static void test_projection_routing(void **state)
{
	size_t k, i;

	(void)state;
	for (k = 0; k < sizeof(routing_cases) / sizeof(routing_cases[0]); k++) {
		const struct routing_case *c = &routing_cases[k];
		struct ktsnap_sample_series *s = c->rows();
		struct ktsnap_series_field *f;
		int calls = 0;

		if (c->bpf)
			f = ktsnap_sample_series__bpf(s, c->label, KTSNAP_SERIES_U64, c->bpf,
						      &calls);
		else
			f = ktsnap_sample_series__stats(s, c->label, KTSNAP_SERIES_U64, c->stats,
							&calls);
		assert_non_null(f);
		assert_int_equal(calls, 2); /* rows 0 and 3 only, never a routed row */
		assert_string_equal(ktsnap_series_field__label(f), c->label);
		assert_true(ktsnap_series_field__value(f, 0)->ok);
		assert_int_equal(ktsnap_series_field__value(f, 0)->v.u64, c->value);
		for (i = 1; i <= 2; i++) {
			assert_int_equal(ktsnap_series_field__value(f, i)->err.kind, c->routed);
			assert_err_text(f, i, c->texts[i - 1]);
		}
		assert_int_equal(ktsnap_series_field__value(f, 3)->err.kind, c->read_err);
		ktsnap_series_field__free(f);
		ktsnap_sample_series__free(s);
	}
}

/* ---- F117 -------------------------------------------------------------------------- */
static void test_live_gate(void **state)
{
	struct ktsnap_sample_series *s = ktsnap_sample_series__new();
	uint16_t step1 = 1;
	struct ktsnap_series_field *f;
	struct ktsnap_verdict *v;
	char buf[2048];

	(void)state;
	/* baseline: pinned by row 0 at [0x1000]; row 1 drifts to [0x2000]; row 2 has
	 * no whitelist; row 3 is a placeholder */
	ktsnap_sample_series__push(s, "periodic_000", sched_report(0x1000, 5, 0, "[4096]"), NULL,
				   NULL, NULL, NULL);
	ktsnap_sample_series__push(s, "periodic_001", sched_report(0x2000, 6, 0, "[8192]"), NULL,
				   NULL, NULL, NULL);
	ktsnap_sample_series__push(s, "periodic_002", sched_report(0x1000, 7, 0, NULL), NULL, NULL,
				   NULL, NULL);
	ktsnap_sample_series__push(s, "periodic_003", ktsnap_report__placeholder("timeout"), NULL,
				   NULL, NULL, NULL);
	/* step 1: first pin is [0x2000]; the same set again passes */
	ktsnap_sample_series__push(s, "periodic_004", sched_report(0x2000, 8, 0, "[8192]"), NULL,
				   NULL, NULL, &step1);
	ktsnap_sample_series__push(s, "periodic_005", sched_report(0x2000, 9, 0, "[8192]"), NULL,
				   NULL, NULL, &step1);
	f = ktsnap_sample_series__bpf_live(s, "nr_dispatched", KTSNAP_SERIES_U64);
	assert_non_null(f);
	assert_string_equal(ktsnap_series_field__label(f), "nr_dispatched");
	assert_true(ktsnap_series_field__value(f, 0)->ok);
	assert_int_equal(ktsnap_series_field__value(f, 0)->v.u64, 5);

	assert_int_equal(ktsnap_series_field__value(f, 1)->err.kind,
			 KTSNAP_ERR_WALKER_DRIFTED_WITHIN_PHASE);
	err_text(ktsnap_series_field__value(f, 1), buf, sizeof(buf));
	assert_non_null(strstr(buf, "walker drift within Phase(0): lookup 'nr_dispatched' "
				    "resolved against KVA set [\n    0x2000,\n], but an earlier "
				    "same-phase snapshot pinned [\n    0x1000,\n]."));

	assert_int_equal(ktsnap_series_field__value(f, 2)->err.kind,
			 KTSNAP_ERR_WALKER_DRIFTED_WITHIN_PHASE);
	err_text(ktsnap_series_field__value(f, 2), buf, sizeof(buf));
	assert_non_null(strstr(buf, "resolved against KVA set [], but an earlier same-phase "
				    "snapshot pinned [\n    0x1000,\n]."));

	assert_int_equal(ktsnap_series_field__value(f, 3)->err.kind, KTSNAP_ERR_PLACEHOLDER_SAMPLE);
	assert_int_equal(ktsnap_series_field__value(f, 4)->v.u64, 8);
	assert_int_equal(ktsnap_series_field__value(f, 5)->v.u64, 9);
	assert_int_equal(ktsnap_series_field__phase(f, 4), 1);
	assert_int_equal(ktsnap_series_field__phase(f, 0), KTSNAP_PHASE_NONE);

	/* and the patterns skip the drifted / placeholder samples */
	v = ktsnap_verdict__new();
	ktsnap_series_field__nondecreasing(f, v);
	assert_true(ktsnap_verdict__passed(v));
	assert_int_equal(ktsnap_verdict__count(v), 1);
	assert_non_null(strstr(ktsnap_verdict__at(v, 0)->message,
			       "nr_dispatched (nondecreasing): skipped 3 sample(s)"));
	ktsnap_verdict__free(v);
	ktsnap_series_field__free(f);
	ktsnap_sample_series__free(s);
}

/* A phase whose rows never publish a whitelist is not gated. */
static void test_live_gate_unpinned(void **state)
{
	struct ktsnap_sample_series *s = ktsnap_sample_series__new();
	struct ktsnap_series_field *f;

	(void)state;
	ktsnap_sample_series__push(s, "periodic_000", sched_report(0x1000, 5, 0, NULL), NULL, NULL,
				   NULL, NULL);
	ktsnap_sample_series__push(s, "periodic_001", sched_report(0x2000, 6, 0, NULL), NULL, NULL,
				   NULL, NULL);
	f = ktsnap_sample_series__bpf_live(s, "nr_dispatched", KTSNAP_SERIES_F64);
	assert_true(ktsnap_series_field__value(f, 0)->ok);
	assert_true(ktsnap_series_field__value(f, 1)->ok);
	assert_true(ktsnap_series_field__value(f, 1)->v.f64 == 6.0);
	ktsnap_series_field__free(f);
	ktsnap_sample_series__free(s);
}

/* ---- F118 -------------------------------------------------------------------------- */
/* Takes the first candidate row whatever its values (max_by_sum_u64 would
 * refuse a row whose field does not read as u64). */
static bool pick_first(const struct ktsnap_var_row *rows, size_t n, size_t *idx, void *ctx)
{
	(void)rows;
	(*(int *)ctx)++;
	*idx = 0;
	return n > 0;
}

static void test_live_bpf_vars_via(void **state)
{
	const char *names[2] = { "nr_dispatched", "nr_enq" };
	struct ktsnap_sample_series *s = ktsnap_sample_series__new();
	struct ktsnap_series_field *out[2];
	int picks = 0;

	(void)state;
	ktsnap_sample_series__push(s, "periodic_000", sched_report(0x1000, 5, 3, NULL), NULL, NULL,
				   NULL, NULL);
	ktsnap_sample_series__push(s, "periodic_001", empty_report(), NULL, NULL, NULL, NULL);
	ktsnap_sample_series__push(s, "periodic_002", sched_report(0x1000, 6, UINT64_MAX, NULL),
				   NULL, NULL, NULL, NULL);
	ktsnap_sample_series__push(s, "periodic_003", ktsnap_report__placeholder("timeout"), NULL,
				   NULL, NULL, NULL);
	assert_int_equal(
		ktsnap_sample_series__live_bpf_vars_via(s, names, 2, pick_first, &picks, out), 0);
	assert_int_equal(picks, 2); /* one picker call per real row that has candidates */
	assert_string_equal(ktsnap_series_field__label(out[0]), "nr_dispatched");
	assert_string_equal(ktsnap_series_field__label(out[1]), "nr_enq");
	assert_int_equal(ktsnap_series_field__value(out[0], 0)->v.u64, 5);
	assert_int_equal(ktsnap_series_field__value(out[1], 0)->v.u64, 3);
	/* shared failure: in every field, the same error */
	assert_int_equal(ktsnap_series_field__value(out[0], 1)->err.kind, KTSNAP_ERR_VAR_NOT_FOUND);
	assert_true(ktsnap_error__equal(&ktsnap_series_field__value(out[0], 1)->err,
					&ktsnap_series_field__value(out[1], 1)->err));
	/* per-field as_u64 failure: only nr_enq */
	assert_true(ktsnap_series_field__value(out[0], 2)->ok);
	assert_int_equal(ktsnap_series_field__value(out[0], 2)->v.u64, 6);
	assert_int_equal(ktsnap_series_field__value(out[1], 2)->err.kind, KTSNAP_ERR_TYPE_MISMATCH);
	assert_int_equal(ktsnap_series_field__value(out[0], 3)->err.kind,
			 KTSNAP_ERR_PLACEHOLDER_SAMPLE);
	assert_int_equal(ktsnap_series_field__value(out[1], 3)->err.kind,
			 KTSNAP_ERR_PLACEHOLDER_SAMPLE);
	ktsnap_series_field__free(out[0]);
	ktsnap_series_field__free(out[1]);
	ktsnap_sample_series__free(s);
}

/* ---- bpf_map / stats_path / host projectors ----------------------------------------- */
#define U64J(v) "{\"kind\":\"uint\",\"bits\":64,\"value\":" #v "}"
#define MEMBER(n, v) "{\"name\":\"" n "\",\"value\":" v "}"

static struct ktsnap_report *maps_report(unsigned int weight, bool extra)
{
	char json[4096];

	snprintf(
		json, sizeof(json),
		"{\"schema\":\"single\",\"maps\":["
		"{\"name\":\"task_ctx\",\"map_type\":1,\"key_size\":4,\"max_entries\":4,"
		"\"entries\":[{\"key\":{\"kind\":\"uint\",\"bits\":32,\"value\":0},"
		"\"key_hex\":\"00 00 00 00\",\"value\":{\"kind\":\"struct\",\"type_name\":\"val\","
		"\"members\":[" MEMBER(
			"pid",
			U64J(1)) ",{\"name\":\"weight\",\"value\":"
				 "{\"kind\":\"uint\",\"bits\":64,\"value\":%u}}," MEMBER(
					 "load",
					 "{\"kind\":\"float\",\"bits\":64,\"value\":1.5}") "%s]}}]},"
											   "{\"name\":\"pcpu\",\"map_type\":6,\"max_entries\":1,\"percpu_entries\":"
											   "[{\"key\":0,\"per_cpu\":["
											   "{\"kind\":\"struct\",\"type_name\":\"s\",\"members\":[" MEMBER(
												   "runs",
												   U64J(3)) "]},"
													    "{\"kind\":\"struct\",\"type_name\":\"s\",\"members\":[" MEMBER(
														    "runs",
														    U64J(4)) "]}"
															     "]}]}],"
															     "\"per_cpu_time\":[{\"cpu\":3,\"cpustat_user_ns\":0,\"cpustat_nice_ns\":0,"
															     "\"cpustat_system_ns\":0,\"cpustat_softirq_ns\":0,\"cpustat_irq_ns\":0,"
															     "\"cpustat_idle_ns\":77,\"cpustat_iowait_ns\":0,\"cpustat_steal_ns\":0,"
															     "\"softirqs\":[0,0,0,0,0,0,0,0,0,0],\"irqs_sum\":0}]}",
		weight, extra ? "," MEMBER("extra", U64J(9)) : "");
	return from_json(json);
}

static void test_map_projectors(void **state)
{
	struct ktsnap_sample_series *s = ktsnap_sample_series__new();
	struct ktsnap_series_field *f;
	char **names;

	(void)state;
	ktsnap_sample_series__push(s, "periodic_000", ktsnap_report__placeholder("timeout"), NULL,
				   NULL, NULL, NULL);
	ktsnap_sample_series__push(s, "periodic_001", maps_report(10, false), NULL, NULL, NULL,
				   NULL);
	ktsnap_sample_series__push(s, "periodic_002", maps_report(20, true), NULL, NULL, NULL,
				   NULL);

	/* the union across rows, not blinded by the placeholder first row */
	names = ktsnap_sample_series__map_member_names(s, "task_ctx", 0, KTSNAP_MEMBERS_ALL);
	assert_non_null(names);
	assert_string_equal(names[0], "pid");
	assert_string_equal(names[1], "weight");
	assert_string_equal(names[2], "load");
	assert_string_equal(names[3], "extra");
	assert_null(names[4]);
	ktsnap_strv__free(names);
	names = ktsnap_sample_series__map_member_names(s, "task_ctx", 0, KTSNAP_MEMBERS_U64);
	assert_string_equal(names[2], "extra");
	assert_null(names[3]);
	ktsnap_strv__free(names);
	names = ktsnap_sample_series__map_member_names(s, "task_ctx", 0, KTSNAP_MEMBERS_F64);
	assert_string_equal(names[0], "load");
	assert_null(names[1]);
	ktsnap_strv__free(names);
	names = ktsnap_sample_series__map_member_names(s, "pcpu", 0, KTSNAP_MEMBERS_ALL);
	assert_string_equal(names[0], "runs");
	ktsnap_strv__free(names);
	names = ktsnap_sample_series__map_member_names(s, "nope", 0, KTSNAP_MEMBERS_ALL);
	assert_non_null(names);
	assert_null(names[0]);
	ktsnap_strv__free(names);

	f = ktsnap_sample_series__map_field(s, "task_ctx", 0, -1, "weight", KTSNAP_SERIES_U64);
	assert_string_equal(ktsnap_series_field__label(f), "task_ctx[0].weight");
	assert_int_equal(ktsnap_series_field__value(f, 0)->err.kind, KTSNAP_ERR_PLACEHOLDER_SAMPLE);
	assert_int_equal(ktsnap_series_field__value(f, 1)->v.u64, 10);
	assert_int_equal(ktsnap_series_field__value(f, 2)->v.u64, 20);
	ktsnap_series_field__free(f);

	f = ktsnap_sample_series__map_field(s, "pcpu", 0, 1, "runs", KTSNAP_SERIES_U64);
	assert_string_equal(ktsnap_series_field__label(f), "pcpu[0].cpu(1).runs");
	assert_int_equal(ktsnap_series_field__value(f, 1)->v.u64, 4);
	ktsnap_series_field__free(f);
	f = ktsnap_sample_series__map_field(s, "pcpu", 0, -1, "runs", KTSNAP_SERIES_U64);
	assert_int_equal(ktsnap_series_field__value(f, 1)->err.kind,
			 KTSNAP_ERR_PER_CPU_NOT_NARROWED);
	ktsnap_series_field__free(f);

	f = ktsnap_sample_series__map_field_cpu(s, "pcpu", 0, "runs", KTSNAP_CPU_SUM,
						KTSNAP_SERIES_U64);
	assert_string_equal(ktsnap_series_field__label(f), "pcpu[0].runs (cpu sum)");
	assert_int_equal(ktsnap_series_field__value(f, 1)->v.u64, 7);
	ktsnap_series_field__free(f);
	f = ktsnap_sample_series__map_field_cpu(s, "pcpu", 0, "runs", KTSNAP_CPU_MAX,
						KTSNAP_SERIES_U64);
	assert_int_equal(ktsnap_series_field__value(f, 2)->v.u64, 4);
	ktsnap_series_field__free(f);
	f = ktsnap_sample_series__map_field_cpu(s, "pcpu", 0, "runs", KTSNAP_CPU_MIN,
						KTSNAP_SERIES_F64);
	assert_true(ktsnap_series_field__value(f, 2)->v.f64 == 3.0);
	ktsnap_series_field__free(f);
	assert_null(ktsnap_sample_series__map_field_cpu(s, "pcpu", 0, "runs", KTSNAP_CPU_MIN,
							KTSNAP_SERIES_BOOL));
	ktsnap_sample_series__free(s);
}

static void read_idle(const struct ktsnap_per_cpu_time *t, struct ktsnap_series_value *out,
		      void *ctx)
{
	(void)ctx;
	out->v.u64 = t->cpustat_idle_ns;
}

static void test_host_projector(void **state)
{
	struct ktsnap_sample_series *s = ktsnap_sample_series__new();
	struct ktsnap_series_field *f;

	(void)state;
	ktsnap_sample_series__push(s, "periodic_000", maps_report(1, false), NULL, NULL, NULL,
				   NULL);
	ktsnap_sample_series__push(s, "periodic_001", empty_report(), NULL, NULL, NULL, NULL);
	ktsnap_sample_series__push(s, "periodic_002", ktsnap_report__placeholder("timeout"), NULL,
				   NULL, NULL, NULL);
	f = ktsnap_sample_series__host_cpu_time(s, "idle", 3, KTSNAP_SERIES_U64, read_idle, NULL);
	assert_int_equal(ktsnap_series_field__value(f, 0)->v.u64, 77);
	assert_err_text(f, 1,
			"sample 'periodic_001': per_cpu_time has no entry for cpu 3 "
			"(placeholder report or kernel-walker resolution failure)");
	assert_int_equal(ktsnap_series_field__value(f, 2)->err.kind,
			 KTSNAP_ERR_HOST_FIELD_UNAVAILABLE);
	ktsnap_series_field__free(f);
	ktsnap_sample_series__free(s);
}

static void test_stats_key_projector(void **state)
{
	struct ktsnap_sample_series *s = ktsnap_sample_series__new();
	struct ktsnap_stats a = ktsnap_stats_json("{\"layers\":{\"a\":{\"util\":0.5},"
						  "\"b\":{\"util\":0.7}}}");
	struct ktsnap_stats c = ktsnap_stats_json("{\"layers\":{\"c\":{\"util\":1}}}");
	struct ktsnap_series_field *f;
	char **names;

	(void)state;
	ktsnap_sample_series__push(s, "periodic_000", empty_report(), &a, NULL, NULL, NULL);
	ktsnap_sample_series__push(s, "periodic_001", empty_report(), &c, NULL, NULL, NULL);
	ktsnap_sample_series__push(s, "periodic_002", empty_report(), NULL, NULL, NULL, NULL);
	names = ktsnap_sample_series__stats_key_names(s, "layers");
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_string_equal(names[2], "c");
	assert_null(names[3]);
	ktsnap_strv__free(names);

	f = ktsnap_sample_series__stats_key_field(s, "layers", "a", "util", KTSNAP_SERIES_F64);
	assert_string_equal(ktsnap_series_field__label(f), "layers.a.util");
	assert_true(ktsnap_series_field__value(f, 0)->v.f64 == 0.5);
	assert_int_equal(ktsnap_series_field__value(f, 1)->err.kind, KTSNAP_ERR_FIELD_NOT_FOUND);
	assert_int_equal(ktsnap_series_field__value(f, 2)->err.kind, KTSNAP_ERR_MISSING_STATS);
	ktsnap_series_field__free(f);
	ktsnap_sample_series__free(s);
}

/* ---- on disk ---------------------------------------------------------------------------- */
static void test_dir_round_trip(void **state)
{
	struct ktsnap_stats ok = ktsnap_stats_json("{\"nr\":[1,2],\"s\":\"x\"}");
	struct ktsnap_stats serr = ktsnap_stats_missing(KTSNAP_MISSING_STATS_SCHEDULER_ERROR);
	struct ktsnap_stats big = ktsnap_stats_missing(KTSNAP_MISSING_STATS_RESPONSE_TOO_LARGE);
	struct ktsnap_stats nosched = ktsnap_stats_missing(KTSNAP_MISSING_STATS_NO_SCHEDULER);
	const struct ktsnap_stats *stats[4] = { &ok, &serr, &big, &nosched };
	struct ktsnap_sample_series *s = ktsnap_sample_series__new(), *back;
	char dir[] = "/tmp/ktsnap-series-XXXXXX", path[256];
	struct ktsnap_sample a, b;
	uint64_t el, off;
	uint16_t step;
	size_t i;

	(void)state;
	serr.missing.err = -22;
	serr.missing.args_json = "{\"resp\":\"no\"}";
	big.missing.size = 100;
	big.missing.max = 64;
	nosched.missing.reason = "stats socket gone";
	for (i = 0; i < 4; i++) {
		char tag[32];

		el = 1000 * (i + 1);
		off = el + 1;
		step = (uint16_t)i;
		snprintf(tag, sizeof(tag), "periodic_%03zu", i);
		assert_int_equal(ktsnap_sample_series__push(
					 s, tag, sched_report(0x1000, 10 + i, 0, "[4096]"),
					 stats[i], &el, i == 3 ? NULL : &off,
					 i == 2 ? NULL : &step),
				 0);
	}
	ktsnap_sample_series__push(s, "user_watch", empty_report(), NULL, NULL, NULL, NULL);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ktsnap_sample_series__write_dir(s, dir), 0);
	back = ktsnap_sample_series__read_dir(dir);
	assert_non_null(back);
	assert_int_equal(ktsnap_sample_series__len(back), 5);
	for (i = 0; i < 5; i++) {
		ktsnap_sample_series__sample(s, i, &a);
		ktsnap_sample_series__sample(back, i, &b);
		assert_string_equal(a.tag, b.tag);
		assert_true(ktsnap_stats__equal(a.stats, b.stats));
		assert_int_equal(a.meta.has_elapsed_ms, b.meta.has_elapsed_ms);
		assert_int_equal(a.meta.elapsed_ms, b.meta.elapsed_ms);
		assert_int_equal(a.meta.has_boundary_offset_ms, b.meta.has_boundary_offset_ms);
		assert_int_equal(a.meta.boundary_offset_ms, b.meta.boundary_offset_ms);
		assert_int_equal(a.meta.has_step_index, b.meta.has_step_index);
		assert_int_equal(a.meta.step_index, b.meta.step_index);
	}
	{
		struct ktsnap_series_field *f =
			ktsnap_sample_series__bpf_live(back, "nr_dispatched", KTSNAP_SERIES_U64);

		assert_int_equal(ktsnap_series_field__value(f, 3)->v.u64, 13);
		ktsnap_series_field__free(f);
	}
	ktsnap_sample_series__free(back);

	/* a tag that is no file name is refused before anything is written */
	ktsnap_sample_series__push(s, "a/b", empty_report(), NULL, NULL, NULL, NULL);
	assert_int_equal(ktsnap_sample_series__write_dir(s, dir), -EINVAL);
	ktsnap_sample_series__free(s);

	/* damaged series.json */
	snprintf(path, sizeof(path), "%s/series.json", dir);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("{\"samples\":[{\"tag\":\"../x\"}]}", f);
		fclose(f);
	}
	assert_null(ktsnap_sample_series__read_dir(dir));
	assert_int_equal(errno, EINVAL);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/periodic_%03zu.json", dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/user_watch.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/series.json", dir);
	unlink(path);
	assert_null(ktsnap_sample_series__read_dir(dir));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(rmdir(dir), 0);
}

/* ---- production form: bridge drain → series → pattern ---------------------------------- */
static struct ktsnap_report *no_capture(const char *name, void *ctx)
{
	(void)name;
	(void)ctx;
	return NULL;
}

static void test_from_drain(void **state)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(no_capture, NULL, NULL);
	struct ktsnap_stats st = ktsnap_stats_json("{\"x\":1}");
	struct periodic_read r;
	struct ktsnap_sample smp;
	uint64_t el, off;
	unsigned int i;
	char tag[32];

	(void)state;
	assert_non_null(b);
	for (i = 0; i < 3; i++) {
		el = 1000 * (i + 1);
		off = el + 5;
		snprintf(tag, sizeof(tag), KTSNAP_PERIODIC_TAG_FMT, i);
		assert_int_equal(ktsnap_bridge__store_with_stats_and_step(
					 b, tag, sched_report(0x1000, 10 + 2 * i, 0, "[4096]"),
					 i == 1 ? &st : NULL, &el, &off, (uint16_t)i / 2),
				 0);
	}
	assert_int_equal(ktsnap_bridge__store(b, "on_demand", empty_report()), 0);
	periodic_read_open(&r, b, 3, "nr_dispatched", KTSNAP_SERIES_F64);
	assert_int_equal(r.drained, 4);
	assert_int_equal(ktsnap_sample_series__sample(r.s, 1, &smp), 0);
	assert_string_equal(smp.tag, "periodic_001");
	assert_true(smp.stats->ok);
	assert_string_equal(smp.stats->json, "{\"x\":1}");
	assert_int_equal(smp.meta.elapsed_ms, 2000);
	assert_true(smp.meta.has_boundary_offset_ms);
	assert_int_equal(smp.meta.boundary_offset_ms, 2005);
	assert_true(smp.meta.has_step_index);
	assert_int_equal(smp.meta.step_index, 0);

	ktsnap_series_field__nondecreasing(r.f, r.v);
	ktsnap_series_field__rate_within(r.f, r.v, 0.001, 0.003); /* 2 per 1000 ms */
	assert_true(ktsnap_verdict__passed(r.v));
	assert_int_equal(ktsnap_verdict__count(r.v), 0);
	ktsnap_series_field__rate_within(r.f, r.v, 1, 3);
	assert_false(ktsnap_verdict__passed(r.v));
	assert_string_equal(
		ktsnap_verdict__at(r.v, 0)->message,
		"nr_dispatched (rate_within [1, 3]): rate 0.0020/ms between samples "
		"periodic_000 (+1000ms, value 10) and periodic_001 (+2000ms, value 12)");
	periodic_read_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_construction_and_filters),
		cmocka_unit_test(test_stimulus_phase),
		cmocka_unit_test(test_projection_routing),
		cmocka_unit_test(test_series_value_read),
		cmocka_unit_test(test_live_gate),
		cmocka_unit_test(test_live_gate_unpinned),
		cmocka_unit_test(test_live_bpf_vars_via),
		cmocka_unit_test(test_map_projectors),
		cmocka_unit_test(test_host_projector),
		cmocka_unit_test(test_stats_key_projector),
		cmocka_unit_test(test_dir_round_trip),
		cmocka_unit_test(test_from_drain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
