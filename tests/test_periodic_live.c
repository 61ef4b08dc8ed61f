// SPDX-License-Identifier: MIT
/*
 * Periodic capture end to end on the live host (spec §8.1–§8.5): the
 * ktsched fixture runs attached, a periodic run captures it 5 times on its
 * own thread while this thread keeps the CPUs switching, and the drained
 * series feeds temporal patterns.  Assertions are on outcomes only
 * (every boundary fired and carried real state; the switch counter never
 * went down; an impossible rate band fails with the spec's message).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <ktsnap/bridge.h>
#include <ktsnap/capture.h>
#include <ktsnap/series.h>
#include <ktsnap/temporal.h>

#include "live_fixture.h"
#include "periodic_read.h"

static void periodic_beside_workload(void **state)
{
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .obj = "ktsched", .maps_only = true);
	struct ktsnap_bridge *b = ktsnap_bridge__new(ktsnap_capture_callback_live, &copts, NULL);
	struct ktsnap_periodic_opts o = {
		.sz = sizeof(o),
		.num_snapshots = 5,
		.duration_ns = 2000000000ULL,
		.capture = ktsnap_capture_callback_live,
		.capture_ctx = &copts,
	};
	struct periodic_read r;
	struct ktsnap_periodic *p;
	size_t i, fails;

	(void)state;
	assert_non_null(b);
	p = ktsnap_periodic__new(b, &o);
	assert_non_null(p);
	assert_int_equal(ktsnap_periodic__start(p), 0);
	/* the workload: keep switching until every boundary has been serviced */
	while (ktsnap_periodic__fired(p) < ktsnap_periodic__target(p))
		kt_sched_tick();
	assert_int_equal(ktsnap_periodic__join(p), 0);
	assert_int_equal(ktsnap_periodic__fired(p), 5);
	assert_false(ktsnap_periodic__abandoned(p));
	assert_int_equal(ktsnap_bridge__periodic_real_count(b), 5);
	assert_int_equal(ktsnap_periodic__default_check(b), 0);
	ktsnap_periodic__free(p);

	periodic_read_open(&r, b, 5, "nr_switches", KTSNAP_SERIES_U64);
	for (i = 0; i < 5; i++) {
		const struct ktsnap_series_value *x = ktsnap_series_field__value(r.f, i);
		char msg[512] = "";

		if (!x->ok) {
			ktsnap_error__format(&x->err, msg, sizeof(msg));
			fprintf(stderr, "%s: %s\n", ktsnap_series_field__tag(r.f, i), msg);
		}
		assert_true(x->ok);
		assert_true(x->v.u64 > 0);
		if (i)
			assert_true(ktsnap_series_field__elapsed_ms(r.f, i) >=
				    ktsnap_series_field__elapsed_ms(r.f, i - 1));
	}
	ktsnap_series_field__nondecreasing(r.f, r.v);
	assert_true(ktsnap_verdict__passed(r.v));
	ktsnap_series_field__rate_within(r.f, r.v, 1e12, 2e12);
	assert_false(ktsnap_verdict__passed(r.v));
	fails = 0;
	for (i = 0; i < ktsnap_verdict__count(r.v); i++) {
		const struct ktsnap_verdict_item *it = ktsnap_verdict__at(r.v, i);

		if (it->outcome != KTSNAP_VERDICT_FAIL)
			continue;
		fails++;
		assert_non_null(strstr(it->message, "nr_switches (rate_within [1000000000000, "
						    "2000000000000]): rate "));
		assert_non_null(strstr(it->message, "/ms between samples periodic_00"));
	}
	assert_true(fails >= 1);
	periodic_read_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(periodic_beside_workload),
	};

	return cmocka_run_group_tests(tests, live_fixture_setup, live_fixture_teardown);
}
