// SPDX-License-Identifier: MIT
/*
 * Reliability review #13: writing a fresh capture as JSON in one thread
 * while another renders its maps (ktsnap_map__value) must not race.  The
 * JSON writer streams unrendered maps entry by entry from a copy of each
 * entry; the copy must take only the captured bytes, never the rendering
 * pointers the other thread writes under the render lock.  Run under TSan
 * (label tsan), where a race fails the test.  Also: two long documents
 * written at once, each handing its buffers to its own helper thread.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <bpf/libbpf.h>

#include <ktsnap/capture.h>
#include <ktsnap/json.h>
#include "live_fixture.h"
#include "ktsched.h"
#include "ktsched.skel.h"
#include "report_builder.h"

static void *writer(void *arg)
{
	FILE *f = fopen("/dev/null", "w");
	intptr_t err = f ? ktsnap_report__write_json(arg, f, 0) : -1;

	if (f)
		fclose(f);
	return (void *)err;
}

static void *viewer(void *arg)
{
	const struct ktsnap_report *r = arg;
	size_t i;

	for (i = 0; i < ktsnap_report__map_count(r); i++)
		ktsnap_map__value(ktsnap_report__map_by_index(r, i));
	return NULL;
}

static void write_while_rendering(void **state)
{
	struct ktsched *skel = *state;
	uint32_t ids[64];
	struct bpf_map *m;
	size_t n = 0;
	int round;

	bpf_object__for_each_map(m, skel->obj)
		if (n < 64)
			ids[n++] = kt_map_id(bpf_map__fd(m));
	for (round = 0; round < 5; round++) {
		KTSNAP_OPTS(ktsnap_capture_opts, opts, .maps_only = true, .map_ids = ids,
			    .nr_map_ids = n);
		struct ktsnap_report *r = NULL;
		pthread_t tw, tv;
		void *werr;

		assert_int_equal(ktsnap_capture(&opts, &r), 0);
		assert_int_equal(pthread_create(&tw, NULL, writer, r), 0);
		assert_int_equal(pthread_create(&tv, NULL, viewer, r), 0);
		pthread_join(tv, NULL);
		pthread_join(tw, &werr);
		assert_int_equal((intptr_t)werr, 0);
		ktsnap_report__free(r);
	}
}

/* Long enough for the writer's helper thread; both writers share @r. */
static void two_long_writers(void **state)
{
	struct ktsnap_report *r = rb_full_report(0);
	pthread_t t[2];
	void *err[2];
	int i;

	(void)state;
	rb_hash(r, "long", 20000, true);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer, r), 0);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], &err[i]);
		assert_int_equal((intptr_t)err[i], 0);
	}
	ktsnap_report__free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_while_rendering),
		cmocka_unit_test(two_long_writers),
	};

	return cmocka_run_group_tests(tests, live_fixture_setup, live_fixture_teardown);
}
