/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request parser of the metrics endpoint (daemon/metrics_http.h),
 * after RFC 9112: request-line = method SP request-target SP HTTP-version,
 * then field lines "name: value", then an empty line. Lines end in CRLF
 * or a bare LF (3.5 allows it); a CR anywhere else, a control character,
 * a folded field line or a field name that is not a token is malformed.
 */
#include "daemon/metrics_http.h"

#include <string.h>
#include <strings.h>

#define METRICS_PATH "/metrics"

/* RFC 9110 5.6.2 tchar. */
static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A byte a field value may hold: VCHAR, SP, HTAB or obs-text. */
static bool is_value_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

struct line {
	const unsigned char *p;
	size_t n;		/* without the CR LF or LF */
};

/* The line at @pos: 1 and @l when it is complete, 0 when it is not, -1 when
 * a CR is not followed by its LF. @pos moves past the line's end. */
static int next_line(const unsigned char *b, size_t len, size_t *pos, struct line *l)
{
	const unsigned char *nl = memchr(b + *pos, '\n', len - *pos);
	const unsigned char *cr;
	size_t end;

	if (nl == NULL) {
		cr = memchr(b + *pos, '\r', len - *pos);
		/* A CR must be the last byte so far (its LF still to come). */
		return cr != NULL && cr != b + len - 1 ? -1 : 0;
	}
	end = (size_t)(nl - b);
	l->p = b + *pos;
	l->n = end - *pos;
	if (l->n > 0 && l->p[l->n - 1] == '\r')
		l->n--;
	if (memchr(l->p, '\r', l->n) != NULL)
		return -1;
	*pos = end + 1;
	return 1;
}

/* The parts of a request line. */
struct reqline {
	struct line method, target;
	int major, minor;
};

/* Split @l; false when it is malformed. */
static bool split_request_line(const struct line *l, struct reqline *r)
{
	size_t i = 0, t0;
	const unsigned char *v;

	while (i < l->n && is_tchar(l->p[i]))
		i++;
	if (i == 0 || i == l->n || l->p[i] != ' ')
		return false;
	r->method = (struct line){ l->p, i };
	t0 = ++i;
	while (i < l->n && l->p[i] > 0x20 && l->p[i] < 0x7f)
		i++;
	if (i == t0 || i == l->n || l->p[i] != ' ')
		return false;
	r->target = (struct line){ l->p + t0, i - t0 };
	v = l->p + i + 1;
	if (l->n - i - 1 != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		return false;
	r->major = v[5] - '0';
	r->minor = v[7] - '0';
	return true;
}

/* Whether a field line is "name: value" with a token name. */
static bool field_ok(const struct line *l)
{
	size_t i = 0;

	while (i < l->n && is_tchar(l->p[i]))
		i++;
	if (i == 0 || i == l->n || l->p[i] != ':')
		return false;	/* also a folded line: it starts with SP or HTAB */
	for (i++; i < l->n; i++)
		if (!is_value_char(l->p[i]))
			return false;
	return true;
}

/* Whether the unfinished line at @p (@n bytes) can still become a good one:
 * no control character but a final CR. */
static bool partial_ok(const unsigned char *p, size_t n, bool request_line)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r' && i == n - 1)
			break;
		if (request_line ? (p[i] < 0x20 || p[i] >= 0x7f) : !is_value_char(p[i]))
			return false;
	}
	return true;
}

/* The path of an origin-form or absolute-form ("http://host/path") target,
 * without its query. */
static struct line target_path(struct line t)
{
	static const char scheme[] = "http://";
	const unsigned char *q;

	if (t.n >= sizeof(scheme) - 1 && strncasecmp((const char *)t.p, scheme,
						     sizeof(scheme) - 1) == 0) {
		const unsigned char *slash = memchr(t.p + 7, '/', t.n - 7);

		if (slash == NULL)
			return (struct line){ (const unsigned char *)"/", 1 };
		t.n -= (size_t)(slash - t.p);
		t.p = slash;
	}
	q = memchr(t.p, '?', t.n);
	if (q != NULL)
		t.n = (size_t)(q - t.p);
	return t;
}

static bool line_is(const struct line *l, const char *s)
{
	return l->n == strlen(s) && memcmp(l->p, s, l->n) == 0;
}

/* The answer to a well-formed request. */
static int request_status(const struct reqline *r, bool *head)
{
	struct line path = target_path(r->target);

	*head = line_is(&r->method, "HEAD");
	if (r->major != 1)
		return 505;
	if (!line_is(&path, METRICS_PATH))
		return 404;
	if (!*head && !line_is(&r->method, "GET"))
		return 405;
	return 200;
}

static bool done(struct http_request *req, int status, size_t len)
{
	req->status = status;
	req->len = len;
	return true;
}

bool http_parse(const char *buf, size_t len, struct http_request *req)
{
	const unsigned char *b = (const unsigned char *)buf;
	struct reqline r = { 0 };
	struct line l;
	size_t pos = 0;
	bool have_line = false;
	int rc;

	memset(req, 0, sizeof(*req));
	while ((rc = next_line(b, len, &pos, &l)) == 1) {
		if (!have_line) {
			if (l.n == 0)
				continue;	/* RFC 9112 2.2: empty lines before it */
			if (!split_request_line(&l, &r))
				return done(req, 400, 0);
			have_line = true;
		} else if (l.n == 0) {
			return done(req, request_status(&r, &req->head), pos);
		} else if (!field_ok(&l)) {
			return done(req, 400, 0);
		}
	}
	if (rc < 0 || !partial_ok(b + pos, len - pos, !have_line))
		return done(req, 400, 0);
	return false;
}
