/* SPDX-License-Identifier: MIT */
#ifndef KTSNAP_LOG_INTERNAL_H
#define KTSNAP_LOG_INTERNAL_H

#include <errno.h>

#include <ktsnap/common.h>

void ktsnap_pr(enum ktsnap_print_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define pr_warn(fmt, ...) ktsnap_pr(KTSNAP_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) ktsnap_pr(KTSNAP_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) ktsnap_pr(KTSNAP_DEBUG, fmt, ##__VA_ARGS__)

/*
 * Record the detail of a failure for ktsnap_errmsg() and return @err
 * (a negative errno), so callers can write
 *	return ktsnap_fail(-EPERM, "capture needs CAP_BPF …");
 */
int ktsnap_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Same with a fixed text (a string literal: it is kept by pointer), for
 * the failure paths of hot accessors where formatting would cost more
 * than the lookup itself.
 */
int ktsnap_fail_static(int err, const char *text);
/* Same, for pointer returns: sets errno = -err and returns NULL. */
void *ktsnap_fail_ptr(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * The range rule of the indexed getters: true when @i < @n; otherwise
 * errno ERANGE and the message "<what> <i> out of range (length <n>)",
 * @what being a printf format for the thing indexed.
 */
bool ktsnap_index_ok(size_t i, size_t n, const char *what, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Pass up a failure whose detail a callee already recorded: sets
 * errno = -err and returns NULL (ktsnap_fail() / ktsnap_fail_ptr() are
 * for the place that knows what went wrong).
 */
static inline void *ktsnap_err_ptr(int err)
{
	errno = -err;
	return NULL;
}
/* Clear the thread's error detail (at the start of public calls). */
void ktsnap_errmsg_clear(void);

#endif
