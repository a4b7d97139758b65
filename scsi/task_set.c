/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The task set of a logical unit (SAM-5 clause 8): every task from a
 * successful prepare until it completes, in arrival order, and the task
 * attribute rules that decide when a task may run:
 *
 *   SIMPLE (and untagged)  once no older ORDERED or HEAD OF QUEUE task remains
 *   ORDERED                once every older task has ended; younger SIMPLE
 *                          tasks wait behind it
 *   HEAD OF QUEUE          at once
 *
 * A task that may not run yet is parked: execute() returns PENDING and the
 * task is started when an older task leaves the set. The set also finds the
 * tasks a task management function aborts (tmf.c).
 *
 * Cost of the common case (only SIMPLE tasks): joining and leaving the set
 * are list operations on a node inside the task, and execute() checks one
 * counter. Nothing is allocated.
 *
 * To see every completion, execute() puts its own function in task->done
 * (the transport's is kept in task->ts_done and restored before it is
 * called), so handlers keep calling task->done() as before.
 *
 * Task thread only, like every task (scsi/scsi.h): no locks.
 */
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"

static void ts_dispatch(struct scsi_lu *lu);

/* Tasks have left the set: start the parked ones that may run now, and a
 * SANITIZE or FORMAT job that waited for the running ones to end. */
static void ts_settle(struct scsi_lu *lu)
{
	ts_dispatch(lu);
	if (lu->job)
		lu_job_kick(lu);
}

void ts_init(struct task_set *ts)
{
	memset(ts, 0, sizeof(*ts));
	list_init(&ts->tasks);
}

static bool attr_blocks(enum scsi_task_attr attr)
{
	return attr == SCSI_ATTR_ORDERED || attr == SCSI_ATTR_HEAD_OF_QUEUE;
}

static struct scsi_task *ts_entry(struct list_node *n)
{
	return container_of(n, struct scsi_task, ts_link);
}

void ts_add(struct scsi_task *task)
{
	struct task_set *ts = &task->lu->ts;

	task->ts_state = TS_PREPARED;
	task->aborted = false;
	task->cancel = NULL;
	list_add_tail(&ts->tasks, &task->ts_link);
	if (attr_blocks(task->attr))
		ts->nblocking++;
}

/* Take @task out of its set; the caller decides what happens to it. */
static void ts_unlink(struct scsi_task *task)
{
	struct task_set *ts = &task->lu->ts;

	list_del(&task->ts_link);
	if (attr_blocks(task->attr))
		ts->nblocking--;
	if (task->ts_state == TS_PARKED)
		ts->nparked--;
	task->ts_state = TS_NONE;
}

/* May @task run now? */
static bool ts_enabled(const struct scsi_task *task)
{
	const struct task_set *ts = &task->lu->ts;
	const struct list_node *pos;

	switch (task->attr) {
	case SCSI_ATTR_HEAD_OF_QUEUE:
		return true;
	case SCSI_ATTR_ORDERED:
		return ts->tasks.next == &task->ts_link;
	default:
		if (!ts->nblocking)
			return true;
		for (pos = ts->tasks.next; pos != &task->ts_link; pos = pos->next) {
			if (attr_blocks(ts_entry((struct list_node *)pos)->attr))
				return false;
		}
		return true;
	}
}

/* Run the handler, remembering which task is inside it. */
static int ts_run(struct scsi_task *task)
{
	struct task_set *ts = &task->lu->ts;
	struct scsi_task *outer = ts->running_now;
	int rc;

	task->ts_state = TS_RUNNING;
	ts->running_now = task;
	rc = task_run(task);
	ts->running_now = outer;
	return rc;
}

/* The task has ended (its handler finished, or an abort ended it): out of
 * the set and counted (lu_stats.c), with the transport's done() back in
 * place for the caller to call. The one place a task is counted: a task
 * taken out without ending (ts_remove: the transport gave it up before
 * execute) is not. Its status, and task->aborted, must be final. */
static void ts_end(struct scsi_task *task)
{
	if (task->ts_state != TS_PREPARED)
		task->done = task->ts_done;	/* executed: ts_task_done was in place */
	ts_unlink(task);
	lu_stats_done(task->lu, task);
}

static void mark_aborted(struct scsi_task *task)
{
	task->aborted = true;
	task->status = SCSI_STATUS_TASK_ABORTED;
	task->sense_len = 0;
	task->data_in_len = 0;
}

/* Installed as task->done while a task is executed. */
static void ts_task_done(struct scsi_task *task)
{
	struct scsi_lu *lu = task->lu;
	bool aborted = task->aborted;

	if (aborted) {
		lu->ts.naborted--;
		mark_aborted(task);	/* whatever the handler set */
	} else {
		task_sense_format(task);
	}
	ts_end(task);
	task->done(task);
	if (aborted)
		tmf_task_gone(lu->tgt);
	ts_settle(lu);
}

int ts_execute(struct scsi_task *task)
{
	struct scsi_lu *lu = task->lu;
	int rc;

	if (!lu || task->ts_state != TS_PREPARED)
		return task_run(task);	/* no LU: never in a set */
	task->ts_done = task->done;
	task->done = ts_task_done;
	lu_stats_start(task);
	if (!ts_enabled(task)) {
		task->ts_state = TS_PARKED;
		lu->ts.nparked++;
		return SCSI_TASK_PENDING;
	}
	rc = ts_run(task);
	if (rc == SCSI_TASK_COMPLETE)
		ts_end(task);
	ts_dispatch(lu);
	return rc;
}

/* Start the parked tasks that may run now. A task started here that
 * completes at once is reported through its done(): the transport was told
 * PENDING. Re-entry (a completion inside a handler) only asks for another
 * pass. */
static void ts_dispatch(struct scsi_lu *lu)
{
	struct task_set *ts = &lu->ts;
	struct list_node *pos;

	if (!ts->nparked)
		return;
	if (ts->dispatching || ts->running_now) {
		ts->redispatch = true;
		return;
	}
	ts->dispatching = true;
	do {
		ts->redispatch = false;
		for (pos = ts->tasks.next; pos != &ts->tasks; pos = pos->next) {
			struct scsi_task *t = ts_entry(pos);

			if (t->ts_state != TS_PARKED || !ts_enabled(t))
				continue;
			ts->nparked--;
			if (ts_run(t) == SCSI_TASK_COMPLETE) {
				ts_end(t);
				t->done(t);
			}
			ts->redispatch = true;	/* the list may have changed */
			break;
		}
	} while (ts->redispatch && ts->nparked);
	ts->dispatching = false;
}

bool ts_busy_besides(const struct scsi_lu *lu, const struct scsi_task *task)
{
	const struct list_node *pos;

	for (pos = lu->ts.tasks.next; pos != &lu->ts.tasks; pos = pos->next) {
		const struct scsi_task *t = ts_entry((struct list_node *)pos);

		if (t != task && t->ts_state == TS_RUNNING)
			return true;
	}
	return false;
}

void ts_remove(struct scsi_task *task)
{
	struct scsi_lu *lu = task->lu;

	if (task->ts_state == TS_NONE)
		return;
	ts_unlink(task);
	ts_dispatch(lu);
}

static bool ts_matches(const struct scsi_task *t, const struct ts_match *m)
{
	if (m->task)
		return t == m->task;
	if (!m->any_nexus && (!t->itn || t->itn->id != m->itn_id))
		return false;
	return !m->by_tag || t->tag == m->tag;
}

struct scsi_task *ts_find(struct scsi_lu *lu, const struct ts_match *m)
{
	struct list_node *pos;

	for (pos = lu->ts.tasks.next; pos != &lu->ts.tasks; pos = pos->next) {
		struct scsi_task *t = ts_entry(pos);

		if (!t->aborted && ts_matches(t, m))
			return t;
	}
	return NULL;
}

/* An aborted task that waited for an LBA range blocked the waiters behind
 * it; an EXTENDED COPY waits on its source or destination LU, which may be
 * another LU of the target. */
static void kick_all(struct scsi_lu *lu)
{
	if (!lu->tgt) {
		lba_lock_kick(lu);
		return;
	}
	for (unsigned i = 0; i < SCSI_MAX_LUNS; i++) {
		if (lu->tgt->luns[i])
			lba_lock_kick(lu->tgt->luns[i]);
	}
}

void ts_abort_where(struct scsi_lu *lu, const struct ts_match *m)
{
	struct task_set *ts = &lu->ts;
	struct list_node *pos, *tmp, ended;

	/* First take every task that can end now out of the set, then call
	 * the done()s: a transport may free things in them. */
	list_init(&ended);
	list_for_each_safe(pos, tmp, &ts->tasks) {
		struct scsi_task *t = ts_entry(pos);

		if (!ts_matches(t, m) || t == ts->running_now || t->aborted)
			continue;
		if (t->ts_state == TS_RUNNING && !t->cancel) {
			/* Backend I/O in flight: it cannot be called back. */
			mark_aborted(t);
			ts->naborted++;
			continue;
		}
		if (t->ts_state == TS_RUNNING) {
			void (*cancel)(struct scsi_task *) = t->cancel;

			t->cancel = NULL;
			cancel(t);
		}
		mark_aborted(t);
		ts_end(t);
		list_add_tail(&ended, &t->ts_link);
	}
	while (!list_empty(&ended)) {
		struct scsi_task *t = ts_entry(ended.next);

		list_del(&t->ts_link);
		t->done(t);
	}
	kick_all(lu);
	ts_settle(lu);
}

void tgt_abort_tasks_of(struct scsi_lu *lu, uint64_t itn_id)
{
	struct ts_match m = { .itn_id = itn_id };

	ts_abort_where(lu, &m);
}

void scsi_task_abort(struct scsi_task *task)
{
	struct ts_match m = { .task = task };

	if (task->lu && task->ts_state != TS_NONE)
		ts_abort_where(task->lu, &m);
}
