/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The network threads of the server: each its loop's before-sleep work
 * (completions, then the connections), its once-a-second tick (keep-alive,
 * login timeouts, log summaries) and its part of the shutdown. What a
 * thread serves (struct iscsi_thread) is touched by that thread only.
 */
#include <errno.h>
#include <stdlib.h>

#include "iscsi/iscsi.h"
#include "util/log.h"

static void thread_tick(struct evloop *loop, void *arg);

/* Thread 0: one more thread has nothing left; the last one ends the shutdown. */
static void thread_drained(struct iscsi_server *srv)
{
	void (*done)(void *) = srv->shutdown_done;

	if (++srv->drained < srv->nthreads || !done)
		return;
	srv->shutdown_done = NULL;
	done(srv->shutdown_arg);
}

static void on_drained_msg(struct ev_msg *msg)
{
	struct iscsi_thread *thr = container_of(msg, struct iscsi_thread, drained_msg);

	thread_drained(thr->srv);
}

/* Shutting down and no connection left (a connection is freed only once
 * no I/O of its is in flight, on this thread or handed to a target's home)
 * nor a session whose nexus home still removes: tell thread 0, once. */
static void thread_check_drained(struct iscsi_thread *thr)
{
	if (!thr->shutting_down || thr->drained || !list_empty(&thr->conns) ||
	    !list_empty(&thr->migrating) || thr->nexus_pending)
		return;
	thr->drained = true;
	if (thr->index == 0) {
		thread_drained(thr->srv);
		return;
	}
	thr->drained_msg.fn = on_drained_msg;
	ev_thread_send(thr->srv->thr[0].ev, &thr->drained_msg);
}

static int thread_hook(struct evloop *loop, void *arg)
{
	struct iscsi_thread *thr = arg;
	int busy;

	(void)loop;
	/* Backend completions first: they queue responses that the flush below
	 * sends. What their callbacks complete in turn is on the local list
	 * (bs_cq_has_local(): another round) or signals the queue's eventfd
	 * (a wake-up): no further round is needed just because some ran. */
	bs_cq_run(thr->cq);
	migrate_flush(thr);
	busy = conn_service_all(thr);
	thread_check_drained(thr);
	/*
	 * Last before the loop sleeps: everything this iteration submitted
	 * (socket events, timers, the completions and services above) goes
	 * to the kernel now, in one io_uring_enter per io_uring store.
	 */
	bs_cq_flush(thr->cq);
	return busy || bs_cq_has_local(thr->cq);
}

static void on_cq_event(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct iscsi_thread *thr = arg;

	(void)loop;
	(void)fd;
	(void)events;
	/* Take the wake-up; the before-sleep hook runs the queue. */
	bs_cq_ack(thr->cq);
}

static void *thread_buf_get(struct scsi_bufsrc *src, uint32_t size)
{
	return bufpool_get(&container_of(src, struct iscsi_thread, bufsrc)->pool, size);
}

static void thread_buf_put(struct scsi_bufsrc *src, void *buf, uint32_t size)
{
	bufpool_put(&container_of(src, struct iscsi_thread, bufsrc)->pool, buf, size);
}

int iscsi_thread_init(struct iscsi_server *srv, unsigned i, struct ev_thread *ev,
		      struct evloop *loop, struct bs_cq *cq)
{
	struct iscsi_thread *thr = &srv->thr[i];
	int rc;

	thr->srv = srv;
	thr->index = i;
	thr->ev = ev;
	thr->loop = loop;
	thr->cq = cq;
	thr->set = srv->set;
	bufpool_init(&thr->pool, thr->set.lim.buffer_cache);
	thr->bufsrc = (struct scsi_bufsrc){ .get = thread_buf_get, .put = thread_buf_put };
	list_init(&thr->sessions);
	list_init(&thr->conns);
	list_init(&thr->migrating);
	thr->rl_conns = thr->rl_addr = thr->rl_sessions = thr->rl_login = thr->rl_accept =
		thr->rl_buffer = thr->rl_backlog = thr->rl_immediate =
		thr->rl_nop = thr->rl_reject =
			(struct log_ratelimit)LOG_RATELIMIT_INIT(10000);
	/* Lines any peer can cause at will, but that tell an operator who
	 * came and went: the first ten of every 10 s. */
	thr->rl_connect = thr->rl_close = thr->rl_cmdsn = thr->rl_login_fail =
		thr->rl_login_ok = thr->rl_login_hold =
			(struct log_ratelimit)LOG_RATELIMIT_BURST(10000, ISCSI_LOG_BURST);
	/* thread_hook flushes the queue before each sleep. */
	bs_cq_set_batch(cq, true);
	/* on_cq_event reads the eventfd, bs_cq_run() need not (one read()
	 * less per loop iteration). */
	bs_cq_set_acked(cq, true);
	rc = evloop_add_hook(loop, thread_hook, thr);
	if (rc < 0)
		return rc;
	rc = evloop_add_fd(loop, cq->efd, EV_READ, on_cq_event, thr);
	if (rc < 0)
		return rc;
	thr->tick_timer = evloop_add_timer(loop, 1000, thread_tick, thr);
	return thr->tick_timer ? 0 : -ENOMEM;
}

void iscsi_thread_fini(struct iscsi_thread *thr)
{
	if (!thr->loop)
		return;
	if (thr->tick_timer)
		evloop_del_timer(thr->loop, thr->tick_timer);
	thr->tick_timer = 0;
	evloop_del_fd(thr->loop, thr->cq->efd);
	bufpool_destroy(&thr->pool);
}

/* A login that has not reached full feature phase in time (slowloris: one
 * byte every few seconds), or a last Login/Logout Response nobody reads. */
static void check_login_timeout(struct iscsi_conn *conn, uint64_t now)
{
	struct iscsi_server *srv = conn->srv;
	uint64_t limit = (uint64_t)conn->thr->set.lim.login_timeout_s * 1000u;
	bool late = (conn->state == CONN_LOGIN && now - conn->accepted_ms >= limit) ||
		    (conn->state == CONN_LOGOUT && now - conn->logout_ms >= limit);

	if (!late)
		return;
	iscsi_count(conn->state == CONN_LOGIN ? &srv->ctr.login_timeouts
					      : &srv->ctr.final_rsp_timeouts);
	LOG_WARN_RL(&conn->thr->rl_login, "conn", "%s: %s not done within %u s: closing",
		    conn->peer, conn->state == CONN_LOGIN ? "login" : "final response",
		    conn->thr->set.lim.login_timeout_s);
	conn_close(conn, conn->state == CONN_LOGIN ? "login timeout" : "final response not read");
}

static void thread_tick(struct evloop *loop, void *arg)
{
	struct iscsi_thread *thr = arg;
	uint64_t now = evloop_now_ms();
	struct list_node *pos;

	for (pos = thr->conns.next; pos != &thr->conns; pos = pos->next) {
		struct iscsi_conn *conn = container_of(pos, struct iscsi_conn, link);

		check_login_timeout(conn, now);
		async_check(conn, now);
		ops_keepalive(conn, now);
	}
	log_rl_summary(&thr->rl_connect, LOG_LVL_INFO, "conn", "connected");
	log_rl_summary(&thr->rl_close, LOG_LVL_INFO, "conn", "closing");
	log_rl_summary(&thr->rl_cmdsn, LOG_LVL_WARN, "session", "CmdSN outside window");
	log_rl_summary(&thr->rl_login_fail, LOG_LVL_WARN, "login", "login failed");
	log_rl_summary(&thr->rl_login_ok, LOG_LVL_INFO, "login", "session");
	log_rl_summary(&thr->rl_login_hold, LOG_LVL_WARN, "login", "CHAP answer held back");
	/* What the last second did not need goes back to the allocator; the
	 * limit may have changed (iscsi_server_change_settings()). */
	bufpool_trim(&thr->pool);
	thr->pool.limit = thr->set.lim.buffer_cache;
	thr->tick_timer = thr->shutting_down ? 0 : evloop_add_timer(loop, 1000, thread_tick, thr);
}

/* On @thr: stop the tick, close every connection; the hook reports when
 * the last is gone (thread_check_drained()). */
static void thread_shutdown(struct iscsi_thread *thr)
{
	struct list_node *pos, *tmp;

	thr->shutting_down = true;
	if (thr->tick_timer)
		evloop_del_timer(thr->loop, thr->tick_timer);
	thr->tick_timer = 0;
	list_for_each_safe(pos, tmp, &thr->conns)
		conn_close(container_of(pos, struct iscsi_conn, link), "target shutting down");
}

static void on_shutdown_msg(struct ev_msg *msg)
{
	thread_shutdown(container_of(msg, struct iscsi_thread, shutdown_msg));
}

void iscsi_threads_shutdown(struct iscsi_server *srv)
{
	for (unsigned i = 1; i < srv->nthreads; i++) {
		srv->thr[i].shutdown_msg.fn = on_shutdown_msg;
		ev_thread_send(srv->thr[i].ev, &srv->thr[i].shutdown_msg);
	}
	thread_shutdown(&srv->thr[0]);
}
