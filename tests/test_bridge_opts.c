// SPDX-License-Identifier: MIT
/*
 * Options structs read the libbpf way (reliability #57): a smaller sz (an
 * older caller) leaves the unknown fields at their defaults, a larger sz
 * (a newer caller) is accepted only when every byte this library does not
 * know is zero.  Checked on ktsnap_bridge_store_opts (store and capture)
 * and ktsnap_capture_opts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ktsnap/bridge.h>
#include <ktsnap/capture.h>

static int captures;

static struct ktsnap_report *counting_capture(const char *name, void *ctx)
{
	captures++;
	return ktsnap_report__new();
}

static struct ktsnap_bridge *new_bridge(void)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(counting_capture, NULL, NULL);

	assert_non_null(b);
	return b;
}

/* A newer caller's opts: the fields this library knows, then 64 more bytes. */
struct big_store_opts {
	struct ktsnap_bridge_store_opts o;
	unsigned char tail[64];
};

static void store_opts_fields(void **state)
{
	struct ktsnap_bridge *b = new_bridge();
	struct ktsnap_stats stats = ktsnap_stats_json("{\"n\":1}");
	uint64_t elapsed = 5, boundary = 9;
	uint16_t step = 4;
	KTSNAP_OPTS(ktsnap_bridge_store_opts, opts, .stats = &stats, .elapsed_ms = &elapsed,
		    .boundary_offset_ms = &boundary, .step_index = &step);
	const struct ktsnap_drained_entry *e;
	struct ktsnap_drain *d;

	assert_int_equal(ktsnap_bridge__store_opts(b, "a", ktsnap_report__new(), &opts), 0);
	assert_int_equal(ktsnap_bridge__store_opts(b, "b", ktsnap_report__new(), NULL), 0);
	assert_true(ktsnap_bridge__capture_opts(b, "c", &opts));
	d = ktsnap_bridge__drain_ordered_with_stats(b);
	assert_int_equal(ktsnap_drain__count(d), 3);
	e = ktsnap_drain__entry(d, 0);
	assert_string_equal(e->stats->json, "{\"n\":1}");
	assert_true(e->meta.has_elapsed_ms && e->meta.elapsed_ms == 5);
	assert_true(e->meta.has_boundary_offset_ms && e->meta.boundary_offset_ms == 9);
	assert_true(e->meta.has_step_index && e->meta.step_index == 4);
	e = ktsnap_drain__entry(d, 1);
	assert_false(e->stats->ok); /* NoSchedulerBinary: no stats stored */
	assert_false(e->meta.has_elapsed_ms || e->meta.has_boundary_offset_ms ||
		     e->meta.has_step_index);
	e = ktsnap_drain__entry(d, 2);
	assert_string_equal(e->tag, "c");
	assert_true(e->meta.has_step_index && e->meta.step_index == 4);
	ktsnap_drain__free(d);
	ktsnap_bridge__unref(b);
}

static void store_opts_newer_caller(void **state)
{
	struct ktsnap_bridge *b = new_bridge();
	struct big_store_opts big;
	uint16_t step = 2;
	char want[200];

	/* Bigger, all-zero tail: a newer caller not using the new fields. */
	captures = 0;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.o.step_index = &step;
	assert_int_equal(ktsnap_bridge__store_opts(b, "a", ktsnap_report__new(), &big.o), 0);
	assert_true(ktsnap_bridge__capture_opts(b, "b", &big.o));
	assert_int_equal(captures, 1);

	/* A non-zero byte the library does not know: refused, report freed. */
	big.tail[17] = 0xaa;
	assert_int_equal(ktsnap_bridge__store_opts(b, "c", ktsnap_report__new(), &big.o), -E2BIG);
	snprintf(
		want, sizeof(want),
		"ktsnap_bridge_store_opts: opts.sz %zu has a non-zero byte at offset %zu, past the "
		"%zu bytes this ktsnap knows (an option of a newer ktsnap?)",
		sizeof(big), sizeof(big.o) + 17, sizeof(big.o));
	assert_string_equal(ktsnap_errmsg(), want);
	/* capture refuses before running the callback */
	assert_false(ktsnap_bridge__capture_opts(b, "d", &big.o));
	assert_int_equal(captures, 1);
	assert_string_equal(ktsnap_errmsg(), want);
	assert_false(ktsnap_bridge__has(b, "c") || ktsnap_bridge__has(b, "d"));

	/* sz too small to be an opts at all */
	memset(&big, 0, sizeof(big));
	big.o.sz = 3;
	assert_int_equal(ktsnap_bridge__store_opts(b, "e", ktsnap_report__new(), &big.o), -EINVAL);
	assert_non_null(strstr(ktsnap_errmsg(), "opts.sz 3"));
	assert_int_equal(ktsnap_bridge__len(b), 2);
	ktsnap_bridge__unref(b);
}

static void store_opts_older_caller(void **state)
{
	struct ktsnap_bridge *b = new_bridge();
	struct ktsnap_bridge_store_opts o;
	struct ktsnap_stats stats = ktsnap_stats_json("{}");
	const struct ktsnap_drained_entry *e;
	struct ktsnap_drain *d;

	/* An older caller knew only sz and stats: what lies after its struct
	 * (here: junk pointers) is never read. */
	memset(&o, 0x5a, sizeof(o));
	o.sz = offsetof(struct ktsnap_bridge_store_opts, elapsed_ms);
	o.stats = &stats;
	assert_int_equal(ktsnap_bridge__store_opts(b, "old", ktsnap_report__new(), &o), 0);
	d = ktsnap_bridge__drain_ordered_with_stats(b);
	e = ktsnap_drain__entry(d, 0);
	assert_true(e->stats->ok);
	assert_false(e->meta.has_elapsed_ms || e->meta.has_boundary_offset_ms ||
		     e->meta.has_step_index);
	ktsnap_drain__free(d);
	ktsnap_bridge__unref(b);
}

/* The spec's names are wrappers over the opts form and keep their shape. */
static void spec_wrappers(void **state)
{
	struct ktsnap_bridge *b = new_bridge();
	uint64_t ms = 1;
	struct ktsnap_drain *d;

	assert_int_equal(ktsnap_bridge__store(b, "s", ktsnap_report__new()), 0);
	assert_int_equal(ktsnap_bridge__store_with_stats(b, "t", ktsnap_report__new(), NULL, &ms),
			 0);
	assert_true(ktsnap_bridge__capture_with_step(b, "u", 7));
	assert_true(ktsnap_bridge__capture(b, "v"));
	d = ktsnap_bridge__drain_ordered_with_stats(b);
	assert_int_equal(ktsnap_drain__count(d), 4);
	assert_true(ktsnap_drain__entry(d, 1)->meta.has_elapsed_ms);
	assert_int_equal(ktsnap_drain__entry(d, 2)->meta.step_index, 7);
	assert_false(ktsnap_drain__entry(d, 3)->meta.has_step_index);
	ktsnap_drain__free(d);
	ktsnap_bridge__unref(b);
}

/* Reliability #57: a non-zero tail used to be accepted by ktsnap_capture. */
static void capture_opts_tail(void **state)
{
	struct {
		struct ktsnap_capture_opts o;
		unsigned char tail[64];
	} big;
	struct ktsnap_report *r = (void *)1;

	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	memset(big.tail, 0xaa, sizeof(big.tail));
	assert_int_equal(ktsnap_capture(&big.o, &r), -E2BIG);
	assert_null(r);
	assert_non_null(strstr(ktsnap_errmsg(), "ktsnap_capture_opts: opts.sz"));

	/* A zero tail passes the check and reaches the next one (a filter
	 * count without its list), which needs no privilege to fail. */
	memset(big.tail, 0, sizeof(big.tail));
	big.o.nr_map_names = 1;
	assert_int_equal(ktsnap_capture(&big.o, &r), -EINVAL);
	assert_string_equal(ktsnap_errmsg(), "capture: a filter count is set but its list is NULL");

	big.o.sz = 7;
	assert_int_equal(ktsnap_capture(&big.o, &r), -EINVAL);
	assert_non_null(strstr(ktsnap_errmsg(), "opts.sz 7"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(store_opts_fields),
		cmocka_unit_test(store_opts_newer_caller),
		cmocka_unit_test(store_opts_older_caller),
		cmocka_unit_test(spec_wrappers),
		cmocka_unit_test(capture_opts_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
