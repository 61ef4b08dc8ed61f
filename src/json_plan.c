// SPDX-License-Identifier: MIT
/*
 * json_plan: a BTF type compiled once into "text, value at offset, text…",
 * so the JSON of a value can be written straight from its raw bytes.
 *
 * The shapes of a scheduler's maps compile: integers (int, uint, bool,
 * char), enums (value, variant name, sign), bitfields of any of those,
 * pointers (address and why not followed), arrays (char arrays included),
 * structs and unions, nested.  Anything else (floats, cpumasks, odd names,
 * __int128, structs the renderer would mark Unsupported) is not compiled
 * and the caller renders the value as usual.  The text produced is
 * exactly what render.c + json_write.c produce for the same bytes
 * (test_capture checks this on real captures of every map shape).
 *
 *   {"kind":"struct","type_name":"t","members":[{"name":"a","value":
 *   ├────────────────────── TEXT ────────────────────────────────────┤
 *   {"kind":"uint","bits":64,"value":  UINT@0/8  }},{"name":"b",…
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "json_plan.h"
#include "render_internal.h"
#include "util_internal.h"

/* A value op reads @bits bits at bit @shift of the @nbytes bytes at @off
 * (little-endian, as render.c reads them) and prints them as @fmt. */
enum op_kind { OP_TEXT, OP_UINT, OP_INT, OP_BOOL, OP_ENUM, OP_PTR };

struct op {
	enum op_kind kind;
	uint32_t off; /* value ops: first byte in the value */
	uint8_t nbytes; /* bytes to load (1..9) */
	uint8_t shift; /* bitfields: bit offset in the first byte */
	uint8_t bits; /* value bits (masking / sign extension); 64: all */
	bool is_signed; /* OP_ENUM */
	uint32_t text; /* OP_TEXT: offset into plan->text; OP_ENUM: enum table */
	uint32_t len; /* OP_TEXT: length */
};

/* An enum's variants in declaration order (the first match names a value). */
struct plan_enum {
	int64_t *vals;
	const char **names; /* borrowed from the BTF */
	uint32_t nr;
};

struct json_plan {
	struct op *ops;
	size_t nr, cap;
	char *text;
	size_t text_len, text_cap;
	struct plan_enum *enums;
	size_t nr_enums, enums_cap;
	size_t max_out; /* most bytes one value can write */
	bool failed;
};

#define PLAN_MAX_DEPTH 8
#define PLAN_MAX_OPS 8192

static void add_op(struct json_plan *p, struct op op)
{
	if (p->failed)
		return;
	if (p->nr == PLAN_MAX_OPS || KTSNAP_ENSURE(p->ops, p->cap, p->nr + 1)) {
		p->failed = true;
		return;
	}
	p->ops[p->nr++] = op;
}

/* Append literal text, merging with a preceding text op. */
static void add_text(struct json_plan *p, const char *s, size_t n)
{
	if (p->failed)
		return;
	if (KTSNAP_ENSURE(p->text, p->text_cap, p->text_len + n)) {
		p->failed = true;
		return;
	}
	memcpy(p->text + p->text_len, s, n);
	if (p->nr && p->ops[p->nr - 1].kind == OP_TEXT)
		p->ops[p->nr - 1].len += n;
	else
		add_op(p, (struct op){ .kind = OP_TEXT, .text = p->text_len, .len = n });
	p->text_len += n;
}

static void add_str(struct json_plan *p, const char *s)
{
	add_text(p, s, strlen(s));
}

/* Names we can copy into JSON verbatim: printable ASCII, no '"' or '\'. */
static bool plain_name(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
			return false;
	return true;
}

static void add_num(struct json_plan *p, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	add_str(p, num);
}

static void add_kind(struct json_plan *p, enum ktsnap_value_kind kind)
{
	add_str(p, "{\"kind\":\"");
	add_str(p, ktsnap_value_kind__tag(kind));
	add_str(p, "\"");
}

/* The variant table of enum @t; false when a name would need escaping. */
static bool add_enum(struct json_plan *p, const struct btf *btf, const struct btf_type *t,
		     uint32_t *index)
{
	struct plan_enum *e;
	uint32_t i, n = btf_vlen(t);

	if (p->failed || KTSNAP_ENSURE(p->enums, p->enums_cap, p->nr_enums + 1)) {
		p->failed = true;
		return false;
	}
	e = &p->enums[p->nr_enums];
	memset(e, 0, sizeof(*e));
	e->vals = calloc(n ? n : 1, sizeof(*e->vals));
	e->names = calloc(n ? n : 1, sizeof(*e->names));
	p->nr_enums++;
	if (!e->vals || !e->names) {
		p->failed = true;
		return false;
	}
	for (i = 0; i < n; i++) {
		uint32_t name_off;

		e->vals[i] = ktsnap_btf_enum_val(t, i, &name_off);
		e->names[i] = btf__name_by_offset(btf, name_off);
		if (!e->names[i])
			e->names[i] = "";
		if (!plain_name(e->names[i]))
			return false;
	}
	e->nr = n;
	*index = (uint32_t)(p->nr_enums - 1);
	return true;
}

/*
 * An enum read as @bits bits: render.c's Enum (bits = the type's width,
 * the value sign-extended or masked, the variant when one matches).
 */
static bool compile_enum(struct json_plan *p, const struct btf *btf, const struct btf_type *t,
			 struct op op)
{
	uint32_t index;

	if (!add_enum(p, btf, t, &index))
		return false;
	add_kind(p, KTSNAP_VALUE_ENUM);
	add_str(p, ",\"bits\":");
	add_num(p, (uint64_t)t->size * 8);
	add_str(p, ",\"value\":");
	op.kind = OP_ENUM;
	op.is_signed = btf_kflag(t);
	op.text = index;
	add_op(p, op);
	if (op.is_signed)
		add_str(p, ",\"is_signed\":true");
	add_str(p, "}");
	return true;
}

/* An integer shape read through @op (its location filled in). */
static void compile_int_shape(struct json_plan *p, enum ktsnap_int_shape shape, unsigned bits,
			      struct op op)
{
	if (shape == KTSNAP_INT_BOOL) {
		add_kind(p, KTSNAP_VALUE_BOOL);
		add_str(p, ",\"value\":");
		op.kind = OP_BOOL;
	} else if (shape == KTSNAP_INT_CHAR) {
		add_kind(p, KTSNAP_VALUE_CHAR);
		add_str(p, ",\"value\":");
		op.kind = OP_UINT;
		op.bits = 8;
	} else {
		add_kind(p, shape == KTSNAP_INT_SIGNED ? KTSNAP_VALUE_INT : KTSNAP_VALUE_UINT);
		add_str(p, ",\"bits\":");
		add_num(p, bits);
		add_str(p, ",\"value\":");
		op.kind = shape == KTSNAP_INT_SIGNED ? OP_INT : OP_UINT;
		op.bits = bits;
	}
	add_op(p, op);
	add_str(p, "}");
}

/* render_member_bitfield(): @bit_sz bits at bit @bit_off of the struct of
 * @struct_size bytes at @base. */
static bool compile_bitfield(struct json_plan *p, const struct btf *btf, uint32_t mtype,
			     uint32_t base, uint32_t struct_size, uint32_t bit_off, uint32_t bit_sz)
{
	uint32_t id = mtype, first = bit_off / 8, last = (bit_off + bit_sz - 1) / 8;
	const struct btf_type *t = ktsnap_btf_peel(btf, &id);
	struct op op = { .off = base + first,
			 .nbytes = (uint8_t)(last - first + 1),
			 .shift = bit_off % 8,
			 .bits = (uint8_t)bit_sz };
	enum ktsnap_int_shape shape;

	/* what render.c marks Unsupported is rendered, not planned */
	if (!t || bit_sz > 64 || last >= struct_size || last - first >= 8)
		return false;
	if (btf_is_enum(t) || btf_is_enum64(t))
		return compile_enum(p, btf, t, op);
	shape = btf_is_int(t) ? ktsnap_btf_int_shape(t, bit_sz, "") : KTSNAP_INT_UNSIGNED;
	/* a char bitfield prints as the number it is */
	compile_int_shape(p, shape == KTSNAP_INT_CHAR ? KTSNAP_INT_UNSIGNED : shape, bit_sz, op);
	return !p->failed;
}

static bool compile(struct json_plan *p, const struct btf *btf, uint32_t id, uint32_t off,
		    int depth);

static bool compile_composite(struct json_plan *p, const struct btf *btf, const struct btf_type *t,
			      const char *name, uint32_t off, int depth)
{
	int i;

	add_kind(p, KTSNAP_VALUE_STRUCT);
	add_str(p, ",");
	if (*name) {
		add_str(p, "\"type_name\":\"");
		add_str(p, name);
		add_str(p, "\",");
	}
	add_str(p, "\"members\":[");
	for (i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *m = btf_members(t) + i;
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint32_t bit_off = btf_member_bit_offset(t, i);
		uint32_t bit_sz = btf_member_bitfield_size(t, i);

		if (!mn || !plain_name(mn))
			return false;
		add_str(p, i ? ",{\"name\":\"" : "{\"name\":\"");
		add_str(p, mn);
		add_str(p, "\",\"value\":");
		if (bit_sz) {
			if (!compile_bitfield(p, btf, m->type, off, t->size, bit_off, bit_sz))
				return false;
		} else {
			__s64 msz = btf__resolve_size(btf, m->type);

			if (bit_off % 8 || msz < 0 || bit_off / 8 + (uint64_t)msz > t->size ||
			    !compile(p, btf, m->type, off + bit_off / 8, depth + 1))
				return false;
		}
		add_str(p, "}");
	}
	add_str(p, "]}");
	return true;
}

static bool compile_array(struct json_plan *p, const struct btf *btf, const struct btf_type *t,
			  uint32_t off, int depth)
{
	const struct btf_array *a = btf_array(t);
	__s64 esz = btf__resolve_size(btf, a->type);
	uint32_t i, stored;

	add_kind(p, KTSNAP_VALUE_ARRAY);
	add_str(p, ",\"len\":");
	add_num(p, a->nelems);
	add_str(p, ",\"elements\":[");
	stored = a->nelems < KTSNAP_MAX_ARRAY_ELEMS ? a->nelems : KTSNAP_MAX_ARRAY_ELEMS;
	for (i = 0; esz > 0 && i < stored && !p->failed; i++) {
		if (i)
			add_str(p, ",");
		if (!compile(p, btf, a->type, off + i * (uint32_t)esz, depth + 1))
			return false;
	}
	add_str(p, "]}");
	return !p->failed;
}

static bool compile(struct json_plan *p, const struct btf *btf, uint32_t id, uint32_t off,
		    int depth)
{
	const struct btf_type *t;
	const char *name;

	if (!id || depth > PLAN_MAX_DEPTH || p->failed || !(t = ktsnap_btf_peel(btf, &id)))
		return false;
	name = btf__name_by_offset(btf, t->name_off);
	if (!name)
		name = "";

	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		unsigned bits = btf_int_bits(t);

		if (btf_int_offset(t) || bits > 64 || t->size > 8 || !bits)
			return false;
		/* a Bool is any non-zero byte pattern: read it unmasked */
		compile_int_shape(
			p, ktsnap_btf_int_shape(t, bits, name), bits,
			(struct op){ .off = off, .nbytes = (uint8_t)t->size, .bits = 64 });
		return !p->failed;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (t->size < 1 || t->size > 8)
			return false;
		return compile_enum(p, btf, t,
				    (struct op){ .off = off,
						 .nbytes = (uint8_t)t->size,
						 .bits = (uint8_t)(t->size * 8) });
	case BTF_KIND_PTR: {
		__s64 sz = btf__resolve_size(btf, id);

		if (sz < 1 || sz > 8)
			return false;
		add_kind(p, KTSNAP_VALUE_PTR);
		add_str(p, ",\"value\":");
		add_op(p, (struct op){
				  .kind = OP_PTR, .off = off, .nbytes = (uint8_t)sz, .bits = 64 });
		add_str(p, "}");
		return !p->failed;
	}
	case BTF_KIND_ARRAY:
		return compile_array(p, btf, t, off, depth);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (!plain_name(name) || ktsnap_btf_is_cpumask(name))
			return false;
		return compile_composite(p, btf, t, name, off, depth);
	default:
		return false;
	}
}

#define VARIANT_HEAD ",\"variant\":\""
#define NOT_FOLLOWED ",\"deref_skipped_reason\":\"" KTSNAP_PTR_NOT_FOLLOWED "\""
#define NUM_MAX 20 /* "-9223372036854775808" */

static size_t max_out(const struct json_plan *p)
{
	size_t i, k, n = 0, longest;

	for (i = 0; i < p->nr; i++) {
		const struct op *op = &p->ops[i];

		switch (op->kind) {
		case OP_TEXT:
			n += op->len;
			break;
		case OP_ENUM:
			longest = 0;
			for (k = 0; k < p->enums[op->text].nr; k++)
				if (strlen(p->enums[op->text].names[k]) > longest)
					longest = strlen(p->enums[op->text].names[k]);
			n += NUM_MAX + sizeof(VARIANT_HEAD) + longest + 1;
			break;
		case OP_PTR:
			n += NUM_MAX + sizeof(NOT_FOLLOWED);
			break;
		default:
			n += NUM_MAX;
			break;
		}
	}
	return n;
}

struct json_plan *json_plan_compile(const struct btf *btf, uint32_t type_id, size_t size)
{
	struct json_plan *p = calloc(1, sizeof(*p));
	uint32_t id = type_id;
	const struct btf_type *t;

	if (!p)
		return NULL;
	/* only whole values: a short byte slice renders as Truncated */
	t = btf ? ktsnap_btf_peel(btf, &id) : NULL;
	if (!t || btf__resolve_size(btf, id) != (__s64)size || !compile(p, btf, type_id, 0, 0) ||
	    p->failed) {
		json_plan_free(p);
		return NULL;
	}
	p->max_out = max_out(p);
	return p;
}

void json_plan_free(struct json_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nr_enums; i++) {
		free(p->enums[i].vals);
		free(p->enums[i].names);
	}
	free(p->enums);
	free(p->ops);
	free(p->text);
	free(p);
}

/* The op's bits, as render.c extracts them (load_uint, shift, mask). */
static uint64_t op_load(const struct op *op, const uint8_t *data)
{
	uint8_t buf[16] = { 0 };
	uint64_t v;

	if (op->nbytes == 8 && !op->shift) {
		memcpy(&v, data + op->off, 8);
		return op->bits < 64 ? v & ((1ULL << op->bits) - 1) : v;
	}
	memcpy(buf, data + op->off, op->nbytes);
	memcpy(&v, buf, 8);
	v >>= op->shift;
	if (op->shift && op->shift + op->bits > 64)
		v |= (uint64_t)buf[8] << (64 - op->shift);
	if (op->bits < 64)
		v &= (1ULL << op->bits) - 1;
	return v;
}

static int64_t op_sext(const struct op *op, uint64_t v)
{
	return op->bits < 64 ? (int64_t)(v << (64 - op->bits)) >> (64 - op->bits) : (int64_t)v;
}

/* Decimal @v (with '-' when @neg) at @d; returns the end. */
static char *put_num(char *d, bool neg, uint64_t v)
{
	char tmp[24], *q = jw__dec_back(tmp + sizeof(tmp), neg, v);
	size_t n = (size_t)(tmp + sizeof(tmp) - q);

	memcpy(d, q, n);
	return d + n;
}

static char *put_i64(char *d, int64_t s)
{
	return put_num(d, s < 0, s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s);
}

static char *put_text(char *d, const char *s, size_t n)
{
	memcpy(d, s, n);
	return d + n;
}

static char *put_enum(const struct json_plan *p, const struct op *op, char *d, uint64_t raw)
{
	const struct plan_enum *e = &p->enums[op->text];
	int64_t v = op->is_signed ? op_sext(op, raw) : (int64_t)raw;
	uint32_t i;

	d = op->is_signed ? put_i64(d, v) : put_num(d, false, (uint64_t)v);
	for (i = 0; i < e->nr; i++) {
		if (e->vals[i] != v)
			continue;
		d = put_text(d, VARIANT_HEAD, sizeof(VARIANT_HEAD) - 1);
		d = put_text(d, e->names[i], strlen(e->names[i]));
		*d++ = '"';
		break;
	}
	return d;
}

/* One value into @d (room for p->max_out bytes); returns the end. */
static char *write_ops(const struct json_plan *p, char *d, const uint8_t *data)
{
	size_t i;

	for (i = 0; i < p->nr; i++) {
		const struct op *op = &p->ops[i];
		uint64_t v;

		if (op->kind == OP_TEXT) {
			d = put_text(d, p->text + op->text, op->len);
			continue;
		}
		v = op_load(op, data);
		switch (op->kind) {
		case OP_BOOL:
			d = v ? put_text(d, "true", 4) : put_text(d, "false", 5);
			break;
		case OP_UINT:
			d = put_num(d, false, v);
			break;
		case OP_INT:
			d = put_i64(d, op_sext(op, v));
			break;
		case OP_ENUM:
			d = put_enum(p, op, d, v);
			break;
		case OP_PTR:
			d = put_num(d, false, v);
			if (v)
				d = put_text(d, NOT_FOLLOWED, sizeof(NOT_FOLLOWED) - 1);
			break;
		default:
			break;
		}
	}
	return d;
}

void json_plan_write(const struct json_plan *p, struct json_writer *w, const uint8_t *data)
{
	char *tmp;

	jw__pre_item(w);
	if (w->cap - w->len < p->max_out)
		jw__spill(w);
	if (w->cap - w->len >= p->max_out) {
		/* the common case: straight into the writer's buffer */
		w->len = (size_t)(write_ops(p, w->buf + w->len, data) - w->buf);
		return;
	}
	/* a value bigger than the whole buffer */
	tmp = malloc(p->max_out);
	if (!tmp) {
		if (!w->err)
			w->err = -ENOMEM;
		return;
	}
	jw__put(w, tmp, (size_t)(write_ops(p, tmp, data) - tmp));
	free(tmp);
}
