/* SPDX-License-Identifier: MIT */
/*
 * json_plan: BTF types compiled into "text, number at offset, text…" so
 * the JSON writer can write big maps straight from their bytes
 * (json_plan.c says which shapes compile).
 */
#ifndef KTSNAP_JSON_PLAN_H
#define KTSNAP_JSON_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "jw.h"

struct btf;
struct json_plan;

/*
 * Compile BTF type @type_id (whose values are @size bytes) into a plan
 * that writes the value's JSON straight from its bytes.  NULL when the
 * type is not one of the compiled shapes (the caller renders instead) or
 * on ENOMEM.  Caller frees with json_plan_free().
 */
struct json_plan *json_plan_compile(const struct btf *btf, uint32_t type_id, size_t size);
void json_plan_free(struct json_plan *p);
/* Write one value (a complete JSON value at the writer's position). */
void json_plan_write(const struct json_plan *p, struct json_writer *w, const uint8_t *data);

#endif
