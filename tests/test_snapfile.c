// SPDX-License-Identifier: MIT
/*
 * The binary report file (.ktsnap): a report with raw maps and BTF (built
 * here as a capture builds it) and the hand-made full report go through
 * write → read and write the same JSON as the original; the read report
 * renders lazily; corrupt files (bad magic, truncation, CRC mismatch, huge
 * lengths, bad content) fail with errors naming section and offset.
 * Built a second time with SNAPFILE_LIVE: a live capture of the ktsched and
 * ktbig fixtures and its .ktsnap write the same JSON (BPF).
 * `test_snapfile --corpus DIR` writes the fuzz target's seed corpus.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bpf/btf.h>
#include <zlib.h>

#include <ktsnap/capture.h>
#include <ktsnap/json.h>
#include <ktsnap/snapfile.h>
#include "render_internal.h"
#include "report_builder.h"
#ifdef SNAPFILE_LIVE
#include "fixture.h"
#include "ktbig.skel.h"
#endif

/* ---- helpers ------------------------------------------------------------------ */
struct blob {
	char *p;
	size_t len;
};

static struct blob to_json(const struct ktsnap_report *r)
{
	struct blob b;

	assert_int_equal(rb_write_mem(ktsnap_report__write_json, r, 0, &b.p, &b.len), 0);
	return b;
}

static struct blob to_bin(const struct ktsnap_report *r, unsigned int flags)
{
	struct blob b;
	int err = rb_write_mem(ktsnap_report__write_binary, r, flags, &b.p, &b.len);

	if (err)
		fail_msg("write_binary: %d %s", err, ktsnap_errmsg());
	return b;
}

static struct ktsnap_report *from_bin(const struct blob *b)
{
	struct ktsnap_report *r = NULL;
	int err = ktsnap_report__read_binary_buf(b->p, b->len, &r);

	if (err)
		fail_msg("read_binary: %d %s", err, ktsnap_errmsg());
	return r;
}

static void assert_same(const struct blob *a, const struct blob *b, const char *what)
{
	size_t i;

	if (a->len == b->len && !memcmp(a->p, b->p, a->len))
		return;
	for (i = 0; i < a->len && i < b->len && a->p[i] == b->p[i]; i++)
		;
	fail_msg("%s differ at byte %zu of %zu/%zu:\n  %.200s\n  %.200s", what, i, a->len, b->len,
		 a->p + (i > 60 ? i - 60 : 0), b->p + (i > 60 ? i - 60 : 0));
}

/* write → read → write: JSON equal to the original's, binary stable */
static void round_trip(struct ktsnap_report *r, unsigned int flags)
{
	struct blob j0 = to_json(r), bin = to_bin(r, flags), j1, bin2;
	struct ktsnap_report *back = from_bin(&bin);

	j1 = to_json(back);
	assert_same(&j0, &j1, "JSON of the report and of its .ktsnap");
	bin2 = to_bin(back, flags);
	assert_same(&bin, &bin2, "binary of the report and of its read-back");
	ktsnap_report__free(back);
	free(j0.p);
	free(j1.p);
	free(bin.p);
	free(bin2.p);
}

/* ---- a capture-shaped report: raw bytes + BTF, unrendered ------------------------------ */
struct ids {
	int u32, u64, chr, comm, state, inner, ctx;
};

static struct btf *make_btf(struct ids *id)
{
	struct btf *btf = btf__new_empty();

	assert_non_null(btf);
	id->u32 = btf__add_int(btf, "unsigned int", 4, 0);
	id->u64 = btf__add_int(btf, "long long unsigned int", 8, 0);
	id->chr = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	id->comm = btf__add_array(btf, id->u32, id->chr, 8);
	id->state = btf__add_enum(btf, "kt_state", 4);
	btf__add_enum_value(btf, "KT_IDLE", 0);
	btf__add_enum_value(btf, "KT_RUNNING", 1);
	btf__add_enum_value(btf, "KT_SLEEPING", 2);
	id->inner = btf__add_struct(btf, "kt_inner", 8);
	btf__add_field(btf, "a", id->u32, 0, 0);
	btf__add_field(btf, "b", id->u32, 32, 0);
	/* 48 bytes: u64, enum, nested struct, char[8], bitfields, u64s */
	id->ctx = btf__add_struct(btf, "kt_task_ctx", 48);
	btf__add_field(btf, "runtime_ns", id->u64, 0, 0);
	btf__add_field(btf, "state", id->state, 64, 0);
	btf__add_field(btf, "inner", id->inner, 96, 0);
	btf__add_field(btf, "comm", id->comm, 160, 0);
	btf__add_field(btf, "prio", id->u32, 224, 5);
	btf__add_field(btf, "weight", id->u32, 229, 11);
	btf__add_field(btf, "nr_runs", id->u64, 256, 0);
	btf__add_field(btf, "vtime", id->u64, 320, 0);
	assert_true(id->ctx > 0);
	return btf;
}

static uint8_t pattern(uint32_t i, uint32_t j)
{
	/* mostly zeros, so that zstd has something to do */
	return j % 8 < 3 ? (uint8_t)(i * 31 + j * 7 + (j % 5 == 4 ? i : 0)) : 0;
}

/* A table map as capture_table() leaves it: one raw buffer, keys then values. */
static struct ktsnap_map *raw_table(struct ktsnap_report *r, const char *name, uint32_t type,
				    enum ktsnap_map_layout layout, uint32_t ksz, uint32_t vsz,
				    uint32_t n, uint32_t ncpus, const struct btf *btf, uint32_t kid,
				    uint32_t vid)
{
	struct ktsnap_map *m = rb_map(r, name, type, ksz, vsz, n * 2, layout);
	bool pc = layout == KTSNAP_LAYOUT_PERCPU_ARRAY || layout == KTSNAP_LAYOUT_PERCPU_HASH;
	uint32_t stride = (vsz + 7) & ~7u, slot = pc ? stride * ncpus : vsz, i, j;
	size_t kbytes = ((size_t)n * ksz + 7) & ~(size_t)7;
	uint8_t *raw = calloc(1, kbytes + (size_t)n * slot + 8);

	assert_non_null(raw);
	rb_entries(r, m, n);
	for (i = 0; i < n; i++) {
		struct ktsnap_map_entry *e = &m->entries[i];
		uint8_t *k = raw + (size_t)i * ksz, *v = raw + kbytes + (size_t)i * slot;

		for (j = 0; j < ksz; j++)
			k[j] = j == 0 ? (uint8_t)(i * 3 + 1) : 0;
		for (j = 0; j < slot; j++)
			v[j] = pattern(i, j);
		if (layout == KTSNAP_LAYOUT_ARRAY || layout == KTSNAP_LAYOUT_PERCPU_ARRAY) {
			e->index = i;
		} else {
			e->key = k;
			e->key_len = ksz;
		}
		if (pc) {
			e->percpu = v;
			e->nr_cpus = ncpus;
		} else {
			e->val = v;
			e->val_len = vsz;
		}
	}
	m->raw = raw;
	m->nr_cpus = pc ? ncpus : 0;
	m->percpu_stride = pc ? stride : 0;
	m->btf = btf;
	m->btf_key_type_id = kid;
	m->btf_value_type_id = vid;
	atomic_store(&m->rendered, false);
	return m;
}

static struct ktsnap_report *capture_like(bool with_full)
{
	struct ktsnap_report *r = with_full ? rb_full_report(1) : ktsnap_report__new();
	struct ids id;
	struct btf *btf = make_btf(&id);
	struct ktsnap_map *m;
	uint8_t *val;
	uint32_t j;

	assert_int_equal(ktsnap_report_own_btf(r, btf), 0);
	r->capture_ns = 777;
	r->timestamp_ns = 1800000000000000000ULL;
	raw_table(r, "ctx_hash", BPF_MAP_TYPE_HASH, KTSNAP_LAYOUT_HASH, 4, 48, 40, 0, btf, id.u32,
		  id.ctx);
	raw_table(r, "pcpu", BPF_MAP_TYPE_PERCPU_ARRAY, KTSNAP_LAYOUT_PERCPU_ARRAY, 4, 12, 5, 3,
		  btf, id.u32, id.inner);
	raw_table(r, "pcpu_hash", BPF_MAP_TYPE_PERCPU_HASH, KTSNAP_LAYOUT_PERCPU_HASH, 4, 8, 3, 2,
		  btf, id.u32, id.u64);
	m = raw_table(r, "nobtf_hash", BPF_MAP_TYPE_HASH, KTSNAP_LAYOUT_HASH, 6, 5, 3, 0, NULL, 0,
		      0);
	m->error = "hash map truncated at 3 entries";
	raw_table(r, "nobtf_array", BPF_MAP_TYPE_ARRAY, KTSNAP_LAYOUT_ARRAY, 4, 4, 4, 0, NULL, 0,
		  0);
	raw_table(r, "zero_hash", BPF_MAP_TYPE_HASH, KTSNAP_LAYOUT_HASH, 4, 48, 0, 0, btf, id.u32,
		  id.ctx);
	/* a single-value section */
	m = rb_map(r, "kt.bss", BPF_MAP_TYPE_ARRAY, 4, 48, 1, KTSNAP_LAYOUT_VALUE);
	val = malloc(48);
	for (j = 0; j < 48; j++)
		val[j] = pattern(9, j);
	m->raw = val;
	m->value_raw = val;
	m->btf = btf;
	m->btf_value_type_id = id.ctx;
	atomic_store(&m->rendered, false);
	/* strings section, no BTF */
	m = rb_map(r, "kt.rodata.str1.1", BPF_MAP_TYPE_ARRAY, 4, 12, 1, KTSNAP_LAYOUT_VALUE);
	val = malloc(12);
	memcpy(val, "ab\0c\\d\x01\x7f\xff\n\t", 12);
	m->raw = val;
	m->value_raw = val;
	m->render_as_string_bytes = true;
	atomic_store(&m->rendered, false);
	/* ringbuf and error only */
	m = rb_map(r, "rb", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, KTSNAP_LAYOUT_NONE);
	m->ringbuf = ktsnap_arena_alloc(&r->arena, sizeof(*m->ringbuf));
	m->ringbuf->capacity = 4096;
	m->ringbuf->producer_pos = 96;
	m->ringbuf->pending_bytes = 96;
	m = rb_map(r, "gone", BPF_MAP_TYPE_QUEUE, 0, 8, 16, KTSNAP_LAYOUT_NONE);
	m->error = "QUEUE/STACK are destructive";
	return r;
}

static void raw_maps_round_trip(void **state)
{
	struct ktsnap_report *r = capture_like(false);

	round_trip(r, 0);
	ktsnap_report__free(r);
	r = capture_like(false);
	round_trip(r, KTSNAP_BINARY_NO_COMPRESS);
	ktsnap_report__free(r);
}

static void full_report_round_trip(void **state)
{
	struct ktsnap_report *r = capture_like(true);

	round_trip(r, 0);
	ktsnap_report__free(r);
	r = rb_full_report(0);
	round_trip(r, KTSNAP_BINARY_NO_COMPRESS);
	ktsnap_report__free(r);
	r = ktsnap_report__placeholder("rendezvous timed out");
	round_trip(r, 0);
	ktsnap_report__free(r);
}

/* The read report is the capture's: raw bytes, BTF, rendered on access. */
static void read_back_is_lazy(void **state)
{
	struct ktsnap_report *r = capture_like(false), *back;
	struct blob bin = to_bin(r, 0);
	const struct ktsnap_map *m;
	const struct ktsnap_value *v;
	const uint8_t *kb;
	size_t len;
	uint64_t u;

	back = from_bin(&bin);
	m = ktsnap_report__map_by_name(back, "ctx_hash");
	assert_non_null(m);
	assert_false(ktsnap_map_is_rendered(m));
	assert_int_equal(ktsnap_map__entry_count(m), 40);
	assert_int_equal(ktsnap_map__value_size(m), 48);
	kb = ktsnap_map_entry__key_bytes(ktsnap_map__entry(m, 2), &len);
	assert_int_equal(len, 4);
	assert_int_equal(kb[0], 7);
	assert_true(ktsnap_map_is_rendered(m));
	v = ktsnap_map_entry__value(ktsnap_map__entry(m, 2));
	assert_string_equal(ktsnap_value__type_name(v), "kt_task_ctx");
	assert_int_equal(ktsnap_value__bits(ktsnap_value__get(v, "prio")), 5);
	assert_int_equal(ktsnap_value__kind(ktsnap_value__get(v, "state")), KTSNAP_VALUE_ENUM);
	assert_int_equal(ktsnap_value__element_count(ktsnap_value__get(v, "comm")), 8);
	assert_int_equal(ktsnap_value__as_u64(ktsnap_value__get(v, "inner.b"), &u), 0);
	assert_int_equal(ktsnap_map__cpu_count(ktsnap_report__map_by_name(back, "pcpu")), 3);
	assert_string_equal(ktsnap_map__error(ktsnap_report__map_by_name(back, "nobtf_hash")),
			    "hash map truncated at 3 entries");
	assert_int_equal(ktsnap_report__capture_ns(back), 777);
	ktsnap_report__free(back);
	ktsnap_report__free(r);
	free(bin.p);
}

static void formats(void **state)
{
	struct ktsnap_report *r = capture_like(false), *back = NULL;
	struct blob bin = to_bin(r, 0), js = to_json(r), j2;

	assert_int_equal(ktsnap_report_format__from_path("x/y.ktsnap"), KTSNAP_FORMAT_BINARY);
	assert_int_equal(ktsnap_report_format__from_path("y.json"), KTSNAP_FORMAT_JSON);
	assert_int_equal(ktsnap_report_format__from_path("y"), KTSNAP_FORMAT_AUTO);
	assert_int_equal(ktsnap_report_format__from_path(NULL), KTSNAP_FORMAT_AUTO);
	assert_int_equal(ktsnap_report_format__detect(bin.p, bin.len), KTSNAP_FORMAT_BINARY);
	assert_int_equal(ktsnap_report_format__detect(js.p, js.len), KTSNAP_FORMAT_JSON);
	assert_string_equal(ktsnap_report_format__name(KTSNAP_FORMAT_BINARY), "ktsnap");
	assert_null(ktsnap_report_format__name((enum ktsnap_report_format)9));
	/* AUTO reads both; a named format insists on itself */
	assert_int_equal(ktsnap_report__read_buf(bin.p, bin.len, KTSNAP_FORMAT_AUTO, &back), 0);
	j2 = to_json(back);
	assert_same(&js, &j2, "JSON via AUTO");
	ktsnap_report__free(back);
	free(j2.p);
	assert_int_equal(ktsnap_report__read_buf(js.p, js.len, KTSNAP_FORMAT_AUTO, &back), 0);
	ktsnap_report__free(back);
	back = NULL;
	assert_int_equal(ktsnap_report__read_buf(js.p, js.len, KTSNAP_FORMAT_BINARY, &back),
			 -EINVAL);
	assert_null(back);
	assert_non_null(strstr(ktsnap_errmsg(), "bad magic"));
	/* streams */
	{
		FILE *f = fmemopen(bin.p, bin.len, "r");

		assert_int_equal(ktsnap_report__read_file(f, KTSNAP_FORMAT_AUTO, &back), 0);
		fclose(f);
		ktsnap_report__free(back);
	}
	assert_int_equal(ktsnap_report__write_file(r, NULL, KTSNAP_FORMAT_BINARY, 0), -EINVAL);
	/* a full disk is the write's errno */
	{
		FILE *f = fopen("/dev/full", "w");

		assert_non_null(f);
		assert_int_equal(ktsnap_report__write_binary(r, f, 0), -ENOSPC);
		assert_non_null(strstr(ktsnap_errmsg(), "No space left on device"));
		fclose(f);
	}
	assert_int_equal(ktsnap_report__write_file(r, stdout, (enum ktsnap_report_format)7, 0),
			 -EINVAL);
	ktsnap_report__free(r);
	free(bin.p);
	free(js.p);
}

/* ---- corrupt files -------------------------------------------------------------------- */
static uint32_t le32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t le64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Offset of the @nth section of type @type (28-byte headers from 16). */
static size_t find_section(const struct blob *b, uint32_t type, int nth)
{
	size_t off = 16;

	while (off + 28 <= b->len) {
		if (le32(b->p + off) == type && nth-- == 0)
			return off;
		off += 28 + le64(b->p + off + 8);
	}
	fail_msg("no section of type %u", type);
	return 0;
}

static void fix_crc(struct blob *b, size_t off)
{
	uLong c = crc32(0, (const Bytef *)b->p + off, 24);
	uint32_t v;

	c = crc32_z(c, (const Bytef *)b->p + off + 28, le64(b->p + off + 8));
	v = (uint32_t)c;
	memcpy(b->p + off + 24, &v, 4);
}

static void expect_bad(const struct blob *b, const char *msg)
{
	struct ktsnap_report *r = NULL;
	int err = ktsnap_report__read_binary_buf(b->p, b->len, &r);

	if (!err)
		fail_msg("accepted; expected '%s'", msg);
	assert_int_equal(err, -EINVAL);
	assert_null(r);
	if (!strstr(ktsnap_errmsg(), msg))
		fail_msg("error '%s' lacks '%s'", ktsnap_errmsg(), msg);
}

static struct blob copy(const struct blob *b)
{
	struct blob c = { malloc(b->len + 64), b->len };

	memcpy(c.p, b->p, b->len);
	return c;
}

static void corrupt_files(void **state)
{
	struct ktsnap_report *r = capture_like(false);
	struct blob bin = to_bin(r, KTSNAP_BINARY_NO_COMPRESS), zbin = to_bin(r, 0), c;
	size_t off, cut, name_len;
	uint64_t big = 1ULL << 62;
	uint32_t v;

	c = copy(&bin);
	c.p[1] = 'X';
	expect_bad(&c, "snapshot file: bad magic");
	memcpy(c.p, bin.p, 16);
	c.p[8] = 2;
	expect_bad(&c, "format version 2.0");
	free(c.p);

	/* every cut fails cleanly */
	for (cut = 0; cut < bin.len; cut += 1 + cut / 50) {
		struct blob t = { bin.p, cut };
		struct ktsnap_report *x = NULL;

		assert_int_equal(ktsnap_report__read_binary_buf(t.p, t.len, &x), -EINVAL);
		assert_null(x);
	}
	c = (struct blob){ bin.p, bin.len - 28 };
	expect_bad(&c, "truncated: section #");
	c = (struct blob){ bin.p, find_section(&bin, 3, 0) + 40 };
	expect_bad(&c, "exceeds the 12 bytes left in the file");

	/* a flipped byte inside a map: the MAP section's CRC */
	c = copy(&bin);
	off = find_section(&c, 3, 0);
	c.p[off + 28 + 30] ^= 0x40;
	expect_bad(&c, "MAP section #");
	expect_bad(&c, "CRC mismatch");
	free(c.p);
	c = copy(&zbin);
	off = find_section(&c, 3, 0);
	c.p[off + 28 + 10] ^= 1;
	expect_bad(&c, "CRC mismatch");
	free(c.p);

	/* a huge length is refused before anything is allocated */
	c = copy(&bin);
	off = find_section(&c, 3, 1);
	memcpy(c.p + off + 8, &big, 8);
	expect_bad(&c, "length 4611686018427387904 exceeds");
	free(c.p);
	/* a compressed section claiming more than zstd can produce */
	c = copy(&zbin);
	off = find_section(&c, 3, 0);
	assert_int_equal(le32(c.p + off + 4), 1); /* ctx_hash is compressed */
	big = le64(c.p + off + 8) * 40000;
	memcpy(c.p + off + 16, &big, 8);
	fix_crc(&c, off);
	expect_bad(&c, "more than zstd can expand");
	big = le64(zbin.p + off + 16) + 1;
	memcpy(c.p + off + 16, &big, 8);
	fix_crc(&c, off);
	expect_bad(&c, "zstd frame holds");
	free(c.p);

	/* content errors behind a good CRC */
	c = copy(&bin);
	off = find_section(&c, 3, 0); /* ctx_hash */
	name_len = le32(c.p + off + 28);
	v = 9;
	memcpy(c.p + off + 28 + 4 + name_len + 8 + 16, &v, 4);
	fix_crc(&c, off);
	expect_bad(&c, "map 'ctx_hash': unknown layout 9");
	memcpy(c.p, bin.p, bin.len);
	v = 0xffffffff;
	memcpy(c.p + off + 28 + 4 + name_len + 8 + 16 + 4 + 16, &v, 4);
	fix_crc(&c, off);
	expect_bad(&c, "keys does not fit");
	memcpy(c.p, bin.p, bin.len);
	v = 5; /* BTF #5 */
	memcpy(c.p + off + 28 + 4 + name_len + 8 + 16 + 8, &v, 4);
	fix_crc(&c, off);
	expect_bad(&c, "BTF #5, but 1 BTF sections precede it");
	memcpy(c.p, bin.p, bin.len);
	off = find_section(&c, 2, 0);
	c.p[off + 28] = 0;
	fix_crc(&c, off);
	expect_bad(&c, "BTF section #1 at offset");
	free(c.p);

	/* trailing bytes, missing META */
	c = copy(&bin);
	c.p[c.len++] = 0;
	expect_bad(&c, "1 bytes after the END section");
	memcpy(c.p + 16, bin.p + find_section(&bin, 2, 0), bin.len - find_section(&bin, 2, 0));
	c.len = 16 + bin.len - find_section(&bin, 2, 0);
	expect_bad(&c, "the first section must be META");
	free(c.p);

	ktsnap_report__free(r);
	free(bin.p);
	free(zbin.p);
}

/* ---- live captures (BPF) ------------------------------------------------------------- */
#ifdef SNAPFILE_LIVE
static void live_round_trip(const char *obj)
{
	KTSNAP_OPTS(ktsnap_capture_opts, opts, .obj = obj, .maps_only = true,
		    .max_hash_entries = KTSNAP_CAP_NONE);
	struct ktsnap_report *r = NULL, *back;
	struct blob j0, j1, j2, bin;
	size_t i;
	int err = ktsnap_capture(&opts, &r);

	if (err)
		fail_msg("capture %s: %d %s", obj, err, ktsnap_errmsg());
	bin = to_bin(r, 0);
	j0 = to_json(r);
	back = from_bin(&bin);
	for (i = 0; i < ktsnap_report__map_count(back); i++) {
		const struct ktsnap_map *m = ktsnap_report__map_by_index(back, i);

		/* captured maps come back raw, to be rendered */
		if (ktsnap_map__layout(m) == KTSNAP_LAYOUT_HASH && ktsnap_map__entry_count(m))
			assert_false(ktsnap_map_is_rendered(m));
	}
	j1 = to_json(back);
	assert_same(&j0, &j1, "JSON of the live capture and of its .ktsnap");
	/* the same once every map is rendered as a tree */
	for (i = 0; i < ktsnap_report__map_count(back); i++)
		ktsnap_map_ensure_rendered(ktsnap_report__map_by_index(back, i));
	j2 = to_json(back);
	assert_same(&j0, &j2, "JSON of the live capture and of its rendered .ktsnap");
	ktsnap_report__free(back);
	ktsnap_report__free(r);
	free(j0.p);
	free(j1.p);
	free(j2.p);
	free(bin.p);
}

static void live_ktsched(void **state)
{
	struct ktsched *skel = NULL;

	assert_int_equal(kt_sched_open(&skel, true), 0);
	kt_sched_tick();
	live_round_trip("ktsched");
	kt_sched_close(skel);
}

static void live_ktbig(void **state)
{
	struct ktbig *skel = NULL;

	assert_int_equal(kt_big_open(&skel), 0);
	/* plain integers, and the task context (enum, bitfields, u8[8]) */
	if (kt_big_fill(skel, 20000) || kt_big_task_fill(skel, 20000)) {
		kt_big_close(skel);
		fail_msg("fill failed");
	}
	live_round_trip("ktbig");
	kt_big_close(skel);
}
#endif

/* ---- the fuzz corpus ------------------------------------------------------------------ */
static int write_corpus(const char *dir)
{
	struct rb_seed seeds[] = {
		{ "default.ktsnap", ktsnap_report__new(), 0 },
		{ "raw_maps.ktsnap", capture_like(false), KTSNAP_BINARY_NO_COMPRESS },
		{ "raw_maps_zstd.ktsnap", capture_like(false), 0 },
		{ "full.ktsnap", rb_full_report(0), KTSNAP_BINARY_NO_COMPRESS },
	};

	return rb_write_corpus(dir, seeds, sizeof(seeds) / sizeof(seeds[0]),
			       ktsnap_report__write_binary);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#ifdef SNAPFILE_LIVE
		cmocka_unit_test(live_ktsched),	       cmocka_unit_test(live_ktbig),
#endif
		cmocka_unit_test(raw_maps_round_trip), cmocka_unit_test(full_report_round_trip),
		cmocka_unit_test(read_back_is_lazy),   cmocka_unit_test(formats),
		cmocka_unit_test(corrupt_files),
	};

	if (argc == 3 && !strcmp(argv[1], "--corpus"))
		return write_corpus(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
