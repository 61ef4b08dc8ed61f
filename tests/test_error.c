// SPDX-License-Identifier: MIT
/*
 * SnapshotError texts of the variants made outside the map/var views
 * (spec §7.1, §7.3, §7.4; FEATURES F106–F109), the structured accessors,
 * and the JSON fields of §6.10 (F102–F105).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>
#include "report_builder.h"

#define assert_err(e, want) assert_string_equal(rb_errstr(e), want)

static void placeholder_snapshot(void **state)
{
	struct ktsnap_error e = ktsnap_error__placeholder_snapshot("after_spawn");

	assert_err(&e, "snapshot 'after_spawn' is a placeholder — the freeze-rendezvous path could "
		       "not capture real data; no maps to walk");
	e = ktsnap_error__placeholder_snapshot(NULL);
	assert_err(&e, "snapshot is a placeholder — the freeze-rendezvous path could not capture "
		       "real data; no maps to walk");
	assert_string_equal(ktsnap_error_kind__name(e.kind), "PlaceholderSnapshot");
}

static void sample_variants(void **state)
{
	struct ktsnap_missing_stats ms = { .kind = KTSNAP_MISSING_STATS_REQUEST_TOO_LARGE,
					   .size = 10,
					   .max = 5 };
	struct ktsnap_error e;

	e = ktsnap_error__placeholder_sample("periodic_003", "rendezvous timeout");
	assert_err(&e, "sample 'periodic_003' is a placeholder report (capture pipeline did not "
		       "land): rendezvous timeout");
	e = ktsnap_error__missing_stats("periodic_001", &ms);
	assert_err(&e, "sample 'periodic_001': stats absent (stats request 10 bytes exceeds 5-byte "
		       "cap)");
	ms = (struct ktsnap_missing_stats){ .kind = KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY };
	e = ktsnap_error__missing_stats("t", &ms);
	assert_err(&e, "sample 't': stats absent (no scheduler_binary configured for this run)");
	e = ktsnap_error__host_field_unavailable("periodic_002", 7);
	assert_err(&e, "sample 'periodic_002': per_cpu_time has no entry for cpu 7 (placeholder "
		       "report or kernel-walker resolution failure)");
	assert_int_equal(ktsnap_error__index(&e), 7);
}

static void projection_and_no_active(void **state)
{
	struct ktsnap_error e = ktsnap_error__projection_failed("ratio undefined");

	assert_err(&e, "projection failed: ratio undefined");
	e = ktsnap_error__no_active_scheduler("why");
	assert_err(
		&e,
		"snapshot has no currently-active scheduler (why); use Snapshot::vars(name) "
		"to enumerate every observed copy explicitly, Snapshot::live_var(name) to "
		"keep the typed error path while opting into the active filter, or "
		"Snapshot::map(\"<obj>.<section>\") to address a specific scheduler's bss "
		"directly (C: ktsnap_snapshot__vars(), ktsnap_snapshot__live_var(), ktsnap_snapshot__map())");
}

static void walker_drift(void **state)
{
	static const uint64_t pinned[] = { 0xffff8881, 0xffff8882 }, sample[] = { 0xffff8883 };
	struct ktsnap_error e = ktsnap_error__walker_drifted_within_phase(
		"Step(2)", "nr_dispatched", pinned, 2, sample, 1);
	char buf[64];

	assert_err(&e,
		   "walker drift within Step(2): lookup 'nr_dispatched' resolved against KVA set "
		   "[\n    0xffff8883,\n], but an earlier same-phase snapshot pinned [\n    "
		   "0xffff8881,\n    0xffff8882,\n]. The walker re-published mid-phase (typical "
		   "cause: a post-Op::ReplaceScheduler swap window). The drifted sample is "
		   "surfaced as Err so per-phase reducers (counter_delta_per_phase, "
		   "ratio_across_phases) see monotonic Ok-sequences from one walker decision; "
		   "address by stepping the phase past the swap settle window or by reading via "
		   "the explicit picker form.");
	assert_int_equal(ktsnap_error__requested(&e, buf, sizeof(buf)), 13);
	assert_string_equal(buf, "nr_dispatched");
	e = ktsnap_error__walker_drifted_within_phase("P", "x", NULL, 0, NULL, 0);
	assert_non_null(strstr(rb_errstr(&e), "KVA set [], but an earlier same-phase snapshot "
					      "pinned []."));
}

static void long_texts_are_cut_safely(void **state)
{
	char tag[400];
	struct ktsnap_error e;

	memset(tag, 'x', sizeof(tag) - 1);
	tag[sizeof(tag) - 1] = '\0';
	/* "…" straddling the cut must not be split */
	memcpy(tag + KTSNAP_ERROR_TEXT_MAX - 3, "…", 3);
	e = ktsnap_error__placeholder_snapshot(tag);
	assert_true(strlen(e.text) < KTSNAP_ERROR_TEXT_MAX);
	e = ktsnap_error__placeholder_sample(tag, "reason kept");
	assert_non_null(strstr(rb_errstr(&e), ": reason kept"));
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/*
 * F106 for any input length: a 10,000-component path and a 120k-character
 * name keep every part of the sentence; only the copied strings are cut,
 * and each cut ends in "…".
 */
static void long_inputs_keep_the_whole_sentence(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_value *node = ktsnap_value_new_struct(r, "node", 1);
	size_t i, n = 10000, big = 120000;
	char *path = malloc(n * 2 + 4), *name = malloc(big + 1), *mapname = malloc(1001);
	char buf[512], *want;
	struct ktsnap_field f;
	struct ktsnap_entry e;
	const char *t;

	assert_non_null(path);
	assert_non_null(name);
	assert_non_null(mapname);
	/* node.a points back at node: every "a." component walks one hop */
	*ktsnap_member_slot(node, 0, "a") = rb_ptr(r, 0x1000, node);
	for (i = 0; i < n - 1; i++)
		memcpy(path + 2 * i, "a.", 2);
	strcpy(path + 2 * (n - 1), "zzz");
	f = ktsnap_field__get(ktsnap_field__of(node), path);
	assert_int_equal(ktsnap_error__kind(ktsnap_field__error(&f)), KTSNAP_ERR_FIELD_NOT_FOUND);
	t = rb_errstr(ktsnap_field__error(&f));
	assert_true(!strncmp(t, "path 'a.a.a.", 12));
	assert_non_null(strstr(t, "…': component 'zzz' (after walking 'a.a.a."));
	assert_true(ends_with(t, "…') not found (members at this depth: [\"a\"])"));
	assert_true(ktsnap_error__component(ktsnap_field__error(&f), buf, sizeof(buf)) == 3);
	assert_string_equal(buf, "zzz");
	ktsnap_error__walked(ktsnap_field__error(&f), buf, sizeof(buf));
	assert_true(ends_with(buf, "a.…"));
	ktsnap_error__requested(ktsnap_field__error(&f), buf, sizeof(buf));
	assert_true(ends_with(buf, "…"));

	/* 120k-character variable name */
	memset(name, 'y', big);
	name[big] = '\0';
	rb_global(r, "obj.bss", 1, rb_struct(r, NULL, "x", (uint64_t)1, NULL));
	f = ktsnap_snapshot__var(ktsnap_snapshot__new(r), name);
	t = rb_errstr(ktsnap_field__error(&f));
	assert_true(!strncmp(t, "snapshot has no global variable 'yyyy", 37));
	assert_true(ends_with(t, "y…' in any *.bss/*.data/*.rodata map (available globals: "
				 "[\"x\"])"));
	assert_true(strlen(t) < 512);
	e = ktsnap_map_view__at(ktsnap_snapshot__map(ktsnap_snapshot__new(r), name), 0);
	t = rb_errstr(ktsnap_entry__error(&e));
	assert_true(ends_with(t, "y…' (captured maps: [\"obj.bss\"])"));

	/* names borrowed from the report are never cut */
	memset(mapname, 'm', 1000);
	mapname[1000] = '\0';
	rb_hash(r, mapname, 1, true);
	e = ktsnap_map_view__at(ktsnap_snapshot__map(ktsnap_snapshot__new(r), mapname), 5);
	assert_true(asprintf(&want, "map '%s': index 5 out of range (length 1)", mapname) > 0);
	assert_string_equal(rb_errstr(ktsnap_entry__error(&e)), want);
	free(want);
	free(path);
	free(name);
	free(mapname);
}

static void accessors(void **state)
{
	struct ktsnap_report *r = *state;
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	struct ktsnap_entry e;
	struct ktsnap_field f;
	char buf[64];

	rb_hash(r, "h", 2, true);
	e = ktsnap_map_view__at(ktsnap_snapshot__map(s, "h"), 9);
	assert_string_equal(ktsnap_error__map(&e.err), "h");
	assert_int_equal(ktsnap_error__index(&e.err), 9);
	assert_int_equal(ktsnap_error__len(&e.err), 2);
	assert_int_equal(ktsnap_error__requested(&e.err, buf, sizeof(buf)), -ENOENT);

	f = ktsnap_entry__get(ktsnap_map_view__at(ktsnap_snapshot__map(s, "h"), 0), "pid.x");
	assert_string_equal(ktsnap_error__expected(&f.err), "Uint");
	assert_int_equal(ktsnap_error__walked(&f.err, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "pid");
	{
		struct ktsnap_error te;
		uint64_t u;

		f = ktsnap_entry__get(ktsnap_map_view__at(ktsnap_snapshot__map(s, "h"), 0), "");
		assert_int_equal(ktsnap_field__as_u64(f, &u, &te), -EINVAL);
		assert_string_equal(ktsnap_error__expected(&te), "u64");
		assert_int_equal(ktsnap_error__actual(&te, buf, sizeof(buf)), 6);
		assert_string_equal(buf, "Struct");
	}
	assert_int_equal(ktsnap_error__format(NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ktsnap_error__kind(NULL), KTSNAP_ERR_NONE);
	/* snprintf semantics */
	{
		struct ktsnap_error p = ktsnap_error__projection_failed("abc");
		char small[8];

		assert_int_equal(ktsnap_error__format(&p, small, sizeof(small)),
				 strlen("projection failed: abc"));
		assert_string_equal(small, "project");
	}
}

/* ---- JsonField (§6.10) ----------------------------------------------------------------- */
static struct json_object *J;

static int json_setup(void **state)
{
	J = json_tokener_parse("{\"layers\":{\"batch\":{\"util\":0.5,\"n\":3}},"
			       "\"zeta\":1,\"alpha\":[1,4294967296],\"neg\":-5,"
			       "\"big\":18446744073709551615,\"s\":\"18446744073709551615\","
			       "\"si\":\"-123\",\"sf\":\"2.25\",\"t\":true,\"f\":5.0,\"frac\":2.5,"
			       "\"nul\":null,\"arr\":[10,20,30],\"flags\":[true,false],"
			       "\"txt\":\"hi\"}");
	return J ? 0 : -1;
}

static int json_teardown(void **state)
{
	json_object_put(J);
	return 0;
}

#define JF(path) ktsnap_field__from_json(J, path)

#define JMISMATCH(call, text)                              \
	do {                                               \
		struct ktsnap_error _e;                    \
		assert_int_equal(call, -EINVAL);           \
		assert_string_equal(rb_errstr(&_e), text); \
	} while (0)

static void json_walk(void **state)
{
	struct ktsnap_field f;
	double d;

	assert_int_equal(ktsnap_field__as_f64(JF("layers.batch.util"), &d, NULL), 0);
	assert_true(d == 0.5);
	assert_ptr_equal(ktsnap_field__json(JF("")), J);
	f = ktsnap_field__get(JF("layers"), "batch.util");
	assert_true(ktsnap_field__is_present(f));
	f = JF("layers.batch.missing");
	assert_false(ktsnap_field__is_present(f));
	assert_string_equal(rb_errstr(ktsnap_field__error(&f)),
			    "path 'layers.batch.missing': component 'missing' (after walking "
			    "'layers.batch') not found (members at this depth: [\"n\", \"util\"])");
	f = JF("nope");
	assert_non_null(strstr(rb_errstr(&f.err), "[\"alpha\", \"arr\", \"big\", \"f\", "
						  "\"flags\", \"frac\", \"layers\", \"neg\", "
						  "\"nul\", \"s\", \"sf\", \"si\", \"t\", \"txt\", "
						  "\"zeta\"]"));
	f = JF("zeta.x");
	assert_string_equal(rb_errstr(&f.err), "path 'zeta.x': component 'x' (after walking "
					       "'zeta') expected a Struct, got Number");
	f = JF("nul.x");
	assert_string_equal(rb_errstr(&f.err), "path 'nul.x': component 'x' (after walking "
					       "'nul') expected a Struct, got Null");
	f = JF("layers..b");
	assert_string_equal(rb_errstr(&f.err), "path 'layers..b' has an empty component "
					       "(consecutive '.')");
	assert_true(ktsnap_field__is_present(JF("nul")));
}

static void json_u64(void **state)
{
	uint64_t u;

	assert_int_equal(ktsnap_field__as_u64(JF("zeta"), &u, NULL), 0);
	assert_int_equal(u, 1);
	assert_int_equal(ktsnap_field__as_u64(JF("s"), &u, NULL), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(ktsnap_field__as_u64(JF("big"), &u, NULL), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(ktsnap_field__as_u64(JF("t"), &u, NULL), 0);
	assert_int_equal(u, 1);
	assert_int_equal(ktsnap_field__as_u64(JF("f"), &u, NULL), 0);
	assert_int_equal(u, 5);
	JMISMATCH(ktsnap_field__as_u64(JF("frac"), &u, &_e),
		  "path '': cannot read as integer — actual rendered variant is non-integer float");
	JMISMATCH(ktsnap_field__as_u64(JF("neg"), &u, &_e),
		  "path '': cannot read as u64 — actual rendered variant is Int(negative)");
	JMISMATCH(ktsnap_field__as_u64(JF("nul"), &u, &_e),
		  "path '': cannot read as u64 — actual rendered variant is Null");
	JMISMATCH(ktsnap_field__as_u64(JF("txt"), &u, &_e),
		  "path '': cannot read as u64 — actual rendered variant is String(non-numeric)");
}

static void json_other_scalars(void **state)
{
	const char *str;
	int64_t i;
	double d;
	bool b;

	assert_int_equal(ktsnap_field__as_i64(JF("si"), &i, NULL), 0);
	assert_int_equal(i, -123);
	assert_int_equal(ktsnap_field__as_i64(JF("neg"), &i, NULL), 0);
	assert_int_equal(i, -5);
	JMISMATCH(ktsnap_field__as_i64(JF("big"), &i, &_e),
		  "path '': cannot read as i64 — actual rendered variant is Uint(>i64::MAX)");
	assert_int_equal(ktsnap_field__as_f64(JF("sf"), &d, NULL), 0);
	assert_true(d == 2.25);
	JMISMATCH(ktsnap_field__as_f64(JF("txt"), &d, &_e),
		  "path '': cannot read as f64 — actual rendered variant is String(non-numeric)");
	assert_int_equal(ktsnap_field__as_bool(JF("t"), &b, NULL), 0);
	assert_true(b);
	JMISMATCH(ktsnap_field__as_bool(JF("zeta"), &b, &_e),
		  "path '': cannot read as bool — actual rendered variant is Number");
	{
		struct json_object *one = json_object_new_string("1");
		struct ktsnap_error e;

		assert_int_equal(ktsnap_field__as_bool(ktsnap_field__from_json(one, ""), &b, &e),
				 -EINVAL);
		json_object_put(one);
	}
	assert_int_equal(ktsnap_field__as_str(JF("txt"), &str, NULL), 0);
	assert_string_equal(str, "hi");
	JMISMATCH(ktsnap_field__as_str(JF("zeta"), &str, &_e),
		  "path '': cannot read as str — actual rendered variant is Number");
	/* a failed lookup passes its error to the terminal read */
	{
		struct ktsnap_error e;

		assert_int_equal(ktsnap_field__as_u64(JF("x.y"), NULL, &e), -ENOENT);
		assert_int_equal(e.kind, KTSNAP_ERR_FIELD_NOT_FOUND);
	}
}

static void json_arrays(void **state)
{
	struct rb_arrays o;

	JMISMATCH(ktsnap_field__as_u32_array(JF("alpha"), o.u32, 4, &o.n, &_e),
		  "path '': cannot read as u32 — actual rendered variant is Uint(>u32::MAX)");
	assert_int_equal(ktsnap_field__as_u64_array(JF("alpha"), o.u, 4, &o.n, NULL), 0);
	assert_int_equal(o.n, 2);
	assert_true(o.u[1] == 4294967296ull);
	JMISMATCH(ktsnap_field__as_u64_array(JF("zeta"), o.u, 4, &o.n, &_e),
		  "path '': cannot read as [u64] — actual rendered variant is Number");
	assert_int_equal(ktsnap_field__member_count(JF("arr")), 3);
	assert_int_equal(ktsnap_field__as_u64(ktsnap_field__member(JF("arr"), 2), o.u, NULL), 0);
	assert_int_equal(o.u[0], 30);
	assert_false(ktsnap_field__is_present(ktsnap_field__member(JF("arr"), 3)));
	assert_int_equal(ktsnap_field__member_count(JF("zeta")), 0);
	assert_int_equal(ktsnap_field__as_i64_array(JF("arr"), o.i64, 4, &o.n, NULL), 0);
	assert_int_equal(o.i64[2], 30);
	assert_int_equal(ktsnap_field__as_f64_array(JF("arr"), o.d, 4, &o.n, NULL), 0);
	assert_true(o.d[0] == 10.0);
	assert_int_equal(ktsnap_field__as_bool_array(JF("flags"), o.b, 4, &o.n, NULL), 0);
	assert_true(o.b[0] && !o.b[1]);
	JMISMATCH(ktsnap_field__as_bool_array(JF("arr"), o.b, 4, &o.n, &_e),
		  "path '': cannot read as bool — actual rendered variant is Number");
}

/* "[i]" elements in JSON paths, and keys longer than any fixed buffer. */
static void json_index_paths(void **state)
{
	struct json_object *root = json_tokener_parse("{\"a\":[{\"x\":1},{\"x\":2}],\"n\":3}");
	struct json_object *obj = json_object_new_object();
	char key[600];
	uint64_t u;
	struct ktsnap_field f;

	assert_int_equal(ktsnap_field__as_u64(ktsnap_field__from_json(root, "a[1].x"), &u, NULL),
			 0);
	assert_int_equal(u, 2);
	f = ktsnap_field__from_json(root, "a[2]");
	assert_string_equal(rb_errstr(ktsnap_field__error(&f)),
			    "map '<array>': index 2 out of range (length 2)");
	f = ktsnap_field__from_json(root, "n[0]");
	assert_string_equal(
		rb_errstr(ktsnap_field__error(&f)),
		"path 'n[0]': cannot read as Array — actual rendered variant is Number");
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	json_object_object_add(obj, key, json_object_new_int(5));
	assert_int_equal(ktsnap_field__as_u64(ktsnap_field__from_json(obj, key), &u, NULL), 0);
	assert_int_equal(u, 5);
	json_object_put(obj);
	json_object_put(root);
}

/* One field type: report and JSON fields go through the same functions. */
static void json_and_value_fields_are_one_type(void **state)
{
	struct ktsnap_value v = rb_uint(64, 7);
	struct ktsnap_field vf = ktsnap_field__of(&v), jf = JF("zeta"), f;
	struct ktsnap_field key = { .kind = KTSNAP_FIELD_PERCPU_KEY, .key = 3 };
	const char *str;
	uint64_t u;

	assert_int_equal(jf.kind, KTSNAP_FIELD_JSON);
	assert_int_equal(ktsnap_field__as_u64(vf, &u, NULL), 0);
	assert_int_equal(u, 7);
	assert_int_equal(ktsnap_field__as_u64(jf, &u, NULL), 0);
	assert_int_equal(u, 1);
	/* raw() is the rendered value only, json() the JSON value only */
	assert_ptr_equal(ktsnap_field__raw(vf), &v);
	assert_null(ktsnap_field__json(vf));
	assert_null(ktsnap_field__json(key));
	assert_null(ktsnap_field__raw(jf));
	assert_non_null(ktsnap_field__json(jf));
	/* JSON null: present, with a NULL json value */
	f = JF("nul");
	assert_true(ktsnap_field__is_present(f));
	assert_null(ktsnap_field__json(f));
	assert_null(ktsnap_field__error(&f));
	/* as_str: an enum variant on values, a JSON string on JSON fields */
	JMISMATCH(ktsnap_field__as_str(vf, &str, &_e),
		  "path '': cannot read as str (enum variant name) — actual rendered variant is "
		  "Uint");
	assert_int_equal(ktsnap_field__as_str(JF("txt"), &str, NULL), 0);
	assert_string_equal(str, "hi");
	/* get walks JSON on a JSON field; a key field still refuses paths */
	assert_int_equal(ktsnap_field__get(JF("layers"), "batch.n").kind, KTSNAP_FIELD_JSON);
	assert_false(ktsnap_field__is_present(ktsnap_field__get(key, "x")));
	/* array elements of a JSON field are JSON fields; none on a key */
	assert_int_equal(ktsnap_field__member(JF("arr"), 0).kind, KTSNAP_FIELD_JSON);
	assert_int_equal(ktsnap_field__member_count(key), 0);
	assert_int_equal(ktsnap_field__member_count(vf), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(placeholder_snapshot),
		cmocka_unit_test(sample_variants),
		cmocka_unit_test(projection_and_no_active),
		cmocka_unit_test(walker_drift),
		cmocka_unit_test(long_texts_are_cut_safely),
		RB_REPORT_TEST(long_inputs_keep_the_whole_sentence),
		RB_REPORT_TEST(accessors),
		cmocka_unit_test(json_walk),
		cmocka_unit_test(json_u64),
		cmocka_unit_test(json_other_scalars),
		cmocka_unit_test(json_arrays),
		cmocka_unit_test(json_index_paths),
		cmocka_unit_test(json_and_value_fields_are_one_type),
	};

	return cmocka_run_group_tests(tests, json_setup, json_teardown);
}
