/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Worker pool shared by the blocking backing stores (file, callback): a
 * mutex-protected FIFO of requests and a fixed set of threads draining it.
 */
#include "backend/pool.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>

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
	unsigned nworkers;
	pthread_t workers[BS_POOL_MAX_THREADS];
};

/* Next request, or NULL once the pool is stopping and the queue is empty. */
static struct bs_request *pool_dequeue(struct bs_pool *pool)
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
	}
	pthread_mutex_unlock(&pool->lock);
	return req;
}

static void *pool_worker(void *arg)
{
	struct bs_pool *pool = arg;
	struct bs_request *req;

	while ((req = pool_dequeue(pool)) != NULL) {
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

static void stop_workers(struct bs_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->cond);
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

static void pool_free(struct bs_pool *pool)
{
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
	if (pthread_mutex_init(&pool->lock, NULL) != 0) {
		free(pool);
		*rc = -ENOMEM;
		return NULL;
	}
	if (pthread_cond_init(&pool->cond, NULL) != 0) {
		pthread_mutex_destroy(&pool->lock);
		free(pool);
		*rc = -ENOMEM;
		return NULL;
	}
	*rc = start_workers(pool, nthreads);
	if (*rc < 0) {
		pool_free(pool);
		return NULL;
	}
	return pool;
}

void bs_pool_destroy(struct bs_pool *pool)
{
	if (pool == NULL)
		return;
	stop_workers(pool);
	pool_free(pool);
}
