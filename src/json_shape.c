// SPDX-License-Identifier: MIT
/*
 * json_shape: the C face of what only report files carry: the "dual" and
 * "degraded" schemas (a report read from such a file keeps them in its
 * sidecar, json_internal.h) and an ARENA map's verbatim "arena" object.
 * The reader fills them (json_read.c), the writer writes them back
 * (json_write.c); these accessors are all the public API sees.
 */
#include <errno.h>

#include <ktsnap/json.h>

#include "json_internal.h"
#include "log_internal.h"
#include "util_internal.h"

/* @r's sidecar, when @r was read as @schema; NULL + errno and a text. */
static const struct ktsnap_sidecar *sidecar(const struct ktsnap_report *r, const char *schema)
{
	if (!r)
		return ktsnap_fail_ptr(-EINVAL, "report__%s: no report", schema);
	if (!r->sidecar || !ktsnap_str_eq(r->schema, schema))
		return ktsnap_fail_ptr(-ENOENT, "the report's schema is \"%s\", not \"%s\"",
				       r->schema ? r->schema : "single", schema);
	return r->sidecar;
}

const struct ktsnap_dual_info *ktsnap_report__dual(const struct ktsnap_report *r)
{
	const struct ktsnap_sidecar *s = sidecar(r, "dual");

	return s ? &s->dual : NULL;
}

const struct ktsnap_degraded_info *ktsnap_report__degraded(const struct ktsnap_report *r)
{
	const struct ktsnap_sidecar *s = sidecar(r, "degraded");

	return s ? &s->degraded : NULL;
}

const char *ktsnap_map__arena_json(const struct ktsnap_map *m)
{
	if (!m)
		return ktsnap_fail_ptr(-EINVAL, "map__arena_json: no map");
	if (!m->arena_json)
		return ktsnap_fail_ptr(-ENOENT, "map '%s' has no arena snapshot", m->name);
	return m->arena_json;
}
