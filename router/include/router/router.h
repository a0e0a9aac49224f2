/* ocx-router — entry point (router/main.c calls it). */
#pragma once

/* Parses the flags, starts the table source and serves until SIGTERM/SIGINT.
 * Returns the process exit status. */
int rt_main(int argc, char **argv);
