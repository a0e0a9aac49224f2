/* Standalone driver for the fuzz entry points: runs LLVMFuzzerTestOneInput
 * over every file of the given directories (or files) and prints TAP. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ocx/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n;

static void run_file(const char *path) {
        char *data = NULL;
        size_t len = 0;
        if (ocx_read_file(path, 16u << 20, &data, &len) < 0) {
                printf("not ok %d - cannot read %s\n", ++n, path);
                return;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        free(data);
        printf("ok %d - %s\n", ++n, path);
}

int main(int argc, char **argv) {
        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) < 0) {
                        printf("not ok %d - missing corpus %s\n", ++n, argv[i]);
                        continue;
                }
                if (!S_ISDIR(st.st_mode)) {
                        run_file(argv[i]);
                        continue;
                }
                struct dirent **ents;
                int k = scandir(argv[i], &ents, NULL, alphasort);
                for (int j = 0; j < k; j++) {
                        if (ents[j]->d_name[0] != '.') {
                                char p[4096];
                                snprintf(p, sizeof(p), "%s/%s", argv[i], ents[j]->d_name);
                                run_file(p);
                        }
                        free(ents[j]);
                }
                free(ents);
        }
        printf("1..%d\n", n);
        return 0;
}
