// SPDX-License-Identifier: MIT
/* Human-readable rendering of values (spec §4.3; FEATURES F53, F54). */
#include <errno.h>
#include <math.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <ktsnap/display.h>
#include "report_internal.h"

static struct ktsnap_report *R;

static int setup(void **state)
{
	R = ktsnap_report__new();
	return R ? 0 : -1;
}

static int teardown(void **state)
{
	ktsnap_report__free(R);
	return 0;
}

/* Format @v and compare, also checking the snprintf return. */
#define assert_fmt(v, want)                                         \
	do {                                                        \
		char _b[1024];                                      \
		int _n = ktsnap_value__format((v), _b, sizeof(_b)); \
		assert_string_equal(_b, (want));                    \
		assert_int_equal(_n, strlen(want));                 \
	} while (0)

static struct ktsnap_value U(uint32_t bits, uint64_t x) {
	return ktsnap_uint_of(bits, x);
}

static struct ktsnap_value
I(uint32_t bits, int64_t x) {
	return ktsnap_int_of(bits, x);
}

static struct ktsnap_value
C(uint8_t c) {
	return ktsnap_char_of(c);
}

static struct ktsnap_value
F(double d) {
	return ktsnap_float_of(64, d);
}

static struct ktsnap_value *
chars(const char *s, uint32_t n)
{
	struct ktsnap_value *a = ktsnap_value_new_array(R, n, n);
	uint32_t i;

	for (i = 0; i < n; i++)
		*ktsnap_elem_slot(a, i) = C((uint8_t)s[i]);
	return a;
}

/* One value and the text it formats to. */
struct fmt_case {
	struct ktsnap_value v;
	const char *want;
};

static void assert_fmts(const struct fmt_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_fmt(&c[i].v, c[i].want);
}

#define ASSERT_FMTS(cases) assert_fmts(cases, sizeof(cases) / sizeof(cases[0]))

static void scalars(void **state)
{
	const struct fmt_case cases[] = {
		{ I(32, -42), "-42" },
		{ U(64, UINT64_MAX), "18446744073709551615" },
		{ ktsnap_bool_of(true), "true" },
		{ C(65), "'A'" },
		{ C(7), "0x07" },
		{ C(0x7f), "0x7f" },
		{ C(' '), "' '" },
	};
	struct ktsnap_value v = ktsnap_bool_of(true);

	ASSERT_FMTS(cases);
	v.b = false;
	assert_fmt(&v, "false");
}

static void floats(void **state)
{
	const struct fmt_case cases[] = {
		{ F(1.0), "1" },
		{ F(1.5), "1.5" },
		{ F(0.1), "0.1" },
		{ F(-2.25), "-2.25" },
		{ F(1e20), "100000000000000000000" },
		{ F(1.5e-7), "0.00000015" },
		{ F(NAN), "NaN" },
		{ F(INFINITY), "inf" },
		{ F(-INFINITY), "-inf" },
		{ F(123456.789), "123456.789" },
	};
	char b[64];

	ASSERT_FMTS(cases);
	/* round trip of an awkward value */
	ktsnap_f64__format(0.30000000000000004, b, sizeof(b));
	assert_string_equal(b, "0.30000000000000004");
	assert_true(strtod(b, NULL) == 0.30000000000000004);
}

static void enums(void **state)
{
	struct ktsnap_value v;

	ktsnap_value_set_enum(&R->arena, &v, 32, false, 2, "X");
	assert_fmt(&v, "X (2)");
	ktsnap_value_set_enum(&R->arena, &v, 32, false, 2, NULL);
	assert_fmt(&v, "2");
	/* unsigned: the u64 bit pattern */
	ktsnap_value_set_enum(&R->arena, &v, 32, false, -1, NULL);
	assert_fmt(&v, "18446744073709551615");
	ktsnap_value_set_enum(&R->arena, &v, 32, true, -3, "KT_SIGN_NEG");
	assert_fmt(&v, "KT_SIGN_NEG (-3)");
}

static void pointers_and_misc(void **state)
{
	struct ktsnap_value three = U(32, 3);
	struct ktsnap_value v;
	struct ktsnap_value t;

	ktsnap_value_set_ptr(&R->arena, &v, 0x1f, &three, NULL, "cast→arena");
	assert_fmt(&v, "0x1f (cast→arena) → 3");
	ktsnap_value_set_ptr(&R->arena, &v, 0x1f, NULL, "cycle at 0x1f", NULL);
	assert_fmt(&v, "0x1f [cycle]");
	ktsnap_value_set_ptr(&R->arena, &v, 0x1f, NULL, "r", NULL);
	assert_fmt(&v, "0x1f [chase: r]");
	ktsnap_value_set_ptr(&R->arena, &v, 0x1f, NULL, NULL, NULL);
	assert_fmt(&v, "0x1f");

	ktsnap_value_set_str(&t, KTSNAP_VALUE_CPU_LIST, "0-2,5");
	assert_fmt(&t, "cpus={0-2,5}");
	ktsnap_value_set_str(&t, KTSNAP_VALUE_BYTES, "01 00 ff");
	assert_fmt(&t, "01 00 ff");
	ktsnap_value_set_str(&t, KTSNAP_VALUE_UNSUPPORTED, "FUNC");
	assert_fmt(&t, "<unsupported: FUNC>");
	ktsnap_value_set_truncated(&R->arena, &t, 8, 0, &three);
	assert_fmt(&t, "");
	ktsnap_value_set_truncated(&R->arena, &t, 8, 4, &three);
	assert_fmt(&t, "<truncated needed=8 had=4> 3");
}

static void structs(void **state)
{
	struct ktsnap_value *s = ktsnap_value_new_struct(R, "t", 2), *anon, *outer;

	*ktsnap_member_slot(s, 0, "a") = U(32, 1);
	*ktsnap_member_slot(s, 1, "b") = U(32, 0);
	assert_fmt(s, "t{a=1}");
	*ktsnap_member_slot(s, 1, "b") = I(32, -2);
	assert_fmt(s, "t{a=1, b=-2}");
	*ktsnap_member_slot(s, 0, "a") = U(32, 0);
	*ktsnap_member_slot(s, 1, "b") = U(32, 0);
	assert_fmt(s, "t{}");

	anon = ktsnap_value_new_struct(R, NULL, 1);
	*ktsnap_member_slot(anon, 0, "x") = U(8, 9);
	assert_fmt(anon, "{x=9}");

	/* deeply-zero aggregate members are hidden; non-zero nest inline */
	outer = ktsnap_value_new_struct(R, "o", 3);
	*ktsnap_member_slot(outer, 0, "z") = *s;
	*ktsnap_member_slot(outer, 1, "in") = *anon;
	*ktsnap_member_slot(outer, 2, "comm") = *chars("hi\0", 3);
	assert_fmt(outer, "o{in={x=9}, comm=\"hi\"}");

	/* ___fmt members holding strings are hidden */
	ktsnap_member_slot(outer, 2, "____fmt");
	assert_fmt(outer, "o{in={x=9}}");
}

static void arrays(void **state)
{
	struct ktsnap_value *a = ktsnap_value_new_array(R, 3, 3), *b, *s;
	uint32_t i;

	for (i = 0; i < 3; i++)
		*ktsnap_elem_slot(a, i) = U(32, 0);
	assert_fmt(a, "[all 3 zero]");
	assert_fmt(chars("hi\0", 3), "\"hi\"");
	assert_fmt(chars("a\"b\n\0", 5), "\"a\\\"b\\n\"");
	/* first byte NUL or not printable: not text */
	assert_fmt(chars("\0h", 2), "[0x00, 'h']");
	b = ktsnap_value_new_array(R, 0, 0);
	assert_fmt(b, "[]");

	/* dense; u64 elements in hex */
	*ktsnap_elem_slot(a, 0) = U(16, 1);
	*ktsnap_elem_slot(a, 1) = U(16, 2);
	*ktsnap_elem_slot(a, 2) = U(16, 0);
	assert_fmt(a, "[1, 2, 0]");
	*ktsnap_elem_slot(a, 0) = U(32, 1);
	assert_fmt(a, "[0x1, 2, 0]");
	b = ktsnap_value_new_array(R, 2, 2);
	*ktsnap_elem_slot(b, 0) = U(64, 255);
	*ktsnap_elem_slot(b, 1) = I(64, -1);
	assert_fmt(b, "[0xff, -1]");
	*ktsnap_elem_slot(b, 0) = U(16, 255);
	assert_fmt(b, "[255, -1]");

	/* sparse runs */
	b = ktsnap_value_new_array(R, 10, 10);
	for (i = 0; i < 10; i++)
		*ktsnap_elem_slot(b, i) = U(16, 0);
	*ktsnap_elem_slot(b, 1) = U(16, 7);
	*ktsnap_elem_slot(b, 5) = U(16, 1);
	*ktsnap_elem_slot(b, 6) = U(16, 2);
	assert_fmt(b, "[1]=7  [5..6]={1, 2}");

	/* truncation note */
	ktsnap_array_set_len(b, 5000);
	assert_fmt(b, "[1]=7  [5..6]={1, 2} /* 10 of 5000 shown */");

	/* arrays of aggregates: groups of equal elements, zero ones hidden */
	b = ktsnap_value_new_array(R, 4, 4);
	for (i = 0; i < 4; i++) {
		s = ktsnap_value_new_struct(R, "d", 1);
		*ktsnap_member_slot(s, 0, "id") = U(64, i < 3 ? 0 : 0);
		*ktsnap_elem_slot(b, i) = *s;
	}
	assert_fmt(b, "[all 4 zero]");
	*ktsnap_member_slot(ktsnap_elem_slot(b, 1), 0, "id") = U(64, 5);
	*ktsnap_member_slot(ktsnap_elem_slot(b, 2), 0, "id") = U(64, 5);
	*ktsnap_member_slot(ktsnap_elem_slot(b, 3), 0, "id") = U(64, 6);
	assert_fmt(b, "[[1-2] d{id=5}, [3] d{id=6}]");
}

static void snprintf_semantics(void **state)
{
	struct ktsnap_value v = U(64, 123456);
	char b[4];

	assert_int_equal(ktsnap_value__format(&v, b, sizeof(b)), 6);
	assert_string_equal(b, "123");
	assert_int_equal(ktsnap_value__format(&v, NULL, 0), 6);
	assert_int_equal(ktsnap_value__format(NULL, b, sizeof(b)), -EINVAL);
	assert_string_equal(b, "");
}

static char *pretty(const struct ktsnap_value *v, int indent)
{
	int n = ktsnap_value__format_pretty(v, indent, NULL, 0);
	char *b = malloc((size_t)n + 1);

	assert_int_equal(ktsnap_value__format_pretty(v, indent, b, (size_t)n + 1), n);
	return b;
}

static void multi_line(void **state)
{
	struct ktsnap_value *s = ktsnap_value_new_struct(R, "task", 6), *in, *arr;
	char *out, tmpl[] = "/tmp/ktsnap-display-XXXXXX";
	uint32_t i;
	FILE *f;
	int fd, n;

	/* short: one line */
	*ktsnap_member_slot(s, 0, "pid") = I(32, 42);
	s->n = 1;
	out = pretty(s, 0);
	assert_string_equal(out, "task{pid=42}\n");
	free(out);

	s->n = 6;
	*ktsnap_member_slot(s, 1, "tgid") = I(32, 41);
	*ktsnap_member_slot(s, 2, "weight") = U(64, 100);
	*ktsnap_member_slot(s, 3, "vtime") = U(64, 7);
	in = ktsnap_value_new_struct(R, "inner", 1);
	*ktsnap_member_slot(in, 0, "a_rather_long_member_name_for_wrapping") = U(64, 123456789);
	*ktsnap_member_slot(s, 4, "ctx") = *in;
	arr = ktsnap_value_new_array(R, 40, 40);
	for (i = 0; i < 40; i++)
		*ktsnap_elem_slot(arr, i) = U(64, 0x1000 + i);
	*ktsnap_member_slot(s, 5, "slots") = *arr;
	out = pretty(s, 1);
	/* breadcrumb, scalars three per row, compound members on own lines,
	 * long arrays wrapped within 120 columns */
	assert_true(
		!strncmp(out,
			 "  task:\n    pid=42  tgid=41  weight=100\n    vtime=7\n"
			 "    ctx=inner{a_rather_long_member_name_for_wrapping=123456789}\n"
			 "    slots=[0x1000, ",
			 strlen("  task:\n    pid=42  tgid=41  weight=100\n    vtime=7\n"
				"    ctx=inner{a_rather_long_member_name_for_wrapping=123456789}\n"
				"    slots=[0x1000, ")));
	{
		char *line = out, *nl;

		while ((nl = strchr(line, '\n'))) {
			assert_true(nl - line <= 120);
			line = nl + 1;
		}
	}
	assert_non_null(strstr(out, "0x1027]\n"));
	assert_int_equal(out[strlen(out) - 1], '\n');

	/* the FILE form writes the same bytes */
	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	f = fdopen(fd, "w+");
	n = ktsnap_value__fprint(s, f, 1);
	assert_int_equal(n, strlen(out));
	rewind(f);
	{
		char *back = calloc(1, (size_t)n + 1);

		assert_int_equal(fread(back, 1, (size_t)n, f), n);
		assert_string_equal(back, out);
		free(back);
	}
	fclose(f);
	unlink(tmpl);
	free(out);
	assert_int_equal(ktsnap_value__fprint(NULL, stdout, 0), -EINVAL);
}

static void multi_line_text_block(void **state)
{
	struct ktsnap_value *s = ktsnap_value_new_struct(R, "msg", 1);
	char *out;

	*ktsnap_member_slot(s, 0, "text") = *chars("line one\nline two\0", 18);
	out = pretty(s, 0);
	assert_string_equal(out, "msg:\n  text: |\n    line one\n    line two\n");
	free(out);
	out = pretty(ktsnap_mval(s, 0), 0);
	assert_string_equal(out, "|\n  line one\n  line two\n");
	free(out);
}

static void deep_nesting_is_bounded(void **state)
{
	struct ktsnap_value *v = ktsnap_value_new_uint(R, 32, 1), *p;
	char b[4096];
	int i;

	for (i = 0; i < 200; i++) {
		p = ktsnap_value_new_ptr(R, 0x10, v, NULL, NULL);
		v = p;
	}
	assert_true(ktsnap_value__format(v, b, sizeof(b)) > 0);
	assert_non_null(strstr(b, "…"));
	free(pretty(v, 0));
}

/* #5: an absurd indent is refused instead of printing megabytes of spaces. */
static void indent_is_bounded(void **state)
{
	struct ktsnap_value *v = ktsnap_value_new_uint(R, 32, 1);
	FILE *f = fopen("/dev/null", "w");
	char b[256];
	int n;

	assert_non_null(f);
	assert_int_equal(ktsnap_value__format_pretty(v, INT_MAX, b, sizeof(b)), -EINVAL);
	assert_string_equal(b, "");
	assert_int_equal(ktsnap_value__fprint(v, f, 1000000), -EINVAL);
	n = ktsnap_value__format_pretty(v, KTSNAP_PRETTY_MAX_INDENT, b, sizeof(b));
	assert_int_equal(n, KTSNAP_PRETTY_MAX_INDENT * 2 + 2);
	assert_int_equal(ktsnap_value__format_pretty(v, -5, b, sizeof(b)), 2);
	assert_string_equal(b, "1\n");
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scalars),
		cmocka_unit_test(floats),
		cmocka_unit_test(enums),
		cmocka_unit_test(pointers_and_misc),
		cmocka_unit_test(structs),
		cmocka_unit_test(arrays),
		cmocka_unit_test(snprintf_semantics),
		cmocka_unit_test(multi_line),
		cmocka_unit_test(multi_line_text_block),
		cmocka_unit_test(deep_nesting_is_bounded),
		cmocka_unit_test(indent_is_bounded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
