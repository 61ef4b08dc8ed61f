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
	return (struct ktsnap_value){ .kind = KTSNAP_VALUE_UINT, .u = { bits, x } };
}

static struct ktsnap_value
I(uint32_t bits, int64_t x) {
	return (struct ktsnap_value){ .kind = KTSNAP_VALUE_INT, .i = { bits, x } };
}

static struct ktsnap_value
C(uint8_t c) {
	return (struct ktsnap_value){ .kind = KTSNAP_VALUE_CHAR, .c = c };
}

static struct ktsnap_value
F(double d) {
	return (struct ktsnap_value){ .kind = KTSNAP_VALUE_FLOAT, .f = { 64, d } };
}

static struct ktsnap_value *
chars(const char *s, uint32_t n)
{
	struct ktsnap_value *a = ktsnap_value_new_array(R, n, n);
	uint32_t i;

	for (i = 0; i < n; i++)
		a->a.elems[i] = C((uint8_t)s[i]);
	return a;
}

static void scalars(void **state)
{
	struct ktsnap_value v;

	v = I(32, -42);
	assert_fmt(&v, "-42");
	v = U(64, UINT64_MAX);
	assert_fmt(&v, "18446744073709551615");
	v = (struct ktsnap_value){ .kind = KTSNAP_VALUE_BOOL, .b = true };
	assert_fmt(&v, "true");
	v.b = false;
	assert_fmt(&v, "false");
	v = C(65);
	assert_fmt(&v, "'A'");
	v = C(7);
	assert_fmt(&v, "0x07");
	v = C(0x7f);
	assert_fmt(&v, "0x7f");
	v = C(' ');
	assert_fmt(&v, "' '");
}

static void floats(void **state)
{
	struct ktsnap_value v;
	char b[64];

	v = F(1.0);
	assert_fmt(&v, "1");
	v = F(1.5);
	assert_fmt(&v, "1.5");
	v = F(0.1);
	assert_fmt(&v, "0.1");
	v = F(-2.25);
	assert_fmt(&v, "-2.25");
	v = F(1e20);
	assert_fmt(&v, "100000000000000000000");
	v = F(1.5e-7);
	assert_fmt(&v, "0.00000015");
	v = F(NAN);
	assert_fmt(&v, "NaN");
	v = F(INFINITY);
	assert_fmt(&v, "inf");
	v = F(-INFINITY);
	assert_fmt(&v, "-inf");
	v = F(123456.789);
	assert_fmt(&v, "123456.789");
	/* round trip of an awkward value */
	ktsnap_f64__format(0.30000000000000004, b, sizeof(b));
	assert_string_equal(b, "0.30000000000000004");
	assert_true(strtod(b, NULL) == 0.30000000000000004);
}

static void enums(void **state)
{
	struct ktsnap_value v = { .kind = KTSNAP_VALUE_ENUM, .e = { 32, false, 2, "X" } };

	assert_fmt(&v, "X (2)");
	v.e.variant = NULL;
	assert_fmt(&v, "2");
	/* unsigned: the u64 bit pattern */
	v.e.v = -1;
	assert_fmt(&v, "18446744073709551615");
	v.e.is_signed = true;
	v.e.v = -3;
	v.e.variant = "KT_SIGN_NEG";
	assert_fmt(&v, "KT_SIGN_NEG (-3)");
}

static void pointers_and_misc(void **state)
{
	struct ktsnap_value three = U(32, 3);
	struct ktsnap_value v = { .kind = KTSNAP_VALUE_PTR };
	struct ktsnap_value t;

	v.p.v = 0x1f;
	v.p.cast = "cast→arena";
	v.p.deref = &three;
	assert_fmt(&v, "0x1f (cast→arena) → 3");
	v.p.cast = NULL;
	v.p.deref = NULL;
	v.p.skip_reason = "cycle at 0x1f";
	assert_fmt(&v, "0x1f [cycle]");
	v.p.skip_reason = "r";
	assert_fmt(&v, "0x1f [chase: r]");
	v.p.skip_reason = NULL;
	assert_fmt(&v, "0x1f");

	t = (struct ktsnap_value){ .kind = KTSNAP_VALUE_CPU_LIST, .cpus = "0-2,5" };
	assert_fmt(&t, "cpus={0-2,5}");
	t = (struct ktsnap_value){ .kind = KTSNAP_VALUE_BYTES, .hex = "01 00 ff" };
	assert_fmt(&t, "01 00 ff");
	t = (struct ktsnap_value){ .kind = KTSNAP_VALUE_UNSUPPORTED, .reason = "FUNC" };
	assert_fmt(&t, "<unsupported: FUNC>");
	t = (struct ktsnap_value){ .kind = KTSNAP_VALUE_TRUNCATED,
				   .t = { .needed = 8, .had = 0, .partial = &three } };
	assert_fmt(&t, "");
	t.t.had = 4;
	assert_fmt(&t, "<truncated needed=8 had=4> 3");
}

static void structs(void **state)
{
	struct ktsnap_value *s = ktsnap_value_new_struct(R, "t", 2), *anon, *outer;

	s->s.m[0].name = "a";
	s->s.m[0].v = U(32, 1);
	s->s.m[1].name = "b";
	s->s.m[1].v = U(32, 0);
	assert_fmt(s, "t{a=1}");
	s->s.m[1].v = I(32, -2);
	assert_fmt(s, "t{a=1, b=-2}");
	s->s.m[0].v = U(32, 0);
	s->s.m[1].v = U(32, 0);
	assert_fmt(s, "t{}");

	anon = ktsnap_value_new_struct(R, NULL, 1);
	anon->s.m[0].name = "x";
	anon->s.m[0].v = U(8, 9);
	assert_fmt(anon, "{x=9}");

	/* deeply-zero aggregate members are hidden; non-zero nest inline */
	outer = ktsnap_value_new_struct(R, "o", 3);
	outer->s.m[0].name = "z";
	outer->s.m[0].v = *s;
	outer->s.m[1].name = "in";
	outer->s.m[1].v = *anon;
	outer->s.m[2].name = "comm";
	outer->s.m[2].v = *chars("hi\0", 3);
	assert_fmt(outer, "o{in={x=9}, comm=\"hi\"}");

	/* ___fmt members holding strings are hidden */
	outer->s.m[2].name = "____fmt";
	assert_fmt(outer, "o{in={x=9}}");
}

static void arrays(void **state)
{
	struct ktsnap_value *a = ktsnap_value_new_array(R, 3, 3), *b, *s;
	uint32_t i;

	for (i = 0; i < 3; i++)
		a->a.elems[i] = U(32, 0);
	assert_fmt(a, "[all 3 zero]");
	assert_fmt(chars("hi\0", 3), "\"hi\"");
	assert_fmt(chars("a\"b\n\0", 5), "\"a\\\"b\\n\"");
	/* first byte NUL or not printable: not text */
	assert_fmt(chars("\0h", 2), "[0x00, 'h']");
	b = ktsnap_value_new_array(R, 0, 0);
	assert_fmt(b, "[]");

	/* dense; u64 elements in hex */
	a->a.elems[0] = U(16, 1);
	a->a.elems[1] = U(16, 2);
	a->a.elems[2] = U(16, 0);
	assert_fmt(a, "[1, 2, 0]");
	a->a.elems[0] = U(32, 1);
	assert_fmt(a, "[0x1, 2, 0]");
	b = ktsnap_value_new_array(R, 2, 2);
	b->a.elems[0] = U(64, 255);
	b->a.elems[1] = I(64, -1);
	assert_fmt(b, "[0xff, -1]");
	b->a.elems[0] = U(16, 255);
	assert_fmt(b, "[255, -1]");

	/* sparse runs */
	b = ktsnap_value_new_array(R, 10, 10);
	for (i = 0; i < 10; i++)
		b->a.elems[i] = U(16, 0);
	b->a.elems[1] = U(16, 7);
	b->a.elems[5] = U(16, 1);
	b->a.elems[6] = U(16, 2);
	assert_fmt(b, "[1]=7  [5..6]={1, 2}");

	/* truncation note */
	b->a.len = 5000;
	assert_fmt(b, "[1]=7  [5..6]={1, 2} /* 10 of 5000 shown */");

	/* arrays of aggregates: groups of equal elements, zero ones hidden */
	b = ktsnap_value_new_array(R, 4, 4);
	for (i = 0; i < 4; i++) {
		s = ktsnap_value_new_struct(R, "d", 1);
		s->s.m[0].name = "id";
		s->s.m[0].v = U(64, i < 3 ? 0 : 0);
		b->a.elems[i] = *s;
	}
	assert_fmt(b, "[all 4 zero]");
	b->a.elems[1].s.m[0].v = U(64, 5);
	b->a.elems[2].s.m[0].v = U(64, 5);
	b->a.elems[3].s.m[0].v = U(64, 6);
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
	s->s.m[0].name = "pid";
	s->s.m[0].v = I(32, 42);
	s->s.nr = 1;
	out = pretty(s, 0);
	assert_string_equal(out, "task{pid=42}\n");
	free(out);

	s->s.nr = 6;
	s->s.m[1].name = "tgid";
	s->s.m[1].v = I(32, 41);
	s->s.m[2].name = "weight";
	s->s.m[2].v = U(64, 100);
	s->s.m[3].name = "vtime";
	s->s.m[3].v = U(64, 7);
	in = ktsnap_value_new_struct(R, "inner", 1);
	in->s.m[0].name = "a_rather_long_member_name_for_wrapping";
	in->s.m[0].v = U(64, 123456789);
	s->s.m[4].name = "ctx";
	s->s.m[4].v = *in;
	arr = ktsnap_value_new_array(R, 40, 40);
	for (i = 0; i < 40; i++)
		arr->a.elems[i] = U(64, 0x1000 + i);
	s->s.m[5].name = "slots";
	s->s.m[5].v = *arr;
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

	s->s.m[0].name = "text";
	s->s.m[0].v = *chars("line one\nline two\0", 18);
	out = pretty(s, 0);
	assert_string_equal(out, "msg:\n  text: |\n    line one\n    line two\n");
	free(out);
	out = pretty(&s->s.m[0].v, 0);
	assert_string_equal(out, "|\n  line one\n  line two\n");
	free(out);
}

static void deep_nesting_is_bounded(void **state)
{
	struct ktsnap_value *v = ktsnap_value_new_uint(R, 32, 1), *p;
	char b[4096];
	int i;

	for (i = 0; i < 200; i++) {
		p = ktsnap_value_new(R, KTSNAP_VALUE_PTR);
		p->p.v = 0x10;
		p->p.deref = v;
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
