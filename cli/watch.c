// SPDX-License-Identifier: MIT
/*
 * ktsnap watch: arm hardware write breakpoints on BPF globals (or kernel
 * data symbols) and write one report per hit to DIR/<tag>-<n>.json.
 * The captures run on the library's watcher thread; this file's hit
 * callback writes each one and prints its line, the main thread only
 * waits for --count, --timeout or a signal.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ktsnap/watch.h>

#include "cli.h"
#include "cli_json.h"

struct watch_run {
	struct ktsnap_bridge *b;
	const char *dir;
	unsigned long long count; /* 0: no limit */
	pthread_mutex_t lock;
	unsigned long long done;
	int failed; /* first write failure: EXIT_FAIL */
};

/* A tag as a file name: characters outside [A-Za-z0-9._-] become '_' (§10.6). */
static void safe_tag(const char *tag, char *out, size_t size)
{
	cli_safe_name(tag, out, size);
	if (!out[0] || out[0] == '.')
		out[0] = '_';
}

/* CLOCK_MONOTONIC @mono_ns as local wall-clock "HH:MM:SS.mmm". */
static void wall_time(uint64_t mono_ns, char *buf, size_t size)
{
	struct timespec now_m, now_r;
	long double real;
	time_t secs;
	struct tm tm;

	clock_gettime(CLOCK_MONOTONIC, &now_m);
	clock_gettime(CLOCK_REALTIME, &now_r);
	real = (long double)now_r.tv_sec * 1e9L + now_r.tv_nsec -
	       ((long double)now_m.tv_sec * 1e9L + now_m.tv_nsec - (long double)mono_ns);
	secs = (time_t)(real / 1e9L);
	localtime_r(&secs, &tm);
	snprintf(buf, size, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)((uint64_t)(real - (long double)secs * 1e9L) / 1000000u % 1000u));
}

/* Write the report stored for @tag to @path.  0 or -errno (reason printed). */
static int write_capture(struct watch_run *wr, const char *tag, const char *path)
{
	struct ktsnap_drain *d = ktsnap_bridge__drain(wr->b);
	const struct ktsnap_drained_entry *e = d ? ktsnap_drain__find(d, tag) : NULL;
	struct cli_out o = { 0 };
	int err;

	if (!e) {
		ktsnap_drain__free(d);
		cli_fail("%s: no capture stored", cli_esc(tag));
		return -ENOENT;
	}
	if (cli_out_open(&o, path)) {
		ktsnap_drain__free(d);
		return -EIO;
	}
	err = ktsnap_report__write_json(e->report, o.f, cli_pretty ? KTSNAP_JSON_PRETTY : 0);
	if (cli_out_close(&o, !err) && !err)
		err = -errno;
	if (err)
		cli_fail("writing %s: %s", cli_esc(path),
			 err == -EINVAL ? ktsnap_errmsg() : strerror(-err));
	ktsnap_drain__free(d);
	return err;
}

static void on_hit(const struct ktsnap_watch_hit *h, void *ctx)
{
	struct watch_run *wr = ctx;
	char name[NAME_MAX - 32], path[PATH_MAX], when[32];
	struct json_writer *w;

	pthread_mutex_lock(&wr->lock);
	if (wr->count && wr->done >= wr->count) {
		pthread_mutex_unlock(&wr->lock);
		return;
	}
	wr->done++;
	safe_tag(h->symbol, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s-%" PRIu64 ".json", wr->dir, name, h->seq);
	if (!h->stored || write_capture(wr, h->symbol, path)) {
		wr->failed = 1;
		path[0] = '\0';
	}
	wall_time(h->time_ns, when, sizeof(when));
	if (!cli_json) {
		printf("%s  cpu %-3u %s = ", when, h->cpu, cli_esc(h->symbol));
		if (h->has_value)
			printf("%" PRIu64, h->value);
		else
			printf("?");
		printf("  (%" PRIu64 " write%s)%s%s\n", h->nr_writes, h->nr_writes == 1 ? "" : "s",
		       path[0] ? " → " : "  capture failed", path[0] ? cli_esc(path) : "");
	} else if ((w = cli_jw_begin())) {
		/* one object per line per hit */
		jw_obj_begin(w);
		jw_kv_str(w, "time", when);
		jw_kv_u64(w, "time_ns", h->time_ns);
		jw_kv_u64(w, "cpu", h->cpu);
		jw_kv_str(w, "symbol", h->symbol);
		if (h->has_value)
			jw_kv_u64(w, "value", h->value);
		jw_kv_u64(w, "writes", h->nr_writes);
		jw_kv_u64(w, "seq", h->seq);
		if (path[0])
			jw_kv_str(w, "file", path);
		jw_obj_end(w);
		cli_jw_end(w);
	}
	fflush(stdout);
	pthread_mutex_unlock(&wr->lock);
}

static bool finished(struct watch_run *wr)
{
	bool done;

	pthread_mutex_lock(&wr->lock);
	done = wr->count && wr->done >= wr->count;
	pthread_mutex_unlock(&wr->lock);
	return done;
}

static int run_watch(int argc, char **argv, struct cli_filter *flt)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		CLI_OPTS_FILTER,
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ 0 },
	};
	struct ktsnap_capture_opts *copts = flt->copts;
	struct watch_run wr = { .lock = PTHREAD_MUTEX_INITIALIZER };
	KTSNAP_OPTS(ktsnap_watch_opts, wopts, .on_hit = on_hit, .hit_ctx = &wr);
	unsigned long long timeout = 0, v;
	struct timespec start, now;
	sigset_t sigs, old;
	struct stat st;
	int c, i, rc = EXIT_FAIL;

	while ((c = cli_getopt(argc, argv, "o:n:", opts)) != -1) {
		switch (c) {
		case 'o':
			wr.dir = optarg;
			break;
		case 'O':
			copts->obj = optarg;
			wopts.obj = optarg;
			break;
		case 'n':
			if (!cli_parse_u64(optarg, ULLONG_MAX, &v) || !v)
				return cli_usage("--count wants a positive number, not '%s'",
						 optarg);
			wr.count = v;
			break;
		case 't':
			if (!cli_parse_u64(optarg, 31536000, &v) || !v)
				return cli_usage("--timeout wants seconds (1…31536000), not '%s'",
						 optarg);
			timeout = v;
			break;
		default:
			if (cli_filter_option(flt, c, optarg, &rc))
				return rc;
			break;
		}
	}
	if (optind >= argc)
		return cli_usage("no symbol to watch");
	if (argc - optind > KTSNAP_MAX_WATCH_SNAPSHOTS)
		return cli_usage(
			"at most %d symbols (hardware has 4 debug registers; one stays free)",
			KTSNAP_MAX_WATCH_SNAPSHOTS);
	if (!wr.dir)
		return cli_usage("-o DIR is required (one report file per hit goes there)");
	if (stat(wr.dir, &st) || !S_ISDIR(st.st_mode))
		return cli_fail("%s: not a directory", cli_esc(wr.dir));

	/* signals end the wait in the main thread only: block them before
	 * the watcher thread exists, so it inherits the mask */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);

	wr.b = ktsnap_bridge__new(ktsnap_capture_callback_live, copts, NULL);
	if (!wr.b || !ktsnap_bridge__with_live_watch(wr.b, &wopts)) {
		rc = cli_fail("%s", ktsnap_errmsg());
		goto out;
	}
	for (i = optind; i < argc; i++) {
		if (ktsnap_bridge__register_watch(wr.b, argv[i])) {
			rc = cli_fail("%s", ktsnap_errmsg());
			goto out;
		}
	}
	if (!cli_json) {
		fprintf(stderr, "watching %d symbol%s", argc - optind,
			argc - optind == 1 ? "" : "s");
		if (timeout)
			fprintf(stderr, " for %llus", timeout);
		fprintf(stderr, "; reports go to %s\n", cli_esc(wr.dir));
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct timespec slice = { .tv_nsec = 100 * 1000 * 1000 };

		if (sigtimedwait(&sigs, NULL, &slice) > 0 || finished(&wr))
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout && (unsigned long long)(now.tv_sec - start.tv_sec) >= timeout)
			break;
	}
	rc = EXIT_OK;
out:
	/* the last handle disarms every breakpoint and joins the watcher thread */
	ktsnap_bridge__unref(wr.b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == EXIT_OK && wr.failed)
		rc = EXIT_FAIL;
	if (rc == EXIT_OK && !cli_json)
		fprintf(stderr, "%llu capture%s\n", wr.done, wr.done == 1 ? "" : "s");
	return rc;
}

static int run(int argc, char **argv)
{
	KTSNAP_OPTS(ktsnap_capture_opts, copts);
	struct cli_filter flt;
	int rc = cli_filter_init(&flt, &copts, argc);

	if (!rc)
		rc = run_watch(argc, argv, &flt);
	cli_filter_free(&flt);
	return rc;
}

const struct cli_cmd cmd_watch = {
	.name = "watch",
	.run = run,
	.synopsis = CLI_SYNOPSIS_watch,
	.help = "Arm a hardware write breakpoint on each SYMBOL (at most 3) and capture the\n"
		"BPF state whenever it is written: one report per hit, DIR/<tag>-<n>.json, and\n"
		"one line per hit (time, CPU, the value read right after the write, the writes\n"
		"coalesced into that capture).  Needs root.  Stops after --count hits, after\n"
		"--timeout seconds, or on SIGINT/SIGTERM.  The capture runs after the write,\n"
		"not at it.  See ktsnap(1).\n\n"
		"SYMBOL is OBJ.SECTION:NAME (a BPF global: SECTION is .bss, .data or .data.*;\n"
		"OBJ the object's name, in full or as libbpf cuts it; OBJ.SECTION#ID:NAME picks\n"
		"the copy whose map id is ID), a bare NAME unique among\n"
		"the loaded objects' writable globals, or a kernel data symbol listed in\n"
		"/proc/kallsyms.  Characters outside [A-Za-z0-9._-] become '_' in file names.\n\n"
		"  -o, --output DIR      directory for the reports (must exist)\n"
		"      --obj PREFIX      bare names are looked up in BPF object PREFIX only, and\n"
		"                        captures keep only its maps\n"
		"  -n, --count N         stop after N hits\n"
		"      --timeout SECONDS stop after SECONDS\n"
		"      --map-id ID       captures keep only the map with id ID (repeatable)\n"
		"      --maps-only       captures skip the /proc and /sys walkers\n"
		"  -p, --pretty          indent the JSON\n",
};
