// SPDX-License-Identifier: MIT
/*
 * json_scan: the report reader's own passes over the raw text (interface
 * and rationale in json_scan.h).  The lexical check rejects what json-c
 * accepts or silently alters but the writer never emits.  The structural
 * scan finds every array worth cutting out, so that json-c only ever
 * builds the DOM of small pieces: json-c spends about 40 bytes of memory
 * per byte of a list of small integers ("1,"), so a 100 MB report made of
 * one such list took 4 GB when parsed whole.  Cut arrays are replaced in
 * the parsed copy by a marker string that names them; the marker carries a
 * per-read random tag, so a file cannot forge one.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ktsnap/json.h>

#include "json_scan.h"
#include "jw.h"
#include "log_internal.h"
#include "util_internal.h"

/* ---- lexical check ---------------------------------------------------------------- */

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Is the integer token [s, s+n) (optional '-', digits) within i64/u64? */
static bool int_in_range(const char *s, size_t n)
{
	static const char u64max[] = "18446744073709551615";
	static const char i64min[] = "9223372036854775808";
	bool neg = *s == '-';
	const char *lim = neg ? i64min : u64max;
	size_t limlen = strlen(lim);

	if (neg) {
		s++;
		n--;
	}
	if (n != limlen)
		return n < limlen;
	return memcmp(s, lim, n) <= 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 :
				      -1;
}

/* \uXXXX at @s (pointing at the backslash), or -1 */
static long esc_u(const char *s, size_t left)
{
	long v = 0;
	int i;

	if (left < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	for (i = 2; i < 6; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* 1: ASCII but '"' and '\\' (nothing to check) */
static const unsigned char str_plain[256] = {
	[0x00 ... 0x21] = 1,
	[0x23 ... 0x5b] = 1,
	[0x5d ... 0x7f] = 1,
};

#define BAD(at, fmt, ...) \
	ktsnap_fail(-EINVAL, "invalid report JSON at byte %zu: " fmt, (size_t)(at), ##__VA_ARGS__)

/* The string at buf[*i] (the opening quote); *i ends past the closing one. */
static int check_string(const char *buf, size_t len, size_t *i)
{
	size_t start = *i, k = start + 1, j;
	bool nul = false;

	for (;;) {
		unsigned char c;
		size_t n;
		long u, lo;

		while (k < len && str_plain[(unsigned char)buf[k]])
			k++;
		if (k >= len || buf[k] == '"')
			break;
		c = (unsigned char)buf[k];
		if (c == '\\') {
			u = esc_u(buf + k, len - k);
			if (u < 0) {
				k += 2;
				continue;
			}
			if (u >= 0xdc00 && u <= 0xdfff)
				return BAD(k, "unpaired surrogate \\u%04lx in a string", u);
			if (u >= 0xd800 && u <= 0xdbff) {
				lo = esc_u(buf + k + 6, len - k - 6);
				if (lo < 0xdc00 || lo > 0xdfff)
					return BAD(k, "unpaired surrogate \\u%04lx in a string", u);
				k += 12;
				continue;
			}
			nul |= u == 0;
			k += 6;
			continue;
		}
		n = ktsnap_utf8_seq((const unsigned char *)buf + k, len - k);
		if (!n)
			return BAD(k, "invalid UTF-8 in a string");
		k += n;
	}
	*i = k + 1;
	if (nul) {
		/* a field name with NUL would be cut there by json-c */
		for (j = *i; j < len && is_ws(buf[j]); j++)
			;
		if (j < len && buf[j] == ':')
			return BAD(start, "a field name contains a NUL character");
	}
	return 0;
}

int json_scan_check(const char *buf, size_t len)
{
	return json_scan_check_skip(buf, len, NULL, 0);
}

int json_scan_check_skip(const char *buf, size_t len, const size_t *skip, size_t nskip)
{
	size_t i = 0, r = 0;
	int err;

	while (i < len) {
		char c;

		if (r < nskip && i >= skip[2 * r]) {
			if (i < skip[2 * r + 1])
				i = skip[2 * r + 1];
			r++;
			continue;
		}
		c = buf[i];

		if (c == '"') {
			err = check_string(buf, len, &i);
			if (err)
				return err;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t start = i;
			bool integer = true;

			for (i++; i < len; i++) {
				c = buf[i];
				if (c == '.' || c == 'e' || c == 'E' || c == '+')
					integer = false;
				else if (!(c >= '0' && c <= '9') && c != '-')
					break;
			}
			if (integer && !int_in_range(buf + start, i - start))
				return BAD(start, "integer %.*s does not fit in 64 bits",
					   (int)(i - start > 40 ? 40 : i - start), buf + start);
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			size_t start = i;

			while (i < len && ((buf[i] >= 'a' && buf[i] <= 'z') ||
					   (buf[i] >= 'A' && buf[i] <= 'Z')))
				i++;
			if (!(i - start == 4 && !memcmp(buf + start, "true", 4)) &&
			    !(i - start == 5 && !memcmp(buf + start, "false", 5)) &&
			    !(i - start == 4 && !memcmp(buf + start, "null", 4)))
				return BAD(start, "unexpected token '%.*s'",
					   (int)(i - start > 20 ? 20 : i - start), buf + start);
		} else if (c == '\'') {
			return BAD(i, "unexpected character '''");
		} else {
			i++;
		}
	}
	return 0;
}

/* ---- structural scan: arrays to cut ------------------------------------------------ */

/* Arrays shorter than this stay in the parsed text: their DOM is small,
 * and cutting costs a copy and a parse per element (a 100k-entry map reads
 * about 20% slower when every 3-member struct is cut too). */
#define CUT_MIN 1024

struct cut {
	size_t open, close; /* offsets of '[' and ']' */
	size_t nr; /* elements */
	ssize_t parent; /* enclosing cut, -1: none */
};

struct json_splits {
	const char *buf;
	size_t len;
	struct cut *cuts; /* sorted by open */
	size_t nr, cap;
	uint64_t tag; /* per-read random tag of the markers */
};

static void skip_ws(const char *b, size_t len, size_t *pos)
{
	while (*pos < len && is_ws(b[*pos]))
		(*pos)++;
}

/* 1: '"' or '\\' (ends a run of plain string bytes) */
static const unsigned char str_stop[256] = { ['"'] = 1, ['\\'] = 1 };
/* 1: ends a token that is not a string (the scan leaves tokens to json-c) */
static const unsigned char tok_stop[256] = {
	[','] = 1, [']'] = 1, ['}'] = 1,  [':'] = 1,  ['['] = 1,  ['{'] = 1,
	['"'] = 1, [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, ['\0'] = 1,
};

/* The string at *pos (opening quote); false when unterminated. */
static bool skip_string(const char *b, size_t len, size_t *pos)
{
	const unsigned char *u = (const unsigned char *)b;
	size_t p = *pos + 1;

	for (;;) {
		while (p < len && !str_stop[u[p]])
			p++;
		if (p >= len) {
			*pos = len;
			return false;
		}
		if (u[p] == '"') {
			*pos = p + 1;
			return true;
		}
		p += 2; /* a backslash and what it escapes */
	}
}

struct frame {
	char type; /* '{' or '[' */
	size_t open;
	size_t count; /* values so far */
};

/* One pass: brackets, commas, colons and strings (tokens are json-c's to
 * check).  Records the arrays to cut; false on anything unexpected. */
static bool scan(struct json_splits *s)
{
	struct frame st[KTSNAP_JSON_MAX_DEPTH + 1];
	const char *b = s->buf;
	size_t len = s->len, pos = 0;
	int depth = -1;
	bool need_value = true; /* a value must come next (no closing bracket) */

	for (;;) {
		struct frame *f = depth >= 0 ? &st[depth] : NULL;
		char c;

		skip_ws(b, len, &pos);
		if (pos >= len)
			return false;
		c = b[pos];
		if (f && f->type == '{' && c != '}') {
			/* "key": */
			if (c != '"' || !skip_string(b, len, &pos))
				return false;
			skip_ws(b, len, &pos);
			if (pos >= len || b[pos] != ':')
				return false;
			pos++;
			skip_ws(b, len, &pos);
			if (pos >= len)
				return false;
			c = b[pos];
			need_value = true;
		}
		if (f && (c == '}' || c == ']')) {
			if (c != (f->type == '{' ? '}' : ']') || need_value)
				return false; /* mismatched, "[1,]", "{"a":}" */
			if (f->type == '[' && pos - f->open >= CUT_MIN) {
				if (KTSNAP_ENSURE(s->cuts, s->cap, s->nr + 1))
					return false;
				s->cuts[s->nr++] = (struct cut){ f->open, pos, f->count, -1 };
			}
			pos++;
			depth--;
		} else if (c == '{' || c == '[') {
			if (depth + 1 >= KTSNAP_JSON_MAX_DEPTH)
				return false;
			st[++depth] = (struct frame){ .type = c, .open = pos };
			pos++;
			need_value = false; /* "[]" and "{}" may close at once */
			continue;
		} else if (c == '"') {
			if (!skip_string(b, len, &pos))
				return false;
		} else {
			size_t start = pos;

			while (pos < len && !tok_stop[(unsigned char)b[pos]])
				pos++;
			if (pos == start)
				return false;
		}
		/* a value ended */
		need_value = false;
		if (depth < 0) {
			skip_ws(b, len, &pos);
			return pos == len;
		}
		f = &st[depth];
		f->count++;
		skip_ws(b, len, &pos);
		if (pos >= len)
			return false;
		if (b[pos] == ',') {
			pos++;
			need_value = true;
		} else if (b[pos] != (f->type == '{' ? '}' : ']')) {
			return false;
		}
	}
}

static int cmp_open(const void *a, const void *b)
{
	const struct cut *x = a, *y = b;

	return x->open < y->open ? -1 : x->open > y->open;
}

static uint64_t random_tag(const void *p)
{
	static _Atomic uint64_t counter;
	struct timespec ts;
	uint64_t in[4];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	in[0] = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	in[1] = (uint64_t)(uintptr_t)p;
	in[2] = counter++;
	clock_gettime(CLOCK_REALTIME, &ts);
	in[3] = (uint64_t)ts.tv_nsec;
	return ktsnap_fnv1a(in, sizeof(in));
}

struct json_splits *json_splits_find(const char *buf, size_t len, bool *wellformed)
{
	struct json_splits *s = calloc(1, sizeof(*s));
	ssize_t *stack = NULL;
	size_t i, top = 0, cap = 0;

	if (!s)
		return NULL;
	s->buf = buf;
	s->len = len;
	s->tag = random_tag(s);
	*wellformed = scan(s);
	if (!*wellformed) {
		/* no cuts: json-c parses (and reports on) the whole text */
		s->nr = 0;
		return s;
	}
	/* cuts were recorded as they closed; nest them by position */
	if (s->nr)
		qsort(s->cuts, s->nr, sizeof(*s->cuts), cmp_open);
	for (i = 0; i < s->nr; i++) {
		while (top && s->cuts[stack[top - 1]].close < s->cuts[i].open)
			top--;
		s->cuts[i].parent = top ? stack[top - 1] : -1;
		if (KTSNAP_ENSURE(stack, cap, top + 1)) {
			free(stack);
			json_splits_free(s);
			return NULL;
		}
		stack[top++] = (ssize_t)i;
	}
	free(stack);
	return s;
}

void json_splits_free(struct json_splits *s)
{
	if (!s)
		return;
	free(s->cuts);
	free(s);
}

/* The first cut opening at or after @pos. */
static size_t first_at(const struct json_splits *s, size_t pos)
{
	size_t lo = 0, hi = s->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->cuts[mid].open < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#define MARK_PREFIX "\\u0000ks:"

/* The marker of cut @i (a JSON string) at @dst, in at most @room bytes
 * with its NUL; its length. */
static int put_marker(char *dst, size_t room, const struct json_splits *s, size_t i)
{
	return snprintf(dst, room, "\"" MARK_PREFIX "%016llx:%zu\"", (unsigned long long)s->tag, i);
}

int json_splits_text(const struct json_splits *s, ssize_t parent, size_t start, size_t end,
		     char **copy)
{
	size_t i = first_at(s, start);
	char *t = NULL;

	*copy = NULL;
	for (; i < s->nr && s->cuts[i].open < end; i++) {
		const struct cut *c = &s->cuts[i];
		size_t room = c->close - c->open - 1;
		int n;

		if (c->parent != parent)
			continue;
		if (!t) {
			t = malloc(end - start ? end - start : 1);
			if (!t)
				return -ENOMEM;
			memcpy(t, s->buf + start, end - start);
		}
		memset(t + (c->open + 1 - start), ' ', room);
		n = put_marker(t + (c->open + 1 - start), room, s, i);
		t[c->open + 1 - start + (size_t)n] = ' '; /* snprintf's NUL */
	}
	*copy = t;
	return 0;
}

int json_splits_compact(const struct json_splits *s, ssize_t parent, size_t start, size_t end,
			char **copy, size_t *len)
{
	size_t i = first_at(s, start), pos = start, n = 0;
	char *t = NULL;

	*copy = NULL;
	*len = end - start;
	for (; i < s->nr && s->cuts[i].open < end; i++) {
		const struct cut *c = &s->cuts[i];
		int k;

		if (c->parent != parent)
			continue;
		if (!t) {
			t = malloc(end - start);
			if (!t)
				return -ENOMEM;
		}
		memcpy(t + n, s->buf + pos, c->open + 1 - pos);
		n += c->open + 1 - pos;
		/* the marker fits: json_splits_text() puts it in the same room */
		k = put_marker(t + n, c->close - c->open, s, i);
		n += (size_t)k;
		pos = c->close;
	}
	if (!t)
		return 0;
	memcpy(t + n, s->buf + pos, end - pos);
	n += end - pos;
	*copy = t;
	*len = n;
	return 0;
}

ssize_t json_splits_marker(const struct json_splits *s, const char *str, size_t len)
{
	char want[32];
	unsigned long long idx;
	char *end;
	int n;

	if (!s || len < 4 || memcmp(str, "\0ks:", 4))
		return -1;
	n = snprintf(want, sizeof(want), "%016llx:", (unsigned long long)s->tag);
	if (len <= 4 + (size_t)n || memcmp(str + 4, want, (size_t)n))
		return -1;
	idx = strtoull(str + 4 + n, &end, 10);
	if (end != str + len || idx >= s->nr)
		return -1;
	return (ssize_t)idx;
}

size_t json_splits_count(const struct json_splits *s, ssize_t idx)
{
	return s->cuts[idx].nr;
}

/* Past the value at *pos (the scan has checked the structure); the
 * arrays cut out of it are stepped over whole. */
static void skip_value(const struct json_splits *s, size_t len, size_t *pos)
{
	const char *b = s->buf;
	size_t next = first_at(s, *pos);
	size_t next_open = next < s->nr ? s->cuts[next].open : SIZE_MAX;
	int depth = 0;

	while (*pos < len) {
		char c = b[*pos];

		if (*pos == next_open) {
			/* at its '[': continue at its ']' */
			depth++;
			*pos = s->cuts[next].close;
			next = first_at(s, *pos);
			next_open = next < s->nr ? s->cuts[next].open : SIZE_MAX;
			continue;
		}

		if (c == '"') {
			skip_string(b, len, pos);
			if (!depth)
				return;
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (!depth)
				return;
			(*pos)++;
			if (!--depth)
				return;
			continue;
		} else if (!depth && (c == ',' || is_ws(c))) {
			return;
		}
		(*pos)++;
	}
}

bool json_splits_peek(const struct json_splits *s, ssize_t idx, size_t cursor, size_t *start,
		      size_t *close)
{
	const struct cut *c = &s->cuts[idx];
	size_t pos = cursor ? cursor : c->open + 1;

	skip_ws(s->buf, c->close, &pos);
	if (pos < c->close && s->buf[pos] == ',')
		pos++;
	skip_ws(s->buf, c->close, &pos);
	*start = pos;
	*close = c->close;
	return pos < c->close;
}

bool json_splits_next(const struct json_splits *s, ssize_t idx, size_t *cursor, size_t *start,
		      size_t *end)
{
	size_t pos, close;

	if (!json_splits_peek(s, idx, *cursor, &pos, &close))
		return false;
	*start = pos;
	skip_value(s, close, &pos);
	*end = pos;
	*cursor = pos;
	return true;
}
