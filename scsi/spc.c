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

/* Load: the medium is back. The other I_T nexuses learn that it may have
 * changed; the one that loaded it knows. */
static int load_medium(struct scsi_task *task)
{
	struct scsi_lu *lu = task->lu;

	if (!lu_medium_present(lu)) {
		lu_set_medium(lu, true);
		tgt_ua_others(lu, task->itn, ASC_NOT_READY_TO_READY);
	}
	return task_good(task);
}

static int eject_medium(struct scsi_task *task)
{
	if (tgt_lu_prevented(task->lu))
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
	lu_set_medium(task->lu, false);
	return task_good(task);
}

static void eject_flush_done(struct bs_request *req)
{
	struct scsi_task *task = req->priv;

	if (req->result < 0)
		sbc_io_error(task, BS_OP_WRITE);
	else
		eject_medium(task);	/* a PREVENT may have come meanwhile */
	task->done(task);
}

int spc_start_stop_unit(struct scsi_task *task)
{
	struct scsi_lu *lu = task->lu;
	uint8_t b4 = task->cdb[4];
	bool loej = b4 & 0x02, start = b4 & 0x01, no_flush = b4 & 0x04;

	/* A POWER CONDITION other than START_VALID makes LOEJ and START
	 * ignored (SBC-3 5.25); we have no power states to enter. */
	if ((b4 >> 4) != 0 || !loej)
		return task_good(task);
	if (!lu->removable)
		return sense_invalid_cdb(task, 4, 1);
	/* A prevention locks the mechanism both ways: nothing comes out, and
	 * nothing goes in either. */
	if (tgt_lu_prevented(lu))
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
	if (start)
		return load_medium(task);
	if (!lu_medium_present(lu))
		return task_good(task);
	/* NO_FLUSH=0: cached data reaches the medium before it goes. */
	if (!no_flush && lu->mode.wce)
		return sbc_submit(task, BS_OP_FLUSH, NULL, eject_flush_done);
	return eject_medium(task);
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
