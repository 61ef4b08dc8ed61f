// SPDX-License-Identifier: MIT
/* ktsnap convert: a report file from JSON to .ktsnap or back. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_json.h"

/* What convert says once the file is written. */
struct summary {
	const char *input, *output, *format;
	long long bytes;
};

static void summary_fields(struct json_writer *w, const void *ctx)
{
	const struct summary *sum = ctx;

	jw_kv_str(w, "input", sum->input);
	jw_kv_str(w, "output", sum->output);
	jw_kv_str(w, "format", sum->format);
	jw_kv_i64(w, "bytes", sum->bytes);
}

static int summary(const char *in, const char *out, enum ktsnap_report_format fmt)
{
	struct stat st;
	struct summary sum = { in, out, ktsnap_report_format__name(fmt),
			       stat(out, &st) ? -1 : (long long)st.st_size };

	return cli_summary(summary_fields, &sum, "%s → %s (%s, %lld bytes)\n", cli_esc(in),
			   cli_esc(out), sum.format, sum.bytes);
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ 0 },
	};
	enum ktsnap_report_format fmt = KTSNAP_FORMAT_AUTO;
	struct ktsnap_report *r = NULL;
	struct cli_out o = { 0 };
	const char *in, *out;
	bool to_stdout;
	FILE *f = stdout;
	int c, err, rc;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'F':
			if ((rc = cli_parse_format(optarg, &fmt)))
				return rc;
			break;
		case 'h':
			return cli_help();
		default:
			return EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(argc, argv, 2, "an input and an output file are needed")))
		return rc;
	in = argv[optind];
	out = argv[optind + 1];
	to_stdout = !strcmp(out, "-");
	fmt = cli_output_format(to_stdout ? NULL : out, fmt);
	if (to_stdout && fmt == KTSNAP_FORMAT_BINARY && isatty(STDOUT_FILENO))
		return cli_usage("not writing a binary report to a terminal (give an output "
				 "file, or redirect standard output)");
	rc = cli_read_report(in, &r);
	if (rc)
		return rc;
	if (!to_stdout) {
		rc = cli_out_open(&o, out);
		if (rc)
			goto out;
		f = o.f;
	}
	if (to_stdout)
		cli_stdout_verbatim(true);
	err = ktsnap_report__write_file(r, f, fmt, cli_pretty ? KTSNAP_JSON_PRETTY : 0);
	if (to_stdout) {
		cli_stdout_verbatim(false);
		rc = err ? cli_write_failed(err) : EXIT_OK;
		goto out;
	}
	c = cli_out_close(&o, !err);
	if (!err)
		err = c;
	if (err) {
		rc = cli_fail("writing %s: %s", out,
			      err == -EINVAL || err == -ENOMEM ? ktsnap_errmsg() : strerror(-err));
		goto out;
	}
	rc = summary(in, out, fmt);
out:
	if (o.tmp)
		cli_out_close(&o, false);
	ktsnap_report__free(r);
	return rc;
}

const struct cli_cmd cmd_convert = {
	.name = "convert",
	.run = run,
	.synopsis = CLI_SYNOPSIS_convert,
	.help = "Rewrite report file IN (JSON or .ktsnap, told apart by content; '-': stdin)\n"
		"as OUT, in the format --format names, else the one OUT's extension names\n"
		"(.ktsnap: the compact binary file), else JSON ('-': stdout, JSON unless\n"
		"--format).  OUT is replaced atomically as with capture -o.  A .ktsnap\n"
		"written from a capture keeps the maps' raw bytes and BTF, so converting it\n"
		"to JSON gives exactly the JSON the capture would have written; maps read\n"
		"from JSON have no raw bytes and travel as their JSON objects.\n\n"
		"      --format FMT      'json' or 'ktsnap'\n"
		"  -p, --pretty          indent the JSON\n",
};
