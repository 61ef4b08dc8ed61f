// SPDX-License-Identifier: MIT
/*
 * The Display texts of SnapshotError records (spec §7.1-§7.3): one
 * sentence per kind, byte for byte the spec's, with the lists of
 * alternatives enumerated from the report (or JSON tree) only now, the
 * NoMatch key samples (§6.6) and the active-scheduler texts.  The records
 * themselves (constructors, accessors, fillers) are error.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <ktsnap/display.h>
#include <ktsnap/error.h>
#include "log_internal.h"
#include "view_internal.h"
#include "render_internal.h"
#include "sink_internal.h"

#define KEY_SAMPLE 3
#define KEY_CHAR_CAP 80

/* ---- output -------------------------------------------------------------------- */
/* A string in Rust's Debug form: quoted, with escapes. */
static void put_debug_str(struct ktsnap_sink *o, const char *s, size_t n)
{
	size_t i;

	sink_put(o, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			sink_puts(o, "\\\"");
			break;
		case '\\':
			sink_puts(o, "\\\\");
			break;
		case '\n':
			sink_puts(o, "\\n");
			break;
		case '\r':
			sink_puts(o, "\\r");
			break;
		case '\t':
			sink_puts(o, "\\t");
			break;
		case '\0':
			sink_puts(o, "\\0");
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				sink_putf(o, "\\u{%x}", c);
			else
				sink_put(o, (const char *)&c, 1);
		}
	}
	sink_put(o, "\"", 1);
}

/* List punctuation: call with the item index before each item. */
static void list_sep(struct ktsnap_sink *o, size_t i)
{
	if (i)
		sink_puts(o, ", ");
}

/* {list:#x?} */
static void put_hex_list(struct ktsnap_sink *o, const uint64_t *v, size_t n)
{
	size_t i;

	if (!n) {
		sink_puts(o, "[]");
		return;
	}
	sink_puts(o, "[\n");
	for (i = 0; i < n; i++)
		sink_putf(o, "    0x%" PRIx64 ",\n", v[i]);
	sink_puts(o, "]");
}

/* ---- lazily enumerated lists ------------------------------------------------------ */
static const struct ktsnap_map *rmap(const struct ktsnap_report *r, uint32_t i)
{
	return &r->maps[i];
}

/* Admitted map names, in order. */
static void list_admitted_maps(struct ktsnap_sink *o, const struct ktsnap_snapshot *s)
{
	const struct ktsnap_report *r = s->report;
	size_t n = 0;
	uint32_t i;

	sink_puts(o, "[");
	for (i = 0; r && i < r->nr_maps; i++) {
		if (!ktsnap_snapshot_admits(s, rmap(r, i)))
			continue;
		list_sep(o, n++);
		put_debug_str(o, rmap(r, i)->name, strlen(rmap(r, i)->name));
	}
	sink_puts(o, "]");
}

/* Names of every global-section map of the report (not filtered). */
static void list_global_maps(struct ktsnap_sink *o, const struct ktsnap_report *r)
{
	size_t n = 0;
	uint32_t i;

	sink_puts(o, "[");
	for (i = 0; r && i < r->nr_maps; i++) {
		if (!ktsnap_map_is_global(rmap(r, i)))
			continue;
		list_sep(o, n++);
		put_debug_str(o, rmap(r, i)->name, strlen(rmap(r, i)->name));
	}
	sink_puts(o, "]");
}

static const struct ktsnap_value *global_struct(const struct ktsnap_snapshot *s,
						const struct ktsnap_map *m)
{
	const struct ktsnap_value *v;

	if (!ktsnap_map_is_global(m) || !ktsnap_snapshot_admits(s, m))
		return NULL;
	v = ktsnap_peel_ptrs(ktsnap_map__value(m));
	return v && v->kind == KTSNAP_VALUE_STRUCT ? v : NULL;
}

/*
 * A sorted, de-duplicated list of names, emitted by repeatedly picking the
 * smallest name above the last one: quadratic, but allocation-free and only
 * run when an error is printed.  @each calls @see(name, st) for every
 * candidate name of @src.
 */
struct pick_state {
	const char *last, *best;
};

static void pick_see(const char *name, struct pick_state *st)
{
	if (st->last && strcmp(name, st->last) <= 0)
		return;
	if (!st->best || strcmp(name, st->best) < 0)
		st->best = name;
}

typedef void (*names_fn)(const void *src, struct pick_state *st);

static void list_sorted(struct ktsnap_sink *o, names_fn each, const void *src)
{
	struct pick_state st = { 0 };
	size_t n = 0;

	sink_puts(o, "[");
	for (;;) {
		st.best = NULL;
		each(src, &st);
		if (!st.best)
			break;
		list_sep(o, n++);
		put_debug_str(o, st.best, strlen(st.best));
		st.last = st.best;
	}
	sink_puts(o, "]");
}

/* Top-level member names of the admitted global sections. */
static void global_names(const void *src, struct pick_state *st)
{
	const struct ktsnap_snapshot *s = src;
	const struct ktsnap_report *r = s->report;
	uint32_t i, j;

	for (i = 0; r && i < r->nr_maps; i++) {
		const struct ktsnap_value *v = global_struct(s, rmap(r, i));

		for (j = 0; v && j < v->n; j++)
			pick_see(ktsnap_mname(v, j), st);
	}
}

/* Keys of a JSON object. */
static void json_keys(const void *src, struct pick_state *st)
{
	json_object_object_foreach((struct json_object *)src, key, val) {
		(void)val;
		pick_see(key, st);
	}
}

/* Admitted global sections holding a top-level @name, in order. */
static void list_var_hits(struct ktsnap_sink *o, const struct ktsnap_snapshot *s, const char *name)
{
	const struct ktsnap_report *r = s->report;
	size_t n = 0;
	uint32_t i;

	sink_puts(o, "[");
	for (i = 0; r && i < r->nr_maps; i++) {
		const struct ktsnap_map *m = rmap(r, i);

		if (!ktsnap_map_is_global(m) || !ktsnap_snapshot_admits(s, m) ||
		    !ktsnap_top_member(ktsnap_map__value(m), name))
			continue;
		list_sep(o, n++);
		put_debug_str(o, m->name, strlen(m->name));
	}
	sink_puts(o, "]");
}

static void list_members(struct ktsnap_sink *o, const struct ktsnap_value *v)
{
	uint32_t i;

	sink_puts(o, "[");
	for (i = 0; v && i < v->n; i++) {
		list_sep(o, i);
		put_debug_str(o, ktsnap_mname(v, i), strlen(ktsnap_mname(v, i)));
	}
	sink_puts(o, "]");
}

/* ---- NoMatch key sampling (§6.6) ------------------------------------------------------ */

/* Bytes of the first @chars UTF-8 characters of @s (and whether more follow). */
static size_t utf8_prefix(const char *s, size_t chars, bool *more)
{
	size_t i = 0, c = 0;

	while (s[i] && c < chars) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		c++;
	}
	*more = s[i] != '\0';
	return i;
}

static void sample_key(const struct ktsnap_map *m, uint32_t i, char *buf, size_t size)
{
	enum ktsnap_entry_source src = ktsnap_entry_source(m);
	const struct ktsnap_map_entry *e;

	/* an index is a captured number: nothing to render */
	if (src == SRC_PERCPU || src == SRC_ARRAY) {
		snprintf(buf, size, "%" PRIu32, m->entries[i].index);
		return;
	}
	/* the owner may have dropped the trees since (series projections);
	 * a big map renders just the sampled entries */
	e = ktsnap_map_entry_rendered(m, i);
	if (e->key_rv) {
		ktsnap_value__format(e->key_rv, buf, size);
	} else {
		size_t k, pos = 4;

		memcpy(buf, "hex:", 5);
		/* only the first 80 characters can survive the cap */
		for (k = 0; k < e->key_len && pos + 4 < size && k < 30; k++)
			pos += (size_t)snprintf(buf + pos, size - pos, k ? " %02x" : "%02x",
						e->key[k]);
	}
}

static void put_no_match(struct ktsnap_sink *o, const struct ktsnap_error *e)
{
	const struct ktsnap_map *m = e->u.no_match.keys_of;
	const char *map = e->u.no_match.map, *op = e->u.no_match.op;
	uint64_t len = e->u.no_match.len;
	char key[KEY_SAMPLE][KEY_CHAR_CAP * 4 + 8];
	uint32_t nk = e->u.no_match.nr_keys, i;
	bool all_hex = true, more;

	if (!len) {
		sink_putf(o, "map '%s': %s matched no entries (map is empty)", map, op);
		return;
	}
	if (!m || !nk) {
		sink_putf(o,
			  "map '%s': %s matched none of %" PRIu64
			  " entries (sample keys unavailable)",
			  map, op, len);
		return;
	}
	sink_putf(o, "map '%s': %s matched none of %" PRIu64 " entries (first %" PRIu32 ": [", map,
		  op, len, nk);
	for (i = 0; i < nk && i < KEY_SAMPLE; i++) {
		char full[KEY_CHAR_CAP * 4 + 8];
		size_t n;

		sample_key(m, i, full, sizeof(full));
		n = utf8_prefix(full, KEY_CHAR_CAP, &more);
		if (more)
			n = utf8_prefix(full, KEY_CHAR_CAP - 1, &more);
		memcpy(key[i], full, n);
		if (more)
			memcpy(key[i] + n, "…", sizeof("…"));
		else
			key[i][n] = '\0';
		if (strncmp(key[i], "hex:", 4))
			all_hex = false;
		list_sep(o, i);
		put_debug_str(o, key[i], strlen(key[i]));
	}
	sink_puts(o, "])");
	if (all_hex)
		sink_puts(
			o,
			" (BTF missing at capture — keys shown as hex bytes; rebuild guest kernel "
			"with CONFIG_DEBUG_INFO_BTF=y for typed keys)");
}

/* ---- active-scheduler texts ---------------------------------------------------------- */
static bool same_obj(const char *name, const char *obj, size_t len)
{
	return ktsnap_obj_prefix_len(name) == len && !strncmp(name, obj, len);
}

static void put_multi_copy(struct ktsnap_sink *o, const struct ktsnap_report *r, const char *obj,
			   size_t len)
{
	static const char *const sect[] = { ".bss", ".data", ".rodata" };
	size_t i, c, parts = 0;

	sink_putf(o, "snapshot has multiple same-name copies of %.*s's global-section maps (",
		  (int)len, obj);
	for (i = 0; i < 3; i++) {
		c = ktsnap_obj_section_count(r, obj, len, sect[i]);
		if (c <= 1)
			continue;
		list_sep(o, parts++);
		sink_putf(o, "%.*s%s × %zu", (int)len, obj, sect[i], c);
	}
	sink_puts(o,
		  ") and the principled *scx_root walker did not publish an active_map_kvas "
		  "whitelist to disambiguate (transient swap window where the accessor-init worker "
		  "has not yet republished, or the walker is unavailable on this kernel build) — "
		  "use `series.live_bpf_vars_via([\"name\"], pickers::max_by_sum_u64)` for "
		  "multi-variable counter co-pick, or `Snapshot::live_var_via(name, "
		  "pickers::max_by_counter_value)` for a single-counter pick, to pick by counter "
		  "activity");
}

/* Obj prefix length of map @i when it is the first global-section map of
 * its obj (first-seen order), else 0. */
static size_t first_of_obj(const struct ktsnap_report *r, size_t i)
{
	const char *name = r->maps[i].name;
	size_t len = ktsnap_obj_prefix_len(name), j;

	if (!ktsnap_map_is_global(&r->maps[i]) || !len)
		return 0;
	for (j = 0; j < i; j++)
		if (ktsnap_map_is_global(&r->maps[j]) && same_obj(r->maps[j].name, name, len))
			return 0;
	return len;
}

/* Distinct objs of the global-section maps, first-seen order. */
static void put_many_objs(struct ktsnap_sink *o, const struct ktsnap_report *r)
{
	size_t n = 0, len, i;

	for (i = 0; i < r->nr_maps; i++)
		n += first_of_obj(r, i) != 0;
	sink_putf(o, "snapshot has %zu BPF objects with global-section maps ([", n);
	n = 0;
	for (i = 0; i < r->nr_maps; i++) {
		len = first_of_obj(r, i);
		if (!len)
			continue;
		list_sep(o, n++);
		put_debug_str(o, r->maps[i].name, len);
	}
	sink_puts(o,
		  "]) and the principled *scx_root walker could not identify the active obj at "
		  "capture time (scx_root unresolved, no matching struct_ops map, or the matched "
		  "obj has no global-section maps in this capture) — use Snapshot::vars(name) to "
		  "enumerate every copy or Snapshot::map(\"<obj>.<section>\") to address a "
		  "specific scheduler's bss directly");
}

static bool kva_listed(const struct ktsnap_snapshot *s, uint64_t kva)
{
	size_t i;

	for (i = 0; i < s->nr_kvas; i++)
		if (s->kvas[i] == kva)
			return true;
	return false;
}

static void put_excluded(struct ktsnap_sink *o, const struct ktsnap_error *e)
{
	const struct ktsnap_snapshot *s = &e->u.lookup.snap;
	const struct ktsnap_report *r = s->report;
	bool zero = false, mismatch = false;
	size_t n = 0;
	uint32_t i;

	for (i = 0; r && i < r->nr_maps; i++) {
		const struct ktsnap_map *m = rmap(r, i);

		if (!same_obj(m->name, s->obj, s->obj_len) || ktsnap_snapshot_admits(s, m))
			continue;
		n++;
		if (!m->map_kva)
			zero = true;
		else if (!kva_listed(s, m->map_kva))
			mismatch = true;
	}
	sink_putf(o,
		  "snapshot lookup '%s' returned no hits under the active filter (obj='%.*s'): the "
		  "walker's KVA whitelist ",
		  e->text, (int)s->obj_len, s->obj);
	put_hex_list(o, s->kvas, s->nr_kvas);
	sink_putf(o, " excluded %zu captured map(s) sharing the obj prefix: ", n);
	n = 0;
	for (i = 0; r && i < r->nr_maps; i++) {
		const struct ktsnap_map *m = rmap(r, i);

		if (!same_obj(m->name, s->obj, s->obj_len) || ktsnap_snapshot_admits(s, m))
			continue;
		list_sep(o, n++);
		sink_putf(o, "%s@0x%" PRIx64, m->name, m->map_kva);
	}
	sink_puts(o, " — ");
	if (!zero && mismatch)
		sink_puts(
			o,
			"this snapshot pre-dates your most recent Op::ReplaceScheduler / "
			"Op::AttachScheduler — wait for the next periodic boundary (or re-run the "
			"test) so the walker re-publishes the live scheduler's KVAs");
	else if (zero && !mismatch)
		sink_puts(o, "the captured maps have no recorded KVAs — the snapshot pre-dates the "
			     "walker plumbing, or the capture path failed to record per-map KVAs");
	else if (zero && mismatch)
		sink_puts(o, "some captured maps lack KVAs and some disagree with the walker's "
			     "whitelist — both pre-walker-capture state and a post-swap window can "
			     "produce this; re-run the test to regenerate the snapshot");
	else
		sink_puts(o, "captured KVAs were neither absent nor in disagreement");
	sink_putf(o,
		  ". Reach for Snapshot::vars('%s') to enumerate every copy across all obj "
		  "prefixes, or Snapshot::map(\"<name>\") to address one of the excluded maps "
		  "directly.",
		  e->text);
}

/* ---- format ------------------------------------------------------------------------------ */
/* The walked prefix of a path error: a prefix of the kept path, marked
 * when it reaches past what was kept. */
void ktsnap_err_put_walked(struct ktsnap_sink *o, const struct ktsnap_error *e)
{
	size_t w = e->u.path.walked_len, kept = e->u.path.kept_len;

	sink_put(o, e->text, w <= kept ? w : kept);
	if (w > kept)
		sink_puts(o, CUT_MARK);
}

static void put_path_head(struct ktsnap_sink *o, const struct ktsnap_error *e)
{
	sink_putf(o, "path '%s': component '%s' (after walking '", e->text, ktsnap_err_text2(e));
	ktsnap_err_put_walked(o, e);
	sink_puts(o, "') ");
}

void ktsnap_err_put_actual(struct ktsnap_sink *o, const struct ktsnap_error *e)
{
	const char *actual = e->u.type_mismatch.actual ? e->u.type_mismatch.actual : "";

	switch (e->u.type_mismatch.form) {
	case KTSNAP_ERR_ACTUAL_ARRAY_ELEM:
		sink_putf(o, "Array[%" PRIu64 "]=%s", e->u.type_mismatch.index, actual);
		break;
	case KTSNAP_ERR_ACTUAL_TRUNCATED:
		sink_putf(o, "Truncated(partial=%s)", actual);
		break;
	default:
		sink_puts(o, actual);
		break;
	}
}

static void put_projection(struct ktsnap_sink *o, const struct ktsnap_error *e)
{
	uint64_t idx = e->u.projection_failed.index, count = e->u.projection_failed.count;

	sink_puts(o, "projection failed: ");
	switch (e->u.projection_failed.tmpl) {
	case PF_VAR_RANGE:
		sink_putf(o,
			  "live_var_via picker returned index %" PRIu64
			  " out of range (candidate count = %" PRIu64 ")",
			  idx, count);
		break;
	case PF_VAR_NONE:
		sink_putf(o,
			  "live_var_via picker for '%s' returned None (no candidate matched the "
			  "supplied disambiguator)",
			  e->text);
		break;
	case PF_VARS_RANGE:
		sink_putf(o,
			  "live_vars_via picker returned index %" PRIu64
			  " out of range (candidate count = %" PRIu64 ")",
			  idx, count);
		break;
	case PF_VARS_NONE:
		sink_putf(o,
			  "live_vars_via picker for %s returned None (no candidate matched the "
			  "supplied disambiguator)",
			  e->text);
		break;
	case PF_VARS_EMPTY:
		sink_puts(o, "live_vars_via called with an empty names slice — co-pick requires at "
			     "least one name");
		break;
	default:
		sink_puts(o, e->text);
		break;
	}
}

static void put_no_active(struct ktsnap_sink *o, const struct ktsnap_error *e)
{
	sink_puts(o, "snapshot has no currently-active scheduler (");
	const struct ktsnap_report *r = e->u.no_active_scheduler.snap.report;

	switch (e->u.no_active_scheduler.reason) {
	case NAS_NO_GLOBALS:
		sink_puts(o, "snapshot has no global-section BPF maps (no scheduler attached, or "
			     "capture did not include bss/data/rodata)");
		break;
	case NAS_MULTI_COPY:
		put_multi_copy(o, r, e->u.no_active_scheduler.obj,
			       e->u.no_active_scheduler.obj_len);
		break;
	case NAS_MANY_OBJS:
		put_many_objs(o, r);
		break;
	default:
		sink_puts(o, e->text);
		break;
	}
	sink_puts(o, "); use Snapshot::vars(name) to enumerate every observed copy explicitly, "
		     "Snapshot::live_var(name) to keep the typed error path while opting into the "
		     "active filter, or Snapshot::map(\"<obj>.<section>\") to address a specific "
		     "scheduler's bss directly");
}

/*
 * The spec's texts name the reference's (Rust) API; a C caller is told the
 * C functions after them, so the spec text stays a byte-identical prefix.
 */
static int format_spec(const struct ktsnap_error *e, struct ktsnap_sink *o);

#define C_SNAPSHOT_NAMES \
	"ktsnap_snapshot__vars(), ktsnap_snapshot__live_var(), ktsnap_snapshot__map()"

static const char *c_names(const struct ktsnap_error *e)
{
	switch (e->kind) {
	case KTSNAP_ERR_AMBIGUOUS_VAR:
		return "ktsnap_snapshot__active() then ktsnap_snapshot__var(), "
		       "ktsnap_snapshot__live_var(), ktsnap_snapshot__map()";
	case KTSNAP_ERR_PER_CPU_NOT_NARROWED:
		return "ktsnap_map_view__cpu()";
	case KTSNAP_ERR_NO_ACTIVE_SCHEDULER:
		if (e->u.no_active_scheduler.reason == NAS_MULTI_COPY)
			return "ktsnap_snapshot__live_vars_via() with ktsnap_pick_max_by_sum_u64, "
			       "ktsnap_snapshot__live_var_via() with "
			       "ktsnap_pick_max_by_counter_value, " C_SNAPSHOT_NAMES;
		return C_SNAPSHOT_NAMES;
	case KTSNAP_ERR_ACTIVE_FILTER_EXCLUDED_MAPS:
		return "ktsnap_snapshot__vars(), ktsnap_snapshot__map()";
	case KTSNAP_ERR_PROJECTION_FAILED:
		switch (e->u.projection_failed.tmpl) {
		case PF_VAR_RANGE:
		case PF_VAR_NONE:
			return "ktsnap_snapshot__live_var_via()";
		case PF_TEXT:
			return NULL;
		default:
			return "ktsnap_snapshot__live_vars_via()";
		}
	default:
		return NULL;
	}
}

static int format(const struct ktsnap_error *e, struct ktsnap_sink *o)
{
	const char *c;
	int ret = format_spec(e, o);

	if (!ret && (c = c_names(e)))
		sink_putf(o, " (C: %s)", c);
	return ret;
}

static int format_spec(const struct ktsnap_error *e, struct ktsnap_sink *o)
{
	switch (e->kind) {
	case KTSNAP_ERR_MAP_NOT_FOUND:
		sink_putf(o, "snapshot has no map '%s' (captured maps: ", e->text);
		list_admitted_maps(o, &e->u.lookup.snap);
		sink_puts(o, ")");
		break;
	case KTSNAP_ERR_VAR_NOT_FOUND:
		sink_putf(o,
			  "snapshot has no global variable '%s' in any *.bss/*.data/*.rodata map "
			  "(available globals: ",
			  e->text);
		if (e->u.var_not_found.list == KTSNAP_ERR_VAR_LIST_MAPS)
			list_global_maps(o, e->u.var_not_found.snap.report);
		else
			list_sorted(o, global_names, &e->u.var_not_found.snap);
		sink_puts(o, ")");
		break;
	case KTSNAP_ERR_AMBIGUOUS_VAR:
		sink_putf(o, "snapshot global '%s' is ambiguous (found in ", e->text);
		list_var_hits(o, &e->u.lookup.snap, e->text);
		sink_puts(o,
			  "); use Snapshot::active().var(name) (or the shorthand "
			  "Snapshot::live_var(name)) to pick the active scheduler's copy "
			  "automatically, or Snapshot::map(name) to address a specific scheduler's "
			  "bss explicitly");
		break;
	case KTSNAP_ERR_FIELD_NOT_FOUND:
		put_path_head(o, e);
		sink_puts(o, "not found (members at this depth: ");
		if (e->u.path.members_of == KTSNAP_ERR_MEMBERS_OF_JSON)
			list_sorted(o, json_keys, e->u.path.members);
		else
			list_members(o, e->u.path.members);
		sink_puts(o, ")");
		break;
	case KTSNAP_ERR_NOT_A_STRUCT:
		put_path_head(o, e);
		sink_putf(o, "expected a Struct, got %s", e->u.path.got);
		break;
	case KTSNAP_ERR_TYPE_MISMATCH:
		sink_putf(o, "path '%s': cannot read as %s — actual rendered variant is ", e->text,
			  e->u.type_mismatch.expected);
		ktsnap_err_put_actual(o, e);
		break;
	case KTSNAP_ERR_INDEX_OUT_OF_RANGE:
		sink_putf(o, "map '%s': index %" PRIu64 " out of range (length %" PRIu64 ")",
			  e->u.index_out_of_range.map, e->u.index_out_of_range.index,
			  e->u.index_out_of_range.len);
		break;
	case KTSNAP_ERR_PER_CPU_SLOT:
		if (e->u.per_cpu_slot.unmapped)
			sink_putf(o, "map '%s': cpu %" PRIu64 " per-CPU slot is unmapped (None)",
				  e->u.per_cpu_slot.map, e->u.per_cpu_slot.cpu);
		else
			sink_putf(o,
				  "map '%s': cpu %" PRIu64 " out of range (have %" PRIu64
				  " per-CPU slots)",
				  e->u.per_cpu_slot.map, e->u.per_cpu_slot.cpu,
				  e->u.per_cpu_slot.len);
		break;
	case KTSNAP_ERR_NO_MATCH:
		put_no_match(o, e);
		break;
	case KTSNAP_ERR_EMPTY_PATH_COMPONENT:
		sink_putf(o, "path '%s' has an empty component (consecutive '.')", e->text);
		break;
	case KTSNAP_ERR_PER_CPU_NOT_NARROWED:
		sink_putf(o, "map '%s': per-CPU entry without a CPU narrow — call .cpu(N) first",
			  e->u.per_cpu_not_narrowed.map);
		break;
	case KTSNAP_ERR_NO_RENDERED:
		sink_putf(o, "map '%s': %s has no rendered structure (no BTF type at capture time)",
			  e->u.no_rendered.map, e->u.no_rendered.side);
		break;
	case KTSNAP_ERR_PLACEHOLDER_SAMPLE:
		sink_putf(o,
			  "sample '%s' is a placeholder report (capture pipeline did not land): ",
			  e->text);
		sink_puts(o, ktsnap_err_text2(e));
		break;
	case KTSNAP_ERR_MISSING_STATS:
		sink_putf(o, "sample '%s': stats absent (", e->text);
		sink_puts(o, ktsnap_err_text2(e));
		sink_puts(o, ")");
		break;
	case KTSNAP_ERR_HOST_FIELD_UNAVAILABLE:
		sink_putf(o,
			  "sample '%s': per_cpu_time has no entry for cpu %" PRIu64
			  " (placeholder report or kernel-walker resolution failure)",
			  e->text, e->u.host_field_unavailable.cpu);
		break;
	case KTSNAP_ERR_PLACEHOLDER_SNAPSHOT:
		if (e->u.placeholder_snapshot.has_tag)
			sink_putf(o, "snapshot '%s' is a placeholder", e->text);
		else
			sink_puts(o, "snapshot is a placeholder");
		sink_puts(o,
			  " — the freeze-rendezvous path could not capture real data; no maps to "
			  "walk");
		break;
	case KTSNAP_ERR_NO_ACTIVE_SCHEDULER:
		put_no_active(o, e);
		break;
	case KTSNAP_ERR_ACTIVE_FILTER_EXCLUDED_MAPS:
		put_excluded(o, e);
		break;
	case KTSNAP_ERR_WALKER_DRIFTED_WITHIN_PHASE:
		sink_putf(o, "walker drift within %s: lookup '", e->text);
		sink_puts(o, ktsnap_err_text2(e));
		sink_puts(o, "' resolved against KVA set ");
		put_hex_list(o, e->u.walker_drifted.sample, e->u.walker_drifted.nr_sample);
		sink_puts(o, ", but an earlier same-phase snapshot pinned ");
		put_hex_list(o, e->u.walker_drifted.pinned, e->u.walker_drifted.nr_pinned);
		sink_puts(
			o,
			". The walker re-published mid-phase (typical cause: a "
			"post-Op::ReplaceScheduler swap window). The drifted sample is surfaced as "
			"Err so per-phase reducers (counter_delta_per_phase, ratio_across_phases) "
			"see monotonic Ok-sequences from one walker decision; address by stepping "
			"the phase past the swap settle window or by reading via the explicit "
			"picker form.");
		break;
	case KTSNAP_ERR_PROJECTION_FAILED:
		put_projection(o, e);
		break;
	case KTSNAP_ERR_MAP_RENDER_INCOMPLETE:
		sink_putf(o, "map '%s' contents unavailable (render failed at capture): ",
			  e->u.map_render_incomplete.map);
		sink_puts(o,
			  e->u.map_render_incomplete.error ? e->u.map_render_incomplete.error : "");
		break;
	default:
		return ktsnap_fail_static(-EINVAL, "error format: unknown error kind");
	}
	return 0;
}

/* The sentence of @err into @o; its length, or -errno. */
static int format_into(const struct ktsnap_error *err, struct ktsnap_sink *o)
{
	int ret;

	if (!err)
		return ktsnap_fail_static(-EINVAL, "error format: no error");
	ret = format(err, o);
	if (ret)
		return ret;
	sink_finish(o);
	return o->len > INT32_MAX ? INT32_MAX : (int)o->len;
}

int ktsnap_error__format(const struct ktsnap_error *err, char *buf, size_t size)
{
	struct ktsnap_sink o = { .buf = buf, .size = size };

	if (buf && size)
		buf[0] = '\0';
	return format_into(err, &o);
}

int ktsnap_error_fprint(const struct ktsnap_error *err, FILE *f)
{
	struct ktsnap_sink o = { .f = f };
	int ret = format_into(err, &o);

	return ret < 0 ? ret : o.err ? o.err : ret;
}

bool ktsnap_error__equal(const struct ktsnap_error *a, const struct ktsnap_error *b)
{
	char *sa, *sb;
	int na, nb;
	bool eq;

	if (!a || !b)
		return a == b;
	if (a->kind != b->kind)
		return false;
	na = ktsnap_error__format(a, NULL, 0);
	nb = ktsnap_error__format(b, NULL, 0);
	if (na != nb)
		return false;
	if (na < 0)
		return true;
	sa = malloc((size_t)na + 1);
	sb = malloc((size_t)nb + 1);
	if (!sa || !sb) {
		free(sa);
		free(sb);
		return false;
	}
	ktsnap_error__format(a, sa, (size_t)na + 1);
	ktsnap_error__format(b, sb, (size_t)nb + 1);
	eq = !strcmp(sa, sb);
	free(sa);
	free(sb);
	return eq;
}
