/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A real iSCSI server on its own event loop for the fuzz targets that speak
 * PDUs (fuzz_pdu, fuzz_login): target FUZZ_IQN with LUN 0 on a mem: store,
 * one portal, and one connection whose other end (the "initiator") is a
 * socketpair the harness writes the fuzzer's bytes into.
 *
 * The connection is handed to conn_accept() exactly as the listening
 * socket's accept handler does, so no seam in the server is needed: the
 * receive path runs read() on a real non-blocking socket, the transmit path
 * sendmsg(). The harness drives the loop one iteration at a time (a 0 ms
 * timer stops it) and reads and discards whatever the server sends, so the
 * server never blocks on a full socket.
 *
 * Header-only (static functions) because each fuzz target is one program
 * built from one source file. Single-threaded: mem: completes inline.
 */
#ifndef CTGT_TESTS_FUZZ_SERVER_HARNESS_H
#define CTGT_TESTS_FUZZ_SERVER_HARNESS_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/backend.h"
#include "event/evloop.h"
#include "iscsi/iscsi.h"
#include "iscsi/server.h"
#include "scsi/scsi.h"
#include "tests/fuzz/fuzz_common.h"
#include "util/log.h"

#define FUZZ_STORE_BYTES	(64u << 10)	/* 128 blocks: cheap to make per input */
/* Loop iterations without the server going idle before we call it a hang. */
#define FUZZ_MAX_STEPS		100000

struct fz_server {
	struct evloop *loop;
	struct bs_cq cq;
	struct backend *bs;
	struct iscsi_server *srv;
	int cfd;		/* the initiator's end of the socketpair */
	bool shut_done;
	size_t rx_bytes;	/* what the server sent so far */
	/* Optional: sees every byte the server sends (a CHAP responder, a
	 * tracer). NULL: the bytes are dropped. */
	void (*on_rx)(struct fz_server *fz, const uint8_t *p, size_t n, void *arg);
	void *on_rx_arg;
};

static void fz_stop(struct evloop *loop, void *arg)
{
	(void)arg;
	evloop_stop(loop);
}

static void fz_die(const char *what)
{
	fprintf(stderr, "fuzz harness: %s: %s\n", what, strerror(errno));
	abort();
}

/* Add LUN 0 and the target; any failure is the harness's, not the input's. */
static void fz_add_target(struct fz_server *fz)
{
	struct scsi_lu_config cfg = { .lun = 0, .write_cache = true, .thin = true };
	struct scsi_tgt *tgt = scsi_tgt_create(FUZZ_IQN);
	char err[128];
	struct scsi_lu *lu;

	fz->bs = backend_open("mem:", FUZZ_STORE_BYTES, &fz->cq, err, sizeof(err));
	if (!tgt || !fz->bs)
		fz_die("target");
	lu = scsi_lu_create(&cfg, fz->bs);
	if (!lu || scsi_tgt_add_lu(tgt, lu) < 0 || iscsi_server_add_target(fz->srv, tgt) < 0)
		fz_die("LU");
}

/* A portal like a listening socket's, without the socket (fd -1): login
 * reports its TPGT and SendTargets lists its address. */
static struct iscsi_portal *fz_add_portal(struct fz_server *fz)
{
	struct iscsi_portal *p = calloc(1, sizeof(*p));
	struct iscsi_portal **v = realloc(fz->srv->portals, sizeof(*v));

	if (!p || !v)
		fz_die("portal");
	p->srv = fz->srv;
	p->fd = -1;
	snprintf(p->host, sizeof(p->host), "127.0.0.1");
	p->port = 3260;
	p->tpgt = 1;
	v[0] = p;
	fz->srv->portals = v;
	fz->srv->nportals = 1;
	return p;
}

/* CHAP on the harness's server (iscsi_server_set_chap(),
 * iscsi_server_add_initiator()); the strings must outlive fz_open(). */
struct fz_auth {
	const char *user, *secret;	/* what initiators of FUZZ_IQN and of
					 * discovery sessions prove */
	const char *muser, *msecret;	/* mutual CHAP: the target's, or NULL */
	const char *init_user, *init_secret;	/* FUZZ_INITIATOR's own on FUZZ_IQN, or NULL */
};

static void fz_set_auth(struct fz_server *fz, const struct fz_auth *a)
{
	char err[160];

	if (iscsi_server_set_chap(fz->srv, FUZZ_IQN, a->user, a->secret, a->muser, a->msecret,
				  err, sizeof(err)) < 0 ||
	    iscsi_server_set_chap(fz->srv, NULL, a->user, a->secret, a->muser, a->msecret, err,
				  sizeof(err)) < 0 ||
	    (a->init_user && iscsi_server_add_initiator(fz->srv, FUZZ_IQN, FUZZ_INITIATOR,
							a->init_user, a->init_secret, NULL, 0,
							false, err, sizeof(err)) < 0)) {
		fprintf(stderr, "fuzz harness: CHAP: %s\n", err);
		abort();
	}
}

/* The server and its one connection; with @auth (NULL: none) every login,
 * normal or discovery, must authenticate with CHAP. */
static void fz_open(struct fz_server *fz, const struct fz_auth *auth)
{
	int sv[2];

	memset(fz, 0, sizeof(*fz));
	fz->loop = evloop_create();
	if (!fz->loop || bs_cq_init(&fz->cq) < 0)
		fz_die("loop");
	fz->srv = iscsi_server_create(fz->loop, &fz->cq);
	if (!fz->srv)
		fz_die("server");
	fz_add_target(fz);
	if (auth)
		fz_set_auth(fz, auth);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		fz_die("socketpair");
	fz->cfd = sv[1];
	conn_accept(fz_add_portal(fz), sv[0]);
}

/* Read and hand on (or drop) everything the server has sent. */
static void fz_drain(struct fz_server *fz)
{
	static uint8_t buf[65536];	/* static: not re-poisoned by ASan per call */
	ssize_t n;

	while ((n = read(fz->cfd, buf, sizeof(buf))) > 0) {
		fz->rx_bytes += (size_t)n;
		if (fz->on_rx)
			fz->on_rx(fz, buf, (size_t)n, fz->on_rx_arg);
	}
}

/* One loop iteration: hooks (completions, flush), events (read), timers. */
static void fz_step(struct fz_server *fz)
{
	if (!evloop_add_timer(fz->loop, 0, fz_stop, NULL))
		fz_die("timer");
	if (evloop_run(fz->loop) < 0)
		fz_die("evloop_run");
	fz_drain(fz);
}

/* Nothing left to do until more bytes arrive: the connection has read and
 * parsed what it will, sent what it has, and no completion is queued. */
static bool fz_idle(struct fz_server *fz)
{
	struct list_node *pos;

	if (bs_cq_pending(&fz->cq))
		return false;
	for (pos = fz->srv->thr[0].conns.next; pos != &fz->srv->thr[0].conns; pos = pos->next) {
		struct iscsi_conn *c = container_of(pos, struct iscsi_conn, link);
		int unread = 0;

		if (c->state == CONN_CLOSED)
			return false;		/* freed by the next service pass */
		if (!list_empty(&c->txq))
			return false;
		if (rx_buffered(c) && conn_may_receive(c))
			return false;		/* read ahead, parsed by the next pass */
		if (c->state != CONN_LOGOUT && ioctl(c->fd, FIONREAD, &unread) == 0 && unread > 0)
			return false;
	}
	return true;
}

static void fz_run_idle(struct fz_server *fz)
{
	for (int i = 0; i < FUZZ_MAX_STEPS; i++) {
		fz_step(fz);
		if (fz_idle(fz))
			return;
	}
	fprintf(stderr, "fuzz harness: the server never goes idle\n");
	abort();
}

/* Write @n bytes as the initiator; returns how many the socket took. */
static size_t fz_send(struct fz_server *fz, const uint8_t *p, size_t n)
{
	size_t off = 0;

	while (off < n) {
		/* MSG_NOSIGNAL: the server may have closed its end already. */
		ssize_t w = send(fz->cfd, p + off, n - off, MSG_NOSIGNAL);

		if (w <= 0)
			break;		/* socket full: the server stopped reading */
		off += (size_t)w;
	}
	return off;
}

/* Write @n bytes, running the server whenever the socket is full, until
 * all are in or the server no longer reads. Returns false in that case. */
static bool fz_feed(struct fz_server *fz, const uint8_t *p, size_t n)
{
	while (n) {
		size_t w = fz_send(fz, p, n);

		p += w;
		n -= w;
		fz_run_idle(fz);
		if (n && w == 0)
			return false;
	}
	return true;
}

static void fz_shutdown_done(void *arg)
{
	struct fz_server *fz = arg;

	fz->shut_done = true;
}

/* The initiator hangs up, the server shuts down; everything is freed. */
static void fz_close(struct fz_server *fz)
{
	shutdown(fz->cfd, SHUT_WR);
	fz_run_idle(fz);
	iscsi_server_shutdown(fz->srv, fz_shutdown_done, fz);
	for (int i = 0; i < FUZZ_MAX_STEPS && !fz->shut_done; i++)
		fz_step(fz);
	if (!fz->shut_done) {
		fprintf(stderr, "fuzz harness: shutdown never completes\n");
		abort();
	}
	iscsi_server_destroy(fz->srv);
	backend_close(fz->bs);
	evloop_destroy(fz->loop);
	bs_cq_destroy(&fz->cq);
	close(fz->cfd);
}

/*
 * The server's byte stream cut into PDUs, for an on_rx callback: @on_pdu
 * sees each BHS with its data segment (AHS and padding skipped). Digests
 * are not followed: the harnesses that use this ask for none (a digest
 * session's PDUs go wrong after login). @data is owned by the reader and
 * valid during the call; fz_pdus_free() frees it.
 */
struct fz_pdus {
	void (*on_pdu)(const uint8_t *bhs, const uint8_t *data, size_t dlen, void *arg);
	void *arg;
	uint8_t bhs[ISCSI_BHS_LEN];
	size_t got;		/* of the BHS */
	uint8_t *data;
	size_t dlen, dgot, skip;	/* dgot counts the padding too */
};

static void fz_pdus_start(struct fz_pdus *r)
{
	r->dlen = bhs_data_len(r->bhs);
	r->skip = bhs_ahs_len(r->bhs);
	r->dgot = 0;
	free(r->data);
	r->data = malloc(r->dlen + 1);
	if (!r->data)
		abort();
}

/* Take what @p holds of the AHS or data segment; returns how many bytes. */
static size_t fz_pdus_body(struct fz_pdus *r, const uint8_t *p, size_t n)
{
	size_t want = r->skip ? r->skip : r->dlen + iscsi_pad((uint32_t)r->dlen) - r->dgot;
	size_t k = n < want ? n : want;

	if (r->skip) {
		r->skip -= k;
		return k;
	}
	for (size_t i = 0; i < k; i++, r->dgot++)
		if (r->dgot < r->dlen)
			r->data[r->dgot] = p[i];
	return k;
}

static void fz_pdus_feed(struct fz_pdus *r, const uint8_t *p, size_t n)
{
	while (n) {
		size_t k = 1;

		if (r->got < ISCSI_BHS_LEN) {
			r->bhs[r->got++] = *p;
			if (r->got == ISCSI_BHS_LEN)
				fz_pdus_start(r);
		} else {
			k = fz_pdus_body(r, p, n);
		}
		p += k;
		n -= k;
		if (r->got == ISCSI_BHS_LEN && !r->skip &&
		    r->dgot == r->dlen + iscsi_pad((uint32_t)r->dlen)) {
			r->on_pdu(r->bhs, r->data, r->dlen, r->arg);
			r->got = 0;
		}
	}
}

/* An on_rx for fz_server: @arg is the struct fz_pdus. */
static void fz_pdus_rx(struct fz_server *fz, const uint8_t *p, size_t n, void *arg)
{
	(void)fz;
	fz_pdus_feed(arg, p, n);
}

static void fz_pdus_free(struct fz_pdus *r)
{
	free(r->data);
	r->data = NULL;
}

#endif
