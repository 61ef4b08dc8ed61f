// SPDX-License-Identifier: MIT
/*
 * json_plan: a BTF type compiled once into "text, number at offset, text…",
 * so the JSON of a value can be written straight from its raw bytes.
 *
 * Only the shapes that make up nearly all of a big map are compiled: plain
 * integers (int, uint, bool, char) and structs of them, nested.  Anything
 * else (enums, floats, pointers, arrays, unions, bitfields, cpumasks, odd
 * names) is not compiled and the caller renders the value as usual.  The
 * text produced is exactly what render.c + json_write.c produce for the
 * same bytes (test_capture checks this on real captures).
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

enum op_kind { OP_TEXT, OP_UINT, OP_INT, OP_BOOL };

struct op {
	enum op_kind kind;
	uint32_t off;		/* number ops: byte offset in the value */
	uint8_t size;		/* bytes to load */
	uint8_t bits;		/* value bits (masking / sign extension) */
	uint32_t text;		/* OP_TEXT: offset into plan->text */
	uint32_t len;		/* OP_TEXT: length */
};

struct json_plan {
	struct op *ops;
	size_t nr, cap;
	char *text;
	size_t text_len, text_cap;
	bool failed;
};

#define PLAN_MAX_DEPTH 8
#define PLAN_MAX_OPS 4096

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

static bool compile(struct json_plan *p, const struct btf *btf, uint32_t id, uint32_t off,
		    int depth)
{
	const struct btf_type *t;
	const char *name;
	char num[16];
	int i;

	if (!id || depth > PLAN_MAX_DEPTH || !(t = ktsnap_btf_peel(btf, &id)))
		return false;
	name = btf__name_by_offset(btf, t->name_off);
	if (!name)
		name = "";

	if (btf_is_int(t)) {
		unsigned bits = btf_int_bits(t);
		enum ktsnap_int_shape shape;

		if (btf_int_offset(t) || bits > 64 || t->size > 8 || !bits)
			return false;
		shape = ktsnap_btf_int_shape(t, bits, name);
		if (shape == KTSNAP_INT_BOOL) {
			add_str(p, "{\"kind\":\"bool\",\"value\":");
			add_op(p, (struct op){ .kind = OP_BOOL, .off = off, .size = t->size });
		} else if (shape == KTSNAP_INT_CHAR) {
			add_str(p, "{\"kind\":\"char\",\"value\":");
			add_op(p, (struct op){ .kind = OP_UINT, .off = off, .size = 1, .bits = 8 });
		} else {
			bool is_signed = shape == KTSNAP_INT_SIGNED;

			snprintf(num, sizeof(num), "%u", bits);
			add_str(p, is_signed ? "{\"kind\":\"int\",\"bits\":"
					     : "{\"kind\":\"uint\",\"bits\":");
			add_str(p, num);
			add_str(p, ",\"value\":");
			add_op(p, (struct op){ .kind = is_signed ? OP_INT : OP_UINT, .off = off,
					       .size = t->size, .bits = bits });
		}
		add_str(p, "}");
		return true;
	}
	if (btf_kind(t) != BTF_KIND_STRUCT || !plain_name(name) || ktsnap_btf_is_cpumask(name))
		return false;

	add_str(p, "{\"kind\":\"struct\",");
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
		__s64 msz = btf__resolve_size(btf, m->type);

		if (!mn || !plain_name(mn) || btf_member_bitfield_size(t, i) || bit_off % 8 ||
		    msz < 0 || bit_off / 8 + (uint64_t)msz > t->size)
			return false;
		add_str(p, i ? ",{\"name\":\"" : "{\"name\":\"");
		add_str(p, mn);
		add_str(p, "\",\"value\":");
		if (!compile(p, btf, m->type, off + bit_off / 8, depth + 1))
			return false;
		add_str(p, "}");
	}
	add_str(p, "]}");
	return true;
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
	if (!t || btf__resolve_size(btf, id) != (__s64)size ||
	    !compile(p, btf, type_id, 0, 0) || p->failed) {
		json_plan_free(p);
		return NULL;
	}
	return p;
}

void json_plan_free(struct json_plan *p)
{
	if (!p)
		return;
	free(p->ops);
	free(p->text);
	free(p);
}

void json_plan_write(const struct json_plan *p, struct json_writer *w, const uint8_t *data)
{
	size_t i;

	jw__pre_item(w);
	for (i = 0; i < p->nr; i++) {
		const struct op *op = &p->ops[i];
		uint64_t v = 0;

		if (op->kind == OP_TEXT) {
			jw__put(w, p->text + op->text, op->len);
			continue;
		}
		memcpy(&v, data + op->off, op->size);
		switch (op->kind) {
		case OP_BOOL:
			if (v)
				jw__put(w, "true", 4);
			else
				jw__put(w, "false", 5);
			break;
		case OP_UINT:
			if (op->bits < 64)
				v &= (1ULL << op->bits) - 1;
			jw__put_u64(w, false, v);
			break;
		case OP_INT: {
			int64_t s = op->bits < 64 ? (int64_t)(v << (64 - op->bits)) >> (64 - op->bits)
						  : (int64_t)v;

			jw__put_u64(w, s < 0, s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s);
			break;
		}
		default:
			break;
		}
	}
}
