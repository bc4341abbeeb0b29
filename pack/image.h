/*
 * image.h - the JSON documents of an image: config, OCI manifest, OCI
 * index, docker's manifest.json and repositories, written with jansson in
 * a fixed key order (compact, no trailing newline), so the same inputs
 * always give the same bytes and therefore the same digests.
 *
 * Every function returns a newly allocated NUL-terminated document (free()
 * it) and its length; they cannot fail except by running out of memory,
 * which exits (xalloc.h).
 */
#ifndef BBR_IMAGE_H
#define BBR_IMAGE_H

#include <stddef.h>

#include "../lib/sha256.h"

#define MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MEDIA_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"

#define IMAGE_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* A list of strings; `set` distinguishes "not given" from "given empty". */
struct strlist {
	char **v;
	size_t nr, alloc;
	int set;
};

void strlist_add(struct strlist *l, const char *s);
void strlist_clear(struct strlist *l);
/*
 * --cmd / --entrypoint value: a JSON array of strings ('["sh","-c","x"]')
 * or words separated by blanks ("sh -c x" gives three words).  Replaces
 * the list.  0, or -1 with a message naming the option.
 */
int strlist_parse_argv(struct strlist *l, const char *option, const char *value);

struct image_meta {
	char os[16];
	char architecture[16];
	char variant[8];         /* "" when none */
	const char *version;     /* busybox version or NULL: an annotation */
	char *repository;        /* "busybox" (from --tag NAME[:TAG]) */
	char *tag;               /* "1.35.0" */
	struct strlist cmd, entrypoint, env, labels; /* env/labels: "K=V" */
	const char *workdir, *user;
	long long created;       /* seconds since 1970 (SOURCE_DATE_EPOCH) */
};

void image_meta_init(struct image_meta *m);
void image_meta_release(struct image_meta *m);
/* Split NAME[:TAG] (a ':' after the last '/') into repository and tag,
 * default tag `default_tag`.  0, or -1 with a message. */
int image_meta_set_tag(struct image_meta *m, const char *value, const char *default_tag);

/* A blob written or to be written: lower-case hex digest and size. */
struct blob {
	char digest[SHA256_HEX_LEN + 1];
	unsigned long long size;
};

/* The layer media type for a compression name ("none", "gzip", "zstd"). */
const char *image_layer_media_type(const char *compression);

char *image_config_json(const struct image_meta *m, const char *diff_id, size_t *len);
char *image_manifest_json(const struct image_meta *m, const struct blob *config,
			  const struct blob *layer, const char *layer_media_type, size_t *len);
char *image_index_json(const struct image_meta *m, const struct blob *manifest, size_t *len);
/* docker save's manifest.json and repositories. */
char *image_docker_manifest_json(const struct image_meta *m, const struct blob *config,
				 const struct blob *layer, size_t *len);
char *image_repositories_json(const struct image_meta *m, const struct blob *layer, size_t *len);
/* {"imageLayoutVersion":"1.0.0"} */
char *image_oci_layout_json(size_t *len);

/* RFC 3339 UTC time of `seconds` ("1970-01-01T00:00:00Z") into buf. */
const char *image_time(long long seconds, char *buf, size_t n);

#endif
