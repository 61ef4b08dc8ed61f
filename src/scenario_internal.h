/* SPDX-License-Identifier: MIT */
/*
 * Shared by the scenario runner (scenario.c), its cgroup2 plumbing
 * (cgroup.c) and its processes (workload.c).
 */
#ifndef KTSNAP_SCENARIO_INTERNAL_H
#define KTSNAP_SCENARIO_INTERNAL_H

#include <signal.h>
#include <sys/types.h>

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>

#include <ktsnap/scenario.h>

/* ---- the model (built by scenario_build.c, run by scenario.c) ------------------- */
#define DEFAULT_STEP_MS 1000 /* what a FULL hold holds unless set */

/* An op, deep-copied from struct ktsnap_op. */
struct sc_op {
	enum ktsnap_op_kind kind;
	char *name;
	char *cgroup;
	struct ktsnap_kernel_op_entry *entries;
	size_t nr_entries;
	char **argv; /* NULL-terminated */
	char *obj;
	char *log;
	uint32_t timeout_ms;
};

struct sc_oplist {
	struct sc_op *ops;
	size_t nr, cap;
};

struct sc_cgroup {
	char *name;
	unsigned int nr_workers;
	struct ktsnap_workload wl; /* wl.cpus points at cpus */
	uint32_t *cpus;
};

struct sc_step {
	struct sc_cgroup *cgroups;
	size_t nr_cgroups, cap_cgroups;
	struct sc_oplist ops;
	enum ktsnap_hold_kind hold;
	uint64_t hold_ms;
	uint32_t loop_iters;
	struct sc_oplist loop_ops;
	/* run state: every worker spawned (kept after the run) */
	pid_t *pids;
	size_t nr_pids, cap_pids;
	bool reaped;
};

struct sc_map_write {
	char *suffix;
	char *var; /* NULL: offset */
	uint32_t offset;
	uint32_t value;
};

struct sc_pin {
	char *name;
	int fd;
};

struct sc_watch {
	char *symbol;
	struct ktsnap_bridge *bridge; /* a reference */
};

struct ktsnap_scenario {
	struct sc_step *steps; /* [0] = baseline */
	size_t nr_steps, cap_steps;
	struct sc_map_write *writes;
	size_t nr_writes, cap_writes;
	uint64_t step_ms;

	/* run state */
	bool ran, catch_signals, no_freeze;
	atomic_bool running; /* read by captures on any thread */
	/* one capture at a time: the freeze of one must not be thawed by another */
	pthread_mutex_t capture_lock;
	_Atomic unsigned int cur_step;
	const struct ktsnap_capture_opts *capture;
	ktsnap_scenario_progress_fn progress;
	void *progress_ctx;
	char parent[PATH_MAX]; /* "" until created */
	struct sc_watch *watches; /* WatchSnapshot ops of the run: disarmed at its end */
	size_t nr_watches, cap_watches;
	struct sc_pin *pins;
	size_t nr_pins, cap_pins;
	pid_t sched_pid; /* 0: none */
	struct ktsnap_scenario_capture_stat *stats;
	size_t nr_stats, cap_stats;
	char *errmsg;
	int sig;
};

/* "CaptureSnapshot('s1')", "Sleep(1000 ms)", … for progress and errors. */
void sc_op_label(const struct sc_op *op, char *buf, size_t len);
/* One path component: not empty, no '/', not "." or "..". */
bool sc_valid_component(const char *name);

/* ---- cgroup.c: cgroup2 directories ---------------------------------------------- */
/* The cgroup2 mount point from /proc/self/mountinfo (the first one, or
 * /sys/fs/cgroup/unified if several).  0 or -ENOENT. */
int ktsnap_cgroup2_mount(char *out, size_t size);
/* mkdir @path (0755).  0 or -errno. */
int ktsnap_cgroup_create(const char *path);
/*
 * Kill everything in @path (cgroup.kill, after thawing) and remove it,
 * retrying while the kernel still counts exiting tasks (up to ~2 s).
 * 0, or -errno of the last rmdir.  A missing directory is success.
 */
int ktsnap_cgroup_destroy(const char *path);
/* Write "1"/"0" to cgroup.freeze.  0 or -errno. */
int ktsnap_cgroup_set_frozen(const char *path, bool frozen);
/* Wait until cgroup.events says "frozen 1" (or 0), up to @timeout_ms.
 * 0, -ETIMEDOUT, -errno. */
int ktsnap_cgroup_wait_frozen(const char *path, bool frozen, unsigned int timeout_ms);
/* The pids of cgroup.procs, malloc'd (caller frees).  0 or -errno. */
int ktsnap_cgroup_read_procs(const char *path, int32_t **pids, size_t *n);

/* ---- workload.c: processes -------------------------------------------------------- */
/*
 * Fork @n workers running @wl, each moved into the cgroup at @cgroup_path
 * before it starts; their pids are appended to *pids.  On failure the
 * workers already forked stay in *pids (the caller kills them).  0 or
 * -errno (with a reason in @why).
 */
int ktsnap_workers_spawn(const char *cgroup_path, unsigned int n, const struct ktsnap_workload *wl,
			 pid_t **pids, size_t *nr_pids, size_t *cap, char *why, size_t why_len);
/* SIGKILL and reap @pids (already reaped ones are skipped). */
void ktsnap_workers_kill(const pid_t *pids, size_t n);

/* Start @argv in its own process group (dies with the caller), its
 * stdout and stderr appended to @log when not NULL.  Pid or -errno. */
pid_t ktsnap_process_spawn(const char *const *argv, const char *log);
/* SIGTERM the group, wait ≤ @grace_ms, then SIGKILL; reap.  0 when it
 * went with SIGTERM, 1 after SIGKILL. */
int ktsnap_process_stop(pid_t pid, unsigned int grace_ms);
/* true while @pid has not exited (reaps it when it has). */
bool ktsnap_process_alive(pid_t pid);

/* ---- scenario_maps.c: live BPF maps ---------------------------------------------- */
struct bpf_map_info;
typedef bool (*ktsnap_map_match_fn)(const struct bpf_map_info *info, const void *arg);

/*
 * The first map (lowest id) @match accepts among those @filter's map_ids
 * admit (NULL or no ids: every map): its fd (caller closes) and *@info.
 * -ENOENT when none does, or the walk's -errno.
 */
int ktsnap_map_find(const struct ktsnap_capture_opts *filter, ktsnap_map_match_fn match,
		    const void *arg, struct bpf_map_info *info);
/* Matchers: @arg is the name suffix / the exact name / the object name. */
bool ktsnap_map_match_suffix(const struct bpf_map_info *info, const void *arg);
bool ktsnap_map_match_name(const struct bpf_map_info *info, const void *arg);
/* Ids of every admitted map of object @obj (the full name or libbpf's cut
 * one, resolved by BTF identity as capture's --obj is; none while it is
 * not loaded); *ids malloc'd (caller frees).
 * 0 or -ENOMEM. */
int ktsnap_map_ids_of_obj(const struct ktsnap_capture_opts *filter, const char *obj, uint32_t **ids,
			  size_t *n);
/* Byte offset of global @var in the map's BTF value (a DATASEC, or a
 * struct member that is not a bitfield).  0, -ENODATA (no BTF value
 * type), -ENOENT (no such variable), -errno. */
int ktsnap_map_var_offset(const struct bpf_map_info *info, const char *var, uint32_t *off);
/* Write @value at byte @off of key 0 (lookup, patch, update).  0, -ERANGE
 * (past @value_size), -ENOMEM, -errno of the syscall. */
int ktsnap_map_write_u32(int fd, uint32_t value_size, uint32_t off, uint32_t value);

/* ---- shared -------------------------------------------------------------------------- */
/* Sleep @ms, waking early when *@stop becomes non-zero.  0, or -EINTR. */
int ktsnap_sleep_ms(uint64_t ms, volatile sig_atomic_t *stop);

#endif /* KTSNAP_SCENARIO_INTERNAL_H */
