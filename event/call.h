/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Blocking calls into event threads, for a thread that is not one of them
 * (the daemon's control thread): run a function on event thread T and wait
 * until it has run. The event threads never wait for the caller.
 *
 * A caller can be stopped from any thread (ev_caller_stop()): its waiting
 * call returns -ESHUTDOWN at once, and the function, if it has not started
 * yet, never runs (so it may use the caller's stack), even when the message
 * is only run when the loops are torn down. That is what lets the program
 * stop its control thread after the event loops have ended.
 */
#ifndef CTGT_EVENT_CALL_H
#define CTGT_EVENT_CALL_H

#include <pthread.h>
#include <stdbool.h>

#include "event/thread.h"

struct ev_call;

/** One calling thread's state; at most one call in flight. */
struct ev_caller {
	pthread_mutex_t mu;
	bool stopped;		/* under mu */
	struct ev_call *pending; /* under mu: the call being waited for */
};

/** Set up @c (stopped = false). Returns 0 or -errno. */
int ev_caller_init(struct ev_caller *c);

/** Free @c's lock; no call in flight. */
void ev_caller_destroy(struct ev_caller *c);

/**
 * On @c's thread (not an event thread): run @fn(@arg) on @t and wait for
 * it. Returns 0 once it has run, -ESHUTDOWN if @c is stopped (before or
 * during the wait: then @fn has run to its end or will never run), -ENOMEM.
 */
int ev_caller_call(struct ev_caller *c, struct ev_thread *t, void (*fn)(void *arg), void *arg);

/** Any thread: stop @c. Its call in flight, and every later one, returns
 *  -ESHUTDOWN; waits for a function that is running right now to finish. */
void ev_caller_stop(struct ev_caller *c);

#endif
