/*
 * ociw.h - image writers around one layer: the docker+OCI archive (one tar
 * that `docker load`, `podman load` and skopeo's docker-archive: and
 * oci-archive: all read) and the OCI image layout directory.
 *
 * Both take a layer already written (compressed and hashed in one pass by
 * tarw) to a temporary file, add the config, manifest and index blobs
 * (image.h) and publish atomically: the archive through an atomic_file the
 * caller commits, the layout as a temporary directory beside the target
 * renamed into place.  Every member of the archive gets mode 0644/0755,
 * uid/gid 0 and the image's `created` time.
 */
#ifndef BBR_OCIW_H
#define BBR_OCIW_H

#include "image.h"

struct ociw_image {
	char diff_id[SHA256_HEX_LEN + 1]; /* sha256 of the uncompressed layer */
	struct blob layer, config, manifest;
	const char *layer_media_type;
};

/*
 * An unnamed temporary file in directory `dir` (O_TMPFILE, else a name
 * unlinked at once): nothing is left behind whatever happens.  fd or -1
 * with a message.
 */
int ociw_tmpfile(const char *dir);

/*
 * Write the docker+OCI archive to out_fd (`name` for messages): the layer
 * is read back from layer_fd.  img->diff_id, img->layer and layer_media_type
 * are set by the caller; config and manifest are filled in.  0 or -1.
 */
int ociw_write_archive(int out_fd, const char *name, const struct image_meta *m,
		       int layer_fd, struct ociw_image *img);

/* An OCI layout being built in a temporary directory beside `path`. */
struct ociw_layout {
	char *path;      /* target directory */
	char *tmp_path;  /* the temporary directory, NULL once renamed */
	int tmp_slot;    /* its tempdir_register() slot (signal cleanup), or -1 */
	int dirfd;       /* the temporary directory */
	int layer_fd;    /* blobs/sha256/.layer, open for writing */
};

/*
 * Create the temporary directory (with blobs/sha256 and the layer file
 * open in l->layer_fd).  A target that exists must be an empty directory
 * or an OCI layout bbroot may replace (it has an oci-layout file).  0 or -1.
 */
int ociw_layout_open(struct ociw_layout *l, const char *path);
/* Name the layer by its digest, write the other blobs, index.json and
 * oci-layout, sync, and rename into place.  0 or -1 (then call abort). */
int ociw_layout_commit(struct ociw_layout *l, const struct image_meta *m, struct ociw_image *img);
/* Remove the temporary directory if it is still there; safe twice. */
void ociw_layout_abort(struct ociw_layout *l);

#endif
