/* SPDX-License-Identifier: Apache-2.0 */
#include "scsi/sense.h"

#include <string.h>

#include "util/endian.h"

uint32_t sense_build_fixed(uint8_t *buf, uint8_t key, uint16_t asc)
{
	memset(buf, 0, SENSE_FIXED_LEN);
	buf[0] = 0x70;				/* current error, fixed format */
	buf[2] = key & 0x0f;
	buf[7] = SENSE_FIXED_LEN - 8;		/* additional sense length */
	buf[12] = (uint8_t)(asc >> 8);
	buf[13] = (uint8_t)asc;
	return SENSE_FIXED_LEN;
}

uint32_t sense_build_desc(uint8_t *buf, uint8_t key, uint16_t asc)
{
	memset(buf, 0, 8);
	buf[0] = 0x72;				/* current error, descriptor format */
	buf[1] = key & 0x0f;
	buf[2] = (uint8_t)(asc >> 8);
	buf[3] = (uint8_t)asc;
	return 8;
}

int sense_check(struct scsi_task *task, uint8_t key, uint16_t asc)
{
	task->status = SCSI_STATUS_CHECK_CONDITION;
	task->sense_len = sense_build_fixed(task->sense, key, asc);
	task->data_in_len = 0;
	return SCSI_TASK_COMPLETE;
}

int sense_invalid_cdb(struct scsi_task *task, unsigned byte, int bit)
{
	sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	/* Sense-key specific: SKSV=1, C/D=1 (the error is in the CDB). */
	task->sense[15] = 0xc0;
	if (bit >= 0)
		task->sense[15] |= 0x08 | (uint8_t)(bit & 7);
	put_be16(&task->sense[16], (uint16_t)byte);
	return SCSI_TASK_COMPLETE;
}

int sense_invalid_param(struct scsi_task *task, unsigned byte)
{
	sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_PARAM_LIST);
	task->sense[15] = 0x80;		/* SKSV=1, C/D=0: in the parameter data */
	put_be16(&task->sense[16], (uint16_t)byte);
	return SCSI_TASK_COMPLETE;
}

void sense_set_info(struct scsi_task *task, uint32_t info)
{
	task->sense[0] |= 0x80;			/* VALID: INFORMATION is defined */
	put_be32(&task->sense[3], info);
}

int task_good(struct scsi_task *task)
{
	task->status = SCSI_STATUS_GOOD;
	task->sense_len = 0;
	return SCSI_TASK_COMPLETE;
}
