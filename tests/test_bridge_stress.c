// SPDX-License-Identifier: MIT
/*
 * Eight threads capture, store, drain and read events on one bridge at
 * once (run under ThreadSanitizer by `make check-tsan`).  Afterwards every
 * report that was stored is accounted for exactly once: it came out of a
 * drain, or an Eviction event named it.  The tag counts are kept below the
 * event cap so no event can be dropped and the accounting is exact.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ktsnap/bridge.h>

#define NR_THREADS 8
#define ITERS 100 /* per thread: ≤ 800 events in all, below the 1024 cap */
#define ROUNDS 20 /* fresh bridge per round: more overlap, same bound */
#define TAG_LEN 24

struct taglist {
	char (*tags)[TAG_LEN];
	size_t nr, cap;
};

/* Everything one thread saw; merged by the main thread after join. */
struct worker {
	struct ktsnap_bridge *b;
	pthread_barrier_t *start;
	int id;
	struct taglist stored; /* tags whose store succeeded */
	struct taglist drained; /* tags that came out of a drain */
	struct taglist evicted; /* tags named by Eviction events */
	size_t unavailable_tried; /* captures that returned false */
	size_t unavailable_seen; /* CaptureUnavailable events drained */
	size_t truncated; /* EventLogTruncated markers seen */
	size_t overwrites; /* Overwrite events (must stay 0) */
	bool failed;
};

static void push(struct taglist *l, const char *tag)
{
	if (l->nr == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->tags = realloc(l->tags, l->cap * TAG_LEN);
		if (!l->tags)
			abort();
	}
	snprintf(l->tags[l->nr++], TAG_LEN, "%s", tag);
}

/* Tags starting with "u" are "unavailable": the callback returns NULL. */
static struct ktsnap_report *stress_capture(const char *name, void *ctx)
{
	if (name[0] == 'u')
		return NULL;
	return name[0] == 'p' ? ktsnap_report__placeholder("stress") : ktsnap_report__new();
}

static void take_drain(struct worker *w, struct ktsnap_drain *d)
{
	size_t i;

	if (!d) {
		w->failed = true;
		return;
	}
	for (i = 0; i < ktsnap_drain__count(d); i++)
		push(&w->drained, ktsnap_drain__entry(d, i)->tag);
	ktsnap_drain__free(d);
}

static void take_events(struct worker *w, struct ktsnap_bridge_events *evs)
{
	const struct ktsnap_bridge_event *ev;
	size_t i;

	if (!evs) {
		w->failed = true;
		return;
	}
	for (i = 0; i < ktsnap_bridge_events__count(evs); i++) {
		ev = ktsnap_bridge_events__at(evs, i);
		switch (ev->kind) {
		case KTSNAP_BRIDGE_EVENT_EVICTION:
			push(&w->evicted, ev->evicted_tag);
			break;
		case KTSNAP_BRIDGE_EVENT_CAPTURE_UNAVAILABLE:
			w->unavailable_seen++;
			break;
		case KTSNAP_BRIDGE_EVENT_EVENT_LOG_TRUNCATED:
			w->truncated++;
			break;
		case KTSNAP_BRIDGE_EVENT_OVERWRITE:
			w->overwrites++;
			break;
		default:
			w->failed = true;
		}
	}
	ktsnap_bridge_events__free(evs);
}

static void *worker_main(void *p)
{
	struct worker *w = p;
	struct ktsnap_stats stats = ktsnap_stats_json("{\"n\":1}");
	struct ktsnap_bridge_counts c;
	struct ktsnap_bridge *h;
	char tag[TAG_LEN];
	uint64_t ms;
	int i;

	pthread_barrier_wait(w->start);
	for (i = 0; i < ITERS; i++) {
		/* A handle of our own per iteration exercises the refcount. */
		h = ktsnap_bridge__ref(w->b);
		ms = (uint64_t)i;
		switch (i % 6) {
		case 0:
			snprintf(tag, sizeof(tag), "u%d_%d", w->id, i);
			if (ktsnap_bridge__capture(h, tag))
				w->failed = true;
			else
				w->unavailable_tried++;
			break;
		case 1:
			snprintf(tag, sizeof(tag), "s%d_%d", w->id, i);
			if (ktsnap_bridge__store_with_stats(h, tag, ktsnap_report__new(), &stats,
							    &ms) == 0)
				push(&w->stored, tag);
			break;
		case 2:
			snprintf(tag, sizeof(tag), "c%d_%d", w->id, i);
			if (ktsnap_bridge__capture_with_step(h, tag, (uint16_t)i))
				push(&w->stored, tag);
			break;
		case 3:
			snprintf(tag, sizeof(tag), "p%d_%d", w->id, i);
			if (ktsnap_bridge__capture(h, tag))
				push(&w->stored, tag);
			/* Readers racing the writers; one counts snapshot is
			 * self-consistent. */
			c = ktsnap_bridge__counts(h);
			if (ktsnap_bridge__len(h) > KTSNAP_MAX_STORED_SNAPSHOTS ||
			    c.len > KTSNAP_MAX_STORED_SNAPSHOTS || c.periodic_real > c.len ||
			    c.events > KTSNAP_MAX_STORED_EVENTS)
				w->failed = true;
			(void)ktsnap_bridge__has(h, tag);
			(void)ktsnap_bridge__periodic_real_count(h);
			break;
		case 4:
			/*
			 * Four drains of ≤ 64 plus the final one cannot take
			 * all 408 stores, so evictions happen whatever the
			 * interleaving.
			 */
			if (i != 88 || !(w->id & 1))
				break;
			if (w->id == 3)
				take_drain(w, ktsnap_bridge__drain(h));
			else if (w->id == 5)
				take_drain(w, ktsnap_bridge__drain_ordered(h));
			else
				take_drain(w, ktsnap_bridge__drain_ordered_with_stats(h));
			break;
		case 5:
			if (i % 12 == 5)
				take_events(w, ktsnap_bridge__drain_events(h));
			break;
		}
		ktsnap_bridge__unref(h);
	}
	return NULL;
}

static int cmp_tag(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void merge(struct taglist *dst, const struct taglist *src)
{
	size_t i;

	for (i = 0; i < src->nr; i++)
		push(dst, src->tags[i]);
}

static void one_round(void)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(stress_capture, NULL, NULL);
	struct worker w[NR_THREADS] = {}, last = {};
	struct taglist stored = {}, out = {};
	size_t unavailable_tried = 0, unavailable_seen = 0, evicted = 0, i;
	pthread_barrier_t start;
	pthread_t t[NR_THREADS];

	assert_non_null(b);
	pthread_barrier_init(&start, NULL, NR_THREADS);
	for (i = 0; i < NR_THREADS; i++) {
		w[i].b = b;
		w[i].start = &start;
		w[i].id = (int)i;
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&start);

	/* What the threads left behind. */
	last.b = b;
	take_drain(&last, ktsnap_bridge__drain_ordered_with_stats(b));
	take_events(&last, ktsnap_bridge__drain_events(b));
	assert_true(ktsnap_bridge__is_empty(b));
	assert_int_equal(ktsnap_bridge__counts(b).events, 0);

	for (i = 0; i <= NR_THREADS; i++) {
		struct worker *x = i < NR_THREADS ? &w[i] : &last;

		assert_false(x->failed);
		assert_int_equal(x->truncated, 0);
		assert_int_equal(x->overwrites, 0);
		merge(&stored, &x->stored);
		merge(&out, &x->drained);
		merge(&out, &x->evicted);
		evicted += x->evicted.nr;
		unavailable_tried += x->unavailable_tried;
		unavailable_seen += x->unavailable_seen;
	}
	assert_int_equal(unavailable_tried, NR_THREADS * ((ITERS + 5) / 6));
	assert_int_equal(unavailable_seen, unavailable_tried);

	/* Same multiset: every stored tag came out exactly once. */
	assert_true(stored.nr > KTSNAP_MAX_STORED_SNAPSHOTS);
	assert_true(evicted > 0);
	assert_int_equal(out.nr, stored.nr);
	qsort(stored.tags, stored.nr, TAG_LEN, cmp_tag);
	qsort(out.tags, out.nr, TAG_LEN, cmp_tag);
	for (i = 0; i < stored.nr; i++) {
		assert_string_equal(stored.tags[i], out.tags[i]);
		if (i)
			assert_string_not_equal(stored.tags[i - 1], stored.tags[i]);
	}

	for (i = 0; i < NR_THREADS; i++) {
		free(w[i].stored.tags);
		free(w[i].drained.tags);
		free(w[i].evicted.tags);
	}
	free(last.drained.tags);
	free(last.evicted.tags);
	free(stored.tags);
	free(out.tags);
	ktsnap_bridge__unref(b);
}

static void every_report_accounted_once(void **state)
{
	int r;

	for (r = 0; r < ROUNDS; r++)
		one_round();
}

/* Thread-local installs on many threads at once never see each other. */
static void install_one(struct ktsnap_bridge *b, void *ctx)
{
	*(struct ktsnap_bridge **)ctx = b;
}

static void *tls_main(void *p)
{
	struct ktsnap_bridge *mine = p, *seen = NULL;
	int i, bad = 0;

	for (i = 0; i < ITERS; i++) {
		KTSNAP_BRIDGE_SCOPE(ktsnap_bridge__ref(mine));
		if (!ktsnap_with_active_bridge(install_one, &seen) || seen != mine)
			bad++;
		if (!ktsnap_bridge__capture(seen, "tls"))
			bad++;
	}
	if (ktsnap_with_active_bridge(install_one, &seen))
		bad++;
	return (void *)(intptr_t)bad;
}

static void thread_local_isolation(void **state)
{
	struct ktsnap_bridge *b[NR_THREADS];
	pthread_t t[NR_THREADS];
	void *bad;
	size_t i;

	for (i = 0; i < NR_THREADS; i++) {
		b[i] = ktsnap_bridge__new(stress_capture, NULL, NULL);
		assert_non_null(b[i]);
		assert_int_equal(pthread_create(&t[i], NULL, tls_main, b[i]), 0);
	}
	for (i = 0; i < NR_THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
		/* One tag, overwritten ITERS - 1 times. */
		assert_int_equal(ktsnap_bridge__len(b[i]), 1);
		assert_int_equal(ktsnap_bridge__counts(b[i]).events, ITERS - 1);
		ktsnap_bridge__unref(b[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_report_accounted_once),
		cmocka_unit_test(thread_local_isolation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
