/* SPDX-License-Identifier: MIT */
/*
 * The wire (spec §10): framed request/reply messages between a process
 * that wants a capture (the "guest" of the spec: a test running without
 * the privilege to read BPF state, in a container or a VM) and a
 * privileged service that performs it (`ktsnap serve`, the spec's host).
 *
 *   frame   = header (16 bytes, little-endian) + payload
 *   header  = msg_type u32 | length u32 | crc32 u32 (IEEE, payload only) | 0 u32
 *   SNRQ/SNRP  snapshot request / reply, 72 bytes each (§10.3)
 *   KORQ/KORP  kernel-op request / reply, postcard-encoded (§10.5)
 *   RPRQ/RPRP  report retrieval (a ktsnap extension, see below)
 *
 * Three layers, each usable alone:
 *   codec   (this file's first half): pure encode/decode of headers and
 *           payloads, the host's drop rules, the sidecar file name;
 *   client  (ktsnap_wire_client): the guest algorithm of §10.4/§10.5 over
 *           any stream (a Unix socket to `ktsnap serve`, a virtio-console
 *           port, a socketpair in tests), plus the latched-dead flag of
 *           §10.7 and the scenario-op texts of §11.1/§11.2;
 *   service (ktsnap_server): the host side of §10.6 on a live Linux host.
 *
 * Report retrieval (extension, not in the reference): RPRQ carries the
 * 72-byte snapshot-request layout (kind KTSNAP_REPORT_FORMAT_JSON, the
 * tag); the service answers with one or more RPRP frames whose payload is
 * a 24-byte head (request_id u32, status u32, total u64, offset u64)
 * followed by at most KTSNAP_WIRE_FRAME_MAX - 24 bytes of the report's
 * JSON (status OK) or of the reason (status ERR, one frame).
 */
#ifndef KTSNAP_WIRE_H
#define KTSNAP_WIRE_H

#include <ktsnap/common.h>
#include <ktsnap/kernel_op.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- constants (spec §1, F06) ------------------------------------------------ */
#define KTSNAP_WIRE_HEADER_SIZE 16
#define KTSNAP_SNAPSHOT_PAYLOAD_SIZE 72
#define KTSNAP_SNAPSHOT_TAG_MAX 64
#define KTSNAP_SNAPSHOT_REASON_MAX 64
#define KTSNAP_SNAPSHOT_KIND_NONE 0u
#define KTSNAP_SNAPSHOT_KIND_CAPTURE 1u
#define KTSNAP_SNAPSHOT_KIND_WATCH 2u
#define KTSNAP_SNAPSHOT_STATUS_OK 1u
#define KTSNAP_SNAPSHOT_STATUS_ERR 2u
#define KTSNAP_MSG_SNAPSHOT_REQUEST 0x534E5251u /* "SNRQ" */
#define KTSNAP_MSG_SNAPSHOT_REPLY 0x534E5250u /* "SNRP" */
#define KTSNAP_MSG_KERNEL_OP_REQUEST 0x4B4F5251u /* "KORQ" */
#define KTSNAP_MSG_KERNEL_OP_REPLY 0x4B4F5250u /* "KORP" */
#define KTSNAP_KERNEL_OP_REPLY_MAX 1048576u /* largest KORP payload a client reads */
#define KTSNAP_KERNEL_OP_TAG_MAX 256 /* host cuts longer tags at UTF-8 */
#define KTSNAP_KERNEL_OP_REASON_MAX 256

/* Extension: report retrieval (see the top of this file). */
#define KTSNAP_MSG_REPORT_REQUEST 0x52505251u /* "RPRQ" */
#define KTSNAP_MSG_REPORT_REPLY 0x52505250u /* "RPRP" */
#define KTSNAP_REPORT_FORMAT_JSON 1u
#define KTSNAP_REPORT_REPLY_HEAD_SIZE 24
/* Largest payload the service accepts or sends in one frame. */
#define KTSNAP_WIRE_FRAME_MAX 1048576u

/* Client timing (spec §1): request timeout, reply read poll cadence. */
#define KTSNAP_WIRE_REQUEST_TIMEOUT_MS 30000u
#define KTSNAP_WIRE_FAST_POLLS 4
#define KTSNAP_WIRE_FAST_POLL_NS 100000u /* 100 µs */
#define KTSNAP_WIRE_SLOW_POLL_NS 5000000u /* 5 ms */

/* ---- frame header (§10.2) ------------------------------------------------------ */
struct ktsnap_wire_header {
	uint32_t msg_type;
	uint32_t length;
	uint32_t crc32;
	uint32_t pad; /* written 0, ignored on read */
};

/* CRC-32 (IEEE, as zlib's crc32) of @len bytes (0 for NULL @data). */
KTSNAP_API uint32_t ktsnap_wire_crc32(const void *data, size_t len);
/*
 * The header of a frame carrying @len bytes at @payload, into the
 * KTSNAP_WIRE_HEADER_SIZE bytes at @out.  These three do nothing when a
 * pointer they need is NULL.
 */
KTSNAP_API void ktsnap_wire_header__make(uint32_t msg_type, const void *payload, uint32_t len,
					 uint8_t *out);
/* @h into the KTSNAP_WIRE_HEADER_SIZE bytes at @out, the pad written 0. */
KTSNAP_API void ktsnap_wire_header__encode(const struct ktsnap_wire_header *h, uint8_t *out);
/* The KTSNAP_WIRE_HEADER_SIZE bytes at @in into *@h. */
KTSNAP_API void ktsnap_wire_header__decode(const uint8_t *in, struct ktsnap_wire_header *h);
/* Does @h's crc32 match the @len payload bytes? */
KTSNAP_API bool ktsnap_wire_header__crc_ok(const struct ktsnap_wire_header *h, const void *payload,
					   size_t len);

/* "SNRQ" for KTSNAP_MSG_SNAPSHOT_REQUEST…: the 4 ASCII characters of
 * @msg_type into @buf (5 bytes with the NUL; returned), non-printables as
 * '?'.  NULL for a NULL @buf. */
KTSNAP_API const char *ktsnap_wire_msg_name(uint32_t msg_type, char *buf);

/* ---- snapshot request / reply payloads (§10.3) ---------------------------------- */
/*
 * Decoded payloads.  Text fields hold the bytes up to the first NUL with
 * invalid UTF-8 replaced by U+FFFD (so up to 3 bytes per wire byte), NUL
 * terminated.
 */
#define KTSNAP_SNAPSHOT_TEXT_SIZE (KTSNAP_SNAPSHOT_TAG_MAX * 3 + 1)

struct ktsnap_snapshot_request {
	uint32_t request_id;
	uint32_t kind;
	char tag[KTSNAP_SNAPSHOT_TEXT_SIZE];
};

struct ktsnap_snapshot_reply {
	uint32_t request_id;
	uint32_t status;
	char reason[KTSNAP_SNAPSHOT_TEXT_SIZE];
};

/* Encode into the KTSNAP_SNAPSHOT_PAYLOAD_SIZE bytes at @out (nothing for a
 * NULL @out): @tag / @reason (NULL = "") cut to 64 bytes (possibly
 * mid-character) and NUL-padded. */
KTSNAP_API void ktsnap_snapshot_request__encode(uint32_t request_id, uint32_t kind, const char *tag,
						uint8_t *out);
KTSNAP_API void ktsnap_snapshot_reply__encode(uint32_t request_id, uint32_t status,
					      const char *reason, uint8_t *out);
/*
 * Decode a request payload with the host's rules: 0, or -EBADMSG (drop the
 * frame) when @len is not 72, request_id is 0 or kind is 0.
 */
KTSNAP_API int ktsnap_snapshot_request__decode(const void *payload, size_t len,
					       struct ktsnap_snapshot_request *out);
/* Decode a reply payload: 0, or -EBADMSG when @len is not 72. */
KTSNAP_API int ktsnap_snapshot_reply__decode(const void *payload, size_t len,
					     struct ktsnap_snapshot_reply *out);
/*
 * The host's whole-frame rule (§10.3): @frame (@len bytes, header and
 * payload) is a SNRQ whose length field matches, whose CRC matches and
 * whose payload decodes as above.  0, or -EBADMSG: drop without reply.
 */
KTSNAP_API int ktsnap_snapshot_request__decode_frame(const void *frame, size_t len,
						     struct ktsnap_snapshot_request *out);

/* ---- kernel-op payloads: postcard (§10.5) ----------------------------------------- */
/*
 * Encode @req / @reply into a new buffer: *out (caller frees with free())
 * of *out_len bytes.  0, -EINVAL (NULL arguments, a NULL string or bytes
 * pointer where a value is needed, an unknown enum value), -ENOMEM.
 */
KTSNAP_API int ktsnap_kernel_op_request__encode(const struct ktsnap_kernel_op_request *req,
						uint8_t **out, size_t *out_len);
KTSNAP_API int ktsnap_kernel_op_reply__encode(const struct ktsnap_kernel_op_reply *reply,
					      uint8_t **out, size_t *out_len);
/*
 * Decode @len bytes into *@req / *@reply (overwritten; on success it owns
 * heap data the caller releases with the matching __clear()).  Bytes after
 * a complete value are ignored, as postcard does.  0, -EBADMSG (truncated,
 * a varint too long for its type, a bool other than 0/1, an unknown
 * variant, a string that is not UTF-8 or holds a NUL, a list longer than
 * the bytes left), -ENOMEM; on failure nothing is left allocated.
 */
KTSNAP_API int ktsnap_kernel_op_request__decode(const void *buf, size_t len,
						struct ktsnap_kernel_op_request *req);
KTSNAP_API int ktsnap_kernel_op_reply__decode(const void *buf, size_t len,
					      struct ktsnap_kernel_op_reply *reply);

/*
 * Cut @s in place to at most @max bytes without splitting a UTF-8
 * sequence (the host's kernel-op tag rule).  Returns the new length.
 */
KTSNAP_API size_t ktsnap_wire_utf8_truncate(char *s, size_t max);

/* ---- tagged sidecar file name (§10.6, F136) --------------------------------------- */
/*
 * The sidecar of a capture tagged @tag next to the failure dump @base:
 * `{dir}/{stem}.snapshot.{safe_tag}.{ext}` where stem is @base's file stem
 * without a trailing ".failure-dump" ("dump" when the stem is empty or
 * starts with '.'), ext is @base's extension (none: no ".{ext}"), and
 * safe_tag replaces every character outside [A-Za-z0-9._-] with '_' (one
 * '_' per character, however many bytes it takes).  snprintf semantics
 * into @buf; returns the full length, -EINVAL for NULL arguments.
 */
KTSNAP_API int ktsnap_wire_sidecar_path(const char *base, const char *tag, char *buf, size_t size);

/* ---- client (§10.4, §10.5, §10.7) ---------------------------------------------------- */
enum ktsnap_wire_status {
	KTSNAP_WIRE_OK = 0,
	KTSNAP_WIRE_HOST_ERROR = 1, /* HostError{reason} */
	KTSNAP_WIRE_TRANSPORT_ERROR = 2, /* TransportError{reason} */
};

#define KTSNAP_WIRE_REASON_SIZE 1024

/* SnapshotRequestResult (and the transport half of KernelOpRequestResult). */
struct ktsnap_wire_result {
	enum ktsnap_wire_status status;
	uint32_t request_id; /* 0 when none was allocated */
	char reason[KTSNAP_WIRE_REASON_SIZE]; /* "" on OK; cut, never unterminated */
};

struct ktsnap_wire_client;

/*
 * A client of the service at @addr: "unix:PATH" (a Unix stream socket),
 * "dev:PATH" (a character device or anything open(2) gives read+write,
 * e.g. a virtio-console port), "fifo:REQ,REPLY" (requests written to the
 * FIFO REQ, replies read from REPLY: one client at a time), or a bare PATH
 * (a socket if it is one, else a device).  Connecting is lazy: a peer that is not there yet fails
 * the first request, not this call, and every request after a transport
 * failure reconnects.  Caller frees with ktsnap_wire_client__free().
 * NULL + errno (EINVAL, ENOMEM).
 */
KTSNAP_API struct ktsnap_wire_client *ktsnap_wire_client__new(const char *addr);
/*
 * A client over an already-open stream @fd (taken over: closed by
 * __free, or after a transport failure, after which requests fail with
 * "stream closed").  The fd is made non-blocking.  NULL + errno.
 */
KTSNAP_API struct ktsnap_wire_client *ktsnap_wire_client__from_fd(int fd);
/* Same over two fds: replies read from @rfd, requests written to @wfd
 * (both taken over). */
KTSNAP_API struct ktsnap_wire_client *ktsnap_wire_client__from_fds(int rfd, int wfd);
/* Close and free.  Accepts NULL. */
KTSNAP_API void ktsnap_wire_client__free(struct ktsnap_wire_client *c);
/*
 * The process's client of the service named by the environment variable
 * KTSNAP_SERVER ("unix:PATH", "dev:PATH" or a path), made on first use and
 * shared by every thread (requests are serialised).  Borrowed: it lives
 * until the process exits.  NULL + ENOENT when KTSNAP_SERVER is unset or
 * empty (asked again on the next call), NULL + errno on a bad address.
 * The scenario ops take their wire path through this when no bridge is
 * installed.
 */
KTSNAP_API struct ktsnap_wire_client *ktsnap_wire_default_client(void);

/*
 * request_snapshot(kind, tag, timeout) of §10.4 (@timeout_ms 0 = 30 s).
 * Fills @res and returns 0 (OK), -EREMOTEIO (HostError: res->reason is the
 * host's reason), or a negative errno with res->reason the spec's
 * TransportError text (-ETIMEDOUT deadline, -EPROTO bad frame or status,
 * -EIO/-EPIPE/-ECONNRESET… I/O).  A NULL @c is the spec's "called from host
 * context" TransportError (-ENOTCONN).  A TransportError of a CAPTURE or
 * WATCH request latches the process-wide dead flag (§10.7).  Requests of
 * one client are serialised (one in flight per client).
 */
KTSNAP_API int ktsnap_wire_client__request_snapshot(struct ktsnap_wire_client *c, uint32_t kind,
						    const char *tag, uint32_t timeout_ms,
						    struct ktsnap_wire_result *res);
/*
 * request_kernel_op(request, timeout) of §10.5: @req is sent with a fresh
 * request_id (its own field is ignored).  0 with *@reply filled (caller
 * clears it with ktsnap_kernel_op_reply__clear(); its success/reason are
 * the host's), or a negative errno with the TransportError text in @res.
 */
KTSNAP_API int ktsnap_wire_client__request_kernel_op(struct ktsnap_wire_client *c,
						     const struct ktsnap_kernel_op_request *req,
						     uint32_t timeout_ms,
						     struct ktsnap_kernel_op_reply *reply,
						     struct ktsnap_wire_result *res);
/*
 * Extension: the stored report tagged @tag as JSON.  0 with *@json (caller
 * frees with free(), NUL-terminated) of *@len bytes; -EREMOTEIO when the
 * service has no such report (res->reason says why); else a transport
 * error as above.  Reports larger than KTSNAP_JSON_MAX_INPUT are refused
 * before anything is allocated for them.
 */
KTSNAP_API int ktsnap_wire_client__fetch_report(struct ktsnap_wire_client *c, const char *tag,
						uint32_t timeout_ms, char **json, size_t *len,
						struct ktsnap_wire_result *res);

/* The process-wide latched-dead flag (§10.7): set by the first TransportError
 * of a CAPTURE or WATCH request, never cleared. */
KTSNAP_API bool ktsnap_wire_transport_latched_dead(void);

/*
 * The wire path of the scenario ops `CaptureSnapshot{name}` (§11.1 step 4)
 * and `WatchSnapshot{symbol}` (§11.2): when the latch is set, fail at once
 * with the latch text; else request and map HostError / TransportError to
 * the op's failure text (which lands in res->reason; ktsnap_errmsg() too).
 * 0, -EREMOTEIO, -ENOTCONN (latched) or the transport errno.
 */
KTSNAP_API int ktsnap_wire_capture_snapshot_op(struct ktsnap_wire_client *c, const char *name,
					       uint32_t timeout_ms, struct ktsnap_wire_result *res);
KTSNAP_API int ktsnap_wire_watch_snapshot_op(struct ktsnap_wire_client *c, const char *symbol,
					     uint32_t timeout_ms, struct ktsnap_wire_result *res);

/* ---- service (§10.6 on a live host) -------------------------------------------------- */
struct ktsnap_bridge;
struct ktsnap_capture_opts;
struct ktsnap_report;
struct ktsnap_server;

/*
 * How the service captures @tag: 0 with *@out a new report (the service
 * takes it), or a negative errno with ktsnap_errmsg() saying why.
 */
typedef int (*ktsnap_server_capture_fn)(const char *tag, struct ktsnap_report **out, void *ctx);

struct ktsnap_server_opts {
	size_t sz; /* sizeof(struct ktsnap_server_opts) */
	/* Where captures are stored and watches / kernel ops go (a handle is
	 * taken).  NULL: a bridge of the service's own. */
	struct ktsnap_bridge *bridge;
	/* Live-capture options (borrowed for the server's life; NULL: all
	 * maps).  Ignored when capture_fn is set. */
	const struct ktsnap_capture_opts *capture;
	ktsnap_server_capture_fn capture_fn;
	void *capture_ctx;
	/* Write each capture to {dump_dir}/{dump_stem}.snapshot.{safe_tag}.json
	 * (dump_stem NULL: "ktsnap").  NULL: no files. */
	const char *dump_dir;
	const char *dump_stem;
	/* Unix-socket peers allowed besides root (SO_PEERCRED uid, or the
	 * peer's primary or supplementary groups). */
	const uint32_t *allow_uids;
	size_t nr_allow_uids;
	const uint32_t *allow_gids;
	size_t nr_allow_gids;
	/* Connections served at once (0: 64); more are closed at accept. */
	uint32_t max_clients;
	/* A frame whose first byte arrived must be complete within this
	 * (0: 30 s), else the connection is dropped. */
	uint32_t frame_timeout_ms;
	size_t : 0;
};
#define ktsnap_server_opts__last_field frame_timeout_ms

/*
 * The live-host answer to a kernel op (§12), a ktsnap_kernel_op_fn for a
 * bridge and what the service answers without one: reads of Symbol (its
 * address from kallsyms), Direct and Kva targets through the kcore ELF
 * view of kernel memory, one value per entry of the hint's width; writes,
 * PerCpuField and TaskField targets are refused.  A refusal is a reply
 * with success false and the reason ("not supported on a live host",
 * "not supported on this host: /proc/kcore missing", "symbol 'x' not found
 * in /proc/kallsyms", "address 0x… (8 bytes) is not in /proc/kcore" …).
 * @ctx: a const struct ktsnap_kernel_op_live_opts * with its sz set, as
 * every opts struct (KTSNAP_OPTS()), or NULL (the /proc files).  0 with
 * @reply filled (pass it zeroed, as a bridge does); -EINVAL (also an @ctx
 * whose sz is 0), -E2BIG (@ctx holds an option this ktsnap does not
 * know), -ENOMEM.
 */
struct ktsnap_kernel_op_live_opts {
	size_t sz;
	const char *kcore; /* NULL: /proc/kcore */
	const char *kallsyms; /* NULL: /proc/kallsyms */
	size_t : 0;
};
#define ktsnap_kernel_op_live_opts__last_field kallsyms

KTSNAP_API int ktsnap_kernel_op_live(const struct ktsnap_kernel_op_request *req,
				     struct ktsnap_kernel_op_reply *reply, void *ctx);

/* A service; caller frees with ktsnap_server__free().  NULL + errno. */
KTSNAP_API struct ktsnap_server *ktsnap_server__new(const struct ktsnap_server_opts *opts);
/*
 * Listen on a Unix stream socket at @path (an existing socket file there
 * is replaced; any other file fails with -EEXIST).  The socket is mode
 * 0660, group @group (-1: the process's group).  0 or -errno.
 */
KTSNAP_API int ktsnap_server__listen_unix(struct ktsnap_server *s, const char *path, int64_t group);
/*
 * Serve until ktsnap_server__stop(): accept connections (each served by a
 * thread of its own; unauthorised peers get one ERR reply and are closed)
 * while stopping.  0 after a stop, -errno on a listening failure.
 */
KTSNAP_API int ktsnap_server__run(struct ktsnap_server *s);
/*
 * Serve one trusted stream @fd (a virtio-console port, a device) in the
 * calling thread until end of stream or a stop: 0, or -errno.  @fd stays
 * the caller's.
 */
KTSNAP_API int ktsnap_server__serve_fd(struct ktsnap_server *s, int fd);
/* Same, reading requests from @rfd and writing replies to @wfd (a FIFO
 * pair; a non-blocking @wfd is waited on up to the frame deadline). */
KTSNAP_API int ktsnap_server__serve_fds(struct ktsnap_server *s, int rfd, int wfd);
/* Ask run / serve_fd to return (async-signal-safe). */
KTSNAP_API void ktsnap_server__stop(struct ktsnap_server *s);
/* Step index stamped on later captures (spec §11.6; default 0). */
KTSNAP_API void ktsnap_server__set_step(struct ktsnap_server *s, uint16_t step_index);
/* Requests serviced so far (replied to), and frames dropped. */
KTSNAP_API uint64_t ktsnap_server__served(struct ktsnap_server *s);
KTSNAP_API uint64_t ktsnap_server__dropped(struct ktsnap_server *s);
/* Stop, wait for every connection thread, remove the socket file, free.
 * Accepts NULL. */
KTSNAP_API void ktsnap_server__free(struct ktsnap_server *s);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_WIRE_H */
