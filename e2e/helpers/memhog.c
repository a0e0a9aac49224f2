/* Memory hog for the runtime e2e tests (built static: plain libc only).
 * `memhog MIB` allocates MIB mebibytes 1 MiB at a time, touching every page,
 * printing "memhog: N MiB" every 8 MiB, then "memhog: done" and sleeps (a
 * container whose limit is high enough keeps running). Under a lower memory
 * limit the OOM killer ends it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
        long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 64;
        if (mib <= 0 || mib > 1 << 20) {
                fprintf(stderr, "usage: memhog MIB\n");
                return 2;
        }
        for (long i = 1; i <= mib; i++) {
                char *p = malloc(1 << 20);
                if (!p) {
                        printf("memhog: malloc failed at %ld MiB\n", i);
                        return 1;
                }
                memset(p, (int)(i & 0xff) | 1, 1 << 20);
                if (i % 8 == 0) {
                        printf("memhog: %ld MiB\n", i);
                        fflush(stdout);
                }
        }
        printf("memhog: done\n");
        fflush(stdout);
        for (;;) pause();
}
