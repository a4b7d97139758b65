/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The life of a task: the checks every command goes through (LU, unit
 * attention, opcode, medium) before its own handler, and buffer ownership.
 *
 * The order of the checks follows SAM-5/SPC-4: a LUN without a LU is
 * reported first, then a pending unit attention (which also hides an
 * unsupported opcode), then the opcode, then NOT READY, then the CDB fields.
 */
#include <stdlib.h>
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"

/* Give the data buffer back to where it came from. */
static void task_free_buf(struct scsi_task *task)
{
	if (task->buf && task->bufsrc)
		task->bufsrc->put(task->bufsrc, task->buf, task->buf_size);
	else
		free(task->buf);
	task->buf = NULL;
	task->buf_size = 0;
}

int task_alloc_buf(struct scsi_task *task, uint32_t size, bool zero)
{
	task_free_buf(task);
	if (!size)
		size = 1;	/* a real buffer, as malloc(0) may not give one */
	task->buf = task->bufsrc ? task->bufsrc->get(task->bufsrc, size) : malloc(size);
	if (!task->buf) {
		task_busy(task);
		return -1;
	}
	if (zero)
		memset(task->buf, 0, size);
	task->buf_size = size;
	return 0;
}

int task_busy(struct scsi_task *task)
{
	task->status = SCSI_STATUS_BUSY;	/* the initiator retries later */
	task->sense_len = 0;
	return SCSI_TASK_COMPLETE;
}

uint32_t task_dout_announced(const struct scsi_task *task)
{
	return (task->dir & SCSI_DIR_WRITE) ? task->expected_len : 0;
}

uint32_t task_dout_received(const struct scsi_task *task)
{
	uint32_t got = task_dout_announced(task);

	return got < task->data_out_len ? got : task->data_out_len;
}

int task_data_in(struct scsi_task *task, uint32_t produced, uint32_t alloc_len)
{
	task->data_in_len = produced < alloc_len ? produced : alloc_len;
	return task_good(task);
}

static void task_reset_outputs(struct scsi_task *task)
{
	task->status = SCSI_STATUS_GOOD;
	task->sense_len = 0;
	task->data_in_len = 0;
	task->data_out_len = 0;
	task->flags = 0;
	task->aborted = false;
}

void task_sense_format(struct scsi_task *task)
{
	/* D_SENSE=1 in the LU's control mode page: descriptor format. */
	if (task->lu && task->lu->mode.d_sense)
		sense_to_desc(task);
}

static int task_end(struct scsi_task *task, int rc)
{
	if (rc == SCSI_TASK_COMPLETE)
		task_sense_format(task);
	return rc;
}

static int prepare(struct scsi_task *task)
{
	const struct scsi_op *op;
	bool bad_sa;
	uint16_t ua;

	task_reset_outputs(task);
	task->lu = task->tgt ? scsi_itn_lu(task->tgt, task->itn, task->lun) : NULL;
	op = lu_find_op(task->lu, task->cdb, &bad_sa);
	if (!task->lu && !(op && (op->flags & OP_ANY_LUN)))
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_LU_NOT_SUPPORTED);
	/* ctgt never establishes an ACA condition (the NACA bit is not
	 * honoured), so an ACA task has no ACA to run in: SAM-5 ends it with
	 * INVALID MESSAGE ERROR. */
	if (task->attr == SCSI_ATTR_ACA)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_INVALID_MESSAGE_ERROR);
	if (task->lu && !(op && (op->flags & OP_UA_EXEMPT))) {
		ua = tgt_ua_take(task);
		if (ua)
			return sense_check(task, SENSE_UNIT_ATTENTION, ua);
	}
	if (!op) {
		if (bad_sa)	/* field pointer: SERVICE ACTION, byte 1 bits 4..0 */
			return sense_invalid_cdb(task, 1, 4);
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
	}
	/* Reservations: after the UA and opcode checks, before the medium
	 * and the CDB fields (SPC-4 5.13.1, SAM-5 5.14). */
	if (task->lu && pr_check(task) != SCSI_TASK_READY)
		return SCSI_TASK_COMPLETE;
	if (task->lu && lu_job_check(task) != SCSI_TASK_READY)
		return SCSI_TASK_COMPLETE;
	if ((op->flags & OP_MEDIUM) && !lu_medium_present(task->lu))
		return sense_check(task, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	if ((op->flags & OP_DATA_IN) && task_alloc_buf(task, SCSI_DATA_IN_MAX, true))
		return SCSI_TASK_COMPLETE;
	return op->prepare ? op->prepare(task) : SCSI_TASK_READY;
}

int scsi_task_prepare(struct scsi_task *task)
{
	int rc = task_end(task, prepare(task));

	/* From here until it completes the task is in its LU's task set. */
	if (rc == SCSI_TASK_READY && task->lu)
		ts_add(task);
	return rc;
}

/* Run the handler: called by the task set when the task's turn comes. */
int task_run(struct scsi_task *task)
{
	bool bad_sa;
	const struct scsi_op *op = lu_find_op(task->lu, task->cdb, &bad_sa);

	/* prepare() only says READY for a command it found. */
	if (!op)
		return task_end(task, sense_check(task, SENSE_ILLEGAL_REQUEST,
						  ASC_INVALID_OPCODE));
	/* A SANITIZE or FORMAT UNIT may have started while the data-out of
	 * this command was on its way. */
	if (task->lu && lu_job_check(task) != SCSI_TASK_READY)
		return task_end(task, SCSI_TASK_COMPLETE);
	/* A later completion is formatted by the task set (ts_task_done). */
	return task_end(task, op->execute(task));
}

int scsi_task_execute(struct scsi_task *task)
{
	return ts_execute(task);
}

void scsi_task_release(struct scsi_task *task)
{
	ts_remove(task);	/* released before execution (early status) */
	task_free_buf(task);
}
