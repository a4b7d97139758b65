/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EXTENDED COPY (LID1) of SPC-4: the copy engine.
 *
 * Once xcopy_parse.c has accepted the parameter list, the segments are
 * processed in order. Each block to block segment is moved through one
 * XCOPY_CHUNK_BYTES buffer: read a chunk from the source LU's backend, write
 * it to the destination's, repeat; all completions arrive on the network
 * thread, so the copy needs no locking of its own and several copies may
 * run at the same time.
 *
 * A segment whose source and destination ranges overlap on one LU is copied
 * as memmove() would: back to front when the destination lies above the
 * source, so every block is read before it is overwritten.
 *
 * Errors found while segments are processed end the command with COPY
 * ABORTED, as SPC-4 describes for errors during segment processing: the
 * segment number in bytes 2..3 of the COMMAND-SPECIFIC INFORMATION field,
 * the residual of a partly written
 * segment in INFORMATION, and, when the error is one the copy source or
 * destination itself reports (LBA out of range, no medium, I/O error), that
 * LU's status byte and sense data appended to the sense data, located by
 * the first (source) or second (destination) byte of COMMAND-SPECIFIC
 * INFORMATION; the additional sense code of the copy manager itself is
 * then NO ADDITIONAL SENSE INFORMATION.
 *
 * The copy may do only what the initiator could do itself over the same
 * I_T nexus: each chunk is read from the source as its own READ would be
 * and written to the destination as its own WRITE would be. Before the
 * chunk's I/O the copy checks that LU's reservations (SPC-2 RESERVE and
 * persistent, pr_io_conflict()) and, for the destination, its write
 * protection (readonly or SWP). What the initiator gets:
 *   - found before any segment is processed (xcopy_parse.c): what its own
 *     READ or WRITE would have got, RESERVATION CONFLICT status or DATA
 *     PROTECT / WRITE PROTECTED, since nothing has been copied yet;
 *   - found while segments are processed (a reservation or SWP that
 *     arrived since): COPY ABORTED like any error a copy target reports
 *     (SPC-4 6.4.3.x / 5.17: the copy target's status, RESERVATION CONFLICT
 *     with no sense data, or CHECK CONDITION with DATA PROTECT sense,
 *     appended to the sense data), so that the initiator learns which
 *     segment stopped and how much of it was written.
 * The chunk's read holds a READ range of the source and its write a WRITE
 * range of the destination (lba_lock.c), as a READ and a WRITE would, so a
 * copy never interleaves with a COMPARE AND WRITE or an atomic write.
 *
 * An aborted copy (ABORT TASK, a reset, the nexus' connection closing,
 * which aborts its tasks) stops once the chunk in flight completes: no
 * further I/O is started; a copy waiting for a range lock stops at once.
 */
#include <stdlib.h>
#include <string.h>

#include "scsi/xcopy.h"
#include "util/endian.h"

struct xcopy_op {
	struct scsi_task *task;		/* task->priv points back here */
	struct xcopy_result *res;	/* NULL: nothing held for this list */
	struct xcopy_list list;
	unsigned seg;			/* segment being processed */
	bool seg_started;
	bool backwards;			/* overlap: copy from the end */
	uint64_t src_off, dst_off;	/* byte offsets of the segment */
	uint64_t seg_bytes, seg_done;	/* its length, bytes written so far */
	uint64_t total;			/* bytes written by the command */
	uint32_t chunk;			/* bytes of the I/O in flight */
	uint8_t *buf;			/* XCOPY_CHUNK_BYTES */
	struct bs_request req;
	struct iovec iov;
};

/* Who reported an error inside a segment. */
enum { BY_MANAGER, BY_SOURCE, BY_DEST };
/* abort_copy() @key for a copy target that answered RESERVATION CONFLICT. */
#define KEY_RESV_CONFLICT 0xff

/* Where the copy target's status and sense go in our sense data. */
#define TARGET_SENSE_OFF SENSE_FIXED_LEN

static int xcopy_step(struct xcopy_op *op);

/* Record the outcome, free the copy; the task's status is final. */
static int finish(struct xcopy_op *op)
{
	op->task->priv = NULL;
	xcopy_result_end(op->task, op->res);
	free(op->buf);
	free(op);
	return SCSI_TASK_COMPLETE;
}

/*
 * End the copy with COPY ABORTED / @asc in segment op->seg. For an error
 * of a copy target (@by not BY_MANAGER), append the status and sense that
 * LU gives for it (@key, @tasc).
 */
static int abort_copy(struct xcopy_op *op, uint16_t asc, int by, uint8_t key, uint16_t tasc)
{
	struct scsi_task *task = op->task;
	uint8_t *s = task->sense;

	if (task->aborted)	/* no status goes out: just stop */
		return finish(op);
	sense_check(task, SENSE_COPY_ABORTED, asc);
	put_be16(&s[10], (uint16_t)op->seg);
	if (op->seg_started && op->seg_done) {
		const struct xcopy_seg *sg = &op->list.segs[op->seg];
		uint32_t bs = op->list.cscd[sg->dst].lu->block_size;

		sense_set_info(task, (uint32_t)((op->seg_bytes - op->seg_done) / bs));
	}
	if (by != BY_MANAGER) {
		s[by == BY_SOURCE ? 8 : 9] = TARGET_SENSE_OFF;
		if (key == KEY_RESV_CONFLICT) {
			/* The copy target's status alone: it has no sense. */
			s[TARGET_SENSE_OFF] = SCSI_STATUS_RESERVATION_CONFLICT;
			task->sense_len = TARGET_SENSE_OFF + 1;
		} else {
			s[TARGET_SENSE_OFF] = SCSI_STATUS_CHECK_CONDITION;
			sense_build_fixed(&s[TARGET_SENSE_OFF + 1], key, tasc);
			task->sense_len = TARGET_SENSE_OFF + 1 + SENSE_FIXED_LEN;
		}
		s[7] = (uint8_t)(task->sense_len - 8);
	}
	return finish(op);
}

static bool range_ok(const struct scsi_lu *lu, uint64_t lba, uint64_t nblocks)
{
	return lba <= lu->nblocks && lu->nblocks - lba >= nblocks;
}

/* Check the copy targets of the current segment and set up its offsets.
 * Returns SCSI_TASK_READY, or COMPLETE after abort_copy(). */
static int seg_begin(struct xcopy_op *op)
{
	const struct xcopy_seg *s = &op->list.segs[op->seg];
	const struct scsi_lu *src, *dst;

	if (s->src >= op->list.ncscd || s->dst >= op->list.ncscd ||
	    !op->list.cscd[s->src].lu || !op->list.cscd[s->dst].lu)
		return abort_copy(op, ASC_UNREACHABLE_COPY_TARGET, BY_MANAGER, 0, 0);
	src = op->list.cscd[s->src].lu;
	dst = op->list.cscd[s->dst].lu;
	if (!lu_medium_present(src))
		return abort_copy(op, ASC_NO_ADDITIONAL_SENSE, BY_SOURCE, SENSE_NOT_READY,
				  ASC_MEDIUM_NOT_PRESENT);
	if (!lu_medium_present(dst))
		return abort_copy(op, ASC_NO_ADDITIONAL_SENSE, BY_DEST, SENSE_NOT_READY,
				  ASC_MEDIUM_NOT_PRESENT);
	op->seg_bytes = (uint64_t)s->nblocks * (s->dc ? dst->block_size : src->block_size);
	if (!range_ok(src, s->src_lba, op->seg_bytes / src->block_size))
		return abort_copy(op, ASC_NO_ADDITIONAL_SENSE, BY_SOURCE, SENSE_ILLEGAL_REQUEST,
				  ASC_LBA_OUT_OF_RANGE);
	if (!range_ok(dst, s->dst_lba, op->seg_bytes / dst->block_size))
		return abort_copy(op, ASC_NO_ADDITIONAL_SENSE, BY_DEST, SENSE_ILLEGAL_REQUEST,
				  ASC_LBA_OUT_OF_RANGE);
	op->src_off = s->src_lba * src->block_size;
	op->dst_off = s->dst_lba * dst->block_size;
	op->seg_done = 0;
	op->seg_started = true;
	op->backwards = src == dst && op->dst_off > op->src_off &&
			op->dst_off < op->src_off + op->seg_bytes;
	return SCSI_TASK_READY;
}

/* Byte offset, relative to the segment's start, of the chunk in flight. */
static uint64_t chunk_pos(const struct xcopy_op *op)
{
	return op->backwards ? op->seg_bytes - op->seg_done - op->chunk : op->seg_done;
}

static struct scsi_lu *seg_lu(const struct xcopy_op *op, bool dst)
{
	const struct xcopy_seg *s = &op->list.segs[op->seg];

	return op->list.cscd[dst ? s->dst : s->src].lu;
}

static void io_done(struct bs_request *req);

/* What the initiator's own READ (WRITE) of @lu would meet now: a
 * reservation conflict, write protection; returns SCSI_TASK_READY or
 * COMPLETE after abort_copy(). */
static int may_access(struct xcopy_op *op, struct scsi_lu *lu, bool write)
{
	int by = write ? BY_DEST : BY_SOURCE;

	if (pr_io_conflict(lu, op->task->itn, write))
		return abort_copy(op, ASC_NO_ADDITIONAL_SENSE, by, KEY_RESV_CONFLICT, 0);
	if (write && mode_write_protected(lu))
		return abort_copy(op, ASC_NO_ADDITIONAL_SENSE, by, SENSE_DATA_PROTECT,
				  ASC_WRITE_PROTECTED);
	return SCSI_TASK_READY;
}

/* Submit the read (or write) of the chunk, its range lock held. Returns
 * PENDING, or COMPLETE after abort_copy() when the LU is being sanitized or
 * formatted (checked per chunk: the job may have started since the copy
 * did), the access is no longer allowed, or the backend refuses the
 * request. The LU's copy_io lets a starting job wait for it. */
static int submit(struct xcopy_op *op, enum bs_op bop)
{
	bool write = bop == BS_OP_WRITE;
	struct bs_request *req = &op->req;
	struct scsi_lu *lu = seg_lu(op, write);
	uint16_t busy = lu_job_busy_asc(lu);
	int rc = may_access(op, lu, write);

	if (rc != SCSI_TASK_READY)
		return rc;
	memset(req, 0, sizeof(*req));
	op->iov.iov_base = op->buf;
	op->iov.iov_len = op->chunk;
	req->op = bop;
	req->offset = (write ? op->dst_off : op->src_off) + chunk_pos(op);
	req->len = op->chunk;
	req->iov = &op->iov;
	req->iovcnt = 1;
	req->done = io_done;
	req->priv = op;
	if (busy)
		return abort_copy(op, ASC_NO_ADDITIONAL_SENSE, write ? BY_DEST : BY_SOURCE,
				  SENSE_NOT_READY, busy);
	if (backend_submit(lu->bs, req) < 0)
		return abort_copy(op, ASC_NO_ADDITIONAL_SENSE, write ? BY_DEST : BY_SOURCE,
				  SENSE_MEDIUM_ERROR, write ? ASC_WRITE_ERROR : ASC_READ_ERROR);
	lu->copy_io++;
	return SCSI_TASK_PENDING;
}

static int start_read(struct scsi_task *task)
{
	return submit(task->priv, BS_OP_READ);
}

static int start_write(struct scsi_task *task)
{
	return submit(task->priv, BS_OP_WRITE);
}

/* The task set aborts a copy that waits for a range lock: it leaves the
 * wait and the copy ends here (the task set ends the task). */
static void cancel_wait(struct scsi_task *task)
{
	lba_lock_cancel(task);
	task->status = SCSI_STATUS_TASK_ABORTED;
	task->sense_len = 0;
	finish(task->priv);
}

/* Take the range of the chunk on the source (read) or destination (write)
 * LU, then submit its I/O. Returns PENDING or COMPLETE (copy freed). */
static int lock_chunk(struct xcopy_op *op, bool write)
{
	struct scsi_lu *lu = seg_lu(op, write);
	uint64_t off = (write ? op->dst_off : op->src_off) + chunk_pos(op);
	uint32_t bs = lu->block_size;
	int rc;

	rc = lba_lock_run_on(op->task, lu, off / bs, (op->chunk + bs - 1) / bs,
			     write ? LBA_LOCK_WRITE : LBA_LOCK_READ,
			     write ? start_write : start_read);
	if (rc == SCSI_TASK_PENDING && op->task->cancel)	/* waiting for the range */
		op->task->cancel = cancel_wait;
	return rc;
}

static void io_done(struct bs_request *req)
{
	struct xcopy_op *op = req->priv;
	struct scsi_task *task = op->task;
	bool write = req->op == BS_OP_WRITE;
	struct scsi_lu *lu = seg_lu(op, write);
	int rc;

	lu->copy_io--;
	if (lu->job)
		lu_job_kick(lu);
	lba_unlock(task);
	if (task->aborted) {
		/* Aborted (or its nexus gone): nothing after this chunk. */
		rc = finish(op);
	} else if (req->result < 0) {
		rc = abort_copy(op, ASC_NO_ADDITIONAL_SENSE, write ? BY_DEST : BY_SOURCE,
				SENSE_MEDIUM_ERROR, write ? ASC_WRITE_ERROR : ASC_READ_ERROR);
	} else if (!write) {
		rc = lock_chunk(op, true);
	} else {
		op->seg_done += op->chunk;
		op->total += op->chunk;
		xcopy_result_progress(task->tgt, op->res, (uint16_t)op->seg, op->total);
		rc = xcopy_step(op);
	}
	if (rc != SCSI_TASK_PENDING)
		task->done(task);
}

/* Start the next chunk, moving on through the segments. Returns PENDING,
 * or COMPLETE with the task's status set and the copy freed. */
static int xcopy_step(struct xcopy_op *op)
{
	int rc;

	while (op->seg < op->list.nsegs) {
		if (!op->seg_started) {
			rc = seg_begin(op);
			if (rc != SCSI_TASK_READY)
				return rc;
		}
		if (op->seg_done < op->seg_bytes) {
			uint64_t left = op->seg_bytes - op->seg_done;

			op->chunk = left < XCOPY_CHUNK_BYTES ? (uint32_t)left : XCOPY_CHUNK_BYTES;
			return lock_chunk(op, false);
		}
		op->seg++;
		op->seg_started = false;
		xcopy_result_progress(op->task->tgt, op->res, (uint16_t)op->seg, op->total);
	}
	task_good(op->task);
	return finish(op);
}

int spc_xcopy_prepare(struct scsi_task *task)
{
	uint32_t len = get_be32(&task->cdb[10]);

	if (len == 0)		/* no parameter list: nothing to do (SPC-4) */
		return SCSI_TASK_READY;
	/* Shorter than the header, or longer than any list we accept. */
	if (len < XCOPY_HDR_LEN || len > XCOPY_MAX_PARAM_LEN)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	task->data_out_len = len;
	if (task_alloc_buf(task, len, false))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

int spc_xcopy(struct scsi_task *task)
{
	struct xcopy_op *op;
	int rc;

	if (task->data_out_len == 0)
		return task_good(task);
	op = calloc(1, sizeof(*op));
	if (!op)
		return task_busy(task);
	op->task = task;
	task->priv = op;
	rc = xcopy_parse(task, task->buf, task_dout_received(task), &op->list);
	if (rc == SCSI_TASK_READY)
		op->res = xcopy_result_start(task, &op->list, &rc);
	if (rc != SCSI_TASK_READY) {
		task->priv = NULL;
		free(op);
		return rc;
	}
	op->buf = malloc(XCOPY_CHUNK_BYTES);
	if (!op->buf) {
		task_busy(task);
		return finish(op);
	}
	return xcopy_step(op);
}

void xcopy_task_progress(const struct scsi_task *task, struct scsi_lu_progress *out)
{
	const struct xcopy_op *op = task->priv;

	if (task->cdb[0] != 0x83 || op == NULL)
		return;
	out->copies++;
	out->copy_segs_done += op->seg;
	out->copy_segs += op->list.nsegs;
	out->copy_bytes += op->total;
}
