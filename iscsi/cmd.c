/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SCSI Command PDUs: immediate and unsolicited data, R2T, Data-Out, Data-In
 * and the SCSI Response with residuals (RFC 7143 sections 11.3-11.8).
 *
 * A task's data-out phase ends when the unsolicited data has ended
 * (immediate data, then Data-Out up to FirstBurstLength when InitialR2T=No;
 * the initiator may stop short of it with the F bit of the command or of a
 * Data-Out) and every R2T we sent has been answered. Only then does the
 * command run, or its early status go out, so the initiator never sends data
 * for a task we have already forgotten.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/iscsi.h"
#include "util/log.h"

static void task_progress(struct iscsi_task *task);

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* The task's buffer is gone: it no longer counts against the budget. */
static void conn_uncharge(struct iscsi_conn *conn, struct iscsi_task *task)
{
	conn->buf_bytes -= task->charge;
	task->charge = 0;
}

static void task_free(struct iscsi_task *task)
{
	struct iscsi_conn *conn = task->conn;

	conn_uncharge(conn, task);
	if (!task->counts_in_window)
		conn->n_immediate--;
	rx_task_gone(conn, task);	/* a Data-Out being received into its buffer */
	list_del(&task->link);
	if (task->remote && task->x_sent) {
		/* Home lets go first; HO_RELEASED frees it (cmd_remote_answer). */
		task->state = TASK_RELEASING;
		conn->io_pending++;
		handoff_task(task, HO_RELEASE);
		return;
	}
	if (!task->remote)
		scsi_task_release(&task->scsi);
	bufpool_put(&conn->thr->pool, task, sizeof(*task));
}

static void task_final_sent(struct iscsi_pdu *pdu, void *arg, bool ok)
{
	struct iscsi_task *task = arg;

	(void)pdu;
	(void)ok;
	/* The CmdSN slot is given back once the response is on the wire (or
	 * dropped with the connection), not when it is queued: an initiator
	 * that does not read its responses cannot have more commands than
	 * the window holds. */
	if (task->counts_in_window)
		session_cmd_done(task->conn->sess);
	task_free(task);
}

/* StatSN, ExpCmdSN and MaxCmdSN of a task's final PDU. Its slot stays taken
 * until the PDU is on the wire, but the initiator reads the PDU only then:
 * so the PDU already counts it as free (its credit). (Otherwise responses
 * queued together would all show a window closed by themselves, and an
 * initiator that waits for the window would wait forever.) */
static void fill_final_sn(struct iscsi_conn *conn, struct iscsi_task *task,
			  struct iscsi_pdu *pdu)
{
	conn_fill_sn(conn, pdu, true, task->counts_in_window ? 1 : 0);
}

/* What a command may cost in buffers: its data, as the thread's cache
 * allocates it (a power of two: util/bufpool.h), and the headers of the
 * Data-In PDUs that carry it (many when the initiator's
 * MaxRecvDataSegmentLength is small). */
static uint64_t buffer_cost(const struct iscsi_conn *conn, uint64_t len)
{
	uint32_t seg = conn->params.max_xmit_dlen ? conn->params.max_xmit_dlen : 512;

	return len ? bufpool_size(len) + (len / seg + 1) * bufpool_size(sizeof(struct iscsi_pdu))
		   : 0;
}

/* What the command whose header is @bhs expects to transfer, as a cost. */
static uint64_t buffer_want(const struct iscsi_conn *conn, const uint8_t *bhs)
{
	uint64_t edtl = bhs_u32(bhs, BHS_CMD_EDTL);
	uint8_t flags = bhs[BHS_FLAGS];

	return buffer_cost(conn, (flags & ISCSI_CMD_READ ? edtl : 0) +
				 (flags & ISCSI_CMD_WRITE ? edtl : 0));
}

/* Whether the connection's buffer budget has room for @want more bytes. One
 * command always fits, however large, so that every command the SCSI layer
 * accepts can run. */
static bool buffer_fits(const struct iscsi_conn *conn, uint64_t want)
{
	return !conn->buf_bytes || conn->buf_bytes + want <= conn->thr->set.lim.conn_buffer;
}

/* A command that does not fit may wait where it is, the connection not read
 * from meanwhile, while every buffer of the connection is released without
 * reading: no task waits for data-out (which only reading brings). */
static bool buffer_can_wait(const struct iscsi_conn *conn)
{
	const struct list_node *pos;

	for (pos = conn->tasks.next; pos != &conn->tasks; pos = pos->next)
		if (container_of(pos, struct iscsi_task, link)->state == TASK_DATA_OUT)
			return false;
	return true;
}

/* Refuse @task its buffer (TASK SET FULL) unless it fits; true when it does. */
static bool buffer_admit(struct iscsi_conn *conn, const struct iscsi_task *task)
{
	uint64_t want = buffer_want(conn, conn->rx_bhs);
	struct iscsi_server *srv = conn->srv;

	if (buffer_fits(conn, want))
		return true;
	iscsi_count(&srv->ctr.buffer_full);
	LOG_WARN_RL(&conn->thr->rl_buffer, "cmd",
		    "%s: ITT 0x%x: TASK SET FULL: %llu bytes of buffers in use, %llu more "
		    "wanted (limit %u)", conn->peer, task->itt,
		    (unsigned long long)conn->buf_bytes, (unsigned long long)want,
		    conn->thr->set.lim.conn_buffer);
	return false;
}

/* Count what the SCSI layer allocated for @task (at least its expected
 * transfer) against the connection's budget. */
static void buffer_charge(struct iscsi_conn *conn, struct iscsi_task *task)
{
	uint64_t len = (uint64_t)task->exp_read + task->exp_write;

	if (task->scsi.buf_size > len)
		len = task->scsi.buf_size;
	task->charge = task->scsi.buf ? buffer_cost(conn, len) : 0;
	conn->buf_bytes += task->charge;
}

static struct iscsi_task *task_find(struct iscsi_conn *conn, uint32_t itt)
{
	struct list_node *pos;

	for (pos = conn->tasks.next; pos != &conn->tasks; pos = pos->next) {
		struct iscsi_task *t = container_of(pos, struct iscsi_task, link);

		if (t->itt == itt && t->state == TASK_DATA_OUT)
			return t;
	}
	return NULL;
}

void cmd_abort_all(struct iscsi_conn *conn)
{
	struct list_node *pos;

	/* Each step may complete other tasks of this connection (the SCSI
	 * layer starts tasks that were parked behind the one leaving), and
	 * completing a task on a closed connection frees it: so start over
	 * after every step. Finished tasks are freed by their last PDU's sent
	 * callback. */
again:
	for (pos = conn->tasks.next; pos != &conn->tasks; pos = pos->next) {
		struct iscsi_task *t = container_of(pos, struct iscsi_task, link);

		if (t->state == TASK_DATA_OUT) {
			task_free(t);
			goto again;
		}
		if (t->state == TASK_EXECUTING && !t->abort_sent) {
			t->abort_sent = true;
			if (t->remote)
				handoff_abort(t);	/* its answer comes later */
			else
				scsi_task_abort(&t->scsi);
			goto again;
		}
	}
}

int cmd_drop_early(struct iscsi_conn *conn, uint32_t itt, uint64_t lun)
{
	struct list_node *pos, *tmp;
	int n = 0;

	list_for_each_safe(pos, tmp, &conn->tasks) {
		struct iscsi_task *t = container_of(pos, struct iscsi_task, link);

		if (t->state != TASK_DATA_OUT || !t->early ||
		    (itt != ISCSI_RSVD_TAG && t->itt != itt) ||
		    (lun != UINT64_MAX && t->scsi.lun != lun))
			continue;
		if (t->counts_in_window)
			session_cmd_done(conn->sess);
		task_free(t);	/* not in a task set: no SCSI callbacks */
		n++;
	}
	return n;
}

/* ---- responses ---- */

struct residual {
	uint8_t flags;
	uint32_t count;
};

static struct residual compute_residual(const struct iscsi_task *task, uint32_t sent)
{
	struct residual r = { 0, 0 };
	const struct scsi_task *st = &task->scsi;

	if (task->exp_read || (st->data_in_len && !task->exp_write)) {
		if (st->data_in_len > task->exp_read)
			r = (struct residual){ ISCSI_RSP_OVERFLOW, st->data_in_len - task->exp_read };
		else if (sent < task->exp_read)
			r = (struct residual){ ISCSI_RSP_UNDERFLOW, task->exp_read - sent };
	} else if (task->exp_write || st->data_out_len) {
		if (st->data_out_len > task->exp_write)
			r = (struct residual){ ISCSI_RSP_OVERFLOW, st->data_out_len - task->exp_write };
		else if (!task->early && st->data_out_len < task->exp_write)
			r = (struct residual){ ISCSI_RSP_UNDERFLOW, task->exp_write - st->data_out_len };
	}
	return r;
}

static struct iscsi_pdu *make_data_in(struct iscsi_task *task, uint32_t off, uint32_t len,
				      bool final)
{
	struct iscsi_pdu *pdu = pdu_alloc_from(&task->conn->thr->pool, ISCSI_OP_DATA_IN);

	if (!pdu)
		return NULL;
	pdu->bhs[BHS_FLAGS] = final ? ISCSI_FLAG_FINAL : 0;
	memcpy(pdu->bhs + BHS_LUN, task->lun_raw, 8);
	bhs_set_u32(pdu->bhs, BHS_ITT, task->itt);
	bhs_set_u32(pdu->bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_u32(pdu->bhs, BHS_DATASN, task->datain_sn++);
	bhs_set_u32(pdu->bhs, BHS_BUFFER_OFFSET, off);
	pdu_set_data_ref(pdu, task->scsi.buf + off, len);
	return pdu;
}

/* Send Data-In PDUs; returns the PDU that may carry status (the last), or NULL. */
static int send_data_in(struct iscsi_conn *conn, struct iscsi_task *task, uint32_t len,
			struct iscsi_pdu **last)
{
	uint32_t seg = conn->params.max_xmit_dlen, burst = conn->params.max_burst;
	uint32_t off = 0;

	*last = NULL;
	while (off < len) {
		uint32_t n = min_u32(seg, len - off);
		/* A Data-In sequence ends (F bit) at every MaxBurstLength boundary. */
		uint32_t burst_left = burst - off % burst;
		struct iscsi_pdu *pdu;

		n = min_u32(n, burst_left);
		pdu = make_data_in(task, off, n, off + n == len || n == burst_left);
		if (!pdu)
			return -ENOMEM;
		off += n;
		if (off == len) {
			*last = pdu;
			break;
		}
		conn_fill_sn(conn, pdu, false, 0);
		bhs_set_u32(pdu->bhs, BHS_STATSN, 0);
		conn_send(conn, pdu);
	}
	return 0;
}

static struct iscsi_pdu *make_response(struct iscsi_conn *conn, struct iscsi_task *task,
				       struct residual r)
{
	struct iscsi_pdu *pdu = pdu_alloc_from(&task->conn->thr->pool, ISCSI_OP_SCSI_RSP);
	const struct scsi_task *st = &task->scsi;

	if (!pdu)
		return NULL;
	pdu->bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL | r.flags;
	pdu->bhs[BHS_RSP_RESPONSE] = 0;	/* command completed at target */
	pdu->bhs[BHS_RSP_STATUS] = st->status;
	bhs_set_u32(pdu->bhs, BHS_ITT, task->itt);
	bhs_set_u32(pdu->bhs, BHS_DATASN, task->datain_sn + task->r2tsn);	/* ExpDataSN */
	bhs_set_u32(pdu->bhs, BHS_RESIDUAL, r.count);
	if (st->sense_len) {
		uint8_t buf[2 + SCSI_SENSE_MAX];

		put_be16(buf, (uint16_t)st->sense_len);
		memcpy(buf + 2, st->sense, st->sense_len);
		if (pdu_set_data_copy(pdu, buf, 2 + st->sense_len) < 0) {
			pdu_free(pdu);
			return NULL;
		}
	}
	(void)conn;
	return pdu;
}

static void task_respond(struct iscsi_task *task)
{
	struct iscsi_conn *conn = task->conn;
	struct scsi_task *st = &task->scsi;
	struct iscsi_pdu *last = NULL;
	uint32_t sent = 0;
	struct residual r;

	task->state = TASK_DONE;
	if (st->status == SCSI_STATUS_GOOD && task->exp_read && st->data_in_len)
		sent = min_u32(st->data_in_len, task->exp_read);
	if (sent && send_data_in(conn, task, sent, &last) < 0)
		goto nomem;
	r = compute_residual(task, sent);
	if (last && st->status == SCSI_STATUS_GOOD && !st->sense_len) {
		/* Phase collapse: status rides in the last Data-In (RFC 7143 11.7.4). */
		last->bhs[BHS_FLAGS] |= ISCSI_FLAG_FINAL | ISCSI_DATAIN_STATUS | r.flags;
		last->bhs[BHS_RSP_STATUS] = st->status;
		bhs_set_u32(last->bhs, BHS_RESIDUAL, r.count);
	} else {
		if (last) {
			conn_fill_sn(conn, last, false, 0);
			bhs_set_u32(last->bhs, BHS_STATSN, 0);
			conn_send(conn, last);
		}
		last = make_response(conn, task, r);
		if (!last)
			goto nomem;
	}
	fill_final_sn(conn, task, last);
	last->sent = task_final_sent;
	last->sent_arg = task;
	conn_send(conn, last);
	return;
nomem:
	conn_close(conn, "out of memory sending a response");
	task_free(task);
}

/* ---- execution ---- */

/* Task management aborted the task (TAS=0): no response, ever. Later
 * Data-Out PDUs for its ITT find no task and are dropped. */
static void task_aborted(struct iscsi_task *task)
{
	struct iscsi_conn *conn = task->conn;

	if (task->state == TASK_EXECUTING)
		conn->io_pending--;
	if (task->counts_in_window)
		session_cmd_done(conn->sess);
	LOG_DEBUG("cmd", "%s: ITT 0x%x aborted", conn->peer, task->itt);
	task_free(task);
}

static void task_scsi_done(struct scsi_task *st)
{
	struct iscsi_task *task = container_of(st, struct iscsi_task, scsi);
	struct iscsi_conn *conn = task->conn;

	if (st->aborted) {
		task_aborted(task);
		return;
	}
	conn->io_pending--;
	if (conn->state == CONN_CLOSED) {
		task_free(task);
		return;
	}
	task_respond(task);
}

static void task_execute(struct iscsi_task *task)
{
	struct iscsi_conn *conn = task->conn;

	task->state = TASK_EXECUTING;
	conn->io_pending++;
	if (task->remote) {
		handoff_task(task, HO_EXEC);	/* HO_DONE or HO_EARLY answers */
		return;
	}
	if (scsi_task_execute(&task->scsi) == SCSI_TASK_PENDING)
		return;
	conn->io_pending--;
	task_respond(task);
}

/* ---- data-out ---- */

static int send_r2t(struct iscsi_task *task)
{
	struct iscsi_conn *conn = task->conn;
	struct iscsi_r2t *r2t = &task->r2t[task->nr2t];
	struct iscsi_pdu *pdu = pdu_alloc_from(&task->conn->thr->pool, ISCSI_OP_R2T);

	if (!pdu)
		return -ENOMEM;
	if (conn->next_ttt == ISCSI_RSVD_TAG)
		conn->next_ttt = 1;
	*r2t = (struct iscsi_r2t){
		.ttt = conn->next_ttt++,
		.offset = task->solicit_next,
		.len = min_u32(conn->params.max_burst, task->need - task->solicit_next),
	};
	task->solicit_next += r2t->len;
	task->nr2t++;
	pdu->bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	memcpy(pdu->bhs + BHS_LUN, task->lun_raw, 8);
	bhs_set_u32(pdu->bhs, BHS_ITT, task->itt);
	bhs_set_u32(pdu->bhs, BHS_TTT, r2t->ttt);
	bhs_set_u32(pdu->bhs, BHS_DATASN, task->r2tsn++);
	bhs_set_u32(pdu->bhs, BHS_BUFFER_OFFSET, r2t->offset);
	bhs_set_u32(pdu->bhs, BHS_R2T_DESIRED_LEN, r2t->len);
	conn_fill_sn(conn, pdu, false, 0);
	conn_send(conn, pdu);
	return 0;
}

static void task_progress(struct iscsi_task *task)
{
	uint32_t max_r2t = task->conn->params.max_outstanding_r2t;

	if (max_r2t > ISCSI_MAX_R2T)
		max_r2t = ISCSI_MAX_R2T;
	/* Solicited data starts where the unsolicited part ended, which is known
	 * only once it has ended (RFC 7143 sections 4.2.5.2 and 11.3.1). */
	while (!task->early && task->unsol_done && task->nr2t < (int)max_r2t &&
	       task->solicit_next < task->need) {
		if (send_r2t(task) < 0) {
			conn_close(task->conn, "out of memory");
			return;
		}
	}
	if (!task->unsol_done || task->nr2t || task->solicit_next < task->need)
		return;
	if (task->data_error && !task->early && task->remote) {
		/* The sense is set on home, where the task is (handoff.c). */
		task->x_data_error = true;
		task_execute(task);
		return;
	}
	if (task->data_error && !task->early) {
		/* A DataSN gap: the data cannot be trusted, so the command is not run. */
		scsi_task_set_sense(&task->scsi, 0x0b, 0x4b, 0x00); /* DATA PHASE ERROR */
		task->early = true;
	}
	if (task->early) {
		/* The status is final: out of the SCSI task set before the
		 * response is queued, so no abort can reach a task whose
		 * response PDU still points at it. Early status carries no
		 * data, so the buffer goes too. (A remote task was released
		 * on home already: handoff.c.) */
		if (!task->remote)
			scsi_task_release(&task->scsi);
		conn_uncharge(task->conn, task);
		task_respond(task);
	} else {
		task_execute(task);
	}
}

/* Copy the part of [off, off+len) that the command wants into its buffer
 * (unless the receive path put it there already: cmd_data_out_dest()). */
static void take_data(struct iscsi_task *task, uint32_t off, const uint8_t *data, uint32_t len)
{
	if (task->early || task->data_error || off >= task->need || data == task->scsi.buf + off)
		return;
	memcpy(task->scsi.buf + off, data, min_u32(len, task->need - off));
}

static void protocol_error(struct iscsi_conn *conn, const char *why)
{
	/* ERL 0: sequence errors are not recoverable within the connection. */
	LOG_WARN("cmd", "%s: %s", conn->peer, why);
	conn_reject(conn, conn->rx_bhs, REJECT_PROTOCOL_ERROR);
	conn_set_state(conn, CONN_LOGOUT);
}

static int data_out_unsolicited(struct iscsi_task *task, const uint8_t *bhs, uint32_t len)
{
	uint32_t off = bhs_u32(bhs, BHS_BUFFER_OFFSET);

	if (task->unsol_done || off != task->unsol_got || len > task->unsol_end - task->unsol_got)
		return -1;
	if (bhs_u32(bhs, BHS_DATASN) != task->unsol_datasn)
		task->data_error = true;
	task->unsol_datasn++;
	take_data(task, off, task->conn->rx_payload, len);
	task->unsol_got += len;
	if (bhs[BHS_FLAGS] & ISCSI_FLAG_FINAL) {
		task->unsol_done = true;
		task->solicit_next = task->unsol_got;
	}
	return 0;
}

static int data_out_solicited(struct iscsi_task *task, const uint8_t *bhs, uint32_t len)
{
	uint32_t ttt = bhs_u32(bhs, BHS_TTT), off = bhs_u32(bhs, BHS_BUFFER_OFFSET);
	int i;

	for (i = 0; i < task->nr2t && task->r2t[i].ttt != ttt; i++)
		;
	if (i == task->nr2t)
		return -1;
	struct iscsi_r2t *r2t = &task->r2t[i];

	if (off != r2t->offset + r2t->got || len > r2t->len - r2t->got)
		return -1;
	if (bhs_u32(bhs, BHS_DATASN) != r2t->next_datasn)
		task->data_error = true;
	r2t->next_datasn++;
	take_data(task, off, task->conn->rx_payload, len);
	r2t->got += len;
	if (bhs[BHS_FLAGS] & ISCSI_FLAG_FINAL) {
		if (r2t->got != r2t->len)
			return -1;
		task->r2t[i] = task->r2t[--task->nr2t];
	}
	return 0;
}

/* Whether a Data-Out of @len bytes at @off with @datasn is the next data
 * for the unsolicited burst or for R2T @ttt of @task, as handled below. */
static bool data_out_expected(const struct iscsi_task *task, uint32_t ttt, uint32_t off,
			      uint32_t len, uint32_t datasn)
{
	const struct iscsi_r2t *r2t = NULL;
	int i;

	if (ttt == ISCSI_RSVD_TAG)
		return !task->unsol_done && off == task->unsol_got &&
		       len <= task->unsol_end - task->unsol_got && datasn == task->unsol_datasn;
	for (i = 0; i < task->nr2t; i++)
		if (task->r2t[i].ttt == ttt)
			r2t = &task->r2t[i];
	return r2t && off == r2t->offset + r2t->got && len <= r2t->len - r2t->got &&
	       datasn == r2t->next_datasn;
}

uint8_t *cmd_data_out_dest(struct iscsi_conn *conn, struct iscsi_task **taskp)
{
	const uint8_t *bhs = conn->rx_bhs;
	struct iscsi_task *task = task_find(conn, bhs_u32(bhs, BHS_ITT));
	uint32_t off = bhs_u32(bhs, BHS_BUFFER_OFFSET), len = bhs_data_len(bhs);

	*taskp = task;
	/* Only data the command uses whole; the rest goes the copying way. */
	if (!task || task->early || task->data_error || !task->scsi.buf ||
	    (uint64_t)off + len > task->need ||
	    !data_out_expected(task, bhs_u32(bhs, BHS_TTT), off, len, bhs_u32(bhs, BHS_DATASN)))
		return NULL;
	return task->scsi.buf + off;
}

void cmd_handle_data_out(struct iscsi_conn *conn)
{
	const uint8_t *bhs = conn->rx_bhs;
	struct iscsi_task *task = task_find(conn, bhs_u32(bhs, BHS_ITT));
	uint32_t len = bhs_data_len(bhs);
	int rc;

	if (!task) {
		/* Data for a command we ignored (CmdSN outside the window). */
		LOG_DEBUG("cmd", "%s: Data-Out for unknown ITT 0x%x dropped", conn->peer,
			  bhs_u32(bhs, BHS_ITT));
		return;
	}
	if (bhs_u32(bhs, BHS_TTT) == ISCSI_RSVD_TAG)
		rc = data_out_unsolicited(task, bhs, len);
	else
		rc = data_out_solicited(task, bhs, len);
	if (rc < 0) {
		protocol_error(conn, "Data-Out with a bad offset, length or TTT");
		return;
	}
	task_progress(task);
}

/* ---- SCSI Command ---- */

static int check_immediate(struct iscsi_conn *conn, const struct iscsi_task *task, uint32_t imm)
{
	if (!imm)
		return 0;
	if (!conn->params.immediate_data || imm > task->exp_write ||
	    imm > conn->params.first_burst)
		return -1;
	return 0;
}

static void task_init(struct iscsi_conn *conn, struct iscsi_task *task, const uint8_t *bhs)
{
	uint8_t flags = bhs[BHS_FLAGS];
	uint32_t edtl = bhs_u32(bhs, BHS_CMD_EDTL);

	task->conn = conn;
	task->itt = bhs_u32(bhs, BHS_ITT);
	task->cmdsn = bhs_u32(bhs, BHS_CMDSN);
	task->counts_in_window = !bhs_immediate(bhs);
	memcpy(task->lun_raw, bhs + BHS_LUN, 8);
	task->exp_read = (flags & ISCSI_CMD_READ) ? edtl : 0;
	task->exp_write = (flags & ISCSI_CMD_WRITE) ? edtl : 0;
	task->state = TASK_DATA_OUT;
	task->final = flags & ISCSI_FLAG_FINAL;
	task->remote = conn->sess->remote;
	task->scsi.tgt = conn->sess->target->scsi;
	/* A buffer is taken from and given back to the pool of the thread
	 * the SCSI layer runs the task on. */
	task->scsi.bufsrc = task->remote ? &conn->sess->target->home->bufsrc : &conn->thr->bufsrc;
	task->scsi.itn = &conn->sess->itn;
	task->scsi.lun = scsi_lun_decode(task->lun_raw);
	memcpy(task->scsi.cdb, bhs + BHS_CMD_CDB, SCSI_CDB_MAX);
	task->scsi.expected_len = edtl;
	task->scsi.dir = (enum scsi_dir)(((flags & ISCSI_CMD_READ) ? SCSI_DIR_READ : 0) |
					 ((flags & ISCSI_CMD_WRITE) ? SCSI_DIR_WRITE : 0));
	task->scsi.attr = (enum scsi_task_attr)(flags & ISCSI_CMD_ATTR_MASK);
	task->scsi.tag = task->itt;
	task->scsi.done = task->remote ? handoff_home_done : task_scsi_done;
	task->conn_ev = conn->thr->ev;
	task->home_ev = conn->sess->target->home->ev;
}

/* Decide how much data-out the command takes and what arrives unsolicited. */
static void plan_data_out(struct iscsi_conn *conn, struct iscsi_task *task, uint32_t imm,
			  bool final)
{
	struct scsi_task *st = &task->scsi;

	/* SPDTL > EDTL: only EDTL bytes are asked for; the SCSI layer writes the
	 * whole blocks received and the response reports the overflow. */
	task->need = task->early ? 0 : min_u32(st->data_out_len, task->exp_write);
	if (!task->exp_write)
		task->unsol_end = 0;
	else if (conn->params.initial_r2t || final)
		task->unsol_end = imm;	/* F: no unsolicited Data-Out follows (11.3.1) */
	else
		task->unsol_end = min_u32(conn->params.first_burst, task->exp_write);
	task->unsol_got = imm;
	task->unsol_done = imm == task->unsol_end;
	task->solicit_next = imm;
}

/* The command is prepared (or failed early): plan and take its data-out
 * (@imm bytes of immediate data at @data), run it when that is all in. */
static void task_prepared(struct iscsi_task *task, uint32_t imm, const uint8_t *data)
{
	plan_data_out(task->conn, task, imm, task->final);
	take_data(task, 0, data, imm);
	task_progress(task);
}

static void remote_prepare(struct iscsi_conn *conn, struct iscsi_task *task);

void cmd_handle_scsi(struct iscsi_conn *conn)
{
	const uint8_t *bhs = conn->rx_bhs;
	uint32_t imm = bhs_data_len(bhs);
	struct iscsi_task *task;

	/* Over the buffer budget: wait, untouched, until buffers are released
	 * (conn.c calls us again), or else TASK SET FULL below. */
	conn->rx_deferred = !buffer_fits(conn, buffer_want(conn, bhs)) && buffer_can_wait(conn);
	if (conn->rx_deferred) {
		LOG_DEBUG("cmd", "%s: ITT 0x%x waits for buffers (%llu bytes in use)", conn->peer,
			  bhs_u32(bhs, BHS_ITT), (unsigned long long)conn->buf_bytes);
		return;
	}
	if (!session_check_cmdsn(conn->sess, bhs))
		return;
	if (bhs_immediate(bhs) && conn->n_immediate >= ISCSI_MAX_IMMEDIATE) {
		/* Immediate commands take no CmdSN, so the window does not bound them. */
		iscsi_count(&conn->srv->ctr.immediate_rejected);
		LOG_WARN_RL(&conn->thr->rl_immediate, "cmd",
			    "%s: more than %u immediate commands in flight: rejected", conn->peer,
			    ISCSI_MAX_IMMEDIATE);
		conn_reject(conn, bhs, REJECT_IMMEDIATE_REJECTED);
		return;
	}
	task = bufpool_get(&conn->thr->pool, sizeof(*task));
	if (task)
		memset(task, 0, sizeof(*task));
	else {
		session_req_done(conn->sess, bhs);
		conn_reject(conn, bhs, REJECT_OUT_OF_RESOURCES);
		return;
	}
	task_init(conn, task, bhs);
	conn->sess->commands++;
	list_add_tail(&conn->tasks, &task->link);
	if (!task->counts_in_window)
		conn->n_immediate++;
	if (check_immediate(conn, task, imm) < 0) {
		protocol_error(conn, "immediate data not allowed or too long");
		return;
	}
	if (!buffer_admit(conn, task)) {
		/* No buffer, no SCSI task: the initiator retries later
		 * (Linux lowers its queue depth on TASK SET FULL). */
		task->scsi.status = SCSI_STATUS_TASK_SET_FULL;
		task->early = true;
	} else if (task->remote) {
		remote_prepare(conn, task);
		return;
	} else {
		task->early = scsi_task_prepare(&task->scsi) != SCSI_TASK_READY;
		buffer_charge(conn, task);
	}
	task_prepared(task, imm, conn->rx_payload);
}

/* ---- remote tasks (handoff.c): the connection's side ---- */

/* Send @task to home. Without data-out it runs there at once; with it the
 * connection is not read until the answer, which says where the data goes
 * (the command's immediate data waits in place, like a deferred one). */
static void remote_prepare(struct iscsi_conn *conn, struct iscsi_task *task)
{
	/* What it may cost until home has sized its buffer. */
	task->charge = buffer_cost(conn, (uint64_t)task->exp_read + task->exp_write);
	conn->buf_bytes += task->charge;
	task->state = TASK_EXECUTING;	/* in the SCSI layer, on home */
	conn->io_pending++;
	if (!task->exp_write) {
		handoff_task(task, HO_PREP_EXEC);
		return;
	}
	conn->rx_prep = task;
	handoff_task(task, HO_PREP);
}

/* HO_PREPARED or HO_EARLY for an HO_PREP: go on with the command's data. */
static void remote_prepared(struct iscsi_conn *conn, struct iscsi_task *task, bool early)
{
	conn->rx_prep = NULL;	/* reading resumes before the next sleep */
	ops_keepalive_resume(conn, evloop_now_ms());
	task->state = TASK_DATA_OUT;
	if (conn->state == CONN_CLOSED) {
		task_free(task);
		return;
	}
	conn_uncharge(conn, task);
	buffer_charge(conn, task);
	task->early = early;
	task_prepared(task, bhs_data_len(conn->rx_bhs), conn->rx_payload);
}

/* HO_EARLY for an HO_PREP_EXEC or HO_EXEC: the status is final, unexecuted. */
static void remote_early(struct iscsi_conn *conn, struct iscsi_task *task)
{
	task->state = TASK_DATA_OUT;
	task->early = true;
	if (conn->state == CONN_CLOSED) {
		task_free(task);
		return;
	}
	if (task->x_sent == HO_PREP_EXEC) {
		task_prepared(task, 0, NULL);	/* no data-out: responds at once */
		return;
	}
	conn_uncharge(conn, task);
	task_respond(task);
}

void cmd_remote_answer(struct iscsi_task *task)
{
	struct iscsi_conn *conn = task->conn;

	switch (task->x_op) {
	case HO_RELEASED:
		conn->io_pending--;
		bufpool_put(&conn->thr->pool, task, sizeof(*task));
		return;
	case HO_DONE:
		task_scsi_done(&task->scsi);	/* counts io_pending down */
		return;
	default:
		break;
	}
	conn->io_pending--;
	if (task->x_sent == HO_PREP)
		remote_prepared(conn, task, task->x_op == HO_EARLY);
	else
		remote_early(conn, task);
}

void cmd_remote_aborted(struct iscsi_task *task)
{
	/* Otherwise an HO_EXEC or HO_RELEASE crossed the notice: its answer
	 * says what became of the task. */
	if (task->state == TASK_DATA_OUT)
		task_aborted(task);
}
