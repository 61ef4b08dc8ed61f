// SPDX-License-Identifier: MIT
/*
 * ktsnap demo: the whole story in a few seconds.  Load the bundled
 * scheduler-shaped BPF object (ktsched, embedded in the binary), run a
 * CPU-and-sleep worker in its own cgroup, capture "before" and "after",
 * summarise what the scheduler counted, and leave both reports and their
 * diff in a directory.  Everything it set up is torn down on the way out,
 * also after SIGINT/SIGTERM: the worker is killed and reaped, the cgroup
 * removed, the programs detached (skeleton destroyed; nothing is pinned,
 * so even SIGKILL leaves no BPF state behind).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "cli_json.h"
#include "fixture.h"
#include "ktsched.h"
#include "ktsched.skel.h"

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

struct demo {
	struct ktsched *skel;
	char cgroup[512];	/* absolute path; "" when none */
	pid_t worker;
	int go[2], done[2];	/* parent → worker, worker → parent */
	uint32_t ids[64];
	size_t nr_ids;
	char dir[512];
	double seconds;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- cgroup ------------------------------------------------------------------ */

/* The cgroup2 mount: /sys/fs/cgroup/unified on hybrid hosts, else the
 * first cgroup2 mount in /proc/mounts. */
static bool cgroup2_mount(char *out, size_t size)
{
	char dev[256], mnt[512], type[64];
	FILE *f = fopen("/proc/mounts", "r");
	bool found = false;

	if (!f)
		return false;
	while (fscanf(f, "%255s %511s %63s %*[^\n]", dev, mnt, type) == 3) {
		if (strcmp(type, "cgroup2"))
			continue;
		if (!found || !strcmp(mnt, "/sys/fs/cgroup/unified") ||
		    (!strcmp(mnt, "/sys/fs/cgroup") && strcmp(out, "/sys/fs/cgroup/unified"))) {
			snprintf(out, size, "%s", mnt);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* Leftovers of a demo killed with SIGKILL: empty ones go away. */
static void remove_stale_cgroups(const char *mnt)
{
	char path[1024];
	struct dirent *de;
	DIR *d = opendir(mnt);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "ktsnap-demo-", 12))
			continue;
		snprintf(path, sizeof(path), "%s/%s", mnt, de->d_name);
		rmdir(path);
	}
	closedir(d);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* ---- the worker ------------------------------------------------------------------ */
static void worker_main(struct demo *d)
{
	char c;
	double end;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "ktsnap-worker");
	signal(SIGINT, SIG_IGN);	/* the parent decides when we stop */
	close(d->go[1]);
	close(d->done[0]);
	if (read(d->go[0], &c, 1) != 1)
		_exit(0);
	end = now_s() + d->seconds;
	while (now_s() < end) {
		double spin = now_s() + 0.002;
		struct timespec nap = { 0, 1000000 };

		while (now_s() < spin)
			;
		nanosleep(&nap, NULL);
	}
	if (write(d->done[1], "x", 1) != 1)
		_exit(1);
	/* stay (idle, in the cgroup) until "after" is captured */
	if (read(d->go[0], &c, 1) < 0)
		_exit(1);
	_exit(0);
}

static int start_worker(struct demo *d)
{
	char pid[32], procs[600];

	if (pipe2(d->go, O_CLOEXEC) || pipe2(d->done, O_CLOEXEC))
		return cli_fail("pipe: %s", strerror(errno));
	d->worker = fork();
	if (d->worker < 0)
		return cli_fail("fork: %s", strerror(errno));
	if (d->worker == 0)
		worker_main(d);
	close(d->go[0]);
	close(d->done[1]);
	d->go[0] = d->done[1] = -1;
	if (d->cgroup[0]) {
		snprintf(pid, sizeof(pid), "%d", (int)d->worker);
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", d->cgroup);
		if (write_file(procs, pid))
			return cli_fail("moving the worker into %s: %s", d->cgroup,
					strerror(errno));
	}
	return EXIT_OK;
}

/* Wait for the worker's "done" (or a signal, or a deadline). */
static int wait_worker(struct demo *d)
{
	double deadline = now_s() + d->seconds + 10;
	struct pollfd p = { .fd = d->done[0], .events = POLLIN };
	char c;

	while (!stop_sig) {
		int n = poll(&p, 1, 100);

		if (n > 0)
			return read(d->done[0], &c, 1) == 1 ? EXIT_OK
							    : cli_fail("the worker died early");
		if (n < 0 && errno != EINTR)
			return cli_fail("poll: %s", strerror(errno));
		if (now_s() > deadline)
			return cli_fail("the worker did not finish in time");
	}
	return EXIT_FAIL;
}

static void cleanup(struct demo *d)
{
	int i;

	if (d->worker > 0) {
		kill(d->worker, SIGKILL);
		while (waitpid(d->worker, NULL, 0) < 0 && errno == EINTR)
			;
		d->worker = 0;
	}
	if (d->cgroup[0]) {
		/* the reaped worker leaves the cgroup asynchronously */
		for (i = 0; i < 100 && rmdir(d->cgroup) && errno == EBUSY; i++)
			usleep(10000);
		d->cgroup[0] = '\0';
	}
	if (d->skel) {
		kt_sched_close(d->skel);
		d->skel = NULL;
	}
	for (i = 0; i < 2; i++) {
		if (d->go[i] >= 0)
			close(d->go[i]);
		if (d->done[i] >= 0)
			close(d->done[i]);
		d->go[i] = d->done[i] = -1;
	}
}

/* ---- captures and the summary ------------------------------------------------------- */
static int capture(struct demo *d, struct ktsnap_report **r)
{
	const char *cg[1] = { d->cgroup };
	KTSNAP_OPTS(ktsnap_capture_opts, opts, .map_ids = d->ids, .nr_map_ids = d->nr_ids,
		    .cgroups = cg, .nr_cgroups = d->cgroup[0] ? 1 : 0);
	int err = ktsnap_capture(&opts, r);

	if (err)
		return cli_fail("capture: %s", *ktsnap_errmsg() ? ktsnap_errmsg() : strerror(-err));
	return EXIT_OK;
}

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
			      err == -EINVAL ? ktsnap_errmsg() : strerror(-err))
		   : EXIT_OK;
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

static void summary(struct demo *d, const struct ktsnap_report *before,
		    const struct ktsnap_report *after, const struct ktsnap_diff *df)
{
	struct ktsnap_snapshot sa = ktsnap_snapshot__new(after);
	struct ktsnap_map_view tasks = ktsnap_snapshot__map(sa, "task_ctx");
	struct task_line busy = task_of(ktsnap_map_view__max_by(tasks, nr_runs, NULL));
	struct task_line mine = task_of(ktsnap_map_view__find(tasks, has_pid, &d->worker));
	uint64_t sw0 = var_u64(before, "nr_switches"), sw1 = var_u64(after, "nr_switches");
	uint64_t dp0 = var_u64(before, "nr_dispatched"), dp1 = var_u64(after, "nr_dispatched");
	size_t ntasks0 = ktsnap_map_view__len(ktsnap_snapshot__map(ktsnap_snapshot__new(before),
								   "task_ctx"));
	size_t ntasks1 = ktsnap_map_view__len(tasks);
	size_t i, counts[6] = { 0 };
	const struct ktsnap_diff_item *rb = ktsnap_diff__find(df, "events", NULL,
							      "ringbuf.producer_pos");

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
		jw_key(w, "nr_switches");
		jw_obj_begin(w);
		jw_kv_u64(w, "before", sw0);
		jw_kv_u64(w, "after", sw1);
		jw_obj_end(w);
		jw_key(w, "nr_dispatched");
		jw_obj_begin(w);
		jw_kv_u64(w, "before", dp0);
		jw_kv_u64(w, "after", dp1);
		jw_obj_end(w);
		jw_key(w, "tasks_seen");
		jw_obj_begin(w);
		jw_kv_u64(w, "before", ntasks0);
		jw_kv_u64(w, "after", ntasks1);
		jw_obj_end(w);
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
		cli_jw_end(w);	/* a write error is cli_finish()'s */
		return;
	}
	printf("\nwhat the scheduler counted in %.0f s:\n", d->seconds);
	printf("  context switches    %" PRIu64 " → %" PRIu64 "  (+%" PRIu64 ")\n", sw0, sw1,
	       sw1 - sw0);
	printf("  dispatches          %" PRIu64 " → %" PRIu64 "  (+%" PRIu64 ")\n", dp0, dp1,
	       dp1 - dp0);
	printf("  tasks seen          %zu → %zu\n", ntasks0, ntasks1);
	if (rb)
		printf("  ring buffer         %s → %s bytes produced\n", rb->old_text, rb->new_text);
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
	struct demo d = { .go = { -1, -1 }, .done = { -1, -1 }, .seconds = 3 };
	struct ktsnap_report *before = NULL, *after = NULL;
	struct ktsnap_diff *df = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	const char *outdir = NULL;
	unsigned long long secs;
	struct bpf_map *map;
	char mnt[512] = "";
	int c, err, rc = EXIT_FAIL;
	uint32_t pid;

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
	if (optind < argc)
		return cli_usage("unexpected argument '%s'", argv[optind]);
	if (geteuid() != 0)
		return cli_fail("the demo needs root: it loads a BPF program, creates a cgroup and "
				"reads BPF maps by id (try: sudo make demo)");

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

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
	if (cgroup2_mount(mnt, sizeof(mnt))) {
		remove_stale_cgroups(mnt);
		if (snprintf(d.cgroup, sizeof(d.cgroup), "%s/ktsnap-demo-%d", mnt,
			     (int)getpid()) >= (int)sizeof(d.cgroup)) {
			d.cgroup[0] = '\0';
			rc = cli_fail("the cgroup2 mount path %s is too long", cli_esc(mnt));
			goto out;
		}
		if (mkdir(d.cgroup, 0755)) {
			rc = cli_fail("creating cgroup %s: %s", d.cgroup, strerror(errno));
			d.cgroup[0] = '\0';
			goto out;
		}
	}
	if (!cli_json) {
		printf("ktsnap demo: loaded ktsched (a sched_switch program keeping the state a "
		       "sched_ext scheduler keeps)\n");
		printf("workload: %.0f s of 2 ms spin + 1 ms sleep in %s\n", d.seconds,
		       d.cgroup[0] ? d.cgroup : "the current cgroup (no cgroup2 mount)");
		fflush(stdout);
	}
	if (start_worker(&d))
		goto out;
	/* forget the worker's entry made under the parent's name: its next
	 * switch-in records it as "ktsnap-worker" */
	pid = (uint32_t)d.worker;
	usleep(20000);
	bpf_map_delete_elem(bpf_map__fd(d.skel->maps.task_ctx), &pid);

	if (capture(&d, &before))
		goto out;
	if (write(d.go[1], "g", 1) != 1) {
		rc = cli_fail("starting the worker: %s", strerror(errno));
		goto out;
	}
	if (wait_worker(&d))
		goto out;
	if (stop_sig || capture(&d, &after))
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
	cleanup(&d);
	if (stop_sig) {
		rc = cli_fail("interrupted by signal %d; cleaned up (worker stopped, cgroup "
			      "removed, programs detached)",
			      (int)stop_sig);
	} else if (rc == EXIT_OK && !cli_json) {
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
	.synopsis = "  ktsnap demo [-o DIR] [--seconds N]\n",
	.help = "Load the bundled scheduler-shaped BPF object, run a CPU-and-sleep worker\n"
		"in its own cgroup, capture before and after, print what the scheduler\n"
		"counted, and write before.json, after.json, diff.txt and diff.json to\n"
		"DIR (default ./ktsnap-demo-<timestamp>).  Cleans up after itself, also\n"
		"when interrupted.  Needs root.\n\n"
		"  -o, --output DIR   where the files go\n"
		"      --seconds N    workload duration (default 3)\n",
};
