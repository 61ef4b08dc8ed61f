/* SPDX-License-Identifier: MIT */
/*
 * Shared by the scenario runner (scenario.c), its cgroup2 plumbing
 * (cgroup.c) and its processes (workload.c).
 */
#ifndef KTSNAP_SCENARIO_INTERNAL_H
#define KTSNAP_SCENARIO_INTERNAL_H

#include <signal.h>
#include <sys/types.h>

#include <ktsnap/scenario.h>

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
int ktsnap_workers_spawn(const char *cgroup_path, unsigned int n,
			 const struct ktsnap_workload *wl, pid_t **pids, size_t *nr_pids,
			 size_t *cap, char *why, size_t why_len);
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
/* A map libbpf created for object @arg: "<obj>.<section>" (the object
 * name cut to fit 15 bytes) or "<obj>_…". */
bool ktsnap_map_match_obj(const struct bpf_map_info *info, const void *arg);
/* Ids of every admitted map of object @obj; *ids malloc'd (caller frees).
 * 0 or -ENOMEM. */
int ktsnap_map_ids_of_obj(const struct ktsnap_capture_opts *filter, const char *obj,
			  uint32_t **ids, size_t *n);
bool ktsnap_map_id_in(const uint32_t *ids, size_t n, uint32_t id);
/* Byte offset of global @var in the map's BTF value (a DATASEC, or a
 * struct member that is not a bitfield).  0, -ENODATA (no BTF value
 * type), -ENOENT (no such variable), -errno. */
int ktsnap_map_var_offset(const struct bpf_map_info *info, const char *var, uint32_t *off);
/* Write @value at byte @off of key 0 (lookup, patch, update).  0, -ERANGE
 * (past @value_size), -ENOMEM, -errno of the syscall. */
int ktsnap_map_write_u32(int fd, uint32_t value_size, uint32_t off, uint32_t value);

/* ---- shared -------------------------------------------------------------------------- */
/* CLOCK_MONOTONIC in ns. */
uint64_t ktsnap_scenario_now_ns(void);
/* Sleep @ms, waking early when *@stop becomes non-zero.  0, or -EINTR. */
int ktsnap_sleep_ms(uint64_t ms, volatile sig_atomic_t *stop);

#endif /* KTSNAP_SCENARIO_INTERNAL_H */
