/*
 * deb.c - take bin/busybox out of a .deb with two libarchive readers: the
 * outer one reads the `ar` container, the inner one reads the data.tar.*
 * member straight from the outer one's data stream (no temporary file).
 * Only the formats and filters a .deb uses are enabled.
 */
#include "deb.h"
#include "../bbroot.h"
#include "../lib/diag.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

int deb_is_package(const char *path)
{
	char magic[8];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return bbr_error("cannot open '%s': %s", path, strerror(errno));
	n = read(fd, magic, sizeof(magic));
	close(fd);
	if (n < 0)
		return bbr_error("cannot read '%s': %s", path, strerror(errno));
	return n == 8 && !memcmp(magic, "!<arch>\n", 8);
}

/* The inner reader pulls the data member's bytes from the outer reader. */
static la_ssize_t read_member(struct archive *inner, void *user, const void **buf)
{
	static char block[65536];
	struct archive *outer = user;
	la_ssize_t n = archive_read_data(outer, block, sizeof(block));

	if (n < 0)
		archive_set_error(inner, ARCHIVE_FATAL, "%s", archive_error_string(outer));
	*buf = block;
	return n;
}

static int is_busybox_path(const char *name)
{
	if (!strncmp(name, "./", 2))
		name += 2;
	return !strcmp(name, "bin/busybox");
}

/* Find bin/busybox in the data tarball the outer reader is positioned at. */
static int read_data_tar(struct archive *outer, const char *name, long long max_size,
			 unsigned char **image, size_t *size, char hex[SHA256_HEX_LEN + 1])
{
	struct archive *inner = archive_read_new();
	struct archive_entry *ent;
	struct sha256 h = { NULL };
	unsigned char *buf = NULL;
	size_t len = 0, alloc = 0;
	int r, rc = -1;

	archive_read_support_format_tar(inner);
	archive_read_support_filter_xz(inner);
	archive_read_support_filter_gzip(inner);
	archive_read_support_filter_zstd(inner);
	archive_read_support_filter_none(inner);
	if (archive_read_open(inner, outer, NULL, read_member, NULL) != ARCHIVE_OK) {
		bbr_fail(BBR_EXIT_INTEGRITY, "cannot read package '%s': %s", name,
			 archive_error_string(inner));
		goto out;
	}
	while ((r = archive_read_next_header(inner, &ent)) == ARCHIVE_OK) {
		const char *path = archive_entry_pathname(ent);

		if (!path || !is_busybox_path(path))
			continue;
		if (archive_entry_filetype(ent) != AE_IFREG) {
			bbr_fail(BBR_EXIT_INTEGRITY,
				 "cannot use package '%s': bin/busybox is not a regular file", name);
			goto out;
		}
		if (archive_entry_size(ent) > max_size) {
			bbr_fail(BBR_EXIT_INTEGRITY,
				 "cannot use package '%s': bin/busybox is larger than --max-size", name);
			goto out;
		}
		if (sha256_init(&h) < 0)
			goto out;
		for (;;) {
			la_ssize_t n;

			xgrow((void **)&buf, &alloc, len + 65536, 1);
			n = archive_read_data(inner, buf + len, 65536);
			if (n < 0) {
				bbr_fail(BBR_EXIT_INTEGRITY, "cannot read package '%s': %s", name,
					 archive_error_string(inner));
				goto out;
			}
			if (n == 0)
				break;
			sha256_update(&h, buf + len, (size_t)n);
			len += (size_t)n;
			if ((long long)len > max_size) {
				bbr_fail(BBR_EXIT_INTEGRITY,
					 "cannot use package '%s': bin/busybox is larger than --max-size",
					 name);
				goto out;
			}
		}
		if (sha256_final_hex(&h, hex) < 0)
			goto out;
		*image = buf;
		*size = len;
		buf = NULL;
		rc = 0;
		goto out;
	}
	if (r == ARCHIVE_EOF)
		bbr_fail(BBR_EXIT_INTEGRITY, "cannot use package '%s': no bin/busybox in it", name);
	else
		bbr_fail(BBR_EXIT_INTEGRITY, "cannot read package '%s': %s", name,
			 archive_error_string(inner));
out:
	sha256_release(&h);
	free(buf);
	archive_read_free(inner);
	return rc;
}

int deb_extract_busybox(const char *path, const char *name, long long max_size,
			unsigned char **image, size_t *size, char hex[SHA256_HEX_LEN + 1])
{
	struct archive *outer = archive_read_new();
	struct archive_entry *ent;
	int r, rc = -1;

	*image = NULL;
	*size = 0;
	archive_read_support_format_ar(outer);
	if (archive_read_open_filename(outer, path, 65536) != ARCHIVE_OK) {
		bbr_fail(BBR_EXIT_INTEGRITY, "cannot read package '%s': %s", name,
			 archive_error_string(outer));
		goto out;
	}
	while ((r = archive_read_next_header(outer, &ent)) == ARCHIVE_OK) {
		const char *member = archive_entry_pathname(ent);

		if (member && !strncmp(member, "data.tar", 8)) {
			rc = read_data_tar(outer, name, max_size, image, size, hex);
			goto out;
		}
	}
	if (r == ARCHIVE_EOF)
		bbr_fail(BBR_EXIT_INTEGRITY, "cannot use package '%s': no data.tar member", name);
	else
		bbr_fail(BBR_EXIT_INTEGRITY, "cannot read package '%s': %s", name,
			 archive_error_string(outer));
out:
	archive_read_free(outer);
	return rc;
}
