/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the control socket's admission rule and the peer
 * credentials it is applied to (daemon/control_peer.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <grp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/control_peer.h"

static void test_root_and_primary(void **state)
{
	(void)state;
	assert_true(control_admit(0, 1234, NULL, 0, 50));	/* root, any group */
	assert_true(control_admit(1000, 50, NULL, 0, 50));	/* primary group */
	assert_false(control_admit(1000, 1000, NULL, 0, 50));
}

static void test_supplementary(void **state)
{
	gid_t groups[] = { 7, 500, 5000, 50000 };

	(void)state;
	assert_true(control_admit(1000, 1000, groups, 4, 50000));	/* the last one */
	assert_true(control_admit(1000, 1000, groups, 4, 7));
	/* 5 and 500 are the leading digits of 5000 and 50000: no match. */
	assert_false(control_admit(1000, 1000, groups, 4, 5));
	assert_false(control_admit(1000, 1000, groups, 3, 50000));	/* n counts */
}

/* The credentials of our own end of a socketpair: the process's. */
static void test_read_own(void **state)
{
	struct peer_creds pc;
	gid_t mine[256];
	int sv[2], n = getgroups(256, mine);

	(void)state;
	assert_true(n >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(peer_creds_read(sv[0], &pc), 0);
	assert_int_equal(pc.pid, getpid());
	assert_int_equal(pc.uid, getuid());
	assert_int_equal(pc.gid, getgid());
	assert_int_equal(pc.ngroups, (size_t)n);
	for (int k = 0; k < n; k++)
		assert_int_equal(pc.groups[k], mine[k]);
	peer_creds_free(&pc);
	close(sv[0]);
	close(sv[1]);
}

/* More groups than the first buffer holds, of 7 digits each (the old
 * /proc parser read 4096 characters of them and took a gid cut at the
 * end as its leading digits): all are read, and a prefix of one does not
 * admit. In a child, as root (setgroups). */
static void test_many_groups(void **state)
{
	enum { N = 1000 };
	pid_t child;
	int st;

	(void)state;
	if (geteuid() != 0)
		skip();
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		static gid_t g[N];
		struct peer_creds pc;
		int sv[2], ok;

		for (int k = 0; k < N; k++)
			g[k] = 1000000 + (gid_t)k * 7;
		if (setgroups(N, g) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
		    peer_creds_read(sv[0], &pc) < 0)
			_exit(2);
		ok = pc.ngroups == N && pc.groups[N - 1] == g[N - 1] &&
		     control_admit(65534, 65534, pc.groups, pc.ngroups, g[N - 1]) &&
		     !control_admit(65534, 65534, pc.groups, pc.ngroups, g[N - 1] / 10);
		peer_creds_free(&pc);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_and_primary),
		cmocka_unit_test(test_supplementary),
		cmocka_unit_test(test_read_own),
		cmocka_unit_test(test_many_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
