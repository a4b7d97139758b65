/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small event loop in the spirit of Redis ae: file events (epoll), one-shot
 * timers kept in a binary heap, and before-sleep hooks. One loop per thread;
 * protocol code registers callbacks and never runs a loop of its own.
 *
 * The event layer (event/) sits under the protocol: iscsi/ and embed/ use
 * it, it uses nothing of ctgt but util/. What a thread's loop carries
 * besides (timers, completion queues) belongs here too.
 */
#ifndef CTGT_EVENT_EVLOOP_H
#define CTGT_EVENT_EVLOOP_H

#include <stdint.h>

#define EV_READ  1u
#define EV_WRITE 2u

struct evloop;

/** File event callback; @events is a mask of EV_READ/EV_WRITE (errors are reported as both). */
typedef void (*ev_fd_fn)(struct evloop *loop, int fd, unsigned events, void *arg);
typedef void (*ev_timer_fn)(struct evloop *loop, void *arg);
/** Runs before the loop sleeps; returns nonzero when it still has work (do not sleep). */
typedef int (*ev_hook_fn)(struct evloop *loop, void *arg);

struct evloop *evloop_create(void);
void evloop_destroy(struct evloop *loop);

/** Watch @fd for @events; one registration per fd. Returns 0 or -errno. */
int evloop_add_fd(struct evloop *loop, int fd, unsigned events, ev_fd_fn fn, void *arg);
/** Change the watched events of a registered fd. */
int evloop_mod_fd(struct evloop *loop, int fd, unsigned events);
/** Stop watching @fd. Safe inside any callback: no stale event for it is delivered. */
void evloop_del_fd(struct evloop *loop, int fd);

/** Call @fn once after @ms milliseconds; returns a timer id (> 0) or 0 on no memory. */
uint64_t evloop_add_timer(struct evloop *loop, uint64_t ms, ev_timer_fn fn, void *arg);
/** Cancel a timer that has not fired; unknown ids are ignored. */
void evloop_del_timer(struct evloop *loop, uint64_t id);

/** Register a before-sleep hook (at most 8). Returns 0 or -ENOSPC. */
int evloop_add_hook(struct evloop *loop, ev_hook_fn fn, void *arg);

/** Run until evloop_stop(); returns 0, or -errno if epoll failed. */
int evloop_run(struct evloop *loop);
void evloop_stop(struct evloop *loop);

/** Monotonic milliseconds. */
uint64_t evloop_now_ms(void);

#endif
