// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the wire decoders (spec §10): the first input byte
 * picks a decoder, the rest is its input.  Whatever decodes must encode
 * back and decode to an equal value; nothing may crash, leak or read out
 * of bounds.
 */
/* The checks below are the target's purpose: keep them in every build type. */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/wire.h>

#include "wire_internal.h"

static void request_roundtrip(const uint8_t *p, size_t n)
{
	struct ktsnap_kernel_op_request req, back;
	uint8_t *buf;
	size_t len;

	if (ktsnap_kernel_op_request__decode(p, n, &req))
		return;
	assert(!ktsnap_kernel_op_request__encode(&req, &buf, &len));
	assert(len <= n);
	assert(!ktsnap_kernel_op_request__decode(buf, len, &back));
	assert(ktsnap_kernel_op_request__equal(&req, &back));
	free(buf);
	ktsnap_kernel_op_request__clear(&back);
	ktsnap_kernel_op_request__clear(&req);
}

static void reply_roundtrip(const uint8_t *p, size_t n)
{
	struct ktsnap_kernel_op_reply rep, back;
	uint8_t *buf;
	size_t len;

	if (ktsnap_kernel_op_reply__decode(p, n, &rep))
		return;
	assert(!ktsnap_kernel_op_reply__encode(&rep, &buf, &len));
	assert(len <= n);
	assert(!ktsnap_kernel_op_reply__decode(buf, len, &back));
	assert(ktsnap_kernel_op_reply__equal(&rep, &back));
	free(buf);
	ktsnap_kernel_op_reply__clear(&back);
	ktsnap_kernel_op_reply__clear(&rep);
}

static void snapshot_frames(const uint8_t *p, size_t n)
{
	struct ktsnap_snapshot_request req;
	struct ktsnap_snapshot_reply rep;
	uint8_t enc[KTSNAP_SNAPSHOT_PAYLOAD_SIZE];

	if (!ktsnap_snapshot_request__decode_frame(p, n, &req)) {
		assert(req.request_id && req.kind);
		assert(strlen(req.tag) < sizeof(req.tag));
		/* a decoded tag of at most 64 bytes encodes back to the same tag */
		if (strlen(req.tag) <= KTSNAP_SNAPSHOT_TAG_MAX) {
			struct ktsnap_snapshot_request again;

			ktsnap_snapshot_request__encode(req.request_id, req.kind, req.tag, enc);
			assert(!ktsnap_snapshot_request__decode(enc, sizeof(enc), &again));
			assert(!strcmp(again.tag, req.tag));
		}
	}
	if (n >= KTSNAP_SNAPSHOT_PAYLOAD_SIZE &&
	    !ktsnap_snapshot_reply__decode(p, KTSNAP_SNAPSHOT_PAYLOAD_SIZE, &rep))
		assert(strlen(rep.reason) < sizeof(rep.reason));
}

static void text(const uint8_t *p, size_t n)
{
	char s[512], out[2048], lossy[3 * 512 + 1];
	size_t k = n < sizeof(s) - 1 ? n : sizeof(s) - 1, half = k / 2;
	int len;

	memcpy(s, p, k);
	s[k] = '\0';
	ktsnap_wire_utf8_lossy(lossy, sizeof(lossy), p, k);
	assert(strlen(lossy) <= 3 * k);
	/* base and tag: the two halves */
	s[half] = '\0';
	len = ktsnap_wire_sidecar_path(s, s + half + (half < k), out, sizeof(out));
	assert(len >= 0 && (size_t)len < sizeof(out));
	assert(strlen(out) == (size_t)len);
	assert(strstr(out, ".snapshot."));
	ktsnap_wire_utf8_truncate(s, 7);
	assert(strlen(s) <= 7);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 4) {
	case 0:
		request_roundtrip(data + 1, size - 1);
		break;
	case 1:
		reply_roundtrip(data + 1, size - 1);
		break;
	case 2:
		snapshot_frames(data + 1, size - 1);
		break;
	default:
		text(data + 1, size - 1);
	}
	return 0;
}
