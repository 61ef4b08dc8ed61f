/* SPDX-License-Identifier: GPL-2.0 */
/* Types shared by the ktsched BPF fixture and its tests. */
#ifndef KTSCHED_H
#define KTSCHED_H

#include <stdbool.h>
#include <linux/types.h>

#define KT_NR_DSQS 8

enum kt_sign {
	KT_SIGN_NEG = -3,
	KT_SIGN_ZERO = 0,
	KT_SIGN_POS = 5,
};

enum kt_policy {
	KT_POLICY_NORMAL = 0,
	KT_POLICY_BATCH = 3,
	KT_POLICY_BIG = 0x80000000u,
};

enum kt_wide {
	KT_WIDE_SMALL = 1,
	KT_WIDE_BIG = 0xfedcba9876543210ULL,
};

struct kt_sched_ctx {
	__u64 weight;
	enum kt_policy policy;
	__s64 vtime;
	__u64 runtime_ns;
};

/* 4 + 4 + 16 + 32 + 4 + 4 + 8 + 8 + 4(bitfields) + 1 + 4 + 8 + 8 + … */
struct kt_task_ctx {
	__s32 pid;
	__s32 tgid;
	char comm[16];
	struct kt_sched_ctx ctx;
	enum kt_sign sign;
	__s32 neg;
	enum kt_wide wide;
	__u64 magic;
	__u32 flag_a : 3, flag_b : 5, flag_c : 1, flag_pad : 23;
	bool is_kthread;
	__u8 tag[4];
	union {
		__u64 raw;
		struct {
			__u32 lo;
			__u32 hi;
		} halves;
	} u;
	__u64 nr_runs;
	__u64 last_ran_ns;
};

struct kt_pcpu_stat {
	__u64 nr_switches;
	__u64 nr_preempt;
};

struct kt_lru_key {
	__u32 pid;
	__u32 cpu;
};

struct kt_dsq {
	__u64 id;
	__u64 nr_queued;
	__u32 last_pid;
	__u32 pad;
};

struct kt_event {
	__u32 pid;
	__u32 pad;
	__u64 ts;
};

struct kt_stats {
	__u64 nr_events;
	__u32 last_cpu;
	__u32 pad;
};

/* Integers only, of every width and sign, nested: the shape the JSON
 * writer compiles into a plan (see src/json_plan.c). */
struct kt_plain_key {
	__u32 id;
	__s16 shard;
	__u8 kind;
	char tag;
};

struct kt_plain {
	__s32 neg;
	bool flag;
	char letter;
	__u16 port;
	struct kt_pcpu_stat inner;
	__s64 big_neg;
	__u8 small;
	__s8 tiny_neg;
};

/* 48-byte value of the benchmark / stress hash (ktbig). */
/* LPM_TRIE key: the prefix length, then the data it applies to. */
struct kt_lpm_key {
	__u32 prefixlen;
	__u32 data;
};

struct kt_big_val {
	__u64 runtime_ns;
	__u64 vtime;
	__u64 weight;
	__u32 pid;
	__u32 cpu;
	__u64 nr_runs;
	__u64 flags;
};

/* 48-byte value shaped like a real scheduler's task context (ktbig's
 * real_hash, the binary-file benchmark): nested struct, enum, u8[8],
 * bitfields. */
enum kt_real_state {
	KT_REAL_IDLE,
	KT_REAL_QUEUED,
	KT_REAL_RUNNING,
};

struct kt_real_val {
	__u64 runtime_ns;
	struct {
		__u32 weight;
		__s32 nice;
	} sched;
	enum kt_real_state state;
	__u8 comm8[8];
	__u32 cpu : 10, prio : 7, slice_shift : 5, flags : 10;
	__u64 vtime;
	__u64 nr_runs;
};

/* The 48-byte task context of the JSON benchmark (ktbig's big_task_ctx):
 * the shapes of a real scheduler's per-task value. */
enum kt_task_state {
	KT_TASK_RUNNABLE = 0,
	KT_TASK_RUNNING = 1,
	KT_TASK_SLEEPING = 2,
	KT_TASK_DEAD = 7,
};

struct kt_slice {
	__u32 slice_us;
	__s32 lag_us;
};

struct kt_big_task {
	__u64 vtime;
	struct kt_slice slice;
	enum kt_task_state state;
	__u32 cpu : 12, prio : 8, queued : 1;
	__s32 nice : 6;
	__u32 spare : 5;
	__u8 tag[8];
	__u64 enq_ns;
	__s64 dsq_delta;
};

#endif
