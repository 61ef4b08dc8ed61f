// SPDX-License-Identifier: MIT
/*
 * Report files too big to keep in a unit test's memory budget by accident
 * (reliability review #3 and #10): any array is read in memory a small
 * multiple of the file (each read runs in a child so its peak RSS is its
 * own), and a regular file larger than the old 256 MB cap reads.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <ktsnap/json.h>
#include <ktsnap/report.h>

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A temporary file: @head, @n copies of @item (joined by ','), @tail. */
static FILE *make_file(const char *head, const char *item, size_t n, const char *tail, long *size)
{
	FILE *f = tmpfile();
	size_t i;

	assert_non_null(f);
	fputs(head, f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		fputs(item, f);
	}
	fputs(tail, f);
	assert_int_equal(fflush(f), 0);
	*size = ftell(f);
	rewind(f);
	return f;
}

/*
 * Read @f in a child; the child's peak RSS may grow by at most @factor
 * times the file size.  Returns the growth in KB (for the message).
 */
static void read_bounded(FILE *f, long size, long factor, void (*check)(struct ktsnap_report *))
{
	int st, fds[2];
	long grew = -1;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct ktsnap_report *r = NULL;
		long before = maxrss_kb();
		int err = ktsnap_report__read_json(f, &r);

		grew = maxrss_kb() - before;
		if (write(fds[1], &grew, sizeof(grew)) != sizeof(grew))
			_exit(3);
		if (err) {
			fprintf(stderr, "read failed: %s\n", ktsnap_errmsg());
			_exit(2);
		}
		check(r);
		ktsnap_report__free(r);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &grew, sizeof(grew)), sizeof(grew));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	if (grew * 1024 > factor * size)
		fail_msg("reading %ld bytes grew the peak RSS by %ld KB (more than %ldx)", size,
			 grew, factor);
}

#define NR_KVAS 800000u

static void check_kvas(struct ktsnap_report *r)
{
	size_t n;
	const uint64_t *v = ktsnap_report__active_map_kvas(r, &n);

	if (n != NR_KVAS || v[0] != 123456789 || v[n - 1] != 123456789)
		_exit(4);
}

/* One 8 MB list of integers (json-c alone spends ~100 bytes an element). */
static void big_integer_list(void **state)
{
	long size;
	FILE *f = make_file("{\"schema\":\"single\",\"active_map_kvas\":[", "123456789", NR_KVAS,
			    "]}\n", &size);

	read_bounded(f, size, 5, check_kvas);
	fclose(f);
}

#define NR_ELEMS 200000u

static void check_elems(struct ktsnap_report *r)
{
	const struct ktsnap_value *v = ktsnap_map__value(ktsnap_report__map_by_index(r, 0));

	if (ktsnap_value__kind(v) != KTSNAP_VALUE_ARRAY || !ktsnap_value__index(v, NR_ELEMS - 1) ||
	    ktsnap_value__index(v, NR_ELEMS))
		_exit(4);
}

/* A 7 MB array value of RenderedValue objects (json-c: a hash table each). */
static void big_value_array(void **state)
{
	long size;
	FILE *f =
		make_file("{\"schema\":\"single\",\"maps\":[{\"name\":\"m\",\"value\":"
			  "{\"kind\":\"array\",\"len\":200000,\"elements\":[",
			  "{\"kind\":\"uint\",\"bits\":8,\"value\":1}", NR_ELEMS, "]}}]}\n", &size);

	read_bounded(f, size, 5, check_elems);
	fclose(f);
}

static void check_nothing(struct ktsnap_report *r)
{
	if (strcmp(ktsnap_report__active_obj_name(r), "big"))
		_exit(4);
}

/* #10: a regular file past the old 256 MB refusal reads (it is mapped). */
static void regular_file_past_old_cap(void **state)
{
	static char pad[1 << 20];
	FILE *f = tmpfile();
	long size;
	int i;

	memset(pad, ' ', sizeof(pad));
	fputs("{\"schema\":\"single\",\"active_obj_name\":\"big\"}", f);
	for (i = 0; i < 260; i++)
		assert_int_equal(fwrite(pad, 1, sizeof(pad), f), sizeof(pad));
	fputc('\n', f);
	assert_int_equal(fflush(f), 0);
	size = ftell(f);
	assert_true(size > (256L << 20));
	rewind(f);
	/* the whole file is mapped (touched once): allow its size and a copy */
	read_bounded(f, size, 3, check_nothing);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(big_integer_list),
		cmocka_unit_test(big_value_array),
		cmocka_unit_test(regular_file_past_old_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
