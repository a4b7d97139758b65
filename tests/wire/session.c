/* SPDX-License-Identifier: Apache-2.0 */
#include "tests/wire/session.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "iscsi/pdu.h"
#include "util/endian.h"

/* ---- login ---- */

static size_t vlogin_keys(char *buf, size_t cap, const char *initiator, const char *target,
			  va_list extra)
{
	char kv[300];
	const char *k;
	size_t len;

	assert_true(snprintf(kv, sizeof(kv), "InitiatorName=%s", initiator) < (int)sizeof(kv));
	len = add_key(buf, 0, cap, kv);
	if (!target) {
		len = add_key(buf, len, cap, "SessionType=Discovery");
	} else {
		assert_true(snprintf(kv, sizeof(kv), "TargetName=%s", target) < (int)sizeof(kv));
		len = add_key(buf, len, cap, kv);
		len = add_key(buf, len, cap, "SessionType=Normal");
	}
	while ((k = va_arg(extra, const char *)) != NULL)
		len = add_key(buf, len, cap, k);
	return len;
}

size_t login_keys(char *buf, size_t cap, const char *initiator, const char *target, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, target);
	len = vlogin_keys(buf, cap, initiator, target, ap);
	va_end(ap);
	return len;
}

void sess_vlogin(struct sess *s, int port, uint8_t isid_last, const char *initiator,
		 const char *target, va_list extra)
{
	char buf[2048];
	uint8_t bhs[ISCSI_BHS_LEN];
	size_t len = vlogin_keys(buf, sizeof(buf), initiator, target, extra);
	int fd = wire_connect(port);

	memset(s, 0, sizeof(*s));
	login_bhs(bhs, LOGIN_TO_FFP, isid_last);
	send_pdu(fd, bhs, buf, (uint32_t)len);
	assert_int_equal(recv_pdu(fd, &s->login_rsp), 0);
	sess_accept(s, fd);
}

void sess_login(struct sess *s, int port, uint8_t isid_last, const char *initiator,
		const char *target, ...)
{
	va_list ap;

	va_start(ap, target);
	sess_vlogin(s, port, isid_last, initiator, target, ap);
	va_end(ap);
}

void sess_accept(struct sess *s, int fd)
{
	const uint8_t *r = s->login_rsp.bhs;
	const char *mrdsl;

	assert_int_equal(bhs_opcode(r), ISCSI_OP_LOGIN_RSP);
	if (r[BHS_LOGIN_STATUS_CLASS] != 0)
		fail_msg("login failed: %02x/%02x", r[BHS_LOGIN_STATUS_CLASS],
			 r[BHS_LOGIN_STATUS_DETAIL]);
	/* The target declares what it receives (RFC 7143 13.12). */
	mrdsl = find_key(s->login_rsp.data, s->login_rsp.len, "MaxRecvDataSegmentLength");
	s->tgt_mrdsl = mrdsl ? (uint32_t)strtoul(mrdsl, NULL, 10) : 0;
	s->fd = fd;
	s->cmdsn = 1;
	s->exp_statsn = bhs_u32(r, BHS_STATSN) + 1;
	s->next_itt = 1;
}

uint32_t *sess_cmdsn(struct sess *s)
{
	return s->lead ? &s->lead->cmdsn : &s->cmdsn;
}

uint16_t sess_join(struct sess *s, struct sess *lead, int port, uint16_t cid,
		   uint8_t isid_last, const char *initiator, const char *target, ...)
{
	char buf[2048], kv[300];
	uint8_t bhs[ISCSI_BHS_LEN];
	const char *k;
	size_t len;
	va_list ap;
	uint16_t status;
	int fd;

	memset(s, 0, sizeof(*s));
	assert_true(snprintf(kv, sizeof(kv), "InitiatorName=%s", initiator) < (int)sizeof(kv));
	len = add_key(buf, 0, sizeof(buf), kv);
	assert_true(snprintf(kv, sizeof(kv), "TargetName=%s", target) < (int)sizeof(kv));
	len = add_key(buf, len, sizeof(buf), kv);
	va_start(ap, target);
	while ((k = va_arg(ap, const char *)) != NULL)
		len = add_key(buf, len, sizeof(buf), k);
	va_end(ap);
	login_bhs(bhs, LOGIN_TO_FFP, 0);
	memcpy(bhs + BHS_LOGIN_ISID, lead->login_rsp.bhs + BHS_LOGIN_ISID, 6);
	if (isid_last)
		bhs[BHS_LOGIN_ISID + 5] = isid_last;
	memcpy(bhs + BHS_LOGIN_TSIH, lead->login_rsp.bhs + BHS_LOGIN_TSIH, 2);
	put_be16(bhs + BHS_LOGIN_CID, cid);
	bhs_set_u32(bhs, BHS_CMDSN, *sess_cmdsn(lead));
	fd = wire_connect(port);
	send_pdu(fd, bhs, buf, (uint32_t)len);
	assert_int_equal(recv_pdu(fd, &s->login_rsp), 0);
	assert_int_equal(bhs_opcode(s->login_rsp.bhs), ISCSI_OP_LOGIN_RSP);
	status = (uint16_t)(s->login_rsp.bhs[BHS_LOGIN_STATUS_CLASS] << 8 |
			    s->login_rsp.bhs[BHS_LOGIN_STATUS_DETAIL]);
	if (status) {
		rx_free(&s->login_rsp);
		close(fd);
		s->fd = -1;
		return status;
	}
	/* Same session: same TSIH back, and the session's CmdSN window. */
	assert_memory_equal(s->login_rsp.bhs + BHS_LOGIN_TSIH, bhs + BHS_LOGIN_TSIH, 2);
	assert_int_equal(bhs_u32(s->login_rsp.bhs, BHS_EXPCMDSN), *sess_cmdsn(lead));
	sess_accept(s, fd);
	s->lead = lead;
	return 0;
}

void sess_close(struct sess *s)
{
	close(s->fd);
	s->fd = -1;
	rx_free(&s->login_rsp);
}

/* ---- full feature phase ---- */

void sess_check_sn(struct sess *s, const uint8_t *bhs)
{
	assert_int_equal(bhs_u32(bhs, BHS_STATSN), s->exp_statsn);
	s->exp_statsn++;
	assert_int_equal(bhs_u32(bhs, BHS_EXPCMDSN), *sess_cmdsn(s));
	assert_true(sn_le(*sess_cmdsn(s) - 1 + s->min_window, bhs_u32(bhs, BHS_MAXCMDSN)));
}

uint32_t sess_cmd(struct sess *s, uint8_t lun, uint8_t flags, uint32_t edtl,
		  const uint8_t cdb[16], const void *imm, uint32_t imm_len)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };
	uint32_t itt = s->next_itt++;

	bhs[BHS_OPCODE] = ISCSI_OP_SCSI_CMD;
	bhs[BHS_FLAGS] = flags;
	bhs[BHS_LUN + 1] = lun;
	bhs_set_u32(bhs, BHS_ITT, itt);
	bhs_set_u32(bhs, BHS_CMD_EDTL, edtl);
	bhs_set_u32(bhs, BHS_CMDSN, (*sess_cmdsn(s))++);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
	memcpy(bhs + BHS_CMD_CDB, cdb, 16);
	send_pdu(s->fd, bhs, imm, imm_len);
	return itt;
}

uint8_t sess_expect_rsp(struct sess *s, uint32_t itt, struct rx *rx)
{
	expect_pdu(s->fd, rx, ISCSI_OP_SCSI_RSP);
	assert_int_equal(bhs_u32(rx->bhs, BHS_ITT), itt);
	sess_check_sn(s, rx->bhs);
	return rx->bhs[BHS_RSP_STATUS];
}

void sess_answer_ping(struct sess *s, const struct rx *ping)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };

	assert_int_equal(bhs_opcode(ping->bhs), ISCSI_OP_NOP_IN);
	assert_int_equal(bhs_u32(ping->bhs, BHS_ITT), ISCSI_RSVD_TAG);
	bhs[BHS_OPCODE] = ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(bhs, BHS_ITT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_TTT, bhs_u32(ping->bhs, BHS_TTT));
	bhs_set_u32(bhs, BHS_CMDSN, *sess_cmdsn(s));
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
	send_pdu(s->fd, bhs, NULL, 0);
}

void sess_data_out_bhs(uint8_t bhs[ISCSI_BHS_LEN], const struct sess *s, uint32_t itt,
		       uint32_t ttt, uint32_t datasn, uint32_t off, bool final)
{
	memset(bhs, 0, ISCSI_BHS_LEN);
	bhs[BHS_OPCODE] = ISCSI_OP_DATA_OUT;
	bhs[BHS_FLAGS] = final ? ISCSI_FLAG_FINAL : 0;
	bhs_set_u32(bhs, BHS_ITT, itt);
	bhs_set_u32(bhs, BHS_TTT, ttt);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
	bhs_set_u32(bhs, BHS_DATASN, datasn);
	bhs_set_u32(bhs, BHS_BUFFER_OFFSET, off);
}

void sess_nop_bhs(uint8_t bhs[ISCSI_BHS_LEN], const struct sess *s, uint32_t itt)
{
	memset(bhs, 0, ISCSI_BHS_LEN);
	bhs[BHS_OPCODE] = ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(bhs, BHS_ITT, itt);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
}

void sess_tmf_bhs(uint8_t bhs[ISCSI_BHS_LEN], const struct sess *s, uint32_t itt, uint8_t fn,
		  uint8_t lun, uint32_t rtt, uint32_t refcmdsn)
{
	memset(bhs, 0, ISCSI_BHS_LEN);
	bhs[BHS_OPCODE] = ISCSI_OP_TMF_REQ | ISCSI_OP_IMMEDIATE;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL | fn;
	bhs[BHS_LUN + 1] = lun;
	bhs_set_u32(bhs, BHS_ITT, itt);
	bhs_set_u32(bhs, BHS_TMF_RTT, rtt);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
	bhs_set_u32(bhs, BHS_TMF_REFCMDSN, refcmdsn);
}

void sess_data_out(struct sess *s, uint32_t itt, uint32_t ttt, uint32_t datasn, uint32_t off,
		   const void *data, uint32_t len, bool final)
{
	uint8_t bhs[ISCSI_BHS_LEN];

	sess_data_out_bhs(bhs, s, itt, ttt, datasn, off, final);
	send_pdu(s->fd, bhs, data, len);
}

uint8_t sess_run(struct sess *s, uint8_t lun, const uint8_t cdb[16], const void *out,
		 uint32_t out_len, void *in, uint32_t in_cap, uint8_t *sense)
{
	uint8_t flags = ISCSI_FLAG_FINAL | ATTR_SIMPLE | (out_len ? ISCSI_CMD_WRITE : 0) |
			(in_cap ? ISCSI_CMD_READ : 0);
	uint32_t itt = sess_cmd(s, lun, flags, out_len ? out_len : in_cap, cdb, out, out_len);

	return sess_wait(s, itt, in, in_cap, sense);
}

uint8_t sess_wait(struct sess *s, uint32_t itt, void *in, uint32_t in_cap, uint8_t *sense)
{
	struct rx rx = { 0 };
	uint32_t got = 0;
	uint8_t status;

	for (;;) {
		assert_int_equal(recv_pdu(s->fd, &rx), 0);
		assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
		if (bhs_opcode(rx.bhs) == ISCSI_OP_SCSI_RSP)
			break;
		assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_DATA_IN);
		assert_int_equal(bhs_u32(rx.bhs, BHS_BUFFER_OFFSET), got);
		assert_true(got + rx.len <= in_cap);
		if (rx.len)
			memcpy((uint8_t *)in + got, rx.data, rx.len);
		got += rx.len;
		if (rx.bhs[BHS_FLAGS] & ISCSI_DATAIN_STATUS)	/* no SCSI Response follows */
			break;
	}
	status = rx.bhs[BHS_RSP_STATUS];
	s->exp_statsn = bhs_u32(rx.bhs, BHS_STATSN) + 1;
	/* A SCSI Response's data is SenseLength, then the sense data. */
	if (sense && bhs_opcode(rx.bhs) == ISCSI_OP_SCSI_RSP && rx.len >= 2)
		memcpy(sense, rx.data + 2, rx.len - 2 < SENSE_MAX ? rx.len - 2 : SENSE_MAX);
	rx_free(&rx);
	return status;
}

void sess_clear_ua(struct sess *s, uint8_t lun)
{
	static const uint8_t tur[16];
	int i;

	for (i = 0; i < 3 && sess_run(s, lun, tur, NULL, 0, NULL, 0, NULL) != STATUS_GOOD; i++)
		;
	assert_true(i < 3);
}

void cdb_rw10(uint8_t cdb[16], uint8_t op, uint32_t lba, uint16_t blocks)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, blocks);
}
