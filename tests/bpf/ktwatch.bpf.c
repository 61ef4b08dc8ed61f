// SPDX-License-Identifier: GPL-2.0
/*
 * ktwatch: the watch tests' fixture.  On every context switch it bumps a
 * .bss counter and stamps bpf_ktime_get_ns() next to it (the benchmark's
 * write time), so a write breakpoint on the counter fires under any load.
 * The other globals exist for the arming checks: a 4-byte word, a 3-byte
 * variable, a word placed at an odd offset, and a large array used to
 * size captures.  libbpf names the .data.odd map by its section alone, without
 * the object: it is found through the object's BTF.
 */
#include <linux/bpf.h>
#include <stdbool.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* the unaligned word: a typedef may lower alignment, a variable may not */
typedef __u32 kt_u32_unaligned __attribute__((aligned(1)));

/* .bss */
__u64 watch_hits;
__u64 watch_stamp_ns;
__u32 watch_word;
__u8 watch_odd3[3];

/* .data.odd: one byte, then a word at offset 1 (in plain .data the
 * compiler aligns it anyway) */
__u8 odd_lead SEC(".data.odd") = 1;
kt_u32_unaligned odd_word SEC(".data.odd") = 2;

/* a .data counter nobody writes after load */
__u64 watch_quiet = 7;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} watch_payload SEC(".maps");

SEC("tp_btf/sched_switch")
int BPF_PROG(kt_watch_switch, bool preempt, void *prev, void *next)
{
	watch_stamp_ns = bpf_ktime_get_ns();
	__sync_fetch_and_add(&watch_hits, 1);
	return 0;
}
