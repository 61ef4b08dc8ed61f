// SPDX-License-Identifier: MIT
/*
 * ktsnap get: one value of a report file, through the library's views, so
 * a miss prints exactly the library's error text.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static bool is_scalar(const struct ktsnap_value *v)
{
	switch (ktsnap_value__kind(v)) {
	case KTSNAP_VALUE_STRUCT:
	case KTSNAP_VALUE_ARRAY:
	case KTSNAP_VALUE_TRUNCATED:
		return false;
	case KTSNAP_VALUE_PTR:
		return !ktsnap_value__ptr_deref(v) || is_scalar(ktsnap_value__ptr_deref(v));
	default:
		return true;
	}
}

static int print_value(const struct ktsnap_value *v)
{
	char buf[512];
	int n;

	if (cli_json) {
		n = ktsnap_value__write_json(v, stdout, cli_pretty ? KTSNAP_JSON_PRETTY : 0);
		return n ? cli_write_failed(n) : EXIT_OK;
	}
	if (is_scalar(v)) {
		n = ktsnap_value__format(v, buf, sizeof(buf));
		if (n >= 0 && (size_t)n < sizeof(buf)) {
			printf("%s\n", buf);
			return EXIT_OK;
		}
	}
	fflush(stdout);
	n = ktsnap_value__fprint(v, stdout, 0);
	return n < 0 ? cli_write_failed(n) : EXIT_OK;
}

static int fail_with(const struct ktsnap_error *err)
{
	char msg[4096];

	ktsnap_error__format(err, msg, sizeof(msg));
	return cli_fail("%s", msg);
}

/* An un-narrowed per-CPU entry: every slot (null / "(unmapped)"). */
static int print_per_cpu(const struct ktsnap_entry *e, const char *path)
{
	uint32_t c, n = ktsnap_map__cpu_count(e->map);
	char buf[512];

	/* walk every slot first: a bad path fails before anything is printed */
	for (c = 0; c < n; c++) {
		const struct ktsnap_value *s = ktsnap_map_entry__cpu_value(e->raw, c);
		struct ktsnap_field f;

		if (!s)
			continue;
		f = ktsnap_field__get(ktsnap_field__of(s), path);
		if (!ktsnap_field__is_present(f))
			return fail_with(ktsnap_field__error(&f));
	}
	if (cli_json)
		printf("[");
	for (c = 0; c < n; c++) {
		const struct ktsnap_value *s = ktsnap_map_entry__cpu_value(e->raw, c);
		const struct ktsnap_value *v =
			s ? ktsnap_field__raw(ktsnap_field__get(ktsnap_field__of(s), path)) : NULL;

		if (cli_json) {
			char *txt = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&txt, &len);

			if (!m)
				return cli_fail("out of memory");
			ktsnap_value__write_json(v, m, cli_pretty ? KTSNAP_JSON_PRETTY : 0);
			fclose(m);
			if (len && txt[len - 1] == '\n')
				txt[--len] = '\0';
			printf("%s%s%s", c ? "," : "", cli_pretty ? "\n" : "", txt);
			free(txt);
		} else if (!v) {
			printf("cpu %u: (unmapped)\n", c);
		} else if (is_scalar(v) &&
			   ktsnap_value__format(v, buf, sizeof(buf)) < (int)sizeof(buf)) {
			printf("cpu %u: %s\n", c, buf);
		} else {
			printf("cpu %u:\n", c);
			fflush(stdout);
			ktsnap_value__fprint(v, stdout, 1);
		}
	}
	if (cli_json)
		printf("%s]\n", cli_pretty ? "\n" : "");
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ 0 },
	};
	struct ktsnap_report *r = NULL;
	unsigned long long cpu = 0, index;
	bool narrow = false;
	struct ktsnap_snapshot snap;
	struct ktsnap_field f;
	const char *file, *what, *name, *path = "";
	int c, rc, nargs;

	/* "-1" would reach getopt as an unknown option: say what is wrong */
	for (c = 1; c < argc && strcmp(argv[c], "--"); c++) {
		if (argv[c][0] == '-' && argv[c][1] >= '0' && argv[c][1] <= '9' &&
		    strcmp(argv[c - 1], "--cpu"))
			return cli_usage("INDEX must be a non-negative number, not '%s'", argv[c]);
	}
	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'c':
			if (!cli_parse_u64(optarg, UINT32_MAX, &cpu))
				return cli_usage("--cpu wants a CPU number, not '%s'", optarg);
			narrow = true;
			break;
		case 'h':
			return cli_help();
		default:
			return EXIT_USAGE;
		}
	}
	nargs = argc - optind;
	if (nargs < 3)
		return cli_usage("expected FILE var NAME [PATH] or FILE map NAME INDEX [PATH]");
	file = argv[optind];
	what = argv[optind + 1];
	name = argv[optind + 2];
	if (!strcmp(what, "var")) {
		if (nargs > 4)
			return cli_usage("unexpected argument '%s'", argv[optind + 4]);
		if (narrow)
			return cli_usage("--cpu applies to per-CPU map entries, not to globals");
		if (nargs == 4)
			path = argv[optind + 3];
	} else if (!strcmp(what, "map")) {
		if (nargs < 4)
			return cli_usage("missing INDEX after the map name");
		if (nargs > 5)
			return cli_usage("unexpected argument '%s'", argv[optind + 5]);
		if (!cli_parse_u64(argv[optind + 3], SIZE_MAX, &index))
			return cli_usage("INDEX must be a non-negative number, not '%s'",
					 argv[optind + 3]);
		if (nargs == 5)
			path = argv[optind + 4];
	} else {
		return cli_usage("expected 'var' or 'map', not '%s'", what);
	}

	rc = cli_read_report(file, &r);
	if (rc)
		return rc;
	snap = ktsnap_snapshot__named(r, file);
	if (!strcmp(what, "var")) {
		f = ktsnap_snapshot__var(snap, name);
		if (*path)
			f = ktsnap_field__get(f, path);
	} else {
		struct ktsnap_map_view mv = ktsnap_snapshot__map(snap, name);
		const struct ktsnap_map *m = ktsnap_map_view__raw(mv);
		enum ktsnap_map_layout layout = m ? ktsnap_map__layout(m) : KTSNAP_LAYOUT_NONE;
		struct ktsnap_entry e;

		if (narrow && m && layout != KTSNAP_LAYOUT_PERCPU_ARRAY &&
		    layout != KTSNAP_LAYOUT_PERCPU_HASH) {
			rc = cli_usage("--cpu applies to per-CPU maps; '%s' is a %s map", name,
				       cli_map_type_name(ktsnap_map__type(m)));
			goto out;
		}
		if (narrow)
			mv = ktsnap_map_view__cpu(mv, (uint32_t)cpu);
		e = ktsnap_map_view__at(mv, (size_t)index);
		if ((e.kind == KTSNAP_ENTRY_HASH || e.kind == KTSNAP_ENTRY_ARRAY ||
		     e.kind == KTSNAP_ENTRY_VALUE) &&
		    !ktsnap_entry__value(e)) {
			/* the view's text says '<entry>': an entry does not know
			 * its map's name, but we do */
			rc = cli_fail("map '%s': value has no rendered structure (no BTF type at "
				      "capture time)",
				      name);
			goto out;
		}
		/* "per_cpu[N]..." (diff's path form) picks one slot in the library */
		if (!narrow && ktsnap_entry__is_present(e) && strncmp(path, "per_cpu[", 8) &&
		    (e.kind == KTSNAP_ENTRY_PERCPU || e.kind == KTSNAP_ENTRY_PERCPU_HASH)) {
			rc = print_per_cpu(&e, path);
			goto out;
		}
		f = ktsnap_entry__get(e, path);
	}
	if (!ktsnap_field__is_present(f))
		rc = fail_with(ktsnap_field__error(&f));
	else if (f.kind == KTSNAP_FIELD_PERCPU_KEY)
		rc = (printf("%u\n", f.key), EXIT_OK);
	else
		rc = print_value(ktsnap_field__raw(f));
out:
	ktsnap_report__free(r);
	return rc;
}

const struct cli_cmd cmd_get = {
	.name = "get",
	.run = run,
	.synopsis = CLI_SYNOPSIS_get,
	.help = "Print one value of a report file: a global variable (NAME is never\n"
		"split on dots) or the INDEX-th entry of a map, then the dotted PATH\n"
		"inside it (members by name, pointers followed, tag[2] for an array\n"
		"element, per_cpu[N] first for one CPU's slot: the paths diff prints).\n"
		"Scalars print as in ktsnap(1), VALUES\n"
		"(18446744073709551615, KT_SIGN_NEG (-3), 'A'), aggregates\n"
		"multi-line; -j prints the value as the report file holds it\n"
		"({\"kind\": …}).  A per-CPU entry without --cpu prints every slot.\n"
		"A miss prints the library's error text and exits 1.\n\n"
		"      --cpu N   the slot of CPU N of a per-CPU entry (per-CPU maps only)\n",
};
