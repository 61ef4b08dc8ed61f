// SPDX-License-Identifier: MIT
/*
 * The object filter finds an object by the name its author uses.  The
 * fixture ktlongsched has a name longer than the 8 characters libbpf keeps
 * for global sections (they load as "ktlongsc.bss", …) and maps whose
 * names do not start with the object's name.  The full name, the cut
 * name, the library option and the CLI's --obj all capture exactly that
 * object's maps; a wrong name fails with the loaded objects.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <ktsnap/capture.h>
#include <ktsnap/json.h>
#include "fixture.h"
#include "ktsched.h"
#include "ktsched.skel.h"
#include "ktlongsched.skel.h"

struct fixtures {
	struct ktlongsched *lng;
	struct ktsched *other; /* another object, which must stay out */
	uint64_t want[16];
	size_t nr_want;
};

static int setup(void **state)
{
	static struct fixtures f;
	struct bpf_map *map;

	if (kt_long_open(&f.lng) || kt_sched_open(&f.other, false))
		return -1;
	bpf_object__for_each_map(map, f.lng->obj) {
		if (f.nr_want == 16)
			return -1;
		f.want[f.nr_want++] = kt_map_id(bpf_map__fd(map));
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixtures *f = *state;

	if (f) {
		kt_long_close(f->lng);
		kt_sched_close(f->other);
	}
	return 0;
}

/* The report holds exactly the fixture's maps, each once. */
static void assert_exactly(const struct fixtures *f, const struct ktsnap_report *r, const char *how)
{
	size_t i, j, n = ktsnap_report__map_count(r);
	bool seen[16] = {};

	for (i = 0; i < n; i++) {
		const struct ktsnap_map *m = ktsnap_report__map_by_index(r, i);

		for (j = 0; j < f->nr_want; j++)
			if (f->want[j] == ktsnap_map__kva(m))
				break;
		if (j == f->nr_want)
			fail_msg("%s: map %s (id %llu) is not the object's", how,
				 ktsnap_map__name(m), (unsigned long long)ktsnap_map__kva(m));
		if (seen[j])
			fail_msg("%s: map %s twice", how, ktsnap_map__name(m));
		seen[j] = true;
	}
	if (n != f->nr_want)
		fail_msg("%s: %zu maps captured, the object has %zu", how, n, f->nr_want);
	/* globals and the maps not named after the object are all there */
	assert_non_null(ktsnap_report__map_by_name(r, "ktlongsc.bss"));
	assert_non_null(ktsnap_report__map_by_name(r, "ktlongsc.data"));
	assert_non_null(ktsnap_report__map_by_name(r, "ktlongsc.rodata"));
	assert_non_null(ktsnap_report__map_by_name(r, "side_counts"));
	assert_non_null(ktsnap_report__map_by_name(r, "long_events"));
}

static void library_option(void **state)
{
	struct fixtures *f = *state;
	static const char *const names[] = { "ktlongsched", "ktlongsc" };
	size_t i, k, n;

	assert_true(f->nr_want >= 5);
	for (i = 0; i < 2; i++) {
		KTSNAP_OPTS(ktsnap_capture_opts, o, .obj = names[i], .maps_only = true);
		struct ktsnap_report *r = NULL;
		const struct ktsnap_prog_runtime_stat *st;
		bool prog = false;

		if (ktsnap_capture(&o, &r))
			fail_msg("--obj %s: %s", names[i], ktsnap_errmsg());
		assert_exactly(f, r, names[i]);
		/* the object's program is found by the same identity */
		st = ktsnap_report__prog_runtime_stats(r, &n);
		for (k = 0; st && k < n; k++)
			prog |= !strcmp(st[k].name, "kt_long_sock");
		assert_true(prog);
		ktsnap_report__free(r);
	}
}

static void wrong_name_lists_objects(void **state)
{
	static const char *const wrong[] = { "ktlongs", "ktlongxyz", "side_counts" };
	size_t i;

	for (i = 0; i < 3; i++) {
		KTSNAP_OPTS(ktsnap_capture_opts, o, .obj = wrong[i], .maps_only = true);
		struct ktsnap_report *r = NULL;
		char want[128];

		assert_int_equal(ktsnap_capture(&o, &r), -ENOENT);
		assert_null(r);
		snprintf(want, sizeof(want), "capture: no BPF object '%s' is loaded", wrong[i]);
		assert_non_null(strstr(ktsnap_errmsg(), want));
		assert_non_null(strstr(ktsnap_errmsg(), "ktlongsc"));
		assert_non_null(strstr(ktsnap_errmsg(), "ktsched"));
	}
}

/* Run the CLI; its stdout+stderr in @out.  Returns the exit status. */
static int run_cli(const char *obj, const char *file, char *out, size_t size)
{
	int pipefd[2], status;
	ssize_t got;
	size_t len = 0;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execl(KTSNAP_CLI, KTSNAP_CLI, "capture", "--obj", obj, "--maps-only", "-o", file,
		      (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (len + 1 < size && (got = read(pipefd[0], out + len, size - len - 1)) > 0)
		len += (size_t)got;
	out[len] = '\0';
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void cli_obj(void **state)
{
	struct fixtures *f = *state;
	static const char *const names[] = { "ktlongsched", "ktlongsc" };
	char file[] = "/tmp/ktsnap-capture-obj-XXXXXX", out[1024];
	int fd = mkstemp(file), i;

	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < 2; i++) {
		struct ktsnap_report *r = NULL;
		FILE *in;

		if (run_cli(names[i], file, out, sizeof(out)))
			fail_msg("ktsnap capture --obj %s failed: %s", names[i], out);
		in = fopen(file, "r");
		assert_non_null(in);
		assert_int_equal(ktsnap_report__read_json(in, &r), 0);
		fclose(in);
		assert_exactly(f, r, names[i]);
		ktsnap_report__free(r);
	}
	assert_int_equal(run_cli("ktlongxyz", file, out, sizeof(out)), 1);
	assert_non_null(strstr(
		out, "no BPF object 'ktlongxyz' is loaded (objects with global-section maps: "));
	assert_non_null(strstr(out, "ktlongsc"));
	unlink(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(library_option),
		cmocka_unit_test(wrong_name_lists_objects),
		cmocka_unit_test(cli_obj),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
