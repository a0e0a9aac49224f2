#include <stdio.h>
#include "apiserver/server.h"

int api_main(int argc, char **argv) {
        (void)argc;
        (void)argv;
        fprintf(stderr, "ocxd: not implemented yet\n");
        return 1;
}
