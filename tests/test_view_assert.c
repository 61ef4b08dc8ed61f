// SPDX-License-Identifier: MIT
/*
 * The assertion helpers of <ktsnap/assert.h> in a plain program (no
 * cmocka): failure messages carry the snapshot name, the path, both
 * values in their own types or the lookup error, and KTSNAP_ASSERT_*
 * exits non-zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ktsnap/assert.h>
#include "report_builder.h"

static int failures;

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                     \
		}                                                                       \
	} while (0)

/* Run @fn with stderr captured; returns the text (static buffer). */
static const char *capture_stderr(bool (*fn)(void *), void *arg, bool *ret)
{
	static char buf[8192];
	char path[] = "/tmp/ktsnap-assert-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	fflush(stderr);
	dup2(fd, 2);
	*ret = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return buf;
}

struct ctx {
	struct ktsnap_snapshot snap;
	struct ktsnap_entry entry;
};

static bool i64_mismatch(void *p)
{
	struct ctx *c = p;

	return KTSNAP_CHECK_I64(c->snap, c->entry, "neg", ==, -41);
}

static bool u64_lookup_fails(void *p)
{
	struct ctx *c = p;

	return KTSNAP_CHECK_U64(c->snap, c->entry, "ctx.wieght", ==, 100);
}

static bool var_ok(void *p)
{
	struct ctx *c = p;

	return KTSNAP_CHECK_U64(c->snap, c->snap, "nr_cpus_onln", >=, 1) &&
	       KTSNAP_CHECK_I64(c->snap, c->entry, "neg", <, 0) &&
	       KTSNAP_CHECK_F64(c->snap, c->entry, "util", ==, 0.5) &&
	       KTSNAP_CHECK_BOOL(c->snap, c->entry, "busy", true) &&
	       KTSNAP_CHECK_STR(c->snap, c->entry, "policy", "KT_POLICY_BATCH") &&
	       KTSNAP_CHECK_PRESENT(c->snap, c->entry, "ctx.weight");
}

static bool str_mismatch(void *p)
{
	struct ctx *c = p;

	return KTSNAP_CHECK_STR(c->snap, c->entry, "policy", "KT_POLICY_NORMAL");
}

static bool f64_mismatch(void *p)
{
	struct ctx *c = p;

	return KTSNAP_CHECK_F64(c->snap, ktsnap_entry__get(c->entry, ""), "util", >, 0.75);
}

int main(void)
{
	struct ktsnap_report *r = ktsnap_report__new();
	struct ktsnap_value *v = ktsnap_value_new_struct(r, "kt_task_ctx", 5);
	struct ctx c;
	const char *out;
	bool ok;
	pid_t pid;
	int status;

	rb_global(r, "kt.bss", 0, rb_struct(r, NULL, "nr_cpus_onln", 4ull, NULL));
	*ktsnap_member_slot(v, 0, "neg") = rb_int(32, -42);
	*ktsnap_member_slot(v, 1, "ctx") = *rb_struct(r, "kt_sched_ctx", "weight", 100ull, NULL);
	*ktsnap_member_slot(v, 2, "util") = rb_float(0.5);
	*ktsnap_member_slot(v, 3, "busy") = rb_bool(true);
	*ktsnap_member_slot(v, 4, "policy") = rb_enum(r, 32, false, 3, "KT_POLICY_BATCH");
	rb_global(r, "single", 0, v);
	c.snap = ktsnap_snapshot__named(r, "after_spawn");
	c.entry = ktsnap_map_view__at(ktsnap_snapshot__map(c.snap, "single"), 0);

	out = capture_stderr(var_ok, &c, &ok);
	CHECK(ok);
	CHECK(!*out);

	out = capture_stderr(i64_mismatch, &c, &ok);
	CHECK(!ok);
	CHECK(strstr(out, "test_view_assert.c:"));
	CHECK(strstr(out, "  snapshot: after_spawn\n"));
	CHECK(strstr(out, "  path:     neg (from c->entry)\n"));
	CHECK(strstr(out, "  expected: == -41 (i64)\n"));
	CHECK(strstr(out, "  actual:   -42 (i64)\n"));

	out = capture_stderr(u64_lookup_fails, &c, &ok);
	CHECK(!ok);
	CHECK(strstr(out, "  expected: == 100 (u64)\n"));
	CHECK(strstr(out, "  error:    path 'ctx.wieght': component 'wieght' (after walking "
			  "'ctx') not found (members at this depth: [\"weight\"])\n"));

	out = capture_stderr(str_mismatch, &c, &ok);
	CHECK(!ok);
	CHECK(strstr(out, "  expected: == \"KT_POLICY_NORMAL\" (str)\n"
			  "  actual:   \"KT_POLICY_BATCH\" (str)\n"));

	out = capture_stderr(f64_mismatch, &c, &ok);
	CHECK(!ok);
	CHECK(strstr(out, "  expected: > 0.75 (f64)\n  actual:   0.5 (f64)\n"));

	/* KTSNAP_ASSERT_* ends a plain program with a failure status */
	fflush(stdout);
	pid = fork();
	if (!pid) {
		int devnull = open("/dev/null", 0);

		dup2(devnull, 2);
		KTSNAP_ASSERT_U64(c.snap, c.snap, "nr_cpus_onln", ==, 4);
		KTSNAP_ASSERT_U64(c.snap, c.snap, "nr_cpus_onln", ==, 5);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == EXIT_FAILURE);

	ktsnap_report__free(r);
	printf("%s\n", failures ? "FAIL" : "ok");
	return failures ? 1 : 0;
}
