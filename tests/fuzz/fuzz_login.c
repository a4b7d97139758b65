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
 *     segment. The server's answers are parsed (parse_rsp()): every Login
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

#define SEP 0xff

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(getenv("FUZZ_TRACE") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	return 0;
}

/* Every entry is key=value\0 with a non-empty key: what the target sends. */
static void check_kv_list(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const uint8_t *end = memchr(p + i, '\0', n - i);
		const uint8_t *eq = memchr(p + i, '=', n - i);

		if (!end || !eq || eq > end || eq == p + i)
			__builtin_trap();	/* a malformed answer */
		i = (size_t)(end - p) + 1;
	}
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
	int round = 0;

	iscsi_target_limits_default(&lim);
	if (mode & 8) {
		lim.allow_header_digest = lim.allow_data_digest = false;
		lim.max_connections = 4;
	}
	iscsi_params_init(&p, &lim);
	iscsi_neg_init(&n, &p, &lim, mode & 2, mode & 4);
	while (size) {
		const uint8_t *sep = memchr(data, SEP, size);
		size_t len = sep ? (size_t)(sep - data) : size;
		struct kvbuf out = { 0 };
		int rc = iscsi_param_negotiate(&n, (const char *)data, len, &out);

		if (rc == NEG_OK && (round & 1))
			rc = iscsi_param_declare(&n, &out);
		check_kv_list((const uint8_t *)out.data, out.len);
		kv_find(out.data, out.len, "MaxRecvDataSegmentLength");
		kv_find((const char *)data, len, "SendTargets");
		kv_free(&out);
		check_params(&p, &lim);
		if (rc < 0)
			break;		/* the login fails here */
		round++;
		data += len + (sep != NULL);
		size -= len + (sep != NULL);
	}
}

/* ---- through the server ---- */

struct rsp_parser {
	uint8_t bhs[ISCSI_BHS_LEN];
	size_t got;
	uint8_t *data;		/* data segment of the PDU being received */
	size_t dlen, dgot, skip;
	bool digests;		/* from the PDU after the final Login Response */
	bool ffp;		/* a final Login Response with success arrived */
	uint32_t stat_sn;
};

static void rsp_done(struct rsp_parser *r)
{
	uint8_t op = r->bhs[0] & 0x3f;

	r->stat_sn = bhs_u32(r->bhs, BHS_STATSN);
	if (op == ISCSI_OP_LOGIN_RSP || op == ISCSI_OP_TEXT_RSP)
		check_kv_list(r->data, r->dlen);
	/* A CHAP responder would look at CHAP_I/CHAP_C in r->data here. */
	if (op == ISCSI_OP_LOGIN_RSP && r->bhs[BHS_LOGIN_STATUS_CLASS] == 0 &&
	    (r->bhs[BHS_FLAGS] & (ISCSI_LOGIN_TRANSIT | 3)) == (ISCSI_LOGIN_TRANSIT | 3))
		r->ffp = true;
}

/* The server's byte stream, PDU by PDU. Digests are not parsed: the
 * harness never asks for them in server mode (see build_login()). */
static void parse_rsp(struct fz_server *fz, const uint8_t *p, size_t n, void *arg)
{
	struct rsp_parser *r = arg;

	(void)fz;
	while (n) {
		if (r->got < ISCSI_BHS_LEN) {
			r->bhs[r->got++] = *p++;
			n--;
			if (r->got == ISCSI_BHS_LEN) {
				r->dlen = bhs_data_len(r->bhs);
				r->skip = bhs_ahs_len(r->bhs);
				r->dgot = 0;
				free(r->data);
				r->data = malloc(r->dlen + 1);
				if (!r->data)
					abort();
			}
			continue;
		}
		if (r->skip) {
			size_t k = n < r->skip ? n : r->skip;

			r->skip -= k;
			p += k;
			n -= k;
			continue;
		}
		if (r->dgot < r->dlen + iscsi_pad((uint32_t)r->dlen)) {
			size_t want = r->dlen + iscsi_pad((uint32_t)r->dlen) - r->dgot;
			size_t k = n < want ? n : want;

			for (size_t i = 0; i < k; i++, r->dgot++)
				if (r->dgot < r->dlen)
					r->data[r->dgot] = p[i];
			p += k;
			n -= k;
		}
		if (r->dgot == r->dlen + iscsi_pad((uint32_t)r->dlen)) {
			rsp_done(r);
			r->got = 0;
		}
	}
	/* A PDU without data segment completes with its BHS. */
	if (r->got == ISCSI_BHS_LEN && r->dlen == 0 && r->skip == 0) {
		rsp_done(r);
		r->got = 0;
	}
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
	static struct rsp_parser r;
	uint32_t itt = 0, cmdsn = 0;

	memset(&r, 0, sizeof(r));
	fz_open(&fz);
	fz.on_rx = parse_rsp;
	fz.on_rx_arg = &r;
	while (size >= 2) {
		const uint8_t *sep = memchr(data, SEP, size);
		size_t len = sep ? (size_t)(sep - data) : size;
		static uint8_t pdu[ISCSI_BHS_LEN + 65536 + 4];
		size_t dlen = len >= 2 ? len - 2 : 0;
		bool text = data[1] & 1;

		if (len < 2 || dlen > 65536)
			break;
		memset(pdu, 0, ISCSI_BHS_LEN + dlen + 4);
		pdu[0] = (uint8_t)(text ? ISCSI_OP_TEXT_REQ : ISCSI_OP_LOGIN_REQ | ISCSI_OP_IMMEDIATE);
		pdu[1] = data[0];
		if (data[1] & 8)
			pdu[BHS_LOGIN_VERSION_MIN] = 1;
		bhs_set_data_len(pdu, (uint32_t)dlen);
		if (!text) {
			memcpy(pdu + BHS_LOGIN_ISID, data[1] & 4 ? isid_b : isid_a, 6);
			put_be16(pdu + BHS_LOGIN_TSIH, data[1] & 2 ? 1 : 0);
		} else {
			bhs_set_u32(pdu, BHS_TTT, ISCSI_RSVD_TAG);
		}
		bhs_set_u32(pdu, BHS_ITT, itt++);
		bhs_set_u32(pdu, BHS_CMDSN, cmdsn + (data[1] & 16 ? 1 : 0));
		bhs_set_u32(pdu, BHS_EXPSTATSN, r.stat_sn + 1);
		if (text && r.ffp)
			cmdsn++;	/* a non-immediate Text Request takes a CmdSN */
		memcpy(pdu + ISCSI_BHS_LEN, data + 2, dlen);
		blank_digests(pdu + ISCSI_BHS_LEN, dlen);
		if (!fz_feed(&fz, pdu, ISCSI_BHS_LEN + dlen + iscsi_pad((uint32_t)dlen)))
			break;
		data += len + (sep != NULL);
		size -= len + (sep != NULL);
	}
	fz_close(&fz);
	free(r.data);
	r.data = NULL;
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
