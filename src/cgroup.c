// SPDX-License-Identifier: MIT
/*
 * cgroup2 plumbing for scenarios: finding the cgroup2 mount, creating and
 * removing the per-run cgroups, freezing them around a capture
 * (cgroup.freeze / cgroup.events), killing what is left in them
 * (cgroup.kill) and reading cgroup.procs.  Nothing here knows about steps
 * or ops.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario_internal.h"
#include "util_internal.h"

int ktsnap_cgroup2_mount(char *out, size_t size)
{
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	/* "36 25 0:31 / /sys/fs/cgroup/unified rw,… - cgroup2 cgroup2 rw" */
	while (getline(&line, &cap, f) > 0) {
		char *sep = strstr(line, " - "), *mnt, *save = NULL;
		int i;

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		mnt = strtok_r(line, " ", &save);
		for (i = 0; mnt && i < 4; i++)
			mnt = strtok_r(NULL, " ", &save);
		if (!mnt || strlen(mnt) >= size)
			continue;
		/* the hybrid layout's unified tree wins over anything else */
		if (!found || !strcmp(mnt, "/sys/fs/cgroup/unified")) {
			snprintf(out, size, "%s", mnt);
			found = true;
		}
	}
	free(line);
	fclose(f);
	return found ? 0 : -ENOENT;
}

int ktsnap_cgroup_create(const char *path)
{
	return mkdir(path, 0755) ? -errno : 0;
}

static int write_file(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

int ktsnap_cgroup_set_frozen(const char *path, bool frozen)
{
	return write_file(path, "cgroup.freeze", frozen ? "1" : "0");
}

/* 1 when cgroup.events has "@key 1", 0 when "@key 0", -errno. */
static int read_event(int fd, const char *key)
{
	char buf[512], *p;
	size_t klen = strlen(key);
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return p[klen + 1] == '1';
	return -ENOENT;
}

static int open_events(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.events", dir) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Wait for "@key @want" in cgroup.events: the kernel signals every change
 * of the file with POLLPRI, the 10 ms cap only guards against a missed one. */
static int wait_event(const char *dir, const char *key, bool want, unsigned int timeout_ms)
{
	uint64_t deadline = ktsnap_monotonic_ns() + timeout_ms * 1000000ULL;
	int fd = open_events(dir), v;

	if (fd < 0)
		return fd;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		uint64_t now;

		v = read_event(fd, key);
		if (v < 0 || v == want)
			break;
		now = ktsnap_monotonic_ns();
		if (now >= deadline) {
			v = -ETIMEDOUT;
			break;
		}
		poll(&pfd, 1, 10);
	}
	close(fd);
	return v < 0 ? v : 0;
}

int ktsnap_cgroup_wait_frozen(const char *path, bool frozen, unsigned int timeout_ms)
{
	return wait_event(path, "frozen", frozen, timeout_ms);
}

int ktsnap_cgroup_destroy(const char *path)
{
	struct stat st;
	int err = 0, i;

	if (stat(path, &st) && errno == ENOENT)
		return 0;
	/* a frozen task still dies of SIGKILL, but thaw so nothing waits on us */
	ktsnap_cgroup_set_frozen(path, false);
	write_file(path, "cgroup.kill", "1");
	wait_event(path, "populated", false, 2000);
	/* the last exiting task can hold the directory busy for a moment */
	for (i = 0; i < 200; i++) {
		if (!rmdir(path) || errno == ENOENT)
			return 0;
		err = -errno;
		if (err != -EBUSY)
			break;
		usleep(10000);
	}
	return err;
}

int ktsnap_cgroup_read_procs(const char *path, int32_t **pids, size_t *n)
{
	char file[PATH_MAX];
	int32_t *out = NULL;
	size_t nr = 0, cap = 0;
	long v;
	FILE *f;
	int err = 0;

	if ((size_t)snprintf(file, sizeof(file), "%s/cgroup.procs", path) >= sizeof(file))
		return -ENAMETOOLONG;
	f = fopen(file, "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%ld", &v) == 1) {
		if (KTSNAP_ENSURE(out, cap, nr + 1)) {
			err = -ENOMEM;
			break;
		}
		out[nr++] = (int32_t)v;
	}
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	if (err) {
		free(out);
		return err;
	}
	*pids = out;
	*n = nr;
	return 0;
}
