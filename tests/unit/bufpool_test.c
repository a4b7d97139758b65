/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the per-thread buffer cache (util/bufpool.c): size classes,
 * reuse, the byte limit, the trim of what a period did not need, and
 * requests above the largest class.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/bufpool.h"

static void test_classes(void **state)
{
	(void)state;
	assert_int_equal(bufpool_size(1), 512);
	assert_int_equal(bufpool_size(512), 512);
	assert_int_equal(bufpool_size(513), 1024);
	assert_int_equal(bufpool_size(4096), 4096);
	assert_int_equal(bufpool_size(4097), 8192);
	assert_int_equal(bufpool_size(1u << 20), 1u << 20);
	assert_int_equal(bufpool_size(BUFPOOL_MAX), BUFPOOL_MAX);
	/* beyond the largest class: exactly what was asked */
	assert_int_equal(bufpool_size(BUFPOOL_MAX + 1), BUFPOOL_MAX + 1);
}

/* A buffer given back is the next one handed out for any size of its
 * class, and the whole class is usable. */
static void test_reuse(void **state)
{
	struct bufpool p;
	uint8_t *a, *b;

	(void)state;
	bufpool_init(&p, 1u << 20);
	a = bufpool_get(&p, 3000);
	assert_non_null(a);
	memset(a, 0x5a, 4096);			/* the class is 4 KiB */
	assert_int_equal(p.misses, 1);
	bufpool_put(&p, a, 3000);
	assert_int_equal(p.cached, 4096);
	b = bufpool_get(&p, 4096);
	assert_ptr_equal(a, b);
	assert_int_equal(p.hits, 1);
	assert_int_equal(p.cached, 0);
	/* another class does not take it */
	bufpool_put(&p, b, 4096);
	b = bufpool_get(&p, 8192);
	assert_ptr_not_equal(a, b);
	assert_int_equal(p.misses, 2);
	bufpool_put(&p, b, 8192);
	bufpool_destroy(&p);
	assert_int_equal(p.cached, 0);
}

/* The pool never holds more than its limit: the rest is freed. */
static void test_limit(void **state)
{
	struct bufpool p;
	void *v[8];

	(void)state;
	bufpool_init(&p, 3 * 65536);
	for (int i = 0; i < 8; i++)
		v[i] = bufpool_get(&p, 65536);
	for (int i = 0; i < 8; i++)
		bufpool_put(&p, v[i], 65536);
	assert_int_equal(p.cached, 3 * 65536);
	assert_int_equal(p.cls[16 - BUFPOOL_MIN_SHIFT].count, 3);
	bufpool_destroy(&p);

	/* limit 0: a pass-through */
	bufpool_init(&p, 0);
	v[0] = bufpool_get(&p, 100);
	bufpool_put(&p, v[0], 100);
	assert_int_equal(p.cached, 0);
	bufpool_destroy(&p);
}

/* A trim frees the buffers that stayed on a list since the previous trim:
 * the ones in use in between come back and are kept for one period more. */
static void test_trim(void **state)
{
	struct bufpool p;
	void *v[4];

	(void)state;
	bufpool_init(&p, 1u << 20);
	for (int i = 0; i < 4; i++)
		v[i] = bufpool_get(&p, 1024);
	for (int i = 0; i < 4; i++)
		bufpool_put(&p, v[i], 1024);
	bufpool_trim(&p);		/* none was below 0 on the list: nothing idle before */
	assert_int_equal(p.cls[1].count, 4);
	/* one period using two of the four */
	v[0] = bufpool_get(&p, 1024);
	v[1] = bufpool_get(&p, 1024);
	bufpool_put(&p, v[0], 1024);
	bufpool_put(&p, v[1], 1024);
	bufpool_trim(&p);		/* two never left the list: freed */
	assert_int_equal(p.cls[1].count, 2);
	assert_int_equal(p.cached, 2 * 1024);
	bufpool_trim(&p);		/* a period without any get: all go */
	assert_int_equal(p.cls[1].count, 0);
	assert_int_equal(p.cached, 0);
	bufpool_destroy(&p);
}

/* Beyond the largest class, and without a pool: plain malloc and free. */
static void test_passthrough(void **state)
{
	struct bufpool p;
	uint8_t *big, *plain;

	(void)state;
	bufpool_init(&p, (size_t)1 << 30);
	big = bufpool_get(&p, BUFPOOL_MAX + 1);
	assert_non_null(big);
	big[BUFPOOL_MAX] = 1;
	bufpool_put(&p, big, BUFPOOL_MAX + 1);
	assert_int_equal(p.cached, 0);
	plain = bufpool_get(NULL, 10);
	assert_non_null(plain);
	bufpool_put(NULL, plain, 10);
	bufpool_put(&p, NULL, 10);	/* NULL is fine */
	bufpool_destroy(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_passthrough),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
