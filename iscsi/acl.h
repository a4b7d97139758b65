/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Access control of one target (RFC 7143 leaves it to the implementation):
 * which initiator names and which source networks may log in. Pure
 * matching, no I/O; any thread.
 *
 * A rule is an iSCSI name or an IPv4/IPv6 network ("10.0.0.0/8",
 * "fd00::/8", or an address alone = /32 or /128). With name rules the
 * initiator's name must be one of them; with network rules its address must
 * lie in one of them; with both, both must hold. No rule: everyone.
 */
#ifndef CTGT_ISCSI_ACL_H
#define CTGT_ISCSI_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "iscsi/param.h"

struct acl_rule {
	bool is_net;
	char name[ISCSI_NAME_LEN];	/* is_net false: the initiator name */
	int family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];		/* network address, host bits zero */
	unsigned prefix;		/* 0..32 or 0..128 */
};

struct acl {
	struct acl_rule *rules;
	size_t n;
};

/** Parse "IQN" or "ADDR[/PREFIX]" into @r; NULL or why not. */
const char *acl_rule_parse(struct acl_rule *r, const char *s);

/** Append a copy of @r; 0 or -ENOMEM. */
int acl_add(struct acl *a, const struct acl_rule *r);
void acl_free(struct acl *a);

/** Whether @r (a network rule) holds @sa (IPv4-mapped IPv6 counts as IPv4). */
bool acl_net_match(const struct acl_rule *r, const struct sockaddr *sa);

/** Whether initiator @name connecting from @sa (NULL: unknown) may log in. */
bool acl_permits(const struct acl *a, const char *name, const struct sockaddr *sa);

#endif
