// SPDX-License-Identifier: MIT
/* The report model: defaults, placeholders, builders, raw navigation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "report_internal.h"

static void default_report(void **state)
{
	struct ktsnap_report *r = ktsnap_report__new();
	size_t n = 1;

	assert_non_null(r);
	assert_string_equal(ktsnap_report__schema(r), "single");
	assert_int_equal(ktsnap_report__map_count(r), 0);
	assert_false(ktsnap_report__is_placeholder(r));
	assert_null(ktsnap_report__active_obj_name(r));
	assert_null(ktsnap_report__prog_runtime_stats(r, &n));
	assert_int_equal(n, 0);
	assert_null(ktsnap_report__scx_walker_unavailable(r));
	assert_null(ktsnap_report__scx_sched_state(r));
	ktsnap_report__free(r);
	ktsnap_report__free(NULL);
}

static void placeholder_report(void **state)
{
	struct ktsnap_report *r = ktsnap_report__placeholder("rendezvous timed out");

	assert_non_null(r);
	assert_true(ktsnap_report__is_placeholder(r));
	assert_string_equal(ktsnap_report__schema(r), "single");
	assert_int_equal(ktsnap_report__map_count(r), 0);
	assert_string_equal(ktsnap_report__prog_runtime_stats_unavailable(r),
			    "rendezvous timed out");
	assert_string_equal(ktsnap_report__per_node_numa_unavailable(r), "rendezvous timed out");
	assert_string_equal(ktsnap_report__task_enrichments_unavailable(r), "rendezvous timed out");
	assert_string_equal(ktsnap_report__scx_walker_unavailable(r), "rendezvous timed out");
	assert_string_equal(ktsnap_report__sdt_alloc_unavailable(r), "rendezvous timed out");
	ktsnap_report__free(r);
}

static void raw_navigation(void **state)
{
	struct ktsnap_report *r = ktsnap_report__new();
	struct ktsnap_value *s, *ptr, *tr, *arr, *e;
	uint64_t u;
	int64_t i;
	double f;

	/* Ptr{0x10, deref: Struct{x = 7}} */
	s = ktsnap_value_new_struct(r, "t", 1);
	*ktsnap_member_slot(s, 0, "x") = ktsnap_uint_of(32, 7);
	ptr = ktsnap_value_new_ptr(r, 0x10, s, NULL, NULL);
	assert_ptr_equal(ktsnap_value__member(ptr, "x"), ktsnap_mval(s, 0));
	assert_int_equal(ktsnap_value__as_u64(ptr, &u), 0);
	assert_int_equal(u, 0x10);
	assert_ptr_equal(ktsnap_value__get(ptr, "x"), ktsnap_mval(s, 0));
	assert_null(ktsnap_value__get(ptr, "x..y"));
	assert_ptr_equal(ktsnap_value__get(ptr, ""), ptr);

	/* Truncated{partial: Array[a, b]} */
	arr = ktsnap_value_new_array(r, 2, 2);
	*ktsnap_elem_slot(arr, 0) = ktsnap_uint_of(8, 1);
	*ktsnap_elem_slot(arr, 1) = ktsnap_uint_of(8, 2);
	tr = ktsnap_value_new_truncated(r, 2, 2, arr);
	assert_ptr_equal(ktsnap_value__index(tr, 1), ktsnap_elem(arr, 1));
	assert_null(ktsnap_value__index(tr, 2));

	/* unsigned enum holding -1 reads as u64 max; float does not coerce */
	e = ktsnap_value_new_enum(r, 64, false, -1, NULL);
	assert_int_equal(ktsnap_value__as_u64(e, &u), 0);
	assert_true(u == UINT64_MAX);
	e = ktsnap_value_new_enum(r, 64, true, -1, NULL);
	assert_int_equal(ktsnap_value__as_u64(e, &u), -EINVAL);
	assert_int_equal(ktsnap_value__as_i64(e, &i), 0);
	assert_int_equal(i, -1);
	e = ktsnap_value_new(r, KTSNAP_VALUE_FLOAT);
	e->f = 1.5;
	assert_int_equal(ktsnap_value__as_u64(e, &u), -EINVAL);
	assert_int_equal(ktsnap_value__as_f64(e, &f), 0);
	ktsnap_report__free(r);
}

/* Issue #1/#2: the README's chained lookup on a missing map is NULL, not a crash. */
static void null_getters_chain(void **state)
{
	struct ktsnap_report *r = ktsnap_report__new();
	const struct ktsnap_map *m = ktsnap_report__map_by_name(r, "ktsched.bss");
	size_t n = 7, len = 7;
	uint64_t u = 5;
	bool b = true;
	double d = 1;
	int64_t i = 1;

	assert_null(m);
	assert_null(ktsnap_map__value(m));
	assert_null(ktsnap_map__name(m));
	assert_int_equal(ktsnap_map__entry_count(m), 0);
	assert_null(ktsnap_map__entry(m, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(ktsnap_map_entry__key_bytes(ktsnap_map__entry(m, 0), &len));
	assert_int_equal(len, 0);
	assert_null(ktsnap_map_entry__value(NULL));
	assert_null(ktsnap_report__per_cpu_time(NULL, &n));
	assert_int_equal(n, 0);
	assert_null(ktsnap_report__schema(NULL));
	assert_false(ktsnap_report__is_placeholder(NULL));
	assert_int_equal(ktsnap_value__as_u64(ktsnap_map__value(m), &u), -EINVAL);
	assert_int_equal(ktsnap_value__as_u64(ktsnap_value_new_uint(r, 8, 1), NULL), -EINVAL);
	assert_int_equal(ktsnap_value__as_i64(ktsnap_value_new_uint(r, 8, 1), NULL), -EINVAL);
	assert_int_equal(ktsnap_value__as_f64(ktsnap_value_new_uint(r, 8, 1), NULL), -EINVAL);
	assert_int_equal(ktsnap_value__as_bool(ktsnap_value_new_uint(r, 8, 1), NULL), -EINVAL);
	assert_int_equal(u + (uint64_t)b + (uint64_t)d + (uint64_t)i, 8);
	ktsnap_report__free(r);
}

static void hex_string(void **state)
{
	struct ktsnap_report *r = ktsnap_report__new();
	const uint8_t b[] = { 1, 0, 0xab, 0 };

	assert_string_equal(ktsnap_hex_string(&r->arena, b, 4), "01 00 ab 00");
	assert_string_equal(ktsnap_hex_string(&r->arena, b, 0), "");
	ktsnap_report__free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_report),     cmocka_unit_test(placeholder_report),
		cmocka_unit_test(raw_navigation),     cmocka_unit_test(hex_string),
		cmocka_unit_test(null_getters_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
