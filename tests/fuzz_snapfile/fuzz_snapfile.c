// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the binary report reader.  Besides "never crashes,
 * never leaks, never allocates without bound" (the sanitizers and
 * libFuzzer's limits check those), for every input the reader accepts
 * write → read → write of the binary form gives the same bytes, and the
 * input and its rewrite render to the same JSON.  The CRC check is off so that mutations get
 * past it to the section parsers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <ktsnap/json.h>
#include <ktsnap/snapfile.h>

#include "fuzz_report.h"
#include "snapfile_internal.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktsnap_report *r = NULL, *back = NULL;
	size_t la, lb;
	char *a, *b;

	libbpf_set_print(quiet);
	if (ktsnap_snapfile_read_buf(data, size, SNAPFILE_READ_NO_CRC, &r))
		return 0;
	back = fuzz_round_trip(r, ktsnap_report__write_binary, ktsnap_report__read_binary_buf,
			       "binary", false);
	/* the input and its rewrite render the same */
	a = fuzz_write(ktsnap_report__write_json, r, &la);
	b = fuzz_write(ktsnap_report__write_json, back, &lb);
	if (!a != !b || (a && (la != lb || memcmp(a, b, la)))) {
		fprintf(stderr, "JSON of the input and of its rewrite differ\n");
		abort();
	}
	free(a);
	free(b);
	ktsnap_report__free(back);
	ktsnap_report__free(r);
	return 0;
}
