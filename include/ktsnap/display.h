/* SPDX-License-Identifier: MIT */
/*
 * Human-readable rendering of a value tree (spec §4.3).
 *
 * Scalars follow the spec's contract exactly:
 *	Int/Uint	decimal			Bool	true / false
 *	Char		'A' (0x20–0x7e) else 0x07
 *	Float		shortest round-trip decimal, never an exponent
 *	Enum		NAME (value), or value when the variant is unknown
 *			(unsigned enums print the u64 bit pattern)
 *	CpuList		cpus={0-2,5}		Bytes	the hex string
 *	Unsupported	<unsupported: reason>
 *	Ptr		0x1f (cast→arena) → <deref> | 0x1f [cycle] |
 *			0x1f [chase: reason]
 *	Truncated	"" when nothing was read, else
 *			<truncated needed=N had=M> <partial>
 *
 * Aggregates: a Struct renders Type{a=1, b=2} ({a=1} without a type
 * name) with zero-valued members hidden (Type{} when all are); arrays of
 * printable 8-bit values render as a quoted string, all-zero scalar
 * arrays as [all N zero], mostly non-zero ones densely [1, 2, 0x…] (unsigned
 * values of 32 bits or more in hex), mostly zero ones as index runs
 * [3]=7  [5..6]={1, 2}; arrays of aggregates as groups of equal
 * consecutive elements [0] …, [1-3] ….  Arrays the renderer cut at its
 * element cap end with a C comment saying "k of N shown".
 */
#ifndef KTSNAP_DISPLAY_H
#define KTSNAP_DISPLAY_H

#include <stdio.h>
#include <ktsnap/report.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One-line (compact) rendering of @v into @buf, snprintf semantics:
 * writes at most @size bytes including the NUL and returns the length the
 * full rendering has (so a return >= @size means it was cut).  Aggregates
 * always stay on one line (newlines inside strings are escaped as \n).
 * Returns -EINVAL when @v is NULL (buf gets "").
 */
KTSNAP_API int ktsnap_value__format(const struct ktsnap_value *v, char *buf, size_t size);

/*
 * Multi-line rendering of @v to @f (what `ktsnap show` prints): values
 * that fit 120 columns stay on one line; larger structs become a
 * "Type:" breadcrumb with scalar members packed three per row and
 * compound members on their own lines, two spaces of indentation per
 * level starting at @indent levels (a negative @indent counts as 0).
 * Always ends with a newline.  Returns the number of bytes written,
 * -EINVAL for NULL arguments or an @indent above
 * KTSNAP_PRETTY_MAX_INDENT, or -EIO when writing failed.
 */
#define KTSNAP_PRETTY_MAX_INDENT 64

KTSNAP_API int ktsnap_value__fprint(const struct ktsnap_value *v, FILE *f, int indent);

/*
 * The same multi-line rendering into a buffer (snprintf semantics, as
 * ktsnap_value__format(); -EINVAL as ktsnap_value__fprint()).
 */
KTSNAP_API int ktsnap_value__format_pretty(const struct ktsnap_value *v, int indent, char *buf,
					   size_t size);

/*
 * Shortest decimal that reads back as @v, without exponent ("1", "1.5",
 * "0.1", "NaN", "inf", "-inf"), snprintf semantics.
 */
KTSNAP_API int ktsnap_f64__format(double v, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_DISPLAY_H */
