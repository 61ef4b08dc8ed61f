/*
 * The README's example compiled with nothing but <ktsnap/ktsnap.h>: the
 * public headers include what their macros use (KTSNAP_OPTS needs memset),
 * and the chained lookups of a missing map return NULL instead of
 * crashing (the NULL policy of common.h).  Built with the project's
 * warnings, so an implicit declaration fails the build.
 */
#include <ktsnap/ktsnap.h>

int main(void)
{
	KTSNAP_OPTS(ktsnap_capture_opts, opts, .obj = "ktsched");
	struct ktsnap_report *r = ktsnap_report__new();
	const struct ktsnap_value *bss;
	uint64_t n = 0;
	int rc;

	(void)opts;
	bss = ktsnap_map__value(ktsnap_report__map_by_name(r, "ktsched.bss"));
	rc = ktsnap_value__as_u64(ktsnap_value__get(bss, "nr_switches"), &n);
	ktsnap_report__free(r);
	return bss == NULL && rc < 0 ? 0 : 1;
}
