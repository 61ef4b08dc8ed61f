/* SPDX-License-Identifier: MIT */
/* The SeriesField columns, shared by series.c (construction, reducers) and
 * temporal.c (patterns). */
#ifndef KTSNAP_SERIES_INTERNAL_H
#define KTSNAP_SERIES_INTERNAL_H

#include <ktsnap/series.h>

struct ktsnap_series_field {
	char *label;
	enum ktsnap_series_type type;
	size_t n;
	char **tags;
	uint64_t *elapsed_ms;
	struct ktsnap_series_value *values;
	int32_t *phases;
};

/* A value as a double (bool: 0 / 1). */
static inline double ktsnap_series_num_f64(enum ktsnap_series_type type, union ktsnap_series_num v)
{
	switch (type) {
	case KTSNAP_SERIES_U64:
		return (double)v.u64;
	case KTSNAP_SERIES_I64:
		return (double)v.i64;
	case KTSNAP_SERIES_F64:
		return v.f64;
	case KTSNAP_SERIES_BOOL:
	default:
		return v.b ? 1.0 : 0.0;
	}
}

#endif /* KTSNAP_SERIES_INTERNAL_H */
