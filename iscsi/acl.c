/* SPDX-License-Identifier: Apache-2.0 */
#include "iscsi/acl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/iscsi_name.h"

/* Zero the bits of @addr past @prefix. */
static void mask(uint8_t *addr, size_t len, unsigned prefix)
{
	for (size_t i = 0; i < len; i++) {
		unsigned keep = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * (unsigned)i : 0;

		addr[i] &= (uint8_t)(0xff00u >> keep);
	}
}

static const char *parse_net(struct acl_rule *r, const char *s)
{
	const char *slash = strchr(s, '/');
	char host[INET6_ADDRSTRLEN];
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max, prefix = 0;

	if (hl == 0 || hl >= sizeof(host))
		return "bad address";
	memcpy(host, s, hl);
	host[hl] = '\0';
	memset(r, 0, sizeof(*r));
	r->is_net = true;
	if (inet_pton(AF_INET, host, r->addr) == 1)
		r->family = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, host, r->addr) == 1)
		r->family = AF_INET6, max = 128;
	else
		return "not an iSCSI name, nor an IPv4/IPv6 address or network";
	if (!slash) {
		prefix = max;
	} else {
		const char *p = slash + 1;

		if (!*p || strlen(p) > 3)
			return "bad prefix length";
		for (; *p; p++) {
			if (*p < '0' || *p > '9' || (p == slash + 1 && *p == '0' && p[1]))
				return "bad prefix length";
			prefix = prefix * 10 + (unsigned)(*p - '0');
		}
		if (prefix > max)
			return r->family == AF_INET ? "IPv4 prefix longer than 32" :
						      "IPv6 prefix longer than 128";
	}
	r->prefix = prefix;
	mask(r->addr, r->family == AF_INET ? 4 : 16, prefix);
	return NULL;
}

const char *acl_rule_parse(struct acl_rule *r, const char *s)
{
	if (strncasecmp(s, "iqn.", 4) == 0 || strncasecmp(s, "eui.", 4) == 0 ||
	    strncasecmp(s, "naa.", 4) == 0) {
		const char *why = iscsi_name_problem(s, false);

		if (why)
			return why;
		memset(r, 0, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "%s", s);
		return NULL;
	}
	return parse_net(r, s);
}

int acl_add(struct acl *a, const struct acl_rule *r)
{
	struct acl_rule *n = realloc(a->rules, (a->n + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	a->rules = n;
	a->rules[a->n++] = *r;
	return 0;
}

void acl_free(struct acl *a)
{
	free(a->rules);
	a->rules = NULL;
	a->n = 0;
}

bool acl_net_match(const struct acl_rule *r, const struct sockaddr *sa)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	uint8_t a[16];
	size_t len;

	if (!sa || !r->is_net)
		return false;
	if (sa->sa_family == AF_INET) {
		memcpy(a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		len = 4;
		if (r->family != AF_INET)
			return false;
	} else if (sa->sa_family == AF_INET6) {
		const uint8_t *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

		if (r->family == AF_INET && memcmp(b, v4mapped, 12) == 0) {
			memcpy(a, b + 12, 4);	/* ::ffff:a.b.c.d against an IPv4 rule */
			len = 4;
		} else if (r->family == AF_INET6) {
			memcpy(a, b, 16);
			len = 16;
		} else {
			return false;
		}
	} else {
		return false;
	}
	mask(a, len, r->prefix);
	return memcmp(a, r->addr, len) == 0;
}

bool acl_permits(const struct acl *a, const char *name, const struct sockaddr *sa)
{
	bool have_name = false, have_net = false, name_ok = false, net_ok = false;

	for (size_t i = 0; i < a->n; i++) {
		const struct acl_rule *r = &a->rules[i];

		if (r->is_net) {
			have_net = true;
			net_ok = net_ok || acl_net_match(r, sa);
		} else {
			have_name = true;
			/* iSCSI names compare case-insensitively (RFC 3722). */
			name_ok = name_ok || strcasecmp(r->name, name) == 0;
		}
	}
	return (!have_name || name_ok) && (!have_net || net_ok);
}
