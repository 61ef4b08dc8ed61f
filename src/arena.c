// SPDX-License-Identifier: MIT
/*
 * The report arena: a chunked bump allocator that owns every value, name
 * and buffer of a report (freed all at once), with the string and hex
 * helpers that allocate from it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

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
	size_t min_chunk = a->min_chunk;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	memset(a, 0, sizeof(*a));
	a->min_chunk = min_chunk;
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

		if (cap < (a->min_chunk ? a->min_chunk : ARENA_MIN_CHUNK))
			cap = a->min_chunk ? a->min_chunk : ARENA_MIN_CHUNK;
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

void ktsnap_arena_mark(const struct ktsnap_arena *a, struct ktsnap_arena_mark *m)
{
	m->head = a->head;
	m->used = a->used;
	m->total = a->total;
}

void ktsnap_arena_rewind(struct ktsnap_arena *a, const struct ktsnap_arena_mark *m)
{
	if (!a->head || a->head != m->head)
		return;
	a->used = m->used;
	a->total = m->total;
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
