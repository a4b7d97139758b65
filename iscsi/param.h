/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iSCSI text-key negotiation (RFC 7143 section 6 and 13), driven by one table.
 *
 * The login and text code collect a complete key=value\0 list (all PDUs of a
 * C-bit sequence), call iscsi_param_negotiate() on it, and send what it
 * appended to the response buffer. Values settle in struct iscsi_params.
 */
#ifndef CTGT_ISCSI_PARAM_H
#define CTGT_ISCSI_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ISCSI_NAME_LEN 224	/* 223 bytes + NUL (RFC 7143 section 4.2.7.1) */

/** Operational values of one session (and of its connection, for the
 *  connection-only keys). Initialise with iscsi_params_init(). */
struct iscsi_params {
	bool header_digest;		/**< HeaderDigest=CRC32C */
	bool data_digest;		/**< DataDigest=CRC32C */
	uint32_t max_connections;
	bool initial_r2t;
	bool immediate_data;
	uint32_t max_xmit_dlen;		/**< initiator's MaxRecvDataSegmentLength: our send limit */
	uint32_t max_recv_dlen;		/**< our MaxRecvDataSegmentLength: what we accept */
	uint32_t max_burst;
	uint32_t first_burst;
	uint32_t default_time2wait;
	uint32_t default_time2retain;
	uint32_t max_outstanding_r2t;
	bool data_pdu_in_order;
	bool data_seq_in_order;
	uint32_t error_recovery_level;
	bool discovery;			/**< SessionType=Discovery */
	bool have_session_type;
	char initiator_name[ISCSI_NAME_LEN];	/**< "" until InitiatorName is received */
	char initiator_alias[256];
	char target_name[ISCSI_NAME_LEN];	/**< "" until TargetName is received */
	char auth_method[16];		/**< the AuthMethod agreed: "None" or "CHAP" ("" = none agreed) */
};

/** What the target offers; the negotiation never goes beyond these. */
struct iscsi_target_limits {
	uint32_t max_recv_dlen;		/**< our MaxRecvDataSegmentLength */
	uint32_t max_burst;
	uint32_t first_burst;
	uint32_t max_outstanding_r2t;
	uint32_t max_connections;
	bool initial_r2t;		/**< false: we allow unsolicited data */
	bool immediate_data;
	bool allow_header_digest;	/**< accept CRC32C header digests */
	bool allow_data_digest;
};

/** Defaults: 256 KiB receive segments, 1 MiB bursts, 64 KiB first burst, 8 R2Ts,
 *  4 connections, InitialR2T=No, ImmediateData=Yes, digests allowed. */
void iscsi_target_limits_default(struct iscsi_target_limits *lim);

/** RFC 7143 defaults for every key (what holds when a key is never sent). */
void iscsi_params_init(struct iscsi_params *p, const struct iscsi_target_limits *lim);

/** Growable buffer of key=value\0 pairs. Free with kv_free(). */
struct kvbuf {
	char *data;
	size_t len;
	size_t cap;
};

/** Append "key=value\0". Returns 0 or -ENOMEM. */
int kv_append(struct kvbuf *kv, const char *key, const char *value);
void kv_free(struct kvbuf *kv);

/** Find @key in a key=value\0 list; returns a pointer to its value or NULL. */
const char *kv_find(const char *data, size_t len, const char *key);

/** State of one negotiation (a login on one connection, or one text exchange). */
struct iscsi_neg {
	struct iscsi_params *p;
	const struct iscsi_target_limits *lim;
	bool leading;		/**< leading login of a session: LO keys allowed */
	bool login;		/**< false: Text Request in full feature phase */
	uint64_t seen;		/**< keys received so far (duplicate detection) */
	uint64_t declared;	/**< target declarations already sent */
	bool auth_none;		/**< AuthMethod=None acceptable (default true) */
	bool auth_chap;		/**< AuthMethod=CHAP acceptable (default false) */
};

enum iscsi_neg_rc {
	NEG_OK = 0,
	NEG_ERR_SYNTAX = -1,	/**< malformed text: fail the login (initiator error) */
	NEG_ERR_DUPLICATE = -2,	/**< a key sent twice in one negotiation */
	NEG_ERR_NOMEM = -3,
};

void iscsi_neg_init(struct iscsi_neg *n, struct iscsi_params *p,
		    const struct iscsi_target_limits *lim, bool leading, bool login);

/**
 * Negotiate every key=value pair in @data[0..len) (each ending in a NUL,
 * the last one too: data without it is NEG_ERR_SYNTAX) and append the answers to @out: the chosen value,
 * or "NotUnderstood", "Irrelevant" or "Reject" as RFC 7143 section 6.2 and
 * 13 require. Declarative keys from the initiator (InitiatorName,
 * SessionType, ...) are recorded and not answered. SendTargets is not
 * handled here (the caller looks for it with kv_find()).
 * Returns NEG_OK or a negative enum iscsi_neg_rc.
 */
int iscsi_param_negotiate(struct iscsi_neg *n, const char *data, size_t len, struct kvbuf *out);

/**
 * Append the target's own declarations that have not been sent yet in this
 * negotiation (MaxRecvDataSegmentLength in a login). Call it once the
 * initiator's keys of a login stage have been answered.
 */
int iscsi_param_declare(struct iscsi_neg *n, struct kvbuf *out);

#endif
