// SPDX-License-Identifier: MIT
/*
 * The worked example of the guide's "Snapshots" chapter, in C: wire a
 * bridge for the duration of a scenario, capture once "after_spawn",
 * drain the bridge, and read the capture through the typed views — a
 * top-level global, a map, its first entry and a nested field.
 *
 * The "scheduler" is the ktsched BPF fixture (sched_ext is not needed);
 * the "scenario" is a burst of context switches that its tracepoint
 * program counts.  Run as root.  Exit status 0 when every read worked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/ktsnap.h>
#include <ktsnap/view.h>

#include <bpf/libbpf.h>

#include "fixture.h"
#include "ktsched.h"
#include "ktsched.skel.h"

/* What Op::snapshot("after_spawn") does inside a scenario. */
static void snapshot_op(struct ktsnap_bridge *b, void *name)
{
	ktsnap_bridge__capture(b, name);
}

static void print_error(const char *what, const struct ktsnap_error *err)
{
	char buf[2048];

	ktsnap_error__format(err, buf, sizeof(buf));
	fprintf(stderr, "%s: %s\n", what, buf);
}

int main(void)
{
	KTSNAP_OPTS(ktsnap_capture_opts, opts, .maps_only = true);
	uint32_t ids[32];
	struct bpf_map *map;
	size_t nr_ids = 0;
	const struct ktsnap_drained_entry *captured;
	struct ktsnap_bridge *bridge, *handle;
	struct ktsnap_bridge_guard guard;
	struct ktsnap_drain *drain = NULL;
	struct ktsched *sched = NULL;
	struct ktsnap_snapshot snap;
	struct ktsnap_error err;
	struct ktsnap_entry first;
	uint64_t nr_cpus, weight;
	int ret = 1, e;

	e = kt_sched_open(&sched, true);
	if (e) {
		fprintf(stderr, "loading the ktsched fixture: %s\n", strerror(-e));
		return 1;
	}
	/* Capture this scheduler's maps only (others may be loaded). */
	bpf_object__for_each_map(map, sched->obj)
		if (nr_ids < sizeof(ids) / sizeof(ids[0]))
			ids[nr_ids++] = kt_map_id(bpf_map__fd(map));
	opts.map_ids = ids;
	opts.nr_map_ids = nr_ids;

	/* Wire a bridge for the duration of the scenario: production
	 * captures the live kernel's BPF state. */
	bridge = ktsnap_bridge__new(ktsnap_capture_callback_live, &opts, NULL);
	if (!bridge)
		goto out;
	handle = ktsnap_bridge__ref(bridge);
	guard = ktsnap_bridge__set_thread_local(bridge);

	/* Run the scenario, capturing once after spawn. */
	kt_sched_tick();
	ktsnap_with_active_bridge(snapshot_op, "after_spawn");
	ktsnap_bridge_guard__release(&guard);

	/* Drain the bridge and inspect the captured report. */
	drain = ktsnap_bridge__drain(handle);
	ktsnap_bridge__unref(handle);
	captured = drain ? ktsnap_drain__find(drain, "after_spawn") : NULL;
	if (!captured) {
		fprintf(stderr, "snapshot 'after_spawn' missing\n");
		goto out;
	}
	snap = ktsnap_snapshot__named(captured->report, captured->tag);
	if (ktsnap_snapshot__is_placeholder(snap)) {
		fprintf(stderr, "snapshot 'after_spawn' is a placeholder: %s\n",
			ktsnap_snapshot__scx_walker_unavailable(snap));
		goto out;
	}

	/* Top-level scalar. */
	if (ktsnap_field__as_u64(ktsnap_snapshot__var(snap, "nr_cpus_onln"), &nr_cpus, &err)) {
		print_error("nr_cpus_onln", &err);
		goto out;
	}
	printf("captured nr_cpus_onln = %llu\n", (unsigned long long)nr_cpus);

	/* A map, its first entry, a nested field. */
	first = ktsnap_map_view__at(ktsnap_snapshot__map(snap, "task_ctx"), 0);
	if (ktsnap_field__as_u64(ktsnap_entry__get(first, "ctx.weight"), &weight, &err)) {
		print_error("task_ctx[0].ctx.weight", &err);
		goto out;
	}
	printf("task_ctx[0].ctx.weight = %llu\n", (unsigned long long)weight);

	/* A typo shows what was there instead. */
	if (ktsnap_field__as_u64(ktsnap_entry__get(first, "ctx.wieght"), &weight, &err))
		print_error("task_ctx[0].ctx.wieght (expected to fail)", &err);
	ret = 0;
out:
	ktsnap_drain__free(drain);
	kt_sched_close(sched);
	return ret;
}
