// SPDX-License-Identifier: MIT
/*
 * ktsnap serve: answer capture / watch / kernel-op requests of clients that
 * cannot read BPF state themselves (spec §10.6 on a live host), on a Unix
 * socket or a device, until SIGINT / SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_json.h"

/*
 * The ready line, on stdout so a script can wait for it: human
 * "listening on PATH" / "serving PATH", JSON {"listening": PATH} /
 * {"serving": PATH}.  false when stdout cannot take it (cli_finish()
 * then says why): a daemon that cannot report does not start.
 */
static bool ready(const char *what, const char *path)
{
	struct json_writer *w;

	if (!cli_json) {
		printf("ktsnap serve: %s %s\n", what, cli_esc(path));
	} else if ((w = cli_jw_begin())) {
		jw_obj_begin(w);
		jw_kv_str(w, what, path);
		jw_obj_end(w);
		cli_jw_end(w);
	}
	return !fflush(stdout) && !ferror(stdout);
}

static struct ktsnap_server *volatile running;

static void on_signal(int sig)
{
	if (running)
		ktsnap_server__stop(running);
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTS_TRANSPORT,
		{ "fifos", required_argument, NULL, 'F' },
		{ "dump-dir", required_argument, NULL, 'd' },
		{ "allow-uid", required_argument, NULL, 'u' },
		{ "allow-gid", required_argument, NULL, 'g' },
		{ "socket-group", required_argument, NULL, 'G' },
		CLI_OPTS_FILTER,
		{ 0 },
	};
	KTSNAP_OPTS(ktsnap_capture_opts, copts);
	KTSNAP_OPTS(ktsnap_server_opts, sopts);
	struct cli_transport t = { 0 };
	const char *fifos = NULL;
	char *req = NULL, *reply = NULL;
	uint32_t *uids = NULL, *gids = NULL;
	struct cli_filter flt;
	size_t nr_uids = 0, nr_gids = 0;
	long long group = -1;
	struct ktsnap_server *s = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long long n;
	int c, err, fd = -1, wfd = -1, rc = EXIT_FAIL;

	if (cli_filter_init(&flt, &copts, argc))
		goto out;
	uids = calloc((size_t)argc, sizeof(*uids));
	gids = calloc((size_t)argc, sizeof(*gids));
	if (!uids || !gids) {
		rc = cli_fail("out of memory");
		goto out;
	}
	/*
	 * One thread a client: glibc would give each its own malloc arena,
	 * and the daemon's RSS would grow with every new client thread
	 * (measured: +40 MB over 3,200 requests from 8 clients).  Two arenas
	 * keep it flat; the service is bound by captures, not malloc.
	 */
	mallopt(M_ARENA_MAX, 2);
	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'F':
			fifos = optarg;
			break;
		case 'd':
			sopts.dump_dir = optarg;
			break;
		case 'u':
		case 'g':
		case 'G':
			if (!cli_parse_u64(optarg, UINT32_MAX - 1, &n)) {
				rc = cli_usage("--%s wants a number, not '%s'",
					       c == 'u' ? "allow-uid" :
					       c == 'g' ? "allow-gid" :
							  "socket-group",
					       optarg);
				goto out;
			}
			if (c == 'u')
				uids[nr_uids++] = (uint32_t)n;
			else if (c == 'g')
				gids[nr_gids++] = (uint32_t)n;
			else
				group = (long long)n;
			break;
		default:
			if (!cli_transport_option(&t, c, optarg) &&
			    cli_filter_option(&flt, c, optarg, &rc))
				goto out;
			break;
		}
	}
	if ((rc = cli_operands(argc, argv, 0, NULL)))
		goto out;
	rc = EXIT_FAIL;
	if (!!t.socket + !!t.device + !!fifos != 1) {
		rc = cli_usage("give exactly one of --socket PATH, --device PATH and "
			       "--fifos REQ,REPLY");
		goto out;
	}
	if (fifos) {
		const char *comma = strchr(fifos, ',');

		if (!comma || comma == fifos || !comma[1]) {
			rc = cli_usage("--fifos wants REQ,REPLY, not '%s'", fifos);
			goto out;
		}
		req = strndup(fifos, (size_t)(comma - fifos));
		reply = strdup(comma + 1);
		if (!req || !reply) {
			rc = cli_fail("out of memory");
			goto out;
		}
		t.device = req;
	}
	if (!t.socket && (nr_uids || nr_gids || group >= 0)) {
		rc = cli_usage("--allow-uid, --allow-gid and --socket-group apply to --socket");
		goto out;
	}
	/* by default the socket belongs to the first allowed group */
	if (group < 0 && nr_gids)
		group = gids[0];
	sopts.capture = &copts;
	sopts.allow_uids = uids;
	sopts.nr_allow_uids = nr_uids;
	sopts.allow_gids = gids;
	sopts.nr_allow_gids = nr_gids;
	s = ktsnap_server__new(&sopts);
	if (!s) {
		rc = cli_fail("%s", ktsnap_errmsg());
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	running = s;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (t.socket) {
		err = ktsnap_server__listen_unix(s, t.socket, group);
		if (err) {
			rc = cli_fail("%s", ktsnap_errmsg());
			goto out;
		}
		if (!ready(cli_json ? "listening" : "listening on", t.socket))
			goto out;
		err = ktsnap_server__run(s);
	} else {
		/* read+write even for the request FIFO: opening never waits for a
		 * client, and clients coming and going is not an end of stream */
		fd = open(t.device, O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			rc = cli_fail("%s: %s", t.device, strerror(errno));
			goto out;
		}
		if (reply) {
			wfd = open(reply, O_RDWR | O_NONBLOCK | O_CLOEXEC);
			if (wfd < 0) {
				rc = cli_fail("%s: %s", reply, strerror(errno));
				goto out;
			}
		}
		if (!ready("serving", t.device))
			goto out;
		err = ktsnap_server__serve_fds(s, fd, wfd >= 0 ? wfd : fd);
	}
	if (err) {
		rc = cli_fail("%s", ktsnap_errmsg());
		goto out;
	}
	fprintf(stderr, "ktsnap serve: %llu requests served, %llu frames dropped\n",
		(unsigned long long)ktsnap_server__served(s),
		(unsigned long long)ktsnap_server__dropped(s));
	rc = EXIT_OK;
out:
	running = NULL;
	ktsnap_server__free(s);
	if (fd >= 0)
		close(fd);
	if (wfd >= 0)
		close(wfd);
	free(req);
	free(reply);
	free(uids);
	free(gids);
	cli_filter_free(&flt);
	return rc;
}

const struct cli_cmd cmd_serve = {
	.name = "serve",
	.run = run,
	.synopsis = CLI_SYNOPSIS_serve,
	.help = "Answer the wire's requests (capture, watch, kernel op, report retrieval)\n"
		"of clients that cannot read BPF state themselves, until SIGINT/SIGTERM.\n"
		"Needs root for the captures.  Says \"listening on PATH\" (or \"serving PATH\")\n"
		"on stdout when it is ready; a summary on stderr when it stops.\n\n"
		"  --socket PATH       a Unix stream socket, mode 0660; peers are checked\n"
		"                      with SO_PEERCRED (root is always allowed)\n"
		"  --device PATH       one stream opened read+write (a virtio-console port)\n"
		"  --fifos REQ,REPLY   requests from FIFO REQ, replies to FIFO REPLY (one\n"
		"                      client at a time: KTSNAP_SERVER=fifo:REQ,REPLY)\n"
		"  --dump-dir DIR      also write each capture to\n"
		"                      DIR/ktsnap.snapshot.<tag>.json\n"
		"  --allow-uid UID     let this uid in (repeatable)\n"
		"  --allow-gid GID     let members of this group in (repeatable)\n"
		"  --socket-group GID  group of the socket file (default: the first\n"
		"                      --allow-gid, else the daemon's)\n"
		"  --obj, --map-id, --maps-only   what a capture takes, as for capture\n",
};
