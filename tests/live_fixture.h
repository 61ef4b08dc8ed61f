/* SPDX-License-Identifier: MIT */
/*
 * The cmocka group setup / teardown the live tests share: the ktsched
 * fixture opened and attached, and switched once so the sched_switch
 * program has planted its globals.  The group state is the skeleton.
 */
#ifndef KTSNAP_TESTS_LIVE_FIXTURE_H
#define KTSNAP_TESTS_LIVE_FIXTURE_H

#include <stdio.h>

#include "fixture.h"

static inline int live_fixture_setup(void **state)
{
	struct ktsched *skel = NULL;
	int err = kt_sched_open(&skel, true);

	if (err) {
		fprintf(stderr, "kt_sched_open: %d\n", err);
		return -1;
	}
	/* Let the sched_switch program run so the globals are planted. */
	kt_sched_tick();
	*state = skel;
	return 0;
}

static inline int live_fixture_teardown(void **state)
{
	kt_sched_close(*state);
	*state = NULL;
	return 0;
}

#endif /* KTSNAP_TESTS_LIVE_FIXTURE_H */
