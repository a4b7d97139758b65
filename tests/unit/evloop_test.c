/* SPDX-License-Identifier: Apache-2.0 */
/* Event loop: timers fire in order, fd events, deletion inside callbacks, hooks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "event/evloop.h"

static int order[8];
static int norder;

static void record(struct evloop *loop, void *arg)
{
	(void)loop;
	order[norder++] = (int)(intptr_t)arg;
}

static void stop(struct evloop *loop, void *arg)
{
	(void)arg;
	evloop_stop(loop);
}

static void test_timers_fire_in_order_and_cancel(void **state)
{
	struct evloop *loop = evloop_create();
	uint64_t cancelled;

	(void)state;
	norder = 0;
	evloop_add_timer(loop, 30, record, (void *)3);
	evloop_add_timer(loop, 10, record, (void *)1);
	cancelled = evloop_add_timer(loop, 15, record, (void *)9);
	evloop_add_timer(loop, 20, record, (void *)2);
	evloop_add_timer(loop, 40, stop, NULL);
	evloop_del_timer(loop, cancelled);
	assert_int_equal(evloop_run(loop), 0);
	assert_int_equal(norder, 3);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 3);
	evloop_destroy(loop);
}

struct pipes {
	int a[2], b[2];
	int a_calls, b_calls;
};

/* Reading a deletes b: b's event from the same epoll batch must not be delivered. */
static void on_a(struct evloop *loop, int fd, unsigned ev, void *arg)
{
	struct pipes *p = arg;
	char c;

	(void)ev;
	p->a_calls++;
	assert_int_equal(read(fd, &c, 1), 1);
	evloop_del_fd(loop, p->b[0]);
	evloop_stop(loop);
}

static void on_b(struct evloop *loop, int fd, unsigned ev, void *arg)
{
	struct pipes *p = arg;
	char c;

	(void)ev;
	p->b_calls++;
	assert_int_equal(read(fd, &c, 1), 1);
	evloop_del_fd(loop, p->a[0]);
	evloop_stop(loop);
}

static void test_delete_inside_callback(void **state)
{
	struct evloop *loop = evloop_create();
	struct pipes p = { 0 };

	(void)state;
	assert_int_equal(pipe(p.a), 0);
	assert_int_equal(pipe(p.b), 0);
	assert_int_equal(evloop_add_fd(loop, p.a[0], EV_READ, on_a, &p), 0);
	assert_int_equal(evloop_add_fd(loop, p.b[0], EV_READ, on_b, &p), 0);
	assert_int_equal(write(p.a[1], "x", 1), 1);
	assert_int_equal(write(p.b[1], "y", 1), 1);
	assert_int_equal(evloop_run(loop), 0);
	/* Whichever ran first removed the other: exactly one callback. */
	assert_int_equal(p.a_calls + p.b_calls, 1);
	for (int i = 0; i < 2; i++) {
		close(p.a[i]);
		close(p.b[i]);
	}
	evloop_destroy(loop);
}

static int hook_calls;

static int stopping_hook(struct evloop *loop, void *arg)
{
	(void)arg;
	if (++hook_calls == 3)
		evloop_stop(loop);
	return 1;	/* busy: the loop must not sleep */
}

static void test_busy_hook_and_stop_from_hook(void **state)
{
	struct evloop *loop = evloop_create();

	(void)state;
	hook_calls = 0;
	assert_int_equal(evloop_add_hook(loop, stopping_hook, NULL), 0);
	/* No fds and no timers: only the hook can end this run. */
	assert_int_equal(evloop_run(loop), 0);
	assert_int_equal(hook_calls, 3);
	evloop_destroy(loop);
}

static void test_mod_and_errors(void **state)
{
	struct evloop *loop = evloop_create();
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_true(evloop_mod_fd(loop, p[0], EV_READ) < 0);	/* not registered */
	assert_true(evloop_add_fd(loop, -1, EV_READ, on_a, NULL) < 0);
	assert_int_equal(evloop_add_fd(loop, p[1], EV_WRITE, on_a, NULL), 0);
	assert_int_equal(evloop_mod_fd(loop, p[1], 0), 0);
	evloop_del_fd(loop, p[1]);
	evloop_del_fd(loop, p[1]);	/* twice is harmless */
	close(p[0]);
	close(p[1]);
	evloop_destroy(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_order_and_cancel),
		cmocka_unit_test(test_delete_inside_callback),
		cmocka_unit_test(test_busy_hook_and_stop_from_hook),
		cmocka_unit_test(test_mod_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
