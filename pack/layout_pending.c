/*
 * layout_pending.c - weak stand-ins for bootstrap/layout.h until
 * bootstrap/layout.c lands on main.  Every definition is weak, so the real
 * module replaces them as soon as it is linked; delete this file then.
 * Without the real module `pack` still works with --from DIR and refuses
 * to build a model with a clear message.
 */
#include "../bootstrap/layout.h"
#include "../lib/diag.h"

#include <string.h>

__attribute__((weak)) const char LAYOUT_HELP[] =
	"  --profile NAME|DIR, --links STYLE, --release STRING, --overlay DIR\n"
	"                     layout options, as for 'bbroot install'\n";

__attribute__((weak)) void layout_options_init(struct layout_options *o)
{
	memset(o, 0, sizeof(*o));
}

__attribute__((weak)) void layout_options_release(struct layout_options *o)
{
	memset(o, 0, sizeof(*o));
}

__attribute__((weak)) int layout_option(struct layout_options *o, const char *cmd, int opt,
					 const char *arg)
{
	(void)o;
	(void)cmd;
	(void)arg;
	return opt >= LAYOUT_OPT_PROFILE && opt <= LAYOUT_OPT_OVERLAY;
}

__attribute__((weak)) int layout_build(const struct layout_options *o, const char *busybox_path,
					const struct elfinfo *info, const struct applets *applets,
					struct rootfs *fs)
{
	(void)o;
	(void)info;
	(void)applets;
	(void)fs;
	return bbr_error("cannot lay out '%s': this build has no layout module yet (use --from DIR)",
			 busybox_path);
}
