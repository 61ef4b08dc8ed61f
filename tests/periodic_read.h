/* SPDX-License-Identifier: MIT */
/*
 * The production read of a periodic run that the series tests share
 * (spec §8.2): the bridge's samples drained in order with their stats into
 * a SampleSeries, only the periodic rows kept, one global projected live,
 * and an empty verdict for the caller's patterns; periodic_read_close()
 * frees all of it, the bridge included.  Include after <cmocka.h>.
 */
#ifndef KTSNAP_TESTS_PERIODIC_READ_H
#define KTSNAP_TESTS_PERIODIC_READ_H

#include <stddef.h>

#include <ktsnap/bridge.h>
#include <ktsnap/series.h>
#include <ktsnap/temporal.h>

struct periodic_read {
	struct ktsnap_bridge *b; /* the test's reference, dropped by close */
	size_t drained; /* rows the drain gave, before the periodic filter */
	struct ktsnap_sample_series *s; /* its periodic rows */
	struct ktsnap_series_field *f; /* the global, projected live */
	struct ktsnap_verdict *v; /* empty, for the caller's patterns */
};

/* Drains @b into @r (which takes over the test's reference to @b),
 * asserting that @periodic periodic rows remain, and projects @var. */
static inline void periodic_read_open(struct periodic_read *r, struct ktsnap_bridge *b,
				      size_t periodic, const char *var,
				      enum ktsnap_series_type type)
{
	struct ktsnap_drain *d = ktsnap_bridge__drain_ordered_with_stats(b);

	r->b = b;
	r->s = ktsnap_sample_series__from_drain(d);
	ktsnap_drain__free(d);
	assert_non_null(r->s);
	r->drained = ktsnap_sample_series__len(r->s);
	assert_int_equal(ktsnap_sample_series__retain_periodic(r->s), periodic);
	r->f = ktsnap_sample_series__bpf_live(r->s, var, type);
	assert_non_null(r->f);
	r->v = ktsnap_verdict__new();
	assert_non_null(r->v);
}

static inline void periodic_read_close(struct periodic_read *r)
{
	ktsnap_verdict__free(r->v);
	ktsnap_series_field__free(r->f);
	ktsnap_sample_series__free(r->s);
	ktsnap_bridge__unref(r->b);
}

#endif /* KTSNAP_TESTS_PERIODIC_READ_H */
