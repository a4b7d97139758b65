/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SANITIZE: CDB and parameter list checks, what OVERWRITE, BLOCK ERASE and
 * CRYPTOGRAPHIC ERASE do to the medium (thin: deallocate, thick: write),
 * IMMED with NOT READY / SANITIZE IN PROGRESS and its progress indication,
 * failure mode and EXIT FAILURE MODE with and without AUSE, write
 * protection, and what RSOC and the Block Device Characteristics page say.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 1000u
#define BIG_NBLOCKS 8192u	/* 4 MiB: several 1 MiB write chunks */
#define BS 512u

enum { OVERWRITE = 1, BLOCK_ERASE = 2, CRYPTO_ERASE = 3, EXIT_FAIL_MODE = 0x1f };

static struct fixture *new_lu(uint64_t nblocks, bool thin, bool readonly)
{
	struct scsi_lu_config cfg = { .lun = 0, .thin = thin, .readonly = readonly };

	return fx_new_cfg(nblocks, &cfg);
}

static void sanitize_cdb(uint8_t *cdb, uint8_t b1, uint16_t plen)
{
	memset(cdb, 0, SCSI_CDB_MAX);
	cdb[0] = 0x48;
	cdb[1] = b1;
	put_be16(&cdb[7], plen);
}

static int sanitize(struct fixture *f, struct scsi_task *t, uint8_t b1,
		    const uint8_t *param, uint16_t plen)
{
	uint8_t cdb[SCSI_CDB_MAX];

	sanitize_cdb(cdb, b1, plen);
	return fx_cmd(f, t, cdb, plen ? SCSI_DIR_WRITE : SCSI_DIR_NONE, plen, param);
}

/* An OVERWRITE parameter list: header and @ipl bytes of pattern. */
static uint16_t ovw_param(uint8_t *p, uint8_t b0, uint16_t ipl, uint8_t fill)
{
	p[0] = b0;
	p[1] = 0;
	put_be16(&p[2], ipl);
	memset(&p[4], fill, ipl);
	return (uint16_t)(4 + ipl);
}

static void expect_invalid_cdb(struct scsi_task *t, uint16_t byte, int bit)
{
	assert_sense(t, 0x5, 0x2400);
	assert_int_equal(t->sense[15], 0xc0 | (bit >= 0 ? 0x08 | bit : 0));
	assert_int_equal(get_be16(&t->sense[16]), byte);
	scsi_task_release(t);
}

static void expect_invalid_param(struct scsi_task *t, uint16_t byte)
{
	assert_sense(t, 0x5, 0x2600);
	assert_int_equal(t->sense[15], 0x80);
	assert_int_equal(get_be16(&t->sense[16]), byte);
	scsi_task_release(t);
}

static void tur(struct fixture *f, struct scsi_task *t)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0 };

	assert_int_equal(fx_cmd(f, t, cdb, SCSI_DIR_NONE, 0, NULL), SCSI_TASK_COMPLETE);
}

static void expect_tur_good(struct fixture *f)
{
	struct scsi_task t;

	tur(f, &t);
	assert_good(&t);
	scsi_task_release(&t);
}

static void assert_store(const struct fixture *f, uint8_t byte)
{
	for (size_t i = 0; i < f->bs.size; i++)
		if (f->st.data[i] != byte)
			fail_msg("byte %zu is %#x, want %#x", i, f->st.data[i], byte);
}

/* Start a SANITIZE like sanitize(), but leave its backend requests pending. */
static int sanitize_no_run(struct fixture *f, struct scsi_task *t, uint8_t b1,
			   const uint8_t *param, uint16_t plen)
{
	uint8_t cdb[SCSI_CDB_MAX];
	int rc;

	sanitize_cdb(cdb, b1, plen);
	fx_task(t, f->tgt, &f->itn, 0, cdb, plen ? SCSI_DIR_WRITE : SCSI_DIR_NONE, plen, fx_done);
	g_fx = f;
	f->done_calls = 0;
	assert_int_equal(scsi_task_prepare(t), SCSI_TASK_READY);
	if (plen)
		memcpy(t->buf, param, plen);
	rc = scsi_task_execute(t);
	return rc;
}

/* ---- CDB checks ---------------------------------------------------------- */

static void test_cdb_fields(void **state)
{
	struct fixture *f = new_lu(NBLOCKS, true, false);
	uint8_t cdb[SCSI_CDB_MAX], p[BS + 8];
	struct scsi_task t;

	(void)state;
	sanitize(f, &t, BLOCK_ERASE | 0x40, NULL, 0);
	expect_invalid_cdb(&t, 1, 6);
	for (unsigned i = 2; i <= 6; i++) {
		sanitize_cdb(cdb, CRYPTO_ERASE, 0);
		cdb[i] = (uint8_t)i;
		fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL);
		expect_invalid_cdb(&t, (uint16_t)i, -1);
	}
	for (unsigned sa = 0; sa < 32; sa++) {
		if (sa == OVERWRITE || sa == BLOCK_ERASE || sa == CRYPTO_ERASE || sa == EXIT_FAIL_MODE)
			continue;
		sanitize(f, &t, (uint8_t)sa, NULL, 0);
		expect_invalid_cdb(&t, 1, 4);
	}
	/* No parameter list for the erases and EXIT FAILURE MODE. */
	memset(p, 0, sizeof(p));
	sanitize(f, &t, BLOCK_ERASE, p, 8);
	expect_invalid_cdb(&t, 7, -1);
	sanitize(f, &t, CRYPTO_ERASE, p, 8);
	expect_invalid_cdb(&t, 7, -1);
	sanitize(f, &t, EXIT_FAIL_MODE, p, 8);
	expect_invalid_cdb(&t, 7, -1);
	/* OVERWRITE: 5 .. block size + 4 bytes. */
	for (uint16_t len = 0; len < 5; len++) {
		sanitize(f, &t, OVERWRITE, p, len);
		expect_invalid_cdb(&t, 7, -1);
	}
	sanitize(f, &t, OVERWRITE, p, BS + 5);
	expect_invalid_cdb(&t, 7, -1);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

static void test_block_erase_thin_only(void **state)
{
	struct fixture *f = new_lu(NBLOCKS, false, false);
	struct scsi_task t;

	(void)state;
	sanitize(f, &t, BLOCK_ERASE, NULL, 0);
	expect_invalid_cdb(&t, 1, 4);
	fx_free(f);
}

static void test_overwrite_params(void **state)
{
	struct fixture *f = new_lu(NBLOCKS, false, false);
	uint8_t p[BS + 4];
	uint8_t cdb[SCSI_CDB_MAX];
	struct scsi_task t;
	uint16_t len;

	(void)state;
	len = ovw_param(p, 0x00, BS, 0xaa);		/* OVERWRITE COUNT 0 */
	sanitize(f, &t, OVERWRITE, p, len);
	expect_invalid_param(&t, 0);
	len = ovw_param(p, 0x21, BS, 0xaa);		/* TEST 01b */
	sanitize(f, &t, OVERWRITE, p, len);
	expect_invalid_param(&t, 0);
	len = ovw_param(p, 0x01, BS, 0xaa);
	p[1] = 1;					/* reserved */
	sanitize(f, &t, OVERWRITE, p, len);
	expect_invalid_param(&t, 1);
	ovw_param(p, 0x01, 0, 0xaa);			/* pattern length 0 */
	sanitize(f, &t, OVERWRITE, p, 8);
	expect_invalid_param(&t, 2);
	ovw_param(p, 0x01, 16, 0xaa);			/* longer than sent */
	sanitize(f, &t, OVERWRITE, p, 12);
	expect_invalid_param(&t, 2);
	ovw_param(p, 0x01, BS, 0xaa);
	put_be16(&p[2], BS + 1);			/* longer than a block */
	sanitize(f, &t, OVERWRITE, p, BS + 4);
	expect_invalid_param(&t, 2);
	/* Less data-out than the CDB announced. */
	len = ovw_param(p, 0x01, 8, 0xaa);
	sanitize_cdb(cdb, OVERWRITE, len);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, len - 1, p);
	assert_sense(&t, 0x5, 0x1a00);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

/* ---- what the medium looks like afterwards ------------------------------- */

static void test_overwrite_pattern(void **state)
{
	struct fixture *f = new_lu(NBLOCKS, true, false);
	uint8_t p[BS + 4];
	struct scsi_task t;
	uint16_t len;

	(void)state;
	memset(f->st.data, 0x11, f->bs.size);
	/* A 3-byte pattern repeats within each block and restarts at the
	 * next one. */
	len = ovw_param(p, 0x01, 3, 0);
	memcpy(&p[4], "abc", 3);
	assert_int_equal(sanitize(f, &t, OVERWRITE, p, len), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.last_io.op, BS_OP_WRITE);
	for (uint32_t b = 0; b < NBLOCKS; b++)
		for (uint32_t i = 0; i < BS; i++)
			assert_int_equal(f->st.data[b * BS + i], "abc"[i % 3]);
	/* INVERT, two passes: the inverse first, the pattern last. */
	f->st.submits = 0;
	f->st.flushes = 0;
	len = ovw_param(p, 0x80 | 0x02, BS, 0x0f);
	assert_int_equal(sanitize(f, &t, OVERWRITE, p, len), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	/* The LU fits in one chunk: per pass one write, then a flush so that
	 * the pass is on stable media before the next one. */
	assert_int_equal(f->st.submits, 4);
	assert_int_equal(f->st.flushes, 2);
	assert_store(f, 0x0f);
	/* Stop after the first of the two passes: it wrote the inverse. */
	assert_int_equal(sanitize_no_run(f, &t, OVERWRITE, p, len), SCSI_TASK_PENDING);
	assert_true(fake_step(&f->bs, 0));
	assert_store(f, 0xf0);
	fake_run(&f->bs);
	assert_int_equal(f->done_calls, 1);
	assert_good(&t);
	scsi_task_release(&t);
	assert_store(f, 0x0f);
	/* INVERT, three passes: pattern, inverse, pattern. */
	len = ovw_param(p, 0x80 | 0x03, BS, 0x3c);
	assert_int_equal(sanitize_no_run(f, &t, OVERWRITE, p, len), SCSI_TASK_PENDING);
	assert_true(fake_step(&f->bs, 0));
	assert_store(f, 0x3c);
	assert_int_equal(f->st.pending[0]->op, BS_OP_FLUSH);	/* pass 1 made durable */
	assert_true(fake_step(&f->bs, 0));
	assert_true(fake_step(&f->bs, 0));
	assert_store(f, 0xc3);
	fake_run(&f->bs);
	assert_good(&t);
	scsi_task_release(&t);
	assert_store(f, 0x3c);
	/* Three passes without: the pattern itself. */
	len = ovw_param(p, 0x03, BS, 0x5a);
	sanitize(f, &t, OVERWRITE, p, len);
	assert_good(&t);
	scsi_task_release(&t);
	assert_store(f, 0x5a);
	fx_free(f);
}

static void check_erase(bool thin, uint8_t sa)
{
	struct fixture *f = new_lu(BIG_NBLOCKS, thin, false);
	struct scsi_task t;

	memset(f->st.data, 0x61, f->bs.size);
	assert_int_equal(sanitize(f, &t, sa, NULL, 0), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.last_io.op, thin ? BS_OP_UNMAP : BS_OP_WRITE);
	/* Bounded requests: 1 MiB writes; one 16 MiB-bounded unmap here;
	 * then a flush: the erase is durable before GOOD. */
	assert_int_equal(f->st.submits, thin ? 2 : 5);
	assert_int_equal(f->st.flushes, 1);
	assert_int_equal(f->st.last.op, BS_OP_FLUSH);
	assert_store(f, 0);
	expect_tur_good(f);
	fx_free(f);
}

static void test_erases(void **state)
{
	(void)state;
	check_erase(true, BLOCK_ERASE);
	check_erase(true, CRYPTO_ERASE);
	check_erase(false, CRYPTO_ERASE);
}

static void test_readonly(void **state)
{
	struct fixture *f = new_lu(NBLOCKS, true, true);
	uint8_t p[BS + 4];
	struct scsi_task t;
	uint16_t len = ovw_param(p, 0x01, BS, 0xaa);

	(void)state;
	sanitize(f, &t, OVERWRITE, p, len);
	assert_sense(&t, 0x7, 0x2700);
	scsi_task_release(&t);
	sanitize(f, &t, BLOCK_ERASE, NULL, 0);
	assert_sense(&t, 0x7, 0x2700);
	scsi_task_release(&t);
	sanitize(f, &t, CRYPTO_ERASE | 0x80, NULL, 0);
	assert_sense(&t, 0x7, 0x2700);
	scsi_task_release(&t);
	sanitize(f, &t, EXIT_FAIL_MODE, NULL, 0);	/* changes nothing: allowed */
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

/* ---- IMMED and progress --------------------------------------------------- */

static void request_sense(struct fixture *f, struct scsi_task *t, bool desc)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x03, desc ? 1 : 0, 0, 0, 252 };

	assert_int_equal(fx_cmd(f, t, cdb, SCSI_DIR_READ, 252, NULL), SCSI_TASK_COMPLETE);
	assert_good(t);
}

static void test_immed_in_progress(void **state)
{
	struct fixture *f = new_lu(BIG_NBLOCKS, false, false);
	uint8_t inq[SCSI_CDB_MAX] = { 0x12, 0, 0, 0, 96 };
	uint8_t rd[SCSI_CDB_MAX] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1 };
	struct scsi_task t;

	(void)state;
	/* IMMED: GOOD at once, with the first write in flight. */
	assert_int_equal(sanitize(f, &t, CRYPTO_ERASE | 0x80, NULL, 0), SCSI_TASK_COMPLETE);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.npending, 1);
	tur(f, &t);
	assert_sense(&t, 0x2, 0x041b);
	assert_int_equal(t.sense[15], 0x80);		/* SKSV: progress */
	assert_int_equal(get_be16(&t.sense[16]), 0);
	scsi_task_release(&t);
	assert_true(fake_step(&f->bs, 0));					/* 1 MiB of 4 done */
	fx_cmd(f, &t, rd, SCSI_DIR_READ, BS, NULL);
	assert_sense(&t, 0x2, 0x041b);
	assert_int_equal(get_be16(&t.sense[16]), 16384);
	scsi_task_release(&t);
	sanitize(f, &t, CRYPTO_ERASE, NULL, 0);		/* no second sanitize */
	assert_sense(&t, 0x2, 0x041b);
	scsi_task_release(&t);
	/* INQUIRY and REQUEST SENSE still run; the latter reports progress. */
	fx_cmd(f, &t, inq, SCSI_DIR_READ, 96, NULL);
	assert_good(&t);
	scsi_task_release(&t);
	assert_true(fake_step(&f->bs, 0));					/* 2 of 4 */
	request_sense(f, &t, false);
	assert_int_equal(t.buf[2] & 0x0f, 0x2);
	assert_int_equal(t.buf[12], 0x04);
	assert_int_equal(t.buf[13], 0x1b);
	assert_int_equal(t.buf[15], 0x80);
	assert_int_equal(get_be16(&t.buf[16]), 32768);
	scsi_task_release(&t);
	request_sense(f, &t, true);
	assert_int_equal(t.data_in_len, 16);
	assert_int_equal(t.buf[0], 0x72);
	assert_int_equal(t.buf[1], 0x2);
	assert_int_equal(t.buf[2], 0x04);
	assert_int_equal(t.buf[3], 0x1b);
	assert_int_equal(t.buf[7], 8);
	assert_int_equal(t.buf[8], 0x02);		/* sense key specific */
	assert_int_equal(t.buf[12], 0x80);
	assert_int_equal(get_be16(&t.buf[13]), 32768);
	scsi_task_release(&t);
	assert_int_equal(fake_run(&f->bs), 3);	/* 2 writes and the flush */
	expect_tur_good(f);
	request_sense(f, &t, false);
	assert_int_equal(t.buf[2] & 0x0f, 0);
	scsi_task_release(&t);
	fx_free(f);
}

/* Prepare a one-block WRITE(10) of @lba (data-out received: the buffer
 * holds 0x77), to be executed by the caller. */
static void prepare_write(struct fixture *f, struct scsi_task *w, uint8_t lba)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x2a, 0, 0, 0, 0, lba, 0, 0, 1 };

	fx_task(w, f->tgt, &f->itn, 0, cdb, SCSI_DIR_WRITE, BS, fx_done);
	assert_int_equal(scsi_task_prepare(w), SCSI_TASK_READY);
	memset(w->buf, 0x77, BS);
}

/* A WRITE whose data-out was still arriving when the sanitize started. */
static void test_prepared_before_start(void **state)
{
	struct fixture *f = new_lu(NBLOCKS, false, false);
	struct scsi_task w, t;

	(void)state;
	prepare_write(f, &w, 0);
	assert_int_equal(sanitize(f, &t, CRYPTO_ERASE | 0x80, NULL, 0), SCSI_TASK_COMPLETE);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(scsi_task_execute(&w), SCSI_TASK_COMPLETE);
	assert_sense(&w, 0x2, 0x041b);
	scsi_task_release(&w);
	assert_int_equal(fake_run(&f->bs), 2);		/* the erase and its flush */
	assert_store(f, 0);
	fx_free(f);
}

/* A WRITE already with the store when the sanitize starts finishes first:
 * the erase begins after it, so its data cannot survive the sanitize. */
static void test_waits_for_running_write(void **state)
{
	struct fixture *f = new_lu(BIG_NBLOCKS, false, false);
	struct scsi_task w, t;

	(void)state;
	prepare_write(f, &w, 5);
	assert_int_equal(scsi_task_execute(&w), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 1);

	assert_int_equal(sanitize(f, &t, CRYPTO_ERASE | 0x80, NULL, 0), SCSI_TASK_COMPLETE);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.npending, 1);		/* only the WRITE: the erase waits */
	tur(f, &t);					/* but it counts as started */
	assert_sense(&t, 0x2, 0x041b);
	scsi_task_release(&t);

	assert_true(fake_step(&f->bs, 0));				/* the WRITE ends... */
	assert_good(&w);
	scsi_task_release(&w);
	assert_int_equal(f->st.npending, 1);		/* ...and the erase begins */
	assert_int_equal(f->st.pending[0]->op, BS_OP_WRITE);
	assert_true(f->st.pending[0]->offset == 0);
	assert_int_equal(fake_run(&f->bs), 5);		/* 4 chunks and the flush */
	expect_tur_good(f);
	assert_store(f, 0);
	fx_free(f);
}

/* An aborted SANITIZE command (ABORT TASK, LU RESET, a lost connection)
 * ends at once without waiting for the medium; the sanitize itself goes on
 * (SBC-4 4.11.3) and completes no command when it ends. */
static void test_abort_leaves_job_running(void **state)
{
	struct fixture *f = new_lu(BIG_NBLOCKS, false, false);
	struct scsi_task t;
	struct scsi_tmf tmf;

	(void)state;
	memset(f->st.data, 0x5a, f->bs.size);
	assert_int_equal(sanitize_no_run(f, &t, CRYPTO_ERASE, NULL, 0), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 1);
	scsi_task_abort(&t);
	assert_int_equal(f->done_calls, 1);
	assert_true(t.aborted);
	scsi_task_release(&t);
	assert_true(fake_step(&f->bs, 0));
	tur(f, &t);
	assert_sense(&t, 0x2, 0x041b);
	scsi_task_release(&t);
	assert_int_equal(fake_run(&f->bs), 4);	/* 3 writes and the flush */
	assert_int_equal(f->done_calls, 0);	/* the TUR's count: nothing more ended */
	expect_tur_good(f);
	assert_store(f, 0);

	/* A LU RESET answers at once too; the job goes on after it. */
	memset(f->st.data, 0x5a, f->bs.size);
	assert_int_equal(sanitize_no_run(f, &t, CRYPTO_ERASE, NULL, 0), SCSI_TASK_PENDING);
	memset(&tmf, 0, sizeof(tmf));
	tmf.tgt = f->tgt;
	tmf.itn = &f->itn;
	tmf.fn = SCSI_TMF_LU_RESET;
	assert_int_equal(scsi_tmf_execute(&tmf), SCSI_TASK_COMPLETE);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_COMPLETE);
	assert_int_equal(f->done_calls, 1);
	scsi_task_release(&t);
	tur(f, &t);				/* the reset's unit attention first */
	assert_sense(&t, 0x6, 0x2903);		/* LOGICAL UNIT RESET OCCURRED */
	scsi_task_release(&t);
	tur(f, &t);
	assert_sense(&t, 0x2, 0x041b);
	scsi_task_release(&t);
	assert_int_equal(fake_run(&f->bs), 5);
	expect_tur_good(f);
	assert_store(f, 0);
	fx_free(f);
}

/* ---- failure mode ---------------------------------------------------------- */

static void fail_sanitize(struct fixture *f, uint8_t b1)
{
	struct scsi_task t;

	f->st.fail_next = 1;
	assert_int_equal(sanitize(f, &t, b1, NULL, 0), SCSI_TASK_PENDING);
	assert_sense(&t, 0x3, 0x3103);			/* SANITIZE COMMAND FAILED */
	scsi_task_release(&t);
}

static void test_failure_mode(void **state)
{
	struct fixture *f = new_lu(NBLOCKS, false, false);
	uint8_t inq[SCSI_CDB_MAX] = { 0x12, 0, 0, 0, 96 };
	struct scsi_task t;

	(void)state;
	fail_sanitize(f, CRYPTO_ERASE);
	tur(f, &t);
	assert_sense(&t, 0x3, 0x3103);
	scsi_task_release(&t);
	fx_cmd(f, &t, inq, SCSI_DIR_READ, 96, NULL);
	assert_good(&t);
	scsi_task_release(&t);
	request_sense(f, &t, false);
	assert_int_equal(t.buf[2] & 0x0f, 0x3);
	assert_int_equal(t.buf[12], 0x31);
	assert_int_equal(t.buf[13], 0x03);
	scsi_task_release(&t);
	/* Without AUSE only a completed sanitize leaves failure mode, and
	 * it may not ask for AUSE either. */
	sanitize(f, &t, EXIT_FAIL_MODE, NULL, 0);
	expect_invalid_cdb(&t, 1, 4);
	sanitize(f, &t, CRYPTO_ERASE | 0x20, NULL, 0);
	expect_invalid_cdb(&t, 1, 5);
	sanitize(f, &t, CRYPTO_ERASE, NULL, 0);
	assert_good(&t);
	scsi_task_release(&t);
	expect_tur_good(f);
	/* With AUSE, EXIT FAILURE MODE does. */
	fail_sanitize(f, CRYPTO_ERASE | 0x20);
	tur(f, &t);
	assert_sense(&t, 0x3, 0x3103);
	scsi_task_release(&t);
	sanitize(f, &t, EXIT_FAIL_MODE, NULL, 0);
	assert_good(&t);
	scsi_task_release(&t);
	expect_tur_good(f);
	/* Outside failure mode EXIT FAILURE MODE has nothing to do. */
	sanitize(f, &t, EXIT_FAIL_MODE, NULL, 0);
	assert_good(&t);
	scsi_task_release(&t);
	fx_free(f);
}

/* ---- what is reported ------------------------------------------------------ */

static bool rsoc_has(struct fixture *f, uint8_t sa, uint8_t *usage)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0xa3, 0x0c, 0x02, 0x48, 0, sa };
	struct scsi_task t;
	bool yes;

	put_be32(&cdb[6], 64);
	fx_cmd(f, &t, cdb, SCSI_DIR_READ, 64, NULL);
	assert_good(&t);
	yes = (t.buf[1] & 7) == 3;
	if (yes) {
		assert_int_equal(get_be16(&t.buf[2]), 10);
		memcpy(usage, &t.buf[4], 10);
	}
	scsi_task_release(&t);
	return yes;
}

static void check_reported(bool thin)
{
	struct fixture *f = new_lu(NBLOCKS, thin, false);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x12, 0x01, 0xb1, 0, 64 };
	uint8_t usage[10];
	struct scsi_task t;

	for (uint8_t sa = 0; sa < 32; sa++) {
		bool want = sa == OVERWRITE || sa == CRYPTO_ERASE || sa == EXIT_FAIL_MODE ||
			    (sa == BLOCK_ERASE && thin);

		assert_int_equal(rsoc_has(f, sa, usage), want);
		if (want) {
			const uint8_t u[10] = { 0x48, (uint8_t)(0xa0 | sa), 0, 0, 0, 0, 0, 0xff, 0xff, 0 };

			assert_memory_equal(usage, u, 10);
		}
	}
	fx_cmd(f, &t, cdb, SCSI_DIR_READ, 64, NULL);
	assert_good(&t);
	assert_int_equal(get_be16(&t.buf[2]), 0x3c);
	assert_int_equal(get_be16(&t.buf[4]), 1);		/* non-rotating */
	assert_int_equal(t.buf[7] >> 6, thin ? 1 : 0);		/* WABEREQ */
	assert_int_equal((t.buf[7] >> 4) & 3, 1);		/* WACEREQ */
	assert_int_equal(t.buf[7] & 0x0f, 0);			/* form factor */
	assert_int_equal(t.buf[8], 0x03);			/* FUAB, VBULS */
	scsi_task_release(&t);
	fx_free(f);
}

static void test_reported(void **state)
{
	(void)state;
	check_reported(false);
	check_reported(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cdb_fields),
		cmocka_unit_test(test_block_erase_thin_only),
		cmocka_unit_test(test_overwrite_params),
		cmocka_unit_test(test_overwrite_pattern),
		cmocka_unit_test(test_erases),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_immed_in_progress),
		cmocka_unit_test(test_prepared_before_start),
		cmocka_unit_test(test_abort_leaves_job_running),
		cmocka_unit_test(test_waits_for_running_write),
		cmocka_unit_test(test_failure_mode),
		cmocka_unit_test(test_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
