// SPDX-License-Identifier: MIT
/*
 * The error contract: every failing call of the bridge, kernel-op, stats
 * and diff families records its own detail for ktsnap_errmsg(), so the
 * text never belongs to an earlier failure; texts are whole at any length.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <ktsnap/bridge.h>
#include <ktsnap/diff.h>
#include <ktsnap/json.h>
#include <ktsnap/display.h>
#include <ktsnap/series.h>
#include <ktsnap/temporal.h>
#include <ktsnap/view.h>

static const char bogus[] = "{\"bogus\":1}";

/* Leave a known failure text behind, as a caller's earlier call would. */
static char *plant_stale(void)
{
	struct ktsnap_report *r = NULL;

	assert_true(ktsnap_report__read_json_buf(bogus, strlen(bogus), &r) < 0);
	assert_null(r);
	assert_true(ktsnap_errmsg()[0] != '\0');
	return strdup(ktsnap_errmsg());
}

static void assert_fresh(const char *stale, const char *what)
{
	if (!ktsnap_errmsg()[0] || !strcmp(ktsnap_errmsg(), stale))
		fail_msg("%s left ktsnap_errmsg() at \"%s\"", what, ktsnap_errmsg());
}

static struct ktsnap_report *no_capture(const char *name, void *ctx)
{
	return NULL;
}

static int failing_kop(const struct ktsnap_kernel_op_request *req,
		       struct ktsnap_kernel_op_reply *reply, void *ctx)
{
	return -EFAULT;
}

static int failing_projection(struct ktsnap_snapshot snap, struct ktsnap_series_value *out,
			      void *ctx)
{
	return -EIO;
}

/* The review's reproduction, then the same check for every family. */
static void never_stale(void **state)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(no_capture, NULL, NULL);
	struct ktsnap_kernel_op_value v = {};
	struct ktsnap_kernel_op_target t = {};
	struct ktsnap_kernel_op_request req = {};
	struct ktsnap_kernel_op_reply reply = {};
	struct ktsnap_drain *d;
	struct ktsnap_bridge_events *evs;
	struct ktsnap_report *r = ktsnap_report__new();
	struct ktsnap_diff *diff;
	char *stale = plant_stale(), buf[8];

	assert_non_null(b);
	assert_int_equal(ktsnap_bridge__kernel_op_value(NULL, "t", &v), -EINVAL);
	assert_fresh(stale, "kernel_op_value(NULL)");

#define CHECK(call, what)                  \
	do {                               \
		free(stale);               \
		stale = plant_stale();     \
		call;                      \
		assert_fresh(stale, what); \
	} while (0)

	/* bridge */
	CHECK(assert_int_equal(ktsnap_bridge__kernel_op_value(b, "none", &v), -ENOENT),
	      "kernel_op_value(missing tag)");
	CHECK(assert_false(ktsnap_bridge__capture(b, "x")), "capture without a report");
	CHECK(assert_int_equal(ktsnap_bridge__dispatch_kernel_op(b, &req, &reply), -EOPNOTSUPP),
	      "dispatch without callback");
	ktsnap_bridge__with_kernel_op(b, failing_kop, NULL, NULL);
	CHECK(assert_int_equal(ktsnap_bridge__dispatch_kernel_op(b, &req, &reply), -EFAULT),
	      "dispatch with a failing callback");
	CHECK(assert_null(ktsnap_bridge__cgroup_procs_by_tag(b, "none")), "cgroup_procs_by_tag");
	CHECK(assert_int_equal(ktsnap_bridge_event__format(NULL, buf, sizeof(buf)), -EINVAL),
	      "event format");
	d = ktsnap_bridge__drain(b);
	assert_non_null(d);
	CHECK(assert_null(ktsnap_drain__entry(d, 0)), "drain entry past the end");
	CHECK(assert_null(ktsnap_drain__find(d, "none")), "drain find");
	CHECK(assert_null(ktsnap_drain__take_report(d, 3)), "drain take past the end");
	ktsnap_drain__free(d);
	evs = ktsnap_bridge__drain_events(b);
	CHECK(assert_null(ktsnap_bridge_events__at(evs, 9)), "events at past the end");
	ktsnap_bridge_events__free(evs);
	CHECK(assert_int_equal(ktsnap_bridge__register_watch(b, "s"), -EOPNOTSUPP),
	      "register_watch");
	CHECK(assert_null(ktsnap_kernel_op_log__tag(NULL, 0)), "kernel-op log tag");
	CHECK(assert_null(ktsnap_cgroup_procs_log__at(NULL, 0)), "cgroup log at");

	/* kernel-op payloads */
	CHECK(assert_int_equal(ktsnap_kernel_op_value__copy(NULL, &v), -EINVAL), "value copy");
	CHECK(assert_int_equal(ktsnap_kernel_op_target__set_symbol(&t, NULL), -EINVAL),
	      "target set_symbol");
	CHECK(assert_int_equal(ktsnap_kernel_op_request__add_entry(&req, NULL, &v), -EINVAL),
	      "request add_entry");
	CHECK(assert_int_equal(ktsnap_kernel_op_reply__push_value(NULL, &v), -EINVAL),
	      "reply push_value");

	/* stats */
	CHECK(assert_int_equal(ktsnap_missing_stats__format(NULL, buf, sizeof(buf)), -EINVAL),
	      "missing_stats format");
	CHECK(assert_null(ktsnap_stats__dup(NULL)), "stats dup");

	/* diff */
	CHECK(assert_null(ktsnap_diff__new(r, NULL)), "diff new");
	diff = ktsnap_diff__new(r, r);
	assert_non_null(diff);
	CHECK(assert_null(ktsnap_diff__item(diff, 0)), "diff item past the end");
	CHECK(assert_int_equal(ktsnap_diff__write_text(diff, NULL), -EINVAL), "diff write_text");
	CHECK(assert_int_equal(ktsnap_diff__write_json(NULL, stdout, 0), -EINVAL),
	      "diff write_json");
	ktsnap_diff__free(diff);

	/* series and verdicts */
	{
		struct ktsnap_sample_series *s = ktsnap_sample_series__new();
		struct ktsnap_verdict *v = ktsnap_verdict__new();
		struct ktsnap_sample smp;

		assert_non_null(s);
		assert_non_null(v);
		CHECK(assert_int_equal(ktsnap_sample_series__sample(s, 0, &smp), -ERANGE),
		      "sample past the end");
		CHECK(assert_null(ktsnap_sample_series__read_dir(NULL)), "read_dir(NULL)");
		CHECK(assert_int_equal(ktsnap_sample_series__write_dir(s, NULL), -EINVAL),
		      "write_dir(NULL)");
		CHECK(assert_null(ktsnap_sample_series__map_field(s, NULL, 0, -1, NULL,
								  KTSNAP_SERIES_U64)),
		      "map_field without a map");
		CHECK(assert_null(ktsnap_stats_socket__new(NULL, NULL, 0, 0)),
		      "stats socket(NULL)");
		CHECK(assert_int_equal(ktsnap_verdict__add(v, KTSNAP_VERDICT_NOTE,
							   KTSNAP_DETAIL_OTHER, NULL),
				       -EINVAL),
		      "verdict add(NULL)");
		CHECK(assert_null(ktsnap_verdict__at(v, 3)), "verdict item past the end");
		ktsnap_verdict__free(v);
		ktsnap_sample_series__free(s);
	}

	/* series failures found in their static helpers */
	{
		struct ktsnap_sample_series *s = ktsnap_sample_series__new();
		struct ktsnap_series_field *empty = ktsnap_series_field__new(
			"x", KTSNAP_SERIES_U64, NULL, 0, NULL, 0, NULL, 0, NULL, 0);
		union ktsnap_series_num num;
		char dir[] = "/tmp/ktsnap-errmsg-XXXXXX", path[64];
		FILE *f;

		assert_non_null(s);
		assert_non_null(empty);
		assert_non_null(mkdtemp(dir));
		CHECK(assert_int_equal(ktsnap_series_field__value_at_phase(NULL, 0, &num), -EINVAL),
		      "value_at_phase(NULL)");
		CHECK(assert_int_equal(ktsnap_series_field__first_at_phase(empty, 1, &num),
				       -ENOENT),
		      "first_at_phase without a value");
		CHECK(assert_int_equal(
			      ktsnap_sample_series__push(s, NULL, NULL, NULL, NULL, NULL, NULL),
			      -EINVAL),
		      "push(NULL)");
		CHECK(assert_null(ktsnap_sample_series__bpf(s, "x", KTSNAP_SERIES_U64, NULL, NULL)),
		      "bpf without a projection");
		CHECK(assert_null(ktsnap_sample_series__bpf_live(NULL, "x", KTSNAP_SERIES_U64)),
		      "bpf_live(NULL)");
		assert_int_equal(ktsnap_sample_series__push(s, "periodic_000", ktsnap_report__new(),
							    NULL, NULL, NULL, NULL),
				 0);
		CHECK(assert_null(ktsnap_sample_series__bpf(s, "x", KTSNAP_SERIES_U64,
							    failing_projection, NULL)),
		      "a projection that fails");
		assert_non_null(strstr(ktsnap_errmsg(), "periodic_000"));
		CHECK(assert_null(ktsnap_sample_series__read_dir(dir)), "read_dir of an empty dir");
		snprintf(path, sizeof(path), "%s/series.json", dir);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs("{\"samples\": 3}", f);
		fclose(f);
		CHECK(assert_null(ktsnap_sample_series__read_dir(dir)), "read_dir of a bad index");
		assert_int_equal(unlink(path), 0);
		assert_int_equal(rmdir(dir), 0);
		CHECK(assert_int_equal(ktsnap_sample_series__write_dir(s, dir), -ENOENT),
		      "write_dir into a missing dir");
		ktsnap_series_field__free(empty);
		ktsnap_sample_series__free(s);
	}

	/* the report model, the value layer, the display and the views */
	{
		struct ktsnap_snapshot snap = ktsnap_snapshot__new(r);
		struct ktsnap_map_view mv;
		struct ktsnap_field fld;
		struct ktsnap_error e;
		uint64_t u;

		CHECK(assert_null(ktsnap_report__map_by_name(r, "none")), "map_by_name miss");
		CHECK(assert_null(ktsnap_report__map_by_index(r, 5)), "map_by_index past the end");
		CHECK(assert_null(ktsnap_map__entry(NULL, 0)), "map entry of no map");
		CHECK(assert_int_equal(ktsnap_value__as_u64(NULL, &u), -EINVAL), "value as_u64");
		CHECK(assert_int_equal(ktsnap_value__format(NULL, buf, sizeof(buf)), -EINVAL),
		      "value format");
		CHECK(assert_int_equal(ktsnap_error__format(NULL, buf, sizeof(buf)), -EINVAL),
		      "error format");
		CHECK(mv = ktsnap_snapshot__map(snap, "none"), "view map miss");
		assert_int_equal(mv.err.kind, KTSNAP_ERR_MAP_NOT_FOUND);
		assert_non_null(strstr(ktsnap_errmsg(), "MAP_NOT_FOUND"));
		CHECK(fld = ktsnap_snapshot__var(snap, "none"), "view var miss");
		e = fld.err;
		assert_int_equal(e.kind, KTSNAP_ERR_VAR_NOT_FOUND);
	}
#undef CHECK

	free(stale);
	ktsnap_report__free(r);
	ktsnap_bridge__unref(b);
}

/* A spec text with a long label arrives whole, and a short one after it too. */
static void long_text_is_whole(void **state)
{
	static _Atomic uint64_t seqno = 1;
	static _Atomic uint8_t st = KTSNAP_ACCESSOR_FAILED_PERMANENTLY;
	static const char tail[] =
		": accessor-init worker exited (FAILED_PERMANENTLY) before this "
		"op could run \u2014 check freeze-coord 'vmm-accessor-init' logs "
		"for ELF parse or boot-budget failures";
	struct ktsnap_bridge *b = ktsnap_bridge__new(no_capture, NULL, NULL);
	char label[3001], *want;
	int efd = 0; /* stdin: only dup'd, never read (the state is terminal) */

	memset(label, 'L', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	assert_ptr_equal(ktsnap_bridge__with_accessor_state(b, &seqno, &st, efd), b);
	assert_int_equal(ktsnap_bridge__wait_for_worker_state_not_trying(b, 0, label), -ESRCH);
	assert_true(asprintf(&want, "%s%s", label, tail) > 0);
	assert_int_equal(strlen(ktsnap_errmsg()), strlen(want));
	assert_string_equal(ktsnap_errmsg(), want);
	free(want);

	assert_int_equal(ktsnap_bridge__wait_for_worker_state_not_trying(b, 0, "Op::X"), -ESRCH);
	assert_true(asprintf(&want, "Op::X%s", tail) > 0);
	assert_string_equal(ktsnap_errmsg(), want);
	free(want);
	ktsnap_bridge__unref(b);
}

/*
 * The detail is per thread: a failure on one thread never shows on
 * another.  The thread's long text is freed when it exits (the leak
 * checker of the sanitizer build would see it otherwise).
 */
static void *fail_elsewhere(void *p)
{
	static _Atomic uint64_t seqno = 1;
	static _Atomic uint8_t st = KTSNAP_ACCESSOR_FAILED_PERMANENTLY;
	struct ktsnap_bridge *b = ktsnap_bridge__new(no_capture, NULL, NULL);
	char label[2000];

	memset(label, 'T', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	if (!b || ktsnap_bridge__with_accessor_state(b, &seqno, &st, 0) != b ||
	    ktsnap_bridge__wait_for_worker_state_not_trying(b, 0, label) != -ESRCH ||
	    strlen(ktsnap_errmsg()) < sizeof(label)) {
		ktsnap_bridge__unref(b);
		return NULL;
	}
	ktsnap_bridge__unref(b);
	ktsnap_bridge__register_watch(NULL, "x");
	return strdup(ktsnap_errmsg());
}

static void per_thread(void **state)
{
	char *stale = plant_stale(), *theirs = NULL;
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, fail_elsewhere, NULL), 0);
	pthread_join(t, (void **)&theirs);
	assert_non_null(theirs);
	assert_string_equal(theirs, "register_watch needs a bridge and a symbol");
	assert_string_equal(ktsnap_errmsg(), stale);
	free(theirs);
	free(stale);
}

/* Every indexed getter words a miss the same way, and sets ERANGE. */
static void past_the_end(void **state)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(no_capture, NULL, NULL);
	struct ktsnap_report *r = ktsnap_report__new();
	struct ktsnap_drain *d = ktsnap_bridge__drain(b);
	struct ktsnap_bridge_events *evs = ktsnap_bridge__drain_events(b);
	struct ktsnap_diff *diff = ktsnap_diff__new(r, r);

	assert_non_null(d);
	assert_non_null(evs);
	assert_non_null(diff);
#define MISS(call, text)                                    \
	do {                                                \
		errno = 0;                                  \
		assert_null(call);                          \
		assert_int_equal(errno, ERANGE);            \
		assert_string_equal(ktsnap_errmsg(), text); \
	} while (0)
	MISS(ktsnap_drain__entry(d, 0), "drain entry 0 out of range (length 0)");
	MISS(ktsnap_drain__take_report(d, 3), "drain entry 3 out of range (length 0)");
	MISS(ktsnap_bridge_events__at(evs, 9), "event 9 out of range (length 0)");
	MISS(ktsnap_diff__item(diff, 1), "diff item 1 out of range (length 0)");
	MISS(ktsnap_report__map_by_index(r, 5), "map index 5 out of range (length 0)");
	MISS(ktsnap_kernel_op_log__tag(NULL, 2), "kernel-op log record 2 out of range (length 0)");
	MISS(ktsnap_cgroup_procs_log__at(NULL, 0),
	     "cgroup.procs log record 0 out of range (length 0)");
#undef MISS
	ktsnap_diff__free(diff);
	ktsnap_bridge_events__free(evs);
	ktsnap_drain__free(d);
	ktsnap_report__free(r);
	ktsnap_bridge__unref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(never_stale),
		cmocka_unit_test(long_text_is_whole),
		cmocka_unit_test(per_thread),
		cmocka_unit_test(past_the_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
