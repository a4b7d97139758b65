/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Embedding ctgt: an iSCSI target server with its event loop, for an
 * application that serves its own logical units (include/ctgt/lu.h) or
 * ctgt's stores ("file:PATH", "mem:", "null:"). Link with build/libctgt.a and
 * -lisal -ljansson -lcrypto -luring -pthread; compile with -I<ctgt>/include.
 *
 *   struct ctgt_server *s = ctgt_server_create();
 *   ctgt_server_add_target(s, "iqn.2026-11.io.example:disk", err, sizeof(err));
 *   ctgt_server_add_lu(s, "iqn.2026-11.io.example:disk", &params, &callbacks, ctx, ...);
 *   ctgt_server_add_portal(s, "127.0.0.1", 3260, 0, err, sizeof(err));
 *   ctgt_server_catch_signals(s);        (optional: SIGINT/SIGTERM stop it)
 *   ctgt_server_run(s);                  (returns after ctgt_server_stop())
 *   ctgt_server_destroy(s);              (releases every LU's ctx)
 *
 * Threads: one server belongs to the thread that creates it; every function
 * here but ctgt_server_stop() is called from that thread, and targets, LUs
 * and portals are added before ctgt_server_run(). A server made by
 * ctgt_server_create_threads() runs network threads of its own besides,
 * from the start of ctgt_server_run() until it returns. Each call that can fail
 * returns a negative errno and puts a one-line reason in @err (which may be
 * NULL).
 */
#ifndef CTGT_SERVER_H
#define CTGT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctgt/lu.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ctgt_server;

/** LUN numbers a target has: 0 to CTGT_MAX_LUNS - 1. */
#define CTGT_MAX_LUNS 256

/** How a logical unit looks to initiators. Zero fields take the defaults. */
struct ctgt_lu_params {
	uint64_t lun;		/**< LUN number, 0 to CTGT_MAX_LUNS - 1 */
	uint64_t size;		/**< bytes, a multiple of block_size; required for
				 *   callbacks, 0 for a store means its own size */
	uint32_t block_size;	/**< a power of two in 512..65536; default 512 */
	uint32_t phys_block_size; /**< a power-of-two multiple of block_size
				   *   reported as the physical block; 0 = block_size */
	unsigned threads;	/**< callbacks running at once, 1 (default)..64 */
	uint64_t max_bandwidth;	/**< bytes per second of READ and WRITE to the
				 *   store together, like a medium of that speed
				 *   (not for "mem:", "null:"); 0 = no limit */
	bool readonly;		/**< write protected */
	bool thin;		/**< thin provisioned: UNMAP (callbacks need unmap) */
	bool removable;		/**< removable medium (START STOP UNIT ejects) */
	bool io_uring;		/**< stores over a file or block device only: I/O
				 *   through io_uring on the network thread instead
				 *   of a worker pool; fails if the kernel refuses
				 *   io_uring; no max_bandwidth */
	bool direct;		/**< with io_uring: O_DIRECT (no page cache); the
				 *   block size must be a multiple of the device's
				 *   direct I/O alignment */
	const char *vendor;	/**< INQUIRY vendor, <= 8 chars; default "CTGT" */
	const char *product;	/**< INQUIRY product, <= 16 chars; default "VIRTUAL-DISK" */
	const char *serial;	/**< unit serial number; default derived from target and LUN */
	const char *pr_file;	/**< where persistent reservations with APTPL are
				 *   kept across restarts (loaded now, rewritten
				 *   atomically); NULL: APTPL is not offered */
	unsigned pr_max_registrations; /**< persistent reservation registrations
				 *   the LU holds, 1..65536; beyond it REGISTER
				 *   gets INSUFFICIENT REGISTRATION RESOURCES;
				 *   0 = 1024 */
};

/** A server with no target and no portal, on one network thread (the
 *  caller's of ctgt_server_run()); NULL when out of memory. */
struct ctgt_server *ctgt_server_create(void);

#define CTGT_THREADS_MAX 64

/**
 * A server on @nthreads network threads (0: one per online CPU; clamped to
 * CTGT_THREADS_MAX), each with its own event loop. Thread 0 is the caller's
 * of ctgt_server_run(), which starts the others and stops them before it
 * returns. The portals are served on thread 0; each target gets a home
 * thread when it is added (round-robin), where its LUs' SCSI work and I/O
 * completions run (a callback LU's callbacks run on its own worker threads
 * either way: include/ctgt/lu.h). A target's first session is served there
 * too, further ones on the other threads in turn, which hand their SCSI
 * work to home by messages.
 * With 1 this is ctgt_server_create(). NULL when out of memory.
 */
struct ctgt_server *ctgt_server_create_threads(unsigned nthreads);

/** How many network threads @srv has. */
unsigned ctgt_server_threads(const struct ctgt_server *srv);

/**
 * Export a target named @iqn (an iSCSI name, e.g. "iqn.2026-11.io.ctgt:disk0").
 * Returns 0, -EEXIST or -ENOMEM.
 */
int ctgt_server_add_target(struct ctgt_server *srv, const char *iqn, char *err, size_t errlen);

/**
 * Let initiators of target @iqn run TARGET WARM RESET and TARGET COLD RESET
 * (@allow true) or refuse them with "Function authorization failed", the
 * default: either resets every initiator's state on the target, and a cold
 * reset ends their sessions. Before or while serving (a reset under way
 * is judged by the setting it met). Returns 0 or -ENOENT (no such target).
 */
int ctgt_server_allow_target_reset(struct ctgt_server *srv, const char *iqn, bool allow);

/**
 * Authentication: initiators logging in to target @iqn (NULL: discovery
 * sessions) must prove CHAP name @user and @secret (RFC 7143 12.1.3; MD5,
 * SHA-1, SHA-256 or SHA3-256, the strongest the initiator offers). With
 * @mutual_user and @mutual_secret (both or neither) the target proves itself
 * in return when the initiator asks (mutual CHAP). Secrets are 12 to 255
 * bytes and the mutual one must differ from the initiator's; they are copied
 * and wiped when the server is destroyed. Calling it again replaces the
 * credentials. Returns 0, -ENOENT (no such target) or -EINVAL.
 */
int ctgt_server_set_chap(struct ctgt_server *srv, const char *iqn, const char *user,
			 const char *secret, const char *mutual_user, const char *mutual_secret,
			 char *err, size_t errlen);

/**
 * Access control of target @iqn: add @rule, an initiator name
 * ("iqn.1994-05.com.redhat:host1") or a source network ("192.168.1.0/24",
 * "fd00::/8", or one address). With name rules only those names may log in,
 * with network rules only from those networks, with both only such names
 * from such networks; discovery lists a target only to initiators it
 * admits. No rule: everyone. A refused login gets status 0202. Returns 0,
 * -ENOENT (no such target), -EINVAL (bad rule) or -ENOMEM.
 */
int ctgt_server_allow(struct ctgt_server *srv, const char *iqn, const char *rule,
		      char *err, size_t errlen);

/** One LU an initiator sees (struct ctgt_initiator_params). */
struct ctgt_lun_map {
	uint64_t lun;		/**< the number the initiator uses, 0..255 */
	uint64_t target_lun;	/**< the LU's own number in the target, 0..255 */
	bool readonly;		/**< write protected for this initiator */
};

/** Settings of one initiator on one target. */
struct ctgt_initiator_params {
	const char *name;		/**< its iSCSI name */
	const char *chap_user;		/**< CHAP credentials it proves instead of the
					 *   target's (NULL: the target's apply) */
	const char *chap_secret;
	bool map_luns;			/**< false: it sees every LU under its own number */
	const struct ctgt_lun_map *luns;	/**< map_luns: the LUs it sees (copied) */
	size_t nluns;
};

/**
 * Per-initiator settings of target @iqn: its own CHAP credentials, and
 * which LUs it sees under which numbers, some read-only (REPORT LUNS and
 * every command see only those). Call ctgt_server_set_chap() first when the
 * target has mutual credentials (the secrets must differ). Whether the
 * initiator may log in at all is ctgt_server_allow()'s. Returns 0, -ENOENT,
 * -EINVAL (bad name, duplicate, bad map or secret) or -ENOMEM.
 */
int ctgt_server_add_initiator(struct ctgt_server *srv, const char *iqn,
			      const struct ctgt_initiator_params *p, char *err, size_t errlen);

/**
 * Add a LU served by @cb to target @iqn. Ownership of @ctx passes to the
 * server in every case: on failure release(ctx) has been called when this
 * returns, otherwise ctgt_server_destroy() calls it after the last callback.
 * Without a write callback the LU is read-only; without a flush callback it
 * reports no write cache. Returns 0, -ENOENT (no such target), -EEXIST (LUN
 * taken) or -EINVAL.
 */
int ctgt_server_add_lu(struct ctgt_server *srv, const char *iqn,
		       const struct ctgt_lu_params *params,
		       const struct ctgt_lu_callbacks *cb, void *ctx,
		       char *err, size_t errlen);

/**
 * Add a LU over one of ctgt's stores: @spec is "file:PATH" or "PATH" (a
 * missing regular file is created sparse with params->size bytes), "mem:"
 * (params->size bytes of RAM) or "null:" (params->size bytes of nothing:
 * reads return zeros, writes are dropped). Returns 0 or a negative errno.
 */
int ctgt_server_add_store(struct ctgt_server *srv, const char *iqn,
			  const struct ctgt_lu_params *params, const char *spec,
			  char *err, size_t errlen);

/**
 * Listen on numeric IPv4/IPv6 @host, @port (0: the kernel picks one), in
 * target portal group @tpgt (0 = 1). Returns the bound port (> 0) or a
 * negative errno.
 */
int ctgt_server_add_portal(struct ctgt_server *srv, const char *host, uint16_t port,
			   uint16_t tpgt, char *err, size_t errlen);

/**
 * Keep-alive: a NOP-In after @interval_s idle seconds, the connection is
 * dropped @timeout_s seconds later without an answer (0: same as the
 * interval). 0 turns it off, the default.
 */
void ctgt_server_set_nop(struct ctgt_server *srv, unsigned interval_s, unsigned timeout_s);

/** Most connections an initiator may open in one session (MC/S, the
 *  MaxConnections key), 1 to CTGT_MAX_CONNECTIONS_LIMIT (larger is clamped);
 *  default 4. Applies to logins from then on. */
#define CTGT_MAX_CONNECTIONS_LIMIT 64
void ctgt_server_set_max_connections(struct ctgt_server *srv, unsigned n);

/** Spread the sessions of one target over the network threads (@on, the
 *  default), or serve them all on the target's own thread, where they make
 *  their SCSI calls without a hand-off between threads (less CPU per I/O;
 *  one core for all of a target's sessions). Before ctgt_server_run(). */
void ctgt_server_set_spread_sessions(struct ctgt_server *srv, bool on);

/**
 * What clients may make the server hold. Beyond a limit the server refuses
 * politely and logs one rate-limited line. A 0 field keeps its default.
 */
struct ctgt_limits {
	unsigned max_connections;	/**< TCP connections at once; more are closed
					 *   as soon as accepted (default 1024) */
	unsigned max_connections_per_address; /**< of them from one source
					 *   address (default 128) */
	unsigned max_sessions_per_target; /**< more logins to a target are refused
					 *   with status 0302 (default 64) */
	unsigned login_timeout;		/**< seconds from connect to full feature
					 *   phase; a slower login is closed (default 15) */
	uint32_t connection_buffer;	/**< bytes of command data buffers per
					 *   connection; a command beyond them gets
					 *   TASK SET FULL (default 64 MiB) */
	uint32_t tx_backlog;		/**< bytes queued for transmit on one
					 *   connection beyond which it is not read
					 *   from until the initiator reads (default 8 MiB) */
	uint32_t buffer_cache;		/**< bytes of freed task buffers, tasks and
					 *   PDUs each network thread keeps for reuse,
					 *   beyond which they are freed; what a second
					 *   did not need is freed too (default 32 MiB) */
};

/** Set the resource limits (see struct ctgt_limits); before serving
 *  (while serving: ctgt_server_change_limits(), include/ctgt/admin.h). */
void ctgt_server_set_limits(struct ctgt_server *srv, const struct ctgt_limits *lim);

/**
 * Print what the ctgt daemon prints once it serves: "listening HOST:PORT"
 * per portal, "url iscsi://HOST:PORT/IQN/LUN" per LU (on the first portal,
 * in the order they were added), then "ready"; flushes @out.
 */
void ctgt_server_announce(const struct ctgt_server *srv, FILE *out);

/**
 * Stop gracefully on SIGINT or SIGTERM: blocks both in the calling thread
 * and receives them through a signalfd while the server runs. Threads the
 * application creates afterwards inherit the blocked mask; ones created
 * before must block the two signals themselves. Returns 0 or a negative errno.
 */
int ctgt_server_catch_signals(struct ctgt_server *srv);

/**
 * Also catch SIGHUP (after ctgt_server_catch_signals(), before any thread
 * is started, for the same reason): each one calls @fn(@arg) on the thread
 * of ctgt_server_run(), instead of SIGHUP's default action (ending the
 * process). A SIGHUP before ctgt_server_run() waits for it. Returns 0, or
 * -EINVAL without ctgt_server_catch_signals() or @fn, or a negative errno.
 */
int ctgt_server_catch_hup(struct ctgt_server *srv, void (*fn)(void *arg), void *arg);

/**
 * Have @fn(@arg, @why) called once, on the thread of ctgt_server_run(), as
 * the server begins to stop (ctgt_server_stop() or a caught signal), before
 * it closes the connections and waits for their I/O. @why says what asked
 * ("signal 15", "stop requested"); it lives only during the call. @fn
 * must not block. NULL removes the hook. Before ctgt_server_run().
 */
void ctgt_server_on_stop(struct ctgt_server *srv, void (*fn)(void *arg, const char *why),
			 void *arg);

/**
 * Serve until ctgt_server_stop() (or a caught signal): then stop accepting,
 * close every connection, let in-flight I/O complete, and return 0 (or a
 * negative errno if the event loop failed). Call it once.
 */
int ctgt_server_run(struct ctgt_server *srv);

/**
 * Ask a running (or about to run) server to stop. Safe from any thread and
 * from a signal handler; returns at once.
 */
void ctgt_server_stop(struct ctgt_server *srv);

/**
 * Free the server, its targets and LUs, close the stores and release every
 * callback LU's ctx. Not while ctgt_server_run() is running. NULL is ignored.
 */
void ctgt_server_destroy(struct ctgt_server *srv);

#ifdef __cplusplus
}
#endif

#endif
