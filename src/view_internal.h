/* SPDX-License-Identifier: MIT */
/*
 * Shared by the view layer: view.c (snapshot, maps, entries, fields),
 * path.c (dotted-path walk), error.c (error records and their texts),
 * pickers.c and json_field.c.
 *
 * Error records are filled in place (they live inside views); the
 * private fields of struct ktsnap_error are used per kind as follows:
 *
 *	kind			text		s1 / s2		n1 / n2 / n3	other
 *	MAP_NOT_FOUND		requested			 		snap (admitted names)
 *	VAR_NOT_FOUND		requested			 		snap; sub 0 members,
 *										1 all global map names
 *	AMBIGUOUS_VAR		requested					snap (hits recomputed)
 *	FIELD_NOT_FOUND		requested					off[] walked/component;
 *										ctx struct value, or
 *										json object (sub 1)
 *	NOT_A_STRUCT		requested	kind		 		off[] as above
 *	TYPE_MISMATCH		requested	expected/actual	n1 index	sub: 0 plain,
 *										1 Array[n1]=s2,
 *										2 Truncated(partial=s2)
 *	INDEX_OUT_OF_RANGE			map		index / len
 *	PER_CPU_SLOT				map		cpu / len	sub = unmapped
 *	NO_MATCH				map / op	len / #keys	ctx = map
 *	EMPTY_PATH_COMPONENT	requested
 *	PER_CPU_NOT_NARROWED			map
 *	NO_RENDERED				map / side
 *	PLACEHOLDER_SAMPLE	tag\0reason
 *	MISSING_STATS		tag\0reason text
 *	HOST_FIELD_UNAVAILABLE	tag				cpu
 *	PLACEHOLDER_SNAPSHOT	tag						sub = has tag
 *	NO_ACTIVE_SCHEDULER	reason (sub 3)	obj (sub 1)	obj len		sub: 0 no globals,
 *										1 multi-copy, 2 many
 *										objs, 3 text; snap
 *	ACTIVE_FILTER_EXCL.	requested					snap
 *	WALKER_DRIFTED		phase\0requested		#pinned/#sample	ctx/ctx2 kva arrays
 *	PROJECTION_FAILED	reason / name			idx / count	sub: template
 *	MAP_RENDER_INCOMPLETE			map / error
 */
#ifndef KTSNAP_VIEW_INTERNAL_H
#define KTSNAP_VIEW_INTERNAL_H

#include <string.h>
#include <ktsnap/view.h>
#include "report_internal.h"

/* PROJECTION_FAILED templates */
enum {
	PF_TEXT,
	PF_VAR_RANGE,
	PF_VAR_NONE,
	PF_VARS_RANGE,
	PF_VARS_NONE,
	PF_VARS_EMPTY,
};

/* NO_ACTIVE_SCHEDULER reasons */
enum {
	NAS_NO_GLOBALS,
	NAS_MULTI_COPY,
	NAS_MANY_OBJS,
	NAS_TEXT,
};

/* Start a fresh error of @kind in place (cheap: the text is not cleared). */
static inline void ktsnap_err_init(struct ktsnap_error *e, enum ktsnap_error_kind kind)
{
	memset(e, 0, offsetof(struct ktsnap_error, text));
	e->kind = kind;
	e->text[0] = '\0';
}

/* Copy @s into e->text (cut at the buffer, on a UTF-8 boundary). */
void ktsnap_err_set_text(struct ktsnap_error *e, const char *s);
/* Copy @a and @b as two NUL-separated strings (each may be cut). */
void ktsnap_err_set_text2(struct ktsnap_error *e, const char *a, const char *b);
/* The second string stored by ktsnap_err_set_text2(). */
const char *ktsnap_err_text2(const struct ktsnap_error *e);

/* ---- path.c ---------------------------------------------------------------- */
#define KTSNAP_PTR_HOP_CAP 16

/* Follow Ptr{deref} (at most KTSNAP_PTR_HOP_CAP + 1 times, as the
 * reference does). */
const struct ktsnap_value *ktsnap_peel_ptrs(const struct ktsnap_value *v);
/* Look through Ptr{deref} and Truncated{partial} (arrays, iter_members). */
const struct ktsnap_value *ktsnap_peel_all(const struct ktsnap_value *v);
/* Top-level global lookup: peel pointers, require a Struct, first member
 * named exactly @name (not split). */
const struct ktsnap_value *ktsnap_top_member(const struct ktsnap_value *v, const char *name);
/* §6.8 walk: 0 and *out, or -ENOENT with *err filled. */
int ktsnap_walk(const struct ktsnap_value *root, const char *path,
		const struct ktsnap_value **out, struct ktsnap_error *err);
/* Record walked/component offsets of a path error (shared with JSON). */
void ktsnap_err_set_path(struct ktsnap_error *e, const char *path, size_t walked_len,
			 size_t comp_off, size_t comp_len);

/* ---- view.c helpers used by error.c ------------------------------------------- */
bool ktsnap_map_is_global(const struct ktsnap_map *m);
bool ktsnap_snapshot_admits(const struct ktsnap_snapshot *s, const struct ktsnap_map *m);
/* Length of the obj prefix of a map name (0: no '.'), i.e. text before
 * the first '.'. */
size_t ktsnap_obj_prefix_len(const char *name);
/* Maps named exactly <obj (len bytes)><suffix>. */
size_t ktsnap_obj_section_count(const struct ktsnap_report *r, const char *obj, size_t len,
				const char *suffix);
/* Which list at/find/filter/max_by walk; see view.c. */
enum ktsnap_entry_source {
	SRC_NONE,
	SRC_VALUE,
	SRC_HASH,
	SRC_ARRAY,
	SRC_PERCPU,
	SRC_PERCPU_HASH,
};
enum ktsnap_entry_source ktsnap_entry_source(const struct ktsnap_map *m);

#endif /* KTSNAP_VIEW_INTERNAL_H */
