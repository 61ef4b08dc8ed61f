// SPDX-License-Identifier: MIT
/*
 * Human-readable rendering of value trees (spec §4.3): the compact
 * one-line form used for sampled keys and error texts, and the multi-line
 * form of `ktsnap show`.
 *
 * Everything writes through a small sink that either fills a caller
 * buffer (snprintf semantics) or streams to a FILE.  A sink may carry a
 * width limit: "does this fit on one line?" questions render into a
 * limited sink that gives up as soon as the budget is exceeded, so the
 * pretty printer never builds strings it then throws away.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktsnap/display.h>
#include "util_internal.h"
#include "log_internal.h"
#include "report_internal.h"
#include "sink_internal.h"

#define WIDTH 120 /* inline / wrap budget */
#define MAX_DEPTH 64 /* hostile (file-read) trees */

static void indent_(struct ktsnap_sink *s, int level)
{
	int i;

	for (i = 0; i < level; i++)
		sink_put(s, "  ", 2);
}

/* @name from the report (escaped, sink_put_name) between @open and @close. */
static void put_name_in(struct ktsnap_sink *s, const char *open, const char *name,
			const char *close)
{
	sink_puts(s, open);
	sink_put_name(s, name);
	sink_puts(s, close);
}

/* ---- floats -------------------------------------------------------------- */

/* Shortest %.*e that round-trips, then spelled out without the exponent. */
int ktsnap_f64__format(double v, char *buf, size_t size)
{
	char e[40], digits[24], out[400];
	int exp10, nd = 0, pos = 0, i;
	const char *p;
	bool neg;

	if (isnan(v))
		return snprintf(buf, size, "NaN");
	if (isinf(v))
		return snprintf(buf, size, v < 0 ? "-inf" : "inf");
	if (v == 0)
		return snprintf(buf, size, signbit(v) ? "-0" : "0");
	snprintf(e, sizeof(e), "%.*e", ktsnap_shortest_digits(v) - 1, v);
	neg = e[0] == '-';
	for (p = e + neg; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	exp10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (neg)
		out[pos++] = '-';
	if (exp10 < 0) {
		out[pos++] = '0';
		out[pos++] = '.';
		for (i = 0; i < -exp10 - 1; i++)
			out[pos++] = '0';
		for (i = 0; i < nd; i++)
			out[pos++] = digits[i];
	} else {
		for (i = 0; i <= exp10 || i < nd; i++) {
			if (i == exp10 + 1)
				out[pos++] = '.';
			out[pos++] = i < nd ? digits[i] : '0';
		}
	}
	out[pos] = '\0';
	return snprintf(buf, size, "%s", out);
}

/* ---- classification --------------------------------------------------------- */
static bool is_scalar(const struct ktsnap_value *v)
{
	switch (v->kind) {
	case KTSNAP_VALUE_INT:
	case KTSNAP_VALUE_UINT:
	case KTSNAP_VALUE_BOOL:
	case KTSNAP_VALUE_CHAR:
	case KTSNAP_VALUE_FLOAT:
	case KTSNAP_VALUE_ENUM:
		return true;
	case KTSNAP_VALUE_PTR:
		return !v->p->deref;
	default:
		return false;
	}
}

static bool scalar_zero(const struct ktsnap_value *v)
{
	switch (v->kind) {
	case KTSNAP_VALUE_INT:
		return v->i == 0;
	case KTSNAP_VALUE_UINT:
		return v->u == 0;
	case KTSNAP_VALUE_BOOL:
		return !v->b;
	case KTSNAP_VALUE_CHAR:
		return v->c == 0;
	case KTSNAP_VALUE_FLOAT:
		return v->f == 0;
	case KTSNAP_VALUE_ENUM:
		return ktsnap_enum_v(v) == 0;
	case KTSNAP_VALUE_PTR:
		return v->p->v == 0 && !v->p->deref && !v->p->skip_reason;
	default:
		return false;
	}
}

/* Scalar zero, or an aggregate made only of such (recursively). */
static bool deep_zero(const struct ktsnap_value *v, int depth)
{
	uint32_t i;

	if (depth > MAX_DEPTH)
		return false;
	switch (v->kind) {
	case KTSNAP_VALUE_STRUCT:
		for (i = 0; i < v->n; i++)
			if (!deep_zero(ktsnap_mval(v, i), depth + 1))
				return false;
		return true;
	case KTSNAP_VALUE_ARRAY:
		for (i = 0; i < v->n; i++)
			if (!deep_zero(KTSNAP_ELEM_READ(v, i), depth + 1))
				return false;
		return true;
	case KTSNAP_VALUE_CPU_LIST:
		return !v->str || !*v->str;
	default:
		return scalar_zero(v);
	}
}

static bool byte_elem(const struct ktsnap_value *v, uint8_t *b)
{
	if (v->kind == KTSNAP_VALUE_CHAR) {
		*b = v->c;
		return true;
	}
	if (v->kind == KTSNAP_VALUE_INT && v->bits == 8) {
		*b = (uint8_t)v->i;
		return true;
	}
	if (v->kind == KTSNAP_VALUE_UINT && v->bits == 8) {
		*b = (uint8_t)v->u;
		return true;
	}
	return false;
}

/*
 * An 8-bit array holding text: first byte non-NUL, at least two bytes,
 * and everything before the first NUL printable (tabs and newlines
 * allowed).  *n receives the text length.
 */
static bool is_text(const struct ktsnap_value *v, uint32_t *n)
{
	uint32_t i;
	uint8_t b = 0;

	if (v->kind != KTSNAP_VALUE_ARRAY || v->n < 2)
		return false;
	for (i = 0; i < v->n; i++)
		if (!byte_elem(KTSNAP_ELEM_READ(v, i), &b))
			return false;
	byte_elem(KTSNAP_ELEM_READ(v, 0), &b);
	if (!b)
		return false;
	for (i = 0; i < v->n; i++) {
		byte_elem(KTSNAP_ELEM_READ(v, i), &b);
		if (!b)
			break;
		if ((b < 0x20 || b > 0x7e) && b != '\n' && b != '\t')
			return false;
	}
	*n = i;
	return true;
}

/* Member @i of struct @v. */
static bool hidden_member(const struct ktsnap_value *v, uint32_t i)
{
	const struct ktsnap_value *m = ktsnap_mval(v, i);
	uint32_t n;

	if (deep_zero(m, 0))
		return true;
	/* bpf_printk-style format strings kept in structs are noise */
	return strstr(ktsnap_mname(v, i), "___fmt") && is_text(m, &n);
}

static bool value_eq(const struct ktsnap_value *a, const struct ktsnap_value *b, int depth)
{
	uint32_t i;

	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind || depth > MAX_DEPTH)
		return false;
	switch (a->kind) {
	case KTSNAP_VALUE_INT:
		return a->i == b->i;
	case KTSNAP_VALUE_UINT:
		return a->u == b->u;
	case KTSNAP_VALUE_BOOL:
		return a->b == b->b;
	case KTSNAP_VALUE_CHAR:
		return a->c == b->c;
	case KTSNAP_VALUE_FLOAT:
		return a->f == b->f;
	case KTSNAP_VALUE_ENUM:
		return ktsnap_enum_v(a) == ktsnap_enum_v(b);
	case KTSNAP_VALUE_STRUCT:
		if (a->n != b->n)
			return false;
		for (i = 0; i < a->n; i++)
			if (!value_eq(ktsnap_mval(a, i), ktsnap_mval(b, i), depth + 1))
				return false;
		return true;
	case KTSNAP_VALUE_ARRAY:
		if (a->n != b->n)
			return false;
		for (i = 0; i < a->n; i++)
			if (!value_eq(KTSNAP_ELEM_READ(a, i), KTSNAP_ELEM_READ(b, i), depth + 1))
				return false;
		return true;
	case KTSNAP_VALUE_CPU_LIST:
		return !strcmp(a->str ? a->str : "", b->str ? b->str : "");
	case KTSNAP_VALUE_PTR:
		return a->p->v == b->p->v && value_eq(a->p->deref, b->p->deref, depth + 1);
	case KTSNAP_VALUE_BYTES:
		return !strcmp(a->str ? a->str : "", b->str ? b->str : "");
	default:
		return false;
	}
}

/* ---- one-line rendering ------------------------------------------------------- */
static void inl(struct ktsnap_sink *s, const struct ktsnap_value *v, int depth);

static void put_hex(struct ktsnap_sink *s, uint64_t x)
{
	sink_putf(s, "0x%" PRIx64, x);
}

static void scalar(struct ktsnap_sink *s, const struct ktsnap_value *v, bool hex_wide)
{
	char f[400];

	switch (v->kind) {
	case KTSNAP_VALUE_INT:
		sink_putf(s, "%" PRId64, v->i);
		break;
	case KTSNAP_VALUE_UINT:
		if (hex_wide && v->bits >= 32)
			put_hex(s, v->u);
		else
			sink_putf(s, "%" PRIu64, v->u);
		break;
	case KTSNAP_VALUE_BOOL:
		sink_puts(s, v->b ? "true" : "false");
		break;
	case KTSNAP_VALUE_CHAR:
		if (v->c >= 0x20 && v->c <= 0x7e)
			sink_putf(s, "'%c'", v->c);
		else
			sink_putf(s, "0x%02x", v->c);
		break;
	case KTSNAP_VALUE_FLOAT:
		ktsnap_f64__format(v->f, f, sizeof(f));
		sink_puts(s, f);
		break;
	case KTSNAP_VALUE_ENUM:
		if (ktsnap_enum_variant(v)) {
			sink_put_name(s, ktsnap_enum_variant(v));
			sink_puts(s, " (");
		}
		if (ktsnap_enum_signed(v))
			sink_putf(s, "%" PRId64, ktsnap_enum_v(v));
		else
			sink_putf(s, "%" PRIu64, (uint64_t)ktsnap_enum_v(v));
		if (ktsnap_enum_variant(v))
			sink_puts(s, ")");
		break;
	default:
		break;
	}
}

static void quoted(struct ktsnap_sink *s, const struct ktsnap_value *v, uint32_t n, bool escape_nl)
{
	uint32_t i;
	uint8_t b = 0;
	char c;

	sink_put(s, "\"", 1);
	for (i = 0; i < n && !s->stop; i++) {
		byte_elem(KTSNAP_ELEM_READ(v, i), &b);
		c = (char)b;
		if (c == '"' || c == '\\') {
			sink_put(s, "\\", 1);
			sink_put(s, &c, 1);
		} else if (c == '\n' && escape_nl) {
			sink_put(s, "\\n", 2);
		} else if (c == '\t') {
			sink_put(s, "\\t", 2);
		} else {
			sink_put(s, &c, 1);
		}
	}
	sink_put(s, "\"", 1);
}

static void shown_note(struct ktsnap_sink *s, const struct ktsnap_value *v)
{
	if (v->n < ktsnap_array_len(v))
		sink_putf(s, " /* %" PRIu32 " of %" PRIu64 " shown */", v->n, ktsnap_array_len(v));
}

static bool all_scalar(const struct ktsnap_value *v)
{
	uint32_t i;

	for (i = 0; i < v->n; i++)
		if (!is_scalar(KTSNAP_ELEM_READ(v, i)))
			return false;
	return true;
}

static uint32_t nonzero_count(const struct ktsnap_value *v)
{
	uint32_t i, n = 0;

	for (i = 0; i < v->n; i++)
		n += !deep_zero(KTSNAP_ELEM_READ(v, i), 0);
	return n;
}

/* Index runs of the non-zero elements: "[i]=v  [a..b]={v, v}". */
static void sparse_runs(struct ktsnap_sink *s, const struct ktsnap_value *v, int wrap_indent)
{
	uint32_t i = 0, j, k;
	bool first = true;

	while (i < v->n && !s->stop) {
		if (scalar_zero(KTSNAP_ELEM_READ(v, i))) {
			i++;
			continue;
		}
		for (j = i; j + 1 < v->n && !scalar_zero(KTSNAP_ELEM_READ(v, j + 1)); j++)
			;
		if (!first) {
			if (wrap_indent >= 0 && s->col > WIDTH - 24) {
				sink_put(s, "\n", 1);
				indent_(s, wrap_indent);
			} else {
				sink_put(s, "  ", 2);
			}
		}
		first = false;
		if (i == j) {
			sink_putf(s, "[%" PRIu32 "]=", i);
			scalar(s, KTSNAP_ELEM_READ(v, i), true);
		} else {
			sink_putf(s, "[%" PRIu32 "..%" PRIu32 "]={", i, j);
			for (k = i; k <= j; k++) {
				if (k > i)
					sink_put(s, ", ", 2);
				scalar(s, KTSNAP_ELEM_READ(v, k), true);
			}
			sink_put(s, "}", 1);
		}
		i = j + 1;
	}
}

static void dense(struct ktsnap_sink *s, const struct ktsnap_value *v, int wrap_indent)
{
	uint32_t i;

	sink_put(s, "[", 1);
	for (i = 0; i < v->n && !s->stop; i++) {
		if (i) {
			sink_put(s, ",", 1);
			if (wrap_indent >= 0 && s->col > WIDTH - 24) {
				sink_put(s, "\n", 1);
				indent_(s, wrap_indent);
			} else {
				sink_put(s, " ", 1);
			}
		}
		scalar(s, KTSNAP_ELEM_READ(v, i), true);
	}
	sink_put(s, "]", 1);
}

/* End of the group of elements equal to elems[i]. */
static uint32_t group_end(const struct ktsnap_value *v, uint32_t i)
{
	uint32_t j = i;

	while (j + 1 < v->n && value_eq(KTSNAP_ELEM_READ(v, i), KTSNAP_ELEM_READ(v, j + 1), 0))
		j++;
	return j;
}

static void group_label(struct ktsnap_sink *s, uint32_t i, uint32_t j)
{
	if (i == j)
		sink_putf(s, "[%" PRIu32 "]", i);
	else
		sink_putf(s, "[%" PRIu32 "-%" PRIu32 "]", i, j);
}

static void inl_array(struct ktsnap_sink *s, const struct ktsnap_value *v, int depth)
{
	uint32_t i, j, n;
	bool first = true;

	if (!v->n) {
		sink_put(s, "[]", 2);
	} else if (is_text(v, &n)) {
		quoted(s, v, n, true);
	} else if (!nonzero_count(v)) {
		sink_putf(s, "[all %" PRIu32 " zero]", v->n);
	} else if (all_scalar(v)) {
		if (nonzero_count(v) * 2 >= v->n)
			dense(s, v, -1);
		else
			sparse_runs(s, v, -1);
	} else {
		sink_put(s, "[", 1);
		for (i = 0; i < v->n && !s->stop; i = j + 1) {
			j = group_end(v, i);
			if (deep_zero(KTSNAP_ELEM_READ(v, i), 0))
				continue;
			if (!first)
				sink_put(s, ", ", 2);
			first = false;
			group_label(s, i, j);
			sink_put(s, " ", 1);
			inl(s, KTSNAP_ELEM_READ(v, i), depth + 1);
		}
		sink_put(s, "]", 1);
	}
	shown_note(s, v);
}

static void inl_struct(struct ktsnap_sink *s, const struct ktsnap_value *v, int depth)
{
	bool first = true;
	uint32_t i;

	if (ktsnap_struct_type(v))
		sink_put_name(s, ktsnap_struct_type(v));
	sink_put(s, "{", 1);
	for (i = 0; i < v->n && !s->stop; i++) {
		const char *name = ktsnap_mname(v, i);

		if (hidden_member(v, i))
			continue;
		if (!first)
			sink_put(s, ", ", 2);
		first = false;
		if (name[0]) {
			sink_put_name(s, name);
			sink_put(s, "=", 1);
		}
		inl(s, ktsnap_mval(v, i), depth + 1);
	}
	sink_put(s, "}", 1);
}

static void ptr_head(struct ktsnap_sink *s, const struct ktsnap_value *v)
{
	put_hex(s, v->p->v);
	if (v->p->cast)
		put_name_in(s, " (", v->p->cast, ")");
}

static void ptr_tail(struct ktsnap_sink *s, const struct ktsnap_value *v)
{
	if (v->p->deref)
		return;
	if (v->p->skip_reason && !strncmp(v->p->skip_reason, "cycle ", 6))
		sink_puts(s, " [cycle]");
	else if (v->p->skip_reason)
		put_name_in(s, " [chase: ", v->p->skip_reason, "]");
}

static void inl(struct ktsnap_sink *s, const struct ktsnap_value *v, int depth)
{
	if (depth > MAX_DEPTH) {
		sink_puts(s, "…");
		return;
	}
	switch (v->kind) {
	case KTSNAP_VALUE_STRUCT:
		inl_struct(s, v, depth);
		break;
	case KTSNAP_VALUE_ARRAY:
		inl_array(s, v, depth);
		break;
	case KTSNAP_VALUE_CPU_LIST:
		put_name_in(s, "cpus={", v->str ? v->str : "", "}");
		break;
	case KTSNAP_VALUE_BYTES:
		sink_put_name(s, v->str ? v->str : "");
		break;
	case KTSNAP_VALUE_UNSUPPORTED:
		put_name_in(s, "<unsupported: ", v->str ? v->str : "", ">");
		break;
	case KTSNAP_VALUE_PTR:
		ptr_head(s, v);
		if (v->p->deref) {
			sink_puts(s, " → ");
			inl(s, v->p->deref, depth + 1);
		}
		ptr_tail(s, v);
		break;
	case KTSNAP_VALUE_TRUNCATED:
		if (!v->t->had)
			break;
		sink_putf(s, "<truncated needed=%" PRIu64 " had=%" PRIu64 "> ", v->t->needed,
			  v->t->had);
		if (v->t->partial)
			inl(s, v->t->partial, depth + 1);
		break;
	default:
		scalar(s, v, false);
		break;
	}
}

/* Length of the one-line form if it fits @budget columns, else -1. */
static long fits(const struct ktsnap_value *v, long budget)
{
	struct ktsnap_sink s = { .limit = budget > 0 ? (size_t)budget : 1 };

	if (budget <= 0)
		return -1;
	inl(&s, v, 0);
	return s.stop ? -1 : (long)s.len;
}

/* ---- multi-line rendering -------------------------------------------------------- */
static void pretty(struct ktsnap_sink *s, const char *label, const char *sep,
		   const struct ktsnap_value *v, int level, int depth);

static void pretty_struct_body(struct ktsnap_sink *s, const struct ktsnap_value *v, int level,
			       int depth)
{
	int on_row = 0;
	uint32_t i;

	for (i = 0; i < v->n && !s->stop; i++) {
		const char *name = ktsnap_mname(v, i);
		const struct ktsnap_value *m = ktsnap_mval(v, i);
		long w = -1;

		if (hidden_member(v, i))
			continue;
		if (is_scalar(m)) {
			struct ktsnap_sink t = { .limit = WIDTH };

			inl(&t, m, depth);
			w = (long)(strlen(name) + 1 + t.len);
		}
		if (w >= 0 && on_row && on_row < 3 && s->col + 2 + (size_t)w <= WIDTH) {
			sink_put(s, "  ", 2);
		} else {
			if (on_row)
				sink_put(s, "\n", 1);
			on_row = 0;
			if (w < 0) {
				pretty(s, name, "=", m, level, depth + 1);
				continue;
			}
			indent_(s, level);
		}
		if (name[0]) {
			sink_put_name(s, name);
			sink_put(s, "=", 1);
		}
		inl(s, m, depth + 1);
		on_row++;
	}
	if (on_row)
		sink_put(s, "\n", 1);
}

static void pretty_array(struct ktsnap_sink *s, const char *label, const char *sep,
			 const struct ktsnap_value *v, int level, int depth)
{
	uint32_t i, j, n, start;
	uint8_t b = 0;

	indent_(s, level);
	sink_put_name(s, label);
	if (is_text(v, &n)) {
		/* multi-line text as an indented block */
		sink_put(s, label[0] ? ": |" : "|", label[0] ? 3 : 1);
		shown_note(s, v);
		for (start = 0, i = 0; i <= n && !s->stop; i++) {
			if (i < n) {
				byte_elem(KTSNAP_ELEM_READ(v, i), &b);
				if (b != '\n')
					continue;
			}
			sink_put(s, "\n", 1);
			indent_(s, level + 1);
			for (j = start; j < i; j++) {
				byte_elem(KTSNAP_ELEM_READ(v, j), &b);
				sink_put(s, (const char *)&b, 1);
			}
			start = i + 1;
		}
		sink_put(s, "\n", 1);
		return;
	}
	if (all_scalar(v)) {
		sink_puts(s, sep);
		if (nonzero_count(v) * 2 >= v->n) {
			dense(s, v, level + 1);
		} else {
			sink_put(s, "\n", 1);
			indent_(s, level + 1);
			sparse_runs(s, v, level + 1);
		}
		shown_note(s, v);
		sink_put(s, "\n", 1);
		return;
	}
	if (label[0])
		sink_put(s, ":", 1);
	shown_note(s, v);
	sink_put(s, "\n", 1);
	for (i = 0; i < v->n && !s->stop; i = j + 1) {
		char lab[32];

		j = group_end(v, i);
		if (deep_zero(KTSNAP_ELEM_READ(v, i), 0))
			continue;
		if (i == j)
			snprintf(lab, sizeof(lab), "[%" PRIu32 "]", i);
		else
			snprintf(lab, sizeof(lab), "[%" PRIu32 "-%" PRIu32 "]", i, j);
		pretty(s, lab, " ", KTSNAP_ELEM_READ(v, i), level + 1, depth + 1);
	}
}

static bool has_newline(const struct ktsnap_value *v, uint32_t n)
{
	uint32_t i;
	uint8_t b = 0;

	for (i = 0; i < n; i++)
		if (byte_elem(KTSNAP_ELEM_READ(v, i), &b) && b == '\n')
			return true;
	return false;
}

/* A struct with a visible multi-line text member prints as a block. */
static bool holds_text_block(const struct ktsnap_value *v)
{
	uint32_t i, n;

	if (v->kind != KTSNAP_VALUE_STRUCT)
		return false;
	for (i = 0; i < v->n; i++) {
		const struct ktsnap_value *m = ktsnap_mval(v, i);

		if (!hidden_member(v, i) && is_text(m, &n) && has_newline(m, n))
			return true;
	}
	return false;
}

static void pretty(struct ktsnap_sink *s, const char *label, const char *sep,
		   const struct ktsnap_value *v, int level, int depth)
{
	long budget = WIDTH - 2L * level - (long)strlen(label) - (label[0] ? (long)strlen(sep) : 0);

	if (depth > MAX_DEPTH || (!holds_text_block(v) && fits(v, budget) >= 0) ||
	    (v->kind != KTSNAP_VALUE_STRUCT && v->kind != KTSNAP_VALUE_ARRAY &&
	     v->kind != KTSNAP_VALUE_PTR && v->kind != KTSNAP_VALUE_TRUNCATED)) {
		uint32_t n;

		/* text with newlines reads better as a block */
		if (v->kind == KTSNAP_VALUE_ARRAY && is_text(v, &n) && has_newline(v, n)) {
			pretty_array(s, label, sep, v, level, depth);
			return;
		}
		indent_(s, level);
		if (label[0]) {
			sink_put_name(s, label);
			sink_puts(s, sep);
		}
		inl(s, v, depth);
		sink_put(s, "\n", 1);
		return;
	}
	switch (v->kind) {
	case KTSNAP_VALUE_STRUCT:
		indent_(s, level);
		if (label[0]) {
			sink_put_name(s, label);
			if (ktsnap_struct_type(v))
				put_name_in(s, " (", ktsnap_struct_type(v), ")");
			sink_puts(s, ":\n");
		} else if (ktsnap_struct_type(v)) {
			sink_put_name(s, ktsnap_struct_type(v));
			sink_puts(s, ":\n");
		}
		pretty_struct_body(s, v, level + 1, depth);
		break;
	case KTSNAP_VALUE_ARRAY:
		pretty_array(s, label, sep, v, level, depth);
		break;
	case KTSNAP_VALUE_PTR:
		indent_(s, level);
		if (label[0]) {
			sink_put_name(s, label);
			sink_puts(s, sep);
		}
		ptr_head(s, v);
		sink_puts(s, " →\n");
		pretty(s, "", "", v->p->deref, level + 1, depth + 1);
		break;
	case KTSNAP_VALUE_TRUNCATED:
		indent_(s, level);
		if (label[0]) {
			sink_put_name(s, label);
			sink_puts(s, sep);
		}
		sink_putf(s, "<truncated needed=%" PRIu64 " had=%" PRIu64 ">\n", v->t->needed,
			  v->t->had);
		if (v->t->partial)
			pretty(s, "", "", v->t->partial, level + 1, depth + 1);
		break;
	default:
		break;
	}
}

/* ---- public entry points ----------------------------------------------------------- */
int ktsnap_value__format(const struct ktsnap_value *v, char *buf, size_t size)
{
	struct ktsnap_sink s = { .buf = buf, .size = size };

	if (!v) {
		if (buf && size)
			buf[0] = '\0';
		return ktsnap_fail_static(-EINVAL, "format: no value");
	}
	inl(&s, v, 0);
	sink_finish(&s);
	return s.len > INT32_MAX ? INT32_MAX : (int)s.len;
}

int ktsnap_value__format_pretty(const struct ktsnap_value *v, int indent, char *buf, size_t size)
{
	struct ktsnap_sink s = { .buf = buf, .size = size };

	if (!v || indent > KTSNAP_PRETTY_MAX_INDENT) {
		if (buf && size)
			buf[0] = '\0';
		return ktsnap_fail(-EINVAL, "format_pretty: %s",
				   v ? "indent too large" : "no value");
	}
	pretty(&s, "", "", v, indent < 0 ? 0 : indent, 0);
	sink_finish(&s);
	return s.len > INT32_MAX ? INT32_MAX : (int)s.len;
}

int ktsnap_value__fprint(const struct ktsnap_value *v, FILE *f, int indent)
{
	struct ktsnap_sink s = { .f = f };

	if (!v || !f || indent > KTSNAP_PRETTY_MAX_INDENT)
		return ktsnap_fail(-EINVAL, "fprint: %s",
				   !v ? "no value" :
				   !f ? "no stream" :
					"indent too large");
	pretty(&s, "", "", v, indent < 0 ? 0 : indent, 0);
	if (s.err)
		return s.err;
	return s.len > INT32_MAX ? INT32_MAX : (int)s.len;
}
