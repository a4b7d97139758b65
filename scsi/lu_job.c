/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Background jobs over a whole LU: the medium-wide work of SANITIZE and
 * FORMAT UNIT. A job deallocates every block (UNMAP) or writes a pattern
 * over every block for a number of passes, one bounded backend request at
 * a time, so it never holds more than one chunk of memory and the network
 * thread stays responsive.
 *
 * While a job runs, the LU answers only INQUIRY, REPORT LUNS and REQUEST
 * SENSE; everything else ends with NOT READY and the job's "in progress"
 * code, with the progress indication in the sense-key specific bytes
 * (SPC-4 4.5.2.4.4), which REQUEST SENSE reports as well. A job that fails
 * leaves the LU in failure mode (SBC-3 4.32: sanitize failure mode; for
 * FORMAT UNIT a corrupted format): those three commands and the job's own
 * command still run, everything else ends with MEDIUM ERROR.
 *
 * A job with IMMED completes its command as soon as it has started; without,
 * the command completes when the job ends, unless it is aborted first: the
 * job then goes on without it.
 *
 * Commands already running when a job starts (in backend I/O, or waiting
 * for an LBA range), and EXTENDED COPY I/O of other LUs' commands, are let
 * finish before the first block is touched: a write the store ran after the
 * erase had passed its blocks would survive the sanitize. Meanwhile the job
 * counts as running, so no new command gets in.
 *
 * The job state lives in the LU (lu->job), on the task thread like every
 * other task state (scsi/scsi.h): no lock.
 */
#include <stdlib.h>
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

/* Bytes per backend request: writes carry a buffer, unmaps do not. */
#define JOB_WRITE_CHUNK	(1024u * 1024)
#define JOB_UNMAP_CHUNK	(16ull * 1024 * 1024)

#define OPC_FORMAT_UNIT	0x04
#define OPC_SANITIZE	0x48

struct lu_job {
	struct scsi_lu *lu;
	struct bs_request req;
	struct iovec iov;
	uint8_t *chunk;			/* pattern writes: the pattern, repeated */
	uint32_t chunk_len;
	struct scsi_task *waiter;	/* completes with the job (no IMMED) */
	uint8_t opcode;
	bool unmap, invert, ause;
	bool running, failed;
	bool draining;			/* waiting for the tasks running at its start */
	bool flushed;			/* the current pass is on stable media */
	uint32_t passes, pass;
	uint64_t off;			/* bytes done in the current pass */
};

static uint64_t lu_bytes(const struct scsi_lu *lu)
{
	return lu->nblocks * lu->block_size;
}

/* Progress indication: the fraction done, in units of 1/65536. */
static uint16_t job_progress(const struct lu_job *job)
{
	uint64_t total = lu_bytes(job->lu);
	uint64_t done = (uint64_t)job->pass * total + job->off;
	uint64_t all = (uint64_t)job->passes * total;
	/* done and all are below 2^70 only in theory: scale down first. */
	while (all > (1ull << 40)) {
		all >>= 8;
		done >>= 8;
	}
	done = all ? done * 65536 / all : 0;
	return done > 65535 ? 65535 : (uint16_t)done;
}

static uint16_t busy_asc(const struct lu_job *job)
{
	/* LOGICAL UNIT NOT READY, FORMAT IN PROGRESS / SANITIZE IN PROGRESS */
	return job->opcode == OPC_SANITIZE ? ASC_SANITIZE_IN_PROGRESS : ASC_FORMAT_IN_PROGRESS;
}

static uint16_t failed_asc(const struct lu_job *job)
{
	return job->opcode == OPC_SANITIZE ? ASC_SANITIZE_FAILED : ASC_FORMAT_CORRUPTED;
}

static void job_finish(struct lu_job *job, int rc)
{
	struct scsi_task *task = job->waiter;

	job->running = false;
	job->failed = rc < 0;
	free(job->chunk);
	job->chunk = NULL;
	job->waiter = NULL;
	if (!task)
		return;
	task->cancel = NULL;
	if (rc < 0)
		sense_check(task, SENSE_MEDIUM_ERROR,
			    job->opcode == OPC_SANITIZE ? ASC_SANITIZE_FAILED : ASC_FORMAT_FAILED);
	else
		task_good(task);
	task->done(task);
}

static void job_done(struct bs_request *req);

/* Flip the pattern between passes when INVERT asks for it. */
static void invert_chunk(struct lu_job *job)
{
	for (uint32_t i = 0; i < job->chunk_len; i++)
		job->chunk[i] ^= 0xff;
}

/*
 * The pass just written must reach stable media before the next one (or
 * the command's GOOD): a sanitize or format whose blocks still sit in a
 * cache has not erased anything a power loss would not bring back.
 */
static void job_flush(struct lu_job *job)
{
	struct bs_request *req = &job->req;

	job->flushed = true;
	memset(req, 0, sizeof(*req));
	req->op = BS_OP_FLUSH;
	req->done = job_done;
	req->priv = job;
	if (backend_submit(job->lu->bs, req) < 0)
		job_finish(job, -1);
}

/* Submit the next chunk, or finish. */
static void job_next(struct lu_job *job)
{
	struct bs_request *req = &job->req;
	uint64_t total = lu_bytes(job->lu), len;

	if (job->off == total && !job->flushed) {
		job_flush(job);
		return;
	}
	if (job->off == total) {
		job->off = 0;
		job->flushed = false;
		if (++job->pass == job->passes) {
			job_finish(job, 0);
			return;
		}
		if (job->invert && job->chunk)
			invert_chunk(job);
	}
	len = job->unmap ? JOB_UNMAP_CHUNK : job->chunk_len;
	if (len > total - job->off)
		len = total - job->off;
	memset(req, 0, sizeof(*req));
	req->op = job->unmap ? BS_OP_UNMAP : BS_OP_WRITE;
	req->offset = job->off;
	req->len = (size_t)len;
	if (!job->unmap) {
		job->iov.iov_base = job->chunk;
		job->iov.iov_len = (size_t)len;
		req->iov = &job->iov;
		req->iovcnt = 1;
	}
	req->done = job_done;
	req->priv = job;
	if (backend_submit(job->lu->bs, req) < 0)
		job_finish(job, -1);
}

static void job_done(struct bs_request *req)
{
	struct lu_job *job = req->priv;

	if (req->result < 0) {
		job_finish(job, req->result);
		return;
	}
	if (req->op != BS_OP_FLUSH)
		job->off += req->len;
	job_next(job);
}

/* The pattern repeated (and cut) to fill every block of the chunk. */
static int fill_chunk(struct lu_job *job, const struct lu_job_spec *spec)
{
	uint32_t bs = job->lu->block_size;
	uint64_t total = lu_bytes(job->lu);

	job->chunk_len = total < JOB_WRITE_CHUNK ? (uint32_t)total : JOB_WRITE_CHUNK;
	job->chunk = calloc(1, job->chunk_len);
	if (!job->chunk)
		return -1;
	if (!spec->pattern)
		return 0;
	for (uint32_t i = 0; i < bs; i += spec->pattern_len)
		memcpy(&job->chunk[i], spec->pattern,
		       bs - i < spec->pattern_len ? bs - i : spec->pattern_len);
	for (uint32_t i = bs; i < job->chunk_len; i += bs)
		memcpy(&job->chunk[i], job->chunk, bs);
	return 0;
}

/*
 * The task set aborts the command that waits for the job (ABORT TASK, a
 * reset, its connection gone): the command ends now, the job goes on. A
 * sanitize survives the abort of its command like it survives a reset
 * (SBC-4 4.11.3), and a format must not stop halfway either.
 */
static void cancel_wait(struct scsi_task *task)
{
	struct lu_job *job = task->lu->job;

	if (job && job->waiter == task)
		job->waiter = NULL;
}

/* No I/O of anyone but the job's own command is under way on the LU. */
static bool lu_quiet(const struct scsi_lu *lu, const struct scsi_task *waiter)
{
	return !lu->copy_io && !ts_busy_besides(lu, waiter);
}

int lu_job_start(struct scsi_task *task, const struct lu_job_spec *spec, bool immed)
{
	struct scsi_lu *lu = task->lu;
	struct lu_job *job = lu->job;

	if (!job) {
		job = calloc(1, sizeof(*job));
		if (!job)
			return sense_check(task, SENSE_HARDWARE_ERROR, ASC_INTERNAL_TARGET_FAILURE);
		lu->job = job;
	}
	/* Not running: the checks of scsi_task_prepare() let no job-starting
	 * command through while one runs. */
	memset(job, 0, sizeof(*job));
	job->lu = lu;
	job->opcode = task->cdb[0];
	job->unmap = spec->unmap;
	job->invert = spec->invert;
	job->ause = spec->ause;
	job->passes = spec->passes ? spec->passes : 1;
	if (!spec->unmap && fill_chunk(job, spec) < 0)
		return sense_check(task, SENSE_HARDWARE_ERROR, ASC_INTERNAL_TARGET_FAILURE);
	/* With INVERT the passes alternate so that the last one writes the
	 * pattern itself: an even count starts inverted (SBC-4 5.24.2). */
	if (job->invert && job->passes % 2 == 0)
		invert_chunk(job);
	job->running = true;
	if (!lu_quiet(lu, task))
		job->draining = true;
	else
		job_next(job);
	if (!job->running && job->failed)
		return sense_check(task, SENSE_MEDIUM_ERROR, failed_asc(job));
	if (immed || !job->running)
		return task_good(task);
	job->waiter = task;
	task->cancel = cancel_wait;
	return SCSI_TASK_PENDING;
}

void lu_job_kick(struct scsi_lu *lu)
{
	struct lu_job *job = lu->job;

	if (!job || !job->draining || !lu_quiet(lu, job->waiter))
		return;
	job->draining = false;
	job_next(job);
}

uint16_t lu_job_busy_asc(const struct scsi_lu *lu)
{
	return lu->job && lu->job->running ? busy_asc(lu->job) : 0;
}

/* Commands a running or failed job still lets through. */
static bool always_allowed(uint8_t opcode)
{
	return opcode == 0x12 || opcode == 0xa0 || opcode == 0x03;
}

static void set_progress(uint8_t *sense, uint16_t progress)
{
	sense[15] = 0x80;		/* SKSV: progress indication */
	put_be16(&sense[16], progress);
}

int lu_job_check(struct scsi_task *task)
{
	const struct lu_job *job = task->lu ? task->lu->job : NULL;

	if (!job || always_allowed(task->cdb[0]))
		return SCSI_TASK_READY;
	if (job->running) {
		sense_check(task, SENSE_NOT_READY, busy_asc(job));
		set_progress(task->sense, job_progress(job));
		return SCSI_TASK_COMPLETE;
	}
	if (job->failed && task->cdb[0] != job->opcode)
		return sense_check(task, SENSE_MEDIUM_ERROR, failed_asc(job));
	return SCSI_TASK_READY;
}

bool lu_job_sense(struct scsi_task *task, bool desc, uint32_t *len)
{
	const struct lu_job *job = task->lu ? task->lu->job : NULL;
	uint8_t *buf = task->buf;

	if (!job || (!job->running && !job->failed))
		return false;
	if (!job->running) {
		*len = desc ? sense_build_desc(buf, SENSE_MEDIUM_ERROR, failed_asc(job))
			    : sense_build_fixed(buf, SENSE_MEDIUM_ERROR, failed_asc(job));
		return true;
	}
	if (!desc) {
		*len = sense_build_fixed(buf, SENSE_NOT_READY, busy_asc(job));
		set_progress(buf, job_progress(job));
		return true;
	}
	/* Descriptor format: a sense key specific descriptor (SPC-4 4.5.2.4)
	 * carries the progress indication. */
	sense_build_desc(buf, SENSE_NOT_READY, busy_asc(job));
	buf[7] = 8;			/* ADDITIONAL SENSE LENGTH */
	buf[8] = 0x02;			/* DESCRIPTOR TYPE: sense key specific */
	buf[9] = 0x06;			/* ADDITIONAL LENGTH */
	buf[12] = 0x80;			/* SKSV */
	put_be16(&buf[13], job_progress(job));
	*len = 16;
	return true;
}

bool lu_job_failed(const struct scsi_lu *lu, uint8_t opcode, bool *ause)
{
	const struct lu_job *job = lu->job;

	if (!job || !job->failed || job->opcode != opcode)
		return false;
	*ause = job->ause;
	return true;
}

void lu_job_clear_failure(struct scsi_lu *lu)
{
	if (lu->job && !lu->job->running)
		lu->job->failed = false;
}

void lu_job_free(struct scsi_lu *lu)
{
	struct lu_job *job = lu->job;

	/* A job whose request is still with the backend cannot be freed: its
	 * completion would touch freed memory. Only at shutdown can a LU go
	 * away with a job running; the job is then left behind. */
	if (!job || job->running)
		return;
	free(job->chunk);
	free(job);
	lu->job = NULL;
}

bool lu_job_running(const struct scsi_lu *lu)
{
	return lu->job != NULL && lu->job->running;
}

void lu_job_progress(const struct scsi_lu *lu, struct scsi_lu_progress *out)
{
	const struct lu_job *job = lu->job;

	if (job == NULL || (!job->running && !job->failed))
		return;		/* none, or it ended well */
	out->job_opcode = job->opcode;
	out->job_failed = job->failed;
	out->job_progress = job->failed ? 0 : job_progress(job);
}
