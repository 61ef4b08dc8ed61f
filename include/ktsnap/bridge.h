/* SPDX-License-Identifier: MIT */
/*
 * SnapshotBridge (spec §5): named, bounded, thread-safe storage of
 * captures, plus the logs and hooks a scenario reaches through it.
 *
 *   handle ─┐  (ktsnap_bridge__ref: every handle is the same object)
 *   handle ─┴─► struct ktsnap_bridge (refcounted)
 *                ├─ callbacks: capture, watch-register, kernel-op
 *                ├─ store (one mutex)
 *                │    entries[≤64] in FIFO order, oldest first:
 *                │      { tag, report, stats?, elapsed_ms?, boundary_offset_ms?, step? }
 *                │    events: ring of ≤1024 + dropped counter
 *                ├─ kernel-op log  (own mutex)  [(tag, reply)…]
 *                ├─ cgroup.procs log (own mutex) [{tag, cgroup, pids}…]
 *                ├─ watch_count (atomic, never above 3)
 *                └─ accessor state (optional): publish seqno, worker state, wake fd
 *
 * Keeping the report and its metadata in one entry makes the spec's
 * invariant (order == keys of the map, parallel maps ⊆ keys) hold by
 * construction, so the two "invariant violation" events are never fired
 * by this implementation; their kinds exist so events compare 1:1.
 *
 * Thread safety: every function may be called from any thread on a
 * shared bridge, except the __with_* builders, which must run before the
 * bridge is shared.  Callbacks run without any bridge lock held, so they
 * may call back into the bridge.  Each event also goes to the print
 * callback (ktsnap_set_print) as a warning, from under the store lock: a
 * print callback must not call into the bridge.
 *
 * Errors: every failing function returns a negative errno (or NULL with
 * errno, or false) and records the detail for ktsnap_errmsg(); the
 * failures that carry a spec text (register watch, the accessor waits)
 * record exactly that text there, whatever its length.
 */
#ifndef KTSNAP_BRIDGE_H
#define KTSNAP_BRIDGE_H

#include <ktsnap/common.h>
#include <ktsnap/report.h>
#include <ktsnap/kernel_op.h>
#include <ktsnap/stats.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- caps (spec §1) -------------------------------------------------------- */
#define KTSNAP_MAX_STORED_SNAPSHOTS 64
#define KTSNAP_MAX_STORED_EVENTS 1024
#define KTSNAP_MAX_WATCH_SNAPSHOTS 3

/* Tag of periodic capture N (spec §8.1); periodic_real_count() counts
 * exactly this shape for N < 1000. */
#define KTSNAP_PERIODIC_TAG_FMT "periodic_%03u"

/* Accessor-init worker states (spec §1, §5.10). */
#define KTSNAP_ACCESSOR_TRYING 0
#define KTSNAP_ACCESSOR_SUCCEEDED 1
#define KTSNAP_ACCESSOR_FAILED_PERMANENTLY 2

struct ktsnap_bridge;

/* ---- callbacks ------------------------------------------------------------- */
/* Context destructor, called once when the bridge (or the replaced
 * callback) is released. */
typedef void (*ktsnap_ctx_free_fn)(void *ctx);

/*
 * Capture @name.  Return a new report (the bridge takes ownership) or NULL
 * when capture is unavailable.  ktsnap_capture_callback_live() (capture.h)
 * is the one for the live kernel.
 */
typedef struct ktsnap_report *(*ktsnap_capture_fn)(const char *name, void *ctx);

/*
 * Register a hardware-watchpoint snapshot for @symbol.  Return 0, or a
 * negative errno and (optionally) set *err to a malloc'd reason the
 * bridge takes over (and frees); register_watch reports that reason
 * through ktsnap_errmsg().
 */
typedef int (*ktsnap_watch_register_fn)(const char *symbol, char **err, void *ctx);

/*
 * Serve a kernel-op request.  Fill @reply (zeroed on entry) with heap data
 * (the ktsnap_kernel_op_reply__* setters do that) and return 0; a negative
 * errno fails the dispatch (the bridge clears @reply).
 */
typedef int (*ktsnap_kernel_op_fn)(const struct ktsnap_kernel_op_request *req,
				   struct ktsnap_kernel_op_reply *reply, void *ctx);

/* ---- construction (§5.2) ------------------------------------------------------ */
/*
 * A bridge with capture callback @capture (required) and @ctx, freed with
 * @ctx_free (may be NULL) when the last handle goes.  Caller owns one
 * handle and drops it with ktsnap_bridge__unref().  NULL + errno.
 */
KTSNAP_API struct ktsnap_bridge *ktsnap_bridge__new(ktsnap_capture_fn capture, void *ctx,
						    ktsnap_ctx_free_fn ctx_free);
/* Another handle to the same bridge (a "Clone"); returns @b.  Drop it with
 * ktsnap_bridge__unref(). */
KTSNAP_API struct ktsnap_bridge *ktsnap_bridge__ref(struct ktsnap_bridge *b);
/* Drop a handle; the last one frees everything still stored.  Accepts NULL. */
KTSNAP_API void ktsnap_bridge__unref(struct ktsnap_bridge *b);

/*
 * Builders: install a callback (replacing and releasing any previous one)
 * and return @b (borrowed, for chaining).  Call before sharing @b.
 */
KTSNAP_API struct ktsnap_bridge *ktsnap_bridge__with_watch_register(struct ktsnap_bridge *b,
								    ktsnap_watch_register_fn fn,
								    void *ctx,
								    ktsnap_ctx_free_fn ctx_free);
KTSNAP_API struct ktsnap_bridge *ktsnap_bridge__with_kernel_op(struct ktsnap_bridge *b,
							       ktsnap_kernel_op_fn fn, void *ctx,
							       ktsnap_ctx_free_fn ctx_free);
/*
 * Install the accessor-init worker's state: @publish_seqno and
 * @worker_state are borrowed and must outlive every handle of @b (the
 * worker bumps the seqno with release order and writes the state);
 * @wake_fd is an eventfd the worker writes on every seqno bump and on the
 * terminal FAILED_PERMANENTLY transition.  The bridge keeps a dup of it
 * (closed with the bridge) and is its only reader.  All three or none.
 * Returns @b; NULL + errno (EINVAL, EBADF, EMFILE) on failure, leaving @b
 * unchanged and still the caller's.
 */
KTSNAP_API struct ktsnap_bridge *ktsnap_bridge__with_accessor_state(struct ktsnap_bridge *b,
								    _Atomic uint64_t *publish_seqno,
								    _Atomic uint8_t *worker_state,
								    int wake_fd);

/* ---- capture and store (§5.3) ----------------------------------------------- */
/*
 * The metadata slots of a stored capture (§5.1) as they come back out of
 * the bridge (drained entries) and a sample series (samples): each value
 * with its presence flag.
 */
struct ktsnap_capture_meta {
	bool has_elapsed_ms;
	uint64_t elapsed_ms; /* workload ms, pauses excluded */
	bool has_boundary_offset_ms;
	uint64_t boundary_offset_ms; /* periodic boundary - anchor */
	bool has_step_index;
	uint16_t step_index; /* 0 = baseline, 1..N = steps */
};

/*
 * Metadata stored with a capture.  Fill with KTSNAP_OPTS() (or set sz to
 * sizeof); every field is optional, NULL meaning "none", and is copied
 * during the call (the pointers need not outlive it).
 */
struct ktsnap_bridge_store_opts {
	size_t sz; /* sizeof(struct ktsnap_bridge_store_opts) */
	const struct ktsnap_stats *stats; /* deep-copied */
	const uint64_t *elapsed_ms;
	const uint64_t *boundary_offset_ms;
	const uint16_t *step_index; /* 0 = baseline, 1..N = steps */
	size_t : 0;
};
#define ktsnap_bridge_store_opts__last_field step_index

/*
 * Store @report under @name with the metadata in @opts (NULL: none).
 * Always takes ownership of @report (it is freed on failure).  Re-storing
 * a tag replaces the report, moves the tag to the back of the FIFO and
 * replaces or clears every metadata slot.  0, -EINVAL (NULL @b/@name/
 * @report, or @opts->sz too small), -E2BIG (@opts has non-zero bytes past
 * the fields this library knows), -ENOMEM.
 */
KTSNAP_API int ktsnap_bridge__store_opts(struct ktsnap_bridge *b, const char *name,
					 struct ktsnap_report *report,
					 const struct ktsnap_bridge_store_opts *opts);

/*
 * Run the capture callback for @name and store its report with the
 * metadata in @opts (NULL: none).  true when a report was stored; false
 * when the callback returned NULL (a CaptureUnavailable event is queued)
 * or storing failed (ktsnap_errmsg() says which).
 */
KTSNAP_API bool ktsnap_bridge__capture_opts(struct ktsnap_bridge *b, const char *name,
					    const struct ktsnap_bridge_store_opts *opts);

/* The spec's names for the common shapes. */
static inline int ktsnap_bridge__store(struct ktsnap_bridge *b, const char *name,
				       struct ktsnap_report *report)
{
	return ktsnap_bridge__store_opts(b, name, report, NULL);
}

static inline int ktsnap_bridge__store_with_stats(struct ktsnap_bridge *b, const char *name,
						  struct ktsnap_report *report,
						  const struct ktsnap_stats *stats,
						  const uint64_t *elapsed_ms)
{
	struct ktsnap_bridge_store_opts o = {
		.sz = sizeof(o),
		.stats = stats,
		.elapsed_ms = elapsed_ms,
	};

	return ktsnap_bridge__store_opts(b, name, report, &o);
}

static inline int ktsnap_bridge__store_with_stats_and_step(
	struct ktsnap_bridge *b, const char *name, struct ktsnap_report *report,
	const struct ktsnap_stats *stats, const uint64_t *elapsed_ms,
	const uint64_t *boundary_offset_ms, uint16_t step_index)
{
	struct ktsnap_bridge_store_opts o = {
		.sz = sizeof(o),
		.stats = stats,
		.elapsed_ms = elapsed_ms,
		.boundary_offset_ms = boundary_offset_ms,
		.step_index = &step_index,
	};

	return ktsnap_bridge__store_opts(b, name, report, &o);
}

static inline bool ktsnap_bridge__capture(struct ktsnap_bridge *b, const char *name)
{
	return ktsnap_bridge__capture_opts(b, name, NULL);
}

/* Stamps the entry with @step_index (0 = baseline, 1..N = steps). */
static inline bool ktsnap_bridge__capture_with_step(struct ktsnap_bridge *b, const char *name,
						    uint16_t step_index)
{
	struct ktsnap_bridge_store_opts o = { .sz = sizeof(o), .step_index = &step_index };

	return ktsnap_bridge__capture_opts(b, name, &o);
}

/* ---- queries (§5.4) --------------------------------------------------------- */
KTSNAP_API bool ktsnap_bridge__has(struct ktsnap_bridge *b, const char *name);
KTSNAP_API size_t ktsnap_bridge__len(struct ktsnap_bridge *b);
KTSNAP_API bool ktsnap_bridge__is_empty(struct ktsnap_bridge *b);
/* Stored non-placeholder reports tagged exactly "periodic_" + 3 digits. */
KTSNAP_API uint32_t ktsnap_bridge__periodic_real_count(struct ktsnap_bridge *b);

/*
 * The bridge's counters (§5.4) read in one call.  The store's three are
 * taken under one hold of the store lock, so they agree with each other
 * (no event or report lands between them); the atomics are read after.
 */
struct ktsnap_bridge_counts {
	size_t len; /* stored reports, as ktsnap_bridge__len() */
	uint32_t periodic_real; /* as ktsnap_bridge__periodic_real_count() */
	size_t events; /* queued events, not counting a pending truncation marker */
	size_t watches; /* watch registrations held (watch_count, §5.8) */
	uint64_t publish_seqno; /* the worker's (acquire read); 0 without accessor state */
	uint64_t reserved[4]; /* zero: room for later counters without an ABI break */
};
/* All zero for a NULL bridge. */
KTSNAP_API struct ktsnap_bridge_counts ktsnap_bridge__counts(struct ktsnap_bridge *b);

/* ---- report drains (§5.6) ----------------------------------------------------- */
/* One drained capture (DrainedSnapshotEntry, §7.5).  Borrowed from its drain. */
struct ktsnap_drained_entry {
	const char *tag;
	struct ktsnap_report *report; /* NULL after ktsnap_drain__take_report() */
	/*
	 * drain_ordered_with_stats: the stored stats, or a NoSchedulerBinary
	 * reason when the tag had none.  NULL for the other drains (they
	 * discard metadata).
	 */
	const struct ktsnap_stats *stats;
	/* drain_ordered_with_stats: the stored slots; all absent otherwise */
	struct ktsnap_capture_meta meta;
};

/* The result of a drain: owns every report and string in it. */
struct ktsnap_drain;

/*
 * drain(): every stored capture, looked up by tag with ktsnap_drain__find()
 * (the order of its entries is unspecified); metadata is discarded.
 * drain_ordered(): FIFO order (oldest insertion / latest overwrite first);
 * metadata discarded.  drain_ordered_with_stats(): FIFO order with metadata.
 * All empty the store atomically.  Caller frees with ktsnap_drain__free().
 * NULL + ENOMEM (the store is left untouched).
 */
KTSNAP_API struct ktsnap_drain *ktsnap_bridge__drain(struct ktsnap_bridge *b);
KTSNAP_API struct ktsnap_drain *ktsnap_bridge__drain_ordered(struct ktsnap_bridge *b);
KTSNAP_API struct ktsnap_drain *ktsnap_bridge__drain_ordered_with_stats(struct ktsnap_bridge *b);

KTSNAP_API size_t ktsnap_drain__count(const struct ktsnap_drain *d);
/* Borrowed from @d; NULL + ERANGE past the end. */
KTSNAP_API const struct ktsnap_drained_entry *ktsnap_drain__entry(const struct ktsnap_drain *d,
								  size_t i);
/* Entry tagged exactly @tag; borrowed from @d; NULL + ENOENT if none. */
KTSNAP_API const struct ktsnap_drained_entry *ktsnap_drain__find(const struct ktsnap_drain *d,
								 const char *tag);
/* Move entry @i's report out of @d: caller frees it with
 * ktsnap_report__free().  NULL (ERANGE, or already taken). */
KTSNAP_API struct ktsnap_report *ktsnap_drain__take_report(struct ktsnap_drain *d, size_t i);
/* Frees the drain and every report not taken out of it.  Accepts NULL. */
KTSNAP_API void ktsnap_drain__free(struct ktsnap_drain *d);

/* ---- events (§5.5) ----------------------------------------------------------- */
enum ktsnap_bridge_event_kind {
	KTSNAP_BRIDGE_EVENT_CAPTURE_UNAVAILABLE, /* tag */
	KTSNAP_BRIDGE_EVENT_OVERWRITE, /* tag, prior_schema */
	KTSNAP_BRIDGE_EVENT_EVICTION, /* evicted_tag, new_tag, cap */
	KTSNAP_BRIDGE_EVENT_DRAIN_ORDERING_INVARIANT_VIOLATION, /* tag, drain_variant */
	KTSNAP_BRIDGE_EVENT_CAP_INVARIANT_VIOLATION, /* reports_len, cap */
	KTSNAP_BRIDGE_EVENT_EVENT_LOG_TRUNCATED, /* dropped_count */
};

/* A bridge event.  Fields not used by the kind are NULL / 0. */
struct ktsnap_bridge_event {
	enum ktsnap_bridge_event_kind kind;
	const char *tag; /* CAPTURE_UNAVAILABLE, OVERWRITE, DRAIN_ORDERING_… */
	const char *prior_schema; /* OVERWRITE */
	const char *evicted_tag; /* EVICTION */
	const char *new_tag; /* EVICTION */
	const char *drain_variant; /* DRAIN_ORDERING_…: "drain_ordered"… */
	size_t cap; /* EVICTION, CAP_INVARIANT_VIOLATION */
	size_t reports_len; /* CAP_INVARIANT_VIOLATION */
	uint64_t dropped_count; /* EVENT_LOG_TRUNCATED */
};

/* "CaptureUnavailable", "Overwrite", … (variant names).  Static. */
KTSNAP_API const char *ktsnap_bridge_event_kind__name(enum ktsnap_bridge_event_kind kind);
KTSNAP_API bool ktsnap_bridge_event__equal(const struct ktsnap_bridge_event *a,
					   const struct ktsnap_bridge_event *b);
/*
 * Debug form, e.g. `Eviction { evicted_tag: "t0", new_tag: "t64", cap: 64 }`,
 * into @buf as snprintf() does (returns the full length, or -EINVAL).
 */
KTSNAP_API int ktsnap_bridge_event__format(const struct ktsnap_bridge_event *ev, char *buf,
					   size_t len);

struct ktsnap_bridge_events;

/*
 * Take every queued event in order; when events were dropped since the
 * last drain an EventLogTruncated{dropped_count} marker comes last and the
 * counter resets.  Caller frees with ktsnap_bridge_events__free().  NULL +
 * ENOMEM (the log is left untouched).
 */
KTSNAP_API struct ktsnap_bridge_events *ktsnap_bridge__drain_events(struct ktsnap_bridge *b);
KTSNAP_API size_t ktsnap_bridge_events__count(const struct ktsnap_bridge_events *evs);
/* Borrowed from @evs; NULL + ERANGE past the end. */
KTSNAP_API const struct ktsnap_bridge_event *
ktsnap_bridge_events__at(const struct ktsnap_bridge_events *evs, size_t i);
KTSNAP_API void ktsnap_bridge_events__free(struct ktsnap_bridge_events *evs);

/* ---- kernel-op log (§5.7) -------------------------------------------------------- */
/*
 * Dispatch @req through the kernel-op callback.  0 with *reply filled (the
 * caller owns it: ktsnap_kernel_op_reply__clear()) and a copy appended to
 * the log under req->tag; -EOPNOTSUPP when no callback is installed (the
 * spec's "absent": fall back to the wire); the callback's error; -ENOMEM.
 */
KTSNAP_API int ktsnap_bridge__dispatch_kernel_op(struct ktsnap_bridge *b,
						 const struct ktsnap_kernel_op_request *req,
						 struct ktsnap_kernel_op_reply *reply);
/* Append a copy of (@tag, @reply) without calling anything.  0, -EINVAL, -ENOMEM. */
KTSNAP_API int ktsnap_bridge__record_kernel_op_reply(struct ktsnap_bridge *b, const char *tag,
						     const struct ktsnap_kernel_op_reply *reply);
/*
 * First logged reply under @tag with success and at least one read value:
 * 0 and *out = a copy of its read_values[0] (caller clears it with
 * ktsnap_kernel_op_value__clear()); -ENOENT if none.  Does not drain.
 */
KTSNAP_API int ktsnap_bridge__kernel_op_value(struct ktsnap_bridge *b, const char *tag,
					      struct ktsnap_kernel_op_value *out);

struct ktsnap_kernel_op_log;
/* Take the log in insertion order.  Caller frees with
 * ktsnap_kernel_op_log__free().  NULL + ENOMEM. */
KTSNAP_API struct ktsnap_kernel_op_log *ktsnap_bridge__drain_kernel_ops(struct ktsnap_bridge *b);
KTSNAP_API size_t ktsnap_kernel_op_log__count(const struct ktsnap_kernel_op_log *log);
/* Borrowed from @log; NULL + ERANGE past the end. */
KTSNAP_API const char *ktsnap_kernel_op_log__tag(const struct ktsnap_kernel_op_log *log, size_t i);
KTSNAP_API const struct ktsnap_kernel_op_reply *
ktsnap_kernel_op_log__reply(const struct ktsnap_kernel_op_log *log, size_t i);
KTSNAP_API void ktsnap_kernel_op_log__free(struct ktsnap_kernel_op_log *log);

/* ---- cgroup.procs log (§5.7, §7.5) ------------------------------------------------ */
/* CgroupProcsSnapshot: presence means the read succeeded; empty pids means
 * the cgroup existed but was empty. */
struct ktsnap_cgroup_procs {
	const char *tag;
	const char *cgroup;
	const int32_t *pids;
	size_t nr_pids;
};

/* Append a copy; duplicates are kept.  0, -EINVAL, -ENOMEM. */
KTSNAP_API int ktsnap_bridge__record_cgroup_procs(struct ktsnap_bridge *b, const char *tag,
						  const char *cgroup, const int32_t *pids,
						  size_t nr_pids);
/* Copy of the first record under @tag, in one allocation; caller frees
 * with ktsnap_cgroup_procs__free().  NULL + ENOENT if none (or ENOMEM). */
KTSNAP_API struct ktsnap_cgroup_procs *ktsnap_bridge__cgroup_procs_by_tag(struct ktsnap_bridge *b,
									  const char *tag);
KTSNAP_API void ktsnap_cgroup_procs__free(struct ktsnap_cgroup_procs *p);

struct ktsnap_cgroup_procs_log;
/* Take the log in insertion order.  Caller frees with
 * ktsnap_cgroup_procs_log__free().  NULL + ENOMEM. */
KTSNAP_API struct ktsnap_cgroup_procs_log *
ktsnap_bridge__drain_cgroup_procs(struct ktsnap_bridge *b);
KTSNAP_API size_t ktsnap_cgroup_procs_log__count(const struct ktsnap_cgroup_procs_log *log);
/* Borrowed from @log; NULL + ERANGE past the end. */
KTSNAP_API const struct ktsnap_cgroup_procs *
ktsnap_cgroup_procs_log__at(const struct ktsnap_cgroup_procs_log *log, size_t i);
KTSNAP_API void ktsnap_cgroup_procs_log__free(struct ktsnap_cgroup_procs_log *log);

/* ---- watch registration (§5.8) ---------------------------------------------------- */
/*
 * Reserve one of the 3 watch slots and run the watch-register callback.
 * 0 on success (the slot stays taken).  Failures release the slot and
 * record their text for ktsnap_errmsg(): -ENOSPC with the cap text,
 * -EOPNOTSUPP when no callback is installed, or the callback's error with
 * the reason it gave (or a generic one).
 */
KTSNAP_API int ktsnap_bridge__register_watch(struct ktsnap_bridge *b, const char *symbol);

/* ---- thread-local installation (§5.9) ----------------------------------------------- */
/* Returned by value; fields are private.  Release exactly once (releasing
 * again is a no-op). */
struct ktsnap_bridge_guard {
	struct ktsnap_bridge *installed;
	struct ktsnap_bridge *prev;
	bool active;
};

/*
 * Make @b the calling thread's active bridge, consuming the caller's
 * handle (take a ktsnap_bridge__ref() first to keep one for draining).
 * The guard remembers the previous occupant; releasing it restores that
 * one.  Nested installs must be released in LIFO order.
 */
KTSNAP_API struct ktsnap_bridge_guard ktsnap_bridge__set_thread_local(struct ktsnap_bridge *b);
KTSNAP_API void ktsnap_bridge_guard__release(struct ktsnap_bridge_guard *g);

/* Install @b for the rest of the enclosing scope. */
#define KTSNAP_BRIDGE_SCOPE(bridge)                                                               \
	struct ktsnap_bridge_guard __attribute__((cleanup(ktsnap_bridge_guard__release), unused)) \
	KTSNAP_BRIDGE_SCOPE_NAME(__COUNTER__) = ktsnap_bridge__set_thread_local(bridge)
#define KTSNAP_BRIDGE_SCOPE_NAME(n) KTSNAP_BRIDGE_SCOPE_NAME_(n)
#define KTSNAP_BRIDGE_SCOPE_NAME_(n) ktsnap_bridge_scope_guard_##n

/*
 * Call @fn with this thread's active bridge (borrowed for the call) and
 * return true; return false without calling when none is installed.  @fn
 * must not install or release bridges.
 */
KTSNAP_API bool ktsnap_with_active_bridge(void (*fn)(struct ktsnap_bridge *b, void *ctx),
					  void *ctx);

/* ---- accessor-state waits (§5.10) ---------------------------------------------------- */
/* CLOCK_MONOTONIC now, in ns: deadlines are ktsnap_monotonic_ns() + budget. */
KTSNAP_API uint64_t ktsnap_monotonic_ns(void);

/*
 * Wait until the worker leaves TRYING.  0 (also immediately without
 * accessor state); -ESRCH when the worker exited (FAILED_PERMANENTLY);
 * -ETIMEDOUT past @deadline_ns.  Failures record their spec text (starting
 * with "@op_label: ") for ktsnap_errmsg().
 */
KTSNAP_API int ktsnap_bridge__wait_for_worker_state_not_trying(struct ktsnap_bridge *b,
							       uint64_t deadline_ns,
							       const char *op_label);
/*
 * Wait until the publish seqno exceeds @seqno_before.  0 with *seqno the
 * new value (0 immediately without accessor state); -ESRCH when the worker
 * exited; -ETIMEDOUT past @deadline_ns.  Failures record their spec text
 * for ktsnap_errmsg().
 */
KTSNAP_API int ktsnap_bridge__wait_for_accessor_publish_advance(struct ktsnap_bridge *b,
								uint64_t seqno_before,
								uint64_t deadline_ns,
								const char *op_label,
								uint64_t *seqno);

/* ---- debug (§5.11) -------------------------------------------------------------------- */
/*
 * `SnapshotBridge { snapshots: N, watch_count: W, capture: "<callback>",
 * register_watch: "<callback>" | "<none>" }` — never report data.  Caller
 * frees with free().  NULL + errno.
 */
KTSNAP_API char *ktsnap_bridge__debug_string(struct ktsnap_bridge *b);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_BRIDGE_H */
