/* SPDX-License-Identifier: MIT */
#ifndef KTSNAP_CAPTURE_INTERNAL_H
#define KTSNAP_CAPTURE_INTERNAL_H

#include <ktsnap/capture.h>
#include "report_internal.h"

/* A small growable set of kernel object ids. */
struct ktsnap_id_set {
	uint32_t *ids;
	size_t n, cap;
};

int ktsnap_id_set_add(struct ktsnap_id_set *s, uint32_t id);
bool ktsnap_id_set_has(const struct ktsnap_id_set *s, uint32_t id);
void ktsnap_id_set_free(struct ktsnap_id_set *s);

/* The programs of BPF object @obj (those using a map named
 * "<obj>.<section>") and every map they use, in one walk of the programs. */
int ktsnap_obj_ids(const char *obj, struct ktsnap_id_set *maps, struct ktsnap_id_set *progs);

/* The harness's own maps (spec §3.2), never captured. */
bool ktsnap_map_name_is_harness(const char *name);
/* "HASH", "PERCPU_ARRAY", …; NULL for unknown types. */
const char *ktsnap_map_type_name(uint32_t type);

/* Fill the walker-backed report fields from the live host (programs,
 * /proc, /sys): active scheduler identity, prog runtime stats, per-CPU
 * time, NUMA, PSI, task enrichments, and the *_unavailable reasons. */
/* @obj_progs: the programs of opts->obj (from ktsnap_obj_ids), whose
 * runtime stats are reported too; NULL without an object filter. */
int ktsnap_capture_walkers(struct ktsnap_report *r, const struct ktsnap_capture_opts *opts,
			   const struct ktsnap_id_set *obj_progs);

#endif
