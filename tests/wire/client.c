/* SPDX-License-Identifier: Apache-2.0 */
#include "tests/wire/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- socket ---- */

int wire_connect(int port)
{
	return wire_connect_from(port, NULL);
}

int wire_connect_from(int port, const char *src)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct sockaddr_in me = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	if (src) {
		inet_pton(AF_INET, src, &me.sin_addr);
		assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
	}
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

uint64_t wire_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		assert_true(w > 0);
		p += w;
		len -= (size_t)w;
	}
}

/* Read exactly @len bytes; 0, or -1 on EOF or after 5 s without data. */
int recv_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&pfd, 1, 5000) <= 0)
			return -1;
		r = read(fd, p, len);
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* True when the peer closes the connection within 5 s (after draining PDUs). */
int wait_closed(int fd)
{
	uint8_t buf[4096];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 5000) <= 0)
			return 0;
		if (read(fd, buf, sizeof(buf)) <= 0)
			return 1;
	}
}

/* Nothing arrives within @ms milliseconds. */
void assert_quiet(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&pfd, 1, ms), 0);
}


void rx_free(struct rx *rx)
{
	free(rx->data);
	rx->data = NULL;
	rx->len = 0;
}

/* Receive one PDU (no digests, no AHS expected). 0, or -1 on EOF/timeout. */
int recv_pdu(int fd, struct rx *rx)
{
	uint32_t padded;

	rx_free(rx);
	if (recv_all(fd, rx->bhs, ISCSI_BHS_LEN) < 0)
		return -1;
	assert_int_equal(bhs_ahs_len(rx->bhs), 0);
	rx->len = bhs_data_len(rx->bhs);
	padded = rx->len + iscsi_pad(rx->len);
	rx->data = calloc(1, padded + 1);
	assert_non_null(rx->data);
	if (padded && recv_all(fd, rx->data, padded) < 0)
		return -1;
	rx->data[rx->len] = 0;
	return 0;
}

void expect_pdu(int fd, struct rx *rx, uint8_t op)
{
	assert_int_equal(recv_pdu(fd, rx), 0);
	assert_int_equal(bhs_opcode(rx->bhs), op);
}

void send_pdu(int fd, uint8_t bhs[ISCSI_BHS_LEN], const void *data, uint32_t len)
{
	static const uint8_t pad[4];

	bhs_set_data_len(bhs, len);
	send_all(fd, bhs, ISCSI_BHS_LEN);
	if (len) {
		send_all(fd, data, len);
		send_all(fd, pad, iscsi_pad(len));
	}
}

/* Value of @key in a key=value\0 list, or NULL. */
const char *find_key(const uint8_t *data, uint32_t len, const char *key)
{
	size_t kl = strlen(key);
	uint32_t i = 0;

	while (i < len) {
		const char *kv = (const char *)data + i;
		size_t n = strnlen(kv, len - i);

		if (n > kl && memcmp(kv, key, kl) == 0 && kv[kl] == '=')
			return kv + kl + 1;
		i += (uint32_t)n + 1;
	}
	return NULL;
}

size_t add_key(char *buf, size_t len, size_t cap, const char *kv)
{
	size_t n = strlen(kv) + 1;

	assert_true(len + n <= cap);
	memcpy(buf + len, kv, n);
	return len + n;
}


void login_bhs(uint8_t bhs[ISCSI_BHS_LEN], uint8_t flags, uint8_t isid_last)
{
	static const uint8_t isid[5] = { 0x80, 0x44, 0x46, 0x54, 0x00 };

	memset(bhs, 0, ISCSI_BHS_LEN);
	bhs[BHS_OPCODE] = ISCSI_OP_LOGIN_REQ | ISCSI_OP_IMMEDIATE;
	bhs[BHS_FLAGS] = flags;
	memcpy(bhs + BHS_LOGIN_ISID, isid, 5);
	bhs[BHS_LOGIN_ISID + 5] = isid_last;
	bhs_set_u32(bhs, BHS_ITT, 0x1000);
	bhs_set_u32(bhs, BHS_CMDSN, 1);
}
