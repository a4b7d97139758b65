/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seeds of fuzz_login (gen_corpus.h): rounds of login keys, for the
 * negotiation alone or through the server (with and without CHAP).
 */
#include <stdint.h>
#include <string.h>

#include "iscsi/pdu.h"
#include "tests/fuzz/fuzz_common.h"
#include "tests/fuzz/gen_corpus.h"

/* @rounds rounds of fuzz_login: each a list of "key=value" strings ended
 * by NULL, in server mode prefixed by the round's two bytes from @hdr (BHS
 * flags, variations). */
static void login_seed(const char *name, uint8_t mode, int rounds, const uint8_t (*hdr)[2],
		       const char *const *kv)
{
	struct buf b = { .len = 0 };

	put_u8(&b, mode);
	for (int round = 0; round < rounds; round++) {
		if (round)
			put_u8(&b, FUZZ_SEP);
		if (hdr)
			put(&b, hdr[round], 2);
		for (; *kv; kv++)
			put(&b, *kv, strlen(*kv) + 1);
		kv++;
	}
	save("login", name, &b);
}

/* Regression: a last TargetName without its NUL (the negotiation takes
 * it, the login's kv_find() did not, so no credentials were required). */
static void login_regress_unterminated(void)
{
	struct buf b = { .len = 0 };

	put_u8(&b, FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(1));
	put_u8(&b, LFLAGS(1, ST_OP, ST_FFP));
	put_u8(&b, 0);
	put_str(&b, "InitiatorName=" FUZZ_INITIATOR);
	put_u8(&b, 0);
	put_str(&b, "TargetName=" FUZZ_IQN);	/* no NUL */
	save("login", "regress-chap-unterminated", &b);
}

/* Server mode with CHAP on the target (FZ_LOGIN_AUTH()): the harness
 * answers the challenge where a round says FZ_LOGIN_ANSWER, so these logins
 * reach the operational stage and full feature phase; a guess must not,
 * nor a login that skips the security stage. */
static void gen_login_chap(void)
{
	const uint8_t sec = LFLAGS(0, ST_SEC, 0), answer = FZ_LOGIN_ANSWER;
	const uint8_t to_op = LFLAGS(1, ST_SEC, ST_OP), to_ffp = LFLAGS(1, ST_OP, ST_FFP);

	login_seed("chap-oneway", FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(1), 5, (const uint8_t[][2]){
		{ sec, 0 }, { sec, 0 }, { to_op, answer }, { to_ffp, 0 }, { ISCSI_FLAG_FINAL, 1 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, "SessionType=Normal",
		"AuthMethod=CHAP,None", NULL, "CHAP_A=5", NULL, NULL,
		"InitialR2T=No", "ImmediateData=Yes", "MaxBurstLength=262144", NULL,
		"SendTargets=All", NULL, NULL });
	login_seed("chap-mutual", FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(2), 3, (const uint8_t[][2]){
		{ sec, 0 }, { to_op, answer }, { to_ffp, 0 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, "AuthMethod=CHAP",
		"CHAP_A=7,5", NULL, "CHAP_I=9", "CHAP_C=0x00112233445566778899aabbccddeeff", NULL,
		"MaxRecvDataSegmentLength=8192", NULL, NULL });
	login_seed("chap-initiator-b64", FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(3), 3,
		(const uint8_t[][2]){ { sec, 0 }, { to_op, answer | FZ_LOGIN_B64 | FZ_LOGIN_BOB },
				      { to_ffp, 0 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, "AuthMethod=CHAP",
		"CHAP_A=6", NULL, NULL, "ErrorRecoveryLevel=0", NULL, NULL });
	login_seed("chap-discovery", FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(2), 3, (const uint8_t[][2]){
		{ sec, 0 }, { LFLAGS(1, ST_SEC, ST_FFP), answer }, { ISCSI_FLAG_FINAL, 1 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "SessionType=Discovery", "AuthMethod=CHAP",
		"CHAP_A=8", NULL, NULL, "SendTargets=All", NULL, NULL });
	login_seed("chap-guess", FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(1), 2, (const uint8_t[][2]){
		{ sec, 0 }, { to_op, 0 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, "AuthMethod=CHAP",
		"CHAP_A=5", NULL, "CHAP_N=alice", "CHAP_R=0x00112233445566778899aabbccddeeff",
		NULL, NULL });
	login_seed("chap-skip", FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(2), 1, (const uint8_t[][2]){
		{ to_ffp, 0 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, NULL, NULL });
	login_regress_unterminated();
}

void gen_login(void)
{
	/* negotiation alone: leading login, then a text exchange */
	login_seed("param-leading", 0x06, 3, NULL, (const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "InitiatorAlias=fuzz host",
		"TargetName=" FUZZ_IQN, "SessionType=Normal", "AuthMethod=CHAP,None", NULL,
		"HeaderDigest=CRC32C,None", "DataDigest=None,CRC32C", "InitialR2T=No",
		"ImmediateData=Yes", "MaxRecvDataSegmentLength=262144",
		"MaxBurstLength=16776192", "FirstBurstLength=262144", "MaxOutstandingR2T=1",
		"ErrorRecoveryLevel=2", "DefaultTime2Wait=2", "DefaultTime2Retain=20",
		"DataPDUInOrder=Yes", "DataSequenceInOrder=Yes", "MaxConnections=8", NULL,
		"IFMarker=No", "OFMarker=Yes", "IFMarkInt=2048~8192",
		"TaskReporting=ResponseFence", "iSCSIProtocolLevel=2", "X-com.example.key=1",
		"TargetAlias=nope", NULL, NULL });
	login_seed("param-text", 0x00, 2, NULL, (const char *const[]){
		"MaxRecvDataSegmentLength=4096", "SendTargets=All", NULL,
		"MaxBurstLength=512", "InitialR2T=Yes", NULL, NULL });
	login_seed("param-nonleading", 0x0c, 2, NULL, (const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "SessionType=Discovery",
		"HeaderDigest=CRC32C", "MaxConnections=2", "FirstBurstLength=1024",
		"MaxBurstLength=512", NULL, "MaxRecvDataSegmentLength=511",
		"DataDigest=CRC32C", "CHAP_A=5,7", NULL, NULL });
	login_seed("param-dup", 0x06, 1, NULL, (const char *const[]){
		"InitialR2T=No", "InitialR2T=Yes", NULL, NULL });

	/* through the server: security, operational, full feature, text */
	login_seed("server-normal", 0x01, 3, (const uint8_t[][2]){
		{ LFLAGS(1, ST_SEC, ST_OP), 0 }, { LFLAGS(1, ST_OP, ST_FFP), 0 },
		{ ISCSI_FLAG_FINAL, 1 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN,
		"SessionType=Normal", "AuthMethod=None", NULL,
		"InitialR2T=No", "ImmediateData=Yes", "MaxRecvDataSegmentLength=65536",
		"MaxBurstLength=262144", "FirstBurstLength=65536", "ErrorRecoveryLevel=0", NULL,
		"SendTargets=All", "MaxRecvDataSegmentLength=8192", NULL, NULL });
	login_seed("server-continue", 0x01, 5, (const uint8_t[][2]){
		{ ISCSI_LOGIN_CONTINUE | LFLAGS(0, ST_OP, 0), 0 }, { LFLAGS(0, ST_OP, 0), 0 },
		{ LFLAGS(1, ST_OP, ST_FFP), 0 }, { ISCSI_TEXT_CONTINUE, 1 },
		{ ISCSI_FLAG_FINAL, 1 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, NULL,
		"TargetName=" FUZZ_IQN, "MaxConnections=1", NULL,
		"InitialR2T=Yes", NULL,
		"X-fuzz-part=1", NULL, "SendTargets=" FUZZ_IQN, NULL, NULL });
	login_seed("server-discovery", 0x01, 2, (const uint8_t[][2]){
		{ LFLAGS(1, ST_SEC, ST_FFP), 0 }, { ISCSI_FLAG_FINAL, 1 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "SessionType=Discovery",
		"AuthMethod=None", NULL, "SendTargets=All", NULL, NULL });
	login_seed("server-tsih", 0x01, 1, (const uint8_t[][2]){
		{ LFLAGS(1, ST_OP, ST_FFP), 2 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, NULL, NULL });
	/* Regression: an empty Text Request (its empty answer was copied from
	 * a NULL buffer: UB in iscsi/text.c send_chunk()). */
	login_seed("regress-text-empty", 0x01, 2, (const uint8_t[][2]){
		{ LFLAGS(1, ST_OP, ST_FFP), 0 }, { ISCSI_FLAG_FINAL, 1 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, NULL, NULL,
		NULL });
	login_seed("server-chap", 0x01, 3, (const uint8_t[][2]){
		{ LFLAGS(0, ST_SEC, 0), 0 }, { LFLAGS(0, ST_SEC, 0), 0 },
		{ LFLAGS(1, ST_SEC, ST_OP), 0 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN,
		"AuthMethod=CHAP,None", NULL, "CHAP_A=7,6,5", NULL,
		"CHAP_N=user", "CHAP_R=0x0123456789abcdef0123456789abcdef", NULL, NULL });
	gen_login_chap();
}
