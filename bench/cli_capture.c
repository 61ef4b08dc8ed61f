// SPDX-License-Identifier: MIT
/*
 * Benchmark: `ktsnap capture -o FILE` of 100k-entry hashes of 48-byte
 * values against `bpftool -j map dump` of the same map, in the same run:
 * big_hash (a struct of plain integers, target 5x) and big_task_ctx (a
 * task context: nested struct, enum, bitfields, u8[8]; target 6x).
 *
 *	bench_cli_capture [ktsnap-binary [bpftool-binary]]
 *
 * The maps are filled once and stay loaded while both tools run; each tool
 * runs REPS times per map (alternating), output to a file in a temp
 * directory, and the median wall time counts.  Prints both times, both
 * file sizes and the ratio against the target.  The capture output is read
 * back through the library to check that every entry is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <ktsnap/json.h>

#include "fixture.h"
#include "ktsched.h"
#include "ktbig.skel.h"

#define NR_ENTRIES 100000
#define REPS 5

#ifndef KTSNAP_CLI
#define KTSNAP_CLI "ktsnap"
#endif
#ifndef BPFTOOL_PATH
#define BPFTOOL_PATH "bpftool"
#endif

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Run argv with stdout to @out (NULL: inherit); wall time in ms or -1. */
static double timed_run(char *const argv[], const char *out)
{
	double t0 = now_ms();
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (out) {
			int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			if (fd < 0 || dup2(fd, 1) < 0)
				_exit(127);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return now_ms() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

/* Both tools on map @fd, REPS times each; 0 or 1 after saying why. */
static int bench_map(const char *ktsnap, const char *bpftool, const char *dir, int fd,
		     const char *label, double target)
{
	char kfile[64], bfile[64], id[16];
	double tk[REPS], tb[REPS], mk, mb;
	struct ktsnap_report *r = NULL;
	FILE *f;
	int i, rc = 1;

	snprintf(kfile, sizeof(kfile), "%s/ktsnap.json", dir);
	snprintf(bfile, sizeof(bfile), "%s/bpftool.json", dir);
	snprintf(id, sizeof(id), "%u", kt_map_id(fd));
	{
		char *kargv[] = { (char *)ktsnap, "capture",	 "--map-id", id,    "--max-entries",
				  "all",	  "--maps-only", "-o",	     kfile, NULL };
		char *bargv[] = { (char *)bpftool, "-j", "map", "dump", "id", id, NULL };
		int devnull = open("/dev/null", O_WRONLY);
		int saved = dup(1);

		for (i = 0; i < REPS; i++) {
			/* ktsnap's summary line is not part of the measurement */
			dup2(devnull, 1);
			/* start each run with no dirty pages of the previous one
			 * being written back under it (fair to both tools) */
			sync();
			tk[i] = timed_run(kargv, NULL);
			dup2(saved, 1);
			sync();
			tb[i] = timed_run(bargv, bfile);
			if (tk[i] < 0 || tb[i] < 0) {
				fprintf(stderr, "bench_cli_capture: %s failed\n",
					tk[i] < 0 ? ktsnap : bpftool);
				goto out;
			}
		}
		close(devnull);
		close(saved);
	}
	qsort(tk, REPS, sizeof(double), cmp_double);
	qsort(tb, REPS, sizeof(double), cmp_double);
	mk = tk[REPS / 2];
	mb = tb[REPS / 2];

	f = fopen(kfile, "r");
	if (!f || ktsnap_report__read_json(f, &r)) {
		fprintf(stderr, "bench_cli_capture: reading the capture back: %s\n",
			ktsnap_errmsg());
		if (f)
			fclose(f);
		goto out;
	}
	fclose(f);
	if (ktsnap_report__map_count(r) != 1 ||
	    ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 0)) != NR_ENTRIES) {
		fprintf(stderr, "bench_cli_capture: the capture holds %zu entries, not %d\n",
			ktsnap_report__map_count(r) ?
				ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 0)) :
				0,
			NR_ENTRIES);
		goto out;
	}
	printf("cli_capture: %s, %d entries, 48-byte values, median of %d runs\n", label,
	       NR_ENTRIES, REPS);
	printf("  ktsnap capture -o FILE   %9.1f ms  %6.1f MB  (min %.1f, max %.1f ms)\n", mk,
	       file_size(kfile) / 1e6, tk[0], tk[REPS - 1]);
	printf("  bpftool -j map dump      %9.1f ms  %6.1f MB  (min %.1f, max %.1f ms)\n", mb,
	       file_size(bfile) / 1e6, tb[0], tb[REPS - 1]);
	printf("  ratio                    %9.1fx (target >= %.0fx: %s)\n", mb / mk, target,
	       mb / mk >= target ? "met" : "NOT MET");
	rc = 0;
out:
	ktsnap_report__free(r);
	unlink(kfile);
	unlink(bfile);
	return rc;
}

int main(int argc, char **argv)
{
	const char *ktsnap = argc > 1 ? argv[1] : KTSNAP_CLI;
	const char *bpftool = argc > 2 ? argv[2] : BPFTOOL_PATH;
	char dir[] = "/tmp/ktsnap-bench-XXXXXX";
	struct ktbig *skel = NULL;
	int err, rc = 1;

	if (geteuid() != 0) {
		fprintf(stderr, "bench_cli_capture: needs root (loads BPF)\n");
		return 1;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	err = kt_big_open(&skel);
	if (!err)
		err = kt_big_fill(skel, NR_ENTRIES);
	if (!err)
		err = kt_big_task_fill(skel, NR_ENTRIES);
	if (err) {
		fprintf(stderr, "bench_cli_capture: loading ktbig: %s\n", strerror(-err));
		goto out;
	}
	rc = bench_map(ktsnap, bpftool, dir, bpf_map__fd(skel->maps.big_hash),
		       "big_hash (struct of integers)", 5);
	rc |= bench_map(ktsnap, bpftool, dir, bpf_map__fd(skel->maps.big_task_ctx),
			"big_task_ctx (task context)", 6);
out:
	kt_big_close(skel);
	rmdir(dir);
	return rc;
}
