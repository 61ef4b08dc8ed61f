/* SPDX-License-Identifier: MIT */
/*
 * Internal layout of the report model.  Shared by report.c (ownership,
 * accessors, builders), render.c (BTF bytes → values), capture.c (live
 * kernel → report), json_*.c and view.c.  Nothing here is public API.
 *
 * Memory: every rendered value, string and small record of a report
 * comes from the report's arena (freed in one go by ktsnap_report__free);
 * only the large raw key/value buffers of captured maps are separate
 * allocations (map->raw), so a capture is a handful of mallocs.  A
 * captured map renders into its own arena (map->render_arena) so its
 * value trees can be dropped and rendered again from the raw bytes
 * (ktsnap_map_release_rendered).
 *
 *   report ─┬─ arena: [chunk]→[chunk]→…   values, strings, entries
 *           ├─ maps[nr_maps]  (array, realloc'd while building)
 *           │     └─ raw ──► [key0|key1|…][val0|val1|…]   (capture only)
 *           └─ btfs[]: struct btf * loaded for this capture (freed last)
 */
#ifndef KTSNAP_REPORT_INTERNAL_H
#define KTSNAP_REPORT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <ktsnap/report.h>

struct btf;
struct ktsnap_sidecar;

/* ---- arena ------------------------------------------------------------- */
struct ktsnap_arena_chunk;

struct ktsnap_arena {
	struct ktsnap_arena_chunk *head;
	size_t used; /* bytes used in head */
	size_t cap; /* capacity of head */
	size_t total; /* bytes handed out (all chunks) */
	size_t min_chunk; /* smallest chunk; 0: 64 KiB */
};

void ktsnap_arena_init(struct ktsnap_arena *a);
void ktsnap_arena_release(struct ktsnap_arena *a);
/* Zeroed, 8-byte aligned; NULL on ENOMEM. */
void *ktsnap_arena_alloc(struct ktsnap_arena *a, size_t size);
char *ktsnap_arena_strdup(struct ktsnap_arena *a, const char *s);
char *ktsnap_arena_strndup(struct ktsnap_arena *a, const char *s, size_t n);
char *ktsnap_arena_printf(struct ktsnap_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void *ktsnap_arena_memdup(struct ktsnap_arena *a, const void *p, size_t n);
/* Move every chunk of @src into @dst (which keeps allocating from its
 * current chunk); @src is left empty. */
void ktsnap_arena_splice(struct ktsnap_arena *dst, struct ktsnap_arena *src);
/* Forget every allocation but keep the newest chunk for reuse. */
void ktsnap_arena_reset(struct ktsnap_arena *a);
/* A point to go back to: ktsnap_arena_rewind() forgets what was allocated
 * since ktsnap_arena_mark() when it all came from the same chunk (else it
 * keeps it: only memory is lost).  Nothing allocated since may be used. */
struct ktsnap_arena_mark {
	const void *head;
	size_t used, total;
};
void ktsnap_arena_mark(const struct ktsnap_arena *a, struct ktsnap_arena_mark *m);
void ktsnap_arena_rewind(struct ktsnap_arena *a, const struct ktsnap_arena_mark *m);

/* ---- values ------------------------------------------------------------ */
/*
 * A rendered value is a 16-byte node: a header (kind, flags, bits, n) and
 * an 8-byte payload that holds a scalar, a string or a pointer to a body
 * in the same arena.  Aggregates keep their children inline in the body:
 *
 *   STRUCT  n = members; s → { info, m[n] }, info = { type_name, names[] },
 *           shared by every instance of one BTF struct type a render makes
 *   ARRAY   n = stored elements; a → { len (declared), elems[n] }, or when
 *           KTSNAP_VF_FLAT (a map's rendered arrays of plain integers)
 *           fa → { len, the raw element bytes }, whose element nodes are
 *           made on first demand for a pointer (ktsnap_elem); read-only
 *           walkers decode them into a temporary instead (ktsnap_elem_read)
 *   ENUM    value fits 32 bits: n holds it (sign-extended when
 *           KTSNAP_VF_SEXT), str the variant; else e → { v, variant }
 *   PTR, TRUNCATED: p / t → a body with their fields
 *
 * Build values through the builders below; read them through the inline
 * helpers, which know where each field lives.
 */
enum {
	KTSNAP_VF_ENUM_SIGNED = 1, /* ENUM: is_signed */
	KTSNAP_VF_ENUM_BODY = 2, /* ENUM: value and variant in e */
	KTSNAP_VF_SEXT = 4, /* ENUM inline: n sign-extends */
	KTSNAP_VF_FLAT = 8, /* ARRAY of plain integers kept as raw bytes (fa) */
};
/* A flat array's element kind sits in flags >> 4, its width in bits. */
#define KTSNAP_VF_ELEM_SHIFT 4

struct ktsnap_struct_info {
	const char *type_name; /* NULL: anonymous */
	const char *names[]; /* "" for anonymous members */
};

struct ktsnap_value {
	uint8_t kind; /* enum ktsnap_value_kind */
	uint8_t flags; /* KTSNAP_VF_* */
	uint16_t bits; /* INT, UINT, FLOAT, ENUM */
	uint32_t n; /* STRUCT: members; ARRAY: stored elements; ENUM: inline value */
	union {
		int64_t i; /* INT */
		uint64_t u; /* UINT */
		double f; /* FLOAT */
		bool b; /* BOOL */
		uint8_t c; /* CHAR */
		const char *str; /* CPU_LIST, BYTES, UNSUPPORTED; inline ENUM's variant */
		struct ktsnap_struct_body *s;
		struct ktsnap_array_body *a;
		struct ktsnap_flat_body *fa;
		struct ktsnap_enum_body *e;
		struct ktsnap_ptr_body *p;
		struct ktsnap_trunc_body *t;
	};
};
_Static_assert(sizeof(struct ktsnap_value) == 16, "a value node is 16 bytes");

struct ktsnap_struct_body {
	const struct ktsnap_struct_info *info;
	struct ktsnap_value m[];
};

struct ktsnap_array_body {
	uint64_t len; /* declared length (≥ stored) */
	struct ktsnap_value elems[];
};

struct ktsnap_flat_body {
	uint64_t len; /* declared length (≥ stored) */
	_Atomic(struct ktsnap_value *) nodes; /* made on demand, or NULL */
	struct ktsnap_arena *arena; /* where they are made (the map's) */
	uint8_t raw[]; /* n elements of bits / 8 bytes */
};

struct ktsnap_enum_body {
	int64_t v; /* unsigned: bit pattern */
	const char *variant; /* NULL: unknown */
};

struct ktsnap_ptr_body {
	uint64_t v;
	struct ktsnap_value *deref;
	const char *skip_reason;
	const char *cast;
};

struct ktsnap_trunc_body {
	uint64_t needed;
	uint64_t had;
	struct ktsnap_value *partial;
};

/* ---- reading (internal; the public getters are in value.c) ---- */
static inline const char *ktsnap_mname(const struct ktsnap_value *v, uint32_t i)
{
	return v->s->info->names[i];
}

static inline const struct ktsnap_value *ktsnap_mval(const struct ktsnap_value *v, uint32_t i)
{
	return &v->s->m[i];
}

static inline const char *ktsnap_struct_type(const struct ktsnap_value *v)
{
	return v->s ? v->s->info->type_name : NULL;
}

static inline uint64_t ktsnap_array_len(const struct ktsnap_value *v)
{
	if (v->flags & KTSNAP_VF_FLAT)
		return v->fa->len;
	return v->a ? v->a->len : 0;
}

/* Element @i of a flat array, decoded. */
static inline struct ktsnap_value ktsnap_flat_elem(const struct ktsnap_value *v, uint32_t i)
{
	unsigned int bits = v->bits, size = bits / 8;
	const uint8_t *p = v->fa->raw + (size_t)i * size;
	struct ktsnap_value e = { .kind = (uint8_t)(v->flags >> KTSNAP_VF_ELEM_SHIFT) };
	uint64_t raw = 0;

	__builtin_memcpy(&raw, p, size); /* little-endian hosts, as the renderer */
	switch (e.kind) {
	case KTSNAP_VALUE_BOOL:
		e.b = raw != 0;
		break;
	case KTSNAP_VALUE_CHAR:
		e.c = (uint8_t)raw;
		break;
	case KTSNAP_VALUE_INT:
		e.bits = (uint16_t)bits;
		e.i = bits < 64 ? (int64_t)(raw << (64 - bits)) >> (64 - bits) : (int64_t)raw;
		break;
	default:
		e.bits = (uint16_t)bits;
		e.u = raw;
		break;
	}
	return e;
}

/* The element nodes of flat array @v, made once (thread-safe). */
const struct ktsnap_value *ktsnap_flat_nodes(const struct ktsnap_value *v, uint32_t i);

/* A pointer to element @i that lives as long as the tree. */
static inline const struct ktsnap_value *ktsnap_elem(const struct ktsnap_value *v, uint32_t i)
{
	if (v->flags & KTSNAP_VF_FLAT)
		return ktsnap_flat_nodes(v, i);
	return &v->a->elems[i];
}

/* Element @i for reading now: in the tree, or decoded into @tmp. */
static inline const struct ktsnap_value *ktsnap_elem_read(const struct ktsnap_value *v, uint32_t i,
							  struct ktsnap_value *tmp)
{
	if (v->flags & KTSNAP_VF_FLAT) {
		*tmp = ktsnap_flat_elem(v, i);
		return tmp;
	}
	return &v->a->elems[i];
}

/* Element @i for reading within the enclosing statement: its temporary is
 * a compound literal of the caller's block. */
#define KTSNAP_ELEM_READ(v, i) ktsnap_elem_read((v), (i), &(struct ktsnap_value){ 0 })

static inline int64_t ktsnap_enum_v(const struct ktsnap_value *v)
{
	if (v->flags & KTSNAP_VF_ENUM_BODY)
		return v->e->v;
	return v->flags & KTSNAP_VF_SEXT ? (int64_t)(int32_t)v->n : (int64_t)v->n;
}

static inline const char *ktsnap_enum_variant(const struct ktsnap_value *v)
{
	return v->flags & KTSNAP_VF_ENUM_BODY ? v->e->variant : v->str;
}

static inline bool ktsnap_enum_signed(const struct ktsnap_value *v)
{
	return v->flags & KTSNAP_VF_ENUM_SIGNED;
}

/* ---- building: scalars by value (they need no arena) ---- */
static inline struct ktsnap_value ktsnap_uint_of(uint32_t bits, uint64_t x)
{
	return (struct ktsnap_value){ .kind = KTSNAP_VALUE_UINT, .bits = (uint16_t)bits, .u = x };
}

static inline struct ktsnap_value ktsnap_int_of(uint32_t bits, int64_t x)
{
	return (struct ktsnap_value){ .kind = KTSNAP_VALUE_INT, .bits = (uint16_t)bits, .i = x };
}

static inline struct ktsnap_value ktsnap_float_of(uint32_t bits, double x)
{
	return (struct ktsnap_value){ .kind = KTSNAP_VALUE_FLOAT, .bits = (uint16_t)bits, .f = x };
}

static inline struct ktsnap_value ktsnap_bool_of(bool x)
{
	return (struct ktsnap_value){ .kind = KTSNAP_VALUE_BOOL, .b = x };
}

static inline struct ktsnap_value ktsnap_char_of(uint8_t x)
{
	return (struct ktsnap_value){ .kind = KTSNAP_VALUE_CHAR, .c = x };
}

/* CPU_LIST (cpus), BYTES (hex), UNSUPPORTED (reason): @s is kept, not copied. */
static inline struct ktsnap_value ktsnap_str_of(enum ktsnap_value_kind kind, const char *s)
{
	return (struct ktsnap_value){ .kind = (uint8_t)kind, .str = s };
}

/* ---- building: in place (scalars need no arena) ---- */
static inline void ktsnap_value_set_uint(struct ktsnap_value *v, uint32_t bits, uint64_t x)
{
	*v = ktsnap_uint_of(bits, x);
}

static inline void ktsnap_value_set_int(struct ktsnap_value *v, uint32_t bits, int64_t x)
{
	*v = ktsnap_int_of(bits, x);
}

static inline void ktsnap_value_set_float(struct ktsnap_value *v, uint32_t bits, double x)
{
	*v = ktsnap_float_of(bits, x);
}

static inline void ktsnap_value_set_bool(struct ktsnap_value *v, bool x)
{
	*v = ktsnap_bool_of(x);
}

static inline void ktsnap_value_set_char(struct ktsnap_value *v, uint8_t x)
{
	*v = ktsnap_char_of(x);
}

/* CPU_LIST (cpus), BYTES (hex), UNSUPPORTED (reason): @s is kept, not copied. */
static inline void ktsnap_value_set_str(struct ktsnap_value *v, enum ktsnap_value_kind kind,
					const char *s)
{
	*v = ktsnap_str_of(kind, s);
}

/* ---- building: in place with bodies from @a (0 or -ENOMEM; strings and
 * children are kept, not copied) ---- */
int ktsnap_value_set_enum(struct ktsnap_arena *a, struct ktsnap_value *v, uint32_t bits,
			  bool is_signed, int64_t x, const char *variant);
int ktsnap_value_set_ptr(struct ktsnap_arena *a, struct ktsnap_value *v, uint64_t x,
			 struct ktsnap_value *deref, const char *skip_reason, const char *cast);
int ktsnap_value_set_truncated(struct ktsnap_arena *a, struct ktsnap_value *v, uint64_t needed,
			       uint64_t had, struct ktsnap_value *partial);
/* Struct of @nr members (zeroed) sharing @info, or with an info of its own
 * (type name @type_name, member names "" until ktsnap_member_slot()) when
 * @info is NULL. */
int ktsnap_value_init_struct(struct ktsnap_arena *a, struct ktsnap_value *v,
			     const struct ktsnap_struct_info *info, const char *type_name,
			     uint32_t nr);
/* Array of declared length @len with @nr (zeroed) stored elements. */
int ktsnap_value_init_array(struct ktsnap_arena *a, struct ktsnap_value *v, uint64_t len,
			    uint32_t nr);

/* Member @i of a struct built with an info of its own: names it @name
 * (kept) and returns its value slot to fill. */
static inline struct ktsnap_value *ktsnap_member_slot(struct ktsnap_value *v, uint32_t i,
						      const char *name)
{
	((struct ktsnap_struct_info *)v->s->info)->names[i] = name;
	return &v->s->m[i];
}

/* Change an array's declared length (never below its stored elements). */
static inline void ktsnap_array_set_len(struct ktsnap_value *v, uint64_t len)
{
	v->a->len = len;
}

static inline struct ktsnap_value *ktsnap_elem_slot(struct ktsnap_value *v, uint32_t i)
{
	return &v->a->elems[i];
}

/* ---- maps ---------------------------------------------------------------- */
/* A map's trees start in small chunks: most maps are small. */
#define KTSNAP_MAP_ARENA_MIN_CHUNK 4096

struct ktsnap_map_entry {
	const uint8_t *key; /* key bytes (hash kinds), else NULL */
	const uint8_t *val; /* value bytes (hash, array), else NULL */
	uint32_t key_len;
	uint32_t val_len;
	uint32_t index; /* ARRAY / PERCPU_ARRAY key */
	const uint8_t *percpu; /* per-CPU raw values: nr_cpus × stride */
	const struct ktsnap_value *key_rv; /* NULL: no BTF for the key */
	const struct ktsnap_value *val_rv; /* NULL: no BTF / unreadable */
	const struct ktsnap_value *payload; /* sdt_alloc payload (rare) */
	const struct ktsnap_value **per_cpu; /* nr_cpus slots; NULL = unmapped */
	uint32_t nr_cpus; /* length of per_cpu */
};

struct ktsnap_map {
	struct ktsnap_report *owner;
	char *name;
	uint64_t map_kva; /* live host: map id */
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	char *error; /* NULL: complete */
	enum ktsnap_map_layout layout;

	/* LAYOUT_VALUE */
	const struct ktsnap_value *value;
	const uint8_t *value_raw; /* capture: value_size bytes */

	/* entry layouts */
	struct ktsnap_map_entry *entries;
	uint32_t nr_entries;
	uint32_t nr_cpus; /* per-CPU layouts: slots per entry */
	uint32_t percpu_stride; /* round_up(value_size, 8) */

	struct ktsnap_ringbuf_info *ringbuf;
	struct ktsnap_stack_trace_info *stack_trace;
	struct ktsnap_fd_array_info *fd_array;
	const char *arena_json; /* ARENA: the file's "arena" object, verbatim */

	/* lazy rendering (capture only) */
	const struct btf *btf; /* owned by the report's btf list */
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	bool render_as_string_bytes; /* .rodata.str1.1 sections */
	atomic_bool rendered;
	bool render_failed; /* ran out of memory: never released */
	/* the trees rendered from raw; chunks of KTSNAP_MAP_ARENA_MIN_CHUNK
	 * and up (ktsnap_report_add_map) */
	struct ktsnap_arena render_arena;
	/* entries rendered one by one into render_arena while the map is not
	 * rendered whole (ktsnap_map_entry_rendered, under the render lock):
	 * an open-addressing table of picks_cap slots, NULL when none */
	struct ktsnap_entry_pick *picks;
	uint32_t picks_cap;
	uint32_t nr_picks;
	void *raw; /* malloc'd key/value buffer, or NULL */
};

/* The entry layouts: hash, array and their per-CPU kinds (entries[]). */
static inline bool ktsnap_is_entry_layout(enum ktsnap_map_layout l)
{
	switch (l) {
	case KTSNAP_LAYOUT_HASH:
	case KTSNAP_LAYOUT_ARRAY:
	case KTSNAP_LAYOUT_PERCPU_ARRAY:
	case KTSNAP_LAYOUT_PERCPU_HASH:
		return true;
	default:
		return false;
	}
}

/* ---- the report ------------------------------------------------------------- */
struct ktsnap_report {
	struct ktsnap_arena arena;
	pthread_mutex_t render_lock;

	const char *schema; /* "single" */
	struct ktsnap_map *maps;
	uint32_t nr_maps;
	uint32_t maps_cap;

	const char *active_obj_name;
	uint64_t *active_map_kvas;
	size_t nr_active_map_kvas;

	struct ktsnap_prog_runtime_stat *prog_runtime_stats;
	size_t nr_prog_runtime_stats;
	struct ktsnap_per_cpu_time *per_cpu_time;
	size_t nr_per_cpu_time;
	struct ktsnap_per_node_numa *per_node_numa;
	size_t nr_per_node_numa;
	struct ktsnap_cgroup_psi *cgroup_psi;
	size_t nr_cgroup_psi;
	struct ktsnap_task_enrichment *task_enrichments;
	size_t nr_task_enrichments;
	struct ktsnap_event_counter_sample *event_counter_timeline;
	size_t nr_event_counter_timeline;
	struct ktsnap_rq_scx_state *rq_scx_states;
	size_t nr_rq_scx_states;
	struct ktsnap_dsq_state *dsq_states;
	size_t nr_dsq_states;
	struct ktsnap_scx_sched_state *scx_sched_state; /* NULL: absent */
	struct ktsnap_probe_counters *probe_counters; /* NULL: absent */

	const char *prog_runtime_stats_unavailable;
	const char *per_node_numa_unavailable;
	const char *task_enrichments_unavailable;
	const char *scx_walker_unavailable;
	const char *sdt_alloc_unavailable;

	/* VM-only / escape-only fields, kept verbatim so a report read from a
	 * file round-trips */
	struct ktsnap_carried_json carried;

	bool has_dump_truncated_at_us;
	uint64_t dump_truncated_at_us;
	bool is_placeholder;

	/* ktsnap extensions (JSON: "capture_ns", "timestamp_ns",
	 * "capture_skew_ns", "freeze_ns") */
	uint64_t capture_ns;
	uint64_t timestamp_ns;
	uint64_t capture_skew_ns; /* first map read's start to last one's end */
	uint64_t freeze_ns; /* cgroup.freeze until "frozen 1"; 0: not frozen */

	/* "dual" / "degraded" report files (json_internal.h); NULL for
	 * "single".  A dual report is its late half with the early half
	 * attached (owned, freed with the report). */
	struct ktsnap_sidecar *sidecar;
	struct ktsnap_report *early;

	/* BTF objects the maps render with; freed with the report. */
	struct btf **btfs;
	size_t nr_btfs;

	/* Name index built by view.c on first lookup (NULL until then);
	 * freed by ktsnap_report__free() through view_index_free. */
	_Atomic(void *) view_index;
	void (*view_index_free)(void *index);
	pthread_mutex_t index_lock;
};

/* ---- builders (report.c) --------------------------------------------------- */

/* Append a zeroed map to @r (name copied); NULL on ENOMEM.  The pointer
 * is valid until the next ktsnap_report_add_map(). */
struct ktsnap_map *ktsnap_report_add_map(struct ktsnap_report *r, const char *name);
/* Set map->error (formatted, arena-allocated). Appends "; " + text when an
 * error is already set. */
int ktsnap_map_set_error(struct ktsnap_report *r, struct ktsnap_map *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Keep @btf alive as long as @r (takes ownership). */
int ktsnap_report_own_btf(struct ktsnap_report *r, struct btf *btf);

/* Value constructors in @r's arena (NULL on ENOMEM). */
struct ktsnap_value *ktsnap_value_new(struct ktsnap_report *r, enum ktsnap_value_kind kind);
struct ktsnap_value *ktsnap_value_new_uint(struct ktsnap_report *r, uint32_t bits, uint64_t v);
/* Struct with @nr members (type name copied); name and fill each with
 * ktsnap_member_slot(). */
struct ktsnap_value *ktsnap_value_new_struct(struct ktsnap_report *r, const char *type_name,
					     uint32_t nr);
/* Array; fill each element with ktsnap_elem_slot(). */
struct ktsnap_value *ktsnap_value_new_array(struct ktsnap_report *r, uint64_t len, uint32_t nr);
struct ktsnap_value *ktsnap_value_new_enum(struct ktsnap_report *r, uint32_t bits, bool is_signed,
					   int64_t x, const char *variant);
struct ktsnap_value *ktsnap_value_new_ptr(struct ktsnap_report *r, uint64_t x,
					  struct ktsnap_value *deref, const char *skip_reason,
					  const char *cast);
struct ktsnap_value *ktsnap_value_new_truncated(struct ktsnap_report *r, uint64_t needed,
						uint64_t had, struct ktsnap_value *partial);

/* Lowercase, space-separated hex of @n bytes ("01 00 00 00"), arena. */
char *ktsnap_hex_string(struct ktsnap_arena *a, const uint8_t *p, size_t n);

/* Render a captured map's raw bytes into value trees once (render.c does
 * the work; thread-safe).  No-op for maps that carry no raw bytes. */
void ktsnap_map_ensure_rendered(const struct ktsnap_map *m);
/*
 * Drop the value trees of a captured entry-layout map (hash, array,
 * per-CPU), whole or single entries (ktsnap_map_entry_rendered), so the
 * next access renders them again from the raw bytes; a no-op (false) for
 * other maps, maps that failed to render and maps with nothing rendered.  Every pointer into the dropped trees (views, entries,
 * values, errors listing members) dies: only the owner of the report may
 * call it, between uses, with no other thread looking at @m.
 */
bool ktsnap_map_release_rendered(struct ktsnap_map *m);

#endif /* KTSNAP_REPORT_INTERNAL_H */
