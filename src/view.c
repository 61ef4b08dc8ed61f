// SPDX-License-Identifier: MIT
/*
 * SnapshotMap and SnapshotEntry (spec §6.5-§6.7): map views with their CPU
 * narrowing, entry lookup (at/find/filter/max_by), the value and key sides
 * of an entry, and the per-CPU aggregators over un-narrowed entries.
 *
 * A big entry map nobody rendered yet (KTSNAP_LAZY_WALK_MIN) is not
 * rendered whole for a lookup: find/filter/max_by render each entry into
 * a scratch arena for the callback and drop it after, and only the
 * entries they return (and at()'s) are rendered for good, one by one
 * (ktsnap_map_entry_rendered).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "view_internal.h"
#include "render_internal.h"

static struct ktsnap_field field_missing(const struct ktsnap_error *err)
{
	return (struct ktsnap_field){ .kind = KTSNAP_FIELD_MISSING, .err = *err };
}

static struct ktsnap_entry entry_missing(const struct ktsnap_error *err)
{
	return (struct ktsnap_entry){ .kind = KTSNAP_ENTRY_MISSING, .err = *err };
}

/* ---- SnapshotMap ------------------------------------------------------------------------------ */
bool ktsnap_map_view__is_ok(struct ktsnap_map_view m)
{
	return m.map != NULL;
}

const struct ktsnap_error *ktsnap_map_view__error(const struct ktsnap_map_view *m)
{
	return m && !m->map ? &m->err : NULL;
}

const char *ktsnap_map_view__name(struct ktsnap_map_view m)
{
	return m.map ? m.map->name : NULL;
}

const struct ktsnap_map *ktsnap_map_view__raw(struct ktsnap_map_view m)
{
	return m.map;
}

const char *ktsnap_map_view__map_error(struct ktsnap_map_view m)
{
	return m.map ? m.map->error : NULL;
}

const struct ktsnap_ringbuf_info *ktsnap_map_view__ringbuf(struct ktsnap_map_view m)
{
	return m.map ? m.map->ringbuf : NULL;
}

const struct ktsnap_fd_array_info *ktsnap_map_view__fd_array(struct ktsnap_map_view m)
{
	return m.map ? m.map->fd_array : NULL;
}

const struct ktsnap_stack_trace_info *ktsnap_map_view__stack_trace(struct ktsnap_map_view m)
{
	return m.map ? m.map->stack_trace : NULL;
}

/* A big entry map not rendered yet: lookups need not render it whole. */
static bool walk_lazily(const struct ktsnap_map *m)
{
	return ktsnap_is_entry_layout(m->layout) && m->nr_entries >= KTSNAP_LAZY_WALK_MIN &&
	       !ktsnap_map_is_rendered(m);
}

size_t ktsnap_map_view__len(struct ktsnap_map_view m)
{
	if (!m.map)
		return 0;
	if (!walk_lazily(m.map))
		ktsnap_map_ensure_rendered(m.map);
	return ktsnap_entry_source_len(m.map, ktsnap_entry_source(m.map));
}

struct ktsnap_map_view ktsnap_map_view__cpu(struct ktsnap_map_view m, uint32_t cpu)
{
	m.narrowed = true;
	m.cpu = cpu;
	return m;
}

/* Entry @i of the list @src, resolved through the narrowing (§6.5); @e
 * is the map's entry @i or a rendered copy of it (entry lists only). */
static void resolve_entry(const struct ktsnap_map_view *mv, enum ktsnap_entry_source src,
			  uint32_t i, const struct ktsnap_map_entry *e, struct ktsnap_entry *out)
{
	const struct ktsnap_map *m = mv->map;
	const struct ktsnap_value *slot;
	uint32_t len;

	out->index = i;
	out->map = m;
	out->value = NULL;
	out->raw = NULL;
	out->err.kind = KTSNAP_ERR_NONE;
	switch (src) {
	case SRC_VALUE:
		out->kind = KTSNAP_ENTRY_VALUE;
		out->value = m->value;
		return;
	case SRC_HASH:
		out->kind = KTSNAP_ENTRY_HASH;
		out->raw = e;
		return;
	case SRC_ARRAY:
		out->kind = KTSNAP_ENTRY_ARRAY;
		out->raw = e;
		return;
	case SRC_PERCPU:
	case SRC_PERCPU_HASH:
		out->raw = e;
		if (!mv->narrowed) {
			out->kind =
				src == SRC_PERCPU ? KTSNAP_ENTRY_PERCPU : KTSNAP_ENTRY_PERCPU_HASH;
			return;
		}
		len = e->nr_cpus ? e->nr_cpus : m->nr_cpus;
		slot = e->per_cpu && mv->cpu < e->nr_cpus ? e->per_cpu[mv->cpu] : NULL;
		if (mv->cpu >= len || !slot) {
			out->kind = KTSNAP_ENTRY_MISSING;
			ktsnap_err_init(&out->err, KTSNAP_ERR_PER_CPU_SLOT);
			out->err.u.per_cpu_slot.map = m->name;
			out->err.u.per_cpu_slot.cpu = mv->cpu;
			out->err.u.per_cpu_slot.len = len;
			out->err.u.per_cpu_slot.unmapped = mv->cpu < len;
			return;
		}
		out->kind = KTSNAP_ENTRY_VALUE;
		out->value = slot;
		return;
	default:
		out->kind = KTSNAP_ENTRY_MISSING;
		return;
	}
}

static void resolve(const struct ktsnap_map_view *mv, enum ktsnap_entry_source src, uint32_t i,
		    struct ktsnap_entry *out)
{
	resolve_entry(mv, src, i, i < mv->map->nr_entries ? &mv->map->entries[i] : NULL, out);
}

/*
 * One pass of find/filter/max_by over the entries of a map view: entries
 * for the callback (walk_entry: on a lazily walked map rendered into the
 * scratch arena, valid until the next walk_entry or walk_end) and entries
 * to hand back (walk_result: valid as long as the map's trees).
 */
struct walk {
	const struct ktsnap_map_view *mv;
	enum ktsnap_entry_source src;
	size_t len;
	bool lazy;
	struct ktsnap_arena scratch;
	struct ktsnap_map_entry copy;
};

static void walk_begin(struct walk *w, const struct ktsnap_map_view *mv)
{
	w->mv = mv;
	w->lazy = walk_lazily(mv->map);
	if (!w->lazy)
		ktsnap_map_ensure_rendered(mv->map);
	w->src = ktsnap_entry_source(mv->map);
	w->len = ktsnap_entry_source_len(mv->map, w->src);
	ktsnap_arena_init(&w->scratch);
}

static void walk_entry(struct walk *w, uint32_t i, struct ktsnap_entry *out)
{
	const struct ktsnap_map *m = w->mv->map;

	/* rendered meanwhile (another thread, or past the picks budget) */
	if (w->lazy && ktsnap_map_is_rendered(m))
		w->lazy = false;
	if (w->lazy) {
		ktsnap_arena_reset(&w->scratch);
		w->copy = ktsnap_entry_bytes(&m->entries[i]);
		if (!ktsnap_render_entry(m, &w->copy, &w->scratch)) {
			resolve_entry(w->mv, w->src, i, &w->copy, out);
			return;
		}
		/* out of memory: the whole map, as without the scratch */
		w->lazy = false;
		ktsnap_map_ensure_rendered(m);
	}
	resolve(w->mv, w->src, i, out);
}

static void walk_result(const struct walk *w, uint32_t i, struct ktsnap_entry *out)
{
	if (w->lazy)
		resolve_entry(w->mv, w->src, i, ktsnap_map_entry_rendered(w->mv->map, i), out);
	else
		resolve(w->mv, w->src, i, out);
}

static void walk_end(struct walk *w)
{
	ktsnap_arena_release(&w->scratch);
}

struct ktsnap_entry ktsnap_map_view__at(struct ktsnap_map_view m, size_t n)
{
	struct ktsnap_entry e = { .kind = KTSNAP_ENTRY_MISSING };
	struct walk w;

	if (!m.map)
		return entry_missing(&m.err);
	walk_begin(&w, &m);
	e.map = m.map;
	if (n < w.len)
		walk_result(&w, (uint32_t)n, &e);
	else if (!w.len && m.map->error)
		ktsnap_err_render_incomplete(&e.err, m.map);
	else
		ktsnap_err_index_out_of_range(&e.err, m.map->name, n, w.len);
	walk_end(&w);
	return e;
}

/* NoMatch / MapRenderIncomplete after @op walked @len entries. */
static struct ktsnap_entry no_match(const struct ktsnap_map_view *m, enum ktsnap_entry_source src,
				    size_t len, const char *op)
{
	struct ktsnap_entry e = { .kind = KTSNAP_ENTRY_MISSING, .map = m->map };
	bool keyed;

	if (!len && m->map->error) {
		ktsnap_err_render_incomplete(&e.err, m->map);
		return e;
	}
	ktsnap_err_init(&e.err, KTSNAP_ERR_NO_MATCH);
	e.err.u.no_match.map = m->map->name;
	e.err.u.no_match.op = op;
	e.err.u.no_match.len = len;
	/* narrowed per-CPU entries resolve to values, which carry no key */
	keyed = src == SRC_HASH || src == SRC_ARRAY ||
		((src == SRC_PERCPU || src == SRC_PERCPU_HASH) && !m->narrowed);
	e.err.u.no_match.nr_keys = keyed ? (len < 3 ? (uint32_t)len : 3) : 0;
	e.err.u.no_match.keys_of = m->map;
	return e;
}

struct ktsnap_entry ktsnap_map_view__find(struct ktsnap_map_view m, ktsnap_entry_pred_fn pred,
					  void *ctx)
{
	struct ktsnap_entry e;
	struct walk w;
	size_t i;

	if (!m.map)
		return entry_missing(&m.err);
	walk_begin(&w, &m);
	for (i = 0; i < w.len; i++) {
		walk_entry(&w, (uint32_t)i, &e);
		if (pred && pred(&e, ctx)) {
			walk_result(&w, (uint32_t)i, &e);
			walk_end(&w);
			return e;
		}
	}
	walk_end(&w);
	return no_match(&m, w.src, w.len, "find");
}

size_t ktsnap_map_view__filter(struct ktsnap_map_view m, ktsnap_entry_pred_fn pred, void *ctx,
			       struct ktsnap_entry *out, size_t cap)
{
	struct ktsnap_entry e;
	struct walk w;
	size_t i, n = 0;

	if (!m.map)
		return 0;
	walk_begin(&w, &m);
	for (i = 0; i < w.len; i++) {
		walk_entry(&w, (uint32_t)i, &e);
		if (pred && !pred(&e, ctx))
			continue;
		if (n < cap && out)
			walk_result(&w, (uint32_t)i, &out[n]);
		n++;
	}
	walk_end(&w);
	return n;
}

struct ktsnap_entry ktsnap_map_view__max_by(struct ktsnap_map_view m, ktsnap_entry_key_fn key,
					    void *ctx)
{
	struct ktsnap_entry e;
	uint64_t best = 0, k;
	size_t i, best_i = 0;
	struct walk w;

	if (!m.map)
		return entry_missing(&m.err);
	walk_begin(&w, &m);
	if (!w.len) {
		walk_end(&w);
		return no_match(&m, w.src, 0, "max_by");
	}
	for (i = 0; i < w.len; i++) {
		walk_entry(&w, (uint32_t)i, &e);
		k = key ? key(&e, ctx) : 0;
		if (!i || k > best) {
			best = k;
			best_i = i;
		}
	}
	walk_result(&w, (uint32_t)best_i, &e);
	walk_end(&w);
	return e;
}

/* ---- SnapshotEntry -------------------------------------------------------------------------------- */
bool ktsnap_entry__is_present(struct ktsnap_entry e)
{
	return e.kind != KTSNAP_ENTRY_MISSING;
}

const struct ktsnap_error *ktsnap_entry__error(const struct ktsnap_entry *e)
{
	return e && e->kind == KTSNAP_ENTRY_MISSING ? &e->err : NULL;
}

const struct ktsnap_value *ktsnap_entry__value(struct ktsnap_entry e)
{
	switch (e.kind) {
	case KTSNAP_ENTRY_HASH:
	case KTSNAP_ENTRY_ARRAY:
		return e.raw->val_rv;
	case KTSNAP_ENTRY_VALUE:
		return e.value;
	default:
		return NULL;
	}
}

static struct ktsnap_field not_narrowed(const char *map)
{
	struct ktsnap_field f = { .kind = KTSNAP_FIELD_MISSING };

	ktsnap_err_init(&f.err, KTSNAP_ERR_PER_CPU_NOT_NARROWED);
	f.err.u.per_cpu_not_narrowed.map = map;
	return f;
}

/*
 * "per_cpu[n]" (the path diff prints for per-CPU entries) at the start of
 * @path on an un-narrowed per-CPU entry: narrow it to slot n; *rest is
 * what follows.  False when @path does not start that way.
 */
static bool per_cpu_prefix(const struct ktsnap_entry *e, const char *path,
			   struct ktsnap_entry *slot, const char **rest)
{
	static const char head[] = "per_cpu";
	const char *end, *p = path + sizeof(head) - 1;
	struct ktsnap_map_view mv = { .map = e->map, .narrowed = true };
	uint64_t cpu;

	if (!e->map || !path || strncmp(path, head, sizeof(head) - 1))
		return false;
	end = strchr(path, '.');
	end = end ? end : path + strlen(path);
	if (ktsnap_path_name_len(path, (size_t)(end - path)) != sizeof(head) - 1 ||
	    !ktsnap_path_next_index(&p, end, &cpu) || p != end)
		return false;
	mv.cpu = cpu > UINT32_MAX ? UINT32_MAX : (uint32_t)cpu;
	/* e->raw: a callback's entry may be a scratch copy of the map's */
	resolve_entry(&mv, e->kind == KTSNAP_ENTRY_PERCPU ? SRC_PERCPU : SRC_PERCPU_HASH, e->index,
		      e->raw, slot);
	*rest = *end ? end + 1 : end;
	return true;
}

struct ktsnap_field ktsnap_entry__get(struct ktsnap_entry e, const char *path)
{
	struct ktsnap_entry slot;
	const char *rest;

	struct ktsnap_field f;

	if ((e.kind == KTSNAP_ENTRY_PERCPU || e.kind == KTSNAP_ENTRY_PERCPU_HASH) &&
	    per_cpu_prefix(&e, path, &slot, &rest)) {
		f = ktsnap_entry__get(slot, rest);
		/* path errors name the path as given, "per_cpu[n]" included */
		if (f.kind == KTSNAP_FIELD_MISSING && slot.kind != KTSNAP_ENTRY_MISSING)
			ktsnap_err_rebase_path(&f.err, path, (size_t)(rest - path));
		return f;
	}
	switch (e.kind) {
	case KTSNAP_ENTRY_HASH:
	case KTSNAP_ENTRY_ARRAY:
		if (!e.raw->val_rv)
			return ktsnap_field_no_rendered("value");
		return ktsnap_field_walk(e.raw->val_rv, path);
	case KTSNAP_ENTRY_PERCPU:
		return not_narrowed("<percpu-array>");
	case KTSNAP_ENTRY_PERCPU_HASH:
		return not_narrowed("<percpu-hash>");
	case KTSNAP_ENTRY_VALUE:
		if (!e.value)
			return ktsnap_field_no_rendered("value");
		return ktsnap_field_walk(e.value, path);
	default:
		return field_missing(&e.err);
	}
}

struct ktsnap_field ktsnap_entry__key(struct ktsnap_entry e, const char *path)
{
	struct ktsnap_field f = { .kind = KTSNAP_FIELD_MISSING };

	path = path ? path : "";
	switch (e.kind) {
	case KTSNAP_ENTRY_HASH:
	case KTSNAP_ENTRY_PERCPU_HASH:
		if (!e.raw->key_rv)
			return ktsnap_field_no_rendered("key");
		return ktsnap_field_walk(e.raw->key_rv, path);
	case KTSNAP_ENTRY_PERCPU:
	case KTSNAP_ENTRY_ARRAY:
		if (!*path)
			return (struct ktsnap_field){ .kind = KTSNAP_FIELD_PERCPU_KEY,
						      .key = e.raw->index };
		ktsnap_err_type_mismatch(&f.err, "Struct",
					 e.kind == KTSNAP_ENTRY_PERCPU ? "Uint(percpu key)" :
									 "Uint(array key)",
					 path);
		return f;
	case KTSNAP_ENTRY_VALUE:
		ktsnap_err_type_mismatch(&f.err, "key", "single Value (no key)", path);
		return f;
	default:
		return field_missing(&e.err);
	}
}

static const char *entry_kind_name(enum ktsnap_entry_kind k)
{
	switch (k) {
	case KTSNAP_ENTRY_HASH:
		return "Hash";
	case KTSNAP_ENTRY_PERCPU:
		return "Percpu";
	case KTSNAP_ENTRY_PERCPU_HASH:
		return "PercpuHash";
	case KTSNAP_ENTRY_VALUE:
		return "Value";
	case KTSNAP_ENTRY_ARRAY:
		return "Array";
	default:
		return "Missing";
	}
}

typedef int (*slot_fn)(void *acc, uint32_t cpu, const struct ktsnap_field *f,
		       struct ktsnap_error *err);

/* Walk @path on each present per-CPU slot of @e and hand it to @fn. */
static int each_slot(const struct ktsnap_entry *e, const char *path, slot_fn fn, void *acc,
		     struct ktsnap_error *err)
{
	struct ktsnap_field f;
	uint32_t c;
	int ret;

	path = path ? path : "";
	if (e->kind == KTSNAP_ENTRY_MISSING) {
		*err = e->err;
		return -ENOENT;
	}
	if (e->kind != KTSNAP_ENTRY_PERCPU && e->kind != KTSNAP_ENTRY_PERCPU_HASH) {
		ktsnap_err_type_mismatch(err, "Percpu / PercpuHash", entry_kind_name(e->kind),
					 path);
		return -EINVAL;
	}
	for (c = 0; e->raw->per_cpu && c < e->raw->nr_cpus; c++) {
		if (!e->raw->per_cpu[c])
			continue;
		f = ktsnap_field_walk(e->raw->per_cpu[c], path);
		if (f.kind == KTSNAP_FIELD_MISSING) {
			*err = f.err;
			return -ENOENT;
		}
		ret = fn(acc, c, &f, err);
		if (ret)
			return ret;
	}
	return 0;
}

struct agg {
	int op; /* 0 sum, 1 max, 2 min */
	bool any;
	uint64_t u;
	double d;
};

static int agg_u64(void *p, uint32_t cpu, const struct ktsnap_field *f, struct ktsnap_error *err)
{
	struct agg *a = p;
	uint64_t v;
	int ret = ktsnap_field__as_u64(*f, &v, err);

	if (ret)
		return ret;
	if (a->op == 0)
		a->u = a->u + v < a->u ? UINT64_MAX : a->u + v;
	else if (!a->any || (a->op == 1 ? v > a->u : v < a->u))
		a->u = v;
	a->any = true;
	return 0;
}

static int agg_f64(void *p, uint32_t cpu, const struct ktsnap_field *f, struct ktsnap_error *err)
{
	struct agg *a = p;
	double v;
	int ret = ktsnap_field__as_f64(*f, &v, err);

	if (ret)
		return ret;
	if (a->op == 0)
		a->d += v;
	else if (!a->any)
		a->d = v;
	else
		a->d = a->op == 1 ? fmax(a->d, v) : fmin(a->d, v);
	a->any = true;
	return 0;
}

static int aggregate(struct ktsnap_entry *e, const char *path, struct agg *a, bool f64,
		     const char *op, struct ktsnap_error *err)
{
	struct ktsnap_error tmp;
	int ret;

	err = err ? err : &tmp;
	ret = each_slot(e, path, f64 ? agg_f64 : agg_u64, a, err);
	if (ret)
		return ret;
	if (a->op && !a->any) {
		ktsnap_err_init(err, KTSNAP_ERR_NO_MATCH);
		err->u.no_match.map = e->kind == KTSNAP_ENTRY_PERCPU ? "<Percpu>" : "<PercpuHash>";
		err->u.no_match.op = op;
		return -ENOENT;
	}
	return 0;
}

#define AGG(name, type, f64, opn)                                                    \
	int ktsnap_entry__##name(struct ktsnap_entry e, const char *path, type *out, \
				 struct ktsnap_error *err)                           \
	{                                                                            \
		struct agg a = { .op = opn };                                        \
		int ret = aggregate(&e, path, &a, f64, #name, err);                  \
		if (!ret && out)                                                     \
			*out = f64 ? (type)a.d : (type)a.u;                          \
		return ret;                                                          \
	}

AGG(cpu_sum_u64, uint64_t, false, 0)
AGG(cpu_max_u64, uint64_t, false, 1)
AGG(cpu_min_u64, uint64_t, false, 2)
AGG(cpu_sum_f64, double, true, 0)
AGG(cpu_max_f64, double, true, 1)
AGG(cpu_min_f64, double, true, 2)

struct each_ctx {
	ktsnap_cpu_each_fn fn;
	void *ctx;
};

static int each_cb(void *p, uint32_t cpu, const struct ktsnap_field *f, struct ktsnap_error *err)
{
	struct each_ctx *c = p;

	return c->fn ? c->fn(cpu, f, c->ctx) : 0;
}

int ktsnap_entry__cpu_each(struct ktsnap_entry e, const char *path, ktsnap_cpu_each_fn fn,
			   void *ctx, struct ktsnap_error *err)
{
	struct each_ctx c = { fn, ctx };
	struct ktsnap_error tmp;

	return each_slot(&e, path, each_cb, &c, err ? err : &tmp);
}
