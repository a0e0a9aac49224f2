/* ocx — the command-line client. cli_main dispatches through the command
 * table (cli/src/commands.c). */
#pragma once
int cli_main(int argc, char **argv);
