// SPDX-License-Identifier: MIT
/* Diagnostics: the replaceable print callback and per-thread error detail. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "log_internal.h"

static _Atomic(ktsnap_print_fn_t) print_fn;
static _Thread_local char errbuf[512];

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
	return errbuf;
}

void ktsnap_errmsg_clear(void)
{
	errbuf[0] = '\0';
}

static void set_errmsg(const char *fmt, va_list ap)
{
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
}

int ktsnap_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_errmsg(fmt, ap);
	va_end(ap);
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
