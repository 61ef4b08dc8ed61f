// SPDX-License-Identifier: MIT
/*
 * Run a command while the ktsched fixture is loaded and attached:
 *	ktsched_hold CMD [ARGS...]
 * The fixture's map ids are exported as KT_MAP_IDS ("id id …") so the
 * command can capture exactly this copy even when other copies are
 * loaded.  The fixture is released when the command ends, whatever its
 * exit status (which is ktsched_hold's).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "fixture.h"
#include "ktsched.h"
#include "ktsched.skel.h"

int main(int argc, char **argv)
{
	struct ktsched *skel;
	struct bpf_map *map;
	char ids[1024] = "";
	int err, status = 0;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: ktsched_hold CMD [ARGS...]\n");
		return 2;
	}
	err = kt_sched_open(&skel, true);
	if (err) {
		fprintf(stderr, "ktsched_hold: loading ktsched: %s\n", strerror(-err));
		return 1;
	}
	bpf_object__for_each_map(map, skel->obj) {
		size_t n = strlen(ids);

		snprintf(ids + n, sizeof(ids) - n, "%s%u", n ? " " : "",
			 kt_map_id(bpf_map__fd(map)));
	}
	setenv("KT_MAP_IDS", ids, 1);
	kt_sched_tick();
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "ktsched_hold: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		status = 1 << 8;
	kt_sched_close(skel);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
