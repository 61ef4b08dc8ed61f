// SPDX-License-Identifier: MIT
/*
 * Benchmark: `ktsnap capture -o x.ktsnap` of a 100k-entry hash against a
 * process that only batch-copies the map (the floor: raw bytes, nothing
 * written), `capture --compress` (zstd), `ktsnap capture -o x.json` and
 * `bpftool -j map dump`, in the
 * same run, for two 48-byte values: the realistic task context (nested
 * struct, enum, u8[8], bitfields; ktbig's real_hash) and the plain integer
 * struct (big_hash).  Also the file sizes against raw bytes + BTF.
 *
 *	bench_cli_snapfile [ktsnap-binary [bpftool-binary]]
 *
 * Each command runs REPS times (alternating, output to a temp directory);
 * the median wall time counts.  The .ktsnap file is read back through the
 * library to check that every entry is there.
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

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ktsnap/snapfile.h>

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

/* The floor: a process that copies every entry out with batch lookups. */
static int raw_copy(int fd, uint32_t ksz, uint32_t vsz)
{
	uint8_t *keys = malloc((size_t)NR_ENTRIES * ksz + 64);
	uint8_t *vals = malloc((size_t)NR_ENTRIES * vsz + 64);
	__u32 in = 0, out = 0, n = 0, count;
	void *cursor = NULL;

	if (!keys || !vals)
		return 1;
	for (;;) {
		count = NR_ENTRIES - n < 65536 ? NR_ENTRIES - n : 65536;
		if (!count)
			break;
		if (bpf_map_lookup_batch(fd, cursor, &out, keys + (size_t)n * ksz,
					 vals + (size_t)n * vsz, &count, NULL)) {
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

/* argv (NULL: raw_copy of @fd in a child) with stdout to @out; ms or -1. */
static double timed_run(char *const argv[], const char *out, int fd)
{
	double t0 = now_ms();
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (!argv)
			_exit(raw_copy(fd, 4, 48));
		if (out) {
			int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			if (o < 0 || dup2(o, 1) < 0)
				_exit(127);
		} else {
			int o = open("/dev/null", O_WRONLY);

			if (o < 0 || dup2(o, 1) < 0)
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

static int fill_real(int fd)
{
	uint32_t chunk = 4096, i, j;
	__u32 *keys = calloc(chunk, sizeof(*keys));
	struct kt_real_val *vals = calloc(chunk, sizeof(*vals));
	int err = 0;

	if (!keys || !vals)
		err = -ENOMEM;
	for (i = 0; !err && i < NR_ENTRIES; i += chunk) {
		__u32 cnt = NR_ENTRIES - i < chunk ? NR_ENTRIES - i : chunk;

		for (j = 0; j < cnt; j++) {
			__u32 k = i + j;
			struct kt_real_val *v = &vals[j];

			keys[j] = k;
			memset(v, 0, sizeof(*v));
			v->runtime_ns = k * 1000ULL + 17;
			v->sched.weight = 100 + k % 40;
			v->sched.nice = (int)(k % 40) - 20;
			v->state = (enum kt_real_state)(k % 3);
			snprintf((char *)v->comm8, sizeof(v->comm8), "w%u", k % 1000000);
			v->cpu = k % 64;
			v->prio = k % 128;
			v->slice_shift = k % 32;
			v->flags = k & 0x3ff;
			v->vtime = k * 7ULL;
			v->nr_runs = k * 3ULL;
		}
		if (bpf_map_update_batch(fd, keys, vals, &cnt, NULL))
			err = -errno;
	}
	free(keys);
	free(vals);
	return err;
}

static int bench_map(const char *label, int fd, const char *ktsnap, const char *bpftool,
		     const char *dir)
{
	char kfile[96], zfile[96], jfile[96], bfile[96], id[16];
	double tr[REPS], tk[REPS], tz[REPS], tj[REPS], tb[REPS], mr, mk, mz, mj, mb;
	long long raw = (long long)NR_ENTRIES * (4 + 48), bsz = btf_size(fd);
	struct ktsnap_report *r = NULL;
	int i;

	snprintf(kfile, sizeof(kfile), "%s/x.ktsnap", dir);
	snprintf(zfile, sizeof(zfile), "%s/z.ktsnap", dir);
	snprintf(jfile, sizeof(jfile), "%s/x.json", dir);
	snprintf(bfile, sizeof(bfile), "%s/bpftool.json", dir);
	snprintf(id, sizeof(id), "%u", kt_map_id(fd));
	{
		char *kargv[] = { (char *)ktsnap, "capture",	 "--map-id", id,    "--max-entries",
				  "all",	  "--maps-only", "-o",	     kfile, NULL };
		char *zargv[] = { (char *)ktsnap,
				  "capture",
				  "--map-id",
				  id,
				  "--max-entries",
				  "all",
				  "--maps-only",
				  "--compress",
				  "-o",
				  zfile,
				  NULL };
		char *jargv[] = { (char *)ktsnap, "capture",	 "--map-id", id,    "--max-entries",
				  "all",	  "--maps-only", "-o",	     jfile, NULL };
		char *bargv[] = { (char *)bpftool, "-j", "map", "dump", "id", id, NULL };

		for (i = 0; i < REPS; i++) {
			/* no dirty pages of the previous run written back under
			 * the next one (fair to every command) */
			sync();
			tr[i] = timed_run(NULL, NULL, fd);
			sync();
			tk[i] = timed_run(kargv, NULL, -1);
			sync();
			tz[i] = timed_run(zargv, NULL, -1);
			sync();
			tj[i] = timed_run(jargv, NULL, -1);
			sync();
			tb[i] = timed_run(bargv, bfile, -1);
			if (tr[i] < 0 || tk[i] < 0 || tz[i] < 0 || tj[i] < 0 || tb[i] < 0) {
				fprintf(stderr,
					"bench_cli_snapfile: a run failed (%.0f %.0f %.0f %.0f)\n",
					tr[i], tk[i], tj[i], tb[i]);
				return 1;
			}
		}
	}
	qsort(tr, REPS, sizeof(double), cmp_double);
	qsort(tk, REPS, sizeof(double), cmp_double);
	qsort(tz, REPS, sizeof(double), cmp_double);
	qsort(tj, REPS, sizeof(double), cmp_double);
	qsort(tb, REPS, sizeof(double), cmp_double);
	mr = tr[REPS / 2];
	mk = tk[REPS / 2];
	mz = tz[REPS / 2];
	mj = tj[REPS / 2];
	mb = tb[REPS / 2];
	{
		FILE *f = fopen(kfile, "r");

		if (!f || ktsnap_report__read_file(f, KTSNAP_FORMAT_AUTO, &r) ||
		    ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 0)) != NR_ENTRIES) {
			fprintf(stderr,
				"bench_cli_snapfile: %s: not all %d entries read back: %s\n", kfile,
				NR_ENTRIES, ktsnap_errmsg());
			if (f)
				fclose(f);
			ktsnap_report__free(r);
			return 1;
		}
		fclose(f);
		ktsnap_report__free(r);
	}
	printf("cli_snapfile: %s, %d entries, median of %d runs\n", label, NR_ENTRIES, REPS);
	printf("  raw batch copy (process)  %8.1f ms  %7.2f MB raw + %.3f MB BTF\n", mr, raw / 1e6,
	       bsz / 1e6);
	printf("  capture -o x.ktsnap       %8.1f ms  %7.2f MB\n", mk, file_size(kfile) / 1e6);
	printf("  capture --compress        %8.1f ms  %7.2f MB\n", mz, file_size(zfile) / 1e6);
	printf("  capture -o x.json         %8.1f ms  %7.2f MB\n", mj, file_size(jfile) / 1e6);
	printf("  bpftool -j map dump       %8.1f ms  %7.2f MB\n", mb, file_size(bfile) / 1e6);
	printf("  .ktsnap vs raw copy       %8.2fx (target <= 2x: %s)\n", mk / mr,
	       mk / mr <= 2 ? "met" : "NOT MET");
	printf("  .ktsnap vs bpftool        %8.1fx faster (target >= 15x: %s)\n", mb / mk,
	       mb / mk >= 15 ? "met" : "NOT MET");
	printf("  .ktsnap size / (raw+BTF)  %8.2f (target <= 1.5: %s)\n",
	       (double)file_size(kfile) / (raw + bsz),
	       file_size(kfile) <= 1.5 * (raw + bsz) ? "met" : "NOT MET");
	printf("  .json vs bpftool          %8.1fx faster (target >= 6x: %s)\n", mb / mj,
	       mb / mj >= 6 ? "met" : "NOT MET");
	unlink(kfile);
	unlink(zfile);
	unlink(jfile);
	unlink(bfile);
	return 0;
}

int main(int argc, char **argv)
{
	const char *ktsnap = argc > 1 ? argv[1] : KTSNAP_CLI;
	const char *bpftool = argc > 2 ? argv[2] : BPFTOOL_PATH;
	char dir[] = "/tmp/ktsnap-bench-XXXXXX";
	struct ktbig *skel = NULL;
	int err, rc = 1;

	if (geteuid() != 0) {
		fprintf(stderr, "bench_cli_snapfile: needs root (loads BPF)\n");
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
		err = fill_real(bpf_map__fd(skel->maps.real_hash));
	if (err) {
		fprintf(stderr, "bench_cli_snapfile: loading ktbig: %s\n", strerror(-err));
		goto out;
	}
	rc = bench_map("task-context struct (nested struct, enum, u8[8], bitfields)",
		       bpf_map__fd(skel->maps.real_hash), ktsnap, bpftool, dir);
	if (!rc)
		rc = bench_map("integer struct", bpf_map__fd(skel->maps.big_hash), ktsnap, bpftool,
			       dir);
out:
	kt_big_close(skel);
	rmdir(dir);
	return rc;
}
