/* SPDX-License-Identifier: MIT */
/*
 * Hand-built reports for the tests (no BPF needed): scalar and struct
 * values, maps of every layout, and rb_full_report(), one report that
 * exercises every RenderedValue variant, every map layout and every walker
 * record (the JSON, diff and view tests and the fuzz corpus generator);
 * writing reports to memory and the fuzz corpus seeds to files; for the
 * cmocka tests, a fixture that gives each test a fresh report and frees it
 * after, and the output buffers of the typed array reads.
 */
#ifndef KTSNAP_TEST_REPORT_BUILDER_H
#define KTSNAP_TEST_REPORT_BUILDER_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <errno.h>

#include <ktsnap/display.h>
#include <ktsnap/json.h>
#include <ktsnap/view.h>
#include "report_internal.h"

/* ---- values ----------------------------------------------------------------- */
static inline struct ktsnap_value rb_uint(uint32_t bits, uint64_t v)
{
	return ktsnap_uint_of(bits, v);
}

static inline struct ktsnap_value rb_int(uint32_t bits, int64_t v)
{
	return ktsnap_int_of(bits, v);
}

static inline struct ktsnap_value rb_float(double v)
{
	return ktsnap_float_of(64, v);
}

/* An enum (values past 32 bits keep a body in @r's arena). */
static inline struct ktsnap_value rb_enum(struct ktsnap_report *r, uint32_t bits, bool sign,
					  int64_t v, const char *var)
{
	struct ktsnap_value e;

	ktsnap_value_set_enum(&r->arena, &e, bits, sign, v, var);
	return e;
}

static inline struct ktsnap_value rb_bool(bool b)
{
	return ktsnap_bool_of(b);
}

static inline struct ktsnap_value rb_char(uint8_t c)
{
	return ktsnap_char_of(c);
}

/* CPU_LIST, BYTES or UNSUPPORTED holding @s. */
static inline struct ktsnap_value rb_str(enum ktsnap_value_kind kind, const char *s)
{
	return ktsnap_str_of(kind, s);
}

static inline struct ktsnap_value rb_ptr(struct ktsnap_report *r, uint64_t x,
					 struct ktsnap_value *deref)
{
	struct ktsnap_value v;

	ktsnap_value_set_ptr(&r->arena, &v, x, deref, NULL, NULL);
	return v;
}

static inline struct ktsnap_value rb_truncated(struct ktsnap_report *r, uint64_t needed,
					       uint64_t had, struct ktsnap_value *partial)
{
	struct ktsnap_value v;

	ktsnap_value_set_truncated(&r->arena, &v, needed, had, partial);
	return v;
}

/* Struct with members "a", 1, "b", 2 …: NULL-terminated name/uint pairs. */
static inline struct ktsnap_value *rb_struct(struct ktsnap_report *r, const char *type, ...)
{
	struct ktsnap_value *v;
	const char *names[64];
	uint64_t vals[64];
	uint32_t n = 0, i;
	va_list ap;

	va_start(ap, type);
	while (n < 64 && (names[n] = va_arg(ap, const char *)))
		vals[n++] = va_arg(ap, uint64_t);
	va_end(ap);
	v = ktsnap_value_new_struct(r, type, n);
	for (i = 0; i < n; i++) {
		*ktsnap_member_slot(v, i, ktsnap_arena_strdup(&r->arena, names[i])) =
			rb_uint(64, vals[i]);
	}
	return v;
}

/* ---- maps --------------------------------------------------------------------- */
/* A map with its shape; contents are up to the caller. */
static inline struct ktsnap_map *rb_map(struct ktsnap_report *r, const char *name,
					enum bpf_map_type type, uint32_t key_size,
					uint32_t value_size, uint32_t max_entries,
					enum ktsnap_map_layout layout)
{
	struct ktsnap_map *m = ktsnap_report_add_map(r, name);

	m->map_type = type;
	m->layout = layout;
	/* the sizes as the kernel reports them */
	m->key_size = key_size;
	m->value_size = value_size;
	m->max_entries = max_entries;
	return m;
}

/* @n zeroed entries in @m's arena. */
static inline struct ktsnap_map_entry *rb_entries(struct ktsnap_report *r, struct ktsnap_map *m,
						  uint32_t n)
{
	m->entries = ktsnap_arena_alloc(&r->arena, (n ? n : 1) * sizeof(*m->entries));
	m->nr_entries = n;
	return m->entries;
}

/* Global section @name whose value is @v (a DATASEC-like struct). */
static inline struct ktsnap_map *rb_global(struct ktsnap_report *r, const char *name, uint64_t kva,
					   struct ktsnap_value *v)
{
	struct ktsnap_map *m = rb_map(r, name, BPF_MAP_TYPE_ARRAY, 0, 0, 1,
				      v ? KTSNAP_LAYOUT_VALUE : KTSNAP_LAYOUT_NONE);

	m->map_kva = kva;
	m->value = v;
	return m;
}

/* Hash map of @n entries: key Uint(32, i), value {pid=i, weight=10*i}. */
static inline struct ktsnap_map *rb_hash(struct ktsnap_report *r, const char *name, uint32_t n,
					 bool with_btf)
{
	struct ktsnap_map *m =
		rb_map(r, name, BPF_MAP_TYPE_HASH, 4, 16, n ? n : 1, KTSNAP_LAYOUT_HASH);
	struct ktsnap_map_entry *e = rb_entries(r, m, n);
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint32_t *key = ktsnap_arena_alloc(&r->arena, 4);

		*key = i;
		e[i].key = (const uint8_t *)key;
		e[i].key_len = 4;
		if (with_btf) {
			e[i].key_rv = ktsnap_value_new_uint(r, 32, i);
			e[i].val_rv = rb_struct(r, "val", "pid", (uint64_t)i, "weight",
						(uint64_t)10 * i, NULL);
		}
	}
	return m;
}

/* Per-CPU array (or hash): @n keys, @nr_cpus slots; slot value
 * Uint(64, key*100+cpu), except slots listed as absent by @absent (bitmask
 * of cpus); hash keys are Uint(32, 1000 + i). */
static inline struct ktsnap_map *rb_percpu(struct ktsnap_report *r, const char *name, uint32_t n,
					   uint32_t nr_cpus, uint32_t absent, bool hash)
{
	struct ktsnap_map *m =
		rb_map(r, name, hash ? BPF_MAP_TYPE_PERCPU_HASH : BPF_MAP_TYPE_PERCPU_ARRAY, 0, 0,
		       0, hash ? KTSNAP_LAYOUT_PERCPU_HASH : KTSNAP_LAYOUT_PERCPU_ARRAY);
	struct ktsnap_map_entry *e = rb_entries(r, m, n);
	uint32_t i, c;

	m->nr_cpus = nr_cpus;
	for (i = 0; i < n; i++) {
		e[i].index = i;
		e[i].nr_cpus = nr_cpus;
		e[i].per_cpu = ktsnap_arena_alloc(&r->arena, nr_cpus * sizeof(*e[i].per_cpu));
		if (hash)
			e[i].key_rv = ktsnap_value_new_uint(r, 32, 1000 + i);
		for (c = 0; c < nr_cpus; c++)
			if (!(absent & (1u << c)))
				e[i].per_cpu[c] = ktsnap_value_new_uint(r, 64, i * 100 + c);
	}
	return m;
}

/* Formatted error (static buffer; tests are single-threaded). */
static inline const char *rb_errstr(const struct ktsnap_error *e)
{
	static char buf[8192];

	if (ktsnap_error__format(e, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "<no error>");
	return buf;
}

/* ---- reading ---------------------------------------------------------------------- */
/* Room for the typed array reads of a field, report or JSON
 * (ktsnap_field__as_*_array()): up to 4
 * elements of each element type, and the element count of the last read. */
struct rb_arrays {
	uint64_t u[4];
	uint32_t u32[4];
	int64_t i64[4];
	double d[4];
	bool b[4];
	size_t n;
};

/* ---- cmocka fixture --------------------------------------------------------------- */
/* Setup and teardown of a test whose state is a fresh empty report (the test
 * fills it); the report is freed after the test, also when an assertion
 * fails.  RB_REPORT_TEST(f) is the cmocka table entry of such a test. */
#define RB_REPORT_TEST(f) cmocka_unit_test_setup_teardown(f, rb_report_setup, rb_report_teardown)

static inline int rb_report_setup(void **state)
{
	*state = ktsnap_report__new();
	return *state ? 0 : -1;
}

static inline int rb_report_teardown(void **state)
{
	ktsnap_report__free(*state);
	return 0;
}

/* ---- the full report ------------------------------------------------------------ */
/* struct kt_task_ctx-like value: nested struct, enums, bitfields,
 * char array, bool, union, u64 max; @runs varies between reports. */
static inline struct ktsnap_value *rb_task_ctx(struct ktsnap_report *r, int32_t pid, uint64_t runs)
{
	struct ktsnap_value *s = ktsnap_value_new_struct(r, "kt_task_ctx", 12);
	struct ktsnap_value *ctx = ktsnap_value_new_struct(r, "kt_sched_ctx", 2);
	struct ktsnap_value *comm = ktsnap_value_new_array(r, 16, 16);
	struct ktsnap_value *un = ktsnap_value_new_struct(r, NULL, 2);
	const char *name = "worker";
	int i;

	for (i = 0; i < 16; i++)
		*ktsnap_elem_slot(comm, i) = ktsnap_char_of((uint8_t)(i < 6 ? name[i] : 0));
	*ktsnap_member_slot(ctx, 0, "weight") = rb_uint(64, 100);
	*ktsnap_member_slot(ctx, 1, "policy") =
		rb_enum(r, 32, false, 0x80000000LL, "KT_POLICY_BIG");
	*ktsnap_member_slot(un, 0, "raw") = rb_uint(64, 0x5566778811223344ULL);
	*ktsnap_member_slot(un, 1, "") = rb_uint(32, 0x11223344);
	*ktsnap_member_slot(s, 0, "pid") = rb_int(32, pid);
	*ktsnap_member_slot(s, 1, "comm") = *comm;
	*ktsnap_member_slot(s, 2, "ctx") = *ctx;
	*ktsnap_member_slot(s, 3, "sign") = rb_enum(r, 32, true, -3, "KT_SIGN_NEG");
	*ktsnap_member_slot(s, 4, "wide") =
		rb_enum(r, 64, false, (int64_t)0xfedcba9876543210ULL, "KT_WIDE_BIG");
	*ktsnap_member_slot(s, 5, "magic") = rb_uint(64, UINT64_MAX);
	*ktsnap_member_slot(s, 6, "flag_a") = rb_uint(3, 5);
	*ktsnap_member_slot(s, 7, "flag_b") = rb_uint(5, 17);
	*ktsnap_member_slot(s, 8, "is_kthread") = ktsnap_bool_of(false);
	*ktsnap_member_slot(s, 9, "u") = *un;
	*ktsnap_member_slot(s, 10, "nr_runs") = rb_uint(64, runs);
	*ktsnap_member_slot(s, 11, "neg") = rb_int(32, -42);
	return s;
}

/*
 * The report.  @tick shifts the counters so two reports differ the way a
 * "before" and an "after" capture do: nr_switches, task 100's nr_runs,
 * per-CPU slot 1, a float; task 300 exists only when tick > 0 and task 200
 * only when tick == 0.
 */
static inline struct ktsnap_report *rb_full_report(uint64_t tick)
{
	static const uint8_t key100[] = { 100, 0, 0, 0 }, key200[] = { 200, 0, 0, 0 },
			     key300[] = { 0x2c, 1, 0, 0 };
	static const uint8_t val100[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static uint64_t pcs[] = { 0xffffffff81000000ULL, 0xffffffff81000010ULL };
	static uint32_t fd_idx[] = { 1, 3 };
	static uint64_t kvas[] = { 0xffff888000001000ULL, 42 };
	struct ktsnap_report *r = ktsnap_report__new();
	struct ktsnap_arena *a = &r->arena;
	struct ktsnap_value *bss, *v, *ptr, *tr, *arr, *inner;
	struct ktsnap_map *m;
	int i;

	r->timestamp_ns = 1700000000000000000ULL + tick;
	r->capture_ns = 12345;
	r->capture_skew_ns = 2345;
	r->freeze_ns = 678;
	r->active_obj_name = "ktsched";
	r->active_map_kvas = kvas;
	r->nr_active_map_kvas = 2;

	/* .bss: every scalar variant and the aggregates */
	m = rb_map(r, "ktsched.bss", BPF_MAP_TYPE_ARRAY, 4, 64, 1, KTSNAP_LAYOUT_VALUE);
	m->map_kva = 7;
	bss = ktsnap_value_new_struct(r, NULL, 14);
	*ktsnap_member_slot(bss, 0, "nr_switches") = rb_uint(64, 1000 + tick * 37);
	*ktsnap_member_slot(bss, 1, "bss_neg") = rb_int(32, -7);
	*ktsnap_member_slot(bss, 2, "bss_u64_max") = rb_uint(64, UINT64_MAX);
	*ktsnap_member_slot(bss, 3, "attached_seen") = ktsnap_bool_of(true);
	*ktsnap_member_slot(bss, 4, "letter") = ktsnap_char_of('A');
	*ktsnap_member_slot(bss, 5, "load") = rb_float(tick ? 0.75 : 0.1);
	*ktsnap_member_slot(bss, 6, "sign") = rb_enum(r, 32, true, -3, "KT_SIGN_NEG");
	*ktsnap_member_slot(bss, 7, "mystery") = rb_enum(r, 32, false, 9, NULL);
	*ktsnap_member_slot(bss, 8, "online") = ktsnap_str_of(KTSNAP_VALUE_CPU_LIST, "0-2,5");
	ptr = ktsnap_value_new_ptr(r, 0x1f, ktsnap_value_new_uint(r, 64, 3), NULL, "cast→arena");
	*ktsnap_member_slot(bss, 9, "head") = *ptr;
	ptr = ktsnap_value_new_ptr(r, 0xffff888000002000ULL, NULL, "cycle at 0xffff888000002000",
				   NULL);
	*ktsnap_member_slot(bss, 10, "self") = *ptr;
	*ktsnap_member_slot(bss, 11, "blob") = ktsnap_str_of(KTSNAP_VALUE_BYTES, "de ad be ef");
	arr = ktsnap_value_new_array(r, 2, 2);
	*ktsnap_elem_slot(arr, 0) = rb_uint(8, 1);
	*ktsnap_elem_slot(arr, 1) = rb_uint(8, 2);
	tr = ktsnap_value_new_truncated(r, 8, 2, arr);
	*ktsnap_member_slot(bss, 12, "cut") = *tr;
	*ktsnap_member_slot(bss, 13, "fn") =
		ktsnap_str_of(KTSNAP_VALUE_UNSUPPORTED, "FUNC_PROTO \"x\"\n\t\\");
	m->value = bss;

	/* .data: float specials */
	m = rb_map(r, "ktsched.data", BPF_MAP_TYPE_ARRAY, 0, 40, 1, KTSNAP_LAYOUT_VALUE);
	m->map_kva = 8;
	v = ktsnap_value_new_struct(r, NULL, 6);
	*ktsnap_member_slot(v, 0, "nan") = rb_float(NAN);
	*ktsnap_member_slot(v, 1, "pinf") = rb_float(INFINITY);
	*ktsnap_member_slot(v, 2, "ninf") = rb_float(-INFINITY);
	*ktsnap_member_slot(v, 3, "negzero") = rb_float(-0.0);
	*ktsnap_member_slot(v, 4, "third") = rb_float(1.0 / 3.0);
	*ktsnap_member_slot(v, 5, "big") = rb_float(1e300);
	m->value = v;

	/* hash with raw bytes and renderings */
	m = rb_map(r, "task_ctx", BPF_MAP_TYPE_HASH, 4, 8, 4096, KTSNAP_LAYOUT_HASH);
	m->map_kva = 9;
	rb_entries(r, m, 2);
	m->entries[0].key = key100;
	m->entries[0].key_len = 4;
	m->entries[0].val = val100;
	m->entries[0].val_len = 8;
	m->entries[0].key_rv = ktsnap_value_new_uint(r, 32, 100);
	m->entries[0].val_rv = rb_task_ctx(r, 100, 3 + tick * 4);
	m->entries[1].key = tick ? key300 : key200;
	m->entries[1].key_len = 4;
	m->entries[1].val = val100;
	m->entries[1].val_len = 8;
	m->entries[1].key_rv = ktsnap_value_new_uint(r, 32, tick ? 300 : 200);
	m->entries[1].val_rv = rb_task_ctx(r, tick ? 300 : 200, 1);
	inner = ktsnap_value_new_struct(r, "payload_t", 1);
	*ktsnap_member_slot(inner, 0, "x") = rb_uint(64, 1);
	m->entries[1].payload = inner;

	/* hash without BTF (hex only), and an empty hash */
	m = rb_map(r, "raw_hash", BPF_MAP_TYPE_HASH, 4, 8, 16, KTSNAP_LAYOUT_HASH);
	rb_entries(r, m, 1);
	m->entries[0].key = key100;
	m->entries[0].key_len = 4;
	m->entries[0].val = val100;
	m->entries[0].val_len = 8;
	m = rb_map(r, "empty_hash", BPF_MAP_TYPE_HASH, 0, 0, 0, KTSNAP_LAYOUT_HASH);
	m->error = "hash map truncated at 4096 entries";

	/* multi-entry ARRAY, one unreadable key */
	m = rb_map(r, "dsq_array", BPF_MAP_TYPE_ARRAY, 4, 24, 3, KTSNAP_LAYOUT_ARRAY);
	rb_entries(r, m, 3);
	for (i = 0; i < 3; i++) {
		m->entries[i].index = (uint32_t)i;
		if (i != 1)
			m->entries[i].val_rv = ktsnap_value_new_uint(r, 64, (uint64_t)i * 10);
	}
	m->error = "1 keys unreadable";

	/* PERCPU_ARRAY with an unmapped slot */
	m = rb_map(r, "pcpu_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 1,
		   KTSNAP_LAYOUT_PERCPU_ARRAY);
	m->nr_cpus = 3;
	m->percpu_stride = 16;
	rb_entries(r, m, 1);
	m->entries[0].nr_cpus = 3;
	m->entries[0].per_cpu = ktsnap_arena_alloc(a, 3 * sizeof(void *));
	for (i = 0; i < 3; i += 2) {
		v = ktsnap_value_new_struct(r, "kt_pcpu_stat", 2);
		*ktsnap_member_slot(v, 0, "nr_switches") = rb_uint(64, 10 + (uint64_t)i + tick * i);
		*ktsnap_member_slot(v, 1, "nr_preempt") = rb_uint(64, 0);
		m->entries[0].per_cpu[i] = v;
	}

	/* PERCPU_HASH */
	m = rb_map(r, "pcpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 64, KTSNAP_LAYOUT_PERCPU_HASH);
	m->nr_cpus = 2;
	m->percpu_stride = 8;
	rb_entries(r, m, 1);
	m->entries[0].key = key100;
	m->entries[0].key_len = 4;
	m->entries[0].key_rv = ktsnap_value_new_uint(r, 32, 100);
	m->entries[0].nr_cpus = 2;
	m->entries[0].per_cpu = ktsnap_arena_alloc(a, 2 * sizeof(void *));
	m->entries[0].per_cpu[0] = ktsnap_value_new_uint(r, 64, 5);
	m->entries[0].per_cpu[1] = ktsnap_value_new_uint(r, 64, 6 + tick);

	/* ring buffer, stack trace, fd array, an error-only map */
	m = rb_map(r, "events", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, KTSNAP_LAYOUT_NONE);
	m->ringbuf = ktsnap_arena_alloc(a, sizeof(*m->ringbuf));
	*m->ringbuf = (struct ktsnap_ringbuf_info){ 4096, 64, 128 + tick * 16, 128, 64 };
	m = rb_map(r, "stacks", BPF_MAP_TYPE_STACK_TRACE, 0, 0, 0, KTSNAP_LAYOUT_NONE);
	m->stack_trace = ktsnap_arena_alloc(a, sizeof(*m->stack_trace));
	m->stack_trace->n_buckets = 1024;
	m->stack_trace->nr_entries = 1;
	m->stack_trace->entries = ktsnap_arena_alloc(a, sizeof(*m->stack_trace->entries));
	m->stack_trace->entries[0] = (struct ktsnap_stack_trace_entry){ 3, 2, pcs, "00 10" };
	m->stack_trace->truncated = true;
	m = rb_map(r, "jump_table", BPF_MAP_TYPE_PROG_ARRAY, 0, 0, 0, KTSNAP_LAYOUT_NONE);
	m->fd_array = ktsnap_arena_alloc(a, sizeof(*m->fd_array));
	*m->fd_array = (struct ktsnap_fd_array_info){ 2, 4, 2, fd_idx, false, false };
	m = rb_map(r, "queue", BPF_MAP_TYPE_QUEUE, 0, 0, 0, KTSNAP_LAYOUT_NONE);
	m->error = "QUEUE/STACK are destructive (peek shows only the head; pop consumes); "
		   "no enumeration API";

	/* walker records */
	r->nr_prog_runtime_stats = 1;
	r->prog_runtime_stats = ktsnap_arena_alloc(a, sizeof(*r->prog_runtime_stats));
	r->prog_runtime_stats[0] = (struct ktsnap_prog_runtime_stat){ "kt_switch", 5, 600, 0 };
	r->nr_per_cpu_time = 1;
	r->per_cpu_time = ktsnap_arena_alloc(a, sizeof(*r->per_cpu_time));
	r->per_cpu_time[0].cpu = 1;
	r->per_cpu_time[0].cpustat_user_ns = 1000;
	r->per_cpu_time[0].softirqs[3] = 9;
	r->per_cpu_time[0].has_iowait_sleeptime_ns = true;
	r->per_cpu_time[0].iowait_sleeptime_ns = 77;
	r->nr_per_node_numa = 1;
	r->per_node_numa = ktsnap_arena_alloc(a, sizeof(*r->per_node_numa));
	r->per_node_numa[0] = (struct ktsnap_per_node_numa){ 0, 1, 2, 3, 4, 5, 6 };
	r->nr_cgroup_psi = 2;
	r->cgroup_psi = ktsnap_arena_alloc(a, 2 * sizeof(*r->cgroup_psi));
	r->cgroup_psi[0] = (struct ktsnap_cgroup_psi){ "/demo", "cpu", 1.5, 0.25, 0, 1234 };
	r->cgroup_psi[1] =
		(struct ktsnap_cgroup_psi){ "/demo", "memory", 0, 0, 0, 0, true, 0.5, 0, 0, 99 };
	r->nr_task_enrichments = 1;
	r->task_enrichments = ktsnap_arena_alloc(a, sizeof(*r->task_enrichments));
	r->task_enrichments[0] = (struct ktsnap_task_enrichment){
		.pid = 100,
		.tgid = 100,
		.comm = "worker",
		.cgroup = "/demo",
		.prio = 120,
		.nice = -5,
		.policy = 0,
		.state = "R",
		.cpu = 1,
		.sum_exec_runtime_ns = 5000,
		.nr_voluntary_switches = 3,
	};
	r->nr_event_counter_timeline = 1;
	r->event_counter_timeline = ktsnap_arena_alloc(a, sizeof(*r->event_counter_timeline));
	r->event_counter_timeline[0].elapsed_ms = 10;
	r->event_counter_timeline[0].bypass_duration = -1;
	r->nr_rq_scx_states = 1;
	r->rq_scx_states = ktsnap_arena_alloc(a, sizeof(*r->rq_scx_states));
	r->rq_scx_states[0] = (struct ktsnap_rq_scx_state){
		.cpu = 0,
		.nr_running = 2,
		.has_curr_pid = true,
		.curr_pid = -1,
		.nr_runnable_task_kvas = 2,
		.runnable_task_kvas = kvas,
	};
	r->nr_dsq_states = 1;
	r->dsq_states = ktsnap_arena_alloc(a, sizeof(*r->dsq_states));
	r->dsq_states[0] = (struct ktsnap_dsq_state){ "global", 1, 2, 1, kvas, true };
	r->scx_sched_state = ktsnap_arena_alloc(a, sizeof(*r->scx_sched_state));
	*r->scx_sched_state = (struct ktsnap_scx_sched_state){ .bypass_depth = -1,
							       .exit_kind = 1024,
							       .source = "walker" };
	r->probe_counters = ktsnap_arena_alloc(a, sizeof(*r->probe_counters));
	r->probe_counters->probe_count = 11;
	r->probe_counters->trigger_count = UINT64_MAX;
	r->has_dump_truncated_at_us = true;
	r->dump_truncated_at_us = 0;
	r->carried.vcpu_regs = "[{\"instruction_pointer\":18446744071562067968},null]";
	r->carried.scx_static_ranges = "{\"ranges\":[]}";
	r->prog_runtime_stats_unavailable = NULL;
	r->scx_walker_unavailable = "no scx walker capture";
	return r;
}

/* ---- writing ---------------------------------------------------------------- */
/* ktsnap_report__write_json() or ktsnap_report__write_binary() */
typedef int (*rb_writer)(const struct ktsnap_report *r, FILE *f, unsigned int flags);

/* @r written by @write with @flags into *@buf (malloc'd, the caller frees
 * it, also on failure) of *@len bytes: the writer's result, or -errno if no
 * stream could be opened.  One thread at a time. */
static inline int rb_write_mem(rb_writer write, const struct ktsnap_report *r, unsigned int flags,
			       char **buf, size_t *len)
{
	/* static: gcc 12 takes the stream's pointer to a local for a
	 * dangling one (-Wdangling-pointer) */
	static char *mem;
	static size_t n;
	FILE *f;
	int err;

	*buf = mem = NULL;
	*len = n = 0;
	f = open_memstream(&mem, &n);
	if (!f)
		return -errno;
	err = write(r, f, flags);
	fclose(f);
	*buf = mem;
	*len = n;
	return err;
}

/* One seed of a fuzz corpus: @r written with @flags to the file @name. */
struct rb_seed {
	const char *name;
	struct ktsnap_report *r;
	unsigned int flags;
};

/* Writes each of @seeds[0..n) with @write into @dir and frees its report.
 * 0, or 1 after perror() of the file that could not be written. */
static inline int rb_write_corpus(const char *dir, struct rb_seed *seeds, size_t n, rb_writer write)
{
	char path[4096];
	size_t i;

	for (i = 0; i < n; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, seeds[i].name);
		f = fopen(path, "w");
		if (!f || write(seeds[i].r, f, seeds[i].flags)) {
			perror(path);
			return 1;
		}
		fclose(f);
		ktsnap_report__free(seeds[i].r);
	}
	return 0;
}

#endif
