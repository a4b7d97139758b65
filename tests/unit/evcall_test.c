/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Blocking calls into event threads (event/call.h): the function runs on
 * the thread named, once per call; a stop releases a waiting caller, and a
 * function not yet started then never runs, not even when the mailbox is
 * drained at teardown. Under make unit-tsan these are the race checks.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "event/call.h"

struct job {
	struct ev_thread *want;
	atomic_int ran, wrong_thread;	/* read by the main thread meanwhile */
};

static void job_fn(void *arg)
{
	struct job *j = arg;

	atomic_fetch_add(&j->ran, 1);
	if (ev_thread_current() != j->want)
		atomic_fetch_add(&j->wrong_thread, 1);
}

struct caller_arg {
	struct ev_caller c;
	struct ev_thread *t;
	struct job job;
	int calls, rc;
};

static void *caller_main(void *arg)
{
	struct caller_arg *a = arg;

	for (int i = 0; i < a->calls && a->rc == 0; i++)
		a->rc = ev_caller_call(&a->c, a->t, job_fn, &a->job);
	return NULL;
}

static void test_calls_run_on_their_thread(void **state)
{
	struct ev_threads *ts = ev_threads_create(2);
	struct caller_arg a = { .calls = 1000 };
	pthread_t tid;

	(void)state;
	assert_non_null(ts);
	assert_int_equal(ev_threads_start(ts), 0);
	assert_int_equal(ev_caller_init(&a.c), 0);
	a.t = &ts->thr[1];
	a.job.want = a.t;
	assert_int_equal(pthread_create(&tid, NULL, caller_main, &a), 0);
	pthread_join(tid, NULL);
	assert_int_equal(a.rc, 0);
	assert_int_equal(a.job.ran, 1000);
	assert_int_equal(a.job.wrong_thread, 0);
	ev_caller_destroy(&a.c);
	ev_threads_stop(ts);
	ev_threads_destroy(ts);
}

/* Thread 0's loop never runs here: the call waits until the stop. */
static void test_stop_releases_waiter(void **state)
{
	struct ev_threads *ts = ev_threads_create(2);
	struct caller_arg a = { .calls = 1 };
	struct timespec pause = { .tv_nsec = 50 * 1000 * 1000 };
	pthread_t tid;

	(void)state;
	assert_non_null(ts);
	assert_int_equal(ev_threads_start(ts), 0);
	assert_int_equal(ev_caller_init(&a.c), 0);
	a.t = &ts->thr[0];
	a.job.want = a.t;
	assert_int_equal(pthread_create(&tid, NULL, caller_main, &a), 0);
	nanosleep(&pause, NULL);
	ev_caller_stop(&a.c);
	pthread_join(tid, NULL);
	assert_int_equal(a.rc, -ESHUTDOWN);
	/* Later calls fail at once, even to a running thread. */
	assert_int_equal(ev_caller_call(&a.c, &ts->thr[1], job_fn, &a.job), -ESHUTDOWN);
	ev_threads_stop(ts);
	ev_threads_destroy(ts);	/* runs the queued message: skipped */
	assert_int_equal(a.job.ran, 0);
	ev_caller_destroy(&a.c);
}

/* A stop racing with calls that run: every call either ran or failed. */
static void test_stop_during_calls(void **state)
{
	struct ev_threads *ts = ev_threads_create(2);
	struct caller_arg a = { .calls = 1 << 30 };
	struct timespec pause = { .tv_nsec = 1000 * 1000 };
	pthread_t tid;

	(void)state;
	assert_non_null(ts);
	assert_int_equal(ev_threads_start(ts), 0);
	assert_int_equal(ev_caller_init(&a.c), 0);
	a.t = &ts->thr[1];
	a.job.want = a.t;
	assert_int_equal(pthread_create(&tid, NULL, caller_main, &a), 0);
	/* Stop in the middle of the calls, however slow the machine. */
	for (int k = 0; k < 10000 && atomic_load(&a.job.ran) < 100; k++)
		nanosleep(&pause, NULL);
	assert_true(atomic_load(&a.job.ran) >= 100);
	ev_caller_stop(&a.c);
	pthread_join(tid, NULL);
	assert_int_equal(a.rc, -ESHUTDOWN);
	ev_threads_stop(ts);
	ev_threads_destroy(ts);
	assert_int_equal(a.job.wrong_thread, 0);
	ev_caller_destroy(&a.c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calls_run_on_their_thread),
		cmocka_unit_test(test_stop_releases_waiter),
		cmocka_unit_test(test_stop_during_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
