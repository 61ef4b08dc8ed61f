// SPDX-License-Identifier: MIT
/*
 * capture: the live kernel's BPF maps → a report (spec §3.2, §12).
 *
 * Raw first, render later: this file only copies bytes out of the kernel
 * (batch lookups where the kernel has them) and records which BTF types
 * describe them; render.c builds value trees on first access.  A failure
 * on one map lands in that map's error and the capture goes on.
 *
 * The kernel gives no atomic view of several maps: entries are read map
 * after map, back to back, and a map being written concurrently is read
 * with the kernel's own per-bucket consistency (batch) or entry by entry.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <ktsnap/capture.h>
#include "capture_internal.h"
#include "log_internal.h"
#include "opts_internal.h"
#include "util_internal.h"

/* Map types newer than the UAPI headers we build against (Debian 12's
 * are from 6.1); the numbers are the kernel's enum bpf_map_type. */
#define KT_MAP_USER_RINGBUF 31
#define KT_MAP_CGRP_STORAGE 32
#define KT_MAP_ARENA 33
#define KT_MAP_INSN_ARRAY 34

static const char *const harness_exact[] = {
	"probe_bp", "fentry_p", "func_meta_map", "probe_data", "probe_scratch", "ktstr_events",
};

bool ktsnap_map_name_is_harness(const char *name)
{
	size_t i;

	if (!strncmp(name, "probe_bp.", 9) || !strncmp(name, "fentry_p.", 9))
		return true;
	for (i = 0; i < sizeof(harness_exact) / sizeof(harness_exact[0]); i++)
		if (!strcmp(name, harness_exact[i]))
			return true;
	return false;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint32_t cap_or_default(uint32_t v, uint32_t def)
{
	return v == 0 ? def : v;
}

/* ---- BTF cache (one load per BTF object per capture) ------------------------ */
struct btf_cache {
	struct ktsnap_report *r; /* owns the BTF objects */
	struct {
		uint32_t id;
		struct btf *btf;
	} * slot;
	size_t n, cap;
	struct btf *vmlinux;
	bool vmlinux_tried;
};

static struct btf *btf_get(struct btf_cache *bc, uint32_t id)
{
	struct btf *btf;
	size_t i;

	if (!id)
		return NULL;
	for (i = 0; i < bc->n; i++)
		if (bc->slot[i].id == id)
			return bc->slot[i].btf;
	if (KTSNAP_ENSURE(bc->slot, bc->cap, bc->n + 1))
		return NULL;
	btf = btf__load_from_kernel_by_id(id);
	if (!btf) {
		pr_debug("btf %u: load failed: %s\n", id, strerror(errno));
		return NULL;
	}
	if (ktsnap_report_own_btf(bc->r, btf)) {
		btf__free(btf);
		return NULL;
	}
	bc->slot[bc->n].id = id;
	bc->slot[bc->n++].btf = btf;
	return btf;
}

static struct btf *btf_vmlinux(struct btf_cache *bc)
{
	if (!bc->vmlinux_tried) {
		bc->vmlinux_tried = true;
		bc->vmlinux = btf__load_vmlinux_btf();
		if (bc->vmlinux && ktsnap_report_own_btf(bc->r, bc->vmlinux)) {
			btf__free(bc->vmlinux);
			bc->vmlinux = NULL;
		}
	}
	return bc->vmlinux;
}

/* ---- map kinds -------------------------------------------------------------------- */
static const char *const map_type_names[] = {
	[BPF_MAP_TYPE_UNSPEC] = "UNSPEC",
	[BPF_MAP_TYPE_HASH] = "HASH",
	[BPF_MAP_TYPE_ARRAY] = "ARRAY",
	[BPF_MAP_TYPE_PROG_ARRAY] = "PROG_ARRAY",
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = "PERF_EVENT_ARRAY",
	[BPF_MAP_TYPE_PERCPU_HASH] = "PERCPU_HASH",
	[BPF_MAP_TYPE_PERCPU_ARRAY] = "PERCPU_ARRAY",
	[BPF_MAP_TYPE_STACK_TRACE] = "STACK_TRACE",
	[BPF_MAP_TYPE_CGROUP_ARRAY] = "CGROUP_ARRAY",
	[BPF_MAP_TYPE_LRU_HASH] = "LRU_HASH",
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = "LRU_PERCPU_HASH",
	[BPF_MAP_TYPE_LPM_TRIE] = "LPM_TRIE",
	[BPF_MAP_TYPE_ARRAY_OF_MAPS] = "ARRAY_OF_MAPS",
	[BPF_MAP_TYPE_HASH_OF_MAPS] = "HASH_OF_MAPS",
	[BPF_MAP_TYPE_DEVMAP] = "DEVMAP",
	[BPF_MAP_TYPE_SOCKMAP] = "SOCKMAP",
	[BPF_MAP_TYPE_CPUMAP] = "CPUMAP",
	[BPF_MAP_TYPE_XSKMAP] = "XSKMAP",
	[BPF_MAP_TYPE_SOCKHASH] = "SOCKHASH",
	[BPF_MAP_TYPE_CGROUP_STORAGE] = "CGROUP_STORAGE",
	[BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = "REUSEPORT_SOCKARRAY",
	[BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE] = "PERCPU_CGROUP_STORAGE",
	[BPF_MAP_TYPE_QUEUE] = "QUEUE",
	[BPF_MAP_TYPE_STACK] = "STACK",
	[BPF_MAP_TYPE_SK_STORAGE] = "SK_STORAGE",
	[BPF_MAP_TYPE_DEVMAP_HASH] = "DEVMAP_HASH",
	[BPF_MAP_TYPE_STRUCT_OPS] = "STRUCT_OPS",
	[BPF_MAP_TYPE_RINGBUF] = "RINGBUF",
	[BPF_MAP_TYPE_INODE_STORAGE] = "INODE_STORAGE",
	[BPF_MAP_TYPE_TASK_STORAGE] = "TASK_STORAGE",
	[BPF_MAP_TYPE_BLOOM_FILTER] = "BLOOM_FILTER",
	[KT_MAP_USER_RINGBUF] = "USER_RINGBUF",
	[KT_MAP_CGRP_STORAGE] = "CGRP_STORAGE",
	[KT_MAP_ARENA] = "ARENA",
	[KT_MAP_INSN_ARRAY] = "INSN_ARRAY",
};

const char *ktsnap_map_type_name(uint32_t type)
{
	if (type < sizeof(map_type_names) / sizeof(map_type_names[0]) && map_type_names[type])
		return map_type_names[type];
	return NULL;
}

static bool is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* Kinds whose batch lookup walks buckets (kernel htab_map_lookup_batch). */
static bool is_htab(uint32_t type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_LRU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool is_fd_kind(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
		return true;
	default:
		return false;
	}
}

static bool fd_kind_is_hash(uint32_t type)
{
	return type == BPF_MAP_TYPE_HASH_OF_MAPS || type == BPF_MAP_TYPE_DEVMAP_HASH ||
	       type == BPF_MAP_TYPE_SOCKHASH;
}

/* Why a map kind cannot be enumerated; NULL when it can. */
static const char *static_explanation(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		return "QUEUE/STACK are destructive (peek shows only the head; pop consumes); no enumeration API";
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return "BLOOM_FILTER is a probabilistic set; no key enumeration is possible";
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		return "(PERCPU_)CGROUP_STORAGE is deprecated (superseded by CGRP_STORAGE); contents not captured";
	case BPF_MAP_TYPE_SK_STORAGE:
	case BPF_MAP_TYPE_INODE_STORAGE:
	case BPF_MAP_TYPE_TASK_STORAGE:
	case KT_MAP_CGRP_STORAGE:
		return "local storage is keyed by its owner (socket/inode/task/cgroup fd); no enumeration API from user space";
	case KT_MAP_ARENA:
		return "ARENA pages are mapped at the owning process's fixed user address; a live-host capture cannot read them (arena BTF offsets unavailable)";
	case KT_MAP_INSN_ARRAY:
		return "INSN_ARRAY holds verifier-internal instruction offsets; no enumeration API";
	default:
		return NULL;
	}
}

/* ---- per-kind capture --------------------------------------------------------------- */
struct map_ctx {
	struct ktsnap_report *r;
	struct ktsnap_map *m;
	int fd;
	struct bpf_map_info *info;
	struct btf_cache *bc;
	const struct ktsnap_capture_opts *opts;
	int ncpus;
};

#define MAP_ERR(mc, ...) ktsnap_map_set_error((mc)->r, (mc)->m, __VA_ARGS__)

static void attach_btf(struct map_ctx *mc)
{
	struct ktsnap_map *m = mc->m;

	if (!mc->info->btf_id)
		return;
	m->btf = btf_get(mc->bc, mc->info->btf_id);
	if (!m->btf)
		return;
	m->btf_key_type_id = mc->info->btf_key_type_id;
	m->btf_value_type_id = mc->info->btf_value_type_id;
	atomic_store(&m->rendered, false);
}

/* A single-value map's key 0 into a buffer the map owns (LAYOUT_VALUE).
 * 0, -ENOMEM, or the lookup's -errno (the caller words the error). */
static int read_key0(struct map_ctx *mc)
{
	struct ktsnap_map *m = mc->m;
	uint32_t key = 0;
	uint8_t *buf;

	m->layout = KTSNAP_LAYOUT_VALUE;
	buf = calloc(1, m->value_size ? m->value_size : 1);
	if (!buf)
		return -ENOMEM;
	if (bpf_map_lookup_elem(mc->fd, &key, buf)) {
		int err = -errno;

		free(buf);
		return err;
	}
	m->raw = buf;
	m->value_raw = buf;
	/* rendered on first use, as Bytes when there is no BTF */
	atomic_store(&m->rendered, false);
	return 0;
}

static int capture_single_value(struct map_ctx *mc)
{
	struct ktsnap_map *m = mc->m;
	size_t len = strlen(m->name);
	int err = read_key0(mc);

	if (err == -ENOMEM)
		return err;
	if (err)
		return MAP_ERR(mc, "ARRAY value region unreadable (lookup of key 0: %s)",
			       strerror(-err));
	if (len >= 14 && !strcmp(m->name + len - 14, ".rodata.str1.1"))
		m->render_as_string_bytes = true;
	else
		attach_btf(mc);
	return 0;
}

static int capture_struct_ops(struct map_ctx *mc)
{
	struct ktsnap_map *m = mc->m;
	struct btf *vmlinux;
	int err = read_key0(mc);

	if (err == -ENOMEM)
		return err;
	if (err)
		return MAP_ERR(mc, "STRUCT_OPS value unreadable: %s", strerror(-err));
	vmlinux = btf_vmlinux(mc->bc);
	if (vmlinux && mc->info->btf_vmlinux_value_type_id) {
		m->btf = vmlinux;
		m->btf_value_type_id = mc->info->btf_vmlinux_value_type_id;
	}
	return 0;
}

static int capture_table(struct map_ctx *mc)
{
	struct ktsnap_map *m = mc->m;
	uint32_t type = m->map_type, cap, i;
	bool percpu = is_percpu(type);
	bool array = type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
	uint32_t stride = (m->value_size + 7) & ~7u;
	struct reader rd = { .fd = mc->fd, .key_size = m->key_size };
	struct ktsnap_map_entry *entries;
	int err;

	if (type == BPF_MAP_TYPE_PERCPU_ARRAY)
		cap = cap_or_default(mc->opts->max_percpu_keys, KTSNAP_MAX_PERCPU_KEYS);
	else if (array)
		cap = cap_or_default(mc->opts->max_array_keys, KTSNAP_MAX_ARRAY_KEYS);
	else
		cap = cap_or_default(mc->opts->max_hash_entries, KTSNAP_MAX_HASH_ENTRIES);

	rd.vsz = percpu ? stride * mc->ncpus : m->value_size;
	if (array) {
		rd.limit = m->max_entries < cap ? m->max_entries : cap;
	} else {
		/* one extra slot tells "exactly cap" from "more than cap" */
		uint64_t lim = (uint64_t)cap + 1;

		rd.limit = m->max_entries < lim ? m->max_entries : (uint32_t)lim;
	}
	if (m->key_size == 0 || rd.vsz == 0)
		return MAP_ERR(mc, "zero-sized key or value");
	if (rd.limit == 0) {
		m->layout =
			percpu ? (array ? KTSNAP_LAYOUT_PERCPU_ARRAY : KTSNAP_LAYOUT_PERCPU_HASH) :
				 (array ? KTSNAP_LAYOUT_ARRAY : KTSNAP_LAYOUT_HASH);
		return 0;
	}
	/*
	 * Hash kinds read by bucket (a deleted entry never moves the cursor)
	 * and arrays never lose keys; every other kind walks from the last
	 * key read, which the kernel restarts when that key is deleted.
	 */
	rd.dedupe = !array && !is_htab(type);
	err = ktsnap_reader_alloc(&rd);
	if (!err)
		err = ktsnap_read_entries(&rd);
	if (err) {
		free(rd.keys);
		/* This map only: the next one may well fit. */
		if (err == -EAGAIN)
			return MAP_ERR(
				mc,
				"%s changed faster than it could be read (the walk restarted %u times before reaching its end); entries not kept",
				ktsnap_map_type_name(type) ?: "map", rd.restarts);
		return MAP_ERR(mc, "%s read failed: %s", ktsnap_map_type_name(type) ?: "map",
			       strerror(-err));
	}
	if (rd.restarts)
		pr_debug("map %s: walk restarted, %u repeated keys dropped\n", m->name,
			 rd.restarts);

	if (!array && rd.n > cap) {
		rd.n = cap;
		if (percpu)
			MAP_ERR(mc, "percpu hash map truncated at %u entries", cap);
		else
			MAP_ERR(mc, "hash map truncated at %u entries", cap);
	}
	if (array && m->max_entries > cap) {
		if (percpu)
			MAP_ERR(mc, "PERCPU_ARRAY truncated at %u keys (max_entries=%u)", cap,
				m->max_entries);
		else
			MAP_ERR(mc, "ARRAY truncated at %u keys (max_entries=%u)", cap,
				m->max_entries);
	}

	entries = rd.n ? ktsnap_arena_alloc(&mc->r->arena, rd.n * sizeof(*entries)) : NULL;
	if (rd.n && !entries) {
		free(rd.keys);
		return -ENOMEM;
	}
	for (i = 0; i < rd.n; i++) {
		struct ktsnap_map_entry *e = &entries[i];
		const uint8_t *k = rd.keys + (size_t)i * rd.key_size;
		const uint8_t *v = rd.vals + (size_t)i * rd.vsz;

		if (array) {
			uint32_t idx;

			memcpy(&idx, k, 4);
			e->index = idx;
		} else {
			e->key = k;
			e->key_len = rd.key_size;
		}
		if (percpu) {
			e->percpu = v;
			e->nr_cpus = mc->ncpus;
		} else {
			e->val = v;
			e->val_len = m->value_size;
		}
	}
	m->raw = rd.keys;
	m->entries = entries;
	m->nr_entries = rd.n;
	m->nr_cpus = percpu ? mc->ncpus : 0;
	m->percpu_stride = percpu ? stride : 0;
	m->layout = percpu ? (array ? KTSNAP_LAYOUT_PERCPU_ARRAY : KTSNAP_LAYOUT_PERCPU_HASH) :
			     (array ? KTSNAP_LAYOUT_ARRAY : KTSNAP_LAYOUT_HASH);
	attach_btf(mc);
	atomic_store(&m->rendered, false);
	return 0;
}

static int capture_ringbuf(struct map_ctx *mc)
{
	long page = sysconf(_SC_PAGESIZE);
	struct ktsnap_ringbuf_info *rb;
	void *cons, *prod;

	int fd;

	/*
	 * The kernel refuses to mmap a ring buffer through a read-only map fd
	 * (EINVAL), so this one map kind is opened read-write; the mappings
	 * themselves are PROT_READ and nothing is ever written.
	 */
	fd = bpf_map_get_fd_by_id((uint32_t)mc->m->map_kva);
	if (fd < 0)
		return MAP_ERR(mc, "ring buffer could not be reopened for mmap: %s",
			       strerror(errno));
	cons = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (cons == MAP_FAILED) {
		int e = errno;

		close(fd);
		return MAP_ERR(mc, "ring buffer consumer page not mappable: %s", strerror(e));
	}
	prod = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, page);
	close(fd);
	if (prod == MAP_FAILED) {
		int e = errno;

		munmap(cons, page);
		return MAP_ERR(mc, "ring buffer producer page not mappable: %s", strerror(e));
	}
	rb = ktsnap_arena_alloc(&mc->r->arena, sizeof(*rb));
	if (rb) {
		rb->capacity = mc->m->max_entries;
		rb->consumer_pos = __atomic_load_n((uint64_t *)cons, __ATOMIC_ACQUIRE);
		rb->producer_pos = __atomic_load_n((uint64_t *)prod, __ATOMIC_ACQUIRE);
		/* pending_pos sits right after producer_pos (kernel ≥ 6.8) */
		rb->pending_pos = __atomic_load_n((uint64_t *)prod + 1, __ATOMIC_ACQUIRE);
		rb->pending_bytes = rb->producer_pos - rb->consumer_pos;
		mc->m->ringbuf = rb;
	}
	munmap(prod, page);
	munmap(cons, page);
	return rb ? 0 : -ENOMEM;
}

static int capture_stack_trace(struct map_ctx *mc)
{
	struct ktsnap_map *m = mc->m;
	struct ktsnap_stack_trace_info *st;
	uint32_t key, next, *prev = NULL;
	uint32_t npcs = m->value_size / 8, cap = KTSNAP_MAX_STACK_TRACE_BUCKETS;
	uint8_t *val;
	size_t n = 0, alloc = 64;

	st = ktsnap_arena_alloc(&mc->r->arena, sizeof(*st));
	val = malloc(m->value_size ? m->value_size : 8);
	if (!st || !val) {
		free(val);
		return -ENOMEM;
	}
	st->n_buckets = m->max_entries;
	st->entries = ktsnap_arena_alloc(&mc->r->arena, alloc * sizeof(*st->entries));
	while (st->entries && !bpf_map_get_next_key(mc->fd, prev, &next)) {
		struct ktsnap_stack_trace_entry *e;
		uint32_t i, nr = 0;

		key = next;
		prev = &key;
		if (n == cap) {
			st->truncated = true;
			break;
		}
		if (bpf_map_lookup_elem(mc->fd, &key, val))
			continue;
		if (n == alloc) {
			void *ne =
				ktsnap_arena_alloc(&mc->r->arena, alloc * 2 * sizeof(*st->entries));

			if (!ne)
				break;
			memcpy(ne, st->entries, alloc * sizeof(*st->entries));
			st->entries = ne;
			alloc *= 2;
		}
		e = &st->entries[n++];
		e->bucket_id = key;
		for (i = 0; i < npcs && i < KTSNAP_MAX_STACK_TRACE_PCS; i++) {
			uint64_t pc;

			memcpy(&pc, val + i * 8, 8);
			if (!pc)
				break;
			nr++;
		}
		e->nr = nr;
		e->pcs = ktsnap_arena_memdup(&mc->r->arena, val, (size_t)nr * 8);
		e->data_hex = ktsnap_hex_string(&mc->r->arena, val, m->value_size);
	}
	free(val);
	st->nr_entries = n;
	m->stack_trace = st;
	return 0;
}

static int capture_fd_array(struct map_ctx *mc)
{
	struct ktsnap_map *m = mc->m;
	struct ktsnap_fd_array_info *fa;
	uint32_t slots = m->max_entries < KTSNAP_MAX_FD_ARRAY_SLOTS ? m->max_entries :
								      KTSNAP_MAX_FD_ARRAY_SLOTS;
	uint8_t key[64], next[64], *val;
	bool hash = fd_kind_is_hash(m->map_type), have_prev = false;
	uint32_t i;
	int lookup_err = 0;

	if (m->key_size > sizeof(key))
		return MAP_ERR(mc, "key of %u bytes too large to scan", m->key_size);
	fa = ktsnap_arena_alloc(&mc->r->arena, sizeof(*fa));
	val = calloc(1, m->value_size > 8 ? m->value_size : 8);
	if (!fa || !val) {
		free(val);
		return -ENOMEM;
	}
	fa->indices = ktsnap_arena_alloc(&mc->r->arena,
					 KTSNAP_MAX_FD_ARRAY_INDICES * sizeof(*fa->indices));
	for (i = 0; fa->indices && i < slots; i++) {
		uint32_t idx = i;

		if (hash) {
			if (bpf_map_get_next_key(mc->fd, have_prev ? key : NULL, next))
				break;
			memcpy(key, next, m->key_size);
			have_prev = true;
			idx = 0;
			memcpy(&idx, key, m->key_size < 4 ? m->key_size : 4);
		} else {
			memset(key, 0, sizeof(key));
			memcpy(key, &idx, 4);
		}
		fa->scanned++;
		if (bpf_map_lookup_elem(mc->fd, key, val)) {
			if (errno != ENOENT && !lookup_err)
				lookup_err = errno;
			if (hash && errno != ENOENT) {
				/* the key exists: it is populated even if unreadable */
			} else {
				continue;
			}
		}
		fa->populated++;
		if (fa->nr_indices < KTSNAP_MAX_FD_ARRAY_INDICES)
			fa->indices[fa->nr_indices++] = idx;
		else
			fa->indices_truncated = true;
	}
	free(val);
	if (!fa->indices)
		return -ENOMEM;
	if (hash) {
		fa->truncated = fa->scanned == slots && slots < m->max_entries;
	} else {
		fa->truncated = m->max_entries > slots;
	}
	m->fd_array = fa;
	if (lookup_err && !hash)
		MAP_ERR(mc,
			"%s slots are not readable from user space (%s); populated count unknown",
			ktsnap_map_type_name(m->map_type) ?: "fd array", strerror(lookup_err));
	return 0;
}

static int capture_map_contents(struct map_ctx *mc)
{
	struct ktsnap_map *m = mc->m;
	uint32_t type = m->map_type;
	const char *why = static_explanation(type);

	if (why)
		return MAP_ERR(mc, "%s", why);
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
		if (m->max_entries <= 1)
			return capture_single_value(mc);
		return capture_table(mc);
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LPM_TRIE:
		return capture_table(mc);
	case BPF_MAP_TYPE_RINGBUF:
	case KT_MAP_USER_RINGBUF:
		return capture_ringbuf(mc);
	case BPF_MAP_TYPE_STACK_TRACE:
		return capture_stack_trace(mc);
	case BPF_MAP_TYPE_STRUCT_OPS:
		return capture_struct_ops(mc);
	default:
		if (is_fd_kind(type))
			return capture_fd_array(mc);
		return MAP_ERR(mc, "unknown map_type %u: contents not captured", type);
	}
}

/* ---- enumeration and filters -------------------------------------------------------- */
static bool name_in(const char *name, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(name, names[i]))
			return true;
	return false;
}

/* Which of @n requested names/ids matched a loaded map (for the error). */
static void mark_name(const char *name, const char *const *names, size_t n, bool *hit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(name, names[i]))
			hit[i] = true;
}

static void mark_id(uint32_t id, const uint32_t *ids, size_t n, bool *hit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			hit[i] = true;
}

static int add_loaded_map(int fd, struct bpf_map_info *info, void *ctx)
{
	if (!ktsnap_map_name_is_harness(info->name))
		ktsnap_namelist_add(ctx, "%.*s (id %u)", (int)sizeof(info->name), info->name,
				    info->id);
	return 0;
}

/* "name (id N)" of every loaded map but the harness's, for error texts. */
static void list_loaded_maps(struct ktsnap_namelist *l)
{
	ktsnap_maps_walk(true, add_loaded_map, l);
	if (!l->n && !l->more)
		ktsnap_namelist_add(l, "none");
}

/*
 * A name or id filter that matched no loaded map is an error naming it
 * and what is loaded: an empty capture would look like an empty kernel.
 */
static int check_filters_matched(const struct ktsnap_capture_opts *o, const bool *name_hit,
				 const bool *id_hit)
{
	struct ktsnap_namelist l = {};
	size_t i;

	for (i = 0; i < o->nr_map_names; i++)
		if (!name_hit[i]) {
			list_loaded_maps(&l);
			return ktsnap_fail(-ENOENT,
					   "capture: no map named '%s' is loaded (loaded maps: %s)",
					   o->map_names[i], ktsnap_namelist_str(&l));
		}
	for (i = 0; i < o->nr_map_ids; i++)
		if (!id_hit[i]) {
			list_loaded_maps(&l);
			return ktsnap_fail(-ENOENT,
					   "capture: no map with id %u is loaded (loaded maps: %s)",
					   o->map_ids[i], ktsnap_namelist_str(&l));
		}
	return 0;
}

int ktsnap_capture(const struct ktsnap_capture_opts *uopts, struct ktsnap_report **out)
{
	struct ktsnap_capture_opts opts = {};
	struct ktsnap_report *r = NULL;
	struct btf_cache bc = {};
	struct ktsnap_id_set obj_ids = {}, obj_progs = {};
	bool *name_hit = NULL, *id_hit = NULL;
	unsigned int vanished = 0;
	uint64_t t0, first_read_ns = 0, last_read_ns = 0;
	__u32 id = 0;
	size_t i;
	int err, ncpus;

	ktsnap_errmsg_clear();
	if (!out)
		return ktsnap_fail(-EINVAL, "capture: no report pointer");
	*out = NULL;
	err = KTSNAP_OPTS_READ(opts, uopts, ktsnap_capture_opts);
	if (err)
		return err;
	if ((opts.nr_map_names && !opts.map_names) || (opts.nr_map_ids && !opts.map_ids) ||
	    (opts.nr_cgroups && !opts.cgroups))
		return ktsnap_fail(-EINVAL, "capture: a filter count is set but its list is NULL");
	for (i = 0; i < opts.nr_cgroups; i++)
		if (!opts.cgroups[i])
			return ktsnap_fail(-EINVAL, "capture: cgroups[%zu] is NULL", i);
	for (i = 0; i < opts.nr_map_names; i++)
		if (!opts.map_names[i])
			return ktsnap_fail(-EINVAL, "capture: map_names[%zu] is NULL", i);
	for (i = 0; i < opts.nr_cgroups; i++) {
		char dir[512];

		err = ktsnap_cgroup_check(opts.cgroups[i], dir, sizeof(dir));
		if (err)
			return ktsnap_fail(err, "capture: cgroup '%s' does not exist (%s: %s)",
					   opts.cgroups[i], dir, strerror(-err));
	}

	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		return ktsnap_fail(-EIO, "capture: cannot read the possible-CPU count (%s)",
				   strerror(-ncpus));

	/* Probe the privilege before allocating anything. */
	if (bpf_map_get_next_id(0, &id) && errno != ENOENT) {
		err = -errno;
		if (err == -EPERM || err == -EACCES)
			return ktsnap_fail(
				-EPERM,
				"capture needs root: enumerating BPF maps by id (BPF_MAP_GET_NEXT_ID) requires CAP_SYS_ADMIN (%s)",
				strerror(-err));
		return ktsnap_fail(err, "capture: BPF_MAP_GET_NEXT_ID failed: %s", strerror(-err));
	}

	r = ktsnap_report__new();
	name_hit = calloc(opts.nr_map_names + 1, sizeof(*name_hit));
	id_hit = calloc(opts.nr_map_ids + 1, sizeof(*id_hit));
	if (!r || !name_hit || !id_hit) {
		err = -ENOMEM;
		goto fail;
	}
	bc.r = r;
	r->timestamp_ns = now_ns(CLOCK_REALTIME);
	t0 = now_ns(CLOCK_MONOTONIC);

	if (opts.obj && *opts.obj) {
		struct ktsnap_namelist known = {};

		err = ktsnap_obj_ids(opts.obj, &obj_ids, &obj_progs, &known);
		if (err == -ENOENT)
			err = ktsnap_fail(
				-ENOENT,
				"capture: no BPF object '%s' is loaded (objects with global-section maps: %s)",
				opts.obj, known.n ? ktsnap_namelist_str(&known) : "none");
		if (err)
			goto fail;
	}

	id = 0;
	for (;;) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		struct map_ctx mc = {
			.r = r, .info = &info, .bc = &bc, .opts = &opts, .ncpus = ncpus
		};
		LIBBPF_OPTS(bpf_get_fd_by_id_opts, fo, .open_flags = BPF_F_RDONLY);
		struct ktsnap_map *m;
		int fd;

		if (bpf_map_get_next_id(id, &id)) {
			if (errno == ENOENT)
				break;
			err = ktsnap_fail(-errno, "capture: BPF_MAP_GET_NEXT_ID failed: %s",
					  strerror(errno));
			goto fail;
		}
		if (opts.nr_map_ids && !ktsnap_u32_in(opts.map_ids, opts.nr_map_ids, id))
			continue;
		mark_id(id, opts.map_ids, opts.nr_map_ids, id_hit);
		fd = bpf_map_get_fd_by_id_opts(id, &fo);
		if (fd < 0) {
			if (errno == ENOENT) {
				/* Freed since we saw its id: nothing left to name
				 * or read, so only the debug log records it. */
				pr_debug("capture: map id %u was freed before it could be opened\n",
					 id);
				vanished++;
				continue;
			}
			/* Can't even name it: record the id so nothing vanishes silently. */
			if (opts.obj || opts.nr_map_names)
				continue;
			m = ktsnap_report_add_map(r, "");
			if (!m) {
				err = -ENOMEM;
				goto fail;
			}
			m->map_kva = id;
			ktsnap_map_set_error(r, m, "map id %u could not be opened read-only: %s",
					     id, strerror(errno));
			continue;
		}
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		if (!ktsnap_map_name_is_harness(info.name))
			mark_name(info.name, opts.map_names, opts.nr_map_names, name_hit);
		if (ktsnap_map_name_is_harness(info.name) ||
		    (opts.nr_map_names && !name_in(info.name, opts.map_names, opts.nr_map_names)) ||
		    (opts.obj && *opts.obj && !ktsnap_id_set_has(&obj_ids, id))) {
			close(fd);
			continue;
		}
		m = ktsnap_report_add_map(r, info.name);
		if (!m) {
			close(fd);
			err = -ENOMEM;
			goto fail;
		}
		m->map_kva = id;
		m->map_type = info.type;
		m->key_size = info.key_size;
		m->value_size = info.value_size;
		m->max_entries = info.max_entries;
		mc.m = m;
		mc.fd = fd;
		if (!first_read_ns)
			first_read_ns = now_ns(CLOCK_MONOTONIC);
		err = capture_map_contents(&mc);
		last_read_ns = now_ns(CLOCK_MONOTONIC);
		close(fd);
		if (err == -ENOMEM)
			goto fail;
	}
	r->capture_ns = now_ns(CLOCK_MONOTONIC) - t0;
	r->capture_skew_ns = first_read_ns ? last_read_ns - first_read_ns : 0;
	if (vanished)
		pr_debug("capture: %u maps were freed between enumeration and open\n", vanished);
	if ((err = check_filters_matched(&opts, name_hit, id_hit)))
		goto fail;

	err = ktsnap_capture_walkers(r, &opts, opts.obj && *opts.obj ? &obj_progs : NULL);
	if (err)
		goto fail;
	ktsnap_id_set_free(&obj_ids);
	ktsnap_id_set_free(&obj_progs);
	free(bc.slot);
	free(name_hit);
	free(id_hit);
	*out = r;
	return 0;
fail:
	ktsnap_id_set_free(&obj_ids);
	ktsnap_id_set_free(&obj_progs);
	free(bc.slot);
	free(name_hit);
	free(id_hit);
	ktsnap_report__free(r);
	if (err == -ENOMEM)
		return ktsnap_fail(-ENOMEM, "capture: out of memory");
	return err;
}

/* The placeholder of a failed live capture (capture_internal.h). */
struct ktsnap_report *ktsnap_capture_failed(int err, char *reason, size_t size)
{
	char why[1024];

	snprintf(why, sizeof(why), "live capture failed: %s",
		 ktsnap_errmsg()[0] ? ktsnap_errmsg() : strerror(err < 0 ? -err : EIO));
	if (reason && size)
		snprintf(reason, size, "%s", why);
	return ktsnap_report__placeholder(why);
}

/*
 * The bridge's capture callback for live captures (declared in capture.h):
 * the bridge knows captures only through such a callback.
 */
struct ktsnap_report *ktsnap_capture_callback_live(const char *name, void *ctx)
{
	const struct ktsnap_capture_opts *opts = ctx;
	struct ktsnap_report *r = NULL;
	char reason[1024];
	int err;

	err = ktsnap_capture(opts, &r);
	if (!err && r)
		return r;
	r = ktsnap_capture_failed(err, reason, sizeof(reason));
	pr_warn("SnapshotBridge: capture '%s': %s\n", name ? name : "", reason);
	return r;
}
