/* SPDX-License-Identifier: MIT */
/* The ktsnap command line: one file per command, the table in main.c. */
#ifndef KTSNAP_CLI_H
#define KTSNAP_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <ktsnap/ktsnap.h>
#include <ktsnap/diff.h>
#include <ktsnap/display.h>
#include <ktsnap/json.h>
#include <ktsnap/view.h>

/* exit codes */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the command name */
	const char *synopsis;			/* one line per form */
	const char *help;			/* options and description */
};

extern const struct cli_cmd cmd_capture, cmd_show, cmd_get, cmd_diff, cmd_demo, cmd_run;

/* Global output mode (-j, -p). */
extern bool cli_json;
extern bool cli_pretty;

/* The command being run (for messages). */
extern const struct cli_cmd *cli_current;

/* Print an error (JSON mode: {"error": "…"} on stdout; else
 * "ktsnap: …" on stderr) and return EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: the message plus the command's synopsis; EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the current command's --help to stdout; EXIT_OK. */
int cli_help(void);

/*
 * Parse the options every command takes (-j, -p, -h) plus @extra
 * (getopt_long style, may be NULL); returns the option character, -1 at
 * the end, or '?' after printing a usage error.  Usage as getopt_long.
 */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *extra);

/* Read a report file ("-" = stdin); prints the error itself and returns
 * EXIT_FAIL, else EXIT_OK with *r set (free with ktsnap_report__free). */
int cli_read_report(const char *path, struct ktsnap_report **r);

/* Parse a non-negative decimal; false when not a number or > max. */
bool cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out);

/* Write @s as a JSON string literal. */
void cli_json_str(FILE *f, const char *s);

/*
 * Output files are replaced atomically: written to a temporary file next
 * to @path and renamed over it on success, so an interrupted or failed
 * write never leaves a half report behind.  Paths that are not regular
 * files (/dev/null, a FIFO) are written in place.
 */
struct cli_out {
	FILE *f;
	char *path;
	char *tmp;	/* NULL: writing in place */
};
int cli_out_open(struct cli_out *o, const char *path);
/* Close; rename into place when @ok, else remove the temporary.
 * Returns 0 or -errno (and keeps errno). */
int cli_out_close(struct cli_out *o, bool ok);

/* "HASH", "PERCPU_ARRAY", … for a bpf_map_type. */
const char *cli_map_type_name(unsigned int type);

#endif
