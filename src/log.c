// SPDX-License-Identifier: MIT
/*
 * log: the replaceable print callback and the per-thread error detail
 * behind ktsnap_errmsg().  The detail is kept whole whatever its length:
 * texts that fit 512 bytes live in a thread-local buffer, longer ones on
 * the heap (freed when the thread exits); only when that allocation fails
 * is a text cut to 511 bytes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log_internal.h"

static _Atomic(ktsnap_print_fn_t) print_fn;
static _Thread_local char errbuf[512];
static _Thread_local char *errbig; /* a text longer than errbuf, or NULL */
static _Thread_local const char *errstatic; /* a fixed text, or NULL */

static pthread_once_t errkey_once = PTHREAD_ONCE_INIT;
static pthread_key_t errkey;
static bool errkey_ok;

ktsnap_print_fn_t ktsnap_set_print(ktsnap_print_fn_t fn)
{
	return atomic_exchange(&print_fn, fn);
}

void ktsnap_pr(enum ktsnap_print_level level, const char *fmt, ...)
{
	ktsnap_print_fn_t fn = atomic_load(&print_fn);
	va_list ap;
	int saved = errno;

	if (!fn)
		return;
	va_start(ap, fmt);
	fn(level, fmt, ap);
	va_end(ap);
	errno = saved;
}

const char *ktsnap_errmsg(void)
{
	return errstatic ? errstatic : errbig ? errbig : errbuf;
}

/* Thread exit: free the long text the thread still holds. */
static void errkey_free(void *p)
{
	free(p);
}

static void errkey_init(void)
{
	errkey_ok = pthread_key_create(&errkey, errkey_free) == 0;
}

/* Only a thread that went through errkey_once ever gets past the first
 * test, so errkey_ok is read after its initialisation. */
static void set_big(char *p)
{
	if (!p && !errbig)
		return;
	free(errbig);
	errbig = p;
	if (errkey_ok)
		pthread_setspecific(errkey, p);
}

void ktsnap_errmsg_clear(void)
{
	errstatic = NULL;
	errbuf[0] = '\0';
	set_big(NULL);
}

/*
 * Format first, replace after: the arguments may point into the current
 * text (a caller that wraps ktsnap_errmsg() in a new sentence).
 */
static void set_errmsg(const char *fmt, va_list ap)
{
	char tmp[sizeof(errbuf)];
	char *p = NULL;
	va_list aq;
	int n, saved = errno;

	va_copy(aq, ap);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (n < 0)
		n = snprintf(tmp, sizeof(tmp), "(unformattable error text)");
	if ((size_t)n >= sizeof(tmp)) {
		pthread_once(&errkey_once, errkey_init);
		p = malloc((size_t)n + 1);
		if (p)
			vsnprintf(p, (size_t)n + 1, fmt, aq);
	}
	va_end(aq);
	memcpy(errbuf, tmp, (size_t)n < sizeof(tmp) ? (size_t)n + 1 : sizeof(tmp));
	errstatic = NULL;
	set_big(p);
	errno = saved;
}

int ktsnap_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_errmsg(fmt, ap);
	va_end(ap);
	return err;
}

int ktsnap_fail_static(int err, const char *text)
{
	errstatic = text;
	return err;
}

void *ktsnap_fail_ptr(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_errmsg(fmt, ap);
	va_end(ap);
	errno = -err;
	return NULL;
}

bool ktsnap_index_ok(size_t i, size_t n, const char *what, ...)
{
	char name[256];
	va_list ap;

	if (i < n)
		return true;
	va_start(ap, what);
	vsnprintf(name, sizeof(name), what, ap);
	va_end(ap);
	ktsnap_fail_ptr(-ERANGE, "%s %zu out of range (length %zu)", name, i, n);
	return false;
}
