/* SPDX-License-Identifier: MIT */
/*
 * Report files in either form: the JSON sidecar (json.h) or the compact
 * binary ".ktsnap" snapshot file (docs/binary-format.md).
 *
 * A .ktsnap file keeps what a capture copied out of the kernel: the raw
 * key/value bytes of every map, the BTF objects they render with (once
 * each) and the walker records.  Reading it gives a report whose maps
 * render lazily from those bytes through the same code as a live capture,
 * so a capture and its .ktsnap file render (and write as JSON)
 * identically.  Maps that hold no raw bytes (a report read from JSON, a
 * hand-built one) are kept as their JSON objects inside the file.
 *
 * Every section carries its length and a CRC32; sections may be
 * zstd-compressed.  The reader checks every length against the bytes
 * present before allocating, verifies every CRC, and on failure names the
 * section, its file offset and the reason in ktsnap_errmsg().
 */
#ifndef KTSNAP_SNAPFILE_H
#define KTSNAP_SNAPFILE_H

#include <stdio.h>
#include <ktsnap/report.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ktsnap_report_format {
	KTSNAP_FORMAT_AUTO, /* reading: by magic; writing: JSON */
	KTSNAP_FORMAT_JSON,
	KTSNAP_FORMAT_BINARY, /* .ktsnap */
};

/* Write flags of the binary form (they share the flag word with
 * enum ktsnap_json_flags in ktsnap_report__write_file). */
enum ktsnap_binary_flags {
	KTSNAP_BINARY_NO_COMPRESS = 1 << 8, /* never zstd-compress a section */
};

/* The file's first 8 bytes and the format version this library writes. */
#define KTSNAP_BINARY_MAGIC "\x89KTSNAP\n"
#define KTSNAP_BINARY_MAGIC_LEN 8
#define KTSNAP_BINARY_VERSION_MAJOR 1
#define KTSNAP_BINARY_VERSION_MINOR 0
/* Largest file the readers take from a stream (bytes). */
#define KTSNAP_BINARY_MAX_INPUT ((size_t)1 << 34)

/*
 * Write @r to @f as a .ktsnap file.  @flags: KTSNAP_BINARY_NO_COMPRESS or
 * 0.  Maps are not rendered for this.  0, -EINVAL (bad arguments), -ENOMEM,
 * or the write's -errno (-EIO when the stream gave none).
 */
KTSNAP_API int ktsnap_report__write_binary(const struct ktsnap_report *r, FILE *f,
					   unsigned int flags);
/*
 * Read a .ktsnap file from @f (to EOF) / from @len bytes at @buf.  On
 * success *report is a new report (caller frees with
 * ktsnap_report__free()); its captured maps render on first access.
 * Returns 0, -EINVAL (malformed: ktsnap_errmsg() names the section, its
 * offset and the reason), -EFBIG (larger than KTSNAP_BINARY_MAX_INPUT),
 * -EIO, -ENOMEM.  *report is left untouched on failure.
 */
KTSNAP_API int ktsnap_report__read_binary(FILE *f, struct ktsnap_report **report);
KTSNAP_API int ktsnap_report__read_binary_buf(const void *buf, size_t len,
					      struct ktsnap_report **report);

/*
 * Either form.  write_file: @fmt JSON (or AUTO) passes @flags to
 * ktsnap_report__write_json(), BINARY to ktsnap_report__write_binary().
 * read_file / read_buf: AUTO tells the forms apart by the binary magic;
 * JSON or BINARY insist on that form.  Returns as the functions above.
 */
KTSNAP_API int ktsnap_report__write_file(const struct ktsnap_report *r, FILE *f,
					 enum ktsnap_report_format fmt, unsigned int flags);
KTSNAP_API int ktsnap_report__read_file(FILE *f, enum ktsnap_report_format fmt,
					struct ktsnap_report **report);
KTSNAP_API int ktsnap_report__read_buf(const void *buf, size_t len, enum ktsnap_report_format fmt,
				       struct ktsnap_report **report);

/* BINARY for a path ending in ".ktsnap", JSON for ".json", else AUTO
 * (also for NULL). */
KTSNAP_API enum ktsnap_report_format ktsnap_report_format__from_path(const char *path);
/* BINARY when @len bytes at @buf start with the magic, else JSON. */
KTSNAP_API enum ktsnap_report_format ktsnap_report_format__detect(const void *buf, size_t len);
/* "auto", "json", "ktsnap"; NULL for values outside the enum.  Static. */
KTSNAP_API const char *ktsnap_report_format__name(enum ktsnap_report_format fmt);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_SNAPFILE_H */
