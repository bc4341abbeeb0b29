/*
 * pins.h - the pinned upstream busybox binaries compiled into bbroot
 * (configs/pins.ini): for an architecture, the URL to download, the
 * sha256 it must have and the version it announces; plus the default
 * mirror setting.
 */
#ifndef BBR_PINS_H
#define BBR_PINS_H

#include <stddef.h>

struct pin {
	char *arch;
	char *url;
	char *sha256;   /* lower-case hex */
	char *version;
};

struct pins {
	struct pin *pin;
	size_t nr, alloc;
	char *mirror;   /* global `mirror =`, or NULL */
};

/* No allocation. */
void pins_init(struct pins *pins);
/* Free everything; safe twice. */
void pins_release(struct pins *pins);

/*
 * Parse ini text (`name` for messages) into pins.  Every section needs a
 * url and a valid sha256.  0 or -1 with a message.
 */
int pins_parse(const char *text, const char *name, struct pins *pins);
/* Parse the embedded configs/pins.ini. 0 or -1. */
int pins_load(struct pins *pins);
/* The pin for arch, or NULL. */
const struct pin *pins_find(const struct pins *pins, const char *arch);

#endif
