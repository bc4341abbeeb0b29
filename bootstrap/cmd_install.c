/*
 * cmd_install.c - `bbroot install`: placeholder until its issue lands; it says so
 * and fails rather than pretending to work.
 */
#include "../bbroot.h"
#include "../lib/diag.h"

int cmd_install(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	bbr_error("'install' is not implemented yet");
	return BBR_EXIT_FAIL;
}
