// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the report reader.  Besides "never crashes, never
 * leaks, never allocates without bound" (the sanitizers and libFuzzer's
 * limits check those), every input the reader accepts must round-trip:
 * write → read → write gives the same bytes; and the fast path for the
 * writer's canonical text (json_fast.c) must agree with the json-c path on
 * every input: the same error text, or reports written the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/json.h>

#include "fuzz_report.h"
#include "json_fast.h"

static int read_json(const void *buf, size_t len, struct ktsnap_report **r)
{
	return ktsnap_report__read_json_buf(buf, len, r);
}

/* The json-c path alone on @data: its result is what the reader's must be. */
static void check_fast_path(const uint8_t *data, size_t size, int err,
			    const struct ktsnap_report *r)
{
	struct ktsnap_report *slow = NULL;
	char msg[1024], *a, *b;
	size_t la, lb;
	int serr;

	snprintf(msg, sizeof(msg), "%s", err ? ktsnap_errmsg() : "");
	json_fast_set_enabled(false);
	serr = ktsnap_report__read_json_buf((const char *)data, size, &slow);
	json_fast_set_enabled(true);
	if (serr != err || (err && strcmp(msg, ktsnap_errmsg()))) {
		fprintf(stderr, "fast path: %d \"%s\", json-c path: %d \"%s\"\n", err, msg, serr,
			serr ? ktsnap_errmsg() : "");
		abort();
	}
	if (err)
		return;
	a = fuzz_must_write(ktsnap_report__write_json, r, &la, "JSON");
	b = fuzz_must_write(ktsnap_report__write_json, slow, &lb, "JSON");
	if (la != lb || memcmp(a, b, la)) {
		fprintf(stderr, "fast and json-c paths read different reports:\n%s\n%s\n", a, b);
		abort();
	}
	free(a);
	free(b);
	ktsnap_report__free(slow);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktsnap_report *r = NULL;
	int err = ktsnap_report__read_json_buf((const char *)data, size, &r);

	check_fast_path(data, size, err, r);
	if (err)
		return 0;
	ktsnap_report__free(fuzz_round_trip(r, ktsnap_report__write_json, read_json, "JSON", true));
	ktsnap_report__free(r);
	return 0;
}
