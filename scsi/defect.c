/* SPDX-License-Identifier: Apache-2.0 */
/*
 * READ DEFECT DATA (10) and (12) (SBC-3 5.14, 5.15).
 *
 * A virtual disk has no defects: both the primary (PLIST) and the grown
 * (GLIST) list are empty. An empty list is the same in every defect list
 * format, so each format the CDB may name is returned as requested (no
 * RECOVERED ERROR for a substituted format is ever needed); only the
 * reserved format 111b is an invalid field. PLISTV/GLISTV echo the lists
 * that were requested: those are the lists the (empty) data stands for.
 */
#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

#define FORMAT_RESERVED 7

/* Check the REQ_PLIST/REQ_GLIST/DEFECT LIST FORMAT byte at CDB byte @at and
 * put the header byte 1 that answers it. */
static int defect_header(struct scsi_task *task, unsigned at)
{
	uint8_t req = task->cdb[at];

	if ((req & 0x07) == FORMAT_RESERVED)
		return sense_invalid_cdb(task, at, 2);
	task->buf[1] = req & 0x1f;	/* PLISTV, GLISTV, DEFECT LIST FORMAT */
	return SCSI_TASK_READY;
}

int sbc_read_defect_data10(struct scsi_task *task)
{
	int rc = defect_header(task, 2);

	if (rc != SCSI_TASK_READY)
		return rc;
	/* bytes 2..3: DEFECT LIST LENGTH 0 */
	return task_data_in(task, 4, get_be16(&task->cdb[7]));
}

int sbc_read_defect_data12(struct scsi_task *task)
{
	int rc = defect_header(task, 1);

	if (rc != SCSI_TASK_READY)
		return rc;
	/* The ADDRESS DESCRIPTOR INDEX (bytes 2..5) selects the first
	 * descriptor to return: any index is past the end of an empty list.
	 * Header bytes 2..3 (generation code) 0: not supported; bytes 4..7:
	 * DEFECT LIST LENGTH 0. */
	return task_data_in(task, 8, get_be32(&task->cdb[6]));
}
