// SPDX-License-Identifier: MIT
/*
 * stats_client: the scheduler-stats request periodic capture makes at each
 * boundary (spec §8.1, §7.4), over the scx stats protocol — a Unix stream
 * socket carrying one JSON request line and one JSON response line.  This
 * file owns the mapping of every way that exchange can go wrong onto a
 * MissingStatsReason, so a sample always carries either the stats or the
 * reason they are missing.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include <ktsnap/bridge.h>
#include <ktsnap/series.h>

#include "log_internal.h"
#include "util_internal.h"

struct ktsnap_stats_socket {
	char *path;
	char *target;
	uint32_t timeout_ms;
	size_t max_response;
	/* the last answer's strings (valid until the next request) */
	char *json;
	char *args;
	char reason[256];
};

struct ktsnap_stats_socket *ktsnap_stats_socket__new(const char *path, const char *target,
						     uint32_t timeout_ms, size_t max_response)
{
	struct ktsnap_stats_socket *s;

	if (!path)
		return ktsnap_fail_ptr(-EINVAL, "stats socket: no path");
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return ktsnap_fail_ptr(-EINVAL, "stats socket: path too long: %s", path);
	s = calloc(1, sizeof(*s));
	if (!s)
		goto oom;
	s->path = strdup(path);
	s->target = target ? strdup(target) : NULL;
	if (!s->path || (target && !s->target))
		goto oom;
	s->timeout_ms = timeout_ms ? timeout_ms : 1000;
	s->max_response = max_response ? max_response : KTSNAP_STATS_MAX_RESPONSE;
	return s;
oom:
	ktsnap_stats_socket__free(s);
	return ktsnap_fail_ptr(-ENOMEM, "stats socket: out of memory");
}

void ktsnap_stats_socket__free(struct ktsnap_stats_socket *s)
{
	if (!s)
		return;
	free(s->path);
	free(s->target);
	free(s->json);
	free(s->args);
	free(s);
}

/* NoScheduler, reason "stats socket {path}: {what}" and ": {strerror(err)}" for an @err. */
static void no_scheduler(struct ktsnap_stats_socket *s, struct ktsnap_stats *out, const char *what,
			 int err)
{
	snprintf(s->reason, sizeof(s->reason), "stats socket %s: %s%s%s", s->path, what,
		 err ? ": " : "", err ? strerror(err) : "");
	*out = ktsnap_stats_missing(KTSNAP_MISSING_STATS_NO_SCHEDULER);
	out->missing.reason = s->reason;
}

/* Wait for @events on @fd within the client's timeout: 0 or -errno. */
static int wait_fd(struct ktsnap_stats_socket *s, int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int rc;

	do
		rc = poll(&p, 1, (int)s->timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return rc ? 0 : -ETIMEDOUT;
}

/* The request line (without the newline) into a heap string. */
static char *request_line(struct ktsnap_stats_socket *s)
{
	struct json_object *req = json_object_new_object(), *args = json_object_new_object();
	char *line = NULL;

	if (!req || !args)
		goto out;
	if (s->target)
		json_object_object_add(args, "target", json_object_new_string(s->target));
	json_object_object_add(req, "req", json_object_new_string("stats"));
	json_object_object_add(req, "args", args);
	args = NULL;
	line = strdup(json_object_to_json_string_ext(req, KTSNAP_JSONC_COMPACT));
out:
	json_object_put(args);
	json_object_put(req);
	return line;
}

static int send_all(struct ktsnap_stats_socket *s, int fd, const char *p, size_t n)
{
	ssize_t w;
	int rc;

	while (n) {
		rc = wait_fd(s, fd, POLLOUT);
		if (rc)
			return rc;
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Read one line (newline dropped) into *line: 0, -EFBIG past the cap
 * (*len = bytes seen so far), -ECONNRESET when the peer closed first, or
 * another -errno.
 */
static int recv_line(struct ktsnap_stats_socket *s, int fd, char **line, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	ssize_t r;
	int rc;

	/* room for 4096 bytes and the NUL; the last slot stays for the NUL */
	if (KTSNAP_ENSURE(buf, cap, 4096 + 1))
		return -ENOMEM;
	for (;;) {
		char *nl;

		rc = wait_fd(s, fd, POLLIN);
		if (rc)
			break;
		if (KTSNAP_ENSURE(buf, cap, n + 2)) {
			rc = -ENOMEM;
			break;
		}
		r = recv(fd, buf + n, cap - 1 - n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -ECONNRESET;
			break;
		}
		/* the line so far: up to the newline when one came */
		nl = memchr(buf + n, '\n', (size_t)r);
		n = nl ? (size_t)(nl - buf) : n + (size_t)r;
		if (n > s->max_response) {
			rc = -EFBIG;
			break;
		}
		if (nl) {
			buf[n] = '\0';
			*line = buf;
			*len = n;
			return 0;
		}
	}
	*len = n;
	free(buf);
	return rc;
}

/* Keep a compact copy of @v in *slot (replacing the previous one). */
static const char *keep_json(char **slot, struct json_object *v)
{
	free(*slot);
	*slot = strdup(v ? json_object_to_json_string_ext(v, KTSNAP_JSONC_COMPACT) : "null");
	return *slot;
}

static void interpret(struct ktsnap_stats_socket *s, const char *line, struct ktsnap_stats *out)
{
	struct json_object *root = json_tokener_parse(line), *err, *args, *resp;

	if (!root || !json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "errno", &err) ||
	    !json_object_is_type(err, json_type_int) ||
	    !json_object_object_get_ex(root, "args", &args) ||
	    !json_object_is_type(args, json_type_object)) {
		no_scheduler(s, out, "malformed response", 0);
		goto out;
	}
	if (json_object_get_int(err)) {
		*out = ktsnap_stats_missing(KTSNAP_MISSING_STATS_SCHEDULER_ERROR);
		out->missing.err = json_object_get_int(err);
		out->missing.args_json = keep_json(&s->args, args);
	} else if (!json_object_object_get_ex(args, "resp", &resp)) {
		*out = ktsnap_stats_missing(KTSNAP_MISSING_STATS_MISSING_RESP);
		out->missing.args_json = keep_json(&s->args, args);
	} else {
		*out = ktsnap_stats_json(keep_json(&s->json, resp));
	}
	if ((out->ok && !out->json) || (!out->ok && out->missing.args_json == NULL &&
					out->missing.kind != KTSNAP_MISSING_STATS_NO_SCHEDULER)) {
		no_scheduler(s, out, "out of memory", 0);
	}
out:
	json_object_put(root);
}

int ktsnap_stats_socket__request(struct ktsnap_stats *out, void *client)
{
	struct ktsnap_stats_socket *s = client;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char *req = NULL, *line = NULL;
	size_t len = 0;
	int fd = -1, rc;

	if (!out || !s)
		return ktsnap_fail(-EINVAL, "stats request: no socket or no output");
	req = request_line(s);
	if (!req) {
		no_scheduler(s, out, "building the request", ENOMEM);
		return 0;
	}
	if (strlen(req) > KTSNAP_STATS_MAX_REQUEST) {
		*out = ktsnap_stats_missing(KTSNAP_MISSING_STATS_REQUEST_TOO_LARGE);
		out->missing.size = strlen(req);
		out->missing.max = KTSNAP_STATS_MAX_REQUEST;
		goto done;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		no_scheduler(s, out, "socket", errno);
		goto done;
	}
	memcpy(addr.sun_path, s->path, strlen(s->path) + 1);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) &&
	    (errno != EINPROGRESS || wait_fd(s, fd, POLLOUT))) {
		no_scheduler(s, out, "connect", errno == EINPROGRESS ? ETIMEDOUT : errno);
		goto done;
	}
	rc = send_all(s, fd, req, strlen(req));
	if (!rc)
		rc = send_all(s, fd, "\n", 1);
	if (rc) {
		no_scheduler(s, out, "send", -rc);
		goto done;
	}
	rc = recv_line(s, fd, &line, &len);
	if (rc == -EFBIG) {
		*out = ktsnap_stats_missing(KTSNAP_MISSING_STATS_RESPONSE_TOO_LARGE);
		out->missing.size = len;
		out->missing.max = s->max_response;
	} else if (rc) {
		no_scheduler(s, out, "receive", -rc);
	} else {
		interpret(s, line, out);
	}
done:
	if (fd >= 0)
		close(fd);
	free(line);
	free(req);
	return 0;
}
