/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seeds of fuzz_pdu (gen_corpus.h): what an initiator sends on one
 * connection, PDU by PDU (logins, commands with every way of data-out,
 * text, task management, logout), with digests where negotiated.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "iscsi/pdu.h"
#include "tests/fuzz/fuzz_common.h"
#include "tests/fuzz/gen_corpus.h"

/* The initiator side of one connection, as fuzz_pdu receives it. */
struct ini {
	struct buf b;
	bool hdr_digest, data_digest;	/* in force from the first FFP PDU */
	uint32_t cmdsn, itt;
};

static void digest(struct buf *b, const void *p, size_t n)
{
	struct iovec v = { (void *)p, n };
	uint8_t d[4];

	iscsi_digest_put(d, iscsi_crc32c(&v, 1));
	put(b, d, 4);
}

/* One PDU: @bhs (48 bytes, data length filled in here), optional AHS, data. */
static void pdu(struct ini *s, uint8_t *bhs, const uint8_t *ahs, size_t ahslen,
		const void *data, uint32_t dlen)
{
	static const uint8_t zero[4];
	uint8_t hdr[ISCSI_BHS_LEN + 256];
	uint8_t seg[65536];

	bhs[BHS_TOTAL_AHS_LEN] = (uint8_t)(ahslen / 4);
	bhs_set_data_len(bhs, dlen);
	memcpy(hdr, bhs, ISCSI_BHS_LEN);
	if (ahslen)
		memcpy(hdr + ISCSI_BHS_LEN, ahs, ahslen);
	put(&s->b, hdr, ISCSI_BHS_LEN + ahslen);
	if (s->hdr_digest)
		digest(&s->b, hdr, ISCSI_BHS_LEN + ahslen);
	if (!dlen)
		return;
	memcpy(seg, data, dlen);
	memcpy(seg + dlen, zero, iscsi_pad(dlen));
	put(&s->b, seg, dlen + iscsi_pad(dlen));
	if (s->data_digest)
		digest(&s->b, seg, dlen + iscsi_pad(dlen));
}

/* key=value\0 pairs from a list of "key=value" strings ending with NULL. */
static uint32_t keys(uint8_t *out, const char *const *kv)
{
	uint32_t n = 0;

	for (; *kv; kv++) {
		size_t l = strlen(*kv) + 1;

		memcpy(out + n, *kv, l);
		n += (uint32_t)l;
	}
	return n;
}

static const uint8_t isid[6] = { 0x80, 0, 0, 0x12, 0x34, 0 };

static void login_pdu(struct ini *s, uint8_t flags, const char *const *kv)
{
	uint8_t bhs[48] = { ISCSI_OP_LOGIN_REQ | ISCSI_OP_IMMEDIATE, flags };
	uint8_t data[4096];

	memcpy(bhs + BHS_LOGIN_ISID, isid, 6);
	bhs_set_u32(bhs, BHS_ITT, s->itt++);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn);
	pdu(s, bhs, NULL, 0, data, keys(data, kv));
}

static void login_normal(struct ini *s, bool digests)
{
	const char *const sec[] = { "InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN,
				    "SessionType=Normal", "AuthMethod=None", NULL };
	const char *const op[] = { digests ? "HeaderDigest=CRC32C" : "HeaderDigest=None",
				   digests ? "DataDigest=CRC32C" : "DataDigest=None",
				   "InitialR2T=No", "ImmediateData=Yes",
				   "MaxRecvDataSegmentLength=262144", "MaxBurstLength=262144",
				   "FirstBurstLength=65536", "MaxOutstandingR2T=1",
				   "ErrorRecoveryLevel=0", "DefaultTime2Wait=2",
				   "DefaultTime2Retain=0", "DataPDUInOrder=Yes",
				   "DataSequenceInOrder=Yes", "MaxConnections=1", NULL };

	login_pdu(s, LFLAGS(1, ST_SEC, ST_OP), sec);
	login_pdu(s, LFLAGS(1, ST_OP, ST_FFP), op);
	s->hdr_digest = s->data_digest = digests;
}

static void cmd(struct ini *s, uint8_t flags, uint32_t edtl, const uint8_t *cdb, size_t cdblen,
		const void *imm, uint32_t immlen)
{
	uint8_t bhs[48] = { ISCSI_OP_SCSI_CMD, (uint8_t)(flags | 1) };	/* SIMPLE */

	bhs_set_u32(bhs, BHS_ITT, s->itt++);
	bhs_set_u32(bhs, BHS_CMD_EDTL, edtl);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn++);
	memcpy(bhs + BHS_CMD_CDB, cdb, cdblen);
	pdu(s, bhs, NULL, 0, imm, immlen);
}

static void data_out(struct ini *s, uint32_t itt, uint32_t ttt, uint32_t datasn, uint32_t off,
		     bool final, const void *data, uint32_t len)
{
	uint8_t bhs[48] = { ISCSI_OP_DATA_OUT, final ? ISCSI_FLAG_FINAL : 0 };

	bhs_set_u32(bhs, BHS_ITT, itt);
	bhs_set_u32(bhs, BHS_TTT, ttt);
	bhs_set_u32(bhs, BHS_DATASN, datasn);
	bhs_set_u32(bhs, BHS_BUFFER_OFFSET, off);
	pdu(s, bhs, NULL, 0, data, len);
}

static void nop(struct ini *s, const void *data, uint32_t len)
{
	uint8_t bhs[48] = { ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE, ISCSI_FLAG_FINAL };

	bhs_set_u32(bhs, BHS_ITT, s->itt++);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn);
	pdu(s, bhs, NULL, 0, data, len);
}

static void text(struct ini *s, const char *const *kv)
{
	uint8_t bhs[48] = { ISCSI_OP_TEXT_REQ, ISCSI_FLAG_FINAL };
	uint8_t data[1024];

	bhs_set_u32(bhs, BHS_ITT, s->itt++);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn++);
	pdu(s, bhs, NULL, 0, data, keys(data, kv));
}

static void tmf_req(struct ini *s, uint8_t fn, uint32_t rtt)
{
	uint8_t bhs[48] = { ISCSI_OP_TMF_REQ | ISCSI_OP_IMMEDIATE, (uint8_t)(ISCSI_FLAG_FINAL | fn) };

	bhs_set_u32(bhs, BHS_ITT, s->itt++);
	bhs_set_u32(bhs, BHS_TMF_RTT, rtt);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn);
	bhs_set_u32(bhs, BHS_TMF_REFCMDSN, s->cmdsn - 1);
	pdu(s, bhs, NULL, 0, NULL, 0);
}

static void logout(struct ini *s, uint8_t reason)
{
	uint8_t bhs[48] = { ISCSI_OP_LOGOUT_REQ | ISCSI_OP_IMMEDIATE,
			    (uint8_t)(ISCSI_FLAG_FINAL | reason) };

	bhs_set_u32(bhs, BHS_ITT, s->itt++);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn);
	pdu(s, bhs, NULL, 0, NULL, 0);
}

/* The two control bytes of fuzz_pdu: largest read() (index) and its seed. */
static void pdu_save(const char *name, struct ini *s, uint8_t chunking, uint8_t seed)
{
	struct buf *out = malloc(sizeof(*out));

	if (!out)
		exit(1);
	out->len = 0;
	put_u8(out, chunking);
	put_u8(out, seed);
	put(out, s->b.d, s->b.len);
	save("pdu", name, out);
	free(out);
}

#define R ISCSI_CMD_READ
#define W ISCSI_CMD_WRITE
#define F ISCSI_FLAG_FINAL

/* The commands of a normal session: every way data-out arrives. */
static void session_io(struct ini *s)
{
	uint32_t itt;

	cmd(s, F, 0, CDB(0x00), NULL, 0);				/* UA */
	cmd(s, F | R, 96, CDB(0x12, 0, 0, 0, 96), NULL, 0);
	cmd(s, F | R, 8, CDB(0x25), NULL, 0);
	cmd(s, F | R, 64, CDB(0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 64), NULL, 0);
	cmd(s, F | W, 512, CDB(0x2a, 0, 0, 0, 0, 1, 0, 0, 1), pattern, 512);	/* immediate */
	itt = s->itt;
	cmd(s, W, 2048, CDB(0x2a, 0, 0, 0, 0, 2, 0, 0, 4), pattern, 512);	/* + unsolicited */
	data_out(s, itt, ISCSI_RSVD_TAG, 0, 512, false, pattern + 512, 1024);
	data_out(s, itt, ISCSI_RSVD_TAG, 1, 1536, true, pattern + 1536, 512);
	itt = s->itt;
	cmd(s, F | W, 4096, CDB(0x2a, 0, 0, 0, 0, 8, 0, 0, 8), NULL, 0);	/* solicited */
	data_out(s, itt, 1, 0, 0, false, pattern, 2048);			/* R2T TTT 1 */
	data_out(s, itt, 1, 1, 2048, true, pattern + 2048, 2048);
	cmd(s, F | R, 4096, CDB(0x28, 0, 0, 0, 0, 8, 0, 0, 8), NULL, 0);
	cmd(s, F | R, 1024, CDB(0x28, 0, 0, 0, 0, 2, 0, 0, 4), NULL, 0);	/* residual */
	cmd(s, F | W, 1024, CDB(0x89, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1), pattern, 1024);
	nop(s, "ping", 4);
	tmf_req(s, 1, 0x1234);						/* ABORT TASK */
	tmf_req(s, 5, ISCSI_RSVD_TAG);					/* LU RESET */
}

void gen_pdu(void)
{
	struct ini s;

	memset(&s, 0, sizeof(s));
	login_normal(&s, false);
	session_io(&s);
	text(&s, (const char *const[]){ "SendTargets=All", NULL });
	logout(&s, 0);
	pdu_save("session", &s, 0, 0);
	pdu_save("session-chunked", &s, 2, 7);

	memset(&s, 0, sizeof(s));
	login_normal(&s, true);
	session_io(&s);
	logout(&s, 0);
	pdu_save("session-digests", &s, 3, 1);	/* reads < 48: login ends a wake-up */

	memset(&s, 0, sizeof(s));
	login_pdu(&s, LFLAGS(1, ST_OP, ST_FFP), (const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "SessionType=Discovery",
		"HeaderDigest=None", "DataDigest=None", NULL });
	text(&s, (const char *const[]){ "SendTargets=All", NULL });
	text(&s, (const char *const[]){ "SendTargets=" FUZZ_IQN, NULL });
	nop(&s, NULL, 0);
	logout(&s, 0);
	pdu_save("discovery", &s, 0, 0);

	/* Login keys in two PDUs (C bit), then a command with an extended
	 * CDB AHS and one with a bidirectional read length AHS, SNACK. */
	memset(&s, 0, sizeof(s));
	login_pdu(&s, ISCSI_LOGIN_CONTINUE | LFLAGS(0, ST_OP, 0), (const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, NULL });
	login_pdu(&s, LFLAGS(1, ST_OP, ST_FFP), (const char *const[]){
		"TargetName=" FUZZ_IQN, "ImmediateData=No", "InitialR2T=Yes",
		"MaxRecvDataSegmentLength=512", NULL });
	{
		uint8_t bhs[48] = { ISCSI_OP_SCSI_CMD, F | R | 1 };
		uint8_t ahs[20] = { 0, 17, 1, 0 };
		uint8_t bidi[8] = { 0, 5, 2, 0, 0, 0, 2, 0 };

		bhs_set_u32(bhs, BHS_ITT, s.itt++);
		bhs_set_u32(bhs, BHS_CMD_EDTL, 512);
		bhs_set_u32(bhs, BHS_CMDSN, s.cmdsn++);
		bhs[BHS_CMD_CDB] = 0x7f;	/* variable length CDB */
		pdu(&s, bhs, ahs, sizeof(ahs), NULL, 0);
		memset(bhs, 0, sizeof(bhs));
		bhs[0] = ISCSI_OP_SCSI_CMD;
		bhs[1] = F | R | W | 1;
		bhs_set_u32(bhs, BHS_ITT, s.itt++);
		bhs_set_u32(bhs, BHS_CMD_EDTL, 512);
		bhs_set_u32(bhs, BHS_CMDSN, s.cmdsn++);
		bhs[BHS_CMD_CDB] = 0x89;
		bhs[BHS_CMD_CDB + 13] = 1;
		pdu(&s, bhs, bidi, sizeof(bidi), NULL, 0);
		memset(bhs, 0, sizeof(bhs));
		bhs[0] = ISCSI_OP_SNACK_REQ;
		bhs[1] = F;
		pdu(&s, bhs, NULL, 0, NULL, 0);
	}
	{
		uint32_t itt = s.itt;

		cmd(&s, F | W, 1024, CDB(0x2a, 0, 0, 0, 0, 0, 0, 0, 2), NULL, 0);	/* R2T */
		data_out(&s, itt, 1, 0, 0, false, pattern, 512);
		data_out(&s, itt, 1, 1, 512, true, pattern + 512, 512);
	}
	text(&s, (const char *const[]){ "MaxRecvDataSegmentLength=8192", "X-fuzz=1", NULL });
	logout(&s, 1);
	pdu_save("ahs-continue", &s, 5, 3);

	/* Failures: a login to an unknown target; garbage after a Reject. */
	memset(&s, 0, sizeof(s));
	login_pdu(&s, LFLAGS(1, ST_SEC, ST_FFP), (const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=iqn.2026-11.io.ctgt:nope",
		NULL });
	pdu_save("login-fail", &s, 0, 0);
}
