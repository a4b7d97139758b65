/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A SCSI probe that keeps one session open while a test changes the
 * target under it (tests/integration/live_lun.sh): it logs in, clears the
 * unit attentions of the LUNs given, then reads one command per line on
 * stdin and prints one line per answer on stdout:
 *
 *   tur N      "good", or "check K/ASCQ" (sense key, ASC and ASCQ in hex:
 *              "check 6/3f0e"), or "status 0xNN"
 *   luns       "luns 0 1 ..." (REPORT LUNS)
 *   cap N      "cap BLOCKS BLOCK_SIZE" (READ CAPACITY(16)) or as tur
 *   sanitize N SANITIZE OVERWRITE of LUN N, one pass, IMMED: as tur
 *   async      waits (5 s) for the next PDU: "async EVENT PARAM3" for an
 *              Async Message (its StatSN checked), "pdu 0xOP" for another,
 *              "none" when nothing came
 *   logout     Logout (close the session): "logout RESPONSE"
 *   closed     "closed" once the target closes the connection (within 5 s
 *              after the PDUs left are read), else "open"
 *   quit       (or end of input) ends
 *
 * Usage: probe PORT TARGET_IQN [LUN...]
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

static int g_port;
static const char *g_target;
static char **g_luns;
static int g_nluns;

/* The status line of a command that did not end GOOD. */
static void print_status(uint8_t st, const uint8_t *sense)
{
	if (st == STATUS_CHECK)
		printf("check %x/%02x%02x\n", sense[2] & 0x0f, sense[12], sense[13]);
	else
		printf("status 0x%02x\n", st);
}

static void tur(struct sess *s, uint8_t lun)
{
	static const uint8_t cdb[16];
	uint8_t sense[SENSE_MAX] = { 0 }, st = sess_run(s, lun, cdb, NULL, 0, NULL, 0, sense);

	if (st == STATUS_GOOD)
		printf("good\n");
	else
		print_status(st, sense);
}

static void luns(struct sess *s)
{
	uint8_t cdb[16] = { 0xa0 }, buf[8 + 8 * 256] = { 0 }, sense[SENSE_MAX] = { 0 }, st;
	uint32_t n;

	put_be32(&cdb[6], sizeof(buf));
	st = sess_run(s, 0, cdb, NULL, 0, buf, sizeof(buf), sense);
	if (st != STATUS_GOOD) {
		print_status(st, sense);
		return;
	}
	n = get_be32(&buf[0]) / 8;
	printf("luns");
	for (uint32_t i = 0; i < n && i < 256; i++)
		printf(" %u", buf[8 + 8 * i + 1]);	/* peripheral addressing */
	printf("\n");
}

static void cap(struct sess *s, uint8_t lun)
{
	uint8_t cdb[16] = { 0x9e, 0x10 }, buf[32] = { 0 }, sense[SENSE_MAX] = { 0 }, st;

	put_be32(&cdb[10], sizeof(buf));
	st = sess_run(s, lun, cdb, NULL, 0, buf, sizeof(buf), sense);
	if (st != STATUS_GOOD)
		print_status(st, sense);
	else
		printf("cap %llu %u\n", (unsigned long long)get_be64(&buf[0]) + 1,
		       get_be32(&buf[8]));
}

static void sanitize(struct sess *s, uint8_t lun)
{
	uint8_t cdb[16] = { 0x48, 0x80 | 0x01 }, p[8] = { 0x01, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef };
	uint8_t sense[SENSE_MAX] = { 0 }, st;

	put_be16(&cdb[7], sizeof(p));
	st = sess_run(s, lun, cdb, p, sizeof(p), NULL, 0, sense);
	if (st == STATUS_GOOD)
		printf("good\n");
	else
		print_status(st, sense);
}

static void async_msg(struct sess *s)
{
	struct rx rx = { 0 };

	if (recv_pdu(s->fd, &rx) < 0) {
		printf("none\n");
		return;
	}
	if (bhs_opcode(rx.bhs) == ISCSI_OP_ASYNC_MSG) {
		sess_check_sn(s, rx.bhs);
		assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), 0xffffffffu);
		printf("async %u %u\n", rx.bhs[BHS_ASYNC_EVENT], get_be16(rx.bhs + BHS_ASYNC_PARAM3));
	} else {
		printf("pdu 0x%02x\n", bhs_opcode(rx.bhs));
	}
	rx_free(&rx);
}

static void logout(struct sess *s)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };
	struct rx rx = { 0 };

	bhs[BHS_OPCODE] = ISCSI_OP_LOGOUT_REQ | 0x40;	/* immediate */
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;		/* reason 0: close the session */
	bhs_set_u32(bhs, BHS_ITT, 0x10600d);
	bhs_set_u32(bhs, BHS_CMDSN, *sess_cmdsn(s));
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
	send_pdu(s->fd, bhs, NULL, 0);
	expect_pdu(s->fd, &rx, ISCSI_OP_LOGOUT_RSP);
	printf("logout %u\n", rx.bhs[BHS_RSP_RESPONSE]);
	rx_free(&rx);
}

static void run(void **state)
{
	char line[64];
	struct sess s;
	unsigned n;

	(void)state;
	sess_login(&s, g_port, 0x51, "iqn.2026-12.io.ctgt.test:probe", g_target, NULL);
	for (int k = 0; k < g_nluns; k++)
		sess_clear_ua(&s, (uint8_t)atoi(g_luns[k]));
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin) != NULL && strncmp(line, "quit", 4) != 0) {
		if (sscanf(line, "tur %u", &n) == 1 && n < 256)
			tur(&s, (uint8_t)n);
		else if (sscanf(line, "cap %u", &n) == 1 && n < 256)
			cap(&s, (uint8_t)n);
		else if (sscanf(line, "sanitize %u", &n) == 1 && n < 256)
			sanitize(&s, (uint8_t)n);
		else if (strncmp(line, "luns", 4) == 0)
			luns(&s);
		else if (strncmp(line, "async", 5) == 0)
			async_msg(&s);
		else if (strncmp(line, "logout", 6) == 0)
			logout(&s);
		else if (strncmp(line, "closed", 6) == 0)
			printf(wait_closed(s.fd) ? "closed\n" : "open\n");
		else
			printf("unknown command\n");
		fflush(stdout);
	}
	sess_close(&s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(run) };

	if (argc < 3) {
		fprintf(stderr, "usage: probe PORT TARGET_IQN [LUN...]\n");
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	g_luns = argv + 3;
	g_nluns = argc - 3;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
