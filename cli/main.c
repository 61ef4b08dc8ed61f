// SPDX-License-Identifier: MIT
/*
 * ktsnap: capture, inspect and compare snapshots of live BPF state.
 *
 *	ktsnap [-j] [-p] COMMAND [ARGS]
 *
 * Every command has a human form and a -j JSON form; in JSON mode errors
 * are {"error": "…"} on stdout.  Exit status: 0 ok, 1 failure, 2 usage.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef KTSNAP_VERSION
#define KTSNAP_VERSION "0"
#endif

static const struct cli_cmd *const cmds[] = {
	&cmd_capture, &cmd_show, &cmd_get,   &cmd_diff,	   &cmd_demo,	 &cmd_run,   &cmd_record,
	&cmd_check,   &cmd_plot, &cmd_serve, &cmd_request, &cmd_convert, &cmd_watch,
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: %s\n"
		"Capture, inspect and compare snapshots of live BPF state.\n\n"
		"commands:\n",
		CLI_SYNOPSIS_MAIN);
	for (i = 0; i < NR_CMDS; i++)
		cli_print_synopsis(f, cmds[i]->synopsis);
	fprintf(f, "\noptions (anywhere):\n"
		   "  -j, --json      JSON output (errors as {\"error\": …})\n"
		   "  -p, --pretty    indent JSON output\n"
		   "  -h, --help      this text; `ktsnap COMMAND --help` for a command\n"
		   "  -V, --version   print the version\n\n"
		   "exit status: 0 success, 1 failure, 2 usage error\n"
		   "see ktsnap(1)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	size_t i;
	int c;

	cli_stdout_init();
	/* "+": stop at the command name; its options are its own */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jphV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			cli_json = true;
			break;
		case 'p':
			cli_pretty = true;
			break;
		case 'h':
			usage(stdout);
			return cli_finish(EXIT_OK);
		case 'V':
			printf("ktsnap %s\n", KTSNAP_VERSION);
			return cli_finish(EXIT_OK);
		default:
			return cli_finish(cli_usage("unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind >= argc) {
		if (cli_json)
			return cli_finish(cli_usage("no command given"));
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < NR_CMDS; i++) {
		if (strcmp(argv[optind], cmds[i]->name))
			continue;
		cli_current = cmds[i];
		argv += optind;
		argc -= optind;
		optind = 0; /* glibc: full reset, permuting again */
		/* every command's output is checked here, once */
		return cli_finish(cmds[i]->run(argc, argv));
	}
	return cli_finish(cli_usage("unknown command '%s'", argv[optind]));
}
