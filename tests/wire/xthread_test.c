/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wire-level tests of two sessions of one target served by different
 * network threads (--threads 2, iscsi/migrate.c and iscsi/handoff.c): the
 * first session of a target is on its home thread, the second on the other
 * one, which hands its SCSI work to home. Between the two: a persistent
 * reservation of one blocks the other's WRITE; LOGICAL UNIT RESET from
 * either aborts the other's WRITE waiting for its Data-Out and leaves its
 * unit attention; ABORT TASK on the remote session; COMPARE AND WRITE
 * (match and miscompare) from the remote session with the data written by
 * the home one; a remote connection closed with tasks waiting. On a slow
 * LU (LUN 1): SANITIZE and FORMAT UNIT from the remote session as the home
 * one sees them, and ABORT TASK, LUN RESET and a close while a remote
 * session's I/O is in the store. Which thread each session is on is
 * checked by threads.sh from the daemon's log.
 *
 * Usage: xthread_test PORT TARGET_IQN (run by tests/integration/threads.sh,
 * with no other session to the target open; LUN 1 a thin 1 MiB LU capped
 * at 1 MB/s). With a third argument "refusing", the target is one that
 * refuses target resets, and only test_reset_refused_both runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "iscsi/pdu.h"
#include "tests/wire/session.h"

#define BLOCK		512u
#define INITIATOR	"iqn.2026-12.io.ctgt:xthread-test"

enum { FN_ABORT_TASK = 1, FN_LUN_RESET = 5, FN_WARM_RESET = 6 };

static int g_port;
static const char *g_target;
static uint8_t g_isid_seq;

/* @home logs in first (the target's home thread), then @remote (the other). */
static void login_pair(struct sess *home, struct sess *remote)
{
	struct sess *s[2] = { home, remote };

	for (int i = 0; i < 2; i++) {
		sess_login(s[i], g_port, ++g_isid_seq, INITIATOR, g_target, "InitialR2T=Yes",
			   "ImmediateData=Yes", NULL);
		s[i]->min_window = 1;
		sess_clear_ua(s[i], 0);
	}
}

/* Both go; the daemon is given a moment to free them, so that the next
 * pair finds no placement left (and its first session is home's again). */
static void close_pair(struct sess *a, struct sess *b)
{
	sess_close(a);
	sess_close(b);
	usleep(200 * 1000);
}

/* A TMF request (immediate) for @lun; returns its response code. The
 * response must be the next PDU: nothing of a task it aborts comes first. */
static uint8_t tmf_lun(struct sess *s, uint8_t lun, uint8_t fn, uint32_t rtt, uint32_t refcmdsn)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	uint32_t itt = s->next_itt++;
	struct rx rx = { 0 };
	uint8_t rsp;

	sess_tmf_bhs(bhs, s, itt, fn, lun, rtt, refcmdsn);
	send_pdu(s->fd, bhs, NULL, 0);
	expect_pdu(s->fd, &rx, ISCSI_OP_TMF_RSP);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	sess_check_sn(s, rx.bhs);
	rsp = rx.bhs[BHS_RSP_RESPONSE];
	rx_free(&rx);
	return rsp;
}

static uint8_t tmf(struct sess *s, uint8_t fn, uint32_t rtt, uint32_t refcmdsn)
{
	return tmf_lun(s, 0, fn, rtt, refcmdsn);
}

/* TEST UNIT READY of @lun: 0 when GOOD, else the sense's ASC/ASCQ (the
 * whole fixed-format sense into @sense when given). */
static uint16_t tur_sense(struct sess *s, uint8_t lun, uint8_t *sense)
{
	static const uint8_t cdb[16];
	uint8_t buf[SENSE_MAX] = { 0 };

	if (!sense)
		sense = buf;
	if (sess_run(s, lun, cdb, NULL, 0, NULL, 0, sense) == STATUS_GOOD)
		return 0;
	return (uint16_t)(sense[12] << 8 | sense[13]);
}

static uint16_t tur(struct sess *s)
{
	return tur_sense(s, 0, NULL);
}

/* A WRITE(10) of 8 blocks with no immediate data: it waits for an R2T's
 * Data-Out, which the caller never sends. Returns its ITT once the R2T came. */
static uint32_t write_waiting(struct sess *s, uint32_t lba)
{
	uint8_t cdb[16];
	struct rx rx = { 0 };
	uint32_t itt;

	cdb_rw10(cdb, 0x2a, lba, 8);
	itt = sess_cmd(s, 0, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE | ATTR_SIMPLE, 8 * BLOCK, cdb,
		       NULL, 0);
	expect_pdu(s->fd, &rx, ISCSI_OP_R2T);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	rx_free(&rx);
	return itt;
}

static uint8_t write_blocks(struct sess *s, uint32_t lba, const uint8_t *data, uint16_t n,
			    uint8_t *sense)
{
	uint8_t cdb[16];

	cdb_rw10(cdb, 0x2a, lba, n);
	return sess_run(s, 0, cdb, data, n * BLOCK, NULL, 0, sense);
}

static void read_blocks(struct sess *s, uint32_t lba, uint8_t *data, uint16_t n)
{
	uint8_t cdb[16];

	cdb_rw10(cdb, 0x28, lba, n);
	assert_int_equal(sess_run(s, 0, cdb, NULL, 0, data, n * BLOCK, NULL), STATUS_GOOD);
}

/* LUN RESET from @from aborts @victim's WRITE waiting for data: no response
 * to it ever, and both get the reset's unit attention. */
static void reset_aborts_other(struct sess *from, struct sess *victim)
{
	write_waiting(victim, 64);
	assert_int_equal(tmf(from, FN_LUN_RESET, ISCSI_RSVD_TAG, 0), 0);
	assert_int_equal(tur(victim), 0x2903);	/* not the WRITE's response first */
	assert_int_equal(tur(victim), 0);
	assert_int_equal(tur(from), 0x2903);
	assert_int_equal(tur(from), 0);
}

static void test_lun_reset_both_ways(void **state)
{
	struct sess h, r;

	(void)state;
	login_pair(&h, &r);
	reset_aborts_other(&h, &r);
	reset_aborts_other(&r, &h);
	close_pair(&h, &r);
}

static void test_abort_task_remote(void **state)
{
	struct sess h, r;
	uint32_t cmdsn, itt;

	(void)state;
	login_pair(&h, &r);
	cmdsn = r.cmdsn;
	itt = write_waiting(&r, 0);
	assert_int_equal(tmf(&r, FN_ABORT_TASK, itt, cmdsn), 0);	/* function complete */
	assert_quiet(r.fd, 200);
	assert_int_equal(tur(&r), 0);
	assert_int_equal(tmf(&r, FN_ABORT_TASK, itt, cmdsn), 1);	/* gone */
	assert_int_equal(tur(&h), 0);
	close_pair(&h, &r);
}

/* PERSISTENT RESERVE OUT @sa with reservation key @key (REGISTER: the new
 * key @sakey), type WRITE EXCLUSIVE. */
static uint8_t pr_out(struct sess *s, uint8_t sa, uint64_t key, uint64_t sakey)
{
	uint8_t cdb[16] = { 0x5f, sa, 0x01 }, p[24] = { 0 };

	cdb[8] = sizeof(p);
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(key >> (56 - 8 * i));
		p[8 + i] = (uint8_t)(sakey >> (56 - 8 * i));
	}
	return sess_run(s, 0, cdb, p, sizeof(p), NULL, 0, NULL);
}

static void test_reservation_across_threads(void **state)
{
	uint8_t data[8 * BLOCK];
	struct sess h, r;

	(void)state;
	memset(data, 0x3c, sizeof(data));
	login_pair(&h, &r);
	/* The remote session holds WRITE EXCLUSIVE: the home one may not write. */
	assert_int_equal(pr_out(&r, 0x00, 0, 0xabc), STATUS_GOOD);	/* REGISTER */
	assert_int_equal(pr_out(&r, 0x01, 0xabc, 0), STATUS_GOOD);	/* RESERVE */
	assert_int_equal(write_blocks(&h, 8, data, 8, NULL), 0x18);	/* RESERVATION CONFLICT */
	assert_int_equal(write_blocks(&r, 8, data, 8, NULL), STATUS_GOOD);
	assert_int_equal(pr_out(&r, 0x02, 0xabc, 0), STATUS_GOOD);	/* RELEASE */
	assert_int_equal(write_blocks(&h, 8, data, 8, NULL), STATUS_GOOD);
	/* And the other way round. */
	assert_int_equal(pr_out(&h, 0x00, 0, 0xdef), STATUS_GOOD);
	assert_int_equal(pr_out(&h, 0x01, 0xdef, 0), STATUS_GOOD);
	assert_int_equal(write_blocks(&r, 8, data, 8, NULL), 0x18);
	/* CLEAR: every registration and the reservation go (UA 2A/03 to the others). */
	assert_int_equal(pr_out(&h, 0x03, 0xdef, 0), STATUS_GOOD);
	assert_int_equal(tur(&r), 0x2a03);
	assert_int_equal(write_blocks(&r, 8, data, 8, NULL), STATUS_GOOD);
	close_pair(&h, &r);
}

/* COMPARE AND WRITE of one block at @lba: @verify compared, @write written. */
static uint8_t caw(struct sess *s, uint32_t lba, const uint8_t *verify, const uint8_t *write,
		   uint8_t *sense)
{
	uint8_t cdb[16] = { 0x89 }, buf[2 * BLOCK];

	cdb[6] = (uint8_t)(lba >> 24);	/* an 8-byte LBA at byte 2 */
	cdb[7] = (uint8_t)(lba >> 16);
	cdb[8] = (uint8_t)(lba >> 8);
	cdb[9] = (uint8_t)lba;
	cdb[13] = 1;
	memcpy(buf, verify, BLOCK);
	memcpy(buf + BLOCK, write, BLOCK);
	return sess_run(s, 0, cdb, buf, sizeof(buf), NULL, 0, sense);
}

static void test_compare_and_write(void **state)
{
	uint8_t a[BLOCK], b[BLOCK], c[BLOCK], got[BLOCK], sense[SENSE_MAX] = { 0 };
	struct sess h, r;

	(void)state;
	memset(a, 0x11, sizeof(a));
	memset(b, 0x22, sizeof(b));
	memset(c, 0x33, sizeof(c));
	login_pair(&h, &r);
	assert_int_equal(write_blocks(&h, 100, a, 1, NULL), STATUS_GOOD);
	assert_int_equal(caw(&r, 100, a, b, NULL), STATUS_GOOD);
	read_blocks(&h, 100, got, 1);
	assert_memory_equal(got, b, BLOCK);
	/* The home session's copy is stale now: MISCOMPARE, nothing written. */
	assert_int_equal(caw(&h, 100, a, c, sense), STATUS_CHECK);
	assert_int_equal(sense[2] & 0x0f, 0x0e);
	read_blocks(&r, 100, got, 1);
	assert_memory_equal(got, b, BLOCK);
	close_pair(&h, &r);
}

/* The remote connection closes with a WRITE waiting for data and an ORDERED
 * command parked behind it: the home session is served on at once. */
static void test_remote_close_with_waiting_tasks(void **state)
{
	static const uint8_t tur_cdb[16];
	struct sess h, r;

	(void)state;
	login_pair(&h, &r);
	write_waiting(&r, 0);
	sess_cmd(&r, 0, ISCSI_FLAG_FINAL | ATTR_ORDERED, 0, tur_cdb, NULL, 0);
	sess_close(&r);
	assert_int_equal(tur(&h), 0);
	sess_close(&h);
	usleep(200 * 1000);
}

/* ---- LUN 1: a slow LU (threads.sh: thin, 1 MiB, max_bandwidth=1M), so
 * that a job or a READ stays in flight for a good part of a second ---- */

#define SLOW_LUN	1
#define SLOW_BLOCKS	2048u			/* 1 MiB */
#define SLOW_READ	1024u			/* 512 KiB: about 0.5 s in the store */

/* A pair on the slow LU, its unit attentions cleared. */
static void login_pair_slow(struct sess *h, struct sess *r)
{
	login_pair(h, r);
	sess_clear_ua(h, SLOW_LUN);
	sess_clear_ua(r, SLOW_LUN);
}

/* A READ of SLOW_READ blocks of the slow LU, sent, not waited for. */
static uint32_t slow_read_start(struct sess *s)
{
	uint8_t cdb[16];

	cdb_rw10(cdb, 0x28, 0, SLOW_READ);
	return sess_cmd(s, SLOW_LUN, ISCSI_FLAG_FINAL | ISCSI_CMD_READ | ATTR_SIMPLE,
			SLOW_READ * BLOCK, cdb, NULL, 0);
}

/* TEST UNIT READY from @s until the slow LU answers with @asc (04/xx, NOT
 * READY, the job in progress): the job was started on another thread, so
 * it reaches home in its own time. Asserts the sense: fixed format, key 2,
 * SKSV set (a progress indication follows). */
static void wait_in_progress(struct sess *s, uint16_t asc)
{
	uint8_t sense[SENSE_MAX] = { 0 };
	uint16_t got = 0;

	for (int i = 0; i < 200 && got != asc; i++) {
		got = tur_sense(s, SLOW_LUN, sense);
		if (got != asc)
			usleep(5 * 1000);
	}
	assert_int_equal(got, asc);
	assert_int_equal(sense[2] & 0x0f, 0x02);	/* NOT READY */
	assert_int_equal(sense[15] & 0x80, 0x80);	/* SKSV: progress indication */
}

/* Blocks @lba.. (@n) of the slow LU, read by @s, are all @byte. */
static void expect_blocks(struct sess *s, uint32_t lba, uint16_t n, uint8_t byte)
{
	uint8_t got[8 * BLOCK], want[8 * BLOCK], cdb[16];

	assert_true(n <= 8);
	memset(want, byte, n * BLOCK);
	cdb_rw10(cdb, 0x28, lba, n);
	assert_int_equal(sess_run(s, SLOW_LUN, cdb, NULL, 0, got, n * BLOCK, NULL), STATUS_GOOD);
	assert_memory_equal(got, want, n * BLOCK);
}

/* SANITIZE OVERWRITE (one pass of 0xa5, no IMMED) from the remote session:
 * while it runs the home session sees NOT READY, SANITIZE IN PROGRESS with
 * a progress indication; the command ends GOOD when the job has ended; then
 * every block holds the pattern. */
static void test_sanitize_remote(void **state)
{
	static const uint8_t cdb[16] = { 0x48, 0x01, [8] = 8 };
	static const uint8_t param[8] = { 0x01, 0, 0, 4, 0xa5, 0xa5, 0xa5, 0xa5 };
	struct sess h, r;
	uint32_t itt;

	(void)state;
	login_pair_slow(&h, &r);
	itt = sess_cmd(&r, SLOW_LUN, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE | ATTR_SIMPLE,
		       sizeof(param), cdb, param, sizeof(param));
	wait_in_progress(&h, 0x041b);
	assert_int_equal(sess_wait(&r, itt, NULL, 0, NULL), STATUS_GOOD);
	assert_int_equal(tur_sense(&h, SLOW_LUN, NULL), 0);
	expect_blocks(&h, 0, 8, 0xa5);
	expect_blocks(&h, SLOW_BLOCKS - 8, 8, 0xa5);
	expect_blocks(&r, SLOW_BLOCKS / 2, 8, 0xa5);
	close_pair(&h, &r);
}

/* FORMAT UNIT (no parameter list, no IMMED) from the remote session on the
 * thin LU: every block deallocated (scsi/format.c). A READ of the remote
 * session in the store when it comes keeps the job draining (lu_job.c), so
 * the home session's FORMAT IN PROGRESS is seen for sure; the READ ends
 * GOOD first, then the FORMAT UNIT; then the blocks read zeros. */
static void test_format_remote(void **state)
{
	static const uint8_t fmt[16] = { 0x04 };
	uint8_t data[8 * BLOCK];
	struct sess h, r;
	uint32_t rd, itt;
	uint8_t *buf = malloc(SLOW_READ * BLOCK);

	(void)state;
	assert_non_null(buf);
	memset(data, 0x5a, sizeof(data));
	login_pair_slow(&h, &r);
	assert_int_equal(sess_run(&h, SLOW_LUN, (uint8_t[16]){ 0x2a, 0, 0, 0, 0, 16, 0, 0, 8 },
				  data, sizeof(data), NULL, 0, NULL), STATUS_GOOD);
	expect_blocks(&r, 16, 8, 0x5a);
	rd = slow_read_start(&r);
	itt = sess_cmd(&r, SLOW_LUN, ISCSI_FLAG_FINAL | ATTR_SIMPLE, 0, fmt, NULL, 0);
	wait_in_progress(&h, 0x0404);
	assert_int_equal(sess_wait(&r, rd, buf, SLOW_READ * BLOCK, NULL), STATUS_GOOD);
	assert_int_equal(sess_wait(&r, itt, NULL, 0, NULL), STATUS_GOOD);
	assert_int_equal(tur_sense(&h, SLOW_LUN, NULL), 0);
	expect_blocks(&h, 16, 8, 0x00);
	free(buf);
	close_pair(&h, &r);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ABORT TASK of the remote session's READ while the store has it: the TMF
 * response is the next PDU (tmf_lun()), function complete, and nothing of
 * the READ follows it (RFC 7143 11.6: complete once the task is gone). The
 * response waits for the store (the READ was in flight: it ends about
 * 0.5 s after it was sent). */
static void test_abort_task_inflight_remote(void **state)
{
	struct sess h, r;
	uint32_t cmdsn, itt;
	long t0;

	(void)state;
	login_pair_slow(&h, &r);
	cmdsn = r.cmdsn;
	itt = slow_read_start(&r);
	usleep(100 * 1000);	/* in the store by now (about 0.5 s) */
	t0 = now_ms();
	assert_int_equal(tmf_lun(&r, SLOW_LUN, FN_ABORT_TASK, itt, cmdsn), 0);
	assert_true(now_ms() - t0 >= 200);
	assert_quiet(r.fd, 300);
	assert_int_equal(tur_sense(&r, SLOW_LUN, NULL), 0);
	assert_int_equal(tur_sense(&h, SLOW_LUN, NULL), 0);
	close_pair(&h, &r);
}

/* LUN RESET from @from while @victim's READ (the remote session's, or the
 * home one's) is in the store: the response, then nothing of the READ on
 * either session; both get the reset's unit attention (one, when @from is
 * @victim). */
static void reset_inflight(struct sess *from, struct sess *victim)
{
	slow_read_start(victim);
	usleep(100 * 1000);
	assert_int_equal(tmf_lun(from, SLOW_LUN, FN_LUN_RESET, ISCSI_RSVD_TAG, 0), 0);
	assert_quiet(victim->fd, 300);
	assert_int_equal(tur_sense(victim, SLOW_LUN, NULL), 0x2903);
	assert_int_equal(tur_sense(victim, SLOW_LUN, NULL), 0);
	if (from == victim)
		return;
	assert_int_equal(tur_sense(from, SLOW_LUN, NULL), 0x2903);
	assert_int_equal(tur_sense(from, SLOW_LUN, NULL), 0);
}

static void test_lun_reset_inflight(void **state)
{
	struct sess h, r;

	(void)state;
	login_pair_slow(&h, &r);
	reset_inflight(&r, &r);
	reset_inflight(&h, &r);
	reset_inflight(&r, &h);
	close_pair(&h, &r);
}

/* The remote connection closes with a READ in the store and a WRITE booked
 * behind it: the home session is served on at once, and once the store has
 * let go of both, a new pair works (the daemon freed what it had). */
static void test_remote_close_inflight(void **state)
{
	uint8_t data[8 * BLOCK], cdb[16];
	struct sess h, r;

	(void)state;
	memset(data, 0x77, sizeof(data));
	login_pair_slow(&h, &r);
	slow_read_start(&r);
	cdb_rw10(cdb, 0x2a, 32, 8);
	sess_cmd(&r, SLOW_LUN, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE | ATTR_SIMPLE, sizeof(data), cdb,
		 data, sizeof(data));
	usleep(100 * 1000);
	sess_close(&r);
	assert_int_equal(tur(&h), 0);
	assert_int_equal(tur_sense(&h, SLOW_LUN, NULL), 0);
	sess_close(&h);
	usleep(700 * 1000);
	login_pair_slow(&h, &r);
	memset(data, 0x66, sizeof(data));
	cdb_rw10(cdb, 0x2a, 40, 8);
	assert_int_equal(sess_run(&r, SLOW_LUN, cdb, data, sizeof(data), NULL, 0, NULL),
			 STATUS_GOOD);
	expect_blocks(&h, 40, 8, 0x66);
	close_pair(&h, &r);
}

/* On a target that refuses TARGET WARM RESET (threads.sh: target A, run
 * with "refusing"): sessions on both threads are refused in turn, each
 * answered "not authorized" (6). The refusals are counted per target for
 * the rate-limited warning (tmf.c), by both threads: under TSan this is
 * where an unlocked count shows. */
static void test_reset_refused_both(void **state)
{
	struct sess h, r;

	(void)state;
	login_pair(&h, &r);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(tmf(&r, FN_WARM_RESET, ISCSI_RSVD_TAG, 0), 6);
		assert_int_equal(tmf(&h, FN_WARM_RESET, ISCSI_RSVD_TAG, 0), 6);
	}
	assert_int_equal(tur(&r), 0);
	assert_int_equal(tur(&h), 0);
	close_pair(&h, &r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lun_reset_both_ways),
		cmocka_unit_test(test_abort_task_remote),
		cmocka_unit_test(test_reservation_across_threads),
		cmocka_unit_test(test_compare_and_write),
		cmocka_unit_test(test_remote_close_with_waiting_tasks),
		cmocka_unit_test(test_sanitize_remote),
		cmocka_unit_test(test_format_remote),
		cmocka_unit_test(test_abort_task_inflight_remote),
		cmocka_unit_test(test_lun_reset_inflight),
		cmocka_unit_test(test_remote_close_inflight),
	};

	const struct CMUnitTest refusing[] = {
		cmocka_unit_test(test_reset_refused_both),
	};

	if (argc != 3 && (argc != 4 || strcmp(argv[3], "refusing") != 0)) {
		fprintf(stderr, "usage: %s PORT TARGET_IQN [refusing]\n", argv[0]);
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	if (getenv("XT_ONLY"))
		cmocka_set_test_filter(getenv("XT_ONLY"));
	if (argc == 4)
		return cmocka_run_group_tests(refusing, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
