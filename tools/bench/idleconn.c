// SPDX-License-Identifier: Apache-2.0
/*
 * idleconn: what an idle logged-in connection costs the target (make bench,
 * tests/integration/idle_conns.sh), and the connections that come and go
 * in the soak (tools/bench/soak.sh).
 *
 *   idleconn [--count N] [--warmup N] [--hold S] [--write SIZE] [--server-pid PID] URL
 *
 * It raises its own descriptor limit (the soft one, up to the hard one),
 * logs in --warmup sessions (default 8, not counted: the target's one-time
 * allocations), reads the target's VmRSS (/proc/PID/status), logs in
 * --count more (default 1000), one connection each, with libiscsi's
 * synchronous API (with --write, each session then writes SIZE bytes once at
 * LBA 0: what a connection keeps after it has done some I/O), and after a
 * short settling time reads VmRSS again. It
 * prints one JSON object: connections, rss_before_kb, rss_after_kb,
 * bytes_per_connection (the growth over the counted connections), the
 * seconds the logins took. Then it keeps every session open for --hold
 * seconds (default 0; SIGTERM or SIGINT ends the hold early), answering the
 * target's NOP-Ins, checks that every one is still logged in, and logs all
 * out. Each process has its own initiator name (with its pid) and each
 * session its own ISID, so no two sessions, of this process or another one,
 * reinstate each other.
 *
 * Exit status: 0 when every session logged in, stayed and logged out; 1 if
 * one failed (a message on stderr); 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "tools/bench/numarg.h"
#include "tools/bench/procmem.h"

#define MAX_COUNT 16384
#define MAX_HOLD_S 3600.0
#define SETTLE_NS 500000000ULL
#define SPARE_FDS 32
#define MAX_WRITE (16u << 20)

struct idle {
	const char *url;
	int count, warmup;
	double hold_s;
	long server_pid;
	uint32_t write_len;	/* --write: bytes each session writes once */
	uint32_t lbsize;	/* the LU's block size (READ CAPACITY), for --write */
	uint8_t *wbuf;
	char initiator[96];
	struct iscsi_context *url_ctx;	/* parsed the URL; frees it */
	struct iscsi_url *u;
	struct iscsi_context **ctx;
	int nctx;
};

static volatile sig_atomic_t stop_hold;

static void on_signal(int sig)
{
	(void)sig;
	stop_hold = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------ options */

static void usage(FILE *f)
{
	fprintf(f, "usage: idleconn [--count N] [--warmup N] [--hold S] [--server-pid PID] URL\n"
		   "  URL               iscsi://HOST:PORT/IQN/LUN\n"
		   "  --count N         sessions measured, 1-%d (default 1000)\n"
		   "  --warmup N        sessions before the first reading, 0-%d (default 8)\n"
		   "  --hold S          seconds to keep them all open, 0-%.0f (default 0)\n"
		   "  --write SIZE      each counted session writes SIZE bytes (K suffix) once\n"
		   "  --server-pid PID  the target, whose VmRSS is read\n",
		MAX_COUNT, MAX_COUNT, MAX_HOLD_S);
}

static int parse_one(int c, const char *arg, struct idle *d)
{
	long v;
	int pid;
	char *end;
	switch (c) {
	case 'c': return parse_int(arg, 1, MAX_COUNT, &d->count);
	case 'w': return parse_int(arg, 0, MAX_COUNT, &d->warmup);
	case 'p': if (parse_int(arg, 1, INT32_MAX, &pid)) return -1;
		d->server_pid = pid;
		return 0;
	case 'W': v = strtol(arg, &end, 10);
		if (end != arg && *end == 'K' && !end[1] && v > 0 && v <= (long)(MAX_WRITE >> 10)) {
			d->write_len = (uint32_t)v << 10;
			return 0;
		}
		return -1;
	case 'h': d->hold_s = strtod(arg, &end);
		return end != arg && !*end && d->hold_s >= 0 && d->hold_s <= MAX_HOLD_S ? 0 : -1;
	default: return -1;
	}
}

/* 0: parsed; 1: --help; -1: bad usage (message printed). */
static int parse_args(int argc, char **argv, struct idle *d)
{
	static const struct option lo[] = {
		{ "count", 1, NULL, 'c' }, { "warmup", 1, NULL, 'w' }, { "hold", 1, NULL, 'h' },
		{ "server-pid", 1, NULL, 'p' }, { "write", 1, NULL, 'W' },
		{ "help", 0, NULL, 'H' }, { NULL, 0, NULL, 0 },
	};
	d->count = 1000;
	d->warmup = 8;
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'H')
			return 1;
		if (c == '?' || parse_one(c, optarg, d) != 0) {
			if (c != '?')
				fprintf(stderr, "idleconn: bad value '%s'\n", optarg);
			return -1;
		}
	}
	if (optind != argc - 1 || d->count + d->warmup > MAX_COUNT) {
		fprintf(stderr, "idleconn: give one URL, at most %d sessions in all\n", MAX_COUNT);
		return -1;
	}
	d->url = argv[optind];
	return 0;
}

/* ------------------------------------------------------------ sessions */

/* One descriptor per session and a few more: raise the soft limit as far as
 * the hard one allows. */
static int raise_fd_limit(int sessions)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)sessions + SPARE_FDS;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			return -1;
	}
	if (rl.rlim_cur < want) {
		fprintf(stderr, "idleconn: %d sessions need %lu descriptors, the hard limit is %lu\n",
			sessions, (unsigned long)want, (unsigned long)rl.rlim_max);
		return -1;
	}
	return 0;
}

/* Session i: its own ISID (the random form, qualifier 0: the index). */
static struct iscsi_context *login_one(struct idle *d, int i)
{
	struct iscsi_context *ctx = iscsi_create_context(d->initiator);
	if (!ctx)
		return NULL;
	iscsi_set_isid_random(ctx, (uint32_t)i + 1, 0);
	iscsi_set_targetname(ctx, d->u->target);
	iscsi_set_session_type(ctx, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(ctx, ISCSI_HEADER_DIGEST_NONE);
	iscsi_set_noautoreconnect(ctx, 1);
	if (iscsi_full_connect_sync(ctx, d->u->portal, d->u->lun) != 0) {
		fprintf(stderr, "idleconn: login %d of %d failed: %s\n", i + 1,
			d->warmup + d->count, iscsi_get_error(ctx));
		iscsi_destroy_context(ctx);
		return NULL;
	}
	return ctx;
}

static int block_size(struct idle *d, struct iscsi_context *ctx)
{
	struct scsi_task *t = iscsi_readcapacity16_sync(ctx, d->u->lun);
	struct scsi_readcapacity16 *rc =
		t && t->status == SCSI_STATUS_GOOD ? scsi_datain_unmarshall(t) : NULL;
	d->lbsize = rc ? rc->block_length : 0;
	if (t)
		scsi_free_scsi_task(t);
	if (d->lbsize == 0 || d->write_len % d->lbsize) {
		fprintf(stderr, "idleconn: no block size, or not one that divides --write\n");
		return -1;
	}
	d->wbuf = calloc(1, d->write_len);
	return d->wbuf ? 0 : -1;
}

/* --write: one WRITE(16) of write_len bytes at LBA 0. */
static int write_once(struct idle *d, struct iscsi_context *ctx)
{
	if (!d->lbsize && block_size(d, ctx) != 0)
		return -1;
	struct scsi_task *t = iscsi_write16_sync(ctx, d->u->lun, 0, d->wbuf, d->write_len,
						 (int)d->lbsize, 0, 0, 0, 0, 0);
	int rc = t && t->status == SCSI_STATUS_GOOD ? 0 : -1;
	if (rc)
		fprintf(stderr, "idleconn: WRITE(16) failed: %s\n", iscsi_get_error(ctx));
	if (t)
		scsi_free_scsi_task(t);
	return rc;
}

/* Log in sessions until there are n (the counted ones write once with
 * --write). */
static int login_upto(struct idle *d, int n)
{
	while (d->nctx < n) {
		struct iscsi_context *ctx = login_one(d, d->nctx);
		if (!ctx)
			return -1;
		d->ctx[d->nctx++] = ctx;
		if (d->write_len && d->nctx > d->warmup && write_once(d, ctx) != 0)
			return -1;
	}
	return 0;
}

/* One poll round over every session: answers NOP-Ins, notices a session
 * the target closed. */
static int service_all(struct idle *d, struct pollfd *pfd, int timeout_ms)
{
	for (int i = 0; i < d->nctx; i++) {
		pfd[i].fd = iscsi_get_fd(d->ctx[i]);
		pfd[i].events = (short)iscsi_which_events(d->ctx[i]);
		pfd[i].revents = 0;
	}
	if (poll(pfd, (nfds_t)d->nctx, timeout_ms) < 0 && errno != EINTR)
		return -1;
	for (int i = 0; i < d->nctx; i++) {
		if (iscsi_service(d->ctx[i], pfd[i].revents) < 0 || !iscsi_is_logged_in(d->ctx[i])) {
			fprintf(stderr, "idleconn: session %d lost: %s\n", i + 1,
				iscsi_get_error(d->ctx[i]));
			return -1;
		}
	}
	return 0;
}

/* Keep every session open (and serviced) for ns nanoseconds, or until a
 * signal asks to stop. */
static int hold_for(struct idle *d, uint64_t ns)
{
	struct pollfd *pfd = calloc((size_t)d->nctx + 1, sizeof(*pfd));
	if (!pfd)
		return -1;
	int rc = 0;
	uint64_t end = now_ns() + ns;
	while (rc == 0 && !stop_hold && now_ns() < end)
		rc = service_all(d, pfd, 100);
	free(pfd);
	return rc;
}

static int logout_all(struct idle *d)
{
	int rc = 0;
	for (int i = 0; i < d->nctx; i++) {
		/* A lost session was reported already. */
		if (!iscsi_is_logged_in(d->ctx[i]))
			rc = -1;
		else if (iscsi_logout_sync(d->ctx[i]) != 0) {
			fprintf(stderr, "idleconn: logout of session %d failed: %s\n", i + 1,
				iscsi_get_error(d->ctx[i]));
			rc = -1;
		}
		iscsi_destroy_context(d->ctx[i]);
	}
	d->nctx = 0;
	return rc;
}

/* ------------------------------------------------------------ the run */

static long rss_kb(const struct idle *d)
{
	return d->server_pid ? proc_rss_kb(d->server_pid) : -1;
}

static void print_result(const struct idle *d, long before, long after, double login_s)
{
	printf("{\"tool\":\"ctgt-idleconn\",\"connections\":%d,\"warmup\":%d,\"write\":%u,",
	       d->count, d->warmup, d->write_len);
	if (before >= 0 && after >= 0)
		printf("\"rss_before_kb\":%ld,\"rss_after_kb\":%ld,\"bytes_per_connection\":%ld,",
		       before, after, (after - before) * 1024 / d->count);
	else
		printf("\"rss_before_kb\":null,\"rss_after_kb\":null,\"bytes_per_connection\":null,");
	printf("\"login_s\":%.3f}\n", login_s);
	fflush(stdout);
}

static int measure(struct idle *d)
{
	if (login_upto(d, d->warmup) != 0 || hold_for(d, SETTLE_NS) != 0)
		return -1;
	long before = rss_kb(d);
	uint64_t t0 = now_ns();
	if (login_upto(d, d->warmup + d->count) != 0)
		return -1;
	double login_s = (double)(now_ns() - t0) / 1e9;
	if (hold_for(d, SETTLE_NS) != 0)
		return -1;
	print_result(d, before, rss_kb(d), login_s);
	return hold_for(d, (uint64_t)(d->hold_s * 1e9));
}

static int setup(struct idle *d)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	snprintf(d->initiator, sizeof(d->initiator), "iqn.2026-12.io.ctgt:idleconn.%ld",
		 (long)getpid());
	if (raise_fd_limit(d->warmup + d->count) != 0)
		return -1;
	d->ctx = calloc((size_t)(d->warmup + d->count), sizeof(*d->ctx));
	d->url_ctx = iscsi_create_context(d->initiator);
	if (!d->ctx || !d->url_ctx)
		return -1;
	d->u = iscsi_parse_full_url(d->url_ctx, d->url);
	if (!d->u)
		fprintf(stderr, "idleconn: bad URL %s: %s\n", d->url, iscsi_get_error(d->url_ctx));
	return d->u ? 0 : -1;
}

int main(int argc, char **argv)
{
	static struct idle d;
	int p = parse_args(argc, argv, &d);
	if (p != 0) {
		usage(p > 0 ? stdout : stderr);
		return p > 0 ? 0 : 2;
	}
	int rc = setup(&d) == 0 && measure(&d) == 0 ? 0 : 1;
	int logged_in = d.nctx;
	/* The hold is over: a second stop request (coreutils timeout passes
	 * its SIGTERM on to its process group too, so the tool may get it
	 * twice) must not interrupt libiscsi's poll() in a logout. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (logout_all(&d) != 0)
		rc = 1;
	if (rc == 0)
		fprintf(stderr, "idleconn: %d sessions stayed logged in, all logged out\n",
			logged_in);
	if (d.u)
		iscsi_destroy_url(d.u);
	if (d.url_ctx)
		iscsi_destroy_context(d.url_ctx);
	free(d.ctx);
	free(d.wbuf);
	return rc;
}
