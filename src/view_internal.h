/* SPDX-License-Identifier: MIT */
/*
 * Shared by the view layer: value.c (peeling, dotted-path walk), snapshot.c,
 * view.c, field.c, error.c (error records and their texts), pickers.c and
 * stats_field.c (the JSON side of the field functions).
 *
 * Error records are filled in place (they live inside views): start one
 * with ktsnap_err_init(), then fill the union member named after its kind
 * (error.h) and copy the requested strings with ktsnap_err_set_text*().
 */
#ifndef KTSNAP_VIEW_INTERNAL_H
#define KTSNAP_VIEW_INTERNAL_H

#include <string.h>
#include <ktsnap/view.h>
#include "report_internal.h"

/* Short names for the sub-codes of error.h. */
#define PF_TEXT KTSNAP_ERR_PF_TEXT
#define PF_VAR_RANGE KTSNAP_ERR_PF_VAR_RANGE
#define PF_VAR_NONE KTSNAP_ERR_PF_VAR_NONE
#define PF_VARS_RANGE KTSNAP_ERR_PF_VARS_RANGE
#define PF_VARS_NONE KTSNAP_ERR_PF_VARS_NONE
#define PF_VARS_EMPTY KTSNAP_ERR_PF_VARS_EMPTY
#define NAS_NO_GLOBALS KTSNAP_ERR_NAS_NO_GLOBALS
#define NAS_MULTI_COPY KTSNAP_ERR_NAS_MULTI_COPY
#define NAS_MANY_OBJS KTSNAP_ERR_NAS_MANY_OBJS
#define NAS_TEXT KTSNAP_ERR_NAS_TEXT

/* The mark that ends a cut string copied into an error. */
#define CUT_MARK "…"
#define CUT_MARK_LEN (sizeof(CUT_MARK) - 1)

struct ktsnap_sink;
/* The "walked" path / the "actual" kind of an error, as its text says them
 * (error_format.c; the accessors of error.c use them too). */
void ktsnap_err_put_walked(struct ktsnap_sink *o, const struct ktsnap_error *e);
/* ktsnap_error__format()'s sentence written to @f, whatever its length:
 * its length, or -errno (-EIO: a write failed). */
int ktsnap_error_fprint(const struct ktsnap_error *err, FILE *f);
void ktsnap_err_put_actual(struct ktsnap_sink *o, const struct ktsnap_error *e);

/* Point ktsnap_errmsg() at the fixed text of a view failure of @kind. */
void ktsnap_err_note(enum ktsnap_error_kind kind);

/* Start a fresh error of @kind in place (cheap: the text is not cleared). */
static inline void ktsnap_err_init(struct ktsnap_error *e, enum ktsnap_error_kind kind)
{
	if (kind != KTSNAP_ERR_NONE)
		ktsnap_err_note(kind);
	memset(e, 0, offsetof(struct ktsnap_error, text));
	e->kind = kind;
	e->text[0] = '\0';
}

/* Copy @s into e->text (a cut, on a UTF-8 boundary, ends in "…"). */
void ktsnap_err_set_text(struct ktsnap_error *e, const char *s);
/* Copy @a and @b as two NUL-separated strings (each may be cut, marked). */
void ktsnap_err_set_text2(struct ktsnap_error *e, const char *a, const char *b);
/* The second string stored by ktsnap_err_set_text2(). */
const char *ktsnap_err_text2(const struct ktsnap_error *e);
/* Record the requested path, the walked length and the failing
 * component (@comp_len bytes) of a path error (shared with JSON). */
void ktsnap_err_set_path(struct ktsnap_error *e, const char *path, size_t walked_len,
			 const char *comp, size_t comp_len);

/*
 * Make @e independent of @r's rendered value trees, which the owner is
 * about to drop (ktsnap_map_release_rendered): a FieldNotFound that lists
 * the members of a rendered Struct gets a copy of that member list in
 * @r's arena (names only).  Other kinds borrow nothing from the trees
 * (NoMatch renders its sampled keys again when formatted).  0 or -ENOMEM
 * (then the list is dropped: the error formats with an empty list).
 */
int ktsnap_err_detach(struct ktsnap_error *e, struct ktsnap_report *r);

/* TypeMismatch{expected, actual, requested} into @e (NULL: nothing);
 * returns -EINVAL so callers can "return ktsnap_err_type_mismatch(…)". */
int ktsnap_err_type_mismatch(struct ktsnap_error *e, const char *expected, const char *actual,
			     const char *requested);
/* IndexOutOfRange{map, index, len} into @e (@map borrowed or static). */
void ktsnap_err_index_out_of_range(struct ktsnap_error *e, const char *map, uint64_t index,
				   uint64_t len);
/* A path error of a walk that started @prefix_len bytes into @path: make
 * it name the whole @path (and count the prefix as walked). */
void ktsnap_err_rebase_path(struct ktsnap_error *e, const char *path, size_t prefix_len);
/* MapRenderIncomplete for @m (its name and error text, borrowed). */
void ktsnap_err_render_incomplete(struct ktsnap_error *e, const struct ktsnap_map *m);

/* ---- value.c ------------------------------------------------------------------- */
/* Pointer hops followed before giving up (the reference follows 17). */
#define KTSNAP_PEEL_CAP 17

enum ktsnap_peel {
	KTSNAP_PEEL_PTRS, /* Ptr{deref} only (views, §6.8) */
	KTSNAP_PEEL_ALL, /* also Truncated{partial} (raw layer, arrays) */
};

/* The one peeling rule: follow at most KTSNAP_PEEL_CAP hops. */
const struct ktsnap_value *ktsnap_value_peel(const struct ktsnap_value *v, enum ktsnap_peel how);

static inline const struct ktsnap_value *ktsnap_peel_ptrs(const struct ktsnap_value *v)
{
	return ktsnap_value_peel(v, KTSNAP_PEEL_PTRS);
}

static inline const struct ktsnap_value *ktsnap_peel_all(const struct ktsnap_value *v)
{
	return ktsnap_value_peel(v, KTSNAP_PEEL_ALL);
}

/* Top-level global lookup: peel pointers, require a Struct, first member
 * named exactly @name (not split). */
const struct ktsnap_value *ktsnap_top_member(const struct ktsnap_value *v, const char *name);
/*
 * The dotted-path walk (§6.8): components split at '.', each a member name
 * with optional "[i]" element suffixes (or only suffixes), peeling with
 * @how before each member.  0 and *out, -ENOENT with *err filled (@err may
 * be NULL), -EINVAL for a NULL @root or @path.
 */
int ktsnap_walk(const struct ktsnap_value *root, const char *path, enum ktsnap_peel how,
		const struct ktsnap_value **out, struct ktsnap_error *err);
/* Bytes of the name part of a path component of @len bytes, i.e. without
 * its well-formed "[digits]" suffixes (shared with the JSON walker). */
size_t ktsnap_path_name_len(const char *comp, size_t len);
/* Parse one "[i]" at *p (< @end) and step past it; false when none. */
bool ktsnap_path_next_index(const char **p, const char *end, uint64_t *index);

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

/* Number of entries @src holds for @m. */
static inline size_t ktsnap_entry_source_len(const struct ktsnap_map *m,
					     enum ktsnap_entry_source src)
{
	return src == SRC_NONE ? 0 : src == SRC_VALUE ? 1 : m->nr_entries;
}

/* ---- field.c -------------------------------------------------------------------- */
static inline struct ktsnap_field ktsnap_field_value(const struct ktsnap_value *v)
{
	return (struct ktsnap_field){ .kind = KTSNAP_FIELD_VALUE, .value = v };
}

static inline struct ktsnap_field ktsnap_field_json(const struct json_object *o)
{
	return (struct ktsnap_field){ .kind = KTSNAP_FIELD_JSON, .json = o };
}

/* The field at @path under @root (a path error makes it Missing). */
struct ktsnap_field ktsnap_field_walk(const struct ktsnap_value *root, const char *path);
/* A Missing field: NoRendered for the entry's @side ("key", "value"). */
struct ktsnap_field ktsnap_field_no_rendered(const char *side);

/*
 * The conversion core shared by report fields (field.c) and JSON fields
 * (stats_field.c): each side supplies its element accessor and its four
 * scalar coercions (0, or -EINVAL with *err filled when @err is set).
 */
enum ktsnap_elem_type {
	KTSNAP_ELEM_U64,
	KTSNAP_ELEM_U32,
	KTSNAP_ELEM_I64,
	KTSNAP_ELEM_F64,
	KTSNAP_ELEM_BOOL,
};

/* "[u64]", "[u32]", … (the expected types of array reads) */
extern const char *const ktsnap_elem_type_names[];

struct ktsnap_field_conv {
	const void *(*elem)(const void *arr, size_t i);
	int (*to_u64)(const void *node, uint64_t *out, struct ktsnap_error *err);
	int (*to_i64)(const void *node, int64_t *out, struct ktsnap_error *err);
	int (*to_f64)(const void *node, double *out, struct ktsnap_error *err);
	int (*to_bool)(const void *node, bool *out, struct ktsnap_error *err);
	/* element @i failed: restate *err (NULL: keep the scalar's error) */
	void (*elem_failed)(struct ktsnap_error *err, enum ktsnap_elem_type t, size_t i,
			    const void *node);
};

/* The ops of a side whose coercions are named <p>_to_u64 … <p>_to_bool. */
#define KTSNAP_FIELD_CONV_OPS(p, elem_fn, failed_fn)                                               \
	{                                                                                          \
		.elem = elem_fn, .to_u64 = p##_to_u64, .to_i64 = p##_to_i64, .to_f64 = p##_to_f64, \
		.to_bool = p##_to_bool, .elem_failed = failed_fn                                   \
	}

/* Convert the @len elements of @arr to @t: the first @cap into @out, the
 * count into *n; the first failing element stops with its error. */
int ktsnap_field_conv_array(const struct ktsnap_field_conv *c, const void *arr, size_t len,
			    enum ktsnap_elem_type t, void *out, size_t cap, size_t *n,
			    struct ktsnap_error *err);

/* ---- stats_field.c: the JSON side of the field functions (§6.10) --------------- */
/* The coercions of JSON values (nodes are json_object, NULL = JSON null). */
extern const struct ktsnap_field_conv ktsnap_json_conv;
/* The JSON field at @path under @root (a path error makes it Missing). */
struct ktsnap_field ktsnap_json_walk(const struct json_object *root, const char *path);
/* Elements of a JSON array; 0 for anything else. */
size_t ktsnap_json_len(const struct json_object *o);
/* A JSON string (else TypeMismatch "str"); *out borrowed from the tree. */
int ktsnap_json_as_str(const struct json_object *o, const char **out, struct ktsnap_error *err);
/* A JSON array converted to @t (ktsnap_field_conv_array()), else
 * TypeMismatch "[T]" / the JSON kind. */
int ktsnap_json_as_array(const struct json_object *o, enum ktsnap_elem_type t, void *out,
			 size_t cap, size_t *n, struct ktsnap_error *err);

#endif /* KTSNAP_VIEW_INTERNAL_H */
