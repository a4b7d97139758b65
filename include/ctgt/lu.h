/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A logical unit whose blocks come from the application: ctgt emulates the
 * SCSI block device (INQUIRY, READ CAPACITY, MODE SENSE, READ/WRITE...) and
 * calls these functions to move the data.
 *
 * Threads: the callbacks run on worker threads of ctgt, never on the thread
 * that runs the iSCSI server, so they may block (network, disk, locks). Up to
 * `threads` calls (given when the LU is created; 1 by default) run at the
 * same time, on any mix of ranges: with threads > 1 the application makes
 * its state thread-safe. A callback must not call back into ctgt.
 *
 * Results: every callback returns 0 on success or a negative errno. A failed
 * read completes the SCSI command with MEDIUM ERROR / UNRECOVERED READ ERROR
 * (11/00); a failed write, flush or unmap with MEDIUM ERROR / WRITE ERROR
 * (0C/00). Nothing is retried.
 *
 * Offsets and lengths are in bytes and always whole logical blocks inside
 * [0, size). One SCSI command may arrive as several calls.
 *
 * Ownership: `ctx` stays the application's memory, which ctgt only passes
 * back. Once a LU has been handed to ctgt (backend_callback_open() or
 * ctgt_server_add_lu()), ctgt calls release(ctx), if set, exactly once: after
 * the store has been closed and no callback is running or will run again, or
 * before the call returns when it fails. The callbacks table itself is copied.
 */
#ifndef CTGT_LU_H
#define CTGT_LU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ctgt_lu_callbacks {
	/** Mandatory: fill @buf with the @len bytes at @offset. */
	int (*read)(void *ctx, void *buf, uint64_t offset, size_t len);
	/** Store @len bytes at @offset. NULL: a read-only LU (writes that
	 *  reach the store fail with -EROFS). */
	int (*write)(void *ctx, const void *buf, uint64_t offset, size_t len);
	/**
	 * Make every completed write durable (SYNCHRONIZE CACHE, and after a
	 * FUA write). NULL: writes are durable when write() returns, so a
	 * flush succeeds at once (and ctgt_server_add_lu() reports no write
	 * cache).
	 */
	int (*flush)(void *ctx);
	/**
	 * Deallocate [offset, offset + len); afterwards the range must read as
	 * zeros (the LU reports LBPRZ). Only called on a thin-provisioned LU,
	 * which needs it.
	 */
	int (*unmap)(void *ctx, uint64_t offset, uint64_t len);
	/** Called once when ctgt is done with @ctx (see Ownership above). */
	void (*release)(void *ctx);
};

/* For applications that drive the SCSI layer themselves (libctgt-scsi.a with
 * scsi/scsi.h): the callbacks as a backing store for scsi_lu_create(). */
struct backend;
struct bs_cq;

/**
 * Open a @size-byte store served by @cb, whose completions are queued on
 * @cq; @threads callbacks may run at once (0 = 1, at most 64). Returns NULL
 * with a one-line reason in @err (release(ctx) has then been called). Close
 * with backend_close() once no LU uses it; that waits for the running
 * callbacks and then calls release(ctx).
 */
struct backend *backend_callback_open(const struct ctgt_lu_callbacks *cb, void *ctx,
				      uint64_t size, unsigned threads, struct bs_cq *cq,
				      char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
