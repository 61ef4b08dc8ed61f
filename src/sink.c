// SPDX-License-Identifier: MIT
/* The text sink shared by the human rendering and the error formatter. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink_internal.h"

void sink_put(struct ktsnap_sink *s, const char *p, size_t n)
{
	size_t i;

	if (s->stop || !n)
		return;
	if (s->f) {
		if (fwrite(p, 1, n, s->f) != n)
			s->err = -EIO;
	} else if (s->buf && s->len + 1 < s->size) {
		size_t room = s->size - 1 - s->len;

		memcpy(s->buf + s->len, p, n < room ? n : room);
	}
	s->len += n;
	for (i = n; i > 0; i--)
		if (p[i - 1] == '\n')
			break;
	s->col = i ? n - i : s->col + n;
	if (s->limit && s->len > s->limit)
		s->stop = true;
}

void sink_puts(struct ktsnap_sink *s, const char *p)
{
	sink_put(s, p, strlen(p));
}

void sink_put_name(struct ktsnap_sink *s, const char *p)
{
	const char *run = p;
	char tmp[12];

	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c >= 0x20 && c != 0x7f)
			continue;
		sink_put(s, run, (size_t)(p - run));
		sink_put(s, tmp, (size_t)snprintf(tmp, sizeof(tmp), "\\u{%x}", c));
		run = p + 1;
	}
	sink_put(s, run, (size_t)(p - run));
}

void sink_putf(struct ktsnap_sink *s, const char *fmt, ...)
{
	char tmp[256], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		sink_put(s, tmp, (size_t)n);
		return;
	}
	/* a long argument (a map name, a path): never cut it silently */
	big = malloc((size_t)n + 1);
	if (!big) {
		s->err = -ENOMEM;
		sink_put(s, tmp, sizeof(tmp) - 1);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sink_put(s, big, (size_t)n);
	free(big);
}

void sink_finish(struct ktsnap_sink *s)
{
	if (s->buf && s->size)
		s->buf[s->len < s->size ? s->len : s->size - 1] = '\0';
}
