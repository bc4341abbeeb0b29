/*
 * sha256.h - streaming SHA-256 over OpenSSL EVP, fed while bytes stream
 * (never a second pass).  sha256_init() allocates the EVP context;
 * sha256_release() frees it and is safe twice.  Digests print lower-case.
 */
#ifndef BBR_SHA256_H
#define BBR_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

struct sha256 {
	void *ctx; /* EVP_MD_CTX */
};

/* 0 or -1 (with a message naming the OpenSSL error). */
int sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t len);
/* Write 64 hex digits + NUL into hex; the context may then be reused
 * only after sha256_init(). 0 or -1. */
int sha256_final_hex(struct sha256 *h, char hex[SHA256_HEX_LEN + 1]);
void sha256_release(struct sha256 *h);

/* One-shot digest of a file by path; 0 or -1 with a message. */
int sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1], long long *size);

/* 1 if s is exactly 64 hex digits (either case), else 0. */
int sha256_hex_valid(const char *s);
/* Lower-case a valid hex digest in place. */
void sha256_hex_lower(char *s);

#endif
