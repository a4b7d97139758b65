/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the embedding API (include/ctgt/server.h, embed/server.c):
 * the checks of add_target / add_lu / add_store, who releases the
 * application's context, the announce lines, stopping a running server,
 * that resource limits set through the API are applied, and portals added
 * and removed while the server runs (include/ctgt/admin.h).
 * Data through iSCSI is tested by tests/integration/example_callback.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <ctgt/admin.h>
#include <ctgt/server.h>

#define IQN "iqn.2026-11.io.ctgt:embed"

struct app {
	int released;
};

static int app_read(void *ctx, void *buf, uint64_t off, size_t len)
{
	(void)ctx;
	(void)off;
	memset(buf, 0, len);
	return 0;
}

static int app_write(void *ctx, const void *buf, uint64_t off, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)off;
	(void)len;
	return 0;
}

static void app_release(void *ctx)
{
	((struct app *)ctx)->released++;
}

static const struct ctgt_lu_callbacks cb = {
	.read = app_read,
	.write = app_write,
	.release = app_release,
};

static struct ctgt_server *new_server(void)
{
	struct ctgt_server *srv = ctgt_server_create();
	char err[256];

	assert_non_null(srv);
	assert_int_equal(ctgt_server_add_target(srv, IQN, err, sizeof(err)), 0);
	return srv;
}

/* Every failing add_lu releases the context it was given, once. */
static void test_add_lu_errors_release(void **state)
{
	struct ctgt_server *srv = new_server();
	struct ctgt_lu_params p = { .lun = 0, .size = 1 << 20 };
	struct app a = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(ctgt_server_add_lu(srv, "iqn.2026-11.io.ctgt:nope", &p, &cb, &a,
					    err, sizeof(err)), -ENOENT);
	assert_int_equal(a.released, 1);
	assert_non_null(strstr(err, "no target"));

	p.thin = true;		/* no unmap callback */
	assert_int_equal(ctgt_server_add_lu(srv, IQN, &p, &cb, &a, err, sizeof(err)), -EINVAL);
	assert_int_equal(a.released, 2);
	assert_non_null(strstr(err, "unmap"));
	p.thin = false;

	p.size = 1000;		/* not whole blocks */
	assert_int_equal(ctgt_server_add_lu(srv, IQN, &p, &cb, &a, err, sizeof(err)), -EINVAL);
	assert_int_equal(a.released, 3);
	p.size = 0;
	assert_int_equal(ctgt_server_add_lu(srv, IQN, &p, &cb, &a, err, sizeof(err)), -EINVAL);
	assert_int_equal(a.released, 4);
	p.size = 1 << 20;
	p.lun = 256;
	assert_int_equal(ctgt_server_add_lu(srv, IQN, &p, &cb, &a, NULL, 0), -EINVAL);
	assert_int_equal(a.released, 5);
	p.lun = 0;
	p.vendor = "far too long a vendor";	/* refused once the store is open */
	assert_int_equal(ctgt_server_add_lu(srv, IQN, &p, &cb, &a, err, sizeof(err)), -EINVAL);
	assert_int_equal(a.released, 6);
	p.vendor = NULL;
	p.threads = 65;
	assert_int_equal(ctgt_server_add_lu(srv, IQN, &p, &cb, &a, err, sizeof(err)), -EINVAL);
	assert_int_equal(a.released, 7);
	ctgt_server_destroy(srv);
	assert_int_equal(a.released, 7);
}

/* A LU that was added is released by destroy, once; a second one at the
 * same LUN is refused (and released at once). */
static void test_add_lu_and_destroy(void **state)
{
	struct ctgt_server *srv = new_server();
	struct ctgt_lu_params p = { .lun = 3, .size = 1 << 20, .threads = 2 };
	struct app a = { 0 }, b = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(ctgt_server_add_lu(srv, IQN, &p, &cb, &a, err, sizeof(err)), 0);
	assert_int_equal(ctgt_server_add_lu(srv, IQN, &p, &cb, &b, err, sizeof(err)), -EEXIST);
	assert_int_equal(b.released, 1);
	assert_int_equal(a.released, 0);
	ctgt_server_destroy(srv);
	assert_int_equal(a.released, 1);
	assert_int_equal(b.released, 1);
}

static void test_targets_and_stores(void **state)
{
	struct ctgt_server *srv = new_server();
	struct ctgt_lu_params p = { .lun = 0, .size = 1 << 20 };
	char err[256];

	(void)state;
	assert_int_equal(ctgt_server_add_target(srv, IQN, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "defined twice"));
	assert_int_equal(ctgt_server_add_target(srv, "", err, sizeof(err)), -EINVAL);
	assert_int_equal(ctgt_server_allow_target_reset(srv, IQN, true), 0);
	assert_int_equal(ctgt_server_allow_target_reset(srv, "iqn.2026-11.io.ctgt:none", true),
			 -ENOENT);
	/* A registration limit out of range fails the LU. */
	p.pr_max_registrations = 65537;
	assert_true(ctgt_server_add_store(srv, IQN, &p, "mem:", err, sizeof(err)) < 0);
	p.pr_max_registrations = 0;
	assert_int_equal(ctgt_server_add_store(srv, IQN, &p, "mem:", err, sizeof(err)), 0);
	assert_int_equal(ctgt_server_add_store(srv, IQN, &p, "mem:", err, sizeof(err)), -EEXIST);
	p.lun = 1;
	assert_true(ctgt_server_add_store(srv, IQN, &p, "nosuch:x", err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "unknown store type"));
	/* A memory store runs its I/O inline: it cannot be paced. */
	p.max_bandwidth = 1 << 20;
	assert_int_equal(ctgt_server_add_store(srv, IQN, &p, "mem:", err, sizeof(err)), -EOPNOTSUPP);
	assert_string_equal(err, "LUN 1 (mem:): this store cannot be given a bandwidth limit");
	p.max_bandwidth = 0;
	p.block_size = 4096;
	p.size = 4096 * 16;
	assert_int_equal(ctgt_server_add_store(srv, IQN, &p, "mem:", err, sizeof(err)), 0);
	ctgt_server_destroy(srv);
}

/* The authentication and access calls check what they are given. */
static void test_auth_and_access(void **state)
{
	struct ctgt_server *srv = new_server();
	static const struct ctgt_lun_map map[] = { { .lun = 3, .target_lun = 0, .readonly = true } };
	static const struct ctgt_lun_map dup[] = { { .lun = 3 }, { .lun = 3, .target_lun = 1 } };
	struct ctgt_initiator_params ip = { .name = "iqn.2026-11.io.ctgt:host", .map_luns = true,
					    .luns = map, .nluns = 1 };
	char err[256];

	(void)state;
	assert_int_equal(ctgt_server_set_chap(srv, IQN, "u", "usersecret123", "t", "targetsecret1",
					      err, sizeof(err)), 0);
	assert_int_equal(ctgt_server_set_chap(srv, NULL, "d", "discoverysecret", NULL, NULL,
					      err, sizeof(err)), 0);
	assert_int_equal(ctgt_server_set_chap(srv, IQN, "u", "short", NULL, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "at least 12 bytes"));
	assert_null(strstr(err, "short"));	/* never the secret */
	assert_int_equal(ctgt_server_set_chap(srv, IQN, "u", "samesecret123", "t", "samesecret123",
					      err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "equals the initiator's secret"));
	assert_int_equal(ctgt_server_set_chap(srv, "iqn.2026-11.io.ctgt:none", "u", "usersecret123",
					      NULL, NULL, err, sizeof(err)), -ENOENT);
	assert_int_equal(ctgt_server_set_chap(srv, IQN, "u", "usersecret123", "t", NULL,
					      err, sizeof(err)), -EINVAL);

	assert_int_equal(ctgt_server_allow(srv, IQN, "10.0.0.0/8", err, sizeof(err)), 0);
	assert_int_equal(ctgt_server_allow(srv, IQN, "iqn.2026-11.io.ctgt:host", err, sizeof(err)), 0);
	assert_int_equal(ctgt_server_allow(srv, IQN, "10.0.0.0/99", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "prefix longer than 32"));
	assert_int_equal(ctgt_server_allow(srv, "iqn.2026-11.io.ctgt:none", "10.0.0.0/8",
					   err, sizeof(err)), -ENOENT);

	assert_int_equal(ctgt_server_add_initiator(srv, IQN, &ip, err, sizeof(err)), 0);
	assert_int_equal(ctgt_server_add_initiator(srv, IQN, &ip, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "configured twice"));
	ip.name = "iqn.2026-11.io.ctgt:other";
	ip.luns = dup;
	ip.nluns = 2;
	assert_int_equal(ctgt_server_add_initiator(srv, IQN, &ip, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "mapped twice"));
	ip.map_luns = false;
	ip.chap_user = "o";
	ip.chap_secret = "targetsecret1";	/* the target's mutual secret */
	assert_int_equal(ctgt_server_add_initiator(srv, IQN, &ip, err, sizeof(err)), -EINVAL);
	ip.chap_secret = "othersecret12";
	assert_int_equal(ctgt_server_add_initiator(srv, IQN, &ip, err, sizeof(err)), 0);
	/* ... nor may a later mutual secret equal an initiator's own. */
	assert_int_equal(ctgt_server_set_chap(srv, IQN, "u", "usersecret123", "t", "othersecret12",
					      err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "equals the secret of initiator iqn.2026-11.io.ctgt:other"));
	ip.name = "not a name";
	assert_int_equal(ctgt_server_add_initiator(srv, IQN, &ip, err, sizeof(err)), -EINVAL);
	ctgt_server_destroy(srv);
}

static void test_announce(void **state)
{
	struct ctgt_server *srv = new_server();
	struct ctgt_lu_params p = { .lun = 5, .size = 1 << 20 };
	char err[256], want[512], *text = NULL;
	size_t len = 0;
	FILE *out;
	int port;

	(void)state;
	assert_int_equal(ctgt_server_add_store(srv, IQN, &p, "mem:", err, sizeof(err)), 0);
	p.lun = 2;
	assert_int_equal(ctgt_server_add_store(srv, IQN, &p, "mem:", err, sizeof(err)), 0);
	port = ctgt_server_add_portal(srv, "127.0.0.1", 0, 0, err, sizeof(err));
	assert_true(port > 0);
	assert_true(ctgt_server_add_portal(srv, "not-an-ip", 0, 0, err, sizeof(err)) < 0);
	out = open_memstream(&text, &len);
	assert_non_null(out);
	ctgt_server_announce(srv, out);
	fclose(out);
	/* LUs in the order they were added, not by number. */
	snprintf(want, sizeof(want),
		 "listening 127.0.0.1:%d\n"
		 "url iscsi://127.0.0.1:%d/" IQN "/5\n"
		 "url iscsi://127.0.0.1:%d/" IQN "/2\n"
		 "ready\n", port, port, port);
	assert_string_equal(text, want);
	free(text);
	ctgt_server_destroy(srv);
}

static void *stop_later(void *arg)
{
	nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
	ctgt_server_stop(arg);
	return NULL;
}

/* stop() from another thread ends run(); before run() it makes run() return at once. */
static void test_stop(void **state)
{
	struct ctgt_server *srv = new_server();
	struct ctgt_lu_params p = { .lun = 0, .size = 1 << 20 };
	struct app a = { 0 };
	char err[256];
	pthread_t th;

	(void)state;
	assert_int_equal(ctgt_server_add_lu(srv, IQN, &p, &cb, &a, err, sizeof(err)), 0);
	assert_true(ctgt_server_add_portal(srv, "127.0.0.1", 0, 0, err, sizeof(err)) > 0);
	assert_int_equal(pthread_create(&th, NULL, stop_later, srv), 0);
	assert_int_equal(ctgt_server_run(srv), 0);
	pthread_join(th, NULL);
	assert_int_equal(a.released, 0);
	ctgt_server_destroy(srv);
	assert_int_equal(a.released, 1);

	srv = new_server();
	ctgt_server_stop(srv);
	assert_int_equal(ctgt_server_run(srv), 0);
	ctgt_server_destroy(srv);
	ctgt_server_destroy(NULL);
}

/* The thread count: 0 is one per online CPU, clamped to CTGT_THREADS_MAX;
 * a server of three threads with targets on each serves, stops from
 * another thread and releases every LU's ctx. */
static void test_threads(void **state)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned want = cpus < 1 ? 1 : cpus > CTGT_THREADS_MAX ? CTGT_THREADS_MAX : (unsigned)cpus;
	struct ctgt_lu_params p = { .lun = 0, .size = 1 << 20 };
	struct ctgt_server *srv = ctgt_server_create_threads(0);
	struct app a[4] = { 0 };
	char err[256], iqn[64];
	pthread_t th;

	(void)state;
	assert_non_null(srv);
	assert_int_equal(ctgt_server_threads(srv), want);
	ctgt_server_destroy(srv);
	srv = ctgt_server_create_threads(1000);
	assert_non_null(srv);
	assert_int_equal(ctgt_server_threads(srv), CTGT_THREADS_MAX);
	ctgt_server_destroy(srv);
	assert_int_equal(ctgt_server_threads(srv = new_server()), 1);
	ctgt_server_destroy(srv);

	srv = ctgt_server_create_threads(3);
	assert_non_null(srv);
	for (int i = 0; i < 4; i++) {
		snprintf(iqn, sizeof(iqn), "%s%d", IQN, i);
		assert_int_equal(ctgt_server_add_target(srv, iqn, err, sizeof(err)), 0);
		assert_int_equal(ctgt_server_add_lu(srv, iqn, &p, &cb, &a[i], err, sizeof(err)), 0);
	}
	assert_true(ctgt_server_add_portal(srv, "127.0.0.1", 0, 0, err, sizeof(err)) > 0);
	assert_int_equal(pthread_create(&th, NULL, stop_later, srv), 0);
	assert_int_equal(ctgt_server_run(srv), 0);
	pthread_join(th, NULL);
	ctgt_server_destroy(srv);
	for (int i = 0; i < 4; i++)
		assert_int_equal(a[i].released, 1);
}

struct limits_client {
	struct ctgt_server *srv;
	int port;
	int second_closed_ms;	/* -1: not closed within 3 s */
	int first_closed_ms;
};

static int connect_port(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Milliseconds until the server closes @fd (EOF), -1 if not within 3 s. */
static int ms_to_close(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec t0, t1;
	char b;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (poll(&pfd, 1, 3000) != 1 || read(fd, &b, 1) > 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (int)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
}

static void *limits_client(void *arg)
{
	struct limits_client *c = arg;
	int first = connect_port(c->port), second;

	nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
	second = connect_port(c->port);
	c->second_closed_ms = second >= 0 ? ms_to_close(second) : -1;
	c->first_closed_ms = first >= 0 ? ms_to_close(first) : -1;
	if (first >= 0)
		close(first);
	if (second >= 0)
		close(second);
	ctgt_server_stop(c->srv);
	return NULL;
}

/* ctgt_server_set_limits() reaches the server: with one connection allowed
 * a second is closed at once; a login timeout of 1 s closes the first. */
static void test_limits(void **state)
{
	struct ctgt_server *srv = new_server();
	struct ctgt_lu_params p = { .lun = 0, .size = 1 << 20 };
	struct ctgt_limits lim = { .max_connections = 1, .login_timeout = 1 };
	struct limits_client c = { .srv = srv };
	struct app a = { 0 };
	char err[256];
	pthread_t th;

	(void)state;
	assert_int_equal(ctgt_server_add_lu(srv, IQN, &p, &cb, &a, err, sizeof(err)), 0);
	c.port = ctgt_server_add_portal(srv, "127.0.0.1", 0, 0, err, sizeof(err));
	assert_true(c.port > 0);
	ctgt_server_set_limits(srv, &lim);
	assert_int_equal(pthread_create(&th, NULL, limits_client, &c), 0);
	assert_int_equal(ctgt_server_run(srv), 0);
	pthread_join(th, NULL);
	ctgt_server_destroy(srv);
	assert_true(c.second_closed_ms >= 0 && c.second_closed_ms < 500);
	/* Connected ~0.2 s + the second's wait before this one is watched;
	 * closed by the once-a-second check between 1 and 2 s after connecting. */
	assert_true(c.first_closed_ms >= 0 && c.first_closed_ms < 2500);
}

struct portals_client {
	struct ctgt_server *srv;
	int first;		/* the portal added before run() */
	int added;		/* ctgt_server_portal_add()'s answer */
	int dup, bad, gone, again, last;	/* the refusals' errors */
	int listed;		/* portals listed after the add */
	bool refused;		/* a connection to the removed portal failed */
	bool kept;		/* the one accepted through it is still open */
};

/* True when @fd is still open after 200 ms: no EOF from the server. */
static bool still_open(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 200) == 0;
}

static void *portals_client(void *arg)
{
	struct portals_client *c = arg;
	struct ctgt_portal_info *info = NULL;
	char err[256];
	size_t n = 0;
	int fd, kept;

	c->added = ctgt_server_portal_add(c->srv, "127.0.0.1", 0, 0, err, sizeof(err));
	c->dup = ctgt_server_portal_add(c->srv, "127.0.0.1", (uint16_t)c->added, 0, err,
					sizeof(err));
	c->bad = ctgt_server_portal_add(c->srv, "not-an-ip", 0, 0, err, sizeof(err));
	if (ctgt_server_portals(c->srv, &info, &n) == 0 && n == 2 &&
	    info[0].port == c->first && info[1].port == c->added && info[1].tpgt == 1)
		c->listed = (int)n;
	free(info);
	if ((fd = connect_port(c->added)) >= 0)
		close(fd);
	else
		c->added = -1;
	kept = connect_port(c->first);
	nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);	/* accepted */
	c->gone = ctgt_server_portal_remove(c->srv, "127.0.0.1", (uint16_t)c->first, err,
					    sizeof(err));
	fd = connect_port(c->first);
	c->refused = fd < 0;
	if (fd >= 0)
		close(fd);
	c->kept = kept >= 0 && still_open(kept);
	if (kept >= 0)
		close(kept);
	c->again = ctgt_server_portal_remove(c->srv, "127.0.0.1", (uint16_t)c->first, err,
					     sizeof(err));
	c->last = ctgt_server_portal_remove(c->srv, "127.0.0.1", (uint16_t)c->added, err,
					    sizeof(err));
	ctgt_server_stop(c->srv);
	return NULL;
}

/* A portal added while serving accepts at once and is listed; one removed
 * refuses new connections while the one accepted through it stays; a
 * duplicate, a bad address, an unknown portal and the last one are
 * refused; after run() the calls answer -ESHUTDOWN. */
static void test_live_portals(void **state)
{
	struct ctgt_server *srv = new_server();
	struct portals_client c = { .srv = srv };
	char err[256];
	pthread_t th;

	(void)state;
	c.first = ctgt_server_add_portal(srv, "127.0.0.1", 0, 0, err, sizeof(err));
	assert_true(c.first > 0);
	assert_int_equal(pthread_create(&th, NULL, portals_client, &c), 0);
	assert_int_equal(ctgt_server_run(srv), 0);
	pthread_join(th, NULL);
	assert_true(c.added > 0);
	assert_int_equal(c.dup, -EEXIST);
	assert_int_equal(c.bad, -EINVAL);
	assert_int_equal(c.listed, 2);
	assert_int_equal(c.gone, 0);
	assert_true(c.refused);
	assert_true(c.kept);
	assert_int_equal(c.again, -ENOENT);
	assert_int_equal(c.last, -EBUSY);
	assert_int_equal(ctgt_server_portal_add(srv, "127.0.0.1", 0, 0, err, sizeof(err)),
			 -ESHUTDOWN);
	assert_true(err[0] != '\0');
	ctgt_server_destroy(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_lu_errors_release),
		cmocka_unit_test(test_add_lu_and_destroy),
		cmocka_unit_test(test_targets_and_stores),
		cmocka_unit_test(test_auth_and_access),
		cmocka_unit_test(test_announce),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_live_portals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
