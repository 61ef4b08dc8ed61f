/* SPDX-License-Identifier: MIT */
/*
 * A text sink with snprintf semantics: bytes go to a FILE, or into a
 * caller's buffer (always NUL-terminated by sink_finish(), truncated when
 * full) while len counts the whole rendering.  An optional limit stops
 * output early (used to measure whether something fits on a line); col is
 * the current column for the pretty printer.
 */
#ifndef KTSNAP_SINK_INTERNAL_H
#define KTSNAP_SINK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ktsnap_sink {
	char *buf;
	size_t size;
	FILE *f;
	size_t len; /* bytes the full rendering has so far */
	size_t limit; /* 0: none; else stop once len > limit */
	size_t col; /* current column */
	bool stop;
	int err; /* -EIO once a FILE write failed; -ENOMEM: a piece was cut */
};

void sink_put(struct ktsnap_sink *s, const char *p, size_t n);
void sink_puts(struct ktsnap_sink *s, const char *p);
void sink_putf(struct ktsnap_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A name or a reason from a report (a member, type or enum variant name, a
 * map name, a key): control characters are written as \u{1b} so a report
 * file cannot move the cursor or start a fake line.  Kernel names never
 * hold them, so the spec's texts are unchanged.
 */
void sink_put_name(struct ktsnap_sink *s, const char *p);
/* NUL-terminate the buffer (if any). */
void sink_finish(struct ktsnap_sink *s);

#endif
