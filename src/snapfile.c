// SPDX-License-Identifier: MIT
/*
 * snapfile: binary ".ktsnap" file → report (include/ktsnap/snapfile.h,
 * docs/binary-format.md), and the entry points that read or write either
 * form.  Every section's length is checked against the bytes present
 * before anything is allocated and its CRC32 verified before its content
 * is used; a failure names the section, its offset and the reason.
 * Reading rebuilds the report the capture made: each map's raw buffer
 * (the decompressed section itself), its BTF and type ids, unrendered, so
 * render.c produces the values exactly as for the live capture.  The
 * writer is snapfile_write.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <zstd.h>

#include <ktsnap/json.h>
#include <ktsnap/snapfile.h>

#include "log_internal.h"
#include "render_internal.h"
#include "report_internal.h"
#include "snapfile_internal.h"
#include "util_internal.h"

/* ---- reader ---------------------------------------------------------------------- */
struct sr {
	const uint8_t *buf;
	size_t len;
	unsigned int flags; /* SNAPFILE_READ_* */
	struct ktsnap_report *r;
	struct btf **btfs; /* borrowed: the report owns them */
	size_t nr_btfs, btfs_cap;
};

/* One section, its content decompressed (data, len). */
struct sec {
	uint32_t type;
	unsigned int idx; /* position in the file, from 0 */
	uint64_t off; /* file offset of its header */
	const uint8_t *data;
	size_t len;
	uint8_t *owned; /* malloc'd content (data points into it) */
};

static int sec_fail(const struct sec *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int sec_fail(const struct sec *s, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ktsnap_fail(err, "snapshot file: %s section #%u at offset %" PRIu64 ": %s",
			   sec_name(s->type), s->idx, s->off, msg);
}

/*
 * The section at *off: checked (lengths against what is there, flags,
 * CRC) and decompressed.  When @want_owned, the content is always a
 * malloc'd copy in s->owned (a MAP's becomes the map's raw buffer).
 */
static int next_section(struct sr *sr, size_t *off, unsigned int idx, struct sec *s,
			bool (*want_owned)(uint32_t type))
{
	const uint8_t *h = sr->buf + *off;
	size_t left = sr->len - *off;
	uint64_t slen, rlen;
	uint32_t flags, crc;
	const uint8_t *stored;

	memset(s, 0, sizeof(*s));
	s->idx = idx;
	s->off = *off;
	s->type = 0;
	if (left < SEC_HDR_LEN)
		return ktsnap_fail(-EINVAL,
				   "snapshot file: truncated: section #%u at offset %zu "
				   "needs a %d-byte header, %zu bytes left (no END section)",
				   idx, *off, SEC_HDR_LEN, left);
	s->type = get_le32(h);
	flags = get_le32(h + 4);
	slen = get_le64(h + 8);
	rlen = get_le64(h + 16);
	crc = get_le32(h + 24);
	left -= SEC_HDR_LEN;
	if (slen > left)
		return sec_fail(s, -EINVAL,
				"length %" PRIu64 " exceeds the %zu bytes left in the file", slen,
				left);
	stored = h + SEC_HDR_LEN;
	if (!(sr->flags & SNAPFILE_READ_NO_CRC) && sec_crc(h, stored, slen) != crc)
		return sec_fail(s, -EINVAL, "CRC mismatch (stored %08x, computed %08x)", crc,
				sec_crc(h, stored, slen));
	if (flags & ~SEC_F_ZSTD)
		return sec_fail(s, -EINVAL, "unknown flags 0x%x", flags);
	*off += SEC_HDR_LEN + slen;
	if (!(flags & SEC_F_ZSTD)) {
		if (rlen != slen)
			return sec_fail(s, -EINVAL,
					"content length %" PRIu64 " differs from the "
					"stored length %" PRIu64 " of an uncompressed section",
					rlen, slen);
		s->len = slen;
		if (!want_owned(s->type)) {
			s->data = stored;
			return 0;
		}
		s->owned = malloc(slen ? slen : 1);
		if (!s->owned)
			return sec_fail(s, -ENOMEM, "out of memory for %" PRIu64 " bytes", slen);
		memcpy(s->owned, stored, slen);
		s->data = s->owned;
		return 0;
	}
	{
		unsigned long long fcs = ZSTD_getFrameContentSize(stored, slen);
		size_t n;

		if (rlen / ZSTD_MAX_RATIO > slen || rlen > SIZE_MAX / 2)
			return sec_fail(s, -EINVAL,
					"content length %" PRIu64 " is more than zstd can "
					"expand %" PRIu64 " bytes to",
					rlen, slen);
		if (fcs == ZSTD_CONTENTSIZE_ERROR || fcs == ZSTD_CONTENTSIZE_UNKNOWN)
			return sec_fail(s, -EINVAL, "not a zstd frame with a content size");
		if (fcs != rlen)
			return sec_fail(s, -EINVAL,
					"zstd frame holds %llu bytes, header says %" PRIu64, fcs,
					rlen);
		s->owned = malloc(rlen ? rlen : 1);
		if (!s->owned)
			return sec_fail(s, -ENOMEM, "out of memory for %" PRIu64 " bytes", rlen);
		n = ZSTD_decompress(s->owned, rlen, stored, slen);
		if (ZSTD_isError(n) || n != rlen)
			return sec_fail(s, -EINVAL, "zstd: %s",
					ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short content");
		s->data = s->owned;
		s->len = rlen;
	}
	return 0;
}

static bool owned_if_map(uint32_t type)
{
	return type == SEC_MAP;
}

/* A bounds-checked cursor over a MAP's content. */
struct cur {
	const uint8_t *p;
	size_t len, off;
	const char *what; /* the field that did not fit */
};

static bool take(struct cur *c, size_t n, const char *what, const uint8_t **out)
{
	if (n > c->len - c->off) {
		c->what = what;
		return false;
	}
	*out = c->p + c->off;
	c->off += n;
	return true;
}

static bool cu32(struct cur *c, const char *what, uint32_t *v)
{
	const uint8_t *p;

	if (!take(c, 4, what, &p))
		return false;
	*v = get_le32(p);
	return true;
}

static bool cu64(struct cur *c, const char *what, uint64_t *v)
{
	const uint8_t *p;

	if (!take(c, 8, what, &p))
		return false;
	*v = get_le64(p);
	return true;
}

/* n × size bytes, the product checked. */
static bool carr(struct cur *c, uint64_t n, uint64_t size, const char *what, const uint8_t **out)
{
	if (size && n > (c->len - c->off) / size) {
		c->what = what;
		return false;
	}
	return take(c, (size_t)(n * size), what, out);
}

static bool cpad8(struct cur *c)
{
	const uint8_t *p;

	return take(c, (8 - (c->off & 7)) & 7, "padding", &p);
}

/* A length-prefixed string into the arena; NUL bytes are refused. */
static int cstr(struct cur *c, struct ktsnap_arena *a, const char *what, char **out)
{
	const uint8_t *p;
	uint32_t n;

	if (!cu32(c, what, &n) || !take(c, n, what, &p))
		return -EINVAL;
	if (memchr(p, 0, n)) {
		c->what = what;
		return -EILSEQ;
	}
	*out = ktsnap_arena_strndup(a, (const char *)p, n);
	return *out ? 0 : -ENOMEM;
}

#define CUR_FAIL(s, c)                                                                    \
	sec_fail((s), -EINVAL, "truncated content: %s does not fit (at byte %zu of %zu)", \
		 (c)->what, (c)->off, (c)->len)

static int str_fail(const struct sec *s, const struct cur *c, int err)
{
	if (err == -ENOMEM)
		return sec_fail(s, err, "out of memory");
	if (err == -EILSEQ)
		return sec_fail(s, -EINVAL, "%s holds a NUL byte (at byte %zu)", c->what, c->off);
	return CUR_FAIL(s, c);
}

static int read_stack_trace(const struct sec *s, struct cur *c, struct ktsnap_report *r,
			    struct ktsnap_map *m)
{
	struct ktsnap_stack_trace_info *st = ktsnap_arena_alloc(&r->arena, sizeof(*st));
	uint32_t n, trunc, k;
	int err;

	if (!st)
		return sec_fail(s, -ENOMEM, "out of memory");
	if (!cu32(c, "stack_trace.n_buckets", &st->n_buckets) ||
	    !cu32(c, "stack_trace.nr_entries", &n) || !cu32(c, "stack_trace.truncated", &trunc))
		return CUR_FAIL(s, c);
	/* each entry takes at least 12 bytes */
	if (n > (c->len - c->off) / 12) {
		c->what = "stack_trace.entries";
		return CUR_FAIL(s, c);
	}
	st->truncated = trunc != 0;
	st->entries = n ? ktsnap_arena_alloc(&r->arena, (size_t)n * sizeof(*st->entries)) : NULL;
	if (n && !st->entries)
		return sec_fail(s, -ENOMEM, "out of memory");
	for (k = 0; k < n; k++) {
		struct ktsnap_stack_trace_entry *se = &st->entries[k];
		const uint8_t *p;
		char *hex;
		uint32_t i;

		if (!cu32(c, "stack_trace bucket_id", &se->bucket_id) ||
		    !cu32(c, "stack_trace nr", &se->nr) ||
		    !carr(c, se->nr, 8, "stack_trace pcs", &p))
			return CUR_FAIL(s, c);
		se->pcs = ktsnap_arena_alloc(&r->arena, (size_t)se->nr * 8 + 8);
		if (!se->pcs)
			return sec_fail(s, -ENOMEM, "out of memory");
		for (i = 0; i < se->nr; i++)
			se->pcs[i] = get_le64(p + (size_t)i * 8);
		if ((err = cstr(c, &r->arena, "stack_trace data_hex", &hex)))
			return str_fail(s, c, err);
		se->data_hex = hex;
	}
	st->nr_entries = n;
	m->stack_trace = st;
	return 0;
}

static int read_fd_array(const struct sec *s, struct cur *c, struct ktsnap_report *r,
			 struct ktsnap_map *m)
{
	struct ktsnap_fd_array_info *fa = ktsnap_arena_alloc(&r->arena, sizeof(*fa));
	uint32_t fl, n, i;
	const uint8_t *p;

	if (!fa)
		return sec_fail(s, -ENOMEM, "out of memory");
	if (!cu32(c, "fd_array.populated", &fa->populated) ||
	    !cu32(c, "fd_array.scanned", &fa->scanned) || !cu32(c, "fd_array.flags", &fl) ||
	    !cu32(c, "fd_array.nr_indices", &n) || !carr(c, n, 4, "fd_array.indices", &p))
		return CUR_FAIL(s, c);
	fa->truncated = fl & 1;
	fa->indices_truncated = fl & 2;
	fa->indices = ktsnap_arena_alloc(&r->arena, (size_t)n * 4 + 4);
	if (!fa->indices)
		return sec_fail(s, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		fa->indices[i] = get_le32(p + (size_t)i * 4);
	fa->nr_indices = n;
	m->fd_array = fa;
	return 0;
}

/* The entries of a table layout; keys and values point into @raw. */
static int read_entries(const struct sec *s, struct cur *c, struct ktsnap_report *r,
			struct ktsnap_map *m)
{
	uint32_t n, ncpu, i;
	uint64_t vsz;
	const uint8_t *keys, *vals;
	bool pc = percpu_layout(m->layout), hash = hash_layout(m->layout);

	if (!cu32(c, "nr_entries", &n) || !cu32(c, "nr_cpus", &ncpu) || !cpad8(c))
		return CUR_FAIL(s, c);
	if (n && hash && !m->key_size)
		return sec_fail(s, -EINVAL, "map '%s': hash entries with key_size 0", m->name);
	if (n && (!m->value_size || m->value_size > UINT32_MAX - 7))
		return sec_fail(s, -EINVAL, "map '%s': entries with value_size %u", m->name,
				m->value_size);
	if (pc ? (n && !ncpu) || ncpu > MAX_CPUS : ncpu != 0)
		return sec_fail(s, -EINVAL, "map '%s': %u per-CPU slots", m->name, ncpu);
	vsz = pc ? (uint64_t)((m->value_size + 7) & ~7u) * ncpu : m->value_size;
	if (!carr(c, n, hash ? m->key_size : 4, "keys", &keys) || !cpad8(c) ||
	    !carr(c, n, vsz, "values", &vals))
		return CUR_FAIL(s, c);
	m->entries = n ? ktsnap_arena_alloc(&r->arena, (size_t)n * sizeof(*m->entries)) : NULL;
	if (n && !m->entries)
		return sec_fail(s, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		struct ktsnap_map_entry *e = &m->entries[i];
		const uint8_t *v = vals + (size_t)i * vsz;

		if (hash) {
			e->key = keys + (size_t)i * m->key_size;
			e->key_len = m->key_size;
		} else {
			e->index = get_le32(keys + (size_t)i * 4);
		}
		if (pc) {
			e->percpu = v;
			e->nr_cpus = ncpu;
		} else {
			e->val = v;
			e->val_len = m->value_size;
		}
	}
	m->nr_entries = n;
	m->nr_cpus = pc ? ncpu : 0;
	m->percpu_stride = pc ? (m->value_size + 7) & ~7u : 0;
	return 0;
}

/* A MAP section; on success the map owns s->owned (its raw buffer). */
static int read_map(struct sr *sr, struct sec *s)
{
	struct ktsnap_report *r = sr->r;
	struct cur c = { .p = s->data, .len = s->len };
	uint32_t layout, flags, bix, kid, vid;
	struct ktsnap_map *m;
	char *name, *error = NULL;
	int err;

	if ((err = cstr(&c, &r->arena, "name", &name)))
		return str_fail(s, &c, err);
	m = ktsnap_report_add_map(r, "");
	if (!m)
		return sec_fail(s, -ENOMEM, "out of memory");
	m->name = name;
	if (!cu64(&c, "map_kva", &m->map_kva) || !cu32(&c, "map_type", &m->map_type) ||
	    !cu32(&c, "key_size", &m->key_size) || !cu32(&c, "value_size", &m->value_size) ||
	    !cu32(&c, "max_entries", &m->max_entries) || !cu32(&c, "layout", &layout) ||
	    !cu32(&c, "flags", &flags) || !cu32(&c, "btf_index", &bix) ||
	    !cu32(&c, "btf_key_type_id", &kid) || !cu32(&c, "btf_value_type_id", &vid))
		return CUR_FAIL(s, &c);
	if (layout > KTSNAP_LAYOUT_PERCPU_HASH)
		return sec_fail(s, -EINVAL, "map '%s': unknown layout %u", name, layout);
	if (flags & ~MAP_F_ALL)
		return sec_fail(s, -EINVAL, "map '%s': unknown flags 0x%x", name, flags);
	m->layout = layout;
	if (flags & MAP_F_BTF) {
		if (bix >= sr->nr_btfs)
			return sec_fail(s, -EINVAL,
					"map '%s': BTF #%u, but %zu BTF sections precede it", name,
					bix, sr->nr_btfs);
		m->btf = sr->btfs[bix];
		m->btf_key_type_id = kid;
		m->btf_value_type_id = vid;
	} else if (bix || kid || vid) {
		return sec_fail(s, -EINVAL, "map '%s': BTF ids without a BTF", name);
	}
	m->render_as_string_bytes = flags & MAP_F_STRINGS;
	if ((flags & MAP_F_ERROR) && (err = cstr(&c, &r->arena, "error", &error)))
		return str_fail(s, &c, err);
	m->error = error;
	if (flags & MAP_F_RINGBUF) {
		struct ktsnap_ringbuf_info *rb = ktsnap_arena_alloc(&r->arena, sizeof(*rb));

		if (!rb)
			return sec_fail(s, -ENOMEM, "out of memory");
		if (!cu64(&c, "ringbuf.capacity", &rb->capacity) ||
		    !cu64(&c, "ringbuf.consumer_pos", &rb->consumer_pos) ||
		    !cu64(&c, "ringbuf.producer_pos", &rb->producer_pos) ||
		    !cu64(&c, "ringbuf.pending_pos", &rb->pending_pos) ||
		    !cu64(&c, "ringbuf.pending_bytes", &rb->pending_bytes))
			return CUR_FAIL(s, &c);
		m->ringbuf = rb;
	}
	if ((flags & MAP_F_STACK) && (err = read_stack_trace(s, &c, r, m)))
		return err;
	if ((flags & MAP_F_FD_ARRAY) && (err = read_fd_array(s, &c, r, m)))
		return err;
	if (flags & MAP_F_VALUE_RAW) {
		const uint8_t *p;

		if (layout != KTSNAP_LAYOUT_VALUE)
			return sec_fail(s, -EINVAL, "map '%s': a value without the value layout",
					name);
		if (!take(&c, m->value_size, "value", &p))
			return CUR_FAIL(s, &c);
		m->value_raw = p;
	}
	if (table_layout(m->layout) && (err = read_entries(s, &c, r, m)))
		return err;
	if (c.off != c.len)
		return sec_fail(s, -EINVAL, "map '%s': %zu bytes after the map's content", name,
				c.len - c.off);
	m->raw = s->owned;
	s->owned = NULL;
	/* what the capture left unrendered renders on first access */
	if ((m->layout == KTSNAP_LAYOUT_VALUE && m->value_raw) || table_layout(m->layout))
		atomic_store(&m->rendered, false);
	return 0;
}

/* A MAP_JSON section: one map object, read by the JSON reader and moved
 * into the report (its values come along with the arena). */
static int read_map_json(struct sr *sr, const struct sec *s)
{
	static const char head[] = "{\"schema\":\"single\",\"maps\":[", tail[] = "]}";
	struct ktsnap_report *tmp = NULL;
	struct ktsnap_map *m;
	size_t n = s->len;
	char *text;
	int err;

	if (n > SIZE_MAX - sizeof(head) - sizeof(tail))
		return sec_fail(s, -EINVAL, "too long");
	text = malloc(sizeof(head) + n + sizeof(tail));
	if (!text)
		return sec_fail(s, -ENOMEM, "out of memory");
	memcpy(text, head, sizeof(head) - 1);
	memcpy(text + sizeof(head) - 1, s->data, n);
	memcpy(text + sizeof(head) - 1 + n, tail, sizeof(tail));
	err = ktsnap_report__read_json_buf(text, sizeof(head) - 1 + n + sizeof(tail) - 1, &tmp);
	free(text);
	if (err)
		return sec_fail(s, err, "%s", ktsnap_errmsg());
	if (tmp->nr_maps != 1) {
		bool none = !tmp->nr_maps;

		ktsnap_report__free(tmp);
		return sec_fail(s, -EINVAL, "holds %s map", none ? "no" : "more than one");
	}
	m = ktsnap_report_add_map(sr->r, "");
	if (!m) {
		ktsnap_report__free(tmp);
		return sec_fail(s, -ENOMEM, "out of memory");
	}
	ktsnap_arena_splice(&sr->r->arena, &tmp->arena);
	*m = tmp->maps[0];
	m->owner = sr->r;
	atomic_init(&m->rendered, ktsnap_map_is_rendered(&tmp->maps[0]));
	tmp->maps[0].raw = NULL;
	tmp->nr_maps = 0;
	ktsnap_report__free(tmp);
	return 0;
}

/*
 * What the kernel's BTF verifier would have refused (the blob came from
 * it): the renderer relies on these, libbpf's parser does not check them.
 * Returns the first bad type id, 0 when all are fine.
 */
static uint32_t btf_bad_type(const struct btf *btf)
{
	uint32_t id, n = btf__type_cnt(btf);

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return id;
		if (btf_is_int(t)) {
			uint32_t bits = btf_int_bits(t), off = btf_int_offset(t);

			if ((t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8 &&
			     t->size != 16) ||
			    !bits || bits > 128 || off + bits > t->size * 8)
				return id;
		} else if (btf_is_enum(t) || btf_is_enum64(t)) {
			if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
				return id;
		} else if (btf_is_float(t)) {
			if (t->size != 2 && t->size != 4 && t->size != 8 && t->size != 12 &&
			    t->size != 16)
				return id;
		}
	}
	return 0;
}

/* A BTF section: a standalone BTF object the report owns. */
static int read_btf(struct sr *sr, const struct sec *s)
{
	struct btf *btf;
	uint32_t bad;

	/* struct btf_header: magic 0xeb9f, version 1, hdr_len ≥ 24 */
	if (s->len < 24 || s->len > UINT32_MAX || get_le32(s->data) != 0x0001eb9fu)
		return sec_fail(s, -EINVAL, "not a BTF object (bad magic or size %zu)", s->len);
	btf = btf__new(s->data, (uint32_t)s->len);
	if (!btf)
		return sec_fail(s, -EINVAL, "BTF rejected by libbpf: %s", strerror(errno));
	if ((bad = btf_bad_type(btf))) {
		btf__free(btf);
		return sec_fail(s, -EINVAL, "BTF type %u is malformed", bad);
	}
	if (KTSNAP_ENSURE(sr->btfs, sr->btfs_cap, sr->nr_btfs + 1) ||
	    ktsnap_report_own_btf(sr->r, btf)) {
		btf__free(btf);
		return sec_fail(s, -ENOMEM, "out of memory");
	}
	sr->btfs[sr->nr_btfs++] = btf;
	return 0;
}

static int read_meta(struct sr *sr, const struct sec *s)
{
	int err = ktsnap_report__read_json_buf((const char *)s->data, s->len, &sr->r);

	if (err)
		return sec_fail(s, err, "%s", ktsnap_errmsg());
	if (sr->r->nr_maps) {
		ktsnap_report__free(sr->r);
		sr->r = NULL;
		return sec_fail(s, -EINVAL, "the report fields hold maps");
	}
	return 0;
}

int ktsnap_snapfile_read_buf(const void *vbuf, size_t len, unsigned int flags,
			     struct ktsnap_report **report)
{
	struct sr sr = { .buf = vbuf, .len = len, .flags = flags };
	const uint8_t *buf = vbuf;
	size_t off = FILE_HDR_LEN;
	unsigned int idx;
	int err = 0;

	if (len < FILE_HDR_LEN || memcmp(buf, KTSNAP_BINARY_MAGIC, KTSNAP_BINARY_MAGIC_LEN))
		return ktsnap_fail(-EINVAL, "snapshot file: bad magic (not a .ktsnap file)");
	if ((buf[8] | buf[9] << 8) != KTSNAP_BINARY_VERSION_MAJOR)
		return ktsnap_fail(-EINVAL,
				   "snapshot file: format version %u.%u; this reader "
				   "reads version %u.x",
				   buf[8] | buf[9] << 8, buf[10] | buf[11] << 8,
				   KTSNAP_BINARY_VERSION_MAJOR);
	if (get_le32(buf + 12))
		return ktsnap_fail(-EINVAL, "snapshot file: unknown header flags 0x%x",
				   get_le32(buf + 12));
	for (idx = 0;; idx++) {
		struct sec s;

		err = next_section(&sr, &off, idx, &s, owned_if_map);
		if (err) {
			free(s.owned);
			break;
		}
		if (idx == 0 && s.type != SEC_META) {
			err = sec_fail(&s, -EINVAL, "the first section must be META");
		} else if (idx > 0 && s.type == SEC_META) {
			err = sec_fail(&s, -EINVAL, "a second META section");
		} else {
			switch (s.type) {
			case SEC_META:
				err = read_meta(&sr, &s);
				break;
			case SEC_BTF:
				err = read_btf(&sr, &s);
				break;
			case SEC_MAP:
				err = read_map(&sr, &s);
				break;
			case SEC_MAP_JSON:
				err = read_map_json(&sr, &s);
				break;
			case SEC_END:
				if (s.len)
					err = sec_fail(&s, -EINVAL, "END section with content");
				else if (off != len)
					err = sec_fail(&s, -EINVAL,
						       "%zu bytes after the END section",
						       len - off);
				break;
			default:
				/* a later minor version's optional section */
				if (!(s.type & 0x8000))
					err = sec_fail(&s, -EINVAL, "unknown section type %u",
						       s.type);
				break;
			}
		}
		free(s.owned);
		if (err || s.type == SEC_END)
			break;
	}
	free(sr.btfs);
	if (err) {
		ktsnap_report__free(sr.r);
		return err;
	}
	*report = sr.r;
	return 0;
}

int ktsnap_report__read_binary_buf(const void *buf, size_t len, struct ktsnap_report **report)
{
	ktsnap_errmsg_clear();
	if (!buf || !report)
		return ktsnap_fail(-EINVAL, "binary reader: no %s",
				   buf ? "report pointer" : "input");
	return ktsnap_snapfile_read_buf(buf, len, 0, report);
}

/* ---- either format ------------------------------------------------------------------- */
/* All of @f in a malloc'd buffer (at most @max bytes, else -EFBIG). */
static int slurp(FILE *f, size_t max, char **out, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;

	for (;;) {
		size_t got;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1 << 16;
			char *nb;

			if (cap > max) {
				free(buf);
				return -EFBIG;
			}
			if (ncap > max + 1)
				ncap = max + 1;
			nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap = ncap;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				free(buf);
				return -EIO;
			}
			break;
		}
		if (n > max) {
			free(buf);
			return -EFBIG;
		}
	}
	*out = buf;
	*len = n;
	return 0;
}

int ktsnap_report__read_buf(const void *buf, size_t len, enum ktsnap_report_format fmt,
			    struct ktsnap_report **report)
{
	ktsnap_errmsg_clear();
	if (!buf || !report)
		return ktsnap_fail(-EINVAL, "report reader: no %s",
				   buf ? "report pointer" : "input");
	if (fmt == KTSNAP_FORMAT_AUTO)
		fmt = ktsnap_report_format__detect(buf, len);
	switch (fmt) {
	case KTSNAP_FORMAT_JSON:
		return ktsnap_report__read_json_buf(buf, len, report);
	case KTSNAP_FORMAT_BINARY:
		return ktsnap_snapfile_read_buf(buf, len, 0, report);
	default:
		return ktsnap_fail(-EINVAL, "report reader: unknown format %d", (int)fmt);
	}
}

static int read_stream(FILE *f, enum ktsnap_report_format fmt, struct ktsnap_report **report)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	ktsnap_errmsg_clear();
	if (!f || !report)
		return ktsnap_fail(-EINVAL, "report reader: no %s", f ? "report pointer" : "input");
	if (fmt != KTSNAP_FORMAT_AUTO && fmt != KTSNAP_FORMAT_JSON && fmt != KTSNAP_FORMAT_BINARY)
		return ktsnap_fail(-EINVAL, "report reader: unknown format %d", (int)fmt);
	if (fmt == KTSNAP_FORMAT_JSON)
		return ktsnap_report__read_json(f, report);
	err = slurp(f, KTSNAP_BINARY_MAX_INPUT, &buf, &len);
	if (err == -EFBIG)
		return ktsnap_fail(err, "report reader: input larger than %zu bytes",
				   KTSNAP_BINARY_MAX_INPUT);
	if (err == -ENOMEM)
		return ktsnap_fail(err, "report reader: out of memory");
	if (err)
		return ktsnap_fail(err, "report reader: read failed");
	err = ktsnap_report__read_buf(buf ? buf : "", len, fmt, report);
	free(buf);
	return err;
}

int ktsnap_report__read_binary(FILE *f, struct ktsnap_report **report)
{
	return read_stream(f, KTSNAP_FORMAT_BINARY, report);
}

int ktsnap_report__read_file(FILE *f, enum ktsnap_report_format fmt, struct ktsnap_report **report)
{
	return read_stream(f, fmt, report);
}

int ktsnap_report__write_file(const struct ktsnap_report *r, FILE *f, enum ktsnap_report_format fmt,
			      unsigned int flags)
{
	switch (fmt) {
	case KTSNAP_FORMAT_AUTO:
	case KTSNAP_FORMAT_JSON:
		return ktsnap_report__write_json(r, f,
						 flags & ~(unsigned int)KTSNAP_BINARY_NO_COMPRESS);
	case KTSNAP_FORMAT_BINARY:
		return ktsnap_report__write_binary(r, f, flags & ~(unsigned int)0xff);
	default:
		ktsnap_errmsg_clear();
		return ktsnap_fail(-EINVAL, "report writer: unknown format %d", (int)fmt);
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

enum ktsnap_report_format ktsnap_report_format__from_path(const char *path)
{
	if (!path)
		return KTSNAP_FORMAT_AUTO;
	if (ends_with(path, ".ktsnap"))
		return KTSNAP_FORMAT_BINARY;
	if (ends_with(path, ".json"))
		return KTSNAP_FORMAT_JSON;
	return KTSNAP_FORMAT_AUTO;
}

enum ktsnap_report_format ktsnap_report_format__detect(const void *buf, size_t len)
{
	if (buf && len >= KTSNAP_BINARY_MAGIC_LEN &&
	    !memcmp(buf, KTSNAP_BINARY_MAGIC, KTSNAP_BINARY_MAGIC_LEN))
		return KTSNAP_FORMAT_BINARY;
	return KTSNAP_FORMAT_JSON;
}

const char *ktsnap_report_format__name(enum ktsnap_report_format fmt)
{
	switch (fmt) {
	case KTSNAP_FORMAT_AUTO:
		return "auto";
	case KTSNAP_FORMAT_JSON:
		return "json";
	case KTSNAP_FORMAT_BINARY:
		return "ktsnap";
	default:
		return NULL;
	}
}
