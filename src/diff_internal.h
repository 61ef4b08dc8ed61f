/* SPDX-License-Identifier: MIT */
/* diff: what the tests may observe of a diff beyond its items. */
#ifndef KTSNAP_DIFF_INTERNAL_H
#define KTSNAP_DIFF_INTERNAL_H

#include <ktsnap/diff.h>

/* How many entry identities were compared while pairing entries: a
 * measure of work that stays linear in the entries (duplicates included). */
size_t ktsnap_diff_key_compares(const struct ktsnap_diff *d);

#endif /* KTSNAP_DIFF_INTERNAL_H */
