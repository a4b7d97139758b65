/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A one-shot PERSISTENT RESERVE client for tests/integration/pr_aptpl.sh:
 * each run logs in as the same initiator port (same name, same ISID), so
 * registrations made by one run apply to the next, sends one service
 * action and prints what it got.
 *
 * Usage: pr_client PORT TARGET_IQN ACTION [ARGS]
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
#include <unistd.h>

#include <cmocka.h>

#include "iscsi/pdu.h"
#include "tests/wire/client.h"

#define INITIATOR	"InitiatorName=iqn.2026-11.io.ctgt:pr-client"
#define ISID_LAST	0x42

static int g_port;
static const char *g_target;
static char **g_args;
static int g_nargs;

struct sess {
	int fd;
	uint32_t cmdsn, exp_statsn, itt;
};

static void login(struct sess *s)
{
	char buf[1024], tn[300];
	uint8_t bhs[ISCSI_BHS_LEN];
	struct rx rx = { 0 };
	size_t len = 0;

	s->fd = wire_connect(g_port);
	len = add_key(buf, len, sizeof(buf), INITIATOR);
	snprintf(tn, sizeof(tn), "TargetName=%s", g_target);
	len = add_key(buf, len, sizeof(buf), tn);
	len = add_key(buf, len, sizeof(buf), "SessionType=Normal");
	len = add_key(buf, len, sizeof(buf), "ImmediateData=Yes");
	login_bhs(bhs, LOGIN_TO_FFP, ISID_LAST);
	send_pdu(s->fd, bhs, buf, (uint32_t)len);
	expect_pdu(s->fd, &rx, ISCSI_OP_LOGIN_RSP);
	assert_int_equal(rx.bhs[BHS_LOGIN_STATUS_CLASS], 0);
	s->cmdsn = 1;
	s->exp_statsn = bhs_u32(rx.bhs, BHS_STATSN) + 1;
	s->itt = 1;
	rx_free(&rx);
}

/* Run @cdb (LUN 0) with @dout as immediate data or up to @in_cap bytes of
 * data-in into @in; returns the SCSI status. */
static uint8_t command(struct sess *s, const uint8_t cdb[16], const uint8_t *dout,
		      uint32_t dout_len, uint8_t *in, uint32_t in_cap)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };
	struct rx rx = { 0 };
	uint32_t itt = s->itt++;
	uint8_t status;

	bhs[BHS_OPCODE] = ISCSI_OP_SCSI_CMD;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL | 1 | (dout_len ? ISCSI_CMD_WRITE : 0) |
			 (in_cap ? ISCSI_CMD_READ : 0);
	bhs_set_u32(bhs, BHS_ITT, itt);
	bhs_set_u32(bhs, BHS_CMD_EDTL, dout_len ? dout_len : in_cap);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn++);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
	memcpy(bhs + BHS_CMD_CDB, cdb, 16);
	send_pdu(s->fd, bhs, dout, dout_len);
	for (;;) {
		assert_int_equal(recv_pdu(s->fd, &rx), 0);
		assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
		if (bhs_opcode(rx.bhs) == ISCSI_OP_DATA_IN) {
			uint32_t off = bhs_u32(rx.bhs, BHS_BUFFER_OFFSET);

			assert_true(off + rx.len <= in_cap);
			memcpy(in + off, rx.data, rx.len);
			if (!(rx.bhs[BHS_FLAGS] & 0x01))	/* S: status follows */
				continue;
		} else {
			assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_SCSI_RSP);
		}
		status = rx.bhs[BHS_RSP_STATUS];
		s->exp_statsn = bhs_u32(rx.bhs, BHS_STATSN) + 1;
		break;
	}
	rx_free(&rx);
	return status;
}

/* TEST UNIT READY until GOOD: the new nexus reports POWER ON first. */
static void clear_ua(struct sess *s)
{
	static const uint8_t tur[16];
	int i;

	for (i = 0; i < 3 && command(s, tur, NULL, 0, NULL, 0) != 0; i++)
		;
	assert_true(i < 3);
}

static void prout(struct sess *s, uint8_t sa, uint8_t type, uint64_t key, uint64_t sark,
		  bool aptpl)
{
	uint8_t cdb[16] = { 0x5f, sa, type }, p[24] = { 0 };

	put_be32(&cdb[5], sizeof(p));
	put_be64(&p[0], key);
	put_be64(&p[8], sark);
	p[20] = aptpl ? 0x01 : 0;
	assert_int_equal(command(s, cdb, p, sizeof(p), NULL, 0), 0);
}

static void show(struct sess *s)
{
	uint8_t cdb[16] = { 0x5e, 0x00 }, buf[1024];
	uint32_t n;

	put_be16(&cdb[7], sizeof(buf));
	assert_int_equal(command(s, cdb, NULL, 0, buf, sizeof(buf)), 0);
	n = get_be32(&buf[4]) / 8;
	printf("keys %u", get_be32(&buf[0]));
	for (uint32_t i = 0; i < n && 8 + 8 * i + 8 <= sizeof(buf); i++)
		printf(" %llx", (unsigned long long)get_be64(&buf[8 + 8 * i]));
	printf("\n");
	cdb[1] = 0x01;	/* READ RESERVATION */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(command(s, cdb, NULL, 0, buf, sizeof(buf)), 0);
	if (get_be32(&buf[4]) == 0)
		printf("reservation none\n");
	else
		printf("reservation %llx %u\n", (unsigned long long)get_be64(&buf[8]), buf[21] & 0x0f);
}

static void run(void **state)
{
	struct sess s;
	const char *act = g_args[0];

	(void)state;
	login(&s);
	clear_ua(&s);
	if (strcmp(act, "register") == 0 && g_nargs == 3)
		prout(&s, 0x06, 0, 0, strtoull(g_args[1], NULL, 16), atoi(g_args[2]) != 0);
	else if (strcmp(act, "reserve") == 0 && g_nargs == 3)
		prout(&s, 0x01, (uint8_t)atoi(g_args[2]), strtoull(g_args[1], NULL, 16), 0, false);
	else if (strcmp(act, "show") == 0)
		show(&s);
	else
		fail_msg("unknown action %s", act);
	fflush(stdout);
	close(s.fd);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(run) };

	if (argc < 4) {
		fprintf(stderr, "usage: pr_client PORT TARGET_IQN register KEY APTPL | "
				"reserve KEY TYPE | show\n");
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	g_args = argv + 3;
	g_nargs = argc - 3;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
