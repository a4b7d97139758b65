/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The session layer of the wire tests' client, on top of client.h: a login
 * straight from the operational stage to full feature phase, the CmdSN,
 * StatSN and ITT bookkeeping of one connection, and the SCSI Command and
 * Data-Out PDUs built from it. All PDUs go to LUN 0 unless a @lun is taken
 * (single level LUN, byte 1). Failures are cmocka assertions, so these are
 * only for use inside cmocka tests.
 *
 * The helpers check only what every caller relies on; a program that checks
 * more (login keys, F bits, the Response field) does so on what they leave
 * behind (s->login_rsp, the struct rx it passed).
 */
#ifndef CTGT_TESTS_WIRE_SESSION_H
#define CTGT_TESTS_WIRE_SESSION_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/wire/client.h"

/* SAM status and task attribute values the tests send and expect. */
#define STATUS_GOOD	0x00
#define STATUS_CHECK	0x02
#define ATTR_SIMPLE	1
#define ATTR_ORDERED	2

/** Room sess_run() wants for sense data. */
#define SENSE_MAX	96

/** One connection in full feature phase; sess_login() fills it in. */
struct sess {
	int fd;
	uint32_t cmdsn;		/* CmdSN of the next non-immediate request */
	uint32_t exp_statsn;	/* StatSN the next status-bearing PDU must carry */
	uint32_t next_itt;
	uint32_t tgt_mrdsl;	/* the target's MaxRecvDataSegmentLength, 0 if undeclared */
	/*
	 * How many CmdSNs sess_check_sn() wants the window to admit past
	 * ExpCmdSN - 1: 0 accepts a closed window. 0 after sess_login().
	 */
	uint32_t min_window;
	struct rx login_rsp;	/* the final Login Response and its keys, owned */
	/* MC/S: a connection sess_join() added takes its CmdSNs from (and
	 * checks ExpCmdSN against) the leading connection's counter. */
	struct sess *lead;
};

/** The CmdSN counter @s uses: its own, or its leading connection's. */
uint32_t *sess_cmdsn(struct sess *s);

/**
 * Write the keys of a leading login into @buf (@cap bytes) as key=value\0
 * pairs: InitiatorName=@initiator, then TargetName=@target and
 * SessionType=Normal, or SessionType=Discovery when @target is NULL, then
 * every further argument (a whole "key=value"; the list ends with NULL).
 * Returns the length written.
 */
size_t login_keys(char *buf, size_t cap, const char *initiator, const char *target, ...);

/**
 * Connect to 127.0.0.1:@port and log in with one Login Request (operational
 * stage, T bit, next stage full feature; ISID 80 44 46 54 00 @isid_last)
 * holding login_keys(@initiator, @target, ...) (the extra keys end with
 * NULL). Asserts a Login Response of status class 0, then sess_accept().
 * @s is overwritten; release it with sess_close().
 */
void sess_login(struct sess *s, int port, uint8_t isid_last, const char *initiator,
		const char *target, ...);
/** sess_login() with the extra keys as a va_list, for callers that add their own. */
void sess_vlogin(struct sess *s, int port, uint8_t isid_last, const char *initiator,
		 const char *target, va_list extra);

/**
 * Take @fd as @s's connection, whose final Login Response the caller has
 * received into s->login_rsp: assert it is a Login Response of status class
 * 0, note the target's MaxRecvDataSegmentLength and start counting (CmdSN 1,
 * ExpStatSN one past its StatSN, ITTs from 1). Leaves min_window alone.
 */
void sess_accept(struct sess *s, int fd);

/**
 * Connect to 127.0.0.1:@port and log in a further connection of @lead's
 * session (a login with its ISID and TSIH) with CID @cid and the keys
 * InitiatorName=@initiator, TargetName=@target and every further argument
 * (ending with NULL). Returns the final Login Response's status class << 8 |
 * detail. On 0, @s is that connection (sess_accept(), s->lead = @lead: it
 * shares @lead's CmdSN); otherwise its socket is closed, s->fd is -1 and
 * nothing needs freeing.
 * @isid_last, unless 0, replaces the last byte of the ISID (to try a wrong one).
 */
uint16_t sess_join(struct sess *s, struct sess *lead, int port, uint16_t cid,
		   uint8_t isid_last, const char *initiator, const char *target, ...);

/** Close the connection and free s->login_rsp. */
void sess_close(struct sess *s);

/**
 * Check the StatSN, ExpCmdSN and MaxCmdSN of a status-bearing PDU from the
 * target (StatSN as expected, ExpCmdSN = s->cmdsn, window per min_window)
 * and take the StatSN.
 */
void sess_check_sn(struct sess *s, const uint8_t *bhs);

/**
 * Send a SCSI Command for @lun: @flags is byte 1 whole (F, R, W and the
 * task attribute), @edtl the Expected Data Transfer Length, @cdb 16 bytes,
 * @imm_len bytes at @imm the immediate data. Takes a CmdSN and an ITT and
 * carries s->exp_statsn; returns the ITT.
 */
uint32_t sess_cmd(struct sess *s, uint8_t lun, uint8_t flags, uint32_t edtl,
		  const uint8_t cdb[16], const void *imm, uint32_t imm_len);

/**
 * Receive the next PDU into @rx (the caller frees it with rx_free()),
 * assert it is the SCSI Response of @itt and sess_check_sn() it. Returns
 * its status.
 */
uint8_t sess_expect_rsp(struct sess *s, uint32_t itt, struct rx *rx);

/**
 * Answer the NOP-In ping @ping (ITT reserved) on @s as an initiator does: a
 * NOP-Out, immediate, with its Target Transfer Tag and the reserved ITT.
 */
void sess_answer_ping(struct sess *s, const struct rx *ping);

/**
 * Send a Data-Out PDU for @itt/@ttt: DataSN @datasn, Buffer Offset @off,
 * @len bytes at @data, F bit when @final.
 */
/** The BHS of a Data-Out of @s (DataSN @datasn at buffer offset @off),
 *  with the F bit when @final; the caller sends it. */
void sess_data_out_bhs(uint8_t bhs[ISCSI_BHS_LEN], const struct sess *s, uint32_t itt,
		       uint32_t ttt, uint32_t datasn, uint32_t off, bool final);
/** The BHS of an immediate NOP-Out ping of @s with ITT @itt (no TTT). */
void sess_nop_bhs(uint8_t bhs[ISCSI_BHS_LEN], const struct sess *s, uint32_t itt);
/** The BHS of an immediate Task Management Function Request: function @fn
 *  on @lun, referenced task @rtt and RefCmdSN @refcmdsn. */
void sess_tmf_bhs(uint8_t bhs[ISCSI_BHS_LEN], const struct sess *s, uint32_t itt, uint8_t fn,
		  uint8_t lun, uint32_t rtt, uint32_t refcmdsn);
void sess_data_out(struct sess *s, uint32_t itt, uint32_t ttt, uint32_t datasn, uint32_t off,
		   const void *data, uint32_t len, bool final);

/**
 * Run @cdb on @lun as a SIMPLE task and wait for its status: @out_len bytes
 * at @out go as immediate data (a write), or up to @in_cap bytes of Data-In
 * are gathered into @in (a read); the Expected Data Transfer Length is the
 * one that is not 0. Asserts that every PDU back belongs to it and that
 * Data-In comes in order and fits. The status PDU's StatSN becomes the one
 * acknowledged (unchecked). When @sense is given (SENSE_MAX bytes), a SCSI
 * Response's sense data, if any, is copied there. Returns the status.
 */
uint8_t sess_run(struct sess *s, uint8_t lun, const uint8_t cdb[16], const void *out,
		 uint32_t out_len, void *in, uint32_t in_cap, uint8_t *sense);

/**
 * The second half of sess_run(), for a command sent with sess_cmd(): its
 * Data-In into @in (up to @in_cap bytes) and its status, the next PDUs
 * on @s (asserted to be @itt's), its sense into @sense when given.
 */
uint8_t sess_wait(struct sess *s, uint32_t itt, void *in, uint32_t in_cap, uint8_t *sense);

/**
 * sess_run() TEST UNIT READY on @lun until GOOD, at most 3 times: a new
 * I_T nexus first reports its unit attentions.
 */
void sess_clear_ua(struct sess *s, uint8_t lun);

/** Fill @cdb with a READ(10) or WRITE(10) (@op) of @blocks at @lba, the rest 0. */
void cdb_rw10(uint8_t cdb[16], uint8_t op, uint32_t lba, uint16_t blocks);

#endif
