// SPDX-License-Identifier: MIT
/*
 * Periodic capture (spec §8.1; FEATURES F07, F110–F112): the schedule and
 * validation as pure functions, then the run loop on an injected clock
 * with scripted capture callbacks (no test waits on real time except the
 * thread tests, which assert on outcomes only).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include <ktsnap/bridge.h>
#include <ktsnap/report.h>
#include <ktsnap/series.h>

#define SEC 1000000000ULL
#define MS 1000000ULL

/* ---- F07, F110, F111 ----------------------------------------------------------------- */
static void test_tag_format(void **state)
{
	char buf[32];

	(void)state;
	snprintf(buf, sizeof(buf), KTSNAP_PERIODIC_TAG_FMT, 0u);
	assert_string_equal(buf, "periodic_000");
	snprintf(buf, sizeof(buf), KTSNAP_PERIODIC_TAG_FMT, 7u);
	assert_string_equal(buf, "periodic_007");
	snprintf(buf, sizeof(buf), KTSNAP_PERIODIC_TAG_FMT, 63u);
	assert_string_equal(buf, "periodic_063");
}

static void test_schedule(void **state)
{
	uint64_t b[64];
	size_t i;

	(void)state;
	assert_int_equal(ktsnap_periodic__boundaries(0, 10 * SEC, 3, b), 3);
	assert_int_equal(b[0], 3 * SEC);
	assert_int_equal(b[1], 5 * SEC);
	assert_int_equal(b[2], 7 * SEC);
	/* anchored anywhere on the clock */
	assert_int_equal(ktsnap_periodic__boundaries(7 * SEC, 17 * SEC, 3, b), 3);
	assert_int_equal(b[0], 10 * SEC);
	assert_int_equal(ktsnap_periodic__boundaries(0, 10 * SEC, 0, b), 0);
	assert_int_equal(ktsnap_periodic__boundaries(5, 5, 3, b), 0);
	assert_int_equal(ktsnap_periodic__boundaries(6, 5, 3, b), 0);
	/* w = 8 ns cannot hold 8 intervals of N = 8 … but can hold N = 7 */
	assert_int_equal(ktsnap_periodic__boundaries(0, 10, 8, b), 0);
	assert_int_equal(ktsnap_periodic__boundaries(0, 10, 7, b), 7);
	/* integer math, strictly increasing, inside the 10%–90% slice */
	assert_int_equal(ktsnap_periodic__boundaries(0, 1000000007ULL, 64, b), 64);
	for (i = 0; i < 64; i++) {
		assert_true(b[i] > 100000000ULL);
		assert_true(b[i] < 900000007ULL);
		if (i)
			assert_true(b[i] > b[i - 1]);
	}
}

static void test_validation(void **state)
{
	(void)state;
	assert_int_equal(ktsnap_periodic__validate(3, 10 * SEC), 0);
	assert_string_equal(ktsnap_errmsg(), "");
	assert_int_equal(ktsnap_periodic__validate(0, 0), 0); /* off */
	assert_int_equal(ktsnap_periodic__validate(64, 60 * SEC), 0);

	assert_int_equal(ktsnap_periodic__validate(65, 3600 * SEC), -EINVAL);
	assert_string_equal(ktsnap_errmsg(),
			    "num_snapshots = 65 exceeds the bridge cap of 64 stored "
			    "snapshots (MAX_STORED_SNAPSHOTS); reduce num_snapshots");
	/* a passing call clears the text of the failed one */
	assert_int_equal(ktsnap_periodic__validate(3, 10 * SEC), 0);
	assert_string_equal(ktsnap_errmsg(), "");

	assert_int_equal(ktsnap_periodic__validate(8, 1 * SEC), -EINVAL);
	assert_string_equal(ktsnap_errmsg(),
			    "num_snapshots = 8 over a 1000 ms workload spaces the "
			    "boundaries 88 ms apart (0.8 * duration / (num_snapshots + 1)), below "
			    "the 100 ms minimum; reduce num_snapshots or extend the duration");
	/* exactly 100 ms apart is allowed: 0.8 * 1.25 s / 10 */
	assert_int_equal(ktsnap_periodic__validate(9, 1250 * MS), 0);
	assert_int_equal(ktsnap_periodic__validate(9, 1250 * MS - 1), -EINVAL);
}

/* ---- the run loop on a fake clock ----------------------------------------------------- */
struct fake {
	uint64_t t; /* the clock */
	const char *script; /* per call: 'r' real, 'n' NULL, 'p' placeholder */
	unsigned int calls;
	uint64_t at[16]; /* clock at each capture */
	struct ktsnap_periodic *p;
	/* on call 0: pause for pause_ns, then set step; on call stop_at: stop */
	uint64_t pause_ns;
	int stop_at;
	unsigned int stats_calls;
};

static uint64_t fake_now(void *ctx)
{
	return ((struct fake *)ctx)->t;
}

static void fake_sleep(uint64_t deadline, void *ctx)
{
	struct fake *f = ctx;

	if (f->t < deadline)
		f->t = deadline;
}

static struct ktsnap_report *fake_capture(const char *name, void *ctx)
{
	struct fake *f = ctx;
	char c = f->script[f->calls % strlen(f->script)];

	(void)name;
	f->at[f->calls] = f->t;
	if (f->calls == 0 && f->pause_ns) {
		ktsnap_periodic__pause(f->p);
		f->t += f->pause_ns;
		ktsnap_periodic__resume(f->p);
		ktsnap_periodic__set_step(f->p, 1);
	}
	if ((int)f->calls == f->stop_at)
		ktsnap_periodic__stop(f->p);
	f->calls++;
	/* capture takes 1 ms of (unpaused) time */
	f->t += MS;
	if (c == 'n')
		return NULL;
	if (c == 'p')
		return ktsnap_report__placeholder("live capture failed: test");
	return ktsnap_report__new();
}

static int fake_stats(struct ktsnap_stats *out, void *ctx)
{
	struct fake *f = ctx;

	if (f->stats_calls++ == 1)
		return -EIO;
	*out = ktsnap_stats_json("{\"nr\":1}");
	return 0;
}

static struct ktsnap_report *never(const char *name, void *ctx)
{
	(void)name;
	(void)ctx;
	return NULL;
}

static struct ktsnap_periodic *mk(struct ktsnap_bridge *b, struct fake *f, uint32_t n,
				  struct ktsnap_periodic_clock *clk)
{
	struct ktsnap_periodic_opts o = {
		.sz = sizeof(o),
		.num_snapshots = n,
		.duration_ns = 10 * SEC,
		.capture = fake_capture,
		.capture_ctx = f,
		.clock = clk,
	};

	*clk = (struct ktsnap_periodic_clock){ fake_now, fake_sleep, f };
	f->p = ktsnap_periodic__new(b, &o);
	assert_non_null(f->p);
	assert_string_equal(ktsnap_errmsg(), "");
	return f->p;
}

/* mk() on a fresh fake at time 0 that plays @script and never stops the run. */
static struct ktsnap_periodic *mk_script(struct ktsnap_bridge *b, struct fake *f,
					 const char *script, uint32_t n,
					 struct ktsnap_periodic_clock *clk)
{
	memset(f, 0, sizeof(*f));
	f->script = script;
	f->stop_at = -1;
	return mk(b, f, n, clk);
}

static void test_run_stores_boundaries(void **state)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(never, NULL, NULL);
	struct fake f = { .t = 5 * SEC, .script = "r", .pause_ns = SEC, .stop_at = -1 };
	struct ktsnap_periodic_clock clk;
	struct ktsnap_periodic_opts o;
	struct ktsnap_periodic *p;
	struct ktsnap_drain *d;
	const struct ktsnap_drained_entry *e;

	(void)state;
	p = mk(b, &f, 3, &clk);
	assert_int_equal(ktsnap_periodic__target(p), 3);
	assert_int_equal(ktsnap_periodic__fired(p), 0);
	assert_int_equal(ktsnap_periodic__run(p), 0);
	assert_int_equal(ktsnap_periodic__run(p), -EALREADY);
	assert_string_equal(ktsnap_errmsg(), "periodic: run or start was already called");
	assert_int_equal(ktsnap_periodic__start(p), -EALREADY);
	assert_string_equal(ktsnap_errmsg(), "periodic: run or start was already called");
	/* a run in the caller's thread leaves no thread to join */
	assert_int_equal(ktsnap_periodic__join(p), -ESRCH);
	assert_non_null(strstr(ktsnap_errmsg(), "periodic: join without a capture thread"));
	assert_int_equal(ktsnap_periodic__fired(p), 3);
	assert_false(ktsnap_periodic__abandoned(p));
	/* the 1 s pause after the first capture shifts the later boundaries */
	assert_int_equal(f.at[0], 8 * SEC);
	assert_int_equal(f.at[1], 11 * SEC);
	assert_int_equal(f.at[2], 13 * SEC);
	assert_int_equal(ktsnap_bridge__periodic_real_count(b), 3);
	assert_int_equal(ktsnap_periodic__default_check(b), 0);
	assert_string_equal(ktsnap_errmsg(), "");

	d = ktsnap_bridge__drain_ordered_with_stats(b);
	assert_int_equal(ktsnap_drain__count(d), 3);
	e = ktsnap_drain__entry(d, 0);
	assert_string_equal(e->tag, "periodic_000");
	assert_true(e->meta.has_elapsed_ms && e->meta.has_boundary_offset_ms &&
		    e->meta.has_step_index);
	assert_int_equal(e->meta.elapsed_ms, 3000);
	assert_int_equal(e->meta.boundary_offset_ms, 3000);
	assert_int_equal(e->meta.step_index, 0);
	assert_false(e->stats->ok);
	assert_int_equal(e->stats->missing.kind, KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY);
	/* pause-adjusted: workload time, not the clock */
	e = ktsnap_drain__entry(d, 1);
	assert_string_equal(e->tag, "periodic_001");
	assert_int_equal(e->meta.elapsed_ms, 5000);
	assert_int_equal(e->meta.boundary_offset_ms, 5000);
	assert_int_equal(e->meta.step_index, 1);
	e = ktsnap_drain__entry(d, 2);
	assert_string_equal(e->tag, "periodic_002");
	assert_int_equal(e->meta.elapsed_ms, 7000);
	assert_int_equal(e->meta.step_index, 1);
	ktsnap_drain__free(d);
	ktsnap_periodic__free(p);

	/* the capture window starts when the prerequisites are ready */
	memset(&f, 0, sizeof(f));
	f.script = "r";
	f.stop_at = -1;
	f.t = 100 * SEC;
	o = (struct ktsnap_periodic_opts){ .sz = sizeof(o),
					   .num_snapshots = 1,
					   .duration_ns = 10 * SEC,
					   .anchor_ns = 100 * SEC,
					   .ready_ns = 102 * SEC,
					   .capture = fake_capture,
					   .capture_ctx = &f,
					   .stats = fake_stats,
					   .stats_ctx = &f,
					   .clock = &clk };
	clk = (struct ktsnap_periodic_clock){ fake_now, fake_sleep, &f };
	p = f.p = ktsnap_periodic__new(b, &o);
	assert_int_equal(ktsnap_periodic__run(p), 0);
	/* window 102..110 s: pre 0.8 s, w 6.4 s, boundary 102 + 0.8 + 3.2 s */
	assert_int_equal(f.at[0], 106 * SEC);
	d = ktsnap_bridge__drain_ordered_with_stats(b);
	e = ktsnap_drain__entry(d, 0);
	assert_int_equal(e->meta.boundary_offset_ms, 6000);
	assert_true(e->stats->ok);
	assert_string_equal(e->stats->json, "{\"nr\":1}");
	ktsnap_drain__free(d);
	ktsnap_periodic__free(p);
	ktsnap_bridge__unref(b);
}

static void test_failures_and_abandonment(void **state)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(never, NULL, NULL);
	struct ktsnap_periodic_clock clk;
	struct ktsnap_periodic *p;
	struct ktsnap_drain *d;
	struct fake f;

	(void)state;
	p = mk_script(b, &f, "rnprr", 5, &clk);
	assert_int_equal(ktsnap_periodic__run(p), 0);
	/* real, NULL, placeholder: two failures in a row end the run */
	assert_int_equal(ktsnap_periodic__fired(p), 3);
	assert_true(ktsnap_periodic__abandoned(p));
	assert_int_equal(ktsnap_bridge__periodic_real_count(b), 1);
	d = ktsnap_bridge__drain_ordered_with_stats(b);
	assert_int_equal(ktsnap_drain__count(d), 3);
	assert_true(ktsnap_report__is_placeholder(ktsnap_drain__entry(d, 1)->report));
	assert_string_equal(
		ktsnap_report__scx_walker_unavailable(ktsnap_drain__entry(d, 1)->report),
		"periodic capture failed: the capture callback returned no report");
	assert_true(ktsnap_report__is_placeholder(ktsnap_drain__entry(d, 2)->report));
	ktsnap_drain__free(d);
	ktsnap_periodic__free(p);

	/* failures that are not consecutive never abandon */
	p = mk_script(b, &f, "rn", 5, &clk);
	assert_int_equal(ktsnap_periodic__run(p), 0);
	assert_int_equal(ktsnap_periodic__fired(p), 5);
	assert_false(ktsnap_periodic__abandoned(p));
	assert_int_equal(ktsnap_bridge__periodic_real_count(b), 3);
	ktsnap_drain__free(ktsnap_bridge__drain(b));
	ktsnap_periodic__free(p);

	/* nothing real: the default post-run check fails */
	p = mk_script(b, &f, "n", 2, &clk);
	assert_int_equal(ktsnap_periodic__run(p), 0);
	assert_int_equal(ktsnap_periodic__fired(p), 2);
	assert_false(ktsnap_periodic__abandoned(p)); /* nothing was left to abandon */
	assert_int_equal(ktsnap_periodic__default_check(b), -ENODATA);
	assert_string_equal(ktsnap_errmsg(),
			    "periodic capture stored no boundary with real BPF state "
			    "(periodic_real_count() == 0): every boundary was missed or produced "
			    "a placeholder");
	assert_int_equal(ktsnap_periodic__default_check(NULL), -EINVAL);
	assert_string_equal(ktsnap_errmsg(), "periodic: default_check needs a bridge");
	ktsnap_drain__free(ktsnap_bridge__drain(b));
	ktsnap_periodic__free(p);
	ktsnap_bridge__unref(b);
}

static void test_stop_and_bad_options(void **state)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(never, NULL, NULL);
	struct fake f = { .t = 0, .script = "r", .stop_at = 1 };
	struct ktsnap_periodic_clock clk;
	struct ktsnap_periodic_opts o = { .sz = sizeof(o),
					  .num_snapshots = 65,
					  .duration_ns = 3600 * SEC,
					  .capture = fake_capture };
	struct ktsnap_periodic *p;

	(void)state;
	p = mk(b, &f, 4, &clk);
	assert_int_equal(ktsnap_periodic__run(p), -ECANCELED);
	assert_string_equal(ktsnap_errmsg(),
			    "periodic: stopped before the last boundary (2 of 4 serviced)");
	assert_int_equal(ktsnap_periodic__fired(p), 2);
	ktsnap_periodic__free(p);

	assert_null(ktsnap_periodic__new(b, &o));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(ktsnap_errmsg(),
			    "num_snapshots = 65 exceeds the bridge cap of 64 stored "
			    "snapshots (MAX_STORED_SNAPSHOTS); reduce num_snapshots");
	o.num_snapshots = 1;
	o.capture = NULL;
	assert_null(ktsnap_periodic__new(b, &o));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(ktsnap_errmsg(),
			    "periodic capture needs a bridge, options and a capture callback");
	assert_null(ktsnap_periodic__new(b, NULL));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(ktsnap_errmsg(),
			    "periodic capture needs a bridge, options and a capture callback");
	o.capture = fake_capture;
	assert_null(ktsnap_periodic__new(NULL, &o));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(ktsnap_errmsg(),
			    "periodic capture needs a bridge, options and a capture callback");
	/* an injected clock must tell the time */
	clk = (struct ktsnap_periodic_clock){ 0 };
	o.clock = &clk;
	assert_null(ktsnap_periodic__new(b, &o));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(ktsnap_errmsg(), "periodic: the injected clock has no now_ns");

	/* NULL objects fail with a text too */
	assert_int_equal(ktsnap_periodic__run(NULL), -EINVAL);
	assert_string_equal(ktsnap_errmsg(), "periodic: run needs a periodic object");
	assert_int_equal(ktsnap_periodic__start(NULL), -EINVAL);
	assert_string_equal(ktsnap_errmsg(), "periodic: start needs a periodic object");
	assert_int_equal(ktsnap_periodic__join(NULL), -EINVAL);
	assert_string_equal(ktsnap_errmsg(), "periodic: join needs a periodic object");
	ktsnap_drain__free(ktsnap_bridge__drain(b));
	ktsnap_bridge__unref(b);
}

static struct ktsnap_report *real_capture(const char *name, void *ctx)
{
	(void)name;
	(void)ctx;
	return ktsnap_report__new();
}

/* ---- the options are read like every other opts struct ----------------------------------- */
static void test_opts_sizes(void **state)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(never, NULL, NULL);
	struct ktsnap_periodic_clock broken = { 0 }; /* no now_ns: refused if read */
	struct {
		struct ktsnap_periodic_opts o;
		uint64_t newer; /* a field of a newer ktsnap */
	} big;
	struct ktsnap_periodic_opts o;
	struct ktsnap_periodic *p;

	(void)state;
	/* an older caller's struct ends before clock: clock reads as NULL */
	o = (struct ktsnap_periodic_opts){ .sz = offsetof(struct ktsnap_periodic_opts, clock),
					   .capture = real_capture,
					   .clock = &broken };
	p = ktsnap_periodic__new(b, &o);
	assert_non_null(p);
	assert_int_equal(ktsnap_periodic__run(p), 0); /* num_snapshots 0: off */
	assert_int_equal(ktsnap_periodic__fired(p), 0);
	ktsnap_periodic__free(p);
	/* the same struct at full size does read clock */
	o.sz = sizeof(o);
	assert_null(ktsnap_periodic__new(b, &o));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(ktsnap_errmsg(), "periodic: the injected clock has no now_ns");
	/* too small to hold even sz */
	o.sz = 4;
	assert_null(ktsnap_periodic__new(b, &o));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(ktsnap_errmsg(), "ktsnap_periodic_opts: opts.sz 4 "));

	/* a newer caller's struct: zero bytes past the known end are fine … */
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.o.capture = real_capture;
	p = ktsnap_periodic__new(b, &big.o);
	assert_non_null(p);
	ktsnap_periodic__free(p);
	/* … an option this ktsnap does not know is refused, not ignored */
	big.newer = 1;
	assert_null(ktsnap_periodic__new(b, &big.o));
	assert_int_equal(errno, E2BIG);
	assert_non_null(strstr(ktsnap_errmsg(), "ktsnap_periodic_opts: opts.sz "));
	assert_non_null(strstr(ktsnap_errmsg(), "has a non-zero byte at offset "));
	ktsnap_bridge__unref(b);
}

/* ---- scheduler stats over the scx stats socket ------------------------------------------ */
struct stats_server {
	int lfd;
	const char *const *replies; /* one per connection; NULL ends */
	char request[512]; /* the last request line seen */
};

static void *serve(void *arg)
{
	struct stats_server *sv = arg;
	const char *const *r;

	for (r = sv->replies; *r; r++) {
		int fd = accept(sv->lfd, NULL, NULL);
		size_t n = 0;
		ssize_t got;

		if (fd < 0)
			break;
		while (n + 1 < sizeof(sv->request) &&
		       (got = read(fd, sv->request + n, sizeof(sv->request) - 1 - n)) > 0) {
			n += (size_t)got;
			if (memchr(sv->request, '\n', n))
				break;
		}
		sv->request[n] = '\0';
		if (**r != '!' && write(fd, *r, strlen(*r)) < 0)
			break;
		close(fd);
	}
	return NULL;
}

static void test_stats_socket(void **state)
{
	static const char *const replies[] = {
		"{\"errno\":0,\"args\":{\"resp\":{\"nr\":7,\"layers\":{}}}}\n",
		"{\"errno\":22,\"args\":{\"resp\":\"bad target\"}}\n",
		"{\"errno\":0,\"args\":{}}\n",
		"not json\n",
		"!", /* close without answering */
		"{\"errno\":0,\"args\":{\"resp\":{\"pad\":\"0123456789012345678901234567890123456789\"}}}\n",
		NULL,
	};
	char dir[] = "/tmp/ktsnap-stats-XXXXXX", path[64], buf[256];
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stats_server sv = { .replies = replies };
	struct ktsnap_stats_socket *c;
	struct ktsnap_stats st;
	pthread_t th;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/stats", dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	sv.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(sv.lfd >= 0);
	assert_int_equal(bind(sv.lfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(sv.lfd, 8), 0);
	assert_int_equal(pthread_create(&th, NULL, serve, &sv), 0);

	c = ktsnap_stats_socket__new(path, "top", 5000, 64);
	assert_non_null(c);
	assert_int_equal(ktsnap_stats_socket__request(&st, c), 0);
	assert_true(st.ok);
	assert_string_equal(st.json, "{\"nr\":7,\"layers\":{}}");

	ktsnap_stats_socket__request(&st, c);
	assert_false(st.ok);
	ktsnap_missing_stats__format(&st.missing, buf, sizeof(buf));
	assert_string_equal(buf, "scheduler returned errno=22 (args={\"resp\":\"bad target\"})");

	ktsnap_stats_socket__request(&st, c);
	ktsnap_missing_stats__format(&st.missing, buf, sizeof(buf));
	assert_string_equal(buf, "scheduler envelope missing 'resp' key (args={})");

	ktsnap_stats_socket__request(&st, c);
	assert_int_equal(st.missing.kind, KTSNAP_MISSING_STATS_NO_SCHEDULER);
	assert_non_null(strstr(st.missing.reason, "malformed response"));

	ktsnap_stats_socket__request(&st, c);
	assert_int_equal(st.missing.kind, KTSNAP_MISSING_STATS_NO_SCHEDULER);
	assert_non_null(strstr(st.missing.reason, "receive"));

	ktsnap_stats_socket__request(&st, c);
	assert_int_equal(st.missing.kind, KTSNAP_MISSING_STATS_RESPONSE_TOO_LARGE);
	assert_int_equal(st.missing.max, 64);
	assert_true(st.missing.size > 64);
	assert_int_equal(pthread_join(th, NULL), 0);
	/* the request line the scheduler saw */
	assert_string_equal(sv.request, "{\"req\":\"stats\",\"args\":{\"target\":\"top\"}}\n");
	close(sv.lfd);
	unlink(path);

	/* nobody listening: NoScheduler naming the socket */
	ktsnap_stats_socket__request(&st, c);
	ktsnap_missing_stats__format(&st.missing, buf, sizeof(buf));
	assert_non_null(strstr(buf, "guest relay reports no scheduler: stats socket "));
	assert_non_null(strstr(buf, ": connect: "));
	ktsnap_stats_socket__free(c);
	rmdir(dir);
}

/* ---- beside a workload, on a thread --------------------------------------------------------- */
static void test_thread_fake_clock(void **state)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(never, NULL, NULL);
	struct ktsnap_periodic_clock clk;
	struct ktsnap_periodic *p;
	struct fake f;

	(void)state;
	p = mk_script(b, &f, "r", 3, &clk);
	assert_int_equal(ktsnap_periodic__start(p), 0);
	assert_int_equal(ktsnap_periodic__start(p), -EALREADY);
	assert_int_equal(ktsnap_periodic__join(p), 0);
	assert_int_equal(ktsnap_periodic__fired(p), 3);
	assert_int_equal(ktsnap_bridge__len(b), 3);
	ktsnap_periodic__free(p);
	ktsnap_bridge__unref(b);
}

static void test_thread_real_clock(void **state)
{
	struct ktsnap_bridge *b = ktsnap_bridge__new(never, NULL, NULL);
	struct ktsnap_periodic_opts o = { .sz = sizeof(o),
					  .num_snapshots = 2,
					  .duration_ns = 600 * MS,
					  .capture = real_capture };
	struct ktsnap_periodic *p;
	int rc;

	(void)state;
	/* runs to completion beside the caller (boundaries at 240 and 360 ms) */
	p = ktsnap_periodic__new(b, &o);
	assert_non_null(p);
	assert_int_equal(ktsnap_periodic__start(p), 0);
	assert_int_equal(ktsnap_periodic__join(p), 0);
	assert_int_equal(ktsnap_periodic__fired(p), 2);
	assert_int_equal(ktsnap_bridge__periodic_real_count(b), 2);
	ktsnap_periodic__free(p);

	/* stop wakes a sleeping run: whatever fired by then, the run ends cancelled */
	o.num_snapshots = 3;
	o.duration_ns = 3600 * SEC;
	p = ktsnap_periodic__new(b, &o);
	assert_int_equal(ktsnap_periodic__start(p), 0);
	ktsnap_periodic__pause(p);
	ktsnap_periodic__stop(p);
	rc = ktsnap_periodic__join(p);
	assert_int_equal(rc, -ECANCELED);
	/* the run's text lands on the joining thread */
	assert_non_null(strstr(ktsnap_errmsg(), "periodic: stopped before the last boundary ("));
	assert_int_equal(ktsnap_periodic__join(p), -ESRCH);
	assert_non_null(strstr(ktsnap_errmsg(), "periodic: join without a capture thread"));
	ktsnap_periodic__free(p);
	ktsnap_drain__free(ktsnap_bridge__drain(b));
	ktsnap_bridge__unref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tag_format),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_run_stores_boundaries),
		cmocka_unit_test(test_failures_and_abandonment),
		cmocka_unit_test(test_stop_and_bad_options),
		cmocka_unit_test(test_opts_sizes),
		cmocka_unit_test(test_stats_socket),
		cmocka_unit_test(test_thread_fake_clock),
		cmocka_unit_test(test_thread_real_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
