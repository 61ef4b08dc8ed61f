// SPDX-License-Identifier: MIT
/*
 * Snapshot (spec §6.1-§6.4): the name index, map/var/vars lookups, the
 * active-scheduler filter, live_var* projections and the pass-throughs to
 * the walker-backed records of the report.
 *
 * Name lookups go through an index built on the first lookup and kept in
 * the report (report->view_index, freed with it):
 *
 *   maps:  open-addressing table  name ──► first map ─► next same name …
 *   vars:  open-addressing table  global name ──► hit ─► hit …
 *          hit = { map index, member value } for every top-level member
 *                of every .bss/.data/.rodata section, in map order
 *
 * so map(), var() and vars() cost a hash probe plus a walk of the copies
 * of that one name, whatever the number of maps.  Filters (the active
 * scheduler's obj prefix and KVA whitelist) are applied to those copies.
 * If the index cannot be allocated the lookups fall back to scanning.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "view_internal.h"
#include "log_internal.h"

/* ---- the index ------------------------------------------------------------------ */
struct vx_slot {
	const char *key;
	uint32_t head; /* 1-based; 0: empty slot */
	uint32_t tail;
};

struct vx_hit {
	uint32_t map;
	uint32_t next; /* 1-based; 0: end */
	const struct ktsnap_value *v;
};

struct view_index {
	uint32_t nr_maps; /* maps indexed (a report grown later is scanned) */
	uint32_t map_mask;
	struct vx_slot *map_slots;
	uint32_t *map_next; /* per map: next map of the same name, 1-based */
	uint32_t var_mask;
	struct vx_slot *var_slots;
	struct vx_hit *hits;
	uint32_t nr_hits;
};

/* Marks "index allocation failed": scan instead, do not retry. */
static char index_failed;

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct vx_slot *slot_find(struct vx_slot *slots, uint32_t mask, const char *key)
{
	uint32_t i = hash_str(key) & mask;

	while (slots[i].head && strcmp(slots[i].key, key))
		i = (i + 1) & mask;
	return &slots[i];
}

static uint32_t table_size(uint32_t n)
{
	uint32_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	return cap;
}

static void index_free(void *p)
{
	struct view_index *ix = p;

	if (!ix || p == &index_failed)
		return;
	free(ix->map_slots);
	free(ix->map_next);
	free(ix->var_slots);
	free(ix->hits);
	free(ix);
}

static struct view_index *index_build(const struct ktsnap_report *r)
{
	struct view_index *ix = calloc(1, sizeof(*ix));
	uint32_t i, j, nr_members = 0, cap;

	if (!ix)
		return NULL;
	ix->nr_maps = r->nr_maps;
	cap = table_size(r->nr_maps);
	ix->map_mask = cap - 1;
	ix->map_slots = calloc(cap, sizeof(*ix->map_slots));
	ix->map_next = calloc(r->nr_maps, sizeof(*ix->map_next));
	if (!ix->map_slots || !ix->map_next)
		goto fail;
	for (i = 0; i < r->nr_maps; i++) {
		struct vx_slot *s = slot_find(ix->map_slots, ix->map_mask, r->maps[i].name);

		if (!s->head) {
			s->key = r->maps[i].name;
			s->head = i + 1;
		} else {
			ix->map_next[s->tail - 1] = i + 1;
		}
		s->tail = i + 1;
	}

	for (i = 0; i < r->nr_maps; i++) {
		const struct ktsnap_value *v;

		if (!ktsnap_map_is_global(&r->maps[i]))
			continue;
		v = ktsnap_peel_ptrs(ktsnap_map__value(&r->maps[i]));
		if (v && v->kind == KTSNAP_VALUE_STRUCT)
			nr_members += v->n;
	}
	cap = table_size(nr_members);
	ix->var_mask = cap - 1;
	ix->var_slots = calloc(cap, sizeof(*ix->var_slots));
	ix->hits = calloc(nr_members ? nr_members : 1, sizeof(*ix->hits));
	if (!ix->var_slots || !ix->hits)
		goto fail;
	for (i = 0; i < r->nr_maps; i++) {
		const struct ktsnap_value *v;

		if (!ktsnap_map_is_global(&r->maps[i]))
			continue;
		v = ktsnap_peel_ptrs(ktsnap_map__value(&r->maps[i]));
		if (!v || v->kind != KTSNAP_VALUE_STRUCT)
			continue;
		for (j = 0; j < v->n; j++) {
			const char *name = ktsnap_mname(v, j);
			struct vx_slot *s = slot_find(ix->var_slots, ix->var_mask, name);
			struct vx_hit *h = &ix->hits[ix->nr_hits];

			/* only the first member of a name counts per section */
			if (s->head && ix->hits[s->tail - 1].map == i)
				continue;
			h->map = i;
			h->v = ktsnap_mval(v, j);
			if (!s->head) {
				s->key = name;
				s->head = ix->nr_hits + 1;
			} else {
				ix->hits[s->tail - 1].next = ix->nr_hits + 1;
			}
			s->tail = ++ix->nr_hits;
		}
	}
	return ix;
fail:
	index_free(ix);
	return NULL;
}

static const struct view_index *get_index(const struct ktsnap_report *cr)
{
	struct ktsnap_report *r = (struct ktsnap_report *)cr;
	void *ix;

	if (!r->nr_maps)
		return NULL;
	ix = atomic_load_explicit(&r->view_index, memory_order_acquire);
	if (!ix) {
		pthread_mutex_lock(&r->index_lock);
		ix = atomic_load_explicit(&r->view_index, memory_order_relaxed);
		if (!ix) {
			ix = index_build(r);
			if (!ix) {
				pr_warn("view: no memory for the name index; lookups will scan\n");
				ix = &index_failed;
			}
			r->view_index_free = index_free;
			atomic_store_explicit(&r->view_index, ix, memory_order_release);
		}
		pthread_mutex_unlock(&r->index_lock);
	}
	if (ix == &index_failed)
		return NULL;
	/* Built before the report got more maps (only builders do that):
	 * stay correct by scanning. */
	if (((struct view_index *)ix)->nr_maps != r->nr_maps)
		return NULL;
	return ix;
}

/* Next map named @name: *cur is 0 to start, then the 1-based last hit. */
static const struct ktsnap_map *next_named(const struct ktsnap_report *r,
					   const struct view_index *ix, const char *name,
					   uint32_t *cur)
{
	uint32_t i;

	if (ix) {
		if (!*cur) {
			const struct vx_slot *s = slot_find(ix->map_slots, ix->map_mask, name);

			*cur = s->head;
		} else {
			*cur = ix->map_next[*cur - 1];
		}
		return *cur ? &r->maps[*cur - 1] : NULL;
	}
	for (i = *cur; i < r->nr_maps; i++) {
		if (!strcmp(r->maps[i].name, name)) {
			*cur = i + 1;
			return &r->maps[i];
		}
	}
	*cur = r->nr_maps;
	return NULL;
}

/*
 * Next copy of global @name (any section, unfiltered): *cur 0 to start.
 * Cursor values: hit number (index) or map position (scan).
 */
static const struct ktsnap_value *next_var(const struct ktsnap_report *r,
					   const struct view_index *ix, const char *name,
					   uint32_t *cur, const struct ktsnap_map **map)
{
	uint32_t i;

	if (ix) {
		if (*cur == UINT32_MAX)
			return NULL;
		if (!*cur) {
			const struct vx_slot *s = slot_find(ix->var_slots, ix->var_mask, name);

			*cur = s->head;
		} else {
			*cur = ix->hits[*cur - 1].next;
		}
		if (!*cur) {
			*cur = UINT32_MAX;
			return NULL;
		}
		*map = &r->maps[ix->hits[*cur - 1].map];
		return ix->hits[*cur - 1].v;
	}
	for (i = *cur; i < r->nr_maps; i++) {
		const struct ktsnap_value *v;

		if (!ktsnap_map_is_global(&r->maps[i]))
			continue;
		v = ktsnap_top_member(ktsnap_map__value(&r->maps[i]), name);
		if (v) {
			*cur = i + 1;
			*map = &r->maps[i];
			return v;
		}
	}
	*cur = r->nr_maps;
	return NULL;
}

/* ---- helpers shared with error.c ------------------------------------------------------ */
static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

bool ktsnap_map_is_global(const struct ktsnap_map *m)
{
	return ends_with(m->name, ".bss") || ends_with(m->name, ".data") ||
	       ends_with(m->name, ".rodata");
}

size_t ktsnap_obj_prefix_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? (size_t)(dot - name) : 0;
}

static bool has_obj(const char *name, const char *obj, size_t len)
{
	const char *dot = strchr(name, '.');

	return dot && (size_t)(dot - name) == len && !memcmp(name, obj, len);
}

bool ktsnap_snapshot_admits(const struct ktsnap_snapshot *s, const struct ktsnap_map *m)
{
	size_t i;

	if (!s->obj)
		return true;
	if (!has_obj(m->name, s->obj, s->obj_len))
		return false;
	if (!s->nr_kvas)
		return true;
	if (!m->map_kva)
		return false;
	for (i = 0; i < s->nr_kvas; i++)
		if (s->kvas[i] == m->map_kva)
			return true;
	return false;
}

enum ktsnap_entry_source ktsnap_entry_source(const struct ktsnap_map *m)
{
	if (m->nr_entries) {
		switch (m->layout) {
		case KTSNAP_LAYOUT_PERCPU_ARRAY:
			return SRC_PERCPU;
		case KTSNAP_LAYOUT_PERCPU_HASH:
			return SRC_PERCPU_HASH;
		case KTSNAP_LAYOUT_HASH:
			return SRC_HASH;
		case KTSNAP_LAYOUT_ARRAY:
			return SRC_ARRAY;
		default:
			break;
		}
	}
	return m->value ? SRC_VALUE : SRC_NONE;
}

static void err_placeholder(struct ktsnap_error *e)
{
	*e = ktsnap_error__placeholder_snapshot(NULL);
}

/*
 * ActiveFilterExcludedMaps (§6.1): only under a filter with a whitelist,
 * when the whitelist admitted none of the obj's maps but excluded some.
 */
static bool excluded_filter_error(const struct ktsnap_snapshot *s, const char *requested,
				  struct ktsnap_error *e)
{
	const struct ktsnap_report *r = s->report;
	size_t excluded = 0;
	uint32_t i;

	if (!s->obj || !s->nr_kvas)
		return false;
	for (i = 0; i < r->nr_maps; i++) {
		if (!has_obj(r->maps[i].name, s->obj, s->obj_len))
			continue;
		if (ktsnap_snapshot_admits(s, &r->maps[i]))
			return false;
		excluded++;
	}
	if (!excluded)
		return false;
	ktsnap_err_init(e, KTSNAP_ERR_ACTIVE_FILTER_EXCLUDED_MAPS);
	e->u.lookup.snap = *s;
	ktsnap_err_set_text(e, requested);
	return true;
}

/* ---- Snapshot --------------------------------------------------------------------------- */
static const struct ktsnap_report empty_report = { .schema = "single" };

struct ktsnap_snapshot ktsnap_snapshot__new(const struct ktsnap_report *r)
{
	return (struct ktsnap_snapshot){ .report = r ? r : &empty_report };
}

struct ktsnap_snapshot ktsnap_snapshot__named(const struct ktsnap_report *r, const char *name)
{
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);

	s.name = name;
	return s;
}

static const struct ktsnap_report *rep(const struct ktsnap_snapshot *s)
{
	return s->report ? s->report : &empty_report;
}

const struct ktsnap_report *ktsnap_snapshot__report(struct ktsnap_snapshot s)
{
	return s.report;
}

bool ktsnap_snapshot__is_placeholder(struct ktsnap_snapshot s)
{
	return rep(&s)->is_placeholder;
}

size_t ktsnap_snapshot__map_count(struct ktsnap_snapshot s)
{
	const struct ktsnap_report *r = rep(&s);
	size_t n = 0;
	uint32_t i;

	if (!s.obj)
		return r->nr_maps;
	for (i = 0; i < r->nr_maps; i++)
		n += ktsnap_snapshot_admits(&s, &r->maps[i]);
	return n;
}

struct ktsnap_map_view ktsnap_snapshot__map(struct ktsnap_snapshot s, const char *name)
{
	const struct ktsnap_report *r = rep(&s);
	struct ktsnap_map_view v = { 0 };
	const struct ktsnap_map *m;
	uint32_t cur = 0;

	s.report = r;
	name = name ? name : "";
	if (r->is_placeholder) {
		err_placeholder(&v.err);
		return v;
	}
	while ((m = next_named(r, get_index(r), name, &cur)))
		if (ktsnap_snapshot_admits(&s, m)) {
			v.map = m;
			return v;
		}
	if (excluded_filter_error(&s, name, &v.err))
		return v;
	ktsnap_err_init(&v.err, KTSNAP_ERR_MAP_NOT_FOUND);
	v.err.u.lookup.snap = s;
	ktsnap_err_set_text(&v.err, name);
	return v;
}

/* §6.3 */
int ktsnap_snapshot__active(struct ktsnap_snapshot s, struct ktsnap_snapshot *out,
			    struct ktsnap_error *err)
{
	const struct ktsnap_report *r = rep(&s);
	const char *first = NULL, *matched = NULL, *act = r->active_obj_name;
	size_t first_len = 0, matched_len = 0, len;
	bool many = false;
	struct ktsnap_error tmp;
	const char *obj;
	uint32_t i;

	err = err ? err : &tmp;
	if (r->is_placeholder) {
		err_placeholder(err);
		return -ENOENT;
	}
	for (i = 0; i < r->nr_maps; i++) {
		const char *name = r->maps[i].name;

		len = ktsnap_obj_prefix_len(name);
		if (!len || !ktsnap_map_is_global(&r->maps[i]))
			continue;
		if (!first) {
			first = name;
			first_len = len;
		} else if (!has_obj(name, first, first_len)) {
			many = true;
		}
		if (act && !matched && strlen(act) == len && !memcmp(name, act, len)) {
			matched = name;
			matched_len = len;
		}
	}
	if (matched) {
		obj = matched;
		len = matched_len;
		if (r->nr_active_map_kvas)
			goto ok;
	} else if (!first) {
		ktsnap_err_init(err, KTSNAP_ERR_NO_ACTIVE_SCHEDULER);
		err->u.no_active_scheduler.reason = NAS_NO_GLOBALS;
		return -ENOENT;
	} else if (many) {
		ktsnap_err_init(err, KTSNAP_ERR_NO_ACTIVE_SCHEDULER);
		err->u.no_active_scheduler.reason = NAS_MANY_OBJS;
		err->u.no_active_scheduler.snap = ktsnap_snapshot__new(r);
		return -ENOENT;
	} else {
		obj = first;
		len = first_len;
	}
	if (ktsnap_obj_section_count(r, obj, len, ".bss") > 1 ||
	    ktsnap_obj_section_count(r, obj, len, ".data") > 1 ||
	    ktsnap_obj_section_count(r, obj, len, ".rodata") > 1) {
		ktsnap_err_init(err, KTSNAP_ERR_NO_ACTIVE_SCHEDULER);
		err->u.no_active_scheduler.reason = NAS_MULTI_COPY;
		err->u.no_active_scheduler.snap = ktsnap_snapshot__new(r);
		err->u.no_active_scheduler.obj = obj;
		err->u.no_active_scheduler.obj_len = len;
		return -ENOENT;
	}
	matched = NULL;
ok:
	*out = (struct ktsnap_snapshot){
		.report = r,
		.name = s.name,
		.obj = obj,
		.obj_len = (uint32_t)len,
		.kvas = matched ? r->active_map_kvas : NULL,
		.nr_kvas = matched ? r->nr_active_map_kvas : 0,
	};
	return 0;
}

size_t ktsnap_obj_section_count(const struct ktsnap_report *r, const char *obj, size_t len,
				const char *suffix)
{
	size_t n = 0, k = strlen(suffix);
	uint32_t i;

	for (i = 0; i < r->nr_maps; i++) {
		const char *name = r->maps[i].name;

		if (!strncmp(name, obj, len) && !strncmp(name + len, suffix, k) &&
		    name[len + k] == '\0')
			n++;
	}
	return n;
}

/* §6.2 */
struct ktsnap_field ktsnap_snapshot__var(struct ktsnap_snapshot s, const char *name)
{
	const struct ktsnap_report *r = rep(&s);
	const struct view_index *ix = get_index(r);
	const struct ktsnap_value *v, *hit = NULL;
	const struct ktsnap_map *m;
	struct ktsnap_snapshot active;
	struct ktsnap_field f = { .kind = KTSNAP_FIELD_MISSING };
	uint32_t cur = 0, i;
	int hits = 0;

	s.report = r;
	name = name ? name : "";
	if (r->is_placeholder) {
		err_placeholder(&f.err);
		return f;
	}
	while (hits < 2 && (v = next_var(r, ix, name, &cur, &m))) {
		if (!ktsnap_snapshot_admits(&s, m))
			continue;
		hit = v;
		hits++;
	}
	if (hits == 1)
		return ktsnap_field_value(hit);
	if (hits > 1) {
		if (!s.obj && !ktsnap_snapshot__active(s, &active, NULL))
			return ktsnap_snapshot__var(active, name);
		ktsnap_err_init(&f.err, KTSNAP_ERR_AMBIGUOUS_VAR);
		f.err.u.lookup.snap = s;
		ktsnap_err_set_text(&f.err, name);
		return f;
	}
	if (excluded_filter_error(&s, name, &f.err))
		return f;
	for (i = 0; i < r->nr_maps; i++) {
		m = &r->maps[i];
		if (!ktsnap_map_is_global(m) || !ktsnap_snapshot_admits(&s, m))
			continue;
		if (!ktsnap_map__value(m) && m->error) {
			ktsnap_err_render_incomplete(&f.err, m);
			return f;
		}
	}
	ktsnap_err_init(&f.err, KTSNAP_ERR_VAR_NOT_FOUND);
	f.err.u.var_not_found.snap = s;
	ktsnap_err_set_text(&f.err, name);
	return f;
}

struct ktsnap_vars_iter ktsnap_snapshot__vars(struct ktsnap_snapshot s, const char *name)
{
	s.report = rep(&s);
	return (struct ktsnap_vars_iter){ .snap = s, .name = name ? name : "" };
}

bool ktsnap_vars_iter__next(struct ktsnap_vars_iter *it, const char **map_name,
			    struct ktsnap_field *field)
{
	const struct ktsnap_report *r;
	const struct ktsnap_value *v;
	const struct ktsnap_map *m;

	if (!it)
		return false;
	r = rep(&it->snap);
	if (r->is_placeholder)
		return false;
	while ((v = next_var(r, get_index(r), it->name, &it->pos, &m))) {
		if (!ktsnap_snapshot_admits(&it->snap, m))
			continue;
		if (map_name)
			*map_name = m->name;
		if (field)
			*field = ktsnap_field_value(v);
		return true;
	}
	return false;
}

struct ktsnap_field ktsnap_snapshot__live_var(struct ktsnap_snapshot s, const char *name)
{
	struct ktsnap_snapshot active;
	struct ktsnap_field f = { .kind = KTSNAP_FIELD_MISSING };

	if (ktsnap_snapshot__active(s, &active, &f.err))
		return f;
	return ktsnap_snapshot__var(active, name);
}

static void err_var_not_found_maps(struct ktsnap_error *e, const struct ktsnap_snapshot *s,
				   const char *requested)
{
	ktsnap_err_init(e, KTSNAP_ERR_VAR_NOT_FOUND);
	e->u.var_not_found.list = KTSNAP_ERR_VAR_LIST_MAPS;
	e->u.var_not_found.snap = *s;
	ktsnap_err_set_text(e, requested);
}

#define STACK_CANDIDATES 8

/* §6.4 */
struct ktsnap_field ktsnap_snapshot__live_var_via(struct ktsnap_snapshot s, const char *name,
						  ktsnap_var_picker_fn pick, void *ctx)
{
	struct ktsnap_var_candidate stack[STACK_CANDIDATES], *c = stack;
	struct ktsnap_field f = { .kind = KTSNAP_FIELD_MISSING };
	struct ktsnap_vars_iter it;
	size_t n = 0, cap = STACK_CANDIDATES, idx = 0;

	s.report = rep(&s);
	name = name ? name : "";
	if (s.report->is_placeholder) {
		err_placeholder(&f.err);
		return f;
	}
	it = ktsnap_snapshot__vars(s, name);
	for (;;) {
		if (n == cap) {
			struct ktsnap_var_candidate *bigger;

			cap *= 2;
			bigger = c == stack ? malloc(cap * sizeof(*c)) :
					      realloc(c, cap * sizeof(*c));
			if (!bigger) {
				f.err = ktsnap_error__projection_failed("out of memory");
				goto out;
			}
			if (c == stack)
				memcpy(bigger, stack, sizeof(stack));
			c = bigger;
		}
		if (!ktsnap_vars_iter__next(&it, &c[n].map_name, &c[n].field))
			break;
		n++;
	}
	if (!n) {
		if (!excluded_filter_error(&s, name, &f.err))
			err_var_not_found_maps(&f.err, &s, name);
		goto out;
	}
	if (!pick || !pick(c, n, &idx, ctx)) {
		ktsnap_err_init(&f.err, KTSNAP_ERR_PROJECTION_FAILED);
		f.err.u.projection_failed.tmpl = PF_VAR_NONE;
		ktsnap_err_set_text(&f.err, name);
	} else if (idx >= n) {
		ktsnap_err_init(&f.err, KTSNAP_ERR_PROJECTION_FAILED);
		f.err.u.projection_failed.tmpl = PF_VAR_RANGE;
		f.err.u.projection_failed.index = idx;
		f.err.u.projection_failed.count = n;
	} else {
		f = c[idx].field;
	}
out:
	if (c != stack)
		free(c);
	return f;
}

/* "[a, b, c]" (cut to the error text size). */
static void names_list(char *buf, size_t size, const char *const *names, size_t n)
{
	size_t i, pos = 0;

	pos += (size_t)snprintf(buf, size, "[");
	for (i = 0; i < n && pos < size; i++)
		pos += (size_t)snprintf(buf + pos, size - pos, "%s%s", i ? ", " : "",
					names[i] ? names[i] : "");
	if (pos < size)
		snprintf(buf + pos, size - pos, "]");
}

int ktsnap_snapshot__live_vars_via(struct ktsnap_snapshot s, const char *const *names,
				   size_t nr_names, ktsnap_row_picker_fn pick, void *ctx,
				   struct ktsnap_field *out, struct ktsnap_error *err)
{
	const struct ktsnap_report *r = rep(&s);
	struct ktsnap_var_row *rows = NULL;
	struct ktsnap_field *fields = NULL;
	char requested[KTSNAP_ERROR_TEXT_MAX * 2]; /* longer: the copy marks the cut */
	struct ktsnap_error tmp;
	size_t nrows = 0, k, idx = 0;
	uint32_t i;
	int ret = -ENOENT;

	err = err ? err : &tmp;
	s.report = r;
	if (r->is_placeholder) {
		err_placeholder(err);
		return -ENOENT;
	}
	if (!nr_names || !names) {
		ktsnap_err_init(err, KTSNAP_ERR_PROJECTION_FAILED);
		err->u.projection_failed.tmpl = PF_VARS_EMPTY;
		return -ENOENT;
	}
	/* candidate rows: admitted sections holding every name */
	rows = calloc(r->nr_maps ? r->nr_maps : 1, sizeof(*rows));
	fields = calloc((r->nr_maps ? r->nr_maps : 1) * nr_names, sizeof(*fields));
	if (!rows || !fields) {
		ret = -ENOMEM;
		*err = ktsnap_error__projection_failed("out of memory");
		goto out;
	}
	for (i = 0; i < r->nr_maps; i++) {
		const struct ktsnap_map *m = &r->maps[i];
		const struct ktsnap_value *root;
		struct ktsnap_field *row = fields + nrows * nr_names;

		if (!ktsnap_map_is_global(m) || !ktsnap_snapshot_admits(&s, m))
			continue;
		root = ktsnap_map__value(m);
		if (!root)
			continue;
		for (k = 0; k < nr_names; k++) {
			const struct ktsnap_value *v = ktsnap_top_member(root, names[k]);

			if (!v)
				break;
			row[k] = ktsnap_field_value(v);
		}
		if (k < nr_names)
			continue;
		rows[nrows].map_name = m->name;
		rows[nrows].fields = row;
		rows[nrows].nr_fields = nr_names;
		nrows++;
	}
	names_list(requested, sizeof(requested), names, nr_names);
	if (!nrows) {
		if (!excluded_filter_error(&s, requested, err))
			err_var_not_found_maps(err, &s, requested);
		goto out;
	}
	if (!pick || !pick(rows, nrows, &idx, ctx)) {
		ktsnap_err_init(err, KTSNAP_ERR_PROJECTION_FAILED);
		err->u.projection_failed.tmpl = PF_VARS_NONE;
		ktsnap_err_set_text(err, requested);
	} else if (idx >= nrows) {
		ktsnap_err_init(err, KTSNAP_ERR_PROJECTION_FAILED);
		err->u.projection_failed.tmpl = PF_VARS_RANGE;
		err->u.projection_failed.index = idx;
		err->u.projection_failed.count = nrows;
	} else {
		for (k = 0; k < nr_names; k++)
			out[k] = rows[idx].fields[k];
		ret = 0;
	}
out:
	free(rows);
	free(fields);
	return ret;
}

/* ---- walker-backed fields ------------------------------------------------------------------ */
#define LIST(type, field)                                                                \
	const struct type *ktsnap_snapshot__##field(struct ktsnap_snapshot s, size_t *n) \
	{                                                                                \
		const struct ktsnap_report *r = rep(&s);                                 \
		if (n)                                                                   \
			*n = r->nr_##field;                                              \
		return r->nr_##field ? r->field : NULL;                                  \
	}

LIST(ktsnap_event_counter_sample, event_counter_timeline)
LIST(ktsnap_rq_scx_state, rq_scx_states)
LIST(ktsnap_dsq_state, dsq_states)
LIST(ktsnap_per_cpu_time, per_cpu_time)
LIST(ktsnap_cgroup_psi, cgroup_psi)
LIST(ktsnap_per_node_numa, per_node_numa)
LIST(ktsnap_task_enrichment, task_enrichments)
LIST(ktsnap_prog_runtime_stat, prog_runtime_stats)

/* The report's @field (pass-through). */
#define FIELD(type, field)                                      \
	type ktsnap_snapshot__##field(struct ktsnap_snapshot s) \
	{                                                       \
		return rep(&s)->field;                          \
	}

FIELD(const struct ktsnap_scx_sched_state *, scx_sched_state)
FIELD(const struct ktsnap_probe_counters *, probe_counters)
FIELD(const char *, scx_walker_unavailable)
FIELD(const char *, task_enrichments_unavailable)
FIELD(const char *, prog_runtime_stats_unavailable)
FIELD(const char *, per_node_numa_unavailable)
FIELD(const char *, sdt_alloc_unavailable)

/* The first record of list @field whose @member equals @key. */
#define FIND(type, fn, field, member, key_type)                                          \
	const struct type *ktsnap_snapshot__##fn(struct ktsnap_snapshot s, key_type key) \
	{                                                                                \
		const struct ktsnap_report *r = rep(&s);                                 \
		size_t i;                                                                \
                                                                                         \
		for (i = 0; i < r->nr_##field; i++)                                      \
			if (r->field[i].member == key)                                   \
				return &r->field[i];                                     \
		return NULL;                                                             \
	}

FIND(ktsnap_per_cpu_time, per_cpu_time_at, per_cpu_time, cpu, uint32_t)
FIND(ktsnap_per_node_numa, per_node_numa_at, per_node_numa, node, uint32_t)
FIND(ktsnap_task_enrichment, task_enrichment_by_pid, task_enrichments, pid, int32_t)

const struct ktsnap_prog_runtime_stat *
ktsnap_snapshot__prog_runtime_stats_by_name(struct ktsnap_snapshot s, const char *name)
{
	const struct ktsnap_report *r = rep(&s);
	size_t i;

	for (i = 0; name && i < r->nr_prog_runtime_stats; i++)
		if (r->prog_runtime_stats[i].name && !strcmp(r->prog_runtime_stats[i].name, name))
			return &r->prog_runtime_stats[i];
	return NULL;
}
