/* SPDX-License-Identifier: MIT */
/*
 * Watch snapshots on the live host (spec §9, §12): a hardware write
 * breakpoint on a BPF global or a kernel data symbol; every write to it
 * captures through a bridge and stores the report under tag = symbol.
 *
 *   ktsnap_bridge__register_watch(b, "ktsched.bss:nr_switches")
 *     └─ ktsnap_watch_register_live()   (the bridge's watch-register callback)
 *          └─ resolve the symbol → kernel address, check it (§9 texts)
 *          └─ perf_event_open(PERF_TYPE_BREAKPOINT, HW_BREAKPOINT_W) per online CPU
 *   watcher thread: poll the perf rings → one capture per burst of writes
 *     (writes during a running capture coalesce into the next one)
 *     → ktsnap_bridge__capture(b, symbol) → the hit callback
 *
 * Symbols: "OBJ.SECTION:NAME" with SECTION .bss, .data or .data.* and OBJ
 * the object's name in full or as libbpf cuts it in map names;
 * "OBJ.SECTION#MAP_ID:NAME" when several copies are loaded; a bare
 * NAME, unique across the writable global sections of the loaded BPF
 * objects (of the object filter's only, when one is set); else a data
 * symbol listed in /proc/kallsyms.  The address of a BPF global is its
 * map's value area (found with a bpf_map iterator embedded in the
 * library) plus the variable's DATASEC offset.
 *
 * The capture happens after the write, asynchronously: the stored report
 * shows the state some microseconds later, never the state before it.
 * Hardware has 4 debug registers per CPU, shared with ptrace, kgdb and
 * other perf users; a watcher uses at most 3 (spec §9's user slots).
 *
 * While at least one watch is armed, the watcher holds
 * BPF_ENABLE_STATS(BPF_STATS_RUN_TIME) (ktsnap_prog_stats_hold()), so
 * captures taken meanwhile carry real prog_runtime_stats run times.
 *
 * Needs root (CAP_SYS_ADMIN for the map walk, CAP_PERFMON for kernel-space
 * breakpoints).  Thread safety: every function may be called from any
 * thread; the hit callback runs on the watcher thread.
 */
#ifndef KTSNAP_WATCH_H
#define KTSNAP_WATCH_H

#include <ktsnap/common.h>
#include <ktsnap/bridge.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ktsnap_watcher;

/* One capture caused by writes to a watched symbol. */
struct ktsnap_watch_hit {
	const char *symbol; /* the tag the capture is stored under */
	uint64_t seq; /* 1 for the symbol's first capture, then 2, … */
	uint64_t time_ns; /* CLOCK_MONOTONIC time of the first write of the burst */
	uint32_t cpu; /* CPU of that write */
	uint64_t nr_writes; /* writes coalesced into this capture (lost ones included) */
	bool has_value; /* false for kallsyms symbols (no kernel memory reader) */
	uint64_t value; /* the variable read just before the capture */
	bool stored; /* the bridge stored a report */
};

/* Called on the watcher thread after each capture; @hit is borrowed for
 * the call.  May call into the bridge and the watcher (not __free). */
typedef void (*ktsnap_watch_hit_fn)(const struct ktsnap_watch_hit *hit, void *ctx);

struct ktsnap_watch_opts {
	size_t sz; /* sizeof(struct ktsnap_watch_opts) */
	/* Bare names are looked up in this object's globals only (full or
	 * cut name); NULL: every loaded object. */
	const char *obj;
	ktsnap_watch_hit_fn on_hit; /* may be NULL */
	void *hit_ctx;
	size_t : 0;
};
#define ktsnap_watch_opts__last_field hit_ctx

/*
 * A watcher that captures through @b (borrowed: @b must outlive the
 * watcher).  Copies @opts (NULL: defaults; @opts->obj is copied).  Caller
 * frees with ktsnap_watcher__free().  NULL + errno (EINVAL, E2BIG, ENOMEM).
 */
KTSNAP_API struct ktsnap_watcher *ktsnap_watcher__new(struct ktsnap_bridge *b,
						      const struct ktsnap_watch_opts *opts);

/*
 * A watcher owned by @b and installed as its watch-register callback, so
 * ktsnap_bridge__register_watch() arms live breakpoints.  It is freed,
 * with every breakpoint disarmed, when the last handle of @b goes (or the
 * callback is replaced).  Returns the watcher, borrowed from @b; NULL +
 * errno (EINVAL, E2BIG, ENOMEM) leaving @b unchanged.
 */
KTSNAP_API struct ktsnap_watcher *
ktsnap_bridge__with_live_watch(struct ktsnap_bridge *b, const struct ktsnap_watch_opts *opts);

/*
 * The live watch-register callback (a ktsnap_watch_register_fn): @ctx is
 * a struct ktsnap_watcher *.  Arms @symbol; on failure returns -errno and
 * sets *@err to a malloc'd copy of the reason.  Install it by hand with
 * ktsnap_bridge__with_watch_register(b, ktsnap_watch_register_live, w,
 * NULL) to keep ownership of w (free w before the last handle of b).
 */
KTSNAP_API int ktsnap_watch_register_live(const char *symbol, char **err, void *ctx);

/*
 * Arm @symbol directly (not through a bridge slot).  0; -ENOSPC with
 * `no free user watchpoint slot — slots 1..=3 all occupied by prior
 * Op::WatchSnapshot registrations (cap = 3)` when 3 are armed; -EEXIST
 * when @symbol is already armed; -ENOENT (unknown symbol), -EINVAL
 * (address 0, misaligned, size not 4 or 8), or perf_event_open's errno,
 * each with its text in ktsnap_errmsg().
 */
KTSNAP_API int ktsnap_watcher__arm(struct ktsnap_watcher *w, const char *symbol);

/*
 * Disarm @symbol: closes its perf events (no capture starts for it after
 * this returns; one already running finishes).  When it was armed through
 * a bridge's register_watch, the bridge's slot is given back too.  0 or
 * -ENOENT when @symbol is not armed.
 */
KTSNAP_API int ktsnap_watcher__disarm(struct ktsnap_watcher *w, const char *symbol);

/* Disarm every symbol (a scenario's end); returns how many were armed. */
KTSNAP_API size_t ktsnap_watcher__disarm_all(struct ktsnap_watcher *w);

/* Symbols armed now. */
KTSNAP_API size_t ktsnap_watcher__nr_armed(struct ktsnap_watcher *w);

/*
 * Kernel address, size and map id @symbol resolves to, without arming
 * (what arming would watch).  0, or -errno with the reason in
 * ktsnap_errmsg() (the arming checks included).  @kva, @size and @map_id
 * may be NULL.
 */
KTSNAP_API int ktsnap_watch_resolve(const char *symbol, const char *obj, uint64_t *kva,
				    uint32_t *size, uint32_t *map_id);

/* Disarm everything, stop the watcher thread and free.  Accepts NULL.
 * Must not be called from the hit callback. */
KTSNAP_API void ktsnap_watcher__free(struct ktsnap_watcher *w);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_WATCH_H */
