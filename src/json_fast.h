/* SPDX-License-Identifier: MIT */
/*
 * json_fast: the report reader's fast path for the canonical text our own
 * writer emits (json_fast.c).  Each function tries the next element of a
 * cut array (json_scan.h) and either reads it whole, exactly as the json-c
 * path would, and advances the array (true), or leaves the array, the
 * element and the error state as they were (false: the caller reads the
 * element the usual way).  Never fails: anything that is not the writer's
 * exact spelling, or that the json-c path would reject, is "not canonical".
 */
#ifndef KTSNAP_JSON_FAST_H
#define KTSNAP_JSON_FAST_H

#include <stdbool.h>
#include <stddef.h>

#include "json_rd.h"
#include "report_internal.h"

struct json_fast;

/* An element of "entries", "array_entries", "percpu_entries" or
 * "percpu_hash_entries" (@layout says which) into the zeroed @e. */
bool json_fast_entry(struct rd *rd, struct rd_arr *a, enum ktsnap_map_layout layout,
		     struct ktsnap_map_entry *e);
/* An element of "elements" (a RenderedValue) into the zeroed @v. */
bool json_fast_value(struct rd *rd, struct rd_arr *a, struct ktsnap_value *v);
/* A member as read, before it goes into its struct's slot. */
struct json_fast_member {
	const char *name;
	struct ktsnap_value v;
};

/* An element of "members" ({"name", "value"}) into the zeroed @m. */
bool json_fast_member(struct rd *rd, struct rd_arr *a, struct json_fast_member *m);
/* An element of "per_cpu" (a RenderedValue or null) into *@slot. */
bool json_fast_slot(struct rd *rd, struct rd_arr *a, const struct ktsnap_value **slot);

/*
 * The text the fast path read, as sorted [start, end) pairs in *@pairs
 * (borrowed from @f, NULL-safe); returns how many.  What it reads passes
 * json_scan_check() by construction (valid UTF-8, no surrogate or NUL
 * escapes, integers within 64 bits, no bare words but true/false/null).
 */
size_t json_fast_ranges(struct json_fast *f, const size_t **pairs);

/* The scratch space of one read (rd->fast), NULL-safe. */
void json_fast_free(struct json_fast *f);

/* Tests: turn the fast path off (every element then goes through json-c)
 * or back on.  The environment variable KTSNAP_JSON_NO_FAST=1 turns it
 * off for the process. */
void json_fast_set_enabled(bool on);
/* Tests: elements the fast path has read on this thread so far. */
size_t json_fast_elements(void);

#endif
