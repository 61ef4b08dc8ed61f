// SPDX-License-Identifier: MIT
/*
 * The BPF-map plumbing of scenario ops: finding a live map by exact
 * name, by name suffix or by the BPF object that created it (walking map
 * ids, lowest first, optionally limited to a set of ids), resolving a
 * global variable's offset from the map's BTF, and the read-modify-write
 * of a u32 in key 0 of an ARRAY map.  No scenario state and no texts:
 * scenario.c turns the errno values into the ops' messages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "capture_internal.h"
#include "scenario_internal.h"
#include "util_internal.h"

static bool admitted(const struct ktsnap_capture_opts *filter, uint32_t id)
{
	if (!filter || !filter->map_ids || !filter->nr_map_ids)
		return true;
	return ktsnap_u32_in(filter->map_ids, filter->nr_map_ids, id);
}

struct find_ctx {
	const struct ktsnap_capture_opts *filter;
	ktsnap_map_match_fn match;
	const void *arg;
	struct bpf_map_info *info;
};

static int find_one(int fd, struct bpf_map_info *info, void *ctx)
{
	struct find_ctx *c = ctx;

	if (!admitted(c->filter, info->id) || !c->match(info, c->arg))
		return 0;
	*c->info = *info;
	return 1;
}

int ktsnap_map_find(const struct ktsnap_capture_opts *filter, ktsnap_map_match_fn match,
		    const void *arg, struct bpf_map_info *info)
{
	struct find_ctx c = { filter, match, arg, info };
	int err = ktsnap_maps_walk(false, find_one, &c), fd;

	if (err <= 0)
		return err ? err : -ENOENT;
	/* the walk closes what it opened: open the one found again */
	fd = bpf_map_get_fd_by_id(info->id);
	return fd < 0 ? -ENOENT : fd;
}

bool ktsnap_map_match_suffix(const struct bpf_map_info *info, const void *arg)
{
	const char *suffix = arg;
	size_t n = strlen(info->name), s = strlen(suffix);

	return n >= s && !strcmp(info->name + n - s, suffix);
}

bool ktsnap_map_match_name(const struct bpf_map_info *info, const void *arg)
{
	return !strcmp(info->name, (const char *)arg);
}

/*
 * The object is found the way capture's --obj finds it (capture.c): by
 * its global-section maps under the full or libbpf's cut name, then by
 * BTF identity; an object not loaded yet has no ids.
 */
int ktsnap_map_ids_of_obj(const struct ktsnap_capture_opts *filter, const char *obj, uint32_t **ids,
			  size_t *n)
{
	struct ktsnap_id_set maps = {}, progs = {};
	struct ktsnap_namelist known = {};
	size_t i, kept = 0;
	int err;

	*ids = NULL;
	*n = 0;
	err = ktsnap_obj_ids(obj, &maps, &progs, &known);
	ktsnap_id_set_free(&progs);
	if (err) {
		ktsnap_id_set_free(&maps);
		return err == -ENOENT ? 0 : err;
	}
	/* keep the admitted ids in place and hand the set's array over */
	for (i = 0; i < maps.n; i++)
		if (admitted(filter, maps.ids[i]))
			maps.ids[kept++] = maps.ids[i];
	*ids = maps.ids;
	*n = kept;
	return 0;
}

int ktsnap_map_var_offset(const struct bpf_map_info *info, const char *var, uint32_t *off)
{
	const struct btf_type *t;
	struct btf *btf;
	int err = -ENOENT;
	__u16 i;

	if (!info->btf_id || !info->btf_value_type_id)
		return -ENODATA;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return -errno;
	t = btf__type_by_id(btf, info->btf_value_type_id);
	if (t && btf_is_datasec(t)) {
		const struct btf_var_secinfo *vs = btf_var_secinfos(t);

		for (i = 0; i < btf_vlen(t); i++) {
			const struct btf_type *v = btf__type_by_id(btf, vs[i].type);

			if (v && !strcmp(btf__name_by_offset(btf, v->name_off), var)) {
				*off = vs[i].offset;
				err = 0;
				break;
			}
		}
	} else if (t && btf_is_struct(t)) {
		const struct btf_member *m = btf_members(t);

		for (i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(btf, m[i].name_off), var) &&
			    btf_member_bitfield_size(t, i) == 0) {
				*off = btf_member_bit_offset(t, i) / 8;
				err = 0;
				break;
			}
	}
	btf__free(btf);
	return err;
}

int ktsnap_map_write_u32(int fd, uint32_t value_size, uint32_t off, uint32_t value)
{
	uint32_t key = 0;
	uint8_t *val;
	int err = 0;

	if ((uint64_t)off + sizeof(value) > value_size)
		return -ERANGE;
	val = calloc(1, value_size);
	if (!val)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, val)) {
		err = -errno;
	} else {
		memcpy(val + off, &value, sizeof(value));
		if (bpf_map_update_elem(fd, &key, val, BPF_ANY))
			err = -errno;
	}
	free(val);
	return err;
}
