// SPDX-License-Identifier: MIT
/* ktsnap diff: what changed between two report files. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static int run(int argc, char **argv)
{
	struct ktsnap_report *a = NULL, *b = NULL;
	struct ktsnap_diff *d = NULL;
	int c, rc;

	while ((c = cli_getopt(argc, argv, "", NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_help();
		default:
			return EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(argc, argv, 2, "two report files are needed")))
		return rc;
	if (!strcmp(argv[optind], "-") && !strcmp(argv[optind + 1], "-"))
		return cli_usage("standard input ('-') can be only one of A and B");
	/* the two files are read at once: reading is most of the work */
	rc = cli_read_reports(argv[optind], argv[optind + 1], &a, &b);
	if (rc)
		goto out;
	d = ktsnap_diff__new(a, b);
	if (!d) {
		rc = cli_fail("%s", ktsnap_errmsg());
		goto out;
	}
	if (cli_json) {
		rc = ktsnap_diff__write_json(d, stdout, cli_pretty ? KTSNAP_JSON_PRETTY : 0);
	} else {
		printf("--- %s\n+++ %s\n", cli_esc(argv[optind]), cli_esc(argv[optind + 1]));
		rc = ktsnap_diff__write_text(d, stdout);
	}
	rc = rc ? cli_write_failed(rc) : EXIT_OK;
out:
	ktsnap_diff__free(d);
	ktsnap_report__free(a);
	ktsnap_report__free(b);
	return rc;
}

const struct cli_cmd cmd_diff = {
	.name = "diff",
	.run = run,
	.synopsis = CLI_SYNOPSIS_diff,
	.help = "What changed from report A to report B: maps added (+) and removed (-),\n"
		"entries added and removed (by key), and every changed scalar as\n"
		"\"path: old → new\" with the delta of numbers.  -j gives\n"
		"{\"summary\": {…}, \"changes\": [{\"op\", \"map\", \"key\", \"path\", \"old\",\n"
		"\"new\", \"delta\"}, …]}.  Exit 0 whether or not anything changed.\n"
		"Either A or B (not both) may be '-' for standard input.\n",
};
