// SPDX-License-Identifier: MIT
/*
 * A sample series drops the value trees its projections render (issue 11):
 * 24 captures of ktbig's big_hash (4096 entries) and pcpu_big, a different
 * value in each, projected member by member.  Every projection must read
 * the right value of every sample although the trees of the previous
 * projection were dropped and render again; after a projection no map it
 * rendered stays rendered; errors that list a struct's members and
 * NoMatch errors that sample keys format the same after the drop; a map
 * the caller rendered before the projection keeps its tree (and the
 * caller's view stays valid).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <ktsnap/capture.h>
#include <ktsnap/error.h>
#include <ktsnap/series.h>
#include <ktsnap/view.h>

#include "fixture.h"
#include "ktsched.h"
#include "ktbig.skel.h"
#include "render_internal.h"

#define SAMPLES 24
#define ENTRIES 4096
#define KEY 77

/* Every map of every row is unrendered again (the globals aside). */
static void assert_all_dropped(struct ktsnap_sample_series *s)
{
	struct ktsnap_sample smp;
	size_t i;
	uint32_t k;

	for (i = 0; i < ktsnap_sample_series__len(s); i++) {
		assert_int_equal(ktsnap_sample_series__sample(s, i, &smp), 0);
		for (k = 0; k < smp.snapshot.report->nr_maps; k++) {
			const struct ktsnap_map *m = &smp.snapshot.report->maps[k];

			if (m->layout != KTSNAP_LAYOUT_VALUE && m->raw)
				assert_false(ktsnap_map_is_rendered(m));
		}
	}
}

static bool key_is(const struct ktsnap_entry *e, void *ctx)
{
	uint64_t k;

	return !ktsnap_field__as_u64(ktsnap_entry__key(*e, ""), &k, NULL) && k == *(uint64_t *)ctx;
}

/* big_hash[key KEY].weight, or the lookup's error. */
static int weight_of_key(struct ktsnap_snapshot snap, struct ktsnap_series_value *out, void *ctx)
{
	uint64_t key = *(uint64_t *)ctx;
	struct ktsnap_entry e =
		ktsnap_map_view__find(ktsnap_snapshot__map(snap, "big_hash"), key_is, &key);

	if (!ktsnap_entry__is_present(e)) {
		*out = ktsnap_series_err(*ktsnap_entry__error(&e));
		return 0;
	}
	out->ok = !ktsnap_field__as_u64(ktsnap_entry__get(e, "weight"), &out->v.u64, &out->err);
	return 0;
}

static void set_sample_values(struct ktbig *big, uint32_t i, int ncpus)
{
	struct kt_big_val v = { .runtime_ns = KEY * 1000ULL,
				.vtime = KEY,
				.weight = 1000 + i,
				.pid = KEY,
				.cpu = KEY % 2,
				.nr_runs = KEY * 3ULL };
	uint64_t *pc = calloc((size_t)ncpus, sizeof(*pc));
	uint32_t k = KEY, idx = 3;
	int c;

	assert_non_null(pc);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(big->maps.big_hash), &k, &v, BPF_ANY), 0);
	for (c = 0; c < ncpus; c++)
		pc[c] = i + (uint64_t)c;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(big->maps.pcpu_big), &idx, pc, BPF_ANY),
			 0);
	free(pc);
}

static void project_after_release(void **state)
{
	struct ktsnap_sample_series *s = ktsnap_sample_series__new();
	struct ktsnap_series_field *f;
	struct ktsnap_sample smp;
	struct ktsnap_entry kept;
	struct ktbig *big;
	uint64_t key = KEY, u;
	int ncpus = libbpf_num_possible_cpus(), pass, len;
	uint32_t ids[2], i;
	char before[2048], after[2048];
	char **names;

	(void)state;
	assert_non_null(s);
	assert_true(ncpus > 0);
	assert_int_equal(kt_big_open(&big), 0);
	assert_int_equal(kt_big_fill(big, ENTRIES), 0);
	ids[0] = kt_map_id(bpf_map__fd(big->maps.big_hash));
	ids[1] = kt_map_id(bpf_map__fd(big->maps.pcpu_big));
	for (i = 0; i < SAMPLES; i++) {
		KTSNAP_OPTS(ktsnap_capture_opts, opts, .map_ids = ids, .nr_map_ids = 2,
			    .maps_only = true);
		struct ktsnap_report *r;
		char tag[32];

		set_sample_values(big, i, ncpus);
		assert_int_equal(ktsnap_capture(&opts, &r), 0);
		snprintf(tag, sizeof(tag), KTSNAP_PERIODIC_TAG_FMT, (unsigned int)i);
		assert_int_equal(ktsnap_sample_series__push(s, tag, r, NULL, NULL, NULL, NULL), 0);
	}
	assert_all_dropped(s);

	/* twice: the second pass renders everything again from the raw bytes */
	for (pass = 0; pass < 2; pass++) {
		f = ktsnap_sample_series__bpf(s, "weight", KTSNAP_SERIES_U64, weight_of_key, &key);
		assert_non_null(f);
		for (i = 0; i < SAMPLES; i++) {
			assert_true(ktsnap_series_field__value(f, i)->ok);
			assert_int_equal(ktsnap_series_field__value(f, i)->v.u64, 1000 + i);
		}
		ktsnap_series_field__free(f);
		assert_all_dropped(s);

		f = ktsnap_sample_series__map_field_cpu(s, "pcpu_big", 3, "", KTSNAP_CPU_SUM,
							KTSNAP_SERIES_U64);
		assert_non_null(f);
		for (i = 0; i < SAMPLES; i++) {
			uint64_t want = (uint64_t)ncpus * i + (uint64_t)ncpus * (ncpus - 1) / 2;

			assert_true(ktsnap_series_field__value(f, i)->ok);
			assert_int_equal(ktsnap_series_field__value(f, i)->v.u64, want);
		}
		ktsnap_series_field__free(f);
		assert_all_dropped(s);

		f = ktsnap_sample_series__map_field(s, "big_hash", 0, -1, "runtime_ns",
						    KTSNAP_SERIES_U64);
		assert_non_null(f);
		for (i = 0; i < SAMPLES; i++)
			assert_true(ktsnap_series_field__value(f, i)->ok);
		ktsnap_series_field__free(f);
		assert_all_dropped(s);
	}

	/* FieldNotFound lists the members of the dropped struct */
	assert_int_equal(ktsnap_sample_series__sample(s, 0, &smp), 0);
	{
		struct ktsnap_field fld = ktsnap_entry__get(
			ktsnap_map_view__at(ktsnap_snapshot__map(smp.snapshot, "big_hash"), 0),
			"no_such_member");

		assert_int_not_equal(ktsnap_field__as_u64(fld, &u, NULL), 0);
		len = ktsnap_error__format(ktsnap_field__error(&fld), before, sizeof(before));
		assert_true(len > 0 && (size_t)len < sizeof(before));
	}
	/* that view rendered sample 0's big_hash: release it by hand for the rest */
	assert_true(ktsnap_map_release_rendered(
		(struct ktsnap_map *)ktsnap_snapshot__map(smp.snapshot, "big_hash").map));
	f = ktsnap_sample_series__map_field(s, "big_hash", 0, -1, "no_such_member",
					    KTSNAP_SERIES_U64);
	assert_non_null(f);
	assert_all_dropped(s);
	for (i = 0; i < SAMPLES; i++) {
		const struct ktsnap_series_value *v = ktsnap_series_field__value(f, i);

		assert_false(v->ok);
		assert_int_equal(ktsnap_error__kind(&v->err), KTSNAP_ERR_FIELD_NOT_FOUND);
		len = ktsnap_error__format(&v->err, after, sizeof(after));
		assert_true(len > 0 && (size_t)len < sizeof(after));
		if (i == 0)
			assert_string_equal(after, before);
		assert_non_null(strstr(after, "\"weight\""));
		assert_non_null(strstr(after, "\"runtime_ns\""));
	}
	ktsnap_series_field__free(f);

	/* NoMatch samples keys of a dropped map: rendered again to format */
	key = 1u << 30;
	f = ktsnap_sample_series__bpf(s, "missing", KTSNAP_SERIES_U64, weight_of_key, &key);
	assert_non_null(f);
	assert_all_dropped(s);
	assert_false(ktsnap_series_field__value(f, 0)->ok);
	assert_int_equal(ktsnap_error__kind(&ktsnap_series_field__value(f, 0)->err),
			 KTSNAP_ERR_NO_MATCH);
	len = ktsnap_error__format(&ktsnap_series_field__value(f, 0)->err, after, sizeof(after));
	assert_true(len > 0);
	assert_null(strstr(after, "hex:"));
	assert_non_null(strstr(after, "first 3"));
	ktsnap_series_field__free(f);

	/* a map the caller rendered first keeps its tree and the caller's view */
	assert_int_equal(ktsnap_sample_series__sample(s, 5, &smp), 0);
	key = KEY;
	kept = ktsnap_map_view__find(ktsnap_snapshot__map(smp.snapshot, "big_hash"), key_is, &key);
	assert_true(ktsnap_entry__is_present(kept));
	f = ktsnap_sample_series__bpf(s, "weight", KTSNAP_SERIES_U64, weight_of_key, &key);
	assert_non_null(f);
	assert_true(ktsnap_map_is_rendered(kept.map));
	assert_int_equal(ktsnap_field__as_u64(ktsnap_entry__get(kept, "weight"), &u, NULL), 0);
	assert_int_equal(u, 1005);
	ktsnap_series_field__free(f);

	/* member names come out of dropped trees as copies */
	names = ktsnap_sample_series__map_member_names(s, "big_hash", 0, KTSNAP_MEMBERS_ALL);
	assert_non_null(names);
	assert_non_null(names[0]);
	assert_string_equal(names[0], "runtime_ns");
	ktsnap_strv__free(names);

	ktsnap_sample_series__free(s);
	kt_big_close(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(project_after_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
