/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server-wide event counters of the iSCSI layer: logins, login failures by
 * status, CHAP failures and every limit that refuses or holds back a peer
 * (each counted where its log line is written, whether or not the line is
 * suppressed by its rate limit). Incremented on the network threads with
 * relaxed atomic adds (no ordering is needed: each is a tally on its own),
 * read from any thread (iscsi_server_counters()), so that reading them
 * never asks a network thread for anything.
 */
#ifndef CTGT_ISCSI_COUNTERS_H
#define CTGT_ISCSI_COUNTERS_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * Login failures by status (RFC 7143 11.13.5): class 2 details 0x00-0x0b,
 * then class 3 details 0x00-0x02, then anything else. The order is the
 * public one of include/ctgt/admin.h (enum ctgt_login_failure).
 */
enum {
	ISCSI_LF_CLASS3 = 12,		/* index of status 0300 */
	ISCSI_LF_OTHER = 15,
	ISCSI_LF_KINDS = 16,
};

/** The index of login status @cls/@detail in login_failures[]. */
static inline unsigned iscsi_lf_index(uint8_t cls, uint8_t detail)
{
	if (cls == 0x02 && detail <= 0x0b)
		return detail;
	if (cls == 0x03 && detail <= 0x02)
		return ISCSI_LF_CLASS3 + detail;
	return ISCSI_LF_OTHER;
}

/* One counter per field; the names say what is counted where. */
#define ISCSI_COUNTERS(X)						\
	X(conns_accepted)	/* connections accepted (server.c) */	\
	X(conns_refused_total)	/* --connection-limit (conn_count.c) */	\
	X(conns_refused_addr)	/* --connection-limit-per-address */	\
	X(accept_pauses)	/* out of descriptors: accept paused */	\
	X(logins_normal)	/* logins that reached full feature phase */ \
	X(logins_discovery)						\
	X(chap_failures)	/* a CHAP exchange that failed (auth.c) */ \
	X(chap_holds)		/* an answer held back after CHAP failures */ \
	X(sessions_refused)	/* --session-limit (server.c) */	\
	X(login_timeouts)	/* --login-timeout: login not done (thread.c) */ \
	X(final_rsp_timeouts)	/* a last Login/Logout Response not read */ \
	X(nop_timeouts)		/* no answer to a NOP-In ping (ops.c) */	\
	X(tx_backpressure)	/* --tx-backlog: reading paused (conn.c) */ \
	X(buffer_full)		/* --connection-buffer: TASK SET FULL (cmd.c) */ \
	X(immediate_rejected)	/* too many immediate commands or TMFs */ \
	X(pdu_rejects)		/* Reject PDUs sent (conn.c) */		\
	X(cmdsn_dropped)	/* commands outside the CmdSN window */	\
	X(resets_refused)	/* TARGET WARM/COLD RESET not allowed (tmf.c) */

struct iscsi_counters {
#define ISCSI_CTR_FIELD(n) atomic_uint_fast64_t n;
	ISCSI_COUNTERS(ISCSI_CTR_FIELD)
#undef ISCSI_CTR_FIELD
	atomic_uint_fast64_t login_failures[ISCSI_LF_KINDS];
};

/** A plain copy (iscsi_server_counters()). */
struct iscsi_counters_snap {
#define ISCSI_CTR_FIELD(n) uint64_t n;
	ISCSI_COUNTERS(ISCSI_CTR_FIELD)
#undef ISCSI_CTR_FIELD
	uint64_t login_failures[ISCSI_LF_KINDS];
};

/** Any thread: count one event. */
static inline void iscsi_count(atomic_uint_fast64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

#endif
