/* SPDX-License-Identifier: Apache-2.0 */
/*
 * UNMAP (SBC-3 5.28), the one logical block provisioning command of a thin
 * LU: the parameter list names ranges of blocks to deallocate, and the
 * backend makes each range read back as zeros (LBPRZ).
 *
 * The whole list is checked before anything is unmapped, so a bad
 * descriptor leaves the medium untouched. Then one BS_OP_UNMAP per
 * descriptor runs, one after the other, each under the LBA range lock of
 * its blocks: task->lba is the index of the next descriptor and
 * task->nblocks the number of descriptors.
 */
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

#define UNMAP_HDR_LEN	8	/* parameter list header */
#define UNMAP_DESC_LEN	16	/* block descriptor */

static uint32_t param_list_len(const uint8_t *cdb)
{
	return get_be16(&cdb[7]);
}

int sbc_unmap_prepare(struct scsi_task *task)
{
	uint32_t len = param_list_len(task->cdb);

	if (task->cdb[1] & 0x01)	/* ANCHOR: anchored LBAs not supported */
		return sense_invalid_cdb(task, 1, 0);
	if (sbc_check_writable(task) != SCSI_TASK_READY)
		return SCSI_TASK_COMPLETE;
	if (len == 0)			/* no parameter list: nothing to do */
		return SCSI_TASK_READY;
	if (len < UNMAP_HDR_LEN)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	task->data_out_len = len;
	if (task_alloc_buf(task, len, false))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

/* Check one descriptor at parameter byte @off; adds its blocks to *total. */
static int check_desc(struct scsi_task *task, uint32_t off, uint64_t *total)
{
	const uint8_t *d = &task->buf[off];
	uint64_t lba = get_be64(&d[0]), nblocks = task->lu->nblocks;
	uint32_t count = get_be32(&d[8]);

	if (lba > nblocks || nblocks - lba < count)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	*total += count;
	if (*total > SCSI_UNMAP_MAX_LBAS)
		return sense_invalid_param(task, off + 8);
	return SCSI_TASK_READY;
}

/*
 * Check the header and every descriptor of the received parameter list;
 * on success, set the descriptor cursor and return SCSI_TASK_READY.
 */
static int parse_list(struct scsi_task *task)
{
	uint32_t have = task_dout_received(task), data_len, desc_len, ndesc;
	uint64_t total = 0;
	int rc;

	if (have < UNMAP_HDR_LEN)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	data_len = get_be16(&task->buf[0]);
	desc_len = get_be16(&task->buf[2]);
	/* Descriptors announced but not sent. */
	if (desc_len > have - UNMAP_HDR_LEN)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	/* UNMAP DATA LENGTH must cover the rest of the header and the descriptors. */
	if (data_len < desc_len + UNMAP_HDR_LEN - 2)
		return sense_invalid_param(task, 0);
	/* An incomplete last descriptor is ignored (SBC-3). */
	ndesc = desc_len / UNMAP_DESC_LEN;
	if (ndesc > SCSI_UNMAP_MAX_DESCS)
		return sense_invalid_param(task, 2);
	for (uint32_t i = 0; i < ndesc; i++) {
		rc = check_desc(task, UNMAP_HDR_LEN + i * UNMAP_DESC_LEN, &total);
		if (rc != SCSI_TASK_READY)
			return rc;
	}
	task->lba = 0;
	task->nblocks = ndesc;
	return SCSI_TASK_READY;
}

static void unmap_done(struct bs_request *req);

/* Unmap the range task->range holds (the descriptor before task->lba). */
static int unmap_start(struct scsi_task *task)
{
	return sbc_submit_unmap(task, unmap_done);
}

/* Start the next descriptor that covers blocks, or finish with GOOD. */
static int unmap_next(struct scsi_task *task)
{
	while (task->lba < task->nblocks) {
		const uint8_t *d = &task->buf[UNMAP_HDR_LEN + task->lba * UNMAP_DESC_LEN];
		uint32_t count = get_be32(&d[8]);

		task->lba++;
		if (count == 0)
			continue;
		/* COMPLETE here (a refused submit) ends the task, whether
		 * from execute or from the previous descriptor's completion. */
		return lba_lock_run(task, get_be64(&d[0]), count, LBA_LOCK_WRITE, unmap_start);
	}
	return task_good(task);
}

static void unmap_done(struct bs_request *req)
{
	struct scsi_task *task = req->priv;

	lba_unlock(task);
	if (req->result < 0)
		sense_check(task, SENSE_MEDIUM_ERROR, ASC_WRITE_ERROR);
	else if (!task->aborted && unmap_next(task) == SCSI_TASK_PENDING)
		return;		/* an aborted UNMAP stops after this descriptor */
	task->done(task);
}

int sbc_unmap_execute(struct scsi_task *task)
{
	int rc;

	if (param_list_len(task->cdb) == 0)
		return task_good(task);
	rc = parse_list(task);
	if (rc != SCSI_TASK_READY)
		return rc;
	return unmap_next(task);
}
