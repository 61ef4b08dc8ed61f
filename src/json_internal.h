/* SPDX-License-Identifier: MIT */
/*
 * What the report-file code shares: the schema tables that name every field
 * of a report file once (json_schema.c, read by json_read.c and written by
 * json_write.c), and the RenderedValue writer other writers of JSON (diff.c)
 * reuse.
 */
#ifndef KTSNAP_JSON_INTERNAL_H
#define KTSNAP_JSON_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include <ktsnap/json.h>

#include "jw.h"
#include "report_internal.h"

/* ktsnap_report__write_json() warns (print callback) when it writes more
 * than this: KTSNAP_JSON_MAX_INPUT, what a stream reader accepts (tests
 * lower it). */
extern uint64_t json_write_warn_bytes;

/* A RenderedValue object as in report files (NULL writes null). */
void ktsnap_json_write_value(struct json_writer *w, const struct ktsnap_value *v);

/* ---- schema tables -------------------------------------------------------------
 *
 * A record (a JSON object with a fixed field set) is a table of fields in
 * the order the writer emits them.  The reader accepts the fields in any
 * order, rejects names that are not in the table, and stores each field at
 * its offset in the C record.  Adding a field is one line in json_schema.c.
 */
enum json_ftype {
	JF_U64,
	JF_U32,
	JF_I64,
	JF_I32,
	JF_BOOL,
	JF_STR, /* const char *; NULL is written "" unless JF_OMIT_NULL */
	JF_F64,
	JF_U64_LIST, /* uint64_t * at off, size_t count at aux */
	JF_U64_FIXED, /* uint64_t[n] inline: all n written, at most n read */
	JF_U32_LIST, /* uint32_t * at off, size_t count at aux (values ≤ UINT32_MAX) */
	JF_RECORDS, /* array of sub records: void * at off, size_t count at aux */
	JF_OBJECT, /* one sub record: void * at off (NULL: absent) */
	JF_RAW, /* const char * holding compact JSON text kept verbatim */
	JF_HOOK, /* the caller's: read and written by a callback */
};

enum json_fflags {
	JF_OMIT_NULL = 1 << 0, /* STR/RAW/OBJECT: not written when NULL */
	JF_OMIT_EMPTY = 1 << 1, /* lists: not written when empty; BOOL/U64: when false/0 */
	JF_HAS = 1 << 2, /* written only when the bool at aux is set; read sets it */
	JF_COUNT_FIELD = 1 << 3, /* U64_LIST: count is the uint32_t field at aux (checked) */
	JF_NULL_OK = 1 << 4, /* RAW: JSON null is a value (kept as "null") */
	JF_ARRAY = 1 << 5, /* RAW: must be an array (else an object, unless NULL_OK) */
	JF_ANY = 1 << 6, /* RAW: any JSON value */
};

struct json_record;

struct json_field {
	const char *name;
	unsigned char type; /* enum json_ftype */
	unsigned char flags; /* enum json_fflags */
	unsigned short n; /* U64_FIXED: element count */
	size_t off;
	ssize_t aux; /* see the types and flags; -1 when unused */
	const struct json_record *sub; /* RECORDS / OBJECT */
};

struct json_record {
	const char *what; /* for messages and tests */
	size_t size; /* sizeof the C record */
	const struct json_field *f;
	size_t nr;
};

/* The records of a "single" report and of its maps. */
extern const struct json_record json_rec_report; /* "schema", "maps" are hooks */
extern const struct json_record json_rec_map; /* the layout lists are a hook */
extern const struct json_record json_rec_ringbuf;
extern const struct json_record json_rec_stack_trace;
extern const struct json_record json_rec_fd_array;
/* "dual" and "degraded" sidecars (spec §3.1, "Other schemas") */
extern const struct json_record json_rec_dual;
extern const struct json_record json_rec_degraded;

/* The map keys the layout hook owns, in the order a map may hold them. */
extern const char *const json_layout_keys[5];

/*
 * The C side of the other two schemas (report->sidecar): what
 * ktsnap_report__dual() and ktsnap_report__degraded() return.  A "dual"
 * report is its late half (the report itself) with the early half
 * (report->early, which owns it; dual.early borrows it) and the jiffies
 * fields attached; a "degraded" report holds no maps, only these fields.
 */
struct ktsnap_sidecar {
	struct ktsnap_dual_info dual;
	struct ktsnap_degraded_info degraded;
};

#endif
