// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fixture.h"
#include "ktsched.h"
#include "ktsched.skel.h"
#include "ktbig.skel.h"
#include "ktlongsched.skel.h"

int kt_sched_open(struct ktsched **out, bool attach)
{
	struct ktsched *skel;
	__u32 one = 1;
	int err, fd;

	skel = ktsched__open();
	if (!skel)
		return -errno;
	skel->rodata->nr_cpus_onln = (__u32)libbpf_num_possible_cpus();
	skel->rodata->debug_mode = true;
	err = ktsched__load(skel);
	if (err)
		goto fail;
	fd = bpf_program__fd(skel->progs.kt_tail);
	err = bpf_map_update_elem(bpf_map__fd(skel->maps.jump_table), &one, &fd, BPF_ANY);
	if (err) {
		err = -errno;
		goto fail;
	}
	if (attach) {
		err = ktsched__attach(skel);
		if (err)
			goto fail;
	}
	*out = skel;
	return 0;
fail:
	ktsched__destroy(skel);
	return err;
}

void kt_sched_close(struct ktsched *skel)
{
	ktsched__destroy(skel);
}

static void *spin(void *arg)
{
	int i;

	for (i = 0; i < 200; i++) {
		sched_yield();
		if (i % 20 == 0)
			usleep(100);
	}
	return arg;
}

void kt_sched_tick(void)
{
	pthread_t t[4];
	int i, n = 0;

	for (i = 0; i < 4; i++)
		if (!pthread_create(&t[i], NULL, spin, NULL))
			n++;
	spin(NULL);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

uint32_t kt_map_id(int map_fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return 0;
	return info.id;
}

int kt_big_open(struct ktbig **out)
{
	struct ktbig *skel = ktbig__open_and_load();

	if (!skel)
		return -errno;
	*out = skel;
	return 0;
}

void kt_big_close(struct ktbig *skel)
{
	ktbig__destroy(skel);
}

int kt_big_fill(struct ktbig *skel, uint32_t n)
{
	int fd = bpf_map__fd(skel->maps.big_hash);
	uint32_t chunk = 4096, i, j;
	__u32 *keys;
	struct kt_big_val *vals;
	int err = 0;

	keys = calloc(chunk, sizeof(*keys));
	vals = calloc(chunk, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i += chunk) {
		__u32 cnt = n - i < chunk ? n - i : chunk;

		for (j = 0; j < cnt; j++) {
			__u32 k = i + j;

			keys[j] = k;
			vals[j] = (struct kt_big_val){ .runtime_ns = k * 1000ULL, .vtime = k,
						       .weight = 100, .pid = k, .cpu = k % 2,
						       .nr_runs = k * 3ULL, .flags = 0 };
		}
		if (bpf_map_update_batch(fd, keys, vals, &cnt, NULL)) {
			err = -errno;
			goto out;
		}
	}
out:
	free(keys);
	free(vals);
	return err;
}

_Static_assert(sizeof(struct kt_big_task) == 48, "kt_big_task is the 48-byte bench value");

int kt_big_task_fill(struct ktbig *skel, uint32_t n)
{
	static const uint32_t states[] = { KT_TASK_RUNNABLE, KT_TASK_RUNNING, KT_TASK_SLEEPING,
					   KT_TASK_DEAD, 5 /* no variant */ };
	int fd = bpf_map__fd(skel->maps.big_task_ctx);
	uint32_t chunk = 4096, i, j;
	struct kt_big_task *vals;
	__u32 *keys;
	int err = 0;

	keys = calloc(chunk, sizeof(*keys));
	vals = calloc(chunk, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i += chunk) {
		__u32 cnt = n - i < chunk ? n - i : chunk;

		for (j = 0; j < cnt; j++) {
			__u32 k = i + j, b, d;
			struct kt_big_task *v = &vals[j];

			keys[j] = k;
			memset(v, 0, sizeof(*v));
			v->vtime = k * 1000003ULL;
			v->slice.slice_us = 20000 - k % 1000;
			v->slice.lag_us = (int32_t)(k % 200) - 100;
			v->state = states[k % 5];
			v->cpu = k % 4096;
			v->prio = (k * 7) % 256;
			v->queued = k & 1;
			v->nice = (int32_t)(k % 40) - 20;
			v->spare = k % 32;
			v->tag[0] = 't';
			for (b = 1, d = k; b < 7; b++, d /= 10)
				v->tag[7 - b] = (__u8)('0' + d % 10);
			v->tag[7] = (__u8)k;
			v->enq_ns = k * 977ULL + 1;
			v->dsq_delta = (int64_t)(k % 3) - 1 - (int64_t)k * 10;
		}
		if (bpf_map_update_batch(fd, keys, vals, &cnt, NULL)) {
			err = -errno;
			goto out;
		}
	}
out:
	free(keys);
	free(vals);
	return err;
}

int kt_long_open(struct ktlongsched **out)
{
	struct ktlongsched *skel = ktlongsched__open_and_load();

	if (!skel)
		return -errno;
	*out = skel;
	return 0;
}

void kt_long_close(struct ktlongsched *skel)
{
	ktlongsched__destroy(skel);
}
