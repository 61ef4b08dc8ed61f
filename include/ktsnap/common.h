/* SPDX-License-Identifier: MIT */
/*
 * ktsnap: shared definitions of the public API.
 *
 * Conventions (as in libbpf): every exported name starts with ktsnap_,
 * object methods are ktsnap_<object>__<method>; int returns are 0 or a
 * negative errno; pointer returns are NULL with errno set on failure.
 * Each function that returns a pointer says in its comment who owns it.
 * The library never prints: diagnostics go to the print callback and the
 * detail of the last failure on this thread is kept for ktsnap_errmsg().
 *
 * NULL policy: every exported function accepts NULL for any pointer
 * argument without crashing.  Getters of a NULL object (ktsnap_report__*,
 * ktsnap_map__*, ktsnap_map_entry__*, ktsnap_value__* …) return 0, false
 * or NULL, so lookups chain: ktsnap_map__value(ktsnap_report__map_by_name(r,
 * "x")) is NULL when there is no map "x".  A NULL out-pointer is ignored
 * where the header says "may be NULL"; elsewhere int-returning functions
 * give -EINVAL (ktsnap_value__as_u64(v, NULL) included) and pointer-
 * returning ones NULL with errno EINVAL.  Destructors accept NULL.
 * tests/null_sweep checks this for every KTSNAP_API function.
 */
#ifndef KTSNAP_COMMON_H
#define KTSNAP_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h> /* KTSNAP_OPTS uses memset */

#ifdef __cplusplus
extern "C" {
#endif

#define KTSNAP_API __attribute__((visibility("default")))

/*
 * Options structs begin with "size_t sz" so that fields can be added
 * without breaking callers; fill them with KTSNAP_OPTS():
 *	KTSNAP_OPTS(ktsnap_capture_opts, opts, .obj = "sched");
 */
#define KTSNAP_OPTS(TYPE, NAME, ...)                                     \
	struct TYPE NAME = ({                                            \
		memset(&NAME, 0, sizeof(struct TYPE));                   \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ }; \
	})

enum ktsnap_print_level {
	KTSNAP_WARN,
	KTSNAP_INFO,
	KTSNAP_DEBUG,
};

typedef int (*ktsnap_print_fn_t)(enum ktsnap_print_level level, const char *format, va_list args);

/*
 * Replace the diagnostic print callback (default: none, the library is
 * silent).  Returns the previous callback.
 */
KTSNAP_API ktsnap_print_fn_t ktsnap_set_print(ktsnap_print_fn_t fn);

/*
 * Human-readable detail of the last failure of a ktsnap call on the
 * calling thread (e.g. which privilege a capture lacked).  Borrowed: valid
 * until the next ktsnap call on this thread.  Never NULL ("" if none).
 */
KTSNAP_API const char *ktsnap_errmsg(void);

/*
 * Which calls set ktsnap_errmsg().  Every failing call of these families
 * records its own detail (complete, whatever its length), so the text
 * after a failure always describes that failure, never an earlier one:
 *   - I/O: reading and writing report files and JSON (json.h), the diff
 *     writers;
 *   - allocation: every constructor, copy and setter that can run out of
 *     memory (-ENOMEM / NULL + ENOMEM);
 *   - bridge (bridge.h), live capture (capture.h), kernel-op payloads
 *     (kernel_op.h), scheduler stats (stats.h) and diff (diff.h),
 *     including their index getters past the end (ERANGE) and lookups
 *     that find nothing (ENOENT).
 * The hot paths set it too, but to a fixed text, so a failing lookup in a
 * loop formats nothing:
 *   - the value accessors ktsnap_value__as_*() say which conversion failed;
 *   - the views (view.h, whose fields also read the stats JSON, and
 *     snapshot.h), which report through struct ktsnap_error, name the
 *     error kind and point at ktsnap_error__format() for the whole
 *     sentence.
 * Plain getters that cannot fail (counts, names, equality tests) leave it.
 * A successful call may leave an earlier failure's text in place: read
 * it only after a call has reported a failure.
 */

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_COMMON_H */
