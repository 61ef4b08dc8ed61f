// SPDX-License-Identifier: MIT
/* Report diff on two hand-made reports that differ like before/after. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ktsnap/diff.h>
#include <ktsnap/json.h>

#include "report_builder.h"
#include "diff_internal.h"

static const struct ktsnap_diff_item *find_op(const struct ktsnap_diff *d, enum ktsnap_diff_op op,
					      const char *map, const char *key)
{
	size_t i;

	for (i = 0; i < ktsnap_diff__count(d); i++) {
		const struct ktsnap_diff_item *it = ktsnap_diff__item(d, i);

		if (it->op == op && !strcmp(it->map, map) &&
		    (!key || (it->key && !strcmp(it->key, key))))
			return it;
	}
	return NULL;
}

/* A report diffed against itself has no items. */
static void assert_no_self_diff(const struct ktsnap_report *r)
{
	struct ktsnap_diff *d = ktsnap_diff__new(r, r);

	assert_non_null(d);
	assert_int_equal(ktsnap_diff__count(d), 0);
	ktsnap_diff__free(d);
}

static void before_after(void **state)
{
	struct ktsnap_report *a = rb_full_report(0), *b = rb_full_report(2);
	struct ktsnap_diff *d = ktsnap_diff__new(a, b);
	const struct ktsnap_diff_item *it;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(d);
	it = ktsnap_diff__find(d, "ktsched.bss", NULL, "nr_switches");
	assert_non_null(it);
	assert_string_equal(it->old_text, "1000");
	assert_string_equal(it->new_text, "1074");
	assert_true(it->has_delta);
	assert_false(it->delta_negative);
	assert_int_equal(it->delta, 74);

	it = ktsnap_diff__find(d, "ktsched.bss", NULL, "load");
	assert_true(it->delta_is_float);
	assert_true(it->fdelta > 0.64 && it->fdelta < 0.66);

	it = ktsnap_diff__find(d, "task_ctx", "100", "nr_runs");
	assert_non_null(it);
	assert_int_equal(it->delta, 8);
	assert_non_null(find_op(d, KTSNAP_DIFF_ENTRY_REMOVED, "task_ctx", "200"));
	assert_non_null(find_op(d, KTSNAP_DIFF_ENTRY_ADDED, "task_ctx", "300"));
	/* unchanged members produce nothing */
	assert_null(ktsnap_diff__find(d, "task_ctx", "100", "magic"));
	assert_null(ktsnap_diff__find(d, "ktsched.data", NULL, "nan"));

	it = ktsnap_diff__find(d, "pcpu_stats", "0", "per_cpu[2].nr_switches");
	assert_non_null(it);
	assert_int_equal(it->delta, 4);
	assert_null(ktsnap_diff__find(d, "pcpu_stats", "0", "per_cpu[0].nr_switches"));
	it = ktsnap_diff__find(d, "pcpu_hash", "100", "per_cpu[1]");
	assert_int_equal(it->delta, 2);
	it = ktsnap_diff__find(d, "events", NULL, "ringbuf.producer_pos");
	assert_int_equal(it->delta, 32);

	f = open_memstream(&text, &len);
	assert_int_equal(ktsnap_diff__write_text(d, f), 0);
	fclose(f);
	assert_non_null(strstr(text, "ktsched.bss:\n  nr_switches: 1000 → 1074 (+74)\n"));
	assert_non_null(strstr(text, "task_ctx:\n"));
	assert_non_null(strstr(text, "  [100] nr_runs: 3 → 11 (+8)\n"));
	assert_non_null(strstr(text, "  - [200]\n"));
	assert_non_null(strstr(text, "  + [300]\n"));
	free(text);

	f = open_memstream(&text, &len);
	assert_int_equal(ktsnap_diff__write_json(d, f, 0), 0);
	fclose(f);
	assert_non_null(strstr(text,
			       "{\"op\":\"changed\",\"map\":\"task_ctx\",\"key\":\"100\","
			       "\"path\":\"nr_runs\",\"old\":{\"kind\":\"uint\",\"bits\":64,"
			       "\"value\":3},\"new\":{\"kind\":\"uint\",\"bits\":64,\"value\":11},"
			       "\"delta\":8}"));
	free(text);
	ktsnap_diff__free(d);

	/* reversed: negative deltas, added/removed swap */
	d = ktsnap_diff__new(b, a);
	it = ktsnap_diff__find(d, "ktsched.bss", NULL, "nr_switches");
	assert_true(it->delta_negative);
	assert_int_equal(it->delta, 74);
	assert_non_null(find_op(d, KTSNAP_DIFF_ENTRY_ADDED, "task_ctx", "200"));
	ktsnap_diff__free(d);

	/* identical reports */
	assert_no_self_diff(a);
	ktsnap_report__free(a);
	ktsnap_report__free(b);
}

static void maps_added_removed(void **state)
{
	struct ktsnap_report *a = ktsnap_report__new(), *b = ktsnap_report__new();
	struct ktsnap_diff *d;

	ktsnap_report_add_map(a, "gone");
	ktsnap_report_add_map(a, "both")->max_entries = 1;
	ktsnap_report_add_map(b, "both")->max_entries = 2;
	ktsnap_report_add_map(b, "new");
	d = ktsnap_diff__new(a, b);
	assert_int_equal(ktsnap_diff__count(d), 3);
	assert_int_equal(ktsnap_diff__item(d, 0)->op, KTSNAP_DIFF_MAP_REMOVED);
	assert_string_equal(ktsnap_diff__item(d, 0)->map, "gone");
	assert_int_equal(ktsnap_diff__item(d, 1)->op, KTSNAP_DIFF_MAP_CHANGED);
	assert_string_equal(ktsnap_diff__item(d, 1)->path, "max_entries");
	assert_int_equal(ktsnap_diff__item(d, 2)->op, KTSNAP_DIFF_MAP_ADDED);
	assert_null(ktsnap_diff__item(d, 3));
	ktsnap_diff__free(d);
	ktsnap_report__free(a);
	ktsnap_report__free(b);
	assert_null(ktsnap_diff__new(NULL, NULL));
	assert_int_equal(errno, EINVAL);
}

/* A raw hash map (no BTF) whose entry i has key @keys[i] and value @vals[i]. */
static struct ktsnap_map *raw_hash(struct ktsnap_report *r, const char *name, uint32_t n,
				   const uint32_t *keys, const uint32_t *vals)
{
	struct ktsnap_map *m = rb_hash(r, name, n, false);
	uint32_t i;

	m->value_size = 4;
	for (i = 0; i < n; i++) {
		struct ktsnap_map_entry *e = &m->entries[i];
		uint32_t *v = ktsnap_arena_alloc(&r->arena, 4);

		assert_non_null(v);
		memcpy((uint8_t *)e->key, &keys[i], 4);
		*v = vals[i];
		e->val = (const uint8_t *)v;
		e->val_len = 4;
	}
	return m;
}

/* Duplicate keys pair in order of appearance; the surplus is removed / added. */
static void duplicate_keys_pair_in_order(void **state)
{
	static const uint32_t ka[] = { 1, 7, 1, 1 }, va[] = { 10, 70, 20, 30 };
	static const uint32_t kb[] = { 1, 1, 7, 7 }, vb[] = { 10, 21, 70, 71 };
	struct ktsnap_report *a = ktsnap_report__new(), *b = ktsnap_report__new();
	const struct ktsnap_diff_item *it;
	struct ktsnap_diff *d;

	raw_hash(a, "dups", 4, ka, va);
	raw_hash(b, "dups", 4, kb, vb);
	d = ktsnap_diff__new(a, b);
	assert_non_null(d);
	/* a's 1st key-1 (10) ~ b's 1st (10): same; a's 2nd (20) ~ b's 2nd (21);
	 * a's 3rd (30) has no partner; key 7: 70 ~ 70, b's second 7 is new */
	assert_int_equal(ktsnap_diff__count(d), 3);
	it = ktsnap_diff__item(d, 0);
	assert_int_equal(it->op, KTSNAP_DIFF_VALUE_CHANGED);
	assert_string_equal(it->key, "hex:01 00 00 00");
	assert_string_equal(it->old_text, "14 00 00 00");
	assert_string_equal(it->new_text, "15 00 00 00");
	it = ktsnap_diff__item(d, 1);
	assert_int_equal(it->op, KTSNAP_DIFF_ENTRY_REMOVED);
	assert_string_equal(it->key, "hex:01 00 00 00");
	it = ktsnap_diff__item(d, 2);
	assert_int_equal(it->op, KTSNAP_DIFF_ENTRY_ADDED);
	assert_string_equal(it->key, "hex:07 00 00 00");
	ktsnap_diff__free(d);

	/* a self-diff with duplicates is empty */
	assert_no_self_diff(a);
	ktsnap_report__free(a);
	ktsnap_report__free(b);
}

/*
 * Reliability #4: 130k entries sharing one key against 13k took minutes
 * (every lookup walked past all paired duplicates).  Assert on the work,
 * not the time: the key comparisons stay within a small multiple of the
 * entry count, with and without duplicates.
 */
static void duplicate_keys_stay_linear(void **state)
{
	const uint32_t na = 40000, nb = 20000;
	uint32_t *keys = calloc(na, sizeof(*keys)), *vals = calloc(na, sizeof(*vals)), i;
	struct ktsnap_report *a = ktsnap_report__new(), *b = ktsnap_report__new();
	struct ktsnap_report *c = ktsnap_report__new();
	struct ktsnap_diff *d;
	size_t removed = 0, added = 0;

	assert_non_null(keys);
	assert_non_null(vals);
	for (i = 0; i < na; i++)
		vals[i] = i;
	/* every entry has key 1 */
	raw_hash(a, "m", na, keys, vals);
	raw_hash(b, "m", nb, keys, vals);
	d = ktsnap_diff__new(a, b);
	assert_non_null(d);
	assert_true(ktsnap_diff_key_compares(d) <= 2 * (size_t)(na + nb));
	for (i = 0; i < ktsnap_diff__count(d); i++) {
		enum ktsnap_diff_op op = ktsnap_diff__item(d, i)->op;

		removed += op == KTSNAP_DIFF_ENTRY_REMOVED;
		added += op == KTSNAP_DIFF_ENTRY_ADDED;
	}
	/* paired in order: the first nb are equal, the rest of a is removed
	 * (plus the max_entries change) */
	assert_int_equal(ktsnap_diff__count(d), na - nb + 1);
	assert_int_equal(removed, na - nb);
	assert_int_equal(added, 0);
	ktsnap_diff__free(d);

	/* the same bound with distinct keys */
	for (i = 0; i < na; i++)
		keys[i] = i * 2654435761u;
	raw_hash(c, "m", na, keys, vals);
	d = ktsnap_diff__new(c, c);
	assert_int_equal(ktsnap_diff__count(d), 0);
	assert_true(ktsnap_diff_key_compares(d) <= 4 * (size_t)(na + na));
	ktsnap_diff__free(d);

	free(keys);
	free(vals);
	ktsnap_report__free(a);
	ktsnap_report__free(b);
	ktsnap_report__free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(before_after),
		cmocka_unit_test(maps_added_removed),
		cmocka_unit_test(duplicate_keys_pair_in_order),
		cmocka_unit_test(duplicate_keys_stay_linear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
