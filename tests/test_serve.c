// SPDX-License-Identifier: MIT
/*
 * The wire service (spec §10.6 on a live host) over a real Unix socket,
 * with stand-in captures: CAPTURE stores on the bridge, keeps the report
 * for retrieval and writes the tagged sidecar; WATCH and KORQ answers;
 * the host's drop rules end to end; hostile peers lose only their own
 * connection; many clients at once; SO_PEERCRED allow lists.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <elf.h>

#include <ktsnap/bridge.h>
#include <ktsnap/json.h>
#include <ktsnap/report.h>
#include <ktsnap/scenario.h>
#include <ktsnap/wire.h>

#include "log_internal.h"

struct fixture {
	char dir[64];
	char sock[128];
	char addr[160];
	struct ktsnap_bridge *bridge;
	struct ktsnap_server *srv;
	pthread_t th;
	bool fail_capture;
	int captures;
	uint32_t uids[1];
	size_t nr_uids;
	uint32_t frame_timeout_ms;
};

static int stub_capture(const char *tag, struct ktsnap_report **out, void *ctx)
{
	struct fixture *f = ctx;

	__atomic_fetch_add(&f->captures, 1, __ATOMIC_RELAXED);
	if (f->fail_capture)
		return ktsnap_fail(-EPERM, "needs CAP_BPF");
	*out = ktsnap_report__new();
	return *out ? 0 : -ENOMEM;
}

static int captures(struct fixture *f)
{
	return __atomic_load_n(&f->captures, __ATOMIC_RELAXED);
}

/* The counters move just after the reply is written: wait for them. */
static uint64_t wait_count(struct fixture *f, uint64_t (*get)(struct ktsnap_server *),
			   uint64_t want)
{
	int i;

	for (i = 0; i < 1000 && get(f->srv) < want; i++)
		usleep(10000);
	return get(f->srv);
}

static void *run_server(void *arg)
{
	struct fixture *f = arg;

	assert_int_equal(ktsnap_server__run(f->srv), 0);
	return NULL;
}

static void start(struct fixture *f)
{
	KTSNAP_OPTS(ktsnap_server_opts, opts, .bridge = f->bridge, .capture_fn = stub_capture,
		    .capture_ctx = f, .dump_dir = f->dir, .allow_uids = f->uids,
		    .nr_allow_uids = f->nr_uids, .frame_timeout_ms = f->frame_timeout_ms);

	f->srv = ktsnap_server__new(&opts);
	assert_non_null(f->srv);
	assert_int_equal(ktsnap_server__listen_unix(f->srv, f->sock, 65534), 0);
	assert_int_equal(pthread_create(&f->th, NULL, run_server, f), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/ktsnap-serve-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	chmod(f->dir, 0711); /* others may reach the socket, not list the dir */
	snprintf(f->sock, sizeof(f->sock), "%s/s.sock", f->dir);
	snprintf(f->addr, sizeof(f->addr), "unix:%s", f->sock);
	*state = f;
	return 0;
}

static void stop(struct fixture *f)
{
	if (!f->srv)
		return;
	ktsnap_server__stop(f->srv);
	pthread_join(f->th, NULL);
	ktsnap_server__free(f->srv);
	f->srv = NULL;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	stop(f);
	ktsnap_bridge__unref(f->bridge);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct ktsnap_report *never(const char *name, void *ctx)
{
	return NULL;
}

static int setup_bridge(void **state)
{
	struct fixture *f;

	setup(state);
	f = *state;
	f->bridge = ktsnap_bridge__new(never, NULL, NULL);
	assert_non_null(f->bridge);
	return 0;
}

/* ---- the scenario ops' wire path (§11.1, §11.2) --------------------------------------- */
/*
 * No bridge on the thread, KTSNAP_SERVER set: CaptureSnapshot asks the
 * server, which stores the capture on its bridge; WatchSnapshot's refusal
 * comes back as the op's failure.  Runs first: the transport latch is
 * process-wide.
 */
static void t_scenario_ops_ask_the_server(void **state)
{
	struct fixture *f = *state;
	const struct ktsnap_op cap = ktsnap_op_capture_snapshot("wired");
	const struct ktsnap_op watch = ktsnap_op_watch_snapshot("nr_switches");
	struct ktsnap_scenario *sc;

	start(f);
	assert_int_equal(setenv("KTSNAP_SERVER", f->addr, 1), 0);
	sc = ktsnap_scenario__new();
	assert_non_null(sc);
	assert_int_equal(ktsnap_scenario__add_op(sc, 0, &cap), 0);
	assert_int_equal(ktsnap_scenario__run(sc, NULL), 0);
	ktsnap_scenario__free(sc);
	assert_int_equal(captures(f), 1);
	assert_true(ktsnap_bridge__has(f->bridge, "wired"));

	sc = ktsnap_scenario__new();
	assert_non_null(sc);
	assert_int_equal(ktsnap_scenario__add_op(sc, 0, &watch), 0);
	assert_true(ktsnap_scenario__run(sc, NULL) < 0);
	if (!strstr(ktsnap_scenario__errmsg(sc), "nr_switches") ||
	    strstr(ktsnap_scenario__errmsg(sc), "host_only"))
		fail_msg("watch over the wire: %s", ktsnap_scenario__errmsg(sc));
	ktsnap_scenario__free(sc);
	unsetenv("KTSNAP_SERVER");
}

/* ---- CAPTURE, retrieval, sidecar ----------------------------------------------------- */
static void t_capture_fetch(void **state)
{
	struct fixture *f = *state;
	struct ktsnap_wire_client *c;
	struct ktsnap_wire_result res;
	struct ktsnap_report *r = NULL;
	struct ktsnap_drain *d;
	char path[256], *json = NULL, *file;
	size_t len;
	long n;
	FILE *fp;

	start(f);
	c = ktsnap_wire_client__new(f->addr);
	assert_non_null(c);
	ktsnap_server__set_step(f->srv, 3);
	assert_int_equal(ktsnap_wire_client__request_snapshot(c, KTSNAP_SNAPSHOT_KIND_CAPTURE,
							      "mid run/1", 5000, &res),
			 0);
	assert_true(ktsnap_bridge__has(f->bridge, "mid run/1"));

	assert_int_equal(ktsnap_wire_client__fetch_report(c, "mid run/1", 5000, &json, &len, &res),
			 0);
	assert_int_equal(ktsnap_report__read_json_buf(json, len, &r), 0);
	ktsnap_report__free(r);

	/* the tagged sidecar holds the same bytes */
	snprintf(path, sizeof(path), "%s/ktsnap.snapshot.mid_run_1.json", f->dir);
	fp = fopen(path, "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	assert_int_equal(n, (long)len);
	file = malloc(len);
	assert_int_equal(fread(file, 1, len, fp), len);
	assert_memory_equal(file, json, len);
	fclose(fp);
	free(file);
	free(json);

	/* stored with the current step */
	d = ktsnap_bridge__drain_ordered_with_stats(f->bridge);
	assert_int_equal(ktsnap_drain__count(d), 1);
	assert_true(ktsnap_drain__entry(d, 0)->meta.has_step_index);
	assert_int_equal(ktsnap_drain__entry(d, 0)->meta.step_index, 3);
	ktsnap_drain__free(d);

	/* a tag never captured */
	assert_int_equal(ktsnap_wire_client__fetch_report(c, "other", 5000, &json, &len, &res),
			 -EREMOTEIO);
	assert_string_equal(res.reason, "no report tagged 'other' is stored");
	assert_int_equal(wait_count(f, ktsnap_server__served, 3), 3);
	ktsnap_wire_client__free(c);
}

static void t_capture_failure(void **state)
{
	struct fixture *f = *state;
	struct ktsnap_wire_client *c;
	struct ktsnap_wire_result res;
	struct ktsnap_drain *d;

	f->fail_capture = true;
	start(f);
	c = ktsnap_wire_client__new(f->addr);
	assert_int_equal(ktsnap_wire_capture_snapshot_op(c, "x", 5000, &res), -EREMOTEIO);
	assert_string_equal(res.reason, "Op::CaptureSnapshot('x'): host rejected capture: live "
					"capture failed: needs CAP_BPF");
	/* a placeholder keeps the attempt visible */
	d = ktsnap_bridge__drain(f->bridge);
	assert_non_null(ktsnap_drain__find(d, "x"));
	assert_true(ktsnap_report__is_placeholder(ktsnap_drain__find(d, "x")->report));
	ktsnap_drain__free(d);
	assert_false(ktsnap_wire_transport_latched_dead());
	ktsnap_wire_client__free(c);
}

/* ---- WATCH --------------------------------------------------------------------------- */
static int watch_ok(const char *symbol, char **err, void *ctx)
{
	return strcmp(symbol, "jiffies_64") ? -ENOENT : 0;
}

static void t_watch(void **state)
{
	struct fixture *f = *state;
	struct ktsnap_wire_client *c;
	struct ktsnap_wire_result res;

	start(f);
	c = ktsnap_wire_client__new(f->addr);
	assert_int_equal(ktsnap_wire_client__request_snapshot(c, KTSNAP_SNAPSHOT_KIND_WATCH,
							      "jiffies_64", 5000, &res),
			 -EREMOTEIO);
	assert_string_equal(res.reason, "watch unavailable: no watch callback on this host");
	assert_int_equal(ktsnap_wire_client__request_snapshot(c, 9, "t", 5000, &res), -EREMOTEIO);
	assert_string_equal(res.reason, "unknown snapshot kind 9");
	ktsnap_wire_client__free(c);
}

static void t_watch_callback(void **state)
{
	struct fixture *f = *state;
	struct ktsnap_wire_client *c;
	struct ktsnap_wire_result res;

	ktsnap_bridge__with_watch_register(f->bridge, watch_ok, NULL, NULL);
	start(f);
	c = ktsnap_wire_client__new(f->addr);
	assert_int_equal(ktsnap_wire_watch_snapshot_op(c, "jiffies_64", 5000, &res), 0);
	assert_int_equal(ktsnap_bridge__counts(f->bridge).watches, 1);
	assert_int_equal(ktsnap_wire_watch_snapshot_op(c, "nope", 5000, &res), -EREMOTEIO);
	ktsnap_wire_client__free(c);
}

/* ---- KORQ ---------------------------------------------------------------------------- */
static void t_kernel_op_live(void **state)
{
	struct fixture *f = *state;
	struct ktsnap_wire_client *c;
	struct ktsnap_wire_result res;
	struct ktsnap_kernel_op_request req = { 0 };
	struct ktsnap_kernel_op_reply rep;
	struct ktsnap_kernel_op_target t = { 0 };
	struct ktsnap_kernel_op_value v = ktsnap_kernel_op_value_u64(0);
	struct ktsnap_kernel_op_log *log;
	char tag[400];

	start(f);
	c = ktsnap_wire_client__new(f->addr);
	memset(tag, 'k', 300);
	tag[300] = '\0';
	ktsnap_kernel_op_request__set_tag(&req, tag);
	req.direction = KTSNAP_KERNEL_OP_READ;
	ktsnap_kernel_op_target__set_symbol(&t, "jiffies_64");
	ktsnap_kernel_op_request__add_entry(&req, &t, &v);
	assert_int_equal(ktsnap_wire_client__request_kernel_op(c, &req, 5000, &rep, &res), 0);
	assert_false(rep.success);
	if (access("/proc/kcore", F_OK))
		assert_string_equal(rep.reason, "not supported on this host: /proc/kcore missing");
	ktsnap_kernel_op_reply__clear(&rep);

	req.direction = KTSNAP_KERNEL_OP_WRITE;
	assert_int_equal(ktsnap_wire_client__request_kernel_op(c, &req, 5000, &rep, &res), 0);
	assert_false(rep.success);
	assert_string_equal(rep.reason, "not supported on a live host");
	ktsnap_kernel_op_reply__clear(&rep);

	/* both logged on the bridge, the tag cut to 256 bytes */
	log = ktsnap_bridge__drain_kernel_ops(f->bridge);
	assert_int_equal(ktsnap_kernel_op_log__count(log), 2);
	assert_int_equal(strlen(ktsnap_kernel_op_log__tag(log, 0)), KTSNAP_KERNEL_OP_TAG_MAX);
	ktsnap_kernel_op_log__free(log);
	ktsnap_kernel_op_target__clear(&t);
	ktsnap_kernel_op_request__clear(&req);
	ktsnap_wire_client__free(c);
}

static int kop_cb(const struct ktsnap_kernel_op_request *req, struct ktsnap_kernel_op_reply *reply,
		  void *ctx)
{
	struct ktsnap_kernel_op_value v = ktsnap_kernel_op_value_u64(4242);

	reply->success = true;
	return ktsnap_kernel_op_reply__push_value(reply, &v);
}

static void t_kernel_op_callback(void **state)
{
	struct fixture *f = *state;
	struct ktsnap_wire_client *c;
	struct ktsnap_wire_result res;
	struct ktsnap_kernel_op_request req = { .direction = KTSNAP_KERNEL_OP_READ };
	struct ktsnap_kernel_op_reply rep;
	struct ktsnap_kernel_op_value got;

	ktsnap_bridge__with_kernel_op(f->bridge, kop_cb, NULL, NULL);
	start(f);
	c = ktsnap_wire_client__new(f->addr);
	ktsnap_kernel_op_request__set_tag(&req, "r");
	assert_int_equal(ktsnap_wire_client__request_kernel_op(c, &req, 5000, &rep, &res), 0);
	assert_true(rep.success);
	assert_int_equal(rep.nr_read_values, 1);
	assert_int_equal(rep.read_values[0].u64, 4242);
	assert_int_equal(ktsnap_bridge__kernel_op_value(f->bridge, "r", &got), 0);
	assert_int_equal(got.u64, 4242);
	ktsnap_kernel_op_value__clear(&got);
	ktsnap_kernel_op_reply__clear(&rep);
	ktsnap_kernel_op_request__clear(&req);
	ktsnap_wire_client__free(c);
}

/* ---- kernel ops through a kcore of our own --------------------------------------------- */
#define KC_BASE 0xffffffff81000000ull

/* A one-segment ELF core file mapping KC_BASE .. +4096, and a kallsyms. */
static void make_kcore(struct fixture *f, char *kcore, char *syms, size_t size)
{
	Elf64_Ehdr eh = { .e_type = ET_CORE,
			  .e_machine = EM_X86_64,
			  .e_version = EV_CURRENT,
			  .e_phoff = sizeof(Elf64_Ehdr),
			  .e_ehsize = sizeof(Elf64_Ehdr),
			  .e_phentsize = sizeof(Elf64_Phdr),
			  .e_phnum = 1 };
	Elf64_Phdr ph = { .p_type = PT_LOAD,
			  .p_offset = 4096,
			  .p_vaddr = KC_BASE,
			  .p_filesz = 4096,
			  .p_memsz = 4096 };
	uint8_t page[4096] = { 0 };
	uint32_t u32 = 0x11223344;
	uint64_t u64 = 0x0102030405060708ull;
	FILE *fp;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(page + 0x10, &u32, 4);
	memcpy(page + 0x20, &u64, 8);
	memcpy(page + 0x30, "ktsnap", 6);
	snprintf(kcore, size, "%s/kcore", f->dir);
	snprintf(syms, size, "%s/kallsyms", f->dir);
	fp = fopen(kcore, "w");
	assert_non_null(fp);
	fwrite(&eh, sizeof(eh), 1, fp);
	fwrite(&ph, sizeof(ph), 1, fp);
	fseek(fp, 4096, SEEK_SET);
	fwrite(page, sizeof(page), 1, fp);
	fclose(fp);
	fp = fopen(syms, "w");
	assert_non_null(fp);
	fprintf(fp, "ffffffff81000000 T _text\nffffffff81000010 D kt_u32\n"
		    "ffffffff81000020 B kt_u64\n0000000000000000 T kt_hidden\n"
		    "ffffffff82000000 D kt_elsewhere\n");
	fclose(fp);
}

static void read_one(const struct ktsnap_kernel_op_live_opts *o,
		     const struct ktsnap_kernel_op_target *t,
		     const struct ktsnap_kernel_op_value *hint, struct ktsnap_kernel_op_reply *rep)
{
	struct ktsnap_kernel_op_request req = { .direction = KTSNAP_KERNEL_OP_READ };

	ktsnap_kernel_op_request__add_entry(&req, t, hint);
	memset(rep, 0, sizeof(*rep));
	assert_int_equal(ktsnap_kernel_op_live(&req, rep, (void *)o), 0);
	ktsnap_kernel_op_request__clear(&req);
}

static void t_kernel_op_kcore(void **state)
{
	struct fixture *f = *state;
	char kcore[128], syms[128], missing[160];
	struct ktsnap_kernel_op_live_opts o = { .sz = sizeof(o) };
	struct ktsnap_kernel_op_target t = { 0 };
	struct ktsnap_kernel_op_value v = ktsnap_kernel_op_value_u32(0), b = { 0 };
	struct ktsnap_kernel_op_reply rep;

	make_kcore(f, kcore, syms, sizeof(kcore));
	o.kcore = kcore;
	o.kallsyms = syms;

	ktsnap_kernel_op_target__set_symbol(&t, "kt_u32");
	read_one(&o, &t, &v, &rep);
	assert_true(rep.success);
	assert_int_equal(rep.nr_read_values, 1);
	assert_int_equal(rep.read_values[0].kind, KTSNAP_KERNEL_OP_VALUE_U32);
	assert_int_equal(rep.read_values[0].u32, 0x11223344);
	ktsnap_kernel_op_reply__clear(&rep);
	ktsnap_kernel_op_target__clear(&t);

	ktsnap_kernel_op_target__set_symbol(&t, "kt_u64");
	v = ktsnap_kernel_op_value_u64(0);
	read_one(&o, &t, &v, &rep);
	assert_true(rep.success);
	assert_int_equal(rep.read_values[0].u64, 0x0102030405060708ull);
	ktsnap_kernel_op_reply__clear(&rep);
	ktsnap_kernel_op_target__clear(&t);

	/* Direct / Kva addresses, a bytes width */
	t = ktsnap_kernel_op_target_kva(KC_BASE + 0x30);
	ktsnap_kernel_op_value__set_bytes(&b, NULL, 6);
	read_one(&o, &t, &b, &rep);
	assert_true(rep.success);
	assert_int_equal(rep.read_values[0].bytes.len, 6);
	assert_memory_equal(rep.read_values[0].bytes.data, "ktsnap", 6);
	ktsnap_kernel_op_reply__clear(&rep);

	/* refusals carry their reason */
	t = ktsnap_kernel_op_target_direct(KC_BASE + 4090);
	v = ktsnap_kernel_op_value_u64(0);
	read_one(&o, &t, &v, &rep);
	assert_false(rep.success);
	assert_int_equal(rep.nr_read_values, 0);
	assert_true(strstr(rep.reason, "address 0xffffffff81000ffa (8 bytes) is not in "));
	ktsnap_kernel_op_reply__clear(&rep);
	ktsnap_kernel_op_target__set_symbol(&t, "kt_nope");
	read_one(&o, &t, &v, &rep);
	assert_false(rep.success);
	assert_true(strstr(rep.reason, "symbol 'kt_nope' not found in "));
	ktsnap_kernel_op_reply__clear(&rep);
	ktsnap_kernel_op_target__clear(&t);
	ktsnap_kernel_op_target__set_symbol(&t, "kt_hidden");
	read_one(&o, &t, &v, &rep);
	assert_true(strstr(rep.reason, "symbol 'kt_hidden' has address 0 in "));
	ktsnap_kernel_op_reply__clear(&rep);
	ktsnap_kernel_op_target__clear(&t);
	ktsnap_kernel_op_target__set_per_cpu_field(&t, "runqueues", "nr_running", 0);
	read_one(&o, &t, &v, &rep);
	assert_string_equal(rep.reason, "PerCpuField targets are not supported on a live host");
	ktsnap_kernel_op_reply__clear(&rep);
	ktsnap_kernel_op_target__clear(&t);

	snprintf(missing, sizeof(missing), "%s/none", f->dir);
	o.kcore = missing;
	t = ktsnap_kernel_op_target_kva(KC_BASE);
	read_one(&o, &t, &v, &rep);
	assert_false(rep.success);
	assert_true(strstr(rep.reason, "not supported on this host: ") &&
		    strstr(rep.reason, "/none missing"));
	ktsnap_kernel_op_reply__clear(&rep);
	o.kcore = syms; /* not an ELF file */
	read_one(&o, &t, &v, &rep);
	assert_true(strstr(rep.reason, "is not a 64-bit little-endian ELF core file"));
	ktsnap_kernel_op_reply__clear(&rep);
	ktsnap_kernel_op_value__clear(&b);
	assert_int_equal(ktsnap_kernel_op_live(NULL, NULL, NULL), -EINVAL);
}

/*
 * The server's and the live kernel op's options are read like every opts
 * struct: an older (smaller) one reads the rest as defaults and is never
 * read past its sz; a newer one with a non-zero byte this ktsnap does not
 * know is refused.
 */
static void t_opts_rules(void **state)
{
	struct fixture *f = *state;
	struct {
		struct ktsnap_server_opts o;
		char newer[16];
	} big_srv = { .o = { .sz = sizeof(big_srv) } };
	struct {
		struct ktsnap_kernel_op_live_opts o;
		char newer[16];
	} big_kop = { .o = { .sz = sizeof(big_kop) } };
	struct ktsnap_server_opts old_srv;
	struct ktsnap_kernel_op_live_opts old_kop;
	struct ktsnap_kernel_op_target t = ktsnap_kernel_op_target_kva(KC_BASE);
	struct ktsnap_kernel_op_value v = ktsnap_kernel_op_value_u64(0);
	struct ktsnap_kernel_op_reply rep;
	struct ktsnap_server *srv;
	char missing[160];

	big_srv.newer[5] = 1;
	errno = 0;
	assert_null(ktsnap_server__new(&big_srv.o));
	assert_int_equal(errno, E2BIG);
	assert_non_null(strstr(ktsnap_errmsg(), "ktsnap_server_opts: opts.sz"));
	big_srv.newer[5] = 0;
	srv = ktsnap_server__new(&big_srv.o);
	assert_non_null(srv);
	ktsnap_server__free(srv);

	/* an older caller that knew nothing past dump_dir: junk after it */
	memset(&old_srv, 0x5a, sizeof(old_srv));
	old_srv.sz = offsetof(struct ktsnap_server_opts, dump_stem);
	old_srv.bridge = f->bridge;
	old_srv.capture = NULL;
	old_srv.capture_fn = NULL;
	old_srv.capture_ctx = NULL;
	old_srv.dump_dir = NULL;
	srv = ktsnap_server__new(&old_srv);
	assert_non_null(srv);
	ktsnap_server__free(srv);

	big_kop.newer[0] = 1;
	assert_int_equal(ktsnap_kernel_op_live(NULL, NULL, &big_kop.o), -E2BIG);
	assert_non_null(strstr(ktsnap_errmsg(), "ktsnap_kernel_op_live_opts: opts.sz"));
	/* the ctx is an opts struct: without its sz it is refused, never guessed */
	big_kop.newer[0] = 0;
	big_kop.o.sz = 0;
	assert_int_equal(ktsnap_kernel_op_live(NULL, NULL, &big_kop.o), -EINVAL);
	assert_non_null(strstr(ktsnap_errmsg(), "opts.sz 0 is smaller than the sz field"));

	/* an older caller that knew only kcore: kallsyms is junk, never read */
	snprintf(missing, sizeof(missing), "%s/none", f->dir);
	memset(&old_kop, 0x5a, sizeof(old_kop));
	old_kop.sz = offsetof(struct ktsnap_kernel_op_live_opts, kallsyms);
	old_kop.kcore = missing;
	read_one(&old_kop, &t, &v, &rep);
	assert_false(rep.success);
	assert_non_null(strstr(rep.reason, "/none missing"));
	ktsnap_kernel_op_reply__clear(&rep);
}

/* ---- drop rules, end to end ---------------------------------------------------------- */
static int raw_connect(struct fixture *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, f->sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void raw_frame(int fd, uint32_t type, const void *p, uint32_t len, bool bad_crc)
{
	uint8_t hdr[16];

	ktsnap_wire_header__make(type, p, len, hdr);
	if (bad_crc)
		hdr[8] ^= 1;
	assert_int_equal(write(fd, hdr, 16), 16);
	if (len)
		assert_int_equal(write(fd, p, len), (ssize_t)len);
}

static void raw_read(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		assert_int_equal(poll(&pfd, 1, 10000), 1);
		r = read(fd, (char *)buf + got, n - got);
		assert_true(r > 0);
		got += (size_t)r;
	}
}

static void t_drop_rules(void **state)
{
	struct fixture *f = *state;
	struct ktsnap_snapshot_reply rep;
	uint8_t p[80] = { 0 }, back[88];
	int fd;

	start(f);
	fd = raw_connect(f);
	ktsnap_snapshot_request__encode(11, KTSNAP_SNAPSHOT_KIND_CAPTURE, "a", p);
	raw_frame(fd, KTSNAP_MSG_SNAPSHOT_REQUEST, p, 72, true); /* bad CRC */
	raw_frame(fd, KTSNAP_MSG_SNAPSHOT_REQUEST, p, 71, false); /* length 71 */
	raw_frame(fd, KTSNAP_MSG_SNAPSHOT_REQUEST, p, 73, false); /* length 73 */
	ktsnap_snapshot_request__encode(0, KTSNAP_SNAPSHOT_KIND_CAPTURE, "a", p);
	raw_frame(fd, KTSNAP_MSG_SNAPSHOT_REQUEST, p, 72, false); /* id 0 */
	ktsnap_snapshot_request__encode(12, KTSNAP_SNAPSHOT_KIND_NONE, "a", p);
	raw_frame(fd, KTSNAP_MSG_SNAPSHOT_REQUEST, p, 72, false); /* kind 0 */
	raw_frame(fd, 0x41424344, p, 72, false); /* unknown type */
	raw_frame(fd, KTSNAP_MSG_KERNEL_OP_REQUEST, "\x01\x09", 2, false); /* undecodable */
	ktsnap_snapshot_request__encode(77, KTSNAP_SNAPSHOT_KIND_WATCH, "s", p);
	raw_frame(fd, KTSNAP_MSG_SNAPSHOT_REQUEST, p, 72, false);
	/* the first reply is the valid request's */
	raw_read(fd, back, sizeof(back));
	assert_int_equal(ktsnap_snapshot_reply__decode(back + 16, 72, &rep), 0);
	assert_int_equal(rep.request_id, 77);
	assert_int_equal(rep.status, KTSNAP_SNAPSHOT_STATUS_ERR);
	assert_int_equal(wait_count(f, ktsnap_server__dropped, 7), 7);
	assert_int_equal(captures(f), 0);
	close(fd);
}

/* ---- hostile peers ------------------------------------------------------------------- */
static bool closed_by_server(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char b[64];

	/* the server's frame deadline is short here; allow it plenty */
	for (;;) {
		if (poll(&pfd, 1, 20000) != 1)
			return false;
		if (read(fd, b, sizeof(b)) <= 0)
			return true;
	}
}

static void t_hostile_peers(void **state)
{
	struct fixture *f = *state;
	struct ktsnap_wire_client *c;
	struct ktsnap_wire_result res;
	uint8_t hdr[16], p[72];
	struct ktsnap_wire_header big = { .msg_type = KTSNAP_MSG_SNAPSHOT_REQUEST,
					  .length = 2u << 20 };
	int half, huge, gone, i;

	f->frame_timeout_ms = 300;
	start(f);
	/* half a header, then nothing */
	half = raw_connect(f);
	assert_int_equal(write(half, "QRNS\x48\0", 6), 6);
	/* a 2 MiB frame announced, a little sent */
	huge = raw_connect(f);
	ktsnap_wire_header__encode(&big, hdr);
	assert_int_equal(write(huge, hdr, 16), 16);
	assert_int_equal(write(huge, p, 72), 72);
	/* a header and part of a payload, then gone */
	gone = raw_connect(f);
	ktsnap_snapshot_request__encode(1, 1, "g", p);
	ktsnap_wire_header__make(KTSNAP_MSG_SNAPSHOT_REQUEST, p, 72, hdr);
	assert_int_equal(write(gone, hdr, 16), 16);
	assert_int_equal(write(gone, p, 30), 30);
	close(gone);

	/* meanwhile others are served */
	c = ktsnap_wire_client__new(f->addr);
	for (i = 0; i < 3; i++)
		assert_int_equal(ktsnap_wire_client__request_snapshot(
					 c, KTSNAP_SNAPSHOT_KIND_CAPTURE, "ok", 5000, &res),
				 0);
	/* the stalled ones are dropped at their frame deadline */
	assert_true(closed_by_server(half));
	assert_true(closed_by_server(huge));
	close(half);
	close(huge);
	assert_int_equal(ktsnap_wire_client__request_snapshot(c, KTSNAP_SNAPSHOT_KIND_CAPTURE,
							      "still", 5000, &res),
			 0);
	assert_int_equal(captures(f), 4);
	ktsnap_wire_client__free(c);
}

/* ---- many clients -------------------------------------------------------------------- */
struct worker {
	struct fixture *f;
	int idx, ok;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct ktsnap_wire_client *c = ktsnap_wire_client__new(w->f->addr);
	struct ktsnap_wire_result res;
	char tag[32];
	int i;

	for (i = 0; i < 25; i++) {
		snprintf(tag, sizeof(tag), "w%d_%d", w->idx, i);
		if (!ktsnap_wire_client__request_snapshot(c, KTSNAP_SNAPSHOT_KIND_CAPTURE, tag,
							  10000, &res) &&
		    res.request_id == (uint32_t)i + 1)
			w->ok++;
	}
	ktsnap_wire_client__free(c);
	return NULL;
}

static void t_many_clients(void **state)
{
	struct fixture *f = *state;
	struct worker w[4];
	pthread_t th[4];
	struct ktsnap_wire_client *c;
	struct ktsnap_wire_result res;
	char *json;
	size_t len;
	int i, fetched = 0;

	start(f);
	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ .f = f, .idx = i };
		pthread_create(&th[i], NULL, worker, &w[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].ok, 25);
	}
	assert_int_equal(captures(f), 100);
	assert_int_equal(ktsnap_bridge__len(f->bridge), KTSNAP_MAX_STORED_SNAPSHOTS);
	/* retrieval keeps the same bound: 64 of the 100 tags, whichever came last */
	c = ktsnap_wire_client__new(f->addr);
	for (i = 0; i < 100; i++) {
		char tag[16];

		snprintf(tag, sizeof(tag), "w%d_%d", i / 25, i % 25);
		if (!ktsnap_wire_client__fetch_report(c, tag, 5000, &json, &len, &res)) {
			fetched++;
			free(json);
		} else {
			assert_int_equal(res.status, KTSNAP_WIRE_HOST_ERROR);
		}
	}
	assert_int_equal(fetched, KTSNAP_MAX_STORED_SNAPSHOTS);
	ktsnap_wire_client__free(c);
}

/* ---- SO_PEERCRED --------------------------------------------------------------------- */
/* In a child running as uid/gid 65534: one capture; exit 0 OK, 1 HostError
 * whose reason is @want, 2 anything else. */
static int as_nobody(struct fixture *f, const char *want)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct ktsnap_wire_client *c;
		struct ktsnap_wire_result res;
		int rc;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(3);
		c = ktsnap_wire_client__new(f->addr);
		rc = ktsnap_wire_client__request_snapshot(c, KTSNAP_SNAPSHOT_KIND_CAPTURE, "n",
							  5000, &res);
		if (!rc)
			_exit(0);
		if (rc == -EREMOTEIO && want && !strcmp(res.reason, want))
			_exit(1);
		fprintf(stderr, "child: %d %s\n", rc, res.reason);
		_exit(2);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void t_peer_refused(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	if (geteuid()) {
		skip();
		return;
	}
	start(f);
	assert_int_equal(stat(f->sock, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(st.st_gid, 65534);
	assert_int_equal(as_nobody(f, "uid 65534 is not allowed by ktsnap serve"), 1);
	assert_int_equal(captures(f), 0);
}

/* A refused peer that never asks is shown the door at its frame deadline. */
static void t_refused_silent_peer(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int status;

	if (geteuid()) {
		skip();
		return;
	}
	f->frame_timeout_ms = 300;
	start(f);
	pid = fork();
	if (pid == 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		struct pollfd pfd;
		char b;
		int fd;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(3);
		strcpy(sa.sun_path, f->sock);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			_exit(4);
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 60000) != 1)
			_exit(5);
		_exit(read(fd, &b, 1) == 0 ? 0 : 6);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Freeing the service does not wait for a peer that stopped reading. */
static void t_free_with_stuck_writer(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[88];
	size_t sent = 0;
	int fd, i;

	f->frame_timeout_ms = 10 * 60 * 1000; /* far past the test's timeout */
	start(f);
	fd = raw_connect(f);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	ktsnap_snapshot_request__encode(1, KTSNAP_SNAPSHOT_KIND_WATCH, "s", frame + 16);
	ktsnap_wire_header__make(KTSNAP_MSG_SNAPSHOT_REQUEST, frame + 16, 72, frame);
	/* requests whose replies are never read, until both directions are full */
	for (i = 0; i < 200; i++) {
		ssize_t w = write(fd, frame + sent % sizeof(frame),
				  sizeof(frame) - sent % sizeof(frame));

		if (w > 0) {
			sent += (size_t)w;
			i = 0;
			continue;
		}
		usleep(5000);
	}
	print_message("%zu request bytes sent before the server stopped reading\n", sent);
	assert_true(sent > 100 * sizeof(frame));
	stop(f); /* returns: the connection was shut down, not waited out */
	close(fd);
}

static void t_peer_allowed(void **state)
{
	struct fixture *f = *state;

	if (geteuid()) {
		skip();
		return;
	}
	f->uids[0] = 65534;
	f->nr_uids = 1;
	start(f);
	assert_int_equal(as_nobody(f, NULL), 0);
	assert_int_equal(captures(f), 1);
}

static void t_listen_errors(void **state)
{
	struct fixture *f = *state;
	struct ktsnap_server *s = ktsnap_server__new(NULL);
	char path[128];
	int fd;

	assert_non_null(s);
	snprintf(path, sizeof(path), "%s/file", f->dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	close(fd);
	assert_int_equal(ktsnap_server__listen_unix(s, path, -1), -EEXIST);
	assert_int_equal(ktsnap_server__run(s), -EINVAL);
	ktsnap_server__free(s);
}

/* ---- one trusted stream (device mode) ------------------------------------------------ */
struct fd_server {
	struct ktsnap_server *srv;
	int fd, rc;
};

static void *serve_fd_thread(void *arg)
{
	struct fd_server *fs = arg;

	fs->rc = ktsnap_server__serve_fd(fs->srv, fs->fd);
	return NULL;
}

static void t_serve_fd(void **state)
{
	struct fixture *f = *state;
	KTSNAP_OPTS(ktsnap_server_opts, opts, .bridge = f->bridge, .capture_fn = stub_capture,
		    .capture_ctx = f);
	struct fd_server fs = { .rc = -1 };
	struct ktsnap_wire_client *c;
	struct ktsnap_wire_result res;
	pthread_t th;
	char *json;
	size_t len;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	fs.srv = ktsnap_server__new(&opts);
	fs.fd = sv[1];
	assert_int_equal(pthread_create(&th, NULL, serve_fd_thread, &fs), 0);
	c = ktsnap_wire_client__from_fd(sv[0]);
	assert_int_equal(ktsnap_wire_client__request_snapshot(c, KTSNAP_SNAPSHOT_KIND_CAPTURE,
							      "dev", 5000, &res),
			 0);
	assert_int_equal(ktsnap_wire_client__fetch_report(c, "dev", 5000, &json, &len, &res), 0);
	free(json);
	/* the end of the stream ends the service */
	ktsnap_wire_client__free(c);
	pthread_join(th, NULL);
	assert_int_equal(fs.rc, 0);
	close(sv[1]);
	ktsnap_server__free(fs.srv);
	assert_int_equal(captures(f), 1);
}

struct fifo_server {
	struct ktsnap_server *srv;
	int rfd, wfd, rc;
};

static void *serve_fifos_thread(void *arg)
{
	struct fifo_server *fs = arg;

	fs->rc = ktsnap_server__serve_fds(fs->srv, fs->rfd, fs->wfd);
	return NULL;
}

/* A FIFO pair: requests one way, replies the other. */
static void t_serve_fifos(void **state)
{
	struct fixture *f = *state;
	KTSNAP_OPTS(ktsnap_server_opts, opts, .bridge = f->bridge, .capture_fn = stub_capture,
		    .capture_ctx = f);
	struct fifo_server fs = { .rc = -1 };
	struct ktsnap_wire_client *c;
	struct ktsnap_wire_result res;
	char req[128], rep[128], addr[300], *json;
	pthread_t th;
	size_t len;

	snprintf(req, sizeof(req), "%s/req", f->dir);
	snprintf(rep, sizeof(rep), "%s/rep", f->dir);
	snprintf(addr, sizeof(addr), "fifo:%s,%s", req, rep);
	/* nobody reads the request FIFO yet: the client says so */
	assert_int_equal(mkfifo(req, 0600), 0);
	assert_int_equal(mkfifo(rep, 0600), 0);
	c = ktsnap_wire_client__new(addr);
	assert_non_null(c);
	assert_int_equal(
		ktsnap_wire_client__request_snapshot(c, KTSNAP_SNAPSHOT_KIND_NONE, "t", 100, &res),
		-ENXIO);

	fs.srv = ktsnap_server__new(&opts);
	fs.rfd = open(req, O_RDWR | O_CLOEXEC);
	fs.wfd = open(rep, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	assert_true(fs.rfd >= 0 && fs.wfd >= 0);
	assert_int_equal(pthread_create(&th, NULL, serve_fifos_thread, &fs), 0);
	assert_int_equal(ktsnap_wire_client__request_snapshot(c, KTSNAP_SNAPSHOT_KIND_CAPTURE,
							      "fifo", 5000, &res),
			 0);
	assert_int_equal(ktsnap_wire_client__fetch_report(c, "fifo", 5000, &json, &len, &res), 0);
	free(json);
	ktsnap_wire_client__free(c);
	ktsnap_server__stop(fs.srv);
	pthread_join(th, NULL);
	assert_int_equal(fs.rc, 0);
	close(fs.rfd);
	close(fs.wfd);
	ktsnap_server__free(fs.srv);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_bridge, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(t_scenario_ops_ask_the_server),
		T(t_capture_fetch),
		T(t_capture_failure),
		T(t_watch),
		T(t_watch_callback),
		T(t_kernel_op_live),
		T(t_kernel_op_callback),
		T(t_kernel_op_kcore),
		T(t_opts_rules),
		T(t_drop_rules),
		T(t_hostile_peers),
		T(t_many_clients),
		T(t_peer_refused),
		T(t_peer_allowed),
		T(t_refused_silent_peer),
		T(t_free_with_stuck_writer),
		T(t_listen_errors),
		T(t_serve_fd),
		T(t_serve_fifos),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
