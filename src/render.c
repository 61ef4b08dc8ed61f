// SPDX-License-Identifier: MIT
/*
 * render: raw bytes + a BTF type id → the value tree of spec §4.1.
 *
 * Modifiers (typedef/const/volatile/restrict/type tag) are peeled up to
 * KTSNAP_MAX_MODIFIER_DEPTH; aggregates nest up to KTSNAP_MAX_RENDER_DEPTH;
 * arrays keep their declared length but store at most
 * KTSNAP_MAX_ARRAY_ELEMS elements.  Bitfields become numbers.  Pointers
 * keep their address; a live host has no kernel-memory reader, so a
 * non-NULL pointer says why it was not followed.
 *
 * Captured maps are rendered lazily under the report's render lock
 * (ktsnap_map_ensure_rendered) into the map's own arena, which the owner
 * of the report may drop (ktsnap_map_release_rendered) to render again on
 * the next access: a sample series does that after each projection.
 * Lookups on big maps render only the entries they return
 * (ktsnap_map_entry_rendered), into the same arena.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "render_internal.h"
#include "log_internal.h"

/* Struct infos (type and member names) shared by every instance of a BTF
 * struct type that one render context makes. */
#define INFO_CACHE 32

struct render_ctx {
	struct ktsnap_arena *a; /* where the tree goes */
	const struct btf *btf;
	struct ktsnap_arena *flat; /* non-NULL: plain-integer arrays stay flat,
				    * their nodes made in this arena on demand */
	bool oom;
	uint32_t nr_infos;
	struct {
		uint32_t id;
		const struct ktsnap_struct_info *info;
	} infos[INFO_CACHE];
};

static void *ralloc(struct render_ctx *c, size_t n)
{
	void *p = ktsnap_arena_alloc(c->a, n);

	if (!p)
		c->oom = true;
	return p;
}

static void set_unsupported(struct render_ctx *c, struct ktsnap_value *out, const char *fmt,
			    const char *arg)
{
	const char *s = ktsnap_arena_printf(c->a, fmt, arg ? arg : "");

	if (!s) {
		c->oom = true;
		s = "out of memory";
	}
	ktsnap_value_set_str(out, KTSNAP_VALUE_UNSUPPORTED, s);
}

static void set_bytes(struct render_ctx *c, struct ktsnap_value *out, const uint8_t *data,
		      size_t size)
{
	const char *s = ktsnap_hex_string(c->a, data, size);

	if (!s) {
		c->oom = true;
		s = "";
	}
	ktsnap_value_set_str(out, KTSNAP_VALUE_BYTES, s);
}

/* Little-endian load of 1..8 bytes (BPF maps are host-endian; the
 * machines we target are little-endian). */
static uint64_t load_uint(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, p, n > 8 ? 8 : n);
	return v;
}

static int64_t sign_extend(uint64_t v, unsigned bits)
{
	if (bits == 0 || bits >= 64)
		return (int64_t)v;
	return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

static const char *btf_name(const struct btf *btf, uint32_t off)
{
	const char *s = btf__name_by_offset(btf, off);

	return s ? s : "";
}

const struct btf_type *ktsnap_btf_peel(const struct btf *btf, uint32_t *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);
	int depth = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t) || btf_kind(t) == BTF_KIND_TYPE_TAG)) {
		if (++depth > KTSNAP_MAX_MODIFIER_DEPTH)
			return NULL;
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

enum ktsnap_int_shape ktsnap_btf_int_shape(const struct btf_type *t, unsigned bits,
					   const char *name)
{
	uint8_t enc = btf_int_encoding(t);

	if (enc & BTF_INT_BOOL)
		return KTSNAP_INT_BOOL;
	/* clang encodes plain `char` as a signed 8-bit INT named "char";
	 * treat it as the character type it is. */
	if ((enc & BTF_INT_CHAR) || (bits == 8 && !strcmp(name, "char")))
		return KTSNAP_INT_CHAR;
	return enc & BTF_INT_SIGNED ? KTSNAP_INT_SIGNED : KTSNAP_INT_UNSIGNED;
}

bool ktsnap_btf_is_cpumask(const char *name)
{
	return !strcmp(name, "cpumask") || !strcmp(name, "bpf_cpumask") ||
	       !strcmp(name, "scx_bitmap");
}

static void render_type(struct render_ctx *c, uint32_t id, const uint8_t *data, size_t size,
			int depth, struct ktsnap_value *out);

static void render_int_bits(struct ktsnap_value *out, const struct btf_type *t, uint64_t raw,
			    unsigned bits, const char *name)
{
	enum ktsnap_int_shape shape = ktsnap_btf_int_shape(t, bits, name);

	if (shape == KTSNAP_INT_BOOL)
		ktsnap_value_set_bool(out, raw != 0);
	else if (shape == KTSNAP_INT_CHAR)
		ktsnap_value_set_char(out, (uint8_t)raw);
	else if (shape == KTSNAP_INT_SIGNED)
		ktsnap_value_set_int(out, bits, sign_extend(raw, bits));
	else
		ktsnap_value_set_uint(out, bits, bits < 64 ? raw & ((1ULL << bits) - 1) : raw);
}

static void render_int(struct render_ctx *c, const struct btf_type *t, const uint8_t *data,
		       struct ktsnap_value *out)
{
	unsigned bits = btf_int_bits(t), off = btf_int_offset(t);
	uint64_t raw;

	if (bits + off > 64) {
		/* __int128 and friends: no 64-bit value can hold them. */
		set_bytes(c, out, data, t->size);
		return;
	}
	raw = load_uint(data, t->size) >> off;
	render_int_bits(out, t, raw, bits, btf_name(c->btf, t->name_off));
}

int64_t ktsnap_btf_enum_val(const struct btf_type *t, uint32_t i, uint32_t *name_off)
{
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t) + i;

		*name_off = e->name_off;
		return btf_kflag(t) ? (int64_t)e->val : (int64_t)(uint32_t)e->val;
	}
	*name_off = btf_enum64(t)[i].name_off;
	return (int64_t)btf_enum64_value(btf_enum64(t) + i);
}

static const char *enum_variant(const struct btf *btf, const struct btf_type *t, int64_t v)
{
	uint32_t i, n = btf_vlen(t), name_off;

	for (i = 0; i < n; i++)
		if (ktsnap_btf_enum_val(t, i, &name_off) == v)
			return btf_name(btf, name_off);
	return NULL;
}

/* An enum value from @raw (already shifted); @bits is the width read. */
static void render_enum_raw(struct render_ctx *c, const struct btf_type *t, uint64_t raw,
			    unsigned bits, struct ktsnap_value *out)
{
	bool is_signed = btf_kflag(t);
	int64_t v = is_signed ? sign_extend(raw, bits) :
				(int64_t)(bits < 64 ? raw & ((1ULL << bits) - 1) : raw);

	if (ktsnap_value_set_enum(c->a, out, t->size * 8, is_signed, v, enum_variant(c->btf, t, v)))
		c->oom = true;
}

/* "0-2,5" from a little-endian bitmap of @size bytes. */
static void render_cpulist(struct render_ctx *c, const uint8_t *data, size_t size,
			   struct ktsnap_value *out)
{
	size_t nbits = size * 8, i, len = 0, cap = 64;
	char *s = ralloc(c, cap);
	bool first = true;

	ktsnap_value_set_str(out, KTSNAP_VALUE_CPU_LIST, "");
	if (!s)
		return;
	for (i = 0; i < nbits;) {
		size_t j;
		char buf[48];
		int n;

		if (!(data[i / 8] & (1u << (i % 8)))) {
			i++;
			continue;
		}
		for (j = i; j + 1 < nbits && (data[(j + 1) / 8] & (1u << ((j + 1) % 8))); j++)
			;
		if (j == i)
			n = snprintf(buf, sizeof(buf), "%s%zu", first ? "" : ",", i);
		else
			n = snprintf(buf, sizeof(buf), "%s%zu-%zu", first ? "" : ",", i, j);
		if (len + n + 1 > cap) {
			char *ns = ralloc(c, cap * 2 + n);

			if (!ns)
				return;
			memcpy(ns, s, len);
			s = ns;
			cap = cap * 2 + n;
		}
		memcpy(s + len, buf, n);
		len += n;
		s[len] = '\0';
		first = false;
		i = j + 1;
	}
	out->str = s;
}

static void render_member_bitfield(struct render_ctx *c, uint32_t mtype, const uint8_t *base,
				   size_t size, uint32_t bit_off, uint32_t bit_sz,
				   struct ktsnap_value *out)
{
	uint32_t id = mtype;
	const struct btf_type *t = ktsnap_btf_peel(c->btf, &id);
	uint32_t first = bit_off / 8, last = (bit_off + bit_sz - 1) / 8;
	uint8_t buf[16] = {};
	uint64_t raw;

	if (!t) {
		set_unsupported(c, out, "modifier chain deeper than 32%s", NULL);
		return;
	}
	if (last >= size || last - first >= 8) {
		set_unsupported(c, out, "bitfield outside the value%s", NULL);
		return;
	}
	memcpy(buf, base + first, last - first + 1);
	raw = load_uint(buf, 8);
	raw >>= bit_off % 8;
	if ((bit_off % 8) + bit_sz > 64)
		raw |= (uint64_t)buf[8] << (64 - bit_off % 8);
	if (bit_sz < 64)
		raw &= (1ULL << bit_sz) - 1;
	if (btf_is_enum(t) || btf_is_enum64(t)) {
		render_enum_raw(c, t, raw, bit_sz, out);
		return;
	}
	if (btf_is_int(t)) {
		render_int_bits(out, t, raw, bit_sz, "");
		if (out->kind == KTSNAP_VALUE_CHAR)
			ktsnap_value_set_uint(out, bit_sz, raw);
		return;
	}
	ktsnap_value_set_uint(out, bit_sz, raw);
}

/* The shared info (type and member names) of struct type @id, @t. */
static const struct ktsnap_struct_info *struct_info(struct render_ctx *c, uint32_t id,
						    const struct btf_type *t)
{
	const struct btf_member *m = btf_members(t);
	const char *name = btf_name(c->btf, t->name_off);
	struct ktsnap_struct_info *info;
	int i, n = btf_vlen(t);
	uint32_t k;

	for (k = 0; k < c->nr_infos; k++)
		if (c->infos[k].id == id)
			return c->infos[k].info;
	info = ralloc(c, sizeof(*info) + (size_t)n * sizeof(info->names[0]));
	if (!info)
		return NULL;
	info->type_name = *name ? name : NULL;
	for (i = 0; i < n; i++)
		info->names[i] = btf_name(c->btf, m[i].name_off);
	if (c->nr_infos < INFO_CACHE) {
		c->infos[c->nr_infos].id = id;
		c->infos[c->nr_infos++].info = info;
	}
	return info;
}

/* Struct/union whose bytes are all present (or a truncated partial, whose
 * members are a prefix of the type's). */
static void render_struct(struct render_ctx *c, uint32_t id, const struct btf_type *t,
			  const uint8_t *data, size_t size, int depth, struct ktsnap_value *out)
{
	const struct ktsnap_struct_info *info = struct_info(c, id, t);
	const struct btf_member *m = btf_members(t);
	int i, n = btf_vlen(t);
	uint32_t nr = 0;

	if (!info || ktsnap_value_init_struct(c->a, out, info, NULL, n)) {
		c->oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		uint32_t bit_off = btf_member_bit_offset(t, i);
		uint32_t bit_sz = btf_member_bitfield_size(t, i);
		struct ktsnap_value *dst = &out->s->m[nr];

		if (bit_sz) {
			render_member_bitfield(c, m[i].type, data, size, bit_off, bit_sz, dst);
		} else {
			size_t off = bit_off / 8;

			if (off > size) {
				/* Only reachable on a truncated partial. */
				break;
			}
			render_type(c, m[i].type, data + off, size - off, depth + 1, dst);
		}
		nr++;
	}
	out->n = nr;
}

static void render_datasec(struct render_ctx *c, const struct btf_type *t, const uint8_t *data,
			   size_t size, int depth, struct ktsnap_value *out)
{
	const struct btf_var_secinfo *vs = btf_var_secinfos(t);
	const char *name = btf_name(c->btf, t->name_off);
	int i, n = btf_vlen(t);
	uint32_t nr = 0;

	/* variables may be skipped: names of its own */
	if (ktsnap_value_init_struct(c->a, out, NULL, *name ? name : NULL, n)) {
		c->oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		const struct btf_type *var = btf__type_by_id(c->btf, vs[i].type);
		struct ktsnap_value *dst;

		if (!var || vs[i].offset > size)
			continue;
		dst = ktsnap_member_slot(out, nr,
					 btf_is_var(var) ? btf_name(c->btf, var->name_off) : "");
		render_type(c, btf_is_var(var) ? var->type : vs[i].type, data + vs[i].offset,
			    size - vs[i].offset < vs[i].size ? size - vs[i].offset : vs[i].size,
			    depth + 1, dst);
		nr++;
	}
	out->n = nr;
}

/* Whether elements of type @id (@esz bytes) render exactly as a flat array
 * decodes them: whole little-endian integers of 1, 2, 4 or 8 bytes. */
static bool flat_kind(struct render_ctx *c, uint32_t id, __s64 esz, uint8_t *kind)
{
	const struct btf_type *t = ktsnap_btf_peel(c->btf, &id);
	unsigned int bits;

	if (!t || !btf_is_int(t) || btf_int_offset(t) || t->size != esz)
		return false;
	bits = btf_int_bits(t);
	if (bits != t->size * 8 || (bits != 8 && bits != 16 && bits != 32 && bits != 64))
		return false;
	switch (ktsnap_btf_int_shape(t, bits, btf_name(c->btf, t->name_off))) {
	case KTSNAP_INT_BOOL:
		*kind = KTSNAP_VALUE_BOOL;
		break;
	case KTSNAP_INT_CHAR:
		*kind = KTSNAP_VALUE_CHAR;
		break;
	case KTSNAP_INT_SIGNED:
		*kind = KTSNAP_VALUE_INT;
		break;
	default:
		*kind = KTSNAP_VALUE_UINT;
		break;
	}
	return true;
}

static void render_array(struct render_ctx *c, const struct btf_type *t, const uint8_t *data,
			 size_t size, int depth, struct ktsnap_value *out)
{
	const struct btf_array *a = btf_array(t);
	__s64 esz = btf__resolve_size(c->btf, a->type);
	uint32_t n = a->nelems, i, stored = 0;

	if (esz > 0) {
		stored = n < KTSNAP_MAX_ARRAY_ELEMS ? n : KTSNAP_MAX_ARRAY_ELEMS;
		if ((uint64_t)stored * esz > size)
			stored = size / esz;
	}
	if (c->flat && stored && depth < KTSNAP_MAX_RENDER_DEPTH) {
		struct ktsnap_flat_body *b;
		uint8_t kind;

		if (flat_kind(c, a->type, esz, &kind)) {
			b = ralloc(c, sizeof(*b) + (size_t)stored * esz);
			if (!b)
				return;
			b->len = n;
			b->arena = c->flat;
			memcpy(b->raw, data, (size_t)stored * esz);
			*out = (struct ktsnap_value){
				.kind = KTSNAP_VALUE_ARRAY,
				.flags = (uint8_t)(KTSNAP_VF_FLAT | kind << KTSNAP_VF_ELEM_SHIFT),
				.bits = (uint16_t)(esz * 8),
				.n = stored,
				.fa = b
			};
			return;
		}
	}
	/* zero-sized elements (flexible tails) carry no data */
	if (ktsnap_value_init_array(c->a, out, n, stored)) {
		c->oom = true;
		return;
	}
	for (i = 0; i < stored; i++)
		render_type(c, a->type, data + (size_t)i * esz, esz, depth + 1,
			    ktsnap_elem_slot(out, i));
}

static void render_type(struct render_ctx *c, uint32_t id, const uint8_t *data, size_t size,
			int depth, struct ktsnap_value *out)
{
	const struct btf_type *t;
	__s64 need;

	if (depth > KTSNAP_MAX_RENDER_DEPTH) {
		set_unsupported(c, out, "render depth exceeds 32%s", NULL);
		return;
	}
	if (id == 0) {
		set_unsupported(c, out, "void%s", NULL);
		return;
	}
	t = ktsnap_btf_peel(c->btf, &id);
	if (!t) {
		set_unsupported(c, out, "modifier chain deeper than 32%s", NULL);
		return;
	}
	if (btf_is_var(t)) {
		render_type(c, t->type, data, size, depth, out);
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_FUNC:
		set_unsupported(c, out, "FUNC %s", btf_name(c->btf, t->name_off));
		return;
	case BTF_KIND_FUNC_PROTO:
		set_unsupported(c, out, "FUNC_PROTO%s", NULL);
		return;
	case BTF_KIND_FWD:
		set_unsupported(c, out, "unresolved forward declaration %s",
				btf_name(c->btf, t->name_off));
		return;
	default:
		break;
	}

	need = btf_is_datasec(t) ? (__s64)t->size : btf__resolve_size(c->btf, id);
	if (need < 0) {
		set_unsupported(c, out, "type size unresolvable%s", NULL);
		return;
	}
	if ((size_t)need > size) {
		struct ktsnap_value *partial = ralloc(c, sizeof(*partial));

		if (!partial || ktsnap_value_set_truncated(c->a, out, need, size, partial)) {
			c->oom = true;
			return;
		}
		/* What is there: whole members / elements, else the bytes. */
		if (btf_is_composite(t))
			render_struct(c, id, t, data, size, depth, partial);
		else if (btf_is_datasec(t))
			render_datasec(c, t, data, size, depth, partial);
		else if (btf_is_array(t))
			render_array(c, t, data, size, depth, partial);
		else
			set_bytes(c, partial, data, size);
		return;
	}

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		render_int(c, t, data, out);
		break;
	case BTF_KIND_FLOAT: {
		double d;

		if (t->size == 4) {
			float f;

			memcpy(&f, data, 4);
			d = f;
		} else if (t->size == 8) {
			memcpy(&d, data, 8);
		} else {
			long double ld = 0;

			memcpy(&ld, data, t->size < sizeof(ld) ? t->size : sizeof(ld));
			d = (double)ld;
		}
		ktsnap_value_set_float(out, t->size * 8, d);
		break;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		render_enum_raw(c, t, load_uint(data, t->size), t->size * 8, out);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (ktsnap_btf_is_cpumask(btf_name(c->btf, t->name_off))) {
			size_t n = t->size;

			/* bpf_cpumask wraps the mask in its first member */
			if (!strcmp(btf_name(c->btf, t->name_off), "bpf_cpumask") &&
			    btf_vlen(t) > 0) {
				__s64 s = btf__resolve_size(c->btf, btf_members(t)[0].type);

				if (s > 0 && (size_t)s <= n)
					n = s;
			}
			render_cpulist(c, data, n, out);
			break;
		}
		render_struct(c, id, t, data, need, depth, out);
		break;
	case BTF_KIND_DATASEC:
		render_datasec(c, t, data, need, depth, out);
		break;
	case BTF_KIND_ARRAY:
		render_array(c, t, data, need, depth, out);
		break;
	case BTF_KIND_PTR: {
		uint64_t p = load_uint(data, need);

		if (ktsnap_value_set_ptr(c->a, out, p, NULL, p ? KTSNAP_PTR_NOT_FOLLOWED : NULL,
					 NULL))
			c->oom = true;
		break;
	}
	default:
		set_unsupported(c, out, "BTF kind %s",
				btf_kind(t) == BTF_KIND_DECL_TAG ? "DECL_TAG" : "unknown");
		break;
	}
}

/* A new value in @c's arena; NULL on ENOMEM. */
static const struct ktsnap_value *render_value(struct render_ctx *c, const struct btf *btf,
					       uint32_t type_id, const uint8_t *data, size_t size)
{
	struct ktsnap_value *v = ktsnap_arena_alloc(c->a, sizeof(*v));

	if (!v)
		return NULL;
	if (c->btf != btf) {
		c->btf = btf;
		c->nr_infos = 0;
	}
	render_type(c, type_id, data, size, 0, v);
	return c->oom ? NULL : v;
}

const struct ktsnap_value *ktsnap_render(struct ktsnap_report *r, const struct btf *btf,
					 uint32_t type_id, const uint8_t *data, size_t size)
{
	struct render_ctx c = { .a = &r->arena };

	return render_value(&c, btf, type_id, data, size);
}

/* Value side without BTF: the bytes, so nothing captured is lost. */
static const struct ktsnap_value *render_or_bytes(struct render_ctx *c, const struct ktsnap_map *m,
						  const uint8_t *data, size_t size)
{
	struct ktsnap_value *v;
	const char *hex;

	if (m->btf && m->btf_value_type_id)
		return render_value(c, m->btf, m->btf_value_type_id, data, size);
	v = ktsnap_arena_alloc(c->a, sizeof(*v));
	if (!v || !(hex = ktsnap_hex_string(c->a, data, size)))
		return NULL;
	ktsnap_value_set_str(v, KTSNAP_VALUE_BYTES, hex);
	return v;
}

/* String-merge sections (.rodata.str1.1): printable ASCII, rest escaped. */
static const struct ktsnap_value *render_strings(struct ktsnap_arena *a, const uint8_t *data,
						 size_t size)
{
	struct ktsnap_value *v = ktsnap_arena_alloc(a, sizeof(*v));
	char *s, *p;
	size_t i;

	if (!v || !(s = ktsnap_arena_alloc(a, size * 4 + 1)))
		return NULL;
	for (p = s, i = 0; i < size; i++) {
		uint8_t b = data[i];

		if (b == '\\') {
			*p++ = '\\';
			*p++ = '\\';
		} else if (b >= 0x20 && b < 0x7f) {
			*p++ = (char)b;
		} else if (b == 0) {
			*p++ = '\\';
			*p++ = '0';
		} else {
			p += sprintf(p, "\\x%02x", b);
		}
	}
	*p = '\0';
	ktsnap_value_set_str(v, KTSNAP_VALUE_BYTES, s);
	return v;
}

/* One entry with render context @c (see ktsnap_render_entry). */
static int render_entry(struct render_ctx *c, const struct ktsnap_map *m,
			struct ktsnap_map_entry *e)
{
	struct ktsnap_arena *a = c->a;
	uint32_t cpu;

	if (e->key && m->btf && m->btf_key_type_id &&
	    !(e->key_rv = render_value(c, m->btf, m->btf_key_type_id, e->key, e->key_len)))
		return -ENOMEM;
	if (e->percpu) {
		const struct ktsnap_value **slots;

		slots = ktsnap_arena_alloc(a, e->nr_cpus * sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (cpu = 0; cpu < e->nr_cpus; cpu++) {
			slots[cpu] = render_or_bytes(
				c, m, e->percpu + (size_t)cpu * m->percpu_stride, m->value_size);
			if (!slots[cpu])
				return -ENOMEM;
		}
		e->per_cpu = slots;
		return 0;
	}
	if (!e->val)
		return 0;
	if (m->layout == KTSNAP_LAYOUT_HASH && !(m->btf && m->btf_value_type_id))
		return 0; /* value_hex keeps the bytes; no rendering */
	e->val_rv = render_or_bytes(c, m, e->val, e->val_len);
	return e->val_rv ? 0 : -ENOMEM;
}

/*
 * Render one entry's key, value and per-CPU slots into arena @a, setting
 * the rendering pointers of @e (which may be a copy of a map's entry).
 */
int ktsnap_render_entry(const struct ktsnap_map *m, struct ktsnap_map_entry *e,
			struct ktsnap_arena *a)
{
	struct render_ctx c = { .a = a };

	return render_entry(&c, m, e);
}

/* Entries [from, to) of @m into arena @a; 0 or -ENOMEM. */
static int render_entries(struct ktsnap_map *m, struct ktsnap_arena *a, uint32_t from, uint32_t to)
{
	struct render_ctx c = { .a = a, .flat = &m->render_arena };
	uint32_t i;
	int err;

	for (i = from; i < to; i++)
		if ((err = render_entry(&c, m, &m->entries[i])))
			return err;
	return 0;
}

/*
 * Big maps render in two halves at once: the second half on a helper
 * thread into its own arena, spliced into the report's afterwards.  The
 * halves touch disjoint entries and only read the (immutable) BTF.
 */
#define PARALLEL_RENDER_MIN 8192

struct half {
	struct ktsnap_map *m;
	struct ktsnap_arena arena;
	uint32_t from, to;
	int err;
};

static void *render_half(void *arg)
{
	struct half *h = arg;

	h->err = render_entries(h->m, &h->arena, h->from, h->to);
	return NULL;
}

static int render_map(struct ktsnap_map *m)
{
	struct ktsnap_arena *a = &m->render_arena;
	struct render_ctx c = { .a = a, .flat = a };
	struct half h;
	pthread_t t;
	int err;

	if (m->layout == KTSNAP_LAYOUT_VALUE && m->value_raw) {
		m->value = m->render_as_string_bytes ?
				   render_strings(a, m->value_raw, m->value_size) :
				   render_or_bytes(&c, m, m->value_raw, m->value_size);
		return m->value ? 0 : -ENOMEM;
	}
	if (m->nr_entries < PARALLEL_RENDER_MIN)
		return render_entries(m, a, 0, m->nr_entries);

	h = (struct half){ .m = m, .from = m->nr_entries / 2, .to = m->nr_entries };
	ktsnap_arena_init(&h.arena);
	if (pthread_create(&t, NULL, render_half, &h))
		return render_entries(m, a, 0, m->nr_entries);
	err = render_entries(m, a, 0, h.from);
	pthread_join(t, NULL);
	ktsnap_arena_splice(a, &h.arena);
	return err ? err : h.err;
}

/* The body of ktsnap_map_ensure_rendered(), render lock held. */
static void render_locked(struct ktsnap_map *m)
{
	struct ktsnap_report *r = m->owner;

	if (!atomic_load_explicit(&m->rendered, memory_order_relaxed)) {
		if (render_map(m)) {
			pr_warn("map '%s': rendering ran out of memory\n", m->name);
			ktsnap_map_set_error(r, m, "rendering ran out of memory");
			m->render_failed = true;
		}
		atomic_store_explicit(&m->rendered, true, memory_order_release);
	}
}

void ktsnap_map_ensure_rendered(const struct ktsnap_map *cm)
{
	struct ktsnap_map *m = (struct ktsnap_map *)cm;

	if (atomic_load_explicit(&m->rendered, memory_order_acquire))
		return;
	pthread_mutex_lock(&m->owner->render_lock);
	render_locked(m);
	pthread_mutex_unlock(&m->owner->render_lock);
}

/*
 * Single entries of a map not rendered whole (the views' lookups on big
 * maps): each rendered once into the map's arena, found again through an
 * open-addressing table keyed by entry number.  Grown tables stay in the
 * arena (geometric: at most as much again); all of it goes with the
 * map's trees.
 */
struct ktsnap_entry_pick {
	uint32_t slot; /* entry number + 1; 0: empty */
	const struct ktsnap_map_entry *e;
};

#define PICKS_MIN_CAP 64

static struct ktsnap_entry_pick *pick_slot(struct ktsnap_entry_pick *t, uint32_t cap, uint32_t i)
{
	uint32_t h = (i * 2654435761u) & (cap - 1);

	while (t[h].slot && t[h].slot != i + 1)
		h = (h + 1) & (cap - 1);
	return &t[h];
}

/* Room for one more pick; false on ENOMEM. */
static bool picks_reserve(struct ktsnap_map *m)
{
	struct ktsnap_entry_pick *t;
	uint32_t cap, k;

	if (m->picks && (m->nr_picks + 1) * 2 <= m->picks_cap)
		return true;
	cap = m->picks_cap ? m->picks_cap * 2 : PICKS_MIN_CAP;
	t = ktsnap_arena_alloc(&m->render_arena, cap * sizeof(*t));
	if (!t)
		return false;
	for (k = 0; k < m->picks_cap; k++)
		if (m->picks[k].slot)
			*pick_slot(t, cap, m->picks[k].slot - 1) = m->picks[k];
	m->picks = t;
	m->picks_cap = cap;
	return true;
}

/* Entry @i rendered alone earlier, render lock held; NULL: not yet. */
static const struct ktsnap_map_entry *picked(const struct ktsnap_map *m, uint32_t i)
{
	const struct ktsnap_entry_pick *p;

	if (!m->picks)
		return NULL;
	p = pick_slot(m->picks, m->picks_cap, i);
	return p->slot ? p->e : NULL;
}

/* Render entry @i alone, render lock held; NULL on ENOMEM. */
static const struct ktsnap_map_entry *pick_locked(struct ktsnap_map *m, uint32_t i)
{
	struct ktsnap_map_entry *e;
	struct ktsnap_entry_pick *p;

	if (!picks_reserve(m) || !(e = ktsnap_arena_alloc(&m->render_arena, sizeof(*e))))
		return NULL;
	*e = ktsnap_entry_bytes(&m->entries[i]);
	if (ktsnap_render_entry(m, e, &m->render_arena))
		return NULL;
	p = pick_slot(m->picks, m->picks_cap, i);
	p->slot = i + 1;
	p->e = e;
	m->nr_picks++;
	return e;
}

const struct ktsnap_map_entry *ktsnap_map_entry_rendered(const struct ktsnap_map *cm, uint32_t i)
{
	struct ktsnap_map *m = (struct ktsnap_map *)cm;
	const struct ktsnap_map_entry *e = NULL;

	if (atomic_load_explicit(&m->rendered, memory_order_acquire))
		return &m->entries[i];
	pthread_mutex_lock(&m->owner->render_lock);
	if (atomic_load_explicit(&m->rendered, memory_order_relaxed))
		e = &m->entries[i];
	else if (!(e = picked(m, i)) && m->nr_entries >= KTSNAP_LAZY_WALK_MIN &&
		 m->nr_picks < m->nr_entries / 16)
		e = pick_locked(m, i);
	if (!e) {
		/* small, many picks already, or out of memory: the whole map */
		render_locked(m);
		e = &m->entries[i];
	}
	pthread_mutex_unlock(&m->owner->render_lock);
	return e;
}

bool ktsnap_map_has_trees(const struct ktsnap_map *cm)
{
	struct ktsnap_map *m = (struct ktsnap_map *)cm;
	bool any;

	if (atomic_load_explicit(&m->rendered, memory_order_acquire))
		return true;
	pthread_mutex_lock(&m->owner->render_lock);
	any = atomic_load_explicit(&m->rendered, memory_order_relaxed) || m->picks;
	pthread_mutex_unlock(&m->owner->render_lock);
	return any;
}

/* Entry layouts: their trees hang off entries (and are never indexed by
 * name). */
static bool releasable(const struct ktsnap_map *m)
{
	return ktsnap_is_entry_layout(m->layout) && m->raw && !m->render_failed;
}

bool ktsnap_map_release_rendered(struct ktsnap_map *m)
{
	struct ktsnap_report *r = m->owner;
	bool done = false;
	uint32_t i;

	pthread_mutex_lock(&r->render_lock);
	if (releasable(m) &&
	    (atomic_load_explicit(&m->rendered, memory_order_relaxed) || m->picks)) {
		for (i = 0; i < m->nr_entries; i++) {
			m->entries[i].key_rv = NULL;
			m->entries[i].val_rv = NULL;
			m->entries[i].per_cpu = NULL;
		}
		m->picks = NULL;
		m->picks_cap = 0;
		m->nr_picks = 0;
		ktsnap_arena_release(&m->render_arena);
		atomic_store_explicit(&m->rendered, false, memory_order_release);
		done = true;
	}
	pthread_mutex_unlock(&r->render_lock);
	return done;
}
