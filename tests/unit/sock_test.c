/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the socket helpers (util/sock.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/sock.h"

/* A blocking socket whose peer does not read: sock_send_nowait() takes
 * what fits and returns, never waits; once the peer is gone, EPIPE (and
 * no SIGPIPE, which would end the test). */
static void test_nowait_full_then_closed(void **state)
{
	static char chunk[65536];
	int sv[2];
	size_t total = 0;
	ssize_t n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(chunk, 'x', sizeof(chunk));
	while ((n = sock_send_nowait(sv[0], chunk, sizeof(chunk))) == (ssize_t)sizeof(chunk))
		total += (size_t)n;
	assert_true(n >= 0 && n < (ssize_t)sizeof(chunk));
	assert_true(total > 0);
	assert_int_equal(sock_send_nowait(sv[0], chunk, 1), 0);	/* full: nothing, no wait */
	close(sv[1]);
	errno = 0;
	assert_int_equal(sock_send_nowait(sv[0], chunk, 1), -1);
	assert_int_equal(errno, EPIPE);
	close(sv[0]);
}

static void test_send_all(void **state)
{
	char got[6] = { 0 };
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_true(sock_send_all(sv[0], "hello", 5));
	assert_int_equal(recv(sv[1], got, 5, 0), 5);
	assert_string_equal(got, "hello");
	close(sv[1]);
	assert_false(sock_send_all(sv[0], "x", 1));
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nowait_full_then_closed),
		cmocka_unit_test(test_send_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
