/*
 * diag.h - diagnostics: the one place that prints errors, warnings and
 * chatter, and that remembers which exit code a failure deserves.
 *
 * Library-style code never exits: the function that knows both the subject
 * and the cause prints one line and returns -1, callers pass -1 up without
 * printing again:
 *
 *     if (fd < 0)
 *             return bbr_error("cannot open '%s': %s", path, strerror(errno));
 *
 * Messages read `bbroot: <what failed> '<subject>': <cause>`; control
 * characters in the formatted line are printed as '?', so untrusted bytes
 * (URLs, archive paths) cannot drive the terminal.  bbr_fail() records an
 * exit class (integrity, usage) that the command turns into its exit code
 * with bbr_exit_code().
 */
#ifndef BBR_DIAG_H
#define BBR_DIAG_H

#include <stdio.h>

struct bbr_options {
	int quiet;    /* -q: no progress, no chatter; errors still print */
	int verbose;  /* -v: more detail (count) */
	int progress; /* 1 on, 0 off, -1 auto (stderr is a terminal) */
};

extern struct bbr_options bbr_opt;

/* Print "bbroot: <msg>" to stderr, record BBR_EXIT_FAIL, return -1. */
int bbr_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, recording exit class `code` (BBR_EXIT_INTEGRITY, BBR_EXIT_USAGE). */
int bbr_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "bbroot: warning: <msg>"; printed even with -q. */
void bbr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Chatter on stderr: silent with -q. */
void bbr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Detail on stderr: only with -v (and not -q). */
void bbr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A usage error for command `cmd`: prints the message and
 * "try 'bbroot CMD -h'", returns BBR_EXIT_USAGE (an exit code, not -1).
 */
int bbr_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Exit code for a command whose work returned rc (0 ok, <0 failed). */
int bbr_exit_code(int rc);
/* Forget the recorded failure class (tests, long-running callers). */
void bbr_reset_failure(void);

/* Whether progress should be drawn on stderr now. */
int bbr_show_progress(void);

/*
 * Copy s into buf (size n) with control characters replaced by '?';
 * returns buf.  For printing untrusted strings to stdout.
 */
const char *bbr_printable(const char *s, char *buf, size_t n);

#endif
