/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The task set and task management: task attributes (SIMPLE, ORDERED,
 * HEAD OF QUEUE, ACA refused), every task management function on tasks in
 * each state (waiting for data-out, parked, in backend I/O, parked by a
 * handler with a cancel hook), the unit attentions they leave, and the
 * internal tgt_abort_tasks_of(). The fake store of scsi_fixture.h keeps
 * requests in flight until fake_run().
 */
#include "tests/unit/scsi_fixture.h"

#include "scsi/internal.h"

#define NBLOCKS 128u
#define MAXLOG 16

static struct scsi_task *done_log[MAXLOG];
static bool done_aborted[MAXLOG];
static int ndone;
static int tmf_done_calls;

static void log_done(struct scsi_task *t)
{
	assert_true(ndone < MAXLOG);
	done_aborted[ndone] = t->aborted;
	done_log[ndone++] = t;
}

static void log_tmf_done(struct scsi_tmf *tmf)
{
	(void)tmf;
	tmf_done_calls++;
}

static void reset_logs(void)
{
	ndone = 0;
	tmf_done_calls = 0;
}

/* Prepare a one-block READ(10) (or WRITE(10)) with @attr and @tag from
 * nexus @itn, and execute it unless @hold (a transport still receiving the
 * data-out). Returns what execute (or prepare) said. */
static int start_io(struct fixture *f, struct scsi_task *t, struct scsi_itn *itn, bool write,
		    enum scsi_task_attr attr, uint64_t tag, bool hold)
{
	uint8_t cdb[SCSI_CDB_MAX] = { write ? 0x2a : 0x28, 0, 0, 0, 0, (uint8_t)tag, 0, 0, 1 };
	int rc;

	fx_task(t, f->tgt, itn, 0, cdb, write ? SCSI_DIR_WRITE : SCSI_DIR_READ, 512, log_done);
	t->attr = attr;
	t->tag = tag;
	rc = scsi_task_prepare(t);
	if (rc != SCSI_TASK_READY || hold)
		return rc;
	return scsi_task_execute(t);
}

static int run_tmf(struct fixture *f, struct scsi_tmf *tmf, struct scsi_itn *itn,
		   enum scsi_tmf_fn fn, uint64_t lun, uint64_t tag)
{
	memset(tmf, 0, sizeof(*tmf));
	tmf->tgt = f->tgt;
	tmf->itn = itn;
	tmf->fn = fn;
	tmf->lun = lun;
	tmf->tag = tag;
	tmf->done = log_tmf_done;
	return scsi_tmf_execute(tmf);
}

/* The unit attention TEST UNIT READY reports to @itn on LUN 0, or 0. */
static uint16_t take_ua(struct fixture *f, struct scsi_itn *itn)
{
	uint8_t tur[SCSI_CDB_MAX] = { 0 };
	struct scsi_task t = { .tgt = f->tgt, .itn = itn, .done = log_done };
	uint16_t asc = 0;

	memcpy(t.cdb, tur, sizeof(tur));
	if (scsi_task_prepare(&t) == SCSI_TASK_READY)
		assert_int_equal(scsi_task_execute(&t), SCSI_TASK_COMPLETE);
	if (t.status == SCSI_STATUS_CHECK_CONDITION) {
		assert_int_equal(t.sense[2] & 0x0f, 0x6);
		asc = sense_asc(&t);
	}
	scsi_task_release(&t);
	return asc;
}

static struct scsi_itn *second_nexus(struct fixture *f, struct scsi_itn *itn)
{
	fx_itn_init(itn, 2);
	scsi_tgt_nexus_add(f->tgt, itn);
	assert_int_equal(take_ua(f, itn), 0x2900);
	return itn;
}

static void test_simple_tasks_run_together(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task a, b;

	(void)state;
	reset_logs();
	assert_int_equal(start_io(f, &a, &f->itn, false, SCSI_ATTR_SIMPLE, 1, false), SCSI_TASK_PENDING);
	assert_int_equal(start_io(f, &b, &f->itn, false, SCSI_ATTR_UNTAGGED, 2, false), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 2);
	assert_int_equal(fake_run(&f->bs), 2);
	assert_int_equal(ndone, 2);
	assert_good(&a);
	assert_good(&b);
	assert_true(list_empty(&f->lu->ts.tasks));
	scsi_task_release(&a);
	scsi_task_release(&b);
	fx_free(f);
}

static void test_ordered(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task a, o, b;

	(void)state;
	reset_logs();
	assert_int_equal(start_io(f, &a, &f->itn, false, SCSI_ATTR_SIMPLE, 1, false), SCSI_TASK_PENDING);
	/* ORDERED waits for the older SIMPLE task, the younger SIMPLE for it. */
	assert_int_equal(start_io(f, &o, &f->itn, false, SCSI_ATTR_ORDERED, 2, false), SCSI_TASK_PENDING);
	assert_int_equal(start_io(f, &b, &f->itn, false, SCSI_ATTR_SIMPLE, 3, false), SCSI_TASK_PENDING);
	assert_int_equal(f->st.submits, 1);
	assert_int_equal(fake_step(&f->bs, 0), 1);		/* a ends, o starts */
	assert_int_equal(ndone, 1);
	assert_ptr_equal(done_log[0], &a);
	assert_int_equal(f->st.submits, 2);
	assert_int_equal(f->st.npending, 1);
	assert_int_equal(fake_step(&f->bs, 0), 1);		/* o ends, b starts */
	assert_ptr_equal(done_log[1], &o);
	assert_int_equal(f->st.submits, 3);
	assert_int_equal(fake_step(&f->bs, 0), 1);
	assert_ptr_equal(done_log[2], &b);
	assert_good(&o);
	assert_good(&b);
	scsi_task_release(&a);
	scsi_task_release(&o);
	scsi_task_release(&b);
	fx_free(f);
}

static void test_ordered_waits_for_data_out(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task w, o;

	(void)state;
	reset_logs();
	/* The older WRITE is still receiving its data-out. */
	assert_int_equal(start_io(f, &w, &f->itn, true, SCSI_ATTR_SIMPLE, 1, true), SCSI_TASK_READY);
	assert_int_equal(start_io(f, &o, &f->itn, false, SCSI_ATTR_ORDERED, 2, false), SCSI_TASK_PENDING);
	assert_int_equal(f->st.submits, 0);
	/* The transport gives up on the WRITE (early status): o may run. */
	scsi_task_release(&w);
	assert_int_equal(f->st.submits, 1);
	assert_int_equal(fake_run(&f->bs), 1);
	assert_int_equal(ndone, 1);
	assert_ptr_equal(done_log[0], &o);
	scsi_task_release(&o);
	fx_free(f);
}

static void test_head_of_queue(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task a, o, h, b;

	(void)state;
	reset_logs();
	start_io(f, &a, &f->itn, false, SCSI_ATTR_SIMPLE, 1, false);
	start_io(f, &o, &f->itn, false, SCSI_ATTR_ORDERED, 2, false);
	assert_int_equal(start_io(f, &h, &f->itn, false, SCSI_ATTR_HEAD_OF_QUEUE, 3, false),
			 SCSI_TASK_PENDING);
	assert_int_equal(f->st.submits, 2);		/* a and h, not o */
	/* A SIMPLE task younger than the HEAD OF QUEUE one waits for it. */
	start_io(f, &b, &f->itn, false, SCSI_ATTR_SIMPLE, 4, false);
	assert_int_equal(f->st.submits, 2);
	while (fake_run(&f->bs))
		;
	assert_int_equal(ndone, 4);
	assert_ptr_equal(done_log[3], &b);
	scsi_task_release(&a);
	scsi_task_release(&o);
	scsi_task_release(&h);
	scsi_task_release(&b);
	fx_free(f);
}

static void test_aca_refused(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	assert_int_equal(start_io(f, &t, &f->itn, false, SCSI_ATTR_ACA, 1, false), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x5, 0x4900);
	assert_int_equal(f->st.submits, 0);
	assert_true(list_empty(&f->lu->ts.tasks));
	fx_free(f);
}

static void test_abort_task_in_flight(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;
	struct scsi_tmf tmf;

	(void)state;
	reset_logs();
	start_io(f, &t, &f->itn, false, SCSI_ATTR_SIMPLE, 7, false);
	assert_int_equal(run_tmf(f, &tmf, &f->itn, SCSI_TMF_ABORT_TASK, 0, 7), SCSI_TASK_PENDING);
	/* The I/O cannot be called back: the TMF waits for it. */
	assert_int_equal(ndone, 0);
	assert_int_equal(tmf_done_calls, 0);
	assert_int_equal(fake_run(&f->bs), 1);
	assert_int_equal(ndone, 1);
	assert_true(done_aborted[0]);
	assert_int_equal(t.status, SCSI_STATUS_TASK_ABORTED);
	assert_int_equal(tmf_done_calls, 1);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_COMPLETE);
	assert_int_equal(f->lu->ts.naborted, 0);
	scsi_task_release(&t);
	/* ABORT TASK leaves no unit attention. */
	assert_int_equal(take_ua(f, &f->itn), 0);
	fx_free(f);
}

static void test_abort_task_waiting(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task w, a, o;
	struct scsi_tmf tmf;

	(void)state;
	reset_logs();
	/* Waiting for data-out: ends at once, before execute. */
	start_io(f, &w, &f->itn, true, SCSI_ATTR_SIMPLE, 1, true);
	assert_int_equal(run_tmf(f, &tmf, &f->itn, SCSI_TMF_ABORT_TASK, 0, 1), SCSI_TASK_COMPLETE);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_COMPLETE);
	assert_int_equal(ndone, 1);
	assert_ptr_equal(done_log[0], &w);
	assert_true(done_aborted[0]);
	scsi_task_release(&w);
	/* Parked behind an older task: ends at once too. */
	start_io(f, &a, &f->itn, false, SCSI_ATTR_SIMPLE, 2, false);
	start_io(f, &o, &f->itn, false, SCSI_ATTR_ORDERED, 3, false);
	assert_int_equal(run_tmf(f, &tmf, &f->itn, SCSI_TMF_ABORT_TASK, 0, 3), SCSI_TASK_COMPLETE);
	assert_int_equal(ndone, 2);
	assert_ptr_equal(done_log[1], &o);
	assert_true(done_aborted[1]);
	assert_int_equal(f->lu->ts.nparked, 0);
	assert_int_equal(fake_run(&f->bs), 1);
	assert_int_equal(ndone, 3);
	assert_false(done_aborted[2]);
	assert_int_equal(f->st.submits, 1);		/* o never ran */
	scsi_task_release(&a);
	scsi_task_release(&o);
	fx_free(f);
}

static void test_abort_task_not_found(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_itn other;
	struct scsi_task t;
	struct scsi_tmf tmf;

	(void)state;
	reset_logs();
	second_nexus(f, &other);
	start_io(f, &t, &f->itn, false, SCSI_ATTR_SIMPLE, 5, false);
	assert_int_equal(run_tmf(f, &tmf, &f->itn, SCSI_TMF_ABORT_TASK, 0, 6), SCSI_TASK_COMPLETE);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_NO_TASK);
	/* Tags are per nexus: another nexus cannot abort it. */
	run_tmf(f, &tmf, &other, SCSI_TMF_ABORT_TASK, 0, 5);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_NO_TASK);
	run_tmf(f, &tmf, &f->itn, SCSI_TMF_ABORT_TASK, 3, 5);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_NO_LU);
	run_tmf(f, &tmf, &f->itn, SCSI_TMF_LU_RESET, 3, 0);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_NO_LU);
	assert_int_equal(fake_run(&f->bs), 1);
	assert_false(done_aborted[0]);
	assert_good(&t);
	scsi_task_release(&t);
	/* Once completed, the task is gone. */
	run_tmf(f, &tmf, &f->itn, SCSI_TMF_ABORT_TASK, 0, 5);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_NO_TASK);
	fx_free(f);
}

static void test_query_task(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_itn other;
	struct scsi_task t;
	struct scsi_tmf tmf;

	(void)state;
	reset_logs();
	second_nexus(f, &other);
	start_io(f, &t, &f->itn, false, SCSI_ATTR_SIMPLE, 5, false);
	run_tmf(f, &tmf, &f->itn, SCSI_TMF_QUERY_TASK, 0, 5);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_SUCCEEDED);
	run_tmf(f, &tmf, &f->itn, SCSI_TMF_QUERY_TASK, 0, 4);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_COMPLETE);
	run_tmf(f, &tmf, &f->itn, SCSI_TMF_QUERY_TASK_SET, 0, 0);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_SUCCEEDED);
	run_tmf(f, &tmf, &other, SCSI_TMF_QUERY_TASK_SET, 0, 0);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_COMPLETE);
	fake_run(&f->bs);
	assert_false(done_aborted[0]);		/* queries abort nothing */
	scsi_task_release(&t);
	fx_free(f);
}

static void test_abort_task_set(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_itn other;
	struct scsi_task mine, theirs;
	struct scsi_tmf tmf;

	(void)state;
	reset_logs();
	second_nexus(f, &other);
	start_io(f, &mine, &f->itn, false, SCSI_ATTR_SIMPLE, 1, false);
	start_io(f, &theirs, &other, false, SCSI_ATTR_SIMPLE, 1, false);
	assert_int_equal(run_tmf(f, &tmf, &f->itn, SCSI_TMF_ABORT_TASK_SET, 0, 0), SCSI_TASK_PENDING);
	assert_int_equal(fake_run(&f->bs), 2);
	assert_int_equal(tmf_done_calls, 1);
	assert_true(mine.aborted);
	assert_false(theirs.aborted);
	assert_good(&theirs);
	/* No unit attention for anyone. */
	assert_int_equal(take_ua(f, &f->itn), 0);
	assert_int_equal(take_ua(f, &other), 0);
	scsi_task_release(&mine);
	scsi_task_release(&theirs);
	fx_free(f);
}

static void test_clear_task_set(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_itn other;
	struct scsi_task mine, theirs;
	struct scsi_tmf tmf;

	(void)state;
	reset_logs();
	second_nexus(f, &other);
	start_io(f, &mine, &f->itn, false, SCSI_ATTR_SIMPLE, 1, false);
	start_io(f, &theirs, &other, true, SCSI_ATTR_SIMPLE, 1, true);
	assert_int_equal(run_tmf(f, &tmf, &f->itn, SCSI_TMF_CLEAR_TASK_SET, 0, 0), SCSI_TASK_PENDING);
	assert_true(theirs.aborted);	/* was waiting for data-out: ended */
	assert_int_equal(ndone, 1);
	assert_int_equal(fake_run(&f->bs), 1);
	assert_true(mine.aborted);
	assert_int_equal(tmf_done_calls, 1);
	/* TAS=0: the other nexus learns of it by a unit attention. */
	assert_int_equal(take_ua(f, &other), 0x2f00);
	assert_int_equal(take_ua(f, &f->itn), 0);
	scsi_task_release(&mine);
	scsi_task_release(&theirs);
	fx_free(f);
}

static void test_lu_reset(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_itn other;
	struct scsi_task a, o, b;
	struct scsi_tmf tmf;

	(void)state;
	reset_logs();
	second_nexus(f, &other);
	start_io(f, &a, &f->itn, false, SCSI_ATTR_SIMPLE, 1, false);
	start_io(f, &o, &other, false, SCSI_ATTR_ORDERED, 2, false);
	start_io(f, &b, &other, true, SCSI_ATTR_SIMPLE, 3, true);
	assert_int_equal(run_tmf(f, &tmf, &f->itn, SCSI_TMF_LU_RESET, 0, 0), SCSI_TASK_PENDING);
	assert_int_equal(ndone, 2);		/* o and b at once */
	assert_int_equal(tmf_done_calls, 0);
	assert_int_equal(fake_run(&f->bs), 1);
	assert_int_equal(ndone, 3);
	assert_true(a.aborted && o.aborted && b.aborted);
	assert_int_equal(tmf_done_calls, 1);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_COMPLETE);
	assert_int_equal(f->st.submits, 1);
	assert_true(list_empty(&f->lu->ts.tasks));
	assert_int_equal(take_ua(f, &f->itn), 0x2903);
	assert_int_equal(take_ua(f, &other), 0x2903);
	scsi_task_release(&a);
	scsi_task_release(&o);
	scsi_task_release(&b);
	fx_free(f);
}

/* PREVENT ALLOW MEDIUM REMOVAL with PREVENT=1 from @itn. */
static void prevent(struct fixture *f, struct scsi_itn *itn)
{
	struct scsi_task t = { .tgt = f->tgt, .itn = itn, .done = log_done };

	t.cdb[0] = 0x1e;
	t.cdb[4] = 1;
	assert_int_equal(scsi_task_prepare(&t), SCSI_TASK_READY);
	assert_int_equal(scsi_task_execute(&t), SCSI_TASK_COMPLETE);
	assert_good(&t);
	scsi_task_release(&t);
}

static void test_nexus_and_target_resets(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_itn other;
	struct scsi_task mine, theirs;
	struct scsi_tmf tmf;

	(void)state;
	reset_logs();
	second_nexus(f, &other);
	start_io(f, &mine, &f->itn, false, SCSI_ATTR_SIMPLE, 1, false);
	start_io(f, &theirs, &other, false, SCSI_ATTR_SIMPLE, 1, false);
	prevent(f, &f->itn);
	assert_true(tgt_lu_prevented(f->lu));
	assert_int_equal(run_tmf(f, &tmf, &f->itn, SCSI_TMF_IT_NEXUS_RESET, 9, 0), SCSI_TASK_PENDING);
	fake_run(&f->bs);
	assert_int_equal(tmf_done_calls, 1);
	assert_true(mine.aborted);
	assert_false(theirs.aborted);
	assert_int_equal(take_ua(f, &f->itn), 0x2907);
	assert_int_equal(take_ua(f, &other), 0);
	assert_false(tgt_lu_prevented(f->lu));
	scsi_task_release(&mine);
	scsi_task_release(&theirs);

	start_io(f, &theirs, &other, false, SCSI_ATTR_SIMPLE, 1, false);
	assert_int_equal(run_tmf(f, &tmf, &f->itn, SCSI_TMF_TARGET_WARM_RESET, 0, 0), SCSI_TASK_PENDING);
	fake_run(&f->bs);
	assert_true(theirs.aborted);
	assert_int_equal(tmf_done_calls, 2);
	assert_int_equal(take_ua(f, &f->itn), 0x2902);
	assert_int_equal(take_ua(f, &other), 0x2902);
	scsi_task_release(&theirs);

	assert_int_equal(run_tmf(f, &tmf, &other, SCSI_TMF_TARGET_COLD_RESET, 0, 0), SCSI_TASK_COMPLETE);
	assert_int_equal(take_ua(f, &f->itn), 0x2901);
	assert_int_equal(take_ua(f, &other), 0x2901);
	fx_free(f);
}

static void test_abort_tasks_of(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_itn other;
	struct scsi_task mine, theirs, parked;

	(void)state;
	reset_logs();
	second_nexus(f, &other);
	start_io(f, &mine, &f->itn, false, SCSI_ATTR_SIMPLE, 1, false);
	start_io(f, &theirs, &other, false, SCSI_ATTR_SIMPLE, 1, false);
	start_io(f, &parked, &other, false, SCSI_ATTR_ORDERED, 2, false);
	tgt_abort_tasks_of(f->lu, other.id);
	assert_int_equal(ndone, 1);		/* the parked one, at once */
	assert_ptr_equal(done_log[0], &parked);
	fake_run(&f->bs);
	assert_false(mine.aborted);
	assert_true(theirs.aborted);
	assert_int_equal(take_ua(f, &other), 0);	/* the caller sets UAs */
	scsi_task_release(&mine);
	scsi_task_release(&theirs);
	scsi_task_release(&parked);
	fx_free(f);
}

static void test_task_abort_nexus_loss(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t, w;

	(void)state;
	reset_logs();
	start_io(f, &t, &f->itn, false, SCSI_ATTR_SIMPLE, 1, false);
	start_io(f, &w, &f->itn, true, SCSI_ATTR_SIMPLE, 2, true);
	scsi_task_abort(&t);
	assert_int_equal(ndone, 0);		/* in flight: later */
	scsi_task_abort(&t);			/* twice is harmless */
	scsi_task_abort(&w);
	assert_int_equal(ndone, 1);
	assert_true(w.aborted);
	fake_run(&f->bs);
	assert_int_equal(ndone, 2);
	assert_true(t.aborted);
	scsi_task_abort(&t);			/* gone: no-op */
	assert_int_equal(ndone, 2);
	assert_int_equal(take_ua(f, &f->itn), 0);
	scsi_task_release(&t);
	scsi_task_release(&w);
	fx_free(f);
}

/* A handler that parks its task outside backend I/O (as a range lock would)
 * and lets an abort take it back. Here the "wait" is the fake store. */
static int cancels;

static void cancel_wait(struct scsi_task *t)
{
	struct fake_store *st = g_fx->bs.priv;

	(void)t;
	cancels++;
	st->npending = 0;	/* the request will never complete */
}

static void test_cancel_hook(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;
	struct scsi_tmf tmf;

	(void)state;
	reset_logs();
	g_fx = f;
	cancels = 0;
	start_io(f, &t, &f->itn, false, SCSI_ATTR_SIMPLE, 1, false);
	t.cancel = cancel_wait;
	assert_int_equal(run_tmf(f, &tmf, &f->itn, SCSI_TMF_ABORT_TASK, 0, 1), SCSI_TASK_COMPLETE);
	assert_int_equal(cancels, 1);
	assert_int_equal(ndone, 1);
	assert_true(done_aborted[0]);
	assert_null(t.cancel);
	assert_true(list_empty(&f->lu->ts.tasks));
	scsi_task_release(&t);
	fx_free(f);
}

/* An aborted UNMAP stops at the descriptor in flight. */
static void test_abort_unmap_stops(void **state)
{
	struct scsi_lu_config cfg = { .lun = 0, .thin = true };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x42, [8] = 40 };
	uint8_t list[40] = { 0, 38, 0, 32 };
	struct scsi_task t;
	struct scsi_tmf tmf;

	(void)state;
	reset_logs();
	list[8 + 7] = 1;	/* LBA 1, 1 block */
	list[8 + 11] = 1;
	list[24 + 7] = 9;	/* LBA 9, 2 blocks */
	list[24 + 11] = 2;
	fx_task(&t, f->tgt, &f->itn, 0, cdb, SCSI_DIR_WRITE, sizeof(list), log_done);
	t.tag = 4;
	assert_int_equal(scsi_task_prepare(&t), SCSI_TASK_READY);
	memcpy(t.buf, list, sizeof(list));
	assert_int_equal(scsi_task_execute(&t), SCSI_TASK_PENDING);
	assert_int_equal(run_tmf(f, &tmf, &f->itn, SCSI_TMF_ABORT_TASK, 0, 4), SCSI_TASK_PENDING);
	assert_int_equal(fake_step(&f->bs, 0), 1);
	assert_int_equal(f->st.submits, 1);
	assert_int_equal(ndone, 1);
	assert_true(done_aborted[0]);
	assert_int_equal(tmf_done_calls, 1);
	scsi_task_release(&t);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_tasks_run_together),
		cmocka_unit_test(test_ordered),
		cmocka_unit_test(test_ordered_waits_for_data_out),
		cmocka_unit_test(test_head_of_queue),
		cmocka_unit_test(test_aca_refused),
		cmocka_unit_test(test_abort_task_in_flight),
		cmocka_unit_test(test_abort_task_waiting),
		cmocka_unit_test(test_abort_task_not_found),
		cmocka_unit_test(test_query_task),
		cmocka_unit_test(test_abort_task_set),
		cmocka_unit_test(test_clear_task_set),
		cmocka_unit_test(test_lu_reset),
		cmocka_unit_test(test_nexus_and_target_resets),
		cmocka_unit_test(test_abort_tasks_of),
		cmocka_unit_test(test_task_abort_nexus_loss),
		cmocka_unit_test(test_cancel_hook),
		cmocka_unit_test(test_abort_unmap_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
