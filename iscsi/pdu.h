/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iSCSI PDU layout (RFC 7143 section 11) and codec helpers.
 *
 * A PDU is a 48-byte Basic Header Segment plus optional AHS and data segment.
 * The BHS is kept as raw bytes and every field is read and written through
 * the named-offset accessors below (byte-wise big-endian), never by casting a
 * struct over the buffer.
 */
#ifndef CTGT_ISCSI_PDU_H
#define CTGT_ISCSI_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util/bufpool.h"
#include "util/endian.h"
#include "util/list.h"

#define ISCSI_BHS_LEN		48
#define ISCSI_DIGEST_LEN	4
#define ISCSI_RSVD_TAG		0xffffffffu	/* reserved ITT/TTT value */

enum iscsi_opcode {
	/* initiator to target */
	ISCSI_OP_NOP_OUT = 0x00,
	ISCSI_OP_SCSI_CMD = 0x01,
	ISCSI_OP_TMF_REQ = 0x02,
	ISCSI_OP_LOGIN_REQ = 0x03,
	ISCSI_OP_TEXT_REQ = 0x04,
	ISCSI_OP_DATA_OUT = 0x05,
	ISCSI_OP_LOGOUT_REQ = 0x06,
	ISCSI_OP_SNACK_REQ = 0x10,
	/* target to initiator */
	ISCSI_OP_NOP_IN = 0x20,
	ISCSI_OP_SCSI_RSP = 0x21,
	ISCSI_OP_TMF_RSP = 0x22,
	ISCSI_OP_LOGIN_RSP = 0x23,
	ISCSI_OP_TEXT_RSP = 0x24,
	ISCSI_OP_DATA_IN = 0x25,
	ISCSI_OP_LOGOUT_RSP = 0x26,
	ISCSI_OP_R2T = 0x31,
	ISCSI_OP_ASYNC_MSG = 0x32,
	ISCSI_OP_REJECT = 0x3f,
};

/* Byte offsets of BHS fields (RFC 7143 section 11). */
enum {
	BHS_OPCODE = 0,		/* bit 6: immediate, bits 0-5: opcode */
	BHS_FLAGS = 1,
	BHS_TOTAL_AHS_LEN = 4,	/* in 4-byte words */
	BHS_DATA_SEG_LEN = 5,	/* 24 bits */
	BHS_LUN = 8,
	BHS_ITT = 16,
	/* SCSI Command */
	BHS_CMD_EDTL = 20,
	BHS_CMDSN = 24,		/* also NOP-Out, Text, Login, Logout, TMF */
	BHS_EXPSTATSN = 28,	/* initiator PDUs */
	BHS_CMD_CDB = 32,
	/* target PDUs */
	BHS_TTT = 20,		/* also Data-Out, NOP-Out, Text */
	BHS_STATSN = 24,
	BHS_EXPCMDSN = 28,
	BHS_MAXCMDSN = 32,
	BHS_DATASN = 36,	/* Data-In, Data-Out; R2TSN in R2T; ExpDataSN in SCSI Response */
	BHS_BUFFER_OFFSET = 40,	/* Data-In, Data-Out, R2T */
	BHS_RESIDUAL = 44,	/* SCSI Response, Data-In */
	BHS_BIDI_RESIDUAL = 40,	/* SCSI Response */
	BHS_R2T_DESIRED_LEN = 44,
	BHS_RSP_RESPONSE = 2,	/* SCSI Response, TMF Response, Logout Response */
	BHS_RSP_STATUS = 3,	/* SCSI Response, Data-In */
	/* Login */
	BHS_LOGIN_VERSION_MAX = 2,
	BHS_LOGIN_VERSION_MIN = 3,	/* Version-active in the response */
	BHS_LOGIN_ISID = 8,
	BHS_LOGIN_TSIH = 14,
	BHS_LOGIN_CID = 20,
	BHS_LOGIN_STATUS_CLASS = 36,
	BHS_LOGIN_STATUS_DETAIL = 37,
	/* Logout */
	BHS_LOGOUT_CID = 20,
	BHS_LOGOUT_TIME2WAIT = 40,
	BHS_LOGOUT_TIME2RETAIN = 42,
	/* Task management */
	BHS_TMF_RTT = 20,
	BHS_TMF_REFCMDSN = 32,
	/* Reject */
	BHS_REJECT_REASON = 2,
	/* Async message */
	BHS_ASYNC_EVENT = 36,
	BHS_ASYNC_PARAM1 = 38,
	BHS_ASYNC_PARAM2 = 40,
	BHS_ASYNC_PARAM3 = 42,
};

/* Flag bits of byte 1 */
#define ISCSI_FLAG_FINAL	0x80
#define ISCSI_CMD_READ		0x40
#define ISCSI_CMD_WRITE		0x20
#define ISCSI_CMD_ATTR_MASK	0x07
#define ISCSI_DATAIN_ACK	0x40
#define ISCSI_DATAIN_STATUS	0x01
#define ISCSI_RSP_BIDI_OVERFLOW	0x10
#define ISCSI_RSP_BIDI_UNDERFLOW 0x08
#define ISCSI_RSP_OVERFLOW	0x04
#define ISCSI_RSP_UNDERFLOW	0x02
#define ISCSI_LOGIN_TRANSIT	0x80
#define ISCSI_LOGIN_CONTINUE	0x40
#define ISCSI_TEXT_CONTINUE	0x40
#define ISCSI_OP_IMMEDIATE	0x40

/* Login stages (CSG/NSG) */
enum iscsi_login_stage {
	ISCSI_STAGE_SECURITY = 0,
	ISCSI_STAGE_OPERATIONAL = 1,
	ISCSI_STAGE_FULL_FEATURE = 3,
};

/* Login status classes and details (RFC 7143 section 11.13.5) */
enum {
	LOGIN_CLASS_SUCCESS = 0x00,
	LOGIN_CLASS_REDIRECT = 0x01,
	LOGIN_CLASS_INITIATOR_ERR = 0x02,
	LOGIN_CLASS_TARGET_ERR = 0x03,
	LOGIN_DETAIL_INIT_ERR = 0x00,
	LOGIN_DETAIL_AUTH_FAILED = 0x01,
	LOGIN_DETAIL_FORBIDDEN = 0x02,
	LOGIN_DETAIL_NOT_FOUND = 0x03,
	LOGIN_DETAIL_TARGET_REMOVED = 0x04,
	LOGIN_DETAIL_UNSUPPORTED_VERSION = 0x05,
	LOGIN_DETAIL_TOO_MANY_CONNECTIONS = 0x06,
	LOGIN_DETAIL_MISSING_PARAMETER = 0x07,
	LOGIN_DETAIL_NO_SESSION_SPANNING = 0x08,
	LOGIN_DETAIL_SESSION_TYPE_UNSUPPORTED = 0x09,
	LOGIN_DETAIL_SESSION_NOT_FOUND = 0x0a,
	LOGIN_DETAIL_INVALID_REQUEST = 0x0b,
	LOGIN_DETAIL_TARGET_ERROR = 0x00,
	LOGIN_DETAIL_SERVICE_UNAVAILABLE = 0x01,
	LOGIN_DETAIL_OUT_OF_RESOURCES = 0x02,
};

/* Reject reasons (RFC 7143 section 11.17.1) */
enum {
	REJECT_DATA_DIGEST = 0x02,
	REJECT_SNACK = 0x03,
	REJECT_PROTOCOL_ERROR = 0x04,
	REJECT_CMD_NOT_SUPPORTED = 0x05,
	REJECT_IMMEDIATE_REJECTED = 0x06,
	REJECT_TASK_IN_PROGRESS = 0x07,
	REJECT_INVALID_DATA_ACK = 0x08,
	REJECT_INVALID_PDU_FIELD = 0x09,
	REJECT_OUT_OF_RESOURCES = 0x0a,
	REJECT_WAITING_FOR_LOGOUT = 0x0c,
};

static inline uint8_t bhs_opcode(const uint8_t *bhs)
{
	return bhs[BHS_OPCODE] & 0x3f;
}

static inline bool bhs_immediate(const uint8_t *bhs)
{
	return (bhs[BHS_OPCODE] & ISCSI_OP_IMMEDIATE) != 0;
}

static inline uint32_t bhs_ahs_len(const uint8_t *bhs)
{
	return (uint32_t)bhs[BHS_TOTAL_AHS_LEN] * 4u;
}

static inline uint32_t bhs_data_len(const uint8_t *bhs)
{
	return get_be24(bhs + BHS_DATA_SEG_LEN);
}

static inline void bhs_set_data_len(uint8_t *bhs, uint32_t len)
{
	put_be24(bhs + BHS_DATA_SEG_LEN, len);
}

static inline uint32_t bhs_u32(const uint8_t *bhs, int off)
{
	return get_be32(bhs + off);
}

static inline void bhs_set_u32(uint8_t *bhs, int off, uint32_t v)
{
	put_be32(bhs + off, v);
}

/** Bytes of padding that follow a segment of @len bytes. */
static inline uint32_t iscsi_pad(uint32_t len)
{
	return (4u - (len & 3u)) & 3u;
}

/** RFC 1982 serial number arithmetic on 32-bit sequence numbers. */
static inline bool sn_lt(uint32_t a, uint32_t b)
{
	return a != b && (int32_t)(a - b) < 0;
}

static inline bool sn_le(uint32_t a, uint32_t b)
{
	return a == b || sn_lt(a, b);
}

/** CRC32C (iSCSI polynomial) over @iovcnt buffers, as sent on the wire. */
uint32_t iscsi_crc32c(const struct iovec *iov, int iovcnt);
/* CRC32C over bytes that arrive piecewise: start from ISCSI_CRC32C_SEED,
 * feed each piece in order, and iscsi_crc32c_final() gives what
 * iscsi_crc32c() gives over the whole. */
#define ISCSI_CRC32C_SEED 0xffffffffu
uint32_t iscsi_crc32c_update(uint32_t crc, const void *p, size_t len);
static inline uint32_t iscsi_crc32c_final(uint32_t crc)
{
	return ~crc;
}

/** The digest as the 4 wire bytes (CRC32C is sent little-endian). */
void iscsi_digest_put(uint8_t out[ISCSI_DIGEST_LEN], uint32_t crc);
uint32_t iscsi_digest_get(const uint8_t in[ISCSI_DIGEST_LEN]);

/**
 * An outgoing PDU. The header is owned by the PDU; @data is owned by the PDU
 * when @data_owned (freed by pdu_free()), else it points into a buffer that
 * the @sent callback's owner keeps alive until the PDU has been written.
 */
struct iscsi_pdu {
	struct list_node link;		/**< in the connection's transmit queue */
	uint8_t bhs[ISCSI_BHS_LEN];
	uint8_t *data;
	uint32_t data_len;
	bool data_owned;
	struct bufpool *pool;		/**< where the PDU goes back to (NULL: free) */
	/** Called once the PDU has been written (or dropped on close: @ok false). */
	void (*sent)(struct iscsi_pdu *pdu, void *arg, bool ok);
	void *sent_arg;
	/* transmit state, filled by the connection */
	uint8_t hdr_digest[ISCSI_DIGEST_LEN];
	uint8_t data_digest[ISCSI_DIGEST_LEN];
	size_t tx_done;			/**< bytes written so far */
	size_t tx_total;		/**< 0 until the wire form is fixed */
};

/** Allocate a zeroed PDU with opcode @op; NULL on no memory. */
struct iscsi_pdu *pdu_alloc(uint8_t op);
/** The same from @pool (a network thread's cache, util/bufpool.h): the PDU
 *  must then be freed on that thread. */
struct iscsi_pdu *pdu_alloc_from(struct bufpool *pool, uint8_t op);
/** Attach a copy of @len bytes as the data segment. Returns 0 or -ENOMEM. */
int pdu_set_data_copy(struct iscsi_pdu *pdu, const void *data, uint32_t len);
/** Attach @data by reference (not freed with the PDU). */
void pdu_set_data_ref(struct iscsi_pdu *pdu, uint8_t *data, uint32_t len);
void pdu_free(struct iscsi_pdu *pdu);

/**
 * Fill @iov with the wire form of @pdu (header, header digest, data, padding,
 * data digest), computing digests on first use, and skip the first
 * pdu->tx_done bytes. Returns the number of iovecs used (at most 5).
 */
int pdu_tx_iov(struct iscsi_pdu *pdu, bool hdr_digest, bool data_digest, struct iovec iov[5]);

#endif
