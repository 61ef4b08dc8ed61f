// SPDX-License-Identifier: MIT
/*
 * Building a scenario (spec §11): the deep copies of ops, the builder
 * calls that add steps, cgroups, ops, holds and map writes, and the
 * getters of a run's results.  Running it is scenario.c's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ktsnap/scenario.h>

#include "log_internal.h"
#include "opts_internal.h"
#include "scenario_internal.h"
#include "util_internal.h"

/* ---- op copies --------------------------------------------------------------------- */
static void op_clear(struct sc_op *op)
{
	size_t i;

	free(op->name);
	free(op->cgroup);
	free(op->obj);
	free(op->log);
	for (i = 0; i < op->nr_entries; i++) {
		ktsnap_kernel_op_target__clear(&op->entries[i].target);
		ktsnap_kernel_op_value__clear(&op->entries[i].value);
	}
	free(op->entries);
	for (i = 0; op->argv && op->argv[i]; i++)
		free(op->argv[i]);
	free(op->argv);
	memset(op, 0, sizeof(*op));
}

static int op_validate(const struct ktsnap_op *op)
{
	switch (op->kind) {
	case KTSNAP_OP_CAPTURE_SNAPSHOT:
	case KTSNAP_OP_WATCH_SNAPSHOT:
	case KTSNAP_OP_PIN_BPF_MAP:
		return op->name ? 0 : -EINVAL;
	case KTSNAP_OP_CAPTURE_CGROUP_PROCS:
		/* empty strings are the op's own failures (§11.3), NULL is not */
		return op->name && op->cgroup ? 0 : -EINVAL;
	case KTSNAP_OP_READ_KERNEL_HOT:
	case KTSNAP_OP_READ_KERNEL_COLD:
		return op->name && op->nr_entries == 1 && op->entries ? 0 : -EINVAL;
	case KTSNAP_OP_WRITE_KERNEL_HOT:
	case KTSNAP_OP_WRITE_KERNEL_COLD:
		return op->nr_entries && op->entries ? 0 : -EINVAL;
	case KTSNAP_OP_ATTACH_SCHEDULER:
	case KTSNAP_OP_REPLACE_SCHEDULER:
		return op->argv && op->argv[0] && op->obj && op->obj[0] ? 0 : -EINVAL;
	case KTSNAP_OP_SLEEP:
		return 0;
	}
	return -EINVAL;
}

static int op_copy(struct sc_op *dst, const struct ktsnap_op *src)
{
	size_t i, n = 0;
	bool oom = false;
	int err;

	memset(dst, 0, sizeof(*dst));
	dst->kind = src->kind;
	dst->timeout_ms = src->timeout_ms;
	dst->name = ktsnap_strdup_opt(src->name, &oom);
	dst->cgroup = ktsnap_strdup_opt(src->cgroup, &oom);
	dst->obj = ktsnap_strdup_opt(src->obj, &oom);
	dst->log = ktsnap_strdup_opt(src->log, &oom);
	err = oom ? -ENOMEM : 0;
	if (src->nr_entries) {
		dst->entries = calloc(src->nr_entries, sizeof(*dst->entries));
		if (!dst->entries)
			err = -ENOMEM;
		for (i = 0; !err && i < src->nr_entries; i++) {
			err = ktsnap_kernel_op_target__copy(&dst->entries[i].target,
							    &src->entries[i].target);
			if (!err)
				err = ktsnap_kernel_op_value__copy(&dst->entries[i].value,
								   &src->entries[i].value);
			dst->nr_entries = i + 1;
		}
	}
	while (src->argv && src->argv[n])
		n++;
	if (!err && src->argv) {
		dst->argv = calloc(n + 1, sizeof(*dst->argv));
		if (!dst->argv)
			err = -ENOMEM;
		for (i = 0; !err && i < n; i++)
			if (!(dst->argv[i] = strdup(src->argv[i])))
				err = -ENOMEM;
	}
	if (err)
		op_clear(dst);
	return err;
}

static void oplist_clear(struct sc_oplist *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		op_clear(&l->ops[i]);
	free(l->ops);
	memset(l, 0, sizeof(*l));
}

static int oplist_add(struct sc_oplist *l, const struct ktsnap_op *op)
{
	int err;

	if (!op || op_validate(op))
		return -EINVAL;
	if (KTSNAP_ENSURE(l->ops, l->cap, l->nr + 1))
		return -ENOMEM;
	err = op_copy(&l->ops[l->nr], op);
	if (!err)
		l->nr++;
	return err;
}

const char *ktsnap_op_kind__name(enum ktsnap_op_kind kind)
{
	switch (kind) {
	case KTSNAP_OP_CAPTURE_SNAPSHOT:
		return "CaptureSnapshot";
	case KTSNAP_OP_WATCH_SNAPSHOT:
		return "WatchSnapshot";
	case KTSNAP_OP_CAPTURE_CGROUP_PROCS:
		return "CaptureCgroupProcs";
	case KTSNAP_OP_PIN_BPF_MAP:
		return "PinBpfMap";
	case KTSNAP_OP_READ_KERNEL_HOT:
		return "ReadKernelHot";
	case KTSNAP_OP_READ_KERNEL_COLD:
		return "ReadKernelCold";
	case KTSNAP_OP_WRITE_KERNEL_HOT:
		return "WriteKernelHot";
	case KTSNAP_OP_WRITE_KERNEL_COLD:
		return "WriteKernelCold";
	case KTSNAP_OP_ATTACH_SCHEDULER:
		return "AttachScheduler";
	case KTSNAP_OP_REPLACE_SCHEDULER:
		return "ReplaceScheduler";
	case KTSNAP_OP_SLEEP:
		return "Sleep";
	}
	return "Unknown";
}

/* "CaptureSnapshot('s1')" and the like, for progress lines. */
void sc_op_label(const struct sc_op *op, char *buf, size_t len)
{
	const char *k = ktsnap_op_kind__name(op->kind);

	switch (op->kind) {
	case KTSNAP_OP_CAPTURE_CGROUP_PROCS:
		snprintf(buf, len, "%s(tag=\"%s\", cgroup=\"%s\")", k, op->name, op->cgroup);
		break;
	case KTSNAP_OP_WRITE_KERNEL_HOT:
	case KTSNAP_OP_WRITE_KERNEL_COLD:
		snprintf(buf, len, "%s(%zu write%s)", k, op->nr_entries,
			 op->nr_entries == 1 ? "" : "s");
		break;
	case KTSNAP_OP_ATTACH_SCHEDULER:
	case KTSNAP_OP_REPLACE_SCHEDULER:
		snprintf(buf, len, "%s('%s', obj '%s')", k, op->argv[0], op->obj);
		break;
	case KTSNAP_OP_SLEEP:
		snprintf(buf, len, "%s(%" PRIu32 " ms)", k, op->timeout_ms);
		break;
	default:
		snprintf(buf, len, "%s('%s')", k, op->name);
		break;
	}
}

/* ---- building ---------------------------------------------------------------------- */
struct ktsnap_scenario *ktsnap_scenario__new(void)
{
	struct ktsnap_scenario *sc = calloc(1, sizeof(*sc));

	if (!sc)
		return NULL;
	sc->steps = calloc(1, sizeof(*sc->steps));
	if (!sc->steps) {
		free(sc);
		return ktsnap_fail_ptr(-ENOMEM, "scenario: out of memory");
	}
	sc->nr_steps = sc->cap_steps = 1;
	sc->step_ms = DEFAULT_STEP_MS;
	pthread_mutex_init(&sc->capture_lock, NULL);
	return sc;
}

void ktsnap_scenario__free(struct ktsnap_scenario *sc)
{
	size_t i, j;

	if (!sc)
		return;
	for (i = 0; i < sc->nr_steps; i++) {
		struct sc_step *st = &sc->steps[i];

		for (j = 0; j < st->nr_cgroups; j++) {
			free(st->cgroups[j].name);
			free(st->cgroups[j].cpus);
		}
		free(st->cgroups);
		oplist_clear(&st->ops);
		oplist_clear(&st->loop_ops);
		free(st->pids);
	}
	free(sc->steps);
	for (i = 0; i < sc->nr_writes; i++) {
		free(sc->writes[i].suffix);
		free(sc->writes[i].var);
	}
	free(sc->writes);
	for (i = 0; i < sc->nr_pins; i++) {
		free(sc->pins[i].name);
		if (sc->pins[i].fd >= 0)
			close(sc->pins[i].fd);
	}
	free(sc->pins);
	free(sc->watches);
	for (i = 0; i < sc->nr_stats; i++)
		free((char *)sc->stats[i].tag);
	free(sc->stats);
	free(sc->errmsg);
	pthread_mutex_destroy(&sc->capture_lock);
	free(sc);
}

int ktsnap_scenario__add_step(struct ktsnap_scenario *sc)
{
	if (!sc)
		return ktsnap_fail(-EINVAL, "add_step: no scenario");
	if (sc->nr_steps > UINT16_MAX)
		return ktsnap_fail(-E2BIG, "add_step: a scenario has at most %u steps", UINT16_MAX);
	if (KTSNAP_ENSURE(sc->steps, sc->cap_steps, sc->nr_steps + 1))
		return ktsnap_fail(-ENOMEM, "add_step: out of memory");
	return (int)sc->nr_steps++;
}

size_t ktsnap_scenario__step_count(const struct ktsnap_scenario *sc)
{
	return sc ? sc->nr_steps - 1 : 0;
}

static struct sc_step *step_of(struct ktsnap_scenario *sc, unsigned int step)
{
	if (!sc || sc->ran || step >= sc->nr_steps)
		return NULL;
	return &sc->steps[step];
}

bool sc_valid_component(const char *name)
{
	return name && name[0] && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..") &&
	       strlen(name) < NAME_MAX;
}

int ktsnap_scenario__add_cgroup(struct ktsnap_scenario *sc, unsigned int step, const char *name,
				unsigned int nr_workers, const struct ktsnap_workload *wl)
{
	struct sc_step *st = step_of(sc, step);
	struct sc_cgroup *cg;
	size_t i;

	struct ktsnap_workload w;
	int err;

	if (!st || step == 0 || !sc_valid_component(name))
		return ktsnap_fail(
			-EINVAL, "add_cgroup: %s",
			!st	  ? "no such step" :
			step == 0 ? "the baseline (step 0) runs no workers" :
				    "a cgroup name is one path component (not empty, '.' or '..')");
	err = KTSNAP_OPTS_READ(w, wl, ktsnap_workload);
	if (err)
		return err;
	if (w.nr_cpus && !w.cpus)
		return ktsnap_fail(-EINVAL, "add_cgroup: nr_cpus is %zu but cpus is NULL",
				   w.nr_cpus);
	for (i = 0; i < st->nr_cgroups; i++)
		if (!strcmp(st->cgroups[i].name, name))
			return ktsnap_fail(-EEXIST, "add_cgroup: step %u already has a cgroup '%s'",
					   step, name);
	if (KTSNAP_ENSURE(st->cgroups, st->cap_cgroups, st->nr_cgroups + 1))
		return ktsnap_fail(-ENOMEM, "add_cgroup: out of memory");
	cg = &st->cgroups[st->nr_cgroups];
	memset(cg, 0, sizeof(*cg));
	cg->wl = w;
	cg->name = strdup(name);
	if (cg->wl.nr_cpus) {
		cg->cpus = calloc(cg->wl.nr_cpus, sizeof(*cg->cpus));
		if (cg->cpus)
			memcpy(cg->cpus, cg->wl.cpus, cg->wl.nr_cpus * sizeof(*cg->cpus));
	}
	cg->wl.cpus = cg->cpus;
	if (!cg->name || (cg->wl.nr_cpus && !cg->cpus)) {
		free(cg->name);
		free(cg->cpus);
		return ktsnap_fail(-ENOMEM, "add_cgroup: out of memory");
	}
	cg->nr_workers = nr_workers;
	st->nr_cgroups++;
	return 0;
}

int ktsnap_scenario__add_op(struct ktsnap_scenario *sc, unsigned int step,
			    const struct ktsnap_op *op)
{
	struct sc_step *st = step_of(sc, step);

	return st ? oplist_add(&st->ops, op) : -EINVAL;
}

int ktsnap_scenario__add_loop_op(struct ktsnap_scenario *sc, unsigned int step,
				 const struct ktsnap_op *op)
{
	struct sc_step *st = step_of(sc, step);

	return st ? oplist_add(&st->loop_ops, op) : -EINVAL;
}

int ktsnap_scenario__set_hold(struct ktsnap_scenario *sc, unsigned int step,
			      enum ktsnap_hold_kind kind, uint64_t duration_ms, uint32_t loop_iters)
{
	struct sc_step *st = step_of(sc, step);

	if (!st || kind > KTSNAP_HOLD_LOOP)
		return ktsnap_fail(-EINVAL, "set_hold: %s",
				   !st ? "no such step" : "unknown hold kind");
	st->hold = kind;
	st->hold_ms = duration_ms;
	st->loop_iters = loop_iters;
	return 0;
}

int ktsnap_scenario__set_step_ms(struct ktsnap_scenario *sc, uint64_t ms)
{
	if (!sc || sc->ran)
		return ktsnap_fail(-EINVAL, "set_step_ms: %s",
				   !sc ? "no scenario" : "the scenario already ran");
	sc->step_ms = ms;
	return 0;
}

int ktsnap_scenario__add_map_write(struct ktsnap_scenario *sc, const char *map_suffix,
				   const char *var, uint32_t offset, uint32_t value)
{
	struct sc_map_write *w;

	if (!sc || sc->ran || !map_suffix || !map_suffix[0] || (var && !var[0]))
		return ktsnap_fail(
			-EINVAL, "add_map_write: %s",
			!sc	? "no scenario" :
			sc->ran ? "the scenario already ran" :
				  "the map name suffix and the variable name must not be empty");
	if (KTSNAP_ENSURE(sc->writes, sc->cap_writes, sc->nr_writes + 1))
		return ktsnap_fail(-ENOMEM, "add_map_write: out of memory");
	w = &sc->writes[sc->nr_writes];
	w->suffix = strdup(map_suffix);
	w->var = var ? strdup(var) : NULL;
	if (!w->suffix || (var && !w->var)) {
		free(w->suffix);
		free(w->var);
		return ktsnap_fail(-ENOMEM, "add_map_write: out of memory");
	}
	w->offset = offset;
	w->value = value;
	sc->nr_writes++;
	return 0;
}

/* ---- results ----------------------------------------------------------------------- */
const char *ktsnap_scenario__errmsg(const struct ktsnap_scenario *sc)
{
	return sc && sc->errmsg ? sc->errmsg : "";
}

int ktsnap_scenario__signal(const struct ktsnap_scenario *sc)
{
	return sc ? sc->sig : 0;
}

unsigned int ktsnap_scenario__current_step(const struct ktsnap_scenario *sc)
{
	return sc ? atomic_load_explicit(&sc->cur_step, memory_order_acquire) : 0;
}

const char *ktsnap_scenario__cgroup_parent(const struct ktsnap_scenario *sc)
{
	return sc ? sc->parent : "";
}

const pid_t *ktsnap_scenario__worker_pids(const struct ktsnap_scenario *sc, unsigned int step,
					  size_t *n)
{
	if (n)
		*n = 0;
	if (!sc || !n)
		return ktsnap_fail_ptr(-EINVAL, "worker_pids: no scenario or no count pointer");
	if (!ktsnap_index_ok(step, sc->nr_steps, "worker_pids: step"))
		return NULL;
	*n = sc->steps[step].nr_pids;
	return sc->steps[step].pids;
}

size_t ktsnap_scenario__capture_stat_count(const struct ktsnap_scenario *sc)
{
	return sc ? sc->nr_stats : 0;
}

const struct ktsnap_scenario_capture_stat *
ktsnap_scenario__capture_stat(const struct ktsnap_scenario *sc, size_t i)
{
	return ktsnap_index_ok(i, ktsnap_scenario__capture_stat_count(sc), "capture stat") ?
		       &sc->stats[i] :
		       NULL;
}
