// SPDX-License-Identifier: MIT
/*
 * bench_diff: ktsnap_diff__new() on big reports (issue 13 item 6).
 *  - two 1M-entry hash maps with rendered keys and struct values (u32 key,
 *    {pid, weight}), 1% of the values changed, 1% of the keys replaced;
 *    target <= 3 s;
 *  - the duplicate-key case: 1.3M entries against 130k, all sharing one
 *    key (raw bytes, no BTF); target <= 5 s.
 * Both in the library and through `ktsnap diff A.json B.json` (reading
 * both files included, output to /dev/null).  Prints each time and the
 * number of diff items.  Needs no BPF.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ktsnap/diff.h>
#include <ktsnap/json.h>

#include "report_builder.h"

#ifndef KTSNAP_CLI
#define KTSNAP_CLI "ktsnap"
#endif

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* @n entries all with key 1 and value i, raw bytes only. */
static struct ktsnap_report *dup_report(uint32_t n)
{
	struct ktsnap_report *r = ktsnap_report__new();
	struct ktsnap_map *m = rb_hash(r, "dups", n, false);
	uint32_t i;

	m->value_size = 4;
	for (i = 0; i < n; i++) {
		uint32_t *v = ktsnap_arena_alloc(&r->arena, 4);

		*(uint32_t *)m->entries[i].key = 1;
		*v = i;
		m->entries[i].val = (const uint8_t *)v;
		m->entries[i].val_len = 4;
	}
	return r;
}

static int run(const char *what, struct ktsnap_report *a, struct ktsnap_report *b, double target_ms)
{
	double t = now_ms();
	struct ktsnap_diff *d = ktsnap_diff__new(a, b);

	t = now_ms() - t;
	if (!d) {
		fprintf(stderr, "bench_diff: %s: %s\n", what, ktsnap_errmsg());
		return 1;
	}
	printf("  %-44s %8.1f ms  %8zu items  (target <= %.0f ms: %s)\n", what, t,
	       ktsnap_diff__count(d), target_ms, t <= target_ms ? "met" : "NOT MET");
	ktsnap_diff__free(d);
	return 0;
}

/* `ktsnap diff` of @a and @b written as JSON files. */
static int run_cli(const char *what, struct ktsnap_report *a, struct ktsnap_report *b,
		   double target_ms)
{
	char dir[] = "/tmp/ktsnap-bench-diff-XXXXXX", fa[64], fb[64], cmd[256];
	struct ktsnap_report *r[2] = { a, b };
	char *files[2] = { fa, fb };
	double t;
	int i, st;

	if (!mkdtemp(dir))
		return 1;
	snprintf(fa, sizeof(fa), "%s/a.json", dir);
	snprintf(fb, sizeof(fb), "%s/b.json", dir);
	for (i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "w");

		if (!f || ktsnap_report__write_json(r[i], f, 0)) {
			fprintf(stderr, "bench_diff: writing %s failed\n", files[i]);
			if (f)
				fclose(f);
			return 1;
		}
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "%s diff %s %s >/dev/null", KTSNAP_CLI, fa, fb);
	t = now_ms();
	st = system(cmd);
	t = now_ms() - t;
	unlink(fa);
	unlink(fb);
	rmdir(dir);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "bench_diff: %s failed\n", cmd);
		return 1;
	}
	printf("  %-44s %8.1f ms  (ktsnap diff, files read; target <= %.0f ms: %s)\n", what, t,
	       target_ms, t <= target_ms ? "met" : "NOT MET");
	return 0;
}

int main(void)
{
	const uint32_t n = 1000000;
	struct ktsnap_report *a = ktsnap_report__new(), *b = ktsnap_report__new();
	struct ktsnap_map *mb;
	uint32_t i;
	int rc;

	rb_hash(a, "tasks", n, true);
	mb = rb_hash(b, "tasks", n, true);
	for (i = 0; i < n; i += 100) {
		struct ktsnap_value *v = (struct ktsnap_value *)mb->entries[i].val_rv;

		/* 1% changed */
		ktsnap_value_set_uint(ktsnap_member_slot(v, 1, "weight"), 64,
				      ktsnap_mval(v, 1)->u + 1);
		*(uint32_t *)mb->entries[i + 1].key = n + i; /* 1% other keys */
		mb->entries[i + 1].key_rv = ktsnap_value_new_uint(b, 32, n + i);
	}
	printf("bench_diff:\n");
	rc = run("1M vs 1M entries (rendered, 1% changed)", a, b, 3000);
	rc |= run_cli("1M vs 1M entries (rendered, 1% changed)", a, b, 3000);
	ktsnap_report__free(a);
	ktsnap_report__free(b);

	a = dup_report(1300000);
	b = dup_report(130000);
	rc |= run("1.3M vs 130k entries sharing one key", a, b, 5000);
	rc |= run_cli("1.3M vs 130k entries sharing one key", a, b, 5000);
	ktsnap_report__free(a);
	ktsnap_report__free(b);
	return rc;
}
