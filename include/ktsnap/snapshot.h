/* SPDX-License-Identifier: MIT */
/*
 * struct ktsnap_snapshot: a borrowed view of a report plus the optional
 * active-scheduler filter.  The functions that make and use it are in
 * view.h; error.h embeds it so an error can list alternatives lazily.
 */
#ifndef KTSNAP_SNAPSHOT_H
#define KTSNAP_SNAPSHOT_H

#include <ktsnap/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ktsnap_report;

struct ktsnap_snapshot {
	const struct ktsnap_report *report;
	const char *name; /* for messages; borrowed; NULL: unnamed */
	/* active filter (private): obj prefix (obj_len bytes, not
	 * NUL-terminated) and the KVA whitelist, both borrowed from report */
	const char *obj;
	uint32_t obj_len;
	const uint64_t *kvas;
	size_t nr_kvas;
};

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_SNAPSHOT_H */
