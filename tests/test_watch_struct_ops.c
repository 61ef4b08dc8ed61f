// SPDX-License-Identifier: MIT
/*
 * F150 on a real struct_ops object (spec §6.3, §12): the ktcc fixture is a
 * BPF TCP congestion control (the only struct_ops this kernel family has
 * without sched_ext) with .bss counters named like ktsched's.  With ktcc
 * registered next to ktsched, the walker derives active_obj_name and the
 * active_map_kvas whitelist from the registered struct_ops programs'
 * map ids, and active(), live_var and ActiveFilterExcludedMaps work from
 * that kernel data; nothing here sets those fields by hand.
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
#include <ktsnap/capture.h>
#include <ktsnap/error.h>
#include <ktsnap/view.h>

#include "fixture.h"
#include "ktsched.h"
#include "ktsched.skel.h"
#include "ktcc.skel.h"

/* newer than the UAPI headers we build against (the kernel's values) */
#define KT_BPF_F_LINK (1U << 13)
#define KT_BPF_STRUCT_OPS 44

struct fx {
	struct ktsched *sched;
	struct ktcc *a; /* registered */
	struct ktcc *b; /* loaded, never registered */
	struct bpf_link *a_update; /* libbpf's update of a's struct_ops value */
	int a_link; /* the struct_ops link: registration lives with it */
};

/* Load ktcc with its struct_ops map as a link-based one, so the
 * registration ends with the link fd (even if the test dies). */
static struct ktcc *cc_load(void)
{
	struct ktcc *skel = ktcc__open();

	if (!skel)
		return NULL;
	if (bpf_map__set_map_flags(skel->maps.ktcc_ops, KT_BPF_F_LINK) || ktcc__load(skel)) {
		ktcc__destroy(skel);
		return NULL;
	}
	return skel;
}

static int setup(void **state)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	f.a_link = -1;
	if (kt_sched_open(&f.sched, true))
		return -1;
	f.a = cc_load();
	f.b = cc_load();
	if (!f.a || !f.b)
		goto fail;
	/* sets the value (state READY for a link-based map) ... */
	f.a_update = bpf_map__attach_struct_ops(f.a->maps.ktcc_ops);
	if (!f.a_update)
		goto fail;
	/* ... and the link registers it with the kernel */
	f.a_link = bpf_link_create(bpf_map__fd(f.a->maps.ktcc_ops), 0, KT_BPF_STRUCT_OPS, NULL);
	if (f.a_link < 0)
		goto fail;
	f.a->bss->nr_switches = 111;
	f.b->bss->nr_switches = 222;
	kt_sched_tick();
	*state = &f;
	return 0;
fail:
	bpf_link__destroy(f.a_update);
	ktcc__destroy(f.b);
	ktcc__destroy(f.a);
	kt_sched_close(f.sched);
	return -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->a_link >= 0)
		close(f->a_link);
	bpf_link__destroy(f->a_update);
	ktcc__destroy(f->b);
	ktcc__destroy(f->a);
	kt_sched_close(f->sched);
	return 0;
}

static uint32_t map_id(struct bpf_map *m)
{
	return kt_map_id(bpf_map__fd(m));
}

/* Capture ktsched's maps and the global sections of the ktcc copies asked for. */
static struct ktsnap_report *capture(struct fx *f, bool with_a, bool with_b)
{
	KTSNAP_OPTS(ktsnap_capture_opts, opts, .maps_only = true);
	struct ktsnap_report *r = NULL;
	struct bpf_map *m;
	uint32_t ids[64];
	size_t n = 0;

	bpf_object__for_each_map(m, f->sched->obj)
		ids[n++] = map_id(m);
	if (with_a)
		ids[n++] = map_id(f->a->maps.bss);
	if (with_b)
		ids[n++] = map_id(f->b->maps.bss);
	opts.map_ids = ids;
	opts.nr_map_ids = n;
	assert_int_equal(ktsnap_capture(&opts, &r), 0);
	return r;
}

static bool has_kva(const uint64_t *kvas, size_t n, uint64_t kva)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (kvas[i] == kva)
			return true;
	return false;
}

static uint64_t live_u64(struct ktsnap_snapshot s, const char *name)
{
	uint64_t v = 0;
	struct ktsnap_error err;

	assert_int_equal(ktsnap_field__as_u64(ktsnap_snapshot__live_var(s, name), &v, &err), 0);
	return v;
}

static void active_from_struct_ops(void **state)
{
	struct fx *f = *state;
	struct ktsnap_report *r = capture(f, true, false);
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r), a;
	struct ktsnap_error err;
	const uint64_t *kvas;
	size_t n;

	assert_non_null(ktsnap_report__active_obj_name(r));
	assert_string_equal(ktsnap_report__active_obj_name(r), "ktcc");
	kvas = ktsnap_report__active_map_kvas(r, &n);
	assert_true(has_kva(kvas, n, map_id(f->a->maps.bss)));
	assert_false(has_kva(kvas, n, map_id(f->b->maps.bss)));
	assert_false(has_kva(kvas, n, map_id(f->sched->maps.bss)));

	/* two objects define nr_switches; the registered struct_ops one is live */
	assert_int_equal(ktsnap_snapshot__active(s, &a, &err), 0);
	assert_int_equal(ktsnap_snapshot__map_count(a), 1);
	assert_int_equal(live_u64(s, "nr_switches"), 111);
	ktsnap_report__free(r);
}

static void two_copies_whitelist(void **state)
{
	struct fx *f = *state;
	struct ktsnap_report *r = capture(f, true, true);
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);

	/* both copies are "ktcc.bss": the whitelist picks the registered one */
	assert_int_equal(live_u64(s, "nr_switches"), 111);
	ktsnap_report__free(r);
}

static void excluded_maps(void **state)
{
	struct fx *f = *state;
	struct ktsnap_report *r = capture(f, false, true);
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_field v;

	/* only the unregistered copy was captured: the whitelist excludes it */
	assert_string_equal(ktsnap_report__active_obj_name(r), "ktcc");
	v = ktsnap_snapshot__live_var(s, "nr_switches");
	assert_int_equal(v.err.kind, KTSNAP_ERR_ACTIVE_FILTER_EXCLUDED_MAPS);
	ktsnap_report__free(r);
}

/* Last: unregistering leaves no active object. */
static void unregistered(void **state)
{
	struct fx *f = *state;
	struct ktsnap_report *r;
	struct ktsnap_snapshot a;
	struct ktsnap_error err;

	close(f->a_link);
	f->a_link = -1;
	r = capture(f, true, false);
	assert_null(ktsnap_report__active_obj_name(r));
	assert_int_equal(ktsnap_snapshot__active(ktsnap_snapshot__new(r), &a, &err), -ENOENT);
	assert_int_equal(err.kind, KTSNAP_ERR_NO_ACTIVE_SCHEDULER);
	ktsnap_report__free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(active_from_struct_ops),
		cmocka_unit_test(two_copies_whitelist),
		cmocka_unit_test(excluded_maps),
		cmocka_unit_test(unregistered),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
