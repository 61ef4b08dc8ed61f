// SPDX-License-Identifier: MIT
/*
 * util: the shared helpers declared in util_internal.h (array growth with
 * an overflow check, FNV-1a, the path buffer, hex bytes, shortest
 * round-trip digits).  Nothing here knows about reports or BPF.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util_internal.h"

int ktsnap_ensure_mem(void **data, size_t *cap, size_t elem_sz, size_t need)
{
	size_t ncap, bytes;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap < 16 ? 16 : *cap;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (!ktsnap_mul_ok(ncap, elem_sz, &bytes))
		return -ENOMEM;
	p = realloc(*data, bytes ? bytes : 1);
	if (!p)
		return -ENOMEM;
	memset((char *)p + *cap * elem_sz, 0, (ncap - *cap) * elem_sz);
	*data = p;
	*cap = ncap;
	return 0;
}

uint64_t ktsnap_fnv1a(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

size_t ktsnap_pathbuf_push(struct ktsnap_pathbuf *pb, const char *fmt, ...)
{
	size_t old = pb->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(pb->s + old, sizeof(pb->s) - old, fmt, ap);
	va_end(ap);
	if (n > 0)
		pb->len = old + (size_t)n < sizeof(pb->s) ? old + (size_t)n : sizeof(pb->s) - 1;
	return old;
}

void ktsnap_pathbuf_pop(struct ktsnap_pathbuf *pb, size_t old)
{
	pb->len = old;
	pb->s[old] = '\0';
}

size_t ktsnap_hex_format(char *buf, size_t size, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i, pos = 0, need = n ? n * 3 - 1 : 0;

	for (i = 0; i < n && pos + (i ? 3 : 2) < size; i++) {
		if (i)
			buf[pos++] = ' ';
		buf[pos++] = digits[p[i] >> 4];
		buf[pos++] = digits[p[i] & 0xf];
	}
	if (size)
		buf[pos < size ? pos : size - 1] = '\0';
	return need;
}

int ktsnap_shortest_digits(double v)
{
	char tmp[40];
	int d;

	for (d = 1; d < 17; d++) {
		snprintf(tmp, sizeof(tmp), "%.*e", d - 1, v);
		if (strtod(tmp, NULL) == v)
			return d;
	}
	return 17;
}

size_t ktsnap_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}
