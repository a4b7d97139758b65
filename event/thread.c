/* SPDX-License-Identifier: Apache-2.0 */
/* Event threads (event/thread.h). */
#include "event/thread.h"

#include <errno.h>
#include <stdlib.h>

#include "util/list.h"

/* Per thread, so not shared state: which ev_thread this thread runs. */
static _Thread_local struct ev_thread *current;

struct ev_thread *ev_thread_current(void)
{
	return current;
}

static void free_loops(struct ev_threads *ts, unsigned upto)
{
	for (unsigned i = 0; i < upto; i++) {
		ev_mbox_destroy(&ts->thr[i].mbox);
		evloop_destroy(ts->thr[i].loop);
	}
	free(ts->thr);
	free(ts);
}

struct ev_threads *ev_threads_create(unsigned n)
{
	struct ev_threads *ts;

	if (n < 1 || n > EV_THREADS_MAX)
		return NULL;
	ts = calloc(1, sizeof(*ts));
	if (!ts || !(ts->thr = calloc(n, sizeof(*ts->thr)))) {
		free(ts);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		struct ev_thread *t = &ts->thr[i];

		t->index = i;
		t->loop = evloop_create();
		if (!t->loop || ev_mbox_init(&t->mbox, t->loop) < 0) {
			if (t->loop)
				evloop_destroy(t->loop);
			free_loops(ts, i);
			return NULL;
		}
	}
	ts->n = n;
	current = &ts->thr[0];
	return ts;
}

static void *thread_main(void *arg)
{
	struct ev_thread *t = arg;

	current = t;
	evloop_run(t->loop);
	return NULL;
}

static void stop_here(struct ev_msg *msg)
{
	struct ev_thread *t = container_of(msg, struct ev_thread, stop_msg);

	evloop_stop(t->loop);
}

int ev_threads_start(struct ev_threads *ts)
{
	for (unsigned i = 1; i < ts->n; i++) {
		struct ev_thread *t = &ts->thr[i];
		int rc = pthread_create(&t->tid, NULL, thread_main, t);

		if (rc != 0) {
			ev_threads_stop(ts);
			return -rc;
		}
		t->spawned = true;
	}
	return 0;
}

void ev_threads_stop(struct ev_threads *ts)
{
	for (unsigned i = 1; i < ts->n; i++) {
		struct ev_thread *t = &ts->thr[i];

		if (!t->spawned)
			continue;
		t->stop_msg.fn = stop_here;
		ev_thread_send(t, &t->stop_msg);
		pthread_join(t->tid, NULL);
		t->spawned = false;
	}
}

void ev_threads_destroy(struct ev_threads *ts)
{
	if (!ts)
		return;
	if (current == &ts->thr[0])
		current = NULL;
	free_loops(ts, ts->n);
}
