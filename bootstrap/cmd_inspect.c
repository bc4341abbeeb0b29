/*
 * cmd_inspect.c - `bbroot inspect`: placeholder until its issue lands; it says so
 * and fails rather than pretending to work.
 */
#include "../bbroot.h"
#include "../lib/diag.h"

int cmd_inspect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	bbr_error("'inspect' is not implemented yet");
	return BBR_EXIT_FAIL;
}
