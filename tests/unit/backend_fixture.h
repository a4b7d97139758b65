/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixture of the backend unit tests: a completion queue and a fresh
 * temporary directory holding the backing file path (not created).
 */
#ifndef CTGT_TESTS_BACKEND_FIXTURE_H
#define CTGT_TESTS_BACKEND_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "backend/backend.h"

struct fixture {
	struct bs_cq cq;
	char dir[64];
	char path[128];		/**< DIR/disk.img */
	char err[256];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || bs_cq_init(&f->cq) != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ctgt-bs-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/disk.img", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	bs_cq_destroy(&f->cq);
	free(f);
	return 0;
}

#endif
