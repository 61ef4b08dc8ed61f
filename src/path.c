// SPDX-License-Identifier: MIT
/*
 * The dotted-path walk of spec §6.8, and the pointer peeling rules the
 * views share.  Walks never allocate: error records keep offsets into
 * their copy of the requested path.
 */
#include <errno.h>
#include <string.h>

#include "view_internal.h"

const struct ktsnap_value *ktsnap_peel_ptrs(const struct ktsnap_value *v)
{
	unsigned int hops = 0;

	/* The reference bumps its counter after each deref and stops once
	 * it exceeds the cap, so one more deref than the cap is followed. */
	while (v && v->kind == KTSNAP_VALUE_PTR && v->p.deref) {
		v = v->p.deref;
		if (++hops > KTSNAP_PTR_HOP_CAP)
			break;
	}
	return v;
}

const struct ktsnap_value *ktsnap_peel_all(const struct ktsnap_value *v)
{
	unsigned int hops = 0;

	/* trees are acyclic, but a hostile file can nest deeply */
	while (v && hops++ < 4096) {
		if (v->kind == KTSNAP_VALUE_PTR && v->p.deref)
			v = v->p.deref;
		else if (v->kind == KTSNAP_VALUE_TRUNCATED && v->t.partial)
			v = v->t.partial;
		else
			break;
	}
	return v;
}

static const struct ktsnap_value *member_n(const struct ktsnap_value *v, const char *name,
					   size_t len)
{
	uint32_t i;

	for (i = 0; i < v->s.nr; i++) {
		const char *n = v->s.m[i].name;

		if (!strncmp(n, name, len) && n[len] == '\0')
			return &v->s.m[i].v;
	}
	return NULL;
}

const struct ktsnap_value *ktsnap_top_member(const struct ktsnap_value *v, const char *name)
{
	v = ktsnap_peel_ptrs(v);
	if (!v || v->kind != KTSNAP_VALUE_STRUCT || !name)
		return NULL;
	return member_n(v, name, strlen(name));
}

int ktsnap_walk(const struct ktsnap_value *root, const char *path,
		const struct ktsnap_value **out, struct ktsnap_error *err)
{
	const struct ktsnap_value *cur = root, *next;
	const char *p = path, *dot;
	size_t walked = 0, len;

	if (!*path) {
		*out = root;
		return 0;
	}
	for (;;) {
		dot = strchr(p, '.');
		len = dot ? (size_t)(dot - p) : strlen(p);
		if (!len) {
			ktsnap_err_init(err, KTSNAP_ERR_EMPTY_PATH_COMPONENT);
			ktsnap_err_set_text(err, path);
			return -ENOENT;
		}
		cur = ktsnap_peel_ptrs(cur);
		if (cur->kind != KTSNAP_VALUE_STRUCT) {
			ktsnap_err_init(err, KTSNAP_ERR_NOT_A_STRUCT);
			err->u.path.got = ktsnap_value_kind__name(cur->kind);
			ktsnap_err_set_path(err, path, walked, p, len);
			return -ENOENT;
		}
		next = member_n(cur, p, len);
		if (!next) {
			ktsnap_err_init(err, KTSNAP_ERR_FIELD_NOT_FOUND);
			err->u.path.members = cur;
			ktsnap_err_set_path(err, path, walked, p, len);
			return -ENOENT;
		}
		cur = next;
		walked = (size_t)(p - path) + len;
		if (!dot)
			break;
		p = dot + 1;
	}
	*out = cur;
	return 0;
}
