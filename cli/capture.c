// SPDX-License-Identifier: MIT
/* ktsnap capture: the live kernel's BPF state to a report file. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cli.h"
#include "cli_json.h"

/* What -o says once the file is written. */
struct summary {
	const char *file;
	const struct ktsnap_report *r;
	long long bytes;
};

static void summary_fields(struct json_writer *w, const void *ctx)
{
	const struct summary *sum = ctx;

	jw_kv_str(w, "file", sum->file);
	jw_kv_u64(w, "maps", ktsnap_report__map_count(sum->r));
	jw_kv_u64(w, "capture_ns", ktsnap_report__capture_ns(sum->r));
	jw_kv_i64(w, "bytes", sum->bytes);
}

static int summary(const char *out, const struct ktsnap_report *r)
{
	struct stat st;
	struct summary sum = { out, r, stat(out, &st) ? -1 : (long long)st.st_size };

	return cli_summary(summary_fields, &sum, "captured %zu maps in %.1f ms → %s (%lld bytes)\n",
			   ktsnap_report__map_count(r), ktsnap_report__capture_ns(r) / 1e6,
			   cli_esc(out), sum.bytes);
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		CLI_OPTS_FILTER,
		CLI_OPT_MAP,
		CLI_OPT_MAX_ENTRIES,
		CLI_OPT_CGROUP,
		{ "format", required_argument, NULL, 'F' },
		{ "compress", no_argument, NULL, 'Z' },
		{ 0 },
	};
	KTSNAP_OPTS(ktsnap_capture_opts, copts);
	struct cli_filter flt;
	const char *out = NULL;
	struct ktsnap_report *r = NULL;
	FILE *f = stdout;
	struct cli_out o = { 0 };
	enum ktsnap_report_format fmt = KTSNAP_FORMAT_AUTO;
	bool compress = false;
	int c, err, rc = EXIT_FAIL;

	if (cli_filter_init(&flt, &copts, argc))
		goto out;
	while ((c = cli_getopt(argc, argv, "o:", opts)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'F':
			if ((rc = cli_parse_format(optarg, &fmt)))
				goto out;
			rc = EXIT_FAIL;
			break;
		case 'Z':
			compress = true;
			break;
		default:
			if (cli_filter_option(&flt, c, optarg, &rc))
				goto out;
			break;
		}
	}
	if ((rc = cli_operands(argc, argv, 0, NULL)))
		goto out;
	rc = EXIT_FAIL;
	if ((!out || !strcmp(out, "-")) && fmt == KTSNAP_FORMAT_BINARY && isatty(STDOUT_FILENO)) {
		rc = cli_usage("not writing a binary report to a terminal (give -o FILE, or "
			       "redirect standard output)");
		goto out;
	}
	/* a bad -o fails before the capture's work (the temporary is removed
	 * on every failure below, and by a fatal signal) */
	if (out && strcmp(out, "-")) {
		rc = cli_out_open(&o, out);
		if (rc)
			goto out;
		f = o.f;
	}
	err = ktsnap_capture(&copts, &r);
	if (err) {
		rc = cli_fail("%s", *ktsnap_errmsg() ? ktsnap_errmsg() : strerror(-err));
		goto out;
	}
	if (f == stdout)
		cli_stdout_verbatim(true);
	/* .ktsnap by extension or --format; JSON otherwise */
	fmt = cli_output_format(f == stdout ? NULL : out, fmt);
	/* zstd costs a quarter of a big capture's time: only when asked */
	err = ktsnap_report__write_file(r, f, fmt,
					(cli_pretty ? KTSNAP_JSON_PRETTY : 0) |
						(compress ? 0 : KTSNAP_BINARY_NO_COMPRESS));
	if (f == stdout)
		cli_stdout_verbatim(false);
	if (f != stdout) {
		int cerr = cli_out_close(&o, !err);

		if (!err)
			err = cerr;
	}
	if (err && f == stdout) {
		rc = cli_write_failed(err);
		goto out;
	}
	if (err) {
		/* keep the errno: "No space left on device" says what to do */
		rc = cli_fail("writing %s: %s", out,
			      err == -EINVAL ? ktsnap_errmsg() : strerror(-err));
		goto out;
	}
	if (f != stdout)
		summary(out, r);
	rc = EXIT_OK;
out:
	if (o.tmp)
		cli_out_close(&o, false);
	ktsnap_report__free(r);
	cli_filter_free(&flt);
	return rc;
}

const struct cli_cmd cmd_capture = {
	.name = "capture",
	.run = run,
	.synopsis = CLI_SYNOPSIS_capture,
	.help = "Capture the BPF maps of the running kernel (and the /proc walkers) to a\n"
		"report file; stdout by default.  Needs root (CAP_SYS_ADMIN: the kernel lists\n"
		"BPF maps only to it).  A filter that matches nothing is an error.\n\n"
		"  -o, --output FILE     write the report to FILE (prints a summary line); a\n"
		"                        new FILE is mode 0600, a replaced one keeps its mode;\n"
		"                        not a symbolic link or a device ('-': stdout)\n"
		"      --obj PREFIX      only the maps of BPF object PREFIX (PREFIX.bss, …)\n"
		"      --map NAME        only maps named NAME (repeatable)\n"
		"      --map-id ID       only the map with kernel id ID (repeatable)\n"
		"      --max-entries N   entries kept per map, 0…4294967294 (default: 4096 hash /\n"
		"                        4096 array / 256 per-CPU); 0 or 'all' = no cap\n"
		"      --cgroup PATH     enrich the tasks of a cgroup2 cgroup, read its PSI\n"
		"      --maps-only       skip the /proc and /sys walkers\n"
		"      --format FMT      'json' or 'ktsnap' (the compact binary file of raw\n"
		"                        map bytes + BTF); default: by FILE's extension\n"
		"                        (.ktsnap), else JSON\n"
		"      --compress        zstd-compress the .ktsnap file's sections (smaller,\n"
		"                        slower; `ktsnap convert` compresses an existing one)\n"
		"  -p, --pretty          indent the JSON\n",
};
