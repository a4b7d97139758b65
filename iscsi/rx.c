/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The receive path of a connection: frames PDUs out of the byte stream,
 * checks each header before its payload, places the payload, checks the
 * data digest and hands the PDU to conn_dispatch().
 *
 * The socket is read in large pieces into the connection's read-ahead
 * buffer (rx_buf), so that the small PDUs of a busy connection (a BHS, a
 * 4 KiB write) cost one read() for many of them instead of one or two each.
 * Parsing then copies out of that buffer what each state wants. The header
 * phase (rx_place()) decides where the data segment goes: a Data-Out that
 * brings the next data its task waits for goes straight into the task's
 * buffer (from rx_buf, or, for the part still on the socket, read there
 * directly); any other segment goes to the scratch buffer rx_data, or is
 * used where it lies in rx_buf when it is all there. While large segments
 * come, little is read ahead, so that most of each lands in place. The
 * data digest is computed piecewise over the bytes as they land in their
 * destination.
 *
 * Both buffers come from the thread's cache and go back to it whenever the
 * connection has nothing buffered (rx_release_idle()).
 *
 * The socket is read only once rx_buf is parsed to its end, so a request
 * that waits in place (for its CmdSN, for buffers: conn_rx_waiting()) keeps
 * its payload where rx_payload points until it runs. Everything here runs on
 * the network thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "iscsi/iscsi.h"
#include "util/log.h"

/* Socket reads per wake-up (a large data segment takes several): the rest
 * waits for the next one, so one connection cannot starve the others. */
#define RX_READS_PER_WAKEUP 32

/* While large data segments come (one of at least RX_LARGE bytes was the
 * last placed), read ahead only this far past the segment: the next header
 * and a little more, so that the next large segment too is read straight
 * into its place instead of being copied out of rx_buf. */
#define RX_LARGE		(ISCSI_RX_BUF / 2)
#define RX_AHEAD_LARGE		4096

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

int rx_init(struct iscsi_conn *conn)
{
	conn->rx_state = RX_BHS;
	conn->rx_want = ISCSI_BHS_LEN;
	return 0;
}

static void put_rx_buf(struct iscsi_conn *conn)
{
	bufpool_put(&conn->thr->pool, conn->rx_buf, ISCSI_RX_BUF);
	conn->rx_buf = NULL;
}

static void put_rx_data(struct iscsi_conn *conn)
{
	bufpool_put(&conn->thr->pool, conn->rx_data, conn->rx_data_cap);
	conn->rx_data = NULL;
	conn->rx_data_cap = 0;
}

void rx_free(struct iscsi_conn *conn)
{
	put_rx_buf(conn);
	put_rx_data(conn);
}

/*
 * Between bursts a connection holds no receive buffer: rx_buf and rx_data
 * go back to the thread's cache (util/bufpool.h) once nothing in them is
 * wanted, and come back from it with the next bytes. So an idle connection
 * costs a few KiB, however large the segments it received before, and a
 * busy one gets the same warm buffers again.
 */
static void rx_release_idle(struct iscsi_conn *conn)
{
	if (conn_rx_waiting(conn))
		return;		/* its payload lies in one of them */
	if (conn->rx_buf && !rx_buffered(conn))
		put_rx_buf(conn);
	/* Before a data segment is placed, rx_data holds nothing. */
	if (conn->rx_data && (conn->rx_state == RX_BHS || conn->rx_state == RX_HDR_REST))
		put_rx_data(conn);
}

bool rx_buffered(const struct iscsi_conn *conn)
{
	return conn->rx_head < conn->rx_tail;
}

void rx_task_gone(struct iscsi_conn *conn, struct iscsi_task *task)
{
	if (conn->rx_task != task)
		return;
	conn->rx_task = NULL;
	conn->rx_dst = NULL;
	conn->rx_orphan = true;	/* its Data-Out would find no task anyway */
}

static bool opcode_allowed(struct iscsi_conn *conn, uint8_t op)
{
	if (conn->state == CONN_LOGIN)
		return op == ISCSI_OP_LOGIN_REQ;
	if (conn->sess && conn->sess->params.discovery)
		return op == ISCSI_OP_TEXT_REQ || op == ISCSI_OP_LOGOUT_REQ ||
		       op == ISCSI_OP_NOP_OUT;
	switch (op) {
	case ISCSI_OP_NOP_OUT:
	case ISCSI_OP_SCSI_CMD:
	case ISCSI_OP_TMF_REQ:
	case ISCSI_OP_TEXT_REQ:
	case ISCSI_OP_DATA_OUT:
	case ISCSI_OP_LOGOUT_REQ:
	case ISCSI_OP_SNACK_REQ:
		return true;
	default:
		return false;
	}
}

/* A scratch buffer of @need bytes; what it held is not kept (a new PDU's). */
static int ensure_data_buf(struct iscsi_conn *conn, uint32_t need)
{
	if (need <= conn->rx_data_cap)
		return 0;
	put_rx_data(conn);
	conn->rx_data = bufpool_get(&conn->thr->pool, need);
	if (!conn->rx_data)
		return -ENOMEM;
	conn->rx_data_cap = (uint32_t)bufpool_size(need);
	return 0;
}

/* The whole header (BHS, AHS, digest) is in: check it before touching the
 * payload. 0: go on; 1: rejected, drop the payload; -1: stop. */
static int check_header(struct iscsi_conn *conn)
{
	const uint8_t *bhs = conn->rx_bhs;
	uint32_t dlen = bhs_data_len(bhs);
	uint8_t op = bhs_opcode(bhs);
	uint32_t limit = conn->state == CONN_LOGIN ? conn->srv->lim.max_recv_dlen
						    : conn->params.max_recv_dlen;

	if (conn->hdr_digest) {
		struct iovec h[2] = { { conn->rx_bhs, ISCSI_BHS_LEN },
				      { conn->rx_rest, bhs_ahs_len(bhs) } };
		uint32_t got = iscsi_digest_get(conn->rx_rest + bhs_ahs_len(bhs));

		if (iscsi_crc32c(h, 2) != got) {
			/* ERL 0: a header digest error ends the connection. */
			conn_close(conn, "header digest error");
			return -1;
		}
	}
	if (!opcode_allowed(conn, op)) {
		if (conn->state == CONN_LOGIN) {
			conn_close(conn, "non-login PDU during login");
			return -1;
		}
		/* The payload still has to be read to stay in step; it is ignored. */
		conn_reject(conn, bhs, REJECT_CMD_NOT_SUPPORTED);
		return 1;
	}
	if (dlen > limit) {
		/* Rate-limited: any peer can send one per connection at will. */
		LOG_WARN_RL(&conn->thr->rl_reject, "conn", "%s: data segment %u exceeds %u",
			    conn->peer, dlen, limit);
		/* The payload cannot be skipped safely: Reject, then close once sent. */
		conn_reject(conn, bhs, REJECT_PROTOCOL_ERROR);
		conn_set_state(conn, CONN_LOGOUT);
		return -1;
	}
	return 0;
}

/* Header phase: where the data segment goes. A rejected PDU's goes nowhere
 * (only counted); a Data-Out the task waits for goes into the task's
 * buffer; anything else into the scratch buffer. */
static int rx_place(struct iscsi_conn *conn)
{
	uint32_t dlen = bhs_data_len(conn->rx_bhs);

	conn->rx_crc = ISCSI_CRC32C_SEED;
	conn->rx_orphan = false;
	conn->rx_task = NULL;
	conn->rx_dst = NULL;
	conn->rx_large = dlen >= RX_LARGE;
	if (conn->rx_skip)
		return 0;
	if (dlen && bhs_opcode(conn->rx_bhs) == ISCSI_OP_DATA_OUT &&
	    conn->state == CONN_FULL_FEATURE)
		conn->rx_dst = cmd_data_out_dest(conn, &conn->rx_task);
	if (!conn->rx_dst) {
		conn->rx_task = NULL;
		if (ensure_data_buf(conn, dlen + 1) < 0) {
			conn_close(conn, "out of memory");
			return -1;
		}
		conn->rx_data[0] = 0;
		conn->rx_dst = conn->rx_data;
	}
	conn->rx_payload = conn->rx_dst;
	return 0;
}

static void rx_enter(struct iscsi_conn *conn, enum rx_state next, uint32_t want)
{
	conn->rx_state = next;
	conn->rx_want = want;
	conn->rx_got = 0;
}

/* The padding and data digest after the current data segment. */
static uint32_t rx_trail_len(const struct iscsi_conn *conn)
{
	uint32_t dlen = bhs_data_len(conn->rx_bhs);

	return dlen ? iscsi_pad(dlen) + (conn->data_digest ? ISCSI_DIGEST_LEN : 0) : 0;
}

/* Padding and data digest are in: check the digest, hand the PDU over. */
static int rx_pdu_done(struct iscsi_conn *conn)
{
	uint32_t dlen = bhs_data_len(conn->rx_bhs), pad = iscsi_pad(dlen);

	/* The payload is all in: from here the task may go (the handler decides). */
	conn->rx_task = NULL;
	rx_enter(conn, RX_BHS, ISCSI_BHS_LEN);
	if (conn->rx_skip)
		return 1;
	if (conn->data_digest && dlen &&
	    iscsi_crc32c_final(iscsi_crc32c_update(conn->rx_crc, conn->rx_trail, pad)) !=
		    iscsi_digest_get(conn->rx_trail + pad)) {
		/* ERL 0: a data digest error ends the connection. */
		conn_close(conn, "data digest error");
		return -1;
	}
	if (conn->rx_orphan)
		return 1;
	conn_dispatch(conn);
	return conn->state == CONN_CLOSED || conn->state == CONN_LOGOUT ? -1 : 1;
}

/*
 * The transition function: the current state has its rx_want bytes; move
 * on. Returns 0 (the next state wants bytes, or is complete too: call
 * again), 1 when a PDU was completed (handled or dropped), -1 when the
 * connection must not go on.
 */
static int rx_step(struct iscsi_conn *conn)
{
	const uint8_t *bhs = conn->rx_bhs;
	uint32_t dlen = bhs_data_len(bhs);
	int rc;

	switch (conn->rx_state) {
	case RX_BHS:
		if (bhs_ahs_len(bhs) > ISCSI_AHS_MAX) {
			conn_close(conn, "AHS too long");
			return -1;
		}
		rx_enter(conn, RX_HDR_REST,
			 bhs_ahs_len(bhs) + (conn->hdr_digest ? ISCSI_DIGEST_LEN : 0));
		return 0;
	case RX_HDR_REST:
		rc = check_header(conn);
		if (rc < 0)
			return -1;
		conn->rx_skip = rc == 1;
		if (rx_place(conn) < 0)
			return -1;
		rx_enter(conn, RX_DATA, dlen);
		return 0;
	case RX_DATA:
		rx_enter(conn, RX_TRAIL, rx_trail_len(conn));
		return 0;
	case RX_TRAIL:
		return rx_pdu_done(conn);
	}
	return -1;
}

/* @n more bytes of the data segment are at @p: into the digest (when one is
 * in force and checked). */
static void rx_data_sum(struct iscsi_conn *conn, const uint8_t *p, uint32_t n)
{
	if (conn->data_digest && !conn->rx_skip)
		conn->rx_crc = iscsi_crc32c_update(conn->rx_crc, p, n);
	conn->rx_got += n;
}

/* @n bytes of the data segment have landed at rx_dst + rx_got. */
static void rx_data_landed(struct iscsi_conn *conn, uint32_t n)
{
	rx_data_sum(conn, conn->rx_dst + conn->rx_got, n);
}

/* Data segment bytes at @src in rx_buf (already consumed from it): to
 * their destination. */
static void rx_take_data(struct iscsi_conn *conn, const uint8_t *src, uint32_t n)
{
	if (!conn->rx_dst) {
		rx_data_sum(conn, src, n);	/* dropped */
	} else if (conn->rx_dst == conn->rx_data && !conn->rx_got && n == conn->rx_want &&
		   conn->rx_tail - conn->rx_head >= rx_trail_len(conn)) {
		/* All of it is here, and so is its trail: its handler reads it
		 * where it lies. (Were the trail still to come, the read that
		 * brings it would overwrite rx_buf, data and all.) */
		conn->rx_payload = src;
		rx_data_sum(conn, src, n);
	} else {
		memcpy(conn->rx_dst + conn->rx_got, src, n);
		rx_data_landed(conn, n);
	}
}

/* Give the current state what it wants of the buffered bytes. */
static void rx_take(struct iscsi_conn *conn)
{
	const uint8_t *src = conn->rx_buf + conn->rx_head;
	uint32_t n = min_u32(conn->rx_tail - conn->rx_head, conn->rx_want - conn->rx_got);

	conn->rx_head += n;
	switch (conn->rx_state) {
	case RX_BHS:
		memcpy(conn->rx_bhs + conn->rx_got, src, n);
		break;
	case RX_HDR_REST:
		memcpy(conn->rx_rest + conn->rx_got, src, n);
		break;
	case RX_DATA:
		rx_take_data(conn, src, n);
		return;
	case RX_TRAIL:
		memcpy(conn->rx_trail + conn->rx_got, src, n);
		break;
	}
	conn->rx_got += n;
}

/* One read of the socket, rx_buf being all parsed: the rest of a data
 * segment that has a destination straight there, what follows into rx_buf.
 * 2: bytes came and there may be more; 1: bytes came, fewer than asked for
 * (the socket is empty: no need to try again now); 0: none now; -1: the
 * connection closed. */
static int rx_read(struct iscsi_conn *conn)
{
	struct iovec iov[2];
	uint32_t direct = 0, ahead = conn->rx_large ? RX_AHEAD_LARGE : ISCSI_RX_BUF;
	int n = 0;
	ssize_t r;

	conn->rx_head = conn->rx_tail = 0;
	if (!conn->rx_buf) {
		conn->rx_buf = bufpool_get(&conn->thr->pool, ISCSI_RX_BUF);
		if (!conn->rx_buf) {
			conn_close(conn, "out of memory");
			return -1;
		}
	}
	if (conn->rx_state == RX_DATA && conn->rx_dst) {
		direct = conn->rx_want - conn->rx_got;
		iov[n++] = (struct iovec){ conn->rx_dst + conn->rx_got, direct };
	}
	iov[n++] = (struct iovec){ conn->rx_buf, ahead };
	r = readv(conn->fd, iov, n);
	if (r == 0) {
		conn_close(conn, "peer closed the connection");
		return -1;
	}
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		conn_close(conn, strerror(errno));
		return -1;
	}
	if (direct) {
		uint32_t d = min_u32((uint32_t)r, direct);

		rx_data_landed(conn, d);
		r -= d;
	}
	conn->rx_tail = (uint32_t)r;
	return r == ahead ? 2 : 1;
}

/* Parse and read until the PDU limit, the read limit, an empty socket, or
 * a connection that must not go on; returns the PDUs completed. */
static int rx_loop(struct iscsi_conn *conn, bool may_read)
{
	int pdus = 0, reads = 0, rc;

	while (pdus < ISCSI_PDUS_PER_WAKEUP && conn_may_receive(conn)) {
		if (rx_buffered(conn)) {
			rx_take(conn);
		} else if (may_read && reads++ < RX_READS_PER_WAKEUP) {
			rc = rx_read(conn);
			if (rc <= 0)
				break;
			/* A short read emptied the socket: epoll tells when more comes. */
			may_read = rc == 2;
		} else {
			break;
		}
		while (conn->rx_got == conn->rx_want) {
			rc = rx_step(conn);
			if (rc < 0)
				return pdus;
			if (rc > 0) {
				pdus++;
				break;
			}
		}
	}
	return pdus;
}

void rx_run(struct iscsi_conn *conn, bool may_read)
{
	/* Keep-alive idleness counts from the last PDU received (to the ms:
	 * once per run, not per PDU). */
	if (rx_loop(conn, may_read))
		conn->last_rx_ms = evloop_now_ms();
	if (conn->state != CONN_CLOSED)
		rx_release_idle(conn);
}
