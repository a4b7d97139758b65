/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A thread's mailbox: other threads send it messages (a function and its
 * argument), and its event loop runs them, in the order each sender sent
 * them. Built on util/mpsc.h (no lock) and an eventfd registered on the
 * loop, which is written only when a message lands in an empty mailbox.
 *
 * Messages are intrusive: struct ev_msg is part of the sender's object,
 * which belongs to the mailbox from ev_mbox_send() until its function runs
 * (on the receiving thread, which may free or reuse it from then on). So
 * sending never allocates and never fails.
 */
#ifndef CTGT_EVENT_MBOX_H
#define CTGT_EVENT_MBOX_H

#include "event/evloop.h"
#include "util/list.h"
#include "util/mpsc.h"

struct ev_msg;
typedef void (*ev_msg_fn)(struct ev_msg *msg);

struct ev_msg {
	struct mpsc_node node;	/**< the mailbox's while queued */
	ev_msg_fn fn;		/**< runs on the receiving thread */
};

struct ev_mbox {
	struct mpsc q;
	int efd;
	struct evloop *loop;
};

/** Set up on the receiving thread's @loop (before other threads send).
 *  Returns 0 or -errno. */
int ev_mbox_init(struct ev_mbox *mb, struct evloop *loop);

/** Receiving thread: stop watching and close; messages still queued are
 *  run first (their senders count on them). */
void ev_mbox_destroy(struct ev_mbox *mb);

/** Any thread: queue @msg (its fn set) for the receiving thread. */
void ev_mbox_send(struct ev_mbox *mb, struct ev_msg *msg);

/** Receiving thread: run every queued message now; returns how many ran.
 *  The loop does this by itself when the eventfd is readable. */
int ev_mbox_run(struct ev_mbox *mb);

#endif
