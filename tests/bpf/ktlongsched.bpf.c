// SPDX-License-Identifier: GPL-2.0
/*
 * ktlongsched: an object whose name is longer than the 8 characters libbpf
 * keeps for its global sections (they load as "ktlongsc.bss", …), with a
 * map whose name does not start with the object's name at all.  The
 * object filter must find all of them by the object's identity.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} side_counts SEC(".maps");

/* No BTF key/value types: only the program's map list ties it to us. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} long_events SEC(".maps");

__u64 long_hits = 0;
__u64 long_seed = 7;
const volatile __u32 long_limit = 3;

SEC("socket")
int kt_long_sock(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *c = bpf_map_lookup_elem(&side_counts, &k);

	if (c)
		__sync_fetch_and_add(c, long_seed);
	if (long_hits++ < long_limit)
		bpf_ringbuf_output(&long_events, &k, sizeof(k), 0);
	return 0;
}
