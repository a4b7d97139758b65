/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One TCP connection: dispatch of received PDUs by opcode (the receive
 * state machine that frames and checks them is rx.c), and the transmit
 * queue.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iscsi/iscsi.h"
#include "util/log.h"

#define TX_IOV_MAX 64

static void conn_on_event(struct evloop *loop, int fd, unsigned events, void *arg);

static void sockaddr_to_str(const struct sockaddr_storage *ss, char *host, size_t hlen,
			    uint16_t *port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, (socklen_t)hlen);
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, (socklen_t)hlen);
		*port = ntohs(s4->sin_port);
	}
}

static void conn_describe(struct iscsi_conn *conn)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[64] = "?";
	uint16_t port = 0;

	if (getpeername(conn->fd, (struct sockaddr *)&ss, &sl) == 0)
		sockaddr_to_str(&ss, host, sizeof(host), &port);
	snprintf(conn->peer, sizeof(conn->peer), "%s:%u", host, port);
	snprintf(conn->peer_host, sizeof(conn->peer_host), "%s", host);
	sl = sizeof(ss);
	if (getsockname(conn->fd, (struct sockaddr *)&ss, &sl) == 0)
		sockaddr_to_str(&ss, conn->local_host, sizeof(conn->local_host), &port);
}

void conn_accept(struct iscsi_portal *portal, int fd)
{
	struct iscsi_server *srv = portal->srv;
	struct iscsi_conn *conn = calloc(1, sizeof(*conn));
	int one = 1;

	if (!conn) {
		LOG_ERR("conn", "out of memory accepting a connection");
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	conn->srv = srv;
	conn->thr = &srv->thr[0];	/* the portals' thread */
	conn->portal = portal;
	conn->fd = fd;
	conn->state = CONN_LOGIN;
	conn->next_ttt = 1;
	conn->ping_ttt = ISCSI_RSVD_TAG;
	conn->last_rx_ms = evloop_now_ms();
	conn->accepted_ms = conn->last_rx_ms;
	list_init(&conn->txq);
	list_init(&conn->tasks);
	list_init(&conn->sess_link);
	iscsi_params_init(&conn->params, &srv->lim);
	conn_describe(conn);
	if (rx_init(conn) < 0 || conn_watch(conn) < 0) {
		LOG_ERR("conn", "cannot watch connection from %s", conn->peer);
		close(fd);
		rx_free(conn);
		free(conn);
		return;
	}
	list_add_tail(&conn->thr->conns, &conn->link);
	conn_count_add(conn);
	log_msg_rl(&conn->thr->rl_connect, LOG_LVL_INFO, "conn", "%s: connected", conn->peer);
}

int conn_watch(struct iscsi_conn *conn)
{
	return evloop_add_fd(conn->thr->loop, conn->fd, EV_READ, conn_on_event, conn);
}

void conn_set_state(struct iscsi_conn *conn, enum conn_state next)
{
	/* Legal moves: LOGIN->FFP, LOGIN/FFP->LOGOUT, any->CLOSED. */
	switch (next) {
	case CONN_FULL_FEATURE:
		if (conn->state != CONN_LOGIN)
			return;
		break;
	case CONN_LOGOUT:
		if (conn->state == CONN_CLOSED)
			return;
		if (conn->state != CONN_LOGOUT)
			conn->logout_ms = evloop_now_ms();
		break;
	case CONN_CLOSED:
		break;
	case CONN_LOGIN:
		return;
	}
	conn->state = next;
}

void conn_fill_sn(struct iscsi_conn *conn, struct iscsi_pdu *pdu, bool take_statsn,
		  uint32_t credit)
{
	struct iscsi_session *sess = conn->sess;

	bhs_set_u32(pdu->bhs, BHS_STATSN, conn->stat_sn);
	if (take_statsn)
		conn->stat_sn++;
	if (sess) {
		bhs_set_u32(pdu->bhs, BHS_EXPCMDSN, sess->exp_cmd_sn);
		bhs_set_u32(pdu->bhs, BHS_MAXCMDSN, session_max_cmd_sn(sess, credit));
	}
}

/* What a queued PDU counts against the transmit backlog: its memory and
 * its data (owned, or a task's buffer it points into). */
static uint64_t tx_cost(const struct iscsi_pdu *pdu)
{
	return sizeof(*pdu) + pdu->data_len;
}

/* Take @pdu off the transmit queue: written (@ok) or dropped. */
static void tx_done(struct iscsi_conn *conn, struct iscsi_pdu *pdu, bool ok)
{
	list_del(&pdu->link);
	conn->tx_bytes -= tx_cost(pdu);
	if (pdu->sent)
		pdu->sent(pdu, pdu->sent_arg, ok);
	pdu_free(pdu);
}

void conn_send(struct iscsi_conn *conn, struct iscsi_pdu *pdu)
{
	if (conn->state == CONN_CLOSED) {
		if (pdu->sent)
			pdu->sent(pdu, pdu->sent_arg, false);
		pdu_free(pdu);
		return;
	}
	list_add_tail(&conn->txq, &pdu->link);
	conn->tx_bytes += tx_cost(pdu);
}

/* Transmit backpressure: an initiator that does not read what we send is
 * not read from either, so what it makes us queue stays bounded. */
static bool tx_over_backlog(const struct iscsi_conn *conn)
{
	return conn->tx_bytes > conn->thr->set.lim.tx_backlog;
}

void conn_reject(struct iscsi_conn *conn, const uint8_t *bhs, uint8_t reason)
{
	struct iscsi_pdu *pdu = pdu_alloc(ISCSI_OP_REJECT);

	iscsi_count(&conn->srv->ctr.pdu_rejects);
	/* Rate-limited: a client can make us reject as fast as it can send. */
	LOG_WARN_RL(&conn->thr->rl_reject, "conn", "%s: reject opcode 0x%02x reason 0x%02x",
		    conn->peer, bhs_opcode(bhs), reason);
	if (!pdu || pdu_set_data_copy(pdu, bhs, ISCSI_BHS_LEN) < 0) {
		pdu_free(pdu);
		conn_close(conn, "out of memory");
		return;
	}
	pdu->bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	pdu->bhs[BHS_REJECT_REASON] = reason;
	bhs_set_u32(pdu->bhs, BHS_ITT, ISCSI_RSVD_TAG);
	conn_fill_sn(conn, pdu, true, 0);
	conn_send(conn, pdu);
}

static void drop_txq(struct iscsi_conn *conn)
{
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &conn->txq)
		tx_done(conn, container_of(pos, struct iscsi_pdu, link), false);
}

void conn_close(struct iscsi_conn *conn, const char *why)
{
	if (conn->state == CONN_CLOSED)
		return;
	log_msg_rl(&conn->thr->rl_close, LOG_LVL_INFO, "conn", "%s: closing: %s", conn->peer, why);
	conn_set_state(conn, CONN_CLOSED);
	conn_count_del(conn);
	auth_conn_closed(conn);
	evloop_del_fd(conn->thr->loop, conn->fd);
	close(conn->fd);
	conn->fd = -1;
	drop_txq(conn);
	conn->rx_held = false;	/* a waiting request goes with its connection */
	conn->rx_held_aborted = false;
	cmd_abort_all(conn);
	if (!conn->clean_close)
		session_conn_failed(conn);
}

void conn_close_clean(struct iscsi_conn *conn, const char *why)
{
	conn->clean_close = true;
	conn_close(conn, why);
}

void conn_maybe_free(struct iscsi_conn *conn)
{
	struct iscsi_session *sess = conn->sess;

	if (conn->state != CONN_CLOSED || conn->io_pending)
		return;
	list_del(&conn->link);
	if (sess) {
		list_del(&conn->sess_link);
		if (--sess->nconns == 0)
			session_destroy(sess);
	}
	migrate_conn_gone(conn);
	rx_free(conn);
	free(conn->text_in);
	free(conn->text_out);
	free(conn);
}

/* ---- transmit ---- */

static int conn_flush(struct iscsi_conn *conn)
{
	while (!list_empty(&conn->txq)) {
		struct iovec iov[TX_IOV_MAX];
		int n = 0;
		ssize_t w;
		struct list_node *pos;

		for (pos = conn->txq.next; pos != &conn->txq && n <= TX_IOV_MAX - 5; pos = pos->next)
			n += pdu_tx_iov(container_of(pos, struct iscsi_pdu, link), conn->hdr_digest,
					conn->data_digest, iov + n);
		/* sendmsg, not writev: MSG_NOSIGNAL turns a peer's reset into
		 * EPIPE instead of a SIGPIPE that would kill an embedding
		 * application which does not ignore it. */
		w = sendmsg(conn->fd, &(struct msghdr){ .msg_iov = iov, .msg_iovlen = (size_t)n },
			    MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			conn_close(conn, strerror(errno));
			return -1;
		}
		while (w > 0) {
			struct iscsi_pdu *pdu = list_first_entry(&conn->txq, struct iscsi_pdu, link);
			size_t left = pdu->tx_total - pdu->tx_done;

			if ((size_t)w < left) {
				pdu->tx_done += (size_t)w;
				break;
			}
			w -= (ssize_t)left;
			tx_done(conn, pdu, true);
			/* A sent callback may have closed the connection, and so
			 * emptied its queue: freeing a task lets the task set
			 * start the next one, whose response, built at once,
			 * closes the connection when memory runs out. */
			if (conn->state == CONN_CLOSED)
				return -1;
		}
	}
	return 0;
}

/* Whether to watch the socket for input: not while the transmit backlog is
 * over its limit (the initiator is not reading), nor while a command waits
 * for room in the connection's buffer budget, nor while the connection
 * holds a request ahead of ExpCmdSN (until that request has run). */
static bool conn_wants_read(const struct iscsi_conn *conn)
{
	return !tx_over_backlog(conn) && !conn_rx_waiting(conn);
}

bool conn_may_receive(const struct iscsi_conn *conn)
{
	/* In CONN_LOGOUT the last PDU is queued: nothing more is read. */
	return conn->state != CONN_CLOSED && conn->state != CONN_LOGOUT && conn_wants_read(conn);
}

bool conn_rx_waiting(const struct iscsi_conn *conn)
{
	/* A login set to migrate is read by its next thread only; a command
	 * being prepared on home keeps its immediate data in place. */
	return conn->rx_held || conn->rx_deferred || conn->rx_prep || conn->mig_to;
}

/* Watch for writability while PDUs wait, and for readability as
 * conn_wants_read() says (a backlog pause is logged once, rate-limited). */
static void conn_update_events(struct iscsi_conn *conn)
{
	bool want_write = !list_empty(&conn->txq), over = tx_over_backlog(conn);

	if (over && !conn->rx_paused) {
		iscsi_count(&conn->srv->ctr.tx_backpressure);
		/* Info: a healthy initiator reading large Data-In hits it too. */
		log_msg_rl(&conn->thr->rl_backlog, LOG_LVL_INFO, "conn",
			    "%s: %llu bytes queued for transmit (limit %u): not reading until "
			    "the initiator reads", conn->peer, (unsigned long long)conn->tx_bytes,
			    conn->thr->set.lim.tx_backlog);
	}
	conn->rx_paused = over;
	conn->tx_blocked = want_write;
	evloop_mod_fd(conn->thr->loop, conn->fd,
		      (conn_wants_read(conn) ? EV_READ : 0) | (want_write ? EV_WRITE : 0));
}

/* The command waiting for buffers, again: they may have been released.
 * Once it no longer waits, reading resumes before the next sleep. */
static void run_deferred(struct iscsi_conn *conn)
{
	cmd_handle_scsi(conn);
	if (!conn->rx_deferred)
		ops_keepalive_resume(conn, evloop_now_ms());
}

/* PDUs read ahead and not parsed yet (a wake-up's PDU limit, a request that
 * waited): parse on, before sleeping, as the socket may bring nothing new.
 * True when some are still left. */
static bool rx_parse_buffered(struct iscsi_conn *conn)
{
	if (!rx_buffered(conn) || !conn_may_receive(conn))
		return false;
	rx_run(conn, false);
	return rx_buffered(conn) && conn_may_receive(conn);
}

static void flush_queued(struct iscsi_conn *conn)
{
	if (conn->state != CONN_CLOSED && !conn->tx_blocked && !list_empty(&conn->txq))
		conn_flush(conn);
}

/** Before-sleep work: write queued PDUs (which may release buffers a
 *  deferred command waits for), run that command, parse what was read
 *  ahead, write what that queued, close logged-out connections, free dead
 *  ones. Nonzero when read-ahead PDUs are left for the next round (the
 *  loop must not sleep). */
int conn_service_all(struct iscsi_thread *thr)
{
	struct list_node *pos, *tmp;
	int busy = 0;

	list_for_each_safe(pos, tmp, &thr->conns) {
		struct iscsi_conn *conn = container_of(pos, struct iscsi_conn, link);

		flush_queued(conn);
		if (conn->rx_deferred && conn->state == CONN_FULL_FEATURE)
			run_deferred(conn);
		if (rx_buffered(conn)) {
			busy |= rx_parse_buffered(conn);
			flush_queued(conn);
		}
		if (conn->state == CONN_LOGOUT && list_empty(&conn->txq))
			conn_close(conn, "logged out");
		if (conn->state != CONN_CLOSED)
			conn_update_events(conn);
		conn_maybe_free(conn);
	}
	return busy;
}

/* ---- receive ---- */

static void handle_pdu(struct iscsi_conn *conn)
{
	switch (bhs_opcode(conn->rx_bhs)) {
	case ISCSI_OP_LOGIN_REQ:
		login_handle(conn);
		break;
	case ISCSI_OP_SCSI_CMD:
		cmd_handle_scsi(conn);
		break;
	case ISCSI_OP_DATA_OUT:
		cmd_handle_data_out(conn);
		break;
	case ISCSI_OP_NOP_OUT:
		ops_handle_nop_out(conn);
		break;
	case ISCSI_OP_TEXT_REQ:
		text_handle(conn);
		break;
	case ISCSI_OP_LOGOUT_REQ:
		ops_handle_logout(conn);
		break;
	case ISCSI_OP_TMF_REQ:
		ops_handle_tmf(conn);
		break;
	case ISCSI_OP_SNACK_REQ:
		/* ERL 0: SNACK is not supported (RFC 7143 section 11.16). */
		conn_reject(conn, conn->rx_bhs, REJECT_SNACK);
		break;
	}
}

/* CmdSN order across the connections of a session (session_must_wait()). */
void conn_dispatch(struct iscsi_conn *conn)
{
	struct iscsi_session *sess = conn->sess;

	if (conn->state == CONN_FULL_FEATURE && session_must_wait(conn)) {
		conn->rx_held = true;	/* may be the last one that could fill the gap */
		conn->held_ms = evloop_now_ms();
	} else
		handle_pdu(conn);
	if (sess)
		session_release_held(sess);
}

void conn_run_held(struct iscsi_conn *conn)
{
	conn->rx_held = false;	/* reading resumes before the next sleep */
	ops_keepalive_resume(conn, evloop_now_ms());
	if (conn->rx_held_aborted) {
		/* Aborted before it ran: it takes its CmdSN and is gone (its
		 * Data-Out finds no task and is dropped). */
		conn->rx_held_aborted = false;
		LOG_DEBUG("conn", "%s: ITT 0x%x aborted while waiting for its CmdSN", conn->peer,
			  bhs_u32(conn->rx_bhs, BHS_ITT));
		if (session_check_cmdsn(conn->sess, conn->rx_bhs))
			session_req_done(conn->sess, conn->rx_bhs);
		return;
	}
	handle_pdu(conn);
}

/* EV_READ is off while a request waits for its CmdSN or a command for
 * buffers: only a hang-up or a socket error wakes us, and it would again and
 * again (level-triggered) while queued data stays unread, until the wait
 * ends (buffers may take as long as the backing store does). */
static void conn_hung_up(struct iscsi_conn *conn)
{
	int err = 0;
	socklen_t len = sizeof(err);

	getsockopt(conn->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err)
		conn_close(conn, strerror(err));
	else if (conn->rx_held)
		conn_close(conn, "hang-up while a request waited for its CmdSN");
	else if (conn->rx_prep)
		conn_close(conn, "hang-up while a command was prepared on its target's thread");
	else
		conn_close(conn, "hang-up while a command waited for buffers");
}

static void conn_on_readable(struct iscsi_conn *conn)
{
	if (conn_rx_waiting(conn)) {
		conn_hung_up(conn);
		return;
	}
	rx_run(conn, true);
}

static void conn_on_event(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct iscsi_conn *conn = arg;

	(void)loop;
	(void)fd;
	if ((events & EV_WRITE) && conn->state != CONN_CLOSED)
		conn_flush(conn);
	if ((events & EV_READ) && conn->state != CONN_CLOSED)
		conn_on_readable(conn);
}
