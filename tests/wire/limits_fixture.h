/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the resource-limit wire tests (limits_test.c, limits_wait_test.c)
 * share: the daemon's port, target and pid from the command line, a login
 * on a socket, a TEST UNIT READY that must pass, the daemon's CPU time
 * from /proc/PID/stat, a SCSI Command BHS. Include after cmocka.h.
 */
#ifndef CTGT_TESTS_WIRE_LIMITS_FIXTURE_H
#define CTGT_TESTS_WIRE_LIMITS_FIXTURE_H

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iscsi/pdu.h"
#include "tests/wire/client.h"
#include "tests/wire/session.h"

#define INITIATOR "iqn.2026-11.io.ctgt.test:limits"
#define MiB (1024u * 1024u)

/* From the command line (main): one program, one daemon. */
static int g_port;
static const char *g_target;
static int g_pid;

static inline void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Send a leading login on @fd; returns the Login Response's class << 8 | detail. */
static inline int login_on(int fd, uint8_t isid_last, struct rx *rsp)
{
	char keys[1024];
	uint8_t bhs[ISCSI_BHS_LEN];
	size_t len = login_keys(keys, sizeof(keys), INITIATOR, g_target, NULL);

	login_bhs(bhs, LOGIN_TO_FFP, isid_last);
	send_pdu(fd, bhs, keys, (uint32_t)len);
	if (recv_pdu(fd, rsp) < 0)
		return -1;
	assert_int_equal(bhs_opcode(rsp->bhs), ISCSI_OP_LOGIN_RSP);
	return rsp->bhs[BHS_LOGIN_STATUS_CLASS] << 8 | rsp->bhs[BHS_LOGIN_STATUS_DETAIL];
}

/* Log in over @fd from wherever it is connected; a working session in @s. */
static inline void sess_on(struct sess *s, int fd, uint8_t isid_last)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(login_on(fd, isid_last, &s->login_rsp), 0);
	sess_accept(s, fd);
	sess_clear_ua(s, 0);
}

static inline void tur_ok(struct sess *s)
{
	static const uint8_t tur[16];

	assert_int_equal(sess_run(s, 0, tur, NULL, 0, NULL, 0, NULL), STATUS_GOOD);
}

/* The connection is closed by the target without a PDU, within 2 s. */
static inline void assert_closed_at_once(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t b;

	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_true(read(fd, &b, 1) <= 0);
}

/* CPU time the daemon (g_pid) has used, in clock ticks (100 a second). */
static inline long cpu_ticks(void)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/stat", g_pid);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	p = strrchr(buf, ')');
	assert_non_null(p);
	/* After "pid (comm)": state is field 3, utime 14 and stime 15. */
	assert_int_equal(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				&ut, &st), 2);
	return (long)(ut + st);
}

/* CPU ticks the daemon uses while we sleep @ms milliseconds. */
static inline long cpu_ticks_during(unsigned ms)
{
	long t0 = cpu_ticks();

	sleep_ms(ms);
	return cpu_ticks() - t0;
}

static inline void cmd_bhs(uint8_t bhs[ISCSI_BHS_LEN], struct sess *s, uint8_t flags, uint32_t edtl,
		    const uint8_t cdb[16])
{
	memset(bhs, 0, ISCSI_BHS_LEN);
	bhs[BHS_OPCODE] = ISCSI_OP_SCSI_CMD;
	bhs[BHS_FLAGS] = flags;
	bhs_set_u32(bhs, BHS_ITT, s->next_itt++);
	bhs_set_u32(bhs, BHS_CMD_EDTL, edtl);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn++);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
	memcpy(bhs + BHS_CMD_CDB, cdb, 16);
}

#endif
