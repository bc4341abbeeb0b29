/*
 * test_layout.c - layout_build(): profiles, applet links in every style,
 * the binary never replaced by a link to itself, profile files never
 * overwritten by applets, --release, overlays, SOURCE_DATE_EPOCH, and the
 * option glue pack shares.  No busybox is run: the applet list is made
 * here and bin/busybox is any regular file.
 */
#include "tap.h"

#include "bootstrap/layout.h"
#include "lib/diag.h"
#include "lib/rootfs.h"
#include "lib/xalloc.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/bbroot-test-layout.XXXXXX";
static char *fake_busybox;

static struct applet fake_list[] = {
	{ (char *)"busybox", APPLET_DIR_BIN },  /* Debian lists itself */
	{ (char *)"chroot", APPLET_DIR_USR_SBIN },
	{ (char *)"env", APPLET_DIR_USR_BIN },
	{ (char *)"ifconfig", APPLET_DIR_SBIN },
	{ (char *)"linuxrc", APPLET_DIR_ROOT },
	{ (char *)"ls", APPLET_DIR_BIN },
	{ (char *)"passwd", APPLET_DIR_BIN },   /* collides with nothing: bin/passwd */
	{ (char *)"sh", APPLET_DIR_BIN },
};

static void fake_inputs(struct elfinfo *info, struct applets *a)
{
	elfinfo_init(info);
	snprintf(info->architecture, sizeof(info->architecture), "amd64");
	info->version = (char *)"1.36.1";
	applets_init(a);
	a->list = fake_list;
	a->nr = sizeof(fake_list) / sizeof(*fake_list);
}

static int build(struct layout_options *o, struct rootfs *fs)
{
	struct elfinfo info;
	struct applets a;

	fake_inputs(&info, &a);
	rootfs_init(fs);
	return layout_build(o, fake_busybox, &info, &a, fs);
}

static const char *target_of(struct rootfs *fs, const char *path)
{
	struct rootfs_entry *e = rootfs_lookup(fs, path);

	return e ? e->target : NULL;
}

static int type_of(struct rootfs *fs, const char *path)
{
	struct rootfs_entry *e = rootfs_lookup(fs, path);

	return e ? (int)e->type : -1;
}

static int mode_of(struct rootfs *fs, const char *path)
{
	struct rootfs_entry *e = rootfs_lookup(fs, path);

	return e ? (int)e->mode : -1;
}

static int content_has(struct rootfs *fs, const char *path, const char *needle)
{
	struct rootfs_entry *e = rootfs_lookup(fs, path);

	if (!e || e->content != ROOTFS_CONTENT_MEMORY)
		return 0;
	return memmem(e->data, (size_t)e->size, needle, strlen(needle)) != NULL;
}

static void test_options(void)
{
	struct layout_options o;

	layout_options_init(&o);
	is_int(o.links, LINKS_HARDLINK, "default links are hard links");
	ok(o.profile == NULL, "default profile is NULL (standard)");
	is_int(layout_option(&o, "install", LAYOUT_OPT_LINKS, "relative"), 1, "--links relative");
	is_int(o.links, LINKS_RELATIVE, "links set");
	is_int(layout_option(&o, "install", LAYOUT_OPT_LINKS, "soft"), -1, "--links soft refused");
	is_int(layout_option(&o, "install", LAYOUT_OPT_OVERLAY, "a"), 1, "--overlay a");
	is_int(layout_option(&o, "install", LAYOUT_OPT_OVERLAY, "b"), 1, "--overlay b");
	ok(o.nr_overlays == 2 && !strcmp(o.overlays[1], "b"), "overlays kept in order");
	is_int(layout_option(&o, "install", 'x', "zz"), 0, "other options are not ours");
	layout_options_release(&o);
	layout_options_release(&o);
	ok(o.overlays == NULL, "release is safe twice");
	bbr_reset_failure();
}

static void test_standard(void)
{
	struct layout_options o;
	struct rootfs fs;
	struct rootfs_entry *bb;
	size_t i;
	int sorted = 1;

	layout_options_init(&o);
	o.release = "KatacodaPrivateBuild";
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	is_int(build(&o, &fs), 0, "standard layout builds");
	bb = rootfs_lookup(&fs, "bin/busybox");
	ok(bb && bb->type == ROOTFS_FILE && bb->mode == 0755 &&
	   bb->content == ROOTFS_CONTENT_PATH, "bin/busybox is a 0755 file read from the host");
	is_int(type_of(&fs, "bin/sh"), ROOTFS_HARDLINK, "bin/sh is a hard link");
	is_str(target_of(&fs, "bin/sh"), "bin/busybox", "bin/sh links bin/busybox");
	is_str(target_of(&fs, "usr/sbin/chroot"), "bin/busybox", "applets go to their directory");
	is_str(target_of(&fs, "linuxrc"), "bin/busybox", "a root applet sits at the root");
	is_int(mode_of(&fs, "tmp"), 01777, "/tmp is 1777");
	is_int(mode_of(&fs, "root"), 0700, "/root is 0700");
	is_int(mode_of(&fs, "etc/shadow"), 0600, "/etc/shadow is 0600");
	ok(content_has(&fs, "etc/shadow", "root:*:"), "root's password is locked");
	ok(!content_has(&fs, "etc/shadow", "root::"), "root's password is not empty");
	ok(content_has(&fs, "etc/passwd", "nobody:x:65534:65534:"), "passwd has nobody");
	ok(content_has(&fs, "etc/group", "wheel:x:10:"), "group has wheel");
	ok(content_has(&fs, "etc/group", "users:x:100:"), "group has users");
	ok(content_has(&fs, "etc/os-release", "VERSION_ID=1.36.1\n"), "os-release has the version");
	ok(content_has(&fs, "etc/os-release", "NAME=\"BusyBox\""), "os-release names BusyBox");
	ok(rootfs_lookup(&fs, "etc/localtime") != NULL, "UTC local time");
	ok(content_has(&fs, "release", "KatacodaPrivateBuild\n"), "/release has the string");
	is_int(mode_of(&fs, "release"), 0644, "/release is 0644");
	is_int(type_of(&fs, "usr/bin/env"), ROOTFS_HARDLINK, "/usr/bin/env is present");
	for (i = 0; i < fs.nr; i++) {
		if (fs.entries[i]->mtime != 1700000000)
			sorted = 0;
		if (i && rootfs_path_cmp(fs.entries[i - 1]->path, fs.entries[i]->path) >= 0)
			sorted = 0;
	}
	ok(sorted, "entries sorted, every mtime from SOURCE_DATE_EPOCH");
	rootfs_release(&fs);
	unsetenv("SOURCE_DATE_EPOCH");
	layout_options_release(&o);
}

static void test_link_styles(void)
{
	struct layout_options o;
	struct rootfs fs;

	layout_options_init(&o);
	o.profile = "minimal";
	o.links = LINKS_SYMLINK;
	is_int(build(&o, &fs), 0, "minimal with absolute symlinks");
	is_str(target_of(&fs, "sbin/ifconfig"), "/bin/busybox", "absolute symlink");
	is_int(type_of(&fs, "bin/busybox"), ROOTFS_FILE, "busybox applet did not replace the binary");
	ok(rootfs_lookup(&fs, "etc") == NULL, "minimal has no /etc");
	ok(rootfs_lookup(&fs, "release") == NULL, "no /release unless asked");
	rootfs_release(&fs);

	o.links = LINKS_RELATIVE;
	is_int(build(&o, &fs), 0, "minimal with relative symlinks");
	is_str(target_of(&fs, "bin/ls"), "busybox", "bin/ls -> busybox");
	is_str(target_of(&fs, "sbin/ifconfig"), "../bin/busybox", "sbin/ifconfig -> ../bin/busybox");
	is_str(target_of(&fs, "usr/sbin/chroot"), "../../bin/busybox", "usr/sbin -> ../../bin/busybox");
	is_str(target_of(&fs, "linuxrc"), "bin/busybox", "linuxrc -> bin/busybox");
	rootfs_release(&fs);

	o.links = LINKS_NONE;
	is_int(build(&o, &fs), 0, "minimal without links");
	is_int(fs.nr, 2, "only bin and bin/busybox");
	rootfs_release(&fs);
	layout_options_release(&o);
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	fchmod(fd, mode);
	return close(fd);
}

static void test_user_profile(void)
{
	struct layout_options o;
	struct rootfs fs;
	char *prof = xasprintf("%s/prof", tmpdir);
	char *p;

	mkdir(prof, 0755);
	p = xasprintf("%s/bin", prof);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/profile.ini", prof);
	write_file(p, "[profile]\ndescription = test\n[dirs]\nsrv = 0750 33 33\n"
		   "[files]\nbin/sh = 0755\n[templates]\nVERSION = 0444\n"
		   "[symlinks]\netc/mtab = /proc/mounts\n", 0644);
	free(p);
	p = xasprintf("%s/bin/sh", prof);
	write_file(p, "#!/not/busybox\n", 0644);
	free(p);
	p = xasprintf("%s/VERSION", prof);
	write_file(p, "@BUSYBOX_VERSION@ on @PLATFORM@ (@ARCHITECTURE@) me@example\n", 0644);
	free(p);

	layout_options_init(&o);
	o.profile = prof;
	is_int(build(&o, &fs), 0, "a directory profile builds");
	is_int(type_of(&fs, "bin/sh"), ROOTFS_FILE, "an applet does not overwrite a profile file");
	ok(content_has(&fs, "bin/sh", "#!/not/busybox"), "the profile's bin/sh is kept");
	ok(content_has(&fs, "VERSION", "1.36.1 on linux/amd64 (amd64) me@example\n"),
	   "templates expand, other @ kept");
	is_str(target_of(&fs, "etc/mtab"), "/proc/mounts", "profile symlink");
	ok(rootfs_lookup(&fs, "srv") && rootfs_lookup(&fs, "srv")->uid == 33 &&
	   mode_of(&fs, "srv") == 0750, "profile owner and mode");
	is_int(type_of(&fs, "bin/ls"), ROOTFS_HARDLINK, "other applets still linked");
	rootfs_release(&fs);

	p = xasprintf("%s/profile.ini", prof);
	write_file(p, "[files]\netc/../../passwd = 0644\n", 0644);
	is_int(build(&o, &fs), -1, "a '..' path in a profile is refused");
	rootfs_release(&fs);
	write_file(p, "[dirs]\netc = 0999\n", 0644);
	is_int(build(&o, &fs), -1, "a bad mode is refused");
	rootfs_release(&fs);
	write_file(p, "[bogus]\na = b\n", 0644);
	is_int(build(&o, &fs), -1, "an unknown section is refused");
	rootfs_release(&fs);
	write_file(p, "[files]\nmissing = 0644\n", 0644);
	is_int(build(&o, &fs), -1, "a listed file that is missing is refused");
	rootfs_release(&fs);
	free(p);
	p = xasprintf("%s/evil", prof);
	symlink("/etc/shadow", p);
	free(p);
	p = xasprintf("%s/profile.ini", prof);
	write_file(p, "[files]\nevil = 0644\n", 0644);
	is_int(build(&o, &fs), -1, "a profile file that is a symlink is not followed");
	rootfs_release(&fs);
	free(p);

	o.profile = "nonesuch";
	bbr_reset_failure();
	is_int(build(&o, &fs), -1, "an unknown built-in profile is refused");
	is_int(bbr_exit_code(-1), 2, "... as a usage error");
	bbr_reset_failure();
	rootfs_release(&fs);
	layout_options_release(&o);
	free(prof);
}

static void test_overlay_and_epoch(void)
{
	struct layout_options o;
	struct rootfs fs;
	char *ov = xasprintf("%s/overlay", tmpdir);
	char *p;

	mkdir(ov, 0755);
	p = xasprintf("%s/tmp", ov);
	mkdir(p, 0700);
	free(p);
	p = xasprintf("%s/release", ov);
	write_file(p, "from overlay\n", 0600);
	free(p);
	p = xasprintf("%s/hello", ov);
	write_file(p, "hi\n", 0750);
	free(p);
	p = xasprintf("%s/link", ov);
	symlink("../../outside", p);
	free(p);
	{
		char *a = xasprintf("%s/hello", ov), *b = xasprintf("%s/hello2", ov);

		link(a, b);
		free(a);
		free(b);
	}

	layout_options_init(&o);
	layout_option(&o, "install", LAYOUT_OPT_OVERLAY, ov);
	o.release = "explicit";
	is_int(build(&o, &fs), 0, "overlay builds");
	is_int(mode_of(&fs, "tmp"), 01777, "an overlay directory keeps the image's mode");
	is_int(mode_of(&fs, "hello"), 0750, "overlay file mode kept");
	ok(rootfs_lookup(&fs, "hello")->uid == 0, "overlay owner normalised to root");
	is_str(target_of(&fs, "link"), "../../outside", "overlay symlink kept verbatim");
	is_int(type_of(&fs, "hello2"), ROOTFS_HARDLINK, "overlay hard link kept");
	is_str(target_of(&fs, "hello2"), "hello", "... to the first path");
	ok(content_has(&fs, "release", "explicit\n"), "--release wins over an overlay");
	rootfs_release(&fs);
	layout_options_release(&o);

	layout_options_init(&o);
	setenv("SOURCE_DATE_EPOCH", "12abc", 1);
	bbr_reset_failure();
	is_int(build(&o, &fs), -1, "a bad SOURCE_DATE_EPOCH is refused");
	is_int(bbr_exit_code(-1), 2, "... as a usage error");
	bbr_reset_failure();
	unsetenv("SOURCE_DATE_EPOCH");
	rootfs_release(&fs);

	p = xasprintf("%s/fifo", ov);
	mkfifo(p, 0644);
	layout_option(&o, "install", LAYOUT_OPT_OVERLAY, ov);
	is_int(build(&o, &fs), -1, "a fifo in an overlay is refused");
	rootfs_release(&fs);
	unlink(p);
	free(p);
	p = xasprintf("%s/.wh.etc", ov);
	write_file(p, "", 0644);
	is_int(build(&o, &fs), -1, "a whiteout name in an overlay is refused");
	rootfs_release(&fs);
	unlink(p);
	free(p);
	layout_options_release(&o);
	free(ov);
}

static void test_deterministic(void)
{
	struct layout_options o;
	struct rootfs a, b;
	size_t i;
	int same = 1;

	layout_options_init(&o);
	umask(077);
	build(&o, &a);
	umask(022);
	build(&o, &b);
	same = a.nr == b.nr;
	for (i = 0; same && i < a.nr; i++)
		same = !strcmp(a.entries[i]->path, b.entries[i]->path) &&
		       a.entries[i]->mode == b.entries[i]->mode &&
		       a.entries[i]->type == b.entries[i]->type;
	ok(same, "the same inputs give the same model whatever the umask");
	rootfs_release(&a);
	rootfs_release(&b);
	layout_options_release(&o);
}

int main(void)
{
	char *cmd;

	if (!mkdtemp(tmpdir))
		return 1;
	fake_busybox = xasprintf("%s/busybox", tmpdir);
	write_file(fake_busybox, "\177ELF fake", 0755);
	bbr_opt.quiet = 1;
	test_options();
	test_standard();
	test_link_styles();
	test_user_profile();
	test_overlay_and_epoch();
	test_deterministic();
	cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
	free(fake_busybox);
	return tap_done();
}
