/* SPDX-License-Identifier: Apache-2.0 */
/*
 * malloc_count.so: counts a process's heap allocations, for tests that
 * check the data path allocates nothing per command (no_malloc.sh).
 *
 * LD_PRELOAD'ed, it interposes malloc, calloc, realloc, posix_memalign,
 * aligned_alloc and memalign, counts each call (all threads, relaxed
 * atomics) and forwards it to glibc's own entry points (__libc_malloc...,
 * so no dlsym, which itself allocates). At exit it writes the count,
 * "allocs N", to the file named by $MALLOC_COUNT_OUT (if set). Not for
 * sanitizer builds: their runtimes own malloc.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);

static atomic_ullong allocs;

static void count(void)
{
	atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
}

void *malloc(size_t size)
{
	count();
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	count();
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	count();
	return __libc_realloc(p, size);
}

void *memalign(size_t align, size_t size)
{
	count();
	return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	count();
	return __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return EINVAL;
	count();
	p = __libc_memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("MALLOC_COUNT_OUT");
	FILE *f;

	if (!path || !(f = fopen(path, "w")))
		return;
	fprintf(f, "allocs %llu\n", (unsigned long long)atomic_load(&allocs));
	fclose(f);
}
