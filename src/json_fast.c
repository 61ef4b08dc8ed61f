// SPDX-License-Identifier: MIT
/*
 * json_fast: the report reader's fast path (json_fast.h).  A big report is
 * millions of map entries that our own writer (json_write.c, json_plan.c)
 * spelled in one canonical way: fixed key order, no whitespace, integers
 * without sign or leading zero unless negative, floats as "%.*g" with a '.'
 * or 'e', "NaN"/"inf"/"-inf" as strings, and a handful of string escapes.
 * This cursor parser reads exactly that spelling of one element of a cut
 * array straight into the report's arena, with the semantic checks the
 * json-c path (json_read.c) applies to a value or an entry; on the first
 * byte that differs, or on anything json_read.c would refuse, it gives the
 * element back (its arena allocations rewound) and the json-c path reads
 * it, errors and all.  Values are built with report_internal.h's
 * ktsnap_value_set_*() and ktsnap_value_init_*().
 */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_fast.h"
#include "json_scan.h"
#include "util_internal.h"

struct json_fast {
	const char *p, *end; /* the element's text, being read */
	struct ktsnap_report *r;
	int depth;
	/* children of the containers being read, stacked; a container
	 * copies its own into the arena when it closes */
	struct ktsnap_value *vals;
	size_t nv, capv;
	struct json_fast_member *mems;
	size_t nm, capm;
	const struct ktsnap_value **slots;
	size_t ns, caps;
	char *sb; /* a string with escapes, decoded */
	size_t sbcap;
	size_t *ranges; /* [start, end) pairs of the text read */
	size_t nr, capr;
};

/* Values nested deeper than this go to json-c (which has its own limit). */
#define FAST_MAX_DEPTH 64

/* ---- building containers (the scalars are ktsnap_value_set_*()'s) ------------------- */

/* A member (on the scratch stack): @v is copied. */
static void fb_member(struct json_fast_member *m, const char *name, const struct ktsnap_value *v)
{
	m->name = name;
	m->v = *v;
}

/* A struct of the @n members at @m (copied into the arena). */
static bool fb_struct(struct json_fast *f, struct ktsnap_value *v, const char *type_name,
		      const struct json_fast_member *m, size_t n)
{
	uint32_t i;

	if (n > UINT32_MAX ||
	    ktsnap_value_init_struct(&f->r->arena, v, NULL, type_name, (uint32_t)n))
		return false;
	for (i = 0; i < n; i++)
		*ktsnap_member_slot(v, i, m[i].name) = m[i].v;
	return true;
}

/* An array of declared length @len holding the @n values at @el (copied). */
static bool fb_array(struct json_fast *f, struct ktsnap_value *v, uint64_t len,
		     const struct ktsnap_value *el, size_t n)
{
	if (n > UINT32_MAX || ktsnap_value_init_array(&f->r->arena, v, len, (uint32_t)n))
		return false;
	if (n)
		memcpy(ktsnap_elem_slot(v, 0), el, n * sizeof(*el));
	return true;
}

/* ---- the switch ------------------------------------------------------------------- */

static _Atomic int fast_mode = -1; /* -1: not decided yet */
static _Thread_local size_t fast_count; /* elements read, this thread */

static bool fast_enabled(void)
{
	int m = atomic_load_explicit(&fast_mode, memory_order_relaxed);

	if (m < 0) {
		const char *s = getenv("KTSNAP_JSON_NO_FAST");

		m = !(s && *s && strcmp(s, "0"));
		atomic_store(&fast_mode, m);
	}
	return m;
}

void json_fast_set_enabled(bool on)
{
	atomic_store(&fast_mode, on ? 1 : 0);
}

size_t json_fast_elements(void)
{
	return fast_count;
}

void json_fast_free(struct json_fast *f)
{
	if (!f)
		return;
	free(f->vals);
	free(f->mems);
	free(f->slots);
	free(f->sb);
	free(f->ranges);
	free(f);
}

/* ---- tokens in the writer's spelling ---------------------------------------------- */

static bool lit(struct json_fast *f, const char *s, size_t n)
{
	if ((size_t)(f->end - f->p) < n || memcmp(f->p, s, n))
		return false;
	f->p += n;
	return true;
}

#define LIT(f, s) lit(f, s, sizeof(s) - 1)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An unsigned integer ≤ @max: "0" or no leading zero, no fraction or
 * exponent (json-c would make those doubles), no overflow. */
static bool get_u64(struct json_fast *f, uint64_t max, uint64_t *out)
{
	const char *p = f->p, *e = f->end;
	uint64_t u = 0;

	if (p == e || !is_digit(*p))
		return false;
	if (*p == '0') {
		p++;
	} else {
		for (; p < e && is_digit(*p); p++) {
			unsigned d = (unsigned)(*p - '0');

			if (u > UINT64_MAX / 10 || (u == UINT64_MAX / 10 && d > UINT64_MAX % 10))
				return false;
			u = u * 10 + d;
		}
	}
	if (p < e && (is_digit(*p) || *p == '.' || *p == 'e' || *p == 'E'))
		return false;
	if (u > max)
		return false;
	f->p = p;
	*out = u;
	return true;
}

/* An integer as sign and magnitude ("-0" is not the writer's). */
static bool get_signmag(struct json_fast *f, bool *neg, uint64_t *mag)
{
	const char *start = f->p;

	*neg = f->p < f->end && *f->p == '-';
	if (*neg)
		f->p++;
	if (!get_u64(f, UINT64_MAX, mag) || (*neg && !*mag)) {
		f->p = start;
		return false;
	}
	return true;
}

/* A signed integer within int64. */
static bool get_i64(struct json_fast *f, int64_t *out)
{
	const char *start = f->p;
	uint64_t mag;
	bool neg;

	if (!get_signmag(f, &neg, &mag))
		return false;
	if (neg ? mag > (uint64_t)INT64_MAX + 1 : mag > (uint64_t)INT64_MAX) {
		f->p = start;
		return false;
	}
	*out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return true;
}

/* A finite double the way json-c reads it (strtod on the token), or the
 * writer's strings for the non-finite ones.  Tokens without '.' or 'e'
 * are json-c integers: not the writer's float spelling. */
static bool get_f64(struct json_fast *f, double *out)
{
	const char *p = f->p, *e = f->end, *s = p;
	char tmp[64], *end;
	bool dbl = false;

	if (LIT(f, "\"NaN\"")) {
		*out = NAN;
		return true;
	}
	if (LIT(f, "\"inf\"")) {
		*out = INFINITY;
		return true;
	}
	if (LIT(f, "\"-inf\"")) {
		*out = -INFINITY;
		return true;
	}
	if (p < e && *p == '-')
		p++;
	if (p == e || !is_digit(*p))
		return false;
	if (*p == '0')
		p++;
	else
		while (p < e && is_digit(*p))
			p++;
	if (p < e && *p == '.') {
		if (++p == e || !is_digit(*p))
			return false;
		while (p < e && is_digit(*p))
			p++;
		dbl = true;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		if (++p < e && (*p == '+' || *p == '-'))
			p++;
		if (p == e || !is_digit(*p))
			return false;
		while (p < e && is_digit(*p))
			p++;
		dbl = true;
	}
	if (!dbl || (size_t)(p - s) >= sizeof(tmp))
		return false;
	memcpy(tmp, s, (size_t)(p - s));
	tmp[p - s] = '\0';
	*out = strtod(tmp, &end);
	/* a locale whose decimal point is not '.' stops strtod early */
	if (end != tmp + (p - s) || !isfinite(*out))
		return false;
	f->p = p;
	return true;
}

/* 1: a byte a string holds as is (printable ASCII but '"' and '\\') */
static const unsigned char plain[256] = {
	[0x20 ... 0x21] = 1,
	[0x23 ... 0x5b] = 1,
	[0x5d ... 0x7f] = 1,
};

/* One escape the writer emits at @p (the backslash) into *@c; its length
 * or 0.  \u00XX only for the controls without a short form, never NUL
 * (which the json-c path refuses in strings). */
static size_t unescape(const char *p, const char *e, char *c)
{
	static const char hex[] = "0123456789abcdef";
	const char *hi, *lo;
	int v;

	if (e - p < 2)
		return 0;
	switch (p[1]) {
	case '"':
	case '\\':
		*c = p[1];
		return 2;
	case 'n':
		*c = '\n';
		return 2;
	case 't':
		*c = '\t';
		return 2;
	case 'r':
		*c = '\r';
		return 2;
	case 'b':
		*c = '\b';
		return 2;
	case 'f':
		*c = '\f';
		return 2;
	case 'u':
		if (e - p < 6 || p[2] != '0' || p[3] != '0' || !p[4] || !p[5] ||
		    !(hi = strchr(hex, p[4])) || !(lo = strchr(hex, p[5])))
			return 0;
		v = (int)(hi - hex) << 4 | (int)(lo - hex);
		if (!v || v >= 0x20 || strchr("\b\t\n\f\r", v))
			return 0;
		*c = (char)v;
		return 6;
	default:
		return 0;
	}
}

/* A string into the arena: valid UTF-8 (ktsnap_utf8_seq(), the rule of
 * the whole reader), no raw control bytes, the writer's escapes only. */
static bool get_str(struct json_fast *f, const char **out)
{
	const unsigned char *p = (const unsigned char *)f->p, *e = (const unsigned char *)f->end;
	const unsigned char *s;
	size_t n = 0, k;

	if (p == e || *p != '"')
		return false;
	s = ++p;
	for (;;) {
		while (p < e && plain[*p])
			p++;
		if (p == e)
			return false;
		if (*p == '"' || *p == '\\')
			break;
		if (*p < 0x80 || !(k = ktsnap_utf8_seq(p, (size_t)(e - p))))
			return false; /* a raw control byte, bad UTF-8 */
		p += k;
	}
	if (*p == '"') {
		*out = ktsnap_arena_strndup(&f->r->arena, (const char *)s, (size_t)(p - s));
		f->p = (const char *)p + 1;
		return *out != NULL;
	}
	/* escapes: decode from the start */
	for (p = s;;) {
		if (p == e)
			return false;
		if (KTSNAP_ENSURE(f->sb, f->sbcap, n + 4))
			return false;
		if (*p == '"')
			break;
		if (*p == '\\') {
			k = unescape((const char *)p, (const char *)e, &f->sb[n]);
			if (!k)
				return false;
			p += k;
			n++;
			continue;
		}
		if (*p < 0x20 || !(k = ktsnap_utf8_seq(p, (size_t)(e - p))))
			return false;
		memcpy(f->sb + n, p, k);
		n += k;
		p += k;
	}
	*out = ktsnap_arena_strndup(&f->r->arena, f->sb, n);
	f->p = (const char *)p + 1;
	return *out != NULL;
}

/* "xx xx …" (lowercase, as jw_hex() writes) into arena bytes; "" → NULL. */
static bool get_hex(struct json_fast *f, const uint8_t **out, uint32_t *len)
{
	const char *p = f->p, *q;
	size_t n, nb;
	uint8_t *b;

	if (p == f->end || *p != '"')
		return false;
	p++;
	q = memchr(p, '"', (size_t)(f->end - p));
	if (!q)
		return false;
	n = (size_t)(q - p);
	if (!n) {
		f->p = q + 1;
		return true;
	}
	if ((n + 1) % 3 || (nb = (n + 1) / 3) > UINT32_MAX)
		return false;
	b = ktsnap_arena_alloc(&f->r->arena, nb);
	if (!b)
		return false;
	if (rd_hex_decode(p, nb, b) >= 0)
		return false;
	*out = b;
	*len = (uint32_t)nb;
	f->p = q + 1;
	return true;
}

/* ---- RenderedValues ------------------------------------------------------------------ */

static bool get_value(struct json_fast *f, struct ktsnap_value *v);

/* A value into a new arena node. */
static bool get_new_value(struct json_fast *f, struct ktsnap_value **out)
{
	struct ktsnap_value *v = ktsnap_arena_alloc(&f->r->arena, sizeof(*v));

	*out = v;
	return v && get_value(f, v);
}

/* {"name":…,"value":…} into @m (not on the scratch stack: reading the
 * value may grow it). */
static bool get_member(struct json_fast *f, struct json_fast_member *m)
{
	struct ktsnap_value mv = { 0 };
	const char *name;

	if (!LIT(f, "{\"name\":") || !get_str(f, &name) || !LIT(f, ",\"value\":") ||
	    !get_value(f, &mv) || !LIT(f, "}"))
		return false;
	fb_member(m, name, &mv);
	return true;
}

static bool get_members(struct json_fast *f, struct ktsnap_value *v, const char *type_name)
{
	size_t base = f->nm;

	if (!LIT(f, "["))
		return false;
	if (!LIT(f, "]")) {
		do {
			struct json_fast_member m;

			if (!get_member(f, &m) || KTSNAP_ENSURE(f->mems, f->capm, f->nm + 1))
				return false;
			f->mems[f->nm++] = m;
		} while (LIT(f, ","));
		if (!LIT(f, "]"))
			return false;
	}
	if (!fb_struct(f, v, type_name, f->mems + base, f->nm - base))
		return false;
	f->nm = base;
	return LIT(f, "}");
}

static bool get_elements(struct json_fast *f, struct ktsnap_value *v, uint64_t len)
{
	size_t base = f->nv, n;

	if (!LIT(f, "["))
		return false;
	if (!LIT(f, "]")) {
		do {
			struct ktsnap_value ev = { 0 };

			if (!get_value(f, &ev))
				return false;
			if (KTSNAP_ENSURE(f->vals, f->capv, f->nv + 1))
				return false;
			f->vals[f->nv++] = ev;
		} while (LIT(f, ","));
		if (!LIT(f, "]"))
			return false;
	}
	n = f->nv - base;
	/* check_value(): what a BTF array can be */
	if (len > UINT32_MAX || len < n || !fb_array(f, v, len, f->vals + base, n))
		return false;
	f->nv = base;
	return LIT(f, "}");
}

static bool get_int(struct json_fast *f, struct ktsnap_value *v, bool is_signed)
{
	uint64_t bits, u = 0;
	int64_t i = 0;

	if (!LIT(f, "\",\"bits\":") || !get_u64(f, 64, &bits) || !LIT(f, ",\"value\":") ||
	    !(is_signed ? get_i64(f, &i) : get_u64(f, UINT64_MAX, &u)) ||
	    !rd_int_fits((uint32_t)bits, is_signed, i, u) || !LIT(f, "}"))
		return false;
	if (is_signed)
		ktsnap_value_set_int(v, (uint32_t)bits, i);
	else
		ktsnap_value_set_uint(v, (uint32_t)bits, u);
	return true;
}

static bool get_enum(struct json_fast *f, struct ktsnap_value *v)
{
	const char *variant = NULL;
	bool neg, is_signed;
	uint64_t bits, mag;
	int64_t i;

	if (!LIT(f, "\",\"bits\":") || !get_u64(f, 64, &bits) || !LIT(f, ",\"value\":") ||
	    !get_signmag(f, &neg, &mag))
		return false;
	if (LIT(f, ",\"variant\":") && !get_str(f, &variant))
		return false;
	is_signed = LIT(f, ",\"is_signed\":true");
	if (!LIT(f, "}"))
		return false;
	/* the writer spells unsigned enums unsigned, signed ones in int64 */
	if (is_signed) {
		if (neg ? mag > (uint64_t)INT64_MAX + 1 : mag > (uint64_t)INT64_MAX)
			return false;
		i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	} else {
		if (neg)
			return false;
		i = (int64_t)mag;
	}
	if (!rd_int_fits((uint32_t)bits, is_signed, i, (uint64_t)i))
		return false;
	return !ktsnap_value_set_enum(&f->r->arena, v, (uint32_t)bits, is_signed, i, variant);
}

enum { K_NONE = -1 };

/* The kind tag after {"kind":" up to its closing quote (left unread). */
static int get_kind(struct json_fast *f)
{
	const char *p = f->p, *q;
	size_t n;
	int k;

	q = memchr(p, '"', (size_t)(f->end - p) < 16 ? (size_t)(f->end - p) : 16);
	if (!q)
		return K_NONE;
	n = (size_t)(q - p);
	for (k = 0; k <= KTSNAP_VALUE_UNSUPPORTED; k++) {
		const char *tag = ktsnap_value_kind__tag(k);

		if (strlen(tag) == n && !memcmp(tag, p, n)) {
			f->p = q;
			return k;
		}
	}
	return K_NONE;
}

static bool get_value_fields(struct json_fast *f, struct ktsnap_value *v)
{
	const char *s = NULL, *s2 = NULL;
	struct ktsnap_value *sub = NULL;
	uint64_t u, u2;
	double d;

	switch (get_kind(f)) {
	case KTSNAP_VALUE_INT:
		return get_int(f, v, true);
	case KTSNAP_VALUE_UINT:
		return get_int(f, v, false);
	case KTSNAP_VALUE_BOOL:
		if (LIT(f, "\",\"value\":true}"))
			ktsnap_value_set_bool(v, true);
		else if (LIT(f, "\",\"value\":false}"))
			ktsnap_value_set_bool(v, false);
		else
			return false;
		return true;
	case KTSNAP_VALUE_CHAR:
		if (!LIT(f, "\",\"value\":") || !get_u64(f, 255, &u) || !LIT(f, "}"))
			return false;
		ktsnap_value_set_char(v, (uint8_t)u);
		return true;
	case KTSNAP_VALUE_FLOAT:
		/* check_value(): the widths of BTF floats */
		if (!LIT(f, "\",\"bits\":") || !get_u64(f, 128, &u) || u < 16 || u % 8 ||
		    !LIT(f, ",\"value\":") || !get_f64(f, &d) || !LIT(f, "}"))
			return false;
		ktsnap_value_set_float(v, (uint32_t)u, d);
		return true;
	case KTSNAP_VALUE_ENUM:
		return get_enum(f, v);
	case KTSNAP_VALUE_STRUCT:
		if (LIT(f, "\",\"type_name\":")) {
			if (!get_str(f, &s) || !LIT(f, ",\"members\":"))
				return false;
		} else if (!LIT(f, "\",\"members\":")) {
			return false;
		}
		return get_members(f, v, s);
	case KTSNAP_VALUE_ARRAY:
		if (!LIT(f, "\",\"len\":") || !get_u64(f, UINT64_MAX, &u) ||
		    !LIT(f, ",\"elements\":"))
			return false;
		return get_elements(f, v, u);
	case KTSNAP_VALUE_CPU_LIST:
		if (!LIT(f, "\",\"cpus\":") || !get_str(f, &s) || !LIT(f, "}"))
			return false;
		ktsnap_value_set_str(v, KTSNAP_VALUE_CPU_LIST, s);
		return true;
	case KTSNAP_VALUE_PTR:
		if (!LIT(f, "\",\"value\":") || !get_u64(f, UINT64_MAX, &u))
			return false;
		if (LIT(f, ",\"deref\":") && !get_new_value(f, &sub))
			return false;
		if (LIT(f, ",\"deref_skipped_reason\":") && !get_str(f, &s))
			return false;
		if (LIT(f, ",\"cast_annotation\":") && !get_str(f, &s2))
			return false;
		if (!LIT(f, "}"))
			return false;
		return !ktsnap_value_set_ptr(&f->r->arena, v, u, sub, s, s2);
	case KTSNAP_VALUE_BYTES:
		if (!LIT(f, "\",\"hex\":") || !get_str(f, &s) || !LIT(f, "}"))
			return false;
		ktsnap_value_set_str(v, KTSNAP_VALUE_BYTES, s);
		return true;
	case KTSNAP_VALUE_TRUNCATED:
		/* check_value(): a BTF size, no more bytes than needed */
		if (!LIT(f, "\",\"needed\":") || !get_u64(f, UINT32_MAX, &u) ||
		    !LIT(f, ",\"had\":") || !get_u64(f, u, &u2))
			return false;
		if (LIT(f, ",\"partial\":") && !get_new_value(f, &sub))
			return false;
		if (!LIT(f, "}"))
			return false;
		return !ktsnap_value_set_truncated(&f->r->arena, v, u, u2, sub);
	case KTSNAP_VALUE_UNSUPPORTED:
		if (!LIT(f, "\",\"reason\":") || !get_str(f, &s) || !LIT(f, "}"))
			return false;
		ktsnap_value_set_str(v, KTSNAP_VALUE_UNSUPPORTED, s);
		return true;
	default:
		return false;
	}
}

/* A RenderedValue object into the zeroed @v. */
static bool get_value(struct json_fast *f, struct ktsnap_value *v)
{
	bool ok;

	if (f->depth >= FAST_MAX_DEPTH || !LIT(f, "{\"kind\":\""))
		return false;
	f->depth++;
	ok = get_value_fields(f, v);
	f->depth--;
	return ok;
}

/* ---- map entries ------------------------------------------------------------------- */

/* "per_cpu": values or null, one per possible CPU. */
static bool get_per_cpu(struct json_fast *f, struct ktsnap_map_entry *e)
{
	const struct ktsnap_value **dst;
	size_t n;

	if (!LIT(f, "["))
		return false;
	if (!LIT(f, "]")) {
		do {
			struct ktsnap_value *v = NULL;

			if (!LIT(f, "null") && !get_new_value(f, &v))
				return false;
			if (KTSNAP_ENSURE(f->slots, f->caps, f->ns + 1))
				return false;
			f->slots[f->ns++] = v;
		} while (LIT(f, ","));
		if (!LIT(f, "]"))
			return false;
	}
	n = f->ns;
	if (n > UINT32_MAX)
		return false;
	dst = n ? ktsnap_arena_memdup(&f->r->arena, f->slots, n * sizeof(*dst)) : NULL;
	if (n && !dst)
		return false;
	e->per_cpu = dst;
	e->nr_cpus = (uint32_t)n;
	f->ns = 0;
	return true;
}

/* The optional rendered key, then "key_hex" (hash layouts). */
static bool get_key_and_hex(struct json_fast *f, struct ktsnap_map_entry *e)
{
	struct ktsnap_value *k = NULL;

	if (LIT(f, "{\"key\":")) {
		if (!get_new_value(f, &k) || !LIT(f, ",\"key_hex\":"))
			return false;
	} else if (!LIT(f, "{\"key_hex\":")) {
		return false;
	}
	e->key_rv = k;
	return get_hex(f, &e->key, &e->key_len);
}

static bool get_entry(struct json_fast *f, enum ktsnap_map_layout layout,
		      struct ktsnap_map_entry *e)
{
	struct ktsnap_value *v = NULL;
	uint64_t idx;

	switch (layout) {
	case KTSNAP_LAYOUT_HASH:
		if (!get_key_and_hex(f, e))
			return false;
		if (LIT(f, ",\"value\":") && !get_new_value(f, &v))
			return false;
		e->val_rv = v;
		if (!LIT(f, ",\"value_hex\":") || !get_hex(f, &e->val, &e->val_len))
			return false;
		v = NULL;
		if (LIT(f, ",\"payload\":") && !get_new_value(f, &v))
			return false;
		e->payload = v;
		return LIT(f, "}");
	case KTSNAP_LAYOUT_ARRAY:
		if (!LIT(f, "{\"key\":") || !get_u64(f, UINT32_MAX, &idx))
			return false;
		e->index = (uint32_t)idx;
		if (LIT(f, ",\"value\":") && !get_new_value(f, &v))
			return false;
		e->val_rv = v;
		return LIT(f, "}");
	case KTSNAP_LAYOUT_PERCPU_ARRAY:
		if (!LIT(f, "{\"key\":") || !get_u64(f, UINT32_MAX, &idx))
			return false;
		e->index = (uint32_t)idx;
		return LIT(f, ",\"per_cpu\":") && get_per_cpu(f, e) && LIT(f, "}");
	case KTSNAP_LAYOUT_PERCPU_HASH:
		return get_key_and_hex(f, e) && LIT(f, ",\"per_cpu\":") && get_per_cpu(f, e) &&
		       LIT(f, "}");
	default:
		return false;
	}
}

/* ---- one element of a cut array ------------------------------------------------------ */

enum elem_what { E_ENTRY, E_VALUE, E_MEMBER, E_SLOT };

static bool get_elem(struct json_fast *f, enum elem_what what, int layout, void *out)
{
	switch (what) {
	case E_ENTRY:
		return get_entry(f, (enum ktsnap_map_layout)layout, out);
	case E_VALUE:
		return get_value(f, out);
	case E_MEMBER:
		return get_member(f, out);
	case E_SLOT:
		*(struct ktsnap_value **)out = NULL;
		return LIT(f, "null") || get_new_value(f, out);
	}
	return false;
}

/* Remember [@start, @end) as read (json_fast_ranges()); the next element
 * of the same array extends the last range. */
static void note_range(struct json_fast *f, const char *src, size_t start, size_t end)
{
	size_t k;

	if (f->nr) {
		size_t last = f->ranges[2 * f->nr - 1];

		for (k = last; k < start && strchr(", \t\r\n", src[k]) && src[k]; k++)
			;
		if (last <= start && k == start) {
			f->ranges[2 * f->nr - 1] = end;
			return;
		}
	}
	/* no room: the check then reads this element too */
	if (KTSNAP_ENSURE(f->ranges, f->capr, 2 * f->nr + 2))
		return;
	f->ranges[2 * f->nr] = start;
	f->ranges[2 * f->nr + 1] = end;
	f->nr++;
}

static int cmp_range(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

size_t json_fast_ranges(struct json_fast *f, const size_t **pairs)
{
	*pairs = NULL;
	if (!f || !f->nr)
		return 0;
	/* fields are read in the schema's order, not always the text's */
	qsort(f->ranges, f->nr, 2 * sizeof(size_t), cmp_range);
	*pairs = f->ranges;
	return f->nr;
}

/* Past an element: what json_splits_next() would take as its end. */
static bool at_elem_end(const struct json_fast *f)
{
	return f->p == f->end || *f->p == ',' || *f->p == ' ' || *f->p == '\t' || *f->p == '\n' ||
	       *f->p == '\r';
}

/* The next element of @a read by the fast path into @out (@size bytes),
 * or nothing consumed, *@out zeroed and the arena as it was. */
static bool try_elem(struct rd *rd, struct rd_arr *a, enum elem_what what, int layout, void *out,
		     size_t size)
{
	struct ktsnap_arena_mark mark;
	struct json_fast *f = rd->fast;
	size_t start, close, end;

	if (a->cut < 0 || !rd->splits || !fast_enabled() ||
	    !json_splits_peek(rd->splits, a->cut, a->cursor, &start, &close))
		return false;
	if (!f) {
		f = rd->fast = calloc(1, sizeof(*f));
		if (!f)
			return false;
	}
	/* the element ends where we stop reading: no need to find its end
	 * first (the structural scan checked what follows it) */
	f->p = rd->src + start;
	f->end = rd->src + close;
	f->r = rd->r;
	f->depth = 0;
	f->nv = f->nm = f->ns = 0;
	ktsnap_arena_mark(&rd->r->arena, &mark);
	if (!get_elem(f, what, layout, out) || !at_elem_end(f)) {
		ktsnap_arena_rewind(&rd->r->arena, &mark);
		memset(out, 0, size);
		return false;
	}
	/* what rd_arr_next() does: drop the previous element, step on */
	json_object_put(rd->pieces[a->slot]);
	rd->pieces[a->slot] = NULL;
	end = (size_t)(f->p - rd->src);
	note_range(f, rd->src, start, end);
	a->cursor = end;
	a->i++;
	fast_count++;
	return true;
}

bool json_fast_entry(struct rd *rd, struct rd_arr *a, enum ktsnap_map_layout layout,
		     struct ktsnap_map_entry *e)
{
	return try_elem(rd, a, E_ENTRY, (int)layout, e, sizeof(*e));
}

bool json_fast_value(struct rd *rd, struct rd_arr *a, struct ktsnap_value *v)
{
	return try_elem(rd, a, E_VALUE, 0, v, sizeof(*v));
}

bool json_fast_member(struct rd *rd, struct rd_arr *a, struct json_fast_member *m)
{
	return try_elem(rd, a, E_MEMBER, 0, m, sizeof(*m));
}

bool json_fast_slot(struct rd *rd, struct rd_arr *a, const struct ktsnap_value **slot)
{
	return try_elem(rd, a, E_SLOT, 0, (void *)slot, sizeof(*slot));
}
