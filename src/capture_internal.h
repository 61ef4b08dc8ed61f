/* SPDX-License-Identifier: MIT */
#ifndef KTSNAP_CAPTURE_INTERNAL_H
#define KTSNAP_CAPTURE_INTERNAL_H

#include <ktsnap/capture.h>
#include "report_internal.h"

/* A small growable set of kernel object ids. */
struct ktsnap_id_set {
	uint32_t *ids;
	size_t n, cap;
};

int ktsnap_id_set_add(struct ktsnap_id_set *s, uint32_t id);
bool ktsnap_id_set_has(const struct ktsnap_id_set *s, uint32_t id);
void ktsnap_id_set_free(struct ktsnap_id_set *s);

/* A bounded ", "-separated list for error texts ("…, and 12 more"). */
struct ktsnap_namelist {
	char s[360];
	size_t len, n, more;
};

void ktsnap_namelist_add(struct ktsnap_namelist *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *ktsnap_namelist_str(struct ktsnap_namelist *l);

/*
 * The maps and programs of BPF object @obj, by identity: its global-section
 * maps by name ("<obj>.bss", or libbpf's cut "<obj:8>.bss"), then every
 * map and program sharing their BTF object, and the maps those programs
 * use.  Two loaded copies of @obj are both included.  -ENOENT when no
 * global-section map matches, with the loaded objects' names in @known.
 */
int ktsnap_obj_ids(const char *obj, struct ktsnap_id_set *maps, struct ktsnap_id_set *progs,
		   struct ktsnap_namelist *known);

/*
 * The placeholder a failed live capture leaves (spec §12), so the attempt
 * stays visible rather than absent.  Its reason, "live capture failed: "
 * then ktsnap_errmsg() (or strerror(-@err) when there is none), is also
 * written to @reason (@size bytes) when @reason is not NULL.  The caller
 * owns the report; NULL only when it cannot be allocated.
 */
struct ktsnap_report *ktsnap_capture_failed(int err, char *reason, size_t size);

/* 0 when cgroup2 path @cg (absolute or relative to the cgroup2 mount) is a
 * directory; else -errno with the path looked at (or why none) in @dir. */
int ktsnap_cgroup_check(const char *cg, char *dir, size_t size);

/* "<obj>.bss", "<obj>.data", "<obj>.rodata" or one of their ".data.*" /
 * ".rodata.*" variants: a map of an object's global section. */
bool ktsnap_map_is_global_section(const char *name);
/* Global-section map @name belongs to object @obj, named in full or as
 * libbpf cuts it ("ticker_bpf" and "ticker_b" both match "ticker_b.bss"). */
bool ktsnap_map_obj_matches(const char *name, const char *obj);

/*
 * Call @fn for every loaded BPF map with an fd opened by id (read-only when
 * @rdonly; closed after @fn returns) and its info; maps freed between the
 * id walk and the open are skipped.  A non-zero return of @fn stops the
 * walk and is returned; else 0, or the -errno of the id walk.
 */
struct bpf_map_info;
typedef int (*ktsnap_map_visit_fn)(int fd, struct bpf_map_info *info, void *ctx);
int ktsnap_maps_walk(bool rdonly, ktsnap_map_visit_fn fn, void *ctx);

/* The harness's own maps (spec §3.2), never captured. */
bool ktsnap_map_name_is_harness(const char *name);
/* "HASH", "PERCPU_ARRAY", …; NULL for unknown types. */
const char *ktsnap_map_type_name(uint32_t type);

/* Fill the walker-backed report fields from the live host (programs,
 * /proc, /sys): active scheduler identity, prog runtime stats, per-CPU
 * time, NUMA, PSI, task enrichments, and the *_unavailable reasons. */
/* @obj_progs: the programs of opts->obj (from ktsnap_obj_ids), whose
 * runtime stats are reported too; NULL without an object filter. */
int ktsnap_capture_walkers(struct ktsnap_report *r, const struct ktsnap_capture_opts *opts,
			   const struct ktsnap_id_set *obj_progs);

/* ---- map_read.c: a map's entries as flat key/value buffers ------------------------ */
/*
 * The buffer starts at what READER_FIRST_BYTES holds (at least 16
 * entries) and grows while entries keep coming: memory follows the
 * entries present, not max_entries × value_size.
 */
#define READER_FIRST_BYTES (16u << 20)
#define READER_MAX_BATCH 65536u

struct reader {
	int fd;
	uint32_t key_size;
	uint32_t vsz; /* bytes per value slot as the kernel copies it */
	uint32_t limit; /* entries wanted (cap + 1 to detect truncation) */
	uint32_t room; /* entries the buffer holds now */
	/*
	 * The kind's walk follows get_next_key from the last key read, and
	 * the kernel restarts it at the first key when that key has been
	 * deleted meanwhile (LPM_TRIE's batch, every fallback walk): keys
	 * already held are dropped and the walk goes on to the end.
	 */
	bool dedupe;
	uint8_t *keys;
	uint8_t *vals;
	uint32_t n;
	uint32_t restarts; /* repeated keys dropped */
};

/* Allocate @rd's first buffers (fd, key_size, vsz, limit, dedupe set).
 * 0 or -ENOMEM. */
int ktsnap_reader_alloc(struct reader *rd);
/* Read up to rd->limit entries into rd->keys/vals (rd->n).  0 or -errno. */
int ktsnap_read_entries(struct reader *rd);

#endif
