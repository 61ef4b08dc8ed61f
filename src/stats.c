// SPDX-License-Identifier: MIT
/* The scheduler-stats slot of a capture and MissingStatsReason (spec §7.4). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/stats.h>

#include "log_internal.h"
#include "util_internal.h"

static const char *const kind_names[] = {
	[KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY] = "NoSchedulerBinary",
	[KTSNAP_MISSING_STATS_NO_SCHEDULER] = "NoScheduler",
	[KTSNAP_MISSING_STATS_DURING_FREEZE] = "DuringFreeze",
	[KTSNAP_MISSING_STATS_CANCELLED] = "Cancelled",
	[KTSNAP_MISSING_STATS_SCHEDULER_ERROR] = "SchedulerError",
	[KTSNAP_MISSING_STATS_MISSING_RESP] = "MissingResp",
	[KTSNAP_MISSING_STATS_REQUEST_TOO_LARGE] = "RequestTooLarge",
	[KTSNAP_MISSING_STATS_RESPONSE_TOO_LARGE] = "ResponseTooLarge",
	[KTSNAP_MISSING_STATS_MUTEX_POISONED] = "MutexPoisoned",
};

#define NR_KINDS (sizeof(kind_names) / sizeof(kind_names[0]))

const char *ktsnap_missing_stats_kind__name(enum ktsnap_missing_stats_kind kind)
{
	if ((size_t)kind >= NR_KINDS)
		return "Unknown";
	return kind_names[kind];
}

static const char *str_or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

int ktsnap_missing_stats__format(const struct ktsnap_missing_stats *m, char *buf, size_t len)
{
	if (!m)
		return ktsnap_fail(-EINVAL, "MissingStatsReason format needs a reason");
	if (!buf)
		len = 0;

	switch (m->kind) {
	case KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY:
		return snprintf(buf, len, "no scheduler_binary configured for this run");
	case KTSNAP_MISSING_STATS_NO_SCHEDULER:
		return snprintf(buf, len, "guest relay reports no scheduler: %s",
				str_or(m->reason, ""));
	case KTSNAP_MISSING_STATS_DURING_FREEZE:
		return snprintf(
			buf, len,
			"stats request cancelled \u2014 freeze coordinator paused the scheduler");
	case KTSNAP_MISSING_STATS_CANCELLED:
		return snprintf(
			buf, len,
			"stats request cancelled \u2014 run-wide cancel flag was set (watchdog or shutdown)");
	case KTSNAP_MISSING_STATS_SCHEDULER_ERROR:
		return snprintf(buf, len, "scheduler returned errno=%" PRId32 " (args=%s)", m->err,
				str_or(m->args_json, "null"));
	case KTSNAP_MISSING_STATS_MISSING_RESP:
		return snprintf(buf, len, "scheduler envelope missing 'resp' key (args=%s)",
				str_or(m->args_json, "null"));
	case KTSNAP_MISSING_STATS_REQUEST_TOO_LARGE:
		return snprintf(buf, len,
				"stats request %" PRIu64 " bytes exceeds %" PRIu64 "-byte cap",
				m->size, m->max);
	case KTSNAP_MISSING_STATS_RESPONSE_TOO_LARGE:
		return snprintf(buf, len,
				"stats response %" PRIu64 " bytes exceeds %" PRIu64 "-byte cap",
				m->size, m->max);
	case KTSNAP_MISSING_STATS_MUTEX_POISONED:
		return snprintf(buf, len, "stats client response mutex was poisoned");
	}
	return ktsnap_fail(-EINVAL, "unknown MissingStatsReason kind %d", (int)m->kind);
}

char *ktsnap_missing_stats__to_string(const struct ktsnap_missing_stats *m)
{
	int n = ktsnap_missing_stats__format(m, NULL, 0);
	char *s;

	if (n < 0)
		return ktsnap_err_ptr(n); /* the format recorded the detail */
	s = malloc((size_t)n + 1);
	if (!s)
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	ktsnap_missing_stats__format(m, s, (size_t)n + 1);
	return s;
}

bool ktsnap_missing_stats__equal(const struct ktsnap_missing_stats *a,
				 const struct ktsnap_missing_stats *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case KTSNAP_MISSING_STATS_NO_SCHEDULER:
		return ktsnap_str_eq(str_or(a->reason, ""), str_or(b->reason, ""));
	case KTSNAP_MISSING_STATS_SCHEDULER_ERROR:
		return a->err == b->err && ktsnap_str_eq(a->args_json, b->args_json);
	case KTSNAP_MISSING_STATS_MISSING_RESP:
		return ktsnap_str_eq(a->args_json, b->args_json);
	case KTSNAP_MISSING_STATS_REQUEST_TOO_LARGE:
	case KTSNAP_MISSING_STATS_RESPONSE_TOO_LARGE:
		return a->size == b->size && a->max == b->max;
	default:
		return true;
	}
}

bool ktsnap_stats__equal(const struct ktsnap_stats *a, const struct ktsnap_stats *b)
{
	if (!a || !b)
		return a == b;
	if (a->ok != b->ok)
		return false;
	if (a->ok)
		return ktsnap_str_eq(a->json, b->json);
	return ktsnap_missing_stats__equal(&a->missing, &b->missing);
}

/* Copy @s into @p (advancing it) when non-NULL; returns the copy. */
static const char *pack_str(char **p, const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = *p;
	memcpy(d, s, n);
	*p += n;
	return d;
}

struct ktsnap_stats *ktsnap_stats__dup(const struct ktsnap_stats *s)
{
	const char *strs[3];
	struct ktsnap_stats *d;
	size_t need = sizeof(*d), i;
	char *p;

	if (!s)
		return ktsnap_fail_ptr(-EINVAL, "NULL stats");
	strs[0] = s->ok ? s->json : NULL;
	strs[1] = s->ok ? NULL : s->missing.reason;
	strs[2] = s->ok ? NULL : s->missing.args_json;
	for (i = 0; i < 3; i++)
		if (strs[i])
			need += strlen(strs[i]) + 1;

	d = malloc(need);
	if (!d)
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	*d = *s;
	p = (char *)(d + 1);
	if (s->ok) {
		memset(&d->missing, 0, sizeof(d->missing));
		d->json = pack_str(&p, strs[0]);
	} else {
		d->json = NULL;
		d->missing.reason = pack_str(&p, strs[1]);
		d->missing.args_json = pack_str(&p, strs[2]);
	}
	return d;
}

void ktsnap_stats__free(struct ktsnap_stats *s)
{
	free(s);
}
