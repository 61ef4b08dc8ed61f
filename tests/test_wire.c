// SPDX-License-Identifier: MIT
/*
 * The wire (spec §10; FEATURES F06, F128–F136): the codec byte for byte,
 * and the client algorithm against a socketpair standing in for the port,
 * including hostile peers (oversize length, bad CRC, half a header then a
 * stall, a disconnect mid-reply) and the latched-dead flag.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include <ktsnap/wire.h>

#include "wire_internal.h"

/* ---- F06: constants -------------------------------------------------------------- */
static void t_constants(void **state)
{
	assert_int_equal(KTSNAP_SNAPSHOT_TAG_MAX, 64);
	assert_int_equal(KTSNAP_SNAPSHOT_REASON_MAX, 64);
	assert_int_equal(KTSNAP_SNAPSHOT_KIND_NONE, 0);
	assert_int_equal(KTSNAP_SNAPSHOT_KIND_CAPTURE, 1);
	assert_int_equal(KTSNAP_SNAPSHOT_KIND_WATCH, 2);
	assert_int_equal(KTSNAP_SNAPSHOT_STATUS_OK, 1);
	assert_int_equal(KTSNAP_SNAPSHOT_STATUS_ERR, 2);
	assert_int_equal(KTSNAP_MSG_SNAPSHOT_REQUEST, 0x534E5251);
	assert_int_equal(KTSNAP_MSG_SNAPSHOT_REPLY, 0x534E5250);
	assert_int_equal(KTSNAP_MSG_KERNEL_OP_REQUEST, 0x4B4F5251);
	assert_int_equal(KTSNAP_MSG_KERNEL_OP_REPLY, 0x4B4F5250);
	assert_int_equal(KTSNAP_KERNEL_OP_REPLY_MAX, 1048576);
	assert_int_equal(KTSNAP_KERNEL_OP_TAG_MAX, 256);
	assert_int_equal(KTSNAP_WIRE_HEADER_SIZE, 16);
	assert_int_equal(KTSNAP_SNAPSHOT_PAYLOAD_SIZE, 72);
	assert_int_equal(sizeof(struct ktsnap_wire_header), 16);
}

static void t_msg_names(void **state)
{
	char b[5];

	assert_string_equal(ktsnap_wire_msg_name(KTSNAP_MSG_SNAPSHOT_REQUEST, b), "SNRQ");
	assert_string_equal(ktsnap_wire_msg_name(KTSNAP_MSG_SNAPSHOT_REPLY, b), "SNRP");
	assert_string_equal(ktsnap_wire_msg_name(KTSNAP_MSG_KERNEL_OP_REQUEST, b), "KORQ");
	assert_string_equal(ktsnap_wire_msg_name(KTSNAP_MSG_KERNEL_OP_REPLY, b), "KORP");
	assert_string_equal(ktsnap_wire_msg_name(KTSNAP_MSG_REPORT_REQUEST, b), "RPRQ");
	assert_string_equal(ktsnap_wire_msg_name(0x01414243, b), "?ABC");
}

/* ---- F128: framing ------------------------------------------------------------------- */
static void t_frame(void **state)
{
	uint8_t payload[KTSNAP_SNAPSHOT_PAYLOAD_SIZE], hdr[16];
	struct ktsnap_wire_header h;
	uint32_t crc;

	ktsnap_snapshot_request__encode(7, KTSNAP_SNAPSHOT_KIND_CAPTURE, "mid_run", payload);
	ktsnap_wire_header__make(KTSNAP_MSG_SNAPSHOT_REQUEST, payload, sizeof(payload), hdr);
	assert_int_equal(sizeof(hdr) + sizeof(payload), 88);
	/* "SNRQ" read as a big-endian number, written LE: reversed on the wire */
	assert_memory_equal(hdr, "QRNS", 4);
	assert_memory_equal(hdr + 4, "\x48\0\0\0", 4);
	crc = (uint32_t)crc32(0, payload, sizeof(payload));
	assert_int_equal(hdr[8] | hdr[9] << 8 | hdr[10] << 16 | (uint32_t)hdr[11] << 24, crc);
	assert_memory_equal(hdr + 12, "\0\0\0\0", 4);
	assert_int_equal(ktsnap_wire_crc32(payload, sizeof(payload)), crc);
	/* the standard check value of CRC-32/IEEE */
	assert_int_equal(ktsnap_wire_crc32("123456789", 9), 0xCBF43926);

	ktsnap_wire_header__decode(hdr, &h);
	assert_int_equal(h.msg_type, KTSNAP_MSG_SNAPSHOT_REQUEST);
	assert_int_equal(h.length, 72);
	assert_true(ktsnap_wire_header__crc_ok(&h, payload, sizeof(payload)));
	payload[3] ^= 1;
	assert_false(ktsnap_wire_header__crc_ok(&h, payload, sizeof(payload)));
	/* pad is ignored on read and written 0 */
	hdr[12] = 0xff;
	ktsnap_wire_header__decode(hdr, &h);
	assert_int_equal(h.pad, 0xff);
	ktsnap_wire_header__encode(&h, hdr);
	assert_int_equal(hdr[12], 0);
}

/* ---- F129: payload layout ------------------------------------------------------------ */
static void t_request_layout(void **state)
{
	uint8_t p[72];
	char tag70[71];
	struct ktsnap_snapshot_request req;
	struct ktsnap_snapshot_reply rep;
	size_t i;

	ktsnap_snapshot_request__encode(0x01020304, KTSNAP_SNAPSHOT_KIND_WATCH, "jiffies_64", p);
	assert_memory_equal(p, "\x04\x03\x02\x01\x02\0\0\0jiffies_64", 18);
	for (i = 18; i < 72; i++)
		assert_int_equal(p[i], 0);

	memset(tag70, 'a', 70);
	tag70[70] = '\0';
	tag70[63] = 'Z';
	tag70[64] = 'X';
	ktsnap_snapshot_request__encode(1, 1, tag70, p);
	assert_int_equal(p[8 + 63], 'Z');
	assert_int_equal(ktsnap_snapshot_request__decode(p, 72, &req), 0);
	assert_int_equal(strlen(req.tag), 64); /* truncated to 64, no NUL needed */
	assert_int_equal(req.tag[63], 'Z');

	ktsnap_snapshot_reply__encode(9, KTSNAP_SNAPSHOT_STATUS_OK, NULL, p);
	assert_memory_equal(p, "\x09\0\0\0\x01\0\0\0", 8);
	for (i = 8; i < 72; i++)
		assert_int_equal(p[i], 0); /* all zero on success */
	ktsnap_snapshot_reply__encode(9, KTSNAP_SNAPSHOT_STATUS_ERR, tag70, p);
	assert_int_equal(ktsnap_snapshot_reply__decode(p, 72, &rep), 0);
	assert_int_equal(rep.status, 2);
	assert_int_equal(strlen(rep.reason), 64);
	assert_int_equal(ktsnap_snapshot_reply__decode(p, 71, &rep), -EBADMSG);
}

/* ---- F130: host drop rules ----------------------------------------------------------- */
static size_t frame_of(uint8_t *out, uint32_t type, const uint8_t *payload, uint32_t len)
{
	ktsnap_wire_header__make(type, payload, len, out);
	memcpy(out + 16, payload, len);
	return 16 + len;
}

static void t_host_drop_rules(void **state)
{
	uint8_t p[80], f[128];
	struct ktsnap_snapshot_request req;
	size_t n;

	ktsnap_snapshot_request__encode(5, KTSNAP_SNAPSHOT_KIND_CAPTURE, "t", p);
	n = frame_of(f, KTSNAP_MSG_SNAPSHOT_REQUEST, p, 72);
	assert_int_equal(ktsnap_snapshot_request__decode_frame(f, n, &req), 0);
	assert_int_equal(req.request_id, 5);
	assert_int_equal(req.kind, 1);
	assert_string_equal(req.tag, "t");

	/* bad CRC */
	f[10] ^= 0x40;
	assert_int_equal(ktsnap_snapshot_request__decode_frame(f, n, &req), -EBADMSG);
	/* length 71 and 73 */
	memset(p + 72, 0, 8);
	n = frame_of(f, KTSNAP_MSG_SNAPSHOT_REQUEST, p, 71);
	assert_int_equal(ktsnap_snapshot_request__decode_frame(f, n, &req), -EBADMSG);
	n = frame_of(f, KTSNAP_MSG_SNAPSHOT_REQUEST, p, 73);
	assert_int_equal(ktsnap_snapshot_request__decode_frame(f, n, &req), -EBADMSG);
	/* a length field that disagrees with the bytes */
	n = frame_of(f, KTSNAP_MSG_SNAPSHOT_REQUEST, p, 72);
	assert_int_equal(ktsnap_snapshot_request__decode_frame(f, n - 1, &req), -EBADMSG);
	/* another type */
	n = frame_of(f, KTSNAP_MSG_SNAPSHOT_REPLY, p, 72);
	assert_int_equal(ktsnap_snapshot_request__decode_frame(f, n, &req), -EBADMSG);
	/* request_id 0, kind 0 */
	ktsnap_snapshot_request__encode(0, KTSNAP_SNAPSHOT_KIND_CAPTURE, "t", p);
	n = frame_of(f, KTSNAP_MSG_SNAPSHOT_REQUEST, p, 72);
	assert_int_equal(ktsnap_snapshot_request__decode_frame(f, n, &req), -EBADMSG);
	ktsnap_snapshot_request__encode(1, KTSNAP_SNAPSHOT_KIND_NONE, "t", p);
	n = frame_of(f, KTSNAP_MSG_SNAPSHOT_REQUEST, p, 72);
	assert_int_equal(ktsnap_snapshot_request__decode_frame(f, n, &req), -EBADMSG);
	/* kind 3 is not dropped here: the host answers it */
	ktsnap_snapshot_request__encode(1, 3, "t", p);
	assert_int_equal(ktsnap_snapshot_request__decode(p, 72, &req), 0);

	/* invalid UTF-8 in the tag is replaced, the tag ends at the first NUL */
	ktsnap_snapshot_request__encode(1, 1,
					"a\xff"
					"b\xe2\x82"
					"c",
					p);
	assert_int_equal(ktsnap_snapshot_request__decode(p, 72, &req), 0);
	assert_string_equal(req.tag, "a\xef\xbf\xbd"
				     "b\xef\xbf\xbd"
				     "c");
	memset(p + 8, 0xff, 64);
	assert_int_equal(ktsnap_snapshot_request__decode(p, 72, &req), 0);
	assert_int_equal(strlen(req.tag), 64 * 3);
	/* a character cut by the 64-byte limit becomes one U+FFFD */
	memset(p + 8, 'x', 63);
	p[8 + 63] = 0xe2;
	assert_int_equal(ktsnap_snapshot_request__decode(p, 72, &req), 0);
	assert_int_equal(strlen(req.tag), 63 + 3);
}

/* ---- F134: postcard ------------------------------------------------------------------ */
/*
 * round_trip_request() and round_trip_reply(), one body for both message
 * types: @m encodes to bytes that begin with @head[0..@n), decode back to a
 * message equal to @m, and are refused (leaving nothing allocated) when cut
 * short anywhere.  Returns the encoded length.
 */
#define DEFINE_ROUND_TRIP(what)                                                                    \
	static size_t round_trip_##what(const struct ktsnap_kernel_op_##what *m, const void *head, \
					size_t n)                                                  \
	{                                                                                          \
		struct ktsnap_kernel_op_##what back;                                               \
		uint8_t *buf;                                                                      \
		size_t len, cut;                                                                   \
                                                                                                   \
		assert_int_equal(ktsnap_kernel_op_##what##__encode(m, &buf, &len), 0);             \
		assert_true(len >= n);                                                             \
		assert_memory_equal(buf, head, n);                                                 \
		assert_int_equal(ktsnap_kernel_op_##what##__decode(buf, len, &back), 0);           \
		assert_true(ktsnap_kernel_op_##what##__equal(m, &back));                           \
		ktsnap_kernel_op_##what##__clear(&back);                                           \
		for (cut = 0; cut < len; cut++)                                                    \
			assert_int_equal(ktsnap_kernel_op_##what##__decode(buf, cut, &back),       \
					 -EBADMSG);                                                \
		free(buf);                                                                         \
		return len;                                                                        \
	}
DEFINE_ROUND_TRIP(request)
DEFINE_ROUND_TRIP(reply)

static void t_postcard_worked_example(void **state)
{
	static const uint8_t want[] = {
		0x01, 0x01, 0x01, 0x01, 0x74, 0x01, 0x00, 0x0a, 0x6a, 0x69,
		0x66, 0x66, 0x69, 0x65, 0x73, 0x5f, 0x36, 0x34, 0x01, 0x00
	};
	struct ktsnap_kernel_op_request req = { 0 };
	struct ktsnap_kernel_op_target t = { 0 };
	struct ktsnap_kernel_op_value v = ktsnap_kernel_op_value_u64(0);

	req.request_id = 1;
	req.mode = KTSNAP_KERNEL_OP_COLD;
	req.direction = KTSNAP_KERNEL_OP_READ;
	assert_int_equal(ktsnap_kernel_op_request__set_tag(&req, "t"), 0);
	assert_int_equal(ktsnap_kernel_op_target__set_symbol(&t, "jiffies_64"), 0);
	assert_int_equal(ktsnap_kernel_op_request__add_entry(&req, &t, &v), 0);
	assert_int_equal(round_trip_request(&req, want, sizeof(want)), sizeof(want));
	ktsnap_kernel_op_request__clear(&req);
	ktsnap_kernel_op_target__clear(&t);
}

static void t_postcard_variants(void **state)
{
	static const char want_reply[] = "\x01\x01\x02ok\x02\x01\x2a\x02\x04\0\0\0\0";
	struct ktsnap_kernel_op_request req = { 0 };
	struct ktsnap_kernel_op_reply rep = { 0 };
	struct ktsnap_kernel_op_target t = { 0 };
	struct ktsnap_kernel_op_value v = { 0 };

	req.request_id = 300; /* two varint bytes */
	req.mode = KTSNAP_KERNEL_OP_HOT;
	req.direction = KTSNAP_KERNEL_OP_WRITE;
	ktsnap_kernel_op_target__set_per_cpu_field(&t, "runqueues", "nr_running", 3);
	v = ktsnap_kernel_op_value_u32(UINT32_MAX);
	ktsnap_kernel_op_request__add_entry(&req, &t, &v);
	ktsnap_kernel_op_target__clear(&t);
	ktsnap_kernel_op_target__set_task_field(&t, 4242, UINT64_MAX, "scx.dsq_vtime");
	v = ktsnap_kernel_op_value_or_u32(0x80);
	ktsnap_kernel_op_request__add_entry(&req, &t, &v);
	ktsnap_kernel_op_target__clear(&t);
	t = ktsnap_kernel_op_target_direct(0xffff888000000000ull);
	ktsnap_kernel_op_value__set_bytes(&v, "\x01\x02\x03", 3);
	ktsnap_kernel_op_request__add_entry(&req, &t, &v);
	ktsnap_kernel_op_value__clear(&v);
	t = ktsnap_kernel_op_target_kva(1);
	v = ktsnap_kernel_op_value_u64(1ull << 63);
	ktsnap_kernel_op_request__add_entry(&req, &t, &v);

	/* id 300, Hot, Write, "" */
	round_trip_request(&req, "\xac\x02\x00\x00\x00\x04", 6);
	ktsnap_kernel_op_request__clear(&req);

	rep.request_id = 1;
	rep.success = true;
	ktsnap_kernel_op_reply__set_reason(&rep, "ok");
	v = ktsnap_kernel_op_value_u64(42);
	ktsnap_kernel_op_reply__push_value(&rep, &v);
	ktsnap_kernel_op_value__set_bytes(&v, NULL, 4);
	ktsnap_kernel_op_reply__push_value(&rep, &v);
	ktsnap_kernel_op_value__clear(&v);
	assert_int_equal(round_trip_reply(&rep, want_reply, sizeof(want_reply) - 1),
			 sizeof(want_reply) - 1);
	ktsnap_kernel_op_reply__clear(&rep);
}

static void t_postcard_malformed(void **state)
{
	struct ktsnap_kernel_op_reply rep;
	struct ktsnap_kernel_op_request req;

	/* bool must be 0 or 1 */
	assert_int_equal(ktsnap_kernel_op_reply__decode("\x01\x02\x00\x00", 4, &rep), -EBADMSG);
	/* a u32 varint of 5 bytes whose last byte overflows */
	assert_int_equal(
		ktsnap_kernel_op_reply__decode("\xff\xff\xff\xff\x1f\x01\x00\x00", 8, &rep),
		-EBADMSG);
	assert_int_equal(
		ktsnap_kernel_op_reply__decode("\xff\xff\xff\xff\x0f\x01\x00\x00", 8, &rep), 0);
	assert_int_equal(rep.request_id, UINT32_MAX);
	ktsnap_kernel_op_reply__clear(&rep);
	/* a list announcing more entries than bytes left: refused before allocating */
	assert_int_equal(
		ktsnap_kernel_op_reply__decode("\x01\x01\x00\xff\xff\xff\xff\x0f", 8, &rep),
		-EBADMSG);
	/* strings: not UTF-8, or holding a NUL */
	assert_int_equal(ktsnap_kernel_op_reply__decode("\x01\x01\x01\xff\x00", 5, &rep), -EBADMSG);
	assert_int_equal(ktsnap_kernel_op_reply__decode("\x01\x01\x01\x00\x00", 5, &rep), -EBADMSG);
	/* unknown variants */
	assert_int_equal(ktsnap_kernel_op_reply__decode("\x01\x01\x00\x01\x04\x00", 6, &rep),
			 -EBADMSG);
	assert_int_equal(ktsnap_kernel_op_request__decode("\x01\x02\x00\x00\x00", 5, &req),
			 -EBADMSG);
	assert_int_equal(
		ktsnap_kernel_op_request__decode("\x01\x00\x00\x00\x01\x05\x00\x00", 8, &req),
		-EBADMSG);
	/* trailing bytes are ignored, as postcard's from_bytes does */
	assert_int_equal(ktsnap_kernel_op_reply__decode("\x07\x00\x00\x00\xee", 5, &rep), 0);
	assert_int_equal(rep.request_id, 7);
	ktsnap_kernel_op_reply__clear(&rep);
}

/* ---- F136: sidecar names ------------------------------------------------------------- */
static void t_sidecar(void **state)
{
	static const struct {
		const char *base, *tag, *want;
	} cases[] = {
		{ "run/c.failure-dump.json", "../x y", "run/c.snapshot..._x_y.json" },
		{ "run/c.failure-dump.json", "mid_run", "run/c.snapshot.mid_run.json" },
		{ "run/c", "t", "run/c.snapshot.t" },
		{ "run/.failure-dump.json", "t", "run/dump.snapshot.t.json" },
		{ "run/.hidden", "t", "run/dump.snapshot.t" },
		{ "", "t", "dump.snapshot.t" },
		/* one '_' per character, however many bytes it takes */
		{ "d/s.json", "a\xc3\xa9z\xe2\x80\xa6!", "d/s.snapshot.a_z__.json" },
	};
	char b[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(
			ktsnap_wire_sidecar_path(cases[i].base, cases[i].tag, b, sizeof(b)),
			strlen(cases[i].want));
		assert_string_equal(b, cases[i].want);
	}
	/* snprintf semantics */
	assert_int_equal(ktsnap_wire_sidecar_path("run/c.json", "t", b, 4), 21);
	assert_string_equal(b, "run");
	assert_int_equal(ktsnap_wire_sidecar_path(NULL, "t", b, 4), -EINVAL);
}

static void t_utf8_truncate(void **state)
{
	char s[16];

	strcpy(s, "ab\xc3\xa9"
		  "cd");
	assert_int_equal(ktsnap_wire_utf8_truncate(s, 3), 2); /* not mid-é */
	assert_string_equal(s, "ab");
	strcpy(s, "ab\xc3\xa9"
		  "cd");
	assert_int_equal(ktsnap_wire_utf8_truncate(s, 4), 4);
	assert_int_equal(ktsnap_wire_utf8_truncate(s, 40), 4);
}

static void t_duration(void **state)
{
	char b[32];

	ktsnap_wire_fmt_duration(b, sizeof(b), 30000000000ull);
	assert_string_equal(b, "30s");
	ktsnap_wire_fmt_duration(b, sizeof(b), 1500000000ull);
	assert_string_equal(b, "1.5s");
	ktsnap_wire_fmt_duration(b, sizeof(b), 100000000ull);
	assert_string_equal(b, "100ms");
	ktsnap_wire_fmt_duration(b, sizeof(b), 250000ull);
	assert_string_equal(b, "250\u00b5s");
	ktsnap_wire_fmt_duration(b, sizeof(b), 0);
	assert_string_equal(b, "0ns");
}

/* ---- the client against a socketpair ------------------------------------------------- */
struct pair {
	struct ktsnap_wire_client *c;
	int peer;
};

static int pair_setup(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	p->c = ktsnap_wire_client__from_fd(sv[0]);
	assert_non_null(p->c);
	p->peer = sv[1];
	ktsnap_wire_latch_reset_for_tests();
	*state = p;
	return 0;
}

static int pair_teardown(void **state)
{
	struct pair *p = *state;

	ktsnap_wire_client__free(p->c);
	if (p->peer >= 0)
		close(p->peer);
	free(p);
	ktsnap_wire_latch_reset_for_tests();
	ktsnap_wire_poll_hook = NULL;
	return 0;
}

static void put_frame(int fd, uint32_t type, const void *payload, uint32_t len)
{
	uint8_t hdr[16];

	ktsnap_wire_header__make(type, payload, len, hdr);
	assert_int_equal(write(fd, hdr, 16), 16);
	if (len)
		assert_int_equal(write(fd, payload, len), (ssize_t)len);
}

static void put_reply(int fd, uint32_t id, uint32_t status, const char *reason)
{
	uint8_t p[72];

	ktsnap_snapshot_reply__encode(id, status, reason, p);
	put_frame(fd, KTSNAP_MSG_SNAPSHOT_REPLY, p, 72);
}

/* Read one request frame from the peer side. */
static void get_request(int fd, struct ktsnap_snapshot_request *req)
{
	uint8_t f[88];
	size_t n = 0;

	while (n < sizeof(f)) {
		ssize_t r = read(fd, f + n, sizeof(f) - n);

		assert_true(r > 0);
		n += (size_t)r;
	}
	assert_int_equal(ktsnap_snapshot_request__decode_frame(f, sizeof(f), req), 0);
}

static void t_ids_and_ok(void **state)
{
	struct pair *p = *state;
	struct ktsnap_snapshot_request req;
	struct ktsnap_wire_result res;

	put_reply(p->peer, 1, KTSNAP_SNAPSHOT_STATUS_OK, NULL);
	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, KTSNAP_SNAPSHOT_KIND_CAPTURE,
							      "first", 2000, &res),
			 0);
	assert_int_equal(res.status, KTSNAP_WIRE_OK);
	assert_int_equal(res.request_id, 1);
	get_request(p->peer, &req);
	assert_int_equal(req.request_id, 1);
	assert_int_equal(req.kind, KTSNAP_SNAPSHOT_KIND_CAPTURE);
	assert_string_equal(req.tag, "first");

	put_reply(p->peer, 2, KTSNAP_SNAPSHOT_STATUS_OK, NULL);
	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, KTSNAP_SNAPSHOT_KIND_WATCH,
							      "jiffies_64", 2000, &res),
			 0);
	get_request(p->peer, &req);
	assert_int_equal(req.request_id, 2);
	assert_int_equal(req.kind, KTSNAP_SNAPSHOT_KIND_WATCH);

	/* the counter wraps past 0 */
	ktsnap_wire_client__set_next_ids(p->c, UINT32_MAX, 1);
	put_reply(p->peer, UINT32_MAX, KTSNAP_SNAPSHOT_STATUS_OK, NULL);
	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, 1, "w", 2000, &res), 0);
	get_request(p->peer, &req);
	assert_int_equal(req.request_id, UINT32_MAX);
	put_reply(p->peer, 1, KTSNAP_SNAPSHOT_STATUS_OK, NULL);
	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, 1, "w", 2000, &res), 0);
	get_request(p->peer, &req);
	assert_int_equal(req.request_id, 1);
	assert_false(ktsnap_wire_transport_latched_dead());
}

static void t_stale_and_foreign_ignored(void **state)
{
	struct pair *p = *state;
	struct ktsnap_wire_result res;
	uint8_t junk[10] = { 0 };

	put_reply(p->peer, 9, KTSNAP_SNAPSHOT_STATUS_ERR, "stale"); /* another id */
	put_frame(p->peer, KTSNAP_MSG_KERNEL_OP_REPLY, "\x01\x01\x00\x00", 4); /* another type */
	put_frame(p->peer, KTSNAP_MSG_SNAPSHOT_REPLY, junk, sizeof(junk)); /* not 72 bytes */
	put_reply(p->peer, 0, KTSNAP_SNAPSHOT_STATUS_OK, NULL);
	put_reply(p->peer, 1, KTSNAP_SNAPSHOT_STATUS_ERR, "no such scheduler\0ignored");
	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, 1, "t", 2000, &res),
			 -EREMOTEIO);
	assert_int_equal(res.status, KTSNAP_WIRE_HOST_ERROR);
	assert_string_equal(res.reason, "no such scheduler");
	/* HostError does not latch */
	assert_false(ktsnap_wire_transport_latched_dead());
}

static void t_unknown_status(void **state)
{
	struct pair *p = *state;
	struct ktsnap_wire_result res;

	put_reply(p->peer, 1, 7, NULL);
	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, 1, "t", 2000, &res), -EPROTO);
	assert_int_equal(res.status, KTSNAP_WIRE_TRANSPORT_ERROR);
	assert_string_equal(res.reason,
			    "host reply with unknown status 7 (expected OK=1 or ERR=2)");
	assert_true(ktsnap_wire_transport_latched_dead());
}

static void t_oversize_length(void **state)
{
	struct pair *p = *state;
	struct ktsnap_wire_result res;
	uint8_t hdr[16];
	struct ktsnap_wire_header h = { .msg_type = KTSNAP_MSG_SNAPSHOT_REPLY,
					.length = UINT32_MAX };

	ktsnap_wire_header__encode(&h, hdr);
	assert_int_equal(write(p->peer, hdr, 16), 16);
	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, 1, "t", 2000, &res), -EPROTO);
	assert_string_equal(res.reason,
			    "snapshot reply read failed (request_id=1): TLV length 4294967295 "
			    "exceeds max payload 72 for port-1 RX; rejecting before allocation to "
			    "avoid guest OOM");
	assert_true(ktsnap_wire_transport_latched_dead());
	/* the handle was dropped: a fd client cannot reopen */
	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, 1, "t", 2000, &res), -ENOTCONN);
	assert_string_equal(res.reason, "stream closed after an earlier transport failure");
}

static void t_bad_crc(void **state)
{
	struct pair *p = *state;
	struct ktsnap_wire_result res;
	uint8_t pl[72], hdr[16];
	struct ktsnap_wire_header h = { .msg_type = KTSNAP_MSG_SNAPSHOT_REPLY,
					.length = 72,
					.crc32 = 0x12345678 };
	char want[256];

	ktsnap_snapshot_reply__encode(1, 1, NULL, pl);
	ktsnap_wire_header__encode(&h, hdr);
	assert_int_equal(write(p->peer, hdr, 16), 16);
	assert_int_equal(write(p->peer, pl, 72), 72);
	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, 1, "t", 2000, &res), -EPROTO);
	snprintf(want, sizeof(want),
		 "snapshot reply read failed (request_id=1): TLV CRC mismatch: header "
		 "crc=0x12345678 computed=0x%08x length=72",
		 ktsnap_wire_crc32(pl, 72));
	assert_string_equal(res.reason, want);
}

static void t_half_header_stall(void **state)
{
	struct pair *p = *state;
	struct ktsnap_wire_result res;

	assert_int_equal(write(p->peer, "PRNS\x48\0\0\0", 8), 8);
	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, 1, "t", 200, &res), -ETIMEDOUT);
	assert_string_equal(res.reason,
			    "snapshot reply deadline elapsed before frame complete (request_id=1, "
			    "kind=1): snapshot reply deadline elapsed after reading 8 of 16 "
			    "header/payload bytes");
	assert_true(ktsnap_wire_transport_latched_dead());
}

static void t_no_reply(void **state)
{
	struct pair *p = *state;
	struct ktsnap_wire_result res;

	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, KTSNAP_SNAPSHOT_KIND_WATCH, "t",
							      300, &res),
			 -ETIMEDOUT);
	assert_string_equal(res.reason, "host did not deliver matching snapshot reply within "
					"300ms (request_id=1, kind=2)");
}

static void t_disconnect_mid_reply(void **state)
{
	struct pair *p = *state;
	struct ktsnap_wire_result res;
	uint8_t pl[72], hdr[16];

	ktsnap_snapshot_reply__encode(1, 1, NULL, pl);
	ktsnap_wire_header__make(KTSNAP_MSG_SNAPSHOT_REPLY, pl, 72, hdr);
	assert_int_equal(write(p->peer, hdr, 16), 16);
	assert_int_equal(write(p->peer, pl, 24), 24);
	shutdown(p->peer, SHUT_WR); /* the peer goes away mid-reply */
	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, 1, "t", 2000, &res), -EPIPE);
	assert_string_equal(res.reason, "snapshot reply read failed (request_id=1): snapshot "
					"reply read returned 0 after 24 of 72 bytes");
}

static void t_write_to_dead_peer(void **state)
{
	struct pair *p = *state;
	struct ktsnap_wire_result res;

	close(p->peer);
	p->peer = -1;
	assert_int_equal(ktsnap_wire_client__request_snapshot(p->c, 1, "t", 2000, &res), -EPIPE);
	assert_string_equal(res.reason, "snapshot request write failed (request_id=1): Broken "
					"pipe (os error 32)");
}

static uint64_t polls[16];
static size_t nr_polls;

static void record_poll(uint64_t ns)
{
	if (nr_polls < 16)
		polls[nr_polls++] = ns;
}

static void t_poll_schedule(void **state)
{
	struct pair *p = *state;
	struct ktsnap_wire_result res;
	size_t i;

	nr_polls = 0;
	ktsnap_wire_poll_hook = record_poll;
	ktsnap_wire_client__request_snapshot(p->c, 1, "t", 100, &res);
	ktsnap_wire_poll_hook = NULL;
	assert_true(nr_polls >= 6);
	for (i = 0; i < 4; i++)
		assert_int_equal(polls[i], KTSNAP_WIRE_FAST_POLL_NS);
	/* then 5 ms, capped by what is left of the deadline */
	for (; i < nr_polls - 1; i++)
		assert_true(polls[i] <= KTSNAP_WIRE_SLOW_POLL_NS && polls[i] > 0);
	assert_int_equal(polls[4], KTSNAP_WIRE_SLOW_POLL_NS);
}

static void t_host_context(void **state)
{
	struct ktsnap_wire_result res;
	struct ktsnap_kernel_op_request req = { 0 };
	struct ktsnap_kernel_op_reply rep;

	ktsnap_wire_latch_reset_for_tests();
	assert_int_equal(ktsnap_wire_client__request_snapshot(NULL, 1, "t", 0, &res), -ENOTCONN);
	assert_string_equal(res.reason, "request_snapshot called from host context "
					"(virtio-console port 1 is reachable only from inside the "
					"guest)");
	assert_int_equal(ktsnap_wire_client__request_kernel_op(NULL, &req, 0, &rep, &res),
			 -ENOTCONN);
	assert_string_equal(res.reason, "request_kernel_op called from host context "
					"(virtio-console port 1 is reachable only from inside the "
					"guest)");
	ktsnap_wire_latch_reset_for_tests();
}

/* ---- F135: latched-dead -------------------------------------------------------------- */
static void t_latch(void **state)
{
	struct pair *p = *state;
	struct ktsnap_wire_result res;

	/* HostError: no latch */
	put_reply(p->peer, 1, KTSNAP_SNAPSHOT_STATUS_ERR, "busy");
	assert_int_equal(ktsnap_wire_capture_snapshot_op(p->c, "a", 2000, &res), -EREMOTEIO);
	assert_string_equal(res.reason, "Op::CaptureSnapshot('a'): host rejected capture: busy");
	put_reply(p->peer, 2, KTSNAP_SNAPSHOT_STATUS_ERR, "no slot");
	assert_int_equal(ktsnap_wire_watch_snapshot_op(p->c, "jiffies", 2000, &res), -EREMOTEIO);
	assert_string_equal(res.reason, "Op::WatchSnapshot('jiffies'): host rejected: no slot");
	assert_false(ktsnap_wire_transport_latched_dead());

	/* a TransportError latches */
	assert_int_equal(ktsnap_wire_capture_snapshot_op(p->c, "b", 100, &res), -ETIMEDOUT);
	assert_string_equal(res.reason, "Op::CaptureSnapshot('b'): port-1 transport failure: host "
					"did not deliver matching snapshot reply within 100ms "
					"(request_id=3, kind=1)");
	assert_true(ktsnap_wire_transport_latched_dead());

	/* later ops fail at once, without a request (a reply waiting is not read) */
	put_reply(p->peer, 4, KTSNAP_SNAPSHOT_STATUS_OK, NULL);
	assert_int_equal(ktsnap_wire_capture_snapshot_op(p->c, "c", 30000, &res), -ENOTCONN);
	assert_string_equal(res.reason,
			    "Op::CaptureSnapshot('c'): snapshot transport latched "
			    "dead; a prior request observed TransportError and the latch "
			    "only flips on transport failure (host-side coordinator "
			    "unreachable until process restart)");
	assert_int_equal(ktsnap_wire_watch_snapshot_op(p->c, "s", 30000, &res), -ENOTCONN);
	assert_string_equal(res.reason,
			    "Op::WatchSnapshot('s'): snapshot transport latched "
			    "dead; a prior request observed TransportError and the latch "
			    "only flips on transport failure (host-side coordinator "
			    "unreachable until process restart)");
}

/* ---- kernel ops over the socketpair -------------------------------------------------- */
static void put_korp(int fd, const struct ktsnap_kernel_op_reply *r)
{
	uint8_t *buf;
	size_t len;

	assert_int_equal(ktsnap_kernel_op_reply__encode(r, &buf, &len), 0);
	put_frame(fd, KTSNAP_MSG_KERNEL_OP_REPLY, buf, (uint32_t)len);
	free(buf);
}

static void t_kernel_op(void **state)
{
	struct pair *p = *state;
	struct ktsnap_kernel_op_request req = { .request_id = 99 };
	struct ktsnap_kernel_op_reply want = { 0 }, got;
	struct ktsnap_kernel_op_value v = ktsnap_kernel_op_value_u64(123);
	struct ktsnap_wire_result res;
	uint8_t f[256], *b;
	ssize_t n;

	want.request_id = 5; /* stale */
	put_korp(p->peer, &want);
	put_reply(p->peer, 1, 1, NULL); /* not KORP */
	put_frame(p->peer, KTSNAP_MSG_KERNEL_OP_REPLY, "\x01\x05", 2); /* undecodable */
	want.request_id = 1;
	want.success = true;
	ktsnap_kernel_op_reply__push_value(&want, &v);
	put_korp(p->peer, &want);

	ktsnap_kernel_op_request__set_tag(&req, "t");
	assert_int_equal(ktsnap_wire_client__request_kernel_op(p->c, &req, 2000, &got, &res), 0);
	assert_true(ktsnap_kernel_op_reply__equal(&want, &got));
	/* the caller's request_id was replaced by the client's counter */
	n = read(p->peer, f, sizeof(f));
	assert_true(n > 16);
	assert_int_equal(f[16], 1);
	ktsnap_kernel_op_reply__clear(&got);

	/* oversize: refused before allocating */
	{
		struct ktsnap_wire_header h = { .msg_type = KTSNAP_MSG_KERNEL_OP_REPLY,
						.length = KTSNAP_KERNEL_OP_REPLY_MAX + 1 };
		uint8_t hdr[16];

		ktsnap_wire_header__encode(&h, hdr);
		assert_int_equal(write(p->peer, hdr, 16), 16);
	}
	assert_int_equal(ktsnap_wire_client__request_kernel_op(p->c, &req, 2000, &got, &res),
			 -EPROTO);
	assert_string_equal(res.reason, "kernel-op reply read failed (request_id=2): TLV length "
					"1048577 exceeds max payload 1048576 for port-1 RX; "
					"rejecting before allocation to avoid guest OOM");
	/* kernel-op failures do not latch the snapshot transport */
	assert_false(ktsnap_wire_transport_latched_dead());
	(void)b;
	ktsnap_kernel_op_reply__clear(&want);
	ktsnap_kernel_op_request__clear(&req);
}

static void t_kernel_op_timeout(void **state)
{
	struct pair *p = *state;
	struct ktsnap_kernel_op_request req = { 0 };
	struct ktsnap_kernel_op_reply got;
	struct ktsnap_wire_result res;

	assert_int_equal(ktsnap_wire_client__request_kernel_op(p->c, &req, 150, &got, &res),
			 -ETIMEDOUT);
	assert_string_equal(res.reason, "host did not deliver matching kernel-op reply within "
					"150ms (request_id=1)");
	assert_int_equal(write(p->peer, "PROK", 4), 4);
	assert_int_equal(ktsnap_wire_client__request_kernel_op(p->c, &req, 150, &got, &res),
			 -ETIMEDOUT);
	assert_string_equal(res.reason, "kernel-op reply deadline elapsed before frame complete "
					"(request_id=2): snapshot reply deadline elapsed after "
					"reading 4 of 16 header/payload bytes");
}

/* ---- report retrieval (extension) ---------------------------------------------------- */
/* One REPORT_REPLY frame: its header fields, then @data (strlen(data) bytes). */
struct chunk {
	uint32_t id, status;
	uint64_t total, off;
	const char *data;
};

static void put_chunk(int fd, const struct chunk *c)
{
	size_t n = strlen(c->data);
	uint8_t f[256];
	int i;

	memset(f, 0, 24);
	for (i = 0; i < 4; i++) {
		f[i] = (uint8_t)(c->id >> (8 * i));
		f[4 + i] = (uint8_t)(c->status >> (8 * i));
	}
	for (i = 0; i < 8; i++) {
		f[8 + i] = (uint8_t)(c->total >> (8 * i));
		f[16 + i] = (uint8_t)(c->off >> (8 * i));
	}
	memcpy(f + 24, c->data, n);
	put_frame(fd, KTSNAP_MSG_REPORT_REPLY, f, (uint32_t)(24 + n));
}

/* The peer sends @chunks[0..@n), then the client fetches report "t" (2 s
 * deadline): its result; *@json stays NULL unless it succeeds. */
static int fetch_after(struct pair *p, const struct chunk *chunks, size_t n, char **json,
		       size_t *len, struct ktsnap_wire_result *res)
{
	size_t i;

	for (i = 0; i < n; i++)
		put_chunk(p->peer, &chunks[i]);
	*json = NULL;
	return ktsnap_wire_client__fetch_report(p->c, "t", 2000, json, len, res);
}

static void t_fetch_report(void **state)
{
	/* a stale reply (id 7) is skipped; the report comes in two chunks */
	static const struct chunk two[] = { { 7, 1, 10, 0, "stale" },
					    { 1, 1, 10, 0, "{\"a\":" },
					    { 1, 1, 10, 5, "12}\n\n" } };
	static const struct chunk refused = { 2, 2, 6, 0, "nope!!" };
	/* an announced size past the reader's limit is refused up front */
	static const struct chunk huge = { 3, 1, 1ull << 40, 0, "x" };
	struct pair *p = *state;
	struct ktsnap_wire_result res;
	char *json;
	size_t len;

	assert_int_equal(fetch_after(p, two, 3, &json, &len, &res), 0);
	assert_int_equal(len, 10);
	assert_string_equal(json, "{\"a\":12}\n\n");
	free(json);

	assert_int_equal(fetch_after(p, &refused, 1, &json, &len, &res), -EREMOTEIO);
	assert_string_equal(res.reason, "nope!!");

	assert_int_equal(fetch_after(p, &huge, 1, &json, &len, &res), -EFBIG);
	assert_false(ktsnap_wire_transport_latched_dead());
}

static void t_fetch_report_gap(void **state)
{
	static const struct chunk gap[] = { { 1, 1, 10, 0, "abc" }, { 1, 1, 10, 5, "fgh" } };
	struct ktsnap_wire_result res;
	char *json;
	size_t len;

	assert_int_equal(fetch_after(*state, gap, 2, &json, &len, &res), -EPROTO);
	assert_null(json);
	assert_string_equal(res.reason, "report reply read failed (request_id=1): chunk at 5 of 3 "
					"bytes does not continue 3 of 10");
}

static void t_client_new(void **state)
{
	struct ktsnap_wire_client *c;
	struct ktsnap_wire_result res;

	assert_null(ktsnap_wire_client__new(""));
	assert_int_equal(errno, EINVAL);
	assert_null(ktsnap_wire_client__new("unix:"));
	c = ktsnap_wire_client__new("unix:/nonexistent/ktsnap.sock");
	assert_non_null(c);
	assert_int_equal(
		ktsnap_wire_client__request_snapshot(c, KTSNAP_SNAPSHOT_KIND_NONE, "t", 100, &res),
		-ENOENT);
	assert_string_equal(res.reason, "cannot connect to /nonexistent/ktsnap.sock: No such file "
					"or directory (os error 2)");
	ktsnap_wire_client__free(c);
	c = ktsnap_wire_client__new("dev:/nonexistent/vport0p1");
	assert_non_null(c);
	assert_int_equal(
		ktsnap_wire_client__request_snapshot(c, KTSNAP_SNAPSHOT_KIND_NONE, "t", 100, &res),
		-ENOENT);
	assert_string_equal(
		res.reason,
		"/nonexistent/vport0p1 not yet open (multiport handshake still in flight)");
	ktsnap_wire_client__free(c);
	/* kind NONE does not latch */
	assert_false(ktsnap_wire_transport_latched_dead());
}

static void t_default_client(void **state)
{
	struct ktsnap_wire_client *c;
	struct ktsnap_wire_result res;

	unsetenv("KTSNAP_SERVER");
	assert_null(ktsnap_wire_default_client());
	assert_int_equal(errno, ENOENT);
	setenv("KTSNAP_SERVER", "unix:/nonexistent/serve.sock", 1);
	c = ktsnap_wire_default_client();
	assert_non_null(c);
	assert_ptr_equal(ktsnap_wire_default_client(), c);
	assert_int_equal(
		ktsnap_wire_client__request_snapshot(c, KTSNAP_SNAPSHOT_KIND_NONE, "t", 100, &res),
		-ENOENT);
	assert_string_equal(res.reason, "cannot connect to /nonexistent/serve.sock: No such file "
					"or directory (os error 2)");
	unsetenv("KTSNAP_SERVER");
}

#define PT(f) cmocka_unit_test_setup_teardown(f, pair_setup, pair_teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_constants),
		cmocka_unit_test(t_msg_names),
		cmocka_unit_test(t_frame),
		cmocka_unit_test(t_request_layout),
		cmocka_unit_test(t_host_drop_rules),
		cmocka_unit_test(t_postcard_worked_example),
		cmocka_unit_test(t_postcard_variants),
		cmocka_unit_test(t_postcard_malformed),
		cmocka_unit_test(t_sidecar),
		cmocka_unit_test(t_utf8_truncate),
		cmocka_unit_test(t_duration),
		PT(t_ids_and_ok),
		PT(t_stale_and_foreign_ignored),
		PT(t_unknown_status),
		PT(t_oversize_length),
		PT(t_bad_crc),
		PT(t_half_header_stall),
		PT(t_no_reply),
		PT(t_disconnect_mid_reply),
		PT(t_write_to_dead_peer),
		PT(t_poll_schedule),
		cmocka_unit_test(t_host_context),
		PT(t_latch),
		PT(t_kernel_op),
		PT(t_kernel_op_timeout),
		PT(t_fetch_report),
		PT(t_fetch_report_gap),
		cmocka_unit_test(t_client_new),
		cmocka_unit_test(t_default_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
