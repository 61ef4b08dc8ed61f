// SPDX-License-Identifier: MIT
/*
 * bench_capture: one map, three ways, in the same run.
 *   ktsnap     ktsnap_capture() of the map into memory (raw copy; values
 *              are rendered later, on first access)
 *   raw batch  the lower bound: BPF_MAP_LOOKUP_BATCH into a preallocated
 *              buffer, nothing else
 *   bpftool    `bpftool -j map dump id N > /dev/null`
 * on a hash of 48-byte structs with 1k / 10k / 100k entries.  Medians.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <ktsnap/capture.h>
#include "bench_util.h"
#include "fixture.h"
#include "ktsched.h"
#include "ktbig.skel.h"

static double time_ktsnap(uint32_t id, uint32_t expect)
{
	KTSNAP_OPTS(ktsnap_capture_opts, opts, .map_ids = &id, .nr_map_ids = 1,
		    .max_hash_entries = KTSNAP_CAP_NONE, .maps_only = true);
	struct ktsnap_report *r;
	double t = kt_bench_now_ms();

	if (ktsnap_capture(&opts, &r)) {
		fprintf(stderr, "capture failed: %s\n", ktsnap_errmsg());
		exit(1);
	}
	t = kt_bench_now_ms() - t;
	if (ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 0)) != expect) {
		fprintf(stderr, "capture saw %zu entries, want %u\n",
			ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 0)), expect);
		exit(1);
	}
	ktsnap_report__free(r);
	return t;
}

static double time_raw(int fd, uint32_t n)
{
	uint32_t *keys = malloc((n + 1) * sizeof(*keys)), got = 0, in, out;
	struct kt_big_val *vals = malloc((n + 1) * sizeof(*vals));
	void *inp = NULL;
	double t = kt_bench_now_ms();

	for (;;) {
		__u32 count = n + 1 - got;
		int err = bpf_map_lookup_batch(fd, inp, &out, keys + got, vals + got, &count, NULL);

		got += count;
		if (err)
			break;
		in = out;
		inp = &in;
	}
	t = kt_bench_now_ms() - t;
	if (got != n) {
		fprintf(stderr, "raw batch saw %u entries, want %u\n", got, n);
		exit(1);
	}
	free(keys);
	free(vals);
	return t;
}

static double time_bpftool(uint32_t id)
{
	char cmd[128];
	double t;

	snprintf(cmd, sizeof(cmd), "bpftool -j map dump id %u > /dev/null", id);
	t = kt_bench_now_ms();
	if (system(cmd)) {
		fprintf(stderr, "bpftool failed\n");
		exit(1);
	}
	return kt_bench_now_ms() - t;
}

int main(void)
{
	static const uint32_t sizes[] = { 1000, 10000, 100000 };
	size_t s;

	printf("%-8s %12s %12s %12s %10s %10s\n", "entries", "ktsnap ms", "raw ms", "bpftool ms",
	       "ktsnap/raw", "bpftool/ktsnap");
	for (s = 0; s < 3; s++) {
		struct ktbig *big;
		double k[7], r[7], b[3];
		uint32_t id;
		int fd, i, err;

		if ((err = kt_big_open(&big)) || (err = kt_big_fill(big, sizes[s]))) {
			fprintf(stderr, "loading ktbig: %s\n", strerror(-err));
			return 1;
		}
		fd = bpf_map__fd(big->maps.big_hash);
		id = kt_map_id(fd);
		for (i = 0; i < 7; i++) {
			k[i] = time_ktsnap(id, sizes[s]);
			r[i] = time_raw(fd, sizes[s]);
		}
		for (i = 0; i < 3; i++)
			b[i] = time_bpftool(id);
		double km = kt_bench_median(k, 7), rm = kt_bench_median(r, 7),
		       bm = kt_bench_median(b, 3);

		printf("%-8u %12.3f %12.3f %12.1f %10.2f %10.1f\n", sizes[s], km, rm, bm, km / rm,
		       bm / km);
		kt_big_close(big);
	}
	return 0;
}
