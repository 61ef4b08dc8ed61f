// SPDX-License-Identifier: MIT
/* The benchmarks' shared helpers (bench_util.h). */
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ktsnap/snapfile.h>

#include "bench_util.h"
#include "fixture.h"

#ifndef KTSNAP_CLI
#define KTSNAP_CLI "ktsnap"
#endif
#ifndef BPFTOOL_PATH
#define BPFTOOL_PATH "bpftool"
#endif

double kt_bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int kt_bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double kt_bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), kt_bench_cmp_double);
	return v[n / 2];
}

long long kt_bench_status_bytes(const char *key)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			sscanf(line + strlen(key), "%lld", &kb);
	if (f)
		fclose(f);
	return kb * 1024;
}

void kt_bench_reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

static void child(const struct kt_bench_cmd *cmd)
{
	const char *to = cmd->out && cmd->out_is_stdout ? cmd->out : "/dev/null";
	int fd;

	if (!cmd->argv)
		_exit(cmd->fn(cmd->arg));
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 1) < 0)
		_exit(127);
	execv(cmd->argv[0], cmd->argv);
	_exit(127);
}

double kt_bench_run(const struct kt_bench_cmd *cmd)
{
	double t0;
	int status;
	pid_t pid;

	if (cmd->out)
		unlink(cmd->out);
	sync();
	t0 = kt_bench_now_ms();
	pid = fork();
	if (pid == 0)
		child(cmd);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return kt_bench_now_ms() - t0;
}

long long kt_bench_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

int kt_bench_check_capture(const char *who, const char *path, size_t want)
{
	struct ktsnap_report *r = NULL;
	FILE *f = fopen(path, "r");
	size_t got = 0;
	int err = !f || ktsnap_report__read_file(f, KTSNAP_FORMAT_AUTO, &r);

	if (f)
		fclose(f);
	if (err) {
		fprintf(stderr, "%s: reading %s back: %s\n", who, path, ktsnap_errmsg());
		return 1;
	}
	if (ktsnap_report__map_count(r) == 1)
		got = ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 0));
	ktsnap_report__free(r);
	if (got != want) {
		fprintf(stderr, "%s: %s holds %zu entries, not %zu\n", who, path, got, want);
		return 1;
	}
	return 0;
}

int kt_bench_cli_main(struct kt_bench_cli *c, int argc, char **argv, unsigned int n,
		      int (*run)(struct kt_bench_cli *c, struct ktbig *skel))
{
	struct ktbig *skel = NULL;
	int err, rc = 1;

	c->ktsnap = argc > 1 ? argv[1] : KTSNAP_CLI;
	c->bpftool = argc > 2 ? argv[2] : BPFTOOL_PATH;
	if (geteuid() != 0) {
		fprintf(stderr, "%s: needs root (loads BPF)\n", c->who);
		return 1;
	}
	snprintf(c->dir, sizeof(c->dir), "/tmp/ktsnap-bench-XXXXXX");
	if (!mkdtemp(c->dir)) {
		perror("mkdtemp");
		return 1;
	}
	err = kt_big_open(&skel);
	if (!err)
		err = kt_big_fill(skel, n);
	if (!err)
		err = kt_big_task_fill(skel, n);
	if (err)
		fprintf(stderr, "%s: loading ktbig: %s\n", c->who, strerror(-err));
	else
		rc = run(c, skel);
	kt_big_close(skel);
	rmdir(c->dir);
	return rc;
}

void kt_bench_capture_argv(char *argv[KT_BENCH_CAPTURE_ARGC], struct kt_bench_cli *c, int fd,
			   const char *extra, const char *out)
{
	int i = 0;

	snprintf(c->id, sizeof(c->id), "%u", kt_map_id(fd));
	argv[i++] = (char *)c->ktsnap;
	argv[i++] = "capture";
	argv[i++] = "--map-id";
	argv[i++] = c->id;
	argv[i++] = "--max-entries";
	argv[i++] = "all";
	argv[i++] = "--maps-only";
	if (extra)
		argv[i++] = (char *)extra;
	argv[i++] = "-o";
	argv[i++] = (char *)out;
	argv[i] = NULL;
}

void kt_bench_bpftool_argv(char *argv[KT_BENCH_BPFTOOL_ARGC], struct kt_bench_cli *c, int fd)
{
	static const char *const words[] = { "-j", "map", "dump", "id" };
	int i;

	snprintf(c->id, sizeof(c->id), "%u", kt_map_id(fd));
	argv[0] = (char *)c->bpftool;
	for (i = 0; i < 4; i++)
		argv[i + 1] = (char *)words[i];
	argv[5] = c->id;
	argv[6] = NULL;
}
