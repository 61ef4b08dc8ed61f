// SPDX-License-Identifier: MIT
/* Helpers shared by the commands: errors, options, report files. */
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "cli.h"
#include "cli_json.h"

bool cli_json;
bool cli_pretty;
const struct cli_cmd *cli_current;

static void vreport(const char *fmt, va_list ap)
{
	char msg[2048];
	struct json_writer *w;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cli_json && (w = cli_jw_begin())) {
		jw_obj_begin(w);
		jw_kv_str(w, "error", msg);
		jw_obj_end(w);
		cli_jw_end(w);
		fflush(stdout);
	} else {
		/* the text may quote a report file: one line, no control bytes */
		fprintf(stderr, "ktsnap%s%s: %s\n", cli_current ? " " : "",
			cli_current ? cli_current->name : "", cli_esc(msg));
	}
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

/* One form, from @s up to its newline. */
static void print_form(FILE *f, const char *s)
{
	const char *tok = s, *p;
	size_t col = 2, indent = 0, spaces = 0;
	int depth = 0;

	fputs("  ", f);
	for (p = s;; p++) {
		if (*p && *p != '\n' && (*p != ' ' || depth)) {
			depth += (*p == '[' || *p == '(') - (*p == ']' || *p == ')');
			continue;
		}
		/* a token [tok, p): after the name, continuations line up */
		if (col > indent && indent && col + 1 + (size_t)(p - tok) > 80) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (tok != s) {
			fputc(' ', f);
			col++;
		}
		fwrite(tok, 1, (size_t)(p - tok), f);
		col += (size_t)(p - tok);
		if (!indent && ++spaces == 2)
			indent = col + 1; /* after "ktsnap NAME" */
		if (!*p || *p == '\n')
			break;
		tok = p + 1;
	}
	fputc('\n', f);
}

void cli_print_synopsis(FILE *f, const char *forms)
{
	const char *p;

	for (p = forms; *p; p = strchr(p, '\n') + 1) {
		print_form(f, p);
		if (!strchr(p, '\n'))
			break;
	}
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	if (!cli_json) {
		if (cli_current) {
			fputs("usage:\n", stderr);
			cli_print_synopsis(stderr, cli_current->synopsis);
			fprintf(stderr, "(see: ktsnap %s --help)\n", cli_current->name);
		} else
			fprintf(stderr, "see: ktsnap --help\n");
	}
	return EXIT_USAGE;
}

int cli_help(void)
{
	printf("usage:\n");
	cli_print_synopsis(stdout, cli_current->synopsis);
	printf("\n%s", cli_current->help);
	return EXIT_OK;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *extra)
{
	static const struct option common[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option longopts[32];
	char shorts[64];
	size_t n = 0;
	int c;

	for (; extra && extra[n].name && n < 28; n++)
		longopts[n] = extra[n];
	memcpy(longopts + n, common, sizeof(common));
	memset(longopts + n + 3, 0, sizeof(longopts[0]));
	/* leading ':' reports a missing argument as ':' */
	snprintf(shorts, sizeof(shorts), ":jph%s", shortopts ? shortopts : "");
	for (;;) {
		c = getopt_long(argc, argv, shorts, longopts, NULL);
		switch (c) {
		case 'j':
			cli_json = true;
			continue;
		case 'p':
			cli_pretty = true;
			continue;
		case ':':
			cli_usage("option '%s' needs an argument", argv[optind - 1]);
			return '?';
		case '?':
			if (optopt)
				cli_usage("unknown option '-%c'", optopt);
			else
				cli_usage("unknown option '%s'", argv[optind - 1]);
			return '?';
		default:
			return c;
		}
	}
}

/* A report file read without printing: NULL, or why not (static or the
 * calling thread's ktsnap_errmsg()). */
static const char *read_report_quiet(const char *path, struct ktsnap_report **r)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int err;

	if (!f)
		return strerror(errno);
	/* JSON or .ktsnap, told apart by the binary magic */
	err = ktsnap_report__read_file(f, KTSNAP_FORMAT_AUTO, r);
	if (f != stdin)
		fclose(f);
	return err ? ktsnap_errmsg() : NULL;
}

int cli_read_report(const char *path, struct ktsnap_report **r)
{
	const char *why = read_report_quiet(path, r);

	return why ? cli_fail("%s: %s", path, why) : EXIT_OK;
}

struct read_job {
	const char *path;
	struct ktsnap_report *r;
	bool failed;
	char *why; /* malloc'd (NULL: out of memory) */
};

static void *read_job_run(void *arg)
{
	struct read_job *j = arg;
	const char *why = read_report_quiet(j->path, &j->r);

	if (why) {
		j->failed = true;
		j->why = strdup(why); /* the text is this thread's */
	}
	return NULL;
}

int cli_read_reports(const char *path_a, const char *path_b, struct ktsnap_report **a,
		     struct ktsnap_report **b)
{
	struct read_job j[2] = { { .path = path_a }, { .path = path_b } };
	int i, rc = EXIT_OK;
	pthread_t t;
	bool threaded = !pthread_create(&t, NULL, read_job_run, &j[1]);

	read_job_run(&j[0]);
	if (threaded)
		pthread_join(t, NULL);
	else
		read_job_run(&j[1]);
	for (i = 0; i < 2; i++) {
		if (j[i].failed && rc == EXIT_OK)
			rc = cli_fail("%s: %s", j[i].path, j[i].why ? j[i].why : strerror(ENOMEM));
		free(j[i].why);
	}
	if (rc) {
		ktsnap_report__free(j[0].r);
		ktsnap_report__free(j[1].r);
		return rc;
	}
	*a = j[0].r;
	*b = j[1].r;
	return EXIT_OK;
}

int cli_parse_format(const char *s, enum ktsnap_report_format *fmt)
{
	if (!strcmp(s, "json"))
		*fmt = KTSNAP_FORMAT_JSON;
	else if (!strcmp(s, "ktsnap") || !strcmp(s, "binary"))
		*fmt = KTSNAP_FORMAT_BINARY;
	else
		return cli_usage("--format wants 'json' or 'ktsnap', not '%s'", s);
	return EXIT_OK;
}

enum ktsnap_report_format cli_output_format(const char *path, enum ktsnap_report_format forced)
{
	enum ktsnap_report_format fmt = forced;

	if (fmt == KTSNAP_FORMAT_AUTO && path)
		fmt = ktsnap_report_format__from_path(path);
	return fmt == KTSNAP_FORMAT_AUTO ? KTSNAP_FORMAT_JSON : fmt;
}

bool cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

const char *cli_map_type_name(unsigned int type)
{
	const char *s = libbpf_bpf_map_type_str((enum bpf_map_type)type);
	static char buf[32];
	size_t i;

	if (!s) {
		snprintf(buf, sizeof(buf), "type %u", type);
		return buf;
	}
	for (i = 0; s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	buf[i] = '\0';
	return buf;
}

int cli_filter_init(struct cli_filter *f, struct ktsnap_capture_opts *copts, int argc)
{
	f->copts = copts;
	f->names = calloc((size_t)argc, sizeof(*f->names));
	f->cgroups = calloc((size_t)argc, sizeof(*f->cgroups));
	f->ids = calloc((size_t)argc, sizeof(*f->ids));
	if (!f->names || !f->cgroups || !f->ids)
		return cli_fail("out of memory");
	copts->map_names = f->names;
	copts->map_ids = f->ids;
	copts->cgroups = f->cgroups;
	return EXIT_OK;
}

/* The filter option @c with @arg: EXIT_OK when taken, else EXIT_USAGE. */
static int filter_option(struct cli_filter *f, int c, const char *arg)
{
	struct ktsnap_capture_opts *o = f->copts;
	unsigned long long n;

	switch (c) {
	case 'O':
		o->obj = arg;
		break;
	case 'm':
		f->names[o->nr_map_names++] = arg;
		break;
	case 'c':
		f->cgroups[o->nr_cgroups++] = arg;
		break;
	case 'M':
		o->maps_only = true;
		break;
	case 'i':
		if (!cli_parse_u64(arg, UINT32_MAX, &n) || !n)
			return cli_usage("--map-id wants a map id, not '%s'", arg);
		f->ids[o->nr_map_ids++] = (uint32_t)n;
		break;
	case 'n':
		/* 0 and 'all' both mean "no cap", as the CLI asks */
		if (!strcmp(arg, "all") || !strcmp(arg, "none")) {
			n = KTSNAP_CAP_NONE;
		} else if (!cli_parse_u64(arg, KTSNAP_CAP_NONE - 1, &n)) {
			return cli_usage("--max-entries wants a number from 0 to %u or "
					 "'all' (0 and 'all': no cap), not '%s'",
					 KTSNAP_CAP_NONE - 1, arg);
		} else if (!n) {
			n = KTSNAP_CAP_NONE;
		}
		o->max_hash_entries = (uint32_t)n;
		o->max_array_keys = (uint32_t)n;
		o->max_percpu_keys = (uint32_t)n;
		break;
	default:
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

bool cli_filter_option(struct cli_filter *f, int c, const char *arg, int *rc)
{
	int r;

	if (c == 'h') {
		*rc = cli_help();
		return true;
	}
	r = filter_option(f, c, arg);
	if (r == EXIT_OK)
		return false;
	*rc = r;
	return true;
}

bool cli_transport_option(struct cli_transport *t, int c, const char *arg)
{
	if (c == 's')
		t->socket = arg;
	else if (c == 'D')
		t->device = arg;
	else
		return false;
	return true;
}

int cli_operands(int argc, char **argv, int want, const char *missing)
{
	if (argc - optind < want)
		return cli_usage("%s", missing);
	if (argc - optind > want)
		return cli_usage("unexpected argument '%s'", argv[optind + want]);
	return EXIT_OK;
}

void cli_filter_free(struct cli_filter *f)
{
	free(f->names);
	free(f->cgroups);
	free(f->ids);
	f->names = f->cgroups = NULL;
	f->ids = NULL;
}

void cli_safe_name(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

		out[i] = ok ? c : '_';
	}
	out[i] = '\0';
}

bool cli_series_has_error(const struct ktsnap_series_field *f, enum ktsnap_error_kind kind)
{
	size_t i;

	for (i = 0; i < ktsnap_series_field__len(f); i++) {
		const struct ktsnap_series_value *v = ktsnap_series_field__value(f, i);

		if (!v->ok && ktsnap_error__kind(&v->err) == kind)
			return true;
	}
	return false;
}

struct ktsnap_series_field *cli_source_column(struct ktsnap_sample_series *s,
					      const struct cli_source *src,
					      enum ktsnap_series_type type)
{
	if (src->is_var)
		return ktsnap_sample_series__bpf_live(s, src->name, type);
	return ktsnap_sample_series__map_field(s, src->name, src->index, src->cpu, src->path, type);
}

struct ktsnap_series_field *cli_series_numeric(struct ktsnap_sample_series *s,
					       const struct cli_source *src)
{
	static const enum ktsnap_series_type order[] = { KTSNAP_SERIES_U64, KTSNAP_SERIES_I64,
							 KTSNAP_SERIES_F64 };
	struct ktsnap_series_field *f = NULL;
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ktsnap_series_field__free(f);
		f = cli_source_column(s, src, order[i]);
		if (!f || !cli_series_has_error(f, KTSNAP_ERR_TYPE_MISMATCH))
			break;
	}
	return f;
}
