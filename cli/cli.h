/* SPDX-License-Identifier: MIT */
/* The ktsnap command line: one file per command, the table in main.c. */
#ifndef KTSNAP_CLI_H
#define KTSNAP_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <ktsnap/ktsnap.h>
#include <ktsnap/diff.h>
#include <ktsnap/display.h>
#include <ktsnap/json.h>
#include <ktsnap/series.h>
#include <ktsnap/snapfile.h>
#include <ktsnap/view.h>

#include "synopsis.h" /* CLI_SYNOPSIS_<command>, from the man page */

/* exit codes */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *synopsis; /* one line per form: CLI_SYNOPSIS_<name> */
	const char *help; /* options and description */
};

extern const struct cli_cmd cmd_capture, cmd_show, cmd_get, cmd_diff, cmd_demo, cmd_run,
	cmd_convert, cmd_watch, cmd_check, cmd_record, cmd_plot, cmd_serve, cmd_request;

/* Global output mode (-j, -p). */
extern bool cli_json;
extern bool cli_pretty;

/* The command being run (for messages). */
extern const struct cli_cmd *cli_current;

/* Print an error (JSON mode: {"error": "…"} on stdout; else
 * "ktsnap: …" on stderr) and return EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Print usage forms (a CLI_SYNOPSIS_*: one per line) indented by two and
 * wrapped at 80 columns; a continuation lines up after "ktsnap NAME " and
 * a line breaks only between bracketed groups.
 */
void cli_print_synopsis(FILE *f, const char *forms);
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

/* Read a report file, JSON or .ktsnap (told apart by the magic; "-" =
 * stdin); prints the error itself and returns EXIT_FAIL, else EXIT_OK
 * with *r set (free with ktsnap_report__free). */
int cli_read_report(const char *path, struct ktsnap_report **r);
/* Two report files at once (each on its own thread), as two
 * cli_read_report(): the first failure (A's before B's) is printed. */
int cli_read_reports(const char *path_a, const char *path_b, struct ktsnap_report **a,
		     struct ktsnap_report **b);

/* --format's argument: "json" or "ktsnap" ("binary"); EXIT_OK, or
 * EXIT_USAGE after printing why. */
int cli_parse_format(const char *s, enum ktsnap_report_format *fmt);
/* The format to write @path in: @forced unless AUTO, else by extension
 * (.ktsnap: binary), else JSON.  @path may be NULL (stdout). */
enum ktsnap_report_format cli_output_format(const char *path, enum ktsnap_report_format forced);

/* After the options: exactly @want operands at argv[optind…].  EXIT_OK,
 * or EXIT_USAGE after printing @missing (fewer) or "unexpected argument
 * '…'" naming the first one too many. */
int cli_operands(int argc, char **argv, int want, const char *missing);

/* Parse a non-negative decimal; false when not a number or > max. */
bool cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out);

/*
 * @s made safe for a terminal and for one line: control characters as
 * \n, \t, \r or \u{1b}, bytes that are not UTF-8 as \xff.  The result
 * lives in one of 8 rotating buffers (valid for the next 7 calls), so a
 * printf may take several.  NULL gives "(null)".
 */
const char *cli_esc(const char *s);

/*
 * Standard output: cli_stdout_init() (first thing in main) routes stdout
 * through a stream that remembers the first write error and, in human
 * mode, escapes control characters and invalid UTF-8 (newlines and tabs
 * stay).  cli_finish(rc) flushes it; on a write error it prints "write
 * error: <errno text>" to stderr and returns EXIT_FAIL (or @rc if that
 * already is a failure), else @rc.
 */
void cli_stdout_init(void);
int cli_finish(int rc);
/* Pass bytes unchanged while @on (a report written to stdout without -j
 * is JSON already escaped by the writer; escaping it again would change
 * its strings). */
void cli_stdout_verbatim(bool on);
/* A library writer returned @err (< 0) on stdout: EXIT_FAIL, with the
 * message left to cli_finish() when stdout itself failed. */
int cli_write_failed(int err);

/*
 * Output files (-o) are replaced atomically: written to FILE.tmp.XXXXXX
 * next to @path (mode 0600, or the mode and owner of the file it
 * replaces) and renamed over it on success, so a failed write never
 * leaves a half report behind; SIGINT, SIGTERM, SIGHUP, SIGPIPE and
 * SIGQUIT remove the temporary before the process dies.  A symbolic link
 * or anything but a regular file is refused ('-' is the way to stdout).
 */
struct cli_out {
	FILE *f;
	char *path;
	char *tmp;
};
/* EXIT_OK, or EXIT_FAIL after printing why (nothing left allocated). */
int cli_out_open(struct cli_out *o, const char *path);
/* Close; rename into place when @ok, else remove the temporary.
 * Returns 0 or -errno (and keeps errno). */
int cli_out_close(struct cli_out *o, bool ok);

/*
 * The capture-filter options of capture, record, serve and watch.  A
 * command lists the ones it takes in its option table with the
 * CLI_OPT_* entries below and passes every option its own switch does
 * not handle to cli_filter_option().
 */
/* clang-format off */
#define CLI_OPT_OBJ { "obj", required_argument, NULL, 'O' }
#define CLI_OPT_MAP { "map", required_argument, NULL, 'm' }
#define CLI_OPT_MAP_ID { "map-id", required_argument, NULL, 'i' }
#define CLI_OPT_MAPS_ONLY { "maps-only", no_argument, NULL, 'M' }
#define CLI_OPT_MAX_ENTRIES { "max-entries", required_argument, NULL, 'n' }
#define CLI_OPT_CGROUP { "cgroup", required_argument, NULL, 'c' }
/* the three every one of them takes */
#define CLI_OPTS_FILTER CLI_OPT_OBJ, CLI_OPT_MAP_ID, CLI_OPT_MAPS_ONLY
/* clang-format on */

struct cli_filter {
	struct ktsnap_capture_opts *copts;
	const char **names; /* room for one per argument */
	const char **cgroups;
	uint32_t *ids;
};
/* Room for the repeatable options of a command line of @argc words, and
 * @copts pointed at it.  EXIT_OK, or EXIT_FAIL after printing why; free
 * with cli_filter_free() either way. */
int cli_filter_init(struct cli_filter *f, struct ktsnap_capture_opts *copts, int argc);
/* Option @c of a cli_getopt() loop, with @arg, that the command's own
 * switch does not take: 'O' --obj, 'm' --map, 'i' --map-id, 'M'
 * --maps-only, 'n' --max-entries, 'c' --cgroup, and 'h' --help.  False
 * when the loop goes on (a filter option taken, *@rc untouched); true
 * when the command stops with *@rc: EXIT_OK after printing the help,
 * EXIT_USAGE for a bad argument (after printing why) and for any other
 * @c (cli_getopt() printed that one). */
bool cli_filter_option(struct cli_filter *f, int c, const char *arg, int *rc);
void cli_filter_free(struct cli_filter *f);

/*
 * Where serve listens and request connects: --socket PATH or --device
 * PATH.  A command lists them in its option table with
 * CLI_OPTS_TRANSPORT and passes the options its own switch does not
 * handle to cli_transport_option().
 */
/* clang-format off */
#define CLI_OPTS_TRANSPORT \
	{ "socket", required_argument, NULL, 's' }, \
	{ "device", required_argument, NULL, 'D' }
/* clang-format on */

struct cli_transport {
	const char *socket; /* --socket PATH, or NULL */
	const char *device; /* --device PATH, or NULL */
};
/* Option @c of a cli_getopt() loop, with @arg: true when it is --socket
 * or --device (the last one given of each wins), else false. */
bool cli_transport_option(struct cli_transport *t, int c, const char *arg);

/* @s in @out (@size bytes, > 0) with every byte outside [A-Za-z0-9._-]
 * as '_' (§10.6's file names; the callers settle "", "." and ".."). */
void cli_safe_name(const char *s, char *out, size_t size);

/* Some row of @f failed with an error of @kind. */
bool cli_series_has_error(const struct ktsnap_series_field *f, enum ktsnap_error_kind kind);
/* What check and plot read from each sample: a global, or a member of
 * a map entry (@cpu < 0: no CPU narrowing). */
struct cli_source {
	bool is_var;
	const char *name, *path;
	size_t index;
	int64_t cpu;
};
/* The column @src of the samples in @s read as @type.  NULL + errno. */
struct ktsnap_series_field *cli_source_column(struct ktsnap_sample_series *s,
					      const struct cli_source *src,
					      enum ktsnap_series_type type);
/* The column @src read as u64, else i64, else f64 (the first type no
 * row rejects as a type mismatch; f64 whatever its rows say).  NULL +
 * errno. */
struct ktsnap_series_field *cli_series_numeric(struct ktsnap_sample_series *s,
					       const struct cli_source *src);

/* "HASH", "PERCPU_ARRAY", … for a bpf_map_type. */
const char *cli_map_type_name(unsigned int type);

#endif
