/* The shared helpers of src/util.c: growth and its overflow refusal, the
 * path buffer's cut, hex bytes, shortest round-trip digits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util_internal.h"

static void ensure_grows_zeroes_and_refuses_overflow(void **state)
{
	uint32_t *a = NULL;
	size_t cap = 0, i;

	assert_int_equal(KTSNAP_ENSURE(a, cap, 3), 0);
	assert_true(cap >= 3);
	for (i = 0; i < cap; i++)
		assert_int_equal(a[i], 0);
	a[0] = 7;
	assert_int_equal(KTSNAP_ENSURE(a, cap, 1000), 0);
	assert_true(cap >= 1000);
	assert_int_equal(a[0], 7);
	assert_int_equal(a[999], 0);
	i = cap;
	assert_int_equal(KTSNAP_ENSURE(a, cap, SIZE_MAX / 2), -ENOMEM);
	assert_int_equal(cap, i);
	assert_int_equal(a[0], 7);
	free(a);
}

static void str_eq_and_hash(void **state)
{
	assert_true(ktsnap_str_eq(NULL, NULL));
	assert_false(ktsnap_str_eq("a", NULL));
	assert_true(ktsnap_str_eq("ab", "ab"));
	/* the FNV-1a 64 test vector */
	assert_true(ktsnap_fnv1a("a", 1) == 0xaf63dc4c8601ec8cULL);
}

static void pathbuf_cuts_without_overflow(void **state)
{
	struct ktsnap_pathbuf pb = { .len = 0 };
	size_t old, i;

	old = ktsnap_pathbuf_push(&pb, "%s", "maps");
	ktsnap_pathbuf_push(&pb, "[%d]", 3);
	assert_string_equal(pb.s, "maps[3]");
	ktsnap_pathbuf_pop(&pb, old);
	assert_string_equal(pb.s, "");
	for (i = 0; i < 400; i++)
		ktsnap_pathbuf_push(&pb, ".%s", "abcdef");
	assert_int_equal(pb.len, KTSNAP_PATH_MAX - 1);
	assert_int_equal(strlen(pb.s), KTSNAP_PATH_MAX - 1);
}

static void hex_format_cuts_on_pairs(void **state)
{
	const uint8_t b[] = { 0x01, 0xab, 0x00, 0xff };
	char buf[16];

	assert_int_equal(ktsnap_hex_format(buf, sizeof(buf), b, 4), 11);
	assert_string_equal(buf, "01 ab 00 ff");
	assert_int_equal(ktsnap_hex_format(buf, 6, b, 4), 11);
	assert_string_equal(buf, "01 ab");
	assert_int_equal(ktsnap_hex_format(buf, 7, b, 4), 11);
	assert_string_equal(buf, "01 ab");
	assert_int_equal(ktsnap_hex_format(buf, sizeof(buf), b, 0), 0);
	assert_string_equal(buf, "");
}

static void shortest_digits_round_trip(void **state)
{
	assert_int_equal(ktsnap_shortest_digits(0.5), 1);
	assert_int_equal(ktsnap_shortest_digits(0.1), 1);
	assert_int_equal(ktsnap_shortest_digits(1.0 / 3), 16);
	assert_int_equal(ktsnap_shortest_digits(0.1 + 0.2), 17);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ensure_grows_zeroes_and_refuses_overflow),
		cmocka_unit_test(str_eq_and_hash),
		cmocka_unit_test(pathbuf_cuts_without_overflow),
		cmocka_unit_test(hex_format_cuts_on_pairs),
		cmocka_unit_test(shortest_digits_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
