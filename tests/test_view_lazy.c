// SPDX-License-Identifier: MIT
/*
 * Lookups on big captured maps nobody rendered yet (issue #13 item 4):
 * find / filter / max_by / at on a 10k-entry map walk it entry by entry
 * without building the whole map's trees.  Checked against the same
 * lookups once the map is rendered whole: the same entries, the same
 * error texts (NoMatch with its sampled keys, FieldNotFound seen by a
 * callback, PerCpuSlot of a narrowed per-CPU map); the map stays
 * unrendered and its arena small; returned entries stay valid after the
 * call, after later lookups and after the map is rendered.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <ktsnap/capture.h>
#include <ktsnap/display.h>
#include <ktsnap/error.h>
#include <ktsnap/view.h>

#include "fixture.h"
#include "ktsched.h"
#include "ktbig.skel.h"
#include "render_internal.h"

#define ENTRIES 10000
#define TEXT 4096
/* what an unrendered 10k map may hold after a handful of lookups (the
 * whole map renders to several MB) */
#define SMALL_ARENA (256 * 1024)

struct fx {
	struct ktbig *big;
	int pcpu_fd; /* PERCPU_HASH of kt_big_val with ktbig's BTF */
	int ncpus;
};

static struct ktsnap_report *capture_fd(int fd)
{
	uint32_t id = kt_map_id(fd);
	KTSNAP_OPTS(ktsnap_capture_opts, opts, .map_ids = &id, .nr_map_ids = 1,
		    .max_hash_entries = KTSNAP_CAP_NONE, .maps_only = true);
	struct ktsnap_report *r = NULL;

	assert_int_equal(ktsnap_capture(&opts, &r), 0);
	assert_int_equal(ktsnap_report__map_count(r), 1);
	return r;
}

static struct ktsnap_map_view first_map(const struct ktsnap_report *r)
{
	return ktsnap_snapshot__map(ktsnap_snapshot__new(r),
				    ktsnap_map__name(ktsnap_report__map_by_index(r, 0)));
}

static void put(char *buf, size_t size, size_t *pos, const struct ktsnap_value *v)
{
	if (*pos >= size)
		return;
	if (!v) {
		*pos += (size_t)snprintf(buf + *pos, size - *pos, "<none>|");
		return;
	}
	assert_true(ktsnap_value__format(v, buf + *pos, size - *pos) >= 0);
	*pos += strlen(buf + *pos);
	if (*pos < size - 1)
		buf[(*pos)++] = '|', buf[*pos] = '\0';
}

/* Everything an entry shows: kind, index, error, key, value or slots. */
static void entry_text(struct ktsnap_entry e, int ncpus, char *buf, size_t size)
{
	size_t pos = 0;
	int c;

	pos += (size_t)snprintf(buf, size, "%d #%u|", (int)e.kind, e.index);
	if (e.kind == KTSNAP_ENTRY_MISSING) {
		assert_true(ktsnap_error__format(ktsnap_entry__error(&e), buf + pos, size - pos) >
			    0);
		return;
	}
	if (e.raw)
		put(buf, size, &pos, e.raw->key_rv);
	if (e.kind == KTSNAP_ENTRY_PERCPU || e.kind == KTSNAP_ENTRY_PERCPU_HASH) {
		for (c = 0; c < ncpus; c++)
			put(buf, size, &pos, ktsnap_map_entry__cpu_value(e.raw, (uint32_t)c));
		return;
	}
	put(buf, size, &pos, ktsnap_entry__value(e));
}

static uint64_t key_u64(const struct ktsnap_entry *e)
{
	uint64_t k = UINT64_MAX;

	ktsnap_field__as_u64(ktsnap_entry__key(*e, ""), &k, NULL);
	return k;
}

static uint64_t get_u64(const struct ktsnap_entry *e, const char *path)
{
	uint64_t v = 0;

	ktsnap_field__as_u64(ktsnap_entry__get(*e, path), &v, NULL);
	return v;
}

static bool key_is(const struct ktsnap_entry *e, void *ctx)
{
	return key_u64(e) == *(uint64_t *)ctx;
}

static bool prio_is(const struct ktsnap_entry *e, void *ctx)
{
	return get_u64(e, "prio") == *(uint64_t *)ctx;
}

static uint64_t enq_ns(const struct ktsnap_entry *e, void *ctx)
{
	(void)ctx;
	return get_u64(e, "enq_ns");
}

/* A callback whose reads fail: keeps the text of the first error. */
struct failing {
	char text[TEXT];
	size_t calls;
};

static bool bad_path(const struct ktsnap_entry *e, void *ctx)
{
	struct failing *f = ctx;
	struct ktsnap_field fld = ktsnap_entry__get(*e, "slice.no_such_member");

	if (!f->calls++)
		assert_true(ktsnap_error__format(ktsnap_field__error(&fld), f->text,
						 sizeof(f->text)) > 0);
	return ktsnap_field__is_present(fld);
}

/* "tag" is an array: as_u64 fails, the key reads 0 */
static uint64_t bad_key(const struct ktsnap_entry *e, void *ctx)
{
	uint64_t v = 0;

	(void)ctx;
	if (ktsnap_field__as_u64(ktsnap_entry__get(*e, "tag"), &v, NULL))
		return 0;
	return v;
}

/* Every lookup of the task-context test, and all of them as one text. */
struct task_results {
	struct ktsnap_entry found, best, at, filtered[64], bad_best;
	size_t nr_filtered;
	char found_t[TEXT], best_t[TEXT], filtered_t[64][TEXT / 4];
	char no_match[TEXT], bad_path[TEXT];
	size_t len;
	char all[16 * TEXT];
	size_t all_len;
};

/* One "what: text" line more in t->all. */
static void note(struct task_results *t, const char *what, const char *text)
{
	int n = snprintf(t->all + t->all_len, sizeof(t->all) - t->all_len, "%s: %s\n", what, text);

	assert_true(n > 0 && (size_t)n < sizeof(t->all) - t->all_len);
	t->all_len += (size_t)n;
}

static void task_lookups(struct ktsnap_map_view mv, struct task_results *t)
{
	uint64_t key = 7777, prio = 5;
	struct failing f = { .calls = 0 };
	struct ktsnap_entry none;
	char text[TEXT];
	size_t i;

	t->len = ktsnap_map_view__len(mv);
	t->found = ktsnap_map_view__find(mv, key_is, &key);
	assert_true(ktsnap_entry__is_present(t->found));
	t->best = ktsnap_map_view__max_by(mv, enq_ns, NULL);
	t->at = ktsnap_map_view__at(mv, 123);
	t->nr_filtered = ktsnap_map_view__filter(mv, prio_is, &prio, t->filtered, 64);
	assert_true(t->nr_filtered > 10 && t->nr_filtered <= 64);
	key = 1u << 30;
	none = ktsnap_map_view__find(mv, key_is, &key);
	assert_int_equal(ktsnap_error__kind(ktsnap_entry__error(&none)), KTSNAP_ERR_NO_MATCH);
	assert_true(ktsnap_error__format(ktsnap_entry__error(&none), t->no_match,
					 sizeof(t->no_match)) > 0);
	none = ktsnap_map_view__find(mv, bad_path, &f);
	assert_false(ktsnap_entry__is_present(none));
	assert_int_equal(f.calls, ENTRIES);
	memcpy(t->bad_path, f.text, sizeof(f.text));
	t->bad_best = ktsnap_map_view__max_by(mv, bad_key, NULL);

	entry_text(t->found, 1, t->found_t, sizeof(t->found_t));
	entry_text(t->best, 1, t->best_t, sizeof(t->best_t));
	for (i = 0; i < t->nr_filtered; i++)
		entry_text(t->filtered[i], 1, t->filtered_t[i], sizeof(t->filtered_t[i]));

	t->all_len = 0;
	snprintf(text, sizeof(text), "%zu", t->len);
	note(t, "len", text);
	note(t, "find", t->found_t);
	note(t, "max_by", t->best_t);
	entry_text(t->at, 1, text, sizeof(text));
	note(t, "at(123)", text);
	note(t, "find (no match)", t->no_match);
	note(t, "find (bad path)", t->bad_path);
	entry_text(t->bad_best, 1, text, sizeof(text));
	note(t, "max_by (bad key)", text);
	for (i = 0; i < t->nr_filtered; i++) {
		snprintf(text, sizeof(text), "#%u %s", t->filtered[i].index, t->filtered_t[i]);
		note(t, "filter", text);
	}
}

static void lazy_task_ctx(void **state)
{
	struct fx *fx = *state;
	struct ktsnap_report *r = capture_fd(bpf_map__fd(fx->big->maps.big_task_ctx));
	struct ktsnap_map_view mv = first_map(r);
	const struct ktsnap_map *m = mv.map;
	static struct task_results lazy, full;
	char again[TEXT];
	size_t i;

	assert_int_equal(m->nr_entries, ENTRIES);
	assert_false(ktsnap_map_is_rendered(m));

	task_lookups(mv, &lazy);
	assert_int_equal(lazy.len, ENTRIES);
	assert_int_equal(key_u64(&lazy.found), 7777);
	assert_int_equal(get_u64(&lazy.found, "vtime"), 7777 * 1000003ULL);
	assert_int_equal(get_u64(&lazy.at, "enq_ns"), key_u64(&lazy.at) * 977 + 1);
	assert_int_equal(get_u64(&lazy.best, "enq_ns"), (ENTRIES - 1) * 977ULL + 1);
	assert_int_equal(lazy.bad_best.index, 0);
	assert_non_null(strstr(lazy.bad_path, "no_such_member"));
	assert_non_null(strstr(lazy.no_match, "first 3"));
	assert_null(strstr(lazy.no_match, "hex:"));
	/* only what was returned (and the sampled keys) got rendered */
	assert_false(ktsnap_map_is_rendered(m));
	assert_true(ktsnap_map_has_trees(m));
	assert_true(m->render_arena.total < SMALL_ARENA);

	/* the same lookups on the map rendered whole */
	assert_non_null(ktsnap_map__entry(m, 0));
	assert_true(ktsnap_map_is_rendered(m));
	assert_true(m->render_arena.total > 4 * SMALL_ARENA);
	task_lookups(mv, &full);
	assert_string_equal(lazy.all, full.all);

	/* entries returned before the render still read the same */
	entry_text(lazy.found, 1, again, sizeof(again));
	assert_string_equal(again, lazy.found_t);
	entry_text(lazy.best, 1, again, sizeof(again));
	assert_string_equal(again, lazy.best_t);
	for (i = 0; i < lazy.nr_filtered; i++) {
		entry_text(lazy.filtered[i], 1, again, sizeof(again));
		assert_string_equal(again, lazy.filtered_t[i]);
	}
	ktsnap_report__free(r);
}

/* at() one entry at a time: single entries until nr/16, then the map. */
static void picks_then_whole(void **state)
{
	struct fx *fx = *state;
	struct ktsnap_report *r = capture_fd(bpf_map__fd(fx->big->maps.big_task_ctx));
	struct ktsnap_map_view mv = first_map(r);
	const struct ktsnap_map *m = mv.map;
	static struct ktsnap_entry at[800];
	static char text[800][TEXT / 4];
	char again[TEXT];
	uint64_t key = 42;
	size_t i;

	/* a find, then the owner drops its entry like a series does */
	assert_int_equal(
		key_u64((struct ktsnap_entry[]){ ktsnap_map_view__find(mv, key_is, &key) }), 42);
	assert_true(ktsnap_map_release_rendered((struct ktsnap_map *)m));
	assert_false(ktsnap_map_has_trees(m));
	assert_int_equal(m->render_arena.total, 0);

	for (i = 0; i < 800; i++) {
		at[i] = ktsnap_map_view__at(mv, i * 7);
		entry_text(at[i], 1, text[i], sizeof(text[i]));
		/* asking again gives the same single rendering */
		if (i < ENTRIES / 16)
			assert_ptr_equal(ktsnap_map_view__at(mv, i * 7).raw, at[i].raw);
		assert_int_equal(ktsnap_map_is_rendered(m), i >= ENTRIES / 16);
	}
	for (i = 0; i < 800; i++) {
		entry_text(at[i], 1, again, sizeof(again));
		assert_string_equal(again, text[i]);
		entry_text(ktsnap_map_view__at(mv, i * 7), 1, again, sizeof(again));
		assert_string_equal(again, text[i]);
	}
	ktsnap_report__free(r);
}

/* ---- per-CPU ----------------------------------------------------------------------------- */
static bool weight_sum_is(const struct ktsnap_entry *e, void *ctx)
{
	uint64_t sum = 0;
	struct ktsnap_entry copy = *e;
	char path[32];
	int ncpus = libbpf_num_possible_cpus();

	if (ktsnap_entry__cpu_sum_u64(*e, "weight", &sum, NULL))
		return false;
	/* the "per_cpu[n]" form reads the callback's entry too */
	snprintf(path, sizeof(path), "per_cpu[%d].pid", ncpus - 1);
	assert_int_equal(get_u64(&copy, path), key_u64(e));
	return sum == *(uint64_t *)ctx;
}

static bool pid_is(const struct ktsnap_entry *e, void *ctx)
{
	return get_u64(e, "pid") == *(uint64_t *)ctx;
}

static bool accept_all(const struct ktsnap_entry *e, void *ctx)
{
	(void)e;
	(void)ctx;
	return true;
}

static bool reject_all(const struct ktsnap_entry *e, void *ctx)
{
	(void)e;
	(void)ctx;
	return false;
}

static uint64_t runtime_max(const struct ktsnap_entry *e, void *ctx)
{
	uint64_t v = 0;

	(void)ctx;
	ktsnap_entry__cpu_max_u64(*e, "runtime_ns", &v, NULL);
	return v;
}

static uint64_t nr_runs(const struct ktsnap_entry *e, void *ctx)
{
	(void)ctx;
	return get_u64(e, "nr_runs");
}

#define PCPU_TEXTS 8

static void pcpu_lookups(struct ktsnap_map_view mv, int ncpus, char t[PCPU_TEXTS][TEXT],
			 struct ktsnap_entry *kept)
{
	struct ktsnap_map_view last = ktsnap_map_view__cpu(mv, (uint32_t)ncpus - 1);
	struct ktsnap_map_view past = ktsnap_map_view__cpu(mv, (uint32_t)ncpus + 2);
	uint64_t want = 0, pid = 4321;
	struct ktsnap_entry e, out[4];
	int c;

	/* key 1234's weights: 1234 + c * 100000 */
	for (c = 0; c < ncpus; c++)
		want += 1234 + (uint64_t)c * 100000;
	kept[0] = e = ktsnap_map_view__find(mv, weight_sum_is, &want);
	assert_int_equal(e.kind, KTSNAP_ENTRY_PERCPU_HASH);
	assert_int_equal(key_u64(&e), 1234);
	entry_text(e, ncpus, t[0], TEXT);

	kept[1] = e = ktsnap_map_view__find(last, pid_is, &pid);
	assert_int_equal(e.kind, KTSNAP_ENTRY_VALUE);
	assert_int_equal(get_u64(&e, "weight"), 4321 + (uint64_t)(ncpus - 1) * 100000);
	entry_text(e, ncpus, t[1], TEXT);

	kept[2] = e = ktsnap_map_view__max_by(mv, runtime_max, NULL);
	assert_int_equal(key_u64(&e), ENTRIES - 1);
	entry_text(e, ncpus, t[2], TEXT);

	kept[3] = e = ktsnap_map_view__max_by(last, nr_runs, NULL);
	entry_text(e, ncpus, t[3], TEXT);

	/* a narrowing past the CPUs: every entry is a Missing slot */
	e = ktsnap_map_view__find(past, accept_all, NULL);
	assert_int_equal(ktsnap_error__kind(ktsnap_entry__error(&e)), KTSNAP_ERR_PER_CPU_SLOT);
	entry_text(e, ncpus, t[4], TEXT);
	e = ktsnap_map_view__find(past, reject_all, NULL);
	assert_int_equal(ktsnap_error__kind(ktsnap_entry__error(&e)), KTSNAP_ERR_NO_MATCH);
	entry_text(e, ncpus, t[5], TEXT);
	e = ktsnap_map_view__find(mv, reject_all, NULL);
	entry_text(e, ncpus, t[6], TEXT);

	assert_int_equal(ktsnap_map_view__filter(last, pid_is, &pid, out, 4), 1);
	entry_text(out[0], ncpus, t[7], TEXT);
	assert_int_equal(ktsnap_map_view__filter(past, accept_all, NULL, out, 4), ENTRIES);
	assert_int_equal(ktsnap_error__kind(ktsnap_entry__error(&out[3])), KTSNAP_ERR_PER_CPU_SLOT);
}

static void lazy_percpu(void **state)
{
	struct fx *fx = *state;
	struct ktsnap_report *r = capture_fd(fx->pcpu_fd);
	struct ktsnap_map_view mv = first_map(r);
	const struct ktsnap_map *m = mv.map;
	static char lazy[PCPU_TEXTS][TEXT], full[PCPU_TEXTS][TEXT];
	struct ktsnap_entry kept[4], unused[4];
	char again[TEXT];
	int i;

	assert_int_equal(m->layout, KTSNAP_LAYOUT_PERCPU_HASH);
	assert_int_equal(m->nr_entries, ENTRIES);
	pcpu_lookups(mv, fx->ncpus, lazy, kept);
	assert_false(ktsnap_map_is_rendered(m));
	assert_true(m->render_arena.total < SMALL_ARENA);

	ktsnap_map_ensure_rendered(m);
	pcpu_lookups(mv, fx->ncpus, full, unused);
	for (i = 0; i < PCPU_TEXTS; i++)
		assert_string_equal(lazy[i], full[i]);
	for (i = 0; i < 4; i++) {
		entry_text(kept[i], fx->ncpus, again, sizeof(again));
		assert_string_equal(again, lazy[i]);
	}
	ktsnap_report__free(r);
}

/* ---- fixture ------------------------------------------------------------------------------ */
static int make_pcpu_hash(struct fx *fx)
{
	const struct btf *btf = bpf_object__btf(fx->big->obj);
	int kid, vid, fd;
	struct kt_big_val *v;
	uint32_t k;
	int c;

	if (!btf)
		return -1;
	kid = btf__find_by_name_kind(btf, "__u32", BTF_KIND_TYPEDEF);
	vid = btf__find_by_name_kind(btf, "kt_big_val", BTF_KIND_STRUCT);
	if (kid <= 0 || vid <= 0)
		return -1;
	LIBBPF_OPTS(bpf_map_create_opts, mo, .btf_fd = btf__fd(btf), .btf_key_type_id = kid,
		    .btf_value_type_id = vid);
	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "lazy_pcpu", sizeof(k), sizeof(*v), ENTRIES,
			    &mo);
	if (fd < 0)
		return -1;
	v = calloc((size_t)fx->ncpus, sizeof(*v));
	if (!v)
		return -1;
	for (k = 0; k < ENTRIES; k++) {
		for (c = 0; c < fx->ncpus; c++) {
			v[c] = (struct kt_big_val){ .runtime_ns = k * 10ULL + c,
						    .vtime = k,
						    .weight = k + c * 100000ULL,
						    .pid = k,
						    .cpu = (uint32_t)c,
						    .nr_runs = (k * 31ULL + c) % 9973 };
		}
		if (bpf_map_update_elem(fd, &k, v, BPF_ANY))
			break;
	}
	free(v);
	fx->pcpu_fd = fd;
	return k == ENTRIES ? 0 : -1;
}

static int setup(void **state)
{
	static struct fx fx;

	fx.ncpus = libbpf_num_possible_cpus();
	if (fx.ncpus <= 0 || kt_big_open(&fx.big))
		return -1;
	if (kt_big_task_fill(fx.big, ENTRIES) || make_pcpu_hash(&fx))
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	if (fx->pcpu_fd > 0)
		close(fx->pcpu_fd);
	kt_big_close(fx->big);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lazy_task_ctx),
		cmocka_unit_test(picks_then_whole),
		cmocka_unit_test(lazy_percpu),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
