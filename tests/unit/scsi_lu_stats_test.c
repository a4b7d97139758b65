/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-LU counters (scsi/lu_stats.c): reads, writes and other commands
 * counted by kind with their bytes and latencies, errors and aborted
 * commands apart (while in the store, parked, or waiting for data-out),
 * the histogram summing to the count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scsi_fixture.h"

#define BS 512u

static void rw10(uint8_t *cdb, uint8_t op, uint32_t lba, uint16_t n)
{
	memset(cdb, 0, SCSI_CDB_MAX);
	cdb[0] = op;
	cdb[2] = (uint8_t)(lba >> 24);
	cdb[3] = (uint8_t)(lba >> 16);
	cdb[4] = (uint8_t)(lba >> 8);
	cdb[5] = (uint8_t)lba;
	cdb[7] = (uint8_t)(n >> 8);
	cdb[8] = (uint8_t)n;
}

static uint64_t hist_sum(const uint64_t *h)
{
	uint64_t n = 0;

	for (int i = 0; i < SCSI_LAT_BUCKETS; i++)
		n += h[i];
	return n;
}

static void run(struct fixture *f, const uint8_t *cdb, enum scsi_dir dir, uint32_t len,
		const void *dout)
{
	struct scsi_task t;

	fx_cmd(f, &t, cdb, dir, len, dout);
	scsi_task_release(&t);
}

static void test_counts_by_kind(void **state)
{
	struct fixture *f = fx_new(1024);
	uint8_t cdb[SCSI_CDB_MAX] = { 0 }, data[4 * BS] = { 0 };
	struct scsi_lu_stats st;

	(void)state;
	scsi_lu_stats(f->lu, &st);	/* the fixture's TUR ended at prepare (UA) */
	assert_int_equal(st.reads + st.writes + st.others, 0);
	rw10(cdb, 0x2a, 0, 4);
	run(f, cdb, SCSI_DIR_WRITE, sizeof(data), data);
	rw10(cdb, 0x28, 0, 4);
	run(f, cdb, SCSI_DIR_READ, sizeof(data), NULL);
	run(f, cdb, SCSI_DIR_READ, sizeof(data), NULL);
	rw10(cdb, 0x28, 2000, 1);			/* beyond the end: an error */
	run(f, cdb, SCSI_DIR_READ, BS, NULL);
	memset(cdb, 0, sizeof(cdb));			/* TEST UNIT READY */
	run(f, cdb, SCSI_DIR_NONE, 0, NULL);
	scsi_lu_stats(f->lu, &st);
	assert_int_equal(st.writes, 1);
	assert_int_equal(st.write_bytes, 4 * BS);
	assert_int_equal(st.reads, 2);			/* the bad one fails before it runs */
	assert_int_equal(st.read_bytes, 8 * BS);
	assert_int_equal(st.others, 1);
	assert_int_equal(hist_sum(st.read_hist), st.reads);
	assert_int_equal(hist_sum(st.write_hist), st.writes);
	assert_int_equal(st.aborted, 0);
	fx_free(f);
}

/* A store error: the command is counted, and as an error. */
static void test_store_error(void **state)
{
	struct fixture *f = fx_new(1024);
	uint8_t cdb[SCSI_CDB_MAX] = { 0 }, data[BS] = { 0 };
	struct scsi_lu_stats before, after;

	(void)state;
	scsi_lu_stats(f->lu, &before);
	f->st.fail_next = 1;
	rw10(cdb, 0x2a, 8, 1);
	run(f, cdb, SCSI_DIR_WRITE, BS, data);
	scsi_lu_stats(f->lu, &after);
	assert_int_equal(after.writes, before.writes + 1);
	assert_int_equal(after.errors, before.errors + 1);
	assert_int_equal(after.write_bytes, before.write_bytes);	/* nothing written */
	fx_free(f);
}

static void tmf_done(struct scsi_tmf *tmf)
{
	(void)tmf;
}

/* A LUN RESET while a READ waits for its store: counted as aborted. */
static void test_aborted(void **state)
{
	struct fixture *f = fx_new(1024);
	uint8_t cdb[SCSI_CDB_MAX];
	struct scsi_lu_stats st;
	struct scsi_task t;
	struct scsi_tmf tmf;

	(void)state;
	rw10(cdb, 0x28, 0, 1);
	fx_task(&t, f->tgt, &f->itn, 0, cdb, SCSI_DIR_READ, BS, fx_done);
	g_fx = f;
	assert_int_equal(scsi_task_prepare(&t), SCSI_TASK_READY);
	assert_int_equal(scsi_task_execute(&t), SCSI_TASK_PENDING);
	memset(&tmf, 0, sizeof(tmf));
	tmf.tgt = f->tgt;
	tmf.itn = &f->itn;
	tmf.fn = SCSI_TMF_LU_RESET;
	tmf.lun = 0;
	tmf.done = tmf_done;
	scsi_tmf_execute(&tmf);
	fake_run(&f->bs);
	scsi_task_release(&t);
	scsi_lu_stats(f->lu, &st);
	assert_int_equal(st.aborted, 1);
	assert_int_equal(st.reads, 0);
	fx_free(f);
}

/* Prepare and execute a one-block READ with task attribute @attr, tag @tag. */
static int start_read(struct fixture *f, struct scsi_task *t, enum scsi_task_attr attr,
		      uint64_t tag)
{
	uint8_t cdb[SCSI_CDB_MAX];

	rw10(cdb, 0x28, 0, 1);
	fx_task(t, f->tgt, &f->itn, 0, cdb, SCSI_DIR_READ, BS, fx_done);
	t->attr = attr;
	t->tag = tag;
	g_fx = f;
	assert_int_equal(scsi_task_prepare(t), SCSI_TASK_READY);
	return scsi_task_execute(t);
}

static void tmf_run(struct fixture *f, enum scsi_tmf_fn fn, uint64_t tag)
{
	struct scsi_tmf tmf;

	memset(&tmf, 0, sizeof(tmf));
	tmf.tgt = f->tgt;
	tmf.itn = &f->itn;
	tmf.fn = fn;
	tmf.tag = tag;
	tmf.done = tmf_done;
	scsi_tmf_execute(&tmf);
}

/* A SIMPLE READ parked behind an ORDERED one is counted once it has run
 * (the task set starts it when the ORDERED one ends). */
static void test_parked(void **state)
{
	struct fixture *f = fx_new(1024);
	struct scsi_lu_stats st;
	struct scsi_task a, b;

	(void)state;
	f->done_calls = 0;
	assert_int_equal(start_read(f, &a, SCSI_ATTR_ORDERED, 1), SCSI_TASK_PENDING);
	assert_int_equal(start_read(f, &b, SCSI_ATTR_SIMPLE, 2), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 1);		/* b is parked, not in the store */
	fake_run(&f->bs);
	assert_int_equal(f->done_calls, 2);
	scsi_task_release(&a);
	scsi_task_release(&b);
	scsi_lu_stats(f->lu, &st);
	assert_int_equal(st.reads, 2);
	assert_int_equal(st.read_bytes, 2 * BS);
	assert_int_equal(st.aborted, 0);
	assert_int_equal(hist_sum(st.read_hist), 2);
	fx_free(f);
}

/* ABORT TASK of a parked READ: it ends at once, counted as aborted; the
 * ORDERED one it waited for is counted as a read. */
static void test_aborted_parked(void **state)
{
	struct fixture *f = fx_new(1024);
	struct scsi_lu_stats st;
	struct scsi_task a, b;

	(void)state;
	f->done_calls = 0;
	assert_int_equal(start_read(f, &a, SCSI_ATTR_ORDERED, 1), SCSI_TASK_PENDING);
	assert_int_equal(start_read(f, &b, SCSI_ATTR_SIMPLE, 2), SCSI_TASK_PENDING);
	tmf_run(f, SCSI_TMF_ABORT_TASK, 2);
	assert_int_equal(f->done_calls, 1);
	assert_true(b.aborted);
	fake_run(&f->bs);
	assert_int_equal(f->done_calls, 2);
	scsi_task_release(&a);
	scsi_task_release(&b);
	scsi_lu_stats(f->lu, &st);
	assert_int_equal(st.reads, 1);
	assert_int_equal(st.aborted, 1);
	fx_free(f);
}

/* A WRITE aborted while it waits for its data-out (prepared, never
 * executed) is counted as aborted, not as a write. */
static void test_aborted_before_execute(void **state)
{
	struct fixture *f = fx_new(1024);
	uint8_t cdb[SCSI_CDB_MAX];
	struct scsi_lu_stats st;
	struct scsi_task t;

	(void)state;
	rw10(cdb, 0x2a, 0, 1);
	fx_task(&t, f->tgt, &f->itn, 0, cdb, SCSI_DIR_WRITE, BS, fx_done);
	g_fx = f;
	f->done_calls = 0;
	assert_int_equal(scsi_task_prepare(&t), SCSI_TASK_READY);
	tmf_run(f, SCSI_TMF_LU_RESET, 0);
	assert_int_equal(f->done_calls, 1);
	scsi_task_release(&t);
	scsi_lu_stats(f->lu, &st);
	assert_int_equal(st.aborted, 1);
	assert_int_equal(st.writes + st.errors, 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_by_kind),
		cmocka_unit_test(test_store_error),
		cmocka_unit_test(test_aborted),
		cmocka_unit_test(test_parked),
		cmocka_unit_test(test_aborted_parked),
		cmocka_unit_test(test_aborted_before_execute),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
