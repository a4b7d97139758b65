/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: login and text key negotiation.
 *
 * The input is a list of rounds separated by 0xff bytes (keys and values
 * cannot contain 0xff in a useful way, and a separator survives the
 * fuzzer's insertions and deletions better than length fields). Byte 0
 * picks the mode:
 *
 *   bit 0 = 0, negotiation alone (iscsi/param.c): each round is one
 *     key=value\0 list given to iscsi_param_negotiate(), followed by
 *     iscsi_param_declare() every other round. Bits 1-3 of byte 0: leading
 *     connection, login (else a Text Request in full feature phase), target
 *     limits without digests and with MaxConnections 4. After every round
 *     the negotiated values are checked against RFC 7143 and the target's
 *     limits, and the answer must be a well-formed key=value\0 list.
 *
 *   bit 0 = 1, through a real server (tests/fuzz/server_harness.h): each
 *     round is a Login Request (or, once logged in, a Text Request) built by
 *     the harness around the round's keys: round byte 0 is the BHS flags
 *     (T, C, CSG, NSG), round byte 1 picks variations (bit 0: Text Request;
 *     bit 1: TSIH 1, adding a connection; bit 2: another ISID; bit 3:
 *     VersionMin 1; bit 4: CmdSN off by one; bits 5-7: the CHAP answer,
 *     below), the rest is the data segment. The server's answers are parsed
 *     (rsp_done()): every Login and Text Response must carry a well-formed
 *     key list.
 *
 * CHAP (server mode): byte 0 bits 1-2 give the target credentials (none,
 * one-way, mutual, one-way with FUZZ_INITIATOR's own credentials; for
 * discovery sessions too, so every login must authenticate). A round with
 * byte 1 bit 5 (FZ_LOGIN_ANSWER) gets the harness's answer to the target's
 * last CHAP_I/CHAP_C in front of its keys: CHAP_N and CHAP_R computed with
 * the secret, in base64 with bit 6, as the per-initiator "bob" with bit 7
 * (else "alice"). The fuzzer's own keys follow (its CHAP_I/CHAP_C for the
 * mutual half, or anything else), so it gets past authentication into the
 * operational stage and full feature phase. Traps: a successful Login
 * Response that leaves the security stage (T bit, or CSG past it) before
 * the harness answered with credentials the target has (the fuzzer cannot
 * forge a digest of a 32-byte random challenge: that is a bypass), and a
 * CHAP_R from the target where no mutual credentials exist or under
 * another name than the target's.
 */
#include "tests/fuzz/server_harness.h"

#include "iscsi/param.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(getenv("FUZZ_TRACE") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	return 0;
}

/* ---- negotiation alone ---- */

static void check_params(const struct iscsi_params *p, const struct iscsi_target_limits *lim)
{
	bool ok = p->max_xmit_dlen >= 512 && p->max_xmit_dlen <= 16777215 &&
		  p->max_recv_dlen == lim->max_recv_dlen &&
		  p->max_burst >= 512 && p->max_burst <= 16777215 &&
		  p->first_burst >= 512 && p->first_burst <= p->max_burst &&
		  p->max_outstanding_r2t >= 1 && p->max_connections >= 1 &&
		  p->max_connections <= 65535 && p->error_recovery_level == 0 &&
		  (!p->header_digest || lim->allow_header_digest) &&
		  (!p->data_digest || lim->allow_data_digest) &&
		  memchr(p->initiator_name, '\0', sizeof(p->initiator_name)) &&
		  memchr(p->initiator_alias, '\0', sizeof(p->initiator_alias)) &&
		  memchr(p->target_name, '\0', sizeof(p->target_name)) &&
		  memchr(p->auth_method, '\0', sizeof(p->auth_method));

	/* What the target offers bounds what a session may use. */
	ok = ok && (p->discovery || (p->max_burst <= lim->max_burst &&
				     p->first_burst <= lim->first_burst &&
				     p->max_outstanding_r2t <= lim->max_outstanding_r2t &&
				     p->max_connections <= lim->max_connections));
	if (!ok)
		__builtin_trap();
}

static void fuzz_params(const uint8_t *data, size_t size, uint8_t mode)
{
	struct iscsi_target_limits lim;
	struct iscsi_params p;
	struct iscsi_neg n;
	struct fz_rounds rounds = fz_rounds_of(data, size);
	const uint8_t *keys;
	size_t len;
	int round = 0;

	iscsi_target_limits_default(&lim);
	if (mode & 8) {
		lim.allow_header_digest = lim.allow_data_digest = false;
		lim.max_connections = 4;
	}
	iscsi_params_init(&p, &lim);
	iscsi_neg_init(&n, &p, &lim, mode & 2, mode & 4);
	/* An empty last round (a trailing separator, an empty input) is none. */
	while (fz_rounds_next(&rounds, &keys, &len) && (len || !rounds.done)) {
		struct kvbuf out = { 0 };
		int rc = iscsi_param_negotiate(&n, (const char *)keys, len, &out);

		if (rc == NEG_OK && (round & 1))
			rc = iscsi_param_declare(&n, &out);
		fz_check_kv_list(out.data, out.len);
		kv_find(out.data, out.len, "MaxRecvDataSegmentLength");
		kv_find((const char *)keys, len, "SendTargets");
		kv_free(&out);
		check_params(&p, &lim);
		if (rc < 0)
			break;		/* the login fails here */
		round++;
	}
}

/* ---- through the server ---- */

/*
 * CHAP in server mode, byte 0 bits 1-2: none, one-way, mutual, or one-way
 * where FUZZ_INITIATOR has credentials of its own on the target (the
 * others, discovery sessions included, prove the target's). Every login
 * must then authenticate.
 */
enum { AUTH_NONE, AUTH_ONEWAY, AUTH_MUTUAL, AUTH_PER_INITIATOR };

static const struct fz_auth auth_cfg[4] = {
	[AUTH_ONEWAY] = { "alice", "alicesecret12", NULL, NULL, NULL, NULL },
	[AUTH_MUTUAL] = { "alice", "alicesecret12", "target", "targetsecret99", NULL, NULL },
	[AUTH_PER_INITIATOR] = { "alice", "alicesecret12", NULL, NULL, "bob", "bobsecret1234" },
};

/* What the harness learns from the server's answers. */
struct rsp_state {
	struct fz_pdus pdus;	/* the stream, PDU by PDU (no digests: see
				 * blank_digests()) */
	bool ffp;		/* a final Login Response with success arrived */
	uint32_t stat_sn;
	int auth;		/* AUTH_* */
	bool sent_continue;	/* the last Login Request had the C bit */
	char chal[256];		/* CHAP_A, CHAP_I, CHAP_C of the target's challenge */
	size_t chal_len;
	bool answered;		/* the harness answered it with credentials the
				 * target has (the fuzzer cannot: the challenge is
				 * 32 random bytes) */
};

/* Keep the target's CHAP_A/CHAP_I/CHAP_C for the harness's answer. */
static void keep_challenge(struct rsp_state *r, const uint8_t *data, size_t dlen)
{
	static const char *const keys[] = { "CHAP_A", "CHAP_I", "CHAP_C" };

	r->chal_len = 0;
	r->answered = false;
	for (int k = 0; k < 3; k++) {
		const char *v = kv_find((const char *)data, dlen, keys[k]);
		size_t room = sizeof(r->chal) - r->chal_len;
		int n = v ? snprintf(r->chal + r->chal_len, room, "%s=%s", keys[k], v) : -1;

		if (n < 0 || (size_t)n >= room) {
			r->chal_len = 0;	/* no answer to a challenge we cannot hold */
			return;
		}
		r->chal_len += (size_t)n + 1;
	}
}

/* The target may leave the security stage only once the harness answered
 * its challenge, and answer mutual CHAP only as the target's name. */
static void check_login_rsp(struct rsp_state *r, const uint8_t *bhs, const uint8_t *data,
			    size_t dlen)
{
	bool ok = bhs[BHS_LOGIN_STATUS_CLASS] == 0;
	bool left_security = (bhs[BHS_FLAGS] & ISCSI_LOGIN_TRANSIT) || (bhs[BHS_FLAGS] & 0x0c);
	const char *n = kv_find((const char *)data, dlen, "CHAP_N");
	const char *resp = kv_find((const char *)data, dlen, "CHAP_R");

	/* An empty acknowledgement of a C-bit request decides nothing. */
	if (r->auth != AUTH_NONE && ok && left_security && !r->answered && !r->sent_continue)
		__builtin_trap();	/* logged in without the secret */
	if (resp && (r->auth != AUTH_MUTUAL || !n || strcmp(n, auth_cfg[AUTH_MUTUAL].muser)))
		__builtin_trap();	/* a mutual answer nobody configured */
	if (ok && kv_find((const char *)data, dlen, "CHAP_C"))
		keep_challenge(r, data, dlen);
}

static void rsp_done(const uint8_t *bhs, const uint8_t *data, size_t dlen, void *arg)
{
	struct rsp_state *r = arg;
	uint8_t op = bhs[0] & 0x3f;

	r->stat_sn = bhs_u32(bhs, BHS_STATSN);
	if (op == ISCSI_OP_LOGIN_RSP || op == ISCSI_OP_TEXT_RSP)
		fz_check_kv_list(data, dlen);
	if (op == ISCSI_OP_LOGIN_RSP)
		check_login_rsp(r, bhs, data, dlen);
	if (op == ISCSI_OP_LOGIN_RSP && bhs[BHS_LOGIN_STATUS_CLASS] == 0 &&
	    (bhs[BHS_FLAGS] & (ISCSI_LOGIN_TRANSIT | 3)) == (ISCSI_LOGIN_TRANSIT | 3))
		r->ffp = true;
}

/* The harness's answer to the target's last challenge into @out, if the
 * round asks for one; returns its length (0: none). */
static size_t chap_answer(struct rsp_state *r, uint8_t variations, char out[FZ_CHAP_ANSWER_MAX])
{
	const struct fz_auth *cred = &auth_cfg[AUTH_PER_INITIATOR];
	bool bob = variations & FZ_LOGIN_BOB;
	size_t n;

	if (!(variations & FZ_LOGIN_ANSWER) || !r->chal_len)
		return 0;
	n = fz_chap_answer(r->chal, r->chal_len, bob ? cred->init_user : cred->user,
			   (const unsigned char *)(bob ? cred->init_secret : cred->secret),
			   strlen(bob ? cred->init_secret : cred->secret), variations & FZ_LOGIN_B64,
			   out);
	/* bob is someone only where FUZZ_INITIATOR has credentials; whether
	 * the login is FUZZ_INITIATOR's is not followed here (either passes). */
	if (n && (!bob || r->auth == AUTH_PER_INITIATOR))
		r->answered = true;
	return n;
}

static const uint8_t isid_a[6] = { 0x80, 0, 0, 0x12, 0x34, 0 };
static const uint8_t isid_b[6] = { 0x40, 0, 1, 0, 0, 7 };

/* Digest keys would make the rest of the stream unparseable for the fuzzer
 * (it cannot compute CRC32C): they are blanked to a key we ignore. fuzz_pdu
 * covers digests from its seeds. */
static void blank_digests(uint8_t *p, size_t n)
{
	static const char *const keys[] = { "HeaderDigest=", "DataDigest=" };

	for (size_t k = 0; k < 2; k++) {
		size_t kl = strlen(keys[k]);

		for (size_t i = 0; i + kl <= n; i++)
			if (memcmp(p + i, keys[k], kl) == 0)
				memcpy(p + i, "X-Fuzz-Digest", kl - 1 < 13 ? kl - 1 : 13);
	}
}

static void fuzz_server(const uint8_t *data, size_t size, int auth)
{
	static struct fz_server fz;
	static struct rsp_state r;
	struct fz_rounds rounds = fz_rounds_of(data, size);
	const uint8_t *rd;
	size_t len;
	uint32_t itt = 0, cmdsn = 0;

	memset(&r, 0, sizeof(r));
	r.pdus.on_pdu = rsp_done;
	r.pdus.arg = &r;
	r.auth = auth;
	fz_open(&fz, auth == AUTH_NONE ? NULL : &auth_cfg[auth]);
	fz.on_rx = fz_pdus_rx;
	fz.on_rx_arg = &r.pdus;
	while (fz_rounds_next(&rounds, &rd, &len)) {
		static uint8_t pdu[ISCSI_BHS_LEN + FZ_CHAP_ANSWER_MAX + 65536 + 4];
		char answer[FZ_CHAP_ANSWER_MAX];
		size_t alen, dlen = len >= 2 ? len - 2 : 0;
		bool text;

		if (len < 2 || dlen > 65536)
			break;
		text = rd[1] & 1;
		alen = text ? 0 : chap_answer(&r, rd[1], answer);
		memset(pdu, 0, ISCSI_BHS_LEN + alen + dlen + 4);
		pdu[0] = (uint8_t)(text ? ISCSI_OP_TEXT_REQ : ISCSI_OP_LOGIN_REQ | ISCSI_OP_IMMEDIATE);
		pdu[1] = rd[0];
		if (rd[1] & 8)
			pdu[BHS_LOGIN_VERSION_MIN] = 1;
		bhs_set_data_len(pdu, (uint32_t)(alen + dlen));
		if (!text) {
			memcpy(pdu + BHS_LOGIN_ISID, rd[1] & 4 ? isid_b : isid_a, 6);
			put_be16(pdu + BHS_LOGIN_TSIH, rd[1] & 2 ? 1 : 0);
		} else {
			bhs_set_u32(pdu, BHS_TTT, ISCSI_RSVD_TAG);
		}
		bhs_set_u32(pdu, BHS_ITT, itt++);
		bhs_set_u32(pdu, BHS_CMDSN, cmdsn + (rd[1] & 16 ? 1 : 0));
		bhs_set_u32(pdu, BHS_EXPSTATSN, r.stat_sn + 1);
		if (text && r.ffp)
			cmdsn++;	/* a non-immediate Text Request takes a CmdSN */
		memcpy(pdu + ISCSI_BHS_LEN, answer, alen);
		memcpy(pdu + ISCSI_BHS_LEN + alen, rd + 2, dlen);
		dlen += alen;
		blank_digests(pdu + ISCSI_BHS_LEN, dlen);
		r.sent_continue = !text && (rd[0] & ISCSI_LOGIN_CONTINUE);
		if (!fz_feed(&fz, pdu, ISCSI_BHS_LEN + dlen + iscsi_pad((uint32_t)dlen)))
			break;
	}
	fz_close(&fz);
	fz_pdus_free(&r.pdus);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_server(data + 1, size - 1, (data[0] >> 1) & 3);	/* FZ_LOGIN_AUTH() */
	else
		fuzz_params(data + 1, size - 1, data[0]);
	return 0;
}
