/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File backing store: a regular file or a block device, accessed with
 * preadv/pwritev on the backend worker pool (backend/pool.c) so that a
 * slow disk never stalls the network thread.
 *
 * Reads first try the page cache from the submitting (network) thread:
 * preadv2(RWF_NOWAIT) copies what is cached and never waits for the disk.
 * A full hit completes on the completion queue's local list, with no
 * thread hand-off; a miss (EAGAIN), or the rest of a partial hit, goes to
 * the pool as before. A read above FILE_INLINE_MAX always goes to the
 * pool: its copy then overlaps the network thread's work (sending the
 * previous one), which a large sequential transfer needs more than it
 * needs to save the hand-off. Not tried with a bandwidth cap (the workers pace
 * it), nor again once the kernel or file system refused RWF_NOWAIT. The
 * store promises no order among requests in flight (its workers run them
 * side by side), so a read that passes queued ones changes nothing.
 */
#include "backend/bs_internal.h"
#include "backend/file_internal.h"
#include "backend/iov_cursor.h"
#include "backend/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_WORKERS 4

struct file_store {
	int fd;
	struct bs_pool *pool;
	bool capped;		/* a bandwidth cap is set (atomic: any thread sets it) */
	bool no_nowait;		/* RWF_NOWAIT refused; submitting thread */
	struct bs_file_stats stats; /* submitting thread */
};

/* ---- I/O, run on worker threads ---------------------------------------- */

static int file_rw(int fd, const struct bs_request *req)
{
	struct bs_iov_cursor c = { .iov = req->iov, .iovcnt = req->iovcnt };
	struct iovec batch[BS_IOV_BATCH];
	uint64_t off = req->offset + req->progress;
	size_t left = req->len - req->progress;

	bs_cursor_advance(&c, req->progress);
	while (left > 0) {
		int n = bs_cursor_batch(&c, left, batch);
		ssize_t got;

		if (n == 0)
			return -EINVAL;

		if (req->op == BS_OP_READ)
			got = preadv(fd, batch, n, (off_t)off);
		else
			got = pwritev(fd, batch, n, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0) {
			/* Someone shrank the file under us: it reads as a hole. */
			if (req->op == BS_OP_READ) {
				bs_cursor_zero(&c, left);
				return 0;
			}
			return -EIO;
		}
		bs_cursor_advance(&c, (size_t)got);
		off += (uint64_t)got;
		left -= (size_t)got;
	}
	return 0;
}

static int file_sync(int fd)
{
	while (fdatasync(fd) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/* Write zeros over [off, off+len): UNMAP where holes cannot be punched. */
static int file_write_zeros(int fd, uint64_t off, uint64_t len)
{
	static const uint8_t zeros[64 * 1024];

	while (len > 0) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		ssize_t got = pwrite(fd, zeros, n, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return -EIO;
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	return 0;
}

/*
 * Deallocate a range. Punching a hole frees a regular file's blocks; on a
 * block device it zeroes the range (discarding when the device guarantees
 * zeros). Either way the range reads back as zeros, which is what LBPRZ
 * promises; a store that can do neither gets the zeros written.
 */
static int file_unmap(int fd, uint64_t off, uint64_t len)
{
	if (len == 0)
		return 0;
	while (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			 (off_t)off, (off_t)len) < 0) {
		if (errno == EOPNOTSUPP)
			return file_write_zeros(fd, off, len);
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int bs_file_exec(void *arg, struct bs_request *req)
{
	int fd = *(const int *)arg;
	int rc;

	switch (req->op) {
	case BS_OP_READ:
		return file_rw(fd, req);
	case BS_OP_WRITE:
		rc = file_rw(fd, req);
		if (rc == 0 && req->fua)
			rc = file_sync(fd);
		return rc;
	case BS_OP_FLUSH:
		return file_sync(fd);
	case BS_OP_UNMAP:
		return file_unmap(fd, req->offset, req->len);
	}
	return -EINVAL;
}

/* ---- inline reads, on the submitting thread ---------------------------- */

static size_t iov_bytes(const struct iovec *iov, int n)
{
	size_t len = 0;

	for (int i = 0; i < n; i++)
		len += iov[i].iov_len;
	return len;
}

/*
 * Read what the page cache holds of @req, from its start, without
 * blocking; returns how many bytes (maybe 0). It stops at the first
 * short or failed preadv2: a miss (EAGAIN), end of file (a shrunken file,
 * whose zeros the worker fills in), EINTR, a real error: the worker
 * redoes the rest and reports. EOPNOTSUPP or EINVAL mean this kernel or
 * file system does not know RWF_NOWAIT: never try again on this store.
 */
static size_t read_cached(struct file_store *fs, const struct bs_request *req)
{
	struct bs_iov_cursor c = { .iov = req->iov, .iovcnt = req->iovcnt };
	struct iovec batch[BS_IOV_BATCH];
	size_t done = 0;

	while (done < req->len) {
		int n = bs_cursor_batch(&c, req->len - done, batch);
		size_t want = iov_bytes(batch, n);
		ssize_t got;

		if (n == 0)
			break;
		got = preadv2(fs->fd, batch, n, (off_t)(req->offset + done), RWF_NOWAIT);
		if (got < 0 && (errno == EOPNOTSUPP || errno == EINVAL)) {
			fs->no_nowait = true;
			fs->stats.nowait_refused++;
		}
		if (got <= 0)
			break;
		bs_cursor_advance(&c, (size_t)got);
		done += (size_t)got;
		if ((size_t)got < want)
			break;	/* a partial hit: the next page is not cached */
	}
	return done;
}

/* Whether @req is a READ worth trying from the page cache inline. */
static bool try_inline(const struct file_store *fs, const struct bs_request *req)
{
	return req->op == BS_OP_READ && req->len <= FILE_INLINE_MAX && !fs->no_nowait &&
	       !__atomic_load_n(&fs->capped, __ATOMIC_RELAXED);
}

static int file_submit(struct backend *bs, struct bs_request *req)
{
	struct file_store *fs = bs->priv;
	int rc = bs_check_request(bs, req);

	if (rc < 0)
		return rc;
	req->progress = 0;
	if (try_inline(fs, req)) {
		req->progress = read_cached(fs, req);
		if (req->progress == req->len) {
			fs->stats.inline_reads++;
			req->result = 0;
			bs_cq_push_local(bs->cq, req);	/* done() runs from bs_cq_run() */
			return 0;
		}
		if (req->progress > 0)
			fs->stats.partial_reads++;
	}
	return bs_pool_submit(fs->pool, req);
}

const struct bs_file_stats *bs_file_stats(const struct backend *bs)
{
	const struct file_store *fs = bs->priv;

	return &fs->stats;
}

/* ---- open: settle the file's size -------------------------------------- */

/* Whether the directory @path would be created in exists. */
static bool parent_exists(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	bool ok;

	if (slash == NULL)
		return true;
	if (slash == path)
		return true;
	dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return false;
	ok = access(dir, F_OK) == 0;
	free(dir);
	return ok;
}

/*
 * Open @path read-write (@readonly: read-only, so that a file or device
 * without write permission can be served); a missing file is created when a
 * size says how big it must be, unless it is to be read only. *created
 * tells the caller to unlink it if open fails later.
 */
static int open_or_create(const char *path, uint64_t size, bool readonly, int flags,
			  bool *created, char *err, size_t errlen)
{
	int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | flags);

	*created = false;
	if (fd < 0 && errno == ENOENT && size > 0 && !readonly) {
		/* 0600: a disk image holds someone's data; umask may narrow it further. */
		fd = open(path, O_RDWR | O_CLOEXEC | O_CREAT | O_EXCL | flags, 0600);
		*created = fd >= 0;
	}
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT && readonly)
			bs_set_err(err, errlen, "open %s: %s (a readonly store must exist)",
				   path, strerror(e));
		else if (e == ENOENT && size == 0 && parent_exists(path))
			bs_set_err(err, errlen, "open %s: %s (give a size to create it)",
				   path, strerror(e));
		else
			bs_set_err(err, errlen, "open %s: %s", path, strerror(e));
		return -e;
	}
	return fd;
}

static int size_regular(int fd, const char *path, const struct stat *st, bool readonly,
			uint64_t *size, char *err, size_t errlen)
{
	uint64_t have = (uint64_t)st->st_size;

	if (*size == 0) {
		if (have == 0) {
			bs_set_err(err, errlen, "%s: file is empty (give a size to grow it)", path);
			return -EINVAL;
		}
		*size = have;
		return 0;
	}
	if (have > *size) {
		bs_set_err(err, errlen,
			   "%s: file is %llu bytes, larger than the requested %llu; "
			   "refusing to truncate it (drop the size or use the file's)",
			   path, (unsigned long long)have, (unsigned long long)*size);
		return -EINVAL;
	}
	if (*size > (uint64_t)INT64_MAX) {
		bs_set_err(err, errlen, "%s: size %llu is too large", path,
			   (unsigned long long)*size);
		return -EFBIG;
	}
	if (have < *size && readonly) {
		bs_set_err(err, errlen,
			   "%s: file is %llu bytes, smaller than the requested %llu; "
			   "a readonly store is not grown", path,
			   (unsigned long long)have, (unsigned long long)*size);
		return -EINVAL;
	}
	/* Growing with ftruncate leaves a hole: no blocks are written. */
	if (have < *size && ftruncate(fd, (off_t)*size) < 0) {
		int e = errno;

		bs_set_err(err, errlen, "resize %s to %llu bytes: %s", path,
			   (unsigned long long)*size, strerror(e));
		return -e;
	}
	return 0;
}

static int size_blockdev(int fd, const char *path, uint64_t *size,
			 char *err, size_t errlen)
{
	uint64_t have;

	if (ioctl(fd, BLKGETSIZE64, &have) < 0) {
		int e = errno;

		bs_set_err(err, errlen, "%s: cannot read device size: %s", path, strerror(e));
		return -e;
	}
	if (*size > have) {
		bs_set_err(err, errlen, "%s: device is %llu bytes, smaller than the requested %llu",
			   path, (unsigned long long)have, (unsigned long long)*size);
		return -EINVAL;
	}
	if (*size == 0)
		*size = have;
	if (*size == 0) {
		bs_set_err(err, errlen, "%s: device is empty", path);
		return -EINVAL;
	}
	return 0;
}

static int settle_size(int fd, const char *path, bool readonly, uint64_t *size,
		       char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		int e = errno;

		bs_set_err(err, errlen, "stat %s: %s", path, strerror(e));
		return -e;
	}
	if (S_ISREG(st.st_mode))
		return size_regular(fd, path, &st, readonly, size, err, errlen);
	if (S_ISBLK(st.st_mode))
		return size_blockdev(fd, path, size, err, errlen);
	bs_set_err(err, errlen, "%s: not a regular file or block device", path);
	return -EINVAL;
}

int bs_file_grow_fd(int fd, bool readonly, uint64_t *size, char *err, size_t errlen)
{
	const char *path = "the store";	/* the caller names it */
	struct stat st;

	if (fstat(fd, &st) < 0) {
		int e = errno;

		bs_set_err(err, errlen, "stat: %s", strerror(e));
		return -e;
	}
	/* A file already larger than asked (grown by hand): nothing to do. */
	if (S_ISREG(st.st_mode) && *size != 0 && *size <= (uint64_t)st.st_size)
		return 0;
	return settle_size(fd, path, readonly, size, err, errlen);
}

int bs_file_open_fd(const char *path, bool readonly, int flags, uint64_t *size,
		    bool *created, char *err, size_t errlen)
{
	int fd, rc;

	fd = open_or_create(path, *size, readonly, flags, created, err, errlen);
	if (fd < 0)
		return fd;
	rc = settle_size(fd, path, readonly, size, err, errlen);
	if (rc < 0) {
		close(fd);
		if (*created)
			unlink(path);
		*created = false;
		return rc;
	}
	return fd;
}

static int file_open(struct backend *bs, const char *path, uint64_t size,
		     char *err, size_t errlen)
{
	struct file_store *fs;
	bool created;
	int fd, rc = -ENOMEM;

	fd = bs_file_open_fd(path, bs->readonly, 0, &size, &created, err, errlen);
	if (fd < 0)
		return fd;
	fs = calloc(1, sizeof(*fs));
	if (fs == NULL) {
		bs_set_err(err, errlen, "%s: out of memory", path);
		goto err_close;
	}
	fs->fd = fd;
	fs->pool = bs_pool_create(FILE_WORKERS, bs_file_exec, &fs->fd, bs->cq, &rc);
	if (fs->pool == NULL) {
		bs_set_err(err, errlen, "%s: cannot start I/O threads: %s", path, strerror(-rc));
		free(fs);
		goto err_close;
	}
	bs->priv = fs;
	bs->size = size;
	return 0;

err_close:
	close(fd);
	if (created)
		unlink(path);
	return rc;
}

/* ---- allocation map ---------------------------------------------------- */

/*
 * SEEK_DATA/SEEK_HOLE tell data from holes in a sparse file. A block device
 * or a file system without the support (lseek fails, or treats the whole
 * file as data) reports everything allocated, which is always true enough:
 * an allocated block may hold zeros.
 */
int bs_file_map_fd(int fd, uint64_t offset, uint64_t len, bool *allocated, uint64_t *extent)
{
	off_t data, hole;
	uint64_t end;

	*allocated = true;
	*extent = len;
	data = lseek(fd, (off_t)offset, SEEK_DATA);
	if (data < 0) {
		/* ENXIO: no data at or after offset, so a hole to the end. */
		if (errno == ENXIO)
			*allocated = false;
		return 0;
	}
	if ((uint64_t)data > offset) {
		*allocated = false;
		end = (uint64_t)data;
	} else {
		hole = lseek(fd, (off_t)offset, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole <= offset)
			return 0;
		end = (uint64_t)hole;
	}
	if (end - offset < len)
		*extent = end - offset;
	return 0;
}

static int file_map(struct backend *bs, uint64_t offset, uint64_t len,
		    bool *allocated, uint64_t *extent)
{
	struct file_store *fs = bs->priv;

	return bs_file_map_fd(fs->fd, offset, len, allocated, extent);
}

static void file_close(struct backend *bs)
{
	struct file_store *fs = bs->priv;

	if (fs == NULL)
		return;
	bs_pool_destroy(fs->pool);	/* queued requests complete first */
	close(fs->fd);
	free(fs);
	bs->priv = NULL;
}

static void file_set_bandwidth(struct backend *bs, uint64_t bytes_per_sec)
{
	struct file_store *fs = bs->priv;

	/* Before the pool's: a capped read never slips past the workers. */
	__atomic_store_n(&fs->capped, bytes_per_sec != 0, __ATOMIC_RELAXED);
	bs_pool_set_bandwidth(fs->pool, bytes_per_sec);
}

static int file_grow(struct backend *bs, uint64_t *size, char *err, size_t errlen)
{
	struct file_store *fs = bs->priv;

	return bs_file_grow_fd(fs->fd, bs->readonly, size, err, errlen);
}

const struct backend_ops bs_file_ops = {
	.name = "file",
	.open = file_open,
	.submit = file_submit,
	.close = file_close,
	.map = file_map,
	.set_bandwidth = file_set_bandwidth,
	.grow = file_grow,
};
