/* SPDX-License-Identifier: MIT */
/*
 * What the benchmarks share: the clock, medians, the resident set (RSS and
 * its peak), timing one child process
 * (a command, or a function run in a fresh process) and reading a written
 * capture back to check it holds every entry.  Benchmarks only; nothing
 * here is part of the library.
 */
#ifndef KT_BENCH_UTIL_H
#define KT_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* CLOCK_MONOTONIC in milliseconds. */
double kt_bench_now_ms(void);
/* qsort comparator for doubles, ascending. */
int kt_bench_cmp_double(const void *a, const void *b);
/* Sorts @v[0..n) in place (so v[0] and v[n - 1] are min and max) and
 * returns its median v[n / 2]. */
double kt_bench_median(double *v, size_t n);

/* The "VmRSS:" / "VmHWM:" (any "Key:") line of /proc/self/status in
 * bytes; negative if it cannot be read. */
long long kt_bench_status_bytes(const char *key);
/* Starts a new peak: VmHWM drops to the current RSS. */
void kt_bench_reset_peak(void);

/* One command a child process runs. */
struct kt_bench_cmd {
	char *const *argv; /* NULL: the child exits with fn(arg) instead */
	int (*fn)(void *arg);
	void *arg;
	/* the file the command writes, or NULL; removed before every run so
	 * that no run pays for freeing the blocks of the previous one */
	const char *out;
	bool out_is_stdout; /* @out is the command's stdout (else /dev/null) */
};

/* Wall time in ms of one run of @cmd in a child process, -1 if it could
 * not start or exits non-zero.  Before the clock starts, @cmd->out is
 * removed and sync() writes back what earlier runs left dirty, so no run
 * pays for another's file (the same for every command). */
double kt_bench_run(const struct kt_bench_cmd *cmd);

/* Size of @path in bytes, -1 if it cannot be stat'ed. */
long long kt_bench_file_size(const char *path);

/* Reads the capture file @path back through the library (any format) and
 * checks its first map holds @want entries.  0, or 1 after saying why on
 * stderr, prefixed with @who. */
int kt_bench_check_capture(const char *who, const char *path, size_t want);

/* The frame of a benchmark of the ktsnap / bpftool command lines. */
struct kt_bench_cli {
	const char *who; /* the benchmark's name, for messages */
	const char *ktsnap; /* argv[1], else the build's ktsnap */
	const char *bpftool; /* argv[2], else the bpftool found at build time */
	char dir[32]; /* a temporary directory for the outputs */
	char id[16]; /* the map id of the last kt_bench_*_argv call */
};

struct ktbig;
/* Needs root; makes the temporary directory, opens ktbig and fills its
 * big_hash and big_task_ctx with keys [0, n), runs @run, then removes
 * both again.  The process exit status (@run's result, or 1 after saying
 * why the frame failed). */
int kt_bench_cli_main(struct kt_bench_cli *c, int argc, char **argv, unsigned int n,
		      int (*run)(struct kt_bench_cli *c, struct ktbig *skel));

/* Fills @argv (room for KT_BENCH_CAPTURE_ARGC entries) with
 * `ktsnap capture --map-id ID --max-entries all --maps-only [@extra] -o @out`
 * for map @fd, NULL-terminated.  @extra may be NULL. */
#define KT_BENCH_CAPTURE_ARGC 11
void kt_bench_capture_argv(char *argv[KT_BENCH_CAPTURE_ARGC], struct kt_bench_cli *c, int fd,
			   const char *extra, const char *out);
/* Fills @argv (room for KT_BENCH_BPFTOOL_ARGC entries) with
 * `bpftool -j map dump id ID` of map @fd, NULL-terminated. */
#define KT_BENCH_BPFTOOL_ARGC 7
void kt_bench_bpftool_argv(char *argv[KT_BENCH_BPFTOOL_ARGC], struct kt_bench_cli *c, int fd);

#endif
