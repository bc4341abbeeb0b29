/*
 * sha256.c - the one SHA-256 implementation bbroot uses: OpenSSL's EVP
 * interface, so digests are fed as data streams past (downloads, tar
 * writers) and never need a second read.
 */
#include "sha256.h"
#include "diag.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

static int ssl_error(const char *what)
{
	char buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
	return bbr_error("%s: %s", what, buf);
}

int sha256_init(struct sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	h->ctx = NULL;
	if (!ctx)
		return ssl_error("cannot create sha256 context");
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return ssl_error("cannot start sha256");
	}
	h->ctx = ctx;
	return 0;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	/* EVP_DigestUpdate cannot fail for an initialised software digest. */
	EVP_DigestUpdate(h->ctx, data, len);
}

int sha256_final_hex(struct sha256 *h, char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
		return ssl_error("cannot finish sha256");
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * n] = '\0';
	return 0;
}

void sha256_release(struct sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

int sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1], long long *size)
{
	struct sha256 h = { NULL };
	unsigned char buf[65536];
	long long total = 0;
	int fd, rc = -1;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bbr_error("cannot open '%s': %s", path, strerror(errno));
	if (sha256_init(&h) < 0)
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			bbr_error("cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		sha256_update(&h, buf, (size_t)n);
		total += n;
	}
	if (sha256_final_hex(&h, hex) < 0)
		goto out;
	if (size)
		*size = total;
	rc = 0;
out:
	sha256_release(&h);
	close(fd);
	return rc;
}

int sha256_hex_valid(const char *s)
{
	size_t i;

	for (i = 0; i < SHA256_HEX_LEN; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[i] == '\0';
}

void sha256_hex_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}
