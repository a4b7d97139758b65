/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Changing a served target's LUs (scsi/lu_live.c, scsi/tgt.c): a LU added
 * live reports POWER ON and the others REPORTED LUNS DATA HAS CHANGED; a
 * detached LU answers no new command but lets its running ones finish; a
 * grown LU reports CAPACITY DATA HAS CHANGED and its new size, and never
 * shrinks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scsi_fixture.h"
#include "scsi/sense.h"

#define BS 512u

static void read10(uint8_t *cdb, uint32_t lba)
{
	memset(cdb, 0, SCSI_CDB_MAX);
	cdb[0] = 0x28;
	cdb[2] = (uint8_t)(lba >> 24);
	cdb[3] = (uint8_t)(lba >> 16);
	cdb[4] = (uint8_t)(lba >> 8);
	cdb[5] = (uint8_t)lba;
	cdb[8] = 1;
}

/* TEST UNIT READY on @lun: its status and, for CHECK CONDITION, ASC/ASCQ. */
static uint16_t tur(struct fixture *f, uint64_t lun, uint8_t *status)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0 };
	struct scsi_task t;
	uint16_t asc;

	fx_cmd_lun(f, &t, lun, cdb, SCSI_DIR_NONE, 0, NULL);
	*status = t.status;
	asc = t.status == SCSI_STATUS_CHECK_CONDITION ? sense_asc(&t) : 0;
	scsi_task_release(&t);
	return asc;
}

/* The blocks READ CAPACITY(10) reports on LUN 0. */
static uint64_t capacity(struct fixture *f)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x25 };
	struct scsi_task t;
	uint64_t last;

	fx_cmd(f, &t, cdb, SCSI_DIR_READ, 8, NULL);
	assert_good(&t);
	last = ((uint64_t)t.buf[0] << 24) | ((uint64_t)t.buf[1] << 16) |
	       ((uint64_t)t.buf[2] << 8) | t.buf[3];
	scsi_task_release(&t);
	return last + 1;
}

struct extra_lu {
	struct backend bs;
	struct fake_store st;
	struct scsi_lu *lu;
};

static void extra_open(struct extra_lu *x, uint64_t lun, uint64_t nblocks)
{
	struct scsi_lu_config cfg = { .lun = lun };

	memset(x, 0, sizeof(*x));
	x->bs.ops = &fake_ops;
	x->bs.size = nblocks * BS;
	x->bs.priv = &x->st;
	x->st.data = calloc(1, x->bs.size);
	assert_non_null(x->st.data);
	x->lu = scsi_lu_create(&cfg, &x->bs);
	assert_non_null(x->lu);
}

static void test_add_live(void **state)
{
	struct fixture *f = fx_new(64);
	struct extra_lu x;
	uint8_t st;

	(void)state;
	extra_open(&x, 3, 32);
	assert_int_equal(tur(f, 0, &st), 0);
	assert_int_equal(st, SCSI_STATUS_GOOD);
	assert_int_equal(scsi_tgt_add_lu(f->tgt, x.lu), 0);
	assert_int_equal(tur(f, 0, &st), ASC_REPORTED_LUNS_CHANGED);
	assert_int_equal(tur(f, 0, &st), 0);		/* reported once */
	assert_int_equal(tur(f, 3, &st), ASC_POWER_ON_RESET);
	assert_int_equal(tur(f, 3, &st), 0);
	assert_int_equal(st, SCSI_STATUS_GOOD);
	fx_free(f);					/* destroys x.lu too */
	free(x.st.data);
}

/* A READ in flight when its LU is detached completes normally; a new
 * command finds no LU; the other LUs report the change. */
static void test_detach_lets_running_finish(void **state)
{
	struct fixture *f = fx_new(64);
	uint8_t cdb[SCSI_CDB_MAX], st;
	struct scsi_lu *gone;
	struct extra_lu x;
	struct scsi_task t;

	(void)state;
	extra_open(&x, 1, 32);
	assert_int_equal(scsi_tgt_add_lu(f->tgt, x.lu), 0);
	assert_int_equal(tur(f, 1, &st), ASC_POWER_ON_RESET);
	assert_int_equal(tur(f, 0, &st), ASC_REPORTED_LUNS_CHANGED);
	read10(cdb, 0);
	memset(x.st.data, 0xab, BS);
	fx_task(&t, f->tgt, &f->itn, 1, cdb, SCSI_DIR_READ, BS, fx_done);
	g_fx = f;
	f->done_calls = 0;
	assert_int_equal(scsi_task_prepare(&t), SCSI_TASK_READY);
	assert_int_equal(scsi_task_execute(&t), SCSI_TASK_PENDING);
	assert_int_equal(scsi_tgt_detach_lu(f->tgt, 1, &gone), 0);
	assert_ptr_equal(gone, x.lu);
	assert_int_equal(scsi_tgt_detach_lu(f->tgt, 1, &gone), -ENOENT);
	assert_true(scsi_lu_busy(x.lu));
	assert_int_equal(tur(f, 1, &st), ASC_LU_NOT_SUPPORTED);
	assert_int_equal(tur(f, 0, &st), ASC_REPORTED_LUNS_CHANGED);
	fake_run(&x.bs);
	assert_int_equal(f->done_calls, 1);
	assert_good(&t);
	assert_int_equal(t.buf[0], 0xab);
	scsi_task_release(&t);
	assert_false(scsi_lu_busy(x.lu));
	scsi_lu_destroy(x.lu);
	free(x.st.data);
	fx_free(f);
}

/* scsi_lu_abort_all() ends a parked task at once and marks the one in the
 * store; a pending UA of the detached LU is forgotten. */
static void test_detach_abort_all(void **state)
{
	struct fixture *f = fx_new(64);
	uint8_t cdb[SCSI_CDB_MAX];
	struct scsi_task a, b;
	struct scsi_lu *gone;

	(void)state;
	read10(cdb, 0);
	g_fx = f;
	f->done_calls = 0;
	fx_task(&a, f->tgt, &f->itn, 0, cdb, SCSI_DIR_READ, BS, fx_done);
	a.attr = SCSI_ATTR_ORDERED;
	assert_int_equal(scsi_task_prepare(&a), SCSI_TASK_READY);
	assert_int_equal(scsi_task_execute(&a), SCSI_TASK_PENDING);
	fx_task(&b, f->tgt, &f->itn, 0, cdb, SCSI_DIR_READ, BS, fx_done);
	assert_int_equal(scsi_task_prepare(&b), SCSI_TASK_READY);
	assert_int_equal(scsi_task_execute(&b), SCSI_TASK_PENDING);	/* parked */
	assert_int_equal(scsi_lu_resize(f->lu, 128), 0);	/* a UA pending on LUN 0 */
	assert_int_equal(scsi_tgt_detach_lu(f->tgt, 0, &gone), 0);
	scsi_lu_abort_all(gone);
	assert_int_equal(f->done_calls, 1);
	assert_true(b.aborted);
	assert_true(scsi_lu_busy(gone));
	fake_run(&f->bs);
	assert_int_equal(f->done_calls, 2);
	assert_true(a.aborted);
	scsi_task_release(&a);
	scsi_task_release(&b);
	assert_false(scsi_lu_busy(gone));
	scsi_lu_destroy(gone);
	f->lu = NULL;
	/* No UA is left pending for the empty slot: a LU added there starts
	 * with POWER ON, not the old LU's CAPACITY DATA HAS CHANGED. */
	{
		struct extra_lu x;
		uint8_t st;

		extra_open(&x, 0, 32);
		assert_int_equal(scsi_tgt_add_lu(f->tgt, x.lu), 0);
		assert_int_equal(tur(f, 0, &st), ASC_POWER_ON_RESET);
		assert_int_equal(tur(f, 0, &st), 0);
		fx_free(f);
		free(x.st.data);
	}
}

static void test_resize(void **state)
{
	struct fixture *f = fx_new(64);
	uint8_t st;

	(void)state;
	assert_int_equal(capacity(f), 64);
	assert_int_equal(scsi_lu_resize(f->lu, 32), -EINVAL);
	assert_int_equal(scsi_lu_resize(f->lu, 64), 0);
	assert_int_equal(tur(f, 0, &st), 0);		/* same size: no UA */
	assert_int_equal(scsi_lu_resize(f->lu, 96), 0);
	assert_int_equal(f->bs.size, 96 * BS);
	assert_int_equal(tur(f, 0, &st), ASC_CAPACITY_DATA_CHANGED);
	assert_int_equal(capacity(f), 96);
	assert_int_equal(scsi_lu_num_blocks(f->lu), 96);
	fx_free(f);
}

/* A FORMAT UNIT in progress: shown by scsi_lu_progress(), and the LU is
 * neither removed nor resized until it ends; after it, both go. */
static void test_job_blocks_changes(void **state)
{
	struct scsi_lu_config cfg = { .lun = 0, .thin = true };
	struct fixture *f = fx_new_cfg(64, &cfg);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x04, 0x10 }, h[4] = { 0, 0x02 };	/* FMTDATA, IMMED */
	struct scsi_lu_progress p;
	struct scsi_lu *gone;
	struct scsi_task t;

	(void)state;
	scsi_lu_progress(f->lu, &p);
	assert_int_equal(p.job_opcode, 0);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 4, h), SCSI_TASK_COMPLETE);
	assert_good(&t);
	scsi_task_release(&t);
	scsi_lu_progress(f->lu, &p);
	assert_int_equal(p.job_opcode, 0x04);
	assert_false(p.job_failed);
	assert_true(scsi_lu_busy(f->lu));
	assert_int_equal(scsi_tgt_detach_lu(f->tgt, 0, &gone), -EBUSY);
	assert_null(gone);
	assert_int_equal(scsi_lu_resize(f->lu, 128), -EBUSY);
	fake_run(&f->bs);
	scsi_lu_progress(f->lu, &p);
	assert_int_equal(p.job_opcode, 0);		/* it ended well */
	assert_false(scsi_lu_busy(f->lu));
	assert_int_equal(scsi_lu_resize(f->lu, 128), 0);
	assert_int_equal(scsi_tgt_detach_lu(f->tgt, 0, &gone), 0);
	scsi_lu_destroy(gone);
	f->lu = NULL;
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_live),
		cmocka_unit_test(test_detach_lets_running_finish),
		cmocka_unit_test(test_detach_abort_all),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_job_blocks_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
