/* SPDX-License-Identifier: Apache-2.0 */
#include "iscsi/auth_throttle.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/param.h"

struct auth_fail {
	bool used;
	bool is_name;			/* key is an InitiatorName, else an address */
	char key[ISCSI_NAME_LEN];
	uint32_t count;
	uint64_t last_ms;
};

struct auth_throttle {
	struct auth_fail slot[AUTH_FAIL_SLOTS];
};

void auth_throttle_addr_key(const char *host, char *out, size_t len)
{
	struct in6_addr a;
	char buf[INET6_ADDRSTRLEN];

	if (strchr(host, ':') && inet_pton(AF_INET6, host, &a) == 1 &&
	    !IN6_IS_ADDR_V4MAPPED(&a)) {
		memset(&a.s6_addr[8], 0, 8);
		inet_ntop(AF_INET6, &a, buf, sizeof(buf));
		snprintf(out, len, "%s/64", buf);
		return;
	}
	snprintf(out, len, "%s", host);
}

struct auth_throttle *auth_throttle_new(void)
{
	return calloc(1, sizeof(struct auth_throttle));
}

void auth_throttle_free(struct auth_throttle *t)
{
	free(t);
}

static struct auth_fail *find(struct auth_throttle *t, bool is_name, const char *key,
			      uint64_t now)
{
	for (size_t i = 0; t && key && key[0] && i < AUTH_FAIL_SLOTS; i++) {
		struct auth_fail *f = &t->slot[i];

		if (f->used && now - f->last_ms > AUTH_FAIL_FORGET_MS)
			f->used = false;
		if (f->used && f->is_name == is_name && strcmp(f->key, key) == 0)
			return f;
	}
	return NULL;
}

/* A slot for @key: its own, a free one, or the one unused the longest. */
static struct auth_fail *slot_for(struct auth_throttle *t, bool is_name, const char *key,
				  uint64_t now)
{
	struct auth_fail *f = find(t, is_name, key, now), *old = NULL;

	if (f)
		return f;
	for (size_t i = 0; i < AUTH_FAIL_SLOTS; i++) {
		f = &t->slot[i];
		if (!f->used) {
			old = f;
			break;
		}
		if (!old || f->last_ms < old->last_ms)
			old = f;
	}
	*old = (struct auth_fail){ .used = true, .is_name = is_name };
	snprintf(old->key, sizeof(old->key), "%s", key);
	return old;
}

static void count(struct auth_throttle *t, bool is_name, const char *key, uint64_t now)
{
	struct auth_fail *f;

	if (!t || !key || !key[0])
		return;
	f = slot_for(t, is_name, key, now);
	if (f->count < UINT32_MAX)
		f->count++;
	f->last_ms = now;
}

void auth_throttle_fail(struct auth_throttle *t, const char *addr, const char *name,
			uint64_t now_ms)
{
	count(t, false, addr, now_ms);
	count(t, true, name, now_ms);
}

void auth_throttle_success(struct auth_throttle *t, const char *addr, const char *name,
			   uint64_t now_ms)
{
	struct auth_fail *f;

	if ((f = find(t, false, addr, now_ms)) != NULL)
		f->used = false;
	if ((f = find(t, true, name, now_ms)) != NULL)
		f->used = false;
}

uint64_t auth_throttle_delay(struct auth_throttle *t, const char *addr, const char *name,
			     uint64_t now_ms)
{
	struct auth_fail *a = find(t, false, addr, now_ms), *n = find(t, true, name, now_ms);
	uint32_t fails = a ? a->count : 0;
	uint64_t ms;

	if (n && n->count > fails)
		fails = n->count;
	if (fails == 0)
		return 0;
	ms = (uint64_t)AUTH_DELAY_BASE_MS << (fails > 5 ? 5 : fails - 1);
	return ms > AUTH_DELAY_MAX_MS ? AUTH_DELAY_MAX_MS : ms;
}
