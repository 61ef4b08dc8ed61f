// SPDX-License-Identifier: GPL-2.0
/* ktbig: large hashes of 48-byte structs (plain integers; a task context
 * with an enum, bitfields, a nested struct and a byte array), for the
 * capture benchmarks and the concurrent-mutation test.  Userspace fills
 * them. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#include "ktsched.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 131072);
	__type(key, __u32);
	__type(value, struct kt_big_val);
} big_hash SEC(".maps");

/* Filled by the binary-file benchmark: the realistic 48-byte value. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 131072);
	__type(key, __u32);
	__type(value, struct kt_real_val);
} real_hash SEC(".maps");

__u64 big_marker = 0x6b7462696700ULL;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 131072);
	__type(key, __u32);
	__type(value, struct kt_big_task);
} big_task_ctx SEC(".maps");

/* 300 keys: more than the 256-key PERCPU_ARRAY cap. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 300);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_big SEC(".maps");

/* Filled by tests: a struct-keyed hash of plain integer structs. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct kt_plain_key);
	__type(value, struct kt_plain);
} plain_hash SEC(".maps");

/* Churned by tests: an LPM trie whose batch lookup is the kernel's generic
 * one (get_next_key from the last key read, restarting at the first key
 * when that key has been deleted meanwhile). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 40000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct kt_lpm_key);
	__type(value, __u32);
} big_lpm SEC(".maps");
