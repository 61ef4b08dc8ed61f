/* SPDX-License-Identifier: MIT */
/* The binary report reader with its checks selectable (for the fuzz target). */
#ifndef KTSNAP_SNAPFILE_INTERNAL_H
#define KTSNAP_SNAPFILE_INTERNAL_H

#include <stddef.h>
#include <ktsnap/report.h>

/* Skip the CRC check, so a fuzzer's mutations reach the section parsers. */
#define SNAPFILE_READ_NO_CRC 1u

/* ktsnap_report__read_binary_buf() with @flags (SNAPFILE_READ_*). */
int ktsnap_snapfile_read_buf(const void *buf, size_t len, unsigned int flags,
			     struct ktsnap_report **report);

#endif
