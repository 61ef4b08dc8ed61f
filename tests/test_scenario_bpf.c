// SPDX-License-Identifier: MIT
/*
 * Scenarios against the live scheduler-shaped fixture (ktsched):
 *   - the end-to-end run: step 1 with 2 spinning workers captures "s1",
 *     step 2 with 4 captures "s2" (frozen); the workers of step 2 are in
 *     the per-task map of "s2", the switch counter grew, the stored step
 *     indexes are 1 and 2;
 *   - BpfMapWrite by variable and by offset lands before step 1's workers
 *     and after the baseline; a non-ARRAY target is refused (F147);
 *   - PinBpfMap holds a map, idempotently (§11.8);
 *   - AttachScheduler / ReplaceScheduler start a loader command and wait
 *     for its object's maps; the scenario stops it at the end; with an
 *     accessor-state bridge the attach waits for the publish seqno to
 *     advance (F145).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <ktsnap/bridge.h>
#include <ktsnap/scenario.h>
#include <ktsnap/view.h>

#include "fixture.h"
#include "ktsched.h"
#include "ktsched.skel.h"

struct fx {
	struct ktsched *skel;
	uint32_t ids[32];
	size_t nr_ids;
};

static int load_fixture(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct bpf_map *map;
	int err;

	if (!fx)
		return -1;
	err = kt_sched_open(&fx->skel, true);
	if (err) {
		fprintf(stderr, "kt_sched_open: %d\n", err);
		free(fx);
		return -1;
	}
	bpf_object__for_each_map(map, fx->skel->obj)
		if (fx->nr_ids < 32)
			fx->ids[fx->nr_ids++] = kt_map_id(bpf_map__fd(map));
	*state = fx;
	return 0;
}

static int unload_fixture(void **state)
{
	struct fx *fx = *state;

	kt_sched_close(fx->skel);
	free(fx);
	return 0;
}

static void must_u64(struct ktsnap_field f, uint64_t *out, const char *what)
{
	struct ktsnap_error err;
	char msg[512];

	if (ktsnap_field__as_u64(f, out, &err)) {
		ktsnap_error__format(&err, msg, sizeof(msg));
		fail_msg("%s: %s", what, msg);
	}
}

static void must_i64(struct ktsnap_field f, int64_t *out, const char *what)
{
	struct ktsnap_error err;
	char msg[512];

	if (ktsnap_field__as_i64(f, out, &err)) {
		ktsnap_error__format(&err, msg, sizeof(msg));
		fail_msg("%s: %s", what, msg);
	}
}

static bool pid_is(const struct ktsnap_entry *e, void *ctx)
{
	uint64_t k;

	return !ktsnap_field__as_u64(ktsnap_entry__key(*e, ""), &k, NULL) &&
	       k == (uint64_t) * (pid_t *)ctx;
}

static const struct ktsnap_drained_entry *entry(struct ktsnap_drain *d, const char *tag)
{
	const struct ktsnap_drained_entry *e = ktsnap_drain__find(d, tag);

	if (!e)
		fail_msg("no capture tagged '%s'", tag);
	if (ktsnap_report__is_placeholder(e->report))
		fail_msg("'%s' is a placeholder: %s", tag,
			 ktsnap_report__scx_walker_unavailable(e->report));
	return e;
}

static void progress_line(unsigned int step, const char *line, void *ctx)
{
	fprintf(stderr, "  %s\n", line);
}

/* ---- the 2-step scenario ----------------------------------------------------------- */
static void two_steps_end_to_end(void **state)
{
	struct fx *fx = *state;
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .map_ids = fx->ids, .nr_map_ids = fx->nr_ids,
		    .maps_only = true);
	KTSNAP_OPTS(ktsnap_workload, spin, .spin_us = 2000, .yield = true);
	struct ktsnap_scenario *sc = ktsnap_scenario__new();
	struct ktsnap_bridge *b = ktsnap_bridge__new(ktsnap_scenario_capture_callback, sc, NULL);
	KTSNAP_OPTS(ktsnap_scenario_run_opts, opts, .bridge = b, .capture = &copts,
		    .progress = progress_line);
	struct ktsnap_op s1 = ktsnap_op_capture_snapshot("s1"), s2 = ktsnap_op_snapshot("s2");
	struct ktsnap_op settle = ktsnap_op_sleep(100);
	const struct ktsnap_drained_entry *e1, *e2;
	struct ktsnap_snapshot snap1, snap2;
	struct ktsnap_map_view tasks;
	uint64_t sw1 = 0, sw2 = 0;
	struct ktsnap_drain *d;
	const pid_t *pids;
	size_t n, i;

	assert_non_null(b);
	assert_int_equal(ktsnap_scenario__add_step(sc), 1);
	assert_int_equal(ktsnap_scenario__add_cgroup(sc, 1, "workers", 2, &spin), 0);
	assert_int_equal(ktsnap_scenario__add_op(sc, 1, &settle), 0);
	assert_int_equal(ktsnap_scenario__add_op(sc, 1, &s1), 0);
	assert_int_equal(ktsnap_scenario__set_hold(sc, 1, KTSNAP_HOLD_DURATION, 100, 0), 0);
	assert_int_equal(ktsnap_scenario__add_step(sc), 2);
	assert_int_equal(ktsnap_scenario__add_cgroup(sc, 2, "workers", 4, &spin), 0);
	assert_int_equal(ktsnap_scenario__add_op(sc, 2, &settle), 0);
	assert_int_equal(ktsnap_scenario__add_op(sc, 2, &s2), 0);
	assert_int_equal(ktsnap_scenario__set_hold(sc, 2, KTSNAP_HOLD_FULL, 0, 0), 0);
	assert_int_equal(ktsnap_scenario__set_step_ms(sc, 100), 0);
	if (ktsnap_scenario__run(sc, &opts))
		fail_msg("run: %s", ktsnap_scenario__errmsg(sc));

	d = ktsnap_bridge__drain_ordered_with_stats(b);
	assert_int_equal(ktsnap_drain__count(d), 2);
	e1 = entry(d, "s1");
	e2 = entry(d, "s2");
	assert_true(e1->meta.has_step_index);
	assert_int_equal(e1->meta.step_index, 1);
	assert_true(e2->meta.has_step_index);
	assert_int_equal(e2->meta.step_index, 2);
	/* both were taken with the workers frozen, and say so; the map reads
	 * of a capture are spread over a measurable window */
	assert_true(ktsnap_report__freeze_ns(e1->report) > 0);
	assert_true(ktsnap_report__freeze_ns(e2->report) > 0);
	assert_true(ktsnap_report__capture_skew_ns(e2->report) > 0);
	assert_true(ktsnap_report__capture_skew_ns(e2->report) <=
		    ktsnap_report__capture_ns(e2->report));

	snap1 = ktsnap_snapshot__named(e1->report, "s1");
	snap2 = ktsnap_snapshot__named(e2->report, "s2");
	must_u64(ktsnap_snapshot__var(snap1, "nr_switches"), &sw1, "s1 nr_switches");
	must_u64(ktsnap_snapshot__var(snap2, "nr_switches"), &sw2, "s2 nr_switches");
	assert_true(sw2 > sw1);

	pids = ktsnap_scenario__worker_pids(sc, 2, &n);
	assert_int_equal(n, 4);
	tasks = ktsnap_snapshot__map(snap2, "task_ctx");
	assert_true(ktsnap_map_view__is_ok(tasks));
	for (i = 0; i < n; i++) {
		pid_t pid = pids[i];
		struct ktsnap_entry t = ktsnap_map_view__find(tasks, pid_is, &pid);
		int64_t tgid = 0;

		if (!ktsnap_entry__is_present(t))
			fail_msg("worker %d is not in task_ctx of s2", (int)pid);
		must_i64(ktsnap_entry__get(t, "tgid"), &tgid, "tgid");
		assert_int_equal(tgid, pid);
	}
	/* both captures froze the workers */
	assert_int_equal(ktsnap_scenario__capture_stat_count(sc), 2);
	for (i = 0; i < 2; i++) {
		const struct ktsnap_scenario_capture_stat *st =
			ktsnap_scenario__capture_stat(sc, i);

		assert_true(st->frozen);
		assert_int_equal(st->step, i + 1);
		fprintf(stderr, "  %s: freeze %.3f ms, capture %.3f ms, thaw %.3f ms\n", st->tag,
			st->freeze_ns / 1e6, st->capture_ns / 1e6, st->thaw_ns / 1e6);
	}
	ktsnap_drain__free(d);
	ktsnap_bridge__unref(b);
	ktsnap_scenario__free(sc);
}

/* ---- F147: BpfMapWrite ------------------------------------------------------------- */
static void map_write_before_workers(void **state)
{
	struct fx *fx = *state;
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .map_ids = fx->ids, .nr_map_ids = fx->nr_ids,
		    .maps_only = true);
	struct ktsnap_scenario *sc = ktsnap_scenario__new();
	struct ktsnap_bridge *b = ktsnap_bridge__new(ktsnap_scenario_capture_callback, sc, NULL);
	KTSNAP_OPTS(ktsnap_scenario_run_opts, opts, .bridge = b, .capture = &copts);
	struct ktsnap_op base = ktsnap_op_capture_snapshot("base");
	struct ktsnap_op first = ktsnap_op_capture_snapshot("first");
	const struct ktsnap_drained_entry *e;
	int fd = bpf_map__fd(fx->skel->maps.data);
	uint8_t val[256];
	uint32_t key = 0, at0 = 0;
	int64_t neg = 0;
	struct ktsnap_drain *d;

	assert_int_equal(ktsnap_scenario__add_op(sc, 0, &base), 0);
	assert_int_equal(ktsnap_scenario__add_step(sc), 1);
	assert_int_equal(ktsnap_scenario__add_cgroup(sc, 1, "w", 1, NULL), 0);
	assert_int_equal(ktsnap_scenario__add_op(sc, 1, &first), 0);
	/* newer shape: by variable name; older shape: by byte offset */
	assert_int_equal(ktsnap_scenario__add_map_write(sc, ".data", "data_neg", 0, 7), 0);
	assert_int_equal(ktsnap_scenario__add_map_write(sc, "ed.data", NULL, 0, 0xabcd), 0);
	if (ktsnap_scenario__run(sc, &opts))
		fail_msg("run: %s", ktsnap_scenario__errmsg(sc));

	d = ktsnap_bridge__drain(b);
	e = entry(d, "base");
	must_i64(ktsnap_snapshot__var(ktsnap_snapshot__new(e->report), "data_neg"), &neg, "base");
	assert_int_equal(neg, -5);
	e = entry(d, "first");
	must_i64(ktsnap_snapshot__var(ktsnap_snapshot__new(e->report), "data_neg"), &neg, "first");
	assert_int_equal(neg, 7);
	ktsnap_drain__free(d);

	assert_true(bpf_map__value_size(fx->skel->maps.data) <= sizeof(val));
	assert_int_equal(bpf_map_lookup_elem(fd, &key, val), 0);
	memcpy(&at0, val, sizeof(at0));
	assert_int_equal(at0, 0xabcd);
	ktsnap_bridge__unref(b);
	ktsnap_scenario__free(sc);
}

static void map_write_refusals(void **state)
{
	struct fx *fx = *state;
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .map_ids = fx->ids, .nr_map_ids = fx->nr_ids);
	static const struct {
		const char *suffix, *var;
		uint32_t offset;
		const char *text;
	} cases[] = {
		{ "task_ctx", NULL, 0, "only BPF_MAP_TYPE_ARRAY maps can be written" },
		{ ".data", "no_such_var", 0, "no such variable in the BTF of map 'ktsched.data'" },
		{ ".data", NULL, 4096, "+ 4 is past the" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ktsnap_scenario *sc = ktsnap_scenario__new();
		KTSNAP_OPTS(ktsnap_scenario_run_opts, opts, .capture = &copts);

		assert_int_equal(ktsnap_scenario__add_map_write(sc, cases[i].suffix, cases[i].var,
								cases[i].offset, 1),
				 0);
		assert_true(ktsnap_scenario__run(sc, &opts) < 0);
		if (!strstr(ktsnap_scenario__errmsg(sc), cases[i].text))
			fail_msg("'%s' does not contain '%s'", ktsnap_scenario__errmsg(sc),
				 cases[i].text);
		assert_int_equal(strncmp(ktsnap_scenario__errmsg(sc), "BpfMapWrite(", 12), 0);
		ktsnap_scenario__free(sc);
	}
}

/* ---- §11.8: PinBpfMap -------------------------------------------------------------- */
static void pin_map_is_idempotent(void **state)
{
	struct fx *fx = *state;
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .map_ids = fx->ids, .nr_map_ids = fx->nr_ids);
	struct ktsnap_scenario *sc = ktsnap_scenario__new();
	KTSNAP_OPTS(ktsnap_scenario_run_opts, opts, .capture = &copts);
	struct ktsnap_op pin = ktsnap_op_pin_bpf_map("ktsched.bss");

	assert_int_equal(ktsnap_scenario__add_op(sc, 0, &pin), 0);
	assert_int_equal(ktsnap_scenario__add_step(sc), 1);
	assert_int_equal(ktsnap_scenario__add_op(sc, 1, &pin), 0);
	if (ktsnap_scenario__run(sc, &opts))
		fail_msg("run: %s", ktsnap_scenario__errmsg(sc));
	ktsnap_scenario__free(sc);
}

/* ---- F145 on a live host: a scheduler command -------------------------------------- */
/* Ids of the maps named @name, up to @cap; returns how many. */
static size_t map_ids_named(const char *name, uint32_t *ids, size_t cap)
{
	__u32 id = 0;
	size_t n = 0;

	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name) && n < cap)
			ids[n++] = id;
		close(fd);
	}
	return n;
}

/* A map named @name that is not in @old[0..n) exists. */
static bool new_map_named(const char *name, const uint32_t *old, size_t n)
{
	uint32_t now[64];
	size_t m = map_ids_named(name, now, 64), i, j;

	for (i = 0; i < m; i++) {
		for (j = 0; j < n && old[j] != now[i]; j++)
			;
		if (j == n)
			return true;
	}
	return false;
}

static void attach_and_replace_scheduler(void **state)
{
	static const char *const argv[] = { KTSCHED_HOLD, "sleep", "600", NULL };
	static const char *const argv_bad[] = { "true", NULL };
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .obj = "ktsched", .maps_only = true);
	struct ktsnap_scenario *sc = ktsnap_scenario__new(), *bad = ktsnap_scenario__new();
	struct ktsnap_bridge *b = ktsnap_bridge__new(ktsnap_scenario_capture_callback, sc, NULL);
	struct ktsnap_bridge *b2 = ktsnap_bridge__new(ktsnap_scenario_capture_callback, bad, NULL);
	KTSNAP_OPTS(ktsnap_scenario_run_opts, opts, .bridge = b, .capture = &copts,
		    .progress = progress_line);
	struct ktsnap_op at = { .kind = KTSNAP_OP_ATTACH_SCHEDULER,
				.argv = argv,
				.obj = "ktsched",
				.timeout_ms = 10000 };
	struct ktsnap_op re = at, snap = ktsnap_op_capture_snapshot("after_attach");
	struct ktsnap_op nap = ktsnap_op_sleep(50);
	const struct ktsnap_drained_entry *e;
	struct ktsnap_drain *d;
	uint32_t old[64];
	size_t nr_old;
	uint64_t sw = 0;
	int i;

	re.kind = KTSNAP_OP_REPLACE_SCHEDULER;
	/* copies other tests just closed may still be on their way out */
	nr_old = map_ids_named("ktsched.bss", old, 64);
	assert_int_equal(ktsnap_scenario__add_op(sc, 0, &at), 0);
	assert_int_equal(ktsnap_scenario__add_step(sc), 1);
	assert_int_equal(ktsnap_scenario__add_cgroup(sc, 1, "w", 2, NULL), 0);
	assert_int_equal(ktsnap_scenario__add_op(sc, 1, &nap), 0);
	assert_int_equal(ktsnap_scenario__add_op(sc, 1, &snap), 0);
	assert_int_equal(ktsnap_scenario__add_step(sc), 2);
	assert_int_equal(ktsnap_scenario__add_op(sc, 2, &re), 0);
	if (ktsnap_scenario__run(sc, &opts))
		fail_msg("run: %s", ktsnap_scenario__errmsg(sc));
	d = ktsnap_bridge__drain(b);
	e = entry(d, "after_attach");
	must_u64(ktsnap_snapshot__var(ktsnap_snapshot__new(e->report), "nr_switches"), &sw,
		 "nr_switches");
	assert_true(sw > 0);
	ktsnap_drain__free(d);
	/* the run stopped the scheduler: its maps go with it */
	for (i = 0; i < 300 && new_map_named("ktsched.bss", old, nr_old); i++)
		usleep(10000);
	assert_false(new_map_named("ktsched.bss", old, nr_old));

	/* the scheduler's output can go to a log file */
	{
		static const char *const sh[] = { "sh", "-c",
						  "echo starting; exec \"$0\" sleep 600",
						  KTSCHED_HOLD, NULL };
		struct ktsnap_scenario *lg = ktsnap_scenario__new();
		struct ktsnap_bridge *b3 =
			ktsnap_bridge__new(ktsnap_scenario_capture_callback, lg, NULL);
		char log[] = "/tmp/ktsnap-sched-log-XXXXXX", line[64] = "";
		int fd = mkstemp(log);
		FILE *f;

		assert_true(fd >= 0);
		close(fd);
		at.argv = sh;
		at.log = log;
		opts.bridge = b3;
		opts.progress = NULL;
		assert_int_equal(ktsnap_scenario__add_op(lg, 0, &at), 0);
		if (ktsnap_scenario__run(lg, &opts))
			fail_msg("run: %s", ktsnap_scenario__errmsg(lg));
		f = fopen(log, "r");
		assert_non_null(f);
		assert_non_null(fgets(line, sizeof(line), f));
		fclose(f);
		unlink(log);
		assert_string_equal(line, "starting\n");
		at.log = NULL;
		ktsnap_bridge__unref(b3);
		ktsnap_scenario__free(lg);
	}

	/* a command that exits before attaching fails the op */
	at.argv = argv_bad;
	opts.bridge = b2;
	assert_int_equal(ktsnap_scenario__add_op(bad, 0, &at), 0);
	assert_int_equal(ktsnap_scenario__run(bad, &opts), -ECHILD);
	assert_non_null(strstr(ktsnap_scenario__errmsg(bad), "Op::AttachScheduler: scheduler '"));
	assert_non_null(strstr(ktsnap_scenario__errmsg(bad),
			       "exited before a map of BPF object 'ktsched' appeared"));
	ktsnap_bridge__unref(b);
	ktsnap_bridge__unref(b2);
	ktsnap_scenario__free(sc);
	ktsnap_scenario__free(bad);
}

/* The accessor-init worker of a bridge: publishes once the scheduler's maps exist. */
struct publisher {
	_Atomic uint64_t seqno;
	_Atomic uint8_t state;
	atomic_bool stop;
	int efd;
	uint32_t old[64];
	size_t nr_old;
};

static void *publish_when_loaded(void *arg)
{
	struct publisher *p = arg;
	uint64_t one = 1;

	while (!atomic_load(&p->stop) && !new_map_named("ktsched.bss", p->old, p->nr_old))
		usleep(5000);
	atomic_store_explicit(&p->seqno, 1, memory_order_release);
	if (write(p->efd, &one, sizeof(one)) != sizeof(one))
		return NULL;
	return p;
}

static void attach_waits_for_publish(void **state)
{
	static const char *const argv[] = { KTSCHED_HOLD, "sleep", "600", NULL };
	struct publisher pub = { .state = KTSNAP_ACCESSOR_SUCCEEDED };
	struct ktsnap_scenario *sc = ktsnap_scenario__new();
	struct ktsnap_bridge *b = ktsnap_bridge__new(ktsnap_scenario_capture_callback, sc, NULL);
	KTSNAP_OPTS(ktsnap_scenario_run_opts, opts, .bridge = b);
	struct ktsnap_op at = { .kind = KTSNAP_OP_ATTACH_SCHEDULER,
				.argv = argv,
				.obj = "ktsched",
				.timeout_ms = 10000 };
	pthread_t t;

	pub.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(pub.efd >= 0);
	pub.nr_old = map_ids_named("ktsched.bss", pub.old, 64);
	assert_non_null(ktsnap_bridge__with_accessor_state(b, &pub.seqno, &pub.state, pub.efd));
	assert_int_equal(pthread_create(&t, NULL, publish_when_loaded, &pub), 0);
	assert_int_equal(ktsnap_scenario__add_op(sc, 0, &at), 0);
	if (ktsnap_scenario__run(sc, &opts)) {
		atomic_store(&pub.stop, true);
		pthread_join(t, NULL);
		fail_msg("run: %s", ktsnap_scenario__errmsg(sc));
	}
	pthread_join(t, NULL);
	assert_int_equal(ktsnap_bridge__counts(b).publish_seqno, 1);
	ktsnap_bridge__unref(b);
	ktsnap_scenario__free(sc);
	close(pub.efd);
}

/* A test run between load_fixture() and unload_fixture(). */
#define WITH_FIXTURE(fn) cmocka_unit_test_setup_teardown(fn, load_fixture, unload_fixture)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WITH_FIXTURE(two_steps_end_to_end),
		WITH_FIXTURE(map_write_before_workers),
		WITH_FIXTURE(map_write_refusals),
		WITH_FIXTURE(pin_map_is_idempotent),
		cmocka_unit_test(attach_and_replace_scheduler),
		cmocka_unit_test(attach_waits_for_publish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
