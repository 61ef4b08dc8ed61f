// SPDX-License-Identifier: MIT
/*
 * Everything the CLI writes: standard output (checked, and made safe for a
 * terminal), escaped strings for messages, the small JSON objects of the
 * commands, and report files replaced atomically (also on a signal).
 *
 * Standard output goes through a cookie stream: it remembers the errno of
 * the first failed write, so every command ends with one check (cli_finish)
 * instead of one per printf; in human mode it also escapes control
 * characters and invalid UTF-8, so text read from a report file cannot move
 * the cursor, retitle the terminal or fake a line.  In JSON mode the bytes
 * pass unchanged (the JSON writer has escaped and repaired them already).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_json.h"
#include "util_internal.h"

/* ---- escaping ------------------------------------------------------------ */

struct esc_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void esc_put(struct esc_buf *b, const char *s, size_t n)
{
	if (b->oom || ktsnap_ensure_mem((void **)&b->p, &b->cap, 1, b->len + n + 1)) {
		b->oom = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/*
 * Length of the valid UTF-8 sequence at @p (1 for ASCII), 0 when invalid.
 * *@partial: the @n bytes are the valid start of a longer sequence.
 */
static size_t utf8_len(const unsigned char *p, size_t n, bool *partial)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	*partial = false;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f; /* no surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if (i == n) {
			*partial = true;
			return 0;
		}
		if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return len;
}

/*
 * Escape @n bytes of @s into @b: C0 and C1 control characters and DEL as
 * \u{1b} (\n, \r, \t by name; \n and \t kept when @keep_layout), bytes that
 * are not UTF-8 as \xff.  With @stream, an incomplete sequence at the end
 * is left for the next call.  Returns the number of bytes consumed.
 */
static size_t escape(struct esc_buf *b, const char *s, size_t n, bool keep_layout, bool stream)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, len;
	char tmp[16];
	bool partial;

	while (i < n) {
		unsigned int c = p[i];

		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		if ((c == '\n' || c == '\t') && keep_layout) {
			i++;
			continue;
		}
		len = utf8_len(p + i, n - i, &partial);
		if (partial && stream)
			break;
		if (len > 1 && !(c == 0xc2 && p[i + 1] < 0xa0)) {
			i += len;
			continue;
		}
		esc_put(b, s + start, i - start);
		if (len == 2)
			c = p[i + 1]; /* a C1 control: U+0080..U+009F */
		if (c == '\n')
			esc_put(b, "\\n", 2);
		else if (c == '\t')
			esc_put(b, "\\t", 2);
		else if (c == '\r')
			esc_put(b, "\\r", 2);
		else
			esc_put(b, tmp,
				(size_t)snprintf(tmp, sizeof(tmp), len ? "\\u{%x}" : "\\x%02x", c));
		i += len ? len : 1;
		start = i;
	}
	esc_put(b, s + start, i - start);
	return i;
}

const char *cli_esc(const char *s)
{
	static struct esc_buf ring[8];
	static unsigned int next;
	struct esc_buf *b = &ring[next++ % 8];

	if (!s)
		return "(null)";
	b->len = 0;
	b->oom = false;
	escape(b, s, strlen(s), false, false);
	return b->oom ? "(out of memory)" : b->p ? b->p : "";
}

/* ---- standard output --------------------------------------------------------- */

static int out_errno; /* first write error on standard output */
static bool out_verbatim; /* a report file on stdout: not for escaping */
static char out_pending[4]; /* an incomplete UTF-8 sequence (human mode) */
static size_t out_npending;

static bool write_all(const char *s, size_t n)
{
	while (n && !out_errno) {
		ssize_t k = write(STDOUT_FILENO, s, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			out_errno = k < 0 ? errno : EIO;
			break;
		}
		s += k;
		n -= (size_t)k;
	}
	return !out_errno;
}

static ssize_t out_write(void *cookie, const char *s, size_t n)
{
	static struct esc_buf b;
	size_t used = 0;

	if (out_errno) {
		errno = out_errno;
		return 0;
	}
	if (cli_json || out_verbatim)
		return write_all(s, n) ? (ssize_t)n : 0;
	b.len = 0;
	b.oom = false;
	if (out_npending) {
		/* the tail of the last call first, completed by this one's head */
		char join[8];
		size_t take = n < 4 ? n : 4, k;

		memcpy(join, out_pending, out_npending);
		memcpy(join + out_npending, s, take);
		k = escape(&b, join, out_npending + take, true, true);
		if (k < out_npending) {
			/* still incomplete (n < 4): keep collecting */
			memcpy(out_pending + out_npending, s, take);
			out_npending += take;
			return (ssize_t)take;
		}
		used = k - out_npending;
		out_npending = 0;
	}
	used += escape(&b, s + used, n - used, true, true);
	if (used < n) {
		out_npending = n - used; /* at most 3 bytes: a valid prefix */
		memcpy(out_pending, s + used, out_npending);
	}
	if (b.oom) {
		out_errno = ENOMEM;
	} else if (write_all(b.p ? b.p : "", b.len)) {
		return (ssize_t)n;
	}
	errno = out_errno;
	return 0;
}

void cli_stdout_init(void)
{
	static const cookie_io_functions_t io = { .write = out_write };
	FILE *f = fopencookie(NULL, "w", io);

	/* glibc lets a program assign stdout; without the cookie we still
	 * check the stream's error flag at the end */
	if (f) {
		setvbuf(f, NULL, _IOFBF, 64 * 1024);
		stdout = f;
	}
}

void cli_stdout_verbatim(bool on)
{
	fflush(stdout); /* what came before is escaped (or not) as it was */
	out_verbatim = on;
}

int cli_finish(int rc)
{
	if (fflush(stdout) && !out_errno)
		out_errno = errno ? errno : EIO;
	if (out_npending && !out_errno) {
		struct esc_buf b = { 0 };

		escape(&b, out_pending, out_npending, true, false);
		out_npending = 0;
		if (b.oom)
			out_errno = ENOMEM;
		else
			write_all(b.p, b.len);
		free(b.p);
	}
	if (!out_errno && ferror(stdout))
		out_errno = EIO;
	if (!out_errno)
		return rc;
	/* stdout is what failed: the message goes to stderr in both modes */
	fprintf(stderr, "ktsnap%s%s: write error: %s\n", cli_current ? " " : "",
		cli_current ? cli_current->name : "", strerror(out_errno));
	return rc ? rc : EXIT_FAIL;
}

int cli_write_failed(int err)
{
	if (out_errno)
		return EXIT_FAIL; /* stdout failed: cli_finish() says why */
	if (err == -EINVAL && *ktsnap_errmsg())
		return cli_fail("%s", ktsnap_errmsg());
	return cli_fail("write error: %s", strerror(err < 0 ? -err : EIO));
}

/* ---- small JSON objects -------------------------------------------------------- */

struct json_writer *cli_jw_begin(void)
{
	struct json_writer *w = malloc(sizeof(*w));

	if (w)
		jw_init(w, stdout, cli_pretty);
	return w;
}

int cli_jw_end(struct json_writer *w)
{
	int err;

	if (!w)
		return -ENOMEM;
	err = jw_finish(w);
	free(w);
	return err;
}

int cli_summary(void (*fields)(struct json_writer *w, const void *ctx), const void *ctx,
		const char *fmt, ...)
{
	struct json_writer *w;
	va_list ap;

	if (!cli_json) {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		return EXIT_OK;
	}
	w = cli_jw_begin();
	if (!w)
		return cli_fail("out of memory");
	jw_obj_begin(w);
	fields(w, ctx);
	jw_obj_end(w);
	cli_jw_end(w); /* a write error is cli_finish()'s */
	return EXIT_OK;
}

/* ---- report files --------------------------------------------------------------- */

/* The temporary a fatal signal must remove (one output file at a time). */
static char *volatile sig_tmp;
static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT };

static void on_fatal_signal(int sig)
{
	char *tmp = sig_tmp;

	if (tmp)
		unlink(tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signal_cleanup(void)
{
	static bool done;
	struct sigaction sa = { .sa_handler = on_fatal_signal }, old;
	size_t i;

	if (done)
		return;
	done = true;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
		/* an ignored signal (nohup) stays ignored */
		if (!sigaction(fatal_signals[i], NULL, &old) && old.sa_handler == SIG_IGN)
			continue;
		sigaction(fatal_signals[i], &sa, NULL);
	}
}

static void block_signals(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaddset(&set, fatal_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

int cli_out_open(struct cli_out *o, const char *path)
{
	struct stat st;
	bool exists;
	sigset_t old;
	int fd, err;

	memset(o, 0, sizeof(*o));
	exists = !lstat(path, &st);
	if (!exists && errno != ENOENT)
		return cli_fail("%s: %s", path, strerror(errno));
	if (exists && S_ISLNK(st.st_mode))
		return cli_fail("%s: is a symbolic link; not writing through it (give the "
				"target's path, or '-' for standard output)",
				path);
	if (exists && !S_ISREG(st.st_mode))
		return cli_fail("%s: not a regular file; -o replaces regular files only "
				"('-' writes to standard output)",
				path);
	o->path = strdup(path);
	o->tmp = malloc(strlen(path) + sizeof(".tmp.XXXXXX"));
	if (!o->path || !o->tmp) {
		err = ENOMEM;
		goto fail;
	}
	strcpy(o->tmp, path);
	strcat(o->tmp, ".tmp.XXXXXX");
	install_signal_cleanup();
	/* no window in which the temporary exists but a signal would miss it */
	block_signals(&old);
	fd = mkstemp(o->tmp); /* mode 0600: a report holds kernel pointers */
	if (fd >= 0)
		sig_tmp = o->tmp;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (fd < 0) {
		err = errno;
		goto fail;
	}
	if (exists) {
		/* replacing a file keeps its owner and mode (owner: as root) */
		if (fchown(fd, st.st_uid, st.st_gid) && errno != EPERM) {
			err = errno;
			goto fail_fd;
		}
		if (fchmod(fd, st.st_mode & 07777)) {
			err = errno;
			goto fail_fd;
		}
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		err = errno;
		goto fail_fd;
	}
	return EXIT_OK;

fail_fd:
	close(fd);
	cli_out_close(o, false);
	return cli_fail("%s: %s", path, strerror(err));
fail:
	free(o->path);
	free(o->tmp);
	o->path = o->tmp = NULL;
	return cli_fail("%s: %s", path, strerror(err));
}

int cli_out_close(struct cli_out *o, bool ok)
{
	sigset_t old;
	int err = 0;

	if (o->f && fclose(o->f))
		err = -errno;
	o->f = NULL;
	if (o->tmp) {
		block_signals(&old);
		if (ok && !err && rename(o->tmp, o->path))
			err = -errno;
		if (!ok || err)
			unlink(o->tmp);
		sig_tmp = NULL;
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	if (err)
		errno = -err;
	return err;
}
