/* SPDX-License-Identifier: MIT */
/*
 * kaddr: turning a watch symbol into the kernel address a hardware write
 * breakpoint watches (spec §9, §12).  Used by watch.c; tested directly.
 */
#ifndef KTSNAP_KADDR_INTERNAL_H
#define KTSNAP_KADDR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One record of the bpf_map iterator (bpf/kaddr_iter.bpf.c). */
struct kaddr_rec {
	uint32_t id;
	uint32_t pad;
	uint64_t kva;
};

/* Where a symbol lives. */
struct ktsnap_kaddr {
	uint64_t kva; /* kernel virtual address of its first byte */
	uint32_t size; /* bytes (BTF size of the variable; 4 for kallsyms) */
	uint32_t map_id; /* BPF global: the ARRAY map holding it; 0 for kallsyms */
	uint32_t offset; /* BPF global: offset inside the map's value */
	char map_name[16]; /* BPF global: "<obj>.bss" */
};

/*
 * Resolve @symbol: "OBJ.SECTION:NAME" (SECTION .bss, .data or .data.*; OBJ
 * the full object name or libbpf's cut; "OBJ.SECTION#MAP_ID:NAME" picks one
 * loaded copy by its map id), a bare NAME unique across the
 * writable global sections of the loaded objects (only @obj's when @obj is
 * not NULL), or a data symbol of /proc/kallsyms.  0 with *out filled, or
 * -errno with the reason recorded for ktsnap_errmsg(): -ENOENT (unknown
 * symbol), -EEXIST (several globals match), -EPERM, -ENOMEM.  Does not
 * check the address: ktsnap_kaddr_check() does.
 */
int ktsnap_kaddr_resolve(const char *symbol, const char *obj, struct ktsnap_kaddr *out);

/*
 * The arming checks of spec §9 for @symbol at @a: address 0, an address
 * not 4-byte aligned (8-byte for an 8-byte variable), a size other than
 * 4 or 8.  0 or -EINVAL with the text recorded for ktsnap_errmsg().
 */
int ktsnap_kaddr_check(const char *symbol, const struct ktsnap_kaddr *a);

/* Offset of the value area ("value") inside the kernel's struct
 * bpf_array, from /sys/kernel/btf/vmlinux.  0 or -errno (recorded). */
int ktsnap_kaddr_array_value_offset(uint32_t *off);

/* Kernel address of map @id's struct bpf_map, through the bpf_map
 * iterator.  0, -ENOENT (no such map), or -errno (recorded). */
int ktsnap_kaddr_map_kva(uint32_t id, uint64_t *kva);

/* Data symbol @name in /proc/kallsyms.  0 with *addr (0 when the kernel
 * hides addresses), or -ENOENT with the reason recorded. */
int ktsnap_kaddr_kallsyms(const char *name, uint64_t *addr);

#endif /* KTSNAP_KADDR_INTERNAL_H */
