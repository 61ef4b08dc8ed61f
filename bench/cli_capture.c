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
 * directory, and the median wall time counts.  Before each timed run the
 * tool's output file of the previous run is removed and sync() writes back
 * what is dirty, so neither tool pays for freeing and flushing the blocks
 * of a 100+ MB file it is about to replace (the same for both tools).
 * Prints both times, both file sizes and the ratio against the target.
 * The capture output is read back through the library to check that
 * every entry is there.
 */
#include <stdio.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bench_util.h"
#include "fixture.h"
#include "ktbig.skel.h"

#define NR_ENTRIES 100000
#define REPS 5
#define WHO "bench_cli_capture"

/* Both tools on map @fd, REPS times each; 0 or 1 after saying why. */
static int bench_map(struct kt_bench_cli *c, int fd, const char *label, double target)
{
	char kfile[64], bfile[64], *kargv[KT_BENCH_CAPTURE_ARGC], *bargv[KT_BENCH_BPFTOOL_ARGC];
	/* ktsnap's summary line (stdout) is not part of the measurement */
	struct kt_bench_cmd k = { .argv = kargv, .out = kfile };
	struct kt_bench_cmd b = { .argv = bargv, .out = bfile, .out_is_stdout = true };
	double tk[REPS], tb[REPS], mk, mb;
	int i, rc = 1;

	snprintf(kfile, sizeof(kfile), "%s/ktsnap.json", c->dir);
	snprintf(bfile, sizeof(bfile), "%s/bpftool.json", c->dir);
	kt_bench_capture_argv(kargv, c, fd, NULL, kfile);
	kt_bench_bpftool_argv(bargv, c, fd);
	for (i = 0; i < REPS; i++) {
		tk[i] = kt_bench_run(&k);
		tb[i] = kt_bench_run(&b);
		if (tk[i] < 0 || tb[i] < 0) {
			fprintf(stderr, WHO ": %s failed\n", tk[i] < 0 ? c->ktsnap : c->bpftool);
			goto out;
		}
	}
	mk = kt_bench_median(tk, REPS);
	mb = kt_bench_median(tb, REPS);
	if (kt_bench_check_capture(WHO, kfile, NR_ENTRIES))
		goto out;
	printf("cli_capture: %s, %d entries, 48-byte values, median of %d runs\n", label,
	       NR_ENTRIES, REPS);
	printf("  ktsnap capture -o FILE   %9.1f ms  %6.1f MB  (min %.1f, max %.1f ms)\n", mk,
	       kt_bench_file_size(kfile) / 1e6, tk[0], tk[REPS - 1]);
	printf("  bpftool -j map dump      %9.1f ms  %6.1f MB  (min %.1f, max %.1f ms)\n", mb,
	       kt_bench_file_size(bfile) / 1e6, tb[0], tb[REPS - 1]);
	printf("  ratio                    %9.1fx (target >= %.0fx: %s)\n", mb / mk, target,
	       mb / mk >= target ? "met" : "NOT MET");
	rc = 0;
out:
	unlink(kfile);
	unlink(bfile);
	return rc;
}

static int run(struct kt_bench_cli *c, struct ktbig *skel)
{
	int rc = bench_map(c, bpf_map__fd(skel->maps.big_hash), "big_hash (struct of integers)", 5);

	return rc |
	       bench_map(c, bpf_map__fd(skel->maps.big_task_ctx), "big_task_ctx (task context)", 6);
}

int main(int argc, char **argv)
{
	struct kt_bench_cli c = { .who = WHO };

	return kt_bench_cli_main(&c, argc, argv, NR_ENTRIES, run);
}
