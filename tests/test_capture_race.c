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
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <ktsnap/capture.h>
#include "fixture.h"
#include "ktsched.h"
#include "ktbig.skel.h"

#define NR_KEYS 100000u
#define NR_STABLE 50000u /* keys [0, NR_STABLE) are never touched */

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
			const uint8_t *kb =
				ktsnap_map_entry__key_bytes(ktsnap_map__entry(m, i), &len);

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

/*
 * ---- 1000 stable 8-byte keys while 30k others are inserted and deleted ----
 * The LPM trie is the kind whose walk restarts; the hash kinds read by
 * bucket and must come out the same without any guard.  Keys are
 * {32, data} for every kind (a /32 prefix for the trie).
 */
#define CH_STABLE 1000u
#define CH_SPAN 30000u
#define CH_ROUNDS 30

struct kind_churn {
	struct churn c;
	uint8_t *val; /* one value (all CPUs' slots for per-CPU kinds) */
};

static void *kind_churn_thread(void *arg)
{
	struct kind_churn *kc = arg;
	uint32_t i = 0;

	while (!atomic_load(&kc->c.stop)) {
		struct kt_lpm_key add = { 32, 1000000 + i % CH_SPAN };
		struct kt_lpm_key del = { 32, 1000000 + (i + CH_SPAN / 2) % CH_SPAN };

		bpf_map_update_elem(kc->c.fd, &add, kc->val, BPF_ANY);
		bpf_map_delete_elem(kc->c.fd, &del);
		i++;
		kc->c.rounds++;
	}
	return NULL;
}

static void churn_kind(int fd, const char *name, size_t val_size)
{
	/* static: a failing assertion leaves the thread running past us */
	static struct kind_churn kc;
	pthread_t t;
	uint32_t id, k;
	int round, consistent = 0;

	memset(&kc, 0, sizeof(kc));
	kc.c.fd = fd;
	kc.val = calloc(1, val_size);
	assert_non_null(kc.val);
	kc.val[0] = 1;
	for (k = 0; k < CH_STABLE; k++) {
		struct kt_lpm_key key = { 32, k };

		assert_int_equal(bpf_map_update_elem(fd, &key, kc.val, BPF_ANY), 0);
	}
	/* half of the churn range present from the start */
	for (k = 0; k < CH_SPAN / 2; k++) {
		struct kt_lpm_key key = { 32, 1000000 + k };

		assert_int_equal(bpf_map_update_elem(fd, &key, kc.val, BPF_ANY), 0);
	}
	id = kt_map_id(fd);
	assert_int_equal(pthread_create(&t, NULL, kind_churn_thread, &kc), 0);

	for (round = 0; round < CH_ROUNDS; round++) {
		KTSNAP_OPTS(ktsnap_capture_opts, opts, .map_ids = &id, .nr_map_ids = 1,
			    .max_hash_entries = KTSNAP_CAP_NONE, .maps_only = true);
		struct ktsnap_report *r;
		const struct ktsnap_map *m;
		uint64_t *keys;
		uint32_t stable = 0;
		size_t i, n;

		assert_int_equal(ktsnap_capture(&opts, &r), 0);
		m = ktsnap_report__map_by_name(r, name);
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
			const uint8_t *kb =
				ktsnap_map_entry__key_bytes(ktsnap_map__entry(m, i), &len);

			assert_int_equal(len, 8);
			memcpy(&keys[i], kb, 8);
		}
		qsort(keys, n, sizeof(*keys), cmp_u64);
		for (i = 1; i < n; i++)
			if (keys[i] == keys[i - 1])
				fail_msg("%s round %d: key %#llx captured twice (%zu entries)",
					 name, round, (unsigned long long)keys[i], n);
		for (i = 0; i < n; i++) {
			struct kt_lpm_key lk;

			memcpy(&lk, &keys[i], sizeof(lk));
			if (lk.prefixlen == 32 && lk.data < CH_STABLE)
				stable++;
		}
		if (stable != CH_STABLE)
			fail_msg("%s round %d: %u of %u stable keys captured, no map error", name,
				 round, stable, CH_STABLE);
		free(keys);
		ktsnap_report__free(r);
	}
	atomic_store(&kc.c.stop, true);
	pthread_join(t, NULL);
	assert_true(kc.c.rounds > 0);
	/* the guard is a retry, not a surrender: rounds do read the map */
	assert_true(consistent > 0);
	free(kc.val);
}

static void lpm_capture_under_churn(void **state)
{
	struct ktbig *big;

	assert_int_equal(kt_big_open(&big), 0);
	churn_kind(bpf_map__fd(big->maps.big_lpm), "big_lpm", 4);
	kt_big_close(big);
}

/* LRU_HASH and PERCPU_HASH under the same churn need no guard. */
static void hash_kinds_under_churn(void **state)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo);
	int ncpu = libbpf_num_possible_cpus();
	int lru = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "kt_churn_lru", 8, 4, 65536, &mo);
	int pch = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "kt_churn_pcpuh", 8, 8, 65536, &mo);

	assert_true(lru >= 0 && pch >= 0 && ncpu > 0);
	churn_kind(lru, "kt_churn_lru", 4);
	churn_kind(pch, "kt_churn_pcpuh", (size_t)ncpu * 8);
	close(lru);
	close(pch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(capture_under_churn),
		cmocka_unit_test(lpm_capture_under_churn),
		cmocka_unit_test(hash_kinds_under_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
