/*
 * deb.h - the busybox binary inside a Debian package (busybox-static_*.deb):
 * the `ar` container, its data.tar.{xz,gz,zst} member, and `bin/busybox`
 * in that.  Read with libarchive; nothing is written to disk.
 */
#ifndef BBR_DEB_H
#define BBR_DEB_H

#include <stddef.h>

#include "../lib/sha256.h"

/* 1 if the file at path starts like a Debian package ("!<arch>\n"),
 * 0 if not, -1 with a message when it cannot be read. */
int deb_is_package(const char *path);

/*
 * Extract bin/busybox from the package at `path` (`name` for messages)
 * into *image (malloc'd, *size bytes), hashing it as it is read into
 * `hex`.  Members larger than max_size are refused.  0, or -1 with a
 * message naming the package and libarchive's cause; a package without a
 * regular bin/busybox records exit class 3.
 */
int deb_extract_busybox(const char *path, const char *name, long long max_size,
			unsigned char **image, size_t *size, char hex[SHA256_HEX_LEN + 1]);

#endif
