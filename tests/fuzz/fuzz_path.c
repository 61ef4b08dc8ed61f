// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the dotted-path walkers: the input is a path (or,
 * after a selector byte, a global / map name) applied to a fixed value
 * tree with pointers, arrays, anonymous members and a 20-deep pointer
 * chain, to a per-CPU entry ("per_cpu[n]" paths) and to a fixed JSON
 * document; every error is formatted.  Nothing may crash, leak or read
 * out of bounds, and formatting must agree with its snprintf-style length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <ktsnap/display.h>
#include <ktsnap/view.h>
#include "report_internal.h"

static struct ktsnap_report *R;
static struct ktsnap_value *ROOT;
static struct json_object *J;

static struct ktsnap_value *s1(const char *type, const char *name, struct ktsnap_value v)
{
	struct ktsnap_value *s = ktsnap_value_new_struct(R, type, 1);

	*ktsnap_member_slot(s, 0, name) = v;
	return s;
}

static void build(void)
{
	struct ktsnap_value *inner, *arr, *p, *chain;
	struct ktsnap_map *m;
	int i;

	R = ktsnap_report__new();
	inner = ktsnap_value_new_struct(R, "inner", 3);
	*ktsnap_member_slot(inner, 0, "weight") = ktsnap_uint_of(64, 100);
	*ktsnap_member_slot(inner, 1, "") = *s1(NULL, "lo", ktsnap_int_of(32, -1));
	*ktsnap_member_slot(inner, 2, "a.b") = ktsnap_bool_of(true);

	arr = ktsnap_value_new_array(R, 3, 2);
	*ktsnap_elem_slot(arr, 0) = *inner;
	*ktsnap_elem_slot(arr, 1) = ktsnap_char_of('x');

	chain = s1("end", "x", ktsnap_uint_of(8, 9));
	for (i = 0; i < 20; i++) {
		p = ktsnap_value_new_ptr(R, 0x1000 + (uint64_t)i, chain, NULL, NULL);
		chain = p;
	}

	ROOT = ktsnap_value_new_struct(R, "root", 5);
	*ktsnap_member_slot(ROOT, 0, "ctx") = *inner;
	*ktsnap_member_slot(ROOT, 1, "arr") = *arr;
	*ktsnap_member_slot(ROOT, 2, "chain") = *chain;
	*ktsnap_member_slot(ROOT, 3, "t") = *ktsnap_value_new_truncated(R, 8, 4, inner);
	/* duplicate name: the first wins */
	*ktsnap_member_slot(ROOT, 4, "ctx") = ktsnap_uint_of(32, 1);

	m = ktsnap_report_add_map(R, "o.bss");
	m->layout = KTSNAP_LAYOUT_VALUE;
	m->value = ROOT;
	m = ktsnap_report_add_map(R, "p.bss");
	m->layout = KTSNAP_LAYOUT_VALUE;
	m->value = inner;
	/* per-CPU array, slot 1 unmapped: "per_cpu[n]" paths */
	m = ktsnap_report_add_map(R, "pc");
	m->layout = KTSNAP_LAYOUT_PERCPU_ARRAY;
	m->nr_cpus = 3;
	m->nr_entries = 1;
	m->entries = ktsnap_arena_alloc(&R->arena, sizeof(*m->entries));
	m->entries[0].nr_cpus = 3;
	m->entries[0].per_cpu = ktsnap_arena_alloc(&R->arena, 3 * sizeof(void *));
	m->entries[0].per_cpu[0] = ROOT;
	m->entries[0].per_cpu[2] = inner;

	J = json_tokener_parse("{\"a\":{\"b\":[1,2,{\"c\":null}],\"d\":\"x\"},\"\":1,"
			       "\"e.f\":2}");
}

static void check_error(const struct ktsnap_error *e)
{
	char small[7], *big;
	int n;

	if (!e)
		return;
	n = ktsnap_error__format(e, small, sizeof(small));
	if (n < 0)
		return;
	big = malloc((size_t)n + 1);
	if (ktsnap_error__format(e, big, (size_t)n + 1) != n || strlen(big) != (size_t)n ||
	    strncmp(big, small, strlen(small)))
		abort();
	free(big);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktsnap_snapshot snap;
	struct ktsnap_field f;
	char *path, buf[256];
	uint64_t u;

	if (!R)
		build();
	if (!size)
		return 0;
	path = malloc(size);
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	snap = ktsnap_snapshot__new(R);

	switch (data[0] % 4) {
	case 0:
		f = ktsnap_field__get(ktsnap_field__of(ROOT), path);
		if (ktsnap_field__is_present(f))
			ktsnap_value__format(ktsnap_field__raw(f), buf, sizeof(buf));
		ktsnap_field__as_u64(f, &u, NULL);
		check_error(ktsnap_field__error(&f));
		break;
	case 1:
		f = ktsnap_snapshot__var(snap, path);
		check_error(ktsnap_field__error(&f));
		f = ktsnap_field__get(f, path);
		check_error(ktsnap_field__error(&f));
		break;
	case 2: {
		struct ktsnap_map_view m = ktsnap_snapshot__map(snap, path);

		check_error(ktsnap_map_view__error(&m));
		f = ktsnap_entry__get(ktsnap_map_view__at(m, 0), path);
		check_error(ktsnap_field__error(&f));
		f = ktsnap_entry__get(ktsnap_map_view__at(ktsnap_snapshot__map(snap, "pc"), 0),
				      path);
		check_error(ktsnap_field__error(&f));
		break;
	}
	default:
		f = ktsnap_field__from_json(J, path);
		ktsnap_field__as_u64(f, &u, NULL);
		check_error(ktsnap_field__error(&f));
		break;
	}
	free(path);
	return 0;
}
