/* SPDX-License-Identifier: MIT */
#ifndef KTSNAP_RENDER_INTERNAL_H
#define KTSNAP_RENDER_INTERNAL_H

#include "report_internal.h"

/*
 * Render @size bytes at @data as BTF type @type_id of @btf into @out
 * (arena-allocated children).  Not thread-safe against other arena users
 * of @r: callers hold r->render_lock or own @r exclusively.  0 or -ENOMEM.
 */
int ktsnap_render_into(struct ktsnap_report *r, const struct btf *btf, uint32_t type_id,
		       const uint8_t *data, size_t size, struct ktsnap_value *out);
/* Same, into a new arena value; NULL on ENOMEM. */
const struct ktsnap_value *ktsnap_render(struct ktsnap_report *r, const struct btf *btf,
					 uint32_t type_id, const uint8_t *data, size_t size);

#endif
