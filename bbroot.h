/*
 * bbroot.h - commands, exit codes and how to add a command.
 *
 * A command is `int cmd_NAME(int argc, char **argv)` in its own file
 * (bootstrap/cmd_NAME.c or pack/cmd_NAME.c) plus one row in the command
 * table in bbroot.c.  argv[0] is the command name; the command parses its
 * own options with one getopt_long pass and returns an exit code below.
 * Global options (-q, -v, -C) have already been applied (see lib/diag.h).
 */
#ifndef BBROOT_H
#define BBROOT_H

#define BBROOT_VERSION "0.1.0"

/* Exit codes: documented in --help and bbroot.1. */
enum {
	BBR_EXIT_OK = 0,        /* success */
	BBR_EXIT_FAIL = 1,      /* any failure (network, I/O, bad input) */
	BBR_EXIT_USAGE = 2,     /* bad command line or environment value */
	BBR_EXIT_INTEGRITY = 3, /* checksum mismatch or binary check failed */
};

int cmd_fetch(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_pack(int argc, char **argv);

#endif
