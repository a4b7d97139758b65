/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wire-level tests of the full-feature data paths (RFC 7143) that libiscsi
 * never exercises: immediate plus unsolicited data up to FirstBurstLength,
 * R2Ts (count, offsets, lengths, R2TSN, TTTs, MaxOutstandingR2T) answered
 * out of order, Data-In framing at MaxRecvDataSegmentLength and
 * MaxBurstLength, residuals, DataSN and offset errors, long SendTargets
 * answers continued with the C bit, a login split over two PDUs, NOP-Out
 * pings, the MaxCmdSN of a response that fills the CmdSN window, and Logout. Every PDU is built by hand and every header field the
 * target sends back is checked.
 *
 * Usage: dataflow_test PORT TARGET_IQN DISCOVERY_PORT DISCOVERY_IQN...
 * (run by tests/integration/wire.sh). The second daemon, on DISCOVERY_PORT,
 * serves every DISCOVERY_IQN; SendTargets=All must list them all.
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

#define BLOCK		512u
#define INITIATOR	"iqn.2026-11.io.ctgt:dataflow-test"

static int g_port, g_disc_port;
static const char *g_target;
static char **g_disc_targets;
static int g_ndisc_targets;
static uint8_t g_isid_seq;

/* ---- login keys ---- */

static void assert_key(const struct rx *rx, const char *key, const char *want)
{
	const char *v = find_key(rx->data, rx->len, key);

	if (!v)
		fail_msg("Login Response lacks %s (want %s)", key, want);
	if (strcmp(v, want) != 0)
		fail_msg("Login Response: %s=%s, want %s", key, v, want);
}

/* ---- sessions ---- */

/* What these tests check of every final Login Response beyond its success. */
static void check_login(struct sess *s)
{
	const uint8_t *r = s->login_rsp.bhs;

	assert_true(r[BHS_FLAGS] & ISCSI_LOGIN_TRANSIT);
	assert_int_equal(r[BHS_FLAGS] & 3, ISCSI_STAGE_FULL_FEATURE);
	assert_int_not_equal(get_be16(r + BHS_LOGIN_TSIH), 0);
	assert_int_equal(bhs_u32(r, BHS_ITT), 0x1000);
	assert_int_equal(bhs_u32(r, BHS_EXPCMDSN), 1);
	/* Required: Data-Out segments are sized by the target's MaxRecvDataSegmentLength. */
	assert_in_range(s->tgt_mrdsl, 512, 16777215);
}

/* Log in to @target (NULL: a discovery session) with extra keys (NULL ended). */
static void login(struct sess *s, int port, const char *target, ...)
{
	va_list ap;

	va_start(ap, target);
	sess_vlogin(s, port, ++g_isid_seq, INITIATOR, target, ap);
	va_end(ap);
	check_login(s);
}

static uint32_t write10(struct sess *s, uint32_t lba, uint16_t blocks, uint32_t edtl,
			const uint8_t *imm, uint32_t imm_len, bool final)
{
	uint8_t cdb[16], flags = ISCSI_CMD_WRITE | ATTR_SIMPLE | (final ? ISCSI_FLAG_FINAL : 0);

	cdb_rw10(cdb, 0x2a, lba, blocks);
	return sess_cmd(s, 0, flags, edtl, cdb, imm, imm_len);
}

static uint32_t read10(struct sess *s, uint32_t lba, uint16_t blocks, uint32_t edtl)
{
	uint8_t cdb[16];

	cdb_rw10(cdb, 0x28, lba, blocks);
	return sess_cmd(s, 0, ISCSI_FLAG_FINAL | ISCSI_CMD_READ | ATTR_SIMPLE, edtl, cdb, NULL, 0);
}

/* One sequence of Data-Out PDUs of at most @seg bytes covering [off, off+len). */
static void send_sequence(struct sess *s, uint32_t itt, uint32_t ttt, uint32_t first_datasn,
			  const uint8_t *buf, uint32_t off, uint32_t len, uint32_t seg)
{
	uint32_t done = 0, sn = first_datasn;

	while (done < len) {
		uint32_t n = len - done < seg ? len - done : seg;

		sess_data_out(s, itt, ttt, sn++, off + done, buf + off + done, n, done + n == len);
		done += n;
	}
}

/* Receive the SCSI Response of @itt and check its header; returns its status. */
static uint8_t expect_response(struct sess *s, uint32_t itt, struct rx *rx)
{
	uint8_t status = sess_expect_rsp(s, itt, rx);

	assert_true(rx->bhs[BHS_FLAGS] & ISCSI_FLAG_FINAL);
	assert_int_equal(rx->bhs[BHS_RSP_RESPONSE], 0);	/* command completed at target */
	return status;
}

static void expect_good(struct sess *s, uint32_t itt)
{
	struct rx rx = { 0 };

	assert_int_equal(expect_response(s, itt, &rx), STATUS_GOOD);
	assert_int_equal(rx.bhs[BHS_FLAGS] & (ISCSI_RSP_OVERFLOW | ISCSI_RSP_UNDERFLOW), 0);
	assert_int_equal(bhs_u32(rx.bhs, BHS_RESIDUAL), 0);
	rx_free(&rx);
}

/* The first command of a new I_T nexus reports a unit attention: absorb it. */
static void clear_ua(struct sess *s)
{
	static const uint8_t tur[16];
	struct rx rx = { 0 };
	int i;

	for (i = 0; i < 3; i++) {
		uint32_t itt = sess_cmd(s, 0, ISCSI_FLAG_FINAL | ATTR_SIMPLE, 0, tur, NULL, 0);

		if (expect_response(s, itt, &rx) == STATUS_GOOD)
			break;
	}
	assert_true(i < 3);
	rx_free(&rx);
}

/*
 * Collect the Data-In PDUs of READ @itt into @buf. Each must be at most
 * @mrdsl bytes, with DataSN 0.. and contiguous offsets, F exactly at the end
 * of each @burst-long sequence, and status (S) in the last one. Returns the
 * byte count; the last PDU's header is left in @last.
 */
static uint32_t collect_data_in(struct sess *s, uint32_t itt, uint8_t *buf, uint32_t cap,
				uint32_t burst, uint32_t mrdsl, uint8_t last[ISCSI_BHS_LEN])
{
	struct rx rx = { 0 };
	uint32_t got = 0, sn = 0;

	for (;;) {
		const uint8_t *b;
		uint8_t flags;
		uint32_t end;

		expect_pdu(s->fd, &rx, ISCSI_OP_DATA_IN);
		b = rx.bhs;
		flags = b[BHS_FLAGS];
		assert_int_equal(bhs_u32(b, BHS_ITT), itt);
		assert_int_equal(bhs_u32(b, BHS_TTT), ISCSI_RSVD_TAG);
		assert_int_equal(bhs_u32(b, BHS_DATASN), sn);
		assert_int_equal(bhs_u32(b, BHS_BUFFER_OFFSET), got);
		assert_false(flags & ISCSI_DATAIN_ACK);	/* no DataACK at ERL 0 */
		assert_true(rx.len > 0);
		assert_true(rx.len <= mrdsl);
		assert_true(got + rx.len <= cap);
		memcpy(buf + got, rx.data, rx.len);
		end = got + rx.len;
		got = end;
		sn++;
		if (flags & ISCSI_DATAIN_STATUS) {
			assert_true(flags & ISCSI_FLAG_FINAL);
			sess_check_sn(s, b);
			memcpy(last, b, ISCSI_BHS_LEN);
			break;
		}
		/* A sequence ends (F) at each MaxBurstLength boundary, and only there. */
		if (end % burst == 0)
			assert_true(flags & ISCSI_FLAG_FINAL);
		else
			assert_false(flags & ISCSI_FLAG_FINAL);
	}
	rx_free(&rx);
	return got;
}

/* READ(10) of @blocks at @lba into @buf with every framing check; GOOD, no residual. */
static void read_back(struct sess *s, uint32_t lba, uint16_t blocks, uint8_t *buf,
		      uint32_t burst, uint32_t mrdsl)
{
	uint32_t len = blocks * BLOCK, itt = read10(s, lba, blocks, len);
	uint8_t last[ISCSI_BHS_LEN];

	assert_int_equal(collect_data_in(s, itt, buf, len, burst, mrdsl, last), len);
	assert_int_equal(last[BHS_RSP_STATUS], STATUS_GOOD);
	assert_int_equal(last[BHS_FLAGS] & (ISCSI_RSP_OVERFLOW | ISCSI_RSP_UNDERFLOW), 0);
	assert_int_equal(bhs_u32(last, BHS_RESIDUAL), 0);
}

static void fill(uint8_t *buf, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 31u + (i >> 9) + seed);
}

struct r2t {
	uint32_t ttt, r2tsn, off, len;
};

/* Receive an R2T for @itt and check its fixed fields. */
static struct r2t expect_r2t(struct sess *s, uint32_t itt)
{
	struct rx rx = { 0 };
	struct r2t r;

	expect_pdu(s->fd, &rx, ISCSI_OP_R2T);
	assert_true(rx.bhs[BHS_FLAGS] & ISCSI_FLAG_FINAL);
	assert_int_equal(rx.len, 0);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	/* R2T carries the next StatSN without taking it. */
	assert_int_equal(bhs_u32(rx.bhs, BHS_STATSN), s->exp_statsn);
	assert_int_equal(bhs_u32(rx.bhs, BHS_EXPCMDSN), s->cmdsn);
	r.ttt = bhs_u32(rx.bhs, BHS_TTT);
	r.r2tsn = bhs_u32(rx.bhs, BHS_DATASN);
	r.off = bhs_u32(rx.bhs, BHS_BUFFER_OFFSET);
	r.len = bhs_u32(rx.bhs, BHS_R2T_DESIRED_LEN);
	assert_int_not_equal(r.ttt, ISCSI_RSVD_TAG);
	rx_free(&rx);
	return r;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* ---- 1. InitialR2T=No, ImmediateData=Yes ---- */

static void login_unsolicited(struct sess *s)
{
	login(s, g_port, g_target, "InitialR2T=No", "ImmediateData=Yes", "FirstBurstLength=8192",
	      "MaxBurstLength=16384", "MaxOutstandingR2T=4", "MaxRecvDataSegmentLength=4096", NULL);
	assert_key(&s->login_rsp, "InitialR2T", "No");
	assert_key(&s->login_rsp, "ImmediateData", "Yes");
	assert_key(&s->login_rsp, "FirstBurstLength", "8192");
	assert_key(&s->login_rsp, "MaxBurstLength", "16384");
	assert_key(&s->login_rsp, "MaxOutstandingR2T", "4");
	assert_true(s->tgt_mrdsl >= 4096);
	clear_ua(s);
}

static void test_immediate_unsolicited_r2t(void **state)
{
	enum { LEN = 32768, LBA = 100, FIRST = 8192, BURST = 16384, SEG = 4096 };
	uint8_t *out = malloc(LEN), *in = calloc(1, LEN);
	struct r2t r[2];
	struct rx rx = { 0 };
	struct sess s;
	uint32_t itt;

	(void)state;
	login_unsolicited(&s);
	fill(out, LEN, 0x11);
	/* 2 KiB immediate, then unsolicited Data-Out up to FirstBurstLength. */
	itt = write10(&s, LBA, LEN / BLOCK, LEN, out, 2048, false);
	sess_data_out(&s, itt, ISCSI_RSVD_TAG, 0, 2048, out + 2048, 4096, false);
	sess_data_out(&s, itt, ISCSI_RSVD_TAG, 1, 6144, out + 6144, FIRST - 6144, true);
	/* The rest is solicited, in bursts of at most MaxBurstLength. */
	for (int i = 0; i < 2; i++)
		r[i] = expect_r2t(&s, itt);
	assert_quiet(s.fd, 300);
	assert_int_equal(r[0].r2tsn, 0);
	assert_int_equal(r[0].off, FIRST);
	assert_int_equal(r[0].len, BURST);
	assert_int_equal(r[1].r2tsn, 1);
	assert_int_equal(r[1].off, FIRST + BURST);
	assert_int_equal(r[1].len, LEN - FIRST - BURST);
	assert_int_not_equal(r[0].ttt, r[1].ttt);
	/* Answer the second R2T first: the target matches data by TTT. */
	send_sequence(&s, itt, r[1].ttt, 0, out, r[1].off, r[1].len, min_u32(SEG, s.tgt_mrdsl));
	assert_quiet(s.fd, 100);
	send_sequence(&s, itt, r[0].ttt, 0, out, r[0].off, r[0].len, min_u32(SEG, s.tgt_mrdsl));
	assert_int_equal(expect_response(&s, itt, &rx), STATUS_GOOD);
	assert_int_equal(rx.bhs[BHS_FLAGS] & (ISCSI_RSP_OVERFLOW | ISCSI_RSP_UNDERFLOW), 0);
	assert_int_equal(rx.len, 0);
	/* ExpDataSN of a write: the number of R2Ts sent. */
	assert_int_equal(bhs_u32(rx.bhs, BHS_DATASN), 2);
	rx_free(&rx);

	/* Data-In: at most our 4096-byte MRDSL each, F at every 16 KiB. */
	read_back(&s, LBA, LEN / BLOCK, in, BURST, 4096);
	assert_memory_equal(in, out, LEN);
	sess_close(&s);
	free(out);
	free(in);
}

/* 128 KiB with the whole first burst as immediate data: 8 R2Ts, never more than 4 out. */
static void test_max_outstanding_r2t(void **state)
{
	enum { LEN = 131072, LBA = 1000, FIRST = 8192, BURST = 16384, NR2T = 8, MAXOUT = 4 };
	uint8_t *out = malloc(LEN), *in = calloc(1, LEN);
	struct r2t pend[MAXOUT];
	struct sess s;
	uint32_t itt, next_off = FIRST, next_sn = 0, answered = 0;
	int npend = 0;

	(void)state;
	login_unsolicited(&s);
	assert_true(s.tgt_mrdsl >= FIRST);
	fill(out, LEN, 0x5a);
	itt = write10(&s, LBA, LEN / BLOCK, LEN, out, FIRST, true);
	while (npend < MAXOUT) {
		struct r2t r = expect_r2t(&s, itt);

		assert_int_equal(r.r2tsn, next_sn++);
		assert_int_equal(r.off, next_off);
		assert_int_equal(r.len, BURST);
		for (int i = 0; i < npend; i++)
			assert_int_not_equal(pend[i].ttt, r.ttt);
		next_off += r.len;
		pend[npend++] = r;
	}
	/* MaxOutstandingR2T=4: no fifth until one is answered. */
	assert_quiet(s.fd, 300);
	while (npend) {
		/* Answer the newest first (reverse order), 4 KiB per PDU. */
		struct r2t a = pend[--npend];

		send_sequence(&s, itt, a.ttt, 0, out, a.off, a.len, 4096);
		answered++;
		if (next_off < LEN) {
			struct r2t r = expect_r2t(&s, itt);

			assert_int_equal(r.r2tsn, next_sn++);
			assert_int_equal(r.off, next_off);
			assert_int_equal(r.len, min_u32(BURST, LEN - next_off));
			for (int i = 0; i < npend; i++)
				assert_int_not_equal(pend[i].ttt, r.ttt);
			next_off += r.len;
			/* Keep it behind the older ones so the order stays mixed. */
			memmove(pend + 1, pend, (size_t)npend * sizeof(pend[0]));
			pend[0] = r;
			npend++;
			assert_quiet(s.fd, 50);
		}
	}
	assert_int_equal(answered, NR2T);
	assert_int_equal(next_sn, NR2T);
	expect_good(&s, itt);
	read_back(&s, LBA, LEN / BLOCK, in, BURST, 4096);
	assert_memory_equal(in, out, LEN);
	sess_close(&s);
	free(out);
	free(in);
}

/*
 * RFC 7143 11.3.1: F=1 on a write means no unsolicited Data-Out follows;
 * the target solicits the rest with R2Ts. Immediate data shorter than
 * FirstBurstLength with F=1 must therefore get an R2T from its end.
 */
static void test_unsolicited_ended_by_command(void **state)
{
	enum { LEN = 16384, LBA = 2000, IMM = 2048 };
	uint8_t *out = malloc(LEN), *in = calloc(1, LEN);
	struct sess s;
	struct r2t r;
	uint32_t itt;

	(void)state;
	login_unsolicited(&s);
	fill(out, LEN, 0x3c);
	itt = write10(&s, LBA, LEN / BLOCK, LEN, out, IMM, true);
	r = expect_r2t(&s, itt);
	assert_int_equal(r.r2tsn, 0);
	assert_int_equal(r.off, IMM);
	assert_int_equal(r.len, LEN - IMM);
	send_sequence(&s, itt, r.ttt, 0, out, r.off, r.len, 4096);
	expect_good(&s, itt);
	read_back(&s, LBA, LEN / BLOCK, in, 16384, 4096);
	assert_memory_equal(in, out, LEN);
	sess_close(&s);
	free(out);
	free(in);
}

/* An unsolicited Data-Out sequence may end (F) before FirstBurstLength:
 * the target then solicits everything from where it ended. */
static void test_unsolicited_ended_by_data_out(void **state)
{
	enum { LEN = 16384, LBA = 2100, IMM = 1024, UNSOL = 3072 };
	uint8_t *out = malloc(LEN), *in = calloc(1, LEN);
	struct sess s;
	struct r2t r;
	uint32_t itt;

	(void)state;
	login_unsolicited(&s);
	fill(out, LEN, 0x6b);
	itt = write10(&s, LBA, LEN / BLOCK, LEN, out, IMM, false);
	sess_data_out(&s, itt, ISCSI_RSVD_TAG, 0, IMM, out + IMM, UNSOL - IMM, true);
	r = expect_r2t(&s, itt);
	assert_int_equal(r.r2tsn, 0);
	assert_int_equal(r.off, UNSOL);
	assert_int_equal(r.len, LEN - UNSOL);
	send_sequence(&s, itt, r.ttt, 0, out, r.off, r.len, 4096);
	expect_good(&s, itt);
	read_back(&s, LBA, LEN / BLOCK, in, 16384, 4096);
	assert_memory_equal(in, out, LEN);
	/* Unsolicited data after the command said none follows: protocol error. */
	itt = write10(&s, LBA, 8, 4096, out, 512, true);
	r = expect_r2t(&s, itt);
	assert_int_equal(r.off, 512);
	sess_data_out(&s, itt, ISCSI_RSVD_TAG, 0, 512, out + 512, 512, true);
	{
		struct rx rx = { 0 };

		expect_pdu(s.fd, &rx, ISCSI_OP_REJECT);
		assert_int_equal(rx.bhs[BHS_REJECT_REASON], REJECT_PROTOCOL_ERROR);
		assert_true(wait_closed(s.fd));
		rx_free(&rx);
	}
	sess_close(&s);
	free(out);
	free(in);
}

/* ---- 2. InitialR2T=Yes, ImmediateData=No ---- */

static void test_initial_r2t(void **state)
{
	enum { LEN = 8192, LBA = 300, BURST = 4096 };
	uint8_t out[LEN], in[LEN];
	struct sess s;
	struct rx rx = { 0 };
	struct r2t r;
	uint32_t itt;

	(void)state;
	login(&s, g_port, g_target, "InitialR2T=Yes", "ImmediateData=No", "MaxBurstLength=4096",
	      "FirstBurstLength=4096", "MaxOutstandingR2T=1", "MaxRecvDataSegmentLength=8192",
	      NULL);
	assert_key(&s.login_rsp, "InitialR2T", "Yes");
	assert_key(&s.login_rsp, "ImmediateData", "No");
	assert_key(&s.login_rsp, "MaxBurstLength", "4096");
	assert_key(&s.login_rsp, "MaxOutstandingR2T", "1");
	clear_ua(&s);
	fill(out, LEN, 0x77);
	itt = write10(&s, LBA, LEN / BLOCK, LEN, NULL, 0, true);
	/* Nothing is unsolicited: the first R2T asks for offset 0. */
	r = expect_r2t(&s, itt);
	assert_int_equal(r.r2tsn, 0);
	assert_int_equal(r.off, 0);
	assert_int_equal(r.len, BURST);
	assert_quiet(s.fd, 300);	/* MaxOutstandingR2T=1 */
	send_sequence(&s, itt, r.ttt, 0, out, 0, BURST, 2048);
	r = expect_r2t(&s, itt);
	assert_int_equal(r.r2tsn, 1);
	assert_int_equal(r.off, BURST);
	assert_int_equal(r.len, LEN - BURST);
	send_sequence(&s, itt, r.ttt, 0, out, r.off, r.len, 4096);
	assert_int_equal(expect_response(&s, itt, &rx), STATUS_GOOD);
	assert_int_equal(bhs_u32(rx.bhs, BHS_DATASN), 2);	/* ExpDataSN: 2 R2Ts */
	rx_free(&rx);
	read_back(&s, LBA, LEN / BLOCK, in, BURST, 8192);
	assert_memory_equal(in, out, LEN);

	/* Immediate data although ImmediateData=No: protocol error, connection ends. */
	itt = write10(&s, LBA, 1, BLOCK, out, BLOCK, true);
	expect_pdu(s.fd, &rx, ISCSI_OP_REJECT);
	assert_int_equal(rx.bhs[BHS_REJECT_REASON], REJECT_PROTOCOL_ERROR);
	assert_int_equal(rx.len, ISCSI_BHS_LEN);
	assert_int_equal(bhs_u32(rx.data, BHS_ITT), itt);
	assert_true(wait_closed(s.fd));
	rx_free(&rx);
	sess_close(&s);
}

/* ---- 3. residuals ---- */

static void test_residuals(void **state)
{
	uint8_t buf[4096], last[ISCSI_BHS_LEN], out[BLOCK];
	struct sess s;
	struct rx rx = { 0 };
	struct r2t r;
	uint32_t itt;

	(void)state;
	login(&s, g_port, g_target, "MaxRecvDataSegmentLength=8192", NULL);
	clear_ua(&s);
	/* Underflow: 1 block read, 4096 expected. */
	itt = read10(&s, 0, 1, 4096);
	assert_int_equal(collect_data_in(&s, itt, buf, sizeof(buf), 262144, 8192, last), BLOCK);
	assert_int_equal(last[BHS_RSP_STATUS], STATUS_GOOD);
	assert_int_equal(last[BHS_FLAGS] & (ISCSI_RSP_OVERFLOW | ISCSI_RSP_UNDERFLOW),
			 ISCSI_RSP_UNDERFLOW);
	assert_int_equal(bhs_u32(last, BHS_RESIDUAL), 4096 - BLOCK);
	/* Overflow: 1 block read, 100 expected: exactly 100 bytes come. */
	itt = read10(&s, 0, 1, 100);
	assert_int_equal(collect_data_in(&s, itt, buf, sizeof(buf), 262144, 8192, last), 100);
	assert_int_equal(last[BHS_RSP_STATUS], STATUS_GOOD);
	assert_int_equal(last[BHS_FLAGS] & (ISCSI_RSP_OVERFLOW | ISCSI_RSP_UNDERFLOW),
			 ISCSI_RSP_OVERFLOW);
	assert_int_equal(bhs_u32(last, BHS_RESIDUAL), BLOCK - 100);
	/* Write underflow: 1 block written, 1024 announced; only 512 are asked for. */
	fill(out, BLOCK, 0x21);
	itt = write10(&s, 400, 1, 1024, NULL, 0, true);
	r = expect_r2t(&s, itt);
	assert_int_equal(r.off, 0);
	assert_int_equal(r.len, BLOCK);
	send_sequence(&s, itt, r.ttt, 0, out, 0, BLOCK, BLOCK);
	assert_int_equal(expect_response(&s, itt, &rx), STATUS_GOOD);
	assert_int_equal(rx.bhs[BHS_FLAGS] & (ISCSI_RSP_OVERFLOW | ISCSI_RSP_UNDERFLOW),
			 ISCSI_RSP_UNDERFLOW);
	assert_int_equal(bhs_u32(rx.bhs, BHS_RESIDUAL), 1024 - BLOCK);
	rx_free(&rx);
	read_back(&s, 400, 1, buf, 262144, 8192);
	assert_memory_equal(buf, out, BLOCK);
	sess_close(&s);
}

/* ---- 4. Data-Out errors ---- */

static void assert_still_serving(void)
{
	struct sess s;
	struct rx rx = { 0 };
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };

	login(&s, g_port, g_target, NULL);
	bhs[BHS_OPCODE] = ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(bhs, BHS_ITT, 77);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_CMDSN, s.cmdsn);
	send_pdu(s.fd, bhs, NULL, 0);
	expect_pdu(s.fd, &rx, ISCSI_OP_NOP_IN);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), 77);
	rx_free(&rx);
	sess_close(&s);
}

static void test_data_out_errors(void **state)
{
	enum { LBA = 500, LEN = 4096 };
	uint8_t good[LEN], bad[LEN], in[LEN];
	const uint8_t *sense;
	struct sess s;
	struct rx rx = { 0 };
	struct r2t r;
	uint32_t itt;

	(void)state;
	login(&s, g_port, g_target, NULL);	/* InitialR2T=Yes by default */
	clear_ua(&s);
	fill(good, LEN, 0x01);
	fill(bad, LEN, 0x99);
	itt = write10(&s, LBA, LEN / BLOCK, LEN, NULL, 0, true);
	r = expect_r2t(&s, itt);
	send_sequence(&s, itt, r.ttt, 0, good, 0, LEN, LEN);
	expect_good(&s, itt);

	/* Wrong DataSN: CHECK CONDITION, ABORTED COMMAND / DATA PHASE ERROR. */
	itt = write10(&s, LBA, LEN / BLOCK, LEN, NULL, 0, true);
	r = expect_r2t(&s, itt);
	assert_int_equal(r.off, 0);
	sess_data_out(&s, itt, r.ttt, 0, 0, bad, 2048, false);
	sess_data_out(&s, itt, r.ttt, 5, 2048, bad + 2048, 2048, true);	/* want DataSN 1 */
	assert_int_equal(expect_response(&s, itt, &rx), STATUS_CHECK);
	assert_true(rx.len >= 2 + 14);
	assert_int_equal(get_be16(rx.data), rx.len - 2);	/* SenseLength */
	sense = rx.data + 2;
	assert_int_equal(sense[0] & 0x7e, 0x70);	/* fixed format */
	assert_int_equal(sense[2] & 0x0f, 0x0b);	/* ABORTED COMMAND */
	assert_int_equal(sense[12], 0x4b);
	assert_int_equal(sense[13], 0x00);
	rx_free(&rx);
	/* The command did not run, and the connection still works. */
	read_back(&s, LBA, LEN / BLOCK, in, 262144, 8192);
	assert_memory_equal(in, good, LEN);

	/* A Data-Out at the wrong offset: Reject (protocol error), connection ends. */
	itt = write10(&s, LBA, LEN / BLOCK, LEN, NULL, 0, true);
	r = expect_r2t(&s, itt);
	sess_data_out(&s, itt, r.ttt, 0, 512, bad, 1024, false);
	expect_pdu(s.fd, &rx, ISCSI_OP_REJECT);
	assert_int_equal(rx.bhs[BHS_REJECT_REASON], REJECT_PROTOCOL_ERROR);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), ISCSI_RSVD_TAG);
	assert_int_equal(rx.len, ISCSI_BHS_LEN);
	assert_int_equal(bhs_opcode(rx.data), ISCSI_OP_DATA_OUT);
	assert_int_equal(bhs_u32(rx.data, BHS_BUFFER_OFFSET), 512);
	sess_check_sn(&s, rx.bhs);
	assert_true(wait_closed(s.fd));
	rx_free(&rx);
	sess_close(&s);
	assert_still_serving();
}

/* ---- 5. SendTargets continued over several Text Responses ---- */

static void send_text(struct sess *s, uint32_t itt, uint32_t ttt, const char *data, uint32_t len)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };

	bhs[BHS_OPCODE] = ISCSI_OP_TEXT_REQ;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(bhs, BHS_ITT, itt);
	bhs_set_u32(bhs, BHS_TTT, ttt);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn++);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
	send_pdu(s->fd, bhs, data, len);
}

static void test_send_targets_continued(void **state)
{
	static const char st[] = "SendTargets=All";
	uint8_t all[16384];
	uint32_t total = 0, itt = 0x5150;
	struct sess s;
	struct rx rx = { 0 };
	int pdus = 0, names = 0;
	char port[16];

	(void)state;
	login(&s, g_disc_port, NULL, "MaxRecvDataSegmentLength=512", NULL);
	send_text(&s, itt, ISCSI_RSVD_TAG, st, sizeof(st));
	for (;;) {
		uint32_t ttt;

		expect_pdu(s.fd, &rx, ISCSI_OP_TEXT_RSP);
		pdus++;
		assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
		assert_true(rx.len <= 512);
		sess_check_sn(&s, rx.bhs);
		assert_true(total + rx.len <= sizeof(all));
		memcpy(all + total, rx.data, rx.len);
		total += rx.len;
		ttt = bhs_u32(rx.bhs, BHS_TTT);
		if (rx.bhs[BHS_FLAGS] & ISCSI_TEXT_CONTINUE) {
			/* More to come: C without F, a TTT to continue with, a full PDU. */
			assert_false(rx.bhs[BHS_FLAGS] & ISCSI_FLAG_FINAL);
			assert_int_not_equal(ttt, ISCSI_RSVD_TAG);
			assert_int_equal(rx.len, 512);
			assert_true(pdus < 100);
			send_text(&s, itt, ttt, NULL, 0);
			continue;
		}
		assert_true(rx.bhs[BHS_FLAGS] & ISCSI_FLAG_FINAL);
		assert_int_equal(ttt, ISCSI_RSVD_TAG);
		break;
	}
	rx_free(&rx);
	assert_true(pdus >= 2);
	assert_true(total > 0 && all[total - 1] == 0);
	/* Every configured target is listed once, each with an address on our port. */
	snprintf(port, sizeof(port), ":%d,", g_disc_port);
	for (uint32_t i = 0; i < total;) {
		const char *kv = (const char *)all + i;
		size_t n = strlen(kv);

		if (strncmp(kv, "TargetName=", 11) == 0) {
			int found = 0;

			for (int t = 0; t < g_ndisc_targets; t++)
				found += strcmp(kv + 11, g_disc_targets[t]) == 0;
			if (found != 1)
				fail_msg("unexpected %s", kv);
			names++;
			/* Its TargetAddress follows. */
			assert_true(i + n + 1 < total);
			assert_int_equal(strncmp(kv + n + 1, "TargetAddress=", 14), 0);
			assert_non_null(strstr(kv + n + 1, port));
		} else {
			assert_int_equal(strncmp(kv, "TargetAddress=", 14), 0);
		}
		i += (uint32_t)n + 1;
	}
	assert_int_equal(names, g_ndisc_targets);
	for (int t = 0; t < g_ndisc_targets; t++) {
		char want[300];
		int count = 0;

		snprintf(want, sizeof(want), "TargetName=%s", g_disc_targets[t]);
		for (uint32_t i = 0; i < total; i += (uint32_t)strlen((char *)all + i) + 1)
			count += strcmp((char *)all + i, want) == 0;
		if (count != 1)
			fail_msg("%s listed %d times", g_disc_targets[t], count);
	}
	sess_close(&s);
}

/* SendTargets=<name> answers that target only; an unknown name gets nothing. */
static void test_send_targets_named(void **state)
{
	char key[300];
	struct sess s;
	struct rx rx = { 0 };
	const char *want = g_disc_targets[g_ndisc_targets - 1];

	(void)state;
	login(&s, g_disc_port, NULL, NULL);
	snprintf(key, sizeof(key), "SendTargets=%s", want);
	send_text(&s, 0x6160, ISCSI_RSVD_TAG, key, (uint32_t)strlen(key) + 1);
	expect_pdu(s.fd, &rx, ISCSI_OP_TEXT_RSP);
	assert_true(rx.bhs[BHS_FLAGS] & ISCSI_FLAG_FINAL);
	sess_check_sn(&s, rx.bhs);
	snprintf(key, sizeof(key), "TargetName=%s", want);
	assert_true(rx.len > strlen(key) + 1);
	assert_string_equal((const char *)rx.data, key);
	assert_int_equal(strncmp((const char *)rx.data + strlen(key) + 1, "TargetAddress=", 14), 0);
	/* exactly one TargetName */
	assert_null(memmem(rx.data + 1, rx.len - 1, "TargetName=", 11));
	rx_free(&rx);
	send_text(&s, 0x6161, ISCSI_RSVD_TAG, "SendTargets=iqn.2026-11.io.ctgt:absent",
		  sizeof("SendTargets=iqn.2026-11.io.ctgt:absent"));
	expect_pdu(s.fd, &rx, ISCSI_OP_TEXT_RSP);
	assert_true(rx.bhs[BHS_FLAGS] & ISCSI_FLAG_FINAL);
	assert_int_equal(rx.len, 0);
	sess_check_sn(&s, rx.bhs);
	rx_free(&rx);
	sess_close(&s);
}

/* ---- 6. login keys split over two PDUs ---- */

static void test_login_continued(void **state)
{
	char buf[1024];
	uint8_t bhs[ISCSI_BHS_LEN];
	struct rx rx = { 0 };
	struct sess s;
	size_t len, cut;
	uint8_t isid = ++g_isid_seq;
	int fd = wire_connect(g_port);
	const char *p;

	(void)state;
	memset(&s, 0, sizeof(s));
	len = login_keys(buf, sizeof(buf), INITIATOR, g_target, "MaxBurstLength=65536",
			 "MaxOutstandingR2T=2", NULL);
	/* Cut inside the TargetName value: only the whole text is meaningful. */
	p = memchr(buf, 0, len);
	assert_non_null(p);
	cut = (size_t)(p - buf) + 1 + 20;
	assert_true(cut < (size_t)(p - buf) + 1 + strlen(p + 1));

	login_bhs(bhs, ISCSI_LOGIN_CONTINUE | (ISCSI_STAGE_OPERATIONAL << 2), isid);
	send_pdu(fd, bhs, buf, (uint32_t)cut);
	/* An empty Login Response asks for the rest; nothing is negotiated yet. */
	expect_pdu(fd, &rx, ISCSI_OP_LOGIN_RSP);
	assert_int_equal(rx.bhs[BHS_LOGIN_STATUS_CLASS], 0);
	assert_int_equal(rx.len, 0);
	assert_int_equal(rx.bhs[BHS_FLAGS] & (ISCSI_LOGIN_TRANSIT | ISCSI_LOGIN_CONTINUE), 0);
	assert_int_equal((rx.bhs[BHS_FLAGS] >> 2) & 3, ISCSI_STAGE_OPERATIONAL);
	assert_int_equal(get_be16(rx.bhs + BHS_LOGIN_TSIH), 0);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), 0x1000);
	rx_free(&rx);
	assert_quiet(fd, 200);

	login_bhs(bhs, LOGIN_TO_FFP, isid);
	send_pdu(fd, bhs, buf + cut, (uint32_t)(len - cut));
	assert_int_equal(recv_pdu(fd, &s.login_rsp), 0);
	sess_accept(&s, fd);
	check_login(&s);
	assert_key(&s.login_rsp, "MaxBurstLength", "65536");
	assert_key(&s.login_rsp, "MaxOutstandingR2T", "2");
	/* Full feature phase: a command works. */
	clear_ua(&s);
	sess_close(&s);
}

/* ---- 7. NOP-Out ping ---- */

static void test_nop_ping(void **state)
{
	static const char ping[] = "ping data of an odd length: 37 bytes";
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };
	struct rx rx = { 0 };
	struct sess s;
	uint32_t before;

	(void)state;
	assert_int_equal(sizeof(ping), 37);
	login(&s, g_port, g_target, NULL);
	before = s.cmdsn;
	bhs[BHS_OPCODE] = ISCSI_OP_NOP_OUT;	/* I bit clear: takes a CmdSN */
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(bhs, BHS_ITT, 0x4242);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_CMDSN, s.cmdsn++);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s.exp_statsn);
	send_pdu(s.fd, bhs, ping, sizeof(ping));
	expect_pdu(s.fd, &rx, ISCSI_OP_NOP_IN);
	assert_true(rx.bhs[BHS_FLAGS] & ISCSI_FLAG_FINAL);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), 0x4242);
	assert_int_equal(bhs_u32(rx.bhs, BHS_TTT), ISCSI_RSVD_TAG);
	assert_int_equal(rx.len, sizeof(ping));
	assert_memory_equal(rx.data, ping, sizeof(ping));
	assert_int_equal(bhs_u32(rx.bhs, BHS_EXPCMDSN), before + 1);
	sess_check_sn(&s, rx.bhs);
	/* An immediate NOP-Out (I bit) does not advance ExpCmdSN. */
	bhs[BHS_OPCODE] = ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE;
	bhs_set_u32(bhs, BHS_ITT, 0x4243);
	bhs_set_u32(bhs, BHS_CMDSN, s.cmdsn);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s.exp_statsn);
	send_pdu(s.fd, bhs, ping, 4);
	expect_pdu(s.fd, &rx, ISCSI_OP_NOP_IN);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), 0x4243);
	assert_int_equal(rx.len, 4);
	assert_memory_equal(rx.data, ping, 4);
	assert_int_equal(bhs_u32(rx.bhs, BHS_EXPCMDSN), before + 1);
	sess_check_sn(&s, rx.bhs);
	rx_free(&rx);
	sess_close(&s);
}

/* ---- 7b. the CmdSN window at its end ---- */

/*
 * 127 WRITEs wait for their data and a TEST UNIT READY takes the last slot
 * of the 128-command window. Its SCSI Response already counts its own slot
 * as free (the slot goes when the response is on the wire): MaxCmdSN one
 * past the TEST UNIT READY, so the window is open by one, and a command with
 * that CmdSN runs. Then the WRITEs get their data and complete.
 */
static void test_final_response_at_full_window(void **state)
{
	enum { DEPTH = 128, WRITES = DEPTH - 1 };
	static const uint8_t tur[16];
	uint8_t data[BLOCK];
	uint32_t itts[WRITES], ttts[WRITES], n, itt;
	struct rx rx = { 0 };
	struct sess s;

	(void)state;
	login(&s, g_port, g_target, "InitialR2T=Yes", "ImmediateData=No", NULL);
	clear_ua(&s);
	n = s.cmdsn;
	for (int i = 0; i < WRITES; i++) {
		itts[i] = write10(&s, 400 + (uint32_t)i, 1, BLOCK, NULL, 0, true);
		ttts[i] = expect_r2t(&s, itts[i]).ttt;
	}
	itt = sess_cmd(&s, 0, ISCSI_FLAG_FINAL | ATTR_SIMPLE, 0, tur, NULL, 0);	/* n + 127 */
	assert_int_equal(expect_response(&s, itt, &rx), STATUS_GOOD);
	assert_int_equal(bhs_u32(rx.bhs, BHS_EXPCMDSN), n + DEPTH);
	assert_int_equal(bhs_u32(rx.bhs, BHS_MAXCMDSN), n + DEPTH);
	itt = sess_cmd(&s, 0, ISCSI_FLAG_FINAL | ATTR_SIMPLE, 0, tur, NULL, 0);	/* n + 128 */
	assert_int_equal(expect_response(&s, itt, &rx), STATUS_GOOD);
	assert_int_equal(bhs_u32(rx.bhs, BHS_MAXCMDSN), n + DEPTH + 1);
	fill(data, BLOCK, 0x5a);
	for (int i = 0; i < WRITES; i++) {
		sess_data_out(&s, itts[i], ttts[i], 0, 0, data, BLOCK, true);
		assert_int_equal(expect_response(&s, itts[i], &rx), STATUS_GOOD);
	}
	rx_free(&rx);
	sess_close(&s);
}

/* ---- 8. Logout ---- */

static void test_logout(void **state)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };
	struct rx rx = { 0 };
	struct sess s;

	(void)state;
	login(&s, g_port, g_target, NULL);
	clear_ua(&s);
	bhs[BHS_OPCODE] = ISCSI_OP_LOGOUT_REQ;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL | 0;	/* reason 0: close the session */
	bhs_set_u32(bhs, BHS_ITT, 0x600d);
	bhs_set_u32(bhs, BHS_CMDSN, s.cmdsn++);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s.exp_statsn);
	send_pdu(s.fd, bhs, NULL, 0);
	expect_pdu(s.fd, &rx, ISCSI_OP_LOGOUT_RSP);
	assert_true(rx.bhs[BHS_FLAGS] & ISCSI_FLAG_FINAL);
	assert_int_equal(rx.bhs[BHS_RSP_RESPONSE], 0);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), 0x600d);
	assert_int_equal(rx.len, 0);
	sess_check_sn(&s, rx.bhs);
	/* The target closes the connection once the response is out. */
	assert_true(wait_closed(s.fd));
	rx_free(&rx);
	sess_close(&s);
	assert_still_serving();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_immediate_unsolicited_r2t),
		cmocka_unit_test(test_max_outstanding_r2t),
		cmocka_unit_test(test_unsolicited_ended_by_command),
		cmocka_unit_test(test_unsolicited_ended_by_data_out),
		cmocka_unit_test(test_initial_r2t),
		cmocka_unit_test(test_residuals),
		cmocka_unit_test(test_data_out_errors),
		cmocka_unit_test(test_send_targets_continued),
		cmocka_unit_test(test_send_targets_named),
		cmocka_unit_test(test_login_continued),
		cmocka_unit_test(test_nop_ping),
		cmocka_unit_test(test_final_response_at_full_window),
		cmocka_unit_test(test_logout),
	};

	if (argc < 5) {
		fprintf(stderr, "usage: dataflow_test PORT TARGET_IQN DISCOVERY_PORT "
				"DISCOVERY_IQN...\n");
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	g_disc_port = atoi(argv[3]);
	g_disc_targets = argv + 4;
	g_ndisc_targets = argc - 4;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
