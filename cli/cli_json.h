/* SPDX-License-Identifier: MIT */
/*
 * The CLI's own JSON objects (summaries, errors) go through the library's
 * streaming writer, so they are escaped and UTF-8-repaired exactly as the
 * reports are.  This is the only CLI file that names the writer's header.
 */
#ifndef KTSNAP_CLI_JSON_H
#define KTSNAP_CLI_JSON_H

#include "jw.h"

/* A writer on stdout, pretty when -p was given; NULL when out of memory
 * (the jw_* calls must not be made then).  End with cli_jw_end(). */
struct json_writer *cli_jw_begin(void);
/* Finish the document ('\n'), free @w; 0 or the first -errno. */
int cli_jw_end(struct json_writer *w);

/*
 * A command's closing summary on stdout: under -j one JSON object whose
 * members @fields writes (given @ctx), else the line @fmt.  EXIT_OK, or
 * EXIT_FAIL after printing "out of memory"; a write error is left to
 * cli_finish().
 */
int cli_summary(void (*fields)(struct json_writer *w, const void *ctx), const void *ctx,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
