/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets of the report readers share: writing a report to
 * memory, and the write -> read -> write round trip that every input the
 * reader accepts must pass (they abort, for libFuzzer, when it does not).
 */
#ifndef KTSNAP_TEST_FUZZ_REPORT_H
#define KTSNAP_TEST_FUZZ_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/report.h>

/* ktsnap_report__write_json() / ktsnap_report__write_binary() */
typedef int (*fuzz_writer)(const struct ktsnap_report *r, FILE *f, unsigned int flags);
/* ktsnap_report__read_binary_buf(), or a cast of the JSON one */
typedef int (*fuzz_reader)(const void *buf, size_t len, struct ktsnap_report **r);

/* @r written by @write (flags 0) to a malloc'd buffer of *@len bytes;
 * NULL when the writer refuses.  Aborts if no stream can be opened. */
static inline char *fuzz_write(fuzz_writer write, const struct ktsnap_report *r, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int err;

	if (!f)
		abort();
	err = write(r, f, 0);
	fclose(f);
	if (err) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* fuzz_write(), aborting, after saying that the @what writer failed,
 * when the writer refuses. */
static inline char *fuzz_must_write(fuzz_writer write, const struct ktsnap_report *r, size_t *len,
				    const char *what)
{
	char *buf = fuzz_write(write, r, len);

	if (!buf) {
		fprintf(stderr, "%s writer failed: %s\n", what, ktsnap_errmsg());
		abort();
	}
	return buf;
}

/* Writes @r, reads that back and writes it again: the reader must take
 * what the writer wrote and both writes must give the same bytes, else
 * this says so on stderr (the texts themselves when @text) and aborts.
 * Returns the report read back (the caller frees it).  @what names the
 * writer. */
static inline struct ktsnap_report *fuzz_round_trip(const struct ktsnap_report *r,
						    fuzz_writer write, fuzz_reader read,
						    const char *what, bool text)
{
	struct ktsnap_report *back = NULL;
	size_t la, lb;
	char *a, *b;

	a = fuzz_must_write(write, r, &la, what);
	if (read(a, la, &back)) {
		fprintf(stderr, "writer output rejected: %s\n", ktsnap_errmsg());
		abort();
	}
	b = fuzz_must_write(write, back, &lb, what);
	if (la != lb || memcmp(a, b, la)) {
		if (text)
			fprintf(stderr, "round trip differs:\n%s\n%s\n", a, b);
		else
			fprintf(stderr, "%s round trip differs (%zu vs %zu bytes)\n", what, la, lb);
		abort();
	}
	free(a);
	free(b);
	return back;
}

#endif
