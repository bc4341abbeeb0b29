/*
 * cmd_fetch.c - `bbroot fetch`: placeholder until its issue lands; it says so
 * and fails rather than pretending to work.
 */
#include "../bbroot.h"
#include "../lib/diag.h"

int cmd_fetch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	bbr_error("'fetch' is not implemented yet");
	return BBR_EXIT_FAIL;
}
