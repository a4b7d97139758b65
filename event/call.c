/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Blocking calls into event threads (event/call.h). A call is a heap
 * object with two references, the waiter's and the message's, because
 * either may be the last to let go of it: a stopped caller leaves while
 * the message still sits in a mailbox that only ev_threads_destroy() runs.
 * The function runs under the call's lock, so a stop either comes before
 * it (then it is skipped) or waits for it to end: it never sees a caller
 * that has left.
 */
#include "event/call.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "util/list.h"

struct ev_call {
	struct ev_msg msg;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	atomic_int refs;
	bool done;		/* under mu: fn has run */
	bool abandoned;		/* under mu: the caller stopped; fn must not run */
	void (*fn)(void *arg);
	void *arg;
};

static void call_free(struct ev_call *call)
{
	pthread_cond_destroy(&call->cond);
	pthread_mutex_destroy(&call->mu);
	free(call);
}

static void call_put(struct ev_call *call)
{
	if (atomic_fetch_sub(&call->refs, 1) == 1)
		call_free(call);
}

/* On the event thread. */
static void call_run(struct ev_msg *msg)
{
	struct ev_call *call = container_of(msg, struct ev_call, msg);

	pthread_mutex_lock(&call->mu);
	if (!call->abandoned) {
		call->fn(call->arg);
		call->done = true;
		pthread_cond_signal(&call->cond);
	}
	pthread_mutex_unlock(&call->mu);
	call_put(call);
}

static struct ev_call *call_new(void (*fn)(void *arg), void *arg)
{
	struct ev_call *call = calloc(1, sizeof(*call));

	if (call == NULL)
		return NULL;
	if (pthread_mutex_init(&call->mu, NULL) != 0) {
		free(call);
		return NULL;
	}
	if (pthread_cond_init(&call->cond, NULL) != 0) {
		pthread_mutex_destroy(&call->mu);
		free(call);
		return NULL;
	}
	atomic_init(&call->refs, 2);
	call->fn = fn;
	call->arg = arg;
	call->msg.fn = call_run;
	return call;
}

int ev_caller_init(struct ev_caller *c)
{
	c->stopped = false;
	c->pending = NULL;
	return -pthread_mutex_init(&c->mu, NULL);
}

void ev_caller_destroy(struct ev_caller *c)
{
	pthread_mutex_destroy(&c->mu);
}

/* Wait for @call; 0 when it ran, -ESHUTDOWN when abandoned. */
static int call_wait(struct ev_call *call)
{
	int rc;

	pthread_mutex_lock(&call->mu);
	while (!call->done && !call->abandoned)
		pthread_cond_wait(&call->cond, &call->mu);
	rc = call->done ? 0 : -ESHUTDOWN;
	pthread_mutex_unlock(&call->mu);
	return rc;
}

int ev_caller_call(struct ev_caller *c, struct ev_thread *t, void (*fn)(void *arg), void *arg)
{
	struct ev_call *call = call_new(fn, arg);
	int rc;

	if (call == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&c->mu);
	if (c->stopped) {
		pthread_mutex_unlock(&c->mu);
		call_free(call);	/* never sent */
		return -ESHUTDOWN;
	}
	c->pending = call;
	pthread_mutex_unlock(&c->mu);
	ev_thread_send(t, &call->msg);
	rc = call_wait(call);
	pthread_mutex_lock(&c->mu);
	c->pending = NULL;
	pthread_mutex_unlock(&c->mu);
	call_put(call);
	return rc;
}

void ev_caller_stop(struct ev_caller *c)
{
	pthread_mutex_lock(&c->mu);
	c->stopped = true;
	if (c->pending != NULL) {
		pthread_mutex_lock(&c->pending->mu);
		if (!c->pending->done)
			c->pending->abandoned = true;
		pthread_cond_signal(&c->pending->cond);
		pthread_mutex_unlock(&c->pending->mu);
	}
	pthread_mutex_unlock(&c->mu);
}
