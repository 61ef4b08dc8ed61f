/* SPDX-License-Identifier: MIT */
/*
 * util: the small helpers every part of the library shares, so that each
 * rule is written once: growing an array (with the overflow check), string
 * equality that accepts NULL, membership in a list of ids, little-endian
 * integers, one FNV-1a hash, a bounded dotted-path buffer, the "01 ab" hex
 * form of bytes, and the shortest decimal that reads back as the same
 * double.
 */
#ifndef KTSNAP_UTIL_INTERNAL_H
#define KTSNAP_UTIL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Make room for @need elements of @elem_sz bytes in *@data, which holds
 * *@cap of them now.  Grows geometrically (at least 16), zeroes the new
 * tail, and refuses sizes that overflow size_t.  0 or -ENOMEM; on failure
 * *@data and *@cap are unchanged.
 */
int ktsnap_ensure_mem(void **data, size_t *cap, size_t elem_sz, size_t need);

/* Typed form: the element size comes from the array itself. */
#define KTSNAP_ENSURE(arr, cap, need) \
	ktsnap_ensure_mem((void **)&(arr), &(cap), sizeof(*(arr)), (need))

/* a * b, or false when it overflows size_t. */
static inline bool ktsnap_mul_ok(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* Equal strings; two NULLs are equal, NULL and a string are not. */
static inline bool ktsnap_str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* strdup that keeps NULL as NULL; sets *@oom (never clears it) on ENOMEM. */
static inline char *ktsnap_strdup_opt(const char *s, bool *oom)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*oom = true;
	return d;
}

/*
 * json-c's flags for the compact text the library keeps JSON in (stats
 * replies, series.json's stats, a report's verbatim fields): no spaces,
 * '/' not escaped.  One spelling, so text stored by one part compares
 * equal to text another part wrote.  Users include <json-c/json.h>.
 */
#define KTSNAP_JSONC_COMPACT (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Whether @id is one of the @n @ids (a linear search: the lists are short). */
static inline bool ktsnap_u32_in(const uint32_t *ids, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Little-endian integers at @p, as the .ktsnap format and the wire store them. */
static inline void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/*
 * Length of the well-formed UTF-8 sequence at @p (1..4; at most @n bytes
 * read), or 0 when it is not one: overlong forms, surrogates and code
 * points past U+10FFFF are not.  The one UTF-8 rule of the JSON writer's
 * repair, the JSON reader's check and the wire's tag decoding.
 */
size_t ktsnap_utf8_seq(const unsigned char *p, size_t n);

/* 64-bit FNV-1a of @n bytes. */
uint64_t ktsnap_fnv1a(const void *p, size_t n);

/*
 * A dotted path built while walking a tree ("maps[0].entries[3].key"):
 * push returns the length to restore with pop.  A path longer than the
 * buffer is cut (never overflows); KTSNAP_PATH_MAX is enough for every
 * path a report file or a value tree of sane depth produces.
 */
#define KTSNAP_PATH_MAX 512

struct ktsnap_pathbuf {
	char s[KTSNAP_PATH_MAX];
	size_t len;
};

size_t ktsnap_pathbuf_push(struct ktsnap_pathbuf *pb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ktsnap_pathbuf_pop(struct ktsnap_pathbuf *pb, size_t old);

/*
 * Write @n bytes as lowercase hex pairs separated by single spaces
 * ("01 00 00 00") into @buf, NUL-terminated and cut to @size.  Returns the
 * length the whole text needs (3n - 1, 0 for no bytes), like snprintf.
 */
size_t ktsnap_hex_format(char *buf, size_t size, const uint8_t *p, size_t n);

/*
 * The fewest significant digits (1..17) with which @v, printed with %e
 * or %g, reads back as exactly @v.  @v must be finite.
 */
int ktsnap_shortest_digits(double v);

#endif /* KTSNAP_UTIL_INTERNAL_H */
