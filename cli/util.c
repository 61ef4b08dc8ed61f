// SPDX-License-Identifier: MIT
/* Helpers shared by the commands: errors, options, report files. */
#include <sys/stat.h>
#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "cli.h"

bool cli_json;
bool cli_pretty;
const struct cli_cmd *cli_current;

void cli_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void vreport(const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cli_json) {
		fputs("{\"error\":", stdout);
		if (cli_pretty)
			fputc(' ', stdout);
		cli_json_str(stdout, msg);
		fputs("}\n", stdout);
		fflush(stdout);
	} else {
		fprintf(stderr, "ktsnap%s%s: %s\n", cli_current ? " " : "",
			cli_current ? cli_current->name : "", msg);
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

int cli_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	if (!cli_json) {
		if (cli_current)
			fprintf(stderr, "usage:\n%s(see: ktsnap %s --help)\n",
				cli_current->synopsis, cli_current->name);
		else
			fprintf(stderr, "see: ktsnap --help\n");
	}
	return EXIT_USAGE;
}

int cli_help(void)
{
	printf("usage:\n%s\n%s", cli_current->synopsis, cli_current->help);
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

int cli_read_report(const char *path, struct ktsnap_report **r)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int err;

	if (!f)
		return cli_fail("%s: %s", path, strerror(errno));
	err = ktsnap_report__read_json(f, r);
	if (f != stdin)
		fclose(f);
	if (err)
		return cli_fail("%s: %s", path, ktsnap_errmsg());
	return EXIT_OK;
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

static mode_t cli_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

int cli_out_open(struct cli_out *o, const char *path)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	o->path = strdup(path);
	if (!o->path)
		return -ENOMEM;
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		o->f = fopen(path, "w");
		return o->f ? 0 : -errno;
	}
	o->tmp = malloc(strlen(path) + sizeof(".tmp.XXXXXX"));
	if (!o->tmp)
		return -ENOMEM;
	strcpy(o->tmp, path);
	strcat(o->tmp, ".tmp.XXXXXX");
	fd = mkstemp(o->tmp);
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		int err = -errno;

		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		return err;
	}
	/* mkstemp makes 0600; a report is as readable as any file we create */
	fchmod(fd, 0644 & ~cli_umask());
	return 0;
}

int cli_out_close(struct cli_out *o, bool ok)
{
	int err = 0;

	if (o->f && fclose(o->f))
		err = -errno;
	o->f = NULL;
	if (o->tmp) {
		if (ok && !err && rename(o->tmp, o->path))
			err = -errno;
		if (!ok || err)
			unlink(o->tmp);
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	if (err)
		errno = -err;
	return err;
}
