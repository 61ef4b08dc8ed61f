// SPDX-License-Identifier: MIT
/*
 * View lookups, ns per call: var() and map() on a report with many maps
 * (hash-indexed after the first lookup, so the cost must not grow with
 * the number of maps), and find() over a 100k-entry hash map (linear by
 * nature: reported per call and per entry).  The report is hand-built,
 * so no BPF or root is needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ktsnap/view.h>
#include "report_internal.h"

#define BIG_ENTRIES 100000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct ktsnap_value *val_struct(struct ktsnap_report *r, uint64_t pid, uint64_t weight)
{
	struct ktsnap_value *v = ktsnap_value_new_struct(r, "kt_big_val", 2);

	*ktsnap_member_slot(v, 0, "pid") = ktsnap_uint_of(32, pid);
	*ktsnap_member_slot(v, 1, "weight") = ktsnap_uint_of(64, weight);
	return v;
}

/* @nr_objs objects with .bss (16 globals each) and one small hash each,
 * plus a 100k-entry hash "big". */
static struct ktsnap_report *build(uint32_t nr_objs)
{
	struct ktsnap_report *r = ktsnap_report__new();
	struct ktsnap_map *m;
	char name[32];
	uint32_t i, j;

	for (i = 0; i < nr_objs; i++) {
		struct ktsnap_value *bss = ktsnap_value_new_struct(r, ".bss", 16);

		for (j = 0; j < 16; j++) {
			*ktsnap_member_slot(bss, j,
					    ktsnap_arena_printf(&r->arena, "o%u_var%u", i, j)) =
				ktsnap_uint_of(64, j);
		}
		snprintf(name, sizeof(name), "o%u.bss", i);
		m = ktsnap_report_add_map(r, name);
		m->layout = KTSNAP_LAYOUT_VALUE;
		m->value = bss;
		snprintf(name, sizeof(name), "o%u_tasks", i);
		ktsnap_report_add_map(r, name);
	}
	m = ktsnap_report_add_map(r, "big");
	m->layout = KTSNAP_LAYOUT_HASH;
	m->nr_entries = BIG_ENTRIES;
	m->entries = ktsnap_arena_alloc(&r->arena, BIG_ENTRIES * sizeof(*m->entries));
	for (i = 0; i < BIG_ENTRIES; i++) {
		m->entries[i].key_rv = ktsnap_value_new_uint(r, 32, i);
		m->entries[i].val_rv = val_struct(r, i, (uint64_t)i * 3);
	}
	return r;
}

static bool pid_is(const struct ktsnap_entry *e, void *ctx)
{
	uint64_t pid;

	return !ktsnap_field__as_u64(ktsnap_entry__get(*e, "pid"), &pid, NULL) &&
	       pid == *(uint64_t *)ctx;
}

static volatile uint64_t sink;

static void bench_report(uint32_t nr_objs)
{
	struct ktsnap_report *r = build(nr_objs);
	struct ktsnap_snapshot s = ktsnap_snapshot__new(r);
	uint64_t t0, t_first, t_var, t_map, t_find, u, want = BIG_ENTRIES - 1;
	char var[32], map[32];
	const int iters = 200000, find_iters = 20;
	int i;

	snprintf(var, sizeof(var), "o%u_var7", nr_objs / 2);
	snprintf(map, sizeof(map), "o%u_tasks", nr_objs - 1);

	t0 = now_ns();
	ktsnap_field__as_u64(ktsnap_snapshot__var(s, var), &u, NULL); /* builds the index */
	t_first = now_ns() - t0;

	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		ktsnap_field__as_u64(ktsnap_snapshot__var(s, var), &u, NULL);
		sink += u;
	}
	t_var = now_ns() - t0;

	t0 = now_ns();
	for (i = 0; i < iters; i++)
		sink += ktsnap_map_view__is_ok(ktsnap_snapshot__map(s, map));
	t_map = now_ns() - t0;

	t0 = now_ns();
	for (i = 0; i < find_iters; i++)
		sink += ktsnap_map_view__find(ktsnap_snapshot__map(s, "big"), pid_is, &want).index;
	t_find = now_ns() - t0;

	printf("%-6u %-6u %12.1f %10.1f %10.1f %14.3f %12.2f\n", nr_objs * 2 + 1, nr_objs * 16,
	       t_first / 1e3, (double)t_var / iters, (double)t_map / iters,
	       (double)t_find / find_iters / 1e6, (double)t_find / find_iters / BIG_ENTRIES);
	ktsnap_report__free(r);
}

int main(void)
{
	static const uint32_t objs[] = { 4, 64, 512 };
	size_t i;

	printf("%-6s %-6s %12s %10s %10s %14s %12s\n", "maps", "vars", "index us", "var ns",
	       "map ns", "find100k ms", "ns/entry");
	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		bench_report(objs[i]);
	return 0;
}
