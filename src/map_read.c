// SPDX-License-Identifier: MIT
/*
 * map_read: reading the entries of one BPF map into flat key/value
 * buffers, as fast as the kernel allows and without losing or repeating a
 * key: BPF_MAP_LOOKUP_BATCH where the kind has it (growing the batch on
 * ENOSPC), get_next_key + lookup elsewhere, a key set that drops the keys
 * a restarted walk hands back again, and buffers that grow with the
 * entries present rather than max_entries.  capture.c decides what to read
 * and turns the bytes into a report.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "capture_internal.h"
#include "log_internal.h"
#include "util_internal.h"

/* Which of r->keys[0..n) are held, by key bytes. */
struct keyset {
	uint32_t *slots; /* index+1 into keys, 0 = empty */
	size_t size, used;
};

static uint32_t keyset_hash(const struct reader *rd, const uint8_t *key)
{
	return (uint32_t)ktsnap_fnv1a(key, rd->key_size);
}

static void keyset_put(struct keyset *s, const struct reader *rd, uint32_t idx)
{
	size_t h = keyset_hash(rd, rd->keys + (size_t)idx * rd->key_size) & (s->size - 1);

	while (s->slots[h])
		h = (h + 1) & (s->size - 1);
	s->slots[h] = idx + 1;
	s->used++;
}

/* Room for one more key at a load of at most one half. */
static int keyset_reserve(struct keyset *s, const struct reader *rd)
{
	struct keyset ns = {};
	size_t i;

	if ((s->used + 1) * 2 <= s->size)
		return 0;
	ns.size = s->size ? s->size * 2 : 1024;
	ns.slots = calloc(ns.size, sizeof(*ns.slots));
	if (!ns.slots)
		return -ENOMEM;
	for (i = 0; i < s->size; i++)
		if (s->slots[i])
			keyset_put(&ns, rd, s->slots[i] - 1);
	free(s->slots);
	*s = ns;
	return 0;
}

static bool keyset_has(const struct keyset *s, const struct reader *rd, const uint8_t *key)
{
	size_t h;

	if (!s->size)
		return false;
	h = keyset_hash(rd, key) & (s->size - 1);
	while (s->slots[h]) {
		uint32_t o = s->slots[h] - 1;

		if (!memcmp(rd->keys + (size_t)o * rd->key_size, key, rd->key_size))
			return true;
		h = (h + 1) & (s->size - 1);
	}
	return false;
}

/*
 * The @count entries just read at rd->n: drop those whose key is already
 * held (a restarted walk), keep the others in place.  Returns how many
 * are kept, or -ENOMEM.
 */
static int64_t keep_new(struct reader *rd, struct keyset *seen, uint32_t count)
{
	uint32_t i, w = rd->n;

	for (i = 0; i < count; i++) {
		uint32_t src = rd->n + i;
		const uint8_t *key = rd->keys + (size_t)src * rd->key_size;

		if (keyset_has(seen, rd, key)) {
			rd->restarts++;
			continue;
		}
		if (w != src) {
			memmove(rd->keys + (size_t)w * rd->key_size, key, rd->key_size);
			memmove(rd->vals + (size_t)w * rd->vsz, rd->vals + (size_t)src * rd->vsz,
				rd->vsz);
		}
		if (keyset_reserve(seen, rd))
			return -ENOMEM;
		keyset_put(seen, rd, w);
		w++;
	}
	return w - rd->n;
}

/* Keys then values in one buffer, which the map then owns (map->raw). */
static size_t keys_bytes(const struct reader *rd, uint32_t room)
{
	return ((size_t)room * rd->key_size + 7) & ~(size_t)7;
}

/* Room for @room entries, keeping the rd->n read so far. */
static int reader_grow(struct reader *rd, uint32_t room)
{
	size_t oksz = keys_bytes(rd, rd->room), nksz = keys_bytes(rd, room), vbytes, total;
	uint8_t *buf;

	if (!ktsnap_mul_ok(room, rd->vsz, &vbytes) || vbytes > SIZE_MAX - nksz - 8)
		return -ENOMEM;
	total = nksz + vbytes + 8;
	buf = realloc(rd->keys, total);
	if (!buf)
		return -ENOMEM;
	memmove(buf + nksz, buf + oksz, (size_t)rd->n * rd->vsz);
	rd->keys = buf;
	rd->vals = buf + nksz;
	rd->room = room;
	return 0;
}

/* Room for at least @need entries: doubling, but not past rd->limit
 * unless @need itself is (a hash bucket bigger than the cap). */
static int reader_reserve(struct reader *rd, uint32_t need)
{
	uint64_t room;

	if (need <= rd->room)
		return 0;
	room = rd->room ? (uint64_t)rd->room * 2 : need;
	if (room > rd->limit)
		room = rd->limit;
	if (room < need)
		room = need;
	return reader_grow(rd, (uint32_t)room);
}

int ktsnap_reader_alloc(struct reader *rd)
{
	uint64_t entry = (uint64_t)rd->key_size + rd->vsz;
	uint64_t first = READER_FIRST_BYTES / entry;

	if (first < 16)
		first = 16;
	rd->room = 0;
	rd->keys = NULL;
	return reader_grow(rd, first < rd->limit ? (uint32_t)first : rd->limit);
}

/* Walk with get_next_key + lookup (kernels or kinds without batch ops). */
static int read_fallback(struct reader *rd)
{
	struct keyset seen = {};
	uint8_t *prev = calloc(1, rd->key_size);
	bool have_prev = false;
	uint64_t iters = 0, max_iters;
	int err = 0;

	if (!prev)
		return -ENOMEM;
	/* Bounded: a map mutated faster than we walk it must not loop us. */
	max_iters = (uint64_t)rd->limit * 4 + 1024;
	rd->n = 0;
	while (rd->n < rd->limit) {
		uint8_t *cur;

		if (iters++ == max_iters) {
			err = -EAGAIN; /* restarted too often: no consistent read */
			break;
		}
		if ((err = reader_reserve(rd, rd->n + 1)) || (err = keyset_reserve(&seen, rd)))
			break;
		cur = rd->keys + (size_t)rd->n * rd->key_size;
		if (bpf_map_get_next_key(rd->fd, have_prev ? prev : NULL, cur)) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		memcpy(prev, cur, rd->key_size);
		have_prev = true;
		if (keyset_has(&seen, rd, cur)) {
			/* the cursor was deleted and the walk restarted */
			rd->restarts++;
			continue;
		}
		if (bpf_map_lookup_elem(rd->fd, cur, rd->vals + (size_t)rd->n * rd->vsz)) {
			if (errno == ENOENT)
				continue; /* raced away between next_key and lookup */
			err = -errno;
			break;
		}
		keyset_put(&seen, rd, rd->n);
		rd->n++;
	}
	free(seen.slots);
	free(prev);
	return err;
}

/*
 * BPF_MAP_LOOKUP_BATCH.  The kernel reports how many entries it copied in
 * count even when it fails; the last batch comes back with ENOENT.
 * ENOSPC means one hash bucket holds more entries than we offered room
 * for: retry the same position with a bigger batch.  EINTR means the
 * generic walk saw keys vanish between next_key and lookup: go on from
 * where it stopped.  Returns -EOPNOTSUPP when the kind has no batch
 * support so the caller can fall back, -EAGAIN when a restarting walk
 * never reached its end.
 */
static int read_batch(struct reader *rd)
{
	/* hash kinds use a u32 bucket cursor, the generic walk a whole key */
	size_t tok = rd->key_size > 8 ? rd->key_size : 8;
	uint8_t *in = calloc(2, tok), *out = in ? in + tok : NULL;
	void *in_batch = NULL;
	/* Few big batches: each call costs a syscall and a kernel buffer. */
	uint32_t batch = rd->room < READER_MAX_BATCH ? rd->room : READER_MAX_BATCH;
	uint64_t returned = 0, max_returned = (uint64_t)rd->limit * 4 + 1024;
	unsigned int interrupted = 0;
	struct keyset seen = {};
	int err = 0;

	if (!in)
		return -ENOMEM;
	if (!batch)
		batch = 1;
	rd->n = 0;
	while (rd->n < rd->limit) {
		uint32_t want = rd->limit - rd->n < batch ? rd->limit - rd->n : batch;
		__u32 count = want;
		int64_t kept;

		if ((err = reader_reserve(rd, rd->n + want)))
			break;
		err = bpf_map_lookup_batch(rd->fd, in_batch, out,
					   rd->keys + (size_t)rd->n * rd->key_size,
					   rd->vals + (size_t)rd->n * rd->vsz, &count, NULL);
		err = err ? -errno : 0;
		if (count > want)
			count = want;
		returned += count;
		kept = count;
		if (rd->dedupe && (kept = keep_new(rd, &seen, count)) < 0) {
			err = -ENOMEM;
			break;
		}
		rd->n += (uint32_t)kept;
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		if (rd->dedupe && returned > max_returned) {
			err = -EAGAIN; /* restarted too often: no consistent read */
			break;
		}
		if (err == -ENOSPC) {
			/*
			 * The next hash bucket holds more entries than we
			 * offered room for.  Stopping here would quietly lose
			 * entries (and hide that the map exceeds the cap), so
			 * make room for the bucket and read on; the caller
			 * trims to the cap.
			 */
			if (batch >= rd->limit - rd->n) {
				uint32_t more = batch < 64 ? 64 : batch;

				if (rd->limit > UINT32_MAX / 2 - more) {
					err = -E2BIG;
					break;
				}
				rd->limit += more;
			}
			batch *= 2;
			continue;
		}
		if (err == -EINTR && interrupted++ < 64) {
			if (count) {
				memcpy(in, out, tok);
				in_batch = in;
			}
			continue;
		}
		if (err == -EINVAL || err == -ENOTSUP || err == -EOPNOTSUPP || err == -524) {
			if (rd->n == 0 && !in_batch)
				err = -EOPNOTSUPP;
			break;
		}
		if (err)
			break;
		memcpy(in, out, tok);
		in_batch = in;
		if (batch < READER_MAX_BATCH)
			batch = batch < READER_MAX_BATCH / 2 ? batch * 2 : READER_MAX_BATCH;
	}
	free(seen.slots);
	free(in);
	return err;
}

int ktsnap_read_entries(struct reader *rd)
{
	int err = read_batch(rd);

	if (err == -EOPNOTSUPP)
		err = read_fallback(rd);
	return err;
}
