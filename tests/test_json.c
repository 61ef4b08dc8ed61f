// SPDX-License-Identifier: MIT
/*
 * Report files: the writer's exact output for the cases the issue names,
 * write → read → write byte identity (compact and pretty) on a report with
 * every variant, and the reader's rejections with their messages.
 *
 * `test_json --corpus DIR` writes the fuzz target's seed corpus instead.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ktsnap/json.h>

#include "report_builder.h"
#include "json_internal.h"

/* Write @r to a malloc'd string (caller frees). */
static char *to_json(const struct ktsnap_report *r, unsigned flags)
{
	char *buf;
	size_t len;

	assert_int_equal(rb_write_mem(ktsnap_report__write_json, r, flags, &buf, &len), 0);
	return buf;
}

static struct ktsnap_report *from_json(const char *s)
{
	struct ktsnap_report *r = NULL;
	int err = ktsnap_report__read_json_buf(s, strlen(s), &r);

	if (err)
		fail_msg("read failed (%d): %s", err, ktsnap_errmsg());
	return r;
}

/* Expect a rejection whose message contains @needle. */
static void expect_reject(const char *json, int err, const char *needle)
{
	struct ktsnap_report *r = NULL;
	int got = ktsnap_report__read_json_buf(json, strlen(json), &r);

	if (got != err || !strstr(ktsnap_errmsg(), needle))
		fail_msg("input %.80s: got %d \"%s\", want %d containing \"%s\"", json, got,
			 ktsnap_errmsg(), err, needle);
	assert_null(r);
}

static void default_report_is_schema_and_maps(void **state)
{
	struct ktsnap_report *r = ktsnap_report__new();
	char *s = to_json(r, 0);

	assert_string_equal(s, "{\"schema\":\"single\",\"maps\":[]}\n");
	free(s);
	s = to_json(r, KTSNAP_JSON_PRETTY);
	assert_string_equal(s, "{\n  \"schema\": \"single\",\n  \"maps\": []\n}\n");
	free(s);
	ktsnap_report__free(r);

	r = from_json("{\"schema\":\"single\"}");
	assert_string_equal(ktsnap_report__schema(r), "single");
	assert_int_equal(ktsnap_report__map_count(r), 0);
	assert_false(ktsnap_report__is_placeholder(r));
	ktsnap_report__free(r);
}

static void placeholder_fields(void **state)
{
	struct ktsnap_report *r = ktsnap_report__placeholder("rendezvous timed out");
	char *s = to_json(r, 0);

	assert_non_null(strstr(s, "\"is_placeholder\":true"));
	assert_non_null(strstr(s, "\"scx_walker_unavailable\":\"rendezvous timed out\""));
	ktsnap_report__free(r);
	r = from_json(s);
	assert_true(ktsnap_report__is_placeholder(r));
	assert_string_equal(ktsnap_report__sdt_alloc_unavailable(r), "rendezvous timed out");
	ktsnap_report__free(r);
	free(s);
}

static void exact_values(void **state)
{
	struct ktsnap_report *r = rb_full_report(0);
	char *s = to_json(r, 0);

	/* u64 above INT64_MAX exact */
	assert_non_null(strstr(s, "{\"name\":\"bss_u64_max\",\"value\":{\"kind\":\"uint\","
				  "\"bits\":64,\"value\":18446744073709551615}}"));
	/* signed negative enum: value and variant */
	assert_non_null(strstr(s, "{\"kind\":\"enum\",\"bits\":32,\"value\":-3,"
				  "\"variant\":\"KT_SIGN_NEG\",\"is_signed\":true}"));
	/* unsigned 64-bit enum written unsigned, is_signed omitted */
	assert_non_null(strstr(s, "{\"kind\":\"enum\",\"bits\":64,\"value\":18364758544493064720,"
				  "\"variant\":\"KT_WIDE_BIG\"}"));
	/* unknown variant omitted */
	assert_non_null(strstr(s, "{\"kind\":\"enum\",\"bits\":32,\"value\":9}"));
	/* bitfield as a number */
	assert_non_null(
		strstr(s, "\"flag_a\",\"value\":{\"kind\":\"uint\",\"bits\":3,\"value\":5}"));
	/* per-CPU slots: array with null for the unmapped one */
	assert_non_null(
		strstr(s, "\"per_cpu\":[{\"kind\":\"struct\",\"type_name\":\"kt_pcpu_stat\""));
	assert_non_null(strstr(s, "}}]},null,{\"kind\":\"struct\""));
	/* raw bytes */
	assert_non_null(strstr(s, "\"key_hex\":\"64 00 00 00\""));
	assert_non_null(strstr(s, "\"value_hex\":\"01 02 03 04 05 06 07 08\""));
	/* floats: specials as strings, shortest round trip, -0.0 kept */
	assert_non_null(strstr(s, "{\"kind\":\"float\",\"bits\":64,\"value\":\"NaN\"}"));
	assert_non_null(strstr(s, "\"value\":\"inf\""));
	assert_non_null(strstr(s, "\"value\":\"-inf\""));
	assert_non_null(strstr(s, "\"value\":-0.0}"));
	assert_non_null(strstr(s, "\"value\":0.3333333333333333}"));
	assert_non_null(strstr(s, "\"value\":1e+300}"));
	assert_non_null(strstr(s, "\"value\":0.1}"));
	/* Ptr omits absent optionals */
	assert_non_null(strstr(s, "{\"kind\":\"ptr\",\"value\":31,\"deref\":{\"kind\":\"uint\","
				  "\"bits\":64,\"value\":3},\"cast_annotation\":\"cast→arena\"}"));
	assert_non_null(strstr(s, "{\"kind\":\"ptr\",\"value\":18446612682070040576,"
				  "\"deref_skipped_reason\":\"cycle at 0xffff888000002000\"}"));
	/* string escapes */
	assert_non_null(strstr(s, "\"reason\":\"FUNC_PROTO \\\"x\\\"\\n\\t\\\\\""));
	/* layouts and the empty hash keeps its list */
	assert_non_null(strstr(s,
			       "\"name\":\"empty_hash\",\"map_kva\":0,\"map_type\":1,"
			       "\"key_size\":0,\"value_size\":0,\"max_entries\":0,\"entries\":[],"
			       "\"error\":\"hash map truncated at 4096 entries\"}"));
	assert_non_null(strstr(s, "\"array_entries\":[{\"key\":0,\"value\":"));
	assert_non_null(strstr(s, "{\"key\":1},{\"key\":2,"));
	/* verbatim fields */
	assert_non_null(
		strstr(s, "\"vcpu_regs\":[{\"instruction_pointer\":18446744071562067968},null]"));
	/* extensions */
	assert_non_null(strstr(
		s,
		"\"capture_ns\":12345,\"timestamp_ns\":1700000000000000000,\"capture_skew_ns\":2345,\"freeze_ns\":678}"));
	free(s);
	ktsnap_report__free(r);
}

static void round_trip_identity(void **state)
{
	unsigned flags[] = { 0, KTSNAP_JSON_PRETTY };
	size_t k;

	for (k = 0; k < 2; k++) {
		struct ktsnap_report *r = rb_full_report(k), *back, *again;
		char *a = to_json(r, flags[k]), *b, *c;

		back = from_json(a);
		b = to_json(back, flags[k]);
		assert_string_equal(a, b);
		again = from_json(b);
		c = to_json(again, flags[!k]);
		/* the other format of the read-back equals the other format
		 * of the original */
		free(b);
		b = to_json(r, flags[!k]);
		assert_string_equal(b, c);
		free(a);
		free(b);
		free(c);
		ktsnap_report__free(again);
		ktsnap_report__free(back);
		ktsnap_report__free(r);
	}
}

static void read_back_model(void **state)
{
	struct ktsnap_report *r = rb_full_report(1), *back;
	const struct ktsnap_map *m;
	const struct ktsnap_map_entry *e;
	const struct ktsnap_value *v;
	const uint8_t *bytes;
	size_t len, n;
	uint64_t u;
	char *s = to_json(r, 0);

	back = from_json(s);
	assert_int_equal(ktsnap_report__map_count(back), ktsnap_report__map_count(r));

	m = ktsnap_report__map_by_name(back, "task_ctx");
	assert_non_null(m);
	assert_int_equal(ktsnap_map__layout(m), KTSNAP_LAYOUT_HASH);
	assert_int_equal(ktsnap_map__key_size(m), 4);
	assert_int_equal(ktsnap_map__entry_count(m), 2);
	e = ktsnap_map__entry(m, 1);
	bytes = ktsnap_map_entry__key_bytes(e, &len);
	assert_int_equal(len, 4);
	assert_int_equal(bytes[0], 0x2c);
	assert_int_equal(bytes[1], 1);
	v = ktsnap_value__get(ktsnap_map_entry__value(e), "ctx.policy");
	assert_int_equal(ktsnap_value__kind(v), KTSNAP_VALUE_ENUM);
	assert_int_equal(ktsnap_value__as_u64(v, &u), 0);
	assert_int_equal(u, 0x80000000ULL);
	assert_non_null(ktsnap_map_entry__payload(e));

	m = ktsnap_report__map_by_name(back, "pcpu_stats");
	assert_int_equal(ktsnap_map__layout(m), KTSNAP_LAYOUT_PERCPU_ARRAY);
	assert_int_equal(ktsnap_map__cpu_count(m), 3);
	e = ktsnap_map__entry(m, 0);
	assert_non_null(ktsnap_map_entry__cpu_value(e, 0));
	assert_null(ktsnap_map_entry__cpu_value(e, 1));
	assert_non_null(ktsnap_map_entry__cpu_value(e, 2));

	m = ktsnap_report__map_by_name(back, "raw_hash");
	e = ktsnap_map__entry(m, 0);
	assert_null(ktsnap_map_entry__key(e));
	bytes = ktsnap_map_entry__value_bytes(e, &len);
	assert_int_equal(len, 8);
	assert_int_equal(bytes[7], 8);

	m = ktsnap_report__map_by_name(back, "ktsched.bss");
	v = ktsnap_value__member(ktsnap_map__value(m), "sign");
	assert_int_equal(ktsnap_value__int(v), -3);
	assert_true(ktsnap_value__enum_is_signed(v));
	v = ktsnap_value__member(
		ktsnap_map__value(ktsnap_report__map_by_name(back, "ktsched.data")), "negzero");
	assert_true(signbit(ktsnap_value__float(v)));

	m = ktsnap_report__map_by_name(back, "stacks");
	assert_int_equal(ktsnap_map__stack_trace(m)->entries[0].pcs[1], 0xffffffff81000010ULL);
	m = ktsnap_report__map_by_name(back, "jump_table");
	assert_int_equal(ktsnap_map__fd_array(m)->indices[1], 3);
	assert_int_equal(
		ktsnap_map__ringbuf(ktsnap_report__map_by_name(back, "events"))->producer_pos, 144);

	assert_int_equal(ktsnap_report__probe_counters(back)->trigger_count, UINT64_MAX);
	assert_int_equal(ktsnap_report__cgroup_psi(back, &n)[1].has_full, true);
	assert_int_equal(ktsnap_report__cgroup_psi(back, &n)[0].has_full, false);
	assert_int_equal(ktsnap_report__rq_scx_states(back, &n)[0].curr_pid, -1);
	assert_int_equal(ktsnap_report__timestamp_ns(back), 1700000000000000001ULL);

	/* carried-through fields come back as the compact text the file held */
	assert_string_equal(ktsnap_report__carried_json(back)->vcpu_regs,
			    "[{\"instruction_pointer\":18446744071562067968},null]");
	assert_string_equal(ktsnap_report__carried_json(back)->scx_static_ranges,
			    "{\"ranges\":[]}");
	assert_null(ktsnap_report__carried_json(back)->sdt_allocations);
	assert_null(ktsnap_report__carried_json(back)->vcpu_perf_at_freeze);
	errno = 0;
	assert_null(ktsnap_report__carried_json(NULL));
	assert_int_equal(errno, EINVAL);

	free(s);
	ktsnap_report__free(back);
	ktsnap_report__free(r);
}

static void read_from_file(void **state)
{
	struct ktsnap_report *r = rb_full_report(0), *back = NULL;
	FILE *f = tmpfile();

	assert_int_equal(ktsnap_report__write_json(r, f, KTSNAP_JSON_PRETTY), 0);
	rewind(f);
	assert_int_equal(ktsnap_report__read_json(f, &back), 0);
	assert_int_equal(ktsnap_report__map_count(back), ktsnap_report__map_count(r));
	fclose(f);
	ktsnap_report__free(back);
	ktsnap_report__free(r);
}

static void value_and_map_writers(void **state)
{
	struct ktsnap_report *r = rb_full_report(0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(ktsnap_value__write_json(NULL, f, 0), 0);
	assert_int_equal(ktsnap_map__write_json(ktsnap_report__map_by_name(r, "events"), f, 0), 0);
	fclose(f);
	assert_string_equal(buf,
			    "null\n{\"name\":\"events\",\"map_kva\":0,\"map_type\":27,"
			    "\"key_size\":0,\"value_size\":0,\"max_entries\":4096,"
			    "\"ringbuf\":{\"capacity\":4096,\"consumer_pos\":64,"
			    "\"producer_pos\":128,\"pending_pos\":128,\"pending_bytes\":64}}\n");
	free(buf);
	ktsnap_report__free(r);
}

static void writer_depth_limit(void **state)
{
	struct ktsnap_report *r = ktsnap_report__new();
	struct ktsnap_value *v = ktsnap_value_new_uint(r, 8, 1), *p;
	FILE *f = fopen("/dev/null", "w");
	int i;

	for (i = 0; i < 1000; i++) {
		p = ktsnap_value_new_ptr(r, 0, v, NULL, NULL);
		v = p;
	}
	assert_int_equal(ktsnap_value__write_json(v, f, 0), -EINVAL);
	assert_non_null(strstr(ktsnap_errmsg(), "nested deeper"));
	fclose(f);
	ktsnap_report__free(r);
}

static void invalid_utf8_is_replaced(void **state)
{
	struct ktsnap_report *r = ktsnap_report__new(), *back;
	char *s;

	r->active_obj_name = "a\xff"
			     "b\xc3\xa9";
	s = to_json(r, 0);
	assert_non_null(strstr(s, "\"active_obj_name\":\"a\xef\xbf\xbd"
				  "b\xc3\xa9\""));
	back = from_json(s);
	assert_string_equal(ktsnap_report__active_obj_name(back), "a\xef\xbf\xbd"
								  "b\xc3\xa9");
	ktsnap_report__free(back);
	ktsnap_report__free(r);
	free(s);
}

static void rejects(void **state)
{
	char *deep;
	int i;

	expect_reject("", -EINVAL, "empty input");
	expect_reject("{\"maps\":[]}", -EINVAL, "missing \"schema\"");
	expect_reject("{\"schema\":\"triple\",\"maps\":[]}", -EINVAL,
		      "schema: unknown schema \"triple\"");
	/* a dual report's halves are "single" reports */
	expect_reject("{\"schema\":\"dual\",\"late\":{}}", -EINVAL, "late: missing \"schema\"");
	expect_reject("{\"schema\":\"dual\"}", -EINVAL, "missing \"late\"");
	expect_reject("{\"schema\":\"dual\",\"late\":{\"schema\":\"dual\"}}", -EINVAL,
		      "late.schema: expected \"single\", got \"dual\"");
	expect_reject("{\"schema\":7}", -EINVAL, "schema: expected a string, got an integer");
	expect_reject("[1]", -EINVAL, "top level is an array");
	expect_reject("{\"schema\":\"single\",\"maps\":{}}", -EINVAL,
		      "maps: expected an array, got an object");
	expect_reject("{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"entries\":[{\"value\":"
		      "{\"kind\":\"uint\",\"bits\":\"64\",\"value\":1}}]}]}",
		      -EINVAL,
		      "maps[0].entries[0].value.bits: expected an unsigned integer, got a string");
	expect_reject(
		"{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"value\":"
		"{\"kind\":\"struct\",\"members\":[{\"name\":\"a\",\"value\":{\"kind\":\"uint\","
		"\"bits\":64,\"value\":-1}}]}}]}",
		-EINVAL,
		"maps[0].value.members[0].value.value: expected an unsigned integer, got -1");
	expect_reject("{\"schema\":\"single\",\"maps\":[],\"bogus\":1}", -EINVAL,
		      "unknown field \"bogus\"");
	expect_reject(
		"{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"value\":{\"kind\":\"quux\"}}]}",
		-EINVAL, "maps[0].value.kind: unknown kind \"quux\"");
	expect_reject("{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"value\":{\"bits\":1}}]}",
		      -EINVAL, "maps[0].value: missing field \"kind\"");
	expect_reject("{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"map_type\":4294967296}]}",
		      -EINVAL, "maps[0].map_type: 4294967296 is out of range");
	expect_reject("{\"schema\":\"single\",\"maps\":[{\"name\":null}]}", -EINVAL,
		      "maps[0].name: expected a value, got null");
	expect_reject(
		"{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"value\":{\"kind\":\"int\","
		"\"value\":9223372036854775808}}]}",
		-EINVAL, "value.value: 9223372036854775808 is out of range");
	expect_reject("{\"schema\":\"single\",\"capture_ns\":18446744073709551616}", -EINVAL,
		      "at byte 32: integer 18446744073709551616 does not fit in 64 bits");
	expect_reject("{\"schema\":\"single\",\"x\":NaN}", -EINVAL, "unexpected token 'NaN'");
	expect_reject("{\"schema\":\"single\",\"maps\":[]", -EINVAL,
		      "truncated (input ends at byte 28 inside a value)");
	expect_reject("{\"schema\":\"single\"} x", -EINVAL, "at byte 20");
	expect_reject("{\"schema\":\"single\",}", -EINVAL, "invalid report JSON at byte 19");
	expect_reject("{\"schema\":\"single\",\"active_obj_name\":\"a\\u0000b\"}", -EINVAL,
		      "active_obj_name: string contains a NUL character");
	expect_reject(
		"{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"entries\":[{\"key_hex\":\"0G\"}]}]}",
		-EINVAL, "maps[0].entries[0].key_hex: malformed hex bytes");
	expect_reject(
		"{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"entries\":[{\"key_hex\":\"01  02\"}]}]}",
		-EINVAL, "malformed hex bytes");
	expect_reject("{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"entries\":[],\"value\":"
		      "{\"kind\":\"bool\"}}]}",
		      -EINVAL, "more than one of");
	expect_reject(
		"{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"stack_trace\":{\"entries\":"
		"[{\"nr\":3,\"pcs\":[1]}]}}]}",
		-EINVAL, "maps[0].stack_trace.entries[0]: nr is 3 but pcs has 1 elements");
	expect_reject("{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"percpu_entries\":"
		      "[{\"key\":0,\"per_cpu\":[null,{\"kind\":\"float\",\"value\":1e999}]}]}]}",
		      -EINVAL, "percpu_entries[0].per_cpu[1].value: number out of range");
	expect_reject(
		"{\"schema\":\"single\",\"per_cpu_time\":[{\"softirqs\":[1,2,3,4,5,6,7,8,9,10,11]}]}",
		-EINVAL, "per_cpu_time[0].softirqs: at most 10 elements");
	expect_reject("{'schema':'single'}", -EINVAL, "unexpected character");
	expect_reject("{\"schema\":\"single\",\"active_obj_name\":\"\xff\"}", -EINVAL,
		      "invalid report JSON at byte");

	/* nesting beyond the limit is a parse error, not a deep recursion */
	deep = malloc(64 + 100000);
	strcpy(deep, "{\"schema\":\"single\",\"vcpu_regs\":");
	i = (int)strlen(deep);
	memset(deep + i, '[', 100000);
	deep[i + 100000] = '\0';
	expect_reject(deep, -EINVAL, "nesting too deep");
	free(deep);
}

static void accepts_absent_fields(void **state)
{
	struct ktsnap_report *r = from_json(
		"{\"schema\":\"single\",\"maps\":[{\"name\":\"x.bss\",\"value\":{\"kind\":\"enum\","
		"\"value\":-1}},{\"name\":\"p\",\"max_entries\":2,\"percpu_entries\":[{\"key\":1}]}]}");
	const struct ktsnap_value *v = ktsnap_map__value(ktsnap_report__map_by_index(r, 0));
	uint64_t u;

	/* missing is_signed reads as false: the i64 pattern -1 is u64 max */
	assert_false(ktsnap_value__enum_is_signed(v));
	assert_int_equal(ktsnap_value__as_u64(v, &u), 0);
	assert_int_equal(u, UINT64_MAX);
	assert_int_equal(ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 1)), 1);
	ktsnap_report__free(r);
}

/* The deepest file the reader accepts can be written back (the writer's
 * recursion must fit the stack even in sanitizer builds). */
static void deepest_readable_report(void **state)
{
	size_t n = 250, i, len = 0;
	char *s = malloc(64 + n * 64), *out;
	struct ktsnap_report *r;

	strcpy(s, "{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"value\":");
	for (i = 0; i < n; i++)
		strcat(s, "{\"kind\":\"ptr\",\"value\":1,\"deref\":");
	strcat(s, "{\"kind\":\"bool\",\"value\":true}");
	len = strlen(s);
	for (i = 0; i < n; i++)
		s[len++] = '}';
	strcpy(s + len, "}]}");
	r = from_json(s);
	out = to_json(r, 0);
	assert_int_equal(strlen(out), 1 + strlen(s) +
					      strlen(",\"map_kva\":0,\"map_type\":0,"
						     "\"key_size\":0,\"value_size\":0,"
						     "\"max_entries\":0"));
	free(out);
	ktsnap_report__free(r);
	free(s);
}

/*
 * Entry lists are parsed one element at a time (json_read.c); the result
 * and the errors must be those of a whole-document parse.
 */
#define ENTRY(k) "{\"key_hex\":\"0" #k "\",\"value_hex\":\"00\"}"
#define HDR "{\"schema\":\"single\",\"maps\":["
static void entry_lists_one_at_a_time(void **state)
{
	struct ktsnap_report *r;
	size_t len;

	/* each map's list goes to its own map */
	r = from_json(
		HDR
		"{\"name\":\"a\",\"value_size\":1,\"max_entries\":64,\"entries\":[" ENTRY(1) "," ENTRY(
			2) "]},"
			   "{\"name\":\"b\",\"value_size\":1,\"max_entries\":64,\"entries\":[]},"
			   "{\"name\":\"c\",\"value_size\":1,\"max_entries\":64,\"entries\":[ " ENTRY(
				   3) " ]}]}");
	assert_int_equal(ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 0)), 2);
	assert_int_equal(ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 1)), 0);
	assert_int_equal(ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 2)), 1);
	assert_int_equal(*ktsnap_map_entry__key_bytes(
				 ktsnap_map__entry(ktsnap_report__map_by_index(r, 2), 0), &len),
			 3);
	ktsnap_report__free(r);

	/* an escaped key name is the same key (no splitting, same result) */
	r = from_json(
		HDR "{\"name\":\"a\",\"value_size\":1,\"max_entries\":64,\"entr\\u0069es\":[" ENTRY(
			1) "]}]}");
	assert_int_equal(ktsnap_map__entry_count(ktsnap_report__map_by_index(r, 0)), 1);
	ktsnap_report__free(r);

	/* json-c-only errors inside an element name the element and the byte
	 * (lists of more than 1 KB of text are the ones parsed element-wise) */
	{
		char big[4096] =
			HDR "{\"name\":\"a\",\"value_size\":1,\"max_entries\":64,\"entries\":[";
		int k;

		for (k = 0; k < 30; k++)
			strcat(big, ENTRY(1) ",");
		strcat(big, "{\"key_hex\":\"01\",\"value\":{\"kind\":\"uint\",\"bits\":064,"
			    "\"value\":1}}]}]}");
		expect_reject(big, -EINVAL, "maps[0].entries[30]: invalid JSON at byte ");
	}
	/* structural errors around the elements are the whole parse's */
	expect_reject(HDR "{\"name\":\"a\",\"value_size\":1,\"max_entries\":64,\"entries\":[" ENTRY(
			      1) ",]}]}",
		      -EINVAL, "invalid report JSON at byte");
	expect_reject(HDR "{\"name\":\"a\",\"value_size\":1,\"max_entries\":64,\"entries\":[" ENTRY(
			      1) " " ENTRY(2) "]}]}",
		      -EINVAL, "invalid report JSON at byte");
	expect_reject(HDR
		      "{\"name\":\"a\",\"value_size\":1,\"max_entries\":64,\"entries\":[" ENTRY(1),
		      -EINVAL, "truncated");
}

/* F42 / F84: the "dual" and "degraded" shapes and a map's "arena" object
 * read, show through their accessors and write back byte for byte. */
#define SINGLE(name)                                                             \
	"{\"schema\":\"single\",\"maps\":[{\"name\":\"" name "\",\"map_kva\":0," \
	"\"map_type\":2,\"key_size\":4,\"value_size\":4,\"max_entries\":1,"      \
	"\"value\":{\"kind\":\"uint\",\"bits\":32,\"value\":7}}]}"
static void round_trips(const char *in)
{
	struct ktsnap_report *r = from_json(in);
	char *out = to_json(r, 0), *pretty, *again;
	struct ktsnap_report *back;

	assert_string_equal(out, in);
	/* and the pretty form reads back to the same report */
	pretty = to_json(r, KTSNAP_JSON_PRETTY);
	back = from_json(pretty);
	again = to_json(back, 0);
	assert_string_equal(again, in);
	free(again);
	free(pretty);
	free(out);
	ktsnap_report__free(back);
	ktsnap_report__free(r);
}

static const char dual[] =
	"{\"schema\":\"dual\",\"early\":" SINGLE("early.bss") ",\"late\":" SINGLE(
		"late.bss") ",\"early_max_age_jiffies\":250,\"early_threshold_jiffies\":1000,"
			    "\"early_skipped_reason\":\"too old\"}\n";
static const char late_only[] =
	"{\"schema\":\"dual\",\"late\":" SINGLE("late.bss") ",\"early_max_age_jiffies\":0,"
							    "\"early_threshold_jiffies\":5}\n";
static const char degraded[] =
	"{\"schema\":\"degraded\",\"reason\":\"rendezvous timed out\",\"vcpu_regs\":"
	"[{\"instruction_pointer\":18446744071562067968,\"stack_pointer\":1},null],"
	"\"watchpoint_hit\":null,\"bss_latch_state\":{\"latched\":true,\"n\":[1,2]},"
	"\"exit_kind\":\"Error\",\"elapsed_ms\":1500}\n";
static const char arena[] =
	"{\"schema\":\"single\",\"maps\":[{\"name\":\"arena\",\"map_kva\":0,\"map_type\":33,"
	"\"key_size\":0,\"value_size\":0,\"max_entries\":16,\"arena\":{\"user_vm_start\":"
	"4096,\"pages\":[{\"user_addr\":4096,\"bytes\":\"00 01\"}],\"truncated\":false}}]}\n";

static void sidecar_shapes(void **state)
{
	const struct ktsnap_dual_info *di;
	const struct ktsnap_degraded_info *dg;
	struct ktsnap_report *r;
	const struct ktsnap_map *m;

	round_trips(dual);
	round_trips(late_only);
	round_trips(degraded);
	round_trips(arena);

	/* dual: the report is the late half, the early one hangs off it */
	r = from_json(dual);
	assert_string_equal(ktsnap_report__schema(r), "dual");
	assert_non_null(ktsnap_report__map_by_name(r, "late.bss"));
	assert_null(ktsnap_report__map_by_name(r, "early.bss"));
	di = ktsnap_report__dual(r);
	assert_non_null(di);
	assert_non_null(di->early);
	assert_non_null(ktsnap_report__map_by_name(di->early, "early.bss"));
	assert_string_equal(ktsnap_report__schema(di->early), "single");
	assert_int_equal(di->early_max_age_jiffies, 250);
	assert_int_equal(di->early_threshold_jiffies, 1000);
	assert_string_equal(di->early_skipped_reason, "too old");
	errno = 0;
	assert_null(ktsnap_report__degraded(r));
	assert_int_equal(errno, ENOENT);
	ktsnap_report__free(r);
	r = from_json(late_only);
	di = ktsnap_report__dual(r);
	assert_non_null(di);
	assert_null(di->early);
	assert_null(di->early_skipped_reason);
	ktsnap_report__free(r);

	r = from_json(degraded);
	assert_string_equal(ktsnap_report__schema(r), "degraded");
	assert_int_equal(ktsnap_report__map_count(r), 0);
	dg = ktsnap_report__degraded(r);
	assert_non_null(dg);
	assert_string_equal(dg->reason, "rendezvous timed out");
	assert_string_equal(dg->watchpoint_hit_json, "null");
	assert_string_equal(dg->bss_latch_state_json, "{\"latched\":true,\"n\":[1,2]}");
	assert_string_equal(dg->exit_kind_json, "\"Error\"");
	assert_int_equal(dg->elapsed_ms, 1500);
	errno = 0;
	assert_null(ktsnap_report__dual(r));
	assert_int_equal(errno, ENOENT);
	assert_string_equal(ktsnap_errmsg(), "the report's schema is \"degraded\", not \"dual\"");
	assert_null(ktsnap_report__dual(NULL));
	assert_int_equal(errno, EINVAL);
	ktsnap_report__free(r);

	r = from_json(arena);
	m = ktsnap_report__map_by_name(r, "arena");
	assert_string_equal(ktsnap_map__arena_json(m),
			    "{\"user_vm_start\":4096,\"pages\":[{\"user_addr\":4096,\"bytes\":"
			    "\"00 01\"}],\"truncated\":false}");
	assert_null(ktsnap_map__arena_json(NULL));
	ktsnap_report__free(r);
	r = from_json(SINGLE("x"));
	errno = 0;
	assert_null(ktsnap_map__arena_json(ktsnap_report__map_by_index(r, 0)));
	assert_int_equal(errno, ENOENT);
	ktsnap_report__free(r);

	expect_reject("{\"schema\":\"degraded\",\"reason\":null}", -EINVAL,
		      "reason: expected a value, got null");
	expect_reject("{\"schema\":\"degraded\",\"maps\":[]}", -EINVAL, "unknown field \"maps\"");
}

/* @in reads, and its written form contains @needle and reads back. */
static void round_trips_as(const char *in, const char *needle)
{
	struct ktsnap_report *r = from_json(in), *back;
	char *out = to_json(r, 0);

	assert_non_null(strstr(out, needle));
	back = from_json(out);
	ktsnap_report__free(back);
	ktsnap_report__free(r);
	free(out);
}

/* Arrays of 1 KB and more are parsed element by element wherever they sit
 * (nested in each other, in verbatim fields): the result is the same. */
static void cut_arrays_round_trip(void **state)
{
	size_t cap = 1 << 20, i, k;
	char *s = malloc(cap);
	int n;

	n = snprintf(s, cap,
		     "{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"map_kva\":0,"
		     "\"map_type\":2,\"key_size\":4,\"value_size\":800,\"max_entries\":1,"
		     "\"value\":{\"kind\":\"struct\",\"type_name\":\"t\",\"members\":[");
	/* members whose values are arrays of 100 small values (past 1 KB) */
	for (i = 0; i < 200; i++) {
		n += snprintf(s + n, cap - n,
			      "%s{\"name\":\"a%zu\",\"value\":{\"kind\":\"array\","
			      "\"len\":100,\"elements\":[",
			      i ? "," : "", i);
		for (k = 0; k < 100; k++)
			n += snprintf(s + n, cap - n,
				      "%s{\"kind\":\"uint\",\"bits\":8,\"value\":%zu}",
				      k ? "," : "", k);
		n += snprintf(s + n, cap - n, "]}}");
	}
	n += snprintf(s + n, cap - n, "]}}],\"vcpu_regs\":[");
	for (i = 0; i < 50; i++) {
		n += snprintf(s + n, cap - n, "%s{\"instruction_pointer\":%zu,\"stack\":[",
			      i ? "," : "", i);
		for (k = 0; k < 300; k++)
			n += snprintf(s + n, cap - n, "%s%zu", k ? "," : "", k);
		n += snprintf(s + n, cap - n, "],\"s\":\"x\"}");
	}
	n += snprintf(s + n, cap - n, "],\"active_map_kvas\":[");
	for (k = 0; k < 2000; k++)
		n += snprintf(s + n, cap - n, "%s%zu", k ? "," : "", k * 4096);
	snprintf(s + n, cap - n, "]}\n");
	round_trips(s);
	free(s);
}

/* Reliability review #14-#16 and #28: what the writer never emits. */
#define M(fields)                                                          \
	"{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"key_size\":4," \
	"\"value_size\":8,\"max_entries\":4," fields "}]}"
#define HASH1(e) M("\"entries\":[" e "]")
#define VAL(v) M("\"value\":" v)
static void rejects_what_writer_never_emits(void **state)
{
	/* #14: raw bytes against the declared sizes and the rendered key */
	expect_reject(HASH1("{\"key_hex\":\"01\",\"value_hex\":\"00 00 00 00 00 00 00 00\"}"),
		      -EINVAL, "maps[0].entries[0].key_hex: 1 bytes, but the map's key_size is 4");
	expect_reject(HASH1("{\"key_hex\":\"01 00 00 00\",\"value_hex\":\"00\"}"), -EINVAL,
		      "maps[0].entries[0].value_hex: 1 bytes, but the map's value_size is 8");
	expect_reject(HASH1("{\"key\":{\"kind\":\"uint\",\"bits\":32,\"value\":999},"
			    "\"key_hex\":\"01 00 00 00\"}"),
		      -EINVAL, "maps[0].entries[0].key_hex: the bytes disagree with the rendered");
	/* the same with a matching key reads */
	ktsnap_report__free(from_json(HASH1("{\"key\":{\"kind\":\"uint\",\"bits\":32,\"value\":"
					    "999},\"key_hex\":\"e7 03 00 00\"}")));
	/* the original tool writes no key_size: the keys say it, and must agree */
	{
		struct ktsnap_report *r = from_json(
			"{\"schema\":\"single\",\"maps\":[{\"name\":\"h\",\"value_size\":1,"
			"\"max_entries\":8,\"entries\":[{\"key_hex\":\"01 00\",\"value_hex\":\"05\"}]}]}");

		assert_int_equal(ktsnap_map__key_size(ktsnap_report__map_by_index(r, 0)), 2);
		ktsnap_report__free(r);
	}
	expect_reject("{\"schema\":\"single\",\"maps\":[{\"name\":\"h\",\"max_entries\":8,"
		      "\"entries\":[{\"key_hex\":\"01 00\"},{\"key_hex\":\"01\"}]}]}",
		      -EINVAL, "maps[0].entries[1].key_hex: 1 bytes, but the map's key_size is 2");
	/* a width the file leaves out reads (and writes back) as 64 */
	round_trips_as(VAL("{\"kind\":\"int\",\"value\":-1}"), "{\"kind\":\"int\",\"bits\":64,");
	/* #15: widths, values that do not fit them, lengths and counts */
	expect_reject(VAL("{\"kind\":\"uint\",\"bits\":0,\"value\":0}"), -EINVAL,
		      "maps[0].value.bits: 0 is not an integer width");
	expect_reject(VAL("{\"kind\":\"int\",\"bits\":200,\"value\":0}"), -EINVAL,
		      "maps[0].value.bits: 200 is not an integer width");
	expect_reject(VAL("{\"kind\":\"uint\",\"bits\":3,\"value\":1000}"), -EINVAL,
		      "maps[0].value.value: 1000 does not fit in 3 bits");
	expect_reject(VAL("{\"kind\":\"int\",\"bits\":8,\"value\":-129}"), -EINVAL,
		      "-129 does not fit in 8 bits");
	expect_reject(VAL("{\"kind\":\"enum\",\"bits\":8,\"value\":256}"), -EINVAL,
		      "256 does not fit in 8 bits");
	expect_reject(VAL("{\"kind\":\"float\",\"bits\":12,\"value\":1.0}"), -EINVAL,
		      "a float of 12 bits");
	expect_reject(VAL("{\"kind\":\"array\",\"len\":1,\"elements\":[{\"kind\":\"bool\","
			  "\"value\":true},{\"kind\":\"bool\",\"value\":true}]}"),
		      -EINVAL, "maps[0].value.len: 1 does not fit 2 elements");
	expect_reject(VAL("{\"kind\":\"array\",\"len\":18446744073709551615}"), -EINVAL,
		      "maps[0].value.len: 18446744073709551615 does not fit");
	expect_reject(VAL("{\"kind\":\"truncated\",\"needed\":2,\"had\":3}"), -EINVAL,
		      "maps[0].value.had: 3 is more than needed");
	expect_reject(VAL("{\"kind\":\"truncated\",\"needed\":18446744073709551615}"), -EINVAL,
		      "maps[0].value.needed: 18446744073709551615 is more than a BTF type's size");
	expect_reject("{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"max_entries\":0,"
		      "\"array_entries\":[{\"key\":0}]}]}",
		      -EINVAL, "maps[0]: 1 entries, but max_entries is 0");
	expect_reject(M("\"percpu_entries\":[{\"key\":0,\"per_cpu\":[null,null]},"
			"{\"key\":1,\"per_cpu\":[null]}]"),
		      -EINVAL,
		      "maps[0].percpu_entries[1]: 1 per-CPU slots, but the first entry has 2");
	expect_reject(M("\"fd_array\":{\"populated\":100,\"scanned\":1}"), -EINVAL,
		      "maps[0].fd_array: populated 100, scanned 1 and 0 indices do not add up");
	/* #16: NUL in names, invalid UTF-8 in any string */
	expect_reject("{\"schema\":\"single\",\"maps\\u0000x\":[]}", -EINVAL,
		      "at byte 19: a field name contains a NUL character");
	expect_reject("{\"schema\":\"single\\u0000junk\"}", -EINVAL,
		      "schema: string contains a NUL character");
	expect_reject("{\"schema\":\"single\",\"active_obj_name\":\"\xc0\xaf\"}", -EINVAL,
		      "invalid report JSON at byte");
	expect_reject("{\"schema\":\"single\",\"active_obj_name\":\"\xed\xa0\x80\"}", -EINVAL,
		      "at byte 38: invalid UTF-8 in a string");
	expect_reject("{\"schema\":\"single\",\"active_obj_name\":\"a\\ud800\"}", -EINVAL,
		      "at byte 39: unpaired surrogate \\ud800");
	expect_reject("{\"schema\":\"single\",\"active_obj_name\":\"\\udc00\\ud800\"}", -EINVAL,
		      "unpaired surrogate \\udc00");
	/* a proper pair and plain UTF-8 read */
	ktsnap_report__free(from_json("{\"schema\":\"single\",\"active_obj_name\":"
				      "\"\\ud83d\\ude00 \xf0\x9f\x98\x80 \xc3\xa9\"}"));
	/* #28: top-level scalars say what they are */
	expect_reject("null", -EINVAL, "top level is null, not an object");
	expect_reject("7", -EINVAL, "top level is an integer, not an object");
}

/* #27: read errors name their errno. */
static void read_errors_name_errno(void **state)
{
	struct ktsnap_report *r = NULL;
	FILE *f = fopen("/", "r");

	assert_non_null(f);
	assert_int_equal(ktsnap_report__read_json(f, &r), -EISDIR);
	assert_non_null(strstr(ktsnap_errmsg(), "Is a directory"));
	fclose(f);
	f = fopen("/proc/self/mem", "r");
	assert_non_null(f);
	assert_int_equal(ktsnap_report__read_json(f, &r), -EIO);
	assert_non_null(strstr(ktsnap_errmsg(), "Input/output error"));
	fclose(f);
	/* a device of garbage is refused at its first byte, not read whole */
	f = fopen("/dev/zero", "r");
	assert_non_null(f);
	assert_int_equal(ktsnap_report__read_json(f, &r), -EINVAL);
	assert_non_null(strstr(ktsnap_errmsg(), "invalid report JSON at byte 0"));
	fclose(f);
	assert_null(r);
}

/* A regular file is read from the stream's position to its end. */
static void read_from_file_position(void **state)
{
	struct ktsnap_report *r = NULL;
	FILE *f = tmpfile();

	fputs("xyz{\"schema\":\"single\",\"active_obj_name\":\"ktsched\"}", f);
	fflush(f);
	fseek(f, 3, SEEK_SET);
	assert_int_equal(ktsnap_report__read_json(f, &r), 0);
	assert_string_equal(ktsnap_report__active_obj_name(r), "ktsched");
	assert_int_equal(fgetc(f), EOF);
	fclose(f);
	ktsnap_report__free(r);
}

/* #10: writing a report bigger than a stream reader takes warns. */
static char warned[512];

static int catch_print(enum ktsnap_print_level level, const char *fmt, va_list ap)
{
	if (level == KTSNAP_WARN)
		vsnprintf(warned, sizeof(warned), fmt, ap);
	return 0;
}

static void big_write_warns(void **state)
{
	struct ktsnap_report *r = rb_full_report(0);
	ktsnap_print_fn_t old = ktsnap_set_print(catch_print);
	uint64_t limit = json_write_warn_bytes;
	FILE *f = fopen("/dev/null", "w");

	assert_int_equal(ktsnap_report__write_json(r, f, 0), 0);
	assert_string_equal(warned, "");
	json_write_warn_bytes = 100;
	assert_int_equal(ktsnap_report__write_json(r, f, 0), 0);
	json_write_warn_bytes = limit;
	ktsnap_set_print(old);
	assert_non_null(strstr(warned, "ktsnap reads reports larger than 100 bytes only from "
				       "regular files"));
	fclose(f);
	ktsnap_report__free(r);
}

/* A report long enough for the writer's helper thread (many megabytes). */
static struct ktsnap_report *long_report(void)
{
	struct ktsnap_report *r = rb_full_report(0);

	rb_hash(r, "long", 60000, true);
	return r;
}

/* Written to a file (the helper thread writes) and to a memory stream
 * (the caller writes everything): the same bytes, pretty or not. */
static void long_file_same_as_memory(void **state)
{
	struct ktsnap_report *r = long_report();
	unsigned int flags[] = { 0, KTSNAP_JSON_PRETTY };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		char *mem = NULL, *file;
		size_t mem_len = 0;
		FILE *m = open_memstream(&mem, &mem_len), *f = tmpfile();
		long len;

		assert_non_null(m);
		assert_non_null(f);
		assert_int_equal(ktsnap_report__write_json(r, m, flags[i]), 0);
		fclose(m);
		/* something of the caller's before and after stays in order */
		fputs("<", f);
		assert_int_equal(ktsnap_report__write_json(r, f, flags[i]), 0);
		fputs(">", f);
		assert_int_equal(fflush(f), 0);
		len = ftell(f);
		assert_int_equal(len, (long)mem_len + 2);
		assert_true(mem_len > 8 << 20);
		file = malloc(len);
		assert_non_null(file);
		rewind(f);
		assert_int_equal(fread(file, 1, len, f), len);
		assert_int_equal(file[0], '<');
		assert_int_equal(file[len - 1], '>');
		assert_memory_equal(file + 1, mem, mem_len);
		free(file);
		free(mem);
		fclose(f);
	}
	ktsnap_report__free(r);
}

/* A write that fails megabytes in (a file size limit) is the writer's
 * error, with the errno of the failed write. */
static void long_file_write_error(void **state)
{
	struct ktsnap_report *r = long_report();
	struct rlimit old, lim;
	void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
	FILE *f = tmpfile();
	int err;

	(void)state;
	assert_non_null(f);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 3 << 20;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	err = ktsnap_report__write_json(r, f, 0);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, old_sig);
	assert_int_equal(err, -EFBIG);
	assert_non_null(strstr(ktsnap_errmsg(), "write failed"));
	fclose(f);
	ktsnap_report__free(r);
}

static int write_corpus(const char *dir)
{
	struct rb_seed seeds[] = {
		{ "default.json", ktsnap_report__new(), 0 },
		{ "placeholder.json", ktsnap_report__placeholder("rendezvous timed out"), 0 },
		{ "all_variants.json", rb_full_report(0), 0 },
		{ "all_variants_pretty.json", rb_full_report(1), KTSNAP_JSON_PRETTY },
		{ "dual.json", NULL, 0 },
		{ "degraded.json", NULL, 0 },
		{ "arena.json", NULL, 0 },
	};
	const char *text[] = { [4] = dual, [5] = degraded, [6] = arena };
	size_t i, n = sizeof(seeds) / sizeof(seeds[0]);

	for (i = 0; i < n; i++)
		if (text[i] && ktsnap_report__read_json_buf(text[i], strlen(text[i]), &seeds[i].r))
			return 1;
	return rb_write_corpus(dir, seeds, n, ktsnap_report__write_json);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_report_is_schema_and_maps),
		cmocka_unit_test(placeholder_fields),
		cmocka_unit_test(exact_values),
		cmocka_unit_test(round_trip_identity),
		cmocka_unit_test(read_back_model),
		cmocka_unit_test(read_from_file),
		cmocka_unit_test(value_and_map_writers),
		cmocka_unit_test(writer_depth_limit),
		cmocka_unit_test(invalid_utf8_is_replaced),
		cmocka_unit_test(rejects),
		cmocka_unit_test(accepts_absent_fields),
		cmocka_unit_test(deepest_readable_report),
		cmocka_unit_test(entry_lists_one_at_a_time),
		cmocka_unit_test(sidecar_shapes),
		cmocka_unit_test(rejects_what_writer_never_emits),
		cmocka_unit_test(read_errors_name_errno),
		cmocka_unit_test(read_from_file_position),
		cmocka_unit_test(big_write_warns),
		cmocka_unit_test(long_file_same_as_memory),
		cmocka_unit_test(long_file_write_error),
		cmocka_unit_test(cut_arrays_round_trip),
	};

	if (argc == 3 && !strcmp(argv[1], "--corpus"))
		return write_corpus(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
