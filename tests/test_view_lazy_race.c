// SPDX-License-Identifier: MIT
/*
 * Lookups on a big unrendered map from several threads while another
 * renders it whole: two threads find / max_by / at on the same 10k-entry
 * capture (scratch renders, single entries rendered under the render
 * lock) while a third renders the map (ktsnap_map__entry).  Every entry
 * read must be right, before and after the render.  Also: two threads
 * asking at once for the elements of the same flat arrays (a rendered
 * map's u8[8] tags, whose element nodes are made on first demand).  Run
 * under TSan (label tsan), where a race fails the test.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <bpf/libbpf.h>

#include <ktsnap/capture.h>
#include <ktsnap/view.h>
#include "fixture.h"
#include "ktsched.h"
#include "ktbig.skel.h"

#define ENTRIES 10000
#define ROUNDS 3
#define LOOKUPS 4

/* entries the finders' first walks have seen: the render starts when
 * they are under way */
static atomic_int walked;

struct finder {
	struct ktsnap_map_view mv;
	uint64_t first_key;
	int bad; /* wrong reads seen */
};

static uint64_t u64_of(struct ktsnap_field f)
{
	uint64_t v = UINT64_MAX;

	ktsnap_field__as_u64(f, &v, NULL);
	return v;
}

static bool key_is(const struct ktsnap_entry *e, void *ctx)
{
	return u64_of(ktsnap_entry__key(*e, "")) == *(uint64_t *)ctx;
}

static bool count_none(const struct ktsnap_entry *e, void *ctx)
{
	(void)e;
	(void)ctx;
	atomic_fetch_add(&walked, 1);
	return false;
}

static uint64_t enq_ns(const struct ktsnap_entry *e, void *ctx)
{
	(void)ctx;
	return u64_of(ktsnap_entry__get(*e, "enq_ns"));
}

/* big_task_ctx's entry for key k holds vtime k * 1000003 */
static bool right(struct ktsnap_entry e, uint64_t k)
{
	return ktsnap_entry__is_present(e) && u64_of(ktsnap_entry__key(e, "")) == k &&
	       u64_of(ktsnap_entry__get(e, "vtime")) == k * 1000003ULL;
}

static void *find_loop(void *arg)
{
	struct finder *f = arg;
	struct ktsnap_entry kept[LOOKUPS], e;
	uint64_t k;
	int i;

	/* whole walks first (no lock taken): they overlap the render */
	e = ktsnap_map_view__find(f->mv, count_none, NULL);
	f->bad += ktsnap_entry__is_present(e);
	e = ktsnap_map_view__max_by(f->mv, enq_ns, NULL);
	f->bad += !right(e, ENTRIES - 1);
	for (i = 0; i < LOOKUPS; i++) {
		k = f->first_key + (uint64_t)i * 1111;
		kept[i] = ktsnap_map_view__find(f->mv, key_is, &k);
		f->bad += !right(kept[i], k);
		e = ktsnap_map_view__at(f->mv, (size_t)i * 997);
		f->bad += !right(e, u64_of(ktsnap_entry__key(e, "")));
	}
	e = ktsnap_map_view__max_by(f->mv, enq_ns, NULL);
	f->bad += !right(e, ENTRIES - 1);
	/* what was returned before the other thread's render still reads */
	for (i = 0; i < LOOKUPS; i++)
		f->bad += !right(kept[i], f->first_key + (uint64_t)i * 1111);
	return NULL;
}

static void *render(void *arg)
{
	const struct ktsnap_map *m = arg;

	while (atomic_load(&walked) < 1000)
		sched_yield();
	return (void *)(intptr_t)!ktsnap_map__entry(m, 0);
}

static void find_while_rendering(void **state)
{
	struct ktbig *big = *state;
	uint32_t id = kt_map_id(bpf_map__fd(big->maps.big_task_ctx));
	int round;

	for (round = 0; round < ROUNDS; round++) {
		KTSNAP_OPTS(ktsnap_capture_opts, opts, .map_ids = &id, .nr_map_ids = 1,
			    .max_hash_entries = KTSNAP_CAP_NONE, .maps_only = true);
		struct ktsnap_report *r = NULL;
		struct finder f[2];
		pthread_t t[3];
		void *rerr;
		int i;

		assert_int_equal(ktsnap_capture(&opts, &r), 0);
		atomic_store(&walked, 0);
		for (i = 0; i < 2; i++) {
			f[i] = (struct finder){
				.mv = ktsnap_snapshot__map(ktsnap_snapshot__new(r), "big_task_ctx"),
				.first_key = 100 + (uint64_t)i * 4000 + (uint64_t)round,
			};
			assert_true(ktsnap_map_view__is_ok(f[i].mv));
			assert_int_equal(pthread_create(&t[i], NULL, find_loop, &f[i]), 0);
		}
		assert_int_equal(pthread_create(&t[2], NULL, render, (void *)f[0].mv.map), 0);
		for (i = 0; i < 2; i++) {
			pthread_join(t[i], NULL);
			assert_int_equal(f[i].bad, 0);
		}
		pthread_join(t[2], &rerr);
		assert_null(rerr);
		ktsnap_report__free(r);
	}
}

struct tagger {
	const struct ktsnap_map *m;
	const struct ktsnap_value *first[ENTRIES]; /* &tag[0] of each entry */
	uint64_t sum;
};

static void *tag_walk(void *arg)
{
	struct tagger *t = arg;
	size_t i, j;

	for (i = 0; i < ENTRIES; i++) {
		const struct ktsnap_value *tag = ktsnap_value__member(
			ktsnap_map_entry__value(ktsnap_map__entry(t->m, i)), "tag");

		for (j = 0; j < 8; j++)
			t->sum += ktsnap_value__uint(ktsnap_value__index(tag, j)) << (j % 4 * 8);
		t->first[i] = ktsnap_value__index(tag, 0);
	}
	return NULL;
}

static void flat_elements_from_threads(void **state)
{
	struct ktbig *big = *state;
	uint32_t id = kt_map_id(bpf_map__fd(big->maps.big_task_ctx));
	KTSNAP_OPTS(ktsnap_capture_opts, opts, .map_ids = &id, .nr_map_ids = 1,
		    .max_hash_entries = KTSNAP_CAP_NONE, .maps_only = true);
	static struct tagger t[2];
	struct ktsnap_report *r = NULL;
	const struct ktsnap_map *m;
	pthread_t th[2];
	size_t i;

	assert_int_equal(ktsnap_capture(&opts, &r), 0);
	m = ktsnap_report__map_by_index(r, 0);
	assert_non_null(ktsnap_map__entry(m, 0)); /* renders the map whole */
	for (i = 0; i < 2; i++) {
		t[i] = (struct tagger){ .m = m };
		assert_int_equal(pthread_create(&th[i], NULL, tag_walk, &t[i]), 0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_true(t[0].sum != 0);
	assert_true(t[0].sum == t[1].sum);
	/* each array's nodes were made once: both threads got the same ones */
	for (i = 0; i < ENTRIES; i++) {
		assert_non_null(t[0].first[i]);
		assert_ptr_equal(t[0].first[i], t[1].first[i]);
	}
	ktsnap_report__free(r);
}

static int setup(void **state)
{
	struct ktbig *big;

	if (kt_big_open(&big))
		return -1;
	if (kt_big_task_fill(big, ENTRIES)) {
		kt_big_close(big);
		return -1;
	}
	*state = big;
	return 0;
}

static int teardown(void **state)
{
	kt_big_close(*state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(find_while_rendering),
		cmocka_unit_test(flat_elements_from_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
