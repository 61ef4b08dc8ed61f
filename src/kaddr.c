// SPDX-License-Identifier: MIT
/*
 * kaddr: the kernel address behind a watch symbol (spec §9, §12).  A BPF
 * global lives in the value area of its object's global-section ARRAY
 * map: the map's struct bpf_map address comes from a bpf_map iterator
 * program embedded in the library (bpf/kaddr_iter.bpf.c), the offset of
 * the value area inside struct bpf_array from the kernel's own BTF, and
 * the variable's offset from the map's DATASEC.  A kernel data symbol
 * comes from /proc/kallsyms, where the kernel lists data symbols at all.
 * This file owns that resolution and the §9 arming checks; arming the
 * breakpoint is watch.c's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "capture_internal.h"
#include "kaddr_internal.h"
#include "log_internal.h"
#include "render_internal.h"
#include "util_internal.h"
#include "kaddr_iter.skel.h"

/* ---- struct bpf_array's value area, from vmlinux BTF ------------------------------ */

/* Bit offset of member @name in composite @id, looking through anonymous
 * struct/union members (the kernel wraps "value" in a union of flexible
 * arrays).  -1 when absent. */
static long member_bit_offset(const struct btf *btf, uint32_t id, const char *name, int depth)
{
	const struct btf_type *t;
	const struct btf_member *m;
	uint16_t i, n;

	if (depth > 8)
		return -1;
	t = ktsnap_btf_peel(btf, &id);
	if (!t || !btf_is_composite(t))
		return -1;
	m = btf_members(t);
	n = btf_vlen(t);
	for (i = 0; i < n; i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		long sub;

		if (mn && mn[0]) {
			if (!strcmp(mn, name))
				return btf_member_bit_offset(t, i);
			continue;
		}
		sub = member_bit_offset(btf, m->type, name, depth + 1);
		if (sub >= 0)
			return btf_member_bit_offset(t, i) + sub;
	}
	return -1;
}

static pthread_once_t value_off_once = PTHREAD_ONCE_INIT;
static int value_off_err;
static uint32_t value_off;

static void value_off_init(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	long bits;
	int id;

	if (!vmlinux) {
		value_off_err = -errno;
		return;
	}
	id = btf__find_by_name_kind(vmlinux, "bpf_array", BTF_KIND_STRUCT);
	bits = id > 0 ? member_bit_offset(vmlinux, id, "value", 0) : -1;
	if (bits < 0 || bits % 8)
		value_off_err = -ENOENT;
	else
		value_off = (uint32_t)(bits / 8);
	btf__free(vmlinux);
}

int ktsnap_kaddr_array_value_offset(uint32_t *off)
{
	pthread_once(&value_off_once, value_off_init);
	if (value_off_err == -ENOENT)
		return ktsnap_fail(
			-ENOENT,
			"kernel BTF has no struct bpf_array with a byte-aligned 'value' member");
	if (value_off_err)
		return ktsnap_fail(value_off_err,
				   "cannot load kernel BTF (/sys/kernel/btf/vmlinux): %s",
				   strerror(-value_off_err));
	*off = value_off;
	return 0;
}

/* ---- struct bpf_map addresses, through the bpf_map iterator ----------------------- */
int ktsnap_kaddr_map_kva(uint32_t id, uint64_t *kva)
{
	struct kaddr_iter *skel;
	struct bpf_link *link = NULL;
	struct kaddr_rec rec;
	int fd = -1, err = -ENOENT;
	size_t got = 0;
	ssize_t n;

	skel = kaddr_iter__open_and_load();
	if (!skel)
		return ktsnap_fail(-errno, "cannot load the bpf_map iterator program: %s",
				   strerror(errno));
	link = bpf_program__attach_iter(skel->progs.kaddr_maps, NULL);
	if (!link) {
		err = ktsnap_fail(-errno, "cannot attach the bpf_map iterator (iter/bpf_map): %s",
				  strerror(errno));
		goto out;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = ktsnap_fail(-errno, "cannot start the bpf_map iterator: %s", strerror(errno));
		goto out;
	}
	/* records are written whole; read() may still return part of one */
	for (;;) {
		n = read(fd, (char *)&rec + got, sizeof(rec) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = ktsnap_fail(-errno, "reading the bpf_map iterator: %s",
					  strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got < sizeof(rec))
			continue;
		got = 0;
		if (rec.id == id) {
			*kva = rec.kva;
			err = 0;
			break;
		}
	}
	if (err == -ENOENT)
		ktsnap_fail(-ENOENT, "map id %u is not loaded (any more)", id);
out:
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	kaddr_iter__destroy(skel);
	return err;
}

/* ---- BPF globals ------------------------------------------------------------------- */

/* Writable global sections: .rodata is frozen, nothing writes it. */
static bool section_writable(const char *sec)
{
	return !strcmp(sec, ".bss") || !strcmp(sec, ".data") || !strncmp(sec, ".data.", 6);
}

struct global_hit {
	uint32_t map_id;
	uint32_t offset;
	uint32_t size;
	char map_name[BPF_OBJ_NAME_LEN];
};

struct global_query {
	const char *obj; /* object: qualified form or the obj filter; NULL: any */
	const char *sec; /* qualified form: ".bss"; NULL: every writable section */
	const char *var;
	uint32_t map_id; /* "#ID": only this map; 0: any */
	struct global_hit hits[8];
	size_t nr_hits; /* may exceed 8: only counted past it */
	size_t nr_maps; /* writable global-section maps looked at */
	struct ktsnap_id_set obj_maps; /* q->obj's maps, for ".data.NAME" maps */
	bool obj_loaded;
	int err; /* the last object lookup that failed, or 0 */
};

/* Look for q->var in the DATASEC of ARRAY map @fd. */
static void search_map(int fd, const struct bpf_map_info *info, struct global_query *q)
{
	struct btf *btf;
	const struct btf_type *sec;
	const struct btf_var_secinfo *vs;
	uint16_t i;

	if (!info->btf_id || !info->btf_value_type_id)
		return;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return;
	sec = btf__type_by_id(btf, info->btf_value_type_id);
	if (!sec || !btf_is_datasec(sec))
		goto out;
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);
		const char *name = v ? btf__name_by_offset(btf, v->name_off) : NULL;

		if (!name || strcmp(name, q->var))
			continue;
		if (q->nr_hits < sizeof(q->hits) / sizeof(q->hits[0])) {
			struct global_hit *h = &q->hits[q->nr_hits];

			h->map_id = info->id;
			h->offset = vs->offset;
			h->size = vs->size;
			memcpy(h->map_name, info->name, sizeof(h->map_name));
			h->map_name[sizeof(h->map_name) - 1] = '\0';
		}
		q->nr_hits++;
		break;
	}
out:
	btf__free(btf);
}

/* Is map @id one of q->obj's (by BTF object and program use, as the
 * capture's object filter decides)?  1, 0, or -errno. */
static int obj_has_map(struct global_query *q, uint32_t id)
{
	if (!q->obj_loaded) {
		struct ktsnap_id_set progs = {};
		struct ktsnap_namelist known = {};
		int err = ktsnap_obj_ids(q->obj, &q->obj_maps, &progs, &known);

		ktsnap_id_set_free(&progs);
		if (err && err != -ENOENT)
			return err;
		q->obj_loaded = true;
	}
	return ktsnap_id_set_has(&q->obj_maps, id);
}

/* ktsnap_maps_walk visitor: searches writable global-section ARRAY map
 * @fd when it is one the query names.  Never stops the walk; an error of
 * the object lookup is kept in q->err. */
static int visit_global_map(int fd, struct bpf_map_info *info, void *ctx)
{
	struct global_query *q = ctx;
	const char *dot;
	int mine;

	if (info->type != BPF_MAP_TYPE_ARRAY || (q->map_id && info->id != q->map_id))
		return 0;
	info->name[sizeof(info->name) - 1] = '\0';
	dot = strchr(info->name, '.');
	if (dot == info->name) {
		/* ".data.NAME": libbpf leaves the object out; its BTF says */
		if (!section_writable(dot) || (q->sec && strcmp(dot, q->sec)))
			return 0;
		if (q->obj && (mine = obj_has_map(q, info->id)) <= 0) {
			if (mine < 0)
				q->err = mine;
			return 0;
		}
	} else {
		if (!ktsnap_map_is_global_section(info->name) || !dot || !section_writable(dot) ||
		    ktsnap_map_name_is_harness(info->name))
			return 0;
		if (q->sec && strcmp(dot, q->sec))
			return 0;
		if (q->obj && !ktsnap_map_obj_matches(info->name, q->obj))
			return 0;
	}
	q->nr_maps++;
	search_map(fd, info, q);
	return 0;
}

static int search_globals(struct global_query *q)
{
	int err = ktsnap_maps_walk(true, visit_global_map, q);

	if (err)
		err = ktsnap_fail(err, "enumerating BPF maps: %s%s", strerror(-err),
				  err == -EPERM ? " (needs CAP_SYS_ADMIN)" : "");
	else
		err = q->err;
	ktsnap_id_set_free(&q->obj_maps);
	return err;
}

/* ---- /proc/kallsyms ----------------------------------------------------------------- */
int ktsnap_kaddr_kallsyms(const char *name, uint64_t *addr)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512];
	size_t nr_data = 0;
	bool found_text = false;

	if (!f)
		return ktsnap_fail(-ENOENT,
				   "symbol '%s' not found in /proc/kallsyms (cannot open it: %s)",
				   name, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char type, sym[256];
		unsigned long long a;

		if (sscanf(line, "%llx %c %255s", &a, &type, sym) != 3)
			continue;
		if (strchr("dDbBrR", type)) {
			nr_data++;
			if (!strcmp(sym, name)) {
				fclose(f);
				*addr = a;
				return 0;
			}
		} else if (!strcmp(sym, name)) {
			found_text = true;
		}
	}
	fclose(f);
	if (found_text)
		return ktsnap_fail(
			-ENOENT,
			"symbol '%s' not found in /proc/kallsyms (it is listed, but not as a data symbol; a write watchpoint needs a variable)",
			name);
	if (!nr_data)
		return ktsnap_fail(
			-ENOENT,
			"symbol '%s' not found in /proc/kallsyms (this kernel lists no data symbols there, only functions; and no loaded BPF object has a writable global of that name)",
			name);
	return ktsnap_fail(
		-ENOENT,
		"symbol '%s' not found in /proc/kallsyms (no data symbol of that name among %zu listed, and no loaded BPF object has a writable global of that name)",
		name, nr_data);
}

/* ---- resolution -------------------------------------------------------------------- */
static int global_address(const struct global_hit *h, struct ktsnap_kaddr *out)
{
	uint64_t map_kva = 0;
	uint32_t voff = 0;
	int err;

	if ((err = ktsnap_kaddr_array_value_offset(&voff)) ||
	    (err = ktsnap_kaddr_map_kva(h->map_id, &map_kva)))
		return err;
	memset(out, 0, sizeof(*out));
	out->kva = map_kva ? map_kva + voff + h->offset : 0;
	out->size = h->size;
	out->map_id = h->map_id;
	out->offset = h->offset;
	memcpy(out->map_name, h->map_name, sizeof(out->map_name));
	return 0;
}

static int ambiguous(const char *symbol, const struct global_query *q)
{
	struct ktsnap_namelist l = {};
	size_t i, n = q->nr_hits < 8 ? q->nr_hits : 8;

	for (i = 0; i < n; i++)
		ktsnap_namelist_add(&l, "%s (map id %u)", q->hits[i].map_name, q->hits[i].map_id);
	return ktsnap_fail(
		-EEXIST,
		"symbol '%s' is ambiguous: %zu loaded global sections define it (%s%s); name one as OBJ.SECTION:NAME, a copy as OBJ.SECTION#MAP_ID:NAME, or narrow with an object filter",
		symbol, q->nr_hits, ktsnap_namelist_str(&l), q->nr_hits > n ? ", …" : "");
}

int ktsnap_kaddr_resolve(const char *symbol, const char *obj, struct ktsnap_kaddr *out)
{
	struct global_query q = { .obj = obj && obj[0] ? obj : NULL, .var = symbol };
	char objbuf[BPF_OBJ_NAME_LEN * 4], secbuf[BPF_OBJ_NAME_LEN + 16], *hash;
	const char *colon = strchr(symbol, ':');
	uint64_t addr;
	int err;

	if (!symbol[0])
		return ktsnap_fail(-EINVAL, "empty watch symbol");
	if (colon) {
		/* OBJ.SECTION:NAME */
		const char *dot = memchr(symbol, '.', (size_t)(colon - symbol));
		size_t olen = dot ? (size_t)(dot - symbol) : 0;
		size_t slen = dot ? (size_t)(colon - dot) : 0;

		if (!dot || !olen || olen >= sizeof(objbuf) || slen >= sizeof(secbuf) || !colon[1])
			return ktsnap_fail(
				-EINVAL,
				"watch symbol '%s' is not OBJ.SECTION:NAME (e.g. ktsched.bss:nr_switches)",
				symbol);
		memcpy(objbuf, symbol, olen);
		objbuf[olen] = '\0';
		memcpy(secbuf, dot, slen);
		secbuf[slen] = '\0';
		hash = strchr(secbuf, '#');
		if (hash) {
			/* OBJ.SECTION#MAP_ID:NAME: one loaded copy of several */
			char *end;
			unsigned long id = strtoul(hash + 1, &end, 10);

			if (end == hash + 1 || *end || !id || id > UINT32_MAX)
				return ktsnap_fail(
					-EINVAL,
					"watch symbol '%s': '%s' after '#' is not a map id", symbol,
					hash + 1);
			q.map_id = (uint32_t)id;
			*hash = '\0';
		}
		if (!section_writable(secbuf))
			return ktsnap_fail(
				-EINVAL,
				"watch symbol '%s': section '%s' is not a writable global section (.bss, .data or .data.*)",
				symbol, secbuf);
		q.obj = objbuf;
		q.sec = secbuf;
		q.var = colon + 1;
	}
	if ((err = search_globals(&q)))
		return err;
	if (q.nr_hits == 1)
		return global_address(&q.hits[0], out);
	if (q.nr_hits > 1)
		return ambiguous(symbol, &q);
	if (colon) {
		if (!q.nr_maps)
			return ktsnap_fail(
				-ENOENT,
				"symbol '%s' not found: no loaded BPF object '%s' has a %s map%s",
				symbol, q.obj, q.sec, q.map_id ? " with that id" : "");
		return ktsnap_fail(-ENOENT, "symbol '%s' not found: %s has no global '%s'", symbol,
				   q.sec, q.var);
	}
	if (q.obj)
		return ktsnap_fail(
			-ENOENT,
			"symbol '%s' not found in the writable global sections of BPF object '%s' (%zu looked at)",
			symbol, q.obj, q.nr_maps);
	if ((err = ktsnap_kaddr_kallsyms(symbol, &addr)))
		return err;
	memset(out, 0, sizeof(*out));
	out->kva = addr;
	out->size = 4; /* kallsyms gives no size; the spec's watch is 4 bytes */
	return 0;
}

int ktsnap_kaddr_check(const char *symbol, const struct ktsnap_kaddr *a)
{
	if (!a->kva)
		return ktsnap_fail(
			-EINVAL,
			"symbol '%s' resolves to KVA 0 (kernel addresses hidden? see kernel.kptr_restrict); refusing to arm a watchpoint at address 0",
			symbol);
	if (a->kva % 4)
		return ktsnap_fail(
			-EINVAL,
			"symbol '%s' KVA %#" PRIx64
			" is not 4-byte aligned. A hardware write watchpoint covers an aligned 4- or 8-byte word; watch an aligned variable instead.",
			symbol, a->kva);
	if (a->size != 4 && a->size != 8)
		return ktsnap_fail(
			-EINVAL,
			"symbol '%s' is %u bytes wide; a hardware write watchpoint covers 4 or 8 bytes (watch a 4- or 8-byte variable)",
			symbol, a->size);
	if (a->size == 8 && a->kva % 8)
		return ktsnap_fail(
			-EINVAL,
			"symbol '%s' KVA %#" PRIx64
			" is not 8-byte aligned for an 8-byte variable. A hardware write watchpoint covers an aligned 4- or 8-byte word; watch an aligned variable instead.",
			symbol, a->kva);
	return 0;
}
