// SPDX-License-Identifier: MIT
/*
 * The live capture plugged into the bridge as its capture callback: a
 * scenario-style capture("after_spawn") through the thread's active
 * bridge captures the running ktsched fixture, and a planted global reads
 * back from the drained report.  A failing live capture stores a
 * placeholder naming the failure.
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
#include <ktsnap/view.h>

#include "live_fixture.h"

static void capture_in_scenario(struct ktsnap_bridge *b, void *ctx)
{
	*(bool *)ctx = ktsnap_bridge__capture(b, "after_spawn");
}

static void live_capture_through_bridge(void **state)
{
	KTSNAP_OPTS(ktsnap_capture_opts, opts, .obj = "ktsched", .maps_only = true);
	struct ktsnap_bridge *b = ktsnap_bridge__new(ktsnap_capture_callback_live, &opts, NULL);
	struct ktsnap_bridge *keep = ktsnap_bridge__ref(b);
	const struct ktsnap_drained_entry *e;
	const struct ktsnap_value *v;
	const struct ktsnap_map *bss;
	struct ktsnap_snapshot snap;
	struct ktsnap_error err;
	struct ktsnap_drain *d;
	bool stored = false;
	uint64_t u = 0;
	char msg[512];

	assert_non_null(b);
	/* As a scenario op would: through the thread's active bridge. */
	{
		KTSNAP_BRIDGE_SCOPE(b);
		assert_true(ktsnap_with_active_bridge(capture_in_scenario, &stored));
	}
	assert_true(stored);
	assert_true(ktsnap_bridge__has(keep, "after_spawn"));
	assert_int_equal(ktsnap_bridge__counts(keep).events, 0);

	d = ktsnap_bridge__drain_ordered(keep);
	assert_int_equal(ktsnap_drain__count(d), 1);
	e = ktsnap_drain__entry(d, 0);
	assert_string_equal(e->tag, "after_spawn");
	if (ktsnap_report__is_placeholder(e->report))
		fail_msg("live capture failed: %s",
			 ktsnap_report__scx_walker_unavailable(e->report));

	/* Through the typed views, as test code reads a drained capture. */
	snap = ktsnap_snapshot__named(e->report, e->tag);
	if (ktsnap_field__as_u64(ktsnap_snapshot__var(snap, "bss_u64_max"), &u, &err)) {
		ktsnap_error__format(&err, msg, sizeof(msg));
		fail_msg("bss_u64_max: %s", msg);
	}
	assert_true(u == UINT64_MAX);

	/* The raw layer agrees. */
	bss = ktsnap_report__map_by_name(e->report, "ktsched.bss");
	assert_non_null(bss);
	v = ktsnap_value__get(ktsnap_map__value(bss), "bss_u64_max");
	assert_non_null(v);
	u = 0;
	assert_int_equal(ktsnap_value__as_u64(v, &u), 0);
	assert_true(u == UINT64_MAX);

	ktsnap_drain__free(d);
	ktsnap_bridge__unref(keep);
}

/* Bad options make ktsnap_capture() fail: the attempt is stored as a
 * placeholder that says why. */
static void failed_live_capture_is_placeholder(void **state)
{
	struct ktsnap_capture_opts opts = { .sz = 1 };
	struct ktsnap_bridge *b = ktsnap_bridge__new(ktsnap_capture_callback_live, &opts, NULL);
	const struct ktsnap_drained_entry *e;
	struct ktsnap_drain *d;
	const char *why;

	assert_non_null(b);
	assert_true(ktsnap_bridge__capture(b, "broken"));
	d = ktsnap_bridge__drain_ordered(b);
	e = ktsnap_drain__entry(d, 0);
	assert_non_null(e);
	assert_true(ktsnap_report__is_placeholder(e->report));
	why = ktsnap_report__scx_walker_unavailable(e->report);
	assert_non_null(why);
	assert_int_equal(strncmp(why, "live capture failed: ", 21), 0);
	assert_true(strlen(why) > 21);
	ktsnap_drain__free(d);
	ktsnap_bridge__unref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(live_capture_through_bridge, live_fixture_setup,
						live_fixture_teardown),
		cmocka_unit_test(failed_live_capture_is_placeholder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
