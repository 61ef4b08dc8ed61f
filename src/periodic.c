// SPDX-License-Identifier: MIT
/*
 * periodic: host-driven periodic capture (spec §8.1) on the live host.  It
 * owns the boundary schedule (integer ns math), the validation rules and
 * their texts, the workload clock (monotonic time minus scenario pauses),
 * and the run loop that, at each boundary, asks for scheduler stats, stamps
 * elapsed_ms, captures through a capture callback and stores the result
 * in a bridge as "periodic_%03u" with its metadata.  There is no freeze on
 * a live host: a capture either lands or fails, and a failure stores a
 * placeholder so the attempt stays visible; two failures in a row abandon
 * the rest of the schedule.  Failures are reported as everywhere else in
 * the library: a negative errno (NULL + errno) with a ktsnap_errmsg() text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ktsnap/bridge.h>
#include <ktsnap/capture.h>
#include <ktsnap/report.h>
#include <ktsnap/series.h>

#include "log_internal.h"
#include "opts_internal.h"

#define NS_PER_MS 1000000ULL

/* ---- validation and schedule --------------------------------------------------------- */

/* The rules of ktsnap_periodic__validate (which clears the text first). */
static int validate(uint32_t n, uint64_t duration_ns)
{
	unsigned __int128 lhs, rhs;

	if (!n)
		return 0;
	if (n > KTSNAP_PERIODIC_MAX_SNAPSHOTS)
		return ktsnap_fail(-EINVAL,
				   "num_snapshots = %u exceeds the bridge cap of %u stored "
				   "snapshots (MAX_STORED_SNAPSHOTS); reduce num_snapshots",
				   n, KTSNAP_PERIODIC_MAX_SNAPSHOTS);
	/* 0.8 * d / (n + 1) >= 100 ms  <=>  8 * d >= 10 * (n + 1) * 100 ms */
	lhs = (unsigned __int128)duration_ns * 8;
	rhs = (unsigned __int128)(n + 1) * 10 * KTSNAP_PERIODIC_MIN_SPACING_NS;
	if (lhs < rhs)
		return ktsnap_fail(
			-EINVAL,
			"num_snapshots = %u over a %llu ms workload spaces the "
			"boundaries %llu ms apart (0.8 * duration / (num_snapshots + 1)), "
			"below the 100 ms minimum; reduce num_snapshots or extend the "
			"duration",
			n, (unsigned long long)(duration_ns / NS_PER_MS),
			(unsigned long long)(duration_ns * 8 / 10 / (n + 1) / NS_PER_MS));
	return 0;
}

int ktsnap_periodic__validate(uint32_t n, uint64_t duration_ns)
{
	ktsnap_errmsg_clear();
	return validate(n, duration_ns);
}

size_t ktsnap_periodic__boundaries(uint64_t start, uint64_t end, uint32_t n, uint64_t *out)
{
	uint64_t avail, pre, w;
	uint32_t i;

	if (!n || end <= start || !out)
		return 0;
	avail = end - start;
	pre = avail / 10;
	w = avail - 2 * pre;
	if (w < (uint64_t)n + 1)
		return 0;
	for (i = 0; i < n; i++)
		out[i] = start + pre +
			 (uint64_t)((unsigned __int128)(i + 1) * w / ((uint64_t)n + 1));
	return n;
}

int ktsnap_periodic__default_check(struct ktsnap_bridge *b)
{
	ktsnap_errmsg_clear();
	if (!b)
		return ktsnap_fail(-EINVAL, "periodic: default_check needs a bridge");
	if (ktsnap_bridge__periodic_real_count(b) >= 1)
		return 0;
	return ktsnap_fail(-ENODATA, "periodic capture stored no boundary with real BPF state "
				     "(periodic_real_count() == 0): every boundary was missed or "
				     "produced a placeholder");
}

/* ---- the run ------------------------------------------------------------------------------- */

struct ktsnap_periodic {
	struct ktsnap_bridge *bridge; /* own handle */
	struct ktsnap_periodic_opts opts; /* read with KTSNAP_OPTS_READ */
	struct ktsnap_periodic_clock clock;
	bool default_clock;

	pthread_mutex_t lock;
	pthread_cond_t wake; /* CLOCK_MONOTONIC */
	/* under lock */
	bool stop, paused, started, thread_live;
	uint64_t paused_total_ns, pause_start_ns;
	uint16_t step;
	uint32_t fired;
	bool abandoned;
	int result;
	pthread_t thread;
};

static uint64_t mono_now(void *ctx)
{
	(void)ctx;
	return ktsnap_monotonic_ns();
}

static uint64_t raw_now(struct ktsnap_periodic *p)
{
	return p->clock.now_ns(p->clock.ctx);
}

/* Workload time: the clock minus every pause (the current one included). */
static uint64_t workload_now_locked(struct ktsnap_periodic *p)
{
	uint64_t t = raw_now(p), paused = p->paused_total_ns;

	if (p->paused && t > p->pause_start_ns)
		paused += t - p->pause_start_ns;
	return t > paused ? t - paused : 0;
}

struct ktsnap_periodic *ktsnap_periodic__new(struct ktsnap_bridge *b,
					     const struct ktsnap_periodic_opts *opts)
{
	static const char needs[] =
		"periodic capture needs a bridge, options and a capture callback";
	struct ktsnap_periodic_opts local;
	struct ktsnap_periodic *p;
	pthread_condattr_t ca;
	int rc;

	ktsnap_errmsg_clear();
	if (!b || !opts)
		return ktsnap_fail_ptr(-EINVAL, "%s", needs);
	rc = KTSNAP_OPTS_READ(local, opts, ktsnap_periodic_opts);
	if (rc)
		return ktsnap_err_ptr(rc);
	if (!local.capture)
		return ktsnap_fail_ptr(-EINVAL, "%s", needs);
	if (local.clock && !local.clock->now_ns)
		return ktsnap_fail_ptr(-EINVAL, "periodic: the injected clock has no now_ns");
	rc = validate(local.num_snapshots, local.duration_ns);
	if (rc)
		return ktsnap_err_ptr(rc);
	p = calloc(1, sizeof(*p));
	if (!p)
		return ktsnap_fail_ptr(-ENOMEM, "periodic capture: out of memory");
	p->opts = local;
	if (local.clock) {
		p->clock = *local.clock;
	} else {
		p->clock = (struct ktsnap_periodic_clock){ .now_ns = mono_now };
		p->default_clock = true;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wake, &ca);
	pthread_condattr_destroy(&ca);
	p->bridge = ktsnap_bridge__ref(b);
	return p;
}

/*
 * Sleep (lock held on entry and exit) until workload time reaches @target
 * or something changes (stop / pause / resume).
 */
static void wait_for(struct ktsnap_periodic *p, uint64_t target)
{
	uint64_t raw_deadline;
	struct timespec ts;

	if (p->paused) {
		if (p->default_clock) {
			pthread_cond_wait(&p->wake, &p->lock);
			return;
		}
		/* injected clock: poll in 1 ms steps of its own time */
		raw_deadline = raw_now(p) + NS_PER_MS;
	} else {
		raw_deadline = target + p->paused_total_ns;
	}
	if (p->default_clock) {
		ts.tv_sec = (time_t)(raw_deadline / 1000000000ULL);
		ts.tv_nsec = (long)(raw_deadline % 1000000000ULL);
		pthread_cond_timedwait(&p->wake, &p->lock, &ts);
		return;
	}
	pthread_mutex_unlock(&p->lock);
	if (p->clock.sleep_until)
		p->clock.sleep_until(raw_deadline, p->clock.ctx);
	pthread_mutex_lock(&p->lock);
}

/* The stats slot of one boundary (strings valid until the next call). */
static struct ktsnap_stats boundary_stats(struct ktsnap_periodic *p, char *buf, size_t size)
{
	struct ktsnap_stats st = ktsnap_stats_missing(KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY);
	int rc;

	if (!p->opts.stats)
		return st;
	rc = p->opts.stats(&st, p->opts.stats_ctx);
	if (rc < 0) {
		snprintf(buf, size, "stats callback failed: %s", strerror(-rc));
		st = ktsnap_stats_missing(KTSNAP_MISSING_STATS_NO_SCHEDULER);
		st.missing.reason = buf;
	}
	return st;
}

/* Service boundary @i scheduled at workload time @at.  true when it failed. */
static bool fire(struct ktsnap_periodic *p, uint32_t i, uint64_t at, uint64_t anchor)
{
	uint64_t elapsed_ms, offset_ms = (at - anchor) / NS_PER_MS, now;
	struct ktsnap_report *r;
	struct ktsnap_stats st;
	char tag[32], why[160];
	uint16_t step;
	bool failed;

	snprintf(tag, sizeof(tag), KTSNAP_PERIODIC_TAG_FMT, i);
	st = boundary_stats(p, why, sizeof(why));
	pthread_mutex_lock(&p->lock);
	now = workload_now_locked(p);
	step = p->step;
	pthread_mutex_unlock(&p->lock);
	elapsed_ms = (now > anchor ? now - anchor : 0) / NS_PER_MS;
	r = p->opts.capture(tag, p->opts.capture_ctx);
	failed = !r || ktsnap_report__is_placeholder(r);
	if (!r)
		r = ktsnap_report__placeholder("periodic capture failed: the capture callback "
					       "returned no report");
	if (r)
		ktsnap_bridge__store_with_stats_and_step(p->bridge, tag, r, &st, &elapsed_ms,
							 &offset_ms, step);
	return failed;
}

/* Claim the one run a periodic object gets: 0, or -EALREADY with its text. */
static int claim(struct ktsnap_periodic *p)
{
	bool ok;

	pthread_mutex_lock(&p->lock);
	ok = !p->started;
	p->started = true;
	pthread_mutex_unlock(&p->lock);
	return ok ? 0 : ktsnap_fail(-EALREADY, "periodic: run or start was already called");
}

/* The text of a run's result, recorded on the thread that reports it. */
static int result_text(struct ktsnap_periodic *p, int result)
{
	if (result == -ECANCELED)
		return ktsnap_fail(result,
				   "periodic: stopped before the last boundary (%u of %u serviced)",
				   ktsnap_periodic__fired(p), p->opts.num_snapshots);
	return result;
}

static int run_claimed_stats(struct ktsnap_periodic *p);

/* Run times in the samples (§12): statistics are held for the run; without
 * the privilege to enable them the samples' run times read 0. */
static int run_claimed(struct ktsnap_periodic *p)
{
	bool held = !ktsnap_prog_stats_hold();
	int result = run_claimed_stats(p);

	if (held)
		ktsnap_prog_stats_release();
	return result;
}

static int run_claimed_stats(struct ktsnap_periodic *p)
{
	uint64_t sched[KTSNAP_PERIODIC_MAX_SNAPSHOTS], anchor, ready;
	uint32_t i, n, consecutive = 0;
	int result = 0;

	pthread_mutex_lock(&p->lock);
	anchor = p->opts.anchor_ns ? p->opts.anchor_ns : workload_now_locked(p);
	pthread_mutex_unlock(&p->lock);
	ready = p->opts.ready_ns > anchor ? p->opts.ready_ns : anchor;
	n = (uint32_t)ktsnap_periodic__boundaries(ready, anchor + p->opts.duration_ns,
						  p->opts.num_snapshots, sched);
	for (i = 0; i < n; i++) {
		bool failed;

		pthread_mutex_lock(&p->lock);
		while (!p->stop && (p->paused || workload_now_locked(p) < sched[i]))
			wait_for(p, sched[i]);
		if (p->stop) {
			pthread_mutex_unlock(&p->lock);
			result = -ECANCELED;
			break;
		}
		pthread_mutex_unlock(&p->lock);

		failed = fire(p, i, sched[i], anchor);
		consecutive = failed ? consecutive + 1 : 0;
		pthread_mutex_lock(&p->lock);
		p->fired++;
		if (consecutive >= KTSNAP_PERIODIC_MAX_CONSECUTIVE_FAILURES && i + 1 < n)
			p->abandoned = true;
		pthread_mutex_unlock(&p->lock);
		if (consecutive >= KTSNAP_PERIODIC_MAX_CONSECUTIVE_FAILURES)
			break;
	}
	pthread_mutex_lock(&p->lock);
	p->result = result;
	pthread_mutex_unlock(&p->lock);
	return result;
}

int ktsnap_periodic__run(struct ktsnap_periodic *p)
{
	int rc;

	ktsnap_errmsg_clear();
	if (!p)
		return ktsnap_fail(-EINVAL, "periodic: run needs a periodic object");
	rc = claim(p);
	if (rc)
		return rc;
	return result_text(p, run_claimed(p));
}

static void *thread_main(void *arg)
{
	run_claimed(arg);
	return NULL;
}

int ktsnap_periodic__start(struct ktsnap_periodic *p)
{
	int rc;

	ktsnap_errmsg_clear();
	if (!p)
		return ktsnap_fail(-EINVAL, "periodic: start needs a periodic object");
	rc = claim(p);
	if (rc)
		return rc;
	rc = pthread_create(&p->thread, NULL, thread_main, p);
	pthread_mutex_lock(&p->lock);
	p->thread_live = !rc;
	if (rc)
		p->started = false;
	pthread_mutex_unlock(&p->lock);
	if (rc)
		return ktsnap_fail(-rc, "periodic: cannot create the capture thread: %s",
				   strerror(rc));
	return 0;
}

/* Join the capture thread: its run's result, or -ESRCH (no text) when none is live. */
static int join_thread(struct ktsnap_periodic *p)
{
	bool live;
	int rc;

	pthread_mutex_lock(&p->lock);
	live = p->thread_live;
	pthread_mutex_unlock(&p->lock);
	if (!live)
		return -ESRCH;
	pthread_join(p->thread, NULL);
	pthread_mutex_lock(&p->lock);
	p->thread_live = false;
	rc = p->result;
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int ktsnap_periodic__join(struct ktsnap_periodic *p)
{
	int rc;

	ktsnap_errmsg_clear();
	if (!p)
		return ktsnap_fail(-EINVAL, "periodic: join needs a periodic object");
	rc = join_thread(p);
	if (rc == -ESRCH)
		return ktsnap_fail(rc, "periodic: join without a capture thread to wait for "
				       "(start was not called, failed, or the thread was already "
				       "joined)");
	return result_text(p, rc);
}

void ktsnap_periodic__stop(struct ktsnap_periodic *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void ktsnap_periodic__pause(struct ktsnap_periodic *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	if (!p->paused) {
		p->paused = true;
		p->pause_start_ns = raw_now(p);
		pthread_cond_broadcast(&p->wake);
	}
	pthread_mutex_unlock(&p->lock);
}

void ktsnap_periodic__resume(struct ktsnap_periodic *p)
{
	uint64_t t;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->paused) {
		t = raw_now(p);
		p->paused_total_ns += t > p->pause_start_ns ? t - p->pause_start_ns : 0;
		p->paused = false;
		pthread_cond_broadcast(&p->wake);
	}
	pthread_mutex_unlock(&p->lock);
}

void ktsnap_periodic__set_step(struct ktsnap_periodic *p, uint16_t step_index)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->step = step_index;
	pthread_mutex_unlock(&p->lock);
}

uint32_t ktsnap_periodic__target(const struct ktsnap_periodic *p)
{
	return p ? p->opts.num_snapshots : 0;
}

uint32_t ktsnap_periodic__fired(struct ktsnap_periodic *p)
{
	uint32_t n;

	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	n = p->fired;
	pthread_mutex_unlock(&p->lock);
	return n;
}

bool ktsnap_periodic__abandoned(struct ktsnap_periodic *p)
{
	bool a;

	if (!p)
		return false;
	pthread_mutex_lock(&p->lock);
	a = p->abandoned;
	pthread_mutex_unlock(&p->lock);
	return a;
}

void ktsnap_periodic__free(struct ktsnap_periodic *p)
{
	if (!p)
		return;
	ktsnap_periodic__stop(p);
	join_thread(p); /* a destructor leaves ktsnap_errmsg() alone */
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	ktsnap_bridge__unref(p->bridge);
	free(p);
}
