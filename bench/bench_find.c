// SPDX-License-Identifier: MIT
/*
 * bench_find: find() and max_by() over a captured 100k-entry
 * big_task_ctx (48-byte task contexts: enum, bitfields, nested struct,
 * byte array), two ways:
 *   unrendered  the lookups on a fresh capture: each entry rendered into
 *               a scratch arena for the callback, only the returned
 *               entries rendered for good (the map stays unrendered)
 *   rendered    the map rendered whole first (what any lookup did
 *               before), then the same lookups on its trees
 * Medians of the times; the RSS the lookups (or the render) add, at peak
 * and after (kept while the report lives).  Needs root (loads ktbig).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include <ktsnap/capture.h>
#include <ktsnap/view.h>
#include "bench_util.h"
#include "fixture.h"
#include "ktsched.h"
#include "ktbig.skel.h"

#define ENTRIES 100000
#define RUNS 5

static uint64_t u64_of(struct ktsnap_field f)
{
	uint64_t v = 0;

	ktsnap_field__as_u64(f, &v, NULL);
	return v;
}

static bool key_is(const struct ktsnap_entry *e, void *ctx)
{
	return u64_of(ktsnap_entry__key(*e, "")) == *(uint64_t *)ctx;
}

static uint64_t enq_ns(const struct ktsnap_entry *e, void *ctx)
{
	(void)ctx;
	return u64_of(ktsnap_entry__get(*e, "enq_ns"));
}

struct run {
	double render_ms, find_ms, max_ms;
	long long peak, kept; /* bytes over the RSS before */
};

static struct ktsnap_report *capture(uint32_t id)
{
	KTSNAP_OPTS(ktsnap_capture_opts, opts, .map_ids = &id, .nr_map_ids = 1,
		    .max_hash_entries = KTSNAP_CAP_NONE, .maps_only = true);
	struct ktsnap_report *r;

	if (ktsnap_capture(&opts, &r)) {
		fprintf(stderr, "capture failed: %s\n", ktsnap_errmsg());
		exit(1);
	}
	if (ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 0)) != ENTRIES) {
		fprintf(stderr, "capture saw %zu entries, want %d\n",
			ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 0)), ENTRIES);
		exit(1);
	}
	return r;
}

static struct run one(uint32_t id, bool render_first)
{
	struct ktsnap_report *r = capture(id);
	struct ktsnap_map_view mv = ktsnap_snapshot__map(ktsnap_snapshot__new(r), "big_task_ctx");
	uint64_t key = ENTRIES * 3 / 4;
	struct ktsnap_entry e;
	struct run run = { 0 };
	long long rss0;
	double t;

	rss0 = kt_bench_status_bytes("VmRSS:");
	kt_bench_reset_peak();
	if (render_first) {
		t = kt_bench_now_ms();
		ktsnap_map__entry(mv.map, 0);
		run.render_ms = kt_bench_now_ms() - t;
	}
	t = kt_bench_now_ms();
	e = ktsnap_map_view__find(mv, key_is, &key);
	run.find_ms = kt_bench_now_ms() - t;
	if (u64_of(ktsnap_entry__key(e, "")) != key) {
		fprintf(stderr, "find: wrong entry\n");
		exit(1);
	}
	t = kt_bench_now_ms();
	e = ktsnap_map_view__max_by(mv, enq_ns, NULL);
	run.max_ms = kt_bench_now_ms() - t;
	if (u64_of(ktsnap_entry__key(e, "")) != ENTRIES - 1) {
		fprintf(stderr, "max_by: wrong entry\n");
		exit(1);
	}
	run.peak = kt_bench_status_bytes("VmHWM:") - rss0;
	run.kept = kt_bench_status_bytes("VmRSS:") - rss0;
	ktsnap_report__free(r);
	return run;
}

static void report(const char *name, uint32_t id, bool render_first)
{
	double render[RUNS], find[RUNS], max[RUNS];
	struct run first = { 0 }, run;
	int i;

	for (i = 0; i < RUNS; i++) {
		run = one(id, render_first);
		if (!i)
			first = run;
		render[i] = run.render_ms;
		find[i] = run.find_ms;
		max[i] = run.max_ms;
	}
	printf("  %-11s render %7.1f ms  find %6.1f ms  max_by %6.1f ms  "
	       "RSS +%6.1f MiB peak, +%6.1f MiB kept\n",
	       name, kt_bench_median(render, RUNS), kt_bench_median(find, RUNS),
	       kt_bench_median(max, RUNS), first.peak / 1048576.0, first.kept / 1048576.0);
}

int main(void)
{
	struct ktbig *big;
	uint32_t id;
	int err;

	if ((err = kt_big_open(&big)) || (err = kt_big_task_fill(big, ENTRIES))) {
		fprintf(stderr, "ktbig: %s (needs root)\n", strerror(-err));
		return 1;
	}
	id = kt_map_id(bpf_map__fd(big->maps.big_task_ctx));
	printf("big_task_ctx, %d entries (48-byte values), medians of %d runs\n", ENTRIES, RUNS);
	report("unrendered", id, false);
	report("rendered", id, true);
	kt_big_close(big);
	return 0;
}
