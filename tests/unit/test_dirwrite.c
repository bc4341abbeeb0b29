/*
 * test_dirwrite.c - the directory sink: modes from the model whatever the
 * umask, hard links sharing the binary's inode, idempotence, and the
 * hostile cases (a symlink inside the target pointing outside, conflicts
 * refused before anything is written, --force, a target that is a file,
 * open_beneath never following a symlink).
 */
#include "tap.h"

#include "bootstrap/dirwrite.h"
#include "lib/diag.h"
#include "lib/rootfs.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/bbroot-test-dirwrite.XXXXXX";

static char *path_in(const char *a, const char *b)
{
	return xasprintf("%s/%s", a, b);
}

static void model(struct rootfs *fs, const char *host_file)
{
	struct stat st;

	rootfs_init(fs);
	fs->mtime = 1234567890;
	stat(host_file, &st);
	rootfs_add_dir(fs, "tmp", 01777);
	rootfs_add_dir(fs, "root", 0700);
	rootfs_add_file_mem(fs, "etc/shadow", 0600, "root:*:::::::\n", 14, 0);
	rootfs_add_file_path(fs, "bin/busybox", 0755, host_file, (unsigned long long)st.st_size);
	rootfs_add_hardlink(fs, "bin/ash", "bin/busybox");
	rootfs_add_hardlink(fs, "sbin/init", "bin/busybox");
	rootfs_add_symlink(fs, "usr/bin/env", "/bin/busybox");
	rootfs_add_file_mem(fs, "release", 0644, "x\n", 2, 0);
}

/* A listing of the tree: path type mode uid mtime link-target inode-group. */
static void listing(const char *root, const char *rel, struct strbuf *out, ino_t bb)
{
	char *dir = *rel ? path_in(root, rel) : xstrdup(root);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort), i;

	for (i = 0; i < n; i++) {
		char *r, *p;
		struct stat st;
		char target[256] = "";

		if (!strcmp(names[i]->d_name, ".") || !strcmp(names[i]->d_name, "..")) {
			free(names[i]);
			continue;
		}
		r = *rel ? path_in(rel, names[i]->d_name) : xstrdup(names[i]->d_name);
		p = path_in(root, r);
		lstat(p, &st);
		if (S_ISLNK(st.st_mode) && readlink(p, target, sizeof(target) - 1) < 0)
			target[0] = '\0';
		strbuf_addf(out, "%s %o %u %lld %s %d\n", r, (unsigned int)st.st_mode, st.st_uid,
			    (long long)st.st_mtime, target, st.st_ino == bb);
		if (S_ISDIR(st.st_mode))
			listing(root, r, out, bb);
		free(r);
		free(p);
		free(names[i]);
	}
	free(names);
	free(dir);
}

static ino_t inode_of(const char *root, const char *rel)
{
	char *p = path_in(root, rel);
	struct stat st;
	ino_t ino = lstat(p, &st) == 0 ? st.st_ino : 0;

	free(p);
	return ino;
}

static mode_t mode_at(const char *root, const char *rel)
{
	char *p = path_in(root, rel);
	struct stat st;
	mode_t m = lstat(p, &st) == 0 ? st.st_mode : 0;

	free(p);
	return m;
}

static void remove_all(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);

	if (system(cmd) != 0)
		printf("# could not remove %s\n", path);
	free(cmd);
}

static int empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n == 0;
}

int main(void)
{
	struct rootfs fs;
	struct dirwrite_stats st;
	struct strbuf one, two;
	char *bb, *target, *outside, *p;
	int fd;

	if (!mkdtemp(tmpdir))
		return 1;
	bbr_opt.quiet = 1;
	bb = path_in(tmpdir, "busybox");
	fd = open(bb, O_WRONLY | O_CREAT, 0700);
	ok(fd >= 0 && write(fd, "\177ELF", 4) == 4 && close(fd) == 0, "fake binary");
	target = path_in(tmpdir, "root/a/b");
	outside = path_in(tmpdir, "outside");
	mkdir(outside, 0755);

	/* A fresh install under a hostile umask. */
	umask(0777);
	model(&fs, bb);
	is_int(dirwrite_rootfs(&fs, target, DIRWRITE_NO_SYNC, &st), 0, "write into a missing dir");
	umask(022);
	is_int(mode_at(target, "tmp") & 07777, 01777, "tmp is 1777 under umask 777");
	is_int(mode_at(target, "root") & 07777, 0700, "root is 0700");
	is_int(mode_at(target, "etc/shadow") & 07777, 0600, "shadow is 0600");
	is_int(mode_at(target, "bin/busybox") & 07777, 0755, "busybox is 0755");
	ok(inode_of(target, "bin/ash") == inode_of(target, "bin/busybox") &&
	   inode_of(target, "sbin/init") == inode_of(target, "bin/busybox"),
	   "hard links share the binary's inode");
	ok(S_ISLNK(mode_at(target, "usr/bin/env")), "symlink written");
	is_int(st.hardlinks, 2, "two hard links written");

	strbuf_init(&one);
	strbuf_init(&two);
	listing(target, "", &one, inode_of(target, "bin/busybox"));
	ok(strstr(one.buf, "tmp 41777 0 1234567890") != NULL, "directory mtime from the model");
	is_int(dirwrite_rootfs(&fs, target, DIRWRITE_NO_SYNC, &st), 0, "write again");
	listing(target, "", &two, inode_of(target, "bin/busybox"));
	is_str(two.buf, one.buf, "a second write leaves the same tree");
	ok(st.unchanged > 0, "unchanged entries counted");

	/* A symlink inside the target pointing outside: refused, then forced. */
	p = path_in(target, "etc");
	remove_all(p);
	ok(symlink(outside, p) == 0, "etc replaced by a symlink to outside");
	bbr_reset_failure();
	is_int(dirwrite_rootfs(&fs, target, DIRWRITE_NO_SYNC, &st), -1,
	       "a symlink where a directory goes is a conflict");
	ok(empty_dir(outside), "nothing written outside");
	ok(S_ISLNK(mode_at(target, "etc")), "nothing replaced without --force");
	is_int(dirwrite_rootfs(&fs, target, DIRWRITE_NO_SYNC | DIRWRITE_FORCE, &st), 0,
	       "--force replaces it");
	ok(S_ISDIR(mode_at(target, "etc")), "etc is a directory again");
	ok(empty_dir(outside), "still nothing written outside");
	free(p);

	/* A directory where a file goes. */
	p = path_in(target, "release");
	unlink(p);
	mkdir(p, 0755);
	free(p);
	p = path_in(target, "release/keep");
	close(open(p, O_WRONLY | O_CREAT, 0644));
	free(p);
	is_int(dirwrite_rootfs(&fs, target, DIRWRITE_NO_SYNC, &st), -1,
	       "a directory where a file goes is a conflict");
	ok(S_ISDIR(mode_at(target, "release")), "the directory is left alone");
	is_int(dirwrite_rootfs(&fs, target, DIRWRITE_NO_SYNC | DIRWRITE_FORCE, &st), 0,
	       "--force removes it");
	ok(S_ISREG(mode_at(target, "release")), "release is a file again");
	is_int(st.replaced, 1, "one entry replaced");

	/* A symlink where a file goes: replaced, its target untouched. */
	p = path_in(target, "release");
	unlink(p);
	free(p);
	p = path_in(outside, "victim");
	close(open(p, O_WRONLY | O_CREAT, 0644));
	{
		char *r = path_in(target, "release");

		ok(symlink(p, r) == 0, "release replaced by a symlink to outside");
		free(r);
	}
	is_int(dirwrite_rootfs(&fs, target, DIRWRITE_NO_SYNC, &st), 0,
	       "a symlink where a file goes is replaced");
	ok(S_ISREG(mode_at(target, "release")), "release is a file");
	is_int(mode_at(outside, "victim") & 0777, 0644, "the symlink's target is untouched");
	{
		struct stat vs;

		ok(stat(p, &vs) == 0 && vs.st_size == 0, "... and still empty");
	}
	free(p);

	/* The target itself is a file. */
	p = path_in(tmpdir, "file");
	close(open(p, O_WRONLY | O_CREAT, 0644));
	is_int(dirwrite_rootfs(&fs, p, DIRWRITE_NO_SYNC, &st), -1, "a target that is a file fails");
	free(p);

	/* open_beneath. */
	fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	p = path_in(tmpdir, "lnk");
	symlink("root", p);
	errno = 0;
	ok(dirwrite_open_beneath(fd, "lnk/a/b/release", O_RDONLY, 0) < 0 &&
	   (errno == ELOOP || errno == ENOTDIR), "open_beneath refuses a symlinked component");
	{
		int f = dirwrite_open_beneath(fd, "root/a/b/release", O_RDONLY, 0);

		ok(f >= 0, "open_beneath opens a real path");
		if (f >= 0)
			close(f);
	}
	close(fd);
	free(p);

	rootfs_release(&fs);
	strbuf_release(&one);
	strbuf_release(&two);
	remove_all(tmpdir);
	free(bb);
	free(target);
	free(outside);
	return tap_done();
}
