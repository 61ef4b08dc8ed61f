// SPDX-License-Identifier: MIT
/*
 * bench_render: the lazy render of a captured 100k-entry hash.
 *
 * Loads ktbig, fills big_task_ctx (a task context: nested struct, enum,
 * bitfields, u8[8]) and big_hash (a struct of plain integers) with 100k
 * entries each, captures each map alone, and times the first access to an
 * entry's value, which renders the whole map.  Reports the render time,
 * the growth of the resident set across the render, the process peak and
 * the bytes per entry, against the targets (≤ 60 ms, ≤ 40 MB).  Every
 * node is then walked once through the public accessors to prove that the
 * trees are complete.  Needs root.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <ktsnap/capture.h>
#include <ktsnap/report.h>

#include "bench_util.h"
#include "fixture.h"
#include "ktbig.skel.h"

#define NR_ENTRIES 100000
#define TARGET_MS 60.0
#define TARGET_MB 40.0

struct walk {
	uint64_t nodes;
	uint64_t sum; /* every integer-ish scalar, wrapping */
};

static void walk(const struct ktsnap_value *v, struct walk *w)
{
	size_t i, n;

	if (!v)
		return;
	w->nodes++;
	switch (ktsnap_value__kind(v)) {
	case KTSNAP_VALUE_UINT:
	case KTSNAP_VALUE_PTR:
		w->sum += ktsnap_value__uint(v);
		break;
	case KTSNAP_VALUE_INT:
	case KTSNAP_VALUE_ENUM:
		w->sum += (uint64_t)ktsnap_value__int(v);
		break;
	case KTSNAP_VALUE_CHAR:
		w->sum += ktsnap_value__char(v);
		break;
	case KTSNAP_VALUE_BOOL:
		w->sum += ktsnap_value__bool(v);
		break;
	case KTSNAP_VALUE_STRUCT:
		n = ktsnap_value__member_count(v);
		for (i = 0; i < n; i++)
			walk(ktsnap_value__member_at(v, i, NULL), w);
		break;
	case KTSNAP_VALUE_ARRAY:
		n = ktsnap_value__element_count(v);
		for (i = 0; i < n; i++)
			walk(ktsnap_value__index(v, i), w);
		break;
	case KTSNAP_VALUE_TRUNCATED:
		walk(ktsnap_value__truncated_partial(v), w);
		break;
	default:
		break;
	}
}

/* Capture map @id alone, render it, walk it; false on failure. */
static bool bench_map(const char *name, uint32_t id)
{
	KTSNAP_OPTS(ktsnap_capture_opts, opts, .map_ids = &id, .nr_map_ids = 1,
		    .max_hash_entries = KTSNAP_CAP_NONE, .maps_only = true);
	const struct ktsnap_map *m;
	struct ktsnap_report *r;
	struct walk w = { 0 };
	long long rss0, rss1;
	double t, mb;
	size_t i, n;
	bool ok;

	if (ktsnap_capture(&opts, &r)) {
		fprintf(stderr, "capture of %s failed: %s\n", name, ktsnap_errmsg());
		return false;
	}
	m = ktsnap_report__map_by_index(r, 0);
	n = ktsnap_map__entry_count(m);
	if (n != NR_ENTRIES) {
		fprintf(stderr, "%s: captured %zu entries, want %u\n", name, n, NR_ENTRIES);
		ktsnap_report__free(r);
		return false;
	}
	rss0 = kt_bench_status_bytes("VmRSS:");
	t = kt_bench_now_ms();
	if (!ktsnap_map_entry__value(ktsnap_map__entry(m, 0))) {
		fprintf(stderr, "%s: render failed\n", name);
		ktsnap_report__free(r);
		return false;
	}
	t = kt_bench_now_ms() - t;
	rss1 = kt_bench_status_bytes("VmRSS:");
	for (i = 0; i < n; i++) {
		const struct ktsnap_map_entry *e = ktsnap_map__entry(m, i);

		walk(ktsnap_map_entry__key(e), &w);
		walk(ktsnap_map_entry__value(e), &w);
	}
	mb = (rss1 - rss0) / 1048576.0;
	ok = t <= TARGET_MS && mb <= TARGET_MB;
	printf("%-13s render %7.1f ms  rss +%6.1f MB (%5.0f B/entry)  peak %6.1f MB  "
	       "walk %" PRIu64 " nodes sum %" PRIu64 "  [%s]\n",
	       name, t, mb, (double)(rss1 - rss0) / n, kt_bench_status_bytes("VmHWM:") / 1048576.0,
	       w.nodes, w.sum, ok ? "met" : "NOT MET");
	ktsnap_report__free(r);
	return true;
}

int main(void)
{
	struct ktbig *skel;
	int err;

	err = kt_big_open(&skel);
	if (err) {
		fprintf(stderr, "loading ktbig failed (%d): run as root\n", err);
		return 1;
	}
	err = kt_big_task_fill(skel, NR_ENTRIES);
	if (!err)
		err = kt_big_fill(skel, NR_ENTRIES);
	if (err) {
		fprintf(stderr, "filling the maps failed: %d\n", err);
		kt_big_close(skel);
		return 1;
	}
	printf("full render of %u entries; targets: <= %.0f ms, <= %.0f MB\n", NR_ENTRIES,
	       TARGET_MS, TARGET_MB);
	err = !bench_map("big_task_ctx", kt_map_id(bpf_map__fd(skel->maps.big_task_ctx))) ||
	      !bench_map("big_hash", kt_map_id(bpf_map__fd(skel->maps.big_hash)));
	kt_big_close(skel);
	return err;
}
