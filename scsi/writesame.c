/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WRITE SAME (10) and (16) (SBC-4 5.49, 5.50): one block of data-out, or
 * with NDOB (16 only) a block of zeros, written to every block of a range.
 *
 * Choices reported in the Block Limits VPD page: WSNZ=0, so a NUMBER OF
 * LOGICAL BLOCKS of zero means "up to the last LBA"; MAXIMUM WRITE SAME
 * LENGTH is SCSI_WS_MAX_BYTES worth of blocks. Anchored LBAs are not
 * supported (ANC_SUP=0), so ANCHOR=1 is refused. UNMAP=1 is accepted on a
 * thin LU only (LBPWS/LBPWS10 set there) and deallocates the range with
 * BS_OP_UNMAP whatever the block holds: SBC-4 lets the device server either
 * write or unmap each LBA and says a thin LU should deallocate (WRITE SAME
 * (10), table "ANCHOR bit, UNMAP bit and ANC_SUP bit relationships"); the
 * range then reads back as zeros (LBPRZ=1). Only a store that cannot
 * deallocate gets the block written instead.
 *
 * The range can be far larger than any buffer we want to allocate, so the
 * block is replicated over a bounded chunk buffer once and the range is
 * written chunk after chunk: task->lba is the next block to write and the
 * whole range is the one held in task->range.
 */
#include <errno.h>
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

/* Bytes written per backend request. */
#define WS_CHUNK_BYTES	(1024u * 1024)

/* Byte 1 of both CDBs */
#define WS_ANCHOR	0x10
#define WS_UNMAP	0x08
#define WS_PBDATA	0x04	/* obsolete in SBC-4 */
#define WS_LBDATA	0x02	/* obsolete in SBC-4 */
#define WS_NDOB		0x01	/* WRITE SAME(16) only */

static bool is_ws16(const uint8_t *cdb)
{
	return cdb[0] == 0x93;
}

/* Byte offset of the NUMBER OF LOGICAL BLOCKS field. */
static unsigned len_field(const uint8_t *cdb)
{
	return is_ws16(cdb) ? 10 : 7;
}

static bool ndob(const uint8_t *cdb)
{
	return is_ws16(cdb) && (cdb[1] & WS_NDOB);
}

static void ws_decode(const uint8_t *cdb, uint64_t *lba, uint32_t *n)
{
	if (is_ws16(cdb)) {
		*lba = get_be64(&cdb[2]);
		*n = get_be32(&cdb[10]);
	} else {
		*lba = get_be32(&cdb[2]);
		*n = get_be16(&cdb[7]);
	}
}

static int check_flags(struct scsi_task *task)
{
	uint8_t b1 = task->cdb[1];

	if (b1 >> 5)			/* WRPROTECT: no protection information */
		return sense_invalid_cdb(task, 1, 7);
	if (b1 & WS_PBDATA)
		return sense_invalid_cdb(task, 1, 2);
	if (b1 & WS_LBDATA)
		return sense_invalid_cdb(task, 1, 1);
	if (b1 & WS_ANCHOR)		/* ANC_SUP=0 (and ANCHOR without UNMAP is invalid anyway) */
		return sense_invalid_cdb(task, 1, 4);
	return SCSI_TASK_READY;
}

/* After the write protection check: a write-protected LU reports that
 * first, whatever the UNMAP bit asks for. */
static int check_unmap(struct scsi_task *task)
{
	if ((task->cdb[1] & WS_UNMAP) && !task->lu->thin)	/* LBPWS=0 on a thick LU */
		return sense_invalid_cdb(task, 1, 3);
	return SCSI_TASK_READY;
}

/* LBA range, with 0 blocks meaning "to the last LBA" (WSNZ=0). */
static int check_range(struct scsi_task *task)
{
	struct scsi_lu *lu = task->lu;
	uint64_t lba, count;
	uint32_t n;

	ws_decode(task->cdb, &lba, &n);
	if (lba >= lu->nblocks)		/* even a "to the end" range needs its first LBA */
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	count = n ? n : lu->nblocks - lba;
	if (lu->nblocks - lba < count)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	if (count > lu->max_ws_blocks)
		return sense_invalid_cdb(task, len_field(task->cdb), -1);
	task->lba = lba;
	task->nblocks = (uint32_t)count;
	return SCSI_TASK_READY;
}

int sbc_write_same_prepare(struct scsi_task *task)
{
	uint32_t bs = task->lu->block_size, chunk;
	int rc = check_flags(task);

	if (rc == SCSI_TASK_READY)
		rc = sbc_check_writable(task);
	if (rc == SCSI_TASK_READY)
		rc = check_unmap(task);
	if (rc == SCSI_TASK_READY)
		rc = check_range(task);
	if (rc != SCSI_TASK_READY)
		return rc;
	/* The data-out is one block exactly, or nothing with NDOB. */
	if (!sbc_dout_exact(task, ndob(task->cdb) ? 0 : bs))
		return SCSI_TASK_COMPLETE;
	task->flags |= TF_WRITE;
	task->data_out_len = ndob(task->cdb) ? 0 : bs;
	chunk = WS_CHUNK_BYTES / bs;
	if (chunk > task->nblocks)
		chunk = task->nblocks;
	/* NDOB: the block is zeros, so is the whole zeroed buffer. */
	if (task_alloc_buf(task, chunk * bs, ndob(task->cdb)))
		return SCSI_TASK_COMPLETE;
	if (ndob(task->cdb))
		task->flags |= TF_WS_FILLED;
	return SCSI_TASK_READY;
}

/* Copy the first block over the rest of the buffer. */
static void fill_chunk(struct scsi_task *task)
{
	uint32_t bs = task->lu->block_size;

	for (uint32_t off = bs; off < task->buf_size; off += bs)
		memcpy(task->buf + off, task->buf, bs);
	task->flags |= TF_WS_FILLED;
}

static void write_done(struct bs_request *req);

/* Write the next chunk of the range, or finish with GOOD. */
static int write_next(struct scsi_task *task)
{
	uint64_t end = task->range.lba + task->range.nblocks;
	uint32_t chunk = task->buf_size / task->lu->block_size;

	if (task->lba >= end)
		return task_good(task);
	if (!(task->flags & TF_WS_FILLED))
		fill_chunk(task);
	if (end - task->lba < chunk)
		chunk = (uint32_t)(end - task->lba);
	task->nblocks = chunk;
	return sbc_submit(task, BS_OP_WRITE, task->buf, write_done);
}

static void write_done(struct bs_request *req)
{
	struct scsi_task *task = req->priv;

	if (req->result < 0) {
		sbc_io_error(task, BS_OP_WRITE);
	} else {
		task->lba += task->nblocks;
		if (write_next(task) == SCSI_TASK_PENDING)
			return;
	}
	lba_lock_done(task);
}

static void unmap_done(struct bs_request *req)
{
	struct scsi_task *task = req->priv;

	if (req->result == -EOPNOTSUPP) {
		/* The store cannot deallocate: writing the block is the
		 * other way SBC gives the device server. */
		task->flags &= ~(uint32_t)TF_WS_UNMAP;
		if (write_next(task) == SCSI_TASK_PENDING)
			return;
	} else if (req->result < 0) {
		sbc_io_error(task, BS_OP_WRITE);
	} else {
		task_good(task);
	}
	lba_lock_done(task);
}

static int unmap_start(struct scsi_task *task)
{
	return sbc_submit_unmap(task, unmap_done);
}

static int ws_start(struct scsi_task *task)
{
	if (task->flags & TF_WS_UNMAP)
		return unmap_start(task);
	return write_next(task);
}

int sbc_write_same_execute(struct scsi_task *task)
{
	if (task->cdb[1] & WS_UNMAP)
		task->flags |= TF_WS_UNMAP;
	return lba_lock_run(task, task->lba, task->nblocks, LBA_LOCK_WRITE, ws_start);
}
