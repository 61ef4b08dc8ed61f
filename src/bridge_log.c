// SPDX-License-Identifier: MIT
/*
 * bridge_log: the bridge's two side logs (spec §5.7) — the kernel-op log
 * (every reply the kernel-op callback gave, or that a caller recorded,
 * under its request's tag) and the cgroup.procs log (pid lists read under
 * a tag) — and the one small log they are both made of: append under a
 * lock, look up in place, drain by swapping the array out, read the
 * drained records by index, free them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_internal.h"
#include "log_internal.h"
#include "util_internal.h"

/* ---- the log ---------------------------------------------------------------------- */
void ktsnap_log_init(struct ktsnap_log *l, size_t rec_sz, void (*release)(void *rec))
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->rec_sz = rec_sz;
	l->release = release;
}

void *ktsnap_log_items_at(const struct ktsnap_log_items *it, size_t i)
{
	if (!it || i >= it->nr)
		return NULL;
	return (char *)it->recs + i * it->rec_sz;
}

void ktsnap_log_items_release(struct ktsnap_log_items *it)
{
	size_t i;

	for (i = 0; i < it->nr; i++)
		it->release(ktsnap_log_items_at(it, i));
	free(it->recs);
	it->recs = NULL;
	it->nr = 0;
}

void ktsnap_log_destroy(struct ktsnap_log *l)
{
	struct ktsnap_log_items it;

	ktsnap_log_take(l, &it);
	ktsnap_log_items_release(&it);
	pthread_mutex_destroy(&l->lock);
}

int ktsnap_log_append(struct ktsnap_log *l, const void *rec)
{
	int err;

	pthread_mutex_lock(&l->lock);
	err = ktsnap_ensure_mem(&l->recs, &l->cap, l->rec_sz, l->nr + 1);
	if (!err)
		memcpy((char *)l->recs + l->nr++ * l->rec_sz, rec, l->rec_sz);
	pthread_mutex_unlock(&l->lock);
	return err;
}

int ktsnap_log_each(struct ktsnap_log *l, int (*fn)(const void *rec, void *ctx), void *ctx)
{
	int ret = 0;
	size_t i;

	pthread_mutex_lock(&l->lock);
	for (i = 0; i < l->nr && !ret; i++)
		ret = fn((char *)l->recs + i * l->rec_sz, ctx);
	pthread_mutex_unlock(&l->lock);
	return ret;
}

void ktsnap_log_take(struct ktsnap_log *l, struct ktsnap_log_items *out)
{
	pthread_mutex_lock(&l->lock);
	out->recs = l->recs;
	out->nr = l->nr;
	l->recs = NULL;
	l->nr = 0;
	l->cap = 0;
	pthread_mutex_unlock(&l->lock);
	out->rec_sz = l->rec_sz;
	out->release = l->release;
}

/* ---- records -------------------------------------------------------------------------- */
struct kop_record {
	char *tag;
	struct ktsnap_kernel_op_reply reply;
};

static void kop_release(void *p)
{
	struct kop_record *rec = p;

	free(rec->tag);
	ktsnap_kernel_op_reply__clear(&rec->reply);
}

/* A cgroup.procs record is one allocation (see cg_new): the log holds its
 * pointer. */
static void cg_release(void *p)
{
	free(*(struct ktsnap_cgroup_procs **)p);
}

void ktsnap_bridge_logs_init(struct ktsnap_bridge *b)
{
	ktsnap_log_init(&b->kops, sizeof(struct kop_record), kop_release);
	ktsnap_log_init(&b->cgs, sizeof(struct ktsnap_cgroup_procs *), cg_release);
}

void ktsnap_bridge_logs_destroy(struct ktsnap_bridge *b)
{
	ktsnap_log_destroy(&b->kops);
	ktsnap_log_destroy(&b->cgs);
}

/* The drained logs: what ktsnap_log_take() returned. */
struct ktsnap_kernel_op_log {
	struct ktsnap_log_items items;
};

struct ktsnap_cgroup_procs_log {
	struct ktsnap_log_items items;
};

/* ---- kernel-op log ----------------------------------------------------------------- */
int ktsnap_bridge__record_kernel_op_reply(struct ktsnap_bridge *b, const char *tag,
					  const struct ktsnap_kernel_op_reply *reply)
{
	struct kop_record rec = {};
	int err;

	if (!b || !tag || !reply)
		return ktsnap_fail(-EINVAL, "record_kernel_op_reply needs a bridge, tag and reply");
	rec.tag = strdup(tag);
	if (!rec.tag)
		return ktsnap_fail(-ENOMEM, "out of memory");
	err = ktsnap_kernel_op_reply__copy(&rec.reply, reply);
	if (err) {
		free(rec.tag);
		return err;
	}
	if (ktsnap_log_append(&b->kops, &rec)) {
		kop_release(&rec);
		return ktsnap_fail(-ENOMEM, "out of memory");
	}
	return 0;
}

int ktsnap_bridge__dispatch_kernel_op(struct ktsnap_bridge *b,
				      const struct ktsnap_kernel_op_request *req,
				      struct ktsnap_kernel_op_reply *reply)
{
	struct ktsnap_kernel_op_reply tmp = {};
	int err;

	if (!b || !req || !reply)
		return ktsnap_fail(-EINVAL, "dispatch_kernel_op needs a bridge, request and reply");
	if (!b->kop)
		return ktsnap_fail(-EOPNOTSUPP, "no kernel-op callback installed on this bridge");
	err = b->kop(req, &tmp, b->kop_ctx);
	if (err) {
		ktsnap_kernel_op_reply__clear(&tmp);
		if (err > 0)
			err = -EIO;
		return ktsnap_fail(err, "kernel-op callback failed for '%s': %s",
				   req->tag ? req->tag : "", strerror(-err));
	}
	err = ktsnap_bridge__record_kernel_op_reply(b, req->tag ? req->tag : "", &tmp);
	if (err) {
		ktsnap_kernel_op_reply__clear(&tmp);
		return err;
	}
	*reply = tmp;
	return 0;
}

struct kop_lookup {
	const char *tag;
	struct ktsnap_kernel_op_value *out;
};

/* First successful reply under the tag with a read value: copy it out. */
static int kop_lookup(const void *p, void *ctx)
{
	const struct kop_record *rec = p;
	struct kop_lookup *q = ctx;
	int err;

	if (strcmp(rec->tag, q->tag) || !rec->reply.success || !rec->reply.nr_read_values)
		return 0;
	err = ktsnap_kernel_op_value__copy(q->out, &rec->reply.read_values[0]);
	return err ? err : 1; /* found: 1, or the copy's negative errno */
}

int ktsnap_bridge__kernel_op_value(struct ktsnap_bridge *b, const char *tag,
				   struct ktsnap_kernel_op_value *out)
{
	struct kop_lookup q = { .tag = tag, .out = out };
	int ret;

	if (!b || !tag || !out)
		return ktsnap_fail(-EINVAL, "kernel_op_value needs a bridge, a tag and an output");
	ret = ktsnap_log_each(&b->kops, kop_lookup, &q);
	if (!ret)
		return ktsnap_fail(-ENOENT, "no successful kernel-op read logged under '%s'", tag);
	return ret < 0 ? ret : 0;
}

struct ktsnap_kernel_op_log *ktsnap_bridge__drain_kernel_ops(struct ktsnap_bridge *b)
{
	struct ktsnap_kernel_op_log *log;

	if (!b)
		return ktsnap_fail_ptr(-EINVAL, "NULL bridge");
	log = calloc(1, sizeof(*log));
	if (!log)
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	ktsnap_log_take(&b->kops, &log->items);
	return log;
}

size_t ktsnap_kernel_op_log__count(const struct ktsnap_kernel_op_log *log)
{
	return log ? log->items.nr : 0;
}

static const struct kop_record *kop_at(const struct ktsnap_kernel_op_log *log, size_t i)
{
	if (!ktsnap_index_ok(i, ktsnap_kernel_op_log__count(log), "kernel-op log record"))
		return NULL;
	return ktsnap_log_items_at(&log->items, i);
}

const char *ktsnap_kernel_op_log__tag(const struct ktsnap_kernel_op_log *log, size_t i)
{
	const struct kop_record *rec = kop_at(log, i);

	return rec ? rec->tag : NULL;
}

const struct ktsnap_kernel_op_reply *
ktsnap_kernel_op_log__reply(const struct ktsnap_kernel_op_log *log, size_t i)
{
	const struct kop_record *rec = kop_at(log, i);

	return rec ? &rec->reply : NULL;
}

void ktsnap_kernel_op_log__free(struct ktsnap_kernel_op_log *log)
{
	if (!log)
		return;
	ktsnap_log_items_release(&log->items);
	free(log);
}

/* ---- cgroup.procs log ------------------------------------------------------------------ */
/* One allocation: the record, then the pids, then the two strings. */
static struct ktsnap_cgroup_procs *cg_new(const char *tag, const char *cgroup, const int32_t *pids,
					  size_t nr_pids)
{
	size_t tlen = strlen(tag) + 1, clen = strlen(cgroup) + 1;
	struct ktsnap_cgroup_procs *p;
	int32_t *pp;
	char *s;

	if (nr_pids > (SIZE_MAX - sizeof(*p) - tlen - clen) / sizeof(int32_t))
		return NULL;
	p = malloc(sizeof(*p) + nr_pids * sizeof(int32_t) + tlen + clen);
	if (!p)
		return NULL;
	pp = (int32_t *)(p + 1);
	if (nr_pids)
		memcpy(pp, pids, nr_pids * sizeof(int32_t));
	s = (char *)(pp + nr_pids);
	memcpy(s, tag, tlen);
	p->tag = s;
	s += tlen;
	memcpy(s, cgroup, clen);
	p->cgroup = s;
	p->pids = pp;
	p->nr_pids = nr_pids;
	return p;
}

int ktsnap_bridge__record_cgroup_procs(struct ktsnap_bridge *b, const char *tag, const char *cgroup,
				       const int32_t *pids, size_t nr_pids)
{
	struct ktsnap_cgroup_procs *p;

	if (!b || !tag || !cgroup || (nr_pids && !pids))
		return ktsnap_fail(-EINVAL,
				   "record_cgroup_procs needs a bridge, tag, cgroup and pids");
	p = cg_new(tag, cgroup, pids, nr_pids);
	if (!p)
		return ktsnap_fail(-ENOMEM, "out of memory");
	if (ktsnap_log_append(&b->cgs, &p)) {
		free(p);
		return ktsnap_fail(-ENOMEM, "out of memory");
	}
	return 0;
}

struct cg_lookup {
	const char *tag;
	struct ktsnap_cgroup_procs *copy;
};

/* First record under the tag: copy it out (1 = found). */
static int cg_lookup(const void *rec, void *ctx)
{
	const struct ktsnap_cgroup_procs *p = *(struct ktsnap_cgroup_procs *const *)rec;
	struct cg_lookup *q = ctx;

	if (strcmp(p->tag, q->tag))
		return 0;
	q->copy = cg_new(p->tag, p->cgroup, p->pids, p->nr_pids);
	return 1;
}

struct ktsnap_cgroup_procs *ktsnap_bridge__cgroup_procs_by_tag(struct ktsnap_bridge *b,
							       const char *tag)
{
	struct cg_lookup q = { .tag = tag };

	if (!b || !tag)
		return ktsnap_fail_ptr(-EINVAL, "NULL bridge or tag");
	if (!ktsnap_log_each(&b->cgs, cg_lookup, &q))
		return ktsnap_fail_ptr(-ENOENT, "no cgroup.procs record under '%s'", tag);
	if (!q.copy)
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	return q.copy;
}

void ktsnap_cgroup_procs__free(struct ktsnap_cgroup_procs *p)
{
	free(p);
}

struct ktsnap_cgroup_procs_log *ktsnap_bridge__drain_cgroup_procs(struct ktsnap_bridge *b)
{
	struct ktsnap_cgroup_procs_log *log;

	if (!b)
		return ktsnap_fail_ptr(-EINVAL, "NULL bridge");
	log = calloc(1, sizeof(*log));
	if (!log)
		return ktsnap_fail_ptr(-ENOMEM, "out of memory");
	ktsnap_log_take(&b->cgs, &log->items);
	return log;
}

size_t ktsnap_cgroup_procs_log__count(const struct ktsnap_cgroup_procs_log *log)
{
	return log ? log->items.nr : 0;
}

const struct ktsnap_cgroup_procs *
ktsnap_cgroup_procs_log__at(const struct ktsnap_cgroup_procs_log *log, size_t i)
{
	struct ktsnap_cgroup_procs **rec;

	if (!ktsnap_index_ok(i, ktsnap_cgroup_procs_log__count(log), "cgroup.procs log record"))
		return NULL;
	rec = ktsnap_log_items_at(&log->items, i);
	return *rec;
}

void ktsnap_cgroup_procs_log__free(struct ktsnap_cgroup_procs_log *log)
{
	if (!log)
		return;
	ktsnap_log_items_release(&log->items);
	free(log);
}
