// SPDX-License-Identifier: MIT
/*
 * Benchmark: `ktsnap capture -o x.ktsnap` of a 100k-entry hash against a
 * process that only batch-copies the map (the floor: raw bytes, nothing
 * written), `capture --compress` (zstd), `ktsnap capture -o x.json` and
 * `bpftool -j map dump`, in the same run, for two 48-byte values: the
 * realistic task context (nested struct, enum, u8[8], bitfields; ktbig's
 * big_task_ctx) and the plain integer struct (big_hash).  Also the file
 * sizes against raw bytes + BTF.
 *
 *	bench_cli_snapfile [ktsnap-binary [bpftool-binary]]
 *
 * Each command runs REPS times (alternating, output to a temp directory;
 * before each run the command's file of the previous run is removed and
 * sync() writes back what is dirty, the same for every command); the
 * median wall time counts.  The .ktsnap file is read back through the
 * library to check that every entry is there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bench_util.h"
#include "fixture.h"
#include "ktbig.skel.h"

#define NR_ENTRIES 100000
#define REPS 5
#define WHO "bench_cli_snapfile"
#define KEY_SIZE 4
#define VALUE_SIZE 48

/* The floor: a process that copies every entry of map *@arg out with
 * batch lookups.  0 when it saw them all. */
static int raw_copy(void *arg)
{
	int fd = *(const int *)arg;
	uint8_t *keys = malloc((size_t)NR_ENTRIES * KEY_SIZE + 64);
	uint8_t *vals = malloc((size_t)NR_ENTRIES * VALUE_SIZE + 64);
	__u32 in = 0, out = 0, n = 0, count;
	void *cursor = NULL;

	if (!keys || !vals)
		return 1;
	for (;;) {
		count = NR_ENTRIES - n < 65536 ? NR_ENTRIES - n : 65536;
		if (!count)
			break;
		if (bpf_map_lookup_batch(fd, cursor, &out, keys + (size_t)n * KEY_SIZE,
					 vals + (size_t)n * VALUE_SIZE, &count, NULL)) {
			n += count;
			if (errno == ENOENT)
				break;
			return 1;
		}
		n += count;
		in = out;
		cursor = &in;
	}
	return n == NR_ENTRIES ? 0 : 1;
}

static long long btf_size(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), sz = 0;
	struct btf *btf;

	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.btf_id)
		return 0;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		return 0;
	btf__raw_data(btf, &sz);
	btf__free(btf);
	return sz;
}

/* The commands, in the order they run within one repetition. */
enum { RAW, KTSNAP, COMPRESS, JSON, BPFTOOL, NR_CMDS };

static int bench_map(struct kt_bench_cli *cli, int fd, const char *label)
{
	char kfile[96], zfile[96], jfile[96], bfile[96];
	char *kargv[KT_BENCH_CAPTURE_ARGC], *zargv[KT_BENCH_CAPTURE_ARGC];
	char *jargv[KT_BENCH_CAPTURE_ARGC], *bargv[KT_BENCH_BPFTOOL_ARGC];
	const struct kt_bench_cmd cmd[NR_CMDS] = {
		[RAW] = { .fn = raw_copy, .arg = &fd },
		[KTSNAP] = { .argv = kargv, .out = kfile },
		[COMPRESS] = { .argv = zargv, .out = zfile },
		[JSON] = { .argv = jargv, .out = jfile },
		[BPFTOOL] = { .argv = bargv, .out = bfile, .out_is_stdout = true },
	};
	double t[NR_CMDS][REPS], m[NR_CMDS];
	long long raw = (long long)NR_ENTRIES * (KEY_SIZE + VALUE_SIZE), bsz = btf_size(fd);
	int i, c;

	snprintf(kfile, sizeof(kfile), "%s/x.ktsnap", cli->dir);
	snprintf(zfile, sizeof(zfile), "%s/z.ktsnap", cli->dir);
	snprintf(jfile, sizeof(jfile), "%s/x.json", cli->dir);
	snprintf(bfile, sizeof(bfile), "%s/bpftool.json", cli->dir);
	kt_bench_capture_argv(kargv, cli, fd, NULL, kfile);
	kt_bench_capture_argv(zargv, cli, fd, "--compress", zfile);
	kt_bench_capture_argv(jargv, cli, fd, NULL, jfile);
	kt_bench_bpftool_argv(bargv, cli, fd);
	for (i = 0; i < REPS; i++)
		for (c = 0; c < NR_CMDS; c++) {
			t[c][i] = kt_bench_run(&cmd[c]);
			if (t[c][i] < 0) {
				fprintf(stderr, WHO ": run %d of command %d failed\n", i, c);
				return 1;
			}
		}
	for (c = 0; c < NR_CMDS; c++)
		m[c] = kt_bench_median(t[c], REPS);
	if (kt_bench_check_capture(WHO, kfile, NR_ENTRIES))
		return 1;
	printf("cli_snapfile: %s, %d entries, median of %d runs\n", label, NR_ENTRIES, REPS);
	printf("  raw batch copy (process)  %8.1f ms  %7.2f MB raw + %.3f MB BTF\n", m[RAW],
	       raw / 1e6, bsz / 1e6);
	printf("  capture -o x.ktsnap       %8.1f ms  %7.2f MB\n", m[KTSNAP],
	       kt_bench_file_size(kfile) / 1e6);
	printf("  capture --compress        %8.1f ms  %7.2f MB\n", m[COMPRESS],
	       kt_bench_file_size(zfile) / 1e6);
	printf("  capture -o x.json         %8.1f ms  %7.2f MB\n", m[JSON],
	       kt_bench_file_size(jfile) / 1e6);
	printf("  bpftool -j map dump       %8.1f ms  %7.2f MB\n", m[BPFTOOL],
	       kt_bench_file_size(bfile) / 1e6);
	printf("  .ktsnap vs raw copy       %8.2fx (target <= 2x: %s)\n", m[KTSNAP] / m[RAW],
	       m[KTSNAP] / m[RAW] <= 2 ? "met" : "NOT MET");
	printf("  .ktsnap vs bpftool        %8.1fx faster (target >= 15x: %s)\n",
	       m[BPFTOOL] / m[KTSNAP], m[BPFTOOL] / m[KTSNAP] >= 15 ? "met" : "NOT MET");
	printf("  .ktsnap size / (raw+BTF)  %8.2f (target <= 1.5: %s)\n",
	       (double)kt_bench_file_size(kfile) / (raw + bsz),
	       kt_bench_file_size(kfile) <= 1.5 * (raw + bsz) ? "met" : "NOT MET");
	printf("  .json vs bpftool          %8.1fx faster (target >= 6x: %s)\n",
	       m[BPFTOOL] / m[JSON], m[BPFTOOL] / m[JSON] >= 6 ? "met" : "NOT MET");
	unlink(kfile);
	unlink(zfile);
	unlink(jfile);
	unlink(bfile);
	return 0;
}

static int run(struct kt_bench_cli *c, struct ktbig *skel)
{
	int rc = bench_map(c, bpf_map__fd(skel->maps.big_task_ctx),
			   "task-context struct (nested struct, enum, u8[8], bitfields)");

	return rc ? rc : bench_map(c, bpf_map__fd(skel->maps.big_hash), "integer struct");
}

int main(int argc, char **argv)
{
	struct kt_bench_cli c = { .who = WHO };

	return kt_bench_cli_main(&c, argc, argv, NR_ENTRIES, run);
}
