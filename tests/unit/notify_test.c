/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the sd_notify client (daemon/notify.c): the address made
 * of $NOTIFY_SOCKET (paths, abstract names, lengths, what is refused) and
 * what reaches a datagram socket bound there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/notify.h"

static void test_path(void **state)
{
	struct sockaddr_un sa;
	socklen_t len;

	(void)state;
	assert_int_equal(notify_addr("/run/systemd/notify", &sa, &len), 0);
	assert_int_equal(sa.sun_family, AF_UNIX);
	assert_string_equal(sa.sun_path, "/run/systemd/notify");
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 20);
}

static void test_abstract(void **state)
{
	struct sockaddr_un sa;
	socklen_t len;

	(void)state;
	assert_int_equal(notify_addr("@ctgt/n", &sa, &len), 0);
	assert_int_equal(sa.sun_path[0], '\0');
	assert_memory_equal(sa.sun_path + 1, "ctgt/n", 6);
	/* No terminator: it would be part of the name. */
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 7);
}

static void test_lengths(void **state)
{
	struct sockaddr_un sa;
	socklen_t len;
	char v[sizeof(sa.sun_path) + 2];

	(void)state;
	/* A path fills sun_path with its NUL: 107 bytes fit, 108 do not. */
	memset(v, 'a', sizeof(v));
	v[0] = '/';
	v[sizeof(sa.sun_path) - 1] = '\0';
	assert_int_equal(notify_addr(v, &sa, &len), 0);
	v[sizeof(sa.sun_path) - 1] = 'a';
	v[sizeof(sa.sun_path)] = '\0';
	assert_int_equal(notify_addr(v, &sa, &len), -ENAMETOOLONG);
	/* An abstract name needs no NUL: '@' + 107 bytes fit, + 108 do not. */
	v[0] = '@';
	assert_int_equal(notify_addr(v, &sa, &len), 0);
	assert_int_equal(len, sizeof(struct sockaddr_un));
	v[sizeof(sa.sun_path)] = 'a';
	v[sizeof(sa.sun_path) + 1] = '\0';
	assert_int_equal(notify_addr(v, &sa, &len), -ENAMETOOLONG);
}

static void test_refused(void **state)
{
	struct sockaddr_un sa;
	socklen_t len;

	(void)state;
	assert_int_equal(notify_addr(NULL, &sa, &len), -EINVAL);
	assert_int_equal(notify_addr("", &sa, &len), -EINVAL);
	assert_int_equal(notify_addr("@", &sa, &len), -EINVAL);
	assert_int_equal(notify_addr("/", &sa, &len), -EINVAL);
	assert_int_equal(notify_addr("run/notify", &sa, &len), -EINVAL);
	assert_int_equal(notify_addr("vsock:2:1234", &sa, &len), -EINVAL);
}

/* A datagram socket bound at the address of @value; returns its fd. */
static int listener(const char *value)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	assert_int_equal(notify_addr(value, &sa, &len), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	return fd;
}

static void expect_msg(int fd, const char *prefix)
{
	char m[NOTIFY_MAX + 1];
	ssize_t n = recv(fd, m, sizeof(m) - 1, 0);

	assert_true(n > 0);
	m[n] = '\0';
	assert_memory_equal(m, prefix, strlen(prefix));
}

static void test_send(void **state)
{
	char path[] = "/tmp/ctgt-notify.XXXXXX", name[64];
	int fd;

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_ready("x"), 0);	/* no manager: nothing */
	assert_non_null(mkdtemp(path));
	snprintf(name, sizeof(name), "%s/n", path);
	fd = listener(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(notify_ready("serving"), 1);
	expect_msg(fd, "READY=1\nSTATUS=serving\nMAINPID=");
	assert_int_equal(notify_stopping("signal 15"), 1);
	expect_msg(fd, "STOPPING=1\nSTATUS=stopping (signal 15)");
	assert_int_equal(notify_reloading(), 1);
	expect_msg(fd, "RELOADING=1\nMONOTONIC_USEC=");
	close(fd);
	unlink(name);
	rmdir(path);
	/* Nobody listens any more: an error, not a hang or a crash. */
	assert_true(notify_ready("x") < 0);

	snprintf(name, sizeof(name), "@ctgt-notify-test-%ld", (long)getpid());
	fd = listener(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(notify_stopping("x"), 1);
	expect_msg(fd, "STOPPING=1\n");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_abstract),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
