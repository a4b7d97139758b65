/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the metrics endpoint's HTTP request parser
 * (daemon/metrics_http.c), a pure function over a buffer. The input is
 * the bytes a client sends. Besides memory safety it checks what the
 * endpoint relies on: a complete (or refused) head has a status the
 * endpoint answers and a length within the buffer; the answer does not
 * depend on how much was read (parsing the head's own bytes gives the
 * same answer, and a prefix that already has an answer keeps it), so a
 * request cut into any reads is answered the same.
 */
#include <stdint.h>
#include <stdlib.h>

#include "daemon/metrics_http.h"

static bool same(const struct http_request *a, const struct http_request *b)
{
	return a->status == b->status && a->head == b->head && a->len == b->len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct http_request full, part;
	bool done = http_parse(buf, size, &full);
	size_t cut = size ? (size_t)data[0] * size / 256 : 0;

	if (done) {
		if (full.len > size || (full.status != 200 && full.status != 400 &&
					full.status != 404 && full.status != 405 &&
					full.status != 505))
			abort();
		if (full.head && full.status != 200 && full.status != 404 && full.status != 505)
			abort();	/* HEAD is a method we serve */
		if ((full.status == 400) != (full.len == 0))
			abort();
		if (full.status != 400 && (!http_parse(buf, full.len, &part) || !same(&full, &part)))
			abort();
	}
	/* A prefix with an answer: the whole has the same one. */
	if (http_parse(buf, cut, &part) && (!done || !same(&full, &part)))
		abort();
	return 0;
}
