#include <stdio.h>
#include "cli/cli.h"

int cli_main(int argc, char **argv) {
        (void)argc;
        (void)argv;
        fprintf(stderr, "error: not implemented yet\n");
        return 1;
}
