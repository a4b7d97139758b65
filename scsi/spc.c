/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SPC-4 commands without data to speak of: TEST UNIT READY, REQUEST SENSE,
 * and the removable-medium pair START STOP UNIT / PREVENT ALLOW MEDIUM
 * REMOVAL.
 */
#include "scsi/internal.h"
#include "scsi/sense.h"

int spc_test_unit_ready(struct scsi_task *task)
{
	/* The medium check already ran in scsi_task_prepare(). */
	return task_good(task);
}

/* The condition REQUEST SENSE reports when no command failed before it. */
static uint8_t current_condition(struct scsi_task *task, uint16_t *asc)
{
	if (!task->lu) {
		*asc = ASC_LU_NOT_SUPPORTED;
		return SENSE_ILLEGAL_REQUEST;
	}
	*asc = tgt_ua_take(task);	/* reporting a UA here clears it */
	if (*asc)
		return SENSE_UNIT_ATTENTION;
	if (!lu_medium_present(task->lu)) {
		*asc = ASC_MEDIUM_NOT_PRESENT;
		return SENSE_NOT_READY;
	}
	*asc = ASC_NO_ADDITIONAL_SENSE;
	return SENSE_NO_SENSE;
}

int spc_request_sense(struct scsi_task *task)
{
	uint16_t asc;
	uint8_t key;
	uint32_t n;

	/* A running SANITIZE or FORMAT UNIT reports its progress. */
	if (lu_job_sense(task, task->cdb[1] & 1, &n))
		return task_data_in(task, n, task->cdb[4]);
	key = current_condition(task, &asc);
	/* DESC=1 asks for descriptor format, which we can build as well. */
	if (task->cdb[1] & 1)
		n = sense_build_desc(task->buf, key, asc);
	else
		n = sense_build_fixed(task->buf, key, asc);
	return task_data_in(task, n, task->cdb[4]);
}

int spc_start_stop_unit(struct scsi_task *task)
{
	struct scsi_lu *lu = task->lu;
	uint8_t b4 = task->cdb[4];
	bool loej = b4 & 0x02, start = b4 & 0x01;

	/* A POWER CONDITION other than START_VALID makes LOEJ and START
	 * ignored (SBC-3 5.25); we have no power states to enter. */
	if ((b4 >> 4) != 0 || !loej)
		return task_good(task);
	if (!lu->removable)
		return sense_invalid_cdb(task, 4, 1);
	if (tgt_lu_prevented(lu))
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
	lu_set_medium(lu, start);
	return task_good(task);
}

int spc_prevent_allow(struct scsi_task *task)
{
	uint8_t prevent = task->cdb[4] & 0x03;

	/* 10b and 11b were the obsolete persistent prevention. */
	if (prevent > 1)
		return sense_invalid_cdb(task, 4, 1);
	tgt_set_prevent(task, prevent == 1);
	return task_good(task);
}
