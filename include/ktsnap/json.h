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
 * ktsnap extensions to the spec's field set: report "capture_ns",
 * "timestamp_ns", "capture_skew_ns" and "freeze_ns", map "key_size".
 *
 * The reader accepts what the writer emits and rejects everything else:
 * unknown fields, wrong types, integers out of range, trailing data,
 * nesting deeper than KTSNAP_JSON_MAX_DEPTH, invalid UTF-8 (overlong forms, surrogates, lone
 * escaped surrogates), NUL in field names, and shapes the writer never
 * produces (key_hex/value_hex that disagree with key_size/value_size or
 * with a rendered integer key, integer widths outside 1..64 or values that
 * do not fit them, an array "len" below its element count, more entries
 * than max_entries, per-CPU lists of different lengths, an fd_array with
 * more populated slots than scanned).  ktsnap_errmsg() then names the byte
 * offset (syntax) or the field path (shape) and the reason.  Memory use
 * stays a small multiple of the input however long its arrays are (arrays
 * of 1 KB and more are parsed one element at a time).  Absent fields
 * read as their defaults, except that "key_size" (which the original tool
 * does not write) comes from the keys and a missing integer or float
 * "bits" reads as 64.  write → read → write is byte-identical.
 *
 * Three shapes, told apart by "schema" (spec §3.1):
 *  - "single": a report.
 *  - "dual": two reports, "early" (optional) and "late".  It reads as ONE
 *    report: the late half, with ktsnap_report__schema() "dual" and the
 *    early half and the jiffies fields available from
 *    ktsnap_report__dual().  Everything that works on a report (maps,
 *    views, show, diff) sees the late capture.
 *  - "degraded": no maps, only why the capture failed; it reads as an
 *    empty report with ktsnap_report__schema() "degraded" and the fields
 *    available from ktsnap_report__degraded().
 * Writing a report read from a "dual" or "degraded" file writes that shape
 * back.  A map's "arena" object (ARENA maps) is kept verbatim:
 * ktsnap_map__arena_json().
 */
#ifndef KTSNAP_JSON_H
#define KTSNAP_JSON_H

#include <stdio.h>
#include <ktsnap/report.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ktsnap_json_flags {
	KTSNAP_JSON_PRETTY = 1 << 0, /* two-space indented, one field a line */
};

/*
 * Largest report the reader takes from a stream that is not a regular file
 * (a pipe, a device): regular files are mapped whole whatever their size.
 * ktsnap_report__write_json() warns through the print callback when it
 * writes a larger report.
 */
#define KTSNAP_JSON_MAX_INPUT (1ull << 30)
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
KTSNAP_API int ktsnap_value__write_json(const struct ktsnap_value *v, FILE *f, unsigned int flags);

/*
 * Read a report written by ktsnap_report__write_json() from @f (to EOF).
 * On success *report is a new report; caller frees with
 * ktsnap_report__free().  Returns 0, -EINVAL (malformed: ktsnap_errmsg()
 * says where and why), -EFBIG (a stream, not a regular file, larger than
 * KTSNAP_JSON_MAX_INPUT), -EISDIR, -EIO and other read errors (the message
 * names the errno), -ENOMEM.  *report is left untouched on failure.
 */
KTSNAP_API int ktsnap_report__read_json(FILE *f, struct ktsnap_report **report);
/* Same, from a buffer of @len bytes (need not be NUL-terminated). */
KTSNAP_API int ktsnap_report__read_json_buf(const char *buf, size_t len,
					    struct ktsnap_report **report);

/* A "dual" report's other fields (the report itself is the late half). */
struct ktsnap_dual_info {
	const struct ktsnap_report *early; /* borrowed from the report; NULL: absent */
	uint64_t early_max_age_jiffies;
	uint64_t early_threshold_jiffies;
	const char *early_skipped_reason; /* NULL: absent */
};

/* A "degraded" report's fields; the *_json members are compact JSON text
 * kept verbatim ("null" when the file said null, NULL when absent). */
struct ktsnap_degraded_info {
	const char *reason;
	const char *vcpu_regs_json;
	const char *watchpoint_hit_json;
	const char *bss_latch_state_json;
	const char *exit_kind_json;
	uint64_t elapsed_ms;
};

/*
 * The fields of a report read from a "dual" (resp. "degraded") file,
 * borrowed from @r with everything they point at: valid while @r lives.
 * The library owns the struct, so it may grow without breaking callers.
 * NULL + errno EINVAL (NULL @r) or ENOENT (@r has another schema).
 */
KTSNAP_API const struct ktsnap_dual_info *ktsnap_report__dual(const struct ktsnap_report *r);
KTSNAP_API const struct ktsnap_degraded_info *
ktsnap_report__degraded(const struct ktsnap_report *r);
/* An ARENA map's "arena" object as compact JSON text, borrowed from the
 * report; NULL + ENOENT when the map has none, NULL + EINVAL for NULL. */
KTSNAP_API const char *ktsnap_map__arena_json(const struct ktsnap_map *m);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_JSON_H */
