/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bandwidth limit of one backing store: READ and WRITE requests are paced so
 * that together they move at most a given number of bytes per second (the
 * QoS cap an administrator puts on a LU so that it cannot starve the others
 * on the same disks, or to make a fast store behave like a slow medium).
 *
 * The pacing is a virtual clock: each request books the time its bytes take
 * at the limit, starting when the previous booking ends or now, whichever is
 * later, and runs when its booking ends, as if the medium had taken that
 * long to move it. An idle store earns no credit: a burst after a pause is
 * paced like any other.
 *
 * Private to backend/. Not thread-safe: the caller serializes bookings.
 */
#ifndef CTGT_BACKEND_THROTTLE_H
#define CTGT_BACKEND_THROTTLE_H

#include <stdint.h>

struct bs_throttle {
	uint64_t bytes_per_sec;	/**< 0: no limit */
	uint64_t next_ns;	/**< when the last booking ends */
};

/**
 * Book @bytes arriving at @now_ns (any monotonic nanosecond clock) and
 * return when their booking ends, the time at which the request may run
 * (>= @now_ns); @now_ns itself when there is no limit.
 */
uint64_t bs_throttle_book(struct bs_throttle *t, uint64_t now_ns, uint64_t bytes);

#endif
