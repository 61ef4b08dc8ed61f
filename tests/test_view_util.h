/* SPDX-License-Identifier: MIT */
/* Hand-built reports for the view tests (no BPF needed). */
#ifndef TEST_VIEW_UTIL_H
#define TEST_VIEW_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/display.h>
#include <ktsnap/view.h>
#include "report_internal.h"

static inline struct ktsnap_value tv_u(uint32_t bits, uint64_t x)
{
	return (struct ktsnap_value){ .kind = KTSNAP_VALUE_UINT, .u = { bits, x } };
}

static inline struct ktsnap_value tv_i(uint32_t bits, int64_t x)
{
	return (struct ktsnap_value){ .kind = KTSNAP_VALUE_INT, .i = { bits, x } };
}

/* Struct with members "a", 1, "b", 2 …: NULL-terminated name/uint pairs. */
static inline struct ktsnap_value *tv_struct(struct ktsnap_report *r, const char *type, ...)
{
	struct ktsnap_value *v;
	const char *names[64];
	uint64_t vals[64];
	uint32_t n = 0, i;
	va_list ap;

	va_start(ap, type);
	while (n < 64 && (names[n] = va_arg(ap, const char *)))
		vals[n++] = va_arg(ap, uint64_t);
	va_end(ap);
	v = ktsnap_value_new_struct(r, type, n);
	for (i = 0; i < n; i++) {
		v->s.m[i].name = ktsnap_arena_strdup(&r->arena, names[i]);
		v->s.m[i].v = tv_u(64, vals[i]);
	}
	return v;
}

/* Global section @name whose value is @v (a DATASEC-like struct). */
static inline struct ktsnap_map *tv_global(struct ktsnap_report *r, const char *name,
					   uint64_t kva, struct ktsnap_value *v)
{
	struct ktsnap_map *m = ktsnap_report_add_map(r, name);

	m->map_kva = kva;
	m->map_type = 2; /* BPF_MAP_TYPE_ARRAY */
	m->max_entries = 1;
	m->layout = v ? KTSNAP_LAYOUT_VALUE : KTSNAP_LAYOUT_NONE;
	m->value = v;
	return m;
}

/* Hash map of @n entries: key Uint(32, key0 + i), value {pid=i, weight=10*i}. */
static inline struct ktsnap_map *tv_hash(struct ktsnap_report *r, const char *name, uint32_t n,
					 bool with_btf)
{
	struct ktsnap_map *m = ktsnap_report_add_map(r, name);
	uint32_t i;

	m->map_type = 1;
	m->key_size = 4;
	m->value_size = 16;
	m->max_entries = n ? n : 1;
	m->layout = KTSNAP_LAYOUT_HASH;
	m->entries = ktsnap_arena_alloc(&r->arena, (n ? n : 1) * sizeof(*m->entries));
	m->nr_entries = n;
	for (i = 0; i < n; i++) {
		struct ktsnap_map_entry *e = &m->entries[i];
		uint32_t *key = ktsnap_arena_alloc(&r->arena, 4);

		*key = i;
		e->key = (const uint8_t *)key;
		e->key_len = 4;
		if (with_btf) {
			e->key_rv = ktsnap_value_new_uint(r, 32, i);
			e->val_rv = tv_struct(r, "val", "pid", (uint64_t)i, "weight",
					      (uint64_t)10 * i, NULL);
		}
	}
	return m;
}

/* Per-CPU array: @n keys, @nr_cpus slots; slot value Uint(64, key*100+cpu),
 * except slots listed as absent by @absent (bitmask of cpus). */
static inline struct ktsnap_map *tv_percpu(struct ktsnap_report *r, const char *name, uint32_t n,
					   uint32_t nr_cpus, uint32_t absent, bool hash)
{
	struct ktsnap_map *m = ktsnap_report_add_map(r, name);
	uint32_t i, c;

	m->map_type = hash ? 5 : 6;
	m->layout = hash ? KTSNAP_LAYOUT_PERCPU_HASH : KTSNAP_LAYOUT_PERCPU_ARRAY;
	m->entries = ktsnap_arena_alloc(&r->arena, (n ? n : 1) * sizeof(*m->entries));
	m->nr_entries = n;
	m->nr_cpus = nr_cpus;
	for (i = 0; i < n; i++) {
		struct ktsnap_map_entry *e = &m->entries[i];

		e->index = i;
		e->nr_cpus = nr_cpus;
		e->per_cpu = ktsnap_arena_alloc(&r->arena, nr_cpus * sizeof(*e->per_cpu));
		if (hash)
			e->key_rv = ktsnap_value_new_uint(r, 32, 1000 + i);
		for (c = 0; c < nr_cpus; c++)
			if (!(absent & (1u << c)))
				e->per_cpu[c] = ktsnap_value_new_uint(r, 64, i * 100 + c);
	}
	return m;
}

/* Formatted error (static buffer; tests are single-threaded). */
static inline const char *tv_errstr(const struct ktsnap_error *e)
{
	static char buf[8192];

	if (ktsnap_error__format(e, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "<no error>");
	return buf;
}

#endif
