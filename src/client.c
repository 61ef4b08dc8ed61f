// SPDX-License-Identifier: MIT
/*
 * The wire client (spec §10.4, §10.5, §10.7): the requesting side's
 * algorithm over one stream — request ids from 1 that skip 0, one request
 * in flight per client, frames read under a deadline with the spec's poll
 * cadence, lengths checked before anything is allocated, CRCs checked,
 * stale or foreign replies skipped, and the spec's TransportError texts.
 * Also the process-wide latched-dead flag and the wire path of the
 * CaptureSnapshot / WatchSnapshot ops (§11.1 step 4, §11.2), and the
 * report-retrieval extension.  The stream is a Unix socket to `ktsnap
 * serve`, a character device (a virtio-console port), or any fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ktsnap/bridge.h>
#include <ktsnap/json.h>
#include <ktsnap/wire.h>

#include "log_internal.h"
#include "util_internal.h"
#include "wire_internal.h"

enum addr_kind { ADDR_FD, ADDR_UNIX, ADDR_DEV, ADDR_FIFO, ADDR_AUTO };

struct ktsnap_wire_client {
	pthread_mutex_t lock; /* the RPC lock: one request in flight */
	enum addr_kind kind;
	char *path;
	char *reply_path; /* ADDR_FIFO: the FIFO replies come from */
	int fd; /* read from */
	int wfd; /* written to (== fd but for a FIFO pair) */
	uint32_t next_snapshot_id;
	uint32_t next_kernel_op_id;
	uint32_t next_report_id;
};

static atomic_bool latched_dead;

bool ktsnap_wire_transport_latched_dead(void)
{
	return atomic_load(&latched_dead);
}

void ktsnap_wire_latch_reset_for_tests(void)
{
	atomic_store(&latched_dead, false);
}

/* ---- construction --------------------------------------------------------------- */
static struct ktsnap_wire_client *client_alloc(enum addr_kind kind, const char *path, int fd)
{
	struct ktsnap_wire_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (path) {
		c->path = strdup(path);
		if (!c->path) {
			free(c);
			return NULL;
		}
	}
	pthread_mutex_init(&c->lock, NULL);
	c->kind = kind;
	c->fd = c->wfd = fd;
	c->next_snapshot_id = 1;
	c->next_kernel_op_id = 1;
	c->next_report_id = 1;
	return c;
}

struct ktsnap_wire_client *ktsnap_wire_client__new(const char *addr)
{
	enum addr_kind kind = ADDR_AUTO;
	struct ktsnap_wire_client *c;

	ktsnap_errmsg_clear();
	if (!addr || !*addr)
		return ktsnap_fail_ptr(-EINVAL, "wire client: no address");
	if (!strncmp(addr, "unix:", 5)) {
		kind = ADDR_UNIX;
		addr += 5;
	} else if (!strncmp(addr, "dev:", 4)) {
		kind = ADDR_DEV;
		addr += 4;
	} else if (!strncmp(addr, "fifo:", 5)) {
		kind = ADDR_FIFO;
		addr += 5;
	}
	if (!*addr)
		return ktsnap_fail_ptr(-EINVAL, "wire client: empty path");
	if (kind == ADDR_FIFO) {
		const char *comma = strchr(addr, ',');
		char *req;

		if (!comma || comma == addr || !comma[1])
			return ktsnap_fail_ptr(-EINVAL, "wire client: want fifo:REQ,REPLY");
		req = strndup(addr, (size_t)(comma - addr));
		c = req ? client_alloc(kind, req, -1) : NULL;
		free(req);
		if (c && !(c->reply_path = strdup(comma + 1))) {
			ktsnap_wire_client__free(c);
			c = NULL;
		}
		if (!c)
			return ktsnap_fail_ptr(-ENOMEM, "wire client: out of memory");
		return c;
	}
	if (kind == ADDR_UNIX && strlen(addr) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return ktsnap_fail_ptr(-EINVAL, "wire client: socket path too long: %s", addr);
	c = client_alloc(kind, addr, -1);
	if (!c)
		return ktsnap_fail_ptr(-ENOMEM, "wire client: out of memory");
	return c;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
}

struct ktsnap_wire_client *ktsnap_wire_client__from_fds(int rfd, int wfd)
{
	struct ktsnap_wire_client *c;

	ktsnap_errmsg_clear();
	if (rfd < 0 || wfd < 0)
		return ktsnap_fail_ptr(-EBADF, "wire client: bad fd %d", rfd < 0 ? rfd : wfd);
	if (set_nonblock(rfd) || set_nonblock(wfd))
		return ktsnap_fail_ptr(-errno, "wire client: fd: %s", strerror(errno));
	c = client_alloc(ADDR_FD, NULL, rfd);
	if (!c)
		return ktsnap_fail_ptr(-ENOMEM, "wire client: out of memory");
	c->wfd = wfd;
	return c;
}

struct ktsnap_wire_client *ktsnap_wire_client__from_fd(int fd)
{
	return ktsnap_wire_client__from_fds(fd, fd);
}

static pthread_mutex_t default_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ktsnap_wire_client *default_client;

struct ktsnap_wire_client *ktsnap_wire_default_client(void)
{
	struct ktsnap_wire_client *c;
	const char *addr;

	pthread_mutex_lock(&default_lock);
	c = default_client;
	if (!c) {
		addr = getenv("KTSNAP_SERVER");
		if (!addr || !*addr) {
			pthread_mutex_unlock(&default_lock);
			return ktsnap_fail_ptr(-ENOENT, "KTSNAP_SERVER is not set");
		}
		c = default_client = ktsnap_wire_client__new(addr);
	}
	pthread_mutex_unlock(&default_lock);
	return c;
}

static void drop_handle(struct ktsnap_wire_client *c)
{
	if (c->wfd >= 0 && c->wfd != c->fd)
		close(c->wfd);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = c->wfd = -1;
}

void ktsnap_wire_client__free(struct ktsnap_wire_client *c)
{
	if (!c)
		return;
	drop_handle(c);
	pthread_mutex_destroy(&c->lock);
	free(c->path);
	free(c->reply_path);
	free(c);
}

void ktsnap_wire_client__set_next_ids(struct ktsnap_wire_client *c, uint32_t snapshot_id,
				      uint32_t kernel_op_id)
{
	pthread_mutex_lock(&c->lock);
	c->next_snapshot_id = snapshot_id;
	c->next_kernel_op_id = kernel_op_id;
	pthread_mutex_unlock(&c->lock);
}

/* Counter starting at 1 that skips 0 on wrap. */
static uint32_t alloc_id(uint32_t *counter)
{
	uint32_t id = (*counter)++;

	if (!id)
		id = (*counter)++;
	return id;
}

/* ---- results ------------------------------------------------------------------------ */
static int result(struct ktsnap_wire_result *res, int rc, enum ktsnap_wire_status st, uint32_t id,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int result(struct ktsnap_wire_result *res, int rc, enum ktsnap_wire_status st, uint32_t id,
		  const char *fmt, ...)
{
	va_list ap;

	res->status = st;
	res->request_id = id;
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	if (rc)
		ktsnap_fail(rc, "%s", res->reason);
	return rc;
}

/* What every public call starts with: no message left from an earlier
 * call, and @local as the result when the caller passed no @res. */
static struct ktsnap_wire_result *call_start(struct ktsnap_wire_result *res,
					     struct ktsnap_wire_result *local)
{
	ktsnap_errmsg_clear();
	return res ? res : local;
}

/* @fn called on the host, where there is no client. */
static int host_context(struct ktsnap_wire_result *res, const char *fn)
{
	return result(res, -ENOTCONN, KTSNAP_WIRE_TRANSPORT_ERROR, 0,
		      "%s called from host context (virtio-console port 1 is reachable only "
		      "from inside the guest)",
		      fn);
}

/* Open (or reopen) the stream: 0, or -errno with the reason in @err. */
static int ensure_open(struct ktsnap_wire_client *c, char *err, size_t size)
{
	enum addr_kind kind = c->kind;
	struct stat st;
	int fd, e;

	if (c->fd >= 0)
		return 0;
	if (kind == ADDR_FD) {
		snprintf(err, size, "stream closed after an earlier transport failure");
		return -ENOTCONN;
	}
	if (kind == ADDR_AUTO)
		kind = !stat(c->path, &st) && S_ISSOCK(st.st_mode) ? ADDR_UNIX : ADDR_DEV;
	if (kind == ADDR_FIFO) {
		/* replies first: opening a FIFO to write fails (ENXIO) while
		 * nobody reads it, i.e. while the service is not there */
		int rfd = open(c->reply_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		int wfd = rfd < 0 ? -1 : open(c->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

		if (wfd < 0) {
			char os[256];

			e = errno;
			if (rfd >= 0)
				close(rfd);
			ktsnap_wire_os_error(os, sizeof(os), e);
			snprintf(err, size, "cannot open %s: %s", rfd < 0 ? c->reply_path : c->path,
				 os);
			return -e;
		}
		c->fd = rfd;
		c->wfd = wfd;
		return 0;
	}
	if (kind == ADDR_UNIX) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		strncpy(sa.sun_path, c->path, sizeof(sa.sun_path) - 1);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			char os[256];

			e = errno;
			if (fd >= 0)
				close(fd);
			ktsnap_wire_os_error(os, sizeof(os), e);
			snprintf(err, size, "cannot connect to %s: %s", c->path, os);
			return -e;
		}
		e = set_nonblock(fd);
		if (e) {
			close(fd);
			snprintf(err, size, "%s: %s", c->path, strerror(-e));
			return e;
		}
	} else {
		fd = open(c->path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			snprintf(err, size, "%s not yet open (multiport handshake still in flight)",
				 c->path);
			return -errno;
		}
	}
	c->fd = c->wfd = fd;
	return 0;
}

/*
 * Read one frame of at most @max payload bytes: 0 with *@payload (malloc'd,
 * caller frees) and *@h; -ETIME when the deadline passed before any byte
 * of a frame arrived (the host delivered nothing); -ETIMEDOUT when it passed
 * mid-frame; another -errno.  The inner reason ("{e}" of the spec's texts)
 * is in @err.  Errors other than the timeouts leave the stream out of step:
 * the caller drops the handle.
 */
static int read_frame(struct ktsnap_wire_client *c, uint32_t max, uint64_t deadline,
		      struct ktsnap_wire_header *h, uint8_t **payload, char *err, size_t size)
{
	uint8_t hdr[KTSNAP_WIRE_HEADER_SIZE], *p;
	size_t got = 0;
	uint32_t crc;
	int rc;

	*payload = NULL;
	rc = ktsnap_wire_read_exact(c->fd, hdr, sizeof(hdr), deadline, -1, &got, err, size);
	if (rc == -ETIMEDOUT && !got)
		return -ETIME; /* no frame started: nothing was delivered */
	if (rc)
		return rc;
	ktsnap_wire_header__decode(hdr, h);
	if (h->length > max) {
		snprintf(err, size,
			 "TLV length %u exceeds max payload %u for port-1 RX; rejecting before "
			 "allocation to avoid guest OOM",
			 h->length, max);
		return -EPROTO;
	}
	p = malloc(h->length ? h->length : 1);
	if (!p) {
		snprintf(err, size, "out of memory for a %u-byte payload", h->length);
		return -ENOMEM;
	}
	rc = ktsnap_wire_read_exact(c->fd, p, h->length, deadline, -1, NULL, err, size);
	if (rc) {
		free(p);
		return rc;
	}
	crc = ktsnap_wire_crc32(p, h->length);
	if (crc != h->crc32) {
		snprintf(err, size, "TLV CRC mismatch: header crc=0x%08x computed=0x%08x length=%u",
			 h->crc32, crc, h->length);
		free(p);
		return -EPROTO;
	}
	*payload = p;
	return 0;
}

static uint64_t deadline_of(uint32_t timeout_ms, uint64_t *timeout_ns)
{
	*timeout_ns =
		(uint64_t)(timeout_ms ? timeout_ms : KTSNAP_WIRE_REQUEST_TIMEOUT_MS) * 1000000ull;
	return ktsnap_monotonic_ns() + *timeout_ns;
}

/* One request in flight: what the texts call it, its id, its reply deadline. */
struct pending {
	const char *what; /* "snapshot", "kernel-op", "report" */
	uint32_t id;
	char ctx[24]; /* appended to "request_id=N" in the timeout texts, or "" */
	uint64_t deadline, timeout_ns;
};

/*
 * Open the port if needed and write one request frame: 0 with the reply
 * deadline set, or the TransportError result ("<what> request write
 * failed (request_id=N): …") with the handle dropped.
 */
static int send_request(struct ktsnap_wire_client *c, uint32_t type, struct pending *p,
			const void *buf, uint32_t len, uint32_t timeout_ms,
			struct ktsnap_wire_result *res)
{
	char e[512];
	int rc = ensure_open(c, e, sizeof(e));

	if (rc)
		return result(res, rc, KTSNAP_WIRE_TRANSPORT_ERROR, p->id, "%s", e);
	p->deadline = deadline_of(timeout_ms, &p->timeout_ns);
	rc = ktsnap_wire_write_frame(c->wfd, type, buf, len, p->deadline, e, sizeof(e));
	if (rc) {
		drop_handle(c);
		return result(res, rc, KTSNAP_WIRE_TRANSPORT_ERROR, p->id,
			      "%s request write failed (request_id=%u): %s", p->what, p->id, e);
	}
	return 0;
}

/*
 * Wait for the next frame of type @type (at most @max bytes) before the
 * deadline, dropping frames of other types: 0 with @h and @payload (the
 * caller frees it), or the TransportError result ("host did not deliver
 * matching <what> reply within …", "<what> reply deadline elapsed before
 * frame complete …", or "<what> reply read failed …" with the handle
 * dropped).
 */
static int await_reply(struct ktsnap_wire_client *c, const struct pending *p, uint32_t type,
		       uint32_t max, struct ktsnap_wire_header *h, uint8_t **payload,
		       struct ktsnap_wire_result *res)
{
	char e[512], dur[32], name[5];
	int rc;

	for (;;) {
		if (ktsnap_monotonic_ns() >= p->deadline) {
			ktsnap_wire_fmt_duration(dur, sizeof(dur), p->timeout_ns);
			return result(res, -ETIMEDOUT, KTSNAP_WIRE_TRANSPORT_ERROR, p->id,
				      "host did not deliver matching %s reply within %s "
				      "(request_id=%u%s)",
				      p->what, dur, p->id, p->ctx);
		}
		rc = read_frame(c, max, p->deadline, h, payload, e, sizeof(e));
		if (rc == -ETIME)
			continue; /* the deadline check above words it */
		if (rc == -ETIMEDOUT)
			return result(res, rc, KTSNAP_WIRE_TRANSPORT_ERROR, p->id,
				      "%s reply deadline elapsed before frame complete "
				      "(request_id=%u%s): %s",
				      p->what, p->id, p->ctx, e);
		if (rc) {
			drop_handle(c);
			return result(res, rc, KTSNAP_WIRE_TRANSPORT_ERROR, p->id,
				      "%s reply read failed (request_id=%u): %s", p->what, p->id,
				      e);
		}
		if (h->msg_type == type)
			return 0;
		pr_debug("%s: ignoring %s frame (%u bytes) while waiting for request_id=%u\n",
			 p->what, ktsnap_wire_msg_name(h->msg_type, name), h->length, p->id);
		free(*payload);
	}
}

/* ---- request_snapshot (§10.4) -------------------------------------------------------- */
static int request_snapshot_locked(struct ktsnap_wire_client *c, uint32_t kind, const char *tag,
				   uint32_t timeout_ms, struct ktsnap_wire_result *res)
{
	struct pending p = { .what = "snapshot", .id = alloc_id(&c->next_snapshot_id) };
	uint8_t req[KTSNAP_SNAPSHOT_PAYLOAD_SIZE];
	int rc;

	snprintf(p.ctx, sizeof(p.ctx), ", kind=%u", kind);
	ktsnap_snapshot_request__encode(p.id, kind, tag, req);
	rc = send_request(c, KTSNAP_MSG_SNAPSHOT_REQUEST, &p, req, sizeof(req), timeout_ms, res);
	while (!rc) {
		struct ktsnap_snapshot_reply rep;
		struct ktsnap_wire_header h;
		uint8_t *payload = NULL;

		rc = await_reply(c, &p, KTSNAP_MSG_SNAPSHOT_REPLY, KTSNAP_SNAPSHOT_PAYLOAD_SIZE, &h,
				 &payload, res);
		if (rc)
			break;
		rc = ktsnap_snapshot_reply__decode(payload, h.length, &rep);
		free(payload);
		if (rc) {
			pr_debug("request_snapshot: ignoring a %u-byte reply\n", h.length);
			rc = 0;
			continue;
		}
		if (rep.request_id != p.id) {
			pr_debug("request_snapshot: ignoring stale reply id %u (want %u)\n",
				 rep.request_id, p.id);
			continue;
		}
		if (rep.status == KTSNAP_SNAPSHOT_STATUS_OK)
			return result(res, 0, KTSNAP_WIRE_OK, p.id, "%s", "");
		if (rep.status == KTSNAP_SNAPSHOT_STATUS_ERR)
			return result(res, -EREMOTEIO, KTSNAP_WIRE_HOST_ERROR, p.id, "%s",
				      rep.reason);
		return result(res, -EPROTO, KTSNAP_WIRE_TRANSPORT_ERROR, p.id,
			      "host reply with unknown status %u (expected OK=%u or ERR=%u)",
			      rep.status, KTSNAP_SNAPSHOT_STATUS_OK, KTSNAP_SNAPSHOT_STATUS_ERR);
	}
	return rc;
}

int ktsnap_wire_client__request_snapshot(struct ktsnap_wire_client *c, uint32_t kind,
					 const char *tag, uint32_t timeout_ms,
					 struct ktsnap_wire_result *res)
{
	struct ktsnap_wire_result local;
	int rc;

	res = call_start(res, &local);
	if (!c)
		rc = host_context(res, "request_snapshot");
	else {
		pthread_mutex_lock(&c->lock);
		rc = request_snapshot_locked(c, kind, tag, timeout_ms, res);
		pthread_mutex_unlock(&c->lock);
	}
	if (res->status == KTSNAP_WIRE_TRANSPORT_ERROR &&
	    (kind == KTSNAP_SNAPSHOT_KIND_CAPTURE || kind == KTSNAP_SNAPSHOT_KIND_WATCH))
		atomic_store(&latched_dead, true);
	return rc;
}

/* ---- request_kernel_op (§10.5) ------------------------------------------------------- */
static int request_kernel_op_locked(struct ktsnap_wire_client *c,
				    const struct ktsnap_kernel_op_request *req, uint32_t timeout_ms,
				    struct ktsnap_kernel_op_reply *reply,
				    struct ktsnap_wire_result *res)
{
	struct pending p = { .what = "kernel-op", .id = alloc_id(&c->next_kernel_op_id) };
	struct ktsnap_kernel_op_request stamped = *req;
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	stamped.request_id = p.id;
	rc = ktsnap_kernel_op_request__encode(&stamped, &buf, &len);
	if (!rc && len > KTSNAP_WIRE_FRAME_MAX) {
		free(buf);
		rc = -EMSGSIZE;
	}
	if (rc)
		return result(res, rc, KTSNAP_WIRE_TRANSPORT_ERROR, p.id,
			      "request_kernel_op: postcard encode failed (request_id=%u): %s", p.id,
			      rc == -EMSGSIZE ? "payload larger than the 1 MiB frame limit" :
						strerror(-rc));
	rc = send_request(c, KTSNAP_MSG_KERNEL_OP_REQUEST, &p, buf, (uint32_t)len, timeout_ms, res);
	free(buf);
	while (!rc) {
		struct ktsnap_wire_header h;
		uint8_t *payload = NULL;

		rc = await_reply(c, &p, KTSNAP_MSG_KERNEL_OP_REPLY, KTSNAP_KERNEL_OP_REPLY_MAX, &h,
				 &payload, res);
		if (rc)
			break;
		rc = ktsnap_kernel_op_reply__decode(payload, h.length, reply);
		free(payload);
		if (rc == -ENOMEM)
			return result(res, rc, KTSNAP_WIRE_TRANSPORT_ERROR, p.id,
				      "kernel-op reply read failed (request_id=%u): out of memory",
				      p.id);
		if (rc) {
			pr_debug("request_kernel_op: postcard decode failed; ignoring\n");
			rc = 0;
			continue;
		}
		if (reply->request_id != p.id) {
			pr_debug("request_kernel_op: ignoring stale reply id %u (want %u)\n",
				 reply->request_id, p.id);
			ktsnap_kernel_op_reply__clear(reply);
			continue;
		}
		return result(res, 0, KTSNAP_WIRE_OK, p.id, "%s", "");
	}
	return rc;
}

int ktsnap_wire_client__request_kernel_op(struct ktsnap_wire_client *c,
					  const struct ktsnap_kernel_op_request *req,
					  uint32_t timeout_ms, struct ktsnap_kernel_op_reply *reply,
					  struct ktsnap_wire_result *res)
{
	struct ktsnap_wire_result local;
	int rc;

	res = call_start(res, &local);
	if (!req || !reply)
		return result(res, -EINVAL, KTSNAP_WIRE_TRANSPORT_ERROR, 0,
			      "request_kernel_op: NULL request or reply");
	memset(reply, 0, sizeof(*reply));
	if (!c)
		return host_context(res, "request_kernel_op");
	pthread_mutex_lock(&c->lock);
	rc = request_kernel_op_locked(c, req, timeout_ms, reply, res);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* ---- report retrieval (extension) ---------------------------------------------------- */
static int fetch_report_locked(struct ktsnap_wire_client *c, const char *tag, uint32_t timeout_ms,
			       char **json, size_t *json_len, struct ktsnap_wire_result *res)
{
	struct pending p = { .what = "report", .id = alloc_id(&c->next_report_id) };
	uint8_t req[KTSNAP_SNAPSHOT_PAYLOAD_SIZE];
	uint64_t total = 0, have = 0;
	bool started = false;
	uint32_t id = p.id;
	char *out = NULL;
	int rc;

	ktsnap_snapshot_request__encode(id, KTSNAP_REPORT_FORMAT_JSON, tag, req);
	rc = send_request(c, KTSNAP_MSG_REPORT_REQUEST, &p, req, sizeof(req), timeout_ms, res);
	if (rc)
		return rc;
	for (;;) {
		struct ktsnap_wire_header h;
		uint64_t off;
		uint32_t rid, status;
		uint8_t *payload = NULL;
		size_t n;

		rc = await_reply(c, &p, KTSNAP_MSG_REPORT_REPLY, KTSNAP_WIRE_FRAME_MAX, &h,
				 &payload, res);
		if (rc)
			break;
		if (h.length < KTSNAP_REPORT_REPLY_HEAD_SIZE) {
			free(payload);
			continue;
		}
		rid = get_le32(payload);
		status = get_le32(payload + 4);
		if (rid != id) {
			free(payload);
			continue;
		}
		n = h.length - KTSNAP_REPORT_REPLY_HEAD_SIZE;
		if (status == KTSNAP_SNAPSHOT_STATUS_ERR) {
			char reason[KTSNAP_KERNEL_OP_REASON_MAX * 3 + 1];

			ktsnap_wire_utf8_lossy(
				reason, sizeof(reason), payload + KTSNAP_REPORT_REPLY_HEAD_SIZE,
				n > KTSNAP_KERNEL_OP_REASON_MAX ? KTSNAP_KERNEL_OP_REASON_MAX : n);
			free(payload);
			rc = result(res, -EREMOTEIO, KTSNAP_WIRE_HOST_ERROR, id, "%s", reason);
			break;
		}
		if (status != KTSNAP_SNAPSHOT_STATUS_OK) {
			free(payload);
			rc = result(res, -EPROTO, KTSNAP_WIRE_TRANSPORT_ERROR, id,
				    "host reply with unknown status %u (expected OK=%u or ERR=%u)",
				    status, KTSNAP_SNAPSHOT_STATUS_OK, KTSNAP_SNAPSHOT_STATUS_ERR);
			break;
		}
		off = get_le64(payload + 16);
		if (!started) {
			total = get_le64(payload + 8);
			if (total > KTSNAP_JSON_MAX_INPUT) {
				free(payload);
				drop_handle(c);
				rc = result(res, -EFBIG, KTSNAP_WIRE_TRANSPORT_ERROR, id,
					    "report reply read failed (request_id=%u): report of "
					    "%llu bytes exceeds max %llu",
					    id, (unsigned long long)total,
					    (unsigned long long)KTSNAP_JSON_MAX_INPUT);
				break;
			}
			started = true;
		}
		if (get_le64(payload + 8) != total || off != have || n > total - have) {
			free(payload);
			drop_handle(c);
			rc = result(res, -EPROTO, KTSNAP_WIRE_TRANSPORT_ERROR, id,
				    "report reply read failed (request_id=%u): chunk at %llu of "
				    "%zu bytes does not continue %llu of %llu",
				    id, (unsigned long long)off, n, (unsigned long long)have,
				    (unsigned long long)total);
			break;
		}
		if (n) {
			/* grow by what arrived, never by what the peer announced */
			char *grown = realloc(out, (size_t)have + n + 1);

			if (!grown) {
				free(payload);
				drop_handle(c);
				rc = result(res, -ENOMEM, KTSNAP_WIRE_TRANSPORT_ERROR, id,
					    "report reply read failed (request_id=%u): out of "
					    "memory",
					    id);
				break;
			}
			out = grown;
			memcpy(out + have, payload + KTSNAP_REPORT_REPLY_HEAD_SIZE, n);
			have += n;
		}
		free(payload);
		if (have == total) {
			if (!out)
				out = calloc(1, 1);
			if (!out) {
				rc = result(res, -ENOMEM, KTSNAP_WIRE_TRANSPORT_ERROR, id,
					    "out of memory");
				break;
			}
			out[have] = '\0';
			*json = out;
			*json_len = (size_t)have;
			return result(res, 0, KTSNAP_WIRE_OK, id, "%s", "");
		}
	}
	free(out);
	return rc;
}

int ktsnap_wire_client__fetch_report(struct ktsnap_wire_client *c, const char *tag,
				     uint32_t timeout_ms, char **json, size_t *len,
				     struct ktsnap_wire_result *res)
{
	struct ktsnap_wire_result local;
	int rc;

	res = call_start(res, &local);
	if (!c || !tag || !json || !len)
		return result(res, -EINVAL, KTSNAP_WIRE_TRANSPORT_ERROR, 0,
			      "fetch_report: NULL argument");
	pthread_mutex_lock(&c->lock);
	rc = fetch_report_locked(c, tag, timeout_ms, json, len, res);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* ---- scenario ops on the wire path (§11.1 step 4, §11.2, §10.7) ---------------------- */
#define LATCH_TAIL                                                                          \
	"snapshot transport latched dead; a prior request observed TransportError and the " \
	"latch only flips on transport failure (host-side coordinator unreachable until "   \
	"process restart)"

/*
 * The two ops differ only in the kind they request and the words of their
 * texts: "Op::<op>('<name>'): " then the latch text, "<rejected>: reason"
 * or "port-1 transport failure: reason".
 */
static int snapshot_op(struct ktsnap_wire_client *c, uint32_t kind, const char *op,
		       const char *rejected, const char *name, uint32_t timeout_ms,
		       struct ktsnap_wire_result *res)
{
	struct ktsnap_wire_result local, r;
	int rc;

	res = call_start(res, &local);
	if (!name)
		name = "";
	if (ktsnap_wire_transport_latched_dead())
		return result(res, -ENOTCONN, KTSNAP_WIRE_TRANSPORT_ERROR, 0,
			      "Op::%s('%s'): " LATCH_TAIL, op, name);
	rc = ktsnap_wire_client__request_snapshot(c, kind, name, timeout_ms, &r);
	if (r.status == KTSNAP_WIRE_OK)
		return result(res, 0, KTSNAP_WIRE_OK, r.request_id, "%s", "");
	if (r.status == KTSNAP_WIRE_HOST_ERROR)
		return result(res, rc, r.status, r.request_id, "Op::%s('%s'): %s: %s", op, name,
			      rejected, r.reason);
	return result(res, rc, r.status, r.request_id, "Op::%s('%s'): port-1 transport failure: %s",
		      op, name, r.reason);
}

int ktsnap_wire_capture_snapshot_op(struct ktsnap_wire_client *c, const char *name,
				    uint32_t timeout_ms, struct ktsnap_wire_result *res)
{
	return snapshot_op(c, KTSNAP_SNAPSHOT_KIND_CAPTURE, "CaptureSnapshot",
			   "host rejected capture", name, timeout_ms, res);
}

int ktsnap_wire_watch_snapshot_op(struct ktsnap_wire_client *c, const char *symbol,
				  uint32_t timeout_ms, struct ktsnap_wire_result *res)
{
	return snapshot_op(c, KTSNAP_SNAPSHOT_KIND_WATCH, "WatchSnapshot", "host rejected", symbol,
			   timeout_ms, res);
}
