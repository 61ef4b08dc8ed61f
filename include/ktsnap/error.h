/* SPDX-License-Identifier: MIT */
/*
 * SnapshotError (spec §7): the typed failure of every view lookup.
 *
 * An error is a plain value: copy it, keep it, compare it, format it; it
 * never needs freeing.  Strings the lookup was given (the requested path
 * or name, tags, reasons) are copied into the record; together they are
 * kept to KTSNAP_ERROR_TEXT_MAX bytes, and a string cut to fit ends in
 * "…" (the rest of the sentence is always there).  Everything else — map and member names,
 * the lists of alternatives ("captured maps", "members at this depth",
 * the sampled keys of NoMatch …) — is borrowed from the report (or the
 * JSON document) the lookup ran on and only enumerated when the error is
 * formatted.  So: format or inspect an error only while that report is
 * alive.  Errors made by the ktsnap_error__* constructors below borrow
 * nothing except where their comment says so.
 *
 * Fields of struct ktsnap_error are private; use the accessors.
 */
#ifndef KTSNAP_ERROR_H
#define KTSNAP_ERROR_H

#include <ktsnap/common.h>
#include <ktsnap/snapshot.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ktsnap_report;
struct ktsnap_map;
struct ktsnap_missing_stats;

enum ktsnap_error_kind {
	KTSNAP_ERR_NONE,
	KTSNAP_ERR_MAP_NOT_FOUND, /* requested, available[] */
	KTSNAP_ERR_VAR_NOT_FOUND, /* requested, available[] */
	KTSNAP_ERR_AMBIGUOUS_VAR, /* requested, found_in[] */
	KTSNAP_ERR_FIELD_NOT_FOUND, /* requested, walked, component, available[] */
	KTSNAP_ERR_NOT_A_STRUCT, /* requested, walked, component, kind */
	KTSNAP_ERR_TYPE_MISMATCH, /* expected, actual, requested */
	KTSNAP_ERR_INDEX_OUT_OF_RANGE, /* map, index, len */
	KTSNAP_ERR_PER_CPU_SLOT, /* map, cpu, len, unmapped */
	KTSNAP_ERR_NO_MATCH, /* map, op, len, available_keys[] */
	KTSNAP_ERR_EMPTY_PATH_COMPONENT, /* requested */
	KTSNAP_ERR_PER_CPU_NOT_NARROWED, /* map */
	KTSNAP_ERR_NO_RENDERED, /* map, side */
	KTSNAP_ERR_PLACEHOLDER_SAMPLE, /* tag, reason */
	KTSNAP_ERR_MISSING_STATS, /* tag, reason */
	KTSNAP_ERR_HOST_FIELD_UNAVAILABLE, /* tag, cpu */
	KTSNAP_ERR_PLACEHOLDER_SNAPSHOT, /* tag? */
	KTSNAP_ERR_NO_ACTIVE_SCHEDULER, /* reason */
	KTSNAP_ERR_ACTIVE_FILTER_EXCLUDED_MAPS, /* requested, active_obj, excluded, whitelist */
	KTSNAP_ERR_WALKER_DRIFTED_WITHIN_PHASE, /* phase, pinned_kvas, sample_kvas, requested */
	KTSNAP_ERR_PROJECTION_FAILED, /* reason */
	KTSNAP_ERR_MAP_RENDER_INCOMPLETE, /* map, error */
};

#define KTSNAP_ERROR_TEXT_MAX 256

/* Sub-codes of the private per-kind records below. */
enum ktsnap_err_members_of { /* FieldNotFound: what "members" lists */
			     KTSNAP_ERR_MEMBERS_OF_VALUE, /* a rendered Struct value */
			     KTSNAP_ERR_MEMBERS_OF_JSON, /* a JSON object (stats fields) */
};
enum ktsnap_err_actual_form { /* TypeMismatch: how "actual" reads */
			      KTSNAP_ERR_ACTUAL_PLAIN, /* the variant name */
			      KTSNAP_ERR_ACTUAL_ARRAY_ELEM, /* Array[index]=<variant> */
			      KTSNAP_ERR_ACTUAL_TRUNCATED, /* Truncated(partial=<variant>) */
};
enum ktsnap_err_var_list { /* VarNotFound: what "available" lists */
			   KTSNAP_ERR_VAR_LIST_MEMBERS, /* top-level globals, sorted */
			   KTSNAP_ERR_VAR_LIST_MAPS, /* global-section map names */
};
enum ktsnap_err_nas_reason { /* NoActiveScheduler */
			     KTSNAP_ERR_NAS_NO_GLOBALS,
			     KTSNAP_ERR_NAS_MULTI_COPY,
			     KTSNAP_ERR_NAS_MANY_OBJS,
			     KTSNAP_ERR_NAS_TEXT, /* free text (the constructor's reason) */
};
enum ktsnap_err_pf_template { /* ProjectionFailed */
			      KTSNAP_ERR_PF_TEXT,
			      KTSNAP_ERR_PF_VAR_RANGE,
			      KTSNAP_ERR_PF_VAR_NONE,
			      KTSNAP_ERR_PF_VARS_RANGE,
			      KTSNAP_ERR_PF_VARS_NONE,
			      KTSNAP_ERR_PF_VARS_EMPTY,
};

/*
 * An error record.  Only @kind is public; everything else is private and
 * read through the accessors below.
 *
 * ABI policy: views (error.h, view.h) are returned by value, so the size
 * of this struct is part of the ABI.  The union is padded to a fixed
 * size (KTSNAP_ERROR_PRIVATE_SIZE) so new kinds and new fields fit
 * without changing sizeof(struct ktsnap_error); growing past it is an
 * ABI break and needs a new soname.
 *
 * Copied strings (requested paths and names, tags, reasons) live in
 * @text, at most KTSNAP_ERROR_TEXT_MAX bytes for all of them together; a
 * string that does not fit is cut on a UTF-8 boundary and ends in "…".
 * The formatted sentence is always complete: only the copied strings
 * inside it may carry the mark.
 */
#define KTSNAP_ERROR_PRIVATE_SIZE 128

struct ktsnap_error {
	enum ktsnap_error_kind kind;
	/* ---- private ---- */
	union {
		struct { /* MAP_NOT_FOUND, AMBIGUOUS_VAR, */
			struct ktsnap_snapshot snap; /* ACTIVE_FILTER_EXCLUDED_MAPS */
		} lookup;
		struct { /* VAR_NOT_FOUND */
			struct ktsnap_snapshot snap;
			enum ktsnap_err_var_list list;
		} var_not_found;
		struct { /* FIELD_NOT_FOUND, NOT_A_STRUCT */
			size_t walked_len; /* bytes of the requested path walked */
			size_t kept_len; /* bytes of the path kept in text */
			const void *members; /* FIELD_NOT_FOUND: where it looked */
			enum ktsnap_err_members_of members_of;
			const char *got; /* NOT_A_STRUCT: the kind found */
		} path;
		struct { /* TYPE_MISMATCH */
			const char *expected;
			const char *actual;
			uint64_t index; /* ARRAY_ELEM */
			enum ktsnap_err_actual_form form;
		} type_mismatch;
		struct { /* INDEX_OUT_OF_RANGE */
			const char *map;
			uint64_t index, len;
		} index_out_of_range;
		struct { /* PER_CPU_SLOT */
			const char *map;
			uint64_t cpu, len;
			bool unmapped;
		} per_cpu_slot;
		struct { /* NO_MATCH */
			const char *map;
			const char *op;
			uint64_t len;
			uint32_t nr_keys; /* keys to sample from keys_of */
			const struct ktsnap_map *keys_of;
		} no_match;
		struct { /* PER_CPU_NOT_NARROWED */
			const char *map;
		} per_cpu_not_narrowed;
		struct { /* NO_RENDERED */
			const char *map;
			const char *side;
		} no_rendered;
		struct { /* HOST_FIELD_UNAVAILABLE */
			uint64_t cpu;
		} host_field_unavailable;
		struct { /* PLACEHOLDER_SNAPSHOT */
			bool has_tag;
		} placeholder_snapshot;
		struct { /* NO_ACTIVE_SCHEDULER */
			struct ktsnap_snapshot snap;
			enum ktsnap_err_nas_reason reason;
			const char *obj; /* MULTI_COPY: obj prefix */
			size_t obj_len;
		} no_active_scheduler;
		struct { /* WALKER_DRIFTED_WITHIN_PHASE */
			const uint64_t *pinned;
			size_t nr_pinned;
			const uint64_t *sample;
			size_t nr_sample;
		} walker_drifted;
		struct { /* PROJECTION_FAILED */
			enum ktsnap_err_pf_template tmpl;
			uint64_t index, count;
		} projection_failed;
		struct { /* MAP_RENDER_INCOMPLETE */
			const char *map;
			const char *error;
		} map_render_incomplete;
		unsigned char reserved[KTSNAP_ERROR_PRIVATE_SIZE];
	} u;
	/*
	 * Copied strings: one or two NUL-terminated strings back to back
	 * (requested / component, tag / reason, phase / requested).
	 */
	char text[KTSNAP_ERROR_TEXT_MAX];
};

/* @err's kind; KTSNAP_ERR_NONE for NULL. */
KTSNAP_API enum ktsnap_error_kind ktsnap_error__kind(const struct ktsnap_error *err);
/* "MapNotFound", "VarNotFound", … (the spec's variant names).  Static. */
KTSNAP_API const char *ktsnap_error_kind__name(enum ktsnap_error_kind kind);

/*
 * The Display text of @err (spec §7) into @buf, snprintf semantics: the
 * spec's sentence byte for byte; where it names the reference's API
 * (Snapshot::live_var, .cpu(N), pickers::…) it is followed by
 * " (C: ktsnap_snapshot__live_var(), …)" naming the C functions.  The
 * return value is the length of the whole text even when @size was too
 * small; -EINVAL for NULL @err or KTSNAP_ERR_NONE.
 */
KTSNAP_API int ktsnap_error__format(const struct ktsnap_error *err, char *buf, size_t size);

/* Same kind and same formatted text (errors are values; spec F109). */
KTSNAP_API bool ktsnap_error__equal(const struct ktsnap_error *a, const struct ktsnap_error *b);

/*
 * Structured fields.  Strings are written into @buf (snprintf
 * semantics; -ENOENT when @err's kind has no such field).
 *	requested:  MapNotFound, VarNotFound, AmbiguousVar, FieldNotFound,
 *		    NotAStruct, TypeMismatch, EmptyPathComponent,
 *		    ActiveFilterExcludedMaps, WalkerDriftedWithinPhase
 *	walked, component: FieldNotFound, NotAStruct
 *	map:	    IndexOutOfRange, PerCpuSlot, NoMatch, PerCpuNotNarrowed,
 *		    NoRendered, MapRenderIncomplete
 */
KTSNAP_API int ktsnap_error__requested(const struct ktsnap_error *err, char *buf, size_t size);
KTSNAP_API int ktsnap_error__walked(const struct ktsnap_error *err, char *buf, size_t size);
KTSNAP_API int ktsnap_error__component(const struct ktsnap_error *err, char *buf, size_t size);
/* Borrowed (report or static); NULL when the kind has none. */
KTSNAP_API const char *ktsnap_error__map(const struct ktsnap_error *err);
/* TypeMismatch expected / NotAStruct kind / NoMatch op / NoRendered side;
 * static or borrowed; NULL when the kind has none. */
KTSNAP_API const char *ktsnap_error__expected(const struct ktsnap_error *err);
/* TypeMismatch actual into @buf (snprintf semantics; -ENOENT otherwise). */
KTSNAP_API int ktsnap_error__actual(const struct ktsnap_error *err, char *buf, size_t size);
/* IndexOutOfRange index / PerCpuSlot cpu / HostFieldUnavailable cpu. */
KTSNAP_API uint64_t ktsnap_error__index(const struct ktsnap_error *err);
/* IndexOutOfRange, PerCpuSlot, NoMatch len. */
KTSNAP_API uint64_t ktsnap_error__len(const struct ktsnap_error *err);
/* PerCpuSlot: true when the slot exists but is unmapped. */
KTSNAP_API bool ktsnap_error__unmapped(const struct ktsnap_error *err);

/*
 * Constructors for the variants produced outside the views (sample
 * series, temporal patterns, scenario code).  Strings are copied (cut at
 * KTSNAP_ERROR_TEXT_MAX bytes in total, a cut marked with "…").
 */
KTSNAP_API struct ktsnap_error ktsnap_error__placeholder_snapshot(const char *tag /* NULL: none */);
KTSNAP_API struct ktsnap_error ktsnap_error__placeholder_sample(const char *tag,
								const char *reason);
KTSNAP_API struct ktsnap_error
ktsnap_error__missing_stats(const char *tag, const struct ktsnap_missing_stats *reason);
KTSNAP_API struct ktsnap_error ktsnap_error__host_field_unavailable(const char *tag, uint32_t cpu);
KTSNAP_API struct ktsnap_error ktsnap_error__projection_failed(const char *reason);
KTSNAP_API struct ktsnap_error ktsnap_error__no_active_scheduler(const char *reason);
/*
 * @pinned / @sample are borrowed: they must outlive the error.  @phase is
 * the phase's debug rendering, copied.
 */
KTSNAP_API struct ktsnap_error
ktsnap_error__walker_drifted_within_phase(const char *phase, const char *requested,
					  const uint64_t *pinned, size_t nr_pinned,
					  const uint64_t *sample, size_t nr_sample);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_ERROR_H */
