// SPDX-License-Identifier: MIT
/*
 * SnapshotError records (spec §7): constructors, accessors and the
 * in-place fillers the views use (the Display texts are error_format.c's).  Copied strings are kept
 * in the record's text buffer, cut with a "…" mark when they do not fit;
 * lists of alternatives are not stored but enumerated from the report (or
 * JSON tree) when formatting, so an error costs nothing until somebody
 * reads it.  Texts that name the reference's Rust API end with the C names.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <ktsnap/display.h>
#include <ktsnap/error.h>
#include "log_internal.h"
#include "view_internal.h"
#include "sink_internal.h"

_Static_assert(sizeof(((struct ktsnap_error *)0)->u) == KTSNAP_ERROR_PRIVATE_SIZE,
	       "a per-kind record outgrew the reserved size (ABI)");

/* ---- text buffer -------------------------------------------------------------- */

/* Bytes of @s that fit in @room without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t n, size_t room)
{
	if (n <= room)
		return n;
	n = room;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/*
 * Copy @s (@n bytes) into @dst, at most @room bytes plus a NUL; a string
 * that does not fit is cut on a UTF-8 boundary and ends in CUT_MARK.
 * Returns the bytes of @s kept (without the mark).
 */
static size_t copy_marked(char *dst, const char *s, size_t n, size_t room)
{
	size_t k;

	if (n <= room) {
		memcpy(dst, s, n);
		dst[n] = '\0';
		return n;
	}
	k = utf8_cut(s, n, room > CUT_MARK_LEN ? room - CUT_MARK_LEN : 0);
	memcpy(dst, s, k);
	memcpy(dst + k, CUT_MARK, CUT_MARK_LEN + 1);
	return k;
}

/* Split @room bytes between strings of @la and @lb bytes. */
static void share_room(size_t *la, size_t *lb, size_t room)
{
	if (*la + *lb <= room)
		return;
	if (*lb < room / 2)
		*la = room - *lb;
	else if (*la < room / 2)
		*lb = room - *la;
	else
		*la = *lb = room / 2;
}

void ktsnap_err_set_text(struct ktsnap_error *e, const char *s)
{
	s = s ? s : "";
	copy_marked(e->text, s, strlen(s), KTSNAP_ERROR_TEXT_MAX - 1);
}

/* Store @a (@na bytes) and @b (@nb) back to back; returns the bytes of @a kept. */
static size_t set_text2n(struct ktsnap_error *e, const char *a, size_t na, const char *b, size_t nb)
{
	size_t ra = na, rb = nb, ka;

	share_room(&ra, &rb, KTSNAP_ERROR_TEXT_MAX - 2);
	ka = copy_marked(e->text, a, na, ra);
	copy_marked(e->text + strlen(e->text) + 1, b, nb, rb);
	return ka;
}

void ktsnap_err_set_text2(struct ktsnap_error *e, const char *a, const char *b)
{
	a = a ? a : "";
	b = b ? b : "";
	set_text2n(e, a, strlen(a), b, strlen(b));
}

const char *ktsnap_err_text2(const struct ktsnap_error *e)
{
	return e->text + strlen(e->text) + 1;
}

void ktsnap_err_set_path(struct ktsnap_error *e, const char *path, size_t walked_len,
			 const char *comp, size_t comp_len)
{
	e->u.path.walked_len = walked_len;
	e->u.path.kept_len = set_text2n(e, path, strlen(path), comp, comp_len);
}

/* ---- accessors ------------------------------------------------------------------------------- */
enum ktsnap_error_kind ktsnap_error__kind(const struct ktsnap_error *err)
{
	return err ? err->kind : KTSNAP_ERR_NONE;
}

static const char *const kind_names[] = {
	[KTSNAP_ERR_NONE] = "None",
	[KTSNAP_ERR_MAP_NOT_FOUND] = "MapNotFound",
	[KTSNAP_ERR_VAR_NOT_FOUND] = "VarNotFound",
	[KTSNAP_ERR_AMBIGUOUS_VAR] = "AmbiguousVar",
	[KTSNAP_ERR_FIELD_NOT_FOUND] = "FieldNotFound",
	[KTSNAP_ERR_NOT_A_STRUCT] = "NotAStruct",
	[KTSNAP_ERR_TYPE_MISMATCH] = "TypeMismatch",
	[KTSNAP_ERR_INDEX_OUT_OF_RANGE] = "IndexOutOfRange",
	[KTSNAP_ERR_PER_CPU_SLOT] = "PerCpuSlot",
	[KTSNAP_ERR_NO_MATCH] = "NoMatch",
	[KTSNAP_ERR_EMPTY_PATH_COMPONENT] = "EmptyPathComponent",
	[KTSNAP_ERR_PER_CPU_NOT_NARROWED] = "PerCpuNotNarrowed",
	[KTSNAP_ERR_NO_RENDERED] = "NoRendered",
	[KTSNAP_ERR_PLACEHOLDER_SAMPLE] = "PlaceholderSample",
	[KTSNAP_ERR_MISSING_STATS] = "MissingStats",
	[KTSNAP_ERR_HOST_FIELD_UNAVAILABLE] = "HostFieldUnavailable",
	[KTSNAP_ERR_PLACEHOLDER_SNAPSHOT] = "PlaceholderSnapshot",
	[KTSNAP_ERR_NO_ACTIVE_SCHEDULER] = "NoActiveScheduler",
	[KTSNAP_ERR_ACTIVE_FILTER_EXCLUDED_MAPS] = "ActiveFilterExcludedMaps",
	[KTSNAP_ERR_WALKER_DRIFTED_WITHIN_PHASE] = "WalkerDriftedWithinPhase",
	[KTSNAP_ERR_PROJECTION_FAILED] = "ProjectionFailed",
	[KTSNAP_ERR_MAP_RENDER_INCOMPLETE] = "MapRenderIncomplete",
};

/*
 * What ktsnap_errmsg() says after a view fails: the kind, and where the
 * detail is.  Fixed texts, so a failing lookup in a hot loop formats
 * nothing; the sentence itself is ktsnap_error__format()'s.
 */
#define VIEW_ERRMSG(kind)                                                   \
	[KTSNAP_ERR_##kind] = "view failed (" #kind "): format its struct " \
			      "ktsnap_error with ktsnap_error__format() for the whole sentence"
static const char *const view_errmsgs[] = {
	VIEW_ERRMSG(MAP_NOT_FOUND),
	VIEW_ERRMSG(VAR_NOT_FOUND),
	VIEW_ERRMSG(AMBIGUOUS_VAR),
	VIEW_ERRMSG(FIELD_NOT_FOUND),
	VIEW_ERRMSG(NOT_A_STRUCT),
	VIEW_ERRMSG(TYPE_MISMATCH),
	VIEW_ERRMSG(INDEX_OUT_OF_RANGE),
	VIEW_ERRMSG(PER_CPU_SLOT),
	VIEW_ERRMSG(NO_MATCH),
	VIEW_ERRMSG(EMPTY_PATH_COMPONENT),
	VIEW_ERRMSG(PER_CPU_NOT_NARROWED),
	VIEW_ERRMSG(NO_RENDERED),
	VIEW_ERRMSG(PLACEHOLDER_SAMPLE),
	VIEW_ERRMSG(MISSING_STATS),
	VIEW_ERRMSG(HOST_FIELD_UNAVAILABLE),
	VIEW_ERRMSG(PLACEHOLDER_SNAPSHOT),
	VIEW_ERRMSG(NO_ACTIVE_SCHEDULER),
	VIEW_ERRMSG(ACTIVE_FILTER_EXCLUDED_MAPS),
	VIEW_ERRMSG(WALKER_DRIFTED_WITHIN_PHASE),
	VIEW_ERRMSG(PROJECTION_FAILED),
	VIEW_ERRMSG(MAP_RENDER_INCOMPLETE),
};

void ktsnap_err_note(enum ktsnap_error_kind kind)
{
	if ((unsigned)kind < sizeof(view_errmsgs) / sizeof(view_errmsgs[0]) && view_errmsgs[kind])
		ktsnap_fail_static(0, view_errmsgs[kind]);
}

const char *ktsnap_error_kind__name(enum ktsnap_error_kind kind)
{
	if ((unsigned)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "Unknown";
	return kind_names[kind];
}

static int copy_out(const char *p, size_t n, char *buf, size_t size)
{
	if (buf && size) {
		size_t k = n < size - 1 ? n : size - 1;

		memcpy(buf, p, k);
		buf[k] = '\0';
	}
	return (int)n;
}

int ktsnap_error__requested(const struct ktsnap_error *e, char *buf, size_t size)
{
	if (!e)
		return ktsnap_fail_static(-EINVAL, "error requested: no error");
	switch (e->kind) {
	case KTSNAP_ERR_MAP_NOT_FOUND:
	case KTSNAP_ERR_VAR_NOT_FOUND:
	case KTSNAP_ERR_AMBIGUOUS_VAR:
	case KTSNAP_ERR_FIELD_NOT_FOUND:
	case KTSNAP_ERR_NOT_A_STRUCT:
	case KTSNAP_ERR_TYPE_MISMATCH:
	case KTSNAP_ERR_EMPTY_PATH_COMPONENT:
	case KTSNAP_ERR_ACTIVE_FILTER_EXCLUDED_MAPS:
		return copy_out(e->text, strlen(e->text), buf, size);
	case KTSNAP_ERR_WALKER_DRIFTED_WITHIN_PHASE:
		return copy_out(ktsnap_err_text2(e), strlen(ktsnap_err_text2(e)), buf, size);
	default:
		return ktsnap_fail_static(-ENOENT, "this error kind names no requested text");
	}
}

int ktsnap_error__walked(const struct ktsnap_error *e, char *buf, size_t size)
{
	struct ktsnap_sink o = { .buf = buf, .size = size };

	if (!e || (e->kind != KTSNAP_ERR_FIELD_NOT_FOUND && e->kind != KTSNAP_ERR_NOT_A_STRUCT))
		return ktsnap_fail_static(-ENOENT,
					  "only FieldNotFound and NotAStruct name a walked path");
	ktsnap_err_put_walked(&o, e);
	sink_finish(&o);
	return (int)o.len;
}

int ktsnap_error__component(const struct ktsnap_error *e, char *buf, size_t size)
{
	if (!e || (e->kind != KTSNAP_ERR_FIELD_NOT_FOUND && e->kind != KTSNAP_ERR_NOT_A_STRUCT))
		return ktsnap_fail_static(-ENOENT,
					  "only FieldNotFound and NotAStruct name a component");
	return copy_out(ktsnap_err_text2(e), strlen(ktsnap_err_text2(e)), buf, size);
}

const char *ktsnap_error__map(const struct ktsnap_error *e)
{
	if (!e)
		return NULL;
	switch (e->kind) {
	case KTSNAP_ERR_INDEX_OUT_OF_RANGE:
		return e->u.index_out_of_range.map;
	case KTSNAP_ERR_PER_CPU_SLOT:
		return e->u.per_cpu_slot.map;
	case KTSNAP_ERR_NO_MATCH:
		return e->u.no_match.map;
	case KTSNAP_ERR_PER_CPU_NOT_NARROWED:
		return e->u.per_cpu_not_narrowed.map;
	case KTSNAP_ERR_NO_RENDERED:
		return e->u.no_rendered.map;
	case KTSNAP_ERR_MAP_RENDER_INCOMPLETE:
		return e->u.map_render_incomplete.map;
	default:
		return NULL;
	}
}

const char *ktsnap_error__expected(const struct ktsnap_error *e)
{
	if (!e)
		return NULL;
	switch (e->kind) {
	case KTSNAP_ERR_TYPE_MISMATCH:
		return e->u.type_mismatch.expected;
	case KTSNAP_ERR_NOT_A_STRUCT:
		return e->u.path.got;
	case KTSNAP_ERR_NO_MATCH:
		return e->u.no_match.op;
	case KTSNAP_ERR_NO_RENDERED:
		return e->u.no_rendered.side;
	default:
		return NULL;
	}
}

int ktsnap_error__actual(const struct ktsnap_error *e, char *buf, size_t size)
{
	struct ktsnap_sink o = { .buf = buf, .size = size };

	if (!e || e->kind != KTSNAP_ERR_TYPE_MISMATCH)
		return ktsnap_fail_static(-ENOENT, "only TypeMismatch names an actual kind");
	ktsnap_err_put_actual(&o, e);
	sink_finish(&o);
	return (int)o.len;
}

/* The index (or cpu) and length numbers of @e's kind; 0 where it has none. */
static void numbers(const struct ktsnap_error *e, uint64_t *index, uint64_t *len)
{
	*index = *len = 0;
	if (e && e->kind == KTSNAP_ERR_INDEX_OUT_OF_RANGE) {
		*index = e->u.index_out_of_range.index;
		*len = e->u.index_out_of_range.len;
	} else if (e && e->kind == KTSNAP_ERR_PER_CPU_SLOT) {
		*index = e->u.per_cpu_slot.cpu;
		*len = e->u.per_cpu_slot.len;
	} else if (e && e->kind == KTSNAP_ERR_HOST_FIELD_UNAVAILABLE) {
		*index = e->u.host_field_unavailable.cpu;
	} else if (e && e->kind == KTSNAP_ERR_NO_MATCH) {
		*len = e->u.no_match.len;
	}
}

uint64_t ktsnap_error__index(const struct ktsnap_error *e)
{
	uint64_t index, len;

	numbers(e, &index, &len);
	return index;
}

uint64_t ktsnap_error__len(const struct ktsnap_error *e)
{
	uint64_t index, len;

	numbers(e, &index, &len);
	return len;
}

bool ktsnap_error__unmapped(const struct ktsnap_error *e)
{
	return e && e->kind == KTSNAP_ERR_PER_CPU_SLOT && e->u.per_cpu_slot.unmapped;
}

/* ---- in-place fillers for the views ---------------------------------------------------- */
int ktsnap_err_detach(struct ktsnap_error *e, struct ktsnap_report *r)
{
	const struct ktsnap_value *v;
	struct ktsnap_value *copy;
	uint32_t i;
	int err = 0;

	if (!e || e->kind != KTSNAP_ERR_FIELD_NOT_FOUND ||
	    e->u.path.members_of != KTSNAP_ERR_MEMBERS_OF_VALUE || !e->u.path.members)
		return 0;
	v = e->u.path.members;
	pthread_mutex_lock(&r->render_lock);
	copy = ktsnap_arena_alloc(&r->arena, sizeof(*copy));
	if (copy && ktsnap_value_init_struct(&r->arena, copy, NULL, NULL, v->n))
		copy = NULL;
	/* names come from the BTF (or the report arena), both outlive the trees */
	for (i = 0; copy && i < v->n; i++)
		ktsnap_member_slot(copy, i, ktsnap_mname(v, i));
	pthread_mutex_unlock(&r->render_lock);
	if (!copy)
		err = -ENOMEM;
	e->u.path.members = copy;
	return err;
}

int ktsnap_err_type_mismatch(struct ktsnap_error *e, const char *expected, const char *actual,
			     const char *requested)
{
	if (!e)
		return -EINVAL;
	ktsnap_err_init(e, KTSNAP_ERR_TYPE_MISMATCH);
	e->u.type_mismatch.expected = expected;
	e->u.type_mismatch.actual = actual;
	ktsnap_err_set_text(e, requested);
	return -EINVAL;
}

void ktsnap_err_index_out_of_range(struct ktsnap_error *e, const char *map, uint64_t index,
				   uint64_t len)
{
	ktsnap_err_init(e, KTSNAP_ERR_INDEX_OUT_OF_RANGE);
	e->u.index_out_of_range.map = map;
	e->u.index_out_of_range.index = index;
	e->u.index_out_of_range.len = len;
}

void ktsnap_err_rebase_path(struct ktsnap_error *e, const char *path, size_t prefix_len)
{
	char comp[KTSNAP_ERROR_TEXT_MAX];
	size_t walked;

	switch (e->kind) {
	case KTSNAP_ERR_FIELD_NOT_FOUND:
	case KTSNAP_ERR_NOT_A_STRUCT:
		/* "a.b" walked "a": the prefix's trailing '.' counts only before more */
		walked = e->u.path.walked_len;
		if (walked)
			walked += prefix_len;
		else
			walked = prefix_len && path[prefix_len - 1] == '.' ? prefix_len - 1 :
									     prefix_len;
		strcpy(comp, ktsnap_err_text2(e));
		ktsnap_err_set_path(e, path, walked, comp, strlen(comp));
		break;
	case KTSNAP_ERR_EMPTY_PATH_COMPONENT:
	case KTSNAP_ERR_TYPE_MISMATCH:
		ktsnap_err_set_text(e, path);
		break;
	default:
		break;
	}
}

void ktsnap_err_render_incomplete(struct ktsnap_error *e, const struct ktsnap_map *m)
{
	ktsnap_err_init(e, KTSNAP_ERR_MAP_RENDER_INCOMPLETE);
	e->u.map_render_incomplete.map = m->name;
	e->u.map_render_incomplete.error = m->error;
}

/* ---- constructors ------------------------------------------------------------------------------ */
struct ktsnap_error ktsnap_error__placeholder_snapshot(const char *tag)
{
	struct ktsnap_error e;

	ktsnap_err_init(&e, KTSNAP_ERR_PLACEHOLDER_SNAPSHOT);
	if (tag) {
		e.u.placeholder_snapshot.has_tag = true;
		ktsnap_err_set_text(&e, tag);
	}
	return e;
}

struct ktsnap_error ktsnap_error__placeholder_sample(const char *tag, const char *reason)
{
	struct ktsnap_error e;

	ktsnap_err_init(&e, KTSNAP_ERR_PLACEHOLDER_SAMPLE);
	ktsnap_err_set_text2(&e, tag, reason);
	return e;
}

struct ktsnap_error ktsnap_error__missing_stats(const char *tag,
						const struct ktsnap_missing_stats *reason)
{
	struct ktsnap_error e;
	/* longer than the record can keep, so a cut is marked there */
	char text[KTSNAP_ERROR_TEXT_MAX * 2];

	ktsnap_err_init(&e, KTSNAP_ERR_MISSING_STATS);
	if (!reason || ktsnap_missing_stats__format(reason, text, sizeof(text)) < 0)
		text[0] = '\0';
	ktsnap_err_set_text2(&e, tag, text);
	return e;
}

struct ktsnap_error ktsnap_error__host_field_unavailable(const char *tag, uint32_t cpu)
{
	struct ktsnap_error e;

	ktsnap_err_init(&e, KTSNAP_ERR_HOST_FIELD_UNAVAILABLE);
	ktsnap_err_set_text(&e, tag);
	e.u.host_field_unavailable.cpu = cpu;
	return e;
}

struct ktsnap_error ktsnap_error__projection_failed(const char *reason)
{
	struct ktsnap_error e;

	ktsnap_err_init(&e, KTSNAP_ERR_PROJECTION_FAILED);
	e.u.projection_failed.tmpl = PF_TEXT;
	ktsnap_err_set_text(&e, reason);
	return e;
}

struct ktsnap_error ktsnap_error__no_active_scheduler(const char *reason)
{
	struct ktsnap_error e;

	ktsnap_err_init(&e, KTSNAP_ERR_NO_ACTIVE_SCHEDULER);
	e.u.no_active_scheduler.reason = NAS_TEXT;
	ktsnap_err_set_text(&e, reason);
	return e;
}

struct ktsnap_error
ktsnap_error__walker_drifted_within_phase(const char *phase, const char *requested,
					  const uint64_t *pinned, size_t nr_pinned,
					  const uint64_t *sample, size_t nr_sample)
{
	struct ktsnap_error e;

	ktsnap_err_init(&e, KTSNAP_ERR_WALKER_DRIFTED_WITHIN_PHASE);
	ktsnap_err_set_text2(&e, phase, requested);
	e.u.walker_drifted.pinned = pinned;
	e.u.walker_drifted.nr_pinned = pinned ? nr_pinned : 0;
	e.u.walker_drifted.sample = sample;
	e.u.walker_drifted.nr_sample = sample ? nr_sample : 0;
	return e;
}
