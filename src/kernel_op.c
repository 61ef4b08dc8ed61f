// SPDX-License-Identifier: MIT
/*
 * kernel_op: the kernel-op request and reply payload records (spec §10.5)
 * — their names, deep copies, setters, equality and release.  Storing and
 * logging them is the bridge's business (bridge_log.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/kernel_op.h>

#include "log_internal.h"
#include "util_internal.h"

const char *ktsnap_kernel_op_target_kind__name(enum ktsnap_kernel_op_target_kind k)
{
	switch (k) {
	case KTSNAP_KERNEL_OP_TARGET_SYMBOL:
		return "Symbol";
	case KTSNAP_KERNEL_OP_TARGET_DIRECT:
		return "Direct";
	case KTSNAP_KERNEL_OP_TARGET_KVA:
		return "Kva";
	case KTSNAP_KERNEL_OP_TARGET_PER_CPU_FIELD:
		return "PerCpuField";
	case KTSNAP_KERNEL_OP_TARGET_TASK_FIELD:
		return "TaskField";
	}
	return "Unknown";
}

const char *ktsnap_kernel_op_value_kind__name(enum ktsnap_kernel_op_value_kind k)
{
	switch (k) {
	case KTSNAP_KERNEL_OP_VALUE_U32:
		return "U32";
	case KTSNAP_KERNEL_OP_VALUE_U64:
		return "U64";
	case KTSNAP_KERNEL_OP_VALUE_BYTES:
		return "Bytes";
	case KTSNAP_KERNEL_OP_VALUE_OR_U32:
		return "OrU32";
	}
	return "Unknown";
}

/* ---- values ------------------------------------------------------------------ */
int ktsnap_kernel_op_value__set_bytes(struct ktsnap_kernel_op_value *v, const void *data,
				      size_t len)
{
	uint8_t *p;

	if (!v)
		return ktsnap_fail(-EINVAL, "kernel-op value set_bytes needs a value");
	p = calloc(1, len ? len : 1);
	if (!p)
		return ktsnap_fail(-ENOMEM, "out of memory");
	if (data && len)
		memcpy(p, data, len);
	memset(v, 0, sizeof(*v));
	v->kind = KTSNAP_KERNEL_OP_VALUE_BYTES;
	v->bytes.data = p;
	v->bytes.len = len;
	return 0;
}

int ktsnap_kernel_op_value__copy(struct ktsnap_kernel_op_value *dst,
				 const struct ktsnap_kernel_op_value *src)
{
	if (!dst || !src)
		return ktsnap_fail(-EINVAL,
				   "kernel-op value copy needs a destination and a source");
	if (src->kind == KTSNAP_KERNEL_OP_VALUE_BYTES)
		return ktsnap_kernel_op_value__set_bytes(dst, src->bytes.data, src->bytes.len);
	*dst = *src;
	return 0;
}

void ktsnap_kernel_op_value__clear(struct ktsnap_kernel_op_value *v)
{
	if (!v)
		return;
	if (v->kind == KTSNAP_KERNEL_OP_VALUE_BYTES)
		free(v->bytes.data);
	memset(v, 0, sizeof(*v));
}

bool ktsnap_kernel_op_value__equal(const struct ktsnap_kernel_op_value *a,
				   const struct ktsnap_kernel_op_value *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case KTSNAP_KERNEL_OP_VALUE_U32:
	case KTSNAP_KERNEL_OP_VALUE_OR_U32:
		return a->u32 == b->u32;
	case KTSNAP_KERNEL_OP_VALUE_U64:
		return a->u64 == b->u64;
	case KTSNAP_KERNEL_OP_VALUE_BYTES:
		return a->bytes.len == b->bytes.len &&
		       (!a->bytes.len || memcmp(a->bytes.data, b->bytes.data, a->bytes.len) == 0);
	}
	return false;
}

/* ---- targets ------------------------------------------------------------------- */
static int target_fill(struct ktsnap_kernel_op_target *t, const struct ktsnap_kernel_op_target *src)
{
	bool oom = false;

	*t = *src;
	t->symbol = ktsnap_strdup_opt(src->symbol, &oom);
	t->field = ktsnap_strdup_opt(src->field, &oom);
	if (oom) {
		ktsnap_kernel_op_target__clear(t);
		return ktsnap_fail(-ENOMEM, "out of memory");
	}
	return 0;
}

int ktsnap_kernel_op_target__set_symbol(struct ktsnap_kernel_op_target *t, const char *symbol)
{
	struct ktsnap_kernel_op_target src = {
		.kind = KTSNAP_KERNEL_OP_TARGET_SYMBOL,
		.symbol = (char *)symbol,
	};

	if (!t || !symbol)
		return ktsnap_fail(-EINVAL, "kernel-op target needs a target and a symbol");
	return target_fill(t, &src);
}

int ktsnap_kernel_op_target__set_per_cpu_field(struct ktsnap_kernel_op_target *t,
					       const char *symbol, const char *field, uint32_t cpu)
{
	struct ktsnap_kernel_op_target src = {
		.kind = KTSNAP_KERNEL_OP_TARGET_PER_CPU_FIELD,
		.symbol = (char *)symbol,
		.field = (char *)field,
		.cpu = cpu,
	};

	if (!t || !symbol || !field)
		return ktsnap_fail(-EINVAL,
				   "kernel-op target needs a target, a symbol and a field");
	return target_fill(t, &src);
}

int ktsnap_kernel_op_target__set_task_field(struct ktsnap_kernel_op_target *t, uint32_t pid,
					    uint64_t expected_start_time_ns, const char *field)
{
	struct ktsnap_kernel_op_target src = {
		.kind = KTSNAP_KERNEL_OP_TARGET_TASK_FIELD,
		.field = (char *)field,
		.pid = pid,
		.expected_start_time_ns = expected_start_time_ns,
	};

	if (!t || !field)
		return ktsnap_fail(-EINVAL, "kernel-op target needs a target and a field");
	return target_fill(t, &src);
}

int ktsnap_kernel_op_target__copy(struct ktsnap_kernel_op_target *dst,
				  const struct ktsnap_kernel_op_target *src)
{
	if (!dst || !src)
		return ktsnap_fail(-EINVAL,
				   "kernel-op target copy needs a destination and a source");
	return target_fill(dst, src);
}

void ktsnap_kernel_op_target__clear(struct ktsnap_kernel_op_target *t)
{
	if (!t)
		return;
	free(t->symbol);
	free(t->field);
	memset(t, 0, sizeof(*t));
}

bool ktsnap_kernel_op_target__equal(const struct ktsnap_kernel_op_target *a,
				    const struct ktsnap_kernel_op_target *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case KTSNAP_KERNEL_OP_TARGET_SYMBOL:
		return ktsnap_str_eq(a->symbol, b->symbol);
	case KTSNAP_KERNEL_OP_TARGET_DIRECT:
	case KTSNAP_KERNEL_OP_TARGET_KVA:
		return a->addr == b->addr;
	case KTSNAP_KERNEL_OP_TARGET_PER_CPU_FIELD:
		return ktsnap_str_eq(a->symbol, b->symbol) && ktsnap_str_eq(a->field, b->field) &&
		       a->cpu == b->cpu;
	case KTSNAP_KERNEL_OP_TARGET_TASK_FIELD:
		return a->pid == b->pid && a->expected_start_time_ns == b->expected_start_time_ns &&
		       ktsnap_str_eq(a->field, b->field);
	}
	return false;
}

/* ---- requests -------------------------------------------------------------------- */
int ktsnap_kernel_op_request__set_tag(struct ktsnap_kernel_op_request *req, const char *tag)
{
	char *d;

	if (!req || !tag)
		return ktsnap_fail(-EINVAL, "kernel-op request set_tag needs a request and a tag");
	d = strdup(tag);
	if (!d)
		return ktsnap_fail(-ENOMEM, "out of memory");
	free(req->tag);
	req->tag = d;
	return 0;
}

int ktsnap_kernel_op_request__add_entry(struct ktsnap_kernel_op_request *req,
					const struct ktsnap_kernel_op_target *target,
					const struct ktsnap_kernel_op_value *value)
{
	struct ktsnap_kernel_op_entry *e;
	size_t cap;
	int err;

	if (!req || !target || !value)
		return ktsnap_fail(-EINVAL,
				   "kernel-op add_entry needs a request, a target and a value");
	/* Records keep no capacity (a hand-filled one may hold an exact-size
	 * array): grow from the count. */
	cap = req->nr_entries;
	if (KTSNAP_ENSURE(req->entries, cap, req->nr_entries + 1))
		return ktsnap_fail(-ENOMEM, "out of memory");
	e = &req->entries[req->nr_entries];
	err = ktsnap_kernel_op_target__copy(&e->target, target);
	if (err)
		return err;
	err = ktsnap_kernel_op_value__copy(&e->value, value);
	if (err) {
		ktsnap_kernel_op_target__clear(&e->target);
		return err;
	}
	req->nr_entries++;
	return 0;
}

int ktsnap_kernel_op_request__copy(struct ktsnap_kernel_op_request *dst,
				   const struct ktsnap_kernel_op_request *src)
{
	struct ktsnap_kernel_op_request tmp = {};
	size_t i;
	int err;

	if (!dst || !src)
		return ktsnap_fail(-EINVAL,
				   "kernel-op request copy needs a destination and a source");
	tmp.request_id = src->request_id;
	tmp.mode = src->mode;
	tmp.direction = src->direction;
	if (src->tag) {
		err = ktsnap_kernel_op_request__set_tag(&tmp, src->tag);
		if (err)
			goto err_out;
	}
	for (i = 0; i < src->nr_entries; i++) {
		err = ktsnap_kernel_op_request__add_entry(&tmp, &src->entries[i].target,
							  &src->entries[i].value);
		if (err)
			goto err_out;
	}
	*dst = tmp;
	return 0;

err_out:
	ktsnap_kernel_op_request__clear(&tmp);
	return err;
}

void ktsnap_kernel_op_request__clear(struct ktsnap_kernel_op_request *req)
{
	size_t i;

	if (!req)
		return;
	for (i = 0; i < req->nr_entries; i++) {
		ktsnap_kernel_op_target__clear(&req->entries[i].target);
		ktsnap_kernel_op_value__clear(&req->entries[i].value);
	}
	free(req->entries);
	free(req->tag);
	memset(req, 0, sizeof(*req));
}

bool ktsnap_kernel_op_request__equal(const struct ktsnap_kernel_op_request *a,
				     const struct ktsnap_kernel_op_request *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->request_id != b->request_id || a->mode != b->mode || a->direction != b->direction ||
	    !ktsnap_str_eq(a->tag ? a->tag : "", b->tag ? b->tag : "") ||
	    a->nr_entries != b->nr_entries)
		return false;
	for (i = 0; i < a->nr_entries; i++)
		if (!ktsnap_kernel_op_target__equal(&a->entries[i].target, &b->entries[i].target) ||
		    !ktsnap_kernel_op_value__equal(&a->entries[i].value, &b->entries[i].value))
			return false;
	return true;
}

/* ---- replies ------------------------------------------------------------------------ */
int ktsnap_kernel_op_reply__set_reason(struct ktsnap_kernel_op_reply *reply, const char *reason)
{
	char *d = NULL;

	if (!reply)
		return ktsnap_fail(-EINVAL, "kernel-op reply set_reason needs a reply");
	if (reason) {
		d = strdup(reason);
		if (!d)
			return ktsnap_fail(-ENOMEM, "out of memory");
	}
	free(reply->reason);
	reply->reason = d;
	return 0;
}

int ktsnap_kernel_op_reply__push_value(struct ktsnap_kernel_op_reply *reply,
				       const struct ktsnap_kernel_op_value *value)
{
	size_t cap;
	int err;

	if (!reply || !value)
		return ktsnap_fail(-EINVAL, "kernel-op push_value needs a reply and a value");
	cap = reply->nr_read_values; /* no capacity kept: see add_entry */
	if (KTSNAP_ENSURE(reply->read_values, cap, reply->nr_read_values + 1))
		return ktsnap_fail(-ENOMEM, "out of memory");
	err = ktsnap_kernel_op_value__copy(&reply->read_values[reply->nr_read_values], value);
	if (err)
		return err;
	reply->nr_read_values++;
	return 0;
}

int ktsnap_kernel_op_reply__copy(struct ktsnap_kernel_op_reply *dst,
				 const struct ktsnap_kernel_op_reply *src)
{
	struct ktsnap_kernel_op_reply tmp = {};
	size_t i;
	int err;

	if (!dst || !src)
		return ktsnap_fail(-EINVAL,
				   "kernel-op reply copy needs a destination and a source");
	tmp.request_id = src->request_id;
	tmp.success = src->success;
	err = ktsnap_kernel_op_reply__set_reason(&tmp, src->reason);
	if (err)
		goto err_out;
	for (i = 0; i < src->nr_read_values; i++) {
		err = ktsnap_kernel_op_reply__push_value(&tmp, &src->read_values[i]);
		if (err)
			goto err_out;
	}
	*dst = tmp;
	return 0;

err_out:
	ktsnap_kernel_op_reply__clear(&tmp);
	return err;
}

void ktsnap_kernel_op_reply__clear(struct ktsnap_kernel_op_reply *reply)
{
	size_t i;

	if (!reply)
		return;
	for (i = 0; i < reply->nr_read_values; i++)
		ktsnap_kernel_op_value__clear(&reply->read_values[i]);
	free(reply->read_values);
	free(reply->reason);
	memset(reply, 0, sizeof(*reply));
}

bool ktsnap_kernel_op_reply__equal(const struct ktsnap_kernel_op_reply *a,
				   const struct ktsnap_kernel_op_reply *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->request_id != b->request_id || a->success != b->success ||
	    !ktsnap_str_eq(a->reason ? a->reason : "", b->reason ? b->reason : "") ||
	    a->nr_read_values != b->nr_read_values)
		return false;
	for (i = 0; i < a->nr_read_values; i++)
		if (!ktsnap_kernel_op_value__equal(&a->read_values[i], &b->read_values[i]))
			return false;
	return true;
}
