/* SPDX-License-Identifier: MIT */
/*
 * Loading the BPF fixtures for tests, examples, benchmarks and the demo.
 * Everything a fixture loads is released by its close function; nothing is
 * pinned, so even a crashed test leaves nothing behind (the kernel frees
 * programs and maps with the process's last fd).
 */
#ifndef KT_FIXTURE_H
#define KT_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

struct ktsched;
struct ktbig;
struct ktlongsched;

/* Open and load ktsched (nr_cpus_onln set, jump_table slot 1 filled);
 * attach its sched_switch program when @attach.  0 or -errno. */
int kt_sched_open(struct ktsched **out, bool attach);
void kt_sched_close(struct ktsched *skel);
/* Cause a burst of context switches on every CPU so the attached
 * program runs (sleeps and yields; bounded). */
void kt_sched_tick(void);
/* Map id of a map of the skeleton, by name (0 if not found). */
uint32_t kt_map_id(int map_fd);

int kt_big_open(struct ktbig **out);
void kt_big_close(struct ktbig *skel);
/* Insert keys [0, n) with values derived from the key. 0 or -errno. */
int kt_big_fill(struct ktbig *skel, uint32_t n);
/* Insert keys [0, n) into big_task_ctx (every enum variant, negative
 * bitfields and lags, an unnamed state).  0 or -errno. */
int kt_big_task_fill(struct ktbig *skel, uint32_t n);

/* Open and load ktlongsched (no attach).  0 or -errno. */
int kt_long_open(struct ktlongsched **out);
void kt_long_close(struct ktlongsched *skel);

#endif
