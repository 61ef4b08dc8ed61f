// SPDX-License-Identifier: MIT
/*
 * bench_scenario: what freezing a scenario's workers costs a capture.
 * One step with 8 spinning workers; 20 captures of a 4096-entry hash of
 * 48-byte values (ktbig's big_hash) through the scenario's capture
 * callback with the workers frozen, then 20 without.  Medians of:
 *   freeze   cgroup.freeze written → "frozen 1" in cgroup.events
 *   capture  ktsnap_capture() of the map (the span of the map reads)
 *   thaw     cgroup.freeze 0 written
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include <ktsnap/scenario.h>
#include "fixture.h"
#include "bench_util.h"
#include "ktsched.h"
#include "ktbig.skel.h"

#define NR_CAPTURES 20

static int one_run(uint32_t id, bool freeze)
{
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .map_ids = &id, .nr_map_ids = 1,
		    .max_hash_entries = KTSNAP_CAP_NONE, .maps_only = true);
	KTSNAP_OPTS(ktsnap_workload, spin, .spin_us = 0);
	struct ktsnap_scenario *sc = ktsnap_scenario__new();
	struct ktsnap_bridge *b =
		sc ? ktsnap_bridge__new(ktsnap_scenario_capture_callback, sc, NULL) : NULL;
	KTSNAP_OPTS(ktsnap_scenario_run_opts, opts, .bridge = b, .capture = &copts,
		    .no_freeze = !freeze);
	double fr[NR_CAPTURES], cap[NR_CAPTURES], th[NR_CAPTURES], sk[NR_CAPTURES];
	struct ktsnap_drain *d = NULL;
	struct ktsnap_op nap = ktsnap_op_sleep(100);
	char tag[32];
	size_t i, n;
	int err = -ENOMEM;

	if (!b)
		goto out;
	ktsnap_scenario__add_step(sc);
	ktsnap_scenario__add_cgroup(sc, 1, "spin", 8, &spin);
	ktsnap_scenario__add_op(sc, 1, &nap);
	for (i = 0; i < NR_CAPTURES; i++) {
		struct ktsnap_op op;

		snprintf(tag, sizeof(tag), "c%zu", i);
		op = ktsnap_op_capture_snapshot(tag);
		ktsnap_scenario__add_op(sc, 1, &op);
	}
	err = ktsnap_scenario__run(sc, &opts);
	if (err) {
		fprintf(stderr, "run: %s\n", ktsnap_scenario__errmsg(sc));
		goto out;
	}
	n = ktsnap_scenario__capture_stat_count(sc);
	for (i = 0; i < n && i < NR_CAPTURES; i++) {
		const struct ktsnap_scenario_capture_stat *s = ktsnap_scenario__capture_stat(sc, i);

		fr[i] = s->freeze_ns / 1e6;
		cap[i] = s->capture_ns / 1e6;
		th[i] = s->thaw_ns / 1e6;
	}
	if (!i) {
		fprintf(stderr, "run: no capture ran\n");
		err = -ENODATA;
		goto out;
	}
	/* the skew the reports record: first map read's start to last one's end */
	d = ktsnap_bridge__drain_ordered(b);
	for (n = 0; d && n < ktsnap_drain__count(d) && n < NR_CAPTURES; n++)
		sk[n] = ktsnap_report__capture_skew_ns(ktsnap_drain__entry(d, n)->report) / 1e6;
	printf("%-10s freeze %7.3f ms   capture %7.3f ms   thaw %7.3f ms   skew %7.3f ms   "
	       "(median of %zu)\n",
	       freeze ? "frozen" : "unfrozen", kt_bench_median(fr, i), kt_bench_median(cap, i),
	       kt_bench_median(th, i), n ? kt_bench_median(sk, n) : 0.0, i);
out:
	ktsnap_drain__free(d);
	ktsnap_bridge__unref(b);
	ktsnap_scenario__free(sc);
	return err;
}

int main(void)
{
	struct ktbig *skel;
	uint32_t id;
	int err = kt_big_open(&skel);

	if (err) {
		fprintf(stderr, "loading ktbig: %s\n", strerror(-err));
		return 1;
	}
	err = kt_big_fill(skel, 4096);
	id = kt_map_id(bpf_map__fd(skel->maps.big_hash));
	printf("8 spinning workers, 4096-entry hash (48-byte values), %d captures each\n",
	       NR_CAPTURES);
	if (!err)
		err = one_run(id, true);
	if (!err)
		err = one_run(id, false);
	kt_big_close(skel);
	return err ? 1 : 0;
}
