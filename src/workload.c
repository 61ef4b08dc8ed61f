// SPDX-License-Identifier: MIT
/*
 * The processes a scenario starts: workers (forked copies of the runner
 * that join their cgroup, set affinity and nice, then spin / sleep /
 * yield until killed) and scheduler commands (exec'd in their own
 * process group, stopped with SIGTERM then SIGKILL).  Every child dies
 * with the runner (PR_SET_PDEATHSIG), so even a SIGKILLed runner leaves
 * no process behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scenario_internal.h"
#include "util_internal.h"

int ktsnap_sleep_ms(uint64_t ms, volatile sig_atomic_t *stop)
{
	uint64_t deadline = ktsnap_monotonic_ns() + ms * 1000000ULL;

	for (;;) {
		uint64_t now = ktsnap_monotonic_ns(), left;
		struct timespec ts;

		if (stop && *stop)
			return -EINTR;
		if (now >= deadline)
			return 0;
		/* short slices so a caught signal ends the wait promptly */
		left = deadline - now;
		if (left > 20000000ULL)
			left = 20000000ULL;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left;
		nanosleep(&ts, NULL);
	}
}

/* What a worker reports once it is in place (one atomic pipe write). */
struct worker_hello {
	pid_t pid;
	int err; /* 0, or the errno of the step that failed */
	int what; /* 0 cgroup, 1 affinity, 2 nice */
};

static void spin_us(uint32_t us)
{
	uint64_t end = ktsnap_monotonic_ns() + us * 1000ULL;

	while (ktsnap_monotonic_ns() < end)
		;
}

static void __attribute__((noreturn))
worker_main(pid_t parent, int procs_fd, int hello_fd, const struct ktsnap_workload *wl)
{
	struct worker_hello h = { .pid = getpid() };
	cpu_set_t set;
	size_t i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* a name of its own, so task tables and captures show which tasks
	 * are the scenario's */
	prctl(PR_SET_NAME, "ktsnap-worker");
	if (getppid() != parent)
		_exit(1);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (write(procs_fd, "0", 1) < 0) {
		h.err = errno;
		goto hello;
	}
	if (wl->nr_cpus) {
		CPU_ZERO(&set);
		for (i = 0; i < wl->nr_cpus; i++)
			if (wl->cpus[i] < CPU_SETSIZE)
				CPU_SET(wl->cpus[i], &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			h.err = errno;
			h.what = 1;
			goto hello;
		}
	}
	if (wl->set_nice && setpriority(PRIO_PROCESS, 0, wl->nice)) {
		h.err = errno;
		h.what = 2;
	}
hello:
	if (write(hello_fd, &h, sizeof(h)) != sizeof(h) || h.err)
		_exit(1);
	close(hello_fd);
	close(procs_fd);
	for (;;) {
		spin_us(wl->spin_us);
		if (wl->sleep_us)
			usleep(wl->sleep_us);
		if (wl->yield)
			sched_yield();
	}
}

int ktsnap_workers_spawn(const char *cgroup_path, unsigned int n, const struct ktsnap_workload *wl,
			 pid_t **pids, size_t *nr_pids, size_t *cap, char *why, size_t why_len)
{
	static const char *const what[] = { "joining the cgroup", "setting the CPU affinity",
					    "setting nice" };
	char path[PATH_MAX];
	int procs_fd, p[2], err = 0;
	unsigned int i, forked = 0;
	pid_t parent = getpid();

	if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup_path) >= sizeof(path))
		return -ENAMETOOLONG;
	procs_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (procs_fd < 0) {
		err = -errno;
		snprintf(why, why_len, "opening %s: %s", path, strerror(-err));
		return err;
	}
	if (pipe2(p, O_CLOEXEC)) {
		err = -errno;
		close(procs_fd);
		snprintf(why, why_len, "pipe: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < n; i++) {
		pid_t pid;

		if (KTSNAP_ENSURE(*pids, *cap, *nr_pids + 1)) {
			err = -ENOMEM;
			snprintf(why, why_len, "out of memory");
			break;
		}
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			err = -errno;
			snprintf(why, why_len, "fork: %s", strerror(-err));
			break;
		}
		if (pid == 0) {
			close(p[0]);
			worker_main(parent, procs_fd, p[1], wl);
		}
		(*pids)[(*nr_pids)++] = pid;
		forked++;
	}
	close(p[1]);
	close(procs_fd);
	/* every forked worker says hello once, or dies (EOF when all did) */
	for (i = 0; i < forked; i++) {
		struct worker_hello h;
		ssize_t r;

		/* a caught stop signal must not read as a worker that died */
		do
			r = read(p[0], &h, sizeof(h));
		while (r < 0 && errno == EINTR);

		if (r != sizeof(h)) {
			if (!err) {
				err = -ECHILD;
				snprintf(why, why_len, "a worker exited before it started");
			}
			break;
		}
		if (h.err && !err) {
			err = -h.err;
			snprintf(why, why_len, "worker %d: %s: %s", (int)h.pid, what[h.what],
				 strerror(h.err));
		}
	}
	close(p[0]);
	return err;
}

void ktsnap_workers_kill(const pid_t *pids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
}

pid_t ktsnap_process_spawn(const char *const *argv, const char *log)
{
	pid_t parent = getpid(), pid;
	int p[2], child_err = 0, log_fd = -1;
	ssize_t r;

	if (!argv || !argv[0])
		return -EINVAL;
	if (log) {
		log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0)
			return -errno;
	}
	if (pipe2(p, O_CLOEXEC)) {
		int err = -errno;

		if (log_fd >= 0)
			close(log_fd);
		return err;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(p[0]);
		close(p[1]);
		if (log_fd >= 0)
			close(log_fd);
		return err;
	}
	if (pid == 0) {
		close(p[0]);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (log_fd >= 0 &&
		    (dup2(log_fd, STDOUT_FILENO) < 0 || dup2(log_fd, STDERR_FILENO) < 0))
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		child_err = errno;
		if (write(p[1], &child_err, sizeof(child_err)) < 0)
			_exit(127);
		_exit(127);
	}
	/* both sides set the group, so the parent never signals a stale one */
	setpgid(pid, pid);
	close(p[1]);
	if (log_fd >= 0)
		close(log_fd);
	/* EOF: the exec succeeded (the pipe closed on exec) */
	do
		r = read(p[0], &child_err, sizeof(child_err));
	while (r < 0 && errno == EINTR);
	close(p[0]);
	if (r == sizeof(child_err)) {
		waitpid(pid, NULL, 0);
		return -child_err;
	}
	return pid;
}

bool ktsnap_process_alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

int ktsnap_process_stop(pid_t pid, unsigned int grace_ms)
{
	uint64_t deadline = ktsnap_monotonic_ns() + grace_ms * 1000000ULL;
	int ret = 0;

	kill(-pid, SIGTERM);
	kill(pid, SIGTERM);
	for (;;) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD))
			break;
		if (ktsnap_monotonic_ns() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			ret = 1;
			break;
		}
		usleep(10000);
	}
	/* whatever the leader left in its group goes too */
	kill(-pid, SIGKILL);
	return ret;
}
