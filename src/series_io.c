// SPDX-License-Identifier: MIT
/*
 * series_io: a SampleSeries on disk, the form `ktsnap record` writes and
 * `ktsnap check` reads.  A series directory holds one report file per row
 * (<tag>.json, the library's report JSON) and series.json, which keeps
 * what the report files cannot: row order and each row's tag, elapsed_ms,
 * boundary_offset_ms, step_index and stats slot.  This file owns that
 * layout; reading also accepts a bare directory of periodic_*.json files
 * (rows in name order, elapsed_ms from the capture timestamps).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <ktsnap/json.h>
#include <ktsnap/report.h>
#include <ktsnap/series.h>
#include <ktsnap/snapfile.h>

#include "log_internal.h"
#include "util_internal.h"

#define SERIES_FILE "series.json"

/* A tag usable as a file name in the directory. */
static bool tag_is_file_safe(const char *tag)
{
	return *tag && !strchr(tag, '/') && strcmp(tag, ".") && strcmp(tag, "..") &&
	       strlen(tag) < 200;
}

static int write_report(const char *dir, const char *tag, const struct ktsnap_report *r)
{
	char path[4096];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%s.json", dir, tag);
	f = fopen(path, "we");
	if (!f) {
		err = errno;
		return ktsnap_fail(-err, "write_dir: cannot create %s: %s", path, strerror(err));
	}
	err = ktsnap_report__write_json(r, f, 0);
	if (fclose(f) && !err)
		err = ktsnap_fail(-EIO, "write_dir: cannot write %s", path);
	return err;
}

/* The stats slot as series.json keeps it. */
static int add_stats(struct json_object *rec, const struct ktsnap_stats *st)
{
	const struct ktsnap_missing_stats *m = &st->missing;
	struct json_object *o;

	if (st->ok) {
		o = json_tokener_parse(st->json ? st->json : "null");
		if (o || (st->json && !strcmp(st->json, "null")))
			return json_object_object_add(rec, "stats", o);
		return json_object_object_add(rec, "stats_text",
					      json_object_new_string(st->json ? st->json : ""));
	}
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "kind",
			       json_object_new_string(ktsnap_missing_stats_kind__name(m->kind)));
	if (m->reason)
		json_object_object_add(o, "reason", json_object_new_string(m->reason));
	if (m->kind == KTSNAP_MISSING_STATS_SCHEDULER_ERROR)
		json_object_object_add(o, "errno", json_object_new_int(m->err));
	if (m->args_json)
		json_object_object_add(o, "args", json_object_new_string(m->args_json));
	if (m->kind == KTSNAP_MISSING_STATS_REQUEST_TOO_LARGE ||
	    m->kind == KTSNAP_MISSING_STATS_RESPONSE_TOO_LARGE) {
		json_object_object_add(o, "size", json_object_new_uint64(m->size));
		json_object_object_add(o, "max", json_object_new_uint64(m->max));
	}
	return json_object_object_add(rec, "missing_stats", o);
}

int ktsnap_sample_series__write_dir(const struct ktsnap_sample_series *s, const char *dir)
{
	struct json_object *root = NULL, *arr;
	struct ktsnap_sample smp;
	char path[4096];
	size_t i;
	int err = 0;

	if (!s || !dir)
		return ktsnap_fail(-EINVAL, "write_dir: no series or no directory");
	for (i = 0; i < ktsnap_sample_series__len(s); i++) {
		ktsnap_sample_series__sample(s, i, &smp);
		if (!tag_is_file_safe(smp.tag))
			return ktsnap_fail(-EINVAL,
					   "write_dir: sample %zu's tag '%s' cannot be a file name",
					   i, smp.tag);
	}
	root = json_object_new_object();
	arr = json_object_new_array();
	if (!root || !arr) {
		json_object_put(arr);
		err = ktsnap_fail(-ENOMEM, "write_dir: out of memory");
		goto out;
	}
	json_object_object_add(root, "samples", arr);
	for (i = 0; i < ktsnap_sample_series__len(s); i++) {
		struct json_object *rec = json_object_new_object();
		char file[256];

		ktsnap_sample_series__sample(s, i, &smp);
		if (!rec) {
			err = ktsnap_fail(-ENOMEM, "write_dir: out of memory");
			goto out;
		}
		json_object_array_add(arr, rec);
		snprintf(file, sizeof(file), "%s.json", smp.tag);
		json_object_object_add(rec, "tag", json_object_new_string(smp.tag));
		json_object_object_add(rec, "file", json_object_new_string(file));
		if (smp.meta.has_elapsed_ms)
			json_object_object_add(rec, "elapsed_ms",
					       json_object_new_uint64(smp.meta.elapsed_ms));
		if (smp.meta.has_boundary_offset_ms)
			json_object_object_add(rec, "boundary_offset_ms",
					       json_object_new_uint64(smp.meta.boundary_offset_ms));
		if (smp.meta.has_step_index)
			json_object_object_add(rec, "step_index",
					       json_object_new_int(smp.meta.step_index));
		if (add_stats(rec, smp.stats)) {
			err = ktsnap_fail(-ENOMEM, "write_dir: out of memory");
			goto out;
		}
		err = write_report(dir, smp.tag, ktsnap_snapshot__report(smp.snapshot));
		if (err)
			goto out;
	}
	snprintf(path, sizeof(path), "%s/" SERIES_FILE, dir);
	if (json_object_to_file_ext(path, root, KTSNAP_JSONC_COMPACT)) {
		err = errno ? -errno : -EIO;
		ktsnap_fail(err, "write_dir: cannot write %s: %s", path, strerror(-err));
	}
out:
	json_object_put(root);
	return err;
}

/* ---- reading ------------------------------------------------------------------------------ */

static int read_report(const char *dir, const char *file, struct ktsnap_report **r)
{
	char path[4096];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f) {
		err = errno;
		return ktsnap_fail(-err, "read_dir: cannot open %s: %s", path, strerror(err));
	}
	err = ktsnap_report__read_file(f, KTSNAP_FORMAT_AUTO, r); /* JSON or .ktsnap */
	fclose(f);
	return err;
}

static bool get_u64(struct json_object *o, const char *key, uint64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		return false;
	*out = json_object_get_uint64(v);
	return true;
}

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The stats slot of a series.json record (strings borrowed from @rec). */
static int parse_stats(struct json_object *rec, struct ktsnap_stats *st)
{
	struct json_object *v, *m;
	const char *kind;
	uint64_t u;
	int k;

	if (json_object_object_get_ex(rec, "stats", &v)) {
		*st = ktsnap_stats_json(json_object_to_json_string_ext(v, KTSNAP_JSONC_COMPACT));
		return 0;
	}
	if (get_str(rec, "stats_text")) {
		*st = ktsnap_stats_json(get_str(rec, "stats_text"));
		return 0;
	}
	*st = ktsnap_stats_missing(KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY);
	if (!json_object_object_get_ex(rec, "missing_stats", &m))
		return 0;
	kind = get_str(m, "kind");
	for (k = KTSNAP_MISSING_STATS_NO_SCHEDULER_BINARY;
	     kind && k <= KTSNAP_MISSING_STATS_MUTEX_POISONED; k++)
		if (!strcmp(kind, ktsnap_missing_stats_kind__name(k)))
			break;
	if (!kind || k > KTSNAP_MISSING_STATS_MUTEX_POISONED)
		return -EINVAL;
	st->missing.kind = k;
	st->missing.reason = get_str(m, "reason");
	st->missing.args_json = get_str(m, "args");
	if (get_u64(m, "size", &u))
		st->missing.size = u;
	if (get_u64(m, "max", &u))
		st->missing.max = u;
	if (json_object_object_get_ex(m, "errno", &v))
		st->missing.err = json_object_get_int(v);
	return 0;
}

static int read_indexed(struct ktsnap_sample_series *s, const char *dir, struct json_object *root)
{
	struct json_object *arr;
	size_t i;
	int err;

	if (!json_object_object_get_ex(root, "samples", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return ktsnap_fail(-EINVAL, "read_dir: %s/" SERIES_FILE " has no \"samples\" array",
				   dir);
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *rec = json_object_array_get_idx(arr, i);
		const char *tag = get_str(rec, "tag"), *file = get_str(rec, "file");
		uint64_t el = 0, off = 0, step = 0;
		bool has_el, has_off, has_step;
		struct ktsnap_report *r = NULL;
		struct ktsnap_stats st;
		char fallback[256];
		uint16_t step16;

		if (!tag || !tag_is_file_safe(tag))
			return ktsnap_fail(-EINVAL,
					   "read_dir: sample %zu of %s/" SERIES_FILE
					   " has no tag that can be a file name",
					   i, dir);
		if (!file) {
			snprintf(fallback, sizeof(fallback), "%s.json", tag);
			file = fallback;
		}
		if (!tag_is_file_safe(file))
			return ktsnap_fail(-EINVAL,
					   "read_dir: sample '%s': file '%s' is not a file name",
					   tag, file);
		if (parse_stats(rec, &st))
			return ktsnap_fail(
				-EINVAL, "read_dir: sample '%s': unknown missing_stats kind", tag);
		has_el = get_u64(rec, "elapsed_ms", &el);
		has_off = get_u64(rec, "boundary_offset_ms", &off);
		has_step = get_u64(rec, "step_index", &step) && step <= UINT16_MAX;
		step16 = (uint16_t)step;
		err = read_report(dir, file, &r);
		if (err)
			return err;
		err = ktsnap_sample_series__push(s, tag, r, &st, has_el ? &el : NULL,
						 has_off ? &off : NULL, has_step ? &step16 : NULL);
		if (err)
			return err;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A bare directory: periodic_*.json in name order, elapsed from timestamps. */
static int read_bare(struct ktsnap_sample_series *s, const char *dir)
{
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	uint64_t first_ts = 0;
	struct dirent *de;
	int err = 0;
	DIR *d = opendir(dir);

	if (!d) {
		err = errno;
		return ktsnap_fail(-err, "read_dir: cannot open %s: %s", dir, strerror(err));
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "periodic_", 9) || len < 5 + 9 ||
		    strcmp(de->d_name + len - 5, ".json"))
			continue;
		if (KTSNAP_ENSURE(names, cap, n + 1) || !(names[n] = strdup(de->d_name))) {
			err = ktsnap_fail(-ENOMEM, "read_dir: out of memory");
			goto out;
		}
		n++;
	}
	if (!n) {
		err = ktsnap_fail(-ENOENT,
				  "read_dir: %s has neither " SERIES_FILE
				  " nor periodic_*.json samples",
				  dir);
		goto out;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		struct ktsnap_report *r = NULL;
		uint64_t ts, el = 0;
		char tag[256];

		err = read_report(dir, names[i], &r);
		if (err)
			goto out;
		snprintf(tag, sizeof(tag), "%.*s", (int)(strlen(names[i]) - 5), names[i]);
		ts = ktsnap_report__timestamp_ns(r);
		if (!i)
			first_ts = ts;
		if (ts && first_ts && ts >= first_ts)
			el = (ts - first_ts) / 1000000;
		err = ktsnap_sample_series__push(
			s, tag, r, NULL, ts && first_ts && ts >= first_ts ? &el : NULL, NULL, NULL);
		if (err)
			goto out;
	}
out:
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

struct ktsnap_sample_series *ktsnap_sample_series__read_dir(const char *dir)
{
	struct ktsnap_sample_series *s;
	struct json_object *root;
	char path[4096];
	FILE *f;
	int err;

	if (!dir)
		return ktsnap_fail_ptr(-EINVAL, "read_dir: no directory");
	s = ktsnap_sample_series__new();
	if (!s)
		return NULL;
	snprintf(path, sizeof(path), "%s/" SERIES_FILE, dir);
	f = fopen(path, "re");
	if (f) {
		fclose(f);
		root = json_object_from_file(path);
		err = root ? read_indexed(s, dir, root) :
			     ktsnap_fail(-EINVAL, "read_dir: %s is not JSON", path);
		json_object_put(root);
	} else {
		err = errno;
		err = err == ENOENT ? read_bare(s, dir) :
				      ktsnap_fail(-err, "read_dir: cannot open %s: %s", path,
						  strerror(err));
	}
	if (err) {
		ktsnap_sample_series__free(s);
		errno = -err;
		return NULL;
	}
	return s;
}
