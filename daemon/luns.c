/* SPDX-License-Identifier: Apache-2.0 */
#include "daemon/luns.h"

#include <stdio.h>

#include "ctgt/admin.h"

/*
 * The APTPL file of LUN @lun of @target in the state directory:
 * "<DIR>/<target name>-lun<N>.pr", every character of the name other than
 * [A-Za-z0-9.-] replaced by '_' (so "iqn.2026-11.io.ctgt:disk0" gives
 * "iqn.2026-11.io.ctgt_disk0-lun0.pr").
 */
static void pr_file_name(const char *dir, const char *target, uint64_t lun, char *out, size_t len)
{
	char safe[256];
	size_t i;

	for (i = 0; target[i] && i < sizeof(safe) - 1; i++) {
		char c = target[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '-';

		safe[i] = ok ? c : '_';
	}
	safe[i] = '\0';
	snprintf(out, len, "%s/%s-lun%llu.pr", dir, safe, (unsigned long long)lun);
}

int daemon_add_lun(struct ctgt_server *srv, const char *iqn, const struct ctgt_lun_cfg *lc,
		   const struct ctgt_config *cfg, bool live, char *err, size_t errlen)
{
	char pr_file[4096];
	struct ctgt_lu_params p = lc->params;

	/* The reservation settings are the daemon's, the same for every LU. */
	p.pr_max_registrations = cfg->pr_max_regs;
	if (cfg->state_dir) {
		pr_file_name(cfg->state_dir, iqn, p.lun, pr_file, sizeof(pr_file));
		p.pr_file = pr_file;
	}
	if (live)
		return ctgt_server_lun_add(srv, iqn, &p, lc->path, err, errlen);
	return ctgt_server_add_store(srv, iqn, &p, lc->path, err, errlen);
}
