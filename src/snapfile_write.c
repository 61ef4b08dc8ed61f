// SPDX-License-Identifier: MIT
/*
 * snapfile_write: report → binary ".ktsnap" file (include/ktsnap/snapfile.h,
 * docs/binary-format.md).  The report's non-map fields go out as JSON
 * (META), each BTF object the raw maps render with once (BTF), then every
 * map in report order: its raw bytes as the capture copied them (MAP), or,
 * when it holds no raw bytes, its JSON object (MAP_JSON); END closes the
 * file.  Sections carry a CRC32 and are zstd-compressed when asked and
 * smaller.  Maps are not rendered for this.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <zstd.h>

#include <ktsnap/json.h>
#include <ktsnap/snapfile.h>

#include "log_internal.h"
#include "report_internal.h"
#include "snapfile_internal.h"
#include "util_internal.h"

/* ---- writer -------------------------------------------------------------------- */
/* A growable byte buffer; errors are sticky (oom). */
struct bb {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static uint8_t *bb_room(struct bb *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (n > SIZE_MAX - b->len || KTSNAP_ENSURE(b->p, b->cap, b->len + n)) {
		b->oom = true;
		return NULL;
	}
	b->len += n;
	return b->p + b->len - n;
}

static void bb_put(struct bb *b, const void *p, size_t n)
{
	uint8_t *d = bb_room(b, n);

	if (d && n)
		memcpy(d, p, n);
}

static void bb_u32(struct bb *b, uint32_t v)
{
	uint8_t *d = bb_room(b, 4);

	if (d)
		put_le32(d, v);
}

static void bb_u64(struct bb *b, uint64_t v)
{
	uint8_t *d = bb_room(b, 8);

	if (d)
		put_le64(d, v);
}

static void bb_str(struct bb *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	bb_u32(b, (uint32_t)n);
	bb_put(b, s, n);
}

static void bb_pad8(struct bb *b)
{
	size_t n = (8 - (b->len & 7)) & 7;
	uint8_t *d = bb_room(b, n);

	if (d && n)
		memset(d, 0, n);
}

struct sw {
	FILE *f;
	int err;
	bool compress;
	ZSTD_CCtx *cctx;
	void *zbuf;
	size_t zcap;
};

static void sw_write(struct sw *w, const void *p, size_t n)
{
	if (w->err || !n)
		return;
	if (fwrite(p, 1, n, w->f) != n)
		w->err = errno ? -errno : -EIO;
}

/* One section: compressed when that is smaller. */
static void put_section(struct sw *w, uint32_t type, const void *data, size_t len)
{
	uint8_t hdr[SEC_HDR_LEN];
	const void *stored = data;
	size_t slen = len;
	uint32_t flags = 0;

	if (w->err)
		return;
	if (w->compress && len >= COMPRESS_MIN) {
		size_t bound = ZSTD_compressBound(len), n;

		if (!w->cctx && !(w->cctx = ZSTD_createCCtx())) {
			w->err = -ENOMEM;
			return;
		}
		if (bound > w->zcap) {
			void *nb = realloc(w->zbuf, bound);

			if (!nb) {
				w->err = -ENOMEM;
				return;
			}
			w->zbuf = nb;
			w->zcap = bound;
		}
		n = ZSTD_compressCCtx(w->cctx, w->zbuf, w->zcap, data, len, ZSTD_LEVEL);
		if (!ZSTD_isError(n) && n < len) {
			stored = w->zbuf;
			slen = n;
			flags |= SEC_F_ZSTD;
		}
	}
	put_le32(hdr, type);
	put_le32(hdr + 4, flags);
	put_le64(hdr + 8, slen);
	put_le64(hdr + 16, len);
	put_le32(hdr + 24, sec_crc(hdr, stored, slen));
	sw_write(w, hdr, sizeof(hdr));
	sw_write(w, stored, slen);
}

/* Everything ktsnap_*__write_json() writes to a memory buffer. */
static int json_text(const struct ktsnap_report *r, const struct ktsnap_map *m, char **out,
		     size_t *len)
{
	FILE *f;
	int err;

	*out = NULL;
	f = open_memstream(out, len);
	if (!f)
		return -ENOMEM;
	err = r ? ktsnap_report__write_json(r, f, 0) : ktsnap_map__write_json(m, f, 0);
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (err) {
		free(*out);
		*out = NULL;
	}
	return err;
}

/* The report's non-map fields: the report's JSON with an empty map list. */
static int put_meta(struct sw *w, const struct ktsnap_report *r)
{
	struct ktsnap_report *shell = malloc(sizeof(*shell));
	size_t len = 0;
	char *text;
	int err;

	if (!shell)
		return -ENOMEM;
	/* a read-only look-alike: the JSON writer reads fields, nothing else */
	memcpy(shell, r, sizeof(*shell));
	shell->maps = NULL;
	shell->nr_maps = 0;
	err = json_text(shell, NULL, &text, &len);
	free(shell);
	if (err)
		return err;
	put_section(w, SEC_META, text, len);
	free(text);
	return 0;
}

/* Whether the map's contents are raw bytes (a capture's), so MAP can hold
 * them; else its renderings came from elsewhere and MAP_JSON keeps them. */
static bool map_is_raw(const struct ktsnap_map *m)
{
	uint32_t i;

	/* fields the binary layout does not carry travel as JSON */
	if (m->arena_json)
		return false;
	switch (m->layout) {
	case KTSNAP_LAYOUT_NONE:
		return true;
	case KTSNAP_LAYOUT_VALUE:
		return m->value_raw || !m->value;
	default:
		break;
	}
	if (!m->nr_entries)
		return true;
	if (!m->raw || !m->entries || !m->value_size || m->value_size > UINT32_MAX - 7 ||
	    (hash_layout(m->layout) && !m->key_size))
		return false;
	if (percpu_layout(m->layout) &&
	    (!m->nr_cpus || m->percpu_stride != ((m->value_size + 7) & ~7u)))
		return false;
	for (i = 0; i < m->nr_entries; i++) {
		const struct ktsnap_map_entry *e = &m->entries[i];

		if (e->payload)
			return false;
		if (hash_layout(m->layout) && (!e->key || e->key_len != m->key_size))
			return false;
		if (percpu_layout(m->layout) ? !e->percpu || e->nr_cpus != m->nr_cpus :
					       !e->val || e->val_len != m->value_size)
			return false;
	}
	return true;
}

/* The BTF objects the raw maps render with, each once. */
struct btf_table {
	const struct btf **v;
	size_t n, cap;
};

static int btf_index(struct btf_table *t, const struct btf *btf, bool add)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i] == btf)
			return (int)i;
	if (!add)
		return -ENOENT;
	if (KTSNAP_ENSURE(t->v, t->cap, t->n + 1))
		return -ENOMEM;
	t->v[t->n] = btf;
	return (int)t->n++;
}

static void map_payload(struct bb *b, const struct ktsnap_map *m, int btf_ix)
{
	uint32_t flags = 0, i;
	const uint8_t *vraw = m->value_raw;
	size_t need = 256 + (m->error ? strlen(m->error) : 0) + strlen(m->name);

	/* one allocation for the bulk of a big map (sizes of bytes present) */
	if (m->layout == KTSNAP_LAYOUT_VALUE && vraw)
		need += m->value_size;
	if (table_layout(m->layout) && m->nr_entries)
		need += (size_t)m->nr_entries *
			((hash_layout(m->layout) ? m->key_size : 4) + 8 +
			 (percpu_layout(m->layout) ? (size_t)m->percpu_stride * m->nr_cpus :
						     m->value_size));
	if (KTSNAP_ENSURE(b->p, b->cap, need))
		b->oom = true;

	if (btf_ix >= 0)
		flags |= MAP_F_BTF;
	if (m->render_as_string_bytes)
		flags |= MAP_F_STRINGS;
	if (m->error)
		flags |= MAP_F_ERROR;
	if (m->ringbuf)
		flags |= MAP_F_RINGBUF;
	if (m->stack_trace)
		flags |= MAP_F_STACK;
	if (m->fd_array)
		flags |= MAP_F_FD_ARRAY;
	if (m->layout == KTSNAP_LAYOUT_VALUE && vraw)
		flags |= MAP_F_VALUE_RAW;

	bb_str(b, m->name);
	bb_u64(b, m->map_kva);
	bb_u32(b, m->map_type);
	bb_u32(b, m->key_size);
	bb_u32(b, m->value_size);
	bb_u32(b, m->max_entries);
	bb_u32(b, m->layout);
	bb_u32(b, flags);
	bb_u32(b, btf_ix >= 0 ? (uint32_t)btf_ix : 0);
	bb_u32(b, btf_ix >= 0 ? m->btf_key_type_id : 0);
	bb_u32(b, btf_ix >= 0 ? m->btf_value_type_id : 0);
	if (m->error)
		bb_str(b, m->error);
	if (m->ringbuf) {
		bb_u64(b, m->ringbuf->capacity);
		bb_u64(b, m->ringbuf->consumer_pos);
		bb_u64(b, m->ringbuf->producer_pos);
		bb_u64(b, m->ringbuf->pending_pos);
		bb_u64(b, m->ringbuf->pending_bytes);
	}
	if (m->stack_trace) {
		const struct ktsnap_stack_trace_info *st = m->stack_trace;
		size_t k;

		bb_u32(b, st->n_buckets);
		bb_u32(b, (uint32_t)st->nr_entries);
		bb_u32(b, st->truncated);
		for (k = 0; k < st->nr_entries; k++) {
			const struct ktsnap_stack_trace_entry *se = &st->entries[k];
			uint32_t nr = se->pcs ? se->nr : 0, p;

			bb_u32(b, se->bucket_id);
			bb_u32(b, nr);
			for (p = 0; p < nr; p++)
				bb_u64(b, se->pcs[p]);
			bb_str(b, se->data_hex);
		}
	}
	if (m->fd_array) {
		const struct ktsnap_fd_array_info *fa = m->fd_array;
		uint32_t nr = fa->indices ? (uint32_t)fa->nr_indices : 0;

		bb_u32(b, fa->populated);
		bb_u32(b, fa->scanned);
		bb_u32(b, (fa->truncated ? 1 : 0) | (fa->indices_truncated ? 2 : 0));
		bb_u32(b, nr);
		for (i = 0; i < nr; i++)
			bb_u32(b, fa->indices[i]);
	}
	if (flags & MAP_F_VALUE_RAW)
		bb_put(b, vraw, m->value_size);
	if (!table_layout(m->layout))
		return;
	bb_u32(b, m->nr_entries);
	bb_u32(b, percpu_layout(m->layout) ? m->nr_cpus : 0);
	bb_pad8(b);
	for (i = 0; i < m->nr_entries; i++) {
		const struct ktsnap_map_entry *e = &m->entries[i];

		if (hash_layout(m->layout))
			bb_put(b, e->key, m->key_size);
		else
			bb_u32(b, e->index);
	}
	bb_pad8(b);
	for (i = 0; i < m->nr_entries; i++) {
		const struct ktsnap_map_entry *e = &m->entries[i];

		if (percpu_layout(m->layout))
			bb_put(b, e->percpu, (size_t)m->percpu_stride * m->nr_cpus);
		else
			bb_put(b, e->val, m->value_size);
	}
}

static int put_map(struct sw *w, const struct ktsnap_map *m, bool raw, int btf_ix)
{
	struct bb b = {};
	char *text;
	size_t len;
	int err;

	if (!raw) {
		err = json_text(NULL, m, &text, &len);
		if (err)
			return err;
		put_section(w, SEC_MAP_JSON, text, len);
		free(text);
		return 0;
	}
	map_payload(&b, m, btf_ix);
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	put_section(w, SEC_MAP, b.p, b.len);
	free(b.p);
	return 0;
}

static bool map_has_btf(const struct ktsnap_map *m)
{
	return m->btf && (m->btf_key_type_id || m->btf_value_type_id);
}

static int write_binary(const struct ktsnap_report *r, struct sw *w)
{
	struct btf_table bt = {};
	bool *raw = calloc(r->nr_maps + 1, sizeof(*raw));
	uint8_t hdr[FILE_HDR_LEN];
	uint32_t i;
	size_t k;
	int err = 0;

	if (!raw)
		return -ENOMEM;
	/* which maps go raw, and the BTF objects those need */
	for (i = 0; i < r->nr_maps; i++) {
		const struct ktsnap_map *m = &r->maps[i];

		raw[i] = map_is_raw(m);
		if (raw[i] && map_has_btf(m)) {
			__u32 sz = 0;

			if (btf__base_btf(m->btf) || !btf__raw_data(m->btf, &sz) || !sz) {
				raw[i] = false;
				continue;
			}
			if ((err = btf_index(&bt, m->btf, true)) < 0)
				goto out;
			err = 0;
		}
	}
	memcpy(hdr, KTSNAP_BINARY_MAGIC, KTSNAP_BINARY_MAGIC_LEN);
	hdr[8] = KTSNAP_BINARY_VERSION_MAJOR;
	hdr[9] = 0;
	hdr[10] = KTSNAP_BINARY_VERSION_MINOR;
	hdr[11] = 0;
	put_le32(hdr + 12, 0);
	sw_write(w, hdr, sizeof(hdr));
	if ((err = put_meta(w, r)))
		goto out;
	for (k = 0; k < bt.n; k++) {
		__u32 sz = 0;
		const void *data = btf__raw_data(bt.v[k], &sz);

		put_section(w, SEC_BTF, data, sz);
	}
	for (i = 0; i < r->nr_maps && !w->err; i++) {
		const struct ktsnap_map *m = &r->maps[i];
		int ix = raw[i] && map_has_btf(m) ? btf_index(&bt, m->btf, false) : -1;

		if ((err = put_map(w, m, raw[i], ix)))
			goto out;
	}
	put_section(w, SEC_END, NULL, 0);
out:
	free(bt.v);
	free(raw);
	return err ? err : w->err;
}

int ktsnap_report__write_binary(const struct ktsnap_report *r, FILE *f, unsigned int flags)
{
	struct sw w = { .f = f, .compress = !(flags & KTSNAP_BINARY_NO_COMPRESS) };
	int err;

	ktsnap_errmsg_clear();
	if (!r || !f)
		return ktsnap_fail(-EINVAL, "binary writer: no %s", r ? "output stream" : "report");
	if (flags & ~(unsigned int)(KTSNAP_BINARY_NO_COMPRESS | 0xff))
		return ktsnap_fail(-EINVAL, "binary writer: unknown flags 0x%x", flags);
	errno = 0;
	err = write_binary(r, &w);
	if (!err && fflush(f))
		err = errno ? -errno : -EIO;
	ZSTD_freeCCtx(w.cctx);
	free(w.zbuf);
	if (err == -ENOMEM)
		return ktsnap_fail(err, "binary writer: out of memory");
	if (err)
		return ktsnap_fail(err, "binary writer: write failed: %s", strerror(-err));
	return 0;
}
