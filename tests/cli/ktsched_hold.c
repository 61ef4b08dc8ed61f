// SPDX-License-Identifier: MIT
/*
 * Run a command while the ktsched fixture is loaded and attached:
 *	ktsched_hold [-b N] CMD [ARGS...]
 * The fixture's map ids are exported as KT_MAP_IDS ("id id …") so the
 * command can capture exactly this copy even when other copies are
 * loaded.  With -b N the ktbig fixture is loaded too, its big_hash filled
 * with N entries and its id exported as KT_BIG_ID (a capture that takes
 * a while, for the signal tests).  The fixture is released when the command ends, whatever its
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
#include "ktbig.skel.h"

int main(int argc, char **argv)
{
	struct ktsched *skel;
	struct ktbig *big = NULL;
	struct bpf_map *map;
	char ids[1024] = "";
	int err, status = 0;
	unsigned long nbig = 0;
	pid_t pid;

	if (argc > 3 && !strcmp(argv[1], "-b")) {
		nbig = strtoul(argv[2], NULL, 10);
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: ktsched_hold [-b N] CMD [ARGS...]\n");
		return 2;
	}
	if (nbig) {
		err = kt_big_open(&big);
		if (!err)
			err = kt_big_fill(big, (uint32_t)nbig);
		if (err) {
			fprintf(stderr, "ktsched_hold: loading ktbig: %s\n", strerror(-err));
			kt_big_close(big);
			return 1;
		}
		snprintf(ids, sizeof(ids), "%u", kt_map_id(bpf_map__fd(big->maps.big_hash)));
		setenv("KT_BIG_ID", ids, 1);
		ids[0] = '\0';
	}
	err = kt_sched_open(&skel, true);
	if (err) {
		fprintf(stderr, "ktsched_hold: loading ktsched: %s\n", strerror(-err));
		kt_big_close(big);
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
	kt_big_close(big);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
