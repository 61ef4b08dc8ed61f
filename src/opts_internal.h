/* SPDX-License-Identifier: MIT */
/*
 * opts: reading the caller's options structs (they begin with "size_t sz"
 * and end with a TYPE##__last_field marker), as libbpf's OPTS_VALID does.
 * A caller built against an older ktsnap passes a smaller sz: the fields
 * it does not know read as zero.  A caller built against a newer one
 * passes a larger sz: that is fine as long as every byte this library does
 * not know is zero, and refused (-E2BIG) otherwise, so an option the
 * library cannot honour is never silently ignored.
 */
#ifndef KTSNAP_OPTS_INTERNAL_H
#define KTSNAP_OPTS_INTERNAL_H

#include <stddef.h>
#include <string.h>

#include "log_internal.h"

#define ktsnap_offsetofend(TYPE, FIELD) (offsetof(TYPE, FIELD) + sizeof(((TYPE *)0)->FIELD))

/*
 * Copy the caller's options @uopts (NULL: all defaults) into @dst, a
 * struct of @dst_sz bytes of which this library knows the first @known;
 * unknown and absent fields read as zero and @dst's sz says @dst_sz (so
 * @dst can be passed on as options).  0; -EINVAL when the caller's sz
 * cannot even hold sz; -E2BIG when a byte past @known is not zero.
 * Failures record a text naming @type.
 */
static inline int ktsnap_opts_read(void *dst, size_t dst_sz, size_t known, const void *uopts,
				   const char *type)
{
	const unsigned char *p = uopts;
	size_t sz, i;

	memset(dst, 0, dst_sz);
	if (!uopts)
		goto out;
	memcpy(&sz, uopts, sizeof(sz));
	if (sz < sizeof(size_t))
		return ktsnap_fail(-EINVAL, "%s: opts.sz %zu is smaller than the sz field itself",
				   type, sz);
	for (i = known; i < sz; i++)
		if (p[i])
			return ktsnap_fail(
				-E2BIG,
				"%s: opts.sz %zu has a non-zero byte at offset %zu, past the %zu bytes this ktsnap knows (an option of a newer ktsnap?)",
				type, sz, i, known);
	memcpy(dst, uopts, sz < known ? sz : known);
out:
	memcpy(dst, &dst_sz, sizeof(dst_sz));
	return 0;
}

/* ktsnap_opts_read() for "struct TYPE" with its TYPE##__last_field. */
#define KTSNAP_OPTS_READ(dst, uopts, TYPE)                                                         \
	ktsnap_opts_read(&(dst), sizeof(dst), ktsnap_offsetofend(struct TYPE, TYPE##__last_field), \
			 (uopts), #TYPE)

#endif /* KTSNAP_OPTS_INTERNAL_H */
