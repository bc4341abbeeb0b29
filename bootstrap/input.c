/*
 * input.c - resolve and read the busybox a command works on, so install,
 * pack and inspect share one way of choosing it and one set of checks.
 */
#include "input.h"
#include "lock.h"
#include "../bbroot.h"
#include "../lib/diag.h"
#include "../lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

void busybox_input_init(struct busybox_input *in)
{
	in->path = NULL;
	elfinfo_init(&in->info);
	applets_init(&in->applets);
}

void busybox_input_release(struct busybox_input *in)
{
	free(in->path);
	elfinfo_release(&in->info);
	applets_release(&in->applets);
	in->path = NULL;
}

/* Path of the verified, cached binary bbroot.lock names for arch
 * (bootstrap/lock.h). */
static int locked_binary(const char *arch, char **path)
{
	return lock_locate_binary(arch, path);
}

int busybox_input_load(const char *file, const char *arch, struct busybox_input *in)
{
	busybox_input_init(in);
	if (file)
		in->path = xstrdup(file);
	else if (locked_binary(arch, &in->path) < 0)
		return -1;
	if (elfinfo_read(in->path, 0, &in->info) < 0)
		return -1;
	if (arch && strcmp(arch, in->info.architecture))
		return bbr_fail(BBR_EXIT_INTEGRITY,
				"binary check failed for '%s': built for %s, not %s",
				in->path, in->info.architecture, arch);
	return applets_scan(&in->info, 0, &in->applets);
}
