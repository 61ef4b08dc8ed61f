// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the report reader.  Besides "never crashes, never
 * leaks, never allocates without bound" (the sanitizers and libFuzzer's
 * limits check those), every input the reader accepts must round-trip:
 * write → read → write gives the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/json.h>

static char *write_report(const struct ktsnap_report *r, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	if (ktsnap_report__write_json(r, f, 0))
		abort();
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktsnap_report *r = NULL, *back = NULL;
	size_t la, lb;
	char *a, *b;

	if (ktsnap_report__read_json_buf((const char *)data, size, &r))
		return 0;
	a = write_report(r, &la);
	if (ktsnap_report__read_json_buf(a, la, &back)) {
		fprintf(stderr, "writer output rejected: %s\n", ktsnap_errmsg());
		abort();
	}
	b = write_report(back, &lb);
	if (la != lb || memcmp(a, b, la)) {
		fprintf(stderr, "round trip differs:\n%s\n%s\n", a, b);
		abort();
	}
	free(a);
	free(b);
	ktsnap_report__free(back);
	ktsnap_report__free(r);
	return 0;
}
