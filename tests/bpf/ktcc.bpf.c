// SPDX-License-Identifier: GPL-2.0
/*
 * ktcc: a real struct_ops object for the live-host active-scheduler tests
 * (F150).  The kernels ktsnap runs on have no sched_ext, but they have
 * struct_ops for tcp_congestion_ops: this is a minimal TCP congestion
 * control ("ktcc", Reno-like constants) whose callbacks bump .bss
 * counters named like ktsched's globals, so a capture holding both
 * objects has two "nr_switches".  The object is loaded next to ktsched;
 * only the struct_ops programs' maps form the walker's whitelist.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct sock;

/* The members this object sets; libbpf matches them by name against the
 * kernel's struct tcp_congestion_ops. */
struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*undo_cwnd)(struct sock *sk);
	char name[16];
};

/* .bss: same names as ktsched's */
__u64 nr_switches;
__u64 nr_dispatched;

SEC("struct_ops/ktcc_ssthresh")
__u32 BPF_PROG(ktcc_ssthresh, struct sock *sk)
{
	__sync_fetch_and_add(&nr_switches, 1);
	return 10;
}

SEC("struct_ops/ktcc_cong_avoid")
void BPF_PROG(ktcc_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	__sync_fetch_and_add(&nr_dispatched, 1);
}

SEC("struct_ops/ktcc_undo_cwnd")
__u32 BPF_PROG(ktcc_undo_cwnd, struct sock *sk)
{
	return 10;
}

SEC(".struct_ops")
struct tcp_congestion_ops ktcc_ops = {
	.ssthresh = (void *)ktcc_ssthresh,
	.cong_avoid = (void *)ktcc_cong_avoid,
	.undo_cwnd = (void *)ktcc_undo_cwnd,
	.name = "ktcc",
};
