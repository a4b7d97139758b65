/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the tests of the SBC write commands (WRITE SAME, COMPARE AND
 * WRITE, ORWRITE, WRITE ATOMIC, VERIFY BYTCHK=3) and of the LBA range lock:
 * starting a command without completing its backend requests, completing
 * them one at a time (or with a chosen result), and reading a command's
 * REPORT SUPPORTED OPERATION CODES entry.
 */
#ifndef CTGT_TESTS_SCSI_WRITE_HELPERS_H
#define CTGT_TESTS_SCSI_WRITE_HELPERS_H

#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define BS 512u

static inline struct fixture *wh_new(uint64_t nblocks, bool thin, bool readonly)
{
	struct scsi_lu_config cfg = { .lun = 0, .thin = thin, .readonly = readonly,
				      .write_cache = true };

	return fx_new_cfg(nblocks, &cfg);
}

/* A 16-byte CDB: opcode, byte 1, 8-byte LBA at 2, and @len as a
 * @len_bytes-byte big-endian field at @len_off. */
static inline void wh_cdb16(uint8_t *cdb, uint8_t op, uint8_t b1, uint64_t lba,
			    unsigned len_off, unsigned len_bytes, uint32_t len)
{
	memset(cdb, 0, SCSI_CDB_MAX);
	cdb[0] = op;
	cdb[1] = b1;
	put_be64(&cdb[2], lba);
	if (len_bytes == 4)
		put_be32(&cdb[len_off], len);
	else if (len_bytes == 2)
		put_be16(&cdb[len_off], (uint16_t)len);
	else
		cdb[len_off] = (uint8_t)len;
}

/* Prepare and execute like a transport, but leave the backend requests
 * pending. Returns what prepare (when COMPLETE) or execute returned. */
static inline int wh_start(struct fixture *f, struct scsi_task *t, const uint8_t *cdb,
			   enum scsi_dir dir, uint32_t expected, const void *dout)
{
	int rc;

	fx_task(t, f->tgt, &f->itn, 0, cdb, dir, expected, fx_done);
	g_fx = f;
	rc = scsi_task_prepare(t);
	if (rc == SCSI_TASK_COMPLETE)
		return rc;
	assert_int_equal(rc, SCSI_TASK_READY);
	if (t->data_out_len && dout) {
		uint32_t n = t->data_out_len < expected ? t->data_out_len : expected;

		memcpy(t->buf, dout, n);
	}
	return scsi_task_execute(t);
}

/* Complete the oldest pending request with @result (0: do it). */
static inline void wh_run_one(struct fixture *f, int result)
{
	assert_true(fake_step(&f->bs, result));
}

/* The op of the oldest pending request. */
static inline enum bs_op wh_pending_op(const struct fixture *f)
{
	assert_true(f->st.npending > 0);
	return f->st.pending[0]->op;
}

/* The CDB USAGE DATA REPORT SUPPORTED OPERATION CODES gives for @opcode
 * (one_command format), into @usage (SCSI_CDB_MAX bytes). */
static inline void wh_usage(struct fixture *f, uint8_t opcode, uint8_t *usage, unsigned len)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0xa3, 0x0c, 0x01, opcode };
	struct scsi_task t;

	put_be32(&cdb[6], 512);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_READ, 512, NULL), SCSI_TASK_COMPLETE);
	assert_good(&t);
	assert_int_equal(t.buf[1] & 0x07, 3);		/* supported */
	assert_int_equal(get_be16(&t.buf[2]), len);	/* CDB SIZE */
	memcpy(usage, &t.buf[4], len);
	scsi_task_release(&t);
}

/* INQUIRY VPD page @page into @t (left for the caller to release). */
static inline void wh_vpd(struct fixture *f, struct scsi_task *t, uint8_t page)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x12, 0x01, page, 0x10, 0x00 };

	assert_int_equal(fx_cmd(f, t, cdb, SCSI_DIR_READ, 4096, NULL), SCSI_TASK_COMPLETE);
	assert_good(t);
}

/* The sense-key specific field pointer: CDB byte @byte. */
static inline void assert_field(const struct scsi_task *t, unsigned byte)
{
	assert_int_equal(t->sense[15] & 0xc0, 0xc0);	/* SKSV, C/D */
	assert_int_equal(get_be16(&t->sense[16]), byte);
}

#endif
