/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Worker pool for backing stores whose I/O blocks (files, application
 * callbacks): requests queue up, a few threads run them with the store's
 * exec function and hand each one back through the store's completion queue,
 * so a slow store never stalls the network thread.
 *
 * Private to backend/: stores use it, the rest of ctgt sees only backend.h.
 */
#ifndef CTGT_BACKEND_POOL_H
#define CTGT_BACKEND_POOL_H

#include "backend/backend.h"

/** Most threads one pool runs. */
#define BS_POOL_MAX_THREADS 64

/**
 * Runs @req on a worker thread and returns its result (0 or a negative
 * errno), which the pool stores in req->result before queueing the
 * completion. Up to the pool's thread count of calls run at the same time.
 */
typedef int (*bs_pool_exec_fn)(void *arg, struct bs_request *req);

struct bs_pool;

/**
 * Start @nthreads (1..BS_POOL_MAX_THREADS) workers calling @exec(@arg, req)
 * and pushing finished requests to @cq. The workers block every signal.
 * Returns NULL with *rc set to a negative errno on failure.
 */
struct bs_pool *bs_pool_create(unsigned nthreads, bs_pool_exec_fn exec, void *arg,
			       struct bs_cq *cq, int *rc);

/** Queue @req. Returns 0 (its completion follows) or -ESHUTDOWN. */
int bs_pool_submit(struct bs_pool *pool, struct bs_request *req);

/**
 * Pace READ and WRITE requests to @bytes_per_sec together (0: no limit);
 * workers sleep before running a request until the limit allows it.
 */
void bs_pool_set_bandwidth(struct bs_pool *pool, uint64_t bytes_per_sec);

/**
 * Stop the pool: requests already queued still run and complete, then the
 * workers are joined and the pool is freed. When it returns, no exec call is
 * running or will run. NULL is ignored.
 */
void bs_pool_destroy(struct bs_pool *pool);

#endif
