// SPDX-License-Identifier: MIT
/*
 * Live watch snapshots (spec §9, §12; F126, F127): the ktwatch fixture
 * bumps a .bss counter on every context switch; a hardware write
 * breakpoint on it captures through the bridge.  Also the arming checks'
 * texts, the slot caps, and that disarming leaves no perf event open.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ktsnap/bridge.h>
#include <ktsnap/capture.h>
#include <ktsnap/scenario.h>
#include <ktsnap/view.h>
#include <ktsnap/watch.h>

#include "fixture.h"
/* the fixture's unaligned word type, as its skeleton names it */
typedef __u32 kt_u32_unaligned __attribute__((aligned(1)));
#include "ktwatch.skel.h"

static const char CAP_TEXT[] =
	"Op::WatchSnapshot cap exceeded: scenario already registered 3 watchpoints (3 user watchpoint slots occupied; slot 0 reserved for the error-class exit_kind trigger). Drop a watch or use Op::CaptureSnapshot for a time-driven capture instead.";
static const char SLOT_TEXT[] =
	"no free user watchpoint slot \u2014 slots 1..=3 all occupied by prior Op::WatchSnapshot registrations (cap = 3)";

struct fx {
	struct ktwatch *skel;
	struct ktwatch *twin; /* loaded on demand, never attached */
};

static int setup(void **state)
{
	static struct fx f;
	int err;

	memset(&f, 0, sizeof(f));
	kt_wait_no_copy("ktwatch."); /* the lookups by object name below want one copy */
	f.skel = ktwatch__open_and_load();
	if (!f.skel)
		return -1;
	err = ktwatch__attach(f.skel);
	if (err) {
		ktwatch__destroy(f.skel);
		return -1;
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ktwatch__destroy(f->twin);
	ktwatch__destroy(f->skel);
	return 0;
}

static uint32_t map_id(struct bpf_map *m)
{
	return kt_map_id(bpf_map__fd(m));
}

/* perf events open in this process (anon inodes named [perf_event]) */
static int nr_perf_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[300], link[128], info[300];
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = '\0';
		if (strcmp(link, "anon_inode:[perf_event]"))
			continue;
		/* fdinfo exists for every open fd: the event is really there */
		snprintf(info, sizeof(info), "/proc/self/fdinfo/%s", de->d_name);
		if (!access(info, R_OK))
			n++;
	}
	closedir(d);
	return n;
}

static bool starts_with(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)))
		print_message("got: %s\n", s);
	return !strncmp(s, prefix, strlen(prefix));
}

static void resolve_forms(void **state)
{
	struct fx *f = *state;
	uint64_t kva, kva2, kva3;
	uint32_t size, id;

	assert_int_equal(ktsnap_watch_resolve("ktwatch.bss:watch_hits", NULL, &kva, &size, &id), 0);
	assert_int_equal(size, 8);
	assert_int_equal(id, map_id(f->skel->maps.bss));
	assert_true(kva >= 0xffff800000000000ull); /* a kernel address (x86-64 high half) */
	assert_int_equal(kva % 8, 0);
	/* bare name, unique among the loaded objects; and with the object filter */
	assert_int_equal(ktsnap_watch_resolve("watch_hits", NULL, &kva2, NULL, NULL), 0);
	assert_int_equal(kva2, kva);
	assert_int_equal(ktsnap_watch_resolve("watch_hits", "ktwatch", &kva2, NULL, NULL), 0);
	assert_int_equal(kva2, kva);
	/* DATASEC offsets: watch_word is 16 bytes after watch_hits */
	assert_int_equal(ktsnap_watch_resolve("ktwatch.bss:watch_word", NULL, &kva3, &size, NULL),
			 0);
	assert_int_equal(size, 4);
	assert_int_equal(kva3, kva + ((uintptr_t)&f->skel->bss->watch_word -
				      (uintptr_t)&f->skel->bss->watch_hits));
	/* .data, and the cut name of a .data.* section's object */
	assert_int_equal(ktsnap_watch_resolve("ktwatch.data:watch_quiet", NULL, NULL, NULL, &id),
			 0);
	assert_int_equal(id, map_id(f->skel->maps.data));
}

static void refusals(void **state)
{
	const char *m;

	assert_int_equal(ktsnap_watch_resolve("kt_no_such_symbol", NULL, NULL, NULL, NULL),
			 -ENOENT);
	assert_true(starts_with(ktsnap_errmsg(),
				"symbol 'kt_no_such_symbol' not found in /proc/kallsyms ("));

	if (ktsnap_watch_resolve("ktwatch.data.odd:odd_word", NULL, NULL, NULL, NULL) != -EINVAL)
		print_message("got: %s\n", ktsnap_errmsg());
	assert_int_equal(ktsnap_watch_resolve("ktwatch.data.odd:odd_word", NULL, NULL, NULL, NULL),
			 -EINVAL);
	m = ktsnap_errmsg();
	assert_true(starts_with(m, "symbol 'ktwatch.data.odd:odd_word' KVA 0x"));
	assert_non_null(strstr(m, " is not 4-byte aligned. "));

	assert_int_equal(ktsnap_watch_resolve("ktwatch.bss:watch_odd3", NULL, NULL, NULL, NULL),
			 -EINVAL);
	assert_string_equal(
		ktsnap_errmsg(),
		"symbol 'ktwatch.bss:watch_odd3' is 3 bytes wide; a hardware write watchpoint covers 4 or 8 bytes (watch a 4- or 8-byte variable)");

	/* the object filter and the qualified form miss */
	assert_int_equal(ktsnap_watch_resolve("watch_hits", "kt_nobody", NULL, NULL, NULL),
			 -ENOENT);
	assert_int_equal(ktsnap_watch_resolve("ktwatch.bss:nope", NULL, NULL, NULL, NULL), -ENOENT);
	assert_string_equal(ktsnap_errmsg(),
			    "symbol 'ktwatch.bss:nope' not found: .bss has no global 'nope'");
	assert_int_equal(ktsnap_watch_resolve("ktwatch.rodata:x", NULL, NULL, NULL, NULL), -EINVAL);
}

struct hits {
	atomic_uint n;
	_Atomic uint64_t first_value;
	atomic_bool all_stored;
};

static void on_hit(const struct ktsnap_watch_hit *h, void *ctx)
{
	struct hits *hs = ctx;

	if (!h->stored || !h->has_value || strcmp(h->symbol, "ktwatch.bss:watch_hits"))
		atomic_store(&hs->all_stored, false);
	if (atomic_fetch_add(&hs->n, 1) == 0)
		atomic_store(&hs->first_value, h->value);
}

/* Context switches until @hs saw @n hits; bounded (the test fails then). */
static void run_until(struct hits *hs, unsigned int n)
{
	int i;

	for (i = 0; i < 200 && atomic_load(&hs->n) < n; i++) {
		kt_sched_tick();
		usleep(10000);
	}
}

static void capture_on_write(void **state)
{
	struct fx *f = *state;
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .obj = "ktwatch", .maps_only = true);
	struct hits hs = { .all_stored = true };
	KTSNAP_OPTS(ktsnap_watch_opts, wopts, .on_hit = on_hit, .hit_ctx = &hs);
	struct ktsnap_bridge *b = ktsnap_bridge__new(ktsnap_capture_callback_live, &copts, NULL);
	struct ktsnap_watcher *w;
	struct ktsnap_bridge_events *evs;
	struct ktsnap_drain *d;
	const struct ktsnap_drained_entry *e;
	uint64_t armed_at, v = 0;
	const struct ktsnap_prog_runtime_stat *stats;
	bool overwrite = false;
	size_t i, n;

	assert_non_null(b);
	w = ktsnap_bridge__with_live_watch(b, &wopts);
	assert_non_null(w);
	armed_at = f->skel->bss->watch_hits;
	assert_int_equal(ktsnap_bridge__register_watch(b, "ktwatch.bss:watch_hits"), 0);
	assert_int_equal(ktsnap_bridge__counts(b).watches, 1);
	assert_true(nr_perf_fds() >= 1);

	run_until(&hs, 2);
	assert_int_equal(ktsnap_watcher__disarm(w, "ktwatch.bss:watch_hits"), 0);
	assert_int_equal(ktsnap_bridge__counts(b).watches, 0);
	assert_int_equal(ktsnap_watcher__nr_armed(w), 0);
	assert_int_equal(nr_perf_fds(), 0);
	assert_int_equal(ktsnap_watcher__disarm(w, "ktwatch.bss:watch_hits"), -ENOENT);

	assert_true(atomic_load(&hs.n) >= 2);
	assert_true(atomic_load(&hs.all_stored));
	assert_true(atomic_load(&hs.first_value) >= armed_at);

	/* the second capture under the same tag overwrote the first */
	evs = ktsnap_bridge__drain_events(b);
	assert_non_null(evs);
	for (i = 0; i < ktsnap_bridge_events__count(evs); i++) {
		const struct ktsnap_bridge_event *ev = ktsnap_bridge_events__at(evs, i);

		if (ev->kind == KTSNAP_BRIDGE_EVENT_OVERWRITE &&
		    !strcmp(ev->tag, "ktwatch.bss:watch_hits"))
			overwrite = true;
	}
	ktsnap_bridge_events__free(evs);
	assert_true(overwrite);

	/* the stored capture shows the counter at least where it was when armed */
	d = ktsnap_bridge__drain(b);
	assert_non_null(d);
	e = ktsnap_drain__find(d, "ktwatch.bss:watch_hits");
	assert_non_null(e);
	assert_int_equal(ktsnap_field__as_u64(ktsnap_snapshot__var(ktsnap_snapshot__new(e->report),
								   "watch_hits"),
					      &v, NULL),
			 0);
	assert_true(v >= armed_at);
	assert_true(v > 0);
	/* run times were counted while the watch was armed (BPF_ENABLE_STATS) */
	stats = ktsnap_report__prog_runtime_stats(e->report, &n);
	for (i = 0; i < n; i++)
		if (!strcmp(stats[i].name, "kt_watch_switch"))
			break;
	assert_true(i < n);
	assert_true(stats[i].cnt > 0);
	assert_true(stats[i].nsecs > 0);
	assert_true(stats[i].verified_insns > 0);
	ktsnap_drain__free(d);
	ktsnap_bridge__unref(b);
}

/* The progress line after each op: how many breakpoints are armed then. */
static void count_armed(unsigned int step, const char *line, void *ctx)
{
	struct ktsnap_watcher *w = *(struct ktsnap_watcher **)ctx;

	if (strstr(line, "WatchSnapshot"))
		((size_t *)ctx)[1] = ktsnap_watcher__nr_armed(w);
}

/* A scenario's WatchSnapshot arms a live breakpoint; the run's end disarms it. */
static void scenario_end_disarms(void **state)
{
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .obj = "ktwatch", .maps_only = true);
	struct ktsnap_bridge *b = ktsnap_bridge__new(ktsnap_capture_callback_live, &copts, NULL);
	struct ktsnap_scenario *sc = ktsnap_scenario__new();
	struct ktsnap_op op = ktsnap_op_watch_snapshot("ktwatch.bss:watch_word");
	union {
		struct ktsnap_watcher *w;
		size_t n[2];
	} ctx = { 0 };
	KTSNAP_OPTS(ktsnap_scenario_run_opts, ro, .bridge = b, .progress = count_armed,
		    .progress_ctx = &ctx);

	assert_non_null(b);
	assert_non_null(sc);
	ctx.w = ktsnap_bridge__with_live_watch(b, NULL);
	assert_non_null(ctx.w);
	assert_int_equal(ktsnap_scenario__add_op(sc, 0, &op), 0);
	if (ktsnap_scenario__run(sc, &ro))
		fail_msg("run: %s", ktsnap_scenario__errmsg(sc));
	assert_int_equal(ctx.n[1], 1); /* armed while the run went on */
	assert_int_equal(ktsnap_watcher__nr_armed(ctx.w), 0);
	assert_int_equal(ktsnap_bridge__counts(b).watches, 0);
	assert_int_equal(nr_perf_fds(), 0);
	ktsnap_scenario__free(sc);
	ktsnap_bridge__unref(b);
}

static void slot_caps(void **state)
{
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .obj = "ktwatch", .maps_only = true);
	struct ktsnap_bridge *b = ktsnap_bridge__new(ktsnap_capture_callback_live, &copts, NULL);
	struct ktsnap_watcher *w, *solo;

	assert_non_null(b);
	w = ktsnap_bridge__with_live_watch(b, NULL);
	assert_non_null(w);
	/* a failed arm gives its text through the bridge and keeps no slot */
	assert_int_equal(ktsnap_bridge__register_watch(b, "kt_no_such_symbol"), -ENOENT);
	assert_true(starts_with(ktsnap_errmsg(),
				"symbol 'kt_no_such_symbol' not found in /proc/kallsyms ("));
	assert_int_equal(ktsnap_bridge__counts(b).watches, 0);

	assert_int_equal(ktsnap_bridge__register_watch(b, "ktwatch.bss:watch_hits"), 0);
	assert_int_equal(ktsnap_bridge__register_watch(b, "ktwatch.bss:watch_stamp_ns"), 0);
	assert_int_equal(ktsnap_bridge__register_watch(b, "ktwatch.bss:watch_word"), 0);
	assert_int_equal(ktsnap_bridge__register_watch(b, "ktwatch.data:watch_quiet"), -ENOSPC);
	assert_string_equal(ktsnap_errmsg(), CAP_TEXT);
	assert_int_equal(ktsnap_bridge__counts(b).watches, 3);
	/* the watcher's own cap, armed directly: the host's text (§9) */
	assert_int_equal(ktsnap_watcher__arm(w, "ktwatch.data:watch_quiet"), -ENOSPC);
	assert_string_equal(ktsnap_errmsg(), SLOT_TEXT);
	assert_int_equal(ktsnap_watcher__nr_armed(w), 3);
	assert_true(nr_perf_fds() >= 3);

	/* a disarmed slot is free again, through the bridge too */
	assert_int_equal(ktsnap_watcher__disarm(w, "ktwatch.bss:watch_word"), 0);
	assert_int_equal(ktsnap_bridge__counts(b).watches, 2);
	assert_int_equal(ktsnap_bridge__register_watch(b, "ktwatch.data:watch_quiet"), 0);
	/* the same symbol twice */
	assert_int_equal(ktsnap_watcher__disarm(w, "ktwatch.data:watch_quiet"), 0);
	assert_int_equal(ktsnap_watcher__arm(w, "ktwatch.bss:watch_hits"), -EEXIST);

	/* a watcher replaced on the bridge gives back the slots it held there */
	assert_int_equal(ktsnap_bridge__counts(b).watches, 2);
	w = ktsnap_bridge__with_live_watch(b, NULL);
	assert_non_null(w);
	assert_int_equal(ktsnap_bridge__counts(b).watches, 0);
	assert_int_equal(nr_perf_fds(), 0);
	assert_int_equal(ktsnap_bridge__register_watch(b, "ktwatch.bss:watch_hits"), 0);
	assert_int_equal(ktsnap_bridge__counts(b).watches, 1);

	/* the last bridge handle disarms everything */
	ktsnap_bridge__unref(b);
	assert_int_equal(nr_perf_fds(), 0);

	/* a watcher the caller owns */
	b = ktsnap_bridge__new(ktsnap_capture_callback_live, &copts, NULL);
	solo = ktsnap_watcher__new(b, NULL);
	assert_non_null(solo);
	assert_int_equal(ktsnap_watcher__arm(solo, "ktwatch.bss:watch_word"), 0);
	assert_int_equal(ktsnap_bridge__counts(b).watches, 0);
	ktsnap_watcher__free(solo);
	assert_int_equal(nr_perf_fds(), 0);
	ktsnap_bridge__unref(b);
}

static int stats_sysctl(void)
{
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "re");
	int v = -1;

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &v), 1);
	fclose(f);
	return v;
}

static uint64_t run_cnt(struct fx *f)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	assert_int_equal(bpf_obj_get_info_by_fd(bpf_program__fd(f->skel->progs.kt_watch_switch),
						&info, &len),
			 0);
	return info.run_cnt;
}

/* A data symbol /proc/kallsyms lists (this kernel lists only a few
 * section markers): its address, armed like any other. */
static void kallsyms_symbol(void **state)
{
	KTSNAP_OPTS(ktsnap_capture_opts, copts, .obj = "ktwatch", .maps_only = true);
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], sym[256] = "", type;
	unsigned long long addr = 0;
	struct ktsnap_bridge *b;
	struct ktsnap_watcher *w;
	uint64_t kva;
	uint32_t size, id;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 && type == 'R' && addr &&
		    addr % 4 == 0 && !strchr(line, '['))
			break;
		else
			sym[0] = '\0';
	fclose(f);
	if (!sym[0])
		skip(); /* no aligned read-only data symbol listed */
	assert_int_equal(ktsnap_watch_resolve(sym, NULL, &kva, &size, &id), 0);
	assert_int_equal(kva, addr);
	assert_int_equal(size, 4);
	assert_int_equal(id, 0);
	/* read-only data: armed, never fires */
	b = ktsnap_bridge__new(ktsnap_capture_callback_live, &copts, NULL);
	w = ktsnap_watcher__new(b, NULL);
	assert_non_null(w);
	assert_int_equal(ktsnap_watcher__arm(w, sym), 0);
	assert_true(nr_perf_fds() >= 1);
	ktsnap_watcher__free(w);
	assert_int_equal(nr_perf_fds(), 0);
	ktsnap_bridge__unref(b);
}

/* The hold is counted: the kernel counts runs until the last release. */
static void stats_hold(void **state)
{
	struct fx *f = *state;
	uint64_t c0, c1;

	assert_int_equal(ktsnap_prog_stats_hold(), 0);
	assert_int_equal(ktsnap_prog_stats_hold(), 0);
	ktsnap_prog_stats_release();
	c0 = run_cnt(f);
	kt_sched_tick();
	assert_true(run_cnt(f) > c0); /* one hold left: counting */
	ktsnap_prog_stats_release();
	ktsnap_prog_stats_release(); /* one too many: ignored */
	if (stats_sysctl() == 0) {
		/* nobody else holds them (BPF tests run one at a time) */
		c1 = run_cnt(f);
		kt_sched_tick();
		assert_int_equal(run_cnt(f), c1);
	}
}

/* Last: a second copy's maps outlive its destruction for a grace period. */
static void ambiguous(void **state)
{
	struct fx *f = *state;
	char sym[64];
	uint32_t id;

	f->twin = ktwatch__open_and_load();
	assert_non_null(f->twin);
	assert_int_equal(ktsnap_watch_resolve("watch_quiet", NULL, NULL, NULL, NULL), -EEXIST);
	assert_non_null(
		strstr(ktsnap_errmsg(), "is ambiguous: 2 loaded global sections define it"));
	assert_int_equal(ktsnap_watch_resolve("ktwatch.bss:watch_hits", NULL, NULL, NULL, NULL),
			 -EEXIST);
	/* one copy, by its map id */
	snprintf(sym, sizeof(sym), "ktwatch.bss#%u:watch_hits", map_id(f->twin->maps.bss));
	assert_int_equal(ktsnap_watch_resolve(sym, NULL, NULL, NULL, &id), 0);
	assert_int_equal(id, map_id(f->twin->maps.bss));
	assert_int_equal(ktsnap_watch_resolve("ktwatch.bss#x:watch_hits", NULL, NULL, NULL, NULL),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(resolve_forms),    cmocka_unit_test(refusals),
		cmocka_unit_test(capture_on_write), cmocka_unit_test(scenario_end_disarms),
		cmocka_unit_test(slot_caps),	    cmocka_unit_test(stats_hold),
		cmocka_unit_test(kallsyms_symbol),  cmocka_unit_test(ambiguous),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
