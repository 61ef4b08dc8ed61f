// SPDX-License-Identifier: MIT
/*
 * Views over real captures of the ktsched fixture: typed reads of every
 * planted value, and the multi-copy rules of var / active / live_var* with
 * two copies of the object loaded at once (spec §6.2–§6.4).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ktsnap/assert.h>
#include <ktsnap/capture.h>

#include "fixture.h"
#include "ktsched.h"
#include "ktsched.skel.h"
#include "report_builder.h"

#define field_err(f) rb_errstr(ktsnap_field__error(&(f)))

struct live {
	struct ktsched *a, *b; /* b only: a is loaded but never attached */
	struct ktsnap_report *r;
};

static uint32_t map_id(struct bpf_map *m)
{
	return kt_map_id(bpf_map__fd(m));
}

/* Only the maps of the copies this test loaded (other processes may
 * have the fixture loaded too). */
static struct ktsnap_report *capture(struct live *l)
{
	KTSNAP_OPTS(ktsnap_capture_opts, opts, .maps_only = true);
	struct ktsnap_report *r = NULL;
	struct ktsched *copies[2] = { l->a, l->b };
	uint32_t ids[64];
	struct bpf_map *m;
	size_t n = 0, i;

	for (i = 0; i < 2; i++) {
		if (!copies[i])
			continue;
		bpf_object__for_each_map(m, copies[i]->obj)
			if (n < 64)
				ids[n++] = map_id(m);
	}
	opts.map_ids = ids;
	opts.nr_map_ids = n;

	assert_int_equal(ktsnap_capture(&opts, &r), 0);
	return r;
}

static int setup_one(void **state)
{
	static struct live l;

	memset(&l, 0, sizeof(l));
	if (kt_sched_open(&l.b, true))
		return -1;
	kt_sched_tick();
	*state = &l;
	return 0;
}

static int setup_two(void **state)
{
	static struct live l;

	memset(&l, 0, sizeof(l));
	if (kt_sched_open(&l.a, false))
		return -1;
	if (kt_sched_open(&l.b, true)) {
		kt_sched_close(l.a);
		return -1;
	}
	kt_sched_tick();
	*state = &l;
	return 0;
}

static int teardown(void **state)
{
	struct live *l = *state;

	ktsnap_report__free(l->r);
	kt_sched_close(l->b);
	kt_sched_close(l->a);
	return 0;
}

static bool own_task(const struct ktsnap_entry *e, void *ctx)
{
	uint64_t magic;

	return !ktsnap_field__as_u64(ktsnap_entry__get(*e, "magic"), &magic, NULL) &&
	       magic == UINT64_MAX;
}

static bool never(const struct ktsnap_entry *e, void *ctx)
{
	return false;
}

static void typed_reads(void **state)
{
	struct live *l = *state;
	struct ktsnap_snapshot s;
	struct ktsnap_map_view m;
	struct ktsnap_entry e;
	struct ktsnap_field f;
	struct ktsnap_error err;
	uint64_t tag[4], u;
	size_t n;

	l->r = capture(l);
	s = ktsnap_snapshot__named(l->r, "typed_reads");

	KTSNAP_ASSERT_U64(s, s, "nr_cpus_onln", ==, (uint64_t)libbpf_num_possible_cpus());
	KTSNAP_ASSERT_U64(s, s, "nr_switches", >=, 1);
	KTSNAP_ASSERT_U64(s, s, "bss_u64_max", ==, UINT64_MAX);
	KTSNAP_ASSERT_I64(s, s, "data_neg", ==, -5);
	KTSNAP_ASSERT_F64(s, s, "load_avg", ==, 0.25);
	KTSNAP_ASSERT_BOOL(s, s, "debug_mode", true);
	KTSNAP_ASSERT_STR(s, s, "data_sign", "KT_SIGN_NEG");
	KTSNAP_ASSERT_U64(s, ktsnap_snapshot__var(s, "stats"), "nr_events", >=, 1);

	m = ktsnap_snapshot__map(s, "task_ctx");
	assert_true(ktsnap_map_view__is_ok(m));
	e = ktsnap_map_view__find(m, own_task, NULL);
	assert_true(ktsnap_entry__is_present(e));
	KTSNAP_ASSERT_U64(s, e, "ctx.weight", ==, 100);
	KTSNAP_ASSERT_STR(s, e, "ctx.policy", "KT_POLICY_BIG");
	KTSNAP_ASSERT_U64(s, e, "ctx.policy", ==, 0x80000000u);
	KTSNAP_ASSERT_I64(s, e, "ctx.vtime", ==, -1000);
	KTSNAP_ASSERT_I64(s, e, "neg", ==, -42);
	KTSNAP_ASSERT_I64(s, e, "sign", ==, -3);
	KTSNAP_ASSERT_U64(s, e, "wide", ==, 0xfedcba9876543210ull);
	KTSNAP_ASSERT_U64(s, e, "flag_b", ==, 17);
	KTSNAP_ASSERT_U64(s, e, "u.halves.hi", ==, 0x55667788);
	assert_int_equal(ktsnap_field__as_u64_array(ktsnap_entry__get(e, "tag"), tag, 4, &n, NULL),
			 0);
	assert_int_equal(n, 4);
	assert_int_equal(tag[3], 4);
	/* signed negative enum does not read as u64 */
	assert_int_equal(ktsnap_field__as_u64(ktsnap_entry__get(e, "sign"), &u, &err), -EINVAL);
	assert_string_equal(rb_errstr(&err), "path '': cannot read as u64 — actual rendered "
					     "variant is Enum(signed-negative)");
	f = ktsnap_entry__get(e, "ctx.wieght");
	assert_string_equal(field_err(f), "path 'ctx.wieght': component 'wieght' (after walking "
					  "'ctx') not found (members at this depth: [\"weight\", "
					  "\"policy\", \"vtime\", \"runtime_ns\"])");
	/* typed keys: sampled as numbers, no BTF hint */
	e = ktsnap_map_view__find(m, never, NULL);
	assert_int_equal(e.err.kind, KTSNAP_ERR_NO_MATCH);
	assert_non_null(strstr(rb_errstr(&e.err), "(first 3: [\""));
	assert_null(strstr(rb_errstr(&e.err), "BTF missing"));

	/* per-CPU array: narrowing, aggregation */
	m = ktsnap_snapshot__map(s, "pcpu_stats");
	e = ktsnap_map_view__at(m, 0);
	f = ktsnap_entry__get(e, "nr_switches");
	assert_int_equal(f.err.kind, KTSNAP_ERR_PER_CPU_NOT_NARROWED);
	assert_int_equal(ktsnap_entry__cpu_sum_u64(e, "nr_switches", &u, &err), 0);
	assert_true(u >= 1);
	assert_true(ktsnap_entry__is_present(ktsnap_map_view__at(ktsnap_map_view__cpu(m, 0), 0)));
	e = ktsnap_map_view__at(ktsnap_map_view__cpu(m, 4096), 0);
	assert_int_equal(e.err.kind, KTSNAP_ERR_PER_CPU_SLOT);
	KTSNAP_ASSERT_U64(s, ktsnap_map_view__at(ktsnap_map_view__cpu(m, 0), 0), "nr_switches", <=,
			  u);

	/* ARRAY of structs through the array_entries extension */
	m = ktsnap_snapshot__map(s, "dsq_array");
	assert_int_equal(ktsnap_map_view__len(m), KT_NR_DSQS);
	e = ktsnap_map_view__at(m, 7);
	assert_int_equal(e.kind, KTSNAP_ENTRY_ARRAY);
	assert_int_equal(ktsnap_field__as_u64(ktsnap_entry__key(e, ""), &u, NULL), 0);
	assert_int_equal(u, 7);

	/* special maps */
	assert_non_null(ktsnap_map_view__ringbuf(ktsnap_snapshot__map(s, "events")));
	assert_int_equal(
		ktsnap_map_view__fd_array(ktsnap_snapshot__map(s, "jump_table"))->populated, 1);
}

static void two_copies(void **state)
{
	struct live *l = *state;
	uint64_t kvas[3] = { map_id(l->b->maps.bss), map_id(l->b->maps.data),
			     map_id(l->b->maps.rodata) };
	uint64_t bogus[1] = { 1 };
	const char *names[] = { "nr_switches", "nr_dispatched" };
	struct ktsnap_snapshot s, a;
	struct ktsnap_field f, hits[2], row[2];
	struct ktsnap_vars_iter it;
	struct ktsnap_error err;
	const char *map_name;
	char want[64];
	uint64_t u;
	int n = 0;

	l->r = capture(l);
	s = ktsnap_snapshot__named(l->r, "two_copies");

	/* var: both copies named */
	f = ktsnap_snapshot__var(s, "nr_switches");
	assert_int_equal(f.err.kind, KTSNAP_ERR_AMBIGUOUS_VAR);
	assert_non_null(strstr(field_err(f), "snapshot global 'nr_switches' is ambiguous (found "
					     "in [\"ktsched.bss\", \"ktsched.bss\"]); use "));
	/* active: same-binary multi-copy without a walker whitelist */
	assert_int_equal(ktsnap_snapshot__active(s, &a, &err), -ENOENT);
	assert_int_equal(err.kind, KTSNAP_ERR_NO_ACTIVE_SCHEDULER);
	assert_non_null(strstr(rb_errstr(&err), "copies of ktsched's global-section maps "
						"(ktsched.bss × 2, ktsched.data × 2, "
						"ktsched.rodata × 2)"));
	f = ktsnap_snapshot__live_var(s, "nr_switches");
	assert_true(ktsnap_error__equal(ktsnap_field__error(&f), &err));

	/* vars: every copy in map-id order (a was loaded first) */
	it = ktsnap_snapshot__vars(s, "nr_switches");
	while (n < 2 && ktsnap_vars_iter__next(&it, &map_name, &hits[n])) {
		assert_string_equal(map_name, "ktsched.bss");
		n++;
	}
	assert_int_equal(n, 2);
	assert_false(ktsnap_vars_iter__next(&it, &map_name, &f));
	assert_int_equal(ktsnap_field__as_u64(hits[0], &u, NULL), 0);
	assert_int_equal(u, 0); /* a never ran */

	/* the pickers choose the copy that counts */
	f = ktsnap_snapshot__live_var_via(s, "nr_switches", ktsnap_pick_max_by_counter_value, NULL);
	assert_ptr_equal(ktsnap_field__raw(f), ktsnap_field__raw(hits[1]));
	assert_int_equal(ktsnap_snapshot__live_vars_via(s, names, 2, ktsnap_pick_max_by_sum_u64,
							NULL, row, &err),
			 0);
	assert_ptr_equal(ktsnap_field__raw(row[0]), ktsnap_field__raw(hits[1]));
	assert_int_equal(ktsnap_field__as_u64(row[1], &u, NULL), 0);
	assert_true(u >= 1);
	f = ktsnap_snapshot__live_var_via(s, "no_such_global", ktsnap_pick_max_by_counter_value,
					  NULL);
	assert_non_null(strstr(field_err(f), "(available globals: [\"ktsched.rodata\", "
					     "\"ktsched.data\", \"ktsched.bss\", "
					     "\"ktsched.rodata\", \"ktsched.data\", "
					     "\"ktsched.bss\"])"));

	/* with the walker's answer (as a sched_ext kernel would publish it) */
	l->r->active_obj_name = "ktsched";
	l->r->active_map_kvas = kvas;
	l->r->nr_active_map_kvas = 3;
	assert_int_equal(ktsnap_snapshot__active(s, &a, &err), 0);
	assert_int_equal(ktsnap_snapshot__map_count(a), 3);
	f = ktsnap_snapshot__var(s, "nr_switches");
	assert_ptr_equal(ktsnap_field__raw(f), ktsnap_field__raw(hits[1]));
	f = ktsnap_snapshot__live_var(s, "nr_switches");
	assert_ptr_equal(ktsnap_field__raw(f), ktsnap_field__raw(hits[1]));
	assert_int_equal(ktsnap_map_view__raw(ktsnap_snapshot__map(a, "ktsched.bss"))->map_kva,
			 kvas[0]);

	/* a stale whitelist excludes both copies */
	l->r->active_map_kvas = bogus;
	l->r->nr_active_map_kvas = 1;
	f = ktsnap_snapshot__live_var(s, "nr_switches");
	assert_int_equal(f.err.kind, KTSNAP_ERR_ACTIVE_FILTER_EXCLUDED_MAPS);
	snprintf(want, sizeof(want), "ktsched.bss@0x%" PRIx64, kvas[0]);
	assert_non_null(strstr(field_err(f), want));
	assert_non_null(strstr(field_err(f), "excluded 6 captured map(s)"));

	l->r->active_obj_name = NULL;
	l->r->active_map_kvas = NULL;
	l->r->nr_active_map_kvas = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(typed_reads, setup_one, teardown),
		cmocka_unit_test_setup_teardown(two_copies, setup_two, teardown),
	};

	if (geteuid()) {
		printf("skipped: needs root for BPF\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
