/*
 * tarw.h - the deterministic tar sink: entries in, one pax-restricted tar
 * stream out, hashed (diff_id) as it is produced and, when compressed,
 * compressed and hashed again (digest) in the same pass.
 *
 *     struct tarw w;
 *     tarw_init(&w);
 *     if (tarw_open(&w, fd, "busybox.tar", TARW_GZIP) < 0) goto fail;
 *     if (tarw_write_rootfs(&w, &fs) < 0) goto fail;   // or tarw_add_*
 *     if (tarw_close(&w, &result) < 0) goto fail;      // trailer written here
 *     tarw_release(&w);
 *
 * What every member looks like (the reproducibility rules, docs/pack.md):
 * names relative to the image root with no "./" prefix and no entry for
 * the root itself, directories ending in "/"; numeric uid/gid from the
 * entry, empty user and group names; mtime from the entry, no atime or
 * ctime; mode bits from the entry only.  Names are checked again here: an
 * absolute name, a ".." component or a name starting ".wh." (a docker
 * whiteout) is refused.  gzip streams carry no file name and MTIME 0, at
 * level 6; zstd level 3; xz level 6, one thread.
 *
 * Errors: every function prints one line naming the output (or the source
 * file) and the cause, and returns -1; after a failure only tarw_release()
 * is useful.  Nothing here owns or closes the output fd.
 */
#ifndef BBR_TARW_H
#define BBR_TARW_H

#include <stddef.h>

#include "../lib/rootfs.h"
#include "../lib/sha256.h"

enum tarw_compress {
	TARW_NONE,
	TARW_GZIP,
	TARW_ZSTD,
	TARW_XZ,
};

/* "none", "gzip", "zstd", "xz" -> value; 0, or -1 (no message). */
int tarw_compress_parse(const char *s, enum tarw_compress *out);
const char *tarw_compress_name(enum tarw_compress c);

struct tarw_result {
	char diff_id[SHA256_HEX_LEN + 1]; /* sha256 of the uncompressed tar */
	char digest[SHA256_HEX_LEN + 1];  /* sha256 of the bytes written */
	unsigned long long tar_size;      /* uncompressed bytes */
	unsigned long long size;          /* bytes written to the fd */
	unsigned long long nr_entries;
};

struct tarw {
	void *tar;           /* struct archive *: the tar writer */
	void *filter;        /* struct archive *: raw writer + compressor, or NULL */
	int fd;              /* output, not owned */
	char *name;          /* output name for messages */
	struct sha256 diff_id, digest;
	unsigned long long tar_size, size, nr_entries;
	unsigned char *buf;  /* output buffer before write() */
	size_t buf_len;
	int io_errno;        /* errno of a failed write to fd, for messages */
	int compressed;      /* digest differs from diff_id */
	void *pipe;          /* the writer thread (tarw.c), or NULL */
	char pipe_error[256]; /* its cause of failure */
};

void tarw_init(struct tarw *w);
/* Start a stream to fd; `name` names the output in messages. 0 or -1. */
int tarw_open(struct tarw *w, int fd, const char *name, enum tarw_compress c);

/*
 * Write one member header.  e->type selects the kind; for ROOTFS_FILE the
 * header declares e->size bytes, which must then be written exactly with
 * tarw_add_data() / tarw_add_fd(); for ROOTFS_HARDLINK e->target is the
 * name of an earlier member.  e->content is ignored.  0 or -1.
 */
int tarw_add_header(struct tarw *w, const struct rootfs_entry *e);
/* Append file bytes of the current member. 0 or -1. */
int tarw_add_data(struct tarw *w, const void *data, size_t len);
/*
 * Stream exactly `size` bytes from fd (read in fixed-size chunks, never the
 * whole file in memory); a file shorter or longer than `size` is an error
 * naming `source` ("changed while being read").  0 or -1.
 */
int tarw_add_fd(struct tarw *w, int fd, unsigned long long size, const char *source);

/*
 * The whole model (sorted here) with its content: hard link groups are
 * emitted with their first member in order as the regular file (with the
 * target's mode, owner and content) and every other member, the original
 * target included, as a link to it.  0 or -1.
 */
int tarw_write_rootfs(struct tarw *w, struct rootfs *fs);

/* Finish the tar and the compressed stream, flush, fill *r. 0 or -1. */
int tarw_close(struct tarw *w, struct tarw_result *r);
/* Free everything; safe twice and after a failure. */
void tarw_release(struct tarw *w);

#endif
