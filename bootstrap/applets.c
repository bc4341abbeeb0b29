/*
 * applets.c - the applet list of a BusyBox binary.  This file holds the
 * shared parts, the policy (tables first, then `BINARY --list-full` when
 * the binary runs on this host, then everything in /bin with a warning)
 * and the run fallback; the reader of the tables inside the binary is
 * applets_scan_table() in applet_table.c.
 */
#include "applets.h"
#include "../bbroot.h"
#include "../lib/diag.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void applets_init(struct applets *a)
{
	memset(a, 0, sizeof(*a));
}

void applets_release(struct applets *a)
{
	size_t i;

	for (i = 0; i < a->nr; i++)
		free(a->list[i].name);
	free(a->list);
	applets_init(a);
}

const char *applet_dir_path(enum applet_dir dir)
{
	static const char *const paths[] = { "/", "/bin", "/sbin", "/usr/bin", "/usr/sbin" };

	return (unsigned int)dir < 5 ? paths[dir] : "/bin";
}

const char *applets_origin_name(enum applets_origin origin)
{
	switch (origin) {
	case APPLETS_FROM_TABLE:
		return "table";
	case APPLETS_FROM_RUN:
		return "run";
	default:
		return "all-in-bin";
	}
}

static int applet_cmp(const void *a, const void *b)
{
	return strcmp(((const struct applet *)a)->name, ((const struct applet *)b)->name);
}

/* Parse `--list-full` output: lines like "bin/ls", "usr/sbin/chroot". */
static int parse_list_full(const char *path, const char *text, struct applets *out)
{
	const char *line = text;
	size_t alloc = 0, i;
	/* Built without the installer, --list-full prints bare names. */
	int no_dirs = !strchr(text, '/');

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *s = xstrndup(line, len);
		char *slash = strrchr(s, '/');
		const char *name = slash ? slash + 1 : s;
		enum applet_dir dir;

		if (!slash)
			dir = no_dirs ? APPLET_DIR_BIN : APPLET_DIR_ROOT;
		else if (!strncmp(s, "bin/", 4) && slash == s + 3)
			dir = APPLET_DIR_BIN;
		else if (!strncmp(s, "sbin/", 5) && slash == s + 4)
			dir = APPLET_DIR_SBIN;
		else if (!strncmp(s, "usr/bin/", 8) && slash == s + 7)
			dir = APPLET_DIR_USR_BIN;
		else if (!strncmp(s, "usr/sbin/", 9) && slash == s + 8)
			dir = APPLET_DIR_USR_SBIN;
		else {
			bbr_fail(BBR_EXIT_INTEGRITY, "cannot read applets of '%s': "
				 "unexpected --list-full line '%s'", path, s);
			free(s);
			return -1;
		}
		if (len && *name && strcmp(name, "busybox")) {
			xgrow((void **)&out->list, &alloc, out->nr + 1, sizeof(*out->list));
			out->list[out->nr].name = xstrdup(name);
			out->list[out->nr].dir = dir;
			out->nr++;
		}
		free(s);
		line = nl ? nl + 1 : line + len;
	}
	if (!out->nr)
		return bbr_fail(BBR_EXIT_INTEGRITY,
				"cannot read applets of '%s': --list-full printed nothing", path);
	qsort(out->list, out->nr, sizeof(*out->list), applet_cmp);
	for (i = 1; i < out->nr; i++)
		if (!strcmp(out->list[i - 1].name, out->list[i].name))
			return bbr_fail(BBR_EXIT_INTEGRITY, "cannot read applets of '%s': "
					"--list-full names '%s' twice", path, out->list[i].name);
	out->origin = no_dirs ? APPLETS_ALL_IN_BIN : APPLETS_FROM_RUN;
	return 0;
}

/* Run `path --list-full` with a clean environment; 0 or -1 (no message
 * when it simply cannot run here: *ran is 0). */
static int run_list_full(const char *path, struct strbuf *output, int *ran)
{
	int pipefd[2], status = 0;
	pid_t pid;
	char buf[4096];

	*ran = 0;
	if (access(path, X_OK) < 0)
		return -1;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		char *const argv[] = { (char *)"busybox", (char *)"--list-full", NULL };
		char *const envp[] = { (char *)"PATH=/nonexistent", (char *)"LC_ALL=C", NULL };
		int devnull = open("/dev/null", O_RDWR);

		dup2(pipefd[1], 1);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 2);
		}
		execve(path, argv, envp);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		ssize_t n = read(pipefd[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (output->len < (1u << 20))
			strbuf_add(output, buf, (size_t)n);
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	*ran = 1;
	return 0;
}

/* Names and directories from running the binary (`--list-full`), for a
 * binary whose tables cannot say where applets go.  0 ok, -1 with a
 * message, 1 when it cannot run here (no message). */
static int scan_by_running(const struct elfinfo *info, struct applets *out)
{
	struct strbuf output;
	int rc, ran = 0;

	strbuf_init(&output);
	if (run_list_full(info->path, &output, &ran) < 0 || !ran) {
		strbuf_release(&output);
		return 1;
	}
	rc = parse_list_full(info->path, output.buf, out);
	strbuf_release(&output);
	return rc;
}

int applets_scan(const struct elfinfo *info, unsigned int flags, struct applets *out)
{
	struct applets ran;
	int rc, installer = 0;

	applets_init(out);
	out->names_offset = out->loc_offset = -1;
	rc = applets_scan_table(info, out, &installer);
	if (rc < 0)
		applets_release(out);
	if (rc < 0 || rc == APPLET_TABLE_FOUND)
		return rc;

	/* No usable location table: the binary's own --list-full, if it runs. */
	applets_init(&ran);
	if (!(flags & APPLETS_NO_RUN) && (rc = scan_by_running(info, &ran)) <= 0) {
		if (rc < 0) {
			applets_release(&ran);
			return -1;
		}
		ran.names_offset = out->names_offset;
		ran.loc_offset = -1;
		ran.nr_table = out->nr_table;
		applets_release(out);
		*out = ran;
		if (out->origin == APPLETS_FROM_RUN)
			bbr_warn("'%s' has no applet location table; applets listed by "
				 "running it", info->path);
		else
			bbr_warn("'%s' has no applet location table and does not say where "
				 "its applets go: all %zu in /bin", info->path, out->nr);
		return 0;
	}
	if (!out->nr) {
		applets_release(out);
		return bbr_fail(BBR_EXIT_INTEGRITY, "cannot read applets of '%s': no applet "
				"table found%s", info->path, flags & APPLETS_NO_RUN ? ""
				: " and it cannot run on this host");
	}
	if (installer) {
		applets_release(out);
		return bbr_fail(BBR_EXIT_INTEGRITY, "cannot read applets of '%s': its applet "
				"location table cannot be confirmed (too few well-known applets)%s",
				info->path, flags & APPLETS_NO_RUN ? ""
				: " and it cannot run on this host");
	}
	bbr_warn("'%s' was built without the installer (no applet location table)%s: "
		 "all %zu applets in /bin", info->path,
		 flags & APPLETS_NO_RUN ? "" : " and cannot run on this host", out->nr);
	return 0;
}
