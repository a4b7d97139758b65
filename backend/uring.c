/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io_uring backing store: the same files and block devices as the file
 * store, but READ, WRITE and FLUSH go to the kernel as READV/WRITEV/FSYNC
 * on a ring, prepared and submitted by the thread that calls submit() (the
 * network thread) with no thread hand-off.
 *
 * Completions: the ring signals the completion queue's own eventfd
 * (io_uring_register_eventfd), so the owner thread wakes as it does for the
 * worker pool; bs_cq_run() then calls our poller, which reaps the ring and
 * queues each finished request with bs_cq_push_local(). So done() runs on
 * the submitting thread, never inside submit().
 *
 * Per request, a slot holds the progress: short transfers are continued
 * from an iovec cursor, -EAGAIN/-EINTR resubmitted, a FUA write is followed
 * by an FSYNC(DATASYNC). There are URING_SLOTS slots and as many ring
 * entries, so a slot always finds a free SQE; requests beyond that wait in
 * a FIFO in the store and start as slots free up (never dropped).
 *
 * Submission: an SQE is prepared as a request arrives. When the owner
 * batches (bs_cq_set_batch(), as the iSCSI server's loop does), the SQEs of
 * one loop iteration go to the kernel together: one io_uring_submit from
 * bs_cq_flush(), which the loop calls before it sleeps, so no request waits
 * for a later one or past its own iteration. Otherwise submit() hands each
 * request over at once, and a reap submits what its completions queued
 * (continuations, waiting requests) once at its end.
 *
 * UNMAP runs on a small worker pool with the file store's code (punch a
 * hole, or write zeros where that is not supported), on an fd opened
 * without O_DIRECT, so that its zero-filling needs no aligned buffer.
 *
 * direct (O_DIRECT): offsets and lengths must be multiples of the device's
 * (or file system's) alignment, which open() puts in bs->min_block so that
 * the LU refuses a smaller block size; a request whose buffers are not
 * aligned in memory goes through an aligned bounce buffer, which its slot
 * holds while it runs: taken from the store's bounded cache of freed ones
 * (backend/bounce.h), so that the I/O path does not allocate once warm;
 * beyond the cache it is allocated (never waits). Nothing else is allocated
 * per request: slots and their iovec batches are part of the store.
 *
 * A kernel without io_uring (ENOSYS) or that forbids it (EPERM, as seccomp
 * in some containers does) fails open() with that reason: no silent fallback,
 * so "io=uring" always means io_uring.
 */
#include "backend/bounce.h"
#include "backend/bs_internal.h"
#include "backend/file_internal.h"
#include "backend/iov_cursor.h"
#include "backend/pool.h"
#include "backend/uring_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Requests in flight on the ring at most (and its SQ entries). */
#define URING_SLOTS 64
/* Workers for UNMAP. */
#define URING_UNMAP_WORKERS 1

enum slot_stage {
	STAGE_RW,	/* READV/WRITEV until the cursor has covered req->len */
	STAGE_SYNC,	/* FSYNC: a FLUSH, or the durability of a FUA write */
};

struct uring_slot {
	struct uring_store *us;
	struct bs_request *req;		/* NULL while free */
	enum slot_stage stage;
	struct bs_iov_cursor cur;	/* over req->iov, or over bounce_iov */
	uint64_t off;			/* file offset of the next transfer */
	size_t left;			/* bytes still to transfer */
	void *bounce;			/* direct, unaligned buffers: from us->bounce */
	size_t bounce_cap;		/* its size */
	struct iovec bounce_iov;
	struct iovec batch[BS_IOV_BATCH]; /* what the SQE in flight points at */
	struct uring_slot *next_free;
};

struct uring_store {
	int fd;				/* maybe O_DIRECT: the ring's */
	int pool_fd;			/* never O_DIRECT: UNMAP's (may be fd) */
	struct io_uring ring;
	struct bs_cq *cq;
	struct bs_cq_poller poller;
	struct bs_pool *pool;
	uint32_t mem_align;		/* direct: buffer address/length alignment */
	struct bs_bounce_cache bounce;	/* direct: freed bounce buffers */
	unsigned inflight;		/* slots in use */
	struct uring_slot *free;
	struct bs_request *wait_head, *wait_tail; /* no slot yet, via cq_next */
	bool reaping;			/* in uring_reap: submit once at its end */
	struct bs_uring_stats stats;
	struct uring_slot slots[URING_SLOTS];
};

static void slot_issue(struct uring_slot *s);
static void slot_start(struct uring_slot *s, struct bs_request *req);

/* ---- slots ------------------------------------------------------------- */

static struct uring_slot *slot_get(struct uring_store *us)
{
	struct uring_slot *s = us->free;

	if (s != NULL) {
		us->free = s->next_free;
		us->inflight++;
	}
	return s;
}

/* Free @s; the oldest waiting request, if any, takes it at once. */
static void slot_put(struct uring_store *us, struct uring_slot *s)
{
	struct bs_request *req = us->wait_head;

	s->req = NULL;
	if (req != NULL) {
		us->wait_head = req->cq_next;
		if (us->wait_head == NULL)
			us->wait_tail = NULL;
		req->cq_next = NULL;
		slot_start(s, req);
		return;
	}
	us->inflight--;
	s->next_free = us->free;
	us->free = s;
}

static void slot_finish(struct uring_slot *s, int rc)
{
	struct bs_request *req = s->req;

	if (s->bounce != NULL) {
		if (rc == 0 && req->op == BS_OP_READ)
			bs_buf_to_iov(s->bounce, req->len, req->iov, req->iovcnt);
		bs_bounce_put(&s->us->bounce, s->bounce, s->bounce_cap);
		s->bounce = NULL;
	}
	req->result = rc;
	bs_cq_push_local(s->us->cq, req);
	slot_put(s->us, s);
}

/* ---- buffers under O_DIRECT ------------------------------------------- */

static bool iov_aligned(const struct bs_request *req, uint32_t align)
{
	size_t left = req->len;

	for (int i = 0; i < req->iovcnt && left > 0; i++) {
		size_t n = req->iov[i].iov_len < left ? req->iov[i].iov_len : left;

		if ((uintptr_t)req->iov[i].iov_base % align != 0 || n % align != 0)
			return false;
		left -= n;
	}
	return true;
}

/* Point the slot's cursor at an aligned copy of the request's data. */
static int use_bounce(struct uring_slot *s, struct bs_request *req)
{
	s->bounce = bs_bounce_get(&s->us->bounce, req->len, &s->bounce_cap);
	if (s->bounce == NULL)
		return -ENOMEM;
	if (req->op == BS_OP_WRITE)
		bs_iov_to_buf(req->iov, req->iovcnt, s->bounce, req->len);
	s->bounce_iov = (struct iovec){ .iov_base = s->bounce, .iov_len = req->len };
	s->cur = (struct bs_iov_cursor){ .iov = &s->bounce_iov, .iovcnt = 1 };
	return 0;
}

/* ---- submission and completion ----------------------------------------- */

static void slot_start(struct uring_slot *s, struct bs_request *req)
{
	s->req = req;
	s->off = req->offset;
	s->left = req->len;
	s->stage = req->op == BS_OP_FLUSH ? STAGE_SYNC : STAGE_RW;
	s->cur = (struct bs_iov_cursor){ .iov = req->iov, .iovcnt = req->iovcnt };
	if (s->stage == STAGE_RW && s->us->mem_align > 1 &&
	    !iov_aligned(req, s->us->mem_align) && use_bounce(s, req) < 0) {
		slot_finish(s, -ENOMEM);
		return;
	}
	if (s->stage == STAGE_RW && s->left == 0) {
		slot_finish(s, 0);
		return;
	}
	slot_issue(s);
}

/*
 * Hand the ring what is prepared. A failure other than EINTR leaves the
 * SQEs in the ring; the poller submits again each time the owner thread
 * runs the completion queue, which its loop does at least once a second.
 */
static void ring_submit(struct uring_store *us)
{
	us->stats.submits++;
	while (io_uring_submit(&us->ring) == -EINTR)
		;
}

/* Submit what is prepared, if anything. */
static void ring_flush(struct uring_store *us)
{
	if (io_uring_sq_ready(&us->ring) > 0)
		ring_submit(us);
}

/* A free SQE; a full SQ is submitted first (cannot happen while there is
 * one SQE per slot and as many as slots, but costs nothing to handle). */
static struct io_uring_sqe *ring_sqe(struct uring_store *us)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&us->ring);

	if (sqe == NULL) {
		ring_submit(us);
		sqe = io_uring_get_sqe(&us->ring);
	}
	return sqe;
}

/* Prepare the slot's next operation; submit it unless a flush will. */
static void slot_issue(struct uring_slot *s)
{
	struct io_uring_sqe *sqe = ring_sqe(s->us);
	int n;

	if (sqe == NULL) {	/* the kernel took none of a full SQ */
		slot_finish(s, -EBUSY);
		return;
	}
	if (s->stage == STAGE_SYNC) {
		io_uring_prep_fsync(sqe, s->us->fd, IORING_FSYNC_DATASYNC);
	} else {
		n = bs_cursor_batch(&s->cur, s->left, s->batch);
		if (s->req->op == BS_OP_READ)
			io_uring_prep_readv(sqe, s->us->fd, s->batch, (unsigned)n, s->off);
		else
			io_uring_prep_writev(sqe, s->us->fd, s->batch, (unsigned)n, s->off);
	}
	io_uring_sqe_set_data(sqe, s);
	s->us->stats.sqes++;
	if (!s->us->reaping && !s->us->cq->batch)
		ring_submit(s->us);
}

/* A READV/WRITEV of @res bytes finished: continue, sync, or finish. */
static void slot_rw_done(struct uring_slot *s, int res)
{
	if (res == 0 && s->req->op == BS_OP_READ) {
		/* Someone shrank the file under us: the rest reads as a hole. */
		bs_cursor_zero(&s->cur, s->left);
		s->left = 0;
	} else if (res == 0) {
		slot_finish(s, -EIO);
		return;
	}
	bs_cursor_advance(&s->cur, (size_t)res);
	s->off += (uint64_t)res;
	s->left -= (size_t)res;
	if (s->left > 0) {
		slot_issue(s);	/* a short transfer: the rest */
	} else if (s->req->op == BS_OP_WRITE && s->req->fua) {
		s->stage = STAGE_SYNC;
		slot_issue(s);
	} else {
		slot_finish(s, 0);
	}
}

static void slot_complete(struct uring_slot *s, int res)
{
	if (res == -EAGAIN || res == -EINTR)
		slot_issue(s);
	else if (res < 0)
		slot_finish(s, res);
	else if (s->stage == STAGE_SYNC)
		slot_finish(s, 0);
	else
		slot_rw_done(s, res);
}

/* Reap every completion the ring holds; owner thread (bs_cq_run). */
static void uring_reap(struct uring_store *us)
{
	struct io_uring_cqe *cqe;

	us->reaping = true;
	while (io_uring_peek_cqe(&us->ring, &cqe) == 0) {
		struct uring_slot *s = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&us->ring, cqe);
		slot_complete(s, res);
	}
	us->reaping = false;
	/* What the completions queued, and what an earlier failed submit
	 * left; a batching owner's bs_cq_flush() does it instead. */
	if (!us->cq->batch)
		ring_flush(us);
}

static struct uring_store *poller_store(struct bs_cq_poller *p)
{
	return (struct uring_store *)((char *)p - offsetof(struct uring_store, poller));
}

static void uring_poll(struct bs_cq_poller *p)
{
	uring_reap(poller_store(p));
}

static void uring_flush(struct bs_cq_poller *p)
{
	ring_flush(poller_store(p));
}

static int uring_submit(struct backend *bs, struct bs_request *req)
{
	struct uring_store *us = bs->priv;
	struct uring_slot *s;
	int rc = bs_check_request(bs, req);

	if (rc < 0)
		return rc;
	if (bs->min_block > 1 && req->op != BS_OP_FLUSH &&
	    (req->offset % bs->min_block != 0 || req->len % bs->min_block != 0))
		return -EINVAL;
	if (req->op == BS_OP_UNMAP)
		return bs_pool_submit(us->pool, req);
	req->cq_next = NULL;
	s = slot_get(us);
	if (s == NULL) {	/* ring full: wait for a slot, in order */
		if (us->wait_tail == NULL)
			us->wait_head = req;
		else
			us->wait_tail->cq_next = req;
		us->wait_tail = req;
		return 0;
	}
	slot_start(s, req);
	return 0;
}

/* ---- open and close ---------------------------------------------------- */

/* O_DIRECT alignment of @fd: offsets (bs->min_block) and memory. */
static int direct_align(int fd, const char *path, uint32_t *off_align, uint32_t *mem_align,
			char *err, size_t errlen)
{
	struct statx stx;
	int lbs;

	if (ioctl(fd, BLKSSZGET, &lbs) == 0 && lbs > 0) {
		*off_align = *mem_align = (uint32_t)lbs;
		return 0;
	}
	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN)) {
		if (stx.stx_dio_offset_align == 0) {
			bs_set_err(err, errlen, "%s: the file system does not do direct I/O "
				   "on it (drop direct)", path);
			return -EINVAL;
		}
		*off_align = stx.stx_dio_offset_align;
		*mem_align = stx.stx_dio_mem_align;
		return 0;
	}
	*off_align = *mem_align = 4096;	/* not reported: the safe bound */
	return 0;
}

static int ring_open(struct uring_store *us, const char *path, char *err, size_t errlen)
{
	int rc = io_uring_queue_init(URING_SLOTS, &us->ring, 0);

	if (rc < 0) {
		bs_set_err(err, errlen, "%s: io=uring: io_uring_queue_init: %s%s", path,
			   strerror(-rc), rc == -ENOSYS || rc == -EPERM ?
			   " (this kernel or container does not allow io_uring; drop io=uring)" : "");
		return rc;
	}
	rc = io_uring_register_eventfd(&us->ring, us->cq->efd);
	if (rc < 0) {
		bs_set_err(err, errlen, "%s: io=uring: io_uring_register_eventfd: %s", path,
			   strerror(-rc));
		io_uring_queue_exit(&us->ring);
	}
	return rc;
}

/* An fd on the same file without O_DIRECT, for the UNMAP workers. */
static int reopen_buffered(int fd, bool readonly, const char *path, char *err, size_t errlen)
{
	char proc[64];
	int nfd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	nfd = open(proc, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (nfd < 0) {
		int e = errno;

		bs_set_err(err, errlen, "%s: reopen without O_DIRECT: %s", path, strerror(e));
		return -e;
	}
	return nfd;
}

/* Close the fds and free; @unlink_path: the file open created, to remove. */
static void store_free(struct uring_store *us, const char *unlink_path)
{
	if (us->pool_fd >= 0 && us->pool_fd != us->fd)
		close(us->pool_fd);
	if (us->fd >= 0)
		close(us->fd);
	bs_bounce_destroy(&us->bounce);
	if (unlink_path != NULL)
		unlink(unlink_path);
	free(us);
}

static struct uring_store *store_alloc(struct backend *bs)
{
	struct uring_store *us = calloc(1, sizeof(*us));

	if (us == NULL)
		return NULL;
	us->fd = us->pool_fd = -1;
	us->cq = bs->cq;
	us->poller.poll = uring_poll;
	us->poller.flush = uring_flush;
	for (int i = URING_SLOTS - 1; i >= 0; i--) {
		us->slots[i].us = us;
		us->slots[i].next_free = us->free;
		us->free = &us->slots[i];
	}
	return us;
}

/* The fds and alignment; everything but the ring and the pool. */
static int open_files(struct backend *bs, struct uring_store *us, const char *path,
		      uint64_t *size, bool *created, char *err, size_t errlen)
{
	uint32_t off_align = 0;
	int rc;

	us->fd = bs_file_open_fd(path, bs->readonly, bs->direct ? O_DIRECT : 0, size,
				 created, err, errlen);
	if (us->fd < 0)
		return us->fd;
	us->pool_fd = us->fd;
	if (!bs->direct)
		return 0;
	rc = direct_align(us->fd, path, &off_align, &us->mem_align, err, errlen);
	if (rc < 0)
		return rc;
	bs_bounce_init(&us->bounce, us->mem_align);
	bs->min_block = off_align;
	us->pool_fd = reopen_buffered(us->fd, bs->readonly, path, err, errlen);
	return us->pool_fd < 0 ? us->pool_fd : 0;
}

static int uring_open(struct backend *bs, const char *path, uint64_t size,
		      char *err, size_t errlen)
{
	struct uring_store *us = store_alloc(bs);
	bool created = false;
	int rc;

	if (us == NULL) {
		bs_set_err(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	rc = open_files(bs, us, path, &size, &created, err, errlen);
	if (rc == 0)
		rc = ring_open(us, path, err, errlen);
	if (rc < 0) {
		store_free(us, created ? path : NULL);
		return rc;
	}
	us->pool = bs_pool_create(URING_UNMAP_WORKERS, bs_file_exec, &us->pool_fd, bs->cq, &rc);
	if (us->pool == NULL) {
		bs_set_err(err, errlen, "%s: cannot start I/O threads: %s", path, strerror(-rc));
		io_uring_queue_exit(&us->ring);
		store_free(us, created ? path : NULL);
		return rc;
	}
	bs->priv = us;
	bs->size = size;
	return 0;
}

/* The poller reaps the ring on the queue's owner thread (bs_cq_run()). */
static void uring_attach(struct backend *bs, bool on)
{
	struct uring_store *us = bs->priv;

	if (on)
		bs_cq_add_poller(bs->cq, &us->poller);
	else
		bs_cq_del_poller(bs->cq, &us->poller);
}

static int uring_grow(struct backend *bs, uint64_t *size, char *err, size_t errlen)
{
	struct uring_store *us = bs->priv;

	return bs_file_grow_fd(us->pool_fd, bs->readonly, size, err, errlen);
}

/* Wait for what is still on the ring (close() should find nothing). */
static void drain_ring(struct uring_store *us)
{
	struct io_uring_cqe *cqe;

	for (;;) {
		ring_flush(us);	/* a batching owner's last iteration, continuations */
		if (us->inflight == 0 || io_uring_wait_cqe(&us->ring, &cqe) != 0)
			break;
		uring_reap(us);
	}
}

static void uring_close(struct backend *bs)
{
	struct uring_store *us = bs->priv;

	if (us == NULL)
		return;
	drain_ring(us);
	bs_pool_destroy(us->pool);	/* queued UNMAPs complete first */
	io_uring_queue_exit(&us->ring);
	store_free(us, NULL);
	bs->priv = NULL;
}

const struct bs_uring_stats *bs_uring_stats(const struct backend *bs)
{
	struct uring_store *us = bs->priv;

	us->stats.bounce_allocs = us->bounce.allocs;
	us->stats.bounce_cached = us->bounce.n;
	return &us->stats;
}

static int uring_map(struct backend *bs, uint64_t offset, uint64_t len,
		     bool *allocated, uint64_t *extent)
{
	struct uring_store *us = bs->priv;

	return bs_file_map_fd(us->fd, offset, len, allocated, extent);
}

/* No set_bandwidth: requests start on the calling thread, which must never
 * wait; ctgt refuses max_bandwidth with io=uring. */
const struct backend_ops bs_uring_ops = {
	.name = "uring",
	.open = uring_open,
	.submit = uring_submit,
	.close = uring_close,
	.map = uring_map,
	.attach = uring_attach,
	.grow = uring_grow,
};
