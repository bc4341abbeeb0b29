/*
 * ociw.c - docker+OCI archive and OCI layout writers.
 *
 * The archive is the layout of `docker save` since Docker 25: an OCI image
 * layout (oci-layout, index.json, blobs/sha256/...) plus docker's
 * manifest.json and repositories, so old loaders (manifest.json) and OCI
 * tools (index.json) read the same file.  Members are written in sorted
 * order by libarchive's pax-restricted writer with fixed owners, modes
 * and times.
 */
#include "ociw.h"
#include "../lib/diag.h"
#include "../lib/fileutil.h"
#include "../lib/sha256.h"
#include "../lib/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#define COPY_BUF_SIZE (128u << 10)

int ociw_tmpfile(const char *dir)
{
	char *tmpl;
	int fd = open(dir, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);

	if (fd >= 0)
		return fd;
	tmpl = xasprintf("%s/.bbroot-layer.XXXXXX", dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		bbr_error("cannot create a temporary file in '%s': %s", dir, strerror(errno));
		free(tmpl);
		return -1;
	}
	unlink(tmpl);
	free(tmpl);
	return fd;
}

static void blob_of(struct blob *b, const char *bytes, size_t len)
{
	struct sha256 h;

	/* sha256_init fails only when OpenSSL cannot allocate: treat as OOM. */
	if (sha256_init(&h) < 0)
		exit(1);
	sha256_update(&h, bytes, len);
	if (sha256_final_hex(&h, b->digest) < 0)
		exit(1);
	sha256_release(&h);
	b->size = len;
}

/* The JSON documents of one image, made once for both writers. */
struct docs {
	char *config, *manifest, *index, *docker_manifest, *repositories, *oci_layout;
	size_t config_len, manifest_len, index_len, docker_manifest_len, repositories_len,
		oci_layout_len;
};

static void docs_release(struct docs *d)
{
	free(d->config);
	free(d->manifest);
	free(d->index);
	free(d->docker_manifest);
	free(d->repositories);
	free(d->oci_layout);
	memset(d, 0, sizeof(*d));
}

static void docs_build(struct docs *d, const struct image_meta *m, struct ociw_image *img)
{
	memset(d, 0, sizeof(*d));
	d->config = image_config_json(m, img->diff_id, &d->config_len);
	blob_of(&img->config, d->config, d->config_len);
	d->manifest = image_manifest_json(m, &img->config, &img->layer, img->layer_media_type,
					  &d->manifest_len);
	blob_of(&img->manifest, d->manifest, d->manifest_len);
	d->index = image_index_json(m, &img->manifest, &d->index_len);
	d->docker_manifest = image_docker_manifest_json(m, &img->config, &img->layer,
							&d->docker_manifest_len);
	d->repositories = image_repositories_json(m, &img->layer, &d->repositories_len);
	d->oci_layout = image_oci_layout_json(&d->oci_layout_len);
}

/* ---- the archive ---- */

struct member {
	char name[96];
	const char *bytes;   /* NULL: the layer (from layer_fd) or a directory */
	size_t len;
	int is_dir, is_layer;
};

static int member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name, ((const struct member *)b)->name);
}

static int archive_member(struct archive *a, const char *name, const struct member *mb,
			  long long mtime, int layer_fd, unsigned long long layer_size)
{
	struct archive_entry *ae = archive_entry_new();
	unsigned char *buf = NULL;
	int rc = -1;

	archive_entry_set_pathname(ae, mb->name);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	archive_entry_set_mtime(ae, mtime, 0);
	archive_entry_set_filetype(ae, mb->is_dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(ae, mb->is_dir ? 0755 : 0644);
	archive_entry_set_size(ae, mb->is_dir ? 0 : mb->is_layer ? (la_int64_t)layer_size :
			       (la_int64_t)mb->len);
	if (archive_write_header(a, ae) != ARCHIVE_OK)
		goto fail;
	if (mb->bytes && archive_write_data(a, mb->bytes, mb->len) != (la_ssize_t)mb->len)
		goto fail;
	if (mb->is_layer) {
		unsigned long long left = layer_size;

		buf = xmalloc(COPY_BUF_SIZE);
		if (lseek(layer_fd, 0, SEEK_SET) < 0) {
			bbr_error("cannot read the layer of '%s': %s", name, strerror(errno));
			goto out;
		}
		while (left) {
			ssize_t n = read(layer_fd, buf, left < COPY_BUF_SIZE ? left : COPY_BUF_SIZE);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				bbr_error("cannot read the layer of '%s': %s", name,
					  n ? strerror(errno) : "short file");
				goto out;
			}
			if (archive_write_data(a, buf, (size_t)n) != n)
				goto fail;
			left -= (unsigned long long)n;
		}
	}
	rc = 0;
	goto out;
fail:
	bbr_error("cannot write '%s': %s", name, archive_error_string(a));
out:
	free(buf);
	archive_entry_free(ae);
	return rc;
}

int ociw_write_archive(int out_fd, const char *name, const struct image_meta *m,
		       int layer_fd, struct ociw_image *img)
{
	struct archive *a = archive_write_new();
	struct docs d;
	struct member mb[9];
	size_t i, n = 0;
	int rc = -1;

	memset(mb, 0, sizeof(mb));
	memset(&d, 0, sizeof(d));
	if (!a) {
		bbr_error("cannot write '%s': out of memory", name);
		goto out;
	}
	docs_build(&d, m, img);
	snprintf(mb[n].name, sizeof(mb[n].name), "blobs/");
	mb[n++].is_dir = 1;
	snprintf(mb[n].name, sizeof(mb[n].name), "blobs/sha256/");
	mb[n++].is_dir = 1;
	snprintf(mb[n].name, sizeof(mb[n].name), "blobs/sha256/%s", img->layer.digest);
	mb[n++].is_layer = 1;
	snprintf(mb[n].name, sizeof(mb[n].name), "blobs/sha256/%s", img->config.digest);
	mb[n].bytes = d.config;
	mb[n++].len = d.config_len;
	snprintf(mb[n].name, sizeof(mb[n].name), "blobs/sha256/%s", img->manifest.digest);
	mb[n].bytes = d.manifest;
	mb[n++].len = d.manifest_len;
	snprintf(mb[n].name, sizeof(mb[n].name), "index.json");
	mb[n].bytes = d.index;
	mb[n++].len = d.index_len;
	snprintf(mb[n].name, sizeof(mb[n].name), "manifest.json");
	mb[n].bytes = d.docker_manifest;
	mb[n++].len = d.docker_manifest_len;
	snprintf(mb[n].name, sizeof(mb[n].name), "oci-layout");
	mb[n].bytes = d.oci_layout;
	mb[n++].len = d.oci_layout_len;
	snprintf(mb[n].name, sizeof(mb[n].name), "repositories");
	mb[n].bytes = d.repositories;
	mb[n++].len = d.repositories_len;
	qsort(mb, n, sizeof(mb[0]), member_cmp);
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 10240) != ARCHIVE_OK ||
	    /* Full records whether fd is a file or a pipe (open_fd would
	     * otherwise decide by the kind of fd). */
	    archive_write_set_bytes_in_last_block(a, 10240) != ARCHIVE_OK ||
	    archive_write_open_fd(a, out_fd) != ARCHIVE_OK) {
		bbr_error("cannot write '%s': %s", name, archive_error_string(a));
		goto out;
	}
	for (i = 0; i < n; i++)
		if (archive_member(a, name, &mb[i], m->created, layer_fd, img->layer.size) < 0)
			goto out;
	if (archive_write_close(a) != ARCHIVE_OK) {
		bbr_error("cannot write '%s': %s", name, archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	if (a)
		archive_write_free(a);
	docs_release(&d);
	return rc;
}

/* ---- the layout directory ---- */

/* Remove name under dirfd, recursively, never following symlinks. */
static void remove_tree_at(int dirfd, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			remove_tree_at(fd, de->d_name);
	closedir(d);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

static void split(const char *path, char **dir, char **base)
{
	char *copy = xstrdup(path);
	size_t len = strlen(copy);
	char *slash;

	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	slash = strrchr(copy, '/');
	if (!slash) {
		*dir = xstrdup(".");
		*base = copy;
		return;
	}
	*base = xstrdup(slash + 1);
	*dir = slash == copy ? xstrdup("/") : xstrndup(copy, (size_t)(slash - copy));
	free(copy);
}

int ociw_layout_open(struct ociw_layout *l, const char *path)
{
	char *dir = NULL, *base = NULL, *tmpl = NULL;
	struct stat st;
	int rc = -1;

	l->path = xstrdup(path);
	l->tmp_path = NULL;
	l->tmp_slot = -1;
	l->dirfd = -1;
	l->layer_fd = -1;
	split(path, &dir, &base);
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || !strcmp(base, "/")) {
		bbr_error("cannot write OCI layout '%s': name a new directory", path);
		goto out;
	}
	if (lstat(path, &st) == 0) {
		char *marker = xasprintf("%s/oci-layout", path);
		int is_layout = access(marker, F_OK) == 0;
		DIR *d;
		struct dirent *de;
		int empty = 1;

		free(marker);
		if (!S_ISDIR(st.st_mode)) {
			bbr_error("cannot write OCI layout '%s': it exists and is not a directory", path);
			goto out;
		}
		if (!is_layout && (d = opendir(path))) {
			while ((de = readdir(d)))
				if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
					empty = 0;
			closedir(d);
		}
		if (!is_layout && !empty) {
			bbr_error("cannot write OCI layout '%s': a directory that is not an OCI layout is in the way",
				  path);
			goto out;
		}
	}
	tmpl = xasprintf("%s/.%s.XXXXXX", dir, base);
	if (!mkdtemp(tmpl)) {
		bbr_error("cannot create directory in '%s': %s", dir, strerror(errno));
		free(tmpl);
		goto out;
	}
	l->tmp_path = tmpl;
	l->tmp_slot = tempdir_register(tmpl);
	l->dirfd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd < 0 || mkdirat(l->dirfd, "blobs", 0777) < 0 ||
	    mkdirat(l->dirfd, "blobs/sha256", 0777) < 0) {
		bbr_error("cannot create directory in '%s': %s", tmpl, strerror(errno));
		goto out;
	}
	l->layer_fd = openat(l->dirfd, "blobs/sha256/.layer",
			     O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (l->layer_fd < 0) {
		bbr_error("cannot create a file in '%s': %s", tmpl, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(dir);
	free(base);
	return rc;
}

static int write_file_at(struct ociw_layout *l, const char *name, const char *bytes, size_t len)
{
	int fd = openat(l->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);

	if (fd < 0)
		return bbr_error("cannot create '%s/%s': %s", l->path, name, strerror(errno));
	if (write_all(fd, bytes, len) < 0 || fsync(fd) < 0) {
		bbr_error("cannot write '%s/%s': %s", l->path, name, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return bbr_error("cannot write '%s/%s': %s", l->path, name, strerror(errno));
	return 0;
}

int ociw_layout_commit(struct ociw_layout *l, const struct image_meta *m, struct ociw_image *img)
{
	struct docs d;
	char name[96];
	char *dir = NULL, *base = NULL;
	int parent = -1, rc = -1, fd = l->layer_fd;

	docs_build(&d, m, img);
	l->layer_fd = -1;
	if (fsync(fd) < 0 || close(fd) < 0) {
		bbr_error("cannot write the layer of '%s': %s", l->path, strerror(errno));
		goto out;
	}
	snprintf(name, sizeof(name), "blobs/sha256/%s", img->layer.digest);
	if (renameat(l->dirfd, "blobs/sha256/.layer", l->dirfd, name) < 0) {
		bbr_error("cannot create '%s/%s': %s", l->path, name, strerror(errno));
		goto out;
	}
	snprintf(name, sizeof(name), "blobs/sha256/%s", img->config.digest);
	if (write_file_at(l, name, d.config, d.config_len) < 0)
		goto out;
	snprintf(name, sizeof(name), "blobs/sha256/%s", img->manifest.digest);
	if (write_file_at(l, name, d.manifest, d.manifest_len) < 0 ||
	    write_file_at(l, "index.json", d.index, d.index_len) < 0 ||
	    write_file_at(l, "oci-layout", d.oci_layout, d.oci_layout_len) < 0)
		goto out;
	if (fchmod(l->dirfd, 0777 & ~current_umask()) < 0 || fsync(l->dirfd) < 0) {
		bbr_error("cannot write '%s': %s", l->path, strerror(errno));
		goto out;
	}
	split(l->path, &dir, &base);
	parent = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0) {
		bbr_error("cannot open directory '%s': %s", dir, strerror(errno));
		goto out;
	}
	/* rename() replaces a missing or empty directory; an old layout is
	 * swapped out atomically and then removed. */
	if (rename(l->tmp_path, l->path) < 0) {
		const char *tmp_base = strrchr(l->tmp_path, '/') + 1;

		if ((errno != ENOTEMPTY && errno != EEXIST) ||
		    renameat2(parent, tmp_base, parent, base, RENAME_EXCHANGE) < 0) {
			bbr_error("cannot create '%s': %s", l->path, strerror(errno));
			goto out;
		}
		remove_tree_at(parent, tmp_base);
	}
	tempdir_unregister(l->tmp_slot);
	l->tmp_slot = -1;
	free(l->tmp_path);
	l->tmp_path = NULL;
	if (fsync(parent) < 0 && errno != EINVAL) {
		bbr_error("cannot sync directory '%s': %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (parent >= 0)
		close(parent);
	free(dir);
	free(base);
	docs_release(&d);
	return rc;
}

void ociw_layout_abort(struct ociw_layout *l)
{
	if (l->layer_fd >= 0)
		close(l->layer_fd);
	l->layer_fd = -1;
	if (l->dirfd >= 0)
		close(l->dirfd);
	l->dirfd = -1;
	if (l->tmp_path) {
		char *dir = NULL, *base = NULL;
		int parent;

		split(l->tmp_path, &dir, &base);
		parent = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (parent >= 0) {
			remove_tree_at(parent, base);
			close(parent);
		}
		free(dir);
		free(base);
	}
	tempdir_unregister(l->tmp_slot);
	l->tmp_slot = -1;
	free(l->tmp_path);
	l->tmp_path = NULL;
	free(l->path);
	l->path = NULL;
}
