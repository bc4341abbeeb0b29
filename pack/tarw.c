/*
 * tarw.c - the deterministic tar sink over libarchive.
 *
 * Two writers are chained so one pass does everything: a pax-restricted
 * tar writer whose output callback hashes the uncompressed stream (the
 * layer's diff_id) and hands the bytes to a second writer in libarchive's
 * "raw" format carrying the compression filter, whose own output callback
 * hashes what is written (the digest) and buffers it to the fd.  Without
 * compression the second writer is left out and both hashes see the same
 * bytes.  Every header field is set from the entry; nothing is read from
 * the clock, the locale, the umask or the user database.
 */
#include "tarw.h"
#include "../lib/diag.h"
#include "../lib/fileutil.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#define OUT_BUF_SIZE (256u << 10)
#define READ_BUF_SIZE (128u << 10)

static const char *const compress_names[] = { "none", "gzip", "zstd", "xz" };

int tarw_compress_parse(const char *s, enum tarw_compress *out)
{
	size_t i;

	for (i = 0; i < sizeof(compress_names) / sizeof(compress_names[0]); i++) {
		if (!strcmp(s, compress_names[i])) {
			*out = (enum tarw_compress)i;
			return 0;
		}
	}
	return -1;
}

const char *tarw_compress_name(enum tarw_compress c)
{
	return compress_names[c];
}

void tarw_init(struct tarw *w)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}

static int flush_out(struct tarw *w)
{
	if (w->buf_len && write_all(w->fd, w->buf, w->buf_len) < 0) {
		w->io_errno = errno;
		return -1;
	}
	w->buf_len = 0;
	return 0;
}

/* The bytes that end up in the output: digest (when they differ from the
 * tar's, i.e. compressed), then buffer to the fd. */
static int sink(struct tarw *w, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (w->compressed)
		sha256_update(&w->digest, data, len);
	w->size += len;
	if (!w->buf_len && len >= OUT_BUF_SIZE) {
		/* Large writes go straight out, without a copy. */
		if (write_all(w->fd, data, len) < 0) {
			w->io_errno = errno;
			return -1;
		}
		return 0;
	}
	while (len) {
		size_t n = OUT_BUF_SIZE - w->buf_len;

		if (n > len)
			n = len;
		memcpy(w->buf + w->buf_len, p, n);
		w->buf_len += n;
		p += n;
		len -= n;
		if (w->buf_len == OUT_BUF_SIZE && flush_out(w) < 0)
			return -1;
	}
	return 0;
}

static la_ssize_t filter_out_cb(struct archive *a, void *cookie, const void *buf, size_t len)
{
	struct tarw *w = cookie;

	if (sink(w, buf, len) < 0) {
		archive_set_error(a, w->io_errno, "%s", strerror(w->io_errno));
		return -1;
	}
	return (la_ssize_t)len;
}

/*
 * What happens to the tar's bytes: diff_id, then the compressor or the
 * output.  Runs in the writer thread (below).  0, or -1 with the cause in
 * w->pipe_error / w->io_errno.
 */
static int consume(struct tarw *w, const void *buf, size_t len)
{
	sha256_update(&w->diff_id, buf, len);
	w->tar_size += len;
	if (w->filter) {
		la_ssize_t n = archive_write_data(w->filter, buf, len);

		if (n < 0 || (size_t)n != len) {
			const char *why = archive_error_string(w->filter);

			snprintf(w->pipe_error, sizeof(w->pipe_error), "%s",
				 why ? why : "compression failed");
			return -1;
		}
		return 0;
	}
	if (sink(w, buf, len) < 0) {
		snprintf(w->pipe_error, sizeof(w->pipe_error), "%s", strerror(w->io_errno));
		return -1;
	}
	return 0;
}

/*
 * The writer thread: the tar writer (main thread: walking, reading files,
 * headers) hands full 1 MiB slots to a second thread that hashes,
 * compresses and writes them, so on two cores tar and compression overlap
 * like `tar | gzip` does.  The order of bytes is the order of slots, so
 * the output is the same as with no thread.
 */
#define PIPE_SLOTS 4
#define PIPE_SLOT_SIZE (1u << 20)

struct pipe {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char *slot[PIPE_SLOTS];
	size_t slot_len[PIPE_SLOTS];
	size_t head, count; /* producer fills slot[head]; count slots are pending */
	int done, failed;
};

static void *pipe_worker(void *arg)
{
	struct tarw *w = arg;
	struct pipe *q = w->pipe;
	size_t tail;
	int skip, failed;

	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (!q->count && !q->done)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->count) {
			pthread_mutex_unlock(&q->mu);
			return NULL;
		}
		tail = (q->head + PIPE_SLOTS - q->count) % PIPE_SLOTS;
		skip = q->failed;
		pthread_mutex_unlock(&q->mu);
		failed = !skip && consume(w, q->slot[tail], q->slot_len[tail]) < 0;
		pthread_mutex_lock(&q->mu);
		if (failed)
			q->failed = 1;
		q->count--;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
	}
}

/* Hand the current slot over and wait for a free one. 0, or -1 when the
 * writer thread has failed. */
static int pipe_push(struct pipe *q)
{
	int failed;

	pthread_mutex_lock(&q->mu);
	q->count++;
	q->head = (q->head + 1) % PIPE_SLOTS;
	pthread_cond_broadcast(&q->cv);
	while (q->count == PIPE_SLOTS && !q->failed)
		pthread_cond_wait(&q->cv, &q->mu);
	failed = q->failed;
	q->slot_len[q->head] = 0;
	pthread_mutex_unlock(&q->mu);
	return failed ? -1 : 0;
}

static int pipe_start(struct tarw *w)
{
	struct pipe *q = xcalloc(1, sizeof(*q));
	size_t i;

	for (i = 0; i < PIPE_SLOTS; i++)
		q->slot[i] = xmalloc(PIPE_SLOT_SIZE);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	w->pipe = q;
	if (pthread_create(&q->thread, NULL, pipe_worker, w) != 0) {
		/* No thread: write synchronously. */
		w->pipe = NULL;
		for (i = 0; i < PIPE_SLOTS; i++)
			free(q->slot[i]);
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->cv);
		free(q);
	}
	return 0;
}

/* Push what is left, let the thread drain and join it. 0, or -1 when it
 * failed at any point.  Safe when there is no thread. */
static int pipe_finish(struct tarw *w)
{
	struct pipe *q = w->pipe;
	size_t i;
	int failed;

	if (!q)
		return 0;
	pthread_mutex_lock(&q->mu);
	if (q->slot_len[q->head] && !q->failed) {
		q->count++;
		q->head = (q->head + 1) % PIPE_SLOTS;
	}
	q->done = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	failed = q->failed;
	for (i = 0; i < PIPE_SLOTS; i++)
		free(q->slot[i]);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
	w->pipe = NULL;
	return failed ? -1 : 0;
}

static la_ssize_t tar_out_cb(struct archive *a, void *cookie, const void *buf, size_t len)
{
	struct tarw *w = cookie;
	struct pipe *q = w->pipe;
	const unsigned char *p = buf;
	size_t left = len;

	if (!q) {
		if (consume(w, buf, len) < 0)
			goto fail;
		return (la_ssize_t)len;
	}
	while (left) {
		size_t *fill = &q->slot_len[q->head];
		size_t n = PIPE_SLOT_SIZE - *fill;

		if (n > left)
			n = left;
		memcpy(q->slot[q->head] + *fill, p, n);
		*fill += n;
		p += n;
		left -= n;
		if (*fill == PIPE_SLOT_SIZE && pipe_push(q) < 0)
			goto fail;
	}
	return (la_ssize_t)len;
fail:
	archive_set_error(a, w->io_errno ? w->io_errno : EIO, "%s", w->pipe_error);
	return -1;
}

static int archive_fail(struct tarw *w, struct archive *a, const char *what)
{
	const char *why = a ? archive_error_string(a) : NULL;

	return bbr_error("%s '%s': %s", what, w->name,
			 why ? why : (w->io_errno ? strerror(w->io_errno) : "unknown error"));
}

static int open_filter(struct tarw *w, enum tarw_compress c)
{
	struct archive *f = archive_write_new();
	struct archive_entry *ae = NULL;
	int rc = -1;

	w->filter = f;
	if (!f)
		return bbr_error("cannot create compressor for '%s': out of memory", w->name);
	if (archive_write_set_format_raw(f) != ARCHIVE_OK)
		goto fail;
	switch (c) {
	case TARW_GZIP:
		/* No name, MTIME 0 (libarchive writes OS 3, unix), level 6. */
		if (archive_write_add_filter_gzip(f) != ARCHIVE_OK ||
		    archive_write_set_filter_option(f, "gzip", "compression-level", "6") != ARCHIVE_OK ||
		    archive_write_set_filter_option(f, "gzip", "timestamp", NULL) != ARCHIVE_OK)
			goto fail;
		break;
	case TARW_ZSTD:
		if (archive_write_add_filter_zstd(f) != ARCHIVE_OK ||
		    archive_write_set_filter_option(f, "zstd", "compression-level", "3") != ARCHIVE_OK)
			goto fail;
		break;
	case TARW_XZ:
		if (archive_write_add_filter_xz(f) != ARCHIVE_OK ||
		    archive_write_set_filter_option(f, "xz", "compression-level", "6") != ARCHIVE_OK ||
		    archive_write_set_filter_option(f, "xz", "threads", "1") != ARCHIVE_OK)
			goto fail;
		break;
	case TARW_NONE:
		break;
	}
	/* No padding after the compressed stream. */
	if (archive_write_set_bytes_per_block(f, 0) != ARCHIVE_OK ||
	    archive_write_open2(f, w, NULL, filter_out_cb, NULL, NULL) != ARCHIVE_OK)
		goto fail;
	ae = archive_entry_new();
	archive_entry_set_pathname(ae, "layer.tar");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	if (archive_write_header(f, ae) != ARCHIVE_OK)
		goto fail;
	rc = 0;
	goto out;
fail:
	archive_fail(w, f, "cannot start compressor for");
out:
	archive_entry_free(ae);
	return rc;
}

int tarw_open(struct tarw *w, int fd, const char *name, enum tarw_compress c)
{
	struct archive *t;

	tarw_init(w);
	w->fd = fd;
	w->name = xstrdup(name);
	w->buf = xmalloc(OUT_BUF_SIZE);
	if (sha256_init(&w->diff_id) < 0 || sha256_init(&w->digest) < 0)
		return -1;
	w->compressed = c != TARW_NONE;
	if (w->compressed && open_filter(w, c) < 0)
		return -1;
	t = archive_write_new();
	w->tar = t;
	if (!t)
		return bbr_error("cannot create tar writer for '%s': out of memory", name);
	/* Names are bytes: bbroot never calls setlocale(), so libarchive runs
	 * in the C locale whatever LC_ALL says; an ASCII name is a plain
	 * ustar header, any other gets a pax record marked hdrcharset=BINARY
	 * (the bytes as found, never converted). */
	if (archive_write_set_format_pax_restricted(t) != ARCHIVE_OK ||
	    archive_write_add_filter_none(t) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(t, 10240) != ARCHIVE_OK ||
	    archive_write_open2(t, w, NULL, tar_out_cb, NULL, NULL) != ARCHIVE_OK)
		return archive_fail(w, t, "cannot start tar");
	return pipe_start(w);
}

/* The reasons a member name is refused, or NULL when it is fine. */
static const char *name_problem(const char *p)
{
	if (!*p)
		return "empty name";
	if (*p == '/')
		return "absolute name";
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 0)
			return "empty component";
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return "'.' or '..' component";
		if (len >= 4 && !strncmp(p, ".wh.", 4))
			return "'.wh.' names are docker whiteouts";
		p += len;
		if (*p)
			p++;
	}
	return NULL;
}

int tarw_add_header(struct tarw *w, const struct rootfs_entry *e)
{
	struct archive_entry *ae = NULL;
	const char *why;
	char *name = NULL;
	int r, rc = -1;

	if ((why = name_problem(e->path)))
		return bbr_error("cannot pack '%.300s': %s", e->path, why);
	if (e->type == ROOTFS_HARDLINK && (why = name_problem(e->target)))
		return bbr_error("cannot pack hard link '%.300s' to '%.300s': %s",
				 e->path, e->target, why);
	ae = archive_entry_new();
	name = e->type == ROOTFS_DIR ? xasprintf("%s/", e->path) : xstrdup(e->path);
	archive_entry_set_pathname(ae, name);
	archive_entry_set_perm(ae, e->mode & 07777);
	archive_entry_set_uid(ae, e->uid);
	archive_entry_set_gid(ae, e->gid);
	archive_entry_set_mtime(ae, e->mtime, 0);
	switch (e->type) {
	case ROOTFS_DIR:
		archive_entry_set_filetype(ae, AE_IFDIR);
		archive_entry_set_size(ae, 0);
		break;
	case ROOTFS_FILE:
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_size(ae, (la_int64_t)e->size);
		break;
	case ROOTFS_SYMLINK:
		archive_entry_set_filetype(ae, AE_IFLNK);
		archive_entry_set_symlink(ae, e->target);
		archive_entry_set_size(ae, 0);
		break;
	case ROOTFS_HARDLINK:
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_hardlink(ae, e->target);
		archive_entry_set_size(ae, 0);
		break;
	}
	r = archive_write_header(w->tar, ae);
	if (r == ARCHIVE_WARN) {
		/* "Can't translate pathname to UTF-8": stored as bytes. */
		bbr_debug("packing '%.300s': %s", e->path, archive_error_string(w->tar));
	} else if (r != ARCHIVE_OK) {
		archive_fail(w, w->tar, "cannot write");
		goto out;
	}
	w->nr_entries++;
	rc = 0;
out:
	free(name);
	archive_entry_free(ae);
	return rc;
}

int tarw_add_data(struct tarw *w, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		la_ssize_t n = archive_write_data(w->tar, p, len);

		if (n <= 0)
			return archive_fail(w, w->tar, "cannot write");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int tarw_add_fd(struct tarw *w, int fd, unsigned long long size, const char *source)
{
	unsigned char *buf = xmalloc(READ_BUF_SIZE);
	unsigned long long left = size;
	int rc = -1;
	ssize_t n;

	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (left) {
		size_t want = left < READ_BUF_SIZE ? (size_t)left : READ_BUF_SIZE;

		n = read(fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			bbr_error("cannot read '%s': %s", source, strerror(errno));
			goto out;
		}
		if (n == 0) {
			bbr_error("cannot pack '%s': it shrank while being read", source);
			goto out;
		}
		if (tarw_add_data(w, buf, (size_t)n) < 0)
			goto out;
		left -= (unsigned long long)n;
	}
	do
		n = read(fd, buf, 1);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		bbr_error("cannot pack '%s': it grew while being read", source);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* A small string map for hard link groups: target path -> first member. */
struct linkmap {
	const char **keys;
	const char **first;
	size_t size;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static size_t linkmap_slot(struct linkmap *m, const char *key)
{
	size_t i = (size_t)str_hash(key) & (m->size - 1);

	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->size - 1);
	return i;
}

static int write_content(struct tarw *w, const struct rootfs_entry *file)
{
	int fd, rc;

	if (file->content == ROOTFS_CONTENT_MEMORY)
		return tarw_add_data(w, file->data, (size_t)file->size);
	if (file->content != ROOTFS_CONTENT_PATH)
		return file->size ? bbr_error("cannot pack '%s': no content", file->path) : 0;
	fd = open(file->source_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bbr_error("cannot open '%s': %s", file->source_path, strerror(errno));
	rc = tarw_add_fd(w, fd, file->size, file->source_path);
	close(fd);
	return rc;
}

int tarw_write_rootfs(struct tarw *w, struct rootfs *fs)
{
	struct linkmap m = { NULL, NULL, 0 };
	size_t i, nr_links = 0;
	int rc = -1;

	rootfs_sort(fs);
	if (rootfs_validate(fs) < 0)
		return -1;
	for (i = 0; i < fs->nr; i++)
		nr_links += fs->entries[i]->type == ROOTFS_HARDLINK;
	m.size = 16;
	while (m.size < nr_links * 2 + 2)
		m.size *= 2;
	m.keys = xcalloc(m.size, sizeof(*m.keys));
	m.first = xcalloc(m.size, sizeof(*m.first));
	for (i = 0; i < fs->nr; i++) {
		const struct rootfs_entry *e = fs->entries[i];

		if (e->type == ROOTFS_HARDLINK)
			m.keys[linkmap_slot(&m, e->target)] = e->target;
	}
	for (i = 0; i < fs->nr; i++) {
		const struct rootfs_entry *e = fs->entries[i], *file;
		struct rootfs_entry out;
		const char *key = NULL;
		size_t slot;

		if (e->type == ROOTFS_HARDLINK)
			key = e->target;
		else if (e->type == ROOTFS_FILE)
			key = e->path;
		slot = key ? linkmap_slot(&m, key) : 0;
		if (!key || !m.keys[slot]) {
			if (tarw_add_header(w, e) < 0)
				goto out;
			if (e->type == ROOTFS_FILE && write_content(w, e) < 0)
				goto out;
			continue;
		}
		/* A member of a hard link group: its inode is the target's. */
		file = rootfs_lookup(fs, key);
		out = *file;
		out.path = e->path;
		if (!m.first[slot]) {
			m.first[slot] = e->path;
			if (tarw_add_header(w, &out) < 0 || write_content(w, file) < 0)
				goto out;
			continue;
		}
		out.type = ROOTFS_HARDLINK;
		out.target = (char *)m.first[slot];
		out.size = 0;
		if (tarw_add_header(w, &out) < 0)
			goto out;
	}
	rc = 0;
out:
	free(m.keys);
	free(m.first);
	return rc;
}

int tarw_close(struct tarw *w, struct tarw_result *r)
{
	/* The tar's last block reaches the compressor while the tar closes,
	 * so the compressor is closed second. */
	if (archive_write_close(w->tar) != ARCHIVE_OK) {
		pipe_finish(w);
		return archive_fail(w, w->tar, "cannot write");
	}
	archive_write_free(w->tar);
	w->tar = NULL;
	if (pipe_finish(w) < 0)
		return bbr_error("cannot write '%s': %s", w->name, w->pipe_error);
	if (w->filter) {
		if (archive_write_close(w->filter) != ARCHIVE_OK)
			return archive_fail(w, w->filter, "cannot write");
		archive_write_free(w->filter);
		w->filter = NULL;
	}
	if (flush_out(w) < 0)
		return bbr_error("cannot write '%s': %s", w->name, strerror(w->io_errno));
	if (sha256_final_hex(&w->diff_id, r->diff_id) < 0)
		return -1;
	if (!w->compressed)
		memcpy(r->digest, r->diff_id, sizeof(r->digest));
	else if (sha256_final_hex(&w->digest, r->digest) < 0)
		return -1;
	r->tar_size = w->tar_size;
	r->size = w->size;
	r->nr_entries = w->nr_entries;
	return 0;
}

void tarw_release(struct tarw *w)
{
	/* The thread first: freeing the tar writer would flush through it. */
	if (w->pipe) {
		struct pipe *q = w->pipe;

		pthread_mutex_lock(&q->mu);
		q->failed = 1; /* drop what is pending: the output is abandoned */
		pthread_mutex_unlock(&q->mu);
		pipe_finish(w);
	}
	if (w->tar)
		archive_write_free(w->tar);
	if (w->filter)
		archive_write_free(w->filter);
	w->tar = NULL;
	w->filter = NULL;
	sha256_release(&w->diff_id);
	sha256_release(&w->digest);
	free(w->buf);
	w->buf = NULL;
	free(w->name);
	w->name = NULL;
}
