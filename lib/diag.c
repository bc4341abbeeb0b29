/*
 * diag.c - formatting and printing of errors, warnings and chatter, and
 * the failure class that decides a command's exit code.
 */
#include "diag.h"
#include "../bbroot.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

struct bbr_options bbr_opt = { 0, 0, -1 };

static int failure_class;

__attribute__((format(printf, 2, 0)))
static void emit(const char *prefix, const char *fmt, va_list ap)
{
	char line[4096];
	size_t i;

	vsnprintf(line, sizeof(line), fmt, ap);
	for (i = 0; line[i]; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	fflush(stdout);
	fprintf(stderr, "bbroot: %s%s\n", prefix, line);
}

static int record(int code)
{
	if (!failure_class)
		failure_class = code;
	return -1;
}

int bbr_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
	return record(BBR_EXIT_FAIL);
}

int bbr_fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
	return record(code);
}

void bbr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void bbr_info(const char *fmt, ...)
{
	va_list ap;

	if (bbr_opt.quiet)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void bbr_debug(const char *fmt, ...)
{
	va_list ap;

	if (bbr_opt.quiet || !bbr_opt.verbose)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

int bbr_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "try 'bbroot %s -h'\n", cmd);
	else
		fprintf(stderr, "try 'bbroot --help'\n");
	record(BBR_EXIT_USAGE);
	return BBR_EXIT_USAGE;
}

int bbr_exit_code(int rc)
{
	if (rc >= 0)
		return BBR_EXIT_OK;
	return failure_class ? failure_class : BBR_EXIT_FAIL;
}

void bbr_reset_failure(void)
{
	failure_class = 0;
}

int bbr_show_progress(void)
{
	if (bbr_opt.quiet)
		return 0;
	if (bbr_opt.progress >= 0)
		return bbr_opt.progress;
	return isatty(STDERR_FILENO);
}

const char *bbr_printable(const char *s, char *buf, size_t n)
{
	size_t i;

	if (!n)
		return buf;
	for (i = 0; s[i] && i + 1 < n; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}
