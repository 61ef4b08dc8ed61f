// SPDX-License-Identifier: MIT
/*
 * The reader's fast path for the writer's canonical text (json_fast.c)
 * against the json-c path: every shape the writer emits, inside arrays big
 * enough to be cut out (where the fast path reads), reads into the same
 * report with the fast path on and off (compared through the written JSON,
 * byte for byte); and non-canonical spellings of the same text (blanks,
 * reordered or duplicated keys, escapes, other number spellings, bad
 * values, truncations, single-byte edits) give exactly the same result,
 * report or error text, both ways.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ktsnap/json.h>

#include "report_builder.h"
#include "json_fast.h"

static char *to_json(const struct ktsnap_report *r, size_t *len)
{
	char *buf;

	assert_int_equal(rb_write_mem(ktsnap_report__write_json, r, 0, &buf, len), 0);
	return buf;
}

struct outcome {
	int rc;
	char msg[1024];
	char *json; /* the report read, written again (NULL on failure) */
	size_t len;
};

static void read_with(const char *text, size_t len, bool fast, struct outcome *o)
{
	struct ktsnap_report *r = NULL;

	json_fast_set_enabled(fast);
	o->rc = ktsnap_report__read_json_buf(text, len, &r);
	snprintf(o->msg, sizeof(o->msg), "%s", o->rc ? ktsnap_errmsg() : "");
	o->json = o->rc ? NULL : to_json(r, &o->len);
	ktsnap_report__free(r);
	json_fast_set_enabled(true);
}

/* Both ways give the same result; returns the elements the fast path read. */
static size_t same_both_ways(const char *text, size_t len, const char *what)
{
	struct outcome slow, fast;
	size_t before = json_fast_elements();

	read_with(text, len, false, &slow);
	read_with(text, len, true, &fast);
	if (slow.rc != fast.rc || strcmp(slow.msg, fast.msg))
		fail_msg("%s: json-c path %d \"%s\", fast path %d \"%s\"", what, slow.rc, slow.msg,
			 fast.rc, fast.msg);
	if (!slow.rc && (slow.len != fast.len || memcmp(slow.json, fast.json, slow.len)))
		fail_msg("%s: the reports read differ", what);
	free(slow.json);
	free(fast.json);
	return json_fast_elements() - before;
}

/* ---- a report with every shape in cut arrays ---------------------------------------- */

static struct ktsnap_map *map_named(struct ktsnap_report *r, const char *name)
{
	uint32_t i;

	for (i = 0; i < r->nr_maps; i++)
		if (!strcmp(r->maps[i].name, name))
			return &r->maps[i];
	fail_msg("no map %s", name);
	return NULL;
}

/* Every entry list @times over (keys repeat: the reader does not mind). */
static void repeat_entries(struct ktsnap_report *r, uint32_t times)
{
	uint32_t i, k;

	for (i = 0; i < r->nr_maps; i++) {
		struct ktsnap_map *m = &r->maps[i];
		struct ktsnap_map_entry *e;

		if (!m->nr_entries)
			continue;
		e = ktsnap_arena_alloc(&r->arena, (size_t)m->nr_entries * times * sizeof(*e));
		for (k = 0; k < times; k++)
			memcpy(e + (size_t)k * m->nr_entries, m->entries,
			       m->nr_entries * sizeof(*e));
		m->entries = e;
		m->nr_entries *= times;
		if (m->max_entries < m->nr_entries)
			m->max_entries = m->nr_entries;
	}
}

/* @times: entry lists repeated, @n: entries of the "spellings" map */
static struct ktsnap_report *every_shape_n(uint32_t times, uint32_t n_spell)
{
	static const char *const names[] = { "plain",  "tab\there",	  "quote\"back\\slash",
					     "uni→é😀", "ctl\x01\x1f\x7f", "nl\n\r\b\f",
					     "" };
	static const double floats[] = { 0.75,	      -0.0,    1e300, 5e-324,	0.1,
					 123456789.0, -2.5e-7, NAN,   INFINITY, -INFINITY };
	struct ktsnap_report *r = rb_full_report(1);
	struct ktsnap_value *bss = (struct ktsnap_value *)map_named(r, "ktsched.bss")->value;
	struct ktsnap_value *big, *arr, *v;
	struct ktsnap_map *m;
	uint32_t i;

	repeat_entries(r, times);

	/* a struct and an array value big enough to be cut themselves */
	big = ktsnap_value_new_struct(r, "big\ttype", bss->n * (times > 4 ? 8 : 2));
	for (i = 0; i < big->n; i++)
		*ktsnap_member_slot(big, i, ktsnap_mname(bss, i % bss->n)) =
			*ktsnap_mval(bss, i % bss->n);
	m = rb_map(r, "big_struct", BPF_MAP_TYPE_ARRAY, 4, 64, 1, KTSNAP_LAYOUT_VALUE);
	m->value = big;
	arr = ktsnap_value_new_array(r, 500, bss->n * (times > 4 ? 8 : 2) + 4);
	for (i = 0; i < arr->n; i++)
		*ktsnap_elem_slot(arr, i) = i < 4 ? *bss : *ktsnap_mval(bss, i % bss->n);
	m = rb_map(r, "big_array", BPF_MAP_TYPE_ARRAY, 4, 64, 1, KTSNAP_LAYOUT_VALUE);
	m->value = arr;

	/* per-CPU slots, some unmapped, in lists long enough to be cut */
	m = rb_map(r, "wide_pcpu", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 3, KTSNAP_LAYOUT_PERCPU_ARRAY);
	m->nr_cpus = 40;
	m->percpu_stride = 8;
	rb_entries(r, m, 3);
	for (i = 0; i < 3; i++) {
		uint32_t c;

		m->entries[i].index = i;
		m->entries[i].nr_cpus = 40;
		m->entries[i].per_cpu = ktsnap_arena_alloc(&r->arena, 40 * sizeof(void *));
		for (c = 0; c < 40; c++)
			if (c % 3)
				m->entries[i].per_cpu[c] =
					c != 2 ? ktsnap_value_new_uint(r, 64, c) : bss;
	}

	/* strings needing escapes, every scalar spelling, in hash entries */
	m = rb_map(r, "spellings", BPF_MAP_TYPE_HASH, 0, 0, 400, KTSNAP_LAYOUT_HASH);
	rb_entries(r, m, n_spell);
	for (i = 0; i < n_spell; i++) {
		struct ktsnap_map_entry *e = &m->entries[i];
		const char *s = names[i % 7];

		v = ktsnap_value_new_struct(r, s, 11);
		*ktsnap_member_slot(v, 0, s) = rb_float(floats[i % 10]);
		*ktsnap_member_slot(v, 1, "f32") = ktsnap_float_of(32, (float)floats[i % 10]);
		*ktsnap_member_slot(v, 2, "i64") = rb_int(64, i % 2 ? INT64_MIN : INT64_MAX);
		*ktsnap_member_slot(v, 3, "i8") = rb_int(8, i % 2 ? -128 : 127);
		*ktsnap_member_slot(v, 4, "e") = rb_enum(r, 64, false, -1, s);
		*ktsnap_member_slot(v, 5, "se") = rb_enum(r, 8, true, -128, NULL);
		*ktsnap_member_slot(v, 6, "cpus") = rb_str(KTSNAP_VALUE_CPU_LIST, s);
		*ktsnap_member_slot(v, 7, "hex") = rb_str(KTSNAP_VALUE_BYTES, s);
		*ktsnap_member_slot(v, 8, "why") = rb_str(KTSNAP_VALUE_UNSUPPORTED, s);
		*ktsnap_member_slot(v, 9, "c") = rb_char(255);
		*ktsnap_member_slot(v, 10, "ptr") = *ktsnap_mval(bss, 9);
		e->val_rv = v;
		if (i % 4 == 0)
			e->key_rv = ktsnap_value_new_uint(r, 8, i); /* no key bytes */
		if (i % 5 == 0)
			e->payload = bss;
	}
	return r;
}

static struct ktsnap_report *every_shape(void)
{
	return every_shape_n(20, 60);
}

static void every_shape_reads_the_same_both_ways(void **state)
{
	struct ktsnap_report *r = every_shape();
	size_t len, fast;
	char *text = to_json(r, &len);
	struct outcome o;

	(void)state;
	fast = same_both_ways(text, len, "every shape");
	/* the fast path did read it (entries, members, elements, slots) */
	assert_true(fast > 300);
	/* and what it read is what was written */
	read_with(text, len, true, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.len, len);
	assert_memory_equal(o.json, text, len);
	free(o.json);
	free(text);
	ktsnap_report__free(r);
}

/* ---- non-canonical text ---------------------------------------------------------- */

/* @text with the first @from after @anchor replaced by @to (malloc'd). */
static char *edit(const char *text, const char *anchor, const char *from, const char *to,
		  size_t *len)
{
	const char *a = strstr(text, anchor), *p = a ? strstr(a, from) : NULL;
	size_t lf = strlen(from), lt = strlen(to), lx = strlen(text);
	char *out;

	if (!p) {
		fail_msg("no \"%s\" after \"%s\"", from, anchor);
		return NULL;
	}
	out = malloc(lx - lf + lt + 1);
	assert_non_null(out);
	memcpy(out, text, (size_t)(p - text));
	memcpy(out + (p - text), to, lt);
	memcpy(out + (p - text) + lt, p + lf, lx - (size_t)(p - text) - lf + 1);
	*len = lx - lf + lt;
	return out;
}

struct variant {
	const char *anchor, *from, *to;
};

#define K100 "{\"kind\":\"uint\",\"bits\":32,\"value\":300}"
#define TASK "\"name\":\"task_ctx\""
#define SPELL "\"name\":\"spellings\""

static const struct variant variants[] = {
	/* blanks, key order, duplicates, unknown and missing keys */
	{ TASK, "\"key_hex\":", "\"key_hex\" : " },
	{ TASK, ",\"value_hex\"", "\n,\t\"value_hex\"" },
	{ TASK, K100, "{\"bits\":32,\"kind\":\"uint\",\"value\":300}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"kind\":\"uint\",\"bits\":32,\"value\":300}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32,\"value\":300,\"value\":301}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32,\"value\":300,\"x\":1}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"value\":300}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32,\"value\":300 }" },
	{ TASK, K100, "{\"kind\":\"u\\u0069nt\",\"bits\":32,\"value\":300}" },
	{ TASK, K100, "{\"kind\":\"uintx\",\"bits\":32,\"value\":300}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":null,\"value\":300}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32,\"value\":\"300\"}" },
	{ TASK, "\"payload\":{", "\"payload\":null,\"x\":{" },
	/* number spellings and ranges */
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32,\"value\":3e2}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32,\"value\":300.0}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32,\"value\":0300}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32,\"value\":-0}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32,\"value\":-300}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32,\"value\":4294967296}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32,\"value\":18446744073709551615}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":32,\"value\":18446744073709551616}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":64,\"value\":300}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":0,\"value\":300}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":65,\"value\":300}" },
	{ TASK, K100, "{\"kind\":\"uint\",\"bits\":8,\"value\":300}" },
	{ TASK, K100, "{\"kind\":\"int\",\"bits\":32,\"value\":300}" },
	{ TASK, "\"value\":-42}", "\"value\":-2147483649}" },
	{ TASK, "\"value\":-42}", "\"value\":-9223372036854775809}" },
	{ TASK, "\"is_signed\":true", "\"is_signed\":false" },
	{ TASK, ",\"is_signed\":true", "" },
	{ TASK, "\"value\":2147483648,", "\"value\":-2147483648," },
	{ SPELL, "\"value\":0.75}", "\"value\":75e-2}" },
	{ SPELL, "\"value\":0.75}", "\"value\":0.750}" },
	{ SPELL, "\"value\":0.75}", "\"value\":1}" },
	{ SPELL, "\"value\":0.75}", "\"value\":1E400}" },
	{ SPELL, "\"value\":0.75}", "\"value\":.75}" },
	{ SPELL, "\"value\":0.75}", "\"value\":\"nan\"}" },
	{ SPELL, "\"value\":0.75}", "\"value\":\"N\\u0061N\"}" },
	{ SPELL, "\"bits\":32,", "\"bits\":12," },
	{ SPELL, "\"value\":255}", "\"value\":256}" },
	/* strings: escapes the writer does not use, NUL, bad escapes */
	{ TASK, "\"name\":\"pid\"", "\"name\":\"p\\u0069d\"" },
	{ TASK, "\"name\":\"pid\"", "\"name\":\"p\\/d\"" },
	{ TASK, "\"name\":\"pid\"", "\"name\":\"p\\u0000d\"" },
	{ TASK, "\"name\":\"pid\"", "\"name\":\"\\ud83d\\ude00\"" },
	{ TASK, "\"name\":\"pid\"", "\"name\":\"\\ud83d\"" },
	{ TASK, "\"name\":\"pid\"", "\"name\":\"p\\x\"" },
	{ SPELL, "\\t", "\\u0009" },
	{ SPELL, "\\u0001", "\\u0001\\u0000" },
	{ SPELL, "\\u0001", "\\u0001\\u001F" },
	/* hex bytes */
	{ TASK, "\"2c 01 00 00\"", "\"2c 01 00 0\"" },
	{ TASK, "\"2c 01 00 00\"", "\"2c 01 00 00 \"" },
	{ TASK, "\"2c 01 00 00\"", "\"2C 01 00 00\"" },
	{ TASK, "\"2c 01 00 00\"", "\"2d 01 00 00\"" },
	{ TASK, "\"2c 01 00 00\"", "\"2c 01 00\"" },
	{ TASK, "\"2c 01 00 00\"", "\"2c\\u0020\"" },
	/* per-CPU slots, structure */
	{ "\"name\":\"wide_pcpu\"", "null,", "null ," },
	{ "\"name\":\"wide_pcpu\"", "[null,", "[false," },
	{ "\"name\":\"wide_pcpu\"", "\"per_cpu\":[", "\"per_cpu\":[null," },
	{ "\"name\":\"big_array\"", "\"len\":500", "\"len\":10" },
	{ "\"name\":\"big_array\"", "\"len\":500", "\"len\":4294967296" },
	{ "\"name\":\"big_struct\"", "\"type_name\":\"big\\ttype\",", "" },
	{ TASK, "},{", "} ,{" },
	{ TASK, "}]", "},]" },
};

static void non_canonical_text_reads_as_before(void **state)
{
	struct ktsnap_report *r = every_shape();
	size_t len, n = 0, i;
	char *text = to_json(r, &len), *t;

	(void)state;
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		char what[160];

		t = edit(text, variants[i].anchor, variants[i].from, variants[i].to, &n);
		snprintf(what, sizeof(what), "variant %zu (%.40s → %.60s)", i, variants[i].from,
			 variants[i].to);
		same_both_ways(t, n, what);
		free(t);
	}
	/* truncated anywhere in a cut array */
	for (i = 1; i < 40; i++) {
		char what[64];

		snprintf(what, sizeof(what), "truncated at %zu/40", i);
		same_both_ways(text, len * i / 40, what);
	}
	free(text);
	ktsnap_report__free(r);
}

/* Every single-byte edit of a small report whose entries are cut. */
static void single_byte_edits_read_as_before(void **state)
{
	struct ktsnap_report *r = ktsnap_report__new();
	struct ktsnap_map *m = rb_hash(r, "h", 5, true);
	static const char subst[] = { ' ', '0', '9', '"', '\\', '-', 'e', ',', '}' };
	size_t len, i, k, start, fast = 0;
	char *text, *t;

	(void)state;
	m->entries[3].payload = ktsnap_value_new_uint(r, 8, 7);
	text = to_json(r, &len);
	start = (size_t)(strstr(text, "\"entries\":[") - text);
	assert_true(len - start > 1024);
	t = malloc(len + 1);
	assert_non_null(t);
	for (i = start; i < len; i++) {
		char what[64];

		/* deleted */
		memcpy(t, text, i);
		memcpy(t + i, text + i + 1, len - i - 1);
		snprintf(what, sizeof(what), "byte %zu deleted", i);
		fast += same_both_ways(t, len - 1, what);
		/* replaced */
		memcpy(t, text, len);
		for (k = 0; k < sizeof(subst); k++) {
			if (text[i] == subst[k])
				continue;
			t[i] = subst[k];
			snprintf(what, sizeof(what), "byte %zu replaced by '%c'", i, subst[k]);
			fast += same_both_ways(t, len, what);
		}
	}
	assert_true(fast > 0);
	free(t);
	free(text);
	ktsnap_report__free(r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_shape_reads_the_same_both_ways),
		cmocka_unit_test(non_canonical_text_reads_as_before),
		cmocka_unit_test(single_byte_edits_read_as_before),
	};

	/* `test_json_fast --corpus FILE`: the fuzz target's seed with cut arrays */
	if (argc == 3 && !strcmp(argv[1], "--corpus")) {
		struct ktsnap_report *r = every_shape_n(2, 8);
		FILE *f = fopen(argv[2], "w");
		int err = f ? ktsnap_report__write_json(r, f, 0) : -errno;

		if (f)
			fclose(f);
		ktsnap_report__free(r);
		return err ? 1 : 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
