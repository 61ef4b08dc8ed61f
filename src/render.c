// SPDX-License-Identifier: MIT
/* BTF bytes -> value tree (spec §4.1).  Work in progress. */
#include "report_internal.h"

void ktsnap_map_ensure_rendered(const struct ktsnap_map *m)
{
	(void)m;
}
