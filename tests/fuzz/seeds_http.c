/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seeds of fuzz_http (gen_corpus.h): request heads as a scraper, curl
 * and a hand-typed client send them, and the malformed ones the endpoint
 * refuses.
 */
#include "tests/fuzz/gen_corpus.h"

static void http(const char *name, const char *req)
{
	struct buf b = { .len = 0 };

	put_str(&b, req);
	save("http", name, &b);
}

void gen_http(void)
{
	http("prometheus", "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9100\r\n"
	     "User-Agent: Prometheus/2.45.0\r\nAccept: application/openmetrics-text;version=1.0.0,"
	     "text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\nAccept-Encoding: gzip\r\n"
	     "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n");
	http("curl", "GET /metrics HTTP/1.1\r\nHost: localhost:9100\r\nUser-Agent: curl/7.88.1\r\n"
	     "Accept: */*\r\n\r\n");
	http("http10-lf", "GET /metrics HTTP/1.0\n\n");
	http("head", "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	http("query", "GET /metrics?name[]=ctgt_lu_reads_total HTTP/1.1\r\n\r\n");
	http("absolute", "GET http://127.0.0.1:9100/metrics HTTP/1.1\r\n\r\n");
	http("leading-crlf", "\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n");
	http("post", "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
	http("not-found", "GET / HTTP/1.1\r\n\r\n");
	http("http2", "GET /metrics HTTP/2.0\r\n\r\n");
	http("pipelined", "GET /metrics HTTP/1.1\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n");
	http("folded", "GET /metrics HTTP/1.1\r\nX-A: 1\r\n continued\r\n\r\n");
	http("no-colon", "GET /metrics HTTP/1.1\r\nbroken header\r\n\r\n");
	http("bare-cr", "GET /metrics HTTP/1.1\rHost: x\r\n\r\n");
	http("no-version", "GET /metrics\r\n\r\n");
	http("unfinished", "GET /metrics HTTP/1.1\r\nHost: x\r\n");
	http("tab-value", "GET /metrics HTTP/1.1\r\nX-T: a\tb\xff\r\n\r\n");
}
