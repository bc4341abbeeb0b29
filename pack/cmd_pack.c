/*
 * cmd_pack.c - `bbroot pack`: the rootfs model (built by the layout
 * module from the locked or given busybox) or an existing tree (--from
 * DIR) serialised as a rootfs tar, a docker+OCI archive or an OCI layout
 * directory, in one pass, published atomically, and described on stdout.
 */
#include "../bbroot.h"
#include "../bootstrap/input.h"
#include "../bootstrap/layout.h"
#include "../lib/diag.h"
#include "../lib/epoch.h"
#include "../lib/fileutil.h"
#include "../lib/rootfs.h"
#include "../lib/xalloc.h"
#include "image.h"
#include "ociw.h"
#include "tarw.h"
#include "walk.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum pack_format {
	FORMAT_ROOTFS,
	FORMAT_DOCKER,
	FORMAT_OCI,
};

static const char *const format_names[] = { "rootfs", "docker", "oci" };

#define DEFAULT_OUTPUT "busybox.tar"
#define DEFAULT_OCI_OUTPUT "busybox-oci"

static const char usage_text[] =
	"usage: bbroot pack [options]\n"
	"\n"
	"Write the busybox rootfs (or an existing tree with --from) as an image file.\n"
	"\n"
	"  -o, --output PATH    where to write (default: busybox.tar in the current\n"
	"                       directory; busybox-oci for --format oci); written\n"
	"                       atomically, nothing partial is ever left there;\n"
	"                       '-' writes a rootfs or docker tar to standard output\n"
	"                       (the summary then goes to standard error)\n"
	"  -f, --format FORMAT  rootfs (default): a plain rootfs tar for 'docker import';\n"
	"                       docker: one tar that is both a docker archive and an\n"
	"                       OCI layout ('docker load', 'podman load', skopeo\n"
	"                       docker-archive: and oci-archive:); oci: an OCI layout\n"
	"                       directory (skopeo oci:, umoci)\n"
	"  -c, --compress C     none (default), gzip, zstd or xz: the whole file for\n"
	"                       rootfs, the layer for docker/oci (xz: rootfs only)\n"
	"      --from DIR       pack this tree instead of building the busybox rootfs:\n"
	"                       owners and times normalised, modes and content kept,\n"
	"                       symlinks stored and never followed, special files refused\n"
	"      --busybox FILE   the busybox binary (default: the one bbroot.lock names)\n"
	"      --arch ARCH      the locked binary for ARCH (amd64, arm64, ...)\n"
	"      --platform P     OS/ARCH[/VARIANT] for --from images (default: from\n"
	"                       DIR/bin/busybox when it is an ELF file, else the host)\n"
	"%s"
	"\n"
	"image metadata (docker, oci):\n"
	"  -t, --tag NAME[:TAG] image name (default: busybox:<busybox version>)\n"
	"      --cmd CMD        default command: a JSON array or blank-separated words\n"
	"                       (default: [\"sh\"]; '[]' for none)\n"
	"      --entrypoint CMD entrypoint, same syntax (default: none)\n"
	"      --env K=V        add to the environment (PATH is always set; repeatable)\n"
	"      --label K=V      add a label (repeatable)\n"
	"      --workdir DIR    working directory\n"
	"      --user USER      user[:group] the command runs as\n"
	"  -h, --help           this text\n"
	"\n"
	"Times come from SOURCE_DATE_EPOCH (an integer; default 0); the same inputs\n"
	"give the same bytes.  Exit codes: 0 ok, 1 failed, 2 usage, 3 integrity.\n";

enum {
	OPT_FROM = 0x2000,
	OPT_BUSYBOX,
	OPT_ARCH,
	OPT_PLATFORM,
	OPT_CMD,
	OPT_ENTRYPOINT,
	OPT_ENV,
	OPT_LABEL,
	OPT_WORKDIR,
	OPT_USER,
};

static const struct option long_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "compress", required_argument, NULL, 'c' },
	{ "tag", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "busybox", required_argument, NULL, OPT_BUSYBOX },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "cmd", required_argument, NULL, OPT_CMD },
	{ "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "workdir", required_argument, NULL, OPT_WORKDIR },
	{ "user", required_argument, NULL, OPT_USER },
	LAYOUT_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct pack {
	enum pack_format format;
	enum tarw_compress compress;
	const char *output;
	int to_stdout;          /* -o -: the tar or archive on standard output */
	const char *from;
	const char *busybox;
	const char *arch;
	const char *platform;
	const char *tag;
	long long epoch;
	struct layout_options layout;
	int layout_used;
	struct busybox_input in;
	int have_input;
	struct rootfs fs;
	struct image_meta meta;
	/* results */
	struct tarw_result tar;
	struct walk_stats walk;
	struct ociw_image img;
};

/* What the tar stream contains: the model or the --from tree. */
static int produce(struct pack *p, struct tarw *w, dev_t skip_dev, ino_t skip_ino)
{
	struct walk_options wo;

	if (!p->from)
		return tarw_write_rootfs(w, &p->fs);
	memset(&wo, 0, sizeof(wo));
	wo.mtime = p->epoch;
	wo.skip_dev = skip_dev;
	wo.skip_ino = skip_ino;
	return walk_tree(p->from, &wo, w, &p->walk);
}

/* The layer (or the whole rootfs tar) into fd. */
static int write_stream(struct pack *p, int fd, const char *name, dev_t skip_dev, ino_t skip_ino)
{
	struct tarw w;
	int rc = -1;

	tarw_init(&w);
	if (tarw_open(&w, fd, name, p->compress) < 0 ||
	    produce(p, &w, skip_dev, skip_ino) < 0 ||
	    tarw_close(&w, &p->tar) < 0)
		goto out;
	rc = 0;
out:
	tarw_release(&w);
	return rc;
}

static void set_layer(struct pack *p)
{
	memcpy(p->img.diff_id, p->tar.diff_id, sizeof(p->img.diff_id));
	memcpy(p->img.layer.digest, p->tar.digest, sizeof(p->img.layer.digest));
	p->img.layer.size = p->tar.size;
	p->img.layer_media_type = image_layer_media_type(tarw_compress_name(p->compress));
}

static int write_rootfs_tar(struct pack *p)
{
	struct atomic_file af;
	struct stat st;
	int rc = -1;

	if (p->to_stdout) {
		/* A pipe has no temp file to publish; a file named by the
		 * shell's redirection inside the tree is left out. */
		if (fstat(STDOUT_FILENO, &st) < 0)
			return bbr_error("cannot stat standard output: %s", strerror(errno));
		return write_stream(p, STDOUT_FILENO, "standard output",
				   S_ISREG(st.st_mode) ? st.st_dev : 0, S_ISREG(st.st_mode) ? st.st_ino : 0);
	}
	if (atomic_file_open(&af, p->output, 0666) < 0)
		return -1;
	if (fstat(af.fd, &st) < 0) {
		bbr_error("cannot stat '%s': %s", p->output, strerror(errno));
		goto out;
	}
	if (write_stream(p, af.fd, p->output, st.st_dev, st.st_ino) < 0)
		goto out;
	rc = atomic_file_commit(&af);
out:
	atomic_file_abort(&af);
	return rc;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static int write_docker_archive(struct pack *p)
{
	struct atomic_file af;
	const char *tmpdir = getenv("TMPDIR");
	char *dir = p->to_stdout ? xstrdup(tmpdir && *tmpdir ? tmpdir : "/tmp") : dir_of(p->output);
	int layer_fd = -1, rc = -1;

	af.fd = -1;
	af.path = af.name = af.tmpname = NULL;
	af.dirfd = af.slot = -1;
	layer_fd = ociw_tmpfile(dir);
	if (layer_fd < 0)
		goto out;
	if (write_stream(p, layer_fd, p->output, 0, 0) < 0)
		goto out;
	set_layer(p);
	if (p->to_stdout) {
		rc = ociw_write_archive(STDOUT_FILENO, "standard output", &p->meta, layer_fd, &p->img);
		goto out;
	}
	if (atomic_file_open(&af, p->output, 0666) < 0)
		goto out;
	if (ociw_write_archive(af.fd, p->output, &p->meta, layer_fd, &p->img) < 0)
		goto out;
	rc = atomic_file_commit(&af);
out:
	atomic_file_abort(&af);
	if (layer_fd >= 0)
		close(layer_fd);
	free(dir);
	return rc;
}

static int write_oci_layout(struct pack *p)
{
	struct ociw_layout l;
	struct stat st;
	int rc = -1;

	if (ociw_layout_open(&l, p->output) < 0)
		goto out;
	if (fstat(l.dirfd, &st) < 0) {
		bbr_error("cannot stat '%s': %s", l.tmp_path, strerror(errno));
		goto out;
	}
	if (write_stream(p, l.layer_fd, p->output, st.st_dev, st.st_ino) < 0)
		goto out;
	set_layer(p);
	rc = ociw_layout_commit(&l, &p->meta, &p->img);
out:
	ociw_layout_abort(&l);
	return rc;
}

static int parse_platform(struct image_meta *m, const char *s)
{
	const char *a = strchr(s, '/'), *v;
	size_t os_len, arch_len;

	if (!a)
		return bbr_usage("pack", "invalid --platform '%s': want OS/ARCH[/VARIANT]", s);
	v = strchr(a + 1, '/');
	os_len = (size_t)(a - s);
	arch_len = v ? (size_t)(v - a - 1) : strlen(a + 1);
	if (!os_len || os_len >= sizeof(m->os) || !arch_len || arch_len >= sizeof(m->architecture) ||
	    (v && (!v[1] || strlen(v + 1) >= sizeof(m->variant) || strchr(v + 1, '/'))))
		return bbr_usage("pack", "invalid --platform '%s': want OS/ARCH[/VARIANT]", s);
	memcpy(m->os, s, os_len);
	m->os[os_len] = '\0';
	memcpy(m->architecture, a + 1, arch_len);
	m->architecture[arch_len] = '\0';
	if (v)
		snprintf(m->variant, sizeof(m->variant), "%s", v + 1);
	return 0;
}

/* Platform of a --from tree: its bin/busybox when that is ELF, else host. */
static void from_platform(struct pack *p)
{
	char *bb = xasprintf("%s/bin/busybox", p->from);
	unsigned char magic[4] = { 0 };
	struct stat st;
	int fd = -1;

	/* Only an ELF file is asked about, so a script is no error. */
	if (lstat(bb, &st) == 0 && S_ISREG(st.st_mode) &&
	    (fd = open(bb, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) >= 0) {
		if (read(fd, magic, sizeof(magic)) != (ssize_t)sizeof(magic))
			magic[0] = 0;
		close(fd);
	}
	if (!memcmp(magic, "\177ELF", 4) &&
	    elfinfo_read(bb, ELFINFO_ALLOW_DYNAMIC | ELFINFO_ALLOW_NOT_BUSYBOX, &p->in.info) == 0) {
		snprintf(p->meta.architecture, sizeof(p->meta.architecture), "%s",
			 p->in.info.architecture);
		snprintf(p->meta.variant, sizeof(p->meta.variant), "%s", p->in.info.variant);
		p->meta.version = p->in.info.version;
	} else {
		bbr_reset_failure();
		snprintf(p->meta.architecture, sizeof(p->meta.architecture), "%s",
			 elfinfo_host_architecture());
		if (!strcmp(p->meta.architecture, "arm64"))
			snprintf(p->meta.variant, sizeof(p->meta.variant), "v8");
	}
	free(bb);
}

static int check_kv(const char *opt, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return bbr_usage("pack", "invalid --%s '%s': want KEY=VALUE", opt, arg);
	return 0;
}

static void print_summary(const struct pack *p, FILE *f)
{
	char platform[64], buf[4096];
	const char *out = bbr_printable(p->output, buf, sizeof(buf));

	snprintf(platform, sizeof(platform), "%s/%s%s%s", p->meta.os, p->meta.architecture,
		 *p->meta.variant ? "/" : "", p->meta.variant);
	fprintf(f, "wrote %s\n", p->to_stdout ? "standard output" : out);
	fprintf(f, "  format   %s%s%s\n", format_names[p->format],
	       p->compress != TARW_NONE ? ", " : "",
	       p->compress != TARW_NONE ? tarw_compress_name(p->compress) : "");
	fprintf(f, "  platform %s\n", platform);
	if (p->meta.version)
		fprintf(f, "  busybox  %s\n", p->meta.version);
	fprintf(f, "  entries  %llu\n", p->tar.nr_entries);
	if (p->format == FORMAT_ROOTFS) {
		fprintf(f, "  size     %llu bytes (tar %llu bytes)\n", p->tar.size, p->tar.tar_size);
		fprintf(f, "  digest   sha256:%s\n", p->tar.digest);
		fprintf(f, "  diff_id  sha256:%s\n", p->tar.diff_id);
		if (p->to_stdout)
			fprintf(f, "use: bbroot pack -o - | docker import - %s\n", p->meta.repository);
		else
			fprintf(f, "use: docker import %s %s\n", out, p->meta.repository);
		return;
	}
	fprintf(f, "  tag      %s:%s\n", p->meta.repository, p->meta.tag);
	fprintf(f, "  layer    sha256:%s (%llu bytes, tar %llu bytes)\n", p->img.layer.digest,
	       p->img.layer.size, p->tar.tar_size);
	fprintf(f, "  diff_id  sha256:%s\n", p->img.diff_id);
	fprintf(f, "  config   sha256:%s\n", p->img.config.digest);
	fprintf(f, "  manifest sha256:%s\n", p->img.manifest.digest);
	if (p->format == FORMAT_DOCKER && p->to_stdout)
		fprintf(f, "use: bbroot pack -f docker -o - | docker load\n");
	else if (p->format == FORMAT_DOCKER)
		fprintf(f, "use: docker load -i %s\n", out);
	else
		fprintf(f, "use: skopeo copy oci:%s:%s docker-daemon:%s:%s\n", out, p->meta.tag,
		       p->meta.repository, p->meta.tag);
}

int cmd_pack(int argc, char **argv)
{
	struct pack p;
	int c, rc = -1, code = BBR_EXIT_OK;

	memset(&p, 0, sizeof(p));
	layout_options_init(&p.layout);
	busybox_input_init(&p.in);
	rootfs_init(&p.fs);
	image_meta_init(&p.meta);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:f:c:t:h", long_options, NULL)) != -1) {
		int r;

		switch (c) {
		case 'o':
			p.output = optarg;
			break;
		case 'f':
			for (r = 0; r < 3 && strcmp(optarg, format_names[r]); r++)
				;
			if (r == 3) {
				code = bbr_usage("pack", "unknown format '%s': use rootfs, docker or oci", optarg);
				goto out;
			}
			p.format = (enum pack_format)r;
			break;
		case 'c':
			if (tarw_compress_parse(optarg, &p.compress) < 0) {
				code = bbr_usage("pack", "unknown compression '%s': use none, gzip, zstd or xz",
						 optarg);
				goto out;
			}
			break;
		case 't':
			p.tag = optarg;
			break;
		case 'h':
			printf(usage_text, LAYOUT_HELP);
			rc = 0;
			goto out;
		case OPT_FROM:
			p.from = optarg;
			break;
		case OPT_BUSYBOX:
			p.busybox = optarg;
			break;
		case OPT_ARCH:
			p.arch = optarg;
			break;
		case OPT_PLATFORM:
			p.platform = optarg;
			break;
		case OPT_CMD:
		case OPT_ENTRYPOINT:
			if (strlist_parse_argv(c == OPT_CMD ? &p.meta.cmd : &p.meta.entrypoint,
					       c == OPT_CMD ? "cmd" : "entrypoint", optarg) < 0) {
				code = bbr_usage("pack", "see the syntax of --cmd below");
				goto out;
			}
			break;
		case OPT_ENV:
		case OPT_LABEL:
			if ((code = check_kv(c == OPT_ENV ? "env" : "label", optarg)))
				goto out;
			strlist_add(c == OPT_ENV ? &p.meta.env : &p.meta.labels, optarg);
			break;
		case OPT_WORKDIR:
			p.meta.workdir = optarg;
			break;
		case OPT_USER:
			p.meta.user = optarg;
			break;
		case ':':
			code = bbr_usage("pack", "option '%s' needs a value", argv[optind - 1]);
			goto out;
		case '?':
			code = bbr_usage("pack", "unknown option '%s'", argv[optind - 1]);
			goto out;
		default:
			r = layout_option(&p.layout, "pack", c, optarg);
			if (r < 0) {
				code = BBR_EXIT_USAGE;
				goto out;
			}
			if (r == 0) {
				code = bbr_usage("pack", "unknown option");
				goto out;
			}
			p.layout_used = 1;
			break;
		}
	}
	if (optind < argc) {
		code = bbr_usage("pack", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (bbr_source_date_epoch(&p.epoch) < 0) {
		code = bbr_exit_code(-1);
		goto out;
	}
	if (p.compress == TARW_XZ && p.format != FORMAT_ROOTFS) {
		code = bbr_usage("pack", "xz cannot compress a %s layer: OCI defines no xz layer media type (use gzip or zstd)",
				 format_names[p.format]);
		goto out;
	}
	if (p.from && (p.layout_used || p.busybox || p.arch)) {
		code = bbr_usage("pack", "--from packs a tree as it is: it takes no --busybox, --arch or layout options");
		goto out;
	}
	if (p.platform && !p.from) {
		code = bbr_usage("pack", "--platform is for --from trees: a busybox image takes its platform from the binary");
		goto out;
	}
	if (!p.output)
		p.output = p.format == FORMAT_OCI ? DEFAULT_OCI_OUTPUT : DEFAULT_OUTPUT;
	if (!*p.output) {
		code = bbr_usage("pack", "empty --output");
		goto out;
	}
	if (!strcmp(p.output, "-")) {
		if (p.format == FORMAT_OCI) {
			code = bbr_usage("pack", "an OCI layout is a directory: it cannot go to standard output");
			goto out;
		}
		if (isatty(STDOUT_FILENO)) {
			code = bbr_usage("pack", "refusing to write an image to a terminal: redirect standard output");
			goto out;
		}
		p.to_stdout = 1;
	}
	p.meta.created = p.epoch;
	p.layout.mtime = p.epoch;
	if (!p.to_stdout && p.format != FORMAT_OCI) {
		struct stat st;

		/* Say so now rather than after the whole image is written. */
		if (stat(p.output, &st) == 0 && S_ISDIR(st.st_mode)) {
			bbr_error("cannot write '%s': it is a directory (name the file to write)", p.output);
			goto out;
		}
	}

	if (p.from) {
		struct stat st;

		if (stat(p.from, &st) < 0) {
			bbr_error("cannot pack '%s': %s", p.from, strerror(errno));
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			bbr_error("cannot pack '%s': not a directory", p.from);
			goto out;
		}
		if (p.platform) {
			if ((code = parse_platform(&p.meta, p.platform)))
				goto out;
		} else {
			from_platform(&p);
		}
	} else {
		if (busybox_input_load(p.busybox, p.arch, &p.in) < 0)
			goto out;
		p.fs.mtime = p.epoch;
		if (layout_build(&p.layout, p.in.path, &p.in.info, &p.in.applets, &p.fs) < 0)
			goto out;
		snprintf(p.meta.architecture, sizeof(p.meta.architecture), "%s", p.in.info.architecture);
		snprintf(p.meta.variant, sizeof(p.meta.variant), "%s", p.in.info.variant);
		p.meta.version = p.in.info.version;
	}
	if (p.tag) {
		if (image_meta_set_tag(&p.meta, p.tag, "latest") < 0) {
			code = BBR_EXIT_USAGE;
			goto out;
		}
	} else {
		char *t = xasprintf("busybox:%s", p.meta.version ? p.meta.version : "latest");

		image_meta_set_tag(&p.meta, t, "latest");
		free(t);
	}

	switch (p.format) {
	case FORMAT_ROOTFS:
		rc = write_rootfs_tar(&p);
		break;
	case FORMAT_DOCKER:
		rc = write_docker_archive(&p);
		break;
	case FORMAT_OCI:
		rc = write_oci_layout(&p);
		break;
	}
	if (rc == 0 && !p.to_stdout)
		print_summary(&p, stdout);
	else if (rc == 0 && !bbr_opt.quiet)
		print_summary(&p, stderr);
out:
	if (!code)
		code = bbr_exit_code(rc);
	image_meta_release(&p.meta);
	rootfs_release(&p.fs);
	busybox_input_release(&p.in);
	layout_options_release(&p.layout);
	return code;
}
