// SPDX-License-Identifier: MIT
/*
 * ktsnap record: periodic capture (spec §8.1) of the live kernel over a
 * workload window, written as a series directory that `ktsnap check`
 * reads.
 *
 *	ktsnap record [--obj PREFIX] [--map NAME]... [--map-id ID]... [--maps-only]
 *		      --samples N --duration SECONDS -o DIR [--stats-socket PATH]
 *		      [-- COMMAND [ARGS]...]
 *
 * COMMAND (if any) is the workload: it starts with the window and is sent
 * SIGTERM if it still runs when the window ends.  Without one, record just
 * waits out the window.  Exit status 0 when at least one sample carries
 * real BPF state (the default post-run check) and DIR was written.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ktsnap/bridge.h>
#include <ktsnap/capture.h>
#include <ktsnap/series.h>

#include "cli.h"
#include "cli_json.h"

#define NS_PER_SEC 1000000000ULL

static pid_t start_workload(char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "ktsnap: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* SIGTERM the workload if it still runs, reap it, and forget it. */
static void stop_workload(pid_t *child)
{
	if (*child > 0) {
		kill(*child, SIGTERM);
		waitpid(*child, NULL, 0);
	}
	*child = 0;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* One progress line (a bar redrawn in place on a terminal). */
static void progress(bool tty, uint32_t fired, uint32_t target)
{
	unsigned int i, width = 30, done = target ? fired * width / target : width;

	if (cli_json)
		return;
	if (!tty) {
		fprintf(stderr, "sample %u/%u\n", fired, target);
		return;
	}
	fputc('\r', stderr);
	fputc('[', stderr);
	for (i = 0; i < width; i++)
		fputc(i < done ? '#' : '.', stderr);
	fprintf(stderr, "] %u/%u samples", fired, target);
	if (fired == target)
		fputc('\n', stderr);
	fflush(stderr);
}

/* What -j says once the series is written. */
struct summary {
	const char *dir;
	struct ktsnap_periodic *p;
	uint32_t fired;
	const struct ktsnap_sample_series *s;
};

static void summary_fields(struct json_writer *w, const void *ctx)
{
	const struct summary *sum = ctx;
	size_t i;

	jw_kv_str(w, "dir", sum->dir);
	jw_kv_u64(w, "target", ktsnap_periodic__target(sum->p));
	jw_kv_u64(w, "fired", sum->fired);
	jw_kv_bool(w, "abandoned", ktsnap_periodic__abandoned(sum->p));
	jw_key(w, "samples");
	jw_arr_begin(w);
	for (i = 0; i < ktsnap_sample_series__len(sum->s); i++) {
		struct ktsnap_sample smp;

		ktsnap_sample_series__sample(sum->s, i, &smp);
		jw_obj_begin(w);
		jw_kv_str(w, "tag", smp.tag);
		jw_kv_u64(w, "elapsed_ms", smp.meta.elapsed_ms);
		jw_kv_bool(w, "placeholder", ktsnap_snapshot__is_placeholder(smp.snapshot));
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		CLI_OPTS_FILTER,
		CLI_OPT_MAP,
		{ "samples", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "stats-socket", required_argument, NULL, 'S' },
		{ 0 },
	};
	KTSNAP_OPTS(ktsnap_capture_opts, copts);
	struct ktsnap_periodic_opts popts = { .sz = sizeof(popts) };
	struct ktsnap_sample_series *s = NULL;
	struct ktsnap_periodic *p = NULL;
	struct ktsnap_bridge *b = NULL;
	struct ktsnap_stats_socket *stats = NULL;
	struct ktsnap_drain *d = NULL;
	struct cli_filter flt;
	const char *dir = NULL, *stats_path = NULL;
	unsigned long long samples = 0, duration = 0;
	uint32_t last = 0, fired;
	char **cmd = NULL;
	bool tty = isatty(STDERR_FILENO);
	pid_t child = -1;
	struct summary sum;
	int c, rc = EXIT_FAIL, status;

	if (cli_filter_init(&flt, &copts, argc))
		goto out;
	/* the workload command follows "--" */
	while ((c = cli_getopt(argc, argv, "o:", opts)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'n':
			if (!cli_parse_u64(optarg, KTSNAP_PERIODIC_MAX_SNAPSHOTS, &samples) ||
			    !samples) {
				rc = cli_usage("--samples wants 1..%u, not '%s'",
					       KTSNAP_PERIODIC_MAX_SNAPSHOTS, optarg);
				goto out;
			}
			break;
		case 'd':
			if (!cli_parse_u64(optarg, 24 * 3600, &duration) || !duration) {
				rc = cli_usage("--duration wants seconds (1..86400), not '%s'",
					       optarg);
				goto out;
			}
			break;
		case 'S':
			stats_path = optarg;
			break;
		default:
			if (cli_filter_option(&flt, c, optarg, &rc))
				goto out;
			break;
		}
	}
	if (!dir || !samples || !duration) {
		rc = cli_usage("--samples, --duration and -o DIR are required");
		goto out;
	}
	/* the spacing rule, before anything is created */
	if (ktsnap_periodic__validate((uint32_t)samples, duration * NS_PER_SEC)) {
		rc = cli_usage("%s", ktsnap_errmsg());
		goto out;
	}
	if (optind < argc)
		cmd = argv + optind;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		rc = cli_fail("%s: %s", dir, strerror(errno));
		goto out;
	}
	if (stats_path) {
		stats = ktsnap_stats_socket__new(stats_path, NULL, 1000, 0);
		if (!stats) {
			rc = cli_usage("--stats-socket: '%s' is not a usable socket path",
				       stats_path);
			goto out;
		}
		popts.stats = ktsnap_stats_socket__request;
		popts.stats_ctx = stats;
	}
	b = ktsnap_bridge__new(ktsnap_capture_callback_live, &copts, NULL);
	popts.num_snapshots = (uint32_t)samples;
	popts.duration_ns = duration * NS_PER_SEC;
	popts.capture = ktsnap_capture_callback_live;
	popts.capture_ctx = &copts;
	p = b ? ktsnap_periodic__new(b, &popts) : NULL;
	if (!p) {
		rc = cli_fail("%s", *ktsnap_errmsg() ? ktsnap_errmsg() : strerror(errno));
		goto out;
	}
	if (cmd) {
		fflush(NULL);
		child = start_workload(cmd);
		if (child < 0) {
			rc = cli_fail("fork: %s", strerror(errno));
			goto out;
		}
	}
	if (ktsnap_periodic__start(p)) {
		rc = cli_fail("%s", ktsnap_errmsg());
		goto out;
	}
	/* the window: boundaries fire on the capture thread */
	while ((fired = ktsnap_periodic__fired(p)) < ktsnap_periodic__target(p) &&
	       !ktsnap_periodic__abandoned(p)) {
		if (fired != last)
			progress(tty, last = fired, ktsnap_periodic__target(p));
		if (child > 0 && waitpid(child, &status, WNOHANG) == child)
			child = 0; /* the workload ended early; keep sampling */
		sleep_ms(50);
	}
	ktsnap_periodic__join(p);
	fired = ktsnap_periodic__fired(p);
	if (fired != last)
		progress(tty, fired, ktsnap_periodic__target(p));
	stop_workload(&child);

	if (ktsnap_periodic__default_check(b)) {
		cli_fail("%s", ktsnap_errmsg());
		/* still write what was captured: the placeholders explain it */
	} else {
		rc = EXIT_OK;
	}
	d = ktsnap_bridge__drain_ordered_with_stats(b);
	s = d ? ktsnap_sample_series__from_drain(d) : NULL;
	if (!s) {
		rc = cli_fail("out of memory");
		goto out;
	}
	ktsnap_sample_series__retain_periodic(s);
	c = ktsnap_sample_series__write_dir(s, dir);
	if (c) {
		rc = cli_fail("writing %s: %s", dir, strerror(-c));
		goto out;
	}
	sum = (struct summary){ dir, p, fired, s };
	if (cli_summary(summary_fields, &sum, "recorded %zu of %u samples → %s\n",
			ktsnap_sample_series__len(s), ktsnap_periodic__target(p), dir))
		rc = EXIT_FAIL;
out:
	stop_workload(&child);
	ktsnap_sample_series__free(s);
	ktsnap_drain__free(d);
	ktsnap_periodic__free(p);
	ktsnap_stats_socket__free(stats);
	ktsnap_bridge__unref(b);
	cli_filter_free(&flt);
	return rc;
}

const struct cli_cmd cmd_record = {
	.name = "record",
	.run = run,
	.synopsis = CLI_SYNOPSIS_record,
	.help = "Capture N periodic samples of the live kernel's BPF state over a workload\n"
		"window of SECONDS (inside its 10%-90% slice) into DIR: DIR/periodic_000.json …\n"
		"and DIR/series.json with tags, elapsed times and boundary offsets, for\n"
		"`ktsnap check`.  Needs root.\n\n"
		"  -o, --output DIR      the series directory (created if missing)\n"
		"      --samples N       number of samples, 1..64 (at least 100 ms apart)\n"
		"      --duration SECS   the workload window\n"
		"      --obj PREFIX      only the maps of BPF object PREFIX\n"
		"      --map NAME        only maps named NAME (repeatable)\n"
		"      --map-id ID       only the map with kernel id ID (repeatable)\n"
		"      --maps-only       skip the /proc and /sys walkers\n"
		"      --stats-socket PATH  ask the scheduler's scx stats socket for its stats\n"
		"                        at each sample (e.g. /var/run/scx/root/stats)\n"
		"  COMMAND               the workload, started with the window and sent\n"
		"                        SIGTERM if it outlives it\n",
};
