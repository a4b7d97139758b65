/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WRITE ATOMIC(16) (SBC-4 5.46): a write that no other command sees half
 * done. It is one backend write of one buffer, run under the LBA range lock
 * in ATOMIC mode, so no read or write of those blocks runs at the same
 * time. The limits are the LU's atomic_* fields, reported in the Block
 * Limits VPD page: MAXIMUM ATOMIC TRANSFER LENGTH, ATOMIC ALIGNMENT and
 * ATOMIC TRANSFER LENGTH GRANULARITY (0 or 1: no requirement). Atomic
 * boundaries are not supported (their maximums are reported as 0), so the
 * ATOMIC BOUNDARY field must be zero.
 *
 * Atomicity against a power loss is what the store gives a single write of
 * whole, aligned pages (hence alignment and granularity of 4 KiB); for a
 * file that is the file system's guarantee, not ours.
 */
#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

#define WA_FUA 0x08

static int check_atomic_fields(struct scsi_task *task)
{
	const struct scsi_lu *lu = task->lu;
	uint32_t n = task->nblocks;

	if (get_be16(&task->cdb[10]))		/* ATOMIC BOUNDARY */
		return sense_invalid_cdb(task, 10, -1);
	if (n > lu->atomic_max_blocks)
		return sense_invalid_cdb(task, 12, -1);
	if (lu->atomic_align > 1 && task->lba % lu->atomic_align)
		return sense_invalid_cdb(task, 2, -1);
	if (lu->atomic_gran > 1 && n % lu->atomic_gran)
		return sense_invalid_cdb(task, 12, -1);
	return SCSI_TASK_READY;
}

int sbc_write_atomic_prepare(struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	int rc;

	if (cdb[1] >> 5)			/* WRPROTECT */
		return sense_invalid_cdb(task, 1, 7);
	rc = sbc_check_writable(task);
	/* The range first: an LBA past the end is out of range whatever the
	 * alignment says. */
	if (rc == SCSI_TASK_READY)
		rc = sbc_check_range(task, get_be64(&cdb[2]), get_be16(&cdb[12]), false);
	if (rc == SCSI_TASK_READY)
		rc = check_atomic_fields(task);
	if (rc != SCSI_TASK_READY || !task->nblocks)
		return rc;
	if (cdb[1] & WA_FUA)
		task->flags |= TF_FUA;
	task->flags |= TF_WRITE;
	task->data_out_len = task->nblocks * task->lu->block_size;
	if (task_alloc_buf(task, task->data_out_len, false))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

static int atomic_start(struct scsi_task *task)
{
	return sbc_submit(task, BS_OP_WRITE, task->buf, sbc_rw_done);
}

int sbc_write_atomic_execute(struct scsi_task *task)
{
	uint32_t want = task->nblocks;

	if (!want)
		return task_good(task);
	/* Part of an atomic write is not the write that was asked for. */
	if (!sbc_trim_to_received(task))
		return SCSI_TASK_COMPLETE;
	if (task->nblocks != want)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CMD_IU);
	return lba_lock_run(task, task->lba, task->nblocks, LBA_LOCK_ATOMIC, atomic_start);
}
