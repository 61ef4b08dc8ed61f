// SPDX-License-Identifier: MIT
/*
 * bench_series: the memory a SampleSeries holds and the cost of one
 * projection across it (issue 11): 64 captures of a 4096-entry hash of
 * 48-byte structs (ktbig's big_hash) kept in one series, then one member
 * projected from one entry of every sample.  Prints the raw key+value
 * bytes, the RSS the series adds before and after the projection (and
 * their ratio to the raw bytes; the target is <= 3x), and the time of
 * that projection and of a second one (projections drop the trees they
 * render, so each renders again).  Needs root; run under the BPF test lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include <ktsnap/capture.h>
#include <ktsnap/series.h>
#include "bench_util.h"
#include "fixture.h"
#include "ktsched.h"
#include "ktbig.skel.h"

#define SAMPLES 64
#define ENTRIES 4096

int main(void)
{
	struct ktsnap_sample_series *s = ktsnap_sample_series__new();
	struct ktsnap_series_field *f, *f2;
	struct ktbig *skel = NULL;
	long long rss0, rss1, rss2;
	double raw, t, t2;
	uint32_t id;
	size_t ok = 0;
	int i, err;

	err = kt_big_open(&skel);
	if (!err)
		err = kt_big_fill(skel, ENTRIES);
	if (err) {
		fprintf(stderr, "ktbig: %s\n", strerror(-err));
		return 1;
	}
	id = kt_map_id(bpf_map__fd(skel->maps.big_hash));
	rss0 = kt_bench_status_bytes("VmRSS:");
	for (i = 0; i < SAMPLES; i++) {
		KTSNAP_OPTS(ktsnap_capture_opts, opts, .map_ids = &id, .nr_map_ids = 1,
			    .maps_only = true);
		struct ktsnap_report *r;
		char tag[32];

		if (ktsnap_capture(&opts, &r)) {
			fprintf(stderr, "capture failed: %s\n", ktsnap_errmsg());
			return 1;
		}
		snprintf(tag, sizeof(tag), KTSNAP_PERIODIC_TAG_FMT, (unsigned int)i);
		if (ktsnap_sample_series__push(s, tag, r, NULL, NULL, NULL, NULL))
			return 1;
	}
	rss1 = kt_bench_status_bytes("VmRSS:");

	t = kt_bench_now_ms();
	f = ktsnap_sample_series__map_field(s, "big_hash", 0, -1, "weight", KTSNAP_SERIES_U64);
	t = kt_bench_now_ms() - t;
	rss2 = kt_bench_status_bytes("VmRSS:");
	for (i = 0; f && i < SAMPLES; i++)
		ok += ktsnap_series_field__value(f, (size_t)i)->ok;
	/* projections drop the trees they render: a second one renders again */
	t2 = kt_bench_now_ms();
	f2 = ktsnap_sample_series__map_field(s, "big_hash", 0, -1, "vtime", KTSNAP_SERIES_U64);
	t2 = kt_bench_now_ms() - t2;
	ktsnap_series_field__free(f2);

	raw = (double)SAMPLES * ENTRIES * (sizeof(uint32_t) + sizeof(struct kt_big_val));
	printf("series of %d samples x %d entries x %zu+%zu bytes: raw %.1f MiB\n", SAMPLES,
	       ENTRIES, sizeof(uint32_t), sizeof(struct kt_big_val), raw / 1048576);
	printf("  held (reports raw, nothing rendered): +%.1f MiB RSS = %.2fx raw\n",
	       (rss1 - rss0) / 1048576.0, (rss1 - rss0) / raw);
	printf("  after projecting big_hash[0].weight:  +%.1f MiB RSS = %.2fx raw (%zu/%d Ok)\n",
	       (rss2 - rss0) / 1048576.0, (rss2 - rss0) / raw, ok, SAMPLES);
	printf("  projection time: %.1f ms (%.2f ms/sample), a second projection %.1f ms; "
	       "peak RSS %.1f MiB\n",
	       t, t / SAMPLES, t2, kt_bench_status_bytes("VmHWM:") / 1048576.0);
	ktsnap_series_field__free(f);
	ktsnap_sample_series__free(s);
	kt_big_close(skel);
	return 0;
}
