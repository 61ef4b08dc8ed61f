/* SPDX-License-Identifier: MIT */
/*
 * Assertion helpers for tests that read snapshots.
 *
 *	KTSNAP_ASSERT_U64(snap, base, path, op, expected)
 *	KTSNAP_ASSERT_I64(snap, base, path, op, expected)
 *	KTSNAP_ASSERT_F64(snap, base, path, op, expected)
 *	KTSNAP_ASSERT_BOOL(snap, base, path, expected)
 *	KTSNAP_ASSERT_STR(snap, base, path, expected)	(enum variant name)
 *	KTSNAP_ASSERT_PRESENT(snap, base, path)
 *
 * @snap is the struct ktsnap_snapshot the values come from (its name is
 * printed; see ktsnap_snapshot__named()).  @base is where @path starts:
 * a struct ktsnap_entry or struct ktsnap_field (walked with __get), or the
 * snapshot itself (then @path is a global's name, looked up with __var).
 * @op is a C comparison operator: ==, !=, <, <=, >, >=.
 *
 *	KTSNAP_ASSERT_U64(snap, snap, "nr_cpus_onln", >=, 1);
 *	KTSNAP_ASSERT_I64(snap, entry, "neg", ==, -42);
 *
 * On failure they print to stderr the location, the snapshot name, the
 * dotted path, the expected and the actual value in their own types
 * (u64 / i64 / f64 / bool / string), or the formatted SnapshotError when
 * the lookup or the conversion failed, and then run KTSNAP_ASSERT_FAIL:
 *   - inside cmocka tests (cmocka.h included before this header) it fails
 *     the current test (cmocka's _fail());
 *   - otherwise it calls exit(EXIT_FAILURE);
 *   - define KTSNAP_ASSERT_FAIL(file, line) before including this header
 *     to do something else (e.g. longjmp, abort()).
 *
 * The KTSNAP_CHECK_* forms take the same arguments, print the same
 * message, and evaluate to true / false instead of failing, for plain
 * programs that prefer `if (!KTSNAP_CHECK_U64(…)) return 1;`.
 *
 * The helpers are header-only (static inline) and print from the caller's
 * program; the library itself never prints.  They use GNU statement
 * expressions (gcc, clang).
 */
#ifndef KTSNAP_ASSERT_H
#define KTSNAP_ASSERT_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ktsnap/display.h>
#include <ktsnap/view.h>

#ifndef KTSNAP_ASSERT_FAIL
#ifdef CMOCKA_H_
#define KTSNAP_ASSERT_FAIL(file, line) _fail(file, line)
#else
#define KTSNAP_ASSERT_FAIL(file, line) exit(EXIT_FAILURE)
#endif
#endif

/* Where a path starts: entry / field (walk) or snapshot (global). */
#define ktsnap_lookup__(base, path)                          \
	_Generic((base), struct ktsnap_entry                 \
		 : ktsnap_entry__get, struct ktsnap_field    \
		 : ktsnap_field__get, struct ktsnap_snapshot \
		 : ktsnap_snapshot__var)(base, path)

static inline void ktsnap_assert_head__(const char *file, int line, struct ktsnap_snapshot snap,
					const char *base, const char *path)
{
	fprintf(stderr, "%s:%d: ktsnap assertion failed\n", file, line);
	fprintf(stderr, "  snapshot: %s\n", snap.name ? snap.name : "(unnamed)");
	fprintf(stderr, "  path:     %s (from %s)\n", path ? path : "", base);
}

static inline void ktsnap_assert_error__(const char *file, int line, struct ktsnap_snapshot snap,
					 const char *base, const char *path, const char *expected,
					 const struct ktsnap_error *err)
{
	char buf[4096];

	ktsnap_assert_head__(file, line, snap, base, path);
	ktsnap_error__format(err, buf, sizeof(buf));
	fprintf(stderr, "  expected: %s\n", expected);
	fprintf(stderr, "  error:    %s\n", buf);
}

static inline void ktsnap_assert_f64_str__(double v, char *buf, size_t size)
{
	ktsnap_f64__format(v, buf, size);
}

/* Shared shape of the typed checks; evaluates to true when it held. */
#define KTSNAP_CHECK_TYPED__(snap, base, path, op, expected, T, conv, fmt_exp, fmt_act, tname) \
	({                                                                                     \
		struct ktsnap_snapshot _ks = (snap);                                           \
		struct ktsnap_field _kf = ktsnap_lookup__(base, path);                         \
		struct ktsnap_error _kerr;                                                     \
		T _ka = 0, _ke = (expected);                                                   \
		bool _kok = false;                                                             \
		char _kexp[256];                                                               \
		if (conv(_kf, &_ka, &_kerr)) {                                                 \
			fmt_exp;                                                               \
			ktsnap_assert_error__(__FILE__, __LINE__, _ks, #base, path, _kexp,     \
					      &_kerr);                                         \
		} else if (!(_ka op _ke)) {                                                    \
			char _kact[256];                                                       \
			fmt_exp;                                                               \
			fmt_act;                                                               \
			ktsnap_assert_head__(__FILE__, __LINE__, _ks, #base, path);            \
			fprintf(stderr, "  expected: %s\n  actual:   %s (" tname ")\n", _kexp, \
				_kact);                                                        \
		} else {                                                                       \
			_kok = true;                                                           \
		}                                                                              \
		_kok;                                                                          \
	})

#define KTSNAP_CHECK_U64(snap, base, path, op, expected)                                     \
	KTSNAP_CHECK_TYPED__(snap, base, path, op, expected, uint64_t, ktsnap_field__as_u64, \
			     snprintf(_kexp, sizeof(_kexp), #op " %" PRIu64 " (u64)", _ke),  \
			     snprintf(_kact, sizeof(_kact), "%" PRIu64, _ka), "u64")
#define KTSNAP_CHECK_I64(snap, base, path, op, expected)                                    \
	KTSNAP_CHECK_TYPED__(snap, base, path, op, expected, int64_t, ktsnap_field__as_i64, \
			     snprintf(_kexp, sizeof(_kexp), #op " %" PRId64 " (i64)", _ke), \
			     snprintf(_kact, sizeof(_kact), "%" PRId64, _ka), "i64")
#define KTSNAP_CHECK_F64(snap, base, path, op, expected)                                      \
	KTSNAP_CHECK_TYPED__(snap, base, path, op, expected, double, ktsnap_field__as_f64, ({ \
				     char _kd[64];                                            \
				     ktsnap_assert_f64_str__(_ke, _kd, sizeof(_kd));          \
				     snprintf(_kexp, sizeof(_kexp), #op " %s (f64)", _kd);    \
			     }),                                                              \
			     ktsnap_assert_f64_str__(_ka, _kact, sizeof(_kact)), "f64")
#define KTSNAP_CHECK_BOOL(snap, base, path, expected)                                             \
	KTSNAP_CHECK_TYPED__(snap, base, path, ==, expected, bool, ktsnap_field__as_bool,         \
			     snprintf(_kexp, sizeof(_kexp), "%s (bool)", _ke ? "true" : "false"), \
			     snprintf(_kact, sizeof(_kact), "%s", _ka ? "true" : "false"), "bool")

#define KTSNAP_CHECK_STR(snap, base, path, expected)                                               \
	({                                                                                         \
		struct ktsnap_snapshot _ks = (snap);                                               \
		struct ktsnap_field _kf = ktsnap_lookup__(base, path);                             \
		struct ktsnap_error _kerr;                                                         \
		const char *_ka = NULL, *_ke = (expected);                                         \
		bool _kok = false;                                                                 \
		char _kexp[256];                                                                   \
		snprintf(_kexp, sizeof(_kexp), "== \"%s\" (str)", _ke);                            \
		if (ktsnap_field__as_str(_kf, &_ka, &_kerr)) {                                     \
			ktsnap_assert_error__(__FILE__, __LINE__, _ks, #base, path, _kexp,         \
					      &_kerr);                                             \
		} else if (strcmp(_ka, _ke)) {                                                     \
			ktsnap_assert_head__(__FILE__, __LINE__, _ks, #base, path);                \
			fprintf(stderr, "  expected: %s\n  actual:   \"%s\" (str)\n", _kexp, _ka); \
		} else {                                                                           \
			_kok = true;                                                               \
		}                                                                                  \
		_kok;                                                                              \
	})

#define KTSNAP_CHECK_PRESENT(snap, base, path)                                                 \
	({                                                                                     \
		struct ktsnap_snapshot _ks = (snap);                                           \
		struct ktsnap_field _kf = ktsnap_lookup__(base, path);                         \
		bool _kok = ktsnap_field__is_present(_kf);                                     \
		if (!_kok)                                                                     \
			ktsnap_assert_error__(__FILE__, __LINE__, _ks, #base, path, "present", \
					      ktsnap_field__error(&_kf));                      \
		_kok;                                                                          \
	})

#define KTSNAP_ASSERT__(check)                                  \
	do {                                                    \
		if (!(check))                                   \
			KTSNAP_ASSERT_FAIL(__FILE__, __LINE__); \
	} while (0)

#define KTSNAP_ASSERT_U64(snap, base, path, op, expected) \
	KTSNAP_ASSERT__(KTSNAP_CHECK_U64(snap, base, path, op, expected))
#define KTSNAP_ASSERT_I64(snap, base, path, op, expected) \
	KTSNAP_ASSERT__(KTSNAP_CHECK_I64(snap, base, path, op, expected))
#define KTSNAP_ASSERT_F64(snap, base, path, op, expected) \
	KTSNAP_ASSERT__(KTSNAP_CHECK_F64(snap, base, path, op, expected))
#define KTSNAP_ASSERT_BOOL(snap, base, path, expected) \
	KTSNAP_ASSERT__(KTSNAP_CHECK_BOOL(snap, base, path, expected))
#define KTSNAP_ASSERT_STR(snap, base, path, expected) \
	KTSNAP_ASSERT__(KTSNAP_CHECK_STR(snap, base, path, expected))
#define KTSNAP_ASSERT_PRESENT(snap, base, path) \
	KTSNAP_ASSERT__(KTSNAP_CHECK_PRESENT(snap, base, path))

#endif /* KTSNAP_ASSERT_H */
