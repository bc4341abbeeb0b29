/*
 * test_tarw.c - the tar sink and the image documents on models built here:
 * member headers and order, hard link groups (a link sorting before its
 * target), refused names, one-pass digests against the bytes written,
 * the gzip header, and the JSON documents' exact shape.
 */
#include "tap.h"

#include "../../lib/diag.h"
#include "../../lib/rootfs.h"
#include "../../lib/sha256.h"
#include "../../pack/image.h"
#include "../../pack/tarw.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Pack fs into a memfd; returns the fd (rewound) or -1. */
static int pack_model(struct rootfs *fs, enum tarw_compress c, struct tarw_result *r)
{
	struct tarw w;
	int fd = memfd_create("tarw", 0), rc;

	tarw_init(&w);
	rc = tarw_open(&w, fd, "test.tar", c);
	if (!rc)
		rc = tarw_write_rootfs(&w, fs);
	if (!rc)
		rc = tarw_close(&w, r);
	tarw_release(&w);
	if (rc < 0) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static unsigned char *slurp(int fd, size_t *len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	unsigned char *buf = malloc((size_t)size + 1);

	*len = (size_t)pread(fd, buf, (size_t)size, 0);
	return buf;
}

static void hex_of(const void *data, size_t len, char hex[65])
{
	struct sha256 h;

	sha256_init(&h);
	sha256_update(&h, data, len);
	sha256_final_hex(&h, hex);
	sha256_release(&h);
}

static void make_model(struct rootfs *fs)
{
	rootfs_init(fs);
	fs->mtime = 1234567890;
	rootfs_add_dir(fs, "bin", 0755);
	rootfs_add_file_mem(fs, "bin/busybox", 0755, "ELF-ish", 7, 0);
	rootfs_add_hardlink(fs, "bin/ash", "bin/busybox"); /* sorts before its target */
	rootfs_add_hardlink(fs, "bin/sh", "bin/busybox");
	rootfs_add_symlink(fs, "usr/bin/env", "/bin/busybox");
	rootfs_add_dir(fs, "tmp", 01777);
	rootfs_add_dir(fs, "root", 0700);
	rootfs_add_file_mem(fs, "etc/shadow", 0600, "root:*:0::::::\n", 15, 0);
	rootfs_add_file_mem(fs, "a-b", 0644, "", 0, 0);
	rootfs_add_dir(fs, "a", 0755);
	rootfs_add_file_mem(fs, "a/b", 0644, "x", 1, 0);
}

static void test_members(void)
{
	static const char *const want[] = {
		"a/", "a/b", "a-b", "bin/", "bin/ash", "bin/busybox", "bin/sh", "etc/",
		"etc/shadow", "root/", "tmp/", "usr/", "usr/bin/", "usr/bin/env",
	};
	struct rootfs fs;
	struct tarw_result r;
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	size_t i = 0, len;
	unsigned char *bytes;
	char hex[65];
	int fd;

	make_model(&fs);
	fd = pack_model(&fs, TARW_NONE, &r);
	ok(fd >= 0, "a model packs");
	bytes = slurp(fd, &len);
	hex_of(bytes, len, hex);
	is_str(r.diff_id, hex, "diff_id is the sha256 of the bytes written");
	is_str(r.digest, hex, "uncompressed: digest == diff_id");
	is_int(r.size, len, "size counts the bytes written");
	is_int(len % 10240, 0, "the tar is padded to 10240-byte records");
	ok(!memmem(bytes, len, "PaxHeader", 9) && !memmem(bytes, len, "hdrcharset", 10),
	   "ASCII names need no pax extended headers");
	archive_read_support_format_tar(a);
	archive_read_open_memory(a, bytes, len);
	while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ae);

		if (i < sizeof(want) / sizeof(want[0]))
			is_str(name, want[i], "member %zu in --sort=name order", i);
		ok(archive_entry_uid(ae) == 0 && archive_entry_gid(ae) == 0 &&
		   !*(archive_entry_uname(ae) ? archive_entry_uname(ae) : "") &&
		   !*(archive_entry_gname(ae) ? archive_entry_gname(ae) : ""),
		   "%s: numeric owner 0, no names", name);
		is_int(archive_entry_mtime(ae), 1234567890, "%s: mtime from the model", name);
		ok(!archive_entry_atime_is_set(ae) && !archive_entry_ctime_is_set(ae),
		   "%s: no atime/ctime", name);
		if (!strcmp(name, "bin/ash")) {
			ok(!archive_entry_hardlink(ae) && archive_entry_size(ae) == 7,
			   "first member of the link group carries the data");
			is_int(archive_entry_perm(ae), 0755, "with the target's mode");
		}
		if (!strcmp(name, "bin/busybox") || !strcmp(name, "bin/sh"))
			is_str(archive_entry_hardlink(ae), "bin/ash", "%s links to the first member", name);
		if (!strcmp(name, "tmp/"))
			is_int(archive_entry_perm(ae), 01777, "tmp keeps its sticky mode");
		if (!strcmp(name, "root/"))
			is_int(archive_entry_perm(ae), 0700, "root is 0700");
		if (!strcmp(name, "etc/shadow"))
			is_int(archive_entry_perm(ae), 0600, "shadow is 0600");
		if (!strcmp(name, "usr/bin/env"))
			is_str(archive_entry_symlink(ae), "/bin/busybox", "symlink text kept");
		i++;
	}
	is_int(i, sizeof(want) / sizeof(want[0]), "every entry once, no root entry");
	archive_read_free(a);
	free(bytes);
	close(fd);
	rootfs_release(&fs);
}

static void test_compressed(void)
{
	static const enum tarw_compress cs[] = { TARW_GZIP, TARW_ZSTD, TARW_XZ };
	struct rootfs fs;
	struct tarw_result plain, r, again;
	size_t i;

	make_model(&fs);
	close(pack_model(&fs, TARW_NONE, &plain));
	for (i = 0; i < 3; i++) {
		struct archive *a = archive_read_new();
		struct archive_entry *ae;
		unsigned char *bytes, *tar = malloc(plain.tar_size + 1);
		size_t len, got = 0;
		char hex[65];
		int fd = pack_model(&fs, cs[i], &r), fd2;
		la_ssize_t n;

		bytes = slurp(fd, &len);
		hex_of(bytes, len, hex);
		is_str(r.digest, hex, "%s: digest is the sha256 of the compressed file",
		       tarw_compress_name(cs[i]));
		is_str(r.diff_id, plain.diff_id, "%s: diff_id is the uncompressed tar's",
		       tarw_compress_name(cs[i]));
		archive_read_support_filter_all(a);
		archive_read_support_format_raw(a);
		archive_read_open_memory(a, bytes, len);
		if (archive_read_next_header(a, &ae) == ARCHIVE_OK)
			while ((n = archive_read_data(a, tar + got, plain.tar_size + 1 - got)) > 0)
				got += (size_t)n;
		is_int(got, plain.tar_size, "%s: decompresses to the same length",
		       tarw_compress_name(cs[i]));
		hex_of(tar, got, hex);
		is_str(hex, plain.diff_id, "%s: decompresses to the same tar",
		       tarw_compress_name(cs[i]));
		if (cs[i] == TARW_GZIP) {
			ok(bytes[0] == 0x1f && bytes[1] == 0x8b && bytes[3] == 0,
			   "gzip: no name, no extra fields (FLG 0)");
			ok(!bytes[4] && !bytes[5] && !bytes[6] && !bytes[7], "gzip: MTIME 0");
			is_int(bytes[9], 3, "gzip: OS unix");
		}
		fd2 = pack_model(&fs, cs[i], &again);
		is_str(again.digest, r.digest, "%s: same model, same bytes",
		       tarw_compress_name(cs[i]));
		close(fd2);
		archive_read_free(a);
		free(bytes);
		free(tar);
		close(fd);
	}
	rootfs_release(&fs);
}

static void test_refused(void)
{
	static const char *const bad[] = { "/abs", "a/../b", "..", "a/./b", ".wh.x", "d/.wh..wh..opq", "a//b" };
	struct rootfs_entry e;
	struct tarw w;
	struct tarw_result r;
	size_t i;
	int fd = memfd_create("bad", 0);

	tarw_init(&w);
	tarw_open(&w, fd, "bad.tar", TARW_NONE);
	memset(&e, 0, sizeof(e));
	e.type = ROOTFS_DIR;
	e.mode = 0755;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.path = (char *)bad[i];
		ok(tarw_add_header(&w, &e) < 0, "name '%s' is refused", bad[i]);
	}
	e.path = "ok";
	e.type = ROOTFS_HARDLINK;
	e.target = "../etc/passwd";
	ok(tarw_add_header(&w, &e) < 0, "a hard link needing '..' is refused");
	e.type = ROOTFS_SYMLINK;
	ok(tarw_add_header(&w, &e) == 0, "a symlink to '..' is stored as text");
	e.path = "f";
	e.type = ROOTFS_FILE;
	e.size = 10;
	ok(tarw_add_header(&w, &e) == 0 && tarw_add_fd(&w, fd, 10, "memfd") < 0,
	   "a source shorter than its header is an error, not zero padding");
	tarw_release(&w);
	(void)r;
	close(fd);
	bbr_reset_failure();
}

static void test_documents(void)
{
	struct image_meta m;
	struct blob config = { "", 0 }, layer = { "", 0 }, manifest = { "", 0 };
	struct strlist l = { NULL, 0, 0, 0 };
	size_t len;
	char *s;

	image_meta_init(&m);
	memcpy(m.architecture, "arm64", 6);
	memcpy(m.variant, "v8", 3);
	m.version = "1.35.0";
	m.created = 86400;
	ok(image_meta_set_tag(&m, "busybox", "1.35.0") == 0, "a bare name takes the default tag");
	is_str(m.tag, "1.35.0", "default tag");
	ok(image_meta_set_tag(&m, "localhost:5000/bb:x1", "t") == 0 && !strcmp(m.repository, "localhost:5000/bb") &&
	   !strcmp(m.tag, "x1"), "a registry port is not a tag");
	ok(image_meta_set_tag(&m, "Busy:Box", "t") < 0, "upper-case names are refused");
	image_meta_set_tag(&m, "busybox:1.35.0", "latest");
	memset(config.digest, 'c', 64);
	memset(layer.digest, 'a', 64);
	memset(manifest.digest, 'b', 64);
	layer.size = 10;
	s = image_config_json(&m, "dddd", &len);
	is_str(s, "{\"created\":\"1970-01-02T00:00:00Z\",\"architecture\":\"arm64\",\"variant\":\"v8\","
	       "\"os\":\"linux\",\"config\":{\"Env\":[\"" IMAGE_DEFAULT_PATH "\"],\"Cmd\":[\"sh\"]},"
	       "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:dddd\"]},"
	       "\"history\":[{\"created\":\"1970-01-02T00:00:00Z\",\"created_by\":\"bbroot pack (BusyBox 1.35.0)\"}]}",
	       "config: fixed key order, created from the epoch, default Cmd and PATH");
	free(s);
	s = image_index_json(&m, &manifest, &len);
	ok(strstr(s, "\"org.opencontainers.image.ref.name\":\"1.35.0\"") &&
	   strstr(s, "\"io.containerd.image.name\":\"docker.io/library/busybox:1.35.0\""),
	   "index entry names the image for umoci and containerd");
	free(s);
	s = image_docker_manifest_json(&m, &config, &layer, &len);
	ok(strstr(s, "\"RepoTags\":[\"busybox:1.35.0\"]") != NULL, "manifest.json carries the tag");
	free(s);
	is_str(image_layer_media_type("gzip"), "application/vnd.oci.image.layer.v1.tar+gzip",
	       "OCI gzip layer media type");
	ok(strlist_parse_argv(&l, "cmd", "[\"sh\",\"-c\",\"echo a b\"]") == 0 && l.nr == 3 &&
	   !strcmp(l.v[2], "echo a b"), "--cmd takes a JSON array");
	ok(strlist_parse_argv(&l, "cmd", " ls  -l ") == 0 && l.nr == 2 && !strcmp(l.v[1], "-l"),
	   "--cmd takes blank-separated words");
	ok(strlist_parse_argv(&l, "cmd", "[1]") < 0, "--cmd refuses non-strings");
	strlist_clear(&l);
	image_meta_release(&m);
	bbr_reset_failure();
}

int main(void)
{
	test_members();
	test_compressed();
	test_refused();
	test_documents();
	return tap_done();
}
