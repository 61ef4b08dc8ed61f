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

static const struct ktsnap_diff_item *find_op(const struct ktsnap_diff *d,
					      enum ktsnap_diff_op op, const char *map,
					      const char *key)
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
	assert_non_null(strstr(text, "{\"op\":\"changed\",\"map\":\"task_ctx\",\"key\":\"100\","
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
	d = ktsnap_diff__new(a, a);
	assert_int_equal(ktsnap_diff__count(d), 0);
	ktsnap_diff__free(d);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(before_after),
		cmocka_unit_test(maps_added_removed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
