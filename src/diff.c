// SPDX-License-Identifier: MIT
/*
 * Report diff (include/ktsnap/diff.h).  Items and their strings live in
 * the diff's own arena; values and map names are borrowed from the two
 * reports.  Hash entries are paired through a hash table on the raw key
 * bytes, so a 100k-entry map diffs in linear time.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/diff.h>
#include <ktsnap/display.h>
#include <ktsnap/json.h>

#include "json_internal.h"
#include "log_internal.h"
#include "report_internal.h"
#include "util_internal.h"
#include "diff_internal.h"
#include "sink_internal.h"

struct ktsnap_diff {
	struct ktsnap_arena arena;
	struct ktsnap_diff_item *items;
	size_t nr, cap;
	int err;
	size_t key_compares; /* work done pairing entries (tests bound it) */
	/* while comparing */
	const char *map;
	const char *key;
	struct ktsnap_pathbuf path;
};

#define MAX_CMP_DEPTH 128

/* ---- items ------------------------------------------------------------------ */

static struct ktsnap_diff_item *add_item(struct ktsnap_diff *d, enum ktsnap_diff_op op)
{
	struct ktsnap_diff_item *it;

	if (d->err)
		return NULL;
	if (KTSNAP_ENSURE(d->items, d->cap, d->nr + 1)) {
		d->err = -ENOMEM;
		return NULL;
	}
	it = &d->items[d->nr++];
	memset(it, 0, sizeof(*it));
	it->op = op;
	it->map = d->map;
	it->key = d->key;
	return it;
}

static const char *fmt_value(struct ktsnap_diff *d, const struct ktsnap_value *v)
{
	char buf[256];
	int n;
	char *s;

	if (!v)
		return NULL;
	n = ktsnap_value__format(v, buf, sizeof(buf));
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof(buf))
		return ktsnap_arena_strdup(&d->arena, buf);
	s = ktsnap_arena_alloc(&d->arena, (size_t)n + 1);
	if (s)
		ktsnap_value__format(v, s, (size_t)n + 1);
	return s;
}

static bool numeric(const struct ktsnap_value *v)
{
	return v && (v->kind == KTSNAP_VALUE_INT || v->kind == KTSNAP_VALUE_UINT ||
		     v->kind == KTSNAP_VALUE_FLOAT);
}

static void set_delta(struct ktsnap_diff_item *it)
{
	const struct ktsnap_value *a = it->old_value, *b = it->new_value;
	__int128 x, y, dd;

	if (!numeric(a) || !numeric(b) || a->kind != b->kind)
		return;
	it->has_delta = true;
	if (a->kind == KTSNAP_VALUE_FLOAT) {
		it->delta_is_float = true;
		it->fdelta = b->f - a->f;
		return;
	}
	x = a->kind == KTSNAP_VALUE_INT ? (__int128)a->i : (__int128)a->u;
	y = b->kind == KTSNAP_VALUE_INT ? (__int128)b->i : (__int128)b->u;
	dd = y - x;
	it->delta_negative = dd < 0;
	it->delta = (uint64_t)(dd < 0 ? -dd : dd);
}

static void value_changed(struct ktsnap_diff *d, const struct ktsnap_value *a,
			  const struct ktsnap_value *b)
{
	struct ktsnap_diff_item *it = add_item(d, KTSNAP_DIFF_VALUE_CHANGED);

	if (!it)
		return;
	it->path = ktsnap_arena_strdup(&d->arena, d->path.s);
	it->old_value = a;
	it->new_value = b;
	it->old_text = fmt_value(d, a);
	it->new_text = fmt_value(d, b);
	set_delta(it);
}

/* ---- the path --------------------------------------------------------------------- */
static size_t push_member(struct ktsnap_diff *d, const char *name)
{
	return ktsnap_pathbuf_push(&d->path, "%s%s", d->path.len ? "." : "",
				   *name ? name : "(anon)");
}

static size_t push_index(struct ktsnap_diff *d, const char *prefix, uint64_t i)
{
	return ktsnap_pathbuf_push(&d->path, "%s%s[%" PRIu64 "]", d->path.len && *prefix ? "." : "",
				   prefix, i);
}

static void pop(struct ktsnap_diff *d, size_t old)
{
	ktsnap_pathbuf_pop(&d->path, old);
}

/* ---- value trees -------------------------------------------------------------------- */
static bool scalar_eq(const struct ktsnap_value *a, const struct ktsnap_value *b)
{
	switch (a->kind) {
	case KTSNAP_VALUE_INT:
		return a->bits == b->bits && a->i == b->i;
	case KTSNAP_VALUE_UINT:
		return a->bits == b->bits && a->u == b->u;
	case KTSNAP_VALUE_BOOL:
		return a->b == b->b;
	case KTSNAP_VALUE_CHAR:
		return a->c == b->c;
	case KTSNAP_VALUE_FLOAT:
		return a->bits == b->bits &&
		       (a->f == b->f ? signbit(a->f) == signbit(b->f) : isnan(a->f) && isnan(b->f));
	case KTSNAP_VALUE_ENUM:
		return a->bits == b->bits && ktsnap_enum_v(a) == ktsnap_enum_v(b) &&
		       ktsnap_enum_signed(a) == ktsnap_enum_signed(b) &&
		       ktsnap_str_eq(ktsnap_enum_variant(a), ktsnap_enum_variant(b));
	case KTSNAP_VALUE_CPU_LIST:
		return ktsnap_str_eq(a->str, b->str);
	case KTSNAP_VALUE_BYTES:
		return ktsnap_str_eq(a->str, b->str);
	case KTSNAP_VALUE_UNSUPPORTED:
		return ktsnap_str_eq(a->str, b->str);
	default:
		return false;
	}
}

static bool deep_eq(const struct ktsnap_value *a, const struct ktsnap_value *b, int depth)
{
	struct ktsnap_value ta, tb;
	uint32_t i;

	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || depth > MAX_CMP_DEPTH)
		return false;
	switch (a->kind) {
	case KTSNAP_VALUE_STRUCT:
		if (a->n != b->n || !ktsnap_str_eq(ktsnap_struct_type(a), ktsnap_struct_type(b)))
			return false;
		for (i = 0; i < a->n; i++)
			if (!ktsnap_str_eq(ktsnap_mname(a, i), ktsnap_mname(b, i)) ||
			    !deep_eq(ktsnap_mval(a, i), ktsnap_mval(b, i), depth + 1))
				return false;
		return true;
	case KTSNAP_VALUE_ARRAY:
		if (ktsnap_array_len(a) != ktsnap_array_len(b) || a->n != b->n)
			return false;
		for (i = 0; i < a->n; i++)
			if (!deep_eq(ktsnap_elem_read(a, i, &ta), ktsnap_elem_read(b, i, &tb),
				     depth + 1))
				return false;
		return true;
	case KTSNAP_VALUE_PTR:
		return a->p->v == b->p->v && ktsnap_str_eq(a->p->cast, b->p->cast) &&
		       ktsnap_str_eq(a->p->skip_reason, b->p->skip_reason) &&
		       deep_eq(a->p->deref, b->p->deref, depth + 1);
	case KTSNAP_VALUE_TRUNCATED:
		return a->t->needed == b->t->needed && a->t->had == b->t->had &&
		       deep_eq(a->t->partial, b->t->partial, depth + 1);
	default:
		return scalar_eq(a, b);
	}
}

/* Arrays whose elements read as text compare (and print) as one string. */
static bool texty(const struct ktsnap_value *v)
{
	const struct ktsnap_value *e;
	struct ktsnap_value tmp;

	if (v->kind != KTSNAP_VALUE_ARRAY || !v->n)
		return false;
	e = ktsnap_elem_read(v, 0, &tmp);
	return e->kind == KTSNAP_VALUE_CHAR ||
	       ((e->kind == KTSNAP_VALUE_INT || e->kind == KTSNAP_VALUE_UINT) &&
		ktsnap_value__bits(e) == 8);
}

static void cmp_value(struct ktsnap_diff *d, const struct ktsnap_value *a,
		      const struct ktsnap_value *b, int depth);

static void cmp_struct(struct ktsnap_diff *d, const struct ktsnap_value *a,
		       const struct ktsnap_value *b, int depth)
{
	uint32_t i, j;
	bool same_shape = a->n == b->n;

	for (i = 0; same_shape && i < a->n; i++)
		same_shape = ktsnap_str_eq(ktsnap_mname(a, i), ktsnap_mname(b, i));
	if (same_shape) {
		for (i = 0; i < a->n; i++) {
			size_t p = push_member(d, ktsnap_mname(a, i));

			cmp_value(d, ktsnap_mval(a, i), ktsnap_mval(b, i), depth + 1);
			pop(d, p);
		}
		return;
	}
	/* different layouts: pair members by name */
	for (i = 0; i < a->n; i++) {
		const struct ktsnap_value *bv = ktsnap_value__member(b, ktsnap_mname(a, i));
		size_t p = push_member(d, ktsnap_mname(a, i));

		cmp_value(d, ktsnap_mval(a, i), *ktsnap_mname(a, i) ? bv : NULL, depth + 1);
		pop(d, p);
	}
	for (j = 0; j < b->n; j++) {
		if (*ktsnap_mname(b, j) && ktsnap_value__member(a, ktsnap_mname(b, j)))
			continue;
		size_t p = push_member(d, ktsnap_mname(b, j));

		cmp_value(d, NULL, ktsnap_mval(b, j), depth + 1);
		pop(d, p);
	}
}

static void cmp_value(struct ktsnap_diff *d, const struct ktsnap_value *a,
		      const struct ktsnap_value *b, int depth)
{
	uint32_t i;

	if (d->err || deep_eq(a, b, 0))
		return;
	if (!a || !b || a->kind != b->kind || depth > MAX_CMP_DEPTH) {
		value_changed(d, a, b);
		return;
	}
	switch (a->kind) {
	case KTSNAP_VALUE_STRUCT:
		cmp_struct(d, a, b, depth);
		return;
	case KTSNAP_VALUE_ARRAY:
		if (ktsnap_array_len(a) != ktsnap_array_len(b) || a->n != b->n || texty(a)) {
			value_changed(d, a, b);
			return;
		}
		for (i = 0; i < a->n; i++) {
			struct ktsnap_value ta, tb;
			size_t p;

			/* a flat array gets element nodes (which the items
			 * point to) only when an element differs */
			if (deep_eq(ktsnap_elem_read(a, i, &ta), ktsnap_elem_read(b, i, &tb), 0))
				continue;
			p = push_index(d, "", i); /* "name[i]" */
			cmp_value(d, ktsnap_elem(a, i), ktsnap_elem(b, i), depth + 1);
			pop(d, p);
		}
		return;
	case KTSNAP_VALUE_PTR:
		/* the address, then what it points to (paths look through) */
		if (a->p->v != b->p->v || !ktsnap_str_eq(a->p->cast, b->p->cast) ||
		    !ktsnap_str_eq(a->p->skip_reason, b->p->skip_reason) || !a->p->deref ||
		    !b->p->deref) {
			value_changed(d, a, b);
			return;
		}
		cmp_value(d, a->p->deref, b->p->deref, depth + 1);
		return;
	case KTSNAP_VALUE_TRUNCATED:
		if (a->t->needed != b->t->needed || a->t->had != b->t->had) {
			value_changed(d, a, b);
			return;
		}
		cmp_value(d, a->t->partial, b->t->partial, depth + 1);
		return;
	default:
		value_changed(d, a, b);
	}
}

/* ---- entries ------------------------------------------------------------------------------- */
static const char *entry_key(struct ktsnap_diff *d, const struct ktsnap_map *m,
			     const struct ktsnap_map_entry *e)
{
	char *hex;

	switch (m->layout) {
	case KTSNAP_LAYOUT_ARRAY:
	case KTSNAP_LAYOUT_PERCPU_ARRAY:
		return ktsnap_arena_printf(&d->arena, "%u", e->index);
	default:
		if (e->key_rv)
			return fmt_value(d, e->key_rv);
		hex = ktsnap_hex_string(&d->arena, e->key, e->key ? e->key_len : 0);
		return hex ? ktsnap_arena_printf(&d->arena, "hex:%s", hex) : NULL;
	}
}

/* The identity of an entry: raw key bytes, else the index. */
static size_t ident(const struct ktsnap_map *m, const struct ktsnap_map_entry *e, const uint8_t **p,
		    uint8_t tmp[4])
{
	if ((m->layout == KTSNAP_LAYOUT_HASH || m->layout == KTSNAP_LAYOUT_PERCPU_HASH) && e->key) {
		*p = e->key;
		return e->key_len;
	}
	memcpy(tmp, &e->index, 4);
	*p = tmp;
	return 4;
}

static void cmp_entry(struct ktsnap_diff *d, const struct ktsnap_map *ma,
		      const struct ktsnap_map_entry *a, const struct ktsnap_map_entry *b)
{
	uint32_t c, n;

	switch (ma->layout) {
	case KTSNAP_LAYOUT_HASH:
	case KTSNAP_LAYOUT_ARRAY:
		if (!a->val_rv && !b->val_rv) {
			bool same = a->val_len == b->val_len &&
				    (!a->val_len || !memcmp(a->val, b->val, a->val_len));

			if (!same) {
				struct ktsnap_diff_item *it =
					add_item(d, KTSNAP_DIFF_VALUE_CHANGED);

				if (it) {
					it->path = "";
					it->old_text = ktsnap_hex_string(&d->arena, a->val,
									 a->val ? a->val_len : 0);
					it->new_text = ktsnap_hex_string(&d->arena, b->val,
									 b->val ? b->val_len : 0);
				}
			}
		} else {
			cmp_value(d, a->val_rv, b->val_rv, 0);
		}
		if (a->payload || b->payload) {
			size_t p = push_member(d, "payload");

			cmp_value(d, a->payload, b->payload, 0);
			pop(d, p);
		}
		return;
	case KTSNAP_LAYOUT_PERCPU_ARRAY:
	case KTSNAP_LAYOUT_PERCPU_HASH:
		n = a->nr_cpus > b->nr_cpus ? a->nr_cpus : b->nr_cpus;
		for (c = 0; c < n; c++) {
			const struct ktsnap_value *x =
				c < a->nr_cpus && a->per_cpu ? a->per_cpu[c] : NULL;
			const struct ktsnap_value *y =
				c < b->nr_cpus && b->per_cpu ? b->per_cpu[c] : NULL;
			size_t p = push_index(d, "per_cpu", c);

			cmp_value(d, x, y, 0);
			pop(d, p);
		}
		return;
	default:
		return;
	}
}

static void entry_op(struct ktsnap_diff *d, enum ktsnap_diff_op op, const struct ktsnap_map *m,
		     const struct ktsnap_map_entry *e)
{
	const char *key = entry_key(d, m, e);
	struct ktsnap_diff_item *it = add_item(d, op);

	if (it)
		it->key = key;
}

/*
 * One distinct identity of the second map: its first entry (to compare
 * keys against) and the queue of its entries not yet paired, linked in
 * order of appearance through next[].
 */
struct ident_slot {
	uint32_t first; /* NO_ENTRY: free slot */
	uint32_t head; /* next entry to pair; NO_ENTRY: all paired */
	uint32_t tail;
};

#define NO_ENTRY UINT32_MAX

static bool same_ident(struct ktsnap_diff *d, const struct ktsnap_map *m, uint32_t j,
		       const uint8_t *p, size_t n)
{
	const uint8_t *q;
	uint8_t tmp[4];

	d->key_compares++;
	return ident(m, &m->entries[j], &q, tmp) == n && !memcmp(p, q, n);
}

/* The slot of identity (@p, @n) in @slots: its own, or the free one where
 * it would go. */
static struct ident_slot *find_slot(struct ktsnap_diff *d, const struct ktsnap_map *b,
				    struct ident_slot *slots, uint32_t mask, const uint8_t *p,
				    size_t n)
{
	uint32_t h = (uint32_t)ktsnap_fnv1a(p, n) & mask;

	while (slots[h].first != NO_ENTRY && !same_ident(d, b, slots[h].first, p, n))
		h = (h + 1) & mask;
	return &slots[h];
}

/*
 * Pair the entries of @a and @b by identity (the raw key of hash maps, the
 * index of arrays).  A map read under churn can list one identity more
 * than once: duplicates pair in order of appearance (the first in @a with
 * the first in @b, and so on) and the surplus of either side is removed
 * or added.  Each entry costs one hash lookup however many duplicates
 * share its key, so the diff stays linear.
 */
static void cmp_entries(struct ktsnap_diff *d, const struct ktsnap_map *a,
			const struct ktsnap_map *b)
{
	struct ident_slot *slots = NULL, *s;
	uint32_t *next = NULL, i, j, mask, cap = 16;
	bool *matched = NULL;

	while (cap < b->nr_entries * 2u && cap < (1u << 30))
		cap <<= 1;
	mask = cap - 1;
	slots = malloc(cap * sizeof(*slots));
	next = malloc((b->nr_entries ? b->nr_entries : 1) * sizeof(*next));
	matched = calloc(b->nr_entries ? b->nr_entries : 1, sizeof(*matched));
	if (!slots || !next || !matched) {
		d->err = -ENOMEM;
		goto out;
	}
	memset(slots, 0xff, cap * sizeof(*slots));
	for (i = 0; i < b->nr_entries; i++) {
		const uint8_t *p;
		uint8_t tmp[4];
		size_t n = ident(b, &b->entries[i], &p, tmp);

		next[i] = NO_ENTRY;
		s = find_slot(d, b, slots, mask, p, n);
		if (s->first == NO_ENTRY) {
			s->first = s->head = s->tail = i;
		} else {
			if (s->head == NO_ENTRY)
				s->head = i;
			else
				next[s->tail] = i;
			s->tail = i;
		}
	}
	for (i = 0; i < a->nr_entries && !d->err; i++) {
		const struct ktsnap_map_entry *ea = &a->entries[i];
		const uint8_t *p;
		uint8_t tmp[4];
		size_t n = ident(a, ea, &p, tmp);

		s = find_slot(d, b, slots, mask, p, n);
		j = s->head;
		if (j == NO_ENTRY) {
			entry_op(d, KTSNAP_DIFF_ENTRY_REMOVED, a, ea);
			continue;
		}
		s->head = next[j];
		matched[j] = true;
		d->key = entry_key(d, a, ea);
		cmp_entry(d, a, ea, &b->entries[j]);
		d->key = NULL;
	}
	for (i = 0; i < b->nr_entries && !d->err; i++)
		if (!matched[i])
			entry_op(d, KTSNAP_DIFF_ENTRY_ADDED, b, &b->entries[i]);
out:
	free(slots);
	free(next);
	free(matched);
}

/* ---- maps ------------------------------------------------------------------------------------ */
static void prop_u64(struct ktsnap_diff *d, const char *path, uint64_t x, uint64_t y)
{
	struct ktsnap_diff_item *it;
	struct ktsnap_value *a, *b;

	if (x == y)
		return;
	it = add_item(d, KTSNAP_DIFF_MAP_CHANGED);
	if (!it)
		return;
	a = ktsnap_arena_alloc(&d->arena, sizeof(*a));
	b = ktsnap_arena_alloc(&d->arena, sizeof(*b));
	if (!a || !b) {
		d->err = -ENOMEM;
		return;
	}
	ktsnap_value_set_uint(a, 64, x);
	ktsnap_value_set_uint(b, 64, y);
	it->path = path;
	it->old_value = a;
	it->new_value = b;
	it->old_text = ktsnap_arena_printf(&d->arena, "%" PRIu64, x);
	it->new_text = ktsnap_arena_printf(&d->arena, "%" PRIu64, y);
	set_delta(it);
}

static void cmp_map(struct ktsnap_diff *d, const struct ktsnap_map *a, const struct ktsnap_map *b)
{
	ktsnap_map_ensure_rendered(a);
	ktsnap_map_ensure_rendered(b);
	d->map = a->name;
	d->key = NULL;
	prop_u64(d, "map_type", a->map_type, b->map_type);
	prop_u64(d, "key_size", a->key_size, b->key_size);
	prop_u64(d, "value_size", a->value_size, b->value_size);
	prop_u64(d, "max_entries", a->max_entries, b->max_entries);
	if (!ktsnap_str_eq(a->error, b->error)) {
		struct ktsnap_diff_item *it = add_item(d, KTSNAP_DIFF_MAP_CHANGED);

		if (it) {
			it->path = "error";
			it->old_text = a->error;
			it->new_text = b->error;
		}
	}
	if (a->ringbuf && b->ringbuf) {
		prop_u64(d, "ringbuf.consumer_pos", a->ringbuf->consumer_pos,
			 b->ringbuf->consumer_pos);
		prop_u64(d, "ringbuf.producer_pos", a->ringbuf->producer_pos,
			 b->ringbuf->producer_pos);
		prop_u64(d, "ringbuf.pending_bytes", a->ringbuf->pending_bytes,
			 b->ringbuf->pending_bytes);
	}
	if (a->stack_trace && b->stack_trace)
		prop_u64(d, "stack_trace.entries", a->stack_trace->nr_entries,
			 b->stack_trace->nr_entries);
	if (a->fd_array && b->fd_array)
		prop_u64(d, "fd_array.populated", a->fd_array->populated, b->fd_array->populated);
	if (a->layout != b->layout) {
		prop_u64(d, "layout", a->layout, b->layout);
		return;
	}
	ktsnap_pathbuf_pop(&d->path, 0);
	if (a->layout == KTSNAP_LAYOUT_VALUE)
		cmp_value(d, a->value, b->value, 0);
	else if (a->layout != KTSNAP_LAYOUT_NONE)
		cmp_entries(d, a, b);
}

struct ktsnap_diff *ktsnap_diff__new(const struct ktsnap_report *a, const struct ktsnap_report *b)
{
	struct ktsnap_diff *d;
	bool *used = NULL;
	int *pair = NULL;
	uint32_t i, j;

	ktsnap_errmsg_clear();
	if (!a || !b)
		return ktsnap_fail_ptr(-EINVAL, "diff: two reports are needed");
	d = calloc(1, sizeof(*d));
	used = calloc(b->nr_maps + 1, sizeof(*used));
	pair = malloc((a->nr_maps + 1) * sizeof(*pair));
	if (!d || !used || !pair)
		goto nomem;
	ktsnap_arena_init(&d->arena);
	/* pair same-name maps: equal ids first, then in order */
	for (i = 0; i < a->nr_maps; i++) {
		pair[i] = -1;
		for (j = 0; j < b->nr_maps && a->maps[i].map_kva; j++)
			if (!used[j] && a->maps[i].map_kva == b->maps[j].map_kva &&
			    !strcmp(a->maps[i].name, b->maps[j].name)) {
				pair[i] = (int)j;
				used[j] = true;
				break;
			}
	}
	for (i = 0; i < a->nr_maps; i++) {
		for (j = 0; j < b->nr_maps && pair[i] < 0; j++)
			if (!used[j] && !strcmp(a->maps[i].name, b->maps[j].name)) {
				pair[i] = (int)j;
				used[j] = true;
			}
	}
	for (i = 0; i < a->nr_maps && !d->err; i++) {
		if (pair[i] < 0) {
			d->map = a->maps[i].name;
			d->key = NULL;
			add_item(d, KTSNAP_DIFF_MAP_REMOVED);
			continue;
		}
		cmp_map(d, &a->maps[i], &b->maps[pair[i]]);
	}
	for (j = 0; j < b->nr_maps && !d->err; j++) {
		if (used[j])
			continue;
		d->map = b->maps[j].name;
		d->key = NULL;
		add_item(d, KTSNAP_DIFF_MAP_ADDED);
	}
	free(used);
	free(pair);
	if (d->err) {
		ktsnap_diff__free(d);
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	}
	return d;
nomem:
	free(used);
	free(pair);
	free(d);
	return ktsnap_fail_ptr(-ENOMEM, "out of memory");
}

void ktsnap_diff__free(struct ktsnap_diff *d)
{
	if (!d)
		return;
	ktsnap_arena_release(&d->arena);
	free(d->items);
	free(d);
}

size_t ktsnap_diff__count(const struct ktsnap_diff *d)
{
	return d ? d->nr : 0;
}

const struct ktsnap_diff_item *ktsnap_diff__item(const struct ktsnap_diff *d, size_t i)
{
	return ktsnap_index_ok(i, d ? d->nr : 0, "diff item") ? &d->items[i] : NULL;
}

const struct ktsnap_diff_item *ktsnap_diff__find(const struct ktsnap_diff *d, const char *map,
						 const char *key, const char *path)
{
	size_t i;

	for (i = 0; d && map && path && i < d->nr; i++) {
		const struct ktsnap_diff_item *it = &d->items[i];

		if ((it->op == KTSNAP_DIFF_VALUE_CHANGED || it->op == KTSNAP_DIFF_MAP_CHANGED) &&
		    !strcmp(it->map, map) && it->path && !strcmp(it->path, path) &&
		    (!key || (it->key && !strcmp(it->key, key))))
			return it;
	}
	return NULL;
}

/* ---- output ------------------------------------------------------------------------------------ */
static void fprint_delta(FILE *f, const struct ktsnap_diff_item *it)
{
	char buf[64];

	if (!it->has_delta)
		return;
	if (it->delta_is_float) {
		ktsnap_f64__format(it->fdelta, buf, sizeof(buf));
		fprintf(f, " (%s%s)", it->fdelta >= 0 && buf[0] != '-' ? "+" : "", buf);
	} else {
		fprintf(f, " (%c%" PRIu64 ")", it->delta_negative ? '-' : '+', it->delta);
	}
}

/* a map name, key or path from a report file, control characters escaped */
static void put_name(FILE *f, const char *prefix, const char *name, const char *suffix)
{
	struct ktsnap_sink s = { .f = f };

	sink_puts(&s, prefix);
	sink_put_name(&s, name);
	sink_puts(&s, suffix);
}

int ktsnap_diff__write_text(const struct ktsnap_diff *d, FILE *f)
{
	const char *cur = NULL;
	size_t i;

	if (!d || !f)
		return ktsnap_fail(-EINVAL, "diff write_text needs a diff and a stream");
	if (!d->nr)
		fprintf(f, "no differences\n");
	for (i = 0; i < d->nr; i++) {
		const struct ktsnap_diff_item *it = &d->items[i];

		switch (it->op) {
		case KTSNAP_DIFF_MAP_ADDED:
			put_name(f, "+ map ", it->map, "\n");
			cur = NULL;
			continue;
		case KTSNAP_DIFF_MAP_REMOVED:
			put_name(f, "- map ", it->map, "\n");
			cur = NULL;
			continue;
		default:
			break;
		}
		if (cur != it->map) {
			put_name(f, "", it->map, ":\n");
			cur = it->map;
		}
		switch (it->op) {
		case KTSNAP_DIFF_ENTRY_ADDED:
			put_name(f, "  + [", it->key ? it->key : "?", "]\n");
			break;
		case KTSNAP_DIFF_ENTRY_REMOVED:
			put_name(f, "  - [", it->key ? it->key : "?", "]\n");
			break;
		default:
			fprintf(f, "  ");
			if (it->key)
				put_name(f, "[", it->key, "] ");
			put_name(f, "", *it->path ? it->path : "value", ": ");
			fprintf(f, "%s → %s", it->old_text ? it->old_text : "(none)",
				it->new_text ? it->new_text : "(none)");
			fprint_delta(f, it);
			fputc('\n', f);
		}
	}
	if (ferror(f))
		return ktsnap_fail(-EIO, "diff: writing the text failed: %s",
				   strerror(errno ? errno : EIO));
	return 0;
}

static const char *const op_names[] = {
	[KTSNAP_DIFF_MAP_ADDED] = "map_added",	       [KTSNAP_DIFF_MAP_REMOVED] = "map_removed",
	[KTSNAP_DIFF_MAP_CHANGED] = "map_changed",     [KTSNAP_DIFF_ENTRY_ADDED] = "entry_added",
	[KTSNAP_DIFF_ENTRY_REMOVED] = "entry_removed", [KTSNAP_DIFF_VALUE_CHANGED] = "changed",
};

static void write_side(struct json_writer *w, const char *key, const struct ktsnap_value *v,
		       const char *text)
{
	jw_key(w, key);
	if (v)
		ktsnap_json_write_value(w, v);
	else
		jw_str(w, text);
}

int ktsnap_diff__write_json(const struct ktsnap_diff *d, FILE *f, unsigned int flags)
{
	size_t counts[6] = { 0 }, i;
	struct json_writer *w;
	int err;

	if (!d || !f)
		return ktsnap_fail(-EINVAL, "diff write_json needs a diff and a stream");
	w = malloc(sizeof(*w));
	if (!w)
		return ktsnap_fail(-ENOMEM, "out of memory");
	jw_init(w, f, flags & KTSNAP_JSON_PRETTY);
	for (i = 0; i < d->nr; i++)
		counts[d->items[i].op]++;
	jw_obj_begin(w);
	jw_key(w, "summary");
	jw_obj_begin(w);
	for (i = 0; i < 6; i++)
		jw_kv_u64(w, op_names[i], counts[i]);
	jw_obj_end(w);
	jw_key(w, "changes");
	jw_arr_begin(w);
	for (i = 0; i < d->nr; i++) {
		const struct ktsnap_diff_item *it = &d->items[i];

		jw_obj_begin(w);
		jw_kv_str(w, "op", op_names[it->op]);
		jw_kv_str(w, "map", it->map);
		if (it->key)
			jw_kv_str(w, "key", it->key);
		if (it->op == KTSNAP_DIFF_MAP_CHANGED || it->op == KTSNAP_DIFF_VALUE_CHANGED) {
			jw_kv_str(w, "path", it->path);
			write_side(w, "old", it->old_value, it->old_text);
			write_side(w, "new", it->new_value, it->new_text);
			if (it->has_delta) {
				jw_key(w, "delta");
				if (it->delta_is_float)
					jw_f64(w, it->fdelta);
				else
					jw_signmag(w, it->delta_negative, it->delta);
			}
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	err = jw_finish(w);
	free(w);
	if (err)
		return ktsnap_fail(err, "diff: writing the JSON failed: %s", strerror(-err));
	return 0;
}

size_t ktsnap_diff_key_compares(const struct ktsnap_diff *d)
{
	return d ? d->key_compares : 0;
}
