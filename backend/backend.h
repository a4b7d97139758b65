/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backing stores: one asynchronous interface for every kind of storage.
 *
 * A caller fills a struct bs_request (operation, byte offset, iovecs, a
 * completion callback) and hands it to backend_submit(). The backend does the
 * I/O wherever it likes (a worker thread, io_uring, a remote store) and
 * delivers the completion through the struct bs_cq the backend was opened
 * with: bs_cq_run(), called by the thread that owns the queue (the network
 * thread's event loop), invokes req->done. So completion callbacks always run
 * on the submitting thread and never inside backend_submit() itself.
 *
 * Ownership: the request and its iovecs and data belong to the caller and must
 * stay valid until done() has been called. The backend never frees them.
 */
#ifndef CTGT_BACKEND_H
#define CTGT_BACKEND_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util/mpsc.h"

enum bs_op {
	BS_OP_READ,	/**< fill iov from [offset, offset+len) */
	BS_OP_WRITE,	/**< write iov to [offset, offset+len); with fua, durable before done */
	BS_OP_FLUSH,	/**< make every completed write durable (offset/len ignored) */
	BS_OP_UNMAP,	/**< deallocate [offset, offset+len); it then reads as zeros
			 *   (iov unused). -EOPNOTSUPP when the store cannot. */
};

struct bs_request;
typedef void (*bs_done_fn)(struct bs_request *req);

struct bs_request {
	enum bs_op op;
	uint64_t offset;	/**< byte offset into the store */
	size_t len;		/**< total bytes covered by iov */
	struct iovec *iov;
	int iovcnt;
	bool fua;		/**< WRITE only: durable before completion */
	int result;		/**< set by the backend: 0 or a negative errno */
	bs_done_fn done;	/**< called on the queue owner's thread */
	void *priv;		/**< caller's context */
	struct bs_request *cq_next; /**< the owner thread's lists (the queue's
				     *   local one, a store's waiting list) */
	struct mpsc_node cq_node;   /**< the queue's cross-thread list */
	size_t progress;	/**< owned by the backend while in flight: bytes
				 *   already transferred (the file store's
				 *   inline read hands a partial hit's rest on) */
};

/**
 * Completion queue: a list of finished requests plus an eventfd that wakes
 * the owning thread when another thread has pushed a completion.
 */
/**
 * A store whose completions arrive elsewhere (an io_uring's completion
 * ring) and must be collected by the owner thread: bs_cq_run() calls
 * poll() first, which hands what finished to bs_cq_push_local(). The
 * store makes the queue's efd readable when there is something to collect
 * (io_uring_register_eventfd), so the owner wakes for it.
 */
struct bs_cq_poller {
	void (*poll)(struct bs_cq_poller *p);	/**< owner thread */
	/** Optional: hand the kernel what the store has batched; bs_cq_flush(). */
	void (*flush)(struct bs_cq_poller *p);
	struct bs_cq_poller *next;		/**< owned by the queue */
};

struct bs_cq {
	int efd;			/**< readable when cross-thread completions are queued */
	struct mpsc remote;		/**< pushed from other threads, lock-free */
	struct bs_request *lhead, *ltail; /**< pushed by the owner thread, no lock */
	struct bs_cq_poller *pollers;	/**< owner thread only */
	bool batch;			/**< bs_cq_set_batch(); owner thread */
	bool acked;			/**< bs_cq_set_acked(); owner thread */
};

/** Initialise; returns 0 or a negative errno. */
int bs_cq_init(struct bs_cq *cq);
void bs_cq_destroy(struct bs_cq *cq);
/** Queue a completion from any thread (wakes the owner through efd). */
void bs_cq_push(struct bs_cq *cq, struct bs_request *req);
/** Queue a completion from the owner thread itself (no syscall). */
void bs_cq_push_local(struct bs_cq *cq, struct bs_request *req);
/** Owner thread: run done() of every queued completion; returns how many ran. */
int bs_cq_run(struct bs_cq *cq);
/** True when owner-thread completions are waiting (the loop must not sleep). */
bool bs_cq_has_local(const struct bs_cq *cq);
/** True when any completion, from any thread, is queued (a hint for tests:
 *  another thread may push one at once). */
bool bs_cq_pending(struct bs_cq *cq);
/** Owner thread: have bs_cq_run() call @p->poll until bs_cq_del_poller(). */
void bs_cq_add_poller(struct bs_cq *cq, struct bs_cq_poller *p);
void bs_cq_del_poller(struct bs_cq *cq, struct bs_cq_poller *p);
/**
 * Owner thread: promise (@on) to call bs_cq_flush() before every sleep, and
 * after any backend_submit() the owner then waits for. Stores that submit to
 * the kernel from the owner thread (io_uring) may then gather the requests
 * of one loop iteration into one system call, made by bs_cq_flush(); without
 * it (the default) each request is handed to the kernel inside submit().
 */
void bs_cq_set_batch(struct bs_cq *cq, bool on);
/** Owner thread: hand the kernel every request the stores have batched
 *  (calls each poller's flush). Cheap when there is nothing. */
void bs_cq_flush(struct bs_cq *cq);
/**
 * Owner thread: promise (@on) to call bs_cq_ack() whenever efd is readable
 * (from the event loop's callback for it) and bs_cq_run() after that; then
 * bs_cq_run() does not read efd itself, which saves a system call on every
 * run that no other thread signalled (most of them under load). Without it
 * (the default) bs_cq_run() reads efd first every time.
 */
void bs_cq_set_acked(struct bs_cq *cq, bool on);
/** Owner thread: take efd's wake-up; a bs_cq_run() must follow. */
void bs_cq_ack(struct bs_cq *cq);

struct backend;

/** Operations every backing store implements. All members are mandatory
 *  unless marked optional. */
struct backend_ops {
	const char *name;	/**< "file", "mem", "null" */
	/**
	 * Open the store named by @path (the part after "name:"). @size is the
	 * requested size in bytes, 0 for "whatever the store already has".
	 * On failure return a negative errno and put a one-line reason in @err.
	 */
	int (*open)(struct backend *bs, const char *path, uint64_t size,
		    char *err, size_t errlen);
	/** Start a request; return 0 (done() will follow) or a negative errno
	 *  (done() will not be called). */
	int (*submit)(struct backend *bs, struct bs_request *req);
	/** Release everything; no request may be in flight. */
	void (*close)(struct backend *bs);
	/**
	 * Optional (NULL: every byte is allocated). Whether the byte at
	 * @offset is allocated (holds data) or deallocated (a hole that reads
	 * as zeros), and in *extent how many bytes from @offset, at most @len
	 * (> 0), are in that same state (at least 1). Synchronous and cheap
	 * (a metadata lookup): it runs on the caller's thread. Returns 0 or a
	 * negative errno.
	 */
	int (*map)(struct backend *bs, uint64_t offset, uint64_t len,
		   bool *allocated, uint64_t *extent);
	/** Optional (NULL: no limit possible). Pace READ and WRITE to
	 *  @bytes_per_sec together, 0 for no limit; see backend_set_bandwidth(). */
	void (*set_bandwidth)(struct backend *bs, uint64_t bytes_per_sec);
	/** Optional (NULL: nothing to do). On the owner thread of bs->cq:
	 *  start (@on) or stop taking part in its bs_cq_run() (the io_uring
	 *  store's poller); see backend_attach(). */
	void (*attach)(struct backend *bs, bool on);
	/**
	 * Optional (NULL: the store cannot change size). Make the store hold
	 * *size bytes, 0 for "what the file or device holds now" (a grown
	 * block device), and put the size it then holds in *size. Any thread,
	 * while requests run: it never shrinks what they see (it grows a file,
	 * reads a device's size) and leaves bs->size alone, which the owner
	 * thread sets once the caller has checked the new size. Returns 0, or
	 * a negative errno and a one-line reason in @err.
	 */
	int (*grow)(struct backend *bs, uint64_t *size, char *err, size_t errlen);
};

struct backend {
	const struct backend_ops *ops;
	struct bs_cq *cq;	/**< where completions go; not owned */
	uint64_t size;		/**< bytes, set by open() */
	bool readonly;		/**< set before open(): only READ and FLUSH */
	bool direct;		/**< set before open(): O_DIRECT (io_uring store only) */
	uint32_t min_block;	/**< set by open(): offsets and lengths must be
				 *   multiples of it (O_DIRECT); 0 = any */
	bool attached;		/**< backend_attach() state */
	void *priv;		/**< the backend's own state */
};

/** How backend_open_flags() opens a store. */
enum {
	BS_OPEN_READONLY = 1 << 0,	/**< as backend_open_readonly() */
	BS_OPEN_URING = 1 << 1,		/**< a file or block device through io_uring */
	BS_OPEN_DIRECT = 1 << 2,	/**< with BS_OPEN_URING: O_DIRECT */
	/** Not attached to its queue yet: backend_attach() follows, on the
	 *  queue's owner thread. For a store opened while that thread runs
	 *  (a LU added live), from another thread. */
	BS_OPEN_DETACHED = 1 << 3,
};

/**
 * Open a backing store from a spec: "mem:" or "mem:NAME" for memory,
 * "null:" for no storage (reads zeros, drops writes; backend/null.c),
 * "file:PATH" or plain "PATH" for a file or block device. A missing regular
 * file is created sparse with @size bytes. Returns NULL and fills @err on
 * failure. Free with backend_close().
 */
struct backend *backend_open(const char *spec, uint64_t size, struct bs_cq *cq,
			     char *err, size_t errlen);
/**
 * backend_open() for a store that is only read: a file or block device is
 * opened O_RDONLY (so a read-only one can be exported), never created or
 * grown, and WRITE or UNMAP requests fail with -EROFS.
 */
struct backend *backend_open_readonly(const char *spec, uint64_t size, struct bs_cq *cq,
				      char *err, size_t errlen);
/**
 * backend_open() with BS_OPEN_* @flags. BS_OPEN_URING takes a file or block
 * spec ("PATH", "file:PATH") and serves it with the io_uring store; it
 * fails (with the reason in @err) when the kernel refuses io_uring.
 * BS_OPEN_DIRECT needs BS_OPEN_URING.
 */
struct backend *backend_open_flags(const char *spec, uint64_t size, struct bs_cq *cq,
				   unsigned flags, char *err, size_t errlen);
/**
 * Close @bs; no request may be in flight. On the owner thread of its
 * queue, before that thread runs, or from any thread once backend_attach(bs,
 * false) has run on the owner thread.
 */
void backend_close(struct backend *bs);

/**
 * Where the store's completions are taken. backend_open*() attaches it
 * to its queue (so it is called on the queue's owner thread, or before
 * that thread runs) unless BS_OPEN_DETACHED; then this, on the owner
 * thread, attaches it (@on) before the first request. Detaching it (on
 * the owner thread, nothing in flight) lets another thread close it.
 */
void backend_attach(struct backend *bs, bool on);

/**
 * Grow @bs to @size bytes (0: to what its file or device holds now), see
 * backend_ops.grow: *got is the size it can then serve, which the caller
 * checks (not smaller than bs->size, a multiple of its block size) before
 * the owner thread sets bs->size. Any thread. Returns 0, or -EOPNOTSUPP
 * (a store that cannot change size: mem:, callbacks) or another negative
 * errno, with a one-line reason in @err.
 */
int backend_grow(struct backend *bs, uint64_t size, uint64_t *got, char *err, size_t errlen);

/**
 * Cap the store's READ and WRITE traffic at @bytes_per_sec together (0:
 * no cap), like a medium of that speed: requests wait, off the caller's
 * thread, until the cap lets them start; FLUSH and UNMAP are not paced.
 * Returns 0, or -EOPNOTSUPP for a store whose I/O runs inline on the
 * submitting thread (mem:, null:), which must never wait.
 */
int backend_set_bandwidth(struct backend *bs, uint64_t bytes_per_sec);

static inline int backend_submit(struct backend *bs, struct bs_request *req)
{
	return bs->ops->submit(bs, req);
}

/** backend_ops.map, or "all allocated" for a store without one. @offset
 *  and @len must lie inside the store, @len > 0. */
static inline int backend_map(struct backend *bs, uint64_t offset, uint64_t len,
			      bool *allocated, uint64_t *extent)
{
	if (!bs->ops->map) {
		*allocated = true;
		*extent = len;
		return 0;
	}
	return bs->ops->map(bs, offset, len, allocated, extent);
}

extern const struct backend_ops bs_file_ops;
extern const struct backend_ops bs_mem_ops;
extern const struct backend_ops bs_null_ops;
extern const struct backend_ops bs_uring_ops;

#endif
