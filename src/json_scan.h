/* SPDX-License-Identifier: MIT */
/*
 * json_scan: what the report reader does with the raw text before and
 * around json-c (json_scan.c).
 *
 *  - json_scan_check(): lexical rules json-c does not enforce but the
 *    writer never breaks (64-bit integers, no NaN/Infinity/quotes, strict
 *    UTF-8 without surrogates, no NUL in field names).
 *  - json_splits_find(): every array longer than 1 KB of text is cut
 *    out of the text json-c parses and its elements are parsed one at a
 *    time later, so no DOM of a big array ever exists whole: the memory a
 *    read needs is a small multiple of the input, whatever its shape.  A
 *    cut array reads as a one-element array holding a marker string.
 */
#ifndef KTSNAP_JSON_SCAN_H
#define KTSNAP_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* 0, or -EINVAL with ktsnap_errmsg() naming the byte and the rule. */
int json_scan_check(const char *buf, size_t len);
/* The same, stepping over the @nskip ranges [skip[2k], skip[2k + 1]) of
 * text known to pass (sorted, each starting between two tokens). */
int json_scan_check_skip(const char *buf, size_t len, const size_t *skip, size_t nskip);

struct json_splits;

/*
 * Scan @buf for arrays to cut out.  Never fails for bad input: text the
 * scan does not understand gets no cuts (json-c then reports the error).
 * NULL on ENOMEM.  *@wellformed tells whether the whole text is one JSON
 * value with nothing after it (structurally).  Free with json_splits_free().
 */
struct json_splits *json_splits_find(const char *buf, size_t len, bool *wellformed);
void json_splits_free(struct json_splits *s);

/*
 * The text json-c parses for [@start, @end) of the input, which lies inside
 * cut array @parent (-1: the whole document): a malloc'd copy with the
 * arrays cut directly below @parent replaced by markers (*@copy, caller
 * frees), or NULL in *@copy when nothing in the range is cut (parse the
 * input itself).  -ENOMEM or 0.
 */
int json_splits_text(const struct json_splits *s, ssize_t parent, size_t start, size_t end,
		     char **copy);

/*
 * json_splits_text() with the cut arrays left out (only their markers
 * kept) rather than blanked: the same JSON, so much less for json-c to
 * read, but byte offsets are no longer the input's (on a parse error,
 * parse json_splits_text()'s to name the byte).  *@len: the length of
 * *@copy, or of the range when *@copy is NULL.  -ENOMEM or 0.
 */
int json_splits_compact(const struct json_splits *s, ssize_t parent, size_t start, size_t end,
			char **copy, size_t *len);

/* The cut array a marker string names, or -1 when @str is no marker. */
ssize_t json_splits_marker(const struct json_splits *s, const char *str, size_t len);
/* Elements of cut array @idx. */
size_t json_splits_count(const struct json_splits *s, ssize_t idx);
/*
 * The next element of cut array @idx: [*start, *end) of the input.
 * *@cursor starts at 0 and is advanced; false after the last element.
 */
bool json_splits_next(const struct json_splits *s, ssize_t idx, size_t *cursor, size_t *start,
		      size_t *end);
/*
 * Where the next element of cut array @idx starts (*@start, from @cursor
 * as json_splits_next() would) and the offset of the array's ']'
 * (*@close); false after the last element.  A caller that reads the
 * element itself passes the offset just past it as the next cursor.
 */
bool json_splits_peek(const struct json_splits *s, ssize_t idx, size_t cursor, size_t *start,
		      size_t *close);

#endif
