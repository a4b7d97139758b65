/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event threads: N threads, each with its own event loop (and so its own
 * timers and hooks) and a mailbox (event/mbox.h) through which the others
 * hand it work. Thread 0 is the creator's own: ev_threads_start() spawns
 * 1..N-1, and the creator runs thread 0's loop itself (evloop_run()), so
 * with N = 1 nothing changes from a single event loop.
 *
 * What runs on a thread is the code its loop calls back, and the messages
 * sent to it; nothing else touches that thread's state. A message is the
 * only way in (ev_thread_send()).
 */
#ifndef CTGT_EVENT_THREAD_H
#define CTGT_EVENT_THREAD_H

#include <pthread.h>
#include <stdbool.h>

#include "event/evloop.h"
#include "event/mbox.h"

#define EV_THREADS_MAX 64

struct ev_thread {
	unsigned index;		/**< 0..n-1; fixed */
	struct evloop *loop;	/**< this thread's; fixed */
	struct ev_mbox mbox;
	pthread_t tid;		/**< creator's thread only: what to join */
	bool spawned;		/**< a pthread of ours, to join at stop */
	struct ev_msg stop_msg;
};

struct ev_threads {
	unsigned n;
	struct ev_thread *thr;	/**< n of them */
};

/** Creator's thread: @n (1..EV_THREADS_MAX) loops with mailboxes, none
 *  started. NULL on no memory or a bad @n. */
struct ev_threads *ev_threads_create(unsigned n);

/** Creator's thread: spawn threads 1..n-1, each running its loop until
 *  ev_threads_stop(). Returns 0 or -errno (then none is left running). */
int ev_threads_start(struct ev_threads *ts);

/** Creator's thread (not from a loop callback of threads 1..n-1): make
 *  threads 1..n-1 leave their loops (after the messages sent before this
 *  call have run) and join them. */
void ev_threads_stop(struct ev_threads *ts);

/** Creator's thread, after stop: free the loops. What was registered on
 *  them must be gone. */
void ev_threads_destroy(struct ev_threads *ts);

/** Any thread: have @msg->fn run on @t. */
static inline void ev_thread_send(struct ev_thread *t, struct ev_msg *msg)
{
	ev_mbox_send(&t->mbox, msg);
}

/** The event thread the caller runs on (NULL: none of any ev_threads;
 *  thread 0 is the thread that called ev_threads_create()). */
struct ev_thread *ev_thread_current(void);

#endif
