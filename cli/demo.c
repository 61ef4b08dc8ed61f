// SPDX-License-Identifier: MIT
/*
 * ktsnap demo: the whole story in a few seconds.  Load the bundled
 * scheduler-shaped BPF object (ktsched, embedded in the binary) and run a
 * two-step scenario through the scenario runner: the baseline captures
 * "before"; step 1 puts a CPU-and-sleep worker in its own cgroup, lets it
 * run, and captures "after" with the worker frozen.  Then summarise what
 * the scheduler counted and leave both reports and their diff in a
 * directory.  Everything is torn down on the way out, also after
 * SIGINT/SIGTERM: the runner kills the worker and removes the cgroups, the
 * demo detaches the programs (skeleton destroyed; nothing is pinned, so
 * even SIGKILL leaves no BPF state behind).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "cli_json.h"
#include "fixture.h"
#include "ktsched.h"
#include "ktsched.skel.h"

struct demo {
	struct ktsched *skel;
	pid_t worker;
	uint32_t ids[64];
	size_t nr_ids;
	char dir[512];
	double seconds;
};

/* ---- captures and the summary ------------------------------------------------------- */
static int save(const char *dir, const char *name, const struct ktsnap_report *r,
		const struct ktsnap_diff *df, bool text)
{
	char path[1024];
	FILE *f;
	int err, fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* 0600 like every report ktsnap writes; never through a symlink */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		err = errno;
		if (fd >= 0)
			close(fd);
		return cli_fail("%s: %s", path, strerror(err));
	}
	if (r)
		err = ktsnap_report__write_json(r, f, 0);
	else if (text)
		err = ktsnap_diff__write_text(df, f);
	else
		err = ktsnap_diff__write_json(df, f, KTSNAP_JSON_PRETTY);
	if (!err && ferror(f))
		err = -EIO;
	if (fclose(f) && (!err || err == -EIO))
		err = -errno;
	return err ? cli_fail("writing %s: %s", path,
			      err == -EINVAL ? ktsnap_errmsg() : strerror(-err)) :
		     EXIT_OK;
}

static uint64_t var_u64(const struct ktsnap_report *r, const char *name)
{
	uint64_t v = 0;

	ktsnap_field__as_u64(ktsnap_snapshot__var(ktsnap_snapshot__new(r), name), &v, NULL);
	return v;
}

/* Runs of a task; the idle tasks (pid 0) are not contenders. */
static uint64_t nr_runs(const struct ktsnap_entry *e, void *ctx)
{
	uint64_t v = 0;
	int64_t pid = 0;

	ktsnap_field__as_i64(ktsnap_entry__get(*e, "pid"), &pid, NULL);
	if (pid > 0)
		ktsnap_field__as_u64(ktsnap_entry__get(*e, "nr_runs"), &v, NULL);
	return v;
}

static bool has_pid(const struct ktsnap_entry *e, void *ctx)
{
	int64_t pid = -1;

	ktsnap_field__as_i64(ktsnap_entry__get(*e, "pid"), &pid, NULL);
	return pid == *(pid_t *)ctx;
}

struct task_line {
	bool found;
	int64_t pid;
	uint64_t runs;
	char comm[64];
};

static struct task_line task_of(struct ktsnap_entry e)
{
	struct task_line t = { 0 };

	if (!ktsnap_entry__is_present(e))
		return t;
	t.found = true;
	ktsnap_field__as_i64(ktsnap_entry__get(e, "pid"), &t.pid, NULL);
	ktsnap_field__as_u64(ktsnap_entry__get(e, "nr_runs"), &t.runs, NULL);
	ktsnap_value__format(ktsnap_field__raw(ktsnap_entry__get(e, "comm")), t.comm,
			     sizeof(t.comm));
	return t;
}

/* "key": {"before": @before, "after": @after} */
static void kv_before_after(struct json_writer *w, const char *key, uint64_t before, uint64_t after)
{
	jw_key(w, key);
	jw_obj_begin(w);
	jw_kv_u64(w, "before", before);
	jw_kv_u64(w, "after", after);
	jw_obj_end(w);
}

static void summary(struct demo *d, const struct ktsnap_report *before,
		    const struct ktsnap_report *after, const struct ktsnap_diff *df)
{
	struct ktsnap_snapshot sa = ktsnap_snapshot__new(after);
	struct ktsnap_map_view tasks = ktsnap_snapshot__map(sa, "task_ctx");
	struct task_line busy = task_of(ktsnap_map_view__max_by(tasks, nr_runs, NULL));
	struct task_line mine = task_of(ktsnap_map_view__find(tasks, has_pid, &d->worker));
	uint64_t sw0 = var_u64(before, "nr_switches"), sw1 = var_u64(after, "nr_switches");
	uint64_t dp0 = var_u64(before, "nr_dispatched"), dp1 = var_u64(after, "nr_dispatched");
	size_t ntasks0 = ktsnap_map_view__len(
		ktsnap_snapshot__map(ktsnap_snapshot__new(before), "task_ctx"));
	size_t ntasks1 = ktsnap_map_view__len(tasks);
	size_t i, counts[6] = { 0 };
	const struct ktsnap_diff_item *rb =
		ktsnap_diff__find(df, "events", NULL, "ringbuf.producer_pos");

	for (i = 0; i < ktsnap_diff__count(df); i++)
		counts[ktsnap_diff__item(df, i)->op]++;
	if (cli_json) {
		struct json_writer *w = cli_jw_begin();
		static const char *const files[] = { "before.json", "after.json", "diff.txt",
						     "diff.json" };

		if (!w)
			return;
		jw_obj_begin(w);
		jw_kv_str(w, "dir", d->dir);
		jw_key(w, "files");
		jw_arr_begin(w);
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			jw_str(w, files[i]);
		jw_arr_end(w);
		jw_kv_i64(w, "worker_pid", d->worker);
		kv_before_after(w, "nr_switches", sw0, sw1);
		kv_before_after(w, "nr_dispatched", dp0, dp1);
		kv_before_after(w, "tasks_seen", ntasks0, ntasks1);
		jw_key(w, "busiest");
		jw_obj_begin(w);
		jw_kv_i64(w, "pid", busy.pid);
		jw_kv_u64(w, "nr_runs", busy.runs);
		jw_obj_end(w);
		jw_kv_u64(w, "worker_nr_runs", mine.runs);
		jw_key(w, "diff");
		jw_obj_begin(w);
		jw_kv_u64(w, "entries_added", counts[KTSNAP_DIFF_ENTRY_ADDED]);
		jw_kv_u64(w, "entries_removed", counts[KTSNAP_DIFF_ENTRY_REMOVED]);
		jw_kv_u64(w, "values_changed",
			  counts[KTSNAP_DIFF_VALUE_CHANGED] + counts[KTSNAP_DIFF_MAP_CHANGED]);
		jw_obj_end(w);
		jw_obj_end(w);
		cli_jw_end(w); /* a write error is cli_finish()'s */
		return;
	}
	printf("\nwhat the scheduler counted in %.0f s:\n", d->seconds);
	printf("  context switches    %" PRIu64 " → %" PRIu64 "  (+%" PRIu64 ")\n", sw0, sw1,
	       sw1 - sw0);
	printf("  dispatches          %" PRIu64 " → %" PRIu64 "  (+%" PRIu64 ")\n", dp0, dp1,
	       dp1 - dp0);
	printf("  tasks seen          %zu → %zu\n", ntasks0, ntasks1);
	if (rb)
		printf("  ring buffer         %s → %s bytes produced\n", rb->old_text,
		       rb->new_text);
	if (busy.found)
		printf("  busiest task        pid %" PRId64 " %s, %" PRIu64 " runs\n", busy.pid,
		       busy.comm, busy.runs);
	if (mine.found)
		printf("  the worker          pid %" PRId64 " %s, %" PRIu64 " runs\n", mine.pid,
		       mine.comm, mine.runs);
	printf("\nwhat changed (ktsnap diff): %zu entries added, %zu removed, %zu values "
	       "changed\n",
	       counts[KTSNAP_DIFF_ENTRY_ADDED], counts[KTSNAP_DIFF_ENTRY_REMOVED],
	       counts[KTSNAP_DIFF_VALUE_CHANGED] + counts[KTSNAP_DIFF_MAP_CHANGED]);
	printf("\nfiles in %s/:\n  before.json  after.json  diff.txt  diff.json\n", d->dir);
	printf("try:\n  ktsnap show %s/after.json --map ktsched.bss\n"
	       "  ktsnap get %s/after.json var nr_switches\n"
	       "  ktsnap diff %s/before.json %s/after.json\n",
	       d->dir, d->dir, d->dir, d->dir);
}

/* One progress line a step or op (stdout is the summary's in -j mode). */
static void on_progress(unsigned int step, const char *line, void *ctx)
{
	(void)step;
	(void)ctx;
	if (!cli_json)
		printf("  %s\n", cli_esc(line));
}

/*
 * The workload as a scenario: baseline capture "before"; step 1 runs one
 * worker (2 ms spin + 1 ms sleep) in cgroup "worker" for the demo's
 * length and captures "after" while the worker still exists (frozen for
 * the capture).  EXIT_OK with both reports taken from the bridge.
 */
static int run_scenario(struct demo *d, struct ktsnap_report **before, struct ktsnap_report **after)
{
	struct ktsnap_workload wl = { .sz = sizeof(wl), .spin_us = 2000, .sleep_us = 1000 };
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .map_ids = d->ids, .nr_map_ids = d->nr_ids);
	struct ktsnap_scenario *sc = ktsnap_scenario__new();
	struct ktsnap_bridge *b = NULL;
	struct ktsnap_drain *dr = NULL;
	const struct ktsnap_op ops[] = {
		ktsnap_op_capture_snapshot("before"),
		ktsnap_op_sleep((uint32_t)(d->seconds * 1000)),
		ktsnap_op_capture_snapshot("after"),
	};
	const pid_t *pids;
	char parent[64];
	size_t n, i;
	int rc = EXIT_FAIL;

	if (!sc)
		return cli_fail("scenario: %s", ktsnap_errmsg());
	if (ktsnap_scenario__add_step(sc) != 1 ||
	    ktsnap_scenario__add_cgroup(sc, 1, "worker", 1, &wl) ||
	    ktsnap_scenario__add_op(sc, 0, &ops[0]) || ktsnap_scenario__add_op(sc, 1, &ops[1]) ||
	    ktsnap_scenario__add_op(sc, 1, &ops[2])) {
		rc = cli_fail("building the scenario: %s", ktsnap_errmsg());
		goto out;
	}
	b = ktsnap_bridge__new(ktsnap_scenario_capture_callback, sc, NULL);
	if (!b) {
		rc = cli_fail("bridge: %s", ktsnap_errmsg());
		goto out;
	}
	snprintf(parent, sizeof(parent), "ktsnap-demo-%d", (int)getpid());
	{
		KTSNAP_OPTS(ktsnap_scenario_run_opts, ro, .bridge = b, .capture = &copts,
			    .catch_signals = true, .cgroup_parent = parent,
			    .progress = on_progress);

		if (ktsnap_scenario__run(sc, &ro)) {
			if (ktsnap_scenario__signal(sc))
				rc = cli_fail(
					"interrupted by signal %d; cleaned up (worker stopped, "
					"cgroup removed, programs detached)",
					ktsnap_scenario__signal(sc));
			else
				rc = cli_fail("%s", ktsnap_scenario__errmsg(sc));
			goto out;
		}
	}
	pids = ktsnap_scenario__worker_pids(sc, 1, &n);
	d->worker = n ? pids[0] : 0;
	dr = ktsnap_bridge__drain(b);
	for (i = 0; dr && i < ktsnap_drain__count(dr); i++) {
		const struct ktsnap_drained_entry *e = ktsnap_drain__entry(dr, i);

		if (!strcmp(e->tag, "before"))
			*before = ktsnap_drain__take_report(dr, i);
		else if (!strcmp(e->tag, "after"))
			*after = ktsnap_drain__take_report(dr, i);
	}
	for (i = 0; i < 2; i++) {
		const struct ktsnap_report *r = i ? *after : *before;
		const char *why = r ? ktsnap_report__prog_runtime_stats_unavailable(r) : NULL;

		if (!r || ktsnap_report__is_placeholder(r)) {
			rc = cli_fail("the scenario stored no \"%s\" capture%s%s",
				      i ? "after" : "before", why ? ": " : "", why ? why : "");
			goto out;
		}
	}
	rc = EXIT_OK;
out:
	ktsnap_drain__free(dr);
	ktsnap_bridge__unref(b);
	ktsnap_scenario__free(sc);
	return rc;
}

static int make_dir(struct demo *d, const char *want)
{
	char stamp[64];
	time_t t = time(NULL);
	struct tm tm;
	int i;

	if (want) {
		snprintf(d->dir, sizeof(d->dir), "%s", want);
		if (mkdir(d->dir, 0755) && errno != EEXIST)
			return cli_fail("%s: %s", d->dir, strerror(errno));
		return EXIT_OK;
	}
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (i = 0; i < 100; i++) {
		if (i)
			snprintf(d->dir, sizeof(d->dir), "ktsnap-demo-%s-%d", stamp, i);
		else
			snprintf(d->dir, sizeof(d->dir), "ktsnap-demo-%s", stamp);
		if (!mkdir(d->dir, 0755))
			return EXIT_OK;
		if (errno != EEXIST)
			break;
	}
	return cli_fail("%s: %s", d->dir, strerror(errno));
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "seconds", required_argument, NULL, 's' },
		{ 0 },
	};
	struct demo d = { .seconds = 3 };
	struct ktsnap_report *before = NULL, *after = NULL;
	struct ktsnap_diff *df = NULL;
	const char *outdir = NULL;
	unsigned long long secs;
	struct bpf_map *map;
	int c, err, rc = EXIT_FAIL;

	while ((c = cli_getopt(argc, argv, "o:", opts)) != -1) {
		switch (c) {
		case 'o':
			outdir = optarg;
			break;
		case 's':
			if (!cli_parse_u64(optarg, 60, &secs) || !secs)
				return cli_usage("--seconds wants 1…60, not '%s'", optarg);
			d.seconds = (double)secs;
			break;
		case 'h':
			return cli_help();
		default:
			return EXIT_USAGE;
		}
	}
	if (cli_operands(argc, argv, 0, NULL))
		return EXIT_USAGE;
	if (geteuid() != 0)
		return cli_fail("the demo needs root: it loads a BPF program, creates a cgroup and "
				"reads BPF maps by id (try: sudo make demo)");

	if (make_dir(&d, outdir))
		return EXIT_FAIL;
	err = kt_sched_open(&d.skel, true);
	if (err) {
		rc = cli_fail("loading the ktsched BPF object: %s", strerror(-err));
		goto out;
	}
	bpf_object__for_each_map(map, d.skel->obj) {
		uint32_t id = kt_map_id(bpf_map__fd(map));

		if (id && d.nr_ids < sizeof(d.ids) / sizeof(d.ids[0]))
			d.ids[d.nr_ids++] = id;
	}
	if (!cli_json) {
		printf("ktsnap demo: loaded ktsched (a sched_switch program keeping the state a "
		       "sched_ext scheduler keeps)\n");
		printf("scenario: capture \"before\"; step 1: one worker (2 ms spin + 1 ms "
		       "sleep) in its own cgroup for %.0f s, then capture \"after\" with it "
		       "frozen\n",
		       d.seconds);
		fflush(stdout);
	}
	if (run_scenario(&d, &before, &after))
		goto out;
	df = ktsnap_diff__new(before, after);
	if (!df) {
		rc = cli_fail("diff: %s", ktsnap_errmsg());
		goto out;
	}
	if (save(d.dir, "before.json", before, NULL, false) ||
	    save(d.dir, "after.json", after, NULL, false) ||
	    save(d.dir, "diff.txt", NULL, df, true) || save(d.dir, "diff.json", NULL, df, false))
		goto out;
	summary(&d, before, after, df);
	rc = EXIT_OK;
out:
	if (d.skel)
		kt_sched_close(d.skel);
	if (rc == EXIT_OK && !cli_json) {
		printf("\ncleaned up: worker stopped, cgroup removed, programs detached\n");
	}
	ktsnap_diff__free(df);
	ktsnap_report__free(before);
	ktsnap_report__free(after);
	return rc;
}

const struct cli_cmd cmd_demo = {
	.name = "demo",
	.run = run,
	.synopsis = CLI_SYNOPSIS_demo,
	.help = "Load the bundled scheduler-shaped BPF object, run a CPU-and-sleep worker\n"
		"in its own cgroup, capture before and after, print what the scheduler\n"
		"counted, and write before.json, after.json, diff.txt and diff.json to\n"
		"DIR (default ./ktsnap-demo-<timestamp>).  Cleans up after itself, also\n"
		"when interrupted.  Needs root.\n\n"
		"  -o, --output DIR   where the files go\n"
		"      --seconds N    workload duration (default 3)\n",
};
