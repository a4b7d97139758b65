/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEND DIAGNOSTIC and RECEIVE DIAGNOSTIC RESULTS (SPC-4 6.42, 6.27).
 *
 * The default self-test (SELFTEST=1) reads the last block of the medium
 * through the backend: it fails (HARDWARE ERROR, LOGICAL UNIT FAILED
 * SELF-TEST) when the backing store cannot be read to its end. DEVOFFL and
 * UNITOFFL permit a self-test to disturb the LU, which ours never does, so
 * they change nothing.
 *
 * The short and extended self-tests (SELF-TEST CODE) are not supported:
 * their results belong in the Self-Test Results log page, which ctgt does
 * not have. The only diagnostic page is Supported Diagnostic Pages (00h).
 */
#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

#define DIAG_PF		0x10	/* CDB byte 1 */
#define DIAG_SELFTEST	0x04
#define DIAG_PCV	0x01	/* RECEIVE DIAGNOSTIC RESULTS byte 1 */
#define DIAG_PAGE_HDR	4
#define DIAG_SUPPORTED_PAGES 0x00

static uint32_t param_list_len(const uint8_t *cdb)
{
	return get_be16(&cdb[3]);
}

int spc_send_diag_prepare(struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	uint8_t code = cdb[1] >> 5;
	uint32_t len = param_list_len(cdb);

	/* With SELFTEST=1 the SELF-TEST CODE is 000b and there is no
	 * parameter list; a nonzero code asks for a self-test we lack. */
	if (code)
		return sense_invalid_cdb(task, 1, 7);
	if (cdb[1] & DIAG_SELFTEST) {
		if (len)
			return sense_invalid_cdb(task, 3, -1);
		return SCSI_TASK_READY;
	}
	if (len == 0)		/* no page: nothing to do, not an error */
		return SCSI_TASK_READY;
	/* PF=0: the list would be vendor specific, and we have none. */
	if (!(cdb[1] & DIAG_PF))
		return sense_invalid_cdb(task, 1, 4);
	task->data_out_len = len;
	if (task_alloc_buf(task, len, true))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

static void selftest_done(struct bs_request *req)
{
	struct scsi_task *task = req->priv;

	if (req->result < 0)
		sense_check(task, SENSE_HARDWARE_ERROR, ASC_SELF_TEST_FAILED);
	else
		task_good(task);
	task->done(task);
}

static int default_selftest(struct scsi_task *task)
{
	struct scsi_lu *lu = task->lu;

	/* Without a medium there is only the LU itself, which works. */
	if (!lu_medium_present(lu))
		return task_good(task);
	if (task_alloc_buf(task, lu->block_size, false))
		return SCSI_TASK_COMPLETE;
	task->lba = lu->nblocks - 1;
	task->nblocks = 1;
	return sbc_submit(task, BS_OP_READ, task->buf, selftest_done);
}

/* Each page sent must be Supported Diagnostic Pages with PAGE LENGTH 0,
 * which only asks RECEIVE DIAGNOSTIC RESULTS for the list. */
static int check_pages(struct scsi_task *task, uint32_t len)
{
	const uint8_t *d = task->buf;

	for (uint32_t off = 0; off < len || off == 0; off += DIAG_PAGE_HDR) {
		if (len - off < DIAG_PAGE_HDR)
			return sense_check(task, SENSE_ILLEGAL_REQUEST,
					   ASC_PARAM_LIST_LENGTH_ERROR);
		if (d[off] != DIAG_SUPPORTED_PAGES)
			return sense_invalid_param(task, off);
		if (d[off + 1])
			return sense_invalid_param(task, off + 1);
		if (get_be16(&d[off + 2]))
			return sense_invalid_param(task, off + 2);
	}
	return task_good(task);
}

int spc_send_diag(struct scsi_task *task)
{
	if (task->cdb[1] & DIAG_SELFTEST)
		return default_selftest(task);
	if (!task->data_out_len)
		return task_good(task);
	return check_pages(task, task_dout_received(task));
}

int spc_receive_diag(struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	uint8_t *buf = task->buf;

	/* PCV=1 names the page; PCV=0 asks for the page the last SEND
	 * DIAGNOSTIC prepared, which can only be this one. */
	if ((cdb[1] & DIAG_PCV) && cdb[2] != DIAG_SUPPORTED_PAGES)
		return sense_invalid_cdb(task, 2, -1);
	buf[0] = DIAG_SUPPORTED_PAGES;
	put_be16(&buf[2], 1);			/* PAGE LENGTH: one page code */
	buf[4] = DIAG_SUPPORTED_PAGES;
	return task_data_in(task, DIAG_PAGE_HDR + 1, get_be16(&cdb[3]));
}
