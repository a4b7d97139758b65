/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hand-off of a remote session's SCSI work to its target's home thread.
 *
 * The SCSI layer runs every call for a target on one thread, its task
 * thread (scsi/scsi.h "Threads"): the target's home. A session that
 * migrate.c placed on another thread (sess->remote) keeps its connections,
 * PDUs, CmdSN window and responses there, and sends each SCSI call to home
 * in a message (event/mbox.h: lock-free, one wake-up per batch); home makes
 * the call and sends the result back. Nothing of the session or connection
 * is touched on home: only the task (struct scsi_task inside struct
 * iscsi_task), the TMF request (tmf.c) and the session's I_T nexus, each
 * while it is home's by the messages.
 *
 * A task has three messages:
 *
 *   x_msg     the chain, owned by one side at a time: conn -> home
 *             HO_PREP / HO_PREP_EXEC / HO_EXEC / HO_RELEASE, answered
 *             home -> conn HO_PREPARED / HO_EARLY / HO_DONE / HO_RELEASED.
 *   x_notice  home -> conn, once at most: the SCSI layer aborted the task
 *             (task management of any session) while the chain was at the
 *             connection (the task waits for data-out): done() ran on home.
 *   x_abort   conn -> home, once at most: the connection closed while the
 *             chain was at home: scsi_task_abort() there.
 *
 * A command without data-out goes as HO_PREP_EXEC (one message there, one
 * back). One with data-out goes as HO_PREP, and its connection is not read
 * (conn->rx_prep) until HO_PREPARED says how much data-out goes where
 * (task->buf, taken from home's buffer pool and given back to it by
 * scsi_task_release() on home: one pool, one thread). Data-Out is then
 * received straight into task->buf on the connection's thread, and HO_EXEC
 * follows; the messages order those writes before execution on home, and
 * home's writes (data-in, status) before the response is built. Every task
 * that reached home ends with HO_RELEASE / HO_RELEASED, after which its
 * connection's thread frees it: until then the task counts in
 * conn->io_pending, so the connection (and its session) outlive it.
 *
 * Crossings: a notice that meets an HO_EXEC or HO_RELEASE on its way is
 * ignored by the connection (its state is no longer TASK_DATA_OUT), and
 * home answers that HO_EXEC with HO_DONE (aborted) without executing. An
 * x_abort is always followed by the task's HO_RELEASE (same sender, same
 * order), so home still has the task when it runs. A notice is sent before
 * the task's HO_RELEASED, so it is run before the task is freed.
 */
#include <stdlib.h>

#include "iscsi/iscsi.h"
#include "util/log.h"

static void on_conn_msg(struct ev_msg *msg);
static void on_conn_notice(struct ev_msg *msg);

/* Home: send the chain back with answer @op. */
static void answer(struct iscsi_task *task, enum handoff_op op)
{
	task->x_op = (uint8_t)op;
	task->x_msg.fn = on_conn_msg;
	ev_thread_send(task->conn_ev, &task->x_msg);
}

static void home_execute(struct iscsi_task *task)
{
	struct scsi_task *st = &task->scsi;

	if (task->h_aborted) {	/* the notice is on its way: no execution */
		answer(task, HO_DONE);
		return;
	}
	if (task->x_data_error) {
		/* A DataSN gap: the data cannot be trusted, so the command is not run. */
		scsi_task_set_sense(st, 0x0b, 0x4b, 0x00);	/* DATA PHASE ERROR */
		scsi_task_release(st);
		answer(task, HO_EARLY);
		return;
	}
	task->h_exec = true;
	if (scsi_task_execute(st) == SCSI_TASK_PENDING)
		return;		/* handoff_home_done() answers */
	task->h_exec = false;
	answer(task, HO_DONE);
}

static void home_prepare(struct iscsi_task *task)
{
	if (scsi_task_prepare(&task->scsi) != SCSI_TASK_READY) {
		scsi_task_release(&task->scsi);	/* out of the task set, buffer back */
		answer(task, HO_EARLY);
	} else if (task->x_op == HO_PREP_EXEC) {
		home_execute(task);
	} else {
		answer(task, HO_PREPARED);
	}
}

static void on_home_msg(struct ev_msg *msg)
{
	struct iscsi_task *task = container_of(msg, struct iscsi_task, x_msg);

	switch (task->x_op) {
	case HO_PREP:
	case HO_PREP_EXEC:
		home_prepare(task);
		break;
	case HO_EXEC:
		home_execute(task);
		break;
	default:	/* HO_RELEASE */
		scsi_task_release(&task->scsi);
		answer(task, HO_RELEASED);
		break;
	}
}

void handoff_home_done(struct scsi_task *st)
{
	struct iscsi_task *task = container_of(st, struct iscsi_task, scsi);

	if (task->h_exec) {
		task->h_exec = false;
		answer(task, HO_DONE);
		return;
	}
	/* Aborted before execution, the chain at the connection. */
	task->h_aborted = true;
	task->x_notice.fn = on_conn_notice;
	ev_thread_send(task->conn_ev, &task->x_notice);
}

static void on_conn_msg(struct ev_msg *msg)
{
	cmd_remote_answer(container_of(msg, struct iscsi_task, x_msg));
}

static void on_conn_notice(struct ev_msg *msg)
{
	cmd_remote_aborted(container_of(msg, struct iscsi_task, x_notice));
}

void handoff_task(struct iscsi_task *task, enum handoff_op op)
{
	task->x_sent = (uint8_t)op;
	task->x_op = (uint8_t)op;
	task->x_msg.fn = on_home_msg;
	ev_thread_send(task->home_ev, &task->x_msg);
}

static void on_home_abort(struct ev_msg *msg)
{
	struct iscsi_task *task = container_of(msg, struct iscsi_task, x_abort);

	if (task->h_exec)
		scsi_task_abort(&task->scsi);	/* done() follows */
}

void handoff_abort(struct iscsi_task *task)
{
	task->x_abort.fn = on_home_abort;
	ev_thread_send(task->home_ev, &task->x_abort);
}

/* ---- the I_T nexus ---- */

static void on_home_nexus_add(struct ev_msg *msg)
{
	struct iscsi_session *sess = container_of(msg, struct iscsi_session, nexus_add_msg);

	scsi_tgt_nexus_add(sess->target->scsi, &sess->itn);
}

/* Back on the session's thread: home no longer knows the nexus. */
static void on_nexus_removed(struct ev_msg *msg)
{
	struct iscsi_session *sess = container_of(msg, struct iscsi_session, nexus_rm_msg);

	sess->thr->nexus_pending--;
	iscsi_policy_put(sess->policy);
	free(sess);
}

static void on_home_nexus_remove(struct ev_msg *msg)
{
	struct iscsi_session *sess = container_of(msg, struct iscsi_session, nexus_rm_msg);

	scsi_tgt_nexus_remove(sess->target->scsi, &sess->itn);
	sess->nexus_rm_msg.fn = on_nexus_removed;
	ev_thread_send(sess->thr->ev, &sess->nexus_rm_msg);
}

void handoff_nexus_add(struct iscsi_session *sess)
{
	sess->nexus_add_msg.fn = on_home_nexus_add;
	ev_thread_send(sess->target->home->ev, &sess->nexus_add_msg);
}

void handoff_nexus_remove(struct iscsi_session *sess)
{
	/* After every task of the session was released (its connections are
	 * freed only then), and after the add (the same sender). */
	sess->thr->nexus_pending++;
	sess->nexus_rm_msg.fn = on_home_nexus_remove;
	ev_thread_send(sess->target->home->ev, &sess->nexus_rm_msg);
}
