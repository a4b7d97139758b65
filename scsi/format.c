/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FORMAT UNIT (SBC-3 5.3).
 *
 * A virtual medium needs no low-level format and has no defects, so what
 * is left is checking the request: no protection information (FMTPINFO
 * and PROTECTION FIELD USAGE must be zero), no defect list to add (DEFECT
 * LIST LENGTH must be zero) and no initialization pattern (IP). Without an
 * initialization pattern the data after a format is vendor specific: a
 * fully provisioned LU keeps its data; a thin LU comes out of the format
 * with every block deallocated (reading zeros), done as a LU job
 * (lu_job.c) so that IMMED and FORMAT IN PROGRESS work as SBC-3 says.
 */
#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

#define FMT_FMTPINFO	0xc0
#define FMT_LONGLIST	0x20
#define FMT_FMTDATA	0x10
#define FMT_FORMAT	0x07	/* DEFECT LIST FORMAT */
#define FORMAT_RESERVED	0x07

/* Parameter list header byte 1 */
#define HDR_FOV		0x80
#define HDR_DPRY_DCRT_STPF_IP 0x78
#define HDR_IP		0x08
#define HDR_IMMED	0x02

static uint32_t header_len(const uint8_t *cdb)
{
	return (cdb[1] & FMT_LONGLIST) ? 8 : 4;
}

int sbc_format_prepare(struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	int rc;

	if (cdb[1] & FMT_FMTPINFO)	/* no protection information */
		return sense_invalid_cdb(task, 1, 7);
	rc = sbc_check_writable(task);
	if (rc != SCSI_TASK_READY || !(cdb[1] & FMT_FMTDATA))
		return rc;
	if ((cdb[1] & FMT_FORMAT) == FORMAT_RESERVED)
		return sense_invalid_cdb(task, 1, 2);
	/* Only the header is read: a defect list is refused anyway. */
	task->data_out_len = header_len(cdb);
	if (task_alloc_buf(task, task->data_out_len, true))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

/* Check the short or long parameter list header; sets *immed. */
static int check_header(struct scsi_task *task, bool *immed)
{
	const uint8_t *p = task->buf;
	bool longlist = task->cdb[1] & FMT_LONGLIST;
	uint32_t dll;

	if (task_dout_received(task) < task->data_out_len)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	if (p[0])			/* reserved, PROTECTION FIELD USAGE */
		return sense_invalid_param(task, 0);
	/* Without FOV the DPRY, DCRT, STPF and IP bits must be zero; with
	 * it they may be set, but an initialization pattern is not supported. */
	if ((!(p[1] & HDR_FOV) && (p[1] & HDR_DPRY_DCRT_STPF_IP)) || (p[1] & HDR_IP))
		return sense_invalid_param(task, 1);
	if (longlist) {
		if (p[2])		/* reserved */
			return sense_invalid_param(task, 2);
		if (p[3])		/* P_I_INFORMATION, PROTECTION INTERVAL EXPONENT */
			return sense_invalid_param(task, 3);
		dll = get_be32(&p[4]);
	} else {
		dll = get_be16(&p[2]);
	}
	if (dll)			/* no defects can be added */
		return sense_invalid_param(task, longlist ? 4 : 2);
	*immed = p[1] & HDR_IMMED;
	return SCSI_TASK_READY;
}

int sbc_format_execute(struct scsi_task *task)
{
	struct lu_job_spec spec = { .unmap = true, .passes = 1 };
	bool immed = false;
	int rc;

	if (task->cdb[1] & FMT_FMTDATA) {
		rc = check_header(task, &immed);
		if (rc != SCSI_TASK_READY)
			return rc;
	}
	if (!task->lu->thin)
		return task_good(task);
	return lu_job_start(task, &spec, immed);
}
