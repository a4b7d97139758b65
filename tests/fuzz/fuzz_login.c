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
 *     VersionMin 1; bit 4: CmdSN off by one), the rest is the data
 *     segment. The server's answers are parsed (rsp_done()): every Login
 *     and Text Response must carry a well-formed key list.
 *
 * CHAP: the security stage is reached with AuthMethod keys in round data
 * already. Once CHAP lands, the server mode gets a target with credentials
 * in fz_open() and a round flag meaning "answer the last CHAP_C": the
 * response parser already collects the keys of each Login Response, where
 * CHAP_I and CHAP_C are, so the harness can compute CHAP_R and send it, and
 * the fuzzer reaches the stages after a successful authentication.
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
	while (size && fz_rounds_next(&rounds, &keys, &len)) {
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

/* What the harness learns from the server's answers. */
struct rsp_state {
	struct fz_pdus pdus;	/* the stream, PDU by PDU (no digests: see
				 * blank_digests()) */
	bool ffp;		/* a final Login Response with success arrived */
	uint32_t stat_sn;
};

static void rsp_done(const uint8_t *bhs, const uint8_t *data, size_t dlen, void *arg)
{
	struct rsp_state *r = arg;
	uint8_t op = bhs[0] & 0x3f;

	r->stat_sn = bhs_u32(bhs, BHS_STATSN);
	if (op == ISCSI_OP_LOGIN_RSP || op == ISCSI_OP_TEXT_RSP)
		fz_check_kv_list(data, dlen);
	/* A CHAP responder would look at CHAP_I/CHAP_C in data here. */
	if (op == ISCSI_OP_LOGIN_RSP && bhs[BHS_LOGIN_STATUS_CLASS] == 0 &&
	    (bhs[BHS_FLAGS] & (ISCSI_LOGIN_TRANSIT | 3)) == (ISCSI_LOGIN_TRANSIT | 3))
		r->ffp = true;
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

static void fuzz_server(const uint8_t *data, size_t size)
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
	fz_open(&fz);
	fz.on_rx = fz_pdus_rx;
	fz.on_rx_arg = &r.pdus;
	while (fz_rounds_next(&rounds, &rd, &len)) {
		static uint8_t pdu[ISCSI_BHS_LEN + 65536 + 4];
		size_t dlen = len >= 2 ? len - 2 : 0;
		bool text;

		if (len < 2 || dlen > 65536)
			break;
		text = rd[1] & 1;
		memset(pdu, 0, ISCSI_BHS_LEN + dlen + 4);
		pdu[0] = (uint8_t)(text ? ISCSI_OP_TEXT_REQ : ISCSI_OP_LOGIN_REQ | ISCSI_OP_IMMEDIATE);
		pdu[1] = rd[0];
		if (rd[1] & 8)
			pdu[BHS_LOGIN_VERSION_MIN] = 1;
		bhs_set_data_len(pdu, (uint32_t)dlen);
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
		memcpy(pdu + ISCSI_BHS_LEN, rd + 2, dlen);
		blank_digests(pdu + ISCSI_BHS_LEN, dlen);
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
		fuzz_server(data + 1, size - 1);
	else
		fuzz_params(data + 1, size - 1, data[0]);
	return 0;
}
