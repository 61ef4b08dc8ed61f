/* SPDX-License-Identifier: MIT */
/*
 * Kernel-memory op payloads (spec §10.5): the request a scenario sends to
 * read or write kernel memory and the reply it gets back.  Plain tagged
 * records; the wire encoding lives elsewhere.
 *
 * Ownership: a record produced by a ktsnap function (a __copy, a setter,
 * a bridge drain or lookup) owns its strings and arrays on the heap and is
 * released with its __clear function.  A record filled by hand may point
 * at memory the caller manages, and must then not be passed to __clear;
 * every function that stores a record (the bridge) deep-copies it.
 *
 *   request ─┬─ tag
 *            └─ entries[nr_entries] ── { target (tagged), value (tagged) }
 *   reply ───┬─ reason
 *            └─ read_values[nr_read_values] (one per entry for reads)
 */
#ifndef KTSNAP_KERNEL_OP_H
#define KTSNAP_KERNEL_OP_H

#include <ktsnap/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Hot: no freeze.  Cold: run inside one freeze (batched writes land together). */
enum ktsnap_kernel_op_mode {
	KTSNAP_KERNEL_OP_HOT = 0,
	KTSNAP_KERNEL_OP_COLD = 1,
};

enum ktsnap_kernel_op_direction {
	KTSNAP_KERNEL_OP_WRITE = 0,
	KTSNAP_KERNEL_OP_READ = 1,
};

/* KernelOpTarget variants (the values are the wire variant indices). */
enum ktsnap_kernel_op_target_kind {
	KTSNAP_KERNEL_OP_TARGET_SYMBOL = 0, /* symbol */
	KTSNAP_KERNEL_OP_TARGET_DIRECT = 1, /* addr: KVA in the direct map */
	KTSNAP_KERNEL_OP_TARGET_KVA = 2, /* addr: KVA, page-table walk */
	KTSNAP_KERNEL_OP_TARGET_PER_CPU_FIELD = 3, /* symbol, field, cpu */
	KTSNAP_KERNEL_OP_TARGET_TASK_FIELD = 4, /* pid, expected_start_time_ns, field */
};

struct ktsnap_kernel_op_target {
	enum ktsnap_kernel_op_target_kind kind;
	char *symbol; /* SYMBOL, PER_CPU_FIELD */
	char *field; /* PER_CPU_FIELD, TASK_FIELD */
	uint64_t addr; /* DIRECT, KVA */
	uint32_t cpu; /* PER_CPU_FIELD */
	uint32_t pid; /* TASK_FIELD */
	uint64_t expected_start_time_ns; /* TASK_FIELD */
};

/* KernelOpValue variants.  For reads the value is a width hint. */
enum ktsnap_kernel_op_value_kind {
	KTSNAP_KERNEL_OP_VALUE_U32 = 0,
	KTSNAP_KERNEL_OP_VALUE_U64 = 1,
	KTSNAP_KERNEL_OP_VALUE_BYTES = 2,
	KTSNAP_KERNEL_OP_VALUE_OR_U32 = 3, /* read-modify-write OR mask */
};

struct ktsnap_kernel_op_value {
	enum ktsnap_kernel_op_value_kind kind;
	union {
		uint32_t u32; /* U32, OR_U32 */
		uint64_t u64; /* U64 */
		struct {
			uint8_t *data;
			size_t len;
		} bytes; /* BYTES */
	};
};

struct ktsnap_kernel_op_entry {
	struct ktsnap_kernel_op_target target;
	struct ktsnap_kernel_op_value value;
};

/* KernelOpRequestPayload. */
struct ktsnap_kernel_op_request {
	uint32_t request_id;
	enum ktsnap_kernel_op_mode mode;
	enum ktsnap_kernel_op_direction direction;
	char *tag;
	struct ktsnap_kernel_op_entry *entries;
	size_t nr_entries;
};

/* KernelOpReplyPayload. */
struct ktsnap_kernel_op_reply {
	uint32_t request_id;
	bool success;
	char *reason; /* NULL reads as "" */
	struct ktsnap_kernel_op_value *read_values;
	size_t nr_read_values;
};

/* "Symbol", "Direct", "Kva", "PerCpuField", "TaskField".  Static. */
KTSNAP_API const char *ktsnap_kernel_op_target_kind__name(enum ktsnap_kernel_op_target_kind k);
/* "U32", "U64", "Bytes", "OrU32".  Static. */
KTSNAP_API const char *ktsnap_kernel_op_value_kind__name(enum ktsnap_kernel_op_value_kind k);

/* ---- values ---------------------------------------------------------------- */
static inline struct ktsnap_kernel_op_value ktsnap_kernel_op_value_u32(uint32_t v)
{
	return (struct ktsnap_kernel_op_value){ .kind = KTSNAP_KERNEL_OP_VALUE_U32, .u32 = v };
}

static inline struct ktsnap_kernel_op_value ktsnap_kernel_op_value_u64(uint64_t v)
{
	return (struct ktsnap_kernel_op_value){ .kind = KTSNAP_KERNEL_OP_VALUE_U64, .u64 = v };
}

static inline struct ktsnap_kernel_op_value ktsnap_kernel_op_value_or_u32(uint32_t mask)
{
	return (struct ktsnap_kernel_op_value){ .kind = KTSNAP_KERNEL_OP_VALUE_OR_U32,
						.u32 = mask };
}

/* Make @v a BYTES value holding a heap copy of @len bytes at @data (zeros
 * when @data is NULL: the width hint of a read).  0, -EINVAL, -ENOMEM. */
KTSNAP_API int ktsnap_kernel_op_value__set_bytes(struct ktsnap_kernel_op_value *v, const void *data,
						 size_t len);
/* Deep copy into @dst (overwritten, not cleared first).  0, -EINVAL, -ENOMEM. */
KTSNAP_API int ktsnap_kernel_op_value__copy(struct ktsnap_kernel_op_value *dst,
					    const struct ktsnap_kernel_op_value *src);
/* Release what @v owns and zero it.  Accepts NULL. */
KTSNAP_API void ktsnap_kernel_op_value__clear(struct ktsnap_kernel_op_value *v);
KTSNAP_API bool ktsnap_kernel_op_value__equal(const struct ktsnap_kernel_op_value *a,
					      const struct ktsnap_kernel_op_value *b);

/* ---- targets ---------------------------------------------------------------- */
static inline struct ktsnap_kernel_op_target ktsnap_kernel_op_target_direct(uint64_t kva)
{
	return (struct ktsnap_kernel_op_target){ .kind = KTSNAP_KERNEL_OP_TARGET_DIRECT,
						 .addr = kva };
}

static inline struct ktsnap_kernel_op_target ktsnap_kernel_op_target_kva(uint64_t kva)
{
	return (struct ktsnap_kernel_op_target){ .kind = KTSNAP_KERNEL_OP_TARGET_KVA, .addr = kva };
}

/* Setters overwrite @t (without clearing it first) with heap copies of the
 * strings.  0, -EINVAL, -ENOMEM (then @t is left zeroed). */
KTSNAP_API int ktsnap_kernel_op_target__set_symbol(struct ktsnap_kernel_op_target *t,
						   const char *symbol);
KTSNAP_API int ktsnap_kernel_op_target__set_per_cpu_field(struct ktsnap_kernel_op_target *t,
							  const char *symbol, const char *field,
							  uint32_t cpu);
KTSNAP_API int ktsnap_kernel_op_target__set_task_field(struct ktsnap_kernel_op_target *t,
						       uint32_t pid,
						       uint64_t expected_start_time_ns,
						       const char *field);
KTSNAP_API int ktsnap_kernel_op_target__copy(struct ktsnap_kernel_op_target *dst,
					     const struct ktsnap_kernel_op_target *src);
KTSNAP_API void ktsnap_kernel_op_target__clear(struct ktsnap_kernel_op_target *t);
KTSNAP_API bool ktsnap_kernel_op_target__equal(const struct ktsnap_kernel_op_target *a,
					       const struct ktsnap_kernel_op_target *b);

/* ---- requests ----------------------------------------------------------------- */
/* Replace the tag with a heap copy of @tag.  0, -EINVAL, -ENOMEM. */
KTSNAP_API int ktsnap_kernel_op_request__set_tag(struct ktsnap_kernel_op_request *req,
						 const char *tag);
/* Append a deep copy of (@target, @value).  0, -EINVAL, -ENOMEM. */
KTSNAP_API int ktsnap_kernel_op_request__add_entry(struct ktsnap_kernel_op_request *req,
						   const struct ktsnap_kernel_op_target *target,
						   const struct ktsnap_kernel_op_value *value);
KTSNAP_API int ktsnap_kernel_op_request__copy(struct ktsnap_kernel_op_request *dst,
					      const struct ktsnap_kernel_op_request *src);
KTSNAP_API void ktsnap_kernel_op_request__clear(struct ktsnap_kernel_op_request *req);
KTSNAP_API bool ktsnap_kernel_op_request__equal(const struct ktsnap_kernel_op_request *a,
						const struct ktsnap_kernel_op_request *b);

/* ---- replies -------------------------------------------------------------------- */
/* Replace the reason with a heap copy of @reason (NULL clears it). */
KTSNAP_API int ktsnap_kernel_op_reply__set_reason(struct ktsnap_kernel_op_reply *reply,
						  const char *reason);
/* Append a deep copy of @value to read_values.  0, -EINVAL, -ENOMEM. */
KTSNAP_API int ktsnap_kernel_op_reply__push_value(struct ktsnap_kernel_op_reply *reply,
						  const struct ktsnap_kernel_op_value *value);
KTSNAP_API int ktsnap_kernel_op_reply__copy(struct ktsnap_kernel_op_reply *dst,
					    const struct ktsnap_kernel_op_reply *src);
KTSNAP_API void ktsnap_kernel_op_reply__clear(struct ktsnap_kernel_op_reply *reply);
KTSNAP_API bool ktsnap_kernel_op_reply__equal(const struct ktsnap_kernel_op_reply *a,
					      const struct ktsnap_kernel_op_reply *b);

#ifdef __cplusplus
}
#endif
#endif /* KTSNAP_KERNEL_OP_H */
