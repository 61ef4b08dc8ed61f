/* SPDX-License-Identifier: MIT */
/*
 * The .ktsnap format's constants and byte-level helpers, shared by its
 * writer (snapfile_write.c) and reader (snapfile.c); docs/binary-format.md
 * is the description.  Also the reader with its checks selectable, for
 * the fuzz target.
 */
#ifndef KTSNAP_SNAPFILE_INTERNAL_H
#define KTSNAP_SNAPFILE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include <ktsnap/report.h>

#include "util_internal.h"

#define FILE_HDR_LEN 16
#define SEC_HDR_LEN 28

enum sec_type {
	SEC_META = 1,
	SEC_BTF = 2,
	SEC_MAP = 3,
	SEC_MAP_JSON = 4,
	SEC_END = 0xff,
};

#define SEC_F_ZSTD 1u

/* MAP flags */
#define MAP_F_BTF (1u << 0)
#define MAP_F_STRINGS (1u << 1)
#define MAP_F_ERROR (1u << 2)
#define MAP_F_RINGBUF (1u << 3)
#define MAP_F_STACK (1u << 4)
#define MAP_F_FD_ARRAY (1u << 5)
#define MAP_F_VALUE_RAW (1u << 6)
#define MAP_F_ALL ((1u << 7) - 1)

/* A zstd frame never expands more than this: a block of at most 128 KiB
 * takes at least 4 bytes (RLE).  raw_len beyond it is a corrupt header. */
#define ZSTD_MAX_RATIO 32768u
/* Sections smaller than this are stored as they are. */
#define COMPRESS_MIN 512
#define ZSTD_LEVEL 1
/* Per-CPU slot counts beyond this are refused (the kernel's NR_CPUS cap). */
#define MAX_CPUS 8192u

static inline const char *sec_name(uint32_t type)
{
	switch (type) {
	case SEC_META:
		return "META";
	case SEC_BTF:
		return "BTF";
	case SEC_MAP:
		return "MAP";
	case SEC_MAP_JSON:
		return "MAP_JSON";
	case SEC_END:
		return "END";
	default:
		return "unknown";
	}
}

/* CRC32 of the section header's first 24 bytes and the stored bytes. */
static inline uint32_t sec_crc(const uint8_t *hdr, const uint8_t *data, size_t len)
{
	uLong c = crc32_z(0L, Z_NULL, 0);

	c = crc32_z(c, hdr, 24);
	if (len)
		c = crc32_z(c, data, len);
	return (uint32_t)c;
}

static inline bool table_layout(enum ktsnap_map_layout l)
{
	return l == KTSNAP_LAYOUT_HASH || l == KTSNAP_LAYOUT_ARRAY ||
	       l == KTSNAP_LAYOUT_PERCPU_ARRAY || l == KTSNAP_LAYOUT_PERCPU_HASH;
}

static inline bool percpu_layout(enum ktsnap_map_layout l)
{
	return l == KTSNAP_LAYOUT_PERCPU_ARRAY || l == KTSNAP_LAYOUT_PERCPU_HASH;
}

static inline bool hash_layout(enum ktsnap_map_layout l)
{
	return l == KTSNAP_LAYOUT_HASH || l == KTSNAP_LAYOUT_PERCPU_HASH;
}

/* Skip the CRC check, so a fuzzer's mutations reach the section parsers. */
#define SNAPFILE_READ_NO_CRC 1u

/* ktsnap_report__read_binary_buf() with @flags (SNAPFILE_READ_*). */
int ktsnap_snapfile_read_buf(const void *buf, size_t len, unsigned int flags,
			     struct ktsnap_report **report);

#endif
