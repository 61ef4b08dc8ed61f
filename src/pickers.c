// SPDX-License-Identifier: MIT
/*
 * Predefined pickers for live_var_via / live_vars_via (spec §6.4): pick
 * the copy of a global that shows the most counter activity.  Ties go to
 * the last candidate (the most recently loaded copy in map-id order).
 */
#include <ktsnap/view.h>

bool ktsnap_pick_max_by_counter_value(const struct ktsnap_var_candidate *c, size_t n, size_t *idx,
				      void *ctx)
{
	bool found = false;
	uint64_t best = 0, v;
	size_t i;

	for (i = 0; c && i < n; i++) {
		if (ktsnap_field__as_u64(c[i].field, &v, NULL))
			continue;
		if (!found || v >= best) {
			best = v;
			*idx = i;
			found = true;
		}
	}
	return found;
}

bool ktsnap_pick_max_by_sum_u64(const struct ktsnap_var_row *rows, size_t n, size_t *idx, void *ctx)
{
	bool found = false;
	uint64_t best = 0, sum, v;
	size_t i, k;

	for (i = 0; rows && i < n; i++) {
		sum = 0;
		for (k = 0; k < rows[i].nr_fields; k++) {
			if (ktsnap_field__as_u64(rows[i].fields[k], &v, NULL))
				break;
			sum = sum + v < sum ? UINT64_MAX : sum + v;
		}
		if (k < rows[i].nr_fields)
			continue;
		if (!found || sum >= best) {
			best = sum;
			*idx = i;
			found = true;
		}
	}
	return found;
}
