// SPDX-License-Identifier: MIT
/*
 * Scenarios (spec §11, §11.6, §12): the runner (baseline, map writes, steps: setup → ops → hold → teardown, and
 * the cleanup that always runs), every op with the spec's texts, the
 * capture callback that freezes the run's cgroups around a live capture,
 * and the live host's kernel-op callback.  cgroup2 files are handled in
 * cgroup.c and processes in workload.c; the bridge is reached only
 * through its public API (the calls that read error texts are the
 * bridge_* wrappers below).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include <ktsnap/capture.h>
#include <ktsnap/scenario.h>
#include <ktsnap/watch.h>

#include "bridge_internal.h"
#include "capture_internal.h"
#include "log_internal.h"
#include "opts_internal.h"
#include "report_internal.h"
#include "scenario_internal.h"
#include "util_internal.h"

#define MAP_WRITE_WAIT_MS 5000
#define FREEZE_TIMEOUT_MS 1000
#define SCHED_ATTACH_TIMEOUT_MS 30000
#define SCHED_KILL_GRACE_MS 10000 /* spec §1 "scheduler kill grace" */
#define ATTACH_NOT_TRYING_S 60 /* spec §11.5 */
#define ATTACH_ADVANCE_S 30
#define REPLACE_NOT_TRYING_S 5
#define REPLACE_ADVANCE_S 10
#define NS_PER_S 1000000000ULL
#define SCX_STATE_PATH "/sys/kernel/sched_ext/state"

static volatile sig_atomic_t stop_sig;

/* ---- small helpers ----------------------------------------------------------------- */
static int fail(struct ktsnap_scenario *sc, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ktsnap_scenario *sc, int err, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(sc->errmsg);
	sc->errmsg = msg;
	/* the thread's ktsnap_errmsg() says it too, as every failing call does */
	return ktsnap_fail(err, "%s", msg ? msg : "scenario: out of memory");
}

static void progress(struct ktsnap_scenario *sc, unsigned int step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void progress(struct ktsnap_scenario *sc, unsigned int step, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!sc->progress)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sc->progress(step, line, sc->progress_ctx);
}

static int check_stop(struct ktsnap_scenario *sc)
{
	if (!sc->catch_signals || !stop_sig)
		return 0;
	sc->sig = stop_sig;
	return fail(sc, -EINTR, "interrupted by signal %d (%s)", (int)stop_sig,
		    strsignal(stop_sig));
}

static volatile sig_atomic_t *stop_flag(struct ktsnap_scenario *sc)
{
	return sc->catch_signals ? &stop_sig : NULL;
}

static void get_bridge(struct ktsnap_bridge *b, void *ctx)
{
	*(struct ktsnap_bridge **)ctx = b;
}

/* The calling thread's active bridge, borrowed for the current op. */
static struct ktsnap_bridge *active_bridge(void)
{
	struct ktsnap_bridge *b = NULL;

	ktsnap_with_active_bridge(get_bridge, &b);
	return b;
}

/*
 * The bridge calls whose failures carry a spec text: the text is the
 * bridge's ktsnap_errmsg(), copied for the op's message.
 */
static int errmsg_copy(int r, char **msg)
{
	if (r)
		*msg = strdup(ktsnap_errmsg());
	return r;
}

static int bridge_register_watch(struct ktsnap_bridge *b, const char *symbol, char **msg)
{
	return errmsg_copy(ktsnap_bridge__register_watch(b, symbol), msg);
}

static int bridge_wait_not_trying(struct ktsnap_bridge *b, uint64_t deadline_ns, const char *label,
				  char **msg)
{
	return errmsg_copy(ktsnap_bridge__wait_for_worker_state_not_trying(b, deadline_ns, label),
			   msg);
}

static int bridge_wait_advance(struct ktsnap_bridge *b, uint64_t before, uint64_t deadline_ns,
			       const char *label, char **msg)
{
	uint64_t seqno = 0;

	return errmsg_copy(ktsnap_bridge__wait_for_accessor_publish_advance(b, before, deadline_ns,
									    label, &seqno),
			   msg);
}

/* ---- BPF maps (the plumbing is in scenario_maps.c) ----------------------- */
/* BpfMapWrite (§11.7, §12): read-modify-write of key 0 of an ARRAY map. */
static int do_map_write(struct ktsnap_scenario *sc, const struct sc_map_write *w)
{
	uint64_t deadline = ktsnap_monotonic_ns() + MAP_WRITE_WAIT_MS * 1000000ULL;
	struct bpf_map_info info;
	uint32_t off = w->offset;
	char what[128];
	int fd, err;

	if (w->var)
		snprintf(what, sizeof(what), "'%s', variable '%s'", w->suffix, w->var);
	else
		snprintf(what, sizeof(what), "'%s', offset %" PRIu32, w->suffix, w->offset);
	/* wait until the scheduler's map is discoverable */
	while ((fd = ktsnap_map_find(sc->capture, ktsnap_map_match_suffix, w->suffix, &info)) ==
	       -ENOENT) {
		if (ktsnap_monotonic_ns() >= deadline)
			return fail(sc, -ENOENT,
				    "BpfMapWrite(%s): no BPF map whose name ends with '%s' "
				    "appeared within %d ms",
				    what, w->suffix, MAP_WRITE_WAIT_MS);
		if (ktsnap_sleep_ms(20, stop_flag(sc)))
			return check_stop(sc);
	}
	if (fd < 0)
		return fail(sc, fd, "BpfMapWrite(%s): walking BPF map ids: %s", what,
			    strerror(-fd));
	if (info.type != BPF_MAP_TYPE_ARRAY) {
		err = fail(sc, -EINVAL,
			   "BpfMapWrite(%s): map '%s' (id %u) has type %u; only "
			   "BPF_MAP_TYPE_ARRAY maps can be written",
			   what, info.name, info.id, info.type);
		goto out;
	}
	if (w->var) {
		err = ktsnap_map_var_offset(&info, w->var, &off);
		if (err) {
			err = fail(sc, err == -ENODATA ? -ENOENT : err,
				   "BpfMapWrite(%s): %s in the BTF of map '%s' (id %u)", what,
				   err == -ENODATA ? "no BTF value type" :
				   err == -ENOENT  ? "no such variable" :
						     strerror(-err),
				   info.name, info.id);
			goto out;
		}
	}
	if ((uint64_t)off + sizeof(uint32_t) > info.value_size) {
		err = fail(sc, -ERANGE,
			   "BpfMapWrite(%s): offset %" PRIu32 " + 4 is past the %u-byte value of "
			   "map '%s'",
			   what, off, info.value_size, info.name);
		goto out;
	}
	err = ktsnap_map_write_u32(fd, info.value_size, off, w->value);
	if (err) {
		err = fail(sc, err, "BpfMapWrite(%s): updating key 0 of map '%s' (id %u): %s", what,
			   info.name, info.id, strerror(-err));
		goto out;
	}
	err = 0;
	progress(sc, 0, "step 0: BpfMapWrite(%s) = %" PRIu32 " ok: map '%s' (id %u) byte %" PRIu32,
		 what, w->value, info.name, info.id, off);
out:
	close(fd);
	return err;
}

/* ---- ops --------------------------------------------------------------------------- */
struct op_ctx {
	unsigned int step;
	bool in_loop;
};

static int op_capture_snapshot(struct ktsnap_scenario *sc, const struct sc_op *op,
			       const struct op_ctx *c)
{
	struct ktsnap_wire_result res;
	struct ktsnap_wire_client *w;
	struct ktsnap_bridge *b;
	int err;

	if (c->in_loop)
		return fail(sc, -EINVAL,
			    "Op::CaptureSnapshot('%s') inside HoldSpec::Loop forces a freeze "
			    "rendezvous every loop iteration, freezing every vCPU on each "
			    "iteration so the workload no longer runs at the rate you wrote; move "
			    "the capture into a non-Loop Step before or after the Loop step",
			    op->name);
	b = active_bridge();
	if (!b && (w = ktsnap_wire_default_client())) {
		/* no bridge here, but a ktsnap serve to ask (KTSNAP_SERVER) */
		err = ktsnap_wire_capture_snapshot_op(w, op->name, KTSNAP_WIRE_REQUEST_TIMEOUT_MS,
						      &res);
		return err ? fail(sc, err, "%s", ktsnap_errmsg()) : 0;
	}
	if (!b)
		return fail(sc, -EOPNOTSUPP,
			    "Op::CaptureSnapshot('%s'): not supported in host_only mode (no guest "
			    "VM, no test-fixture SnapshotBridge installed); snapshot capture is "
			    "mutually exclusive with host_only — either drop the snapshot op or "
			    "convert the test to non-host_only",
			    op->name);
	/* a callback that produced nothing leaves only an event (§11.1 step 3) */
	ktsnap_bridge__capture_with_step(b, op->name, (uint16_t)c->step);
	return 0;
}

static int op_watch_snapshot(struct ktsnap_scenario *sc, const struct sc_op *op)
{
	struct ktsnap_bridge *b = active_bridge();
	struct ktsnap_wire_result res;
	struct ktsnap_wire_client *w;
	char *msg = NULL;
	int err;

	if (!b && (w = ktsnap_wire_default_client())) {
		err = ktsnap_wire_watch_snapshot_op(w, op->name, KTSNAP_WIRE_REQUEST_TIMEOUT_MS,
						    &res);
		return err ? fail(sc, err, "%s", ktsnap_errmsg()) : 0;
	}
	if (!b)
		return fail(sc, -EOPNOTSUPP,
			    "Op::WatchSnapshot('%s'): not supported in host_only mode (no guest "
			    "VM, no test-fixture SnapshotBridge installed); hardware-watchpoint "
			    "snapshots are mutually exclusive with host_only — either drop the "
			    "watch op or convert the test to non-host_only",
			    op->name);
	err = bridge_register_watch(b, op->name, &msg);
	if (err)
		err = fail(sc, err, "Op::WatchSnapshot: register watch on '%s' failed: %s",
			   op->name, msg ? msg : strerror(-err));
	free(msg);
	if (!err && !KTSNAP_ENSURE(sc->watches, sc->cap_watches, sc->nr_watches + 1)) {
		struct sc_watch *w = &sc->watches[sc->nr_watches];

		w->symbol = strdup(op->name);
		if (w->symbol) {
			w->bridge = ktsnap_bridge__ref(b);
			sc->nr_watches++;
		}
	}
	return err;
}

static int op_cgroup_procs(struct ktsnap_scenario *sc, const struct sc_op *op)
{
	struct ktsnap_bridge *b;
	char path[PATH_MAX];
	int32_t *pids = NULL;
	size_t n = 0;
	int err;

	if (!op->name[0])
		return fail(sc, -EINVAL,
			    "Op::CaptureCgroupProcs: tag is empty; the tag is the snapshot key "
			    "consumers use to find the capture in "
			    "`SnapshotBridge::drain_cgroup_procs` — supply a non-empty identifier "
			    "(e.g. \"after_spawn\", \"post_migrate\")");
	if (!op->cgroup[0])
		return fail(
			sc, -EINVAL,
			"Op::CaptureCgroupProcs(tag=\"%s\"): cgroup name is empty. Provide a "
			"cgroup name registered via `Op::AddCgroup`, a `CgroupDef` in setup, or "
			"pushed on the Backdrop; an empty name would resolve to the runner's "
			"own cgroup, which is almost certainly not the test author's intent",
			op->name);
	b = active_bridge();
	if (!b)
		return fail(
			sc, -EOPNOTSUPP,
			"Op::CaptureCgroupProcs(tag=\"%s\", cgroup=\"%s\"): no SnapshotBridge "
			"installed for this thread; bailing before the cgroup.procs read so the "
			"misconfiguration surfaces without burning a syscall (a silent record "
			"would also leave subsequent `drain_cgroup_procs` empty, masking the "
			"missing-bridge bug). Install a bridge via "
			"`SnapshotBridge::set_thread_local` (RAII via `BridgeGuard`) before "
			"`execute_scenario` runs the op",
			op->name, op->cgroup);
	err = -ENOENT;
	if (sc->parent[0] && sc_valid_component(op->cgroup) &&
	    (size_t)snprintf(path, sizeof(path), "%s/%s", sc->parent, op->cgroup) < sizeof(path))
		err = ktsnap_cgroup_read_procs(path, &pids, &n);
	if (err)
		return fail(sc, err,
			    "Op::CaptureCgroupProcs(tag=\"%s\", cgroup=\"%s\"): "
			    "CgroupOps::read_procs failed: %s",
			    op->name, op->cgroup, strerror(-err));
	err = ktsnap_bridge__record_cgroup_procs(b, op->name, op->cgroup, pids, n);
	free(pids);
	if (err)
		return fail(sc, err, "Op::CaptureCgroupProcs(tag=\"%s\", cgroup=\"%s\"): %s",
			    op->name, op->cgroup, strerror(-err));
	return 0;
}

static int op_pin_map(struct ktsnap_scenario *sc, const struct sc_op *op)
{
	struct bpf_map_info info;
	size_t i;
	int fd;

	for (i = 0; i < sc->nr_pins; i++)
		if (!strcmp(sc->pins[i].name, op->name))
			return 0; /* idempotent per name */
	if (KTSNAP_ENSURE(sc->pins, sc->cap_pins, sc->nr_pins + 1))
		return fail(sc, -ENOMEM, "Op::PinBpfMap(\"%s\"): out of memory", op->name);
	fd = ktsnap_map_find(sc->capture, ktsnap_map_match_name, op->name, &info);
	if (fd < 0)
		return fail(
			sc, fd,
			"Op::PinBpfMap(\"%s\"): %s\n\nCommon causes:\n  (a) Target "
			"scheduler's BPF object hasn't finished loading. Place this op AFTER a "
			"hold long enough for the scheduler to attach.\n  (b) Step ran before "
			"any `Op::AttachScheduler`; pin must come after the scheduler that owns "
			"the map is up.\n  (c) Name exceeds the 15-char usable cap of "
			"`BPF_OBJ_NAME_LEN` and was truncated by libbpf when loaded — the "
			"kernel-visible name is the truncated form.",
			op->name, fd == -ENOENT ? "no BPF map with that name" : strerror(-fd));
	sc->pins[sc->nr_pins].name = strdup(op->name);
	if (!sc->pins[sc->nr_pins].name) {
		close(fd);
		return fail(sc, -ENOMEM, "Op::PinBpfMap(\"%s\"): out of memory", op->name);
	}
	sc->pins[sc->nr_pins++].fd = fd;
	return 0;
}

static int kernel_op(struct ktsnap_scenario *sc, const char *label, enum ktsnap_kernel_op_mode mode,
		     enum ktsnap_kernel_op_direction dir, const char *tag,
		     struct ktsnap_kernel_op_entry *entries, size_t n)
{
	struct ktsnap_kernel_op_request req = {
		.mode = mode,
		.direction = dir,
		.tag = (char *)tag,
		.entries = entries,
		.nr_entries = n,
	};
	struct ktsnap_kernel_op_reply reply = { 0 };
	struct ktsnap_bridge *b = active_bridge();
	struct ktsnap_wire_client *w = b ? NULL : ktsnap_wire_default_client();
	struct ktsnap_wire_result res;
	int err;

	/* the bridge's callback first, then a ktsnap serve (§11.4) */
	if (b)
		err = ktsnap_bridge__dispatch_kernel_op(b, &req, &reply);
	else if (w)
		err = ktsnap_wire_client__request_kernel_op(w, &req, KTSNAP_WIRE_REQUEST_TIMEOUT_MS,
							    &reply, &res);
	else
		err = -EOPNOTSUPP;
	if (w && err)
		return fail(sc, err, "%s('%s'): %s", label, tag, ktsnap_errmsg());
	if (err == -EOPNOTSUPP)
		return fail(
			sc, err,
			"%s('%s'): no SnapshotBridge kernel-op callback is installed on this "
			"thread and not running in a guest VM. Install a callback via "
			"SnapshotBridge::new(...).with_kernel_op(...).set_thread_local() for "
			"host-side tests, or run the scenario inside a ktstr guest VM where the "
			"port-1 wire path provides dispatch.",
			label, tag);
	if (err)
		return fail(sc, err, "%s('%s'): kernel-op callback failed: %s", label, tag,
			    strerror(-err));
	if (!reply.success)
		err = fail(sc, -EIO, "%s('%s'): host reported failure: %s", label, tag,
			   reply.reason ? reply.reason : "");
	ktsnap_kernel_op_reply__clear(&reply);
	return err;
}

static int op_read_kernel(struct ktsnap_scenario *sc, const struct sc_op *op)
{
	bool cold = op->kind == KTSNAP_OP_READ_KERNEL_COLD;

	return kernel_op(sc, cold ? "Op::ReadKernelCold" : "Op::ReadKernelHot",
			 cold ? KTSNAP_KERNEL_OP_COLD : KTSNAP_KERNEL_OP_HOT, KTSNAP_KERNEL_OP_READ,
			 op->name, op->entries, op->nr_entries);
}

/*
 * Run ops [i, j) of @l that are all WriteKernelCold as one request: the
 * spec merges adjacent cold writes so they land in one freeze (§11.4).
 */
static int op_write_cold_run(struct ktsnap_scenario *sc, const struct sc_oplist *l, size_t i,
			     size_t j)
{
	struct ktsnap_kernel_op_entry *all;
	size_t n = 0, k;
	int err;

	for (k = i; k < j; k++)
		n += l->ops[k].nr_entries;
	all = calloc(n, sizeof(*all));
	if (!all)
		return fail(sc, -ENOMEM, "Op::WriteKernelCold(''): out of memory");
	/* shallow: the request borrows the ops' entries */
	for (n = 0, k = i; k < j; k++) {
		memcpy(all + n, l->ops[k].entries, l->ops[k].nr_entries * sizeof(*all));
		n += l->ops[k].nr_entries;
	}
	err = kernel_op(sc, "Op::WriteKernelCold", KTSNAP_KERNEL_OP_COLD, KTSNAP_KERNEL_OP_WRITE,
			"", all, n);
	free(all);
	return err;
}

static int read_scx_state(char *buf, size_t len)
{
	FILE *f = fopen(SCX_STATE_PATH, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void stop_scheduler(struct ktsnap_scenario *sc)
{
	if (!sc->sched_pid)
		return;
	ktsnap_process_stop(sc->sched_pid, SCHED_KILL_GRACE_MS);
	sc->sched_pid = 0;
}

/*
 * Where sched_ext exists, a stopped scheduler is gone once the state
 * reads "disabled" (spec §11.5: wait ≤ 10 s); elsewhere there is nothing
 * to wait for.
 */
static int wait_scx_disabled(struct ktsnap_scenario *sc, const char *label)
{
	uint64_t deadline = ktsnap_monotonic_ns() + SCHED_KILL_GRACE_MS * 1000000ULL;
	char state[64];

	while (!read_scx_state(state, sizeof(state)) && strcmp(state, "disabled")) {
		if (ktsnap_monotonic_ns() >= deadline)
			return fail(sc, -ETIMEDOUT,
				    "%s: sched_ext state '%s' did not reach "
				    "'disabled' within 10s of stopping the previous scheduler",
				    label, state);
		if (ktsnap_sleep_ms(50, stop_flag(sc)))
			return check_stop(sc);
	}
	return 0;
}

/*
 * Start @op's command and wait until a map of its BPF object that was not
 * there before is visible: on a live host that is what "attached" means.
 */
static int spawn_and_discover(struct ktsnap_scenario *sc, const struct sc_op *op, const char *label)
{
	uint32_t timeout = op->timeout_ms ? op->timeout_ms : SCHED_ATTACH_TIMEOUT_MS;
	uint32_t *before = NULL, *after = NULL;
	size_t nr_before = 0, nr_after = 0, i;
	uint64_t deadline;
	int err;
	pid_t pid;

	err = ktsnap_map_ids_of_obj(sc->capture, op->obj, &before, &nr_before);
	if (err)
		return fail(sc, err, "%s: walking BPF map ids: %s", label, strerror(-err));
	pid = ktsnap_process_spawn((const char *const *)op->argv, op->log);
	if (pid < 0) {
		free(before);
		return fail(sc, pid, "%s: starting '%s'%s%s: %s", label, op->argv[0],
			    op->log ? " with its output in " : "", op->log ? op->log : "",
			    strerror(-pid));
	}
	sc->sched_pid = pid;
	deadline = ktsnap_monotonic_ns() + timeout * 1000000ULL;
	for (;;) {
		err = ktsnap_map_ids_of_obj(sc->capture, op->obj, &after, &nr_after);
		for (i = 0; !err && i < nr_after; i++)
			if (!ktsnap_u32_in(before, nr_before, after[i]))
				break;
		free(after);
		if (err) {
			err = fail(sc, err, "%s: walking BPF map ids: %s", label, strerror(-err));
			break;
		}
		if (i < nr_after)
			break;
		if (!ktsnap_process_alive(pid)) {
			sc->sched_pid = 0;
			err = fail(sc, -ECHILD,
				   "%s: scheduler '%s' exited before a map of BPF "
				   "object '%s' appeared",
				   label, op->argv[0], op->obj);
			break;
		}
		if (ktsnap_monotonic_ns() >= deadline) {
			err = fail(sc, -ETIMEDOUT,
				   "%s: no map of BPF object '%s' appeared within "
				   "%" PRIu32 " ms of starting '%s'",
				   label, op->obj, timeout, op->argv[0]);
			break;
		}
		if (ktsnap_sleep_ms(20, stop_flag(sc))) {
			err = check_stop(sc);
			break;
		}
	}
	free(before);
	return err;
}

/* A bridge gate's failure: its text is the op's. */
static int gate_fail(struct ktsnap_scenario *sc, int err, char *msg)
{
	err = fail(sc, err, "%s", msg ? msg : strerror(-err));
	free(msg);
	return err;
}

/*
 * AttachScheduler / ReplaceScheduler (§11.5), with the bridge's
 * accessor-state gates in the spec's order:
 *   attach:  not-trying (60 s), seqno, spawn, publish advance (30 s)
 *   replace: stop, spawn, not-trying (5 s), seqno, publish advance (10 s)
 * Without accessor state the gates pass at once; the live-host check is
 * the discovery of the scheduler's maps right after the spawn.
 */
static int op_scheduler(struct ktsnap_scenario *sc, const struct sc_op *op)
{
	bool replace = op->kind == KTSNAP_OP_REPLACE_SCHEDULER;
	const char *label = replace ? "Op::ReplaceScheduler" : "Op::AttachScheduler";
	struct ktsnap_bridge *b = active_bridge();
	uint64_t seqno_before = 0;
	char state[64], *msg = NULL;
	int err;

	if (!b)
		return fail(sc, -EOPNOTSUPP,
			    "%s: no SnapshotBridge installed on the executor's thread; cannot "
			    "observe the scheduler's accessor state",
			    label);
	if (replace) {
		if (!sc->sched_pid)
			return fail(sc, -ESRCH,
				    "%s: no scheduler attached; attach a scheduler via "
				    "`Op::AttachScheduler` before invoking this Op",
				    label);
		stop_scheduler(sc);
		err = wait_scx_disabled(sc, label);
		if (err)
			return err;
	} else {
		if (!read_scx_state(state, sizeof(state)) && strcmp(state, "disabled"))
			return fail(sc, -EBUSY,
				    "%s: sched_ext state is '%s', not 'disabled': "
				    "another scheduler is attached",
				    label, state);
		err = bridge_wait_not_trying(
			b, ktsnap_monotonic_ns() + ATTACH_NOT_TRYING_S * NS_PER_S, label, &msg);
		if (err)
			return gate_fail(sc, err, msg);
		seqno_before = ktsnap_bridge__counts(b).publish_seqno;
	}
	err = spawn_and_discover(sc, op, label);
	if (err)
		return err;
	if (replace) {
		err = bridge_wait_not_trying(
			b, ktsnap_monotonic_ns() + REPLACE_NOT_TRYING_S * NS_PER_S, label, &msg);
		if (err)
			return gate_fail(sc, err, msg);
		seqno_before = ktsnap_bridge__counts(b).publish_seqno;
	}
	err = bridge_wait_advance(
		b, seqno_before,
		ktsnap_monotonic_ns() + (replace ? REPLACE_ADVANCE_S : ATTACH_ADVANCE_S) * NS_PER_S,
		label, &msg);
	return err ? gate_fail(sc, err, msg) : 0;
}

static int run_op(struct ktsnap_scenario *sc, const struct sc_op *op, const struct op_ctx *c)
{
	switch (op->kind) {
	case KTSNAP_OP_CAPTURE_SNAPSHOT:
		return op_capture_snapshot(sc, op, c);
	case KTSNAP_OP_WATCH_SNAPSHOT:
		return op_watch_snapshot(sc, op);
	case KTSNAP_OP_CAPTURE_CGROUP_PROCS:
		return op_cgroup_procs(sc, op);
	case KTSNAP_OP_PIN_BPF_MAP:
		return op_pin_map(sc, op);
	case KTSNAP_OP_READ_KERNEL_HOT:
	case KTSNAP_OP_READ_KERNEL_COLD:
		return op_read_kernel(sc, op);
	case KTSNAP_OP_WRITE_KERNEL_HOT:
		return kernel_op(sc, "Op::WriteKernelHot", KTSNAP_KERNEL_OP_HOT,
				 KTSNAP_KERNEL_OP_WRITE, "", op->entries, op->nr_entries);
	case KTSNAP_OP_WRITE_KERNEL_COLD:
		return kernel_op(sc, "Op::WriteKernelCold", KTSNAP_KERNEL_OP_COLD,
				 KTSNAP_KERNEL_OP_WRITE, "", op->entries, op->nr_entries);
	case KTSNAP_OP_ATTACH_SCHEDULER:
	case KTSNAP_OP_REPLACE_SCHEDULER:
		return op_scheduler(sc, op);
	case KTSNAP_OP_SLEEP:
		return ktsnap_sleep_ms(op->timeout_ms, stop_flag(sc)) ? check_stop(sc) : 0;
	}
	return fail(sc, -EINVAL, "unknown op kind %d", (int)op->kind);
}

static int run_ops(struct ktsnap_scenario *sc, const struct sc_oplist *l, const struct op_ctx *c,
		   const char *prefix)
{
	char label[256];
	size_t i = 0, j;
	int err;

	while (i < l->nr) {
		err = check_stop(sc);
		if (err)
			return err;
		j = i + 1;
		if (l->ops[i].kind == KTSNAP_OP_WRITE_KERNEL_COLD) {
			size_t n = l->ops[i].nr_entries;

			while (j < l->nr && l->ops[j].kind == KTSNAP_OP_WRITE_KERNEL_COLD)
				n += l->ops[j++].nr_entries;
			snprintf(label, sizeof(label),
				 "WriteKernelCold(%zu write%s, %zu op%s "
				 "merged)",
				 n, n == 1 ? "" : "s", j - i, j - i == 1 ? "" : "s");
			err = op_write_cold_run(sc, l, i, j);
		} else {
			sc_op_label(&l->ops[i], label, sizeof(label));
			err = run_op(sc, &l->ops[i], c);
		}
		progress(sc, c->step, "step %u: %s%s %s", c->step, prefix, label,
			 err ? "FAILED" : "ok");
		if (err)
			return err;
		i = j;
	}
	return 0;
}

/* ---- steps ------------------------------------------------------------------------- */
static int cgroup_path(const struct ktsnap_scenario *sc, const char *name, char *buf, size_t len)
{
	return (size_t)snprintf(buf, len, "%s/%s", sc->parent, name) < len ? 0 : -ENAMETOOLONG;
}

/* Kill the step's workers and remove its cgroups (whatever state they are in). */
static int step_teardown(struct ktsnap_scenario *sc, struct sc_step *st)
{
	char path[PATH_MAX];
	size_t i;
	int err = 0, r;

	if (!st->reaped) {
		ktsnap_workers_kill(st->pids, st->nr_pids);
		st->reaped = true;
	}
	for (i = 0; sc->parent[0] && i < st->nr_cgroups; i++) {
		if (cgroup_path(sc, st->cgroups[i].name, path, sizeof(path)))
			continue;
		r = ktsnap_cgroup_destroy(path);
		if (r && !err)
			err = r;
	}
	return err;
}

static int step_setup(struct ktsnap_scenario *sc, unsigned int idx, struct sc_step *st)
{
	char path[PATH_MAX], why[256];
	unsigned int workers = 0;
	size_t i;
	int err;

	st->reaped = false;
	for (i = 0; i < st->nr_cgroups; i++) {
		const struct sc_cgroup *cg = &st->cgroups[i];

		err = cgroup_path(sc, cg->name, path, sizeof(path));
		if (!err)
			err = ktsnap_cgroup_create(path);
		if (err)
			return fail(sc, err, "step %u: creating cgroup '%s' under %s: %s", idx,
				    cg->name, sc->parent, strerror(-err));
		why[0] = '\0';
		err = ktsnap_workers_spawn(path, cg->nr_workers, &cg->wl, &st->pids, &st->nr_pids,
					   &st->cap_pids, why, sizeof(why));
		if (err)
			return fail(sc, err, "step %u: starting %u worker%s in cgroup '%s': %s",
				    idx, cg->nr_workers, cg->nr_workers == 1 ? "" : "s", cg->name,
				    why);
		workers += cg->nr_workers;
	}
	if (idx)
		progress(sc, idx, "step %u: %zu cgroup%s, %u worker%s", idx, st->nr_cgroups,
			 st->nr_cgroups == 1 ? "" : "s", workers, workers == 1 ? "" : "s");
	else
		progress(sc, 0, "step 0: baseline");
	return 0;
}

static int step_hold(struct ktsnap_scenario *sc, unsigned int idx, struct sc_step *st)
{
	struct op_ctx c = { .step = idx, .in_loop = true };
	char prefix[64];
	uint32_t k;
	int err;

	switch (st->hold) {
	case KTSNAP_HOLD_DURATION:
	case KTSNAP_HOLD_FULL:
		if (ktsnap_sleep_ms(st->hold == KTSNAP_HOLD_FULL ? sc->step_ms : st->hold_ms,
				    stop_flag(sc)))
			return check_stop(sc);
		return 0;
	case KTSNAP_HOLD_LOOP:
		for (k = 0; k < st->loop_iters; k++) {
			snprintf(prefix, sizeof(prefix), "loop %" PRIu32 "/%" PRIu32 ": ", k + 1,
				 st->loop_iters);
			err = run_ops(sc, &st->loop_ops, &c, prefix);
			if (err)
				return err;
		}
		return 0;
	}
	return 0;
}

static int run_step(struct ktsnap_scenario *sc, unsigned int idx)
{
	struct sc_step *st = &sc->steps[idx];
	struct op_ctx c = { .step = idx };
	int err, terr;

	atomic_store_explicit(&sc->cur_step, idx, memory_order_release);
	err = check_stop(sc);
	if (!err)
		err = step_setup(sc, idx, st);
	if (!err)
		err = run_ops(sc, &st->ops, &c, "");
	if (!err)
		err = step_hold(sc, idx, st);
	terr = step_teardown(sc, st);
	if (!err && terr)
		err = fail(sc, terr, "step %u: removing its cgroups: %s", idx, strerror(-terr));
	return err;
}

/* ---- the run ----------------------------------------------------------------------- */
static void on_stop_signal(int sig)
{
	stop_sig = sig;
}

static bool needs_cgroups(const struct ktsnap_scenario *sc)
{
	size_t i;

	for (i = 1; i < sc->nr_steps; i++)
		if (sc->steps[i].nr_cgroups)
			return true;
	return false;
}

static int make_parent(struct ktsnap_scenario *sc, const char *name)
{
	static _Atomic unsigned int seq;
	char mnt[PATH_MAX - NAME_MAX - 2], def[64];
	int err = ktsnap_cgroup2_mount(mnt, sizeof(mnt));

	if (err)
		return fail(sc, err, "no cgroup2 mount in /proc/self/mountinfo");
	if (!name) {
		snprintf(def, sizeof(def), "ktsnap-%d-%u", (int)getpid(),
			 atomic_fetch_add(&seq, 1));
		name = def;
	}
	if (!sc_valid_component(name))
		return fail(sc, -EINVAL, "cgroup parent '%s' is not a single path component", name);
	snprintf(sc->parent, sizeof(sc->parent), "%s/%s", mnt, name);
	err = ktsnap_cgroup_create(sc->parent);
	if (err) {
		err = fail(sc, err, "creating the run's cgroup %s: %s", sc->parent, strerror(-err));
		sc->parent[0] = '\0';
	}
	return err;
}

static void run_cleanup(struct ktsnap_scenario *sc)
{
	size_t i;

	for (i = 0; i < sc->nr_steps; i++)
		step_teardown(sc, &sc->steps[i]);
	stop_scheduler(sc);
	for (i = 0; i < sc->nr_pins; i++) {
		if (sc->pins[i].fd >= 0)
			close(sc->pins[i].fd);
		sc->pins[i].fd = -1;
	}
	if (sc->parent[0])
		ktsnap_cgroup_destroy(sc->parent);
	/* a live watch armed by the run ends with it (other watch callbacks
	 * are the caller's: the bridge has no unregister for them) */
	for (i = 0; i < sc->nr_watches; i++) {
		struct sc_watch *w = &sc->watches[i];
		struct ktsnap_watcher *wr =
			ktsnap_bridge_watch_ctx(w->bridge, ktsnap_watch_register_live);

		if (wr)
			ktsnap_watcher__disarm(wr, w->symbol);
		ktsnap_bridge__unref(w->bridge);
		free(w->symbol);
	}
	sc->nr_watches = 0;
}

int ktsnap_scenario__run(struct ktsnap_scenario *sc, const struct ktsnap_scenario_run_opts *uopts)
{
	struct ktsnap_scenario_run_opts opts = { .sz = sizeof(opts) };
	struct sigaction sa = { .sa_handler = on_stop_signal }, old_int, old_term;
	struct ktsnap_bridge_guard guard = { 0 };
	bool parent_ok = true, stats_held;
	size_t i;
	int err = 0;

	if (!sc)
		return ktsnap_fail(-EINVAL, "scenario run: no scenario");
	err = KTSNAP_OPTS_READ(opts, uopts, ktsnap_scenario_run_opts);
	if (err)
		return fail(sc, err, "%s", ktsnap_errmsg());
	if (sc->ran)
		return fail(sc, -EALREADY, "this scenario already ran");
	sc->ran = true;
	free(sc->errmsg);
	sc->errmsg = NULL;
	/* run times in the captures (§12); without the privilege they read 0 */
	stats_held = !ktsnap_prog_stats_hold();
	/* captures may already be coming from other threads */
	pthread_mutex_lock(&sc->capture_lock);
	sc->capture = opts.capture;
	sc->no_freeze = opts.no_freeze;
	pthread_mutex_unlock(&sc->capture_lock);
	sc->progress = opts.progress;
	sc->progress_ctx = opts.progress_ctx;
	sc->catch_signals = opts.catch_signals;
	if (opts.bridge)
		guard = ktsnap_bridge__set_thread_local(ktsnap_bridge__ref(opts.bridge));
	if (sc->catch_signals) {
		stop_sig = 0;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
	}
	if (needs_cgroups(sc))
		err = make_parent(sc, opts.cgroup_parent);
	parent_ok = !err;
	atomic_store(&sc->running, true);
	for (i = 0; !err && i < sc->nr_steps; i++) {
		size_t w;

		err = run_step(sc, (unsigned int)i);
		/* map writes land after the baseline, before any worker exists */
		for (w = 0; !err && i == 0 && w < sc->nr_writes; w++)
			err = do_map_write(sc, &sc->writes[w]);
	}
	/* a capture still in flight on another thread finishes (and thaws) first */
	pthread_mutex_lock(&sc->capture_lock);
	atomic_store(&sc->running, false);
	sc->capture = NULL; /* borrowed for the run only */
	pthread_mutex_unlock(&sc->capture_lock);
	run_cleanup(sc);
	if (parent_ok && sc->parent[0]) {
		struct stat st;

		if (!stat(sc->parent, &st) && !err)
			err = fail(sc, -EBUSY, "the run's cgroup %s could not be removed",
				   sc->parent);
	}
	if (sc->catch_signals) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	if (opts.bridge)
		ktsnap_bridge_guard__release(&guard);
	if (stats_held)
		ktsnap_prog_stats_release();
	return err;
}

/* ---- capture callback ---------------------------------------------------- */
struct ktsnap_report *ktsnap_scenario_capture_callback(const char *name, void *ctx)
{
	struct ktsnap_scenario *sc = ctx;
	struct ktsnap_scenario_capture_stat cs = { 0 };
	struct ktsnap_report *r = NULL;
	bool freeze;
	uint64_t t;
	int err;

	if (!sc || !name)
		return NULL;
	pthread_mutex_lock(&sc->capture_lock);
	cs.step = atomic_load_explicit(&sc->cur_step, memory_order_acquire);
	/* the parent is set before the run starts and cleared after it ends */
	freeze = atomic_load(&sc->running) && !sc->no_freeze && sc->parent[0];
	if (freeze) {
		/* freezing the parent freezes every cgroup of the step at once */
		t = ktsnap_monotonic_ns();
		cs.frozen = !ktsnap_cgroup_set_frozen(sc->parent, true) &&
			    !ktsnap_cgroup_wait_frozen(sc->parent, true, FREEZE_TIMEOUT_MS);
		cs.freeze_ns = ktsnap_monotonic_ns() - t;
	}
	t = ktsnap_monotonic_ns();
	err = ktsnap_capture(sc->capture, &r);
	cs.capture_ns = ktsnap_monotonic_ns() - t;
	if (freeze) {
		t = ktsnap_monotonic_ns();
		ktsnap_cgroup_set_frozen(sc->parent, false);
		cs.thaw_ns = ktsnap_monotonic_ns() - t;
	}
	if (err) {
		r = ktsnap_capture_failed(err, NULL, 0);
	} else if (cs.frozen) {
		/* the report says it was taken with the workers frozen */
		r->freeze_ns = cs.freeze_ns ? cs.freeze_ns : 1;
	}
	cs.tag = strdup(name);
	if (cs.tag && !KTSNAP_ENSURE(sc->stats, sc->cap_stats, sc->nr_stats + 1))
		sc->stats[sc->nr_stats++] = cs;
	else
		free((char *)cs.tag);
	pthread_mutex_unlock(&sc->capture_lock);
	return r;
}
