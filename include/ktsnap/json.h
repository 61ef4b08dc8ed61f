/* SPDX-License-Identifier: MIT */
/*
 * Report files: the JSON "sidecar" form of a report (spec §3–§4).
 *
 * Written by a streaming writer of our own (nothing is built in memory):
 * field names are the spec's, fields at their empty default are omitted,
 * every u64 is written exactly, RenderedValues are objects tagged with
 * "kind", enums carry both "value" and "variant", per-CPU slots are arrays
 * with null for unmapped slots, raw bytes are "key_hex"/"value_hex".
 *
 * Numbers that JSON cannot hold: a float NaN is written as the string
 * "NaN", infinities as "inf" / "-inf".  Floats are otherwise the shortest
 * decimal that reads back to the same double, always with a '.' or an
 * exponent ("1.0", "0.1", "1e+300").  Unsigned enums write their value as
 * the unsigned number (the reader also accepts the i64 bit pattern).
 * Strings that are not valid UTF-8 are written with U+FFFD in place of
 * each invalid byte, so the output is always valid JSON.
 *
 * ktsnap extensions to the spec's field set: report "capture_ns" and
 * "timestamp_ns", map "key_size".
 *
 * The reader accepts what the writer emits (and absent fields as their
 * defaults) and rejects everything else: unknown fields, wrong types,
 * integers out of range, trailing data, files larger than
 * KTSNAP_JSON_MAX_INPUT, nesting deeper than KTSNAP_JSON_MAX_DEPTH.
 * ktsnap_errmsg() then names the byte offset (syntax) or the field path
 * (shape) and the reason.  write → read → write is byte-identical.
 */
#ifndef KTSNAP_JSON_H
#define KTSNAP_JSON_H

#include <stdio.h>
#include <ktsnap/report.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ktsnap_json_flags {
	KTSNAP_JSON_PRETTY = 1 << 0,	/* two-space indented, one field a line */
};

/* Largest report file the reader accepts (bytes). */
#define KTSNAP_JSON_MAX_INPUT (256u << 20)
/* Deepest nesting of JSON objects/arrays the reader accepts. */
#define KTSNAP_JSON_MAX_DEPTH 256

/*
 * Write @r to @f (compact, one line + '\n', unless KTSNAP_JSON_PRETTY).
 * Renders captured maps first if needed.  0, -EINVAL (bad arguments or a
 * value tree nested deeper than the writer supports), or the write's
 * -errno (-ENOSPC, …; -EIO when the stream gave none).
 */
KTSNAP_API int ktsnap_report__write_json(const struct ktsnap_report *r, FILE *f,
					 unsigned int flags);
/* One map object as it appears in "maps" (same flags and returns). */
KTSNAP_API int ktsnap_map__write_json(const struct ktsnap_map *m, FILE *f, unsigned int flags);
/* One RenderedValue object (same flags and returns); NULL writes null. */
KTSNAP_API int ktsnap_value__write_json(const struct ktsnap_value *v, FILE *f,
					unsigned int flags);

/*
 * Read a report written by ktsnap_report__write_json() from @f (to EOF).
 * On success *report is a new report; caller frees with
 * ktsnap_report__free().  Returns 0, -EINVAL (malformed: ktsnap_errmsg()
 * says where and why), -EFBIG (larger than KTSNAP_JSON_MAX_INPUT), -EIO,
 * -ENOMEM.  *report is left untouched on failure.
 */
KTSNAP_API int ktsnap_report__read_json(FILE *f, struct ktsnap_report **report);
/* Same, from a buffer of @len bytes (need not be NUL-terminated). */
KTSNAP_API int ktsnap_report__read_json_buf(const char *buf, size_t len,
					    struct ktsnap_report **report);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_JSON_H */
