/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The embedding API's server object, shared by embed/server.c (set-up,
 * run, stop) and embed/admin.c (what the running server is asked).
 * Private to embed/.
 */
#ifndef CTGT_EMBED_SERVER_INTERNAL_H
#define CTGT_EMBED_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "event/call.h"
#include "event/thread.h"
#include "iscsi/server.h"
#include "scsi/scsi.h"

/* A LU the server made: ctgt_server_announce() prints a url line for it,
 * ctgt_server_targets() lists it, and its store is closed after the LUs
 * are gone. */
struct lu_entry {
	struct scsi_tgt *tgt;	/* its target */
	const char *iqn;	/* the target's own name: lives as long as it */
	uint64_t lun;
	struct backend *bs;	/* owned */
	/* Removed from its target live but never drained (embed/live.c): no
	 * longer listed; destroyed with the server, before its store. */
	struct scsi_lu *orphan;
};

struct ctgt_server {
	struct ev_threads *threads;	/* thread 0 is the caller's of ctgt_server_run() */
	struct evloop *loop;	/* thread 0's */
	struct bs_cq *cqs;	/* one per thread: the stores of the targets it serves */
	unsigned ncqs;		/* initialised */
	struct iscsi_server *isrv;
	int stopfd;		/* eventfd written by ctgt_server_stop() */
	int sigfd;		/* signalfd of ctgt_server_catch_signals(), or -1 */
	bool stopping;
	/* ctgt_server_on_stop() and ctgt_server_catch_hup(); NULL: none */
	void (*on_stop)(void *arg, const char *why);
	void *on_stop_arg;
	void (*on_hup)(void *arg);
	void *on_hup_arg;
	struct scsi_tgt **tgts;	/* owned by isrv; kept to find them by name */
	size_t ntgts;
	/* s->lus, and s->tgts above: changed by set-up and by live adds and
	 * removes (the admin caller's thread) under lus_mu, which thread 0
	 * takes to read them (at the start and at shutdown); never held
	 * across a call into the threads. */
	pthread_mutex_t lus_mu;
	struct lu_entry *lus;
	size_t nlus;
	char (*endpoints)[64];	/* "HOST:PORT" or "[HOST]:PORT" per portal */
	size_t nendpoints;
	/* embed/admin.c: calls from the application's threads into the
	 * running threads, one at a time (admin_mu); stopped when
	 * ctgt_server_run() returns */
	pthread_mutex_t admin_mu;
	struct ev_caller admin;
};

/* embed/server.c, for embed/live.c. Each returns @rc (negative errno)
 * with a one-line reason in @err, or 0. */
int embed_err(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The target of LU @p, and room in s->lus for one more entry. */
int embed_check_lu(struct ctgt_server *s, const char *iqn, const struct ctgt_lu_params *p,
		   struct scsi_tgt **tgt, char *err, size_t errlen);
/* A LU over the open store @bs (closed on failure) in *lu, not added to
 * any target yet. */
int embed_make_lu(const struct ctgt_lu_params *p, struct backend *bs, bool write_cache,
		  const char *what, struct scsi_lu **lu, char *err, size_t errlen);
/* Remember LU @lun of @tgt over @bs (embed_check_lu() made room). */
void embed_record_lu(struct ctgt_server *s, struct scsi_tgt *tgt, uint64_t lun,
		     struct backend *bs);
/* The target named @iqn (exactly), or NULL. */
struct scsi_tgt *embed_find_target(struct ctgt_server *s, const char *iqn);
/* The store flags of @p (readonly, io=uring, direct). */
unsigned embed_store_flags(const struct ctgt_lu_params *p);
/* The public limits as the iSCSI layer's (0 fields stay 0: the defaults). */
struct iscsi_server_limits embed_limits(const struct ctgt_limits *lim);
/* The completion queue of target @iqn's home thread. */
struct bs_cq *embed_target_cq(struct ctgt_server *s, const char *iqn);

#endif
