// SPDX-License-Identifier: MIT
/*
 * watch: live-host watch snapshots (spec §9, §12).  This file owns the
 * watcher object: its 3 user slots, the per-CPU perf_event_open hardware
 * write breakpoints of each armed symbol and their mmap rings, the
 * watcher thread that turns ring records into captures through the
 * bridge, the BPF run-time statistics it holds while armed, and the
 * disarm paths (disarm, free, the bridge's release of its callback
 * context, and process exit).  Symbol resolution is kaddr.c's.
 *
 * Locking: w->lock guards the slots and the stats hold; the watcher thread
 * takes it only to drain the rings and copy what a capture needs, then
 * captures and calls the hit callback without it, so the callback may
 * arm and disarm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>

#include <ktsnap/capture.h>
#include <ktsnap/watch.h>
#include "bridge_internal.h"
#include "kaddr_internal.h"
#include "log_internal.h"
#include "opts_internal.h"
#include "util_internal.h"

#define NR_SLOTS KTSNAP_MAX_WATCH_SNAPSHOTS
#define RING_DATA_PAGES 2
#define EV_WAKE UINT64_MAX

struct wslot {
	bool used;
	bool via_bridge; /* armed by register_watch: holds a bridge slot */
	char *tag;
	struct ktsnap_kaddr a;
	int map_fd; /* BPF global: keeps the map (and the address) alive */
	uint32_t value_size;
	int nr; /* perf events: one per online CPU */
	int *fds;
	void **rings;
	uint64_t seq;
};

struct ktsnap_watcher {
	pthread_mutex_t lock;
	struct ktsnap_bridge *bridge; /* borrowed */
	char *obj;
	ktsnap_watch_hit_fn on_hit;
	void *hit_ctx;
	struct wslot slots[NR_SLOTS];
	size_t nr_armed;
	bool stats_held; /* a ktsnap_prog_stats_hold() while armed */
	int epfd;
	int wake_fd;
	pthread_t thread;
	atomic_bool stop;
	struct ktsnap_watcher *next; /* the exit registry */
};

static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

/* ---- process exit: every live watcher's breakpoints go quiet ----------------------- */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ktsnap_watcher *registry;

static void registry_add(struct ktsnap_watcher *w)
{
	pthread_mutex_lock(&registry_lock);
	w->next = registry;
	registry = w;
	pthread_mutex_unlock(&registry_lock);
}

static void registry_del(struct ktsnap_watcher *w)
{
	struct ktsnap_watcher **p;

	pthread_mutex_lock(&registry_lock);
	for (p = &registry; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
}

/*
 * At exit (or unload) the watcher threads may be anywhere: stop the
 * events without freeing anything; the kernel closes them with the
 * process.  trylock: a thread that died holding a lock must not hang exit.
 */
__attribute__((destructor)) static void watch_at_exit(void)
{
	struct ktsnap_watcher *w;
	int i, c;

	if (pthread_mutex_trylock(&registry_lock))
		return;
	for (w = registry; w; w = w->next) {
		if (pthread_mutex_trylock(&w->lock))
			continue;
		for (i = 0; i < NR_SLOTS; i++)
			for (c = 0; w->slots[i].used && c < w->slots[i].nr; c++)
				if (w->slots[i].fds[c] >= 0)
					ioctl(w->slots[i].fds[c], PERF_EVENT_IOC_DISABLE, 0);
		pthread_mutex_unlock(&w->lock);
	}
	pthread_mutex_unlock(&registry_lock);
}

/* ---- online CPUs -------------------------------------------------------------------- */
/* Parse "0-3,5" from /sys/devices/system/cpu/online into @cpus. */
static int online_cpus(int **cpus, int *nr)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	char buf[4096], *p;
	int *v = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return ktsnap_fail(-errno, "cannot read /sys/devices/system/cpu/online: %s",
				   strerror(errno));
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p)
		return ktsnap_fail(-EIO, "/sys/devices/system/cpu/online is empty");
	while (*p && *p != '\n') {
		char *end;
		long a = strtol(p, &end, 10), b = a, c;

		if (end == p || a < 0)
			goto bad;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a)
				goto bad;
			p = end;
		}
		for (c = a; c <= b; c++) {
			if (KTSNAP_ENSURE(v, cap, n + 1)) {
				free(v);
				return ktsnap_fail(-ENOMEM, "out of memory");
			}
			v[n++] = (int)c;
		}
		if (*p == ',')
			p++;
	}
	if (!n)
		goto bad;
	*cpus = v;
	*nr = (int)n;
	return 0;
bad:
	free(v);
	return ktsnap_fail(-EIO, "cannot parse /sys/devices/system/cpu/online");
}

/* ---- arming ------------------------------------------------------------------------- */
static void slot_release(struct ktsnap_watcher *w, struct wslot *s)
{
	size_t ring_sz = (1 + RING_DATA_PAGES) * page_size();
	int c;

	for (c = 0; c < s->nr; c++) {
		if (s->fds[c] >= 0) {
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, s->fds[c], NULL);
			ioctl(s->fds[c], PERF_EVENT_IOC_DISABLE, 0);
		}
		if (s->rings[c])
			munmap(s->rings[c], ring_sz);
		if (s->fds[c] >= 0)
			close(s->fds[c]);
	}
	if (s->map_fd >= 0)
		close(s->map_fd);
	free(s->fds);
	free(s->rings);
	free(s->tag);
	memset(s, 0, sizeof(*s));
	s->map_fd = -1;
}

static int open_breakpoint(const struct ktsnap_kaddr *a, int cpu)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_BREAKPOINT;
	attr.size = sizeof(attr);
	attr.bp_type = HW_BREAKPOINT_W;
	attr.bp_addr = a->kva;
	attr.bp_len = a->size == 8 ? HW_BREAKPOINT_LEN_8 : HW_BREAKPOINT_LEN_4;
	attr.sample_period = 1;
	attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;
	attr.wakeup_events = 1;
	attr.use_clockid = 1;
	attr.clockid = CLOCK_MONOTONIC; /* the clock of bpf_ktime_get_ns() */
	return (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static int arm_events(struct ktsnap_watcher *w, struct wslot *s, int slot_idx, const char *symbol)
{
	size_t ring_sz = (1 + RING_DATA_PAGES) * page_size();
	int *cpus = NULL, nr = 0, c, err;

	if ((err = online_cpus(&cpus, &nr)))
		return err;
	s->fds = malloc(sizeof(*s->fds) * (size_t)nr);
	s->rings = calloc((size_t)nr, sizeof(*s->rings));
	if (!s->fds || !s->rings) {
		err = ktsnap_fail(-ENOMEM, "out of memory");
		goto out;
	}
	for (c = 0; c < nr; c++)
		s->fds[c] = -1;
	s->nr = nr;
	for (c = 0; c < nr; c++) {
		struct epoll_event ev = { .events = EPOLLIN };
		int fd = open_breakpoint(&s->a, cpus[c]);

		if (fd < 0) {
			err = -errno;
			ktsnap_fail(
				err,
				"symbol '%s' KVA %#" PRIx64
				": perf_event_open(PERF_TYPE_BREAKPOINT, HW_BREAKPOINT_W, len %u) on CPU %d failed: %s%s",
				symbol, s->a.kva, s->a.size, cpus[c], strerror(-err),
				err == -ENOSPC ?
					" (every hardware debug register of that CPU is in use)" :
				err == -EACCES || err == -EPERM ?
					" (kernel-space breakpoints need CAP_PERFMON or CAP_SYS_ADMIN)" :
					"");
			goto out;
		}
		s->fds[c] = fd;
		s->rings[c] = mmap(NULL, ring_sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (s->rings[c] == MAP_FAILED) {
			s->rings[c] = NULL;
			err = ktsnap_fail(-errno,
					  "symbol '%s': cannot map the perf ring of CPU %d: %s",
					  symbol, cpus[c], strerror(errno));
			goto out;
		}
		ev.data.u64 = (uint64_t)slot_idx;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			err = ktsnap_fail(-errno, "symbol '%s': epoll_ctl: %s", symbol,
					  strerror(errno));
			goto out;
		}
	}
	err = 0;
out:
	free(cpus);
	return err;
}

/* Resolve, check and arm @symbol in a free slot.  Called with w->lock held. */
static int arm_locked(struct ktsnap_watcher *w, const char *symbol, bool via_bridge)
{
	struct wslot *s = NULL;
	int i, err;

	for (i = 0; i < NR_SLOTS; i++) {
		if (w->slots[i].used && !strcmp(w->slots[i].tag, symbol))
			return ktsnap_fail(-EEXIST, "symbol '%s' is already watched", symbol);
		if (!w->slots[i].used && !s)
			s = &w->slots[i];
	}
	if (!s)
		return ktsnap_fail(
			-ENOSPC,
			"no free user watchpoint slot \u2014 slots 1..=3 all occupied by prior Op::WatchSnapshot registrations (cap = 3)");
	i = (int)(s - w->slots);
	memset(s, 0, sizeof(*s));
	s->map_fd = -1;
	if ((err = ktsnap_kaddr_resolve(symbol, w->obj, &s->a)) ||
	    (err = ktsnap_kaddr_check(symbol, &s->a)))
		goto fail;
	if (s->a.map_id) {
		LIBBPF_OPTS(bpf_get_fd_by_id_opts, fo, .open_flags = BPF_F_RDONLY);
		struct bpf_map_info info;
		__u32 len = sizeof(info);

		/* holding the map keeps its memory, so the address stays the variable's */
		s->map_fd = bpf_map_get_fd_by_id_opts(s->a.map_id, &fo);
		memset(&info, 0, sizeof(info));
		if (s->map_fd < 0 || bpf_obj_get_info_by_fd(s->map_fd, &info, &len)) {
			err = ktsnap_fail(-errno, "symbol '%s': map id %u went away while arming",
					  symbol, s->a.map_id);
			goto fail;
		}
		s->value_size = info.value_size;
	}
	s->tag = strdup(symbol);
	if (!s->tag) {
		err = ktsnap_fail(-ENOMEM, "out of memory");
		goto fail;
	}
	if ((err = arm_events(w, s, i, symbol)))
		goto fail;
	s->used = true;
	s->via_bridge = via_bridge;
	if (!w->nr_armed++ && !w->stats_held) {
		/* run times in captures taken while watching; without it they read 0 */
		w->stats_held = !ktsnap_prog_stats_hold();
		if (!w->stats_held)
			pr_info("watch: %s; prog run times stay 0 unless kernel.bpf_stats_enabled=1",
				ktsnap_errmsg());
	}
	return 0;
fail:
	slot_release(w, s);
	return err;
}

/* ---- the watcher thread --------------------------------------------------------------- */
struct burst {
	uint64_t nr;
	uint64_t time_ns;
	uint32_t cpu;
	bool have_first;
};

/* Copy @len bytes at ring offset @off (wrapping) into @dst. */
static void ring_copy(const uint8_t *data, uint64_t size, uint64_t off, void *dst, size_t len)
{
	uint64_t pos = off % size;
	size_t first = len;

	if (pos + len > size)
		first = (size_t)(size - pos);
	memcpy(dst, data + pos, first);
	memcpy((uint8_t *)dst + first, data, len - first);
}

static void ring_drain(void *ring, struct burst *b)
{
	struct perf_event_mmap_page *mp = ring;
	uint64_t size = mp->data_size ? mp->data_size : RING_DATA_PAGES * page_size();
	const uint8_t *data =
		(const uint8_t *)ring + (mp->data_offset ? mp->data_offset : page_size());
	uint64_t head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = mp->data_tail;

	while (tail < head) {
		struct perf_event_header h;
		uint64_t rec[4];

		ring_copy(data, size, tail, &h, sizeof(h));
		if (h.size < sizeof(h) || tail + h.size > head)
			break;
		if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof(h) + 24) {
			/* ip, time, cpu (PERF_SAMPLE_IP | TIME | CPU) */
			ring_copy(data, size, tail + sizeof(h), rec, 24);
			if (!b->have_first || rec[1] < b->time_ns) {
				b->time_ns = rec[1];
				b->cpu = (uint32_t)rec[2];
				b->have_first = true;
			}
			b->nr++;
		} else if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
			ring_copy(data, size, tail + sizeof(h), rec, 16);
			b->nr += rec[1];
		}
		tail += h.size;
	}
	__atomic_store_n(&mp->data_tail, head, __ATOMIC_RELEASE);
}

struct job {
	char *tag;
	int map_fd;
	uint32_t value_size, offset, size;
	struct ktsnap_watch_hit hit;
};

/* Drain every armed slot's rings; one job per slot that saw writes. */
static size_t collect_jobs(struct ktsnap_watcher *w, struct job *jobs)
{
	size_t n = 0;
	int i, c;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < NR_SLOTS; i++) {
		struct wslot *s = &w->slots[i];
		struct burst b = {};
		struct job *j = &jobs[n];

		if (!s->used)
			continue;
		for (c = 0; c < s->nr; c++)
			ring_drain(s->rings[c], &b);
		if (!b.nr)
			continue;
		memset(j, 0, sizeof(*j));
		j->tag = strdup(s->tag);
		if (!j->tag)
			continue; /* out of memory: this burst is lost, the next one counts */
		j->map_fd = s->map_fd >= 0 ? fcntl(s->map_fd, F_DUPFD_CLOEXEC, 0) : -1;
		j->value_size = s->value_size;
		j->offset = s->a.offset;
		j->size = s->a.size;
		j->hit.seq = ++s->seq;
		j->hit.time_ns = b.time_ns;
		j->hit.cpu = b.cpu;
		j->hit.nr_writes = b.nr;
		n++;
	}
	pthread_mutex_unlock(&w->lock);
	return n;
}

static void job_read_value(struct job *j)
{
	uint32_t key = 0;
	uint8_t *buf;

	if (j->map_fd < 0 || !j->value_size || j->offset + j->size > j->value_size)
		return;
	buf = malloc(j->value_size);
	if (!buf)
		return;
	if (!bpf_map_lookup_elem(j->map_fd, &key, buf)) {
		if (j->size == 8) {
			uint64_t v;

			memcpy(&v, buf + j->offset, 8);
			j->hit.value = v;
		} else {
			uint32_t v;

			memcpy(&v, buf + j->offset, 4);
			j->hit.value = v;
		}
		j->hit.has_value = true;
	}
	free(buf);
}

static void *watcher_main(void *arg)
{
	struct ktsnap_watcher *w = arg;
	struct job jobs[NR_SLOTS];

	while (!atomic_load(&w->stop)) {
		struct epoll_event evs[16];
		size_t n, i;
		int r = epoll_wait(w->epfd, evs, 16, -1);

		if (r < 0 && errno != EINTR)
			break;
		for (i = 0; r > 0 && i < (size_t)r; i++)
			if (evs[i].data.u64 == EV_WAKE) {
				uint64_t v;

				if (read(w->wake_fd, &v, sizeof(v)) < 0)
					continue;
			}
		if (atomic_load(&w->stop))
			break;
		n = collect_jobs(w, jobs);
		for (i = 0; i < n; i++) {
			struct job *j = &jobs[i];

			job_read_value(j);
			j->hit.symbol = j->tag;
			/* store under tag = symbol; a second hit is the spec's Overwrite */
			j->hit.stored = w->bridge && ktsnap_bridge__capture(w->bridge, j->tag);
			if (w->on_hit)
				w->on_hit(&j->hit, w->hit_ctx);
			if (j->map_fd >= 0)
				close(j->map_fd);
			free(j->tag);
		}
	}
	return NULL;
}

/* ---- the object ------------------------------------------------------------------------ */
struct ktsnap_watcher *ktsnap_watcher__new(struct ktsnap_bridge *b,
					   const struct ktsnap_watch_opts *uopts)
{
	struct ktsnap_watch_opts opts;
	struct ktsnap_watcher *w;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV_WAKE };
	int err, i;

	if (!b)
		return ktsnap_fail_ptr(-EINVAL, "a watcher needs a bridge");
	if ((err = KTSNAP_OPTS_READ(opts, uopts, ktsnap_watch_opts)))
		return ktsnap_err_ptr(err);
	w = calloc(1, sizeof(*w));
	if (!w)
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	w->bridge = b;
	w->on_hit = opts.on_hit;
	w->hit_ctx = opts.hit_ctx;
	w->epfd = -1;
	w->wake_fd = -1;
	for (i = 0; i < NR_SLOTS; i++)
		w->slots[i].map_fd = -1;
	if (opts.obj && !(w->obj = strdup(opts.obj))) {
		err = ktsnap_fail(-ENOMEM, "out of memory");
		goto fail;
	}
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->epfd < 0 || w->wake_fd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake_fd, &ev)) {
		err = ktsnap_fail(-errno, "watcher: cannot set up epoll: %s", strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&w->lock, NULL);
	atomic_init(&w->stop, false);
	if ((err = -pthread_create(&w->thread, NULL, watcher_main, w))) {
		pthread_mutex_destroy(&w->lock);
		ktsnap_fail(err, "watcher: cannot start its thread: %s", strerror(-err));
		goto fail;
	}
	registry_add(w);
	return w;
fail:
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	free(w->obj);
	free(w);
	return ktsnap_err_ptr(err);
}

/*
 * Disarm the armed slot @s (w->lock held): give back its bridge
 * registration, release its events, and drop the stats hold with the last
 * armed slot.
 */
static void disarm_locked(struct ktsnap_watcher *w, struct wslot *s)
{
	if (s->via_bridge)
		atomic_fetch_sub(&w->bridge->watch_count, 1);
	slot_release(w, s);
	if (!--w->nr_armed && w->stats_held) {
		ktsnap_prog_stats_release();
		w->stats_held = false;
	}
}

void ktsnap_watcher__free(struct ktsnap_watcher *w)
{
	uint64_t one = 1;
	int i;

	if (!w)
		return;
	registry_del(w);
	atomic_store(&w->stop, true);
	if (write(w->wake_fd, &one, sizeof(one)) < 0)
		pr_warn("watcher: cannot wake its thread: %s", strerror(errno));
	pthread_join(w->thread, NULL);
	/* as disarm does: bridge slots go back too, so a bridge that outlives
	 * this watcher (another was installed) does not count them */
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < NR_SLOTS; i++)
		if (w->slots[i].used)
			disarm_locked(w, &w->slots[i]);
	pthread_mutex_unlock(&w->lock);
	close(w->epfd);
	close(w->wake_fd);
	pthread_mutex_destroy(&w->lock);
	free(w->obj);
	free(w);
}

static void watcher_free_ctx(void *ctx)
{
	ktsnap_watcher__free(ctx);
}

struct ktsnap_watcher *ktsnap_bridge__with_live_watch(struct ktsnap_bridge *b,
						      const struct ktsnap_watch_opts *opts)
{
	struct ktsnap_watcher *w = ktsnap_watcher__new(b, opts);

	if (!w)
		return NULL;
	ktsnap_bridge__with_watch_register(b, ktsnap_watch_register_live, w, watcher_free_ctx);
	return w;
}

static int arm(struct ktsnap_watcher *w, const char *symbol, bool via_bridge)
{
	int err;

	if (!w || !symbol)
		return ktsnap_fail(-EINVAL, "arming a watch needs a watcher and a symbol");
	pthread_mutex_lock(&w->lock);
	err = arm_locked(w, symbol, via_bridge);
	pthread_mutex_unlock(&w->lock);
	return err;
}

int ktsnap_watcher__arm(struct ktsnap_watcher *w, const char *symbol)
{
	ktsnap_errmsg_clear();
	return arm(w, symbol, false);
}

int ktsnap_watch_register_live(const char *symbol, char **err, void *ctx)
{
	int ret;

	ktsnap_errmsg_clear();
	ret = arm(ctx, symbol, true);
	if (ret && err)
		*err = strdup(ktsnap_errmsg());
	return ret;
}

int ktsnap_watcher__disarm(struct ktsnap_watcher *w, const char *symbol)
{
	int i;

	if (!w || !symbol)
		return ktsnap_fail(-EINVAL, "disarming a watch needs a watcher and a symbol");
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < NR_SLOTS; i++) {
		struct wslot *s = &w->slots[i];

		if (!s->used || strcmp(s->tag, symbol))
			continue;
		disarm_locked(w, s);
		pthread_mutex_unlock(&w->lock);
		return 0;
	}
	pthread_mutex_unlock(&w->lock);
	return ktsnap_fail(-ENOENT, "symbol '%s' is not watched", symbol);
}

size_t ktsnap_watcher__disarm_all(struct ktsnap_watcher *w)
{
	size_t n = 0;
	int i;

	if (!w)
		return 0;
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < NR_SLOTS; i++) {
		if (!w->slots[i].used)
			continue;
		disarm_locked(w, &w->slots[i]);
		n++;
	}
	pthread_mutex_unlock(&w->lock);
	return n;
}

size_t ktsnap_watcher__nr_armed(struct ktsnap_watcher *w)
{
	size_t n;

	if (!w)
		return 0;
	pthread_mutex_lock(&w->lock);
	n = w->nr_armed;
	pthread_mutex_unlock(&w->lock);
	return n;
}

int ktsnap_watch_resolve(const char *symbol, const char *obj, uint64_t *kva, uint32_t *size,
			 uint32_t *map_id)
{
	struct ktsnap_kaddr a;
	int err;

	ktsnap_errmsg_clear();
	if (!symbol)
		return ktsnap_fail(-EINVAL, "NULL symbol");
	if ((err = ktsnap_kaddr_resolve(symbol, obj, &a)) || (err = ktsnap_kaddr_check(symbol, &a)))
		return err;
	if (kva)
		*kva = a.kva;
	if (size)
		*size = a.size;
	if (map_id)
		*map_id = a.map_id;
	return 0;
}
