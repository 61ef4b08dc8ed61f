// SPDX-License-Identifier: MIT
/*
 * Typed views over hand-built reports (spec §6; FEATURES F55–F101).
 * Error texts are checked byte-for-byte where the spec gives them.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <ktsnap/assert.h>

#include "report_builder.h"

#define assert_err(e, want) assert_string_equal(rb_errstr(e), want)
#define field_err(f) rb_errstr(ktsnap_field__error(&(f)))
#define entry_err(e) rb_errstr(ktsnap_entry__error(&(e)))

/* ktsnap_field__get(@from, @path) fails, saying @want. */
static void get_fails(struct ktsnap_field from, const char *path, const char *want)
{
	struct ktsnap_field f = ktsnap_field__get(from, path);

	assert_string_equal(field_err(f), want);
}

/* ktsnap_entry__get(@e, @path) fails, saying @want. */
static void entry_get_fails(struct ktsnap_entry e, const char *path, const char *want)
{
	struct ktsnap_field f = ktsnap_entry__get(e, path);

	assert_string_equal(field_err(f), want);
}

/* ktsnap_map_view__at(@m, @i) fails, saying @want. */
static void at_fails(struct ktsnap_map_view m, size_t i, const char *want)
{
	struct ktsnap_entry e = ktsnap_map_view__at(m, i);

	assert_string_equal(entry_err(e), want);
}

static void snapshot_borrows(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);

	assert_ptr_equal(ktsnap_snapshot__report(s), r);
	assert_false(ktsnap_snapshot__is_placeholder(s));
	assert_int_equal(ktsnap_snapshot__map_count(s), 0);
}

static void map_hit_and_miss(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_map_view m;
	char buf[64];

	rb_hash(r, "task_ctx", 2, true);
	rb_global(r, "o.bss", 1, rb_struct(r, NULL, "n", 1ull, NULL));
	m = ktsnap_snapshot__map(s, "task_ctx");
	assert_true(ktsnap_map_view__is_ok(m));
	assert_string_equal(ktsnap_map_view__name(m), "task_ctx");
	assert_null(ktsnap_map_view__error(&m));

	m = ktsnap_snapshot__map(s, "task_ctz");
	assert_false(ktsnap_map_view__is_ok(m));
	assert_int_equal(ktsnap_error__kind(ktsnap_map_view__error(&m)), KTSNAP_ERR_MAP_NOT_FOUND);
	assert_err(ktsnap_map_view__error(&m),
		   "snapshot has no map 'task_ctz' (captured maps: [\"task_ctx\", \"o.bss\"])");
	assert_int_equal(ktsnap_error__requested(&m.err, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "task_ctz");
	/* a failed view passes its error down the chain */
	{
		struct ktsnap_entry e = ktsnap_map_view__at(m, 0);
		struct ktsnap_field f = ktsnap_entry__get(e, "a.b");
		uint64_t u;
		struct ktsnap_error err;

		assert_int_equal(ktsnap_field__as_u64(f, &u, &err), -ENOENT);
		assert_int_equal(err.kind, KTSNAP_ERR_MAP_NOT_FOUND);
	}
}

static void placeholder_short_circuit(void **state)
{
	struct ktsnap_report *r = ktsnap_report__placeholder("rendezvous timed out");
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r), a;
	const char *names[] = { "x" };
	struct ktsnap_field f, out[1];
	struct ktsnap_map_view m;
	struct ktsnap_error err;
	struct ktsnap_vars_iter it;
	const char *want = "snapshot is a placeholder — the freeze-rendezvous path could not "
			   "capture real data; no maps to walk";

	assert_true(ktsnap_snapshot__is_placeholder(s));
	m = ktsnap_snapshot__map(s, "x");
	assert_err(&m.err, want);
	f = ktsnap_snapshot__var(s, "x");
	assert_string_equal(field_err(f), want);
	assert_int_equal(ktsnap_snapshot__active(s, &a, &err), -ENOENT);
	assert_err(&err, want);
	f = ktsnap_snapshot__live_var_via(s, "x", ktsnap_pick_max_by_counter_value, NULL);
	assert_string_equal(field_err(f), want);
	assert_int_equal(ktsnap_snapshot__live_vars_via(s, names, 1, ktsnap_pick_max_by_sum_u64,
							NULL, out, &err),
			 -ENOENT);
	assert_err(&err, want);
	it = ktsnap_snapshot__vars(s, "x");
	assert_false(ktsnap_vars_iter__next(&it, NULL, NULL));
	/* the five reasons */
	assert_string_equal(ktsnap_snapshot__scx_walker_unavailable(s), "rendezvous timed out");
	assert_string_equal(ktsnap_snapshot__task_enrichments_unavailable(s),
			    "rendezvous timed out");
	assert_string_equal(ktsnap_snapshot__prog_runtime_stats_unavailable(s),
			    "rendezvous timed out");
	assert_string_equal(ktsnap_snapshot__per_node_numa_unavailable(s), "rendezvous timed out");
	assert_string_equal(ktsnap_snapshot__sdt_alloc_unavailable(s), "rendezvous timed out");
	ktsnap_report__free(r);
}

static void var_unique_and_never_splits(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_value *bss = ktsnap_value_new_struct(r, ".bss", 2);
	uint64_t u = 0;

	*ktsnap_member_slot(bss, 0, "nr_cpus_onln") = rb_uint(32, 4);
	*ktsnap_member_slot(bss, 1, "ctx") = *rb_struct(r, "kt_sched_ctx", "weight", 100ull, NULL);
	rb_global(r, "sched.bss", 1, bss);

	assert_int_equal(ktsnap_field__as_u64(ktsnap_snapshot__var(s, "nr_cpus_onln"), &u, NULL),
			 0);
	assert_int_equal(u, 4);
	assert_int_equal(
		ktsnap_field__as_u64(ktsnap_field__get(ktsnap_snapshot__var(s, "ctx"), "weight"),
				     &u, NULL),
		0);
	assert_int_equal(u, 100);
	/* the same reads through the assertion macros (snapshot as base) */
	KTSNAP_ASSERT_U64(s, s, "nr_cpus_onln", ==, 4);
	KTSNAP_ASSERT_U64(s, ktsnap_snapshot__var(s, "ctx"), "weight", >=, 100);
	KTSNAP_ASSERT_I64(s, s, "nr_cpus_onln", <, 5);
	KTSNAP_ASSERT_F64(s, s, "nr_cpus_onln", ==, 4.0);
	KTSNAP_ASSERT_BOOL(s, s, "nr_cpus_onln", true);
	{
		struct ktsnap_field f = ktsnap_snapshot__var(s, "ctx.weight");

		assert_false(ktsnap_field__is_present(f));
		assert_int_equal(ktsnap_error__kind(ktsnap_field__error(&f)),
				 KTSNAP_ERR_VAR_NOT_FOUND);
	}
}

static void var_miss_lists_sorted_globals(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_field f;

	rb_global(r, "x.bss", 0, rb_struct(r, NULL, "b", 1ull, "a", 2ull, NULL));
	rb_global(r, "x.data", 0, rb_struct(r, NULL, "a", 3ull, NULL));
	rb_hash(r, "other", 1, true);
	f = ktsnap_snapshot__var(s, "zz");
	assert_string_equal(field_err(f),
			    "snapshot has no global variable 'zz' in any *.bss/*.data/*.rodata "
			    "map (available globals: [\"a\", \"b\"])");
}

static void var_render_incomplete(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_map *m = rb_global(r, "x.bss", 0, NULL);
	struct ktsnap_field f;

	ktsnap_map_set_error(r, m, "boom");
	f = ktsnap_snapshot__var(s, "n");
	assert_string_equal(field_err(f), "map 'x.bss' contents unavailable (render failed at "
					  "capture): boom");
}

/* a.bss{n=1} and b.bss{n=2} */
static struct ktsnap_report *two_objs(const char *active)
{
	struct ktsnap_report *r = ktsnap_report__new();

	rb_global(r, "a.bss", 0x10, rb_struct(r, NULL, "n", 1ull, NULL));
	rb_global(r, "b.bss", 0x20, rb_struct(r, NULL, "n", 2ull, NULL));
	r->active_obj_name = active;
	return r;
}

static void var_ambiguity(void **state)
{
	struct ktsnap_report *r = two_objs("b");
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_field f;
	uint64_t u;

	/* falls back to active() */
	assert_int_equal(ktsnap_field__as_u64(ktsnap_snapshot__var(s, "n"), &u, NULL), 0);
	assert_int_equal(u, 2);
	ktsnap_report__free(r);

	r = two_objs(NULL);
	s = ktsnap_snapshot__new(r);
	f = ktsnap_snapshot__var(s, "n");
	assert_string_equal(
		field_err(f),
		"snapshot global 'n' is ambiguous (found in [\"a.bss\", \"b.bss\"]); use "
		"Snapshot::active().var(name) (or the shorthand "
		"Snapshot::live_var(name)) to pick the active scheduler's copy "
		"automatically, or Snapshot::map(name) to address a specific "
		"scheduler's bss explicitly (C: ktsnap_snapshot__active() then "
		"ktsnap_snapshot__var(), ktsnap_snapshot__live_var(), "
		"ktsnap_snapshot__map())");
	ktsnap_report__free(r);
}

static void vars_in_map_order(void **state)
{
	struct ktsnap_report *r = two_objs("b");
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r), a;
	struct ktsnap_vars_iter it = ktsnap_snapshot__vars(s, "n");
	struct ktsnap_field f;
	const char *name;
	uint64_t u;

	rb_global(r, "b.data", 0x30, rb_struct(r, NULL, "m", 5ull, NULL));
	it = ktsnap_snapshot__vars(s, "n");
	assert_true(ktsnap_vars_iter__next(&it, &name, &f));
	assert_string_equal(name, "a.bss");
	assert_true(ktsnap_vars_iter__next(&it, &name, &f));
	assert_string_equal(name, "b.bss");
	assert_int_equal(ktsnap_field__as_u64(f, &u, NULL), 0);
	assert_int_equal(u, 2);
	assert_false(ktsnap_vars_iter__next(&it, &name, &f));

	assert_int_equal(ktsnap_snapshot__active(s, &a, NULL), 0);
	it = ktsnap_snapshot__vars(a, "n");
	assert_true(ktsnap_vars_iter__next(&it, &name, &f));
	assert_string_equal(name, "b.bss");
	assert_false(ktsnap_vars_iter__next(&it, &name, &f));
	ktsnap_report__free(r);
}

static void active_single_obj(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r), a;
	struct ktsnap_map_view m;

	rb_global(r, "o.bss", 1, rb_struct(r, NULL, "n", 1ull, NULL));
	rb_global(r, "o.data", 2, rb_struct(r, NULL, "d", 1ull, NULL));
	rb_hash(r, "scx_per_task", 1, true);
	assert_int_equal(ktsnap_snapshot__active(s, &a, NULL), 0);
	assert_int_equal(ktsnap_snapshot__map_count(a), 2);
	assert_int_equal(ktsnap_snapshot__map_count(s), 3);
	m = ktsnap_snapshot__map(a, "scx_per_task");
	assert_err(&m.err, "snapshot has no map 'scx_per_task' (captured maps: [\"o.bss\", "
			   "\"o.data\"])");
}

#define C3_NAMES "ktsnap_snapshot__vars(), ktsnap_snapshot__live_var(), ktsnap_snapshot__map()"

static const char nas_tail[] =
	"); use Snapshot::vars(name) to enumerate every observed copy explicitly, "
	"Snapshot::live_var(name) to keep the typed error path while opting into the active "
	"filter, or Snapshot::map(\"<obj>.<section>\") to address a specific scheduler's bss "
	"directly";
static const char nas_c[] =
	" (C: ktsnap_snapshot__vars(), ktsnap_snapshot__live_var(), ktsnap_snapshot__map())";

static void active_failures(void **state)
{
	struct ktsnap_report *r = ktsnap_report__new();
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r), a;
	struct ktsnap_error err;
	char want[2048];
	struct ktsnap_field f;

	rb_hash(r, "h", 1, true);
	assert_int_equal(ktsnap_snapshot__active(s, &a, &err), -ENOENT);
	snprintf(want, sizeof(want),
		 "snapshot has no currently-active scheduler (snapshot has no global-section BPF "
		 "maps (no scheduler attached, or capture did not include bss/data/rodata)%s%s",
		 nas_tail, nas_c);
	assert_err(&err, want);
	/* live_var carries the active() failure */
	f = ktsnap_snapshot__live_var(s, "n");
	assert_string_equal(field_err(f), want);
	ktsnap_report__free(r);

	r = two_objs(NULL);
	s = ktsnap_snapshot__new(r);
	assert_int_equal(ktsnap_snapshot__active(s, &a, &err), -ENOENT);
	snprintf(want, sizeof(want),
		 "snapshot has no currently-active scheduler (snapshot has 2 BPF objects with "
		 "global-section maps ([\"a\", \"b\"]) and the principled *scx_root walker could "
		 "not identify the active obj at capture time (scx_root unresolved, no matching "
		 "struct_ops map, or the matched obj has no global-section maps in this capture) "
		 "— use Snapshot::vars(name) to enumerate every copy or "
		 "Snapshot::map(\"<obj>.<section>\") to address a specific scheduler's bss "
		 "directly%s%s",
		 nas_tail, nas_c);
	assert_err(&err, want);
	ktsnap_report__free(r);
}

static void active_multi_copy(void **state)
{
	static uint64_t kvas[] = { 0x2000 };
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r), a;
	struct ktsnap_error err;
	char want[2048];
	uint64_t u;

	rb_global(r, "o.bss", 0x1000, rb_struct(r, NULL, "n", 1ull, NULL));
	rb_global(r, "o.bss", 0x2000, rb_struct(r, NULL, "n", 2ull, NULL));
	rb_global(r, "o.rodata", 0x3000, rb_struct(r, NULL, "c", 2ull, NULL));
	r->active_obj_name = "o";
	assert_int_equal(ktsnap_snapshot__active(s, &a, &err), -ENOENT);
	snprintf(want, sizeof(want),
		 "snapshot has no currently-active scheduler (snapshot has multiple same-name "
		 "copies of o's global-section maps (o.bss × 2) and the principled *scx_root "
		 "walker did not publish an active_map_kvas whitelist to disambiguate (transient "
		 "swap window where the accessor-init worker has not yet republished, or the "
		 "walker is unavailable on this kernel build) — use "
		 "`series.live_bpf_vars_via([\"name\"], pickers::max_by_sum_u64)` for "
		 "multi-variable counter co-pick, or `Snapshot::live_var_via(name, "
		 "pickers::max_by_counter_value)` for a single-counter pick, to pick by counter "
		 "activity%s (C: ktsnap_snapshot__live_vars_via() with ktsnap_pick_max_by_sum_u64, "
		 "ktsnap_snapshot__live_var_via() with ktsnap_pick_max_by_counter_value, %s)",
		 nas_tail, C3_NAMES);
	assert_err(&err, want);

	/* with the walker's whitelist, var() picks the listed copy */
	r->active_map_kvas = kvas;
	r->nr_active_map_kvas = 1;
	assert_int_equal(ktsnap_snapshot__active(s, &a, &err), 0);
	assert_int_equal(ktsnap_field__as_u64(ktsnap_snapshot__var(s, "n"), &u, NULL), 0);
	assert_int_equal(u, 2);
	assert_int_equal(ktsnap_snapshot__map_count(a), 1);
	r->active_map_kvas = NULL;
	r->nr_active_map_kvas = 0;
}

static void active_filter_excluded(void **state)
{
	static uint64_t kvas[] = { 0xdead };
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_field f;
	struct ktsnap_map *m;

	rb_global(r, "o.bss", 0x1, rb_struct(r, NULL, "n", 1ull, NULL));
	r->active_obj_name = "o";
	r->active_map_kvas = kvas;
	r->nr_active_map_kvas = 1;
	f = ktsnap_snapshot__live_var(s, "n");
	assert_int_equal(ktsnap_error__kind(ktsnap_field__error(&f)),
			 KTSNAP_ERR_ACTIVE_FILTER_EXCLUDED_MAPS);
	assert_string_equal(field_err(f),
			    "snapshot lookup 'n' returned no hits under the active filter "
			    "(obj='o'): the walker's KVA whitelist [\n    0xdead,\n] excluded 1 "
			    "captured map(s) sharing the obj prefix: o.bss@0x1 — this snapshot "
			    "pre-dates your most recent Op::ReplaceScheduler / Op::AttachScheduler "
			    "— wait for the next periodic boundary (or re-run the test) so the "
			    "walker re-publishes the live scheduler's KVAs. Reach for "
			    "Snapshot::vars('n') to enumerate every copy across all obj prefixes, "
			    "or Snapshot::map(\"<name>\") to address one of the excluded maps "
			    "directly. (C: ktsnap_snapshot__vars(), ktsnap_snapshot__map())");

	/* zero KVA → the "no recorded KVAs" cause */
	r->maps[0].map_kva = 0;
	f = ktsnap_snapshot__live_var(s, "n");
	assert_non_null(strstr(field_err(f), "o.bss@0x0 — the captured maps have no recorded "
					     "KVAs — the snapshot pre-dates the walker plumbing, "
					     "or the capture path failed to record per-map KVAs."));
	/* both */
	m = rb_global(r, "o.data", 0x5, rb_struct(r, NULL, "d", 1ull, NULL));
	(void)m;
	f = ktsnap_snapshot__live_var(s, "n");
	assert_non_null(strstr(field_err(f), "excluded 2 captured map(s) sharing the obj prefix: "
					     "o.bss@0x0, o.data@0x5 — some captured maps lack KVAs "
					     "and some disagree with the walker's whitelist"));
	/* another o.* map admitted but lacking n → VarNotFound */
	r->maps[1].map_kva = 0xdead;
	f = ktsnap_snapshot__live_var(s, "n");
	assert_int_equal(ktsnap_error__kind(ktsnap_field__error(&f)), KTSNAP_ERR_VAR_NOT_FOUND);
	r->active_map_kvas = NULL;
	r->nr_active_map_kvas = 0;
}

static bool pick_const(const struct ktsnap_var_candidate *c, size_t n, size_t *idx, void *ctx)
{
	if (!ctx)
		return false;
	*idx = *(size_t *)ctx;
	return true;
}

static void live_var_via(void **state)
{
	struct ktsnap_report *r = two_objs(NULL);
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_field f;
	size_t idx = 1;
	uint64_t u;

	f = ktsnap_snapshot__live_var_via(s, "n", pick_const, &idx);
	assert_int_equal(ktsnap_field__as_u64(f, &u, NULL), 0);
	assert_int_equal(u, 2);
	idx = 9;
	f = ktsnap_snapshot__live_var_via(s, "n", pick_const, &idx);
	assert_string_equal(field_err(f), "projection failed: live_var_via picker returned index 9 "
					  "out of range (candidate count = 2) "
					  "(C: ktsnap_snapshot__live_var_via())");
	f = ktsnap_snapshot__live_var_via(s, "n", pick_const, NULL);
	assert_string_equal(field_err(f),
			    "projection failed: live_var_via picker for 'n' returned None (no "
			    "candidate matched the supplied disambiguator) "
			    "(C: ktsnap_snapshot__live_var_via())");
	f = ktsnap_snapshot__live_var_via(s, "zz", pick_const, &idx);
	assert_string_equal(field_err(f),
			    "snapshot has no global variable 'zz' in any *.bss/*.data/*.rodata "
			    "map (available globals: [\"a.bss\", \"b.bss\"])");
	/* the counter picker takes the busiest copy */
	f = ktsnap_snapshot__live_var_via(s, "n", ktsnap_pick_max_by_counter_value, NULL);
	assert_int_equal(ktsnap_field__as_u64(f, &u, NULL), 0);
	assert_int_equal(u, 2);
	ktsnap_report__free(r);
}

static bool pick_row(const struct ktsnap_var_row *rows, size_t n, size_t *idx, void *ctx)
{
	size_t *seen = ctx;

	*seen = n;
	assert_string_equal(rows[0].map_name, "a.bss");
	*idx = 0;
	return true;
}

static void live_vars_via(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	const char *xy[] = { "y", "x" }, *xz[] = { "x", "z" };
	struct ktsnap_field out[2];
	struct ktsnap_error err;
	size_t seen = 0;
	uint64_t u;

	rb_global(r, "a.bss", 0, rb_struct(r, NULL, "x", 1ull, "y", 2ull, NULL));
	rb_global(r, "b.bss", 0, rb_struct(r, NULL, "x", 3ull, NULL));
	rb_global(r, "a.data", 0, rb_struct(r, NULL, "y", 4ull, NULL));
	assert_int_equal(ktsnap_snapshot__live_vars_via(s, xy, 2, pick_row, &seen, out, &err), 0);
	assert_int_equal(seen, 1);
	assert_int_equal(ktsnap_field__as_u64(out[0], &u, NULL), 0);
	assert_int_equal(u, 2); /* positional: y first */
	assert_int_equal(ktsnap_field__as_u64(out[1], &u, NULL), 0);
	assert_int_equal(u, 1);

	assert_int_equal(ktsnap_snapshot__live_vars_via(s, xz, 2, pick_row, &seen, out, &err),
			 -ENOENT);
	assert_err(&err, "snapshot has no global variable '[x, z]' in any *.bss/*.data/*.rodata "
			 "map (available globals: [\"a.bss\", \"b.bss\", \"a.data\"])");
	assert_int_equal(ktsnap_snapshot__live_vars_via(s, xz, 0, pick_row, &seen, out, &err),
			 -ENOENT);
	assert_err(&err,
		   "projection failed: live_vars_via called with an empty names slice — "
		   "co-pick requires at least one name (C: ktsnap_snapshot__live_vars_via())");
	assert_int_equal(ktsnap_snapshot__live_vars_via(s, xy, 2, NULL, NULL, out, &err), -ENOENT);
	assert_err(&err, "projection failed: live_vars_via picker for [y, x] returned None (no "
			 "candidate matched the supplied disambiguator) "
			 "(C: ktsnap_snapshot__live_vars_via())");
}

static void walker_accessors(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	/* static: the report points at them after the test returns */
	static struct ktsnap_per_cpu_time t[2] = { { .cpu = 3, .cpustat_user_ns = 7 },
						   { .cpu = 0 } };
	static struct ktsnap_per_node_numa nn[2] = { { .node = 1, .numa_hit = 5 }, { .node = 1 } };
	static struct ktsnap_task_enrichment te[2] = { { .pid = 42, .comm = "a" }, { .pid = 42 } };
	static struct ktsnap_prog_runtime_stat ps[2] = { { .name = "enqueue", .cnt = 9 },
							 { .name = "enqueue" } };
	size_t n;

	r->per_cpu_time = t;
	r->nr_per_cpu_time = 2;
	r->per_node_numa = nn;
	r->nr_per_node_numa = 2;
	r->task_enrichments = te;
	r->nr_task_enrichments = 2;
	r->prog_runtime_stats = ps;
	r->nr_prog_runtime_stats = 2;
	assert_ptr_equal(ktsnap_snapshot__per_cpu_time_at(s, 3), &t[0]);
	assert_ptr_equal(ktsnap_snapshot__per_cpu_time_at(s, 0), &t[1]);
	assert_null(ktsnap_snapshot__per_cpu_time_at(s, 1));
	assert_ptr_equal(ktsnap_snapshot__per_node_numa_at(s, 1), &nn[0]);
	assert_null(ktsnap_snapshot__per_node_numa_at(s, 0));
	assert_ptr_equal(ktsnap_snapshot__task_enrichment_by_pid(s, 42), &te[0]);
	assert_null(ktsnap_snapshot__task_enrichment_by_pid(s, 1));
	assert_ptr_equal(ktsnap_snapshot__prog_runtime_stats_by_name(s, "enqueue"), &ps[0]);
	assert_null(ktsnap_snapshot__prog_runtime_stats_by_name(s, "dispatch"));
	assert_ptr_equal(ktsnap_snapshot__per_cpu_time(s, &n), t);
	assert_int_equal(n, 2);
	assert_null(ktsnap_snapshot__dsq_states(s, &n));
	assert_int_equal(n, 0);
	assert_null(ktsnap_snapshot__scx_sched_state(s));
	assert_null(ktsnap_snapshot__probe_counters(s));
	assert_null(ktsnap_snapshot__scx_walker_unavailable(s));
}

/* ---- maps ---------------------------------------------------------------------------- */
static void at_hash_value_empty(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_map_view m;
	struct ktsnap_entry e;
	struct ktsnap_map *mm;

	rb_hash(r, "h", 2, true);
	rb_global(r, "o.bss", 0, rb_struct(r, NULL, "n", 1ull, NULL));
	mm = rb_hash(r, "empty", 0, true);
	mm = rb_hash(r, "broken", 0, true);
	ktsnap_map_set_error(r, mm, "hash map truncated at 4096 entries");

	m = ktsnap_snapshot__map(s, "h");
	e = ktsnap_map_view__at(m, 1);
	assert_int_equal(e.kind, KTSNAP_ENTRY_HASH);
	assert_int_equal(e.index, 1);
	at_fails(m, 2, "map 'h': index 2 out of range (length 2)");
	/* the raw accessor words the miss as the view does */
	assert_null(ktsnap_map__entry(ktsnap_report__map_by_name(r, "h"), 2));
	assert_int_equal(errno, ERANGE);
	assert_string_equal(ktsnap_errmsg(), "map 'h': index 2 out of range (length 2)");
	/* cpu() is ignored on non-per-CPU maps */
	e = ktsnap_map_view__at(ktsnap_map_view__cpu(m, 3), 0);
	assert_int_equal(e.kind, KTSNAP_ENTRY_HASH);

	m = ktsnap_snapshot__map(s, "o.bss");
	assert_int_equal(ktsnap_map_view__at(m, 0).kind, KTSNAP_ENTRY_VALUE);
	at_fails(m, 1, "map 'o.bss': index 1 out of range (length 1)");

	at_fails(ktsnap_snapshot__map(s, "empty"), 0,
		 "map 'empty': index 0 out of range (length 0)");
	at_fails(ktsnap_snapshot__map(s, "broken"), 0,
		 "map 'broken' contents unavailable (render failed at "
		 "capture): hash map truncated at 4096 entries");
}

static void percpu_narrowing(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_map_view m;
	struct ktsnap_entry e;
	uint64_t u;

	rb_percpu(r, "pc", 1, 2, 1u << 1, false);
	m = ktsnap_snapshot__map(s, "pc");
	e = ktsnap_map_view__at(ktsnap_map_view__cpu(m, 0), 0);
	assert_int_equal(e.kind, KTSNAP_ENTRY_VALUE);
	assert_int_equal(ktsnap_field__as_u64(ktsnap_entry__get(e, ""), &u, NULL), 0);
	assert_int_equal(u, 0);
	e = ktsnap_map_view__at(ktsnap_map_view__cpu(m, 1), 0);
	assert_string_equal(entry_err(e), "map 'pc': cpu 1 per-CPU slot is unmapped (None)");
	assert_true(ktsnap_error__unmapped(&e.err));
	e = ktsnap_map_view__at(ktsnap_map_view__cpu(m, 5), 0);
	assert_string_equal(entry_err(e), "map 'pc': cpu 5 out of range (have 2 per-CPU slots)");
	assert_false(ktsnap_error__unmapped(&e.err));
	assert_int_equal(ktsnap_error__len(&e.err), 2);
}

static bool pid_is(const struct ktsnap_entry *e, void *ctx)
{
	int64_t pid;

	return !ktsnap_field__as_i64(ktsnap_entry__get(*e, "pid"), &pid, NULL) &&
	       pid == *(int64_t *)ctx;
}

static uint64_t weight_of(const struct ktsnap_entry *e, void *ctx)
{
	uint64_t w = 0;

	ktsnap_field__as_u64(ktsnap_entry__get(*e, "weight"), &w, NULL);
	return ctx ? 7 : w;
}

static void find_filter_max_by(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_entry e, out[8];
	struct ktsnap_map_view m;
	int64_t pid = 3;
	uint64_t u;

	rb_hash(r, "m", 5, true);
	rb_hash(r, "nobtf", 4, false);
	rb_hash(r, "empty", 0, true);
	m = ktsnap_snapshot__map(s, "m");
	e = ktsnap_map_view__find(m, pid_is, &pid);
	assert_true(ktsnap_entry__is_present(e));
	assert_int_equal(ktsnap_field__as_u64(ktsnap_entry__get(e, "weight"), &u, NULL), 0);
	assert_int_equal(u, 30);
	assert_int_equal(ktsnap_field__as_u64(ktsnap_entry__key(e, ""), &u, NULL), 0);
	assert_int_equal(u, 3);

	pid = 99;
	e = ktsnap_map_view__find(m, pid_is, &pid);
	assert_string_equal(entry_err(e), "map 'm': find matched none of 5 entries (first 3: "
					  "[\"0\", \"1\", \"2\"])");
	assert_int_equal(ktsnap_error__len(&e.err), 5);
	e = ktsnap_map_view__find(ktsnap_snapshot__map(s, "nobtf"), pid_is, &pid);
	assert_string_equal(entry_err(e),
			    "map 'nobtf': find matched none of 4 entries (first 3: [\"hex:00 00 00 "
			    "00\", \"hex:01 00 00 00\", \"hex:02 00 00 00\"]) (BTF missing at "
			    "capture — keys shown as hex bytes; rebuild guest kernel with "
			    "CONFIG_DEBUG_INFO_BTF=y for typed keys)");
	e = ktsnap_map_view__find(ktsnap_snapshot__map(s, "empty"), pid_is, &pid);
	assert_string_equal(entry_err(e), "map 'empty': find matched no entries (map is empty)");

	/* filter: every match, in order; count beyond the buffer */
	pid = 2;
	assert_int_equal(ktsnap_map_view__filter(m, pid_is, &pid, out, 8), 1);
	assert_int_equal(out[0].index, 2);
	assert_int_equal(ktsnap_map_view__filter(m, NULL, NULL, out, 2), 5);
	assert_int_equal(out[1].index, 1);
	pid = 99;
	assert_int_equal(ktsnap_map_view__filter(m, pid_is, &pid, out, 8), 0);

	e = ktsnap_map_view__max_by(m, weight_of, NULL);
	assert_int_equal(e.index, 4);
	e = ktsnap_map_view__max_by(m, weight_of, &pid); /* all tie: the first */
	assert_int_equal(e.index, 0);
	e = ktsnap_map_view__max_by(ktsnap_snapshot__map(s, "empty"), weight_of, NULL);
	assert_string_equal(entry_err(e), "map 'empty': max_by matched no entries (map is empty)");
	assert_int_equal(ktsnap_map_view__len(m), 5);
}

static bool never(const struct ktsnap_entry *e, void *ctx)
{
	return false;
}

static void no_match_key_sampling(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_map *m;
	struct ktsnap_entry e;
	char want[512], long_key[100];
	int i;

	/* one typed key among hex ones: no hint; long keys capped at 80 chars */
	m = rb_hash(r, "mixed", 3, false);
	m->entries[1].key_rv = rb_struct(r, "k", "a_long_member_name_number_one", 1ull,
					 "a_long_member_name_number_two", 2ull,
					 "a_long_member_name_number_three", 3ull, NULL);
	e = ktsnap_map_view__find(ktsnap_snapshot__map(s, "mixed"), never, NULL);
	ktsnap_value__format(m->entries[1].key_rv, long_key, sizeof(long_key));
	assert_true(strlen(long_key) > 80);
	long_key[79] = '\0';
	snprintf(want, sizeof(want),
		 "map 'mixed': find matched none of 3 entries (first 3: [\"hex:00 00 00 00\", "
		 "\"%s…\", \"hex:02 00 00 00\"])",
		 long_key);
	assert_string_equal(entry_err(e), want);

	/* per-CPU arrays sample the decimal key; narrowed ones sample nothing */
	rb_percpu(r, "pc", 2, 2, 0, false);
	e = ktsnap_map_view__find(ktsnap_snapshot__map(s, "pc"), never, NULL);
	assert_string_equal(entry_err(e), "map 'pc': find matched none of 2 entries (first 2: "
					  "[\"0\", \"1\"])");
	e = ktsnap_map_view__find(ktsnap_map_view__cpu(ktsnap_snapshot__map(s, "pc"), 0), never,
				  NULL);
	assert_string_equal(entry_err(e), "map 'pc': find matched none of 2 entries (sample keys "
					  "unavailable)");
	rb_percpu(r, "pch", 1, 2, 0, true);
	e = ktsnap_map_view__find(ktsnap_snapshot__map(s, "pch"), never, NULL);
	assert_string_equal(entry_err(e), "map 'pch': find matched none of 1 entries (first 1: "
					  "[\"1000\"])");
	for (i = 0; i < 3; i++)
		(void)i;
}

static void array_entries_extension(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_map *m = ktsnap_report_add_map(r, "dsq_array");
	struct ktsnap_entry e;
	uint32_t i;
	uint64_t u;

	m->layout = KTSNAP_LAYOUT_ARRAY;
	m->nr_entries = 4;
	m->entries = ktsnap_arena_alloc(&r->arena, 4 * sizeof(*m->entries));
	for (i = 0; i < 4; i++) {
		m->entries[i].index = i;
		m->entries[i].val_rv = rb_struct(r, "kt_dsq", "id", (uint64_t)i + 100, NULL);
	}
	e = ktsnap_map_view__at(ktsnap_snapshot__map(s, "dsq_array"), 2);
	assert_int_equal(e.kind, KTSNAP_ENTRY_ARRAY);
	assert_int_equal(ktsnap_field__as_u64(ktsnap_entry__get(e, "id"), &u, NULL), 0);
	assert_int_equal(u, 102);
	assert_int_equal(ktsnap_field__as_u64(ktsnap_entry__key(e, ""), &u, NULL), 0);
	assert_int_equal(u, 2);
	e = ktsnap_map_view__find(ktsnap_snapshot__map(s, "dsq_array"), never, NULL);
	assert_string_equal(entry_err(e), "map 'dsq_array': find matched none of 4 entries (first "
					  "3: [\"0\", \"1\", \"2\"])");
}

static void special_map_views(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_ringbuf_info rb = { .capacity = 4096 };
	struct ktsnap_map *m = ktsnap_report_add_map(r, "events");
	struct ktsnap_map_view v;

	m->ringbuf = &rb;
	v = ktsnap_snapshot__map(s, "events");
	assert_ptr_equal(ktsnap_map_view__ringbuf(v), &rb);
	assert_null(ktsnap_map_view__fd_array(v));
	assert_null(ktsnap_map_view__stack_trace(v));
	assert_null(ktsnap_map_view__map_error(v));
	assert_ptr_equal(ktsnap_map_view__raw(v), &r->maps[0]);
}

/* ---- entries ------------------------------------------------------------------------------- */
static void entry_get_and_key(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_map *hm;
	struct ktsnap_entry e;
	struct ktsnap_field f;
	uint64_t u;

	rb_percpu(r, "pa", 1, 2, 0, false);
	rb_percpu(r, "ph", 1, 2, 0, true);
	hm = rb_hash(r, "h", 1, true);
	hm->entries[0].val_rv = NULL;
	rb_global(r, "o.bss", 0, rb_struct(r, NULL, "n", 1ull, NULL));

	e = ktsnap_map_view__at(ktsnap_snapshot__map(s, "pa"), 0);
	entry_get_fails(e, "x",
			"map '<percpu-array>': per-CPU entry without a CPU "
			"narrow — call .cpu(N) first (C: ktsnap_map_view__cpu())");
	f = ktsnap_entry__key(e, "");
	assert_int_equal(f.kind, KTSNAP_FIELD_PERCPU_KEY);
	assert_int_equal(ktsnap_field__as_u64(f, &u, NULL), 0);
	assert_int_equal(u, 0);
	assert_null(ktsnap_field__raw(f));
	assert_true(ktsnap_field__is_present(f));
	f = ktsnap_entry__key(e, "x");
	assert_string_equal(field_err(f), "path 'x': cannot read as Struct — actual rendered "
					  "variant is Uint(percpu key)");
	f = ktsnap_field__get(ktsnap_entry__key(e, ""), "y");
	assert_string_equal(
		field_err(f),
		"path 'y': cannot read as Struct — actual rendered variant is "
		"Uint(percpu key) — call as_u64/as_i64/as_f64/as_bool for the key value");

	e = ktsnap_map_view__at(ktsnap_snapshot__map(s, "ph"), 0);
	entry_get_fails(e, "",
			"map '<percpu-hash>': per-CPU entry without a CPU "
			"narrow — call .cpu(N) first (C: ktsnap_map_view__cpu())");
	assert_int_equal(ktsnap_field__as_u64(ktsnap_entry__key(e, ""), &u, NULL), 0);
	assert_int_equal(u, 1000);

	e = ktsnap_map_view__at(ktsnap_snapshot__map(s, "h"), 0);
	entry_get_fails(e, "pid",
			"map '<entry>': value has no rendered structure (no BTF "
			"type at capture time)");
	hm->entries[0].key_rv = NULL;
	f = ktsnap_entry__key(e, "");
	assert_string_equal(field_err(f), "map '<entry>': key has no rendered structure (no BTF "
					  "type at capture time)");

	e = ktsnap_map_view__at(ktsnap_snapshot__map(s, "o.bss"), 0);
	f = ktsnap_entry__key(e, "");
	assert_string_equal(field_err(f), "path '': cannot read as key — actual rendered variant "
					  "is single Value (no key)");
	assert_int_equal(ktsnap_field__as_u64(ktsnap_entry__get(e, "n"), &u, NULL), 0);
	assert_int_equal(u, 1);
}

static int collect(uint32_t cpu, const struct ktsnap_field *f, void *ctx)
{
	uint64_t *seen = ctx, v;

	if (ktsnap_field__as_u64(*f, &v, NULL))
		return -1;
	seen[seen[0] * 2 + 1] = cpu;
	seen[seen[0] * 2 + 2] = v;
	seen[0]++;
	return 0;
}

static void percpu_aggregators(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_map *m;
	struct ktsnap_error err;
	struct ktsnap_entry e;
	uint64_t u, seen[16] = { 0 };
	double d;

	m = rb_percpu(r, "pa", 1, 3, 1u << 1, false);
	m->entries[0].per_cpu[0] = ktsnap_value_new_uint(r, 64, 2);
	m->entries[0].per_cpu[2] = ktsnap_value_new_uint(r, 64, 5);
	e = ktsnap_map_view__at(ktsnap_snapshot__map(s, "pa"), 0);
	assert_int_equal(ktsnap_entry__cpu_sum_u64(e, "", &u, &err), 0);
	assert_int_equal(u, 7);
	assert_int_equal(ktsnap_entry__cpu_max_u64(e, "", &u, &err), 0);
	assert_int_equal(u, 5);
	assert_int_equal(ktsnap_entry__cpu_min_u64(e, "", &u, &err), 0);
	assert_int_equal(u, 2);
	assert_int_equal(ktsnap_entry__cpu_each(e, "", collect, seen, &err), 0);
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], 0);
	assert_int_equal(seen[2], 2);
	assert_int_equal(seen[3], 2);
	assert_int_equal(seen[4], 5);
	/* a path error stops the walk */
	assert_int_equal(ktsnap_entry__cpu_sum_u64(e, "x", &u, &err), -ENOENT);
	assert_int_equal(err.kind, KTSNAP_ERR_NOT_A_STRUCT);
	assert_int_equal(ktsnap_entry__cpu_each(e, "x", collect, seen, &err), -ENOENT);

	/* floats: NaN propagates through sum, loses in max/min */
	m->entries[0].per_cpu[0] = ktsnap_value_new(r, KTSNAP_VALUE_FLOAT);
	*(struct ktsnap_value *)m->entries[0].per_cpu[0] = ktsnap_float_of(64, 1.0);
	m->entries[0].per_cpu[1] = ktsnap_value_new(r, KTSNAP_VALUE_FLOAT);
	*(struct ktsnap_value *)m->entries[0].per_cpu[1] = ktsnap_float_of(64, NAN);
	m->entries[0].per_cpu[2] = ktsnap_value_new(r, KTSNAP_VALUE_FLOAT);
	*(struct ktsnap_value *)m->entries[0].per_cpu[2] = ktsnap_float_of(64, 3.0);
	assert_int_equal(ktsnap_entry__cpu_sum_f64(e, "", &d, &err), 0);
	assert_true(isnan(d));
	assert_int_equal(ktsnap_entry__cpu_max_f64(e, "", &d, &err), 0);
	assert_true(d == 3.0);
	assert_int_equal(ktsnap_entry__cpu_min_f64(e, "", &d, &err), 0);
	assert_true(d == 1.0);
	m->entries[0].per_cpu[0] = m->entries[0].per_cpu[1];
	m->entries[0].per_cpu[2] = m->entries[0].per_cpu[1];
	assert_int_equal(ktsnap_entry__cpu_max_f64(e, "", &d, &err), 0);
	assert_true(isnan(d));

	/* all slots absent */
	memset(m->entries[0].per_cpu, 0, 3 * sizeof(*m->entries[0].per_cpu));
	assert_int_equal(ktsnap_entry__cpu_sum_u64(e, "", &u, &err), 0);
	assert_int_equal(u, 0);
	assert_int_equal(ktsnap_entry__cpu_max_u64(e, "", &u, &err), -ENOENT);
	assert_err(&err, "map '<Percpu>': cpu_max_u64 matched no entries (map is empty)");

	/* not per-CPU */
	rb_hash(r, "h", 1, true);
	e = ktsnap_map_view__at(ktsnap_snapshot__map(s, "h"), 0);
	assert_int_equal(ktsnap_entry__cpu_sum_u64(e, "pid", &u, &err), -EINVAL);
	assert_err(&err, "path 'pid': cannot read as Percpu / PercpuHash — actual rendered variant "
			 "is Hash");
}

/* ---- fields ----------------------------------------------------------------------------------- */
static struct ktsnap_value *task_value(struct ktsnap_report *r)
{
	struct ktsnap_value *ctx =
		rb_struct(r, "kt_sched_ctx", "weight", 100ull, "policy", 0ull, NULL);
	struct ktsnap_value *leader = rb_struct(r, "task", "pid", 77ull, NULL);
	struct ktsnap_value *t = ktsnap_value_new_struct(r, "kt_task_ctx", 3);

	*ktsnap_member_slot(t, 0, "ctx") = *ctx;
	*ktsnap_member_slot(t, 1, "a") = rb_uint(32, 5);
	*ktsnap_member_slot(t, 2, "leader") = rb_ptr(r, 0xffff1000, leader);
	return t;
}

static void dotted_paths(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_field root = ktsnap_field__of(task_value(r)), f, g;
	char buf[64];
	uint64_t u;
	int64_t i;

	f = ktsnap_field__get(root, "ctx.weight");
	g = ktsnap_field__get(ktsnap_field__get(root, "ctx"), "weight");
	assert_ptr_equal(ktsnap_field__raw(f), ktsnap_field__raw(g));
	assert_ptr_equal(ktsnap_field__raw(ktsnap_field__get(root, "")), ktsnap_field__raw(root));

	get_fails(root, "a..b", "path 'a..b' has an empty component (consecutive '.')");
	f = ktsnap_field__get(root, "a.b");
	assert_string_equal(field_err(f), "path 'a.b': component 'b' (after walking 'a') expected "
					  "a Struct, got Uint");
	ktsnap_error__walked(&f.err, buf, sizeof(buf));
	assert_string_equal(buf, "a");
	ktsnap_error__component(&f.err, buf, sizeof(buf));
	assert_string_equal(buf, "b");
	get_fails(root, "ctx.wieght",
		  "path 'ctx.wieght': component 'wieght' (after walking "
		  "'ctx') not found (members at this depth: [\"weight\", "
		  "\"policy\"])");
	get_fails(root, "nope",
		  "path 'nope': component 'nope' (after walking '') not "
		  "found (members at this depth: [\"ctx\", \"a\", "
		  "\"leader\"])");
	/* pointer chase; a final Ptr stays a Ptr */
	assert_int_equal(ktsnap_field__as_i64(ktsnap_field__get(root, "leader.pid"), &i, NULL), 0);
	assert_int_equal(i, 77);
	f = ktsnap_field__get(root, "leader");
	assert_int_equal(ktsnap_value__kind(ktsnap_field__raw(f)), KTSNAP_VALUE_PTR);
	assert_int_equal(ktsnap_field__as_u64(f, &u, NULL), 0);
	assert_int_equal(u, 0xffff1000);
}

/* Issue #18: the "[i]" and "per_cpu[n]" forms diff prints walk too. */
static void index_paths(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_value *tag = ktsnap_value_new_array(r, 3, 3);
	struct ktsnap_value *grid = ktsnap_value_new_array(r, 2, 2);
	struct ktsnap_value *row = ktsnap_value_new_array(r, 2, 2);
	struct ktsnap_value *root = ktsnap_value_new_struct(r, "t", 4);
	struct ktsnap_field f, top;
	struct ktsnap_entry e;
	uint64_t u;

	*ktsnap_elem_slot(tag, 0) = rb_uint(8, 10);
	*ktsnap_elem_slot(tag, 1) = rb_uint(8, 11);
	*ktsnap_elem_slot(tag, 2) = *rb_struct(r, "in", "x", 7ull, NULL);
	*ktsnap_elem_slot(row, 0) = rb_uint(8, 20);
	*ktsnap_elem_slot(row, 1) = rb_uint(8, 21);
	*ktsnap_elem_slot(grid, 0) = *row;
	*ktsnap_elem_slot(grid, 1) = *row;
	*ktsnap_member_slot(root, 0, "tag") = *tag;
	*ktsnap_member_slot(root, 1, "grid") = *grid;
	*ktsnap_member_slot(root, 2, "n") = rb_uint(8, 5);
	*ktsnap_member_slot(root, 3, "odd[1]") = rb_uint(8, 99);
	top = ktsnap_field__of(root);

	KTSNAP_ASSERT_U64(s, top, "tag[1]", ==, 11);
	KTSNAP_ASSERT_U64(s, top, "tag[2].x", ==, 7);
	KTSNAP_ASSERT_U64(s, top, "grid[1][0]", ==, 20);
	KTSNAP_ASSERT_PRESENT(s, top, "grid[0]");
	f = ktsnap_field__get(ktsnap_field__get(top, "tag"), "[0]");
	assert_int_equal(ktsnap_field__as_u64(f, &u, NULL), 0);
	assert_int_equal(u, 10);
	/* a member literally named "odd[1]" wins over the index reading */
	KTSNAP_ASSERT_U64(s, top, "odd[1]", ==, 99);
	/* raw layer: same walker */
	assert_int_equal(ktsnap_value__uint(ktsnap_value__get(root, "tag[2].x")), 7);
	assert_null(ktsnap_value__get(root, "tag[3]"));

	get_fails(top, "tag[3]", "map '<array>': index 3 out of range (length 3)");
	get_fails(top, "n[0]",
		  "path 'n[0]': cannot read as Array — actual rendered "
		  "variant is Uint");
	/* malformed suffixes are names, and so not found */
	f = ktsnap_field__get(top, "tag[-1]");
	assert_int_equal(ktsnap_error__kind(ktsnap_field__error(&f)), KTSNAP_ERR_FIELD_NOT_FOUND);
	f = ktsnap_field__get(top, "tag[99999999999999999999]");
	assert_int_equal(ktsnap_error__kind(ktsnap_field__error(&f)), KTSNAP_ERR_FIELD_NOT_FOUND);
	f = ktsnap_field__get(top, "tag[]");
	assert_int_equal(ktsnap_error__kind(ktsnap_field__error(&f)), KTSNAP_ERR_FIELD_NOT_FOUND);

	/* per_cpu[n] on an un-narrowed per-CPU entry selects the slot */
	rb_percpu(r, "pa", 2, 3, 1u << 2, false)->entries[1].per_cpu[0] =
		rb_struct(r, "slot", "a", 5ull, NULL);
	e = ktsnap_map_view__at(ktsnap_snapshot__map(s, "pa"), 1);
	KTSNAP_ASSERT_U64(s, e, "per_cpu[1]", ==, 101);
	entry_get_fails(e, "per_cpu[2]", "map 'pa': cpu 2 per-CPU slot is unmapped (None)");
	entry_get_fails(e, "per_cpu[7]", "map 'pa': cpu 7 out of range (have 3 per-CPU slots)");
	entry_get_fails(e, "per_cpu[1].x",
			"path 'per_cpu[1].x': component 'x' (after walking "
			"'per_cpu[1]') expected a Struct, got Uint");
	entry_get_fails(e, "per_cpu[0].a.b",
			"path 'per_cpu[0].a.b': component 'b' (after walking "
			"'per_cpu[0].a') expected a Struct, got Uint");
	entry_get_fails(e, "per_cpu",
			"map '<percpu-array>': per-CPU entry without a CPU "
			"narrow — call .cpu(N) first (C: ktsnap_map_view__cpu())");
}

static void pointer_hop_cap(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_value *v, *p;
	struct ktsnap_field f;
	int depth, i;
	uint64_t u;

	for (depth = 17; depth <= 18; depth++) {
		v = rb_struct(r, "s", "x", 9ull, NULL);
		for (i = 0; i < depth; i++) {
			p = ktsnap_value_new_ptr(r, 0x100 + (uint64_t)i, v, NULL, NULL);
			v = p;
		}
		f = ktsnap_field__get(ktsnap_field__of(v), "x");
		if (depth == 17) {
			assert_int_equal(ktsnap_field__as_u64(f, &u, NULL), 0);
			assert_int_equal(u, 9);
		} else {
			assert_string_equal(field_err(f),
					    "path 'x': component 'x' (after walking '') "
					    "expected a Struct, got Ptr");
		}
	}
}

#define MISMATCH(call, text)                                         \
	do {                                                         \
		struct ktsnap_error _e;                              \
		assert_int_equal(call, -EINVAL);                     \
		assert_int_equal(_e.kind, KTSNAP_ERR_TYPE_MISMATCH); \
		assert_string_equal(rb_errstr(&_e), text);           \
	} while (0)

static void terminal_reads(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_value three = rb_uint(32, 3);
	struct ktsnap_value vals[] = {
		rb_uint(64, UINT64_MAX),
		rb_int(32, -1),
		rb_bool(true),
		rb_char('A'),
		rb_enum(r, 32, false, -1, NULL),
		rb_enum(r, 32, true, -5, "KT_SIGN_NEG"),
		rb_ptr(r, 0x1000, &three),
		rb_float(2.5),
		rb_ptr(r, 0, NULL),
	};
	struct ktsnap_field f[9];
	uint64_t u;
	int64_t i;
	double d;
	bool b;
	const char *str;
	int k;

	for (k = 0; k < 9; k++)
		f[k] = ktsnap_field__of(&vals[k]);
	/* as_u64 */
	assert_int_equal(ktsnap_field__as_u64(f[0], &u, NULL), 0);
	assert_true(u == UINT64_MAX);
	MISMATCH(ktsnap_field__as_u64(f[1], &u, &_e),
		 "path '': cannot read as u64 — actual rendered variant is Int(negative)");
	assert_int_equal(ktsnap_field__as_u64(f[2], &u, NULL), 0);
	assert_int_equal(u, 1);
	assert_int_equal(ktsnap_field__as_u64(f[3], &u, NULL), 0);
	assert_int_equal(u, 65);
	assert_int_equal(ktsnap_field__as_u64(f[4], &u, NULL), 0);
	assert_true(u == UINT64_MAX);
	MISMATCH(ktsnap_field__as_u64(f[5], &u, &_e),
		 "path '': cannot read as u64 — actual rendered variant is Enum(signed-negative)");
	assert_int_equal(ktsnap_field__as_u64(f[6], &u, NULL), 0);
	assert_int_equal(u, 0x1000);
	MISMATCH(ktsnap_field__as_u64(f[7], &u, &_e),
		 "path '': cannot read as u64 — actual rendered variant is Float");
	/* as_i64 */
	MISMATCH(ktsnap_field__as_i64(f[0], &i, &_e),
		 "path '': cannot read as i64 — actual rendered variant is Uint(>i64::MAX)");
	assert_int_equal(ktsnap_field__as_i64(f[5], &i, NULL), 0);
	assert_int_equal(i, -5);
	assert_int_equal(ktsnap_field__as_i64(f[1], &i, NULL), 0);
	assert_int_equal(i, -1);
	/* as_bool */
	assert_int_equal(ktsnap_field__as_bool(f[6], &b, NULL), 0);
	assert_true(b);
	assert_int_equal(ktsnap_field__as_bool(f[8], &b, NULL), 0);
	assert_false(b);
	assert_int_equal(ktsnap_field__as_bool(f[0], &b, NULL), 0);
	assert_true(b);
	MISMATCH(ktsnap_field__as_bool(f[7], &b, &_e),
		 "path '': cannot read as bool — actual rendered variant is Float");
	/* as_f64 */
	assert_int_equal(ktsnap_field__as_f64(f[7], &d, NULL), 0);
	assert_true(d == 2.5);
	assert_int_equal(ktsnap_field__as_f64(f[1], &d, NULL), 0);
	assert_true(d == -1.0);
	assert_int_equal(ktsnap_field__as_f64(f[5], &d, NULL), 0);
	assert_true(d == -5.0);
	MISMATCH(ktsnap_field__as_f64(f[3], &d, &_e),
		 "path '': cannot read as f64 — actual rendered variant is Char");
	MISMATCH(ktsnap_field__as_f64(f[2], &d, &_e),
		 "path '': cannot read as f64 — actual rendered variant is Bool");
	MISMATCH(ktsnap_field__as_f64(f[6], &d, &_e),
		 "path '': cannot read as f64 — actual rendered variant is Ptr");
	/* as_str */
	assert_int_equal(ktsnap_field__as_str(f[5], &str, NULL), 0);
	assert_string_equal(str, "KT_SIGN_NEG");
	MISMATCH(ktsnap_field__as_str(f[4], &str, &_e),
		 "path '': cannot read as str (enum variant name) — actual rendered variant is "
		 "Enum");
	MISMATCH(ktsnap_field__as_str(f[0], &str, &_e),
		 "path '': cannot read as str (enum variant name) — actual rendered variant is "
		 "Uint");
}

static void array_reads(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_value *a = ktsnap_value_new_array(r, 2, 2), *bad, tr, *big;
	struct ktsnap_value three = rb_uint(8, 3);
	struct rb_arrays o;

	*ktsnap_elem_slot(a, 0) = rb_uint(64, 1);
	*ktsnap_elem_slot(a, 1) = rb_uint(64, 2);
	assert_int_equal(ktsnap_field__as_u64_array(ktsnap_field__of(a), o.u, 4, &o.n, NULL), 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.u[0], 1);
	assert_int_equal(o.u[1], 2);
	/* a short buffer still reports the count */
	assert_int_equal(ktsnap_field__as_u64_array(ktsnap_field__of(a), o.u, 1, &o.n, NULL), 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(ktsnap_field__as_i64_array(ktsnap_field__of(a), o.i64, 4, &o.n, NULL), 0);
	assert_int_equal(ktsnap_field__as_f64_array(ktsnap_field__of(a), o.d, 4, &o.n, NULL), 0);
	assert_true(o.d[1] == 2.0);
	assert_int_equal(ktsnap_field__as_bool_array(ktsnap_field__of(a), o.b, 4, &o.n, NULL), 0);
	assert_true(o.b[0]);

	tr = rb_truncated(r, 16, 8, a);
	assert_int_equal(ktsnap_field__as_u64_array(ktsnap_field__of(&tr), o.u, 4, &o.n, NULL), 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(ktsnap_field__as_u32_array(ktsnap_field__of(a), o.u32, 4, &o.n, NULL), 0);
	assert_int_equal(o.u32[1], 2);

	big = ktsnap_value_new_array(r, 2, 2);
	*ktsnap_elem_slot(big, 0) = rb_uint(64, 1);
	*ktsnap_elem_slot(big, 1) = rb_uint(64, 1ull << 32);
	MISMATCH(ktsnap_field__as_u32_array(ktsnap_field__of(big), o.u32, 4, &o.n, &_e),
		 "path '': cannot read as [u32] — actual rendered variant is Array[1]=Uint");

	bad = ktsnap_value_new_array(r, 2, 2);
	*ktsnap_elem_slot(bad, 0) = rb_uint(64, 1);
	*ktsnap_elem_slot(bad, 1) = *rb_struct(r, "s", "x", 1ull, NULL);
	MISMATCH(ktsnap_field__as_u64_array(ktsnap_field__of(bad), o.u, 4, &o.n, &_e),
		 "path '': cannot read as [u64] — actual rendered variant is Array[1]=Struct");
	MISMATCH(ktsnap_field__as_u64_array(ktsnap_field__of(&three), o.u, 4, &o.n, &_e),
		 "path '': cannot read as [u64] — actual rendered variant is Uint");
	tr = rb_truncated(r, 16, 8, &three);
	MISMATCH(ktsnap_field__as_u64_array(ktsnap_field__of(&tr), o.u, 4, &o.n, &_e),
		 "path '': cannot read as [u64] — actual rendered variant is "
		 "Truncated(partial=Uint)");
}

static void members_raw_error_present(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_value *a = ktsnap_value_new_array(r, 3, 3), ptr;
	struct ktsnap_field f, m;
	uint64_t u;
	int i;

	for (i = 0; i < 3; i++)
		*ktsnap_elem_slot(a, i) = *rb_struct(r, "kt_dsq", "id", (uint64_t)i, NULL);
	ptr = rb_ptr(r, 8, a);
	f = ktsnap_field__of(&ptr);
	assert_int_equal(ktsnap_field__member_count(f), 3);
	m = ktsnap_field__member(f, 2);
	assert_int_equal(ktsnap_field__as_u64(ktsnap_field__get(m, "id"), &u, NULL), 0);
	assert_int_equal(u, 2);
	m = ktsnap_field__member(f, 3);
	assert_false(ktsnap_field__is_present(m));
	assert_int_equal(ktsnap_field__member_count(ktsnap_field__of(ktsnap_elem(a, 0))), 0);

	assert_non_null(ktsnap_field__raw(f));
	assert_null(ktsnap_field__error(&f));
	m = ktsnap_field__get(f, "x..y");
	assert_false(ktsnap_field__is_present(m));
	assert_null(ktsnap_field__raw(m));
	assert_non_null(ktsnap_field__error(&m));
	assert_int_equal(ktsnap_field__member_count(m), 0);
}

static void errors_are_values(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_map_view a, b;
	struct ktsnap_error copy;

	rb_hash(r, "h", 1, true);
	a = ktsnap_snapshot__map(s, "x");
	b = ktsnap_snapshot__map(s, "x");
	copy = a.err;
	assert_true(ktsnap_error__equal(&a.err, &b.err));
	assert_true(ktsnap_error__equal(&copy, &a.err));
	b = ktsnap_snapshot__map(s, "y");
	assert_false(ktsnap_error__equal(&a.err, &b.err));
	assert_string_equal(ktsnap_error_kind__name(copy.kind), "MapNotFound");
}

static void index_handles_many_maps(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s;
	char name[32];
	uint64_t u;
	int i;

	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		rb_hash(r, name, 1, true);
		snprintf(name, sizeof(name), "o%d.bss", i);
		rb_global(r, name, 0, rb_struct(r, NULL, "shared", (uint64_t)i, NULL));
	}
	rb_global(r, "z.data", 0, rb_struct(r, NULL, "unique", 42ull, NULL));
	s = ktsnap_snapshot__new(r);
	for (i = 0; i < 300; i += 37) {
		snprintf(name, sizeof(name), "m%d", i);
		assert_true(ktsnap_map_view__is_ok(ktsnap_snapshot__map(s, name)));
	}
	assert_false(ktsnap_map_view__is_ok(ktsnap_snapshot__map(s, "m300")));
	assert_int_equal(ktsnap_field__as_u64(ktsnap_snapshot__var(s, "unique"), &u, NULL), 0);
	assert_int_equal(u, 42);
	assert_int_equal(ktsnap_snapshot__var(s, "shared").err.kind, KTSNAP_ERR_AMBIGUOUS_VAR);
	assert_non_null(r->view_index);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		RB_REPORT_TEST(snapshot_borrows),
		RB_REPORT_TEST(map_hit_and_miss),
		cmocka_unit_test(placeholder_short_circuit),
		RB_REPORT_TEST(var_unique_and_never_splits),
		RB_REPORT_TEST(var_miss_lists_sorted_globals),
		RB_REPORT_TEST(var_render_incomplete),
		cmocka_unit_test(var_ambiguity),
		cmocka_unit_test(vars_in_map_order),
		RB_REPORT_TEST(active_single_obj),
		cmocka_unit_test(active_failures),
		RB_REPORT_TEST(active_multi_copy),
		RB_REPORT_TEST(active_filter_excluded),
		cmocka_unit_test(live_var_via),
		RB_REPORT_TEST(live_vars_via),
		RB_REPORT_TEST(walker_accessors),
		RB_REPORT_TEST(at_hash_value_empty),
		RB_REPORT_TEST(percpu_narrowing),
		RB_REPORT_TEST(find_filter_max_by),
		RB_REPORT_TEST(no_match_key_sampling),
		RB_REPORT_TEST(array_entries_extension),
		RB_REPORT_TEST(special_map_views),
		RB_REPORT_TEST(entry_get_and_key),
		RB_REPORT_TEST(percpu_aggregators),
		RB_REPORT_TEST(dotted_paths),
		RB_REPORT_TEST(pointer_hop_cap),
		RB_REPORT_TEST(index_paths),
		RB_REPORT_TEST(terminal_reads),
		RB_REPORT_TEST(array_reads),
		RB_REPORT_TEST(members_raw_error_present),
		RB_REPORT_TEST(errors_are_values),
		RB_REPORT_TEST(index_handles_many_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
