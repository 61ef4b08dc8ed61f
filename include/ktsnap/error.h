/* SPDX-License-Identifier: MIT */
/*
 * SnapshotError (spec §7): the typed failure of every view lookup.
 *
 * An error is a plain value: copy it, keep it, compare it, format it; it
 * never needs freeing.  Strings the lookup was given (the requested path
 * or name, tags, reasons) are copied into the record, cut at
 * KTSNAP_ERROR_TEXT_MAX bytes.  Everything else — map and member names,
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
#include <ktsnap/stats.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ktsnap_report;

enum ktsnap_error_kind {
	KTSNAP_ERR_NONE,
	KTSNAP_ERR_MAP_NOT_FOUND,		/* requested, available[] */
	KTSNAP_ERR_VAR_NOT_FOUND,		/* requested, available[] */
	KTSNAP_ERR_AMBIGUOUS_VAR,		/* requested, found_in[] */
	KTSNAP_ERR_FIELD_NOT_FOUND,		/* requested, walked, component, available[] */
	KTSNAP_ERR_NOT_A_STRUCT,		/* requested, walked, component, kind */
	KTSNAP_ERR_TYPE_MISMATCH,		/* expected, actual, requested */
	KTSNAP_ERR_INDEX_OUT_OF_RANGE,		/* map, index, len */
	KTSNAP_ERR_PER_CPU_SLOT,		/* map, cpu, len, unmapped */
	KTSNAP_ERR_NO_MATCH,			/* map, op, len, available_keys[] */
	KTSNAP_ERR_EMPTY_PATH_COMPONENT,	/* requested */
	KTSNAP_ERR_PER_CPU_NOT_NARROWED,	/* map */
	KTSNAP_ERR_NO_RENDERED,			/* map, side */
	KTSNAP_ERR_PLACEHOLDER_SAMPLE,		/* tag, reason */
	KTSNAP_ERR_MISSING_STATS,		/* tag, reason */
	KTSNAP_ERR_HOST_FIELD_UNAVAILABLE,	/* tag, cpu */
	KTSNAP_ERR_PLACEHOLDER_SNAPSHOT,	/* tag? */
	KTSNAP_ERR_NO_ACTIVE_SCHEDULER,		/* reason */
	KTSNAP_ERR_ACTIVE_FILTER_EXCLUDED_MAPS,	/* requested, active_obj, excluded, whitelist */
	KTSNAP_ERR_WALKER_DRIFTED_WITHIN_PHASE,	/* phase, pinned_kvas, sample_kvas, requested */
	KTSNAP_ERR_PROJECTION_FAILED,		/* reason */
	KTSNAP_ERR_MAP_RENDER_INCOMPLETE,	/* map, error */
};

/* Snapshot view (see view.h); embedded in errors to enumerate lazily. */
struct ktsnap_snapshot {
	const struct ktsnap_report *report;
	const char *name;	/* for messages; borrowed; NULL: unnamed */
	/* active filter (private): obj prefix (obj_len bytes, not
	 * NUL-terminated) and the KVA whitelist, both borrowed from report */
	const char *obj;
	uint32_t obj_len;
	const uint64_t *kvas;
	size_t nr_kvas;
};

#define KTSNAP_ERROR_TEXT_MAX 128

struct ktsnap_error {
	enum ktsnap_error_kind kind;
	/* private */
	uint32_t sub;
	struct ktsnap_snapshot snap;
	const void *ctx;
	const void *ctx2;
	const char *s1;
	const char *s2;
	uint64_t n1, n2, n3;
	uint16_t off[4];
	char text[KTSNAP_ERROR_TEXT_MAX];
};

/* @err's kind; KTSNAP_ERR_NONE for NULL. */
KTSNAP_API enum ktsnap_error_kind ktsnap_error__kind(const struct ktsnap_error *err);
/* "MapNotFound", "VarNotFound", … (the spec's variant names).  Static. */
KTSNAP_API const char *ktsnap_error_kind__name(enum ktsnap_error_kind kind);

/*
 * The Display text of @err (spec §7) into @buf, snprintf semantics: the
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
 * KTSNAP_ERROR_TEXT_MAX bytes in total).
 */
KTSNAP_API struct ktsnap_error ktsnap_error__placeholder_snapshot(const char *tag /* NULL: none */);
KTSNAP_API struct ktsnap_error ktsnap_error__placeholder_sample(const char *tag,
								const char *reason);
KTSNAP_API struct ktsnap_error ktsnap_error__missing_stats(const char *tag,
							   const struct ktsnap_missing_stats *reason);
KTSNAP_API struct ktsnap_error ktsnap_error__host_field_unavailable(const char *tag,
								    uint32_t cpu);
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
