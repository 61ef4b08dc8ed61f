// SPDX-License-Identifier: MIT
/*
 * A runaway loop of 100 000 unique-tag captures (spec §1: the caps exist
 * for exactly this).  The bridge must never hold more than 64 reports or
 * 1024 events; every evicted report is freed (the leak checker of the
 * ASan build fails the test otherwise); the truncation marker counts what
 * the event log dropped.
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

#define RUNAWAY 100000

struct counter {
	unsigned long captures;
};

static struct ktsnap_report *counting_capture(const char *name, void *ctx)
{
	((struct counter *)ctx)->captures++;
	return ktsnap_report__new();
}

static void runaway_captures_stay_bounded(void **state)
{
	struct counter c = {};
	struct ktsnap_bridge *b = ktsnap_bridge__new(counting_capture, &c, NULL);
	struct ktsnap_bridge_events *evs;
	const struct ktsnap_bridge_event *ev;
	struct ktsnap_drain *d;
	size_t max_len = 0, max_events = 0, n;
	char tag[32];
	int i;

	assert_non_null(b);
	for (i = 0; i < RUNAWAY; i++) {
		snprintf(tag, sizeof(tag), "loop_%06d", i);
		assert_true(ktsnap_bridge__capture(b, tag));
		n = ktsnap_bridge__len(b);
		if (n > max_len)
			max_len = n;
		n = ktsnap_bridge__counts(b).events;
		if (n > max_events)
			max_events = n;
	}
	assert_int_equal(c.captures, RUNAWAY);
	assert_int_equal(max_len, KTSNAP_MAX_STORED_SNAPSHOTS);
	assert_int_equal(max_events, KTSNAP_MAX_STORED_EVENTS);

	/* Evictions: one per capture past the 64th; the log kept the last
	 * 1024 of them and counted the rest. */
	evs = ktsnap_bridge__drain_events(b);
	assert_int_equal(ktsnap_bridge_events__count(evs), KTSNAP_MAX_STORED_EVENTS + 1);
	ev = ktsnap_bridge_events__at(evs, KTSNAP_MAX_STORED_EVENTS - 1);
	assert_int_equal(ev->kind, KTSNAP_BRIDGE_EVENT_EVICTION);
	assert_string_equal(ev->evicted_tag, "loop_099935");
	assert_string_equal(ev->new_tag, "loop_099999");
	ev = ktsnap_bridge_events__at(evs, KTSNAP_MAX_STORED_EVENTS);
	assert_int_equal(ev->kind, KTSNAP_BRIDGE_EVENT_EVENT_LOG_TRUNCATED);
	assert_int_equal(ev->dropped_count,
			 RUNAWAY - KTSNAP_MAX_STORED_SNAPSHOTS - KTSNAP_MAX_STORED_EVENTS);
	ktsnap_bridge_events__free(evs);

	d = ktsnap_bridge__drain_ordered(b);
	assert_int_equal(ktsnap_drain__count(d), KTSNAP_MAX_STORED_SNAPSHOTS);
	assert_string_equal(ktsnap_drain__entry(d, 0)->tag, "loop_099936");
	assert_string_equal(ktsnap_drain__entry(d, 63)->tag, "loop_099999");
	ktsnap_drain__free(d);
	ktsnap_bridge__unref(b);
}

/* Same with placeholders (each carries a 64 KiB arena chunk): the
 * resident set is bounded by 64 of them, not by the loop length. */
static struct ktsnap_report *placeholder_capture(const char *name, void *ctx)
{
	return ktsnap_report__placeholder("rendezvous timed out");
}

static void runaway_placeholders_freed(void **state)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(placeholder_capture, NULL, NULL);
	char tag[32];
	int i;

	assert_non_null(b);
	for (i = 0; i < RUNAWAY / 10; i++) {
		snprintf(tag, sizeof(tag), "periodic_%03d", i % 1000);
		assert_true(ktsnap_bridge__capture(b, tag));
		assert_true(ktsnap_bridge__len(b) <= KTSNAP_MAX_STORED_SNAPSHOTS);
	}
	assert_int_equal(ktsnap_bridge__periodic_real_count(b), 0);
	ktsnap_bridge__unref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runaway_captures_stay_bounded),
		cmocka_unit_test(runaway_placeholders_freed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
