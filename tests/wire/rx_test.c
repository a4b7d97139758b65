/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wire tests of the receive path (iscsi/rx.c) with header and data digests
 * (CRC32C) in force: immediate data, unsolicited Data-Out and R2T data of
 * odd lengths (padding) land at the right place in the task's buffer when
 * every PDU is cut into pieces of 1 to 512 bytes sent apart (so the target
 * reads each PDU over many reads); a wrong data digest on a Data-Out
 * received straight into a task's buffer closes the connection and the
 * command never runs; and many PDUs sent in one piece (read in one read)
 * are all answered, also beyond the PDUs the target handles per wake-up,
 * and so are 64 KiB data segments sent back to back. A task that goes (LU
 * reset by another session, connection closed) while its Data-Out is half
 * received into its buffer takes the receive path's pointer into it along
 * (the buffer cache gives that buffer to the next command); Data-In queued
 * while another session resets the LU delivers its own task's data; PDUs
 * pipelined behind a Login Request are answered, also when the login moves
 * to another network thread with them in its read-ahead buffer.
 *
 * Usage: rx_test PORT TARGET_IQN (run by tests/integration/wire.sh, against
 * a mem: LU of at least 1 MiB).
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
#include "tests/wire/session.h"

#define BLOCK		512u
#define INITIATOR	"iqn.2026-12.io.ctgt:rx-test"
#define MAX_PDU		(ISCSI_BHS_LEN + 4 + 65536 + 3 + 4)

static int g_port;
static const char *g_target;
static uint8_t g_isid_seq = 0x40;

/* ---- PDUs with digests ---- */

/* Write @n bytes in pieces of 1, 3, 47, 48, 49 and 512 bytes, 1 ms apart,
 * so that the target gets them in many reads. */
static void send_split(int fd, const uint8_t *buf, size_t n)
{
	static const size_t cut[] = { 1, 3, 47, 48, 49, 512 };
	size_t off = 0;

	for (unsigned i = 0; off < n; i++) {
		size_t k = cut[i % 6] < n - off ? cut[i % 6] : n - off;

		send_all(fd, buf + off, k);
		off += k;
		usleep(1000);
	}
}

/* The wire form of @bhs (data length set to @len) with @len bytes of @data:
 * header digest, data, padding, data digest (flipped when @bad). Returns
 * its length in @out (MAX_PDU bytes). */
static size_t build_pdu(uint8_t *out, uint8_t bhs[ISCSI_BHS_LEN], const uint8_t *data,
			uint32_t len, bool bad)
{
	struct iovec h = { bhs, ISCSI_BHS_LEN };
	uint32_t pad = iscsi_pad(len);
	size_t n = 0;

	assert_true(len <= 65536);
	bhs_set_data_len(bhs, len);
	memcpy(out, bhs, ISCSI_BHS_LEN);
	n += ISCSI_BHS_LEN;
	iscsi_digest_put(out + n, iscsi_crc32c(&h, 1));
	n += ISCSI_DIGEST_LEN;
	if (len) {
		struct iovec d;

		memcpy(out + n, data, len);
		memset(out + n + len, 0, pad);
		d = (struct iovec){ out + n, len + pad };
		iscsi_digest_put(out + n + len + pad, iscsi_crc32c(&d, 1) ^ (bad ? 1u : 0u));
		n += len + pad + ISCSI_DIGEST_LEN;
	}
	return n;
}

/* Send one PDU split (send_split()), or whole when !@split. */
static void dsend(int fd, uint8_t bhs[ISCSI_BHS_LEN], const uint8_t *data, uint32_t len,
		  bool split, bool bad)
{
	uint8_t *buf = malloc(MAX_PDU);
	size_t n;

	assert_non_null(buf);
	n = build_pdu(buf, bhs, data, len, bad);
	if (split)
		send_split(fd, buf, n);
	else
		send_all(fd, buf, n);
	free(buf);
}

/* Receive one PDU and check both its digests. */
static void drecv(int fd, struct rx *rx)
{
	uint8_t dig[ISCSI_DIGEST_LEN];
	struct iovec h = { rx->bhs, ISCSI_BHS_LEN };
	uint32_t padded;

	rx_free(rx);
	assert_int_equal(recv_all(fd, rx->bhs, ISCSI_BHS_LEN), 0);
	assert_int_equal(recv_all(fd, dig, sizeof(dig)), 0);
	assert_int_equal(iscsi_digest_get(dig), iscsi_crc32c(&h, 1));
	rx->len = bhs_data_len(rx->bhs);
	padded = rx->len + iscsi_pad(rx->len);
	rx->data = calloc(1, padded + 1);
	assert_non_null(rx->data);
	if (rx->len) {
		struct iovec d = { rx->data, padded };

		assert_int_equal(recv_all(fd, rx->data, padded), 0);
		assert_int_equal(recv_all(fd, dig, sizeof(dig)), 0);
		assert_int_equal(iscsi_digest_get(dig), iscsi_crc32c(&d, 1));
	}
}

/* ---- commands ---- */

static void cmd_bhs(struct sess *s, uint8_t bhs[ISCSI_BHS_LEN], uint8_t flags, uint32_t edtl,
		    uint8_t op, uint32_t lba, uint16_t blocks, uint32_t *itt)
{
	memset(bhs, 0, ISCSI_BHS_LEN);
	bhs[BHS_OPCODE] = ISCSI_OP_SCSI_CMD;
	bhs[BHS_FLAGS] = flags | ATTR_SIMPLE;
	*itt = s->next_itt++;
	bhs_set_u32(bhs, BHS_ITT, *itt);
	bhs_set_u32(bhs, BHS_CMD_EDTL, edtl);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn++);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
	cdb_rw10(bhs + BHS_CMD_CDB, op, lba, blocks);
}

static void data_out(struct sess *s, uint32_t itt, uint32_t ttt, uint32_t datasn, uint32_t off,
		     const uint8_t *data, uint32_t len, bool final, bool bad)
{
	uint8_t bhs[ISCSI_BHS_LEN];

	sess_data_out_bhs(bhs, s, itt, ttt, datasn, off, final);
	dsend(s->fd, bhs, data + off, len, true, bad);
}

/* StatSN in order; ExpCmdSN not past what was sent (commands may still be
 * on their way when several are sent at once). */
static void check_sn(struct sess *s, const uint8_t *bhs)
{
	assert_int_equal(bhs_u32(bhs, BHS_STATSN), s->exp_statsn);
	s->exp_statsn++;
	assert_true(sn_le(bhs_u32(bhs, BHS_EXPCMDSN), s->cmdsn));
}

/* The SCSI Response of @itt; returns its status. */
static uint8_t expect_rsp(struct sess *s, uint32_t itt)
{
	struct rx rx = { 0 };
	uint8_t status;

	drecv(s->fd, &rx);
	assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_SCSI_RSP);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	check_sn(s, rx.bhs);
	status = rx.bhs[BHS_RSP_STATUS];
	rx_free(&rx);
	return status;
}

/* Send a READ(10) of @len bytes at @lba; returns its ITT. */
static uint32_t read_send(struct sess *s, uint32_t lba, uint32_t len)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	uint32_t itt;

	cmd_bhs(s, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_READ, len, 0x28, lba,
		(uint16_t)(len / BLOCK), &itt);
	dsend(s->fd, bhs, NULL, 0, false, false);
	return itt;
}

/* The Data-In of the READ @itt of @len bytes into @buf, checked for order,
 * status GOOD in the last. */
static void read_collect(struct sess *s, uint32_t itt, uint8_t *buf, uint32_t len)
{
	struct rx rx = { 0 };
	uint32_t got = 0;

	for (int i = 0; i < 4096; i++) {
		drecv(s->fd, &rx);
		assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_DATA_IN);
		assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
		assert_int_equal(bhs_u32(rx.bhs, BHS_BUFFER_OFFSET), got);
		assert_true(got + rx.len <= len);
		memcpy(buf + got, rx.data, rx.len);
		got += rx.len;
		if (rx.bhs[BHS_FLAGS] & ISCSI_DATAIN_STATUS)
			break;
	}
	assert_int_equal(got, len);
	assert_int_equal(rx.bhs[BHS_RSP_STATUS], STATUS_GOOD);
	sess_check_sn(s, rx.bhs);
	rx_free(&rx);
}

/* READ(10) of @len bytes at @lba into @buf, Data-In checked for order. */
static void read_back(struct sess *s, uint32_t lba, uint8_t *buf, uint32_t len)
{
	read_collect(s, read_send(s, lba, len), buf, len);
}

/* The first command of a new I_T nexus reports a unit attention: absorb it. */
static void clear_ua(struct sess *s)
{
	for (int i = 0; i < 3; i++) {
		uint8_t bhs[ISCSI_BHS_LEN];
		uint32_t itt;

		cmd_bhs(s, bhs, ISCSI_FLAG_FINAL, 0, 0, 0, 0, &itt);
		memset(bhs + BHS_CMD_CDB, 0, 16);	/* TEST UNIT READY */
		dsend(s->fd, bhs, NULL, 0, false, false);
		if (expect_rsp(s, itt) == STATUS_GOOD)
			return;
	}
	fail_msg("TEST UNIT READY never GOOD");
}

/* Log in with both digests, InitialR2T=No, ImmediateData=Yes, bursts of
 * 8/16 KiB, or of 64/256 KiB when @large. */
static void login_bursts(struct sess *s, bool large)
{
	sess_login(s, g_port, ++g_isid_seq, INITIATOR, g_target, "HeaderDigest=CRC32C",
		   "DataDigest=CRC32C", "InitialR2T=No", "ImmediateData=Yes",
		   large ? "FirstBurstLength=65536" : "FirstBurstLength=8192",
		   large ? "MaxBurstLength=262144" : "MaxBurstLength=16384",
		   "MaxOutstandingR2T=2", "MaxRecvDataSegmentLength=4096", NULL);
	assert_string_equal(find_key(s->login_rsp.data, s->login_rsp.len, "HeaderDigest"),
			    "CRC32C");
	assert_string_equal(find_key(s->login_rsp.data, s->login_rsp.len, "DataDigest"),
			    "CRC32C");
	assert_string_equal(find_key(s->login_rsp.data, s->login_rsp.len, "InitialR2T"), "No");
	assert_true(s->tgt_mrdsl >= (large ? 65536u : 8192u));
	clear_ua(s);
}

static void login(struct sess *s)
{
	login_bursts(s, false);
}

static void fill(uint8_t *buf, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)((i * 31 + seed * 7 + (i >> 8)) ^ seed);
}

struct r2t {
	uint32_t ttt, off, len;
};

static struct r2t expect_r2t(struct sess *s, uint32_t itt)
{
	struct rx rx = { 0 };
	struct r2t r;

	drecv(s->fd, &rx);
	assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_R2T);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	r = (struct r2t){ bhs_u32(rx.bhs, BHS_TTT), bhs_u32(rx.bhs, BHS_BUFFER_OFFSET),
			  bhs_u32(rx.bhs, BHS_R2T_DESIRED_LEN) };
	rx_free(&rx);
	return r;
}

/* An immediate Task Management Function Request (@fn, LUN 0, @rtt) on @s;
 * returns its response code. */
static uint8_t tmf_req(struct sess *s, uint8_t fn, uint32_t rtt)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	uint32_t itt = s->next_itt++;
	struct rx rx = { 0 };
	uint8_t rsp;

	sess_tmf_bhs(bhs, s, itt, fn, 0, rtt, s->cmdsn);
	dsend(s->fd, bhs, NULL, 0, false, false);
	drecv(s->fd, &rx);
	assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_TMF_RSP);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	check_sn(s, rx.bhs);
	rsp = rx.bhs[BHS_RSP_RESPONSE];
	rx_free(&rx);
	return rsp;
}

/* WRITE(10) of 16 KiB at @lba (login()'s bursts): 8 KiB immediate, the
 * rest answering the R2T. */
static void write16k(struct sess *s, uint32_t lba, const uint8_t *data)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	struct r2t r;
	uint32_t itt;

	cmd_bhs(s, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE, 16384, 0x2a, lba, 16384 / BLOCK, &itt);
	dsend(s->fd, bhs, data, 8192, false, false);
	r = expect_r2t(s, itt);
	assert_int_equal(r.off, 8192);
	data_out(s, itt, r.ttt, 0, r.off, data, r.len, true, false);
	assert_int_equal(expect_rsp(s, itt), STATUS_GOOD);
}

/* ---- tests ---- */

/*
 * 32 KiB: 1027 bytes immediate, unsolicited Data-Out [1027, 4000) and
 * [4000, 8192), then two R2Ts answered in pieces of odd lengths, the
 * second R2T first; every PDU cut into small pieces. Read back whole.
 */
static void test_split_with_digests(void **state)
{
	enum { LEN = 32768, LBA = 64 };
	uint8_t *out = malloc(LEN), *in = calloc(1, LEN), bhs[ISCSI_BHS_LEN];
	struct r2t r[2];
	struct sess s;
	uint32_t itt;

	(void)state;
	assert_non_null(out);
	assert_non_null(in);
	login(&s);
	fill(out, LEN, 3);
	cmd_bhs(&s, bhs, ISCSI_CMD_WRITE, LEN, 0x2a, LBA, LEN / BLOCK, &itt);
	dsend(s.fd, bhs, out, 1027, true, false);
	data_out(&s, itt, ISCSI_RSVD_TAG, 0, 1027, out, 4000 - 1027, false, false);
	data_out(&s, itt, ISCSI_RSVD_TAG, 1, 4000, out, 8192 - 4000, true, false);
	r[0] = expect_r2t(&s, itt);
	r[1] = expect_r2t(&s, itt);
	assert_int_equal(r[0].off, 8192);
	assert_int_equal(r[0].len, 16384);
	assert_int_equal(r[1].off, 8192 + 16384);
	assert_int_equal(r[1].len, LEN - 8192 - 16384);
	/* R2T 1 in two PDUs of 1001 and 7191 bytes, R2T 0 in 4093 + 4096 + 8195. */
	data_out(&s, itt, r[1].ttt, 0, r[1].off, out, 1001, false, false);
	data_out(&s, itt, r[1].ttt, 1, r[1].off + 1001, out, r[1].len - 1001, true, false);
	data_out(&s, itt, r[0].ttt, 0, r[0].off, out, 4093, false, false);
	data_out(&s, itt, r[0].ttt, 1, r[0].off + 4093, out, 4096, false, false);
	data_out(&s, itt, r[0].ttt, 2, r[0].off + 8189, out, r[0].len - 8189, true, false);
	assert_int_equal(expect_rsp(&s, itt), STATUS_GOOD);
	read_back(&s, LBA, in, LEN);
	assert_memory_equal(in, out, LEN);
	sess_close(&s);
	free(out);
	free(in);
}

/*
 * Immediate data read whole with its header, its data digest not yet: the
 * target uses the data where it lies in its read-ahead buffer, and the next
 * read, which brings the digest and the next command with its own data,
 * must not land on it. Both WRITEs' blocks are read back.
 */
static void test_trail_in_next_read(void **state)
{
	enum { LEN = 1024, LBA1 = 400, LBA2 = 408 };
	uint8_t *p1 = malloc(MAX_PDU), *p2 = malloc(MAX_PDU), bhs[ISCSI_BHS_LEN];
	uint8_t a[LEN], b[LEN], back[LEN], *both = malloc(2 * MAX_PDU);
	uint32_t itt1, itt2;
	size_t n1, n2;
	struct sess s;

	(void)state;
	assert_non_null(p1);
	assert_non_null(p2);
	assert_non_null(both);
	login(&s);
	fill(a, LEN, 11);
	fill(b, LEN, 12);
	cmd_bhs(&s, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE, LEN, 0x2a, LBA1, LEN / BLOCK, &itt1);
	n1 = build_pdu(p1, bhs, a, LEN, false);
	cmd_bhs(&s, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE, LEN, 0x2a, LBA2, LEN / BLOCK, &itt2);
	n2 = build_pdu(p2, bhs, b, LEN, false);
	/* everything of the first but its digest; then the digest and all of the second */
	send_all(s.fd, p1, n1 - ISCSI_DIGEST_LEN);
	usleep(50000);
	memcpy(both, p1 + n1 - ISCSI_DIGEST_LEN, ISCSI_DIGEST_LEN);
	memcpy(both + ISCSI_DIGEST_LEN, p2, n2);
	send_all(s.fd, both, ISCSI_DIGEST_LEN + n2);
	assert_int_equal(expect_rsp(&s, itt1), STATUS_GOOD);
	assert_int_equal(expect_rsp(&s, itt2), STATUS_GOOD);
	read_back(&s, LBA1, back, LEN);
	assert_memory_equal(back, a, LEN);
	read_back(&s, LBA2, back, LEN);
	assert_memory_equal(back, b, LEN);
	sess_close(&s);
	free(p1);
	free(p2);
	free(both);
}

/*
 * A Data-Out answering an R2T (received straight into the task's buffer)
 * with a wrong data digest: the connection closes and the command never
 * runs, so the blocks keep what was there before.
 */
static void test_bad_digest_into_task_buffer(void **state)
{
	enum { LEN = 16384, LBA = 256 };
	uint8_t *old = malloc(LEN), *out = malloc(LEN), *in = calloc(1, LEN);
	uint8_t bhs[ISCSI_BHS_LEN];
	struct r2t r;
	struct sess s;
	uint32_t itt;

	(void)state;
	assert_non_null(old);
	assert_non_null(out);
	assert_non_null(in);
	fill(old, LEN, 11);
	fill(out, LEN, 12);
	login(&s);
	/* What is there before: written whole as immediate data and R2T data. */
	cmd_bhs(&s, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE, LEN, 0x2a, LBA, LEN / BLOCK, &itt);
	dsend(s.fd, bhs, old, 8192, false, false);
	r = expect_r2t(&s, itt);
	data_out(&s, itt, r.ttt, 0, r.off, old, r.len, true, false);
	assert_int_equal(expect_rsp(&s, itt), STATUS_GOOD);
	/* The same blocks again, the R2T data with a bad digest. */
	cmd_bhs(&s, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE, LEN, 0x2a, LBA, LEN / BLOCK, &itt);
	dsend(s.fd, bhs, out, 8192, false, false);
	r = expect_r2t(&s, itt);
	assert_int_equal(r.off, 8192);
	data_out(&s, itt, r.ttt, 0, r.off, out, r.len, true, true);
	assert_true(wait_closed(s.fd));
	sess_close(&s);
	login(&s);
	read_back(&s, LBA, in, LEN);
	assert_memory_equal(in, old, LEN);
	sess_close(&s);
	free(old);
	free(out);
	free(in);
}

/*
 * 40 WRITE(10)s of 4 KiB immediate data each and a NOP-Out, all in one
 * send (the target reads them in few reads, more than it handles per
 * wake-up): every one is answered once, and the data is where it belongs.
 */
static void test_many_pdus_in_one_send(void **state)
{
	enum { N = 40, LEN = 4096, LBA = 1024 };
	uint8_t *out = malloc(N * LEN), *in = calloc(1, N * LEN), *wire = malloc(N * MAX_PDU);
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };
	uint32_t itt[N], nop_itt;
	struct rx rx = { 0 };
	struct sess s;
	size_t n = 0;

	(void)state;
	assert_non_null(out);
	assert_non_null(in);
	assert_non_null(wire);
	login(&s);
	fill(out, N * LEN, 21);
	for (int i = 0; i < N; i++) {
		cmd_bhs(&s, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE, LEN, 0x2a,
			LBA + (uint32_t)i * (LEN / BLOCK), LEN / BLOCK, &itt[i]);
		n += build_pdu(wire + n, bhs, out + (size_t)i * LEN, LEN, false);
	}
	nop_itt = s.next_itt++;
	sess_nop_bhs(bhs, &s, nop_itt);
	n += build_pdu(wire + n, bhs, (const uint8_t *)"ping", 4, false);
	send_all(s.fd, wire, n);
	/* The NOP-In may come first: the writes complete on the next round. */
	for (int i = 0; i <= N; i++) {
		drecv(s.fd, &rx);
		check_sn(&s, rx.bhs);
		if (bhs_opcode(rx.bhs) == ISCSI_OP_NOP_IN) {
			assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), nop_itt);
			assert_int_equal(rx.len, 4);
			assert_memory_equal(rx.data, "ping", 4);
			nop_itt = 0;
			continue;
		}
		assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_SCSI_RSP);
		assert_int_equal(rx.bhs[BHS_RSP_STATUS], STATUS_GOOD);
		for (int j = 0; j < N; j++)
			if (itt[j] == bhs_u32(rx.bhs, BHS_ITT))
				itt[j] = 0;	/* answered, once */
	}
	assert_int_equal(nop_itt, 0);
	for (int j = 0; j < N; j++)
		assert_int_equal(itt[j], 0);
	rx_free(&rx);
	read_back(&s, LBA, in, N * LEN);
	assert_memory_equal(in, out, N * LEN);
	sess_close(&s);
	free(out);
	free(in);
	free(wire);
}

/*
 * 512 KiB in data segments of 64 KiB (the target then reads ahead little,
 * so that each segment is read straight into the task's buffer): 64 KiB
 * immediate, then the answers to both R2Ts and a NOP-Out, all in one send.
 */
static void test_large_segments(void **state)
{
	enum { LEN = 524288, LBA = 2048, SEG = 65536 };
	uint8_t *out = malloc(LEN), *in = calloc(1, LEN), *wire = malloc(10 * MAX_PDU);
	uint8_t bhs[ISCSI_BHS_LEN];
	struct rx rx = { 0 };
	struct r2t r[2];
	struct sess s;
	uint32_t itt, nop_itt;
	size_t n = 0;
	int got_rsp = 0, got_nop = 0;

	(void)state;
	assert_non_null(out);
	assert_non_null(in);
	assert_non_null(wire);
	login_bursts(&s, true);
	fill(out, LEN, 31);
	cmd_bhs(&s, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE, LEN, 0x2a, LBA, LEN / BLOCK, &itt);
	dsend(s.fd, bhs, out, SEG, false, false);
	r[0] = expect_r2t(&s, itt);
	r[1] = expect_r2t(&s, itt);
	assert_int_equal(r[0].off, SEG);
	assert_int_equal(r[0].len, 262144);
	assert_int_equal(r[1].off, SEG + 262144);
	assert_int_equal(r[1].len, LEN - SEG - 262144);
	for (int i = 0; i < 2; i++)
		for (uint32_t off = 0, sn = 0; off < r[i].len; off += SEG, sn++) {
			memset(bhs, 0, sizeof(bhs));
			bhs[BHS_OPCODE] = ISCSI_OP_DATA_OUT;
			bhs[BHS_FLAGS] = off + SEG >= r[i].len ? ISCSI_FLAG_FINAL : 0;
			bhs_set_u32(bhs, BHS_ITT, itt);
			bhs_set_u32(bhs, BHS_TTT, r[i].ttt);
			bhs_set_u32(bhs, BHS_DATASN, sn);
			bhs_set_u32(bhs, BHS_BUFFER_OFFSET, r[i].off + off);
			n += build_pdu(wire + n, bhs, out + r[i].off + off, SEG, false);
		}
	nop_itt = s.next_itt++;
	sess_nop_bhs(bhs, &s, nop_itt);
	n += build_pdu(wire + n, bhs, NULL, 0, false);
	send_all(s.fd, wire, n);
	for (int i = 0; i < 2; i++) {
		drecv(s.fd, &rx);
		check_sn(&s, rx.bhs);
		if (bhs_opcode(rx.bhs) == ISCSI_OP_NOP_IN) {
			assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), nop_itt);
			got_nop++;
		} else {
			assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_SCSI_RSP);
			assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
			assert_int_equal(rx.bhs[BHS_RSP_STATUS], STATUS_GOOD);
			got_rsp++;
		}
	}
	assert_int_equal(got_nop, 1);
	assert_int_equal(got_rsp, 1);
	rx_free(&rx);
	read_back(&s, LBA, in, LEN);
	assert_memory_equal(in, out, LEN);
	sess_close(&s);
	free(out);
	free(in);
	free(wire);
}

/*
 * A LOGICAL UNIT RESET from another session while a Data-Out is half
 * received straight into its task's buffer: the task goes (no response),
 * and so must the receive path's pointer into that buffer, which the
 * thread's cache gives the next command of the same size. The other
 * session's WRITE, taking that buffer and waiting for its R2T data, keeps
 * its immediate data; the rest of the first Data-Out is dropped and its
 * blocks keep what they held.
 */
static void test_reset_while_data_out_lands(void **state)
{
	enum { LEN = 16384, LBA_X = 512, LBA_Y = 544, PART = 4096, FN_LUN_RESET = 5 };
	uint8_t *old = malloc(LEN), *xd = malloc(LEN), *yd = malloc(LEN), *back = malloc(LEN);
	uint8_t *wire = malloc(MAX_PDU), bhs[ISCSI_BHS_LEN];
	struct rx rx = { 0 };
	struct sess x, y;
	uint32_t itt, yitt, nop_itt;
	struct r2t r;
	size_t n, head = ISCSI_BHS_LEN + ISCSI_DIGEST_LEN + PART;

	(void)state;
	assert_non_null(old);
	assert_non_null(xd);
	assert_non_null(yd);
	assert_non_null(back);
	assert_non_null(wire);
	fill(old, LEN, 41);
	fill(xd, LEN, 42);
	fill(yd, LEN, 43);
	login(&x);
	write16k(&x, LBA_X, old);
	/* No immediate data: one R2T for all of it, answered by one Data-Out
	 * of which the header and PART bytes go now. */
	cmd_bhs(&x, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE, LEN, 0x2a, LBA_X, LEN / BLOCK, &itt);
	dsend(x.fd, bhs, NULL, 0, false, false);
	r = expect_r2t(&x, itt);
	assert_int_equal(r.off, 0);
	assert_int_equal(r.len, LEN);
	sess_data_out_bhs(bhs, &x, itt, r.ttt, 0, 0, true);
	n = build_pdu(wire, bhs, xd, LEN, false);
	send_all(x.fd, wire, head);
	usleep(100000);
	login(&y);
	assert_int_equal(tmf_req(&y, FN_LUN_RESET, ISCSI_RSVD_TAG), 0);
	clear_ua(&y);
	cmd_bhs(&y, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE, LEN, 0x2a, LBA_Y, LEN / BLOCK, &yitt);
	dsend(y.fd, bhs, yd, 8192, false, false);
	r = expect_r2t(&y, yitt);
	/* The rest of X's Data-Out, then a ping that must be answered. */
	send_all(x.fd, wire + head, n - head);
	nop_itt = x.next_itt++;
	sess_nop_bhs(bhs, &x, nop_itt);
	dsend(x.fd, bhs, NULL, 0, false, false);
	drecv(x.fd, &rx);
	assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_NOP_IN);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), nop_itt);
	check_sn(&x, rx.bhs);
	rx_free(&rx);
	data_out(&y, yitt, r.ttt, 0, r.off, yd, r.len, true, false);
	assert_int_equal(expect_rsp(&y, yitt), STATUS_GOOD);
	read_back(&y, LBA_Y, back, LEN);
	assert_memory_equal(back, yd, LEN);
	read_back(&y, LBA_X, back, LEN);
	assert_memory_equal(back, old, LEN);
	sess_close(&x);
	sess_close(&y);
	free(old);
	free(xd);
	free(yd);
	free(back);
	free(wire);
}

/*
 * The connection closes while a Data-Out is half received into its task's
 * buffer: the command never runs, the blocks keep what they held, and a
 * WRITE of the same size on a new session (its buffer most likely the one
 * the closed task had) is written as sent.
 */
static void test_close_while_data_out_lands(void **state)
{
	enum { LEN = 16384, LBA_X = 576, LBA_Y = 608, PART = 6000 };
	uint8_t *old = malloc(LEN), *xd = malloc(LEN), *yd = malloc(LEN), *back = malloc(LEN);
	uint8_t *wire = malloc(MAX_PDU), bhs[ISCSI_BHS_LEN];
	struct sess x, y;
	struct r2t r;
	uint32_t itt;

	(void)state;
	assert_non_null(old);
	assert_non_null(xd);
	assert_non_null(yd);
	assert_non_null(back);
	assert_non_null(wire);
	fill(old, LEN, 51);
	fill(xd, LEN, 52);
	fill(yd, LEN, 53);
	login(&x);
	write16k(&x, LBA_X, old);
	cmd_bhs(&x, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE, LEN, 0x2a, LBA_X, LEN / BLOCK, &itt);
	dsend(x.fd, bhs, NULL, 0, false, false);
	r = expect_r2t(&x, itt);
	sess_data_out_bhs(bhs, &x, itt, r.ttt, 0, 0, true);
	build_pdu(wire, bhs, xd, LEN, false);
	send_all(x.fd, wire, ISCSI_BHS_LEN + ISCSI_DIGEST_LEN + PART);
	usleep(100000);
	sess_close(&x);
	usleep(100000);
	login(&y);
	write16k(&y, LBA_Y, yd);
	read_back(&y, LBA_Y, back, LEN);
	assert_memory_equal(back, yd, LEN);
	read_back(&y, LBA_X, back, LEN);
	assert_memory_equal(back, old, LEN);
	sess_close(&y);
	free(old);
	free(xd);
	free(yd);
	free(back);
	free(wire);
}

/*
 * An 8 MiB READ whose Data-In (pointing into the task's buffer) mostly
 * waits in the target's transmit queue, the initiator not reading: a
 * LOGICAL UNIT RESET and an 8 MiB READ of other blocks by another session
 * meanwhile (whose buffer the cache would give from the first one's, were
 * it released early) do not change what the first READ delivers.
 */
static void test_reset_while_data_in_queued(void **state)
{
	enum { LEN = 8u << 20, LBA_A = 0, LBA_B = 16384, FN_LUN_RESET = 5 };
	uint8_t *before = malloc(LEN), *got = malloc(LEN), *b = malloc(LEN);
	uint8_t mark[16384];
	struct sess x, y;
	uint32_t itt;

	(void)state;
	assert_non_null(before);
	assert_non_null(got);
	assert_non_null(b);
	fill(mark, sizeof(mark), 61);
	login_bursts(&x, true);
	login(&y);
	write16k(&y, LBA_B, mark);	/* the two regions differ */
	read_back(&x, LBA_A, before, LEN);
	itt = read_send(&x, LBA_A, LEN);
	usleep(200000);
	assert_int_equal(tmf_req(&y, FN_LUN_RESET, ISCSI_RSVD_TAG), 0);
	clear_ua(&y);
	read_back(&y, LBA_B, b, LEN);
	assert_memory_equal(b, mark, sizeof(mark));
	read_collect(&x, itt, got, LEN);
	assert_memory_equal(got, before, LEN);
	sess_close(&x);
	sess_close(&y);
	free(before);
	free(got);
	free(b);
}

/* @bhs (data length @len) and @len bytes of @data, padded, without
 * digests, at @out; returns the length. */
static size_t plain_pdu(uint8_t *out, uint8_t bhs[ISCSI_BHS_LEN], const void *data, uint32_t len)
{
	bhs_set_data_len(bhs, len);
	memcpy(out, bhs, ISCSI_BHS_LEN);
	if (len)
		memcpy(out + ISCSI_BHS_LEN, data, len);
	memset(out + ISCSI_BHS_LEN + len, 0, iscsi_pad(len));
	return ISCSI_BHS_LEN + len + iscsi_pad(len);
}

/*
 * The initiator does not wait for the Login Response: a NOP-Out and a WRITE
 * with immediate data come in the same send as the Login Request, so the
 * target reads them together with it. (No digests: these start only after
 * the final Login Response is sent, and an initiator that pipelines cannot
 * know when that is.) When the target is another thread's, the connection
 * moves there with them still in its read-ahead buffer (iscsi/migrate.c).
 * Both are answered once, and the WRITE's data lands.
 */
static void test_pipelined_after_login(void **state)
{
	enum { LEN = 4096, LBA = 640 };
	uint8_t *wire = malloc(2 * MAX_PDU + 4096), bhs[ISCSI_BHS_LEN], data[LEN], back[LEN];
	char keys[2048];
	struct rx rx = { 0 };
	struct sess s;
	uint32_t itt, nop_itt;
	size_t n, klen;
	int fd;

	(void)state;
	assert_non_null(wire);
	fill(data, LEN, 71);
	klen = login_keys(keys, sizeof(keys), INITIATOR, g_target, "InitialR2T=No",
			  "ImmediateData=Yes", "FirstBurstLength=8192", "MaxBurstLength=16384",
			  "MaxRecvDataSegmentLength=4096", NULL);
	login_bhs(bhs, LOGIN_TO_FFP, ++g_isid_seq);
	n = plain_pdu(wire, bhs, keys, (uint32_t)klen);
	/* What the session will be: CmdSN 1 (the login's was immediate), ITTs from 1. */
	memset(&s, 0, sizeof(s));
	s.cmdsn = 1;
	s.next_itt = 1;
	nop_itt = s.next_itt++;
	sess_nop_bhs(bhs, &s, nop_itt);
	n += plain_pdu(wire + n, bhs, "early", 5);
	cmd_bhs(&s, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE, LEN, 0x2a, LBA, LEN / BLOCK, &itt);
	n += plain_pdu(wire + n, bhs, data, LEN);
	fd = wire_connect(g_port);
	send_all(fd, wire, n);
	assert_int_equal(recv_pdu(fd, &s.login_rsp), 0);
	sess_accept(&s, fd);
	s.cmdsn = 2;
	s.next_itt = itt + 1;
	expect_pdu(fd, &rx, ISCSI_OP_NOP_IN);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), nop_itt);
	assert_int_equal(rx.len, 5);
	assert_memory_equal(rx.data, "early", 5);
	check_sn(&s, rx.bhs);
	expect_pdu(fd, &rx, ISCSI_OP_SCSI_RSP);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	check_sn(&s, rx.bhs);
	if (rx.bhs[BHS_RSP_STATUS] != STATUS_GOOD) {
		/* The power-on unit attention of a new I_T nexus: again. */
		for (int i = 0; i < 3 && rx.bhs[BHS_RSP_STATUS] != STATUS_GOOD; i++) {
			cmd_bhs(&s, bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE, LEN, 0x2a, LBA,
				LEN / BLOCK, &itt);
			send_pdu(fd, bhs, data, LEN);
			expect_pdu(fd, &rx, ISCSI_OP_SCSI_RSP);
			assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
			check_sn(&s, rx.bhs);
		}
		assert_int_equal(rx.bhs[BHS_RSP_STATUS], STATUS_GOOD);
	}
	rx_free(&rx);
	/* Nothing else came (no second answer to either). */
	assert_quiet(fd, 100);
	{
		uint8_t cdb[16];

		cdb_rw10(cdb, 0x28, LBA, LEN / BLOCK);
		assert_int_equal(sess_run(&s, 0, cdb, NULL, 0, back, LEN, NULL), STATUS_GOOD);
	}
	assert_memory_equal(back, data, LEN);
	sess_close(&s);
	free(wire);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_with_digests),
		cmocka_unit_test(test_trail_in_next_read),
		cmocka_unit_test(test_bad_digest_into_task_buffer),
		cmocka_unit_test(test_many_pdus_in_one_send),
		cmocka_unit_test(test_large_segments),
		cmocka_unit_test(test_reset_while_data_out_lands),
		cmocka_unit_test(test_close_while_data_out_lands),
		cmocka_unit_test(test_reset_while_data_in_queued),
		cmocka_unit_test(test_pipelined_after_login),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: rx_test PORT TARGET_IQN\n");
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
