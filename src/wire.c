// SPDX-License-Identifier: MIT
/*
 * The wire codec (spec §10.2–§10.6): the 16-byte TLV header and its CRC,
 * the fixed 72-byte snapshot request/reply payloads with the host's drop
 * rules, the postcard encoding of kernel-op requests and replies, the
 * tagged sidecar file name, and the stream I/O both ends share (bounded
 * reads with the spec's poll cadence, whole-frame writes).  Everything
 * here is a pure function of its arguments except the I/O helpers; the
 * client algorithm lives in client.c and the service in serve.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <ktsnap/bridge.h>
#include <ktsnap/wire.h>

#include "log_internal.h"
#include "util_internal.h"
#include "wire_internal.h"

/* ---- header ------------------------------------------------------------------ */
uint32_t ktsnap_wire_crc32(const void *data, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	const Bytef *p = data;

	if (!p)
		return (uint32_t)crc;
	/* zlib takes uInt lengths: feed huge buffers in pieces */
	while (len) {
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;

		crc = crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t)crc;
}

void ktsnap_wire_header__encode(const struct ktsnap_wire_header *h, uint8_t *out)
{
	if (!h || !out)
		return;
	put_le32(out, h->msg_type);
	put_le32(out + 4, h->length);
	put_le32(out + 8, h->crc32);
	put_le32(out + 12, 0);
}

void ktsnap_wire_header__decode(const uint8_t *in, struct ktsnap_wire_header *h)
{
	if (!in || !h)
		return;
	h->msg_type = get_le32(in);
	h->length = get_le32(in + 4);
	h->crc32 = get_le32(in + 8);
	h->pad = get_le32(in + 12);
}

void ktsnap_wire_header__make(uint32_t msg_type, const void *payload, uint32_t len, uint8_t *out)
{
	struct ktsnap_wire_header h = {
		.msg_type = msg_type,
		.length = len,
		.crc32 = ktsnap_wire_crc32(payload, len),
	};

	ktsnap_wire_header__encode(&h, out);
}

bool ktsnap_wire_header__crc_ok(const struct ktsnap_wire_header *h, const void *payload, size_t len)
{
	return h && ktsnap_wire_crc32(payload, len) == h->crc32;
}

const char *ktsnap_wire_msg_name(uint32_t msg_type, char *buf)
{
	int i;

	if (!buf)
		return NULL;
	for (i = 0; i < 4; i++) {
		unsigned char c = (unsigned char)(msg_type >> (24 - 8 * i));

		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	buf[4] = '\0';
	return buf;
}

/* ---- UTF-8 ------------------------------------------------------------------- */

/* Bytes of the maximal prefix of a valid sequence at @p (at least 1). */
static size_t utf8_bad_prefix(const uint8_t *p, size_t n)
{
	uint8_t c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 1;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (i = 1; i < need && i < n; i++) {
		if (p[i] < lo || p[i] > hi)
			break;
		lo = 0x80;
		hi = 0xbf;
	}
	return i;
}

size_t ktsnap_wire_utf8_lossy(char *dst, size_t size, const uint8_t *src, size_t n)
{
	static const char repl[] = "\xef\xbf\xbd";
	size_t i = 0, o = 0;

	if (!size)
		return 0;
	while (i < n && src[i]) {
		size_t end = i, k = ktsnap_utf8_seq(src + i, n - i);
		const char *from;
		size_t len;

		/* a sequence cut by the NUL terminator is invalid too */
		if (k) {
			while (end < i + k && src[end])
				end++;
			if (end < i + k)
				k = 0;
		}
		if (k) {
			from = (const char *)src + i;
			len = k;
		} else {
			from = repl;
			len = 3;
			k = utf8_bad_prefix(src + i, n - i);
			for (end = i + 1; end < i + k && src[end]; end++)
				;
			k = end - i;
		}
		if (o + len >= size)
			break;
		memcpy(dst + o, from, len);
		o += len;
		i += k;
	}
	dst[o] = '\0';
	return o;
}

size_t ktsnap_wire_utf8_truncate(char *s, size_t max)
{
	size_t len, i = 0;

	if (!s)
		return 0;
	len = strlen(s);
	if (len <= max)
		return len;
	/* back up over continuation bytes so no sequence is split */
	i = max;
	while (i > 0 && ((uint8_t)s[i] & 0xc0) == 0x80)
		i--;
	s[i] = '\0';
	return i;
}

/* ---- snapshot payloads (§10.3) ---------------------------------------------------- */
static void put_text(uint8_t *dst, size_t max, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > max)
		n = max;
	memset(dst, 0, max);
	if (n)
		memcpy(dst, s, n);
}

void ktsnap_snapshot_request__encode(uint32_t request_id, uint32_t kind, const char *tag,
				     uint8_t *out)
{
	if (!out)
		return;
	put_le32(out, request_id);
	put_le32(out + 4, kind);
	put_text(out + 8, KTSNAP_SNAPSHOT_TAG_MAX, tag);
}

void ktsnap_snapshot_reply__encode(uint32_t request_id, uint32_t status, const char *reason,
				   uint8_t *out)
{
	if (!out)
		return;
	put_le32(out, request_id);
	put_le32(out + 4, status);
	put_text(out + 8, KTSNAP_SNAPSHOT_REASON_MAX, reason);
}

int ktsnap_snapshot_request__decode(const void *payload, size_t len,
				    struct ktsnap_snapshot_request *out)
{
	const uint8_t *p = payload;

	if (!p || !out)
		return ktsnap_fail(-EINVAL, "snapshot request: NULL payload or result");
	if (len != KTSNAP_SNAPSHOT_PAYLOAD_SIZE)
		return ktsnap_fail(-EBADMSG, "snapshot request: payload of %zu bytes, not %d", len,
				   KTSNAP_SNAPSHOT_PAYLOAD_SIZE);
	out->request_id = get_le32(p);
	out->kind = get_le32(p + 4);
	if (!out->request_id || out->kind == KTSNAP_SNAPSHOT_KIND_NONE)
		return ktsnap_fail(-EBADMSG,
				   "snapshot request: request_id %u, kind %u (0 is "
				   "invalid)",
				   out->request_id, out->kind);
	ktsnap_wire_utf8_lossy(out->tag, sizeof(out->tag), p + 8, KTSNAP_SNAPSHOT_TAG_MAX);
	return 0;
}

int ktsnap_snapshot_reply__decode(const void *payload, size_t len,
				  struct ktsnap_snapshot_reply *out)
{
	const uint8_t *p = payload;

	if (!p || !out)
		return ktsnap_fail(-EINVAL, "snapshot reply: NULL payload or result");
	if (len != KTSNAP_SNAPSHOT_PAYLOAD_SIZE)
		return ktsnap_fail(-EBADMSG, "snapshot reply: payload of %zu bytes, not %d", len,
				   KTSNAP_SNAPSHOT_PAYLOAD_SIZE);
	out->request_id = get_le32(p);
	out->status = get_le32(p + 4);
	ktsnap_wire_utf8_lossy(out->reason, sizeof(out->reason), p + 8, KTSNAP_SNAPSHOT_REASON_MAX);
	return 0;
}

int ktsnap_snapshot_request__decode_frame(const void *frame, size_t len,
					  struct ktsnap_snapshot_request *out)
{
	const uint8_t *p = frame;
	struct ktsnap_wire_header h;

	if (!p || !out)
		return ktsnap_fail(-EINVAL, "snapshot request frame: NULL frame or result");
	if (len < KTSNAP_WIRE_HEADER_SIZE)
		return ktsnap_fail(-EBADMSG,
				   "snapshot request frame: %zu bytes, shorter than "
				   "a header",
				   len);
	ktsnap_wire_header__decode(p, &h);
	if (h.msg_type != KTSNAP_MSG_SNAPSHOT_REQUEST)
		return ktsnap_fail(-EBADMSG, "snapshot request frame: type 0x%08x", h.msg_type);
	if (h.length != len - KTSNAP_WIRE_HEADER_SIZE)
		return ktsnap_fail(-EBADMSG, "snapshot request frame: length %u with %zu bytes",
				   h.length, len - KTSNAP_WIRE_HEADER_SIZE);
	if (!ktsnap_wire_header__crc_ok(&h, p + KTSNAP_WIRE_HEADER_SIZE, h.length))
		return ktsnap_fail(-EBADMSG, "snapshot request frame: CRC mismatch");
	return ktsnap_snapshot_request__decode(p + KTSNAP_WIRE_HEADER_SIZE, h.length, out);
}

/* ---- postcard (§10.5) ------------------------------------------------------------- */
struct pc_out {
	uint8_t *buf;
	size_t len, cap;
	int err;
};

static void pc_bytes(struct pc_out *o, const void *p, size_t n)
{
	if (o->err)
		return;
	if (o->len + n < o->len || KTSNAP_ENSURE(o->buf, o->cap, o->len + n)) {
		o->err = -ENOMEM;
		return;
	}
	if (n)
		memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void pc_varint(struct pc_out *o, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	do {
		b[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	pc_bytes(o, b, n);
}

static void pc_u8(struct pc_out *o, uint8_t v)
{
	pc_bytes(o, &v, 1);
}

static void pc_str(struct pc_out *o, const char *s)
{
	size_t n;

	if (!s) {
		o->err = o->err ?: -EINVAL;
		return;
	}
	n = strlen(s);
	pc_varint(o, n);
	pc_bytes(o, s, n);
}

static void pc_value(struct pc_out *o, const struct ktsnap_kernel_op_value *v)
{
	pc_varint(o, (uint64_t)v->kind);
	switch (v->kind) {
	case KTSNAP_KERNEL_OP_VALUE_U32:
	case KTSNAP_KERNEL_OP_VALUE_OR_U32:
		pc_varint(o, v->u32);
		break;
	case KTSNAP_KERNEL_OP_VALUE_U64:
		pc_varint(o, v->u64);
		break;
	case KTSNAP_KERNEL_OP_VALUE_BYTES:
		if (!v->bytes.data && v->bytes.len) {
			o->err = o->err ?: -EINVAL;
			return;
		}
		pc_varint(o, v->bytes.len);
		pc_bytes(o, v->bytes.data, v->bytes.len);
		break;
	default:
		o->err = o->err ?: -EINVAL;
	}
}

static void pc_target(struct pc_out *o, const struct ktsnap_kernel_op_target *t)
{
	pc_varint(o, (uint64_t)t->kind);
	switch (t->kind) {
	case KTSNAP_KERNEL_OP_TARGET_SYMBOL:
		pc_str(o, t->symbol);
		break;
	case KTSNAP_KERNEL_OP_TARGET_DIRECT:
	case KTSNAP_KERNEL_OP_TARGET_KVA:
		pc_varint(o, t->addr);
		break;
	case KTSNAP_KERNEL_OP_TARGET_PER_CPU_FIELD:
		pc_str(o, t->symbol);
		pc_str(o, t->field);
		pc_varint(o, t->cpu);
		break;
	case KTSNAP_KERNEL_OP_TARGET_TASK_FIELD:
		pc_varint(o, t->pid);
		pc_varint(o, t->expected_start_time_ns);
		pc_str(o, t->field);
		break;
	default:
		o->err = o->err ?: -EINVAL;
	}
}

static int pc_finish(struct pc_out *o, const char *what, uint8_t **out, size_t *out_len)
{
	if (!o->err && !o->buf)
		pc_bytes(o, "", 0); /* never hand back NULL on success */
	if (!o->err && !o->buf)
		o->err = -ENOMEM;
	if (o->err) {
		free(o->buf);
		return ktsnap_fail(o->err, "%s: %s", what,
				   o->err == -ENOMEM ? "out of memory" :
						       "a NULL string or bytes, or an unknown "
						       "variant");
	}
	*out = o->buf;
	*out_len = o->len;
	return 0;
}

int ktsnap_kernel_op_request__encode(const struct ktsnap_kernel_op_request *req, uint8_t **out,
				     size_t *out_len)
{
	struct pc_out o = { 0 };
	size_t i;

	if (!req || !out || !out_len || (req->nr_entries && !req->entries) ||
	    req->mode > KTSNAP_KERNEL_OP_COLD || req->direction > KTSNAP_KERNEL_OP_READ)
		return ktsnap_fail(-EINVAL, "kernel-op request encode: NULL argument, entries, "
					    "or an unknown mode or direction");
	pc_varint(&o, req->request_id);
	pc_varint(&o, (uint64_t)req->mode);
	pc_varint(&o, (uint64_t)req->direction);
	pc_str(&o, req->tag ? req->tag : "");
	pc_varint(&o, req->nr_entries);
	for (i = 0; i < req->nr_entries && !o.err; i++) {
		pc_target(&o, &req->entries[i].target);
		pc_value(&o, &req->entries[i].value);
	}
	return pc_finish(&o, "kernel-op request encode", out, out_len);
}

int ktsnap_kernel_op_reply__encode(const struct ktsnap_kernel_op_reply *reply, uint8_t **out,
				   size_t *out_len)
{
	struct pc_out o = { 0 };
	size_t i;

	if (!reply || !out || !out_len || (reply->nr_read_values && !reply->read_values))
		return ktsnap_fail(-EINVAL, "kernel-op reply encode: NULL argument or values");
	pc_varint(&o, reply->request_id);
	pc_u8(&o, reply->success ? 1 : 0);
	pc_str(&o, reply->reason ? reply->reason : "");
	pc_varint(&o, reply->nr_read_values);
	for (i = 0; i < reply->nr_read_values && !o.err; i++)
		pc_value(&o, &reply->read_values[i]);
	return pc_finish(&o, "kernel-op reply encode", out, out_len);
}

struct pc_in {
	const uint8_t *p;
	size_t len, pos;
	int err;
};

static uint64_t pc_get_varint(struct pc_in *in, unsigned int bits)
{
	/* postcard: at most ceil(bits / 7) bytes; the last one must fit */
	unsigned int max = (bits + 6) / 7, i;
	uint64_t v = 0;

	for (i = 0; i < max; i++) {
		uint8_t b;

		if (in->err || in->pos >= in->len) {
			in->err = -EBADMSG;
			return 0;
		}
		b = in->p[in->pos++];
		if (i == max - 1 && (b >> (bits - 7 * i)) != 0) {
			in->err = -EBADMSG; /* overflows the type */
			return 0;
		}
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return v;
	}
	in->err = -EBADMSG;
	return 0;
}

static bool pc_get_bool(struct pc_in *in)
{
	uint8_t b;

	if (in->err || in->pos >= in->len) {
		in->err = -EBADMSG;
		return false;
	}
	b = in->p[in->pos++];
	if (b > 1)
		in->err = -EBADMSG;
	return b == 1;
}

/* A length prefix: must fit in the bytes left (times the least element size). */
static size_t pc_get_len(struct pc_in *in, size_t min_elem)
{
	uint64_t n = pc_get_varint(in, 64);

	if (in->err)
		return 0;
	if (min_elem && n > (in->len - in->pos) / min_elem) {
		in->err = -EBADMSG;
		return 0;
	}
	return (size_t)n;
}

static char *pc_get_str(struct pc_in *in)
{
	size_t n = pc_get_len(in, 1), i;
	const uint8_t *s;
	char *r;

	if (in->err)
		return NULL;
	s = in->p + in->pos;
	for (i = 0; i < n;) {
		size_t k = s[i] ? ktsnap_utf8_seq(s + i, n - i) : 0;

		if (!k) {
			in->err = -EBADMSG; /* not UTF-8, or a NUL C cannot hold */
			return NULL;
		}
		i += k;
	}
	r = malloc(n + 1);
	if (!r) {
		in->err = -ENOMEM;
		return NULL;
	}
	memcpy(r, s, n);
	r[n] = '\0';
	in->pos += n;
	return r;
}

static void pc_get_value(struct pc_in *in, struct ktsnap_kernel_op_value *v)
{
	uint64_t kind = pc_get_varint(in, 32);
	size_t n;

	memset(v, 0, sizeof(*v));
	if (in->err)
		return;
	switch (kind) {
	case KTSNAP_KERNEL_OP_VALUE_U32:
	case KTSNAP_KERNEL_OP_VALUE_OR_U32:
		v->kind = (enum ktsnap_kernel_op_value_kind)kind;
		v->u32 = (uint32_t)pc_get_varint(in, 32);
		break;
	case KTSNAP_KERNEL_OP_VALUE_U64:
		v->kind = KTSNAP_KERNEL_OP_VALUE_U64;
		v->u64 = pc_get_varint(in, 64);
		break;
	case KTSNAP_KERNEL_OP_VALUE_BYTES:
		v->kind = KTSNAP_KERNEL_OP_VALUE_BYTES;
		n = pc_get_len(in, 1);
		if (in->err)
			return;
		v->bytes.data = malloc(n ? n : 1);
		if (!v->bytes.data) {
			in->err = -ENOMEM;
			return;
		}
		if (n)
			memcpy(v->bytes.data, in->p + in->pos, n);
		v->bytes.len = n;
		in->pos += n;
		break;
	default:
		in->err = -EBADMSG;
	}
}

static void pc_get_target(struct pc_in *in, struct ktsnap_kernel_op_target *t)
{
	uint64_t kind = pc_get_varint(in, 32);

	memset(t, 0, sizeof(*t));
	if (in->err)
		return;
	switch (kind) {
	case KTSNAP_KERNEL_OP_TARGET_SYMBOL:
		t->kind = KTSNAP_KERNEL_OP_TARGET_SYMBOL;
		t->symbol = pc_get_str(in);
		break;
	case KTSNAP_KERNEL_OP_TARGET_DIRECT:
	case KTSNAP_KERNEL_OP_TARGET_KVA:
		t->kind = (enum ktsnap_kernel_op_target_kind)kind;
		t->addr = pc_get_varint(in, 64);
		break;
	case KTSNAP_KERNEL_OP_TARGET_PER_CPU_FIELD:
		t->kind = KTSNAP_KERNEL_OP_TARGET_PER_CPU_FIELD;
		t->symbol = pc_get_str(in);
		if (!in->err)
			t->field = pc_get_str(in);
		t->cpu = (uint32_t)pc_get_varint(in, 32);
		break;
	case KTSNAP_KERNEL_OP_TARGET_TASK_FIELD:
		t->kind = KTSNAP_KERNEL_OP_TARGET_TASK_FIELD;
		t->pid = (uint32_t)pc_get_varint(in, 32);
		t->expected_start_time_ns = pc_get_varint(in, 64);
		t->field = pc_get_str(in);
		break;
	default:
		in->err = -EBADMSG;
	}
}

int ktsnap_kernel_op_request__decode(const void *buf, size_t len,
				     struct ktsnap_kernel_op_request *req)
{
	struct pc_in in = { .p = buf, .len = len };
	uint64_t mode, dir;
	size_t n, i;

	if (!req || (!buf && len))
		return ktsnap_fail(-EINVAL, "kernel-op request decode: NULL argument");
	memset(req, 0, sizeof(*req));
	req->request_id = (uint32_t)pc_get_varint(&in, 32);
	mode = pc_get_varint(&in, 32);
	dir = pc_get_varint(&in, 32);
	if (!in.err && (mode > KTSNAP_KERNEL_OP_COLD || dir > KTSNAP_KERNEL_OP_READ))
		in.err = -EBADMSG;
	req->mode = (enum ktsnap_kernel_op_mode)mode;
	req->direction = (enum ktsnap_kernel_op_direction)dir;
	if (!in.err)
		req->tag = pc_get_str(&in);
	/* an entry takes at least 2 bytes (two variant indices) */
	n = pc_get_len(&in, 2);
	if (!in.err && n) {
		req->entries = calloc(n, sizeof(*req->entries));
		if (!req->entries)
			in.err = -ENOMEM;
	}
	for (i = 0; i < n && !in.err; i++) {
		pc_get_target(&in, &req->entries[i].target);
		req->nr_entries = i + 1;
		if (!in.err)
			pc_get_value(&in, &req->entries[i].value);
	}
	if (in.err) {
		ktsnap_kernel_op_request__clear(req);
		return ktsnap_fail(in.err, "kernel-op request decode: %s at byte %zu of %zu",
				   in.err == -ENOMEM ? "out of memory" : "malformed postcard",
				   in.pos, len);
	}
	return 0;
}

int ktsnap_kernel_op_reply__decode(const void *buf, size_t len,
				   struct ktsnap_kernel_op_reply *reply)
{
	struct pc_in in = { .p = buf, .len = len };
	size_t n, i;

	if (!reply || (!buf && len))
		return ktsnap_fail(-EINVAL, "kernel-op reply decode: NULL argument");
	memset(reply, 0, sizeof(*reply));
	reply->request_id = (uint32_t)pc_get_varint(&in, 32);
	reply->success = pc_get_bool(&in);
	if (!in.err)
		reply->reason = pc_get_str(&in);
	n = pc_get_len(&in, 2);
	if (!in.err && n) {
		reply->read_values = calloc(n, sizeof(*reply->read_values));
		if (!reply->read_values)
			in.err = -ENOMEM;
	}
	for (i = 0; i < n && !in.err; i++) {
		pc_get_value(&in, &reply->read_values[i]);
		reply->nr_read_values = i + 1;
	}
	if (in.err) {
		ktsnap_kernel_op_reply__clear(reply);
		return ktsnap_fail(in.err, "kernel-op reply decode: %s at byte %zu of %zu",
				   in.err == -ENOMEM ? "out of memory" : "malformed postcard",
				   in.pos, len);
	}
	return 0;
}

/* ---- sidecar name (§10.6) ------------------------------------------------------------ */
static bool tag_char_ok(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

int ktsnap_wire_sidecar_path(const char *base, const char *tag, char *buf, size_t size)
{
	static const char suffix[] = ".failure-dump";
	const char *name, *dot, *ext = NULL, *t;
	size_t dir_len, stem_len, total = 0, slen = sizeof(suffix) - 1;
	const char *stem;
	char tmp[8];

#define EMIT(p, n)                                                                 \
	do {                                                                       \
		size_t n_ = (n);                                                   \
		if (total < size) {                                                \
			size_t k_ = size - total - 1 < n_ ? size - total - 1 : n_; \
			memcpy(buf + total, (p), k_);                              \
		}                                                                  \
		total += n_;                                                       \
	} while (0)

	if (!base || !tag || (!buf && size))
		return ktsnap_fail(-EINVAL, "sidecar path: NULL base, tag or buffer");
	name = strrchr(base, '/');
	name = name ? name + 1 : base;
	dir_len = (size_t)(name - base);
	/* file stem and extension, as Rust's Path does: a leading dot is part
	 * of the stem; ".." has no extension */
	dot = strrchr(name, '.');
	if (dot && dot != name && strcmp(name, "..")) {
		stem_len = (size_t)(dot - name);
		ext = dot + 1;
	} else {
		stem_len = strlen(name);
	}
	stem = name;
	if (!stem_len || stem[0] == '.' || !strcmp(name, "..")) {
		stem = "dump";
		stem_len = 4;
	}
	if (stem_len >= slen && !memcmp(stem + stem_len - slen, suffix, slen))
		stem_len -= slen;

	EMIT(base, dir_len);
	EMIT(stem, stem_len);
	EMIT(".snapshot.", 10);
	for (t = tag; *t;) {
		size_t k = ktsnap_utf8_seq((const uint8_t *)t, strlen(t));

		if (k == 1 && tag_char_ok((uint8_t)*t)) {
			EMIT(t, 1);
		} else {
			tmp[0] = '_';
			EMIT(tmp, 1);
		}
		t += k ? k : 1;
	}
	if (ext) {
		EMIT(".", 1);
		EMIT(ext, strlen(ext));
	}
	if (size)
		buf[total < size ? total : size - 1] = '\0';
#undef EMIT
	if (total > INT32_MAX)
		return ktsnap_fail(-EOVERFLOW, "sidecar path: %zu bytes", total);
	return (int)total;
}

/* ---- shared stream I/O --------------------------------------------------------------- */
void (*ktsnap_wire_poll_hook)(uint64_t timeout_ns);

void ktsnap_wire_fmt_duration(char *buf, size_t size, uint64_t ns)
{
	static const struct {
		uint64_t unit;
		const char *name;
	} units[] = {
		{ 1000000000ull, "s" },
		{ 1000000ull, "ms" },
		{ 1000ull, "\u00b5s" },
		{ 1, "ns" },
	};
	size_t u;

	for (u = 0; u < 3 && ns < units[u].unit; u++)
		;
	if (units[u].unit == 1 || ns % units[u].unit == 0) {
		snprintf(buf, size, "%llu%s", (unsigned long long)(ns / units[u].unit),
			 units[u].name);
	} else {
		char frac[16];
		int len;

		/* fractional part without trailing zeros (Rust's Debug) */
		len = snprintf(frac, sizeof(frac), "%0*llu",
			       u == 0 ? 9 :
			       u == 1 ? 6 :
					3,
			       (unsigned long long)(ns % units[u].unit));
		while (len > 0 && frac[len - 1] == '0')
			frac[--len] = '\0';
		snprintf(buf, size, "%llu.%s%s", (unsigned long long)(ns / units[u].unit), frac,
			 units[u].name);
	}
}

void ktsnap_wire_os_error(char *buf, size_t size, int errnum)
{
	snprintf(buf, size, "%s (os error %d)", strerror(errnum), errnum);
}

int ktsnap_wire_read_exact(int fd, void *buf, size_t n, uint64_t deadline_ns, int cancel_fd,
			   size_t *got, char *err, size_t err_size)
{
	uint8_t *p = buf;
	size_t filled = 0;
	unsigned int polls = 0;
	int rc = 0;

	while (filled < n) {
		struct pollfd pfd[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = cancel_fd, .events = POLLIN },
		};
		uint64_t now = ktsnap_monotonic_ns(), slice;
		struct timespec ts;
		ssize_t r;
		int pr;

		if (now >= deadline_ns) {
			snprintf(err, err_size,
				 "snapshot reply deadline elapsed after reading %zu of %zu "
				 "header/payload bytes",
				 filled, n);
			rc = -ETIMEDOUT;
			break;
		}
		slice = polls < KTSNAP_WIRE_FAST_POLLS ? KTSNAP_WIRE_FAST_POLL_NS :
							 KTSNAP_WIRE_SLOW_POLL_NS;
		if (slice > deadline_ns - now)
			slice = deadline_ns - now;
		if (ktsnap_wire_poll_hook)
			ktsnap_wire_poll_hook(slice);
		ts.tv_sec = (time_t)(slice / 1000000000ull);
		ts.tv_nsec = (long)(slice % 1000000000ull);
		pr = ppoll(pfd, cancel_fd >= 0 ? 2 : 1, &ts, NULL);
		if (polls < UINT32_MAX)
			polls++;
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			ktsnap_wire_os_error(err, err_size, errno);
			break;
		}
		if (cancel_fd >= 0 && (pfd[1].revents & POLLIN)) {
			snprintf(err, err_size, "cancelled");
			rc = -ECANCELED;
			break;
		}
		if (pr == 0 || !pfd[0].revents)
			continue;
		r = read(fd, p + filled, n - filled);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			rc = -errno;
			ktsnap_wire_os_error(err, err_size, errno);
			break;
		}
		if (r == 0) {
			snprintf(err, err_size,
				 "snapshot reply read returned 0 after %zu of %zu bytes", filled,
				 n);
			rc = -EPIPE;
			break;
		}
		filled += (size_t)r;
	}
	if (got)
		*got = filled;
	return rc;
}

int ktsnap_wire_write_frame(int fd, uint32_t msg_type, const void *payload, uint32_t len,
			    uint64_t deadline_ns, char *err, size_t err_size)
{
	uint8_t hdr[KTSNAP_WIRE_HEADER_SIZE];
	struct iovec iov[2];
	size_t total, done = 0;
	bool is_sock = true;

	ktsnap_wire_header__make(msg_type, payload, len, hdr);
	iov[0] = (struct iovec){ .iov_base = hdr, .iov_len = sizeof(hdr) };
	iov[1] = (struct iovec){ .iov_base = (void *)payload, .iov_len = len };
	total = sizeof(hdr) + len;
	while (done < total) {
		struct iovec v[2];
		struct msghdr mh = { .msg_iov = v };
		size_t skip = done;
		int i, nv = 0;
		ssize_t w;

		for (i = 0; i < 2; i++) {
			if (skip >= iov[i].iov_len) {
				skip -= iov[i].iov_len;
				continue;
			}
			v[nv].iov_base = (uint8_t *)iov[i].iov_base + skip;
			v[nv++].iov_len = iov[i].iov_len - skip;
			skip = 0;
		}
		mh.msg_iovlen = (size_t)nv;
		if (is_sock) {
			w = sendmsg(fd, &mh, MSG_NOSIGNAL);
			if (w < 0 && errno == ENOTSOCK) {
				is_sock = false;
				continue;
			}
		} else {
			w = writev(fd, v, nv);
		}
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			uint64_t now = ktsnap_monotonic_ns();

			if (now >= deadline_ns) {
				snprintf(err, err_size,
					 "write deadline elapsed after %zu of %zu bytes", done,
					 total);
				return -ETIMEDOUT;
			}
			/* ms granularity is fine here: this only waits on a full buffer */
			poll(&pfd, 1, (int)((deadline_ns - now + 999999) / 1000000));
			continue;
		}
		if (w < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			ktsnap_wire_os_error(err, err_size, e);
			return -e;
		}
		if (w == 0) {
			snprintf(err, err_size, "write returned 0 after %zu of %zu bytes", done,
				 total);
			return -EPIPE;
		}
		done += (size_t)w;
	}
	return 0;
}
