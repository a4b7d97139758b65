/* SPDX-License-Identifier: Apache-2.0 */
#include "event/evloop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define EV_MAX_EVENTS	64
#define EV_MAX_HOOKS	8

/*
 * File registrations live in an fd-indexed table (like ae's events[]), so a
 * deletion inside a callback simply clears the slot and any event for that fd
 * still in this round's epoll batch is skipped: the batch carries the fd, not
 * a pointer.
 */
struct ev_file {
	unsigned events;	/* 0 = not registered */
	ev_fd_fn fn;
	void *arg;
};

struct ev_timer {
	uint64_t when;
	uint64_t id;
	ev_timer_fn fn;
	void *arg;
};

struct ev_hook {
	ev_hook_fn fn;
	void *arg;
};

struct evloop {
	int epfd;
	bool stop;
	struct ev_file *files;
	int nfiles;
	struct ev_timer *heap;		/* min-heap on when */
	size_t nheap, capheap;
	uint64_t next_timer_id;
	struct ev_hook hooks[EV_MAX_HOOKS];
	int nhooks;
};

uint64_t evloop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct evloop *evloop_create(void)
{
	struct evloop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->next_timer_id = 1;
	return loop;
}

void evloop_destroy(struct evloop *loop)
{
	if (!loop)
		return;
	close(loop->epfd);
	free(loop->files);
	free(loop->heap);
	free(loop);
}

static uint32_t to_epoll(unsigned events)
{
	return ((events & EV_READ) ? EPOLLIN : 0) | ((events & EV_WRITE) ? EPOLLOUT : 0);
}

static int grow_files(struct evloop *loop, int fd)
{
	int n = loop->nfiles ? loop->nfiles : 64;
	struct ev_file *f;

	while (n <= fd)
		n *= 2;
	f = realloc(loop->files, (size_t)n * sizeof(*f));
	if (!f)
		return -ENOMEM;
	memset(f + loop->nfiles, 0, (size_t)(n - loop->nfiles) * sizeof(*f));
	loop->files = f;
	loop->nfiles = n;
	return 0;
}

int evloop_add_fd(struct evloop *loop, int fd, unsigned events, ev_fd_fn fn, void *arg)
{
	struct epoll_event ev = { .events = to_epoll(events), .data.fd = fd };
	int rc;

	if (fd < 0)
		return -EBADF;
	if (fd >= loop->nfiles && (rc = grow_files(loop, fd)) < 0)
		return rc;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	loop->files[fd].events = events | 0x100u;	/* mark registered even with no events */
	loop->files[fd].fn = fn;
	loop->files[fd].arg = arg;
	return 0;
}

int evloop_mod_fd(struct evloop *loop, int fd, unsigned events)
{
	struct epoll_event ev = { .events = to_epoll(events), .data.fd = fd };

	if (fd < 0 || fd >= loop->nfiles || !loop->files[fd].events)
		return -ENOENT;
	if ((loop->files[fd].events & 3u) == events)
		return 0;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	loop->files[fd].events = events | 0x100u;
	return 0;
}

void evloop_del_fd(struct evloop *loop, int fd)
{
	if (fd < 0 || fd >= loop->nfiles || !loop->files[fd].events)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->files[fd].events = 0;
	loop->files[fd].fn = NULL;
	loop->files[fd].arg = NULL;
}

static void heap_swap(struct ev_timer *h, size_t a, size_t b)
{
	struct ev_timer t = h[a];

	h[a] = h[b];
	h[b] = t;
}

static void heap_up(struct ev_timer *h, size_t i)
{
	while (i > 0 && h[(i - 1) / 2].when > h[i].when) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct ev_timer *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < n && h[l].when < h[m].when)
			m = l;
		if (r < n && h[r].when < h[m].when)
			m = r;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

static void heap_remove_at(struct evloop *loop, size_t i)
{
	loop->heap[i] = loop->heap[--loop->nheap];
	if (i < loop->nheap) {
		heap_down(loop->heap, loop->nheap, i);
		heap_up(loop->heap, i);
	}
}

uint64_t evloop_add_timer(struct evloop *loop, uint64_t ms, ev_timer_fn fn, void *arg)
{
	if (loop->nheap == loop->capheap) {
		size_t cap = loop->capheap ? loop->capheap * 2 : 16;
		struct ev_timer *h = realloc(loop->heap, cap * sizeof(*h));

		if (!h)
			return 0;
		loop->heap = h;
		loop->capheap = cap;
	}
	uint64_t id = loop->next_timer_id++;

	loop->heap[loop->nheap] = (struct ev_timer){
		.when = evloop_now_ms() + ms, .id = id, .fn = fn, .arg = arg,
	};
	heap_up(loop->heap, loop->nheap++);
	return id;
}

void evloop_del_timer(struct evloop *loop, uint64_t id)
{
	/* Linear: timers are few (one keep-alive per connection). */
	for (size_t i = 0; i < loop->nheap; i++) {
		if (loop->heap[i].id == id) {
			heap_remove_at(loop, i);
			return;
		}
	}
}

int evloop_add_hook(struct evloop *loop, ev_hook_fn fn, void *arg)
{
	if (loop->nhooks == EV_MAX_HOOKS)
		return -ENOSPC;
	loop->hooks[loop->nhooks++] = (struct ev_hook){ .fn = fn, .arg = arg };
	return 0;
}

static void run_timers(struct evloop *loop)
{
	uint64_t now = evloop_now_ms();

	while (loop->nheap && loop->heap[0].when <= now) {
		struct ev_timer t = loop->heap[0];

		heap_remove_at(loop, 0);
		t.fn(loop, t.arg);
	}
}

static int run_hooks(struct evloop *loop)
{
	int busy = 0;

	for (int i = 0; i < loop->nhooks; i++)
		busy |= loop->hooks[i].fn(loop, loop->hooks[i].arg);
	return busy;
}

static int sleep_timeout(struct evloop *loop, int busy)
{
	uint64_t now;

	if (busy)
		return 0;
	if (!loop->nheap)
		return -1;
	now = evloop_now_ms();
	return loop->heap[0].when <= now ? 0 : (int)(loop->heap[0].when - now);
}

static void dispatch(struct evloop *loop, const struct epoll_event *ev)
{
	int fd = ev->data.fd;
	unsigned mask = 0;
	struct ev_file *f;

	if (fd >= loop->nfiles || !loop->files[fd].events)
		return;		/* deleted earlier in this batch */
	f = &loop->files[fd];
	if (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		mask |= EV_READ;
	if (ev->events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		mask |= EV_WRITE;
	mask &= f->events | (ev->events & (EPOLLHUP | EPOLLERR) ? 3u : 0u);
	if (mask)
		f->fn(loop, fd, mask, f->arg);
}

int evloop_run(struct evloop *loop)
{
	struct epoll_event evs[EV_MAX_EVENTS];

	loop->stop = false;
	while (!loop->stop) {
		int timeout = sleep_timeout(loop, run_hooks(loop));
		int n;

		if (loop->stop)
			break;	/* a hook may end the loop */
		n = epoll_wait(loop->epfd, evs, EV_MAX_EVENTS, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !loop->stop; i++)
			dispatch(loop, &evs[i]);
		run_timers(loop);
	}
	return 0;
}

void evloop_stop(struct evloop *loop)
{
	loop->stop = true;
}
