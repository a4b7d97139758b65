/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal hand-driven iSCSI client for the wire tests: loopback sockets,
 * whole-PDU send and receive (no digests), and key=value helpers. Failures
 * are cmocka assertions, so these are only for use inside cmocka tests.
 */
#ifndef CTGT_TESTS_WIRE_CLIENT_H
#define CTGT_TESTS_WIRE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "iscsi/pdu.h"

/** One received PDU; data holds the data segment plus a NUL and is owned. */
struct rx {
	uint8_t bhs[ISCSI_BHS_LEN];
	uint8_t *data;		/* data segment plus a NUL, owned */
	uint32_t len;
};

/** Login flags: operational stage, transit to full feature phase. */
#define LOGIN_TO_FFP	(ISCSI_LOGIN_TRANSIT | (ISCSI_STAGE_OPERATIONAL << 2) | \
			 ISCSI_STAGE_FULL_FEATURE)

/** A Login Request header: ITT 0x1000, CmdSN 1, ISID 80 44 46 54 00 @isid_last. */
void login_bhs(uint8_t bhs[ISCSI_BHS_LEN], uint8_t flags, uint8_t isid_last);

/** Connect to 127.0.0.1:@port (asserts on failure). */
int wire_connect(int port);
/** The same from loopback address @src (127.0.0.X), or any when NULL. */
int wire_connect_from(int port, const char *src);
/** CLOCK_MONOTONIC in milliseconds. */
uint64_t wire_now_ms(void);
/** Write all @len bytes (asserts on failure). */
void send_all(int fd, const void *buf, size_t len);
/** Read exactly @len bytes; 0, or -1 on EOF or after 5 s without data. */
int recv_all(int fd, void *buf, size_t len);
/** True when the peer closes the connection within 5 s (after draining PDUs). */
int wait_closed(int fd);
/** Assert that nothing arrives within @ms milliseconds. */
void assert_quiet(int fd, int ms);
void rx_free(struct rx *rx);
/** Receive one PDU (no digests, no AHS); 0, or -1 on EOF/timeout. Frees rx's old data. */
int recv_pdu(int fd, struct rx *rx);
/** Receive one PDU and assert its opcode. */
void expect_pdu(int fd, struct rx *rx, uint8_t op);
/** Send @bhs (its data length set to @len), @data and padding. */
void send_pdu(int fd, uint8_t bhs[ISCSI_BHS_LEN], const void *data, uint32_t len);
/** Value of @key in a key=value\0 list, or NULL. */
const char *find_key(const uint8_t *data, uint32_t len, const char *key);
/** Append "kv\0" to @buf holding @len of @cap bytes; returns the new length. */
size_t add_key(char *buf, size_t len, size_t cap, const char *kv);

#endif
