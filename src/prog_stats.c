// SPDX-License-Identifier: MIT
/*
 * prog_stats: the process-wide hold of BPF_ENABLE_STATS(BPF_STATS_RUN_TIME)
 * (spec §12: prog_runtime_stats needs run-time statistics enabled).  The
 * kernel counts run_cnt and run_time_ns only while some process holds the
 * fd this returns (or kernel.bpf_stats_enabled=1); holders here share one
 * fd through a count, so a watch, a recording and a scenario that overlap
 * enable statistics once and the last release turns them off.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include <ktsnap/capture.h>
#include "log_internal.h"

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long stats_holders;
static int stats_fd = -1;

int ktsnap_prog_stats_hold(void)
{
	int err = 0;

	pthread_mutex_lock(&stats_lock);
	if (!stats_holders) {
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0) {
			err = ktsnap_fail(
				-errno, "BPF_ENABLE_STATS(BPF_STATS_RUN_TIME) failed: %s%s",
				strerror(errno), errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
			goto out;
		}
	}
	stats_holders++;
out:
	pthread_mutex_unlock(&stats_lock);
	return err;
}

void ktsnap_prog_stats_release(void)
{
	pthread_mutex_lock(&stats_lock);
	if (stats_holders && !--stats_holders) {
		close(stats_fd);
		stats_fd = -1;
	}
	pthread_mutex_unlock(&stats_lock);
}
