/* SPDX-License-Identifier: Apache-2.0 */
#include "backend/throttle.h"

#define NS_PER_SEC 1000000000u

uint64_t bs_throttle_book(struct bs_throttle *t, uint64_t now_ns, uint64_t bytes)
{
	uint64_t start;
	unsigned __int128 ns;	/* the booking's length */

	if (t->bytes_per_sec == 0)
		return now_ns;
	start = t->next_ns > now_ns ? t->next_ns : now_ns;
	/* bytes * 10^9 overflows 64 bits beyond 18 GB: widen. */
	ns = (unsigned __int128)bytes * NS_PER_SEC / t->bytes_per_sec;
	t->next_ns = ns > UINT64_MAX - start ? UINT64_MAX : start + (uint64_t)ns;
	return t->next_ns;
}
