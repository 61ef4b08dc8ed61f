// SPDX-License-Identifier: GPL-2.0
/*
 * ktsched: a "scheduler-shaped" BPF object.  sched_ext is not available on
 * the machines this project runs on, so this object mirrors the state a
 * sched_ext scheduler keeps (per-task contexts in a hash, per-CPU counters,
 * DSQ-like array of structs, globals in .bss/.data/.rodata, a ring buffer
 * of events, a program array) and updates it from tp_btf/sched_switch.
 *
 * Every "planted" value below has a twin assertion in the tests: UINT64_MAX,
 * negative s32, signed negative enum, unsigned enum above INT32_MAX,
 * bitfields, char comm[16], u8 arrays, bool, union, nested struct.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "ktsched.h"

char LICENSE[] SEC("license") = "GPL";

/* Just the task_struct fields we read; CO-RE relocates them. */
struct task_struct {
	int pid;
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct kt_task_ctx);
} task_ctx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct kt_pcpu_stat);
} pcpu_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, struct kt_lru_key);
	__type(value, __u64);
} lru_tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KT_NR_DSQS);
	__type(key, __u32);
	__type(value, struct kt_dsq);
} dsq_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jump_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 256);
	__type(key, __u32);
	__uint(value_size, 16 * sizeof(__u64));
} stacks SEC(".maps");

/* .rodata: set by the loader before load */
const volatile __u32 nr_cpus_onln = 0;
const volatile char sched_name[16] = "ktsched";
const volatile bool debug_mode = false;

/* .data */
__u64 slice_ns = 20000000;
__s32 data_neg = -5;
__u64 data_u64_max = ~0ULL;
enum kt_sign data_sign = KT_SIGN_NEG;
double load_avg = 0.25;		/* BTF FLOAT; never used in arithmetic */
float load_ratio = 1.5f;

/* .bss */
__u64 nr_switches;
__u64 nr_dispatched;
__s32 bss_neg;
__u64 bss_u64_max;
bool attached_seen;
struct kt_stats stats;

static __always_inline void fill_ctx(struct kt_task_ctx *c, struct task_struct *p, __u64 now)
{
	c->pid = BPF_CORE_READ(p, pid);
	c->tgid = BPF_CORE_READ(p, tgid);
	BPF_CORE_READ_STR_INTO(&c->comm, p, comm);
	c->ctx.weight = 100;
	c->ctx.policy = KT_POLICY_BIG;
	c->ctx.vtime = -1000;
	c->sign = KT_SIGN_NEG;
	c->wide = KT_WIDE_BIG;
	c->magic = ~0ULL;
	c->neg = -42;
	c->flag_a = 5;
	c->flag_b = 17;
	c->flag_c = 1;
	c->is_kthread = c->pid == 0;
	c->tag[0] = 1;
	c->tag[1] = 2;
	c->tag[2] = 3;
	c->tag[3] = 4;
	c->u.halves.lo = 0x11223344;
	c->u.halves.hi = 0x55667788;
	c->last_ran_ns = now;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(kt_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 pid = BPF_CORE_READ(next, pid);
	__u32 zero = 0, slot;
	__u64 now = bpf_ktime_get_ns();
	struct kt_task_ctx *c, init = {};
	struct kt_pcpu_stat *ps;
	struct kt_lru_key lk = {};
	struct kt_dsq *dsq;
	struct kt_event *ev;
	__u64 one = 1, *cnt;

	__sync_fetch_and_add(&nr_switches, 1);
	attached_seen = true;
	bss_neg = -7;
	bss_u64_max = ~0ULL;
	stats.nr_events++;
	stats.last_cpu = bpf_get_smp_processor_id();

	c = bpf_map_lookup_elem(&task_ctx, &pid);
	if (!c) {
		fill_ctx(&init, next, now);
		bpf_map_update_elem(&task_ctx, &pid, &init, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&task_ctx, &pid);
		if (!c)
			return 0;
	}
	c->nr_runs++;
	c->last_ran_ns = now;
	/* a task renamed after its first run (prctl, exec) shows its name now */
	BPF_CORE_READ_STR_INTO(&c->comm, next, comm);
	c->ctx.runtime_ns += 1000;

	ps = bpf_map_lookup_elem(&pcpu_stats, &zero);
	if (ps) {
		ps->nr_switches++;
		if (preempt)
			ps->nr_preempt++;
	}

	cnt = bpf_map_lookup_elem(&pcpu_hash, &zero);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&pcpu_hash, &zero, &one, BPF_NOEXIST);

	lk.pid = pid;
	lk.cpu = bpf_get_smp_processor_id();
	bpf_map_update_elem(&lru_tasks, &lk, &now, BPF_ANY);

	slot = pid % KT_NR_DSQS;
	dsq = bpf_map_lookup_elem(&dsq_array, &slot);
	if (dsq) {
		dsq->id = slot;
		dsq->nr_queued++;
		dsq->last_pid = pid;
		__sync_fetch_and_add(&nr_dispatched, 1);
	}

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (ev) {
		ev->pid = pid;
		ev->ts = now;
		bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
	}
	bpf_get_stackid(ctx, &stacks, 0);
	/* uses jump_table, as a scheduler's dispatch table would */
	bpf_tail_call(ctx, &jump_table, 1);
	return 0;
}

/* A tail-call target so jump_table has a populated slot. */
SEC("tp_btf/sched_switch")
int BPF_PROG(kt_tail, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return 0;
}
