// SPDX-License-Identifier: GPL-2.0
/*
 * kaddr_iter: a bpf_map iterator that writes, for every loaded map, its id
 * and the kernel address of its struct bpf_map, as fixed-size binary
 * records (struct kaddr_rec in src/kaddr_internal.h).  The library reads
 * them to turn a BPF global into the address a write breakpoint watches.
 * Only the id field is read through CO-RE; the pointer is the iterator's
 * own argument, so no kernel layout is assumed here.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
} __attribute__((preserve_access_index));

struct bpf_map {
	__u32 id;
} __attribute__((preserve_access_index));

struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
} __attribute__((preserve_access_index));

struct kaddr_rec {
	__u32 id;
	__u32 pad;
	__u64 kva;
};

SEC("iter/bpf_map")
int kaddr_maps(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct kaddr_rec rec = {};

	if (!map)
		return 0;
	rec.id = map->id;
	rec.kva = (__u64)(unsigned long)map;
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
