/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A one-shot PERSISTENT RESERVE client for tests/integration/pr_aptpl.sh:
 * each run logs in as the same initiator port (same name, same ISID), so
 * registrations made by one run apply to the next, sends one service
 * action and prints what it got.
 *
 * Usage: pr_client PORT TARGET_IQN [lun N] [isid N] ACTION [ARGS]
 *   lun N      the LUN (default 0); isid N: the last ISID byte (default 0x42),
 *              another initiator port of the same initiator
 *   register KEY APTPL        REGISTER AND IGNORE EXISTING KEY (APTPL 0|1)
 *   reserve KEY TYPE          PERSISTENT RESERVE OUT RESERVE
 *   show                      prints "keys GEN K1 K2..." (READ KEYS) and
 *                             "reservation KEY TYPE" or "reservation none"
 * Keys are hexadecimal. Exit status 0 when every command ended GOOD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iscsi/pdu.h"
#include "tests/wire/session.h"

#define INITIATOR	"iqn.2026-11.io.ctgt:pr-client"
#define ISID_LAST	0x42

static int g_port;
static const char *g_target;
static char **g_args;
static int g_nargs;
static uint8_t g_lun;
static uint8_t g_isid = ISID_LAST;

/* Returns the command's status (printed when not GOOD): the caller closes
 * the session before it fails, so a refused command leaks nothing. */
static int prout(struct sess *s, uint8_t sa, uint8_t type, uint64_t key, uint64_t sark,
		 bool aptpl)
{
	uint8_t cdb[16] = { 0x5f, sa, type }, p[24] = { 0 };

	put_be32(&cdb[5], sizeof(p));
	put_be64(&p[0], key);
	put_be64(&p[8], sark);
	int st;

	p[20] = aptpl ? 0x01 : 0;
	st = sess_run(s, g_lun, cdb, p, sizeof(p), NULL, 0, NULL);
	if (st != STATUS_GOOD)
		printf("status 0x%02x\n", st);
	return st;
}

static void show(struct sess *s)
{
	uint8_t cdb[16] = { 0x5e, 0x00 }, buf[1024];
	uint32_t n;

	put_be16(&cdb[7], sizeof(buf));
	assert_int_equal(sess_run(s, g_lun, cdb, NULL, 0, buf, sizeof(buf), NULL), STATUS_GOOD);
	n = get_be32(&buf[4]) / 8;
	printf("keys %u", get_be32(&buf[0]));
	for (uint32_t i = 0; i < n && 8 + 8 * i + 8 <= sizeof(buf); i++)
		printf(" %llx", (unsigned long long)get_be64(&buf[8 + 8 * i]));
	printf("\n");
	cdb[1] = 0x01;	/* READ RESERVATION */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(sess_run(s, g_lun, cdb, NULL, 0, buf, sizeof(buf), NULL), STATUS_GOOD);
	if (get_be32(&buf[4]) == 0)
		printf("reservation none\n");
	else
		printf("reservation %llx %u\n", (unsigned long long)get_be64(&buf[8]), buf[21] & 0x0f);
}

static void run(void **state)
{
	struct sess s;
	const char *act = g_args[0];
	int st = STATUS_GOOD;

	(void)state;
	sess_login(&s, g_port, g_isid, INITIATOR, g_target, "ImmediateData=Yes", NULL);
	sess_clear_ua(&s, g_lun);
	if (strcmp(act, "register") == 0 && g_nargs == 3)
		st = prout(&s, 0x06, 0, 0, strtoull(g_args[1], NULL, 16), atoi(g_args[2]) != 0);
	else if (strcmp(act, "reserve") == 0 && g_nargs == 3)
		st = prout(&s, 0x01, (uint8_t)atoi(g_args[2]), strtoull(g_args[1], NULL, 16), 0,
			   false);
	else if (strcmp(act, "show") == 0)
		show(&s);
	else
		fail_msg("unknown action %s", act);
	fflush(stdout);
	sess_close(&s);
	assert_int_equal(st, STATUS_GOOD);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(run) };

	if (argc < 4) {
		fprintf(stderr, "usage: pr_client PORT TARGET_IQN [lun N] [isid N] register KEY APTPL | "
				"reserve KEY TYPE | show\n");
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	g_args = argv + 3;
	g_nargs = argc - 3;
	while (g_nargs >= 3 && (strcmp(g_args[0], "lun") == 0 || strcmp(g_args[0], "isid") == 0)) {
		if (g_args[0][0] == 'l')
			g_lun = (uint8_t)atoi(g_args[1]);
		else
			g_isid = (uint8_t)strtoul(g_args[1], NULL, 0);
		g_args += 2;
		g_nargs -= 2;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
