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

int kt_bench_start(const char *who, char *dir)
{
	if (geteuid() != 0) {
		fprintf(stderr, "%s: needs root (loads BPF)\n", who);
		return 1;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	return 0;
}

int kt_bench_load_big(const char *who, struct ktbig **skel, unsigned int n)
{
	int err = kt_big_open(skel);

	if (!err)
		err = kt_big_fill(*skel, n);
	if (!err)
		err = kt_big_task_fill(*skel, n);
	if (err) {
		fprintf(stderr, "%s: loading ktbig: %s\n", who, strerror(-err));
		if (*skel)
			kt_big_close(*skel);
		*skel = NULL;
		return 1;
	}
	return 0;
}
