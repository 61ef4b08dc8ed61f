// SPDX-License-Identifier: MIT
/*
 * SnapshotBridge (spec §5): the refcounted object shared by every handle,
 * its callbacks, the store of captures and its drains, the event log, the
 * watch slots, the thread-local installation and the accessor waits (the
 * kernel-op and cgroup.procs logs are in bridge_log.c).  The bridge knows
 * captures only through its capture callback.  The store is a FIFO array
 * of at most 64 entries (+1 while a store is over the cap): finding a tag
 * is a scan of ≤64 names, which is cheaper than keeping a hash table in
 * step with the order list.
 *
 * Reports that leave the store through eviction or overwrite are freed
 * after the store lock is dropped, so a big report's teardown never
 * stalls other threads' captures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bridge_internal.h"
#include "log_internal.h"
#include "opts_internal.h"
#include "util_internal.h"

#define STORE_CAP KTSNAP_MAX_STORED_SNAPSHOTS
#define EVENT_CAP KTSNAP_MAX_STORED_EVENTS
#define WATCH_CAP KTSNAP_MAX_WATCH_SNAPSHOTS

struct drain_item {
	struct ktsnap_drained_entry pub;
	struct ktsnap_stats *stats_owned;
};

struct ktsnap_drain {
	size_t nr;
	struct drain_item items[];
};

struct ktsnap_bridge_events {
	size_t nr;
	struct ktsnap_bridge_event *ev[];
};

static const struct ktsnap_stats no_scheduler_binary = {
	.ok = false,
	.missing = { .kind = KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY },
};

/* ---- construction ------------------------------------------------------------ */
struct ktsnap_bridge *ktsnap_bridge__new(ktsnap_capture_fn capture, void *ctx,
					 ktsnap_ctx_free_fn ctx_free)
{
	struct ktsnap_bridge *b;

	if (!capture)
		return ktsnap_fail_ptr(-EINVAL, "a bridge needs a capture callback");
	b = calloc(1, sizeof(*b));
	if (!b)
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	atomic_init(&b->refcnt, 1);
	b->capture = capture;
	b->capture_ctx = ctx;
	b->capture_free = ctx_free;
	pthread_mutex_init(&b->lock, NULL);
	ktsnap_bridge_logs_init(b);
	atomic_init(&b->watch_count, 0);
	b->wake_fd = -1;
	return b;
}

struct ktsnap_bridge *ktsnap_bridge__ref(struct ktsnap_bridge *b)
{
	if (b)
		atomic_fetch_add_explicit(&b->refcnt, 1, memory_order_relaxed);
	return b;
}

static void entry_release(struct bridge_entry *e)
{
	free(e->tag);
	ktsnap_report__free(e->report);
	ktsnap_stats__free(e->stats);
	memset(e, 0, sizeof(*e));
}

void ktsnap_bridge__unref(struct ktsnap_bridge *b)
{
	size_t i;

	if (!b)
		return;
	if (atomic_fetch_sub_explicit(&b->refcnt, 1, memory_order_acq_rel) != 1)
		return;

	/* First: a watch callback's context may run a thread that captures
	 * into this bridge (watch.c); it stops before the store goes. */
	if (b->watch_free)
		b->watch_free(b->watch_ctx);
	for (i = 0; i < b->nr; i++)
		entry_release(&b->entries[i]);
	for (i = 0; i < b->ev_nr; i++)
		free(b->events[(b->ev_head + i) % EVENT_CAP]);
	ktsnap_bridge_logs_destroy(b);
	if (b->capture_free)
		b->capture_free(b->capture_ctx);
	if (b->kop_free)
		b->kop_free(b->kop_ctx);
	if (b->wake_fd >= 0)
		close(b->wake_fd);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

struct ktsnap_bridge *ktsnap_bridge__with_watch_register(struct ktsnap_bridge *b,
							 ktsnap_watch_register_fn fn, void *ctx,
							 ktsnap_ctx_free_fn ctx_free)
{
	if (!b)
		return ktsnap_fail_ptr(-EINVAL, "NULL bridge");
	if (b->watch_free)
		b->watch_free(b->watch_ctx);
	b->watch = fn;
	b->watch_ctx = ctx;
	b->watch_free = ctx_free;
	return b;
}

void *ktsnap_bridge_watch_ctx(const struct ktsnap_bridge *b, ktsnap_watch_register_fn fn)
{
	return b && b->watch == fn ? b->watch_ctx : NULL;
}

struct ktsnap_bridge *ktsnap_bridge__with_kernel_op(struct ktsnap_bridge *b, ktsnap_kernel_op_fn fn,
						    void *ctx, ktsnap_ctx_free_fn ctx_free)
{
	if (!b)
		return ktsnap_fail_ptr(-EINVAL, "NULL bridge");
	if (b->kop_free)
		b->kop_free(b->kop_ctx);
	b->kop = fn;
	b->kop_ctx = ctx;
	b->kop_free = ctx_free;
	return b;
}

struct ktsnap_bridge *ktsnap_bridge__with_accessor_state(struct ktsnap_bridge *b,
							 _Atomic uint64_t *publish_seqno,
							 _Atomic uint8_t *worker_state, int wake_fd)
{
	int fd;

	if (!b)
		return ktsnap_fail_ptr(-EINVAL, "NULL bridge");
	if (!publish_seqno || !worker_state || wake_fd < 0)
		return ktsnap_fail_ptr(
			-EINVAL, "accessor state needs a seqno, a worker state and a wake fd");
	fd = fcntl(wake_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return ktsnap_fail_ptr(-errno, "cannot duplicate the accessor wake fd: %s",
				       strerror(errno));
	if (b->wake_fd >= 0)
		close(b->wake_fd);
	b->seqno = publish_seqno;
	b->state = worker_state;
	b->wake_fd = fd;
	return b;
}

/* ---- events ------------------------------------------------------------------ */
const char *ktsnap_bridge_event_kind__name(enum ktsnap_bridge_event_kind kind)
{
	switch (kind) {
	case KTSNAP_BRIDGE_EVENT_CAPTURE_UNAVAILABLE:
		return "CaptureUnavailable";
	case KTSNAP_BRIDGE_EVENT_OVERWRITE:
		return "Overwrite";
	case KTSNAP_BRIDGE_EVENT_EVICTION:
		return "Eviction";
	case KTSNAP_BRIDGE_EVENT_DRAIN_ORDERING_INVARIANT_VIOLATION:
		return "DrainOrderingInvariantViolation";
	case KTSNAP_BRIDGE_EVENT_CAP_INVARIANT_VIOLATION:
		return "CapInvariantViolation";
	case KTSNAP_BRIDGE_EVENT_EVENT_LOG_TRUNCATED:
		return "EventLogTruncated";
	}
	return "Unknown";
}

bool ktsnap_bridge_event__equal(const struct ktsnap_bridge_event *a,
				const struct ktsnap_bridge_event *b)
{
	if (!a || !b)
		return a == b;
	return a->kind == b->kind && ktsnap_str_eq(a->tag, b->tag) &&
	       ktsnap_str_eq(a->prior_schema, b->prior_schema) &&
	       ktsnap_str_eq(a->evicted_tag, b->evicted_tag) &&
	       ktsnap_str_eq(a->new_tag, b->new_tag) &&
	       ktsnap_str_eq(a->drain_variant, b->drain_variant) && a->cap == b->cap &&
	       a->reports_len == b->reports_len && a->dropped_count == b->dropped_count;
}

int ktsnap_bridge_event__format(const struct ktsnap_bridge_event *ev, char *buf, size_t len)
{
	const char *name;

	if (!ev)
		return ktsnap_fail(-EINVAL, "event format needs an event");
	if (!buf)
		len = 0;
	name = ktsnap_bridge_event_kind__name(ev->kind);
	switch (ev->kind) {
	case KTSNAP_BRIDGE_EVENT_CAPTURE_UNAVAILABLE:
		return snprintf(buf, len, "%s { tag: \"%s\" }", name, ev->tag);
	case KTSNAP_BRIDGE_EVENT_OVERWRITE:
		return snprintf(buf, len, "%s { tag: \"%s\", prior_schema: \"%s\" }", name, ev->tag,
				ev->prior_schema);
	case KTSNAP_BRIDGE_EVENT_EVICTION:
		return snprintf(buf, len, "%s { evicted_tag: \"%s\", new_tag: \"%s\", cap: %zu }",
				name, ev->evicted_tag, ev->new_tag, ev->cap);
	case KTSNAP_BRIDGE_EVENT_DRAIN_ORDERING_INVARIANT_VIOLATION:
		return snprintf(buf, len, "%s { tag: \"%s\", drain_variant: \"%s\" }", name,
				ev->tag, ev->drain_variant);
	case KTSNAP_BRIDGE_EVENT_CAP_INVARIANT_VIOLATION:
		return snprintf(buf, len, "%s { reports_len: %zu, cap: %zu }", name,
				ev->reports_len, ev->cap);
	case KTSNAP_BRIDGE_EVENT_EVENT_LOG_TRUNCATED:
		return snprintf(buf, len, "%s { dropped_count: %" PRIu64 " }", name,
				ev->dropped_count);
	}
	return ktsnap_fail(-EINVAL, "unknown bridge event kind %d", (int)ev->kind);
}

/* Deep copy of @tmpl (strings packed behind it) in one allocation. */
static struct ktsnap_bridge_event *event_dup(const struct ktsnap_bridge_event *tmpl)
{
	const char *const *src[] = { &tmpl->tag, &tmpl->prior_schema, &tmpl->evicted_tag,
				     &tmpl->new_tag, &tmpl->drain_variant };
	struct ktsnap_bridge_event *ev;
	size_t need = sizeof(*ev), i, n;
	const char **dst[5];
	char *p;

	for (i = 0; i < 5; i++)
		if (*src[i])
			need += strlen(*src[i]) + 1;
	ev = malloc(need);
	if (!ev)
		return NULL;
	*ev = *tmpl;
	dst[0] = &ev->tag;
	dst[1] = &ev->prior_schema;
	dst[2] = &ev->evicted_tag;
	dst[3] = &ev->new_tag;
	dst[4] = &ev->drain_variant;
	p = (char *)(ev + 1);
	for (i = 0; i < 5; i++) {
		if (!*src[i])
			continue;
		n = strlen(*src[i]) + 1;
		memcpy(p, *src[i], n);
		*dst[i] = p;
		p += n;
	}
	return ev;
}

/* Queue an event (store lock held) and emit its warning line. */
static void push_event(struct ktsnap_bridge *b, const struct ktsnap_bridge_event *tmpl)
{
	struct ktsnap_bridge_event *ev = event_dup(tmpl);
	char line[512];

	ktsnap_bridge_event__format(tmpl, line, sizeof(line));
	pr_warn("SnapshotBridge: %s\n", line);
	if (!ev) {
		pr_warn("SnapshotBridge: out of memory queueing the event above; dropped\n");
		if (b->events_dropped < UINT64_MAX)
			b->events_dropped++;
		return;
	}
	if (b->ev_nr == EVENT_CAP) {
		free(b->events[b->ev_head]);
		b->ev_head = (b->ev_head + 1) % EVENT_CAP;
		b->ev_nr--;
		if (b->events_dropped < UINT64_MAX)
			b->events_dropped++;
	}
	b->events[(b->ev_head + b->ev_nr) % EVENT_CAP] = ev;
	b->ev_nr++;
}

struct ktsnap_bridge_events *ktsnap_bridge__drain_events(struct ktsnap_bridge *b)
{
	struct ktsnap_bridge_events *evs;
	struct ktsnap_bridge_event *marker = NULL;
	size_t i;

	if (!b)
		return ktsnap_fail_ptr(-EINVAL, "NULL bridge");
	pthread_mutex_lock(&b->lock);
	evs = malloc(sizeof(*evs) + (b->ev_nr + 1) * sizeof(evs->ev[0]));
	if (b->events_dropped) {
		struct ktsnap_bridge_event tmpl = {
			.kind = KTSNAP_BRIDGE_EVENT_EVENT_LOG_TRUNCATED,
			.dropped_count = b->events_dropped,
		};

		marker = event_dup(&tmpl);
	}
	if (!evs || (b->events_dropped && !marker)) {
		pthread_mutex_unlock(&b->lock);
		free(evs);
		free(marker);
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	}
	for (i = 0; i < b->ev_nr; i++)
		evs->ev[i] = b->events[(b->ev_head + i) % EVENT_CAP];
	evs->nr = b->ev_nr;
	if (marker)
		evs->ev[evs->nr++] = marker;
	b->ev_head = 0;
	b->ev_nr = 0;
	b->events_dropped = 0;
	pthread_mutex_unlock(&b->lock);
	return evs;
}

size_t ktsnap_bridge_events__count(const struct ktsnap_bridge_events *evs)
{
	return evs ? evs->nr : 0;
}

const struct ktsnap_bridge_event *ktsnap_bridge_events__at(const struct ktsnap_bridge_events *evs,
							   size_t i)
{
	return ktsnap_index_ok(i, evs ? evs->nr : 0, "event") ? evs->ev[i] : NULL;
}

void ktsnap_bridge_events__free(struct ktsnap_bridge_events *evs)
{
	size_t i;

	if (!evs)
		return;
	for (i = 0; i < evs->nr; i++)
		free(evs->ev[i]);
	free(evs);
}

/* ---- store ----------------------------------------------------------------------- */
/* Index of @name in the store (lock held), or -1. */
static ssize_t find_entry(const struct ktsnap_bridge *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->nr; i++)
		if (strcmp(b->entries[i].tag, name) == 0)
			return (ssize_t)i;
	return -1;
}

/* spec §5.3 store_internal.  Takes @report in every case. */
int ktsnap_bridge__store_opts(struct ktsnap_bridge *b, const char *name,
			      struct ktsnap_report *report,
			      const struct ktsnap_bridge_store_opts *opts)
{
	struct ktsnap_bridge_store_opts o;
	const struct ktsnap_bridge_store_opts *meta = &o;
	struct ktsnap_stats *stats = NULL;
	struct bridge_entry victim = {};
	struct bridge_entry *e;
	char *tag;
	ssize_t idx;
	int err;

	if (!b || !name || !report) {
		ktsnap_report__free(report);
		return ktsnap_fail(-EINVAL, "store needs a bridge, a name and a report");
	}
	err = KTSNAP_OPTS_READ(o, opts, ktsnap_bridge_store_opts);
	if (err) {
		ktsnap_report__free(report);
		return err;
	}
	/* Allocate before locking so the critical section only moves pointers
	 * (and queues events). */
	tag = strdup(name);
	if (meta->stats)
		stats = ktsnap_stats__dup(meta->stats);
	if (!tag || (meta->stats && !stats)) {
		free(tag);
		ktsnap_stats__free(stats);
		ktsnap_report__free(report);
		return ktsnap_fail(-ENOMEM, "out of memory storing '%s'", name);
	}

	pthread_mutex_lock(&b->lock);
	idx = find_entry(b, name);
	if (idx >= 0) {
		struct ktsnap_bridge_event ev = {
			.kind = KTSNAP_BRIDGE_EVENT_OVERWRITE,
			.tag = name,
			.prior_schema = ktsnap_report__schema(b->entries[idx].report),
		};

		push_event(b, &ev);
		/* The replaced entry (report and every metadata slot) goes;
		 * the tag moves to the back. */
		victim = b->entries[idx];
		memmove(&b->entries[idx], &b->entries[idx + 1],
			(b->nr - (size_t)idx - 1) * sizeof(b->entries[0]));
		b->nr--;
	}

	e = &b->entries[b->nr++];
	memset(e, 0, sizeof(*e));
	e->tag = tag;
	e->report = report;
	e->stats = stats;
	e->meta = ktsnap_capture_meta_of(meta->elapsed_ms, meta->boundary_offset_ms,
					 meta->step_index);

	/* An overwrite keeps the count, so only a new tag can cross the cap,
	 * and by one entry at most. */
	if (idx < 0 && b->nr > STORE_CAP) {
		struct ktsnap_bridge_event ev = {
			.kind = KTSNAP_BRIDGE_EVENT_EVICTION,
			.evicted_tag = b->entries[0].tag,
			.new_tag = name,
			.cap = STORE_CAP,
		};

		push_event(b, &ev);
		victim = b->entries[0];
		memmove(&b->entries[0], &b->entries[1], (b->nr - 1) * sizeof(b->entries[0]));
		b->nr--;
	}
	pthread_mutex_unlock(&b->lock);

	entry_release(&victim);
	return 0;
}

bool ktsnap_bridge__capture_opts(struct ktsnap_bridge *b, const char *name,
				 const struct ktsnap_bridge_store_opts *opts)
{
	struct ktsnap_bridge_store_opts o;
	struct ktsnap_report *r;

	if (!b || !name) {
		ktsnap_fail(-EINVAL, "capture needs a bridge and a name");
		return false;
	}
	/* Refuse bad options before running a (long) capture for nothing. */
	if (KTSNAP_OPTS_READ(o, opts, ktsnap_bridge_store_opts))
		return false;
	/* The callback may take long (a full capture): no lock held. */
	r = b->capture(name, b->capture_ctx);
	if (!r) {
		struct ktsnap_bridge_event ev = {
			.kind = KTSNAP_BRIDGE_EVENT_CAPTURE_UNAVAILABLE,
			.tag = name,
		};

		pthread_mutex_lock(&b->lock);
		push_event(b, &ev);
		pthread_mutex_unlock(&b->lock);
		ktsnap_fail(-ENODATA, "capture '%s': the capture callback returned no report",
			    name);
		return false;
	}
	return ktsnap_bridge__store_opts(b, name, r, &o) == 0;
}

/* ---- queries ------------------------------------------------------------------------- */
bool ktsnap_bridge__has(struct ktsnap_bridge *b, const char *name)
{
	bool found;

	if (!b || !name)
		return false;
	pthread_mutex_lock(&b->lock);
	found = find_entry(b, name) >= 0;
	pthread_mutex_unlock(&b->lock);
	return found;
}

size_t ktsnap_bridge__len(struct ktsnap_bridge *b)
{
	size_t n;

	if (!b)
		return 0;
	pthread_mutex_lock(&b->lock);
	n = b->nr;
	pthread_mutex_unlock(&b->lock);
	return n;
}

bool ktsnap_bridge__is_empty(struct ktsnap_bridge *b)
{
	return ktsnap_bridge__len(b) == 0;
}

/* "periodic_" followed by exactly three ASCII digits. */
static bool is_periodic_tag(const char *tag)
{
	static const char prefix[] = "periodic_";
	const char *d;

	if (strncmp(tag, prefix, sizeof(prefix) - 1) != 0)
		return false;
	d = tag + sizeof(prefix) - 1;
	return d[0] >= '0' && d[0] <= '9' && d[1] >= '0' && d[1] <= '9' && d[2] >= '0' &&
	       d[2] <= '9' && d[3] == '\0';
}

/* Stored real reports with a periodic tag (lock held), saturating. */
static uint32_t periodic_real_locked(const struct ktsnap_bridge *b)
{
	uint32_t n = 0;
	size_t i;

	for (i = 0; i < b->nr; i++)
		if (is_periodic_tag(b->entries[i].tag) &&
		    !ktsnap_report__is_placeholder(b->entries[i].report) && n < UINT32_MAX)
			n++;
	return n;
}

uint32_t ktsnap_bridge__periodic_real_count(struct ktsnap_bridge *b)
{
	uint32_t n;

	if (!b)
		return 0;
	pthread_mutex_lock(&b->lock);
	n = periodic_real_locked(b);
	pthread_mutex_unlock(&b->lock);
	return n;
}

struct ktsnap_bridge_counts ktsnap_bridge__counts(struct ktsnap_bridge *b)
{
	struct ktsnap_bridge_counts c = { 0 };

	if (!b)
		return c;
	pthread_mutex_lock(&b->lock);
	c.len = b->nr;
	c.periodic_real = periodic_real_locked(b);
	c.events = b->ev_nr;
	pthread_mutex_unlock(&b->lock);
	c.watches = atomic_load(&b->watch_count);
	if (b->seqno)
		c.publish_seqno = atomic_load_explicit(b->seqno, memory_order_acquire);
	return c;
}

/* ---- report drains ------------------------------------------------------------------- */
enum drain_kind { DRAIN_MAP, DRAIN_ORDERED, DRAIN_WITH_STATS };

static struct ktsnap_drain *drain_internal(struct ktsnap_bridge *b, enum drain_kind kind)
{
	struct ktsnap_drain *d;
	size_t i;

	if (!b)
		return ktsnap_fail_ptr(-EINVAL, "NULL bridge");
	pthread_mutex_lock(&b->lock);
	d = calloc(1, sizeof(*d) + b->nr * sizeof(d->items[0]));
	if (!d) {
		pthread_mutex_unlock(&b->lock);
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	}
	/* The entries are already in FIFO order (and every report is in it),
	 * so the ordered drains never need their tail rule. */
	for (i = 0; i < b->nr; i++) {
		struct bridge_entry *e = &b->entries[i];
		struct drain_item *it = &d->items[i];

		it->pub.tag = e->tag;
		it->pub.report = e->report;
		it->stats_owned = e->stats;
		if (kind == DRAIN_WITH_STATS) {
			it->pub.stats = e->stats ? e->stats : &no_scheduler_binary;
			it->pub.meta = e->meta;
		}
		memset(e, 0, sizeof(*e));
	}
	d->nr = b->nr;
	b->nr = 0;
	pthread_mutex_unlock(&b->lock);

	if (kind != DRAIN_WITH_STATS) {
		/* Metadata is discarded by these drains. */
		for (i = 0; i < d->nr; i++) {
			ktsnap_stats__free(d->items[i].stats_owned);
			d->items[i].stats_owned = NULL;
		}
	}
	return d;
}

struct ktsnap_drain *ktsnap_bridge__drain(struct ktsnap_bridge *b)
{
	return drain_internal(b, DRAIN_MAP);
}

struct ktsnap_drain *ktsnap_bridge__drain_ordered(struct ktsnap_bridge *b)
{
	return drain_internal(b, DRAIN_ORDERED);
}

struct ktsnap_drain *ktsnap_bridge__drain_ordered_with_stats(struct ktsnap_bridge *b)
{
	return drain_internal(b, DRAIN_WITH_STATS);
}

size_t ktsnap_drain__count(const struct ktsnap_drain *d)
{
	return d ? d->nr : 0;
}

const struct ktsnap_drained_entry *ktsnap_drain__entry(const struct ktsnap_drain *d, size_t i)
{
	return ktsnap_index_ok(i, d ? d->nr : 0, "drain entry") ? &d->items[i].pub : NULL;
}

const struct ktsnap_drained_entry *ktsnap_drain__find(const struct ktsnap_drain *d, const char *tag)
{
	size_t i;

	if (d && tag)
		for (i = 0; i < d->nr; i++)
			if (strcmp(d->items[i].pub.tag, tag) == 0)
				return &d->items[i].pub;
	return ktsnap_fail_ptr(-ENOENT, "no drained capture tagged '%s'", tag ? tag : "(null)");
}

struct ktsnap_report *ktsnap_drain__take_report(struct ktsnap_drain *d, size_t i)
{
	struct ktsnap_report *r;

	if (!ktsnap_index_ok(i, d ? d->nr : 0, "drain entry"))
		return NULL;
	r = d->items[i].pub.report;
	d->items[i].pub.report = NULL;
	if (!r)
		return ktsnap_fail_ptr(-ENOENT, "the report of drain entry %zu was already taken",
				       i);
	return r;
}

void ktsnap_drain__free(struct ktsnap_drain *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nr; i++) {
		free((char *)d->items[i].pub.tag);
		ktsnap_report__free(d->items[i].pub.report);
		ktsnap_stats__free(d->items[i].stats_owned);
	}
	free(d);
}

/* ---- watch registration --------------------------------------------------------------- */
int ktsnap_bridge__register_watch(struct ktsnap_bridge *b, const char *symbol)
{
	size_t cur;
	char *cb_err = NULL;
	int ret;

	if (!b || !symbol)
		return ktsnap_fail(-EINVAL, "register_watch needs a bridge and a symbol");

	/* Reserve a slot first so concurrent callers can never push the
	 * count past the cap, even for an instant. */
	cur = atomic_load(&b->watch_count);
	do {
		if (cur >= WATCH_CAP)
			return ktsnap_fail(
				-ENOSPC,
				"Op::WatchSnapshot cap exceeded: scenario already registered %d watchpoints (%d user watchpoint slots occupied; slot 0 reserved for the error-class exit_kind trigger). Drop a watch or use Op::CaptureSnapshot for a time-driven capture instead.",
				WATCH_CAP, WATCH_CAP);
	} while (!atomic_compare_exchange_weak(&b->watch_count, &cur, cur + 1));

	if (!b->watch) {
		atomic_fetch_sub(&b->watch_count, 1);
		return ktsnap_fail(
			-EOPNOTSUPP,
			"Op::WatchSnapshot('%s'): no watch-register callback installed on this SnapshotBridge \u2014 the host wires one via SnapshotBridge::with_watch_register before execute_steps; in-guest / no-VM scenarios cannot register hardware watchpoints",
			symbol);
	}

	ret = b->watch(symbol, &cb_err, b->watch_ctx);
	if (ret) {
		atomic_fetch_sub(&b->watch_count, 1);
		if (ret > 0)
			ret = -EIO;
		if (cb_err)
			ktsnap_fail(ret, "%s", cb_err);
		else
			ktsnap_fail(ret, "watch-register callback failed for '%s': %s", symbol,
				    strerror(-ret));
		free(cb_err);
		return ret;
	}
	free(cb_err);
	return 0;
}

/* ---- thread-local installation ----------------------------------------------------- */
/* The slot owns one reference to its occupant; a guard holds the
 * reference of the occupant it displaced until it is released. */
static _Thread_local struct ktsnap_bridge *active_bridge;

struct ktsnap_bridge_guard ktsnap_bridge__set_thread_local(struct ktsnap_bridge *b)
{
	struct ktsnap_bridge_guard g = {
		.installed = b,
		.prev = active_bridge,
		.active = true,
	};

	active_bridge = b;
	return g;
}

void ktsnap_bridge_guard__release(struct ktsnap_bridge_guard *g)
{
	struct ktsnap_bridge *cur;

	if (!g || !g->active)
		return;
	g->active = false;
	cur = active_bridge;
	if (cur != g->installed)
		pr_warn("SnapshotBridge: thread-local guards released out of order\n");
	active_bridge = g->prev;
	g->prev = NULL;
	ktsnap_bridge__unref(cur);
}

bool ktsnap_with_active_bridge(void (*fn)(struct ktsnap_bridge *b, void *ctx), void *ctx)
{
	struct ktsnap_bridge *b = active_bridge;

	if (!b || !fn)
		return false;
	fn(b, ctx);
	return true;
}

/* ---- accessor-state waits --------------------------------------------------------------- */
uint64_t ktsnap_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sleep until the wake fd fires or @remaining_ns pass, then consume the
 * wake.  The atomics stay the source of truth: callers re-check them. */
static void wait_wake(struct ktsnap_bridge *b, uint64_t remaining_ns)
{
	struct pollfd pfd = { .fd = b->wake_fd, .events = POLLIN };
	/* Round up so a sub-millisecond remainder sleeps instead of spinning. */
	uint64_t ms = (remaining_ns + 999999) / 1000000;
	uint64_t val;

	if (!remaining_ns)
		return;
	if (ms > INT_MAX)
		ms = INT_MAX;
	if (poll(&pfd, 1, (int)ms) > 0 && (pfd.revents & POLLIN)) {
		/* Single consumer: readable means the read will not block. */
		if (read(b->wake_fd, &val, sizeof(val)) < 0 && errno != EAGAIN)
			pr_debug("SnapshotBridge: wake fd read failed: %s\n", strerror(errno));
	}
}

int ktsnap_bridge__wait_for_worker_state_not_trying(struct ktsnap_bridge *b, uint64_t deadline_ns,
						    const char *op_label)
{
	const char *label = op_label ? op_label : "";
	uint64_t now;
	uint8_t st;

	if (!b)
		return ktsnap_fail(-EINVAL, "NULL bridge");
	if (!b->state)
		return 0;
	for (;;) {
		st = atomic_load_explicit(b->state, memory_order_acquire);
		if (st != KTSNAP_ACCESSOR_TRYING) {
			if (st == KTSNAP_ACCESSOR_FAILED_PERMANENTLY)
				return ktsnap_fail(
					-ESRCH,
					"%s: accessor-init worker exited (FAILED_PERMANENTLY) before this op could run \u2014 check freeze-coord 'vmm-accessor-init' logs for ELF parse or boot-budget failures",
					label);
			return 0;
		}
		now = ktsnap_monotonic_ns();
		if (now >= deadline_ns)
			return ktsnap_fail(
				-ETIMEDOUT,
				"%s: accessor-init worker stayed in TRYING state past the deadline \u2014 the worker's first publish has not completed. Likely cause: kernel boot stalled before accessor's bootstrap symbols became readable. Check freeze-coord logs for `accessor-init:` lines",
				label);
		wait_wake(b, deadline_ns - now);
	}
}

int ktsnap_bridge__wait_for_accessor_publish_advance(struct ktsnap_bridge *b, uint64_t seqno_before,
						     uint64_t deadline_ns, const char *op_label,
						     uint64_t *seqno)
{
	const char *label = op_label ? op_label : "";
	uint64_t cur, now;
	uint8_t st;

	if (seqno)
		*seqno = 0;
	if (!b)
		return ktsnap_fail(-EINVAL, "NULL bridge");
	if (!b->seqno || !b->state)
		return 0;

	/* A publish that landed before the call returns without sleeping. */
	cur = atomic_load_explicit(b->seqno, memory_order_acquire);
	if (cur > seqno_before)
		goto advanced;
	for (;;) {
		st = atomic_load_explicit(b->state, memory_order_acquire);
		if (st == KTSNAP_ACCESSOR_FAILED_PERMANENTLY)
			return ktsnap_fail(
				-ESRCH,
				"%s: accessor-init worker exited (FAILED_PERMANENTLY) \u2014 check freeze-coord 'vmm-accessor-init' logs for ELF parse or boot-budget failures; retrying the op will hit the same wall",
				label);
		cur = atomic_load_explicit(b->seqno, memory_order_acquire);
		if (cur > seqno_before)
			goto advanced;
		now = ktsnap_monotonic_ns();
		if (now >= deadline_ns) {
			st = atomic_load_explicit(b->state, memory_order_acquire);
			return ktsnap_fail(
				-ETIMEDOUT,
				"%s: accessor reinit did not advance publish seqno from %" PRIu64
				" within deadline (worker state = %u; 0=Trying / 1=Succeeded / 2=FailedPermanently). A reinit that's stuck in Trying past the deadline indicates the coord's scan-tick hasn't observed the rebind or the worker's `from_elf_with_hint` retry is hitting a transient address-space window \u2014 check freeze-coord logs for `accessor-init:` lines",
				label, seqno_before, (unsigned int)st);
		}
		wait_wake(b, deadline_ns - now);
	}

advanced:
	if (seqno)
		*seqno = cur;
	return 0;
}

/* ---- debug ---------------------------------------------------------------------------- */
char *ktsnap_bridge__debug_string(struct ktsnap_bridge *b)
{
	struct ktsnap_bridge_counts c;
	char *s = NULL;

	if (!b)
		return ktsnap_fail_ptr(-EINVAL, "NULL bridge");
	c = ktsnap_bridge__counts(b);
	if (asprintf(
		    &s,
		    "SnapshotBridge { snapshots: %zu, watch_count: %zu, capture: \"<callback>\", register_watch: \"%s\" }",
		    c.len, c.watches, b->watch ? "<callback>" : "<none>") < 0)
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	return s;
}
