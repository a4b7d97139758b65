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

/* What ctgt_server_announce() prints a url line for. */
struct lu_entry {
	const char *iqn;	/* the target's own name: lives as long as it */
	uint64_t lun;
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
	struct backend **stores;	/* closed after the LUs are gone */
	size_t nstores;
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

#endif
