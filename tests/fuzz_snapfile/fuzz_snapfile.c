// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the binary report reader.  Besides "never crashes,
 * never leaks, never allocates without bound" (the sanitizers and
 * libFuzzer's limits check those), every input the reader accepts must
 * render and write as JSON, and write → read → write of the binary form
 * must give the same bytes.  The CRC check is off so that mutations get
 * past it to the section parsers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <ktsnap/json.h>
#include <ktsnap/snapfile.h>

#include "snapfile_internal.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static char *write_bin(const struct ktsnap_report *r, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	if (ktsnap_report__write_binary(r, f, 0)) {
		fprintf(stderr, "binary writer failed: %s\n", ktsnap_errmsg());
		abort();
	}
	fclose(f);
	return buf;
}

static void write_json(const struct ktsnap_report *r)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	/* -EINVAL: a value tree deeper than the writer goes (hand-made) */
	ktsnap_report__write_json(r, f, 0);
	fclose(f);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktsnap_report *r = NULL, *back = NULL;
	size_t la, lb;
	char *a, *b;

	libbpf_set_print(quiet);
	if (ktsnap_snapfile_read_buf(data, size, SNAPFILE_READ_NO_CRC, &r))
		return 0;
	a = write_bin(r, &la);
	if (ktsnap_report__read_binary_buf(a, la, &back)) {
		fprintf(stderr, "writer output rejected: %s\n", ktsnap_errmsg());
		abort();
	}
	b = write_bin(back, &lb);
	if (la != lb || memcmp(a, b, la)) {
		fprintf(stderr, "binary round trip differs (%zu vs %zu bytes)\n", la, lb);
		abort();
	}
	write_json(back);
	free(a);
	free(b);
	ktsnap_report__free(back);
	ktsnap_report__free(r);
	return 0;
}
