// SPDX-License-Identifier: MIT
/*
 * The report model: ownership (arena + raw buffers + BTF), builders used by
 * the capture and the JSON reader, and the read-only accessors of
 * include/ktsnap/report.h including the raw-layer navigation of spec §4.2.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "report_internal.h"
#include "log_internal.h"

/* ---- arena ----------------------------------------------------------------- */
struct ktsnap_arena_chunk {
	struct ktsnap_arena_chunk *next;
	size_t cap;
	_Alignas(16) unsigned char data[];
};

#define ARENA_MIN_CHUNK (64 * 1024)

void ktsnap_arena_init(struct ktsnap_arena *a)
{
	memset(a, 0, sizeof(*a));
}

void ktsnap_arena_release(struct ktsnap_arena *a)
{
	struct ktsnap_arena_chunk *c = a->head, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	memset(a, 0, sizeof(*a));
}

void *ktsnap_arena_alloc(struct ktsnap_arena *a, size_t size)
{
	struct ktsnap_arena_chunk *c;
	size_t need = (size + 7) & ~(size_t)7;
	void *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	if (!a->head || a->cap - a->used < need) {
		/* Grow geometrically so big reports need few chunks. */
		size_t cap = a->total / 2;

		if (cap < ARENA_MIN_CHUNK)
			cap = ARENA_MIN_CHUNK;
		if (cap < need)
			cap = need;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = a->head;
		c->cap = cap;
		a->head = c;
		a->cap = cap;
		a->used = 0;
	}
	p = a->head->data + a->used;
	a->used += need;
	a->total += need;
	memset(p, 0, size);
	return p;
}

void ktsnap_arena_reset(struct ktsnap_arena *a)
{
	struct ktsnap_arena_chunk *c, *next;

	if (!a->head)
		return;
	for (c = a->head->next; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head->next = NULL;
	a->used = 0;
	a->total = 0;
}

void ktsnap_arena_splice(struct ktsnap_arena *dst, struct ktsnap_arena *src)
{
	struct ktsnap_arena_chunk *tail = src->head;

	if (!tail)
		return;
	while (tail->next)
		tail = tail->next;
	if (dst->head) {
		tail->next = dst->head->next;
		dst->head->next = src->head;
	} else {
		dst->head = src->head;
		dst->cap = src->cap;
		dst->used = src->used;
	}
	dst->total += src->total;
	memset(src, 0, sizeof(*src));
}

void *ktsnap_arena_memdup(struct ktsnap_arena *a, const void *src, size_t n)
{
	void *p = ktsnap_arena_alloc(a, n ? n : 1);

	if (p && n)
		memcpy(p, src, n);
	return p;
}

char *ktsnap_arena_strndup(struct ktsnap_arena *a, const char *s, size_t n)
{
	char *p = ktsnap_arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *ktsnap_arena_strdup(struct ktsnap_arena *a, const char *s)
{
	return s ? ktsnap_arena_strndup(a, s, strlen(s)) : NULL;
}

char *ktsnap_arena_printf(struct ktsnap_arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	char *p;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return NULL;
	}
	p = ktsnap_arena_alloc(a, (size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

char *ktsnap_hex_string(struct ktsnap_arena *a, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = ktsnap_arena_alloc(a, n ? n * 3 : 1);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < n; i++) {
		s[i * 3] = digits[p[i] >> 4];
		s[i * 3 + 1] = digits[p[i] & 0xf];
		s[i * 3 + 2] = i + 1 < n ? ' ' : '\0';
	}
	if (!n)
		s[0] = '\0';
	return s;
}

/* ---- lifecycle --------------------------------------------------------------- */
struct ktsnap_report *ktsnap_report__new(void)
{
	struct ktsnap_report *r = calloc(1, sizeof(*r));

	if (!r)
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	ktsnap_arena_init(&r->arena);
	pthread_mutex_init(&r->render_lock, NULL);
	pthread_mutex_init(&r->index_lock, NULL);
	r->schema = "single";
	return r;
}

struct ktsnap_report *ktsnap_report__placeholder(const char *reason)
{
	struct ktsnap_report *r = ktsnap_report__new();
	const char *s;

	if (!r)
		return NULL;
	s = ktsnap_arena_strdup(&r->arena, reason ? reason : "");
	if (!s) {
		ktsnap_report__free(r);
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	}
	r->is_placeholder = true;
	r->prog_runtime_stats_unavailable = s;
	r->per_node_numa_unavailable = s;
	r->task_enrichments_unavailable = s;
	r->scx_walker_unavailable = s;
	r->sdt_alloc_unavailable = s;
	return r;
}

void ktsnap_report__free(struct ktsnap_report *r)
{
	size_t i;

	if (!r)
		return;
	if (r->view_index && r->view_index_free)
		r->view_index_free(r->view_index);
	ktsnap_report__free(r->early);
	for (i = 0; i < r->nr_maps; i++)
		free(r->maps[i].raw);
	free(r->maps);
	for (i = 0; i < r->nr_btfs; i++)
		btf__free(r->btfs[i]);
	free(r->btfs);
	pthread_mutex_destroy(&r->render_lock);
	pthread_mutex_destroy(&r->index_lock);
	ktsnap_arena_release(&r->arena);
	free(r);
}

/* ---- builders ------------------------------------------------------------------ */
struct ktsnap_map *ktsnap_report_add_map(struct ktsnap_report *r, const char *name)
{
	struct ktsnap_map *m;

	if (r->nr_maps == r->maps_cap) {
		uint32_t cap = r->maps_cap ? r->maps_cap * 2 : 16;
		struct ktsnap_map *n = realloc(r->maps, cap * sizeof(*n));

		if (!n)
			return NULL;
		r->maps = n;
		r->maps_cap = cap;
	}
	m = &r->maps[r->nr_maps];
	memset(m, 0, sizeof(*m));
	m->name = ktsnap_arena_strdup(&r->arena, name ? name : "");
	if (!m->name)
		return NULL;
	m->owner = r;
	atomic_init(&m->rendered, true);
	r->nr_maps++;
	return m;
}

int ktsnap_map_set_error(struct ktsnap_report *r, struct ktsnap_map *m, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	char *s;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (m->error)
		s = ktsnap_arena_printf(&r->arena, "%s; %s", m->error, buf);
	else
		s = ktsnap_arena_strdup(&r->arena, buf);
	if (!s)
		return -ENOMEM;
	m->error = s;
	return 0;
}

int ktsnap_report_own_btf(struct ktsnap_report *r, struct btf *btf)
{
	struct btf **n = realloc(r->btfs, (r->nr_btfs + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	r->btfs = n;
	r->btfs[r->nr_btfs++] = btf;
	return 0;
}

struct ktsnap_value *ktsnap_value_new(struct ktsnap_report *r, enum ktsnap_value_kind kind)
{
	struct ktsnap_value *v = ktsnap_arena_alloc(&r->arena, sizeof(*v));

	if (v)
		v->kind = kind;
	return v;
}

struct ktsnap_value *ktsnap_value_new_uint(struct ktsnap_report *r, uint32_t bits, uint64_t x)
{
	struct ktsnap_value *v = ktsnap_value_new(r, KTSNAP_VALUE_UINT);

	if (v) {
		v->u.bits = bits;
		v->u.v = x;
	}
	return v;
}

struct ktsnap_value *ktsnap_value_new_struct(struct ktsnap_report *r, const char *type_name,
					     uint32_t nr)
{
	struct ktsnap_value *v = ktsnap_value_new(r, KTSNAP_VALUE_STRUCT);

	if (!v)
		return NULL;
	if (type_name && !(v->s.type_name = ktsnap_arena_strdup(&r->arena, type_name)))
		return NULL;
	if (nr && !(v->s.m = ktsnap_arena_alloc(&r->arena, nr * sizeof(*v->s.m))))
		return NULL;
	v->s.nr = nr;
	return v;
}

struct ktsnap_value *ktsnap_value_new_array(struct ktsnap_report *r, uint64_t len, uint32_t nr)
{
	struct ktsnap_value *v = ktsnap_value_new(r, KTSNAP_VALUE_ARRAY);

	if (!v)
		return NULL;
	if (nr && !(v->a.elems = ktsnap_arena_alloc(&r->arena, nr * sizeof(*v->a.elems))))
		return NULL;
	v->a.len = len;
	v->a.nr = nr;
	return v;
}

/* ---- value accessors (raw layer, spec §4.2) --------------------------------------- */
static const char *const kind_names[] = {
	[KTSNAP_VALUE_INT] = "Int",		[KTSNAP_VALUE_UINT] = "Uint",
	[KTSNAP_VALUE_BOOL] = "Bool",		[KTSNAP_VALUE_CHAR] = "Char",
	[KTSNAP_VALUE_FLOAT] = "Float",		[KTSNAP_VALUE_ENUM] = "Enum",
	[KTSNAP_VALUE_STRUCT] = "Struct",	[KTSNAP_VALUE_ARRAY] = "Array",
	[KTSNAP_VALUE_CPU_LIST] = "CpuList",	[KTSNAP_VALUE_PTR] = "Ptr",
	[KTSNAP_VALUE_BYTES] = "Bytes",		[KTSNAP_VALUE_TRUNCATED] = "Truncated",
	[KTSNAP_VALUE_UNSUPPORTED] = "Unsupported",
};

static const char *const kind_tags[] = {
	[KTSNAP_VALUE_INT] = "int",		[KTSNAP_VALUE_UINT] = "uint",
	[KTSNAP_VALUE_BOOL] = "bool",		[KTSNAP_VALUE_CHAR] = "char",
	[KTSNAP_VALUE_FLOAT] = "float",		[KTSNAP_VALUE_ENUM] = "enum",
	[KTSNAP_VALUE_STRUCT] = "struct",	[KTSNAP_VALUE_ARRAY] = "array",
	[KTSNAP_VALUE_CPU_LIST] = "cpu_list",	[KTSNAP_VALUE_PTR] = "ptr",
	[KTSNAP_VALUE_BYTES] = "bytes",		[KTSNAP_VALUE_TRUNCATED] = "truncated",
	[KTSNAP_VALUE_UNSUPPORTED] = "unsupported",
};

const char *ktsnap_value_kind__name(enum ktsnap_value_kind kind)
{
	if ((unsigned)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "Unknown";
	return kind_names[kind];
}

const char *ktsnap_value_kind__tag(enum ktsnap_value_kind kind)
{
	if ((unsigned)kind >= sizeof(kind_tags) / sizeof(kind_tags[0]))
		return "unknown";
	return kind_tags[kind];
}

enum ktsnap_value_kind ktsnap_value__kind(const struct ktsnap_value *v)
{
	return v ? v->kind : KTSNAP_VALUE_UNSUPPORTED;
}

/* Look through Ptr{deref} and Truncated{partial} (bounded: trees are
 * acyclic but hostile files can nest deeply). */
static const struct ktsnap_value *peel(const struct ktsnap_value *v)
{
	int hops = 0;

	while (v && hops++ < 64) {
		if (v->kind == KTSNAP_VALUE_PTR && v->p.deref)
			v = v->p.deref;
		else if (v->kind == KTSNAP_VALUE_TRUNCATED && v->t.partial)
			v = v->t.partial;
		else
			return v;
	}
	return v;
}

static const struct ktsnap_value *member_n(const struct ktsnap_value *v, const char *name,
					   size_t len)
{
	uint32_t i;

	v = peel(v);
	if (!v || v->kind != KTSNAP_VALUE_STRUCT)
		return NULL;
	for (i = 0; i < v->s.nr; i++) {
		const char *n = v->s.m[i].name;

		if (strlen(n) == len && !memcmp(n, name, len))
			return &v->s.m[i].v;
	}
	return NULL;
}

const struct ktsnap_value *ktsnap_value__member(const struct ktsnap_value *v, const char *name)
{
	return name ? member_n(v, name, strlen(name)) : NULL;
}

const struct ktsnap_value *ktsnap_value__index(const struct ktsnap_value *v, size_t i)
{
	v = peel(v);
	if (!v || v->kind != KTSNAP_VALUE_ARRAY || i >= v->a.nr)
		return NULL;
	return &v->a.elems[i];
}

const struct ktsnap_value *ktsnap_value__get(const struct ktsnap_value *v, const char *path)
{
	const char *p = path, *dot;

	if (!v || !path)
		return NULL;
	if (!*path)
		return v;
	for (;;) {
		dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		if (!len)
			return NULL;
		v = member_n(v, p, len);
		if (!v || !dot)
			return v;
		p = dot + 1;
	}
}

int ktsnap_value__as_u64(const struct ktsnap_value *v, uint64_t *out)
{
	if (!v)
		return -EINVAL;
	switch (v->kind) {
	case KTSNAP_VALUE_UINT:
		*out = v->u.v;
		return 0;
	case KTSNAP_VALUE_INT:
		if (v->i.v < 0)
			return -EINVAL;
		*out = (uint64_t)v->i.v;
		return 0;
	case KTSNAP_VALUE_BOOL:
		*out = v->b;
		return 0;
	case KTSNAP_VALUE_CHAR:
		*out = v->c;
		return 0;
	case KTSNAP_VALUE_ENUM:
		if (v->e.is_signed && v->e.v < 0)
			return -EINVAL;
		*out = (uint64_t)v->e.v;
		return 0;
	case KTSNAP_VALUE_PTR:
		*out = v->p.v;
		return 0;
	default:
		return -EINVAL;
	}
}

int ktsnap_value__as_i64(const struct ktsnap_value *v, int64_t *out)
{
	if (!v)
		return -EINVAL;
	switch (v->kind) {
	case KTSNAP_VALUE_INT:
		*out = v->i.v;
		return 0;
	case KTSNAP_VALUE_UINT:
		if (v->u.v > INT64_MAX)
			return -EINVAL;
		*out = (int64_t)v->u.v;
		return 0;
	case KTSNAP_VALUE_BOOL:
		*out = v->b;
		return 0;
	case KTSNAP_VALUE_CHAR:
		*out = v->c;
		return 0;
	case KTSNAP_VALUE_ENUM:
		*out = v->e.v;
		return 0;
	default:
		return -EINVAL;
	}
}

int ktsnap_value__as_f64(const struct ktsnap_value *v, double *out)
{
	if (!v)
		return -EINVAL;
	switch (v->kind) {
	case KTSNAP_VALUE_FLOAT:
		*out = v->f.v;
		return 0;
	case KTSNAP_VALUE_INT:
		*out = (double)v->i.v;
		return 0;
	case KTSNAP_VALUE_UINT:
		*out = (double)v->u.v;
		return 0;
	case KTSNAP_VALUE_ENUM:
		*out = v->e.is_signed ? (double)v->e.v : (double)(uint64_t)v->e.v;
		return 0;
	default:
		return -EINVAL;
	}
}

int ktsnap_value__as_bool(const struct ktsnap_value *v, bool *out)
{
	if (!v)
		return -EINVAL;
	switch (v->kind) {
	case KTSNAP_VALUE_BOOL:
		*out = v->b;
		return 0;
	case KTSNAP_VALUE_INT:
		*out = v->i.v != 0;
		return 0;
	case KTSNAP_VALUE_UINT:
		*out = v->u.v != 0;
		return 0;
	case KTSNAP_VALUE_CHAR:
		*out = v->c != 0;
		return 0;
	case KTSNAP_VALUE_ENUM:
		*out = v->e.v != 0;
		return 0;
	case KTSNAP_VALUE_PTR:
		*out = v->p.v != 0;
		return 0;
	default:
		return -EINVAL;
	}
}

#define IS(v, k) ((v) && (v)->kind == KTSNAP_VALUE_##k)

uint32_t ktsnap_value__bits(const struct ktsnap_value *v)
{
	if (IS(v, INT))
		return v->i.bits;
	if (IS(v, UINT))
		return v->u.bits;
	if (IS(v, FLOAT))
		return v->f.bits;
	if (IS(v, ENUM))
		return v->e.bits;
	return 0;
}

int64_t ktsnap_value__int(const struct ktsnap_value *v)
{
	return IS(v, INT) ? v->i.v : IS(v, ENUM) ? v->e.v : 0;
}

uint64_t ktsnap_value__uint(const struct ktsnap_value *v)
{
	return IS(v, UINT) ? v->u.v : IS(v, PTR) ? v->p.v : 0;
}

bool ktsnap_value__bool(const struct ktsnap_value *v)
{
	return IS(v, BOOL) ? v->b : false;
}

uint8_t ktsnap_value__char(const struct ktsnap_value *v)
{
	return IS(v, CHAR) ? v->c : 0;
}

double ktsnap_value__float(const struct ktsnap_value *v)
{
	return IS(v, FLOAT) ? v->f.v : 0.0;
}

const char *ktsnap_value__enum_variant(const struct ktsnap_value *v)
{
	return IS(v, ENUM) ? v->e.variant : NULL;
}

bool ktsnap_value__enum_is_signed(const struct ktsnap_value *v)
{
	return IS(v, ENUM) ? v->e.is_signed : false;
}

const char *ktsnap_value__type_name(const struct ktsnap_value *v)
{
	return IS(v, STRUCT) ? v->s.type_name : NULL;
}

size_t ktsnap_value__member_count(const struct ktsnap_value *v)
{
	return IS(v, STRUCT) ? v->s.nr : 0;
}

const struct ktsnap_value *ktsnap_value__member_at(const struct ktsnap_value *v, size_t i,
						   const char **name)
{
	if (!IS(v, STRUCT) || i >= v->s.nr)
		return NULL;
	if (name)
		*name = v->s.m[i].name;
	return &v->s.m[i].v;
}

uint64_t ktsnap_value__array_len(const struct ktsnap_value *v)
{
	return IS(v, ARRAY) ? v->a.len : 0;
}

size_t ktsnap_value__element_count(const struct ktsnap_value *v)
{
	return IS(v, ARRAY) ? v->a.nr : 0;
}

const char *ktsnap_value__cpus(const struct ktsnap_value *v)
{
	return IS(v, CPU_LIST) ? v->cpus : NULL;
}

const struct ktsnap_value *ktsnap_value__ptr_deref(const struct ktsnap_value *v)
{
	return IS(v, PTR) ? v->p.deref : NULL;
}

const char *ktsnap_value__ptr_skip_reason(const struct ktsnap_value *v)
{
	return IS(v, PTR) ? v->p.skip_reason : NULL;
}

const char *ktsnap_value__ptr_cast_annotation(const struct ktsnap_value *v)
{
	return IS(v, PTR) ? v->p.cast : NULL;
}

const char *ktsnap_value__hex(const struct ktsnap_value *v)
{
	return IS(v, BYTES) ? v->hex : NULL;
}

uint64_t ktsnap_value__truncated_needed(const struct ktsnap_value *v)
{
	return IS(v, TRUNCATED) ? v->t.needed : 0;
}

uint64_t ktsnap_value__truncated_had(const struct ktsnap_value *v)
{
	return IS(v, TRUNCATED) ? v->t.had : 0;
}

const struct ktsnap_value *ktsnap_value__truncated_partial(const struct ktsnap_value *v)
{
	return IS(v, TRUNCATED) ? v->t.partial : NULL;
}

const char *ktsnap_value__unsupported_reason(const struct ktsnap_value *v)
{
	return IS(v, UNSUPPORTED) ? v->reason : NULL;
}

/* ---- map and entry accessors ------------------------------------------------------ */
size_t ktsnap_report__map_count(const struct ktsnap_report *r)
{
	return r ? r->nr_maps : 0;
}

const struct ktsnap_map *ktsnap_report__map_by_index(const struct ktsnap_report *r, size_t i)
{
	if (!r || i >= r->nr_maps) {
		errno = ERANGE;
		return NULL;
	}
	return &r->maps[i];
}

const struct ktsnap_map *ktsnap_report__map_by_name(const struct ktsnap_report *r,
						    const char *name)
{
	uint32_t i;

	for (i = 0; r && name && i < r->nr_maps; i++)
		if (!strcmp(r->maps[i].name, name))
			return &r->maps[i];
	errno = ENOENT;
	return NULL;
}

const char *ktsnap_map__name(const struct ktsnap_map *m)
{
	return m->name;
}

uint64_t ktsnap_map__kva(const struct ktsnap_map *m)
{
	return m->map_kva;
}

uint32_t ktsnap_map__type(const struct ktsnap_map *m)
{
	return m->map_type;
}

uint32_t ktsnap_map__key_size(const struct ktsnap_map *m)
{
	return m->key_size;
}

uint32_t ktsnap_map__value_size(const struct ktsnap_map *m)
{
	return m->value_size;
}

uint32_t ktsnap_map__max_entries(const struct ktsnap_map *m)
{
	return m->max_entries;
}

const char *ktsnap_map__error(const struct ktsnap_map *m)
{
	return m->error;
}

enum ktsnap_map_layout ktsnap_map__layout(const struct ktsnap_map *m)
{
	return m->layout;
}

const struct ktsnap_value *ktsnap_map__value(const struct ktsnap_map *m)
{
	ktsnap_map_ensure_rendered(m);
	return m->value;
}

size_t ktsnap_map__entry_count(const struct ktsnap_map *m)
{
	return m->nr_entries;
}

const struct ktsnap_map_entry *ktsnap_map__entry(const struct ktsnap_map *m, size_t i)
{
	if (i >= m->nr_entries) {
		errno = ERANGE;
		return NULL;
	}
	ktsnap_map_ensure_rendered(m);
	return &m->entries[i];
}

uint32_t ktsnap_map__cpu_count(const struct ktsnap_map *m)
{
	return m->nr_cpus;
}

const struct ktsnap_ringbuf_info *ktsnap_map__ringbuf(const struct ktsnap_map *m)
{
	return m->ringbuf;
}

const struct ktsnap_stack_trace_info *ktsnap_map__stack_trace(const struct ktsnap_map *m)
{
	return m->stack_trace;
}

const struct ktsnap_fd_array_info *ktsnap_map__fd_array(const struct ktsnap_map *m)
{
	return m->fd_array;
}

const struct ktsnap_value *ktsnap_map_entry__key(const struct ktsnap_map_entry *e)
{
	return e->key_rv;
}

const struct ktsnap_value *ktsnap_map_entry__value(const struct ktsnap_map_entry *e)
{
	return e->val_rv;
}

const struct ktsnap_value *ktsnap_map_entry__payload(const struct ktsnap_map_entry *e)
{
	return e->payload;
}

const uint8_t *ktsnap_map_entry__key_bytes(const struct ktsnap_map_entry *e, size_t *len)
{
	*len = e->key ? e->key_len : 0;
	return e->key;
}

const uint8_t *ktsnap_map_entry__value_bytes(const struct ktsnap_map_entry *e, size_t *len)
{
	*len = e->val ? e->val_len : 0;
	return e->val;
}

uint32_t ktsnap_map_entry__index(const struct ktsnap_map_entry *e)
{
	return e->index;
}

const struct ktsnap_value *ktsnap_map_entry__cpu_value(const struct ktsnap_map_entry *e,
						       uint32_t cpu)
{
	if (!e->per_cpu || cpu >= e->nr_cpus)
		return NULL;
	return e->per_cpu[cpu];
}

/* ---- report accessors ---------------------------------------------------------------- */
const char *ktsnap_report__schema(const struct ktsnap_report *r)
{
	return r->schema;
}

bool ktsnap_report__is_placeholder(const struct ktsnap_report *r)
{
	return r->is_placeholder;
}

uint64_t ktsnap_report__capture_ns(const struct ktsnap_report *r)
{
	return r->capture_ns;
}

uint64_t ktsnap_report__timestamp_ns(const struct ktsnap_report *r)
{
	return r->timestamp_ns;
}

const char *ktsnap_report__active_obj_name(const struct ktsnap_report *r)
{
	return r->active_obj_name;
}

const uint64_t *ktsnap_report__active_map_kvas(const struct ktsnap_report *r, size_t *n)
{
	*n = r->nr_active_map_kvas;
	return r->active_map_kvas;
}

#define LIST_ACCESSOR(type, field)                                                        \
	const struct type *ktsnap_report__##field(const struct ktsnap_report *r, size_t *n) \
	{                                                                                 \
		*n = r->nr_##field;                                                       \
		return r->field;                                                          \
	}

LIST_ACCESSOR(ktsnap_prog_runtime_stat, prog_runtime_stats)
LIST_ACCESSOR(ktsnap_per_cpu_time, per_cpu_time)
LIST_ACCESSOR(ktsnap_per_node_numa, per_node_numa)
LIST_ACCESSOR(ktsnap_cgroup_psi, cgroup_psi)
LIST_ACCESSOR(ktsnap_task_enrichment, task_enrichments)
LIST_ACCESSOR(ktsnap_event_counter_sample, event_counter_timeline)
LIST_ACCESSOR(ktsnap_rq_scx_state, rq_scx_states)
LIST_ACCESSOR(ktsnap_dsq_state, dsq_states)

const struct ktsnap_scx_sched_state *ktsnap_report__scx_sched_state(const struct ktsnap_report *r)
{
	return r->scx_sched_state;
}

const struct ktsnap_probe_counters *ktsnap_report__probe_counters(const struct ktsnap_report *r)
{
	return r->probe_counters;
}

const char *ktsnap_report__prog_runtime_stats_unavailable(const struct ktsnap_report *r)
{
	return r->prog_runtime_stats_unavailable;
}

const char *ktsnap_report__per_node_numa_unavailable(const struct ktsnap_report *r)
{
	return r->per_node_numa_unavailable;
}

const char *ktsnap_report__task_enrichments_unavailable(const struct ktsnap_report *r)
{
	return r->task_enrichments_unavailable;
}

const char *ktsnap_report__scx_walker_unavailable(const struct ktsnap_report *r)
{
	return r->scx_walker_unavailable;
}

const char *ktsnap_report__sdt_alloc_unavailable(const struct ktsnap_report *r)
{
	return r->sdt_alloc_unavailable;
}
