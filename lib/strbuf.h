/*
 * strbuf.h - a growable, always NUL-terminated byte buffer (git's strbuf,
 * reduced).  strbuf_init() allocates nothing; strbuf_release() frees and
 * may be called twice.  Allocation failures exit (see xalloc.h).
 */
#ifndef BBR_STRBUF_H
#define BBR_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;   /* never NULL after init: points at "" when empty */
	size_t len;
	size_t alloc;
};

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hand the buffer to the caller (free() it); sb is left empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

#endif
