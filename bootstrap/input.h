/*
 * input.h - which busybox a command works on: `--busybox FILE`, else the
 * binary bbroot.lock names for the architecture (verified from the cache),
 * and its facts (elfinfo) and applets, read once.
 */
#ifndef BBR_INPUT_H
#define BBR_INPUT_H

#include "applets.h"
#include "elfinfo.h"

struct busybox_input {
	char *path;              /* file the facts were read from */
	struct elfinfo info;
	struct applets applets;
};

void busybox_input_init(struct busybox_input *in);
void busybox_input_release(struct busybox_input *in);

/*
 * Load `file` when not NULL, else the locked binary for `arch` (NULL: the
 * host's, or the only one locked).  When `arch` is given, a binary for
 * another architecture is refused (exit class 3).  0 or -1 with a message.
 */
int busybox_input_load(const char *file, const char *arch, struct busybox_input *in);

#endif
