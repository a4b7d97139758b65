/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daemon/access.h: copying a target's access settings, and handing them
 * to the running server as one struct ctgt_access.
 */
#include "daemon/access.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctgt/admin.h"
#include "daemon/config_internal.h"

static int chap_copy(struct ctgt_chap_cfg *dst, const struct ctgt_chap_cfg *src)
{
	if (src->user == NULL)
		return 0;
	dst->user = strdup(src->user);
	dst->secret = strdup(src->secret);
	return dst->user && dst->secret ? 0 : -ENOMEM;
}

static int initiator_copy(struct ctgt_initiator_cfg *dst, const struct ctgt_initiator_cfg *src)
{
	dst->map_luns = src->map_luns;
	if ((dst->name = strdup(src->name)) == NULL || chap_copy(&dst->chap, &src->chap) < 0)
		return -ENOMEM;
	if (src->nluns == 0)
		return 0;
	if ((dst->luns = calloc(src->nluns, sizeof(*dst->luns))) == NULL)
		return -ENOMEM;
	memcpy(dst->luns, src->luns, src->nluns * sizeof(*dst->luns));
	dst->nluns = src->nluns;
	return 0;
}

int access_copy(struct ctgt_target_cfg *dst, const struct ctgt_target_cfg *src)
{
	if (chap_copy(&dst->chap, &src->chap) < 0 ||
	    chap_copy(&dst->mutual_chap, &src->mutual_chap) < 0)
		return -ENOMEM;
	if (src->nallow && (dst->allow = calloc(src->nallow, sizeof(*dst->allow))) == NULL)
		return -ENOMEM;
	for (; dst->nallow < src->nallow; dst->nallow++)
		if ((dst->allow[dst->nallow] = strdup(src->allow[dst->nallow])) == NULL)
			return -ENOMEM;
	if (src->ninitiators &&
	    (dst->initiators = calloc(src->ninitiators, sizeof(*dst->initiators))) == NULL)
		return -ENOMEM;
	for (; dst->ninitiators < src->ninitiators; dst->ninitiators++)
		if (initiator_copy(&dst->initiators[dst->ninitiators],
				   &src->initiators[dst->ninitiators]) < 0) {
			dst->ninitiators++;	/* freed with the rest */
			return -ENOMEM;
		}
	return 0;
}

void access_move(struct ctgt_target_cfg *dst, struct ctgt_target_cfg *src)
{
	struct ctgt_target_cfg old = { 0 };

	old.chap = dst->chap;
	old.mutual_chap = dst->mutual_chap;
	old.allow = dst->allow;
	old.nallow = dst->nallow;
	old.initiators = dst->initiators;
	old.ninitiators = dst->ninitiators;
	free_target(&old);
	dst->chap = src->chap;
	dst->mutual_chap = src->mutual_chap;
	dst->allow = src->allow;
	dst->nallow = src->nallow;
	dst->initiators = src->initiators;
	dst->ninitiators = src->ninitiators;
	memset(&src->chap, 0, sizeof(src->chap));
	memset(&src->mutual_chap, 0, sizeof(src->mutual_chap));
	src->allow = NULL;
	src->nallow = 0;
	src->initiators = NULL;
	src->ninitiators = 0;
}

/* @ic as the public initiator settings, its map in @map (room for all). */
static void initiator_params(const struct ctgt_initiator_cfg *ic, struct ctgt_lun_map *map,
			     struct ctgt_initiator_params *p)
{
	for (size_t i = 0; i < ic->nluns; i++)
		map[i] = (struct ctgt_lun_map){ .lun = ic->luns[i].lun,
						.target_lun = ic->luns[i].target_lun,
						.readonly = ic->luns[i].readonly };
	*p = (struct ctgt_initiator_params){ .name = ic->name, .chap_user = ic->chap.user,
					     .chap_secret = ic->chap.secret,
					     .map_luns = ic->map_luns, .luns = map,
					     .nluns = ic->nluns };
}

int access_apply(struct ctgt_server *srv, const char *iqn, const struct ctgt_target_cfg *a,
		 bool check_only, struct ctgt_access_effect *fx, char *err, size_t errlen)
{
	struct ctgt_access acc = { .chap_user = a->chap.user, .chap_secret = a->chap.secret,
				   .mutual_user = a->mutual_chap.user,
				   .mutual_secret = a->mutual_chap.secret,
				   .rules = (const char *const *)a->allow, .nrules = a->nallow,
				   .ninitiators = a->ninitiators };
	struct ctgt_initiator_params *ps = calloc(a->ninitiators + 1, sizeof(*ps));
	struct ctgt_lun_map **maps = calloc(a->ninitiators + 1, sizeof(*maps));
	int rc = ps && maps ? 0 : -ENOMEM;

	for (size_t i = 0; rc == 0 && i < a->ninitiators; i++) {
		const struct ctgt_initiator_cfg *ic = &a->initiators[i];

		maps[i] = calloc(ic->nluns + 1, sizeof(*maps[i]));
		if (maps[i] == NULL)
			rc = -ENOMEM;
		else
			initiator_params(ic, maps[i], &ps[i]);
	}
	acc.initiators = ps;
	if (rc == 0)
		rc = ctgt_server_set_access(srv, iqn, &acc, check_only, fx, err, errlen);
	else
		set_err(err, errlen, "out of memory");
	for (size_t i = 0; maps && i < a->ninitiators; i++)
		free(maps[i]);
	free(maps);
	free(ps);
	return rc;
}
