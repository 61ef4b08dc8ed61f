// SPDX-License-Identifier: MIT
/*
 * The wire service (spec §10.6 on a live host, `ktsnap serve`): accepts
 * connections on a Unix stream socket (peers checked with SO_PEERCRED /
 * SO_PEERGROUPS against allow lists; root always allowed) or serves one
 * trusted stream (a device), reads frames under a per-frame deadline,
 * drops what the host drops (bad CRC, wrong length, id 0, kind 0,
 * undecodable kernel ops, unknown types), and answers: CAPTURE → a live
 * capture (one at a time) stored on the bridge under the tag with the
 * current step, kept for retrieval and written as the tagged sidecar;
 * WATCH → the bridge's register_watch; KORQ → the bridge's kernel-op
 * callback or the live-host answer, logged on the bridge; RPRQ (extension)
 * → the stored report in frames of at most 1 MiB.  One thread per
 * connection; a peer that misbehaves loses only its own connection.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ktsnap/bridge.h>
#include <ktsnap/capture.h>
#include <ktsnap/json.h>
#include <ktsnap/report.h>
#include <ktsnap/wire.h>

#include "capture_internal.h"
#include "log_internal.h"
#include "opts_internal.h"
#include "util_internal.h"
#include "wire_internal.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

#define SERVER_MAX_CLIENTS_DEFAULT 64
#define SERVER_FRAME_TIMEOUT_MS_DEFAULT 30000u
#define SERVER_MAX_PEER_GROUPS 1024

/* A stored report's JSON, shared by every fetch in flight. */
struct blob {
	atomic_uint ref;
	size_t len;
	char *data; /* malloc'd */
};

struct report_slot {
	char *tag;
	struct blob *json;
};

/* One connection (or the one stream of serve_fd). */
struct conn {
	struct ktsnap_server *s;
	struct conn *next; /* the server's list of live connections */
	int fd; /* read from */
	int wfd; /* written to (== fd but for a FIFO pair) */
	bool allowed;
	uint32_t uid; /* the peer's, for the refusal text */
	uint64_t expires; /* refused peers: gone by then (0: never) */
};

struct ktsnap_server {
	struct ktsnap_bridge *bridge;
	const struct ktsnap_capture_opts *capture;
	ktsnap_server_capture_fn capture_fn;
	void *capture_ctx;
	char *dump_dir;
	char *dump_stem;
	uint32_t *uids, *gids;
	size_t nr_uids, nr_gids;
	uint32_t max_clients;
	uint32_t frame_timeout_ms;

	int listen_fd;
	char *sock_path;
	int stop_pipe[2];

	pthread_mutex_t lock; /* nr_threads, conns */
	pthread_cond_t idle;
	unsigned int nr_threads;
	struct conn *conns;

	pthread_mutex_t capture_lock; /* one capture at a time */

	pthread_mutex_t reports_lock;
	struct report_slot reports[KTSNAP_MAX_STORED_SNAPSHOTS];
	size_t nr_reports;

	atomic_uint step;
	atomic_uint_fast64_t served;
	atomic_uint_fast64_t dropped;
};

static void blob_put(struct blob *b)
{
	if (b && atomic_fetch_sub(&b->ref, 1) == 1) {
		free(b->data);
		free(b);
	}
}

/* ---- construction --------------------------------------------------------------- */
static struct ktsnap_report *no_capture(const char *name, void *ctx)
{
	return NULL; /* §10.6: the host bridge's own callback returns absent */
}

static int dup_ids(uint32_t **dst, size_t *nr, const uint32_t *src, size_t n)
{
	if (!n)
		return 0;
	if (!src)
		return -EINVAL;
	*dst = malloc(n * sizeof(**dst));
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, n * sizeof(**dst));
	*nr = n;
	return 0;
}

struct ktsnap_server *ktsnap_server__new(const struct ktsnap_server_opts *uopts)
{
	struct ktsnap_server_opts opts;
	struct ktsnap_server *s;
	int err;

	ktsnap_errmsg_clear();
	err = KTSNAP_OPTS_READ(opts, uopts, ktsnap_server_opts);
	if (err)
		return ktsnap_err_ptr(err);
	err = -ENOMEM;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ktsnap_fail_ptr(-ENOMEM, "server: out of memory");
	s->listen_fd = -1;
	s->stop_pipe[0] = s->stop_pipe[1] = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->idle, NULL);
	pthread_mutex_init(&s->capture_lock, NULL);
	pthread_mutex_init(&s->reports_lock, NULL);
	if (pipe2(s->stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		err = -errno;
		goto fail;
	}
	s->capture = opts.capture;
	s->capture_fn = opts.capture_fn;
	s->capture_ctx = opts.capture_ctx;
	s->max_clients = opts.max_clients;
	s->frame_timeout_ms = opts.frame_timeout_ms;
	if (opts.dump_dir && !(s->dump_dir = strdup(opts.dump_dir)))
		goto fail;
	if (opts.dump_stem && !(s->dump_stem = strdup(opts.dump_stem)))
		goto fail;
	err = dup_ids(&s->uids, &s->nr_uids, opts.allow_uids, opts.nr_allow_uids);
	if (!err)
		err = dup_ids(&s->gids, &s->nr_gids, opts.allow_gids, opts.nr_allow_gids);
	if (err)
		goto fail;
	err = -ENOMEM;
	if (opts.bridge)
		s->bridge = ktsnap_bridge__ref(opts.bridge);
	if (!s->max_clients)
		s->max_clients = SERVER_MAX_CLIENTS_DEFAULT;
	if (!s->frame_timeout_ms)
		s->frame_timeout_ms = SERVER_FRAME_TIMEOUT_MS_DEFAULT;
	if (!s->bridge && !(s->bridge = ktsnap_bridge__new(no_capture, NULL, NULL)))
		goto fail;
	return s;
fail:
	ktsnap_server__free(s);
	return ktsnap_fail_ptr(err, "server: %s", strerror(-err));
}

void ktsnap_server__stop(struct ktsnap_server *s)
{
	ssize_t r;

	/* the pipe stays readable from now on: every waiter sees it */
	if (s && s->stop_pipe[1] >= 0)
		r = write(s->stop_pipe[1], "x", 1);
	(void)r;
}

void ktsnap_server__set_step(struct ktsnap_server *s, uint16_t step_index)
{
	if (s)
		atomic_store(&s->step, step_index);
}

uint64_t ktsnap_server__served(struct ktsnap_server *s)
{
	return s ? atomic_load(&s->served) : 0;
}

uint64_t ktsnap_server__dropped(struct ktsnap_server *s)
{
	return s ? atomic_load(&s->dropped) : 0;
}

void ktsnap_server__free(struct ktsnap_server *s)
{
	struct conn *c;
	size_t i;

	if (!s)
		return;
	ktsnap_server__stop(s);
	pthread_mutex_lock(&s->lock);
	/* wake connections blocked writing to peers that do not read */
	for (c = s->conns; c; c = c->next)
		shutdown(c->fd, SHUT_RDWR);
	while (s->nr_threads)
		pthread_cond_wait(&s->idle, &s->lock);
	pthread_mutex_unlock(&s->lock);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->sock_path)
		unlink(s->sock_path);
	for (i = 0; i < 2; i++)
		if (s->stop_pipe[i] >= 0)
			close(s->stop_pipe[i]);
	for (i = 0; i < s->nr_reports; i++) {
		free(s->reports[i].tag);
		blob_put(s->reports[i].json);
	}
	ktsnap_bridge__unref(s->bridge);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->capture_lock);
	pthread_mutex_destroy(&s->reports_lock);
	free(s->sock_path);
	free(s->dump_dir);
	free(s->dump_stem);
	free(s->uids);
	free(s->gids);
	free(s);
}

/* ---- the report store for retrieval -------------------------------------------------- */
static void reports_put(struct ktsnap_server *s, const char *tag, struct blob *json)
{
	char *t = strdup(tag);
	size_t i;

	if (!t) {
		blob_put(json);
		return;
	}
	pthread_mutex_lock(&s->reports_lock);
	/* same FIFO rule as the bridge: a re-stored tag moves to the back */
	for (i = 0; i < s->nr_reports; i++)
		if (!strcmp(s->reports[i].tag, tag))
			break;
	if (i == s->nr_reports && i == KTSNAP_MAX_STORED_SNAPSHOTS)
		i = 0; /* evict the oldest */
	if (i < s->nr_reports) {
		free(s->reports[i].tag);
		blob_put(s->reports[i].json);
		memmove(s->reports + i, s->reports + i + 1,
			(s->nr_reports - i - 1) * sizeof(s->reports[0]));
		s->nr_reports--;
	}
	s->reports[s->nr_reports++] = (struct report_slot){ .tag = t, .json = json };
	pthread_mutex_unlock(&s->reports_lock);
}

static struct blob *reports_get(struct ktsnap_server *s, const char *tag)
{
	struct blob *b = NULL;
	size_t i;

	pthread_mutex_lock(&s->reports_lock);
	for (i = 0; i < s->nr_reports; i++) {
		if (!strcmp(s->reports[i].tag, tag)) {
			b = s->reports[i].json;
			atomic_fetch_add(&b->ref, 1);
			break;
		}
	}
	pthread_mutex_unlock(&s->reports_lock);
	return b;
}

static struct blob *report_json(const struct ktsnap_report *r)
{
	struct blob *b = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	err = ktsnap_report__write_json(r, f, 0);
	if (fclose(f) || err)
		goto out;
	b = malloc(sizeof(*b));
	if (!b)
		goto out;
	/* the stream's buffer becomes the blob's: no second copy */
	atomic_init(&b->ref, 1);
	b->len = len;
	b->data = buf;
	buf = NULL;
out:
	free(buf);
	return b;
}

static int write_sidecar(struct ktsnap_server *s, const char *tag, const struct blob *json,
			 char *err, size_t size)
{
	char base[4096], path[4096], tmp[4200];
	FILE *f;
	int n;

	snprintf(base, sizeof(base), "%s/%s.failure-dump.json", s->dump_dir,
		 s->dump_stem ? s->dump_stem : "ktsnap");
	n = ktsnap_wire_sidecar_path(base, tag, path, sizeof(path));
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(err, size, "sidecar path too long");
		return -ENAMETOOLONG;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d.%lu", path, (int)getpid(),
		 (unsigned long)pthread_self());
	f = fopen(tmp, "we");
	if (!f || fwrite(json->data, 1, json->len, f) != json->len || fclose(f)) {
		int e = errno ? errno : EIO;

		snprintf(err, size, "sidecar %.300s: %s", path, strerror(e));
		if (f)
			unlink(tmp);
		return -e;
	}
	if (rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		snprintf(err, size, "sidecar %.300s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

/* ---- request handlers ---------------------------------------------------------------- */
static uint64_t frame_deadline(struct ktsnap_server *s)
{
	return ktsnap_monotonic_ns() + (uint64_t)s->frame_timeout_ms * 1000000ull;
}

static uint64_t conn_deadline(struct conn *c)
{
	uint64_t d = frame_deadline(c->s);

	return c->expires && c->expires < d ? c->expires : d;
}

static int send_snapshot_reply(struct conn *c, uint32_t id, uint32_t status, const char *reason)
{
	uint8_t p[KTSNAP_SNAPSHOT_PAYLOAD_SIZE];
	char e[256];

	ktsnap_snapshot_reply__encode(id, status, reason, p);
	return ktsnap_wire_write_frame(c->wfd, KTSNAP_MSG_SNAPSHOT_REPLY, p, sizeof(p),
				       conn_deadline(c), e, sizeof(e));
}

static void capture(struct ktsnap_server *s, const char *tag, uint32_t *status, char *reason,
		    size_t size)
{
	struct ktsnap_report *r = NULL;
	struct blob *json;
	char e[512];
	int rc;

	pthread_mutex_lock(&s->capture_lock);
	rc = s->capture_fn ? s->capture_fn(tag, &r, s->capture_ctx) :
			     ktsnap_capture(s->capture, &r);
	*status = KTSNAP_SNAPSHOT_STATUS_OK;
	reason[0] = '\0';
	if (rc || !r) {
		/* §12: a failed live capture leaves a placeholder, and the
		 * requester hears why */
		ktsnap_report__free(r);
		r = ktsnap_capture_failed(rc, reason, size);
		*status = KTSNAP_SNAPSHOT_STATUS_ERR;
		if (!r)
			goto out;
	}
	json = report_json(r);
	if (json && s->dump_dir && write_sidecar(s, tag, json, e, sizeof(e)) &&
	    *status == KTSNAP_SNAPSHOT_STATUS_OK) {
		*status = KTSNAP_SNAPSHOT_STATUS_ERR;
		snprintf(reason, size, "%s", e);
	}
	if (ktsnap_bridge__store_with_stats_and_step(s->bridge, tag, r, NULL, NULL, NULL,
						     (uint16_t)atomic_load(&s->step)) &&
	    *status == KTSNAP_SNAPSHOT_STATUS_OK) {
		*status = KTSNAP_SNAPSHOT_STATUS_ERR;
		snprintf(reason, size, "storing the capture failed: %s", ktsnap_errmsg());
	}
	if (json)
		reports_put(s, tag, json);
	else if (*status == KTSNAP_SNAPSHOT_STATUS_OK) {
		*status = KTSNAP_SNAPSHOT_STATUS_ERR;
		snprintf(reason, size, "serialising the capture failed");
	}
out:
	pthread_mutex_unlock(&s->capture_lock);
}

static int handle_snapshot(struct conn *c, const uint8_t *payload, uint32_t len)
{
	struct ktsnap_snapshot_request req;
	uint32_t status = KTSNAP_SNAPSHOT_STATUS_OK;
	char reason[1024] = "";
	int rc;

	if (ktsnap_snapshot_request__decode(payload, len, &req))
		return 1; /* dropped */
	if (!c->allowed) {
		snprintf(reason, sizeof(reason), "uid %u is not allowed by ktsnap serve", c->uid);
		status = KTSNAP_SNAPSHOT_STATUS_ERR;
	} else if (req.kind == KTSNAP_SNAPSHOT_KIND_CAPTURE) {
		capture(c->s, req.tag, &status, reason, sizeof(reason));
	} else if (req.kind == KTSNAP_SNAPSHOT_KIND_WATCH) {
		/* register_watch records its text for ktsnap_errmsg() */
		rc = ktsnap_bridge__register_watch(c->s->bridge, req.tag);
		if (rc == -EOPNOTSUPP) {
			status = KTSNAP_SNAPSHOT_STATUS_ERR;
			snprintf(reason, sizeof(reason),
				 "watch unavailable: no watch callback on this host");
		} else if (rc) {
			status = KTSNAP_SNAPSHOT_STATUS_ERR;
			snprintf(reason, sizeof(reason), "%s",
				 *ktsnap_errmsg() ? ktsnap_errmsg() : strerror(-rc));
		}
	} else {
		status = KTSNAP_SNAPSHOT_STATUS_ERR;
		snprintf(reason, sizeof(reason), "unknown snapshot kind %u", req.kind);
	}
	return send_snapshot_reply(c, req.request_id, status, reason);
}

/* ---- kernel ops on a live host (§12): reads through /proc/kcore ---------------- */
struct kcore {
	int fd;
	Elf64_Phdr *ph;
	size_t nr_ph;
};

/* Open @path and read its program headers: 0, or -errno with @why set. */
static int kcore_open(struct kcore *k, const char *path, char *why, size_t size)
{
	Elf64_Ehdr eh;
	size_t bytes;
	int e;

	memset(k, 0, sizeof(*k));
	k->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (k->fd < 0) {
		e = errno;
		if (e == ENOENT)
			snprintf(why, size, "not supported on this host: %s missing", path);
		else
			snprintf(why, size, "cannot read %s: %s", path, strerror(e));
		return -e;
	}
	if (pread(k->fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    !eh.e_phnum) {
		snprintf(why, size, "%s is not a 64-bit little-endian ELF core file", path);
		goto bad;
	}
	bytes = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
	k->ph = malloc(bytes);
	if (!k->ph) {
		snprintf(why, size, "out of memory");
		close(k->fd);
		return -ENOMEM;
	}
	if (pread(k->fd, k->ph, bytes, (off_t)eh.e_phoff) != (ssize_t)bytes) {
		snprintf(why, size, "%s: cannot read its program headers", path);
		goto bad;
	}
	k->nr_ph = eh.e_phnum;
	return 0;
bad:
	free(k->ph);
	close(k->fd);
	k->ph = NULL;
	return -EINVAL;
}

static void kcore_close(struct kcore *k)
{
	free(k->ph);
	if (k->fd >= 0)
		close(k->fd);
}

/* Read @len bytes of kernel memory at @addr: 0, or -errno with @why set. */
static int kcore_read(struct kcore *k, const char *path, uint64_t addr, void *buf, size_t len,
		      char *why, size_t size)
{
	size_t i;

	for (i = 0; i < k->nr_ph; i++) {
		const Elf64_Phdr *p = &k->ph[i];
		ssize_t r;

		if (p->p_type != PT_LOAD || addr < p->p_vaddr || addr - p->p_vaddr > p->p_filesz ||
		    len > p->p_filesz - (addr - p->p_vaddr))
			continue;
		r = pread(k->fd, buf, len, (off_t)(p->p_offset + (addr - p->p_vaddr)));
		if (r == (ssize_t)len)
			return 0;
		snprintf(why, size, "reading %zu bytes at 0x%llx from %s: %s", len,
			 (unsigned long long)addr, path, r < 0 ? strerror(errno) : "short read");
		return r < 0 ? -errno : -EIO;
	}
	snprintf(why, size, "address 0x%llx (%zu bytes) is not in %s", (unsigned long long)addr,
		 len, path);
	return -EFAULT;
}

/* The address of @name in @path (a kallsyms file): 0 or -errno with @why. */
static int kallsyms_lookup(const char *path, const char *name, uint64_t *addr, char *why,
			   size_t size)
{
	char line[512], sym[256];
	unsigned long long a;
	char type;
	FILE *f = fopen(path, "re");
	int rc = -ENOENT;

	if (!f) {
		snprintf(why, size, "cannot read %s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &a, &type, sym) != 3 || strcmp(sym, name))
			continue;
		*addr = a;
		rc = a ? 0 : -EPERM;
		break;
	}
	fclose(f);
	if (rc == -ENOENT)
		snprintf(why, size, "symbol '%s' not found in %s", name, path);
	else if (rc)
		snprintf(why, size, "symbol '%s' has address 0 in %s (kptr_restrict hides it)",
			 name, path);
	return rc;
}

int ktsnap_kernel_op_live(const struct ktsnap_kernel_op_request *req,
			  struct ktsnap_kernel_op_reply *reply, void *ctx)
{
	struct ktsnap_kernel_op_live_opts o;
	const char *kcore_path, *syms_path;
	char why[512] = "";
	struct kcore k = { .fd = -1 };
	size_t i, total = 0;
	int rc;

	ktsnap_errmsg_clear();
	rc = KTSNAP_OPTS_READ(o, ctx, ktsnap_kernel_op_live_opts);
	if (rc)
		return rc;
	kcore_path = o.kcore ? o.kcore : "/proc/kcore";
	syms_path = o.kallsyms ? o.kallsyms : "/proc/kallsyms";
	if (!req || !reply)
		return ktsnap_fail(-EINVAL, "kernel op: NULL request or reply");
	if (req->nr_entries && !req->entries)
		return ktsnap_fail(-EINVAL, "kernel op: NULL entries");
	reply->request_id = req->request_id;
	if (req->direction == KTSNAP_KERNEL_OP_WRITE) {
		snprintf(why, sizeof(why), "not supported on a live host");
		goto refuse;
	}
	if (kcore_open(&k, kcore_path, why, sizeof(why)))
		goto refuse;
	for (i = 0; i < req->nr_entries; i++) {
		const struct ktsnap_kernel_op_entry *e = &req->entries[i];
		struct ktsnap_kernel_op_value v = { .kind = e->value.kind };
		uint64_t addr = e->target.addr;
		size_t len;

		switch (e->target.kind) {
		case KTSNAP_KERNEL_OP_TARGET_SYMBOL:
			if (kallsyms_lookup(syms_path, e->target.symbol ? e->target.symbol : "",
					    &addr, why, sizeof(why)))
				goto refuse;
			break;
		case KTSNAP_KERNEL_OP_TARGET_DIRECT:
		case KTSNAP_KERNEL_OP_TARGET_KVA:
			break; /* both are kernel virtual addresses kcore maps */
		default:
			snprintf(why, sizeof(why), "%s targets are not supported on a live host",
				 ktsnap_kernel_op_target_kind__name(e->target.kind));
			goto refuse;
		}
		switch (e->value.kind) {
		case KTSNAP_KERNEL_OP_VALUE_U32:
		case KTSNAP_KERNEL_OP_VALUE_OR_U32:
			v.kind = KTSNAP_KERNEL_OP_VALUE_U32;
			len = 4;
			rc = kcore_read(&k, kcore_path, addr, &v.u32, len, why, sizeof(why));
			break;
		case KTSNAP_KERNEL_OP_VALUE_U64:
			len = 8;
			rc = kcore_read(&k, kcore_path, addr, &v.u64, len, why, sizeof(why));
			break;
		case KTSNAP_KERNEL_OP_VALUE_BYTES:
			len = e->value.bytes.len;
			if (len > KTSNAP_KERNEL_OP_REPLY_MAX - total) {
				snprintf(why, sizeof(why),
					 "reads of more than %u bytes do not fit "
					 "a reply",
					 KTSNAP_KERNEL_OP_REPLY_MAX);
				goto refuse;
			}
			rc = len ? ktsnap_kernel_op_value__set_bytes(&v, NULL, len) : 0;
			if (!rc && len)
				rc = kcore_read(&k, kcore_path, addr, v.bytes.data, len, why,
						sizeof(why));
			break;
		default:
			snprintf(why, sizeof(why), "unknown value kind %d", (int)e->value.kind);
			goto refuse;
		}
		if (!rc)
			rc = ktsnap_kernel_op_reply__push_value(reply, &v);
		ktsnap_kernel_op_value__clear(&v);
		if (rc == -ENOMEM) {
			kcore_close(&k);
			ktsnap_kernel_op_reply__clear(reply);
			return ktsnap_fail(-ENOMEM, "kernel op: out of memory");
		}
		if (rc)
			goto refuse;
		total += len;
	}
	kcore_close(&k);
	reply->success = true;
	return 0;
refuse:
	kcore_close(&k);
	ktsnap_kernel_op_reply__clear(reply);
	reply->request_id = req->request_id;
	reply->success = false;
	if (ktsnap_kernel_op_reply__set_reason(reply, why))
		return ktsnap_fail(-ENOMEM, "kernel op: out of memory");
	return 0;
}

static int handle_kernel_op(struct conn *c, const uint8_t *payload, uint32_t len)
{
	struct ktsnap_kernel_op_request req;
	struct ktsnap_kernel_op_reply reply = { 0 };
	uint8_t *buf = NULL;
	size_t n;
	char e[256];
	int rc;

	if (ktsnap_kernel_op_request__decode(payload, len, &req))
		return 1; /* dropped */
	ktsnap_wire_utf8_truncate(req.tag, KTSNAP_KERNEL_OP_TAG_MAX);
	if (!c->allowed) {
		char why[128];

		snprintf(why, sizeof(why), "uid %u is not allowed by ktsnap serve", c->uid);
		ktsnap_kernel_op_reply__set_reason(&reply, why);
	} else {
		rc = ktsnap_bridge__dispatch_kernel_op(c->s->bridge, &req, &reply);
		if (rc == -EOPNOTSUPP) {
			ktsnap_kernel_op_live(&req, &reply, NULL);
			ktsnap_bridge__record_kernel_op_reply(c->s->bridge, req.tag, &reply);
		} else if (rc) {
			ktsnap_kernel_op_reply__clear(&reply);
			ktsnap_kernel_op_reply__set_reason(
				&reply, *ktsnap_errmsg() ? ktsnap_errmsg() : strerror(-rc));
			ktsnap_bridge__record_kernel_op_reply(c->s->bridge, req.tag, &reply);
		}
	}
	reply.request_id = req.request_id;
	if (reply.reason)
		ktsnap_wire_utf8_truncate(reply.reason, KTSNAP_KERNEL_OP_REASON_MAX);
	rc = ktsnap_kernel_op_reply__encode(&reply, &buf, &n);
	if (!rc && n > KTSNAP_KERNEL_OP_REPLY_MAX) {
		/* too many read values: say so rather than send what the client refuses */
		free(buf);
		ktsnap_kernel_op_reply__clear(&reply);
		reply.request_id = req.request_id;
		ktsnap_kernel_op_reply__set_reason(&reply, "kernel-op reply exceeds 1 MiB");
		rc = ktsnap_kernel_op_reply__encode(&reply, &buf, &n);
	}
	if (!rc)
		rc = ktsnap_wire_write_frame(c->wfd, KTSNAP_MSG_KERNEL_OP_REPLY, buf, (uint32_t)n,
					     conn_deadline(c), e, sizeof(e));
	free(buf);
	ktsnap_kernel_op_reply__clear(&reply);
	ktsnap_kernel_op_request__clear(&req);
	return rc;
}

static int send_report_chunk(struct conn *c, uint8_t *frame, uint32_t id, uint32_t status,
			     uint64_t total, uint64_t off, const void *data, size_t n)
{
	char e[256];

	put_le32(frame, id);
	put_le32(frame + 4, status);
	put_le64(frame + 8, total);
	put_le64(frame + 16, off);
	if (n)
		memcpy(frame + KTSNAP_REPORT_REPLY_HEAD_SIZE, data, n);
	return ktsnap_wire_write_frame(c->wfd, KTSNAP_MSG_REPORT_REPLY, frame,
				       (uint32_t)(KTSNAP_REPORT_REPLY_HEAD_SIZE + n),
				       conn_deadline(c), e, sizeof(e));
}

static int handle_report(struct conn *c, const uint8_t *payload, uint32_t len)
{
	const size_t chunk = KTSNAP_WIRE_FRAME_MAX - KTSNAP_REPORT_REPLY_HEAD_SIZE;
	struct ktsnap_snapshot_request req;
	struct blob *json = NULL;
	char why[KTSNAP_KERNEL_OP_REASON_MAX + 1];
	uint8_t *frame;
	size_t off = 0;
	int rc = 0;

	if (ktsnap_snapshot_request__decode(payload, len, &req))
		return 1; /* dropped */
	frame = malloc(KTSNAP_WIRE_FRAME_MAX);
	if (!frame)
		return -ENOMEM;
	if (!c->allowed)
		snprintf(why, sizeof(why), "uid %u is not allowed by ktsnap serve", c->uid);
	else if (req.kind != KTSNAP_REPORT_FORMAT_JSON)
		snprintf(why, sizeof(why), "unknown report format %u", req.kind);
	else if (!(json = reports_get(c->s, req.tag)))
		snprintf(why, sizeof(why), "no report tagged '%s' is stored", req.tag);
	if (!json) {
		ktsnap_wire_utf8_truncate(why, KTSNAP_KERNEL_OP_REASON_MAX);
		rc = send_report_chunk(c, frame, req.request_id, KTSNAP_SNAPSHOT_STATUS_ERR,
				       strlen(why), 0, why, strlen(why));
		free(frame);
		return rc;
	}
	do {
		size_t n = json->len - off < chunk ? json->len - off : chunk;

		rc = send_report_chunk(c, frame, req.request_id, KTSNAP_SNAPSHOT_STATUS_OK,
				       json->len, off, json->data + off, n);
		off += n;
	} while (!rc && off < json->len);
	blob_put(json);
	free(frame);
	return rc;
}

/* ---- one connection ------------------------------------------------------------------ */
/* Read and throw away @n bytes (a frame too large to hold). */
static int discard(struct conn *c, uint64_t n, uint64_t deadline)
{
	uint8_t buf[4096];
	char e[256];
	int rc;

	while (n) {
		size_t k = n < sizeof(buf) ? (size_t)n : sizeof(buf);

		rc = ktsnap_wire_read_exact(c->fd, buf, k, deadline, c->s->stop_pipe[0], NULL, e,
					    sizeof(e));
		if (rc)
			return rc;
		n -= k;
	}
	return 0;
}

static int serve_conn(struct conn *c)
{
	struct ktsnap_server *s = c->s;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = c->fd, .events = POLLIN },
			{ .fd = s->stop_pipe[0], .events = POLLIN },
		};
		uint8_t hdr[KTSNAP_WIRE_HEADER_SIZE], *payload;
		struct ktsnap_wire_header h;
		uint64_t deadline, now;
		size_t got;
		char e[256], name[5];
		int rc, timeout = -1;

		/* a refused peer gets one frame's time to ask, then the door closes */
		if (c->expires) {
			now = ktsnap_monotonic_ns();
			if (now >= c->expires)
				return -ETIMEDOUT;
			timeout = (int)((c->expires - now + 999999) / 1000000);
		}
		rc = poll(pfd, 2, timeout);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[1].revents & POLLIN)
			return 0;
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		deadline = conn_deadline(c);
		rc = ktsnap_wire_read_exact(c->fd, hdr, sizeof(hdr), deadline, s->stop_pipe[0],
					    &got, e, sizeof(e));
		if (rc == -EPIPE && !got)
			return 0; /* the peer is done */
		if (rc) {
			pr_debug("serve: dropping connection: %s\n", e);
			return rc;
		}
		ktsnap_wire_header__decode(hdr, &h);
		if (h.length > KTSNAP_WIRE_FRAME_MAX) {
			atomic_fetch_add(&s->dropped, 1);
			pr_debug("serve: dropping a %u-byte %s frame\n", h.length,
				 ktsnap_wire_msg_name(h.msg_type, name));
			rc = discard(c, h.length, deadline);
			if (rc)
				return rc;
			continue;
		}
		payload = malloc(h.length ? h.length : 1);
		if (!payload)
			return -ENOMEM;
		rc = ktsnap_wire_read_exact(c->fd, payload, h.length, deadline, s->stop_pipe[0],
					    NULL, e, sizeof(e));
		if (rc) {
			free(payload);
			pr_debug("serve: dropping connection: %s\n", e);
			return rc;
		}
		if (!ktsnap_wire_header__crc_ok(&h, payload, h.length)) {
			free(payload);
			atomic_fetch_add(&s->dropped, 1);
			continue;
		}
		switch (h.msg_type) {
		case KTSNAP_MSG_SNAPSHOT_REQUEST:
			rc = handle_snapshot(c, payload, h.length);
			break;
		case KTSNAP_MSG_KERNEL_OP_REQUEST:
			rc = handle_kernel_op(c, payload, h.length);
			break;
		case KTSNAP_MSG_REPORT_REQUEST:
			rc = handle_report(c, payload, h.length);
			break;
		default:
			rc = 1;
		}
		free(payload);
		if (rc == 1) {
			atomic_fetch_add(&s->dropped, 1);
			continue;
		}
		if (rc)
			return rc;
		atomic_fetch_add(&s->served, 1);
		if (!c->allowed)
			return 0; /* one refusal, then the door closes */
	}
}

int ktsnap_server__serve_fds(struct ktsnap_server *s, int rfd, int wfd)
{
	struct conn c = { .s = s, .fd = rfd, .wfd = wfd, .allowed = true };

	ktsnap_errmsg_clear();
	if (!s || rfd < 0 || wfd < 0)
		return ktsnap_fail(-EINVAL, "serve_fd: bad arguments");
	return serve_conn(&c);
}

int ktsnap_server__serve_fd(struct ktsnap_server *s, int fd)
{
	return ktsnap_server__serve_fds(s, fd, fd);
}

static void conn_unlink(struct ktsnap_server *s, struct conn *c)
{
	struct conn **pp;

	pthread_mutex_lock(&s->lock);
	for (pp = &s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	/* closed under the lock: free() never shuts down a reused fd */
	close(c->fd);
	if (!--s->nr_threads)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
	free(c);
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;

	serve_conn(c);
	conn_unlink(c->s, c);
	return NULL;
}

/* ---- listening ----------------------------------------------------------------------- */
static bool peer_allowed(struct ktsnap_server *s, int fd, uint32_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[SERVER_MAX_PEER_GROUPS];
	size_t i, n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	*uid = cred.uid;
	if (cred.uid == 0 || ktsnap_u32_in(s->uids, s->nr_uids, cred.uid) ||
	    ktsnap_u32_in(s->gids, s->nr_gids, cred.gid))
		return true;
	len = sizeof(groups);
	if (!s->nr_gids || getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	n = len / sizeof(groups[0]);
	for (i = 0; i < n; i++)
		if (ktsnap_u32_in(s->gids, s->nr_gids, groups[i]))
			return true;
	return false;
}

int ktsnap_server__listen_unix(struct ktsnap_server *s, const char *path, int64_t group)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, e;

	ktsnap_errmsg_clear();
	if (!s || !path || !*path)
		return ktsnap_fail(-EINVAL, "listen: no socket path");
	if (s->listen_fd >= 0)
		return ktsnap_fail(-EBUSY, "listen: already listening on %s", s->sock_path);
	if (strlen(path) >= sizeof(sa.sun_path))
		return ktsnap_fail(-ENAMETOOLONG, "listen: socket path too long: %s", path);
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return ktsnap_fail(-EEXIST, "listen: %s exists and is not a socket", path);
		unlink(path);
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return ktsnap_fail(-errno, "listen: socket: %s", strerror(errno));
	/* the inode takes the socket's mode: never wider than 0660 */
	fchmod(fd, 0660);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	s->sock_path = strdup(path);
	if (!s->sock_path) {
		unlink(path);
		close(fd);
		return ktsnap_fail(-ENOMEM, "listen on %s: out of memory", path);
	}
	if (chmod(path, 0660) < 0 || (group >= 0 && chown(path, (uid_t)-1, (gid_t)group) < 0) ||
	    listen(fd, 128) < 0)
		goto fail_bound;
	s->listen_fd = fd;
	return 0;
fail_bound:
	e = errno;
	unlink(path);
	free(s->sock_path);
	s->sock_path = NULL;
	errno = e;
fail:
	e = errno;
	close(fd);
	return ktsnap_fail(-e, "listen on %s: %s", path, strerror(e));
}

int ktsnap_server__run(struct ktsnap_server *s)
{
	ktsnap_errmsg_clear();
	if (!s || s->listen_fd < 0)
		return ktsnap_fail(-EINVAL, "run: not listening");
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = s->listen_fd, .events = POLLIN },
			{ .fd = s->stop_pipe[0], .events = POLLIN },
		};
		pthread_attr_t attr;
		pthread_t th;
		struct conn *c;
		int fd, rc;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return ktsnap_fail(-errno, "run: poll: %s", strerror(errno));
		}
		if (pfd[1].revents & POLLIN)
			return 0;
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOMEM) {
				poll(NULL, 0, 10); /* let connections finish */
				continue;
			}
			return ktsnap_fail(-errno, "run: accept: %s", strerror(errno));
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->s = s;
		c->fd = c->wfd = fd;
		c->allowed = peer_allowed(s, fd, &c->uid);
		if (!c->allowed)
			c->expires = frame_deadline(s);
		pthread_mutex_lock(&s->lock);
		if (s->nr_threads >= s->max_clients) {
			pthread_mutex_unlock(&s->lock);
			pr_warn("serve: %u connections already, closing a new one\n",
				s->max_clients);
			close(fd);
			free(c);
			continue;
		}
		s->nr_threads++;
		c->next = s->conns;
		s->conns = c;
		pthread_mutex_unlock(&s->lock);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		rc = pthread_create(&th, &attr, conn_thread, c);
		pthread_attr_destroy(&attr);
		if (rc)
			conn_unlink(s, c);
	}
}
