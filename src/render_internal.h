/* SPDX-License-Identifier: MIT */
/*
 * render: BTF bytes → RenderedValue trees (render.c), and the BTF rules the
 * renderer shares with the JSON plans so both write the same text.
 */
#ifndef KTSNAP_RENDER_INTERNAL_H
#define KTSNAP_RENDER_INTERNAL_H

#include "report_internal.h"

/* Why a live host's non-NULL pointer has no deref (a JSON-safe constant). */
#define KTSNAP_PTR_NOT_FOLLOWED "live host: no kernel-memory reader, pointer not followed"

/*
 * Render @size bytes at @data as BTF type @type_id of @btf into a new
 * value in @r's arena.  Not thread-safe against other arena users of @r:
 * callers hold r->render_lock or own @r exclusively.  NULL on ENOMEM.
 */
const struct ktsnap_value *ktsnap_render(struct ktsnap_report *r, const struct btf *btf,
					 uint32_t type_id, const uint8_t *data, size_t size);

/*
 * Render one entry of @m into arena @a, setting e->key_rv, val_rv and
 * per_cpu.  @e may be a caller's copy of a map entry: the JSON writer
 * renders unrendered maps entry by entry into a scratch arena instead of
 * building the whole tree.  0 or -ENOMEM.
 */
int ktsnap_render_entry(const struct ktsnap_map *m, struct ktsnap_map_entry *e,
			struct ktsnap_arena *a);
/*
 * A copy of @src with only its captured bytes (no rendering pointers), to
 * render into a scratch arena with ktsnap_render_entry().  Reads nothing
 * another thread rendering the map writes.
 */
static inline struct ktsnap_map_entry ktsnap_entry_bytes(const struct ktsnap_map_entry *src)
{
	return (struct ktsnap_map_entry){
		.key = src->key,
		.val = src->val,
		.key_len = src->key_len,
		.val_len = src->val_len,
		.index = src->index,
		.percpu = src->percpu,
		.payload = src->payload,
		.nr_cpus = src->nr_cpus,
	};
}

/*
 * Entry-layout maps with at least this many entries are not rendered
 * whole for a lookup: the views walk them entry by entry in a scratch
 * arena and render only the entries they hand back.  Smaller maps render
 * whole on first access (a few MB at most, and every later lookup is a
 * plain walk).
 */
#define KTSNAP_LAZY_WALK_MIN 8192

/*
 * Entry @i (< nr_entries) of @m with its renderings valid as long as the
 * map's trees (until ktsnap_map_release_rendered): &m->entries[i] when the
 * map is rendered or small (then rendered whole first), else a copy
 * rendered alone into the map's arena under the render lock, the map
 * staying unrendered; asked for the same entry again, the same copy.
 * Past nr_entries / 16 single entries the map is rendered whole instead.
 * Thread-safe; never NULL (out of memory it renders the whole map as
 * ktsnap_map_ensure_rendered() does, with the same error).
 */
const struct ktsnap_map_entry *ktsnap_map_entry_rendered(const struct ktsnap_map *m, uint32_t i);
/* Whether any tree of @m exists: rendered whole or single entries. */
bool ktsnap_map_has_trees(const struct ktsnap_map *m);

/* Whether @m still holds raw bytes waiting to be rendered. */
static inline bool ktsnap_map_is_rendered(const struct ktsnap_map *m)
{
	return atomic_load_explicit(&((struct ktsnap_map *)m)->rendered, memory_order_acquire);
}

/*
 * BTF rules the renderer and the JSON plans must apply identically:
 * peeling typedef/const/volatile/restrict/type_tag (NULL past the
 * KTSNAP_MAX_MODIFIER_DEPTH cap), what an INT renders as, what value an
 * enum's variant has, and which struct names are CPU masks.
 */
const struct btf_type *ktsnap_btf_peel(const struct btf *btf, uint32_t *id);

enum ktsnap_int_shape {
	KTSNAP_INT_BOOL,
	KTSNAP_INT_CHAR,
	KTSNAP_INT_SIGNED,
	KTSNAP_INT_UNSIGNED,
};
enum ktsnap_int_shape ktsnap_btf_int_shape(const struct btf_type *t, unsigned bits,
					   const char *name);
bool ktsnap_btf_is_cpumask(const char *name);
/* Variant @i of the ENUM or ENUM64 @t: its value as rendered values carry
 * it (a 32-bit enum's sign from the kind flag); its name offset in *@name_off. */
int64_t ktsnap_btf_enum_val(const struct btf_type *t, uint32_t i, uint32_t *name_off);

#endif
