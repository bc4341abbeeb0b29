/*
 * image.c - image metadata documents built with jansson.  Objects keep
 * insertion order (jansson >= 2.8), so the order below is the order in the
 * bytes; json_dumps(JSON_COMPACT) adds no whitespace and no newline.
 */
#include "image.h"
#include "../lib/diag.h"
#include "../lib/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

void strlist_add(struct strlist *l, const char *s)
{
	xgrow((void **)&l->v, &l->alloc, l->nr + 1, sizeof(*l->v));
	l->v[l->nr++] = xstrdup(s);
	l->set = 1;
}

void strlist_clear(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int strlist_parse_argv(struct strlist *l, const char *option, const char *value)
{
	const char *p = value;

	strlist_clear(l);
	l->set = 1;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '[') {
		json_error_t err;
		json_t *a = json_loads(value, JSON_REJECT_DUPLICATES, &err);
		size_t i;
		json_t *v;

		if (!a || !json_is_array(a)) {
			json_decref(a);
			return bbr_error("invalid --%s '%s': %s", option, value,
					 a ? "not a JSON array" : err.text);
		}
		json_array_foreach(a, i, v) {
			if (!json_is_string(v)) {
				json_decref(a);
				return bbr_error("invalid --%s '%s': element %zu is not a string",
						 option, value, i);
			}
			strlist_add(l, json_string_value(v));
		}
		json_decref(a);
		return 0;
	}
	while (*p) {
		const char *end = p;

		while (*end && !isspace((unsigned char)*end))
			end++;
		{
			char *word = xstrndup(p, (size_t)(end - p));

			strlist_add(l, word);
			free(word);
		}
		p = end;
		while (isspace((unsigned char)*p))
			p++;
	}
	return 0;
}

void image_meta_init(struct image_meta *m)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->os, "linux", 6);
}

void image_meta_release(struct image_meta *m)
{
	free(m->repository);
	free(m->tag);
	strlist_clear(&m->cmd);
	strlist_clear(&m->entrypoint);
	strlist_clear(&m->env);
	strlist_clear(&m->labels);
	m->repository = m->tag = NULL;
}

int image_meta_set_tag(struct image_meta *m, const char *value, const char *default_tag)
{
	const char *slash = strrchr(value, '/');
	const char *colon = strrchr(slash ? slash : value, ':');
	const char *p;

	free(m->repository);
	free(m->tag);
	m->repository = colon ? xstrndup(value, (size_t)(colon - value)) : xstrdup(value);
	m->tag = xstrdup(colon ? colon + 1 : default_tag);
	if (!*m->repository)
		return bbr_error("invalid tag '%s': empty name", value);
	for (p = m->repository; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		      strchr("._-/:", *p)))
			return bbr_error("invalid tag '%s': the name may hold only a-z 0-9 . _ - / :", value);
	if (!*m->tag || strlen(m->tag) > 128)
		return bbr_error("invalid tag '%s': the tag must be 1 to 128 characters", value);
	for (p = m->tag; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("._-", *p)))
			return bbr_error("invalid tag '%s': the tag may hold only A-Z a-z 0-9 . _ -", value);
	return 0;
}

const char *image_layer_media_type(const char *compression)
{
	if (!strcmp(compression, "gzip"))
		return MEDIA_OCI_LAYER "+gzip";
	if (!strcmp(compression, "zstd"))
		return MEDIA_OCI_LAYER "+zstd";
	return MEDIA_OCI_LAYER;
}

const char *image_time(long long seconds, char *buf, size_t n)
{
	time_t t = (time_t)seconds;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "1970-01-01T00:00:00Z");
	return buf;
}

static char *dump(json_t *j, size_t *len)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	if (!s) {
		/* json_dumps fails only when out of memory. */
		xmalloc((size_t)-1);
	}
	*len = strlen(s);
	return s;
}

static json_t *string_array(const struct strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->nr; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static json_t *digest_string(const char *hex)
{
	return json_sprintf("sha256:%s", hex);
}

/* The full reference containerd uses: docker.io/library/busybox:1.35.0 */
static char *full_reference(const struct image_meta *m)
{
	const char *slash = strchr(m->repository, '/');

	if (!slash)
		return xasprintf("docker.io/library/%s:%s", m->repository, m->tag);
	if (memchr(m->repository, '.', (size_t)(slash - m->repository)) ||
	    memchr(m->repository, ':', (size_t)(slash - m->repository)) ||
	    !strncmp(m->repository, "localhost/", 10))
		return xasprintf("%s:%s", m->repository, m->tag);
	return xasprintf("docker.io/%s:%s", m->repository, m->tag);
}

char *image_config_json(const struct image_meta *m, const char *diff_id, size_t *len)
{
	json_t *root = json_object(), *config = json_object(), *rootfs = json_object();
	json_t *history = json_array(), *h = json_object(), *diff_ids = json_array();
	char created[32];
	size_t i;

	image_time(m->created, created, sizeof(created));
	json_object_set_new(root, "created", json_string(created));
	json_object_set_new(root, "architecture", json_string(m->architecture));
	if (*m->variant)
		json_object_set_new(root, "variant", json_string(m->variant));
	json_object_set_new(root, "os", json_string(m->os));

	if (m->user)
		json_object_set_new(config, "User", json_string(m->user));
	{
		json_t *env = json_array();
		int have_path = 0;

		for (i = 0; i < m->env.nr; i++)
			if (!strncmp(m->env.v[i], "PATH=", 5))
				have_path = 1;
		if (!have_path)
			json_array_append_new(env, json_string(IMAGE_DEFAULT_PATH));
		for (i = 0; i < m->env.nr; i++)
			json_array_append_new(env, json_string(m->env.v[i]));
		json_object_set_new(config, "Env", env);
	}
	if (m->entrypoint.set && m->entrypoint.nr)
		json_object_set_new(config, "Entrypoint", string_array(&m->entrypoint));
	if (m->cmd.set) {
		if (m->cmd.nr)
			json_object_set_new(config, "Cmd", string_array(&m->cmd));
	} else if (!m->entrypoint.set || !m->entrypoint.nr) {
		json_t *sh = json_array();

		json_array_append_new(sh, json_string("sh"));
		json_object_set_new(config, "Cmd", sh);
	}
	if (m->workdir)
		json_object_set_new(config, "WorkingDir", json_string(m->workdir));
	if (m->labels.nr) {
		json_t *labels = json_object();

		for (i = 0; i < m->labels.nr; i++) {
			const char *eq = strchr(m->labels.v[i], '=');
			char *key = xstrndup(m->labels.v[i], (size_t)(eq - m->labels.v[i]));

			json_object_set_new(labels, key, json_string(eq + 1));
			free(key);
		}
		json_object_set_new(config, "Labels", labels);
	}
	json_object_set_new(root, "config", config);

	json_object_set_new(rootfs, "type", json_string("layers"));
	json_array_append_new(diff_ids, digest_string(diff_id));
	json_object_set_new(rootfs, "diff_ids", diff_ids);
	json_object_set_new(root, "rootfs", rootfs);

	json_object_set_new(h, "created", json_string(created));
	json_object_set_new(h, "created_by", m->version ?
			    json_sprintf("bbroot pack (BusyBox %s)", m->version) :
			    json_string("bbroot pack"));
	json_array_append_new(history, h);
	json_object_set_new(root, "history", history);
	return dump(root, len);
}

static json_t *descriptor(const char *media_type, const struct blob *b)
{
	json_t *d = json_object();

	json_object_set_new(d, "mediaType", json_string(media_type));
	json_object_set_new(d, "digest", digest_string(b->digest));
	json_object_set_new(d, "size", json_integer((json_int_t)b->size));
	return d;
}

char *image_manifest_json(const struct image_meta *m, const struct blob *config,
			  const struct blob *layer, const char *layer_media_type, size_t *len)
{
	json_t *root = json_object(), *layers = json_array(), *ann = json_object();
	char created[32];

	json_object_set_new(root, "schemaVersion", json_integer(2));
	json_object_set_new(root, "mediaType", json_string(MEDIA_OCI_MANIFEST));
	json_object_set_new(root, "config", descriptor(MEDIA_OCI_CONFIG, config));
	json_array_append_new(layers, descriptor(layer_media_type, layer));
	json_object_set_new(root, "layers", layers);
	json_object_set_new(ann, "org.opencontainers.image.created",
			    json_string(image_time(m->created, created, sizeof(created))));
	if (m->version) {
		json_object_set_new(ann, "org.opencontainers.image.version", json_string(m->version));
		json_object_set_new(ann, "org.busybox.version", json_string(m->version));
	}
	json_object_set_new(root, "annotations", ann);
	return dump(root, len);
}

char *image_index_json(const struct image_meta *m, const struct blob *manifest, size_t *len)
{
	json_t *root = json_object(), *manifests = json_array();
	json_t *d = descriptor(MEDIA_OCI_MANIFEST, manifest);
	json_t *ann = json_object(), *platform = json_object();
	char *ref = full_reference(m);

	json_object_set_new(root, "schemaVersion", json_integer(2));
	json_object_set_new(root, "mediaType", json_string(MEDIA_OCI_INDEX));
	json_object_set_new(ann, "io.containerd.image.name", json_string(ref));
	json_object_set_new(ann, "org.opencontainers.image.ref.name", json_string(m->tag));
	json_object_set_new(d, "annotations", ann);
	json_object_set_new(platform, "architecture", json_string(m->architecture));
	json_object_set_new(platform, "os", json_string(m->os));
	if (*m->variant)
		json_object_set_new(platform, "variant", json_string(m->variant));
	json_object_set_new(d, "platform", platform);
	json_array_append_new(manifests, d);
	json_object_set_new(root, "manifests", manifests);
	free(ref);
	return dump(root, len);
}

char *image_docker_manifest_json(const struct image_meta *m, const struct blob *config,
				 const struct blob *layer, size_t *len)
{
	json_t *root = json_array(), *e = json_object(), *tags = json_array(), *layers = json_array();

	json_object_set_new(e, "Config", json_sprintf("blobs/sha256/%s", config->digest));
	json_array_append_new(tags, json_sprintf("%s:%s", m->repository, m->tag));
	json_object_set_new(e, "RepoTags", tags);
	json_array_append_new(layers, json_sprintf("blobs/sha256/%s", layer->digest));
	json_object_set_new(e, "Layers", layers);
	json_array_append_new(root, e);
	return dump(root, len);
}

char *image_repositories_json(const struct image_meta *m, const struct blob *layer, size_t *len)
{
	json_t *root = json_object(), *tags = json_object();

	json_object_set_new(tags, m->tag, json_string(layer->digest));
	json_object_set_new(root, m->repository, tags);
	return dump(root, len);
}

char *image_oci_layout_json(size_t *len)
{
	json_t *root = json_object();

	json_object_set_new(root, "imageLayoutVersion", json_string("1.0.0"));
	return dump(root, len);
}
