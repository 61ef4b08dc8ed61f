/* SPDX-License-Identifier: MIT */
/*
 * What changed between two reports ("before" and "after" captures).
 *
 * Maps are paired by name (and, among same-name copies, by equal map id
 * first, then in order); entries by key (raw key bytes for hash maps, the
 * index for arrays).  A key listed more than once (a map read while it
 * changed) pairs in order of appearance: the first copy in @a with the
 * first in @b, and so on; the surplus of either side is removed or added.
 * The work stays linear in the number of entries.  Rendered values are compared member by member and
 * every differing scalar becomes one item with its dotted path
 * ("ctx.weight", "tag[2]", "per_cpu[1].nr_switches"; pointers are looked
 * through; char arrays compare as one string).  Numbers of the same kind
 * carry their delta.  Map properties (shape, error text, ring buffer
 * positions, stack-trace and fd-array counts) are compared too.
 */
#ifndef KTSNAP_DIFF_H
#define KTSNAP_DIFF_H

#include <stdio.h>
#include <ktsnap/report.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ktsnap_diff;

enum ktsnap_diff_op {
	KTSNAP_DIFF_MAP_ADDED, /* map only in the second report */
	KTSNAP_DIFF_MAP_REMOVED, /* map only in the first report */
	KTSNAP_DIFF_MAP_CHANGED, /* a map property (path names it) */
	KTSNAP_DIFF_ENTRY_ADDED, /* key only in the second report */
	KTSNAP_DIFF_ENTRY_REMOVED, /* key only in the first report */
	KTSNAP_DIFF_VALUE_CHANGED, /* a scalar inside an entry / value */
};

struct ktsnap_diff_item {
	enum ktsnap_diff_op op;
	const char *map; /* map name */
	/* entry key as displayed ("100", "kt_lru_key{pid=1}", "hex:01 00");
	 * NULL for map-level items and single-value maps */
	const char *key;
	/* dotted path of the change inside the value or the map ("" = the
	 * value itself); NULL for added / removed items */
	const char *path;
	/* the two sides (VALUE_CHANGED; MAP_CHANGED numbers): NULL when a
	 * side is absent (or not a value, e.g. an error text) */
	const struct ktsnap_value *old_value;
	const struct ktsnap_value *new_value;
	/* one-line renderings of both sides (NULL: absent) */
	const char *old_text;
	const char *new_text;
	/* numbers of the same kind: new - old */
	bool has_delta;
	bool delta_is_float;
	bool delta_negative; /* integer delta is -delta */
	uint64_t delta; /* integer magnitude */
	double fdelta; /* float delta */
};

/*
 * Compare @a (before) with @b (after).  Caller frees with
 * ktsnap_diff__free(), which must happen before @a and @b are freed (items
 * borrow names and values from them).  NULL + errno (EINVAL, ENOMEM).
 */
KTSNAP_API struct ktsnap_diff *ktsnap_diff__new(const struct ktsnap_report *a,
						const struct ktsnap_report *b);
/* Accepts NULL. */
KTSNAP_API void ktsnap_diff__free(struct ktsnap_diff *d);

KTSNAP_API size_t ktsnap_diff__count(const struct ktsnap_diff *d);
/* Borrowed from @d; NULL + ERANGE past the end.  Items come map by map in
 * the first report's order, maps only in the second report last. */
KTSNAP_API const struct ktsnap_diff_item *ktsnap_diff__item(const struct ktsnap_diff *d, size_t i);
/* First VALUE_CHANGED / MAP_CHANGED item of @map with exactly @path
 * (@key NULL: any key); NULL when nothing changed there.  Borrowed. */
KTSNAP_API const struct ktsnap_diff_item *
ktsnap_diff__find(const struct ktsnap_diff *d, const char *map, const char *key, const char *path);

/*
 * Human form: one block per map that changed, each changed scalar as
 * "path: old → new (+delta)".  0 or -EIO.
 */
KTSNAP_API int ktsnap_diff__write_text(const struct ktsnap_diff *d, FILE *f);
/*
 * JSON form: {"summary":{…},"changes":[{"op":…,"map":…,"key":…,"path":…,
 * "old":…,"new":…,"delta":…},…]} where old/new are RenderedValue objects
 * (or strings for texts).  Flags as ktsnap_report__write_json().
 */
KTSNAP_API int ktsnap_diff__write_json(const struct ktsnap_diff *d, FILE *f, unsigned int flags);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_DIFF_H */
