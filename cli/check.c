// SPDX-License-Identifier: MIT
/*
 * ktsnap check: run one temporal pattern (spec §8.5) over a directory of
 * periodic captures and print the verdict's lines.
 *
 *	ktsnap check DIR PATTERN [PATTERN ARGS] var NAME
 *	ktsnap check DIR PATTERN [PATTERN ARGS] map NAME INDEX PATH [--cpu N]
 *
 * DIR is a series directory (ktsnap_sample_series__read_dir(): series.json
 * plus one report file per sample, as the recorder writes it) or a bare
 * directory of periodic_NNN.json report files, taken in name order with
 * elapsed_ms from the capture timestamps.  Exit status: 0 the pattern passed, 1 it failed or was
 * inconclusive (or the input could not be read), 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/series.h>
#include <ktsnap/temporal.h>

#include "cli.h"
#include "cli_json.h"

enum pattern_id {
	P_NONDECREASING,
	P_STRICTLY_INCREASING,
	P_RATE_WITHIN,
	P_STEADY_WITHIN,
	P_CONVERGES_TO,
	P_ALWAYS_TRUE,
	P_AT_LEAST,
	P_AT_MOST,
	P_BETWEEN,
};

static const struct {
	const char *name;
	int nargs;
} patterns[] = {
	[P_NONDECREASING] = { "nondecreasing", 0 },
	[P_STRICTLY_INCREASING] = { "strictly_increasing", 0 },
	[P_RATE_WITHIN] = { "rate_within", 2 },
	[P_STEADY_WITHIN] = { "steady_within", 2 },
	[P_CONVERGES_TO] = { "converges_to", 3 },
	[P_ALWAYS_TRUE] = { "always_true", 0 },
	[P_AT_LEAST] = { "at_least", 1 },
	[P_AT_MOST] = { "at_most", 1 },
	[P_BETWEEN] = { "between", 2 },
};

#define NR_PATTERNS (sizeof(patterns) / sizeof(patterns[0]))

static int load_series(const char *dir, struct ktsnap_sample_series **out)
{
	*out = ktsnap_sample_series__read_dir(dir);
	if (*out)
		return EXIT_OK;
	if (errno == ENOENT)
		return cli_fail("no series.json or periodic_*.json samples in '%s'", dir);
	if (errno == EINVAL && *ktsnap_errmsg())
		return cli_fail("%s: %s", dir, ktsnap_errmsg());
	return cli_fail("cannot read the samples in '%s': %s", dir, strerror(errno));
}

static const char *outcome_name(enum ktsnap_verdict_outcome o)
{
	switch (o) {
	case KTSNAP_VERDICT_FAIL:
		return "fail";
	case KTSNAP_VERDICT_INCONCLUSIVE:
		return "inconclusive";
	case KTSNAP_VERDICT_NOTE:
		return "note";
	case KTSNAP_VERDICT_PASSED:
		return "passed";
	}
	return "?";
}

static void print_verdict(const struct ktsnap_verdict *v)
{
	size_t i, n = ktsnap_verdict__count(v);
	struct json_writer *w;

	if (!cli_json) {
		for (i = 0; i < n; i++)
			printf("%s\n", ktsnap_verdict__at(v, i)->message);
		return;
	}
	w = cli_jw_begin();
	if (!w)
		return;
	jw_obj_begin(w);
	jw_kv_bool(w, "passed", ktsnap_verdict__passed(v));
	jw_key(w, "outcomes");
	jw_arr_begin(w);
	for (i = 0; i < n; i++) {
		const struct ktsnap_verdict_item *it = ktsnap_verdict__at(v, i);

		jw_obj_begin(w);
		jw_kv_str(w, "outcome", outcome_name(it->outcome));
		jw_kv_str(w, "kind", it->kind == KTSNAP_DETAIL_TEMPORAL ? "temporal" : "other");
		jw_kv_str(w, "message", it->message);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	cli_jw_end(w); /* a write error is cli_finish()'s */
}

static bool parse_f64(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return *s && !*end && !errno;
}

static void apply(enum pattern_id p, const struct ktsnap_series_field *f, struct ktsnap_verdict *v,
		  const double *a, const uint64_t *u)
{
	switch (p) {
	case P_NONDECREASING:
		ktsnap_series_field__nondecreasing(f, v);
		break;
	case P_STRICTLY_INCREASING:
		ktsnap_series_field__strictly_increasing(f, v);
		break;
	case P_RATE_WITHIN:
		ktsnap_series_field__rate_within(f, v, a[0], a[1]);
		break;
	case P_STEADY_WITHIN:
		ktsnap_series_field__steady_within(f, v, u[0], a[1]);
		break;
	case P_CONVERGES_TO:
		ktsnap_series_field__converges_to(f, v, a[0], a[1], u[2]);
		break;
	case P_ALWAYS_TRUE:
		ktsnap_series_field__always_true(f, v);
		break;
	case P_AT_LEAST:
		ktsnap_series_field__each_at_least(f, v, a[0]);
		break;
	case P_AT_MOST:
		ktsnap_series_field__each_at_most(f, v, a[0]);
		break;
	case P_BETWEEN:
		ktsnap_series_field__each_between(f, v, a[0], a[1]);
		break;
	}
}

/* What the command line asks for: a pattern, its arguments and a source. */
struct check_args {
	const char *dir;
	enum pattern_id p;
	double a[3];
	uint64_t u[3];
	struct cli_source src;
};

/*
 * The operands after the options, DIR first (getopt moved the options
 * before them): EXIT_OK, or EXIT_USAGE with the reason printed.
 */
static int parse_operands(char **pos, size_t npos, struct check_args *ca)
{
	unsigned long long x;
	size_t p, k;

	if (npos < 2)
		return cli_usage("DIR and PATTERN are required");
	ca->dir = pos[0];
	for (p = 0; p < NR_PATTERNS && strcmp(pos[1], patterns[p].name); p++)
		;
	if (p == NR_PATTERNS)
		return cli_usage("unknown pattern '%s'", pos[1]);
	ca->p = (enum pattern_id)p;
	if (npos < 2 + (size_t)patterns[p].nargs)
		return cli_usage("%s takes %d argument(s)", patterns[p].name, patterns[p].nargs);
	for (k = 0; k < (size_t)patterns[p].nargs; k++) {
		const char *arg = pos[2 + k];
		bool ms = (p == P_STEADY_WITHIN && k == 0) || (p == P_CONVERGES_TO && k == 2);

		if (ms ? !cli_parse_u64(arg, UINT64_MAX, &x) : !parse_f64(arg, &ca->a[k]))
			return cli_usage("%s: '%s' is not a %s", patterns[p].name, arg,
					 ms ? "number of milliseconds" : "number");
		if (ms)
			ca->u[k] = x;
	}
	k = 2 + (size_t)patterns[p].nargs;
	if (npos - k == 2 && !strcmp(pos[k], "var")) {
		ca->src.is_var = true;
		ca->src.name = pos[k + 1];
		if (ca->src.cpu >= 0)
			return cli_usage("--cpu only applies to a map source");
	} else if (npos - k == 4 && !strcmp(pos[k], "map")) {
		ca->src.name = pos[k + 1];
		ca->src.path = pos[k + 3];
		if (!cli_parse_u64(pos[k + 2], SIZE_MAX, &x))
			return cli_usage("INDEX must be a number, not '%s'", pos[k + 2]);
		ca->src.index = (size_t)x;
	} else {
		return cli_usage("SOURCE is `var NAME` or `map NAME INDEX PATH [--cpu N]`");
	}
	return EXIT_OK;
}

/* Load the samples, project the source, run the pattern, print the verdict. */
static int run_check(struct check_args *ca)
{
	struct ktsnap_sample_series *s = NULL;
	struct ktsnap_series_field *f = NULL;
	struct ktsnap_verdict *v = NULL;
	int ret;

	ret = load_series(ca->dir, &s);
	if (ret)
		return ret;
	/* always_true reads bools, the other patterns numbers */
	f = ca->p == P_ALWAYS_TRUE ? cli_source_column(s, &ca->src, KTSNAP_SERIES_BOOL) :
				     cli_series_numeric(s, &ca->src);
	v = ktsnap_verdict__new();
	if (!f || !v) {
		ret = cli_fail("out of memory");
	} else {
		ktsnap_verdict__set_log_passes(v, true);
		apply(ca->p, f, v, ca->a, ca->u);
		print_verdict(v);
		ret = ktsnap_verdict__passed(v) ? EXIT_OK : EXIT_FAIL;
	}
	ktsnap_verdict__free(v);
	ktsnap_series_field__free(f);
	ktsnap_sample_series__free(s);
	return ret;
}

static int do_check(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ 0 },
	};
	struct check_args ca = { .src.cpu = -1 };
	unsigned long long cpu;
	int c;

	while ((c = cli_getopt(argc, argv, "", extra)) != -1) {
		switch (c) {
		case 'c':
			if (!cli_parse_u64(optarg, UINT32_MAX, &cpu))
				return cli_usage("--cpu must be a number, not '%s'", optarg);
			ca.src.cpu = (int64_t)cpu;
			break;
		case 'h':
			return cli_help();
		case '?':
			return EXIT_USAGE;
		default:
			break;
		}
	}
	if (parse_operands(argv + optind, (size_t)(argc - optind), &ca))
		return EXIT_USAGE;
	return run_check(&ca);
}

const struct cli_cmd cmd_check = {
	.name = "check",
	.run = do_check,
	.synopsis = CLI_SYNOPSIS_check,
	.help = "Run a temporal pattern over the periodic_*.json samples in DIR and print\n"
		"the verdict's lines; exit 0 when it passed, 1 when it failed or was\n"
		"inconclusive.  A negative number needs `--` before the arguments.\n\n"
		"patterns:\n"
		"  nondecreasing | strictly_increasing | always_true\n"
		"  rate_within LO HI            per-ms rate between adjacent samples\n"
		"  steady_within WARMUP_MS TOL  after warmup, within mean * (1 +- TOL)\n"
		"  converges_to TARGET TOL DEADLINE_MS\n"
		"  at_least X | at_most X | between LO HI   every sample\n\n"
		"sources:\n"
		"  var NAME                     the active scheduler's global NAME\n"
		"  map NAME INDEX PATH          entry INDEX of map NAME, dotted PATH\n"
		"  --cpu N                      narrow a per-CPU map to CPU N\n\n"
		"DIR/series.json (written by the recorder) supplies each sample's elapsed\n"
		"time; without it the reports' capture timestamps are used.\n",
};
