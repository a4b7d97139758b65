/* SPDX-License-Identifier: Apache-2.0 */
/*
 * REPORT SUPPORTED OPERATION CODES and REPORT SUPPORTED TASK MANAGEMENT
 * FUNCTIONS (SPC-4 6.35, 6.36): service actions 0Ch and 0Dh of MAINTENANCE
 * IN.
 *
 * The commands reported are read from the dispatch table of lu.c through
 * lu_op_at(), and their CDB usage data is stored next to their handlers, so
 * the report lists exactly what runs on the addressed LU (UNMAP only on a
 * thin one). No command timeouts are indicated: a
 * timeouts descriptor (RCTD=1) carries zeros, which SPC-4 defines as "no
 * timeout indicated".
 */
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

/* REPORTING OPTIONS */
enum {
	RO_ALL = 0,		/* every command, all_commands format */
	RO_OPCODE = 1,		/* an opcode without service actions */
	RO_OPCODE_SA = 2,	/* an opcode and one of its service actions */
	RO_OPCODE_ANY = 3,	/* either of the above (SPC-4r36 and later) */
};

/* SUPPORT field of the one_command format */
enum { SUPPORT_NO = 1, SUPPORT_YES = 3 };

#define ALL_HDR_LEN	4	/* COMMAND DATA LENGTH */
#define ONE_HDR_LEN	4	/* up to CDB SIZE */
#define CMD_DESC_LEN	8	/* command descriptor without timeouts */
#define TIMEOUTS_LEN	12	/* command timeouts descriptor */

struct rsoc_req {
	bool rctd;		/* return command timeouts descriptors */
	uint8_t options;
	uint8_t opcode;		/* REQUESTED OPERATION CODE */
	uint16_t sa;		/* REQUESTED SERVICE ACTION */
};

static struct rsoc_req rsoc_decode(const uint8_t *cdb)
{
	struct rsoc_req r = {
		.rctd = cdb[2] & 0x80,
		.options = cdb[2] & 0x07,
		.opcode = cdb[3],
		.sa = get_be16(&cdb[4]),
	};

	return r;
}

/* CDB length from the group code (SPC-4 4.2.5.1); no command of ours is in
 * the reserved or vendor specific groups. */
static unsigned cdb_len(uint8_t opcode)
{
	static const uint8_t len[8] = { 6, 10, 10, 0, 16, 12, 0, 0 };

	return len[opcode >> 5];
}

/* Command (@i / LU_MAX_SA, @i % LU_MAX_SA) when it is supported: every
 * supported command has exactly one index. */
static bool cmd_at(const struct scsi_lu *lu, unsigned i, uint8_t *opcode, uint16_t *sa)
{
	*opcode = (uint8_t)(i / LU_MAX_SA);
	*sa = (uint16_t)(i % LU_MAX_SA);
	if (*sa && !lu_opcode_has_sa(*opcode))
		return false;
	return lu_op_at(lu, *opcode, *sa) != NULL;
}

#define CMD_INDEXES (256u * LU_MAX_SA)

static unsigned count_cmds(const struct scsi_lu *lu)
{
	unsigned n = 0;
	uint8_t opcode;
	uint16_t sa;

	for (unsigned i = 0; i < CMD_INDEXES; i++)
		n += cmd_at(lu, i, &opcode, &sa);
	return n;
}

/* Nominal and recommended timeouts 0: none indicated. */
static uint32_t put_timeouts(uint8_t *p)
{
	put_be16(p, TIMEOUTS_LEN - 2);	/* DESCRIPTOR LENGTH */
	return TIMEOUTS_LEN;
}

static uint32_t put_cmd_desc(uint8_t *p, uint8_t opcode, uint16_t sa, bool rctd)
{
	bool has_sa = lu_opcode_has_sa(opcode);

	p[0] = opcode;
	put_be16(&p[2], has_sa ? sa : 0);
	p[5] = (rctd ? 0x02 : 0) | (has_sa ? 0x01 : 0);	/* CTDP, SERVACTV */
	put_be16(&p[6], (uint16_t)cdb_len(opcode));
	return CMD_DESC_LEN + (rctd ? put_timeouts(&p[CMD_DESC_LEN]) : 0);
}

static uint32_t put_all(const struct scsi_lu *lu, uint8_t *buf, bool rctd)
{
	uint32_t n = ALL_HDR_LEN;
	uint8_t opcode;
	uint16_t sa;

	for (unsigned i = 0; i < CMD_INDEXES; i++) {
		if (cmd_at(lu, i, &opcode, &sa))
			n += put_cmd_desc(&buf[n], opcode, sa, rctd);
	}
	put_be32(buf, n - ALL_HDR_LEN);	/* COMMAND DATA LENGTH */
	return n;
}

/* one_command format for @op, the command (@opcode, @sa), or NULL. */
static uint32_t put_one(uint8_t *buf, const struct scsi_op *op, uint8_t opcode,
			uint16_t sa, bool rctd)
{
	unsigned len = cdb_len(opcode);

	if (!op) {
		buf[1] = SUPPORT_NO;	/* CDB SIZE 0, no usage data */
		return ONE_HDR_LEN;
	}
	buf[1] = (rctd ? 0x80 : 0) | SUPPORT_YES;	/* CTDP */
	put_be16(&buf[2], (uint16_t)len);
	memcpy(&buf[ONE_HDR_LEN], op->usage, len);
	buf[ONE_HDR_LEN] = opcode;
	if (lu_opcode_has_sa(opcode))
		buf[ONE_HDR_LEN + 1] |= (uint8_t)sa;
	return ONE_HDR_LEN + len + (rctd ? put_timeouts(&buf[ONE_HDR_LEN + len]) : 0);
}

int spc_rsoc_prepare(struct scsi_task *task)
{
	struct rsoc_req r = rsoc_decode(task->cdb);
	bool has_sa = lu_opcode_has_sa(r.opcode);
	uint32_t size;

	if (r.options > RO_OPCODE_ANY)
		return sense_invalid_cdb(task, 2, 2);
	/* 001b is for an opcode without service actions, 010b for one with. */
	if ((r.options == RO_OPCODE && has_sa) || (r.options == RO_OPCODE_SA && !has_sa))
		return sense_invalid_cdb(task, 3, -1);
	if (r.options == RO_ALL)
		size = ALL_HDR_LEN + count_cmds(task->lu) * (CMD_DESC_LEN + TIMEOUTS_LEN);
	else
		size = ONE_HDR_LEN + SCSI_CDB_MAX + TIMEOUTS_LEN;
	if (task_alloc_buf(task, size, true))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

int spc_rsoc(struct scsi_task *task)
{
	struct rsoc_req r = rsoc_decode(task->cdb);
	uint32_t n;

	if (r.options == RO_ALL)
		n = put_all(task->lu, task->buf, r.rctd);
	else
		n = put_one(task->buf, lu_op_at(task->lu, r.opcode, r.sa), r.opcode, r.sa,
			    r.rctd);
	return task_data_in(task, n, get_be32(&task->cdb[6]));
}

/* Task management functions scsi_tmf_execute() carries out: ABORT TASK,
 * ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET, QUERY TASK, TARGET
 * RESET (warm and cold), then QUERY TASK SET and I_T NEXUS RESET. */
#define TMF_SUPPORTED	0xde	/* ATS, ATSS, CTSS, LURS, QTS, TRS */
#define TMF_SUPPORTED_1	0x03	/* QTSS, ITNRS */
#define RSTMF_BASIC_LEN	4
#define RSTMF_EXT_LEN	16

int spc_rstmf(struct scsi_task *task)
{
	bool repd = task->cdb[2] & 0x80;	/* extended format */
	uint8_t *buf = task->buf;

	buf[0] = TMF_SUPPORTED;
	buf[1] = TMF_SUPPORTED_1;
	/* Extended: no TMF timeouts are indicated (TMFTMOV 0). */
	if (repd)
		buf[3] = RSTMF_EXT_LEN - RSTMF_BASIC_LEN;	/* ADDITIONAL DATA LENGTH */
	return task_data_in(task, repd ? RSTMF_EXT_LEN : RSTMF_BASIC_LEN,
			    get_be32(&task->cdb[6]));
}
