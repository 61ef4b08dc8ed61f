// SPDX-License-Identifier: MIT
/*
 * bench_watch: latency from a write to a watched BPF global to the stored
 * capture it causes (spec §9, §12), p50 and p99.  The ktwatch fixture
 * bumps its .bss counter on every context switch and stamps
 * bpf_ktime_get_ns() next to it; the breakpoint's perf sample carries the
 * same clock (CLOCK_MONOTONIC) for the first write of each burst, and the
 * hit callback runs right after the bridge stored the capture.  Each
 * capture holds ktwatch's .bss and a hash of 100 or 4096 entries (ktbig),
 * so the two rows show what the capture's size adds.  Writes keep coming
 * during a capture, so the first write of the next burst waits for the
 * running capture: the latency is roughly queueing + one capture.
 * Run as root; not a test.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <ktsnap/bridge.h>
#include <ktsnap/capture.h>
#include <ktsnap/watch.h>
#include "bench_util.h"
#include "fixture.h"
#include "ktsched.h"
#include "ktbig.skel.h"
typedef __u32 kt_u32_unaligned __attribute__((aligned(1)));
#include "ktwatch.skel.h"

#define NR_HITS 200

struct lat {
	pthread_mutex_t lock;
	double us[NR_HITS];
	double capture_us[NR_HITS];
	int n;
	uint64_t last_done;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_hit(const struct ktsnap_watch_hit *h, void *ctx)
{
	struct lat *l = ctx;
	uint64_t now = mono_ns();

	pthread_mutex_lock(&l->lock);
	if (l->n < NR_HITS && h->stored) {
		l->us[l->n] = (double)(now - h->time_ns) / 1e3;
		/* capture alone: from the end of the previous one (the watcher
		 * starts the next capture right after) — an upper bound */
		l->capture_us[l->n] = l->last_done ? (double)(now - l->last_done) / 1e3 : 0;
		l->n++;
	}
	l->last_done = now;
	pthread_mutex_unlock(&l->lock);
}

static double pct(double *v, int n, int p)
{
	int i = n * p / 100;

	return v[i < n ? i : n - 1];
}

static int run(struct ktwatch *w, uint32_t entries)
{
	struct ktbig *big = NULL;
	struct lat l = { .lock = PTHREAD_MUTEX_INITIALIZER };
	uint32_t ids[2];
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .map_ids = ids, .nr_map_ids = 2,
		    .max_hash_entries = KTSNAP_CAP_NONE, .maps_only = true);
	KTSNAP_OPTS(ktsnap_watch_opts, wopts, .on_hit = on_hit, .hit_ctx = &l);
	struct ktsnap_bridge *b;
	int i, err;

	if ((err = kt_big_open(&big)) || (err = kt_big_fill(big, entries))) {
		fprintf(stderr, "ktbig: %s\n", strerror(-err));
		kt_big_close(big);
		return 1;
	}
	ids[0] = kt_map_id(bpf_map__fd(w->maps.bss));
	ids[1] = kt_map_id(bpf_map__fd(big->maps.big_hash));
	b = ktsnap_bridge__new(ktsnap_capture_callback_live, &copts, NULL);
	if (!b || !ktsnap_bridge__with_live_watch(b, &wopts) ||
	    ktsnap_bridge__register_watch(b, "ktwatch.bss:watch_hits")) {
		fprintf(stderr, "arming: %s\n", ktsnap_errmsg());
		ktsnap_bridge__unref(b);
		kt_big_close(big);
		return 1;
	}
	for (i = 0; i < 3000; i++) {
		pthread_mutex_lock(&l.lock);
		err = l.n >= NR_HITS;
		pthread_mutex_unlock(&l.lock);
		if (err)
			break;
		kt_sched_tick();
	}
	ktsnap_bridge__unref(b); /* disarms, joins the watcher */
	kt_big_close(big);
	if (!l.n) {
		fprintf(stderr, "no hits\n");
		return 1;
	}
	qsort(l.us, (size_t)l.n, sizeof(double), kt_bench_cmp_double);
	qsort(l.capture_us + 1, (size_t)l.n - 1, sizeof(double), kt_bench_cmp_double);
	printf("%5u-entry map  %3d hits  write→stored p50 %8.1f us  p99 %8.1f us"
	       "   (capture to capture p50 %8.1f us)\n",
	       entries, l.n, pct(l.us, l.n, 50), pct(l.us, l.n, 99),
	       l.n > 1 ? pct(l.capture_us + 1, l.n - 1, 50) : 0.0);
	return 0;
}

int main(void)
{
	struct ktwatch *w = ktwatch__open_and_load();
	int rc;

	if (!w || ktwatch__attach(w)) {
		fprintf(stderr, "loading ktwatch: %s\n", strerror(errno));
		ktwatch__destroy(w);
		return 1;
	}
	rc = run(w, 100) || run(w, 4096);
	ktwatch__destroy(w);
	return rc;
}
