/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The slow-down of repeated CHAP failures: failures are counted per source
 * address (IPv6: per /64) and per InitiatorName in a table of AUTH_FAIL_SLOTS entries (the
 * entry unused the longest makes room; an entry is forgotten
 * AUTH_FAIL_FORGET_MS after its last failure). The answer to the next CHAP
 * response from a counted address or name waits 1 s, 2 s, 4 s ... up to
 * AUTH_DELAY_MAX_MS. Pure bookkeeping with the time passed in; one table
 * per server, on its thread.
 */
#ifndef CTGT_ISCSI_AUTH_THROTTLE_H
#define CTGT_ISCSI_AUTH_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#define AUTH_FAIL_SLOTS		256
#define AUTH_FAIL_FORGET_MS	(10 * 60 * 1000)
#define AUTH_DELAY_BASE_MS	1000
#define AUTH_DELAY_MAX_MS	16000

struct auth_throttle;

/**
 * The key an address is counted under: an IPv4 address as it is, an IPv6
 * address by its /64 network (one host commonly holds a whole /64, so
 * counting single IPv6 addresses would let it rotate past the slow-down).
 * @host is numeric; @out gets at least INET6_ADDRSTRLEN + 4 bytes.
 */
void auth_throttle_addr_key(const char *host, char *out, size_t len);

/** An empty table, or NULL on no memory. */
struct auth_throttle *auth_throttle_new(void);
void auth_throttle_free(struct auth_throttle *t);

/** A failure from address @addr as initiator @name ("" or NULL: unknown). */
void auth_throttle_fail(struct auth_throttle *t, const char *addr, const char *name,
			uint64_t now_ms);
/** A success: the address's and the name's counts end. */
void auth_throttle_success(struct auth_throttle *t, const char *addr, const char *name,
			   uint64_t now_ms);
/** How long to hold the answer to a CHAP response from @addr as @name. */
uint64_t auth_throttle_delay(struct auth_throttle *t, const char *addr, const char *name,
			     uint64_t now_ms);

#endif
