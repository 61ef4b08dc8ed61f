/* SPDX-License-Identifier: MIT */
/*
 * Live capture: copy the BPF state of the running kernel into a report
 * (spec §3.2 and §12).  Needs CAP_SYS_ADMIN: the kernel enumerates BPF
 * map and program ids (BPF_*_GET_NEXT_ID) only for it; CAP_BPF with
 * CAP_PERFMON is not enough.
 */
#ifndef KTSNAP_CAPTURE_H
#define KTSNAP_CAPTURE_H

#include <ktsnap/report.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A cap value meaning "no cap" (a zero cap means "the spec default"). */
#define KTSNAP_CAP_NONE UINT32_MAX

struct ktsnap_capture_opts {
	size_t sz; /* sizeof(struct ktsnap_capture_opts) */
	/*
	 * Keep only the maps of one BPF object, named as its author names it
	 * (the skeleton name, "ticker_bpf") or as libbpf cuts it in the
	 * global-section map names ("ticker_b.bss"): its global sections,
	 * every map created with the same BTF object whatever its name, and
	 * every map its programs use.  Loaded copies of one object are all
	 * kept.  NULL: every map.
	 */
	const char *obj;
	/* Keep only maps with these exact names (NULL/0: no name filter). */
	const char *const *map_names;
	size_t nr_map_names;
	/* Keep only maps with these ids (NULL/0: no id filter). */
	const uint32_t *map_ids;
	size_t nr_map_ids;
	/* Entry caps; 0 = the spec default, KTSNAP_CAP_NONE = unbounded. */
	uint32_t max_hash_entries; /* default 4096: (LRU_)HASH, per-CPU hashes, LPM_TRIE */
	uint32_t max_array_keys; /* default 4096: ARRAY */
	uint32_t max_percpu_keys; /* default 256: PERCPU_ARRAY only */
	/* Skip the /proc and /sys walkers (per-CPU time, NUMA, tasks). */
	bool maps_only;
	/* cgroup2 paths (relative to the cgroup2 mount or absolute) whose
	 * tasks are enriched and whose PSI files are read. */
	const char *const *cgroups;
	size_t nr_cgroups;
	size_t : 0;
};
#define ktsnap_capture_opts__last_field nr_cgroups

/*
 * Capture the live kernel.  On success *report is a new report the caller
 * frees with ktsnap_report__free().  Failures of single maps (one that
 * cannot be read, or whose buffer cannot be allocated) land in that map's
 * error and do not fail the capture.  Returns 0, -EPERM when the caller
 * lacks the privilege to enumerate BPF maps (ktsnap_errmsg() names it),
 * -EINVAL for bad options (a NULL list or a NULL element in one), -E2BIG
 * when @opts has non-zero bytes past the fields this version of the
 * library knows (an option it cannot honour), -ENOENT when the object, a
 * map name, a map id or a cgroup asked for is not there (ktsnap_errmsg()
 * lists what is loaded), -ENOMEM.
 */
KTSNAP_API int ktsnap_capture(const struct ktsnap_capture_opts *opts,
			      struct ktsnap_report **report);

/*
 * A capture callback for ktsnap_bridge__new() (a ktsnap_capture_fn) over
 * ktsnap_capture(): @ctx is a const struct ktsnap_capture_opts * (NULL =
 * defaults), borrowed for the bridge's lifetime.  A failed live capture
 * yields ktsnap_report__placeholder("live capture failed: <detail>") (spec
 * §12) so the attempt stays visible; NULL only when even that cannot be
 * built.  The caller (the bridge) owns the returned report.
 */
KTSNAP_API struct ktsnap_report *ktsnap_capture_callback_live(const char *name, void *ctx);

/*
 * Hold BPF_ENABLE_STATS(BPF_STATS_RUN_TIME), so that captures taken
 * meanwhile carry real run_cnt / run_time_ns in prog_runtime_stats (the
 * kernel counts nothing otherwise, unless kernel.bpf_stats_enabled=1).
 * Holds are counted across the process: each successful hold needs one
 * ktsnap_prog_stats_release(), and the last one turns statistics off.
 * A watcher holds them while a watch is armed; a recording or a
 * scenario should too.  0, or -errno (EPERM without CAP_SYS_ADMIN) with
 * the text in ktsnap_errmsg().
 */
KTSNAP_API int ktsnap_prog_stats_hold(void);
/* Drop one hold; extra releases are ignored. */
KTSNAP_API void ktsnap_prog_stats_release(void);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_CAPTURE_H */
