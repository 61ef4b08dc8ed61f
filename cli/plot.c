// SPDX-License-Identifier: MIT
/*
 * ktsnap plot: an SVG line chart of one or more sources over the samples
 * of a series directory (what `ktsnap record` writes).
 *
 *	ktsnap plot DIR SOURCE... -o FILE.svg
 *	SOURCE:	var NAME | map NAME INDEX PATH   (--cpu N applies to map sources)
 *
 * One line per source; a map source on a per-CPU map without --cpu gets
 * one line per CPU.  x is the elapsed time in ms, y the value; a sample
 * whose value cannot be read breaks its line.  Every point carries a
 * <title> (tag, elapsed, value) that a browser shows on hover.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/series.h>

#include "cli.h"
#include "cli_json.h"

#define PLOT_W 580.0 /* the plotting area */
#define H 480.0
#define LEFT 90.0
#define TOP 40.0
#define BOTTOM 60.0
#define MAX_LINES 64

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

struct line {
	struct ktsnap_series_field *f;
	char label[160];
};

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* 1, 2 or 5 times a power of ten, about (hi - lo) / 5. */
static double nice_step(double lo, double hi)
{
	double raw = (hi - lo) / 5, p, m;

	if (!(raw > 0) || !isfinite(raw))
		return 1;
	p = pow(10, floor(log10(raw)));
	m = raw / p;
	return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/* How many steps from @lo fit up to @hi, at most 50. */
static size_t tick_count(double lo, double hi, double step)
{
	double n = floor((hi - lo) / step + 0.5);

	return !(n > 0) ? 0 : n > 50 ? 50 : (size_t)n;
}

static void fmt_num(char *buf, size_t size, double v)
{
	if (fabs(v) >= 1e15 || (v != 0 && fabs(v) < 1e-3))
		snprintf(buf, size, "%.3g", v);
	else
		snprintf(buf, size, "%.15g", round(v * 1e6) / 1e6);
}

static double value_of(const struct ktsnap_series_field *f, size_t i, bool *ok)
{
	const struct ktsnap_series_value *v = ktsnap_series_field__value(f, i);

	*ok = v && v->ok;
	if (!*ok)
		return 0;
	switch (ktsnap_series_field__type(f)) {
	case KTSNAP_SERIES_U64:
		return (double)v->v.u64;
	case KTSNAP_SERIES_I64:
		return (double)v->v.i64;
	case KTSNAP_SERIES_F64:
		*ok = isfinite(v->v.f64);
		return v->v.f64;
	case KTSNAP_SERIES_BOOL:
		return v->v.b;
	}
	return 0;
}

static int write_svg(FILE *out, struct line *lines, size_t nr, const char *dir)
{
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	double pw = PLOT_W, ph = H - TOP - BOTTOM, step, t, W, RIGHT;
	size_t l, i, n, longest = 0, k, nt;
	char num[64];
	bool ok;

	/* the legend gets what its longest label needs (~7 px a character) */
	for (l = 0; l < nr; l++)
		if (strlen(lines[l].label) > longest)
			longest = strlen(lines[l].label);
	RIGHT = 70 + 7.0 * (double)longest;
	W = LEFT + pw + RIGHT;
	for (l = 0; l < nr; l++) {
		n = ktsnap_series_field__len(lines[l].f);
		for (i = 0; i < n; i++) {
			double x = (double)ktsnap_series_field__elapsed_ms(lines[l].f, i);
			double y = value_of(lines[l].f, i, &ok);

			xmin = fmin(xmin, x);
			xmax = fmax(xmax, x);
			if (!ok)
				continue;
			ymin = fmin(ymin, y);
			ymax = fmax(ymax, y);
		}
	}
	if (!isfinite(xmin)) {
		xmin = 0;
		xmax = 1;
	}
	if (!isfinite(ymin)) {
		ymin = 0;
		ymax = 1;
	}
	/* elapsed time starts at the run's start; a little room on the right */
	xmin = 0;
	if (xmax <= xmin)
		xmax = xmin + 1;
	xmax += (xmax - xmin) * 0.03;
	if (ymax <= ymin) {
		/* a flat line: room around it, relative to its size (at
		 * 1.8e19, +-1 is lost to rounding) */
		double pad = fmax(1, fabs(ymin) * 0.05);

		ymin -= pad;
		ymax += pad;
	}
	step = nice_step(ymin, ymax);
	ymin = floor(ymin / step) * step;
	ymax = ceil(ymax / step) * step;
#define PX(x) (LEFT + ((x)-xmin) / (xmax - xmin) * pw)
#define PY(y) (TOP + ph - ((y)-ymin) / (ymax - ymin) * ph)

	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		W, H, W, H);
	fputs("<title>", out);
	xml_text(out, dir);
	fputs("</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", out);
	/* grid, y ticks; counted, not accumulated, so rounding cannot stall
	 * the loop whatever the magnitude */
	nt = tick_count(ymin, ymax, step);
	for (k = 0; k <= nt; k++) {
		t = ymin + (double)k * step;
		fmt_num(num, sizeof(num), t);
		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#e0e0e0\"/>\n",
			LEFT, PY(t), LEFT + pw, PY(t));
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
			LEFT - 6, PY(t) + 4, num);
	}
	/* x ticks */
	step = nice_step(xmin, xmax);
	nt = tick_count(ceil(xmin / step) * step, xmax + step / 1e9, step);
	for (k = 0; k <= nt; k++) {
		t = ceil(xmin / step) * step + (double)k * step;
		fmt_num(num, sizeof(num), t);
		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#e0e0e0\"/>\n",
			PX(t), TOP, PX(t), TOP + ph);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
			PX(t), TOP + ph + 18, num);
	}
	/* axes and their labels (units) */
	fprintf(out, "<path d=\"M%.1f %.1fV%.1fH%.1f\" fill=\"none\" stroke=\"black\"/>\n", LEFT,
		TOP, TOP + ph, LEFT + pw);
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">elapsed (ms)</text>\n",
		LEFT + pw / 2, H - 16);
	fprintf(out,
		"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
		"transform=\"rotate(-90 %.1f %.1f)\">value (as read)</text>\n",
		22.0, TOP + ph / 2, 22.0, TOP + ph / 2);

	for (l = 0; l < nr; l++) {
		const char *color = palette[l % (sizeof(palette) / sizeof(palette[0]))];
		bool open = false;

		n = ktsnap_series_field__len(lines[l].f);
		fprintf(out, "<g stroke=\"%s\" fill=\"%s\">\n", color, color);
		for (i = 0; i < n; i++) {
			double y = value_of(lines[l].f, i, &ok);
			double x = (double)ktsnap_series_field__elapsed_ms(lines[l].f, i);

			if (!ok) {
				if (open)
					fputs("\"/>\n", out);
				open = false;
				continue;
			}
			if (!open)
				fputs("<polyline fill=\"none\" stroke-width=\"2\" points=\"", out);
			else
				fputc(' ', out);
			fprintf(out, "%.1f,%.1f", PX(x), PY(y));
			open = true;
		}
		if (open)
			fputs("\"/>\n", out);
		/* points with hover titles (errors as hollow marks on the x axis) */
		for (i = 0; i < n; i++) {
			double y = value_of(lines[l].f, i, &ok);
			double x = (double)ktsnap_series_field__elapsed_ms(lines[l].f, i);
			const struct ktsnap_series_value *v =
				ktsnap_series_field__value(lines[l].f, i);
			char err[512];

			if (ok)
				fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\">", PX(x),
					PY(y));
			else
				fprintf(out,
					"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"white\">",
					PX(x), TOP + ph);
			fputs("<title>", out);
			xml_text(out, ktsnap_series_field__tag(lines[l].f, i));
			fprintf(out, " (+%llu ms) ",
				(unsigned long long)ktsnap_series_field__elapsed_ms(lines[l].f, i));
			xml_text(out, lines[l].label);
			if (ok) {
				fmt_num(num, sizeof(num), y);
				fprintf(out, " = %s", num);
			} else if (v && !v->ok &&
				   ktsnap_error__format(&v->err, err, sizeof(err)) > 0) {
				fputs(": ", out);
				xml_text(out, err);
			}
			fputs("</title></circle>\n", out);
		}
		fputs("</g>\n", out);
		/* legend */
		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"3\"/>\n",
			W - RIGHT + 20, TOP + 10 + 20.0 * (double)l, W - RIGHT + 44,
			TOP + 10 + 20.0 * (double)l, color);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", W - RIGHT + 50,
			TOP + 14 + 20.0 * (double)l);
		xml_text(out, lines[l].label);
		fputs("</text>\n", out);
	}
	fputs("</svg>\n", out);
#undef PX
#undef PY
	return ferror(out) ? -EIO : 0;
}

/* Read as u64, else i64, else f64 (the first type no row rejects). */
static struct ktsnap_series_field *project(struct ktsnap_sample_series *s, bool is_var,
					   const char *name, size_t index, const char *path,
					   int64_t cpu)
{
	struct cli_source src = { is_var, name, path, index, cpu };

	return cli_series_numeric(s, &src);
}

/* Some row failed with PerCpuNotNarrowed: the source is a per-CPU map. */
static bool needs_cpu(const struct ktsnap_series_field *f)
{
	return cli_series_has_error(f, KTSNAP_ERR_PER_CPU_NOT_NARROWED);
}

/* CPU slots of map @name in the first sample that has it. */
static uint32_t cpu_count(const struct ktsnap_sample_series *s, const char *name)
{
	struct ktsnap_sample smp;
	size_t i;

	for (i = 0; i < ktsnap_sample_series__len(s); i++) {
		struct ktsnap_map_view m;

		ktsnap_sample_series__sample(s, i, &smp);
		m = ktsnap_snapshot__map(smp.snapshot, name);
		if (ktsnap_map_view__is_ok(m))
			return ktsnap_map__cpu_count(ktsnap_map_view__raw(m));
	}
	return 0;
}

/* What -j says once the chart is written. */
struct summary {
	const char *file;
	size_t samples, lines;
};

static void summary_fields(struct json_writer *w, const void *ctx)
{
	const struct summary *sum = ctx;

	jw_kv_str(w, "file", sum->file);
	jw_kv_u64(w, "samples", sum->samples);
	jw_kv_u64(w, "lines", sum->lines);
}

static int do_plot(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "cpu", required_argument, NULL, 'c' },
		{ 0 },
	};
	struct ktsnap_sample_series *s = NULL;
	struct line lines[MAX_LINES];
	size_t nr = 0, npos, k, i;
	const char *out = NULL;
	char **pos;
	unsigned long long cpu = 0, index;
	bool has_cpu = false;
	struct cli_out o = { 0 };
	struct summary sum;
	int c, rc = EXIT_USAGE, err;

	while ((c = cli_getopt(argc, argv, "o:", extra)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'c':
			if (!cli_parse_u64(optarg, UINT32_MAX, &cpu)) {
				cli_usage("--cpu must be a number, not '%s'", optarg);
				goto out;
			}
			has_cpu = true;
			break;
		case 'h':
			rc = cli_help();
			goto out;
		default:
			goto out;
		}
	}
	/* the operands, DIR first (getopt moved the options before them) */
	pos = argv + optind;
	npos = (size_t)(argc - optind);
	if (npos < 3 || !out) {
		cli_usage("DIR, at least one SOURCE and -o FILE.svg are required");
		goto out;
	}
	/* check the sources before reading anything */
	for (k = 1; k < npos;) {
		if (!strcmp(pos[k], "var") && k + 1 < npos) {
			k += 2;
		} else if (!strcmp(pos[k], "map") && k + 3 < npos) {
			if (!cli_parse_u64(pos[k + 2], UINT64_MAX, &index)) {
				cli_usage("INDEX must be a number, not '%s'", pos[k + 2]);
				goto out;
			}
			k += 4;
		} else {
			cli_usage("SOURCE is `var NAME` or `map NAME INDEX PATH`, not '%s'",
				  pos[k]);
			goto out;
		}
	}
	s = ktsnap_sample_series__read_dir(pos[0]);
	if (!s) {
		rc = errno == ENOENT ?
			     cli_fail("no series.json or periodic_*.json samples in '%s'", pos[0]) :
			     cli_fail("cannot read the samples in '%s': %s", pos[0],
				      *ktsnap_errmsg() ? ktsnap_errmsg() : strerror(errno));
		goto out;
	}
	rc = EXIT_FAIL;
	for (k = 1; k < npos;) {
		bool is_var = !strcmp(pos[k], "var");
		const char *name = pos[k + 1], *path = is_var ? "" : pos[k + 3];
		struct ktsnap_series_field *f;
		uint32_t ncpu, cc;

		index = 0;
		if (!is_var)
			cli_parse_u64(pos[k + 2], UINT64_MAX, &index);
		k += is_var ? 2 : 4;
		f = project(s, is_var, name, (size_t)index, path,
			    !is_var && has_cpu ? (int64_t)cpu : -1);
		if (!f) {
			rc = cli_fail("out of memory");
			goto out;
		}
		if (is_var || has_cpu || !needs_cpu(f) || !(ncpu = cpu_count(s, name))) {
			if (nr == MAX_LINES) {
				ktsnap_series_field__free(f);
				rc = cli_fail("more than %d lines", MAX_LINES);
				goto out;
			}
			lines[nr].f = f;
			snprintf(lines[nr].label, sizeof(lines[nr].label), "%s",
				 ktsnap_series_field__label(f));
			nr++;
			continue;
		}
		/* a per-CPU map: one line per CPU */
		ktsnap_series_field__free(f);
		for (cc = 0; cc < ncpu; cc++) {
			if (nr == MAX_LINES) {
				rc = cli_fail("more than %d lines", MAX_LINES);
				goto out;
			}
			lines[nr].f = project(s, false, name, (size_t)index, path, cc);
			if (!lines[nr].f) {
				rc = cli_fail("out of memory");
				goto out;
			}
			snprintf(lines[nr].label, sizeof(lines[nr].label), "%s[%llu].%s cpu %u",
				 name, index, path, cc);
			nr++;
		}
	}
	err = cli_out_open(&o, out);
	if (err) {
		rc = cli_fail("%s: %s", out, strerror(-err));
		goto out;
	}
	err = write_svg(o.f, lines, nr, pos[0]);
	if (cli_out_close(&o, !err) && !err)
		err = -EIO;
	if (err) {
		rc = cli_fail("writing %s: %s", out, strerror(-err));
		goto out;
	}
	sum = (struct summary){ out, ktsnap_sample_series__len(s), nr };
	rc = cli_summary(summary_fields, &sum, "plotted %zu line(s) over %zu samples → %s\n", nr,
			 sum.samples, out);
out:
	for (i = 0; i < nr; i++)
		ktsnap_series_field__free(lines[i].f);
	ktsnap_sample_series__free(s);
	return rc;
}

const struct cli_cmd cmd_plot = {
	.name = "plot",
	.run = do_plot,
	.synopsis = CLI_SYNOPSIS_plot,
	.help = "Draw the samples in DIR (see `ktsnap record`) as an SVG line chart: one\n"
		"line per SOURCE over the elapsed time, one line per CPU for a per-CPU map\n"
		"(unless --cpu picks one), a legend, and each sample's tag and value on\n"
		"hover.  A sample whose value cannot be read breaks the line.\n\n"
		"sources:\n"
		"  var NAME                     the active scheduler's global NAME\n"
		"  map NAME INDEX PATH          entry INDEX of map NAME, dotted PATH\n\n"
		"  -o, --output FILE.svg        where the chart goes\n"
		"      --cpu N                  one CPU's slot of per-CPU map sources\n",
};
