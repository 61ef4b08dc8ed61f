/* SPDX-License-Identifier: MIT */
/*
 * Scheduler-stats slot of a stored capture (spec §5.1, §7.4): either the
 * stats JSON the scheduler answered with, or the reason it is missing; and
 * JsonField (§6.10), the typed field surface over that JSON.
 *
 * These are plain value records.  A record filled by hand may point at
 * any memory the caller keeps alive while it is used; the bridge
 * deep-copies what it is given, and records the library hands out are
 * borrowed from their container (a drain) unless a comment says otherwise.
 */
#ifndef KTSNAP_STATS_H
#define KTSNAP_STATS_H

#include <ktsnap/common.h>
#include <ktsnap/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MissingStatsReason variants (spec §7.4). */
enum ktsnap_missing_stats_kind {
	KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY,
	KTSNAP_MISSING_STATS_NO_SCHEDULER, /* reason */
	KTSNAP_MISSING_STATS_DURING_FREEZE,
	KTSNAP_MISSING_STATS_CANCELLED,
	KTSNAP_MISSING_STATS_SCHEDULER_ERROR, /* err, args_json */
	KTSNAP_MISSING_STATS_MISSING_RESP, /* args_json */
	KTSNAP_MISSING_STATS_REQUEST_TOO_LARGE, /* size, max */
	KTSNAP_MISSING_STATS_RESPONSE_TOO_LARGE, /* size, max */
	KTSNAP_MISSING_STATS_MUTEX_POISONED,
};

struct ktsnap_missing_stats {
	enum ktsnap_missing_stats_kind kind;
	const char *reason; /* NO_SCHEDULER (NULL reads as "") */
	int32_t err; /* SCHEDULER_ERROR: the scheduler's errno */
	const char *args_json; /* SCHEDULER_ERROR, MISSING_RESP: compact JSON */
	uint64_t size; /* *_TOO_LARGE */
	uint64_t max; /* *_TOO_LARGE */
};

/* The stats slot: ok → json, else missing. */
struct ktsnap_stats {
	bool ok;
	const char *json; /* ok: compact JSON text of the stats value */
	struct ktsnap_missing_stats missing; /* !ok */
};

/* "NoSchedulerBinary", "NoScheduler", … (variant names).  Static. */
KTSNAP_API const char *ktsnap_missing_stats_kind__name(enum ktsnap_missing_stats_kind kind);

/*
 * The Display text of @m (spec §7.4), e.g. "no scheduler_binary configured
 * for this run", written into @buf as snprintf() does: returns the length
 * of the whole text (excluding the NUL) even when @len was too small, or
 * -EINVAL for a NULL @m or an unknown kind.
 */
KTSNAP_API int ktsnap_missing_stats__format(const struct ktsnap_missing_stats *m, char *buf,
					    size_t len);
/* Same text, heap-allocated; caller frees with free().  NULL + errno. */
KTSNAP_API char *ktsnap_missing_stats__to_string(const struct ktsnap_missing_stats *m);

/* Field-wise equality of two reasons (strings compared by content). */
KTSNAP_API bool ktsnap_missing_stats__equal(const struct ktsnap_missing_stats *a,
					    const struct ktsnap_missing_stats *b);

/* Initialisers for the common cases (no allocation). */
static inline struct ktsnap_stats ktsnap_stats_json(const char *json)
{
	return (struct ktsnap_stats){ .ok = true, .json = json };
}

static inline struct ktsnap_stats ktsnap_stats_missing(enum ktsnap_missing_stats_kind kind)
{
	return (struct ktsnap_stats){ .ok = false, .missing = { .kind = kind } };
}

/*
 * Deep copy of @s in one allocation; caller frees with ktsnap_stats__free().
 * NULL + errno (EINVAL for NULL @s, ENOMEM).
 */
KTSNAP_API struct ktsnap_stats *ktsnap_stats__dup(const struct ktsnap_stats *s);
/* Frees a ktsnap_stats__dup() result.  Accepts NULL. */
KTSNAP_API void ktsnap_stats__free(struct ktsnap_stats *s);
KTSNAP_API bool ktsnap_stats__equal(const struct ktsnap_stats *a, const struct ktsnap_stats *b);

/* ---- JsonField (§6.10) ---------------------------------------------------------------------- */
struct json_object;

enum ktsnap_json_kind {
	KTSNAP_JSON_NULL,
	KTSNAP_JSON_BOOL,
	KTSNAP_JSON_NUMBER,
	KTSNAP_JSON_STRING,
	KTSNAP_JSON_ARRAY,
	KTSNAP_JSON_OBJECT,
};

/*
 * A field of a JSON document (scheduler stats).  Borrowed from the
 * json-c object tree: valid (errors included) while it lives.
 */
struct ktsnap_json_field {
	bool present;
	const struct json_object *value; /* present (NULL = JSON null) */
	struct ktsnap_error err; /* !present */
};

/*
 * The field at @path under @root ("" = root; members of objects, "[i]"
 * for array elements, as in ktsnap_field__get()).  NULL @root: Missing
 * (NotAStruct).
 */
KTSNAP_API struct ktsnap_json_field ktsnap_json_field__from(const struct json_object *root,
							    const char *path);
KTSNAP_API struct ktsnap_json_field ktsnap_json_field__get(struct ktsnap_json_field f,
							   const char *path);
KTSNAP_API bool ktsnap_json_field__is_present(struct ktsnap_json_field f);
KTSNAP_API const struct json_object *ktsnap_json_field__raw(struct ktsnap_json_field f);
KTSNAP_API const struct ktsnap_error *ktsnap_json_field__error(const struct ktsnap_json_field *f);
KTSNAP_API size_t ktsnap_json_field__member_count(struct ktsnap_json_field f);
KTSNAP_API struct ktsnap_json_field ktsnap_json_field__member(struct ktsnap_json_field f, size_t i);
KTSNAP_API int ktsnap_json_field__as_u64(struct ktsnap_json_field f, uint64_t *out,
					 struct ktsnap_error *err);
KTSNAP_API int ktsnap_json_field__as_i64(struct ktsnap_json_field f, int64_t *out,
					 struct ktsnap_error *err);
KTSNAP_API int ktsnap_json_field__as_f64(struct ktsnap_json_field f, double *out,
					 struct ktsnap_error *err);
KTSNAP_API int ktsnap_json_field__as_bool(struct ktsnap_json_field f, bool *out,
					  struct ktsnap_error *err);
/* *out borrowed from the JSON tree. */
KTSNAP_API int ktsnap_json_field__as_str(struct ktsnap_json_field f, const char **out,
					 struct ktsnap_error *err);
KTSNAP_API int ktsnap_json_field__as_u64_array(struct ktsnap_json_field f, uint64_t *out,
					       size_t cap, size_t *n, struct ktsnap_error *err);
KTSNAP_API int ktsnap_json_field__as_u32_array(struct ktsnap_json_field f, uint32_t *out,
					       size_t cap, size_t *n, struct ktsnap_error *err);
KTSNAP_API int ktsnap_json_field__as_i64_array(struct ktsnap_json_field f, int64_t *out, size_t cap,
					       size_t *n, struct ktsnap_error *err);
KTSNAP_API int ktsnap_json_field__as_f64_array(struct ktsnap_json_field f, double *out, size_t cap,
					       size_t *n, struct ktsnap_error *err);
KTSNAP_API int ktsnap_json_field__as_bool_array(struct ktsnap_json_field f, bool *out, size_t cap,
						size_t *n, struct ktsnap_error *err);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_STATS_H */
