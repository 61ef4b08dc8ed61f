// SPDX-License-Identifier: MIT
/*
 * The renderer over BTF built in the test (libbpf's btf__add_* writer):
 * every RenderedValue variant, bitfields, signedness, caps, truncation.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bpf/btf.h>

#include "render_internal.h"

struct fixture {
	struct btf *btf;
	struct ktsnap_report *r;
};

static int setup(void **state)
{
	static struct fixture f;

	f.btf = btf__new_empty();
	f.r = ktsnap_report__new();
	*state = &f;
	return f.btf && f.r ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	btf__free(f->btf);
	ktsnap_report__free(f->r);
	return 0;
}

static const struct ktsnap_value *render(struct fixture *f, int id, const void *data, size_t n)
{
	const struct ktsnap_value *v = ktsnap_render(f->r, f->btf, id, data, n);

	assert_non_null(v);
	return v;
}

static void scalars(void **state)
{
	struct fixture *f = *state;
	struct btf *b = f->btf;
	int s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int u16 = btf__add_int(b, "unsigned short", 2, 0);
	int bl = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	int ch = btf__add_int(b, "unsigned char", 1, BTF_INT_CHAR);
	int sch = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	int i128 = btf__add_int(b, "__int128", 16, BTF_INT_SIGNED);
	int f32 = btf__add_float(b, "float", 4);
	int f64 = btf__add_float(b, "double", 8);
	int32_t neg = -5;
	uint16_t u = 0xfffe;
	uint8_t one = 1, a = 'A';
	uint8_t wide[16] = { 1, 2 };
	float fl = 1.5f;
	double d = -0.25;
	const struct ktsnap_value *v;

	v = render(f, s32, &neg, 4);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_INT);
	assert_int_equal(ktsnap_value__bits(v), 32);
	assert_int_equal(ktsnap_value__int(v), -5);
	v = render(f, u16, &u, 2);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_UINT);
	assert_int_equal(ktsnap_value__uint(v), 0xfffe);
	v = render(f, bl, &one, 1);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_BOOL);
	assert_true(ktsnap_value__bool(v));
	v = render(f, ch, &a, 1);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_CHAR);
	assert_int_equal(ktsnap_value__char(v), 'A');
	/* clang's plain `char` is a signed 8-bit INT named "char" */
	v = render(f, sch, &a, 1);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_CHAR);
	v = render(f, i128, wide, 16);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_BYTES);
	assert_string_equal(ktsnap_value__hex(v),
			    "01 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
	v = render(f, f32, &fl, 4);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_FLOAT);
	assert_int_equal(ktsnap_value__bits(v), 32);
	assert_true(ktsnap_value__float(v) == 1.5);
	v = render(f, f64, &d, 8);
	assert_true(ktsnap_value__float(v) == -0.25);
}

static void enums(void **state)
{
	struct fixture *f = *state;
	struct btf *b = f->btf;
	int se = btf__add_enum(b, "sgn", 4);
	int ue, e64;
	int32_t minus3 = -3;
	uint32_t big = 0x80000000u;
	uint64_t w = 0xfedcba9876543210ULL, unk = 77;
	const struct ktsnap_value *v;
	uint64_t u;

	btf__add_enum_value(b, "NEG", -3);
	btf__add_enum_value(b, "POS", 5);
	ue = btf__add_enum(b, "pol", 4);
	btf__add_enum_value(b, "BIG", (int64_t)0x80000000u);
	e64 = btf__add_enum64(b, "wide", 8, false);
	btf__add_enum64_value(b, "W", 0xfedcba9876543210ULL);

	v = render(f, se, &minus3, 4);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_ENUM);
	assert_true(ktsnap_value__enum_is_signed(v));
	assert_int_equal(ktsnap_value__int(v), -3);
	assert_string_equal(ktsnap_value__enum_variant(v), "NEG");
	assert_int_equal(ktsnap_value__as_u64(v, &u), -EINVAL);

	v = render(f, ue, &big, 4);
	assert_false(ktsnap_value__enum_is_signed(v));
	assert_int_equal(ktsnap_value__as_u64(v, &u), 0);
	assert_int_equal(u, 0x80000000u);
	assert_string_equal(ktsnap_value__enum_variant(v), "BIG");

	v = render(f, e64, &w, 8);
	assert_int_equal(ktsnap_value__bits(v), 64);
	assert_int_equal(ktsnap_value__as_u64(v, &u), 0);
	assert_true(u == 0xfedcba9876543210ULL);
	assert_string_equal(ktsnap_value__enum_variant(v), "W");
	v = render(f, e64, &unk, 8);
	assert_null(ktsnap_value__enum_variant(v));
}

static void structs_unions_bitfields(void **state)
{
	struct fixture *f = *state;
	struct btf *b = f->btf;
	int u32 = btf__add_int(b, "unsigned int", 4, 0);
	int s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int inner = btf__add_struct(b, "inner", 4);
	int un, outer;
	uint8_t bytes[12];
	uint32_t word;
	const struct ktsnap_value *v;
	const char *name;

	btf__add_field(b, "x", u32, 0, 0);
	un = btf__add_union(b, NULL, 4);
	btf__add_field(b, "as_u", u32, 0, 0);
	btf__add_field(b, "as_i", s32, 0, 0);
	outer = btf__add_struct(b, "outer", 12);
	btf__add_field(b, "a", u32, 0, 3); /* bits 0..2 */
	btf__add_field(b, "b", s32, 3, 5); /* bits 3..7, signed */
	btf__add_field(b, "in", inner, 32, 0);
	btf__add_field(b, "", un, 64, 0); /* anonymous union */

	word = 5 | (0x1e << 3); /* a = 5, b = -2 (5-bit 11110) */
	memcpy(bytes, &word, 4);
	word = 42;
	memcpy(bytes + 4, &word, 4);
	word = 0xffffffff;
	memcpy(bytes + 8, &word, 4);
	v = render(f, outer, bytes, sizeof(bytes));
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_STRUCT);
	assert_string_equal(ktsnap_value__type_name(v), "outer");
	assert_int_equal(ktsnap_value__member_count(v), 4);
	assert_int_equal(ktsnap_value__uint(ktsnap_value__get(v, "a")), 5);
	assert_int_equal(ktsnap_value__bits(ktsnap_value__get(v, "a")), 3);
	assert_int_equal(ktsnap_value__int(ktsnap_value__get(v, "b")), -2);
	assert_int_equal(ktsnap_value__uint(ktsnap_value__get(v, "in.x")), 42);
	/* the anonymous union: every member over the same bytes */
	ktsnap_value__member_at(v, 3, &name);
	assert_string_equal(name, "");
	assert_null(ktsnap_value__type_name(ktsnap_value__member_at(v, 3, NULL)));
	assert_true(ktsnap_value__uint(ktsnap_value__member(ktsnap_value__member_at(v, 3, NULL),
							    "as_u")) == 0xffffffff);
	assert_int_equal(ktsnap_value__int(
				 ktsnap_value__member(ktsnap_value__member_at(v, 3, NULL), "as_i")),
			 -1);
}

static void arrays_and_cpumask(void **state)
{
	struct fixture *f = *state;
	struct btf *b = f->btf;
	int u8t = btf__add_int(b, "u8", 1, 0);
	int ul = btf__add_int(b, "unsigned long", 8, 0);
	int big = btf__add_array(b, 0, u8t, 5000);
	int bits = btf__add_array(b, 0, ul, 1);
	int mask = btf__add_struct(b, "cpumask", 8);
	static uint8_t data[5000];
	uint64_t m = 0x27; /* cpus 0,1,2,5 */
	const struct ktsnap_value *v;

	btf__add_field(b, "bits", bits, 0, 0);
	data[4095] = 9;
	v = render(f, big, data, sizeof(data));
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_ARRAY);
	assert_int_equal(ktsnap_value__array_len(v), 5000);
	assert_int_equal(ktsnap_value__element_count(v), KTSNAP_MAX_ARRAY_ELEMS);
	assert_int_equal(ktsnap_value__uint(ktsnap_value__index(v, 4095)), 9);
	assert_null(ktsnap_value__index(v, 4096));

	v = render(f, mask, &m, 8);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_CPU_LIST);
	assert_string_equal(ktsnap_value__cpus(v), "0-2,5");
}

static void pointers_and_unsupported(void **state)
{
	struct fixture *f = *state;
	struct btf *b = f->btf;
	int u32 = btf__add_int(b, "unsigned int", 4, 0);
	int ptr = btf__add_ptr(b, u32);
	int proto = btf__add_func_proto(b, u32);
	int fwd = btf__add_fwd(b, "opaque", BTF_FWD_STRUCT);
	uint64_t addr = 0xffff888000001000ULL, zero = 0;
	const struct ktsnap_value *v;
	uint64_t u;

	v = render(f, ptr, &addr, 8);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_PTR);
	assert_int_equal(ktsnap_value__as_u64(v, &u), 0);
	assert_true(u == addr);
	assert_null(ktsnap_value__ptr_deref(v));
	assert_non_null(strstr(ktsnap_value__ptr_skip_reason(v), "no kernel-memory reader"));
	v = render(f, ptr, &zero, 8);
	assert_null(ktsnap_value__ptr_skip_reason(v));

	v = render(f, proto, &zero, 8);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_UNSUPPORTED);
	v = render(f, fwd, &zero, 8);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_UNSUPPORTED);
	assert_non_null(strstr(ktsnap_value__unsupported_reason(v), "opaque"));
	v = render(f, 0, &zero, 8);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_UNSUPPORTED);
}

static void caps(void **state)
{
	struct fixture *f = *state;
	struct btf *b = f->btf;
	int u32 = btf__add_int(b, "unsigned int", 4, 0);
	int id = u32, i, leaf;
	uint32_t x = 7;
	const struct ktsnap_value *v;

	/* 32 typedefs peel; 33 hit the cap */
	for (i = 0; i < 32; i++)
		id = btf__add_typedef(b, "t", id);
	v = render(f, id, &x, 4);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_UINT);
	id = btf__add_const(b, id);
	v = render(f, id, &x, 4);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_UNSUPPORTED);

	/* 40 nested one-member structs: rendering stops at depth 32 */
	leaf = u32;
	for (i = 0; i < 40; i++) {
		int s = btf__add_struct(b, "n", 4);

		btf__add_field(b, "c", leaf, 0, 0);
		leaf = s;
	}
	v = render(f, leaf, &x, 4);
	for (i = 0; v && ktsnap_value__kind(v) == KTSNAP_VALUE_STRUCT; i++)
		v = ktsnap_value__member(v, "c");
	assert_non_null(v);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_UNSUPPORTED);
	assert_int_equal(i, KTSNAP_MAX_RENDER_DEPTH + 1);
}

static void truncated(void **state)
{
	struct fixture *f = *state;
	struct btf *b = f->btf;
	int u32 = btf__add_int(b, "unsigned int", 4, 0);
	int s = btf__add_struct(b, "four", 16);
	uint32_t w[3] = { 1, 2, 3 };
	const struct ktsnap_value *v, *p;

	btf__add_field(b, "a", u32, 0, 0);
	btf__add_field(b, "b", u32, 32, 0);
	btf__add_field(b, "c", u32, 64, 0);
	btf__add_field(b, "d", u32, 96, 0);
	v = render(f, s, w, 12);
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_TRUNCATED);
	assert_int_equal(ktsnap_value__truncated_needed(v), 16);
	assert_int_equal(ktsnap_value__truncated_had(v), 12);
	p = ktsnap_value__truncated_partial(v);
	assert_int_equal(ktsnap_value__kind(p), KTSNAP_VALUE_STRUCT);
	/* raw navigation looks through Truncated */
	assert_int_equal(ktsnap_value__uint(ktsnap_value__member(v, "c")), 3);
	/* the member with no bytes left is itself Truncated, had = 0 */
	p = ktsnap_value__get(p, "d");
	assert_int_equal(ktsnap_value__kind(p), KTSNAP_VALUE_TRUNCATED);
	assert_int_equal(ktsnap_value__truncated_had(p), 0);
}

static void datasec(void **state)
{
	struct fixture *f = *state;
	struct btf *b = f->btf;
	int u64t = btf__add_int(b, "unsigned long long", 8, 0);
	int s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int v1 = btf__add_var(b, "nr_dispatched", BTF_VAR_GLOBAL_ALLOCATED, u64t);
	int v2 = btf__add_var(b, "neg", BTF_VAR_GLOBAL_ALLOCATED, s32);
	int sec = btf__add_datasec(b, ".bss", 16);
	struct {
		uint64_t a;
		int32_t b;
		uint32_t pad;
	} bss = { 5, -9, 0 };
	const struct ktsnap_value *v;

	btf__add_datasec_var_info(b, v1, 0, 8);
	btf__add_datasec_var_info(b, v2, 8, 4);
	v = render(f, sec, &bss, sizeof(bss));
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_STRUCT);
	assert_string_equal(ktsnap_value__type_name(v), ".bss");
	assert_int_equal(ktsnap_value__uint(ktsnap_value__get(v, "nr_dispatched")), 5);
	assert_int_equal(ktsnap_value__int(ktsnap_value__get(v, "neg")), -9);
}

/* A test run on a fresh fixture (setup() / teardown()). */
#define WITH_FIXTURE(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WITH_FIXTURE(scalars),
		WITH_FIXTURE(enums),
		WITH_FIXTURE(structs_unions_bitfields),
		WITH_FIXTURE(arrays_and_cpumask),
		WITH_FIXTURE(pointers_and_unsupported),
		WITH_FIXTURE(caps),
		WITH_FIXTURE(truncated),
		WITH_FIXTURE(datasec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
