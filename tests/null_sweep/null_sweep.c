// SPDX-License-Identifier: MIT
/*
 * The NULL policy of include/ktsnap/common.h, checked for every exported
 * function: each one is called with all-zero / NULL arguments in a forked
 * child, and any signal (or sanitizer exit) fails the test.  The calls are
 * generated at build time from the KTSNAP_API declarations of the public
 * headers (gen_calls.cmake), so new functions are covered without edits.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ktsnap/assert.h>
#include <ktsnap/bridge.h>
#include <ktsnap/capture.h>
#include <ktsnap/common.h>
#include <ktsnap/diff.h>
#include <ktsnap/display.h>
#include <ktsnap/error.h>
#include <ktsnap/json.h>
#include <ktsnap/kernel_op.h>
#include <ktsnap/report.h>
#include <ktsnap/snapfile.h>
#include <ktsnap/snapshot.h>
#include <ktsnap/stats.h>
#include <ktsnap/view.h>
#include <ktsnap/wire.h>
#include <ktsnap/watch.h>

struct sweep_call {
	const char *name;
	void (*call)(void);
};

#pragma GCC diagnostic ignored "-Wnonnull"
#include "null_sweep_calls.inc"

/*
 * Exports that, given zero arguments, do real work instead of failing fast
 * (NULL options mean "defaults"): they are exercised by their own tests.
 */
static const char *const skipped[] = {
	/* fd 0 is a real fd: these would take over the sweep's stdin */
	"ktsnap_wire_client__from_fd",
	"ktsnap_wire_client__from_fds",
	NULL,
};

static bool is_skipped(const char *name)
{
	size_t i;

	for (i = 0; skipped[i]; i++)
		if (!strcmp(skipped[i], name))
			return true;
	return false;
}

int main(void)
{
	size_t i, n = sizeof(sweep_calls) / sizeof(sweep_calls[0]), failed = 0, run = 0;

	for (i = 0; i < n; i++) {
		int status;
		pid_t pid;

		if (is_skipped(sweep_calls[i].name))
			continue;
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (!pid) {
			alarm(20);
			sweep_calls[i].call();
			_exit(0);
		}
		run++;
		if (waitpid(pid, &status, 0) < 0) {
			perror("waitpid");
			return 1;
		}
		if (WIFSIGNALED(status)) {
			printf("FAIL %s: signal %d (%s)\n", sweep_calls[i].name, WTERMSIG(status),
			       strsignal(WTERMSIG(status)));
			failed++;
		} else if (WEXITSTATUS(status)) {
			printf("FAIL %s: exit %d (sanitizer report above)\n", sweep_calls[i].name,
			       WEXITSTATUS(status));
			failed++;
		}
	}
	printf("%zu of %zu exports called with NULL / zero arguments, %zu failed\n", run, n,
	       failed);
	return failed ? 1 : 0;
}
