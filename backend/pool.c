/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Worker pool shared by the blocking backing stores (file, callback): a
 * mutex-protected FIFO of requests and a fixed set of threads draining it.
 * With a bandwidth limit, a worker waits until its request's booked start
 * time before running it: the wait happens here, off the network thread.
 */
#include "backend/pool.h"
#include "backend/throttle.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

struct bs_pool {
	bs_pool_exec_fn exec;
	void *arg;
	struct bs_cq *cq;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/*
	 * Pending requests, linked through cq_next: a request sits here only
	 * between submit and a worker picking it up, never in a completion
	 * queue at the same time.
	 */
	struct bs_request *head, *tail;
	bool stopping;
	struct bs_throttle throttle;	/* under lock */
	pthread_cond_t paced;		/* workers waiting for their start time */
	unsigned nworkers;
	pthread_t workers[BS_POOL_MAX_THREADS];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Caller holds the lock. When @req may run under the bandwidth limit, or
 * 0 when it need not wait (no limit, or it moves no data). */
static uint64_t book(struct bs_pool *pool, const struct bs_request *req)
{
	if (!pool->throttle.bytes_per_sec ||
	    (req->op != BS_OP_READ && req->op != BS_OP_WRITE))	/* FLUSH, UNMAP */
		return 0;
	return bs_throttle_book(&pool->throttle, now_ns(), req->len);
}

/*
 * Next request, or NULL once the pool is stopping and the queue is empty;
 * *at is when it may run (0: now). The booking is made here, under the
 * lock dequeueing takes anyway, so an unlimited pool pays nothing for it.
 */
static struct bs_request *pool_dequeue(struct bs_pool *pool, uint64_t *at)
{
	struct bs_request *req;

	pthread_mutex_lock(&pool->lock);
	while (pool->head == NULL && !pool->stopping)
		pthread_cond_wait(&pool->cond, &pool->lock);
	req = pool->head;
	if (req != NULL) {
		pool->head = req->cq_next;
		if (pool->head == NULL)
			pool->tail = NULL;
		req->cq_next = NULL;
		*at = book(pool, req);
	}
	pthread_mutex_unlock(&pool->lock);
	return req;
}

/*
 * Wait until @at. A waiter whose limit is lifted, or whose pool is
 * stopping, runs at once (both wake the waiters), so neither a stop nor a
 * raised limit waits out bookings made under the old one.
 */
static void pace(struct bs_pool *pool, uint64_t at)
{
	struct timespec ts = {
		.tv_sec = (time_t)(at / 1000000000u),
		.tv_nsec = (long)(at % 1000000000u),
	};

	pthread_mutex_lock(&pool->lock);
	while (!pool->stopping && pool->throttle.bytes_per_sec && now_ns() < at)
		pthread_cond_timedwait(&pool->paced, &pool->lock, &ts);
	pthread_mutex_unlock(&pool->lock);
}

static void *pool_worker(void *arg)
{
	struct bs_pool *pool = arg;
	struct bs_request *req;
	uint64_t at;

	while ((req = pool_dequeue(pool, &at)) != NULL) {
		if (at)
			pace(pool, at);
		req->result = pool->exec(pool->arg, req);
		bs_cq_push(pool->cq, req);
	}
	return NULL;
}

int bs_pool_submit(struct bs_pool *pool, struct bs_request *req)
{
	req->cq_next = NULL;
	pthread_mutex_lock(&pool->lock);
	if (pool->stopping) {
		pthread_mutex_unlock(&pool->lock);
		return -ESHUTDOWN;
	}
	if (pool->tail == NULL)
		pool->head = req;
	else
		pool->tail->cq_next = req;
	pool->tail = req;
	pthread_cond_signal(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

void bs_pool_set_bandwidth(struct bs_pool *pool, uint64_t bytes_per_sec)
{
	pthread_mutex_lock(&pool->lock);
	pool->throttle.bytes_per_sec = bytes_per_sec;
	if (bytes_per_sec == 0)
		pool->throttle.next_ns = 0;
	pthread_cond_broadcast(&pool->paced);
	pthread_mutex_unlock(&pool->lock);
}

static void stop_workers(struct bs_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->cond);
	pthread_cond_broadcast(&pool->paced);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned i = 0; i < pool->nworkers; i++)
		pthread_join(pool->workers[i], NULL);
	pool->nworkers = 0;
}

static int start_workers(struct bs_pool *pool, unsigned nthreads)
{
	sigset_t all, old;
	int rc = 0;

	/* Workers inherit a full mask: signals belong to the application's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < nthreads; i++) {
		rc = pthread_create(&pool->workers[i], NULL, pool_worker, pool);
		if (rc != 0)
			break;
		pool->nworkers++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		stop_workers(pool);
		return -rc;
	}
	return 0;
}

/* The pacing deadlines are CLOCK_MONOTONIC times. */
static int cond_init_monotonic(pthread_cond_t *cond)
{
	pthread_condattr_t attr;
	int rc;

	if (pthread_condattr_init(&attr) != 0)
		return -1;
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
	return rc;
}

static void pool_free(struct bs_pool *pool)
{
	pthread_cond_destroy(&pool->paced);
	pthread_cond_destroy(&pool->cond);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}

struct bs_pool *bs_pool_create(unsigned nthreads, bs_pool_exec_fn exec, void *arg,
			       struct bs_cq *cq, int *rc)
{
	struct bs_pool *pool;

	if (nthreads == 0 || nthreads > BS_POOL_MAX_THREADS || exec == NULL || cq == NULL) {
		*rc = -EINVAL;
		return NULL;
	}
	pool = calloc(1, sizeof(*pool));
	if (pool == NULL) {
		*rc = -ENOMEM;
		return NULL;
	}
	pool->exec = exec;
	pool->arg = arg;
	pool->cq = cq;
	*rc = -ENOMEM;
	if (pthread_mutex_init(&pool->lock, NULL) != 0)
		goto free_pool;
	if (pthread_cond_init(&pool->cond, NULL) != 0)
		goto destroy_lock;
	if (cond_init_monotonic(&pool->paced) != 0)
		goto destroy_cond;
	*rc = start_workers(pool, nthreads);
	if (*rc < 0) {
		pool_free(pool);
		return NULL;
	}
	return pool;

destroy_cond:
	pthread_cond_destroy(&pool->cond);
destroy_lock:
	pthread_mutex_destroy(&pool->lock);
free_pool:
	free(pool);
	return NULL;
}

void bs_pool_destroy(struct bs_pool *pool)
{
	if (pool == NULL)
		return;
	stop_workers(pool);
	pool_free(pool);
}
