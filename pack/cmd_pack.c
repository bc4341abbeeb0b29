/*
 * cmd_pack.c - `bbroot pack`: placeholder until its issue lands; it says so
 * and fails rather than pretending to work.
 */
#include "../bbroot.h"
#include "../lib/diag.h"

int cmd_pack(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	bbr_error("'pack' is not implemented yet");
	return BBR_EXIT_FAIL;
}
