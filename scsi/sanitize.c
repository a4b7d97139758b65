/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SANITIZE (SBC-3 5.19): OVERWRITE, BLOCK ERASE, CRYPTOGRAPHIC ERASE and
 * EXIT FAILURE MODE, each a service action of operation code 48h.
 *
 * The medium-wide work runs as a LU job (lu_job.c): OVERWRITE writes the
 * initialization pattern over every block, OVERWRITE COUNT times (with
 * INVERT, alternating with its inverse so that the last pass writes the
 * pattern itself). BLOCK ERASE deallocates every block; it
 * exists on a thin LU only, since SBC-3 ties it to logical block
 * provisioning (libiscsi fails a BLOCK ERASE on a LU with LBPME=0).
 * CRYPTOGRAPHIC ERASE has no key to change here, so it makes the old data
 * unreadable the same way: deallocating on a thin LU, writing zeros on a
 * fully provisioned one. Reads after either erase succeed (WABEREQ and
 * WACEREQ 01b in the Block Device Characteristics page) and return zeros.
 *
 * A failed sanitize leaves the LU in sanitize failure mode until a SANITIZE
 * completes, or, when the failed one had AUSE set, EXIT FAILURE MODE. After
 * a failure with AUSE=0 (restricted completion mode) a SANITIZE with AUSE=1
 * is refused too.
 */
#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

enum {
	SA_OVERWRITE = 0x01,
	SA_BLOCK_ERASE = 0x02,
	SA_CRYPTO_ERASE = 0x03,
	SA_EXIT_FAILURE_MODE = 0x1f,
};

#define OVW_HDR_LEN	4	/* OVERWRITE parameter list header */

static uint8_t sanitize_sa(const uint8_t *cdb)
{
	return cdb[1] & 0x1f;
}

static uint16_t param_len(const uint8_t *cdb)
{
	return get_be16(&cdb[7]);
}

/* Byte 1 bit 6 and bytes 2..6 are reserved. */
static int check_reserved(struct scsi_task *task)
{
	if (task->cdb[1] & 0x40)
		return sense_invalid_cdb(task, 1, 6);
	for (unsigned i = 2; i <= 6; i++) {
		if (task->cdb[i])
			return sense_invalid_cdb(task, i, -1);
	}
	return SCSI_TASK_READY;
}

int sbc_sanitize_prepare(struct scsi_task *task)
{
	uint8_t sa = sanitize_sa(task->cdb);
	uint32_t len = param_len(task->cdb);
	bool ause;
	int rc = check_reserved(task);

	if (rc != SCSI_TASK_READY)
		return rc;
	if (sa == SA_EXIT_FAILURE_MODE) {
		if (len)
			return sense_invalid_cdb(task, 7, -1);
		/* Only a failed sanitize with AUSE=1 may be left this way. */
		if (lu_job_failed(task->lu, task->cdb[0], &ause) && !ause)
			return sense_invalid_cdb(task, 1, 4);
		return SCSI_TASK_READY;
	}
	/* After a failure in restricted completion mode (AUSE=0), a new
	 * sanitize may not ask for the unrestricted mode (SBC-4 4.11.3). */
	if ((task->cdb[1] & 0x20) && lu_job_failed(task->lu, task->cdb[0], &ause) && !ause)
		return sense_invalid_cdb(task, 1, 5);
	rc = sbc_check_writable(task);
	if (rc != SCSI_TASK_READY)
		return rc;
	if (sa != SA_OVERWRITE)
		return len ? sense_invalid_cdb(task, 7, -1) : SCSI_TASK_READY;
	/* OVERWRITE: a header and 1..block size bytes of pattern. */
	if (len < OVW_HDR_LEN + 1 || len > task->lu->block_size + OVW_HDR_LEN)
		return sense_invalid_cdb(task, 7, -1);
	task->data_out_len = len;
	if (task_alloc_buf(task, len, true))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

/* Check the OVERWRITE parameter list and describe the job in @spec. */
static int overwrite_params(struct scsi_task *task, struct lu_job_spec *spec)
{
	const uint8_t *p = task->buf;
	uint32_t ipl;

	if (task_dout_received(task) < task->data_out_len)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	if (p[0] & 0x60)		/* TEST: no test modes */
		return sense_invalid_param(task, 0);
	if ((p[0] & 0x1f) == 0)		/* OVERWRITE COUNT 0 is reserved */
		return sense_invalid_param(task, 0);
	if (p[1])
		return sense_invalid_param(task, 1);
	ipl = get_be16(&p[2]);
	if (ipl == 0 || ipl > task->lu->block_size || ipl > task->data_out_len - OVW_HDR_LEN)
		return sense_invalid_param(task, 2);
	spec->pattern = &p[OVW_HDR_LEN];
	spec->pattern_len = ipl;
	spec->passes = p[0] & 0x1f;
	spec->invert = p[0] & 0x80;
	return SCSI_TASK_READY;
}

int sbc_sanitize_execute(struct scsi_task *task)
{
	struct lu_job_spec spec = { .passes = 1 };
	uint8_t sa = sanitize_sa(task->cdb);
	int rc;

	if (sa == SA_EXIT_FAILURE_MODE) {
		lu_job_clear_failure(task->lu);
		return task_good(task);
	}
	spec.ause = task->cdb[1] & 0x20;
	if (sa == SA_OVERWRITE) {
		rc = overwrite_params(task, &spec);
		if (rc != SCSI_TASK_READY)
			return rc;
	} else {
		/* BLOCK ERASE (thin only) and CRYPTOGRAPHIC ERASE: deallocate
		 * where the LU can, else write zeros (no pattern). */
		spec.unmap = task->lu->thin;
	}
	return lu_job_start(task, &spec, task->cdb[1] & 0x80);
}
