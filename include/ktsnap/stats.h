/* SPDX-License-Identifier: MIT */
/*
 * Scheduler-stats slot of a stored capture (spec §5.1, §7.4): either the
 * stats JSON the scheduler answered with, or the reason it is missing.  The
 * typed fields over that JSON (JsonField, §6.10) are struct ktsnap_field
 * of view.h (ktsnap_field__from_json()).
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
/* JSON fields are struct ktsnap_field (view.h): ktsnap_field__from_json()
 * reads the stats JSON, then every ktsnap_field__* function applies. */

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_STATS_H */
