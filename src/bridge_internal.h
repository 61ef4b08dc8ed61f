/* SPDX-License-Identifier: MIT */
/*
 * bridge internals shared by bridge.c (the object, the store, drains,
 * events, watches, accessor waits) and bridge_log.c (the kernel-op and
 * cgroup.procs logs, and the small append/drain log they both use); series.c
 * builds its rows' metadata with ktsnap_capture_meta_of() as the store does.
 */
#ifndef KTSNAP_BRIDGE_INTERNAL_H
#define KTSNAP_BRIDGE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include <ktsnap/bridge.h>

/*
 * An append-only log of fixed-size records under its own lock: records
 * are appended by value (the log then owns what they point to), read in
 * place under the lock, and drained all at once by swapping the array
 * out, so a drain never copies records and never holds the lock for
 * long.  @release frees what one record owns.
 */
struct ktsnap_log {
	pthread_mutex_t lock;
	void *recs;
	size_t nr, cap;
	size_t rec_sz;
	void (*release)(void *rec);
};

/* What a drain took out of a log: owns the records. */
struct ktsnap_log_items {
	void *recs;
	size_t nr;
	size_t rec_sz;
	void (*release)(void *rec);
};

void ktsnap_log_init(struct ktsnap_log *l, size_t rec_sz, void (*release)(void *rec));
/* Release every record and the lock. */
void ktsnap_log_destroy(struct ktsnap_log *l);
/* Append the @rec_sz bytes at @rec: 0, or -ENOMEM (then @rec is still the
 * caller's). */
int ktsnap_log_append(struct ktsnap_log *l, const void *rec);
/* Call @fn on each record in order, under the lock, until it returns
 * non-zero; returns that value, or 0.  @fn must not touch the log. */
int ktsnap_log_each(struct ktsnap_log *l, int (*fn)(const void *rec, void *ctx), void *ctx);
/* Move every record into @out and leave the log empty. */
void ktsnap_log_take(struct ktsnap_log *l, struct ktsnap_log_items *out);
/* Record @i of @it, or NULL past the end. */
void *ktsnap_log_items_at(const struct ktsnap_log_items *it, size_t i);
/* Release every record of @it and its array. */
void ktsnap_log_items_release(struct ktsnap_log_items *it);

/*
 * Metadata slots from optional values (NULL: absent), the form the store
 * options and ktsnap_sample_series__push() take them in (series.c too).
 */
static inline struct ktsnap_capture_meta ktsnap_capture_meta_of(const uint64_t *elapsed_ms,
								const uint64_t *boundary_offset_ms,
								const uint16_t *step_index)
{
	return (struct ktsnap_capture_meta){
		.has_elapsed_ms = elapsed_ms,
		.elapsed_ms = elapsed_ms ? *elapsed_ms : 0,
		.has_boundary_offset_ms = boundary_offset_ms,
		.boundary_offset_ms = boundary_offset_ms ? *boundary_offset_ms : 0,
		.has_step_index = step_index,
		.step_index = step_index ? *step_index : 0,
	};
}

/* One entry of the store: a capture and its metadata slots. */
struct bridge_entry {
	char *tag;
	struct ktsnap_report *report;
	struct ktsnap_stats *stats; /* NULL: no stats slot */
	struct ktsnap_capture_meta meta;
};

struct ktsnap_bridge {
	atomic_long refcnt;

	ktsnap_capture_fn capture;
	void *capture_ctx;
	ktsnap_ctx_free_fn capture_free;
	ktsnap_watch_register_fn watch;
	void *watch_ctx;
	ktsnap_ctx_free_fn watch_free;
	ktsnap_kernel_op_fn kop;
	void *kop_ctx;
	ktsnap_ctx_free_fn kop_free;

	/* the store */
	pthread_mutex_t lock;
	struct bridge_entry entries[KTSNAP_MAX_STORED_SNAPSHOTS + 1]; /* oldest first */
	size_t nr;
	struct ktsnap_bridge_event *events[KTSNAP_MAX_STORED_EVENTS]; /* ring */
	size_t ev_head;
	size_t ev_nr;
	uint64_t events_dropped;

	struct ktsnap_log kops; /* struct kop_record */
	struct ktsnap_log cgs; /* struct ktsnap_cgroup_procs * */

	atomic_size_t watch_count;

	_Atomic uint64_t *seqno; /* accessor state: all or none */
	_Atomic uint8_t *state;
	int wake_fd;
};

/* Set up and tear down the bridge's two logs (bridge_log.c). */
void ktsnap_bridge_logs_init(struct ktsnap_bridge *b);
void ktsnap_bridge_logs_destroy(struct ktsnap_bridge *b);

/* @b's watch-register context when its callback is @fn (set by the
 * builders, like the callback), else NULL. */
void *ktsnap_bridge_watch_ctx(const struct ktsnap_bridge *b, ktsnap_watch_register_fn fn);

#endif /* KTSNAP_BRIDGE_INTERNAL_H */
