// SPDX-License-Identifier: MIT
/*
 * ktsnap request: a client of `ktsnap serve` (the wire, spec §10): ask for
 * a capture or a watch, or fetch a stored report by tag.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_json.h"

static int write_out(const char *path, const char *json, size_t len)
{
	struct cli_out o = { 0 };
	int err, rc;

	if (!path || !strcmp(path, "-")) {
		/* JSON escaped by the library already: passed on unchanged */
		cli_stdout_verbatim(true);
		err = fwrite(json, 1, len, stdout) == len ? 0 : -EIO;
		cli_stdout_verbatim(false);
		return err ? cli_write_failed(err) : EXIT_OK;
	}
	rc = cli_out_open(&o, path);
	if (rc)
		return rc;
	err = fwrite(json, 1, len, o.f) == len ? 0 : -EIO;
	rc = cli_out_close(&o, !err);
	if (!err)
		err = rc;
	if (err)
		return cli_fail("writing %s: %s", path, strerror(-err));
	return EXIT_OK;
}

/* What -j says once a request is done: capture and watch name the
 * request, get the file it wrote. */
struct summary {
	const char *request, *tag, *file;
	size_t bytes;
};

static void requested_fields(struct json_writer *w, const void *ctx)
{
	const struct summary *sum = ctx;

	jw_kv_str(w, "request", sum->request);
	jw_kv_str(w, "tag", sum->tag);
	jw_kv_str(w, "status", "ok");
}

static void fetched_fields(struct json_writer *w, const void *ctx)
{
	const struct summary *sum = ctx;

	jw_kv_str(w, "tag", sum->tag);
	jw_kv_str(w, "file", sum->file);
	jw_kv_u64(w, "bytes", sum->bytes);
}

static int fetch(struct ktsnap_wire_client *c, const char *tag, uint32_t timeout_ms,
		 const char *out)
{
	struct ktsnap_wire_result res;
	char *json = NULL;
	size_t len;
	int rc;

	if (ktsnap_wire_client__fetch_report(c, tag, timeout_ms, &json, &len, &res))
		return cli_fail("get '%s': %s%s", cli_esc(tag),
				res.status == KTSNAP_WIRE_HOST_ERROR ? "" : "transport failure: ",
				res.reason);
	rc = write_out(out, json, len);
	if (rc == EXIT_OK && out && strcmp(out, "-")) {
		struct summary sum = { .tag = tag, .file = out, .bytes = len };

		rc = cli_summary(fetched_fields, &sum, "fetched '%s' → %s (%zu bytes)\n",
				 cli_esc(tag), cli_esc(out), len);
	}
	free(json);
	return rc;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTS_TRANSPORT,
		{ "output", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' },
		{ 0 },
	};
	struct cli_transport t = { 0 };
	const char *out = NULL, *verb, *arg;
	struct ktsnap_wire_client *c = NULL;
	struct ktsnap_wire_result res;
	unsigned long long n;
	uint32_t timeout_ms = KTSNAP_WIRE_REQUEST_TIMEOUT_MS;
	char addr[4200];
	struct summary sum;
	int ch, rc = EXIT_FAIL;

	while ((ch = cli_getopt(argc, argv, "o:", opts)) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 't':
			if (!cli_parse_u64(optarg, UINT32_MAX, &n) || !n)
				return cli_usage("--timeout wants milliseconds, not '%s'", optarg);
			timeout_ms = (uint32_t)n;
			break;
		case 'h':
			return cli_help();
		default:
			if (!cli_transport_option(&t, ch, optarg))
				return EXIT_USAGE;
			break;
		}
	}
	if (t.socket && t.device)
		return cli_usage("give one of --socket PATH and --device PATH");
	if (t.socket)
		snprintf(addr, sizeof(addr), "unix:%s", t.socket);
	else if (t.device)
		snprintf(addr, sizeof(addr), "dev:%s", t.device);
	else if (getenv("KTSNAP_SERVER") && *getenv("KTSNAP_SERVER"))
		snprintf(addr, sizeof(addr), "%s", getenv("KTSNAP_SERVER"));
	else
		return cli_usage("no server: give --socket PATH (or set KTSNAP_SERVER)");
	if (argc - optind != 2)
		return cli_usage("want a request: capture TAG, watch SYMBOL or get TAG");
	verb = argv[optind];
	arg = argv[optind + 1];
	if (strcmp(verb, "capture") && strcmp(verb, "watch") && strcmp(verb, "get"))
		return cli_usage("unknown request '%s'", verb);
	if (!strcmp(verb, "watch") && out)
		return cli_usage("watch takes no -o");
	if (strlen(arg) > KTSNAP_SNAPSHOT_TAG_MAX)
		return cli_usage("'%s' is longer than the wire's %d-byte tag", arg,
				 KTSNAP_SNAPSHOT_TAG_MAX);
	c = ktsnap_wire_client__new(addr);
	if (!c)
		return cli_fail("%s", ktsnap_errmsg());
	if (!strcmp(verb, "get")) {
		rc = fetch(c, arg, timeout_ms, out);
		goto done;
	}
	if (!strcmp(verb, "capture") ? ktsnap_wire_capture_snapshot_op(c, arg, timeout_ms, &res) :
				       ktsnap_wire_watch_snapshot_op(c, arg, timeout_ms, &res)) {
		rc = cli_fail("%s", res.reason);
		goto done;
	}
	if (out) {
		rc = fetch(c, arg, timeout_ms, out);
		goto done;
	}
	sum = (struct summary){ .request = verb, .tag = arg };
	rc = cli_summary(requested_fields, &sum, "%s '%s': ok\n", verb, cli_esc(arg));
done:
	ktsnap_wire_client__free(c);
	return rc;
}

const struct cli_cmd cmd_request = {
	.name = "request",
	.run = run,
	.synopsis = CLI_SYNOPSIS_request,
	.help = "Ask a `ktsnap serve` daemon for a capture stored under TAG (and fetch it\n"
		"with -o), for a watch on SYMBOL, or for the report stored under TAG.\n"
		"Without --socket/--device, KTSNAP_SERVER (unix:PATH or dev:PATH) names it.\n\n"
		"  -o, --output FILE   write the report to FILE ('-': stdout)\n"
		"      --timeout MS    give up after MS milliseconds (default 30000)\n",
};
