/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An intrusive, lock-free queue with many producers and one consumer: the
 * way one thread hands work to another without a lock that both take.
 *
 * Producers push onto a stack with one compare-and-swap; the consumer takes
 * the whole stack with one exchange and reverses it, so it sees the nodes
 * oldest first. No ABA problem: nodes leave only all at once, through the
 * consumer. The queue never allocates: the node is part of the caller's
 * object, which belongs to the queue from mpsc_push() until the consumer has
 * taken it.
 *
 * Waking the consumer is the caller's business: mpsc_push() says whether the
 * queue was empty, so only the first push after a take needs a wake-up (the
 * consumer must clear its wake-up signal *before* taking, so a push that
 * lands after the take finds the queue empty and signals again).
 */
#ifndef CTGT_UTIL_MPSC_H
#define CTGT_UTIL_MPSC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct mpsc_node {
	struct mpsc_node *next;
};

struct mpsc {
	_Atomic(struct mpsc_node *) top;
};

static inline void mpsc_init(struct mpsc *q)
{
	atomic_init(&q->top, NULL);
}

/** Any thread: queue @n. Returns true when the queue was empty before. */
static inline bool mpsc_push(struct mpsc *q, struct mpsc_node *n)
{
	struct mpsc_node *old = atomic_load_explicit(&q->top, memory_order_relaxed);

	do
		n->next = old;
	while (!atomic_compare_exchange_weak_explicit(&q->top, &old, n, memory_order_release,
						      memory_order_relaxed));
	return old == NULL;
}

/** Consumer only: everything pushed so far, oldest first, linked by next
 *  (NULL when the queue is empty). */
static inline struct mpsc_node *mpsc_take_all(struct mpsc *q)
{
	struct mpsc_node *n = atomic_exchange_explicit(&q->top, NULL, memory_order_acquire);
	struct mpsc_node *fifo = NULL;

	while (n) {
		struct mpsc_node *next = n->next;

		n->next = fifo;
		fifo = n;
		n = next;
	}
	return fifo;
}

/** Any thread: whether anything is queued (a hint: it may change at once). */
static inline bool mpsc_empty(struct mpsc *q)
{
	return atomic_load_explicit(&q->top, memory_order_relaxed) == NULL;
}

#endif
