/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lock-free queue (util/mpsc.h), the mailbox (event/mbox.h) and event
 * threads (event/thread.h): order per sender, no message lost with many
 * senders at once, each message run on its receiver, a stop that runs what
 * was sent before it. Under make unit-tsan the cross-thread cases are the
 * race checks.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "event/thread.h"

/* ---- the queue alone ---- */

static void test_mpsc_fifo(void **state)
{
	struct mpsc q;
	struct mpsc_node n[5], *p;
	int i = 0;

	(void)state;
	mpsc_init(&q);
	assert_true(mpsc_empty(&q));
	assert_null(mpsc_take_all(&q));
	assert_true(mpsc_push(&q, &n[0]));	/* was empty */
	for (int k = 1; k < 5; k++)
		assert_false(mpsc_push(&q, &n[k]));
	assert_false(mpsc_empty(&q));
	for (p = mpsc_take_all(&q); p; p = p->next)
		assert_ptr_equal(p, &n[i++]);
	assert_int_equal(i, 5);
	assert_true(mpsc_empty(&q));
	assert_true(mpsc_push(&q, &n[2]));	/* empty again after the take */
}

/* ---- many senders, one receiver ---- */

enum { SENDERS = 4, PER_SENDER = 20000, TOTAL = SENDERS * PER_SENDER };

struct tmsg {
	struct ev_msg msg;
	int sender, seq;
};

struct fanin {
	struct ev_threads *ts;
	struct tmsg msgs[SENDERS][PER_SENDER];
	int next_seq[SENDERS];	/* receiver's: the seq it expects next */
	int received, out_of_order, wrong_thread;
	struct ev_msg done_msg;	/* receiver -> thread 0 */
	int sender_ids[SENDERS];
};

static struct fanin *g_fanin;	/* the messages' functions find their test here */

static void stop_loop0(struct ev_msg *msg)
{
	(void)msg;
	evloop_stop(g_fanin->ts->thr[0].loop);
}

static void on_fanin(struct ev_msg *msg)
{
	struct tmsg *m = container_of(msg, struct tmsg, msg);
	struct fanin *f = g_fanin;

	if (ev_thread_current() != &f->ts->thr[1])
		f->wrong_thread++;
	if (m->seq != f->next_seq[m->sender])
		f->out_of_order++;
	f->next_seq[m->sender] = m->seq + 1;
	if (++f->received == TOTAL) {
		f->done_msg.fn = stop_loop0;
		ev_thread_send(&f->ts->thr[0], &f->done_msg);
	}
}

static void *sender_main(void *arg)
{
	int s = *(int *)arg;

	for (int i = 0; i < PER_SENDER; i++) {
		struct tmsg *m = &g_fanin->msgs[s][i];

		m->sender = s;
		m->seq = i;
		m->msg.fn = on_fanin;
		ev_thread_send(&g_fanin->ts->thr[1], &m->msg);
	}
	return NULL;
}

static void fail_timeout(struct evloop *loop, void *arg)
{
	(void)loop;
	(void)arg;
	fail_msg("timed out waiting for the messages");
}

static void test_many_senders(void **state)
{
	struct fanin *f = calloc(1, sizeof(*f));
	pthread_t tid[SENDERS];

	(void)state;
	assert_non_null(f);
	g_fanin = f;
	f->ts = ev_threads_create(2);
	assert_non_null(f->ts);
	assert_ptr_equal(ev_thread_current(), &f->ts->thr[0]);
	assert_int_equal(ev_threads_start(f->ts), 0);
	for (int s = 0; s < SENDERS; s++) {
		f->sender_ids[s] = s;
		assert_int_equal(pthread_create(&tid[s], NULL, sender_main, &f->sender_ids[s]), 0);
	}
	assert_true(evloop_add_timer(f->ts->thr[0].loop, 60000, fail_timeout, NULL) > 0);
	assert_int_equal(evloop_run(f->ts->thr[0].loop), 0);
	for (int s = 0; s < SENDERS; s++)
		pthread_join(tid[s], NULL);
	ev_threads_stop(f->ts);
	/* The receiver's counters are safe to read: the join ordered them. */
	assert_int_equal(f->received, TOTAL);
	assert_int_equal(f->out_of_order, 0);
	assert_int_equal(f->wrong_thread, 0);
	for (int s = 0; s < SENDERS; s++)
		assert_int_equal(f->next_seq[s], PER_SENDER);
	ev_threads_destroy(f->ts);
	free(f);
}

/* ---- a message bounced between two threads ---- */

enum { BOUNCES = 10000 };

struct pingpong {
	struct ev_threads *ts;
	struct ev_msg ball, done_msg;
	int hits[3];		/* per thread; each written only by its thread */
	int left;		/* moves with the ball */
};

static struct pingpong *g_pp;

static void pp_done(struct ev_msg *msg)
{
	(void)msg;
	evloop_stop(g_pp->ts->thr[0].loop);
}

static void pp_hit(struct ev_msg *msg)
{
	struct ev_thread *self = ev_thread_current();

	g_pp->hits[self->index]++;
	if (--g_pp->left == 0) {
		g_pp->done_msg.fn = pp_done;
		ev_thread_send(&g_pp->ts->thr[0], &g_pp->done_msg);
		return;
	}
	ev_thread_send(&g_pp->ts->thr[self->index == 1 ? 2 : 1], msg);
}

static void test_ping_pong(void **state)
{
	struct pingpong pp = { .left = BOUNCES };

	(void)state;
	g_pp = &pp;
	pp.ts = ev_threads_create(3);
	assert_non_null(pp.ts);
	assert_int_equal(ev_threads_start(pp.ts), 0);
	pp.ball.fn = pp_hit;
	ev_thread_send(&pp.ts->thr[1], &pp.ball);
	assert_true(evloop_add_timer(pp.ts->thr[0].loop, 60000, fail_timeout, NULL) > 0);
	assert_int_equal(evloop_run(pp.ts->thr[0].loop), 0);
	ev_threads_stop(pp.ts);
	assert_int_equal(pp.hits[0], 0);
	assert_int_equal(pp.hits[1], BOUNCES / 2);
	assert_int_equal(pp.hits[2], BOUNCES / 2);
	ev_threads_destroy(pp.ts);
}

/* ---- stop runs what was sent before it ---- */

static int stop_count;

static void count_one(struct ev_msg *msg)
{
	(void)msg;
	stop_count++;
}

static void test_stop_drains(void **state)
{
	struct ev_threads *ts = ev_threads_create(2);
	struct ev_msg m[100];

	(void)state;
	assert_non_null(ts);
	assert_int_equal(ev_threads_start(ts), 0);
	stop_count = 0;
	for (int i = 0; i < 100; i++) {
		m[i].fn = count_one;
		ev_thread_send(&ts->thr[1], &m[i]);
	}
	ev_threads_stop(ts);
	assert_int_equal(stop_count, 100);
	/* Thread 1 stopped; a message sent now runs at destroy, on this thread. */
	m[0].fn = count_one;
	ev_thread_send(&ts->thr[1], &m[0]);
	ev_threads_destroy(ts);
	assert_int_equal(stop_count, 101);
	assert_null(ev_thread_current());
}

static void test_bad_counts(void **state)
{
	(void)state;
	assert_null(ev_threads_create(0));
	assert_null(ev_threads_create(EV_THREADS_MAX + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mpsc_fifo),
		cmocka_unit_test(test_many_senders),
		cmocka_unit_test(test_ping_pong),
		cmocka_unit_test(test_stop_drains),
		cmocka_unit_test(test_bad_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
