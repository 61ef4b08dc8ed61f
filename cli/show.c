// SPDX-License-Identifier: MIT
/* ktsnap show: a report file for a terminal (values in the library's display form). */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define WIDTH 110
#define KEY_MAX 150 /* bytes of a key's text before it is cut with "…" */

/* "name = value" on one line when it fits, else "name:" and the
 * multi-line rendering below it. */
static void print_named(const char *indent, const char *name, const char *sep,
			const struct ktsnap_value *v)
{
	char buf[WIDTH + 1];
	int n;

	if (!v) {
		printf("%s%s%s(no rendering)\n", indent, name, sep);
		return;
	}
	n = ktsnap_value__format(v, buf, sizeof(buf));
	if (n >= 0 && (size_t)n + strlen(indent) + strlen(name) + strlen(sep) <= WIDTH &&
	    !strchr(buf, '\n')) {
		printf("%s%s%s%s\n", indent, name, sep, cli_esc(buf));
		return;
	}
	printf("%s%s:\n", indent, name);
	fflush(stdout);
	ktsnap_value__fprint(v, stdout, (int)strlen(indent) / 2 + 1);
}

/* The entry's key as "[text]"; a long one is cut with "…", never silently
 * (two keys with a common prefix must not print alike without a mark). */
static const char *entry_key(const struct ktsnap_map *m, const struct ktsnap_map_entry *e,
			     char *buf, size_t size)
{
	const struct ktsnap_value *k = ktsnap_map_entry__key(e);
	char full[KEY_MAX + 2];
	const uint8_t *p;
	const char *t;
	size_t len, i, o, cut;
	int n;

	switch (ktsnap_map__layout(m)) {
	case KTSNAP_LAYOUT_ARRAY:
	case KTSNAP_LAYOUT_PERCPU_ARRAY:
		snprintf(buf, size, "[%u]", ktsnap_map_entry__index(e));
		return buf;
	default:
		break;
	}
	if (k && (n = ktsnap_value__format(k, full, sizeof(full))) >= 0) {
		t = cli_esc(full);
		len = strlen(t);
		if ((size_t)n < sizeof(full) - 1 && len <= KEY_MAX) {
			snprintf(buf, size, "[%s]", t);
			return buf;
		}
		cut = len < KEY_MAX ? len : KEY_MAX;
		while (cut && ((unsigned char)t[cut] & 0xc0) == 0x80)
			cut--; /* not inside a UTF-8 sequence */
		snprintf(buf, size, "[%.*s…]", (int)cut, t);
		return buf;
	}
	p = ktsnap_map_entry__key_bytes(e, &len);
	o = (size_t)snprintf(buf, size, "[hex:");
	for (i = 0; i < len && o + 3 < KEY_MAX; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%02x", i ? " " : "", p[i]);
	snprintf(buf + o, size - o, "%s]", i < len ? " …" : "");
	return buf;
}

static void show_entries(const struct ktsnap_map *m)
{
	size_t i, n = ktsnap_map__entry_count(m);
	uint32_t c, ncpu = ktsnap_map__cpu_count(m);
	char key[KEY_MAX + 16], label[32];

	for (i = 0; i < n; i++) {
		const struct ktsnap_map_entry *e = ktsnap_map__entry(m, i);

		entry_key(m, e, key, sizeof(key));
		switch (ktsnap_map__layout(m)) {
		case KTSNAP_LAYOUT_PERCPU_ARRAY:
		case KTSNAP_LAYOUT_PERCPU_HASH:
			printf("  %s\n", key);
			for (c = 0; c < ncpu; c++) {
				const struct ktsnap_value *v = ktsnap_map_entry__cpu_value(e, c);

				snprintf(label, sizeof(label), "cpu %u", c);
				if (v)
					print_named("    ", label, ": ", v);
				else
					printf("    %s: (unmapped)\n", label);
			}
			break;
		default: {
			const struct ktsnap_value *v = ktsnap_map_entry__value(e);
			size_t len;
			const uint8_t *p = ktsnap_map_entry__value_bytes(e, &len);

			if (v) {
				print_named("  ", key, " ", v);
			} else if (p) {
				size_t k;

				printf("  %s hex:", key);
				for (k = 0; k < len && k < 64; k++)
					printf(" %02x", p[k]);
				printf("%s\n", len > 64 ? " …" : "");
			} else {
				printf("  %s (unreadable)\n", key);
			}
			if (ktsnap_map_entry__payload(e))
				print_named("    ", "payload", " = ", ktsnap_map_entry__payload(e));
		}
		}
	}
}

static void show_map(const struct ktsnap_map *m)
{
	const struct ktsnap_value *v = ktsnap_map__value(m);
	const struct ktsnap_ringbuf_info *rb = ktsnap_map__ringbuf(m);
	const struct ktsnap_stack_trace_info *st = ktsnap_map__stack_trace(m);
	const struct ktsnap_fd_array_info *fa = ktsnap_map__fd_array(m);
	enum ktsnap_map_layout layout = ktsnap_map__layout(m);
	size_t i;

	printf("%s  (%s, id %" PRIu64 ", key %u B, value %u B, max_entries %u",
	       cli_esc(ktsnap_map__name(m)), cli_map_type_name(ktsnap_map__type(m)),
	       ktsnap_map__kva(m), ktsnap_map__key_size(m), ktsnap_map__value_size(m),
	       ktsnap_map__max_entries(m));
	if (layout != KTSNAP_LAYOUT_NONE && layout != KTSNAP_LAYOUT_VALUE)
		printf(", %zu entr%s", ktsnap_map__entry_count(m),
		       ktsnap_map__entry_count(m) == 1 ? "y" : "ies");
	if (ktsnap_map__cpu_count(m))
		printf(", %u CPUs", ktsnap_map__cpu_count(m));
	printf(")\n");
	if (v && ktsnap_value__kind(v) == KTSNAP_VALUE_STRUCT) {
		/* a global section: one variable a line */
		for (i = 0; i < ktsnap_value__member_count(v); i++) {
			const char *name;
			const struct ktsnap_value *mv = ktsnap_value__member_at(v, i, &name);

			print_named("  ", *name ? cli_esc(name) : "(anon)", " = ", mv);
		}
	} else if (v) {
		print_named("  ", "value", " = ", v);
	}
	show_entries(m);
	if (rb)
		printf("  ring buffer: capacity %" PRIu64 ", consumer_pos %" PRIu64
		       ", producer_pos %" PRIu64 ", pending %" PRIu64 " bytes\n",
		       rb->capacity, rb->consumer_pos, rb->producer_pos, rb->pending_bytes);
	if (st) {
		printf("  stack traces: %zu of %u buckets%s\n", st->nr_entries, st->n_buckets,
		       st->truncated ? " (truncated)" : "");
		for (i = 0; i < st->nr_entries; i++) {
			uint32_t k;

			printf("    [%u]", st->entries[i].bucket_id);
			for (k = 0; k < st->entries[i].nr; k++)
				printf(" 0x%" PRIx64, st->entries[i].pcs[k]);
			printf("\n");
		}
	}
	if (fa) {
		printf("  populated %u of %u slots scanned%s:", fa->populated, fa->scanned,
		       fa->truncated ? " (scan truncated)" : "");
		for (i = 0; i < fa->nr_indices; i++)
			printf(" %u", fa->indices[i]);
		printf("%s\n", fa->indices_truncated ? " …" : "");
	}
	if (ktsnap_map__error(m))
		printf("  error: %s\n", cli_esc(ktsnap_map__error(m)));
}

static void show_header(const char *path, const struct ktsnap_report *r)
{
	uint64_t ts = ktsnap_report__timestamp_ns(r);
	const struct ktsnap_task_enrichment *t;
	const struct ktsnap_prog_runtime_stat *ps;
	size_t n, i;

	printf("report %s: %zu maps", cli_esc(path), ktsnap_report__map_count(r));
	if (ts) {
		time_t sec = (time_t)(ts / 1000000000ULL);
		struct tm tm;
		char when[64];

		gmtime_r(&sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		printf(", captured %s", when);
	}
	if (ktsnap_report__capture_ns(r))
		printf(" in %.1f ms", ktsnap_report__capture_ns(r) / 1e6);
	printf("\n");
	if (ktsnap_report__is_placeholder(r))
		printf("placeholder report (no real data)\n");
	if (ktsnap_report__active_obj_name(r))
		printf("active scheduler: %s\n", cli_esc(ktsnap_report__active_obj_name(r)));
	ps = ktsnap_report__prog_runtime_stats(r, &n);
	for (i = 0; i < n; i++)
		printf("prog %s: %" PRIu64 " runs, %" PRIu64 " ns\n", cli_esc(ps[i].name),
		       ps[i].cnt, ps[i].nsecs);
	t = ktsnap_report__task_enrichments(r, &n);
	if (n)
		printf("tasks:\n");
	for (i = 0; i < n; i++)
		printf("  %d %-16s cpu %d  %s  runtime %.3f ms  switches %" PRIu64 "+%" PRIu64 "\n",
		       t[i].pid, t[i].comm ? cli_esc(t[i].comm) : "?", t[i].cpu,
		       t[i].state ? cli_esc(t[i].state) : "?", t[i].sum_exec_runtime_ns / 1e6,
		       t[i].nr_voluntary_switches, t[i].nr_involuntary_switches);
	printf("\n");
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "map", required_argument, NULL, 'm' },
		{ 0 },
	};
	struct ktsnap_report *r = NULL;
	const char *map = NULL;
	unsigned int flags;
	int c, rc;
	size_t i;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'm':
			map = optarg;
			break;
		case 'h':
			return cli_help();
		default:
			return EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(argc, argv, 1, "no report file given")))
		return rc;
	rc = cli_read_report(argv[optind], &r);
	if (rc)
		return rc;
	flags = cli_pretty ? KTSNAP_JSON_PRETTY : 0;
	if (map) {
		struct ktsnap_map_view mv = ktsnap_snapshot__map(ktsnap_snapshot__new(r), map);
		char msg[1024];

		if (!ktsnap_map_view__is_ok(mv)) {
			ktsnap_error__format(ktsnap_map_view__error(&mv), msg, sizeof(msg));
			rc = cli_fail("%s", msg);
		} else if (cli_json) {
			rc = ktsnap_map__write_json(ktsnap_map_view__raw(mv), stdout, flags);
			rc = rc ? cli_write_failed(rc) : EXIT_OK;
		} else {
			show_map(ktsnap_map_view__raw(mv));
		}
	} else if (cli_json) {
		rc = ktsnap_report__write_json(r, stdout, flags);
		rc = rc ? cli_write_failed(rc) : EXIT_OK;
	} else {
		show_header(argv[optind], r);
		for (i = 0; i < ktsnap_report__map_count(r); i++) {
			if (i)
				printf("\n");
			show_map(ktsnap_report__map_by_index(r, i));
		}
	}
	ktsnap_report__free(r);
	return rc;
}

const struct cli_cmd cmd_show = {
	.name = "show",
	.run = run,
	.synopsis = CLI_SYNOPSIS_show,
	.help = "Print a report file for a terminal: each map with its shape, global\n"
		"variables one per line, entries by key, per-CPU slots by CPU, values\n"
		"rendered as described in ktsnap(1), VALUES.  FILE may be '-' for stdin.\n"
		"Control characters in names and texts are shown escaped (\\u{1b}).\n\n"
		"      --map NAME   only that map\n"
		"  -j, --json       print the report (or the map) as JSON instead\n",
};
