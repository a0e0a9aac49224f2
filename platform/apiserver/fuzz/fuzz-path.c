/* Fuzz entry: the REST path parser on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "apiserver/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        if (!s) return 0;
        memcpy(s, data, size);
        s[size] = 0;
        api_path p;
        const char *msg;
        api_path_parse(s, &p, &msg);
        free(s);
        return 0;
}
