/* ocx-router — see router/src/main.c. */
#include "router/router.h"

int main(int argc, char **argv) {
        return rt_main(argc, argv);
}
