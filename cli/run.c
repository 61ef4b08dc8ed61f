// SPDX-License-Identifier: MIT
/*
 * ktsnap run: run a scenario file (docs/scenario.md) on the live host and
 * keep what it captured: DIR/<tag>.json for every capture and
 * DIR/index.json for the tags, step indexes, freeze timings, bridge
 * events, the cgroup.procs log and the kernel-op log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include <ktsnap/scenario.h>

#include "cli.h"
#include "cli_json.h"
#include "util_internal.h"

/* ---- the scenario file ---------------------------------------------------------- */
struct parse {
	struct ktsnap_scenario *sc;
	struct ktsnap_pathbuf path; /* JSON path of the value being read */
	char err[1536]; /* "<path>: <message>" */
	/* strings the capture options borrow for the run */
	const char **map_names;
	size_t nr_map_names;
};

static int perr(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parse *p, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, sizeof(p->err), "%s: %s", p->path.len ? p->path.s : "(top level)", msg);
	return -1;
}

/* Append ".key" or "[i]" to the path; returns the length to restore. */
static size_t push_key(struct parse *p, const char *key)
{
	return ktsnap_pathbuf_push(&p->path, "%s%s", p->path.len ? "." : "", key);
}

static size_t push_index(struct parse *p, size_t i)
{
	return ktsnap_pathbuf_push(&p->path, "[%zu]", i);
}

static void pop(struct parse *p, size_t old)
{
	ktsnap_pathbuf_pop(&p->path, old);
}

static const char *type_name(struct json_object *o)
{
	return json_type_to_name(json_object_get_type(o));
}

/* Every key of @o is in @allowed (NULL-terminated). */
static int only_keys(struct parse *p, struct json_object *o, const char *const *allowed)
{
	char list[256] = "";
	size_t i;

	json_object_object_foreach(o, key, val) {
		(void)val;
		for (i = 0; allowed[i] && strcmp(allowed[i], key); i++)
			;
		if (allowed[i])
			continue;
		for (i = 0; allowed[i]; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", allowed[i]);
		push_key(p, key);
		return perr(p, "unknown field (expected one of: %s)", list);
	}
	return 0;
}

static int want_type(struct parse *p, struct json_object *o, enum json_type t, const char *what)
{
	if (json_object_is_type(o, t))
		return 0;
	return perr(p, "expected %s, found %s", what, type_name(o));
}

/* @key of @o as an integer in [0, max]; absent: *out untouched unless required. */
static int get_uint(struct parse *p, struct json_object *o, const char *key, uint64_t max,
		    uint64_t *out, bool required)
{
	struct json_object *v;
	size_t old;
	int64_t i;
	uint64_t u;

	if (!json_object_object_get_ex(o, key, &v))
		return required ? (push_key(p, key), perr(p, "missing (required)")) : 0;
	old = push_key(p, key);
	if (!json_object_is_type(v, json_type_int))
		return perr(p, "expected an integer, found %s", type_name(v));
	i = json_object_get_int64(v);
	/* above INT64_MAX (a kernel address) only the unsigned read is exact */
	u = i < 0 ? 0 : json_object_get_uint64(v);
	if (i < 0 || u > max)
		return perr(p, "%s is out of range [0, %" PRIu64 "]", json_object_to_json_string(v),
			    max);
	*out = u;
	pop(p, old);
	return 0;
}

static int get_int(struct parse *p, struct json_object *o, const char *key, int64_t lo, int64_t hi,
		   int64_t *out, bool *present)
{
	struct json_object *v;
	size_t old;
	int64_t i;

	*present = json_object_object_get_ex(o, key, &v);
	if (!*present)
		return 0;
	old = push_key(p, key);
	if (!json_object_is_type(v, json_type_int))
		return perr(p, "expected an integer, found %s", type_name(v));
	i = json_object_get_int64(v);
	if (i < lo || i > hi)
		return perr(p, "%" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]", i, lo, hi);
	*out = i;
	pop(p, old);
	return 0;
}

static int get_str(struct parse *p, struct json_object *o, const char *key, const char **out,
		   bool required)
{
	struct json_object *v;
	size_t old;

	if (!json_object_object_get_ex(o, key, &v))
		return required ? (push_key(p, key), perr(p, "missing (required)")) : 0;
	old = push_key(p, key);
	if (!json_object_is_type(v, json_type_string))
		return perr(p, "expected a string, found %s", type_name(v));
	*out = json_object_get_string(v);
	pop(p, old);
	return 0;
}

static int get_bool(struct parse *p, struct json_object *o, const char *key, bool *out)
{
	struct json_object *v;
	size_t old;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	old = push_key(p, key);
	if (!json_object_is_type(v, json_type_boolean))
		return perr(p, "expected true or false, found %s", type_name(v));
	*out = json_object_get_boolean(v);
	pop(p, old);
	return 0;
}

/* @key of @o as an array (NULL when absent and not required). */
static int get_array(struct parse *p, struct json_object *o, const char *key,
		     struct json_object **out, bool required)
{
	struct json_object *v;
	size_t old;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return required ? (push_key(p, key), perr(p, "missing (required)")) : 0;
	old = push_key(p, key);
	if (want_type(p, v, json_type_array, "an array"))
		return -1;
	pop(p, old);
	*out = v;
	return 0;
}

/* ---- ops ---------------------------------------------------------------------------- */
static const struct {
	const char *name;
	enum ktsnap_op_kind kind;
} op_names[] = {
	{ "CaptureSnapshot", KTSNAP_OP_CAPTURE_SNAPSHOT },
	{ "snapshot", KTSNAP_OP_CAPTURE_SNAPSHOT },
	{ "WatchSnapshot", KTSNAP_OP_WATCH_SNAPSHOT },
	{ "CaptureCgroupProcs", KTSNAP_OP_CAPTURE_CGROUP_PROCS },
	{ "PinBpfMap", KTSNAP_OP_PIN_BPF_MAP },
	{ "ReadKernelHot", KTSNAP_OP_READ_KERNEL_HOT },
	{ "ReadKernelCold", KTSNAP_OP_READ_KERNEL_COLD },
	{ "WriteKernelHot", KTSNAP_OP_WRITE_KERNEL_HOT },
	{ "WriteKernelCold", KTSNAP_OP_WRITE_KERNEL_COLD },
	{ "AttachScheduler", KTSNAP_OP_ATTACH_SCHEDULER },
	{ "ReplaceScheduler", KTSNAP_OP_REPLACE_SCHEDULER },
	{ "Sleep", KTSNAP_OP_SLEEP },
};

#define NR_OP_NAMES (sizeof(op_names) / sizeof(op_names[0]))

/* A kernel target: {"symbol": …} or {"kva": …}. */
static int parse_target(struct parse *p, struct json_object *o, struct ktsnap_kernel_op_target *t)
{
	const char *sym = NULL;
	uint64_t kva = 0;
	bool has_kva = json_object_object_get_ex(o, "kva", NULL);

	if (get_str(p, o, "symbol", &sym, false) || get_uint(p, o, "kva", UINT64_MAX, &kva, false))
		return -1;
	if (!sym == !has_kva)
		return perr(p, "give exactly one of \"symbol\" and \"kva\"");
	if (has_kva) {
		*t = ktsnap_kernel_op_target_kva(kva);
		return 0;
	}
	return ktsnap_kernel_op_target__set_symbol(t, sym) ? perr(p, "out of memory") : 0;
}

static void clear_entries(struct ktsnap_kernel_op_entry *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ktsnap_kernel_op_target__clear(&e[i].target);
		ktsnap_kernel_op_value__clear(&e[i].value);
	}
	free(e);
}

static int parse_read_width(struct parse *p, struct json_object *o,
			    struct ktsnap_kernel_op_value *v)
{
	struct json_object *w;
	size_t old;

	*v = ktsnap_kernel_op_value_u64(0);
	if (!json_object_object_get_ex(o, "width", &w))
		return 0;
	old = push_key(p, "width");
	if (json_object_is_type(w, json_type_string) && !strcmp(json_object_get_string(w), "u32"))
		*v = ktsnap_kernel_op_value_u32(0);
	else if (json_object_is_type(w, json_type_string) &&
		 !strcmp(json_object_get_string(w), "u64"))
		*v = ktsnap_kernel_op_value_u64(0);
	else if (json_object_is_type(w, json_type_int) && json_object_get_int64(w) > 0 &&
		 json_object_get_int64(w) <= 1 << 20) {
		if (ktsnap_kernel_op_value__set_bytes(v, NULL, (size_t)json_object_get_int64(w)))
			return perr(p, "out of memory");
	} else {
		return perr(p, "expected \"u32\", \"u64\" or a byte count (1..1048576)");
	}
	pop(p, old);
	return 0;
}

static int parse_write(struct parse *p, struct json_object *o, struct ktsnap_kernel_op_entry *e)
{
	static const char *const keys[] = { "symbol", "kva", "u32", "u64", "or_u32", NULL };
	uint64_t v = 0;
	int n = 0;

	if (want_type(p, o, json_type_object, "an object") || only_keys(p, o, keys) ||
	    parse_target(p, o, &e->target))
		return -1;
	if (json_object_object_get_ex(o, "u32", NULL)) {
		if (get_uint(p, o, "u32", UINT32_MAX, &v, true))
			return -1;
		e->value = ktsnap_kernel_op_value_u32((uint32_t)v);
		n++;
	}
	if (json_object_object_get_ex(o, "u64", NULL)) {
		if (get_uint(p, o, "u64", UINT64_MAX, &v, true))
			return -1;
		e->value = ktsnap_kernel_op_value_u64(v);
		n++;
	}
	if (json_object_object_get_ex(o, "or_u32", NULL)) {
		if (get_uint(p, o, "or_u32", UINT32_MAX, &v, true))
			return -1;
		e->value = ktsnap_kernel_op_value_or_u32((uint32_t)v);
		n++;
	}
	return n == 1 ? 0 : perr(p, "give exactly one of \"u32\", \"u64\" and \"or_u32\"");
}

static int parse_op(struct parse *p, struct json_object *o, unsigned int step, bool loop)
{
	static const char *const keys[] = { "op",	  "name", "symbol", "tag", "cgroup",
					    "width",	  "kva",  "writes", "cmd", "obj",
					    "timeout_ms", "log",  "ms",	    NULL };
	struct ktsnap_op op = { 0 };
	struct ktsnap_kernel_op_entry *entries = NULL;
	struct json_object *arr = NULL;
	const char **argv = NULL, *kind = NULL;
	uint64_t u = 0;
	size_t i, n = 0, old;
	int err = -1;

	if (want_type(p, o, json_type_object, "an op object") || only_keys(p, o, keys) ||
	    get_str(p, o, "op", &kind, true))
		return -1;
	for (i = 0; i < NR_OP_NAMES && strcmp(op_names[i].name, kind); i++)
		;
	if (i == NR_OP_NAMES) {
		push_key(p, "op");
		return perr(p, "unknown op '%s'", kind);
	}
	op.kind = op_names[i].kind;
	switch (op.kind) {
	case KTSNAP_OP_CAPTURE_SNAPSHOT:
	case KTSNAP_OP_PIN_BPF_MAP:
		if (get_str(p, o, "name", &op.name, true))
			goto out;
		break;
	case KTSNAP_OP_WATCH_SNAPSHOT:
		if (get_str(p, o, "symbol", &op.name, true))
			goto out;
		break;
	case KTSNAP_OP_CAPTURE_CGROUP_PROCS:
		if (get_str(p, o, "tag", &op.name, true) ||
		    get_str(p, o, "cgroup", &op.cgroup, true))
			goto out;
		break;
	case KTSNAP_OP_READ_KERNEL_HOT:
	case KTSNAP_OP_READ_KERNEL_COLD:
		entries = calloc(1, sizeof(*entries));
		if (!entries) {
			perr(p, "out of memory");
			goto out;
		}
		n = 1;
		if (get_str(p, o, "tag", &op.name, true) ||
		    parse_target(p, o, &entries[0].target) ||
		    parse_read_width(p, o, &entries[0].value))
			goto out;
		break;
	case KTSNAP_OP_WRITE_KERNEL_HOT:
	case KTSNAP_OP_WRITE_KERNEL_COLD:
		if (get_array(p, o, "writes", &arr, true))
			goto out;
		n = json_object_array_length(arr);
		old = push_key(p, "writes");
		if (!n) {
			perr(p, "needs at least one write");
			goto out;
		}
		entries = calloc(n, sizeof(*entries));
		if (!entries) {
			perr(p, "out of memory");
			goto out;
		}
		for (i = 0; i < n; i++) {
			size_t o2 = push_index(p, i);

			if (parse_write(p, json_object_array_get_idx(arr, i), &entries[i]))
				goto out;
			pop(p, o2);
		}
		pop(p, old);
		break;
	case KTSNAP_OP_ATTACH_SCHEDULER:
	case KTSNAP_OP_REPLACE_SCHEDULER:
		if (get_array(p, o, "cmd", &arr, true) || get_str(p, o, "obj", &op.obj, true) ||
		    get_str(p, o, "log", &op.log, false) ||
		    get_uint(p, o, "timeout_ms", UINT32_MAX, &u, false))
			goto out;
		op.timeout_ms = (uint32_t)u;
		n = json_object_array_length(arr);
		old = push_key(p, "cmd");
		if (!n) {
			perr(p, "needs the command to run");
			goto out;
		}
		argv = calloc(n + 1, sizeof(*argv));
		if (!argv) {
			perr(p, "out of memory");
			goto out;
		}
		for (i = 0; i < n; i++) {
			struct json_object *a = json_object_array_get_idx(arr, i);
			size_t o2 = push_index(p, i);

			if (want_type(p, a, json_type_string, "a string"))
				goto out;
			argv[i] = json_object_get_string(a);
			pop(p, o2);
		}
		pop(p, old);
		op.argv = argv;
		n = 0;
		break;
	case KTSNAP_OP_SLEEP:
		if (get_uint(p, o, "ms", UINT32_MAX, &u, true))
			goto out;
		op.timeout_ms = (uint32_t)u;
		break;
	}
	op.entries = entries;
	op.nr_entries = n;
	err = loop ? ktsnap_scenario__add_loop_op(p->sc, step, &op) :
		     ktsnap_scenario__add_op(p->sc, step, &op);
	if (err)
		perr(p, "%s op refused: %s", kind, strerror(-err));
out:
	clear_entries(entries, n);
	free(argv);
	return err ? -1 : 0;
}

static int parse_ops(struct parse *p, struct json_object *o, const char *key, unsigned int step,
		     bool loop)
{
	struct json_object *arr;
	size_t i, old;

	if (get_array(p, o, key, &arr, false))
		return -1;
	if (!arr)
		return 0;
	old = push_key(p, key);
	for (i = 0; i < json_object_array_length(arr); i++) {
		size_t o2 = push_index(p, i);

		if (parse_op(p, json_object_array_get_idx(arr, i), step, loop))
			return -1;
		pop(p, o2);
	}
	pop(p, old);
	return 0;
}

/* "full", {"ms": N} or {"loop": K, "ops": […]} */
static int parse_hold(struct parse *p, struct json_object *o, unsigned int step)
{
	static const char *const keys[] = { "ms", "loop", "ops", NULL };
	struct json_object *h;
	uint64_t ms = 0, k = 0;
	size_t old;
	int err;

	if (!json_object_object_get_ex(o, "hold", &h))
		return 0;
	old = push_key(p, "hold");
	if (json_object_is_type(h, json_type_string)) {
		if (strcmp(json_object_get_string(h), "full"))
			return perr(
				p,
				"expected \"full\", {\"ms\": N} or {\"loop\": K, \"ops\": [...]}");
		err = ktsnap_scenario__set_hold(p->sc, step, KTSNAP_HOLD_FULL, 0, 0);
	} else if (json_object_is_type(h, json_type_object)) {
		if (only_keys(p, h, keys))
			return -1;
		if (json_object_object_get_ex(h, "loop", NULL)) {
			if (json_object_object_get_ex(h, "ms", NULL))
				return perr(p, "give either \"ms\" or \"loop\"");
			if (get_uint(p, h, "loop", UINT32_MAX, &k, true) ||
			    parse_ops(p, h, "ops", step, true))
				return -1;
			err = ktsnap_scenario__set_hold(p->sc, step, KTSNAP_HOLD_LOOP, 0,
							(uint32_t)k);
		} else {
			if (json_object_object_get_ex(h, "ops", NULL))
				return perr(p, "\"ops\" belongs to a loop hold");
			if (get_uint(p, h, "ms", UINT32_MAX, &ms, true))
				return -1;
			err = ktsnap_scenario__set_hold(p->sc, step, KTSNAP_HOLD_DURATION, ms, 0);
		}
	} else {
		return perr(p, "expected \"full\", {\"ms\": N} or {\"loop\": K, \"ops\": [...]}");
	}
	if (err)
		return perr(p, "%s", strerror(-err));
	pop(p, old);
	return 0;
}

static int parse_cgroup(struct parse *p, struct json_object *o, unsigned int step)
{
	static const char *const keys[] = { "name",  "workers", "spin_us", "sleep_us",
					    "yield", "cpus",	"nice",	   NULL };
	KTSNAP_OPTS(ktsnap_workload, wl);
	struct json_object *cpus = NULL;
	uint32_t *cpu_list = NULL;
	const char *name = NULL;
	uint64_t workers = 0, u = 0;
	int64_t nice = 0;
	size_t i, old;
	int err;

	if (want_type(p, o, json_type_object, "a cgroup object") || only_keys(p, o, keys) ||
	    get_str(p, o, "name", &name, true) || get_uint(p, o, "workers", 4096, &workers, true))
		return -1;
	if (get_uint(p, o, "spin_us", UINT32_MAX, &u, false))
		return -1;
	wl.spin_us = (uint32_t)u;
	u = 0;
	if (get_uint(p, o, "sleep_us", UINT32_MAX, &u, false) ||
	    get_bool(p, o, "yield", &wl.yield) ||
	    get_int(p, o, "nice", -20, 19, &nice, &wl.set_nice) ||
	    get_array(p, o, "cpus", &cpus, false))
		return -1;
	wl.sleep_us = (uint32_t)u;
	wl.nice = (int)nice;
	if (cpus) {
		wl.nr_cpus = json_object_array_length(cpus);
		cpu_list = calloc(wl.nr_cpus + 1, sizeof(*cpu_list));
		if (!cpu_list)
			return perr(p, "out of memory");
		old = push_key(p, "cpus");
		for (i = 0; i < wl.nr_cpus; i++) {
			struct json_object *c = json_object_array_get_idx(cpus, i);
			size_t o2 = push_index(p, i);

			if (!json_object_is_type(c, json_type_int) ||
			    json_object_get_int64(c) < 0 ||
			    json_object_get_int64(c) >= CPU_SETSIZE) {
				free(cpu_list);
				return perr(p, "expected a CPU number");
			}
			cpu_list[i] = (uint32_t)json_object_get_int64(c);
			pop(p, o2);
		}
		pop(p, old);
		wl.cpus = cpu_list;
	}
	err = ktsnap_scenario__add_cgroup(p->sc, step, name, (unsigned int)workers, &wl);
	free(cpu_list);
	if (err) {
		push_key(p, "name");
		return perr(p,
			    err == -EEXIST ? "cgroup '%s' is defined twice in this step" :
					     "'%s' is not a valid cgroup name (one path component)",
			    name);
	}
	return 0;
}

static int parse_step(struct parse *p, struct json_object *o, unsigned int step)
{
	static const char *const keys[] = { "cgroups", "ops", "hold", NULL };
	struct json_object *cgs;
	size_t i, old;

	if (want_type(p, o, json_type_object, "a step object") || only_keys(p, o, keys) ||
	    get_array(p, o, "cgroups", &cgs, false))
		return -1;
	if (cgs && !step) {
		push_key(p, "cgroups");
		return perr(p, "the baseline has no cgroups");
	}
	old = push_key(p, "cgroups");
	for (i = 0; cgs && i < json_object_array_length(cgs); i++) {
		size_t o2 = push_index(p, i);

		if (parse_cgroup(p, json_object_array_get_idx(cgs, i), step))
			return -1;
		pop(p, o2);
	}
	pop(p, old);
	return parse_ops(p, o, "ops", step, false) || parse_hold(p, o, step);
}

static int parse_capture(struct parse *p, struct json_object *top,
			 struct ktsnap_capture_opts *copts)
{
	static const char *const keys[] = { "obj", "maps", "maps_only", NULL };
	struct json_object *c, *maps;
	size_t i, old;

	if (!json_object_object_get_ex(top, "capture", &c))
		return 0;
	old = push_key(p, "capture");
	if (want_type(p, c, json_type_object, "an object") || only_keys(p, c, keys) ||
	    get_str(p, c, "obj", &copts->obj, false) ||
	    get_bool(p, c, "maps_only", &copts->maps_only) || get_array(p, c, "maps", &maps, false))
		return -1;
	if (maps) {
		size_t n = json_object_array_length(maps), o2 = push_key(p, "maps");

		p->map_names = calloc(n + 1, sizeof(*p->map_names));
		if (!p->map_names)
			return perr(p, "out of memory");
		for (i = 0; i < n; i++) {
			struct json_object *m = json_object_array_get_idx(maps, i);
			size_t o3 = push_index(p, i);

			if (want_type(p, m, json_type_string, "a map name"))
				return -1;
			p->map_names[i] = json_object_get_string(m);
			pop(p, o3);
		}
		pop(p, o2);
		copts->map_names = p->map_names;
		copts->nr_map_names = n;
	}
	pop(p, old);
	return 0;
}

static int parse_map_writes(struct parse *p, struct json_object *top)
{
	static const char *const keys[] = { "map", "var", "offset", "value", NULL };
	struct json_object *arr;
	size_t i, old;

	if (get_array(p, top, "map_writes", &arr, false))
		return -1;
	old = push_key(p, "map_writes");
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *w = json_object_array_get_idx(arr, i);
		const char *map = NULL, *var = NULL;
		uint64_t off = 0, val = 0;
		size_t o2 = push_index(p, i);

		if (want_type(p, w, json_type_object, "an object") || only_keys(p, w, keys) ||
		    get_str(p, w, "map", &map, true) || get_str(p, w, "var", &var, false) ||
		    get_uint(p, w, "offset", UINT32_MAX, &off, false) ||
		    get_uint(p, w, "value", UINT32_MAX, &val, true))
			return -1;
		if (var && json_object_object_get_ex(w, "offset", NULL))
			return perr(p, "give either \"var\" or \"offset\"");
		if (ktsnap_scenario__add_map_write(p->sc, map, var, (uint32_t)off, (uint32_t)val))
			return perr(p, "bad map write (empty map suffix or variable)");
		pop(p, o2);
	}
	pop(p, old);
	return 0;
}

static int parse_scenario(struct parse *p, struct json_object *top,
			  struct ktsnap_capture_opts *copts)
{
	static const char *const keys[] = { "description", "capture", "step_ms", "baseline",
					    "map_writes",  "steps",   NULL };
	struct json_object *steps, *base;
	uint64_t ms = 0;
	size_t i, old;

	if (want_type(p, top, json_type_object, "a scenario object") || only_keys(p, top, keys) ||
	    parse_capture(p, top, copts) || get_uint(p, top, "step_ms", UINT32_MAX, &ms, false) ||
	    parse_map_writes(p, top) || get_array(p, top, "steps", &steps, true))
		return -1;
	if (json_object_object_get_ex(top, "step_ms", NULL))
		ktsnap_scenario__set_step_ms(p->sc, ms);
	if (json_object_object_get_ex(top, "baseline", &base)) {
		old = push_key(p, "baseline");
		if (parse_step(p, base, 0))
			return -1;
		pop(p, old);
	}
	old = push_key(p, "steps");
	for (i = 0; i < json_object_array_length(steps); i++) {
		size_t o2 = push_index(p, i);
		int idx = ktsnap_scenario__add_step(p->sc);

		if (idx < 0)
			return perr(p, "too many steps");
		if (parse_step(p, json_object_array_get_idx(steps, i), (unsigned int)idx))
			return -1;
		pop(p, o2);
	}
	pop(p, old);
	return 0;
}

static struct json_object *read_json(const char *path, char *err, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t r;

		if (n + 4096 > cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb || cap > (16u << 20)) {
				free(nb ? nb : buf);
				fclose(f);
				snprintf(err, len, "%s: too large", path);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	tok = json_tokener_new();
	o = tok ? json_tokener_parse_ex(tok, buf, (int)n) : NULL;
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) < n) {
		snprintf(err, len, "%s: not valid JSON at byte %zu: %s", path,
			 tok ? json_tokener_get_parse_end(tok) : 0,
			 tok ? json_tokener_error_desc(json_tokener_get_error(tok)) :
			       "out of memory");
		json_object_put(o);
		o = NULL;
	}
	/* trailing whitespace is fine */
	json_tokener_free(tok);
	free(buf);
	return o;
}

/* ---- output ------------------------------------------------------------------------------ */
/* §10.6's rule for file names: every byte outside [A-Za-z0-9._-] becomes '_'. */
static void safe_tag(const char *tag, char *out, size_t len)
{
	cli_safe_name(tag, out, len);
	/* "." and ".." are not file names */
	if (!strcmp(out, ".") || !strcmp(out, "..") || !out[0])
		snprintf(out, len, "%s", !tag[0] ? "_" : strcmp(out, ".") ? "__" : "_");
}

struct run_state {
	char failed_line[1024]; /* the progress line of the op that failed */
};

static void on_progress(unsigned int step, const char *line, void *ctx)
{
	struct run_state *rs = ctx;
	size_t n = strlen(line);

	if (n > 7 && !strcmp(line + n - 7, " FAILED"))
		snprintf(rs->failed_line, sizeof(rs->failed_line), "%.*s", (int)(n - 7), line);
	fprintf(cli_json ? stderr : stdout, "%s\n", line);
	fflush(cli_json ? stderr : stdout);
}

static const struct ktsnap_scenario_capture_stat *last_stat(const struct ktsnap_scenario *sc,
							    const char *tag)
{
	const struct ktsnap_scenario_capture_stat *hit = NULL;
	size_t i;

	for (i = 0; i < ktsnap_scenario__capture_stat_count(sc); i++) {
		const struct ktsnap_scenario_capture_stat *s = ktsnap_scenario__capture_stat(sc, i);

		if (!strcmp(s->tag, tag))
			hit = s;
	}
	return hit;
}

/* Write DIR/<tag>.json for every capture and DIR/index.json.  0 or -errno. */
static int write_outputs(const char *dir, const char *scenario_path, struct ktsnap_scenario *sc,
			 struct ktsnap_bridge *b, int run_err, size_t *nr_captures)
{
	struct ktsnap_drain *d = ktsnap_bridge__drain_ordered_with_stats(b);
	struct ktsnap_bridge_events *evs = ktsnap_bridge__drain_events(b);
	struct ktsnap_cgroup_procs_log *procs = ktsnap_bridge__drain_cgroup_procs(b);
	struct ktsnap_kernel_op_log *kops = ktsnap_bridge__drain_kernel_ops(b);
	char path[PATH_MAX], name[256], text[1024];
	struct cli_out o = { 0 };
	struct json_writer *w = NULL;
	size_t i, j;
	int err = 0;

	if (!d || !evs || !procs || !kops) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ktsnap_drain__count(d); i++) {
		const struct ktsnap_drained_entry *e = ktsnap_drain__entry(d, i);

		safe_tag(e->tag, name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s.json", dir, name);
		err = cli_out_open(&o, path);
		if (err)
			goto out;
		err = ktsnap_report__write_json(e->report, o.f,
						cli_pretty ? KTSNAP_JSON_PRETTY : 0);
		if (cli_out_close(&o, !err) && !err)
			err = -EIO;
		if (err)
			goto out;
	}
	*nr_captures = ktsnap_drain__count(d);

	snprintf(path, sizeof(path), "%s/index.json", dir);
	w = malloc(sizeof(*w));
	if (!w) {
		err = -ENOMEM;
		goto out;
	}
	err = cli_out_open(&o, path);
	if (err)
		goto out;
	jw_init(w, o.f, cli_pretty);
	jw_obj_begin(w);
	jw_kv_str(w, "scenario", scenario_path);
	jw_kv_bool(w, "ok", !run_err);
	jw_key(w, "error");
	if (run_err)
		jw_str(w, ktsnap_scenario__errmsg(sc));
	else
		jw_null(w);
	jw_key(w, "captures");
	jw_arr_begin(w);
	for (i = 0; i < ktsnap_drain__count(d); i++) {
		const struct ktsnap_drained_entry *e = ktsnap_drain__entry(d, i);
		const struct ktsnap_scenario_capture_stat *s = last_stat(sc, e->tag);

		safe_tag(e->tag, name, sizeof(name));
		snprintf(path, sizeof(path), "%s.json", name);
		jw_obj_begin(w);
		jw_kv_str(w, "tag", e->tag);
		jw_kv_str(w, "file", path);
		if (e->meta.has_step_index)
			jw_kv_u64(w, "step_index", e->meta.step_index);
		jw_kv_bool(w, "placeholder", ktsnap_report__is_placeholder(e->report));
		if (s) {
			jw_kv_bool(w, "frozen", s->frozen);
			jw_kv_u64(w, "freeze_ns", s->freeze_ns);
			jw_kv_u64(w, "capture_ns", s->capture_ns);
			jw_kv_u64(w, "thaw_ns", s->thaw_ns);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "events");
	jw_arr_begin(w);
	for (i = 0; i < ktsnap_bridge_events__count(evs); i++) {
		const struct ktsnap_bridge_event *ev = ktsnap_bridge_events__at(evs, i);

		ktsnap_bridge_event__format(ev, text, sizeof(text));
		jw_obj_begin(w);
		jw_kv_str(w, "kind", ktsnap_bridge_event_kind__name(ev->kind));
		jw_kv_str(w, "text", text);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "cgroup_procs");
	jw_arr_begin(w);
	for (i = 0; i < ktsnap_cgroup_procs_log__count(procs); i++) {
		const struct ktsnap_cgroup_procs *r = ktsnap_cgroup_procs_log__at(procs, i);

		jw_obj_begin(w);
		jw_kv_str(w, "tag", r->tag);
		jw_kv_str(w, "cgroup", r->cgroup);
		jw_key(w, "pids");
		jw_arr_begin(w);
		for (j = 0; j < r->nr_pids; j++)
			jw_i64(w, r->pids[j]);
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "kernel_ops");
	jw_arr_begin(w);
	for (i = 0; i < ktsnap_kernel_op_log__count(kops); i++) {
		const struct ktsnap_kernel_op_reply *r = ktsnap_kernel_op_log__reply(kops, i);

		jw_obj_begin(w);
		jw_kv_str(w, "tag", ktsnap_kernel_op_log__tag(kops, i));
		jw_kv_bool(w, "success", r->success);
		jw_kv_str(w, "reason", r->reason ? r->reason : "");
		jw_kv_u64(w, "values", r->nr_read_values);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	err = jw_finish(w);
	if (cli_out_close(&o, !err) && !err)
		err = -EIO;
out:
	free(w);
	ktsnap_drain__free(d);
	ktsnap_bridge_events__free(evs);
	ktsnap_cgroup_procs_log__free(procs);
	ktsnap_kernel_op_log__free(kops);
	return err;
}

/* ---- the command ------------------------------------------------------------------------- */
/* What -j says once the captures are stored. */
struct summary {
	const char *dir;
	size_t captures, steps;
};

static void summary_fields(struct json_writer *w, const void *ctx)
{
	const struct summary *sum = ctx;

	jw_kv_str(w, "dir", sum->dir);
	jw_kv_u64(w, "captures", sum->captures);
	jw_kv_u64(w, "steps", sum->steps);
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "no-freeze", no_argument, NULL, 'F' },
		{ 0 },
	};
	KTSNAP_OPTS(ktsnap_capture_opts, copts);
	KTSNAP_OPTS(ktsnap_scenario_run_opts, ropts);
	struct parse p = { 0 };
	struct run_state rs = { 0 };
	struct json_object *top = NULL;
	struct ktsnap_bridge *b = NULL;
	struct ktsnap_watcher *watcher = NULL;
	const char *dir = "ktsnap-run", *file;
	size_t nr_captures = 0;
	struct summary sum;
	int c, err, rc = EXIT_FAIL;
	struct stat st;

	while ((c = cli_getopt(argc, argv, "o:", opts)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'F':
			ropts.no_freeze = true;
			break;
		case 'h':
			return cli_help();
		default:
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_usage(optind < argc ? "one scenario file, please" :
						 "which scenario file?");
	file = argv[optind];
	top = read_json(file, p.err, sizeof(p.err));
	if (!top)
		return cli_fail("%s", p.err);
	p.sc = ktsnap_scenario__new();
	if (!p.sc) {
		rc = cli_fail("out of memory");
		goto out;
	}
	if (parse_scenario(&p, top, &copts)) {
		rc = cli_fail("%s: %s", file, p.err);
		goto out;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		rc = cli_fail("%s: %s", dir, strerror(errno));
		goto out;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		rc = cli_fail("%s: not a directory", dir);
		goto out;
	}
	b = ktsnap_bridge__new(ktsnap_scenario_capture_callback, p.sc, NULL);
	/* WatchSnapshot ops arm live write breakpoints (owned by the bridge) */
	if (!b || !ktsnap_bridge__with_kernel_op(b, ktsnap_kernel_op_live, NULL, NULL) ||
	    !(watcher = ktsnap_bridge__with_live_watch(b, NULL))) {
		rc = cli_fail("out of memory");
		goto out;
	}
	ropts.bridge = b;
	ropts.capture = &copts;
	ropts.catch_signals = true;
	ropts.progress = on_progress;
	ropts.progress_ctx = &rs;
	err = ktsnap_scenario__run(p.sc, &ropts);
	/* the scenario's watches end with it */
	ktsnap_watcher__disarm_all(watcher);
	/* what was captured before a failure is kept too */
	c = write_outputs(dir, file, p.sc, b, err, &nr_captures);
	if (err) {
		if (rs.failed_line[0])
			rc = cli_fail("%s failed: %s", rs.failed_line,
				      ktsnap_scenario__errmsg(p.sc));
		else
			rc = cli_fail("%s", ktsnap_scenario__errmsg(p.sc));
		goto out;
	}
	if (c) {
		rc = cli_fail("writing %s: %s", dir, strerror(-c));
		goto out;
	}
	sum = (struct summary){ dir, nr_captures, ktsnap_scenario__step_count(p.sc) };
	rc = cli_summary(summary_fields, &sum, "stored %zu capture%s and index.json in %s\n",
			 nr_captures, nr_captures == 1 ? "" : "s", dir);
out:
	ktsnap_bridge__unref(b);
	ktsnap_scenario__free(p.sc);
	free(p.map_names);
	json_object_put(top);
	return rc;
}

const struct cli_cmd cmd_run = {
	.name = "run",
	.run = run,
	.synopsis = CLI_SYNOPSIS_run,
	.help = "Run a scenario (docs/scenario.md): steps that start workers in cgroup2\n"
		"cgroups and ops that capture snapshots.  Prints one line per step and op;\n"
		"stores every capture as DIR/<tag>.json and DIR/index.json (tags, step\n"
		"indexes, freeze timings, bridge events, cgroup.procs and kernel-op logs).\n"
		"Needs root.  Exit status 1 names the op that failed.\n\n"
		"  -o, --output DIR      where to store the captures (default ./ktsnap-run)\n"
		"      --no-freeze       do not freeze the workers while capturing\n"
		"  -p, --pretty          indent the report files\n",
};
