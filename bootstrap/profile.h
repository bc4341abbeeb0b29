/*
 * profile.h - layout profiles: which directories, skeleton files and
 * links a rootfs holds besides bin/busybox and the applet links.
 *
 * A profile is a directory holding `profile.ini` plus the skeleton files
 * it names, at their image paths (profiles/standard/etc/passwd is the
 * image's /etc/passwd).  The built-in profiles live in configs/profiles/
 * and are compiled into the binary; a user's profile is any directory
 * with the same shape.  The format (docs/install.md):
 *
 *   [profile]    description = TEXT
 *   [dirs]       PATH = MODE [UID GID]
 *   [files]      PATH = MODE [UID GID]   bytes: PATH in the profile dir
 *   [templates]  PATH = MODE [UID GID]   same, @BUSYBOX_VERSION@,
 *                                        @ARCHITECTURE@, @PLATFORM@ replaced
 *   [symlinks]   PATH = TARGET
 *   [applets]    PATH = APPLET           a link to bin/busybox guaranteed
 *                                        at PATH (when the binary has APPLET)
 *
 * MODE is octal (at most 07777); UID and GID are decimal (default 0).
 * Lines are at most 200 bytes; keys cannot contain '=' or ':'.
 */
#ifndef BBR_PROFILE_H
#define BBR_PROFILE_H

#include <stddef.h>

enum profile_kind {
	PROFILE_DIR,
	PROFILE_FILE,
	PROFILE_TEMPLATE,
	PROFILE_SYMLINK,
	PROFILE_APPLET,
};

struct profile_entry {
	enum profile_kind kind;
	char *path;                 /* canonical image path */
	unsigned int mode, uid, gid;
	char *value;                /* SYMLINK target, APPLET name */
	const unsigned char *data;  /* FILE/TEMPLATE bytes */
	size_t size;
	int data_owned;             /* data is freed with the profile */
};

struct profile {
	char *name;                 /* built-in name or the directory given */
	int builtin;
	char *description;
	struct profile_entry *entries; /* in the order of profile.ini */
	size_t nr, alloc;
};

/* Largest skeleton file read from a user's profile directory. */
#define PROFILE_MAX_FILE (16u << 20)

void profile_init(struct profile *p);
void profile_release(struct profile *p);

/*
 * Whether `spec` names a built-in profile rather than a directory: a name
 * without '/'.  Directories are given with a '/' (./mine, /srv/profile).
 */
int profile_spec_is_builtin(const char *spec);

/* "minimal, standard": the built-in profile names, for messages. */
const char *profile_builtin_names(void);

/*
 * Load the profile `spec` (NULL: "standard") into p (initialised here).
 * An unknown built-in name is a usage-class error; an unreadable or
 * malformed profile an ordinary one.  Files of a directory profile are
 * read below the directory without following symlinks.  0 or -1 with a
 * message.
 */
int profile_load(const char *spec, struct profile *p);

#endif
