/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metrics endpoint's pure parts: the HTTP request parser
 * (daemon/metrics_http.c) and the label escaping of the exposition
 * (daemon/metrics_text.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/metrics_http.h"
#include "daemon/metrics_text.h"

/* The status of @req, or 0 when it is incomplete. */
static int status(const char *req)
{
	struct http_request r;

	return http_parse(req, strlen(req), &r) ? r.status : 0;
}

static void test_requests(void **state)
{
	(void)state;
	assert_int_equal(status("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	assert_int_equal(status("GET /metrics HTTP/1.0\n\n"), 200);
	assert_int_equal(status("GET /metrics?a=b HTTP/1.1\r\n\r\n"), 200);
	assert_int_equal(status("GET http://h:1/metrics HTTP/1.1\r\n\r\n"), 200);
	assert_int_equal(status("\r\nGET /metrics HTTP/1.1\r\n\r\n"), 200);
	assert_int_equal(status("GET / HTTP/1.1\r\n\r\n"), 404);
	assert_int_equal(status("GET /metrics/ HTTP/1.1\r\n\r\n"), 404);
	assert_int_equal(status("POST /metrics HTTP/1.1\r\n\r\n"), 405);
	assert_int_equal(status("GET /metrics HTTP/2.0\r\n\r\n"), 505);
}

static void test_head_and_length(void **state)
{
	const char *req = "HEAD /metrics HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n\r\n";
	struct http_request r;

	(void)state;
	assert_true(http_parse(req, strlen(req), &r));
	assert_int_equal(r.status, 200);
	assert_true(r.head);
	assert_int_equal(r.len, strlen("HEAD /metrics HTTP/1.1\r\n\r\n"));
}

static void test_incomplete_and_malformed(void **state)
{
	(void)state;
	assert_int_equal(status(""), 0);
	assert_int_equal(status("GET /met"), 0);
	assert_int_equal(status("GET /metrics HTTP/1.1\r"), 0);
	assert_int_equal(status("GET /metrics HTTP/1.1\r\nHost: x\r\n"), 0);
	/* Refused at the first bad byte, not once the bound is reached. */
	assert_int_equal(status("\x01"), 400);
	assert_int_equal(status("GET /m\rx"), 400);
	assert_int_equal(status("GET /metrics HTTP/1.1\r\nHost: \x01"), 400);
	assert_int_equal(status("GET /metrics\r\n"), 400);
	assert_int_equal(status("GET  /metrics HTTP/1.1\r\n"), 400);
	assert_int_equal(status("GET /metrics HTTP/1.1\r\nno colon\r\n"), 400);
	assert_int_equal(status("GET /metrics HTTP/1.1\r\nA: 1\r\n folded\r\n"), 400);
	assert_int_equal(status("GET /metrics HTTP/1.1\r\n: empty name\r\n"), 400);
}

static void test_label_escaping(void **state)
{
	struct mtext t = { 0 };

	(void)state;
	mt_label(&t, "a\\b\"c\nd:e");
	assert_false(t.failed);
	assert_string_equal(t.p, "a\\\\b\\\"c\\nd:e");
	free(t.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_head_and_length),
		cmocka_unit_test(test_incomplete_and_malformed),
		cmocka_unit_test(test_label_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
