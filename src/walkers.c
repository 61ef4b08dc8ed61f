// SPDX-License-Identifier: MIT
/*
 * walkers: the live-host equivalents (spec §12) of the report fields the
 * reference fills by walking guest kernel memory.
 *
 *   active_obj_name / active_map_kvas   the live (sched_ext or registered) struct_ops
 *                                       program's maps (map id = "kva")
 *   prog_runtime_stats                  bpf_prog_info run_cnt/run_time_ns
 *   per_cpu_time                        /proc/stat, /proc/softirqs,
 *                                       /proc/interrupts
 *   per_node_numa                       /sys/devices/system/node/node*
 *   cgroup_psi, task_enrichments        the cgroups named in the options
 *   scx state                           /sys/kernel/sched_ext (reason only)
 *
 * Every list that stays empty gets its reason string, never silence.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "capture_internal.h"
#include "log_internal.h"
#include "util_internal.h"

/* ---- id sets ---------------------------------------------------------------------- */
int ktsnap_id_set_add(struct ktsnap_id_set *s, uint32_t id)
{
	if (ktsnap_id_set_has(s, id))
		return 0;
	if (KTSNAP_ENSURE(s->ids, s->cap, s->n + 1))
		return -ENOMEM;
	s->ids[s->n++] = id;
	return 0;
}

bool ktsnap_id_set_has(const struct ktsnap_id_set *s, uint32_t id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return true;
	return false;
}

void ktsnap_id_set_free(struct ktsnap_id_set *s)
{
	free(s->ids);
	memset(s, 0, sizeof(*s));
}

void ktsnap_namelist_add(struct ktsnap_namelist *l, const char *fmt, ...)
{
	char item[64];
	va_list ap;
	size_t need;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	need = strlen(item) + (l->len ? 2 : 0);
	/* keep room for ", and 4294967295 more" */
	if (l->more || l->len + need + 24 > sizeof(l->s)) {
		l->more++;
		return;
	}
	l->len += snprintf(l->s + l->len, sizeof(l->s) - l->len, "%s%s", l->len ? ", " : "", item);
	l->n++;
}

const char *ktsnap_namelist_str(struct ktsnap_namelist *l)
{
	if (l->more && l->len + 24 <= sizeof(l->s))
		snprintf(l->s + l->len, sizeof(l->s) - l->len, ", and %zu more", l->more);
	return l->s;
}

/* ---- programs ------------------------------------------------------------------------ */
struct prog {
	struct bpf_prog_info info;
	uint32_t *map_ids;
	uint32_t nr_map_ids;
};

/* Info of program @id including its map ids; caller frees p->map_ids. */
static int prog_load(uint32_t id, struct prog *p)
{
	__u32 len = sizeof(p->info), n;
	int fd = bpf_prog_get_fd_by_id(id), err = 0;

	memset(p, 0, sizeof(*p));
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &p->info, &len)) {
		err = -errno;
		goto out;
	}
	n = p->info.nr_map_ids;
	if (n) {
		p->map_ids = calloc(n, sizeof(*p->map_ids));
		if (!p->map_ids) {
			err = -ENOMEM;
			goto out;
		}
		memset(&p->info, 0, sizeof(p->info));
		p->info.nr_map_ids = n;
		p->info.map_ids = (uintptr_t)p->map_ids;
		len = sizeof(p->info);
		if (bpf_obj_get_info_by_fd(fd, &p->info, &len)) {
			err = -errno;
			free(p->map_ids);
			p->map_ids = NULL;
			goto out;
		}
		p->nr_map_ids = p->info.nr_map_ids < n ? p->info.nr_map_ids : n;
	}
out:
	close(fd);
	return err;
}

static int map_name_by_id(uint32_t id, char name[BPF_OBJ_NAME_LEN])
{
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, fo, .open_flags = BPF_F_RDONLY);
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd = bpf_map_get_fd_by_id_opts(id, &fo), err = 0;

	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	else
		memcpy(name, info.name, BPF_OBJ_NAME_LEN);
	close(fd);
	return err;
}

static bool is_global_section(const char *name)
{
	const char *dot = strchr(name, '.');

	if (!dot || dot == name)
		return false;
	return !strcmp(dot, ".bss") || !strcmp(dot, ".data") || !strcmp(dot, ".rodata") ||
	       !strncmp(dot, ".data.", 6) || !strncmp(dot, ".rodata.", 8);
}

/* Object prefix of a program: the text before '.' of a global-section map
 * it uses ("" when it uses none). */
static void prog_obj(const struct prog *p, char obj[BPF_OBJ_NAME_LEN])
{
	char name[BPF_OBJ_NAME_LEN];
	uint32_t i;

	obj[0] = '\0';
	for (i = 0; i < p->nr_map_ids; i++) {
		if (map_name_by_id(p->map_ids[i], name))
			continue;
		name[BPF_OBJ_NAME_LEN - 1] = '\0';
		if (is_global_section(name)) {
			size_t n = strcspn(name, ".");

			memcpy(obj, name, n);
			obj[n] = '\0';
			return;
		}
	}
}

typedef int (*prog_visit_fn)(const struct prog *p, void *ctx);

static int for_each_prog(prog_visit_fn fn, void *ctx)
{
	__u32 id = 0;
	int err;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct prog p;

		if (prog_load(id, &p))
			continue; /* raced away or not accessible */
		err = fn(&p, ctx);
		free(p.map_ids);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

/*
 * Does global-section map @name belong to an object called @obj?  libbpf
 * names them "<obj><suffix>" with the object name cut so the whole fits
 * BPF_OBJ_NAME_LEN: it keeps 15 - max(7, strlen(suffix)) characters
 * ("ticker_bpf" → "ticker_b.bss").  Both the full name and the cut one
 * match.
 */
static bool obj_name_matches(const char *name, const char *obj)
{
	const char *dot = strchr(name, '.');
	size_t plen, olen = strlen(obj), slen, keep;

	if (!dot)
		return false;
	plen = (size_t)(dot - name);
	slen = strlen(dot);
	if (plen > olen || strncmp(name, obj, plen))
		return false;
	if (plen == olen)
		return true;
	keep = BPF_OBJ_NAME_LEN - 1 - (slen > 7 ? slen : 7);
	return plen == keep;
}

bool ktsnap_map_is_global_section(const char *name)
{
	return is_global_section(name);
}

bool ktsnap_map_obj_matches(const char *name, const char *obj)
{
	return obj_name_matches(name, obj);
}

struct map_brief {
	uint32_t id;
	uint32_t btf_id;
	char name[BPF_OBJ_NAME_LEN];
};

/* Every loaded map's id, BTF id and name (maps that vanish are skipped). */
int ktsnap_maps_walk(bool rdonly, ktsnap_map_visit_fn fn, void *ctx)
{
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, fo, .open_flags = rdonly ? BPF_F_RDONLY : 0);
	__u32 id = 0;
	int err;

	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int fd = bpf_map_get_fd_by_id_opts(id, &fo);

		if (fd < 0)
			continue; /* freed since the id walk saw it */
		memset(&info, 0, sizeof(info));
		err = bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : fn(fd, &info, ctx);
		close(fd);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

struct map_list {
	struct map_brief *v;
	size_t n, cap;
};

static int add_brief(int fd, struct bpf_map_info *info, void *ctx)
{
	struct map_list *l = ctx;

	if (KTSNAP_ENSURE(l->v, l->cap, l->n + 1))
		return -ENOMEM;
	l->v[l->n].id = info->id;
	l->v[l->n].btf_id = info->btf_id;
	memcpy(l->v[l->n].name, info->name, BPF_OBJ_NAME_LEN);
	l->v[l->n].name[BPF_OBJ_NAME_LEN - 1] = '\0';
	l->n++;
	return 0;
}

static int list_maps(struct map_brief **out, size_t *nr)
{
	struct map_list l = { 0 };
	int err = ktsnap_maps_walk(true, add_brief, &l);

	if (err) {
		free(l.v);
		return err;
	}
	*out = l.v;
	*nr = l.n;
	return 0;
}

struct obj_ctx {
	const struct ktsnap_id_set *btfs;
	struct ktsnap_id_set *maps;
	struct ktsnap_id_set *progs;
};

static int collect_obj(const struct prog *p, void *vctx)
{
	struct obj_ctx *c = vctx;
	uint32_t i;
	int err;

	if (!p->info.btf_id || !ktsnap_id_set_has(c->btfs, p->info.btf_id))
		return 0;
	for (i = 0; i < p->nr_map_ids; i++)
		if ((err = ktsnap_id_set_add(c->maps, p->map_ids[i])))
			return err;
	return ktsnap_id_set_add(c->progs, p->info.id);
}

int ktsnap_obj_ids(const char *obj, struct ktsnap_id_set *maps, struct ktsnap_id_set *progs,
		   struct ktsnap_namelist *known)
{
	struct ktsnap_id_set btfs = {};
	struct obj_ctx c = { .btfs = &btfs, .maps = maps, .progs = progs };
	struct map_brief *v = NULL;
	size_t n = 0, i, j;
	int err;

	if ((err = list_maps(&v, &n)))
		return err;
	/* 1. the object's global sections, by name; each loaded copy has its own BTF */
	for (i = 0; i < n; i++) {
		if (!is_global_section(v[i].name) || ktsnap_map_name_is_harness(v[i].name) ||
		    !obj_name_matches(v[i].name, obj))
			continue;
		if ((err = ktsnap_id_set_add(maps, v[i].id)) ||
		    (v[i].btf_id && (err = ktsnap_id_set_add(&btfs, v[i].btf_id))))
			goto out;
	}
	if (!maps->n) {
		/* what is loaded, named as the user would ask for it */
		for (i = 0; i < n; i++) {
			size_t plen = strcspn(v[i].name, ".");

			if (!is_global_section(v[i].name) || ktsnap_map_name_is_harness(v[i].name))
				continue;
			for (j = 0; j < i; j++)
				if (is_global_section(v[j].name) &&
				    strcspn(v[j].name, ".") == plen &&
				    !strncmp(v[j].name, v[i].name, plen))
					break;
			if (j == i)
				ktsnap_namelist_add(known, "%.*s", (int)plen, v[i].name);
		}
		err = -ENOENT;
		goto out;
	}
	/* 2. everything created with the same BTF object, whatever its name */
	for (i = 0; i < n; i++)
		if (v[i].btf_id && ktsnap_id_set_has(&btfs, v[i].btf_id) &&
		    (err = ktsnap_id_set_add(maps, v[i].id)))
			goto out;
	/* 3. its programs, and the maps they use (maps without BTF included) */
	err = for_each_prog(collect_obj, &c);
out:
	free(v);
	ktsnap_id_set_free(&btfs);
	return err;
}

/* ---- the live scheduler: struct_ops programs ----------------------------------------- */
/*
 * Registered struct_ops maps, by the BTF object they were created with
 * (the same BTF id as their object's programs).  A struct_ops map is
 * registered when a BPF_LINK_TYPE_STRUCT_OPS link holds it, or, without
 * a link, when its state reads BPF_STRUCT_OPS_STATE_INUSE (lookup gives
 * the value with `struct bpf_struct_ops_common_value { refcount_t refcnt;
 * enum bpf_struct_ops_state state; }` first).  The link's struct_ops
 * info and BPF_F_LINK are newer than our UAPI headers: the offsets are
 * the kernel's (bpf_link_info: type, id, prog_id, then the union whose
 * struct_ops member starts with map_id).
 */
#define KT_STRUCT_OPS_STATE_INUSE 1

static int registered_map_btf(uint32_t map_id, struct ktsnap_id_set *btfs)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd = bpf_map_get_fd_by_id(map_id), err = 0;

	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.btf_id)
		err = ktsnap_id_set_add(btfs, info.btf_id);
	close(fd);
	return err;
}

/* A struct_ops map in state INUSE (registered without a link) adds its BTF. */
static int inuse_struct_ops(int fd, struct bpf_map_info *info, void *ctx)
{
	__u32 key = 0, state;
	void *val;
	int err = 0;

	if (info->type != BPF_MAP_TYPE_STRUCT_OPS || info->value_size < 8 || !info->btf_id)
		return 0;
	val = calloc(1, info->value_size);
	if (val && !bpf_map_lookup_elem(fd, &key, val)) {
		memcpy(&state, (char *)val + 4, sizeof(state));
		if (state == KT_STRUCT_OPS_STATE_INUSE)
			err = ktsnap_id_set_add(ctx, info->btf_id);
	}
	free(val);
	return err;
}

static int registered_struct_ops(struct ktsnap_id_set *btfs)
{
	__u32 id = 0;
	int err;

	while (!bpf_link_get_next_id(id, &id)) {
		union {
			struct bpf_link_info info;
			__u32 raw[16];
		} u;
		__u32 len = sizeof(u);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&u, 0, sizeof(u));
		if (!bpf_obj_get_info_by_fd(fd, &u, &len) &&
		    u.info.type == BPF_LINK_TYPE_STRUCT_OPS && len >= 5 * sizeof(__u32) &&
		    (err = registered_map_btf(u.raw[4], btfs))) {
			close(fd);
			return err;
		}
		close(fd);
	}
	return ktsnap_maps_walk(false, inuse_struct_ops, btfs);
}

struct scx_ctx {
	struct ktsnap_report *r;
	struct btf *vmlinux;
	bool vmlinux_tried;
	const struct ktsnap_id_set *obj_progs; /* also report these programs */
	struct ktsnap_prog_runtime_stat *stats;
	size_t nr, cap;
	struct ktsnap_id_set kvas;
	char active_obj[BPF_OBJ_NAME_LEN];
	int nr_scx_progs;
	struct ktsnap_id_set registered_btfs; /* registered struct_ops maps' BTF ids */
};

static bool prog_is_sched_ext(const struct prog *p, struct scx_ctx *c)
{
	const struct btf_type *t;

	if (p->info.type != BPF_PROG_TYPE_STRUCT_OPS || p->info.attach_btf_obj_id)
		return false;
	/* Parsing vmlinux BTF costs milliseconds: only when a struct_ops
	 * program is actually loaded. */
	if (!c->vmlinux_tried) {
		c->vmlinux_tried = true;
		c->vmlinux = btf__load_vmlinux_btf();
	}
	if (!c->vmlinux)
		return false;
	t = btf__type_by_id(c->vmlinux, p->info.attach_btf_id);
	return t && !strcmp(btf__name_by_offset(c->vmlinux, t->name_off), "sched_ext_ops");
}

static int add_stat(struct scx_ctx *c, const struct prog *p)
{
	struct ktsnap_prog_runtime_stat *s;

	if (KTSNAP_ENSURE(c->stats, c->cap, c->nr + 1))
		return -ENOMEM;
	s = &c->stats[c->nr++];
	s->name = ktsnap_arena_strndup(&c->r->arena, p->info.name,
				       strnlen(p->info.name, sizeof(p->info.name)));
	s->cnt = p->info.run_cnt;
	s->nsecs = p->info.run_time_ns;
	s->misses = p->info.recursion_misses;
	s->verified_insns = p->info.verified_insns;
	return s->name ? 0 : -ENOMEM;
}

static int visit_scx(const struct prog *p, void *vctx)
{
	struct scx_ctx *c = vctx;
	char obj[BPF_OBJ_NAME_LEN];
	uint32_t i;
	int err;

	if (prog_is_sched_ext(p, c) ||
	    (p->info.type == BPF_PROG_TYPE_STRUCT_OPS && p->info.btf_id &&
	     ktsnap_id_set_has(&c->registered_btfs, p->info.btf_id))) {
		c->nr_scx_progs++;
		prog_obj(p, obj);
		if (obj[0] && !c->active_obj[0])
			memcpy(c->active_obj, obj, sizeof(obj));
		for (i = 0; i < p->nr_map_ids; i++)
			if ((err = ktsnap_id_set_add(&c->kvas, p->map_ids[i])))
				return err;
		return add_stat(c, p);
	}
	if (c->obj_progs && ktsnap_id_set_has(c->obj_progs, p->info.id))
		return add_stat(c, p);
	return 0;
}

static char *read_small_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		/* no proc file we read is 64 MiB large */
		if (n + 4096 + 1 > 64 << 20 || KTSNAP_ENSURE(buf, cap, n + 4096 + 1))
			break;
		got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static int walk_scheduler(struct ktsnap_report *r, const struct ktsnap_id_set *obj_progs)
{
	struct scx_ctx c = { .r = r, .obj_progs = obj_progs };
	char *state;
	size_t i;
	int err;

	/* sched_ext's programs, and those of any registered struct_ops map
	 * (another kind of struct_ops, e.g. tcp_congestion_ops, where the
	 * kernel has no sched_ext): see §6.3's ktsnap note */
	if ((err = registered_struct_ops(&c.registered_btfs)))
		goto out;
	err = for_each_prog(visit_scx, &c);
	btf__free(c.vmlinux);
	if (err && err != -EPERM)
		goto out;
	err = 0;

	if (c.nr) {
		r->prog_runtime_stats =
			ktsnap_arena_memdup(&r->arena, c.stats, c.nr * sizeof(*c.stats));
		if (!r->prog_runtime_stats) {
			err = -ENOMEM;
			goto out;
		}
		r->nr_prog_runtime_stats = c.nr;
	} else {
		r->prog_runtime_stats_unavailable = "no struct_ops programs loaded";
	}
	if (c.nr_scx_progs && c.active_obj[0]) {
		r->active_obj_name = ktsnap_arena_strdup(&r->arena, c.active_obj);
		r->active_map_kvas = ktsnap_arena_alloc(&r->arena, c.kvas.n * sizeof(uint64_t));
		if (!r->active_obj_name || (c.kvas.n && !r->active_map_kvas)) {
			err = -ENOMEM;
			goto out;
		}
		for (i = 0; i < c.kvas.n; i++)
			r->active_map_kvas[i] = c.kvas.ids[i];
		r->nr_active_map_kvas = c.kvas.n;
	}

	/* rq / DSQ / scx_sched state need kernel memory; say why they are empty */
	state = read_small_file("/sys/kernel/sched_ext/state", NULL);
	if (!state)
		r->scx_walker_unavailable =
			"sched_ext is not enabled in this kernel (/sys/kernel/sched_ext/state missing)";
	else if (!strncmp(state, "disabled", 8))
		r->scx_walker_unavailable = "scx_root is NULL (no scheduler attached)";
	else
		r->scx_walker_unavailable =
			"live host: rq/DSQ/scx_sched state needs kernel memory access (no /proc/kcore walker)";
	free(state);
out:
	free(c.stats);
	ktsnap_id_set_free(&c.kvas);
	ktsnap_id_set_free(&c.registered_btfs);
	return err;
}

/* ---- /proc/stat, /proc/softirqs, /proc/interrupts ----------------------------------------- */

/* Column of each "CPUn" header token in /proc/softirqs or /proc/interrupts. */
static int parse_cpu_header(const char *line, int *cols, int max)
{
	int n = 0;
	const char *p = line;

	while (*p && n < max) {
		while (*p == ' ')
			p++;
		if (strncmp(p, "CPU", 3))
			break;
		cols[n++] = atoi(p + 3);
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	return n;
}

typedef void (*cpu_cell_fn)(struct ktsnap_per_cpu_time *row, int table_row,
			    unsigned long long value);

static void add_softirq(struct ktsnap_per_cpu_time *row, int table_row, unsigned long long v)
{
	if (table_row < KTSNAP_NR_SOFTIRQS)
		row->softirqs[table_row] = v;
}

static void add_irq(struct ktsnap_per_cpu_time *row, int table_row, unsigned long long v)
{
	row->irqs_sum += v;
}

/*
 * /proc/softirqs and /proc/interrupts: a "CPU0 CPU1 …" header, then rows
 * "NAME: v0 v1 …".  Calls @fn for each cell whose CPU has a row in @rows.
 * Rows with fewer cells (ERR:, MIS:) stop at their last number.
 */
static void cpu_table_walk(const char *path, cpu_cell_fn fn, struct ktsnap_per_cpu_time *rows,
			   size_t nrows)
{
	char *text = read_small_file(path, NULL), *line, *save = NULL;
	int cols[1024], ncols = 0, table_row = 0;

	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strchr(line, ':');
		int c;

		if (!ncols) {
			ncols = parse_cpu_header(line, cols, 1024);
			continue;
		}
		if (!p)
			continue;
		p++;
		for (c = 0; c < ncols; c++) {
			char *end;
			unsigned long long x = strtoull(p, &end, 10);
			size_t i;

			if (end == p)
				break;
			p = end;
			for (i = 0; i < nrows; i++)
				if ((int)rows[i].cpu == cols[c])
					fn(&rows[i], table_row, x);
		}
		table_row++;
	}
	free(text);
}

static int walk_cpu_time(struct ktsnap_report *r)
{
	char *stat = read_small_file("/proc/stat", NULL), *line, *save = NULL;
	struct ktsnap_per_cpu_time *rows = NULL;
	size_t nrows = 0, cap = 0;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t ns_per_tick = hz > 0 ? 1000000000ULL / hz : 10000000ULL;
	int err = 0;

	if (!stat)
		return 0; /* no /proc: the list stays empty */
	for (line = strtok_r(stat, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long v[8] = {};
		int cpu;

		if (strncmp(line, "cpu", 3) || !isdigit((unsigned char)line[3]))
			continue;
		if (sscanf(line + 3, "%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 9)
			continue;
		if ((err = KTSNAP_ENSURE(rows, cap, nrows + 1)))
			goto out;
		rows[nrows] = (struct ktsnap_per_cpu_time){
			.cpu = cpu,
			.cpustat_user_ns = v[0] * ns_per_tick,
			.cpustat_nice_ns = v[1] * ns_per_tick,
			.cpustat_system_ns = v[2] * ns_per_tick,
			.cpustat_idle_ns = v[3] * ns_per_tick,
			.cpustat_iowait_ns = v[4] * ns_per_tick,
			.cpustat_irq_ns = v[5] * ns_per_tick,
			.cpustat_softirq_ns = v[6] * ns_per_tick,
			.cpustat_steal_ns = v[7] * ns_per_tick,
		};
		nrows++;
	}

	/* softirqs: one row per softirq; interrupts: summed over rows */
	cpu_table_walk("/proc/softirqs", add_softirq, rows, nrows);
	cpu_table_walk("/proc/interrupts", add_irq, rows, nrows);
	if (nrows) {
		r->per_cpu_time = ktsnap_arena_memdup(&r->arena, rows, nrows * sizeof(*rows));
		if (!r->per_cpu_time) {
			err = -ENOMEM;
			goto out;
		}
		r->nr_per_cpu_time = nrows;
	}
out:
	free(stat);
	free(rows);
	return err;
}

/* ---- NUMA ------------------------------------------------------------------------------ */
static int walk_numa(struct ktsnap_report *r)
{
	DIR *d = opendir("/sys/devices/system/node");
	struct ktsnap_per_node_numa *rows = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int err = 0;

	if (!d) {
		r->per_node_numa_unavailable = "no /sys/devices/system/node on this host";
		return 0;
	}
	while ((de = readdir(d))) {
		char path[PATH_MAX], *buf, *line, *save = NULL;
		struct ktsnap_per_node_numa row = {};

		if (strncmp(de->d_name, "node", 4) || !isdigit((unsigned char)de->d_name[4]))
			continue;
		row.node = atoi(de->d_name + 4);
		snprintf(path, sizeof(path), "/sys/devices/system/node/%s/numastat", de->d_name);
		buf = read_small_file(path, NULL);
		if (!buf)
			continue;
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char key[64];
			unsigned long long v;

			if (sscanf(line, "%63s %llu", key, &v) != 2)
				continue;
			if (!strcmp(key, "numa_hit"))
				row.numa_hit = v;
			else if (!strcmp(key, "numa_miss"))
				row.numa_miss = v;
			else if (!strcmp(key, "numa_foreign"))
				row.numa_foreign = v;
			else if (!strcmp(key, "interleave_hit"))
				row.numa_interleave_hit = v;
			else if (!strcmp(key, "local_node"))
				row.numa_local = v;
			else if (!strcmp(key, "other_node"))
				row.numa_other = v;
		}
		free(buf);
		if ((err = KTSNAP_ENSURE(rows, cap, n + 1)))
			break;
		rows[n++] = row;
	}
	closedir(d);
	if (!err && n) {
		size_t i, j;

		/* readdir order is arbitrary: sort by node id */
		for (i = 1; i < n; i++)
			for (j = i; j > 0 && rows[j - 1].node > rows[j].node; j--) {
				struct ktsnap_per_node_numa t = rows[j];

				rows[j] = rows[j - 1];
				rows[j - 1] = t;
			}
		r->per_node_numa = ktsnap_arena_memdup(&r->arena, rows, n * sizeof(*rows));
		if (!r->per_node_numa)
			err = -ENOMEM;
		else
			r->nr_per_node_numa = n;
	} else if (!err) {
		r->per_node_numa_unavailable = "no NUMA node has a numastat file";
	}
	free(rows);
	return err;
}

/* ---- cgroups: PSI and task enrichment ------------------------------------------------------ */
static const char *cgroup2_root(void)
{
	static const char *const cands[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", cands[i]);
		if (!access(path, F_OK))
			return cands[i];
	}
	return NULL;
}

static void cgroup_dir(const char *root, const char *cg, char *out, size_t size)
{
	if (cg[0] == '/' && root && !strncmp(cg, root, strlen(root)))
		snprintf(out, size, "%s", cg);
	else
		snprintf(out, size, "%s/%s", root ? root : "", cg[0] == '/' ? cg + 1 : cg);
}

int ktsnap_cgroup_check(const char *cg, char *dir, size_t size)
{
	const char *root = cgroup2_root();
	struct stat st;

	if (!root) {
		snprintf(dir, size, "no cgroup2 file system is mounted");
		return -ENOENT;
	}
	cgroup_dir(root, cg, dir, size);
	if (stat(dir, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static int walk_psi(struct ktsnap_report *r, const char *root, const char *cg,
		    struct ktsnap_cgroup_psi **rows, size_t *n, size_t *cap)
{
	static const char *const res[] = { "cpu", "memory", "io", "irq" };
	char dir[PATH_MAX], path[PATH_MAX + 32];
	size_t i;

	cgroup_dir(root, cg, dir, sizeof(dir));
	for (i = 0; i < 4; i++) {
		struct ktsnap_cgroup_psi row = {};
		char *buf, *line, *save = NULL;

		snprintf(path, sizeof(path), "%s/%s.pressure", dir, res[i]);
		buf = read_small_file(path, NULL);
		if (!buf)
			continue;
		row.cgroup = ktsnap_arena_strdup(&r->arena, cg);
		row.resource = res[i];
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			double a10, a60, a300;
			unsigned long long tot;

			if (sscanf(line + 5, "avg10=%lf avg60=%lf avg300=%lf total=%llu", &a10,
				   &a60, &a300, &tot) != 4)
				continue;
			if (!strncmp(line, "some ", 5)) {
				row.some_avg10 = a10;
				row.some_avg60 = a60;
				row.some_avg300 = a300;
				row.some_total_us = tot;
			} else if (!strncmp(line, "full ", 5)) {
				row.has_full = true;
				row.full_avg10 = a10;
				row.full_avg60 = a60;
				row.full_avg300 = a300;
				row.full_total_us = tot;
			}
		}
		free(buf);
		if (!row.cgroup || KTSNAP_ENSURE(*rows, *cap, *n + 1))
			return -ENOMEM;
		(*rows)[(*n)++] = row;
	}
	return 0;
}

/* Fields 3.. of /proc/<pid>/stat after the ")" of comm. */
static int enrich_task(struct ktsnap_report *r, int pid, const char *cg,
		       struct ktsnap_task_enrichment *t)
{
	char path[64], *buf, *p, *line, *save = NULL;
	char state[2] = "?";
	long long f[40] = {};
	int i;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->cgroup = cg;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	buf = read_small_file(path, NULL);
	if (!buf)
		return -ENOENT;
	p = strrchr(buf, ')');
	if (p) {
		char *open = strchr(buf, '(');

		if (open && open < p)
			t->comm = ktsnap_arena_strndup(&r->arena, open + 1, p - open - 1);
		p += 2;
		state[0] = *p;
		p += 1;
		/* f[i] = field i+4 (1-based /proc/<pid>/stat numbering) */
		for (i = 0; i < 40 && *p; i++)
			f[i] = strtoll(p, &p, 10);
		t->prio = (int32_t)f[14]; /* field 18 */
		t->nice = (int32_t)f[15]; /* field 19 */
		t->cpu = (int32_t)f[35]; /* field 39 */
		t->policy = (uint32_t)f[37]; /* field 41 */
	}
	free(buf);
	t->state = ktsnap_arena_strdup(&r->arena, state);

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	buf = read_small_file(path, NULL);
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long v;

		if (sscanf(line, "Tgid: %llu", &v) == 1)
			t->tgid = (int32_t)v;
		else if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1)
			t->nr_voluntary_switches = v;
		else if (sscanf(line, "nonvoluntary_ctxt_switches: %llu", &v) == 1)
			t->nr_involuntary_switches = v;
	}
	free(buf);

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	buf = read_small_file(path, NULL);
	if (buf) {
		t->sum_exec_runtime_ns = strtoull(buf, NULL, 10);
		free(buf);
	}
	return t->comm && t->state ? 0 : -ENOMEM;
}

static int walk_cgroups(struct ktsnap_report *r, const struct ktsnap_capture_opts *opts)
{
	const char *root = cgroup2_root();
	struct ktsnap_cgroup_psi *psi = NULL;
	struct ktsnap_task_enrichment *tasks = NULL;
	size_t npsi = 0, cpsi = 0, ntask = 0, ctask = 0, i;
	int err = 0;

	if (!opts->nr_cgroups) {
		r->task_enrichments_unavailable =
			"no task walker on a live host without cgroups to enrich (capture opts .cgroups)";
		return 0;
	}
	for (i = 0; i < opts->nr_cgroups && !err; i++) {
		char dir[PATH_MAX], path[PATH_MAX + 16], *buf, *line, *save = NULL;
		const char *cg = ktsnap_arena_strdup(&r->arena, opts->cgroups[i]);

		if (!cg)
			return -ENOMEM;
		if ((err = walk_psi(r, root, cg, &psi, &npsi, &cpsi)))
			break;
		cgroup_dir(root, cg, dir, sizeof(dir));
		snprintf(path, sizeof(path), "%s/cgroup.threads", dir);
		buf = read_small_file(path, NULL);
		for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			struct ktsnap_task_enrichment t;
			int e;

			if ((e = enrich_task(r, atoi(line), cg, &t))) {
				if (e == -ENOMEM)
					err = e;
				continue; /* exited meanwhile */
			}
			if ((err = KTSNAP_ENSURE(tasks, ctask, ntask + 1)))
				break;
			tasks[ntask++] = t;
		}
		free(buf);
	}
	if (!err && npsi) {
		r->cgroup_psi = ktsnap_arena_memdup(&r->arena, psi, npsi * sizeof(*psi));
		r->nr_cgroup_psi = r->cgroup_psi ? npsi : 0;
		if (!r->cgroup_psi)
			err = -ENOMEM;
	}
	if (!err && ntask) {
		r->task_enrichments = ktsnap_arena_memdup(&r->arena, tasks, ntask * sizeof(*tasks));
		r->nr_task_enrichments = r->task_enrichments ? ntask : 0;
		if (!r->task_enrichments)
			err = -ENOMEM;
	} else if (!err) {
		r->task_enrichments_unavailable = "task walker yielded zero tasks";
	}
	free(psi);
	free(tasks);
	return err;
}

int ktsnap_capture_walkers(struct ktsnap_report *r, const struct ktsnap_capture_opts *opts,
			   const struct ktsnap_id_set *obj_progs)
{
	int err;

	r->sdt_alloc_unavailable = "live host: sdt_alloc allocators are not walked";
	if ((err = walk_scheduler(r, obj_progs)))
		return err;
	if (opts->maps_only) {
		r->per_node_numa_unavailable = "not walked (capture opts .maps_only)";
		r->task_enrichments_unavailable = "not walked (capture opts .maps_only)";
		return 0;
	}
	if ((err = walk_cpu_time(r)) || (err = walk_numa(r)))
		return err;
	return walk_cgroups(r, opts);
}
