/*
 * xalloc.h - allocation wrappers that die on out-of-memory, so callers
 * need no per-call checks.  Everything returned is freed with free().
 */
#ifndef BBR_XALLOC_H
#define BBR_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formatted allocation; never returns NULL. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grow *array (of *alloc elements of elsize bytes) to hold at least need. */
void xgrow(void **array, size_t *alloc, size_t need, size_t elsize);

#endif
