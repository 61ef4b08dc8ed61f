// SPDX-License-Identifier: MIT
/*
 * SnapshotBridge with fake callbacks (spec §5, FEATURES F01–F38): storage,
 * FIFO cap, metadata, drains, events, logs, watches, thread-local
 * installation and the accessor waits.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include <ktsnap/bridge.h>

#include "report_internal.h"

/* ---- fake capture callback -------------------------------------------------- */
enum fake_mode { FAKE_REPORT, FAKE_ABSENT, FAKE_PLACEHOLDER };

struct fake {
	enum fake_mode mode;
	int calls;
	char last[64];
	int freed;
};

static struct ktsnap_report *fake_capture(const char *name, void *ctx)
{
	struct fake *f = ctx;

	f->calls++;
	snprintf(f->last, sizeof(f->last), "%s", name);
	switch (f->mode) {
	case FAKE_REPORT:
		return ktsnap_report__new();
	case FAKE_PLACEHOLDER:
		return ktsnap_report__placeholder("rendezvous timed out");
	case FAKE_ABSENT:
		break;
	}
	return NULL;
}

static void fake_free(void *ctx)
{
	((struct fake *)ctx)->freed++;
}

static struct ktsnap_report *report_with_schema(const char *schema)
{
	struct ktsnap_report *r = ktsnap_report__new();

	assert_non_null(r);
	r->schema = schema;
	return r;
}

static struct ktsnap_bridge *new_bridge(struct fake *f)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(fake_capture, f, NULL);

	assert_non_null(b);
	return b;
}

/*
 * Most tests run on a fresh bridge over the fake callback: the fixture
 * builds it (bridge_setup_absent: a callback that captures nothing) and
 * drops it after the test, so a test starts from its first step.
 */
struct bridge_fx {
	struct fake f;
	struct ktsnap_bridge *b;
};

static int fx_setup(void **state, enum fake_mode mode)
{
	struct bridge_fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->f.mode = mode;
	fx->b = ktsnap_bridge__new(fake_capture, &fx->f, NULL);
	if (!fx->b) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int bridge_setup(void **state)
{
	return fx_setup(state, FAKE_REPORT);
}

static int bridge_setup_absent(void **state)
{
	return fx_setup(state, FAKE_ABSENT);
}

static int bridge_teardown(void **state)
{
	struct bridge_fx *fx = *state;

	ktsnap_bridge__unref(fx->b);
	free(fx);
	return 0;
}

/* Drain @b's events into *@evs: there must be @n, the first of kind @kind
 * (returned). */
static const struct ktsnap_bridge_event *drain_events_first(struct ktsnap_bridge *b,
							    struct ktsnap_bridge_events **evs,
							    size_t n,
							    enum ktsnap_bridge_event_kind kind)
{
	const struct ktsnap_bridge_event *ev;

	*evs = ktsnap_bridge__drain_events(b);
	assert_int_equal(ktsnap_bridge_events__count(*evs), n);
	ev = ktsnap_bridge_events__at(*evs, 0);
	assert_non_null(ev);
	assert_int_equal(ev->kind, kind);
	return ev;
}

static void store_new(struct ktsnap_bridge *b, const char *tag)
{
	assert_int_equal(ktsnap_bridge__store(b, tag, ktsnap_report__new()), 0);
}

/* Tags of a drain, joined with ','. */
static void drain_tags(const struct ktsnap_drain *d, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < ktsnap_drain__count(d); i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "",
					ktsnap_drain__entry(d, i)->tag);
}

/* drain_ordered() gives exactly the tags @want ("a,b,c"). */
static void assert_drain_ordered(struct ktsnap_bridge *b, const char *want)
{
	struct ktsnap_drain *d = ktsnap_bridge__drain_ordered(b);
	char tags[256];

	assert_non_null(d);
	drain_tags(d, tags, sizeof(tags));
	assert_string_equal(tags, want);
	ktsnap_drain__free(d);
}

/* A drained-with-stats entry stored without metadata: the
 * NoSchedulerBinary reason and no optional slot. */
static void assert_no_metadata(const struct ktsnap_drained_entry *e)
{
	assert_non_null(e);
	assert_false(e->stats->ok);
	assert_int_equal(e->stats->missing.kind, KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY);
	assert_false(e->meta.has_elapsed_ms);
	assert_false(e->meta.has_boundary_offset_ms);
	assert_false(e->meta.has_step_index);
}

static size_t count_events(struct ktsnap_bridge_events *evs, enum ktsnap_bridge_event_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < ktsnap_bridge_events__count(evs); i++)
		if (ktsnap_bridge_events__at(evs, i)->kind == kind)
			n++;
	return n;
}

/* ---- F08 / F22: construction and debug rendering ---------------------------------- */
static void construction_defaults(void **state)
{
	struct fake f = {};
	struct ktsnap_bridge *b = ktsnap_bridge__new(fake_capture, &f, fake_free);
	struct ktsnap_bridge_counts c;
	char *dbg;

	assert_non_null(b);
	assert_int_equal(ktsnap_bridge__len(b), 0);
	assert_true(ktsnap_bridge__is_empty(b));
	c = ktsnap_bridge__counts(b);
	assert_int_equal(c.len, 0);
	assert_int_equal(c.periodic_real, 0);
	assert_int_equal(c.watches, 0);
	assert_int_equal(c.events, 0);
	assert_int_equal(c.publish_seqno, 0);
	for (size_t i = 0; i < sizeof(c.reserved) / sizeof(c.reserved[0]); i++)
		assert_int_equal(c.reserved[i], 0);
	dbg = ktsnap_bridge__debug_string(b);
	assert_string_equal(dbg, "SnapshotBridge { snapshots: 0, watch_count: 0, capture: "
				 "\"<callback>\", register_watch: \"<none>\" }");
	free(dbg);
	assert_int_equal(f.calls, 0);
	ktsnap_bridge__unref(b);
	assert_int_equal(f.freed, 1);

	assert_null(ktsnap_bridge__new(NULL, NULL, NULL));
	assert_int_equal(errno, EINVAL);
	ktsnap_bridge__unref(NULL);
}

static int ok_watch(const char *symbol, char **err, void *ctx)
{
	if (ctx)
		(*(int *)ctx)++;
	return 0;
}

static void debug_string(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	char *dbg;

	ktsnap_bridge__with_watch_register(b, ok_watch, NULL, NULL);
	store_new(b, "a");
	store_new(b, "b");
	assert_int_equal(ktsnap_bridge__register_watch(b, "jiffies"), 0);
	dbg = ktsnap_bridge__debug_string(b);
	assert_string_equal(dbg, "SnapshotBridge { snapshots: 2, watch_count: 1, capture: "
				 "\"<callback>\", register_watch: \"<callback>\" }");
	free(dbg);
}

/* ---- F09 / F10 / F11: capture ----------------------------------------------------------- */
static void capture_success(void **state)
{
	struct bridge_fx *fx = *state;
	struct ktsnap_bridge *b = fx->b;
	struct ktsnap_drain *d;

	assert_true(ktsnap_bridge__capture(b, "a"));
	assert_int_equal(fx->f.calls, 1);
	assert_string_equal(fx->f.last, "a");
	assert_true(ktsnap_bridge__has(b, "a"));
	assert_false(ktsnap_bridge__has(b, "b"));
	assert_int_equal(ktsnap_bridge__len(b), 1);
	assert_false(ktsnap_bridge__is_empty(b));
	assert_int_equal(ktsnap_bridge__counts(b).events, 0);

	d = ktsnap_bridge__drain(b);
	assert_int_equal(ktsnap_drain__count(d), 1);
	assert_false(ktsnap_bridge__has(b, "a"));
	ktsnap_drain__free(d);
}

static void capture_unavailable(void **state)
{
	struct bridge_fx *fx = *state;
	struct ktsnap_bridge *b = fx->b;
	struct ktsnap_bridge_events *evs;
	const struct ktsnap_bridge_event *ev;

	assert_false(ktsnap_bridge__capture(b, "a"));
	assert_int_equal(fx->f.calls, 1);
	assert_int_equal(ktsnap_bridge__len(b), 0);
	assert_false(ktsnap_bridge__has(b, "a"));
	assert_int_equal(ktsnap_bridge__counts(b).events, 1);

	ev = drain_events_first(b, &evs, 1, KTSNAP_BRIDGE_EVENT_CAPTURE_UNAVAILABLE);
	assert_string_equal(ev->tag, "a");
	assert_true(ktsnap_bridge_event__equal(
		ev, &(struct ktsnap_bridge_event){ .kind = KTSNAP_BRIDGE_EVENT_CAPTURE_UNAVAILABLE,
						   .tag = "a" }));
	assert_null(ktsnap_bridge_events__at(evs, 1));
	ktsnap_bridge_events__free(evs);
}

static void capture_with_step(void **state)
{
	struct bridge_fx *fx = *state;
	struct ktsnap_bridge *b = fx->b;
	const struct ktsnap_drained_entry *e;
	struct ktsnap_drain *d;

	assert_true(ktsnap_bridge__capture_with_step(b, "a", 3));
	d = ktsnap_bridge__drain_ordered_with_stats(b);
	assert_int_equal(ktsnap_drain__count(d), 1);
	e = ktsnap_drain__entry(d, 0);
	assert_string_equal(e->tag, "a");
	assert_non_null(e->report);
	assert_true(e->meta.has_step_index);
	assert_int_equal(e->meta.step_index, 3);
	assert_non_null(e->stats);
	assert_false(e->stats->ok);
	assert_int_equal(e->stats->missing.kind, KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY);
	assert_false(e->meta.has_elapsed_ms);
	assert_false(e->meta.has_boundary_offset_ms);
	ktsnap_drain__free(d);

	/* An absent capture with a step stores nothing either. */
	fx->f.mode = FAKE_ABSENT;
	assert_false(ktsnap_bridge__capture_with_step(b, "b", 1));
	assert_int_equal(ktsnap_bridge__len(b), 0);
	assert_int_equal(ktsnap_bridge__counts(b).events, 1);
}

/* ---- F12 / F13: store and metadata -------------------------------------------------------- */
static void store_no_metadata(void **state)
{
	struct bridge_fx *fx = *state;
	struct ktsnap_bridge *b = fx->b;
	const struct ktsnap_drained_entry *e;
	struct ktsnap_drain *d;

	store_new(b, "a");
	assert_int_equal(fx->f.calls, 0);
	d = ktsnap_bridge__drain_ordered_with_stats(b);
	e = ktsnap_drain__entry(d, 0);
	assert_string_equal(e->tag, "a");
	assert_no_metadata(e);
	ktsnap_drain__free(d);

	/* Bad arguments still take (free) the report. */
	assert_int_equal(ktsnap_bridge__store(b, NULL, ktsnap_report__new()), -EINVAL);
	assert_int_equal(ktsnap_bridge__store(b, "x", NULL), -EINVAL);
	assert_int_equal(ktsnap_bridge__store(NULL, "x", ktsnap_report__new()), -EINVAL);
	assert_int_equal(ktsnap_bridge__len(b), 0);
}

static void store_with_stats_and_step(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	struct ktsnap_stats stats = ktsnap_stats_json("{\"nr_dispatched\":12}");
	struct ktsnap_stats missing = {
		.missing = { .kind = KTSNAP_MISSING_STATS_SCHEDULER_ERROR,
			     .err = -2,
			     .args_json = "{\"target\":\"top\"}" },
	};
	const struct ktsnap_drained_entry *e;
	struct ktsnap_drain *d;
	uint64_t elapsed = 100, boundary = 3000, elapsed2 = 7;
	char json[32];

	/* The stats are deep-copied: the caller's buffer may change after. */
	snprintf(json, sizeof(json), "{\"x\":1}");
	assert_int_equal(ktsnap_bridge__store_with_stats_and_step(b, "p", ktsnap_report__new(),
								  &stats, &elapsed, &boundary, 2),
			 0);
	assert_int_equal(
		ktsnap_bridge__store_with_stats(b, "q", ktsnap_report__new(), &missing, &elapsed2),
		0);
	stats.json = json;
	assert_int_equal(
		ktsnap_bridge__store_with_stats(b, "r", ktsnap_report__new(), &stats, NULL), 0);
	json[5] = '2';

	d = ktsnap_bridge__drain_ordered_with_stats(b);
	assert_int_equal(ktsnap_drain__count(d), 3);
	e = ktsnap_drain__entry(d, 0);
	assert_string_equal(e->tag, "p");
	assert_true(e->stats->ok);
	assert_string_equal(e->stats->json, "{\"nr_dispatched\":12}");
	assert_true(e->meta.has_elapsed_ms);
	assert_int_equal(e->meta.elapsed_ms, 100);
	assert_true(e->meta.has_boundary_offset_ms);
	assert_int_equal(e->meta.boundary_offset_ms, 3000);
	assert_true(e->meta.has_step_index);
	assert_int_equal(e->meta.step_index, 2);

	e = ktsnap_drain__entry(d, 1);
	assert_string_equal(e->tag, "q");
	assert_false(e->stats->ok);
	assert_true(ktsnap_missing_stats__equal(&e->stats->missing, &missing.missing));
	assert_int_equal(e->meta.elapsed_ms, 7);
	assert_false(e->meta.has_boundary_offset_ms);
	assert_false(e->meta.has_step_index);

	e = ktsnap_drain__entry(d, 2);
	assert_string_equal(e->stats->json, "{\"x\":1}");
	assert_false(e->meta.has_elapsed_ms);
	ktsnap_drain__free(d);
}

/* ---- F14 / F15: overwrite ---------------------------------------------------------------- */
static void overwrite_moves_to_back(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	struct ktsnap_report *second = report_with_schema("single");
	struct ktsnap_bridge_events *evs;
	const struct ktsnap_bridge_event *ev;
	struct ktsnap_drain *d;
	char tags[64];

	assert_int_equal(ktsnap_bridge__store(b, "a", report_with_schema("degraded")), 0);
	store_new(b, "b");
	assert_int_equal(ktsnap_bridge__store(b, "a", second), 0);
	assert_int_equal(ktsnap_bridge__len(b), 2);

	ev = drain_events_first(b, &evs, 1, KTSNAP_BRIDGE_EVENT_OVERWRITE);
	assert_string_equal(ev->tag, "a");
	/* The schema of the report that was replaced, not of the new one. */
	assert_string_equal(ev->prior_schema, "degraded");
	assert_int_equal(count_events(evs, KTSNAP_BRIDGE_EVENT_EVICTION), 0);
	ktsnap_bridge_events__free(evs);

	d = ktsnap_bridge__drain_ordered(b);
	drain_tags(d, tags, sizeof(tags));
	assert_string_equal(tags, "b,a");
	assert_ptr_equal(ktsnap_drain__entry(d, 1)->report, second);
	/* drain_ordered discards metadata. */
	assert_null(ktsnap_drain__entry(d, 1)->stats);
	ktsnap_drain__free(d);
}

static void overwrite_at_cap_does_not_evict(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	struct ktsnap_bridge_events *evs;
	char tag[16];
	int i;

	for (i = 0; i < KTSNAP_MAX_STORED_SNAPSHOTS; i++) {
		snprintf(tag, sizeof(tag), "t%d", i);
		store_new(b, tag);
	}
	store_new(b, "t0");
	assert_int_equal(ktsnap_bridge__len(b), 64);
	assert_true(ktsnap_bridge__has(b, "t0"));
	evs = ktsnap_bridge__drain_events(b);
	assert_int_equal(ktsnap_bridge_events__count(evs), 1);
	assert_int_equal(count_events(evs, KTSNAP_BRIDGE_EVENT_OVERWRITE), 1);
	ktsnap_bridge_events__free(evs);

	/* t0 is now the newest, so the next new tag evicts t1. */
	store_new(b, "t64");
	assert_true(ktsnap_bridge__has(b, "t0"));
	assert_false(ktsnap_bridge__has(b, "t1"));
}

static void overwrite_resets_metadata(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	struct ktsnap_stats j = ktsnap_stats_json("{\"a\":1}");
	struct ktsnap_stats j2 = ktsnap_stats_json("{\"a\":2}");
	const struct ktsnap_drained_entry *e;
	struct ktsnap_drain *d;
	uint64_t five = 5, six = 6, boundary = 9;

	/* No metadata on the second write: nothing stale survives. */
	assert_int_equal(ktsnap_bridge__store_with_stats_and_step(b, "a", ktsnap_report__new(), &j,
								  &five, &boundary, 4),
			 0);
	store_new(b, "a");
	d = ktsnap_bridge__drain_ordered_with_stats(b);
	assert_int_equal(ktsnap_drain__count(d), 1);
	e = ktsnap_drain__entry(d, 0);
	assert_no_metadata(e);
	ktsnap_drain__free(d);

	/* New metadata on the second write replaces the old. */
	assert_int_equal(ktsnap_bridge__store_with_stats(b, "a", ktsnap_report__new(), &j, &five),
			 0);
	assert_int_equal(ktsnap_bridge__store_with_stats(b, "a", ktsnap_report__new(), &j2, &six),
			 0);
	d = ktsnap_bridge__drain_ordered_with_stats(b);
	e = ktsnap_drain__entry(d, 0);
	assert_string_equal(e->stats->json, "{\"a\":2}");
	assert_int_equal(e->meta.elapsed_ms, 6);
	ktsnap_drain__free(d);
}

/* ---- F01 / F16: FIFO cap ----------------------------------------------------------------- */
static void fifo_eviction_at_cap(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	struct ktsnap_stats j = ktsnap_stats_json("{}");
	struct ktsnap_bridge_events *evs;
	const struct ktsnap_bridge_event *ev;
	struct ktsnap_drain *d;
	uint64_t elapsed = 1;
	char tag[16];
	int i;

	assert_int_equal(
		ktsnap_bridge__store_with_stats(b, "t0", ktsnap_report__new(), &j, &elapsed), 0);
	for (i = 1; i <= 64; i++) {
		snprintf(tag, sizeof(tag), "t%d", i);
		assert_true(ktsnap_bridge__capture(b, tag));
		assert_true(ktsnap_bridge__len(b) <= 64);
	}
	assert_int_equal(ktsnap_bridge__len(b), 64);
	assert_false(ktsnap_bridge__has(b, "t0"));
	assert_true(ktsnap_bridge__has(b, "t1"));
	assert_true(ktsnap_bridge__has(b, "t64"));

	ev = drain_events_first(b, &evs, 1, KTSNAP_BRIDGE_EVENT_EVICTION);
	assert_true(ktsnap_bridge_event__equal(
		ev, &(struct ktsnap_bridge_event){ .kind = KTSNAP_BRIDGE_EVENT_EVICTION,
						   .evicted_tag = "t0",
						   .new_tag = "t64",
						   .cap = 64 }));
	ktsnap_bridge_events__free(evs);

	d = ktsnap_bridge__drain_ordered_with_stats(b);
	assert_int_equal(ktsnap_drain__count(d), 64);
	assert_null(ktsnap_drain__find(d, "t0"));
	assert_string_equal(ktsnap_drain__entry(d, 0)->tag, "t1");
	assert_string_equal(ktsnap_drain__entry(d, 63)->tag, "t64");
	for (i = 0; i < 64; i++) {
		const struct ktsnap_drained_entry *e = ktsnap_drain__entry(d, (size_t)i);

		assert_false(e->stats->ok);
		assert_false(e->meta.has_elapsed_ms);
	}
	ktsnap_drain__free(d);
}

/* ---- F17: periodic_real_count --------------------------------------------------------------- */
static void periodic_real_count(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;

	assert_int_equal(ktsnap_bridge__periodic_real_count(b), 0);
	store_new(b, "periodic_000");
	assert_int_equal(
		ktsnap_bridge__store(b, "periodic_001", ktsnap_report__placeholder("timeout")), 0);
	store_new(b, "periodic_kaslr");
	store_new(b, "periodic_0002");
	store_new(b, "periodic_01");
	store_new(b, "periodic_");
	store_new(b, "xperiodic_003");
	store_new(b, "periodic_0a4");
	assert_int_equal(ktsnap_bridge__periodic_real_count(b), 1);
	store_new(b, "periodic_999");
	assert_int_equal(ktsnap_bridge__periodic_real_count(b), 2);
	/* A placeholder overwriting a real capture stops counting. */
	assert_int_equal(
		ktsnap_bridge__store(b, "periodic_000", ktsnap_report__placeholder("late")), 0);
	assert_int_equal(ktsnap_bridge__periodic_real_count(b), 1);

	/* F07: the periodic tag format is the shape that counts. */
	{
		char tag[32];
		unsigned int idx[] = { 0, 7, 63 };
		const char *want[] = { "periodic_000", "periodic_007", "periodic_063" };
		size_t i;

		for (i = 0; i < 3; i++) {
			snprintf(tag, sizeof(tag), KTSNAP_PERIODIC_TAG_FMT, idx[i]);
			assert_string_equal(tag, want[i]);
		}
		store_new(b, "periodic_007");
		store_new(b, "periodic_063");
		assert_int_equal(ktsnap_bridge__periodic_real_count(b), 3);
	}
}

/* ---- F18 / F19 / F20: drains --------------------------------------------------------------- */
static void drain_map_form(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	struct ktsnap_stats j = ktsnap_stats_json("{}");
	const struct ktsnap_drained_entry *e;
	struct ktsnap_report *taken;
	struct ktsnap_drain *d;
	uint64_t ms = 4;

	assert_false(ktsnap_bridge__capture(b, "missing"));
	assert_int_equal(ktsnap_bridge__store_with_stats(b, "a", ktsnap_report__new(), &j, &ms), 0);
	assert_int_equal(ktsnap_bridge__store(b, "b", report_with_schema("dual")), 0);

	d = ktsnap_bridge__drain(b);
	assert_int_equal(ktsnap_drain__count(d), 2);
	e = ktsnap_drain__find(d, "b");
	assert_non_null(e);
	assert_string_equal(ktsnap_report__schema(e->report), "dual");
	e = ktsnap_drain__find(d, "a");
	assert_non_null(e);
	assert_null(e->stats);
	assert_false(e->meta.has_elapsed_ms);
	assert_null(ktsnap_drain__find(d, "missing"));
	assert_int_equal(errno, ENOENT);

	/* Reports can be moved out of the drain. */
	taken = ktsnap_drain__take_report(d, 0);
	assert_non_null(taken);
	assert_null(ktsnap_drain__entry(d, 0)->report);
	assert_null(ktsnap_drain__take_report(d, 0));
	assert_null(ktsnap_drain__take_report(d, 2));
	ktsnap_report__free(taken);
	ktsnap_drain__free(d);

	assert_int_equal(ktsnap_bridge__len(b), 0);
	assert_false(ktsnap_bridge__has(b, "a"));
	d = ktsnap_bridge__drain_ordered_with_stats(b);
	assert_int_equal(ktsnap_drain__count(d), 0);
	ktsnap_drain__free(d);
	/* Report drains leave the events alone. */
	assert_int_equal(ktsnap_bridge__counts(b).events, 1);
	ktsnap_drain__free(NULL);
}

static void drain_ordered_order(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	struct ktsnap_drain *d;

	store_new(b, "a");
	store_new(b, "b");
	store_new(b, "c");
	assert_drain_ordered(b, "a,b,c");

	store_new(b, "a");
	store_new(b, "b");
	store_new(b, "c");
	store_new(b, "b");
	assert_drain_ordered(b, "a,c,b");

	d = ktsnap_bridge__drain_ordered(b);
	assert_int_equal(ktsnap_drain__count(d), 0);
	assert_null(ktsnap_drain__entry(d, 0));
	assert_int_equal(errno, ERANGE);
	ktsnap_drain__free(d);
}

static void drain_with_stats_shape(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	struct ktsnap_stats j = ktsnap_stats_json("[1,2]");
	struct ktsnap_drain *d;
	uint64_t ms = 10, off = 20;
	char tags[64];

	assert_true(ktsnap_bridge__capture_with_step(b, "periodic_000", 1));
	assert_int_equal(ktsnap_bridge__store_with_stats_and_step(
				 b, "periodic_001", ktsnap_report__new(), &j, &ms, &off, 1),
			 0);
	store_new(b, "user");
	d = ktsnap_bridge__drain_ordered_with_stats(b);
	drain_tags(d, tags, sizeof(tags));
	assert_string_equal(tags, "periodic_000,periodic_001,user");
	assert_true(ktsnap_drain__entry(d, 1)->stats->ok);
	assert_int_equal(ktsnap_drain__entry(d, 1)->meta.boundary_offset_ms, 20);
	assert_true(ktsnap_bridge__is_empty(b));
	ktsnap_drain__free(d);

	d = ktsnap_bridge__drain_ordered_with_stats(b);
	assert_int_equal(ktsnap_drain__count(d), 0);
	ktsnap_drain__free(d);
}

/* ---- F02 / F21: event log cap ----------------------------------------------------------------- */
static void event_log_truncation(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	struct ktsnap_bridge_events *evs;
	const struct ktsnap_bridge_event *ev;
	struct ktsnap_drain *d;
	char tag[16];
	int i;

	for (i = 1; i <= 1030; i++) {
		snprintf(tag, sizeof(tag), "c%d", i);
		assert_false(ktsnap_bridge__capture(b, tag));
	}
	assert_int_equal(ktsnap_bridge__counts(b).events, 1024);

	/* Report drains and event drains are independent. */
	store_new(b, "r");
	d = ktsnap_bridge__drain_ordered(b);
	ktsnap_drain__free(d);
	assert_int_equal(ktsnap_bridge__counts(b).events, 1024);
	store_new(b, "r");

	evs = ktsnap_bridge__drain_events(b);
	assert_int_equal(ktsnap_bridge__len(b), 1);
	assert_int_equal(ktsnap_bridge_events__count(evs), 1025);
	ev = ktsnap_bridge_events__at(evs, 0);
	assert_int_equal(ev->kind, KTSNAP_BRIDGE_EVENT_CAPTURE_UNAVAILABLE);
	assert_string_equal(ev->tag, "c7");
	assert_string_equal(ktsnap_bridge_events__at(evs, 1023)->tag, "c1030");
	ev = ktsnap_bridge_events__at(evs, 1024);
	assert_true(ktsnap_bridge_event__equal(
		ev, &(struct ktsnap_bridge_event){ .kind = KTSNAP_BRIDGE_EVENT_EVENT_LOG_TRUNCATED,
						   .dropped_count = 6 }));
	ktsnap_bridge_events__free(evs);
	assert_int_equal(ktsnap_bridge__counts(b).events, 0);

	/* The counter was reset: one new event drains alone. */
	assert_false(ktsnap_bridge__capture(b, "after"));
	evs = ktsnap_bridge__drain_events(b);
	assert_int_equal(ktsnap_bridge_events__count(evs), 1);
	assert_string_equal(ktsnap_bridge_events__at(evs, 0)->tag, "after");
	ktsnap_bridge_events__free(evs);

	evs = ktsnap_bridge__drain_events(b);
	assert_int_equal(ktsnap_bridge_events__count(evs), 0);
	ktsnap_bridge_events__free(evs);
}

static void event_format(void **state)
{
	char buf[160];

	struct ktsnap_bridge_event ev = {
		.kind = KTSNAP_BRIDGE_EVENT_EVICTION,
		.evicted_tag = "t0",
		.new_tag = "t64",
		.cap = 64,
	};
	assert_int_equal(
		ktsnap_bridge_event__format(&ev, buf, sizeof(buf)),
		(int)strlen("Eviction { evicted_tag: \"t0\", new_tag: \"t64\", cap: 64 }"));
	assert_string_equal(buf, "Eviction { evicted_tag: \"t0\", new_tag: \"t64\", cap: 64 }");
	ev = (struct ktsnap_bridge_event){ .kind = KTSNAP_BRIDGE_EVENT_OVERWRITE,
					   .tag = "a",
					   .prior_schema = "single" };
	ktsnap_bridge_event__format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "Overwrite { tag: \"a\", prior_schema: \"single\" }");
	ev = (struct ktsnap_bridge_event){ .kind = KTSNAP_BRIDGE_EVENT_EVENT_LOG_TRUNCATED,
					   .dropped_count = 6 };
	ktsnap_bridge_event__format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "EventLogTruncated { dropped_count: 6 }");
	assert_string_equal(ktsnap_bridge_event_kind__name(
				    KTSNAP_BRIDGE_EVENT_DRAIN_ORDERING_INVARIANT_VIOLATION),
			    "DrainOrderingInvariantViolation");
	assert_int_equal(ktsnap_bridge_event__format(NULL, buf, sizeof(buf)), -EINVAL);
}

/* ---- F23: shared handles ---------------------------------------------------------------------- */
static void shared_handles(void **state)
{
	struct fake f = {};
	struct ktsnap_bridge *h1 = ktsnap_bridge__new(fake_capture, &f, fake_free);
	struct ktsnap_bridge *h2 = ktsnap_bridge__ref(h1);
	struct ktsnap_kernel_op_reply reply = { .request_id = 1, .success = true };
	struct ktsnap_kernel_op_log *log;
	struct ktsnap_cgroup_procs_log *cg;
	int32_t pid = 42;

	assert_ptr_equal(h1, h2);
	store_new(h1, "a");
	assert_int_equal(ktsnap_bridge__len(h2), 1);
	assert_int_equal(ktsnap_bridge__record_kernel_op_reply(h1, "k", &reply), 0);
	assert_int_equal(ktsnap_bridge__record_cgroup_procs(h1, "t", "cg", &pid, 1), 0);

	ktsnap_bridge__unref(h1);
	assert_int_equal(f.freed, 0);
	log = ktsnap_bridge__drain_kernel_ops(h2);
	assert_int_equal(ktsnap_kernel_op_log__count(log), 1);
	ktsnap_kernel_op_log__free(log);
	cg = ktsnap_bridge__drain_cgroup_procs(h2);
	assert_int_equal(ktsnap_cgroup_procs_log__count(cg), 1);
	ktsnap_cgroup_procs_log__free(cg);
	assert_true(ktsnap_bridge__has(h2, "a"));
	/* The last handle frees the remaining report and the capture ctx. */
	ktsnap_bridge__unref(h2);
	assert_int_equal(f.freed, 1);
}

/* ---- F24 / F25: thread-local installation ----------------------------------------------------- */
static void note_active(struct ktsnap_bridge *b, void *ctx)
{
	*(struct ktsnap_bridge **)ctx = b;
}

static struct ktsnap_bridge *active(void)
{
	struct ktsnap_bridge *seen = NULL;

	if (!ktsnap_with_active_bridge(note_active, &seen))
		return NULL;
	assert_non_null(seen);
	return seen;
}

static void *other_thread_sees(void *arg)
{
	struct ktsnap_bridge *seen = (struct ktsnap_bridge *)1;
	bool called = ktsnap_with_active_bridge(note_active, &seen);

	return (void *)(uintptr_t)(!called && seen == (struct ktsnap_bridge *)1);
}

static void thread_local_install(void **state)
{
	struct fake f = {};
	struct ktsnap_bridge *b = new_bridge(&f);
	struct ktsnap_bridge *keep = ktsnap_bridge__ref(b);
	struct ktsnap_bridge_guard g;
	pthread_t t;
	void *ok;

	assert_null(active());
	g = ktsnap_bridge__set_thread_local(b);
	assert_ptr_equal(active(), keep);

	assert_int_equal(pthread_create(&t, NULL, other_thread_sees, NULL), 0);
	assert_int_equal(pthread_join(t, &ok), 0);
	assert_true(ok != NULL);

	/* A capture through the active bridge is seen through the kept handle. */
	assert_true(ktsnap_bridge__capture(active(), "via_tls"));
	assert_true(ktsnap_bridge__has(keep, "via_tls"));

	ktsnap_bridge_guard__release(&g);
	assert_null(active());
	ktsnap_bridge_guard__release(&g); /* second release: no-op */
	assert_null(active());
	ktsnap_bridge__unref(keep);
}

static void guard_restores_lifo(void **state)
{
	struct fake fx = {}, fy = {};
	struct ktsnap_bridge *x = ktsnap_bridge__new(fake_capture, &fx, fake_free);
	struct ktsnap_bridge *y = ktsnap_bridge__new(fake_capture, &fy, fake_free);
	struct ktsnap_bridge_guard gx, gy;

	gx = ktsnap_bridge__set_thread_local(ktsnap_bridge__ref(x));
	gy = ktsnap_bridge__set_thread_local(ktsnap_bridge__ref(y));
	assert_ptr_equal(active(), y);
	ktsnap_bridge_guard__release(&gy);
	assert_ptr_equal(active(), x);
	ktsnap_bridge_guard__release(&gx);
	assert_null(active());

	/* The scope macro releases at the end of the block. */
	{
		KTSNAP_BRIDGE_SCOPE(ktsnap_bridge__ref(x));
		assert_ptr_equal(active(), x);
		{
			KTSNAP_BRIDGE_SCOPE(ktsnap_bridge__ref(y));
			assert_ptr_equal(active(), y);
		}
		assert_ptr_equal(active(), x);
	}
	assert_null(active());

	/* Only our own handles remain: dropping them frees the bridges. */
	ktsnap_bridge__unref(x);
	ktsnap_bridge__unref(y);
	assert_int_equal(fx.freed, 1);
	assert_int_equal(fy.freed, 1);
}

/* ---- F26: concurrent stores ------------------------------------------------------------------- */
static struct ktsnap_report *plain_capture(const char *name, void *ctx)
{
	return ktsnap_report__new();
}

struct conc_arg {
	struct ktsnap_bridge *b;
	int id;
};

static void *store_eight(void *p)
{
	struct conc_arg *a = p;
	char tag[32];
	int i;

	for (i = 0; i < 8; i++) {
		snprintf(tag, sizeof(tag), "th%d_%d", a->id, i);
		if (!ktsnap_bridge__capture(a->b, tag))
			return (void *)1;
	}
	return NULL;
}

static void concurrent_capture(void **state)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(plain_capture, NULL, NULL);
	struct conc_arg args[8];
	pthread_t t[8];
	struct ktsnap_drain *d;
	void *ret;
	size_t i, j;

	for (i = 0; i < 8; i++) {
		args[i] = (struct conc_arg){ .b = b, .id = (int)i };
		assert_int_equal(pthread_create(&t[i], NULL, store_eight, &args[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	assert_int_equal(ktsnap_bridge__len(b), 64);
	d = ktsnap_bridge__drain_ordered(b);
	assert_int_equal(ktsnap_drain__count(d), 64);
	for (i = 0; i < 64; i++)
		for (j = i + 1; j < 64; j++)
			assert_string_not_equal(ktsnap_drain__entry(d, i)->tag,
						ktsnap_drain__entry(d, j)->tag);
	ktsnap_drain__free(d);
	assert_int_equal(ktsnap_bridge__counts(b).events, 0);
	ktsnap_bridge__unref(b);
}

/* ---- F27 / F28 / F29: kernel-op log --------------------------------------------------------------- */
struct kop_fake {
	int calls;
	uint32_t last_id;
};

static int fake_kernel_op(const struct ktsnap_kernel_op_request *req,
			  struct ktsnap_kernel_op_reply *reply, void *ctx)
{
	struct kop_fake *k = ctx;
	struct ktsnap_kernel_op_value v = ktsnap_kernel_op_value_u64(0x1234);

	k->calls++;
	k->last_id = req->request_id;
	if (req->request_id == 99)
		return -EFAULT;
	reply->request_id = req->request_id;
	reply->success = true;
	if (req->direction == KTSNAP_KERNEL_OP_READ)
		return ktsnap_kernel_op_reply__push_value(reply, &v);
	return 0;
}

static void kernel_op_dispatch(void **state)
{
	struct fake f = {};
	struct kop_fake k = {};
	struct ktsnap_bridge *b = new_bridge(&f);
	struct ktsnap_kernel_op_request req = { .request_id = 5,
						.mode = KTSNAP_KERNEL_OP_COLD,
						.direction = KTSNAP_KERNEL_OP_READ };
	struct ktsnap_kernel_op_target target;
	struct ktsnap_kernel_op_value width = ktsnap_kernel_op_value_u64(0);
	struct ktsnap_kernel_op_reply reply = {};
	struct ktsnap_kernel_op_log *log;
	struct ktsnap_kernel_op_value v;

	assert_int_equal(ktsnap_kernel_op_target__set_symbol(&target, "jiffies_64"), 0);
	assert_int_equal(ktsnap_kernel_op_request__set_tag(&req, "jiffies"), 0);
	assert_int_equal(ktsnap_kernel_op_request__add_entry(&req, &target, &width), 0);
	ktsnap_kernel_op_target__clear(&target);

	/* No callback: absent, nothing logged. */
	assert_int_equal(ktsnap_bridge__dispatch_kernel_op(b, &req, &reply), -EOPNOTSUPP);
	log = ktsnap_bridge__drain_kernel_ops(b);
	assert_int_equal(ktsnap_kernel_op_log__count(log), 0);
	ktsnap_kernel_op_log__free(log);

	assert_ptr_equal(ktsnap_bridge__with_kernel_op(b, fake_kernel_op, &k, NULL), b);
	assert_int_equal(ktsnap_bridge__dispatch_kernel_op(b, &req, &reply), 0);
	assert_int_equal(k.calls, 1);
	assert_true(reply.success);
	assert_int_equal(reply.nr_read_values, 1);
	assert_int_equal(reply.read_values[0].u64, 0x1234);

	assert_int_equal(ktsnap_bridge__kernel_op_value(b, "jiffies", &v), 0);
	assert_int_equal(v.kind, KTSNAP_KERNEL_OP_VALUE_U64);
	assert_int_equal(v.u64, 0x1234);
	ktsnap_kernel_op_value__clear(&v);

	log = ktsnap_bridge__drain_kernel_ops(b);
	assert_int_equal(ktsnap_kernel_op_log__count(log), 1);
	assert_string_equal(ktsnap_kernel_op_log__tag(log, 0), "jiffies");
	assert_true(ktsnap_kernel_op_reply__equal(ktsnap_kernel_op_log__reply(log, 0), &reply));
	assert_null(ktsnap_kernel_op_log__tag(log, 1));
	ktsnap_kernel_op_log__free(log);
	ktsnap_kernel_op_reply__clear(&reply);

	/* A failing callback fails the dispatch and logs nothing. */
	req.request_id = 99;
	assert_int_equal(ktsnap_bridge__dispatch_kernel_op(b, &req, &reply), -EFAULT);
	log = ktsnap_bridge__drain_kernel_ops(b);
	assert_int_equal(ktsnap_kernel_op_log__count(log), 0);
	ktsnap_kernel_op_log__free(log);

	ktsnap_kernel_op_request__clear(&req);
	ktsnap_bridge__unref(b);
}

static void kernel_op_record_and_lookup(void **state)
{
	struct fake f = {};
	struct kop_fake k = {};
	struct ktsnap_bridge *b = new_bridge(&f);
	struct ktsnap_kernel_op_reply fail = { .request_id = 1, .success = false };
	struct ktsnap_kernel_op_reply ok7 = { .request_id = 2, .success = true };
	struct ktsnap_kernel_op_reply ok1 = { .request_id = 3, .success = true };
	struct ktsnap_kernel_op_reply write = { .request_id = 4, .success = true };
	struct ktsnap_kernel_op_value v7 = ktsnap_kernel_op_value_u64(7);
	struct ktsnap_kernel_op_value v1 = ktsnap_kernel_op_value_u32(1);
	struct ktsnap_kernel_op_log *log;
	static const uint32_t order[] = { 1, 4, 2, 3 };
	struct ktsnap_kernel_op_value v;
	size_t i;

	ktsnap_bridge__with_kernel_op(b, fake_kernel_op, &k, NULL);
	assert_int_equal(ktsnap_kernel_op_reply__set_reason(&fail, "symbol not found"), 0);
	assert_int_equal(ktsnap_kernel_op_reply__push_value(&fail, &v7), 0);
	assert_int_equal(ktsnap_kernel_op_reply__push_value(&ok7, &v7), 0);
	assert_int_equal(ktsnap_kernel_op_reply__push_value(&ok1, &v1), 0);

	assert_int_equal(ktsnap_bridge__record_kernel_op_reply(b, "t", &fail), 0);
	assert_int_equal(ktsnap_bridge__record_kernel_op_reply(b, "w", &write), 0);
	assert_int_equal(ktsnap_bridge__record_kernel_op_reply(b, "t", &ok7), 0);
	assert_int_equal(ktsnap_bridge__record_kernel_op_reply(b, "t", &ok1), 0);
	/* Recording never invokes the callback. */
	assert_int_equal(k.calls, 0);

	assert_int_equal(ktsnap_bridge__kernel_op_value(b, "t", &v), 0);
	assert_true(ktsnap_kernel_op_value__equal(&v, &v7));
	ktsnap_kernel_op_value__clear(&v);
	assert_int_equal(ktsnap_bridge__kernel_op_value(b, "nope", &v), -ENOENT);
	assert_int_equal(ktsnap_bridge__kernel_op_value(b, "w", &v), -ENOENT);

	/* The lookup did not drain: all four, in insertion order. */
	log = ktsnap_bridge__drain_kernel_ops(b);
	assert_int_equal(ktsnap_kernel_op_log__count(log), 4);
	assert_string_equal(ktsnap_kernel_op_log__tag(log, 0), "t");
	assert_string_equal(ktsnap_kernel_op_log__reply(log, 0)->reason, "symbol not found");
	assert_string_equal(ktsnap_kernel_op_log__tag(log, 1), "w");
	for (i = 0; i < 4; i++)
		assert_int_equal(ktsnap_kernel_op_log__reply(log, i)->request_id, order[i]);
	ktsnap_kernel_op_log__free(log);
	log = ktsnap_bridge__drain_kernel_ops(b);
	assert_int_equal(ktsnap_kernel_op_log__count(log), 0);
	ktsnap_kernel_op_log__free(log);
	assert_int_equal(ktsnap_bridge__kernel_op_value(b, "t", &v), -ENOENT);

	ktsnap_kernel_op_reply__clear(&fail);
	ktsnap_kernel_op_reply__clear(&ok7);
	ktsnap_kernel_op_reply__clear(&ok1);
	ktsnap_bridge__unref(b);
}

static void kernel_op_payloads(void **state)
{
	struct ktsnap_kernel_op_request req = { .request_id = 1 }, copy;
	struct ktsnap_kernel_op_target t1, t2, t3 = ktsnap_kernel_op_target_kva(0xffff0000);
	struct ktsnap_kernel_op_value bytes, bytes2, zero;
	const uint8_t raw[3] = { 1, 2, 3 };

	assert_int_equal(
		ktsnap_kernel_op_target__set_per_cpu_field(&t1, "runqueues", "nr_running", 2), 0);
	assert_int_equal(ktsnap_kernel_op_target__set_task_field(&t2, 77, 123456, "scx.weight"), 0);
	assert_int_equal(ktsnap_kernel_op_value__set_bytes(&bytes, raw, sizeof(raw)), 0);
	assert_int_equal(ktsnap_kernel_op_value__set_bytes(&zero, NULL, 4), 0);
	assert_int_equal(zero.bytes.len, 4);
	assert_int_equal(zero.bytes.data[3], 0);
	assert_int_equal(ktsnap_kernel_op_request__set_tag(&req, "multi"), 0);
	assert_int_equal(ktsnap_kernel_op_request__add_entry(&req, &t1, &bytes), 0);
	assert_int_equal(ktsnap_kernel_op_request__add_entry(
				 &req, &t2,
				 &(struct ktsnap_kernel_op_value){
					 .kind = KTSNAP_KERNEL_OP_VALUE_OR_U32, .u32 = 0x10 }),
			 0);
	assert_int_equal(ktsnap_kernel_op_request__add_entry(&req, &t3, &zero), 0);

	assert_int_equal(ktsnap_kernel_op_request__copy(&copy, &req), 0);
	assert_true(ktsnap_kernel_op_request__equal(&copy, &req));
	assert_ptr_not_equal(copy.entries[0].target.symbol, req.entries[0].target.symbol);
	assert_string_equal(copy.entries[1].target.field, "scx.weight");
	assert_int_equal(copy.entries[1].target.expected_start_time_ns, 123456);
	copy.entries[0].value.bytes.data[0] = 9;
	assert_false(ktsnap_kernel_op_request__equal(&copy, &req));

	assert_int_equal(ktsnap_kernel_op_value__copy(&bytes2, &bytes), 0);
	assert_true(ktsnap_kernel_op_value__equal(&bytes2, &bytes));
	assert_false(ktsnap_kernel_op_value__equal(&bytes2, &zero));
	assert_false(ktsnap_kernel_op_target__equal(&t1, &t2));
	assert_string_equal(ktsnap_kernel_op_target_kind__name(t1.kind), "PerCpuField");
	assert_string_equal(ktsnap_kernel_op_value_kind__name(KTSNAP_KERNEL_OP_VALUE_OR_U32),
			    "OrU32");

	ktsnap_kernel_op_value__clear(&bytes2);
	ktsnap_kernel_op_value__clear(&bytes);
	ktsnap_kernel_op_value__clear(&zero);
	ktsnap_kernel_op_target__clear(&t1);
	ktsnap_kernel_op_target__clear(&t2);
	ktsnap_kernel_op_request__clear(&copy);
	ktsnap_kernel_op_request__clear(&req);
	assert_null(req.tag);
	ktsnap_kernel_op_request__clear(NULL);
	ktsnap_kernel_op_reply__clear(NULL);
}

/* ---- F30: cgroup.procs log ------------------------------------------------------------------------- */
static void cgroup_procs_log(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	const int32_t first[] = { 10, 11 }, second[] = { 12 };
	struct ktsnap_cgroup_procs_log *log;
	const struct ktsnap_cgroup_procs *p;
	struct ktsnap_cgroup_procs *c;

	assert_null(ktsnap_bridge__cgroup_procs_by_tag(b, "pre"));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ktsnap_bridge__record_cgroup_procs(b, "pre", "workers", first, 2), 0);
	assert_int_equal(ktsnap_bridge__record_cgroup_procs(b, "pre", "workers", second, 1), 0);
	assert_int_equal(ktsnap_bridge__record_cgroup_procs(b, "empty", "idle", NULL, 0), 0);

	c = ktsnap_bridge__cgroup_procs_by_tag(b, "pre");
	assert_non_null(c);
	assert_string_equal(c->tag, "pre");
	assert_string_equal(c->cgroup, "workers");
	assert_int_equal(c->nr_pids, 2);
	assert_int_equal(c->pids[1], 11);
	ktsnap_cgroup_procs__free(c);
	c = ktsnap_bridge__cgroup_procs_by_tag(b, "empty");
	assert_non_null(c);
	assert_int_equal(c->nr_pids, 0);
	ktsnap_cgroup_procs__free(c);

	log = ktsnap_bridge__drain_cgroup_procs(b);
	assert_int_equal(ktsnap_cgroup_procs_log__count(log), 3);
	p = ktsnap_cgroup_procs_log__at(log, 0);
	assert_int_equal(p->nr_pids, 2);
	assert_int_equal(p->pids[0], 10);
	p = ktsnap_cgroup_procs_log__at(log, 1);
	assert_string_equal(p->tag, "pre");
	assert_string_equal(p->cgroup, "workers");
	assert_int_equal(p->nr_pids, 1);
	assert_int_equal(p->pids[0], 12);
	assert_string_equal(ktsnap_cgroup_procs_log__at(log, 2)->cgroup, "idle");
	assert_null(ktsnap_cgroup_procs_log__at(log, 3));
	ktsnap_cgroup_procs_log__free(log);

	log = ktsnap_bridge__drain_cgroup_procs(b);
	assert_int_equal(ktsnap_cgroup_procs_log__count(log), 0);
	ktsnap_cgroup_procs_log__free(log);
	assert_null(ktsnap_bridge__cgroup_procs_by_tag(b, "pre"));
}

/* ---- F03 / F31 / F32 / F33: watch registration ---------------------------------------------------- */
static const char cap_text[] =
	"Op::WatchSnapshot cap exceeded: scenario already registered 3 watchpoints (3 user "
	"watchpoint slots occupied; slot 0 reserved for the error-class exit_kind trigger). Drop "
	"a watch or use Op::CaptureSnapshot for a time-driven capture instead.";

static void watch_cap(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	int calls = 0, i;

	ktsnap_bridge__with_watch_register(b, ok_watch, &calls, NULL);
	for (i = 0; i < 3; i++)
		assert_int_equal(ktsnap_bridge__register_watch(b, "sym"), 0);
	assert_int_equal(ktsnap_bridge__register_watch(b, "sym"), -ENOSPC);
	assert_string_equal(ktsnap_errmsg(), cap_text);
	assert_int_equal(calls, 3);
	assert_int_equal(ktsnap_bridge__counts(b).watches, 3);
	/* Another failure in between: the cap text comes back, not that one. */
	assert_int_equal(ktsnap_bridge__register_watch(NULL, "sym"), -EINVAL);
	assert_string_equal(ktsnap_errmsg(), "register_watch needs a bridge and a symbol");
	assert_int_equal(ktsnap_bridge__register_watch(b, "sym"), -ENOSPC);
	assert_string_equal(ktsnap_errmsg(), cap_text);
}

static void watch_without_callback(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;

	assert_int_equal(ktsnap_bridge__register_watch(b, "x"), -EOPNOTSUPP);
	assert_string_equal(ktsnap_errmsg(),
			    "Op::WatchSnapshot('x'): no watch-register callback installed on "
			    "this SnapshotBridge \u2014 the host wires one via "
			    "SnapshotBridge::with_watch_register before execute_steps; "
			    "in-guest / no-VM scenarios cannot register hardware watchpoints");
	assert_int_equal(ktsnap_bridge__counts(b).watches, 0);
}

static int picky_watch(const char *symbol, char **err, void *ctx)
{
	if (strcmp(symbol, "x") == 0) {
		*err = strdup("symbol 'x' not found in vmlinux symtab");
		return -ENOENT;
	}
	if (strcmp(symbol, "silent") == 0)
		return -EINVAL;
	return 0;
}

static void watch_callback_error(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;

	ktsnap_bridge__with_watch_register(b, picky_watch, NULL, NULL);
	assert_int_equal(ktsnap_bridge__register_watch(b, "ok1"), 0);
	assert_int_equal(ktsnap_bridge__register_watch(b, "x"), -ENOENT);
	assert_string_equal(ktsnap_errmsg(), "symbol 'x' not found in vmlinux symtab");
	assert_int_equal(ktsnap_bridge__counts(b).watches, 1);
	assert_int_equal(ktsnap_bridge__register_watch(b, "silent"), -EINVAL);
	/* No reason from the callback: a generic text, never the previous one. */
	assert_string_equal(ktsnap_errmsg(),
			    "watch-register callback failed for 'silent': Invalid argument");
	/* Failures never consumed a slot: two more still fit. */
	assert_int_equal(ktsnap_bridge__register_watch(b, "ok2"), 0);
	assert_int_equal(ktsnap_bridge__register_watch(b, "ok3"), 0);
	assert_int_equal(ktsnap_bridge__register_watch(b, "ok4"), -ENOSPC);
}

struct race {
	struct ktsnap_bridge *b;
	pthread_barrier_t *start;
	_Atomic int ok;
	_Atomic int max_seen; /* largest watch_count any thread observed */
};

static void observe(struct race *r)
{
	int n = (int)ktsnap_bridge__counts(r->b).watches, m = atomic_load(&r->max_seen);

	while (n > m && !atomic_compare_exchange_weak(&r->max_seen, &m, n))
		;
}

static int observing_watch(const char *symbol, char **err, void *ctx)
{
	observe(ctx);
	return 0;
}

static void *race_register(void *p)
{
	struct race *r = p;

	pthread_barrier_wait(r->start);
	observe(r);
	if (ktsnap_bridge__register_watch(r->b, "sym") == 0)
		atomic_fetch_add(&r->ok, 1);
	observe(r);
	return NULL;
}

static void watch_cap_concurrent(void **state)
{
	struct fake f = {};
	pthread_barrier_t start;
	struct race r = { .start = &start };
	pthread_t t[16];
	int i;

	r.b = new_bridge(&f);
	ktsnap_bridge__with_watch_register(r.b, observing_watch, &r, NULL);
	pthread_barrier_init(&start, NULL, 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race_register, &r), 0);
	for (i = 0; i < 16; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	assert_int_equal(atomic_load(&r.ok), 3);
	assert_true(atomic_load(&r.max_seen) <= 3);
	assert_int_equal(ktsnap_bridge__counts(r.b).watches, 3);
	ktsnap_bridge__unref(r.b);
}

/* ---- F34–F38: accessor waits ------------------------------------------------------------------------- */
struct worker {
	_Atomic uint64_t seqno;
	_Atomic uint8_t state;
	int efd;
	pthread_t thread;
	/* what the fake worker does once the waiter is parked */
	uint64_t publish_to;
	uint8_t final_state;
	pthread_barrier_t go;
};

/* Safe on any thread (no cmocka assertion here). */
static bool pulse(struct worker *w)
{
	uint64_t one = 1;

	return write(w->efd, &one, sizeof(one)) == (ssize_t)sizeof(one);
}

static struct ktsnap_bridge *accessor_bridge(struct fake *f, struct worker *w, uint64_t seqno,
					     uint8_t state)
{
	struct ktsnap_bridge *b = new_bridge(f);

	atomic_init(&w->seqno, seqno);
	atomic_init(&w->state, state);
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(w->efd >= 0);
	assert_ptr_equal(ktsnap_bridge__with_accessor_state(b, &w->seqno, &w->state, w->efd), b);
	return b;
}

static void *worker_main(void *p)
{
	struct worker *w = p;

	/* Wait for the test thread to be about to block, then publish.
	 * Whether the waiter is already in poll() or not, the atomics plus
	 * the pending eventfd count make the outcome the same. */
	pthread_barrier_wait(&w->go);
	usleep(50 * 1000);
	if (w->publish_to)
		atomic_store_explicit(&w->seqno, w->publish_to, memory_order_release);
	atomic_store_explicit(&w->state, w->final_state, memory_order_release);
	pulse(w);
	return NULL;
}

static void start_worker(struct worker *w)
{
	pthread_barrier_init(&w->go, NULL, 2);
	assert_int_equal(pthread_create(&w->thread, NULL, worker_main, w), 0);
	pthread_barrier_wait(&w->go);
}

static void stop_worker(struct worker *w)
{
	pthread_join(w->thread, NULL);
	pthread_barrier_destroy(&w->go);
}

static uint64_t in_ms(uint64_t ms)
{
	return ktsnap_monotonic_ns() + ms * 1000000ull;
}

static void accessor_absent(void **state)
{
	struct ktsnap_bridge *b = ((struct bridge_fx *)*state)->b;
	uint64_t seq = 99;

	assert_int_equal(ktsnap_bridge__wait_for_accessor_publish_advance(b, 0, in_ms(60000),
									  "Op::Test", &seq),
			 0);
	assert_int_equal(seq, 0);
	assert_int_equal(
		ktsnap_bridge__wait_for_worker_state_not_trying(b, in_ms(60000), "Op::Test"), 0);
	/* Even with a deadline already in the past: nothing to wait for. */
	assert_int_equal(ktsnap_bridge__wait_for_worker_state_not_trying(b, 0, "Op::Test"), 0);

	/* A rejected accessor install leaves the bridge without one. */
	{
		_Atomic uint64_t sq = 3;
		_Atomic uint8_t st = KTSNAP_ACCESSOR_TRYING;

		assert_null(ktsnap_bridge__with_accessor_state(b, &sq, &st, -1));
		assert_int_equal(errno, EINVAL);
		assert_null(ktsnap_bridge__with_accessor_state(b, &sq, &st, 1000000));
		assert_int_equal(errno, EBADF);
		assert_null(ktsnap_bridge__with_accessor_state(b, NULL, &st, 0));
		assert_int_equal(ktsnap_bridge__counts(b).publish_seqno, 0);
		assert_int_equal(ktsnap_bridge__wait_for_worker_state_not_trying(b, 0, "Op::Test"),
				 0);
	}
}

static void accessor_already_advanced(void **state)
{
	struct fake f = {};
	struct worker w = {};
	struct ktsnap_bridge *b = accessor_bridge(&f, &w, 5, KTSNAP_ACCESSOR_SUCCEEDED);
	uint64_t seq = 0;

	assert_int_equal(ktsnap_bridge__counts(b).publish_seqno, 5);
	/* Deadline in the past: an advance that already landed still wins. */
	assert_int_equal(ktsnap_bridge__wait_for_accessor_publish_advance(b, 3, 0, "Op::X", &seq),
			 0);
	assert_int_equal(seq, 5);
	assert_int_equal(ktsnap_bridge__wait_for_worker_state_not_trying(b, 0, "Op::X"), 0);
	ktsnap_bridge__unref(b);
	close(w.efd);
}

static void accessor_wakes_on_eventfd(void **state)
{
	struct fake f = {};
	struct worker w = { .publish_to = 8, .final_state = KTSNAP_ACCESSOR_SUCCEEDED };
	struct ktsnap_bridge *b = accessor_bridge(&f, &w, 7, KTSNAP_ACCESSOR_TRYING);
	uint64_t seq = 0;

	start_worker(&w);
	assert_int_equal(ktsnap_bridge__wait_for_accessor_publish_advance(b, 7, in_ms(60000),
									  "Op::Attach", &seq),
			 0);
	assert_int_equal(seq, 8);
	stop_worker(&w);

	/* State flip 0 → 1 ends the not-trying wait. */
	atomic_store(&w.state, KTSNAP_ACCESSOR_TRYING);
	w.publish_to = 0;
	start_worker(&w);
	assert_int_equal(
		ktsnap_bridge__wait_for_worker_state_not_trying(b, in_ms(60000), "Op::Attach"), 0);
	assert_int_equal(atomic_load(&w.state), KTSNAP_ACCESSOR_SUCCEEDED);
	stop_worker(&w);
	ktsnap_bridge__unref(b);
	close(w.efd);
}

static void accessor_worker_failed(void **state)
{
	struct fake f = {};
	struct worker w = { .final_state = KTSNAP_ACCESSOR_FAILED_PERMANENTLY };
	struct ktsnap_bridge *b = accessor_bridge(&f, &w, 1, KTSNAP_ACCESSOR_FAILED_PERMANENTLY);

	assert_int_equal(
		ktsnap_bridge__wait_for_accessor_publish_advance(b, 1, in_ms(60000), "Op::X", NULL),
		-ESRCH);
	assert_string_equal(ktsnap_errmsg(),
			    "Op::X: accessor-init worker exited (FAILED_PERMANENTLY) \u2014 "
			    "check freeze-coord 'vmm-accessor-init' logs for ELF parse or "
			    "boot-budget failures; retrying the op will hit the same wall");
	assert_int_equal(ktsnap_bridge__wait_for_worker_state_not_trying(b, in_ms(60000), "Op::X"),
			 -ESRCH);
	assert_string_equal(ktsnap_errmsg(),
			    "Op::X: accessor-init worker exited (FAILED_PERMANENTLY) before "
			    "this op could run \u2014 check freeze-coord 'vmm-accessor-init' "
			    "logs for ELF parse or boot-budget failures");

	/* The terminal transition wakes a waiter parked in TRYING. */
	atomic_store(&w.state, KTSNAP_ACCESSOR_TRYING);
	start_worker(&w);
	assert_int_equal(
		ktsnap_bridge__wait_for_accessor_publish_advance(b, 1, in_ms(60000), "Op::X", NULL),
		-ESRCH);
	assert_non_null(strstr(ktsnap_errmsg(),
			       "Op::X: accessor-init worker exited (FAILED_PERMANENTLY) \u2014 "
			       "check freeze-coord"));
	stop_worker(&w);
	ktsnap_bridge__unref(b);
	close(w.efd);
}

static void accessor_deadline(void **state)
{
	struct fake f = {};
	struct worker w = {};
	struct ktsnap_bridge *b = accessor_bridge(&f, &w, 4, KTSNAP_ACCESSOR_TRYING);
	uint64_t seq = 1;

	assert_int_equal(ktsnap_bridge__wait_for_accessor_publish_advance(b, 4, in_ms(100),
									  "Op::Replace", &seq),
			 -ETIMEDOUT);
	assert_int_equal(seq, 0);
	assert_string_equal(
		ktsnap_errmsg(),
		"Op::Replace: accessor reinit did not advance publish seqno from 4 within deadline "
		"(worker state = 0; 0=Trying / 1=Succeeded / 2=FailedPermanently). A reinit that's "
		"stuck in Trying past the deadline indicates the coord's scan-tick hasn't observed "
		"the rebind or the worker's `from_elf_with_hint` retry is hitting a transient "
		"address-space window \u2014 check freeze-coord logs for `accessor-init:` lines");

	assert_int_equal(
		ktsnap_bridge__wait_for_worker_state_not_trying(b, in_ms(100), "Op::Replace"),
		-ETIMEDOUT);
	assert_string_equal(ktsnap_errmsg(),
			    "Op::Replace: accessor-init worker stayed in TRYING state past the "
			    "deadline \u2014 the worker's first publish has not completed. "
			    "Likely cause: kernel boot stalled before accessor's bootstrap "
			    "symbols became readable. Check freeze-coord logs for "
			    "`accessor-init:` lines");

	/* A wake without a publish (spurious) does not end the wait early. */
	assert_true(pulse(&w));
	assert_int_equal(ktsnap_bridge__wait_for_accessor_publish_advance(b, 4, in_ms(100),
									  "Op::Replace", NULL),
			 -ETIMEDOUT);
	ktsnap_bridge__unref(b);
	close(w.efd);
}

/* ---- §7.4: MissingStatsReason texts -------------------------------------------------------------- */
static void missing_stats_texts(void **state)
{
	static const struct {
		struct ktsnap_missing_stats m;
		const char *text;
	} cases[] = {
		{ { .kind = KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY },
		  "no scheduler_binary configured for this run" },
		{ { .kind = KTSNAP_MISSING_STATS_NO_SCHEDULER, .reason = "connection refused" },
		  "guest relay reports no scheduler: connection refused" },
		{ { .kind = KTSNAP_MISSING_STATS_DURING_FREEZE },
		  "stats request cancelled \u2014 freeze coordinator paused the scheduler" },
		{ { .kind = KTSNAP_MISSING_STATS_CANCELLED },
		  "stats request cancelled \u2014 run-wide cancel flag was set (watchdog or shutdown)" },
		{ { .kind = KTSNAP_MISSING_STATS_SCHEDULER_ERROR,
		    .err = -22,
		    .args_json = "{\"target\":\"top\"}" },
		  "scheduler returned errno=-22 (args={\"target\":\"top\"})" },
		{ { .kind = KTSNAP_MISSING_STATS_MISSING_RESP, .args_json = "null" },
		  "scheduler envelope missing 'resp' key (args=null)" },
		{ { .kind = KTSNAP_MISSING_STATS_REQUEST_TOO_LARGE, .size = 70000, .max = 65536 },
		  "stats request 70000 bytes exceeds 65536-byte cap" },
		{ { .kind = KTSNAP_MISSING_STATS_RESPONSE_TOO_LARGE, .size = 2, .max = 1 },
		  "stats response 2 bytes exceeds 1-byte cap" },
		{ { .kind = KTSNAP_MISSING_STATS_MUTEX_POISONED },
		  "stats client response mutex was poisoned" },
	};
	struct ktsnap_stats st, *dup;
	char small[8], *s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = ktsnap_missing_stats__to_string(&cases[i].m);
		assert_non_null(s);
		assert_string_equal(s, cases[i].text);
		free(s);
		/* snprintf contract: full length returned, output truncated. */
		assert_int_equal(ktsnap_missing_stats__format(&cases[i].m, small, sizeof(small)),
				 (int)strlen(cases[i].text));
		assert_int_equal(strlen(small), sizeof(small) - 1);

		st = (struct ktsnap_stats){ .missing = cases[i].m };
		dup = ktsnap_stats__dup(&st);
		assert_non_null(dup);
		assert_true(ktsnap_stats__equal(dup, &st));
		ktsnap_stats__free(dup);
	}
	assert_string_equal(ktsnap_missing_stats_kind__name(KTSNAP_MISSING_STATS_MISSING_RESP),
			    "MissingResp");
	assert_int_equal(ktsnap_missing_stats__format(NULL, small, sizeof(small)), -EINVAL);
	assert_false(ktsnap_missing_stats__equal(&cases[4].m, &cases[5].m));
	st = ktsnap_stats_json("{\"a\":[1]}");
	dup = ktsnap_stats__dup(&st);
	assert_string_equal(dup->json, "{\"a\":[1]}");
	assert_ptr_not_equal(dup->json, st.json);
	ktsnap_stats__free(dup);
	ktsnap_stats__free(NULL);
}

/* A test run between bridge_setup() (or bridge_setup_absent()) and
 * bridge_teardown(). */
#define WITH_BRIDGE(fn) cmocka_unit_test_setup_teardown(fn, bridge_setup, bridge_teardown)
#define WITH_ABSENT_BRIDGE(fn) \
	cmocka_unit_test_setup_teardown(fn, bridge_setup_absent, bridge_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(construction_defaults),
		WITH_BRIDGE(debug_string),
		WITH_BRIDGE(capture_success),
		WITH_ABSENT_BRIDGE(capture_unavailable),
		WITH_BRIDGE(capture_with_step),
		WITH_BRIDGE(store_no_metadata),
		WITH_BRIDGE(store_with_stats_and_step),
		WITH_BRIDGE(overwrite_moves_to_back),
		WITH_BRIDGE(overwrite_at_cap_does_not_evict),
		WITH_BRIDGE(overwrite_resets_metadata),
		WITH_BRIDGE(fifo_eviction_at_cap),
		WITH_BRIDGE(periodic_real_count),
		WITH_ABSENT_BRIDGE(drain_map_form),
		WITH_BRIDGE(drain_ordered_order),
		WITH_BRIDGE(drain_with_stats_shape),
		WITH_ABSENT_BRIDGE(event_log_truncation),
		cmocka_unit_test(event_format),
		cmocka_unit_test(shared_handles),
		cmocka_unit_test(thread_local_install),
		cmocka_unit_test(guard_restores_lifo),
		cmocka_unit_test(concurrent_capture),
		cmocka_unit_test(kernel_op_dispatch),
		cmocka_unit_test(kernel_op_record_and_lookup),
		cmocka_unit_test(kernel_op_payloads),
		WITH_BRIDGE(cgroup_procs_log),
		WITH_BRIDGE(watch_cap),
		WITH_BRIDGE(watch_without_callback),
		WITH_BRIDGE(watch_callback_error),
		cmocka_unit_test(watch_cap_concurrent),
		WITH_BRIDGE(accessor_absent),
		cmocka_unit_test(accessor_already_advanced),
		cmocka_unit_test(accessor_wakes_on_eventfd),
		cmocka_unit_test(accessor_worker_failed),
		cmocka_unit_test(accessor_deadline),
		cmocka_unit_test(missing_stats_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
