/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Target-level behaviour: opcode dispatch, LUNs without a LU, unit
 * attentions per LU per nexus, REPORT LUNS, LUN encoding, LU configuration
 * checks, and one round trip over the real "mem:" backing store.
 */
#include "tests/unit/scsi_fixture.h"

#include "scsi/sense.h"
#include "util/endian.h"

#define NBLOCKS 128u

static void test_unsupported_opcode(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	const uint8_t ops[] = { 0x06, 0x0b, 0x2b, 0x7f, 0x92, 0xa4, 0xff };
	uint8_t cdb[SCSI_CDB_MAX] = { 0 };
	struct scsi_task t;

	(void)state;
	for (size_t i = 0; i < sizeof(ops); i++) {
		cdb[0] = ops[i];
		assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 512, NULL), SCSI_TASK_COMPLETE);
		assert_sense(&t, 0x5, 0x2000);
		assert_int_equal(t.data_out_len, 0);
		assert_null(t.buf);
	}
	fx_free(f);
}

static void test_missing_lun(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t tur[SCSI_CDB_MAX] = { 0 };
	uint8_t inq[SCSI_CDB_MAX] = { 0x12, 0, 0, 0, 96 };
	uint8_t vpd[SCSI_CDB_MAX] = { 0x12, 1, 0x80, 0, 96 };
	uint8_t rs[SCSI_CDB_MAX] = { 0x03, 0, 0, 0, 18 };
	uint8_t rl[SCSI_CDB_MAX] = { 0xa0, [9] = 64 };
	uint8_t bad[SCSI_CDB_MAX] = { 0xff };
	struct scsi_task t;

	(void)state;
	fx_cmd_lun(f, &t, 5, tur, SCSI_DIR_NONE, 0, NULL);
	assert_null(t.lu);
	assert_sense(&t, 0x5, 0x2500);
	fx_cmd_lun(f, &t, 5, bad, SCSI_DIR_NONE, 0, NULL);	/* LUN first */
	assert_sense(&t, 0x5, 0x2500);
	fx_cmd_lun(f, &t, UINT64_MAX, tur, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&t, 0x5, 0x2500);

	fx_cmd_lun(f, &t, 5, inq, SCSI_DIR_READ, 96, NULL);
	assert_good(&t);
	assert_int_equal(t.buf[0], 0x7f);	/* PQ 3, type 1Fh */
	scsi_task_release(&t);
	fx_cmd_lun(f, &t, 5, vpd, SCSI_DIR_READ, 96, NULL);
	assert_sense(&t, 0x5, 0x2500);
	scsi_task_release(&t);

	fx_cmd_lun(f, &t, 5, rs, SCSI_DIR_READ, 18, NULL);
	assert_good(&t);
	assert_int_equal(t.buf[2], 0x5);
	assert_int_equal(t.buf[12], 0x25);
	scsi_task_release(&t);

	fx_cmd_lun(f, &t, 5, rl, SCSI_DIR_READ, 64, NULL);
	assert_good(&t);
	assert_int_equal(get_be32(&t.buf[0]), 8);
	scsi_task_release(&t);
	fx_free(f);
}

static int run(struct fixture *f, struct scsi_task *t, uint64_t lun, uint8_t op)
{
	uint8_t cdb[SCSI_CDB_MAX] = { op };

	if (op == 0x12 || op == 0x03)
		cdb[4] = 96;
	if (op == 0xa0)
		cdb[9] = 96;
	return fx_cmd_lun(f, t, lun, cdb, SCSI_DIR_READ, 96, NULL);
}

static void test_unit_attention(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_lu_config cfg = { .lun = 3 };
	struct scsi_task t;

	(void)state;
	/* LU 3 arrives after the nexus: it owes the nexus a UA of its own. */
	assert_int_equal(scsi_tgt_add_lu(f->tgt, scsi_lu_create(&cfg, &f->bs)), 0);
	run(f, &t, 0, 0x00);			/* LU 0 tells of the new one */
	assert_sense(&t, SENSE_UNIT_ATTENTION, ASC_REPORTED_LUNS_CHANGED);
	scsi_task_release(&t);
	run(f, &t, 0, 0x00);
	assert_good(&t);			/* its power-on was consumed at setup */

	/* INQUIRY and REPORT LUNS pass without consuming it. */
	run(f, &t, 3, 0x12);
	assert_good(&t);
	scsi_task_release(&t);
	run(f, &t, 3, 0xa0);
	assert_good(&t);
	assert_int_equal(get_be32(&t.buf[0]), 16);
	scsi_task_release(&t);
	/* An unsupported opcode meets the UA first. */
	run(f, &t, 3, 0xff);
	assert_sense(&t, 0x6, 0x2900);
	run(f, &t, 3, 0xff);
	assert_sense(&t, 0x5, 0x2000);
	run(f, &t, 3, 0x00);
	assert_good(&t);

	/* A new nexus gets one UA per LU; REQUEST SENSE reports and clears it. */
	scsi_tgt_nexus_remove(f->tgt, &f->itn);
	fx_itn_init(&f->itn, 2);
	scsi_tgt_nexus_add(f->tgt, &f->itn);
	run(f, &t, 0, 0x03);
	assert_good(&t);
	assert_int_equal(t.buf[2], 0x6);
	assert_int_equal(t.buf[12], 0x29);
	assert_int_equal(t.buf[13], 0x00);
	scsi_task_release(&t);
	run(f, &t, 0, 0x00);
	assert_good(&t);
	run(f, &t, 3, 0x25);			/* READ CAPACITY blocked once */
	assert_sense(&t, 0x6, 0x2900);
	scsi_task_release(&t);
	run(f, &t, 3, 0x00);
	assert_good(&t);
	run(f, &t, 3, 0x00);
	assert_good(&t);

	/* A nexus the target was never told about has no UA state. */
	fx_itn_init(&f->itn, 77);
	run(f, &t, 0, 0x00);
	assert_good(&t);
	fx_itn_init(&f->itn, 2);
	fx_free(f);
}

static void test_resets(void **state)
{
	struct scsi_lu_config cfg = { .removable = true };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);
	uint8_t prevent[SCSI_CDB_MAX] = { 0x1e, 0, 0, 0, 1 };
	uint8_t eject[SCSI_CDB_MAX] = { 0x1b, 0, 0, 0, 0x02 };
	uint8_t load[SCSI_CDB_MAX] = { 0x1b, 0, 0, 0, 0x03 };
	struct scsi_task t;

	(void)state;
	fx_cmd(f, &t, prevent, SCSI_DIR_NONE, 0, NULL);
	assert_good(&t);
	assert_int_equal(scsi_tgt_lu_reset(f->tgt, 9), -ENOENT);
	assert_int_equal(scsi_tgt_lu_reset(f->tgt, 0), 0);
	/* The reset is reported once, then the prevention is gone. */
	fx_cmd(f, &t, eject, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&t, 0x6, 0x2903);
	fx_cmd(f, &t, eject, SCSI_DIR_NONE, 0, NULL);
	assert_good(&t);
	fx_cmd(f, &t, load, SCSI_DIR_NONE, 0, NULL);
	assert_good(&t);

	fx_cmd(f, &t, prevent, SCSI_DIR_NONE, 0, NULL);
	scsi_tgt_reset(f->tgt);
	fx_cmd(f, &t, eject, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&t, 0x6, 0x2900);
	fx_cmd(f, &t, eject, SCSI_DIR_NONE, 0, NULL);
	assert_good(&t);
	fx_free(f);
}

static void report_luns(struct fixture *f, struct scsi_task *t, uint8_t select, uint32_t alloc)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0xa0, 0, select };

	put_be32(&cdb[6], alloc);
	assert_int_equal(fx_cmd(f, t, cdb, SCSI_DIR_READ, alloc, NULL), SCSI_TASK_COMPLETE);
}

static void test_report_luns(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_lu_config c1 = { .lun = 1 }, c255 = { .lun = 255 };
	struct scsi_task t;

	(void)state;
	assert_int_equal(scsi_tgt_add_lu(f->tgt, scsi_lu_create(&c255, &f->bs)), 0);
	assert_int_equal(scsi_tgt_add_lu(f->tgt, scsi_lu_create(&c1, &f->bs)), 0);
	for (uint8_t sel = 0; sel <= 2; sel += 2) {
		report_luns(f, &t, sel, 4096);
		assert_good(&t);
		assert_int_equal(get_be32(&t.buf[0]), 24);
		assert_int_equal(t.data_in_len, 32);
		assert_int_equal(get_be64(&t.buf[8]), 0);
		assert_int_equal(get_be64(&t.buf[16]), 1ull << 48);
		assert_int_equal(get_be64(&t.buf[24]), 255ull << 48);
		scsi_task_release(&t);
	}
	report_luns(f, &t, 1, 4096);		/* well-known LUs: none */
	assert_good(&t);
	assert_int_equal(get_be32(&t.buf[0]), 0);
	assert_int_equal(t.data_in_len, 8);
	scsi_task_release(&t);
	report_luns(f, &t, 0, 16);		/* truncated, length still whole */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 16);
	assert_int_equal(get_be32(&t.buf[0]), 24);
	scsi_task_release(&t);
	report_luns(f, &t, 0, 15);
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);
	report_luns(f, &t, 3, 4096);
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_lun_encoding(void **state)
{
	uint8_t b[8];
	const uint64_t luns[] = { 0, 1, 255, 256, 300, 0x3fff, 0x4000, 0xabcdef };

	(void)state;
	scsi_lun_encode(5, b);
	assert_memory_equal(b, ((uint8_t[8]){ 0x00, 0x05 }), 8);
	scsi_lun_encode(300, b);
	assert_memory_equal(b, ((uint8_t[8]){ 0x41, 0x2c }), 8);
	for (size_t i = 0; i < sizeof(luns) / sizeof(luns[0]); i++) {
		scsi_lun_encode(luns[i], b);
		assert_int_equal(scsi_lun_decode(b), luns[i]);
	}
	assert_int_equal(scsi_lun_decode((uint8_t[8]){ 0x40, 0x07 }), 7);	/* flat */
	assert_int_equal(scsi_lun_decode((uint8_t[8]){ 0x01, 0x07 }), UINT64_MAX); /* bus 1 */
	assert_int_equal(scsi_lun_decode((uint8_t[8]){ 0x00, 0x07, 0x40, 0x01 }), UINT64_MAX);
	assert_int_equal(scsi_lun_decode((uint8_t[8]){ 0x80, 0x07 }), UINT64_MAX);
}

static void test_config_checks(void **state)
{
	struct backend bs = { .ops = &fake_ops, .size = 1 << 20 };
	struct scsi_lu_config bad_bs = { .block_size = 1000 };
	struct scsi_lu_config bad_vendor = { .vendor = "TOOLONGVENDOR" };
	struct scsi_lu_config bad_product = { .product = "bad\nchar" };
	struct scsi_lu_config big_lun = { .lun = 256 };
	struct scsi_lu_config ok = { .block_size = 4096 };
	struct backend tiny = { .ops = &fake_ops, .size = 100 };
	struct scsi_tgt *tgt = scsi_tgt_create("iqn.2026-11.io.ctgt:x");
	struct scsi_lu *lu;

	(void)state;
	assert_null(scsi_lu_create(&bad_bs, &bs));
	assert_null(scsi_lu_create(&bad_vendor, &bs));
	assert_null(scsi_lu_create(&bad_product, &bs));
	assert_null(scsi_lu_create(&ok, &tiny));
	assert_null(scsi_lu_create(NULL, &bs));
	lu = scsi_lu_create(&ok, &bs);
	assert_non_null(lu);
	assert_int_equal(scsi_lu_num_blocks(lu), 256);
	assert_int_equal(scsi_tgt_add_lu(tgt, lu), 0);
	assert_ptr_equal(scsi_tgt_lu(tgt, 0), lu);
	assert_null(scsi_tgt_lu(tgt, 1));
	assert_string_equal(scsi_tgt_name(tgt), "iqn.2026-11.io.ctgt:x");
	lu = scsi_lu_create(&ok, &bs);
	assert_int_equal(scsi_tgt_add_lu(tgt, lu), -EEXIST);
	scsi_lu_destroy(lu);
	lu = scsi_lu_create(&big_lun, &bs);
	assert_int_equal(scsi_tgt_add_lu(tgt, lu), -ERANGE);
	scsi_lu_destroy(lu);
	scsi_tgt_destroy(tgt);
}

static int g_mem_done;

static void mem_done(struct scsi_task *task)
{
	(void)task;
	g_mem_done++;
}

/* Drive one command over a real backend, running its completion queue. */
static void mem_cmd(struct scsi_tgt *tgt, struct scsi_itn *itn, struct bs_cq *cq,
		    struct scsi_task *t, const uint8_t *cdb, enum scsi_dir dir,
		    uint32_t len, const void *dout)
{
	fx_task(t, tgt, itn, 0, cdb, dir, len, mem_done);
	g_mem_done = 0;
	if (scsi_task_prepare(t) != SCSI_TASK_READY)
		return;
	if (dout)
		memcpy(t->buf, dout, t->data_out_len);
	if (scsi_task_execute(t) == SCSI_TASK_PENDING) {
		for (int i = 0; i < 1000 && !g_mem_done; i++)
			bs_cq_run(cq);
		assert_int_equal(g_mem_done, 1);
	}
}

static void test_mem_backend_round_trip(void **state)
{
	struct bs_cq cq;
	char err[128];
	struct backend *bs;
	struct scsi_tgt *tgt = scsi_tgt_create("iqn.2026-11.io.ctgt:mem");
	struct scsi_lu_config cfg = { 0 };
	struct scsi_itn itn;
	uint8_t wr[SCSI_CDB_MAX] = { 0x2a, 0, 0, 0, 0, 9, 0, 0, 4 };
	uint8_t rd[SCSI_CDB_MAX] = { 0x28, 0, 0, 0, 0, 9, 0, 0, 4 };
	uint8_t sync[SCSI_CDB_MAX] = { 0x35 };
	uint8_t data[4 * 512];
	struct scsi_task t;

	(void)state;
	assert_int_equal(bs_cq_init(&cq), 0);
	bs = backend_open("mem:", 1 << 20, &cq, err, sizeof(err));
	assert_non_null(bs);
	assert_int_equal(scsi_tgt_add_lu(tgt, scsi_lu_create(&cfg, bs)), 0);
	fx_itn_init(&itn, 5);	/* not registered: no UA to clear */
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 1);
	mem_cmd(tgt, &itn, &cq, &t, wr, SCSI_DIR_WRITE, sizeof(data), data);
	assert_good(&t);
	scsi_task_release(&t);
	mem_cmd(tgt, &itn, &cq, &t, sync, SCSI_DIR_NONE, 0, NULL);
	assert_good(&t);
	mem_cmd(tgt, &itn, &cq, &t, rd, SCSI_DIR_READ, sizeof(data), NULL);
	assert_good(&t);
	assert_int_equal(t.data_in_len, sizeof(data));
	assert_memory_equal(t.buf, data, sizeof(data));
	scsi_task_release(&t);
	scsi_tgt_destroy(tgt);
	backend_close(bs);
	bs_cq_destroy(&cq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unsupported_opcode),
		cmocka_unit_test(test_missing_lun),
		cmocka_unit_test(test_unit_attention),
		cmocka_unit_test(test_resets),
		cmocka_unit_test(test_report_luns),
		cmocka_unit_test(test_lun_encoding),
		cmocka_unit_test(test_config_checks),
		cmocka_unit_test(test_mem_backend_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
