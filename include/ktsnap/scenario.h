/* SPDX-License-Identifier: MIT */
/*
 * Scenarios on the live host (spec §11, §11.6, §12): steps that put worker
 * processes in cgroup2 cgroups, ordered ops that capture through the
 * thread's active bridge, and a hold.
 *
 *   scenario
 *     ├─ map writes (BpfMapWrite, §11.7)        before the first worker spawns
 *     ├─ step 0: baseline   ops, hold            (no cgroups; step index 0)
 *     └─ step 1..N          setup: cgroups × workers (spin / sleep / yield,
 *                           │      affinity, nice) under one per-run parent
 *                           ├─ ops, in order (adjacent WriteKernelCold merged)
 *                           └─ hold: duration | FULL (the step length) |
 *                                    LOOP: a sub-list of ops K times
 *
 * A step's workers and cgroups live until the end of that step.  Whatever
 * happens (an op fails, SIGINT/SIGTERM when the run catches signals), the
 * run ends with every worker killed and reaped, every cgroup removed, every
 * pinned map fd closed and a started scheduler killed.  A SIGKILL of the
 * runner still kills the workers (they die with their parent) but leaves
 * the empty cgroups behind.
 *
 * Ops capture through the calling thread's active bridge (bridge.h, §5.9);
 * ktsnap_scenario_capture_callback() is a capture callback that freezes
 * the running scenario's cgroups around the live capture.
 *
 * Error texts: a failed run returns a negative errno and
 * ktsnap_scenario__errmsg() gives the failed op's text (the spec's text
 * where §11 gives one, prefixed by nothing: the text names the op).
 */
#ifndef KTSNAP_SCENARIO_H
#define KTSNAP_SCENARIO_H

#include <sys/types.h>

#include <ktsnap/common.h>
#include <ktsnap/bridge.h>
#include <ktsnap/capture.h>
#include <ktsnap/kernel_op.h>
#include <ktsnap/wire.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ktsnap_scenario;

/* ---- workloads --------------------------------------------------------------------- */
/*
 * What each worker does, forever: spin @spin_us, then sleep @sleep_us
 * (when non-zero), then sched_yield() (when @yield).  All zero spins
 * without pause.  @cpus (borrowed, copied when added) pins the worker to
 * those CPUs; @nice is applied when @set_nice.
 */
struct ktsnap_workload {
	size_t sz; /* sizeof(struct ktsnap_workload) */
	uint32_t spin_us;
	uint32_t sleep_us;
	bool yield;
	bool set_nice;
	int nice;
	const uint32_t *cpus;
	size_t nr_cpus;
	size_t : 0;
};
#define ktsnap_workload__last_field nr_cpus

/* ---- ops (§11) --------------------------------------------------------------------- */
enum ktsnap_op_kind {
	KTSNAP_OP_CAPTURE_SNAPSHOT, /* name */
	KTSNAP_OP_WATCH_SNAPSHOT, /* name = symbol */
	KTSNAP_OP_CAPTURE_CGROUP_PROCS, /* name = tag, cgroup */
	KTSNAP_OP_PIN_BPF_MAP, /* name = map name */
	KTSNAP_OP_READ_KERNEL_HOT, /* name = tag, entries[0] = (target, width) */
	KTSNAP_OP_READ_KERNEL_COLD, /* same */
	KTSNAP_OP_WRITE_KERNEL_HOT, /* entries = (target, value)… */
	KTSNAP_OP_WRITE_KERNEL_COLD, /* same; adjacent ones are merged */
	KTSNAP_OP_ATTACH_SCHEDULER, /* argv, obj, timeout_ms, log */
	KTSNAP_OP_REPLACE_SCHEDULER, /* argv, obj, timeout_ms, log */
	KTSNAP_OP_SLEEP, /* timeout_ms */
};

/*
 * One op.  Everything is borrowed by the constructors below and
 * deep-copied by ktsnap_scenario__add_op().
 */
struct ktsnap_op {
	enum ktsnap_op_kind kind;
	const char *name;
	const char *cgroup;
	const struct ktsnap_kernel_op_entry *entries;
	size_t nr_entries;
	/*
	 * Schedulers: the command (NULL-terminated, argv[0] looked up in
	 * PATH) and the name of the BPF object it loads: the op succeeds once
	 * a new map of that object ("<obj>.bss", "<obj>.data", … as libbpf
	 * names them) is visible, within @timeout_ms (0 = 30 s).  @log, when
	 * set, receives the command's stdout and stderr (appended); otherwise
	 * it shares the runner's.
	 */
	const char *const *argv;
	const char *obj;
	uint32_t timeout_ms;
	const char *log;
};

static inline struct ktsnap_op ktsnap_op_capture_snapshot(const char *name)
{
	return (struct ktsnap_op){ .kind = KTSNAP_OP_CAPTURE_SNAPSHOT, .name = name };
}

/* The older constructor name (spec §13.5). */
static inline struct ktsnap_op ktsnap_op_snapshot(const char *name)
{
	return ktsnap_op_capture_snapshot(name);
}

static inline struct ktsnap_op ktsnap_op_watch_snapshot(const char *symbol)
{
	return (struct ktsnap_op){ .kind = KTSNAP_OP_WATCH_SNAPSHOT, .name = symbol };
}

static inline struct ktsnap_op ktsnap_op_capture_cgroup_procs(const char *tag, const char *cgroup)
{
	return (struct ktsnap_op){ .kind = KTSNAP_OP_CAPTURE_CGROUP_PROCS,
				   .name = tag,
				   .cgroup = cgroup };
}

static inline struct ktsnap_op ktsnap_op_pin_bpf_map(const char *name)
{
	return (struct ktsnap_op){ .kind = KTSNAP_OP_PIN_BPF_MAP, .name = name };
}

static inline struct ktsnap_op ktsnap_op_sleep(uint32_t ms)
{
	return (struct ktsnap_op){ .kind = KTSNAP_OP_SLEEP, .timeout_ms = ms };
}

/* "CaptureSnapshot", "WatchSnapshot", …  Static. */
KTSNAP_API const char *ktsnap_op_kind__name(enum ktsnap_op_kind kind);

/* ---- building a scenario ----------------------------------------------------------- */
enum ktsnap_hold_kind {
	KTSNAP_HOLD_DURATION, /* hold duration_ms after the ops */
	KTSNAP_HOLD_FULL, /* hold the scenario's step length */
	KTSNAP_HOLD_LOOP, /* run the loop ops loop_iters times */
};

/* An empty scenario (step 0 only, no hold).  Caller frees with
 * ktsnap_scenario__free().  NULL + ENOMEM. */
KTSNAP_API struct ktsnap_scenario *ktsnap_scenario__new(void);
/* Kills nothing: call after ktsnap_scenario__run() returned.  Accepts NULL. */
KTSNAP_API void ktsnap_scenario__free(struct ktsnap_scenario *sc);

/* Append a step; returns its index (1..65535) or -ENOMEM / -E2BIG. */
KTSNAP_API int ktsnap_scenario__add_step(struct ktsnap_scenario *sc);
/* Number of steps, not counting the baseline. */
KTSNAP_API size_t ktsnap_scenario__step_count(const struct ktsnap_scenario *sc);

/*
 * Give step @step (≥ 1) a cgroup @name (one path component: no '/', not
 * "." or "..", unique in the step) holding @nr_workers workers running
 * @wl (NULL: spin).  0, -EINVAL, -EEXIST, -ENOMEM.
 */
KTSNAP_API int ktsnap_scenario__add_cgroup(struct ktsnap_scenario *sc, unsigned int step,
					   const char *name, unsigned int nr_workers,
					   const struct ktsnap_workload *wl);
/* Append @op to step @step's ops (0 = the baseline).  0, -EINVAL, -ENOMEM. */
KTSNAP_API int ktsnap_scenario__add_op(struct ktsnap_scenario *sc, unsigned int step,
				       const struct ktsnap_op *op);
/*
 * Set step @step's hold (default: a DURATION of 0).  @duration_ms is
 * used by DURATION, @loop_iters by LOOP.  0 or -EINVAL.
 */
KTSNAP_API int ktsnap_scenario__set_hold(struct ktsnap_scenario *sc, unsigned int step,
					 enum ktsnap_hold_kind kind, uint64_t duration_ms,
					 uint32_t loop_iters);
/* Append @op to the sub-list a LOOP hold of step @step repeats. */
KTSNAP_API int ktsnap_scenario__add_loop_op(struct ktsnap_scenario *sc, unsigned int step,
					    const struct ktsnap_op *op);
/* The length a FULL hold holds (default 1000 ms). */
KTSNAP_API int ktsnap_scenario__set_step_ms(struct ktsnap_scenario *sc, uint64_t ms);

/*
 * BpfMapWrite (§11.7): write the u32 @value into key 0 of the ARRAY map
 * whose name ends with @map_suffix, at byte @offset (@var NULL) or at the
 * offset of global variable @var in the map's BTF section.  Done after
 * the baseline ops and before step 1's workers spawn; the map must become
 * visible within 5 s.  0, -EINVAL, -ENOMEM.
 */
KTSNAP_API int ktsnap_scenario__add_map_write(struct ktsnap_scenario *sc, const char *map_suffix,
					      const char *var, uint32_t offset, uint32_t value);

/* ---- running ----------------------------------------------------------------------- */
/* One progress line ("step 1: 2 cgroups, 6 workers", "step 1: CaptureSnapshot('s1') ok"). */
typedef void (*ktsnap_scenario_progress_fn)(unsigned int step, const char *line, void *ctx);

struct ktsnap_scenario_run_opts {
	size_t sz; /* sizeof(struct ktsnap_scenario_run_opts) */
	/*
	 * Installed as the thread's active bridge for the run (a reference
	 * is taken and dropped); NULL: use whatever bridge is active.
	 */
	struct ktsnap_bridge *bridge;
	/*
	 * Options of the live capture done by
	 * ktsnap_scenario_capture_callback(), borrowed for the run.  Its
	 * map_ids filter also limits which maps BpfMapWrite, PinBpfMap and
	 * the scheduler ops consider.
	 */
	const struct ktsnap_capture_opts *capture;
	/* Catch SIGINT/SIGTERM for the run: the run stops, cleans up and
	 * fails with "interrupted by signal N" (ktsnap_scenario__signal()). */
	bool catch_signals;
	/* Do not freeze the workers around captures. */
	bool no_freeze;
	/* Name of the per-run parent cgroup under the cgroup2 mount
	 * (default "ktsnap-<pid>-<n>"); must not exist yet. */
	const char *cgroup_parent;
	ktsnap_scenario_progress_fn progress;
	void *progress_ctx;
	size_t : 0;
};
#define ktsnap_scenario_run_opts__last_field progress_ctx

/*
 * Run the scenario on the calling thread (once per scenario object).
 * 0; a negative errno when an op or a setup failed, the run was
 * interrupted (-EINTR), or the options are bad (-EINVAL).  The text is in
 * ktsnap_scenario__errmsg().  Cleanup has run whatever the result.
 */
KTSNAP_API int ktsnap_scenario__run(struct ktsnap_scenario *sc,
				    const struct ktsnap_scenario_run_opts *opts);
/* Why the run failed; "" after success.  Borrowed from @sc. */
KTSNAP_API const char *ktsnap_scenario__errmsg(const struct ktsnap_scenario *sc);
/* The signal that interrupted the run, 0 if none. */
KTSNAP_API int ktsnap_scenario__signal(const struct ktsnap_scenario *sc);
/* The step the run is in (0 = baseline; kept after the run). */
KTSNAP_API unsigned int ktsnap_scenario__current_step(const struct ktsnap_scenario *sc);
/* Absolute path of the per-run parent cgroup ("" before the run).  Borrowed. */
KTSNAP_API const char *ktsnap_scenario__cgroup_parent(const struct ktsnap_scenario *sc);
/* Pids of every worker step @step spawned, in spawn order (borrowed; kept
 * after the run, the processes are gone by then). */
KTSNAP_API const pid_t *ktsnap_scenario__worker_pids(const struct ktsnap_scenario *sc,
						     unsigned int step, size_t *n);

/*
 * A capture callback (bridge.h) for the scenario @ctx (struct
 * ktsnap_scenario *): freeze the run's cgroups (cgroup.freeze, then wait
 * for "frozen 1" in cgroup.events), ktsnap_capture() with the run's
 * capture options, thaw.  Outside a run it captures without freezing,
 * with the default capture options.
 * Callable from any thread; captures of one scenario are serialised (one
 * freeze at a time).  A failed capture yields a placeholder
 * "live capture failed: …".
 * Consistency is weaker than a VM freeze: BPF programs still run on other
 * tasks' events while the workers are frozen.
 */
KTSNAP_API struct ktsnap_report *ktsnap_scenario_capture_callback(const char *name, void *ctx);

/* What one capture through ktsnap_scenario_capture_callback() cost. */
struct ktsnap_scenario_capture_stat {
	const char *tag;
	unsigned int step;
	bool frozen; /* the workers were frozen for the whole capture */
	uint64_t freeze_ns; /* cgroup.freeze write → "frozen 1" seen */
	uint64_t capture_ns; /* ktsnap_capture(): first to last map read and walkers */
	uint64_t thaw_ns; /* cgroup.freeze 0 written */
};

KTSNAP_API size_t ktsnap_scenario__capture_stat_count(const struct ktsnap_scenario *sc);
/* Borrowed from @sc; NULL + errno ERANGE (and a text) past the end. */
KTSNAP_API const struct ktsnap_scenario_capture_stat *
ktsnap_scenario__capture_stat(const struct ktsnap_scenario *sc, size_t i);

/* The live host's kernel-op callback, ktsnap_kernel_op_live(), is in wire.h. */

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_SCENARIO_H */
