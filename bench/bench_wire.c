// SPDX-License-Identifier: MIT
/*
 * bench_wire: the wire service under load.  An in-process ktsnap_server on
 * a Unix socket captures the ktbig fixture's hash filled with 1000 entries;
 * 8 client threads send 200 CAPTURE requests each (tags unique per
 * request).  Checks every reply matched its request (OK, the request id
 * the client allocated) and none was lost (the service answered exactly
 * 8 × 200 per round), and that the process RSS stays flat after warm-up:
 * a first round warms up (fills the service's 64-report store and every
 * thread's malloc arena), RSS is read after it and after each of two
 * measured rounds (raw, and after malloc_trim).  Prints requests/s and the
 * p50 / p99 latency of the last round.  Needs root (captures).  Run under the BPF lock:
 *	flock /tmp/ktsnap-bpf-tests.lock build/bench/bench_wire
 */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <ktsnap/bridge.h>
#include <ktsnap/capture.h>
#include <ktsnap/wire.h>
#include "bench_util.h"
#include "fixture.h"
#include "ktsched.h"
#include "ktbig.skel.h"

#define NR_CLIENTS 8
#define NR_REQUESTS 200
#define NR_ENTRIES 1000

static char addr[128];

struct client {
	int idx, round;
	double *lat_ms;
	int ok, mismatched;
};

static long rss_kb(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void *client(void *arg)
{
	struct client *c = arg;
	struct ktsnap_wire_client *w = ktsnap_wire_client__new(addr);
	struct ktsnap_wire_result res;
	char tag[32];
	int i;

	for (i = 0; i < NR_REQUESTS && w; i++) {
		double t = kt_bench_now_ms();
		int rc;

		snprintf(tag, sizeof(tag), "r%dc%d_%d", c->round, c->idx, i);
		rc = ktsnap_wire_client__request_snapshot(w, KTSNAP_SNAPSHOT_KIND_CAPTURE, tag, 0,
							  &res);
		c->lat_ms[i] = kt_bench_now_ms() - t;
		if (!rc && res.request_id == (uint32_t)i + 1)
			c->ok++;
		else if (!rc)
			c->mismatched++;
		else
			fprintf(stderr, "client %d request %d: %s\n", c->idx, i, res.reason);
	}
	ktsnap_wire_client__free(w);
	return NULL;
}

static void *serve(void *arg)
{
	ktsnap_server__run(arg);
	return NULL;
}

int main(void)
{
	struct client cl[NR_CLIENTS];
	pthread_t th[NR_CLIENTS], srv_th;
	double *lat = calloc(NR_CLIENTS * NR_REQUESTS, sizeof(*lat)), t;
	char dir[] = "/tmp/ktsnap-bench-wire-XXXXXX", sock[64];
	struct ktsnap_server *srv;
	struct ktbig *big;
	uint32_t id;
	long rss[3], rss_trim[3];
	int i, round, ok = 0, bad = 0, err;
	bool all_ok = true;

	mallopt(M_ARENA_MAX, 2); /* as ktsnap serve sets it */
	if ((err = kt_big_open(&big)) || (err = kt_big_fill(big, NR_ENTRIES))) {
		fprintf(stderr, "bench_wire: fixture: %s\n", strerror(-err));
		return 1;
	}
	id = kt_map_id(bpf_map__fd(big->maps.big_hash));
	{
		KTSNAP_OPTS(ktsnap_capture_opts, copts, .map_ids = &id, .nr_map_ids = 1,
			    .maps_only = true);
		KTSNAP_OPTS(ktsnap_server_opts, sopts, .capture = &copts);

		if (!mkdtemp(dir))
			return 1;
		snprintf(sock, sizeof(sock), "%s/s.sock", dir);
		snprintf(addr, sizeof(addr), "unix:%s", sock);
		srv = ktsnap_server__new(&sopts);
		if (!srv || ktsnap_server__listen_unix(srv, sock, -1)) {
			fprintf(stderr, "bench_wire: %s\n", ktsnap_errmsg());
			return 1;
		}
		pthread_create(&srv_th, NULL, serve, srv);

		for (round = 0; round < 3; round++) {
			ok = bad = 0;
			t = kt_bench_now_ms();
			for (i = 0; i < NR_CLIENTS; i++) {
				cl[i] = (struct client){ .idx = i,
							 .round = round,
							 .lat_ms = lat + i * NR_REQUESTS };
				pthread_create(&th[i], NULL, client, &cl[i]);
			}
			for (i = 0; i < NR_CLIENTS; i++) {
				pthread_join(th[i], NULL);
				ok += cl[i].ok;
				bad += cl[i].mismatched;
			}
			t = kt_bench_now_ms() - t;
			rss[round] = rss_kb();
			malloc_trim(0);
			rss_trim[round] = rss_kb();
			printf("round %d%s: %d ok, %d mismatched, %d lost; %.0f requests/s; RSS %ld "
			       "kB (%ld kB after malloc_trim)\n",
			       round, round ? "" : " (warm-up)", ok, bad,
			       NR_CLIENTS * NR_REQUESTS - ok - bad,
			       NR_CLIENTS * NR_REQUESTS / (t / 1e3), rss[round], rss_trim[round]);
			all_ok &= ok == NR_CLIENTS * NR_REQUESTS;
		}
		ktsnap_server__stop(srv);
		pthread_join(srv_th, NULL);
		printf("%d clients x %d captures of a %d-entry hash per round; the service "
		       "answered %llu requests in all\n",
		       NR_CLIENTS, NR_REQUESTS, NR_ENTRIES,
		       (unsigned long long)ktsnap_server__served(srv));
		qsort(lat, NR_CLIENTS * NR_REQUESTS, sizeof(*lat), kt_bench_cmp_double);
		printf("last round: %.0f requests/s, latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		       NR_CLIENTS * NR_REQUESTS / (t / 1e3), lat[NR_CLIENTS * NR_REQUESTS / 2],
		       lat[NR_CLIENTS * NR_REQUESTS * 99 / 100], lat[NR_CLIENTS * NR_REQUESTS - 1]);
		printf("RSS after warm-up %ld kB, after the measured rounds %ld / %ld kB "
		       "(%+ld kB); after malloc_trim %ld / %ld / %ld kB\n",
		       rss[0], rss[1], rss[2], rss[2] - rss[0], rss_trim[0], rss_trim[1],
		       rss_trim[2]);
		ktsnap_server__free(srv);
		rmdir(dir);
	}
	kt_big_close(big);
	free(lat);
	return all_ok ? 0 : 1;
}
