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

/* @r's sidecar, when @r was read as @schema; NULL with *@err -EINVAL or
 * -ENOENT. */
static const struct ktsnap_sidecar *sidecar(const struct ktsnap_report *r, const char *schema,
					    const void *out, int *err)
{
	if (!r || !out) {
		*err = ktsnap_fail(-EINVAL, "report__%s: no report or no output", schema);
		return NULL;
	}
	if (!r->sidecar || !ktsnap_str_eq(r->schema, schema)) {
		*err = ktsnap_fail(-ENOENT, "the report's schema is \"%s\", not \"%s\"",
				   r->schema ? r->schema : "single", schema);
		return NULL;
	}
	return r->sidecar;
}

int ktsnap_report__dual(const struct ktsnap_report *r, struct ktsnap_dual_info *out)
{
	int err;
	const struct ktsnap_sidecar *s = sidecar(r, "dual", out, &err);

	if (!s)
		return err;
	*out = s->dual;
	out->early = r->early;
	return 0;
}

int ktsnap_report__degraded(const struct ktsnap_report *r, struct ktsnap_degraded_info *out)
{
	int err;
	const struct ktsnap_sidecar *s = sidecar(r, "degraded", out, &err);

	if (!s)
		return err;
	*out = s->degraded;
	return 0;
}

const char *ktsnap_map__arena_json(const struct ktsnap_map *m)
{
	if (!m)
		return ktsnap_fail_ptr(-EINVAL, "map__arena_json: no map");
	if (!m->arena_json)
		return ktsnap_fail_ptr(-ENOENT, "map '%s' has no arena snapshot", m->name);
	return m->arena_json;
}
