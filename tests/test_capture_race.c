// SPDX-License-Identifier: MIT
/*
 * Capture a 100k-entry hash while another thread deletes and re-inserts
 * entries: no crash, no duplicated key, every stable key present.  The
 * same for an LPM trie, whose batch lookup restarts at the first key when
 * the key it stopped at is deleted meanwhile.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <ktsnap/capture.h>
#include "fixture.h"
#include "ktsched.h"
#include "ktbig.skel.h"

#define NR_KEYS 100000u
#define NR_STABLE 50000u	/* keys [0, NR_STABLE) are never touched */

struct churn {
	int fd;
	atomic_bool stop;
	unsigned long rounds;
};

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	uint32_t k = NR_STABLE;
	struct kt_big_val v = { .weight = 7 };

	while (!atomic_load(&c->stop)) {
		bpf_map_delete_elem(c->fd, &k);
		v.pid = k;
		bpf_map_update_elem(c->fd, &k, &v, BPF_ANY);
		/* and some brand-new keys above the filled range */
		uint32_t nk = NR_KEYS + (k % 1000);

		if (k & 1)
			bpf_map_update_elem(c->fd, &nk, &v, BPF_ANY);
		else
			bpf_map_delete_elem(c->fd, &nk);
		if (++k == NR_KEYS)
			k = NR_STABLE;
		c->rounds++;
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void capture_under_churn(void **state)
{
	struct ktbig *big;
	struct churn c = {};
	pthread_t t;
	uint32_t id;
	int round;

	assert_int_equal(kt_big_open(&big), 0);
	assert_int_equal(kt_big_fill(big, NR_KEYS), 0);
	c.fd = bpf_map__fd(big->maps.big_hash);
	id = kt_map_id(c.fd);
	assert_int_equal(pthread_create(&t, NULL, churn_thread, &c), 0);

	for (round = 0; round < 3; round++) {
		KTSNAP_OPTS(ktsnap_capture_opts, opts, .map_ids = &id, .nr_map_ids = 1,
			    .max_hash_entries = KTSNAP_CAP_NONE, .maps_only = true);
		struct ktsnap_report *r;
		const struct ktsnap_map *m;
		uint32_t *keys, stable = 0;
		size_t i, n;

		assert_int_equal(ktsnap_capture(&opts, &r), 0);
		m = ktsnap_report__map_by_name(r, "big_hash");
		assert_non_null(m);
		assert_null(ktsnap_map__error(m));
		n = ktsnap_map__entry_count(m);
		keys = calloc(n + 1, sizeof(*keys));
		for (i = 0; i < n; i++) {
			size_t len;
			const uint8_t *kb = ktsnap_map_entry__key_bytes(ktsnap_map__entry(m, i), &len);

			assert_int_equal(len, 4);
			memcpy(&keys[i], kb, 4);
		}
		qsort(keys, n, sizeof(*keys), cmp_u32);
		for (i = 1; i < n; i++)
			if (keys[i] == keys[i - 1])
				fail_msg("key %u captured twice", keys[i]);
		for (i = 0; i < n; i++)
			if (keys[i] < NR_STABLE)
				stable++;
		assert_int_equal(stable, NR_STABLE);
		free(keys);
		ktsnap_report__free(r);
	}
	atomic_store(&c.stop, true);
	pthread_join(t, NULL);
	assert_true(c.rounds > 0);
	kt_big_close(big);
}

/* ---- LPM_TRIE: 1000 stable /32 keys, 30k others inserted and deleted ---- */
#define LPM_STABLE 1000u
#define LPM_CHURN 30000u
#define LPM_ROUNDS 30

static void *lpm_churn_thread(void *arg)
{
	struct churn *c = arg;
	uint32_t i = 0, one = 1;

	while (!atomic_load(&c->stop)) {
		struct kt_lpm_key add = { 32, 1000000 + i % LPM_CHURN };
		struct kt_lpm_key del = { 32, 1000000 + (i + LPM_CHURN / 2) % LPM_CHURN };

		bpf_map_update_elem(c->fd, &add, &one, BPF_ANY);
		bpf_map_delete_elem(c->fd, &del);
		i++;
		c->rounds++;
	}
	return NULL;
}

static void lpm_capture_under_churn(void **state)
{
	/* static: a failing assertion leaves the thread running past us */
	static struct churn c;
	struct ktbig *big;
	pthread_t t;
	uint32_t id, k, one = 1;
	int round, consistent = 0;

	assert_int_equal(kt_big_open(&big), 0);
	c.fd = bpf_map__fd(big->maps.big_lpm);
	for (k = 0; k < LPM_STABLE; k++) {
		struct kt_lpm_key key = { 32, k };

		assert_int_equal(bpf_map_update_elem(c.fd, &key, &one, BPF_ANY), 0);
	}
	/* half of the churn range present from the start */
	for (k = 0; k < LPM_CHURN / 2; k++) {
		struct kt_lpm_key key = { 32, 1000000 + k };

		assert_int_equal(bpf_map_update_elem(c.fd, &key, &one, BPF_ANY), 0);
	}
	id = kt_map_id(c.fd);
	assert_int_equal(pthread_create(&t, NULL, lpm_churn_thread, &c), 0);

	for (round = 0; round < LPM_ROUNDS; round++) {
		KTSNAP_OPTS(ktsnap_capture_opts, opts, .map_ids = &id, .nr_map_ids = 1,
			    .max_hash_entries = KTSNAP_CAP_NONE, .maps_only = true);
		struct ktsnap_report *r;
		const struct ktsnap_map *m;
		uint64_t *keys;
		uint32_t stable = 0;
		size_t i, n;

		assert_int_equal(ktsnap_capture(&opts, &r), 0);
		m = ktsnap_report__map_by_name(r, "big_lpm");
		assert_non_null(m);
		if (ktsnap_map__error(m)) {
			/* an honest "could not read consistently" is allowed */
			ktsnap_report__free(r);
			continue;
		}
		consistent++;
		n = ktsnap_map__entry_count(m);
		keys = calloc(n + 1, sizeof(*keys));
		assert_non_null(keys);
		for (i = 0; i < n; i++) {
			size_t len;
			const uint8_t *kb = ktsnap_map_entry__key_bytes(ktsnap_map__entry(m, i), &len);

			assert_int_equal(len, 8);
			memcpy(&keys[i], kb, 8);
		}
		qsort(keys, n, sizeof(*keys), cmp_u64);
		for (i = 1; i < n; i++)
			if (keys[i] == keys[i - 1])
				fail_msg("round %d: LPM key %#llx captured twice (%zu entries)", round,
					 (unsigned long long)keys[i], n);
		for (i = 0; i < n; i++) {
			struct kt_lpm_key lk;

			memcpy(&lk, &keys[i], sizeof(lk));
			if (lk.prefixlen == 32 && lk.data < LPM_STABLE)
				stable++;
		}
		if (stable != LPM_STABLE)
			fail_msg("round %d: %u of %u stable LPM keys captured, no map error", round,
				 stable, LPM_STABLE);
		free(keys);
		ktsnap_report__free(r);
	}
	atomic_store(&c.stop, true);
	pthread_join(t, NULL);
	assert_true(c.rounds > 0);
	/* the guard is a retry, not a surrender: most rounds read the trie */
	assert_true(consistent > 0);
	kt_big_close(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(capture_under_churn),
		cmocka_unit_test(lpm_capture_under_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
