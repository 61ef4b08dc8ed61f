// SPDX-License-Identifier: MIT
/*
 * Scenarios through the public API with fake bridge callbacks (spec §11):
 * step-index stamping (F137, F146), the Loop refusal (F138), the no-bridge
 * failure (F139), WatchSnapshot (F141), CaptureCgroupProcs (F142),
 * kernel-op dispatch and cold-write merging (F143, F144), the scheduler
 * ops' bridge gates (F145), workers' affinity and nice, the freeze around
 * a capture, and cleanup after a failed op and after SIGTERM.  Needs root
 * and a cgroup2 mount; no BPF program is loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <ktsnap/bridge.h>
#include <ktsnap/scenario.h>

/* ---- fakes ------------------------------------------------------------------------- */
struct fake {
	int captures;
	bool absent; /* the callback returns NULL */
	/* checks run from inside the capture (the run is live then) */
	struct ktsnap_scenario *sc;
	bool check_workers;
	bool workers_ok;
	bool freeze_via_scenario;
	char freeze_after[8];
};

static bool worker_placed(pid_t pid)
{
	cpu_set_t set;

	errno = 0;
	if (sched_getaffinity(pid, sizeof(set), &set) || CPU_COUNT(&set) != 1 ||
	    !CPU_ISSET(0, &set))
		return false;
	return getpriority(PRIO_PROCESS, pid) == 5 && errno == 0;
}

static struct ktsnap_report *fake_capture(const char *name, void *ctx)
{
	struct fake *f = ctx;

	f->captures++;
	if (f->check_workers) {
		unsigned int step = ktsnap_scenario__current_step(f->sc);
		size_t n, i;
		const pid_t *pids = ktsnap_scenario__worker_pids(f->sc, step, &n);

		f->workers_ok = n == 3;
		for (i = 0; i < n; i++)
			f->workers_ok = f->workers_ok && worker_placed(pids[i]);
	}
	if (f->freeze_via_scenario) {
		struct ktsnap_report *r = ktsnap_scenario_capture_callback(name, f->sc);
		char path[4200];
		FILE *file;

		snprintf(path, sizeof(path), "%s/cgroup.freeze",
			 ktsnap_scenario__cgroup_parent(f->sc));
		file = fopen(path, "r");
		if (file) {
			if (!fgets(f->freeze_after, sizeof(f->freeze_after), file))
				f->freeze_after[0] = '\0';
			fclose(file);
		}
		return r;
	}
	return f->absent ? NULL : ktsnap_report__new();
}

static struct ktsnap_bridge *fake_bridge(struct fake *f)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(fake_capture, f, NULL);

	assert_non_null(b);
	return b;
}

/* Run @sc with @b installed; returns the run's result. */
static int run_with(struct ktsnap_scenario *sc, struct ktsnap_bridge *b)
{
	KTSNAP_OPTS(ktsnap_scenario_run_opts, opts, .bridge = b);

	return ktsnap_scenario__run(sc, &opts);
}

/*
 * The usual test setting: a fake bridge and an empty scenario, made by the
 * per-test setup (tests may still set the fake's knobs before running).
 */
struct env {
	struct fake f;
	struct ktsnap_bridge *b;
	struct ktsnap_scenario *sc;
};

static struct env *env_new(void)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->b = fake_bridge(&e->f);
	e->sc = ktsnap_scenario__new();
	assert_non_null(e->sc);
	return e;
}

static void env_free(struct env *e)
{
	ktsnap_scenario__free(e->sc);
	ktsnap_bridge__unref(e->b);
	free(e);
}

static int env_setup(void **state)
{
	*state = env_new();
	return 0;
}

static int env_teardown(void **state)
{
	env_free(*state);
	return 0;
}

/* A cmocka test run with a fresh struct env as its state. */
#define env_test(fn) cmocka_unit_test_setup_teardown(fn, env_setup, env_teardown)

/*
 * A fresh scenario holding only @op (in step 0) runs with @b (NULL: no
 * bridge) and fails with @want; its message is @text unless @text is NULL.
 */
static void expect_op_fails(const struct ktsnap_op *op, struct ktsnap_bridge *b, int want,
			    const char *text)
{
	struct ktsnap_scenario *sc = ktsnap_scenario__new();

	assert_int_equal(ktsnap_scenario__add_op(sc, 0, op), 0);
	assert_int_equal(b ? run_with(sc, b) : ktsnap_scenario__run(sc, NULL), want);
	if (text)
		assert_string_equal(ktsnap_scenario__errmsg(sc), text);
	ktsnap_scenario__free(sc);
}

static bool pid_gone(pid_t pid)
{
	return kill(pid, 0) && errno == ESRCH;
}

static bool path_gone(const char *path)
{
	struct stat st;

	return stat(path, &st) && errno == ENOENT;
}

/* ---- F137 / F146: step-index stamping ---------------------------------------------- */
static void capture_stamps_step_index(void **state)
{
	struct env *e = *state;
	struct ktsnap_op b0 = ktsnap_op_capture_snapshot("b0");
	struct ktsnap_op s1 = ktsnap_op_snapshot("s1"), s2 = ktsnap_op_capture_snapshot("s2");
	static const char *const tags[] = { "b0", "s1", "s2" };
	struct ktsnap_drain *d;
	size_t i;

	assert_int_equal(ktsnap_scenario__add_op(e->sc, 0, &b0), 0);
	assert_int_equal(ktsnap_scenario__add_step(e->sc), 1);
	assert_int_equal(ktsnap_scenario__add_step(e->sc), 2);
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 1, &s1), 0);
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 2, &s2), 0);
	assert_int_equal(run_with(e->sc, e->b), 0);
	assert_string_equal(ktsnap_scenario__errmsg(e->sc), "");
	d = ktsnap_bridge__drain_ordered_with_stats(e->b);
	assert_int_equal(ktsnap_drain__count(d), 3);
	for (i = 0; i < 3; i++) {
		const struct ktsnap_drained_entry *ent = ktsnap_drain__entry(d, i);

		assert_string_equal(ent->tag, tags[i]);
		assert_true(ent->meta.has_step_index);
		assert_int_equal(ent->meta.step_index, i);
	}
	ktsnap_drain__free(d);
}

/* F137: a callback that returns nothing leaves an event, not a failure. */
static void absent_capture_still_succeeds(void **state)
{
	struct env *e = *state;
	struct ktsnap_op op = ktsnap_op_capture_snapshot("gone");
	struct ktsnap_bridge_events *evs;

	e->f.absent = true;
	assert_int_equal(ktsnap_scenario__add_step(e->sc), 1);
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 1, &op), 0);
	assert_int_equal(run_with(e->sc, e->b), 0);
	assert_int_equal(e->f.captures, 1);
	assert_int_equal(ktsnap_bridge__len(e->b), 0);
	evs = ktsnap_bridge__drain_events(e->b);
	assert_int_equal(ktsnap_bridge_events__count(evs), 1);
	assert_int_equal(ktsnap_bridge_events__at(evs, 0)->kind,
			 KTSNAP_BRIDGE_EVENT_CAPTURE_UNAVAILABLE);
	assert_string_equal(ktsnap_bridge_events__at(evs, 0)->tag, "gone");
	ktsnap_bridge_events__free(evs);
}

/* ---- F138: no capture inside a Loop hold ------------------------------------------- */
static void capture_in_loop_refused(void **state)
{
	struct env *e = *state;
	struct ktsnap_op x = ktsnap_op_capture_snapshot("x"), nap = ktsnap_op_sleep(1);

	assert_int_equal(ktsnap_scenario__add_step(e->sc), 1);
	assert_int_equal(ktsnap_scenario__set_hold(e->sc, 1, KTSNAP_HOLD_LOOP, 0, 3), 0);
	assert_int_equal(ktsnap_scenario__add_loop_op(e->sc, 1, &nap), 0);
	assert_int_equal(ktsnap_scenario__add_loop_op(e->sc, 1, &x), 0);
	assert_int_equal(run_with(e->sc, e->b), -EINVAL);
	assert_string_equal(
		ktsnap_scenario__errmsg(e->sc),
		"Op::CaptureSnapshot('x') inside HoldSpec::Loop forces a freeze "
		"rendezvous every loop iteration, freezing every vCPU on each iteration "
		"so the workload no longer runs at the rate you wrote; move the capture "
		"into a non-Loop Step before or after the Loop step");
	assert_int_equal(e->f.captures, 0);
}

/* Loop ops that are allowed run K times. */
static void loop_runs_k_times(void **state)
{
	struct env *e = *state;
	struct ktsnap_op t = ktsnap_op_capture_cgroup_procs("t", "w");
	struct ktsnap_cgroup_procs_log *log;

	assert_int_equal(ktsnap_scenario__add_step(e->sc), 1);
	assert_int_equal(ktsnap_scenario__add_cgroup(e->sc, 1, "w", 1, NULL), 0);
	assert_int_equal(ktsnap_scenario__set_hold(e->sc, 1, KTSNAP_HOLD_LOOP, 0, 3), 0);
	assert_int_equal(ktsnap_scenario__add_loop_op(e->sc, 1, &t), 0);
	assert_int_equal(run_with(e->sc, e->b), 0);
	log = ktsnap_bridge__drain_cgroup_procs(e->b);
	assert_int_equal(ktsnap_cgroup_procs_log__count(log), 3);
	ktsnap_cgroup_procs_log__free(log);
}

/* ---- F139: no bridge fails loudly -------------------------------------------------- */
static void capture_without_bridge_fails(void **state)
{
	struct ktsnap_scenario *sc = ktsnap_scenario__new();
	struct ktsnap_op x = ktsnap_op_capture_snapshot("x");

	assert_int_equal(ktsnap_scenario__add_step(sc), 1);
	assert_int_equal(ktsnap_scenario__add_op(sc, 1, &x), 0);
	assert_int_equal(ktsnap_scenario__run(sc, NULL), -EOPNOTSUPP);
	assert_string_equal(ktsnap_scenario__errmsg(sc),
			    "Op::CaptureSnapshot('x'): not supported in host_only mode (no guest "
			    "VM, no test-fixture SnapshotBridge installed); snapshot capture is "
			    "mutually exclusive with host_only — either drop the snapshot op or "
			    "convert the test to non-host_only");
	ktsnap_scenario__free(sc);
}

static void watch_without_bridge_fails(void **state)
{
	struct ktsnap_op w = ktsnap_op_watch_snapshot("jiffies_64");

	expect_op_fails(&w, NULL, -EOPNOTSUPP,
			"Op::WatchSnapshot('jiffies_64'): not supported in host_only mode (no "
			"guest VM, no test-fixture SnapshotBridge installed); "
			"hardware-watchpoint snapshots are mutually exclusive with host_only — "
			"either drop the watch op or convert the test to non-host_only");
}

/* ---- F141: WatchSnapshot through register_watch ------------------------------------ */
static int watch_cb(const char *symbol, char **err, void *ctx)
{
	if (!strcmp(symbol, "bad")) {
		*err = strdup("no such symbol e");
		return -ENOENT;
	}
	return 0;
}

static void watch_through_bridge(void **state)
{
	struct fake f = {};
	struct ktsnap_bridge *b = fake_bridge(&f);
	struct ktsnap_scenario *ok = ktsnap_scenario__new();
	struct ktsnap_op good = ktsnap_op_watch_snapshot("sym"),
			 no = ktsnap_op_watch_snapshot("bad");

	ktsnap_bridge__with_watch_register(b, watch_cb, NULL, NULL);
	assert_int_equal(ktsnap_scenario__add_op(ok, 0, &good), 0);
	assert_int_equal(run_with(ok, b), 0);
	assert_int_equal(ktsnap_bridge__counts(b).watches, 1);

	expect_op_fails(&no, b, -ENOENT,
			"Op::WatchSnapshot: register watch on 'bad' failed: no such symbol e");
	assert_int_equal(ktsnap_bridge__counts(b).watches, 1);
	ktsnap_scenario__free(ok);
	ktsnap_bridge__unref(b);
}

static void watch_without_callback(void **state)
{
	struct fake f = {};
	struct ktsnap_bridge *b = fake_bridge(&f);
	struct ktsnap_op w = ktsnap_op_watch_snapshot("sym");

	expect_op_fails(&w, b, -EOPNOTSUPP,
			"Op::WatchSnapshot: register watch on 'sym' failed: "
			"Op::WatchSnapshot('sym'): no watch-register callback installed on this "
			"SnapshotBridge — the host wires one via "
			"SnapshotBridge::with_watch_register before execute_steps; in-guest / "
			"no-VM scenarios cannot register hardware watchpoints");
	ktsnap_bridge__unref(b);
}

/* ---- F142: CaptureCgroupProcs ------------------------------------------------------ */
static void cgroup_procs_texts(void **state)
{
	static const struct {
		const char *tag, *cgroup;
		bool bridge;
		const char *text;
	} cases[] = {
		{ "", "w", true,
		  "Op::CaptureCgroupProcs: tag is empty; the tag is the snapshot key consumers use "
		  "to find the capture in `SnapshotBridge::drain_cgroup_procs` — supply a "
		  "non-empty identifier (e.g. \"after_spawn\", \"post_migrate\")" },
		{ "t", "", true,
		  "Op::CaptureCgroupProcs(tag=\"t\"): cgroup name is empty. Provide a cgroup name "
		  "registered via `Op::AddCgroup`, a `CgroupDef` in setup, or pushed on the "
		  "Backdrop; an empty name would resolve to the runner's own cgroup, which is "
		  "almost certainly not the test author's intent" },
		{ "t", "w", false,
		  "Op::CaptureCgroupProcs(tag=\"t\", cgroup=\"w\"): no SnapshotBridge installed for "
		  "this thread; bailing before the cgroup.procs read so the misconfiguration "
		  "surfaces without burning a syscall (a silent record would also leave subsequent "
		  "`drain_cgroup_procs` empty, masking the missing-bridge bug). Install a bridge "
		  "via `SnapshotBridge::set_thread_local` (RAII via `BridgeGuard`) before "
		  "`execute_scenario` runs the op" },
		{ "t", "nope", true,
		  "Op::CaptureCgroupProcs(tag=\"t\", cgroup=\"nope\"): CgroupOps::read_procs "
		  "failed: No such file or directory" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct env *e = env_new();
		struct ktsnap_op op = ktsnap_op_capture_cgroup_procs(cases[i].tag, cases[i].cgroup);

		assert_int_equal(ktsnap_scenario__add_step(e->sc), 1);
		assert_int_equal(ktsnap_scenario__add_cgroup(e->sc, 1, "w", 1, NULL), 0);
		assert_int_equal(ktsnap_scenario__add_op(e->sc, 1, &op), 0);
		assert_true(ktsnap_scenario__run(
				    e->sc,
				    cases[i].bridge ?
					    &(struct ktsnap_scenario_run_opts){
						    .sz = sizeof(struct ktsnap_scenario_run_opts),
						    .bridge = e->b } :
					    NULL) < 0);
		assert_string_equal(ktsnap_scenario__errmsg(e->sc), cases[i].text);
		env_free(e);
	}
}

static int cmp_i32(const void *a, const void *b)
{
	return *(const int32_t *)a - *(const int32_t *)b;
}

static void cgroup_procs_records_workers(void **state)
{
	struct env *e = *state;
	struct ktsnap_op op = ktsnap_op_capture_cgroup_procs("after_spawn", "workers");
	struct ktsnap_cgroup_procs *rec;
	int32_t got[4], want[4];
	const pid_t *pids;
	size_t n, i;

	assert_int_equal(ktsnap_scenario__add_step(e->sc), 1);
	assert_int_equal(ktsnap_scenario__add_cgroup(e->sc, 1, "workers", 4, NULL), 0);
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 1, &op), 0);
	assert_int_equal(run_with(e->sc, e->b), 0);
	rec = ktsnap_bridge__cgroup_procs_by_tag(e->b, "after_spawn");
	assert_non_null(rec);
	assert_string_equal(rec->cgroup, "workers");
	assert_int_equal(rec->nr_pids, 4);
	pids = ktsnap_scenario__worker_pids(e->sc, 1, &n);
	assert_int_equal(n, 4);
	for (i = 0; i < 4; i++) {
		got[i] = rec->pids[i];
		want[i] = pids[i];
	}
	qsort(got, 4, sizeof(got[0]), cmp_i32);
	qsort(want, 4, sizeof(want[0]), cmp_i32);
	assert_memory_equal(got, want, sizeof(got));
	ktsnap_cgroup_procs__free(rec);
}

/* ---- F143 / F144: kernel ops ------------------------------------------------------- */
struct kop_log {
	int calls;
	enum ktsnap_kernel_op_direction dir[8];
	size_t entries[8];
	bool fail;
};

static int kop_cb(const struct ktsnap_kernel_op_request *req, struct ktsnap_kernel_op_reply *reply,
		  void *ctx)
{
	struct kop_log *l = ctx;
	struct ktsnap_kernel_op_value v = ktsnap_kernel_op_value_u64(42);

	if (l->calls < 8) {
		l->dir[l->calls] = req->direction;
		l->entries[l->calls] = req->nr_entries;
	}
	l->calls++;
	reply->success = !l->fail;
	if (l->fail)
		return ktsnap_kernel_op_reply__set_reason(reply, "boom");
	if (req->direction == KTSNAP_KERNEL_OP_READ)
		return ktsnap_kernel_op_reply__push_value(reply, &v);
	return 0;
}

static struct ktsnap_op kop(enum ktsnap_op_kind kind, const char *tag,
			    struct ktsnap_kernel_op_entry *e)
{
	return (struct ktsnap_op){ .kind = kind, .name = tag, .entries = e, .nr_entries = 1 };
}

static void kernel_ops_merge_and_dispatch(void **state)
{
	struct env *e = *state;
	struct kop_log l = {};
	struct ktsnap_kernel_op_entry ent = { .target = ktsnap_kernel_op_target_kva(0x1000),
					      .value = ktsnap_kernel_op_value_u32(1) };
	struct ktsnap_op a = kop(KTSNAP_OP_WRITE_KERNEL_COLD, NULL, &ent);
	struct ktsnap_op c = kop(KTSNAP_OP_READ_KERNEL_COLD, "c", &ent);
	struct ktsnap_kernel_op_value v;

	ktsnap_bridge__with_kernel_op(e->b, kop_cb, &l, NULL);
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 0, &a), 0); /* A */
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 0, &a), 0); /* B */
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 0, &c), 0); /* C */
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 0, &a), 0); /* D */
	assert_int_equal(run_with(e->sc, e->b), 0);
	assert_int_equal(l.calls, 3);
	assert_int_equal(l.dir[0], KTSNAP_KERNEL_OP_WRITE);
	assert_int_equal(l.entries[0], 2);
	assert_int_equal(l.dir[1], KTSNAP_KERNEL_OP_READ);
	assert_int_equal(l.entries[1], 1);
	assert_int_equal(l.dir[2], KTSNAP_KERNEL_OP_WRITE);
	assert_int_equal(l.entries[2], 1);
	/* the read landed under its tag in the kernel-op log */
	assert_int_equal(ktsnap_bridge__kernel_op_value(e->b, "c", &v), 0);
	assert_int_equal(v.kind, KTSNAP_KERNEL_OP_VALUE_U64);
	assert_int_equal(v.u64, 42);
	ktsnap_kernel_op_value__clear(&v);
}

static void kernel_op_failures(void **state)
{
	struct fake f = {};
	struct kop_log l = { .fail = true };
	struct ktsnap_bridge *b = fake_bridge(&f), *live = fake_bridge(&f);
	struct ktsnap_kernel_op_entry e = { .target = ktsnap_kernel_op_target_kva(0x1000),
					    .value = ktsnap_kernel_op_value_u64(0) };
	struct ktsnap_op rh = kop(KTSNAP_OP_READ_KERNEL_HOT, "t", &e);
	struct ktsnap_op rc = kop(KTSNAP_OP_READ_KERNEL_COLD, "jiffies", &e);
	struct ktsnap_op wh = kop(KTSNAP_OP_WRITE_KERNEL_HOT, NULL, &e);

	/* no kernel-op callback on the bridge */
	expect_op_fails(&rh, b, -EOPNOTSUPP,
			"Op::ReadKernelHot('t'): no SnapshotBridge kernel-op callback is "
			"installed on this thread and not running in a guest VM. Install a "
			"callback via SnapshotBridge::new(...).with_kernel_op(...)"
			".set_thread_local() for host-side tests, or run the scenario inside a "
			"ktstr guest VM where the port-1 wire path provides dispatch.");
	/* success = false */
	ktsnap_bridge__with_kernel_op(b, kop_cb, &l, NULL);
	expect_op_fails(&rh, b, -EIO, "Op::ReadKernelHot('t'): host reported failure: boom");
	/* the live host's answers (§12) */
	ktsnap_bridge__with_kernel_op(live, ktsnap_kernel_op_live, NULL, NULL);
	expect_op_fails(&wh, live, -EIO,
			"Op::WriteKernelHot(''): host reported failure: not supported on a "
			"live host");
	/* the text is only known when /proc/kcore is missing */
	expect_op_fails(
		&rc, live, -EIO,
		access("/proc/kcore", F_OK) ?
			"Op::ReadKernelCold('jiffies'): host "
			"reported failure: not supported on this host: /proc/kcore missing" :
			NULL);
	ktsnap_bridge__unref(b);
	ktsnap_bridge__unref(live);
}

/* ---- F145: the scheduler ops' gates ------------------------------------------------ */
static void scheduler_ops_gates(void **state)
{
	static const char *const argv[] = { "true", NULL };
	struct fake f = {};
	struct ktsnap_bridge *b = fake_bridge(&f);
	struct ktsnap_op at = { .kind = KTSNAP_OP_ATTACH_SCHEDULER, .argv = argv, .obj = "x" };
	struct ktsnap_op re = { .kind = KTSNAP_OP_REPLACE_SCHEDULER, .argv = argv, .obj = "x" };
	_Atomic uint64_t seqno = 0;
	_Atomic uint8_t wstate = KTSNAP_ACCESSOR_FAILED_PERMANENTLY;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	expect_op_fails(&at, NULL, -EOPNOTSUPP,
			"Op::AttachScheduler: no SnapshotBridge installed on the executor's "
			"thread; cannot observe the scheduler's accessor state");
	expect_op_fails(&re, b, -ESRCH,
			"Op::ReplaceScheduler: no scheduler attached; attach a scheduler via "
			"`Op::AttachScheduler` before invoking this Op");

	/* the not-trying gate runs first and its text is the op's */
	assert_true(efd >= 0);
	assert_non_null(ktsnap_bridge__with_accessor_state(b, &seqno, &wstate, efd));
	expect_op_fails(&at, b, -ESRCH,
			"Op::AttachScheduler: accessor-init worker exited (FAILED_PERMANENTLY) "
			"before this op could run — check freeze-coord 'vmm-accessor-init' logs "
			"for ELF parse or boot-budget failures");
	close(efd);
	ktsnap_bridge__unref(b);
}

/* ---- workers: affinity and nice; freeze around a capture --------------------------- */
static void workers_affinity_and_nice(void **state)
{
	struct env *e = *state;
	static const uint32_t cpu0[] = { 0 };
	KTSNAP_OPTS(ktsnap_workload, wl, .spin_us = 200, .sleep_us = 200, .yield = true,
		    .set_nice = true, .nice = 5, .cpus = cpu0, .nr_cpus = 1);
	struct ktsnap_op s = ktsnap_op_capture_snapshot("s");

	e->f.check_workers = true;
	e->f.sc = e->sc;
	assert_int_equal(ktsnap_scenario__add_step(e->sc), 1);
	assert_int_equal(ktsnap_scenario__add_cgroup(e->sc, 1, "pinned", 3, &wl), 0);
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 1, &s), 0);
	assert_int_equal(run_with(e->sc, e->b), 0);
	assert_int_equal(e->f.captures, 1);
	assert_true(e->f.workers_ok);
}

static void capture_freezes_and_thaws(void **state)
{
	struct env *e = *state;
	static const char *const none[] = { "no_such_map_name" };
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .map_names = none, .nr_map_names = 1,
		    .maps_only = true);
	struct ktsnap_op s = ktsnap_op_capture_snapshot("frozen");
	KTSNAP_OPTS(ktsnap_scenario_run_opts, opts, .bridge = e->b, .capture = &copts);
	const struct ktsnap_scenario_capture_stat *st;

	e->f.freeze_via_scenario = true;
	e->f.sc = e->sc;
	assert_int_equal(ktsnap_scenario__add_step(e->sc), 1);
	assert_int_equal(ktsnap_scenario__add_cgroup(e->sc, 1, "a", 2, NULL), 0);
	assert_int_equal(ktsnap_scenario__add_cgroup(e->sc, 1, "b", 1, NULL), 0);
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 1, &s), 0);
	assert_int_equal(ktsnap_scenario__run(e->sc, &opts), 0);
	assert_int_equal(ktsnap_scenario__capture_stat_count(e->sc), 1);
	st = ktsnap_scenario__capture_stat(e->sc, 0);
	assert_string_equal(st->tag, "frozen");
	assert_int_equal(st->step, 1);
	assert_true(st->frozen);
	assert_true(st->freeze_ns > 0);
	/* thawed as soon as the capture returned */
	assert_string_equal(e->f.freeze_after, "0\n");
	assert_true(ktsnap_bridge__has(e->b, "frozen"));
}

/* Captures from another thread while the run freezes and thaws its own. */
struct side {
	struct ktsnap_bridge *b;
	atomic_bool stop;
	int captures;
};

static void *side_captures(void *arg)
{
	struct side *s = arg;

	do {
		if (ktsnap_bridge__capture(s->b, "side"))
			s->captures++;
	} while (!atomic_load(&s->stop));
	return NULL;
}

static void capture_from_another_thread(void **state)
{
	static const char *const none[] = { "no_such_map_name" };
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .map_names = none, .nr_map_names = 1,
		    .maps_only = true);
	struct ktsnap_scenario *sc = ktsnap_scenario__new();
	struct side side = { .b = ktsnap_bridge__new(ktsnap_scenario_capture_callback, sc, NULL) };
	KTSNAP_OPTS(ktsnap_scenario_run_opts, opts, .bridge = side.b, .capture = &copts);
	struct ktsnap_op s = ktsnap_op_capture_snapshot("main"), nap = ktsnap_op_sleep(50);
	pthread_t t;
	size_t i, n;

	assert_int_equal(ktsnap_scenario__add_step(sc), 1);
	assert_int_equal(ktsnap_scenario__add_cgroup(sc, 1, "w", 2, NULL), 0);
	assert_int_equal(ktsnap_scenario__add_op(sc, 1, &nap), 0);
	assert_int_equal(ktsnap_scenario__add_op(sc, 1, &s), 0);
	assert_int_equal(ktsnap_scenario__add_op(sc, 1, &nap), 0);
	assert_int_equal(pthread_create(&t, NULL, side_captures, &side), 0);
	assert_int_equal(ktsnap_scenario__run(sc, &opts), 0);
	atomic_store(&side.stop, true);
	pthread_join(t, NULL);
	assert_true(side.captures >= 1);
	assert_true(ktsnap_bridge__has(side.b, "main"));
	n = ktsnap_scenario__capture_stat_count(sc);
	assert_int_equal(n, (size_t)side.captures + 1);
	for (i = 0; i < n; i++)
		if (!strcmp(ktsnap_scenario__capture_stat(sc, i)->tag, "main"))
			assert_true(ktsnap_scenario__capture_stat(sc, i)->frozen);
	assert_true(path_gone(ktsnap_scenario__cgroup_parent(sc)));
	ktsnap_bridge__unref(side.b);
	ktsnap_scenario__free(sc);
}

/* ---- cleanup ----------------------------------------------------------------------- */
static void failed_op_leaves_nothing(void **state)
{
	struct env *e = *state;
	struct ktsnap_op ok = ktsnap_op_capture_snapshot("s1");
	struct ktsnap_op pin = ktsnap_op_pin_bpf_map("no_such_map_x");
	struct ktsnap_op never = ktsnap_op_capture_snapshot("never");
	const pid_t *pids;
	size_t n, i;

	assert_int_equal(ktsnap_scenario__add_step(e->sc), 1);
	assert_int_equal(ktsnap_scenario__add_step(e->sc), 2);
	assert_int_equal(ktsnap_scenario__add_cgroup(e->sc, 1, "w", 2, NULL), 0);
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 1, &ok), 0);
	assert_int_equal(ktsnap_scenario__add_cgroup(e->sc, 2, "w", 2, NULL), 0);
	assert_int_equal(ktsnap_scenario__add_cgroup(e->sc, 2, "v", 1, NULL), 0);
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 2, &pin), 0);
	assert_int_equal(ktsnap_scenario__add_op(e->sc, 2, &never), 0);
	assert_int_equal(run_with(e->sc, e->b), -ENOENT);
	assert_non_null(strstr(ktsnap_scenario__errmsg(e->sc),
			       "Op::PinBpfMap(\"no_such_map_x\"): no BPF map with that name"));
	assert_true(ktsnap_bridge__has(e->b, "s1"));
	assert_false(ktsnap_bridge__has(e->b, "never"));
	pids = ktsnap_scenario__worker_pids(e->sc, 2, &n);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		assert_true(pid_gone(pids[i]));
	pids = ktsnap_scenario__worker_pids(e->sc, 1, &n);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		assert_true(pid_gone(pids[i]));
	assert_true(ktsnap_scenario__cgroup_parent(e->sc)[0] != '\0');
	assert_true(path_gone(ktsnap_scenario__cgroup_parent(e->sc)));
}

/* The child runs a long step; SIGTERM ends it with everything removed. */
static int sigterm_child(const char *parent)
{
	struct fake f = {};
	struct ktsnap_bridge *b = ktsnap_bridge__new(fake_capture, &f, NULL);
	struct ktsnap_scenario *sc = ktsnap_scenario__new();
	KTSNAP_OPTS(ktsnap_scenario_run_opts, opts, .bridge = b, .catch_signals = true,
		    .cgroup_parent = parent);
	const char *msg;
	int rc, err;

	ktsnap_scenario__add_step(sc);
	ktsnap_scenario__add_cgroup(sc, 1, "w", 2, NULL);
	ktsnap_scenario__set_hold(sc, 1, KTSNAP_HOLD_DURATION, 60000, 0);
	rc = ktsnap_scenario__run(sc, &opts);
	msg = ktsnap_scenario__errmsg(sc);
	err = rc == -EINTR && ktsnap_scenario__signal(sc) == SIGTERM && msg &&
			      strstr(msg, "interrupted by signal 15") ?
		      42 :
		      1;
	if (err != 42) /* the parent's failure then shows what the run said */
		fprintf(stderr, "child: run returned %d, signal %d: %s\n", rc,
			ktsnap_scenario__signal(sc), msg ? msg : "(no message)");
	ktsnap_scenario__free(sc);
	ktsnap_bridge__unref(b);
	return err;
}

static void sigterm_cleans_up(void **state)
{
	char name[64], dir[4200], procs[4300], line[64];
	pid_t child, pids[2];
	int status, n = 0, tries;
	FILE *f;

	snprintf(name, sizeof(name), "ktsnap-test-sig-%d", (int)getpid());
	fflush(NULL);
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(sigterm_child(name));
	/* find the run's cgroup under the cgroup2 mount */
	f = fopen("/proc/self/mountinfo", "r");
	assert_non_null(f);
	dir[0] = '\0';
	while (fgets(procs, sizeof(procs), f)) {
		char mnt[4096];

		if (strstr(procs, " - cgroup2 ") &&
		    sscanf(procs, "%*s %*s %*s %*s %4095s", mnt) == 1 &&
		    (!dir[0] || !strcmp(mnt, "/sys/fs/cgroup/unified")))
			snprintf(dir, sizeof(dir), "%s/%s", mnt, name);
	}
	fclose(f);
	snprintf(procs, sizeof(procs), "%s/w/cgroup.procs", dir);
	for (tries = 0; tries < 1000 && n < 2; tries++) {
		usleep(10000);
		n = 0;
		f = fopen(procs, "r");
		while (f && n < 2 && fgets(line, sizeof(line), f))
			pids[n++] = atoi(line);
		if (f)
			fclose(f);
	}
	assert_int_equal(n, 2);
	assert_int_equal(kill(child, SIGTERM), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 42);
	assert_true(pid_gone(pids[0]));
	assert_true(pid_gone(pids[1]));
	assert_true(path_gone(dir));
}

/* ---- building errors --------------------------------------------------------------- */
static void builder_rejects_bad_input(void **state)
{
	struct ktsnap_scenario *sc = ktsnap_scenario__new();
	struct ktsnap_op noname = { .kind = KTSNAP_OP_CAPTURE_SNAPSHOT };
	struct ktsnap_op at = { .kind = KTSNAP_OP_ATTACH_SCHEDULER, .obj = "x" };

	assert_int_equal(ktsnap_scenario__add_cgroup(sc, 0, "w", 1, NULL), -EINVAL);
	assert_int_equal(ktsnap_scenario__add_step(sc), 1);
	assert_int_equal(ktsnap_scenario__add_cgroup(sc, 1, "a/b", 1, NULL), -EINVAL);
	assert_int_equal(ktsnap_scenario__add_cgroup(sc, 1, "..", 1, NULL), -EINVAL);
	assert_int_equal(ktsnap_scenario__add_cgroup(sc, 1, "w", 1, NULL), 0);
	assert_int_equal(ktsnap_scenario__add_cgroup(sc, 1, "w", 1, NULL), -EEXIST);
	assert_int_equal(ktsnap_scenario__add_cgroup(sc, 2, "w", 1, NULL), -EINVAL);
	assert_int_equal(ktsnap_scenario__add_op(sc, 1, &noname), -EINVAL);
	assert_int_equal(ktsnap_scenario__add_op(sc, 1, &at), -EINVAL);
	assert_int_equal(ktsnap_scenario__add_map_write(sc, "", NULL, 0, 1), -EINVAL);
	assert_int_equal(ktsnap_scenario__step_count(sc), 1);
	assert_string_equal(ktsnap_op_kind__name(KTSNAP_OP_PIN_BPF_MAP), "PinBpfMap");
	ktsnap_scenario__free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		env_test(capture_stamps_step_index),
		env_test(absent_capture_still_succeeds),
		env_test(capture_in_loop_refused),
		env_test(loop_runs_k_times),
		cmocka_unit_test(capture_without_bridge_fails),
		cmocka_unit_test(watch_without_bridge_fails),
		cmocka_unit_test(watch_through_bridge),
		cmocka_unit_test(watch_without_callback),
		cmocka_unit_test(cgroup_procs_texts),
		env_test(cgroup_procs_records_workers),
		env_test(kernel_ops_merge_and_dispatch),
		cmocka_unit_test(kernel_op_failures),
		cmocka_unit_test(scheduler_ops_gates),
		env_test(workers_affinity_and_nice),
		env_test(capture_freezes_and_thaws),
		cmocka_unit_test(capture_from_another_thread),
		env_test(failed_op_leaves_nothing),
		cmocka_unit_test(sigterm_cleans_up),
		cmocka_unit_test(builder_rejects_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
