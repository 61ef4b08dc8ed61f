/* SPDX-License-Identifier: MIT */
/* Shared between json_write.c and other writers of JSON (diff.c). */
#ifndef KTSNAP_JSON_INTERNAL_H
#define KTSNAP_JSON_INTERNAL_H

#include "jw.h"
#include "report_internal.h"

/* A RenderedValue object as in report files (NULL writes null). */
void ktsnap_json_write_value(struct json_writer *w, const struct ktsnap_value *v);

#endif
