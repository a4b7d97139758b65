/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The read-modify-write commands: COMPARE AND WRITE (SBC-3 5.2) and
 * ORWRITE(16) (SBC-3 5.8). Both read their blocks, work on them, and write
 * them back; the LBA range lock in ATOMIC mode keeps every other command on
 * those blocks out from the read to the end of the write, which is the
 * atomicity SBC requires.
 *
 * COMPARE AND WRITE: NUMBER OF LOGICAL BLOCKS n, data-out 2n blocks (the
 * compare data, then the write data). Buffer: compare | write | medium.
 * A difference ends the command with MISCOMPARE, MISCOMPARE DURING VERIFY
 * OPERATION and the offset of the first differing byte in INFORMATION;
 * nothing is written then.
 *
 * ORWRITE: data-out n blocks, ORed into the blocks on the medium. Buffer:
 * data-out | medium; the result is built in the data-out part.
 */
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

#define RMW_FUA 0x08	/* byte 1 of both CDBs; DPO (0x10) needs nothing */

static size_t range_bytes(const struct scsi_task *task)
{
	return (size_t)task->nblocks * task->lu->block_size;
}

/* Fields shared by both CDBs: protection, write protection, FUA. */
static int rmw_check_common(struct scsi_task *task)
{
	if (task->cdb[1] >> 5)		/* WRPROTECT / ORPROTECT */
		return sense_invalid_cdb(task, 1, 7);
	if (task->cdb[1] & RMW_FUA)
		task->flags |= TF_FUA;
	task->flags |= TF_WRITE;
	return sbc_check_writable(task);
}

/* ---- COMPARE AND WRITE ---- */

int sbc_caw_prepare(struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	uint32_t n = cdb[13], len = n * task->lu->block_size;
	int rc = rmw_check_common(task);

	if (rc == SCSI_TASK_READY)
		rc = sbc_check_range(task, get_be64(&cdb[2]), n, false);
	if (rc != SCSI_TASK_READY)
		return rc;
	if (n > task->lu->max_caw_blocks)
		return sense_invalid_cdb(task, 13, -1);
	/* Without both halves there is nothing sensible to compare or write
	 * (and n = 0 transfers nothing at all). */
	if (!sbc_dout_exact(task, 2 * len))
		return SCSI_TASK_COMPLETE;
	if (!n)
		return SCSI_TASK_READY;
	task->data_out_len = 2 * len;
	if (task_alloc_buf(task, 3 * len, false))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

/* Offset of the first byte where @a and @b differ, or -1. */
static int64_t diff_at(const uint8_t *a, const uint8_t *b, size_t len)
{
	if (!memcmp(a, b, len))
		return -1;
	for (size_t i = 0;; i++) {
		if (a[i] != b[i])
			return (int64_t)i;
	}
}

static void caw_read_done(struct bs_request *req)
{
	struct scsi_task *task = req->priv;
	size_t len = range_bytes(task);
	int64_t off;

	if (req->result < 0) {
		sbc_io_error(task, BS_OP_READ);
	} else if ((off = diff_at(task->buf, task->buf + 2 * len, len)) >= 0) {
		sense_check(task, SENSE_MISCOMPARE, ASC_MISCOMPARE_DURING_VERIFY);
		sense_set_info(task, (uint32_t)off);
	} else if (sbc_submit(task, BS_OP_WRITE, task->buf + len, sbc_rw_done) ==
		   SCSI_TASK_PENDING) {
		return;
	}
	lba_lock_done(task);
}

static int caw_start(struct scsi_task *task)
{
	return sbc_submit(task, BS_OP_READ, task->buf + 2 * range_bytes(task), caw_read_done);
}

int sbc_caw_execute(struct scsi_task *task)
{
	if (!task->nblocks)
		return task_good(task);
	return lba_lock_run(task, task->lba, task->nblocks, LBA_LOCK_ATOMIC, caw_start);
}

/* ---- ORWRITE(16) ---- */

int sbc_orwrite_prepare(struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	int rc = rmw_check_common(task);

	if (rc == SCSI_TASK_READY)
		rc = sbc_check_range(task, get_be64(&cdb[2]), get_be32(&cdb[10]), true);
	if (rc != SCSI_TASK_READY || !task->nblocks)
		return rc;
	task->data_out_len = task->nblocks * task->lu->block_size;
	if (task_alloc_buf(task, 2 * task->data_out_len, false))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

static void orwrite_read_done(struct bs_request *req)
{
	struct scsi_task *task = req->priv;
	const uint8_t *have = task->buf + task->data_out_len;
	size_t len = range_bytes(task);

	if (req->result < 0) {
		sbc_io_error(task, BS_OP_READ);
	} else {
		for (size_t i = 0; i < len; i++)
			task->buf[i] |= have[i];
		if (sbc_submit(task, BS_OP_WRITE, task->buf, sbc_rw_done) == SCSI_TASK_PENDING)
			return;
	}
	lba_lock_done(task);
}

static int orwrite_start(struct scsi_task *task)
{
	return sbc_submit(task, BS_OP_READ, task->buf + task->data_out_len, orwrite_read_done);
}

int sbc_orwrite_execute(struct scsi_task *task)
{
	if (!task->nblocks)
		return task_good(task);
	/* Like WRITE: only the whole blocks received are ORed in. */
	if (!sbc_trim_to_received(task))
		return SCSI_TASK_COMPLETE;
	if (!task->nblocks)
		return task_good(task);
	return lba_lock_run(task, task->lba, task->nblocks, LBA_LOCK_ATOMIC, orwrite_start);
}
