/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SBC-3 block commands: READ, WRITE, WRITE AND VERIFY, VERIFY (6/10/12/16 as
 * defined), SYNCHRONIZE CACHE and READ CAPACITY.
 *
 * Reads and writes run under the LU's LBA range lock (lba_lock.c), so that
 * they never interleave with a COMPARE AND WRITE, an ORWRITE or a WRITE
 * ATOMIC on the same blocks.
 *
 * Every medium access is checked in prepare (protection fields, LBA range,
 * transfer limit, write protection) before any buffer is allocated, so the
 * buffer size is bounded by SCSI_MAX_XFER_BYTES whatever the CDB says.
 */
#include <stdlib.h>
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

/* CDB length from the operation code's group (SPC-4 4.2.5.1). */
static unsigned cdb_group(const uint8_t *cdb)
{
	return cdb[0] >> 5;
}

/* Byte offset of the TRANSFER LENGTH field, for sense field pointers. */
static unsigned len_field(const uint8_t *cdb)
{
	switch (cdb_group(cdb)) {
	case 0: return 4;
	case 4: return 10;
	case 5: return 6;
	default: return 7;
	}
}

void sbc_rw_decode(const uint8_t *cdb, uint64_t *lba, uint32_t *len)
{
	switch (cdb_group(cdb)) {
	case 0:		/* 6-byte: 21-bit LBA, 0 means 256 blocks */
		*lba = get_be24(&cdb[1]) & 0x1fffff;
		*len = cdb[4] ? cdb[4] : 256;
		break;
	case 4:		/* 16-byte */
		*lba = get_be64(&cdb[2]);
		*len = get_be32(&cdb[10]);
		break;
	case 5:		/* 12-byte */
		*lba = get_be32(&cdb[2]);
		*len = get_be32(&cdb[6]);
		break;
	default:	/* 10-byte */
		*lba = get_be32(&cdb[2]);
		*len = get_be16(&cdb[7]);
		break;
	}
}

bool sbc_protect_set(const uint8_t *cdb)
{
	return cdb_group(cdb) != 0 && (cdb[1] >> 5) != 0;
}

int sbc_check_range(struct scsi_task *task, uint64_t lba, uint32_t len, bool limit)
{
	struct scsi_lu *lu = task->lu;

	/* Written so that no sum can wrap, whatever lba and len are. */
	if (lba > lu->nblocks || lu->nblocks - lba < len)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	if (limit && len > lu->max_xfer_blocks)
		return sense_invalid_cdb(task, len_field(task->cdb), -1);
	task->lba = lba;
	task->nblocks = len;
	return SCSI_TASK_READY;
}

/* Decode and check the range; stores lba/nblocks in the task. */
static int rw_check(struct scsi_task *task, bool limit)
{
	uint64_t lba;
	uint32_t len;

	sbc_rw_decode(task->cdb, &lba, &len);
	return sbc_check_range(task, lba, len, limit);
}

int sbc_check_writable(struct scsi_task *task)
{
	if (mode_write_protected(task->lu) || itn_lu_readonly(task))
		return sense_check(task, SENSE_DATA_PROTECT, ASC_WRITE_PROTECTED);
	return SCSI_TASK_READY;
}

int sbc_read_prepare(struct scsi_task *task)
{
	int rc;

	if (sbc_protect_set(task->cdb))
		return sense_invalid_cdb(task, 1, 7);
	rc = rw_check(task, true);
	if (rc != SCSI_TASK_READY)
		return rc;
	/* DPO and FUA are accepted and need nothing: every read sees the
	 * backend's current data. */
	if (task->nblocks &&
	    task_alloc_buf(task, task->nblocks * task->lu->block_size, false))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

/* Shared by WRITE and WRITE AND VERIFY once their own fields are checked. */
static int write_common(struct scsi_task *task)
{
	int rc = sbc_check_writable(task);

	if (rc != SCSI_TASK_READY)
		return rc;
	rc = rw_check(task, true);
	if (rc != SCSI_TASK_READY)
		return rc;
	task->flags |= TF_WRITE;
	task->data_out_len = task->nblocks * task->lu->block_size;
	if (task->data_out_len && task_alloc_buf(task, task->data_out_len, false))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

int sbc_write_prepare(struct scsi_task *task)
{
	if (sbc_protect_set(task->cdb))
		return sense_invalid_cdb(task, 1, 7);
	if (cdb_group(task->cdb) != 0 && (task->cdb[1] & 0x08))
		task->flags |= TF_FUA;
	return write_common(task);
}

/* BYTCHK (SBC-4: bits 2..1 of byte 1): 0 no compare, 1 compare with as
 * many blocks of data-out, 3 (VERIFY only) compare every block with one
 * block of data-out. 2 is reserved, and so is 3 for WRITE AND VERIFY. */
static unsigned bytchk(const uint8_t *cdb)
{
	return (cdb[1] >> 1) & 3;
}

enum { BYTCHK_NONE = 0, BYTCHK_BLOCKS = 1, BYTCHK_ONE_BLOCK = 3 };

int sbc_write_verify_prepare(struct scsi_task *task)
{
	if (sbc_protect_set(task->cdb))
		return sense_invalid_cdb(task, 1, 7);
	if (bytchk(task->cdb) > 1)
		return sense_invalid_cdb(task, 1, 2);
	/* Verifying what we just wrote means making it durable first; a
	 * compare against the data-out buffer could not fail. */
	task->flags |= TF_FUA;
	return write_common(task);
}

bool sbc_dout_exact(struct scsi_task *task, uint32_t len)
{
	if (task_dout_announced(task) == len)
		return true;
	/* No field pointer: the CDB is consistent in itself, it just does not
	 * describe the data the initiator is sending. */
	sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	return false;
}

int sbc_verify_prepare(struct scsi_task *task)
{
	unsigned mode = bytchk(task->cdb);
	uint32_t bs = task->lu->block_size, len;
	int rc;

	if (sbc_protect_set(task->cdb))
		return sense_invalid_cdb(task, 1, 7);
	if (mode != BYTCHK_NONE && mode != BYTCHK_BLOCKS && mode != BYTCHK_ONE_BLOCK)
		return sense_invalid_cdb(task, 1, 2);
	rc = rw_check(task, true);
	if (rc != SCSI_TASK_READY || mode == BYTCHK_NONE || !task->nblocks)
		return rc;
	task->flags |= TF_BYTCHK;
	len = task->nblocks * bs;
	if (mode == BYTCHK_ONE_BLOCK) {
		/* One block of data-out stands for every block of the range. */
		if (!sbc_dout_exact(task, bs))
			return SCSI_TASK_COMPLETE;
		task->data_out_len = bs;
	} else {
		task->data_out_len = len;
	}
	/* Data-out first, the medium's data read in after it. */
	if (task_alloc_buf(task, task->data_out_len + len, false))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

int sbc_io_error(struct scsi_task *task, enum bs_op op)
{
	return sense_check(task, SENSE_MEDIUM_ERROR,
			   op == BS_OP_READ ? ASC_READ_ERROR : ASC_WRITE_ERROR);
}

int sbc_submit(struct scsi_task *task, enum bs_op op, uint8_t *data, bs_done_fn done)
{
	struct scsi_lu *lu = task->lu;
	struct bs_request *req = &task->bsreq;
	size_t len = (size_t)task->nblocks * lu->block_size;

	memset(req, 0, sizeof(*req));
	task->iov.iov_base = data;
	task->iov.iov_len = len;
	req->op = op;
	req->offset = op == BS_OP_FLUSH ? 0 : task->lba * lu->block_size;
	req->len = op == BS_OP_FLUSH ? 0 : len;
	req->iov = &task->iov;
	req->iovcnt = op == BS_OP_FLUSH ? 0 : 1;
	/* Without a write cache (WCE=0) every write is write-through. */
	req->fua = op == BS_OP_WRITE && ((task->flags & TF_FUA) || !lu->mode.wce);
	req->done = done;
	req->priv = task;
	if (backend_submit(lu->bs, req) < 0)
		return sbc_io_error(task, op);
	return SCSI_TASK_PENDING;
}

int sbc_submit_unmap(struct scsi_task *task, bs_done_fn done)
{
	struct scsi_lu *lu = task->lu;
	struct bs_request *req = &task->bsreq;

	memset(req, 0, sizeof(*req));
	req->op = BS_OP_UNMAP;
	req->offset = task->range.lba * lu->block_size;
	req->len = (size_t)task->range.nblocks * lu->block_size;
	req->done = done;
	req->priv = task;
	if (backend_submit(lu->bs, req) < 0)
		return sbc_io_error(task, BS_OP_WRITE);
	return SCSI_TASK_PENDING;
}

void sbc_rw_done(struct bs_request *req)
{
	struct scsi_task *task = req->priv;

	if (req->result < 0) {
		sbc_io_error(task, req->op);
	} else {
		task_good(task);
		if (req->op == BS_OP_READ)
			task->data_in_len = (uint32_t)req->len;
	}
	lba_lock_done(task);
}

/*
 * How much of the data-out buffer the initiator actually sent. The transport
 * receives at most expected_len bytes: when that is less than the CDB asks
 * for (a residual overflow), only the whole blocks received are used.
 * Returns false (sense set) when the data ends inside a block.
 */
bool sbc_trim_to_received(struct scsi_task *task)
{
	uint32_t bs = task->lu->block_size;
	uint32_t got = task_dout_announced(task);

	if (got >= task->data_out_len)
		return true;
	if (got % bs) {
		sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CMD_IU);
		return false;
	}
	task->nblocks = got / bs;
	return true;
}

static int read_start(struct scsi_task *task)
{
	return sbc_submit(task, BS_OP_READ, task->buf, sbc_rw_done);
}

static int write_start(struct scsi_task *task)
{
	return sbc_submit(task, BS_OP_WRITE, task->buf, sbc_rw_done);
}

int sbc_rw_execute(struct scsi_task *task)
{
	if (!task->nblocks)
		return task_good(task);
	if (!(task->flags & TF_WRITE))
		return lba_lock_run(task, task->lba, task->nblocks, LBA_LOCK_READ, read_start);
	if (!sbc_trim_to_received(task))
		return SCSI_TASK_COMPLETE;
	if (!task->nblocks)
		return task_good(task);
	return lba_lock_run(task, task->lba, task->nblocks, LBA_LOCK_WRITE, write_start);
}

/* Offset of the first byte where @a and @b differ; they do differ. */
static uint32_t first_diff(const uint8_t *a, const uint8_t *b)
{
	uint32_t off = 0;

	while (a[off] == b[off])
		off++;
	return off;
}

/* Compare the medium's data with the data-out: every block with the one
 * block received for BYTCHK 3, else byte for byte. Returns the offset of
 * the first miscompare in the (duplicated) data-out buffer, or -1. */
static int64_t verify_compare(const struct scsi_task *task, size_t len)
{
	const uint8_t *want = task->buf, *have = task->buf + task->data_out_len;
	uint32_t bs = task->lu->block_size;

	if (bytchk(task->cdb) != BYTCHK_ONE_BLOCK)
		return memcmp(want, have, len) ? (int64_t)first_diff(want, have) : -1;
	for (size_t off = 0; off < len; off += bs) {
		if (memcmp(want, have + off, bs))
			return (int64_t)(off + first_diff(want, have + off));
	}
	return -1;
}

static void verify_done(struct bs_request *req)
{
	struct scsi_task *task = req->priv;
	int64_t off;

	if (req->result < 0) {
		sbc_io_error(task, BS_OP_READ);
	} else if ((off = verify_compare(task, req->len)) >= 0) {
		sense_check(task, SENSE_MISCOMPARE, ASC_MISCOMPARE_DURING_VERIFY);
		sense_set_info(task, (uint32_t)off);	/* first byte in error */
	} else {
		task_good(task);
	}
	lba_lock_done(task);
}

static int verify_start(struct scsi_task *task)
{
	return sbc_submit(task, BS_OP_READ, task->buf + task->data_out_len, verify_done);
}

int sbc_verify_execute(struct scsi_task *task)
{
	/* Without BYTCHK there is nothing to do: the range was checked and a
	 * memory or file store has no unreadable blocks to find. */
	if (!(task->flags & TF_BYTCHK))
		return task_good(task);
	/* BYTCHK 3 needs its one block, which prepare made sure is announced;
	 * with BYTCHK 1 only the blocks received are compared. */
	if (bytchk(task->cdb) != BYTCHK_ONE_BLOCK && !sbc_trim_to_received(task))
		return SCSI_TASK_COMPLETE;
	if (!task->nblocks)
		return task_good(task);
	return lba_lock_run(task, task->lba, task->nblocks, LBA_LOCK_READ, verify_start);
}

int sbc_sync_cache_prepare(struct scsi_task *task)
{
	/* NUMBER OF LOGICAL BLOCKS 0 means "to the end"; any range is one
	 * flush of the whole store, so only the range is checked. */
	return rw_check(task, false);
}

int sbc_sync_cache_execute(struct scsi_task *task)
{
	/* No range is held: a flush covers completed writes only. */
	return sbc_submit(task, BS_OP_FLUSH, NULL, sbc_rw_done);
}

int sbc_read_capacity10(struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	uint64_t last = task->lu->nblocks - 1;

	/* Without PMI the LOGICAL BLOCK ADDRESS field must be zero. */
	if (!(cdb[8] & 1) && get_be32(&cdb[2]))
		return sense_invalid_cdb(task, 2, -1);
	/* 0xFFFFFFFF tells the initiator to use READ CAPACITY(16). */
	put_be32(&task->buf[0], last > 0xffffffffu ? 0xffffffffu : (uint32_t)last);
	put_be32(&task->buf[4], task->lu->block_size);
	return task_data_in(task, 8, 8);
}

int sbc_read_capacity16(struct scsi_task *task)
{
	uint8_t *buf = task->buf;

	put_be64(&buf[0], task->lu->nblocks - 1);
	put_be32(&buf[8], task->lu->block_size);
	/* buf[12]: no protection. buf[13]: LOGICAL BLOCKS PER PHYSICAL BLOCK
	 * EXPONENT: a smaller write costs the store a read-modify-write of
	 * its page, and a crash can tear writes only at page boundaries.
	 * buf[14..15]: LBPME and LBPRZ when thin, LALBA 0. */
	buf[13] = task->lu->phys_exp;
	if (task->lu->thin)
		buf[14] = 0x80 | 0x40;
	return task_data_in(task, 32, get_be32(&task->cdb[10]));
}
